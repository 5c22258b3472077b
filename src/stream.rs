//! The push/pull decoding core shared by every dialect.
//!
//! A dialect supplies a [`Dialect`]: a scanner that looks at the bytes not yet consumed and
//! says what the first of them are (a frame of `n` bytes, a rejected run of `n` bytes, or
//! "need more"), and a decoder that turns a frame's bytes into its typed message. This
//! module owns everything else: buffering, offsets, statistics, the end of input, and the
//! capacity limit. Two drivers sit on top:
//!
//! * [`SliceDecoder`]: the whole input is one contiguous slice (a capture file, a DMA
//!   buffer). Frames borrow from the input, nothing is copied, and it is an [`Iterator`].
//! * [`StreamDecoder`]: bytes arrive in chunks of any size. They are copied into a fixed
//!   buffer of `N` bytes chosen by the user (no heap), and events are pulled with
//!   [`StreamDecoder::next`]; each borrows the decoder until it is dropped.
//!
//! * [`WindowDecoder`]: the bytes are in a buffer the caller owns and refills (the owned
//!   and async readers of [`crate::owned`] and [`crate::io`] are built on it).
//!
//! All give exactly the same events for the same bytes, however the bytes are chunked,
//! as long as `N` is at least the dialect's [`Dialect::max_frame_len`].
//!
//! Events tile the input: every byte is in exactly one event, in order, with no gaps.

use core::cell::Cell;

pub use crate::dialect::{Dialect, Event, EventOf, Item, Scan};
use crate::error::DialectError;
use crate::stats::Stats;
// What `step` matches a decoded frame with: an `Item` on hosts, a `Result` on small targets.
#[cfg(feature = "speed-over-size")]
use Item::{Error as Failed, Frame as Decoded};
#[cfg(not(feature = "speed-over-size"))]
use Result::{Err as Failed, Ok as Decoded};

/// Runs one scan/decode step on `buf` (never empty unless `at_end`: the drivers see to
/// it) and accounts for it. Returns `None` when the scanner needs more bytes.
/// `capacity` is the most bytes the driver can hold: a `buf` that long cannot grow. The
/// driver's window is advanced here, by `consume(len)` just before the event is built, and
/// `exhausted(hint)` is called on every `None`, with [`Dialect::needed`] when the scanner
/// needs more bytes than `buf` (0 otherwise).
///
/// Always inlined, and the drivers' `next` returns its result as it is: an event can be
/// large (pmu30's is 168 bytes), and built directly in `next`'s return slot it is not
/// copied on its way out. (Advancing the window in the driver after `step` returned, by
/// the event's `len`, made `next` unwrap and rewrap the event: one more copy per event,
/// which is most of the driver's cost for 8-byte frames.)
#[inline(always)]
pub(crate) fn step<'a, D: Dialect>(
    dialect: &mut D,
    stats: &mut Stats,
    buf: &'a [u8],
    (at_end, capacity, offset): (bool, usize, u64),
    consume: impl FnOnce(usize),
    exhausted: impl FnOnce(usize),
) -> Option<EventOf<'a, D>> {
    let mut scan = dialect.scan(buf, at_end);
    if let Scan::NeedMore = scan {
        if buf.is_empty() {
            exhausted(0);
            return None;
        }
        // The common case in a stream (a frame arriving in chunks), so it returns at once.
        // A full buffer is told by the length alone (the drivers' windows are never longer
        // than their capacity): nothing is computed for it on the way to the scan.
        if !(at_end || buf.len() >= capacity) {
            exhausted(dialect.needed(buf));
            return None;
        }
        scan = undecided(dialect, buf, at_end);
    }
    match scan {
        Scan::Frame(n) => {
            let n = n.min(buf.len());
            let bytes = &buf[..n];
            // The whole event is built in each arm: a separate `item` made the compiler copy
            // a (possibly large) frame twice, into the item and then into the event.
            // Host builds (`speed-over-size`) take the item from `decode_scanned_item`, which
            // dialects override for speed; builds that chose small tables over speed
            // (Cortex-M) match `decode_scanned`'s result, the same by the trait's contract,
            // which compiles smaller there (plot's decoder: 1.2 KB less stack).
            #[cfg(feature = "speed-over-size")]
            let decoded = dialect.decode_scanned_item(bytes);
            #[cfg(not(feature = "speed-over-size"))]
            let decoded = dialect.decode_scanned(bytes);
            match decoded {
                Decoded(frame) => {
                    stats.count_frame(n);
                    stats.lost_frames = dialect.lost_frames();
                    consume(n);
                    Some(Event { offset, len: n, item: Item::Frame(frame) })
                }
                Failed(e) => {
                    stats.count_error(e.kind(), n);
                    consume(n);
                    Some(Event { offset, len: n, item: Item::Error(e) })
                }
            }
        }
        Scan::Reject(n, e) if !buf.is_empty() => {
            let n = n.clamp(1, buf.len());
            stats.count_error(e.kind(), n);
            consume(n);
            Some(Event { offset, len: n, item: Item::Error(e) })
        }
        Scan::NeedMore | Scan::Reject(..) => {
            exhausted(0);
            None
        }
    }
}

/// What the first bytes of `buf` are when the scanner needs more but the candidate cannot
/// grow any more (the input ended, or the buffer is full): decided as if the input ended
/// here, and if the scanner still cannot, everything it holds is rejected as truncated.
#[cold]
fn undecided<D: Dialect>(dialect: &mut D, buf: &[u8], at_end: bool) -> Scan<D::Error> {
    let scan = if at_end { Scan::NeedMore } else { dialect.scan(buf, true) };
    match scan {
        Scan::NeedMore => Scan::Reject(buf.len(), D::Error::truncated()),
        decided => decided,
    }
}

/// Decodes one contiguous input, zero-copy. Frames borrow from the input.
#[derive(Debug)]
pub struct SliceDecoder<'i, D: Dialect> {
    dialect: D,
    input: &'i [u8],
    /// Offset of the first byte not yet consumed, or `usize::MAX` once the end has been
    /// reported: past the input, where one bounds check per `next` answers `None` (no
    /// separate "done" flag to test before every event).
    pos: usize,
    stats: Stats,
}

impl<'i, D: Dialect> SliceDecoder<'i, D> {
    /// Decodes `input` as a complete stream (its end is the end of the input).
    pub fn new(dialect: D, input: &'i [u8]) -> Self {
        let stats = Stats::default();
        SliceDecoder { dialect, input, pos: 0, stats }
    }

    /// What has been decoded so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The dialect (with its cross-frame state).
    pub fn dialect(&self) -> &D {
        &self.dialect
    }

    /// Offset of the first byte not yet consumed.
    pub fn position(&self) -> usize {
        self.pos.min(self.input.len())
    }
}

impl<'i, D: Dialect> Iterator for SliceDecoder<'i, D> {
    type Item = EventOf<'i, D>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let input: &'i [u8] = self.input;
        let rest = input.get(self.pos..)?;
        let window = (true, 0, self.pos as u64);
        // Both closures set `pos`; only one of them runs.
        let pos = Cell::from_mut(&mut self.pos);
        step(&mut self.dialect, &mut self.stats, rest, window, |n| pos.set(pos.get() + n), |_| pos.set(usize::MAX))
    }
}

/// Decodes a stream that arrives in chunks, in a fixed buffer of `N` bytes (no heap).
///
/// Push bytes with [`push`](Self::push) (or [`feed`](Self::feed)), pull events with
/// [`next`](Self::next), and call [`finish`](Self::finish) when the input has ended so
/// that a pending candidate is decided. Choose `N` at least
/// [`Dialect::max_frame_len`]; a smaller buffer still never stalls, but a candidate longer
/// than the buffer is then rejected as truncated.
#[derive(Debug)]
pub struct StreamDecoder<D: Dialect, const N: usize> {
    dialect: D,
    buf: [u8; N],
    start: usize,
    end: usize,
    /// Stream offset of `buf[start]`.
    offset: u64,
    at_end: bool,
    /// Stream offset just past the last byte pushed.
    pushed: u64,
    /// No scan before `pushed` reaches this: `pushed + 1` while the buffer is empty (and the
    /// input has not ended), or the offset where the candidate at `offset` has the bytes
    /// [`Dialect::needed`] asked for (at most a full buffer). One comparison per `next`
    /// covers both. Absolute, so that a hint never needs clearing: once reached it stays
    /// reached, whatever is consumed.
    want: u64,
    stats: Stats,
}

impl<D: Dialect, const N: usize> StreamDecoder<D, N> {
    /// A decoder with an empty buffer, at stream offset 0.
    pub fn new(dialect: D) -> Self {
        let stats = Stats::default();
        StreamDecoder { dialect, buf: [0; N], start: 0, end: 0, offset: 0, at_end: false, pushed: 0, want: 1, stats }
    }

    /// Copies as much of `data` as fits into the buffer and returns how many bytes were
    /// taken. When it returns less than `data.len()`, pull events with
    /// [`next`](Self::next) until it returns `None`, then push the rest. Pushing after
    /// [`finish`](Self::finish) continues the same stream.
    #[inline]
    pub fn push(&mut self, data: &[u8]) -> usize {
        if self.at_end {
            self.resume();
        }
        if self.start > 0 && N - self.end < data.len() {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        let n = data.len().min(N - self.end);
        self.buf[self.end..self.end + n].copy_from_slice(&data[..n]);
        self.end += n;
        self.pushed += n as u64;
        n
    }

    /// The free space at the end of the buffer, to read into directly (bytes pending are
    /// moved to the front first); then say how many bytes were written with
    /// [`filled`](Self::filled). Empty only while the buffer is full, which it never is
    /// after [`next`](Self::next) returned `None`. Like [`push`](Self::push) without the
    /// copy: a UART or USB driver reads straight into the decoder.
    pub fn unfilled(&mut self) -> &mut [u8] {
        if self.at_end {
            self.resume();
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        &mut self.buf[self.end..]
    }

    /// Takes the first `n` bytes of [`unfilled`](Self::unfilled) as pushed (at most what
    /// it lent).
    pub fn filled(&mut self, n: usize) {
        let n = n.min(N - self.end);
        self.end += n;
        self.pushed += n as u64;
    }

    /// Continues the stream after [`finish`](Self::finish): an empty buffer waits for bytes
    /// again.
    #[cold]
    fn resume(&mut self) {
        self.at_end = false;
        if self.start == self.end {
            self.want = self.pushed + 1;
        }
    }

    /// Marks the end of the input: the next calls to [`next`](Self::next) decide any
    /// pending candidate instead of waiting for more bytes.
    pub fn finish(&mut self) {
        self.at_end = true;
        // The end of the input decides a pending candidate (or ends an empty buffer): scan.
        self.want = 0;
    }

    /// The next event, or `None` when more bytes are needed (or, after
    /// [`finish`](Self::finish), when everything has been decoded).
    // Inlined into the caller's loop, the decoder's fields stay in registers between events
    // (about 20 instructions less per event); builds that chose small CRC tables over speed
    // (no `speed-over-size`, as on a Cortex-M) leave it to the compiler, for size.
    #[cfg_attr(feature = "speed-over-size", inline(always))]
    #[cfg_attr(not(feature = "speed-over-size"), inline)]
    #[allow(clippy::should_implement_trait)] // events borrow the decoder: not an Iterator
    pub fn next(&mut self) -> Option<EventOf<'_, D>> {
        self.pull(&mut &[][..])
    }

    /// Like [`next`](Self::next), and also returns the input bytes the event spans.
    ///
    /// A device answering commands needs them when a frame is rejected: a checksum-valid
    /// command with an unknown id or a wrong payload size is an error event, yet its header
    /// (sequence number, command id) is what the negative answer must echo.
    pub fn next_with_bytes(&mut self) -> Option<(EventOf<'_, D>, &[u8])> {
        let mut held = &[][..];
        let event = self.pull(&mut held)?;
        let bytes = &held[..event.len];
        Some((event, bytes))
    }

    /// The body of [`next`](Self::next) and [`next_with_bytes`](Self::next_with_bytes): one
    /// step on the bytes held, which it lends to `held` (from the event's first byte on).
    // The event is returned as `step` builds it, so that it is built directly in `next`'s
    // return slot (`next` ignores `held`); wrapping it here, or unwrapping a tuple in `next`,
    // costs a copy or a few instructions per event.
    #[inline(always)]
    fn pull<'s>(&'s mut self, held: &mut &'s [u8]) -> Option<EventOf<'s, D>> {
        let StreamDecoder { dialect, buf, start, end, offset, at_end, pushed, want, stats } = self;
        if *pushed < *want {
            return None;
        }
        let avail = &buf[*start..*end];
        *held = avail;
        let window = (*at_end, N, *offset);
        let base = *offset;
        // Both closures set `want`; only one of them runs.
        let want = Cell::from_mut(want);
        let on_event = |n| consume(start, end, offset, (want, window.0), n);
        step(dialect, stats, avail, window, on_event, |hint| want.set(wanted(base, hint, N)))
    }

    /// Pushes all of `data`, calling `on_event` for every event that becomes complete.
    pub fn feed<F>(&mut self, mut data: &[u8], mut on_event: F)
    where
        F: FnMut(EventOf<'_, D>),
    {
        loop {
            let taken = self.push(data);
            data = &data[taken..];
            while let Some(event) = self.next() {
                on_event(event);
            }
            if data.is_empty() {
                break;
            }
        }
    }

    /// Marks the end of the input and calls `on_event` for every remaining event.
    pub fn finish_with<F>(&mut self, mut on_event: F)
    where
        F: FnMut(EventOf<'_, D>),
    {
        self.finish();
        while let Some(event) = self.next() {
            on_event(event);
        }
    }

    /// What has been decoded so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The dialect (with its cross-frame state).
    pub fn dialect(&self) -> &D {
        &self.dialect
    }

    /// Bytes pushed but not yet consumed by an event.
    pub fn pending(&self) -> usize {
        self.end - self.start
    }

    /// Stream offset of the first byte not yet consumed.
    pub fn position(&self) -> u64 {
        self.offset
    }

    /// Drops buffered bytes, statistics and dialect state: a new stream at offset 0.
    pub fn reset(&mut self) {
        self.dialect.reset();
        self.start = 0;
        self.end = 0;
        self.offset = 0;
        self.at_end = false;
        self.pushed = 0;
        self.want = 1;
        self.stats = Stats::default();
    }
}

/// Advances a [`StreamDecoder`]'s window past an event of `len` bytes. Takes the fields, not
/// the decoder, because the event still borrows the decoder's buffer.
#[inline(always)]
fn consume(start: &mut usize, end: &mut usize, offset: &mut u64, (want, at_end): (&Cell<u64>, bool), len: usize) {
    *start += len;
    *offset += len as u64;
    if *start == *end {
        // Empty: the next push starts at the front, so compaction is never needed for it.
        *start = 0;
        *end = 0;
        // Nothing to scan before it either, unless the input has ended (a dialect may
        // still emit a zero-length event there).
        if !at_end {
            want.set(*offset + 1);
        }
    }
}

/// The stream offset a [`StreamDecoder`] waits for before scanning the candidate at stream
/// offset `base` again, after [`Dialect::needed`] answered `hint`: never more than a full
/// buffer holds, where the driver must scan (and reject what cannot grow).
#[inline(always)]
fn wanted(base: u64, hint: usize, capacity: usize) -> u64 {
    base + hint.min(capacity) as u64
}

/// How far the rejection of a candidate starting at `buf[0]` reaches, for formats with a
/// start marker: up to the next place a new candidate may start (found by `next_start` in
/// `buf[1..]`, returning an index into that slice), or up to the candidate's own end when
/// its header tells it (`candidate_end`) and that comes first. Scanning then resumes there,
/// which is "one byte after the rejected start marker" with the bytes that cannot start a
/// frame folded into the rejection. `limit` bounds the search when the end is unknown.
/// Returns `None` when more bytes are needed to tell.
pub fn rejection_extent(
    buf: &[u8],
    candidate_end: Option<usize>,
    limit: usize,
    at_end: bool,
    next_start: impl Fn(&[u8]) -> Option<usize>,
) -> Option<usize> {
    let limit = limit.max(1);
    let horizon = candidate_end.unwrap_or(limit).min(limit).max(1);
    let searched = horizon.min(buf.len());
    if searched > 1 {
        if let Some(i) = next_start(&buf[1..searched]) {
            return Some(1 + i);
        }
    }
    if searched == horizon {
        return Some(horizon);
    }
    if at_end {
        return Some(buf.len().max(1));
    }
    None
}

#[cfg(test)]
mod tests;
mod window;

pub use window::WindowDecoder;
