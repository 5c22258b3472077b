//! The two checksums of this crate, computed with the [`crc`] crate.
//!
//! * CRC-16 is CRC-16/CCITT-FALSE (also catalogued as CRC-16/IBM-3740): poly 0x1021,
//!   init 0xFFFF, no reflection, xorout 0. `check("123456789") == 0x29B1`. Every dialect
//!   that carries it stores it little-endian.
//! * CRC-8 is CRC-8/SMBUS: poly 0x07, init 0, no reflection, xorout 0. `check == 0xF4`.
//!
//! With the `fast-crc` feature (on by default) both use slice-by-16 tables (8 KiB for
//! CRC-16, 4 KiB for CRC-8), which is what hosts decoding captures at memory speed want:
//! about 2-4x the speed of a single table on frames of a hundred bytes or more. Without it
//! a single 256-entry table each (512 + 256 bytes) is used, which suits a Cortex-M flash
//! budget.

use crc::{CRC_8_SMBUS, CRC_16_IBM_3740, Crc, Digest, Table};

#[cfg(feature = "fast-crc")]
type Crc16Impl = Table<16>;
#[cfg(not(feature = "fast-crc"))]
type Crc16Impl = Table<1>;
#[cfg(feature = "fast-crc")]
type Crc8Impl = Table<16>;
#[cfg(not(feature = "fast-crc"))]
type Crc8Impl = Table<1>;

/// CRC-16/CCITT-FALSE engine (table size chosen by the `fast-crc` feature).
pub static CRC16: Crc<u16, Crc16Impl> = Crc::<u16, Crc16Impl>::new(&CRC_16_IBM_3740);

/// CRC-8/SMBUS engine (table size chosen by the `fast-crc` feature).
pub static CRC8: Crc<u8, Crc8Impl> = Crc::<u8, Crc8Impl>::new(&CRC_8_SMBUS);

/// An incremental CRC-16/CCITT-FALSE computation, for frames written or read in pieces.
pub type Crc16Digest = Digest<'static, u16, Crc16Impl>;

/// CRC-16/CCITT-FALSE of `data`.
#[inline]
pub fn crc16(data: &[u8]) -> u16 {
    CRC16.checksum(data)
}

/// Starts an incremental CRC-16/CCITT-FALSE.
#[inline]
pub fn crc16_digest() -> Crc16Digest {
    CRC16.digest()
}

/// CRC-8/SMBUS of `data`.
#[inline]
pub fn crc8(data: &[u8]) -> u8 {
    CRC8.checksum(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_values() {
        assert_eq!(crc16(b"123456789"), 0x29B1);
        assert_eq!(crc8(b"123456789"), 0xF4);
    }

    #[test]
    fn digest_matches_one_shot() {
        let mut d = crc16_digest();
        d.update(b"1234");
        d.update(b"56789");
        assert_eq!(d.finalize(), 0x29B1);
    }

    #[test]
    fn pmu30_ping_under_seed_rule() {
        // PING frame `aa 00 00 01 d1 f1`: CRC over MSG_ID only, stored low byte first.
        assert_eq!(crc16(&[0x01]), 0xF1D1);
    }
}
