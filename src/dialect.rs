//! The contract every dialect implements, and what the drivers give back.
//!
//! A dialect module (`src/<dialect>/`) implements [`Dialect`] once: a scanner that says what
//! the first bytes of a stream are, a decoder from a frame's bytes to its typed message, and
//! an encoder back to bytes, all configured by the dialect's [`DialectConfig`] (chosen by
//! name, `NAME[:VARIANT]`). Its typed message implements [`Message`]. Generic code (the
//! drivers in [`crate::stream`], the command line, fuzz targets, round-trip tests) is written
//! once over these traits and works for every dialect.
//!
//! The drivers report [`Event`]s: a decoded message ([`Item::Frame`]) or a typed error
//! ([`Item::Error`]) with the offset and length of the input bytes it covers.

use core::fmt;
use core::ops::Range;

use crate::error::{DialectError, EncodeError, ErrorKind};

/// The variant part of `name` if it names `dialect`: `""` for `dialect` alone, `VARIANT` for
/// `dialect:VARIANT` (not empty); `None` for any other name. What a
/// [`DialectConfig::from_name`] with variants parses first.
pub fn variant_of<'n>(name: &'n str, dialect: &str) -> Option<&'n str> {
    match name.split_once(':') {
        None => (name == dialect).then_some(""),
        Some((named, variant)) => (named == dialect && !variant.is_empty()).then_some(variant),
    }
}

/// A dialect's configuration: the variant of the wire format and its limits, named on the
/// command line and in JSON as `NAME[:VARIANT]`.
pub trait DialectConfig: Copy + Default + PartialEq + fmt::Debug {
    /// Every `NAME[:VARIANT]` this dialect accepts, the default configuration's (`NAME`
    /// alone) first. Each parses with [`from_name`](DialectConfig::from_name).
    const NAMES: &'static [&'static str];

    /// The configuration named `NAME` (the default) or `NAME:VARIANT`; `None` for another
    /// dialect's name or an unknown variant.
    fn from_name(name: &str) -> Option<Self>;

    /// The canonical `NAME[:VARIANT]` of this configuration (one of
    /// [`NAMES`](DialectConfig::NAMES)).
    fn name(&self) -> &'static str;
}

/// What every typed message of every dialect tells generic code.
pub trait Message {
    /// The message's type, as the `type` of the JSON contract (`PING`, `DATA`, `STREAM`).
    fn name(&self) -> &'static str;
}

/// What the scanner found at the start of the bytes it was shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scan<E> {
    /// The first `n` bytes are a frame; the driver passes them to [`Dialect::decode`].
    /// `n` may be 0 only for an event that carries no bytes (plot's `COMMANDS`), and the
    /// scanner must then change its state so that it does not return `Frame(0)` again at
    /// the same position.
    Frame(usize),
    /// The first `n` bytes (at least 1) are rejected for the given reason.
    Reject(usize, E),
    /// Nothing can be decided until more bytes arrive (never returned when `at_end` is
    /// true and the buffer is not empty).
    NeedMore,
}

/// One wire format: how to find frames in a byte stream and how to read them.
///
/// Implementations keep whatever cross-frame state the format needs (sequence tracking,
/// text-line state, request IDs) and are reset with [`Dialect::reset`].
pub trait Dialect {
    /// The dialect's name in the JSON contract and on the command line.
    const NAME: &'static str;
    /// The variant of the wire format and its limits; [`Dialect::new`] takes it.
    type Config: DialectConfig;
    /// The typed message of a decoded frame. It may borrow the frame's bytes.
    #[cfg(not(feature = "serde"))]
    type Message<'a>: Message;
    /// The typed message of a decoded frame. It may borrow the frame's bytes. With the
    /// `serde` feature it serializes as the `type` and `fields` of the JSON contract
    /// (`docs/decode-json.md`), so generic code can write any dialect's messages.
    #[cfg(feature = "serde")]
    type Message<'a>: Message + serde::Serialize;
    /// The typed error for rejected bytes.
    type Error: DialectError;

    /// A decoder (and encoder) for `config`, in the state of a new stream.
    fn new(config: Self::Config) -> Self;

    /// The configuration this dialect was made with.
    fn config(&self) -> &Self::Config;

    /// The most bytes [`scan`](Dialect::scan) needs to see before it decides about the
    /// first byte. A [`StreamDecoder`](crate::StreamDecoder) whose capacity is at least this
    /// never changes its events because of its capacity.
    fn max_frame_len(&self) -> usize;

    /// Looks at `buf`, the bytes not yet consumed, and says what its first bytes are.
    /// `at_end` is true when no more bytes will follow `buf`. Called with an empty `buf`
    /// only when `at_end` is true (to let a dialect emit a last zero-length event).
    ///
    /// After a `NeedMore`, the drivers call `scan` again with the same bytes, possibly
    /// followed by more (until [`reset`](Dialect::reset)): a scanner may remember how far
    /// it has looked so that a long candidate arriving in small chunks is not searched
    /// again from its start at every chunk.
    fn scan(&mut self, buf: &[u8], at_end: bool) -> Scan<Self::Error>;

    /// Turns the bytes of a frame found by [`scan`](Dialect::scan) into its typed form,
    /// updating cross-frame state. An error rejects the whole frame. Checks everything
    /// (a checksum too), so it can be given any bytes.
    fn decode<'a>(&mut self, frame: &'a [u8]) -> Result<Self::Message<'a>, Self::Error>;

    /// [`decode`](Dialect::decode) for the bytes that `scan` has just returned as
    /// `Frame(n)`: what the scanner checked on exactly these bytes (a checksum) need not be
    /// checked again. The drivers call it (on hosts through
    /// [`decode_scanned_item`](Dialect::decode_scanned_item)); given other bytes it may
    /// accept a frame whose checksum does not match (it never panics). The default calls
    /// `decode`.
    fn decode_scanned<'a>(&mut self, frame: &'a [u8]) -> Result<Self::Message<'a>, Self::Error> {
        self.decode(frame)
    }

    /// [`decode_scanned`](Dialect::decode_scanned) as the [`Item`] of the event the drivers
    /// build from it, which must be exactly that result converted: with `speed-over-size` (host
    /// builds) the drivers call this one, without it they match `decode_scanned`'s result.
    /// The default converts. A dialect whose common frame is decoded inline overrides it to
    /// build that frame's `Item` directly: moving a frame out of a `Result` into an `Item`
    /// can cost a copy through the stack on every small frame (see docs/performance.md).
    #[inline(always)]
    fn decode_scanned_item<'a>(&mut self, frame: &'a [u8]) -> Item<Self::Message<'a>, Self::Error> {
        self.decode_scanned(frame).into()
    }

    /// After [`scan`](Dialect::scan) answered `NeedMore` for `buf` (not at the end of the
    /// input): how many bytes, counted from `buf[0]`, it must be shown before it can answer
    /// anything else, typically the length of a frame whose header it has read. `scan` must
    /// answer `NeedMore` (with `at_end` false) for every longer `buf` shorter than that, and
    /// must not depend on being called for them. A [`StreamDecoder`](crate::StreamDecoder)
    /// then does not scan again until it holds that many bytes, the input ends, or its buffer
    /// is full: a frame arriving in many chunks is scanned twice, not once per chunk. The
    /// default, 0, is no hint.
    fn needed(&self, buf: &[u8]) -> usize {
        let _ = buf;
        0
    }

    /// What [`decode`](Dialect::decode) took from outside a frame's bytes to build its
    /// message: the configuration, and the cross-frame state the message shows (the
    /// request a reply answers, a sample's gap, a record's sequence span). With the bytes
    /// it rebuilds the message ([`rebuild`](Dialect::rebuild)), which is how an owned event
    /// ([`crate::owned::OwnedFrame`]) carries a message without borrowing: the bytes and
    /// this, both owned.
    type Context: Clone + fmt::Debug + PartialEq + Send + Sync + 'static;

    /// The context of `message`, decoded by this dialect.
    fn context_of(&self, message: &Self::Message<'_>) -> Self::Context;

    /// The message that [`decode`](Dialect::decode) returned for `frame` when it gave
    /// `context` (through [`context_of`](Dialect::context_of)); no check is repeated.
    /// Total: given other bytes it returns some message and never panics.
    fn rebuild<'a>(frame: &'a [u8], context: &Self::Context) -> Self::Message<'a>;

    /// Frames that sequence numbers show were lost so far (0 for dialects without them).
    fn lost_frames(&self) -> u64 {
        0
    }

    /// Forgets all cross-frame state, as at the start of a new stream.
    fn reset(&mut self);
}

/// The encoding half of a dialect: typed messages back to wire bytes, with the dialect's
/// configuration (pmu30's CRC coverage, plot's channel limit).
pub trait Encode: Dialect {
    /// The exact number of bytes [`encode`](Encode::encode) writes for `message` (when it
    /// succeeds), computed without writing them.
    fn encoded_len(&self, message: &Self::Message<'_>) -> usize;

    /// Writes `message` as one complete wire frame (start marker, header, checksum,
    /// framing) into `out` with this dialect's configuration, and returns its length. A
    /// decoded message in range is written back to exactly the bytes it was decoded from.
    /// Refuses what the format's senders may not send (a value out of its range) as the
    /// message's own `emit` does. Never allocates and never panics: a short buffer is
    /// [`EncodeError::BufferTooSmall`], a field the format cannot carry another
    /// [`EncodeError`].
    fn encode(&self, message: &Self::Message<'_>, out: &mut [u8]) -> Result<usize, EncodeError>;

    /// Writes a decoded message back to exactly the bytes it was decoded from, even where
    /// they hold a value the format's senders may not send (a decoder reports what is on the
    /// wire): [`encode`](Encode::encode) without its range checks. What the wire cannot
    /// carry (a field too long for its length byte) and a short buffer are still refused.
    /// Round-trip tests and fuzz targets use it on every decoded frame. The default calls
    /// `encode`, for dialects whose encoder accepts every decoded message.
    fn encode_verbatim(&self, message: &Self::Message<'_>, out: &mut [u8]) -> Result<usize, EncodeError> {
        self.encode(message, out)
    }
}

/// What an event carries: a decoded frame, or the error for rejected bytes.
#[derive(Debug, Clone, PartialEq)]
pub enum Item<F, E> {
    /// A decoded frame or message.
    Frame(F),
    /// Rejected bytes and why.
    Error(E),
}

impl<F, E> From<Result<F, E>> for Item<F, E> {
    #[inline(always)]
    fn from(result: Result<F, E>) -> Self {
        match result {
            Ok(frame) => Item::Frame(frame),
            Err(e) => Item::Error(e),
        }
    }
}

impl<F, E> From<Item<F, E>> for Result<F, E> {
    #[inline(always)]
    fn from(item: Item<F, E>) -> Self {
        match item {
            Item::Frame(frame) => Ok(frame),
            Item::Error(e) => Err(e),
        }
    }
}

/// One decoded frame or one rejected run of bytes, with where it lies in the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Event<F, E> {
    /// Offset in the input of the event's first byte.
    pub offset: u64,
    /// How many input bytes the event spans (0 only for zero-length events).
    pub len: usize,
    /// The frame or the error.
    pub item: Item<F, E>,
}

impl<F, E: DialectError> Event<F, E> {
    /// The input byte range of this event.
    pub fn range(&self) -> Range<u64> {
        self.offset..self.offset + self.len as u64
    }

    /// The decoded frame, if this event is one.
    pub fn frame(&self) -> Option<&F> {
        match &self.item {
            Item::Frame(f) => Some(f),
            Item::Error(_) => None,
        }
    }

    /// The error, if this event is one.
    pub fn error(&self) -> Option<&E> {
        match &self.item {
            Item::Frame(_) => None,
            Item::Error(e) => Some(e),
        }
    }

    /// The error's kind, if this event is an error.
    pub fn error_kind(&self) -> Option<ErrorKind> {
        self.error().map(DialectError::kind)
    }

    /// Consumes the event, returning the frame if it is one.
    pub fn into_frame(self) -> Option<F> {
        match self.item {
            Item::Frame(f) => Some(f),
            Item::Error(_) => None,
        }
    }
}

/// The event type of dialect `D` for frames borrowing for `'a`.
pub type EventOf<'a, D> = Event<<D as Dialect>::Message<'a>, <D as Dialect>::Error>;

#[cfg(test)]
mod tests {
    use super::variant_of;

    #[test]
    fn variant_of_names_this_dialect_only() {
        assert_eq!(variant_of("plot", "plot"), Some(""));
        assert_eq!(variant_of("plot:64", "plot"), Some("64"));
        assert_eq!(variant_of("plot:", "plot"), None);
        assert_eq!(variant_of("plots", "plot"), None);
        assert_eq!(variant_of("pmu30:64", "plot"), None);
    }
}
