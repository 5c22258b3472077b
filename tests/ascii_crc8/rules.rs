//! One test per wire rule and decision of `docs/protocols/ascii-crc8.md`.

use serial_dialects::ascii_crc8::{
    Address, Answer, AsciiCrc8, Command, CommandCode, Config, Error, Field, Frame, Message, Status, emit_frame,
    encode_address_reply, encode_lux_reply, encode_request, encode_status_reply,
};
use serial_dialects::{Dialect, ErrorKind, Message as _, SliceDecoder};

use crate::common;

/// `(offset, len, error kind or message type)` of every event.
fn events(input: &[u8]) -> Vec<(u64, usize, String)> {
    SliceDecoder::new(AsciiCrc8::default(), input)
        .map(|e| {
            let what = match (e.frame(), e.error_kind()) {
                (Some(m), _) => m.name().to_string(),
                (None, Some(k)) => k.as_str().to_string(),
                _ => unreachable!(),
            };
            (e.offset, e.len, what)
        })
        .collect()
}

fn errors(input: &[u8]) -> Vec<Error> {
    SliceDecoder::new(AsciiCrc8::default(), input).filter_map(|e| e.error().cloned()).collect()
}

fn messages(input: &[u8]) -> Vec<Message<'_>> {
    SliceDecoder::new(AsciiCrc8::default(), input).filter_map(|e| e.into_frame()).collect()
}

fn ev(offset: u64, len: usize, what: &str) -> (u64, usize, String) {
    (offset, len, what.to_string())
}

#[test]
fn no_spaces_on_the_wire() {
    // The documented START typed with its reading spaces (CRC over the spaced text).
    let mut spaced = b"& PC_ STM 01 003 100 ".to_vec();
    let crc = serial_dialects::crc::crc8(&spaced[1..]);
    spaced.extend_from_slice(format!("{crc:02X} *").as_bytes());
    assert_eq!(events(&spaced), [ev(0, spaced.len(), "invalid_field")]);
    assert_eq!(events(b"&PC_STM010031000F*"), [ev(0, 18, "START")]);
}

/// `&`, `src`, `dst`, ID 01, LEN and DATA `100` (START), the CRC-8 of it all, `*`: a frame
/// that is right in every field but possibly the addresses.
fn frame_with(src: &[u8; 3], dst: &[u8; 3]) -> Vec<u8> {
    let mut f = [&b"&"[..], src, dst, b"01003100"].concat();
    let crc = serial_dialects::crc::crc8(&f[1..]);
    f.extend_from_slice(format!("{crc:02X}*").as_bytes());
    f
}

#[test]
fn an_address_byte_outside_0x21_to_0x7e_is_invalid_field() {
    let next = b"&PC_STM03003100B6*";
    for (src, dst, at, byte) in [
        (b"PC ", b"STM", 3, b' '),
        (b" C_", b"STM", 1, b' '),
        (b"PC_", b"ST ", 6, b' '),
        (b"PC_", b" TM", 4, b' '),
        (b"P\tC", b"STM", 2, b'\t'),
        (b"PC_", b"S\x7FM", 5, 0x7F),
        (b"\x00C_", b"STM", 1, 0x00),
        (b"PC_", b"ST\xFF", 6, 0xFF),
    ] {
        let bad = frame_with(src, dst);
        assert_eq!(bad.len(), 18);
        let input = [&bad[..], next].concat();
        // One event for the whole rejected frame (its `&` to its `*`), then the next frame.
        assert_eq!(events(&input), [ev(0, 18, "invalid_field"), ev(18, 18, "START")], "{src:?} {dst:?}");
        let field = if at < 4 { Field::Src } else { Field::Dst };
        assert_eq!(errors(&input), [Error::InvalidAddress { field, at, byte }]);
        assert_eq!(Frame::new_checked(&bad[..]), Err(Error::InvalidAddress { field, at, byte }));
        common::assert_chunking_invariant(AsciiCrc8::default, &input);
    }
    // The first bad byte decides, in wire order.
    assert_eq!(errors(&frame_with(b"P C", b"S M")), [Error::InvalidAddress { field: Field::Src, at: 2, byte: b' ' }]);
    let e = Error::InvalidAddress { field: Field::Dst, at: 5, byte: b' ' };
    assert_eq!(e.to_string(), "DST has the byte 0x20 at position 5, not a printable ASCII character other than space");
}

#[test]
fn a_rejected_address_resynchronises_by_the_dialect_rules() {
    // No `*` before the next `&`: the rejection runs up to it, and that frame decodes.
    let input = b"&PC STMjunk&PC_STM03003100B6*";
    assert_eq!(events(input), [ev(0, 11, "invalid_field"), ev(11, 18, "START")]);
    // The `*` ends the rejection even when the frame was decided at its third byte; a
    // device line and a reply follow.
    let mut input = frame_with(b"PC ", b"STM");
    input.extend_from_slice(b"ERR_CRC\r\n&STMPC_0100200FC*");
    assert_eq!(events(&input), [ev(0, 18, "invalid_field"), ev(18, 9, "DEVICE_ERROR"), ev(27, 17, "REPLY")]);
    // Cut off by the end of the input after the bad byte: still the address error, to the end.
    assert_eq!(events(b"&PC S"), [ev(0, 5, "invalid_field")]);
    assert_eq!(events(b"&PC"), [ev(0, 3, "truncated")]);
    // The markers in an address are framing, as everywhere in a frame: a `&` restarts (the
    // cut candidate is truncated), a `*` ends the frame early.
    assert_eq!(events(b"&P&PC_STM03003100B6*"), [ev(0, 2, "truncated"), ev(2, 18, "START")]);
    assert_eq!(events(b"&PC_S*M03003100B6*"), [ev(0, 6, "bad_length"), ev(6, 12, "garbage")]);
    for input in [&b"&PC STMjunk&PC_STM03003100B6*"[..], &input, b"&PC S", b"&P&PC_STM03003100B6*"] {
        common::assert_chunking_invariant(AsciiCrc8::default, input);
    }
}

#[test]
fn addresses_of_0x21_and_0x7e_are_accepted() {
    let mut buf = [0u8; 64];
    for (src, dst) in [(b"!~!", b"~!~"), (b"!!!", b"~~~"), (b"#$%", b"!}~")] {
        let n = emit_frame(&mut buf, Address(*src), Address(*dst), 1, b"hello").unwrap();
        assert_eq!(events(&buf[..n]), [ev(0, n, "FRAME")]);
        let Message::Frame(f) = messages(&buf[..n]).remove(0) else { panic!() };
        assert_eq!((f.src, f.dst), (Address(*src), Address(*dst)));
        // Built by hand with the crate's CRC-8, too.
        assert_eq!(events(&frame_with(src, dst)), [ev(0, 18, "FRAME")]);
    }
    assert!(Address::is_valid_byte(0x21) && Address::is_valid_byte(0x7E));
    assert!(!Address::is_valid_byte(0x20) && !Address::is_valid_byte(0x7F));
    assert!(!Address::is_valid_byte(b'&') && !Address::is_valid_byte(b'*'));
    assert_eq!(Address::new_checked(*b"!~!"), Some(Address(*b"!~!")));
    assert_eq!(Address::new_checked(*b"PC "), None);
    assert!(Address::PC.is_valid() && Address::STM.is_valid());
}

#[test]
fn the_encoder_refuses_an_address_byte_outside_0x21_to_0x7e() {
    let mut buf = [0u8; 64];
    let refused = |field| Err(serial_dialects::EncodeError::InvalidByte { field });
    for bad in [*b"PC ", *b" TM", *b"\x7FTM", *b"S\x00M", *b"ST\x80", *b"P&C", *b"P*C"] {
        assert_eq!(emit_frame(&mut buf, Address(bad), Address::STM, 1, b"10"), refused("SRC"), "{bad:?}");
        assert_eq!(emit_frame(&mut buf, Address::STM, Address(bad), 1, b"00"), refused("DST"), "{bad:?}");
        let frame = serial_dialects::ascii_crc8::FrameRepr::new(Address::PC, Address(bad), 1, b"");
        assert_eq!(Message::Frame(frame).emit(&mut buf), refused("DST"), "{bad:?}");
    }
}

#[test]
fn crc8_smbus_over_src_to_data_uppercase_on_send_either_case_on_receive() {
    let mut buf = [0u8; 32];
    let n = encode_request(&mut buf, 3, &Command::Start).unwrap();
    assert_eq!(&buf[..n], b"&PC_STM03003100B6*");
    assert_eq!(serial_dialects::crc::crc8(b"PC_STM03003100"), 0xB6);
    assert_eq!(events(b"&PC_STM03003100b6*"), [ev(0, 18, "START")]);
    assert_eq!(events(b"&PC_STM03003100bB*"), [ev(0, 18, "crc_mismatch")]);
    assert_eq!(errors(b"&PC_STM03003100B7*"), [Error::CrcMismatch { received: 0xB7, computed: 0xB6 }]);
}

#[test]
fn len_is_the_real_data_length_up_to_256() {
    let mut buf = [0u8; 300];
    let n = emit_frame(&mut buf, Address::PC, Address::STM, 7, &[b'5'; 256]).unwrap();
    assert_eq!(n, 271);
    assert_eq!(Frame::new_checked(&buf[..n]).unwrap().len_field(), 256);
    assert_eq!(events(&buf[..n]), [ev(0, 271, "FRAME")]);
    // LEN 257 is bad_length, decided at the LEN field; the rejection runs to the `*`.
    let mut f = b"&PC_STM01257".to_vec();
    f.extend_from_slice(&[b'1'; 257]);
    f.extend_from_slice(b"00*");
    assert_eq!(errors(&f), [Error::LengthTooLarge { len: 257 }]);
    assert_eq!(events(&f), [ev(0, f.len(), "bad_length")]);
    // LEN one too big (the original documentation's erratum): the `*` arrives where a CRC
    // digit should be.
    assert_eq!(errors(b"&PC_STM0500714100084*"), [Error::EarlyTerminator { at: 20, expected: Some(21) }]);
    // LEN too small: something other than `*` where LEN puts it.
    assert_eq!(errors(b"&PC_STM01002100FF*"), [Error::MissingTerminator { at: 16, len: 2, found: b'F' }]);
}

#[test]
fn data_cannot_hold_amp_or_star() {
    // `*` in DATA ends the candidate early: bad_length, up to and including that `*`.
    assert_eq!(events(b"&PC_STM01006ab*def00*"), [ev(0, 15, "bad_length"), ev(15, 6, "garbage")]);
    // `&` in DATA restarts: the cut candidate is truncated, the tail is scanned again.
    let mut input = b"&PC_STM01006ab".to_vec();
    input.extend_from_slice(b"&PC_STM03003100B6*");
    assert_eq!(events(&input), [ev(0, 14, "truncated"), ev(14, 18, "START")]);
    assert_eq!(errors(&input[..14 + 1]), [Error::Interrupted { at: 14 }, Error::Truncated]);
}

#[test]
fn rejection_runs_to_first_star_or_up_to_next_amp_or_end() {
    // CRC failure: up to and including the `*`.
    assert_eq!(events(b"&PC_STM0100310010*ERR_CRC\r\n"), [ev(0, 18, "crc_mismatch"), ev(18, 9, "DEVICE_ERROR")]);
    // Bad ID: the `*` far behind the decision still ends the rejection.
    assert_eq!(events(b"&PC_STMx1003100B6*"), [ev(0, 18, "invalid_field")]);
    // No `*` before the next `&`: up to (not including) it.
    assert_eq!(events(b"&PC_STMjunk&PC_STM03003100B6*"), [ev(0, 11, "invalid_field"), ev(11, 18, "START")]);
    // Neither: to the end of the input.
    assert_eq!(events(b"&PC_STMjunk"), [ev(0, 11, "invalid_field")]);
    assert_eq!(events(b"&PC_STM030"), [ev(0, 10, "truncated")]);
}

#[test]
fn search_for_the_end_is_bounded_by_max_frame_len() {
    let dialect = AsciiCrc8::default();
    assert_eq!(dialect.max_frame_len(), 1024);
    assert_eq!(AsciiCrc8::new(Config { search_limit: 10 }).max_frame_len(), 272);
    let mut input = b"&PC_STM01x".to_vec();
    input.extend(std::iter::repeat_n(b'0', 3000));
    input.extend_from_slice(b"\nSYSTEM START\n");
    // 1024 bytes rejected, then the rest of that over-long line is garbage (split at the
    // bound), then the text line.
    assert_eq!(
        events(&input),
        [
            ev(0, 1024, "invalid_field"),
            ev(1024, 1024, "garbage"),
            ev(2048, 963, "garbage"),
            ev(3011, 13, "DEVICE_TEXT")
        ]
    );
    common::assert_chunking_invariant(AsciiCrc8::default, &input);
}

#[test]
fn truncated_at_end_of_input() {
    assert_eq!(errors(b"&STMPC_01002"), [Error::Truncated]);
    assert_eq!(errors(b"&"), [Error::Truncated]);
    assert_eq!(errors(b"&STMPC_0100200FC"), [Error::Truncated]);
}

#[test]
fn id_and_len_must_be_decimal_and_crc_hex() {
    assert_eq!(errors(b"&PC_STM0a003100B6*"), [Error::InvalidDigit { field: Field::Id, at: 8, byte: b'a' }]);
    assert_eq!(errors(b"&PC_STM010A3100B6*"), [Error::InvalidDigit { field: Field::Len, at: 10, byte: b'A' }]);
    assert_eq!(errors(b"&PC_STM03003100ZZ*"), [Error::InvalidDigit { field: Field::Crc, at: 15, byte: b'Z' }]);
    for e in errors(b"&PC_STM0a003100B6*&PC_STM03003100G6*") {
        assert_eq!(serial_dialects::DialectError::kind(&e), ErrorKind::InvalidField);
    }
}

#[test]
fn device_error_lines_are_reported_not_garbage() {
    let input = b"ERR\r\nERR_CRC\r\nERR_LENGTH\r\nERR: TOO SHORT\r\nERR: UNKNOWN CMD\n";
    let m = messages(input);
    let texts: Vec<&str> = m
        .iter()
        .map(|m| match m {
            Message::DeviceError(l) => l.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(texts, ["ERR", "ERR_CRC", "ERR_LENGTH", "ERR: TOO SHORT", "ERR: UNKNOWN CMD"]);
    assert_eq!(events(input).iter().map(|e| e.1).sum::<usize>(), input.len());
}

#[test]
fn boot_banner_is_device_text() {
    assert_eq!(events(b"\r\nSYSTEM START\r\n"), [ev(0, 2, "garbage"), ev(2, 14, "DEVICE_TEXT")]);
    assert_eq!(events(b"\r\nERROR: USART RX buffer overflow!\r\n"), [ev(0, 2, "garbage"), ev(2, 34, "DEVICE_ERROR")]);
    assert_eq!(events(b"\tindented\n"), [ev(0, 10, "DEVICE_TEXT")]);
}

#[test]
fn other_bytes_outside_frames_are_garbage_and_adjacent_garbage_is_one_event() {
    // Control bytes, binary, empty lines, a lone `*`: one event up to the next text line.
    assert_eq!(events(b"\x00\x01\n\n*\r\n\xffab\nOK\r\n"), [ev(0, 11, "garbage"), ev(11, 4, "DEVICE_TEXT")]);
    // Text not ended by `\n` before a `&` or the end.
    assert_eq!(
        events(b"hello&PC_STM03003100B6*world"),
        [ev(0, 5, "garbage"), ev(5, 18, "START"), ev(23, 5, "garbage")]
    );
    // A line with `*` in it is not device text.
    assert_eq!(events(b"a*b\n"), [ev(0, 4, "garbage")]);
    // `\r` alone does not end a line.
    assert_eq!(events(b"ERR\rX\n"), [ev(0, 6, "garbage")]);
}

#[test]
fn parameters_are_read_as_the_device_reads_them() {
    let cmd = |data: &[u8]| Command::parse(data).unwrap();
    assert_eq!(cmd(b"130002"), Command::View { offset: Some(0), count: Some(2) });
    assert_eq!(cmd(b"1300020"), Command::View { offset: Some(0), count: Some(2) });
    assert_eq!(cmd(b"13000"), Command::View { offset: Some(0), count: None });
    assert_eq!(cmd(b"13"), Command::View { offset: None, count: None });
    assert_eq!(cmd(b"13x102"), Command::View { offset: None, count: Some(2) });
    assert_eq!(cmd(b"140500"), Command::SetInterval { interval_ms: Some(500) });
    assert_eq!(cmd(b"1410000"), Command::SetInterval { interval_ms: Some(10_000) });
    assert_eq!(cmd(b"1470000x5"), Command::SetInterval { interval_ms: Some(70_000) });
    assert_eq!(cmd(b"14050"), Command::SetInterval { interval_ms: None });
    assert_eq!(cmd(b"1499999999999"), Command::SetInterval { interval_ms: None });
    assert_eq!(cmd(b"1610"), Command::SetMode { mode: Some(1) });
    assert_eq!(cmd(b"16"), Command::SetMode { mode: None });
    assert_eq!(cmd(b"16x"), Command::SetMode { mode: None });
    // Range checks are validate(), never decode errors.
    assert!(cmd(b"1410000").validate().is_err());
    assert!(cmd(b"1600").validate().is_err());
    assert!(cmd(b"130000").validate().is_err());
    assert!(cmd(b"139999").validate().is_ok());
}

#[test]
fn parameterless_commands_decode_both_forms_and_encode_with_trailing_zero() {
    for code in CommandCode::ALL {
        let short = format!("{}", code.code());
        let long = format!("{}0", code.code());
        assert_eq!(Command::parse(short.as_bytes()).map(|c| c.code()), Some(code));
        assert_eq!(Command::parse(long.as_bytes()).map(|c| c.code()), Some(code));
    }
    let mut buf = [0u8; 32];
    let n = encode_request(&mut buf, 1, &Command::Start).unwrap();
    assert_eq!(&buf[..n], b"&PC_STM010031000F*");
    let n = encode_request(&mut buf, 6, &Command::GetInterval).unwrap();
    assert_eq!(&buf[..n], b"&PC_STM060031505D*");
    assert_eq!(events(b"&PC_STM0200210FB*"), [ev(0, 17, "START")]);
}

#[test]
fn unknown_code_short_data_and_other_sources_are_type_frame() {
    let mut buf = [0u8; 64];
    for (src, data) in [
        (Address::PC, &b"19"[..]),
        (Address::PC, b"99"),
        (Address::PC, b""),
        (Address::PC, b"1"),
        (Address::PC, b"x0"),
        (Address(*b"ABC"), b"100"),
    ] {
        let n = emit_frame(&mut buf, src, Address::STM, 1, data).unwrap();
        assert_eq!(events(&buf[..n]), [ev(0, n, "FRAME")], "{data:?}");
    }
}

/// Decodes a stream and returns its last message.
fn last_message(stream: &[u8]) -> Message<'_> {
    messages(stream).pop().unwrap()
}

#[test]
fn replies_take_their_meaning_from_the_latest_request_with_the_same_id() {
    let mut s = Vec::new();
    let mut buf = [0u8; 64];
    let n = encode_request(&mut buf, 5, &Command::SetMode { mode: Some(3) }).unwrap();
    s.extend_from_slice(&buf[..n]);
    let n = encode_request(&mut buf, 6, &Command::I2cScan).unwrap();
    s.extend_from_slice(&buf[..n]);
    let n = encode_address_reply(&mut buf, 5, 0x23).unwrap(); // DATA "23" answering SET_MODE
    s.extend_from_slice(&buf[..n]);
    let Message::Reply(r) = last_message(&s) else { panic!() };
    assert_eq!((r.request, r.answer), (Some(CommandCode::SetMode), Some(Answer::Status(Status::Unknown(23)))));
    // The same ID reused for I2C_SCAN: the latest request wins.
    let n = encode_request(&mut buf, 5, &Command::I2cScan).unwrap();
    s.extend_from_slice(&buf[..n]);
    let n = encode_address_reply(&mut buf, 5, 0x23).unwrap();
    s.extend_from_slice(&buf[..n]);
    let Message::Reply(r) = last_message(&s) else { panic!() };
    assert_eq!((r.request, r.answer), (Some(CommandCode::I2cScan), Some(Answer::Address(0x23))));
    // No request with ID 7: unmatched, no answer.
    let n = encode_status_reply(&mut buf, 7, Status::Ok).unwrap();
    s.extend_from_slice(&buf[..n]);
    let Message::Reply(r) = last_message(&s) else { panic!() };
    assert_eq!((r.request, r.answer), (None, None));
    // A PC_ frame with an unknown code is not a request: the reply still answers the latest
    // request with that ID (the device answers the unknown code with a text line).
    let n = emit_frame(&mut buf, Address::PC, Address::STM, 5, b"99").unwrap();
    s.extend_from_slice(&buf[..n]);
    let n = encode_address_reply(&mut buf, 5, 0x23).unwrap();
    s.extend_from_slice(&buf[..n]);
    let Message::Reply(r) = last_message(&s) else { panic!() };
    assert_eq!((r.request, r.answer), (Some(CommandCode::I2cScan), Some(Answer::Address(0x23))));
    // reset() forgets every request.
    let mut d = AsciiCrc8::default();
    let n = encode_request(&mut buf, 9, &Command::Download).unwrap();
    d.decode(&buf[..n]).unwrap();
    assert_eq!(d.request_for(9), Some(CommandCode::Download));
    d.reset();
    assert_eq!(d.request_for(9), None);
}

#[test]
fn i2c_scan_reply_is_always_two_hex_digits_of_address() {
    for (data, addr) in [(&b"23"[..], 0x23u8), (b"5C", 0x5C), (b"5c", 0x5C), (b"00", 0)] {
        assert_eq!(Answer::parse(CommandCode::I2cScan, data), Some(Answer::Address(addr)));
    }
    assert_eq!(Answer::parse(CommandCode::I2cScan, b"5"), None);
    assert_eq!(Answer::parse(CommandCode::I2cScan, b"G0"), None);
    let mut buf = [0u8; 32];
    let n = encode_address_reply(&mut buf, 9, 0x5C).unwrap();
    assert_eq!((n, &buf[12..14]), (17, &b"5C"[..]));
}

#[test]
fn replies_by_request_kind() {
    use CommandCode::*;
    let st = |c| Some(Answer::Status(Status::from_code(c)));
    for code in [Start, Stop, SetInterval, SetMode] {
        assert_eq!(Answer::parse(code, b"01"), st(1));
        assert_eq!(Answer::parse(code, b"0001"), None);
        assert_eq!(Answer::parse(code, b"1"), None);
    }
    assert_eq!(Answer::parse(Download, b"2600"), Some(Answer::Lux(2600)));
    assert_eq!(Answer::parse(Download, b"03"), st(3));
    assert_eq!(Answer::parse(Download, b"260"), None);
    assert_eq!(Answer::parse(GetInterval, b"1000"), Some(Answer::IntervalMs(1000)));
    assert_eq!(Answer::parse(GetInterval, b"02"), st(2));
    assert_eq!(Answer::parse(GetMode, b"1"), Some(Answer::Mode(1)));
    assert_eq!(Answer::parse(GetMode, b"04"), st(4));
    assert_eq!(Answer::parse(GetMode, b"x"), None);
    // VIEW: exactly two digits is a status; otherwise offset + 1..=63 four-digit values.
    assert_eq!(Answer::parse(View, b"03"), st(3));
    let Some(Answer::View { offset, values }) = Answer::parse(View, b"2612345678") else { panic!() };
    assert_eq!((offset, values.iter().collect::<Vec<_>>()), (26, vec![1234, 5678]));
    assert_eq!(values.get(1), Some(5678));
    assert_eq!(values.get(2), None);
    assert_eq!(Answer::parse(View, b"261234567"), None);
    assert_eq!(Answer::parse(View, b"2612x45678"), None);
    let long = format!("00{}", "1234".repeat(64));
    assert_eq!(Answer::parse(View, long.as_bytes()), None);
    let max = format!("00{}", "1234".repeat(63));
    assert!(matches!(Answer::parse(View, max.as_bytes()), Some(Answer::View { values, .. }) if values.len() == 63));
    // Status names.
    let names: Vec<&str> = (0..=5).map(|c| Status::from_code(c).name()).collect();
    assert_eq!(names, ["OK", "ERR_PARAM", "ERR_RANGE", "ERR_NO_DATA", "ERR_I2C", "UNKNOWN"]);
}

#[test]
fn reply_encoders_write_the_documented_replies() {
    let mut buf = [0u8; 64];
    let n = encode_status_reply(&mut buf, 1, Status::Ok).unwrap();
    assert_eq!(&buf[..n], b"&STMPC_0100200FC*");
    let n = encode_lux_reply(&mut buf, 3, 1234).unwrap();
    assert_eq!(&buf[..n], b"&STMPC_0300412340F*");
    let n = encode_address_reply(&mut buf, 9, 0x23).unwrap();
    assert_eq!(&buf[..n], b"&STMPC_090022390*");
    let n = encode_address_reply(&mut buf, 9, 0).unwrap();
    assert_eq!(&buf[..n], b"&STMPC_0900200B3*");
    let n = serial_dialects::ascii_crc8::encode_mode_reply(&mut buf, 8, 1).unwrap();
    assert_eq!(&buf[..n], b"&STMPC_08001157*");
    let n = serial_dialects::ascii_crc8::encode_interval_reply(&mut buf, 6, 1000).unwrap();
    assert_eq!(&buf[..n], b"&STMPC_060041000A5*");
    let n = serial_dialects::ascii_crc8::encode_view_frame(&mut buf, 4, 0, &[1234, 3210]).unwrap();
    assert_eq!(&buf[..n], b"&STMPC_040100012343210AB*");
}
