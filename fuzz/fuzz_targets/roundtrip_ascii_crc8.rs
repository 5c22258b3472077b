//! Arbitrary typed ascii-crc8 messages through the encoders and back through the decoder.
//!
//! Four ways in, each checked against an oracle written here, independently of the
//! library: the verbatim `Message::emit` of an arbitrary typed message, `encode_request`
//! of an arbitrary command, the device-side reply encoders with arbitrary values, and
//! `encode_line` of arbitrary text. Every input must either be refused with exactly the
//! typed `EncodeError` the oracle predicts, or encode to `buffer_len()` bytes (one byte
//! fewer being `BufferTooSmall`) that decode, with the `SliceDecoder` and with the checked
//! frame view, to exactly one event spanning all of them whose message equals the
//! original.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serial_dialects::ascii_crc8::{
    Address, Answer, AsciiCrc8, Command, CommandCode, Config, Frame, FrameRepr, MAX_LINE_LEN, Message, Reply, Request,
    Status,
    encode_address_reply, encode_interval_reply, encode_line, encode_lux_reply, encode_mode_reply, encode_request,
    encode_status_reply, encode_view_frame,
};
use serial_dialects::{EncodeError, SliceDecoder};

/// What the device-side reply encoders take.
#[derive(Debug, Arbitrary)]
enum ReplyValue {
    Status(Status),
    Lux(u16),
    IntervalMs(u16),
    Mode(u8),
    Address(u8),
    View { start_offset: u32, values: Vec<u16> },
}

#[derive(Debug, Arbitrary)]
enum Case<'a> {
    /// Any typed message, written verbatim by `Message::emit`.
    Message(Message<'a>),
    /// A request through `encode_request`.
    Request { id: u8, command: Command },
    /// A reply through the device-side encoders, read after a request of `request`.
    Reply { id: u8, request: CommandCode, value: ReplyValue },
    /// A device text line through `encode_line`.
    Line(&'a [u8]),
}

fuzz_target!(|case: Case<'_>| match case {
    Case::Message(message) => check_message(&message),
    Case::Request { id, command } => check_request(id, command),
    Case::Reply { id, request, value } => check_reply(id, request, &value),
    Case::Line(text) => check_line(text),
});

fn out_of_range(field: &'static str) -> EncodeError {
    EncodeError::OutOfRange { field }
}

fn has_marker(bytes: &[u8]) -> bool {
    bytes.iter().any(|&b| b == b'&' || b == b'*')
}

/// Whether an address has a byte a frame cannot carry there: outside 0x21..=0x7E (the
/// printable characters but space), or a marker. Written out, not `Address::is_valid`, so
/// that the target checks the encoder against the rule rather than against itself.
fn bad_address(address: &Address) -> bool {
    address.0.iter().any(|&b| !(0x21..=0x7E).contains(&b)) || has_marker(&address.0)
}

/// Runs `encode` into a buffer of exactly `len` bytes and one of `len - 1`: the result must
/// be `expected` (an error) or `len` bytes, with the short buffer refused.
fn encode_checked(
    len: usize,
    expected: Option<EncodeError>,
    encode: impl Fn(&mut [u8]) -> Result<usize, EncodeError>,
) -> Option<Vec<u8>> {
    let mut out = vec![0u8; len];
    match (encode(&mut out), expected) {
        (Err(got), Some(want)) => {
            assert_eq!(got, want, "refused with the wrong error");
            None
        }
        (Err(got), None) => panic!("refused with {got:?}, expected success"),
        (Ok(n), Some(want)) => panic!("encoded {:?} ({n} bytes), expected {want:?}", &out[..n]),
        (Ok(n), None) => {
            assert_eq!(n, len, "buffer_len() is not the encoded length");
            let mut short = vec![0u8; len - 1];
            assert_eq!(encode(&mut short), Err(EncodeError::BufferTooSmall { needed: len, available: len - 1 }));
            Some(out)
        }
    }
}

/// Decodes `bytes` with `dialect`: exactly one frame event spanning all of them.
fn only_message(dialect: AsciiCrc8, bytes: &[u8]) -> Message<'_> {
    let mut events: Vec<_> = SliceDecoder::new(dialect, bytes).collect();
    assert_eq!(events.len(), 1, "{bytes:?} decodes to {events:?}");
    let event = events.remove(0);
    assert_eq!((event.offset, event.len), (0, bytes.len()));
    event.into_frame().unwrap_or_else(|| panic!("{bytes:?} is rejected"))
}

/// A dialect that has just seen a valid request of `code` with `id` (so a reply with `id`
/// is read against it), or a fresh one.
fn dialect_after(request: Option<(u8, CommandCode)>) -> AsciiCrc8 {
    let Some((id, code)) = request else {
        return AsciiCrc8::default();
    };
    let command = match code {
        CommandCode::Start => Command::Start,
        CommandCode::Stop => Command::Stop,
        CommandCode::Download => Command::Download,
        CommandCode::View => Command::View { offset: Some(0), count: Some(1) },
        CommandCode::SetInterval => Command::SetInterval { interval_ms: Some(1) },
        CommandCode::GetInterval => Command::GetInterval,
        CommandCode::SetMode => Command::SetMode { mode: Some(1) },
        CommandCode::GetMode => Command::GetMode,
        CommandCode::I2cScan => Command::I2cScan,
    };
    let mut buf = [0u8; 32];
    let n = encode_request(&mut buf, id, &command).expect("a valid request encodes");
    let mut decoder = SliceDecoder::new(AsciiCrc8::default(), &buf[..n]);
    let event = decoder.next().expect("one event");
    assert!(matches!(event.frame(), Some(Message::Request(r)) if r.command == command), "{event:?}");
    assert_eq!(decoder.dialect().request_for(id), Some(code));
    decoder.dialect().clone()
}

/// Two hex digits (either case) as a byte.
fn hex_value(digits: [u8; 2]) -> Option<u8> {
    let d = |b: u8| char::from(b).to_digit(16).map(|v| v as u8);
    Some(d(digits[0])? << 4 | d(digits[1])?)
}

/// `repr` with the CRC the encoder writes: the correct one, in the given characters when
/// they spell it, else in uppercase.
fn with_written_crc(repr: FrameRepr<'_>) -> FrameRepr<'_> {
    let fresh = FrameRepr::new(repr.src, repr.dst, repr.id, repr.data);
    assert_eq!(fresh.crc_digits, format!("{:02X}", fresh.crc).as_bytes(), "FrameRepr::new CRC digits");
    let crc_digits = if hex_value(repr.crc_digits) == Some(fresh.crc) { repr.crc_digits } else { fresh.crc_digits };
    FrameRepr { crc_digits, ..fresh }
}

/// What `Message::emit` must refuse, checked in its documented order.
fn message_refusal(message: &Message<'_>) -> Option<EncodeError> {
    let frame_refusal = |f: &FrameRepr<'_>| {
        if f.id > 99 {
            Some(out_of_range("ID"))
        } else if f.data.len() > 256 {
            Some(EncodeError::TooLong { field: "DATA", len: f.data.len(), max: 256 })
        } else if bad_address(&f.src) {
            Some(EncodeError::InvalidByte { field: "SRC" })
        } else if bad_address(&f.dst) {
            Some(EncodeError::InvalidByte { field: "DST" })
        } else if has_marker(f.data) {
            Some(EncodeError::InvalidByte { field: "DATA" })
        } else {
            None
        }
    };
    let unless = |ok: bool, field| (!ok).then(|| out_of_range(field));
    match message {
        Message::Request(r) => frame_refusal(&r.frame)
            .or_else(|| unless(r.frame.src == Address::PC, "SRC"))
            .or_else(|| unless(request_data_is(r.frame.data, &r.command), "command")),
        Message::Reply(r) => frame_refusal(&r.frame)
            .or_else(|| unless(r.frame.src == Address::STM, "SRC"))
            .or_else(|| unless(answer_is(r.request, r.frame.data, r.answer), "answer")),
        Message::Frame(f) => frame_refusal(f).or_else(|| unless(f.src != Address::STM, "SRC")).or_else(|| {
            let is_command = matches!(f.data, [b'1', b'0'..=b'8', ..]);
            unless(f.src != Address::PC || !is_command, "DATA")
        }),
        Message::DeviceError(l) => unless(l.text().starts_with(b"ERR"), "text"),
        Message::DeviceText(l) => unless(!l.text().starts_with(b"ERR"), "text"),
    }
}

/// Whether a request's DATA reads as `command`, as the device reads it: a 2-digit code,
/// then fixed-width digits (VIEW, SET_MODE) or at least 4 digits (SET_INTERVAL).
fn request_data_is(data: &[u8], command: &Command) -> bool {
    let (Some(code), params) = (data.get(..2), data.get(2..).unwrap_or(&[])) else {
        return false;
    };
    let number = |digits: Option<&[u8]>| -> Option<u64> {
        let digits = digits.filter(|d| !d.is_empty() && d.iter().all(u8::is_ascii_digit))?;
        std::str::from_utf8(digits).ok()?.parse().ok()
    };
    let small = |digits: Option<&[u8]>| number(digits).map(|v| v as u8);
    let code_is = |c: &[u8; 2]| code == c;
    match *command {
        Command::Start => code_is(b"10"),
        Command::Stop => code_is(b"11"),
        Command::Download => code_is(b"12"),
        Command::View { offset, count } => {
            code_is(b"13") && offset == small(params.get(..2)) && count == small(params.get(2..4))
        }
        Command::SetInterval { interval_ms } => {
            let n = params.iter().take_while(|b| b.is_ascii_digit()).count();
            let value = if n >= 4 { number(params.get(..n)).and_then(|v| u32::try_from(v).ok()) } else { None };
            code_is(b"14") && interval_ms == value
        }
        Command::GetInterval => code_is(b"15"),
        Command::SetMode { mode } => code_is(b"16") && mode == small(params.get(..1)),
        Command::GetMode => code_is(b"17"),
        Command::I2cScan => code_is(b"18"),
    }
}

/// Whether a reply's DATA, read against `request`, is `answer`.
fn answer_is(request: Option<CommandCode>, data: &[u8], answer: Option<Answer<'_>>) -> bool {
    let digits = |d: &[u8]| !d.is_empty() && d.iter().all(u8::is_ascii_digit);
    let value = |d: &[u8]| std::str::from_utf8(d).unwrap().parse::<u32>().unwrap();
    let expected = match (request, data.len()) {
        (None, _) => None,
        (Some(CommandCode::I2cScan), 2) => hex_value([data[0], data[1]]).map(Answer::Address),
        (Some(_), 2) if digits(data) => Some(Answer::Status(Status::from_code(value(data) as u8))),
        (Some(CommandCode::Download), 4) if digits(data) => Some(Answer::Lux(value(data) as u16)),
        (Some(CommandCode::GetInterval), 4) if digits(data) => Some(Answer::IntervalMs(value(data) as u16)),
        (Some(CommandCode::GetMode), 1) if digits(data) => Some(Answer::Mode(value(data) as u8)),
        (Some(CommandCode::View), n) if n > 2 && (n - 2) % 4 == 0 && n - 2 <= 4 * 63 && digits(data) => {
            let Some(Answer::View { offset, values }) = answer else {
                return false;
            };
            let want: Vec<u16> = data[2..].chunks(4).map(|c| value(c) as u16).collect();
            return u32::from(offset) == value(&data[..2]) && values.iter().collect::<Vec<_>>() == want;
        }
        _ => None,
    };
    answer == expected
}

fn check_message(message: &Message<'_>) {
    let len = message.buffer_len();
    let expected = message_refusal(message);
    let Some(bytes) = encode_checked(len, expected, |out| message.emit(out)) else {
        return;
    };
    match message {
        Message::DeviceError(line) | Message::DeviceText(line) => {
            assert_eq!(bytes, line.as_bytes());
            assert_eq!(Message::parse_line(&bytes).as_ref(), Some(message));
            if bytes.len() > MAX_LINE_LEN {
                // Longer than the default search limit: garbage by default, a line for a
                // decoder whose limit covers it.
                let events: Vec<_> = SliceDecoder::new(AsciiCrc8::default(), &bytes).collect();
                assert!(events.iter().all(|e| e.frame().is_none() && e.len <= MAX_LINE_LEN), "{events:?}");
                let wide = AsciiCrc8::new(Config { search_limit: bytes.len() });
                assert_eq!(&only_message(wide, &bytes), message);
            } else {
                assert_eq!(&only_message(AsciiCrc8::default(), &bytes), message);
            }
        }
        Message::Request(_) | Message::Reply(_) | Message::Frame(_) => {
            let repr = *message.frame().expect("a frame message");
            let request = match message {
                Message::Reply(r) => r.request.map(|code| (repr.id, code)),
                _ => None,
            };
            let expected = match *message {
                Message::Request(r) => Message::Request(Request { frame: with_written_crc(r.frame), ..r }),
                Message::Reply(r) => Message::Reply(Reply { frame: with_written_crc(r.frame), ..r }),
                Message::Frame(f) => Message::Frame(with_written_crc(f)),
                _ => unreachable!(),
            };
            // The frame-level parse.
            let frame = Frame::new_checked(&bytes[..]).expect("an encoded frame passes the checked view");
            assert_eq!(frame.crc(), frame.computed_crc());
            assert_eq!(frame.as_bytes(), &bytes[..]);
            assert_eq!(FrameRepr::parse(&frame), *expected.frame().unwrap());
            assert_eq!(Message::parse(&frame, |id| request.filter(|r| r.0 == id).map(|r| r.1)), expected);
            // The stream decoder, with the request state a reply needs.
            assert_eq!(only_message(dialect_after(request), &bytes), expected);
        }
    }
}

fn check_request(id: u8, command: Command) {
    let valid = match command {
        Command::View { offset, count } => {
            if !offset.is_some_and(|o| o <= 99) {
                Some(out_of_range("offset"))
            } else if !count.is_some_and(|c| (1..=99).contains(&c)) {
                Some(out_of_range("count"))
            } else {
                None
            }
        }
        Command::SetInterval { interval_ms } => {
            (!interval_ms.is_some_and(|v| (1..=9999).contains(&v))).then(|| out_of_range("interval_ms"))
        }
        Command::SetMode { mode } => (!mode.is_some_and(|m| (1..=6).contains(&m))).then(|| out_of_range("mode")),
        _ => None,
    };
    let expected = valid.or_else(|| (id > 99).then(|| out_of_range("ID")));
    let Some(bytes) = encode_checked(command.buffer_len(), expected, |out| encode_request(out, id, &command)) else {
        return;
    };
    let data = &bytes[12..bytes.len() - 3];
    let want_data = match command {
        Command::View { offset: Some(o), count: Some(c) } => format!("13{o:02}{c:02}"),
        Command::SetInterval { interval_ms: Some(v) } => format!("14{v:04}"),
        Command::SetMode { mode: Some(m) } => format!("16{m}"),
        other => format!("{}0", other.code().code()),
    };
    assert_eq!(data, want_data.as_bytes());
    let message = only_message(AsciiCrc8::default(), &bytes);
    let Message::Request(request) = message else { panic!("{command:?} decodes to {message:?}") };
    assert_eq!(request.command, command);
    assert_eq!(request.frame, FrameRepr::new(Address::PC, Address::STM, id, data));
    assert_eq!(serial_dialects::Message::name(&message), command.code().name());
}

fn check_reply(id: u8, request: CommandCode, value: &ReplyValue) {
    let range = |ok: bool, field| (!ok).then(|| out_of_range(field));
    let (refusal, data, len) = match value {
        ReplyValue::Status(s) => {
            let named = matches!(s, Status::Unknown(c) if *c <= 4);
            (range(s.code() <= 99 && !named, "status"), format!("{:02}", s.code()), 17)
        }
        ReplyValue::Lux(v) => (range(*v <= 9999, "lux"), format!("{v:04}"), 19),
        ReplyValue::IntervalMs(v) => (range((1..=9999).contains(v), "interval_ms"), format!("{v:04}"), 19),
        ReplyValue::Mode(m) => (range((1..=6).contains(m), "mode"), format!("{m}"), 16),
        ReplyValue::Address(a) => (None, format!("{a:02X}"), 17),
        ReplyValue::View { start_offset, values } => {
            let refusal = range((1..=63).contains(&values.len()), "values")
                .or_else(|| range(values.iter().all(|&v| v <= 9999), "lux"));
            let digits: String = values.iter().map(|v| format!("{v:04}")).collect();
            (refusal, format!("{:02}{digits}", start_offset % 100), 17 + 4 * values.len())
        }
    };
    let refusal = refusal.or_else(|| (id > 99).then(|| out_of_range("ID")));
    let encode = |out: &mut [u8]| match value {
        ReplyValue::Status(s) => encode_status_reply(out, id, *s),
        ReplyValue::Lux(v) => encode_lux_reply(out, id, *v),
        ReplyValue::IntervalMs(v) => encode_interval_reply(out, id, *v),
        ReplyValue::Mode(m) => encode_mode_reply(out, id, *m),
        ReplyValue::Address(a) => encode_address_reply(out, id, *a),
        ReplyValue::View { start_offset, values } => encode_view_frame(out, id, *start_offset, values),
    };
    // A refused view has no meaningful length: any buffer will do.
    let len = if refusal.is_some() { len.min(300) } else { len };
    let Some(bytes) = encode_checked(len, refusal, encode) else {
        return;
    };
    let data = data.as_bytes();
    assert_eq!(&bytes[12..bytes.len() - 3], data);
    let message = only_message(dialect_after(Some((id, request))), &bytes);
    let Message::Reply(reply) = message else { panic!("{value:?} decodes to {message:?}") };
    assert_eq!(reply.frame, FrameRepr::new(Address::STM, Address::PC, id, data));
    assert_eq!(reply.request, Some(request));
    assert!(answer_is(Some(request), data, reply.answer), "{request:?} {value:?}: {:?}", reply.answer);
    // Read against the request it answers, the value comes back as it was written.
    let answered = match (value, request) {
        (ReplyValue::Status(s), r) if r != CommandCode::I2cScan => reply.answer == Some(Answer::Status(*s)),
        (ReplyValue::Lux(v), CommandCode::Download) => reply.answer == Some(Answer::Lux(*v)),
        (ReplyValue::IntervalMs(v), CommandCode::GetInterval) => reply.answer == Some(Answer::IntervalMs(*v)),
        (ReplyValue::Mode(m), CommandCode::GetMode) => reply.answer == Some(Answer::Mode(*m)),
        (ReplyValue::Address(a), CommandCode::I2cScan) => reply.answer == Some(Answer::Address(*a)),
        (ReplyValue::View { start_offset, values }, CommandCode::View) => match reply.answer {
            Some(Answer::View { offset, values: got }) => {
                u32::from(offset) == start_offset % 100 && got.iter().eq(values.iter().copied())
            }
            _ => false,
        },
        _ => true, // a reply read against another request: checked by `answer_is` above
    };
    assert!(answered, "{request:?} {value:?}: {:?}", reply.answer);
}

fn check_line(text: &[u8]) {
    let printable = |b: &u8| *b == b'\t' || ((0x20..=0x7E).contains(b) && *b != b'&' && *b != b'*');
    let refusal = if text.is_empty() || !text.iter().all(printable) {
        Some(EncodeError::InvalidByte { field: "text" })
    } else if text.len() > MAX_LINE_LEN - 2 {
        Some(EncodeError::TooLong { field: "text", len: text.len(), max: MAX_LINE_LEN - 2 })
    } else {
        None
    };
    let len = if refusal.is_some() { 8 } else { text.len() + 2 };
    let Some(bytes) = encode_checked(len, refusal, |out| encode_line(out, text)) else {
        return;
    };
    assert_eq!(&bytes[..text.len()], text);
    assert_eq!(&bytes[text.len()..], b"\r\n");
    let message = only_message(AsciiCrc8::default(), &bytes);
    let (Message::DeviceError(line) | Message::DeviceText(line)) = message else { panic!("{message:?}") };
    assert_eq!(line.text(), text);
    assert_eq!(matches!(message, Message::DeviceError(_)), text.starts_with(b"ERR"));
}
