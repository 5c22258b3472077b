//! PMU-30 device side: one TELEMETRY_DATA frame (119-byte payload, 125 bytes on the wire)
//! into a stack buffer, the message the module streams most.
//!
//! Stack buffers: `frame` 125 B, the `TelemetryPacket` value.
#![no_std]
#![no_main]

use codec_size::{opaque, sink};
use cortex_m_rt::entry;
use panic_halt as _;
use serial_dialects::pmu30::{ChannelState, FaultFlags, Message, TELEMETRY_LEN, TelemetryPacket};

/// START + LENGTH + MSG_ID + payload + CRC.
const FRAME_LEN: usize = 4 + TELEMETRY_LEN + 2;

#[entry]
fn main() -> ! {
    let mut frame = [0u8; FRAME_LEN];
    let mut timestamp_ms = 0u32;
    loop {
        timestamp_ms = timestamp_ms.wrapping_add(opaque(20));
        let telemetry = TelemetryPacket {
            timestamp_ms,
            channel_states: [ChannelState::from_u8(opaque(1)); 30],
            analog_values: opaque([0; 8]),
            output_currents: opaque([0; 30]),
            input_voltage: opaque(13_800),
            temperature: opaque(41),
            fault_flags: FaultFlags::from_bits_retain(opaque(0)),
            crc: 0,
        };
        if let Ok(n) = Message::TelemetryData(telemetry).emit(&mut frame) {
            sink(&frame[..n]);
        }
    }
}
