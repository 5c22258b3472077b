//! The 14-byte debug record (`McDbgPayload`) and lost-frame tracking by sequence number.

use core::fmt;
use core::slice::{ChunksExact, Iter};

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
        let word = |i: usize| [bytes[2 * i], bytes[2 * i + 1]];
        let mut payload = [0i16; 6];
        for (k, v) in payload.iter_mut().enumerate() {
            *v = i16::from_le_bytes(word(k + 1));
        }
        Record { seq: u16::from_le_bytes(word(0)), payload }
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

/// Counts frames lost between records, from their sequence numbers.
///
/// `seq` counts modulo 65536 across packets. After each record, `lost` grows by
/// `(seq - (prev + 1)) mod 65536`, where `prev` is the previous record's `seq` (the first
/// record ever seen has no predecessor). A repeated or backward `seq` therefore counts as
/// a gap of almost 65536: the counter is a faithful function of the sequence numbers, not
/// a guess about what the sender meant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SeqTracker {
    prev: Option<u16>,
    lost: u64,
}

/// The `seq`s of one packet's records, read in order, summarised for [`SeqTracker`]: the
/// first, the last and the frames lost between them (the sum of the gaps that
/// [`SeqTracker::observe`] would return for every record but the first; it cannot overflow
/// within a packet). The scanner fills one while it walks a packet for its CRC; the
/// general decode while it walks the records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PacketSeqs(Option<(u16, u16, u64)>);

impl PacketSeqs {
    /// Adds the next record's `seq`.
    #[inline(always)]
    pub(crate) fn push(&mut self, seq: u16) {
        match &mut self.0 {
            Some((_, last, lost)) => {
                *lost += u64::from(seq.wrapping_sub(last.wrapping_add(1)));
                *last = seq;
            }
            None => self.0 = Some((seq, seq, 0)),
        }
    }
}

impl SeqTracker {
    /// A tracker that has seen no record.
    pub const fn new() -> Self {
        SeqTracker { prev: None, lost: 0 }
    }

    /// Accounts for one record and returns how many frames were lost just before it.
    pub fn observe(&mut self, seq: u16) -> u16 {
        let gap = match self.prev {
            Some(prev) => seq.wrapping_sub(prev.wrapping_add(1)),
            None => 0,
        };
        self.prev = Some(seq);
        self.lost = self.lost.saturating_add(u64::from(gap));
        gap
    }

    /// Accounts for every record of a packet and returns its [`SeqSpan`] (`None` for a
    /// packet without records).
    pub fn observe_all(&mut self, records: impl IntoIterator<Item = Record>) -> Option<SeqSpan> {
        let mut span: Option<SeqSpan> = None;
        for r in records {
            self.extend_span(&mut span, r.seq);
        }
        span
    }

    /// Accounts for the next record of a packet whose span so far is `span`.
    fn extend_span(&mut self, span: &mut Option<SeqSpan>, seq: u16) {
        let gap = u64::from(self.observe(seq));
        match span {
            Some(s) => {
                s.last_seq = seq;
                s.lost = s.lost.saturating_add(gap);
            }
            None => *span = Some(SeqSpan { first_seq: seq, last_seq: seq, lost: gap }),
        }
    }

    /// Accounts for a whole packet at once from the summary of its records' `seq`s. Gives
    /// the same state and span as [`observe_all`](Self::observe_all) over the records
    /// (`None`, and no change, for a packet without records).
    pub(crate) fn extend_packet(&mut self, seqs: PacketSeqs) -> Option<SeqSpan> {
        let (first, last, lost_inside) = seqs.0?;
        let before = match self.prev {
            Some(prev) => first.wrapping_sub(prev.wrapping_add(1)),
            None => 0,
        };
        let lost = u64::from(before) + lost_inside;
        self.prev = Some(last);
        self.lost = self.lost.saturating_add(lost);
        Some(SeqSpan { first_seq: first, last_seq: last, lost })
    }

    /// Frames lost so far.
    pub fn lost(&self) -> u64 {
        self.lost
    }

    /// The last sequence number seen.
    pub fn last_seq(&self) -> Option<u16> {
        self.prev
    }

    /// Forgets everything, as at the start of a stream.
    pub fn reset(&mut self) {
        *self = SeqTracker::new();
    }
}

/// The sequence numbers of one DBG_FRAME1 packet and the frames lost up to its last record
/// (including the gap between the previous packet's last record and its first one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SeqSpan {
    /// `seq` of the packet's first record.
    pub first_seq: u16,
    /// `seq` of the packet's last record.
    pub last_seq: u16,
    /// Frames lost before and inside this packet.
    pub lost: u64,
}

#[cfg(all(test, feature = "arbitrary"))]
mod arbitrary_tests {
    use arbitrary::{Arbitrary, Unstructured};

    use super::{Record, Records};
    use crate::vectordebug::{Message, PacketType};

    #[test]
    fn fuzz_input_reaches_both_forms_of_records_and_never_a_non_canonical_type() {
        let (mut raw_records, mut long_tails) = (0, 0);
        for seed in 0..=255u8 {
            let mut data = [0u8; 64];
            for (i, b) in (0u8..).zip(data.iter_mut()) {
                *b = seed.wrapping_mul(31).wrapping_add(i.wrapping_mul(seed | 1));
            }
            let records = Records::arbitrary(&mut Unstructured::new(&data)).unwrap();
            raw_records += usize::from(!records.is_empty());
            long_tails += usize::from(records.trailing().len() >= Record::SIZE);
            // Whatever form, the typed view is consistent with the payload length.
            assert_eq!(records.payload_len(), records.len() * Record::SIZE + records.trailing().len());
            let t = PacketType::arbitrary(&mut Unstructured::new(&data)).unwrap();
            assert_eq!(PacketType::from(t.as_u8()), t);
            let msg = Message::arbitrary_take_rest(Unstructured::new(&data)).unwrap();
            let mut out = [0u8; 256];
            match msg.emit(&mut out) {
                Ok(n) => assert_eq!(Message::decode_wire(&out[..n], &mut [0; 128]), Ok(msg)),
                Err(e) => assert_eq!(msg.validate(), Err(e)),
            }
        }
        assert!(raw_records > 0 && long_tails > 0, "{raw_records} {long_tails}");
    }
}
