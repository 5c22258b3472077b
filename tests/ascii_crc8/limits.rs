//! The limits of the ascii-crc8 dialect, as its module documentation states them: the
//! largest frames and lines, oversize LEN fields, long runs with no frame in them, empty
//! input, and the stream buffer capacity (exactly `max_frame_len`, and much smaller).

use serial_dialects::ascii_crc8::{
    Address, Answer, AsciiCrc8, Command, Config, Error, Frame, ID_SLOTS, MAX_DATA_LEN, MAX_FRAME_LEN, MAX_LINE_LEN,
    Message, OVERHEAD, emit_frame, encode_line, encode_request, encode_view_frame,
};
use serial_dialects::{Dialect, EncodeError, ErrorKind, Item, Message as _, SliceDecoder, Stats, StreamDecoder};

/// The default `max_frame_len`: the stream buffer a `StreamDecoder` needs.
const CAPACITY: usize = 1024;

/// One event as `(offset, len, kind or frame type, error detail)`.
type Ev = (u64, usize, &'static str, String);

fn ev<E: serial_dialects::DialectError>(e: &serial_dialects::Event<Message<'_>, E>) -> Ev {
    match &e.item {
        Item::Frame(m) => (e.offset, e.len, m.name(), String::new()),
        Item::Error(err) => (e.offset, e.len, err.kind().as_str(), format!("{err:?}")),
    }
}

fn slice_events(input: &[u8]) -> (Vec<Ev>, Stats) {
    let mut dec = SliceDecoder::new(AsciiCrc8::default(), input);
    let events: Vec<Ev> = dec.by_ref().map(|e| ev(&e)).collect();
    (events, *dec.stats())
}

/// Decodes `input` pushed in pieces of `chunk` bytes through a decoder of `N` bytes.
fn stream_events<const N: usize>(input: &[u8], chunk: usize) -> (Vec<Ev>, Stats) {
    let mut dec: Box<StreamDecoder<AsciiCrc8, N>> = Box::new(StreamDecoder::new(AsciiCrc8::default()));
    let mut events = Vec::new();
    for piece in input.chunks(chunk) {
        dec.feed(piece, |e| events.push(ev(&e)));
    }
    dec.finish_with(|e| events.push(ev(&e)));
    assert_eq!(dec.pending(), 0);
    assert_eq!(dec.position(), input.len() as u64);
    (events, *dec.stats())
}

fn assert_tiles(events: &[Ev], len: usize) {
    let mut at = 0u64;
    for e in events {
        assert_eq!(e.0, at, "gap or overlap at {e:?}");
        at += e.1 as u64;
    }
    assert_eq!(at, len as u64);
}

/// `(len, kind)` runs: how many consecutive events have the same length and kind.
fn runs(events: &[Ev]) -> Vec<(usize, usize, &'static str)> {
    let mut out: Vec<(usize, usize, &'static str)> = Vec::new();
    for e in events {
        match out.last_mut() {
            Some((count, len, kind)) if *len == e.1 && *kind == e.2 => *count += 1,
            _ => out.push((1, e.1, e.2)),
        }
    }
    out
}

#[test]
fn stated_limits() {
    assert_eq!(MAX_DATA_LEN, 256);
    assert_eq!(OVERHEAD, 15);
    assert_eq!(MAX_FRAME_LEN, 271);
    assert_eq!(MAX_LINE_LEN, 1024);
    assert_eq!(Config::default().search_limit, 1024);
    assert_eq!(AsciiCrc8::default().max_frame_len(), CAPACITY);
    // The search limit is raised to one whole frame and the byte after it.
    assert_eq!(AsciiCrc8::new(Config { search_limit: 0 }).max_frame_len(), 272);
    assert_eq!(AsciiCrc8::new(Config { search_limit: 271 }).max_frame_len(), 272);
    assert_eq!(AsciiCrc8::new(Config { search_limit: 4000 }).max_frame_len(), 4000);
    // Fixed state: the config, one byte per request ID, one flag.
    assert_eq!(ID_SLOTS, 100);
    assert_eq!(size_of::<Option<serial_dialects::ascii_crc8::CommandCode>>(), 1);
    #[cfg(target_pointer_width = "64")]
    assert_eq!(size_of::<AsciiCrc8>(), 112);
    #[cfg(target_pointer_width = "32")]
    assert_eq!(size_of::<AsciiCrc8>(), 108);
}

#[test]
fn oversize_length_fields_are_bad_length() {
    // LEN 999 with a `*` behind it: rejected up to and including the `*`; the frame behind
    // is intact.
    let input = b"&PC_STM01999hello00*&PC_STM010031000F*";
    let (events, stats) = slice_events(input);
    assert_eq!(
        events,
        [(0, 20, "bad_length", "LengthTooLarge { len: 999 }".to_string()), (20, 18, "START", String::new()),]
    );
    assert_eq!((stats.frames, stats.errors.get(ErrorKind::BadLength), stats.bytes_skipped), (1, 1, 20));

    // LEN 257 (one above the maximum) and no `*` or `&` ever: the rejection ends at the
    // search limit, the rest is garbage.
    let mut input = b"&PC_STM01257".to_vec();
    input.extend(std::iter::repeat_n(b'A', 2000));
    let (events, stats) = slice_events(&input);
    assert_eq!(
        events,
        [
            (0, 1024, "bad_length", "LengthTooLarge { len: 257 }".to_string()),
            (1024, 988, "garbage", "Garbage { len: 988 }".to_string()),
        ]
    );
    assert_eq!(stats.bytes_skipped, 2012);

    // LEN 256 but DATA longer: the `*` is missing where LEN puts it.
    let mut input = b"&PC_STM01256".to_vec();
    input.extend(std::iter::repeat_n(b'A', 300));
    input.push(b'*');
    let (events, _) = slice_events(&input);
    assert_eq!(events, [(0, 313, "bad_length", "MissingTerminator { at: 270, len: 256, found: 65 }".to_string())]);

    // The view refuses a LEN above 256 as well.
    assert_eq!(Frame::new_checked(&b"&PC_STM01257"[..]).map(|_| ()), Err(Error::LengthTooLarge { len: 257 }));
}

#[test]
fn a_long_run_of_start_markers() {
    let input = vec![b'&'; 100_000];
    let (events, stats) = slice_events(&input);
    assert_eq!(events.len(), 100_000);
    assert_tiles(&events, input.len());
    // Each `&` is cut off by the next; the last by the end of the input.
    assert!(events[..99_999].iter().all(|e| e.1 == 1 && e.3 == "Interrupted { at: 1 }"));
    assert_eq!(events[99_999], (99_999, 1, "truncated", "Truncated".to_string()));
    assert_eq!(stats.errors.get(ErrorKind::Truncated), 100_000);
    assert_eq!((stats.frames, stats.bytes_skipped, stats.bytes_in_frames), (0, 100_000, 0));
    assert_eq!(stream_events::<CAPACITY>(&input, 4096), (events.clone(), stats));
    assert_eq!(stream_events::<16>(&input, 4096), (events, stats));
}

#[test]
fn long_runs_without_a_start_marker() {
    // Text with no line end, binary, and lone `*`: garbage in events of the search limit.
    for byte in [b'x', 0x00, 0xFF, b'*', b'\r'] {
        let input = vec![byte; 100_000];
        let (events, stats) = slice_events(&input);
        assert_eq!(runs(&events), [(97, 1024, "garbage"), (1, 672, "garbage")], "byte {byte:#04X}");
        assert_eq!(events[97].3, "Garbage { len: 672 }");
        assert_eq!((stats.errors.get(ErrorKind::Garbage), stats.bytes_skipped), (98, 100_000));
        assert_eq!(stream_events::<CAPACITY>(&input, 333), (events, stats));
    }

    // A `&` followed by digits and nothing else: a bad LEN (555) rejected to the limit,
    // then garbage; no frame is ever found and nothing is held back.
    let mut input = vec![b'&'];
    input.extend(std::iter::repeat_n(b'5', 100_000));
    let (events, stats) = slice_events(&input);
    assert_eq!(runs(&events), [(1, 1024, "bad_length"), (96, 1024, "garbage"), (1, 673, "garbage")]);
    assert_eq!(events[0].3, "LengthTooLarge { len: 555 }");
    assert_eq!(stats.bytes_accounted(), 100_001);
    assert_eq!(stream_events::<CAPACITY>(&input, 1000), (events, stats));

    // A line longer than the limit is garbage even when it ends; the frame behind it is not.
    let mut input = vec![b'x'; 2000];
    input.extend_from_slice(b"\r\n&PC_STM010031000F*");
    let (events, _) = slice_events(&input);
    assert_eq!(
        events,
        [
            (0, 1024, "garbage", "Garbage { len: 1024 }".to_string()),
            (1024, 978, "garbage", "Garbage { len: 978 }".to_string()),
            (2002, 18, "START", String::new()),
        ]
    );
}

#[test]
fn empty_input() {
    let (events, stats) = slice_events(b"");
    assert!(events.is_empty());
    assert_eq!(stats, Stats::default());
    let mut dec: StreamDecoder<AsciiCrc8, CAPACITY> = StreamDecoder::new(AsciiCrc8::default());
    assert_eq!(dec.push(b""), 0);
    assert!(dec.next().is_none());
    dec.feed(b"", |e| panic!("{e:?}"));
    dec.finish_with(|e| panic!("{e:?}"));
    assert_eq!((dec.position(), dec.pending(), *dec.stats()), (0, 0, Stats::default()));
}

/// The largest frame of each kind, and the longest line, as wire bytes.
fn largest_frames() -> Vec<Vec<u8>> {
    let mut frames = Vec::new();
    let mut buf = [0u8; MAX_FRAME_LEN];
    // 256 bytes of DATA holding every byte value but the markers, from another endpoint to
    // an address of the first and last address characters (0x21, 0x7E).
    let data: Vec<u8> = (0..=255u8).cycle().filter(|b| !matches!(b, b'&' | b'*')).take(256).collect();
    let n = emit_frame(&mut buf, Address(*b"DBG"), Address(*b"!~!"), 99, &data).unwrap();
    frames.push(buf[..n].to_vec());
    // A SET_INTERVAL request with 254 parameter digits (the device reads them all).
    let mut data = b"14".to_vec();
    data.extend(std::iter::repeat_n(b'0', 250));
    data.extend_from_slice(b"9999");
    let n = emit_frame(&mut buf, Address::PC, Address::STM, 42, &data).unwrap();
    frames.push(buf[..n].to_vec());
    // A VIEW request, then its reply with 63 values (the most per frame).
    let n = encode_request(&mut buf, 42, &Command::View { offset: Some(0), count: Some(63) }).unwrap();
    frames.push(buf[..n].to_vec());
    let values: Vec<u16> = (0..63).map(|i| 9999 - i * 100).collect();
    let n = encode_view_frame(&mut buf, 42, 163, &values).unwrap();
    frames.push(buf[..n].to_vec());
    // The longest device line.
    let mut line = [0u8; MAX_LINE_LEN];
    let text = [b"ERR_LENGTH ".as_slice(), &[b'~'; MAX_LINE_LEN - 2 - 11]].concat();
    let n = encode_line(&mut line, &text).unwrap();
    frames.push(line[..n].to_vec());
    frames
}

#[test]
fn largest_legal_frames_encode_decode_and_re_encode() {
    let frames = largest_frames();
    assert_eq!(frames.iter().map(Vec::len).collect::<Vec<_>>(), [271, 271, 21, 269, 1024]);
    let input = frames.concat();
    let mut dec = SliceDecoder::new(AsciiCrc8::default(), &input);
    let mut at = 0;
    for (i, wire) in frames.iter().enumerate() {
        let event = dec.next().unwrap();
        assert_eq!((event.offset, event.len), (at as u64, wire.len()), "frame {i}");
        let message = event.into_frame().unwrap_or_else(|| panic!("frame {i} rejected"));
        match (i, &message) {
            (0, Message::Frame(f)) => assert_eq!(f.data.len(), 256),
            (1, Message::Request(r)) => assert_eq!(r.command, Command::SetInterval { interval_ms: Some(9999) }),
            (2, Message::Request(_)) => {}
            (3, Message::Reply(r)) => {
                let Some(Answer::View { offset, values }) = r.answer else { panic!("{r:?}") };
                assert_eq!((offset, values.len(), values.get(0), values.get(62)), (63, 63, Some(9999), Some(3799)));
            }
            (4, Message::DeviceError(l)) => assert_eq!(l.as_bytes().len(), MAX_LINE_LEN),
            _ => panic!("frame {i}: {message:?}"),
        }
        let mut out = vec![0u8; message.buffer_len()];
        assert_eq!(message.emit(&mut out), Ok(wire.len()));
        assert_eq!(&out, wire, "frame {i} re-encodes");
        assert_eq!(
            message.emit(&mut out[..wire.len() - 1]),
            Err(EncodeError::BufferTooSmall { needed: wire.len(), available: wire.len() - 1 })
        );
        at += wire.len();
    }
    assert!(dec.next().is_none());
    assert_eq!((dec.stats().frames, dec.stats().bytes_in_frames), (5, input.len() as u64));

    // One byte more is refused by the encoders, or not read as one frame / line.
    let mut buf = [0u8; 400];
    assert_eq!(
        emit_frame(&mut buf, Address::PC, Address::STM, 1, &[b'0'; 257]),
        Err(EncodeError::TooLong { field: "DATA", len: 257, max: 256 })
    );
    assert_eq!(encode_view_frame(&mut buf, 1, 0, &[0; 64]), Err(EncodeError::OutOfRange { field: "values" }));
    let mut line = vec![0u8; 2000];
    assert_eq!(
        encode_line(&mut line, &[b'x'; MAX_LINE_LEN - 1]),
        Err(EncodeError::TooLong { field: "text", len: 1023, max: 1022 })
    );
    let mut long_line = vec![b'x'; MAX_LINE_LEN - 1];
    long_line.extend_from_slice(b"\r\n");
    let (events, _) = slice_events(&long_line);
    assert_eq!(runs(&events), [(1, 1024, "garbage"), (1, 1, "garbage")]);
}

/// A stream that exercises every limit: largest frames, oversize LEN, long garbage,
/// runs of `&`, long lines and the real captures.
fn limit_stream() -> Vec<u8> {
    let mut s = Vec::new();
    for name in ["doc_typical_session.bin", "doc_noise.bin", "doc_view_99.reply.bin", "doc_bad_crc.bin"] {
        s.extend(std::fs::read(format!("tests/captures/ascii-crc8/{name}")).unwrap());
    }
    for frame in largest_frames() {
        s.extend(frame);
    }
    s.extend_from_slice(b"&PC_STM01999hello00*");
    s.extend(std::iter::repeat_n(b'x', 3000));
    s.extend_from_slice(b"\r\n");
    s.extend(std::iter::repeat_n(b'&', 300));
    s.push(b'&');
    s.extend(std::iter::repeat_n(b'5', 1500));
    s.extend(largest_frames().concat());
    s.extend_from_slice(b"&STMPC_42002"); // cut off by the end
    s
}

#[test]
fn a_stream_decoder_of_exactly_max_frame_len_changes_no_event() {
    let input = limit_stream();
    let (events, stats) = slice_events(&input);
    assert_tiles(&events, input.len());
    assert!(events.iter().all(|e| e.1 <= CAPACITY));
    // 6 + 2 + 2 + 1 valid frames in the captures, twice the 5 largest frames and lines.
    assert_eq!(stats.frames, 21);
    assert_eq!(stats.bytes_accounted(), input.len() as u64);
    for chunk in [1, 7, 64, 271, 1023, 1024, 1025, 5000, input.len()] {
        assert_eq!(stream_events::<CAPACITY>(&input, chunk), (events.clone(), stats), "chunk {chunk}");
    }
}

#[test]
fn a_much_smaller_stream_decoder_never_stalls() {
    // The largest frame alone in a 64-byte decoder: cut into a truncated candidate and
    // garbage, every byte accounted for.
    let frame = &largest_frames()[1];
    let (events, stats) = stream_events::<64>(frame, 271);
    assert_eq!(runs(&events), [(1, 64, "truncated"), (3, 64, "garbage"), (1, 15, "garbage")]);
    assert_eq!((stats.frames, stats.bytes_skipped), (0, 271));

    // Frames that fit decode as with a full-size buffer.
    let small: Vec<u8> = ["doc_typical_session.bin", "doc_set_get_mode.bin", "doc_stop.reply.bin"]
        .iter()
        .flat_map(|name| std::fs::read(format!("tests/captures/ascii-crc8/{name}")).unwrap())
        .collect();
    let (expected, expected_stats) = slice_events(&small);
    assert!(expected.iter().all(|e| e.1 <= 32), "{expected:?}");
    for chunk in [1, 5, 32, 1000] {
        assert_eq!(stream_events::<32>(&small, chunk), (expected.clone(), expected_stats), "chunk {chunk}");
    }

    // The whole limit stream through 16 bytes: no stall, events tile, none longer than
    // the buffer, and the statistics account for every byte.
    let input = limit_stream();
    for chunk in [1, 16, 17, 4096] {
        let (events, stats) = stream_events::<16>(&input, chunk);
        assert_tiles(&events, input.len());
        assert!(events.iter().all(|e| (1..=16).contains(&e.1)), "chunk {chunk}");
        assert_eq!(stats.bytes_accounted(), input.len() as u64);
        assert_eq!(stats.frames, events.iter().filter(|e| e.3.is_empty()).count() as u64);
        // Each `&` of the run is still its own event.
        assert!(events.windows(300).any(|w| w.iter().all(|e| e.1 == 1 && e.2 == "truncated")));
    }
}
