//! A zero-copy view of one whole frame (header, payload, and the revision-1 CRC), and the
//! frame-level encoder.

use crate::crc::crc16;
use crate::error::{EncodeError, check_room};

use super::error::Error;
use super::header::{HEADER_LEN, Header, HeaderRepr, Revision, VERSION, field, le_u16};

/// A zero-copy view of one frame of a given [`Revision`] at the start of a buffer (bytes
/// after the frame are ignored).
///
/// After [`new_checked`](Self::new_checked) succeeded, no getter can panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
    revision: Revision,
}

impl<T: AsRef<[u8]>> Frame<T> {
    /// Wraps a buffer without checking it. Getters may panic if the buffer is shorter than
    /// the frame its header announces; use [`new_checked`](Self::new_checked) for received
    /// bytes.
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

    /// The whole frame's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buffer.as_ref()[..self.frame_len()]
    }

    /// The payload.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[field::PAYLOAD..field::PAYLOAD + self.payload_len()]
    }

    /// Revision 1: the CRC carried after the payload (`None` in revision 0).
    pub fn crc(&self) -> Option<u16> {
        match self.revision {
            Revision::R0 => None,
            Revision::R1 => {
                let at = HEADER_LEN + self.payload_len();
                self.buffer.as_ref().get(at..at + 2).and_then(le_u16)
            }
        }
    }

    /// Revision 1: the CRC-16 of the header and payload (`None` in revision 0).
    pub fn computed_crc(&self) -> Option<u16> {
        match self.revision {
            Revision::R0 => None,
            Revision::R1 => self.buffer.as_ref().get(..HEADER_LEN + self.payload_len()).map(crc16),
        }
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Frame<T> {
    /// A mutable view of the header.
    pub fn header_mut(&mut self) -> Header<&mut [u8]> {
        Header::new_unchecked(self.buffer.as_mut())
    }

    /// The payload, mutable (its length is the header's `len`).
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let len = self.payload_len();
        &mut self.buffer.as_mut()[field::PAYLOAD..field::PAYLOAD + len]
    }

    /// Revision 1: computes the CRC of the header and payload and stores it after the
    /// payload. Does nothing in revision 0.
    pub fn fill_checksum(&mut self) {
        if self.revision == Revision::R1 {
            let at = HEADER_LEN + self.payload_len();
            let crc = crc16(&self.buffer.as_ref()[..at]);
            self.buffer.as_mut()[at..at + 2].copy_from_slice(&crc.to_le_bytes());
        }
    }
}

/// Writes a whole frame of `revision` into `out`: the magic and `header` (whose `len` is
/// ignored: it is set to `payload.len()`), the payload, and in revision 1 the CRC. Returns
/// the frame's length.
///
/// Refuses a `type` the revision does not define, a `ver` other than 0 and a payload length
/// outside the revision's range (r0: 1..=512, r1: 0..=46).
pub fn emit(out: &mut [u8], revision: Revision, header: &HeaderRepr, payload: &[u8]) -> Result<usize, EncodeError> {
    if header.frame_type > revision.max_frame_type() {
        return Err(EncodeError::OutOfRange { field: "type" });
    }
    if header.ver != VERSION {
        return Err(EncodeError::OutOfRange { field: "ver" });
    }
    let max = revision.max_payload_len();
    if payload.len() > max {
        return Err(EncodeError::TooLong { field: "payload", len: payload.len(), max });
    }
    if payload.len() < revision.min_payload_len() {
        return Err(EncodeError::OutOfRange { field: "len" });
    }
    let frame_len = revision.frame_len(payload.len());
    check_room(out, frame_len)?;
    let mut frame = Frame::new_unchecked(&mut out[..frame_len], revision);
    let mut repr = *header;
    // Cannot truncate: the length was checked against the revision's maximum above.
    repr.len = payload.len() as u16;
    repr.emit(&mut frame.header_mut());
    frame.payload_mut().copy_from_slice(payload);
    frame.fill_checksum();
    Ok(frame_len)
}

/// Writes a whole frame whose payload is produced in place by `fill` (which receives exactly
/// `payload_len` bytes), so typed messages encode without a scratch buffer. Same checks as
/// [`emit`], except the payload-length range, which the caller guarantees.
pub(crate) fn emit_with(
    out: &mut [u8],
    revision: Revision,
    header: &HeaderRepr,
    payload_len: usize,
    fill: impl FnOnce(&mut [u8]),
) -> Result<usize, EncodeError> {
    let max = revision.max_payload_len();
    if payload_len > max {
        return Err(EncodeError::TooLong { field: "payload", len: payload_len, max });
    }
    let frame_len = revision.frame_len(payload_len);
    check_room(out, frame_len)?;
    let mut frame = Frame::new_unchecked(&mut out[..frame_len], revision);
    let mut repr = *header;
    repr.len = payload_len as u16;
    repr.emit(&mut frame.header_mut());
    fill(frame.payload_mut());
    frame.fill_checksum();
    Ok(frame_len)
}
