//! Reading events from, and writing messages to, byte streams: the loops around the
//! decoders that every program otherwise writes itself.
//!
//! | feature | what | where |
//! |---|---|---|
//! | `std` | `Events`: owned events from any `std::io::Read` (a file, a `serialport` port); `write_message` | `io::blocking` |
//! | `tokio` | `Codec<D>`: a tokio-util `Decoder` and `Encoder` | `serial_dialects::tokio` |
//! | `embedded-io` | `Reader`: events from any `embedded_io::Read`, no heap; `write_message` | `io::embedded` |
//! | `embedded-io-async` | `Reader`: the same over `embedded_io_async` (embassy) | `io::embedded_async` |
//!
//! All give the events a [`SliceDecoder`](crate::SliceDecoder) gives over the whole input,
//! however the reads split it.

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub mod blocking;
#[cfg(feature = "embedded-io")]
#[cfg_attr(docsrs, doc(cfg(feature = "embedded-io")))]
pub mod embedded;
#[cfg(feature = "embedded-io-async")]
#[cfg_attr(docsrs, doc(cfg(feature = "embedded-io-async")))]
pub mod embedded_async;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod tokio;

#[cfg(feature = "std")]
pub use blocking::{Events, write_message};

/// Why a message could not be written by `embedded::write_message` or
/// `embedded_async::write_message`.
#[cfg(any(feature = "embedded-io", feature = "embedded-io-async"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum WriteError<E> {
    /// The message cannot be encoded (out of range, or the scratch buffer is too small);
    /// nothing was written.
    #[error("cannot encode the message: {0}")]
    Encode(#[from] crate::error::EncodeError),
    /// The writer failed.
    #[error("write failed: {0:?}")]
    Io(E),
}
