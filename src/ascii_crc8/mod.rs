//! `ascii-crc8`: the ASCII protocol between a PC and an STM32 light meter (BH1750),
//! framed as `&SRC DST ID LEN DATA CRC*` with a CRC-8.
//!
//! The full rules, every decision on the original documentation's ambiguities, the limits
//! and the host session rules are in `docs/protocols/ascii-crc8.md`; this is the summary.
//!
//! # Wire layout
//!
//! There are no spaces on the wire (the original documentation adds them for reading only).
//!
//! | offset | size | field | content |
//! |---|---|---|---|
//! | 0 | 1 | start | `&` |
//! | 1 | 3 | SRC | `PC_` (host) or `STM` (device); any 3 printable ASCII characters but space (0x21–0x7E) |
//! | 4 | 3 | DST | the other endpoint; the same characters |
//! | 7 | 2 | ID | decimal `00`–`99`; a reply echoes its request's ID |
//! | 9 | 3 | LEN | decimal `000`–`256`: the real length of DATA |
//! | 12 | LEN | DATA | any byte but `&` and `*` (there is no escaping) |
//! | 12+LEN | 2 | CRC | CRC-8/SMBUS of bytes 1..12+LEN, two hex digits (sent uppercase, either case accepted) |
//! | 14+LEN | 1 | end | `*` |
//!
//! The longest frame is 271 bytes. Example (START with ID 01): `&PC_STM010031000F*`.
//!
//! Requests (`PC_` → `STM`) carry a 2-digit command code and parameters: START `10`,
//! STOP `11`, DOWNLOAD `12`, VIEW `13xxzz`, SET_INTERVAL `14xxxx`, GET_INTERVAL `15`,
//! SET_MODE `16x`, GET_MODE `17`, I2C_SCAN `18` ([`Command`]). Replies (`STM` → `PC_`)
//! carry no code: their meaning comes from the request with the same ID ([`Answer`]).
//! The device also sends bare text lines (`ERR_CRC\r\n`, `SYSTEM START\r\n`: [`DeviceLine`]).
//!
//! # Decisions
//!
//! * **Scanning.** At `&` the scanner reads the 11 header characters, LEN data characters,
//!   2 CRC characters and the `*`, in wire order, and the first byte that does not fit
//!   decides: a `&` before the frame's end is `truncated` ([`Error::Interrupted`]); a `*`
//!   before its expected position, anything else at that position, or LEN > 256 is
//!   `bad_length`; an address byte outside 0x21–0x7E ([`Error::InvalidAddress`]), a
//!   non-digit in ID or LEN, or a non-hex CRC character is `invalid_field`; a CRC that does
//!   not match is `crc_mismatch` with both values; the end of the input is `truncated`.
//! * **DATA** may hold any byte but the markers, in the decoder and in the encoder (the
//!   original documentation says printable ASCII; only the markers change the framing).
//! * **Resynchronisation.** A rejected candidate runs from its `&` to the first `*`
//!   (inclusive) if that comes before the next `&`, otherwise up to the next `&`, or to
//!   the end of the input; scanning resumes there. The search is bounded by
//!   [`Config::search_limit`] (1024 bytes by default, the dialect's `max_frame_len`):
//!   beyond it the rejection ends at the bound.
//! * **Outside frames** the bytes before the next `&` are split into lines at `\n`. A
//!   non-empty line of TAB and printable ASCII without `&` and `*`, ended by `\n` or `\r\n`,
//!   is a [`Message::DeviceError`] if it starts with `ERR`, else a [`Message::DeviceText`].
//!   Every other byte is `garbage`, and adjacent garbage forms one event, split at the
//!   search limit (a line longer than the limit is garbage to its end).
//! * **Requests.** Parameters are read as the device reads them: VIEW and SET_MODE take
//!   fixed-width digits right after the code (extra characters ignored); SET_INTERVAL takes
//!   all consecutive digits after the code and needs at least 4. A parameter that cannot be
//!   read is `None`. Ranges are checked by [`Command::validate`] and the encoder, never by
//!   the decoder. Parameterless commands decode from `10` and `100` and encode as `100`, as
//!   in the original documentation's examples. A frame from `PC_` that is not a known
//!   command, and any frame from a SRC other than `PC_`/`STM`, is a [`Message::Frame`].
//! * **Replies** are read against the latest earlier request with the same ID in the same
//!   stream (one slot of dialect state per ID; only requests with a known command fill
//!   it). Status codes `00`–`04` are [`Status`]; DOWNLOAD answers 4 digits of lux; VIEW
//!   answers `oo` (the frame's start offset mod 100) + 1–63 four-digit values, or a
//!   2-digit status; GET_INTERVAL 4 digits; GET_MODE 1 digit; I2C_SCAN always 2 hex digits
//!   (an address, `00` when nothing answered). DATA in another form has no answer.
//! * **Encoding** writes the CRC in uppercase and refuses an ID above 99, DATA above 256
//!   bytes, an address byte outside 0x21–0x7E or a `&` or `*` in SRC or DST
//!   ([`Address::is_valid`]), and `&` or `*` in DATA. Decoded messages re-encode to exactly
//!   the bytes they came from (the received CRC letter case is kept); [`Message::emit`]
//!   also refuses a message the decoder would read back differently
//!   ([`Message::validate`]).
//!
//! # Limits
//!
//! * **Frames** are at most [`MAX_FRAME_LEN`] = 271 bytes (LEN ≤ [`MAX_DATA_LEN`] = 256).
//!   A LEN of `257`–`999` is `bad_length` as soon as the header has been read.
//! * **Device text lines** are at most [`Config::search_limit`] bytes with their ending
//!   (default [`MAX_LINE_LEN`] = 1024); a longer line is garbage.
//! * **Stream buffer**: `max_frame_len()` is the search limit, raised to at least 272 (a
//!   whole frame and the byte after it): **1024** by default. A
//!   `StreamDecoder<AsciiCrc8, N>` with `N ≥ max_frame_len()` gives exactly the events of
//!   a `SliceDecoder`, in any chunking. A smaller `N` never stalls and still accounts for
//!   every byte, but a frame or line that does not fit in `N` bytes is rejected (as
//!   `truncated`, or `garbage`) in pieces of at most `N` bytes.
//! * **Events** are at most `max_frame_len()` bytes: garbage is split at the search limit,
//!   and a rejected candidate ends at the first `*` or `&` after it or at the limit. A run
//!   of `&` is one 1-byte `truncated` event per `&`.
//! * **Internal state** is fixed and allocation-free: the [`Config`] (one `usize`), one
//!   `Option<CommandCode>` byte per ID ([`ID_SLOTS`] = 100 bytes, the latest request per
//!   ID) and one flag (inside a line cut at the limit): `size_of::<AsciiCrc8>()` is 112
//!   bytes on a 64-bit target, 108 on a 32-bit one. Encoders build DATA in a 256-byte stack
//!   buffer.
//!
//! # Contract
//!
//! No input makes any function of this module panic, read out of bounds, loop forever or
//! grow without bound. (Views built with [`Frame::new_unchecked`] are the documented
//! exception, as in smoltcp: their getters may panic on a buffer that is too short.)
//!
//! # Examples
//!
//! Encode a request into a stack buffer:
//!
//! ```
//! use serial_dialects::ascii_crc8::{Command, encode_request};
//!
//! let mut buf = [0u8; 32];
//! let n = encode_request(&mut buf, 4, &Command::View { offset: Some(0), count: Some(2) })?;
//! assert_eq!(&buf[..n], b"&PC_STM0400613000202*");
//! # Ok::<(), serial_dialects::EncodeError>(())
//! ```
//!
//! Decode a stream: a request, its reply (matched by ID), a device error line and noise:
//!
//! ```
//! use serial_dialects::ascii_crc8::{Answer, AsciiCrc8, Message};
//! use serial_dialects::{ErrorKind, Message as _, SliceDecoder};
//!
//! let input = b"&PC_STM040031208F*&STMPC_040042600C4*ERR_CRC\r\n\x00\x01";
//! let mut events = SliceDecoder::new(AsciiCrc8::default(), input);
//! assert_eq!(events.next().unwrap().frame().unwrap().name(), "DOWNLOAD");
//! match events.next().unwrap().into_frame() {
//!     Some(Message::Reply(reply)) => assert_eq!(reply.answer, Some(Answer::Lux(2600))),
//!     other => panic!("{other:?}"),
//! }
//! assert_eq!(events.next().unwrap().frame().unwrap().name(), "DEVICE_ERROR");
//! assert_eq!(events.next().unwrap().error_kind(), Some(ErrorKind::Garbage));
//! assert!(events.next().is_none());
//! ```

mod address;
mod command;
pub mod conversation;
pub mod device;
mod digits;
mod error;
#[cfg(feature = "std")]
mod fields;
mod frame;
mod line;
mod message;
mod present;
mod rebuild;
mod reply;
mod scan;
mod session;

pub use address::Address;
pub use command::{Command, CommandCode, INTERVAL_MS, MODE, VIEW_COUNT, VIEW_MAX_OFFSET, encode_request};
pub use error::{Error, Field};
pub use frame::{END, Frame, FrameRepr, ID_COUNT, MAX_DATA_LEN, MAX_FRAME_LEN, OVERHEAD, START, emit_frame, field};
pub use line::{DeviceLine, MAX_LINE_LEN, encode_line};
pub use message::{Message, Request};
pub use rebuild::Context;
pub use reply::{
    Answer, LuxValues, MAX_LUX, Reply, Status, VIEW_VALUES_PER_FRAME, ViewFrame, encode_address_reply,
    encode_interval_reply, encode_lux_reply, encode_mode_reply, encode_status_reply, encode_view_frame, view_frames,
};
pub use scan::{AsciiCrc8, Config, ID_SLOTS};
pub use session::{
    IdCounter, MIN_REPLY_TIMEOUT_MS, Pending, REPLY_TIMEOUT_MS, ReplyMatch, RequestTracker, ViewAssembler, ViewError,
    ViewProgress,
};
