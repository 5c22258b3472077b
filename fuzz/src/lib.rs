//! What every fuzz target checks, written once.
//!
//! A stream target hands arbitrary bytes to [`check_stream`]: the first bytes choose a
//! chunking, the rest is the stream. It asserts that decoding never panics, that events tile
//! the input (every byte in exactly one event), that the statistics add up, that every
//! decoded frame re-encodes to exactly the bytes it was decoded from, and that the chunked
//! stream decoder gives the same events as the zero-copy slice decoder.

use std::fmt::Debug;

use serial_dialects::stream::{Dialect, Item, SliceDecoder, StreamDecoder};
use serial_dialects::{DialectError, EncodeError, ErrorKind, Stats, ascii_crc8, plot, pmu30, powerscope, vectordebug};

/// Buffer of the chunked decoder: larger than every dialect's largest frame.
pub const CAPACITY: usize = 32 * 1024;

/// A dialect whose decoded frames can be written back to the wire.
pub trait Reencode: Dialect {
    /// Writes `frame` as wire bytes into `out` and returns their length.
    fn reencode(&self, frame: &Self::Message<'_>, out: &mut [u8]) -> Result<usize, EncodeError>;
}

impl Reencode for pmu30::Pmu30 {
    fn reencode(&self, frame: &pmu30::Message<'_>, out: &mut [u8]) -> Result<usize, EncodeError> {
        let config = self.config();
        frame.emit_verbatim(out, config.crc_coverage, config.max_payload)
    }
}

impl Reencode for vectordebug::VectorDebug {
    fn reencode(&self, frame: &vectordebug::Message<'_>, out: &mut [u8]) -> Result<usize, EncodeError> {
        let mut decoded = vec![0u8; self.config().max_packet];
        let payload = vectordebug::Payload::decode_wire(frame.wire(), &mut decoded)
            .unwrap_or_else(|e| panic!("a decoded packet does not decode again: {e}"));
        payload.emit(out)
    }
}

impl Reencode for plot::Plot {
    fn reencode(&self, frame: &plot::Message<'_>, out: &mut [u8]) -> Result<usize, EncodeError> {
        frame.emit(out)
    }
}

impl Reencode for ascii_crc8::AsciiCrc8 {
    fn reencode(&self, frame: &ascii_crc8::Message<'_>, out: &mut [u8]) -> Result<usize, EncodeError> {
        frame.emit(out)
    }
}

impl Reencode for powerscope::PowerScope {
    fn reencode(&self, frame: &powerscope::Message<'_>, out: &mut [u8]) -> Result<usize, EncodeError> {
        // Decoded frames may carry values a sender must not use (a SET_PERIOD of 15297 ms):
        // write them back as they are.
        frame.emit_verbatim(out)
    }
}

/// An event reduced to owned, comparable values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub offset: u64,
    pub len: usize,
    pub kind: Option<ErrorKind>,
    pub item: String,
}

/// Splits fuzz input into chunk sizes and the stream: the first byte says how many
/// chunk-size bytes follow (0..=15); sizes cycle, 0 meaning 1.
pub fn split_chunking(data: &[u8]) -> (Vec<usize>, &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return (vec![1], data);
    };
    let n = usize::from(n % 16).min(rest.len());
    let (sizes, stream) = rest.split_at(n);
    let sizes: Vec<usize> = sizes.iter().map(|&s| usize::from(s).max(1)).collect();
    (if sizes.is_empty() { vec![stream.len().max(1)] } else { sizes }, stream)
}

/// Decodes `input` in the given chunking with the fixed-capacity stream decoder.
pub fn decode_chunked<D>(dialect: D, input: &[u8], sizes: &[usize]) -> (Vec<Summary>, Stats)
where
    D: Dialect,
    for<'a> D::Message<'a>: Debug,
{
    let mut decoder: Box<StreamDecoder<D, CAPACITY>> = Box::new(StreamDecoder::new(dialect));
    let mut events = Vec::new();
    let mut rest = input;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].clamp(1, rest.len());
        i += 1;
        decoder.feed(&rest[..n], |e| events.push(summarize(&e)));
        rest = &rest[n..];
    }
    decoder.finish_with(|e| events.push(summarize(&e)));
    (events, *decoder.stats())
}

fn summarize<F: Debug, E: DialectError>(e: &serial_dialects::Event<F, E>) -> Summary {
    let item = match &e.item {
        Item::Frame(f) => format!("{f:?}"),
        Item::Error(err) => format!("{err:?}"),
    };
    Summary { offset: e.offset, len: e.len, kind: e.error_kind(), item }
}

/// The stream properties every decoder must have (see the module documentation).
pub fn check_stream<D>(make: impl Fn() -> D, data: &[u8])
where
    D: Reencode,
    for<'a> D::Message<'a>: Debug,
{
    let (sizes, input) = split_chunking(data);
    let mut decoder = SliceDecoder::new(make(), input);
    let mut expected = Vec::new();
    let mut out = vec![0u8; 64 * 1024];
    let (mut at, mut frames, mut errors, mut skipped) = (0u64, 0u64, 0u64, 0u64);
    while let Some(event) = decoder.next() {
        assert_eq!(event.offset, at, "events must tile the input");
        let bytes = &input[event.offset as usize..event.offset as usize + event.len];
        match &event.item {
            Item::Frame(frame) => {
                frames += 1;
                let n = decoder
                    .dialect()
                    .reencode(frame, &mut out)
                    .unwrap_or_else(|e| panic!("decoded frame {frame:?} does not re-encode: {e}"));
                assert_eq!(&out[..n], bytes, "frame {frame:?} re-encodes to other bytes");
            }
            Item::Error(_) => {
                assert!(event.len > 0, "an error event must reject at least one byte");
                errors += 1;
                skipped += event.len as u64;
            }
        }
        at += event.len as u64;
        expected.push(summarize(&event));
    }
    assert_eq!(at, input.len() as u64, "events must reach the end of the input");
    let stats = *decoder.stats();
    assert_eq!(stats.frames, frames);
    assert_eq!(stats.errors.total(), errors);
    assert_eq!(stats.bytes_skipped, skipped);
    assert_eq!(stats.bytes_accounted(), input.len() as u64);

    let (chunked, chunked_stats) = decode_chunked(make(), input, &sizes);
    assert_eq!(chunked, expected, "chunking {sizes:?} changed the events");
    assert_eq!(chunked_stats, stats, "chunking {sizes:?} changed the statistics");
}
