//! PMU-30 receiver: a `StreamDecoder` of the default worst case (4102 bytes: a 4096-byte
//! payload and 6 bytes of framing) fed 64-byte chunks.
//!
//! Stack buffers: `rx` 64 B, `StreamDecoder<Pmu30, 4102>` 4240 B.
#![no_std]
#![no_main]

use codec_size::decode_forever;
use cortex_m_rt::entry;
use panic_halt as _;
use serial_dialects::pmu30::Pmu30;

/// `Config::default().max_frame_len()`.
const CAPACITY: usize = 4102;

#[entry]
fn main() -> ! {
    decode_forever::<Pmu30, CAPACITY>(Pmu30::default())
}
