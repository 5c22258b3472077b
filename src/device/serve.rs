//! A device model served over any `AsyncRead + AsyncWrite` (an in-memory duplex, a
//! pseudo-terminal, a serial port) on tokio's clock, with the same faults as the `simulate`
//! command. Under `tokio::time::pause()` the model's time is simulated: a test of timeouts
//! and telemetry runs in no real time at all.

use std::collections::VecDeque;
use std::io;
use std::vec;
use std::vec::Vec;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{Duration, Instant};

use super::faults::{FaultCounts, FaultOptions, Faults};
use super::{Device, DeviceStats, OutputKind};

/// The longest wait without input when nothing is due (the model never needs less).
const IDLE_WAIT: Duration = Duration::from_secs(3600);
/// Bytes read at a time.
const READ_CHUNK: usize = 4096;

/// What a served session did, once the host has gone (end of input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeReport {
    /// The model's statistics.
    pub stats: DeviceStats,
    /// The faults injected.
    pub faults: FaultCounts,
}

/// Serves `model` on `io` without faults until the host closes its end (the read answers
/// end of input); returns what the device did. Time 0 is the moment of the call.
pub async fn serve<M: Device, T: AsyncRead + AsyncWrite + Unpin>(model: M, io: T) -> io::Result<ServeReport> {
    serve_with_faults(model, io, FaultOptions::default()).await
}

/// [`serve`] with faults injected between the model and the line: replies dropped (the first
/// N, or with a probability), bytes corrupted, replies delayed, output in small pieces, the
/// device reset after every N requests (after answering the request that made it due).
pub async fn serve_with_faults<M: Device, T: AsyncRead + AsyncWrite + Unpin>(
    mut model: M,
    mut io: T,
    options: FaultOptions,
) -> io::Result<ServeReport> {
    let start = Instant::now();
    let now_ms = |at: Instant| u64::try_from(at.duration_since(start).as_millis()).unwrap_or(u64::MAX);
    let mut faults = Faults::new(options);
    let mut input = vec![0u8; READ_CHUNK];
    let mut out = vec![0u8; M::MAX_TRANSMIT];
    let mut delayed: VecDeque<(u64, Vec<u8>)> = VecDeque::new();
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let now = now_ms(Instant::now());
        let due = [model.poll_at(), delayed.front().map(|(at, _)| *at)].into_iter().flatten().min();
        let wait = due.map_or(IDLE_WAIT, |at| Duration::from_millis(at.saturating_sub(now)));
        if wait > Duration::ZERO || due.is_none() {
            match tokio::time::timeout(wait, io.read(&mut input)).await {
                Ok(Ok(0)) => break,
                Ok(Ok(n)) => model.receive(input.get(..n).unwrap_or(&[]), now_ms(Instant::now())),
                Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Ok(Err(e)) => return Err(e),
                Err(_elapsed) => {}
            }
        }
        let now = now_ms(Instant::now());
        while let Some(transmit) = model.transmit(now, &mut out) {
            let Some(bytes) = out.get_mut(..transmit.len) else { break };
            if transmit.kind == OutputKind::Reply && faults.drop_reply() {
                continue;
            }
            faults.corrupt(bytes);
            if transmit.kind == OutputKind::Reply && faults.options.delay_ms > 0 {
                faults.counts.delayed_replies = faults.counts.delayed_replies.saturating_add(1);
                delayed.push_back((now.saturating_add(faults.options.delay_ms), bytes.to_vec()));
            } else {
                pending.extend_from_slice(bytes);
            }
        }
        if faults.reset_due(model.stats().requests) {
            model.reset(now);
        }
        while delayed.front().is_some_and(|(at, _)| *at <= now) {
            if let Some((_, bytes)) = delayed.pop_front() {
                pending.extend_from_slice(&bytes);
            }
        }
        write_out(&mut io, &pending, faults.options.chunk).await?;
        pending.clear();
    }
    Ok(ServeReport { stats: *model.stats(), faults: faults.counts })
}

/// Writes `bytes`, in pieces of `chunk` bytes each flushed if `chunk` is not 0. A host that
/// has gone does not stop the device: what it would have read is lost.
async fn write_out<T: AsyncWrite + Unpin>(io: &mut T, bytes: &[u8], chunk: usize) -> io::Result<()> {
    if bytes.is_empty() {
        return Ok(());
    }
    let pieces = bytes.chunks(if chunk == 0 { bytes.len() } else { chunk });
    for piece in pieces {
        match io.write_all(piece).await.and(io.flush().await) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
