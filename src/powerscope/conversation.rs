//! The host's conversation with a revision-1 powerscope, sans-I/O: which received frame
//! answers which command, when to send a command again and when to give up, and the gap
//! statistics of the sample streams (`docs/protocols/powerscope.md`, "Host conversation").
//! No heap; the caller passes the time in.
//!
//! Every command gets the next `seq` (wrapping u32), and its answer is the ACK or NACK that
//! echoes that `seq` and its `cmd_id`. A command sent again keeps its bytes, `seq` included
//! (the device answers each copy), so whichever copy's answer comes first is the answer; the
//! other copy's answer then carries a `seq` that is no longer pending and is dropped as stale.
//! An answer with an older `seq` is never taken for a newer command. STREAM frames are never
//! answers: they belong to the sample stream. A CMD frame with a bad CRC gets no answer from
//! the device, so corruption on the way there costs a timeout and a retry.
//!
//! Revision 0 has no conversation: `0x01` START and `0x02` STOP are single bytes without a
//! reply ([`r0::Command::byte`](super::r0::Command::byte)).

use super::command::{Command, CommandId};
use super::gap::lost_in_gap;
use super::message::{Cmd, Message, Stream};
use super::reply::{ErrorCode, Reply};
use crate::session::{Attempts, Poll, RetryPolicy, Verdict};

/// The documented policy: the original documentation names no timeout for revision 1; 1 s
/// and 3 retries, as the other dialects do.
pub const DOCUMENTED_POLICY: RetryPolicy = RetryPolicy::new(1000, 3);

/// What answered a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response<'a> {
    /// An ACK, with its answer.
    Ack(Reply<'a>),
    /// A NACK, with its code.
    Nack(ErrorCode),
}

/// The command awaited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pending {
    seq: u32,
    id: CommandId,
    attempts: Attempts,
}

/// One conversation with a revision-1 device: at most one command pending at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conversation {
    policy: RetryPolicy,
    next_seq: u32,
    pending: Option<Pending>,
    stale: u64,
}

impl Default for Conversation {
    fn default() -> Self {
        Conversation::new(DOCUMENTED_POLICY)
    }
}

impl Conversation {
    /// A conversation with `policy`, whose first command has `seq` 1.
    pub const fn new(policy: RetryPolicy) -> Conversation {
        Conversation::starting_at(policy, 1)
    }

    /// A conversation whose first command has `seq` `seq`.
    pub const fn starting_at(policy: RetryPolicy, seq: u32) -> Conversation {
        Conversation { policy, next_seq: seq, pending: None, stale: 0 }
    }

    /// The retry policy.
    pub const fn policy(&self) -> RetryPolicy {
        self.policy
    }

    /// Answers dropped as stale so far.
    pub const fn stale(&self) -> u64 {
        self.stale
    }

    /// The `seq` and command awaited, if any.
    pub fn pending(&self) -> Option<(u32, CommandId)> {
        self.pending.map(|p| (p.seq, p.id))
    }

    /// The attempt in progress (0 when nothing is pending).
    pub fn attempt(&self) -> u8 {
        self.pending.map_or(0, |p| p.attempts.attempt())
    }

    /// Makes `command` the pending command at `now_ms` with the next `seq`, and returns the
    /// CMD frame to send (and to send again, unchanged, on every retry). A command still
    /// pending is abandoned: its answer will be stale.
    pub fn start(&mut self, command: Command, now_ms: u64) -> Message<'static> {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        self.pending = Some(Pending { seq, id: command.id(), attempts: Attempts::first(self.policy, now_ms) });
        // The CMD's `ts_ms` is the host clock, truncated; the device ignores it.
        Message::Cmd(Cmd::new(seq, now_ms as u32, command))
    }

    /// Decides at `now_ms` about the pending command: wait, send it again, or give up.
    /// Nothing pending is a `GiveUp` of 0 attempts.
    pub fn poll(&mut self, now_ms: u64) -> Poll {
        let Some(pending) = self.pending.as_mut() else {
            return Poll::GiveUp { attempts: 0 };
        };
        let poll = pending.attempts.poll(now_ms);
        if let Poll::GiveUp { .. } = poll {
            self.pending = None;
        }
        poll
    }

    /// Says what `message` is to the pending command.
    pub fn on_message<'a>(&mut self, message: &Message<'a>) -> Verdict<Response<'a>> {
        let (seq, cmd_id, response) = match *message {
            Message::Ack(ack) => (ack.seq, ack.reply.id() as u8, Response::Ack(ack.reply)),
            Message::Nack(nack) => (nack.seq, nack.cmd_id, Response::Nack(nack.error)),
            // Samples, and what only a host sends (an echo on the line, another host).
            _ => return Verdict::Unrelated,
        };
        match self.pending {
            Some(pending) if pending.seq == seq && pending.id as u8 == cmd_id => {
                self.pending = None;
                Verdict::Reply(response)
            }
            _ => {
                self.stale = self.stale.saturating_add(1);
                Verdict::Stale
            }
        }
    }
}

/// How a sample stream went: samples received, and the `seq` gaps between them
/// (`docs/protocols/powerscope.md`, "Gaps and lost frames"), from the gaps the decoder put
/// on each STREAM frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GapStats {
    /// Samples received.
    pub samples: u64,
    /// Gaps of more than one `seq` (each one loses `gap - 1` samples).
    pub gaps: u64,
    /// Samples lost in those gaps.
    pub lost: u64,
    /// The largest gap that lost samples (0 when none did).
    pub max_gap: u32,
    /// Backwards jumps (the stream restarted: START_STREAM, a device reset).
    pub restarts: u64,
}

impl GapStats {
    /// Statistics of no sample.
    pub const fn new() -> GapStats {
        GapStats { samples: 0, gaps: 0, lost: 0, max_gap: 0, restarts: 0 }
    }

    /// Counts one STREAM frame with the gap its decoder gave it.
    pub fn observe(&mut self, stream: &Stream<'_>) {
        self.observe_gap(stream.gap);
    }

    /// Counts one frame of gap `gap` (revision 0's frames have one too).
    pub fn observe_gap(&mut self, gap: u32) {
        self.samples = self.samples.saturating_add(1);
        let lost = lost_in_gap(gap);
        if lost > 0 {
            self.gaps = self.gaps.saturating_add(1);
            self.lost = self.lost.saturating_add(u64::from(lost));
            self.max_gap = self.max_gap.max(gap);
        } else if gap >= 1 << 31 {
            self.restarts = self.restarts.saturating_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::powerscope::{Ack, Nack};

    #[test]
    fn answers_are_matched_by_seq_and_command() {
        let mut c = Conversation::new(RetryPolicy::new(100, 1));
        let Message::Cmd(cmd) = c.start(Command::GetUptime, 5) else { panic!() };
        assert_eq!((cmd.seq, cmd.ts_ms), (1, 5));
        // Another command's answer with the same seq, then an older seq: stale.
        assert_eq!(c.on_message(&Message::Ack(Ack::new(1, 0, Reply::Ping))), Verdict::Stale);
        assert_eq!(c.on_message(&Message::Ack(Ack::new(0, 0, Reply::GetUptime { uptime_ms: 1 }))), Verdict::Stale);
        let ack = Message::Ack(Ack::new(1, 0, Reply::GetUptime { uptime_ms: 7 }));
        assert_eq!(c.on_message(&ack), Verdict::Reply(Response::Ack(Reply::GetUptime { uptime_ms: 7 })));
        // The copy's answer after the reply: stale, never the next command's.
        let Message::Cmd(next) = c.start(Command::GetUptime, 6) else { panic!() };
        assert_eq!(next.seq, 2);
        assert_eq!(c.on_message(&ack), Verdict::Stale);
        let nack = Message::Nack(Nack::new(2, 0, CommandId::GetUptime as u8, ErrorCode::Internal));
        assert_eq!(c.on_message(&nack), Verdict::Reply(Response::Nack(ErrorCode::Internal)));
        assert_eq!(c.stale(), 3);
    }

    #[test]
    fn a_command_is_resent_then_given_up() {
        let mut c = Conversation::new(RetryPolicy::new(100, 1));
        c.start(Command::Ping, 0);
        assert_eq!(c.poll(99), Poll::Wait { until_ms: 100 });
        assert_eq!(c.poll(100), Poll::Resend { attempt: 2 });
        assert_eq!(c.attempt(), 2);
        assert_eq!(c.poll(200), Poll::GiveUp { attempts: 2 });
        assert_eq!(c.pending(), None);
        assert_eq!(c.on_message(&Message::Ack(Ack::new(1, 0, Reply::Ping))), Verdict::Stale);
    }

    #[test]
    fn gap_statistics() {
        let mut stats = GapStats::new();
        for gap in [0, 1, 1, 4, 1, u32::MAX - 3, 1, 2] {
            stats.observe_gap(gap);
        }
        assert_eq!(stats, GapStats { samples: 8, gaps: 2, lost: 4, max_gap: 4, restarts: 1 });
    }
}
