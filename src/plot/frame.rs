//! Zero-copy views of the two binary frames, and their encoders.
//!
//! [`DataFrame`] and [`LabelFrame`] follow smoltcp's wire views: `new_unchecked` wraps any
//! buffer (its getters may panic if the buffer is too short or malformed), `new_checked`
//! validates everything the frame alone can prove, after which no getter panics.

use core::str;

use super::error::{Error, FrameType};
use crate::error::{EncodeError, check_room};

/// Start byte of a data frame.
pub const DATA_START: u8 = 0xAA;
/// Start byte of a label frame.
pub const LABEL_START: u8 = 0xAB;
/// Longest label name in bytes (LEN is 1..=16).
pub const MAX_LABEL_LEN: usize = 16;
/// The seed's channel limit (COUNT 1..=32, CH_INDEX 0..=31).
pub const SEED_MAX_CHANNELS: u8 = 32;
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
        /// The name's UTF-8 bytes start here.
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
pub fn check_data(buf: &[u8], max_channels: u8) -> Result<usize, Error> {
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
/// Entries are checked in wire order (CH_INDEX, then LEN, then the name's UTF-8), so an
/// invalid prefix is reported as soon as it is there; [`Error::CutOff`] means the prefix is
/// valid and more bytes are needed.
pub fn check_label(buf: &[u8], max_channels: u8) -> Result<usize, Error> {
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
        let name = buf.get(pos + field::entry::NAME..end).ok_or_else(|| cut(end))?;
        if let Err(e) = str::from_utf8(name) {
            // valid_up_to < len <= 16, so it fits a u8.
            let valid_up_to = u8::try_from(e.valid_up_to()).unwrap_or(u8::MAX);
            return Err(Error::InvalidUtf8 { entry, index, len, valid_up_to });
        }
        pos = end;
    }
    Ok(pos)
}

/// A view of a data frame: `0xAA COUNT values[COUNT]` (int16 little-endian).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataFrame<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> DataFrame<T> {
    /// Wraps a buffer without checking it. Getters may panic if it is shorter than the
    /// frame its COUNT announces; use [`new_checked`](Self::new_checked) for untrusted bytes.
    pub const fn new_unchecked(buffer: T) -> DataFrame<T> {
        DataFrame { buffer }
    }

    /// Wraps a buffer after checking the start byte, COUNT (1..=`max_channels`) and that
    /// the buffer holds all values. Bytes after the frame are allowed and ignored.
    pub fn new_checked(buffer: T, max_channels: u8) -> Result<DataFrame<T>, Error> {
        check_data(buffer.as_ref(), max_channels)?;
        Ok(DataFrame { buffer })
    }

    /// The wrapped buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// COUNT: the number of values.
    pub fn count(&self) -> u8 {
        self.buffer.as_ref()[field::COUNT]
    }

    /// The frame's length in bytes (`2 + 2 * COUNT`).
    pub fn frame_len(&self) -> usize {
        data_frame_len(self.count() as usize)
    }

    /// The values' bytes (`2 * COUNT` bytes, little-endian pairs).
    pub fn values_bytes(&self) -> &[u8] {
        &self.buffer.as_ref()[field::HEADER_LEN..self.frame_len()]
    }

    /// Value `i`, or `None` past COUNT.
    pub fn value(&self, i: usize) -> Option<i16> {
        if i >= self.count() as usize {
            return None;
        }
        let b = self.buffer.as_ref().get(field::value(i))?;
        Some(i16::from_le_bytes([b[0], b[1]]))
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> DataFrame<T> {
    /// Writes the start byte `0xAA`.
    pub fn set_start(&mut self) {
        self.buffer.as_mut()[field::START] = DATA_START;
    }

    /// Writes COUNT.
    pub fn set_count(&mut self, count: u8) {
        self.buffer.as_mut()[field::COUNT] = count;
    }

    /// Writes value `i` (panics if the buffer is too short, like any unchecked setter).
    pub fn set_value(&mut self, i: usize, value: i16) {
        self.buffer.as_mut()[field::value(i)].copy_from_slice(&value.to_le_bytes());
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
    let mut frame = DataFrame::new_unchecked(&mut out[..len]);
    frame.set_start();
    frame.set_count(values.len() as u8);
    for (i, &v) in values.iter().enumerate() {
        frame.set_value(i, v);
    }
    Ok(len)
}

/// One label entry: channel `index` is called `name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct LabelEntry<'a> {
    /// CH_INDEX.
    pub index: u8,
    /// The channel's name (1..=16 bytes of UTF-8 on the wire).
    pub name: &'a str,
}

/// Iterates over the entries of a label frame's payload. It stops at the first malformed
/// entry (never the case for a checked frame) and never panics.
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
            let name = str::from_utf8(self.rest.get(field::entry::NAME..end)?).ok()?;
            Some((LabelEntry { index, name }, end))
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

/// A view of a label frame: `0xAB COUNT {CH_INDEX LEN bytes[LEN]}×COUNT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabelFrame<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> LabelFrame<T> {
    /// Wraps a buffer without checking it. [`count`](Self::count) may panic on an empty
    /// buffer; [`entries`](Self::entries) never panics but stops at malformed data.
    pub const fn new_unchecked(buffer: T) -> LabelFrame<T> {
        LabelFrame { buffer }
    }

    /// Wraps a buffer after checking the start byte, COUNT (1..=`max_channels`), every
    /// entry's CH_INDEX (< `max_channels`), LEN (1..=16) and UTF-8, and that the buffer
    /// holds the whole frame. Bytes after the frame are allowed and ignored.
    pub fn new_checked(buffer: T, max_channels: u8) -> Result<LabelFrame<T>, Error> {
        check_label(buffer.as_ref(), max_channels)?;
        Ok(LabelFrame { buffer })
    }

    /// The wrapped buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// COUNT: the number of entries.
    pub fn count(&self) -> u8 {
        self.buffer.as_ref()[field::COUNT]
    }

    /// The entries.
    pub fn entries(&self) -> LabelEntries<'_> {
        let payload = self.buffer.as_ref().get(field::HEADER_LEN..).unwrap_or(&[]);
        LabelEntries::new(payload, self.count())
    }

    /// The frame's length in bytes (the header plus every entry).
    pub fn frame_len(&self) -> usize {
        field::HEADER_LEN + self.entries().map(|e| field::entry::NAME + e.name.len()).sum::<usize>()
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

/// Length of the label frame [`emit_labels`] writes for `labels` (names truncated to 16
/// bytes).
pub fn label_frame_len(labels: &[LabelEntry<'_>]) -> usize {
    field::HEADER_LEN + labels.iter().map(|l| field::entry::NAME + truncate_label(l.name).len()).sum::<usize>()
}

/// Writes a label frame into `out` and returns its length. Names longer than 16 bytes are
/// truncated on a UTF-8 character boundary ([`truncate_label`]).
///
/// Errors: `OutOfRange { field: "COUNT" }` unless `1 <= labels.len() <= max_channels`;
/// `OutOfRange { field: "CH_INDEX" }` for an index `>= max_channels`;
/// `OutOfRange { field: "LENGTH" }` for an empty name; `BufferTooSmall`.
pub fn emit_labels(labels: &[LabelEntry<'_>], max_channels: u8, out: &mut [u8]) -> Result<usize, EncodeError> {
    if labels.is_empty() || labels.len() > max_channels as usize {
        return Err(EncodeError::OutOfRange { field: "COUNT" });
    }
    for label in labels {
        if label.index >= max_channels {
            return Err(EncodeError::OutOfRange { field: "CH_INDEX" });
        }
        if label.name.is_empty() {
            return Err(EncodeError::OutOfRange { field: "LENGTH" });
        }
    }
    let len = label_frame_len(labels);
    check_room(out, len)?;
    out[field::START] = LABEL_START;
    out[field::COUNT] = labels.len() as u8;
    let mut pos = field::HEADER_LEN;
    for label in labels {
        let name = truncate_label(label.name);
        out[pos + field::entry::INDEX] = label.index;
        out[pos + field::entry::LEN] = name.len() as u8;
        let start = pos + field::entry::NAME;
        out[start..start + name.len()].copy_from_slice(name.as_bytes());
        pos = start + name.len();
    }
    Ok(pos)
}
