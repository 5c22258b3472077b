//! The plot dialect's limits (module documentation, "Limits"): oversize COUNT and LEN
//! fields, floods of start bytes, text that never ends a line, empty input, the largest
//! legal frames, and stream decoders at exactly `max_frame_len` and far below it.

use serial_dialects::plot::{self, Config, LabelEntry, Message, Plot, Text};
use serial_dialects::stream::Dialect;
use serial_dialects::{EncodeError, ErrorKind, Item, SliceDecoder, StreamDecoder};

use crate::common::{self, Summary};

/// `max_frame_len` of the documented configuration: the 1024-byte line limit.
const DOCUMENTED_MAX_FRAME: usize = 1024;
/// `max_frame_len` of the wide configuration: a 64-entry label frame of 16-byte names.
const WIDE_MAX_FRAME: usize = 2 + 64 * (2 + 16);

#[test]
fn max_frame_len_is_what_the_module_documents() {
    assert_eq!(Plot::new(Config::documented()).max_frame_len(), DOCUMENTED_MAX_FRAME);
    assert_eq!(Plot::new(Config::wide()).max_frame_len(), WIDE_MAX_FRAME);
    assert_eq!(WIDE_MAX_FRAME, 1154);
    // The line limit counts when it is the largest; values below 1 act as 1.
    assert_eq!(Plot::new(Config { max_line: 4096, ..Config::documented() }).max_frame_len(), 4096);
    assert_eq!(Plot::new(Config { max_line: 0, ..Config::documented() }).max_frame_len(), 578);
    assert_eq!(Plot::new(Config { max_channels: 255, ..Config::documented() }).max_frame_len(), 2 + 255 * 18);
    // Fixed state: the logical line and the help table dominate (module docs: at most 2.5 KiB).
    // With `alloc` the table's rows are boxed: the list, and so a `Message`, is a few words.
    let size = core::mem::size_of::<Plot>();
    let table = core::mem::size_of::<plot::CommandList>();
    if cfg!(feature = "alloc") {
        assert!((1024..=1200).contains(&size), "size_of::<Plot>() = {size}");
        assert!(table <= 16, "size_of::<CommandList>() = {table}");
        let message = core::mem::size_of::<plot::Message<'static>>();
        assert!(message <= 40, "size_of::<Message>() = {message}");
    } else {
        assert!((2 * 1024..=2560).contains(&size), "size_of::<Plot>() = {size}");
        assert!((1024 + 32 * 10..=1400).contains(&table), "size_of::<CommandList>() = {table}");
    }
    assert_eq!(core::mem::size_of::<plot::TextState>(), 8);
}

fn decode(config: Config, input: &[u8]) -> Vec<Summary> {
    common::decode_slice(Plot::new(config), input)
}

#[test]
fn oversize_count_and_len_reject_only_the_start_byte() {
    // COUNT 33 with 32 channels, then the COUNT byte ('!') is read again as text.
    let events = decode(Config::documented(), b"\xAA\x21\n");
    assert_eq!(events.len(), 2);
    assert_eq!((events[0].offset, events[0].len, events[0].kind), (0, 1, Some(ErrorKind::BadLength)));
    assert_eq!(events[0].item, "BadCount { frame: Data, count: 33, max: 32 }");
    assert_eq!((events[1].offset, events[1].len, events[1].kind), (1, 2, None));
    // COUNT 255 (the largest the field holds) with 64 channels; COUNT 0.
    let events = decode(Config::wide(), b"\xAB\xFF\xAA\x00");
    let kinds: Vec<_> = events.iter().map(|e| (e.offset, e.len, e.kind)).collect();
    assert_eq!(
        kinds,
        [(0, 1, Some(ErrorKind::BadLength)), (1, 1, None), (2, 1, Some(ErrorKind::BadLength)), (3, 1, None)]
    );
    assert_eq!(events[0].item, "BadCount { frame: Label, count: 255, max: 64 }");
    assert_eq!(events[2].item, "BadCount { frame: Data, count: 0, max: 64 }");
    // LEN 17 and LEN 0 of a label entry.
    let events = decode(Config::documented(), b"\xAB\x01\x00\x11abcdefghijklmnopq");
    assert_eq!((events[0].len, events[0].kind), (1, Some(ErrorKind::BadLength)));
    assert_eq!(events[0].item, "BadLabelLen { entry: 0, len: 17 }");
    let events = decode(Config::documented(), b"\xAB\x02\x00\x01a\x05\x00");
    assert_eq!(events[0].item, "BadLabelLen { entry: 1, len: 0 }");
    // The encoder refuses what the decoder would: COUNT above the channels, an empty name.
    let mut buf = [0u8; 256];
    assert_eq!(plot::emit_data(&[0; 33], 32, &mut buf), Err(EncodeError::OutOfRange { field: "COUNT" }));
    assert_eq!(
        plot::emit_labels(&[plot::label(0, "")], 32, &mut buf),
        Err(EncodeError::OutOfRange { field: "LENGTH" })
    );
}

#[test]
fn a_flood_of_start_bytes_is_one_byte_rejections() {
    for (start, config) in [(0xAA, Config::documented()), (0xAB, Config::wide())] {
        let input = vec![start; 100_000];
        let mut decoder = SliceDecoder::new(Plot::new(config), &input);
        let mut count = 0u64;
        for event in decoder.by_ref() {
            assert_eq!((event.offset, event.len), (count, 1));
            let expected = if count == 99_999 { ErrorKind::Truncated } else { ErrorKind::BadLength };
            assert_eq!(event.error_kind(), Some(expected), "at {count}");
            count += 1;
        }
        assert_eq!(count, 100_000);
        let stats = decoder.stats();
        assert_eq!(stats.frames, 0);
        assert_eq!(stats.errors.get(ErrorKind::BadLength), 99_999);
        assert_eq!(stats.errors.get(ErrorKind::Truncated), 1);
        assert_eq!(stats.bytes_skipped, 100_000);
        // The same through a stream decoder at max_frame_len, in odd chunks.
        let chunked = common::decode_chunked(Plot::new(config), &input, &[4093, 1, 77]);
        assert_eq!(chunked.len(), 100_000);
        assert_eq!(chunked[99_999].kind, Some(ErrorKind::Truncated));
    }
}

#[test]
fn text_without_a_line_end_is_cut_at_max_line() {
    let input = vec![b'x'; 100_000];
    let events: Vec<_> = SliceDecoder::new(Plot::default(), &input).collect();
    assert_eq!(events.len(), 98);
    for (i, event) in events.iter().enumerate() {
        assert_eq!(event.offset, i as u64 * 1024);
        assert_eq!(event.len, if i == 97 { 100_000 - 97 * 1024 } else { 1024 });
        let Some(Message::Text(t)) = event.frame() else { panic!("not TEXT: {event:?}") };
        assert!(!t.ends_line());
    }
    let mut decoder: Box<StreamDecoder<Plot, DOCUMENTED_MAX_FRAME>> = Box::new(StreamDecoder::new(Plot::default()));
    let mut lens = Vec::new();
    decoder.feed(&input, |e| lens.push((e.offset, e.len, e.error_kind())));
    decoder.finish_with(|e| lens.push((e.offset, e.len, e.error_kind())));
    assert_eq!(lens, events.iter().map(|e| (e.offset, e.len, None)).collect::<Vec<_>>());
    assert_eq!(decoder.stats().frames, 98);
    assert_eq!(decoder.stats().bytes_in_frames, 100_000);
    // No start byte ever but binary noise: still text pieces of at most max_line bytes.
    let noise: Vec<u8> =
        (0..100_000u32).map(|i| (i * 7 % 251) as u8).filter(|b| !matches!(b, 0xAA | 0xAB | b'\n')).collect();
    let events = decode(Config::documented(), &noise);
    common::assert_tiles(&events, noise.len());
    assert!(events.iter().all(|e| e.kind.is_none() && e.len <= 1024));
    assert_eq!(events.len(), noise.len().div_ceil(1024));
}

#[test]
fn empty_input_has_no_events() {
    assert!(SliceDecoder::new(Plot::default(), &[]).next().is_none());
    let mut decoder: StreamDecoder<Plot, 16> = StreamDecoder::new(Plot::default());
    let mut n = 0;
    decoder.feed(&[], |_| n += 1);
    decoder.finish_with(|_| n += 1);
    assert_eq!(n, 0);
    assert_eq!(decoder.stats().bytes_accounted(), 0);
    assert_eq!(decoder.stats().frames, 0);
    assert_eq!(
        Message::parse_frame(&[], 32).unwrap_err().to_string(),
        "DATA frame cut off: its header needs at least 2 bytes, only 0 are there"
    );
}

/// A 16-byte name with multi-byte characters.
fn name(i: usize) -> String {
    let mut s = format!("ch{i:02}-ÄÖ");
    while s.len() < 16 {
        s.push('x');
    }
    assert_eq!(s.len(), 16);
    s
}

/// The largest data, label and text frames of `config`, each encoded alone.
fn largest_frames(config: Config) -> Vec<Vec<u8>> {
    let max = config.max_channels;
    let values: Vec<i16> = (0..max as i16).map(|i| if i % 2 == 0 { i16::MIN + i } else { i16::MAX - i }).collect();
    let mut data = vec![0u8; 2 + 2 * max as usize];
    assert_eq!(plot::emit_data(&values, max, &mut data), Ok(data.len()));
    let names: Vec<String> = (0..max as usize).map(name).collect();
    let labels: Vec<LabelEntry<'_>> = names.iter().enumerate().map(|(i, n)| plot::label(i as u8, n)).collect();
    let mut label = vec![0u8; 2 + 18 * max as usize];
    assert_eq!(plot::emit_labels(&labels, max, &mut label), Ok(label.len()));
    let mut text = vec![b'-'; config.max_line - 2];
    text.extend_from_slice(b"\r\n");
    vec![data, label, text]
}

#[test]
fn the_largest_frames_encode_decode_and_encode_again() {
    for (config, sizes) in [(Config::documented(), [66, 578, 1024]), (Config::wide(), [130, 1154, 1024])] {
        let frames = largest_frames(config);
        assert_eq!(frames.iter().map(Vec::len).collect::<Vec<_>>(), sizes);
        for bytes in &frames {
            let events: Vec<_> = SliceDecoder::new(Plot::new(config), bytes).collect();
            assert_eq!(events.len(), 1, "{config:?}");
            assert_eq!((events[0].offset, events[0].len), (0, bytes.len()));
            let Item::Frame(message) = &events[0].item else { panic!("{:?}", events[0]) };
            assert_eq!(message.validate(config.max_channels, config.max_line), Ok(()));
            assert_eq!(message.buffer_len(), bytes.len());
            let mut again = vec![0u8; bytes.len()];
            assert_eq!(message.emit(&mut again), Ok(bytes.len()));
            assert_eq!(&again, bytes);
            assert_eq!(
                message.emit(&mut again[..bytes.len() - 1]),
                Err(EncodeError::BufferTooSmall { needed: bytes.len(), available: bytes.len() - 1 })
            );
        }
        // One past each limit is refused.
        let max = config.max_channels;
        let mut buf = vec![0u8; 4096];
        assert_eq!(
            plot::emit_data(&vec![1; max as usize + 1], max, &mut buf),
            Err(EncodeError::OutOfRange { field: "COUNT" })
        );
        let names: Vec<String> = (0..=max as usize).map(name).collect();
        let labels: Vec<LabelEntry<'_>> = names.iter().map(|n| plot::label(0, n)).collect();
        assert_eq!(plot::emit_labels(&labels, max, &mut buf), Err(EncodeError::OutOfRange { field: "COUNT" }));
        let long = vec![b'-'; config.max_line + 1];
        assert_eq!(
            Text::new(&long).validate(config.max_line),
            Err(EncodeError::TooLong { field: "TEXT", len: config.max_line + 1, max: config.max_line })
        );
        // A 17-byte name is cut to 16 bytes on a character boundary, never sent whole.
        let mut label = [0u8; 64];
        let n = plot::emit_labels(&[plot::label(0, "0123456789abcdeÄ")], max, &mut label).unwrap();
        assert_eq!(&label[..n], b"\xAB\x01\x00\x0F0123456789abcde");
    }
}

/// Every limit in one stream: the largest frames, a help table, a line longer than
/// `max_line`, false starts, and text with ª/«.
fn limit_stream(config: Config) -> Vec<u8> {
    let mut input = Vec::new();
    for frame in largest_frames(config) {
        input.extend_from_slice(&frame);
        input.extend_from_slice("ª « ok\n".as_bytes());
    }
    let mut table = String::new();
    let rows = [plot::Command { cmd: "start", args: "-", cat: "state", description: "Start" }];
    plot::write_help_table(&mut table, config.help_marker, &rows).unwrap();
    input.extend_from_slice(table.as_bytes());
    input.extend(std::iter::repeat_n(b'y', 3000));
    input.extend_from_slice(b"\n\xAA\x00\xAB\x01\x00\x00\xAA\x02\x01\x00");
    input
}

#[test]
fn a_stream_decoder_of_exactly_max_frame_len_changes_no_event() {
    fn check<const N: usize>(config: Config) {
        assert_eq!(Plot::new(config).max_frame_len(), N);
        let input = limit_stream(config);
        let expected = decode(config, &input);
        common::assert_tiles(&expected, input.len());
        let frames = expected.iter().filter(|e| e.kind.is_none() && e.len > 100).count();
        assert!(frames >= 5, "the largest frames and 1024-byte text pieces decode: {frames}");
        assert!(expected.iter().any(|e| e.item.starts_with("Commands")));
        for sizes in [&[1usize][..], &[7, 1], &[N], &[N + 1, 3], &[input.len()]] {
            let mut decoder: Box<StreamDecoder<Plot, N>> = Box::new(StreamDecoder::new(Plot::new(config)));
            let mut got = Vec::new();
            let mut rest = &input[..];
            let mut i = 0;
            while !rest.is_empty() {
                let n = sizes[i % sizes.len()].min(rest.len());
                i += 1;
                decoder.feed(&rest[..n], |e| got.push(common::summarize(&e)));
                rest = &rest[n..];
            }
            decoder.finish_with(|e| got.push(common::summarize(&e)));
            assert_eq!(got, expected, "capacity {N}, chunks {sizes:?}");
            assert_eq!(decoder.stats().bytes_accounted(), input.len() as u64);
        }
    }
    check::<DOCUMENTED_MAX_FRAME>(Config::documented());
    check::<WIDE_MAX_FRAME>(Config::wide());
}

#[test]
fn a_much_smaller_stream_decoder_never_stalls() {
    // An 8-byte frame, a 66-byte frame whose values are 'A's, and a line.
    let mut input = vec![0xAA, 3, 1, 0, 2, 0, 3, 0];
    input.extend_from_slice(&[0xAA, 32]);
    input.extend_from_slice(&[b'A'; 64]);
    input.extend_from_slice(b"ok\n");
    let mut decoder: StreamDecoder<Plot, 16> = StreamDecoder::new(Plot::default());
    let mut events = Vec::new();
    for chunk in input.chunks(5) {
        decoder.feed(chunk, |e| events.push(common::summarize(&e)));
    }
    decoder.finish_with(|e| events.push(common::summarize(&e)));
    common::assert_tiles(&events, input.len());
    assert_eq!((events[0].offset, events[0].len, events[0].kind), (0, 8, None));
    assert_eq!(events[0].item, "Data(Data { values: [1, 2, 3] })");
    // The big frame does not fit: its start byte is rejected as truncated ...
    assert_eq!((events[1].offset, events[1].len, events[1].kind), (8, 1, Some(ErrorKind::Truncated)));
    // ... and the rest is text in pieces of at most 16 bytes, the last one ending the line.
    let text: Vec<_> = events[2..].iter().map(|e| (e.len, e.kind)).collect();
    assert_eq!(text, [(16, None), (16, None), (16, None), (16, None), (4, None)]);
    assert!(events.last().unwrap().item.contains("line: \"Aok\""), "{:?}", events.last());
    let stats = decoder.stats();
    assert_eq!(stats.bytes_accounted(), input.len() as u64);
    assert_eq!((stats.frames, stats.errors.total(), stats.bytes_skipped), (6, 1, 1));
    assert_eq!(decoder.pending(), 0);
}
