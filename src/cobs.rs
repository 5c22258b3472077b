//! COBS (Consistent Overhead Byte Stuffing), as vectordebug uses it, once for the crate.
//!
//! Standard COBS with blocks of at most 254 data bytes; the encoder does not append the
//! 0x00 delimiter (the framer does). A run of exactly 254 non-zero bytes at the very end
//! of the input ends with its 0xFF block and no extra `01` block, as the real encoder does.
//!
//! The decoder is strict: it rejects every encoding the encoder would not produce, so that
//! decode → encode gives back the same bytes. Its rules are those of [`walk`], the one
//! block-by-block walk every reader of COBS bytes in the crate goes through: [`decode`]
//! copies what it walks, the vectordebug scanner feeds it to its CRC without a buffer.
//! The incremental [`Encoder`] writes a frame in pieces (header, payload, CRC) straight
//! into the caller's buffer.

// Both directions are implemented here rather than with the `cobs` crate (which the
// encoder used at first): the encoder copies each zero-free run in one tight loop, and on
// a Cortex-M4 the crate's byte-at-a-time state machine cost about 16 instructions per byte
// against 13 here (`examples/firmware/codec-size`); the crate's `finalize` also returns a
// length past the end of a buffer that is one byte short instead of an error. The decoder
// copies whole blocks at a time.

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
    dst: &'a mut [u8],
    /// Where the code byte of the open block goes (written when the block closes).
    code_at: usize,
    /// Where the next data byte goes.
    out: usize,
    /// Data bytes in the open block, 0..=254. A full block is closed only when another
    /// byte follows, so that a message ending in a full run ends with its 0xFF block.
    run: usize,
    pushed: usize,
}

impl<'a> Encoder<'a> {
    /// Starts encoding into `dst`.
    pub fn new(dst: &'a mut [u8]) -> Self {
        Encoder { dst, code_at: 0, out: 1, run: 0, pushed: 0 }
    }

    /// Appends `data` to the message.
    pub fn push(&mut self, mut data: &[u8]) -> Result<(), EncodeError> {
        self.pushed = self.pushed.saturating_add(data.len());
        while !data.is_empty() {
            if self.run == MAX_RUN {
                self.close_block()?;
            }
            let window = data.len().min(MAX_RUN - self.run);
            let room = self.dst.get_mut(self.out..).unwrap_or_default();
            // Copy the zero-free start of the window in one tight loop. Blocks are short in
            // typical data (the high byte of a small i16 is zero), where a `memchr` and a
            // `memcpy` call per block cost more than they save.
            let mut copied = 0;
            for (slot, &b) in room.iter_mut().zip(&data[..window]) {
                if b == 0 {
                    break;
                }
                *slot = b;
                copied += 1;
            }
            self.out += copied;
            self.run += copied;
            data = &data[copied..];
            if copied < window {
                // A zero stopped the copy (it ends the block), or else `dst` is full.
                if data.first() != Some(&0) {
                    return Err(self.too_small());
                }
                self.close_block()?;
                data = &data[1..];
            }
        }
        Ok(())
    }

    /// Finishes the message and returns its encoded length.
    pub fn finish(mut self) -> Result<usize, EncodeError> {
        self.write_code()?;
        Ok(self.out)
    }

    /// Writes the open block's code byte and opens the next block behind it.
    fn close_block(&mut self) -> Result<(), EncodeError> {
        self.write_code()?;
        self.code_at = self.out;
        self.out += 1;
        self.run = 0;
        Ok(())
    }

    fn write_code(&mut self) -> Result<(), EncodeError> {
        let too_small = self.too_small();
        // The block holds `run` bytes, 254 when full: the code is 1..=0xFF. Its data was
        // bounds-checked when copied, so the block fits when its code byte does.
        let slot = self.dst.get_mut(self.code_at).ok_or(too_small)?;
        *slot = (self.run + 1) as u8;
        Ok(())
    }

    fn too_small(&self) -> EncodeError {
        EncodeError::BufferTooSmall { needed: max_encoded_len(self.pushed), available: self.dst.len() }
    }
}

/// Data bytes in one COBS block.
const MAX_RUN: usize = 254;

/// The exact COBS encoding length of `data` (without the delimiter): what [`encode`] writes.
pub fn encoded_len(data: &[u8]) -> usize {
    // One code byte per block: a block ends at each zero (which it replaces) and after 254
    // data bytes; the last block is a partial run, or nothing after a full block that ends
    // the data.
    let mut blocks = 0usize;
    let mut run = 0usize;
    for &b in data {
        if b == 0 {
            blocks += 1;
            run = 0;
        } else {
            run += 1;
            if run == MAX_RUN {
                blocks += 1;
                run = 0;
            }
        }
    }
    let ends_in_full_run = run == 0 && data.last().is_some_and(|&b| b != 0);
    if !ends_in_full_run {
        blocks += 1;
    }
    let zeros = data.iter().filter(|&&b| b == 0).count();
    data.len() - zeros + blocks
}

/// A piece of the decoded bytes, in order, as [`walk`] finds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    /// A block's data bytes (no 0x00 among them).
    Data(&'a [u8]),
    /// The 0x00 a block's code byte implies after its data.
    Zero,
}

/// Walks COBS bytes `src` (no delimiter) block by block with the rules of the strict
/// decoder, and returns the decoded length without writing anything. One step per block,
/// not per byte: `on_segment` is handed the decoded bytes in order, each block's data once
/// the block's checks pass, then its implied zero if it has one; an error it returns stops
/// the walk.
///
/// The checks, in this order for each block: its code byte is not 0x00
/// ([`CobsError::ZeroByte`]), its data ends within `src` ([`CobsError::Overrun`]), its data
/// holds no 0x00 ([`CobsError::ZeroByte`], only with `search_zeros`: bytes cut at their
/// first delimiter have none to find), and it is not a final `01` block after a full one
/// ([`CobsError::NonCanonical`]). Empty `src` is [`CobsError::Empty`].
///
/// [`decode`] is this walk copying each segment; a decoder without an output buffer (a
/// CRC fed block by block, a header picked up on the way) is this walk with its own
/// `on_segment`.
#[inline(always)]
pub fn walk<E: From<CobsError>>(
    src: &[u8],
    search_zeros: bool,
    mut on_segment: impl FnMut(Segment<'_>) -> Result<(), E>,
) -> Result<usize, E> {
    if src.is_empty() {
        return Err(CobsError::Empty.into());
    }
    let (mut i, mut decoded, mut previous_full) = (0usize, 0usize, false);
    while let Some(&code) = src.get(i) {
        let code = usize::from(code);
        if code == 0 {
            return Err(CobsError::ZeroByte { at: i }.into());
        }
        let end = i + code;
        let Some(block) = src.get(i + 1..end) else { return Err(CobsError::Overrun { at: i }.into()) };
        if search_zeros {
            if let Some(z) = memchr::memchr(0, block) {
                return Err(CobsError::ZeroByte { at: i + 1 + z }.into());
            }
        }
        if code == 1 && end == src.len() && previous_full {
            return Err(CobsError::NonCanonical { at: i }.into());
        }
        on_segment(Segment::Data(block))?;
        decoded += code - 1;
        if code != 0xFF && end < src.len() {
            on_segment(Segment::Zero)?;
            decoded += 1;
        }
        previous_full = code == 0xFF;
        i = end;
    }
    Ok(decoded)
}

/// Decodes COBS bytes `src` (no delimiter, no zero bytes) into `dst` and returns the
/// decoded length. Rejects every encoding [`encode`] would not produce (see [`walk`]), and
/// output that does not fit `dst` ([`CobsError::TooLong`]).
pub fn decode(src: &[u8], dst: &mut [u8]) -> Result<usize, CobsError> {
    let capacity = dst.len();
    let mut out = 0;
    walk(src, true, |segment| {
        let bytes: &[u8] = match segment {
            Segment::Data(block) => block,
            Segment::Zero => &[0],
        };
        let slot = dst.get_mut(out..out + bytes.len()).ok_or(CobsError::TooLong { capacity })?;
        slot.copy_from_slice(bytes);
        out += bytes.len();
        Ok(())
    })
}

/// The decoded bytes of COBS bytes (no delimiter), produced on the fly.
///
/// Meant for bytes that passed [`walk`] or [`decode`]; on invalid input it stops early or
/// yields what the code bytes say, but never panics or reads out of bounds.
#[derive(Debug, Clone)]
pub struct DecodedBytes<'a> {
    src: &'a [u8],
    pos: usize,
    block_end: usize,
    zero_after: bool,
}

impl<'a> DecodedBytes<'a> {
    /// Decodes `src` (COBS bytes without the delimiter).
    pub fn new(src: &'a [u8]) -> Self {
        DecodedBytes { src, pos: 0, block_end: 0, zero_after: false }
    }
}

impl Iterator for DecodedBytes<'_> {
    type Item = u8;

    #[inline]
    fn next(&mut self) -> Option<u8> {
        // Each turn either returns or moves `pos` past a code byte: at most one turn per
        // block.
        loop {
            if self.pos < self.block_end {
                let b = self.src.get(self.pos).copied();
                self.pos += 1;
                return b;
            }
            if self.zero_after {
                self.zero_after = false;
                return Some(0);
            }
            let code = usize::from(*self.src.get(self.pos)?);
            if code == 0 {
                self.pos = self.src.len();
                return None;
            }
            let end = self.pos + code;
            self.zero_after = code != 0xFF && end < self.src.len();
            self.block_end = end.min(self.src.len());
            self.pos += 1;
        }
    }
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

    /// Textbook byte-at-a-time COBS (with the final-full-block rule), the block-wise
    /// encoder's reference.
    fn reference(data: &[u8], out: &mut [u8]) -> usize {
        let (mut code_at, mut n, mut run) = (0, 1, 0);
        for &b in data {
            if run == 254 {
                out[code_at] = 0xFF;
                (code_at, n, run) = (n, n + 1, 0);
            }
            if b == 0 {
                out[code_at] = run as u8 + 1;
                (code_at, n, run) = (n, n + 1, 0);
            } else {
                out[n] = b;
                (n, run) = (n + 1, run + 1);
            }
        }
        out[code_at] = run as u8 + 1;
        n
    }

    #[test]
    fn matches_reference_in_any_pieces() {
        let mut data = [0u8; 800];
        for zero_every in [0usize, 1, 2, 253, 254, 255, 300] {
            for (i, b) in data.iter_mut().enumerate() {
                *b = if zero_every != 0 && i % zero_every == zero_every - 1 { 0 } else { (i % 251) as u8 + 1 };
            }
            for len in [0, 1, 253, 254, 255, 508, 509, 800] {
                let mut expected = [0u8; 1024];
                let m = reference(&data[..len], &mut expected);
                for piece in [1, 7, 254, 1000] {
                    let mut out = [0u8; 1024];
                    let mut enc = Encoder::new(&mut out);
                    for chunk in data[..len].chunks(piece) {
                        enc.push(chunk).unwrap();
                    }
                    let n = enc.finish().unwrap();
                    assert_eq!(&out[..n], &expected[..m], "zero every {zero_every}, len {len}, piece {piece}");
                    assert!(encode(&data[..len], &mut out[..m - 1]).is_err());
                }
            }
        }
    }

    /// The walk hands over exactly the decoded bytes, and its length is theirs.
    #[test]
    fn walk_hands_over_the_decoded_bytes() {
        let mut data = [0u8; 800];
        for (i, b) in data.iter_mut().enumerate() {
            *b = if i % 97 == 5 { 0 } else { (i % 251) as u8 + 1 };
        }
        for len in [0, 1, 6, 254, 255, 509, 800] {
            let mut enc = [0u8; 1024];
            let n = encode(&data[..len], &mut enc).unwrap();
            assert_eq!(n, encoded_len(&data[..len]), "len {len}");
            let mut seen = std::vec::Vec::new();
            let walked = walk::<CobsError>(&enc[..n], true, |segment| {
                match segment {
                    Segment::Data(block) => seen.extend_from_slice(block),
                    Segment::Zero => seen.push(0),
                }
                Ok(())
            });
            assert_eq!(walked, Ok(len));
            assert_eq!(seen, &data[..len]);
            assert!(DecodedBytes::new(&enc[..n]).eq(data[..len].iter().copied()));
        }
        // An error of `on_segment` stops the walk with it.
        assert_eq!(
            walk(&[0x02, 1, 0x02, 1], true, |_| Err(CobsError::TooLong { capacity: 0 })),
            Err(CobsError::TooLong { capacity: 0 })
        );
        // Without the search, a zero inside a block is not looked for.
        assert_eq!(walk::<CobsError>(&[0x03, 1, 0], false, |_| Ok(())), Ok(2));
        assert_eq!(walk::<CobsError>(&[0x03, 1, 0], true, |_| Ok(())), Err(CobsError::ZeroByte { at: 2 }));
    }

    #[test]
    fn encoded_len_is_exact_at_block_boundaries() {
        for len in [0, 1, 253, 254, 255, 508, 509] {
            let data = std::vec![0x5Au8; len];
            let mut enc = [0u8; 1024];
            assert_eq!(encode(&data, &mut enc), Ok(encoded_len(&data)), "len {len}");
            let mut zero_last = data.clone();
            zero_last.push(0);
            assert_eq!(encode(&zero_last, &mut enc), Ok(encoded_len(&zero_last)), "len {len} and a zero");
        }
    }

    #[test]
    fn encoder_reports_small_buffer() {
        let mut out = [0u8; 3];
        assert!(matches!(encode(&[1, 2, 3, 4], &mut out), Err(EncodeError::BufferTooSmall { .. })));
    }
}
