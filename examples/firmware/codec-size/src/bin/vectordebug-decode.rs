//! VectorDebug receiver: a `StreamDecoder` of the default worst case (16450 bytes: a
//! 16384-byte packet after COBS, with its delimiter) fed 64-byte chunks.
//!
//! Stack buffers: `rx` 64 B, `StreamDecoder<VectorDebug, 16450>` 16656 B, the scanner's 2064 B bitset.
#![no_std]
#![no_main]

use codec_size::decode_forever;
use cortex_m_rt::entry;
use panic_halt as _;
use serial_dialects::vectordebug::VectorDebug;

/// `Config::default().max_frame_len()`.
const CAPACITY: usize = 16450;

#[entry]
fn main() -> ! {
    decode_forever::<VectorDebug, CAPACITY>(VectorDebug::default())
}
