//! The scanner rules of DIALECTS.md and the brief, one test per rule; corruption and
//! chunking over long synthetic streams.

mod common;

use serial_dialects::powerscope::frame::{self, Frame};
use serial_dialects::powerscope::header::HeaderRepr;
use serial_dialects::powerscope::r1::{Ack, Cmd, Command, ErrorCode, Nack, Reply};
use serial_dialects::powerscope::{Config, Error, Ina219Sample, Message, PowerScope, Revision, SensorPacket, r0, r1};
use serial_dialects::{Dialect, ErrorKind, Scan, SliceDecoder, StreamDecoder};

fn emit<'a>(msg: impl Into<Message<'a>>) -> Vec<u8> {
    let msg = msg.into();
    let mut buf = [0u8; 600];
    let n = msg.emit(&mut buf).unwrap();
    buf[..n].to_vec()
}

fn sample_frame(runtime_id: u8, seq: u32, ts_ms: u32) -> Vec<u8> {
    let sample = Ina219Sample { runtime_id, bus_mv: 12_000 + seq as u16 % 300, current_ua: 22_000 - seq as i32 };
    emit(r1::Message::Stream(r1::Stream::new(seq, ts_ms, SensorPacket::Ina219(sample))))
}

fn r0_frame(seq: u32, payload: &[u8]) -> Vec<u8> {
    let mut buf = [0u8; 600];
    let n = r0::Stream::new(seq, seq * 5, payload).emit(&mut buf).unwrap();
    buf[..n].to_vec()
}

/// A checksum-valid revision-1 frame with any header and payload.
fn crafted(frame_type: u8, cmd_id: u8, payload: &[u8]) -> Vec<u8> {
    let mut buf = [0u8; 64];
    let header = HeaderRepr { frame_type, cmd_id, seq: 7, ts_ms: 9, ..Default::default() };
    let n = frame::emit(&mut buf, Revision::R1, &header, payload).unwrap();
    buf[..n].to_vec()
}

/// `(offset, len, kind)` of every event.
fn shape(dialect: PowerScope, input: &[u8]) -> Vec<(u64, usize, Option<ErrorKind>)> {
    let events: Vec<_> = SliceDecoder::new(dialect, input).map(|e| (e.offset, e.len, e.error_kind())).collect();
    let total: usize = events.iter().map(|e| e.1).sum();
    assert_eq!(total, input.len());
    events
}

fn errors(dialect: PowerScope, input: &[u8]) -> Vec<(u64, usize, Error)> {
    SliceDecoder::new(dialect, input).filter_map(|e| e.error().cloned().map(|err| (e.offset, e.len, err))).collect()
}

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
                (Some(Message::R0(r0::Message::Cmd(c))), _) => c.name().to_owned(),
                (Some(Message::R0(r0::Message::Stream(s))), _) => format!("STREAM {}", s.payload.len()),
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
    let computed = frame::Frame::new_unchecked(&frame[..], Revision::R1).computed_crc().unwrap();
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
    let msg = r1::Message::from_bytes(&nack).unwrap();
    assert_eq!(
        msg,
        r1::Message::Nack(Nack { seq: 7, ts_ms: 9, cmd_id: 0x42, reserved: 0, error: ErrorCode::InvalidCmd })
    );
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
    let msg = r1::Message::from_bytes(&frame).unwrap();
    let r1::Message::Stream(s) = msg else { panic!() };
    assert_eq!((s.cmd_id, s.reserved), (0, 0x5A));
    assert_eq!(emit(msg), frame);
    // Constructors write 0.
    let built = emit(r1::Message::Cmd(Cmd::new(1, 2, Command::Ping)));
    assert_eq!(built[7], 0);
    let r0 = r0_frame(1, &[1]);
    assert_eq!(&r0[6..8], &[0, 0]);
    let mut odd = r0.clone();
    odd[6] = 0xAB;
    odd[7] = 0xCD;
    let r0::Message::Stream(s) = r0::Message::from_bytes(&odd).unwrap() else { panic!() };
    assert_eq!(s.reserved, 0xCDAB);
    assert_eq!(emit(r0::Message::Stream(s)), odd);
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
    assert_eq!("r0".parse::<Revision>(), Ok(Revision::R0));
    assert!("r9".parse::<Revision>().is_err());
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
fn shell_line_matches_the_seed_format() {
    let s = r0::Stream { seq: 0, ts_ms: 5, reserved: 0, payload: &[0; 128], gap: 0 };
    assert_eq!(s.shell_line().to_string(), "seq=       0 ts=         5 len=128 gap=  0");
    let s = r0::Stream { seq: u32::MAX, ts_ms: u32::MAX, reserved: 0, payload: &[0; 1], gap: 1234 };
    assert_eq!(s.shell_line().to_string(), "seq=4294967295 ts=4294967295 len=  1 gap=1234");
}

/// A long revision-1 stream of every frame type.
fn long_r1_stream(n: usize) -> Vec<Vec<u8>> {
    let mut rng = common::XorShift::new(0xB0A7);
    let mut seqs = [0u32; 3];
    let uid = [0x48, 0x35, 0x8A, 0xB4, 0xA2, 0x91, 0x92, 0x5A, 0xFC, 0x00, 0xE4, 0xF0];
    (0..n)
        .map(|i| match rng.below(10) {
            0 => emit(r1::Message::Cmd(Cmd::new(
                i as u32,
                1_994_041_444,
                Command::SetPeriod { sensor: 1, period_ms: 10 },
            ))),
            1 => emit(r1::Message::Ack(Ack::new(i as u32, 100, Reply::GetBoardUid { uid }))),
            2 => emit(r1::Message::Nack(Nack::new(i as u32, 100, 4, ErrorCode::SensorBusy))),
            3 => emit(r1::Message::Ack(Ack::new(
                i as u32,
                100,
                Reply::GetSensors(r1::SensorList::new(&[1, 1, 2, 1]).unwrap()),
            ))),
            _ => {
                let id = 1 + rng.below(2) as u8;
                seqs[usize::from(id)] += 1;
                sample_frame(id, seqs[usize::from(id)], i as u32 * 13)
            }
        })
        .collect()
}

#[test]
fn corruption_every_untouched_frame_is_recovered_and_no_bad_frame_is_accepted() {
    let frames = long_r1_stream(600);
    for rate in [0.001, 0.005, 0.02, 0.08] {
        for seed in 1..=4u64 {
            let c = common::corrupt(&frames, rate, seed);
            let events: Vec<_> = SliceDecoder::new(PowerScope::r1(), &c.bytes).collect();
            common::assert_tiles(&events.iter().map(common::summarize).collect::<Vec<_>>(), c.bytes.len());
            let decoded: std::collections::HashMap<u64, usize> =
                events.iter().filter(|e| e.frame().is_some()).map(|e| (e.offset, e.len)).collect();
            for &(offset, index) in &c.untouched {
                let len = decoded.get(&(offset as u64)).copied();
                assert_eq!(len, Some(frames[index].len()), "rate {rate} seed {seed}: frame {index} at {offset}");
                assert_eq!(&c.bytes[offset..offset + frames[index].len()], &frames[index][..]);
            }
            for (&offset, &len) in &decoded {
                let bytes = &c.bytes[offset as usize..offset as usize + len];
                let view = Frame::new_checked(bytes, Revision::R1).expect("every decoded frame passes its CRC");
                assert_eq!(view.frame_len(), len);
            }
            if rate == 0.02 && seed == 1 {
                common::assert_chunking_invariant(PowerScope::r1, &c.bytes);
            }
        }
    }
}

#[test]
fn long_r0_stream_with_errors_is_chunking_invariant() {
    let mut rng = common::XorShift::new(0x5EED);
    let mut frames = Vec::new();
    for seq in 0..120u32 {
        let payload: Vec<u8> = (0..1 + rng.below(200)).map(|i| (seq as u8).wrapping_add(i as u8)).collect();
        frames.push(r0_frame(seq, &payload));
        if rng.chance(0.2) {
            frames.push(vec![r0::START]);
        }
    }
    let c = common::corrupt(&frames, 0.01, 7);
    common::assert_chunking_invariant(PowerScope::r0, &c.bytes);
    // Without corruption every frame and command comes back.
    let clean = frames.concat();
    let events: Vec<_> = SliceDecoder::new(PowerScope::r0(), &clean).collect();
    assert_eq!(events.len(), frames.len());
    assert!(events.iter().all(|e| e.frame().is_some()));
}

#[test]
fn a_decoder_as_small_as_the_largest_frame_gives_the_same_events() {
    let frames = long_r1_stream(300);
    let c = common::corrupt(&frames, 0.03, 11);
    let expected = common::decode_slice(PowerScope::r1(), &c.bytes);
    for chunk in [1usize, 5, 64] {
        let mut dec: Box<StreamDecoder<PowerScope, 64>> = Box::new(StreamDecoder::new(PowerScope::r1()));
        let mut got = Vec::new();
        for piece in c.bytes.chunks(chunk) {
            dec.feed(piece, |e| got.push(common::summarize(&e)));
        }
        dec.finish_with(|e| got.push(common::summarize(&e)));
        assert_eq!(got, expected, "chunk {chunk}");
    }
    let mut rng = common::XorShift::new(3);
    let noisy: Vec<u8> = (0..20_000).map(|_| [0xA5, 0x5A, 0, 1, 2, rng.byte()][rng.below(6)]).collect();
    let expected = common::decode_slice(PowerScope::r0(), &noisy);
    let mut dec: Box<StreamDecoder<PowerScope, 528>> = Box::new(StreamDecoder::new(PowerScope::r0()));
    let mut got = Vec::new();
    for piece in noisy.chunks(97) {
        dec.feed(piece, |e| got.push(common::summarize(&e)));
    }
    dec.finish_with(|e| got.push(common::summarize(&e)));
    assert_eq!(got, expected);
}

#[test]
fn rule_decisions_never_depend_on_bytes_beyond_the_frame_limit() {
    // A rejected header whose 64-byte horizon ends in A5, at the very end of the input: the
    // A5 is left to the next scan whether or not a byte follows (found by proptest).
    let mut input = vec![0u8; 64];
    input[..6].copy_from_slice(&[0xA5, 0x5A, 0, 0, 0xFF, 0]);
    input[63] = 0xA5;
    let expected = vec![(0, 63, Some(ErrorKind::BadLength)), (63, 1, Some(ErrorKind::Garbage))];
    assert_eq!(shape(PowerScope::r1(), &input), expected);
    common::assert_chunking_invariant(PowerScope::r1, &input);
    // The same for a garbage run that reaches the limit.
    let mut input = vec![0x11u8; 64];
    input[63] = 0xA5;
    assert_eq!(shape(PowerScope::r1(), &input), [(0, 63, Some(ErrorKind::Garbage)), (63, 1, Some(ErrorKind::Garbage))]);
    common::assert_chunking_invariant(PowerScope::r1, &input);
}
