//! Typed powerscope messages of both revisions, and raw headers with payloads, through the
//! encoders and back through the decoders.
//!
//! * [`Input::Message`]: an arbitrary [`Message`] (revision 0 or 1). The encoder must refuse
//!   exactly the messages that cannot be sent or would not decode back to themselves (the
//!   refusal is predicted here, independently of the library), with that typed error and
//!   before it looks at the buffer. Anything it accepts is exactly `buffer_len()` bytes, at
//!   most the revision's frame limit, refused with `BufferTooSmall` by a buffer one byte
//!   shorter, and decodes to the same message (gap 0: it is not on the wire) through the
//!   frame-level parse, the zero-copy slice decoder and a stream decoder whose capacity is
//!   exactly `max_frame_len`, each time as one frame event spanning every byte.
//! * [`Input::Frame`]: a header and a payload through the frame-level `frame::emit`. The
//!   checked view must read back the header and payload; the stream decoder must report the
//!   whole frame as one event, which is either a message that re-encodes to the same bytes or
//!   (revision 1, a payload of the wrong size for its type and command) a `bad_length` or
//!   `unknown_type` error equal to what the frame-level parse says.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serial_dialects::powerscope::frame::{self, Frame};
use serial_dialects::powerscope::header::VERSION;
use serial_dialects::powerscope::{
    Command, Config, Error, ErrorCode, HEADER_LEN, HeaderRepr, Ina219Sample, Message, PERIOD_MS_MAX, PERIOD_MS_MIN,
    PowerScope, Reply, Revision, SensorPacket,
};
use serial_dialects::{Dialect, DialectError, EncodeError, ErrorKind, Item, SliceDecoder, StreamDecoder};

#[derive(Debug, Arbitrary)]
enum Input<'a> {
    /// A typed message, through `Message::emit`.
    Message(Message<'a>),
    /// A raw header and payload, through `frame::emit`.
    Frame { revision: Revision, header: HeaderRepr, payload: &'a [u8] },
}

/// Room for the longest frame of either revision, and then some.
const BUF: usize = Revision::R0.max_frame_len() + 64;
const R0_CAPACITY: usize = Revision::R0.max_frame_len();
const R1_CAPACITY: usize = Revision::R1.max_frame_len();

fuzz_target!(|input: Input<'_>| match input {
    Input::Message(message) => check_message(message),
    Input::Frame { revision, header, payload } => check_frame(revision, &header, payload),
});

/// What `emit` must refuse `message` with: the sender's range (SET_PERIOD 5..=10000), then
/// what `emit_verbatim` refuses too. Derived from the wire rules in the module
/// documentation, not from the library's own checks.
fn expected_refusal(message: &Message<'_>) -> Option<EncodeError> {
    match message {
        Message::Cmd(c) => match c.command {
            Command::SetPeriod { period_ms, .. } if !(PERIOD_MS_MIN..=PERIOD_MS_MAX).contains(&period_ms) => {
                Some(EncodeError::OutOfRange { field: "period_ms" })
            }
            _ => None,
        },
        _ => verbatim_refusal(message),
    }
}

/// What `emit_verbatim` must refuse `message` with: sizes the wire cannot carry and values
/// that would not decode back to themselves.
fn verbatim_refusal(message: &Message<'_>) -> Option<EncodeError> {
    match message {
        Message::R0Command(_) | Message::Cmd(_) => None,
        Message::R0Stream(s) => match s.payload.len() {
            0 => Some(EncodeError::OutOfRange { field: "len" }),
            len if len > 512 => Some(EncodeError::TooLong { field: "payload", len, max: 512 }),
            _ => None,
        },
        Message::Stream(s) => packet_refusal(&s.packet),
        Message::Ack(a) => match &a.reply {
            Reply::ReadSensor(packet) => packet_refusal(packet),
            _ => None,
        },
        // Unknown(code) must hold a code the firmware does not define, or it would decode
        // as the named code.
        Message::Nack(n) => match n.error {
            ErrorCode::Unknown(1..=6 | 255) => Some(EncodeError::OutOfRange { field: "error_code" }),
            _ => None,
        },
    }
}

/// A raw sample may have 0..=45 bytes, but not 6 (that would read back as an INA219 sample).
fn packet_refusal(packet: &SensorPacket<'_>) -> Option<EncodeError> {
    match packet {
        SensorPacket::Raw { sample, .. } if sample.len() > 45 => {
            Some(EncodeError::TooLong { field: "sample", len: sample.len(), max: 45 })
        }
        SensorPacket::Raw { sample, .. } if sample.len() == Ina219Sample::LEN - 1 => {
            Some(EncodeError::OutOfRange { field: "sample" })
        }
        _ => None,
    }
}

/// The message as it decodes: the gap is not on the wire, and the first frame's is 0.
fn on_the_wire(mut message: Message<'_>) -> Message<'_> {
    match &mut message {
        Message::R0Stream(s) => s.gap = 0,
        Message::Stream(s) => s.gap = 0,
        _ => {}
    }
    message
}

fn check_message(message: Message<'_>) {
    let revision = message.revision();
    let expected = expected_refusal(&message);
    assert_eq!(message.validate().err(), expected, "validate() disagrees for {message:?}");
    // `emit`: the sender's encoder.
    let mut checked = [0u8; BUF];
    let emitted = match (message.emit(&mut checked), expected) {
        (Ok(n), None) => Some(n),
        (Err(error), Some(expected)) => {
            assert_eq!(error, expected, "wrong refusal of {message:?}");
            // A field error is found before the buffer is looked at.
            assert_eq!(message.emit(&mut []), Err(expected), "refusal of {message:?} depends on the buffer");
            None
        }
        (Err(error), None) => panic!("{message:?} refused: {error}"),
        (Ok(n), Some(expected)) => panic!("{message:?} accepted ({n} bytes) though it must be refused: {expected}"),
    };
    // `emit_verbatim`: what re-encodes decoded messages.
    let mut buf = [0u8; BUF];
    let n = match (message.emit_verbatim(&mut buf), verbatim_refusal(&message)) {
        (Ok(n), None) => n,
        (Err(error), Some(expected)) => {
            assert_eq!(error, expected, "wrong verbatim refusal of {message:?}");
            assert_eq!(message.emit_verbatim(&mut []), Err(expected));
            assert!(emitted.is_none(), "emit accepted what emit_verbatim refuses: {message:?}");
            return;
        }
        (result, expected) => panic!("emit_verbatim of {message:?}: {result:?}, expected a refusal {expected:?}"),
    };
    if let Some(m) = emitted {
        assert_eq!(checked[..m], buf[..n], "emit and emit_verbatim write different bytes for {message:?}");
    }

    assert_eq!(n, message.buffer_len(), "buffer_len of {message:?}");
    assert!(n <= revision.max_frame_len(), "{n} bytes exceed the {revision:?} limit");
    let mut short = [0u8; BUF];
    let too_small = Err(EncodeError::BufferTooSmall { needed: n, available: n - 1 });
    assert_eq!(message.emit_verbatim(&mut short[..n - 1]), too_small, "a buffer one byte short must be refused");
    if emitted.is_some() {
        assert_eq!(message.emit(&mut short[..n - 1]), too_small, "a buffer one byte short must be refused");
    }
    let bytes = &buf[..n];
    let wire = on_the_wire(message);

    // Frame-level parse.
    assert_eq!(Message::from_bytes(bytes, revision), Ok(wire), "bytes {bytes:02x?}");
    if let Message::R0Command(command) = wire {
        assert_eq!(bytes, [command.byte()]);
        assert_eq!(wire.header(), None);
    } else {
        let frame = Frame::new_checked(bytes, revision).unwrap_or_else(|e| panic!("{bytes:02x?}: {e}"));
        assert_eq!(frame.frame_len(), n);
        assert_eq!(frame.payload_len(), n - HEADER_LEN - revision.trailer_len());
        let header = frame.header_repr();
        assert_eq!(header.frame_type, wire.frame_type() as u8);
        assert_eq!(header.ver, VERSION);
        assert_eq!(Some(header), wire.header(), "the header read is the header the message is sent with");
    }

    // Stream-level decoding: one frame event over every byte, equal to the message.
    let dialect = || PowerScope::new(Config { revision });
    let mut decoder = SliceDecoder::new(dialect(), bytes);
    let events: Vec<_> = decoder.by_ref().collect();
    assert_eq!(events.len(), 1, "{bytes:02x?} gave {events:?}");
    assert_eq!((events[0].offset, events[0].len), (0, n));
    assert_eq!(events[0].frame(), Some(&wire));
    let stats = *decoder.stats();
    assert_eq!((stats.frames, stats.errors.total(), stats.bytes_in_frames, stats.lost_frames), (1, 0, n as u64, 0));

    let (len, decoded) = match revision {
        Revision::R0 => stream_decode::<R0_CAPACITY>(dialect(), bytes),
        Revision::R1 => stream_decode::<R1_CAPACITY>(dialect(), bytes),
    };
    assert_eq!(dialect().max_frame_len(), [R0_CAPACITY, R1_CAPACITY][revision.number() as usize]);
    assert_eq!(len, n);
    assert_eq!(decoded.as_deref(), Some(bytes), "the decoded message re-encodes to other bytes");
}

/// Feeds `bytes` in two pieces to a stream decoder of capacity `N` and returns the single
/// event's length and its message re-encoded.
fn stream_decode<const N: usize>(dialect: PowerScope, bytes: &[u8]) -> (usize, Option<Vec<u8>>) {
    let mut decoder: Box<StreamDecoder<PowerScope, N>> = Box::new(StreamDecoder::new(dialect));
    let mut seen = Vec::new();
    let mut on_event = |event: serial_dialects::Event<Message<'_>, Error>| {
        let reencoded = event.frame().map(|m| {
            let mut out = vec![0u8; m.buffer_len()];
            let k = m.emit_verbatim(&mut out).expect("a decoded message re-encodes");
            out.truncate(k);
            out
        });
        seen.push((event.offset, event.len, reencoded));
    };
    let (first, second) = bytes.split_at(bytes.len() / 2);
    decoder.feed(first, &mut on_event);
    decoder.feed(second, &mut on_event);
    decoder.finish_with(&mut on_event);
    assert_eq!(seen.len(), 1, "stream decoder of capacity {N} gave {seen:?}");
    assert_eq!(decoder.stats().bytes_accounted(), bytes.len() as u64);
    let (offset, len, message) = seen.pop().unwrap();
    assert_eq!(offset, 0);
    (len, message)
}

fn check_frame(revision: Revision, header: &HeaderRepr, payload: &[u8]) {
    let expected = if header.frame_type > revision.max_frame_type() {
        Some(EncodeError::OutOfRange { field: "type" })
    } else if header.ver != VERSION {
        Some(EncodeError::OutOfRange { field: "ver" })
    } else if payload.len() > revision.max_payload_len() {
        Some(EncodeError::TooLong { field: "payload", len: payload.len(), max: revision.max_payload_len() })
    } else if payload.len() < revision.min_payload_len() {
        Some(EncodeError::OutOfRange { field: "len" })
    } else {
        None
    };
    let mut buf = [0u8; BUF];
    let n = match (frame::emit(&mut buf, revision, header, payload), expected) {
        (Ok(n), None) => n,
        (Err(error), Some(expected)) => {
            assert_eq!(error, expected, "wrong refusal of {revision:?} {header:?} + {} bytes", payload.len());
            assert_eq!(frame::emit(&mut [], revision, header, payload), Err(expected));
            return;
        }
        (result, expected) => panic!("{revision:?} {header:?} + {payload:02x?}: {result:?}, expected {expected:?}"),
    };
    assert_eq!(n, revision.frame_len(payload.len()));
    assert!(n <= revision.max_frame_len());
    let mut short = [0u8; BUF];
    assert_eq!(
        frame::emit(&mut short[..n - 1], revision, header, payload),
        Err(EncodeError::BufferTooSmall { needed: n, available: n - 1 })
    );
    let bytes = &buf[..n];

    let frame = Frame::new_checked(bytes, revision).unwrap_or_else(|e| panic!("{bytes:02x?}: {e}"));
    assert_eq!(frame.header_repr(), HeaderRepr { len: payload.len() as u16, ..*header });
    assert_eq!(frame.payload(), payload);
    assert_eq!(frame.as_bytes(), bytes);
    assert_eq!(frame.crc(), frame.computed_crc());
    assert_eq!(frame.crc().is_some(), revision == Revision::R1);

    let parsed = Message::from_bytes(bytes, revision);
    let mut decoder = SliceDecoder::new(PowerScope::new(Config { revision }), bytes);
    let events: Vec<_> = decoder.by_ref().collect();
    assert_eq!(events.len(), 1, "{bytes:02x?} gave {events:?}");
    assert_eq!((events[0].offset, events[0].len), (0, n));
    match (&events[0].item, &parsed) {
        (Item::Frame(message), Ok(alone)) => {
            assert_eq!(message, alone);
            assert_eq!(message.revision(), revision);
            let k = message.emit_verbatim(&mut short).unwrap_or_else(|e| panic!("{message:?} does not re-encode: {e}"));
            assert_eq!(&short[..k], bytes, "{message:?} re-encodes to other bytes");
            match message {
                Message::R0Stream(s) => {
                    assert_eq!((s.payload, s.reserved), (payload, header.reserved_r0()));
                    assert_eq!(message.emit(&mut short), Ok(n));
                }
                Message::R0Command(_) => panic!("a {n}-byte frame decoded as a command byte"),
                // The sender's encoder agrees, unless the message is outside the sender's range.
                _ => match (message.emit(&mut short), message.validate()) {
                    (Ok(k), Ok(())) => assert_eq!(&short[..k], bytes),
                    (Err(e), Err(v)) => assert_eq!((e, v), (v, EncodeError::OutOfRange { field: "period_ms" })),
                    (result, valid) => panic!("{message:?}: emit {result:?}, validate {valid:?}"),
                },
            }
        }
        (Item::Error(error), Err(alone)) => {
            assert_eq!(revision, Revision::R1, "a well-formed revision-0 frame was rejected: {error}");
            assert_eq!(error, alone);
            assert!(
                matches!(error.kind(), ErrorKind::BadLength | ErrorKind::UnknownType),
                "a checksum-valid frame rejected as {error:?}"
            );
        }
        (item, alone) => panic!("stream decoder {item:?}, frame-level parse {alone:?}"),
    }
}
