//! Sequence-gap tracking: how far each stream's `seq` moved, and how many frames that says
//! were lost.
//!
//! Revision 0 has one stream (one global counter). Revision 1 has one stream per sensor
//! (`runtime_id`), each with its own counter that START_STREAM resets to 0. The tracker is
//! a small fixed map with no heap: it follows up to [`MAX_STREAMS`] streams at once, and a
//! new stream beyond that replaces the one seen least recently (which then starts over with
//! gap 0 if it comes back).

/// How many streams a [`GapTracker`] follows at once (the real firmware has at most 4
/// sensors).
pub const MAX_STREAMS: usize = 8;

/// The frames a gap says were lost: `gap - 1` when `1 < gap < 2^31`, else 0. A gap of 0 or 1
/// loses nothing, and a "gap" of 2^31 or more is a backwards jump (a stream restart, e.g.
/// START_STREAM resetting `seq` to 0), not a loss.
pub const fn lost_in_gap(gap: u32) -> u32 {
    if gap > 1 && gap < 1 << 31 { gap - 1 } else { 0 }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot {
    stream: u8,
    last_seq: u32,
    last_used: u64,
}

/// Per-stream last `seq`, and the running count of lost frames.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GapTracker {
    slots: [Option<Slot>; MAX_STREAMS],
    clock: u64,
    lost: u64,
}

impl GapTracker {
    /// A tracker that has seen nothing.
    pub const fn new() -> GapTracker {
        GapTracker { slots: [None; MAX_STREAMS], clock: 0, lost: 0 }
    }

    /// Records frame `seq` of `stream` and returns its gap: `seq` minus the stream's
    /// previous `seq` (wrapping u32), or 0 for the stream's first frame.
    ///
    /// Inlined, with a stream's first frame out of line: every decoded STREAM frame comes
    /// through here, almost always for a stream already followed.
    #[inline]
    pub fn observe(&mut self, stream: u8, seq: u32) -> u32 {
        self.clock = self.clock.wrapping_add(1);
        let clock = self.clock;
        if let Some(slot) = self.slots.iter_mut().flatten().find(|s| s.stream == stream) {
            let gap = seq.wrapping_sub(slot.last_seq);
            slot.last_seq = seq;
            slot.last_used = clock;
            // Almost every frame follows its predecessor (gap 1, nothing lost): the count
            // is then neither read nor written.
            let lost = lost_in_gap(gap);
            if lost != 0 {
                self.lost = self.lost.saturating_add(u64::from(lost));
            }
            return gap;
        }
        self.start(stream, seq, clock);
        0
    }

    /// Starts following `stream` in a free slot, or in the least recently seen stream's.
    #[inline(never)]
    fn start(&mut self, stream: u8, seq: u32, clock: u64) {
        let fresh = Some(Slot { stream, last_seq: seq, last_used: clock });
        let victim = match self.slots.iter().position(Option::is_none) {
            Some(free) => free,
            None => (0..MAX_STREAMS)
                .min_by_key(|&i| self.slots.get(i).copied().flatten().map_or(0, |s| s.last_used))
                .unwrap_or(0),
        };
        if let Some(slot) = self.slots.get_mut(victim) {
            *slot = fresh;
        }
    }

    /// The last `seq` seen on `stream`, if the tracker follows it.
    pub fn last_seq(&self, stream: u8) -> Option<u32> {
        self.slots.iter().flatten().find(|s| s.stream == stream).map(|s| s.last_seq)
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
    fn least_recently_seen_stream_is_replaced() {
        let mut t = GapTracker::new();
        for id in 0..MAX_STREAMS as u8 {
            t.observe(id, 100);
        }
        t.observe(0, 101); // stream 1 is now the least recently seen
        assert_eq!(t.observe(200, 5), 0);
        assert_eq!(t.last_seq(1), None);
        assert_eq!(t.last_seq(0), Some(101));
        assert_eq!(t.observe(1, 105), 0, "an evicted stream starts over");
        assert_eq!(t.lost_frames(), 0);
    }
}
