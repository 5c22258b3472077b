//! Revision 1 (the shipped roadmap): STREAM, CMD, ACK and NACK frames with a CRC-16
//! trailer; commands, their ACK answers and the NACK error codes.

use crate::error::EncodeError;

use super::error::Error;
use super::frame::{Frame, emit_with};
use super::header::{FrameType, HeaderRepr, Revision, VERSION, le_u16, le_u32};
use super::ina219::SensorPacket;

/// The `cmd_id` of STREAM frames (`CMD_NONE`).
pub const CMD_NONE: u8 = 0xFF;
/// The shortest SET_PERIOD period the firmware accepts, in ms.
pub const PERIOD_MS_MIN: u16 = 5;
/// The longest SET_PERIOD period the firmware accepts, in ms.
pub const PERIOD_MS_MAX: u16 = 10_000;
/// The most entries a GET_SENSORS answer can hold (46 payload bytes / 2).
pub const MAX_SENSORS: usize = Revision::R1.max_payload_len() / 2;

/// The command table (`cmd_id` of CMD frames, echoed by ACK and NACK).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum CommandId {
    /// 0x01 START_STREAM.
    StartStream = 0x01,
    /// 0x02 STOP_STREAM.
    StopStream = 0x02,
    /// 0x03 SET_PERIOD.
    SetPeriod = 0x03,
    /// 0x04 GET_PERIOD.
    GetPeriod = 0x04,
    /// 0x05 PING.
    Ping = 0x05,
    /// 0x06 GET_SENSORS.
    GetSensors = 0x06,
    /// 0x07 READ_SENSOR.
    ReadSensor = 0x07,
    /// 0x08 GET_UPTIME.
    GetUptime = 0x08,
    /// 0x09 GET_BOARD_UID.
    GetBoardUid = 0x09,
}

impl CommandId {
    /// Every command, in `cmd_id` order.
    pub const ALL: [CommandId; 9] = [
        CommandId::StartStream,
        CommandId::StopStream,
        CommandId::SetPeriod,
        CommandId::GetPeriod,
        CommandId::Ping,
        CommandId::GetSensors,
        CommandId::ReadSensor,
        CommandId::GetUptime,
        CommandId::GetBoardUid,
    ];

    /// The command for a `cmd_id`, if it is one.
    pub const fn from_u8(id: u8) -> Option<CommandId> {
        match id {
            0x01 => Some(CommandId::StartStream),
            0x02 => Some(CommandId::StopStream),
            0x03 => Some(CommandId::SetPeriod),
            0x04 => Some(CommandId::GetPeriod),
            0x05 => Some(CommandId::Ping),
            0x06 => Some(CommandId::GetSensors),
            0x07 => Some(CommandId::ReadSensor),
            0x08 => Some(CommandId::GetUptime),
            0x09 => Some(CommandId::GetBoardUid),
            _ => None,
        }
    }

    /// The name in the JSON contract (`START_STREAM` …).
    pub const fn name(self) -> &'static str {
        match self {
            CommandId::StartStream => "START_STREAM",
            CommandId::StopStream => "STOP_STREAM",
            CommandId::SetPeriod => "SET_PERIOD",
            CommandId::GetPeriod => "GET_PERIOD",
            CommandId::Ping => "PING",
            CommandId::GetSensors => "GET_SENSORS",
            CommandId::ReadSensor => "READ_SENSOR",
            CommandId::GetUptime => "GET_UPTIME",
            CommandId::GetBoardUid => "GET_BOARD_UID",
        }
    }

    /// The CMD payload size: `(min, max)`.
    pub const fn cmd_payload_len(self) -> (usize, usize) {
        match self {
            CommandId::StartStream | CommandId::StopStream | CommandId::GetPeriod | CommandId::ReadSensor => (1, 1),
            CommandId::SetPeriod => (3, 3),
            CommandId::Ping | CommandId::GetSensors | CommandId::GetUptime | CommandId::GetBoardUid => (0, 0),
        }
    }

    /// The ACK payload size: `(min, max)` (GET_SENSORS must also be even).
    pub const fn ack_payload_len(self) -> (usize, usize) {
        match self {
            CommandId::StartStream | CommandId::StopStream | CommandId::SetPeriod | CommandId::Ping => (0, 0),
            CommandId::GetPeriod | CommandId::GetUptime => (4, 4),
            CommandId::GetSensors => (0, 2 * MAX_SENSORS),
            CommandId::ReadSensor => (1, Revision::R1.max_payload_len()),
            CommandId::GetBoardUid => (12, 12),
        }
    }

    const fn cmd_label(self) -> &'static str {
        match self {
            CommandId::StartStream => "CMD START_STREAM",
            CommandId::StopStream => "CMD STOP_STREAM",
            CommandId::SetPeriod => "CMD SET_PERIOD",
            CommandId::GetPeriod => "CMD GET_PERIOD",
            CommandId::Ping => "CMD PING",
            CommandId::GetSensors => "CMD GET_SENSORS",
            CommandId::ReadSensor => "CMD READ_SENSOR",
            CommandId::GetUptime => "CMD GET_UPTIME",
            CommandId::GetBoardUid => "CMD GET_BOARD_UID",
        }
    }

    const fn ack_label(self) -> &'static str {
        match self {
            CommandId::StartStream => "ACK START_STREAM",
            CommandId::StopStream => "ACK STOP_STREAM",
            CommandId::SetPeriod => "ACK SET_PERIOD",
            CommandId::GetPeriod => "ACK GET_PERIOD",
            CommandId::Ping => "ACK PING",
            CommandId::GetSensors => "ACK GET_SENSORS",
            CommandId::ReadSensor => "ACK READ_SENSOR",
            CommandId::GetUptime => "ACK GET_UPTIME",
            CommandId::GetBoardUid => "ACK GET_BOARD_UID",
        }
    }
}

/// Checks a payload length against an inclusive range.
fn check_size(message: &'static str, len: usize, (min, max): (usize, usize)) -> Result<(), Error> {
    if len < min || len > max { Err(Error::PayloadSize { message, len, min, max }) } else { Ok(()) }
}

/// A command (CMD payload, host → device), with its parameters.
///
/// Decoding is lenient: a SET_PERIOD period outside 5..=10000 is reported as received
/// ([`validate`](Self::validate) tells), and the encoder refuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Command {
    /// START_STREAM(sensor): start the sensor's stream (resets its `seq` to 0).
    StartStream {
        /// Sensor runtime id.
        sensor: u8,
    },
    /// STOP_STREAM(sensor).
    StopStream {
        /// Sensor runtime id.
        sensor: u8,
    },
    /// SET_PERIOD(sensor, period_ms).
    SetPeriod {
        /// Sensor runtime id.
        sensor: u8,
        /// Stream period in ms (5..=10000).
        period_ms: u16,
    },
    /// GET_PERIOD(sensor).
    GetPeriod {
        /// Sensor runtime id.
        sensor: u8,
    },
    /// PING().
    Ping,
    /// GET_SENSORS().
    GetSensors,
    /// READ_SENSOR(sensor).
    ReadSensor {
        /// Sensor runtime id.
        sensor: u8,
    },
    /// GET_UPTIME().
    GetUptime,
    /// GET_BOARD_UID().
    GetBoardUid,
}

impl Command {
    /// The command's id.
    pub const fn id(&self) -> CommandId {
        match self {
            Command::StartStream { .. } => CommandId::StartStream,
            Command::StopStream { .. } => CommandId::StopStream,
            Command::SetPeriod { .. } => CommandId::SetPeriod,
            Command::GetPeriod { .. } => CommandId::GetPeriod,
            Command::Ping => CommandId::Ping,
            Command::GetSensors => CommandId::GetSensors,
            Command::ReadSensor { .. } => CommandId::ReadSensor,
            Command::GetUptime => CommandId::GetUptime,
            Command::GetBoardUid => CommandId::GetBoardUid,
        }
    }

    /// The sensor the command addresses, if it takes one.
    pub const fn sensor(&self) -> Option<u8> {
        match *self {
            Command::StartStream { sensor }
            | Command::StopStream { sensor }
            | Command::SetPeriod { sensor, .. }
            | Command::GetPeriod { sensor }
            | Command::ReadSensor { sensor } => Some(sensor),
            Command::Ping | Command::GetSensors | Command::GetUptime | Command::GetBoardUid => None,
        }
    }

    /// Reads a CMD payload for `cmd_id`. Its size must be exact.
    pub fn parse(cmd_id: u8, payload: &[u8]) -> Result<Command, Error> {
        let id = CommandId::from_u8(cmd_id).ok_or(Error::UnknownCommand { frame_type: "CMD", cmd_id })?;
        check_size(id.cmd_label(), payload.len(), id.cmd_payload_len())?;
        let sensor = payload.first().copied().unwrap_or_default();
        Ok(match id {
            CommandId::StartStream => Command::StartStream { sensor },
            CommandId::StopStream => Command::StopStream { sensor },
            CommandId::SetPeriod => {
                Command::SetPeriod { sensor, period_ms: payload.get(1..).and_then(le_u16).unwrap_or_default() }
            }
            CommandId::GetPeriod => Command::GetPeriod { sensor },
            CommandId::Ping => Command::Ping,
            CommandId::GetSensors => Command::GetSensors,
            CommandId::ReadSensor => Command::ReadSensor { sensor },
            CommandId::GetUptime => Command::GetUptime,
            CommandId::GetBoardUid => Command::GetBoardUid,
        })
    }

    /// The CMD payload length.
    pub const fn payload_len(&self) -> usize {
        self.id().cmd_payload_len().0
    }

    /// Checks the parameters against the firmware's ranges (SET_PERIOD: 5..=10000 ms).
    pub fn validate(&self) -> Result<(), EncodeError> {
        match *self {
            Command::SetPeriod { period_ms, .. } if !(PERIOD_MS_MIN..=PERIOD_MS_MAX).contains(&period_ms) => {
                Err(EncodeError::OutOfRange { field: "period_ms" })
            }
            _ => Ok(()),
        }
    }

    fn write_payload(&self, out: &mut [u8]) {
        if let (Some(first), Some(sensor)) = (out.first_mut(), self.sensor()) {
            *first = sensor;
        }
        if let (Command::SetPeriod { period_ms, .. }, Some(p)) = (self, out.get_mut(1..3)) {
            p.copy_from_slice(&period_ms.to_le_bytes());
        }
    }
}

/// One entry of the GET_SENSORS answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SensorInfo {
    /// The sensor's runtime id (used by the other commands and in STREAM payloads).
    pub runtime_id: u8,
    /// The sensor type (1 = INA219).
    pub type_id: u8,
}

/// The GET_SENSORS answer: up to 23 `{runtime_id u8, type_id u8}` pairs, borrowed from the
/// payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SensorList<'a> {
    bytes: &'a [u8],
}

impl<'a> SensorList<'a> {
    /// A list over raw pairs; `None` unless the length is even and at most 46 bytes.
    pub fn new(bytes: &'a [u8]) -> Option<SensorList<'a>> {
        (bytes.len() % 2 == 0 && bytes.len() <= 2 * MAX_SENSORS).then_some(SensorList { bytes })
    }

    /// The entries.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = SensorInfo> + 'a {
        self.bytes.chunks_exact(2).map(|p| SensorInfo {
            runtime_id: p.first().copied().unwrap_or_default(),
            type_id: p.get(1).copied().unwrap_or_default(),
        })
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.bytes.len() / 2
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The raw pairs.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

/// Arbitrary lists keep the invariant of [`SensorList::new`] (whole entries, at most
/// [`MAX_SENSORS`]), which a derive over the private field could not.
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for SensorList<'a> {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let entries = u.int_in_range(0..=MAX_SENSORS)?;
        let bytes = u.bytes(2 * entries)?;
        Ok(SensorList { bytes })
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        // One byte chooses the count (none left: no entries), then the entries.
        (0, Some(1 + 2 * MAX_SENSORS))
    }
}

/// The answer an ACK carries, by command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Reply<'a> {
    /// START_STREAM done (empty payload).
    StartStream,
    /// STOP_STREAM done (empty payload).
    StopStream,
    /// SET_PERIOD done (empty payload).
    SetPeriod,
    /// GET_PERIOD: the sensor's period.
    GetPeriod {
        /// Period in ms (u32 on the wire).
        period_ms: u32,
    },
    /// PING answered (empty payload).
    Ping,
    /// GET_SENSORS: the sensors of the board.
    GetSensors(SensorList<'a>),
    /// READ_SENSOR: one sample.
    ReadSensor(SensorPacket<'a>),
    /// GET_UPTIME: ms since boot.
    GetUptime {
        /// Uptime in ms.
        uptime_ms: u32,
    },
    /// GET_BOARD_UID: the STM32 96-bit unique id, as sent (3 × u32 LE).
    GetBoardUid {
        /// The 12 bytes.
        uid: [u8; 12],
    },
}

impl<'a> Reply<'a> {
    /// The command this answers.
    pub const fn id(&self) -> CommandId {
        match self {
            Reply::StartStream => CommandId::StartStream,
            Reply::StopStream => CommandId::StopStream,
            Reply::SetPeriod => CommandId::SetPeriod,
            Reply::GetPeriod { .. } => CommandId::GetPeriod,
            Reply::Ping => CommandId::Ping,
            Reply::GetSensors(_) => CommandId::GetSensors,
            Reply::ReadSensor(_) => CommandId::ReadSensor,
            Reply::GetUptime { .. } => CommandId::GetUptime,
            Reply::GetBoardUid { .. } => CommandId::GetBoardUid,
        }
    }

    /// Reads an ACK payload for `cmd_id`. Its size must be exact for the command.
    pub fn parse(cmd_id: u8, payload: &'a [u8]) -> Result<Reply<'a>, Error> {
        let id = CommandId::from_u8(cmd_id).ok_or(Error::UnknownCommand { frame_type: "ACK", cmd_id })?;
        check_size(id.ack_label(), payload.len(), id.ack_payload_len())?;
        let word = le_u32(payload).unwrap_or_default();
        Ok(match id {
            CommandId::StartStream => Reply::StartStream,
            CommandId::StopStream => Reply::StopStream,
            CommandId::SetPeriod => Reply::SetPeriod,
            CommandId::GetPeriod => Reply::GetPeriod { period_ms: word },
            CommandId::Ping => Reply::Ping,
            CommandId::GetSensors => {
                Reply::GetSensors(SensorList::new(payload).ok_or(Error::OddSensorList { len: payload.len() })?)
            }
            CommandId::ReadSensor => Reply::ReadSensor(SensorPacket::parse(payload).ok_or(Error::PayloadSize {
                message: id.ack_label(),
                len: 0,
                min: 1,
                max: Revision::R1.max_payload_len(),
            })?),
            CommandId::GetUptime => Reply::GetUptime { uptime_ms: word },
            CommandId::GetBoardUid => {
                Reply::GetBoardUid { uid: payload.first_chunk::<12>().copied().unwrap_or_default() }
            }
        })
    }

    /// The ACK payload length.
    pub fn payload_len(&self) -> usize {
        match self {
            Reply::StartStream | Reply::StopStream | Reply::SetPeriod | Reply::Ping => 0,
            Reply::GetPeriod { .. } | Reply::GetUptime { .. } => 4,
            Reply::GetSensors(list) => list.as_bytes().len(),
            Reply::ReadSensor(packet) => packet.len(),
            Reply::GetBoardUid { .. } => 12,
        }
    }

    /// Checks that the answer can be sent and decodes back to itself (READ_SENSOR: see
    /// [`SensorPacket::validate`]).
    pub fn validate(&self) -> Result<(), EncodeError> {
        match self {
            Reply::ReadSensor(packet) => packet.validate(),
            _ => Ok(()),
        }
    }

    /// GET_BOARD_UID: the three UID words.
    pub fn uid_words(&self) -> Option<[u32; 3]> {
        match self {
            Reply::GetBoardUid { uid } => {
                let w = |i: usize| uid.get(i..).and_then(le_u32).unwrap_or_default();
                Some([w(0), w(4), w(8)])
            }
            _ => None,
        }
    }

    fn write_payload(&self, out: &mut [u8]) {
        match self {
            Reply::StartStream | Reply::StopStream | Reply::SetPeriod | Reply::Ping => {}
            Reply::GetPeriod { period_ms: w } | Reply::GetUptime { uptime_ms: w } => {
                out.copy_from_slice(&w.to_le_bytes())
            }
            Reply::GetSensors(list) => out.copy_from_slice(list.as_bytes()),
            Reply::ReadSensor(packet) => packet.write(out),
            Reply::GetBoardUid { uid } => out.copy_from_slice(uid),
        }
    }
}

/// The NACK error code (the single payload byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ErrorCode {
    /// 1 INVALID_CMD.
    InvalidCmd,
    /// 2 INVALID_LEN.
    InvalidLen,
    /// 3 INVALID_VALUE (unknown sensor, period out of range).
    InvalidValue,
    /// 4 SENSOR_BUSY (READ_SENSOR while the sensor streams).
    SensorBusy,
    /// 5 OVERFLOW.
    Overflow,
    /// 6 INTERNAL.
    Internal,
    /// 255 UNKNOWN: the firmware's catch-all code.
    UnknownError,
    /// Any other code, kept as received.
    Unknown(u8),
}

impl ErrorCode {
    /// The code for a byte.
    pub const fn from_u8(code: u8) -> ErrorCode {
        match code {
            1 => ErrorCode::InvalidCmd,
            2 => ErrorCode::InvalidLen,
            3 => ErrorCode::InvalidValue,
            4 => ErrorCode::SensorBusy,
            5 => ErrorCode::Overflow,
            6 => ErrorCode::Internal,
            255 => ErrorCode::UnknownError,
            other => ErrorCode::Unknown(other),
        }
    }

    /// The byte on the wire.
    pub const fn code(self) -> u8 {
        match self {
            ErrorCode::InvalidCmd => 1,
            ErrorCode::InvalidLen => 2,
            ErrorCode::InvalidValue => 3,
            ErrorCode::SensorBusy => 4,
            ErrorCode::Overflow => 5,
            ErrorCode::Internal => 6,
            ErrorCode::UnknownError => 255,
            ErrorCode::Unknown(code) => code,
        }
    }

    /// Checks that the code decodes back to itself: [`ErrorCode::Unknown`] must hold a code
    /// the firmware does not define (`Unknown(1)` would be sent as 1 and read back as
    /// [`ErrorCode::InvalidCmd`]); the encoder refuses it otherwise.
    pub fn validate(self) -> Result<(), EncodeError> {
        match self {
            ErrorCode::Unknown(code) if !matches!(ErrorCode::from_u8(code), ErrorCode::Unknown(_)) => {
                Err(EncodeError::OutOfRange { field: "error_code" })
            }
            _ => Ok(()),
        }
    }

    /// The firmware's name for the code (`None` for codes it does not define).
    pub const fn name(self) -> Option<&'static str> {
        match self {
            ErrorCode::InvalidCmd => Some("INVALID_CMD"),
            ErrorCode::InvalidLen => Some("INVALID_LEN"),
            ErrorCode::InvalidValue => Some("INVALID_VALUE"),
            ErrorCode::SensorBusy => Some("SENSOR_BUSY"),
            ErrorCode::Overflow => Some("OVERFLOW"),
            ErrorCode::Internal => Some("INTERNAL"),
            ErrorCode::UnknownError => Some("UNKNOWN"),
            ErrorCode::Unknown(_) => None,
        }
    }
}

/// A STREAM frame: one sensor packet of a per-sensor stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Stream<'a> {
    /// The sensor's stream counter (START_STREAM resets it to 0).
    pub seq: u32,
    /// Device time in ms.
    pub ts_ms: u32,
    /// `cmd_id` as received ([`CMD_NONE`] from the firmware and from [`Stream::new`]).
    pub cmd_id: u8,
    /// The reserved byte as received (0 from [`Stream::new`]).
    pub reserved: u8,
    /// The sensor packet.
    pub packet: SensorPacket<'a>,
    /// Not on the wire: `seq` minus the previous `seq` of the same sensor (0 for its first
    /// frame), set by the stream decoder. Parsing sets 0 and `emit` ignores it.
    pub gap: u32,
}

impl<'a> Stream<'a> {
    /// A STREAM frame with `cmd_id` 0xFF, reserved 0 and gap 0.
    pub const fn new(seq: u32, ts_ms: u32, packet: SensorPacket<'a>) -> Stream<'a> {
        Stream { seq, ts_ms, cmd_id: CMD_NONE, reserved: 0, packet, gap: 0 }
    }

    /// The seed shell's line for this frame.
    pub fn shell_line(&self) -> super::ShellLine {
        super::ShellLine { seq: self.seq, ts_ms: self.ts_ms, len: self.packet.len(), gap: self.gap }
    }
}

/// A CMD frame (host → device). `ts_ms` is the host clock; the device ignores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Cmd {
    /// Correlation id, echoed by the ACK/NACK.
    pub seq: u32,
    /// Host time in ms (truncated to u32).
    pub ts_ms: u32,
    /// The reserved byte as received (0 from [`Cmd::new`]).
    pub reserved: u8,
    /// The command.
    pub command: Command,
}

impl Cmd {
    /// A CMD frame with reserved 0.
    pub const fn new(seq: u32, ts_ms: u32, command: Command) -> Cmd {
        Cmd { seq, ts_ms, reserved: 0, command }
    }
}

/// An ACK frame (device → host): the answer to the CMD with the same `seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Ack<'a> {
    /// The CMD's `seq`, echoed.
    pub seq: u32,
    /// Device time in ms when the command was processed.
    pub ts_ms: u32,
    /// The reserved byte as received (0 from [`Ack::new`]).
    pub reserved: u8,
    /// The answer (its command is the frame's `cmd_id`).
    pub reply: Reply<'a>,
}

impl<'a> Ack<'a> {
    /// An ACK frame with reserved 0.
    pub const fn new(seq: u32, ts_ms: u32, reply: Reply<'a>) -> Ack<'a> {
        Ack { seq, ts_ms, reserved: 0, reply }
    }
}

/// A NACK frame (device → host): the command with the same `seq` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Nack {
    /// The CMD's `seq`, echoed.
    pub seq: u32,
    /// Device time in ms.
    pub ts_ms: u32,
    /// The CMD's `cmd_id`, echoed (any byte: a NACK may refuse an unknown command).
    pub cmd_id: u8,
    /// The reserved byte as received (0 from [`Nack::new`]).
    pub reserved: u8,
    /// Why the command failed.
    pub error: ErrorCode,
}

impl Nack {
    /// A NACK frame with reserved 0.
    pub const fn new(seq: u32, ts_ms: u32, cmd_id: u8, error: ErrorCode) -> Nack {
        Nack { seq, ts_ms, cmd_id, reserved: 0, error }
    }

    /// The command the NACK refuses, if `cmd_id` is one.
    pub const fn command_id(&self) -> Option<CommandId> {
        CommandId::from_u8(self.cmd_id)
    }
}

/// A revision-1 message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", content = "fields"))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Message<'a> {
    /// Sensor data, device → host.
    #[cfg_attr(feature = "serde", serde(rename = "STREAM"))]
    Stream(Stream<'a>),
    /// A command, host → device.
    #[cfg_attr(feature = "serde", serde(rename = "CMD"))]
    Cmd(Cmd),
    /// A positive answer, device → host.
    #[cfg_attr(feature = "serde", serde(rename = "ACK"))]
    Ack(Ack<'a>),
    /// A negative answer, device → host.
    #[cfg_attr(feature = "serde", serde(rename = "NACK"))]
    Nack(Nack),
}

impl<'a> Message<'a> {
    /// Reads a checked revision-1 frame. Payload sizes are exact per type and command:
    /// STREAM at least 1 byte, CMD and ACK by the command table, NACK exactly 1 byte; a CMD
    /// or ACK `cmd_id` outside the table is [`Error::UnknownCommand`].
    pub fn parse(frame: &Frame<&'a [u8]>) -> Result<Message<'a>, Error> {
        Message::parse_parts(&frame.header_repr(), frame.into_inner())
    }

    /// [`parse`](Self::parse) with the header already read from `bytes`.
    pub(crate) fn parse_parts(header: &HeaderRepr, bytes: &'a [u8]) -> Result<Message<'a>, Error> {
        let payload: &'a [u8] = bytes.get(super::header::field::PAYLOAD..).unwrap_or_default();
        let payload = payload.get(..usize::from(header.len)).unwrap_or_default();
        let (seq, ts_ms, reserved) = (header.seq, header.ts_ms, header.reserved);
        match FrameType::from_u8(header.frame_type) {
            Some(FrameType::Stream) => {
                let packet = SensorPacket::parse(payload).ok_or(Error::PayloadSize {
                    message: "STREAM",
                    len: payload.len(),
                    min: 1,
                    max: Revision::R1.max_payload_len(),
                })?;
                Ok(Message::Stream(Stream { seq, ts_ms, cmd_id: header.cmd_id, reserved, packet, gap: 0 }))
            }
            Some(FrameType::Cmd) => {
                let command = Command::parse(header.cmd_id, payload)?;
                Ok(Message::Cmd(Cmd { seq, ts_ms, reserved, command }))
            }
            Some(FrameType::Ack) => {
                let reply = Reply::parse(header.cmd_id, payload)?;
                Ok(Message::Ack(Ack { seq, ts_ms, reserved, reply }))
            }
            Some(FrameType::Nack) => {
                check_size("NACK", payload.len(), (1, 1))?;
                let error = ErrorCode::from_u8(payload.first().copied().unwrap_or_default());
                Ok(Message::Nack(Nack { seq, ts_ms, cmd_id: header.cmd_id, reserved, error }))
            }
            None => Err(Error::UnknownFrameType {
                frame_type: header.frame_type,
                revision: 1,
                max: Revision::R1.max_frame_type(),
            }),
        }
    }

    /// Checks and reads a whole frame at the start of `bytes` (bytes after it are ignored).
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Message<'a>, Error> {
        Message::parse(&Frame::new_checked(bytes, Revision::R1)?)
    }

    /// The frame type.
    pub const fn frame_type(&self) -> FrameType {
        match self {
            Message::Stream(_) => FrameType::Stream,
            Message::Cmd(_) => FrameType::Cmd,
            Message::Ack(_) => FrameType::Ack,
            Message::Nack(_) => FrameType::Nack,
        }
    }

    /// `seq`.
    pub const fn seq(&self) -> u32 {
        match self {
            Message::Stream(m) => m.seq,
            Message::Cmd(m) => m.seq,
            Message::Ack(m) => m.seq,
            Message::Nack(m) => m.seq,
        }
    }

    /// `ts_ms`.
    pub const fn ts_ms(&self) -> u32 {
        match self {
            Message::Stream(m) => m.ts_ms,
            Message::Cmd(m) => m.ts_ms,
            Message::Ack(m) => m.ts_ms,
            Message::Nack(m) => m.ts_ms,
        }
    }

    /// The header's `cmd_id`.
    pub const fn cmd_id(&self) -> u8 {
        match self {
            Message::Stream(m) => m.cmd_id,
            Message::Cmd(m) => m.command.id() as u8,
            Message::Ack(m) => m.reply.id() as u8,
            Message::Nack(m) => m.cmd_id,
        }
    }

    /// The payload length.
    pub fn payload_len(&self) -> usize {
        match self {
            Message::Stream(m) => m.packet.len(),
            Message::Cmd(m) => m.command.payload_len(),
            Message::Ack(m) => m.reply.payload_len(),
            Message::Nack(_) => 1,
        }
    }

    fn reserved(&self) -> u8 {
        match self {
            Message::Stream(m) => m.reserved,
            Message::Cmd(m) => m.reserved,
            Message::Ack(m) => m.reserved,
            Message::Nack(m) => m.reserved,
        }
    }

    /// Wire length of the frame (header, payload, CRC).
    pub fn buffer_len(&self) -> usize {
        Revision::R1.frame_len(self.payload_len())
    }

    /// Checks what the encoder refuses: a SET_PERIOD period outside 5..=10000 (the sender's
    /// range), and what [`emit_verbatim`](Self::emit_verbatim) refuses too: a sensor packet
    /// or a NACK error code that would not decode back to itself.
    pub fn validate(&self) -> Result<(), EncodeError> {
        match self {
            Message::Cmd(m) => m.command.validate(),
            _ => self.validate_wire(),
        }
    }

    /// The checks that no encoder skips: the message must decode back to itself.
    fn validate_wire(&self) -> Result<(), EncodeError> {
        match self {
            Message::Stream(m) => m.packet.validate(),
            Message::Cmd(_) => Ok(()),
            Message::Ack(m) => m.reply.validate(),
            Message::Nack(m) => m.error.validate(),
        }
    }

    /// Writes the whole frame (header, payload, CRC-16) into `out` and returns its length.
    /// Refuses what [`validate`](Self::validate) refuses.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        self.validate()?;
        self.emit_verbatim(out)
    }

    /// Writes the frame without the sender range check of [`validate`](Self::validate)
    /// (SET_PERIOD 5..=10000): re-encodes a decoded message, in range or not, to exactly the
    /// bytes it was decoded from. Messages that would not decode back to themselves are
    /// still refused. For forwarding and test tools, not for commands.
    pub fn emit_verbatim(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        self.validate_wire()?;
        let header = HeaderRepr {
            frame_type: self.frame_type() as u8,
            ver: VERSION,
            len: 0,
            cmd_id: self.cmd_id(),
            reserved: self.reserved(),
            seq: self.seq(),
            ts_ms: self.ts_ms(),
        };
        emit_with(out, Revision::R1, &header, self.payload_len(), |p| match self {
            Message::Stream(m) => m.packet.write(p),
            Message::Cmd(m) => m.command.write_payload(p),
            Message::Ack(m) => m.reply.write_payload(p),
            Message::Nack(m) => p.copy_from_slice(&[m.error.code()]),
        })
    }
}

#[cfg(feature = "serde")]
mod ser {
    use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};

    use super::*;

    /// Writes the fields every revision-1 frame has.
    fn common<S: SerializeStruct>(
        st: &mut S,
        seq: u32,
        ts_ms: u32,
        payload_len: usize,
        cmd_id: u8,
    ) -> Result<(), S::Error> {
        st.serialize_field("ver", &VERSION)?;
        st.serialize_field("seq", &seq)?;
        st.serialize_field("ts_ms", &ts_ms)?;
        st.serialize_field("payload_len", &payload_len)?;
        st.serialize_field("cmd_id", &cmd_id)
    }

    impl Serialize for Stream<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("Stream", 6 + self.packet.field_count())?;
            common(&mut st, self.seq, self.ts_ms, self.packet.len(), self.cmd_id)?;
            st.serialize_field("gap", &self.gap)?;
            self.packet.serialize_fields(&mut st)?;
            st.end()
        }
    }

    impl Serialize for Cmd {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let c = &self.command;
            let extra = usize::from(c.sensor().is_some()) + usize::from(matches!(c, Command::SetPeriod { .. }));
            let mut st = s.serialize_struct("Cmd", 6 + extra)?;
            common(&mut st, self.seq, self.ts_ms, c.payload_len(), c.id() as u8)?;
            st.serialize_field("cmd", c.id().name())?;
            if let Some(sensor) = c.sensor() {
                st.serialize_field("sensor", &sensor)?;
            }
            if let Command::SetPeriod { period_ms, .. } = c {
                st.serialize_field("period_ms", period_ms)?;
            }
            st.end()
        }
    }

    impl Serialize for SensorList<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(self.len()))?;
            for entry in self.iter() {
                seq.serialize_element(&entry)?;
            }
            seq.end()
        }
    }

    impl Serialize for Ack<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let r = &self.reply;
            let extra = match r {
                Reply::StartStream | Reply::StopStream | Reply::SetPeriod | Reply::Ping => 0,
                Reply::ReadSensor(p) => p.field_count(),
                _ => 1,
            };
            let mut st = s.serialize_struct("Ack", 6 + extra)?;
            common(&mut st, self.seq, self.ts_ms, r.payload_len(), r.id() as u8)?;
            st.serialize_field("cmd", r.id().name())?;
            match r {
                Reply::StartStream | Reply::StopStream | Reply::SetPeriod | Reply::Ping => {}
                Reply::GetPeriod { period_ms } => st.serialize_field("period_ms", period_ms)?,
                Reply::GetSensors(list) => st.serialize_field("sensors", list)?,
                Reply::ReadSensor(packet) => packet.serialize_fields(&mut st)?,
                Reply::GetUptime { uptime_ms } => st.serialize_field("uptime_ms", uptime_ms)?,
                Reply::GetBoardUid { uid } => st.serialize_field("uid_hex", &crate::powerscope::HexField(uid))?,
            }
            st.end()
        }
    }

    impl Serialize for Nack {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("Nack", 6)?;
            common(&mut st, self.seq, self.ts_ms, 1, self.cmd_id)?;
            st.serialize_field("error_code", &self.error.code())?;
            st.end()
        }
    }
}
