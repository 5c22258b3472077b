//! Round trips for every message type (message → bytes → message), encoder errors, and
//! decoding arbitrary bytes.

use crate::common;

use proptest::prelude::*;
use serial_dialects::pmu30::{
    ChannelAck, ChannelState, Config, ConfigAck, ConfigChunk, CrcCoverage, DEFAULT_MAX_PAYLOAD, DeviceError,
    FaultFlags, Frame, InfoResp, Message, MsgType, Pmu30, SetChannel, SubscribeTelemetry, Success, TelemetryPacket,
};
use serial_dialects::{Dialect, EncodeError, SliceDecoder};

const COVERAGES: [CrcCoverage; 2] = [CrcCoverage::MsgIdPayload, CrcCoverage::LengthMsgIdPayload];

fn config(crc_coverage: CrcCoverage) -> Config {
    Config { crc_coverage, ..Config::default() }
}

/// Emits `msg` under both CRC rules, decodes the bytes as a stream, and checks that exactly
/// one frame covering every byte comes back, equal to `msg`.
fn round_trip(msg: &Message<'_>) {
    for coverage in COVERAGES {
        let cfg = config(coverage);
        let mut buf = vec![0u8; msg.buffer_len()];
        let n = msg.emit_with(&mut buf, cfg.crc_coverage, cfg.max_payload).expect("in-range message encodes");
        assert_eq!(n, msg.buffer_len());
        let events: Vec<_> = SliceDecoder::new(Pmu30::new(cfg), &buf).collect();
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!((events[0].offset, events[0].len), (0, n));
        assert_eq!(events[0].frame(), Some(msg));
        let frame = Frame::new_checked_with(&buf[..], coverage).unwrap();
        assert_eq!(frame.msg_id(), msg.msg_type().id());
        assert_eq!(Message::parse(&frame).as_ref(), Ok(msg));
    }
}

fn edge_u16() -> impl Strategy<Value = u16> {
    prop_oneof![Just(0u16), Just(1), Just(0xAA), Just(0xAAAA), Just(u16::MAX - 1), Just(u16::MAX), any::<u16>()]
}

fn edge_u8() -> impl Strategy<Value = u8> {
    prop_oneof![Just(0u8), Just(1), Just(0xAA), Just(u8::MAX), any::<u8>()]
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 0..=64.min(max)),
        1 => Just(vec![0xAA; max]),
        1 => Just(Vec::new()),
        1 => prop::collection::vec(prop_oneof![Just(0xAAu8), Just(0), any::<u8>()], max..=max),
    ]
}

fn telemetry() -> impl Strategy<Value = TelemetryPacket> {
    (
        prop_oneof![Just(0u32), Just(u32::MAX), any::<u32>()],
        prop::collection::vec(edge_u8(), 30),
        prop::collection::vec(edge_u16(), 8),
        prop::collection::vec(edge_u16(), 30),
        edge_u16(),
        prop_oneof![Just(i8::MIN), Just(-1i8), Just(0), Just(i8::MAX), any::<i8>()],
        prop_oneof![Just(0u32), Just(u32::MAX), Just(0x000F_3FFF), any::<u32>()],
        edge_u16(),
    )
        .prop_map(
            |(timestamp_ms, states, analog_values, output_currents, input_voltage, temperature, flags, crc)| {
                TelemetryPacket {
                    timestamp_ms,
                    channel_states: std::array::from_fn(|i| ChannelState::from_u8(states[i])),
                    analog_values: analog_values.try_into().unwrap(),
                    output_currents: output_currents.try_into().unwrap(),
                    input_voltage,
                    temperature,
                    fault_flags: FaultFlags::from_bits_retain(flags),
                    crc,
                }
            },
        )
}

fn channel_value() -> impl Strategy<Value = f32> {
    prop_oneof![Just(0.0f32), Just(-0.0f32), Just(100.0f32), Just(f32::MIN_POSITIVE), Just(33.3f32), 0.0f32..=100.0f32]
}

#[test]
fn empty_messages_round_trip() {
    for msg in [
        Message::Ping {},
        Message::Pong {},
        Message::GetInfo {},
        Message::GetConfig {},
        Message::UnsubscribeTelemetry {},
    ] {
        assert_eq!(msg.buffer_len(), 6);
        round_trip(&msg);
    }
}

proptest! {
    #[test]
    fn info_resp_round_trips(
        fw in prop::array::uniform3(edge_u8()),
        hw in edge_u8(),
        serial in prop::array::uniform16(prop_oneof![Just(0u8), any::<u8>()]),
        name in prop::array::uniform32(prop_oneof![Just(0u8), any::<u8>()]),
    ) {
        round_trip(&Message::InfoResp(InfoResp { firmware_version: fw, hw_revision: hw, serial_number: serial, device_name: name }));
    }

    #[test]
    fn info_resp_text_reads_back(serial in "[ -~]{0,16}", name in "\\PC{0,8}") {
        prop_assume!(name.len() <= 32);
        let info = InfoResp::new([1, 2, 3], 4, &serial, &name).unwrap();
        prop_assert_eq!(info.serial_number(), serial.as_bytes());
        prop_assert_eq!(info.device_name(), name.as_bytes());
        round_trip(&Message::InfoResp(info));
    }

    #[test]
    fn config_chunks_round_trip(index in edge_u16(), total in edge_u16(), data in bytes(4092), set in any::<bool>()) {
        let chunk = ConfigChunk { chunk_index: index, total_chunks: total, data: &data };
        round_trip(&if set { Message::SetConfig(chunk) } else { Message::ConfigData(chunk) });
    }

    #[test]
    fn config_ack_round_trips(success in edge_u8(), error_code in edge_u16()) {
        round_trip(&Message::ConfigAck(ConfigAck { success: Success(success), error_code }));
    }

    #[test]
    fn set_channel_round_trips(channel_id in prop_oneof![Just(0u16), Just(29), 0u16..=29], value in channel_value()) {
        round_trip(&Message::SetChannel(SetChannel { channel_id, value }));
    }

    #[test]
    fn channel_ack_round_trips(success in edge_u8(), channel_id in edge_u16()) {
        round_trip(&Message::ChannelAck(ChannelAck { success: Success(success), channel_id }));
    }

    #[test]
    fn subscribe_round_trips(rate_hz in prop_oneof![Just(1u16), Just(100), 1u16..=100]) {
        round_trip(&Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz }));
    }

    #[test]
    fn telemetry_round_trips(t in telemetry()) {
        round_trip(&Message::TelemetryData(t));
    }

    #[test]
    fn error_round_trips(error_code in edge_u16(), message in bytes(255)) {
        round_trip(&Message::Error(DeviceError { error_code, message: &message }));
    }

    /// Out-of-range values decode as sent and re-encode verbatim (bit for bit, NaN too).
    #[test]
    fn out_of_range_set_channel_re_encodes_verbatim(channel_id in any::<u16>(), bits in any::<u32>()) {
        let msg = Message::SetChannel(SetChannel { channel_id, value: f32::from_bits(bits) });
        let mut buf = [0u8; 12];
        let n = msg.emit_verbatim(&mut buf, CrcCoverage::default(), DEFAULT_MAX_PAYLOAD).unwrap();
        let back = Pmu30::default().decode(&buf[..n]).unwrap();
        match back {
            Message::SetChannel(s) => {
                prop_assert_eq!(s.channel_id, channel_id);
                prop_assert_eq!(s.value.to_bits(), bits);
            }
            other => prop_assert!(false, "{:?}", other),
        }
        let in_range = channel_id <= 29 && (0.0..=100.0).contains(&f32::from_bits(bits));
        prop_assert_eq!(msg.validate().is_ok(), in_range);
        prop_assert_eq!(msg.emit(&mut buf).is_ok(), in_range);
    }

    /// Arbitrary bytes (rich in 0xAA) never panic, always tile, and every frame decoded
    /// passes its CRC and re-encodes to exactly its bytes.
    #[test]
    fn arbitrary_bytes_never_panic_and_tile(
        input in prop::collection::vec(prop_oneof![3 => any::<u8>(), 2 => Just(0xAAu8), 2 => Just(0u8)], 0..700),
        max_payload in prop_oneof![Just(0usize), Just(3), Just(119), Just(4096)],
        with_length in any::<bool>(),
    ) {
        let coverage = if with_length { CrcCoverage::LengthMsgIdPayload } else { CrcCoverage::MsgIdPayload };
        let cfg = Config { max_payload, crc_coverage: coverage };
        let mut at = 0usize;
        for e in SliceDecoder::new(Pmu30::new(cfg), &input) {
            prop_assert_eq!(e.offset as usize, at);
            prop_assert!(e.len >= 1);
            let bytes = &input[at..at + e.len];
            if let Some(msg) = e.frame() {
                let frame = Frame::new_checked_with(bytes, coverage).unwrap();
                prop_assert_eq!(frame.frame_len(), bytes.len());
                prop_assert!(usize::from(frame.length()) <= max_payload);
                let mut out = vec![0u8; msg.buffer_len()];
                let n = msg.emit_verbatim(&mut out, cfg.crc_coverage, cfg.max_payload).unwrap();
                prop_assert_eq!(&out[..n], bytes);
            }
            at += e.len;
        }
        prop_assert_eq!(at, input.len());
        let summaries = common::decode_slice(Pmu30::new(cfg), &input);
        prop_assert_eq!(common::decode_chunked(Pmu30::new(cfg), &input, &[1, 7, 3, 64]), summaries);
    }

    /// The typed layer alone never panics on any MSG_ID and payload.
    #[test]
    fn parse_payload_never_panics(msg_id in any::<u8>(), payload in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(msg) = Message::parse_payload(msg_id, &payload) {
            prop_assert_eq!(msg.msg_type().id(), msg_id);
            prop_assert_eq!(msg.payload_len(), payload.len());
        }
        let _ = Frame::new_checked(&payload[..]);
        // `decode` is public: any bytes, framed or not, give a frame or an error.
        let mut framed = vec![0xAA];
        framed.extend_from_slice(&payload);
        for bytes in [&payload[..], &framed[..]] {
            if let Ok(msg) = Pmu30::default().decode(bytes) {
                prop_assert!(Frame::new_checked(bytes).is_ok());
                prop_assert!(msg.buffer_len() <= bytes.len());
            }
        }
    }
}

fn emit_err(msg: Message<'_>) -> EncodeError {
    let mut buf = [0u8; 8192];
    let err = msg.emit(&mut buf).unwrap_err();
    assert_eq!(msg.validate(), Err(err));
    err
}

#[test]
fn encoder_refuses_out_of_range_fields() {
    let field = |f: &'static str| EncodeError::OutOfRange { field: f };
    for channel_id in [30, 31, 0xAA, u16::MAX] {
        assert_eq!(emit_err(Message::SetChannel(SetChannel { channel_id, value: 1.0 })), field("channel_id"));
    }
    for value in [-0.001f32, 100.0f32.next_up(), 150.0, f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -f32::MAX] {
        assert_eq!(emit_err(Message::SetChannel(SetChannel { channel_id: 0, value })), field("value"));
    }
    for rate_hz in [0, 101, u16::MAX] {
        assert_eq!(emit_err(Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz })), field("rate_hz"));
    }
    let long = [b'x'; 256];
    assert_eq!(
        emit_err(Message::Error(DeviceError { error_code: 1, message: &long })),
        EncodeError::TooLong { field: "message", len: 256, max: 255 }
    );
    let data = [0u8; 4093];
    for msg in [
        Message::SetConfig(ConfigChunk { chunk_index: 0, total_chunks: 1, data: &data }),
        Message::ConfigData(ConfigChunk { chunk_index: 0, total_chunks: 1, data: &data }),
    ] {
        assert_eq!(emit_err(msg), EncodeError::TooLong { field: "data", len: 4093, max: 4092 });
    }
    // A smaller configured maximum payload lowers the limit, and frames over it are refused.
    let small = Config { max_payload: 100, ..Config::default() };
    let msg = Message::SetConfig(ConfigChunk { chunk_index: 0, total_chunks: 1, data: &data[..97] });
    assert_eq!(msg.validate_with(small.max_payload), Err(EncodeError::TooLong { field: "data", len: 97, max: 96 }));
    let t = Message::TelemetryData(TelemetryPacket::default());
    assert_eq!(
        t.emit_with(&mut [0u8; 200], small.crc_coverage, small.max_payload),
        Err(EncodeError::TooLong { field: "PAYLOAD", len: 119, max: 100 })
    );
    // Text that does not fit its INFO_RESP field, or holds a NUL.
    assert_eq!(
        InfoResp::new([1, 0, 0], 1, "0123456789abcdefX", "n"),
        Err(EncodeError::TooLong { field: "serial_number", len: 17, max: 16 })
    );
    assert_eq!(
        InfoResp::new([1, 0, 0], 1, "s", &"n".repeat(33)),
        Err(EncodeError::TooLong { field: "device_name", len: 33, max: 32 })
    );
    assert_eq!(InfoResp::new([1, 0, 0], 1, "a\0b", "n"), Err(EncodeError::InvalidByte { field: "serial_number" }));
    // A field exactly full needs no NUL and reads back whole.
    let full = InfoResp::new([1, 0, 0], 1, "0123456789abcdef", &"N".repeat(32)).unwrap();
    assert_eq!(full.serial_number(), b"0123456789abcdef");
    assert_eq!(full.device_name().len(), 32);
}

#[test]
fn encoder_refuses_too_small_buffers_for_every_type() {
    let data = [7u8; 10];
    let msgs = [
        Message::Ping {},
        Message::InfoResp(InfoResp::new([1, 0, 0], 2, "s", "n").unwrap()),
        Message::SetConfig(ConfigChunk { chunk_index: 0, total_chunks: 1, data: &data }),
        Message::ConfigAck(ConfigAck { success: Success::OK, error_code: 0 }),
        Message::SetChannel(SetChannel { channel_id: 1, value: 1.0 }),
        Message::ChannelAck(ChannelAck { success: Success::FAILED, channel_id: 1 }),
        Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz: 50 }),
        Message::TelemetryData(TelemetryPacket::default()),
        Message::Error(DeviceError { error_code: 2, message: b"CRC mismatch" }),
    ];
    for msg in msgs {
        let needed = msg.buffer_len();
        let mut buf = vec![0xEEu8; needed];
        for available in 0..needed {
            assert_eq!(msg.emit(&mut buf[..available]), Err(EncodeError::BufferTooSmall { needed, available }));
        }
        assert_eq!(msg.emit(&mut buf), Ok(needed));
        // A larger buffer is fine, and nothing past the frame is written.
        let mut big = vec![0xEEu8; needed + 3];
        assert_eq!(msg.emit(&mut big), Ok(needed));
        assert_eq!(&big[..needed], &buf[..]);
        assert_eq!(&big[needed..], &[0xEE; 3]);
    }
}

#[test]
fn msg_type_table_is_exactly_the_documented_one() {
    // Guards the list of round-trip tests against a type added to the table without one.
    let covered = [0x01, 0x02, 0x10, 0x11, 0x20, 0x21, 0x22, 0x23, 0x30, 0x31, 0x40, 0x41, 0x42, 0xF0];
    let ids: Vec<u8> = MsgType::ALL.iter().map(|t| t.id()).collect();
    assert_eq!(ids, covered);
    for id in 0..=255u8 {
        assert_eq!(MsgType::from_id(id).is_some(), covered.contains(&id));
        if let Some(t) = MsgType::from_id(id) {
            assert_eq!(t.id(), id);
        }
    }
}
