//! The performance workloads, shared by the criterion benches (`benches/decode.rs`) and the
//! report generator (`examples/perf_report.rs`) so that both measure exactly the same thing.
//!
//! Every input is a few MB, built deterministically from the captures in `tests/captures`
//! or from the library's encoders. "Decoding" means what a user of the library gets: every
//! event (typed message or error) of a [`SliceDecoder`] over the whole input, or of a
//! [`StreamDecoder`] fed in 64-byte chunks, each event consumed through `black_box`.
#![allow(dead_code)] // each includer uses its own part

#[path = "../tests/common/corruption.rs"]
mod corruption;

use std::hint::black_box;
use std::path::Path;

use serial_dialects::stream::{Dialect, Event, Item, SliceDecoder, StreamDecoder};
use serial_dialects::vectordebug::{Record, Records};
use serial_dialects::{ascii_crc8, plot, pmu30, powerscope, vectordebug};

/// Size of every decoding input.
pub const INPUT_BYTES: usize = 4 << 20;
/// Chunk size of the streaming measurements.
pub const SMALL_CHUNK: usize = 64;
/// `StreamDecoder` capacity: at least every dialect's `max_frame_len` (vectordebug: 16450).
pub const CAPACITY: usize = 32 * 1024;

/// The dialects measured (powerscope in its current revision 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Pmu30,
    VectorDebug,
    Plot,
    AsciiCrc8,
    PowerScopeR1,
}

impl Which {
    pub const ALL: [Which; 5] = [Which::Pmu30, Which::VectorDebug, Which::Plot, Which::AsciiCrc8, Which::PowerScopeR1];

    pub fn name(self) -> &'static str {
        match self {
            Which::Pmu30 => "pmu30",
            Which::VectorDebug => "vectordebug",
            Which::Plot => "plot",
            Which::AsciiCrc8 => "ascii-crc8",
            Which::PowerScopeR1 => "powerscope-r1",
        }
    }

    /// The bytes that start a candidate frame, for the "false starts" input.
    fn start_marker(self) -> &'static [u8] {
        match self {
            Which::Pmu30 | Which::Plot => &[0xAA],
            Which::VectorDebug => &[0x00],
            Which::AsciiCrc8 => b"&",
            Which::PowerScopeR1 => &[0xA5, 0x5A],
        }
    }

    fn corruption_target(self) -> corruption::Target {
        match self {
            Which::Pmu30 => corruption::Target::Pmu30,
            Which::VectorDebug => corruption::Target::VectorDebug,
            Which::Plot => corruption::Target::Plot,
            Which::AsciiCrc8 => corruption::Target::AsciiCrc8,
            Which::PowerScopeR1 => corruption::Target::PowerScopeR1,
        }
    }
}

/// What decoding one input produced (checked to be the same in both drivers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub frames: u64,
    pub errors: u64,
    pub bytes: u64,
}

impl Counts {
    fn add<F, E>(&mut self, event: &Event<F, E>) {
        match &event.item {
            Item::Frame(f) => {
                self.frames += 1;
                black_box(f);
            }
            Item::Error(e) => {
                self.errors += 1;
                black_box(e);
            }
        }
        self.bytes += event.len as u64;
    }
}

/// A decoding input: which dialect, a name, and its bytes.
pub struct Input {
    pub which: Which,
    pub name: String,
    pub bytes: Vec<u8>,
}

fn captures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/captures"))
}

fn repeat_to(unit: &[u8], len: usize) -> Vec<u8> {
    assert!(!unit.is_empty());
    let mut out = Vec::with_capacity(len + unit.len());
    while out.len() < len {
        out.extend_from_slice(unit);
    }
    out
}

fn capture(path: &str) -> Vec<u8> {
    std::fs::read(captures().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// vectordebug at 20 kHz: DBG_FRAME1 packets of 200 records (one every 10 ms), with
/// consecutive sequence numbers and six smoothly varying channels, as the controller sends.
fn vectordebug_20khz(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 4096);
    let mut seq: u16 = 0;
    let mut frame = vec![0u8; CAPACITY];
    let mut t = 0f64;
    while out.len() < len {
        let records: Vec<Record> = (0..200)
            .map(|_| {
                t += 1.0 / 20_000.0;
                let phase = t * 2.0 * std::f64::consts::PI * 50.0;
                let payload = core::array::from_fn(|ch| {
                    (12_000.0 * (phase + ch as f64 * std::f64::consts::FRAC_PI_3).sin()) as i16
                });
                seq = seq.wrapping_add(1);
                Record { seq, payload }
            })
            .collect();
        let message = vectordebug::Payload::DbgFrame1 { records: Records::new(&records) };
        let n = message.emit(&mut frame).expect("buffer_len fits");
        out.extend_from_slice(&frame[..n]);
    }
    out
}

/// The realistic captures, each about [`INPUT_BYTES`].
pub fn clean_inputs() -> Vec<Input> {
    let input = |which, name: &str, bytes| Input { which, name: name.to_string(), bytes };
    vec![
        input(Which::Pmu30, "pmu30 telemetry", repeat_to(&capture("pmu30/telemetry_stream.bin"), INPUT_BYTES)),
        input(Which::VectorDebug, "vectordebug 200-record packets", vectordebug_20khz(INPUT_BYTES)),
        input(Which::Plot, "plot 3 channels", repeat_to(&capture("plot/clean_3ch_100hz_10s.bin"), INPUT_BYTES)),
        input(Which::Plot, "plot 32 channels", repeat_to(&capture("plot/ch32_frames.bin"), INPUT_BYTES)),
        input(
            Which::AsciiCrc8,
            "ascii-crc8 VIEW replies",
            repeat_to(&capture("ascii-crc8/doc_view_99.reply.bin"), INPUT_BYTES),
        ),
        input(
            Which::PowerScopeR1,
            "powerscope r1 samples",
            repeat_to(&capture("powerscope/head_stream_clean.bin"), INPUT_BYTES),
        ),
    ]
}

/// Size of every garbage-heavy input (smaller: some dialects are slow on garbage).
pub const GARBAGE_BYTES: usize = 1 << 20;

fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = corruption::Rng::new(seed);
    (0..len).map(|_| rng.byte()).collect()
}

/// Garbage-heavy inputs for every dialect: random bytes; random bytes with the dialect's
/// start marker at a random place in every 32 bytes (false starts); real frames with
/// bit flips, drops, insertions and bursts at 1e-2 per byte (the corruption harness).
pub fn garbage_inputs() -> Vec<Input> {
    let mut out = Vec::new();
    for which in Which::ALL {
        out.push(Input {
            which,
            name: format!("{} random bytes", which.name()),
            bytes: random_bytes(GARBAGE_BYTES, 1),
        });
        let mut sprinkled = random_bytes(GARBAGE_BYTES, 2);
        let mut rng = corruption::Rng::new(3);
        let marker = which.start_marker();
        for block in sprinkled.chunks_mut(32) {
            let at = rng.below(block.len() - marker.len() + 1);
            block[at..at + marker.len()].copy_from_slice(marker);
        }
        out.push(Input { which, name: format!("{} false starts", which.name()), bytes: sprinkled });
        let target = which.corruption_target();
        let pool = target.frame_pool(captures());
        let (corrupted, _) = corruption::build_stream(&pool, GARBAGE_BYTES, 1e-2, &mut corruption::Rng::new(4));
        out.push(Input { which, name: format!("{} corrupted 1e-2", which.name()), bytes: corrupted });
    }
    out
}

fn slice_run<D: Dialect>(dialect: D, input: &[u8]) -> Counts {
    let mut counts = Counts::default();
    for event in SliceDecoder::new(dialect, input) {
        counts.add(&event);
    }
    counts
}

fn stream_run<D: Dialect>(dialect: D, input: &[u8], chunk: usize) -> Counts {
    let mut counts = Counts::default();
    let mut decoder: Box<StreamDecoder<D, CAPACITY>> = Box::new(StreamDecoder::new(dialect));
    for mut piece in input.chunks(chunk) {
        while !piece.is_empty() {
            let taken = decoder.push(piece);
            piece = &piece[taken..];
            while let Some(event) = decoder.next() {
                counts.add(&event);
            }
        }
    }
    decoder.finish();
    while let Some(event) = decoder.next() {
        counts.add(&event);
    }
    counts
}

/// Decodes `input` whole with a `SliceDecoder` of dialect `which`.
pub fn decode_slice(which: Which, input: &[u8]) -> Counts {
    match which {
        Which::Pmu30 => slice_run(pmu30::Pmu30::default(), input),
        Which::VectorDebug => slice_run(vectordebug::VectorDebug::default(), input),
        Which::Plot => slice_run(plot::Plot::default(), input),
        Which::AsciiCrc8 => slice_run(ascii_crc8::AsciiCrc8::default(), input),
        Which::PowerScopeR1 => slice_run(powerscope::PowerScope::r1(), input),
    }
}

/// Decodes `input` with a `StreamDecoder` fed `chunk` bytes at a time.
pub fn decode_stream(which: Which, input: &[u8], chunk: usize) -> Counts {
    match which {
        Which::Pmu30 => stream_run(pmu30::Pmu30::default(), input, chunk),
        Which::VectorDebug => stream_run(vectordebug::VectorDebug::default(), input, chunk),
        Which::Plot => stream_run(plot::Plot::default(), input, chunk),
        Which::AsciiCrc8 => stream_run(ascii_crc8::AsciiCrc8::default(), input, chunk),
        Which::PowerScopeR1 => stream_run(powerscope::PowerScope::r1(), input, chunk),
    }
}

/// Bytes per read in the I/O comparison: what a serial port or a socket typically returns.
pub const READ_CHUNK: usize = 4096;

/// Decodes `input` with the tokio codec (`serial_dialects::tokio::Codec`) as `FramedRead`
/// drives it: `chunk` bytes appended to its `BytesMut` at a time, then `decode` until
/// `None`; `decode_eof` at the end. Every event is owned (its frame's bytes cut out of the
/// buffer) and dropped after counting.
#[cfg(feature = "tokio")]
pub fn decode_codec(which: Which, input: &[u8], chunk: usize) -> Counts {
    match which {
        Which::Pmu30 => codec_run(pmu30::Pmu30::default(), input, chunk),
        Which::VectorDebug => codec_run(vectordebug::VectorDebug::default(), input, chunk),
        Which::Plot => codec_run(plot::Plot::default(), input, chunk),
        Which::AsciiCrc8 => codec_run(ascii_crc8::AsciiCrc8::default(), input, chunk),
        Which::PowerScopeR1 => codec_run(powerscope::PowerScope::r1(), input, chunk),
    }
}

#[cfg(feature = "tokio")]
fn codec_run<D: Dialect>(dialect: D, input: &[u8], chunk: usize) -> Counts {
    use tokio_util::codec::Decoder as _;
    let mut counts = Counts::default();
    let mut codec = serial_dialects::tokio::Codec::new(dialect);
    let mut buf = bytes::BytesMut::with_capacity(8 * 1024);
    for piece in input.chunks(chunk) {
        buf.extend_from_slice(piece);
        while let Some(event) = codec.decode(&mut buf).expect("decoding never fails") {
            counts.add(&event);
        }
    }
    while let Some(event) = codec.decode_eof(&mut buf).expect("decoding never fails") {
        counts.add(&event);
    }
    counts
}

/// Typed messages ready to encode, for one dialect.
pub enum Messages {
    Pmu30(Vec<pmu30::Message<'static>>),
    VectorDebug(Vec<Vec<Record>>),
    Plot(Vec<plot::Message<'static>>),
    AsciiCrc8(Vec<ascii_crc8::Message<'static>>),
    PowerScope(Vec<powerscope::Message<'static>>),
}

/// An encoding workload: the frames of a clean input, decoded once, to be written again.
pub struct EncodeInput {
    pub which: Which,
    pub name: String,
    pub messages: Messages,
    /// Wire bytes one [`encode_all`] writes.
    pub bytes: usize,
}

/// Size of the wire output of every encoding workload.
pub const ENCODE_BYTES: usize = 1 << 20;

fn decoded<D: Dialect>(dialect: D, input: &'static [u8]) -> Vec<D::Message<'static>> {
    SliceDecoder::new(dialect, input).filter_map(Event::into_frame).collect()
}

/// One encoding workload per clean input: its typed messages, written back to the wire.
pub fn encode_inputs() -> Vec<EncodeInput> {
    clean_inputs()
        .into_iter()
        .map(|input| {
            // The messages borrow their input for as long as the process runs.
            let unit: &'static [u8] = Vec::leak(input.bytes[..ENCODE_BYTES.min(input.bytes.len())].to_vec());
            let messages = match input.which {
                Which::Pmu30 => Messages::Pmu30(decoded(pmu30::Pmu30::default(), unit)),
                Which::VectorDebug => Messages::VectorDebug(
                    decoded(vectordebug::VectorDebug::default(), unit)
                        .iter()
                        .map(|packet| packet.records().collect())
                        .collect(),
                ),
                Which::Plot => Messages::Plot(decoded(plot::Plot::default(), unit)),
                Which::AsciiCrc8 => Messages::AsciiCrc8(decoded(ascii_crc8::AsciiCrc8::default(), unit)),
                Which::PowerScopeR1 => Messages::PowerScope(decoded(powerscope::PowerScope::r1(), unit)),
            };
            let mut encode = EncodeInput { which: input.which, name: input.name, messages, bytes: 0 };
            encode.bytes = encode_all(&encode, &mut vec![0u8; CAPACITY]).bytes as usize;
            encode
        })
        .collect()
}

/// Writes every message of `input` into `out` (one after the other, reusing `out`).
pub fn encode_all(input: &EncodeInput, out: &mut [u8]) -> Counts {
    fn each<M>(messages: &[M], out: &mut [u8], emit: impl Fn(&M, &mut [u8]) -> usize) -> Counts {
        let mut counts = Counts::default();
        for m in messages {
            let n = emit(m, out);
            black_box(&out[..n]);
            counts.frames += 1;
            counts.bytes += n as u64;
        }
        counts
    }
    let emitted = "workload messages encode";
    match &input.messages {
        Messages::Pmu30(m) => each(m, out, |m, o| m.emit(o).expect(emitted)),
        Messages::VectorDebug(m) => each(m, out, |records, o| {
            vectordebug::Payload::DbgFrame1 { records: Records::new(records) }.emit(o).expect(emitted)
        }),
        Messages::Plot(m) => each(m, out, |m, o| m.emit(o).expect(emitted)),
        Messages::AsciiCrc8(m) => each(m, out, |m, o| m.emit(o).expect(emitted)),
        Messages::PowerScope(m) => each(m, out, |m, o| m.emit(o).expect(emitted)),
    }
}
