//! Record batching and packet framing of the bridge between an ESC and the PC tool: the
//! records of one flush period gathered in a half of a ping-pong, framed as one DBG_FRAME1
//! packet, and terminal bytes framed as CLI packets (docs/protocols/vectordebug.md, "Device
//! model"). The device model and the `blackpill-spi-bridge` firmware both batch with this.

use crate::cobs::max_encoded_len;
use crate::error::EncodeError;

use super::frame::field;
use super::payload::Payload;
use super::record::{Record, Records};

/// Records in one half of the ping-pong. 200 records are 10 ms at 20 kHz, the original
/// documentation's slowest flush and its largest typical batch (2807 decoded bytes, inside
/// its "2–4 KB" packets): at 20 kHz the flush timer, not the half, ends every batch for any
/// flush period in 1–10 ms, and a full half still costs only 9 to 20 bytes of framing
/// (header, CRC, COBS, delimiter: under 1 %, see the README).
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

impl Default for Batch {
    fn default() -> Self {
        Self::new()
    }
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
    Payload::DbgFrame1 { records: batch.records() }.emit(out)
}

/// Writes the wire frame of one CLI packet carrying `data` (terminal bytes).
pub fn frame_cli(data: &[u8], out: &mut [u8]) -> Result<usize, EncodeError> {
    Payload::Cli { data }.emit(out)
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::super::{Config, Message, PacketType, VectorDebug};
    use super::*;
    use crate::SliceDecoder;

    /// Copies records into the half as the DMA ring does: whole records into `spare`.
    fn fill(batch: &mut Batch, records: &[Record]) {
        for record in records {
            batch.spare()[..Record::SIZE].copy_from_slice(&record.to_bytes());
            batch.commit(Record::SIZE);
        }
    }

    /// Decodes a wire stream with the library's decoder (the PC tool's limit), asserting
    /// that every event is a valid packet.
    fn decode(wire: &[u8], check: impl FnMut(&Message<'_>)) -> usize {
        let events = SliceDecoder::new(VectorDebug::new(Config::default()), wire);
        let packets: Vec<_> = events.map(|event| *event.frame().expect("a valid packet")).collect();
        packets.iter().for_each(check);
        packets.len()
    }

    /// A full half framed as one packet: the decoded records, asserted against `sent`.
    fn frame_and_check(sent: &[Record]) -> usize {
        let mut batch = Batch::new();
        fill(&mut batch, sent);
        let mut wire = [0u8; WIRE_BUF];
        let n = frame_records(&batch, &mut wire).unwrap();
        assert_eq!(wire[n - 1], 0, "frame ends with its delimiter");
        assert!(!wire[..n - 1].contains(&0), "COBS leaves no 0x00 inside the frame");
        let packets = decode(&wire[..n], |packet| {
            assert_eq!(packet.packet_type(), PacketType::DbgFrame1);
            assert_eq!(packet.len_field() as usize, sent.len() * Record::SIZE);
            assert_eq!(packet.trailing_len(), 0);
            let got: Vec<Record> = packet.records().collect();
            assert_eq!(got, sent);
        });
        assert_eq!(packets, 1);
        n
    }

    /// 200 records whose seq wraps 65535 → 0 half way, with zero bytes in the data.
    fn wrapping_records() -> Vec<Record> {
        (0..HALF_RECORDS)
            .map(|i| {
                let k = i as i16;
                Record {
                    seq: 65_436u16.wrapping_add(i as u16),
                    payload: [k * 97 - 9000, 0, -k, 256, i16::MIN, i16::MAX],
                }
            })
            .collect()
    }

    /// 200 records with no zero byte anywhere: COBS's worst case.
    fn zero_free_records(salt: u8) -> Vec<Record> {
        let nonzero = |x: usize| (x % 255) as u8 + 1;
        (0..HALF_RECORDS)
            .map(|i| {
                let mut bytes = [0u8; Record::SIZE];
                for (j, b) in bytes.iter_mut().enumerate() {
                    *b = nonzero(i * Record::SIZE + j + usize::from(salt));
                }
                Record::from_bytes(&bytes)
            })
            .collect()
    }

    #[test]
    fn full_half_with_seq_wrap_and_zero_bytes_decodes_record_for_record() {
        let sent = wrapping_records();
        assert!(sent.iter().any(|r| r.seq == 0) && sent.iter().any(|r| r.seq == u16::MAX));
        let mut batch = Batch::new();
        fill(&mut batch, &sent);
        assert!(batch.is_full());
        assert_eq!(batch.spare().len(), 0);
        let n = frame_and_check(&sent);
        assert!(n <= WIRE_BUF);
    }

    #[test]
    fn full_half_without_zero_bytes_decodes_record_for_record() {
        let sent = zero_free_records(0);
        assert!(sent.iter().all(|r| !r.to_bytes().contains(&0)));
        frame_and_check(&sent);
    }

    #[test]
    fn wire_buffer_is_the_longest_frame_produced() {
        // The header's `len` (2800 = F0 0A 00 00) has two zero bytes and the CRC may have
        // one, so not every zero-free payload reaches the bound; the longest one must.
        let longest = (0..=u8::MAX).map(|salt| frame_and_check(&zero_free_records(salt))).max().unwrap();
        assert_eq!(longest, WIRE_BUF);
        assert_eq!(WIRE_BUF, 2820);
        let records = zero_free_records(0);
        assert_eq!(Payload::DbgFrame1 { records: Records::new(&records) }.buffer_len(), WIRE_BUF);
    }

    #[test]
    fn partial_half_from_the_flush_timer_holds_one_record() {
        let sent = [Record { seq: 7, payload: [1, -1, 0, 300, -300, 0] }];
        let mut batch = Batch::new();
        assert!(batch.is_empty());
        fill(&mut batch, &sent);
        assert!(!batch.is_empty() && !batch.is_full());
        assert_eq!(batch.records().len(), 1);
        let n = frame_and_check(&sent);
        // 7 bytes of header and CRC plus 14 of record, COBS, delimiter.
        assert!((1 + 21 + 1..=wire_len_bound(Record::SIZE)).contains(&n));
    }

    #[test]
    fn cleared_half_is_empty_and_refills_from_the_start() {
        let mut batch = Batch::new();
        fill(&mut batch, &wrapping_records());
        batch.clear();
        assert!(batch.is_empty() && !batch.is_full());
        assert_eq!(batch.spare().len(), HALF_BYTES);
        let sent = [Record { seq: 1, payload: [2; 6] }, Record { seq: 2, payload: [3; 6] }];
        fill(&mut batch, &sent);
        frame_and_check(&sent);
    }

    #[test]
    fn commit_never_counts_past_the_half() {
        let mut batch = Batch::new();
        batch.commit(HALF_BYTES + Record::SIZE);
        assert!(batch.is_full());
        assert_eq!(batch.records().len(), HALF_RECORDS);
    }

    #[test]
    fn uart_bytes_become_cli_packets_that_decode_to_the_same_bytes() {
        // 1000 UART bytes, zeros included, read from the pipe CLI_CHUNK bytes at a time as
        // the USB writer does, one CLI packet per read.
        let uart: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 256) as u8).collect();
        assert!(uart.contains(&0));
        let mut wire = Vec::new();
        for chunk in uart.chunks(CLI_CHUNK) {
            let mut frame = [0u8; WIRE_BUF];
            let n = frame_cli(chunk, &mut frame).unwrap();
            assert!(n <= wire_len_bound(CLI_CHUNK));
            wire.extend_from_slice(&frame[..n]);
        }
        let mut received = Vec::new();
        let packets = decode(&wire, |packet| {
            assert_eq!(packet.packet_type(), PacketType::Cli);
            assert!(packet.payload_len() <= CLI_CHUNK);
            received.extend(packet.payload_bytes());
        });
        assert_eq!(packets, 4);
        assert_eq!(received, uart);
    }
}
