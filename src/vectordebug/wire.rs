//! The encoded packet as found in a stream: validation straight from the COBS bytes (no
//! decode buffer), a zero-copy view that decodes on the fly, and resynchronisation.

use core::fmt;

use crate::fmt::DebugIter;

use super::error::Error;
use super::packet::{Packet, PacketType, field};
use super::record::{PacketSeqs, Record, SeqSpan};
use crate::cobs::{self, CobsError};
use crate::crc::crc16_digest;

/// What validation learned about a packet while walking its COBS bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) packet_type: u8,
    pub(crate) len: u32,
    pub(crate) crc: u16,
    pub(crate) decoded_len: usize,
}

/// What a walk over a chunk's code bytes learned: the decoded size and the last two
/// decoded bytes (the CRC field of a packet).
struct Structure {
    decoded: usize,
    tail: [u8; 2],
}

/// A piece of a chunk's decoded bytes, as [`cobs_structure_with`] walks them.
#[cfg_attr(
    not(feature = "speed-over-size"),
    expect(dead_code, reason = "only the one-walk scan (speed-over-size) reads them")
)]
enum Segment<'a> {
    /// A block's data.
    Data(&'a [u8]),
    /// The zero implied after a block.
    Zero,
}

/// Walks the blocks of a chunk with the rules (and the error order) of the strict decoder
/// [`cobs::decode`] and returns the decoded size, without writing anything. O(n).
pub(crate) fn cobs_structure(c: &[u8]) -> Result<usize, CobsError> {
    cobs_structure_with(c, true, |_| {}).map(|s| s.decoded)
}

/// [`cobs_structure`], also picking up the last two decoded bytes; without `find_zeros`
/// the blocks are not searched for a 0x00 (for a chunk cut at its first delimiter, which
/// has none). One step per block, not per byte: `on_segment` is handed the decoded bytes
/// in order, each block's data once its checks pass and then its implied zero, if any.
#[inline(always)]
fn cobs_structure_with(
    c: &[u8],
    find_zeros: bool,
    mut on_segment: impl FnMut(Segment<'_>),
) -> Result<Structure, CobsError> {
    if c.is_empty() {
        return Err(CobsError::Empty);
    }
    let (mut i, mut n, mut previous_full, mut tail) = (0usize, 0usize, false, [0u8; 2]);
    while let Some(&code) = c.get(i) {
        let code = usize::from(code);
        if code == 0 {
            return Err(CobsError::ZeroByte { at: i });
        }
        let end = i + code;
        let Some(block) = c.get(i + 1..end) else { return Err(CobsError::Overrun { at: i }) };
        if find_zeros {
            if let Some(z) = memchr::memchr(0, block) {
                return Err(CobsError::ZeroByte { at: i + 1 + z });
            }
        }
        if code == 1 && end == c.len() && previous_full {
            return Err(CobsError::NonCanonical { at: i });
        }
        match *block {
            [.., a, b] => tail = [a, b],
            [b] => tail = [tail[1], b],
            [] => {}
        }
        on_segment(Segment::Data(block));
        n += code - 1;
        if code != 0xFF && end < c.len() {
            n += 1;
            tail = [tail[1], 0];
            on_segment(Segment::Zero);
        }
        previous_full = code == 0xFF;
        i = end;
    }
    Ok(Structure { decoded: n, tail })
}

/// Validates one chunk (COBS bytes without the delimiter) as a packet of at most
/// `max_packet` decoded bytes, without decoding it anywhere. Checks, in this order: strict
/// COBS, decoded size ≥ 7, decoded size ≤ `max_packet`, CRC, `len` = size − 7.
pub(crate) fn validate(c: &[u8], max_packet: usize) -> Result<Header, Error> {
    check(c, max_packet, Checks { crc: true, zeros: true }, |_| {})
}

/// What the scanner's validation of a chunk learned, so that the frame it reports need not
/// be walked again: the header fields and the records' sequence numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Scanned {
    pub(crate) header: Header,
    /// The records' `seq`s (none unless DBG_FRAME1 with records).
    pub(crate) seqs: PacketSeqs,
}

/// [`validate`] for a chunk cut at its first delimiter (it holds no 0x00 to look for),
/// collecting the records' sequence numbers on the way (the CRC walk visits every block
/// anyway).
pub(crate) fn scan_chunk(c: &[u8], max_packet: usize) -> Result<Scanned, Error> {
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
    let Structure { decoded: n, tail } = cobs_structure_with(c, false, |segment| match segment {
        Segment::Data(block) => {
            digest.update(block);
            walk.segment(block, &mut on_seq);
        }
        Segment::Zero => {
            digest.update(&[0]);
            walk.zero(&mut on_seq);
        }
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
pub(crate) fn validate_known_crc(c: &[u8], max_packet: usize) -> Result<Header, Error> {
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
    let Structure { decoded: n, tail } = cobs_structure_with(c, checks.zeros, |_| {})?;
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
    let mut bytes = CobsBytes::new(c);
    for slot in &mut header {
        *slot = bytes.next().unwrap_or(0);
    }
    let [packet_type, l0, l1, l2, l3] = header;
    (packet_type, u32::from_le_bytes([l0, l1, l2, l3]))
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

/// Bits in the resynchronisation bitset: covers every chunk of the default configuration
/// (`max_frame_len` 16450).
const RESYNC_BITS: usize = 258 * 64;
/// Candidates that pass the cheap filters and get a full (CRC) check, at most, per chunk.
const RESYNC_FULL_CHECKS: usize = 8;

/// Finds the smallest `q` in `1..c.len()` such that `c[q..]` validates as a packet.
///
/// Cost: one right-to-left pass marks, in a fixed bitset on the stack (2 KiB), every
/// position whose chain of COBS code bytes lands exactly on the end of the chunk (chains
/// merge, so each position is looked at once: O(n)). Only such positions can start a
/// valid packet. Each of them is then filtered by its first five decoded bytes (`len`
/// must be consistent with the encoded size), and at most [`RESYNC_FULL_CHECKS`]
/// survivors get a full validation (O(n) each, CRC included). Chunks longer than the
/// bitset (only with `max_packet` above 16384) consider only the candidates in their last
/// `RESYNC_BITS` bytes.
/// `c` is a chunk cut at its first delimiter (no 0x00 in it).
pub(crate) fn resync(c: &[u8], max_packet: usize) -> Option<usize> {
    let z = c.len();
    let w = z.saturating_sub(RESYNC_BITS).max(1);
    if w >= z {
        return None;
    }
    let mut lands = [0u64; RESYNC_BITS / 64];
    let get = |bits: &[u64], i: usize| bits.get(i / 64).is_some_and(|word| word >> (i % 64) & 1 == 1);
    for p in (w..z).rev() {
        let code = usize::from(c.get(p).copied().unwrap_or(0));
        if code == 0 {
            continue;
        }
        let next = p + code;
        if next == z || (next < z && get(&lands, next - w)) {
            if let Some(word) = lands.get_mut((p - w) / 64) {
                *word |= 1 << ((p - w) % 64);
            }
        }
    }
    let mut budget = RESYNC_FULL_CHECKS;
    for q in w..z {
        if !get(&lands, q - w) {
            continue;
        }
        let sub = c.get(q..).unwrap_or(&[]);
        if !header_plausible(sub) {
            continue;
        }
        if budget == 0 {
            return None;
        }
        budget -= 1;
        if scan_chunk(sub, max_packet).is_ok() {
            return Some(q);
        }
    }
    None
}

/// Whether the `len` in the first five decoded bytes of `c` fits the encoded size: a
/// packet of `n` decoded bytes has between `n + 1` and `n + 1 + n / 254` COBS bytes.
fn header_plausible(c: &[u8]) -> bool {
    let mut header = [0u8; field::HEADER_LEN];
    let mut bytes = CobsBytes::new(c);
    for slot in header.iter_mut() {
        match bytes.next() {
            Some(b) => *slot = b,
            None => return false,
        }
    }
    let len = u64::from(u32::from_le_bytes([header[1], header[2], header[3], header[4]]));
    let n = len + field::OVERHEAD as u64;
    let m = c.len() as u64;
    n < m && m <= n + 1 + n / 254
}

/// Where [`WirePacket::for_each_seq`] is in the decoded bytes.
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

/// The decoded bytes of a COBS chunk, produced on the fly.
///
/// Meant for chunks that passed validation; on invalid input it stops early or yields
/// what the code bytes say, but never panics or reads out of bounds.
#[derive(Debug, Clone)]
pub struct CobsBytes<'a> {
    src: &'a [u8],
    pos: usize,
    block_end: usize,
    zero_after: bool,
}

impl<'a> CobsBytes<'a> {
    /// Decodes `src` (COBS bytes without the delimiter).
    pub fn new(src: &'a [u8]) -> Self {
        CobsBytes { src, pos: 0, block_end: 0, zero_after: false }
    }
}

impl Iterator for CobsBytes<'_> {
    type Item = u8;

    #[inline]
    fn next(&mut self) -> Option<u8> {
        loop {
            if self.pos < self.block_end {
                let b = self.src.get(self.pos).copied();
                self.pos += 1;
                return b;
            }
            if self.zero_after {
                self.zero_after = false;
                return Some(0);
            }
            let code = usize::from(*self.src.get(self.pos)?);
            if code == 0 {
                self.pos = self.src.len();
                return None;
            }
            let end = self.pos + code;
            self.zero_after = code != 0xFF && end < self.src.len();
            self.block_end = end.min(self.src.len());
            self.pos += 1;
        }
    }
}

/// The payload bytes of a [`WirePacket`], decoded on the fly.
#[derive(Debug, Clone)]
pub struct PayloadBytes<'a> {
    inner: CobsBytes<'a>,
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

/// The records of a DBG_FRAME1 [`WirePacket`], decoded on the fly.
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

/// One validated packet as it lies on the wire: a zero-copy view of its COBS bytes (and
/// delimiter), the item the stream decoder yields.
///
/// Nothing is decoded into a buffer: the header fields were read while validating, and
/// [`records`](Self::records) and [`payload_bytes`](Self::payload_bytes) decode COBS on
/// the fly. [`decode_into`](Self::decode_into) gives a contiguous [`Packet`] view when one
/// is wanted. The wire bytes re-encode exactly (the COBS decoder is strict).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct WirePacket<'a> {
    frame: &'a [u8],
    cobs: &'a [u8],
    header: Header,
    seq: Option<SeqSpan>,
}

impl<'a> WirePacket<'a> {
    /// Validates one wire frame: COBS bytes, optionally followed by its 0x00 delimiter, of
    /// a packet of at most `max_packet` decoded bytes (checks in the order of the stream
    /// decoder: COBS, size, CRC, `len`).
    pub fn new_checked(frame: &'a [u8], max_packet: usize) -> Result<Self, Error> {
        let cobs = frame.strip_suffix(&[0]).unwrap_or(frame);
        let header = validate(cobs, max_packet)?;
        Ok(WirePacket { frame, cobs, header, seq: None })
    }

    /// [`new_checked`](Self::new_checked) for a frame whose CRC the scanner has verified.
    pub(crate) fn new_known_crc(frame: &'a [u8], max_packet: usize) -> Result<Self, Error> {
        let cobs = frame.strip_suffix(&[0]).unwrap_or(frame);
        let header = validate_known_crc(cobs, max_packet)?;
        Ok(WirePacket { frame, cobs, header, seq: None })
    }

    /// The view of a frame whose header the scanner has read (and checked, CRC included).
    pub(crate) fn from_scanned(frame: &'a [u8], header: Header) -> Self {
        let cobs = frame.strip_suffix(&[0]).unwrap_or(frame);
        WirePacket { frame, cobs, header, seq: None }
    }

    /// Calls `f` with the `seq` of every record (DBG_FRAME1), in order. Picks the two
    /// bytes of each record out of the COBS blocks instead of decoding every byte, which
    /// is what the stream decoder's loss counting needs. One loop over the code bytes (no
    /// per-block callback) inlined into its caller, so that `f`'s state stays in registers.
    #[inline(always)]
    pub(crate) fn for_each_seq(&self, mut f: impl FnMut(u16)) {
        let end = field::HEADER_LEN + self.record_count() * Record::SIZE;
        let c = self.cobs;
        let mut walk = SeqWalk { next: field::HEADER_LEN, at: 0, low: None, end };
        let mut i = 0usize;
        while let Some(&code) = c.get(i) {
            if code == 0 || walk.at >= end {
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

    pub(crate) fn with_seq(mut self, seq: Option<SeqSpan>) -> Self {
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
        let mut inner = CobsBytes::new(self.cobs);
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

impl fmt::Debug for WirePacket<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("WirePacket");
        d.field("type", &self.packet_type()).field("len", &self.header.len).field("crc", &self.header.crc);
        d.field("wire_len", &self.frame.len()).field("seq", &self.seq);
        match self.packet_type() {
            PacketType::DbgFrame1 => {
                d.field("records", &DebugIter(self.records()));
                if self.trailing_len() > 0 {
                    d.field("trailing", &super::text::HexDisplay(self.trailing_bytes()));
                }
            }
            PacketType::Cli => {
                d.field("data", &super::text::HexDisplay(self.payload_bytes()));
            }
            PacketType::Unknown(_) => {
                d.field("payload", &super::text::HexDisplay(self.payload_bytes()));
            }
        }
        d.finish()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for WirePacket<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use super::json::{Fields, Json};
        let fields = match self.packet_type() {
            PacketType::DbgFrame1 => Fields::Dbg { records: self.records() },
            PacketType::Cli => Fields::Cli { data: self.payload_bytes() },
            PacketType::Unknown(packet_type) => Fields::Unknown { packet_type },
        };
        Json(fields).serialize(s)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for WirePacket<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "WirePacket {{ type: {=u8}, len: {=u32}, records: {=usize}, wire_len: {=usize} }}",
            self.type_byte(),
            self.header.len,
            self.record_count(),
            self.frame.len()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectordebug::{Message, Records};

    /// The one-walk scan (host builds) gives what the two walks give, error values
    /// included: valid packets of each type (records across 254-byte blocks, trailing
    /// bytes, zeros in the CRC), each with every byte changed in turn, cut short, and with
    /// a `len` that disagrees with the size.
    #[cfg(feature = "speed-over-size")]
    #[test]
    fn one_walk_scan_matches_two_walks() {
        use crate::vectordebug::Message;
        let records: std::vec::Vec<Record> =
            (0..40u16).map(|i| Record { seq: i.wrapping_mul(0x00FF), payload: [i as i16, 0, -1, 256, 0, 7] }).collect();
        let mut packets = std::vec::Vec::new();
        for count in [0, 1, 18, 19, 40] {
            let mut out = [0u8; 1024];
            let n = Message::DbgFrame1 { records: Records::new(&records[..count]) }.emit(&mut out).unwrap();
            packets.push(out[..n - 1].to_vec());
        }
        let mut raw = std::vec::Vec::new();
        for (packet_type, payload) in
            [(3u8, &[1u8, 0, 2, 0, 0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15][..]), (1, b"hi\0"), (9, &[])]
        {
            // A packet of any type and payload, CRC in place, `len` right or off by one.
            for len_delta in [0u32, 1] {
                raw.clear();
                raw.push(packet_type);
                raw.extend_from_slice(&(payload.len() as u32 + len_delta).to_le_bytes());
                raw.extend_from_slice(payload);
                let crc = crate::crc::crc16(&raw);
                raw.extend_from_slice(&crc.to_le_bytes());
                let mut out = [0u8; 64];
                let n = cobs::encode(&raw, &mut out).unwrap();
                packets.push(out[..n].to_vec());
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
        let records: std::vec::Vec<Record> = (0..300u16)
            .map(|i| Record { seq: i.wrapping_mul(0x00FF), payload: [i as i16, 0, -1, 256, 0, i16::MIN] })
            .collect();
        let mut out = std::vec![0u8; 8192];
        let n = Message::DbgFrame1 { records: Records::new(&records) }.emit(&mut out).unwrap();
        for frame in [&out[..n], &out[..n - 1]] {
            let packet = WirePacket::new_checked(frame, 16384).unwrap();
            let mut walked = std::vec::Vec::new();
            packet.for_each_seq(|s| walked.push(s));
            let decoded: std::vec::Vec<u16> = packet.records().map(|r| r.seq).collect();
            assert_eq!(walked, decoded);
            assert_eq!(walked.len(), 300);
            let trusted = WirePacket::new_known_crc(frame, 16384).unwrap();
            assert_eq!(trusted, packet);
        }
    }
}
