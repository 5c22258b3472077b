//! One test per wire rule of the plot dialect and per decision that settles one
//! (docs/protocols/plot.md), and the help writer's regressions.

use serial_dialects::plot::{
    self, Command, CommandList, Config, Frame, FrameType, HelpWriter, LabelEntry, Message, Plot, Scaling, TableEnd,
    category_display_name, write_help_table,
};
use serial_dialects::{EncodeError, ErrorKind, Item, SliceDecoder, StreamDecoder};

use crate::common;

#[derive(Debug, Clone, PartialEq)]
enum Ev {
    Data(u64, Vec<i16>),
    Label(u64, Vec<(u8, String)>),
    Text(u64, usize, String),
    Commands(u64, Vec<[String; 4]>),
    Error(u64, usize, ErrorKind),
}

fn ev(offset: u64, len: usize, item: &Item<Message<'_>, plot::Error>) -> Ev {
    match item {
        Item::Error(e) => Ev::Error(offset, len, serial_dialects::DialectError::kind(e)),
        Item::Frame(Message::Data(d)) => Ev::Data(offset, d.values().collect()),
        Item::Frame(Message::Label(l)) => {
            Ev::Label(offset, l.entries().map(|x| (x.index, x.name().to_string())).collect())
        }
        Item::Frame(Message::Text(t)) => Ev::Text(offset, len, t.lossy().to_string()),
        Item::Frame(Message::Commands(c)) => Ev::Commands(offset, rows(c)),
    }
}

fn rows(c: &CommandList) -> Vec<[String; 4]> {
    c.iter().map(|r| [r.cmd.into(), r.args.into(), r.cat.into(), r.description.into()]).collect()
}

fn decode_with(config: Config, input: &[u8]) -> Vec<Ev> {
    let out: Vec<Ev> = SliceDecoder::new(Plot::new(config), input).map(|e| ev(e.offset, e.len, &e.item)).collect();
    // Every rule also holds in every chunking.
    common::assert_chunking_invariant(|| Plot::new(config), input);
    out
}

fn decode(input: &[u8]) -> Vec<Ev> {
    decode_with(Config::default(), input)
}

fn text(offset: u64, len: usize, line: &str) -> Ev {
    Ev::Text(offset, len, line.into())
}

fn row(cmd: &str, args: &str, cat: &str, description: &str) -> [String; 4] {
    [cmd.into(), args.into(), cat.into(), description.into()]
}

#[test]
fn rejected_start_is_one_byte_and_the_count_byte_is_scanned_again() {
    // AA AA 03 ...: COUNT 170 rejects the first AA only; the second starts a real frame.
    let input = [0xAA, 0xAA, 0x03, 1, 0, 2, 0, 3, 0];
    assert_eq!(decode(&input), [Ev::Error(0, 1, ErrorKind::BadLength), Ev::Data(1, vec![1, 2, 3])]);
    // AB AA 02 ...: COUNT 170 for a label; the real tool consumes the AA and loses the frame.
    let input = [0xAB, 0xAA, 0x02, 5, 0, 6, 0];
    assert_eq!(decode(&input), [Ev::Error(0, 1, ErrorKind::BadLength), Ev::Data(1, vec![5, 6])]);
    // AA 00 then text: the COUNT byte is text.
    assert_eq!(decode(b"\xAA\x00ok\n"), [Ev::Error(0, 1, ErrorKind::BadLength), text(1, 4, "\0ok")]);
}

#[test]
fn count_limits_apply_to_data_and_label_frames() {
    let data33: Vec<u8> = [0xAA, 33].into_iter().chain(std::iter::repeat_n(0x11, 66)).collect();
    let events = decode(&data33);
    assert_eq!(events[0], Ev::Error(0, 1, ErrorKind::BadLength));
    assert!(events[1..].iter().all(|e| matches!(e, Ev::Text(..))));
    let label33: Vec<u8> = [0xAB, 33].into_iter().chain((0..33u8).flat_map(|i| [i % 32, 1, b'x'])).collect();
    assert_eq!(decode(&label33)[0], Ev::Error(0, 1, ErrorKind::BadLength));
    assert_eq!(decode(b"\xAB\x00")[0], Ev::Error(0, 1, ErrorKind::BadLength));
    assert_eq!(decode(b"\xAA\x00")[0], Ev::Error(0, 1, ErrorKind::BadLength));
    // Both 33-frames are fine in the 64-channel variant.
    assert_eq!(decode_with(Config::wide(), &data33), [Ev::Data(0, vec![0x1111; 33])]);
    assert!(matches!(&decode_with(Config::wide(), &label33)[..], [Ev::Label(0, l)] if l.len() == 33));
}

#[test]
fn sixty_four_channel_variant() {
    let values: Vec<i16> = (0..64i32).map(|i| (i * 1000 - 32000) as i16).collect();
    let mut buf = [0u8; 200];
    let n = plot::emit_data(&values, plot::WIDE_MAX_CHANNELS, &mut buf).unwrap();
    assert_eq!(n, 130);
    assert_eq!(decode_with(Config::wide(), &buf[..n]), [Ev::Data(0, values.clone())]);
    assert_eq!(decode(&buf[..n])[0], Ev::Error(0, 1, ErrorKind::BadLength));
    assert_eq!(
        plot::emit_data(&values, plot::DOCUMENTED_MAX_CHANNELS, &mut buf),
        Err(EncodeError::OutOfRange { field: "COUNT" })
    );
    let too_many = [0i16; 65];
    assert_eq!(plot::emit_data(&too_many, 64, &mut buf), Err(EncodeError::OutOfRange { field: "COUNT" }));
    // CH_INDEX 63 is fine with 64 channels, 64 is not.
    assert_eq!(decode_with(Config::wide(), b"\xAB\x01\x3F\x01z"), [Ev::Label(0, vec![(63, "z".into())])]);
    assert_eq!(decode_with(Config::wide(), b"\xAB\x01\x40\x01z")[0], Ev::Error(0, 1, ErrorKind::InvalidField));
    assert_eq!(Config::from_variant("64"), Some(Config::wide()));
    assert_eq!(Config::from_variant(""), Some(Config::default()));
    assert_eq!(Config::from_variant("65"), None);
}

#[test]
fn label_len_must_be_1_to_16() {
    assert_eq!(decode(b"\xAB\x01\x00\x00")[0], Ev::Error(0, 1, ErrorKind::BadLength));
    let len17 = b"\xAB\x01\x00\x1101234567890123456";
    assert_eq!(decode(len17)[0], Ev::Error(0, 1, ErrorKind::BadLength));
    let len16 = b"\xAB\x01\x00\x100123456789012345";
    assert_eq!(decode(len16), [Ev::Label(0, vec![(0, "0123456789012345".into())])]);
    // A bad second entry rejects the frame (one byte), the first entry included.
    let events = decode(b"\xAB\x02\x00\x02ok\x01\x11x");
    assert_eq!(events[0], Ev::Error(0, 1, ErrorKind::BadLength));
}

#[test]
fn ch_index_must_be_below_max_channels() {
    assert_eq!(decode(b"\xAB\x01\x1F\x01a"), [Ev::Label(0, vec![(31, "a".into())])]);
    assert_eq!(decode(b"\xAB\x01\x20\x01a")[0], Ev::Error(0, 1, ErrorKind::InvalidField));
    assert_eq!(decode(b"\xAB\x01\xC8\x01a")[0], Ev::Error(0, 1, ErrorKind::InvalidField));
}

#[test]
fn label_frames_are_framed_by_count_index_and_len_alone() {
    // The name "a FF b" is not UTF-8: the frame stands, the name is decoded lossily.
    let label = b"\xAB\x02\x00\x03a\xFFb\x01\x02V1";
    let mut input = label.to_vec();
    input.extend_from_slice(b"\xAA\x01\x05\x00ok\n");
    let expected =
        [Ev::Label(0, vec![(0, "a\u{FFFD}b".into()), (1, "V1".into())]), Ev::Data(11, vec![5]), text(15, 3, "ok")];
    assert_eq!(decode(&input), expected);
    // The same events in every chunking (the chunk sizes 1..=len).
    let whole = common::decode_slice(Plot::default(), &input);
    for size in 1..=input.len() {
        assert_eq!(common::decode_chunked(Plot::default(), &input, &[size]), whole, "chunk size {size}");
    }
    // It re-encodes to the bytes it was decoded from.
    let Ok(message) = Message::parse_frame(label, 32) else { panic!("not a frame") };
    let mut again = [0u8; 11];
    assert_eq!(message.emit(&mut again), Ok(11));
    assert_eq!(&again, label);
    // Each maximal invalid sequence is one U+FFFD, as Python's errors='replace' gives it.
    for (name, lossy) in [
        (&b"\xFF"[..], "\u{FFFD}"),
        (b"\xC3\x28", "\u{FFFD}("),
        (b"\xE2\x82", "\u{FFFD}"),
        (b"\xF0\x9F\x98", "\u{FFFD}"),
        (b"\xED\xA0\x80", "\u{FFFD}\u{FFFD}\u{FFFD}"),
        (b"\xC0\xAF", "\u{FFFD}\u{FFFD}"),
    ] {
        let mut input = vec![0xAB, 1, 0, name.len() as u8];
        input.extend_from_slice(name);
        assert_eq!(decode(&input), [Ev::Label(0, vec![(0, lossy.into())])], "{name:02X?}");
    }
    let guillemet = "«\u{1}".as_bytes();
    assert_eq!(decode(guillemet), [text(0, 3, "«\u{1}")], "C2 AB is «, not a frame start");
    assert_eq!(decode(b"\xAB\x01\x00\x02\xC2\xB0"), [Ev::Label(0, vec![(0, "°".into())])]);
}

#[test]
fn cut_off_by_the_end_of_input_is_truncated_one_byte() {
    assert_eq!(decode(b"\xAA\x03\x01\x00"), [Ev::Error(0, 1, ErrorKind::Truncated), text(1, 3, "\u{3}\u{1}\0")]);
    assert_eq!(decode(b"\xAA"), [Ev::Error(0, 1, ErrorKind::Truncated)]);
    assert_eq!(decode(b"\xAB\x01\x00\x05ab"), [Ev::Error(0, 1, ErrorKind::Truncated), text(1, 5, "\u{1}\0\u{5}ab")]);
}

#[test]
fn a_frame_cut_off_by_a_new_start_byte_swallows_it() {
    // No checksum: COUNT decides the length, exactly as the original documentation's parser does.
    let input = [0xAA, 2, 1, 0, 0xAA, 1, 7, 0];
    assert_eq!(decode(&input), [Ev::Data(0, vec![1, 0x01AA]), text(6, 2, "\u{7}\0")]);
}

#[test]
fn utf8_text_with_feminine_ordinal_and_guillemet_stays_text() {
    let line = "25°C ª 0123 «o» ok\r\n";
    assert_eq!(decode(line.as_bytes()), [text(0, line.len(), "25°C ª 0123 «o» ok")]);
    // Also at the very start of a line and after a TAB and a CR inside the line.
    let line = "ª\t«\r«\n";
    assert_eq!(decode(line.as_bytes()), [text(0, line.len(), "ª\t«\r«")]);
    // Other characters ending in AA/AB: U+202A, U+1F62A.
    let line = "x\u{202A}y\u{1F62A}\n";
    assert_eq!(decode(line.as_bytes()), [text(0, line.len(), "x\u{202A}y\u{1F62A}")]);
}

#[test]
fn start_byte_inside_a_character_or_after_a_lone_lead_byte() {
    // AA as the middle byte of a character (U+AA80 = EA AA 80) is not its last byte: it
    // starts a frame candidate (COUNT 0x80 is rejected, the rest is text).
    assert_eq!(
        decode("\u{AA80}\n".as_bytes()),
        [text(0, 1, "\u{FFFD}"), Ev::Error(1, 1, ErrorKind::BadLength), text(2, 2, "\u{FFFD}")]
    );
    // A lone lead byte at a line start followed by AA reads as one character (U+022A),
    // exactly as the rule says; the frame bytes after it are text.
    assert_eq!(decode(b"\xC8\xAA\x01\x05\x00"), [text(0, 5, "\u{22A}\u{1}\u{5}\0")]);
}

#[test]
fn garbage_then_start_byte_starts_a_frame() {
    // Invalid UTF-8 before C2 AA: the AA is a frame start, not 'ª'.
    let input = b"\xFF\xC2\xAA\x01\x05\x00";
    assert_eq!(decode(input), [text(0, 2, "\u{FFFD}\u{FFFD}"), Ev::Data(2, vec![5])]);
    // A control character before it has the same effect.
    let input = b"a\x01\xC2\xAA\x01\x05\x00";
    assert_eq!(decode(input), [text(0, 3, "a\u{1}\u{FFFD}"), Ev::Data(3, vec![5])]);
    // A 3-byte character that AA would not complete.
    let input = b"\xE2\xAA\x01\x05\x00";
    assert_eq!(decode(input), [text(0, 1, "\u{FFFD}"), Ev::Data(1, vec![5])]);
    // After a frame the text state starts afresh: C2 AA after a frame is text again.
    let input = b"\x00\xAA\x01\x05\x00\xC2\xAA\n";
    assert_eq!(decode(input), [text(0, 1, "\0"), Ev::Data(1, vec![5]), text(5, 3, "ª")]);
}

#[test]
fn frame_in_the_middle_of_a_line_splits_text_and_the_help_parser_sees_the_whole_line() {
    let mut input = b"GMU Commands\r\nsta".to_vec();
    input.extend_from_slice(&[0xAA, 0x01, 0x0A, 0x00]); // value 10: contains an LF byte
    input.extend_from_slice(b"rt | - | state | Go\r\nhelp | - | sys | Help\r\n");
    let events = decode(&input);
    assert_eq!(
        events,
        [
            text(0, 14, "GMU Commands"),
            text(14, 3, "sta"),
            Ev::Data(17, vec![10]),
            text(21, 21, "rt | - | state | Go"),
            text(42, 23, "help | - | sys | Help"),
            Ev::Commands(65, vec![row("start", "-", "state", "Go"), row("help", "-", "sys", "Help")]),
        ]
    );
}

#[test]
fn cr_before_lf_is_dropped_and_empty_lines_are_text_events() {
    assert_eq!(decode(b"\r\n\n"), [text(0, 2, ""), text(2, 1, "")]);
    assert_eq!(decode(b"a\rb\r\r\n"), [text(0, 6, "a\rb\r")]);
}

#[test]
fn text_at_the_end_of_the_input_is_a_text_event() {
    assert_eq!(decode(b"line\npartial"), [text(0, 5, "line"), text(5, 7, "partial")]);
    assert_eq!(decode(b"partial\r"), [text(0, 8, "partial\r")]);
}

#[test]
fn a_piece_longer_than_max_line_is_cut_at_exactly_max_line() {
    let config = Config { max_line: 8, ..Config::default() };
    assert_eq!(
        decode_with(config, b"0123456789abcdef!\n"),
        [text(0, 8, "01234567"), text(8, 8, "89abcdef"), text(16, 2, "!")]
    );
    // The UTF-8 state goes on across the cut: C2 | AA is still 'ª'.
    assert_eq!(decode_with(config, b"1234567\xC2\xAA\n"), [text(0, 8, "1234567\u{FFFD}"), text(8, 2, "\u{FFFD}")]);
    // The default limit is 1024.
    let long = vec![b'x'; 3000];
    let events = decode(&long);
    assert_eq!(
        events.iter().map(|e| if let Ev::Text(_, l, _) = e { *l } else { 0 }).collect::<Vec<_>>(),
        [1024, 1024, 952]
    );
}

#[test]
fn labels_with_multibyte_characters_are_truncated_at_16_bytes() {
    assert_eq!(plot::truncate_label("ééééééééé"), "éééééééé"); // 18 bytes -> 16
    assert_eq!(plot::truncate_label("aéééééééé"), "aééééééé"); // 17 bytes -> 15
    assert_eq!(plot::truncate_label("温度センサー値"), "温度センサ"); // 21 bytes -> 15
    assert_eq!(plot::truncate_label("short"), "short");
    let labels = [plot::label(0, "aéééééééé"), plot::label(5, "温度センサー値")];
    let mut buf = [0u8; 64];
    let n = plot::emit_labels(&labels, 32, &mut buf).unwrap();
    assert_eq!(n, 2 + 2 + 15 + 2 + 15);
    assert_eq!(decode(&buf[..n]), [Ev::Label(0, vec![(0, "aééééééé".into()), (5, "温度センサ".into())])]);
}

#[test]
fn label_encoder_errors() {
    let mut buf = [0u8; 64];
    let out_of_range = |field| Err(EncodeError::OutOfRange { field });
    assert_eq!(plot::emit_labels(&[], 32, &mut buf), out_of_range("COUNT"));
    assert_eq!(plot::emit_labels(&[plot::label(32, "x")], 32, &mut buf), out_of_range("CH_INDEX"));
    assert_eq!(plot::emit_labels(&[plot::label(0, "")], 32, &mut buf), out_of_range("LENGTH"));
    let many = [plot::label(0, "x"); 33];
    assert_eq!(plot::emit_labels(&many, 32, &mut buf), out_of_range("COUNT"));
    assert_eq!(
        plot::emit_labels(&[plot::label(1, "Temp")], 32, &mut buf[..7]),
        Err(EncodeError::BufferTooSmall { needed: 8, available: 7 })
    );
}

#[test]
fn truncate_label_bytes_cuts_utf8_where_truncate_label_does() {
    for name in ["short", "0123456789abcdef", "0123456789abcdeÄ", "aéééééééé", "温度センサー値", "0123456789abc😪x", ""]
    {
        assert_eq!(plot::truncate_label_bytes(name.as_bytes()), plot::truncate_label(name).as_bytes(), "{name}");
    }
    assert_eq!(plot::truncate_label_bytes("0123456789abc😪x".as_bytes()), b"0123456789abc");
    // Not UTF-8: at most 3 continuation bytes are given back, so never an empty name.
    assert_eq!(plot::truncate_label_bytes(&[0x80; 20]), &[0x80; 13]);
    assert_eq!(plot::truncate_label_bytes(&[0xFF; 20]), &[0xFF; 16]);
}

#[test]
fn label_entries_keep_name_bytes_and_read_them_lossily() {
    let frame = b"\xAB\x03\x00\x03a\xFFb\x01\x02\xE2\x82\x1F\x02\xC2\xB0";
    assert_eq!(Frame::new_unchecked(&frame[..]).check_len(32), Ok(frame.len()));
    let view = Frame::new_checked(&frame[..], 32).unwrap();
    assert_eq!(view.frame_len(), frame.len());
    let e: Vec<LabelEntry<'_>> = view.entries().collect();
    let names: Vec<_> = e.iter().map(|e| (e.index, format!("{}", e.name()), e.name_str())).collect();
    assert_eq!(names, [(0, "a\u{FFFD}b".into(), None), (1, "\u{FFFD}".into(), None), (31, "°".into(), Some("°"))]);
    assert_eq!(e[0].name_bytes, b"a\xFFb");
    assert_eq!(format!("{:?}", e[0]), "LabelEntry { index: 0, name: \"a\u{FFFD}b\", raw: 61ff62 }");
    assert_eq!(format!("{:?}", e[2]), "LabelEntry { index: 31, name: \"°\" }");
    // The encoder writes the bytes back as they were.
    let mut out = [0u8; 32];
    assert_eq!(plot::emit_labels(&e, 32, &mut out), Ok(frame.len()));
    assert_eq!(&out[..frame.len()], frame);
}

#[test]
fn one_frame_view_reads_both_frame_types() {
    let data = Frame::new_checked(&b"\xAA\x02\x01\x00\xFF\xFFtail"[..], 32).unwrap();
    assert_eq!((data.frame_type(), data.count(), data.frame_len()), (Some(FrameType::Data), 2, 6));
    assert_eq!((data.value(0), data.value(1), data.value(2)), (Some(1), Some(-1), None));
    assert_eq!((data.payload(), data.entries().count()), (&b"\x01\x00\xFF\xFF"[..], 0));
    let label = Frame::new_checked(&b"\xAB\x01\x03\x02V1\xAA"[..], 32).unwrap();
    assert_eq!((label.frame_type(), label.count(), label.frame_len()), (Some(FrameType::Label), 1, 6));
    assert_eq!((label.value(0), label.payload()), (None, &b"\x03\x02V1"[..]));
    assert_eq!(label.entries().collect::<Vec<_>>(), [plot::label(3, "V1")]);
    // The setters write a data frame the checked view reads back.
    let mut buf = [0u8; 6];
    let mut frame = Frame::new_unchecked(&mut buf[..]);
    frame.set_start(FrameType::Data);
    frame.set_count(2);
    frame.set_value(0, 1);
    frame.set_value(1, -1);
    assert_eq!(&buf, b"\xAA\x02\x01\x00\xFF\xFF");
    // Another start byte is refused as not a data frame; an empty buffer is cut off.
    assert_eq!(
        Frame::new_checked(&b"\x55\x01"[..], 32).unwrap_err(),
        plot::Error::BadStartByte { expected: FrameType::Data, found: 0x55 }
    );
    assert_eq!(
        Frame::new_checked(&b""[..], 32).unwrap_err(),
        plot::Error::CutOff { frame: FrameType::Data, needed: 2, available: 0 }
    );
}

fn table(lines: &[&str]) -> Vec<u8> {
    lines.iter().flat_map(|l| format!("{l}\r\n").into_bytes()).collect()
}

fn commands(events: &[Ev]) -> Vec<(u64, Vec<[String; 4]>)> {
    events.iter().filter_map(|e| if let Ev::Commands(o, r) = e { Some((*o, r.clone())) } else { None }).collect()
}

#[test]
fn help_table_starts_at_the_marker_and_a_second_marker_restarts_it() {
    let input =
        table(&["GMU Commands", "old | - | sys | x", "== GMU Commands ==", "new | - | state | y", "---------+---"]);
    let events = decode(&input);
    assert_eq!(commands(&events), [(input.len() as u64, vec![row("new", "-", "state", "y")])]);
    // No marker, no table.
    assert_eq!(commands(&decode(&table(&["a | - | b | c", "---------+"]))), []);
}

#[test]
fn help_table_rows_header_and_empty_cmd() {
    let input = table(&[
        "GMU Commands",
        "---------+----------+-------+----",
        "CMD      | ARGS     | CAT   | DESCRIPTION",
        "---------+----------+-------+----",
        "  setLED | r g b | param | Set | the | LED  ",
        " | - | state | no name",
        "two | parts",
        "tab\t|\t-\t|\tdiag",
        "---------+----------+-------+----",
    ]);
    let events = decode(&input);
    assert_eq!(
        commands(&events),
        [(input.len() as u64, vec![row("setLED", "r g b", "param", "Set | the | LED"), row("tab", "-", "diag", "")])]
    );
}

#[test]
fn help_table_ends_after_the_help_sys_row_which_is_included() {
    let input = table(&["GMU Commands", "go | - | state | Go", "help | - | sys | Show this help", "late | - | x | y"]);
    let events = decode(&input);
    let end = (table(&["GMU Commands", "go | - | state | Go", "help | - | sys | Show this help"]).len()) as u64;
    assert_eq!(
        commands(&events),
        [(end, vec![row("go", "-", "state", "Go"), row("help", "-", "sys", "Show this help")])]
    );
    // `help` in a description does not end the table (the real tool ends there).
    let input = table(&["GMU Commands", "reset | - | sys | Reset system, see help", "go | - | state | Go"]);
    let events = decode(&input);
    assert_eq!(commands(&events)[0].1.len(), 2);
}

#[test]
fn help_table_ends_at_the_end_of_the_input() {
    let input = table(&["GMU Commands", "go | - | state | Go"]);
    assert_eq!(commands(&decode(&input)), [(input.len() as u64, vec![row("go", "-", "state", "Go")])]);
    // The last line need not end with a line ending, and a frame may follow it.
    let mut input = b"GMU Commands\ngo | - | state | Go".to_vec();
    input.extend_from_slice(&[0xAA, 1, 0, 0]);
    assert_eq!(commands(&decode(&input)), [(input.len() as u64, vec![row("go", "-", "state", "Go")])]);
}

#[test]
fn a_table_that_ends_with_no_rows_yields_an_empty_command_list() {
    let input = table(&["GMU Commands", "---------+----------+", "CMD | ARGS | CAT | DESCRIPTION", "---------+---"]);
    assert_eq!(commands(&decode(&input)), [(input.len() as u64, vec![])]);
}

#[test]
fn help_timeout_ends_the_table_live() {
    let input = table(&["GMU Commands", "go | - | state | Go", "stop | - | state | Stop"]);
    let mut dec: StreamDecoder<Plot, 2048> = StreamDecoder::new(Plot::default());
    let mut seen = Vec::new();
    dec.feed(&input, |e| seen.push(ev(e.offset, e.len, &e.item)));
    assert_eq!(seen.len(), 3);
    // ... 2 s without a line:
    let list = dec.dialect().help_timeout().expect("a table was being read");
    assert_eq!(list.ended_by(), TableEnd::Timeout);
    assert_eq!(rows(&list), [row("go", "-", "state", "Go"), row("stop", "-", "state", "Stop")]);
    assert!(dec.dialect().help_timeout().is_none());
    dec.feed(b"go | - | state | late\r\n", |e| seen.push(ev(e.offset, e.len, &e.item)));
    dec.finish_with(|e| seen.push(ev(e.offset, e.len, &e.item)));
    assert_eq!(commands(&seen), [], "the late row is ordinary text");
    // A table that ended (help row) but whose event has not come out yet is returned too.
    let mut dec: StreamDecoder<Plot, 2048> = StreamDecoder::new(Plot::default());
    dec.feed(&table(&["GMU Commands", "help | - | sys | h"]), |_| {});
    assert_eq!(dec.dialect().help_timeout().map(|l| l.len()), Some(1));
    let mut later = Vec::new();
    dec.finish_with(|e| later.push(ev(e.offset, e.len, &e.item)));
    assert_eq!(later, []);
}

#[test]
fn buttons_labels_clicks_and_categories() {
    let c = Command { cmd: "setLED", args: "-", cat: "param", description: "" };
    assert!(c.has_button());
    assert_eq!(c.button_label().to_string(), "SetLED", "first letter upper-cased, the rest unchanged");
    assert_eq!(c.click().to_string(), "setLED\r\n");
    let mut out = [0u8; 8];
    assert_eq!(c.write_click(&mut out), Ok(8));
    assert_eq!(&out, b"setLED\r\n");
    assert_eq!(c.write_click(&mut out[..7]), Err(EncodeError::BufferTooSmall { needed: 8, available: 7 }));
    assert_eq!(Command { cmd: "été", ..c }.button_label().to_string(), "Été");
    assert!(!Command { args: "- x", ..c }.has_button());
    assert!(!Command { args: "none", ..c }.has_button());
    assert_eq!(c.category_name(), "Parameters");
    let names: Vec<&str> = ["state", "diag", "param", "sys", "motor", ""].map(category_display_name).to_vec();
    assert_eq!(names, ["State", "Diagnostics", "Parameters", "System", "motor", ""]);
}

#[test]
fn rows_beyond_capacity_are_counted_as_dropped() {
    let mut lines = vec!["GMU Commands".to_string()];
    lines.extend((0..40).map(|i| format!("cmd{i} | - | state | command number {i}")));
    lines.push("---------+".into());
    let input = table(&lines.iter().map(String::as_str).collect::<Vec<_>>());
    let list = SliceDecoder::new(Plot::default(), &input)
        .find_map(|e| match e.into_frame() {
            Some(Message::Commands(c)) => Some(c),
            _ => None,
        })
        .unwrap();
    assert_eq!(list.len(), plot::MAX_COMMANDS);
    assert_eq!(list.dropped(), 8);
    assert_eq!(list.get(31).unwrap().cmd, "cmd31");
    // Long fields fill the text store first.
    let long = "d".repeat(200);
    let mut lines = vec!["GMU Commands".to_string()];
    lines.extend((0..10).map(|i| format!("c{i} | - | s | {long}")));
    let input = table(&lines.iter().map(String::as_str).collect::<Vec<_>>());
    let list = SliceDecoder::new(Plot::default(), &input).find_map(|e| match e.into_frame() {
        Some(Message::Commands(c)) => Some(c),
        _ => None,
    });
    let list = list.unwrap();
    assert_eq!((list.len(), list.dropped()), (5, 5));
}

#[test]
fn help_writer_prints_the_documented_format_exactly() {
    let documented = include_bytes!("../captures/plot/help_documented_format_then_data.bin");
    let cmds = [
        Command { cmd: "start", args: "-", cat: "state", description: "Start the motor" },
        Command { cmd: "stop", args: "-", cat: "state", description: "Stop the motor" },
        Command { cmd: "status", args: "-", cat: "diag", description: "Show system status" },
        Command { cmd: "setpid", args: "kp ki kd", cat: "param", description: "Set PID parameters" },
        Command { cmd: "dfu", args: "-", cat: "sys", description: "Enter DFU bootloader" },
        Command { cmd: "help", args: "-", cat: "sys", description: "Show this help" },
    ];
    let mut out = String::new();
    write_help_table(&mut out, "GMU Commands", &cmds).unwrap();
    assert_eq!(out.as_bytes(), &documented[..out.len()]);
    assert_eq!(out.len(), 524, "the capture's frames follow the table");
    // And it is refused rather than printed wrong.
    let mut sink = String::new();
    let mut w = plot::HelpWriter::new(&mut sink);
    assert!(w.row(&Command { cmd: "a|b", args: "-", cat: "x", description: "" }).is_err());
    assert!(w.row(&Command { cmd: "", args: "-", cat: "x", description: "" }).is_err());
    assert!(w.row(&Command { cmd: "a", args: "-", cat: "x", description: "two\nlines" }).is_err());
}

#[test]
fn scale_and_offset_for_display() {
    let adc = Scaling { offset: -512.0, scale: 0.00322 };
    assert!((adc.apply(0) - -1.64864).abs() < 1e-9);
    assert!((adc.apply(1023) - 1.64542).abs() < 1e-9);
    assert_eq!(Scaling::default().apply(-32768), -32768.0);
    assert_eq!(Scaling { offset: 10.0, scale: 2.0 }.apply(5), 30.0);
}

// Regressions: inputs the fuzz targets (`fuzz/fuzz_targets/roundtrip_plot.rs`) and their
// review found, inline. `HelpWriter` printed rows that the host's parser reads back
// differently. Each case shows the damage on the bytes the old writer printed, then that the
// writer now refuses.

/// The rows and how the table ended, as the host decodes `bytes`.
fn decoded_table(bytes: &[u8]) -> Vec<(Vec<String>, TableEnd)> {
    SliceDecoder::new(Plot::default(), bytes)
        .filter_map(|e| match e.into_frame() {
            Some(Message::Commands(list)) => Some((
                list.iter().map(|c| format!("{}|{}|{}|{}", c.cmd, c.args, c.cat, c.description)).collect(),
                list.ended_by(),
            )),
            _ => None,
        })
        .collect()
}

/// The table the old writer printed: no check beyond the field rules.
fn unchecked_table(rows: &[Command<'_>]) -> String {
    let sep = plot::help::SEPARATOR;
    let mut out = format!("\r\nGMU Commands\r\n{sep}\r\nCMD      | ARGS     | CAT   | DESCRIPTION\r\n{sep}\r\n");
    for c in rows {
        out += &format!("{:<8} | {:<8} | {:<5} | {}\r\n", c.cmd, c.args, c.cat, c.description);
    }
    out + sep + "\r\n"
}

fn refused(rows: &[Command<'_>]) -> bool {
    write_help_table(String::new(), "GMU Commands", rows).is_err()
}

const START: Command<'static> = Command { cmd: "start", args: "-", cat: "state", description: "Start" };

/// Found by `roundtrip_plot` (crash-7654a3fa…): a cmd holding the marker restarted the table,
/// so the decoded table was empty instead of holding the row.
#[test]
fn a_row_holding_the_marker_is_refused() {
    let cmd = "staR\u{1}t-\u{1}st\0\0\0\0\0\0\0\0\0\0\0\0\0\0\u{4}\0\0\0GMU Commands\0";
    let rows = [Command { cmd, args: "", cat: "", description: "" }];
    let old = unchecked_table(&rows);
    assert_eq!(decoded_table(old.as_bytes()), [(vec![], TableEnd::Timeout)]);
    assert!(refused(&rows));
    // The marker anywhere in the row, also in the description.
    assert!(refused(&[START, Command { description: "see GMU Commands", ..START }]));
    // Not a near miss.
    let mut out = String::new();
    write_help_table(&mut out, "GMU Commands", &[Command { description: "GMU Command list", ..START }]).unwrap();
    assert_eq!(
        decoded_table(out.as_bytes()),
        [(vec!["start|-|state|GMU Command list".to_string()], TableEnd::Separator)]
    );
}

/// A control character before `ª` (C2 AA) makes its AA a frame start byte, and the frame
/// candidate behind it swallowed the rest of the row.
#[test]
fn a_row_whose_text_would_start_a_frame_is_refused() {
    let rows = [Command { description: "a\u{1}\u{aa}\u{1}\0\0", ..START }];
    let old = unchecked_table(&rows);
    let rows_seen = decoded_table(old.as_bytes());
    assert_ne!(rows_seen, [(vec!["start|-|state|a\u{1}\u{aa}\u{1}\0\0".to_string()], TableEnd::Separator)]);
    assert!(refused(&rows));
    // ª and « in clean text are text, and U+0A80 (E0 AA 80) is not.
    let mut out = String::new();
    write_help_table(&mut out, "GMU Commands", &[Command { description: "5 ª « x", ..START }]).unwrap();
    assert_eq!(decoded_table(out.as_bytes()), [(vec!["start|-|state|5 ª « x".to_string()], TableEnd::Separator)]);
    assert!(refused(&[Command { description: "\u{a80}", ..START }]));
}

/// A second row starting with `---------+` ended the table early.
#[test]
fn a_row_that_reads_as_the_closing_separator_is_refused() {
    let rows = [START, Command { cmd: "---------+x", ..START }];
    let old = unchecked_table(&rows);
    assert_eq!(decoded_table(old.as_bytes()), [(vec!["start|-|state|Start".to_string()], TableEnd::Separator)]);
    assert!(refused(&rows));
}

/// The `help`/`sys` row ends the table: a row after it was lost.
#[test]
fn a_row_after_the_help_row_is_refused() {
    let help = Command { cmd: "help", args: "-", cat: "sys", description: "Show this help" };
    let rows = [help, START];
    let old = unchecked_table(&rows);
    assert_eq!(decoded_table(old.as_bytes()), [(vec!["help|-|sys|Show this help".to_string()], TableEnd::HelpRow)]);
    assert!(refused(&rows));
    // As the last row it is fine (the original documentation's own table ends with it).
    let mut out = String::new();
    write_help_table(&mut out, "GMU Commands", &[START, help]).unwrap();
    assert_eq!(decoded_table(out.as_bytes()).len(), 1);
    assert_eq!(decoded_table(out.as_bytes())[0].1, TableEnd::HelpRow);
}

/// A row longer than the parser's 1024-byte line was cut.
#[test]
fn a_row_longer_than_the_parsers_line_is_refused() {
    let fits = "d".repeat(1024 - "start    | -        | state | ".len());
    let mut out = String::new();
    write_help_table(&mut out, "GMU Commands", &[Command { description: &fits, ..START }]).unwrap();
    assert_eq!(decoded_table(out.as_bytes())[0].0, [format!("start|-|state|{fits}")]);
    let long = fits.clone() + "d";
    let rows = [Command { description: &long, ..START }];
    assert_ne!(decoded_table(unchecked_table(&rows).as_bytes())[0].0, [format!("start|-|state|{long}")]);
    assert!(refused(&rows));
}

#[test]
fn rows_outside_a_table_and_unreadable_markers_are_refused() {
    let mut sink = String::new();
    let mut w = HelpWriter::new(&mut sink);
    assert!(w.row(&START).is_err(), "before begin");
    for marker in ["", "CMD", "---", "a\r\nb", "x\u{a80}"] {
        assert!(w.begin(marker).is_err(), "{marker:?}");
    }
    w.begin("GMU Commands").unwrap();
    w.row(&START).unwrap();
    w.end().unwrap();
    assert!(w.row(&START).is_err(), "after end");
    assert_eq!(decoded_table(sink.as_bytes()), [(vec!["start|-|state|Start".to_string()], TableEnd::Separator)]);
}
