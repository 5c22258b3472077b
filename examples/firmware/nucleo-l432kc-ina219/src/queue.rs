//! The stream-frame queue between the sampler and the USB writer.
//!
//! When the host reads too slowly (or has closed the port, so DTR is low) the queue fills.
//! A new frame then replaces the oldest one: the host gets the most recent data, sees the
//! loss as a `seq` gap, and never receives half a frame. The device counts the drops.

use heapless::Deque;

use crate::frame::WireFrame;

/// A bounded FIFO of whole frames that drops its oldest frame when full.
pub struct FrameQueue<const N: usize> {
    frames: Deque<WireFrame, N>,
    dropped: u32,
}

impl<const N: usize> FrameQueue<N> {
    /// A queue of `N` frames; `N = 0` does not compile.
    const ROOM: () = assert!(N > 0, "a FrameQueue needs room for one frame");

    /// An empty queue.
    pub const fn new() -> Self {
        let () = Self::ROOM;
        FrameQueue { frames: Deque::new(), dropped: 0 }
    }

    /// Appends `frame`, dropping the oldest frame first if the queue is full. Returns
    /// whether a frame was dropped.
    pub fn push(&mut self, frame: WireFrame) -> bool {
        let dropped = self.frames.is_full() && self.frames.pop_front().is_some();
        if dropped {
            self.dropped = self.dropped.wrapping_add(1);
        }
        // There is room now (N > 0), so this cannot hand the frame back.
        let _ = self.frames.push_back(frame);
        dropped
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

    /// Frames dropped since boot (wraps at 2^32).
    pub fn dropped(&self) -> u32 {
        self.dropped
    }
}

impl<const N: usize> Default for FrameQueue<N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use serial_dialects::powerscope::{Ina219Sample, Message, Revision, SensorPacket, Stream};

    use super::*;

    fn frame(seq: u32) -> WireFrame {
        let sample = Ina219Sample { runtime_id: 1, bus_mv: 5000, current_ua: 1000 };
        WireFrame::encode(&Message::Stream(Stream::new(seq, seq, SensorPacket::Ina219(sample)))).unwrap()
    }

    fn seq_of(frame: &WireFrame) -> u32 {
        Message::from_bytes(frame.as_bytes(), Revision::R1).unwrap().header().unwrap().seq
    }

    #[test]
    fn keeps_order_until_full() {
        let mut q: FrameQueue<3> = FrameQueue::new();
        for seq in 0..3 {
            assert!(!q.push(frame(seq)));
        }
        assert_eq!(q.len(), 3);
        assert_eq!(q.pop().map(|f| seq_of(&f)), Some(0));
        assert_eq!(q.dropped(), 0);
    }

    #[test]
    fn drops_whole_oldest_frames_and_counts_them() {
        let mut q: FrameQueue<3> = FrameQueue::new();
        for seq in 0..10 {
            q.push(frame(seq));
        }
        assert_eq!(q.dropped(), 7);
        let mut seqs = [0u32; 3];
        for s in &mut seqs {
            let f = q.pop().unwrap();
            // Every frame that comes out is a whole, checksum-valid frame.
            assert_eq!(f.as_bytes().len(), 25);
            *s = seq_of(&f);
        }
        assert_eq!(seqs, [7, 8, 9]);
        assert!(q.is_empty());
    }
}
