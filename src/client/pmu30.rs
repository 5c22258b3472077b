//! The PMU-30 client: the `CommunicationManager` API of the original documentation over the
//! session rules (`docs/protocols/pmu30.md`, "Session rules" and "Host conversation"):
//! every command 1 s and up to 3 retries (configurable through [`Options`]), configuration
//! upload in chunks of 512 bytes each acknowledged before the next, download reassembled,
//! telemetry with the last 10 packets kept for smoothing.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use serial_dialects::client::{Options, pmu30::Client};
//! use serial_dialects::device::serve;
//! use serial_dialects::pmu30::device::{Model, Settings};
//!
//! let (host, device) = tokio::io::duplex(4096);
//! tokio::spawn(serve(Model::new(Settings::default()), device));
//!
//! let mut client = Client::new(host, Options::default());
//! let info = client.connect().await?;
//! assert_eq!(info.device_name(), b"PMU-30");
//! client.set_channel(3, 100.0).await?;
//! client.upload_config(br#"{"outputs":[1,2,3]}"#).await?;
//! assert_eq!(client.download_config().await?, br#"{"outputs":[1,2,3]}"#);
//!
//! let mut telemetry = client.start_telemetry(50).await?;
//! let packet = telemetry.next().await?;
//! assert_eq!(packet.channel_states[3], serial_dialects::pmu30::ChannelState::On);
//! assert_eq!(telemetry.window().len(), 1);
//! client.stop_telemetry().await?;
//! # Ok(())
//! # }
//! ```

use std::boxed::Box;
use std::string::String;
use std::vec;
use std::vec::Vec;

use tokio::io::{AsyncRead, AsyncWrite};

use super::link::{Core, Link};
use super::{Error, LinkStats, Options};
use crate::dialect::Encode;
use crate::pmu30::conversation::{Conversation, Request, Response};
use crate::pmu30::session::{ConfigChunks, ConfigReassembler, ReassemblyError, TelemetryWindow};
use crate::pmu30::{Config, InfoResp, Message, Pmu30, SetChannel, SubscribeTelemetry, TelemetryPacket, error_code};
use crate::session::{Poll, Verdict};

/// What a PMU-30 answers instead of doing what was asked, with the document's codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    /// An ERROR frame.
    #[error("ERROR 0x{code:02X} ({}): {message}", error_code::description(*code).unwrap_or("unknown code"))]
    Error {
        /// Its `error_code` (see [`error_code`]).
        code: u16,
        /// Its message.
        message: String,
    },
    /// A CONFIG_ACK refusing a chunk.
    #[error("chunk {chunk} of {total} refused: CONFIG_ACK error 0x{code:02X} ({})", error_code::description(*code).unwrap_or("unknown code"))]
    ConfigRejected {
        /// The chunk's index.
        chunk: u16,
        /// The upload's chunk count.
        total: u16,
        /// The CONFIG_ACK's `error_code`.
        code: u16,
    },
    /// A chunk after the first refused as out of order: the device no longer knows the
    /// upload (it was reset, or another host started one). The upload is not retried from
    /// scratch behind the caller's back.
    #[error("upload interrupted at chunk {chunk} of {total}: the device forgot the upload (reset?)")]
    UploadInterrupted {
        /// The chunk refused.
        chunk: u16,
        /// The upload's chunk count.
        total: u16,
    },
    /// A CHANNEL_ACK with `success` false.
    #[error("channel {channel} not set (CHANNEL_ACK success = false)")]
    ChannelNotSet {
        /// The channel.
        channel: u16,
    },
    /// The downloaded chunks do not fit together.
    #[error("configuration chunks do not fit together: {0}")]
    Reassembly(ReassemblyError),
    /// Chunks still missing after every attempt.
    #[error("configuration incomplete: {received} of {total} chunks")]
    IncompleteConfig {
        /// Distinct chunks received.
        received: u16,
        /// Chunks announced.
        total: u16,
    },
}

/// The result of a client call.
pub type Result<T> = core::result::Result<T, Error<DeviceError>>;

/// An answer, owned.
#[derive(Debug)]
enum Answer {
    Pong,
    Info(InfoResp),
    ConfigAck { success: bool, code: u16 },
    ChannelAck { success: bool },
    Error { code: u16, message: String },
    Config(Vec<u8>),
    Reassembly(ReassemblyError),
    Progress,
}

/// A download in progress: the chunks' buffer and what arrived.
struct Download<'b> {
    reassembler: ConfigReassembler<'b>,
    duplicates: u32,
}

/// The conversation core with the owned answers the pump returns.
struct Driver<'c, 'b> {
    conversation: &'c mut Conversation,
    download: Option<Download<'b>>,
}

impl Core<Pmu30> for Driver<'_, '_> {
    type Reply = Answer;

    fn on_message(&mut self, message: &Message<'_>, now_ms: u64) -> Verdict<Answer> {
        let owned = |response: Response<'_>| match response {
            Response::Pong => Answer::Pong,
            Response::Info(info) => Answer::Info(info),
            Response::ConfigAck(ack) => Answer::ConfigAck { success: ack.success.is_success(), code: ack.error_code },
            Response::ChannelAck(ack) => Answer::ChannelAck { success: ack.success.is_success() },
            Response::Error(e) => {
                Answer::Error { code: e.error_code, message: String::from_utf8_lossy(e.message).into_owned() }
            }
            Response::ConfigData(_) => Answer::Progress,
        };
        match self.conversation.on_message(message, now_ms) {
            Verdict::Part(Response::ConfigData(chunk)) => {
                let Some(download) = self.download.as_mut() else { return Verdict::Stale };
                let before = download.reassembler.progress().received;
                match download.reassembler.accept(&chunk) {
                    Ok(progress) if progress.is_complete() => {
                        self.conversation.complete();
                        let data = download.reassembler.data().unwrap_or_default().to_vec();
                        Verdict::Reply(Answer::Config(data))
                    }
                    Ok(progress) => {
                        if progress.received == before {
                            download.duplicates = download.duplicates.saturating_add(1);
                        }
                        Verdict::Part(Answer::Progress)
                    }
                    Err(e) => {
                        self.conversation.complete();
                        Verdict::Reply(Answer::Reassembly(e))
                    }
                }
            }
            Verdict::Part(other) => Verdict::Part(owned(other)),
            Verdict::Reply(response) => Verdict::Reply(owned(response)),
            Verdict::Retry => Verdict::Retry,
            Verdict::Stale => Verdict::Stale,
            Verdict::Unrelated => Verdict::Unrelated,
        }
    }

    fn poll(&mut self, now_ms: u64) -> Poll {
        self.conversation.poll(now_ms)
    }
}

/// A client of one PMU-30 over `T`.
pub struct Client<T> {
    link: Link<Pmu30, T>,
    conversation: Conversation,
    window: TelemetryWindow,
    duplicates: u32,
}

impl<T: AsyncRead + AsyncWrite + Unpin> Client<T> {
    /// A client over `io` with the documented wire (CRC over MSG_ID and PAYLOAD).
    pub fn new(io: T, options: Options) -> Self {
        Self::with_config(io, Config::default(), options)
    }

    /// A client over `io` for the wire variant `config` (`pmu30:crc-with-length`).
    pub fn with_config(io: T, config: Config, options: Options) -> Self {
        Client {
            link: Link::new(io, Pmu30::new(config), options.stream_capacity),
            conversation: Conversation::new(options.policy()),
            window: TelemetryWindow::new(),
            duplicates: 0,
        }
    }

    /// What the link has seen (requests, retries, stale replies, rejected bytes).
    pub fn stats(&self) -> LinkStats {
        self.link.stats()
    }

    /// Duplicate CONFIG_DATA chunks received by the downloads so far.
    pub fn duplicate_chunks(&self) -> u32 {
        self.duplicates
    }

    /// The last 10 telemetry packets, with their means.
    pub fn window(&self) -> &TelemetryWindow {
        &self.window
    }

    /// The transport back.
    pub fn into_inner(self) -> T {
        self.link.into_inner()
    }

    fn encode(&self, message: &Message<'_>) -> Result<Vec<u8>> {
        let dialect = self.link.dialect();
        let mut bytes = vec![0u8; dialect.encoded_len(message)];
        let n = dialect.encode(message, &mut bytes)?;
        bytes.truncate(n);
        Ok(bytes)
    }

    /// Sends `message` (with a fence first if answers to earlier attempts may still come)
    /// and waits for its answer.
    async fn request(&mut self, message: &Message<'_>, download: Option<Download<'_>>) -> Result<Answer> {
        let bytes = self.encode(message)?;
        if self.conversation.needs_fence() && !matches!(message, Message::Ping {}) {
            Box::pin(self.request(&Message::Ping {}, None)).await?;
        }
        let request = Request::of(message).ok_or(crate::EncodeError::OutOfRange { field: "MSG_ID" })?;
        self.conversation.start(request, self.link.now_ms());
        let mut driver = Driver { conversation: &mut self.conversation, download };
        let result = self.link.exchange(&mut driver, &bytes).await;
        self.duplicates = self.duplicates.saturating_add(driver.download.as_ref().map_or(0, |d| d.duplicates));
        if let (Err(super::Failure::Timeout { .. }), Some(download)) = (&result, driver.download.as_ref()) {
            let progress = download.reassembler.progress();
            if progress.received > 0 {
                return Err(Error::Device(DeviceError::IncompleteConfig {
                    received: progress.received,
                    total: progress.total,
                }));
            }
        }
        match result? {
            Answer::Error { code, message } => Err(Error::Device(DeviceError::Error { code, message })),
            answer => Ok(answer),
        }
    }

    /// Sends a message that has no reply.
    async fn send(&mut self, message: &Message<'_>) -> Result<()> {
        let bytes = self.encode(message)?;
        self.link.write(&bytes).await.map_err(Error::from)
    }

    /// PING, answered by PONG.
    pub async fn ping(&mut self) -> Result<()> {
        match self.request(&Message::Ping {}, None).await? {
            Answer::Pong => Ok(()),
            _ => Err(Error::Closed),
        }
    }

    /// GET_INFO: the device's identity.
    pub async fn get_device_info(&mut self) -> Result<InfoResp> {
        match self.request(&Message::GetInfo {}, None).await? {
            Answer::Info(info) => Ok(info),
            _ => Err(Error::Closed),
        }
    }

    /// PING, then GET_INFO: the typical communication flow's opening.
    pub async fn connect(&mut self) -> Result<InfoResp> {
        self.ping().await?;
        self.get_device_info().await
    }

    /// Uploads a configuration in SET_CONFIG chunks of at most 512 bytes, waiting for each
    /// CONFIG_ACK before the next; returns the number of chunks.
    pub async fn upload_config(&mut self, config: &[u8]) -> Result<u16> {
        let chunks = ConfigChunks::new(config)?;
        let total = chunks.total_chunks();
        for message in chunks {
            let Message::SetConfig(chunk) = message else { continue };
            match self.request(&message, None).await? {
                Answer::ConfigAck { success: true, .. } => {}
                Answer::ConfigAck { code, .. } if code == error_code::INVALID_PAYLOAD && chunk.chunk_index > 0 => {
                    return Err(Error::Device(DeviceError::UploadInterrupted { chunk: chunk.chunk_index, total }));
                }
                Answer::ConfigAck { code, .. } => {
                    return Err(Error::Device(DeviceError::ConfigRejected { chunk: chunk.chunk_index, total, code }));
                }
                _ => return Err(Error::Closed),
            }
        }
        Ok(total)
    }

    /// GET_CONFIG: the stored configuration, reassembled from its CONFIG_DATA chunks (in
    /// any order; duplicates counted in [`duplicate_chunks`](Self::duplicate_chunks)).
    pub async fn download_config(&mut self) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; ConfigReassembler::MAX_CHUNKS * crate::pmu30::session::CONFIG_CHUNK_MAX];
        let download = Download { reassembler: ConfigReassembler::new(&mut buf), duplicates: 0 };
        match self.request(&Message::GetConfig {}, Some(download)).await? {
            Answer::Config(data) => Ok(data),
            Answer::Reassembly(e) => Err(Error::Device(DeviceError::Reassembly(e))),
            _ => Err(Error::Closed),
        }
    }

    /// SET_CHANNEL, answered by CHANNEL_ACK for the same channel. Telemetry arriving
    /// meanwhile is kept for [`telemetry`](Self::telemetry).
    pub async fn set_channel(&mut self, channel_id: u16, value: f32) -> Result<()> {
        match self.request(&Message::SetChannel(SetChannel { channel_id, value }), None).await? {
            Answer::ChannelAck { success: true } => Ok(()),
            Answer::ChannelAck { success: false } => {
                Err(Error::Device(DeviceError::ChannelNotSet { channel: channel_id }))
            }
            _ => Err(Error::Closed),
        }
    }

    /// SUBSCRIBE_TELEMETRY at `rate_hz` (1–100), then the packets.
    pub async fn start_telemetry(&mut self, rate_hz: u16) -> Result<Telemetry<'_, T>> {
        self.window.clear();
        self.send(&Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz })).await?;
        Ok(Telemetry { client: self })
    }

    /// The telemetry packets of a subscription (those received during other calls first).
    pub fn telemetry(&mut self) -> Telemetry<'_, T> {
        Telemetry { client: self }
    }

    /// UNSUBSCRIBE_TELEMETRY (no reply); packets already on their way are dropped by the next
    /// calls.
    pub async fn stop_telemetry(&mut self) -> Result<()> {
        self.send(&Message::UnsubscribeTelemetry {}).await
    }
}

/// The stream of telemetry packets; each one also goes into the client's 10-packet window.
pub struct Telemetry<'c, T> {
    client: &'c mut Client<T>,
}

impl<T: AsyncRead + AsyncWrite + Unpin> Telemetry<'_, T> {
    /// The next packet, in order (none is lost while the client waited for a reply).
    pub async fn next(&mut self) -> Result<TelemetryPacket> {
        let is_telemetry =
            |frame: &crate::owned::OwnedFrame<Pmu30>| matches!(frame.message(), Message::TelemetryData(_));
        let Some(frame) = self.client.link.next_stream_frame(None, is_telemetry).await? else {
            return Err(Error::Closed);
        };
        match frame.message() {
            Message::TelemetryData(packet) => {
                self.client.window.push(packet);
                Ok(packet)
            }
            _ => Err(Error::Closed),
        }
    }

    /// The last 10 packets, with their means.
    pub fn window(&self) -> &TelemetryWindow {
        &self.client.window
    }
}
