//! The typed decode error of the vectordebug dialect.

use crate::cobs::CobsError;
use crate::error::{DialectError, ErrorKind};

/// Why bytes were rejected as a vectordebug packet.
///
/// Every variant carries the numbers that explain it and maps onto one [`ErrorKind`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error {
    /// A run of `zeros` 0x00 delimiters with nothing between them (harmless).
    #[error("empty chunk: {zeros} delimiter byte(s) with no packet between them")]
    EmptyChunk {
        /// How many 0x00 bytes the run holds.
        zeros: usize,
    },
    /// The chunk is not a valid (strict) COBS encoding.
    #[error("invalid COBS: {0}")]
    Cobs(CobsError),
    /// The chunk decodes to fewer bytes than the 7 of an empty packet.
    #[error("packet too short: decodes to {decoded} bytes, at least 7 needed")]
    TooShort {
        /// Decoded size in bytes.
        decoded: usize,
    },
    /// The chunk decodes to more bytes than the configured maximum.
    #[error("packet too long: decodes to {decoded} bytes, at most {max} allowed")]
    TooLong {
        /// Decoded size in bytes.
        decoded: usize,
        /// The configured maximum decoded packet size.
        max: usize,
    },
    /// No 0x00 delimiter within the longest possible frame.
    #[error("no 0x00 delimiter within {max_frame_len} bytes")]
    NoDelimiter {
        /// The longest frame (COBS bytes plus delimiter) the configuration allows.
        max_frame_len: usize,
    },
    /// The CRC-16 stored in the packet does not match the one computed over it.
    #[error("CRC mismatch: received 0x{received:04X}, computed 0x{computed:04X}")]
    CrcMismatch {
        /// The CRC stored in the last two decoded bytes (little-endian).
        received: u16,
        /// The CRC-16/CCITT-FALSE computed over the type, len and payload bytes.
        computed: u16,
    },
    /// The `len` field disagrees with the decoded size (`len` must be decoded size − 7).
    #[error("len field says {len} payload bytes, the packet holds {actual}")]
    LenMismatch {
        /// The `len` field.
        len: u32,
        /// The payload bytes actually present (decoded size − 7).
        actual: usize,
    },
    /// The caller's buffer cannot hold the decoded packet (never produced by the stream
    /// decoder, which never decodes into a buffer).
    #[error("decode buffer too small: the packet needs {needed} bytes, the buffer has {available}")]
    BufferTooSmall {
        /// Decoded size in bytes.
        needed: usize,
        /// Size of the caller's buffer.
        available: usize,
    },
    /// The input ended before the chunk's 0x00 delimiter.
    #[error("truncated: the input ended before the packet's 0x00 delimiter")]
    Truncated,
}

impl From<CobsError> for Error {
    fn from(e: CobsError) -> Self {
        Error::Cobs(e)
    }
}

impl DialectError for Error {
    fn kind(&self) -> ErrorKind {
        match self {
            Error::EmptyChunk { .. } => ErrorKind::EmptyChunk,
            Error::Cobs(_) => ErrorKind::CobsError,
            Error::TooShort { .. }
            | Error::TooLong { .. }
            | Error::NoDelimiter { .. }
            | Error::LenMismatch { .. }
            | Error::BufferTooSmall { .. } => ErrorKind::BadLength,
            Error::CrcMismatch { .. } => ErrorKind::CrcMismatch,
            Error::Truncated => ErrorKind::Truncated,
        }
    }

    fn truncated() -> Self {
        Error::Truncated
    }
}
