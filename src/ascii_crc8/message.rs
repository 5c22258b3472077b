//! The one typed message of the dialect: requests, replies, other frames and device text
//! lines (`docs/protocols/ascii-crc8.md`, section 2), with their JSON shape (section 3).

use super::address::Address;
use super::command::{Command, CommandCode};
use super::frame::{Frame, FrameRepr};
use super::line::DeviceLine;
use super::reply::{Answer, Reply};
use crate::error::EncodeError;

/// A request frame from `PC_` with a known command code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Request<'a> {
    /// The frame's fields (DATA as received, so `10` and `100` re-encode as they came).
    pub frame: FrameRepr<'a>,
    /// The command and its parameters, read as the device reads them.
    pub command: Command,
}

/// One decoded event of an ascii-crc8 stream.
///
/// Frames borrow DATA from the input; every message re-encodes with
/// [`emit`](Message::emit) to exactly the bytes it was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Message<'a> {
    /// A frame from `PC_` whose DATA starts with a known command code.
    Request(Request<'a>),
    /// A frame from `STM`.
    Reply(Reply<'a>),
    /// Any other valid frame: another SRC, or `PC_` with DATA that is not a known command.
    Frame(FrameRepr<'a>),
    /// A bare text line starting with `ERR` (`ERR`, `ERR_CRC`, `ERR_LENGTH`, `ERR: …`).
    DeviceError(DeviceLine<'a>),
    /// Any other bare text line (the boot banner `SYSTEM START`).
    DeviceText(DeviceLine<'a>),
}

impl<'a> Message<'a> {
    /// Classifies a checked frame. `request_for(id)` gives the command of the latest
    /// earlier request with that ID (used for replies).
    pub fn parse(frame: &Frame<&'a [u8]>, request_for: impl FnOnce(u8) -> Option<CommandCode>) -> Message<'a> {
        let repr = FrameRepr::parse(frame);
        if repr.src == Address::PC {
            match Command::parse(repr.data) {
                Some(command) => Message::Request(Request { frame: repr, command }),
                None => Message::Frame(repr),
            }
        } else if repr.src == Address::STM {
            Message::Reply(Reply::parse(repr, request_for(repr.id)))
        } else {
            Message::Frame(repr)
        }
    }

    /// Classifies a device text line (with its ending); `None` if `raw` is not one.
    pub fn parse_line(raw: &'a [u8]) -> Option<Message<'a>> {
        let line = DeviceLine::new(raw)?;
        Some(if line.is_error() { Message::DeviceError(line) } else { Message::DeviceText(line) })
    }

    /// The frame's fields, for frames.
    pub fn frame(&self) -> Option<&FrameRepr<'a>> {
        match self {
            Message::Request(r) => Some(&r.frame),
            Message::Reply(r) => Some(&r.frame),
            Message::Frame(f) => Some(f),
            Message::DeviceError(_) | Message::DeviceText(_) => None,
        }
    }

    /// Bytes [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        match self {
            Message::DeviceError(l) | Message::DeviceText(l) => l.as_bytes().len(),
            _ => self.frame().map_or(0, FrameRepr::buffer_len),
        }
    }

    /// Checks that the message is one the decoder can produce, so that decoding what
    /// [`emit`](Self::emit) writes gives back this message:
    ///
    /// * the frame's fields fit the wire ([`FrameRepr::validate`]: ID ≤ 99, DATA ≤ 256
    ///   bytes, no `&` or `*`);
    /// * a `Request` comes from `PC_` and its command is what its DATA reads as
    ///   ([`Command::parse`]), else `OutOfRange` `SRC` / `command`;
    /// * a `Reply` comes from `STM` and its answer is its DATA read against its request
    ///   ([`Answer::parse`]), else `OutOfRange` `SRC` / `answer`;
    /// * a `Frame` is neither: not from `STM`, and from `PC_` only with DATA that is not
    ///   a command, else `OutOfRange` `SRC` / `DATA`;
    /// * a text line is a `DeviceError` exactly when it starts with `ERR`, else
    ///   `OutOfRange` `text`.
    ///
    /// The CRC fields are not checked: the encoder computes the CRC
    /// ([`FrameRepr::emit`]). A text line is written as it is; one longer than the search
    /// limit of the decoder (1024 bytes by default) reads back as garbage.
    pub fn validate(&self) -> Result<(), EncodeError> {
        let check = |field, ok: bool| if ok { Ok(()) } else { Err(EncodeError::OutOfRange { field }) };
        match self {
            Message::Request(r) => {
                r.frame.validate()?;
                check("SRC", r.frame.src == Address::PC)?;
                check("command", Command::parse(r.frame.data) == Some(r.command))
            }
            Message::Reply(r) => {
                r.frame.validate()?;
                check("SRC", r.frame.src == Address::STM)?;
                check("answer", r.answer == r.request.and_then(|code| Answer::parse(code, r.frame.data)))
            }
            Message::Frame(f) => {
                f.validate()?;
                check("SRC", f.src != Address::STM)?;
                check("DATA", f.src != Address::PC || Command::parse(f.data).is_none())
            }
            Message::DeviceError(l) => check("text", l.is_error()),
            Message::DeviceText(l) => check("text", !l.is_error()),
        }
    }

    /// Writes the message's wire bytes (the whole frame, or the text line with its
    /// ending) and returns their length. Refuses what [`validate`](Self::validate)
    /// refuses, then a buffer shorter than [`buffer_len`](Self::buffer_len) with
    /// [`EncodeError::BufferTooSmall`].
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        self.validate()?;
        match self {
            Message::Request(r) => r.frame.emit(out),
            Message::Reply(r) => r.frame.emit(out),
            Message::Frame(f) => f.emit(out),
            Message::DeviceError(l) | Message::DeviceText(l) => l.emit(out),
        }
    }
}

impl crate::dialect::Message for Message<'_> {
    /// The JSON `type`: the command name, `REPLY`, `FRAME`, `DEVICE_ERROR` or `DEVICE_TEXT`.
    fn name(&self) -> &'static str {
        match self {
            Message::Request(r) => r.command.code().name(),
            Message::Reply(_) => "REPLY",
            Message::Frame(_) => "FRAME",
            Message::DeviceError(_) => "DEVICE_ERROR",
            Message::DeviceText(_) => "DEVICE_TEXT",
        }
    }
}

#[cfg(feature = "serde")]
mod ser {
    use serde::Serialize;
    use serde::ser::{SerializeMap, Serializer};

    use super::super::command::Command;
    use super::super::frame::FrameRepr;
    use super::super::reply::Answer;
    use super::Message;

    struct Text<'b>(&'b [u8]);

    impl Serialize for Text<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            crate::fmt::serde_bytes::lossy(self.0, s)
        }
    }

    fn frame_fields<M: SerializeMap>(map: &mut M, f: &FrameRepr<'_>) -> Result<(), M::Error> {
        map.serialize_entry("src", &f.src)?;
        map.serialize_entry("dst", &f.dst)?;
        map.serialize_entry("id", &f.id)?;
        map.serialize_entry("data", &Text(f.data))?;
        map.serialize_entry("crc", &f.crc)
    }

    struct Fields<'m, 'a>(&'m Message<'a>);

    impl Serialize for Fields<'_, '_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(None)?;
            match self.0 {
                Message::Request(r) => {
                    frame_fields(&mut map, &r.frame)?;
                    match r.command {
                        Command::View { offset, count } => {
                            if let Some(o) = offset {
                                map.serialize_entry("offset", &o)?;
                            }
                            if let Some(c) = count {
                                map.serialize_entry("count", &c)?;
                            }
                        }
                        Command::SetInterval { interval_ms: Some(v) } => map.serialize_entry("interval_ms", &v)?,
                        Command::SetMode { mode: Some(m) } => map.serialize_entry("mode", &m)?,
                        _ => {}
                    }
                }
                Message::Reply(r) => {
                    frame_fields(&mut map, &r.frame)?;
                    if let Some(req) = r.request {
                        map.serialize_entry("request", &req)?;
                    }
                    match r.answer {
                        Some(Answer::Status(st)) => map.serialize_entry("status", &st)?,
                        Some(Answer::Lux(v)) => map.serialize_entry("lux", &v)?,
                        Some(Answer::View { offset, values }) => {
                            map.serialize_entry("offset", &offset)?;
                            map.serialize_entry("values", &values)?;
                        }
                        Some(Answer::IntervalMs(v)) => map.serialize_entry("interval_ms", &v)?,
                        Some(Answer::Mode(m)) => map.serialize_entry("mode", &m)?,
                        Some(Answer::Address(a)) => map.serialize_entry("address", &a)?,
                        None => {}
                    }
                }
                Message::Frame(f) => frame_fields(&mut map, f)?,
                Message::DeviceError(l) | Message::DeviceText(l) => map.serialize_entry("text", &Text(l.text()))?,
            }
            map.end()
        }
    }

    /// `{"type": ..., "fields": {...}}` as in the decode JSON contract.
    impl Serialize for Message<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(Some(2))?;
            map.serialize_entry("type", crate::dialect::Message::name(self))?;
            map.serialize_entry("fields", &Fields(self))?;
            map.end()
        }
    }
}
