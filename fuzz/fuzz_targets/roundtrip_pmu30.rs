//! An arbitrary typed pmu30 message, under an arbitrary CRC rule and payload limit, through
//! the encoder and back through the frame view and the slice decoder.
//!
//! * The encoder accepts exactly the messages an independent statement of the rules accepts
//!   (sizes always; sender ranges unless `emit_verbatim`), and refuses the others with the
//!   typed error that names the field and its numbers; it never panics.
//! * An accepted message is exactly `buffer_len()` bytes, nothing after them is written, and
//!   a buffer one byte shorter is refused with `BufferTooSmall`.
//! * The bytes are one frame: the checked view, `Message::parse`, `Dialect::decode` and the
//!   slice decoder (one event spanning every byte) all give back the message (`f32` values
//!   compared bit for bit, so out-of-range NaNs sent verbatim count too), and it re-encodes
//!   to the same bytes.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serial_dialects::pmu30::{
    CHANNEL_ID_MAX, CHANNEL_VALUE_MAX, Config, CrcCoverage, DEFAULT_MAX_PAYLOAD, ERROR_MESSAGE_MAX, Frame, Message,
    MsgType, Pmu30, RATE_HZ_RANGE,
};
use serial_dialects::{Dialect, EncodeError, Item, SliceDecoder};

/// Bytes written after the frame's end must keep this value.
const FILL: u8 = 0xEE;
/// Bytes of slack after the frame in the output buffer.
const SLACK: usize = 8;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    message: Message<'a>,
    coverage: CrcCoverage,
    /// `None`: the default limit (4096), the one the real host uses.
    max_payload: Option<u16>,
    /// Encode with `emit_verbatim` (no sender range checks) instead of `emit_with`.
    verbatim: bool,
}

/// Equality as the round-trip proptests see it, with `f32` compared by its bits.
fn same(a: &Message<'_>, b: &Message<'_>) -> bool {
    match (a, b) {
        (Message::SetChannel(x), Message::SetChannel(y)) => {
            x.channel_id == y.channel_id && x.value.to_bits() == y.value.to_bits()
        }
        _ => a == b,
    }
}

/// The payload sizes the wire format (and `max_payload`) allows, stated independently of
/// the encoder: `Err` is the field that is too long, its length and its limit.
fn size_rule(msg: &Message<'_>, max_payload: usize) -> Result<(), (&'static str, usize, usize)> {
    let max = max_payload.min(usize::from(u16::MAX));
    match msg {
        Message::Error(e) if e.message.len() > ERROR_MESSAGE_MAX => Err(("message", e.message.len(), ERROR_MESSAGE_MAX)),
        // `data` is at fault when it overflows the room left after the 4-byte chunk header;
        // a limit below 4 leaves no room even for the header, and the payload is at fault.
        Message::ConfigData(c) | Message::SetConfig(c) if c.data.len() > max.saturating_sub(4) => {
            Err(("data", c.data.len(), max.saturating_sub(4)))
        }
        _ => {
            let len = msg.payload_len();
            if len > max { Err(("PAYLOAD", len, max)) } else { Ok(()) }
        }
    }
}

/// The ranges the original documentation gives for senders: `Err` is the field out of range.
fn range_rule(msg: &Message<'_>) -> Result<(), &'static str> {
    match msg {
        Message::SetChannel(s) if s.channel_id > CHANNEL_ID_MAX => Err("channel_id"),
        Message::SetChannel(s) if !(0.0..=CHANNEL_VALUE_MAX).contains(&s.value) => Err("value"),
        Message::SubscribeTelemetry(s) if !RATE_HZ_RANGE.contains(&s.rate_hz) => Err("rate_hz"),
        _ => Ok(()),
    }
}

fn encode(input: &Input<'_>, config: &Config, out: &mut [u8]) -> Result<usize, EncodeError> {
    if input.verbatim {
        input.message.emit_verbatim(out, config.crc_coverage, config.max_payload)
    } else {
        input.message.emit_with(out, config.crc_coverage, config.max_payload)
    }
}

fuzz_target!(|input: Input<'_>| {
    let msg = &input.message;
    let config = Config {
        max_payload: input.max_payload.map_or(DEFAULT_MAX_PAYLOAD, usize::from),
        crc_coverage: input.coverage,
    };
    let needed = msg.buffer_len();
    assert_eq!(needed, 6 + msg.payload_len(), "{msg:?}");

    let mut out = vec![FILL; needed + SLACK];
    let result = encode(&input, &config, &mut out);

    // The rules, in the encoder's order: sender ranges (emit only), then sizes.
    let expected = match (input.verbatim, range_rule(msg), size_rule(msg, config.max_payload)) {
        (false, Err(field), _) => Err(EncodeError::OutOfRange { field }),
        (_, _, Err((field, len, max))) => Err(EncodeError::TooLong { field, len, max }),
        _ => Ok(needed),
    };
    assert_eq!(result, expected, "{input:?}");
    if !input.verbatim {
        assert_eq!(msg.validate_with(config.max_payload).map(|()| needed), result, "validate disagrees with emit");
    }
    let Ok(n) = result else {
        // Refused: a typed error, and not a byte written.
        assert!(out.iter().all(|&b| b == FILL), "a refused message wrote bytes");
        return;
    };
    assert!(out[n..].iter().all(|&b| b == FILL), "bytes written after the frame");
    let bytes = &out[..n];
    assert_eq!(bytes[0], 0xAA);

    // One byte short: refused, whatever the message.
    let mut short = vec![FILL; n - 1];
    assert_eq!(
        encode(&input, &config, &mut short),
        Err(EncodeError::BufferTooSmall { needed: n, available: n - 1 })
    );

    // The frame view and the typed layer.
    let frame = Frame::new_checked_with(bytes, config.crc_coverage).expect("an emitted frame passes its own checks");
    assert_eq!(frame.frame_len(), n);
    assert_eq!(usize::from(frame.length()), msg.payload_len());
    assert_eq!(frame.msg_id(), msg.msg_type().id());
    assert_eq!(MsgType::from_id(frame.msg_id()), Some(msg.msg_type()));
    let parsed = Message::parse(&frame).expect("an emitted frame parses");
    assert!(same(&parsed, msg), "parse gave {parsed:?} for {msg:?}");
    let decoded = Pmu30::new(config).decode(bytes).expect("an emitted frame decodes");
    assert!(same(&decoded, msg), "decode gave {decoded:?} for {msg:?}");

    // The slice decoder: exactly one frame event spanning every byte.
    let mut decoder = SliceDecoder::new(Pmu30::new(config), bytes);
    let events: Vec<_> = decoder.by_ref().collect();
    assert_eq!(events.len(), 1, "{events:?} for {msg:?}");
    let event = &events[0];
    assert_eq!((event.offset, event.len), (0, n));
    match &event.item {
        Item::Frame(back) => assert!(same(back, msg), "decoded {back:?} for {msg:?}"),
        Item::Error(e) => panic!("{msg:?} encoded to {bytes:02X?}, decoded as an error: {e}"),
    }
    let stats = decoder.stats();
    assert_eq!((stats.frames, stats.errors.total(), stats.bytes_in_frames), (1, 0, n as u64));

    // Re-encoding the decoded message gives the same bytes.
    let mut again = vec![FILL; n];
    assert_eq!(decoded.emit_verbatim(&mut again, config.crc_coverage, config.max_payload), Ok(n));
    assert_eq!(again, bytes);
});
