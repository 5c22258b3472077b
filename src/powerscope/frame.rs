//! The zero-copy view of one whole frame of a [`Revision`] (header, payload, and the
//! revision-1 CRC), and the frame-level encoder (docs/protocols/powerscope.md, "Revision 0"
//! and "Revision 1").
//!
//! The header's fields are read through [`Frame::header`], the view of the 16 bytes both
//! revisions share ([`Header`]); the frame adds what depends on the revision: the payload's
//! length limits, the CRC trailer, and the checks of a whole frame.

use crate::buf::{self, Counter, Sink, SliceWriter};
use crate::crc::crc16;
use crate::error::{EncodeError, check_room};

use super::error::Error;
use super::header::{HEADER_LEN, Header, HeaderRepr, Revision, VERSION};

/// Bytes of the revision-1 CRC trailer.
pub const CRC_LEN: usize = 2;

/// Every byte range of a frame: the header's, and the payload's and the CRC's, which
/// follow from `len`.
pub mod field {
    use core::ops::Range;

    pub use crate::powerscope::header::field::*;

    /// The payload of a frame whose `len` is `len`.
    pub const fn payload(len: usize) -> Range<usize> {
        PAYLOAD..PAYLOAD + len
    }

    /// The CRC of a revision-1 frame whose `len` is `len`.
    pub const fn crc(len: usize) -> Range<usize> {
        PAYLOAD + len..PAYLOAD + len + super::CRC_LEN
    }
}

/// A zero-copy view of one frame of a given [`Revision`] at the start of a buffer (bytes
/// after the frame are ignored).
///
/// After [`new_checked`](Self::new_checked) succeeded, every field is there. A view from
/// [`new_unchecked`](Self::new_unchecked) over a buffer too short for its frame never panics
/// either: missing fields read as 0, a missing payload as fewer bytes, and writes beyond the
/// buffer do nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
    revision: Revision,
}

impl<T: AsRef<[u8]>> Frame<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T, revision: Revision) -> Frame<T> {
        Frame { buffer, revision }
    }

    /// Wraps a buffer after checking everything the frame alone can prove: the magic, the
    /// header fields the revision constrains (`type`, `ver`, `len`), that the whole frame is
    /// there, and (revision 1) the CRC.
    pub fn new_checked(buffer: T, revision: Revision) -> Result<Frame<T>, Error> {
        let frame = Frame::new_unchecked(buffer, revision);
        frame.check_len()?;
        frame.check_crc()?;
        Ok(frame)
    }

    /// Checks the magic, the header fields and that the buffer holds the whole frame.
    pub fn check_len(&self) -> Result<(), Error> {
        self.checked_header().map(|_| ())
    }

    /// [`check_len`](Self::check_len), returning the header's values when it passes.
    pub(crate) fn checked_header(&self) -> Result<HeaderRepr, Error> {
        let bytes = self.buffer.as_ref();
        if let Some(header) = bytes.first_chunk::<HEADER_LEN>() {
            let repr = HeaderRepr::from_bytes(header);
            if self.revision.accepts(header) && bytes.len() >= self.revision.frame_len(usize::from(repr.len)) {
                return Ok(repr);
            }
        }
        // Something is wrong: the checks one by one tell what.
        Header::new_checked(bytes)?;
        self.revision.check_header_prefix(bytes)?;
        let frame_len = self.frame_len();
        if bytes.len() < frame_len {
            return Err(Error::Truncated { frame_len: Some(frame_len), available: bytes.len() });
        }
        Ok(self.header_repr())
    }

    /// Revision 1: checks the CRC (call after [`check_len`](Self::check_len)). Revision 0
    /// frames have none and always pass.
    pub fn check_crc(&self) -> Result<(), Error> {
        match (self.crc(), self.computed_crc()) {
            (Some(received), Some(computed)) if received != computed => Err(Error::CrcMismatch { received, computed }),
            _ => Ok(()),
        }
    }

    /// The revision the view reads.
    pub fn revision(&self) -> Revision {
        self.revision
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// A view of the header.
    pub fn header(&self) -> Header<&[u8]> {
        Header::new_unchecked(self.buffer.as_ref())
    }

    /// The header's values.
    pub fn header_repr(&self) -> HeaderRepr {
        HeaderRepr::parse(&self.header())
    }

    /// The payload length from the header.
    pub fn payload_len(&self) -> usize {
        usize::from(self.header().len())
    }

    /// The wire length of the frame: header, payload and (revision 1) CRC.
    pub fn frame_len(&self) -> usize {
        self.revision.frame_len(self.payload_len())
    }

    /// The whole frame's bytes (as many of them as the buffer holds).
    pub fn as_bytes(&self) -> &[u8] {
        let bytes = self.buffer.as_ref();
        bytes.get(..self.frame_len()).unwrap_or(bytes)
    }

    /// The payload (as much of it as the buffer holds).
    pub fn payload(&self) -> &[u8] {
        let bytes = self.buffer.as_ref();
        let range = field::payload(self.payload_len());
        bytes.get(range.start..range.end.min(bytes.len())).unwrap_or_default()
    }

    /// Revision 1: the CRC carried after the payload (`None` in revision 0, or when the
    /// buffer ends before it).
    pub fn crc(&self) -> Option<u16> {
        match self.revision {
            Revision::R0 => None,
            Revision::R1 => buf::u16_le(self.buffer.as_ref(), field::crc(self.payload_len()).start),
        }
    }

    /// Revision 1: the CRC-16 of the header and payload (`None` in revision 0, or when the
    /// buffer ends before the payload does).
    pub fn computed_crc(&self) -> Option<u16> {
        match self.revision {
            Revision::R0 => None,
            Revision::R1 => self.buffer.as_ref().get(..field::payload(self.payload_len()).end).map(crc16),
        }
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Frame<T> {
    /// A mutable view of the header.
    pub fn header_mut(&mut self) -> Header<&mut [u8]> {
        Header::new_unchecked(self.buffer.as_mut())
    }

    /// The payload, mutable (its length is the header's `len`, or less where the buffer
    /// ends).
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let range = field::payload(self.payload_len());
        let bytes = self.buffer.as_mut();
        let end = range.end.min(bytes.len());
        bytes.get_mut(range.start..end).unwrap_or_default()
    }

    /// Revision 1: computes the CRC of the header and payload and stores it after the
    /// payload. Does nothing in revision 0 (or when the buffer ends before the trailer).
    pub fn fill_checksum(&mut self) {
        if let Some(crc) = self.computed_crc() {
            let range = field::crc(self.payload_len());
            if let Some(trailer) = self.buffer.as_mut().get_mut(range) {
                trailer.copy_from_slice(&crc.to_le_bytes());
            }
        }
    }
}

/// Writes a whole frame of `revision` into `out`: the magic and `header` (whose `len` is
/// ignored: it is set to `payload.len()`), the payload, and in revision 1 the CRC. Returns
/// the frame's length.
///
/// Refuses a `type` the revision does not define, a `ver` other than 0 and a payload length
/// outside the revision's range (r0: 1..=512, r1: 0..=46), before it looks at `out`.
pub fn emit(out: &mut [u8], revision: Revision, header: &HeaderRepr, payload: &[u8]) -> Result<usize, EncodeError> {
    emit_with(out, revision, header, payload.len(), |w| w.put(payload))
}

/// [`emit`] with the payload written by `write_payload`, which must write exactly
/// `payload_len` bytes (typed messages write theirs in place: no scratch buffer).
pub(crate) fn emit_with(
    out: &mut [u8],
    revision: Revision,
    header: &HeaderRepr,
    payload_len: usize,
    write_payload: impl FnOnce(&mut SliceWriter<'_>) -> Result<(), EncodeError>,
) -> Result<usize, EncodeError> {
    if header.frame_type > revision.max_frame_type() {
        return Err(EncodeError::OutOfRange { field: "type" });
    }
    if header.ver != VERSION {
        return Err(EncodeError::OutOfRange { field: "ver" });
    }
    let max = revision.max_payload_len();
    if payload_len > max {
        return Err(EncodeError::TooLong { field: "payload", len: payload_len, max });
    }
    if payload_len < revision.min_payload_len() {
        return Err(EncodeError::OutOfRange { field: "len" });
    }
    let frame_len = revision.frame_len(payload_len);
    // The whole frame's room is checked first, so that a short buffer is refused with the
    // frame's length, not with the length of the field that did not fit.
    check_room(out, frame_len)?;
    let available = out.len();
    let frame = out.get_mut(..frame_len).ok_or(EncodeError::BufferTooSmall { needed: frame_len, available })?;
    let mut writer = SliceWriter::new(frame);
    // Cannot truncate: the length was checked against the revision's maximum above.
    HeaderRepr { len: payload_len as u16, ..*header }.emit(&mut writer)?;
    write_payload(&mut writer)?;
    if revision == Revision::R1 {
        let crc = crc16(writer.written());
        writer.put_u16_le(crc)?;
    }
    Ok(writer.len())
}

/// The number of bytes `write` puts: the length of an encoding from the code that writes
/// it, so that the two cannot disagree.
pub(crate) fn counted(write: impl FnOnce(&mut Counter) -> Result<(), EncodeError>) -> usize {
    let mut counter = Counter::new();
    // A counter refuses nothing; an encoder's own refusal leaves what it counted so far,
    // and its `emit` reports that refusal.
    let _ = write(&mut counter);
    counter.len()
}
