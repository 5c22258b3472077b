//! Owned events from any [`std::io::Read`]: a capture file, a `serialport` port, a pipe.
//!
//! ```
//! use serial_dialects::io::Events;
//! use serial_dialects::powerscope::PowerScope;
//! use serial_dialects::Dialect;
//!
//! let capture = std::fs::File::open("samples/powerscope.bin")?;
//! let mut events = Events::new(PowerScope::new(Default::default()), capture);
//! let mut frames = 0;
//! for event in &mut events {
//!     if event?.frame().is_some() {
//!         frames += 1;
//!     }
//! }
//! assert_eq!(frames, events.stats().frames);
//! assert!(frames > 0);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, Read, Write};

use bytes::BytesMut;

use crate::dialect::{Dialect, Encode};
use crate::owned::{OwnedDecoder, OwnedEvent};
use crate::stats::Stats;

/// How many bytes [`Events`] asks the reader for at a time, unless told otherwise.
pub const DEFAULT_READ_SIZE: usize = 8 * 1024;

/// An iterator of the owned events of dialect `D` read from `R`.
///
/// Each item is an event or the reader's error. A read interrupted by a signal is retried;
/// any other error (a serial port's `TimedOut`, `WouldBlock`) is returned as an item, and
/// the iterator may be polled again afterwards: the stream continues where it was. A read
/// of 0 bytes ends the input: a frame cut off there is reported (truncated), then `None`.
/// Memory is bounded: the buffer holds at most the dialect's largest frame plus one read.
#[derive(Debug)]
pub struct Events<D: Dialect, R> {
    reader: R,
    buf: BytesMut,
    decoder: OwnedDecoder<D>,
    read_size: usize,
    ended: bool,
}

impl<D: Dialect, R: Read> Events<D, R> {
    /// Events of `dialect` from `reader`, read [`DEFAULT_READ_SIZE`] bytes at a time.
    pub fn new(dialect: D, reader: R) -> Self {
        Self::with_read_size(dialect, reader, DEFAULT_READ_SIZE)
    }

    /// Events of `dialect` from `reader`, read at most `read_size` (at least 1) bytes at a
    /// time.
    pub fn with_read_size(dialect: D, reader: R, read_size: usize) -> Self {
        let read_size = read_size.max(1);
        let decoder = OwnedDecoder::new(dialect);
        let buf = BytesMut::with_capacity(read_size + decoder.capacity());
        Events { reader, buf, decoder, read_size, ended: false }
    }

    /// What has been decoded so far.
    pub fn stats(&self) -> &Stats {
        self.decoder.stats()
    }

    /// The dialect (with its cross-frame state).
    pub fn dialect(&self) -> &D {
        self.decoder.dialect()
    }

    /// Stream offset of the first byte not yet consumed.
    pub fn position(&self) -> u64 {
        self.decoder.position()
    }

    /// Bytes read but not yet part of an event.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// The reader.
    pub fn get_ref(&self) -> &R {
        &self.reader
    }

    /// The reader, to write to it (a serial port) or change its settings.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.reader
    }

    /// The reader back; bytes read but not yet decoded are dropped.
    pub fn into_inner(self) -> R {
        self.reader
    }

    /// Ends the input here, as a read of 0 bytes does (after a reader's error that ends the
    /// stream, a port that hung up): the next items decide what is pending, then `None`.
    pub fn finish(&mut self) {
        self.ended = true;
    }

    /// Reads once into the buffer: `Ok(false)` at the end of the input.
    fn fill(&mut self) -> io::Result<bool> {
        let start = self.buf.len();
        self.buf.resize(start + self.read_size, 0);
        let read = self.reader.read(&mut self.buf[start..]);
        let n = *read.as_ref().unwrap_or(&0);
        self.buf.truncate(start + n);
        read.map(|n| n > 0)
    }
}

impl<D: Dialect, R: Read> Iterator for Events<D, R> {
    type Item = io::Result<OwnedEvent<D>>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let event = match self.ended {
                false => self.decoder.decode(&mut self.buf),
                true => self.decoder.decode_eof(&mut self.buf),
            };
            if let Some(event) = event {
                return Some(Ok(event));
            }
            if self.ended {
                return None;
            }
            match self.fill() {
                Ok(more) => self.ended = !more,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// Writes `message` as one frame of `dialect` to `writer` (one `write_all`), and returns its
/// length. A message the dialect cannot encode is an [`io::ErrorKind::InvalidInput`] error
/// carrying the [`EncodeError`](crate::EncodeError), and nothing is written.
pub fn write_message<D: Encode, W: Write + ?Sized>(
    writer: &mut W,
    dialect: &D,
    message: &D::Message<'_>,
) -> io::Result<usize> {
    let mut frame = std::vec![0u8; dialect.encoded_len(message)];
    let n = dialect.encode(message, &mut frame).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    writer.write_all(&frame[..n])?;
    Ok(n)
}
