//! An arbitrary vectordebug payload through the encoder and back through every decoder.
//!
//! The input is either a [`Payload`] (DBG_FRAME1 records as payload bytes, or a typed tail
//! that may be too long; CLI bytes; any type byte with any payload) or typed records built
//! from a `Vec<Record>` plus a tail. The encoder must either refuse the payload with the
//! typed error [`Payload::validate`] predicts, or write a frame that:
//!
//! * fits [`Payload::buffer_len`], is refused by a buffer one byte too small with
//!   `BufferTooSmall`, and is written identically into a buffer of exactly its size;
//! * is one frame event spanning every byte for the slice decoder, whose message carries the
//!   payload's type, `len`, payload, records, trailing bytes and sequence span, and writes
//!   those bytes back;
//! * parses back (decode into a buffer, `Packet::new_checked`, `Payload::decode_wire`) to a
//!   payload equal to the original, and re-encodes to the same bytes, also through
//!   `PacketBuilder` and `Packet::emit_wire`.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serial_dialects::stream::{Dialect, SliceDecoder};
use serial_dialects::vectordebug::{
    Config, Error, PacketBuilder, PacketType, Payload, Record, Records, SeqTracker, VectorDebug,
};
use serial_dialects::{EncodeError, ErrorKind};

#[derive(Debug, Arbitrary)]
enum Input<'a> {
    Payload(Payload<'a>),
    Typed { records: Vec<Record>, trailing: &'a [u8] },
}

fuzz_target!(|input: Input<'_>| {
    match input {
        Input::Payload(msg) => check(msg),
        Input::Typed { records, trailing } => {
            check(Payload::DbgFrame1 { records: Records::with_trailing(&records, trailing) })
        }
    }
});

fn check(msg: Payload<'_>) {
    let bound = msg.buffer_len();
    let mut out = vec![0u8; bound];
    let n = match msg.emit(&mut out) {
        Ok(n) => n,
        Err(e) => return check_refusal(&msg, e),
    };
    assert_eq!(msg.validate(), Ok(()), "{msg:?} was encoded although validate() refuses it");
    assert!(n <= bound, "{msg:?}: {n} wire bytes exceed buffer_len() {bound}");
    let wire = &out[..n];
    assert_eq!(wire.last(), Some(&0), "a frame ends with its delimiter");
    assert!(!wire[..n - 1].contains(&0), "COBS bytes hold no 0x00");

    // Exact and one-short buffers.
    let mut exact = vec![0u8; n];
    assert_eq!(msg.emit(&mut exact), Ok(n));
    assert_eq!(exact, wire);
    let mut short = vec![0u8; n - 1];
    match msg.emit(&mut short) {
        Err(EncodeError::BufferTooSmall { needed, available }) => {
            assert_eq!(available, n - 1);
            assert!(needed >= n, "BufferTooSmall says {needed} bytes are needed, the frame has {n}");
        }
        other => panic!("{msg:?} into {} bytes: {other:?}, expected BufferTooSmall", n - 1),
    }

    // The slice decoder: one frame event spanning every byte.
    let decoded_len = msg.payload_len() + 7;
    let max_packet = decoded_len.max(Config::DEFAULT_MAX_PACKET);
    let mut decoder = SliceDecoder::new(VectorDebug::new(Config { max_packet }), wire);
    let event = decoder.next().expect("one event");
    assert!(decoder.next().is_none(), "{msg:?} decodes to more than one event");
    assert_eq!((event.offset, event.len), (0, n));
    let p = match event.frame() {
        Some(p) => *p,
        None => panic!("{msg:?} is rejected: {:?}", event.error()),
    };
    let stats = *decoder.stats();
    assert_eq!((stats.frames, stats.errors.total(), stats.bytes_in_frames, stats.bytes_skipped), (1, 0, n as u64, 0));

    assert_eq!(p.wire(), wire);
    assert_eq!(p.cobs_bytes(), &wire[..n - 1]);
    assert_eq!(p.packet_type(), msg.packet_type());
    assert_eq!(p.type_byte(), msg.packet_type().as_u8());
    assert_eq!(p.payload_len(), msg.payload_len());
    assert_eq!(usize::try_from(p.len_field()).ok(), Some(msg.payload_len()));
    assert_eq!(p.decoded_len(), decoded_len);
    let payload: Vec<u8> = p.payload_bytes().collect();
    assert_eq!(Payload::new(p.type_byte(), &payload), msg, "payload bytes differ");
    let mut tracker = SeqTracker::new();
    match msg {
        Payload::DbgFrame1 { records } => {
            assert_eq!(p.record_count(), records.len());
            assert!(p.records().eq(records.iter()), "records differ");
            assert!(p.trailing_bytes().eq(records.trailing().iter().copied()), "trailing bytes differ");
            assert_eq!(p.seq_span(), tracker.observe_all(records.iter()));
        }
        _ => {
            assert_eq!((p.record_count(), p.trailing_len(), p.seq_span()), (0, 0, None));
        }
    }
    assert_eq!(decoder.dialect().lost_frames(), tracker.lost());
    assert_eq!(stats.lost_frames, tracker.lost());

    // The default decoder takes it exactly when it is within the default limit.
    let default_events: Vec<_> = SliceDecoder::new(VectorDebug::default(), wire).collect();
    if decoded_len <= Config::DEFAULT_MAX_PACKET {
        assert!(matches!(&default_events[..], [e] if e.frame() == Some(&p)));
    } else {
        assert!(default_events.iter().all(|e| e.error_kind() == Some(ErrorKind::BadLength)));
        assert_eq!(default_events.iter().map(|e| e.len).sum::<usize>(), n);
    }

    // Frame-level parses: decode into a buffer, the checked packet view, decode_wire.
    let mut buf = vec![0u8; decoded_len];
    let packet = p.decode_into(&mut buf).expect("a validated frame decodes");
    assert_eq!(packet.typed_payload(), msg);
    assert_eq!(Payload::parse(packet.as_bytes()), Ok(msg));
    assert_eq!(packet.wire_len(), n);
    let mut small = vec![0u8; decoded_len - 1];
    assert_eq!(
        p.decode_into(&mut small).err(),
        Some(Error::BufferTooSmall { needed: decoded_len, available: decoded_len - 1 })
    );
    let mut scratch = vec![0u8; decoded_len];
    assert_eq!(Payload::decode_wire(wire, &mut scratch), Ok(msg));
    let mut scratch = vec![0u8; decoded_len];
    assert_eq!(Payload::decode_wire(&wire[..n - 1], &mut scratch), Ok(msg), "decode_wire without delimiter");

    // Re-encoding: the decoded payload, the message, the packet view, and the builder give
    // the same bytes.
    let mut again = vec![0u8; bound];
    assert_eq!(packet.typed_payload().emit(&mut again), Ok(n));
    assert_eq!(&again[..n], wire);
    let mut again = vec![0u8; n];
    assert_eq!((p.buffer_len(), p.emit(&mut again)), (n, Ok(n)));
    assert_eq!(again, wire);
    assert!(matches!(p.emit(&mut again[..n - 1]), Err(EncodeError::BufferTooSmall { .. })));
    let mut again = vec![0u8; n];
    assert_eq!(packet.emit_wire(&mut again), Ok(n));
    assert_eq!(again, wire);
    assert!(matches!(packet.emit_wire(&mut again[..n - 1]), Err(EncodeError::BufferTooSmall { .. })));
    let mut packet_buf = vec![0u8; decoded_len];
    let mut builder = PacketBuilder::new(&mut packet_buf, msg.packet_type().as_u8()).expect("7 bytes or more");
    builder.push_bytes(&payload).expect("the payload fits");
    assert_eq!(builder.remaining(), 0);
    let built = builder.finish();
    assert_eq!(built.as_bytes(), packet.as_bytes());
    let mut again = vec![0u8; n];
    assert_eq!(built.emit_wire(&mut again), Ok(n));
    assert_eq!(again, wire);
}

/// The encoder refused `msg`: the refusal must be the one `validate` predicts, for the one
/// reason the message cannot be encoded, whatever the buffer.
fn check_refusal(msg: &Payload<'_>, e: EncodeError) {
    assert_eq!(msg.validate(), Err(e), "{msg:?}: emit says {e:?}, validate disagrees");
    match (msg, &e) {
        (Payload::Unknown { packet_type, .. }, EncodeError::OutOfRange { field: "type" }) => {
            assert!(matches!(PacketType::from(*packet_type), PacketType::Cli | PacketType::DbgFrame1));
        }
        (Payload::DbgFrame1 { records }, EncodeError::TooLong { field: "trailing", len, max: 13 }) => {
            assert_eq!(*len, records.trailing().len());
            assert!(*len >= Record::SIZE);
        }
        _ => panic!("{msg:?} refused with {e:?}"),
    }
    assert_eq!(msg.emit(&mut []), Err(e), "validation comes before the buffer check");
}
