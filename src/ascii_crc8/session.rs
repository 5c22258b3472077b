//! The host side of a conversation: request IDs, matching replies with timeouts, and VIEW
//! reassembly (`docs/protocols/ascii-crc8.md`, section 7). No heap; time is passed in by the
//! caller in milliseconds.

use super::command::{Command, CommandCode, VIEW_COUNT, VIEW_MAX_OFFSET, encode_request};
use super::frame::ID_COUNT;
use super::reply::{Answer, Reply, Status, VIEW_VALUES_PER_FRAME};
use crate::error::EncodeError;

/// How long to wait for a reply: the original documentation recommends 500–1000 ms; this is
/// the upper end.
pub const REPLY_TIMEOUT_MS: u32 = 1000;
/// The lower end of the original documentation's recommended reply timeout.
pub const MIN_REPLY_TIMEOUT_MS: u32 = 500;

/// Hands out request IDs 00, 01, …, 99, 00, …
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IdCounter {
    next: u8,
}

impl IdCounter {
    /// A counter whose first ID is 00.
    pub const fn new() -> IdCounter {
        IdCounter { next: 0 }
    }

    /// A counter whose first ID is `id % 100`.
    pub const fn starting_at(id: u8) -> IdCounter {
        IdCounter { next: id % ID_COUNT }
    }

    /// The ID [`next_id`](Self::next_id) will return.
    pub const fn peek(&self) -> u8 {
        self.next
    }

    /// Returns the next ID and advances, wrapping from 99 to 00.
    pub fn next_id(&mut self) -> u8 {
        let id = self.next;
        self.next = if id + 1 >= ID_COUNT { 0 } else { id + 1 };
        id
    }
}

/// A request waiting for its reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Pending {
    /// What was asked.
    pub command: Command,
    /// When it was sent (caller's clock, ms).
    pub sent_at_ms: u64,
}

/// How a reply relates to the requests in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyMatch<'a> {
    /// It answers a pending request.
    Matched {
        /// The request ID.
        id: u8,
        /// The request it answers.
        command: Command,
        /// DATA read against that request (`None` when not in the expected form).
        answer: Option<Answer<'a>>,
    },
    /// It answers a request whose time ran out (the request is dropped).
    Late {
        /// The request ID.
        id: u8,
        /// The request it answers.
        command: Command,
    },
    /// No request with its ID is pending.
    Unsolicited {
        /// The reply's ID.
        id: u8,
    },
}

/// Matches replies to requests by ID, with a timeout per request.
///
/// A request stays pending until a reply matches it, except VIEW, whose reply spans
/// several frames: it stays pending until [`complete`](Self::complete) is called (for
/// example when a [`ViewAssembler`] is complete) or a status reply arrives.
#[derive(Debug, Clone)]
pub struct RequestTracker {
    slots: [Option<Pending>; ID_COUNT as usize],
    timeout_ms: u32,
}

impl Default for RequestTracker {
    fn default() -> Self {
        RequestTracker::new()
    }
}

impl RequestTracker {
    /// A tracker with the [`REPLY_TIMEOUT_MS`] timeout.
    pub const fn new() -> RequestTracker {
        RequestTracker::with_timeout(REPLY_TIMEOUT_MS)
    }

    /// A tracker with another timeout (ms).
    pub const fn with_timeout(timeout_ms: u32) -> RequestTracker {
        RequestTracker { slots: [None; ID_COUNT as usize], timeout_ms }
    }

    /// The timeout in ms.
    pub const fn timeout_ms(&self) -> u32 {
        self.timeout_ms
    }

    /// Encodes `command` with the next ID into `out`, registers it as pending at `now_ms`
    /// and returns `(id, frame length)`.
    pub fn send(
        &mut self,
        ids: &mut IdCounter,
        command: Command,
        now_ms: u64,
        out: &mut [u8],
    ) -> Result<(u8, usize), EncodeError> {
        let id = ids.peek();
        let n = encode_request(out, id, &command)?;
        ids.next_id();
        self.register(id, command, now_ms);
        Ok((id, n))
    }

    /// Registers a request sent with `id` at `now_ms`; returns the request it replaces.
    pub fn register(&mut self, id: u8, command: Command, now_ms: u64) -> Option<Pending> {
        let slot = self.slots.get_mut(usize::from(id))?;
        slot.replace(Pending { command, sent_at_ms: now_ms })
    }

    /// The request pending with `id`.
    pub fn pending(&self, id: u8) -> Option<&Pending> {
        self.slots.get(usize::from(id))?.as_ref()
    }

    /// How many requests are pending.
    pub fn pending_count(&self) -> usize {
        self.slots.iter().flatten().count()
    }

    /// Forgets the request with `id` and returns it.
    pub fn complete(&mut self, id: u8) -> Option<Pending> {
        self.slots.get_mut(usize::from(id))?.take()
    }

    fn expired(&self, p: &Pending, now_ms: u64) -> bool {
        now_ms.saturating_sub(p.sent_at_ms) > u64::from(self.timeout_ms)
    }

    /// Matches a reply received at `now_ms`.
    pub fn on_reply<'a>(&mut self, reply: &Reply<'a>, now_ms: u64) -> ReplyMatch<'a> {
        let id = reply.frame.id;
        let Some(pending) = self.pending(id).copied() else {
            return ReplyMatch::Unsolicited { id };
        };
        if self.expired(&pending, now_ms) {
            self.complete(id);
            return ReplyMatch::Late { id, command: pending.command };
        }
        let answer = Answer::parse(pending.command.code(), reply.frame.data);
        let multi_frame = pending.command.code() == CommandCode::View && matches!(answer, Some(Answer::View { .. }));
        if !multi_frame {
            self.complete(id);
        }
        ReplyMatch::Matched { id, command: pending.command, answer }
    }

    /// Drops every request whose timeout has passed at `now_ms`, calling `on_timeout` for
    /// each.
    pub fn expire(&mut self, now_ms: u64, mut on_timeout: impl FnMut(u8, Pending)) {
        let timeout = u64::from(self.timeout_ms);
        for (id, slot) in (0u8..).zip(self.slots.iter_mut()) {
            if let Some(p) = *slot {
                if now_ms.saturating_sub(p.sent_at_ms) > timeout {
                    *slot = None;
                    on_timeout(id, p);
                }
            }
        }
    }

    /// The earliest time at which a pending request times out.
    pub fn next_deadline(&self) -> Option<u64> {
        let timeout = u64::from(self.timeout_ms);
        self.slots.iter().flatten().map(|p| p.sent_at_ms.saturating_add(timeout)).min()
    }
}

/// Why a frame could not be added to a VIEW reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ViewError {
    /// The frame carries another request's ID.
    #[error("reply ID {got} does not match the VIEW request ID {expected}")]
    WrongId {
        /// The VIEW request's ID.
        expected: u8,
        /// The reply's ID.
        got: u8,
    },
    /// The device answered with a status instead of values (e.g. `03` ERR_NO_DATA).
    #[error("the device answered with status {}", .0.code())]
    Status(Status),
    /// DATA is neither a status nor an offset followed by 4-digit values.
    #[error("reply DATA is not a VIEW frame")]
    Malformed,
    /// The frame's offset field is not where the next frame starts (mod 100).
    #[error("frame offset {got} where {expected} (mod 100) was expected")]
    UnexpectedOffset {
        /// The expected offset field.
        expected: u8,
        /// The received offset field.
        got: u8,
    },
    /// The frame holds more values than the request asked for.
    #[error("{received} values would exceed the requested count {count}")]
    TooManyValues {
        /// Values including this frame's.
        received: usize,
        /// The requested count.
        count: u8,
    },
    /// The requested count has already arrived.
    #[error("the VIEW reply is already complete")]
    AlreadyComplete,
}

/// Progress of a VIEW reassembly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ViewProgress {
    /// More frames are expected.
    Incomplete {
        /// Values so far.
        received: usize,
        /// Values requested.
        expected: usize,
    },
    /// The requested count has arrived.
    Complete,
}

/// Collects the frames of one VIEW reply (same ID, 63 values per frame, offsets mod 100)
/// into a fixed array of 99 values.
#[derive(Debug, Clone)]
pub struct ViewAssembler {
    id: u8,
    offset: u8,
    count: u8,
    values: [u16; VIEW_COUNT_MAX],
    received: usize,
    frames: usize,
}

const VIEW_COUNT_MAX: usize = *VIEW_COUNT.end() as usize;

impl ViewAssembler {
    /// Starts collecting the reply to VIEW `offset`/`count` sent with `id`.
    pub fn new(id: u8, offset: u8, count: u8) -> Result<ViewAssembler, EncodeError> {
        if offset > VIEW_MAX_OFFSET {
            return Err(EncodeError::OutOfRange { field: "offset" });
        }
        if !VIEW_COUNT.contains(&count) {
            return Err(EncodeError::OutOfRange { field: "count" });
        }
        Ok(ViewAssembler { id, offset, count, values: [0; VIEW_COUNT_MAX], received: 0, frames: 0 })
    }

    /// Starts collecting the reply to a VIEW command (with both parameters) sent with `id`.
    pub fn for_command(id: u8, command: &Command) -> Result<ViewAssembler, EncodeError> {
        match *command {
            Command::View { offset: Some(o), count: Some(c) } => ViewAssembler::new(id, o, c),
            Command::View { offset: None, .. } => Err(EncodeError::OutOfRange { field: "offset" }),
            _ => Err(EncodeError::OutOfRange { field: "count" }),
        }
    }

    /// The offset field the next frame must carry: requested offset + 63·k, mod 100.
    pub fn expected_offset(&self) -> u8 {
        ((usize::from(self.offset) + VIEW_VALUES_PER_FRAME * self.frames) % 100) as u8
    }

    /// Adds one reply frame.
    pub fn push(&mut self, reply: &Reply<'_>) -> Result<ViewProgress, ViewError> {
        if reply.frame.id != self.id {
            return Err(ViewError::WrongId { expected: self.id, got: reply.frame.id });
        }
        if self.is_complete() {
            return Err(ViewError::AlreadyComplete);
        }
        let (offset, values) = match Answer::parse(CommandCode::View, reply.frame.data) {
            Some(Answer::View { offset, values }) => (offset, values),
            Some(Answer::Status(s)) => return Err(ViewError::Status(s)),
            _ => return Err(ViewError::Malformed),
        };
        let expected = self.expected_offset();
        if offset != expected {
            return Err(ViewError::UnexpectedOffset { expected, got: offset });
        }
        let total = self.received + values.len();
        let Some(dst) = self.values.get_mut(self.received..total).filter(|_| total <= usize::from(self.count)) else {
            return Err(ViewError::TooManyValues { received: total, count: self.count });
        };
        for (d, v) in dst.iter_mut().zip(values.iter()) {
            *d = v;
        }
        self.received = total;
        self.frames += 1;
        Ok(self.progress())
    }

    /// Where the reassembly stands.
    pub fn progress(&self) -> ViewProgress {
        if self.is_complete() {
            ViewProgress::Complete
        } else {
            ViewProgress::Incomplete { received: self.received, expected: usize::from(self.count) }
        }
    }

    /// True once the requested count has arrived.
    pub fn is_complete(&self) -> bool {
        self.received >= usize::from(self.count)
    }

    /// The values received so far, newest first.
    pub fn values(&self) -> &[u16] {
        self.values.get(..self.received).unwrap_or(&[])
    }

    /// The request ID.
    pub fn id(&self) -> u8 {
        self.id
    }
}
