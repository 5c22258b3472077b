//! The `powerscope` dialect: the STM32L4 + INA219 USB power monitor, in its two revisions.
//! The full wire rules and every decision are in `docs/protocols/powerscope.md`; this is
//! the summary.
//!
//! * **Revision 0** ([`Revision::R0`], `powerscope:r0`) is the "current status" of the
//!   original documentation: STREAM frames of 1..=512 payload bytes with no checksum, and
//!   raw single-byte commands host → device (`0x01` START, `0x02` STOP, no reply).
//! * **Revision 1** ([`Revision::R1`], `powerscope` = `powerscope:r1`, the default) is the
//!   roadmap of the original documentation as the project shipped it: STREAM / CMD / ACK /
//!   NACK frames of 0..=46 payload bytes with a CRC-16 trailer, nine commands and INA219
//!   samples.
//!
//! The device half of both revisions (commands and NACKs, INA219 streams, the revision-0
//! ramp) is [`device::Model`] (`docs/protocols/powerscope.md`, "Device model").
//!
//! Nothing on the wire tells the revisions apart: a decoder is configured for one
//! ([`Config::r0`], [`Config::r1`], or by name through
//! [`DialectConfig::from_name`](crate::DialectConfig::from_name)).
//!
//! # Wire layout
//!
//! A 16-byte header ([`header`]), all fields little-endian:
//!
//! | offset | size | revision 0 | revision 1 |
//! |---:|---:|---|---|
//! | 0 | 2 | `magic` 0x5AA5 (wire `A5 5A`) | same |
//! | 2 | 1 | `type`: 0 STREAM | 0 STREAM, 1 CMD, 2 ACK, 3 NACK |
//! | 3 | 1 | `ver` 0 | `ver` 0 |
//! | 4 | 2 | `len` (payload bytes) 1..=512 | `len` 0..=46 |
//! | 6 | 2 | reserved u16 | `cmd_id` u8 (0xFF on STREAM), reserved u8 |
//! | 8 | 4 | `seq`: global frame counter | `seq`: per-sensor stream counter; ACK/NACK echo the CMD's |
//! | 12 | 4 | `ts_ms`: ms since boot | same (CMD: host clock, ignored by the device) |
//! | 16 | `len` | payload | payload |
//! | 16+`len` | 2 | (none) | CRC-16/CCITT-FALSE of header and payload, LE |
//!
//! Frames are at most 528 bytes (revision 0) or 64 bytes (revision 1).
//!
//! Revision-1 payloads:
//!
//! | `cmd_id` | command | CMD payload | ACK payload |
//! |---|---|---|---|
//! | 0x01 | START_STREAM | `sensor` u8 | empty |
//! | 0x02 | STOP_STREAM | `sensor` u8 | empty |
//! | 0x03 | SET_PERIOD | `sensor` u8, `period_ms` u16 (5..=10000) | empty |
//! | 0x04 | GET_PERIOD | `sensor` u8 | `period_ms` u32 |
//! | 0x05 | PING | empty | empty |
//! | 0x06 | GET_SENSORS | empty | up to 23 × {`runtime_id` u8, `type_id` u8} |
//! | 0x07 | READ_SENSOR | `sensor` u8 | sensor packet |
//! | 0x08 | GET_UPTIME | empty | `uptime_ms` u32 |
//! | 0x09 | GET_BOARD_UID | empty | 3 × u32 |
//!
//! A STREAM payload is a sensor packet ([`SensorPacket`]): `runtime_id` u8 and the sample;
//! an INA219 sample ([`Ina219Sample`]) is `bus_mV` u16 and `current_uA` i32 (7 bytes in
//! all). A NACK payload is one [`ErrorCode`] byte.
//!
//! # Messages
//!
//! One [`Message`] serves both revisions: [`Message::Stream`], [`Message::Cmd`],
//! [`Message::Ack`] and [`Message::Nack`] are the revision-1 frames; [`Message::R0Stream`]
//! and [`Message::R0Command`] are revision 0's frame and command byte. The payload types
//! are [`SensorPacket`], [`Command`] (with [`CommandId`]), [`Reply`] (with [`SensorList`])
//! and [`ErrorCode`]; the views are [`Frame`] (a whole frame) and [`Header`] (the 16 bytes
//! both revisions share).
//!
//! # Decisions
//!
//! * Scanning hunts for `A5 5A`. A trailing lone `A5` waits for the next byte unless the
//!   input has ended. Bytes before a magic are one `garbage` event (split at the frame
//!   limit), except that in revision 0 every `0x01` / `0x02` byte outside a frame candidate
//!   is a one-byte CMD event (START / STOP).
//! * A header whose `type`, `ver` or `len` is impossible for the revision is rejected as
//!   `unknown_type`, `invalid_field` or `bad_length` (in that order, as soon as the byte is
//!   there). Such a candidate, a revision-1 CRC mismatch (`crc_mismatch`) and a frame cut
//!   off by the end of the input (`truncated`) are rejected from their magic up to the next
//!   magic, the candidate's end, or the frame limit, whichever comes first; a rejection
//!   never ends with the `A5` of a magic. So a false magic never swallows the frame behind
//!   it.
//! * Revision-1 payload sizes are exact for their type and command (STREAM at least 1
//!   byte, NACK exactly 1, CMD and ACK by the table above, GET_SENSORS even): a wrong size
//!   rejects the whole checksum-valid frame as `bad_length`, a CMD or ACK `cmd_id` outside
//!   the table as `unknown_type`.
//! * Decoding is lenient where the range is the sender's: a SET_PERIOD period outside
//!   5..=10000 decodes as received, [`Command::validate`] tells, the encoder refuses it;
//!   [`Message::emit_verbatim`] re-encodes it to exactly the bytes received. Reserved bytes
//!   are kept as received; the constructors set them to 0.
//! * Gaps: a STREAM frame's `gap` is its `seq` minus the previous `seq` of the same stream
//!   (wrapping u32), 0 for the stream's first frame. Revision 0 has one stream; revision 1
//!   one per sensor `runtime_id`, all 256 tracked at once ([`GapTracker`]), so no stream is
//!   ever forgotten. Lost frames grow by `gap - 1` when `1 < gap < 2^31`; a backwards jump
//!   (START_STREAM resets `seq` to 0) is a restart, not a loss.
//! * Physical units: V = mV / 1000, mA = µA / 1000, mW = V × mA. The real host scales the
//!   current 10× too small; this crate does not.
//!
//! # Limits
//!
//! | | revision 0 | revision 1 |
//! |---|---:|---:|
//! | header `len` accepted | 1..=512 | 0..=46 |
//! | largest frame = [`max_frame_len`](crate::Dialect::max_frame_len) | 528 bytes (16 + 512) | 64 bytes (16 + 46 + 2) |
//! | smallest event | 1 byte (a command), frames 17 bytes | 18 bytes (CMD PING) |
//! | longest garbage or rejected run | 528 bytes | 64 bytes |
//!
//! * A [`StreamDecoder`](crate::StreamDecoder) gives exactly the events of the
//!   [`SliceDecoder`](crate::SliceDecoder), in any chunking, with a capacity `N` of at least
//!   `max_frame_len`: 528 bytes for revision 0, 64 for revision 1
//!   (`StreamDecoder<PowerScope, 528>` serves both). A smaller buffer never stalls and still
//!   puts every byte in exactly one event, but a frame longer than the buffer is rejected as
//!   `truncated` at the buffer's size and its remaining bytes are scanned again.
//! * No decision needs more than `max_frame_len` bytes: an impossible `len` (up to 65535) is
//!   rejected at the next magic or at the frame limit, never after waiting for the bytes it
//!   announces.
//! * The scanner keeps no state between calls. The only decoder state is the configuration
//!   and a [`GapTracker`] for all 256 streams (1064 bytes): [`PowerScope`] is 1072 bytes in
//!   all, on 64- and 32-bit targets, with no heap and no buffer of its own. The lost-frame
//!   count saturates at `u64::MAX`.
//!
//! # JSON (`serde` feature)
//!
//! `type` is `STREAM`, `CMD`, `ACK` or `NACK`. Every frame has `ver`, `seq`, `ts_ms`,
//! `payload_len`, and in revision 1 `cmd_id`. STREAM adds `gap`, and `payload_hex`
//! (revision 0) or `runtime_id`, `bus_mv`, `current_ua` (revision 1; `runtime_id` and
//! `sample_hex` for packets that are not INA219 samples). CMD adds `cmd` and its
//! parameters `sensor`, `period_ms`; ACK adds `cmd` and the answer (`period_ms`, `sensors`
//! as `[{"runtime_id", "type_id"}]`, `uptime_ms`, `uid_hex`, or the sample fields); NACK
//! adds `error_code`. A revision-0 command byte is `{"type": "CMD", "fields": {"cmd":
//! "START"}}`.
//!
//! # Contract
//!
//! No input makes any function of this module panic, read out of bounds, loop forever or
//! grow without bound: received bytes are read with `get`, checked lengths and iterators,
//! and all state is fixed-size. The views never panic either: a view made with
//! `new_unchecked` over a buffer too short for it reads missing fields as 0.
//!
//! # Examples
//!
//! Encoding a SET_PERIOD command into a stack buffer:
//!
//! ```
//! use serial_dialects::powerscope::{Cmd, Command, Message, Revision};
//!
//! let cmd = Message::Cmd(Cmd::new(8, 0, Command::SetPeriod { sensor: 1, period_ms: 20 }));
//! let mut buf = [0u8; 64];
//! let n = cmd.emit(&mut buf)?;
//! assert_eq!(n, 21);
//! assert_eq!(&buf[..8], &[0xA5, 0x5A, 1, 0, 3, 0, 0x03, 0]);
//! assert_eq!(Message::from_bytes(&buf[..n], Revision::R1), Ok(cmd));
//!
//! // The firmware refuses periods outside 5..=10000 ms, and so does the encoder.
//! let bad = Message::Cmd(Cmd::new(9, 0, Command::SetPeriod { sensor: 1, period_ms: 4 }));
//! assert!(bad.emit(&mut buf).is_err());
//! # Ok::<(), serial_dialects::EncodeError>(())
//! ```
//!
//! Decoding a revision-1 stream, with a corrupted frame in it:
//!
//! ```
//! use serial_dialects::powerscope::{Ina219Sample, Message, PowerScope, SensorPacket, Stream};
//! use serial_dialects::{ErrorKind, SliceDecoder};
//!
//! let mut wire = [0u8; 3 * 25 + 3];
//! let mut at = 3; // three bytes of line noise first
//! for seq in 0..3 {
//!     let sample = Ina219Sample { runtime_id: 1, bus_mv: 12_012, current_ua: 22_300 + seq as i32 };
//!     let frame = Message::Stream(Stream::new(seq, 59 + 13 * seq, SensorPacket::Ina219(sample)));
//!     at += frame.emit(&mut wire[at..])?;
//! }
//! wire[3 + 25 + 20] ^= 0x40; // flip a bit in the second frame's current
//!
//! let mut decoder = SliceDecoder::new(PowerScope::r1(), &wire);
//! let events: Vec<_> = decoder
//!     .by_ref()
//!     .map(|event| match event.frame() {
//!         Some(Message::Stream(s)) => (event.offset, Ok((s.seq, s.gap))),
//!         _ => (event.offset, Err(event.error_kind())),
//!     })
//!     .collect();
//! assert_eq!(events, [
//!     (0, Err(Some(ErrorKind::Garbage))),
//!     (3, Ok((0, 0))),
//!     (28, Err(Some(ErrorKind::CrcMismatch))),
//!     (53, Ok((2, 2))),
//! ]);
//! assert_eq!(decoder.stats().lost_frames, 1);
//! # Ok::<(), serial_dialects::EncodeError>(())
//! ```
//!
//! Choosing the revision by name, as the command line does:
//!
//! ```
//! use serial_dialects::DialectConfig;
//! use serial_dialects::powerscope::{Config, PowerScope, Revision};
//! use serial_dialects::{Dialect, Message as _, SliceDecoder};
//!
//! let config = Config::from_name("powerscope:r0").unwrap();
//! assert_eq!(config.revision, Revision::R0);
//! // Revision 0: a raw command byte, then a STREAM frame without CRC.
//! let wire = [0x01, 0xA5, 0x5A, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 40, 0, 0, 0, 0x99];
//! let types: Vec<_> =
//!     SliceDecoder::new(PowerScope::new(config), &wire).filter_map(|e| e.into_frame()).map(|m| m.name()).collect();
//! assert_eq!(types, ["CMD", "STREAM"]);
//! ```

pub mod board;
mod command;
pub mod conversation;
pub mod device;
mod error;
#[cfg(feature = "std")]
mod fields;
pub mod frame;
pub mod frame_queue;
pub mod gap;
pub mod header;
pub mod ina219;
pub mod load_profile;
mod message;
mod present;
pub mod r0;
pub mod ramp_stream;
mod rebuild;
mod reply;
mod sample;
mod scan;

pub use command::{Command, CommandId, MAX_SENSORS, PERIOD_MS_MAX, PERIOD_MS_MIN};
pub use error::Error;
pub use frame::{CRC_LEN, Frame};
pub use gap::GapTracker;
pub use header::{CMD_NONE, FrameType, HEADER_LEN, Header, HeaderRepr, MAGIC, Revision};
pub use ina219::{INA219_TYPE_ID, Ina219Sample, SensorPacket};
pub use message::{Ack, Cmd, Message, Nack, Stream};
pub use r0::ShellLine;
pub use reply::{ErrorCode, Reply, SensorInfo, SensorList};
pub use scan::{Config, PowerScope};
