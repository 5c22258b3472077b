//! Events that own their data: for channels between tasks, queues and async streams.
//!
//! A decoded message may borrow its frame's bytes. An [`OwnedFrame`] keeps those bytes (a
//! [`Bytes`], cut from the read buffer without copying when the buffer is a `BytesMut`)
//! and the message's [`Context`](Dialect::Context), what decoding took from outside the
//! bytes; [`OwnedFrame::message`] rebuilds the typed message from the two without reading
//! or checking anything again. An [`OwnedEvent`] is `Send + 'static`.
//!
//! [`OwnedDecoder`] cuts owned events out of a `BytesMut` that the caller fills: the tokio
//! codec (`serial_dialects::tokio::Codec`, feature `tokio`) and the blocking reader
//! (`serial_dialects::io::Events`, feature `std`) are thin layers over it.
//!
//! ```
//! use bytes::BytesMut;
//! use serial_dialects::owned::OwnedDecoder;
//! use serial_dialects::pmu30::{Message, Pmu30};
//! use serial_dialects::{Dialect, Encode};
//!
//! let dialect = Pmu30::new(Default::default());
//! let mut wire = [0u8; 6];
//! let n = dialect.encode(&Message::Ping {}, &mut wire)?;
//!
//! let mut decoder = OwnedDecoder::new(Pmu30::new(Default::default()));
//! let mut buf = BytesMut::from(&wire[..n]);
//! let event = decoder.decode(&mut buf).expect("a whole frame");
//! let frame = event.frame().expect("a PING");
//! assert_eq!(frame.message(), Message::Ping {});
//! assert_eq!((event.offset, event.len), (0, 6));
//! // Events can be sent to other threads and tasks.
//! std::thread::spawn(move || assert_eq!(event.frame().map(|f| f.name()), Some("PING"))).join().unwrap();
//! # Ok::<(), serial_dialects::EncodeError>(())
//! ```

use core::fmt;
use core::marker::PhantomData;

use bytes::{Buf, Bytes, BytesMut};

use crate::dialect::{Dialect, Event, EventOf, Item, Message};
use crate::stats::Stats;
use crate::stream::WindowDecoder;

/// A decoded frame that owns its bytes: the message is rebuilt on demand by
/// [`message`](Self::message).
pub struct OwnedFrame<D: Dialect> {
    bytes: Bytes,
    context: D::Context,
    _dialect: PhantomData<fn() -> D>,
}

impl<D: Dialect> OwnedFrame<D> {
    /// The owned form of `message`, decoded by `dialect` from `bytes` (exactly the bytes of
    /// its event).
    pub fn new(dialect: &D, message: &D::Message<'_>, bytes: Bytes) -> Self {
        OwnedFrame { bytes, context: dialect.context_of(message), _dialect: PhantomData }
    }

    /// The typed message, borrowing from this frame.
    #[inline]
    pub fn message(&self) -> D::Message<'_> {
        D::rebuild(&self.bytes, &self.context)
    }

    /// The frame's wire bytes, exactly as they arrived.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// What the message took from outside its bytes (see [`Dialect::Context`]).
    pub fn context(&self) -> &D::Context {
        &self.context
    }

    /// The message's type, as [`Message::name`] gives it.
    pub fn name(&self) -> &'static str {
        self.message().name()
    }
}

impl<D: Dialect> Clone for OwnedFrame<D> {
    fn clone(&self) -> Self {
        OwnedFrame { bytes: self.bytes.clone(), context: self.context.clone(), _dialect: PhantomData }
    }
}

impl<D: Dialect> PartialEq for OwnedFrame<D> {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes && self.context == other.context
    }
}

impl<D: Dialect> fmt::Debug for OwnedFrame<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedFrame")
            .field("name", &self.name())
            .field("bytes", &crate::fmt::Hex(&self.bytes[..]))
            .field("context", &self.context)
            .finish()
    }
}

/// An event of dialect `D` that owns its data.
pub type OwnedEvent<D> = Event<OwnedFrame<D>, <D as Dialect>::Error>;

impl<D: Dialect> Event<OwnedFrame<D>, D::Error> {
    /// The event with its frame's typed message borrowed from it: what the drivers give,
    /// for code written over borrowed events.
    pub fn borrowed(&self) -> EventOf<'_, D> {
        let item = match &self.item {
            Item::Frame(frame) => Item::Frame(frame.message()),
            Item::Error(e) => Item::Error(e.clone()),
        };
        Event { offset: self.offset, len: self.len, item }
    }
}

/// The owned form of `event`, whose bytes are `bytes` (its `len` bytes of input), decoded by
/// `dialect`.
pub fn to_owned<D: Dialect>(dialect: &D, event: EventOf<'_, D>, bytes: Bytes) -> OwnedEvent<D> {
    let item = match event.item {
        Item::Frame(message) => Item::Frame(OwnedFrame::new(dialect, &message, bytes)),
        Item::Error(e) => Item::Error(e),
    };
    Event { offset: event.offset, len: event.len, item }
}

/// Cuts owned events out of a `BytesMut` the caller fills: frames without copying
/// ([`BytesMut::split_to`]), rejected bytes dropped from the buffer.
///
/// The events are those of a [`SliceDecoder`](crate::SliceDecoder) over the whole stream
/// however the bytes are split, and the buffer never holds more undecided bytes than the
/// dialect's largest frame ([`WindowDecoder`]): after [`decode`](Self::decode) answers
/// `None`, fewer than [`Dialect::max_frame_len`] bytes remain.
#[derive(Debug)]
pub struct OwnedDecoder<D: Dialect> {
    window: WindowDecoder<D>,
}

impl<D: Dialect> OwnedDecoder<D> {
    /// A decoder at stream offset 0.
    pub fn new(dialect: D) -> Self {
        OwnedDecoder { window: WindowDecoder::new(dialect) }
    }

    /// The next event from the front of `buf` (whose bytes it removes), or `None` when more
    /// bytes are needed.
    #[inline]
    pub fn decode(&mut self, buf: &mut BytesMut) -> Option<OwnedEvent<D>> {
        self.next(buf, false)
    }

    /// [`decode`](Self::decode) when no more bytes will follow `buf`: a frame cut off by
    /// the end is reported as the drivers report it (rejected, truncated); `None` once
    /// `buf` is used up. Bytes appended afterwards continue the same stream.
    pub fn decode_eof(&mut self, buf: &mut BytesMut) -> Option<OwnedEvent<D>> {
        self.next(buf, true)
    }

    #[inline(always)]
    fn next(&mut self, buf: &mut BytesMut, at_end: bool) -> Option<OwnedEvent<D>> {
        let event = self.window.next(buf, at_end)?;
        let (offset, len) = (event.offset, event.len);
        // The message borrows `buf` until its context is taken; then the bytes are cut.
        let context = match &event.item {
            Item::Frame(message) => Ok(self.window.dialect().context_of(message)),
            Item::Error(e) => Err(e.clone()),
        };
        drop(event);
        let item = match context {
            Ok(context) => {
                // Measured against copying frames of up to 30 bytes inline (no reference count
                // to update): slower for every input, 2.4 times for 8-byte plot frames
                // (docs/performance.md), so every frame is cut out of the buffer.
                let bytes = buf.split_to(len).freeze();
                Item::Frame(OwnedFrame { bytes, context, _dialect: PhantomData })
            }
            Err(e) => {
                buf.advance(len);
                Item::Error(e)
            }
        };
        Some(Event { offset, len, item })
    }

    /// What has been decoded so far.
    pub fn stats(&self) -> &Stats {
        self.window.stats()
    }

    /// The dialect (with its cross-frame state).
    pub fn dialect(&self) -> &D {
        self.window.dialect()
    }

    /// The most undecided bytes the buffer holds after `decode` answers `None`, plus one.
    pub fn capacity(&self) -> usize {
        self.window.capacity()
    }

    /// Stream offset of the first byte not yet consumed.
    pub fn position(&self) -> u64 {
        self.window.position()
    }

    /// A new stream at offset 0 (the caller empties its buffer).
    pub fn reset(&mut self) {
        self.window.reset();
    }
}
