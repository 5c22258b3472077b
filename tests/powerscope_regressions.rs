//! Inputs the fuzz targets (and writing them) found, kept so that they stay fixed.

use serial_dialects::powerscope::r1::{self, Cmd, Command, ErrorCode, Nack};
use serial_dialects::powerscope::{Message, PowerScope};
use serial_dialects::{EncodeError, SliceDecoder};

/// `roundtrip_powerscope`, crash-4dbf8c81: a checksum-valid CMD SET_PERIOD whose period
/// (15297 ms) is outside the sender's 5..=10000 decodes as received (lenient decoding), but
/// could not be written back: `emit` refuses it, and there was no other encoder. Now
/// `emit_verbatim` re-encodes every decoded message to exactly its bytes.
#[test]
fn set_period_out_of_range_reencodes_verbatim() {
    let wire = [
        0xA5, 0x5A, 0x01, 0x00, 0x03, 0x00, 0x03, 0xC1, // magic, CMD, ver, len 3, SET_PERIOD, rsv
        0x05, 0x23, 0x01, 0x02, 0x03, 0xC1, 0x05, 0x23, // seq, ts_ms
        0xBF, 0xC1, 0x3B, // sensor 191, period 15297
        0xA5, 0x2E, // CRC-16
    ];
    let events: Vec<_> = SliceDecoder::new(PowerScope::r1(), &wire).collect();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!((events[0].offset, events[0].len), (0, wire.len()));
    let expected = r1::Message::Cmd(Cmd {
        seq: 0x0201_2305,
        ts_ms: 0x2305_C103,
        reserved: 0xC1,
        command: Command::SetPeriod { sensor: 191, period_ms: 15_297 },
    });
    let decoded = events[0].frame().copied().unwrap();
    assert_eq!(decoded, Message::R1(expected));

    let refused = Err(EncodeError::OutOfRange { field: "period_ms" });
    assert_eq!(expected.validate(), refused.map(|_: usize| ()));
    let mut out = [0u8; 64];
    assert_eq!(decoded.emit(&mut out), refused);
    assert_eq!(expected.emit(&mut out), refused);
    assert_eq!(decoded.emit_verbatim(&mut out), Ok(wire.len()));
    assert_eq!(out[..wire.len()], wire);
    out.fill(0);
    assert_eq!(expected.emit_verbatim(&mut out), Ok(wire.len()));
    assert_eq!(out[..wire.len()], wire);
    assert_eq!(
        expected.emit_verbatim(&mut out[..wire.len() - 1]),
        Err(EncodeError::BufferTooSmall { needed: wire.len(), available: wire.len() - 1 })
    );
}

/// Found writing `roundtrip_powerscope`: `ErrorCode::Unknown(1)` was sent as the byte 1 and
/// read back as `ErrorCode::InvalidCmd`, a different message. Both encoders now refuse an
/// `Unknown` holding a code the firmware defines.
#[test]
fn nack_unknown_holding_a_defined_code_is_refused() {
    let mut out = [0u8; 64];
    for byte in 0..=u8::MAX {
        let defined = matches!(byte, 1..=6 | 255);
        let canonical = ErrorCode::from_u8(byte);
        assert_eq!(canonical.validate(), Ok(()));
        let unknown = ErrorCode::Unknown(byte);
        let refusal = Err(EncodeError::OutOfRange { field: "error_code" });
        assert_eq!(unknown.validate(), if defined { refusal } else { Ok(()) }, "Unknown({byte})");

        let nack = r1::Message::Nack(Nack::new(7, 8, 0x03, unknown));
        if defined {
            assert_eq!(nack.emit(&mut out), refusal.map(|()| 0));
            assert_eq!(nack.emit_verbatim(&mut out), refusal.map(|()| 0));
        } else {
            let n = nack.emit(&mut out).unwrap();
            assert_eq!(n, 19);
            assert_eq!(r1::Message::from_bytes(&out[..n]), Ok(nack));
        }
        let nack = r1::Message::Nack(Nack::new(7, 8, 0x03, canonical));
        let n = nack.emit(&mut out).unwrap();
        assert_eq!(out[16], byte);
        assert_eq!(r1::Message::from_bytes(&out[..n]), Ok(nack));
    }
}
