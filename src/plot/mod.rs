//! The `plot` dialect: the Serial Monitor / DragoonPlot protocol.
//!
//! One serial port carries three things: binary **data frames** (int16 samples), binary
//! **label frames** (channel names), and **text lines** (the device's printf output and
//! the `help` command table). There is no checksum. The full rules, with every decision
//! and the reasons for it, are in `docs/protocols/plot.md`; this is a summary.
//!
//! The device half, a simulated DragoonPlot device (DATA, LABEL, the help table and its
//! commands), is [`device::Model`] (`docs/protocols/plot.md`, "Device model").
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
//! [`Frame`] is the zero-copy view of either binary frame (the start byte tells which);
//! [`Message`] is the typed form of every event: `Data`, `Label`, `Text`, `Commands`.
//!
//! # Decisions
//!
//! * COUNT must be `1..=max_channels` for data **and** label frames (`bad_length`), LEN
//!   `1..=16` (`bad_length`), CH_INDEX `< max_channels` (`invalid_field`). A candidate cut
//!   off by the end of the input is `truncated`.
//! * A label frame is framed by its structure alone (COUNT, CH_INDEX, LEN): a name that is
//!   not valid UTF-8 is decoded lossily, each maximal invalid sequence becoming one U+FFFD,
//!   as the real app reads it ([`LabelEntry::name`]; the bytes are kept and re-encode
//!   unchanged). The encoder truncates a longer name to 16 bytes on a UTF-8 character
//!   boundary ([`truncate_label`]), as the original documentation says.
//! * A rejected candidate is an error event of exactly **one byte**, its start byte;
//!   scanning resumes at the next byte. A frame cut off by a new start byte cannot be
//!   detected without a checksum: its COUNT decides its length.
//! * Every byte outside frames and rejected start bytes is text. A `TEXT` event runs up to
//!   and including its `\n`, or ends before a frame or rejected start byte, at the end of
//!   the input, or after exactly `max_line` bytes: decoding is chunking-invariant.
//! * `0xAA`/`0xAB` is text only when it is the last byte of a UTF-8 character begun in the
//!   text before it (`C2 AA` = `ª`) and the text since the last line end, frame or rejected
//!   start byte is valid UTF-8 without control characters other than TAB and CR
//!   ([`TextState`]). Otherwise it starts a frame candidate: garbage cannot hide a frame.
//! * Help tables ([`help`]) are parsed from the *logical* lines (all text pieces of a line,
//!   frames removed). When a table ends, a zero-length `COMMANDS` event follows the `TEXT`
//!   event of the line that ended it, or comes at the input's length when the end of the
//!   input ends it. Live, call [`Plot::help_timeout`] after 2 s without a line.
//!   [`HelpWriter`] prints a table the parser reads back exactly.
//! * Display scaling is `(raw + offset) × scale` ([`Scaling`]), as the original
//!   documentation computes it.
//!
//! # Limits
//!
//! | what | documented (`plot`, 32 channels) | wide (`plot:64`) |
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
//! is read, so that a plot event is 48 bytes instead of 1384. The rows, limits, JSON and
//! `Debug` output are the same either way.
//!
//! # Contract
//!
//! No input makes any function of this module panic, read out of bounds, loop forever or
//! grow without bound: all storage is fixed-size (see [`Plot`], [`CommandList`]), input
//! is read with `get` and iterators, and lengths come from `u8` fields. (As in smoltcp, the
//! getters and setters of a [`Frame::new_unchecked`] view may panic on a buffer that is too
//! short; the decoders never build one.)
//!
//! # Examples
//!
//! Firmware: encode frames into a stack buffer.
//!
//! ```
//! use serial_dialects::plot;
//!
//! let mut buf = [0u8; 64];
//! let n = plot::emit_data(&[100, 2000, -500], plot::DOCUMENTED_MAX_CHANNELS, &mut buf).unwrap();
//! assert_eq!(&buf[..n], &[0xAA, 0x03, 0x64, 0x00, 0xD0, 0x07, 0x0C, 0xFE]);
//!
//! let labels = [plot::label(0, "Temp"), plot::label(1, "Humidity")];
//! let n = plot::emit_labels(&labels, plot::DOCUMENTED_MAX_CHANNELS, &mut buf).unwrap();
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

pub mod console;
pub mod conversation;
pub mod device;
mod error;
#[cfg(feature = "std")]
mod fields;
pub mod frame;
pub mod help;
pub mod help_writer;
mod message;
mod present;
mod rebuild;
mod scan;
pub mod text_state;

pub use error::{Error, FrameType};
pub use frame::{
    DATA_START, DOCUMENTED_MAX_CHANNELS, Frame, LABEL_START, LabelEntries, LabelEntry, MAX_LABEL_LEN,
    WIDE_MAX_CHANNELS, emit_data, emit_labels, label, truncate_label, truncate_label_bytes,
};
pub use help::{
    ButtonLabel, COMMAND_TEXT_CAPACITY, Click, Command, CommandList, HelpParser, LINE_CAPACITY, MAX_COMMANDS, TableEnd,
    category_display_name,
};
pub use help_writer::{HelpWriter, write_help_table};
pub use message::{Data, Labels, Message, Scaling, Text, Values};
pub use rebuild::Context;
pub use scan::{Config, Plot};
pub use text_state::TextState;
