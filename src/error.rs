//! Error kinds shared by every dialect, and the encoder's error type.
//!
//! Each dialect has its own typed decode error (what was wrong, with the numbers), and
//! every such error maps onto one [`ErrorKind`]: the coarse class that statistics count
//! and that the `decode` JSON reports as `error`.

use core::fmt;

/// The class of a rejected run of bytes. Names match the `error` field of the JSON contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ErrorKind {
    /// Bytes outside any frame candidate (hunting for a start marker).
    Garbage,
    /// A complete candidate whose checksum does not match.
    CrcMismatch,
    /// A length field that is impossible, or a payload of the wrong size for its type.
    BadLength,
    /// A candidate cut off by the end of the input (or by the decoder's capacity).
    Truncated,
    /// A field whose value the format does not allow.
    InvalidField,
    /// A checksum-valid frame of a type the dialect does not define.
    UnknownType,
    /// Extra delimiters with nothing between them (harmless).
    EmptyChunk,
    /// Bytes that are not valid COBS.
    CobsError,
}

impl ErrorKind {
    /// Every kind, in a fixed order (the index order of [`crate::ErrorCounts`]).
    pub const ALL: [ErrorKind; 8] = [
        ErrorKind::Garbage,
        ErrorKind::CrcMismatch,
        ErrorKind::BadLength,
        ErrorKind::Truncated,
        ErrorKind::InvalidField,
        ErrorKind::UnknownType,
        ErrorKind::EmptyChunk,
        ErrorKind::CobsError,
    ];

    /// The snake_case name used in JSON and statistics.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Garbage => "garbage",
            ErrorKind::CrcMismatch => "crc_mismatch",
            ErrorKind::BadLength => "bad_length",
            ErrorKind::Truncated => "truncated",
            ErrorKind::InvalidField => "invalid_field",
            ErrorKind::UnknownType => "unknown_type",
            ErrorKind::EmptyChunk => "empty_chunk",
            ErrorKind::CobsError => "cobs_error",
        }
    }

    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What every dialect's typed decode error provides to the shared stream machinery.
///
/// `Display` is the human-readable detail ("CRC mismatch: received 0x1234, computed
/// 0xABCD"); [`kind`](DialectError::kind) is the class that is counted.
pub trait DialectError: fmt::Debug + fmt::Display + Clone + Send + Sync + 'static {
    /// The coarse class of this error.
    fn kind(&self) -> ErrorKind;
    /// The error for a candidate that the input (or the decoder's capacity) cut short.
    fn truncated() -> Self;
}

/// Why a frame could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum EncodeError {
    /// The caller's buffer cannot hold the frame.
    #[error("output buffer too small: the frame needs {needed} bytes, the buffer has {available}")]
    BufferTooSmall {
        /// Bytes the frame needs.
        needed: usize,
        /// Bytes the buffer has.
        available: usize,
    },
    /// A numeric field is outside the range the format allows.
    #[error("field `{field}` is out of range")]
    OutOfRange {
        /// The field's name (as in the original documentation).
        field: &'static str,
    },
    /// A variable-length field is longer than the format allows.
    #[error("field `{field}` is too long: {len} bytes, at most {max} allowed")]
    TooLong {
        /// The field's name.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A field contains a byte the format cannot carry (e.g. `&` or `*` in ascii-crc8 DATA).
    #[error("field `{field}` contains a byte the format cannot carry")]
    InvalidByte {
        /// The field's name.
        field: &'static str,
    },
}

/// Returns an error unless `out` can hold `needed` bytes.
#[inline]
pub fn check_room(out: &[u8], needed: usize) -> Result<(), EncodeError> {
    if out.len() < needed { Err(EncodeError::BufferTooSmall { needed, available: out.len() }) } else { Ok(()) }
}
