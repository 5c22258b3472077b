//! Gives every binary its memory layout and the cortex-m-rt link scripts.
//!
//! The size binaries link for a generic STM32L432 (256 KiB flash, 64 KiB RAM), the chip of
//! the nucleo example; `vectordebug-cycles` links for the STM32F405 of QEMU's
//! `netduinoplus2` machine (1 MiB flash, 128 KiB RAM) so that it runs there. cortex-m-rt's
//! `link.x` includes `memory.x` from the linker search path, so each layout lives in its
//! own directory and each binary gets only its own directory as a link argument.

use std::env;
use std::fs;
use std::path::PathBuf;

const STM32L432: &str = "MEMORY
{
  FLASH : ORIGIN = 0x08000000, LENGTH = 256K
  RAM   : ORIGIN = 0x20000000, LENGTH = 64K
}
";

const STM32F405: &str = "MEMORY
{
  FLASH : ORIGIN = 0x08000000, LENGTH = 1024K
  RAM   : ORIGIN = 0x20000000, LENGTH = 128K
}
";

/// Binaries that run under QEMU `netduinoplus2` rather than being only measured.
const QEMU_BINS: &[&str] = &["vectordebug-cycles"];

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for (chip, layout) in [("stm32l432", STM32L432), ("stm32f405", STM32F405)] {
        let dir = out.join(chip);
        fs::create_dir_all(&dir).expect("create layout directory");
        fs::write(dir.join("memory.x"), layout).expect("write memory.x");
    }

    let bins = fs::read_dir("src/bin").expect("read src/bin");
    for entry in bins {
        let path = entry.expect("read src/bin entry").path();
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else { continue };
        let chip = if QEMU_BINS.contains(&name) { "stm32f405" } else { "stm32l432" };
        // Two arguments: flip-link finds `memory.x` only through a separate `-L DIR`.
        println!("cargo:rustc-link-arg-bin={name}=-L");
        println!("cargo:rustc-link-arg-bin={name}={}", out.join(chip).display());
    }
    println!("cargo:rustc-link-arg-bins=--nmagic");
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/bin");
}
