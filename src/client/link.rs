//! The one request/response pump of every client: writes a request, reads frames through the
//! dialect's codec until its session core says one is the reply, sends the same bytes again
//! when the core says so, and keeps every frame that is not a reply for the stream.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;

use futures_core::Stream;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;
use tokio_util::codec::FramedRead;

use super::Failure;
use crate::dialect::{Dialect, Item};
use crate::owned::OwnedFrame;
use crate::session::{Poll, Verdict};
use crate::tokio::Codec;

/// What the link has seen, for people and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Requests written, first attempts.
    pub requests: u64,
    /// Requests written again (retries).
    pub resent: u64,
    /// Replies dropped as stale (to an attempt already resent, or to an earlier request).
    pub stale: u64,
    /// Rejected runs of bytes (corrupted frames, noise), as the decoder reported them.
    pub rejected: u64,
    /// Frames of the device's own output dropped because more than the stream capacity
    /// waited.
    pub stream_dropped: u64,
}

/// A dialect's session core as the pump drives it: replies are owned by the time they leave.
pub(crate) trait Core<D: Dialect> {
    type Reply;
    /// What `message`, received at `now_ms`, is to the request awaited.
    fn on_message(&mut self, message: &D::Message<'_>, now_ms: u64) -> Verdict<Self::Reply>;
    /// Wait, send again, or give up.
    fn poll(&mut self, now_ms: u64) -> Poll;
    /// A reply that the passing of time completes (a VIEW ended by silence).
    fn expire(&mut self, now_ms: u64) -> Option<Self::Reply> {
        let _ = now_ms;
        None
    }
}

/// The line to one device: frames in through the codec, bytes out.
pub(crate) struct Link<D: Dialect, T> {
    reader: FramedRead<T, Codec<D>>,
    stream: VecDeque<OwnedFrame<D>>,
    capacity: usize,
    epoch: Instant,
    stats: LinkStats,
}

impl<D: Dialect, T: AsyncRead + AsyncWrite + Unpin> Link<D, T> {
    pub(crate) fn new(io: T, dialect: D, capacity: usize) -> Self {
        Link {
            reader: FramedRead::new(io, Codec::new(dialect)),
            stream: VecDeque::new(),
            capacity: capacity.max(1),
            epoch: Instant::now(),
            stats: LinkStats::default(),
        }
    }

    pub(crate) fn stats(&self) -> LinkStats {
        self.stats
    }

    pub(crate) fn dialect(&self) -> &D {
        self.reader.decoder().dialect()
    }

    pub(crate) fn into_inner(self) -> T {
        self.reader.into_inner()
    }

    /// Milliseconds since the link was made, on tokio's clock.
    pub(crate) fn now_ms(&self) -> u64 {
        u64::try_from(Instant::now().duration_since(self.epoch).as_millis()).unwrap_or(u64::MAX)
    }

    fn instant(&self, ms: u64) -> Instant {
        self.epoch + std::time::Duration::from_millis(ms)
    }

    /// Writes `bytes` and flushes.
    pub(crate) async fn write(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        let io = self.reader.get_mut();
        io.write_all(bytes).await.map_err(Failure::Io)?;
        io.flush().await.map_err(Failure::Io)
    }

    /// The next decoded frame, waiting at most until `until_ms` (`None` then); rejected bytes
    /// are counted and skipped.
    pub(crate) async fn read(&mut self, until_ms: Option<u64>) -> Result<Option<OwnedFrame<D>>, Failure> {
        loop {
            let deadline = until_ms.map(|ms| self.instant(ms));
            let reader = &mut self.reader;
            let next = std::future::poll_fn(|cx| Pin::new(&mut *reader).poll_next(cx));
            let event = match deadline {
                Some(at) => match tokio::time::timeout_at(at, next).await {
                    Ok(event) => event,
                    Err(_elapsed) => return Ok(None),
                },
                None => next.await,
            };
            match event {
                None => return Err(Failure::Closed),
                Some(Err(e)) => return Err(Failure::Io(e)),
                Some(Ok(event)) => match event.item {
                    Item::Frame(frame) => return Ok(Some(frame)),
                    Item::Error(_) => self.stats.rejected = self.stats.rejected.saturating_add(1),
                },
            }
        }
    }

    /// Keeps a frame of the device's own output for the stream.
    pub(crate) fn keep(&mut self, frame: OwnedFrame<D>) {
        if self.stream.len() >= self.capacity {
            self.stream.pop_front();
            self.stats.stream_dropped = self.stats.stream_dropped.saturating_add(1);
        }
        self.stream.push_back(frame);
    }

    /// The oldest frame kept for the stream.
    pub(crate) fn take_kept(&mut self) -> Option<OwnedFrame<D>> {
        self.stream.pop_front()
    }

    /// The next frame of the device's own output: one kept, else the next one read that the
    /// `is_stream` test accepts (others are counted as stale).
    pub(crate) async fn next_stream_frame(
        &mut self,
        until_ms: Option<u64>,
        is_stream: impl Fn(&OwnedFrame<D>) -> bool,
    ) -> Result<Option<OwnedFrame<D>>, Failure> {
        while let Some(frame) = self.take_kept() {
            if is_stream(&frame) {
                return Ok(Some(frame));
            }
        }
        loop {
            let Some(frame) = self.read(until_ms).await? else { return Ok(None) };
            if is_stream(&frame) {
                return Ok(Some(frame));
            }
            self.stats.stale = self.stats.stale.saturating_add(1);
        }
    }

    /// The next frame that `wanted` accepts: the oldest one kept, else the next one read.
    /// Frames read meanwhile that it does not accept are kept for the stream, in order (a
    /// stream of two kinds, records and text, loses neither while one is waited for).
    pub(crate) async fn next_matching(
        &mut self,
        until_ms: Option<u64>,
        wanted: impl Fn(&OwnedFrame<D>) -> bool,
    ) -> Result<Option<OwnedFrame<D>>, Failure> {
        if let Some(at) = self.stream.iter().position(&wanted) {
            return Ok(self.stream.remove(at));
        }
        loop {
            let Some(frame) = self.read(until_ms).await? else { return Ok(None) };
            if wanted(&frame) {
                return Ok(Some(frame));
            }
            self.keep(frame);
        }
    }

    /// Frames lost so far, as the decoder counts them (sequence gaps).
    pub(crate) fn lost_frames(&self) -> u64 {
        self.reader.decoder().stats().lost_frames
    }

    /// Sends `bytes` (the request `core` has just started) and drives `core` until it has the
    /// reply or gives up.
    pub(crate) async fn exchange<C: Core<D>>(&mut self, core: &mut C, bytes: &[u8]) -> Result<C::Reply, Failure> {
        self.stats.requests = self.stats.requests.saturating_add(1);
        self.write(bytes).await?;
        loop {
            let now = self.now_ms();
            if let Some(reply) = core.expire(now) {
                return Ok(reply);
            }
            let until = match core.poll(now) {
                Poll::Wait { until_ms } => until_ms,
                Poll::Resend { .. } => {
                    self.stats.resent = self.stats.resent.saturating_add(1);
                    self.write(bytes).await?;
                    continue;
                }
                Poll::GiveUp { attempts } => return Err(Failure::Timeout { attempts }),
            };
            let Some(frame) = self.read(Some(until)).await? else { continue };
            let verdict = core.on_message(&frame.message(), self.now_ms());
            match verdict {
                Verdict::Reply(reply) => return Ok(reply),
                Verdict::Part(_) | Verdict::Retry => {}
                Verdict::Stale => self.stats.stale = self.stats.stale.saturating_add(1),
                Verdict::Unrelated => self.keep(frame),
            }
        }
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}
