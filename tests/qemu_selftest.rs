//! The no_std codecs on a Cortex-M4F: builds `examples/firmware/qemu-selftest`, runs it in
//! `qemu-system-arm -M netduinoplus2` (an STM32F405), and checks both what it reports through
//! semihosting (its own decode of every frame, in several chunkings) and what it wrote to its
//! six USARTs: each capture must be byte for byte the host encoding of the same frames
//! (`frames.rs` is shared with the firmware) and decode with the `SliceDecoder` to exactly
//! those frames over exactly their bytes, with no errors and nothing skipped.
//!
//! Needs `qemu-system-arm`, `flip-link` and the `thumbv7em-none-eabihf` target, so it is
//! ignored by default; `.ci/run` installs them and runs it with `--ignored`.

#[path = "../examples/firmware/qemu-selftest/src/frames.rs"]
mod frames;

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use std::{env, fs, thread};

use frames::{
    AsciiCrc8Set, FrameSet, PlotSet, Pmu30Set, PowerScopeR0Set, PowerScopeR1Set, SERIAL_ORDER, VectorDebugSet,
};
use serial_dialects::{DialectError, Item, SliceDecoder};

/// The run takes well under a second; this only bounds a hang.
const QEMU_TIMEOUT: Duration = Duration::from_secs(60);

#[test]
#[ignore = "needs qemu-system-arm, flip-link and the thumbv7em-none-eabihf target; .ci/run runs it with --ignored"]
fn firmware_encodes_and_decodes_every_dialect_on_cortex_m4() {
    check_tools();
    let elf = build_firmware();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("qemu-selftest");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let captures: Vec<PathBuf> =
        SERIAL_ORDER.iter().map(|name| dir.join(format!("{}.bin", name.replace(':', "-")))).collect();

    let (ok, stdout, stderr) = run_qemu(&elf, &captures);
    assert!(ok, "the firmware failed (semihosting exit status not 0)\n--- stdout\n{stdout}\n--- stderr\n{stderr}");
    for name in SERIAL_ORDER {
        let line = stdout.lines().find(|l| l.starts_with(&format!("{name}: "))).unwrap_or_else(|| {
            panic!("no summary line for {name}\n--- stdout\n{stdout}\n--- stderr\n{stderr}");
        });
        assert!(line.contains(": all exact, 0 errors, 0 bytes skipped"), "{line}");
    }
    assert!(stdout.contains("qemu-selftest: PASS (6 dialects)"), "{stdout}");

    let capture = |name: &str| {
        let k = SERIAL_ORDER.iter().position(|&n| n == name).unwrap();
        fs::read(&captures[k]).unwrap_or_else(|e| panic!("{}: {e}", captures[k].display()))
    };
    check_capture::<Pmu30Set>(&capture(Pmu30Set::NAME));
    check_capture::<VectorDebugSet>(&capture(VectorDebugSet::NAME));
    check_capture::<PlotSet>(&capture(PlotSet::NAME));
    check_capture::<AsciiCrc8Set>(&capture(AsciiCrc8Set::NAME));
    check_capture::<PowerScopeR0Set>(&capture(PowerScopeR0Set::NAME));
    check_capture::<PowerScopeR1Set>(&capture(PowerScopeR1Set::NAME));
}

/// One UART capture: exactly the host's encoding of set `S`, decoding to exactly its frames.
fn check_capture<S: FrameSet>(capture: &[u8]) {
    let name = S::NAME;
    let mut expected = Vec::new();
    let mut ranges = Vec::new();
    for i in 0..S::LEN {
        let mut buf = [0u8; 2048];
        let n = S::emit(i, &mut buf).unwrap_or_else(|e| panic!("{name} frame {i}: {e}"));
        ranges.push(expected.len()..expected.len() + n);
        expected.extend_from_slice(&buf[..n]);
    }
    assert_eq!(capture.len(), expected.len(), "{name}: capture length");
    assert!(capture == expected, "{name}: the firmware's bytes differ from the host's encoding");

    let mut decoder = SliceDecoder::new(S::decoder(), capture);
    let mut seen = 0;
    for event in decoder.by_ref() {
        let at = event.offset as usize..event.offset as usize + event.len;
        let frame = match event.item {
            Item::Frame(frame) => frame,
            Item::Error(e) => panic!("{name}: {} at {at:?}: {e}", e.kind().as_str()),
        };
        assert!(seen < S::LEN, "{name}: unexpected frame at {at:?}");
        assert_eq!(at, ranges[seen], "{name} frame {seen}: byte range");
        assert!(S::matches(seen, &frame), "{name} frame {seen}: decodes to another message");
        seen += 1;
    }
    assert_eq!(seen, S::LEN, "{name}: frames decoded");
    let stats = decoder.stats();
    assert_eq!(stats.frames, S::LEN as u64, "{name}: stats.frames");
    assert_eq!(stats.errors.total(), 0, "{name}: stats.errors");
    assert_eq!(stats.bytes_skipped, 0, "{name}: stats.bytes_skipped");
    assert_eq!(stats.bytes_in_frames, capture.len() as u64, "{name}: stats.bytes_in_frames");
    assert_eq!(stats.lost_frames, S::LOST_FRAMES, "{name}: stats.lost_frames");
}

/// Fails with what is missing and how to install it, instead of a confusing build error.
fn check_tools() {
    let mut missing = Vec::new();
    if !on_path("qemu-system-arm") {
        missing.push("qemu-system-arm (apt-get install qemu-system-arm)");
    }
    if !on_path("flip-link") {
        missing.push("flip-link (cargo install flip-link --locked)");
    }
    let sysroot = Command::new(env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .args(["--print", "sysroot"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    if !Path::new(&sysroot).join("lib/rustlib/thumbv7em-none-eabihf").is_dir() {
        missing.push("the thumbv7em-none-eabihf target (rustup target add thumbv7em-none-eabihf)");
    }
    assert!(missing.is_empty(), "the QEMU self-test needs: {}", missing.join(", "));
}

fn on_path(program: &str) -> bool {
    env::var_os("PATH").is_some_and(|paths| env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Builds the firmware in its own workspace, with none of the variables `cargo test` sets
/// for this crate (they would leak into the nested build: features, flags, target dir).
fn build_firmware() -> PathBuf {
    let firmware = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/firmware");
    let mut cargo = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.current_dir(&firmware).args(["build", "--release", "-p", "qemu-selftest"]);
    for (key, _) in env::vars_os() {
        if is_build_variable(&key) {
            cargo.env_remove(key);
        }
    }
    let status = cargo.status().expect("run cargo");
    assert!(status.success(), "cargo build --release -p qemu-selftest failed in {}", firmware.display());
    let elf = firmware.join("target/thumbv7em-none-eabihf/release/qemu-selftest");
    assert!(elf.is_file(), "{} was not built", elf.display());
    elf
}

/// `CARGO_*` variables of the running build (not the user's cargo configuration such as
/// `CARGO_HOME`, registries, network or terminal settings) and compiler flags.
fn is_build_variable(key: &OsStr) -> bool {
    let key = key.to_string_lossy();
    let user_config =
        ["CARGO_HOME", "CARGO_NET_", "CARGO_HTTP_", "CARGO_REGISTRIES_", "CARGO_REGISTRY_", "CARGO_TERM_"];
    (key.starts_with("CARGO") && !user_config.iter().any(|c| key.starts_with(c)))
        || matches!(&*key, "RUSTFLAGS" | "RUSTDOCFLAGS")
}

/// Runs the ELF with one capture file per USART; returns (exit status 0, stdout, stderr).
fn run_qemu(elf: &Path, captures: &[PathBuf]) -> (bool, String, String) {
    let mut qemu = Command::new("qemu-system-arm");
    qemu.args(["-M", "netduinoplus2", "-nographic", "-display", "none", "-monitor", "none"]);
    qemu.args(["-semihosting-config", "enable=on,target=native"]);
    for capture in captures {
        qemu.arg("-serial").arg(format!("file:{}", capture.display()));
    }
    qemu.arg("-kernel").arg(elf);
    let mut child =
        qemu.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start qemu-system-arm");
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait_or_kill(&mut child);
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    let status =
        status.unwrap_or_else(|| panic!("QEMU still running after {QEMU_TIMEOUT:?}, killed\n{stdout}\n{stderr}"));
    (status.success(), stdout, stderr)
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    })
}

fn wait_or_kill(child: &mut Child) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + QEMU_TIMEOUT;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("wait for qemu") {
            return Some(status);
        }
        thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}
