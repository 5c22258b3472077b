//! Revision-1 answers: what an ACK carries for each command (with the GET_SENSORS list),
//! and the NACK error codes (docs/protocols/powerscope.md, "Commands" and "Errors (NACK codes)").

use crate::buf::{self, Sink};
use crate::error::EncodeError;

use super::command::{CommandId, MAX_SENSORS};
use super::error::{Error, check_payload_size};
use super::frame::counted;
use super::header::Revision;
use super::ina219::SensorPacket;

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

    /// Any bytes as a list, unchecked (for a total `rebuild`; see `rebuild.rs`).
    pub(super) fn unchecked(bytes: &'a [u8]) -> SensorList<'a> {
        SensorList { bytes }
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
        check_payload_size(id.ack_label(), payload.len(), id.ack_payload_len())?;
        let word = buf::u32_le(payload, 0).unwrap_or_default();
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

    /// The ACK payload length (what [`emit`](Self::emit) writes).
    pub fn payload_len(&self) -> usize {
        counted(|out| self.emit(out))
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
                let w = |at: usize| buf::u32_le(uid, at).unwrap_or_default();
                Some([w(0), w(4), w(8)])
            }
            _ => None,
        }
    }

    /// Writes the ACK payload: the answer's fields in wire order.
    pub fn emit(&self, out: &mut impl Sink) -> Result<(), EncodeError> {
        match self {
            Reply::StartStream | Reply::StopStream | Reply::SetPeriod | Reply::Ping => Ok(()),
            Reply::GetPeriod { period_ms: word } | Reply::GetUptime { uptime_ms: word } => out.put_u32_le(*word),
            Reply::GetSensors(list) => out.put(list.as_bytes()),
            Reply::ReadSensor(packet) => packet.emit(out),
            Reply::GetBoardUid { uid } => out.put(uid),
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

#[cfg(feature = "serde")]
impl serde::Serialize for SensorList<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for entry in self.iter() {
            seq.serialize_element(&entry)?;
        }
        seq.end()
    }
}
