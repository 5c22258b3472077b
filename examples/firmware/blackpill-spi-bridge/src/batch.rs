//! Record batching and packet framing: the pure logic between the SPI capture, the UART
//! and the USB writer. No I/O here, and no protocol code: every byte of framing (header,
//! CRC-16, COBS, 0x00) comes from `serial_dialects::vectordebug`.

use serial_dialects::EncodeError;
use serial_dialects::cobs::max_encoded_len;
use serial_dialects::vectordebug::{Message, Record, Records, field};

/// Records in one half of the ping-pong. 200 records are 10 ms at 20 kHz, the seed's
/// slowest flush and its largest typical batch (2807 decoded bytes, inside its "2–4 KB"
/// packets): at 20 kHz the flush timer, not the half, ends every batch for any flush period
/// in 1–10 ms, and a full half still costs only 9 to 20 bytes of framing (header, CRC,
/// COBS, delimiter: under 1 %, see the README).
pub const HALF_RECORDS: usize = 200;

/// Bytes in one half of the ping-pong.
pub const HALF_BYTES: usize = HALF_RECORDS * Record::SIZE;

/// Most UART bytes carried by one device → host CLI packet.
pub const CLI_CHUNK: usize = 256;

/// The longest wire frame of a packet with `payload` bytes: COBS of header, payload and
/// CRC, plus the 0x00 delimiter.
pub const fn wire_len_bound(payload: usize) -> usize {
    max_encoded_len(payload + field::OVERHEAD) + 1
}

/// A USB transmit buffer that holds the longest frame the bridge sends (a full half).
pub const WIRE_BUF: usize = wire_len_bound(HALF_BYTES);

// A CLI chunk or a status line must fit the same buffer.
const _: () = assert!(wire_len_bound(CLI_CHUNK) <= WIRE_BUF);

/// One half of the ping-pong: whole 14-byte records exactly as the SPI master sent them
/// (`seq u16 LE, payload [i16 LE; 6]` is also their layout in a DBG_FRAME1 payload).
pub struct Batch {
    bytes: [u8; HALF_BYTES],
    len: usize,
}

impl Batch {
    /// An empty half.
    pub const fn new() -> Self {
        Batch { bytes: [0; HALF_BYTES], len: 0 }
    }

    /// Forgets the records (the half is being reused after the USB writer sent it).
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The unfilled part, for the DMA ring to copy into.
    pub fn spare(&mut self) -> &mut [u8] {
        &mut self.bytes[self.len..]
    }

    /// Accounts for `n` bytes written into [`spare`](Self::spare). The ring buffer's
    /// 14-byte alignment makes `n` a whole number of records.
    pub fn commit(&mut self, n: usize) {
        self.len = (self.len + n).min(HALF_BYTES);
    }

    /// True when no record fits any more.
    pub fn is_full(&self) -> bool {
        HALF_BYTES - self.len < Record::SIZE
    }

    /// True when the half holds no record.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The records, viewed in place (no copy).
    pub fn records(&self) -> Records<'_> {
        Records::from_payload(&self.bytes[..self.len])
    }
}

/// Writes the wire frame of one DBG_FRAME1 packet holding the batch's records.
pub fn frame_records(batch: &Batch, out: &mut [u8]) -> Result<usize, EncodeError> {
    Message::DbgFrame1 { records: batch.records() }.emit(out)
}

/// Writes the wire frame of one CLI packet carrying `data` (terminal bytes).
pub fn frame_cli(data: &[u8], out: &mut [u8]) -> Result<usize, EncodeError> {
    Message::Cli { data }.emit(out)
}
