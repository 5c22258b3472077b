//! One encoded revision-1 frame, stored whole.

use serial_dialects::EncodeError;
use serial_dialects::powerscope::{Message, Revision};

/// The longest revision-1 frame: 16-byte header, 46-byte payload, CRC (one USB FS packet).
pub const MAX_FRAME_LEN: usize = Revision::R1.max_frame_len();

/// The wire bytes of one frame. Queues hold these, so a frame is sent whole or not at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireFrame {
    bytes: [u8; MAX_FRAME_LEN],
    len: usize,
}

impl WireFrame {
    /// Encodes `message` with the library's encoder.
    pub fn encode(message: &Message<'_>) -> Result<WireFrame, EncodeError> {
        let mut bytes = [0; MAX_FRAME_LEN];
        let len = message.emit(&mut bytes)?;
        Ok(WireFrame { bytes, len })
    }

    /// The frame's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}
