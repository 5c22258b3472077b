//! The revision-0 device's output: test-ramp STREAM frames every 5 ms into an 8192-byte
//! ring that overwrites its oldest bytes, sent in chunks of at most 512 bytes that are
//! not aligned to frames (docs/protocols/powerscope.md, "Revision 0").
//!
//! Because the ring overwrites bytes, not frames, a host that reads too slowly gets the
//! stream back in the middle of a frame: its decoder resynchronises and sees a `seq` gap,
//! exactly as with the original firmware when DTR was low.

use super::header::{HEADER_LEN, Revision};
use super::message::Message;
use super::r0;

/// The largest revision-0 payload.
const MAX_PAYLOAD: usize = Revision::R0.max_payload_len();

/// The original firmware's transmit ring, bytes.
pub const RING_BYTES: usize = 8192;
/// The most bytes one transmit chunk carries.
pub const CHUNK_BYTES: usize = 512;
/// The original firmware's ramp length (payload bytes per frame).
pub const DEFAULT_PAYLOAD_LEN: u16 = 128;
/// The original firmware's frame period, ms.
pub const DEFAULT_PERIOD_MS: u16 = 5;

/// The ramp frames, their schedule and the byte ring.
#[derive(Debug, Clone)]
pub struct RampStream {
    ring: [u8; RING_BYTES],
    /// Bytes ever written and read: `written - read` are waiting, at most [`RING_BYTES`].
    written: u64,
    read: u64,
    /// Frames whose loss is already counted: those with an index below this.
    lost_through: u64,
    streaming: bool,
    seq: u32,
    /// When the next frame is due (device clock), while streaming.
    due_ms: u64,
    period_ms: u64,
    payload_len: usize,
}

impl RampStream {
    /// A stream of `payload_len`-byte ramps (clamped to 1..=512) every `period_ms` (at
    /// least 1), streaming from boot when `streaming`.
    pub fn new(payload_len: u16, period_ms: u16, streaming: bool) -> RampStream {
        let period_ms = u64::from(period_ms.max(1));
        RampStream {
            ring: [0; RING_BYTES],
            written: 0,
            read: 0,
            lost_through: 0,
            streaming,
            seq: 0,
            due_ms: period_ms,
            period_ms,
            payload_len: usize::from(payload_len).clamp(1, MAX_PAYLOAD),
        }
    }

    fn frame_len(&self) -> u64 {
        (HEADER_LEN + self.payload_len) as u64
    }

    /// Applies a command byte received at device time `now_ms`: START (re)starts the
    /// stream with its next frame one period from now, STOP stops it. Frames already in
    /// the ring are still sent.
    pub fn command(&mut self, command: r0::Command, now_ms: u64) {
        match command {
            r0::Command::Start if !self.streaming => {
                self.streaming = true;
                self.due_ms = now_ms.saturating_add(self.period_ms);
            }
            r0::Command::Start => {}
            r0::Command::Stop => self.streaming = false,
        }
    }

    /// Whether frames are being produced.
    pub fn is_streaming(&self) -> bool {
        self.streaming
    }

    /// When the next frame is due, while streaming.
    pub fn due_ms(&self) -> Option<u64> {
        self.streaming.then_some(self.due_ms)
    }

    /// Bytes waiting to be sent.
    pub fn pending(&self) -> usize {
        (self.written - self.read) as usize
    }

    /// Produces every frame due by device time `now_ms`; returns how many frames were
    /// lost (overwritten in the ring before they were sent whole, or never written
    /// because the ring would have overwritten them anyway).
    pub fn produce(&mut self, now_ms: u64) -> u64 {
        if !self.streaming || self.due_ms > now_ms {
            return 0;
        }
        let due = (now_ms - self.due_ms) / self.period_ms + 1;
        // Frames beyond what the ring can hold would only overwrite each other.
        let room = RING_BYTES as u64 / self.frame_len() + 1;
        let mut lost = 0;
        if due > room {
            let skipped = due - room;
            lost += self.discard_all() + skipped;
            self.seq = self.seq.wrapping_add(skipped as u32);
            self.due_ms = self.due_ms.saturating_add(skipped.saturating_mul(self.period_ms));
            // Skipped frames were never in the ring: their indices pass unsent.
            self.written = self.written.saturating_add(skipped.saturating_mul(self.frame_len()));
            self.read = self.written;
            self.lost_through = self.written / self.frame_len();
        }
        for _ in 0..due.min(room) {
            lost += self.write_frame();
            self.due_ms = self.due_ms.saturating_add(self.period_ms);
        }
        lost
    }

    /// Forgets the waiting bytes; returns the frames lost with them.
    fn discard_all(&mut self) -> u64 {
        let lost = self.count_lost(self.written);
        self.read = self.written;
        lost
    }

    /// Marks bytes up to `new_read` as never to be sent, counting the frames they cut.
    fn count_lost(&mut self, new_read: u64) -> u64 {
        let frame_len = self.frame_len();
        let from = (self.read / frame_len).max(self.lost_through);
        let through = new_read.div_ceil(frame_len);
        self.lost_through = self.lost_through.max(through);
        through.saturating_sub(from)
    }

    fn write_frame(&mut self) -> u64 {
        // The test ramp: payload[i] = (phase + i) & 0xFF, phase = seq mod 256.
        let mut ramp = [0u8; MAX_PAYLOAD];
        for (i, b) in ramp.iter_mut().enumerate() {
            *b = (self.seq as usize).wrapping_add(i) as u8;
        }
        let payload = ramp.get(..self.payload_len).unwrap_or_default();
        let mut frame = [0u8; HEADER_LEN + MAX_PAYLOAD];
        // The payload is 1..=512 bytes and the buffer holds the largest frame.
        let Ok(len) = Message::R0Stream(r0::Stream::new(self.seq, self.due_ms as u32, payload)).emit(&mut frame) else {
            return 0;
        };
        let Some(bytes) = frame.get(..len) else { return 0 };
        self.seq = self.seq.wrapping_add(1);
        let mut lost = 0;
        let overflow = (self.written + len as u64).saturating_sub(self.read + RING_BYTES as u64);
        if overflow > 0 {
            let new_read = self.read + overflow;
            lost = self.count_lost(new_read);
            self.read = new_read;
        }
        for &b in bytes.iter() {
            if let Some(slot) = self.ring.get_mut((self.written % RING_BYTES as u64) as usize) {
                *slot = b;
            }
            self.written += 1;
        }
        lost
    }

    /// Writes the next chunk (at most [`CHUNK_BYTES`] and `out.len()` bytes) into `out`.
    pub fn take_chunk(&mut self, out: &mut [u8]) -> usize {
        let n = self.pending().min(CHUNK_BYTES).min(out.len());
        for slot in out.iter_mut().take(n) {
            *slot = self.ring.get((self.read % RING_BYTES as u64) as usize).copied().unwrap_or_default();
            self.read += 1;
        }
        // Frames sent whole (or in part) are not lost any more.
        self.lost_through = self.lost_through.max(self.read.div_ceil(self.frame_len()));
        n
    }
}
