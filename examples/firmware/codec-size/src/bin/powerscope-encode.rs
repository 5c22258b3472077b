//! PowerScope device (revision 1): one STREAM frame with an INA219 sample (25 bytes).
//!
//! Stack buffers: `frame` 64 B.
#![no_std]
#![no_main]

use codec_size::{opaque, sink};
use cortex_m_rt::entry;
use panic_halt as _;
use serial_dialects::powerscope::{Ina219Sample, Message, SensorPacket, Stream};

/// The largest revision-1 frame (16-byte header, 46-byte payload, CRC).
const FRAME_LEN: usize = 64;

#[entry]
fn main() -> ! {
    let mut frame = [0u8; FRAME_LEN];
    let mut seq = 0u32;
    loop {
        seq = seq.wrapping_add(1);
        let sample = Ina219Sample { runtime_id: 1, bus_mv: opaque(12_012), current_ua: opaque(22_300) };
        let stream = Stream::new(seq, opaque(0), SensorPacket::Ina219(sample));
        if let Ok(n) = Message::Stream(stream).emit(&mut frame) {
            sink(&frame[..n]);
        }
    }
}
