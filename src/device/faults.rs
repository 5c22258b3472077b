//! Deterministic fault injection between a device model and the line, shared by the
//! `simulate` command and `device::serve` (feature `tokio`): every decision comes from one generator
//! seeded by [`FaultOptions::seed`], so a run with the same seed and the same traffic
//! injects the same faults. No heap.

use super::xorshift::Xorshift;

/// The faults to inject.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FaultOptions {
    /// The first this many replies are not sent (before `drop_replies` is looked at).
    pub drop_first_replies: u64,
    /// Probability that a byte sent gets one bit flipped.
    pub corrupt: f64,
    /// Probability that a reply is not sent at all.
    pub drop_replies: f64,
    /// Replies are held back this long, ms.
    pub delay_ms: u64,
    /// Output is written in pieces of this many bytes, each flushed (0: as it comes).
    pub chunk: usize,
    /// The device forgets its session after every this many requests (0: never).
    pub reset_after: u64,
    /// Seed of the generator.
    pub seed: u64,
}

/// What was injected, for the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultCounts {
    /// Bytes sent with a bit flipped.
    pub corrupted_bytes: u64,
    /// Replies not sent.
    pub dropped_replies: u64,
    /// Replies held back.
    pub delayed_replies: u64,
    /// Resets forced by `--reset-after`.
    pub resets: u64,
}

/// The injector.
#[derive(Debug, Clone)]
pub struct Faults {
    /// What to inject.
    pub options: FaultOptions,
    /// What was injected so far.
    pub counts: FaultCounts,
    rng: Xorshift,
}

impl Faults {
    /// An injector for `options`, its generator seeded with `options.seed`.
    pub fn new(options: FaultOptions) -> Faults {
        Faults { options, counts: FaultCounts::default(), rng: Xorshift::new(options.seed) }
    }

    /// Whether to drop this reply.
    pub fn drop_reply(&mut self) -> bool {
        let drop = self.counts.dropped_replies < self.options.drop_first_replies
            || (self.options.drop_replies > 0.0 && self.rng.chance(self.options.drop_replies));
        if drop {
            self.counts.dropped_replies = self.counts.dropped_replies.saturating_add(1);
        }
        drop
    }

    /// Flips one random bit in each byte picked with probability `--corrupt`.
    pub fn corrupt(&mut self, bytes: &mut [u8]) {
        if self.options.corrupt <= 0.0 {
            return;
        }
        for byte in bytes {
            if self.rng.chance(self.options.corrupt) {
                *byte ^= 1 << self.rng.below(8);
                self.counts.corrupted_bytes = self.counts.corrupted_bytes.saturating_add(1);
            }
        }
    }

    /// Whether the device is due for a forced reset, having answered `requests` so far
    /// (counted since it was made, across resets).
    pub fn reset_due(&mut self, requests: u64) -> bool {
        let every = self.options.reset_after;
        if every == 0 || requests < every.saturating_mul(self.counts.resets.saturating_add(1)) {
            return false;
        }
        self.counts.resets = self.counts.resets.saturating_add(1);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::vec;
    use std::vec::Vec;

    #[test]
    fn the_first_replies_are_dropped_then_none() {
        let mut faults = Faults::new(FaultOptions { drop_first_replies: 2, ..Default::default() });
        let drops: Vec<bool> = (0..5).map(|_| faults.drop_reply()).collect();
        assert_eq!(drops, [true, true, false, false, false]);
        assert_eq!(faults.counts.dropped_replies, 2);
    }

    #[test]
    fn the_same_seed_injects_the_same_faults() {
        let run = |seed| {
            let mut faults = Faults::new(FaultOptions { corrupt: 0.1, drop_replies: 0.5, seed, ..Default::default() });
            let mut bytes = vec![0u8; 1000];
            faults.corrupt(&mut bytes);
            let drops: Vec<bool> = (0..100).map(|_| faults.drop_reply()).collect();
            (bytes, drops, faults.counts)
        };
        let (bytes, drops, counts) = run(7);
        assert_eq!(run(7), (bytes.clone(), drops.clone(), counts));
        assert_ne!(run(8).0, bytes);
        // Every corrupted byte has exactly one bit flipped.
        assert_eq!(bytes.iter().filter(|b| **b != 0).count() as u64, counts.corrupted_bytes);
        assert!(bytes.iter().all(|b| b.count_ones() <= 1));
        assert!((50..150).contains(&counts.corrupted_bytes), "{counts:?}");
        assert_eq!(drops.iter().filter(|d| **d).count() as u64, counts.dropped_replies);
    }

    #[test]
    fn resets_come_every_n_requests() {
        let mut faults = Faults::new(FaultOptions { reset_after: 3, ..Default::default() });
        let due: Vec<bool> = (0..10).map(|r| faults.reset_due(r)).collect();
        assert_eq!(due, [false, false, false, true, false, false, true, false, false, true]);
        let mut never = Faults::new(FaultOptions::default());
        assert!((0..100).all(|r| !never.reset_due(r)));
    }
}
