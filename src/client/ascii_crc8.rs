//! The light meter's client: every command typed, IDs 00–99 in turn, replies matched by ID and
//! addresses, 1000 ms per attempt and 3 retries by default ([`Options`]), VIEW reassembled
//! into one list (`docs/protocols/ascii-crc8.md`, section 7). Status codes and bare `ERR…`
//! lines are typed errors ([`DeviceError`]); device text (`SYSTEM START`) is kept for
//! [`Client::next_line`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use serial_dialects::ascii_crc8::device::{Model, Settings};
//! use serial_dialects::client::{Error, Options, ascii_crc8::{Client, DeviceError}};
//! use serial_dialects::ascii_crc8::Status;
//! use serial_dialects::device::serve;
//!
//! let (host, device) = tokio::io::duplex(4096);
//! tokio::spawn(serve(Model::new(Settings::default()), device));
//!
//! let mut client = Client::new(host, Options::default());
//! assert_eq!(client.download().await?, 2600);
//! assert_eq!(client.view(0, 3).await?, [2600, 2599, 2598]);
//! client.set_interval(250).await?;
//! assert_eq!(client.interval().await?, 250);
//! assert_eq!(client.scan().await?, 0x23);
//! match client.set_mode(9).await {
//!     Err(Error::Encode(_)) => {} // refused before sending: modes are 1-6
//!     other => panic!("{other:?}"),
//! }
//! assert_eq!(client.next_line().await?, "SYSTEM START");
//! # let _ = (DeviceError::Line(String::new()), Status::Ok);
//! # Ok(())
//! # }
//! ```

use std::string::{String, ToString};
use std::vec;
use std::vec::Vec;

use tokio::io::{AsyncRead, AsyncWrite};

use super::link::{Core, Link};
use super::{Error, LinkStats, Options};
use crate::ascii_crc8::conversation::{Conversation, Response};
use crate::ascii_crc8::{AsciiCrc8, Command, CommandCode, MAX_FRAME_LEN, Message, Status};
use crate::owned::OwnedFrame;
use crate::session::{Poll, Verdict};

/// What the light meter answers instead of doing what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    /// A non-zero status code.
    #[error("{command} answered status {:02} {}", .status.code(), .status.name())]
    Status {
        /// The command refused.
        command: CommandCode,
        /// The status.
        status: Status,
    },
    /// A bare `ERR…` line after the last attempt: the device could not read the request.
    #[error("the device answered {0:?}")]
    Line(String),
    /// A reply that matched the request's ID but not what its command answers.
    #[error("{0} answered something else than its reply")]
    Unexpected(CommandCode),
}

/// The result of a client call.
pub type Result<T> = core::result::Result<T, Error<DeviceError>>;

/// An answer, owned.
enum Answer {
    Status(Status),
    Lux(u16),
    IntervalMs(u16),
    Mode(u8),
    Address(u8),
    View(Vec<u16>),
    Refused(String),
}

impl From<Response<'_>> for Answer {
    fn from(response: Response<'_>) -> Self {
        match response {
            Response::Status(s) => Answer::Status(s),
            Response::Lux(v) => Answer::Lux(v),
            Response::IntervalMs(v) => Answer::IntervalMs(v),
            Response::Mode(v) => Answer::Mode(v),
            Response::Address(v) => Answer::Address(v),
            Response::View(values) => Answer::View(values.to_vec()),
            Response::Refused(line) => Answer::Refused(line.as_str().to_string()),
        }
    }
}

struct Driver<'c>(&'c mut Conversation);

impl Core<AsciiCrc8> for Driver<'_> {
    type Reply = Answer;

    fn on_message(&mut self, message: &Message<'_>, now_ms: u64) -> Verdict<Answer> {
        match self.0.on_message(message, now_ms) {
            Verdict::Reply(r) => Verdict::Reply(r.into()),
            Verdict::Part(r) => Verdict::Part(r.into()),
            Verdict::Retry => Verdict::Retry,
            Verdict::Stale => Verdict::Stale,
            Verdict::Unrelated => Verdict::Unrelated,
        }
    }

    fn poll(&mut self, now_ms: u64) -> Poll {
        self.0.poll(now_ms)
    }

    fn expire(&mut self, now_ms: u64) -> Option<Answer> {
        self.0.expire(now_ms).map(Answer::from)
    }
}

/// A client of one light meter over `T`.
pub struct Client<T> {
    link: Link<AsciiCrc8, T>,
    conversation: Conversation,
}

impl<T: AsyncRead + AsyncWrite + Unpin> Client<T> {
    /// A client over `io`; its first request has ID 00.
    pub fn new(io: T, options: Options) -> Self {
        Client {
            link: Link::new(io, AsciiCrc8::new(Default::default()), options.stream_capacity),
            conversation: Conversation::new(options.policy()),
        }
    }

    /// What the link has seen (requests, retries, stale replies, rejected bytes).
    pub fn stats(&self) -> LinkStats {
        self.link.stats()
    }

    /// The transport back.
    pub fn into_inner(self) -> T {
        self.link.into_inner()
    }

    async fn request(&mut self, command: Command) -> Result<Answer> {
        let mut bytes = vec![0u8; MAX_FRAME_LEN];
        let (_, len) = self.conversation.start(command, self.link.now_ms(), &mut bytes)?;
        bytes.truncate(len);
        match self.link.exchange(&mut Driver(&mut self.conversation), &bytes).await? {
            Answer::Refused(line) => Err(Error::Device(DeviceError::Line(line))),
            Answer::Status(status) if status != Status::Ok => {
                Err(Error::Device(DeviceError::Status { command: command.code(), status }))
            }
            answer => Ok(answer),
        }
    }

    async fn status(&mut self, command: Command) -> Result<()> {
        match self.request(command).await? {
            Answer::Status(_) => Ok(()),
            _ => Err(Error::Device(DeviceError::Unexpected(command.code()))),
        }
    }

    /// START: measurements are stored every interval from now.
    pub async fn start(&mut self) -> Result<()> {
        self.status(Command::Start).await
    }

    /// STOP.
    pub async fn stop(&mut self) -> Result<()> {
        self.status(Command::Stop).await
    }

    /// DOWNLOAD: the newest measurement, lux.
    pub async fn download(&mut self) -> Result<u16> {
        match self.request(Command::Download).await? {
            Answer::Lux(lux) => Ok(lux),
            _ => Err(Error::Device(DeviceError::Unexpected(CommandCode::Download))),
        }
    }

    /// VIEW: `count` (1–99) stored measurements from `offset` (0–99) back, newest first, from
    /// all the reply's frames (fewer when fewer are stored).
    pub async fn view(&mut self, offset: u8, count: u8) -> Result<Vec<u16>> {
        match self.request(Command::View { offset: Some(offset), count: Some(count) }).await? {
            Answer::View(values) => Ok(values),
            _ => Err(Error::Device(DeviceError::Unexpected(CommandCode::View))),
        }
    }

    /// SET_INTERVAL (1–9999 ms).
    pub async fn set_interval(&mut self, interval_ms: u16) -> Result<()> {
        self.status(Command::SetInterval { interval_ms: Some(u32::from(interval_ms)) }).await
    }

    /// GET_INTERVAL, ms.
    pub async fn interval(&mut self) -> Result<u16> {
        match self.request(Command::GetInterval).await? {
            Answer::IntervalMs(ms) => Ok(ms),
            _ => Err(Error::Device(DeviceError::Unexpected(CommandCode::GetInterval))),
        }
    }

    /// SET_MODE (1–3 continuous H/H2/L, 4–6 one-time).
    pub async fn set_mode(&mut self, mode: u8) -> Result<()> {
        self.status(Command::SetMode { mode: Some(mode) }).await
    }

    /// GET_MODE.
    pub async fn mode(&mut self) -> Result<u8> {
        match self.request(Command::GetMode).await? {
            Answer::Mode(mode) => Ok(mode),
            _ => Err(Error::Device(DeviceError::Unexpected(CommandCode::GetMode))),
        }
    }

    /// I2C_SCAN: the sensor's address, 0 when nothing answered.
    pub async fn scan(&mut self) -> Result<u8> {
        match self.request(Command::I2cScan).await? {
            Answer::Address(address) => Ok(address),
            _ => Err(Error::Device(DeviceError::Unexpected(CommandCode::I2cScan))),
        }
    }

    /// The next line of device text (`SYSTEM START`, or an `ERR…` line that answered no
    /// request), without its line ending; lines received during other calls come first.
    pub async fn next_line(&mut self) -> Result<String> {
        let is_line =
            |f: &OwnedFrame<AsciiCrc8>| matches!(f.message(), Message::DeviceText(_) | Message::DeviceError(_));
        let Some(frame) = self.link.next_stream_frame(None, is_line).await? else { return Err(Error::Closed) };
        match frame.message() {
            Message::DeviceText(line) | Message::DeviceError(line) => Ok(line.as_str().to_string()),
            _ => Err(Error::Closed),
        }
    }
}
