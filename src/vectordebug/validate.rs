//! Validation of a packet straight from its COBS bytes, with no decode buffer: the blocks
//! are walked ([`cobs::walk`]), the CRC digest is fed block by block (plus the implied
//! zeros), and the five header bytes, the two CRC bytes and every record's `seq` are picked
//! up on the way. The scanner keeps what it learned for the frame it reports.

use super::error::Error;
use super::frame::{PacketType, field};
use super::record::Record;
use super::seq::PacketSeqs;
use crate::buf;
use crate::cobs::{self, CobsError, Segment};
use crate::crc::crc16_digest;

/// What validation learned about a packet while walking its COBS bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Header {
    pub(super) packet_type: u8,
    pub(super) len: u32,
    pub(super) crc: u16,
    pub(super) decoded_len: usize,
}

/// Validates one chunk (COBS bytes without the delimiter) as a packet of at most
/// `max_packet` decoded bytes, without decoding it anywhere. Checks, in this order: strict
/// COBS, decoded size ≥ 7, decoded size ≤ `max_packet`, CRC, `len` = size − 7.
pub(super) fn validate(c: &[u8], max_packet: usize) -> Result<Header, Error> {
    check(c, max_packet, Checks { crc: true, zeros: true }, |_| {})
}

/// What the scanner's validation of a chunk learned, so that the frame it reports need not
/// be walked again: the header fields and the records' sequence numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Scanned {
    pub(super) header: Header,
    /// The records' `seq`s (none unless DBG_FRAME1 with records).
    pub(super) seqs: PacketSeqs,
}

/// [`validate`] for a chunk cut at its first delimiter (it holds no 0x00 to look for),
/// collecting the records' sequence numbers on the way (the CRC walk visits every block
/// anyway).
pub(super) fn scan_chunk(c: &[u8], max_packet: usize) -> Result<Scanned, Error> {
    #[cfg(feature = "speed-over-size")]
    return scan_chunk_one_walk(c, max_packet);
    #[cfg(not(feature = "speed-over-size"))]
    scan_chunk_two_walks(c, max_packet)
}

/// [`scan_chunk`] as [`check`] does it: the code bytes walked for the structure and the
/// size, then the blocks for the CRC (up to the trailer, whose place the size tells).
fn scan_chunk_two_walks(c: &[u8], max_packet: usize) -> Result<Scanned, Error> {
    let mut seqs = PacketSeqs::default();
    let header = check(c, max_packet, Checks { crc: true, zeros: false }, |seq| seqs.push(seq))?;
    Ok(Scanned { header, seqs })
}

/// [`scan_chunk`] in one walk over the blocks (host builds: it costs code size), with the
/// same result and errors as [`scan_chunk_two_walks`]. The structure, the size, the CRC and
/// the records' `seq`s are taken together, which needs two things known before the end:
/// * the records' end, from the header's `len` rather than from the size (they agree in a
///   valid packet, and in any other the `seq`s are dropped);
/// * the CRC of the bytes before the trailer: the digest takes every decoded byte, and
///   [`unfeed`] then takes the two trailer bytes back out of the register.
///
/// A chunk whose chain of code bytes does not end exactly at its end (most garbage) is a
/// COBS error that costs the CRC nothing in the two walks: a first hop over the code bytes
/// alone (a few instructions per block) sends it there.
#[cfg(feature = "speed-over-size")]
fn scan_chunk_one_walk(c: &[u8], max_packet: usize) -> Result<Scanned, Error> {
    let mut hop = 0;
    while let Some(&code) = c.get(hop).filter(|&&code| code != 0) {
        hop += usize::from(code);
    }
    if c.is_empty() || hop != c.len() {
        return scan_chunk_two_walks(c, max_packet);
    }
    let (packet_type, len) = read_header(c);
    let records = if packet_type == PacketType::DBG_FRAME1 { len / Record::SIZE as u32 } else { 0 };
    let records_end = usize::try_from(records)
        .map_or(usize::MAX, |r| r.saturating_mul(Record::SIZE).saturating_add(field::HEADER_LEN));
    let mut seqs = PacketSeqs::default();
    let mut on_seq = |seq| seqs.push(seq);
    let mut digest = crc16_digest();
    let mut walk = SeqWalk { next: field::HEADER_LEN, at: 0, low: None, end: records_end };
    let mut tail = [0u8; 2];
    let n = cobs::walk::<CobsError>(c, false, |segment| {
        match segment {
            Segment::Data(block) => {
                digest.update(block);
                walk.segment(block, &mut on_seq);
                tail = last_two(tail, block);
            }
            Segment::Zero => {
                digest.update(&[0]);
                walk.zero(&mut on_seq);
                tail = [tail[1], 0];
            }
        }
        Ok(())
    })?;
    check_size(n, max_packet)?;
    let received = u16::from_le_bytes(tail);
    let computed = unfeed(unfeed(digest.finalize(), tail[1]), tail[0]);
    if received != computed {
        return Err(Error::CrcMismatch { received, computed });
    }
    check_len(len, n)?;
    Ok(Scanned { header: Header { packet_type, len, crc: received, decoded_len: n }, seqs })
}

/// The CRC-16 register before `byte` was fed to it, given the register after: the table
/// step run backwards, one bit at a time (8 steps per byte, two bytes per packet).
/// CRC-16/IBM-3740 shifts left (no reflection) and its polynomial is odd, so the low bit
/// of a register tells whether the polynomial was XORed in by the step that made it.
#[cfg(feature = "speed-over-size")]
fn unfeed(mut register: u16, byte: u8) -> u16 {
    const POLY: u16 = ::crc::CRC_16_IBM_3740.poly;
    for _ in 0..8 {
        register = if register & 1 == 1 { ((register ^ POLY) >> 1) | 0x8000 } else { register >> 1 };
    }
    register ^ (u16::from(byte) << 8)
}

/// [`scan_chunk`] without the CRC, for a chunk whose CRC the scanner has verified
/// (the CRC is most of the cost of validation; the rest is a walk over the code bytes).
pub(super) fn validate_known_crc(c: &[u8], max_packet: usize) -> Result<Header, Error> {
    check(c, max_packet, Checks { crc: false, zeros: false }, |_| {})
}

/// Which of the checks of [`validate`] a caller needs.
#[derive(Clone, Copy)]
struct Checks {
    crc: bool,
    zeros: bool,
}

/// Inlined into each caller, so that its constant `checks` remove the code it does not need.
/// With the CRC, `on_seq` is called with the `seq` of every record of a DBG_FRAME1 packet,
/// in order, before the CRC is compared.
#[inline(always)]
fn check(c: &[u8], max_packet: usize, checks: Checks, on_seq: impl FnMut(u16)) -> Result<Header, Error> {
    let mut tail = [0u8; 2];
    let n = cobs::walk::<CobsError>(c, checks.zeros, |segment| {
        tail = match segment {
            Segment::Data(block) => last_two(tail, block),
            Segment::Zero => [tail[1], 0],
        };
        Ok(())
    })?;
    check_size(n, max_packet)?;
    let (packet_type, len) = read_header(c);
    let received = u16::from_le_bytes(tail);
    if checks.crc {
        let records_end = records_end(packet_type, n);
        let computed = crc_before_trailer(c, n - field::CRC_LEN, records_end, on_seq);
        if received != computed {
            return Err(Error::CrcMismatch { received, computed });
        }
    }
    check_len(len, n)?;
    Ok(Header { packet_type, len, crc: received, decoded_len: n })
}

/// The `type` and `len` of the header at the start of a chunk (zeros for missing bytes).
#[inline(always)]
fn read_header(c: &[u8]) -> (u8, u32) {
    let mut header = [0u8; field::HEADER_LEN];
    let mut bytes = cobs::DecodedBytes::new(c);
    for slot in &mut header {
        *slot = bytes.next().unwrap_or(0);
    }
    (header[field::TYPE], buf::u32_le(&header, field::LEN.start).unwrap_or(0))
}

/// A packet of `n` decoded bytes has room for its header and CRC and is within the limit.
#[inline(always)]
fn check_size(n: usize, max_packet: usize) -> Result<(), Error> {
    if n < field::OVERHEAD {
        return Err(Error::TooShort { decoded: n });
    }
    if n > max_packet {
        return Err(Error::TooLong { decoded: n, max: max_packet });
    }
    Ok(())
}

/// A packet's `len` is its decoded size `n` (≥ 7) less the header and CRC.
#[inline(always)]
fn check_len(len: u32, n: usize) -> Result<(), Error> {
    let actual = n - field::OVERHEAD;
    if usize::try_from(len).ok() != Some(actual) {
        return Err(Error::LenMismatch { len, actual });
    }
    Ok(())
}

/// Decoded offset of the end of the last whole record of a packet of `n` ≥ 7 decoded bytes
/// (the header's end when it has none, or is not DBG_FRAME1).
fn records_end(packet_type: u8, n: usize) -> usize {
    let records = if packet_type == PacketType::DBG_FRAME1 { (n - field::OVERHEAD) / Record::SIZE } else { 0 };
    field::HEADER_LEN + records * Record::SIZE
}

/// The CRC of the first `crc_end` decoded bytes of a chunk whose structure is valid: each
/// block's data is fed to the digest in one call, and the implied zero after it in one
/// table step (most blocks of real data are a few dozen bytes, so per-call costs count).
/// Reports the `seq`s of the records that end by `records_end` (≤ `crc_end`) to `on_seq`.
#[inline(always)]
fn crc_before_trailer(c: &[u8], crc_end: usize, records_end: usize, mut on_seq: impl FnMut(u16)) -> u16 {
    let mut digest = crc16_digest();
    let mut walk = SeqWalk { next: field::HEADER_LEN, at: 0, low: None, end: records_end };
    let (mut i, mut p) = (0usize, 0usize);
    while p < crc_end {
        // (A zero code byte cannot occur in a valid structure; it would not advance.)
        let Some(&code) = c.get(i).filter(|&&code| code != 0) else { break };
        let end = (i + usize::from(code)).min(c.len());
        let block = c.get(i + 1..end).unwrap_or(&[]);
        let take = block.len().min(crc_end - p);
        digest.update(block.get(..take).unwrap_or(block));
        walk.segment(block, &mut on_seq);
        p += take;
        if p < crc_end && code != 0xFF && end < c.len() {
            digest.update(&[0]);
            walk.zero(&mut on_seq);
            p += 1;
        }
        i = end;
    }
    digest.finalize()
}

/// Calls `f` with the `seq` of every record that ends by `records_end` (a decoded offset)
/// in the valid COBS bytes `c`, in order. Picks the two bytes of each record out of the
/// blocks instead of decoding every byte, which is what loss counting needs.
#[inline(always)]
pub(super) fn for_each_seq(c: &[u8], records_end: usize, mut f: impl FnMut(u16)) {
    // One loop over the code bytes (no per-block callback) inlined into its caller, so that
    // `f`'s state stays in registers.
    let mut walk = SeqWalk { next: field::HEADER_LEN, at: 0, low: None, end: records_end };
    let mut i = 0usize;
    while let Some(&code) = c.get(i) {
        if code == 0 || walk.at >= records_end {
            return;
        }
        let block_end = (i + usize::from(code)).min(c.len());
        walk.segment(c.get(i + 1..block_end).unwrap_or(&[]), &mut f);
        if code != 0xFF && block_end < c.len() {
            walk.zero(&mut f);
        }
        i = block_end;
    }
}

/// The last two decoded bytes after `block`, given the two before it.
#[inline(always)]
fn last_two(before: [u8; 2], block: &[u8]) -> [u8; 2] {
    match *block {
        [.., a, b] => [a, b],
        [b] => [before[1], b],
        [] => before,
    }
}

/// Where a walk that picks out the records' `seq`s ([`for_each_seq`], the scanner's CRC
/// walk) is in the decoded bytes.
struct SeqWalk {
    /// Decoded offset of the next `seq` byte wanted.
    next: usize,
    /// Decoded offset of the segment's first byte.
    at: usize,
    /// The low byte of a `seq` split across two segments.
    low: Option<u8>,
    /// End of the last whole record.
    end: usize,
}

impl SeqWalk {
    /// Reports the `seq`s in one segment of decoded bytes (a block's data or an implied
    /// zero) and moves past it.
    #[inline(always)]
    fn segment(&mut self, seg: &[u8], f: &mut impl FnMut(u16)) {
        // Past the records (the CRC walk goes on to the end): nothing to look for. Before
        // that, `next` is never behind `at`: it is the offset of a byte not yet seen.
        if self.next >= self.end {
            return;
        }
        let seg_end = self.at + seg.len();
        if let Some(lo) = self.low {
            let Some(&hi) = seg.first() else { return };
            f(u16::from_le_bytes([lo, hi]));
            self.low = None;
            self.next += Record::SIZE - 1;
        }
        // The records starting in this segment: one 14-byte chunk each (the common case:
        // no index to check), then a record cut by the end of the segment, whose `seq` may
        // be whole or have only its low byte here.
        let stop = seg_end.min(self.end);
        if let Some(part) = seg.get(self.next - self.at..stop.saturating_sub(self.at)) {
            let mut records = part.chunks_exact(Record::SIZE);
            for record in &mut records {
                if let [lo, hi, ..] = *record {
                    f(u16::from_le_bytes([lo, hi]));
                }
            }
            self.next += part.len() - records.remainder().len();
            match *records.remainder() {
                [lo, hi, ..] => {
                    f(u16::from_le_bytes([lo, hi]));
                    self.next += Record::SIZE;
                }
                [lo] => {
                    self.low = Some(lo);
                    self.next += 1;
                }
                [] => {}
            }
        }
        self.at = seg_end;
    }

    /// [`segment`](Self::segment) for an implied zero (a third of the segments of real
    /// data): the one byte is a `seq` byte or not.
    #[inline(always)]
    fn zero(&mut self, f: &mut impl FnMut(u16)) {
        if let Some(lo) = self.low.take() {
            f(u16::from(lo));
            self.next += Record::SIZE - 1;
        } else if self.next == self.at && self.next < self.end {
            self.low = Some(0);
            self.next += 1;
        }
        self.at += 1;
    }
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::*;
    use crate::vectordebug::record::Records;

    /// The wire bytes (COBS, no delimiter) of a packet of any type and payload, CRC in
    /// place, with `len` off by `len_delta`.
    fn chunk(packet_type: u8, len_delta: u32, payload: &[u8]) -> Vec<u8> {
        let mut raw = std::vec![packet_type];
        raw.extend_from_slice(&(payload.len() as u32 + len_delta).to_le_bytes());
        raw.extend_from_slice(payload);
        let crc = crate::crc::crc16(&raw);
        raw.extend_from_slice(&crc.to_le_bytes());
        let mut out = std::vec![0u8; cobs::max_encoded_len(raw.len())];
        let n = cobs::encode(&raw, &mut out).unwrap();
        out.truncate(n);
        out
    }

    fn record_bytes(records: &[Record]) -> Vec<u8> {
        records.iter().flat_map(Record::to_bytes).collect()
    }

    /// The one-walk scan (host builds) gives what the two walks give, error values
    /// included: valid packets of each type (records across 254-byte blocks, trailing
    /// bytes, zeros in the CRC), each with every byte changed in turn, cut short, and with
    /// a `len` that disagrees with the size.
    #[cfg(feature = "speed-over-size")]
    #[test]
    fn one_walk_scan_matches_two_walks() {
        let records: Vec<Record> =
            (0..40u16).map(|i| Record { seq: i.wrapping_mul(0x00FF), payload: [i as i16, 0, -1, 256, 0, 7] }).collect();
        let mut packets = Vec::new();
        for count in [0, 1, 18, 19, 40] {
            packets.push(chunk(PacketType::DBG_FRAME1, 0, &record_bytes(&records[..count])));
        }
        for (packet_type, payload) in
            [(3u8, &[1u8, 0, 2, 0, 0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15][..]), (1, b"hi\0"), (9, &[])]
        {
            for len_delta in [0u32, 1] {
                packets.push(chunk(packet_type, len_delta, payload));
            }
        }
        let mut valid = 0;
        for packet in &packets {
            let mut cases = std::vec![packet.clone()];
            for at in 0..packet.len() {
                for flip in [0x01u8, 0x80, 0xFF] {
                    let mut bad = packet.clone();
                    bad[at] ^= flip;
                    if bad[at] != 0 {
                        cases.push(bad);
                    }
                }
                cases.push(packet[..at].to_vec());
            }
            for case in &cases {
                for max_packet in [16384, 40] {
                    let one = scan_chunk_one_walk(case, max_packet);
                    assert_eq!(one, scan_chunk_two_walks(case, max_packet), "{case:02x?}");
                    valid += usize::from(one.is_ok());
                }
            }
        }
        assert!(valid >= 10, "{valid}");
    }

    #[test]
    fn seq_walk_matches_decoded_records_across_blocks_and_zeros() {
        // Sequence numbers with zero bytes (0x0000, 0x0100, 0x00FF) and records that
        // straddle the 254-byte COBS blocks.
        let records: Vec<Record> = (0..300u16)
            .map(|i| Record { seq: i.wrapping_mul(0x00FF), payload: [i as i16, 0, -1, 256, 0, i16::MIN] })
            .collect();
        let c = chunk(PacketType::DBG_FRAME1, 0, &record_bytes(&records));
        let header = validate(&c, 16384).unwrap();
        assert_eq!(validate_known_crc(&c, 16384), Ok(header));
        let mut walked = Vec::new();
        for_each_seq(&c, records_end(header.packet_type, header.decoded_len), |s| walked.push(s));
        let mut decoded = std::vec![0u8; header.decoded_len];
        let n = cobs::decode(&c, &mut decoded).unwrap();
        let payload = &decoded[field::HEADER_LEN..n - field::CRC_LEN];
        let expected: Vec<u16> = Records::from_payload(payload).iter().map(|r| r.seq).collect();
        assert_eq!(walked, expected);
        assert_eq!(walked.len(), 300);
        let mut seqs = PacketSeqs::default();
        expected.iter().for_each(|&s| seqs.push(s));
        assert_eq!(scan_chunk(&c, 16384), Ok(Scanned { header, seqs }));
    }
}
