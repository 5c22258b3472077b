//! The powerscope device model: the STM32L432 + INA219 power monitor of either revision as
//! a sans-I/O [`Device`] (docs/protocols/powerscope.md, "Device model").
//!
//! * Revision 0: test-ramp STREAM frames every 5 ms from boot into an overwrite-oldest byte
//!   ring, sent in chunks of up to 512 bytes; the raw bytes `0x01` START and `0x02` STOP
//!   switch the stream on and off, with no reply ([`RampStream`]).
//! * Revision 1: every CMD answered with its ACK or the right NACK ([`Board`]), INA219
//!   STREAM samples of each started sensor `period + 3` ms apart, from a pluggable
//!   [`SampleSource`] (the simulator's [`LoadProfile`], a board's real chips), in a
//!   drop-oldest queue of whole frames ([`FrameQueue`]); replies go before samples.
//!
//! The `nucleo-l432kc-ina219` firmware example runs this model with its INA219 readings as
//! the sample source.

use crate::device::{Device, DeviceStats, OutputKind, Transmit};
use crate::dialect::Item;
use crate::stream::StreamDecoder;

use super::board::{Answer, Board, read_failed, refusal};
use super::frame_queue::{FrameQueue, WireFrame};
use super::header::Revision;
use super::load_profile::{LoadProfile, SampleSource};
use super::message::Message;
use super::r0;
use super::ramp_stream::{self, RampStream};
use super::scan::{Config, PowerScope};

/// The most STREAM frames the revision-1 queue holds (the firmware example's depth: 0.64 s
/// at the fastest period, 128 s at the default one).
pub const QUEUE_CAPACITY: usize = 128;
/// Replies waiting to be sent; a host that sends more commands than it reads answers for
/// loses the oldest answers (counted as dropped).
pub const REPLY_SLOTS: usize = 16;
/// The shipped simulator board's UID (GET_BOARD_UID), the default of [`Settings::uid`].
pub const DEFAULT_UID: [u8; 12] = [0x48, 0x35, 0x8a, 0xb4, 0xa2, 0x91, 0x92, 0x5a, 0xfc, 0x00, 0xe4, 0xf0];

/// How the model is built: the revision and the board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The revision (the dialect's configuration): r0 or r1.
    pub config: Config,
    /// Revision 1: the INA219s' runtime ids, as GET_SENSORS lists them (at most
    /// [`MAX_BOARD_SENSORS`](super::board::MAX_BOARD_SENSORS) are used). Default `[1, 2]`,
    /// the shipped board.
    pub sensors: heapless::Vec<u8, { super::board::MAX_BOARD_SENSORS }>,
    /// Revision 1: the 96-bit unique id GET_BOARD_UID answers.
    pub uid: [u8; 12],
    /// Revision 1: the time the firmware's sampling state machine adds to each period
    /// (3 ms on the shipped firmware; 0 for samples exactly at the period).
    pub sample_overhead_ms: u16,
    /// Revision 1: STREAM frames the drop-oldest queue holds (1..=[`QUEUE_CAPACITY`]).
    pub queue_depth: usize,
    /// The seed of the load profile's noise.
    pub seed: u32,
    /// Revision 0: the ramp frames' period, ms (5 on the original firmware).
    pub r0_period_ms: u16,
    /// Revision 0: the ramp's length, payload bytes (1..=512; 128 on the original firmware).
    pub r0_payload_len: u16,
    /// Revision 0: whether the stream runs from boot (it does on the original firmware).
    pub r0_stream_at_boot: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings::new(Config::r1())
    }
}

impl Settings {
    /// The shipped device of the configured revision.
    pub fn new(config: Config) -> Settings {
        Settings {
            config,
            sensors: heapless::Vec::from_slice(&[1, 2]).unwrap_or_default(),
            uid: DEFAULT_UID,
            sample_overhead_ms: 3,
            queue_depth: QUEUE_CAPACITY,
            seed: 1,
            r0_period_ms: ramp_stream::DEFAULT_PERIOD_MS,
            r0_payload_len: ramp_stream::DEFAULT_PAYLOAD_LEN,
            r0_stream_at_boot: true,
        }
    }
}

/// The revision-1 half: the command decoder, the board, the replies and the samples.
struct Commands {
    decoder: StreamDecoder<PowerScope, { Revision::R1.max_frame_len() }>,
    board: Board,
    replies: heapless::Deque<WireFrame, REPLY_SLOTS>,
    samples: FrameQueue<QUEUE_CAPACITY>,
}

/// One revision's device. Both variants are large (a ring, a queue) and no heap may box
/// them; a model is one revision for its whole life, so the size is the larger one's.
#[allow(clippy::large_enum_variant)]
enum Engine {
    R0(RampStream),
    R1(Commands),
}

/// The powerscope device, fed the host's bytes, producing the device's (see the module
/// documentation). `S` supplies the INA219 readings.
pub struct Model<S: SampleSource = LoadProfile> {
    settings: Settings,
    source: S,
    engine: Engine,
    /// The time of the last (re)boot: device time is `now - boot_ms`.
    boot_ms: u64,
    /// The latest time the caller gave.
    now_ms: u64,
    stats: DeviceStats,
}

impl Model<LoadProfile> {
    /// The simulated device: readings from a [`LoadProfile`] seeded with `settings.seed`,
    /// booted at time 0.
    pub fn new(settings: Settings) -> Self {
        let source = LoadProfile::new(settings.seed);
        Model::with_source(settings, source)
    }
}

impl<S: SampleSource> Model<S> {
    /// A device whose INA219 readings come from `source`, booted at time 0.
    pub fn with_source(settings: Settings, source: S) -> Self {
        let engine = Self::boot(&settings);
        Model { settings, source, engine, boot_ms: 0, now_ms: 0, stats: DeviceStats::default() }
    }

    fn boot(settings: &Settings) -> Engine {
        match settings.config.revision {
            Revision::R0 => {
                Engine::R0(RampStream::new(settings.r0_payload_len, settings.r0_period_ms, settings.r0_stream_at_boot))
            }
            Revision::R1 => Engine::R1(Commands {
                decoder: StreamDecoder::new(PowerScope::r1()),
                board: Board::new(&settings.sensors, settings.uid, settings.sample_overhead_ms),
                replies: heapless::Deque::new(),
                samples: FrameQueue::with_limit(settings.queue_depth),
            }),
        }
    }

    /// The settings the model was made with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The sample source (a board updates its readings through it).
    pub fn source_mut(&mut self) -> &mut S {
        &mut self.source
    }

    /// Device time (ms since the last boot) at the caller's `now_ms`.
    pub fn uptime_ms(&self, now_ms: u64) -> u64 {
        now_ms.saturating_sub(self.boot_ms)
    }

    /// STREAM frames waiting in the revision-1 queue, or bytes in the revision-0 ring.
    pub fn backlog(&self) -> usize {
        match &self.engine {
            Engine::R0(ramp) => ramp.pending(),
            Engine::R1(c) => c.samples.len(),
        }
    }

    fn clock(&mut self, now_ms: u64) -> u64 {
        self.now_ms = self.now_ms.max(now_ms);
        self.uptime_ms(self.now_ms)
    }

    /// Produces every STREAM sample due by device time `uptime`.
    fn sample_due(&mut self, uptime: u64) {
        let Engine::R1(c) = &mut self.engine else { return };
        let limit = c.samples.limit() as u64;
        // Bounded: each sensor is sampled at most `limit + 1` times per call.
        while let Some((index, due)) = c.board.next_due().filter(|&(_, due)| due <= uptime) {
            let behind = (uptime - due) / c.board.interval_ms(index).max(1);
            if behind > limit {
                // These samples could only push each other out of the queue: they are
                // lost whole, as their `seq`s will show.
                let skipped = behind - limit;
                c.board.skip(index, skipped);
                self.stats.dropped = self.stats.dropped.saturating_add(skipped);
                continue;
            }
            let reading = self.source.read(index, due);
            if let Some(Ok(frame)) = c.board.stream_frame(index, reading) {
                if c.samples.push(frame) {
                    self.stats.dropped = self.stats.dropped.saturating_add(1);
                }
            }
        }
    }

    fn receive_r1(&mut self, bytes: &[u8], uptime: u64) {
        let Engine::R1(c) = &mut self.engine else { return };
        let mut rest = bytes;
        let mut stalled = 0;
        while !rest.is_empty() && stalled < 2 {
            let taken = c.decoder.push(rest);
            rest = rest.get(taken..).unwrap_or_default();
            while let Some((event, frame_bytes)) = c.decoder.next_with_bytes() {
                let answer = match &event.item {
                    Item::Frame(Message::Cmd(cmd)) => {
                        self.stats.requests = self.stats.requests.saturating_add(1);
                        match c.board.answer(cmd, uptime) {
                            Ok(Answer::Reply(frame)) => Some(frame),
                            Ok(Answer::ReadSensor { index }) => match self.source.read(index, uptime) {
                                Some(reading) => c.board.sample_reply(cmd, index, reading, uptime).ok(),
                                None => read_failed(cmd, uptime).ok(),
                            },
                            Err(_) => None,
                        }
                    }
                    _ => {
                        self.stats.bad_input = self.stats.bad_input.saturating_add(1);
                        let refused = refusal(frame_bytes, uptime).and_then(Result::ok);
                        if refused.is_some() {
                            self.stats.requests = self.stats.requests.saturating_add(1);
                        }
                        refused
                    }
                };
                let Some(frame) = answer else { continue };
                if matches!(Message::from_bytes(frame.as_bytes(), Revision::R1), Ok(Message::Nack(_))) {
                    self.stats.refused = self.stats.refused.saturating_add(1);
                }
                if c.replies.is_full() && c.replies.pop_front().is_some() {
                    self.stats.dropped = self.stats.dropped.saturating_add(1);
                }
                let _ = c.replies.push_back(frame);
            }
            // A decoder whose events are all read takes bytes again; never spin if not.
            stalled = if taken == 0 { stalled + 1 } else { 0 };
        }
    }

    fn count_sent(&mut self, len: usize, kind: OutputKind) -> Option<Transmit> {
        let stats = &mut self.stats;
        stats.bytes_sent = stats.bytes_sent.saturating_add(len as u64);
        match kind {
            OutputKind::Reply => stats.replies = stats.replies.saturating_add(1),
            OutputKind::Periodic => stats.frames_sent = stats.frames_sent.saturating_add(1),
        }
        Some(Transmit { len, kind })
    }
}

/// Copies `frame` to the start of `out`, or answers `None` (leaving it queued) when `out`
/// is too short.
fn copy_frame(frame: Option<&WireFrame>, out: &mut [u8]) -> Option<usize> {
    let bytes = frame?.as_bytes();
    out.get_mut(..bytes.len())?.copy_from_slice(bytes);
    Some(bytes.len())
}

impl<S: SampleSource> Device for Model<S> {
    /// A revision-0 chunk (512 bytes); revision-1 frames are at most 64.
    const MAX_TRANSMIT: usize = ramp_stream::CHUNK_BYTES;

    fn receive(&mut self, bytes: &[u8], now_ms: u64) {
        self.stats.bytes_received = self.stats.bytes_received.saturating_add(bytes.len() as u64);
        let uptime = self.clock(now_ms);
        match &mut self.engine {
            Engine::R0(ramp) => {
                // Produce what was due before the command changes the stream.
                let lost = ramp.produce(uptime);
                self.stats.dropped = self.stats.dropped.saturating_add(lost);
                for &byte in bytes {
                    match r0::Command::from_byte(byte) {
                        Some(command) => {
                            self.stats.requests = self.stats.requests.saturating_add(1);
                            ramp.command(command, uptime);
                        }
                        None => self.stats.bad_input = self.stats.bad_input.saturating_add(1),
                    }
                }
            }
            Engine::R1(_) => {
                // Samples due before the command are taken before it acts (a STOP does not
                // swallow a sample that was already due).
                self.sample_due(uptime);
                self.receive_r1(bytes, uptime);
            }
        }
    }

    fn transmit(&mut self, now_ms: u64, out: &mut [u8]) -> Option<Transmit> {
        let uptime = self.clock(now_ms);
        match &mut self.engine {
            Engine::R0(ramp) => {
                let lost = ramp.produce(uptime);
                self.stats.dropped = self.stats.dropped.saturating_add(lost);
                let Engine::R0(ramp) = &mut self.engine else { return None };
                let len = ramp.take_chunk(out);
                if len == 0 {
                    return None;
                }
                self.count_sent(len, OutputKind::Periodic)
            }
            Engine::R1(_) => {
                self.sample_due(uptime);
                let Engine::R1(c) = &mut self.engine else { return None };
                if let Some(len) = copy_frame(c.replies.front(), out) {
                    c.replies.pop_front();
                    return self.count_sent(len, OutputKind::Reply);
                }
                if c.replies.is_empty() {
                    if let Some(len) = copy_frame(c.samples.front(), out) {
                        c.samples.pop();
                        return self.count_sent(len, OutputKind::Periodic);
                    }
                }
                None
            }
        }
    }

    fn poll_at(&self) -> Option<u64> {
        let due = match &self.engine {
            Engine::R0(ramp) if ramp.pending() > 0 => return Some(self.now_ms),
            Engine::R0(ramp) => ramp.due_ms(),
            Engine::R1(c) if !c.replies.is_empty() || !c.samples.is_empty() => return Some(self.now_ms),
            Engine::R1(c) => c.board.next_due().map(|(_, due)| due),
        };
        due.map(|uptime| uptime.saturating_add(self.boot_ms))
    }

    fn reset(&mut self, now_ms: u64) {
        self.now_ms = self.now_ms.max(now_ms);
        self.boot_ms = self.now_ms;
        self.engine = Self::boot(&self.settings);
        self.stats.resets = self.stats.resets.saturating_add(1);
    }

    fn stats(&self) -> &DeviceStats {
        &self.stats
    }
}
