//! The `plot` dialect: the Serial Monitor / DragoonPlot protocol (seed
//! `003_35e443d554dcb611`).
//!
//! One serial port carries three things: binary **data frames** (int16 samples), binary
//! **label frames** (channel names), and **text lines** (the device's printf output and
//! the `help` command table). There is no checksum.
//!
//! # Wire layout
//!
//! | frame | bytes | field | meaning |
//! |---|---|---|---|
//! | data | 1 | `0xAA` | start byte |
//! | | 1 | COUNT | number of values, 1..=32 (1..=64 in the `plot:64` variant) |
//! | | 2 × COUNT | values | int16, little-endian, value *i* is channel *i* |
//! | label | 1 | `0xAB` | start byte |
//! | | 1 | COUNT | number of entries, same limits as data COUNT |
//! | | 1 | CH_INDEX | per entry: channel, `0..max_channels` |
//! | | 1 | LEN | per entry: name length, 1..=16 |
//! | | LEN | name | per entry: UTF-8 (read lossily if it is not), no terminator |
//! | text | any | … `\n` | every other byte; lines end at `\n`, a `\r` before it is dropped |
//!
//! # Decisions (spec/DIALECTS.md "plot")
//!
//! * COUNT must be `1..=max_channels` for data **and** label frames (`bad_length`), LEN
//!   `1..=16` (`bad_length`), CH_INDEX `< max_channels` (`invalid_field`). A candidate cut
//!   off by the end of the input is `truncated`.
//! * A label frame is framed by its structure alone (COUNT, CH_INDEX, LEN). Its name bytes
//!   are never a reason to reject it: a name that is not valid UTF-8 is decoded lossily,
//!   each maximal invalid sequence becoming one U+FFFD, as the real app reads it with
//!   Python's `bytes.decode('utf-8', errors='replace')` ([`LabelEntry::name`]; the bytes
//!   themselves are kept and re-encode unchanged). Rejecting such a frame would hand its
//!   bytes back to the scanner, where they turn into data frames that were never sent
//!   (`ª` and `ê` end in `0xAA`, and the next entry's CH_INDEX reads as a COUNT).
//!   The encoder truncates a longer name to 16 bytes on a UTF-8 character boundary
//!   ([`truncate_label`]), as the original documentation says.
//! * A rejected candidate is an error event of exactly **one byte**, its start byte;
//!   scanning resumes at the next byte (the COUNT byte is looked at again, as text or as a
//!   new start). A frame cut off by a new start byte cannot be detected without a checksum:
//!   its COUNT decides its length, as the seed allows.
//! * Every byte outside frames and rejected start bytes is text. A `TEXT` event runs from
//!   the start of its piece up to and including its `\n`; `line` is the lossy UTF-8 of the
//!   bytes without the line ending. A frame or rejected start byte inside a line splits
//!   it (the part before is a `TEXT` event without line ending); text at the end of the
//!   input is a `TEXT` event; a piece with no `\n` in its first `max_line` bytes is a
//!   `TEXT` event of exactly `max_line` bytes. So text pieces end only at `\n`, at a start
//!   byte that is not text, at `max_line` or at the end: decoding is chunking-invariant.
//! * `0xAA`/`0xAB` is text only when it is the last byte of a UTF-8 character begun in the
//!   text before it (`C2 AA` = `ª`) and the text since the last line end, frame or rejected
//!   start byte is valid UTF-8 without control characters other than TAB and CR
//!   ([`TextState`]). Otherwise it starts a frame candidate: garbage cannot hide a frame.
//!   Two consequences of the rule: an `0xAA`/`0xAB` *inside* a character (U+AA80 =
//!   `EA AA 80`) starts a candidate, and a single lead byte `C2..=DF` at a line start just
//!   before a frame reads as one character with the start byte (`C8 AA` = `Ȫ`).
//! * Help tables ([`help`]) are parsed from the *logical* lines: all text pieces of a line
//!   concatenated (frames removed), the first [`LINE_CAPACITY`] bytes kept. A logical line
//!   ends at `\n` or at the end of the input (not at a `max_line` cut). When a table ends,
//!   a zero-length `COMMANDS` event follows the `TEXT` event of the line that ended it, or
//!   comes at the input's length when the end of the input ends it. Live, call
//!   [`Plot::help_timeout`] after 2 s without a line.
//! * Display scaling is `(raw + offset) × scale` ([`Scaling`]), as the seed's tips compute.
//!
//! # Limits
//!
//! | what | seed (32 channels) | wide (`plot:64`) |
//! |---|---|---|
//! | largest data frame (`2 + 2 × max_channels`) | 66 bytes | 130 bytes |
//! | largest label frame (`2 + 18 × max_channels`, 16-byte names) | 578 bytes | 1154 bytes |
//! | longest text piece (`max_line`) | 1024 bytes | 1024 bytes |
//! | [`max_frame_len`](crate::Dialect::max_frame_len): the largest of the three | **1024** | **1154** |
//!
//! A [`StreamDecoder`](crate::StreamDecoder) of at least `max_frame_len` bytes gives the
//! events of a [`SliceDecoder`](crate::SliceDecoder) in any chunking. A smaller one never
//! stalls and accounts for every byte, but a frame longer than its buffer is rejected
//! (`truncated`, its start byte) and text is cut where the buffer is full.
//!
//! COUNT and LEN are one byte each, so no header can announce more than 2 + 255 × 18
//! bytes; COUNT above `max_channels`, LEN outside 1..=16 and CH_INDEX `>= max_channels`
//! are rejected at once (one byte), never waited for. A flood of start bytes is one
//! one-byte rejection per byte; text without `\n` is cut into `max_line` pieces.
//!
//! Fixed state of a [`Plot`] (at most 2.5 KiB): the text classification ([`TextState`],
//! 8 bytes), the current logical line ([`LINE_CAPACITY`] = 1024 bytes) and the help table
//! being read ([`CommandList`]: [`COMMAND_TEXT_CAPACITY`] = 1024 bytes of text and
//! [`MAX_COMMANDS`] = 32 rows, about 1.3 KiB). [`HelpWriter::row`] assembles a row in a
//! [`LINE_CAPACITY`]-byte stack buffer.
//!
//! Heap: none without the `alloc` feature. With `alloc` (and so `std`, the default), a
//! [`CommandList`] keeps its rows in one boxed block, allocated when a table's first row
//! is read: a plot event is then 48 bytes instead of 1384, and decoding the data frames
//! that make up nearly all of a plot stream no longer copies a help table's worth of bytes
//! for every event. The rows, limits, JSON and `Debug` output are the same either way.
//!
//! # Contract
//!
//! No input makes any function of this module panic, read out of bounds, loop forever or
//! grow without bound: all storage is fixed-size (see [`Plot`], [`CommandList`]), input
//! is read with `get` and iterators, and lengths come from `u8` fields. (As in smoltcp, the
//! getters and setters of a `new_unchecked` view may panic on a buffer that is too short;
//! the decoders never build one.)
//!
//! # Examples
//!
//! Firmware: encode frames into a stack buffer.
//!
//! ```
//! use serial_dialects::plot;
//!
//! let mut buf = [0u8; 64];
//! let n = plot::emit_data(&[100, 2000, -500], plot::SEED_MAX_CHANNELS, &mut buf).unwrap();
//! assert_eq!(&buf[..n], &[0xAA, 0x03, 0x64, 0x00, 0xD0, 0x07, 0x0C, 0xFE]);
//!
//! let labels = [plot::label(0, "Temp"), plot::label(1, "Humidity")];
//! let n = plot::emit_labels(&labels, plot::SEED_MAX_CHANNELS, &mut buf).unwrap();
//! assert_eq!(&buf[..n], b"\xAB\x02\x00\x04Temp\x01\x08Humidity");
//! ```
//!
//! Host: decode a stream of text, frames and a help table.
//!
//! ```
//! use serial_dialects::plot::{Message, Plot};
//! use serial_dialects::SliceDecoder;
//!
//! let mut input = Vec::new();
//! input.extend_from_slice(b"boot ok\r\nGMU Commands\r\nstart | - | state | Start\r\n");
//! input.extend_from_slice(&[0xAA, 0x02, 0x01, 0x00, 0xFF, 0xFF]); // values 1, -1
//! input.extend_from_slice(b"help | - | sys | Show this help\r\n");
//!
//! let mut lines = Vec::new();
//! let mut values = Vec::new();
//! let mut buttons = Vec::new();
//! for event in SliceDecoder::new(Plot::default(), &input) {
//!     match event.into_frame().unwrap() {
//!         Message::Text(t) => lines.push(t.as_str().unwrap().to_string()),
//!         Message::Data(d) => values.extend(d.values()),
//!         Message::Commands(list) => {
//!             buttons.extend(list.buttons().map(|c| c.button_label().to_string()))
//!         }
//!         Message::Label(_) => {}
//!     }
//! }
//! assert_eq!(lines, ["boot ok", "GMU Commands", "start | - | state | Start", "help | - | sys | Show this help"]);
//! assert_eq!(values, [1, -1]);
//! assert_eq!(buttons, ["Start", "Help"]);
//! ```

mod error;
#[cfg(feature = "std")]
mod fields;
pub mod frame;
pub mod help;
mod message;
mod stream;
pub mod text;

pub use error::{Error, FrameType};
pub use frame::{
    DATA_START, DataFrame, LABEL_START, LabelEntries, LabelEntry, LabelFrame, MAX_LABEL_LEN, SEED_MAX_CHANNELS,
    WIDE_MAX_CHANNELS, emit_data, emit_labels, truncate_label, truncate_label_bytes,
};
pub use help::{
    ButtonLabel, COMMAND_TEXT_CAPACITY, Click, Command, CommandList, HelpParser, HelpWriter, LINE_CAPACITY,
    MAX_COMMANDS, TableEnd, category_display_name, write_help_table,
};
pub use message::{Data, Labels, Message, Scaling, Text, Values, label};
pub use stream::{Config, Plot};
pub use text::TextState;
