//! What a typed message looks like to people and spreadsheets: the CSV rows and the text
//! line of `serial-dialects decode --format csv` and `--format text`, written straight from
//! the typed message.
//!
//! Every dialect implements [`Present`] for its decoded frame in a `present.rs` of its own
//! module (`pmu30::Message`, `vectordebug::WirePacket` and `vectordebug::Message`,
//! `plot::Message`, `ascii_crc8::Message`, `powerscope::Message`).
//!
//! The CSV part is always available: it writes numbers through [`core::fmt::Write`], with no
//! heap and no `serde`, and costs nothing in a build that never calls it (the methods are
//! generic, so only what is called is compiled). The text line lists the fields of the
//! `decode` JSON contract, so it is written by the messages' `Serialize` implementations
//! and needs the `serde` feature, as the JSON does.
//!
//! ```
//! use serial_dialects::present::Present;
//! use serial_dialects::plot::{Data, Message};
//!
//! let message = Message::Data(Data::from_le_bytes(&[0x10, 0x00, 0xF0, 0xFF]).unwrap());
//! let mut csv = String::new();
//! message.write_csv_rows(42, &mut csv)?;
//! assert_eq!(<Message<'_> as Present>::CSV_HEADER, "offset,channel,value");
//! assert_eq!(csv, "42,0,16\n42,1,-16\n");
//!
//! # #[cfg(feature = "serde")] {
//! let mut text = String::new();
//! message.write_text(&mut text)?;
//! assert_eq!(text, "DATA values=[16,-16]");
//! # }
//! # Ok::<(), core::fmt::Error>(())
//! ```

use core::fmt::{self, Write};

/// Methods of a `serde::Serializer` that refuse what they are given (the text writers take
/// only the shapes the messages have). `Error`, `Impossible` and `Serialize` are the
/// caller's.
#[cfg(feature = "serde")]
macro_rules! refuse {
    ($($method:ident($($ty:ty),*);)*) => {$(
        fn $method(self, $(_: $ty),*) -> Result<(), Error> {
            Err(Error)
        }
    )*};
    (compound: $($method:ident($($ty:ty),*);)*) => {$(
        fn $method(self, $(_: $ty),*) -> Result<Impossible, Error> {
            Err(Error)
        }
    )*};
    (generic: $($method:ident($($ty:ty),*);)*) => {$(
        fn $method<T: Serialize + ?Sized>(self, $(_: $ty,)* _: &T) -> Result<(), Error> {
            Err(Error)
        }
    )*};
}

#[cfg(feature = "serde")]
mod float;
#[cfg(feature = "serde")]
mod json;
#[cfg(feature = "serde")]
pub(crate) mod text;

/// The CSV rows and the text line of a typed message, as `decode` prints them.
pub trait Present {
    /// The CSV header row of the dialect (without a line ending). Its first column is
    /// `offset`, the input offset of the event a row comes from.
    const CSV_HEADER: &'static str;

    /// Writes the message's CSV rows, each ended by `\n`: one row per sample the message
    /// carries (plot values, vectordebug records, pmu30 telemetry, powerscope INA219
    /// readings, ascii-crc8 lux values), nothing for a message that carries none. `offset`
    /// is the first column of every row.
    fn write_csv_rows<W: Write + ?Sized>(&self, offset: u64, out: &mut W) -> fmt::Result;

    /// Writes the message as one readable line, without a line ending: its `type`, then
    /// ` key=value` for each of its `fields` in the `decode` JSON contract, in order. A
    /// string value is written as it is when it is not empty and has no whitespace, and in
    /// JSON quotes otherwise; other values (numbers, lists, objects) as their compact JSON.
    /// A dialect may print some messages its own way (powerscope STREAM: the shell line of
    /// the original documentation, then the reading in V, mA and mW).
    #[cfg(feature = "serde")]
    fn write_text<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result
    where
        Self: serde::Serialize,
    {
        text::write(self, out)
    }
}

/// Fills `$digits` (exactly as long as the decimal `$v`) with the digits of `$v`, two at a
/// time from the end.
macro_rules! put_digits {
    ($digits:expr, $v:expr) => {{
        let (digits, mut v) = ($digits, $v);
        let mut end = digits.len();
        while v >= 10 {
            // Two digits: `v % 100` is below 100.
            let pair = (v % 100) as usize * 2;
            if let (Some(dst), Some(src)) = (digits.get_mut(end - 2..end), PAIRS.get(pair..pair + 2)) {
                dst.copy_from_slice(src);
            }
            v /= 100;
            end -= 2;
        }
        if let Some(first) = digits.first_mut().filter(|_| end == 1) {
            // The last digit: `v` is below 10.
            *first = b'0' + v as u8;
        }
    }};
}

/// `00` to `99`.
const PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849\
    5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

/// The output of the present writers: text assembled in a small stack buffer and handed
/// to the caller's [`Write`] a buffer at a time, with integers formatted straight into the
/// buffer (a `write_str`, or a `Display`, per number costs more than the number). An error
/// of the caller's writer is kept and reported by [`finish`](Writer::finish).
pub(crate) struct Writer<'w, W: ?Sized> {
    out: &'w mut W,
    buf: [u8; 256],
    len: usize,
    failed: bool,
    /// The leading columns of every row of a message ([`row`](Writer::row)).
    row_start: [u8; ROW_START],
    row_start_len: usize,
}

/// The most bytes of leading columns [`Writer::row`] repeats.
const ROW_START: usize = 48;

impl<'w, W: Write + ?Sized> Writer<'w, W> {
    pub(crate) fn new(out: &'w mut W) -> Self {
        Writer { out, buf: [0; 256], len: 0, failed: false, row_start: [0; ROW_START], row_start_len: 0 }
    }

    /// Hands the buffer to the caller's writer.
    #[cold]
    #[inline(never)]
    fn flush(&mut self) {
        if self.len == 0 {
            return;
        }
        let text = self.buf.get(..self.len).map(core::str::from_utf8);
        self.failed |= !matches!(text, Some(Ok(text)) if self.out.write_str(text).is_ok());
        self.len = 0;
    }

    /// Makes room for `n` more bytes (at most the buffer's size).
    #[inline(always)]
    fn room(&mut self, n: usize) {
        if self.buf.len() - self.len < n {
            self.flush();
        }
    }

    /// Writes an ASCII byte.
    #[inline(always)]
    pub(crate) fn byte(&mut self, b: u8) -> &mut Self {
        self.room(1);
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
        self
    }

    /// Writes a string.
    pub(crate) fn str(&mut self, s: &str) -> &mut Self {
        if s.len() > self.buf.len() {
            self.flush();
            self.failed |= self.out.write_str(s).is_err();
            return self;
        }
        self.room(s.len());
        if let Some(dst) = self.buf.get_mut(self.len..self.len + s.len()) {
            dst.copy_from_slice(s.as_bytes());
            self.len += s.len();
        }
        self
    }

    /// Writes an unsigned integer in decimal, two digits at a time (in 32 bits when it
    /// fits, which divides faster). Inlined: rows are mostly numbers.
    #[inline(always)]
    pub(crate) fn uint(&mut self, v: u64) -> &mut Self {
        if v < 10 {
            // One digit: `v` is below 10.
            return self.byte(b'0' + v as u8);
        }
        let n = v.checked_ilog10().map_or(1, |log| log as usize + 1);
        self.room(n);
        if let Some(digits) = self.buf.get_mut(self.len..self.len + n) {
            match u32::try_from(v) {
                Ok(v) => put_digits!(digits, v),
                Err(_) => put_digits!(digits, v),
            }
            self.len += n;
        }
        self
    }

    /// Writes a finite `v` as `{:.3}` does (rounded to the nearest thousandth, ties to
    /// even), from the exact binary value with integers; other values with `{:.3}`.
    pub(crate) fn fixed3(&mut self, v: f32) -> &mut Self {
        let bits = v.to_bits();
        let (biased, fraction) = ((bits >> 23) & 0xFF, u64::from(bits & 0x7F_FFFF));
        // |v| = mantissa × 2^exp exactly.
        let (mantissa, exp) = match biased {
            0 => (fraction, -149),
            _ => (fraction | 0x80_0000, biased as i32 - 150),
        };
        // |v| × 1000 = scaled × 2^exp, below 2^34 × 2^exp.
        let scaled = mantissa * 1000;
        let thousandths = match exp {
            // |v| below 2^40: exact in a u64.
            0.. if exp <= 16 => scaled << exp,
            // Rounded to the nearest integer, ties to even.
            -63..0 => {
                let shift = exp.unsigned_abs();
                let (whole, rest, half) = (scaled >> shift, scaled & ((1 << shift) - 1), 1 << (shift - 1));
                whole + u64::from(rest > half || (rest == half && whole % 2 == 1))
            }
            // |v| × 1000 below 2^-29: 0.
            ..0 => 0,
            // Larger values, NaN and the infinities: the formatter.
            _ => {
                let _ = write!(self, "{v:.3}");
                return self;
            }
        };
        if v.is_sign_negative() {
            self.byte(b'-');
        }
        self.uint(thousandths / 1000).byte(b'.');
        let frac = thousandths % 1000;
        if frac < 100 {
            self.byte(b'0');
        }
        if frac < 10 {
            self.byte(b'0');
        }
        self.uint(frac)
    }

    /// Writes an unsigned integer right-aligned in `width` columns, as `{:width$}` does.
    #[cfg(feature = "serde")]
    pub(crate) fn uint_padded(&mut self, v: u64, width: usize) -> &mut Self {
        let digits = v.checked_ilog10().map_or(1, |log| log as usize + 1);
        for _ in digits..width {
            self.byte(b' ');
        }
        self.uint(v)
    }

    /// Writes a signed integer in decimal.
    #[inline]
    pub(crate) fn int(&mut self, v: i64) -> &mut Self {
        if v < 0 {
            self.byte(b'-');
        }
        self.uint(v.unsigned_abs())
    }

    /// Sets the leading columns that [`row`](Self::row) writes, as `columns` writes them
    /// (at most 48 bytes, else an error): the columns that every row of a message repeats
    /// are formatted once.
    pub(crate) fn row_start(&mut self, columns: impl FnOnce(&mut Self)) -> &mut Self {
        // Written into the buffer, without flushing it, and taken back out.
        self.room(ROW_START);
        let start = self.len;
        columns(self);
        let written = self.buf.get(start..self.len).filter(|bytes| bytes.len() <= ROW_START);
        match (written, self.row_start.get_mut(..self.len.wrapping_sub(start))) {
            (Some(src), Some(dst)) => {
                dst.copy_from_slice(src);
                self.row_start_len = src.len();
                self.len = start;
            }
            _ => self.failed = true,
        }
        self
    }

    /// Starts a row with the columns given to [`row_start`](Self::row_start).
    #[inline]
    pub(crate) fn row(&mut self) -> &mut Self {
        self.room(ROW_START);
        // A copy of fixed size (no call), of which the columns are kept.
        if let Some(dst) = self.buf.get_mut(self.len..self.len + ROW_START) {
            dst.copy_from_slice(&self.row_start);
            self.len += self.row_start_len;
        }
        self
    }

    /// Hands the rest to the caller's writer; an error if any write failed.
    pub(crate) fn finish(mut self) -> fmt::Result {
        self.flush();
        if self.failed { Err(fmt::Error) } else { Ok(()) }
    }
}

/// What the text serializers write to: a [`Write`] with cheap integers ([`Writer`]).
#[cfg(feature = "serde")]
pub(crate) trait Output: Write {
    fn uint(&mut self, v: u64);
    fn int(&mut self, v: i64);
}

#[cfg(feature = "serde")]
impl<W: Write + ?Sized> Output for Writer<'_, W> {
    fn uint(&mut self, v: u64) {
        Writer::uint(self, v);
    }
    fn int(&mut self, v: i64) {
        Writer::int(self, v);
    }
}

impl<W: Write + ?Sized> Write for Writer<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.str(s);
        Ok(())
    }

    fn write_char(&mut self, c: char) -> fmt::Result {
        match u8::try_from(c) {
            Ok(b) if b.is_ascii() => self.byte(b),
            _ => self.str(c.encode_utf8(&mut [0; 4])),
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;

    fn fixed3(v: f32) -> String {
        let mut out = String::new();
        let mut w = Writer::new(&mut out);
        w.fixed3(v);
        w.finish().unwrap();
        out
    }

    #[test]
    fn thousandths_are_written_as_display_writes_them() {
        let specials = [0.0, -0.0, 0.0005, 0.0015, 0.0625, -0.0625, 1e-40, -1e-40, 1e9, 1.1e12, f32::MAX, f32::MIN];
        let nonfinite = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY];
        for v in specials.into_iter().chain(nonfinite) {
            assert_eq!(fixed3(v), std::format!("{v:.3}"), "{v:e}");
        }
        // Every bus voltage and a spread of currents and powers, as powerscope computes them.
        for mv in 0..=u16::MAX {
            let v = f32::from(mv) / 1000.0;
            assert_eq!(fixed3(v), std::format!("{v:.3}"), "{mv} mV");
            let ua = (i32::from(mv) - 32_768) * 37;
            let ma = ua as f32 / 1000.0;
            assert_eq!(fixed3(ma), std::format!("{ma:.3}"), "{ua} uA");
            assert_eq!(fixed3(v * ma), std::format!("{:.3}", v * ma), "{mv} mV {ua} uA");
        }
        // Any bits.
        let mut x = 0x1234_5678u32;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let v = f32::from_bits(x);
            assert_eq!(fixed3(v), std::format!("{v:.3}"), "{v:e}");
        }
    }

    #[test]
    fn integers_are_written_as_display_writes_them() {
        let mut expected = String::new();
        let mut out = String::new();
        let mut w = Writer::new(&mut out);
        // More than a buffer's worth, so that it is handed over in pieces.
        for _ in 0..20 {
            for v in [0u64, 1, 9, 10, 99, 100, 65_535, u64::from(u32::MAX), u64::MAX] {
                w.uint(v).byte(b',');
                expected += &std::format!("{v},");
            }
            for v in [0i64, -1, 1, -128, 127, -32_768, i64::MIN, i64::MAX] {
                w.int(v).str("; ");
                expected += &std::format!("{v}; ");
            }
        }
        w.row_start(|w| {
            w.uint(12_345).byte(b',').str("VIEW,");
        });
        for i in 0..30 {
            w.row().uint(i).byte(b'\n');
            expected += &std::format!("12345,VIEW,{i}\n");
        }
        let long = "é".repeat(200);
        w.str(&long).write_char('°').unwrap();
        expected += &long;
        expected.push('°');
        w.finish().unwrap();
        assert_eq!(out, expected);
    }
}

#[cfg(all(test, feature = "serde"))]
mod tests_serde;
