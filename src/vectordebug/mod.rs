//! `vectordebug`: batched motor-controller debug records and CLI bytes over USB CDC
//! (VectorDebug / QVectorDebug "V2" protocol).
//!
//! The full rules, every decision and the limits are in `docs/protocols/vectordebug.md`;
//! this is their summary.
//!
//! The device half, the bridge with an ESC behind it (FOC records in DBG_FRAME1 batches, the
//! ESC's command line over CLI packets), is [`device::Model`] (`docs/protocols/vectordebug.md`,
//! "Device model"); its batching is [`batch`].
//!
//! # Wire layout
//!
//! On the wire every packet is `COBS(packet) 0x00` (standard COBS, blocks of at most 254
//! data bytes; a final 254-byte zero-free run ends with its `0xFF` block and no extra `01`
//! block). The decoded packet ([`Packet`], byte ranges in [`field`]):
//!
//! | offset | size | field | notes |
//! |---|---|---|---|
//! | 0 | 1 | `type` | 2 = CLI, 3 = DBG_FRAME1; 0 and 1 reserved; any other value is `UNKNOWN` |
//! | 1 | 4 | `len` | u32 LE, payload bytes; must equal decoded size − 7 |
//! | 5 | `len` | payload | CLI: raw terminal bytes (may hold 0x00); DBG_FRAME1: records |
//! | 5+`len` | 2 | CRC | CRC-16/CCITT-FALSE over bytes `[0, 5+len)`, little-endian |
//!
//! A DBG_FRAME1 record ([`Record`]) is 14 bytes: `seq u16 LE, payload [i16 LE; 6]`. There
//! is no count field: a packet holds `len / 14` records, and the `len % 14` bytes after
//! them are accepted and kept ([`Records::trailing`]), never invented.
//!
//! # The types
//!
//! * [`Message`]: the dialect's message, what the stream decoder yields: one validated
//!   packet as it lies on the wire, a zero-copy view of its COBS bytes that decodes the
//!   payload on the fly ([`Message::records`], [`Message::payload_bytes`]).
//! * [`Payload`]: what a packet carries, typed (records, CLI bytes, or another type's
//!   bytes): the encoder's input ([`Payload::emit`]), and the typed reading of a decoded
//!   packet ([`Packet::typed_payload`], [`Payload::decode_wire`]).
//! * [`Packet`]: the zero-copy view of a decoded packet (smoltcp style), and
//!   [`PacketBuilder`], which builds one in place record by record (a bridge).
//! * [`VectorDebug`] (with its [`Config`]): the scanner, decoder and encoder of a stream.
//!
//! # Decisions
//!
//! * [`Config::max_packet`] (decoded size, default 16384, the real PC tool's receive
//!   buffer) bounds everything; `max_frame_len = cobs::max_encoded_len(max_packet) + 1`
//!   (16450).
//! * Chunks are delimited by 0x00. A packet event spans its COBS bytes and the 0x00 that
//!   ends it. A run of 0x00 bytes with nothing between them (also at the very start of the
//!   stream) is **one** `empty_chunk` event for the whole run. Bytes after the last 0x00 at
//!   the end of the input are one `truncated` event. A chunk with no 0x00 within
//!   `max_frame_len` bytes is rejected `bad_length` ([`Error::NoDelimiter`]) at exactly
//!   `max_frame_len` bytes, and scanning continues (bounded memory).
//! * A chunk is checked, in this order: strict COBS ([`Error::Cobs`]); decoded size ≥ 7
//!   ([`Error::TooShort`]: the real tool crashes on a chunk that decodes to 1 byte);
//!   decoded size ≤ `max_packet` ([`Error::TooLong`]); CRC over all decoded bytes but the
//!   last two, compared with those two read little-endian ([`Error::CrcMismatch`]); `len`
//!   equal to decoded size − 7 ([`Error::LenMismatch`]: the real tool trusts `len` and
//!   reads stale memory, this crate never does). No decode buffer is needed: the blocks
//!   are walked ([`cobs::walk`](crate::cobs::walk)), the CRC fed block by block, and the
//!   header, the CRC bytes and every record's `seq` picked up on the way; the typed decode
//!   of a frame the scanner reported reads nothing again.
//! * Recovery: a packet can hide behind garbage that has no 0x00 of its own. When a chunk
//!   `c = buf[0..z]` fails, the smallest `q` in `1..z` such that `buf[q..z]` is a valid
//!   packet is found; `buf[0..q]` is the error event (with the kind of the chunk's own
//!   failure) and the packet `buf[q..=z]` is recovered as the next event, at offset `q`.
//!   With no such `q`, `buf[0..=z]` is rejected whole. The work is bounded: only positions
//!   whose chain of code bytes lands on the chunk's end are candidates (marked in one pass,
//!   in a 2 KiB bitset on the stack), those whose `len` does not fit their size are
//!   skipped, and at most 8 get a full check. Chunks longer than the bitset (only with
//!   `max_packet` above 16384) are searched in their last 16 512 bytes.
//! * Unknown types with a valid CRC are packets (JSON type `UNKNOWN`), not errors.
//! * Lost frames: `seq` counts modulo 65536 across packets; after each record,
//!   `lost += (seq - (prev + 1)) mod 65536` ([`SeqTracker`]). Each packet reports its
//!   [`SeqSpan`]; the total is [`Dialect::lost_frames`](crate::Dialect::lost_frames).
//! * JSON (`serde` feature): exactly the contract's keys: `DBG_FRAME1` with `frames`
//!   (`{"seq", "payload": [6]}`); `CLI` with `data_hex` and `text` (lossy UTF-8, computed
//!   without allocation); `UNKNOWN` with `packet_type`. Trailing bytes of a DBG_FRAME1 and
//!   the payload of an unknown type are in the typed API only.
//! * The encoder refuses what would not read back as the same packet: an unknown type of 2
//!   or 3, trailing bytes of 14 or more, a payload the 32-bit `len` cannot describe.
//!
//! # Limits
//!
//! | what | default configuration | in general |
//! |---|---|---|
//! | largest decoded packet | 16384 bytes | [`Config::max_packet`] |
//! | largest payload | 16377 bytes (1169 records + 11 trailing bytes) | `max_packet − 7` |
//! | largest wire frame ([`max_frame_len`](crate::Dialect::max_frame_len)) | 16450 bytes | [`Config::max_frame_len`] = `max_packet + max_packet / 254 + 2` |
//! | `StreamDecoder<VectorDebug, N>` capacity | `N ≥ 16450` | `N ≥ max_frame_len` |
//! | encoder buffer | [`Payload::buffer_len`] (16450 for the largest packet) | `payload + 7 + (payload + 7) / 254 + 2` |
//!
//! * The largest wire frame is reached: a 16384-byte packet whose only zeros are the two
//!   high bytes of `len` encodes to exactly 16450 bytes. A `StreamDecoder` with `N ≥
//!   max_frame_len` gives the same events as [`SliceDecoder`](crate::SliceDecoder) in any
//!   chunking; with a smaller `N` it never stalls and accounts for every byte, but a frame
//!   longer than `N` is lost: rejected in `truncated` pieces of `N` bytes, its last piece as
//!   whatever it looks like alone (usually `cobs_error`).
//! * The encoder has no limit of its own but the 32-bit `len` field (`payload ≤ 2³² − 8`,
//!   else `EncodeError::TooLong`): it writes packets larger than a decoder's `max_packet`,
//!   which that decoder then rejects `bad_length`.
//! * No event is longer than `max_frame_len`: a run of 0x00 or of bytes without a 0x00 is
//!   cut into events of at most `max_frame_len` bytes, so decoding 100 000 delimiters, or
//!   100 000 bytes with none, takes bounded memory and a handful of events.
//! * Fixed internal state: [`VectorDebug`] is its [`Config`] (one `usize`) and a
//!   [`SeqTracker`] (`Option<u16>` and a `u64`), plus what the scanner leaves for itself:
//!   a `u32` (how far a pending candidate was searched for its delimiter) and what it
//!   learned about the frame it has just reported (where it lies, its header fields, its
//!   first and last `seq` and the frames lost between them): at most 88 bytes.
//!   Validation and recovery use the stack only: a 2064-byte bitset (`[u64; 258]`, one
//!   bit per byte of a default-size chunk) plus a few words, and at most 8 full candidate
//!   checks per rejected chunk. [`PacketBuilder`] needs `payload + 7` bytes of the
//!   caller's buffer; nothing allocates.
//!
//! # Contract
//!
//! No input makes any function of this module panic, read out of bounds, loop forever or
//! grow without bound. (The one documented exception is the accessors of a view built
//! with [`Packet::new_unchecked`] over too few bytes, exactly as in smoltcp.)
//!
//! # Examples
//!
//! Encode a packet of records into a stack buffer:
//!
//! ```
//! use serial_dialects::vectordebug::{Payload, Record, Records};
//!
//! let records = [
//!     Record { seq: 41, payload: [-1046, 1048, 21, 1182, 0, 0] },
//!     Record { seq: 42, payload: [-1060, 1007, 11, 1183, 492, -7] },
//! ];
//! let payload = Payload::DbgFrame1 { records: Records::new(&records) };
//! let mut out = [0u8; 64];
//! let n = payload.emit(&mut out)?;
//! assert_eq!(out[n - 1], 0x00); // delimiter
//! assert!(n <= payload.buffer_len());
//! # Ok::<(), serial_dialects::EncodeError>(())
//! ```
//!
//! Decode a stream that arrives in pieces, with garbage and a CLI packet in it:
//!
//! ```
//! use serial_dialects::vectordebug::{PacketType, Payload, Record, Records, VectorDebug};
//! use serial_dialects::{Dialect, ErrorKind, StreamDecoder};
//!
//! let mut wire = [0u8; 128];
//! let mut n = 0;
//! wire[n..n + 3].copy_from_slice(&[0x55, 0xAA, 0x13]); // line noise, no delimiter
//! n += 3;
//! let recs = [Record { seq: 1, payload: [1, 2, 3, 4, 5, 6] }, Record { seq: 3, payload: [0; 6] }];
//! n += Payload::DbgFrame1 { records: Records::new(&recs) }.emit(&mut wire[n..])?;
//! n += Payload::Cli { data: b"ok\r\n" }.emit(&mut wire[n..])?;
//!
//! let mut decoder: StreamDecoder<VectorDebug, 1024> = StreamDecoder::new(VectorDebug::default());
//! let (mut packets, mut errors) = (0, 0);
//! for piece in wire[..n].chunks(5) {
//!     decoder.feed(piece, |event| match event.frame() {
//!         Some(m) if m.packet_type() == PacketType::DbgFrame1 => {
//!             assert_eq!(m.records().map(|r| r.seq).collect::<Vec<_>>(), [1, 3]);
//!             packets += 1;
//!         }
//!         Some(m) => {
//!             assert_eq!(m.payload_bytes().collect::<Vec<_>>(), b"ok\r\n");
//!             packets += 1;
//!         }
//!         None => {
//!             assert_eq!(event.error_kind(), Some(ErrorKind::CobsError));
//!             errors += 1;
//!         }
//!     });
//! }
//! decoder.finish_with(|_| unreachable!("nothing pending"));
//! assert_eq!((packets, errors), (2, 1));
//! assert_eq!(decoder.dialect().lost_frames(), 1); // seq 2 is missing
//! # Ok::<(), serial_dialects::EncodeError>(())
//! ```

pub mod batch;
mod builder;
pub mod conversation;
pub mod device;
mod error;
pub mod esc_cli;
#[cfg(feature = "std")]
mod fields;
pub mod foc;
mod frame;
mod message;
mod payload;
mod present;
mod rebuild;
mod record;
mod scan;
mod seq;
mod validate;

pub use builder::PacketBuilder;
pub use error::Error;
pub use frame::{Packet, PacketType, field};
pub use message::{Message, PayloadBytes, WireRecords};
pub use payload::Payload;
pub use rebuild::Context;
pub use record::{Record, RecordIter, Records};
pub use scan::{Config, VectorDebug};
pub use seq::{SeqSpan, SeqTracker};
