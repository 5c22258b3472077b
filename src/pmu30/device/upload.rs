//! The device's configuration store and the SET_CONFIG upload into it (session rules 3 and 4
//! of `docs/protocols/pmu30.md`, seen from the device).
//!
//! Chunks must come in order, each answered by one CONFIG_ACK. A chunk sent again after its
//! ACK was lost (the host retries after 1 s) is acknowledged again with the same answer and
//! is not stored twice; any other chunk out of order is refused. When the last chunk has
//! arrived the whole text is checked as JSON and, only if it is JSON, replaces the stored
//! configuration (the old one stays otherwise).

use super::json;
use crate::pmu30::payload::{ConfigAck, ConfigChunk, Success, error_code};

/// The largest configuration the device stores: 16 chunks of 512 bytes. Two buffers of this
/// size are held (the stored configuration and the upload in progress), 16 KiB in all.
pub const CONFIG_CAPACITY: usize = 8192;

/// The stored configuration and the upload in progress.
#[derive(Debug, Clone)]
pub struct ConfigStore {
    stored: [u8; CONFIG_CAPACITY],
    stored_len: usize,
    upload: Upload,
    staging: [u8; CONFIG_CAPACITY],
}

/// Where an upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Upload {
    /// `total_chunks` of the upload; 0 when none was started.
    total: u16,
    /// The index of the next chunk expected (`total` when the upload is over).
    next: u16,
    /// Bytes received so far.
    len: usize,
    /// Where the last chunk received starts in the staging buffer, and the ACK it got: a
    /// resent chunk gets the same ACK.
    last_start: usize,
    last_ack: Option<ConfigAck>,
}

const fn ack(code: u16) -> ConfigAck {
    ConfigAck { success: if code == 0 { Success::OK } else { Success::FAILED }, error_code: code }
}

impl ConfigStore {
    /// A store holding `initial` (cut at [`CONFIG_CAPACITY`] bytes), with no upload.
    pub fn new(initial: &[u8]) -> ConfigStore {
        let mut stored = [0u8; CONFIG_CAPACITY];
        let stored_len = initial.len().min(CONFIG_CAPACITY);
        if let (Some(dst), Some(src)) = (stored.get_mut(..stored_len), initial.get(..stored_len)) {
            dst.copy_from_slice(src);
        }
        ConfigStore { stored, stored_len, upload: Upload::default(), staging: [0; CONFIG_CAPACITY] }
    }

    /// The stored configuration.
    pub fn stored(&self) -> &[u8] {
        self.stored.get(..self.stored_len).unwrap_or(&[])
    }

    /// Forgets the upload in progress (a reset); the stored configuration stays.
    pub fn abort_upload(&mut self) {
        self.upload = Upload::default();
    }

    /// Takes one SET_CONFIG chunk and returns its CONFIG_ACK.
    pub fn accept(&mut self, chunk: &ConfigChunk<'_>) -> ConfigAck {
        let (index, total) = (chunk.chunk_index, chunk.total_chunks);
        if let Some(last_ack) = self.resent(chunk) {
            return last_ack;
        }
        if index == 0 {
            if total == 0 {
                return ack(error_code::INVALID_PAYLOAD);
            }
            self.upload = Upload { total, ..Upload::default() };
        } else if self.upload.total == 0 || total != self.upload.total || index != self.upload.next {
            // No upload to continue, another upload's chunk, or a chunk out of order: refused,
            // and the upload in progress (if any) can still go on from where it was.
            return ack(error_code::INVALID_PAYLOAD);
        }
        let start = self.upload.len;
        let end = start.saturating_add(chunk.data.len());
        let Some(dst) = self.staging.get_mut(start..end) else {
            // Larger than the store: the upload is over, with nothing stored.
            self.upload = Upload::default();
            return ack(error_code::CONFIG_WRITE_ERROR);
        };
        dst.copy_from_slice(chunk.data);
        self.upload.len = end;
        self.upload.next = index.saturating_add(1);
        self.upload.last_start = start;
        let answer = if self.upload.next < total { ack(0) } else { self.commit() };
        self.upload.last_ack = Some(answer);
        answer
    }

    /// The ACK again for the chunk received last, if `chunk` is that chunk sent again (same
    /// place, same bytes); `None` for any other chunk.
    fn resent(&self, chunk: &ConfigChunk<'_>) -> Option<ConfigAck> {
        let upload = &self.upload;
        let last_ack = upload.last_ack?;
        let is_last_index = upload.next.checked_sub(1) == Some(chunk.chunk_index);
        let same_bytes = self.staging.get(upload.last_start..upload.len) == Some(chunk.data);
        (is_last_index && chunk.total_chunks == upload.total && same_bytes).then_some(last_ack)
    }

    /// The last chunk has arrived: checks the whole as JSON and stores it if it is.
    fn commit(&mut self) -> ConfigAck {
        let Some(text) = self.staging.get(..self.upload.len) else {
            return ack(error_code::INTERNAL_ERROR);
        };
        if json::check(text).is_err() {
            return ack(error_code::CONFIG_PARSE_ERROR);
        }
        if let Some(dst) = self.stored.get_mut(..text.len()) {
            dst.copy_from_slice(text);
            self.stored_len = text.len();
        }
        ack(0)
    }
}
