//! VectorDebug receiver: a `StreamDecoder` of the default worst case (16450 bytes: a
//! 16384-byte packet after COBS, with its delimiter) fed 64-byte chunks.
//!
//! Stack buffers: `rx` 64 B, `StreamDecoder<VectorDebug, 16450>` 16592 B, the scanner's 2064 B bitset.
#![no_std]
#![no_main]

use codec_size::{RX_CHUNK, receive, sink};
use core::hint::black_box;
use cortex_m_rt::entry;
use panic_halt as _;
use serial_dialects::StreamDecoder;
use serial_dialects::vectordebug::VectorDebug;

/// `Config::default().max_frame_len()`.
const CAPACITY: usize = 16450;

#[entry]
fn main() -> ! {
    let mut rx = [0u8; RX_CHUNK];
    let mut decoder: StreamDecoder<VectorDebug, CAPACITY> = StreamDecoder::new(VectorDebug::default());
    loop {
        decoder.feed(receive(&mut rx), |event| {
            black_box(&event);
        });
        sink(&decoder.stats().frames.to_le_bytes());
    }
}
