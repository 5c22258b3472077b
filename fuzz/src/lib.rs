//! What every fuzz target checks, written once.
//!
//! A stream target hands arbitrary bytes to [`check_stream`]: the first bytes choose a
//! chunking, the rest is the stream. It asserts that decoding never panics, that events tile
//! the input (every byte in exactly one event), that the statistics add up, that every
//! decoded frame re-encodes to exactly the bytes it was decoded from, and that the chunked
//! stream decoder gives the same events as the zero-copy slice decoder.

use std::fmt::Debug;

use serial_dialects::stream::{Dialect, Item, SliceDecoder, StreamDecoder};
use serial_dialects::{
    DialectConfig, DialectError, Encode, ErrorKind, Stats, ascii_crc8, plot, pmu30, powerscope, vectordebug,
};

/// Buffer of the chunked decoder: larger than every dialect's largest frame.
pub const CAPACITY: usize = 32 * 1024;

/// Generic work over one configuration of any dialect (the visitor of
/// [`with_configuration`]).
pub trait Job {
    /// Runs the work with `config` of dialect `D`.
    fn run<D: Encode>(self, config: D::Config)
    where
        for<'a> D::Message<'a>: Debug;
}

/// The fuzzed dialects: one line per dialect. Targets that take any dialect
/// ([`with_configuration`]) cover every configuration of each (aliases once).
macro_rules! registry {
    ($($ty:ty,)*) => {
        /// How many configurations [`with_configuration`] chooses from.
        pub fn configurations() -> usize {
            0 $(+ canonical::<$ty>().len())*
        }

        /// Runs `job` with configuration number `choice` (modulo [`configurations`]), in
        /// registry order and each dialect's `DialectConfig::NAMES` order.
        pub fn with_configuration<J: Job>(choice: usize, job: J) {
            let mut i = choice % configurations();
            $(
                let configs = canonical::<$ty>();
                if let Some(config) = configs.get(i) {
                    return job.run::<$ty>(*config);
                }
                i -= configs.len();
            )*
            let _ = (i, job);
        }
    };
}

registry! {
    pmu30::Pmu30,
    vectordebug::VectorDebug,
    plot::Plot,
    ascii_crc8::AsciiCrc8,
    powerscope::PowerScope,
}

/// Every configuration of `D` once: its canonical names (an alias names a configuration
/// that another name already has).
fn canonical<D: Dialect>() -> Vec<D::Config> {
    <D::Config as DialectConfig>::NAMES
        .iter()
        .filter_map(|&name| D::Config::from_name(name).filter(|c| c.name() == name))
        .collect()
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

/// The stream properties every decoder must have (see the module documentation). Frames
/// are written back with [`Encode::encode_verbatim`].
pub fn check_stream<D>(make: impl Fn() -> D, data: &[u8])
where
    D: Encode,
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
                    .encode_verbatim(frame, &mut out)
                    .unwrap_or_else(|e| panic!("decoded frame {frame:?} does not re-encode: {e}"));
                assert_eq!(&out[..n], bytes, "frame {frame:?} re-encodes to other bytes");
                assert_eq!(decoder.dialect().encoded_len(frame), n, "encoded_len of {frame:?}");
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

    let (owned, owned_stats) = decode_owned(make(), input, &sizes);
    assert_eq!(owned, expected, "owned events (chunking {sizes:?}) differ from the slice decoder's");
    assert_eq!(owned_stats, stats, "owned decoding (chunking {sizes:?}) changed the statistics");
}

/// Decodes `input` in the given chunking into owned events (`OwnedDecoder` over a
/// `BytesMut`, as the tokio codec does), each summarized with its rebuilt message.
pub fn decode_owned<D>(dialect: D, input: &[u8], sizes: &[usize]) -> (Vec<Summary>, Stats)
where
    D: Dialect,
    for<'a> D::Message<'a>: Debug,
{
    let mut decoder = serial_dialects::owned::OwnedDecoder::new(dialect);
    let mut buf = bytes::BytesMut::new();
    let mut events = Vec::new();
    let owned = |e: &serial_dialects::owned::OwnedEvent<D>| summarize(&e.borrowed());
    let mut rest = input;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].clamp(1, rest.len());
        i += 1;
        buf.extend_from_slice(&rest[..n]);
        rest = &rest[n..];
        while let Some(event) = decoder.decode(&mut buf) {
            events.push(owned(&event));
        }
        assert!(buf.len() < decoder.capacity().max(1), "the owned decoder held {} undecided bytes", buf.len());
    }
    while let Some(event) = decoder.decode_eof(&mut buf) {
        events.push(owned(&event));
    }
    (events, *decoder.stats())
}

/// Two chunkings of the same bytes give the same events: the first bytes of `data` choose
/// the first chunking, the next the second, the rest is the stream.
pub fn check_chunkings<D>(config: D::Config, data: &[u8])
where
    D: Dialect,
    for<'a> D::Message<'a>: Debug,
{
    let (first, data) = split_chunking(data);
    let (second, input) = split_chunking(data);
    let a = decode_chunked(D::new(config), input, &first);
    let b = decode_chunked(D::new(config), input, &second);
    assert_eq!(a, b, "chunkings {first:?} and {second:?} disagree");
}
