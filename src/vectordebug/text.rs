//! Display adapters over byte iterators, for payloads that are decoded on the fly from
//! their COBS encoding (no contiguous copy exists): lowercase hex, and lossy UTF-8 with the
//! same replacement rule as `String::from_utf8_lossy` (each maximal invalid prefix of a
//! sequence becomes one U+FFFD). Both write through a small stack buffer.

use core::fmt;

/// Collects whole UTF-8 characters and writes them to a formatter in batches.
struct Batch {
    buf: [u8; 128],
    n: usize,
}

impl Batch {
    const fn new() -> Self {
        Batch { buf: [0; 128], n: 0 }
    }

    fn push_str(&mut self, s: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.n + s.len() > self.buf.len() {
            self.flush(f)?;
        }
        match self.buf.get_mut(self.n..self.n + s.len()) {
            Some(slot) => {
                slot.copy_from_slice(s.as_bytes());
                self.n += s.len();
                Ok(())
            }
            None => f.write_str(s),
        }
    }

    fn push_char(&mut self, c: char, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut tmp = [0u8; 4];
        self.push_str(c.encode_utf8(&mut tmp), f)
    }

    fn flush(&mut self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.buf.get(..self.n).unwrap_or(&[]);
        let s = core::str::from_utf8(bytes).map_err(|_| fmt::Error)?;
        self.n = 0;
        f.write_str(s)
    }
}

/// Displays the bytes of an iterator as lowercase hex with no separators.
#[derive(Clone)]
pub struct HexDisplay<I>(pub I);

impl<I: Iterator<Item = u8> + Clone> fmt::Display for HexDisplay<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut batch = Batch::new();
        for b in self.0.clone() {
            let pair = [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0xF)]];
            batch.push_str(core::str::from_utf8(&pair).map_err(|_| fmt::Error)?, f)?;
        }
        batch.flush(f)
    }
}

impl<I: Iterator<Item = u8> + Clone> fmt::Debug for HexDisplay<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Displays the bytes of an iterator as UTF-8, replacing each maximal invalid sequence
/// with U+FFFD exactly as `String::from_utf8_lossy` does.
#[derive(Clone)]
pub struct LossyDisplay<I>(pub I);

impl<I: Iterator<Item = u8> + Clone> fmt::Display for LossyDisplay<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut batch = Batch::new();
        let mut it = self.0.clone().peekable();
        while let Some(b) = it.next() {
            if b < 0x80 {
                batch.push_char(char::from(b), f)?;
                continue;
            }
            // Expected continuation count, allowed range of the first continuation byte
            // (Unicode Table 3-7) and the lead byte's payload bits.
            let (need, lo, hi, bits) = match b {
                0xC2..=0xDF => (1, 0x80, 0xBF, b & 0x1F),
                0xE0 => (2, 0xA0, 0xBF, b & 0x0F),
                0xE1..=0xEC | 0xEE | 0xEF => (2, 0x80, 0xBF, b & 0x0F),
                0xED => (2, 0x80, 0x9F, b & 0x0F),
                0xF0 => (3, 0x90, 0xBF, b & 0x07),
                0xF1..=0xF3 => (3, 0x80, 0xBF, b & 0x07),
                0xF4 => (3, 0x80, 0x8F, b & 0x07),
                _ => {
                    batch.push_char(char::REPLACEMENT_CHARACTER, f)?;
                    continue;
                }
            };
            let mut code = u32::from(bits);
            let mut complete = true;
            for k in 0..need {
                let (l, h) = if k == 0 { (lo, hi) } else { (0x80, 0xBF) };
                match it.peek() {
                    Some(&c) if (l..=h).contains(&c) => {
                        it.next();
                        code = (code << 6) | u32::from(c & 0x3F);
                    }
                    _ => {
                        complete = false;
                        break;
                    }
                }
            }
            let c = if complete { char::from_u32(code) } else { None };
            batch.push_char(c.unwrap_or(char::REPLACEMENT_CHARACTER), f)?;
        }
        batch.flush(f)
    }
}

impl<I: Iterator<Item = u8> + Clone> fmt::Debug for LossyDisplay<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::{String, ToString};

    fn lossy(bytes: &[u8]) -> String {
        LossyDisplay(bytes.iter().copied()).to_string()
    }

    #[test]
    fn lossy_matches_std_on_tricky_sequences() {
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
        }
    }

    #[test]
    fn hex_is_lowercase_and_batched() {
        let data: std::vec::Vec<u8> = (0..=255u8).cycle().take(600).collect();
        let expected: String = data.iter().map(|b| std::format!("{b:02x}")).collect();
        assert_eq!(HexDisplay(data.iter().copied()).to_string(), expected);
    }
}
