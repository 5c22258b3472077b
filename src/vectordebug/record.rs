//! The 14-byte debug record (`McDbgPayload`) and the records of a DBG_FRAME1 payload.

use core::fmt;
use core::slice::{ChunksExact, Iter};

use crate::buf;
use crate::fmt::Hex;

/// One SPI debug frame (`McDbgPayload`): a sequence number and six debug variables.
///
/// Wire form, 14 bytes with no padding: `seq u16 LE`, then `payload [i16 LE; 6]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Record {
    /// Sequence number, incremented by the ESC for every frame (wraps at 65536).
    pub seq: u16,
    /// The six debug variables (currents, voltages, angles, ... as the firmware chooses).
    pub payload: [i16; 6],
}

impl Record {
    /// Size of a record on the wire.
    pub const SIZE: usize = 14;

    /// Reads a record from its 14 wire bytes.
    pub fn from_bytes(bytes: &[u8; Record::SIZE]) -> Record {
        // Every offset is within the 14 bytes: the readers never answer `None` here.
        let value = |k: usize| buf::i16_le(bytes, 2 + 2 * k).unwrap_or(0);
        Record { seq: buf::u16_le(bytes, 0).unwrap_or(0), payload: core::array::from_fn(value) }
    }

    /// Reads a record from the first 14 bytes of `bytes`, if there are that many.
    pub fn parse(bytes: &[u8]) -> Option<Record> {
        let head: &[u8; Record::SIZE] = bytes.get(..Record::SIZE)?.try_into().ok()?;
        Some(Record::from_bytes(head))
    }

    /// The record's 14 wire bytes.
    pub fn to_bytes(&self) -> [u8; Record::SIZE] {
        // Not a `Chain` of the seq and payload words: on a Cortex-M4 it compiled to a state
        // machine, 190 instructions per `PacketBuilder::push_record`; this costs 80.
        let mut out = [0u8; Record::SIZE];
        let (seq, payload) = out.split_at_mut(2);
        seq.copy_from_slice(&self.seq.to_le_bytes());
        for (dst, v) in payload.chunks_exact_mut(2).zip(self.payload) {
            dst.copy_from_slice(&v.to_le_bytes());
        }
        out
    }
}

#[derive(Clone, Copy)]
enum Repr<'a> {
    Typed { records: &'a [Record], trailing: &'a [u8] },
    Raw(&'a [u8]),
}

/// The records of a DBG_FRAME1 packet, plus the `len % 14` trailing bytes that follow
/// them (kept so that a decoded packet re-encodes to the same bytes; never invented).
///
/// Either borrows typed records (for encoding) or the decoded payload bytes (after
/// decoding); the two forms compare equal when they hold the same records and trailing
/// bytes.
#[derive(Clone, Copy)]
pub struct Records<'a>(Repr<'a>);

impl<'a> Records<'a> {
    /// Typed records with no trailing bytes.
    pub const fn new(records: &'a [Record]) -> Self {
        Records(Repr::Typed { records, trailing: &[] })
    }

    /// Typed records followed by `trailing` bytes (at most 13 to round-trip: a longer
    /// tail decodes as further records).
    pub const fn with_trailing(records: &'a [Record], trailing: &'a [u8]) -> Self {
        Records(Repr::Typed { records, trailing })
    }

    /// The records packed in a decoded DBG_FRAME1 payload: `payload.len() / 14` records
    /// and `payload.len() % 14` trailing bytes.
    pub const fn from_payload(payload: &'a [u8]) -> Self {
        Records(Repr::Raw(payload))
    }

    /// Number of whole records.
    pub fn len(&self) -> usize {
        match self.0 {
            Repr::Typed { records, .. } => records.len(),
            Repr::Raw(bytes) => bytes.len() / Record::SIZE,
        }
    }

    /// True when there is no whole record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th record.
    pub fn get(&self, i: usize) -> Option<Record> {
        match self.0 {
            Repr::Typed { records, .. } => records.get(i).copied(),
            Repr::Raw(bytes) => Record::parse(bytes.get(i.checked_mul(Record::SIZE)?..)?),
        }
    }

    /// The bytes after the last whole record.
    pub fn trailing(&self) -> &'a [u8] {
        match self.0 {
            Repr::Typed { trailing, .. } => trailing,
            Repr::Raw(bytes) => bytes.chunks_exact(Record::SIZE).remainder(),
        }
    }

    /// Payload size in bytes (records and trailing bytes), saturating at `usize::MAX`.
    pub fn payload_len(&self) -> usize {
        match self.0 {
            Repr::Typed { records, trailing } => {
                records.len().saturating_mul(Record::SIZE).saturating_add(trailing.len())
            }
            Repr::Raw(bytes) => bytes.len(),
        }
    }

    /// Iterates over the records.
    pub fn iter(&self) -> RecordIter<'a> {
        match self.0 {
            Repr::Typed { records, .. } => RecordIter(IterRepr::Typed(records.iter())),
            Repr::Raw(bytes) => RecordIter(IterRepr::Raw(bytes.chunks_exact(Record::SIZE))),
        }
    }
}

impl<'a> IntoIterator for Records<'a> {
    type Item = Record;
    type IntoIter = RecordIter<'a>;
    fn into_iter(self) -> RecordIter<'a> {
        self.iter()
    }
}

impl PartialEq for Records<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.trailing() == other.trailing() && self.iter().eq(other.iter())
    }
}

impl Eq for Records<'_> {}

impl fmt::Debug for Records<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Records");
        d.field("records", &DebugList(*self));
        if !self.trailing().is_empty() {
            d.field("trailing", &Hex(self.trailing()));
        }
        d.finish()
    }
}

struct DebugList<'a>(Records<'a>);

impl fmt::Debug for DebugList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Records<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// Fuzzing input: mostly the decoded form (arbitrary payload bytes, that is `len / 14`
/// records and `len % 14` trailing bytes), sometimes the typed form with no record and an
/// arbitrary tail, which the encoder refuses when it is 14 bytes or longer. (Typed records
/// cannot be borrowed from fuzz input; build them from a `Vec<Record>` instead.)
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Records<'a> {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let typed_tail = u.ratio(1u8, 4)?;
        let bytes = <&'a [u8]>::arbitrary(u)?;
        Ok(if typed_tail { Records::with_trailing(&[], bytes) } else { Records::from_payload(bytes) })
    }

    fn arbitrary_take_rest(mut u: arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let typed_tail = u.ratio(1u8, 4)?;
        let bytes = <&'a [u8]>::arbitrary_take_rest(u)?;
        Ok(if typed_tail { Records::with_trailing(&[], bytes) } else { Records::from_payload(bytes) })
    }

    fn size_hint(depth: usize) -> (usize, Option<usize>) {
        arbitrary::size_hint::and(<u8 as arbitrary::Arbitrary>::size_hint(depth), (0, None))
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Records<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "Records {{ len: {=usize}, trailing: {=usize} }}", self.len(), self.trailing().len());
    }
}

#[derive(Clone)]
enum IterRepr<'a> {
    Typed(Iter<'a, Record>),
    Raw(ChunksExact<'a, u8>),
}

/// Iterator over the records of [`Records`].
#[derive(Clone)]
pub struct RecordIter<'a>(IterRepr<'a>);

impl Iterator for RecordIter<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        match &mut self.0 {
            IterRepr::Typed(it) => it.next().copied(),
            IterRepr::Raw(it) => it.next().and_then(Record::parse),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IterRepr::Typed(it) => it.size_hint(),
            IterRepr::Raw(it) => it.size_hint(),
        }
    }
}

impl ExactSizeIterator for RecordIter<'_> {}

impl fmt::Debug for RecordIter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordIter").field("remaining", &self.len()).finish()
    }
}
