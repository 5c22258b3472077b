//! Bare device text lines (`ERR_CRC\r\n`, `SYSTEM START\r\n`), which the device sends
//! outside frames (`docs/protocols/ascii-crc8.md`, 2.4).

use core::fmt;

use crate::buf::{Sink, SliceWriter};
use crate::error::{EncodeError, check_room};

/// One text line as received, with its line ending (`\n` or `\r\n`).
///
/// A line is text when it is non-empty, ends in `\n`, and holds only printable ASCII
/// (0x20–0x7E except `&` and `*`, which the device never sends outside frames) and TAB.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DeviceLine<'a> {
    raw: &'a [u8],
}

/// The longest device text line, with its ending (the scanner's default search limit).
pub const MAX_LINE_LEN: usize = 1024;

/// True for the bytes a device text line may hold (before its line ending).
pub(crate) fn is_text_byte(b: u8) -> bool {
    b == b'\t' || ((0x20..=0x7E).contains(&b) && b != b'&' && b != b'*')
}

/// The line's text without the `\r\n` / `\n` ending.
fn strip_ending(raw: &[u8]) -> &[u8] {
    let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
    raw.strip_suffix(b"\r").unwrap_or(raw)
}

impl<'a> DeviceLine<'a> {
    /// Checks that `raw` is exactly one device text line (with its ending).
    pub fn new(raw: &'a [u8]) -> Option<DeviceLine<'a>> {
        if !raw.ends_with(b"\n") {
            return None;
        }
        let text = strip_ending(raw);
        (!text.is_empty() && text.iter().all(|&b| is_text_byte(b))).then_some(DeviceLine { raw })
    }

    /// Any bytes as a line, unchecked (for a total `rebuild`; see `rebuild.rs`).
    pub(super) fn unchecked(raw: &'a [u8]) -> DeviceLine<'a> {
        DeviceLine { raw }
    }

    /// The line as received, with its ending.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.raw
    }

    /// The text without its line ending.
    pub fn text(&self) -> &'a [u8] {
        strip_ending(self.raw)
    }

    /// The text as `&str` (always ASCII).
    pub fn as_str(&self) -> &'a str {
        core::str::from_utf8(self.text()).unwrap_or("")
    }

    /// True for the device's error lines: `ERR`, `ERR_CRC`, `ERR_LENGTH`, `ERR: …`.
    pub fn is_error(&self) -> bool {
        self.text().starts_with(b"ERR")
    }

    /// Writes the line as received and returns its length.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let mut writer = SliceWriter::new(out);
        writer.put(self.raw)?;
        Ok(writer.len())
    }
}

/// Only real lines, as [`DeviceLine::new`] accepts them; other bytes are
/// [`arbitrary::Error::IncorrectFormat`].
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for DeviceLine<'a> {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        DeviceLine::new(<&'a [u8]>::arbitrary(u)?).ok_or(arbitrary::Error::IncorrectFormat)
    }

    fn size_hint(depth: usize) -> (usize, Option<usize>) {
        <&'a [u8]>::size_hint(depth)
    }
}

impl fmt::Debug for DeviceLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&crate::fmt::Lossy(self.raw), f)
    }
}

/// Writes a device text line `text\r\n` (as the firmware sends its errors). The text must
/// be non-empty TAB or printable ASCII other than `&` and `*` (so no line ending inside), at
/// most [`MAX_LINE_LEN`] − 2 bytes.
pub fn encode_line(out: &mut [u8], text: &[u8]) -> Result<usize, EncodeError> {
    if text.is_empty() || !text.iter().all(|&b| is_text_byte(b)) {
        return Err(EncodeError::InvalidByte { field: "text" });
    }
    let max = MAX_LINE_LEN - 2;
    if text.len() > max {
        return Err(EncodeError::TooLong { field: "text", len: text.len(), max });
    }
    // Checked first so that a short buffer reports the whole line's length.
    check_room(out, text.len() + 2)?;
    let mut writer = SliceWriter::new(out);
    writer.put(text)?;
    writer.put(b"\r\n")?;
    Ok(writer.len())
}
