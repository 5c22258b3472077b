//! A message apart from its bytes, and back: what an owned event keeps
//! ([`Dialect::context_of`](crate::Dialect::context_of), [`Dialect::rebuild`](crate::Dialect::rebuild)).
//!
//! DATA, LABEL and TEXT are views of their bytes: the context says which (and, for a
//! LABEL, its COUNT, which the frame also holds). A COMMANDS event spans no bytes: its
//! table is the context.

use super::help::CommandList;
use super::message::{Data, Labels, Message, Text};

/// What a plot [`Message`] holds besides its bytes. Made by
/// [`Dialect::context_of`](crate::Dialect::context_of).
#[cfg_attr(not(feature = "alloc"), allow(clippy::large_enum_variant))] // as `Message`: no heap to box into
#[derive(Debug, Clone, PartialEq)]
pub enum Context {
    /// A DATA frame.
    Data,
    /// A LABEL frame.
    Label,
    /// A piece of a text line.
    Text,
    /// A finished help table.
    Commands(CommandList),
}

#[inline]
pub(super) fn detach(message: &Message<'_>) -> Context {
    match message {
        Message::Data(_) => Context::Data,
        Message::Label(_) => Context::Label,
        Message::Text(_) => Context::Text,
        Message::Commands(list) => Context::Commands(list.clone()),
    }
}

/// Binary frames are `START COUNT PAYLOAD`: the payload is everything after the header.
#[inline]
pub(super) fn attach<'a>(frame: &'a [u8], context: &Context) -> Message<'a> {
    let count = frame.get(1).copied().unwrap_or(0);
    let payload = frame.get(super::frame::field::HEADER_LEN..).unwrap_or(&[]);
    match context {
        Context::Data => Message::Data(Data::from_checked(payload)),
        Context::Label => Message::Label(Labels::from_checked(count, payload)),
        Context::Text => Message::Text(Text::new(frame)),
        Context::Commands(list) => Message::Commands(list.clone()),
    }
}
