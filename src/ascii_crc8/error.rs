//! The typed decode error of the ascii-crc8 dialect.

use crate::error::{DialectError, ErrorKind};

/// A header or trailer field, named as in the original documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Field {
    /// The 3-character source address.
    Src,
    /// The 3-character destination address.
    Dst,
    /// The 2-digit decimal message ID.
    Id,
    /// The 3-digit decimal DATA length.
    Len,
    /// The 2-digit hexadecimal CRC.
    Crc,
}

impl Field {
    /// The field's name in the original documentation.
    pub const fn name(self) -> &'static str {
        match self {
            Field::Src => "SRC",
            Field::Dst => "DST",
            Field::Id => "ID",
            Field::Len => "LEN",
            Field::Crc => "CRC",
        }
    }
}

impl core::fmt::Display for Field {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why bytes of an ascii-crc8 stream were rejected.
///
/// Positions (`at`) count from the frame's `&` (position 0).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error {
    /// Bytes outside any frame that are neither a frame nor a device text line.
    #[error("{len} byte(s) outside any frame that are not a device text line")]
    Garbage {
        /// How many bytes were skipped.
        len: usize,
    },
    /// The input (or the decoder's capacity) ended before the frame did.
    #[error("frame cut off by the end of the input")]
    Truncated,
    /// A new `&` arrived before the frame was complete.
    #[error("frame cut off by a new `&` at position {at}")]
    Interrupted {
        /// Position of the `&`.
        at: usize,
    },
    /// A `*` arrived before the position where LEN says the frame ends.
    #[error("`*` at position {at}, before the end of the frame (expected at {expected:?})")]
    EarlyTerminator {
        /// Position of the `*`.
        at: usize,
        /// Where LEN puts the `*` (None while the header is incomplete).
        expected: Option<usize>,
    },
    /// The byte where LEN puts the `*` is something else: DATA is longer than LEN.
    #[error("expected `*` at position {at} (LEN {len}), found byte 0x{found:02X}")]
    MissingTerminator {
        /// The expected position of the `*`.
        at: usize,
        /// The LEN field.
        len: u16,
        /// The byte found there.
        found: u8,
    },
    /// LEN is above 256.
    #[error("LEN {len} is above the maximum of 256")]
    LengthTooLarge {
        /// The LEN field.
        len: u16,
    },
    /// A numeric field holds a character that is not a digit of its base.
    #[error("{field} has the non-digit byte 0x{byte:02X} at position {at}")]
    InvalidDigit {
        /// Which field.
        field: Field,
        /// Position of the byte.
        at: usize,
        /// The byte.
        byte: u8,
    },
    /// An address (SRC or DST) holds a byte that is not printable ASCII other than space
    /// (0x21–0x7E), as the real firmware rejects it. (`&` and `*` there are framing: they
    /// cut the frame short as [`Error::Interrupted`] and [`Error::EarlyTerminator`].)
    #[error("{field} has the byte 0x{byte:02X} at position {at}, not a printable ASCII character other than space")]
    InvalidAddress {
        /// [`Field::Src`] or [`Field::Dst`].
        field: Field,
        /// Position of the byte.
        at: usize,
        /// The byte.
        byte: u8,
    },
    /// The CRC sent does not match the CRC-8 of SRC..DATA.
    #[error("CRC mismatch: received 0x{received:02X}, computed 0x{computed:02X}")]
    CrcMismatch {
        /// The CRC on the wire.
        received: u8,
        /// The CRC of the bytes received.
        computed: u8,
    },
    /// A checked view was given a buffer that does not start with `&`.
    #[error("a frame starts with `&`, found byte 0x{found:02X}")]
    NoStartMarker {
        /// The first byte of the buffer.
        found: u8,
    },
    /// A checked view was given a buffer whose length is not the frame's length.
    #[error("buffer holds {actual} bytes, the frame has {expected}")]
    LengthMismatch {
        /// Bytes LEN implies (15 + LEN), or the minimum of 15.
        expected: usize,
        /// Bytes in the buffer.
        actual: usize,
    },
}

impl DialectError for Error {
    fn kind(&self) -> ErrorKind {
        match self {
            Error::Garbage { .. } | Error::NoStartMarker { .. } => ErrorKind::Garbage,
            Error::Truncated | Error::Interrupted { .. } => ErrorKind::Truncated,
            Error::EarlyTerminator { .. }
            | Error::MissingTerminator { .. }
            | Error::LengthTooLarge { .. }
            | Error::LengthMismatch { .. } => ErrorKind::BadLength,
            Error::InvalidDigit { .. } | Error::InvalidAddress { .. } => ErrorKind::InvalidField,
            Error::CrcMismatch { .. } => ErrorKind::CrcMismatch,
        }
    }

    fn truncated() -> Self {
        Error::Truncated
    }
}
