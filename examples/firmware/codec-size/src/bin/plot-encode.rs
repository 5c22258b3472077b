//! Serial Monitor / DragoonPlot device: one data frame of 8 int16 channels.
//!
//! Stack buffers: `frame` 18 B, `values` 16 B.
#![no_std]
#![no_main]

use codec_size::{opaque, sink};
use cortex_m_rt::entry;
use panic_halt as _;
use serial_dialects::plot::{DOCUMENTED_MAX_CHANNELS, emit_data};

const CHANNELS: usize = 8;
/// `0xAA` + COUNT + 2 bytes per value.
const FRAME_LEN: usize = 2 + 2 * CHANNELS;

#[entry]
fn main() -> ! {
    let mut frame = [0u8; FRAME_LEN];
    loop {
        let values: [i16; CHANNELS] = opaque([0; CHANNELS]);
        if let Ok(n) = emit_data(&values, DOCUMENTED_MAX_CHANNELS, &mut frame) {
            sink(&frame[..n]);
        }
    }
}
