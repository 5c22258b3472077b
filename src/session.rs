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

/// An answer of unknown length that ends in silence: a command line's text (vectordebug's
/// ESC terminal, a plot device's answer lines), where no frame says "this is the last". The
/// answer must begin within the timeout, and it is over once nothing more has been heard for
/// `quiet_ms`. Such a request is never sent again: the device would run the command twice.
///
/// ```
/// use serial_dialects::session::{Poll, Silence};
///
/// let mut answer = Silence::new(1000, 100, 0);
/// assert_eq!(answer.poll(500), Poll::Wait { until_ms: 1000 });
/// answer.heard(600);
/// assert_eq!(answer.poll(650), Poll::Wait { until_ms: 700 });
/// assert!(!answer.is_over(699) && answer.is_over(700));
/// assert_eq!(Silence::new(1000, 100, 0).poll(1000), Poll::GiveUp { attempts: 1 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Silence {
    deadline_ms: u64,
    quiet_ms: u64,
    last_heard_ms: Option<u64>,
}

impl Silence {
    /// A request sent at `now_ms`, whose answer must begin within `timeout_ms` and ends after
    /// `quiet_ms` without anything heard.
    pub fn new(timeout_ms: u64, quiet_ms: u64, now_ms: u64) -> Silence {
        Silence { deadline_ms: now_ms.saturating_add(timeout_ms), quiet_ms, last_heard_ms: None }
    }

    /// A part of the answer arrived at `now_ms`.
    pub fn heard(&mut self, now_ms: u64) {
        self.last_heard_ms = Some(now_ms);
    }

    /// Whether any of the answer has arrived.
    pub const fn has_begun(&self) -> bool {
        self.last_heard_ms.is_some()
    }

    /// Whether the answer has begun and then been quiet for `quiet_ms` at `now_ms`.
    pub fn is_over(&self, now_ms: u64) -> bool {
        self.last_heard_ms.is_some_and(|at| now_ms >= at.saturating_add(self.quiet_ms))
    }

    /// Wait (until the answer may be over, or until the timeout if it has not begun), or give
    /// up after the one attempt when nothing came within the timeout. Never `Resend`.
    pub fn poll(&self, now_ms: u64) -> Poll {
        match self.last_heard_ms {
            Some(at) => Poll::Wait { until_ms: at.saturating_add(self.quiet_ms) },
            None if now_ms < self.deadline_ms => Poll::Wait { until_ms: self.deadline_ms },
            None => Poll::GiveUp { attempts: 1 },
        }
    }
}
