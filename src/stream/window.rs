//! [`WindowDecoder`]: the drivers' step over a buffer that the caller owns.

use super::{Dialect, EventOf, step};
use crate::stats::Stats;

/// Decodes from a buffer the caller owns and refills: a `BytesMut` (the tokio codec and
/// the blocking reader of [`crate::owned`]), a ring buffer, a DMA buffer.
///
/// Call [`next`](Self::next) with the bytes not yet consumed, in stream order; after an
/// event, remove its [`len`](crate::Event::len) bytes from the front of the buffer before
/// the next call, and append new bytes at its end. An event borrows the buffer, not the
/// decoder. The events are those of a [`SliceDecoder`](super::SliceDecoder) over the
/// whole stream, however the bytes arrive, with the dialect's
/// [`max_frame_len`](Dialect::max_frame_len) as capacity: when the bytes held reach it
/// and the scanner still needs more, what is held is decided (rejected as truncated if
/// nothing else), so a caller that consumes what it is given never holds more than that
/// plus what it appended last.
#[derive(Debug)]
pub struct WindowDecoder<D: Dialect> {
    dialect: D,
    stats: Stats,
    /// Stream offset of the first byte of the buffer the caller passes next.
    offset: u64,
    /// No scan before the buffer holds this many bytes (from [`Dialect::needed`]).
    want: usize,
    capacity: usize,
}

impl<D: Dialect> WindowDecoder<D> {
    /// A decoder at stream offset 0.
    pub fn new(dialect: D) -> Self {
        let capacity = dialect.max_frame_len().max(1);
        WindowDecoder { dialect, stats: Stats::default(), offset: 0, want: 0, capacity }
    }

    /// The next event at the start of `buf`, or `None` when more bytes are needed (or, when
    /// `at_end` says that no more will follow `buf`, when `buf` is used up). The caller then
    /// removes the event's `len` bytes from the front of its buffer.
    #[inline]
    pub fn next<'b>(&mut self, buf: &'b [u8], at_end: bool) -> Option<EventOf<'b, D>> {
        if !at_end && buf.len() < self.want {
            return None;
        }
        let WindowDecoder { dialect, stats, offset, want, capacity } = self;
        let base = *offset;
        let window = (at_end, *capacity, base);
        let cap = *capacity;
        // `consume` and `exhausted` each set `want`; only one of them runs.
        let want = core::cell::Cell::from_mut(want);
        step(
            dialect,
            stats,
            buf,
            window,
            |n| {
                *offset = base + n as u64;
                want.set(0);
            },
            |hint| want.set(hint.min(cap)),
        )
    }

    /// What has been decoded so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The dialect (with its cross-frame state).
    pub fn dialect(&self) -> &D {
        &self.dialect
    }

    /// The most bytes held undecided: the dialect's largest frame.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Stream offset of the first byte not yet consumed.
    pub fn position(&self) -> u64 {
        self.offset
    }

    /// Forgets statistics and dialect state: a new stream at offset 0 (the caller empties
    /// its buffer).
    pub fn reset(&mut self) {
        self.dialect.reset();
        self.stats = Stats::default();
        self.offset = 0;
        self.want = 0;
    }
}
