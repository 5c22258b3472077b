//! The session rules of the original documentation's implementation notes (numbered as in
//! `docs/protocols/pmu30.md`, "Session rules") as constants and small no-heap
//! helpers: command timeouts and retries, configuration chunking for upload, chunk
//! reassembly for download, and the 10-packet telemetry window.

use core::time::Duration;

use super::message::Message;
use super::payload::ConfigChunk;
use super::telemetry::{ANALOG_INPUTS, CHANNELS, TelemetryPacket};
use crate::EncodeError;

/// Every command times out after 1 s (session rule 1).
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(1);
/// [`COMMAND_TIMEOUT`] in milliseconds.
pub const COMMAND_TIMEOUT_MS: u64 = 1000;
/// A failed command is retried up to 3 times (session rule 2): at most 4 attempts.
pub const MAX_RETRIES: u8 = 3;
/// Configuration chunks carry at most 512 data bytes (session rule 3).
pub const CONFIG_CHUNK_MAX: usize = 512;
/// The documented retry policy: 1 s per attempt, 3 retries (session rules 1 and 2).
pub const DOCUMENTED_POLICY: crate::session::RetryPolicy =
    crate::session::RetryPolicy::new(COMMAND_TIMEOUT_MS, MAX_RETRIES);
/// The telemetry consumer keeps the last 10 packets for smoothing (session rule 5).
pub const TELEMETRY_WINDOW: usize = 10;

/// What to do about a command that is waiting for its reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RetryAction {
    /// Keep waiting.
    Wait,
    /// The attempt timed out: send the command again (attempt number given, 2-based).
    Resend {
        /// The attempt about to be made (2 for the first retry).
        attempt: u8,
    },
    /// Every attempt timed out: give up.
    GiveUp,
}

/// Timeout and retry bookkeeping for one outstanding command (1 s per attempt, 3 retries),
/// driven by a caller-supplied millisecond clock. The host also waits for CONFIG_ACK after
/// every SET_CONFIG chunk (session rule 4): one `PendingCommand` per chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PendingCommand {
    sent_at_ms: u64,
    attempt: u8,
    timeout_ms: u64,
    max_retries: u8,
}

impl PendingCommand {
    /// A command first sent at `now_ms`, with the documented timeout (1 s) and retry count (3).
    pub const fn new(now_ms: u64) -> Self {
        PendingCommand { sent_at_ms: now_ms, attempt: 1, timeout_ms: COMMAND_TIMEOUT_MS, max_retries: MAX_RETRIES }
    }

    /// The attempt in progress (1 for the first send).
    pub const fn attempt(&self) -> u8 {
        self.attempt
    }

    /// Decides at `now_ms`; on [`RetryAction::Resend`] the caller sends the command again
    /// and the new attempt's clock starts at `now_ms`. A clock that goes backwards never
    /// times out.
    pub fn poll(&mut self, now_ms: u64) -> RetryAction {
        if now_ms.saturating_sub(self.sent_at_ms) < self.timeout_ms {
            return RetryAction::Wait;
        }
        if self.attempt > self.max_retries {
            return RetryAction::GiveUp;
        }
        self.attempt = self.attempt.saturating_add(1);
        self.sent_at_ms = now_ms;
        RetryAction::Resend { attempt: self.attempt }
    }
}

/// Splits a configuration into SET_CONFIG chunks of at most `chunk_size` data bytes
/// (an empty configuration is one empty chunk, so the device still hears of it).
#[derive(Debug, Clone)]
pub struct ConfigChunks<'a> {
    data: &'a [u8],
    chunk_size: usize,
    next: u16,
    total: u16,
}

impl<'a> ConfigChunks<'a> {
    /// Chunks of [`CONFIG_CHUNK_MAX`] (512) bytes.
    pub fn new(data: &'a [u8]) -> Result<Self, EncodeError> {
        Self::with_chunk_size(data, CONFIG_CHUNK_MAX)
    }

    /// Chunks of `chunk_size` bytes (1..=512); refuses a configuration needing more than
    /// 65535 chunks.
    pub fn with_chunk_size(data: &'a [u8], chunk_size: usize) -> Result<Self, EncodeError> {
        if chunk_size == 0 || chunk_size > CONFIG_CHUNK_MAX {
            return Err(EncodeError::OutOfRange { field: "chunk_size" });
        }
        let chunks = data.len().div_ceil(chunk_size).max(1);
        let total = u16::try_from(chunks).map_err(|_| EncodeError::TooLong {
            field: "config",
            len: data.len(),
            max: usize::from(u16::MAX).saturating_mul(chunk_size),
        })?;
        Ok(ConfigChunks { data, chunk_size, next: 0, total })
    }

    /// How many chunks the configuration has.
    pub const fn total_chunks(&self) -> u16 {
        self.total
    }
}

impl<'a> Iterator for ConfigChunks<'a> {
    type Item = Message<'a>;

    fn next(&mut self) -> Option<Message<'a>> {
        if self.next >= self.total {
            return None;
        }
        let start = usize::from(self.next).saturating_mul(self.chunk_size);
        let end = start.saturating_add(self.chunk_size).min(self.data.len());
        let data = self.data.get(start..end).unwrap_or(&[]);
        let chunk = ConfigChunk { chunk_index: self.next, total_chunks: self.total, data };
        self.next += 1;
        Some(Message::SetConfig(chunk))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::from(self.total - self.next);
        (n, Some(n))
    }
}

impl ExactSizeIterator for ConfigChunks<'_> {}

/// Why a chunk could not be placed by [`ConfigReassembler`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ReassemblyError {
    /// `total_chunks` is 0, or more than the reassembler tracks.
    #[error("total_chunks {total} is not in 1..={max}")]
    BadTotal {
        /// The chunk's `total_chunks`.
        total: u16,
        /// The most chunks tracked.
        max: usize,
    },
    /// The chunk's `total_chunks` differs from the first chunk's.
    #[error("total_chunks changed from {expected} to {got}")]
    TotalChanged {
        /// The first chunk's count.
        expected: u16,
        /// This chunk's count.
        got: u16,
    },
    /// `chunk_index >= total_chunks`.
    #[error("chunk_index {index} is not below total_chunks {total}")]
    IndexOutOfRange {
        /// The chunk's index.
        index: u16,
        /// The chunk count.
        total: u16,
    },
    /// A chunk other than the last is not `chunk_size` bytes, or the last is longer.
    #[error("chunk {index} has {len} bytes; chunk size is {chunk_size}")]
    ChunkSize {
        /// The chunk's index.
        index: u16,
        /// Its data length.
        len: usize,
        /// The expected chunk size.
        chunk_size: usize,
    },
    /// The caller's buffer cannot hold the chunk.
    #[error("chunk {index} ends at byte {end}, the buffer has {capacity}")]
    BufferTooSmall {
        /// The chunk's index.
        index: u16,
        /// Where the chunk ends in the configuration.
        end: usize,
        /// The buffer's length.
        capacity: usize,
    },
}

/// What a reassembler holds after a chunk was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Progress {
    /// Distinct chunks received.
    pub received: u16,
    /// Chunks the configuration has.
    pub total: u16,
}

impl Progress {
    /// Whether every chunk has arrived.
    pub const fn is_complete(&self) -> bool {
        self.received == self.total
    }
}

/// Reassembles CONFIG_DATA chunks into a caller's buffer, in any order and tolerating
/// duplicates (a repeated chunk overwrites its place and is counted once). Every chunk but
/// the last carries `chunk_size` bytes. Tracks up to [`ConfigReassembler::MAX_CHUNKS`].
#[derive(Debug)]
pub struct ConfigReassembler<'b> {
    buf: &'b mut [u8],
    chunk_size: usize,
    seen: [u32; ConfigReassembler::MAX_CHUNKS / 32],
    total: Option<u16>,
    received: u16,
    last_len: Option<usize>,
}

impl<'b> ConfigReassembler<'b> {
    /// The most chunks one configuration may have (128 KiB at 512 bytes a chunk).
    pub const MAX_CHUNKS: usize = 256;

    /// Reassembles chunks of [`CONFIG_CHUNK_MAX`] bytes into `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self::with_chunk_size(buf, CONFIG_CHUNK_MAX)
    }

    /// Reassembles chunks of `chunk_size` bytes (at least 1) into `buf`.
    pub fn with_chunk_size(buf: &'b mut [u8], chunk_size: usize) -> Self {
        ConfigReassembler {
            buf,
            chunk_size: chunk_size.max(1),
            seen: [0; Self::MAX_CHUNKS / 32],
            total: None,
            received: 0,
            last_len: None,
        }
    }

    /// Forgets every chunk (the buffer keeps its bytes).
    pub fn reset(&mut self) {
        self.seen = [0; Self::MAX_CHUNKS / 32];
        self.total = None;
        self.received = 0;
        self.last_len = None;
    }

    /// Places `chunk` and reports progress.
    pub fn accept(&mut self, chunk: &ConfigChunk<'_>) -> Result<Progress, ReassemblyError> {
        let (index, total) = (chunk.chunk_index, chunk.total_chunks);
        if total == 0 || usize::from(total) > Self::MAX_CHUNKS {
            return Err(ReassemblyError::BadTotal { total, max: Self::MAX_CHUNKS });
        }
        if let Some(expected) = self.total {
            if expected != total {
                return Err(ReassemblyError::TotalChanged { expected, got: total });
            }
        }
        if index >= total {
            return Err(ReassemblyError::IndexOutOfRange { index, total });
        }
        let len = chunk.data.len();
        let is_last = index + 1 == total;
        if (is_last && len > self.chunk_size) || (!is_last && len != self.chunk_size) {
            return Err(ReassemblyError::ChunkSize { index, len, chunk_size: self.chunk_size });
        }
        let start = usize::from(index).saturating_mul(self.chunk_size);
        let end = start.saturating_add(len);
        let capacity = self.buf.len();
        let Some(dst) = self.buf.get_mut(start..end) else {
            return Err(ReassemblyError::BufferTooSmall { index, end, capacity });
        };
        dst.copy_from_slice(chunk.data);
        self.total = Some(total);
        if is_last {
            self.last_len = Some(len);
        }
        let (word, bit) = (usize::from(index) / 32, 1u32 << (index % 32));
        if let Some(w) = self.seen.get_mut(word) {
            if *w & bit == 0 {
                *w |= bit;
                self.received += 1;
            }
        }
        Ok(self.progress())
    }

    /// Chunks received so far, out of the total (0 of 0 before the first chunk).
    pub fn progress(&self) -> Progress {
        Progress { received: self.received, total: self.total.unwrap_or(0) }
    }

    /// Whether every chunk has arrived.
    pub fn is_complete(&self) -> bool {
        self.total.is_some() && self.progress().is_complete()
    }

    /// The whole configuration, once complete.
    pub fn data(&self) -> Option<&[u8]> {
        if !self.is_complete() {
            return None;
        }
        let total = usize::from(self.total?);
        let len = (total - 1).saturating_mul(self.chunk_size).saturating_add(self.last_len?);
        self.buf.get(..len)
    }
}

/// The last [`TELEMETRY_WINDOW`] (10) telemetry packets, oldest first, in a fixed array,
/// with means for smoothing.
#[derive(Debug, Clone)]
pub struct TelemetryWindow {
    packets: [TelemetryPacket; TELEMETRY_WINDOW],
    /// Index of the oldest packet.
    head: usize,
    len: usize,
}

impl Default for TelemetryWindow {
    fn default() -> Self {
        Self::new()
    }
}

impl TelemetryWindow {
    /// An empty window.
    pub fn new() -> Self {
        TelemetryWindow { packets: [TelemetryPacket::default(); TELEMETRY_WINDOW], head: 0, len: 0 }
    }

    /// Adds a packet, dropping the oldest when 10 are held.
    pub fn push(&mut self, packet: TelemetryPacket) {
        let slot = (self.head + self.len) % TELEMETRY_WINDOW;
        if let Some(p) = self.packets.get_mut(slot) {
            *p = packet;
        }
        if self.len == TELEMETRY_WINDOW {
            self.head = (self.head + 1) % TELEMETRY_WINDOW;
        } else {
            self.len += 1;
        }
    }

    /// Packets held (0 to 10).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no packet is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets every packet.
    pub fn clear(&mut self) {
        self.head = 0;
        self.len = 0;
    }

    /// The packets, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &TelemetryPacket> + '_ {
        (0..self.len).filter_map(move |i| self.packets.get((self.head + i) % TELEMETRY_WINDOW))
    }

    /// The newest packet.
    pub fn latest(&self) -> Option<&TelemetryPacket> {
        self.iter().last()
    }

    fn mean(&self, f: impl Fn(&TelemetryPacket) -> f32) -> Option<f32> {
        if self.len == 0 {
            return None;
        }
        Some(self.iter().map(f).sum::<f32>() / self.len as f32)
    }

    /// Mean input voltage in mV.
    pub fn mean_input_voltage_mv(&self) -> Option<f32> {
        self.mean(|p| f32::from(p.input_voltage))
    }

    /// Mean board temperature in °C.
    pub fn mean_temperature(&self) -> Option<f32> {
        self.mean(|p| f32::from(p.temperature))
    }

    /// Mean current of output `channel` (0-based) in mA; `None` when empty or out of range.
    pub fn mean_output_current_ma(&self, channel: usize) -> Option<f32> {
        if channel >= CHANNELS {
            return None;
        }
        self.mean(|p| p.output_currents.get(channel).map_or(0.0, |&c| f32::from(c)))
    }

    /// Mean of analog input `input` (0-based), raw ADC units.
    pub fn mean_analog(&self, input: usize) -> Option<f32> {
        if input >= ANALOG_INPUTS {
            return None;
        }
        self.mean(|p| p.analog_values.get(input).map_or(0.0, |&v| f32::from(v)))
    }

    /// Mean total output current in mA.
    pub fn mean_total_current_ma(&self) -> Option<f32> {
        self.mean(|p| p.total_current_ma() as f32)
    }
}
