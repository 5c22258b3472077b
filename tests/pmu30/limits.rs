//! The limits stated in the `pmu30` module documentation: the largest frames, the stream
//! buffer they need, oversize LENGTH fields, and long streams of start markers or of bytes
//! with no start marker at all.

use crate::common;
use crate::common::{Summary, summarize};
use serial_dialects::pmu30::{Config, ConfigChunk, DeviceError, Error, Frame, Message, Pmu30, TelemetryPacket};
use serial_dialects::{Dialect, EncodeError, ErrorKind, Item, SliceDecoder, Stats, StreamDecoder};

/// The default largest frame: 4096-byte payload + 6.
const MAX_FRAME: usize = 4102;
const PING: [u8; 6] = [0xAA, 0, 0, 0x01, 0xD1, 0xF1];

/// Slice decoding: the events and the statistics.
fn slice(dialect: Pmu30, input: &[u8]) -> (Vec<Summary>, Stats) {
    let mut decoder = SliceDecoder::new(dialect, input);
    let events = decoder.by_ref().map(|e| summarize(&e)).collect();
    (events, *decoder.stats())
}

/// Chunked decoding in an `N`-byte buffer, cycling through `chunks`.
fn stream<const N: usize>(dialect: Pmu30, input: &[u8], chunks: &[usize]) -> (Vec<Summary>, Stats) {
    let mut decoder: Box<StreamDecoder<Pmu30, N>> = Box::new(StreamDecoder::new(dialect));
    let mut events = Vec::new();
    let mut rest = input;
    for &size in chunks.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (chunk, tail) = rest.split_at(size.clamp(1, rest.len()));
        decoder.feed(chunk, |e| events.push(summarize(&e)));
        rest = tail;
    }
    decoder.finish_with(|e| events.push(summarize(&e)));
    assert_eq!(decoder.pending(), 0);
    assert_eq!(decoder.position(), input.len() as u64);
    (events, *decoder.stats())
}

/// (offset, len, kind) of every event.
fn shape(events: &[Summary]) -> Vec<(u64, usize, Option<ErrorKind>)> {
    events.iter().map(|e| (e.offset, e.len, e.kind)).collect()
}

fn emit(msg: &Message<'_>, config: &Config) -> Vec<u8> {
    let mut out = vec![0u8; msg.buffer_len()];
    assert_eq!(msg.emit_with(&mut out, config.crc_coverage, config.max_payload), Ok(out.len()), "{msg:?}");
    out
}

/// A CONFIG chunk's data of `len` bytes, every fourth one 0xAA (false starts everywhere).
fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| if i % 4 == 1 { 0xAA } else { (i * 7) as u8 }).collect()
}

#[test]
fn stated_sizes() {
    let config = Config::default();
    assert_eq!((config.max_payload, config.max_frame_len()), (4096, MAX_FRAME));
    assert_eq!(Pmu30::default().max_frame_len(), MAX_FRAME);
    let widest = Config { max_payload: usize::from(u16::MAX), ..Config::default() };
    assert_eq!(widest.max_frame_len(), 65_541);
    // The decoder holds only its configuration.
    assert_eq!(size_of::<Pmu30>(), size_of::<Config>());
}

#[test]
fn empty_input_gives_no_events() {
    let (events, stats) = slice(Pmu30::default(), &[]);
    assert!(events.is_empty());
    assert_eq!(stats, Stats::default());
    let (events, stats) = stream::<MAX_FRAME>(Pmu30::default(), &[], &[1]);
    assert!(events.is_empty());
    assert_eq!(stats, Stats::default());
    // Feeding nothing, then finishing twice, still gives nothing.
    let mut decoder: StreamDecoder<Pmu30, 16> = StreamDecoder::new(Pmu30::default());
    decoder.feed(&[], |e| panic!("{:?}", e.error_kind()));
    decoder.finish_with(|e| panic!("{:?}", e.error_kind()));
    decoder.finish_with(|e| panic!("{:?}", e.error_kind()));
    assert_eq!((decoder.pending(), decoder.position()), (0, 0));
}

#[test]
fn oversize_length_is_bad_length_up_to_the_next_start_marker() {
    // LENGTH 4097, ten bytes of noise, then a PING.
    let mut input = vec![0xAA, 0x01, 0x10];
    input.extend_from_slice(&[0x00; 10]);
    input.extend_from_slice(&PING);
    let (events, stats) = slice(Pmu30::default(), &input);
    assert_eq!(shape(&events), [(0, 13, Some(ErrorKind::BadLength)), (13, 6, None)]);
    let bad = SliceDecoder::new(Pmu30::default(), &input).next().unwrap();
    assert_eq!(bad.error(), Some(&Error::LengthTooLarge { length: 4097, max: 4096 }));
    assert_eq!((stats.frames, stats.errors.get(ErrorKind::BadLength), stats.bytes_skipped), (1, 1, 13));
    assert_eq!(stream::<MAX_FRAME>(Pmu30::default(), &input, &[1]), (events, stats));

    // LENGTH 4096 is the largest accepted: a candidate, cut off by the end here.
    let input = [0xAA, 0x00, 0x10, 0x21, 0x00];
    let (events, _) = slice(Pmu30::default(), &input);
    assert_eq!(shape(&events), [(0, 5, Some(ErrorKind::Truncated))]);
}

#[test]
fn oversize_length_without_a_start_marker_behind_it_waits_at_most_max_frame_len() {
    // LENGTH 0xFFFF and 5000 bytes with no 0xAA: the rejection covers max_frame_len bytes,
    // the rest is garbage.
    let mut input = vec![0xAA, 0xFF, 0xFF];
    input.extend(std::iter::repeat_n(0x00, 5000));
    let (events, stats) = slice(Pmu30::default(), &input);
    assert_eq!(
        shape(&events),
        [(0, MAX_FRAME, Some(ErrorKind::BadLength)), (MAX_FRAME as u64, 901, Some(ErrorKind::Garbage))]
    );
    assert_eq!((stats.frames, stats.bytes_skipped), (0, 5003));
    assert_eq!(stream::<MAX_FRAME>(Pmu30::default(), &input, &[997]), (events, stats));

    // A stream decoder decides once it holds max_frame_len bytes, not before.
    let mut decoder: StreamDecoder<Pmu30, MAX_FRAME> = StreamDecoder::new(Pmu30::default());
    assert_eq!(decoder.push(&input[..MAX_FRAME - 1]), MAX_FRAME - 1);
    assert!(decoder.next().is_none());
    assert_eq!(decoder.push(&input[MAX_FRAME - 1..MAX_FRAME]), 1);
    let event = decoder.next().expect("decided at max_frame_len bytes");
    assert_eq!((event.offset, event.len), (0, MAX_FRAME));
    assert_eq!(event.error(), Some(&Error::LengthTooLarge { length: 65535, max: 4096 }));

    // Under the widest configuration the same header is a legal candidate, cut off by the end.
    let widest = Pmu30::new(Config { max_payload: 65_535, ..Config::default() });
    let (events, _) = slice(widest, &input);
    assert_eq!(shape(&events), [(0, 5003, Some(ErrorKind::Truncated))]);
}

#[test]
fn a_hundred_thousand_start_markers() {
    const RUN: usize = 100_000;
    let input = vec![0xAA; RUN];
    let (events, stats) = slice(Pmu30::default(), &input);
    assert_eq!(events.len(), RUN);
    // Every position is a candidate with LENGTH 0xAAAA, rejected alone; the last two have
    // no complete header.
    for (i, e) in events.iter().enumerate() {
        let kind = if i < RUN - 2 { ErrorKind::BadLength } else { ErrorKind::Truncated };
        assert_eq!((e.offset, e.len, e.kind), (i as u64, 1, Some(kind)));
    }
    assert_eq!(events[0].item, format!("{:?}", Error::LengthTooLarge { length: 0xAAAA, max: 4096 }));
    assert_eq!(stats.errors.get(ErrorKind::BadLength), RUN as u64 - 2);
    assert_eq!(stats.errors.get(ErrorKind::Truncated), 2);
    assert_eq!((stats.frames, stats.bytes_skipped), (0, RUN as u64));
    assert_eq!(stream::<MAX_FRAME>(Pmu30::default(), &input, &[4096, 1, 333]), (events, stats));

    // A frame right behind the run is still found.
    let mut input = input;
    input.extend_from_slice(&PING);
    let (events, stats) = slice(Pmu30::default(), &input);
    assert_eq!(events.len(), RUN + 1);
    // The run's last 0xAA reads LENGTH 0x00AA from the PING's bytes: truncated.
    assert_eq!(shape(&events[RUN - 1..]), [((RUN - 1) as u64, 1, Some(ErrorKind::Truncated)), (RUN as u64, 6, None)]);
    assert_eq!(events[RUN].item, "Ping");
    assert_eq!((stats.frames, stats.bytes_in_frames, stats.bytes_skipped), (1, 6, RUN as u64));
}

#[test]
fn a_hundred_thousand_bytes_without_a_start_marker() {
    let input: Vec<u8> = (0..100_000u32).map(|i| (i % 0xAA) as u8).collect();
    let (events, stats) = slice(Pmu30::default(), &input);
    // Garbage in max_frame_len pieces: 24 x 4102 + 1552.
    assert_eq!(events.len(), 25);
    for (i, e) in events.iter().enumerate() {
        let len = if i < 24 { MAX_FRAME } else { 1552 };
        assert_eq!((e.offset, e.len, e.kind), ((i * MAX_FRAME) as u64, len, Some(ErrorKind::Garbage)));
    }
    assert_eq!(events[24].item, format!("{:?}", Error::Garbage { len: 1552 }));
    assert_eq!((stats.frames, stats.errors.get(ErrorKind::Garbage), stats.bytes_skipped), (0, 25, 100_000));
    assert_eq!(stream::<MAX_FRAME>(Pmu30::default(), &input, &[1000]), (events.clone(), stats));
    // A small buffer cuts garbage at its own size but accounts for the same bytes.
    let (small, small_stats) = stream::<64>(Pmu30::default(), &input, &[1000]);
    assert_eq!(small.len(), 100_000usize.div_ceil(64));
    assert!(small.iter().all(|e| e.kind == Some(ErrorKind::Garbage) && e.len <= 64));
    assert_eq!((small_stats.frames, small_stats.bytes_skipped), (0, 100_000));

    // A start marker whose 4102-byte frame fails its CRC: one crc_mismatch, then garbage.
    let mut input = vec![0xAA, 0x00, 0x10];
    input.extend(std::iter::repeat_n(0x00, 100_000));
    let (events, stats) = slice(Pmu30::default(), &input);
    assert_eq!(shape(&events[..1]), [(0, MAX_FRAME, Some(ErrorKind::CrcMismatch))]);
    assert!(events[1..].iter().all(|e| e.kind == Some(ErrorKind::Garbage) && e.len <= MAX_FRAME));
    assert_eq!((stats.frames, stats.bytes_skipped), (0, 100_003));
}

#[test]
fn largest_legal_frames_encode_decode_and_re_encode() {
    let big = data(4092);
    let largest = [
        Message::SetConfig(ConfigChunk { chunk_index: 0, total_chunks: 1, data: &big }),
        Message::ConfigData(ConfigChunk { chunk_index: u16::MAX, total_chunks: u16::MAX, data: &big }),
        Message::Error(DeviceError { error_code: u16::MAX, message: &[0xAA; 255] }),
        Message::TelemetryData(TelemetryPacket::default()),
    ];
    let lens = [MAX_FRAME, MAX_FRAME, 264, 125];
    for (msg, len) in largest.iter().zip(lens) {
        assert_eq!(msg.buffer_len(), len);
        let mut stack = [0u8; MAX_FRAME];
        assert_eq!(msg.emit(&mut stack), Ok(len));
        let bytes = &stack[..len];
        let events: Vec<_> = SliceDecoder::new(Pmu30::default(), bytes).collect();
        assert_eq!(events.len(), 1);
        assert_eq!((events[0].offset, events[0].len), (0, len));
        let back = events[0].frame().expect("a frame");
        assert_eq!(back, msg);
        let mut again = [0u8; MAX_FRAME];
        assert_eq!(back.emit(&mut again), Ok(len));
        assert_eq!(&again[..len], bytes);
        assert_eq!(Frame::new_checked(bytes).map(|f| f.frame_len()), Ok(len));
    }
    // One byte more is refused.
    let over = data(4093);
    let msg = Message::SetConfig(ConfigChunk { chunk_index: 0, total_chunks: 1, data: &over });
    assert_eq!(msg.emit(&mut [0u8; 5000]), Err(EncodeError::TooLong { field: "data", len: 4093, max: 4092 }));
    let msg = Message::Error(DeviceError { error_code: 1, message: &[b'x'; 256] });
    assert_eq!(msg.emit(&mut [0u8; 5000]), Err(EncodeError::TooLong { field: "message", len: 256, max: 255 }));
}

#[test]
fn the_widest_configuration_carries_65541_byte_frames() {
    let widest = Config { max_payload: 65_535, ..Config::default() };
    let payload = data(65_531);
    let msg = Message::ConfigData(ConfigChunk { chunk_index: 3, total_chunks: 4, data: &payload });
    let bytes = emit(&msg, &widest);
    assert_eq!(bytes.len(), 65_541);
    let (events, stats) = slice(Pmu30::new(widest), &bytes);
    assert_eq!(shape(&events), [(0, 65_541, None)]);
    assert_eq!(stats.bytes_in_frames, 65_541);
    let back = Pmu30::new(widest).decode(&bytes).unwrap();
    assert_eq!(back, msg);
    assert_eq!(emit(&back, &widest), bytes);
    // A stream buffer of exactly that size decodes it in any chunking.
    assert_eq!(stream::<65_541>(Pmu30::new(widest), &bytes, &[4096, 1, 65_541]), (events, stats));
    // A larger max_payload acts as 65535: one more data byte does not fit a u16 LENGTH.
    let beyond = Config { max_payload: 1 << 20, ..Config::default() };
    let payload = data(65_532);
    let msg = Message::ConfigData(ConfigChunk { chunk_index: 0, total_chunks: 1, data: &payload });
    assert_eq!(
        msg.emit_with(&mut vec![0u8; 70_000], beyond.crc_coverage, beyond.max_payload),
        Err(EncodeError::TooLong { field: "data", len: 65_532, max: 65_531 })
    );
    // The default decoder refuses that header at once.
    let (events, stats) = slice(Pmu30::default(), &bytes);
    assert_eq!(events[0].kind, Some(ErrorKind::BadLength));
    assert_eq!(events[0].item, format!("{:?}", Error::LengthTooLarge { length: 65_535, max: 4096 }));
    assert_eq!((stats.frames, stats.bytes_accounted()), (0, 65_541));
}

/// Noise, the largest frames, small frames, false starts, an oversize header and a
/// truncated tail.
fn mixed_stream() -> (Vec<u8>, Vec<usize>) {
    let config = Config::default();
    let big = data(4092);
    let mut input = vec![0x00, 0x55, 0xAA, 0x13];
    let mut big_at = Vec::new();
    for i in 0..3u16 {
        input.extend_from_slice(&PING);
        big_at.push(input.len());
        input.extend(emit(&Message::SetConfig(ConfigChunk { chunk_index: i, total_chunks: 3, data: &big }), &config));
        input.extend(emit(
            &Message::TelemetryData(TelemetryPacket { timestamp_ms: u32::from(i), ..Default::default() }),
            &config,
        ));
        input.extend_from_slice(&[0xAA; 5]);
        input.extend_from_slice(&[0xAA, 0x01, 0x10, 0x42]);
        input.extend_from_slice(&PING);
    }
    input.extend_from_slice(&[0xAA, 0x10, 0x00, 0x21, 0x00]);
    (input, big_at)
}

#[test]
fn stream_buffer_of_exactly_max_frame_len_changes_nothing() {
    let (input, big_at) = mixed_stream();
    let (expected, stats) = slice(Pmu30::default(), &input);
    common::assert_tiles(&expected, input.len());
    // 3 x (PING, SET_CONFIG, TELEMETRY_DATA, PING) decode; the largest frames are among them.
    assert_eq!(stats.frames, 12);
    for at in &big_at {
        assert!(expected.iter().any(|e| e.offset == *at as u64 && e.len == MAX_FRAME && e.kind.is_none()));
    }
    assert_eq!(expected.last().map(|e| (e.len, e.kind)), Some((5, Some(ErrorKind::Truncated))));
    for chunks in [&[1][..], &[7, 1, 64], &[MAX_FRAME], &[MAX_FRAME + 1], &[65_536], &[4101, 2, 3]] {
        assert_eq!(stream::<MAX_FRAME>(Pmu30::default(), &input, chunks), (expected.clone(), stats), "{chunks:?}");
    }
}

#[test]
fn a_much_smaller_stream_buffer_never_stalls_and_accounts_for_every_byte() {
    let (input, big_at) = mixed_stream();
    let (full, _) = slice(Pmu30::default(), &input);
    for chunks in [&[1][..], &[64], &[1000], &[7, 300]] {
        let (events, stats) = stream::<64>(Pmu30::default(), &input, chunks);
        common::assert_tiles(&events, input.len());
        assert_eq!(stats.bytes_accounted(), input.len() as u64);
        // Frames that fit the buffer (the PINGs) decode where they did; the 4102- and
        // 125-byte frames do not fit: each is truncated up to its first inner 0xAA (the
        // SET_CONFIG's `data[1]`, frame offset 9), and scanning resumes there.
        let frames: Vec<&Summary> = events.iter().filter(|e| e.kind.is_none()).collect();
        let small: Vec<&Summary> = full.iter().filter(|e| e.kind.is_none() && e.len <= 64).collect();
        assert_eq!(frames, small, "{chunks:?}");
        assert_eq!(stats.frames, 6);
        for at in &big_at {
            let cut = events.iter().find(|e| e.offset == *at as u64).expect("an event at the large frame");
            assert_eq!((cut.len, cut.kind), (9, Some(ErrorKind::Truncated)), "{chunks:?}");
        }
        // The same for every chunking.
        assert_eq!(stream::<64>(Pmu30::default(), &input, &[1]), (events, stats));
    }
    // A small buffer handles the empty stream and a lone frame that fits exactly.
    let (events, _) = stream::<6>(Pmu30::default(), &PING, &[1]);
    assert_eq!(shape(&events), [(0, 6, None)]);
    let mut ping_item = Vec::new();
    let mut decoder: StreamDecoder<Pmu30, 6> = StreamDecoder::new(Pmu30::default());
    decoder.feed(&PING, |e| {
        if let Item::Frame(m) = e.item {
            ping_item.push(m.msg_type().name());
        }
    });
    assert_eq!(ping_item, ["PING"]);
}
