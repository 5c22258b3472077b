//! The stream rules of spec/DIALECTS.md for pmu30, one test per rule, plus long streams
//! with errors (chunking) and corruption.

mod common;

use serial_dialects::buf::Sink;
use serial_dialects::pmu30::frame::emit_frame;
use serial_dialects::pmu30::{
    ChannelAck, ChannelState, Config, ConfigAck, ConfigChunk, CrcCoverage, DeviceError, Error, FaultFlags, Frame,
    InfoResp, Message, Pmu30, SetChannel, SubscribeTelemetry, Success, TelemetryPacket,
};
use serial_dialects::{Dialect, ErrorKind, SliceDecoder, StreamDecoder};

type Short = (u64, usize, Option<ErrorKind>);

fn shape(cfg: Config, input: &[u8]) -> Vec<Short> {
    SliceDecoder::new(Pmu30::new(cfg), input).map(|e| (e.offset, e.len, e.error_kind())).collect()
}

fn seed() -> Config {
    Config::default()
}

fn enc(msg: &Message<'_>, cfg: &Config) -> Vec<u8> {
    let mut buf = vec![0u8; msg.buffer_len()];
    let n = msg.emit_verbatim(&mut buf, cfg.crc_coverage, cfg.max_payload).unwrap();
    buf.truncate(n);
    buf
}

/// A raw frame with any MSG_ID and payload (valid CRC under `coverage`).
fn raw(msg_id: u8, payload: &[u8], coverage: CrcCoverage) -> Vec<u8> {
    let mut buf = vec![0u8; payload.len() + 6];
    let n = emit_frame(&mut buf, msg_id, payload.len(), 65535, coverage, |p| p.put(payload)).unwrap();
    buf.truncate(n);
    buf
}

fn ping() -> Vec<u8> {
    vec![0xAA, 0, 0, 0x01, 0xD1, 0xF1]
}

fn pong() -> Vec<u8> {
    vec![0xAA, 0, 0, 0x02, 0xB2, 0xC1]
}

fn telemetry(i: u32) -> TelemetryPacket {
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
fn sample_frames(cfg: &Config, count: usize) -> Vec<Vec<u8>> {
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

#[test]
fn crc_covers_msg_id_and_payload_by_default() {
    let frame = enc(&Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz: 50 }), &seed());
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

    // A seed-rule stream under the code rule: every frame fails its CRC, none decodes.
    let seed_frames = sample_frames(&seed(), 48);
    let seed_stream = seed_frames.concat();
    let got = shape(cfg, &seed_stream);
    assert!(got.iter().all(|e| e.2.is_some()), "no frame may decode under the wrong rule");
    let mut at = 0u64;
    for f in &seed_frames {
        let e = got.iter().find(|e| e.0 == at).expect("an event at every frame start");
        assert_eq!(e.2, Some(ErrorKind::CrcMismatch), "frame at {at}");
        at += f.len() as u64;
    }
    // And the other way round.
    assert!(shape(seed(), &stream).iter().all(|e| e.2.is_some()));
}

#[test]
fn stray_aa_with_plausible_length_does_not_swallow_frames_behind_it() {
    // resync_overlap: a stray `AA 20 00 11` whose 38-byte window covers GET_INFO and part
    // of INFO_RESP.
    let info = enc(&Message::InfoResp(InfoResp::new([1, 0, 0], 2, "S", "N").unwrap()), &seed());
    let get_info = enc(&Message::GetInfo {}, &seed());
    let input = [&[0xAA, 0x20, 0x00, 0x11][..], &ping(), &get_info, &info].concat();
    assert_eq!(
        shape(seed(), &input),
        [(0, 4, Some(ErrorKind::CrcMismatch)), (4, 6, None), (10, 6, None), (16, 58, None)]
    );
    // stray_aa_stall: LENGTH 512 announced, the input ends first; the frames behind it are
    // recovered when the input ends, whatever the chunking.
    let input = [&ping()[..], &[0xAA, 0x00, 0x02, 0x42], &pong(), &get_info, &info].concat();
    assert_eq!(
        shape(seed(), &input),
        [(0, 6, None), (6, 4, Some(ErrorKind::Truncated)), (10, 6, None), (16, 6, None), (22, 58, None)]
    );
    common::assert_chunking_invariant(Pmu30::default, &input);
}

#[test]
fn length_beyond_the_maximum_is_rejected_at_once() {
    // huge_length: 0xFFFF and 4097, each followed by a valid frame.
    let input = [&[0xAA, 0xFF, 0xFF][..], &ping(), &[0xAA, 0x01, 0x10, 0x01], &pong()].concat();
    assert_eq!(
        shape(seed(), &input),
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
    let cfg = Config { max_payload: 10, ..seed() };
    assert_eq!(Pmu30::new(cfg).max_frame_len(), 16);
    let ok = raw(0x21, &[0u8; 10], CrcCoverage::MsgIdPayload);
    let too_long = raw(0x21, &[0u8; 11], CrcCoverage::MsgIdPayload);
    assert_eq!(shape(cfg, &ok), [(0, 16, None)]);
    // With no 0xAA behind it, the rejection reaches max_frame_len (16) bytes.
    assert_eq!(shape(cfg, &too_long), [(0, 16, Some(ErrorKind::BadLength)), (16, 1, Some(ErrorKind::Garbage))]);
    // The default accepts a 4096-byte payload (max_payload capture).
    let max = raw(0x21, &[0x55u8; 4096], CrcCoverage::MsgIdPayload);
    assert_eq!(shape(seed(), &[&max[..], &ping()].concat()), [(0, 4102, None), (4102, 6, None)]);
}

#[test]
fn bytes_before_a_start_marker_are_one_garbage_event_split_only_at_max_frame_len() {
    let mut input = vec![0x55u8; 10_000];
    input.extend(ping());
    assert_eq!(
        shape(seed(), &input),
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
    assert_eq!(shape(seed(), &input), [(0, 9, Some(ErrorKind::UnknownType)), (9, 6, None)]);
    let err = Pmu30::default().decode(&frame).unwrap_err();
    assert_eq!(err, Error::UnknownType { msg_id: 0x99 });
    assert_eq!(err.to_string(), "unknown message type 0x99");
    // The real code's IDs that the seed does not have (GET_CHANNEL 0x43, BOOTLOADER 0x60,
    // ERROR 0x50) are unknown too.
    for id in [0x00, 0x32, 0x43, 0x50, 0x60, 0xFF] {
        assert_eq!(shape(seed(), &raw(id, &[], CrcCoverage::MsgIdPayload)), [(0, 6, Some(ErrorKind::UnknownType))]);
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
                shape(seed(), &input),
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
    assert_eq!(shape(seed(), &input), [(0, 8, Some(ErrorKind::BadLength)), (8, 6, None), (14, 6, None)]);
}

#[test]
fn truncated_candidate_at_end_is_rejected_and_rescanned() {
    // A frame announcing 16 payload bytes, cut off, with a whole PONG inside its window.
    let input = [&ping()[..], &[0xAA, 16, 0, 0x21, 0, 0], &pong()].concat();
    assert_eq!(shape(seed(), &input), [(0, 6, None), (6, 6, Some(ErrorKind::Truncated)), (12, 6, None)]);
    let errs: Vec<Error> = SliceDecoder::new(Pmu30::default(), &input).filter_map(|e| e.error().cloned()).collect();
    assert_eq!(errs[0].to_string(), "frame cut off after 12 bytes: the header announces a 22-byte frame");
    // A header cut off.
    for tail in [&[0xAA][..], &[0xAA, 5], &[0xAA, 5, 0]] {
        let input = [&ping()[..], tail].concat();
        assert_eq!(shape(seed(), &input), [(0, 6, None), (6, tail.len(), Some(ErrorKind::Truncated))]);
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
    let mut frame = enc(&Message::SetChannel(SetChannel { channel_id: 5, value: 75.0 }), &seed());
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
        assert_eq!(enc(&msg, &seed()), frame, "the raw byte re-encodes");
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
    assert_eq!(enc(&Message::InfoResp(info), &seed()), frame);
}

#[test]
fn unknown_channel_state_never_invalidates_the_packet() {
    let mut t = telemetry(1);
    t.channel_states[4] = ChannelState::Unknown(9);
    t.channel_states[5] = ChannelState::Unknown(0xFF);
    let frame = enc(&Message::TelemetryData(t), &seed());
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
        let frame = enc(&Message::TelemetryData(t), &seed());
        let Message::TelemetryData(back) = Pmu30::default().decode(&frame).unwrap() else { panic!() };
        assert_eq!(back.crc, crc);
        assert_eq!(back.inner_crc_matches(), crc == t.compute_inner_crc());
    }
    // The helper is CRC-16 over payload bytes 0..117.
    let t = telemetry(4);
    let frame = enc(&Message::TelemetryData(t), &seed());
    assert_eq!(t.compute_inner_crc(), serial_dialects::crc::crc16(&frame[4..4 + 117]));
}

#[test]
fn telemetry_is_signed_and_keeps_unknown_fault_bits() {
    let t = TelemetryPacket {
        temperature: -40,
        fault_flags: FaultFlags::from_bits_retain(0xFFFF_FFFF),
        ..TelemetryPacket::default()
    };
    let frame = enc(&Message::TelemetryData(t), &seed());
    assert_eq!(frame[4 + 112], 0xD8);
    let Message::TelemetryData(back) = Pmu30::default().decode(&frame).unwrap() else { panic!() };
    assert_eq!(back.temperature, -40);
    assert_eq!(back.fault_flags.bits(), 0xFFFF_FFFF);
    assert_eq!(FaultFlags::all().bits(), 0x000F_3FFF);
}

fn long_stream_with_errors() -> Vec<u8> {
    let frames = sample_frames(&seed(), 240);
    let mut rng = common::XorShift::new(42);
    let mut out = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        match i % 9 {
            0 => out.extend((0..rng.below(40)).map(|_| rng.byte())),
            3 => {
                let mut bad = f.clone();
                let at = rng.below(bad.len());
                bad[at] ^= 0x10;
                out.extend(bad);
                continue;
            }
            5 => out.extend([0xAA, 0x40, 0x00]),
            7 => out.extend([0xAA, 0xFF, 0xFF, 0xAA]),
            _ => {}
        }
        out.extend(f);
    }
    out.extend(&frames[11][..60]);
    out
}

#[test]
fn chunking_invariant_over_a_long_stream_with_errors() {
    let input = long_stream_with_errors();
    let events = shape(seed(), &input);
    assert!(events.iter().filter(|e| e.2.is_none()).count() > 180);
    for kind in [ErrorKind::Garbage, ErrorKind::CrcMismatch, ErrorKind::BadLength, ErrorKind::Truncated] {
        assert!(events.iter().any(|e| e.2 == Some(kind)), "{kind:?} expected in the stream");
    }
    common::assert_chunking_invariant(Pmu30::default, &input);
}

#[test]
fn corruption_never_loses_untouched_frames_or_accepts_bad_crcs() {
    let cfg = seed();
    let frames = sample_frames(&cfg, 600);
    for rate in [0.0005, 0.002, 0.01, 0.05] {
        for seed_value in [1u64, 7, 1234] {
            let c = common::corrupt(&frames, rate, seed_value);
            let mut found = std::collections::HashMap::new();
            for e in SliceDecoder::new(Pmu30::new(cfg), &c.bytes) {
                let bytes = &c.bytes[e.offset as usize..e.offset as usize + e.len];
                if e.frame().is_some() {
                    Frame::new_checked(bytes).expect("a decoded frame always passes its CRC");
                }
                found.insert(e.offset as usize, (e.len, e.frame().is_some()));
            }
            assert!(!c.untouched.is_empty());
            for &(offset, index) in &c.untouched {
                let want = &frames[index];
                assert_eq!(
                    found.get(&offset),
                    Some(&(want.len(), true)),
                    "rate {rate} seed {seed_value} frame {index}"
                );
                assert_eq!(&c.bytes[offset..offset + want.len()], &want[..]);
            }
        }
    }
}

#[test]
fn stats_account_for_every_byte() {
    let input = long_stream_with_errors();
    let mut dec = SliceDecoder::new(Pmu30::default(), &input);
    let frames = dec.by_ref().filter(|e| e.frame().is_some()).count() as u64;
    assert_eq!(dec.stats().frames, frames);
    assert_eq!(dec.stats().bytes_accounted(), input.len() as u64);
    assert_eq!(dec.stats().lost_frames, 0);
}
