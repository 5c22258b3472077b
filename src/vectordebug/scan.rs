//! The dialect: its configuration, the scanner that finds packets in a stream (and
//! recovers a packet hidden behind garbage), the decoder and the encoder.

use super::error::Error;
use super::frame::{PacketType, field};
use super::message::Message;
use super::seq::{PacketSeqs, SeqTracker};
use super::validate::{Scanned, scan_chunk};
use crate::buf;
use crate::cobs;
use crate::dialect::{Dialect, DialectConfig, Encode, Scan};
use crate::error::EncodeError;

/// Settings of the vectordebug decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Config {
    /// Largest decoded packet accepted (type, len, payload and CRC). Default 16384, the
    /// real PC tool's receive buffer: 1169 records plus 11 spare bytes.
    pub max_packet: usize,
}

impl Config {
    /// The real PC tool's limit.
    pub const DEFAULT_MAX_PACKET: usize = 16384;

    /// The longest wire frame: the longest COBS encoding of `max_packet` bytes plus the
    /// delimiter (16450 by default). Saturates for absurd `max_packet` values.
    pub const fn max_frame_len(&self) -> usize {
        if self.max_packet <= usize::MAX / 2 { cobs::max_encoded_len(self.max_packet) + 1 } else { usize::MAX }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config { max_packet: Self::DEFAULT_MAX_PACKET }
    }
}

/// The vectordebug dialect: `COBS(type | len | payload | crc) 0x00`.
///
/// Its messages are [`Message`]s (zero-copy views of the COBS bytes); it counts lost
/// debug frames from the records' sequence numbers across packets
/// ([`Dialect::lost_frames`]). The struct is small (at most 88 bytes): validation and
/// recovery need no decode buffer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VectorDebug {
    config: Config,
    seq: SeqTracker,
    /// After `NeedMore`, how many bytes at the start of the candidate are known to hold no
    /// delimiter: the next `scan` (the same bytes and more) searches only the new ones, so
    /// a large packet pushed in small chunks is scanned once, not once per chunk.
    no_delimiter: u32,
    /// What `scan` learned about the frame it has just reported, for `decode_scanned`:
    /// where the frame lies (address and length, to recognise those very bytes), its header
    /// and its records' sequence numbers. The scanner's walk over the blocks (for the CRC)
    /// is then the only one.
    scanned: Option<(usize, usize, Scanned)>,
}

impl VectorDebug {
    /// A decoder with the given settings.
    pub const fn new(config: Config) -> Self {
        VectorDebug { config, seq: SeqTracker::new(), no_delimiter: 0, scanned: None }
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The sequence-number tracker (last `seq` seen, frames lost so far).
    pub fn seq_tracker(&self) -> &SeqTracker {
        &self.seq
    }
}

impl DialectConfig for Config {
    const NAMES: &'static [&'static str] = &["vectordebug"];

    fn from_name(name: &str) -> Option<Config> {
        (name == Self::NAMES[0]).then(Config::default)
    }

    fn name(&self) -> &'static str {
        Self::NAMES[0]
    }
}

impl Dialect for VectorDebug {
    const NAME: &'static str = "vectordebug";
    type Config = Config;
    type Message<'a> = Message<'a>;
    type Error = Error;

    fn new(config: Config) -> Self {
        VectorDebug::new(config)
    }

    fn config(&self) -> &Config {
        &self.config
    }

    fn max_frame_len(&self) -> usize {
        self.config.max_frame_len()
    }

    /// Finds the chunk at the start of `buf` (up to its 0x00) and checks it; a packet
    /// hidden behind garbage in a failed chunk is recovered (the module documentation,
    /// "Decisions").
    #[cfg_attr(feature = "speed-over-size", inline(always))]
    fn scan(&mut self, buf: &[u8], at_end: bool) -> Scan<Error> {
        // A candidate arriving in small chunks is resumed once per chunk: with
        // `speed-over-size` (host builds), the common case, new bytes without a delimiter, is
        // answered here, inlined into the driver, and only the rest goes to the general
        // scanner. (Through `memchr`, each resumed chunk cost about 125 instructions, more
        // than the search itself: its dispatch and its handling of short haystacks.)
        //
        // `no_delimiter` is only set with a `NeedMore` whose first byte was not a delimiter
        // (and `scanned` cleared): the general scanner would answer `NeedMore` again when the
        // new bytes hold no delimiter, the input goes on and the limit is not reached. The
        // limit, `max_frame_len`, exceeds `max_packet`, which is cheaper to compare with.
        #[cfg(feature = "speed-over-size")]
        if !at_end
            && self.no_delimiter != 0
            && buf.len() <= self.config.max_packet
            && zero_free_after(buf, self.no_delimiter as usize)
        {
            self.no_delimiter = u32::try_from(buf.len()).unwrap_or(u32::MAX);
            return Scan::NeedMore;
        }
        self.scan_general(buf, at_end)
    }

    type Context = super::rebuild::Context;

    #[inline]
    fn context_of(&self, message: &Message<'_>) -> Self::Context {
        super::rebuild::detach(message)
    }

    #[inline]
    fn rebuild<'a>(frame: &'a [u8], context: &Self::Context) -> Message<'a> {
        super::rebuild::attach(frame, context)
    }

    fn decode<'a>(&mut self, frame: &'a [u8]) -> Result<Message<'a>, Error> {
        let packet = Message::new_checked(frame, self.config.max_packet)?;
        Ok(self.track(packet))
    }

    /// The scanner validated these bytes, CRC included, and read their header and records'
    /// sequence numbers: nothing is read again. Other bytes, which the drivers never pass,
    /// are checked without the CRC.
    fn decode_scanned<'a>(&mut self, frame: &'a [u8]) -> Result<Message<'a>, Error> {
        match self.scanned.take() {
            Some((addr, len, Scanned { header, seqs })) if addr == frame.as_ptr().addr() && len == frame.len() => {
                Ok(Message::from_scanned(frame, header).with_seq(self.seq.extend_packet(seqs)))
            }
            _ => {
                let packet = Message::new_known_crc(frame, self.config.max_packet)?;
                Ok(self.track(packet))
            }
        }
    }

    fn lost_frames(&self) -> u64 {
        self.seq.lost()
    }

    fn reset(&mut self) {
        self.seq.reset();
        self.no_delimiter = 0;
        self.scanned = None;
    }
}

impl Encode for VectorDebug {
    fn encoded_len(&self, message: &Message<'_>) -> usize {
        message.buffer_len()
    }

    fn encode(&self, message: &Message<'_>, out: &mut [u8]) -> Result<usize, EncodeError> {
        message.emit(out)
    }
}

/// Whether `buf[from..]` holds no 0x00, for a `buf` whose bytes before `from` hold none:
/// `false` also when it cannot tell cheaply (`buf` shorter than the blocks to read, or more
/// new bytes than a chunk usually brings, for which `memchr` in the general scanner is as
/// fast and also finds the delimiter). Reads the whole 16-byte blocks that end at the end
/// of `buf` and cover the new bytes (the first may reach back into bytes known to be
/// non-zero): no ragged tail to handle.
#[cfg(feature = "speed-over-size")]
#[inline(always)]
fn zero_free_after(buf: &[u8], from: usize) -> bool {
    const BLOCK: usize = 16;
    /// More new bytes go to `memchr`.
    const MAX_BLOCKS: usize = 16;
    let blocks = buf.len().saturating_sub(from).div_ceil(BLOCK);
    if blocks > MAX_BLOCKS {
        return false;
    }
    let Some(start) = buf.len().checked_sub(blocks * BLOCK) else { return false };
    // The blocks' bytewise minimum (one vector instruction per block), tested once.
    let mut min = [u8::MAX; BLOCK];
    for block in buf.get(start..).unwrap_or_default().chunks_exact(BLOCK) {
        for (m, &b) in min.iter_mut().zip(block) {
            *m = (*m).min(b);
        }
    }
    !min.iter().fold(false, |any, &b| any | (b == 0))
}

impl VectorDebug {
    /// [`Dialect::scan`] in every case.
    #[cfg_attr(feature = "speed-over-size", inline(never))]
    fn scan_general(&mut self, buf: &[u8], at_end: bool) -> Scan<Error> {
        let searched = core::mem::take(&mut self.no_delimiter) as usize;
        self.scanned = None;
        let limit = self.max_frame_len();
        let Some(&first) = buf.first() else { return Scan::NeedMore };
        let window = buf.get(..limit).unwrap_or(buf);
        if first == 0 {
            // A run of delimiters with nothing between them: one event for the whole run.
            return match window.iter().position(|&b| b != 0) {
                Some(zeros) => Scan::Reject(zeros, Error::EmptyChunk { zeros }),
                None if window.len() >= limit || at_end => {
                    Scan::Reject(window.len(), Error::EmptyChunk { zeros: window.len() })
                }
                None => Scan::NeedMore,
            };
        }
        let from = searched.min(window.len());
        match memchr::memchr(0, window.get(from..).unwrap_or_default()).map(|i| from + i) {
            Some(z) => {
                let chunk = window.get(..z).unwrap_or(&[]);
                match scan_chunk(chunk, self.config.max_packet) {
                    Ok(scanned) => {
                        self.scanned = Some((buf.as_ptr().addr(), z + 1, scanned));
                        Scan::Frame(z + 1)
                    }
                    // A packet may hide behind bytes that have no delimiter of their own:
                    // reject only what comes before it.
                    Err(e) => match recover(chunk, self.config.max_packet) {
                        Some(q) => Scan::Reject(q, e),
                        None => Scan::Reject(z + 1, e),
                    },
                }
            }
            None if window.len() >= limit => Scan::Reject(limit, Error::NoDelimiter { max_frame_len: limit }),
            None if at_end => Scan::Reject(buf.len(), Error::Truncated),
            None => {
                self.no_delimiter = u32::try_from(window.len()).unwrap_or(u32::MAX);
                Scan::NeedMore
            }
        }
    }

    /// Counts the packet's records in the loss tracking and attaches its span.
    fn track<'a>(&mut self, packet: Message<'a>) -> Message<'a> {
        let span = match packet.packet_type() {
            PacketType::DbgFrame1 => {
                let mut seqs = PacketSeqs::default();
                packet.for_each_seq(|seq| seqs.push(seq));
                self.seq.extend_packet(seqs)
            }
            _ => None,
        };
        packet.with_seq(span)
    }
}

/// Bits in the recovery bitset: covers every chunk of the default configuration
/// (`max_frame_len` 16450).
const RECOVERY_BITS: usize = 258 * 64;
/// Candidates that pass the cheap filters and get a full (CRC) check, at most, per chunk.
const RECOVERY_FULL_CHECKS: usize = 8;

/// Finds the smallest `q` in `1..c.len()` such that `c[q..]` validates as a packet.
///
/// Cost: one right-to-left pass marks, in a fixed bitset on the stack (2 KiB), every
/// position whose chain of COBS code bytes lands exactly on the end of the chunk (chains
/// merge, so each position is looked at once: O(n)). Only such positions can start a
/// valid packet. Each of them is then filtered by its first five decoded bytes (`len`
/// must be consistent with the encoded size), and at most [`RECOVERY_FULL_CHECKS`]
/// survivors get a full validation (O(n) each, CRC included). Chunks longer than the
/// bitset (only with `max_packet` above 16384) consider only the candidates in their last
/// `RECOVERY_BITS` bytes.
/// `c` is a chunk cut at its first delimiter (no 0x00 in it).
fn recover(c: &[u8], max_packet: usize) -> Option<usize> {
    let z = c.len();
    let w = z.saturating_sub(RECOVERY_BITS).max(1);
    if w >= z {
        return None;
    }
    let mut lands = [0u64; RECOVERY_BITS / 64];
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
    let mut budget = RECOVERY_FULL_CHECKS;
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
    let mut bytes = cobs::DecodedBytes::new(c);
    for slot in header.iter_mut() {
        match bytes.next() {
            Some(b) => *slot = b,
            None => return false,
        }
    }
    let len = u64::from(buf::u32_le(&header, field::LEN.start).unwrap_or(0));
    let n = len + field::OVERHEAD as u64;
    let m = c.len() as u64;
    n < m && m <= n + 1 + n / 254
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectordebug::{Payload, Record, Records};

    /// `scan` (with its fast path under `speed-over-size`) answers exactly as the general scanner,
    /// in every chunking, and leaves the same state behind: runs of non-zero bytes of every
    /// length around the block size and the limit, delimiters, and valid packets.
    #[test]
    fn scan_matches_the_general_scanner_in_any_chunking() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut rand = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let records: std::vec::Vec<Record> =
            (0..30u16).map(|i| Record { seq: i, payload: [i as i16, 0, -1, 256, 0, 7] }).collect();
        let mut packet = [0u8; 1024];
        let packet_len = Payload::DbgFrame1 { records: Records::new(&records) }.emit(&mut packet).unwrap();
        let mut input = std::vec::Vec::new();
        for len in (0..70).chain([200, 255, 256, 257, 300, 500, 700]) {
            input.extend((0..len).map(|_| (rand() % 255) as u8 + 1));
            input.extend(core::iter::repeat_n(0, (rand() % 3) as usize));
            input.extend_from_slice(&packet[..packet_len]);
        }
        let mut frame_counts = std::vec::Vec::new();
        for chunk in [1, 3, 15, 16, 17, 31, 64, 100, 300, 700] {
            let config = Config { max_packet: 600 };
            let (mut fast, mut general) = (VectorDebug::new(config), VectorDebug::new(config));
            let (mut start, mut end, mut frames) = (0, 0, 0);
            while start < input.len() {
                end = (end + chunk).min(input.len());
                let buf = &input[start..end];
                let at_end = end == input.len();
                let answer = fast.scan(buf, at_end);
                assert_eq!(answer, general.scan_general(buf, at_end), "chunk {chunk}, at {start}..{end}");
                assert_eq!(fast, general);
                match answer {
                    Scan::Frame(n) => {
                        let frame = &buf[..n];
                        assert_eq!(fast.decode_scanned(frame), general.decode_scanned(frame));
                        frames += 1;
                        start += n;
                    }
                    Scan::Reject(n, _) => start += n,
                    Scan::NeedMore if at_end => break,
                    Scan::NeedMore => {}
                }
            }
            frame_counts.push(frames);
        }
        assert!(frame_counts.iter().all(|&n| n == frame_counts[0] && n >= 70), "{frame_counts:?}");
    }
}
