//! Building vectordebug wire bytes by hand, for tests that need packets the encoder refuses
//! to write (wrong `len` fields, oversize payloads) or want the framing spelled out.

use serial_dialects::cobs;
use serial_dialects::crc::crc16;
use serial_dialects::vectordebug::Message;

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
pub fn emit(msg: &Message<'_>) -> Vec<u8> {
    let mut out = vec![0; msg.buffer_len()];
    let n = msg.emit(&mut out).unwrap();
    out.truncate(n);
    out
}
