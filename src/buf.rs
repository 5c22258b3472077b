//! Little-endian fields, and the one writer every encoder uses.
//!
//! Every binary field of the five formats is little-endian. Readers take a slice and an
//! offset and answer `None` past the end, so a view never panics on a short buffer.
//!
//! Encoders write through a [`Sink`]: a [`SliceWriter`] puts the bytes into the caller's
//! buffer, a [`Counter`] only counts them. An encoder written once against `Sink` gives both
//! the bytes and their exact length before anything is written, from the same code, so the
//! two cannot disagree (the flavour idea of postcard's serializer).

use crate::error::EncodeError;

/// The little-endian `u16` at `at`, or `None` if `bytes` ends before it.
#[inline]
pub fn u16_le(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(array(bytes, at)?))
}

/// The little-endian `i16` at `at`, or `None` if `bytes` ends before it.
#[inline]
pub fn i16_le(bytes: &[u8], at: usize) -> Option<i16> {
    Some(i16::from_le_bytes(array(bytes, at)?))
}

/// The little-endian `u32` at `at`, or `None` if `bytes` ends before it.
#[inline]
pub fn u32_le(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(array(bytes, at)?))
}

/// The little-endian `i32` at `at`, or `None` if `bytes` ends before it.
#[inline]
pub fn i32_le(bytes: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_le_bytes(array(bytes, at)?))
}

/// The little-endian `f32` at `at`, or `None` if `bytes` ends before it.
#[inline]
pub fn f32_le(bytes: &[u8], at: usize) -> Option<f32> {
    Some(f32::from_le_bytes(array(bytes, at)?))
}

/// The `N` bytes at `at`, or `None` if `bytes` ends before them.
#[inline]
pub fn array<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// Where an encoder puts its bytes, in order.
pub trait Sink {
    /// Appends `bytes`. A [`SliceWriter`] without room for them refuses with
    /// [`EncodeError::BufferTooSmall`] and writes nothing of them.
    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError>;

    /// How many bytes have been put so far.
    fn len(&self) -> usize;

    /// Whether nothing has been put yet.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends one byte.
    fn put_u8(&mut self, value: u8) -> Result<(), EncodeError> {
        self.put(&[value])
    }

    /// Appends a little-endian `u16`.
    fn put_u16_le(&mut self, value: u16) -> Result<(), EncodeError> {
        self.put(&value.to_le_bytes())
    }

    /// Appends a little-endian `i16`.
    fn put_i16_le(&mut self, value: i16) -> Result<(), EncodeError> {
        self.put(&value.to_le_bytes())
    }

    /// Appends a little-endian `u32`.
    fn put_u32_le(&mut self, value: u32) -> Result<(), EncodeError> {
        self.put(&value.to_le_bytes())
    }

    /// Appends a little-endian `i32`.
    fn put_i32_le(&mut self, value: i32) -> Result<(), EncodeError> {
        self.put(&value.to_le_bytes())
    }

    /// Appends a little-endian `f32`.
    fn put_f32_le(&mut self, value: f32) -> Result<(), EncodeError> {
        self.put(&value.to_le_bytes())
    }
}

/// A [`Sink`] into a caller's buffer.
#[derive(Debug)]
pub struct SliceWriter<'a> {
    out: &'a mut [u8],
    len: usize,
}

impl<'a> SliceWriter<'a> {
    /// A writer at the start of `out`.
    pub fn new(out: &'a mut [u8]) -> SliceWriter<'a> {
        SliceWriter { out, len: 0 }
    }

    /// The bytes written so far.
    pub fn written(&self) -> &[u8] {
        self.out.get(..self.len).unwrap_or(&[])
    }

    /// The bytes written so far, mutable (to fill in a checksum over them).
    pub fn written_mut(&mut self) -> &mut [u8] {
        self.out.get_mut(..self.len).unwrap_or(&mut [])
    }

    /// The buffer's room left.
    pub fn remaining(&self) -> usize {
        self.out.len() - self.len
    }
}

impl Sink for SliceWriter<'_> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        let end = self.len.saturating_add(bytes.len());
        let available = self.out.len();
        let dst = self.out.get_mut(self.len..end).ok_or(EncodeError::BufferTooSmall { needed: end, available })?;
        dst.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    fn len(&self) -> usize {
        self.len
    }
}

/// A [`Sink`] that only counts: the exact length an encoder would write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counter {
    len: usize,
}

impl Counter {
    /// A counter at 0.
    pub const fn new() -> Counter {
        Counter { len: 0 }
    }
}

impl Sink for Counter {
    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        self.len = self.len.saturating_add(bytes.len());
        Ok(())
    }

    fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_answer_none_past_the_end() {
        let bytes = [0x34, 0x12, 0xFF, 0xFF, 0x00, 0x00, 0x80, 0x3F];
        assert_eq!(u16_le(&bytes, 0), Some(0x1234));
        assert_eq!(i16_le(&bytes, 2), Some(-1));
        assert_eq!(u32_le(&bytes, 0), Some(0xFFFF_1234));
        assert_eq!(i32_le(&bytes, 2), Some(0x0000_FFFF));
        assert_eq!(f32_le(&bytes, 4), Some(1.0));
        assert_eq!(u16_le(&bytes, 7), None);
        assert_eq!(u32_le(&bytes, 5), None);
        assert_eq!(u16_le(&bytes, usize::MAX), None);
        assert_eq!(array::<3>(&bytes, 5), Some([0x00, 0x80, 0x3F]));
    }

    /// One encoder, two flavours: the counter's length is the writer's.
    fn encode(sink: &mut impl Sink) -> Result<(), EncodeError> {
        sink.put_u8(0xAA)?;
        sink.put_u16_le(0x0102)?;
        sink.put_i16_le(-2)?;
        sink.put_u32_le(0x0A0B_0C0D)?;
        sink.put_i32_le(-1)?;
        sink.put_f32_le(0.5)?;
        sink.put(b"ok")
    }

    #[test]
    fn the_counter_counts_what_the_writer_writes() {
        let mut counter = Counter::new();
        encode(&mut counter).unwrap();
        let mut buf = [0u8; 32];
        let mut writer = SliceWriter::new(&mut buf);
        encode(&mut writer).unwrap();
        assert_eq!(writer.len(), counter.len());
        assert_eq!(
            writer.written(),
            [0xAA, 0x02, 0x01, 0xFE, 0xFF, 0x0D, 0x0C, 0x0B, 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0x3F, b'o', b'k']
        );
    }

    #[test]
    fn a_short_buffer_is_refused_at_every_length() {
        let mut counter = Counter::new();
        encode(&mut counter).unwrap();
        for size in 0..counter.len() {
            let mut buf = [0u8; 32];
            let mut writer = SliceWriter::new(&mut buf[..size]);
            let error = encode(&mut writer).unwrap_err();
            assert!(matches!(error, EncodeError::BufferTooSmall { available, .. } if available == size));
            assert!(writer.len() <= size);
        }
    }
}
