//! Each wire rule and decision of `docs/protocols/pmu30.md`, one test per rule: CRC
//! coverage and its variant, scanning (garbage, LENGTH limit, truncation, CRC mismatch),
//! payload sizes per type, lenient decoding of values, telemetry fields, and the encoder's
//! order of checks (sender ranges, then sizes).

use serial_dialects::EncodeError;
use serial_dialects::pmu30::{
    ChannelAck, ChannelState, Config, ConfigChunk, CrcCoverage, DeviceError, Error, FaultFlags, Frame, Message, Pmu30,
    SetChannel, SubscribeTelemetry, Success, TelemetryPacket,
};
use serial_dialects::{Dialect, ErrorKind, SliceDecoder, StreamDecoder};

use crate::common;
use crate::common::pmu30::{enc, ping, pong, raw, sample_frames, shape, telemetry};

#[test]
fn crc_covers_msg_id_and_payload_by_default() {
    let frame = enc(&Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz: 50 }), &Config::default());
    assert_eq!(&frame[..6], &[0xAA, 2, 0, 0x40, 50, 0]);
    let crc = serial_dialects::crc::crc16(&frame[3..6]);
    assert_eq!(&frame[6..], &crc.to_le_bytes());
    // The start byte and LENGTH are not covered.
    assert_eq!(Frame::new_checked(&frame[..]).unwrap().compute_crc(CrcCoverage::MsgIdPayload), crc);
}

#[test]
fn crc_with_length_variant_decodes_its_own_streams_only() {
    let cfg = Config::from_variant("crc-with-length").unwrap();
    assert_eq!(cfg.crc_coverage, CrcCoverage::LengthMsgIdPayload);
    assert_eq!(Config::from_variant(""), Some(Config::default()));
    assert_eq!(Config::from_variant("crc_with_length"), None);
    assert_eq!(Pmu30::crc_with_length().config(), &cfg);

    let frames = sample_frames(&cfg, 48);
    let stream: Vec<u8> = frames.concat();
    // Code-rule PING, as the real configurator sends it.
    assert_eq!(frames[0], [0xAA, 0, 0, 0x01, 0xBD, 0xDC]);
    let crc = serial_dialects::crc::crc16(&frames[8][1..6]);
    assert_eq!(&frames[8][6..], &crc.to_le_bytes());

    let events: Vec<_> = SliceDecoder::new(Pmu30::new(cfg), &stream).collect();
    assert_eq!(events.len(), frames.len());
    assert!(events.iter().all(|e| e.frame().is_some()));
    common::assert_chunking_invariant(Pmu30::crc_with_length, &stream);

    // A default-rule stream under the code rule: every frame fails its CRC, none decodes.
    let default_frames = sample_frames(&Config::default(), 48);
    let default_stream = default_frames.concat();
    let got = shape(cfg, &default_stream);
    assert!(got.iter().all(|e| e.2.is_some()), "no frame may decode under the wrong rule");
    let mut at = 0u64;
    for f in &default_frames {
        let e = got.iter().find(|e| e.0 == at).expect("an event at every frame start");
        assert_eq!(e.2, Some(ErrorKind::CrcMismatch), "frame at {at}");
        at += f.len() as u64;
    }
    // And the other way round.
    assert!(shape(Config::default(), &stream).iter().all(|e| e.2.is_some()));
}

#[test]
fn length_beyond_the_maximum_is_rejected_at_once() {
    // huge_length: 0xFFFF and 4097, each followed by a valid frame.
    let input = [&[0xAA, 0xFF, 0xFF][..], &ping(), &[0xAA, 0x01, 0x10, 0x01], &pong()].concat();
    assert_eq!(
        shape(Config::default(), &input),
        [(0, 3, Some(ErrorKind::BadLength)), (3, 6, None), (9, 4, Some(ErrorKind::BadLength)), (13, 6, None)]
    );
    let first = SliceDecoder::new(Pmu30::default(), &input).next().unwrap();
    assert_eq!(first.error(), Some(&Error::LengthTooLarge { length: 65535, max: 4096 }));
    // A streaming decoder reports it as soon as the next 0xAA is in, without waiting for
    // 4102 bytes or the end of the input.
    let mut dec: Box<StreamDecoder<Pmu30, 8192>> = Box::new(StreamDecoder::new(Pmu30::default()));
    dec.push(&input[..4]);
    assert_eq!(dec.next().map(|e| e.error_kind()), Some(Some(ErrorKind::BadLength)));
    // The limit is configurable; exactly max_payload is accepted.
    let cfg = Config { max_payload: 10, ..Config::default() };
    assert_eq!(Pmu30::new(cfg).max_frame_len(), 16);
    let ok = raw(0x21, &[0u8; 10], CrcCoverage::MsgIdPayload);
    let too_long = raw(0x21, &[0u8; 11], CrcCoverage::MsgIdPayload);
    assert_eq!(shape(cfg, &ok), [(0, 16, None)]);
    // With no 0xAA behind it, the rejection reaches max_frame_len (16) bytes.
    assert_eq!(shape(cfg, &too_long), [(0, 16, Some(ErrorKind::BadLength)), (16, 1, Some(ErrorKind::Garbage))]);
    // The default accepts a 4096-byte payload (max_payload capture).
    let max = raw(0x21, &[0x55u8; 4096], CrcCoverage::MsgIdPayload);
    assert_eq!(shape(Config::default(), &[&max[..], &ping()].concat()), [(0, 4102, None), (4102, 6, None)]);
}

#[test]
fn bytes_before_a_start_marker_are_one_garbage_event_split_only_at_max_frame_len() {
    let mut input = vec![0x55u8; 10_000];
    input.extend(ping());
    assert_eq!(
        shape(Config::default(), &input),
        [
            (0, 4102, Some(ErrorKind::Garbage)),
            (4102, 4102, Some(ErrorKind::Garbage)),
            (8204, 1796, Some(ErrorKind::Garbage)),
            (10_000, 6, None)
        ]
    );
    common::assert_chunking_invariant(Pmu30::default, &input);
}

#[test]
fn unknown_msg_id_with_valid_crc_is_unknown_type_over_the_whole_frame() {
    let frame = raw(0x99, &[1, 2, 3], CrcCoverage::MsgIdPayload);
    let input = [&frame[..], &ping()].concat();
    assert_eq!(shape(Config::default(), &input), [(0, 9, Some(ErrorKind::UnknownType)), (9, 6, None)]);
    let err = Pmu30::default().decode(&frame).unwrap_err();
    assert_eq!(err, Error::UnknownType { msg_id: 0x99 });
    assert_eq!(err.to_string(), "unknown message type 0x99");
    // The real code's IDs that the original documentation does not have (GET_CHANNEL 0x43, BOOTLOADER 0x60,
    // ERROR 0x50) are unknown too.
    for id in [0x00, 0x32, 0x43, 0x50, 0x60, 0xFF] {
        assert_eq!(
            shape(Config::default(), &raw(id, &[], CrcCoverage::MsgIdPayload)),
            [(0, 6, Some(ErrorKind::UnknownType))]
        );
    }
}

#[test]
fn payload_of_the_wrong_size_for_its_type_is_bad_length() {
    let cases: &[(u8, &[usize])] = &[
        (0x01, &[1, 2]),
        (0x02, &[1]),
        (0x10, &[1]),
        (0x11, &[0, 32, 51, 53]), // 32: the real parser's minimum
        (0x20, &[1]),
        (0x21, &[0, 3]),
        (0x22, &[0, 3]),
        (0x23, &[0, 2, 4]),
        (0x30, &[0, 5, 7]),
        (0x31, &[2, 4, 5]), // 5: the real code's CHANNEL_ACK layout
        (0x40, &[0, 1, 3]),
        (0x41, &[1]),
        (0x42, &[0, 100, 118, 120, 121]),
        (0xF0, &[0, 1, 2]),
    ];
    for &(id, sizes) in cases {
        for &size in sizes {
            let frame = raw(id, &vec![0u8; size], CrcCoverage::MsgIdPayload);
            let input = [&frame[..], &pong()].concat();
            assert_eq!(
                shape(Config::default(), &input),
                [(0, frame.len() as usize, Some(ErrorKind::BadLength)), (frame.len() as u64, 6, None)],
                "id 0x{id:02x} size {size}"
            );
        }
    }
    let err = Pmu30::default().decode(&raw(0x42, &[0u8; 100], CrcCoverage::MsgIdPayload)).unwrap_err();
    assert_eq!(err.to_string(), "TELEMETRY_DATA payload of 100 bytes, expected exactly 119 bytes");
}

#[test]
fn error_msg_length_must_match_the_bytes_present() {
    // edge_payloads: msg_length 20 with 5 bytes present.
    let long = raw(0xF0, &[0x04, 0x00, 20, b's', b'h', b'o', b'r', b't'], CrcCoverage::MsgIdPayload);
    assert_eq!(Pmu30::default().decode(&long).unwrap_err(), Error::MessageLength { msg_length: 20, present: 5 });
    let extra = raw(0xF0, &[0x04, 0x00, 2, b'o', b'k', b'!'], CrcCoverage::MsgIdPayload);
    assert_eq!(Pmu30::default().decode(&extra).unwrap_err(), Error::MessageLength { msg_length: 2, present: 3 });
    let exact = raw(0xF0, &[0x04, 0x00, 2, b'o', b'k'], CrcCoverage::MsgIdPayload);
    assert!(matches!(
        Pmu30::default().decode(&exact),
        Ok(Message::Error(DeviceError { error_code: 4, message: b"ok" }))
    ));
    // A too-short ERROR payload does not cost the next frame its first byte (the real
    // read loop loses PING here).
    let short = raw(0xF0, &[0x01, 0x00], CrcCoverage::MsgIdPayload);
    let input = [&short[..], &ping(), &pong()].concat();
    assert_eq!(shape(Config::default(), &input), [(0, 8, Some(ErrorKind::BadLength)), (8, 6, None), (14, 6, None)]);
}

#[test]
fn truncated_candidate_at_end_is_rejected_and_rescanned() {
    // A frame announcing 16 payload bytes, cut off, with a whole PONG inside its window.
    let input = [&ping()[..], &[0xAA, 16, 0, 0x21, 0, 0], &pong()].concat();
    assert_eq!(shape(Config::default(), &input), [(0, 6, None), (6, 6, Some(ErrorKind::Truncated)), (12, 6, None)]);
    let errs: Vec<Error> = SliceDecoder::new(Pmu30::default(), &input).filter_map(|e| e.error().cloned()).collect();
    assert_eq!(errs[0].to_string(), "frame cut off after 12 bytes: the header announces a 22-byte frame");
    // A header cut off.
    for tail in [&[0xAA][..], &[0xAA, 5], &[0xAA, 5, 0]] {
        let input = [&ping()[..], tail].concat();
        assert_eq!(shape(Config::default(), &input), [(0, 6, None), (6, tail.len(), Some(ErrorKind::Truncated))]);
    }
    // Before the end of the input, the decoder waits instead.
    let mut dec: Box<StreamDecoder<Pmu30, 8192>> = Box::new(StreamDecoder::new(Pmu30::default()));
    dec.push(&input[..8]);
    assert!(dec.next().is_some());
    assert!(dec.next().is_none());
    dec.finish();
    assert_eq!(dec.next().map(|e| e.error_kind()), Some(Some(ErrorKind::Truncated)));
}

#[test]
fn crc_mismatch_reports_received_and_computed() {
    let mut frame = enc(&Message::SetChannel(SetChannel { channel_id: 5, value: 75.0 }), &Config::default());
    let n = frame.len();
    frame[n - 1] ^= 0x01;
    let input = [&frame[..], &ping()].concat();
    let events: Vec<_> = SliceDecoder::new(Pmu30::default(), &input).collect();
    assert_eq!(events[0].error(), Some(&Error::CrcMismatch { received: 0x3089, computed: 0x3189 }));
    assert_eq!(events[0].len, 12);
    assert_eq!(events[0].error().unwrap().to_string(), "CRC mismatch: received 0x3089, computed 0x3189");
    assert!(matches!(events[1].frame(), Some(Message::Ping {})));
}

#[test]
fn success_bytes_any_non_zero_is_success() {
    for (byte, ok) in [(0u8, false), (1, true), (2, true), (0xAA, true), (0xFF, true)] {
        let frame = raw(0x23, &[byte, 0x20, 0x00], CrcCoverage::MsgIdPayload);
        let msg = Pmu30::default().decode(&frame).unwrap();
        let Message::ConfigAck(a) = msg else { panic!("{msg:?}") };
        assert_eq!(a.success.is_success(), ok);
        assert_eq!(a.success, Success(byte));
        assert_eq!(enc(&msg, &Config::default()), frame, "the raw byte re-encodes");
        let frame = raw(0x31, &[byte, 29, 0], CrcCoverage::MsgIdPayload);
        let Message::ChannelAck(c) = Pmu30::default().decode(&frame).unwrap() else { panic!() };
        assert_eq!((c.success.is_success(), c.channel_id), (ok, 29));
    }
}

#[test]
fn info_resp_strings_end_at_the_first_nul() {
    let mut payload = [0u8; 52];
    payload[..4].copy_from_slice(&[1, 2, 3, 9]);
    payload[4..20].copy_from_slice(b"AB\0CDEFGHIJKLMNO");
    payload[20..52].copy_from_slice(&[b'Z'; 32]); // no NUL at all
    let frame = raw(0x11, &payload, CrcCoverage::MsgIdPayload);
    let Message::InfoResp(info) = Pmu30::default().decode(&frame).unwrap() else { panic!() };
    assert_eq!(info.serial_number(), b"AB");
    assert_eq!(info.device_name(), &[b'Z'; 32]);
    assert_eq!(info.version().to_string(), "1.2.3");
    assert_eq!(info.hw_revision, 9);
    // The bytes after the NUL are kept: re-encoding is exact.
    assert_eq!(enc(&Message::InfoResp(info), &Config::default()), frame);
}

#[test]
fn unknown_channel_state_never_invalidates_the_packet() {
    let mut t = telemetry(1);
    t.channel_states[4] = ChannelState::Unknown(9);
    t.channel_states[5] = ChannelState::Unknown(0xFF);
    let frame = enc(&Message::TelemetryData(t), &Config::default());
    assert_eq!(frame[4 + 4 + 4], 9);
    let Message::TelemetryData(back) = Pmu30::default().decode(&frame).unwrap() else { panic!() };
    assert_eq!(back.channel_states[4], ChannelState::Unknown(9));
    assert_eq!(back.channel_states[5].to_u8(), 0xFF);
    assert_eq!(back, t);
}

#[test]
fn telemetry_inner_crc_is_never_checked() {
    for crc in [0u16, 0xDEAD, telemetry(3).compute_inner_crc()] {
        let t = TelemetryPacket { crc, ..telemetry(3) };
        let frame = enc(&Message::TelemetryData(t), &Config::default());
        let Message::TelemetryData(back) = Pmu30::default().decode(&frame).unwrap() else { panic!() };
        assert_eq!(back.crc, crc);
        assert_eq!(back.inner_crc_matches(), crc == t.compute_inner_crc());
    }
    // The helper is CRC-16 over payload bytes 0..117.
    let t = telemetry(4);
    let frame = enc(&Message::TelemetryData(t), &Config::default());
    assert_eq!(t.compute_inner_crc(), serial_dialects::crc::crc16(&frame[4..4 + 117]));
}

#[test]
fn telemetry_is_signed_and_keeps_unknown_fault_bits() {
    let t = TelemetryPacket {
        temperature: -40,
        fault_flags: FaultFlags::from_bits_retain(0xFFFF_FFFF),
        ..TelemetryPacket::default()
    };
    let frame = enc(&Message::TelemetryData(t), &Config::default());
    assert_eq!(frame[4 + 112], 0xD8);
    let Message::TelemetryData(back) = Pmu30::default().decode(&frame).unwrap() else { panic!() };
    assert_eq!(back.temperature, -40);
    assert_eq!(back.fault_flags.bits(), 0xFFFF_FFFF);
    assert_eq!(FaultFlags::all().bits(), 0x000F_3FFF);
}

// Inputs the fuzz targets found, kept so the bugs stay fixed.

/// `roundtrip_pmu30` crash-7969af057b69f3e854d0fb145117084f23491881 (bytes in
/// `crash_7969af05_bytes_are_that_message`): `validate_with` returned `Ok` for an in-range SET_CHANNEL (and SUBSCRIBE_TELEMETRY) whose
/// 6-byte (2-byte) payload exceeded the configured `max_payload`, which `emit_with` then
/// refused: the range arms returned before the size check.
#[test]
fn validate_with_checks_sizes_after_ranges_for_every_type() {
    let value = f32::from_bits(0x1DD4_A418); // 5.62856e-21, the fuzzer's value: in range
    let crash = Message::SetChannel(SetChannel { channel_id: 0, value });
    let config = Config { max_payload: 0, crc_coverage: CrcCoverage::LengthMsgIdPayload };
    let too_long = EncodeError::TooLong { field: "PAYLOAD", len: 6, max: 0 };
    assert_eq!(crash.validate_with(config.max_payload), Err(too_long));
    assert_eq!(crash.emit_with(&mut [0u8; 64], config.crc_coverage, config.max_payload), Err(too_long));
    assert_eq!(crash.validate(), Ok(()));

    // Every limit around the payload sizes: validate_with agrees with emit_with, and a
    // range error still comes before a size error.
    let data = [0xAAu8; 3];
    let messages = [
        crash,
        Message::SetChannel(SetChannel { channel_id: 30, value: 1.0 }),
        Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz: 1 }),
        Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz: 0 }),
        Message::ChannelAck(ChannelAck { success: Success::OK, channel_id: 7 }),
        Message::SetConfig(ConfigChunk { chunk_index: 0, total_chunks: 1, data: &data }),
        Message::Ping {},
    ];
    for max_payload in 0..=8 {
        let config = Config { max_payload, ..Config::default() };
        for msg in &messages {
            let mut buf = [0u8; 64];
            let emitted = msg.emit_with(&mut buf, config.crc_coverage, config.max_payload).map(|n| {
                assert_eq!(n, msg.buffer_len());
            });
            assert_eq!(msg.validate_with(config.max_payload), emitted, "{msg:?} under max_payload {max_payload}");
            let fits = msg.payload_len() <= max_payload;
            match msg {
                Message::SetChannel(SetChannel { channel_id: 30, .. }) => {
                    assert_eq!(emitted, Err(EncodeError::OutOfRange { field: "channel_id" }));
                }
                Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz: 0 }) => {
                    assert_eq!(emitted, Err(EncodeError::OutOfRange { field: "rate_hz" }));
                }
                _ => assert_eq!(emitted.is_ok(), fits, "{msg:?} under max_payload {max_payload}"),
            }
        }
    }
}

/// A CONFIG chunk under a limit below its 4-byte header: the payload is at fault (not the
/// empty data).
#[test]
fn config_chunk_under_a_limit_below_its_header_is_a_payload_error() {
    let msg = Message::ConfigData(ConfigChunk { chunk_index: 18769, total_chunks: 40769, data: &[] });
    let config = Config { max_payload: 3, ..Config::default() };
    assert_eq!(
        msg.emit_with(&mut [0u8; 16], config.crc_coverage, config.max_payload),
        Err(EncodeError::TooLong { field: "PAYLOAD", len: 4, max: 3 })
    );
    let config = Config { max_payload: 4, ..Config::default() };
    assert_eq!(msg.emit_with(&mut [0u8; 16], config.crc_coverage, config.max_payload), Ok(10));
}

/// The crash bytes still decode (as the fuzz target's `Input`: message, CRC rule, limit,
/// verbatim flag) to the message of the test above.
#[cfg(feature = "arbitrary")]
#[test]
fn crash_7969af05_bytes_are_that_message() {
    use arbitrary::{Arbitrary, Unstructured};
    // Enum index, channel_id, value, CRC rule index, Some(...) with no bytes left (0).
    const CRASH_7969AF05: [u8; 15] =
        [0x00, 0xC7, 0xEE, 0xA2, 0x00, 0x00, 0x18, 0xA4, 0xD4, 0x1D, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF];
    let mut u = Unstructured::new(&CRASH_7969AF05);
    let msg = Message::arbitrary(&mut u).unwrap();
    let coverage = CrcCoverage::arbitrary(&mut u).unwrap();
    let max_payload = Option::<u16>::arbitrary(&mut u).unwrap();
    let verbatim = bool::arbitrary(&mut u).unwrap();
    match msg {
        Message::SetChannel(s) => assert_eq!((s.channel_id, s.value.to_bits()), (0, 0x1DD4_A418)),
        other => panic!("{other:?}"),
    }
    assert_eq!((coverage, max_payload, verbatim), (CrcCoverage::LengthMsgIdPayload, Some(0), false));
}
