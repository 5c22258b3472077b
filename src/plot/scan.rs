//! The stream scanner: [`Plot`], its [`Config`], and the [`Dialect`] and [`Encode`]
//! implementations. The rules it follows are in the [module documentation](super) and in
//! docs/protocols/plot.md.

use core::cell::Cell;
use core::fmt;

use super::error::Error;
use super::frame::{
    DATA_START, DOCUMENTED_MAX_CHANNELS, Frame, LABEL_START, WIDE_MAX_CHANNELS, data_frame_len, max_label_frame_len,
};
use super::help::{CommandList, DEFAULT_MARKER, HelpParser, LINE_CAPACITY};
use super::message::{Data, Labels, Message, Text};
use super::text_state::TextState;
#[cfg(feature = "speed-over-size")]
use crate::dialect::Item;
use crate::dialect::{Dialect, DialectConfig, Encode, Scan};
use crate::error::EncodeError;

/// Settings of the plot scanner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Largest COUNT of data and label frames, and the bound of CH_INDEX
    /// (`0..max_channels`). 32 in the original documentation; 64 in the real app
    /// (`plot:64`).
    pub max_channels: u8,
    /// A line containing this starts a help table (`"GMU Commands"`).
    pub help_marker: &'static str,
    /// A text piece with no `\n` in its first `max_line` bytes is cut there (values
    /// below 1 act as 1). 1024 by default.
    pub max_line: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config::documented()
    }
}

impl Config {
    /// The original documentation's settings: 32 channels, marker `GMU Commands`, lines of
    /// 1024 bytes.
    pub const fn documented() -> Self {
        Config { max_channels: DOCUMENTED_MAX_CHANNELS, help_marker: DEFAULT_MARKER, max_line: 1024 }
    }

    /// The real app's channel limit: like [`documented`](Self::documented) with 64
    /// channels.
    pub const fn wide() -> Self {
        Config { max_channels: WIDE_MAX_CHANNELS, ..Config::documented() }
    }

    /// The settings of a command-line variant: `""` or `"32"` (documented), `"64"` (wide).
    pub fn from_variant(variant: &str) -> Option<Self> {
        match variant {
            "" | "32" => Some(Config::documented()),
            "64" => Some(Config::wide()),
            _ => None,
        }
    }
}

/// What the last `Scan::Frame` found (set by `scan`, used by `decode`), and between frames
/// whether the next one may take `scan`'s fast path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    /// Nothing announced, and a frame may need a look at the text and help state first.
    None,
    /// Nothing announced, at a frame start: `text` is at the start of a line
    /// (`TextState::new()`) and no finished help table waits to be emitted. `scan`'s fast
    /// path accepts a data frame here without asking either and without recording
    /// anything, so a frame `decode_scanned` gets in this state is such a data frame.
    /// Entered after a frame or a rejected start byte (which reset `text` where no table
    /// has finished); left for a text piece (which `decode` feeds to the help parser) and
    /// at the end of the input. A cut-off frame (`NeedMore`) changes nothing, so the frame
    /// takes the fast path once complete. A `None` where `FrameStart` would do only sends a
    /// frame through the general path, which decides the same.
    FrameStart,
    /// A data or label frame checked by `Frame::check_len`.
    Frame,
    Text {
        ends_line: bool,
    },
    Commands,
}

/// The plot dialect: binary data and label frames, text lines and help tables on one
/// port. See the [module documentation](super) for the rules.
///
/// State: the text classification of the current line (a few bytes), the current logical
/// line for the help parser ([`LINE_CAPACITY`] bytes) and the help table being read
/// (about 1.3 KiB; boxed with the `alloc` feature, see [`CommandList`]).
pub struct Plot {
    config: Config,
    text: TextState,
    pending: Pending,
    /// `config.max_channels` while `pending` is `FrameStart`, 0 otherwise (kept so by
    /// [`set_pending`](Self::set_pending)): `scan`'s fast path tests the state and COUNT's
    /// limit with one comparison, `COUNT - 1 < fast_max`.
    fast_max: u8,
    line: heapless::Vec<u8, LINE_CAPACITY>,
    line_open: bool,
    /// In a `Cell` so that [`Plot::help_timeout`] works through the drivers' `dialect()`.
    help: Cell<HelpParser>,
}

impl Default for Plot {
    fn default() -> Self {
        Plot::new(Config::default())
    }
}

impl fmt::Debug for Plot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plot")
            .field("config", &self.config)
            .field("text", &self.text)
            .field("pending", &self.pending)
            .field("line_len", &self.line.len())
            .finish_non_exhaustive()
    }
}

impl Plot {
    /// The values of a data frame found by `scan`'s fast path; `None` for other frames.
    #[inline(always)]
    fn fast_path_data<'a>(&self, frame: &'a [u8]) -> Option<Data<'a>> {
        // The state first and nothing else before it: the drivers reach this call from every
        // `Scan::Frame` of `scan`, and the fast path's known `FrameStart` (`fast_max` above a
        // COUNT - 1) then lets the compiler jump from the fast path straight here, where
        // `frame` (2 + 2 × COUNT bytes) holds the header. Testing the length first kept both
        // tests at the merge. (With `max_channels` 0, `FrameStart` never reaches this call.)
        (self.fast_max != 0).then(|| Data::from_checked(frame.split_at(frame.len().min(2)).1))
    }

    /// [`Dialect::decode_scanned`] for every frame but one found by the data-frame fast path:
    /// out of line on hosts, so that the drivers' loop holds only that path.
    #[cfg_attr(feature = "speed-over-size", inline(never))]
    fn decode_scanned_other<'a>(&mut self, frame: &'a [u8]) -> Result<Message<'a>, Error> {
        if matches!(self.pending, Pending::Frame) {
            match frame {
                [DATA_START, _, payload @ ..] => {
                    self.set_pending(Pending::FrameStart);
                    return Ok(Message::Data(Data::from_checked(payload)));
                }
                [LABEL_START, count, payload @ ..] => {
                    self.set_pending(Pending::FrameStart);
                    return Ok(Message::Label(Labels::from_checked(*count, payload)));
                }
                _ => {}
            }
        }
        self.decode(frame)
    }

    /// A scanner with the given settings.
    pub fn new(config: Config) -> Self {
        Plot {
            config,
            text: TextState::new(),
            pending: Pending::FrameStart,
            fast_max: config.max_channels,
            line: heapless::Vec::new(),
            line_open: false,
            help: Cell::new(HelpParser::new(config.help_marker)),
        }
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Call this when no line has arrived for 2 seconds (the original documentation's live
    /// timeout): it ends
    /// the help table being read and returns its commands (empty if it had no rows). It
    /// also returns a table that has ended but whose `COMMANDS` event has not been emitted
    /// yet (a [`StreamDecoder`](crate::StreamDecoder) emits it with the next bytes), which
    /// is then not emitted. `None` when there is no table.
    ///
    /// It takes `&self` so that it can be called through `decoder.dialect()`.
    pub fn help_timeout(&self) -> Option<CommandList> {
        let mut parser = self.help.replace(HelpParser::new(self.config.help_marker));
        parser.end_table();
        let list = parser.take_commands();
        self.help.set(parser);
        list
    }

    /// Whether a help table is being read.
    pub fn is_reading_help(&mut self) -> bool {
        self.help.get_mut().is_reading()
    }

    /// Enters `pending`, and keeps `fast_max` in step with it.
    fn set_pending(&mut self, pending: Pending) {
        self.pending = pending;
        self.fast_max = if pending == Pending::FrameStart { self.config.max_channels } else { 0 };
    }

    fn max_line(&self) -> usize {
        self.config.max_line.max(1)
    }

    fn append_line(&mut self, bytes: &[u8]) {
        let room = LINE_CAPACITY - self.line.len();
        let take = bytes.get(..room).unwrap_or(bytes);
        // Cannot fail: `take` fits.
        let _ = self.line.extend_from_slice(take);
        self.line_open = true;
    }

    /// Hands the logical line to the help parser and starts a new one.
    fn finish_line(&mut self) {
        if self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        self.help.get_mut().feed_line(&self.line);
        self.line.clear();
        self.line_open = false;
    }

    /// The scanner for everything: see the module docs.
    fn scan_any(&mut self, buf: &[u8], at_end: bool) -> Scan<Error> {
        if self.help.get_mut().is_finished() {
            self.set_pending(Pending::Commands);
            return Scan::Frame(0);
        }
        let Some(&first) = buf.first() else {
            if !at_end {
                return Scan::NeedMore;
            }
            // End of input: the last line ends, and so does a table being read.
            self.set_pending(Pending::None);
            if self.line_open {
                self.finish_line();
            }
            let help = self.help.get_mut();
            help.end_table();
            if help.is_finished() {
                self.set_pending(Pending::Commands);
                return Scan::Frame(0);
            }
            return Scan::NeedMore;
        };
        if (first == DATA_START || first == LABEL_START) && !self.text.is_text(first) {
            self.scan_frame(buf, at_end)
        } else {
            self.scan_text(buf, at_end)
        }
    }

    #[inline]
    fn scan_frame(&mut self, buf: &[u8], at_end: bool) -> Scan<Error> {
        match Frame::new_unchecked(buf).check_len(self.config.max_channels) {
            Ok(n) => {
                // `decode` then enters `FrameStart`: `scan_any` has checked that no table has
                // finished, and frames do not feed the help parser.
                self.text.reset();
                self.set_pending(Pending::Frame);
                Scan::Frame(n)
            }
            Err(Error::CutOff { .. }) if !at_end => Scan::NeedMore,
            Err(e) => {
                // One byte: the start byte. The COUNT byte is looked at again.
                self.text.reset();
                self.set_pending(Pending::FrameStart);
                Scan::Reject(1, e)
            }
        }
    }

    fn scan_text(&mut self, buf: &[u8], at_end: bool) -> Scan<Error> {
        let limit = self.max_line();
        let window = buf.get(..limit).unwrap_or(buf);
        let mut state = self.text;
        let mut i = 0;
        let (n, ends_line) = loop {
            let rest = window.get(i..).unwrap_or(&[]);
            match memchr::memchr3(b'\n', DATA_START, LABEL_START, rest) {
                Some(j) => {
                    let p = i + j;
                    state.feed_all(&rest[..j]);
                    let c = rest[j];
                    if c == b'\n' {
                        state.reset();
                        break (p + 1, true);
                    }
                    if state.is_text(c) {
                        state.feed(c);
                        i = p + 1;
                        continue;
                    }
                    if p == 0 {
                        // Not reached (scan() sends non-text start bytes to scan_frame).
                        return self.scan_frame(buf, at_end);
                    }
                    break (p, false);
                }
                None => {
                    state.feed_all(rest);
                    if window.len() == limit {
                        break (limit, false);
                    }
                    if at_end {
                        break (buf.len(), true);
                    }
                    return Scan::NeedMore;
                }
            }
        };
        self.text = state;
        self.set_pending(Pending::Text { ends_line });
        Scan::Frame(n)
    }
}

impl DialectConfig for Config {
    const NAMES: &'static [&'static str] = &["plot", "plot:64", "plot:32"];

    fn from_name(name: &str) -> Option<Config> {
        crate::dialect::variant_of(name, Plot::NAME).and_then(Config::from_variant)
    }

    fn name(&self) -> &'static str {
        if self.max_channels > DOCUMENTED_MAX_CHANNELS { Self::NAMES[1] } else { Self::NAMES[0] }
    }
}

impl Dialect for Plot {
    const NAME: &'static str = "plot";
    type Config = Config;
    type Message<'a> = Message<'a>;
    type Error = Error;

    fn new(config: Config) -> Self {
        Plot::new(config)
    }

    fn config(&self) -> &Config {
        &self.config
    }

    fn max_frame_len(&self) -> usize {
        let max = self.config.max_channels;
        self.max_line().max(data_frame_len(max as usize)).max(max_label_frame_len(max))
    }

    // The common case first, inlined into the drivers: a complete data frame right after a
    // frame (what `Frame::check_len` accepts; `Pending::FrameStart` says that the text and
    // help state need no look, and `fast_max` is 0 in every other state). Anything else goes
    // through `scan_any`.
    #[inline]
    fn scan(&mut self, buf: &[u8], at_end: bool) -> Scan<Error> {
        if let [DATA_START, count, ..] = buf {
            let len = data_frame_len(*count as usize);
            // COUNT in 1..=max_channels, in `FrameStart`: 0 wraps to 255, which no `u8`
            // limit exceeds, and outside `FrameStart` no COUNT is below 0.
            if count.wrapping_sub(1) < self.fast_max && buf.len() >= len {
                return Scan::Frame(len);
            }
        }
        self.scan_any(buf, at_end)
    }

    // Frames that `scan` has just checked are not checked again: the bytes are exactly the
    // frame, so the values or entries are the bytes after the header.
    #[inline]
    fn decode_scanned<'a>(&mut self, frame: &'a [u8]) -> Result<Message<'a>, Error> {
        match self.fast_path_data(frame) {
            Some(data) => Ok(Message::Data(data)),
            None => self.decode_scanned_other(frame),
        }
    }

    // `decode_scanned` with a fast-path data frame's item built directly (host builds, where
    // the drivers call this): see `Dialect::decode_scanned_item`.
    #[cfg(feature = "speed-over-size")]
    #[inline(always)]
    fn decode_scanned_item<'a>(&mut self, frame: &'a [u8]) -> Item<Message<'a>, Error> {
        match self.fast_path_data(frame) {
            Some(data) => Item::Frame(Message::Data(data)),
            None => self.decode_scanned_other(frame).into(),
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

    fn decode<'a>(&mut self, frame: &'a [u8]) -> Result<Message<'a>, Error> {
        match core::mem::replace(&mut self.pending, Pending::None) {
            Pending::Frame => {
                self.set_pending(Pending::FrameStart);
                Message::parse_frame(frame, self.config.max_channels)
            }
            Pending::Text { ends_line } => {
                let text = Text::new(frame);
                let content = if text.ends_line() { frame.get(..frame.len() - 1).unwrap_or(&[]) } else { frame };
                self.append_line(content);
                if ends_line {
                    self.finish_line();
                }
                Ok(Message::Text(text))
            }
            Pending::Commands => Ok(Message::Commands(self.help.get_mut().take_commands().unwrap_or_default())),
            // Bytes not announced by `scan` (decode called directly, or a data frame of the
            // fast path): a frame if they are one, text otherwise; the line and help state
            // are left alone.
            state @ (Pending::None | Pending::FrameStart) => {
                self.set_pending(state);
                match frame.first() {
                    Some(&(DATA_START | LABEL_START)) => Message::parse_frame(frame, self.config.max_channels),
                    _ => Ok(Message::Text(Text::new(frame))),
                }
            }
        }
    }

    fn reset(&mut self) {
        *self = Plot::new(self.config);
    }
}

impl Encode for Plot {
    fn encoded_len(&self, message: &Message<'_>) -> usize {
        message.buffer_len()
    }

    fn encode(&self, message: &Message<'_>, out: &mut [u8]) -> Result<usize, EncodeError> {
        message.validate(self.config.max_channels, self.config.max_line)?;
        message.emit(out)
    }
}

#[cfg(test)]
mod tests;
