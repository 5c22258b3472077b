//! pmu30 frames for tests: the encoder's frames, hand-built frames (any MSG_ID and payload,
//! for what the encoder refuses to write) and a sample of every message type.

use serial_dialects::buf::{Sink, SliceWriter};
use serial_dialects::pmu30::frame::emit_frame;
use serial_dialects::pmu30::{
    ChannelAck, ChannelState, Config, ConfigAck, ConfigChunk, CrcCoverage, DeviceError, FaultFlags, InfoResp, Message,
    Pmu30, SetChannel, SubscribeTelemetry, Success, TelemetryPacket,
};
use serial_dialects::{ErrorKind, SliceDecoder};

/// An event's offset, length and error kind.
pub type Short = (u64, usize, Option<ErrorKind>);

/// The events of `input` decoded as one slice under `cfg`, shortened.
pub fn shape(cfg: Config, input: &[u8]) -> Vec<Short> {
    SliceDecoder::new(Pmu30::new(cfg), input).map(|e| (e.offset, e.len, e.error_kind())).collect()
}

/// `msg` as the encoder writes it under `cfg` (`emit_verbatim`: out-of-range values too).
pub fn enc(msg: &Message<'_>, cfg: &Config) -> Vec<u8> {
    let mut buf = vec![0u8; msg.buffer_len()];
    let n = msg.emit_verbatim(&mut buf, cfg.crc_coverage, cfg.max_payload).unwrap();
    buf.truncate(n);
    buf
}

/// A raw frame with any MSG_ID and payload (valid CRC under `coverage`).
pub fn raw(msg_id: u8, payload: &[u8], coverage: CrcCoverage) -> Vec<u8> {
    let mut buf = vec![0u8; payload.len() + 6];
    let n = emit_frame(&mut buf, msg_id, payload.len(), 65535, coverage, |p| SliceWriter::new(p).put(payload)).unwrap();
    buf.truncate(n);
    buf
}

/// PING under the default CRC rule.
pub fn ping() -> Vec<u8> {
    vec![0xAA, 0, 0, 0x01, 0xD1, 0xF1]
}

/// PONG under the default CRC rule.
pub fn pong() -> Vec<u8> {
    vec![0xAA, 0, 0, 0x02, 0xB2, 0xC1]
}

/// Telemetry packet `i` of a varied series (unknown states and fault bits, some inner CRCs left 0).
pub fn telemetry(i: u32) -> TelemetryPacket {
    let mut t = TelemetryPacket {
        timestamp_ms: 123_456 + 20 * i,
        input_voltage: 13_800,
        temperature: (i % 60) as i8 - 12,
        ..TelemetryPacket::default()
    };
    t.channel_states[0] = ChannelState::On;
    t.channel_states[(i % 30) as usize] = ChannelState::from_u8((i % 10) as u8);
    t.analog_values[6] = 0x00AA;
    t.analog_values[7] = 0xAAAA;
    t.output_currents[1] = (i * 37) as u16;
    if i % 7 == 0 {
        t.fault_flags = FaultFlags::CHANNEL_FAULT_9_16 | FaultFlags::from_bits_retain(1 << 30);
    }
    if i % 10 != 9 {
        t.fill_inner_crc();
    }
    t
}

/// Frames of every type, some with 0xAA bytes inside.
pub fn sample_frames(cfg: &Config, count: usize) -> Vec<Vec<u8>> {
    let info = InfoResp::new([1, 0, 0], 2, "PMU30-0001A2B3", "PMU-30 Race Car").unwrap();
    let config_json = br#"{"outputs": [{"id": 0, "name": "OUT01"}], "pad": "\xaa"}"#;
    (0..count)
        .map(|i| {
            let t = telemetry(i as u32);
            let msg = match i % 12 {
                0 => Message::Ping {},
                1 => Message::Pong {},
                2 => Message::GetInfo {},
                3 => Message::InfoResp(info),
                4 => Message::SetConfig(ConfigChunk { chunk_index: i as u16, total_chunks: 0xAA, data: config_json }),
                5 => Message::ConfigAck(ConfigAck { success: Success((i % 3) as u8), error_code: 0x20 }),
                6 => Message::SetChannel(SetChannel { channel_id: (i % 30) as u16, value: 33.3 }),
                7 => Message::ChannelAck(ChannelAck { success: Success::from(i % 2 == 0), channel_id: 0xAA }),
                8 => Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz: 50 }),
                9 => Message::Error(DeviceError { error_code: 0xFF, message: "température 85°C".as_bytes() }),
                10 => Message::UnsubscribeTelemetry {},
                _ => Message::TelemetryData(t),
            };
            enc(&msg, cfg)
        })
        .collect()
}
