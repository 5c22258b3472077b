//! PowerScope device receiving commands (revision 1): a `StreamDecoder` of the revision's
//! worst case (64 bytes) fed 64-byte chunks.
//!
//! Stack buffers: `rx` 64 B, `StreamDecoder<PowerScope, 64>` 400 B.
#![no_std]
#![no_main]

use codec_size::{RX_CHUNK, receive, sink};
use core::hint::black_box;
use cortex_m_rt::entry;
use panic_halt as _;
use serial_dialects::StreamDecoder;
use serial_dialects::powerscope::PowerScope;

/// `PowerScope::r1().max_frame_len()` (revision 0 needs 528).
const CAPACITY: usize = 64;

#[entry]
fn main() -> ! {
    let mut rx = [0u8; RX_CHUNK];
    let mut decoder: StreamDecoder<PowerScope, CAPACITY> = StreamDecoder::new(PowerScope::r1());
    loop {
        decoder.feed(receive(&mut rx), |event| {
            black_box(&event);
        });
        sink(&decoder.stats().frames.to_le_bytes());
    }
}
