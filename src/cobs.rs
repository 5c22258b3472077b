//! COBS (Consistent Overhead Byte Stuffing), as vectordebug uses it.
//!
//! Standard COBS with blocks of at most 254 data bytes; the encoder does not append the
//! 0x00 delimiter (the framer does). A run of exactly 254 non-zero bytes at the very end
//! of the input ends with its 0xFF block and no extra `01` block, as the real encoder does.
//!
//! Encoding goes through the [`cobs`] crate's incremental [`cobs::CobsEncoder`], so a frame
//! can be written in pieces (header, payload, CRC) straight into the caller's buffer.
//! Decoding is done here, not by the crate: the decoder must be strict (reject every
//! encoding the encoder would not produce, so that decode → encode gives back the same
//! bytes) and copy whole blocks at a time, where the crate's decoder is a permissive
//! byte-at-a-time state machine.

use crate::error::EncodeError;

/// The longest COBS encoding of `n` bytes (without the delimiter).
pub const fn max_encoded_len(n: usize) -> usize {
    n + n / 254 + 1
}

/// Why bytes are not a valid COBS encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CobsError {
    /// There were no bytes at all.
    #[error("empty COBS block")]
    Empty,
    /// A 0x00 byte inside the encoded bytes.
    #[error("zero byte inside COBS data at byte {at}")]
    ZeroByte {
        /// Offset of the zero byte in the encoded bytes.
        at: usize,
    },
    /// A code byte points past the end of the encoded bytes.
    #[error("COBS code byte at {at} points past the end of the block")]
    Overrun {
        /// Offset of the code byte.
        at: usize,
    },
    /// A final `01` block after a full 0xFF block (the encoder never writes it).
    #[error("non-canonical COBS ending at byte {at}")]
    NonCanonical {
        /// Offset of the superfluous code byte.
        at: usize,
    },
    /// The decoded bytes do not fit the output buffer.
    #[error("decoded COBS data exceeds {capacity} bytes")]
    TooLong {
        /// Size of the output buffer.
        capacity: usize,
    },
}

/// Encodes `src` into `dst` (no delimiter) and returns the encoded length.
pub fn encode(src: &[u8], dst: &mut [u8]) -> Result<usize, EncodeError> {
    let mut encoder = Encoder::new(dst);
    encoder.push(src)?;
    encoder.finish()
}

/// An incremental COBS encoder over a caller's buffer: push the pieces of one message,
/// then [`finish`](Encoder::finish).
pub struct Encoder<'a> {
    inner: cobs::CobsEncoder<'a>,
    available: usize,
    pushed: usize,
}

impl<'a> Encoder<'a> {
    /// Starts encoding into `dst`.
    pub fn new(dst: &'a mut [u8]) -> Self {
        let available = dst.len();
        Encoder { inner: cobs::CobsEncoder::new(dst), available, pushed: 0 }
    }

    /// Appends `data` to the message.
    pub fn push(&mut self, data: &[u8]) -> Result<(), EncodeError> {
        self.pushed += data.len();
        let needed = max_encoded_len(self.pushed);
        self.inner.push(data).map_err(|_| EncodeError::BufferTooSmall { needed, available: self.available })
    }

    /// Finishes the message and returns its encoded length.
    pub fn finish(self) -> Result<usize, EncodeError> {
        let needed = max_encoded_len(self.pushed);
        if self.available == 0 {
            return Err(EncodeError::BufferTooSmall { needed, available: 0 });
        }
        Ok(self.inner.finalize())
    }
}

/// Decodes one COBS block `src` (no delimiter, no zero bytes) into `dst` and returns the
/// decoded length. Rejects every encoding [`encode`] would not produce.
pub fn decode(src: &[u8], dst: &mut [u8]) -> Result<usize, CobsError> {
    if src.is_empty() {
        return Err(CobsError::Empty);
    }
    let mut i = 0;
    let mut out = 0;
    let mut previous_full = false;
    while i < src.len() {
        let code = src[i] as usize;
        if code == 0 {
            return Err(CobsError::ZeroByte { at: i });
        }
        let end = i + code;
        if end > src.len() {
            return Err(CobsError::Overrun { at: i });
        }
        let block = &src[i + 1..end];
        if let Some(z) = memchr::memchr(0, block) {
            return Err(CobsError::ZeroByte { at: i + 1 + z });
        }
        if code == 1 && end == src.len() && previous_full {
            return Err(CobsError::NonCanonical { at: i });
        }
        let Some(slot) = dst.get_mut(out..out + block.len()) else {
            return Err(CobsError::TooLong { capacity: dst.len() });
        };
        slot.copy_from_slice(block);
        out += block.len();
        i = end;
        previous_full = code == 0xFF;
        if code != 0xFF && i < src.len() {
            let Some(slot) = dst.get_mut(out) else {
                return Err(CobsError::TooLong { capacity: dst.len() });
            };
            *slot = 0;
            out += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(data: &[u8]) -> ([u8; 1024], usize) {
        let mut enc = [0u8; 1024];
        let n = encode(data, &mut enc).unwrap();
        assert!(n <= max_encoded_len(data.len()));
        assert!(!enc[..n].contains(&0));
        let mut dec = [0u8; 1024];
        let m = decode(&enc[..n], &mut dec).unwrap();
        assert_eq!(&dec[..m], data);
        (enc, n)
    }

    #[test]
    fn known_encodings() {
        let (e, n) = roundtrip(&[]);
        assert_eq!(&e[..n], &[0x01]);
        let (e, n) = roundtrip(&[0]);
        assert_eq!(&e[..n], &[0x01, 0x01]);
        let (e, n) = roundtrip(&[0x11, 0x22, 0x00, 0x33]);
        assert_eq!(&e[..n], &[0x03, 0x11, 0x22, 0x02, 0x33]);
    }

    #[test]
    fn final_254_run_has_no_trailing_block() {
        let data = [0x5Au8; 254];
        let (e, n) = roundtrip(&data);
        assert_eq!(n, 255);
        assert_eq!(e[0], 0xFF);
        let mut with_zero = [0x5Au8; 255];
        with_zero[254] = 0;
        let (e, n) = roundtrip(&with_zero);
        assert_eq!(&e[254..n], &[0x5A, 0x01, 0x01]);
    }

    #[test]
    fn long_runs_roundtrip() {
        let mut data = [0u8; 700];
        for (i, b) in data.iter_mut().enumerate() {
            *b = (i % 255) as u8 + 1;
        }
        roundtrip(&data);
        data[300] = 0;
        roundtrip(&data);
    }

    #[test]
    fn rejects_malformed() {
        let mut out = [0u8; 64];
        assert_eq!(decode(&[], &mut out), Err(CobsError::Empty));
        assert_eq!(decode(&[0x05, 1, 2], &mut out), Err(CobsError::Overrun { at: 0 }));
        assert_eq!(decode(&[0x03, 1, 0], &mut out), Err(CobsError::ZeroByte { at: 2 }));
        assert_eq!(decode(&[0x02, 1, 0x03, 1, 2], &mut [0u8; 3]), Err(CobsError::TooLong { capacity: 3 }));
        let mut full = [0x5Au8; 256];
        full[0] = 0xFF;
        full[255] = 0x01;
        assert_eq!(decode(&full, &mut [0u8; 300]), Err(CobsError::NonCanonical { at: 255 }));
    }

    #[test]
    fn encoder_reports_small_buffer() {
        let mut out = [0u8; 3];
        assert!(matches!(encode(&[1, 2, 3, 4], &mut out), Err(EncodeError::BufferTooSmall { .. })));
    }
}
