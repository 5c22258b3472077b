//! Test machinery shared by every dialect's tests: event summaries, chunking sweeps,
//! tiling checks, a seeded RNG and a stream corruptor.
#![allow(dead_code)]

use std::fmt::Debug;

use serial_dialects::stream::{Dialect, Event, Item, SliceDecoder, StreamDecoder};
use serial_dialects::{DialectError, ErrorKind};

pub mod contract;
pub mod corruption;
pub mod pmu30;
pub mod vectordebug;

/// Buffer size for chunked decoding in tests: larger than every dialect's largest frame.
pub const TEST_CAPACITY: usize = 32 * 1024;

/// An event reduced to comparable values: offset, length, error kind, and the item's
/// `Debug` text (the frame's every field, or the error with its numbers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub offset: u64,
    pub len: usize,
    pub kind: Option<ErrorKind>,
    pub item: String,
}

pub fn summarize<F: Debug, E: DialectError>(event: &Event<F, E>) -> Summary {
    let item = match &event.item {
        Item::Frame(f) => format!("{f:?}"),
        Item::Error(e) => format!("{e:?}"),
    };
    Summary { offset: event.offset, len: event.len, kind: event.error_kind(), item }
}

/// Decodes `input` as one slice.
pub fn decode_slice<D>(dialect: D, input: &[u8]) -> Vec<Summary>
where
    D: Dialect,
    for<'a> D::Message<'a>: Debug,
{
    SliceDecoder::new(dialect, input).map(|e| summarize(&e)).collect()
}

/// Decodes `input` pushed in chunks of the given sizes (cycled), then finishes.
pub fn decode_chunked<D>(dialect: D, input: &[u8], sizes: &[usize]) -> Vec<Summary>
where
    D: Dialect,
    for<'a> D::Message<'a>: Debug,
{
    let mut decoder: Box<StreamDecoder<D, TEST_CAPACITY>> = Box::new(StreamDecoder::new(dialect));
    let mut out = Vec::new();
    let mut rest = input;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].max(1).min(rest.len());
        i += 1;
        decoder.feed(&rest[..n], |e| out.push(summarize(&e)));
        rest = &rest[n..];
    }
    decoder.finish_with(|e| out.push(summarize(&e)));
    assert_eq!(decoder.stats().bytes_accounted(), input.len() as u64, "stats must account for every byte");
    out
}

/// Asserts that events tile `[0, len)` in order with no gap or overlap.
pub fn assert_tiles(events: &[Summary], len: usize) {
    let mut at = 0u64;
    for e in events {
        assert_eq!(e.offset, at, "gap or overlap before {e:?}");
        at += e.len as u64;
    }
    assert_eq!(at, len as u64, "events do not reach the end of the input");
}

/// Asserts that chunk sizes 1..=64 and 32 random chunkings all give the slice decoder's events.
pub fn assert_chunking_invariant<D>(make: impl Fn() -> D, input: &[u8])
where
    D: Dialect,
    for<'a> D::Message<'a>: Debug,
{
    let expected = decode_slice(make(), input);
    assert_tiles(&expected, input.len());
    for size in 1..=64 {
        let got = decode_chunked(make(), input, &[size]);
        assert_eq!(got, expected, "chunk size {size} changed the events");
    }
    let mut rng = XorShift::new(0x5EED_0001);
    for _ in 0..32 {
        let sizes: Vec<usize> = (0..17).map(|_| 1 + rng.below(300)).collect();
        let got = decode_chunked(make(), input, &sizes);
        assert_eq!(got, expected, "random chunking {sizes:?} changed the events");
    }
}

/// The seeded RNG of the test suite (xorshift64*), so every run sees the same bytes.
pub use corruption::Rng as XorShift;

/// A stream built from frames, with some bytes corrupted; remembers where the frames that
/// no corruption touched ended up.
#[derive(Debug, Clone)]
pub struct Corrupted {
    pub bytes: Vec<u8>,
    /// `(offset in bytes, index in the original frame list)` of every untouched frame.
    pub untouched: Vec<(usize, usize)>,
    pub frames_total: usize,
}

/// Concatenates `frames` and applies, per byte, a bit flip, a drop or an insertion of a
/// random byte, each with probability `rate / 3`. A frame is untouched when none of its
/// bytes was changed or dropped and nothing was inserted inside it.
pub fn corrupt(frames: &[Vec<u8>], rate: f64, seed: u64) -> Corrupted {
    let mut rng = XorShift::new(seed);
    let mut bytes = Vec::new();
    let mut untouched = Vec::new();
    for (index, frame) in frames.iter().enumerate() {
        let start = bytes.len();
        let mut touched = false;
        for (i, &b) in frame.iter().enumerate() {
            if rng.chance(rate / 3.0) {
                bytes.push(b ^ (1 << rng.below(8)));
                touched = true;
            } else if rng.chance(rate / 3.0) {
                touched = true;
            } else {
                bytes.push(b);
            }
            if rng.chance(rate / 3.0) {
                bytes.push(rng.byte());
                // An insertion after the last byte lies between frames.
                touched |= i + 1 < frame.len();
            }
        }
        if !touched {
            untouched.push((start, index));
        }
    }
    Corrupted { bytes, untouched, frames_total: frames.len() }
}

/// A real capture of `tests/captures/<dialect>/`: the bytes of `<name>.bin` and the real
/// tool's records, one JSON value per non-blank line of `<name>.jsonl`.
pub fn capture_with_records(dialect: &str, name: &str) -> (Vec<u8>, Vec<serde_json::Value>) {
    let dir = format!("{}/tests/captures/{dialect}", env!("CARGO_MANIFEST_DIR"));
    let bin = std::fs::read(format!("{dir}/{name}.bin")).expect("capture .bin");
    let jsonl = std::fs::read_to_string(format!("{dir}/{name}.jsonl")).expect("capture .jsonl");
    let records =
        jsonl.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).expect("jsonl line")).collect();
    (bin, records)
}
