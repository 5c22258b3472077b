//! CRC-16/CCITT-FALSE for pmu30 frames, on the tables of [`crate::crc::CRC16`].
//!
//! A TELEMETRY_DATA frame's CRC covers 120 bytes: seven 16-byte blocks and 8 bytes. The
//! `crc` crate's slice-by-16 loop takes the blocks, then the last 8 bytes one at a time,
//! each waiting for the previous one. Here the tail goes through slice-by-8 and slice-by-4
//! steps on the same tables (table `k` is a byte's contribution when `k` bytes follow it),
//! and the blocks are split off as fixed-size arrays, so no index is checked at run time.

#[cfg(feature = "fast-crc")]
use crate::crc::CRC16;

/// The CRC-16 register after `data`, starting from 0xFFFF (init; xorout is 0).
#[cfg(feature = "fast-crc")]
pub(super) fn crc16(data: &[u8]) -> u16 {
    let t: &[[u16; 256]; 16] = CRC16.table();
    // The lookup of byte `b` in table `k`.
    let at = |k: usize, b: u8| t[k][usize::from(b)];
    let mut crc: u16 = 0xFFFF;
    let mut rest = data;
    while let Some((b, tail)) = rest.split_first_chunk::<16>() {
        rest = tail;
        let [hi, lo] = crc.to_be_bytes();
        crc = at(15, b[0] ^ hi)
            ^ at(14, b[1] ^ lo)
            ^ at(13, b[2])
            ^ at(12, b[3])
            ^ at(11, b[4])
            ^ at(10, b[5])
            ^ at(9, b[6])
            ^ at(8, b[7])
            ^ at(7, b[8])
            ^ at(6, b[9])
            ^ at(5, b[10])
            ^ at(4, b[11])
            ^ at(3, b[12])
            ^ at(2, b[13])
            ^ at(1, b[14])
            ^ at(0, b[15]);
    }
    // `rest` is now shorter than 16 bytes: at most one step of 8 and one of 4.
    if let Some((b, tail)) = rest.split_first_chunk::<8>() {
        rest = tail;
        let [hi, lo] = crc.to_be_bytes();
        crc = at(7, b[0] ^ hi)
            ^ at(6, b[1] ^ lo)
            ^ at(5, b[2])
            ^ at(4, b[3])
            ^ at(3, b[4])
            ^ at(2, b[5])
            ^ at(1, b[6])
            ^ at(0, b[7]);
    }
    if let Some((b, tail)) = rest.split_first_chunk::<4>() {
        rest = tail;
        let [hi, lo] = crc.to_be_bytes();
        crc = at(3, b[0] ^ hi) ^ at(2, b[1] ^ lo) ^ at(1, b[2]) ^ at(0, b[3]);
    }
    for &b in rest {
        crc = at(0, crc.to_be_bytes()[0] ^ b) ^ (crc << 8);
    }
    crc
}

/// Without the slice-by-16 tables (small targets): the shared single-table CRC.
#[cfg(not(feature = "fast-crc"))]
pub(super) fn crc16(data: &[u8]) -> u16 {
    crate::crc::crc16(data)
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_the_shared_crc_at_every_length() {
        let mut data = [0u8; 300];
        let mut x: u32 = 0x1234_5678;
        for b in data.iter_mut() {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *b = x as u8;
        }
        for start in 0..3 {
            for end in start..data.len() {
                let bytes = &data[start..end];
                assert_eq!(super::crc16(bytes), crate::crc::crc16(bytes), "{start}..{end}");
            }
        }
        assert_eq!(super::crc16(b"123456789"), 0x29B1);
    }
}
