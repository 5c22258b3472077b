//! The corruption harness: long streams of real frames, corrupted at a given rate, decoded,
//! and scored. Shared by `tests/corruption.rs` (which asserts the invariants) and
//! `examples/corruption.rs` (which writes docs/robustness.md). Deterministic by seed.
#![allow(dead_code)]

use std::path::Path;

use serial_dialects::stream::{Dialect, Item, SliceDecoder};
use serial_dialects::{ascii_crc8, plot, pmu30, powerscope, vectordebug};

/// A small deterministic RNG (xorshift64*).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() > 1.0 - p
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn byte(&mut self) -> u8 {
        self.next_u64() as u8
    }
}

/// The dialects (and variants) the harness covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Pmu30,
    VectorDebug,
    Plot,
    AsciiCrc8,
    PowerScopeR0,
    PowerScopeR1,
}

impl Target {
    pub const ALL: [Target; 6] = [
        Target::Pmu30,
        Target::VectorDebug,
        Target::Plot,
        Target::AsciiCrc8,
        Target::PowerScopeR0,
        Target::PowerScopeR1,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Target::Pmu30 => "pmu30",
            Target::VectorDebug => "vectordebug",
            Target::Plot => "plot",
            Target::AsciiCrc8 => "ascii-crc8",
            Target::PowerScopeR0 => "powerscope:r0",
            Target::PowerScopeR1 => "powerscope",
        }
    }

    /// Whether every frame carries a checksum.
    pub fn checksummed(self) -> bool {
        !matches!(self, Target::Plot | Target::PowerScopeR0)
    }

    /// Real captures whose frames make up the test streams.
    fn sources(self) -> &'static [&'static str] {
        match self {
            Target::Pmu30 => &[
                "pmu30/telemetry_stream.bin",
                "pmu30/connect_sequence.bin",
                "pmu30/set_channel.bin",
                "pmu30/error_messages.bin",
                "pmu30/config_upload.bin",
            ],
            Target::VectorDebug => &[
                "vectordebug/01_clean_20khz.bin",
                "vectordebug/02_cli_interleaved.bin",
                "vectordebug/09_zero_heavy_payload.bin",
                "vectordebug/12_seq_wrap_gap.bin",
            ],
            Target::Plot => &["plot/clean_3ch_100hz_10s.bin", "plot/ch32_frames.bin", "plot/labels_then_data.bin"],
            Target::AsciiCrc8 => &[
                "ascii-crc8/doc_typical_session.bin",
                "ascii-crc8/doc_typical_session.reply.bin",
                "ascii-crc8/doc_view_99.reply.bin",
                "ascii-crc8/doc_set_get_mode.bin",
                "ascii-crc8/doc_set_get_mode.reply.bin",
            ],
            Target::PowerScopeR0 => &["powerscope/seed_stream_clean.bin"],
            Target::PowerScopeR1 => &[
                "powerscope/head_stream_clean.bin",
                "powerscope/head_commands_dev2host.bin",
                "powerscope/head_commands_host2dev.bin",
            ],
        }
    }

    /// Whether a decoded frame's bytes are a wire frame of the binary protocol (not a text
    /// line, nor an r0 raw command byte).
    fn is_wire_frame(self, bytes: &[u8]) -> bool {
        match self {
            Target::Plot => matches!(bytes.first(), Some(0xAA | 0xAB)) && bytes.len() >= 2,
            Target::AsciiCrc8 => bytes.first() == Some(&b'&'),
            Target::PowerScopeR0 | Target::PowerScopeR1 => bytes.first() == Some(&0xA5),
            Target::Pmu30 | Target::VectorDebug => !bytes.is_empty(),
        }
    }

    /// `(offset, len)` of every event that decoded to a wire frame.
    pub fn decode_frames(self, input: &[u8]) -> (Vec<(usize, usize)>, usize) {
        fn run<D: Dialect>(d: D, input: &[u8], target: Target) -> (Vec<(usize, usize)>, usize) {
            let mut frames = Vec::new();
            let mut covered = 0;
            for e in SliceDecoder::new(d, input) {
                let (o, n) = (e.offset as usize, e.len);
                covered += n;
                if matches!(e.item, Item::Frame(_)) && target.is_wire_frame(&input[o..o + n]) {
                    frames.push((o, n));
                }
            }
            (frames, covered)
        }
        match self {
            Target::Pmu30 => run(pmu30::Pmu30::default(), input, self),
            Target::VectorDebug => run(vectordebug::VectorDebug::default(), input, self),
            Target::Plot => run(plot::Plot::default(), input, self),
            Target::AsciiCrc8 => run(ascii_crc8::AsciiCrc8::default(), input, self),
            Target::PowerScopeR0 => run(powerscope::PowerScope::r0(), input, self),
            Target::PowerScopeR1 => run(powerscope::PowerScope::r1(), input, self),
        }
    }

    /// Every distinct wire frame of the source captures.
    pub fn frame_pool(self, captures: &Path) -> Vec<Vec<u8>> {
        let mut pool: Vec<Vec<u8>> = Vec::new();
        for source in self.sources() {
            let bytes = std::fs::read(captures.join(source)).unwrap_or_else(|e| panic!("{source}: {e}"));
            for (o, n) in self.decode_frames(&bytes).0 {
                let frame = bytes[o..o + n].to_vec();
                if !pool.contains(&frame) {
                    pool.push(frame);
                }
            }
        }
        assert!(!pool.is_empty(), "no frames for {}", self.name());
        pool
    }
}

/// Where each original frame ended up in the corrupted stream.
#[derive(Debug, Clone)]
pub struct Placed {
    /// Index of the frame in the pool.
    pub frame: usize,
    pub start: usize,
    pub end: usize,
    pub touched: bool,
}

/// Concatenates frames drawn from `pool` until `bytes` long, applying per byte, each with
/// probability `rate / 4`: a bit flip, a dropped byte, an inserted random byte, or a burst
/// (this byte and up to 15 more replaced by random bytes).
pub fn build_stream(pool: &[Vec<u8>], bytes: usize, rate: f64, rng: &mut Rng) -> (Vec<u8>, Vec<Placed>) {
    let mut out = Vec::with_capacity(bytes + bytes / 50);
    let mut placed = Vec::new();
    let mut produced = 0;
    while produced < bytes {
        let index = rng.below(pool.len());
        let frame = &pool[index];
        produced += frame.len();
        let mut start = out.len();
        let mut touched = false;
        let mut i = 0;
        while i < frame.len() {
            let b = frame[i];
            let r = rng.unit();
            if r < rate / 4.0 {
                out.push(b ^ (1 << rng.below(8)));
                touched = true;
            } else if r < rate / 2.0 {
                touched = true;
            } else if r < 3.0 * rate / 4.0 {
                out.push(rng.byte());
                if i == 0 {
                    // Inserted before the frame: the frame itself starts after it.
                    start = out.len();
                } else {
                    touched = true;
                }
                out.push(b);
            } else if r < rate {
                let burst = 1 + rng.below(16);
                for _ in 0..burst {
                    out.push(rng.byte());
                }
                i += burst;
                touched = true;
                continue;
            } else {
                out.push(b);
            }
            i += 1;
        }
        placed.push(Placed { frame: index, start, end: out.len(), touched });
    }
    (out, placed)
}

/// What decoding one corrupted stream showed.
///
/// Frames are judged by their bytes, not by the corruption log: a decoded frame is genuine
/// when it is byte for byte the frame that was sent at that place (a dropped last byte can be
/// replaced by an equal first byte of the next frame, and then the frame really is intact).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Score {
    pub bytes: usize,
    pub frames: usize,
    /// Frames whose bytes no corruption touched (and none of which a genuine neighbour took).
    pub untouched: usize,
    /// Untouched frames decoded at their place.
    pub recovered: usize,
    /// Frames whose bytes were changed.
    pub corrupted: usize,
    /// Corrupted frames over which no false frame was accepted.
    pub rejected: usize,
    /// Frames accepted that are not, byte for byte, a frame that was sent at that place.
    pub false_frames: usize,
    /// Bytes covered by events (must equal `bytes`).
    pub accounted: usize,
}

impl Score {
    pub fn add(&mut self, other: &Score) {
        self.bytes += other.bytes;
        self.frames += other.frames;
        self.untouched += other.untouched;
        self.recovered += other.recovered;
        self.corrupted += other.corrupted;
        self.rejected += other.rejected;
        self.false_frames += other.false_frames;
        self.accounted += other.accounted;
    }
}

/// Builds, corrupts, decodes and scores one stream.
pub fn run_once(target: Target, pool: &[Vec<u8>], bytes: usize, rate: f64, seed: u64) -> Score {
    let mut rng = Rng::new(seed);
    let (stream, placed) = build_stream(pool, bytes, rate, &mut rng);
    let (decoded, accounted) = target.decode_frames(&stream);
    let mut score = Score { bytes: stream.len(), frames: placed.len(), accounted, ..Score::default() };
    let sent_at: std::collections::HashMap<usize, &Vec<u8>> =
        placed.iter().map(|p| (p.start, &pool[p.frame])).collect();
    let genuine: Vec<(usize, usize)> = decoded
        .iter()
        .copied()
        .filter(|&(o, n)| sent_at.get(&o).is_some_and(|f| f.as_slice() == &stream[o..o + n]))
        .collect();
    let genuine_set: std::collections::HashSet<(usize, usize)> = genuine.iter().copied().collect();
    let false_frames: Vec<(usize, usize)> = decoded.iter().copied().filter(|f| !genuine_set.contains(f)).collect();
    score.false_frames = false_frames.len();
    for p in &placed {
        let sent = &pool[p.frame];
        let intact = stream.get(p.start..p.start + sent.len()) == Some(sent.as_slice());
        let span = (p.start, sent.len());
        if intact && !p.touched {
            // A genuine neighbour that runs into this frame took its first byte(s).
            let taken = genuine.iter().any(|&(o, n)| o < p.start && p.start < o + n);
            if !taken {
                score.untouched += 1;
                score.recovered += usize::from(genuine_set.contains(&span));
            }
        } else if !(intact && genuine_set.contains(&span)) {
            score.corrupted += 1;
            let overlapped = false_frames.iter().any(|&(o, n)| o < p.end && p.start < o + n);
            score.rejected += usize::from(!overlapped);
        }
    }
    score
}

/// The rates of the published table.
pub const RATES: [f64; 4] = [1e-5, 1e-4, 1e-3, 1e-2];
