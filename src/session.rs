//! What every host session core shares: the retry policy, the attempts of one request with
//! their deadlines, and the verdict on a received frame. Sans-I/O and without a heap: the
//! caller passes the time in (milliseconds on its own clock, never going back), sends what it
//! is told to send and hands over every frame it receives.
//!
//! A dialect's core (`pmu30::conversation`, `ascii_crc8::conversation`) decides which
//! received frame answers which request; this file only counts attempts and keeps time, so
//! a dialect whose replies are matched another way (an echoed sequence number, a help table
//! ended by silence) uses the same pieces.
//!
//! ```
//! use serial_dialects::session::{Attempts, Poll, RetryPolicy};
//!
//! let mut attempts = Attempts::first(RetryPolicy::new(1000, 3), 0);
//! assert_eq!(attempts.poll(999), Poll::Wait { until_ms: 1000 });
//! assert_eq!(attempts.poll(1000), Poll::Resend { attempt: 2 });
//! assert_eq!(attempts.poll(2000), Poll::Resend { attempt: 3 });
//! assert_eq!(attempts.poll(3000), Poll::Resend { attempt: 4 });
//! assert_eq!(attempts.poll(4000), Poll::GiveUp { attempts: 4 });
//! ```

/// How long to wait for a reply and how often to send a request again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RetryPolicy {
    /// Milliseconds to wait for the reply to one attempt.
    pub timeout_ms: u64,
    /// Attempts after the first (the request is sent at most `retries + 1` times).
    pub retries: u8,
}

impl RetryPolicy {
    /// A policy of `timeout_ms` per attempt and `retries` retries.
    pub const fn new(timeout_ms: u64, retries: u8) -> RetryPolicy {
        RetryPolicy { timeout_ms, retries }
    }

    /// The most attempts this policy makes.
    pub const fn max_attempts(&self) -> u16 {
        self.retries as u16 + 1
    }
}

/// What to do about a request waiting for its reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Poll {
    /// Keep waiting for a frame, at most until this time.
    Wait {
        /// The deadline of the attempt in progress (caller's clock, ms).
        until_ms: u64,
    },
    /// Send the same request again now; this is attempt `attempt` (2 for the first retry).
    Resend {
        /// The attempt about to be made.
        attempt: u8,
    },
    /// Every attempt has failed: report a timeout after `attempts` attempts.
    GiveUp {
        /// How many attempts were made.
        attempts: u8,
    },
}

/// The attempts of one request: which one is in progress and until when it waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Attempts {
    policy: RetryPolicy,
    attempt: u8,
    deadline_ms: u64,
}

impl Attempts {
    /// The first attempt, sent at `now_ms`.
    pub fn first(policy: RetryPolicy, now_ms: u64) -> Attempts {
        Attempts { policy, attempt: 1, deadline_ms: now_ms.saturating_add(policy.timeout_ms) }
    }

    /// The attempt in progress (1 for the first send).
    pub const fn attempt(&self) -> u8 {
        self.attempt
    }

    /// When the attempt in progress times out.
    pub const fn deadline_ms(&self) -> u64 {
        self.deadline_ms
    }

    /// The policy the attempts follow.
    pub const fn policy(&self) -> RetryPolicy {
        self.policy
    }

    /// Decides at `now_ms`. After [`Poll::Resend`] the caller sends the request again at
    /// once (the new attempt's deadline counts from `now_ms`); after [`Poll::GiveUp`] every
    /// later poll gives up too.
    pub fn poll(&mut self, now_ms: u64) -> Poll {
        if now_ms < self.deadline_ms {
            return Poll::Wait { until_ms: self.deadline_ms };
        }
        if u16::from(self.attempt) >= self.policy.max_attempts() {
            return Poll::GiveUp { attempts: self.attempt };
        }
        self.attempt = self.attempt.saturating_add(1);
        self.deadline_ms = now_ms.saturating_add(self.policy.timeout_ms);
        Poll::Resend { attempt: self.attempt }
    }

    /// The device said the request did not arrive intact (a checksum error of its own): the
    /// attempt is over now, so the next [`poll`](Self::poll) resends or gives up at once.
    pub fn fail_now(&mut self, now_ms: u64) {
        self.deadline_ms = self.deadline_ms.min(now_ms);
    }

    /// A part of a reply in several frames arrived: the attempt waits a whole timeout again
    /// for the next part.
    pub fn extend(&mut self, now_ms: u64) {
        self.deadline_ms = now_ms.saturating_add(self.policy.timeout_ms);
    }
}

/// How a received frame relates to the request being awaited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Verdict<R> {
    /// The reply: the request is complete.
    Reply(R),
    /// A part of a reply in several frames: the request stays pending and waits a whole
    /// timeout again for the next part.
    Part(R),
    /// The device says the request did not arrive intact: it is sent again at once (or the
    /// request gives up if that was the last attempt).
    Retry,
    /// A reply, but not to this request (to an attempt already resent, or to an earlier
    /// request): dropped.
    Stale,
    /// Not a reply at all (telemetry, samples, records, device text): it belongs to the
    /// stream of the device's own output.
    Unrelated,
}
