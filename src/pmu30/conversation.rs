//! The host's conversation with a PMU-30, sans-I/O: which received frame answers which
//! request, when to send a request again and when to give up (`docs/protocols/pmu30.md`,
//! "Session rules" and "Host conversation"). No heap; the caller passes the time in.
//!
//! Replies are matched by type: PING → PONG, GET_INFO → INFO_RESP, GET_CONFIG → CONFIG_DATA
//! (several frames), SET_CONFIG → CONFIG_ACK, SET_CHANNEL c → CHANNEL_ACK for channel c. An
//! ERROR answers the pending request, except ERROR 0x01 and 0x02 (the device could not read
//! a frame: the request is sent again at once). TELEMETRY_DATA is never a reply.
//!
//! What the wire cannot tell apart: CONFIG_ACK carries no chunk index, PONG and ERROR carry
//! nothing of the request, so a late answer to an attempt already resent looks exactly like
//! the answer to the next request of the same type. The device answers in order, so after a
//! request that needed more than one attempt (or gave up) the conversation is *unsettled*:
//! [`Conversation::needs_fence`] says a PING must go first, and until its PONG every other
//! reply is stale (dropped). Only PONGs stay ambiguous among themselves, which costs nothing:
//! a PONG says nothing but that the device is there.

use super::message::Message;
use super::payload::{ChannelAck, ConfigAck, ConfigChunk, DeviceError, InfoResp, error_code};
use crate::session::{Attempts, Poll, RetryPolicy, Verdict};

/// A request that has a reply, as the conversation matches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Request {
    /// PING, answered by PONG.
    Ping,
    /// GET_INFO, answered by INFO_RESP.
    GetInfo,
    /// GET_CONFIG, answered by CONFIG_DATA chunks.
    GetConfig,
    /// SET_CONFIG chunk `chunk_index`, answered by CONFIG_ACK.
    SetConfig {
        /// The chunk sent.
        chunk_index: u16,
    },
    /// SET_CHANNEL for `channel_id`, answered by CHANNEL_ACK for the same channel.
    SetChannel {
        /// The channel set.
        channel_id: u16,
    },
}

impl Request {
    /// The request `message` is, if it has a reply (SUBSCRIBE_TELEMETRY and
    /// UNSUBSCRIBE_TELEMETRY have none; device messages are not requests).
    pub fn of(message: &Message<'_>) -> Option<Request> {
        Some(match message {
            Message::Ping {} => Request::Ping,
            Message::GetInfo {} => Request::GetInfo,
            Message::GetConfig {} => Request::GetConfig,
            Message::SetConfig(chunk) => Request::SetConfig { chunk_index: chunk.chunk_index },
            Message::SetChannel(set) => Request::SetChannel { channel_id: set.channel_id },
            _ => return None,
        })
    }
}

/// What answered a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response<'a> {
    /// PONG.
    Pong,
    /// INFO_RESP.
    Info(InfoResp),
    /// One CONFIG_DATA chunk (a [`Verdict::Part`] until the caller has them all and calls
    /// [`Conversation::complete`]).
    ConfigData(ConfigChunk<'a>),
    /// CONFIG_ACK (success or not).
    ConfigAck(ConfigAck),
    /// CHANNEL_ACK for the channel set.
    ChannelAck(ChannelAck),
    /// ERROR, other than the frame errors that make the request go again.
    Error(DeviceError<'a>),
}

/// The request awaited and its attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pending {
    request: Request,
    attempts: Attempts,
}

/// One conversation with a device: at most one request pending at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conversation {
    policy: RetryPolicy,
    pending: Option<Pending>,
    unsettled: bool,
    stale: u64,
}

impl Default for Conversation {
    fn default() -> Self {
        Conversation::new(super::session::DOCUMENTED_POLICY)
    }
}

impl Conversation {
    /// A conversation with `policy` (the documented one is 1 s and 3 retries:
    /// [`DOCUMENTED_POLICY`](super::session::DOCUMENTED_POLICY)).
    pub const fn new(policy: RetryPolicy) -> Conversation {
        Conversation { policy, pending: None, unsettled: false, stale: 0 }
    }

    /// The retry policy.
    pub const fn policy(&self) -> RetryPolicy {
        self.policy
    }

    /// Whether answers to earlier attempts may still arrive: a PING must be sent (and its
    /// PONG received) before any other request.
    pub const fn needs_fence(&self) -> bool {
        self.unsettled
    }

    /// Replies dropped as stale so far.
    pub const fn stale(&self) -> u64 {
        self.stale
    }

    /// The request awaited, if any.
    pub fn pending(&self) -> Option<Request> {
        self.pending.map(|p| p.request)
    }

    /// The attempt in progress (0 when nothing is pending).
    pub fn attempt(&self) -> u8 {
        self.pending.map_or(0, |p| p.attempts.attempt())
    }

    /// `request` was sent at `now_ms` (a request still pending is abandoned); returns the
    /// deadline of its first attempt.
    pub fn start(&mut self, request: Request, now_ms: u64) -> u64 {
        if self.pending.is_some() {
            self.unsettled = true;
        }
        let attempts = Attempts::first(self.policy, now_ms);
        self.pending = Some(Pending { request, attempts });
        attempts.deadline_ms()
    }

    /// Decides at `now_ms` about the pending request: wait, send it again, or give up.
    /// Nothing pending is a `GiveUp` of 0 attempts.
    pub fn poll(&mut self, now_ms: u64) -> Poll {
        let Some(pending) = self.pending.as_mut() else {
            return Poll::GiveUp { attempts: 0 };
        };
        let poll = pending.attempts.poll(now_ms);
        if let Poll::GiveUp { .. } = poll {
            // Its answers may still come.
            self.pending = None;
            self.unsettled = true;
        }
        poll
    }

    /// Ends the pending request (a download whose chunks have all arrived).
    pub fn complete(&mut self) {
        if let Some(pending) = self.pending.take() {
            self.settle(pending);
        }
    }

    fn settle(&mut self, pending: Pending) {
        if pending.attempts.attempt() > 1 {
            self.unsettled = true;
        } else if pending.request == Request::Ping {
            self.unsettled = false;
        }
    }

    /// Says what `message`, received at `now_ms`, is to the pending request.
    pub fn on_message<'a>(&mut self, message: &Message<'a>, now_ms: u64) -> Verdict<Response<'a>> {
        let response = match *message {
            Message::TelemetryData(_) => return Verdict::Unrelated,
            Message::Pong {} => Response::Pong,
            Message::InfoResp(info) => Response::Info(info),
            Message::ConfigData(chunk) => Response::ConfigData(chunk),
            Message::ConfigAck(ack) => Response::ConfigAck(ack),
            Message::ChannelAck(ack) => Response::ChannelAck(ack),
            Message::Error(error) => Response::Error(error),
            // What only a host sends is not an answer (an echo on the line, another host).
            _ => return Verdict::Unrelated,
        };
        let Some(mut pending) = self.pending else {
            self.stale = self.stale.saturating_add(1);
            return Verdict::Stale;
        };
        // While unsettled only the fence's PONG is taken: anything else may answer an
        // attempt made before it.
        if self.unsettled && pending.request != Request::Ping {
            self.stale = self.stale.saturating_add(1);
            return Verdict::Stale;
        }
        let matches = match (pending.request, response) {
            (_, Response::Error(e))
                if e.error_code == error_code::INVALID_FRAME || e.error_code == error_code::CRC_MISMATCH =>
            {
                pending.attempts.fail_now(now_ms);
                self.pending = Some(pending);
                return Verdict::Retry;
            }
            // During the fence nothing but a PONG counts.
            (Request::Ping, Response::Error(_)) if self.unsettled => false,
            (_, Response::Error(_)) => true,
            (Request::Ping, Response::Pong) => true,
            (Request::GetInfo, Response::Info(_)) => true,
            (Request::GetConfig, Response::ConfigData(_)) => {
                pending.attempts.extend(now_ms);
                self.pending = Some(pending);
                return Verdict::Part(response);
            }
            (Request::SetConfig { .. }, Response::ConfigAck(_)) => true,
            (Request::SetChannel { channel_id }, Response::ChannelAck(ack)) => ack.channel_id == channel_id,
            _ => false,
        };
        if !matches {
            self.stale = self.stale.saturating_add(1);
            return Verdict::Stale;
        }
        self.pending = None;
        self.settle(pending);
        Verdict::Reply(response)
    }
}
