//! A packet apart from its bytes, and back: what an owned event keeps
//! ([`Dialect::context_of`](crate::Dialect::context_of), [`Dialect::rebuild`](crate::Dialect::rebuild)).
//!
//! A [`Message`] is a view of its wire bytes plus the header read while validating them
//! and the sequence span the stream decoder gave it; those two are the context.

use super::message::Message;
use super::seq::SeqSpan;
use super::validate::Header;

/// What a vectordebug [`Message`] holds besides its wire bytes: the header its validation
/// read and the sequence span its stream gave it. Opaque; made by
/// [`Dialect::context_of`](crate::Dialect::context_of).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    header: Header,
    seq: Option<SeqSpan>,
}

#[inline]
pub(super) fn detach(message: &Message<'_>) -> Context {
    let (header, seq) = message.parts();
    Context { header, seq }
}

#[inline]
pub(super) fn attach<'a>(frame: &'a [u8], context: &Context) -> Message<'a> {
    Message::from_scanned(frame, context.header).with_seq(context.seq)
}
