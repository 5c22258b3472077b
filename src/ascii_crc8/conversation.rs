//! The host's conversation with the light meter, sans-I/O: IDs 00–99 in turn, replies
//! matched by ID and addresses, a timeout and retries per request, VIEW reassembled into one
//! list (`docs/protocols/ascii-crc8.md`, section 7). No heap; the caller passes the time in.
//!
//! A request sent again keeps its ID (the device answers each copy the same way), so
//! whichever copy's reply comes first is the answer, and the other copy's reply, carrying an
//! ID that is no longer pending, is stale: a reply with an old ID is never taken for a new
//! request. A bare `ERR…` line while a request is pending is the device saying it could not
//! read a frame, which can only be the host's: the request goes again at once, and the line
//! is the error if it was the last attempt. Device text (`SYSTEM START`) is never a reply.
//!
//! VIEW: the reply is complete when the requested count has arrived, or with a frame of
//! fewer than 63 values (the device sends only the values it has). When exactly 63 values are
//! stored and more were asked for, nothing more comes; a lost second frame looks the same, so
//! the request goes again, and two attempts ending in silence after the same number of values
//! make those values the answer.

use heapless::Vec;

use super::address::Address;
use super::command::{Command, CommandCode, encode_request};
use super::line::DeviceLine;
use super::message::Message;
use super::reply::{Answer, Status, VIEW_VALUES_PER_FRAME};
use super::session::{IdCounter, ViewAssembler, ViewError};
use crate::error::EncodeError;
use crate::session::{Attempts, Poll, RetryPolicy, Verdict};

/// The most values one VIEW asks for.
pub const VIEW_MAX: usize = 99;
/// The documented policy: 1000 ms per attempt. The original documentation does not say how
/// often to retry; 3 retries, as the other dialects do.
pub const DOCUMENTED_POLICY: RetryPolicy = RetryPolicy::new(super::session::REPLY_TIMEOUT_MS as u64, 3);

/// What answered a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response<'a> {
    /// A 2-digit status (`00` OK, or a refusal).
    Status(Status),
    /// DOWNLOAD's measurement.
    Lux(u16),
    /// GET_INTERVAL's interval, ms.
    IntervalMs(u16),
    /// GET_MODE's mode.
    Mode(u8),
    /// I2C_SCAN's address (0: nothing answered).
    Address(u8),
    /// A whole VIEW reply, newest first.
    View(Vec<u16, VIEW_MAX>),
    /// A bare `ERR…` line that ended the last attempt.
    Refused(DeviceLine<'a>),
}

/// The request awaited.
#[derive(Debug, Clone)]
struct Pending {
    id: u8,
    command: Command,
    attempts: Attempts,
    view: Option<ViewAssembler>,
    /// How many VIEW values the last attempt ended with by silence.
    silent_after: Option<usize>,
}

/// One conversation with the device.
#[derive(Debug, Clone)]
pub struct Conversation {
    policy: RetryPolicy,
    ids: IdCounter,
    pending: Option<Pending>,
    stale: u64,
}

impl Default for Conversation {
    fn default() -> Self {
        Conversation::new(DOCUMENTED_POLICY)
    }
}

impl Conversation {
    /// A conversation with `policy`, whose first ID is 00.
    pub const fn new(policy: RetryPolicy) -> Conversation {
        Conversation { policy, ids: IdCounter::new(), pending: None, stale: 0 }
    }

    /// A conversation whose first ID is `id % 100`.
    pub const fn starting_at(policy: RetryPolicy, id: u8) -> Conversation {
        Conversation { policy, ids: IdCounter::starting_at(id), pending: None, stale: 0 }
    }

    /// The retry policy.
    pub const fn policy(&self) -> RetryPolicy {
        self.policy
    }

    /// Replies dropped as stale so far.
    pub const fn stale(&self) -> u64 {
        self.stale
    }

    /// The ID and command awaited, if any.
    pub fn pending(&self) -> Option<(u8, Command)> {
        self.pending.as_ref().map(|p| (p.id, p.command))
    }

    /// The attempt in progress (0 when nothing is pending).
    pub fn attempt(&self) -> u8 {
        self.pending.as_ref().map_or(0, |p| p.attempts.attempt())
    }

    /// Encodes `command` with the next ID into `out` (the bytes to send, and to send again
    /// on every retry) and makes it the pending request at `now_ms`; returns the ID and the
    /// frame's length. A command out of range is refused and nothing changes.
    pub fn start(&mut self, command: Command, now_ms: u64, out: &mut [u8]) -> Result<(u8, usize), EncodeError> {
        let id = self.ids.peek();
        let len = encode_request(out, id, &command)?;
        let view = match command.code() {
            CommandCode::View => Some(ViewAssembler::for_command(id, &command)?),
            _ => None,
        };
        self.ids.next_id();
        self.pending =
            Some(Pending { id, command, attempts: Attempts::first(self.policy, now_ms), view, silent_after: None });
        Ok((id, len))
    }

    /// A VIEW whose values stopped before the count it asked for: the device sends only the
    /// values it has, but a lost frame looks the same. So when an attempt's time is up (at
    /// `now_ms`) with values received, the reassembly starts again and the request goes again
    /// ([`poll`](Self::poll)); when the next attempt ends by silence with as many values, those
    /// are the answer, and the request is complete. `None` in every other case. Call it before
    /// `poll`.
    pub fn expire(&mut self, now_ms: u64) -> Option<Response<'static>> {
        let pending = self.pending.as_mut()?;
        let view = pending.view.as_mut()?;
        let received = view.values().len();
        if received == 0 || now_ms < pending.attempts.deadline_ms() {
            return None;
        }
        if pending.silent_after == Some(received) {
            let values = view.values().iter().copied().collect();
            self.pending = None;
            return Some(Response::View(values));
        }
        pending.silent_after = Some(received);
        if let Ok(fresh) = ViewAssembler::for_command(pending.id, &pending.command) {
            *view = fresh;
        }
        None
    }

    /// Decides at `now_ms`: wait, send the same bytes again, or give up. Nothing pending is
    /// a `GiveUp` of 0 attempts.
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

    /// Says what `message`, received at `now_ms`, is to the pending request.
    pub fn on_message<'a>(&mut self, message: &Message<'a>, now_ms: u64) -> Verdict<Response<'a>> {
        let reply = match message {
            Message::Reply(reply) => reply,
            Message::DeviceError(line) => {
                let Some(pending) = self.pending.as_mut() else { return Verdict::Unrelated };
                if u16::from(pending.attempts.attempt()) >= self.policy.max_attempts() {
                    self.pending = None;
                    return Verdict::Reply(Response::Refused(*line));
                }
                pending.attempts.fail_now(now_ms);
                return Verdict::Retry;
            }
            _ => return Verdict::Unrelated,
        };
        let Some(pending) = self.pending.as_mut() else {
            self.stale = self.stale.saturating_add(1);
            return Verdict::Stale;
        };
        // A reply swaps the request's addresses and echoes its ID.
        if reply.frame.id != pending.id || reply.frame.src != Address::STM || reply.frame.dst != Address::PC {
            self.stale = self.stale.saturating_add(1);
            return Verdict::Stale;
        }
        let answer = Answer::parse(pending.command.code(), reply.frame.data);
        let response = match (answer, pending.view.as_mut()) {
            (Some(Answer::Status(status)), _) => Response::Status(status),
            (Some(Answer::View { values, .. }), Some(view)) => {
                let short = values.len() < VIEW_VALUES_PER_FRAME;
                match view.push(reply) {
                    Ok(_) if view.is_complete() || short => {
                        let values = view.values().iter().copied().collect();
                        self.pending = None;
                        return Verdict::Reply(Response::View(values));
                    }
                    Ok(_) => {
                        pending.attempts.extend(now_ms);
                        return Verdict::Part(Response::View(Vec::new()));
                    }
                    // A frame of a copy sent earlier (its offset is not the next one).
                    Err(ViewError::UnexpectedOffset { .. } | ViewError::AlreadyComplete) => {
                        self.stale = self.stale.saturating_add(1);
                        return Verdict::Stale;
                    }
                    Err(_) => return Verdict::Stale,
                }
            }
            (Some(Answer::Lux(lux)), _) => Response::Lux(lux),
            (Some(Answer::IntervalMs(ms)), _) => Response::IntervalMs(ms),
            (Some(Answer::Mode(mode)), _) => Response::Mode(mode),
            (Some(Answer::Address(address)), _) => Response::Address(address),
            // Its ID, but DATA in no form its request's reply takes: not an answer.
            _ => {
                self.stale = self.stale.saturating_add(1);
                return Verdict::Stale;
            }
        };
        self.pending = None;
        Verdict::Reply(response)
    }
}
