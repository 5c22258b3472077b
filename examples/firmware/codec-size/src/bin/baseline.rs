//! The runtime alone: vector table, reset handler, a receive buffer and the sink loop that
//! every codec binary also has. Its size is subtracted from theirs.
//!
//! Stack buffers: `rx` 64 B.
#![no_std]
#![no_main]

use codec_size::{RX_CHUNK, receive, sink};
use cortex_m_rt::entry;
use panic_halt as _;

#[entry]
fn main() -> ! {
    let mut rx = [0u8; RX_CHUNK];
    loop {
        sink(receive(&mut rx));
    }
}
