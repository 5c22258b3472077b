//! Display adapters for bytes, used by typed messages (and their `serde` forms) without
//! allocating: lowercase hex, and lossy UTF-8 (each maximal invalid sequence becomes one
//! U+FFFD, as `String::from_utf8_lossy` does).

use core::fmt;

/// Displays bytes as lowercase hex with no separators.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Hex<'a>(pub &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Displays bytes as UTF-8, replacing each maximal invalid sequence with U+FFFD.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Lossy<'a>(pub &'a [u8]);

impl fmt::Display for Lossy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_str("\u{FFFD}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Lossy<'_> {
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
    use std::format;

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
}
