//! The dialect: its [`Config`], and [`AsciiCrc8`], the scanner, decoder and encoder of a
//! byte stream (`docs/protocols/ascii-crc8.md`, section 4).

use memchr::memchr2;

use super::command::CommandCode;
use super::error::Error;
use super::frame::{self, Frame, ID_COUNT, Inspect, MAX_FRAME_LEN};
use super::line::{DeviceLine, MAX_LINE_LEN};
use super::message::Message;
use crate::dialect::{Dialect, DialectConfig, Encode, Scan};
use crate::error::EncodeError;

/// Settings of the [`AsciiCrc8`] scanner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Config {
    /// How far past a rejected `&` (or the start of bytes outside frames) the scanner
    /// looks for the `*`, `&` or `\n` that ends the event. Beyond it the event ends at
    /// this bound. Also the longest device text line. Values below 272 (one frame plus
    /// one byte) are raised to 272. Default 1024; this is the scanner's `max_frame_len`.
    pub search_limit: usize,
}

impl Config {
    /// The default search limit.
    pub const DEFAULT_SEARCH_LIMIT: usize = MAX_LINE_LEN;
}

impl Default for Config {
    fn default() -> Self {
        Config { search_limit: Config::DEFAULT_SEARCH_LIMIT }
    }
}

impl DialectConfig for Config {
    const NAMES: &'static [&'static str] = &["ascii-crc8"];

    fn from_name(name: &str) -> Option<Config> {
        (name == Self::NAMES[0]).then(Config::default)
    }

    fn name(&self) -> &'static str {
        Self::NAMES[0]
    }
}

/// Number of request IDs (00–99): the scanner remembers one request per ID.
pub const ID_SLOTS: usize = ID_COUNT as usize;

/// The ascii-crc8 dialect: frames, replies matched to their requests, and device text.
///
/// It remembers the command of the latest request seen for each ID (100 slots), so that a
/// later reply with the same ID is read as an answer to it. Only requests (frames from `PC_`
/// with a known command code) count: a `PC_` frame with an unknown code is not a request
/// (the device answers it with a text line, never a frame), so it leaves the slot alone.
#[derive(Debug, Clone)]
pub struct AsciiCrc8 {
    config: Config,
    requests: [Option<CommandCode>; ID_SLOTS],
    /// The previous event ended at the search limit inside a line: the rest of that line
    /// is garbage, not a text line.
    mid_line: bool,
}

impl Default for AsciiCrc8 {
    fn default() -> Self {
        AsciiCrc8::new(Config::default())
    }
}

impl AsciiCrc8 {
    /// A scanner with the given settings and no requests seen.
    pub fn new(config: Config) -> AsciiCrc8 {
        AsciiCrc8 { config, requests: [None; ID_SLOTS], mid_line: false }
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The command of the latest request seen with `id`.
    pub fn request_for(&self, id: u8) -> Option<CommandCode> {
        self.requests.get(usize::from(id)).copied().flatten()
    }

    /// The message of a valid frame, matched to (or recorded as) a request.
    fn message<'a>(&mut self, frame: Frame<&'a [u8]>) -> Message<'a> {
        let requests = &self.requests;
        let message = Message::parse(&frame, |id| requests.get(usize::from(id)).copied().flatten());
        if let (Message::Request(r), Some(entry)) = (&message, self.requests.get_mut(usize::from(frame.id()))) {
            *entry = Some(r.command.code());
        }
        message
    }

    fn limit(&self) -> usize {
        self.config.search_limit.max(MAX_FRAME_LEN + 1)
    }

    /// Where a rejected candidate at `buf[0] == '&'` ends: the first `*` (inclusive) or
    /// the next `&` (exclusive), or the bound, or the end of the input.
    fn candidate_extent(buf: &[u8], limit: usize, at_end: bool) -> Option<(usize, bool)> {
        let window = buf.get(1..buf.len().min(limit)).unwrap_or(&[]);
        match memchr2(frame::START, frame::END, window) {
            Some(j) if window.get(j) == Some(&frame::END) => Some((j + 2, false)),
            Some(j) => Some((j + 1, false)),
            None if buf.len() >= limit => Some((limit, buf.get(limit - 1) != Some(&b'\n'))),
            None if at_end => Some((buf.len().max(1), false)),
            None => None,
        }
    }

    fn scan_candidate(&mut self, buf: &[u8], at_end: bool) -> Scan<Error> {
        let error = match frame::inspect(buf) {
            Inspect::Frame(n) => {
                self.mid_line = false;
                return Scan::Frame(n);
            }
            Inspect::Bad(e) => e,
            Inspect::Incomplete if at_end => Error::Truncated,
            Inspect::Incomplete => return Scan::NeedMore,
        };
        match Self::candidate_extent(buf, self.limit(), at_end) {
            Some((n, mid_line)) => {
                self.mid_line = mid_line;
                Scan::Reject(n, error)
            }
            None => Scan::NeedMore,
        }
    }

    /// Bytes before the next `&`: device text lines, or garbage.
    fn scan_outside(&mut self, buf: &[u8], at_end: bool) -> Scan<Error> {
        let limit = self.limit();
        let window = buf.get(..buf.len().min(limit)).unwrap_or(buf);
        let garbage = |n: usize| Scan::Reject(n, Error::Garbage { len: n });
        let mut pos = 0;
        loop {
            let rest = window.get(pos..).unwrap_or(&[]);
            match memchr2(b'\n', frame::START, rest) {
                Some(j) => {
                    let k = pos + j;
                    if window.get(k) == Some(&frame::START) {
                        self.mid_line = false;
                        return garbage(k);
                    }
                    let line = window.get(pos..=k).unwrap_or(&[]);
                    let forced = pos == 0 && self.mid_line;
                    if !forced && DeviceLine::new(line).is_some() {
                        self.mid_line = false;
                        return if pos == 0 { Scan::Frame(k + 1) } else { garbage(pos) };
                    }
                    pos = k + 1;
                }
                None if window.len() >= limit => {
                    // The bound: end the garbage before the unfinished line, or at the
                    // bound when one line fills the whole window.
                    if pos > 0 {
                        self.mid_line = false;
                        return garbage(pos);
                    }
                    self.mid_line = true;
                    return garbage(limit);
                }
                None if at_end => {
                    self.mid_line = false;
                    return garbage(buf.len().max(1));
                }
                None => return Scan::NeedMore,
            }
        }
    }
}

impl Dialect for AsciiCrc8 {
    const NAME: &'static str = "ascii-crc8";
    type Config = Config;
    type Message<'a> = Message<'a>;
    type Error = Error;

    fn new(config: Config) -> Self {
        AsciiCrc8::new(config)
    }

    fn config(&self) -> &Config {
        &self.config
    }

    fn max_frame_len(&self) -> usize {
        self.limit()
    }

    fn scan(&mut self, buf: &[u8], at_end: bool) -> Scan<Error> {
        match buf.first() {
            None => Scan::NeedMore,
            Some(&frame::START) => self.scan_candidate(buf, at_end),
            Some(_) => self.scan_outside(buf, at_end),
        }
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

    fn decode<'a>(&mut self, bytes: &'a [u8]) -> Result<Message<'a>, Error> {
        if bytes.first() != Some(&frame::START) {
            return Message::parse_line(bytes).ok_or(Error::Garbage { len: bytes.len() });
        }
        let frame = Frame::new_checked(bytes)?;
        Ok(self.message(frame))
    }

    // The scanner checked exactly these bytes, CRC included: the structure is walked again
    // (it is cheap and keeps the getters in bounds), the CRC is not.
    fn decode_scanned<'a>(&mut self, bytes: &'a [u8]) -> Result<Message<'a>, Error> {
        match frame::frame_len_known_crc(bytes) {
            Some(n) if n == bytes.len() => Ok(self.message(Frame::new_unchecked(bytes))),
            _ => self.decode(bytes),
        }
    }

    fn reset(&mut self) {
        self.requests = [None; ID_SLOTS];
        self.mid_line = false;
    }
}

impl Encode for AsciiCrc8 {
    fn encoded_len(&self, message: &Message<'_>) -> usize {
        message.buffer_len()
    }

    fn encode(&self, message: &Message<'_>, out: &mut [u8]) -> Result<usize, EncodeError> {
        message.emit(out)
    }
}
