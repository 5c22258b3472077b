//! PMU-30 receiver: a `StreamDecoder` of the default worst case (4102 bytes: a 4096-byte
//! payload and 6 bytes of framing) fed 64-byte chunks.
//!
//! Stack buffers: `rx` 64 B, `StreamDecoder<Pmu30, 4102>` 4224 B.
#![no_std]
#![no_main]

use codec_size::{RX_CHUNK, receive, sink};
use core::hint::black_box;
use cortex_m_rt::entry;
use panic_halt as _;
use serial_dialects::StreamDecoder;
use serial_dialects::pmu30::Pmu30;

/// `Config::default().max_frame_len()`.
const CAPACITY: usize = 4102;

#[entry]
fn main() -> ! {
    let mut rx = [0u8; RX_CHUNK];
    let mut decoder: StreamDecoder<Pmu30, CAPACITY> = StreamDecoder::new(Pmu30::default());
    loop {
        decoder.feed(receive(&mut rx), |event| {
            black_box(&event);
        });
        sink(&decoder.stats().frames.to_le_bytes());
    }
}
