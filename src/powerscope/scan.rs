//! The configuration, the scanner and the decoder: `impl Dialect for PowerScope`
//! (docs/protocols/powerscope.md, "Scanning").

use crate::buf;
use crate::dialect::{DialectConfig, Encode};
use crate::error::EncodeError;
#[cfg(feature = "speed-over-size")]
use crate::stream::Item;
use crate::stream::{Dialect, Scan, rejection_extent};

use super::error::Error;
use super::frame::{Frame, field};
use super::gap::GapTracker;
use super::header::{HEADER_LEN, HeaderRepr, MAGIC_BYTES, Revision};
use super::message::{Message, Stream};
use super::{r0, sample};

/// What a [`PowerScope`] decoder speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Config {
    /// The protocol revision (default [`Revision::R1`]).
    pub revision: Revision,
}

impl Config {
    /// Revision 0 (`powerscope:r0`).
    pub const fn r0() -> Config {
        Config { revision: Revision::R0 }
    }

    /// Revision 1 (`powerscope`, `powerscope:r1`), the default.
    pub const fn r1() -> Config {
        Config { revision: Revision::R1 }
    }
}

/// The powerscope dialect: finds frames of the configured revision in a byte stream,
/// decodes them into [`Message`]s and tracks `seq` gaps per stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PowerScope {
    config: Config,
    gaps: GapTracker,
}

impl PowerScope {
    /// A decoder for `config`.
    pub const fn new(config: Config) -> PowerScope {
        PowerScope { config, gaps: GapTracker::new() }
    }

    /// A revision-0 decoder (`powerscope:r0`).
    pub const fn r0() -> PowerScope {
        PowerScope::new(Config::r0())
    }

    /// A revision-1 decoder (`powerscope`, `powerscope:r1`).
    pub const fn r1() -> PowerScope {
        PowerScope::new(Config::r1())
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The per-stream sequence tracking.
    pub fn gaps(&self) -> &GapTracker {
        &self.gaps
    }

    fn revision(&self) -> Revision {
        self.config.revision
    }

    /// Every case of [`Dialect::scan`] but a whole, acceptable header: a frame cut off by
    /// the end of the input, a revision-0 command byte, a candidate to reject, garbage.
    /// Out of line, so that the common case does not pay for its stack frame and registers.
    #[inline(never)]
    fn scan_general(&self, buf: &[u8], at_end: bool) -> Scan<Error> {
        let rev = self.revision();
        let Some(&first) = buf.first() else {
            return Scan::NeedMore;
        };
        if rev == Revision::R0 && is_r0_command(first) {
            return Scan::Frame(1);
        }
        if first == MAGIC_BYTES[0] {
            match buf.get(1) {
                Some(&second) if second == MAGIC_BYTES[1] => return self.scan_candidate(buf, at_end),
                None if !at_end => return Scan::NeedMore,
                _ => {}
            }
        }
        match garbage_len(buf, rev, at_end) {
            Some(len) => Scan::Reject(len, Error::Garbage { len }),
            None => Scan::NeedMore,
        }
    }

    /// Scans a candidate: `buf` starts with the magic `A5 5A`.
    fn scan_candidate(&self, buf: &[u8], at_end: bool) -> Scan<Error> {
        let rev = self.revision();
        let head = buf.get(..HEADER_LEN).unwrap_or(buf);
        if let Err(e) = rev.check_header_prefix(head) {
            return reject(buf, None, rev, at_end, e);
        }
        let frame_len = buf::u16_le(buf, field::LEN.start).map(|len| rev.frame_len(usize::from(len)));
        let Some(frame_len) = frame_len.filter(|_| buf.len() >= HEADER_LEN) else {
            return if at_end {
                reject(buf, frame_len, rev, at_end, Error::Truncated { frame_len, available: buf.len() })
            } else {
                Scan::NeedMore
            };
        };
        let Some(bytes) = buf.get(..frame_len) else {
            return if at_end {
                reject(
                    buf,
                    Some(frame_len),
                    rev,
                    at_end,
                    Error::Truncated { frame_len: Some(frame_len), available: buf.len() },
                )
            } else {
                Scan::NeedMore
            };
        };
        check_crc(buf, bytes.len(), rev, at_end)
    }
}

/// Checks the revision-1 CRC of the whole candidate `buf[..frame_len]` (revision 0 has none):
/// rejects it if the CRC trailer does not match. Out of line: intact sample frames, the
/// common case, are decided before it, and its loop and error would cost them saved
/// registers.
#[inline(never)]
fn check_crc(buf: &[u8], frame_len: usize, rev: Revision, at_end: bool) -> Scan<Error> {
    if rev == Revision::R0 {
        return Scan::Frame(frame_len);
    }
    if let Some((covered, trailer)) = buf.get(..frame_len).and_then(<[u8]>::split_last_chunk::<2>) {
        let received = u16::from_le_bytes(*trailer);
        let computed = crate::crc::crc16(covered);
        if received != computed {
            return reject(buf, Some(frame_len), rev, at_end, Error::CrcMismatch { received, computed });
        }
    }
    Scan::Frame(frame_len)
}

/// Whether `byte` is a revision-0 raw command.
fn is_r0_command(byte: u8) -> bool {
    r0::Command::from_byte(byte).is_some()
}

/// Index of the first `A5 5A` in `bytes`.
fn find_magic(bytes: &[u8]) -> Option<usize> {
    memchr::memchr_iter(MAGIC_BYTES[0], bytes).find(|&i| bytes.get(i + 1) == Some(&MAGIC_BYTES[1]))
}

/// Rejects the candidate at `buf[0]` with `rejection_extent` (next magic, candidate end, or
/// the revision's frame limit). One adjustment makes sure a rejection never swallows a
/// magic while every decision stays within the limit: when the extent ends at its horizon
/// (not at a magic or at the end of the input) and its last byte is `A5`, that byte starts
/// a magic if the next byte is `5A`, and is then left for the next scan; when the next
/// byte lies beyond the frame limit, the `A5` is always left for the next scan.
fn reject(buf: &[u8], candidate_end: Option<usize>, rev: Revision, at_end: bool, error: Error) -> Scan<Error> {
    let limit = rev.max_frame_len();
    let Some(n) = rejection_extent(buf, candidate_end, limit, at_end, find_magic) else {
        return Scan::NeedMore;
    };
    let horizon = candidate_end.unwrap_or(limit).min(limit).max(1);
    let ends_on_a5 = n >= 2 && buf.get(n - 1) == Some(&MAGIC_BYTES[0]);
    if n != horizon || !ends_on_a5 {
        return Scan::Reject(n, error);
    }
    if n >= limit {
        // Deciding would take a byte beyond the limit: leave the A5 to the next scan,
        // whether or not that byte exists, so that the answer never depends on it.
        return Scan::Reject(n - 1, error);
    }
    match buf.get(n) {
        Some(&next) if next == MAGIC_BYTES[1] => Scan::Reject(n - 1, error),
        Some(_) => Scan::Reject(n, error),
        None if at_end => Scan::Reject(n, error),
        None => Scan::NeedMore,
    }
}

/// Length of the garbage run at `buf[0]` (which starts no event of its own), or `None` when
/// more bytes are needed. The run ends before the first magic, before a revision-0 command
/// byte, or at the revision's frame limit; an `A5` in the last position of that limit
/// ends it too (its `5A` would lie beyond the limit), and a trailing `A5` waits for the next
/// byte unless the input has ended.
fn garbage_len(buf: &[u8], rev: Revision, at_end: bool) -> Option<usize> {
    let limit = rev.max_frame_len();
    let tail = buf.get(1..buf.len().min(limit)).unwrap_or_default();
    // Offsets in `tail` are one less than in `buf`.
    let boundary = match rev {
        Revision::R0 => {
            first_boundary(buf, limit, at_end, memchr::memchr3_iter(MAGIC_BYTES[0], r0::START, r0::STOP, tail))
        }
        Revision::R1 => first_boundary(buf, limit, at_end, memchr::memchr_iter(MAGIC_BYTES[0], tail)),
    };
    match boundary {
        Boundary::At(i) => Some(i),
        Boundary::Undecided => None,
        Boundary::None if buf.len() >= limit => Some(limit),
        Boundary::None if at_end => Some(buf.len()),
        Boundary::None => None,
    }
}

/// Where a garbage run ends, among the positions a memchr search reported.
enum Boundary {
    /// An event starts at this index.
    At(usize),
    /// A trailing `A5` needs the next byte.
    Undecided,
    /// No event starts among the hits.
    None,
}

/// Looks at the hits (indices into `buf[1..]` of `A5` and, in revision 0, command bytes) in
/// order and returns the first place an event starts.
fn first_boundary(buf: &[u8], limit: usize, at_end: bool, hits: impl Iterator<Item = usize>) -> Boundary {
    for hit in hits {
        let i = hit + 1;
        if buf.get(i) != Some(&MAGIC_BYTES[0]) {
            return Boundary::At(i); // a revision-0 command byte
        }
        match buf.get(i + 1) {
            Some(&next) if next == MAGIC_BYTES[1] => return Boundary::At(i),
            _ if i + 1 == limit => return Boundary::At(i),
            None if !at_end => return Boundary::Undecided,
            _ => {}
        }
    }
    Boundary::None
}

impl DialectConfig for Config {
    const NAMES: &'static [&'static str] = &["powerscope", "powerscope:r0", "powerscope:r1"];

    fn from_name(name: &str) -> Option<Config> {
        match name {
            "powerscope" | "powerscope:r1" => Some(Config::r1()),
            "powerscope:r0" => Some(Config::r0()),
            _ => None,
        }
    }

    fn name(&self) -> &'static str {
        match self.revision {
            Revision::R0 => Self::NAMES[1],
            Revision::R1 => Self::NAMES[0],
        }
    }
}

impl Dialect for PowerScope {
    const NAME: &'static str = "powerscope";
    type Config = Config;
    type Message<'a> = Message<'a>;
    type Error = Error;

    fn new(config: Config) -> Self {
        PowerScope::new(config)
    }

    fn config(&self) -> &Config {
        &self.config
    }

    fn max_frame_len(&self) -> usize {
        self.revision().max_frame_len()
    }

    /// An intact INA219 sample frame (what the firmware streams) is decided first, by a
    /// shortcut with the same outcome as the general path; every other case by the rules
    /// of docs/protocols/powerscope.md, "Scanning".
    // Inlined into the drivers with only the common case: its call, stack frame and saved
    // registers would cost as much as its CRC. Every other case is decided out of line by
    // `scan_other`.
    #[inline(always)]
    fn scan(&mut self, buf: &[u8], at_end: bool) -> Scan<Error> {
        // What the firmware streams, decided first and alone: an intact INA219 sample frame
        // (its fixed header bytes are a header the revision accepts, so the general path
        // would find the same frame).
        if self.revision() == Revision::R1 && sample::is_intact(buf) {
            return Scan::Frame(sample::FRAME_LEN);
        }
        self.scan_other(buf, at_end)
    }

    /// The message without its borrowed bytes (see `rebuild.rs`).
    type Context = Message<'static>;

    #[inline]
    fn context_of(&self, message: &Message<'_>) -> Message<'static> {
        super::rebuild::detach(message)
    }

    #[inline]
    fn rebuild<'a>(frame: &'a [u8], context: &Message<'static>) -> Message<'a> {
        super::rebuild::attach(frame, context)
    }

    fn decode<'a>(&mut self, frame: &'a [u8]) -> Result<Message<'a>, Error> {
        let message = Message::from_bytes(frame, self.revision())?;
        Ok(self.track(message))
    }

    /// The scanner checked these bytes' CRC (revision 1; revision 0 has none): only the
    /// header and length are checked again.
    // Inlined into the drivers with only the common case, a sample frame, so that the
    // event is built in place (without a call, stack frame and saved registers); every
    // other frame is decoded out of line.
    #[inline(always)]
    fn decode_scanned<'a>(&mut self, bytes: &'a [u8]) -> Result<Message<'a>, Error> {
        match self.sample_stream(bytes) {
            Some(stream) => Ok(Message::Stream(stream)),
            None => self.decode_scanned_other(bytes),
        }
    }

    /// [`decode_scanned`](Dialect::decode_scanned) as the event's item.
    // The sample frame's item is built directly (host builds, where the drivers call this):
    // moving it out of a `Result` costs a copy through the stack (docs/performance.md).
    #[cfg(feature = "speed-over-size")]
    #[inline(always)]
    fn decode_scanned_item<'a>(&mut self, bytes: &'a [u8]) -> Item<Message<'a>, Error> {
        match self.sample_stream(bytes) {
            Some(stream) => Item::Frame(Message::Stream(stream)),
            None => self.decode_scanned_other(bytes).into(),
        }
    }

    fn lost_frames(&self) -> u64 {
        self.gaps.lost_frames()
    }

    fn reset(&mut self) {
        self.gaps.reset();
    }
}

impl Encode for PowerScope {
    fn encoded_len(&self, message: &Message<'_>) -> usize {
        message.buffer_len()
    }

    fn encode(&self, message: &Message<'_>, out: &mut [u8]) -> Result<usize, EncodeError> {
        message.emit(out)
    }

    fn encode_verbatim(&self, message: &Message<'_>, out: &mut [u8]) -> Result<usize, EncodeError> {
        message.emit_verbatim(out)
    }
}

impl PowerScope {
    /// Every case of [`Dialect::scan`] but an intact sample frame: part of one, a frame
    /// with another header the revision accepts (read as one array, the common case
    /// after sample frames), and through `scan_general` everything else.
    #[inline(never)]
    fn scan_other(&self, buf: &[u8], at_end: bool) -> Scan<Error> {
        let rev = self.revision();
        // Part of a sample frame (one arriving in pieces).
        if rev == Revision::R1 && !at_end && sample::is_beginning(buf) {
            return Scan::NeedMore;
        }
        // A header the revision accepts, in one go. `scan_general` decides every other
        // case, and this one the same way.
        if let Some(header) = buf.first_chunk::<HEADER_LEN>().filter(|h| rev.accepts(h)) {
            let frame_len = rev.frame_len(usize::from(HeaderRepr::from_bytes(header).len));
            if buf.len() >= frame_len {
                return check_crc(buf, frame_len, rev, at_end);
            }
            if !at_end {
                // A frame still arriving: nothing to decide before its last byte.
                return Scan::NeedMore;
            }
        }
        self.scan_general(buf, at_end)
    }

    /// A revision-1 sample frame's message, its gap counted; `None` for anything else.
    #[inline(always)]
    fn sample_stream(&mut self, bytes: &[u8]) -> Option<Stream<'static>> {
        if self.revision() != Revision::R1 {
            return None;
        }
        let mut stream = sample::parse(bytes)?;
        stream.gap = self.gaps.observe(stream.packet.runtime_id(), stream.seq);
        Some(stream)
    }

    /// [`Dialect::decode_scanned`] for every frame but a revision-1 sample frame.
    #[inline(never)]
    fn decode_scanned_other<'a>(&mut self, bytes: &'a [u8]) -> Result<Message<'a>, Error> {
        let message = match self.revision() {
            Revision::R0 => Message::from_bytes(bytes, Revision::R0)?,
            Revision::R1 => {
                let header = Frame::new_unchecked(bytes, Revision::R1).checked_header()?;
                Message::parse_r1(&header, bytes)?
            }
        };
        Ok(self.track(message))
    }

    /// Counts a STREAM frame's `seq` in the gap tracking and attaches its gap.
    fn track<'a>(&mut self, mut message: Message<'a>) -> Message<'a> {
        match &mut message {
            Message::R0Stream(s) => s.gap = self.gaps.observe(0, s.seq),
            Message::Stream(s) => s.gap = self.gaps.observe(s.packet.runtime_id(), s.seq),
            _ => {}
        }
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::powerscope::{Ina219Sample, SensorPacket};

    /// The scanner's shortcut for intact sample frames decides exactly what the general
    /// path decides, for intact frames and for every single-bit corruption of one, whole or
    /// cut short, in the middle of the input or at its end.
    #[test]
    fn sample_shortcut_agrees_with_the_general_path() {
        let sample = Ina219Sample { runtime_id: 1, bus_mv: 12_012, current_ua: -22_300 };
        let frame = Message::Stream(Stream::new(0x0102_0304, 59, SensorPacket::Ina219(sample)));
        let mut wire = [0u8; 2 * sample::FRAME_LEN];
        let n = frame.emit(&mut wire).unwrap();
        assert_eq!(n, sample::FRAME_LEN);
        wire.copy_within(..n, n); // a second frame behind the first
        let mut scanner = PowerScope::r1();
        for bit in 0..=8 * n {
            let mut buf = wire;
            if let Some(byte) = buf.get_mut(bit / 8).filter(|_| bit < 8 * n) {
                *byte ^= 1 << (bit % 8);
            }
            for len in 0..=buf.len() {
                for at_end in [false, true] {
                    let general = scanner.scan_general(&buf[..len], at_end);
                    assert_eq!(scanner.scan(&buf[..len], at_end), general, "bit {bit}, len {len}, at_end {at_end}");
                }
            }
        }
    }
}
