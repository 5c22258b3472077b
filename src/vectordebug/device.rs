//! The vectordebug device model: the Blackpill bridge with an ESC behind it, as a sans-I/O
//! [`Device`] (docs/protocols/vectordebug.md, "Device model").
//!
//! * The ESC records six signals of its field-oriented control ([`Foc`]) at
//!   `record_rate_hz` (20 kHz), each with the next 16-bit `seq`.
//! * The bridge gathers the records of every `batch_ms` (1..=10 ms, at most
//!   [`HALF_RECORDS`]) in one half of its ping-pong and sends them as one DBG_FRAME1 packet
//!   ([`batch`](super::batch)). When both halves wait for a host that does not read, the
//!   newest records are dropped, as the bridge does; the `seq` gap shows them to the host
//!   (and [`DeviceStats::dropped`] counts them).
//! * The host's CLI packets carry keystrokes to the ESC's command line ([`EscCli`]); its
//!   echo and answers come back in CLI packets. The end of each [`Device::receive`] is taken
//!   as the end of the host's write, which ends a packet sent without its 0x00 (the PC tool
//!   sends none).

use crate::device::{Device, DeviceStats, OutputKind, Transmit};
use crate::dialect::Item;
use crate::error::{DialectError, ErrorKind};
use crate::stream::StreamDecoder;

use super::batch::{Batch, CLI_CHUNK, HALF_RECORDS, WIRE_BUF, frame_cli, frame_records, wire_len_bound};
use super::esc_cli::{EscCli, Outcome};
use super::foc::Foc;
use super::frame::PacketType;
use super::record::Record;
use super::scan::{Config, VectorDebug};

/// The bridge's ping-pong: two halves may wait for the host.
pub const HALVES: usize = 2;
/// Host → device packets are keystrokes and pasted text: 2048 decoded bytes bound them
/// (the PC tool sends at most 2032 bytes of text per packet).
pub const FROM_HOST: Config = Config { max_packet: 2048 };
const FROM_HOST_BUF: usize = FROM_HOST.max_frame_len();

/// How the model is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Records per second (the ESC's control rate): 20 000 by default, 1..=200 000.
    pub record_rate_hz: u32,
    /// The bridge's flush period, ms (1..=10; 5 by default).
    pub batch_ms: u16,
    /// The speed the ESC runs at from boot, rpm (3000 by default).
    pub start_rpm: i32,
    /// The seed of the signals' noise.
    pub seed: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { record_rate_hz: 20_000, batch_ms: 5, start_rpm: 3_000, seed: 1 }
    }
}

impl Settings {
    fn rate(&self) -> u64 {
        u64::from(self.record_rate_hz.clamp(1, 200_000))
    }

    /// Records in one batch: a flush period's worth, at least 1, at most a half.
    pub fn records_per_batch(&self) -> u64 {
        (self.rate() * u64::from(self.batch_ms.clamp(1, 10)) / 1000).clamp(1, HALF_RECORDS as u64)
    }

    /// When batch `index` (counted from boot) is complete: its last record's time, ms.
    fn batch_due_ms(&self, index: u64) -> u64 {
        (index.saturating_add(1).saturating_mul(self.records_per_batch()).saturating_mul(1000)).div_ceil(self.rate())
    }

    /// How many batches are complete `uptime_ms` after boot.
    fn batches_done(&self, uptime_ms: u64) -> u64 {
        uptime_ms.saturating_mul(self.rate()) / 1000 / self.records_per_batch()
    }
}

/// The bridge and its ESC, fed the host's bytes, producing the device's (see the module
/// documentation).
pub struct Model {
    settings: Settings,
    foc: Foc,
    /// The next record the ESC will produce (counted from boot); its `seq` is this mod 2^16.
    foc_at: u64,
    /// Batches handed to the bridge so far (sent, waiting, or dropped).
    batches_done: u64,
    /// Complete batches waiting for the host, oldest first.
    waiting: heapless::Deque<u64, HALVES>,
    batch: Batch,
    decoder: StreamDecoder<VectorDebug, FROM_HOST_BUF>,
    cli: EscCli,
    boot_ms: u64,
    now_ms: u64,
    stats: DeviceStats,
}

impl Model {
    /// The bridge and ESC booted at time 0.
    pub fn new(settings: Settings) -> Model {
        Model {
            settings,
            foc: Foc::new(settings.rate() as u32, settings.start_rpm, settings.seed),
            foc_at: 0,
            batches_done: 0,
            waiting: heapless::Deque::new(),
            batch: Batch::new(),
            decoder: StreamDecoder::new(VectorDebug::new(FROM_HOST)),
            cli: EscCli::new(),
            boot_ms: 0,
            now_ms: 0,
            stats: DeviceStats::default(),
        }
    }

    /// The settings the model was made with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The simulated motor.
    pub fn foc(&self) -> &Foc {
        &self.foc
    }

    fn clock(&mut self, now_ms: u64) -> u64 {
        self.now_ms = self.now_ms.max(now_ms);
        self.now_ms - self.boot_ms
    }

    /// Hands the batches complete by `uptime` to the bridge: into a free half, or dropped.
    fn settle(&mut self, uptime: u64) {
        let done = self.settings.batches_done(uptime);
        let new = done.saturating_sub(self.batches_done);
        let room = (HALVES - self.waiting.len()) as u64;
        for index in self.batches_done..self.batches_done + new.min(room) {
            let _ = self.waiting.push_back(index);
        }
        let dropped = new.saturating_sub(room).saturating_mul(self.settings.records_per_batch());
        self.stats.dropped = self.stats.dropped.saturating_add(dropped);
        self.batches_done = self.batches_done.max(done);
    }

    /// Fills the batch with the records of batch `index`.
    fn record_batch(&mut self, index: u64) {
        let per_batch = self.settings.records_per_batch();
        let first = index.saturating_mul(per_batch);
        self.foc.skip(first.saturating_sub(self.foc_at));
        self.foc_at = self.foc_at.max(first);
        self.batch.clear();
        for _ in 0..per_batch {
            let record = self.foc.record(self.foc_at as u16);
            self.foc_at += 1;
            if let Some(slot) = self.batch.spare().get_mut(..Record::SIZE) {
                slot.copy_from_slice(&record.to_bytes());
                self.batch.commit(Record::SIZE);
            }
        }
    }

    fn push_host(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        let mut stalled = 0;
        while !rest.is_empty() && stalled < 2 {
            let taken = self.decoder.push(rest);
            rest = rest.get(taken..).unwrap_or_default();
            stalled = if taken == 0 { stalled + 1 } else { 0 };
            self.drain_host();
        }
    }

    /// Types the payload of every decoded CLI packet into the ESC's terminal.
    fn drain_host(&mut self) {
        let Model { decoder, cli, foc, foc_at, stats, .. } = self;
        while let Some(event) = decoder.next() {
            match &event.item {
                Item::Frame(packet) if packet.packet_type() == PacketType::Cli => {
                    for byte in packet.payload_bytes() {
                        key(cli, foc, *foc_at, stats, byte);
                    }
                }
                Item::Error(e) if e.kind() == ErrorKind::EmptyChunk => {}
                _ => stats.bad_input = stats.bad_input.saturating_add(1),
            }
        }
    }

    fn sent(&mut self, len: usize, kind: OutputKind) -> Option<Transmit> {
        self.stats.bytes_sent = self.stats.bytes_sent.saturating_add(len as u64);
        match kind {
            OutputKind::Reply => self.stats.replies = self.stats.replies.saturating_add(1),
            OutputKind::Periodic => self.stats.frames_sent = self.stats.frames_sent.saturating_add(1),
        }
        Some(Transmit { len, kind })
    }
}

/// Types one byte into the ESC's terminal, counting the lines it answers.
fn key(cli: &mut EscCli, foc: &mut Foc, records: u64, stats: &mut DeviceStats, byte: u8) {
    match cli.key(byte, foc, records) {
        Some(Outcome::Done) => stats.requests = stats.requests.saturating_add(1),
        Some(Outcome::Refused) => {
            stats.requests = stats.requests.saturating_add(1);
            stats.refused = stats.refused.saturating_add(1);
        }
        Some(Outcome::Empty) | None => {}
    }
}

impl Device for Model {
    /// A full half: 200 records in one DBG_FRAME1 packet (2820 bytes at most).
    const MAX_TRANSMIT: usize = WIRE_BUF;

    fn receive(&mut self, bytes: &[u8], now_ms: u64) {
        self.stats.bytes_received = self.stats.bytes_received.saturating_add(bytes.len() as u64);
        let uptime = self.clock(now_ms);
        // Records made before the command take effect are not changed by it.
        self.settle(uptime);
        if bytes.is_empty() {
            return;
        }
        self.push_host(bytes);
        if bytes.last() != Some(&0) {
            // The end of the host's write ends its packet (the PC tool sends no 0x00).
            self.push_host(&[0]);
        }
    }

    fn transmit(&mut self, now_ms: u64, out: &mut [u8]) -> Option<Transmit> {
        let uptime = self.clock(now_ms);
        self.settle(uptime);
        if self.cli.pending() > 0 {
            if out.len() < wire_len_bound(self.cli.pending().min(CLI_CHUNK)) {
                return None; // the text stays queued for a buffer that holds its packet
            }
            let mut text = [0u8; CLI_CHUNK];
            let n = self.cli.take(&mut text);
            let len = frame_cli(text.get(..n).unwrap_or_default(), out).ok()?;
            return self.sent(len, OutputKind::Reply);
        }
        let &index = self.waiting.front()?;
        if out.len()
            < WIRE_BUF.min(super::batch::wire_len_bound(self.settings.records_per_batch() as usize * Record::SIZE))
        {
            return None;
        }
        self.waiting.pop_front();
        self.record_batch(index);
        let len = frame_records(&self.batch, out).ok()?;
        self.sent(len, OutputKind::Periodic)
    }

    fn poll_at(&self) -> Option<u64> {
        if self.cli.pending() > 0 || !self.waiting.is_empty() {
            return Some(self.now_ms);
        }
        Some(self.boot_ms.saturating_add(self.settings.batch_due_ms(self.batches_done)))
    }

    fn reset(&mut self, now_ms: u64) {
        let stats = self.stats;
        *self = Model::new(self.settings);
        self.now_ms = self.now_ms.max(now_ms);
        self.boot_ms = self.now_ms;
        self.stats = DeviceStats { resets: stats.resets.saturating_add(1), ..stats };
    }

    fn stats(&self) -> &DeviceStats {
        &self.stats
    }
}
