//! What a packet carries, in typed form: DBG_FRAME1 records, CLI bytes, or the payload of
//! another type. The encoder's input, and the typed reading of a decoded packet.

use super::error::Error;
use super::frame::{Packet, PacketType, field, max_wire_len, write_wire};
use super::record::{Record, Records};
use crate::buf::Sink;
use crate::cobs;
use crate::error::EncodeError;

/// The typed payload of one vectordebug packet, by packet type.
///
/// Borrows its byte strings (zero-copy). A payload read from a packet re-encodes with
/// [`emit`](Payload::emit) to exactly the bytes it was read from: DBG_FRAME1 trailing
/// bytes (`len % 14`) are kept in [`Records::trailing`], unknown types keep their type
/// byte and raw payload.
///
/// The stream decoder does not produce it (the payload of a packet in a stream is in COBS
/// form, not contiguous): its [`Message`](super::Message) reads the same fields on the fly,
/// and [`Message::decode_into`](super::Message::decode_into) gives this form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Payload<'a> {
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

impl<'a> Payload<'a> {
    /// The payload `bytes` of a packet of type `type_byte`, typed.
    pub fn new(type_byte: u8, bytes: &'a [u8]) -> Payload<'a> {
        match PacketType::from(type_byte) {
            PacketType::DbgFrame1 => Payload::DbgFrame1 { records: Records::from_payload(bytes) },
            PacketType::Cli => Payload::Cli { data: bytes },
            PacketType::Unknown(packet_type) => Payload::Unknown { packet_type, payload: bytes },
        }
    }

    /// The payload of a checked packet view.
    pub fn from_packet(packet: &Packet<&'a [u8]>) -> Payload<'a> {
        let bytes: &'a [u8] = packet.into_inner();
        let payload = bytes.get(field::HEADER_LEN..bytes.len().saturating_sub(field::CRC_LEN)).unwrap_or(&[]);
        Payload::new(bytes.first().copied().unwrap_or(0), payload)
    }

    /// Parses a **decoded** packet (`type | len | payload | crc`, COBS already removed),
    /// checking size, CRC and `len` (see [`Packet::new_checked`]).
    pub fn parse(decoded: &'a [u8]) -> Result<Payload<'a>, Error> {
        Packet::new_checked(decoded).map(|p| Payload::from_packet(&p))
    }

    /// Decodes one wire frame (COBS bytes, optionally followed by its 0x00 delimiter) into
    /// `buf` and parses it; the payload borrows `buf`. A `buf` too small for the decoded
    /// packet is [`Error::BufferTooSmall`] with the exact size needed.
    pub fn decode_wire(frame: &[u8], buf: &'a mut [u8]) -> Result<Payload<'a>, Error> {
        let chunk = frame.strip_suffix(&[0]).unwrap_or(frame);
        let needed = cobs::walk::<Error>(chunk, true, |_| Ok(()))?;
        if needed > buf.len() {
            return Err(Error::BufferTooSmall { needed, available: buf.len() });
        }
        let n = cobs::decode(chunk, buf)?;
        let decoded: &'a [u8] = buf;
        Payload::parse(decoded.get(..n).unwrap_or(&[]))
    }

    /// The packet type.
    pub fn packet_type(&self) -> PacketType {
        match self {
            Payload::DbgFrame1 { .. } => PacketType::DbgFrame1,
            Payload::Cli { .. } => PacketType::Cli,
            Payload::Unknown { packet_type, .. } => PacketType::from(*packet_type),
        }
    }

    /// Payload size in bytes (the `len` field), saturating at `usize::MAX`.
    pub fn payload_len(&self) -> usize {
        match self {
            Payload::DbgFrame1 { records } => records.payload_len(),
            Payload::Cli { data } => data.len(),
            Payload::Unknown { payload, .. } => payload.len(),
        }
    }

    /// A buffer size that always holds the wire frame of this payload's packet: the longest
    /// COBS encoding of the decoded packet, plus the delimiter.
    pub fn buffer_len(&self) -> usize {
        max_wire_len(self.payload_len().saturating_add(field::OVERHEAD))
    }

    /// Checks what the encoder would refuse: an `Unknown` payload with type 2 or 3 (it
    /// would decode as another variant), or DBG_FRAME1 trailing bytes of 14 or more (they
    /// would decode as records).
    pub fn validate(&self) -> Result<(), EncodeError> {
        match self {
            Payload::Unknown { packet_type: PacketType::CLI | PacketType::DBG_FRAME1, .. } => {
                Err(EncodeError::OutOfRange { field: "type" })
            }
            Payload::DbgFrame1 { records } if records.trailing().len() >= Record::SIZE => {
                Err(EncodeError::TooLong { field: "trailing", len: records.trailing().len(), max: Record::SIZE - 1 })
            }
            _ => Ok(()),
        }
    }

    /// Writes the whole wire frame of this payload's packet (COBS of `type | len | payload
    /// | crc`, then 0x00) into `out` and returns its length. Streams through the incremental
    /// COBS encoder and a CRC digest: no intermediate packet buffer.
    ///
    /// ```
    /// use serial_dialects::vectordebug::{Payload, Record, Records};
    ///
    /// let records = [Record { seq: 7, payload: [100, -100, 0, 1, -1, 32767] }];
    /// let payload = Payload::DbgFrame1 { records: Records::new(&records) };
    /// let mut out = [0u8; 32];
    /// let n = payload.emit(&mut out)?;
    /// assert_eq!(out[n - 1], 0); // delimiter
    /// assert!(!out[..n - 1].contains(&0));
    ///
    /// let mut scratch = [0u8; 32];
    /// assert_eq!(Payload::decode_wire(&out[..n], &mut scratch).unwrap(), payload);
    /// # Ok::<(), serial_dialects::EncodeError>(())
    /// ```
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        self.validate()?;
        let type_byte = self.packet_type().as_u8();
        match self {
            Payload::DbgFrame1 { records } => {
                write_wire(out, type_byte, records.payload_len(), |sink| put_records(sink, records))
            }
            Payload::Cli { data: bytes } | Payload::Unknown { payload: bytes, .. } => {
                write_wire(out, type_byte, bytes.len(), |sink| sink.put(bytes))
            }
        }
    }
}

impl<'a> Packet<&'a [u8]> {
    /// The typed payload, borrowing the packet's buffer.
    pub fn typed_payload(&self) -> Payload<'a> {
        Payload::from_packet(self)
    }
}

/// Puts the records and trailing bytes of a DBG_FRAME1 payload.
fn put_records(sink: &mut impl Sink, records: &Records<'_>) -> Result<(), EncodeError> {
    // The CRC runs slice-by-16 only over pieces of 16 bytes or more: the records go packed
    // a block's worth at a time (18 × 14 = 252 bytes, on the stack), not 14 bytes each.
    const BATCH_RECORDS: usize = 18;
    let mut batch = [0u8; BATCH_RECORDS * Record::SIZE];
    let mut filled = 0;
    for r in records.iter() {
        if let Some(slot) = batch.get_mut(filled..filled + Record::SIZE) {
            slot.copy_from_slice(&r.to_bytes());
        }
        filled += Record::SIZE;
        if filled == batch.len() {
            sink.put(&batch)?;
            filled = 0;
        }
    }
    sink.put(batch.get(..filled).unwrap_or_default())?;
    sink.put(records.trailing())
}

#[cfg(feature = "serde")]
impl serde::Serialize for Payload<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let json = match *self {
            Payload::DbgFrame1 { records } => Json::DbgFrame1 { records: records.iter() },
            Payload::Cli { data } => Json::Cli { data: data.iter().copied() },
            Payload::Unknown { packet_type, .. } => Json::Unknown { packet_type },
        };
        json.serialize(s)
    }
}

/// The JSON of a packet's content, `{"type": ..., "fields": {...}}` as the decode contract
/// has it, with the payload given as iterators: a contiguous payload ([`Payload`]) and one
/// decoded from its COBS form on the fly ([`Message`](super::Message)) serialize alike.
#[cfg(feature = "serde")]
pub(super) enum Json<R, B> {
    DbgFrame1 { records: R },
    Cli { data: B },
    Unknown { packet_type: u8 },
}

#[cfg(feature = "serde")]
mod json {
    use serde::ser::{Serialize, SerializeStruct, Serializer};

    use super::Json;
    use crate::fmt::{Hex, Lossy};
    use crate::vectordebug::record::Record;

    impl<R, B> Serialize for Json<R, B>
    where
        R: Iterator<Item = Record> + Clone,
        B: Iterator<Item = u8> + Clone,
    {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let name = match self {
                Json::DbgFrame1 { .. } => "DBG_FRAME1",
                Json::Cli { .. } => "CLI",
                Json::Unknown { .. } => "UNKNOWN",
            };
            let mut st = s.serialize_struct("Message", 2)?;
            st.serialize_field("type", name)?;
            st.serialize_field("fields", &Fields(self))?;
            st.end()
        }
    }

    /// The `fields` object.
    struct Fields<'j, R, B>(&'j Json<R, B>);

    impl<R, B> Serialize for Fields<'_, R, B>
    where
        R: Iterator<Item = Record> + Clone,
        B: Iterator<Item = u8> + Clone,
    {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self.0 {
                // Exactly the contract's keys: trailing bytes (len % 14) and an unknown type's
                // payload are in the typed API, not in the JSON.
                Json::DbgFrame1 { records } => {
                    let mut st = s.serialize_struct("DbgFrame1", 1)?;
                    st.serialize_field("frames", &Seq(records.clone()))?;
                    st.end()
                }
                Json::Cli { data } => {
                    let mut st = s.serialize_struct("Cli", 2)?;
                    st.serialize_field("data_hex", &Str(Hex(data.clone())))?;
                    st.serialize_field("text", &Str(Lossy(data.clone())))?;
                    st.end()
                }
                Json::Unknown { packet_type } => {
                    let mut st = s.serialize_struct("Unknown", 1)?;
                    st.serialize_field("packet_type", packet_type)?;
                    st.end()
                }
            }
        }
    }

    /// A sequence from a cloneable iterator.
    struct Seq<R>(R);

    impl<R: Iterator<Item = Record> + Clone> Serialize for Seq<R> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.0.clone())
        }
    }

    /// A string from a `Display`.
    struct Str<D>(D);

    impl<D: core::fmt::Display> Serialize for Str<D> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_str(&self.0)
        }
    }
}

#[cfg(all(test, feature = "arbitrary"))]
mod arbitrary_tests {
    use arbitrary::{Arbitrary, Unstructured};

    use super::{PacketType, Payload, Record, Records};

    #[test]
    fn fuzz_input_reaches_both_forms_of_records_and_never_a_non_canonical_type() {
        let (mut raw_records, mut long_tails) = (0, 0);
        for salt in 0..=255u8 {
            let mut data = [0u8; 64];
            for (i, b) in (0u8..).zip(data.iter_mut()) {
                *b = salt.wrapping_mul(31).wrapping_add(i.wrapping_mul(salt | 1));
            }
            let records = Records::arbitrary(&mut Unstructured::new(&data)).unwrap();
            raw_records += usize::from(!records.is_empty());
            long_tails += usize::from(records.trailing().len() >= Record::SIZE);
            // Whatever form, the typed view is consistent with the payload length.
            assert_eq!(records.payload_len(), records.len() * Record::SIZE + records.trailing().len());
            let t = PacketType::arbitrary(&mut Unstructured::new(&data)).unwrap();
            assert_eq!(PacketType::from(t.as_u8()), t);
            let payload = Payload::arbitrary_take_rest(Unstructured::new(&data)).unwrap();
            let mut out = [0u8; 256];
            match payload.emit(&mut out) {
                Ok(n) => assert_eq!(Payload::decode_wire(&out[..n], &mut [0; 128]), Ok(payload)),
                Err(e) => assert_eq!(payload.validate(), Err(e)),
            }
        }
        assert!(raw_records > 0 && long_tails > 0, "{raw_records} {long_tails}");
    }
}
