//! Sequence-gap tracking: how far each stream's `seq` moved, and how many frames that says
//! were lost.
//!
//! Revision 0 has one stream (one global counter). Revision 1 has one stream per sensor
//! (`runtime_id`), each with its own counter that START_STREAM resets to 0. The rule: gaps
//! are tracked for every one of the 256 possible `runtime_id`s at once, with u32
//! wrap-around, and no stream is ever forgotten, however many appear. The tracker is a
//! fixed table with no heap: the last `seq` of each id (1 KiB) and a 256-bit "seen" set
//! (1064 bytes in all, with the lost count). A stream's first frame has gap 0
//! (docs/protocols/powerscope.md, "Gaps and lost frames").

use core::fmt;

/// The frames a gap says were lost: `gap - 1` when `1 < gap < 2^31`, else 0. A gap of 0 or 1
/// loses nothing, and a "gap" of 2^31 or more is a backwards jump (a stream restart, e.g.
/// START_STREAM resetting `seq` to 0), not a loss.
pub const fn lost_in_gap(gap: u32) -> u32 {
    if gap > 1 && gap < 1 << 31 { gap - 1 } else { 0 }
}

/// How many streams there can be: one per `runtime_id` byte value.
const STREAMS: usize = 256;

/// Per-stream last `seq` for all 256 streams, and the running count of lost frames.
///
/// Invariant: the `seq` of a stream not yet seen is 0, so that the derived equality
/// compares only what was observed.
#[derive(Clone, PartialEq, Eq)]
pub struct GapTracker {
    last_seq: [u32; STREAMS],
    /// Bit `id % 64` of word `id / 64`: stream `id` has been seen.
    seen: [u64; STREAMS / 64],
    lost: u64,
}

impl Default for GapTracker {
    fn default() -> Self {
        GapTracker::new()
    }
}

impl GapTracker {
    /// A tracker that has seen nothing.
    pub const fn new() -> GapTracker {
        GapTracker { last_seq: [0; STREAMS], seen: [0; STREAMS / 64], lost: 0 }
    }

    /// Records frame `seq` of `stream` and returns its gap: `seq` minus the stream's
    /// previous `seq` (wrapping u32), or 0 for the stream's first frame.
    // Inlined, with a stream's first frame out of line: every decoded STREAM frame comes
    // through here, almost always for a stream already seen, which then costs one test of
    // its seen bit, the subtraction and one store. A `u8` index into 256 entries is always
    // in bounds (the compiler drops the check, and no input can panic).
    #[inline]
    pub fn observe(&mut self, stream: u8, seq: u32) -> u32 {
        if !self.is_seen(stream) {
            self.first(stream, seq);
            return 0;
        }
        let last = &mut self.last_seq[usize::from(stream)];
        let gap = seq.wrapping_sub(*last);
        *last = seq;
        // Almost every frame follows its predecessor (gap 1, nothing lost): the count is
        // then neither read nor written.
        let lost = lost_in_gap(gap);
        if lost != 0 {
            self.lost = self.lost.saturating_add(u64::from(lost));
        }
        gap
    }

    /// Starts following `stream` at `seq`: once per stream.
    #[cold]
    #[inline(never)]
    fn first(&mut self, stream: u8, seq: u32) {
        let id = usize::from(stream);
        self.seen[id / 64] |= 1 << (id % 64);
        self.last_seq[id] = seq;
    }

    /// Whether a frame of `stream` has been seen since the tracker was made or reset.
    #[inline]
    pub fn is_seen(&self, stream: u8) -> bool {
        let id = usize::from(stream);
        self.seen[id / 64] & (1 << (id % 64)) != 0
    }

    /// The last `seq` seen on `stream`, or `None` before its first frame.
    pub fn last_seq(&self, stream: u8) -> Option<u32> {
        self.is_seen(stream).then(|| self.last_seq[usize::from(stream)])
    }

    /// The streams seen so far with their last `seq`, in `runtime_id` order.
    pub fn streams(&self) -> impl Iterator<Item = (u8, u32)> + '_ {
        (0..=u8::MAX).filter_map(|id| self.last_seq(id).map(|seq| (id, seq)))
    }

    /// Frames lost so far, over all streams.
    pub fn lost_frames(&self) -> u64 {
        self.lost
    }

    /// Forgets every stream and the lost count.
    pub fn reset(&mut self) {
        *self = GapTracker::new();
    }
}

/// Lists only the streams seen (the other 256 entries say nothing).
impl fmt::Debug for GapTracker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Streams<'a>(&'a GapTracker);
        impl fmt::Debug for Streams<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.streams()).finish()
            }
        }
        f.debug_struct("GapTracker").field("last_seq", &Streams(self)).field("lost", &self.lost).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_frame_has_gap_zero_and_steps_count_losses() {
        let mut t = GapTracker::new();
        assert_eq!(t.observe(1, 10), 0);
        assert_eq!(t.observe(1, 11), 1);
        assert_eq!(t.observe(1, 15), 4);
        assert_eq!(t.lost_frames(), 3);
        assert_eq!(t.observe(2, 0), 0);
        assert_eq!(t.lost_frames(), 3);
    }

    #[test]
    fn wraparound_and_restart() {
        let mut t = GapTracker::new();
        t.observe(0, u32::MAX);
        assert_eq!(t.observe(0, 1), 2);
        assert_eq!(t.lost_frames(), 1);
        // Backwards jump: a restart, not a loss.
        assert_eq!(t.observe(0, 0), u32::MAX);
        assert_eq!(t.lost_frames(), 1);
        // Exactly 2^31 forward is treated as backwards too.
        assert_eq!(t.observe(0, 1 << 31), 1 << 31);
        assert_eq!(t.lost_frames(), 1);
    }

    #[test]
    fn a_first_seq_of_zero_is_seen_and_every_stream_is_kept() {
        let mut t = GapTracker::new();
        assert_eq!(t.last_seq(255), None);
        assert_eq!(t.observe(255, 0), 0);
        assert_eq!(t.last_seq(255), Some(0));
        for id in 0..=254 {
            t.observe(id, 100);
        }
        assert_eq!(t.observe(255, 3), 3, "no stream is forgotten");
        assert_eq!(t.lost_frames(), 2);
        assert_eq!(t.streams().count(), 256);
    }

    #[test]
    fn reset_forgets_and_equality_ignores_unseen_streams() {
        let mut t = GapTracker::new();
        t.observe(7, 5);
        t.observe(7, 9);
        t.reset();
        assert_eq!(t, GapTracker::new());
        assert_eq!(t.observe(7, 20), 0);
        assert_eq!(std::format!("{t:?}"), "GapTracker { last_seq: {7: 20}, lost: 0 }");
    }

    #[test]
    fn size_is_what_the_documentation_says() {
        // 1 KiB of `seq`s, the 32-byte seen set and the 8-byte lost count, on every target.
        assert_eq!(core::mem::size_of::<GapTracker>(), 1064);
    }
}
