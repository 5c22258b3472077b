//! One dialect's self-test: encode its frames, send them (through `embedded_io::Write`),
//! read them back through the library's `io::embedded::Reader` (a fixed-capacity
//! `StreamDecoder`) from a reader that returns pieces of several sizes, and check every
//! event.

use core::fmt;
use core::marker::PhantomData;

use cortex_m_semihosting::hprintln;
use embedded_io::Write as _;
use serial_dialects::io::embedded::Reader;
use serial_dialects::stream::EventOf;
use serial_dialects::{Dialect, DialectError, EncodeError, ErrorKind, Item, Stats};

use crate::frames::{FrameSet, SERIAL_ORDER};
use crate::serial::{Pieces, Ports, Tx};

/// Room for the largest set's stream (pmu30, about 1.1 KiB).
const MAX_WIRE: usize = 2048;
/// Room for the largest set's frame boundaries.
const MAX_FRAMES: usize = 32;
/// Piece sizes the reader returns; the last one is the whole stream in one read.
const CHUNK_SIZES: [usize; 4] = [1, 7, 64, usize::MAX];

/// Why a set failed.
enum Failure {
    Encode(usize, EncodeError),
    NoPort,
    Capacity { needed: usize },
    Event { chunk: usize, offset: u64, kind: ErrorKind },
    Range { chunk: usize, index: usize, offset: u64, len: usize },
    Mismatch { chunk: usize, index: usize },
    Extra { chunk: usize, offset: u64 },
    Stats { chunk: usize, frames: u64, errors: u64, skipped: u64, in_frames: u64, lost: u64 },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Encode(i, e) => write!(f, "frame {i} does not encode: {e}"),
            Failure::NoPort => write!(f, "not in SERIAL_ORDER"),
            Failure::Capacity { needed } => write!(f, "decoder capacity below max_frame_len {needed}"),
            Failure::Event { chunk, offset, kind } => {
                write!(f, "chunks of {chunk}: {} at offset {offset}", kind.as_str())
            }
            Failure::Range { chunk, index, offset, len } => {
                write!(f, "chunks of {chunk}: frame {index} decoded at {offset}+{len}, not where it was encoded")
            }
            Failure::Mismatch { chunk, index } => write!(f, "chunks of {chunk}: frame {index} decodes differently"),
            Failure::Extra { chunk, offset } => write!(f, "chunks of {chunk}: unexpected frame at offset {offset}"),
            Failure::Stats { chunk, frames, errors, skipped, in_frames, lost } => write!(
                f,
                "chunks of {chunk}: stats frames={frames} errors={errors} skipped={skipped} \
                 in_frames={in_frames} lost={lost}"
            ),
        }
    }
}

/// Runs the self-test of set `S` with a `StreamDecoder` of `N` bytes on its serial port;
/// prints its summary line and returns whether it passed.
pub fn run<S: FrameSet, const N: usize>(ports: &Ports) -> bool {
    let mut wire = [0u8; MAX_WIRE];
    let mut ends = [0usize; MAX_FRAMES];
    let result = test::<S, N>(ports, &mut wire, &mut ends);
    match &result {
        Ok((len, port)) => hprintln!(
            "{}: {} frames, {} bytes on {}, decoded in pieces of 1, 7, 64 and {}: all exact, 0 errors, \
             0 bytes skipped, {} lost",
            S::NAME,
            S::LEN,
            len,
            port,
            len,
            S::LOST_FRAMES
        ),
        Err(failure) => hprintln!("{}: FAIL: {}", S::NAME, failure),
    }
    result.is_ok()
}

fn test<S: FrameSet, const N: usize>(
    ports: &Ports,
    wire: &mut [u8; MAX_WIRE],
    ends: &mut [usize; MAX_FRAMES],
) -> Result<(usize, &'static str), Failure> {
    const { assert!(S::LEN <= MAX_FRAMES) };
    let k = SERIAL_ORDER.iter().position(|&name| name == S::NAME).ok_or(Failure::NoPort)?;
    let (port, port_name) = ports.get(k).ok_or(Failure::NoPort)?;
    let needed = S::decoder().max_frame_len();
    if N < needed {
        return Err(Failure::Capacity { needed });
    }

    let mut len = 0;
    for (i, end) in ends.iter_mut().take(S::LEN).enumerate() {
        len += S::emit(i, &mut wire[len..]).map_err(|e| Failure::Encode(i, e))?;
        *end = len;
    }
    let (wire, ends) = (&wire[..len], &ends[..S::LEN]);
    let Ok(()) = Tx(port).write_all(wire);

    for chunk in CHUNK_SIZES {
        let mut reader: Reader<S::D, Pieces<'_>, N> = Reader::new(S::decoder(), Pieces::new(wire, chunk));
        let mut check = Check::<S>::new(ends, chunk.min(len));
        loop {
            match reader.read_event(|event| check.event(&event)) {
                Ok(Some(())) => {}
                Ok(None) => break,
                Err(never) => match never {},
            }
        }
        check.finish(reader.stats(), len)?;
    }
    Ok((len, port_name))
}

/// Checks a stream's events against the set, in order.
struct Check<'e, S> {
    ends: &'e [usize],
    chunk: usize,
    next: usize,
    failure: Option<Failure>,
    set: PhantomData<S>,
}

impl<'e, S: FrameSet> Check<'e, S> {
    fn new(ends: &'e [usize], chunk: usize) -> Self {
        Check { ends, chunk, next: 0, failure: None, set: PhantomData }
    }

    /// Frame `next` must come next, exactly over the bytes it was encoded into.
    fn event(&mut self, event: &EventOf<'_, S::D>) {
        if self.failure.is_some() {
            return;
        }
        let (chunk, index, offset, len) = (self.chunk, self.next, event.offset, event.len);
        let start = index.checked_sub(1).and_then(|i| self.ends.get(i)).map_or(0, |&end| end);
        self.failure = match (&event.item, self.ends.get(index)) {
            (Item::Error(error), _) => Some(Failure::Event { chunk, offset, kind: error.kind() }),
            (Item::Frame(_), None) => Some(Failure::Extra { chunk, offset }),
            (Item::Frame(_), Some(&end)) if offset != start as u64 || len != end - start => {
                Some(Failure::Range { chunk, index, offset, len })
            }
            (Item::Frame(frame), Some(_)) if !S::matches(index, frame) => Some(Failure::Mismatch { chunk, index }),
            (Item::Frame(_), Some(_)) => None,
        };
        self.next += 1;
    }

    /// Every frame seen, and the decoder's statistics agree.
    fn finish(self, stats: &Stats, len: usize) -> Result<(), Failure> {
        if let Some(failure) = self.failure {
            return Err(failure);
        }
        let exact = self.next == S::LEN
            && stats.frames == S::LEN as u64
            && stats.errors.total() == 0
            && stats.bytes_skipped == 0
            && stats.bytes_in_frames == len as u64
            && stats.lost_frames == S::LOST_FRAMES;
        if exact {
            return Ok(());
        }
        Err(Failure::Stats {
            chunk: self.chunk,
            frames: stats.frames,
            errors: stats.errors.total(),
            skipped: stats.bytes_skipped,
            in_frames: stats.bytes_in_frames,
            lost: stats.lost_frames,
        })
    }
}
