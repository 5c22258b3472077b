//! White-box tests of the scanner's fast paths: they need its private state (`pending`,
//! `fast_max`) and its general path (`scan_any`), so they live beside it rather than in
//! `tests/plot/`.

use std::format;
use std::string::String;
use std::vec::Vec;

use super::*;
use crate::stream::{SliceDecoder, StreamDecoder};

/// The plot scanner without its fast paths: every scan goes through `scan_any` and every
/// frame through the general `decode`.
struct General(Plot);

impl Dialect for General {
    const NAME: &'static str = "plot";
    type Config = Config;
    type Message<'a> = Message<'a>;
    type Error = Error;

    type Context = crate::plot::Context;

    fn context_of(&self, message: &Message<'_>) -> Self::Context {
        self.0.context_of(message)
    }

    fn rebuild<'a>(frame: &'a [u8], context: &Self::Context) -> Message<'a> {
        Plot::rebuild(frame, context)
    }

    fn new(config: Config) -> General {
        General(Plot::new(config))
    }

    fn config(&self) -> &Config {
        self.0.config()
    }

    fn max_frame_len(&self) -> usize {
        self.0.max_frame_len()
    }

    fn scan(&mut self, buf: &[u8], at_end: bool) -> Scan<Error> {
        self.0.scan_any(buf, at_end)
    }

    fn decode<'a>(&mut self, frame: &'a [u8]) -> Result<Message<'a>, Error> {
        self.0.decode(frame)
    }

    fn reset(&mut self) {
        self.0.reset();
    }
}

/// The plot scanner with its fast paths, checking after every call that `fast_max` is
/// `max_channels` exactly in `FrameStart`.
struct InStep(Plot);

impl InStep {
    fn check(&self) {
        let expected = if self.0.pending == Pending::FrameStart { self.0.config.max_channels } else { 0 };
        assert_eq!(self.0.fast_max, expected, "{:?}", self.0.pending);
    }
}

impl Dialect for InStep {
    const NAME: &'static str = "plot";
    type Config = Config;
    type Message<'a> = Message<'a>;
    type Error = Error;

    type Context = crate::plot::Context;

    fn context_of(&self, message: &Message<'_>) -> Self::Context {
        self.0.context_of(message)
    }

    fn rebuild<'a>(frame: &'a [u8], context: &Self::Context) -> Message<'a> {
        Plot::rebuild(frame, context)
    }

    fn new(config: Config) -> InStep {
        InStep(Plot::new(config))
    }

    fn config(&self) -> &Config {
        self.0.config()
    }

    fn max_frame_len(&self) -> usize {
        self.0.max_frame_len()
    }

    fn scan(&mut self, buf: &[u8], at_end: bool) -> Scan<Error> {
        let scan = self.0.scan(buf, at_end);
        self.check();
        scan
    }

    fn decode_scanned<'a>(&mut self, frame: &'a [u8]) -> Result<Message<'a>, Error> {
        let decoded = self.0.decode_scanned(frame);
        self.check();
        decoded
    }

    fn decode<'a>(&mut self, frame: &'a [u8]) -> Result<Message<'a>, Error> {
        let decoded = self.0.decode(frame);
        self.check();
        decoded
    }

    fn reset(&mut self) {
        self.0.reset();
        self.check();
    }
}

fn whole<D: Dialect>(dialect: D, bytes: &[u8]) -> Vec<String>
where
    for<'a> D::Message<'a>: fmt::Debug,
{
    SliceDecoder::new(dialect, bytes).map(|e| format!("{e:?}")).collect()
}

fn chunked<D: Dialect>(dialect: D, bytes: &[u8], chunk: usize) -> Vec<String>
where
    for<'a> D::Message<'a>: fmt::Debug,
{
    let mut decoder: StreamDecoder<D, 2048> = StreamDecoder::new(dialect);
    let mut events = Vec::new();
    for piece in bytes.chunks(chunk) {
        assert_eq!(decoder.push(piece), piece.len());
        while let Some(e) = decoder.next() {
            events.push(format!("{e:?}"));
        }
    }
    decoder.finish();
    while let Some(e) = decoder.next() {
        events.push(format!("{e:?}"));
    }
    events
}

/// Streams mixing data and label frames with what the fast path must not take: start
/// bytes that are text (`C2 AA`), cut-off and invalid frames, help tables that finish
/// right before a frame, control characters and LFs.
fn stream(seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut next = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n) as usize
    };
    let pieces: [&[u8]; 12] = [
        &[DATA_START, 3, 1, 2, 3, 4, 5, 6],
        &[DATA_START, 1, 0xAA, 0xAB],
        &[DATA_START, 32],
        &[DATA_START, 0],
        &[DATA_START, 33, b'\n'],
        &[LABEL_START, 1, 0, 2, b'h', b'i'],
        b"x \xC2",
        b"GMU Commands\r\n",
        b"go | - | state | Go\r\n",
        b"---------+---\r\n",
        b"\x01\n",
        b"\xE2\x80",
    ];
    let mut out = Vec::new();
    for _ in 0..200 {
        match next(4) {
            0 => out.push([0x00, b'a', b'\n', 0xC2, DATA_START, LABEL_START, 0x01, 2][next(8)]),
            _ => out.extend_from_slice(pieces[next(pieces.len() as u64)]),
        }
    }
    out
}

#[test]
fn fast_paths_decide_like_the_general_path() {
    for seed in 1..200 {
        let bytes = stream(seed);
        let general = whole(General(Plot::default()), &bytes);
        assert_eq!(whole(Plot::default(), &bytes), general, "seed {seed}");
        assert_eq!(whole(InStep(Plot::default()), &bytes), general, "seed {seed}");
        assert_eq!(whole(InStep(Plot::new(Config::wide())), &bytes), whole(General(Plot::new(Config::wide())), &bytes));
        for chunk in [1, 3, 8, 64] {
            assert_eq!(chunked(Plot::default(), &bytes, chunk), general, "seed {seed}, chunk {chunk}");
            assert_eq!(chunked(General(Plot::default()), &bytes, chunk), general, "seed {seed}, chunk {chunk}");
            assert_eq!(chunked(InStep(Plot::default()), &bytes, chunk), general, "seed {seed}, chunk {chunk}");
        }
    }
}
