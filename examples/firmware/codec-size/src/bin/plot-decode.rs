//! Plot receiver: a `StreamDecoder` of the seed variant's worst case (1024 bytes: the
//! longest text piece; the largest frame is a 578-byte label frame) fed 64-byte chunks.
//!
//! Stack buffers: `rx` 64 B, `StreamDecoder<Plot, 1024>` 3592 B, temporaries (`Plot` alone is 2432 B).
#![no_std]
#![no_main]

use codec_size::decode_forever;
use cortex_m_rt::entry;
use panic_halt as _;
use serial_dialects::plot::Plot;

/// `Config::default().max_frame_len()`.
const CAPACITY: usize = 1024;

#[entry]
fn main() -> ! {
    decode_forever::<Plot, CAPACITY>(Plot::default())
}
