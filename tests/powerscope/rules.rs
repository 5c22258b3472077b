//! Each wire rule and decision of powerscope, one test per rule: the scanner's, the gaps
//! (per stream, for all 256 `runtime_id`s), and the inputs the fuzz targets found.

use serial_dialects::powerscope::{
    Ack, Cmd, Command, Config, Error, ErrorCode, Frame, GapTracker, Ina219Sample, Message, Nack, PowerScope, Reply,
    Revision, SensorPacket, Stream, gap::lost_in_gap, r0,
};
use serial_dialects::{Dialect, DialectConfig, EncodeError, ErrorKind, Scan, SliceDecoder, StreamDecoder};

use crate::{crafted, emit, errors, r0_frame, sample_frame, shape};

#[test]
fn rule_bad_header_resumes_one_byte_after_the_magic() {
    let real = sample_frame(1, 0, 59);
    // Three bad headers, each followed by the real frame; one bare magic right before it.
    for (bad, kind) in [
        ([0xA5, 0x5A, 7, 0, 7, 0], ErrorKind::UnknownType),
        ([0xA5, 0x5A, 0, 1, 7, 0], ErrorKind::InvalidField),
        ([0xA5, 0x5A, 0, 0, 47, 0], ErrorKind::BadLength),
        ([0xA5, 0x5A, 0, 0, 0xFF, 0xFF], ErrorKind::BadLength),
    ] {
        let input = [&bad[..], &[0u8; 10], &real].concat();
        assert_eq!(shape(PowerScope::r1(), &input), [(0, 16, Some(kind)), (16, 25, None)], "{bad:02x?}");
    }
    let input = [&[0xA5, 0x5A][..], &real].concat();
    assert_eq!(shape(PowerScope::r1(), &input), [(0, 2, Some(ErrorKind::UnknownType)), (2, 25, None)]);
    // Revision 0 knows only type 0, and len 1..=512.
    let good = r0_frame(3, &[9; 20]);
    for (bad, kind) in [
        ([0xA5, 0x5A, 1, 0, 7, 0], ErrorKind::UnknownType),
        ([0xA5, 0x5A, 0, 1, 7, 0], ErrorKind::InvalidField),
        ([0xA5, 0x5A, 0, 0, 0, 0], ErrorKind::BadLength),
        ([0xA5, 0x5A, 0, 0, 0x01, 0x02], ErrorKind::BadLength),
    ] {
        let input = [&bad[..], &[0x33u8; 5], &good].concat();
        assert_eq!(shape(PowerScope::r0(), &input), [(0, 11, Some(kind)), (11, 36, None)], "{bad:02x?}");
    }
}

#[test]
fn rule_header_fields_are_checked_as_soon_as_they_arrive() {
    let mut d = PowerScope::r1();
    assert_eq!(d.scan(&[0xA5, 0x5A], false), Scan::NeedMore);
    assert!(matches!(d.scan(&[0xA5, 0x5A, 9], false), Scan::NeedMore), "the extent needs the next magic or the limit");
    assert!(matches!(
        d.scan(&[0xA5, 0x5A, 9, 0xA5, 0x5A], false),
        Scan::Reject(3, Error::UnknownFrameType { frame_type: 9, revision: 1, max: 3 })
    ));
    assert!(matches!(d.scan(&[0xA5, 0x5A, 0, 2], true), Scan::Reject(4, Error::BadVersion { ver: 2 })));
    assert!(matches!(
        d.scan(&[0xA5, 0x5A, 0, 0, 47, 0], true),
        Scan::Reject(6, Error::BadLength { len: 47, min: 0, max: 46, revision: 1 })
    ));
    // The order is type, ver, len.
    assert!(matches!(d.scan(&[0xA5, 0x5A, 4, 1, 99, 0], true), Scan::Reject(_, Error::UnknownFrameType { .. })));
    assert!(matches!(d.scan(&[0xA5, 0x5A, 3, 1, 99, 0], true), Scan::Reject(_, Error::BadVersion { .. })));
}

#[test]
fn rule_false_magic_never_swallows_the_frame_behind_it() {
    let real = sample_frame(2, 5, 100);
    // A plausible STREAM header (len 7) five bytes before a real frame: its 25 bytes reach
    // into the real one, and the CRC fails.
    let input = [&[0xA5, 0x5A, 0, 0, 7, 0][..], &real, &real].concat();
    let errs = errors(PowerScope::r1(), &input);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].0, 0);
    assert_eq!(errs[0].1, 6);
    assert!(matches!(errs[0].2, Error::CrcMismatch { .. }));
    assert_eq!(shape(PowerScope::r1(), &input)[1..], [(6, 25, None), (31, 25, None)]);
    // `5A A5 5A`: the real host's false-magic case.
    let input = [&[0x5A, 0xA5, 0x5A][..], &real].concat();
    assert_eq!(
        shape(PowerScope::r1(), &input),
        [(0, 1, Some(ErrorKind::Garbage)), (1, 2, Some(ErrorKind::UnknownType)), (3, 25, None)]
    );
}

#[test]
fn rule_a_rejection_never_ends_on_the_a5_of_a_magic() {
    // A bad-CRC frame whose last byte is A5, directly followed by `5A ...`: the A5 and the
    // 5A form a magic, so the rejection stops before the A5.
    let mut bad = sample_frame(1, 1, 75);
    let last = bad.len() - 1;
    bad[last] = 0xA5;
    let real = sample_frame(1, 2, 88);
    // The real frame's own magic begins with the A5 that ends the bad one.
    let input = [&bad[..], &real[1..]].concat();
    let events = shape(PowerScope::r1(), &input);
    assert_eq!(events, [(0, 24, Some(ErrorKind::CrcMismatch)), (24, 25, None)]);
    // When the A5 is not followed by 5A, the rejection keeps it (the real capture case).
    let mut input = bad.clone();
    input.extend_from_slice(&real);
    assert_eq!(shape(PowerScope::r1(), &input), [(0, 25, Some(ErrorKind::CrcMismatch)), (25, 25, None)]);
}

#[test]
fn rule_garbage_before_a_magic_is_one_event() {
    let real = sample_frame(1, 0, 59);
    let noise: Vec<u8> = (0..40u8).map(|i| i.wrapping_mul(37) | 0x80).filter(|&b| b != 0xA5).collect();
    let input = [&noise[..], &real].concat();
    let events = shape(PowerScope::r1(), &input);
    assert_eq!(events, [(0, noise.len(), Some(ErrorKind::Garbage)), (noise.len() as u64, 25, None)]);
    assert_eq!(errors(PowerScope::r1(), &input)[0].2, Error::Garbage { len: noise.len() });
    // Split only at the frame limit.
    let long = vec![0x11u8; 150];
    assert_eq!(
        shape(PowerScope::r1(), &long),
        [(0, 64, Some(ErrorKind::Garbage)), (64, 64, Some(ErrorKind::Garbage)), (128, 22, Some(ErrorKind::Garbage))]
    );
    let long = vec![0x11u8; 600];
    assert_eq!(
        shape(PowerScope::r0(), &long),
        [(0, 528, Some(ErrorKind::Garbage)), (528, 72, Some(ErrorKind::Garbage))]
    );
}

#[test]
fn rule_trailing_lone_a5_waits_unless_at_end() {
    let mut d = PowerScope::r1();
    assert_eq!(d.scan(&[0, 0, 0xA5], false), Scan::NeedMore);
    assert_eq!(d.scan(&[0, 0, 0xA5], true), Scan::Reject(3, Error::Garbage { len: 3 }));
    assert_eq!(d.scan(&[0, 0, 0xA5, 0x5A], false), Scan::Reject(2, Error::Garbage { len: 2 }));
    assert_eq!(d.scan(&[0, 0, 0xA5, 0x00], false), Scan::NeedMore);
    assert_eq!(d.scan(&[0xA5], false), Scan::NeedMore);
    assert_eq!(d.scan(&[0xA5], true), Scan::Reject(1, Error::Garbage { len: 1 }));
    assert_eq!(d.scan(&[0xA5, 0x00, 0xA5, 0x5A], false), Scan::Reject(2, Error::Garbage { len: 2 }));
}

#[test]
fn rule_r0_command_bytes_outside_frames_are_cmd_events() {
    let frame = r0_frame(0, &[0x01, 0x02, 0x01, 0x02]);
    let input = [&[0x10, 0x01, 0x20, 0x30, 0x02][..], &frame, &[0x02]].concat();
    let events: Vec<_> = SliceDecoder::new(PowerScope::r0(), &input).collect();
    let got: Vec<(u64, usize, String)> = events
        .iter()
        .map(|e| {
            let what = match (e.frame(), e.error_kind()) {
                (Some(Message::R0Command(c)), _) => c.name().to_owned(),
                (Some(Message::R0Stream(s)), _) => format!("STREAM {}", s.payload.len()),
                (_, Some(kind)) => kind.as_str().to_owned(),
                other => panic!("{other:?}"),
            };
            (e.offset, e.len, what)
        })
        .collect();
    let want =
        [(0, 1, "garbage"), (1, 1, "START"), (2, 2, "garbage"), (4, 1, "STOP"), (5, 20, "STREAM 4"), (25, 1, "STOP")];
    assert_eq!(got, want.map(|(o, l, w)| (o, l, w.to_owned())));
    // Revision 1 has no raw commands: the same bytes are garbage there.
    assert_eq!(shape(PowerScope::r1(), &[0x01, 0x02, 0x01]), [(0, 3, Some(ErrorKind::Garbage))]);
}

#[test]
fn rule_crc_mismatch_reports_received_and_computed() {
    let mut frame = sample_frame(1, 3, 98);
    let good_crc = u16::from_le_bytes([frame[23], frame[24]]);
    frame[20] ^= 0x01;
    let computed = Frame::new_unchecked(&frame[..], Revision::R1).computed_crc().unwrap();
    let errs = errors(PowerScope::r1(), &frame);
    assert_eq!(errs, [(0, 25, Error::CrcMismatch { received: good_crc, computed })]);
    assert_eq!(errs[0].2.to_string(), format!("CRC mismatch: received 0x{good_crc:04X}, computed 0x{computed:04X}"));
}

#[test]
fn rule_truncated_at_end_of_input_is_rejected_and_rescanned() {
    let a = sample_frame(1, 0, 59);
    let cut = &sample_frame(1, 1, 72)[..17];
    let input = [&a[..], cut].concat();
    assert_eq!(errors(PowerScope::r1(), &input), [(25, 17, Error::Truncated { frame_len: Some(25), available: 17 })]);
    // A cut-off header.
    let input = [&a[..], &cut[..5]].concat();
    assert_eq!(errors(PowerScope::r1(), &input), [(25, 5, Error::Truncated { frame_len: None, available: 5 })]);
    // A magic inside the cut-off candidate (len 46: 64 bytes) starts a new scan, which
    // finds the frame there.
    let input = [&[0xA5, 0x5A, 0, 0, 46, 0, 1, 2, 3, 4][..], &a[..]].concat();
    assert_eq!(shape(PowerScope::r1(), &input), [(0, 10, Some(ErrorKind::Truncated)), (10, 25, None)]);
    // In a stream decoder the candidate stays pending until the end of the input.
    let mut dec: StreamDecoder<PowerScope, 64> = StreamDecoder::new(PowerScope::r1());
    let mut seen = 0;
    dec.feed(cut, |_| seen += 1);
    assert_eq!((seen, dec.pending()), (0, 17));
    dec.finish_with(|e| {
        assert_eq!(e.error_kind(), Some(ErrorKind::Truncated));
        seen += 1;
    });
    assert_eq!(seen, 1);
}

#[test]
fn rule_payload_sizes_are_exact_for_type_and_command() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (crafted(0, 0xFF, &[]), "STREAM"),
        (crafted(3, 0x05, &[]), "NACK"),
        (crafted(3, 0x05, &[1, 2]), "NACK"),
        (crafted(3, 0x42, &[0; 46]), "NACK"), // the firmware's 64-byte NACK bug
        (crafted(1, 0x05, &[1]), "CMD PING"),
        (crafted(1, 0x03, &[1]), "CMD SET_PERIOD"),
        (crafted(1, 0x01, &[]), "CMD START_STREAM"),
        (crafted(2, 0x04, &[1, 2]), "ACK GET_PERIOD"),
        (crafted(2, 0x09, &[0; 11]), "ACK GET_BOARD_UID"),
        (crafted(2, 0x07, &[]), "ACK READ_SENSOR"),
        (crafted(2, 0x05, &[0]), "ACK PING"),
    ];
    for (frame, message) in &cases {
        let errs = errors(PowerScope::r1(), frame);
        assert_eq!(errs.len(), 1, "{message}");
        assert_eq!((errs[0].0, errs[0].1), (0, frame.len()), "{message}: the whole frame");
        match &errs[0].2 {
            Error::PayloadSize { message: m, len, .. } => {
                assert_eq!(m, message);
                assert_eq!(*len, frame.len() - 18);
            }
            other => panic!("{message}: {other:?}"),
        }
    }
    let odd = crafted(2, 0x06, &[1, 1, 2]);
    assert_eq!(errors(PowerScope::r1(), &odd), [(0, 21, Error::OddSensorList { len: 3 })]);
    assert_eq!(errors(PowerScope::r1(), &odd)[0].2.kind_str(), "bad_length");
}

trait KindStr {
    fn kind_str(&self) -> &'static str;
}

impl KindStr for Error {
    fn kind_str(&self) -> &'static str {
        serial_dialects::DialectError::kind(self).as_str()
    }
}

#[test]
fn rule_unknown_cmd_id_is_unknown_type() {
    for (frame, frame_type, cmd_id) in
        [(crafted(1, 0x42, &[]), "CMD", 0x42), (crafted(2, 0xFF, &[]), "ACK", 0xFF), (crafted(1, 0, &[]), "CMD", 0)]
    {
        assert_eq!(errors(PowerScope::r1(), &frame), [(0, frame.len(), Error::UnknownCommand { frame_type, cmd_id })]);
    }
    // A NACK echoes whatever it refused, known or not.
    let nack = crafted(3, 0x42, &[1]);
    let msg = Message::from_bytes(&nack, Revision::R1).unwrap();
    assert_eq!(msg, Message::Nack(Nack { seq: 7, ts_ms: 9, cmd_id: 0x42, reserved: 0, error: ErrorCode::InvalidCmd }));
}

#[test]
fn rule_version_must_be_zero_even_though_the_real_host_accepts_1() {
    let mut frame = sample_frame(1, 0, 59);
    frame[3] = 1;
    let mut f = Frame::new_unchecked(&mut frame[..], Revision::R1);
    f.fill_checksum();
    assert_eq!(errors(PowerScope::r1(), &frame), [(0, 25, Error::BadVersion { ver: 1 })]);
}

#[test]
fn rule_reserved_bytes_are_ignored_on_receive_and_kept_for_re_encoding() {
    // The real capture's crafted STREAM with cmd_id 0 and rsv 0x5A is accepted.
    let mut frame = sample_frame(1, 0, 59);
    frame[6] = 0;
    frame[7] = 0x5A;
    Frame::new_unchecked(&mut frame[..], Revision::R1).fill_checksum();
    let msg = Message::from_bytes(&frame, Revision::R1).unwrap();
    let Message::Stream(s) = msg else { panic!() };
    assert_eq!((s.cmd_id, s.reserved), (0, 0x5A));
    assert_eq!(emit(msg), frame);
    // Constructors write 0.
    let built = emit(Message::Cmd(Cmd::new(1, 2, Command::Ping)));
    assert_eq!(built[7], 0);
    let r0 = r0_frame(1, &[1]);
    assert_eq!(&r0[6..8], &[0, 0]);
    let mut odd = r0.clone();
    odd[6] = 0xAB;
    odd[7] = 0xCD;
    let Message::R0Stream(s) = Message::from_bytes(&odd, Revision::R0).unwrap() else { panic!() };
    assert_eq!(s.reserved, 0xCDAB);
    assert_eq!(emit(Message::R0Stream(s)), odd);
}

#[test]
fn rule_max_frame_len_and_names() {
    assert_eq!(PowerScope::r0().max_frame_len(), 528);
    assert_eq!(PowerScope::r1().max_frame_len(), 64);
    assert_eq!(PowerScope::default(), PowerScope::r1());
    assert_eq!(Config::from_name("powerscope"), Some(Config { revision: Revision::R1 }));
    assert_eq!(Config::from_name("powerscope:r1"), Some(Config { revision: Revision::R1 }));
    assert_eq!(Config::from_name("powerscope:r0"), Some(Config { revision: Revision::R0 }));
    assert_eq!(Config::from_name("powerscope:r2"), None);
    assert_eq!(Config::from_name("r0"), None, "the variant alone is not a dialect name");
    assert_eq!(Config::from_name("pmu30"), None);
    assert_eq!((*PowerScope::r0().config(), *PowerScope::r1().config()), (Config::r0(), Config::r1()));
    assert_eq!((Config::r0().revision, Config::default()), (Revision::R0, Config::r1()));
    // Every name parses, and each configuration's canonical name is one of them.
    assert_eq!(Config::NAMES, ["powerscope", "powerscope:r0", "powerscope:r1"]);
    for name in Config::NAMES {
        let config = Config::from_name(name).unwrap();
        assert_eq!(Config::from_name(config.name()), Some(config));
    }
    assert_eq!((Config::r0().name(), Config::r1().name()), ("powerscope:r0", "powerscope"));
    assert_eq!(<PowerScope as Dialect>::NAME, "powerscope");
}

#[test]
fn rule_physical_units_are_not_scaled_10x() {
    let s = Ina219Sample { runtime_id: 1, bus_mv: 12_012, current_ua: 22_300 };
    assert!((s.bus_volts() - 12.012).abs() < 1e-5);
    assert!((s.current_ma() - 22.3).abs() < 1e-5, "the real host shows 2.23");
    assert!((s.power_mw() - 267.8676).abs() < 1e-3);
    assert_eq!(s.power_nw(), 267_867_600);
    let extreme = Ina219Sample { runtime_id: 0, bus_mv: u16::MAX, current_ua: i32::MIN };
    assert_eq!(extreme.power_nw(), i64::from(u16::MAX) * i64::from(i32::MIN));
}

#[test]
fn shell_line_matches_the_original_host_shell_format() {
    let s = r0::Stream { seq: 0, ts_ms: 5, reserved: 0, payload: &[0; 128], gap: 0 };
    assert_eq!(s.shell_line().to_string(), "seq=       0 ts=         5 len=128 gap=  0");
    let s = r0::Stream { seq: u32::MAX, ts_ms: u32::MAX, reserved: 0, payload: &[0; 1], gap: 1234 };
    assert_eq!(s.shell_line().to_string(), "seq=4294967295 ts=4294967295 len=  1 gap=1234");
}

/// A STREAM frame whose packet is not an INA219 sample (decoded off the sample shortcut).
fn raw_frame(runtime_id: u8, seq: u32) -> Vec<u8> {
    let sample = [runtime_id, 0x5A, 0xA5];
    emit(Message::Stream(Stream::new(seq, seq, SensorPacket::Raw { runtime_id, sample: &sample })))
}

/// How many streams `t` follows.
fn followed(t: &GapTracker) -> usize {
    (0..=u8::MAX).filter(|&id| t.last_seq(id).is_some()).count()
}

#[test]
fn rule_gaps_per_sensor_wrap_and_restart() {
    let frames = [
        sample_frame(1, 0, 10),
        sample_frame(2, 40, 11),
        sample_frame(1, 1, 20),
        sample_frame(1, 4, 30), // gap 3: 2 lost
        sample_frame(2, 41, 31),
        sample_frame(1, 0, 40),        // START_STREAM restart: gap u32::MAX - 3, not a loss
        sample_frame(2, u32::MAX, 50), // a forward jump of more than 2^31: not a loss either
        sample_frame(2, 1, 60),        // wraps: gap 2, 1 lost
    ];
    let input = frames.concat();
    let mut decoder = SliceDecoder::new(PowerScope::r1(), &input);
    let gaps: Vec<u32> = decoder.by_ref().map(|e| e.frame().and_then(Message::gap).unwrap()).collect();
    assert_eq!(gaps, [0, 0, 1, 3, 1, 4u32.wrapping_neg(), u32::MAX - 41, 2]);
    assert_eq!(decoder.stats().lost_frames, 3);
    assert_eq!(decoder.dialect().lost_frames(), 3);
    assert_eq!(lost_in_gap(u32::MAX - 41), 0);
    // ACKs with samples and other frames do not touch the streams.
    let ack = emit(Message::Ack(Ack::new(
        9,
        9,
        Reply::ReadSensor(SensorPacket::Ina219(Ina219Sample { runtime_id: 1, ..Default::default() })),
    )));
    let input = [sample_frame(1, 5, 0), ack, sample_frame(1, 6, 0)].concat();
    let gaps: Vec<Option<u32>> =
        SliceDecoder::new(PowerScope::r1(), &input).map(|e| e.frame().unwrap().gap()).collect();
    assert_eq!(gaps, [Some(0), None, Some(1)]);
    // reset() forgets.
    let mut d = PowerScope::r1();
    d.decode(&sample_frame(1, 5, 0)).unwrap();
    d.decode(&sample_frame(1, 9, 0)).unwrap();
    assert_eq!(d.lost_frames(), 3);
    d.reset();
    assert_eq!(d.lost_frames(), 0);
    assert_eq!(d.gaps().last_seq(1), None);
    assert_eq!(d.decode(&sample_frame(1, 10, 0)).unwrap().gap(), Some(0));
}

#[test]
fn rule_r0_has_one_stream() {
    let input = [r0_frame(5, &[1; 8]), r0_frame(6, &[1; 8]), r0_frame(9, &[1; 8])].concat();
    let mut decoder = SliceDecoder::new(PowerScope::r0(), &input);
    let gaps: Vec<u32> = decoder.by_ref().map(|e| e.frame().and_then(Message::gap).unwrap()).collect();
    assert_eq!(gaps, [0, 1, 3]);
    assert_eq!(decoder.stats().lost_frames, 2);
}

#[test]
fn a_stream_that_returns_after_many_others_gets_its_real_gap() {
    // Stream 0, then 8, 9, ..., 255 other runtime_ids, then stream 0 again: whatever came
    // between, its gap is the distance from its own previous seq and the loss is counted.
    for others in [8u8, 9, 16, 255] {
        let mut t = GapTracker::new();
        assert_eq!(t.observe(0, 100), 0);
        for id in 1..=others {
            assert_eq!(t.observe(id, 7), 0, "{others}: first frame of {id}");
        }
        assert_eq!(t.observe(0, 105), 5, "{others} others in between");
        assert_eq!(t.lost_frames(), 4, "{others} others in between");
        assert_eq!(t.last_seq(0), Some(105));
        assert_eq!(t.last_seq(1), Some(7));
    }
}

#[test]
fn all_256_runtime_ids_are_tracked_at_once() {
    let seq = |id: u8| u32::from(id) * 1000 + 7;
    let mut t = GapTracker::new();
    for id in 0..=u8::MAX {
        assert_eq!(t.last_seq(id), None);
        assert_eq!(t.observe(id, seq(id)), 0);
    }
    for id in 0..=u8::MAX {
        assert_eq!(t.last_seq(id), Some(seq(id)), "stream {id}");
    }
    assert_eq!(followed(&t), 256);
    // Each stream steps by 1 + (id % 4): id % 4 frames lost on each.
    let mut lost = 0u64;
    for id in (0..=u8::MAX).rev() {
        let step = 1 + u32::from(id % 4);
        assert_eq!(t.observe(id, seq(id) + step), step, "stream {id}");
        lost += u64::from(step - 1);
    }
    assert_eq!(t.lost_frames(), lost);
    assert_eq!(lost, 64 * (1 + 2 + 3));
}

#[test]
fn wrap_around_on_every_stream_at_once() {
    // Every stream is just below the u32 wrap, then every stream wraps: gaps are counted
    // modulo 2^32 for each of them, with all 256 followed in between.
    let mut t = GapTracker::new();
    for id in 0..=u8::MAX {
        t.observe(id, u32::MAX - u32::from(id % 3));
    }
    for id in 0..=u8::MAX {
        // From MAX - k to 1 is a gap of k + 2: k + 1 frames lost.
        let k = u32::from(id % 3);
        assert_eq!(t.observe(id, 1), k + 2, "stream {id}");
        assert_eq!(t.last_seq(id), Some(1));
    }
    let per_cycle = 1 + 2 + 3; // k = 0, 1, 2
    assert_eq!(t.lost_frames(), 85 * per_cycle + 1);
    // A restart after the wrap (back to 0) is still not a loss.
    assert_eq!(t.observe(42, 0), u32::MAX);
    assert_eq!(t.lost_frames(), 85 * per_cycle + 1);
}

/// 12 sensors sending round-robin (0..=9 INA219 samples, 200 and 255 raw packets), 20
/// rounds; frames `dropped` of sensor 0 never reach the decoder. Returns the wire bytes
/// and, per frame sent, its sensor, seq and expected gap.
fn interleaved(dropped: &[u32]) -> (Vec<u8>, Vec<(u8, u32, u32)>) {
    let sensors: Vec<u8> = (0..=9).chain([200, 255]).collect();
    let mut wire = Vec::new();
    let mut expected = Vec::new();
    let mut last: [Option<u32>; 256] = [None; 256];
    for round in 0..20u32 {
        for &id in &sensors {
            // Sensor 255 counts from near the wrap, and wraps during the run.
            let seq = if id == 255 { round.wrapping_add(u32::MAX - 9) } else { 1000 * u32::from(id) + round };
            if id == 0 && dropped.contains(&round) {
                continue;
            }
            let gap = last[usize::from(id)].map_or(0, |prev| seq.wrapping_sub(prev));
            last[usize::from(id)] = Some(seq);
            expected.push((id, seq, gap));
            let frame = if id >= 200 { raw_frame(id, seq) } else { sample_frame(id, seq, 5 * round) };
            wire.extend_from_slice(&frame);
        }
    }
    (wire, expected)
}

#[test]
fn many_interleaved_sensors_through_the_stream_decoder() {
    let dropped = [3, 4, 9, 15, 16, 17];
    let (wire, expected) = interleaved(&dropped);
    // Sensor 0 lost 2 + 1 + 3 frames, in three gaps.
    let zero_gaps: Vec<u32> = expected.iter().filter(|e| e.0 == 0).map(|e| e.2).collect();
    assert_eq!(zero_gaps, [0, 1, 1, 3, 1, 1, 1, 2, 1, 1, 1, 1, 4, 1]);
    for chunk in [1, 7, 25, 64, 1000, wire.len()] {
        let mut decoder: Box<StreamDecoder<PowerScope, 64>> = Box::new(StreamDecoder::new(PowerScope::r1()));
        let mut got = Vec::new();
        let mut record = |e: serial_dialects::stream::EventOf<'_, PowerScope>| match e.frame() {
            Some(Message::Stream(s)) => got.push((s.packet.runtime_id(), s.seq, s.gap)),
            other => panic!("chunks of {chunk}: {other:?} at {}", e.offset),
        };
        for piece in wire.chunks(chunk) {
            decoder.feed(piece, &mut record);
        }
        decoder.finish_with(&mut record);
        assert_eq!(got.len(), expected.len(), "chunks of {chunk}");
        for (i, (got, expected)) in got.iter().zip(&expected).enumerate() {
            assert_eq!(got, expected, "chunks of {chunk}: frame {i} (sensor, seq, gap)");
        }
        assert_eq!(decoder.stats().lost_frames, 6, "chunks of {chunk}");
        assert_eq!(decoder.stats().frames, expected.len() as u64);
        assert_eq!(followed(decoder.dialect().gaps()), 12);
        assert_eq!(decoder.dialect().gaps().last_seq(255), Some(9));
    }
    // The slice decoder agrees.
    let mut slice = SliceDecoder::new(PowerScope::r1(), &wire);
    let gaps: Vec<u32> = slice.by_ref().map(|e| e.frame().and_then(Message::gap).unwrap()).collect();
    assert_eq!(gaps, expected.iter().map(|e| e.2).collect::<Vec<_>>());
    assert_eq!(slice.stats().lost_frames, 6);
}

/// `roundtrip_powerscope`, crash-4dbf8c81: a checksum-valid CMD SET_PERIOD whose period
/// (15297 ms) is outside the sender's 5..=10000 decodes as received (lenient decoding), but
/// could not be written back: `emit` refuses it, and there was no other encoder. Now
/// `emit_verbatim` re-encodes every decoded message to exactly its bytes.
#[test]
fn set_period_out_of_range_reencodes_verbatim() {
    let wire = [
        0xA5, 0x5A, 0x01, 0x00, 0x03, 0x00, 0x03, 0xC1, // magic, CMD, ver, len 3, SET_PERIOD, rsv
        0x05, 0x23, 0x01, 0x02, 0x03, 0xC1, 0x05, 0x23, // seq, ts_ms
        0xBF, 0xC1, 0x3B, // sensor 191, period 15297
        0xA5, 0x2E, // CRC-16
    ];
    let events: Vec<_> = SliceDecoder::new(PowerScope::r1(), &wire).collect();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!((events[0].offset, events[0].len), (0, wire.len()));
    let expected = Message::Cmd(Cmd {
        seq: 0x0201_2305,
        ts_ms: 0x2305_C103,
        reserved: 0xC1,
        command: Command::SetPeriod { sensor: 191, period_ms: 15_297 },
    });
    let decoded = events[0].frame().copied().unwrap();
    assert_eq!(decoded, expected);

    let refused = Err(EncodeError::OutOfRange { field: "period_ms" });
    assert_eq!(expected.validate(), refused.map(|_: usize| ()));
    let mut out = [0u8; 64];
    assert_eq!(decoded.emit(&mut out), refused);
    assert_eq!(expected.emit(&mut out), refused);
    assert_eq!(decoded.emit_verbatim(&mut out), Ok(wire.len()));
    assert_eq!(out[..wire.len()], wire);
    out.fill(0);
    assert_eq!(expected.emit_verbatim(&mut out), Ok(wire.len()));
    assert_eq!(out[..wire.len()], wire);
    assert_eq!(
        expected.emit_verbatim(&mut out[..wire.len() - 1]),
        Err(EncodeError::BufferTooSmall { needed: wire.len(), available: wire.len() - 1 })
    );
}

/// Found writing `roundtrip_powerscope`: `ErrorCode::Unknown(1)` was sent as the byte 1 and
/// read back as `ErrorCode::InvalidCmd`, a different message. Both encoders now refuse an
/// `Unknown` holding a code the firmware defines.
#[test]
fn nack_unknown_holding_a_defined_code_is_refused() {
    let mut out = [0u8; 64];
    for byte in 0..=u8::MAX {
        let defined = matches!(byte, 1..=6 | 255);
        let canonical = ErrorCode::from_u8(byte);
        assert_eq!(canonical.validate(), Ok(()));
        let unknown = ErrorCode::Unknown(byte);
        let refusal = Err(EncodeError::OutOfRange { field: "error_code" });
        assert_eq!(unknown.validate(), if defined { refusal } else { Ok(()) }, "Unknown({byte})");

        let nack = Message::Nack(Nack::new(7, 8, 0x03, unknown));
        if defined {
            assert_eq!(nack.emit(&mut out), refusal.map(|()| 0));
            assert_eq!(nack.emit_verbatim(&mut out), refusal.map(|()| 0));
        } else {
            let n = nack.emit(&mut out).unwrap();
            assert_eq!(n, 19);
            assert_eq!(Message::from_bytes(&out[..n], Revision::R1), Ok(nack));
        }
        let nack = Message::Nack(Nack::new(7, 8, 0x03, canonical));
        let n = nack.emit(&mut out).unwrap();
        assert_eq!(out[16], byte);
        assert_eq!(Message::from_bytes(&out[..n], Revision::R1), Ok(nack));
    }
}
