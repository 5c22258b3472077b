//! vectordebug test helpers: wire bytes built by hand, for tests that need packets the
//! encoder refuses to write (wrong `len` fields, oversize payloads) or want the framing
//! spelled out; packets from the encoder; and the proptest strategies of records and of
//! bytes that exercise COBS.

use proptest::prelude::*;
use serial_dialects::cobs;
use serial_dialects::crc::crc16;
use serial_dialects::vectordebug::{Payload, Record, Records};

/// A decoded packet with an explicit `len` field and a correct CRC.
pub fn packet(ty: u8, len: u32, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![ty];
    v.extend(len.to_le_bytes());
    v.extend(payload);
    let crc = crc16(&v);
    v.extend(crc.to_le_bytes());
    v
}

/// COBS and delimiter around decoded bytes.
pub fn frame(decoded: &[u8]) -> Vec<u8> {
    let mut out = vec![0; cobs::max_encoded_len(decoded.len()) + 1];
    let n = cobs::encode(decoded, &mut out).unwrap();
    out.truncate(n);
    out.push(0);
    out
}

/// `msg` as the library's encoder writes it (COBS, delimiter included).
pub fn emit(msg: &Payload<'_>) -> Vec<u8> {
    let mut out = vec![0; msg.buffer_len()];
    let n = msg.emit(&mut out).unwrap();
    out.truncate(n);
    out
}

/// The wire frame of a packet of type `ty` with `payload` and a correct `len`.
pub fn good(ty: u8, payload: &[u8]) -> Vec<u8> {
    frame(&packet(ty, payload.len() as u32, payload))
}

/// `n` records numbered from `first_seq` (wrapping), with zero and non-zero bytes.
pub fn records(first_seq: u16, n: usize) -> Vec<Record> {
    (0..n)
        .map(|i| {
            let v = i as i16;
            Record { seq: first_seq.wrapping_add(i as u16), payload: [v, -v, v.wrapping_mul(7), 1, -1, 0x0101] }
        })
        .collect()
}

/// The wire frame of a DBG_FRAME1 packet of [`records`]`(first_seq, n)`.
pub fn dbg(first_seq: u16, n: usize) -> Vec<u8> {
    let recs = records(first_seq, n);
    emit(&Payload::DbgFrame1 { records: Records::new(&recs) })
}

pub fn edge_i16() -> impl Strategy<Value = i16> {
    prop_oneof![Just(i16::MIN), Just(i16::MAX), Just(0), Just(-1), Just(1), Just(0x0100), any::<i16>()]
}

pub fn edge_u16() -> impl Strategy<Value = u16> {
    prop_oneof![Just(0u16), Just(u16::MAX), Just(0x0100), Just(0x00FF), any::<u16>()]
}

pub fn record() -> impl Strategy<Value = Record> {
    (edge_u16(), proptest::array::uniform6(edge_i16())).prop_map(|(seq, payload)| Record { seq, payload })
}

/// Bytes with many zeros and long zero-free runs (COBS edge cases).
pub fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..max),
        proptest::collection::vec(prop_oneof![Just(0u8), Just(1u8), Just(0xFF)], 0..max),
        (1usize..max.max(2)).prop_map(|n| vec![0x5A; n]),
        (0usize..4).prop_map(|k| vec![0x77; 254 * k]),
    ]
}
