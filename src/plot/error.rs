//! The typed decode error of the plot dialect, and the two binary frame types it names.
//!
//! The start bytes are defined here, with [`FrameType`], because the errors name the frame
//! type: `frame.rs` builds on this file (its `DATA_START` and `LABEL_START` are these bytes)
//! and this file imports nothing from the module.

use core::fmt;

use crate::error::{DialectError, ErrorKind};

/// The two binary frame types, named by their start byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "UPPERCASE"))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FrameType {
    /// `0xAA COUNT values[COUNT]`: int16 samples.
    Data,
    /// `0xAB COUNT {CH_INDEX LEN bytes[LEN]}×COUNT`: channel names.
    Label,
}

impl FrameType {
    /// The frame type whose start byte is `byte`, if any.
    pub const fn from_start_byte(byte: u8) -> Option<FrameType> {
        match byte {
            0xAA => Some(FrameType::Data),
            0xAB => Some(FrameType::Label),
            _ => None,
        }
    }

    /// The start byte of this frame type (`0xAA` or `0xAB`).
    pub const fn start_byte(self) -> u8 {
        match self {
            FrameType::Data => 0xAA,
            FrameType::Label => 0xAB,
        }
    }

    /// `"DATA"` or `"LABEL"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            FrameType::Data => "DATA",
            FrameType::Label => "LABEL",
        }
    }
}

impl fmt::Display for FrameType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why bytes were rejected. In a stream every rejection covers exactly one byte: the start
/// byte of the rejected candidate (the bytes after it are scanned again).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error {
    /// COUNT is 0 or larger than the configured maximum number of channels.
    #[error("{frame} frame: COUNT {count} is outside 1..={max}")]
    BadCount {
        /// The frame type of the candidate.
        frame: FrameType,
        /// The COUNT byte received.
        count: u8,
        /// The largest COUNT allowed (`Config::max_channels`).
        max: u8,
    },
    /// A label entry's LEN is 0 or larger than 16.
    #[error("LABEL entry {entry}: LEN {len} is outside 1..=16")]
    BadLabelLen {
        /// The entry's position in the frame (0-based).
        entry: u8,
        /// The LEN byte received.
        len: u8,
    },
    /// A label entry's CH_INDEX is not below the configured maximum number of channels.
    #[error("LABEL entry {entry}: CH_INDEX {index} is not below {max}")]
    BadChannelIndex {
        /// The entry's position in the frame (0-based).
        entry: u8,
        /// The CH_INDEX byte received.
        index: u8,
        /// The number of channels (`Config::max_channels`).
        max: u8,
    },
    /// The buffer is not a frame of the expected type (wrong start byte).
    #[error("start byte 0x{found:02X} is not the {expected} start byte 0x{:02X}", expected.start_byte())]
    BadStartByte {
        /// The frame type that was expected.
        expected: FrameType,
        /// The byte found.
        found: u8,
    },
    /// The frame's header promises more bytes than the input holds.
    #[error("{frame} frame cut off: its header needs at least {needed} bytes, only {available} are there")]
    CutOff {
        /// The frame type of the candidate.
        frame: FrameType,
        /// Bytes needed (at least) to complete the frame as far as it was read.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
    /// A candidate cut short by the end of the input or by the decoder's capacity.
    #[error("frame candidate cut off by the end of the input or the decoder's capacity")]
    Truncated,
}

impl DialectError for Error {
    fn kind(&self) -> ErrorKind {
        match self {
            Error::BadCount { .. } | Error::BadLabelLen { .. } => ErrorKind::BadLength,
            Error::BadChannelIndex { .. } | Error::BadStartByte { .. } => ErrorKind::InvalidField,
            Error::CutOff { .. } | Error::Truncated => ErrorKind::Truncated,
        }
    }

    fn truncated() -> Self {
        Error::Truncated
    }
}
