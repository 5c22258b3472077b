//! The zero-copy view of one binary frame, [`Frame`], and the encoders of the two frame
//! types.
//!
//! One view serves both frame types (as smoltcp's ICMP `Packet` serves every ICMP message):
//! the start byte says which one it is ([`Frame::frame_type`]), the header (start byte and
//! COUNT) is the same, and the accessors of the payload are per type: [`Frame::value`] for
//! a data frame (`None` on a label frame) and [`Frame::entries`] for a label frame (empty
//! on a data frame). One `Frame` keeps the dialect's files in the shape of the others and
//! lets the scanner and [`Message::parse`](super::Message::parse) check and read a frame
//! without first choosing a type.
//!
//! As in smoltcp, `new_unchecked` wraps any buffer (its getters may panic if the buffer is
//! too short for the frame its header announces), `new_checked` validates everything the
//! frame alone can prove, after which no getter panics. The wire layout is in the
//! [module documentation](super) and in docs/protocols/plot.md.

use core::fmt;
use core::str;

use super::error::{Error, FrameType};
use crate::buf::{self, Counter, Sink, SliceWriter};
use crate::error::{EncodeError, check_room};
use crate::fmt::{Hex, Lossy};

/// Start byte of a data frame.
pub const DATA_START: u8 = FrameType::Data.start_byte();
/// Start byte of a label frame.
pub const LABEL_START: u8 = FrameType::Label.start_byte();
/// Longest label name in bytes (LEN is 1..=16).
pub const MAX_LABEL_LEN: usize = 16;
/// The channel limit of the original documentation (COUNT 1..=32, CH_INDEX 0..=31).
pub const DOCUMENTED_MAX_CHANNELS: u8 = 32;
/// The real app's channel limit (the `plot:64` variant).
pub const WIDE_MAX_CHANNELS: u8 = 64;

/// Byte positions of the fields, shared by getters and setters.
pub mod field {
    use core::ops::Range;

    /// The start byte (`0xAA` or `0xAB`).
    pub const START: usize = 0;
    /// COUNT: number of values (data) or entries (label).
    pub const COUNT: usize = 1;
    /// Length of the header (start byte and COUNT); the payload begins here.
    pub const HEADER_LEN: usize = 2;

    /// Data frame: the bytes of value `i` (int16, little-endian).
    pub const fn value(i: usize) -> Range<usize> {
        HEADER_LEN + 2 * i..HEADER_LEN + 2 * i + 2
    }

    /// Offsets inside one label entry.
    pub mod entry {
        /// CH_INDEX: the channel the name is for.
        pub const INDEX: usize = 0;
        /// LEN: length of the name in bytes (1..=16).
        pub const LEN: usize = 1;
        /// The name's bytes (meant to be UTF-8) start here.
        pub const NAME: usize = 2;
    }
}

/// Length of a data frame with `count` values: `2 + 2 * count`.
pub const fn data_frame_len(count: usize) -> usize {
    field::HEADER_LEN + 2 * count
}

/// The longest label frame for `max_channels` channels (every entry with a 16-byte name).
pub const fn max_label_frame_len(max_channels: u8) -> usize {
    field::HEADER_LEN + max_channels as usize * (field::entry::NAME + MAX_LABEL_LEN)
}

/// Checks a data frame at the start of `buf`; returns its length.
///
/// The checks run in wire order, so an invalid prefix is reported as soon as it is there;
/// [`Error::CutOff`] means the prefix is valid and more bytes are needed.
fn check_data(buf: &[u8], max_channels: u8) -> Result<usize, Error> {
    let cut = |needed: usize| Error::CutOff { frame: FrameType::Data, needed, available: buf.len() };
    match buf.get(field::START) {
        None => return Err(cut(field::HEADER_LEN)),
        Some(&DATA_START) => {}
        Some(&found) => return Err(Error::BadStartByte { expected: FrameType::Data, found }),
    }
    let count = *buf.get(field::COUNT).ok_or_else(|| cut(field::HEADER_LEN))?;
    if count == 0 || count > max_channels {
        return Err(Error::BadCount { frame: FrameType::Data, count, max: max_channels });
    }
    let len = data_frame_len(count as usize);
    if buf.len() < len {
        return Err(cut(len));
    }
    Ok(len)
}

/// Checks a label frame at the start of `buf`; returns its length.
///
/// A label frame is framed by its structure alone: COUNT, then each entry's CH_INDEX and
/// LEN, checked in wire order, so an invalid prefix is reported as soon as it is there;
/// [`Error::CutOff`] means the prefix is valid and more bytes are needed. The name bytes are
/// not checked: a name that is not UTF-8 is read lossily ([`LabelEntry::name`]). Rejecting
/// the frame for it would hand the label's bytes back to the scanner, where a name byte
/// `0xAA` (the last byte of `ª` or `ê`) followed by the next entry's CH_INDEX reads as a
/// data frame that was never sent.
fn check_label(buf: &[u8], max_channels: u8) -> Result<usize, Error> {
    let cut = |needed: usize| Error::CutOff { frame: FrameType::Label, needed, available: buf.len() };
    match buf.get(field::START) {
        None => return Err(cut(field::HEADER_LEN)),
        Some(&LABEL_START) => {}
        Some(&found) => return Err(Error::BadStartByte { expected: FrameType::Label, found }),
    }
    let count = *buf.get(field::COUNT).ok_or_else(|| cut(field::HEADER_LEN))?;
    if count == 0 || count > max_channels {
        return Err(Error::BadCount { frame: FrameType::Label, count, max: max_channels });
    }
    let mut pos = field::HEADER_LEN;
    for entry in 0..count {
        let index = *buf.get(pos + field::entry::INDEX).ok_or_else(|| cut(pos + 1))?;
        if index >= max_channels {
            return Err(Error::BadChannelIndex { entry, index, max: max_channels });
        }
        let len = *buf.get(pos + field::entry::LEN).ok_or_else(|| cut(pos + 2))?;
        if len == 0 || len as usize > MAX_LABEL_LEN {
            return Err(Error::BadLabelLen { entry, len });
        }
        let end = pos + field::entry::NAME + len as usize;
        if buf.len() < end {
            return Err(cut(end));
        }
        pos = end;
    }
    Ok(pos)
}

/// A view of one binary frame: a data frame `0xAA COUNT values[COUNT]` (int16
/// little-endian) or a label frame `0xAB COUNT {CH_INDEX LEN bytes[LEN]}×COUNT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Frame<T> {
    /// Wraps a buffer without checking it. Getters may panic if it is shorter than the
    /// frame its header announces; use [`new_checked`](Self::new_checked) for untrusted
    /// bytes.
    pub const fn new_unchecked(buffer: T) -> Frame<T> {
        Frame { buffer }
    }

    /// Wraps a buffer after [`check_len`](Self::check_len). Bytes after the frame are
    /// allowed and ignored.
    pub fn new_checked(buffer: T, max_channels: u8) -> Result<Frame<T>, Error> {
        let frame = Frame::new_unchecked(buffer);
        frame.check_len(max_channels)?;
        Ok(frame)
    }

    /// Checks the frame at the start of the buffer and returns its length: the start byte
    /// (a byte other than `0xAA`/`0xAB` is [`Error::BadStartByte`] for a data frame), COUNT
    /// (`1..=max_channels`), for a label frame every entry's CH_INDEX (`< max_channels`)
    /// and LEN (`1..=16`), and that the buffer holds the whole frame. The checks run in wire
    /// order, so an invalid prefix is reported as soon as it is there; [`Error::CutOff`]
    /// means the prefix is valid and more bytes are needed. Name bytes are not checked (a
    /// name that is not UTF-8 is read lossily, [`LabelEntry::name`]). After it succeeds no
    /// getter panics.
    pub fn check_len(&self, max_channels: u8) -> Result<usize, Error> {
        let buf = self.buffer.as_ref();
        match buf.first() {
            Some(&LABEL_START) => check_label(buf, max_channels),
            _ => check_data(buf, max_channels),
        }
    }

    /// The wrapped buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The frame type its start byte names; `None` for another byte or an empty buffer.
    pub fn frame_type(&self) -> Option<FrameType> {
        self.buffer.as_ref().first().copied().and_then(FrameType::from_start_byte)
    }

    /// COUNT: the number of values (data) or entries (label).
    pub fn count(&self) -> u8 {
        self.buffer.as_ref()[field::COUNT]
    }

    /// The frame's length in bytes: `2 + 2 * COUNT` for a data frame, the header plus every
    /// entry for a label frame.
    pub fn frame_len(&self) -> usize {
        match self.frame_type() {
            Some(FrameType::Label) => {
                let entries = self.entries().map(|e| field::entry::NAME + e.name_bytes.len());
                field::HEADER_LEN + entries.sum::<usize>()
            }
            _ => data_frame_len(self.count() as usize),
        }
    }

    /// The bytes after the header: a data frame's values (`2 * COUNT` bytes, little-endian
    /// pairs) or a label frame's entries.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[field::HEADER_LEN..self.frame_len()]
    }

    /// Value `i` of a data frame; `None` past COUNT and for a label frame.
    pub fn value(&self, i: usize) -> Option<i16> {
        if self.frame_type() != Some(FrameType::Data) || i >= self.count() as usize {
            return None;
        }
        buf::i16_le(self.buffer.as_ref(), field::value(i).start)
    }

    /// The entries of a label frame (none for a data frame). The iterator never panics:
    /// on a buffer cut short it stops at the last whole entry.
    pub fn entries(&self) -> LabelEntries<'_> {
        let bytes = self.buffer.as_ref();
        match (self.frame_type(), bytes.get(field::COUNT), bytes.get(field::HEADER_LEN..)) {
            (Some(FrameType::Label), Some(&count), Some(payload)) => LabelEntries::new(payload, count),
            _ => LabelEntries::new(&[], 0),
        }
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Frame<T> {
    /// Writes the start byte of `frame_type`.
    pub fn set_start(&mut self, frame_type: FrameType) {
        self.buffer.as_mut()[field::START] = frame_type.start_byte();
    }

    /// Writes COUNT.
    pub fn set_count(&mut self, count: u8) {
        self.buffer.as_mut()[field::COUNT] = count;
    }

    /// Writes value `i` of a data frame (panics if the buffer is too short, like any
    /// unchecked setter).
    pub fn set_value(&mut self, i: usize, value: i16) {
        self.buffer.as_mut()[field::value(i)].copy_from_slice(&value.to_le_bytes());
    }

    /// The bytes after the header up to the end of the buffer, for writing the payload (a
    /// label frame's length is known only from its entries, so wrap exactly the frame's
    /// bytes).
    pub fn payload_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::HEADER_LEN..]
    }
}

/// Writes a data frame with `values` into `out` and returns its length.
///
/// Errors: `OutOfRange { field: "COUNT" }` unless `1 <= values.len() <= max_channels`;
/// `BufferTooSmall` if `out` is shorter than `2 + 2 * values.len()`.
pub fn emit_data(values: &[i16], max_channels: u8, out: &mut [u8]) -> Result<usize, EncodeError> {
    if values.is_empty() || values.len() > max_channels as usize {
        return Err(EncodeError::OutOfRange { field: "COUNT" });
    }
    let len = data_frame_len(values.len());
    check_room(out, len)?;
    // Through the view's setters after one room check, as smoltcp's `emit` writes a view.
    let mut frame = Frame::new_unchecked(&mut out[..len]);
    frame.set_start(FrameType::Data);
    frame.set_count(values.len() as u8);
    for (i, &v) in values.iter().enumerate() {
        frame.set_value(i, v);
    }
    Ok(len)
}

/// One label entry: channel `index` is called by the name in `name_bytes`.
///
/// Decoded entries carry the name's bytes as they were on the wire, which need not be
/// UTF-8 (a corrupted byte, or a device that sends another encoding): [`name`](Self::name)
/// shows them as text, [`name_str`](Self::name_str) gives them when they are UTF-8, and
/// re-encoding writes them back unchanged. Firmware builds entries from text with
/// [`label`] or [`LabelEntry::new`].
///
/// The `serde` form is `{"index": n, "name": s}`, `s` being the lossy text of the name.
///
/// ```
/// use serial_dialects::plot::{Frame, label};
///
/// let frame = Frame::new_checked(&b"\xAB\x02\x00\x03a\xFFb\x01\x02V1"[..], 32).unwrap();
/// let entries: Vec<_> = frame.entries().collect();
/// assert_eq!(entries[0].name().to_string(), "a\u{FFFD}b");
/// assert_eq!((entries[0].name_bytes, entries[0].name_str()), (&b"a\xFFb"[..], None));
/// assert_eq!((entries[1].index, entries[1].name_str()), (1, Some("V1")));
/// assert_eq!(entries[1], label(1, "V1"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct LabelEntry<'a> {
    /// CH_INDEX.
    pub index: u8,
    /// The name's bytes (1..=16 of them in a decoded entry; meant to be UTF-8).
    #[cfg_attr(feature = "serde", serde(rename = "name", serialize_with = "crate::fmt::serde_bytes::lossy"))]
    pub name_bytes: &'a [u8],
}

impl<'a> LabelEntry<'a> {
    /// An entry naming channel `index` with the text `name` (the encoder cuts it to 16
    /// bytes, [`truncate_label`]).
    pub const fn new(index: u8, name: &'a str) -> LabelEntry<'a> {
        LabelEntry { index, name_bytes: name.as_bytes() }
    }

    /// An entry naming channel `index` with raw name bytes, sent as they are (up to 16).
    pub const fn from_bytes(index: u8, name_bytes: &'a [u8]) -> LabelEntry<'a> {
        LabelEntry { index, name_bytes }
    }

    /// The name as text: each maximal invalid UTF-8 sequence shows as one U+FFFD, as the
    /// real app's `bytes.decode('utf-8', errors='replace')` reads it. No allocation; use
    /// `to_string()` or `{}` to get the text.
    pub fn name(&self) -> Lossy<&'a [u8]> {
        Lossy(self.name_bytes)
    }

    /// The name, if it is valid UTF-8.
    pub fn name_str(&self) -> Option<&'a str> {
        str::from_utf8(self.name_bytes).ok()
    }
}

/// `LabelEntry { index: 0, name: "Temp" }`; a name that is not UTF-8 also shows its bytes
/// in hex (`raw: 61ff62`), so that entries with different bytes never look the same.
impl fmt::Debug for LabelEntry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("LabelEntry");
        s.field("index", &self.index).field("name", &self.name());
        if self.name_str().is_none() {
            s.field("raw", &Hex(self.name_bytes));
        }
        s.finish()
    }
}

/// Convenience for firmware: a label entry naming channel `index` with the text `name`
/// ([`LabelEntry::new`]).
pub const fn label(index: u8, name: &str) -> LabelEntry<'_> {
    LabelEntry::new(index, name)
}

/// Iterates over the entries of a label frame's payload. It stops at the first entry cut
/// short by the end of the payload (never the case for a checked frame) and never panics.
/// Name bytes are not checked ([`LabelEntry::name`] reads them lossily).
#[derive(Debug, Clone)]
pub struct LabelEntries<'a> {
    rest: &'a [u8],
    remaining: u8,
}

impl<'a> LabelEntries<'a> {
    /// Entries from the bytes after COUNT, at most `count` of them.
    pub fn new(payload: &'a [u8], count: u8) -> Self {
        LabelEntries { rest: payload, remaining: count }
    }
}

impl<'a> Iterator for LabelEntries<'a> {
    type Item = LabelEntry<'a>;

    fn next(&mut self) -> Option<LabelEntry<'a>> {
        if self.remaining == 0 {
            return None;
        }
        let parsed = (|| {
            let index = *self.rest.get(field::entry::INDEX)?;
            let len = *self.rest.get(field::entry::LEN)? as usize;
            let end = field::entry::NAME + len;
            let name_bytes = self.rest.get(field::entry::NAME..end)?;
            Some((LabelEntry { index, name_bytes }, end))
        })();
        match parsed {
            Some((entry, end)) => {
                self.rest = self.rest.get(end..).unwrap_or(&[]);
                self.remaining -= 1;
                Some(entry)
            }
            None => {
                self.remaining = 0;
                None
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.remaining as usize))
    }
}

/// `name` cut to at most 16 bytes on a UTF-8 character boundary (as the encoder sends it).
pub fn truncate_label(name: &str) -> &str {
    let mut end = name.len().min(MAX_LABEL_LEN);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

/// Name bytes cut to at most 16 as the encoder sends them: the cut moves back over the
/// continuation bytes (`10xxxxxx`) at it, at most 3 (the most a character has), so that a
/// UTF-8 name is cut on a character boundary exactly as [`truncate_label`] cuts it. Bytes
/// that are not UTF-8 are cut the same way, and never to nothing.
pub fn truncate_label_bytes(name: &[u8]) -> &[u8] {
    if name.len() <= MAX_LABEL_LEN {
        return name;
    }
    let mut end = MAX_LABEL_LEN;
    while end > MAX_LABEL_LEN - 3 && name.get(end).is_some_and(|&b| b & 0xC0 == 0x80) {
        end -= 1;
    }
    name.get(..end).unwrap_or(name)
}

/// Length of the label frame [`emit_labels`] writes for `labels` (names truncated to 16
/// bytes): the bytes its encoder would write, counted.
pub fn label_frame_len(labels: &[LabelEntry<'_>]) -> usize {
    let mut counter = Counter::new();
    // A `Counter` refuses nothing.
    let _ = put_labels(labels, &mut counter);
    counter.len()
}

/// The bytes of a label frame, into any sink; the caller has checked the entries.
fn put_labels(labels: &[LabelEntry<'_>], sink: &mut impl Sink) -> Result<(), EncodeError> {
    sink.put_u8(LABEL_START)?;
    // At most `max_channels` entries once checked, so COUNT fits.
    sink.put_u8(labels.len() as u8)?;
    for label in labels {
        let name = truncate_label_bytes(label.name_bytes);
        sink.put_u8(label.index)?;
        // At most 16 bytes after truncation.
        sink.put_u8(name.len() as u8)?;
        sink.put(name)?;
    }
    Ok(())
}

/// Writes a label frame into `out` and returns its length. Names longer than 16 bytes are
/// truncated on a UTF-8 character boundary ([`truncate_label_bytes`]); name bytes are
/// written as they are, so entries decoded from a frame (whatever their bytes) give that
/// frame back.
///
/// Errors: `OutOfRange { field: "COUNT" }` unless `1 <= labels.len() <= max_channels`;
/// `OutOfRange { field: "CH_INDEX" }` for an index `>= max_channels`;
/// `OutOfRange { field: "LENGTH" }` for an empty name; `BufferTooSmall` (nothing written).
pub fn emit_labels(labels: &[LabelEntry<'_>], max_channels: u8, out: &mut [u8]) -> Result<usize, EncodeError> {
    if labels.is_empty() || labels.len() > max_channels as usize {
        return Err(EncodeError::OutOfRange { field: "COUNT" });
    }
    for label in labels {
        if label.index >= max_channels {
            return Err(EncodeError::OutOfRange { field: "CH_INDEX" });
        }
        if label.name_bytes.is_empty() {
            return Err(EncodeError::OutOfRange { field: "LENGTH" });
        }
    }
    // The length first, from the same code as the bytes, so that a short buffer is refused
    // before anything is written.
    check_room(out, label_frame_len(labels))?;
    let mut writer = SliceWriter::new(out);
    put_labels(labels, &mut writer)?;
    Ok(writer.len())
}
