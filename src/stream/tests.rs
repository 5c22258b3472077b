//! The drivers on a toy format: tiling, chunking, the scan hint, rejection extents.

use super::*;
use core::fmt;

use crate::dialect::{DialectConfig, Message};
use crate::error::ErrorKind;

/// A toy format: `0xAA LEN payload[LEN] SUM` where SUM is the wrapping sum of the
/// payload; LEN at most 8.
#[derive(Default)]
struct Toy;

#[derive(Debug, Clone, PartialEq)]
enum ToyError {
    Garbage,
    Sum,
    Len,
    Truncated,
}

impl fmt::Display for ToyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl DialectError for ToyError {
    fn kind(&self) -> ErrorKind {
        match self {
            ToyError::Garbage => ErrorKind::Garbage,
            ToyError::Sum => ErrorKind::CrcMismatch,
            ToyError::Len => ErrorKind::BadLength,
            ToyError::Truncated => ErrorKind::Truncated,
        }
    }
    fn truncated() -> Self {
        ToyError::Truncated
    }
}

const LIMIT: usize = 11;

fn next_marker(b: &[u8]) -> Option<usize> {
    memchr::memchr(0xAA, b)
}

/// The toy format has one configuration.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct ToyConfig;

impl DialectConfig for ToyConfig {
    const NAMES: &'static [&'static str] = &["toy"];

    fn from_name(name: &str) -> Option<ToyConfig> {
        (name == "toy").then_some(ToyConfig)
    }

    fn name(&self) -> &'static str {
        Self::NAMES[0]
    }
}

/// A toy frame is its bytes.
impl Message for &[u8] {
    fn name(&self) -> &'static str {
        "TOY"
    }
}

impl Dialect for Toy {
    const NAME: &'static str = "toy";
    type Config = ToyConfig;
    type Message<'a> = &'a [u8];
    type Error = ToyError;

    type Context = ();

    fn context_of(&self, _: &&[u8]) {}

    fn rebuild<'a>(frame: &'a [u8], _: &()) -> &'a [u8] {
        frame
    }

    fn new(_: ToyConfig) -> Toy {
        Toy
    }

    fn config(&self) -> &ToyConfig {
        &ToyConfig
    }

    fn max_frame_len(&self) -> usize {
        LIMIT
    }

    fn scan(&mut self, buf: &[u8], at_end: bool) -> Scan<ToyError> {
        if buf.is_empty() {
            return Scan::NeedMore;
        }
        if buf[0] != 0xAA {
            return match next_marker(buf) {
                Some(i) if i <= LIMIT => Scan::Reject(i, ToyError::Garbage),
                _ if buf.len() >= LIMIT => Scan::Reject(LIMIT, ToyError::Garbage),
                _ if at_end => Scan::Reject(buf.len(), ToyError::Garbage),
                _ => Scan::NeedMore,
            };
        }
        let reject = |end: Option<usize>, e: ToyError| match rejection_extent(buf, end, LIMIT, at_end, next_marker) {
            Some(n) => Scan::Reject(n, e),
            None => Scan::NeedMore,
        };
        let Some(&len) = buf.get(1) else {
            return if at_end { reject(None, ToyError::Truncated) } else { Scan::NeedMore };
        };
        if len > 8 {
            return reject(None, ToyError::Len);
        }
        let total = 3 + len as usize;
        if buf.len() < total {
            return if at_end { reject(Some(total), ToyError::Truncated) } else { Scan::NeedMore };
        }
        let sum = buf[2..total - 1].iter().fold(0u8, |a, &b| a.wrapping_add(b));
        if sum != buf[total - 1] {
            return reject(Some(total), ToyError::Sum);
        }
        Scan::Frame(total)
    }

    /// Pins the drivers' use of the hint: the chunking tests compare with `SliceDecoder`.
    fn needed(&self, buf: &[u8]) -> usize {
        match buf {
            [0xAA, len @ 0..=8, ..] => 3 + usize::from(*len),
            _ => 0,
        }
    }

    fn decode<'a>(&mut self, frame: &'a [u8]) -> Result<&'a [u8], ToyError> {
        Ok(&frame[2..frame.len() - 1])
    }

    fn reset(&mut self) {}
}

type Summary = (u64, usize, Option<ErrorKind>, [u8; 8], usize);

fn summarize(e: &Event<&[u8], ToyError>) -> Summary {
    let mut payload = [0u8; 8];
    let mut n = 0;
    if let Some(p) = e.frame() {
        payload[..p.len()].copy_from_slice(p);
        n = p.len();
    }
    (e.offset, e.len, e.error_kind(), payload, n)
}

fn sample() -> [u8; 42] {
    [
        1, 2, 0xAA, 2, 5, 6, 11, // garbage, frame
        0xAA, 9, 0xAA, 1, 7, 7, // bad length, frame
        0xAA, 3, 1, 0xAA, 1, 9, 9, 3, // bad sum hiding a frame
        0xAA, 0, 0, 0xAA, 0, 0, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, // frames, long garbage
        0xAA, 4, 1, // truncated
    ]
}

#[test]
fn slice_decoder_tiles_and_recovers() {
    let input = sample();
    let events: std::vec::Vec<Summary> = SliceDecoder::new(Toy, &input).map(|e| summarize(&e)).collect();
    let mut at = 0u64;
    for e in &events {
        assert_eq!(e.0, at);
        at += e.1 as u64;
    }
    assert_eq!(at, input.len() as u64);
    let frames: std::vec::Vec<&[u8]> = events.iter().filter(|e| e.2.is_none()).map(|e| &e.3[..e.4]).collect();
    assert_eq!(frames, [&[5u8, 6][..], &[7], &[9], &[], &[]]);
    let kinds: std::vec::Vec<ErrorKind> = events.iter().filter_map(|e| e.2).collect();
    use ErrorKind::*;
    assert_eq!(kinds, [Garbage, BadLength, CrcMismatch, Garbage, Garbage, Garbage, Truncated]);
}

/// The end is reported once, then `next` keeps answering `None` and the position stays
/// at the end of the input (the decoder marks the end by a position past it).
#[test]
fn slice_decoder_stays_at_the_end() {
    let input = sample();
    let mut dec = SliceDecoder::new(Toy, &input);
    assert_eq!(dec.by_ref().count(), 12);
    assert_eq!(dec.position(), input.len());
    assert!(dec.next().is_none());
    assert!(dec.next().is_none());
    assert_eq!(dec.position(), input.len());
    assert_eq!(dec.stats().bytes_accounted(), input.len() as u64);
    let mut empty = SliceDecoder::new(Toy, &[]);
    assert!(empty.next().is_none());
    assert!(empty.next().is_none());
    assert_eq!(empty.position(), 0);
}

#[test]
fn stream_decoder_matches_slice_decoder_for_every_chunk_size() {
    let input = sample();
    let expected: std::vec::Vec<Summary> = SliceDecoder::new(Toy, &input).map(|e| summarize(&e)).collect();
    for chunk in 1..=input.len() {
        let mut dec: StreamDecoder<Toy, 16> = StreamDecoder::new(Toy);
        let mut got = std::vec::Vec::new();
        for piece in input.chunks(chunk) {
            dec.feed(piece, |e| got.push(summarize(&e)));
        }
        dec.finish_with(|e| got.push(summarize(&e)));
        assert_eq!(got, expected, "chunk size {chunk}");
        assert_eq!(dec.stats().bytes_accounted(), input.len() as u64);
        assert_eq!(dec.stats().frames, 5);
    }
}

#[test]
fn next_with_bytes_gives_each_events_input() {
    let input = sample();
    let mut dec: StreamDecoder<Toy, 16> = StreamDecoder::new(Toy);
    let mut rebuilt = std::vec::Vec::new();
    for piece in input.chunks(5) {
        let mut rest = piece;
        while !rest.is_empty() {
            rest = &rest[dec.push(rest)..];
            while let Some((event, bytes)) = dec.next_with_bytes() {
                assert_eq!(bytes.len(), event.len);
                rebuilt.extend_from_slice(bytes);
            }
        }
    }
    dec.finish();
    while let Some((_, bytes)) = dec.next_with_bytes() {
        rebuilt.extend_from_slice(bytes);
    }
    assert_eq!(rebuilt, input);
}

#[test]
fn small_capacity_never_stalls() {
    let input = [0xAAu8, 8, 1, 2, 3, 4, 5, 6, 7, 8, 36, 0xAA, 0, 0];
    let mut dec: StreamDecoder<Toy, 4> = StreamDecoder::new(Toy);
    let mut total = 0;
    dec.feed(&input, |e| total += e.len);
    dec.finish_with(|e| total += e.len);
    assert_eq!(total, input.len());
}

/// [`Toy`] without its hint: the drivers scan after every push.
struct NoHint(Toy);

impl Dialect for NoHint {
    const NAME: &'static str = "toy";
    type Config = ToyConfig;
    type Message<'a> = &'a [u8];
    type Error = ToyError;

    type Context = ();

    fn context_of(&self, _: &&[u8]) {}

    fn rebuild<'a>(frame: &'a [u8], _: &()) -> &'a [u8] {
        frame
    }

    fn new(_: ToyConfig) -> NoHint {
        NoHint(Toy)
    }

    fn config(&self) -> &ToyConfig {
        &ToyConfig
    }

    fn max_frame_len(&self) -> usize {
        LIMIT
    }

    fn scan(&mut self, buf: &[u8], at_end: bool) -> Scan<ToyError> {
        self.0.scan(buf, at_end)
    }

    fn decode<'a>(&mut self, frame: &'a [u8]) -> Result<&'a [u8], ToyError> {
        self.0.decode(frame)
    }

    fn reset(&mut self) {}
}

fn decode_stream<D: for<'a> Dialect<Message<'a> = &'a [u8], Error = ToyError>, const N: usize>(
    dialect: D,
    input: &[u8],
    chunk: usize,
) -> std::vec::Vec<Summary> {
    let mut dec: StreamDecoder<D, N> = StreamDecoder::new(dialect);
    let mut got = std::vec::Vec::new();
    for piece in input.chunks(chunk) {
        dec.feed(piece, |e| got.push(summarize(&e)));
    }
    dec.finish_with(|e| got.push(summarize(&e)));
    // Pushing after the end continues the stream, hint and empty buffer included.
    dec.feed(&input[..chunk.min(input.len())], |e| got.push(summarize(&e)));
    dec.feed(&[], |e| got.push(summarize(&e)));
    dec.finish_with(|e| got.push(summarize(&e)));
    got
}

/// The scan hint never changes the events, also in buffers smaller than a frame (where
/// the hint reaches beyond the buffer and the full buffer must be scanned).
#[test]
fn scan_hint_changes_no_event_in_any_buffer() {
    let input = sample();
    for chunk in 1..=input.len() {
        assert_eq!(decode_stream::<_, 4>(Toy, &input, chunk), decode_stream::<_, 4>(NoHint(Toy), &input, chunk));
        assert_eq!(decode_stream::<_, 7>(Toy, &input, chunk), decode_stream::<_, 7>(NoHint(Toy), &input, chunk));
        assert_eq!(decode_stream::<_, 64>(Toy, &input, chunk), decode_stream::<_, 64>(NoHint(Toy), &input, chunk));
    }
}

#[test]
fn extent_stops_at_next_marker_inside_candidate() {
    let buf = [0xAA, 1, 2, 0xAA, 4, 5];
    let next = |b: &[u8]| b.iter().position(|&x| x == 0xAA);
    assert_eq!(rejection_extent(&buf, Some(6), 100, false, next), Some(3));
    assert_eq!(rejection_extent(&buf, Some(2), 100, false, next), Some(2));
    assert_eq!(rejection_extent(&buf[..3], None, 100, false, next), None);
    assert_eq!(rejection_extent(&buf[..3], None, 100, true, next), Some(3));
    assert_eq!(rejection_extent(&buf[..3], None, 2, false, next), Some(2));
    assert_eq!(rejection_extent(&buf[..1], Some(1), 100, false, next), Some(1));
}
