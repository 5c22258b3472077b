//! Property tests: round trips of every message type, encoder errors, arbitrary input,
//! chunking and corruption.

mod common;

use proptest::prelude::*;
use serial_dialects::ascii_crc8::{
    Address, Answer, AsciiCrc8, Command, Frame, FrameRepr, Message, Status, emit_frame, encode_address_reply,
    encode_interval_reply, encode_line, encode_lux_reply, encode_mode_reply, encode_request, encode_status_reply,
    encode_view_frame,
};
use serial_dialects::{EncodeError, ErrorKind, SliceDecoder};

/// Decodes `bytes` and returns the single message in it (panics otherwise).
fn only_message(dialect: AsciiCrc8, bytes: &[u8]) -> Message<'_> {
    let mut events: Vec<_> = SliceDecoder::new(dialect, bytes).collect();
    assert_eq!(events.len(), 1, "{events:?}");
    let e = events.remove(0);
    assert_eq!(e.len, bytes.len());
    e.into_frame().unwrap_or_else(|| panic!("rejected: {bytes:?}"))
}

/// Decodes a request followed by a reply, returning the reply.
fn reply_after(request: Command, id: u8, reply: &[u8]) -> Message<'_> {
    let mut req = [0u8; 64];
    let n = encode_request(&mut req, id, &request).unwrap();
    let mut dialect = AsciiCrc8::default();
    {
        let mut dec = SliceDecoder::new(dialect.clone(), &req[..n]);
        assert!(matches!(dec.next().unwrap().frame(), Some(Message::Request(_))));
        dialect = dec.dialect().clone();
    }
    only_message(dialect, reply)
}

fn re_emit(m: &Message<'_>) -> Vec<u8> {
    let mut out = vec![0u8; m.buffer_len()];
    let n = m.emit(&mut out).unwrap();
    assert_eq!(n, out.len());
    out
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        Just(Command::Start),
        Just(Command::Stop),
        Just(Command::Download),
        (prop_oneof![Just(0u8), Just(99), 0u8..=99], prop_oneof![Just(1u8), Just(99), 1u8..=99])
            .prop_map(|(o, c)| Command::View { offset: Some(o), count: Some(c) }),
        prop_oneof![Just(1u32), Just(9999), 1u32..=9999].prop_map(|v| Command::SetInterval { interval_ms: Some(v) }),
        Just(Command::GetInterval),
        (1u8..=6).prop_map(|m| Command::SetMode { mode: Some(m) }),
        Just(Command::GetMode),
        Just(Command::I2cScan),
    ]
}

fn id() -> impl Strategy<Value = u8> {
    prop_oneof![Just(0u8), Just(99), 0u8..=99]
}

/// Bytes a frame's DATA may hold (no markers), including non-ASCII.
fn data_byte() -> impl Strategy<Value = u8> {
    any::<u8>().prop_filter("no markers", |b| *b != b'&' && *b != b'*')
}

/// Bytes an address may hold: printable ASCII other than space, without the markers.
fn address_byte() -> impl Strategy<Value = u8> {
    (0x21u8..=0x7E).prop_filter("no markers", |b| *b != b'&' && *b != b'*')
}

fn address() -> impl Strategy<Value = Address> {
    prop::array::uniform3(address_byte()).prop_map(Address)
}

fn lux() -> impl Strategy<Value = u16> {
    prop_oneof![Just(0u16), Just(9999), 0u16..=9999]
}

proptest! {
    #[test]
    fn request_round_trip(cmd in command(), id in id()) {
        let mut buf = [0u8; 32];
        let n = encode_request(&mut buf, id, &cmd).unwrap();
        prop_assert_eq!(n, cmd.buffer_len());
        let m = only_message(AsciiCrc8::default(), &buf[..n]);
        let Message::Request(r) = m else { panic!("{m:?}") };
        prop_assert_eq!(r.command, cmd);
        prop_assert_eq!(r.frame.id, id);
        prop_assert_eq!(m.type_name(), cmd.code().name());
        prop_assert_eq!(re_emit(&m), &buf[..n]);
    }

    /// Parameters outside the seed's ranges decode as sent; `validate` flags them.
    #[test]
    fn request_parameters_decode_leniently(code in 13u8..=16, a in 0u32..=9999, b in 0u32..=99, tail in "[0-9x]{0,3}") {
        let data = match code {
            13 => format!("13{:02}{:02}{tail}", a % 100, b),
            14 => format!("14{a:04}{tail}"),
            15 => format!("15{tail}"),
            _ => format!("16{}{tail}", a % 10),
        };
        let mut buf = [0u8; 64];
        let n = emit_frame(&mut buf, Address::PC, Address::STM, 1, data.as_bytes()).unwrap();
        let m = only_message(AsciiCrc8::default(), &buf[..n]);
        let Message::Request(r) = m else { panic!("{m:?}") };
        match r.command {
            Command::View { offset, count } => {
                prop_assert_eq!(offset, Some((a % 100) as u8));
                prop_assert_eq!(count, Some(b as u8));
                prop_assert_eq!(r.command.validate().is_ok(), b >= 1);
            }
            Command::SetInterval { interval_ms } => {
                let digits: String = data[2..].chars().take_while(char::is_ascii_digit).collect();
                prop_assert_eq!(interval_ms, digits.parse::<u32>().ok());
                prop_assert_eq!(r.command.validate().is_ok(), (1..=9999).contains(&interval_ms.unwrap()));
            }
            Command::GetInterval => {}
            Command::SetMode { mode } => {
                prop_assert_eq!(mode, Some((a % 10) as u8));
                prop_assert_eq!(r.command.validate().is_ok(), (1..=6).contains(&(a % 10)));
            }
            other => panic!("{other:?}"),
        }
        prop_assert_eq!(re_emit(&m), &buf[..n]);
    }

    #[test]
    fn status_reply_round_trip(code in prop_oneof![Just(0u8), Just(4), Just(99), 0u8..=99], id in id(),
                               req in prop_oneof![Just(Command::Start), Just(Command::Stop), Just(Command::Download),
                                                  Just(Command::GetInterval), Just(Command::GetMode),
                                                  Just(Command::View { offset: Some(0), count: Some(1) })]) {
        let mut buf = [0u8; 32];
        let n = encode_status_reply(&mut buf, id, Status::from_code(code)).unwrap();
        let m = reply_after(req, id, &buf[..n]);
        let Message::Reply(r) = m else { panic!("{m:?}") };
        prop_assert_eq!(r.request, Some(req.code()));
        prop_assert_eq!(r.answer, Some(Answer::Status(Status::from_code(code))));
        prop_assert_eq!(Status::from_code(code).code(), code);
        prop_assert_eq!(re_emit(&m), &buf[..n]);
    }

    #[test]
    fn lux_interval_mode_address_replies_round_trip(id in id(), v in lux(), ms in prop_oneof![Just(1u16), Just(9999), 1u16..=9999],
                                                    mode in 1u8..=6, addr in any::<u8>()) {
        let mut buf = [0u8; 32];
        let cases: [(Command, Answer<'static>); 4] = [
            (Command::Download, Answer::Lux(v)),
            (Command::GetInterval, Answer::IntervalMs(ms)),
            (Command::GetMode, Answer::Mode(mode)),
            (Command::I2cScan, Answer::Address(addr)),
        ];
        for (req, answer) in cases {
            let n = match answer {
                Answer::Lux(v) => encode_lux_reply(&mut buf, id, v),
                Answer::IntervalMs(ms) => encode_interval_reply(&mut buf, id, ms),
                Answer::Mode(m) => encode_mode_reply(&mut buf, id, m),
                Answer::Address(a) => encode_address_reply(&mut buf, id, a),
                _ => unreachable!(),
            }.unwrap();
            let m = reply_after(req, id, &buf[..n]);
            let Message::Reply(r) = m else { panic!("{m:?}") };
            prop_assert_eq!(r.answer, Some(answer));
            prop_assert_eq!(re_emit(&m), &buf[..n]);
        }
    }

    #[test]
    fn view_frame_round_trip(id in id(), start in prop_oneof![Just(0u32), Just(161), 0u32..=1000],
                             values in prop::collection::vec(lux(), 1..=63)) {
        let mut buf = [0u8; 300];
        let n = encode_view_frame(&mut buf, id, start, &values).unwrap();
        let m = reply_after(Command::View { offset: Some(0), count: Some(99) }, id, &buf[..n]);
        let Message::Reply(r) = m else { panic!("{m:?}") };
        let Some(Answer::View { offset, values: got }) = r.answer else { panic!("{r:?}") };
        prop_assert_eq!(u32::from(offset), start % 100);
        prop_assert_eq!(got.iter().collect::<Vec<_>>(), values.clone());
        prop_assert_eq!(got.len(), values.len());
        prop_assert_eq!(re_emit(&m), &buf[..n]);
    }

    #[test]
    fn other_frames_round_trip(src in address(), dst in address(), id in id(),
                               data in prop::collection::vec(data_byte(), 0..=256)) {
        prop_assume!(src != Address::PC && src != Address::STM);
        let mut buf = [0u8; 300];
        let n = emit_frame(&mut buf, src, dst, id, &data).unwrap();
        prop_assert_eq!(n, 15 + data.len());
        let frame = Frame::new_checked(&buf[..n]).unwrap();
        prop_assert_eq!(frame.data(), &data[..]);
        let m = only_message(AsciiCrc8::default(), &buf[..n]);
        let Message::Frame(f) = m else { panic!("{m:?}") };
        prop_assert_eq!(f, FrameRepr::new(src, dst, id, &data));
        prop_assert_eq!(re_emit(&m), &buf[..n]);
    }

    #[test]
    fn device_lines_round_trip(text in "[ -%'-)+-~\t]{1,200}") {
        let mut buf = vec![0u8; text.len() + 2];
        let n = encode_line(&mut buf, text.as_bytes()).unwrap();
        let m = only_message(AsciiCrc8::default(), &buf[..n]);
        let (Message::DeviceError(l) | Message::DeviceText(l)) = m else { panic!("{m:?}") };
        prop_assert_eq!(l.text(), text.as_bytes());
        prop_assert_eq!(matches!(m, Message::DeviceError(_)), text.starts_with("ERR"));
        prop_assert_eq!(re_emit(&m), &buf[..n]);
    }

    #[test]
    fn short_buffers_are_refused(cmd in command(), id in id(), short in 0usize..21) {
        let needed = cmd.buffer_len();
        prop_assume!(short < needed);
        let mut buf = vec![0u8; short];
        prop_assert_eq!(encode_request(&mut buf, id, &cmd), Err(EncodeError::BufferTooSmall { needed, available: short }));
    }

    #[test]
    fn out_of_range_ids_are_refused(id in 100u8..=255) {
        let mut buf = [0u8; 64];
        prop_assert_eq!(encode_request(&mut buf, id, &Command::Start), Err(EncodeError::OutOfRange { field: "ID" }));
        prop_assert_eq!(encode_status_reply(&mut buf, id, Status::Ok), Err(EncodeError::OutOfRange { field: "ID" }));
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_tile(bytes in prop::collection::vec(
        prop_oneof![Just(b'&'), Just(b'*'), Just(b'\n'), Just(b'\r'), Just(b'0'), Just(b'1'), Just(b'A'), any::<u8>()], 0..600)) {
        let events = common::decode_slice(AsciiCrc8::default(), &bytes);
        common::assert_tiles(&events, bytes.len());
        let chunked = common::decode_chunked(AsciiCrc8::default(), &bytes, &[1, 7, 64]);
        prop_assert_eq!(chunked, events);
    }

    #[test]
    fn frame_view_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(frame) = Frame::new_checked(&bytes[..]) {
            prop_assert_eq!(frame.crc(), frame.computed_crc());
            prop_assert_eq!(frame.as_bytes().len(), bytes.len());
        }
    }
}

#[test]
fn out_of_range_fields_are_refused() {
    let mut buf = [0u8; 300];
    let oor = |field| Err(EncodeError::OutOfRange { field });
    assert_eq!(encode_request(&mut buf, 1, &Command::View { offset: Some(100), count: Some(1) }), oor("offset"));
    assert_eq!(encode_request(&mut buf, 1, &Command::View { offset: None, count: Some(1) }), oor("offset"));
    assert_eq!(encode_request(&mut buf, 1, &Command::View { offset: Some(0), count: Some(0) }), oor("count"));
    assert_eq!(encode_request(&mut buf, 1, &Command::View { offset: Some(0), count: Some(100) }), oor("count"));
    assert_eq!(encode_request(&mut buf, 1, &Command::SetInterval { interval_ms: Some(0) }), oor("interval_ms"));
    assert_eq!(encode_request(&mut buf, 1, &Command::SetInterval { interval_ms: Some(10_000) }), oor("interval_ms"));
    assert_eq!(encode_request(&mut buf, 1, &Command::SetInterval { interval_ms: None }), oor("interval_ms"));
    assert_eq!(encode_request(&mut buf, 1, &Command::SetMode { mode: Some(0) }), oor("mode"));
    assert_eq!(encode_request(&mut buf, 1, &Command::SetMode { mode: Some(7) }), oor("mode"));
    assert_eq!(encode_lux_reply(&mut buf, 1, 10_000), oor("lux"));
    assert_eq!(encode_interval_reply(&mut buf, 1, 0), oor("interval_ms"));
    assert_eq!(encode_mode_reply(&mut buf, 1, 7), oor("mode"));
    assert_eq!(encode_status_reply(&mut buf, 1, Status::Unknown(100)), oor("status"));
    assert_eq!(encode_view_frame(&mut buf, 1, 0, &[]), oor("values"));
    assert_eq!(encode_view_frame(&mut buf, 1, 0, &[1; 64]), oor("values"));
    assert_eq!(encode_view_frame(&mut buf, 1, 0, &[10_000]), oor("lux"));
    assert_eq!(
        emit_frame(&mut buf, Address::PC, Address::STM, 1, &[b'1'; 257]),
        Err(EncodeError::TooLong { field: "DATA", len: 257, max: 256 })
    );
    assert_eq!(
        emit_frame(&mut buf, Address::PC, Address::STM, 1, b"1*0"),
        Err(EncodeError::InvalidByte { field: "DATA" })
    );
    assert_eq!(
        emit_frame(&mut buf, Address::PC, Address::STM, 1, b"1&0"),
        Err(EncodeError::InvalidByte { field: "DATA" })
    );
    assert_eq!(
        emit_frame(&mut buf, Address(*b"P*_"), Address::STM, 1, b"10"),
        Err(EncodeError::InvalidByte { field: "SRC" })
    );
    assert_eq!(
        emit_frame(&mut buf, Address::PC, Address(*b"&TM"), 1, b"10"),
        Err(EncodeError::InvalidByte { field: "DST" })
    );
    assert_eq!(emit_frame(&mut buf, Address::PC, Address::STM, 100, b"10"), oor("ID"));
    assert_eq!(encode_line(&mut buf, b""), Err(EncodeError::InvalidByte { field: "text" }));
    assert_eq!(encode_line(&mut buf, b"a\nb"), Err(EncodeError::InvalidByte { field: "text" }));
    assert_eq!(encode_line(&mut buf, b"ERR"), Ok(5));
    assert_eq!(encode_line(&mut [0u8; 4], b"ERR"), Err(EncodeError::BufferTooSmall { needed: 5, available: 4 }));
    // The longest frame fits exactly in 271 bytes.
    assert_eq!(emit_frame(&mut buf[..271], Address::PC, Address::STM, 99, &[b'9'; 256]), Ok(271));
    assert_eq!(
        emit_frame(&mut buf[..270], Address::PC, Address::STM, 99, &[b'9'; 256]),
        Err(EncodeError::BufferTooSmall { needed: 271, available: 270 })
    );
}

/// Frames of every type, interleaved as a device conversation.
fn conversation_frames(count: usize, seed: u64) -> Vec<Vec<u8>> {
    let mut rng = common::XorShift::new(seed);
    let mut frames = Vec::new();
    let mut buf = [0u8; 300];
    for i in 0..count {
        let id = (i % 100) as u8;
        let n = match rng.below(9) {
            0 => encode_request(&mut buf, id, &Command::Download).unwrap(),
            1 => encode_request(&mut buf, id, &Command::View { offset: Some(rng.below(100) as u8), count: Some(99) })
                .unwrap(),
            2 => encode_status_reply(&mut buf, id, Status::from_code(rng.below(5) as u8)).unwrap(),
            3 => encode_lux_reply(&mut buf, id, rng.below(10_000) as u16).unwrap(),
            4 => {
                let values: Vec<u16> = (0..1 + rng.below(63)).map(|_| rng.below(10_000) as u16).collect();
                encode_view_frame(&mut buf, id, rng.below(200) as u32, &values).unwrap()
            }
            5 => encode_address_reply(&mut buf, id, rng.byte()).unwrap(),
            6 => encode_request(&mut buf, id, &Command::SetInterval { interval_ms: Some(1 + rng.below(9999) as u32) })
                .unwrap(),
            7 => encode_line(&mut buf, b"ERR_CRC").unwrap(),
            _ => encode_mode_reply(&mut buf, id, 1 + rng.below(6) as u8).unwrap(),
        };
        frames.push(buf[..n].to_vec());
    }
    frames
}

#[test]
fn corrupted_streams_recover_every_untouched_frame() {
    for &rate in &[0.0005, 0.005, 0.02, 0.1] {
        for seed in 1..=4u64 {
            let frames = conversation_frames(400, seed);
            let c = common::corrupt(&frames, rate, seed * 7919);
            let events: Vec<_> = SliceDecoder::new(AsciiCrc8::default(), &c.bytes).collect();
            common::assert_tiles(&events.iter().map(common::summarize).collect::<Vec<_>>(), c.bytes.len());
            for e in &events {
                if let Some(m) = e.frame() {
                    let bytes = &c.bytes[e.offset as usize..e.offset as usize + e.len];
                    if m.frame().is_some() {
                        let f = Frame::new_checked(bytes).expect("a decoded frame passes its checksum");
                        assert_eq!(f.crc(), f.computed_crc());
                    }
                    assert_eq!(re_emit(m), bytes);
                }
            }
            for &(offset, index) in &c.untouched {
                if frames[index][0] != b'&' {
                    continue; // text lines carry no checksum and may merge with garbage before them
                }
                let e = events
                    .iter()
                    .find(|e| e.offset == offset as u64)
                    .unwrap_or_else(|| panic!("rate {rate} seed {seed}: no event at {offset}"));
                assert_eq!(e.len, frames[index].len());
                let m = e.frame().unwrap_or_else(|| panic!("untouched frame rejected: {e:?}"));
                assert_eq!(re_emit(m), frames[index]);
            }
        }
    }
}

/// A long stream with every kind of error, and stretches longer than the search limit.
fn long_stream() -> Vec<u8> {
    let mut s = Vec::new();
    s.extend_from_slice(b"\r\nSYSTEM START\r\n");
    for (i, f) in conversation_frames(120, 99).into_iter().enumerate() {
        s.extend_from_slice(&f);
        match i % 12 {
            1 => s.extend_from_slice(b"&PC_STM0100310010*"), // CRC mismatch
            2 => s.extend_from_slice(b"&PC_STM01003100"),    // cut by the next frame
            3 => s.extend_from_slice(b"\x00\xff*junk\r\n"),
            4 => s.extend_from_slice(b"&PC_STM01257"),
            5 => s.extend_from_slice(b"ERR: UNKNOWN CMD\r\n"),
            6 => s.extend_from_slice(b"&PC_STM0A003100B6*"),
            7 => s.extend(std::iter::repeat_n(b'7', 1500)),
            8 => {
                s.push(b'&');
                s.extend(std::iter::repeat_n(b'5', 2100));
            }
            9 => {
                s.extend(std::iter::repeat_n(b'x', 1300));
                s.extend_from_slice(b"\r\nERR_LENGTH\r\n");
            }
            _ => {}
        }
    }
    s.extend_from_slice(b"&STMPC_01002"); // cut by the end
    s
}

#[test]
fn long_stream_with_errors_is_chunking_invariant() {
    let s = long_stream();
    common::assert_chunking_invariant(AsciiCrc8::default, &s);
    let events: Vec<_> = SliceDecoder::new(AsciiCrc8::default(), &s).collect();
    let kinds: std::collections::BTreeSet<ErrorKind> = events.iter().filter_map(|e| e.error_kind()).collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            ErrorKind::Garbage,
            ErrorKind::CrcMismatch,
            ErrorKind::BadLength,
            ErrorKind::Truncated,
            ErrorKind::InvalidField
        ]
    );
    assert!(events.iter().all(|e| e.len <= 1024));
    let replies = events.iter().filter(|e| matches!(e.frame(), Some(Message::Reply(_)))).count();
    assert!(replies > 30);
    assert!(events.iter().any(|e| matches!(e.frame(), Some(Message::DeviceText(_)))));
    assert!(events.iter().any(|e| matches!(e.frame(), Some(Message::DeviceError(_)))));
}
