//! BH1750 light meter device: the DOWNLOAD reply (`&STMPC_ID004LLLLCC*`, 4 lux digits).
//!
//! Stack buffers: `frame` 19 B; the library assembles DATA in a 256 B buffer.
#![no_std]
#![no_main]

use codec_size::{opaque, sink};
use cortex_m_rt::entry;
use panic_halt as _;
use serial_dialects::ascii_crc8::{OVERHEAD, encode_lux_reply};

/// Framing + 4 digits of DATA.
const FRAME_LEN: usize = OVERHEAD + 4;

#[entry]
fn main() -> ! {
    let mut frame = [0u8; FRAME_LEN];
    let mut id = 0u8;
    loop {
        id = (id + 1) % 100;
        if let Ok(n) = encode_lux_reply(&mut frame, id, opaque(2600)) {
            sink(&frame[..n]);
        }
    }
}
