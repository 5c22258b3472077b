//! VectorDebug bridge: batch 20 SPI records into one DBG_FRAME1 packet, then CRC-16, COBS
//! and the 0x00 delimiter into the USB buffer.
//!
//! Stack buffers: `packet_buf` 287 B, `usb` 290 B.
#![no_std]
#![no_main]

use codec_size::{opaque, sink};
use cortex_m_rt::entry;
use panic_halt as _;
use serial_dialects::vectordebug::{PacketBuilder, Record};

const RECORDS: usize = 20;
/// type + len + records + CRC.
const PACKET_LEN: usize = 5 + RECORDS * Record::SIZE + 2;
/// COBS adds one byte per started 254-byte block, then the delimiter.
const WIRE_LEN: usize = PACKET_LEN + PACKET_LEN / 254 + 2;

#[entry]
fn main() -> ! {
    let mut packet_buf = [0u8; PACKET_LEN];
    let mut usb = [0u8; WIRE_LEN];
    let mut seq = 0u16;
    loop {
        let Ok(mut packet) = PacketBuilder::dbg_frame1(&mut packet_buf) else { continue };
        for _ in 0..RECORDS {
            seq = seq.wrapping_add(1);
            let record = Record { seq, payload: opaque([0; 6]) };
            if packet.push_record(&record).is_err() {
                break;
            }
        }
        if let Ok(n) = packet.finish().emit_wire(&mut usb) {
            sink(&usb[..n]);
        }
    }
}
