//! The numbers of the format, which are ASCII digits on the wire: decimal ID, LEN and
//! parameters, hexadecimal CRC and I2C address (`docs/protocols/ascii-crc8.md`, 1.3, 1.4).
//!
//! Readers answer `None` for anything that is not a digit of their base, so no input makes
//! them panic; writers put a fixed number of digits.

use crate::buf::Sink;
use crate::error::EncodeError;

/// The value of an ASCII decimal digit.
#[inline]
pub(crate) fn digit(b: u8) -> Option<u8> {
    b.is_ascii_digit().then(|| b - b'0')
}

/// The value of an ASCII hex digit, either case.
#[inline]
pub(crate) fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Reads all of `bytes` as a decimal number; `None` if any byte is not a digit or the value
/// does not fit a `u32` (or `bytes` is empty).
// Inlined in host builds: since they moved out of frame.rs, the frame's getters ran about 10
// more instructions per frame without the hint (callgrind, VIEW replies); with it the decoder
// runs fewer than before the move. Small builds leave it to the compiler, which keeps the
// decoder's flash as it was (an `inline` there costs about 180 bytes).
#[cfg_attr(feature = "speed-over-size", inline)]
pub(crate) fn decimal(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() {
        return None;
    }
    bytes.iter().try_fold(0u32, |acc, &b| acc.checked_mul(10)?.checked_add(u32::from(digit(b)?)))
}

/// Reads two hex digits (either case) as a byte.
#[cfg_attr(feature = "speed-over-size", inline)]
pub(crate) fn hex_byte(bytes: &[u8]) -> Option<u8> {
    match bytes {
        [hi, lo] => Some(hex_digit(*hi)? << 4 | hex_digit(*lo)?),
        _ => None,
    }
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Two uppercase hex digits of `v`.
pub(crate) fn hex_upper(v: u8) -> [u8; 2] {
    [HEX_UPPER[usize::from(v >> 4)], HEX_UPPER[usize::from(v & 0x0F)]]
}

/// Writes `value` as exactly `out.len()` decimal digits (zero-padded, most significant
/// digits dropped if it has more).
pub(crate) fn write_decimal(out: &mut [u8], mut value: u32) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// Puts `value` as exactly `width` decimal digits (at most 10), as [`write_decimal`] writes
/// them.
pub(crate) fn put_decimal(sink: &mut impl Sink, value: u32, width: usize) -> Result<(), EncodeError> {
    let mut digits = [0u8; 10];
    let digits = digits.get_mut(..width).unwrap_or(&mut []);
    write_decimal(digits, value);
    sink.put(digits)
}
