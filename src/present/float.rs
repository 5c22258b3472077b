//! Floats as serde_json writes them (its `zmij` layout), from Rust's own shortest digits,
//! with no heap. `tests_serde.rs` checks them against serde_json for random bits.

use core::fmt::{self, Write};

/// A small stack buffer for the digits of a float.
struct Buf {
    bytes: [u8; 40],
    len: usize,
}

impl Buf {
    fn new() -> Self {
        Buf { bytes: [0; 40], len: 0 }
    }

    fn as_mut(&mut self) -> &mut [u8] {
        self.bytes.get_mut(..self.len).unwrap_or_default()
    }
}

impl Write for Buf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Checks that the significant digits written are `digits`, then `5`, then only zeros.
struct Tie<'d> {
    digits: &'d [u8],
    seen: usize,
    tie: bool,
    exponent: bool,
}

impl Write for Tie<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for b in s.bytes() {
            match b {
                _ if self.exponent => {}
                b'e' => self.exponent = true,
                b'0'..=b'9' => {
                    let want = match self.seen.checked_sub(self.digits.len()) {
                        None => self.digits.get(self.seen).copied().unwrap_or_default(),
                        Some(0) => b'5',
                        Some(_) => b'0',
                    };
                    self.tie &= b == want;
                    self.seen += 1;
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Writes a finite float as serde_json does: the shortest digits that read back, laid out
/// by the decimal exponent as `12340000000.0`, `12.34`, `0.001234`, `1e+30` or
/// `1.234e-33`. `max_int_digits` and `min_exp` bound the plain forms (16 and -5 for f64,
/// 13 and -6 for f32).
///
/// The digits are Rust's `{:e}`, except where the value lies exactly halfway between two
/// shortest candidates: Rust then takes the one away from zero, serde_json the one with an
/// even last digit.
pub(crate) fn float<W: Write + ?Sized, F: fmt::LowerExp>(
    out: &mut W,
    v: F,
    max_int_digits: i32,
    min_exp: i32,
) -> fmt::Result {
    let mut buf = Buf::new();
    write!(buf, "{v:e}")?;
    let text = core::str::from_utf8(buf.as_mut()).map_err(|_| fmt::Error)?;
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exp) = text.split_once('e').ok_or(fmt::Error)?;
    let exp: i32 = exp.parse().map_err(|_| fmt::Error)?;
    let mut digits = Buf::new();
    mantissa.chars().filter(|&c| c != '.').try_for_each(|c| digits.write_char(c))?;
    let digits = digits.as_mut();
    if negative {
        out.write_char('-')?;
    }
    if digits == b"0" {
        return out.write_str("0.0");
    }
    if let Some(last) = digits.last_mut() {
        // An odd last digit may be a tie taken away from zero: is the value exactly halfway
        // between these digits and the ones with the last digit one less?
        if *last % 2 == 1 {
            *last -= 1;
            // 801 significant digits show any f32 or f64 exactly.
            let mut tie = Tie { digits, seen: 0, tie: true, exponent: false };
            write!(tie, "{v:.800e}")?;
            if !tie.tie {
                if let Some(last) = digits.last_mut() {
                    *last += 1;
                }
            }
        }
    }
    let digits = core::str::from_utf8(digits).map_err(|_| fmt::Error)?;
    // 10^(kk-1) <= |v| < 10^kk.
    let length = digits.len() as i32;
    let kk = exp + 1;
    let zeros = |out: &mut W, n: i32| (0..n).try_for_each(|_| out.write_char('0'));
    if kk >= length && kk <= max_int_digits {
        out.write_str(digits)?;
        zeros(out, kk - length)?;
        out.write_str(".0")
    } else if 0 < kk && kk <= max_int_digits {
        let (int, frac) = digits.split_at_checked(kk as usize).ok_or(fmt::Error)?;
        write!(out, "{int}.{frac}")
    } else if min_exp < kk && kk <= 0 {
        out.write_str("0.")?;
        zeros(out, -kk)?;
        out.write_str(digits)
    } else {
        let (first, rest) = digits.split_at_checked(1).ok_or(fmt::Error)?;
        out.write_str(first)?;
        if !rest.is_empty() {
            out.write_char('.')?;
            out.write_str(rest)?;
        }
        let exp = kk - 1;
        write!(out, "e{}{}", if exp < 0 { '-' } else { '+' }, exp.unsigned_abs())
    }
}
