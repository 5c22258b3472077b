//! The zero-copy frame view: `0xAA | LENGTH u16 LE | MSG_ID u8 | PAYLOAD[LENGTH] | CRC u16 LE`.

use super::error::{Error, Needed};
use crate::buf;
use crate::crc;
use crate::error::EncodeError;

/// The start marker.
pub const START: u8 = 0xAA;
/// Bytes before the payload: START, LENGTH, MSG_ID.
pub const HEADER_LEN: usize = 4;
/// Bytes of the trailing CRC.
pub const CRC_LEN: usize = 2;
/// Bytes a frame has besides its payload.
pub const OVERHEAD: usize = HEADER_LEN + CRC_LEN;
/// The smallest frame (empty payload).
pub const MIN_FRAME_LEN: usize = OVERHEAD;
/// The default (and the real host code's) maximum payload.
pub const DEFAULT_MAX_PAYLOAD: usize = 4096;

/// Byte ranges of the header fields.
pub mod field {
    use core::ops::Range;

    /// The 0xAA start marker.
    pub const START: usize = 0;
    /// Payload length, u16 LE.
    pub const LENGTH: Range<usize> = 1..3;
    /// Message type.
    pub const MSG_ID: usize = 3;
    /// The payload starts here.
    pub const PAYLOAD_START: usize = 4;

    /// The payload of a frame whose LENGTH is `len`.
    pub const fn payload(len: usize) -> Range<usize> {
        PAYLOAD_START..PAYLOAD_START + len
    }

    /// The CRC of a frame whose LENGTH is `len`.
    pub const fn crc(len: usize) -> Range<usize> {
        PAYLOAD_START + len..PAYLOAD_START + len + 2
    }
}

/// Which bytes the trailing CRC covers. The start byte is never covered.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CrcCoverage {
    /// MSG_ID + PAYLOAD, as the original documentation says (the default).
    #[default]
    MsgIdPayload,
    /// LENGTH + MSG_ID + PAYLOAD, as the real configurator code computes it
    /// (command-line variant `pmu30:crc-with-length`).
    LengthMsgIdPayload,
}

impl CrcCoverage {
    /// The first byte the CRC covers.
    pub const fn first_covered(self) -> usize {
        match self {
            CrcCoverage::MsgIdPayload => field::MSG_ID,
            CrcCoverage::LengthMsgIdPayload => field::LENGTH.start,
        }
    }

    /// The CRC of a whole frame `bytes` (its last two bytes are the CRC itself) under this
    /// rule, or `None` when `bytes` is shorter than a frame.
    pub fn compute(self, bytes: &[u8]) -> Option<u16> {
        let end = bytes.len().checked_sub(CRC_LEN)?;
        bytes.get(self.first_covered()..end).map(crc::crc16)
    }
}

/// A read/write view of one frame in a byte buffer.
///
/// Built with [`Frame::new_checked`] (or [`Frame::new_checked_with`]), no getter can panic.
/// A view from [`Frame::new_unchecked`] over too short a buffer reads LENGTH and CRC as 0
/// where their bytes are missing and may panic on the other accessors, like smoltcp's
/// views; the decoders build one only to call [`check_len`](Frame::check_len) first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Frame<T> {
    /// Wraps `buffer` without any check.
    pub const fn new_unchecked(buffer: T) -> Frame<T> {
        Frame { buffer }
    }

    /// Wraps `buffer` after checking its length and its CRC under the default rule
    /// (MSG_ID + PAYLOAD, [`CrcCoverage::MsgIdPayload`]).
    pub fn new_checked(buffer: T) -> Result<Frame<T>, Error> {
        Self::new_checked_with(buffer, CrcCoverage::MsgIdPayload)
    }

    /// Wraps `buffer` after checking its length and its CRC under `coverage`. Bytes after
    /// the frame's end (as LENGTH tells it) are ignored.
    pub fn new_checked_with(buffer: T, coverage: CrcCoverage) -> Result<Frame<T>, Error> {
        let frame = Frame::new_unchecked(buffer);
        frame.check_len()?;
        frame.check_crc(coverage)?;
        Ok(frame)
    }

    /// Checks that the buffer holds a start marker, a header and as many bytes as LENGTH
    /// announces. After it succeeds no getter panics.
    pub fn check_len(&self) -> Result<(), Error> {
        let data = self.buffer.as_ref();
        match (data.first(), buf::u16_le(data, field::LENGTH.start)) {
            (Some(&START), Some(length)) if data.len() >= HEADER_LEN => {
                let total = OVERHEAD + usize::from(length);
                if data.len() < total {
                    Err(Error::Truncated { needed: Needed(Some(total)), available: data.len() })
                } else {
                    Ok(())
                }
            }
            (Some(&START), _) | (None, _) => Err(Error::Truncated { needed: Needed(None), available: data.len() }),
            (Some(_), _) => Err(Error::Garbage { len: data.len() }),
        }
    }

    /// Checks the trailing CRC under `coverage` (call after [`check_len`](Self::check_len)).
    pub fn check_crc(&self, coverage: CrcCoverage) -> Result<(), Error> {
        let received = self.crc();
        let computed = self.compute_crc(coverage);
        if received == computed { Ok(()) } else { Err(Error::CrcMismatch { received, computed }) }
    }

    /// Consumes the view, returning the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The LENGTH field: the payload's length.
    pub fn length(&self) -> u16 {
        buf::u16_le(self.buffer.as_ref(), field::LENGTH.start).unwrap_or(0)
    }

    /// The MSG_ID field.
    pub fn msg_id(&self) -> u8 {
        self.buffer.as_ref()[field::MSG_ID]
    }

    /// The payload.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[field::payload(usize::from(self.length()))]
    }

    /// The trailing CRC as received.
    pub fn crc(&self) -> u16 {
        let at = field::crc(usize::from(self.length())).start;
        buf::u16_le(self.buffer.as_ref(), at).unwrap_or(0)
    }

    /// The whole frame's length (header, payload, CRC).
    pub fn frame_len(&self) -> usize {
        OVERHEAD + usize::from(self.length())
    }

    /// The frame's bytes (without anything the buffer holds after it).
    pub fn as_bytes(&self) -> &[u8] {
        &self.buffer.as_ref()[..self.frame_len()]
    }

    /// The CRC the frame should carry under `coverage`.
    pub fn compute_crc(&self, coverage: CrcCoverage) -> u16 {
        let end = field::crc(usize::from(self.length())).start;
        crc::crc16(&self.buffer.as_ref()[coverage.first_covered()..end])
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Frame<T> {
    /// Writes the start marker.
    pub fn set_start(&mut self) {
        self.buffer.as_mut()[field::START] = START;
    }

    /// Writes the LENGTH field.
    pub fn set_length(&mut self, length: u16) {
        self.buffer.as_mut()[field::LENGTH].copy_from_slice(&length.to_le_bytes());
    }

    /// Writes the MSG_ID field.
    pub fn set_msg_id(&mut self, msg_id: u8) {
        self.buffer.as_mut()[field::MSG_ID] = msg_id;
    }

    /// The payload, for writing (LENGTH must be set first).
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let r = field::payload(usize::from(self.length()));
        &mut self.buffer.as_mut()[r]
    }

    /// Computes the CRC under `coverage` and writes it after the payload.
    pub fn fill_checksum(&mut self, coverage: CrcCoverage) {
        let crc = self.compute_crc(coverage);
        let r = field::crc(usize::from(self.length()));
        self.buffer.as_mut()[r].copy_from_slice(&crc.to_le_bytes());
    }
}

/// Writes a whole frame with `msg_id` and a payload of `payload_len` bytes into `out` and
/// returns the frame's length. `write_payload` writes the payload into exactly the frame's
/// `payload_len` payload bytes, directly or through a [`SliceWriter`](crate::buf::SliceWriter)
/// over them (what it leaves unwritten keeps the buffer's bytes; its error is returned).
/// Refuses a payload over `max_payload` (or over 65535) and a buffer that is too small before
/// anything is written. Never panics.
pub fn emit_frame(
    out: &mut [u8],
    msg_id: u8,
    payload_len: usize,
    max_payload: usize,
    coverage: CrcCoverage,
    write_payload: impl FnOnce(&mut [u8]) -> Result<(), EncodeError>,
) -> Result<usize, EncodeError> {
    let max = max_payload.min(usize::from(u16::MAX));
    let length = match u16::try_from(payload_len) {
        Ok(length) if payload_len <= max => length,
        _ => return Err(EncodeError::TooLong { field: "PAYLOAD", len: payload_len, max }),
    };
    let total = OVERHEAD + payload_len;
    crate::error::check_room(out, total)?;
    let Some(bytes) = out.get_mut(..total) else {
        return Err(EncodeError::BufferTooSmall { needed: total, available: 0 });
    };
    let mut frame = Frame::new_unchecked(bytes);
    frame.set_start();
    frame.set_length(length);
    frame.set_msg_id(msg_id);
    write_payload(frame.payload_mut())?;
    frame.fill_checksum(coverage);
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ping_under_both_rules() {
        let mut buf = [0u8; 8];
        let n = emit_frame(&mut buf, 0x01, 0, 4096, CrcCoverage::MsgIdPayload, |_| Ok(())).unwrap();
        assert_eq!(&buf[..n], &[0xAA, 0, 0, 1, 0xD1, 0xF1]);
        let n = emit_frame(&mut buf, 0x01, 0, 4096, CrcCoverage::LengthMsgIdPayload, |_| Ok(())).unwrap();
        assert_eq!(&buf[..n], &[0xAA, 0, 0, 1, 0xBD, 0xDC]);
        let f = Frame::new_checked_with(&buf[..n], CrcCoverage::LengthMsgIdPayload).unwrap();
        assert_eq!((f.msg_id(), f.length(), f.crc()), (1, 0, 0xDCBD));
        assert!(matches!(Frame::new_checked(&buf[..n]), Err(Error::CrcMismatch { received: 0xDCBD, .. })));
    }

    #[test]
    fn check_len_never_panics_on_short_buffers() {
        for len in 0..8 {
            let buf = [0xAA, 2, 0, 1, 9, 9, 0, 0];
            assert!(Frame::new_checked(&buf[..len]).is_err());
        }
        assert!(matches!(Frame::new_checked(&[0x55u8, 0, 0, 0, 0, 0][..]), Err(Error::Garbage { len: 6 })));
    }

    #[test]
    fn emit_refuses_small_buffers_and_long_payloads() {
        let mut buf = [0u8; 7];
        assert_eq!(
            emit_frame(&mut buf, 1, 2, 4096, CrcCoverage::MsgIdPayload, |_| Ok(())),
            Err(EncodeError::BufferTooSmall { needed: 8, available: 7 })
        );
        assert!(matches!(
            emit_frame(&mut buf, 1, 5, 4, CrcCoverage::MsgIdPayload, |_| Ok(())),
            Err(EncodeError::TooLong { len: 5, max: 4, .. })
        ));
    }
}
