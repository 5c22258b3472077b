//! The CRC-16 check of revision-1 frames, with a shortcut for the frame the firmware streams
//! (a STREAM frame of one INA219 sample, 25 bytes), which is the decoder's inner loop.
//!
//! CRC-16/CCITT-FALSE is linear: the register after a message is the register the initial
//! value alone leaves after as many zero bytes, XORed with each byte's own contribution,
//! which depends only on the byte and on how many bytes follow it. The slice-by-16 tables
//! of [`crate::crc::CRC16`] (`fast-crc`) hold exactly those contributions for 0..=15
//! following bytes. A sample frame's first six covered bytes (magic, `type` 0, `ver` 0,
//! `len` 7) are fixed, so their share and the initial value's fold into one constant, and
//! the other 17 bytes are 17 lookups that do not depend on each other, instead of the
//! general loop's chain of register-dependent steps (16-byte block, 4-byte block, three
//! single bytes). Without `fast-crc` (single table, small targets) every frame takes the
//! general [`crate::crc::crc16`].

/// Bytes a sample frame's CRC covers: the 16-byte header and the 7-byte sample.
#[cfg(feature = "fast-crc")]
const COVERED: usize = 23;

/// The first bytes of every sample frame: magic `A5 5A`, `type` 0 (STREAM), `ver` 0,
/// `len` 7 (LE).
#[cfg(feature = "fast-crc")]
const PREFIX: [u8; 6] = [0xA5, 0x5A, 0, 0, 7, 0];

/// One CRC-16/CCITT-FALSE step over `byte`, bit by bit (compile-time use only).
#[cfg(feature = "fast-crc")]
const fn step(crc: u16, byte: u8) -> u16 {
    let mut crc = crc ^ ((byte as u16) << 8);
    let mut bit = 0;
    while bit < 8 {
        crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        bit += 1;
    }
    crc
}

/// The register (init 0xFFFF) after [`PREFIX`] and 17 zero bytes: the part of a sample
/// frame's CRC that its variable bytes do not change.
#[cfg(feature = "fast-crc")]
const BASE: u16 = {
    let mut crc = 0xFFFF;
    let mut i = 0;
    while i < COVERED {
        crc = step(crc, if i < PREFIX.len() { PREFIX[i] } else { 0 });
        i += 1;
    }
    crc
};

/// CRC-16/CCITT-FALSE of `covered` (a revision-1 frame without its CRC trailer), as
/// [`crate::crc::crc16`] computes it.
#[cfg(feature = "fast-crc")]
#[inline(always)]
pub(crate) fn crc16(covered: &[u8]) -> u16 {
    match <&[u8; COVERED]>::try_from(covered) {
        Ok(frame) if frame[..PREFIX.len()] == PREFIX => sample_crc16(frame),
        _ => crate::crc::crc16(covered),
    }
}

/// Without `fast-crc` there are no tables to look ahead with: the general CRC.
#[cfg(not(feature = "fast-crc"))]
#[inline(always)]
pub(crate) fn crc16(covered: &[u8]) -> u16 {
    crate::crc::crc16(covered)
}

/// The CRC of a sample frame's covered bytes, which start with [`PREFIX`].
#[cfg(feature = "fast-crc")]
#[inline(always)]
fn sample_crc16(frame: &[u8; COVERED]) -> u16 {
    let t: &[[u16; 256]; 16] = crate::crc::CRC16.table();
    // The contribution of byte `b` when `k` bytes follow it.
    let at = |k: usize, b: u8| t[k][usize::from(b)];
    let [_, _, _, _, _, _, cmd_id, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18, b19, b20, b21, b22] =
        *frame;
    // `cmd_id` has 16 bytes behind it, one more than the tables reach: its 15-byte
    // contribution followed by one zero byte.
    let c15 = at(15, cmd_id);
    let cmd = at(0, c15.to_be_bytes()[0]) ^ (c15 << 8);
    BASE ^ cmd
        ^ (at(15, b7) ^ at(14, b8) ^ at(13, b9) ^ at(12, b10))
        ^ (at(11, b11) ^ at(10, b12) ^ at(9, b13) ^ at(8, b14))
        ^ (at(7, b15) ^ at(6, b16) ^ at(5, b17) ^ at(4, b18))
        ^ (at(3, b19) ^ at(2, b20) ^ at(1, b21) ^ at(0, b22))
}

#[cfg(all(test, feature = "fast-crc"))]
mod tests {
    use super::*;

    /// A cheap deterministic byte source (xorshift32).
    fn bytes(state: &mut u32) -> impl Iterator<Item = u8> + '_ {
        core::iter::from_fn(move || {
            *state ^= *state << 13;
            *state ^= *state >> 17;
            *state ^= *state << 5;
            Some(state.to_le_bytes()[0])
        })
    }

    #[test]
    fn sample_frames_match_the_general_crc() {
        let mut state = 0x1234_5678;
        for round in 0..4096u32 {
            let mut frame = [0u8; COVERED];
            for (slot, b) in frame.iter_mut().zip(bytes(&mut state)) {
                *slot = b;
            }
            frame[..PREFIX.len()].copy_from_slice(&PREFIX);
            // Every cmd_id, and the edge values of every other byte.
            frame[6] = round.to_le_bytes()[0];
            if round % 7 == 0 {
                frame[7..].fill(0xFF);
            }
            assert_eq!(crc16(&frame), crate::crc::crc16(&frame), "{frame:02x?}");
        }
    }

    #[test]
    fn other_inputs_take_the_general_crc() {
        let mut frame = [0u8; COVERED + 1];
        frame[..PREFIX.len()].copy_from_slice(&PREFIX);
        for len in 0..=frame.len() {
            assert_eq!(crc16(&frame[..len]), crate::crc::crc16(&frame[..len]));
        }
        frame[4] = 6; // len 6: not a sample frame
        assert_eq!(crc16(&frame[..COVERED]), crate::crc::crc16(&frame[..COVERED]));
    }
}
