//! Typed message → bytes → typed message for every message type, with the extremes of every
//! field; encoder errors; arbitrary bytes never panic and always tile.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serial_dialects::powerscope::frame::{self, Frame};
use serial_dialects::powerscope::{
    Ack, CMD_NONE, Cmd, Command, Config, ErrorCode, Header, HeaderRepr, Ina219Sample, MAX_SENSORS, Message, Nack,
    PERIOD_MS_MAX, PERIOD_MS_MIN, PowerScope, Reply, Revision, SensorList, SensorPacket, Stream, r0,
};
use serial_dialects::{EncodeError, SliceDecoder};

use crate::common;

fn u8s() -> impl Strategy<Value = u8> {
    prop_oneof![Just(0u8), Just(1), Just(0x7F), Just(0xA5), Just(0xFF), any::<u8>()]
}

fn u16s() -> impl Strategy<Value = u16> {
    prop_oneof![Just(0u16), Just(1), Just(0x5AA5), Just(u16::MAX), any::<u16>()]
}

fn u32s() -> impl Strategy<Value = u32> {
    prop_oneof![Just(0u32), Just(1), Just(1 << 31), Just(0x5AA5_A55A), Just(u32::MAX), any::<u32>()]
}

fn i32s() -> impl Strategy<Value = i32> {
    prop_oneof![Just(0i32), Just(-1), Just(i32::MIN), Just(i32::MAX), any::<i32>()]
}

fn samples() -> impl Strategy<Value = Ina219Sample> {
    (u8s(), u16s(), i32s()).prop_map(|(runtime_id, bus_mv, current_ua)| Ina219Sample { runtime_id, bus_mv, current_ua })
}

/// Raw sample bytes: every length 0..=45 except 6 (that is an INA219 sample).
fn raw_samples() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![Just(vec![]), prop::collection::vec(u8s(), 45), prop::collection::vec(u8s(), 0..=45)]
        .prop_filter("6 sample bytes are an INA219 sample", |v| v.len() != 6)
}

fn periods() -> impl Strategy<Value = u16> {
    prop_oneof![Just(PERIOD_MS_MIN), Just(PERIOD_MS_MAX), PERIOD_MS_MIN..=PERIOD_MS_MAX]
}

fn commands() -> impl Strategy<Value = Command> {
    prop_oneof![
        u8s().prop_map(|sensor| Command::StartStream { sensor }),
        u8s().prop_map(|sensor| Command::StopStream { sensor }),
        (u8s(), periods()).prop_map(|(sensor, period_ms)| Command::SetPeriod { sensor, period_ms }),
        u8s().prop_map(|sensor| Command::GetPeriod { sensor }),
        Just(Command::Ping),
        Just(Command::GetSensors),
        u8s().prop_map(|sensor| Command::ReadSensor { sensor }),
        Just(Command::GetUptime),
        Just(Command::GetBoardUid),
    ]
}

/// Every byte value, and the names the firmware defines.
fn error_codes() -> impl Strategy<Value = ErrorCode> {
    prop_oneof![
        (1u8..=6).prop_map(ErrorCode::from_u8),
        Just(ErrorCode::from_u8(255)),
        any::<u8>().prop_map(ErrorCode::from_u8)
    ]
}

/// Emits `msg`, checks the length, decodes it back (alone and through the stream decoder)
/// and checks that a short buffer is refused.
fn roundtrip(msg: Message<'_>) {
    let mut buf = [0u8; 600];
    let n = msg.emit(&mut buf).expect("emit");
    assert_eq!(n, msg.buffer_len());
    let bytes = &buf[..n];
    assert_eq!(Message::from_bytes(bytes, msg.revision()), Ok(msg), "bytes {bytes:02x?}");
    let events: Vec<_> = SliceDecoder::new(PowerScope::new(Config { revision: msg.revision() }), bytes).collect();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].frame(), Some(&msg));
    assert_eq!(events[0].len, n);
    let mut short = [0u8; 600];
    for available in [0, n / 2, n - 1] {
        assert_eq!(msg.emit(&mut short[..available]), Err(EncodeError::BufferTooSmall { needed: n, available }));
    }
}

proptest! {
    // Failures are kept beside this file, in `roundtrip.proptest-regressions`. The default
    // (`SourceParallel`) would find `main.rs` in this directory and use
    // `tests/proptest-regressions/roundtrip.txt`, a name every dialect's tests share.
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn r1_stream_ina219(seq in u32s(), ts in u32s(), cmd_id in u8s(), reserved in u8s(), sample in samples()) {
        let stream = Stream { seq, ts_ms: ts, cmd_id, reserved, packet: SensorPacket::Ina219(sample), gap: 0 };
        roundtrip(Message::Stream(stream));
        let s = Stream::new(seq, ts, SensorPacket::Ina219(sample));
        prop_assert_eq!(s.cmd_id, CMD_NONE);
        roundtrip(Message::Stream(s));
    }

    #[test]
    fn r1_stream_raw_packet(seq in u32s(), ts in u32s(), runtime_id in u8s(), sample in raw_samples()) {
        let packet = SensorPacket::Raw { runtime_id, sample: &sample };
        roundtrip(Message::Stream(Stream::new(seq, ts, packet)));
    }

    #[test]
    fn r1_cmd(seq in u32s(), ts in u32s(), reserved in u8s(), command in commands()) {
        roundtrip(Message::Cmd(Cmd { seq, ts_ms: ts, reserved, command }));
    }

    #[test]
    fn r1_ack_without_data(seq in u32s(), ts in u32s(), reserved in u8s(), which in 0usize..4) {
        let reply = [Reply::StartStream, Reply::StopStream, Reply::SetPeriod, Reply::Ping][which];
        roundtrip(Message::Ack(Ack { seq, ts_ms: ts, reserved, reply }));
    }

    #[test]
    fn r1_ack_words(seq in u32s(), ts in u32s(), word in u32s(), uid in prop::array::uniform12(u8s())) {
        for reply in [Reply::GetPeriod { period_ms: word }, Reply::GetUptime { uptime_ms: word }, Reply::GetBoardUid { uid }] {
            roundtrip(Message::Ack(Ack::new(seq, ts, reply)));
        }
    }

    #[test]
    fn r1_ack_get_sensors(seq in u32s(), ts in u32s(), entries in prop_oneof![Just(0usize), Just(MAX_SENSORS), 0..=MAX_SENSORS], fill in u8s()) {
        let bytes: Vec<u8> = (0..2 * entries).map(|i| fill.wrapping_add(i as u8)).collect();
        let list = SensorList::new(&bytes).unwrap();
        prop_assert_eq!(list.len(), entries);
        roundtrip(Message::Ack(Ack::new(seq, ts, Reply::GetSensors(list))));
    }

    #[test]
    fn r1_ack_read_sensor(seq in u32s(), ts in u32s(), sample in samples(), runtime_id in u8s(), raw in raw_samples()) {
        roundtrip(Message::Ack(Ack::new(seq, ts, Reply::ReadSensor(SensorPacket::Ina219(sample)))));
        let packet = SensorPacket::Raw { runtime_id, sample: &raw };
        roundtrip(Message::Ack(Ack::new(seq, ts, Reply::ReadSensor(packet))));
    }

    #[test]
    fn r1_nack(seq in u32s(), ts in u32s(), cmd_id in u8s(), reserved in u8s(), error in error_codes()) {
        roundtrip(Message::Nack(Nack { seq, ts_ms: ts, cmd_id, reserved, error }));
        prop_assert_eq!(ErrorCode::from_u8(error.code()), error);
    }

    #[test]
    fn r0_stream(seq in u32s(), ts in u32s(), reserved in u16s(),
                 payload in prop_oneof![prop::collection::vec(u8s(), 1), prop::collection::vec(u8s(), 512), prop::collection::vec(u8s(), 1..=512)]) {
        let stream = r0::Stream { seq, ts_ms: ts, reserved, payload: &payload, gap: 0 };
        roundtrip(Message::R0Stream(stream));
    }

    #[test]
    fn set_period_out_of_range_is_refused(sensor in u8s(), period_ms in prop_oneof![0..PERIOD_MS_MIN, (PERIOD_MS_MAX + 1)..=u16::MAX]) {
        let msg = Message::Cmd(Cmd::new(1, 2, Command::SetPeriod { sensor, period_ms }));
        let mut buf = [0u8; 64];
        prop_assert_eq!(msg.emit(&mut buf), Err(EncodeError::OutOfRange { field: "period_ms" }));
        // The decoder is lenient: the same bytes built by hand decode as received.
        let mut payload = [sensor, 0, 0];
        payload[1..].copy_from_slice(&period_ms.to_le_bytes());
        let header = HeaderRepr { frame_type: 1, cmd_id: 3, seq: 1, ts_ms: 2, ..Default::default() };
        let n = frame::emit(&mut buf, Revision::R1, &header, &payload).unwrap();
        let decoded = Message::from_bytes(&buf[..n], Revision::R1).unwrap();
        prop_assert_eq!(decoded, msg);
        prop_assert!(decoded.validate().is_err());
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_tile(
        bytes in prop::collection::vec(prop_oneof![any::<u8>(), Just(0xA5u8), Just(0x5A), Just(0), Just(1), Just(2), Just(0xFF)], 0..1500),
    ) {
        for make in [PowerScope::r0 as fn() -> PowerScope, PowerScope::r1] {
            let events = common::decode_slice(make(), &bytes);
            common::assert_tiles(&events, bytes.len());
            prop_assert_eq!(common::decode_chunked(make(), &bytes, &[1, 7, 64, 3]), events);
        }
        for revision in [Revision::R0, Revision::R1] {
            let _ = Message::from_bytes(&bytes, revision);
            let _ = Frame::new_checked(&bytes[..], revision).map(|f| (f.payload().len(), f.crc(), f.header_repr()));
        }
        let _ = Header::new_checked(&bytes[..]).map(|h| HeaderRepr::parse(&h));
    }

    #[test]
    fn valid_headers_with_arbitrary_payloads_never_panic(
        frame_type in 0u8..=3, cmd_id in prop_oneof![0u8..12, Just(0xFF), any::<u8>()], payload in prop::collection::vec(any::<u8>(), 0..=46),
    ) {
        // A checksum-valid frame of every type and command with every payload size: decodes
        // or is rejected whole, never panics, and what decodes re-encodes exactly (verbatim:
        // the decoder accepts values a sender must not use, e.g. a SET_PERIOD of 10240 ms).
        let mut buf = [0u8; 64];
        let header = HeaderRepr { frame_type, cmd_id, ..Default::default() };
        let n = frame::emit(&mut buf, Revision::R1, &header, &payload).unwrap();
        let events: Vec<_> = SliceDecoder::new(PowerScope::r1(), &buf[..n]).collect();
        prop_assert_eq!(events.len(), 1);
        if let Some(msg) = events[0].frame() {
            let mut again = [0u8; 64];
            let m = msg.emit_verbatim(&mut again).unwrap();
            prop_assert_eq!(&again[..m], &buf[..n]);
        } else {
            prop_assert_eq!(events[0].len, n, "a payload error rejects the whole frame");
        }
    }
}

#[test]
fn r0_commands_roundtrip() {
    for command in [r0::Command::Start, r0::Command::Stop] {
        roundtrip(Message::R0Command(command));
        assert_eq!(r0::Command::from_byte(command.byte()), Some(command));
    }
    assert_eq!(
        Message::from_bytes(&[0x05], Revision::R0),
        Err(serial_dialects::powerscope::Error::UnknownCommandByte { byte: 5 })
    );
}

#[test]
fn encoder_refuses_out_of_range_fields() {
    let mut buf = [0u8; 600];
    let empty = Message::R0Stream(r0::Stream::new(0, 0, &[]));
    assert_eq!(empty.emit(&mut buf), Err(EncodeError::OutOfRange { field: "len" }));
    let big = [0u8; 513];
    assert_eq!(
        Message::R0Stream(r0::Stream::new(0, 0, &big)).emit(&mut buf),
        Err(EncodeError::TooLong { field: "payload", len: 513, max: 512 })
    );
    assert_eq!(Message::R0Stream(r0::Stream::new(0, 0, &big[..512])).emit(&mut buf), Ok(528));

    let raw = [0u8; 46];
    let too_long = SensorPacket::Raw { runtime_id: 1, sample: &raw };
    let stream = Message::Stream(Stream::new(0, 0, too_long));
    assert_eq!(stream.emit(&mut buf), Err(EncodeError::TooLong { field: "sample", len: 46, max: 45 }));
    let ambiguous = SensorPacket::Raw { runtime_id: 1, sample: &raw[..6] };
    let ack = Message::Ack(Ack::new(0, 0, Reply::ReadSensor(ambiguous)));
    assert_eq!(ack.emit(&mut buf), Err(EncodeError::OutOfRange { field: "sample" }));
    assert_eq!(SensorList::new(&raw[..3]), None, "odd length");
    assert_eq!(SensorList::new(&[0u8; 48]), None, "24 entries");

    let header = HeaderRepr { frame_type: 4, ..Default::default() };
    assert_eq!(frame::emit(&mut buf, Revision::R1, &header, &[]), Err(EncodeError::OutOfRange { field: "type" }));
    let header = HeaderRepr { frame_type: 1, ..Default::default() };
    assert_eq!(frame::emit(&mut buf, Revision::R0, &header, &[1]), Err(EncodeError::OutOfRange { field: "type" }));
    let header = HeaderRepr { ver: 1, ..Default::default() };
    assert_eq!(frame::emit(&mut buf, Revision::R1, &header, &[1]), Err(EncodeError::OutOfRange { field: "ver" }));
    assert_eq!(
        frame::emit(&mut buf, Revision::R1, &HeaderRepr::default(), &[0; 47]),
        Err(EncodeError::TooLong { field: "payload", len: 47, max: 46 })
    );
    assert_eq!(
        frame::emit(&mut buf, Revision::R0, &HeaderRepr::default(), &[]),
        Err(EncodeError::OutOfRange { field: "len" })
    );
    assert_eq!(
        frame::emit(&mut buf[..17], Revision::R1, &HeaderRepr::default(), &[]),
        Err(EncodeError::BufferTooSmall { needed: 18, available: 17 })
    );
}

#[test]
fn frame_view_getters_and_setters() {
    let mut buf = [0u8; 64];
    let header = HeaderRepr { frame_type: 2, ver: 0, len: 99, cmd_id: 8, reserved: 0, seq: 12, ts_ms: 250 };
    let n = frame::emit(&mut buf, Revision::R1, &header, &250u32.to_le_bytes()).unwrap();
    assert_eq!(n, 22);
    let view = Frame::new_checked(&buf[..n], Revision::R1).unwrap();
    assert_eq!(view.header_repr(), HeaderRepr { len: 4, ..header });
    assert_eq!(view.payload(), &[0xFA, 0, 0, 0]);
    assert_eq!(view.crc(), view.computed_crc());
    assert_eq!(view.as_bytes().len(), 22);
    // The ACK GET_UPTIME of the real capture has this CRC.
    assert_eq!(view.crc(), Some(49667));

    let mut view = Frame::new_unchecked(&mut buf[..n], Revision::R1);
    view.header_mut().set_seq(13);
    assert!(matches!(
        Frame::new_checked(view.as_bytes(), Revision::R1),
        Err(serial_dialects::powerscope::Error::CrcMismatch { .. })
    ));
    view.fill_checksum();
    let view = Frame::new_checked(&buf[..n], Revision::R1).unwrap();
    assert_eq!(view.header().seq(), 13);
    assert!(matches!(
        Frame::new_checked(&buf[..n - 1], Revision::R1),
        Err(serial_dialects::powerscope::Error::Truncated { frame_len: Some(22), available: 21 })
    ));
}

/// Found by the property above: a CMD SET_PERIOD of 10240 ms (payload `00 00 28`) decodes
/// (the device is the one to refuse it), `emit` refuses it as out of range, and
/// `emit_verbatim` writes the received bytes back.
#[test]
fn out_of_range_set_period_decodes_and_reencodes_verbatim() {
    let mut buf = [0u8; 64];
    let header = HeaderRepr { frame_type: 1, cmd_id: 3, ..Default::default() };
    let n = frame::emit(&mut buf, Revision::R1, &header, &[0, 0, 40]).unwrap();
    let events: Vec<_> = SliceDecoder::new(PowerScope::r1(), &buf[..n]).collect();
    assert_eq!(events.len(), 1);
    let msg = events[0].frame().expect("a SET_PERIOD of 10240 ms decodes");
    let Message::Cmd(cmd) = msg else { panic!("not a command: {msg:?}") };
    assert_eq!(cmd.command, Command::SetPeriod { sensor: 0, period_ms: 10240 });
    let mut again = [0u8; 64];
    assert!(matches!(msg.emit(&mut again), Err(EncodeError::OutOfRange { .. })));
    let m = msg.emit_verbatim(&mut again).unwrap();
    assert_eq!(&again[..m], &buf[..n]);
}
