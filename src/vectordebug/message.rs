//! The message of the dialect: one validated packet as it lies on the wire, a zero-copy
//! view of its COBS bytes that decodes its payload on the fly.

use core::fmt;

use super::error::Error;
use super::frame::{Packet, PacketType, field};
use super::record::Record;
use super::seq::SeqSpan;
use super::validate::{self, Header, validate, validate_known_crc};
use crate::cobs::{self, CobsError, DecodedBytes};
use crate::error::EncodeError;
use crate::fmt::{DebugIter, Hex};

/// One vectordebug packet as it lies on the wire, validated: a zero-copy view of its COBS
/// bytes (and delimiter). It is what the stream decoder yields
/// ([`Dialect::Message`](crate::Dialect::Message)).
///
/// Nothing is decoded into a buffer: the header fields were read while validating, and
/// [`records`](Self::records) and [`payload_bytes`](Self::payload_bytes) decode COBS on
/// the fly. [`decode_into`](Self::decode_into) gives a contiguous [`Packet`] view (and its
/// typed [`Payload`](super::Payload)) when one is wanted. The wire bytes re-encode exactly
/// (the COBS decoder is strict): [`emit`](Self::emit) writes them back.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    frame: &'a [u8],
    cobs: &'a [u8],
    header: Header,
    seq: Option<SeqSpan>,
}

impl<'a> Message<'a> {
    /// Validates one wire frame: COBS bytes, optionally followed by its 0x00 delimiter, of
    /// a packet of at most `max_packet` decoded bytes (checks in the order of the stream
    /// decoder: COBS, size, CRC, `len`).
    pub fn new_checked(frame: &'a [u8], max_packet: usize) -> Result<Self, Error> {
        let cobs = frame.strip_suffix(&[0]).unwrap_or(frame);
        let header = validate(cobs, max_packet)?;
        Ok(Message { frame, cobs, header, seq: None })
    }

    /// [`new_checked`](Self::new_checked) for a frame whose CRC the scanner has verified.
    pub(super) fn new_known_crc(frame: &'a [u8], max_packet: usize) -> Result<Self, Error> {
        let cobs = frame.strip_suffix(&[0]).unwrap_or(frame);
        let header = validate_known_crc(cobs, max_packet)?;
        Ok(Message { frame, cobs, header, seq: None })
    }

    /// The view of a frame whose header the scanner has read (and checked, CRC included).
    pub(super) fn from_scanned(frame: &'a [u8], header: Header) -> Self {
        let cobs = frame.strip_suffix(&[0]).unwrap_or(frame);
        Message { frame, cobs, header, seq: None }
    }

    /// Calls `f` with the `seq` of every record (DBG_FRAME1), in order, without decoding
    /// the other bytes.
    #[inline(always)]
    pub(super) fn for_each_seq(&self, f: impl FnMut(u16)) {
        validate::for_each_seq(self.cobs, field::HEADER_LEN + self.record_count() * Record::SIZE, f);
    }

    /// What the view holds besides its bytes (see `rebuild.rs`).
    pub(super) fn parts(&self) -> (Header, Option<SeqSpan>) {
        (self.header, self.seq)
    }

    pub(super) fn with_seq(mut self, seq: Option<SeqSpan>) -> Self {
        self.seq = seq;
        self
    }

    /// The bytes this packet was read from (COBS bytes and, from a stream, the delimiter).
    pub fn wire(&self) -> &'a [u8] {
        self.frame
    }

    /// The COBS bytes without the delimiter.
    pub fn cobs_bytes(&self) -> &'a [u8] {
        self.cobs
    }

    /// The raw `type` byte.
    pub fn type_byte(&self) -> u8 {
        self.header.packet_type
    }

    /// The packet type.
    pub fn packet_type(&self) -> PacketType {
        PacketType::from(self.header.packet_type)
    }

    /// The `len` field (equal to [`payload_len`](Self::payload_len), it was checked).
    pub fn len_field(&self) -> u32 {
        self.header.len
    }

    /// Payload bytes.
    pub fn payload_len(&self) -> usize {
        self.header.decoded_len - field::OVERHEAD
    }

    /// Decoded packet size (`payload_len + 7`).
    pub fn decoded_len(&self) -> usize {
        self.header.decoded_len
    }

    /// The packet's CRC (received and verified).
    pub fn crc(&self) -> u16 {
        self.header.crc
    }

    /// Whole records (`len / 14`) of a DBG_FRAME1 packet; 0 for other types.
    pub fn record_count(&self) -> usize {
        match self.packet_type() {
            PacketType::DbgFrame1 => self.payload_len() / Record::SIZE,
            _ => 0,
        }
    }

    /// Bytes after the last whole record (`len % 14`) of a DBG_FRAME1 packet.
    pub fn trailing_len(&self) -> usize {
        match self.packet_type() {
            PacketType::DbgFrame1 => self.payload_len() % Record::SIZE,
            _ => 0,
        }
    }

    /// The payload bytes, decoded on the fly.
    pub fn payload_bytes(&self) -> PayloadBytes<'a> {
        self.payload_from(0)
    }

    /// The payload bytes from payload offset `skip` on.
    fn payload_from(&self, skip: usize) -> PayloadBytes<'a> {
        let mut inner = DecodedBytes::new(self.cobs);
        let skip = skip.min(self.payload_len());
        for _ in 0..field::HEADER_LEN + skip {
            inner.next();
        }
        PayloadBytes { inner, remaining: self.payload_len() - skip }
    }

    /// The records of a DBG_FRAME1 packet, decoded on the fly (none for other types).
    pub fn records(&self) -> WireRecords<'a> {
        WireRecords { bytes: self.payload_bytes(), remaining: self.record_count() }
    }

    /// The bytes after the last whole record (DBG_FRAME1), decoded on the fly.
    pub fn trailing_bytes(&self) -> PayloadBytes<'a> {
        self.payload_from(self.payload_len() - self.trailing_len())
    }

    /// The sequence numbers of this packet's records and the frames lost up to its last
    /// one, as counted by the stream decoder that produced it (`None` for packets without
    /// records, and for views made with [`new_checked`](Self::new_checked)).
    pub fn seq_span(&self) -> Option<SeqSpan> {
        self.seq
    }

    /// The length of the wire frame [`emit`](Self::emit) writes: exactly the bytes this
    /// packet was read from.
    pub fn buffer_len(&self) -> usize {
        self.frame.len()
    }

    /// Writes the packet's wire frame into `out` and returns its length: the bytes it was
    /// read from, which are a valid frame (with its delimiter when it was read from a
    /// stream).
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let wire = self.frame;
        let available = out.len();
        let slot = out.get_mut(..wire.len()).ok_or(EncodeError::BufferTooSmall { needed: wire.len(), available })?;
        slot.copy_from_slice(wire);
        Ok(wire.len())
    }

    /// Decodes the packet into `buf` and returns a checked view of it.
    pub fn decode_into<'b>(&self, buf: &'b mut [u8]) -> Result<Packet<&'b [u8]>, Error> {
        let needed = self.header.decoded_len;
        let available = buf.len();
        let n = cobs::decode(self.cobs, buf).map_err(|e| match e {
            CobsError::TooLong { .. } => Error::BufferTooSmall { needed, available },
            other => Error::Cobs(other),
        })?;
        let bytes: &'b [u8] = buf;
        Packet::new_checked(bytes.get(..n).unwrap_or(&[]))
    }
}

impl crate::dialect::Message for Message<'_> {
    /// `DBG_FRAME1`, `CLI` or `UNKNOWN`.
    fn name(&self) -> &'static str {
        self.packet_type().name()
    }
}

impl fmt::Debug for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Message");
        d.field("type", &self.packet_type()).field("len", &self.header.len).field("crc", &self.header.crc);
        d.field("wire_len", &self.frame.len()).field("seq", &self.seq);
        match self.packet_type() {
            PacketType::DbgFrame1 => {
                d.field("records", &DebugIter(self.records()));
                if self.trailing_len() > 0 {
                    d.field("trailing", &Hex(self.trailing_bytes()));
                }
            }
            PacketType::Cli => {
                d.field("data", &Hex(self.payload_bytes()));
            }
            PacketType::Unknown(_) => {
                d.field("payload", &Hex(self.payload_bytes()));
            }
        }
        d.finish()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Message<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use super::payload::Json;
        let json = match self.packet_type() {
            PacketType::DbgFrame1 => Json::DbgFrame1 { records: self.records() },
            PacketType::Cli => Json::Cli { data: self.payload_bytes() },
            PacketType::Unknown(packet_type) => Json::Unknown { packet_type },
        };
        json.serialize(s)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Message<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Message {{ type: {=u8}, len: {=u32}, records: {=usize}, wire_len: {=usize} }}",
            self.type_byte(),
            self.header.len,
            self.record_count(),
            self.frame.len()
        );
    }
}

/// The payload bytes of a [`Message`], decoded on the fly.
#[derive(Debug, Clone)]
pub struct PayloadBytes<'a> {
    inner: DecodedBytes<'a>,
    remaining: usize,
}

impl Iterator for PayloadBytes<'_> {
    type Item = u8;

    #[inline]
    fn next(&mut self) -> Option<u8> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.remaining))
    }
}

/// The records of a DBG_FRAME1 [`Message`], decoded on the fly.
#[derive(Debug, Clone)]
pub struct WireRecords<'a> {
    bytes: PayloadBytes<'a>,
    remaining: usize,
}

impl Iterator for WireRecords<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let mut raw = [0u8; Record::SIZE];
        for slot in raw.iter_mut() {
            *slot = self.bytes.next()?;
        }
        Some(Record::from_bytes(&raw))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.remaining))
    }
}
