//! Async clients (feature `tokio`): a conversation with a device over any
//! `AsyncRead + AsyncWrite` (a `tokio-serial` port, a pseudo-terminal, an in-memory duplex),
//! as the original documents specify it. See `docs/clients.md`.
//!
//! Each client is a thin driver over its dialect's sans-I/O session core
//! ([`pmu30::conversation`](crate::pmu30::conversation),
//! [`ascii_crc8::conversation`](crate::ascii_crc8::conversation),
//! [`powerscope::conversation`](crate::powerscope::conversation),
//! [`vectordebug::conversation`](crate::vectordebug::conversation),
//! [`plot::conversation`](crate::plot::conversation)): the core says what a
//! received frame is to the request awaited and when to send it again; this module reads
//! frames through the dialect's [`Codec`](crate::tokio::Codec), keeps time on tokio's clock
//! (so `tokio::time::pause()` simulates it) and writes. Frames that arrive while a reply is
//! awaited and are not replies (telemetry, samples, records, device text) are kept, in order,
//! for the client's stream: none is lost unless more than [`Options::stream_capacity`] wait
//! (the oldest are then dropped and counted in [`LinkStats::stream_dropped`]).
//!
//! Every client returns [`Error`]`<E>`, where `E` is what its device can answer instead of
//! doing what was asked (an ERROR frame, a status code), with the document's codes.

pub mod ascii_crc8;
mod link;
pub mod plot;
pub mod pmu30;
pub mod powerscope;
pub mod vectordebug;

use core::fmt;
use std::io;

pub use link::LinkStats;

use crate::error::EncodeError;
use crate::session::RetryPolicy;

/// How a client waits and retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// How long to wait for the reply to one attempt.
    pub timeout: std::time::Duration,
    /// How often a request is sent again after a timeout (at most `retries + 1` attempts).
    pub retries: u8,
    /// How many frames of the device's own output are held for the stream while nobody
    /// reads it; beyond, the oldest are dropped (counted).
    pub stream_capacity: usize,
}

impl Options {
    /// 1 s per attempt, 3 retries (the PMU-30 document's session rules; ascii-crc8's
    /// recommended reply timeout is the same 1000 ms), 4096 frames held.
    pub const DOCUMENTED: Options =
        Options { timeout: std::time::Duration::from_secs(1), retries: 3, stream_capacity: 4096 };

    /// The retry policy of the session cores.
    pub fn policy(&self) -> RetryPolicy {
        RetryPolicy::new(u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX), self.retries)
    }
}

impl Default for Options {
    fn default() -> Self {
        Options::DOCUMENTED
    }
}

/// Why a client call failed. `E` is the device's own refusal, typed by the dialect.
#[derive(Debug, thiserror::Error)]
pub enum Error<E: fmt::Debug + fmt::Display> {
    /// No valid answer came within the timeout, after every attempt.
    #[error("no answer after {attempts} attempt(s)")]
    Timeout {
        /// How many times the request was sent.
        attempts: u8,
    },
    /// The device answered with an error.
    #[error("the device refused: {0}")]
    Device(E),
    /// The request cannot be written (a value out of range); nothing was sent.
    #[error("cannot encode the request: {0}")]
    Encode(#[from] EncodeError),
    /// Reading or writing failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// The device's end was closed (end of input).
    #[error("the connection was closed")]
    Closed,
}

impl<E: fmt::Debug + fmt::Display> Error<E> {
    /// Whether the device answered with an error (as opposed to a timeout or a broken line).
    pub fn is_device(&self) -> bool {
        matches!(self, Error::Device(_))
    }
}

/// What the link's exchange ended with, before a client gives it its dialect's meaning.
#[derive(Debug)]
pub(crate) enum Failure {
    Timeout { attempts: u8 },
    Io(io::Error),
    Closed,
}

impl<E: fmt::Debug + fmt::Display> From<Failure> for Error<E> {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Timeout { attempts } => Error::Timeout { attempts },
            Failure::Io(e) => Error::Io(e),
            Failure::Closed => Error::Closed,
        }
    }
}

/// The examples of `docs/clients.md`, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/clients.md")]
pub struct ClientsDoctests;
