//! The real-time driver: one loop over any device model and a serial line (a
//! pseudo-terminal's controlling end or a real port).
//!
//! Every turn it reads what the host sent (waiting at most until the model's next output is
//! due, and never more than [`MAX_WAIT`]), gives it to the model with the time since the
//! start in ms, takes everything the model has to send, passes it through the faults, forces
//! a reset when `--reset-after` says so (after the answer to the request that made it due), and writes what the line takes. Nothing here can
//! stop the model or make memory grow: a line with no host on it (a pseudo-terminal nobody
//! has open answers every read and write with an error) is polled at [`MAX_WAIT`], and
//! output the host does not read is kept up to [`OUTPUT_LIMIT`] bytes, the oldest dropped
//! beyond (counted).

use std::collections::VecDeque;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use serial_dialects::device::{Device, DeviceStats, OutputKind};
use serialport::SerialPort;

use serial_dialects::device::faults::{FaultCounts, Faults};

/// The longest the loop sleeps: how quickly a stop request or a new host is noticed.
pub const MAX_WAIT: Duration = Duration::from_millis(20);
/// Output waiting for the line, at most (about 0.6 s at 921600 baud); the oldest bytes are
/// dropped beyond.
pub const OUTPUT_LIMIT: usize = 64 * 1024;
/// Replies held back by `--delay`, at most; the oldest are dropped beyond.
const DELAYED_LIMIT: usize = 1024;

/// What a session did.
#[derive(Debug, Clone, Copy)]
pub struct Report {
    pub stats: DeviceStats,
    pub faults: FaultCounts,
    /// Bytes of output dropped because the line did not take them (no host, or a host not
    /// reading).
    pub lost_bytes: u64,
    pub elapsed: Duration,
}

/// Serves `model` on `port` until `stop` is set.
pub fn serve<M: Device>(mut model: M, port: &mut dyn SerialPort, mut faults: Faults, stop: &AtomicBool) -> Report {
    let start = Instant::now();
    let now_ms = || u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    let mut input = vec![0u8; 4096];
    let mut out = vec![0u8; M::MAX_TRANSMIT];
    let mut line = Line::default();
    let mut delayed: VecDeque<(u64, Vec<u8>)> = VecDeque::new();
    let mut current_timeout = Duration::ZERO;
    while !stop.load(Ordering::SeqCst) {
        // Wait for input at most until something is due.
        let now = now_ms();
        let due = [model.poll_at(), delayed.front().map(|(at, _)| *at)].into_iter().flatten().min();
        let wait = if !line.pending.is_empty() {
            Duration::from_millis(1)
        } else {
            due.map_or(MAX_WAIT, |at| Duration::from_millis(at.saturating_sub(now)).min(MAX_WAIT))
        };
        let wait = wait.max(Duration::from_millis(1));
        if wait != current_timeout && port.set_timeout(wait).is_ok() {
            current_timeout = wait;
        }
        match port.read(&mut input) {
            Ok(n) if n > 0 => model.receive(&input[..n], now_ms()),
            Ok(_) => thread::sleep(wait),
            Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // No host on the line (a pseudo-terminal nobody has open): keep the device
            // running, without spinning.
            Err(_) => thread::sleep(wait),
        }
        let now = now_ms();
        while let Some(transmit) = model.transmit(now, &mut out) {
            let Some(bytes) = out.get_mut(..transmit.len) else { break };
            if transmit.kind == OutputKind::Reply && faults.drop_reply() {
                continue;
            }
            faults.corrupt(bytes);
            if transmit.kind == OutputKind::Reply && faults.options.delay_ms > 0 {
                faults.counts.delayed_replies = faults.counts.delayed_replies.saturating_add(1);
                if delayed.len() == DELAYED_LIMIT {
                    if let Some((_, oldest)) = delayed.pop_front() {
                        line.lost += oldest.len() as u64;
                    }
                }
                delayed.push_back((now.saturating_add(faults.options.delay_ms), bytes.to_vec()));
            } else {
                line.queue(bytes);
            }
        }
        // After the answers to the requests that made it due: the Nth request is answered,
        // then the device forgets.
        if faults.reset_due(model.stats().requests) {
            model.reset(now);
        }
        while delayed.front().is_some_and(|(at, _)| *at <= now) {
            if let Some((_, bytes)) = delayed.pop_front() {
                line.queue(&bytes);
            }
        }
        line.write(port, faults.options.chunk);
    }
    Report { stats: *model.stats(), faults: faults.counts, lost_bytes: line.lost, elapsed: start.elapsed() }
}

/// Output on its way to the line.
#[derive(Debug, Default)]
struct Line {
    pending: VecDeque<u8>,
    lost: u64,
}

impl Line {
    fn queue(&mut self, bytes: &[u8]) {
        self.pending.extend(bytes);
        let excess = self.pending.len().saturating_sub(OUTPUT_LIMIT);
        if excess > 0 {
            self.pending.drain(..excess);
            self.lost += excess as u64;
        }
    }

    /// Writes what the line takes now, in pieces of `chunk` bytes (each flushed) if asked.
    fn write(&mut self, port: &mut dyn SerialPort, chunk: usize) {
        while !self.pending.is_empty() {
            let (front, _) = self.pending.as_slices();
            let piece = if chunk > 0 { &front[..front.len().min(chunk)] } else { front };
            match port.write(piece) {
                Ok(0) => return,
                Ok(n) => {
                    self.pending.drain(..n);
                    if chunk > 0 {
                        let _ = port.flush();
                    }
                }
                // The host is not reading: try again next turn.
                Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // No host on the line: what the device sends now is lost, as on a cable
                // nobody listens to.
                Err(_) => {
                    self.lost += self.pending.len() as u64;
                    self.pending.clear();
                    return;
                }
            }
        }
    }
}
