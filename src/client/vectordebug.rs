//! The bridge's client: the ESC's record stream with its lost-frame count, and the ESC's
//! command line beside it (`docs/protocols/vectordebug.md`, "Host conversation"). A line is
//! sent as the PC tool sends it, one CLI packet per key and Enter; its answer is the text
//! that comes back until the terminal has been quiet for
//! [`ANSWER_QUIET_MS`]. Records that
//! arrive meanwhile are kept for [`Client::records`]; text nobody asked for (the boot
//! banner) for [`Client::next_text`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use serial_dialects::client::{Options, vectordebug::Client};
//! use serial_dialects::device::serve;
//! use serial_dialects::vectordebug::device::{Model, Settings};
//!
//! let (host, device) = tokio::io::duplex(1 << 16);
//! tokio::spawn(serve(Model::new(Settings::default()), device));
//!
//! let mut client = Client::new(host, Options::default());
//! assert_eq!(client.next_text().await?, "ESC ready (type help)\r\nesc> ");
//! let answer = client.command("speed 1200").await?;
//! assert_eq!(answer, "speed 1200\r\nok speed=1200\r\nesc> ");
//!
//! let mut records = client.records();
//! let batch = records.next().await?;
//! assert_eq!(batch.records.len(), 100); // 5 ms at 20 kHz
//! assert_eq!(batch.lost, 0);
//! # Ok(())
//! # }
//! ```

use std::string::String;
use std::vec::Vec;

use tokio::io::{AsyncRead, AsyncWrite};

use super::link::{Core, Link};
use super::{Error, LinkStats, Options};
use crate::owned::OwnedFrame;
use crate::session::{Poll, Verdict};
use crate::vectordebug::conversation::{ANSWER_QUIET_MS, Keystrokes, Output, Terminal};
use crate::vectordebug::{Config, Message, Record, VectorDebug};

/// The bridge never refuses anything: its ESC answers in text (`error: …` lines are part of
/// the text). This type has no value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {}

/// The result of a client call.
pub type Result<T> = core::result::Result<T, Error<DeviceError>>;

/// The records of one DBG_FRAME1 packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordBatch {
    /// The records, in order.
    pub records: Vec<Record>,
    /// Frames lost between the previous packet's last record and this packet's last record
    /// (the decoder's count: `seq` modulo 65536 across packets); [`Client::lost_frames`] is
    /// the total.
    pub lost: u64,
}

/// What the client's stream holds: records, or text from the ESC's terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A packet of records.
    Records(RecordBatch),
    /// Terminal text (lossy UTF-8).
    Text(String),
}

struct Driver<'t> {
    terminal: &'t mut Terminal,
    text: Vec<u8>,
}

impl Core<VectorDebug> for Driver<'_> {
    type Reply = ();

    fn on_message(&mut self, message: &Message<'_>, now_ms: u64) -> Verdict<()> {
        match self.terminal.on_message(message, now_ms) {
            Verdict::Part(bytes) => {
                self.text.extend(bytes);
                Verdict::Part(())
            }
            _ => Verdict::Unrelated,
        }
    }

    fn poll(&mut self, now_ms: u64) -> Poll {
        self.terminal.poll(now_ms)
    }

    fn expire(&mut self, now_ms: u64) -> Option<()> {
        self.terminal.expire(now_ms).then_some(())
    }
}

/// A client of one bridge over `T`.
pub struct Client<T> {
    link: Link<VectorDebug, T>,
    terminal: Terminal,
}

impl<T: AsyncRead + AsyncWrite + Unpin> Client<T> {
    /// A client over `io` with the documented receive limit (16384-byte packets). An answer
    /// must begin within `options.timeout`; `options.retries` does not apply (a line is never
    /// sent twice).
    pub fn new(io: T, options: Options) -> Self {
        Self::with_config(io, Config::default(), options)
    }

    /// A client over `io` with the receive limit `config`.
    pub fn with_config(io: T, config: Config, options: Options) -> Self {
        Client {
            link: Link::new(io, VectorDebug::new(config), options.stream_capacity),
            terminal: Terminal::new(options.policy().timeout_ms, ANSWER_QUIET_MS),
        }
    }

    /// What the link has seen (requests, rejected bytes, frames dropped from a full stream).
    pub fn stats(&self) -> LinkStats {
        self.link.stats()
    }

    /// The transport back.
    pub fn into_inner(self) -> T {
        self.link.into_inner()
    }

    fn keystrokes(&self, line: &str) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        for key in Keystrokes::new(line) {
            let start = bytes.len();
            bytes.resize(start + key.buffer_len(), 0);
            let n = key.emit(bytes.get_mut(start..).unwrap_or_default())?;
            bytes.truncate(start + n);
        }
        Ok(bytes)
    }

    /// Types `line` and Enter on the ESC's terminal, without waiting for the answer (it comes
    /// through [`next_text`](Self::next_text) or [`next_item`](Self::next_item)).
    pub async fn send_line(&mut self, line: &str) -> Result<()> {
        let bytes = self.keystrokes(line)?;
        self.link.write(&bytes).await.map_err(Error::from)
    }

    /// Types `line` and Enter, and returns the terminal's answer (echo, answer, prompt) as
    /// lossy UTF-8. [`Error::Timeout`] when no text came within the timeout.
    pub async fn command(&mut self, line: &str) -> Result<String> {
        let bytes = self.keystrokes(line)?;
        self.terminal.start(self.link.now_ms());
        let mut driver = Driver { terminal: &mut self.terminal, text: Vec::new() };
        self.link.exchange(&mut driver, &bytes).await?;
        Ok(String::from_utf8_lossy(&driver.text).into_owned())
    }

    /// The next CLI text received outside [`command`](Self::command), whole packets joined
    /// until the terminal is quiet for a moment.
    pub async fn next_text(&mut self) -> Result<String> {
        let mut text = Vec::new();
        let mut until = None;
        while let Some(frame) = self.link.next_matching(until, is_text).await? {
            if let Output::Text(bytes) = Output::of(&frame.message()) {
                text.extend(bytes);
            }
            until = Some(self.link.now_ms().saturating_add(ANSWER_QUIET_MS));
        }
        Ok(String::from_utf8_lossy(&text).into_owned())
    }

    /// The next record packet or piece of terminal text, in the order they came.
    pub async fn next_item(&mut self) -> Result<Item> {
        loop {
            let frame = match self.link.take_kept() {
                Some(frame) => frame,
                None => self.link.read(None).await?.ok_or(Error::Closed)?,
            };
            if let Some(item) = item_of(&frame) {
                return Ok(item);
            }
        }
    }

    /// The record stream (packets received during other calls first; text is kept aside).
    pub fn records(&mut self) -> Records<'_, T> {
        Records { client: self }
    }

    /// Frames lost so far, by the decoder's count.
    pub fn lost_frames(&self) -> u64 {
        self.link.lost_frames()
    }
}

fn is_text(frame: &OwnedFrame<VectorDebug>) -> bool {
    matches!(Output::of(&frame.message()), Output::Text(_))
}

fn is_records(frame: &OwnedFrame<VectorDebug>) -> bool {
    matches!(Output::of(&frame.message()), Output::Records(_))
}

fn item_of(frame: &OwnedFrame<VectorDebug>) -> Option<Item> {
    let message = frame.message();
    match Output::of(&message) {
        Output::Text(bytes) => Some(Item::Text(String::from_utf8_lossy(&bytes.collect::<Vec<u8>>()).into_owned())),
        Output::Records(span) => {
            Some(Item::Records(RecordBatch { records: message.records().collect(), lost: span.map_or(0, |s| s.lost) }))
        }
        Output::Other => None,
    }
}

/// The record packets, in order.
pub struct Records<'c, T> {
    client: &'c mut Client<T>,
}

impl<T: AsyncRead + AsyncWrite + Unpin> Records<'_, T> {
    /// The next packet of records.
    pub async fn next(&mut self) -> Result<RecordBatch> {
        loop {
            let frame = self.client.link.next_matching(None, is_records).await?.ok_or(Error::Closed)?;
            if let Some(Item::Records(batch)) = item_of(&frame) {
                return Ok(batch);
            }
        }
    }
}
