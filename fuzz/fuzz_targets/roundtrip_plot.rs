//! An arbitrary typed plot message, encoded and decoded again, under an arbitrary
//! configuration (channel limit and line length).
//!
//! * DATA, LABEL and TEXT: `Message::validate` + `Message::emit` is the encoder. A message it
//!   accepts decodes (frame-level parse, `SliceDecoder`, `StreamDecoder`) to exactly one
//!   event spanning all its bytes and equal to it; a TEXT line holding the help marker is
//!   followed by the zero-length `COMMANDS` event of the table it opened. A message it
//!   refuses gets a typed error naming the reason, and decoding its bytes alone indeed does
//!   not give it back: the encoder refuses exactly what the decoder cannot read back.
//! * COMMANDS (which spans no bytes): `write_help_table` is the encoder. A table it writes
//!   decodes to TEXT lines and one `COMMANDS` event with exactly the original rows, ended as
//!   the table says.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serial_dialects::plot::help::{DEFAULT_MARKER, SEPARATOR};
use serial_dialects::plot::{Command, CommandList, Config, Message, Plot, TableEnd, write_help_table};
use serial_dialects::stream::Dialect;
use serial_dialects::{EncodeError, Item, SliceDecoder, StreamDecoder};

/// Stream buffer: at least `max_frame_len` of every configuration used here (255-entry
/// labels are 4592 bytes, lines at most 4096).
const CAPACITY: usize = 8192;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    max_channels: u8,
    max_line: u16,
    message: Message<'a>,
}

/// An event reduced to comparable, owned values.
type Summary = (u64, usize, String);

fn summary<F: std::fmt::Debug, E: std::fmt::Debug>(e: &serial_dialects::Event<F, E>) -> Summary {
    let item = match &e.item {
        Item::Frame(f) => format!("{f:?}"),
        Item::Error(err) => format!("error {err:?}"),
    };
    (e.offset, e.len, item)
}

/// The events of `bytes` from both drivers, which must agree.
fn decode<'b>(
    config: Config,
    bytes: &'b [u8],
) -> Vec<serial_dialects::Event<Message<'b>, serial_dialects::plot::Error>> {
    let events: Vec<_> = SliceDecoder::new(Plot::new(config), bytes).collect();
    let mut decoder: Box<StreamDecoder<Plot, CAPACITY>> = Box::new(StreamDecoder::new(Plot::new(config)));
    assert!(decoder.dialect().max_frame_len() <= CAPACITY);
    let mut streamed = Vec::new();
    decoder.feed(bytes, |e| streamed.push(summary(&e)));
    decoder.finish_with(|e| streamed.push(summary(&e)));
    assert_eq!(streamed, events.iter().map(summary).collect::<Vec<_>>(), "stream and slice decoders disagree");
    assert_eq!(decoder.stats().bytes_accounted(), bytes.len() as u64);
    events
}

/// The logical line the help parser sees for a TEXT piece that is a whole line: without
/// its LF and a CR before it, cut to its first 1024 bytes, read lossily, cut to 1024 bytes.
fn help_sees_marker(raw: &[u8]) -> bool {
    let line = raw.strip_suffix(b"\n").unwrap_or(raw);
    let mut kept = &line[..line.len().min(1024)];
    if let Some(rest) = kept.strip_suffix(b"\r") {
        kept = rest;
    }
    let lossy = String::from_utf8_lossy(kept);
    let mut end = lossy.len().min(1024);
    while !lossy.is_char_boundary(end) {
        end -= 1;
    }
    lossy[..end].contains(DEFAULT_MARKER)
}

fn frame_round_trip(message: &Message<'_>, config: Config) {
    let len = message.buffer_len();
    let mut buf = vec![0u8; len + 1];
    let n = message.emit(&mut buf).expect("a buffer of buffer_len() bytes is enough");
    assert_eq!(n, len, "emit writes buffer_len() bytes");
    let bytes = &buf[..n];
    let events = decode(config, bytes);
    let read_back = matches!(events.first(), Some(e) if e.offset == 0 && e.len == n && e.frame() == Some(message));

    let verdict = message.validate(config.max_channels, config.max_line);
    let Err(refusal) = verdict else {
        assert!(
            read_back,
            "accepted {message:?} (config {config:?}) decodes as {:?}",
            events.iter().map(summary).collect::<Vec<_>>()
        );
        assert!(n > 0);
        let mut short = vec![0u8; n - 1];
        assert_eq!(message.emit(&mut short), Err(EncodeError::BufferTooSmall { needed: n, available: n - 1 }));
        // The frame-level parse gives the same message.
        match message {
            Message::Data(_) | Message::Label(_) => {
                assert_eq!(Message::parse_frame(bytes, config.max_channels).as_ref(), Ok(message));
            }
            Message::Text(t) => assert_eq!(t.raw(), bytes),
            Message::Commands(_) => unreachable!(),
        }
        // Nothing else but the empty table a marker line opens (ended by the input's end).
        let rest: Vec<_> = events.iter().skip(1).map(summary).collect();
        let opens_table = matches!(message, Message::Text(t) if help_sees_marker(t.raw()));
        if opens_table {
            assert_eq!(rest.len(), 1, "a marker line is followed by one COMMANDS event: {rest:?}");
            let Some(Message::Commands(list)) = events[1].frame() else { panic!("not COMMANDS: {rest:?}") };
            assert_eq!((events[1].offset, events[1].len), (n as u64, 0));
            // The empty table the input's end closes.
            assert!(list.is_empty() && list.dropped() == 0 && list.ended_by() == TableEnd::Timeout, "{list:?}");
        } else {
            assert!(rest.is_empty(), "{message:?} decodes to more events: {rest:?}");
        }
        return;
    };

    // Refused: for the right reason, and rightly (its bytes alone do not read back).
    assert!(!read_back, "{message:?} is refused ({refusal:?}) but reads back under {config:?}");
    match (message, refusal) {
        (Message::Data(d), EncodeError::OutOfRange { field: "COUNT" }) => {
            assert!(d.count() > usize::from(config.max_channels));
        }
        (Message::Label(l), EncodeError::OutOfRange { field: "COUNT" }) => {
            assert!(l.count() > usize::from(config.max_channels));
        }
        (Message::Label(l), EncodeError::OutOfRange { field: "CH_INDEX" }) => {
            assert!(l.entries().any(|e| e.index >= config.max_channels));
        }
        (Message::Text(t), EncodeError::OutOfRange { field: "TEXT" }) => assert!(t.raw().is_empty()),
        (Message::Text(t), EncodeError::TooLong { field: "TEXT", len, max }) => {
            assert_eq!((len, max), (t.raw().len(), config.max_line.max(1)));
            assert!(len > max);
        }
        (Message::Text(_), EncodeError::InvalidByte { field: "TEXT" }) => {}
        (m, e) => panic!("{m:?} refused with an unexpected error {e:?}"),
    }
}

fn commands_round_trip(list: &CommandList, config: Config) {
    assert_eq!(Message::Commands(list.clone()).buffer_len(), 0);
    assert_eq!(Message::Commands(list.clone()).emit(&mut []), Ok(0));
    let rows: Vec<Command<'_>> = list.iter().collect();
    let mut table = String::new();
    if write_help_table(&mut table, config.help_marker, &rows).is_err() {
        return; // a row the parser could not read back: refused
    }
    let bytes = table.as_bytes();
    let events = decode(config, bytes);
    let mut text = Vec::new();
    let mut lists = Vec::new();
    for e in &events {
        match &e.item {
            Item::Frame(Message::Text(t)) => text.extend_from_slice(t.raw()),
            Item::Frame(Message::Commands(c)) => lists.push((e.offset, e.len, c.clone())),
            other => panic!("table {table:?} decodes to {other:?}"),
        }
    }
    assert_eq!(text, bytes, "the TEXT events are the table");
    assert_eq!(lists.len(), 1, "one COMMANDS event for {table:?}: {lists:?}");
    let (offset, len, decoded) = &lists[0];
    assert_eq!(decoded.iter().collect::<Vec<_>>(), rows, "table {table:?}");
    assert_eq!(decoded.dropped(), 0);
    assert_eq!(*len, 0);
    let closing = SEPARATOR.len() as u64 + 2;
    let (ended_by, at) = match rows.last() {
        None => (TableEnd::Timeout, bytes.len() as u64),
        Some(c) if c.cmd == "help" && c.cat == "sys" => (TableEnd::HelpRow, bytes.len() as u64 - closing),
        Some(_) => (TableEnd::Separator, bytes.len() as u64),
    };
    assert_eq!((decoded.ended_by(), *offset), (ended_by, at), "table {table:?}");
}

fuzz_target!(|input: Input<'_>| {
    let config =
        Config { max_channels: input.max_channels, max_line: usize::from(input.max_line % 4097), ..Config::documented() };
    match &input.message {
        Message::Commands(list) => commands_round_trip(list, config),
        message => frame_round_trip(message, config),
    }
});
