//! Building a decoded packet in place, one record (or byte string) at a time: what a
//! bridge firmware does as SPI frames arrive.

use super::frame::{MAX_LEN_FIELD, Packet, PacketType, field};
use super::record::Record;
use crate::error::{EncodeError, check_room};

/// Builds a decoded packet in a caller's buffer, appending payload one record (or one
/// byte string) at a time: what a bridge firmware does as SPI frames arrive.
///
/// ```
/// use serial_dialects::vectordebug::{PacketBuilder, Record};
///
/// let mut packet_buf = [0u8; 7 + 3 * Record::SIZE];
/// let mut builder = PacketBuilder::dbg_frame1(&mut packet_buf)?;
/// for seq in 0..3 {
///     builder.push_record(&Record { seq, payload: [1, -1, 2, -2, 3, -3] })?;
/// }
/// assert!(builder.push_record(&Record::default()).is_err()); // full
/// let packet = builder.finish();
/// assert_eq!(packet.record_count(), 3);
///
/// let mut usb = [0u8; 64];
/// let n = packet.emit_wire(&mut usb)?;
/// assert_eq!(usb[n - 1], 0x00);
/// # Ok::<(), serial_dialects::EncodeError>(())
/// ```
#[derive(Debug)]
pub struct PacketBuilder<'a> {
    buf: &'a mut [u8],
    payload_len: usize,
}

impl<'a> PacketBuilder<'a> {
    /// Starts a packet of type `packet_type` in `buf` (at least 7 bytes).
    pub fn new(buf: &'a mut [u8], packet_type: u8) -> Result<Self, EncodeError> {
        check_room(buf, field::OVERHEAD)?;
        let first = buf.first_mut().ok_or(EncodeError::BufferTooSmall { needed: 7, available: 0 })?;
        *first = packet_type;
        Ok(PacketBuilder { buf, payload_len: 0 })
    }

    /// Starts a DBG_FRAME1 packet.
    pub fn dbg_frame1(buf: &'a mut [u8]) -> Result<Self, EncodeError> {
        Self::new(buf, PacketType::DBG_FRAME1)
    }

    /// Starts a CLI packet.
    pub fn cli(buf: &'a mut [u8]) -> Result<Self, EncodeError> {
        Self::new(buf, PacketType::CLI)
    }

    /// Payload bytes appended so far.
    pub fn payload_len(&self) -> usize {
        self.payload_len
    }

    /// Payload bytes that still fit.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(field::OVERHEAD + self.payload_len)
    }

    /// Whole records that still fit.
    pub fn records_remaining(&self) -> usize {
        self.remaining() / Record::SIZE
    }

    /// Appends one record.
    pub fn push_record(&mut self, record: &Record) -> Result<(), EncodeError> {
        self.push_bytes(&record.to_bytes())
    }

    /// Appends raw payload bytes.
    pub fn push_bytes(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        let start = field::HEADER_LEN + self.payload_len;
        let end = start.checked_add(bytes.len()).filter(|&e| e - field::HEADER_LEN <= MAX_LEN_FIELD);
        let needed = end.map_or(usize::MAX, |e| e + field::CRC_LEN);
        let too_small = EncodeError::BufferTooSmall { needed, available: self.buf.len() };
        let slot = end.and_then(|e| if needed <= self.buf.len() { self.buf.get_mut(start..e) } else { None });
        slot.ok_or(too_small)?.copy_from_slice(bytes);
        self.payload_len += bytes.len();
        Ok(())
    }

    /// Drops the payload appended so far (the type stays).
    pub fn clear(&mut self) {
        self.payload_len = 0;
    }

    /// Writes `len` and the CRC and returns the finished packet (a view of the used part
    /// of the buffer).
    pub fn finish(self) -> Packet<&'a mut [u8]> {
        let total = field::OVERHEAD + self.payload_len;
        let (used, _) = self.buf.split_at_mut(total.min(self.buf.len()));
        let mut packet = Packet::new_unchecked(used);
        // `push_bytes` keeps `payload_len` within u32 and the buffer.
        packet.set_len_field(self.payload_len as u32);
        packet.fill_checksum();
        packet
    }
}
