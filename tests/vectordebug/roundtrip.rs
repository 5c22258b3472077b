//! Typed payload → wire bytes → message and payload, for every packet type with the
//! extremes of every field; encoder errors; the bufferless validator against a full decode.

use crate::common::vectordebug::{bytes, emit, record};

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serial_dialects::cobs;
use serial_dialects::stream::SliceDecoder;
use serial_dialects::vectordebug::{Config, Message, Packet, Payload, Records, VectorDebug};
use serial_dialects::{Encode, EncodeError};

/// Emits, checks the exact-size and one-short buffers, decodes with both decoders, and
/// returns the wire bytes.
fn round_trip(msg: Payload<'_>) -> Vec<u8> {
    let wire = emit(&msg);
    assert!(wire.len() <= msg.buffer_len());
    assert_eq!(wire.last(), Some(&0));
    assert!(!wire[..wire.len() - 1].contains(&0));
    let mut exact = vec![0; wire.len()];
    assert_eq!(msg.emit(&mut exact), Ok(wire.len()));
    assert_eq!(exact, wire);
    let mut short = vec![0; wire.len() - 1];
    assert!(matches!(msg.emit(&mut short), Err(EncodeError::BufferTooSmall { .. })));

    let mut scratch = vec![0; wire.len()];
    assert_eq!(Payload::decode_wire(&wire, &mut scratch).unwrap(), msg);
    let roomy = VectorDebug::new(Config { max_packet: usize::MAX / 4 });
    let events: Vec<_> = SliceDecoder::new(roomy, &wire).collect();
    assert_eq!(events.len(), 1);
    let p = events[0].frame().expect("a frame");
    assert_eq!(p.wire(), &wire[..]);
    assert_eq!(p.packet_type(), msg.packet_type());
    assert_eq!(p.payload_len(), msg.payload_len());
    let mut buf = vec![0; p.decoded_len()];
    let packet = p.decode_into(&mut buf).unwrap();
    assert_eq!(packet.typed_payload(), msg);
    assert_eq!(packet.wire_len(), wire.len());
    // The message writes back the bytes it was read from, also as the dialect's encoder.
    let mut again = vec![0; wire.len()];
    assert_eq!((p.buffer_len(), p.emit(&mut again)), (wire.len(), Ok(wire.len())));
    assert_eq!(again, wire);
    let dialect = VectorDebug::default();
    assert_eq!(dialect.encoded_len(p), wire.len());
    assert_eq!(dialect.encode(p, &mut again), Ok(wire.len()));
    assert!(matches!(p.emit(&mut short), Err(EncodeError::BufferTooSmall { .. })));
    wire
}

proptest! {
    // Failures are kept beside this file (`<file>.proptest-regressions`): the default would
    // put them under `tests/proptest-regressions/`, named after this file alone, because
    // `main.rs` makes this directory look like a crate root.
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn dbg_frame1_round_trips(recs in proptest::collection::vec(record(), 0..60), trailing in proptest::collection::vec(any::<u8>(), 0..14)) {
        let msg = Payload::DbgFrame1 { records: Records::with_trailing(&recs, &trailing) };
        let wire = round_trip(msg);
        let p = Message::new_checked(&wire, 1 << 20).unwrap();
        prop_assert_eq!(p.records().collect::<Vec<_>>(), recs);
        prop_assert_eq!(p.trailing_bytes().collect::<Vec<_>>(), trailing);
    }

    #[test]
    fn cli_round_trips(data in bytes(1200)) {
        let wire = round_trip(Payload::Cli { data: &data });
        let p = Message::new_checked(&wire, 1 << 20).unwrap();
        prop_assert_eq!(p.payload_bytes().collect::<Vec<_>>(), data);
    }

    #[test]
    fn unknown_round_trips(ty in any::<u8>().prop_filter("not CLI/DBG", |t| *t != 2 && *t != 3), payload in bytes(600)) {
        round_trip(Payload::Unknown { packet_type: ty, payload: &payload });
    }

    #[test]
    fn bufferless_validation_agrees_with_a_full_decode(data in bytes(700), flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4), max in 0usize..800) {
        let wire = emit(&Payload::Cli { data: &data });
        let mut chunk = wire[..wire.len() - 1].to_vec();
        for (at, x) in flips {
            let i = at % chunk.len();
            chunk[i] = if x % 5 == 0 { 0 } else { chunk[i] ^ x };
        }
        let view = Message::new_checked(&chunk, max);
        // `new_checked` takes a frame with or without its delimiter.
        let chunk = chunk.strip_suffix(&[0]).unwrap_or(&chunk);
        let mut buf = vec![0; chunk.len()];
        let full = cobs::decode(chunk, &mut buf)
            .map_err(serial_dialects::vectordebug::Error::Cobs)
            .and_then(|n| {
                if n > max && n >= 7 {
                    Err(serial_dialects::vectordebug::Error::TooLong { decoded: n, max })
                } else {
                    Packet::new_checked(&buf[..n]).map(|p| p.as_bytes().len())
                }
            });
        match (&view, &full) {
            (Ok(v), Ok(n)) => prop_assert_eq!(v.decoded_len(), *n),
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            _ => prop_assert!(false, "view {:?} vs full decode {:?}", view, full),
        }
    }

}
