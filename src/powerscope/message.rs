//! The decoded item of the powerscope dialect: a revision-0 or revision-1 message.

use crate::error::EncodeError;

use super::error::Error;
use super::header::{FrameType, Revision};
use super::{ShellLine, r0, r1};

/// A message of either revision (what [`PowerScope`](super::PowerScope) decodes).
///
/// With the `serde` feature it serializes as the inner message does:
/// `{"type": "STREAM" | "CMD" | "ACK" | "NACK", "fields": {...}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(untagged))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Message<'a> {
    /// A revision-0 message (STREAM frame or raw command byte).
    R0(r0::Message<'a>),
    /// A revision-1 message (STREAM, CMD, ACK, NACK).
    R1(r1::Message<'a>),
}

impl<'a> Message<'a> {
    /// Reads the bytes of one stream event of `revision` (for revision 0 a single byte is a
    /// raw command).
    pub fn from_bytes(bytes: &'a [u8], revision: Revision) -> Result<Message<'a>, Error> {
        match revision {
            Revision::R0 => r0::Message::from_bytes(bytes).map(Message::R0),
            Revision::R1 => r1::Message::from_bytes(bytes).map(Message::R1),
        }
    }

    /// The revision of the message.
    pub const fn revision(&self) -> Revision {
        match self {
            Message::R0(_) => Revision::R0,
            Message::R1(_) => Revision::R1,
        }
    }

    /// The frame type (a revision-0 command byte counts as [`FrameType::Cmd`]).
    pub const fn frame_type(&self) -> FrameType {
        match self {
            Message::R0(r0::Message::Stream(_)) => FrameType::Stream,
            Message::R0(r0::Message::Cmd(_)) => FrameType::Cmd,
            Message::R1(m) => m.frame_type(),
        }
    }

    /// The gap of a STREAM frame (set by the stream decoder).
    pub const fn gap(&self) -> Option<u32> {
        match self {
            Message::R0(r0::Message::Stream(s)) => Some(s.gap),
            Message::R1(r1::Message::Stream(s)) => Some(s.gap),
            _ => None,
        }
    }

    /// The seed shell's line of a STREAM frame.
    pub fn shell_line(&self) -> Option<ShellLine> {
        match self {
            Message::R0(r0::Message::Stream(s)) => Some(s.shell_line()),
            Message::R1(r1::Message::Stream(s)) => Some(s.shell_line()),
            _ => None,
        }
    }

    /// Wire length of the message.
    pub fn buffer_len(&self) -> usize {
        match self {
            Message::R0(m) => m.buffer_len(),
            Message::R1(m) => m.buffer_len(),
        }
    }

    /// Writes the message's wire bytes (the whole frame, or a command byte); returns their
    /// length. Refuses values outside the sender's ranges (see [`r1::Message::validate`]).
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        match self {
            Message::R0(m) => m.emit(out),
            Message::R1(m) => m.emit(out),
        }
    }

    /// Writes the message's wire bytes without the sender range checks, so that every
    /// decoded message re-encodes to exactly the bytes it was decoded from (see
    /// [`r1::Message::emit_verbatim`]; revision 0 has no such checks).
    pub fn emit_verbatim(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        match self {
            Message::R0(m) => m.emit(out),
            Message::R1(m) => m.emit_verbatim(out),
        }
    }
}

impl<'a> From<r0::Message<'a>> for Message<'a> {
    fn from(m: r0::Message<'a>) -> Self {
        Message::R0(m)
    }
}

impl<'a> From<r1::Message<'a>> for Message<'a> {
    fn from(m: r1::Message<'a>) -> Self {
        Message::R1(m)
    }
}
