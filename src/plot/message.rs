//! The typed message of the plot dialect, [`Message`]: data samples, channel labels, text
//! pieces and finished help tables.

use core::fmt;

use super::error::{Error, FrameType};
use super::frame::{self, Frame, LabelEntries};
use super::help::CommandList;
use super::text_state::TextState;
use crate::buf::{self, Sink, SliceWriter};
use crate::error::{EncodeError, check_room};
use crate::fmt::{DebugIter, Lossy};

/// A data frame's values, borrowed from the frame (zero-copy).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Data<'a> {
    /// `2 * COUNT` bytes: little-endian int16 pairs.
    payload: &'a [u8],
}

impl<'a> Data<'a> {
    /// The values of a data frame whose header has been checked: `payload` is the frame
    /// without its header.
    pub(super) fn from_checked(payload: &'a [u8]) -> Data<'a> {
        Data { payload }
    }

    /// Values from their little-endian bytes: `None` unless the length is even and the
    /// count is 1..=255.
    pub fn from_le_bytes(payload: &'a [u8]) -> Option<Data<'a>> {
        let ok = !payload.is_empty() && payload.len() % 2 == 0 && payload.len() / 2 <= u8::MAX as usize;
        ok.then_some(Data { payload })
    }

    /// Number of values (COUNT).
    pub fn count(&self) -> usize {
        self.payload.len() / 2
    }

    /// Value `i` (channel `i`).
    pub fn value(&self, i: usize) -> Option<i16> {
        buf::i16_le(self.payload, i.checked_mul(2)?)
    }

    /// The values in channel order.
    pub fn values(&self) -> Values<'a> {
        Values { chunks: self.payload.chunks_exact(2) }
    }

    /// The values' wire bytes.
    pub fn as_le_bytes(&self) -> &'a [u8] {
        self.payload
    }

    /// Length of the wire frame.
    pub fn buffer_len(&self) -> usize {
        frame::field::HEADER_LEN + self.payload.len()
    }

    /// Whether a decoder with `max_channels` channels reads the frame back:
    /// `OutOfRange { field: "COUNT" }` unless COUNT is `1..=max_channels`.
    pub fn validate(&self, max_channels: u8) -> Result<(), EncodeError> {
        if self.count() == 0 || self.count() > max_channels as usize {
            return Err(EncodeError::OutOfRange { field: "COUNT" });
        }
        Ok(())
    }

    /// Writes the whole wire frame (`0xAA COUNT values`); returns its length.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let len = self.buffer_len();
        check_room(out, len)?;
        let count = u8::try_from(self.count()).map_err(|_| EncodeError::OutOfRange { field: "COUNT" })?;
        // Through the view after one room check: a data frame is often 8 bytes, and a
        // writer's check per field showed in the encoding throughput.
        let mut frame = Frame::new_unchecked(&mut out[..len]);
        frame.set_start(FrameType::Data);
        frame.set_count(count);
        frame.payload_mut().copy_from_slice(self.payload);
        Ok(len)
    }
}

/// 1..=255 values taken from the input (the invariant of [`Data::from_le_bytes`]); COUNT may
/// exceed a configuration's channels, which [`Data::validate`] refuses.
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Data<'a> {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let wanted = usize::from(u.arbitrary::<u8>()?.max(1));
        let count = wanted.min(u.len() / 2);
        if count == 0 {
            return Err(arbitrary::Error::NotEnoughData);
        }
        Data::from_le_bytes(u.bytes(2 * count)?).ok_or(arbitrary::Error::IncorrectFormat)
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (3, Some(1 + 2 * u8::MAX as usize))
    }
}

impl fmt::Debug for Data<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Data").field("values", &DebugIter(self.values())).finish()
    }
}

/// Iterator over the values of a [`Data`] message.
#[derive(Debug, Clone)]
pub struct Values<'a> {
    chunks: core::slice::ChunksExact<'a, u8>,
}

impl Iterator for Values<'_> {
    type Item = i16;

    fn next(&mut self) -> Option<i16> {
        self.chunks.next().and_then(|b| buf::i16_le(b, 0))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }
}

impl ExactSizeIterator for Values<'_> {}

/// A label frame's entries, borrowed from the frame (zero-copy).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Labels<'a> {
    count: u8,
    /// The entries' wire bytes (after COUNT).
    payload: &'a [u8],
}

impl<'a> Labels<'a> {
    /// The entries of a label frame whose structure has been checked: `payload` is the
    /// frame without its header.
    pub(super) fn from_checked(count: u8, payload: &'a [u8]) -> Labels<'a> {
        Labels { count, payload }
    }

    /// Number of entries (COUNT).
    pub fn count(&self) -> usize {
        self.count as usize
    }

    /// The entries in wire order (a CH_INDEX may repeat; the last one wins for a display).
    pub fn entries(&self) -> LabelEntries<'a> {
        LabelEntries::new(self.payload, self.count)
    }

    /// The name sent last for channel `index` in this frame, as lossy text (its `.0` holds
    /// the name's bytes; see [`LabelEntry::name`](super::LabelEntry::name)).
    pub fn name_of(&self, index: u8) -> Option<Lossy<&'a [u8]>> {
        self.entries().filter(|e| e.index == index).last().map(|e| e.name())
    }

    /// Length of the wire frame.
    pub fn buffer_len(&self) -> usize {
        frame::field::HEADER_LEN + self.payload.len()
    }

    /// Whether a decoder with `max_channels` channels reads the frame back:
    /// `OutOfRange { field: "COUNT" }` unless COUNT is `1..=max_channels`,
    /// `OutOfRange { field: "CH_INDEX" }` for an index `>= max_channels`.
    pub fn validate(&self, max_channels: u8) -> Result<(), EncodeError> {
        if self.count == 0 || self.count > max_channels {
            return Err(EncodeError::OutOfRange { field: "COUNT" });
        }
        if self.entries().any(|e| e.index >= max_channels) {
            return Err(EncodeError::OutOfRange { field: "CH_INDEX" });
        }
        Ok(())
    }

    /// Writes the whole wire frame, byte for byte as decoded; returns its length.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let len = self.buffer_len();
        check_room(out, len)?;
        let mut frame = Frame::new_unchecked(&mut out[..len]);
        frame.set_start(FrameType::Label);
        frame.set_count(self.count);
        frame.payload_mut().copy_from_slice(self.payload);
        Ok(len)
    }
}

/// 1..=255 well-formed entries (CH_INDEX, LEN 1..=16, LEN name bytes of any value) taken
/// verbatim from the input, as a checked frame holds them: as many as the input has, up to
/// an arbitrary COUNT. CH_INDEX and COUNT may exceed a configuration's channels, which
/// [`Labels::validate`] refuses.
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Labels<'a> {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        use frame::field::entry;
        let wanted = u.arbitrary::<u8>()?.max(1);
        let rest = u.peek_bytes(u.len()).unwrap_or(&[]);
        let (mut count, mut len) = (0u8, 0usize);
        while count < wanted {
            let Some(&name_len) = rest.get(len + entry::LEN) else { break };
            let end = len + entry::NAME + usize::from(name_len);
            let valid = (1..=frame::MAX_LABEL_LEN).contains(&usize::from(name_len)) && end <= rest.len();
            if !valid {
                break;
            }
            (count, len) = (count + 1, end);
        }
        if count == 0 {
            return Err(arbitrary::Error::IncorrectFormat);
        }
        Ok(Labels { count, payload: u.bytes(len)? })
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (4, None)
    }
}

impl fmt::Debug for Labels<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Labels").field("labels", &DebugIter(self.entries())).finish()
    }
}

/// One piece of text: a whole line with its ending, or the part of a line before a frame,
/// a rejected start byte, the `max_line` limit or the end of the input.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Text<'a> {
    raw: &'a [u8],
}

impl<'a> Text<'a> {
    /// Text from its raw bytes (as they were on the wire).
    pub const fn new(raw: &'a [u8]) -> Text<'a> {
        Text { raw }
    }

    /// The raw bytes, line ending included.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Whether the piece ends with `\n` (it ends a line).
    pub fn ends_line(&self) -> bool {
        self.raw.last() == Some(&b'\n')
    }

    /// The bytes without the line ending (`\n`, and a `\r` right before it).
    pub fn line(&self) -> &'a [u8] {
        match self.raw {
            [rest @ .., b'\r', b'\n'] | [rest @ .., b'\n'] => rest,
            other => other,
        }
    }

    /// The line as text, if it is valid UTF-8.
    pub fn as_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.line()).ok()
    }

    /// The line as lossy UTF-8 (each invalid sequence shown as U+FFFD).
    pub fn lossy(&self) -> Lossy<&'a [u8]> {
        Lossy(self.line())
    }

    /// Length on the wire.
    pub fn buffer_len(&self) -> usize {
        self.raw.len()
    }

    /// Whether the piece, sent at the start of a line (after a line end, a frame or a
    /// rejected start byte), is read back as this one piece by a decoder whose lines are
    /// cut at `max_line` bytes (values below 1 act as 1):
    ///
    /// * `OutOfRange { field: "TEXT" }` for an empty piece;
    /// * `TooLong { field: "TEXT", .. }` for more than `max_line` bytes;
    /// * `InvalidByte { field: "TEXT" }` for an LF before the last byte, or an
    ///   `0xAA`/`0xAB` that is not text ([`TextState`]) and would start a frame.
    ///
    /// [`emit`](Self::emit) does not check this: a decoded piece behind a `max_line` cut
    /// continues its line and re-encodes verbatim.
    pub fn validate(&self, max_line: usize) -> Result<(), EncodeError> {
        let max = max_line.max(1);
        let Some((_, body)) = self.raw.split_last() else {
            return Err(EncodeError::OutOfRange { field: "TEXT" });
        };
        if self.raw.len() > max {
            return Err(EncodeError::TooLong { field: "TEXT", len: self.raw.len(), max });
        }
        if body.contains(&b'\n') || TextState::first_frame_start(self.raw).is_some() {
            return Err(EncodeError::InvalidByte { field: "TEXT" });
        }
        Ok(())
    }

    /// Writes the raw bytes; returns their length.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        check_room(out, self.raw.len())?;
        let mut writer = SliceWriter::new(out);
        writer.put(self.raw)?;
        Ok(writer.len())
    }
}

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Text").field("line", &self.lossy()).field("raw", &crate::fmt::Hex(self.raw)).finish()
    }
}

/// Everything the plot stream carries.
///
/// `Commands` owns its list (a decoded frame may not borrow the dialect). With the `alloc`
/// feature the list's rows are boxed ([`CommandList`]) and a `Message` is a few words;
/// without `alloc` it holds the rows inline (about 1.3 KiB).
#[cfg_attr(not(feature = "alloc"), allow(clippy::large_enum_variant))] // no heap to box into
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", content = "fields"))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Message<'a> {
    /// `0xAA` data frame: int16 samples, one per channel.
    #[cfg_attr(feature = "serde", serde(rename = "DATA"))]
    Data(Data<'a>),
    /// `0xAB` label frame: channel names.
    #[cfg_attr(feature = "serde", serde(rename = "LABEL"))]
    Label(Labels<'a>),
    /// A piece of a text line.
    #[cfg_attr(feature = "serde", serde(rename = "TEXT"))]
    Text(Text<'a>),
    /// A finished help table (a zero-length event after the line that ended it).
    #[cfg_attr(feature = "serde", serde(rename = "COMMANDS"))]
    Commands(CommandList),
}

impl<'a> Message<'a> {
    /// The message of a checked binary frame: `Data` or `Label` (the frame's bytes after
    /// its header, borrowed).
    pub fn parse(frame: Frame<&'a [u8]>) -> Message<'a> {
        let frame_type = frame.frame_type();
        let count = frame.count();
        let len = frame.frame_len();
        let payload = frame.into_inner().get(frame::field::HEADER_LEN..len).unwrap_or(&[]);
        match frame_type {
            Some(FrameType::Label) => Message::Label(Labels::from_checked(count, payload)),
            _ => Message::Data(Data::from_checked(payload)),
        }
    }

    /// Checks and parses the binary frame at the start of `buf` (bytes after it are
    /// ignored): [`Frame::new_checked`], then [`parse`](Self::parse).
    pub fn parse_frame(buf: &'a [u8], max_channels: u8) -> Result<Message<'a>, Error> {
        Frame::new_checked(buf, max_channels).map(Message::parse)
    }

    /// Bytes [`emit`](Self::emit) writes (0 for `Commands`, which spans no input bytes).
    pub fn buffer_len(&self) -> usize {
        match self {
            Message::Data(d) => d.buffer_len(),
            Message::Label(l) => l.buffer_len(),
            Message::Text(t) => t.buffer_len(),
            Message::Commands(_) => 0,
        }
    }

    /// Whether the message, written alone at the start of a stream, decodes back to itself
    /// with a [`Config`](super::Config) of these `max_channels` and `max_line`:
    /// [`Data::validate`], [`Labels::validate`] with `max_channels`, [`Text::validate`] with
    /// `max_line`. `Commands` spans no bytes and is always `Ok` (a table is printed with
    /// [`HelpWriter`](super::HelpWriter), which refuses rows the parser could not read back).
    pub fn validate(&self, max_channels: u8, max_line: usize) -> Result<(), EncodeError> {
        match self {
            Message::Data(d) => d.validate(max_channels),
            Message::Label(l) => l.validate(max_channels),
            Message::Text(t) => t.validate(max_line),
            Message::Commands(_) => Ok(()),
        }
    }

    /// Writes exactly the bytes the message was decoded from; returns their length
    /// (`Commands` writes nothing; see [`HelpWriter`](super::HelpWriter) to print a table).
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        match self {
            Message::Data(d) => d.emit(out),
            Message::Label(l) => l.emit(out),
            Message::Text(t) => t.emit(out),
            Message::Commands(_) => Ok(0),
        }
    }
}

impl crate::dialect::Message for Message<'_> {
    fn name(&self) -> &'static str {
        match self {
            Message::Data(_) => "DATA",
            Message::Label(_) => "LABEL",
            Message::Text(_) => "TEXT",
            Message::Commands(_) => "COMMANDS",
        }
    }
}

/// Display scaling as the original documentation computes it: `value = (raw + offset) ×
/// scale`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Scaling {
    /// Added to the raw value first.
    pub offset: f64,
    /// Then multiplied.
    pub scale: f64,
}

impl Default for Scaling {
    fn default() -> Self {
        Scaling { offset: 0.0, scale: 1.0 }
    }
}

impl Scaling {
    /// `(raw + offset) × scale`. For example ADC counts 0..=1023 with offset −512 and
    /// scale 0.00322 give about −1.65 V ..= 1.65 V.
    pub fn apply(&self, raw: i16) -> f64 {
        (f64::from(raw) + self.offset) * self.scale
    }
}

#[cfg(feature = "serde")]
mod ser {
    use super::*;
    use serde::ser::{Serialize, SerializeStruct, Serializer};

    struct Seq<I>(I);

    impl<I: Iterator + Clone> Serialize for Seq<I>
    where
        I::Item: Serialize,
    {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.0.clone())
        }
    }

    impl Serialize for Data<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("Data", 1)?;
            st.serialize_field("values", &Seq(self.values()))?;
            st.end()
        }
    }

    impl Serialize for Labels<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("Labels", 1)?;
            st.serialize_field("labels", &Seq(self.entries()))?;
            st.end()
        }
    }

    impl Serialize for Text<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            struct Line<'a>(&'a [u8]);
            impl Serialize for Line<'_> {
                fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    crate::fmt::serde_bytes::lossy(self.0, s)
                }
            }
            let mut st = s.serialize_struct("Text", 1)?;
            st.serialize_field("line", &Line(self.line()))?;
            st.end()
        }
    }
}
