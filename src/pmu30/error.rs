//! Why bytes were rejected as a `pmu30` frame.

use crate::error::{DialectError, ErrorKind};

/// How long a payload must be for its message type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ExpectedLen {
    /// Exactly this many bytes.
    Exactly(usize),
    /// At least this many bytes.
    AtLeast(usize),
}

impl ExpectedLen {
    /// Whether `len` satisfies this rule.
    pub const fn accepts(self, len: usize) -> bool {
        match self {
            ExpectedLen::Exactly(n) => len == n,
            ExpectedLen::AtLeast(n) => len >= n,
        }
    }
}

impl core::fmt::Display for ExpectedLen {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ExpectedLen::Exactly(n) => write!(f, "exactly {n}"),
            ExpectedLen::AtLeast(n) => write!(f, "at least {n}"),
        }
    }
}

/// What the end of the input cut short: the byte count the header announced, if the
/// header was complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Needed(pub Option<usize>);

impl core::fmt::Display for Needed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0 {
            Some(n) => write!(f, "the header announces a {n}-byte frame"),
            None => f.write_str("the 4-byte header is incomplete"),
        }
    }
}

/// A rejected `pmu30` candidate or frame, with the numbers that explain it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error {
    /// Bytes before a 0xAA start marker.
    #[error("{len} bytes before a 0xAA start marker")]
    Garbage {
        /// How many bytes were skipped.
        len: usize,
    },
    /// The LENGTH field is larger than the configured maximum payload.
    #[error("LENGTH {length} exceeds the maximum payload of {max} bytes")]
    LengthTooLarge {
        /// The LENGTH field as received.
        length: usize,
        /// The configured maximum payload.
        max: usize,
    },
    /// The input ended (or the buffer filled) before the frame was complete.
    #[error("frame cut off after {available} bytes: {needed}")]
    Truncated {
        /// The frame length the header announced, if the header was complete.
        needed: Needed,
        /// How many bytes of the candidate were present.
        available: usize,
    },
    /// The trailing CRC does not match the frame's contents.
    #[error("CRC mismatch: received 0x{received:04X}, computed 0x{computed:04X}")]
    CrcMismatch {
        /// The CRC on the wire.
        received: u16,
        /// The CRC computed over the covered bytes.
        computed: u16,
    },
    /// A checksum-valid frame whose MSG_ID is not in the table of message types.
    #[error("unknown message type 0x{msg_id:02X}")]
    UnknownType {
        /// The MSG_ID as received.
        msg_id: u8,
    },
    /// A checksum-valid frame whose payload has the wrong size for its type.
    #[error("{name} payload of {len} bytes, expected {expected} bytes")]
    PayloadLength {
        /// The message type's name.
        name: &'static str,
        /// The payload length.
        len: usize,
        /// The size the type requires.
        expected: ExpectedLen,
    },
    /// An ERROR frame whose `msg_length` does not match the bytes that follow it.
    #[error("ERROR msg_length {msg_length} does not match the {present} message bytes present")]
    MessageLength {
        /// The `msg_length` field.
        msg_length: u8,
        /// The bytes present after the 3-byte ERROR header.
        present: usize,
    },
}

impl DialectError for Error {
    fn kind(&self) -> ErrorKind {
        match self {
            Error::Garbage { .. } => ErrorKind::Garbage,
            Error::LengthTooLarge { .. } => ErrorKind::BadLength,
            Error::Truncated { .. } => ErrorKind::Truncated,
            Error::CrcMismatch { .. } => ErrorKind::CrcMismatch,
            Error::UnknownType { .. } => ErrorKind::UnknownType,
            Error::PayloadLength { .. } => ErrorKind::BadLength,
            Error::MessageLength { .. } => ErrorKind::BadLength,
        }
    }

    fn truncated() -> Self {
        Error::Truncated { needed: Needed(None), available: 0 }
    }
}
