//! The PMU-30 itself, as a sans-I/O [`Device`]: the answers of the original documentation's
//! typical communication flow, the telemetry stream and the error codes, on the same frames
//! the decoder reads (`docs/protocols/pmu30.md`, "Device model").
//!
//! | host sends | the model answers |
//! |---|---|
//! | PING | PONG |
//! | GET_INFO | INFO_RESP from [`Settings`] |
//! | SET_CONFIG | one CONFIG_ACK per chunk, in order; the whole checked as JSON (0x20) |
//! | GET_CONFIG | the stored configuration as CONFIG_DATA chunks of 512 bytes |
//! | SET_CHANNEL | CHANNEL_ACK, or ERROR 0x10 (channel > 29), 0x11 (value not 0–100), 0x12 (disabled) |
//! | SUBSCRIBE_TELEMETRY | nothing; TELEMETRY_DATA at `rate_hz` from then on, or ERROR 0x04 outside 1–100 Hz |
//! | UNSUBSCRIBE_TELEMETRY | nothing; the stream stops |
//! | a frame whose CRC does not match | ERROR 0x02 |
//! | a LENGTH over 4096 | ERROR 0x01 |
//! | a MSG_ID the device does not take (not in the table, or one it sends itself) | ERROR 0x03 |
//! | a payload of the wrong size for its type | ERROR 0x04 |
//! | bytes before a 0xAA | nothing (skipped, counted) |
//!
//! Incoming bytes go through the dialect's own [`StreamDecoder`], so the device resynchronises
//! exactly as the decoder does. Answers wait in a queue of [`REPLY_QUEUE`] entries; a host
//! that sends faster than it reads loses the oldest ones (counted in
//! [`DeviceStats::dropped`]).

mod json;
mod outputs;
mod upload;

pub use json::{JsonError, MAX_DEPTH as JSON_MAX_DEPTH, check as check_json};
pub use upload::CONFIG_CAPACITY;

use heapless::Deque;

use self::outputs::Outputs;
use self::upload::ConfigStore;
use super::error::Error;
use super::frame::{DEFAULT_MAX_PAYLOAD, OVERHEAD};
use super::message::Message;
use super::payload::{
    CONFIG_HEADER_LEN, ChannelAck, ConfigAck, ConfigChunk, DeviceError, InfoResp, RATE_HZ_RANGE, Success, error_code,
};
use super::scan::{Config, Pmu30};
use super::session::CONFIG_CHUNK_MAX;
use crate::device::xorshift::Xorshift;
use crate::device::{Device, DeviceStats, OutputKind, Transmit};
use crate::stream::{Item, StreamDecoder};

/// Answers held for the host at most; beyond, the oldest is dropped.
pub const REPLY_QUEUE: usize = 32;
/// The decoder's buffer: the longest frame under the default 4096-byte payload limit.
const DECODER_CAPACITY: usize = DEFAULT_MAX_PAYLOAD + OVERHEAD;

/// What the model is made with: the identity GET_INFO reports, the stored configuration, the
/// outputs and the seed of its noise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// The wire variant (CRC coverage). Its `max_payload` is capped at 4096.
    pub dialect: Config,
    /// Firmware version, major.minor.patch.
    pub firmware_version: [u8; 3],
    /// Hardware revision.
    pub hw_revision: u8,
    /// Serial number, at most 16 bytes (cut there).
    pub serial_number: &'static str,
    /// Device name, at most 32 bytes (cut there).
    pub device_name: &'static str,
    /// The configuration stored at power-on (cut at [`CONFIG_CAPACITY`] bytes).
    pub config: &'static [u8],
    /// Enabled outputs, 0–30: channels from this one up are DISABLED (SET_CHANNEL: 0x12).
    pub channels: u8,
    /// Outputs whose load is shorted (bit n = channel n): they trip when switched on.
    pub shorted_loads: u32,
    /// Telemetry streams from power-on (and after a reset) at this rate, as if subscribed;
    /// `None`: only after SUBSCRIBE_TELEMETRY.
    pub telemetry_rate_hz: Option<u16>,
    /// Seed of the measurement noise.
    pub seed: u64,
}

impl Default for Settings {
    /// Firmware 1.0.0, hardware revision 1, serial `PMU30-SIM-0001`, name `PMU-30`, a small
    /// configuration, 30 enabled outputs, no shorted load, no telemetry until subscribed.
    fn default() -> Self {
        Settings {
            dialect: Config::default(),
            firmware_version: [1, 0, 0],
            hw_revision: 1,
            serial_number: "PMU30-SIM-0001",
            device_name: "PMU-30",
            config: br#"{"outputs":[],"inputs":[],"logic_functions":[]}"#,
            channels: 30,
            shorted_loads: 0,
            telemetry_rate_hz: None,
            seed: 0x5EED_0030,
        }
    }
}

/// An answer waiting to be sent.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Pending {
    Pong,
    Info,
    ConfigAck(ConfigAck),
    ChannelAck(u16),
    Error(u16),
    /// The stored configuration from chunk `next` on.
    ConfigData {
        next: u16,
    },
}

/// The telemetry schedule: frame `n` is due at `start + n * 1000 / rate_hz` ms (no drift).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stream {
    rate_hz: u16,
    start_ms: u64,
    n: u64,
}

impl Stream {
    fn new(rate_hz: u16, now_ms: u64) -> Stream {
        Stream { rate_hz: rate_hz.max(1), start_ms: now_ms, n: 1 }
    }

    fn due_ms(&self, n: u64) -> u64 {
        self.start_ms.saturating_add(n.saturating_mul(1000) / u64::from(self.rate_hz))
    }

    /// Moves to the next frame; a caller that fell behind by more than one period skips the
    /// frames it missed instead of sending them in a burst, as a timer-driven device does.
    fn advance(&mut self, now_ms: u64) {
        self.n = self.n.saturating_add(1);
        if self.due_ms(self.n) < now_ms {
            let elapsed = now_ms.saturating_sub(self.start_ms);
            self.n = elapsed.saturating_mul(u64::from(self.rate_hz)) / 1000 + 1;
        }
    }
}

/// Everything but the decoder: the decoder's events are handled here while it is borrowed.
#[derive(Debug, Clone)]
struct State {
    settings: Settings,
    info: InfoResp,
    store: ConfigStore,
    outputs: Outputs,
    queue: Deque<Pending, REPLY_QUEUE>,
    stream: Option<Stream>,
    boot_ms: Option<u64>,
    rng: Xorshift,
    stats: DeviceStats,
}

/// The PMU-30 device model.
#[derive(Debug)]
pub struct Model {
    decoder: StreamDecoder<Pmu30, DECODER_CAPACITY>,
    state: State,
}

impl Model {
    /// A device just powered on with `settings`.
    pub fn new(settings: Settings) -> Model {
        let mut dialect = settings.dialect;
        dialect.max_payload = dialect.max_payload.min(DEFAULT_MAX_PAYLOAD);
        let info = InfoResp {
            firmware_version: settings.firmware_version,
            hw_revision: settings.hw_revision,
            serial_number: text_field(settings.serial_number),
            device_name: text_field(settings.device_name),
        };
        Model {
            decoder: StreamDecoder::new(Pmu30::new(dialect)),
            state: State {
                settings,
                info,
                store: ConfigStore::new(settings.config),
                outputs: Outputs::new(settings.channels, settings.shorted_loads),
                queue: Deque::new(),
                stream: None,
                boot_ms: None,
                rng: Xorshift::new(settings.seed),
                stats: DeviceStats::default(),
            },
        }
    }

    /// The settings the model was made with.
    pub fn settings(&self) -> &Settings {
        &self.state.settings
    }

    /// The stored configuration (what GET_CONFIG sends).
    pub fn config(&self) -> &[u8] {
        self.state.store.stored()
    }

    /// The telemetry rate streaming now, if any.
    pub fn telemetry_rate_hz(&self) -> Option<u16> {
        self.state.stream.map(|s| s.rate_hz)
    }

    /// The duty cycle output `channel` was set to (0-based), in percent.
    pub fn channel_value(&self, channel: usize) -> Option<f32> {
        self.state.outputs.duty(channel)
    }

    /// Answers waiting to be sent.
    pub fn queued(&self) -> usize {
        self.state.queue.len()
    }
}

/// `text` in a NUL-padded field of `N` bytes, cut at `N`.
fn text_field<const N: usize>(text: &str) -> [u8; N] {
    let mut field = [0u8; N];
    for (dst, src) in field.iter_mut().zip(text.bytes()) {
        *dst = src;
    }
    field
}

impl State {
    /// The clock starts at the first time the model is given (its power-on).
    fn start_clock(&mut self, now_ms: u64) {
        if self.boot_ms.is_none() {
            self.boot_ms = Some(now_ms);
            self.stream = self.settings.telemetry_rate_hz.map(|hz| Stream::new(hz.clamp(1, 100), now_ms));
        }
    }

    fn reply(&mut self, pending: Pending) {
        if self.queue.is_full() {
            self.queue.pop_front();
            self.stats.dropped = self.stats.dropped.saturating_add(1);
        }
        let _ = self.queue.push_back(pending);
    }

    fn refuse(&mut self, code: u16) {
        self.stats.refused = self.stats.refused.saturating_add(1);
        self.reply(Pending::Error(code));
    }

    fn on_message(&mut self, message: &Message<'_>, now_ms: u64) {
        self.stats.requests = self.stats.requests.saturating_add(1);
        match message {
            Message::Ping {} => self.reply(Pending::Pong),
            Message::GetInfo {} => self.reply(Pending::Info),
            Message::GetConfig {} => self.reply(Pending::ConfigData { next: 0 }),
            Message::SetConfig(chunk) => {
                let ack = self.store.accept(chunk);
                if !ack.success.is_success() {
                    self.stats.refused = self.stats.refused.saturating_add(1);
                }
                self.reply(Pending::ConfigAck(ack));
            }
            Message::SetChannel(set) => match self.outputs.set(set.channel_id, set.value) {
                Ok(()) => self.reply(Pending::ChannelAck(set.channel_id)),
                Err(code) => self.refuse(code),
            },
            Message::SubscribeTelemetry(subscribe) if RATE_HZ_RANGE.contains(&subscribe.rate_hz) => {
                self.stream = Some(Stream::new(subscribe.rate_hz, now_ms));
            }
            Message::SubscribeTelemetry(_) => self.refuse(error_code::INVALID_PAYLOAD),
            Message::UnsubscribeTelemetry {} => self.stream = None,
            // What the device sends itself, it does not take.
            Message::Pong {}
            | Message::InfoResp(_)
            | Message::ConfigData(_)
            | Message::ConfigAck(_)
            | Message::ChannelAck(_)
            | Message::TelemetryData(_)
            | Message::Error(_) => self.refuse(error_code::UNKNOWN_MESSAGE_TYPE),
        }
    }

    fn on_error(&mut self, error: &Error) {
        let code = match error {
            // Noise between frames is skipped, as a device reading a byte stream does; a
            // frame cut off never ends (the decoder waits for the rest).
            Error::Garbage { .. } | Error::Truncated { .. } => {
                self.stats.bad_input = self.stats.bad_input.saturating_add(1);
                return;
            }
            Error::LengthTooLarge { .. } => error_code::INVALID_FRAME,
            Error::CrcMismatch { .. } => error_code::CRC_MISMATCH,
            // Frames with a right CRC: requests the device cannot carry out.
            Error::UnknownType { .. } => error_code::UNKNOWN_MESSAGE_TYPE,
            Error::PayloadLength { .. } | Error::MessageLength { .. } => error_code::INVALID_PAYLOAD,
        };
        if matches!(error, Error::LengthTooLarge { .. } | Error::CrcMismatch { .. }) {
            self.stats.bad_input = self.stats.bad_input.saturating_add(1);
        } else {
            self.stats.requests = self.stats.requests.saturating_add(1);
        }
        self.refuse(code);
    }

    /// Writes the first queued answer into `out`; `None` when there is none (or `out` is too
    /// short: the answer stays queued).
    fn write_reply(&mut self, out: &mut [u8]) -> Option<usize> {
        let pending = *self.queue.front()?;
        let config = self.decoder_config();
        let emit = |message: Message<'_>, out: &mut [u8]| {
            message.emit_verbatim(out, config.crc_coverage, config.max_payload).ok()
        };
        let (len, rest) = match pending {
            Pending::Pong => (emit(Message::Pong {}, out)?, None),
            Pending::Info => (emit(Message::InfoResp(self.info), out)?, None),
            Pending::ConfigAck(ack) => (emit(Message::ConfigAck(ack), out)?, None),
            Pending::ChannelAck(channel_id) => {
                (emit(Message::ChannelAck(ChannelAck { success: Success::OK, channel_id }), out)?, None)
            }
            Pending::Error(code) => {
                let message = error_code::description(code).unwrap_or("").as_bytes();
                (emit(Message::Error(DeviceError { error_code: code, message }), out)?, None)
            }
            Pending::ConfigData { next } => {
                let stored = self.store.stored();
                let total = stored.len().div_ceil(CONFIG_CHUNK_MAX).max(1);
                let start = usize::from(next).saturating_mul(CONFIG_CHUNK_MAX);
                let data = stored.get(start..start.saturating_add(CONFIG_CHUNK_MAX).min(stored.len())).unwrap_or(&[]);
                let chunk = ConfigChunk { chunk_index: next, total_chunks: total as u16, data };
                let len = emit(Message::ConfigData(chunk), out)?;
                let following = next.saturating_add(1);
                (len, (usize::from(following) < total).then_some(Pending::ConfigData { next: following }))
            }
        };
        match rest {
            Some(more) => {
                if let Some(front) = self.queue.front_mut() {
                    *front = more;
                }
            }
            None => {
                self.queue.pop_front();
            }
        }
        Some(len)
    }

    fn decoder_config(&self) -> Config {
        let mut config = self.settings.dialect;
        config.max_payload = config.max_payload.min(DEFAULT_MAX_PAYLOAD);
        config
    }

    /// Writes the telemetry frame due at `now_ms`, if one is.
    fn write_telemetry(&mut self, now_ms: u64, out: &mut [u8]) -> Option<usize> {
        let mut stream = self.stream?;
        if stream.due_ms(stream.n) > now_ms {
            return None;
        }
        // The packet is stamped with the time it was due, as a timer interrupt would stamp
        // it, whenever the caller gets to send it.
        let due = stream.due_ms(stream.n);
        let uptime = due.saturating_sub(self.boot_ms.unwrap_or(due));
        let packet = self.outputs.telemetry(uptime, &mut self.rng);
        let config = self.decoder_config();
        let len = Message::TelemetryData(packet).emit_verbatim(out, config.crc_coverage, config.max_payload).ok()?;
        stream.advance(now_ms);
        self.stream = Some(stream);
        Some(len)
    }

    fn sent(&mut self, len: usize, kind: OutputKind) -> Transmit {
        self.stats.bytes_sent = self.stats.bytes_sent.saturating_add(len as u64);
        match kind {
            OutputKind::Reply => self.stats.replies = self.stats.replies.saturating_add(1),
            OutputKind::Periodic => self.stats.frames_sent = self.stats.frames_sent.saturating_add(1),
        }
        Transmit { len, kind }
    }
}

impl Device for Model {
    /// A CONFIG_DATA frame with a full 512-byte chunk.
    const MAX_TRANSMIT: usize = OVERHEAD + CONFIG_HEADER_LEN + CONFIG_CHUNK_MAX;

    fn receive(&mut self, bytes: &[u8], now_ms: u64) {
        let Model { decoder, state } = self;
        state.start_clock(now_ms);
        state.stats.bytes_received = state.stats.bytes_received.saturating_add(bytes.len() as u64);
        decoder.feed(bytes, |event| match &event.item {
            Item::Frame(message) => state.on_message(message, now_ms),
            Item::Error(error) => state.on_error(error),
        });
    }

    fn transmit(&mut self, now_ms: u64, out: &mut [u8]) -> Option<Transmit> {
        let state = &mut self.state;
        state.start_clock(now_ms);
        if let Some(len) = state.write_reply(out) {
            return Some(state.sent(len, OutputKind::Reply));
        }
        let len = state.write_telemetry(now_ms, out)?;
        Some(state.sent(len, OutputKind::Periodic))
    }

    fn poll_at(&self) -> Option<u64> {
        if !self.state.queue.is_empty() {
            return Some(0);
        }
        self.state.stream.map(|s| s.due_ms(s.n))
    }

    fn reset(&mut self, now_ms: u64) {
        self.decoder.reset();
        let state = &mut self.state;
        state.store.abort_upload();
        state.outputs.all_off();
        state.queue.clear();
        state.stream = state.settings.telemetry_rate_hz.map(|hz| Stream::new(hz.clamp(1, 100), now_ms));
        state.boot_ms = Some(now_ms);
        state.stats.resets = state.stats.resets.saturating_add(1);
    }

    fn stats(&self) -> &DeviceStats {
        &self.state.stats
    }
}
