//! A [tokio-util] codec for every dialect: frames, not bytes, from any `AsyncRead`
//! (a `tokio-serial` port, a pseudo-terminal, a TCP bridge, an in-memory duplex), and
//! typed messages to any `AsyncWrite`.
//!
//! [`Codec<D>`] is a [`Decoder`] whose items are [`OwnedEvent`]s: `Send + 'static`, with
//! the `offset` and `len` of their input bytes. Bad bytes are items too (an
//! [`Item::Error`](crate::Item::Error) with the dialect's typed error, counted in
//! [`Codec::stats`]); the codec's error means that I/O failed. Its [`Encoder`] takes the
//! dialect's typed messages.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use futures_util::{SinkExt, StreamExt};
//! use serial_dialects::pmu30::{Message, Pmu30};
//! use serial_dialects::tokio::Codec;
//! use serial_dialects::Dialect;
//! use tokio_util::codec::{FramedRead, FramedWrite};
//!
//! let (host, device) = tokio::io::duplex(64);
//! let mut to_device = FramedWrite::new(host, Codec::new(Pmu30::new(Default::default())));
//! let mut from_host = FramedRead::new(device, Codec::new(Pmu30::new(Default::default())));
//!
//! to_device.send(Message::Ping {}).await?;
//! let event = from_host.next().await.expect("an event")?;
//! assert_eq!(event.frame().map(|f| f.message()), Some(Message::Ping {}));
//! # Ok(())
//! # }
//! ```
//!
//! [tokio-util]: https://docs.rs/tokio-util

use std::io;

use bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};

use crate::dialect::{Dialect, Encode};
use crate::error::EncodeError;
use crate::owned::{OwnedDecoder, OwnedEvent};
use crate::stats::Stats;

/// The tokio-util codec of dialect `D`: decodes [`OwnedEvent`]s, encodes `D`'s messages.
///
/// Results do not depend on how reads are split (they are a
/// [`SliceDecoder`](crate::SliceDecoder)'s over the whole stream), and the read buffer
/// never holds more undecided bytes than the dialect's largest frame plus one read: on
/// endless garbage, memory stays bounded. At the end of the input, a frame cut off is
/// reported as the drivers report it (an error event, truncated).
#[derive(Debug)]
pub struct Codec<D: Dialect> {
    decoder: OwnedDecoder<D>,
}

impl<D: Dialect> Codec<D> {
    /// A codec for a new stream of `dialect`.
    pub fn new(dialect: D) -> Self {
        Codec { decoder: OwnedDecoder::new(dialect) }
    }

    /// What has been decoded so far (frames, errors by kind, bytes, lost frames).
    pub fn stats(&self) -> &Stats {
        self.decoder.stats()
    }

    /// The dialect (with its cross-frame state and configuration).
    pub fn dialect(&self) -> &D {
        self.decoder.dialect()
    }

    /// Stream offset of the first byte not yet consumed.
    pub fn position(&self) -> u64 {
        self.decoder.position()
    }
}

impl<D: Dialect> Decoder for Codec<D> {
    type Item = OwnedEvent<D>;
    type Error = io::Error;

    #[inline]
    fn decode(&mut self, src: &mut BytesMut) -> io::Result<Option<OwnedEvent<D>>> {
        Ok(self.decoder.decode(src))
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> io::Result<Option<OwnedEvent<D>>> {
        Ok(self.decoder.decode_eof(src))
    }
}

/// Why a message could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The message cannot be written in this dialect (a value out of range, a field too
    /// long); nothing was sent.
    #[error("cannot encode the message: {0}")]
    Encode(#[from] EncodeError),
    /// Writing failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl<'m, D: Encode> Encoder<D::Message<'m>> for Codec<D> {
    type Error = SendError;

    fn encode(&mut self, message: D::Message<'m>, dst: &mut BytesMut) -> Result<(), SendError> {
        let dialect = self.decoder.dialect();
        let start = dst.len();
        dst.resize(start + dialect.encoded_len(&message), 0);
        match dialect.encode(&message, &mut dst[start..]) {
            Ok(n) => {
                dst.truncate(start + n);
                Ok(())
            }
            Err(e) => {
                dst.truncate(start);
                Err(e.into())
            }
        }
    }
}
