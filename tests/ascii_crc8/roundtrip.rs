//! Round trips of every message type (typed message → bytes → the same message), and every
//! encoder error.

use proptest::prelude::*;
use serial_dialects::ascii_crc8::{
    Address, Answer, AsciiCrc8, Command, CommandCode, DeviceLine, Frame, FrameRepr, Message, Reply, Request, Status,
    emit_frame, encode_address_reply, encode_interval_reply, encode_line, encode_lux_reply, encode_mode_reply,
    encode_request, encode_status_reply, encode_view_frame,
};
use serial_dialects::{EncodeError, Message as _, SliceDecoder};

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

pub(crate) fn re_emit(m: &Message<'_>) -> Vec<u8> {
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
        prop_assert_eq!(m.name(), cmd.code().name());
        prop_assert_eq!(re_emit(&m), &buf[..n]);
    }

    /// Parameters outside the documented ranges decode as sent; `validate` flags them.
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

/// Emits into a buffer large enough for every message of these tests.
fn emit(m: &Message<'_>) -> Result<usize, EncodeError> {
    m.emit(&mut [0u8; 64])
}

#[test]
fn emit_refuses_what_the_decoder_would_read_differently() {
    let oor = |field| Err(EncodeError::OutOfRange { field });
    let pc = |data| FrameRepr::new(Address::PC, Address::STM, 7, data);
    let stm = |data| FrameRepr::new(Address::STM, Address::PC, 7, data);
    let request = |frame, command| Message::Request(Request { frame, command });
    assert_eq!(emit(&request(pc(b"100"), Command::Start)), Ok(18));
    assert_eq!(emit(&request(pc(b"100"), Command::Stop)), oor("command"));
    assert_eq!(emit(&request(stm(b"100"), Command::Start)), oor("SRC"));
    // Out of the encoder's range but as the device reads it: re-encodes.
    assert_eq!(emit(&request(pc(b"169"), Command::SetMode { mode: Some(9) })), Ok(18));
    assert_eq!(emit(&request(pc(b"16x"), Command::SetMode { mode: Some(1) })), oor("command"));

    let reply = |frame, request, answer| Message::Reply(Reply { frame, request, answer });
    let status = Some(Answer::Status(Status::ErrNoData));
    assert_eq!(emit(&reply(stm(b"03"), Some(CommandCode::Start), status)), Ok(17));
    assert_eq!(emit(&reply(stm(b"03"), Some(CommandCode::I2cScan), status)), oor("answer"));
    assert_eq!(emit(&reply(stm(b"03"), Some(CommandCode::I2cScan), Some(Answer::Address(3)))), Ok(17));
    assert_eq!(emit(&reply(stm(b"03"), None, status)), oor("answer"));
    assert_eq!(emit(&reply(stm(b"03"), None, None)), Ok(17));
    assert_eq!(emit(&reply(pc(b"03"), None, None)), oor("SRC"));

    assert_eq!(emit(&Message::Frame(pc(b"19"))), Ok(17));
    assert_eq!(emit(&Message::Frame(pc(b"12"))), oor("DATA"));
    assert_eq!(emit(&Message::Frame(stm(b"12"))), oor("SRC"));
    // Field checks come first.
    assert_eq!(emit(&Message::Frame(FrameRepr { id: 100, ..pc(b"12") })), oor("ID"));

    let err = DeviceLine::new(b"ERR_CRC\r\n").unwrap();
    let text = DeviceLine::new(b"SYSTEM START\r\n").unwrap();
    assert_eq!(emit(&Message::DeviceError(err)), Ok(9));
    assert_eq!(emit(&Message::DeviceText(err)), oor("text"));
    assert_eq!(emit(&Message::DeviceText(text)), Ok(14));
    assert_eq!(emit(&Message::DeviceError(text)), oor("text"));

    // A stale CRC is not an error: the encoder writes the right one.
    let (mut fresh, mut stale) = ([0u8; 17], [0u8; 17]);
    assert_eq!(Message::Frame(pc(b"19")).emit(&mut fresh), Ok(17));
    let stale_crc = Message::Frame(FrameRepr { crc: 0, crc_digits: *b"00", ..pc(b"19") });
    assert_eq!(stale_crc.emit(&mut stale), Ok(17));
    assert_eq!(fresh, stale);
    assert_ne!(&fresh[14..16], b"00");
}

#[test]
fn status_replies_refuse_unknown_of_a_named_code() {
    let mut buf = [0u8; 32];
    assert_eq!(encode_status_reply(&mut buf, 1, Status::Unknown(3)), Err(EncodeError::OutOfRange { field: "status" }));
    assert_eq!(encode_status_reply(&mut buf, 1, Status::Unknown(5)), Ok(17));
    assert_eq!(encode_status_reply(&mut buf, 1, Status::ErrNoData), Ok(17));
}
