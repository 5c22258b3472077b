//! The packet inside a wire frame, `type | len | payload | crc`, and the frame around it,
//! `COBS(packet) 0x00`: the byte ranges of the packet's fields, a zero-copy view of a
//! decoded packet, and the encoder of a packet's wire frame.
//!
//! The view is over the **decoded** packet: a wire frame's fields only have places once
//! its COBS is undone. The stream decoder never builds it (it reads the fields straight
//! from the COBS bytes, see [`Message`](super::Message)); it is for code that holds a
//! decoded packet, such as a bridge building one in place ([`PacketBuilder`](super::PacketBuilder)).

use core::fmt;

use super::error::Error;
use super::record::Records;
use crate::buf::{self, Sink};
use crate::cobs;
use crate::crc::{Crc16Digest, crc16, crc16_digest};
use crate::error::EncodeError;

/// Byte ranges of the decoded packet's fields.
pub mod field {
    use core::ops::{Range, RangeFrom};

    /// `type`, one byte.
    pub const TYPE: usize = 0;
    /// `len`, u32 little-endian: number of payload bytes.
    pub const LEN: Range<usize> = 1..5;
    /// The payload starts here; it is followed by the 2 CRC bytes.
    pub const PAYLOAD: RangeFrom<usize> = 5..;
    /// Bytes before the payload.
    pub const HEADER_LEN: usize = 5;
    /// Size of the CRC trailer.
    pub const CRC_LEN: usize = 2;
    /// Header and CRC together: the size of a packet with an empty payload.
    pub const OVERHEAD: usize = HEADER_LEN + CRC_LEN;
}

/// The largest payload the 32-bit `len` field can announce in a packet whose size also
/// fits it (`2³² − 8` bytes).
pub(crate) const MAX_LEN_FIELD: usize = (u32::MAX - field::OVERHEAD as u32) as usize;

/// The packet type byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PacketType {
    /// `TYPE_CLI = 2`: raw terminal bytes, both directions.
    Cli,
    /// `TYPE_DBG_FRAME1 = 3`: packed 14-byte debug records.
    DbgFrame1,
    /// Any other value (0 and 1 are reserved IOCTRL types that no code uses).
    Unknown(u8),
}

impl PacketType {
    /// Wire value of CLI packets.
    pub const CLI: u8 = 2;
    /// Wire value of DBG_FRAME1 packets.
    pub const DBG_FRAME1: u8 = 3;

    /// The wire value.
    pub const fn as_u8(self) -> u8 {
        match self {
            PacketType::Cli => Self::CLI,
            PacketType::DbgFrame1 => Self::DBG_FRAME1,
            PacketType::Unknown(v) => v,
        }
    }

    /// The name used in the JSON contract (`CLI`, `DBG_FRAME1`, `UNKNOWN`).
    pub const fn name(self) -> &'static str {
        match self {
            PacketType::Cli => "CLI",
            PacketType::DbgFrame1 => "DBG_FRAME1",
            PacketType::Unknown(_) => "UNKNOWN",
        }
    }
}

impl From<u8> for PacketType {
    fn from(v: u8) -> Self {
        match v {
            Self::CLI => PacketType::Cli,
            Self::DBG_FRAME1 => PacketType::DbgFrame1,
            other => PacketType::Unknown(other),
        }
    }
}

/// Fuzzing input: any type byte, read the way the decoder reads it (so `Unknown` never
/// holds 2 or 3).
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for PacketType {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        u8::arbitrary(u).map(PacketType::from)
    }

    fn size_hint(depth: usize) -> (usize, Option<usize>) {
        <u8 as arbitrary::Arbitrary>::size_hint(depth)
    }
}

impl From<PacketType> for u8 {
    fn from(t: PacketType) -> u8 {
        t.as_u8()
    }
}

/// A view over one **decoded** packet (COBS already removed, no delimiter).
///
/// Build it with [`Packet::new_checked`] (validates size, CRC and `len`; afterwards no
/// getter can panic) or [`Packet::new_unchecked`] (getters may panic on access if the
/// buffer is too short, exactly like smoltcp's views).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps `buffer` without any check.
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// Wraps `buffer` and validates it, in this order: at least 7 bytes
    /// ([`Error::TooShort`]), the CRC over all bytes but the last two
    /// ([`Error::CrcMismatch`]), then `len` equal to the size minus 7
    /// ([`Error::LenMismatch`]).
    pub fn new_checked(buffer: T) -> Result<Packet<T>, Error> {
        let packet = Packet::new_unchecked(buffer);
        packet.check_len()?;
        packet.check_crc()?;
        packet.check_len_field()?;
        Ok(packet)
    }

    /// Checks that the buffer holds at least header and CRC, so that the getters of the
    /// fixed fields cannot panic.
    pub fn check_len(&self) -> Result<(), Error> {
        let n = self.buffer.as_ref().len();
        if n < field::OVERHEAD { Err(Error::TooShort { decoded: n }) } else { Ok(()) }
    }

    /// Checks the CRC in the last two bytes against the one computed over the bytes before
    /// them (after [`check_len`](Self::check_len)).
    pub fn check_crc(&self) -> Result<(), Error> {
        let (received, computed) = (self.crc(), self.compute_crc());
        if received == computed { Ok(()) } else { Err(Error::CrcMismatch { received, computed }) }
    }

    /// Checks that `len` equals the buffer size minus 7 (after [`check_len`](Self::check_len)).
    pub fn check_len_field(&self) -> Result<(), Error> {
        let actual = self.buffer.as_ref().len().saturating_sub(field::OVERHEAD);
        let len = self.len_field();
        if usize::try_from(len).ok() == Some(actual) { Ok(()) } else { Err(Error::LenMismatch { len, actual }) }
    }

    /// Returns the underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The whole decoded packet.
    pub fn as_bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// The raw `type` byte.
    pub fn type_byte(&self) -> u8 {
        self.buffer.as_ref()[field::TYPE]
    }

    /// The packet type.
    pub fn packet_type(&self) -> PacketType {
        PacketType::from(self.type_byte())
    }

    /// The `len` field (number of payload bytes).
    pub fn len_field(&self) -> u32 {
        buf::u32_le(self.buffer.as_ref(), field::LEN.start).unwrap_or(0)
    }

    /// The payload: every byte between the header and the CRC.
    pub fn payload(&self) -> &[u8] {
        let b = self.buffer.as_ref();
        &b[field::HEADER_LEN..b.len() - field::CRC_LEN]
    }

    /// The CRC stored in the last two bytes (little-endian).
    pub fn crc(&self) -> u16 {
        let b = self.buffer.as_ref();
        buf::u16_le(b, b.len() - field::CRC_LEN).unwrap_or(0)
    }

    /// The CRC-16/CCITT-FALSE of every byte before the CRC.
    pub fn compute_crc(&self) -> u16 {
        let b = self.buffer.as_ref();
        crc16(&b[..b.len() - field::CRC_LEN])
    }

    /// Number of whole 14-byte records of a DBG_FRAME1 packet (0 for other types).
    pub fn record_count(&self) -> usize {
        self.records().len()
    }

    /// The records of a DBG_FRAME1 packet (none for other types).
    pub fn records(&self) -> Records<'_> {
        match self.packet_type() {
            PacketType::DbgFrame1 => Records::from_payload(self.payload()),
            _ => Records::from_payload(&[]),
        }
    }

    /// Size of the wire frame: the COBS encoding of the packet plus the 0x00 delimiter.
    pub fn wire_len(&self) -> usize {
        cobs::encoded_len(self.buffer.as_ref()) + 1
    }

    /// Writes the wire frame (COBS encoding and 0x00 delimiter) into `out` and returns its
    /// length. When `out` is too small the error says the exact [`wire_len`](Self::wire_len)
    /// (and `out` may have been partly written).
    pub fn emit_wire(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        // One pass over the packet: its exact wire length is computed only for the error.
        let available = out.len();
        let encoded = cobs::encode(self.buffer.as_ref(), out).ok();
        match encoded.and_then(|n| Some((n, out.get_mut(n)?))) {
            Some((n, delimiter)) => {
                *delimiter = 0;
                Ok(n + 1)
            }
            None => Err(EncodeError::BufferTooSmall { needed: self.wire_len(), available }),
        }
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the `type` byte.
    pub fn set_type_byte(&mut self, value: u8) {
        self.buffer.as_mut()[field::TYPE] = value;
    }

    /// Sets the `len` field.
    pub fn set_len_field(&mut self, value: u32) {
        self.buffer.as_mut()[field::LEN].copy_from_slice(&value.to_le_bytes());
    }

    /// The payload, mutable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let b = self.buffer.as_mut();
        let end = b.len() - field::CRC_LEN;
        &mut b[field::HEADER_LEN..end]
    }

    /// Computes the CRC over every byte before it and stores it.
    pub fn fill_checksum(&mut self) {
        let crc = self.compute_crc();
        let b = self.buffer.as_mut();
        let end = b.len();
        b[end - field::CRC_LEN..].copy_from_slice(&crc.to_le_bytes());
    }
}

impl<T: AsRef<[u8]>> fmt::Debug for Packet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.check_len() {
            Ok(()) => f
                .debug_struct("Packet")
                .field("type", &self.packet_type())
                .field("len", &self.len_field())
                .field("payload", &crate::fmt::Hex(self.payload()))
                .field("crc", &self.crc())
                .finish(),
            Err(_) => f.debug_tuple("Packet").field(&crate::fmt::Hex(self.as_bytes())).finish(),
        }
    }
}

/// The longest wire frame (COBS bytes and delimiter) of a packet of `decoded` bytes,
/// saturating instead of overflowing.
pub(crate) const fn max_wire_len(decoded: usize) -> usize {
    decoded.saturating_add(decoded / 254).saturating_add(2)
}

/// Writes one wire frame for a packet whose payload is produced in pieces by `body`:
/// header, payload and CRC through the incremental COBS encoder, then the 0x00 delimiter.
/// `payload_len` must be the total length `body` puts (else [`EncodeError::OutOfRange`]
/// for `len`); one above [`MAX_LEN_FIELD`] is [`EncodeError::TooLong`] before anything is
/// written.
pub(crate) fn write_wire(
    out: &mut [u8],
    packet_type: u8,
    payload_len: usize,
    body: impl FnOnce(&mut WireSink<'_>) -> Result<(), EncodeError>,
) -> Result<usize, EncodeError> {
    let len = u32::try_from(payload_len).ok().filter(|&l| l as usize <= MAX_LEN_FIELD).ok_or(EncodeError::TooLong {
        field: "len",
        len: payload_len,
        max: MAX_LEN_FIELD,
    })?;
    let total = payload_len + field::OVERHEAD;
    let upper = max_wire_len(total);
    let too_small = EncodeError::BufferTooSmall { needed: upper, available: out.len() };
    let n = {
        let mut sink = WireSink { enc: cobs::Encoder::new(&mut *out), crc: crc16_digest(), pushed: 0 };
        let l = len.to_le_bytes();
        sink.put(&[packet_type, l[0], l[1], l[2], l[3]])?;
        body(&mut sink)?;
        if sink.pushed != total - field::CRC_LEN {
            return Err(EncodeError::OutOfRange { field: "len" });
        }
        let crc = sink.crc.finalize().to_le_bytes();
        sink.enc.push(&crc).map_err(|_| too_small)?;
        sink.enc.finish().map_err(|_| too_small)?
    };
    let slot = out.get_mut(n).ok_or(too_small)?;
    *slot = 0;
    Ok(n + 1)
}

/// Where [`write_wire`]'s `body` puts the payload: each piece goes into the packet's CRC
/// and through the COBS encoder into the caller's buffer.
pub(crate) struct WireSink<'a> {
    enc: cobs::Encoder<'a>,
    crc: Crc16Digest,
    pushed: usize,
}

impl Sink for WireSink<'_> {
    fn put(&mut self, data: &[u8]) -> Result<(), EncodeError> {
        self.crc.update(data);
        self.pushed = self.pushed.saturating_add(data.len());
        self.enc.push(data)
    }

    /// The packet bytes put so far (header included), not the COBS bytes written.
    fn len(&self) -> usize {
        self.pushed
    }
}
