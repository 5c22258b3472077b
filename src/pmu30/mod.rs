//! The `pmu30` dialect: the PMU-30 power distribution module's USB-CDC protocol.
//!
//! `docs/protocols/pmu30.md` has the complete rules: every layout, each point where the
//! original documentation is ambiguous or disagrees with the real implementation and how it
//! is settled, and the session rules. This is the summary.
//!
//! # Wire layout
//!
//! | offset | size | field | notes |
//! |---|---|---|---|
//! | 0 | 1 | START | `0xAA` |
//! | 1 | 2 | LENGTH | payload length, u16 LE (at most [`Config::max_payload`], default 4096) |
//! | 3 | 1 | MSG_ID | [`MsgType`] |
//! | 4 | LENGTH | PAYLOAD | per message type, all fields little-endian |
//! | 4 + LENGTH | 2 | CRC | CRC-16/CCITT-FALSE, LE, over MSG_ID + PAYLOAD ([`CrcCoverage`]) |
//!
//! The smallest frame is 6 bytes (`aa 00 00 01 d1 f1` is PING).
//!
//! | MSG_ID | type | payload |
//! |---|---|---|
//! | 0x01 / 0x02 | PING / PONG | empty |
//! | 0x10 / 0x11 | GET_INFO / INFO_RESP | empty / 52 bytes: `version[3]`, `hw_revision`, `serial[16]`, `name[32]` |
//! | 0x20 | GET_CONFIG | empty |
//! | 0x21 / 0x22 | CONFIG_DATA / SET_CONFIG | chunk_index u16, total_chunks u16, data (≥ 4 bytes) |
//! | 0x23 | CONFIG_ACK | success u8, error_code u16 |
//! | 0x30 / 0x31 | SET_CHANNEL / CHANNEL_ACK | channel_id u16, value f32 / success u8, channel_id u16 |
//! | 0x40 / 0x41 | SUBSCRIBE / UNSUBSCRIBE_TELEMETRY | rate_hz u16 / empty |
//! | 0x42 | TELEMETRY_DATA | 119 bytes ([`TelemetryPacket`]) |
//! | 0xF0 | ERROR | error_code u16, msg_length u8, `message[msg_length]` |
//!
//! # Decisions
//!
//! * The CRC covers MSG_ID + PAYLOAD (the original documentation). The real configurator
//!   covers LENGTH too: [`CrcCoverage::LengthMsgIdPayload`], variant
//!   `pmu30:crc-with-length`, never the default.
//! * Scanning: bytes before a 0xAA are one `garbage` event (split only at
//!   `max_frame_len = max_payload + 6`). A LENGTH over `max_payload` is rejected without
//!   waiting for its payload (`bad_length`); a frame cut off by the end of the input is
//!   `truncated`; a CRC failure is `crc_mismatch` with both CRCs. Every rejection reaches
//!   at most to the next 0xAA after its start, so a stray 0xAA never swallows the frames
//!   behind it.
//! * A CRC-valid frame with a MSG_ID outside the table above is `unknown_type`; a payload
//!   of the wrong size for its type (ERROR: anything but exactly `3 + msg_length`) is
//!   `bad_length`; both cover the whole frame.
//! * Decoding is lenient about value ranges (a SET_CHANNEL for channel 30 or value 150.0,
//!   a SUBSCRIBE at 0 Hz decode as sent); [`Message::validate`] reports them and
//!   [`Message::emit`] refuses them. [`Message::emit_verbatim`] re-encodes any decoded
//!   message to exactly its bytes.
//! * `success` bytes: any non-zero value is success; the raw byte is kept. CHANNEL_ACK is
//!   3 bytes (the real code's 5-byte layout is `bad_length`).
//! * INFO_RESP strings end at the first NUL (or the field's end); the raw arrays are kept.
//! * Telemetry: `temperature` is signed; unknown channel states and fault bits are kept; the
//!   inner `crc` is never checked ([`TelemetryPacket::inner_crc_matches`] tells).
//! * Session rules (1 s timeout, 3 retries, 512-byte chunks, ACK per chunk, 10-packet
//!   window) are in [`session`].
//!
//! # Limits
//!
//! * **Largest frame**: [`Config::max_frame_len`] = `max_payload + 6`, **4102 bytes** under
//!   the default [`Config`] (the real host's 4096-byte payload limit). LENGTH is a u16, so no
//!   configuration allows more than 65 541 bytes (a `max_payload` above 65 535 acts as
//!   65 535). The largest payload of each type: CONFIG_DATA / SET_CONFIG `data`
//!   `max_payload - 4` (4092) bytes, ERROR `message` 255 bytes (`msg_length` is a u8),
//!   TELEMETRY_DATA 119, INFO_RESP 52, the others 6 or fewer.
//! * **Stream buffer**: a [`StreamDecoder`](crate::StreamDecoder)`<Pmu30, N>` with
//!   `N >= max_frame_len()` (`StreamDecoder<Pmu30, 4102>` by default) gives exactly the
//!   slice decoder's events in any chunking. A smaller `N` never stalls and still accounts
//!   for every byte, but a candidate longer than `N` is rejected as `truncated` and the
//!   bytes behind its start marker are scanned again.
//! * **Deciding**: the scanner never needs more than `max_frame_len` bytes to decide about
//!   the first one. A LENGTH over `max_payload` is `bad_length` without waiting for the
//!   frame: the rejection ends at the next 0xAA, or after `max_frame_len` bytes when none
//!   comes. A run of 0xAA bytes is rejected one byte at a time (each is a candidate whose
//!   LENGTH 0xAAAA is too large); bytes without any 0xAA are `garbage` events of at most
//!   `max_frame_len` bytes.
//! * **Internal state**: [`Pmu30`] holds only its [`Config`] (no buffer, no cross-frame
//!   state; `reset` has nothing to do). Of the [`session`] helpers, `ConfigReassembler`
//!   tracks at most 256 chunks in a 32-byte bitmap and writes into the caller's buffer,
//!   and `TelemetryWindow` keeps 10 [`TelemetryPacket`]s in a fixed array.
//!
//! No input makes any function of this module panic, read out of bounds, loop forever or
//! grow without bound (views built with [`Frame::new_unchecked`] are the documented
//! exception, as in smoltcp; the decoders never build one over unchecked bytes).
//!
//! # Examples
//!
//! Encoding a SET_CHANNEL frame into a stack buffer:
//!
//! ```
//! use serial_dialects::pmu30::{Message, SetChannel};
//!
//! let mut buf = [0u8; 16];
//! let msg = Message::SetChannel(SetChannel { channel_id: 5, value: 75.0 });
//! let n = msg.emit(&mut buf)?;
//! assert_eq!(&buf[..n], &[0xAA, 6, 0, 0x30, 5, 0, 0, 0, 0x96, 0x42, 0x89, 0x31]);
//!
//! // Out-of-range values are refused by the encoder.
//! let bad = Message::SetChannel(SetChannel { channel_id: 30, value: 50.0 });
//! assert!(bad.emit(&mut buf).is_err());
//! # Ok::<(), serial_dialects::EncodeError>(())
//! ```
//!
//! Decoding a stream that arrives in chunks, with noise in it:
//!
//! ```
//! use serial_dialects::pmu30::{Message, Pmu30};
//! use serial_dialects::{ErrorKind, StreamDecoder};
//!
//! let bytes = [0x00, 0xAA, 0, 0, 0x01, 0xD1, 0xF1, 0xAA, 0, 0, 0x02, 0xB2, 0xC1];
//! let mut decoder: StreamDecoder<Pmu30, 4102> = StreamDecoder::new(Pmu30::default());
//! let mut seen = Vec::new();
//! for chunk in bytes.chunks(3) {
//!     decoder.feed(chunk, |event| match event.frame() {
//!         Some(msg) => seen.push(msg.msg_type().name()),
//!         None => seen.push(event.error_kind().map_or("?", ErrorKind::as_str)),
//!     });
//! }
//! decoder.finish_with(|_| {});
//! assert_eq!(seen, ["garbage", "PING", "PONG"]);
//! # let _ = Message::Ping {};
//! ```

pub mod conversation;
pub mod device;
mod error;
#[cfg(feature = "std")]
mod fields;
pub mod frame;
mod message;
mod payload;
mod present;
mod rebuild;
mod scan;
pub mod session;
pub mod telemetry;

pub use error::{Error, ExpectedLen, Needed};
pub use frame::{CrcCoverage, DEFAULT_MAX_PAYLOAD, Frame, MIN_FRAME_LEN};
pub use message::{Message, MsgType};
pub use payload::{
    CHANNEL_ID_MAX, CHANNEL_VALUE_MAX, ChannelAck, ConfigAck, ConfigChunk, DeviceError, ERROR_MESSAGE_MAX,
    INFO_RESP_LEN, InfoResp, RATE_HZ_RANGE, SetChannel, SubscribeTelemetry, Success, Version, error_code,
};
pub use scan::{Config, Pmu30};
pub use telemetry::{ChannelState, FaultFlags, TELEMETRY_LEN, TelemetryPacket};
