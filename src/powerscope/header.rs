//! The 16-byte header both revisions share: its byte map, a zero-copy view, its plain
//! values, and how each [`Revision`] constrains it.
//!
//! The header is a part of its own (not only getters of [`Frame`](super::Frame)) because
//! both revisions use the same 16 bytes: the view reads them without knowing the revision
//! (bytes 6 and 7 are offered both ways), and the scanner checks a header before the rest of
//! its frame has arrived. [`Frame`](super::Frame) adds the payload, the revision-1 CRC and
//! the checks of a whole frame (docs/protocols/powerscope.md, "Header").

use crate::buf::{self, Sink};
use crate::error::EncodeError;

use super::error::Error;

/// Every header field's byte range, used by the getters and the setters alike.
pub mod field {
    use core::ops::Range;

    /// `magic`, u16 LE `0x5AA5` (wire `A5 5A`).
    pub const MAGIC: Range<usize> = 0..2;
    /// `type`, u8.
    pub const TYPE: usize = 2;
    /// `ver`, u8 (always 0).
    pub const VER: usize = 3;
    /// `len`, u16 LE: the payload length.
    pub const LEN: Range<usize> = 4..6;
    /// Revision 0: `rsv`, u16 LE.
    pub const RESERVED_R0: Range<usize> = 6..8;
    /// Revision 1: `cmd_id`, u8.
    pub const CMD_ID: usize = 6;
    /// Revision 1: `rsv`, u8.
    pub const RESERVED_R1: usize = 7;
    /// `seq`, u32 LE.
    pub const SEQ: Range<usize> = 8..12;
    /// `ts_ms`, u32 LE.
    pub const TS_MS: Range<usize> = 12..16;
    /// First byte of the payload.
    pub const PAYLOAD: usize = 16;
}

/// Length of the header.
pub const HEADER_LEN: usize = 16;
/// The magic as a little-endian u16.
pub const MAGIC: u16 = 0x5AA5;
/// The magic as it appears on the wire.
pub const MAGIC_BYTES: [u8; 2] = [0xA5, 0x5A];
/// The only protocol version (`ver`) of both revisions.
pub const VERSION: u8 = 0;
/// The `cmd_id` of revision-1 STREAM frames (`CMD_NONE`).
pub const CMD_NONE: u8 = 0xFF;

/// Which revision of the protocol a stream speaks. Nothing on the wire tells them apart, so
/// it is always chosen explicitly (`powerscope:r0`, `powerscope` = `powerscope:r1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Revision {
    /// The "current status" of the original documentation: STREAM frames only, payload
    /// 1..=512 bytes, no CRC, and raw single-byte commands (`0x01` START, `0x02` STOP).
    R0,
    /// The roadmap of the original documentation as the project shipped it:
    /// STREAM/CMD/ACK/NACK, payload 0..=46 bytes, CRC-16 trailer, INA219 samples. The
    /// default.
    #[default]
    R1,
}

impl Revision {
    /// The number of the revision (0 or 1).
    pub const fn number(self) -> u8 {
        match self {
            Revision::R0 => 0,
            Revision::R1 => 1,
        }
    }

    /// The smallest payload length a header may announce.
    pub const fn min_payload_len(self) -> usize {
        match self {
            Revision::R0 => 1,
            Revision::R1 => 0,
        }
    }

    /// The largest payload length a header may announce (512 or 46).
    pub const fn max_payload_len(self) -> usize {
        match self {
            Revision::R0 => 512,
            Revision::R1 => 46,
        }
    }

    /// Bytes after the payload: none in revision 0, the CRC-16 in revision 1.
    pub const fn trailer_len(self) -> usize {
        match self {
            Revision::R0 => 0,
            Revision::R1 => 2,
        }
    }

    /// The highest `type` the revision defines (0 STREAM, or 3 NACK).
    pub const fn max_frame_type(self) -> u8 {
        match self {
            Revision::R0 => 0,
            Revision::R1 => 3,
        }
    }

    /// The wire length of a frame with a payload of `payload_len` bytes.
    pub const fn frame_len(self, payload_len: usize) -> usize {
        HEADER_LEN + payload_len + self.trailer_len()
    }

    /// The longest frame of the revision: 528 bytes (r0) or 64 bytes (r1).
    pub const fn max_frame_len(self) -> usize {
        self.frame_len(self.max_payload_len())
    }

    /// Whether a whole header passes [`check_header_prefix`](Self::check_header_prefix):
    /// the magic, and `type`, `ver` and `len` within the revision's ranges. The error of a
    /// header that fails comes from `check_header_prefix`.
    // Branch-light (one `&` chain), for the common case of the scanner.
    pub(crate) const fn accepts(self, bytes: &[u8; HEADER_LEN]) -> bool {
        let repr = HeaderRepr::from_bytes(bytes);
        let len = repr.len as usize;
        (bytes[0] == MAGIC_BYTES[0])
            & (bytes[1] == MAGIC_BYTES[1])
            & (repr.frame_type <= self.max_frame_type())
            & (repr.ver == VERSION)
            & (len >= self.min_payload_len())
            & (len <= self.max_payload_len())
    }

    /// Checks the header fields that the revision constrains, in the order `type`, `ver`,
    /// `len`, on however many of the header's bytes `bytes` holds (a prefix is enough to
    /// reject a candidate early).
    pub fn check_header_prefix(self, bytes: &[u8]) -> Result<(), Error> {
        if let Some(&frame_type) = bytes.get(field::TYPE) {
            if frame_type > self.max_frame_type() {
                return Err(Error::UnknownFrameType {
                    frame_type,
                    revision: self.number(),
                    max: self.max_frame_type(),
                });
            }
        }
        if let Some(&ver) = bytes.get(field::VER) {
            if ver != VERSION {
                return Err(Error::BadVersion { ver });
            }
        }
        if let Some(len) = buf::u16_le(bytes, field::LEN.start) {
            let len_usize = usize::from(len);
            if len_usize < self.min_payload_len() || len_usize > self.max_payload_len() {
                return Err(Error::BadLength {
                    len,
                    min: self.min_payload_len() as u16,
                    max: self.max_payload_len() as u16,
                    revision: self.number(),
                });
            }
        }
        Ok(())
    }
}

/// The frame types (`type` byte). Revision 0 knows only [`FrameType::Stream`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "UPPERCASE"))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum FrameType {
    /// 0: sensor data, device to host.
    Stream = 0,
    /// 1: a command, host to device (revision 1).
    Cmd = 1,
    /// 2: a positive answer, device to host (revision 1).
    Ack = 2,
    /// 3: a negative answer, device to host (revision 1).
    Nack = 3,
}

impl FrameType {
    /// The type for a `type` byte, if it is one.
    pub const fn from_u8(value: u8) -> Option<FrameType> {
        match value {
            0 => Some(FrameType::Stream),
            1 => Some(FrameType::Cmd),
            2 => Some(FrameType::Ack),
            3 => Some(FrameType::Nack),
            _ => None,
        }
    }

    /// The name in the JSON contract: `STREAM`, `CMD`, `ACK`, `NACK`.
    pub const fn name(self) -> &'static str {
        match self {
            FrameType::Stream => "STREAM",
            FrameType::Cmd => "CMD",
            FrameType::Ack => "ACK",
            FrameType::Nack => "NACK",
        }
    }
}

/// A zero-copy view of a 16-byte header at the start of a buffer.
///
/// The view knows nothing about revisions: [`Revision::check_header_prefix`] and
/// [`Frame`](super::Frame) do that. Built with [`new_checked`](Self::new_checked), every
/// field is there. A view from [`new_unchecked`](Self::new_unchecked) over a shorter buffer
/// never panics either: a missing field reads as 0 and setting it does nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Header<T> {
        Header { buffer }
    }

    /// Wraps a buffer that holds at least 16 bytes starting with the magic.
    pub fn new_checked(buffer: T) -> Result<Header<T>, Error> {
        let header = Header::new_unchecked(buffer);
        header.check_len()?;
        let magic = header.magic();
        if magic != MAGIC {
            return Err(Error::BadMagic { found: magic });
        }
        Ok(header)
    }

    /// Checks that the buffer holds a whole header.
    pub fn check_len(&self) -> Result<(), Error> {
        let available = self.buffer.as_ref().len();
        if available < HEADER_LEN { Err(Error::Truncated { frame_len: None, available }) } else { Ok(()) }
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn byte(&self, at: usize) -> u8 {
        self.buffer.as_ref().get(at).copied().unwrap_or_default()
    }

    /// `magic` (0x5AA5 in a valid header).
    pub fn magic(&self) -> u16 {
        buf::u16_le(self.buffer.as_ref(), field::MAGIC.start).unwrap_or_default()
    }

    /// The raw `type` byte.
    pub fn frame_type(&self) -> u8 {
        self.byte(field::TYPE)
    }

    /// `ver`.
    pub fn ver(&self) -> u8 {
        self.byte(field::VER)
    }

    /// `len`: the payload length.
    pub fn len(&self) -> u16 {
        buf::u16_le(self.buffer.as_ref(), field::LEN.start).unwrap_or_default()
    }

    /// Whether `len` is 0 (a revision-1 frame with no payload).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Revision 0: the reserved u16 at offset 6.
    pub fn reserved_r0(&self) -> u16 {
        buf::u16_le(self.buffer.as_ref(), field::RESERVED_R0.start).unwrap_or_default()
    }

    /// Revision 1: `cmd_id` ([`CMD_NONE`] on STREAM frames).
    pub fn cmd_id(&self) -> u8 {
        self.byte(field::CMD_ID)
    }

    /// Revision 1: the reserved byte at offset 7.
    pub fn reserved_r1(&self) -> u8 {
        self.byte(field::RESERVED_R1)
    }

    /// `seq`.
    pub fn seq(&self) -> u32 {
        buf::u32_le(self.buffer.as_ref(), field::SEQ.start).unwrap_or_default()
    }

    /// `ts_ms`.
    pub fn ts_ms(&self) -> u32 {
        buf::u32_le(self.buffer.as_ref(), field::TS_MS.start).unwrap_or_default()
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Header<T> {
    /// Writes `bytes` at `at`, if the buffer reaches that far.
    fn set(&mut self, at: usize, bytes: &[u8]) {
        if let Some(field) = self.buffer.as_mut().get_mut(at..at + bytes.len()) {
            field.copy_from_slice(bytes);
        }
    }

    /// Writes the magic `A5 5A`.
    pub fn set_magic(&mut self) {
        self.set(field::MAGIC.start, &MAGIC_BYTES);
    }

    /// Sets the `type` byte.
    pub fn set_frame_type(&mut self, value: u8) {
        self.set(field::TYPE, &[value]);
    }

    /// Sets `ver`.
    pub fn set_ver(&mut self, value: u8) {
        self.set(field::VER, &[value]);
    }

    /// Sets `len`.
    pub fn set_len(&mut self, value: u16) {
        self.set(field::LEN.start, &value.to_le_bytes());
    }

    /// Revision 0: sets the reserved u16.
    pub fn set_reserved_r0(&mut self, value: u16) {
        self.set(field::RESERVED_R0.start, &value.to_le_bytes());
    }

    /// Revision 1: sets `cmd_id`.
    pub fn set_cmd_id(&mut self, value: u8) {
        self.set(field::CMD_ID, &[value]);
    }

    /// Revision 1: sets the reserved byte.
    pub fn set_reserved_r1(&mut self, value: u8) {
        self.set(field::RESERVED_R1, &[value]);
    }

    /// Sets `seq`.
    pub fn set_seq(&mut self, value: u32) {
        self.set(field::SEQ.start, &value.to_le_bytes());
    }

    /// Sets `ts_ms`.
    pub fn set_ts_ms(&mut self, value: u32) {
        self.set(field::TS_MS.start, &value.to_le_bytes());
    }
}

/// The plain values of a header (smoltcp's `Repr`): parse from a view, emit as bytes.
///
/// Bytes 6 and 7 are `cmd_id` and `reserved` in revision 1 and one reserved u16
/// (`cmd_id | reserved << 8`, see [`reserved_r0`](Self::reserved_r0)) in revision 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HeaderRepr {
    /// The raw `type` byte.
    pub frame_type: u8,
    /// `ver` (0).
    pub ver: u8,
    /// `len`: the payload length.
    pub len: u16,
    /// Byte 6: revision 1 `cmd_id`; low byte of the revision-0 reserved u16.
    pub cmd_id: u8,
    /// Byte 7: revision 1 reserved byte; high byte of the revision-0 reserved u16.
    pub reserved: u8,
    /// `seq`.
    pub seq: u32,
    /// `ts_ms`.
    pub ts_ms: u32,
}

impl HeaderRepr {
    /// Reads the values of a header view (missing bytes read as 0, as the view's getters
    /// do).
    pub fn parse<T: AsRef<[u8]>>(header: &Header<T>) -> HeaderRepr {
        match header.buffer.as_ref().first_chunk::<HEADER_LEN>() {
            Some(bytes) => HeaderRepr::from_bytes(bytes),
            None => HeaderRepr {
                frame_type: header.frame_type(),
                ver: header.ver(),
                len: header.len(),
                cmd_id: header.cmd_id(),
                reserved: header.reserved_r1(),
                seq: header.seq(),
                ts_ms: header.ts_ms(),
            },
        }
    }

    /// Reads the values of a whole header.
    // The fixed size lets every field be read without a bounds check of its own, which
    // matters at tens of millions of frames a second (the scanner reads every header here).
    pub const fn from_bytes(bytes: &[u8; HEADER_LEN]) -> HeaderRepr {
        let [_, _, frame_type, ver, l0, l1, cmd_id, reserved, s0, s1, s2, s3, t0, t1, t2, t3] = *bytes;
        HeaderRepr {
            frame_type,
            ver,
            len: u16::from_le_bytes([l0, l1]),
            cmd_id,
            reserved,
            seq: u32::from_le_bytes([s0, s1, s2, s3]),
            ts_ms: u32::from_le_bytes([t0, t1, t2, t3]),
        }
    }

    /// The revision-0 reserved u16 (bytes 6 and 7, little-endian).
    pub const fn reserved_r0(&self) -> u16 {
        u16::from_le_bytes([self.cmd_id, self.reserved])
    }

    /// The 16 wire bytes: the magic and the values.
    pub const fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let [l0, l1] = self.len.to_le_bytes();
        let [s0, s1, s2, s3] = self.seq.to_le_bytes();
        let [t0, t1, t2, t3] = self.ts_ms.to_le_bytes();
        let [m0, m1] = MAGIC_BYTES;
        [m0, m1, self.frame_type, self.ver, l0, l1, self.cmd_id, self.reserved, s0, s1, s2, s3, t0, t1, t2, t3]
    }

    /// Writes the magic and the values, in wire order (16 bytes).
    // One piece, not field by field: every frame an encoder writes starts here, and one
    // 16-byte store costs less than eight checked ones.
    #[inline]
    pub fn emit(&self, out: &mut impl Sink) -> Result<(), EncodeError> {
        out.put(&self.to_bytes())
    }
}
