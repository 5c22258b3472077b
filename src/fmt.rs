//! Display adapters for bytes, used by typed messages (and their `serde` forms) without
//! allocating: lowercase hex, and lossy UTF-8 (each maximal invalid sequence becomes one
//! U+FFFD, as `String::from_utf8_lossy` does).
//!
//! Both take any cloneable source of bytes: a slice, or an iterator that produces them on the
//! fly (a vectordebug payload is read straight from its COBS form, with no contiguous copy).
//! Both gather the text in a small stack buffer and hand it to the formatter in pieces.

use core::borrow::Borrow;
use core::fmt;

/// Bytes of text gathered before they are written to the formatter.
const BATCH: usize = 128;

/// Displays bytes as lowercase hex with no separators.
///
/// `B` is anything that yields the bytes again each time it is cloned: `&[u8]`, `&[u8; N]`
/// or an iterator of `u8` (`Hex(bytes.iter().copied())`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Hex<B>(pub B);

impl<B> fmt::Display for Hex<B>
where
    B: IntoIterator + Clone,
    B::Item: Borrow<u8>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut batch = [0u8; BATCH];
        let mut held = 0;
        for byte in self.0.clone() {
            let byte = *byte.borrow();
            if held == BATCH {
                write_ascii(f, &batch)?;
                held = 0;
            }
            if let Some(pair) = batch.get_mut(held..held + 2) {
                pair.copy_from_slice(&[DIGITS[usize::from(byte >> 4)], DIGITS[usize::from(byte & 0xF)]]);
            }
            held += 2;
        }
        write_ascii(f, batch.get(..held).unwrap_or_default())
    }
}

impl<B> fmt::Debug for Hex<B>
where
    B: IntoIterator + Clone,
    B::Item: Borrow<u8>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Writes hex digits (ASCII, so always a `str`).
fn write_ascii(f: &mut fmt::Formatter<'_>, digits: &[u8]) -> fmt::Result {
    f.write_str(core::str::from_utf8(digits).map_err(|_| fmt::Error)?)
}

/// Displays bytes as UTF-8, replacing each maximal invalid sequence with U+FFFD exactly as
/// `String::from_utf8_lossy` does.
///
/// `B` is anything that yields the bytes again each time it is cloned, as for [`Hex`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Lossy<B>(pub B);

impl<B> fmt::Display for Lossy<B>
where
    B: IntoIterator + Clone,
    B::Item: Borrow<u8>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bytes = self.0.clone().into_iter();
        let mut batch = [0u8; BATCH];
        let mut held = 0;
        loop {
            let mut at_end = false;
            while held < BATCH {
                match bytes.next() {
                    Some(byte) => {
                        if let Some(slot) = batch.get_mut(held) {
                            *slot = *byte.borrow();
                        }
                        held += 1;
                    }
                    None => {
                        at_end = true;
                        break;
                    }
                }
            }
            let filled = batch.get(..held).unwrap_or_default();
            // The standard library decides each invalid sequence from the bytes that follow
            // it (at most three). One cut by the end of the batch may yet become a character:
            // it is kept for the next batch and decided there, with those bytes.
            let (mut seen, mut carry) = (0, 0);
            for chunk in filled.utf8_chunks() {
                f.write_str(chunk.valid())?;
                seen += chunk.valid().len() + chunk.invalid().len();
                if chunk.invalid().is_empty() {
                    continue;
                }
                if seen == held && !at_end {
                    carry = chunk.invalid().len();
                } else {
                    f.write_str("\u{FFFD}")?;
                }
            }
            if at_end {
                return Ok(());
            }
            // At most 3 bytes are carried over, so every batch takes at least 125 new ones.
            batch.copy_within(held - carry..held, 0);
            held = carry;
        }
    }
}

impl<B> fmt::Debug for Lossy<B>
where
    B: IntoIterator + Clone,
    B::Item: Borrow<u8>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// Debug-prints the items of a cloneable iterator as a list (for views that decode lazily).
pub(crate) struct DebugIter<I>(pub(crate) I);

impl<I: Iterator + Clone> fmt::Debug for DebugIter<I>
where
    I::Item: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.clone()).finish()
    }
}

/// `serde(serialize_with = ...)` helpers.
#[cfg(feature = "serde")]
pub mod serde_bytes {
    use super::{Hex, Lossy};

    /// Serializes bytes as a lowercase hex string.
    pub fn hex<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&Hex(bytes))
    }

    /// Serializes bytes as a (lossy) UTF-8 string.
    pub fn lossy<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&Lossy(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::{String, ToString};
    use std::{format, vec::Vec};

    #[test]
    fn hex_and_lossy() {
        assert_eq!(format!("{}", Hex(&[0x00, 0xAB, 0x5c])), "00ab5c");
        assert_eq!(format!("{}", Lossy(b"a\xFFb")), "a\u{FFFD}b");
        assert_eq!(format!("{}", Lossy(b"\xC3\x28")), "\u{FFFD}(");
        assert_eq!(format!("{}", Lossy(b"\xED\xA0\x80")), "\u{FFFD}\u{FFFD}\u{FFFD}");
        assert_eq!(format!("{}", Lossy("25°C".as_bytes())), "25°C");
    }

    /// Each maximal invalid sequence is one U+FFFD, exactly as the real app's Python reads
    /// bytes with `bytes.decode('utf-8', errors='replace')` (expected values from CPython 3).
    #[test]
    fn lossy_matches_python_errors_replace() {
        let cases: [(&[u8], &str); 11] = [
            (b"a\xFFb", "a\u{FFFD}b"),
            (b"\xE2\x82", "\u{FFFD}"),                     // a 3-byte character cut short
            (b"\xF0\x9F\x98", "\u{FFFD}"),                 // a 4-byte character cut short
            (b"\xF0\x9F\x98\xAA", "\u{1F62A}"),            // the whole character
            (b"\xED\xA0\x80", "\u{FFFD}\u{FFFD}\u{FFFD}"), // a surrogate: no valid prefix
            (b"\xC0\xAF", "\u{FFFD}\u{FFFD}"),             // overlong: C0 never starts one
            (b"\xF4\x90\x80\x80", "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"), // above U+10FFFF
            (b"\xE2\x82A", "\u{FFFD}A"),
            (b"\x80\x80", "\u{FFFD}\u{FFFD}"),
            (b"\xC2\xAB\xC2", "\u{AB}\u{FFFD}"),
            (b"", ""),
        ];
        for (bytes, python) in cases {
            assert_eq!(format!("{}", Lossy(bytes)), python, "{bytes:02X?}");
        }
    }

    fn lossy(bytes: &[u8]) -> String {
        Lossy(bytes.iter().copied()).to_string()
    }

    /// From an iterator too, and with every sequence cut by the end of a batch (shifted over
    /// every position around the batch size): as `String::from_utf8_lossy`.
    #[test]
    fn lossy_matches_std_across_batches() {
        let cases: &[&[u8]] = &[
            b"plain",
            b"a\xFFb",
            b"\xC3\x28",
            b"\xED\xA0\x80",
            b"\xF0\x9F\x98",
            b"\xF0\x9F\x98\x80x",
            b"\xE0\x80\x80",
            b"\xF4\x90\x80\x80",
            b"\xC0\xAF",
            "Ток A: 12.5 А\r\n".as_bytes(),
            &[0xE2, 0x82],
            &[0x80; 300],
        ];
        for c in cases {
            assert_eq!(lossy(c), String::from_utf8_lossy(c), "{c:02x?}");
            for shift in BATCH - 5..BATCH + 2 {
                let shifted: Vec<u8> = core::iter::repeat_n(b'.', shift).chain(c.iter().copied()).collect();
                assert_eq!(lossy(&shifted), String::from_utf8_lossy(&shifted), "{shift} {c:02x?}");
                assert_eq!(Lossy(&shifted[..]).to_string(), String::from_utf8_lossy(&shifted));
            }
        }
    }

    #[test]
    fn hex_is_lowercase_across_batches() {
        let data: Vec<u8> = (0..=255u8).cycle().take(600).collect();
        let expected: String = data.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(Hex(data.iter().copied()).to_string(), expected);
        assert_eq!(Hex(&data[..]).to_string(), expected);
        assert_eq!(format!("{:?}", Hex(&data[..3])), "000102");
    }
}
