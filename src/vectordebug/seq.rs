//! Lost-frame tracking: the records' sequence numbers, counted across packets.

use super::record::Record;

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
