//! Counts the instructions of encoding one 200-record DBG_FRAME1 packet (PacketBuilder →
//! finish → emit_wire) under QEMU `netduinoplus2`, and prints them through semihosting.
//!
//! QEMU does not model cycles. With `-icount shift=0` its virtual clock advances exactly
//! 1 ns per executed instruction, and SysTick counts the 168 MHz core clock of that virtual
//! time, so a SysTick difference is proportional to the instructions executed between the
//! two reads. The ratio is not assumed but calibrated on `cortex_m::asm::delay`, a loop of
//! exactly `2 × (n + 1)` instructions (`subs`, `bne`). The cycle estimate for a real
//! Cortex-M4 multiplies the count by a CPI range (see the README).
//!
//! Run: `qemu-system-arm -M netduinoplus2 -display none -monitor none -icount shift=0
//! -semihosting-config enable=on,target=native -kernel ELF`.
#![no_std]
#![no_main]

use core::hint::black_box;
use core::panic::PanicInfo;

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::{Peripherals, SYST};
use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use serial_dialects::SliceDecoder;
use serial_dialects::vectordebug::{PacketBuilder, PacketType, Record, VectorDebug};

const RECORDS: usize = 200;
/// type + len + 200 records + CRC.
const PACKET_LEN: usize = 5 + RECORDS * Record::SIZE + 2;
/// COBS adds one byte per started 254-byte block, then the delimiter.
const WIRE_LEN: usize = PACKET_LEN + PACKET_LEN / 254 + 2;

/// Iterations of the calibration loop: 2 000 002 instructions.
const CALIBRATION_LOOPS: u32 = 1_000_000;
const CALIBRATION_INSTRUCTIONS: u64 = 2 * (CALIBRATION_LOOPS as u64 + 1);
/// The loop that checks the calibration: 20 002 instructions.
const CHECK_LOOPS: u32 = 10_000;
const CHECK_INSTRUCTIONS: u64 = 2 * (CHECK_LOOPS as u64 + 1);

/// SysTick is a 24-bit down-counter.
const SYST_MASK: u32 = 0x00FF_FFFF;

/// The clock of the estimate (STM32L432 at its maximum).
const TARGET_MHZ: u64 = 80;
/// CPI bounds for this code on a Cortex-M4 running from flash, in hundredths (README).
const CPI_LOW_X100: u64 = 130;
const CPI_HIGH_X100: u64 = 200;

/// SysTick ticks spent in `work` (the caller subtracts those of an empty `work`).
fn ticks<R>(work: impl FnOnce() -> R) -> (u32, R) {
    let start = SYST::get_current();
    let result = work();
    let end = SYST::get_current();
    (start.wrapping_sub(end) & SYST_MASK, result)
}

/// Records as the motor controller sends them: a counter and six changing signals.
fn record(i: usize) -> Record {
    let x = i as i16;
    Record {
        seq: i as u16,
        payload: [x.wrapping_mul(97), -x.wrapping_mul(31), 1000 - x, x.wrapping_mul(x), x & 0x0F, -1200],
    }
}

#[entry]
fn main() -> ! {
    let Some(mut core) = Peripherals::take() else { fail("core peripherals already taken") };
    core.SYST.set_clock_source(SystClkSource::Core);
    core.SYST.set_reload(SYST_MASK);
    core.SYST.clear_current();
    core.SYST.enable_counter();

    let (overhead, ()) = ticks(|| ());
    let (calibration, ()) = ticks(|| cortex_m::asm::delay(black_box(CALIBRATION_LOOPS)));
    let per_tick_x1000 = CALIBRATION_INSTRUCTIONS * 1000 / u64::from(calibration - overhead);
    let instructions = |t: u32| u64::from(t.saturating_sub(overhead)) * per_tick_x1000 / 1000;
    // A second loop of known length, 100 times shorter: the count must scale with it.
    let (check, ()) = ticks(|| cortex_m::asm::delay(black_box(CHECK_LOOPS)));
    let check = instructions(check);

    let records: [Record; RECORDS] = black_box(core::array::from_fn(record));
    let mut packet_buf = [0u8; PACKET_LEN];
    let mut wire = [0u8; WIRE_LEN];

    let (t_push, builder) = ticks(|| {
        let mut builder = PacketBuilder::dbg_frame1(&mut packet_buf).ok()?;
        for r in &records {
            builder.push_record(r).ok()?;
        }
        Some(builder)
    });
    let Some(builder) = builder else { fail("packet buffer too small") };
    let (t_finish, packet) = ticks(|| builder.finish());
    let (t_cobs, wire_len) = ticks(|| packet.emit_wire(&mut wire));
    let Ok(wire_len) = wire_len else { fail("wire buffer too small") };
    let wire = black_box(&wire[..wire_len]);

    check_round_trip(wire, &records);

    let (push, finish, cobs) = (instructions(t_push), instructions(t_finish), instructions(t_cobs));
    let total = push + finish + cobs;
    hprintln!(
        "calibration: {} instructions = {} SysTick ticks (overhead {}): {}.{:03} instructions/tick",
        CALIBRATION_INSTRUCTIONS,
        calibration,
        overhead,
        per_tick_x1000 / 1000,
        per_tick_x1000 % 1000
    );
    hprintln!("check: a loop of {} instructions measures {}", CHECK_INSTRUCTIONS, check);
    if check.abs_diff(CHECK_INSTRUCTIONS) > CHECK_INSTRUCTIONS / 100 {
        fail("the instruction count does not scale with the loop length");
    }
    hprintln!("DBG_FRAME1, {} records: packet {} bytes, wire {} bytes, round trip ok", RECORDS, PACKET_LEN, wire_len);
    hprintln!("  push_record x{}: {} instructions", RECORDS, push);
    hprintln!("  finish (len + CRC-16): {} instructions", finish);
    hprintln!("  emit_wire (COBS + 0x00): {} instructions", cobs);
    hprintln!("  total: {} instructions ({} per wire byte)", total, total / wire_len as u64);
    let (low, high) = (total * CPI_LOW_X100 / 100, total * CPI_HIGH_X100 / 100);
    hprintln!(
        "estimate at {} MHz, CPI {}.{:02}..{}.{:02}: {}..{} cycles = {}..{} us",
        TARGET_MHZ,
        CPI_LOW_X100 / 100,
        CPI_LOW_X100 % 100,
        CPI_HIGH_X100 / 100,
        CPI_HIGH_X100 % 100,
        low,
        high,
        low / TARGET_MHZ,
        high / TARGET_MHZ
    );
    debug::exit(debug::EXIT_SUCCESS);
    loop {
        cortex_m::asm::wfi();
    }
}

/// Decodes the wire bytes again: the measured encoding must be the real one.
fn check_round_trip(wire: &[u8], records: &[Record]) {
    let mut events = SliceDecoder::new(VectorDebug::default(), wire);
    let Some(packet) = events.next().and_then(|e| e.into_frame()) else { fail("the encoded packet does not decode") };
    if packet.packet_type() != PacketType::DbgFrame1
        || packet.trailing_len() != 0
        || !packet.records().eq(records.iter().copied())
        || events.next().is_some()
    {
        fail("the decoded records differ")
    }
}

fn fail(why: &str) -> ! {
    hprintln!("vectordebug-cycles failed: {}", why);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    hprintln!("panic: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}
