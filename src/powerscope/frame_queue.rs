//! Whole encoded frames and the drop-oldest queue the device model (and the firmware
//! built on it) keeps them in between producing and sending.
//!
//! When the host reads too slowly (or has closed the port, so DTR is low) the queue fills.
//! A new frame then replaces the oldest one: the host gets the most recent data, sees the
//! loss as a `seq` gap, and never receives half a frame.

use heapless::Deque;

use crate::error::EncodeError;

use super::header::Revision;
use super::message::Message;

/// The longest revision-1 frame: 16-byte header, 46-byte payload, CRC (one USB FS packet).
pub const MAX_WIRE_FRAME: usize = Revision::R1.max_frame_len();

/// The wire bytes of one revision-1 frame, stored whole so that it is sent whole or not
/// at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireFrame {
    bytes: [u8; MAX_WIRE_FRAME],
    len: u8,
}

impl WireFrame {
    /// Encodes `message` (a revision-1 message: at most [`MAX_WIRE_FRAME`] bytes).
    pub fn encode(message: &Message<'_>) -> Result<WireFrame, EncodeError> {
        let mut bytes = [0; MAX_WIRE_FRAME];
        let len = message.emit(&mut bytes)?;
        // emit wrote at most the buffer's 64 bytes.
        Ok(WireFrame { bytes, len: len as u8 })
    }

    /// The frame's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }
}

/// A bounded FIFO of whole frames, `N` at most, that drops its oldest frame when full.
/// Its `limit` (1..=`N`) lets one capacity serve several configured depths.
#[derive(Debug)]
pub struct FrameQueue<const N: usize> {
    frames: Deque<WireFrame, N>,
    limit: usize,
}

impl<const N: usize> FrameQueue<N> {
    /// A queue of `N` frames; `N = 0` does not compile.
    const ROOM: () = assert!(N > 0, "a FrameQueue needs room for one frame");

    /// An empty queue holding at most `N` frames.
    pub const fn new() -> Self {
        let () = Self::ROOM;
        FrameQueue { frames: Deque::new(), limit: N }
    }

    /// An empty queue holding at most `limit` frames (clamped to 1..=`N`).
    pub fn with_limit(limit: usize) -> Self {
        FrameQueue { limit: limit.clamp(1, N), ..Self::new() }
    }

    /// The most frames it holds.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Appends `frame`, dropping the oldest frame first if the queue is full. Returns
    /// whether a frame was dropped.
    pub fn push(&mut self, frame: WireFrame) -> bool {
        let dropped = self.frames.len() >= self.limit && self.frames.pop_front().is_some();
        // There is room now (limit <= N), so this cannot hand the frame back.
        let _ = self.frames.push_back(frame);
        dropped
    }

    /// The oldest frame, left in place.
    pub fn front(&self) -> Option<&WireFrame> {
        self.frames.front()
    }

    /// Takes the oldest frame.
    pub fn pop(&mut self) -> Option<WireFrame> {
        self.frames.pop_front()
    }

    /// Frames waiting.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether no frame is waiting.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Forgets every frame.
    pub fn clear(&mut self) {
        self.frames.clear();
    }
}

impl<const N: usize> Default for FrameQueue<N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Ina219Sample, SensorPacket, Stream};
    use super::*;

    fn frame(seq: u32) -> WireFrame {
        let sample = Ina219Sample { runtime_id: 1, bus_mv: 5000, current_ua: 1000 };
        WireFrame::encode(&Message::Stream(Stream::new(seq, seq, SensorPacket::Ina219(sample)))).unwrap()
    }

    fn seq_of(frame: &WireFrame) -> u32 {
        Message::from_bytes(frame.as_bytes(), Revision::R1).unwrap().header().unwrap().seq
    }

    #[test]
    fn drops_whole_oldest_frames_at_its_limit() {
        let mut q: FrameQueue<8> = FrameQueue::with_limit(3);
        let dropped = (0..10).filter(|&seq| q.push(frame(seq))).count();
        assert_eq!(dropped, 7);
        let seqs: [u32; 3] = core::array::from_fn(|_| seq_of(&q.pop().unwrap()));
        assert_eq!(seqs, [7, 8, 9]);
        assert!(q.is_empty());
        assert_eq!(FrameQueue::<8>::with_limit(0).limit(), 1);
        assert_eq!(FrameQueue::<8>::with_limit(99).limit(), 8);
    }
}
