//! Events from any [`embedded_io_async::Read`] (an embassy UART or USB CDC class), in a
//! buffer of `N` bytes the caller sizes, with no heap; messages to any
//! [`embedded_io_async::Write`]. The blocking twin is [`super::embedded`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use serial_dialects::io::embedded_async::{Reader, write_message};
//! use serial_dialects::pmu30::{Message, Pmu30};
//! use serial_dialects::Dialect;
//! use serial_dialects::Message as _;
//!
//! // `&[u8]` is an `embedded_io_async::Read`, `&mut [u8]` a `Write`.
//! let mut wire = [0u8; 32];
//! let mut out = &mut wire[..];
//! let dialect = Pmu30::new(Default::default());
//! let mut scratch = [0u8; 16];
//! let n = write_message(&mut out, &dialect, &Message::Ping {}, &mut scratch).await.unwrap();
//!
//! let mut reader = Reader::<Pmu30, _, 64>::new(dialect, &wire[..n]);
//! let name = reader.read_event(|event| event.frame().map(|m| m.name())).await.unwrap();
//! assert_eq!(name, Some(Some("PING")));
//! assert_eq!(reader.read_event(|_| ()).await.unwrap(), None);
//! # }
//! ```

use embedded_io_async::{Read, Write};

use super::WriteError;
use crate::dialect::{Dialect, Encode, EventOf};
use crate::stats::Stats;
use crate::stream::StreamDecoder;

/// Pulls the events of dialect `D` from `R` through a [`StreamDecoder`] of `N` bytes (at
/// least the dialect's [`max_frame_len`](Dialect::max_frame_len) for events that do not
/// depend on `N`). Reads go straight into the decoder's buffer.
///
/// [`read_event`](Self::read_event) reads until an event is complete and hands it to a
/// closure (an event borrows the buffer, which the next read refills); or drive it by
/// hand: [`next`](Self::next) until `None`, then [`fill`](Self::fill).
#[derive(Debug)]
pub struct Reader<D: Dialect, R, const N: usize> {
    decoder: StreamDecoder<D, N>,
    reader: R,
    ended: bool,
}

impl<D: Dialect, R: Read, const N: usize> Reader<D, R, N> {
    /// A reader of `dialect` events from `reader`.
    pub fn new(dialect: D, reader: R) -> Self {
        Reader { decoder: StreamDecoder::new(dialect), reader, ended: false }
    }

    /// The next event from the bytes already read, without reading.
    #[allow(clippy::should_implement_trait)] // events borrow the reader: not an Iterator
    pub fn next(&mut self) -> Option<EventOf<'_, D>> {
        self.decoder.next()
    }

    /// Reads once into the decoder's free space. `Ok(false)` when the input has ended (a
    /// read of 0 bytes): [`next`](Self::next) then decides what is pending.
    pub async fn fill(&mut self) -> Result<bool, R::Error> {
        let spare = self.decoder.unfilled();
        if spare.is_empty() {
            // Full: `next` decides before anything more can be read.
            return Ok(!self.ended);
        }
        let n = self.reader.read(spare).await?;
        self.decoder.filled(n);
        self.ended = n == 0;
        if self.ended {
            self.decoder.finish();
        }
        Ok(!self.ended)
    }

    /// Reads until an event is complete and returns what `f` makes of it; `Ok(None)` once
    /// the input has ended and every event has been delivered.
    pub async fn read_event<T>(&mut self, f: impl FnOnce(EventOf<'_, D>) -> T) -> Result<Option<T>, R::Error> {
        loop {
            if let Some(event) = self.decoder.next() {
                return Ok(Some(f(event)));
            }
            if self.ended {
                return Ok(None);
            }
            self.fill().await?;
        }
    }

    /// The decoder (its statistics, position, pending bytes).
    pub fn decoder(&self) -> &StreamDecoder<D, N> {
        &self.decoder
    }

    /// What has been decoded so far.
    pub fn stats(&self) -> &Stats {
        self.decoder.stats()
    }

    /// The reader, to write to it or change its settings.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.reader
    }

    /// The reader back.
    pub fn into_inner(self) -> R {
        self.reader
    }
}

/// Writes `message` as one frame of `dialect` to `writer` (encoded into `scratch` first, which
/// must hold it), and returns its length. Does not flush.
pub async fn write_message<D: Encode, W: Write>(
    writer: &mut W,
    dialect: &D,
    message: &D::Message<'_>,
    scratch: &mut [u8],
) -> Result<usize, WriteError<W::Error>> {
    let n = dialect.encode(message, scratch)?;
    writer.write_all(scratch.get(..n).unwrap_or_default()).await.map_err(WriteError::Io)?;
    Ok(n)
}
