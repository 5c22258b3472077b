//! A message apart from its bytes, and back: what an owned event keeps
//! ([`Dialect::context_of`](crate::Dialect::context_of), [`Dialect::rebuild`](crate::Dialect::rebuild)).
//!
//! A frame's message is its fields read from its bytes, plus (for a reply) the command of
//! the request it answers, which the stream remembered by ID: that command is the context.
//! A device text line is its bytes alone.

use super::command::CommandCode;
use super::frame::{self, Frame};
use super::line::DeviceLine;
use super::message::Message;

/// What an ascii-crc8 [`Message`] holds besides its bytes. Made by
/// [`Dialect::context_of`](crate::Dialect::context_of).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// A frame; a reply's request command, when the stream had seen it.
    Frame {
        /// The command of the latest earlier request with the frame's ID.
        request: Option<CommandCode>,
    },
    /// A device text line.
    Line,
}

#[inline]
pub(super) fn detach(message: &Message<'_>) -> Context {
    match message {
        Message::Reply(reply) => Context::Frame { request: reply.request },
        Message::Request(_) | Message::Frame(_) => Context::Frame { request: None },
        Message::DeviceError(_) | Message::DeviceText(_) => Context::Line,
    }
}

/// Bytes that are not what the context says (never those of a decoded message) come back
/// as a text line holding them, so that the function is total.
#[inline]
pub(super) fn attach<'a>(bytes: &'a [u8], context: &Context) -> Message<'a> {
    match *context {
        Context::Frame { request } if frame::frame_len_known_crc(bytes) == Some(bytes.len()) => {
            Message::parse(&Frame::new_unchecked(bytes), |_| request)
        }
        Context::Line => match Message::parse_line(bytes) {
            Some(message) => message,
            None => Message::DeviceText(DeviceLine::unchecked(bytes)),
        },
        Context::Frame { .. } => Message::DeviceText(DeviceLine::unchecked(bytes)),
    }
}
