//! The typed decode error of the powerscope dialect (docs/protocols/powerscope.md, "Decode
//! errors").

use crate::error::{DialectError, ErrorKind};

/// Why bytes were rejected: what was wrong, with the numbers that show it.
///
/// Every variant maps onto one [`ErrorKind`] through [`DialectError::kind`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error {
    /// Bytes outside any frame candidate (no `A5 5A` magic at their start).
    #[error("{len} byte(s) outside any frame (hunting for the A5 5A magic)")]
    Garbage {
        /// How many bytes the run spans.
        len: usize,
    },
    /// The buffer does not start with the magic `A5 5A`.
    #[error("bad magic: expected 0x5AA5 (wire A5 5A), found 0x{found:04X}")]
    BadMagic {
        /// The little-endian u16 found where the magic belongs.
        found: u16,
    },
    /// The header's `type` is not a frame type of the revision.
    #[error("frame type {frame_type} does not exist in revision {revision} (highest is {max})")]
    UnknownFrameType {
        /// The received `type` byte.
        frame_type: u8,
        /// The revision (0 or 1).
        revision: u8,
        /// The highest type the revision defines.
        max: u8,
    },
    /// A CMD or ACK frame whose `cmd_id` is not in the command table.
    #[error("{frame_type} frame with cmd_id 0x{cmd_id:02X}, which is not a command (0x01..=0x09)")]
    UnknownCommand {
        /// `CMD` or `ACK`.
        frame_type: &'static str,
        /// The received `cmd_id`.
        cmd_id: u8,
    },
    /// A byte that is not a revision-0 command (`0x01` START, `0x02` STOP).
    #[error("byte 0x{byte:02X} is not a revision-0 command (0x01 START, 0x02 STOP)")]
    UnknownCommandByte {
        /// The byte.
        byte: u8,
    },
    /// The header's `ver` is not 0.
    #[error("protocol version {ver} is not supported (only 0 exists)")]
    BadVersion {
        /// The received `ver` byte.
        ver: u8,
    },
    /// The header's `len` is outside what the revision allows.
    #[error("payload length {len} is outside {min}..={max} for revision {revision}")]
    BadLength {
        /// The received `len`.
        len: u16,
        /// The smallest length the revision allows.
        min: u16,
        /// The largest length the revision allows.
        max: u16,
        /// The revision (0 or 1).
        revision: u8,
    },
    /// A checksum-valid revision-1 frame whose payload has the wrong size for its type and
    /// command.
    #[error("{message} payload of {len} byte(s), expected {min}..={max}")]
    PayloadSize {
        /// The message, e.g. `"CMD SET_PERIOD"` or `"NACK"`.
        message: &'static str,
        /// The received payload length.
        len: usize,
        /// The smallest size allowed.
        min: usize,
        /// The largest size allowed.
        max: usize,
    },
    /// A GET_SENSORS answer whose payload is not a whole number of 2-byte entries.
    #[error("ACK GET_SENSORS payload of {len} byte(s) is not a whole number of 2-byte entries")]
    OddSensorList {
        /// The received payload length.
        len: usize,
    },
    /// The revision-1 CRC-16 does not match the header and payload.
    #[error("CRC mismatch: received 0x{received:04X}, computed 0x{computed:04X}")]
    CrcMismatch {
        /// The CRC carried by the frame.
        received: u16,
        /// The CRC-16/CCITT-FALSE of the header and payload.
        computed: u16,
    },
    /// A candidate cut off by the end of the input (or by a buffer that is too short).
    #[error("frame cut off by the end of the input{}", TruncatedDetail(*.frame_len, *.available))]
    Truncated {
        /// The frame length its header announced, when the header got that far.
        frame_len: Option<usize>,
        /// The bytes of the candidate that were there (0 when unknown).
        available: usize,
    },
}

/// The numbers of a [`Error::Truncated`], when they are known.
struct TruncatedDetail(Option<usize>, usize);

impl core::fmt::Display for TruncatedDetail {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match (self.0, self.1) {
            (Some(n), have) => write!(f, ": {have} of the {n} bytes its header announces"),
            (None, 0) => Ok(()),
            (None, have) => write!(f, ": {have} byte(s), before the header (16 bytes) was complete"),
        }
    }
}

/// Checks a checksum-valid payload's length against the inclusive range its type and
/// command allow; `message` names them in the error (`"CMD SET_PERIOD"`, `"NACK"`).
pub(crate) fn check_payload_size(message: &'static str, len: usize, (min, max): (usize, usize)) -> Result<(), Error> {
    if len < min || len > max { Err(Error::PayloadSize { message, len, min, max }) } else { Ok(()) }
}

impl DialectError for Error {
    fn kind(&self) -> ErrorKind {
        match self {
            Error::Garbage { .. } => ErrorKind::Garbage,
            Error::BadMagic { .. } | Error::BadVersion { .. } => ErrorKind::InvalidField,
            Error::UnknownFrameType { .. } | Error::UnknownCommand { .. } | Error::UnknownCommandByte { .. } => {
                ErrorKind::UnknownType
            }
            Error::BadLength { .. } | Error::PayloadSize { .. } | Error::OddSensorList { .. } => ErrorKind::BadLength,
            Error::CrcMismatch { .. } => ErrorKind::CrcMismatch,
            Error::Truncated { .. } => ErrorKind::Truncated,
        }
    }

    fn truncated() -> Self {
        Error::Truncated { frame_len: None, available: 0 }
    }
}
