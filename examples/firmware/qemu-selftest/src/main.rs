//! QEMU self-test of the no_std codecs on a Cortex-M4F (`qemu-system-arm -M netduinoplus2`,
//! an STM32F405).
//!
//! For each dialect the firmware encodes a fixed set of frames ([`frames`]) with the library
//! into a stack buffer, writes them to that dialect's USART (QEMU's `-serial` number `k` is
//! [`frames::SERIAL_ORDER`]`[k]`), decodes the same bytes with the dialect's
//! `StreamDecoder` behind `io::embedded::Reader`, from reads of 1, 7 and 64 bytes and of the
//! whole stream, checks every event, and prints one line per dialect through semihosting. It exits through semihosting with
//! status 0 when every check passed, 1 otherwise (a panic also exits with 1). No heap: the
//! encode buffer and the decoders live on the stack.

#![no_std]
#![no_main]

mod frames;
mod selftest;
mod serial;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use panic_semihosting as _;
use stm32f4::stm32f405 as pac;

use frames::{AsciiCrc8Set, PlotSet, Pmu30Set, PowerScopeR0Set, PowerScopeR1Set, VectorDebugSet};
use selftest::run;

#[entry]
fn main() -> ! {
    let Some(peripherals) = pac::Peripherals::take() else {
        hprintln!("qemu-selftest: FAIL (peripherals already taken)");
        exit(false);
    };
    let ports = serial::Ports::new(peripherals);

    // The decoder capacities are each dialect's default `max_frame_len` (checked in `run`):
    // with them the stream decoders give exactly the events the host's slice decoder gives.
    let passed = [
        run::<Pmu30Set, 4102>(&ports),
        run::<VectorDebugSet, 16450>(&ports),
        run::<PlotSet, 1024>(&ports),
        run::<AsciiCrc8Set, 1024>(&ports),
        run::<PowerScopeR0Set, 528>(&ports),
        run::<PowerScopeR1Set, 64>(&ports),
    ];
    let failed = passed.iter().filter(|&&ok| !ok).count();
    if failed == 0 {
        hprintln!("qemu-selftest: PASS ({} dialects)", passed.len());
    } else {
        hprintln!("qemu-selftest: FAIL ({} of {} dialects)", failed, passed.len());
    }
    exit(failed == 0)
}

/// Ends the emulation with status 0 (`passed`) or 1.
fn exit(passed: bool) -> ! {
    debug::exit(if passed { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE });
    // Only reached when the debugger ignores the exit request.
    loop {
        cortex_m::asm::wfi();
    }
}
