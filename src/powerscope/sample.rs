//! The frame the firmware streams (a revision-1 STREAM frame of one INA219 sample, 25
//! bytes), which is the decoder's inner loop: shortcuts the scanner takes for it before its
//! general path, with the same outcome (pinned by tests here and in the scanner).
//!
//! The CRC shortcut: CRC-16/CCITT-FALSE is linear, so the register after a message is the
//! register the initial value alone leaves after as many zero bytes, XORed with each
//! byte's own contribution, which depends only on the byte and on how many bytes follow
//! it. The slice-by-16 tables of [`crate::crc::CRC16`] (`speed-over-size`) hold exactly those
//! contributions for 0..=15 following bytes. A sample frame's first six covered bytes
//! (magic, `type` 0, `ver` 0, `len` 7) are fixed, so their share and the initial value's
//! fold into one constant, and the other 17 bytes are 17 lookups that do not depend on
//! each other (`cmd_id`, with 16 bytes behind it, in a 256-entry table of its own),
//! instead of the general loop's chain of register-dependent steps (16-byte block, 4-byte
//! block, three single bytes). Without `speed-over-size` (single table, small targets) no frame
//! takes that shortcut.

use super::ina219::{Ina219Sample, SensorPacket};
use super::message::Stream;

/// Bytes a sample frame's CRC covers: the 16-byte header and the 7-byte sample.
#[cfg(feature = "speed-over-size")]
const COVERED: usize = 23;

/// Length of a sample frame: header, sample and CRC.
pub(crate) const FRAME_LEN: usize = 25;

/// The first bytes of every sample frame: magic `A5 5A`, `type` 0 (STREAM), `ver` 0,
/// `len` 7 (LE).
const PREFIX: [u8; 6] = [0xA5, 0x5A, 0, 0, 7, 0];

/// Reads the sample frame at the start of `bytes` (whole, starting with [`PREFIX`]);
/// `None` for anything else. The CRC is not checked (the scanner did). Gives exactly what
/// [`Message::parse`](super::Message::parse) gives for such a frame, reading its bytes as
/// one array: the fixed bytes in one comparison, then the fields.
#[inline(always)]
pub(crate) fn parse(bytes: &[u8]) -> Option<Stream<'static>> {
    let (frame, _) = bytes.split_first_chunk::<FRAME_LEN>()?;
    let (head, rest) = frame.split_first_chunk::<{ PREFIX.len() }>()?;
    let (&[cmd_id, reserved, s0, s1, s2, s3, t0, t1, t2, t3], rest) = rest.split_first_chunk::<10>()?;
    let sample = rest.first_chunk::<{ Ina219Sample::LEN }>()?;
    (*head == PREFIX).then(|| Stream {
        seq: u32::from_le_bytes([s0, s1, s2, s3]),
        ts_ms: u32::from_le_bytes([t0, t1, t2, t3]),
        cmd_id,
        reserved,
        packet: SensorPacket::Ina219(Ina219Sample::from_bytes(sample)),
        gap: 0,
    })
}

/// The register (init 0xFFFF) after [`PREFIX`] and 17 zero bytes: the part of a sample
/// frame's CRC that its variable bytes do not change.
#[cfg(feature = "speed-over-size")]
const BASE: u16 = {
    let mut covered = [0u8; COVERED];
    let mut i = 0;
    while i < PREFIX.len() {
        covered[i] = PREFIX[i];
        i += 1;
    }
    crate::crc::crc16_const(&covered)
};

/// The contribution of byte `b` to the register when 16 bytes follow it (as `cmd_id`'s do
/// in a sample frame), one more than the slice-by-16 tables reach: a table of its own, so
/// that `cmd_id` is one lookup like the other bytes, not a lookup, its shift and a second
/// lookup in a row. By linearity, the register after `b` and 16 zero bytes, less the
/// initial value's share (the register after 17 zero bytes).
#[cfg(feature = "speed-over-size")]
static AFTER_16: [u16; 256] = {
    let zeros = crate::crc::crc16_const(&[0; 17]);
    let mut table = [0u16; 256];
    let mut b = 0;
    while b < table.len() {
        let mut bytes = [0u8; 17];
        bytes[0] = b as u8;
        table[b] = crate::crc::crc16_const(&bytes) ^ zeros;
        b += 1;
    }
    table
};

/// Whether `buf` is the beginning of a sample frame, shorter than the frame: the scanner
/// waits for more bytes (unless the input has ended), as its general path would: the
/// header bytes there are ones the revision accepts.
#[inline(always)]
pub(crate) fn is_beginning(buf: &[u8]) -> bool {
    buf.len() < FRAME_LEN && buf.iter().zip(PREFIX).all(|(&byte, expected)| byte == expected)
}

/// Whether `frame` starts with a whole sample frame (25 bytes: header with [`PREFIX`],
/// sample, CRC) whose CRC trailer matches. `false` for every other input, which the caller
/// checks the general way (with the same outcome for a sample frame, CRC pinned by tests).
#[cfg(feature = "speed-over-size")]
#[inline(always)]
pub(crate) fn is_intact(frame: &[u8]) -> bool {
    // One length check: the frame's parts are then split off an array (their sizes known).
    let frame = frame.first_chunk::<FRAME_LEN>();
    match frame.and_then(|f| f.first_chunk::<COVERED>().zip(f.last_chunk::<{ FRAME_LEN - COVERED }>())) {
        Some((covered, trailer)) if covered[..PREFIX.len()] == PREFIX => crc16(covered) == u16::from_le_bytes(*trailer),
        _ => false,
    }
}

/// Without `speed-over-size` there are no tables to look ahead with: every frame takes the
/// general check.
#[cfg(not(feature = "speed-over-size"))]
#[inline(always)]
pub(crate) fn is_intact(_frame: &[u8]) -> bool {
    false
}

/// The CRC of a sample frame's covered bytes, which start with [`PREFIX`].
#[cfg(feature = "speed-over-size")]
#[inline(always)]
fn crc16(frame: &[u8; COVERED]) -> u16 {
    let t: &[[u16; 256]; 16] = crate::crc::CRC16.table();
    // The contribution of byte `b` when `k` bytes follow it.
    let at = |k: usize, b: u8| t[k][usize::from(b)];
    let [_, _, _, _, _, _, cmd_id, b7, b8, b9, b10, b11, b12, b13, b14, b15, b16, b17, b18, b19, b20, b21, b22] =
        *frame;
    BASE ^ AFTER_16[usize::from(cmd_id)]
        ^ (at(15, b7) ^ at(14, b8) ^ at(13, b9) ^ at(12, b10))
        ^ (at(11, b11) ^ at(10, b12) ^ at(9, b13) ^ at(8, b14))
        ^ (at(7, b15) ^ at(6, b16) ^ at(5, b17) ^ at(4, b18))
        ^ (at(3, b19) ^ at(2, b20) ^ at(1, b21) ^ at(0, b22))
}

#[cfg(all(test, feature = "speed-over-size"))]
mod tests {
    use super::*;
    use crate::powerscope::{Message, Revision};

    /// A cheap deterministic byte source (xorshift32).
    fn bytes(state: &mut u32) -> impl Iterator<Item = u8> + '_ {
        core::iter::from_fn(move || {
            *state ^= *state << 13;
            *state ^= *state >> 17;
            *state ^= *state << 5;
            Some(state.to_le_bytes()[0])
        })
    }

    /// A sample frame's 23 covered bytes, the last varied by `state`, and `cmd_id`.
    fn covered(state: &mut u32, cmd_id: u8) -> [u8; COVERED] {
        let mut frame = [0u8; COVERED];
        for (slot, b) in frame.iter_mut().zip(bytes(state)) {
            *slot = b;
        }
        frame[..PREFIX.len()].copy_from_slice(&PREFIX);
        frame[6] = cmd_id;
        frame
    }

    #[test]
    fn sample_frames_match_the_general_crc() {
        let mut state = 0x1234_5678;
        for round in 0..4096u32 {
            // Every cmd_id, and the edge values of the other bytes.
            let mut frame = covered(&mut state, round.to_le_bytes()[0]);
            if round % 7 == 0 {
                frame[7..].fill(0xFF);
            }
            assert_eq!(crc16(&frame), crate::crc::crc16(&frame), "{frame:02x?}");
        }
    }

    #[test]
    fn parse_gives_what_the_general_parse_gives() {
        let mut state = 0xC0FF_EE11;
        for round in 0..512u32 {
            let mut wire = [0u8; FRAME_LEN + 1];
            wire[..COVERED].copy_from_slice(&covered(&mut state, round.to_le_bytes()[0]));
            // Some frames with a header byte changed: not sample frames (or other ones).
            if round % 4 == 0 {
                let at = (round as usize / 4) % PREFIX.len();
                wire[at] = wire[at].wrapping_add(1 + (round / 32) as u8);
            }
            let crc = crate::crc::crc16(&wire[..COVERED]).to_le_bytes();
            wire[COVERED..FRAME_LEN].copy_from_slice(&crc);
            for len in [FRAME_LEN - 1, FRAME_LEN, FRAME_LEN + 1] {
                let general = Message::from_bytes(&wire[..len], Revision::R1);
                match parse(&wire[..len]) {
                    Some(stream) => assert_eq!(Ok(Message::Stream(stream)), general, "{wire:02x?}"),
                    None => assert!(
                        !matches!(general, Ok(Message::Stream(s)) if s.packet.ina219().is_some()),
                        "{wire:02x?}"
                    ),
                }
            }
        }
    }

    #[test]
    fn only_whole_sample_frames_with_their_crc_are_intact() {
        let mut state = 0x9E37_79B9;
        let mut wire = [0u8; COVERED + 3];
        wire[..COVERED].copy_from_slice(&covered(&mut state, 0xFF));
        let crc = crate::crc::crc16(&wire[..COVERED]).to_le_bytes();
        wire[COVERED..COVERED + 2].copy_from_slice(&crc);
        assert!(is_intact(&wire[..COVERED + 2]));
        assert!(is_intact(&wire), "bytes after the frame are not looked at");
        assert!(!is_intact(&wire[..COVERED + 1]), "cut off");
        for i in 0..COVERED + 2 {
            let mut bad = wire;
            bad[i] ^= 0x10;
            assert!(!is_intact(&bad), "byte {i} flipped");
        }
    }
}
