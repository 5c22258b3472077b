//! The power monitor's client: every revision-1 command typed, answers matched by the echoed
//! `seq`, 1 s per attempt and 3 retries by default ([`Options`]), NACK codes as typed errors,
//! and sample streams in physical units with their gap statistics
//! (`docs/protocols/powerscope.md`, "Host conversation"). Revision 0 has only
//! [`start`](Client::start), [`stop`](Client::stop) and [`frames`](Client::frames).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use serial_dialects::client::{Error, Options, powerscope::{Client, DeviceError}};
//! use serial_dialects::device::serve;
//! use serial_dialects::powerscope::device::{Model, Settings};
//! use serial_dialects::powerscope::ErrorCode;
//!
//! let (host, device) = tokio::io::duplex(4096);
//! tokio::spawn(serve(Model::new(Settings::default()), device));
//!
//! let mut client = Client::new(host, Options::default());
//! client.ping().await?;
//! assert_eq!(client.sensors().await?.iter().map(|s| s.runtime_id).collect::<Vec<_>>(), [1, 2]);
//! assert_eq!(client.period(1).await?, 1000);
//! let sample = client.read(1).await?;
//! assert!(sample.bus_volts > 4.5 && sample.bus_volts < 5.1);
//! match client.read(9).await {
//!     Err(Error::Device(DeviceError::Nack { code: ErrorCode::InvalidValue, .. })) => {}
//!     other => panic!("{other:?}"),
//! }
//!
//! let mut samples = client.stream(1, 20).await?;
//! let first = samples.next().await?;
//! let second = samples.next().await?;
//! assert_eq!((first.seq, second.seq, second.ts_ms - first.ts_ms), (0, 1, 23));
//! assert_eq!(samples.stats().lost, 0);
//! client.stop_stream(1).await?;
//! # Ok(())
//! # }
//! ```

use std::string::String;
use std::vec;
use std::vec::Vec;

use tokio::io::{AsyncRead, AsyncWrite};

use super::link::{Core, Link};
use super::{Error, LinkStats, Options};
use crate::dialect::Encode;
use crate::error::EncodeError;
use crate::owned::OwnedFrame;
use crate::powerscope::conversation::{Conversation, GapStats, Response};
use crate::powerscope::{
    Command, CommandId, Config, ErrorCode, Ina219Sample, Message, PowerScope, Reply, Revision, SensorInfo,
    SensorPacket, r0,
};
use crate::session::{Poll, Verdict};

/// What the power monitor answers instead of doing what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    /// A NACK, with the firmware's code.
    #[error("{} refused: NACK {} ({})", .command.name(), .code.code(), .code.name().unwrap_or("unknown code"))]
    Nack {
        /// The command refused.
        command: CommandId,
        /// Why.
        code: ErrorCode,
    },
    /// READ_SENSOR answered with a packet that is not an INA219 sample.
    #[error("sensor {runtime_id} answered a sample of {len} bytes, not an INA219 sample")]
    NotIna219 {
        /// The sensor.
        runtime_id: u8,
        /// The packet's length.
        len: usize,
    },
}

/// The result of a client call.
pub type Result<T> = core::result::Result<T, Error<DeviceError>>;

/// One INA219 sample in physical units (V = mV / 1000, A = µA / 10⁶, W = V × A), with its
/// place in its stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// The sensor's runtime id.
    pub runtime_id: u8,
    /// The stream's `seq` (0 for a READ_SENSOR answer, which has none of its own).
    pub seq: u32,
    /// Device time, ms.
    pub ts_ms: u32,
    /// `seq` minus the previous `seq` of the sensor's stream (0 for its first frame and for
    /// READ_SENSOR).
    pub gap: u32,
    /// Bus voltage, V.
    pub bus_volts: f32,
    /// Current, A (signed).
    pub current_amps: f32,
    /// Power, W.
    pub power_watts: f32,
    /// The raw sample as it was on the wire.
    pub raw: Ina219Sample,
}

impl Sample {
    fn new(raw: Ina219Sample, seq: u32, ts_ms: u32, gap: u32) -> Sample {
        Sample {
            runtime_id: raw.runtime_id,
            seq,
            ts_ms,
            gap,
            bus_volts: raw.bus_volts(),
            current_amps: raw.current_ma() / 1000.0,
            power_watts: raw.power_mw() / 1000.0,
            raw,
        }
    }
}

/// A revision-0 STREAM frame, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct R0Frame {
    /// The global frame counter.
    pub seq: u32,
    /// Device time, ms.
    pub ts_ms: u32,
    /// `seq` minus the previous frame's (0 for the first).
    pub gap: u32,
    /// The payload (the firmware's test ramp).
    pub payload: Vec<u8>,
}

/// An answer, owned.
enum Answer {
    Done,
    Period(u32),
    Sensors(Vec<SensorInfo>),
    Packet { runtime_id: u8, sample: Option<Ina219Sample>, len: usize, ts_ms: u32 },
    Uptime(u32),
    Uid([u8; 12]),
    Nack(ErrorCode),
}

struct Driver<'c>(&'c mut Conversation);

impl Core<PowerScope> for Driver<'_> {
    type Reply = Answer;

    fn on_message(&mut self, message: &Message<'_>, _now_ms: u64) -> Verdict<Answer> {
        let ts_ms = match message {
            Message::Ack(ack) => ack.ts_ms,
            _ => 0,
        };
        match self.0.on_message(message) {
            Verdict::Reply(Response::Nack(code)) => Verdict::Reply(Answer::Nack(code)),
            Verdict::Reply(Response::Ack(reply)) => Verdict::Reply(match reply {
                Reply::StartStream | Reply::StopStream | Reply::SetPeriod | Reply::Ping => Answer::Done,
                Reply::GetPeriod { period_ms } => Answer::Period(period_ms),
                Reply::GetSensors(list) => Answer::Sensors(list.iter().collect()),
                Reply::ReadSensor(packet) => Answer::Packet {
                    runtime_id: packet.runtime_id(),
                    sample: packet.ina219().copied(),
                    len: packet.len(),
                    ts_ms,
                },
                Reply::GetUptime { uptime_ms } => Answer::Uptime(uptime_ms),
                Reply::GetBoardUid { uid } => Answer::Uid(uid),
            }),
            Verdict::Part(_) | Verdict::Retry => Verdict::Retry,
            Verdict::Stale => Verdict::Stale,
            Verdict::Unrelated => Verdict::Unrelated,
        }
    }

    fn poll(&mut self, now_ms: u64) -> Poll {
        self.0.poll(now_ms)
    }
}

/// A client of one power monitor over `T`.
pub struct Client<T> {
    link: Link<PowerScope, T>,
    conversation: Conversation,
    gaps: GapStats,
}

impl<T: AsyncRead + AsyncWrite + Unpin> Client<T> {
    /// A client of a revision-1 device over `io`; its first command has `seq` 1.
    pub fn new(io: T, options: Options) -> Self {
        Self::with_config(io, Config::r1(), options)
    }

    /// A client of the revision `config` names (`powerscope:r0` has only [`start`](Self::start),
    /// [`stop`](Self::stop) and [`frames`](Self::frames)).
    pub fn with_config(io: T, config: Config, options: Options) -> Self {
        Client {
            link: Link::new(io, PowerScope::new(config), options.stream_capacity),
            conversation: Conversation::new(options.policy()),
            gaps: GapStats::new(),
        }
    }

    /// What the link has seen (requests, retries, stale answers, rejected bytes).
    pub fn stats(&self) -> LinkStats {
        self.link.stats()
    }

    /// The gap statistics of every sample (or revision-0 frame) taken from the stream so far.
    pub fn gap_stats(&self) -> GapStats {
        self.gaps
    }

    /// The transport back.
    pub fn into_inner(self) -> T {
        self.link.into_inner()
    }

    fn revision(&self) -> Revision {
        self.link.dialect().config().revision
    }

    async fn request(&mut self, command: Command) -> Result<Answer> {
        if self.revision() != Revision::R1 {
            return Err(Error::Encode(EncodeError::OutOfRange { field: "revision" }));
        }
        command.validate()?;
        let message = self.conversation.start(command, self.link.now_ms());
        let dialect = self.link.dialect();
        let mut bytes = vec![0u8; dialect.encoded_len(&message)];
        let n = dialect.encode(&message, &mut bytes)?;
        bytes.truncate(n);
        match self.link.exchange(&mut Driver(&mut self.conversation), &bytes).await? {
            Answer::Nack(code) => Err(Error::Device(DeviceError::Nack { command: command.id(), code })),
            answer => Ok(answer),
        }
    }

    async fn done(&mut self, command: Command) -> Result<()> {
        self.request(command).await.map(|_| ())
    }

    /// PING.
    pub async fn ping(&mut self) -> Result<()> {
        self.done(Command::Ping).await
    }

    /// GET_BOARD_UID: the STM32's 96-bit unique id, as sent (three u32 words, little-endian).
    pub async fn uid(&mut self) -> Result<[u8; 12]> {
        match self.request(Command::GetBoardUid).await? {
            Answer::Uid(uid) => Ok(uid),
            _ => Err(Error::Closed),
        }
    }

    /// GET_UPTIME: ms since the device booted.
    pub async fn uptime(&mut self) -> Result<u32> {
        match self.request(Command::GetUptime).await? {
            Answer::Uptime(ms) => Ok(ms),
            _ => Err(Error::Closed),
        }
    }

    /// GET_SENSORS: the board's sensors.
    pub async fn sensors(&mut self) -> Result<Vec<SensorInfo>> {
        match self.request(Command::GetSensors).await? {
            Answer::Sensors(list) => Ok(list),
            _ => Err(Error::Closed),
        }
    }

    /// READ_SENSOR: one sample now (SENSOR_BUSY while the sensor streams).
    pub async fn read(&mut self, sensor: u8) -> Result<Sample> {
        match self.request(Command::ReadSensor { sensor }).await? {
            Answer::Packet { sample: Some(raw), ts_ms, .. } => Ok(Sample::new(raw, 0, ts_ms, 0)),
            Answer::Packet { runtime_id, len, .. } => Err(Error::Device(DeviceError::NotIna219 { runtime_id, len })),
            _ => Err(Error::Closed),
        }
    }

    /// GET_PERIOD, ms.
    pub async fn period(&mut self, sensor: u8) -> Result<u32> {
        match self.request(Command::GetPeriod { sensor }).await? {
            Answer::Period(ms) => Ok(ms),
            _ => Err(Error::Closed),
        }
    }

    /// SET_PERIOD (5–10000 ms; refused before sending otherwise).
    pub async fn set_period(&mut self, sensor: u8, period_ms: u16) -> Result<()> {
        self.done(Command::SetPeriod { sensor, period_ms }).await
    }

    /// START_STREAM: the sensor's samples begin (its `seq` from 0).
    pub async fn start_stream(&mut self, sensor: u8) -> Result<()> {
        self.done(Command::StartStream { sensor }).await
    }

    /// STOP_STREAM; samples already sent are still delivered by [`samples`](Self::samples).
    pub async fn stop_stream(&mut self, sensor: u8) -> Result<()> {
        self.done(Command::StopStream { sensor }).await
    }

    /// SET_PERIOD then START_STREAM, then the samples.
    pub async fn stream(&mut self, sensor: u8, period_ms: u16) -> Result<Samples<'_, T>> {
        self.set_period(sensor, period_ms).await?;
        self.start_stream(sensor).await?;
        Ok(Samples { client: self })
    }

    /// The samples of every stream (those received during other calls first).
    pub fn samples(&mut self) -> Samples<'_, T> {
        Samples { client: self }
    }

    async fn r0_command(&mut self, command: r0::Command) -> Result<()> {
        if self.revision() != Revision::R0 {
            return Err(Error::Encode(EncodeError::OutOfRange { field: "revision" }));
        }
        self.link.write(&[command.byte()]).await.map_err(Error::from)
    }

    /// Revision 0: the `0x01` START byte (no reply).
    pub async fn start(&mut self) -> Result<()> {
        self.r0_command(r0::Command::Start).await
    }

    /// Revision 0: the `0x02` STOP byte (no reply; frames already sent still arrive).
    pub async fn stop(&mut self) -> Result<()> {
        self.r0_command(r0::Command::Stop).await
    }

    /// Revision 0: the STREAM frames.
    pub fn frames(&mut self) -> R0Frames<'_, T> {
        R0Frames { client: self }
    }
}

fn is_stream(frame: &OwnedFrame<PowerScope>) -> bool {
    matches!(frame.message(), Message::Stream(_) | Message::R0Stream(_))
}

/// The samples of revision-1 streams, in order, each counted in the gap statistics.
pub struct Samples<'c, T> {
    client: &'c mut Client<T>,
}

impl<T: AsyncRead + AsyncWrite + Unpin> Samples<'_, T> {
    /// The next INA219 sample (packets of other sensor types are skipped).
    pub async fn next(&mut self) -> Result<Sample> {
        loop {
            let Some(frame) = self.client.link.next_stream_frame(None, is_stream).await? else {
                return Err(Error::Closed);
            };
            if let Message::Stream(stream) = frame.message() {
                self.client.gaps.observe(&stream);
                if let SensorPacket::Ina219(raw) = stream.packet {
                    return Ok(Sample::new(raw, stream.seq, stream.ts_ms, stream.gap));
                }
            }
        }
    }

    /// The gap statistics so far.
    pub fn stats(&self) -> GapStats {
        self.client.gaps
    }
}

/// The STREAM frames of a revision-0 device.
pub struct R0Frames<'c, T> {
    client: &'c mut Client<T>,
}

impl<T: AsyncRead + AsyncWrite + Unpin> R0Frames<'_, T> {
    /// The next frame.
    pub async fn next(&mut self) -> Result<R0Frame> {
        loop {
            let Some(frame) = self.client.link.next_stream_frame(None, is_stream).await? else {
                return Err(Error::Closed);
            };
            if let Message::R0Stream(stream) = frame.message() {
                self.client.gaps.observe_gap(stream.gap);
                return Ok(R0Frame {
                    seq: stream.seq,
                    ts_ms: stream.ts_ms,
                    gap: stream.gap,
                    payload: stream.payload.to_vec(),
                });
            }
        }
    }

    /// The gap statistics so far.
    pub fn stats(&self) -> GapStats {
        self.client.gaps
    }
}

/// The board UID as the 24 hex digits of its bytes, as sent.
pub fn uid_hex(uid: &[u8; 12]) -> String {
    uid.iter().map(|b| std::format!("{b:02x}")).collect()
}
