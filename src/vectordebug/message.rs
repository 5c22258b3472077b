//! Typed messages: DBG_FRAME1 records, CLI bytes, and packets of other types.

use super::error::Error;
use super::packet::{Packet, PacketType, field, max_wire_len, write_wire};
use super::record::{Record, Records};
use crate::cobs;
use crate::error::EncodeError;

/// Records packed into one piece for the encoder: 18 × 14 = 252 bytes, about one COBS
/// block, on the stack.
const BATCH_RECORDS: usize = 18;

/// One vectordebug packet in typed form.
///
/// Borrows its byte strings (zero-copy). Decoded messages re-encode with
/// [`emit`](Message::emit) to exactly the bytes they were decoded from: DBG_FRAME1
/// trailing bytes (`len % 14`) are kept in [`Records::trailing`], unknown types keep their
/// type byte and raw payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Message<'a> {
    /// `TYPE_DBG_FRAME1 = 3`: packed 14-byte debug records.
    DbgFrame1 {
        /// The records (and any trailing bytes).
        records: Records<'a>,
    },
    /// `TYPE_CLI = 2`: raw terminal bytes (may contain 0x00), either direction.
    Cli {
        /// The terminal bytes.
        data: &'a [u8],
    },
    /// A packet of any other type with a valid CRC (0 and 1 are reserved, the rest
    /// undefined). Not an error: the stream reports it as type `UNKNOWN`.
    Unknown {
        /// The `type` byte (never 2 or 3).
        packet_type: u8,
        /// The payload.
        payload: &'a [u8],
    },
}

impl<'a> Message<'a> {
    /// The message carried by a packet of type `type_byte` with `payload`.
    pub fn from_payload(type_byte: u8, payload: &'a [u8]) -> Message<'a> {
        match PacketType::from(type_byte) {
            PacketType::DbgFrame1 => Message::DbgFrame1 { records: Records::from_payload(payload) },
            PacketType::Cli => Message::Cli { data: payload },
            PacketType::Unknown(packet_type) => Message::Unknown { packet_type, payload },
        }
    }

    /// The message of a checked packet view.
    pub fn from_packet(packet: &Packet<&'a [u8]>) -> Message<'a> {
        let bytes: &'a [u8] = packet.into_inner();
        let payload = bytes.get(field::HEADER_LEN..bytes.len().saturating_sub(field::CRC_LEN)).unwrap_or(&[]);
        Message::from_payload(bytes.first().copied().unwrap_or(0), payload)
    }

    /// Parses a **decoded** packet (`type | len | payload | crc`, COBS already removed),
    /// checking size, CRC and `len` (see [`Packet::new_checked`]).
    pub fn parse(decoded: &'a [u8]) -> Result<Message<'a>, Error> {
        Packet::new_checked(decoded).map(|p| Message::from_packet(&p))
    }

    /// Decodes one wire frame (COBS bytes, optionally followed by its 0x00 delimiter) into
    /// `buf` and parses it; the message borrows `buf`.
    pub fn decode_wire<'b>(frame: &[u8], buf: &'b mut [u8]) -> Result<Message<'b>, Error> {
        let chunk = frame.strip_suffix(&[0]).unwrap_or(frame);
        let needed = super::wire::cobs_structure(chunk)?;
        if needed > buf.len() {
            return Err(Error::BufferTooSmall { needed, available: buf.len() });
        }
        let n = cobs::decode(chunk, buf)?;
        Message::parse(buf.get(..n).unwrap_or(&[]))
    }

    /// The packet type.
    pub fn packet_type(&self) -> PacketType {
        match self {
            Message::DbgFrame1 { .. } => PacketType::DbgFrame1,
            Message::Cli { .. } => PacketType::Cli,
            Message::Unknown { packet_type, .. } => PacketType::from(*packet_type),
        }
    }

    /// Payload size in bytes (the `len` field), saturating at `usize::MAX`.
    pub fn payload_len(&self) -> usize {
        match self {
            Message::DbgFrame1 { records } => records.payload_len(),
            Message::Cli { data } => data.len(),
            Message::Unknown { payload, .. } => payload.len(),
        }
    }

    /// A buffer size that always holds the wire frame of this message: the longest COBS
    /// encoding of the decoded packet, plus the delimiter.
    pub fn buffer_len(&self) -> usize {
        max_wire_len(self.payload_len().saturating_add(field::OVERHEAD))
    }

    /// Checks what the encoder would refuse: an `Unknown` message with type 2 or 3 (it
    /// would decode as another variant), or DBG_FRAME1 trailing bytes of 14 or more (they
    /// would decode as records).
    pub fn validate(&self) -> Result<(), EncodeError> {
        match self {
            Message::Unknown { packet_type: PacketType::CLI | PacketType::DBG_FRAME1, .. } => {
                Err(EncodeError::OutOfRange { field: "type" })
            }
            Message::DbgFrame1 { records } if records.trailing().len() >= Record::SIZE => {
                Err(EncodeError::TooLong { field: "trailing", len: records.trailing().len(), max: Record::SIZE - 1 })
            }
            _ => Ok(()),
        }
    }

    /// Writes the whole wire frame (COBS of `type | len | payload | crc`, then 0x00) into
    /// `out` and returns its length. Streams through the incremental COBS encoder and a
    /// CRC digest: no intermediate packet buffer.
    ///
    /// ```
    /// use serial_dialects::vectordebug::{Message, Record, Records};
    ///
    /// let records = [Record { seq: 7, payload: [100, -100, 0, 1, -1, 32767] }];
    /// let msg = Message::DbgFrame1 { records: Records::new(&records) };
    /// let mut out = [0u8; 32];
    /// let n = msg.emit(&mut out)?;
    /// assert_eq!(out[n - 1], 0); // delimiter
    /// assert!(!out[..n - 1].contains(&0));
    ///
    /// let mut scratch = [0u8; 32];
    /// assert_eq!(Message::decode_wire(&out[..n], &mut scratch).unwrap(), msg);
    /// # Ok::<(), serial_dialects::EncodeError>(())
    /// ```
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        self.validate()?;
        let type_byte = self.packet_type().as_u8();
        match self {
            Message::DbgFrame1 { records } => write_wire(out, type_byte, records.payload_len(), |sink| {
                // The CRC runs slice-by-16 only over pieces of 16 bytes or more: push the
                // records packed a block's worth at a time rather than 14 bytes each.
                let mut batch = [0u8; BATCH_RECORDS * Record::SIZE];
                let mut filled = 0;
                for r in records.iter() {
                    if let Some(slot) = batch.get_mut(filled..filled + Record::SIZE) {
                        slot.copy_from_slice(&r.to_bytes());
                    }
                    filled += Record::SIZE;
                    if filled == batch.len() {
                        sink.push(&batch)?;
                        filled = 0;
                    }
                }
                sink.push(batch.get(..filled).unwrap_or_default())?;
                sink.push(records.trailing())
            }),
            Message::Cli { data: bytes } | Message::Unknown { payload: bytes, .. } => {
                write_wire(out, type_byte, bytes.len(), |sink| sink.push(bytes))
            }
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Message<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use super::json::{Fields, Json};
        let fields = match *self {
            Message::DbgFrame1 { records } => Fields::Dbg { records: records.iter() },
            Message::Cli { data } => Fields::Cli { data: data.iter().copied() },
            Message::Unknown { packet_type, .. } => Fields::Unknown { packet_type },
        };
        Json(fields).serialize(s)
    }
}
