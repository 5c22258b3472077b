//! Light meter receiver: a `StreamDecoder` of the default worst case (1024 bytes: the text
//! line search limit; frames are at most 271 bytes) fed 64-byte chunks.
//!
//! Stack buffers: `rx` 64 B, `StreamDecoder<AsciiCrc8, 1024>` 1264 B.
#![no_std]
#![no_main]

use codec_size::decode_forever;
use cortex_m_rt::entry;
use panic_halt as _;
use serial_dialects::ascii_crc8::AsciiCrc8;

/// `Config::default().max_frame_len()`.
const CAPACITY: usize = 1024;

#[entry]
fn main() -> ! {
    decode_forever::<AsciiCrc8, CAPACITY>(AsciiCrc8::default())
}
