//! The plot device model: a DragoonPlot device as a sans-I/O [`Device`]
//! (docs/protocols/plot.md, "Device model").
//!
//! * DATA frames of `channels` int16 values at `rate_hz`, one deterministic waveform per
//!   channel ([`sample`]: sine, sawtooth, square, triangle, in turn), while streaming (from
//!   boot).
//! * A LABEL frame naming every channel at boot, at `start`, and every 5 s while streaming,
//!   as the original documentation's example device does.
//! * The original documentation's command table on `help\r\n`, and its commands doing what
//!   they say ([`console`](super::console)).
//!
//! Output the host does not take within a second of DATA frames is dropped, oldest first
//! (counted in [`DeviceStats::dropped`]); the plot protocol has no sequence numbers, so the
//! host cannot see it.

use core::fmt::Write as _;

use heapless::{Deque, String};

use crate::device::wave::{Noise, sin_q15};
use crate::device::{Device, DeviceStats, OutputKind, Transmit};

use super::console::{Action, LineBuffer, Milli, write_help};
use super::frame::{LabelEntry, MAX_LABEL_LEN, WIDE_MAX_CHANNELS, emit_data, emit_labels};
use super::scan::Config;

/// How often the labels are sent again while streaming, ms.
pub const LABEL_INTERVAL_MS: u64 = 5_000;
/// Text waiting to be sent, bytes (the help table is about 700).
pub const TEXT_CAPACITY: usize = 2048;
/// The longest text piece [`Device::transmit`] writes: a line, or this much of one.
const TEXT_PIECE: usize = 256;

/// How the model is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// The dialect's configuration: the channel limit (`plot` 32, `plot:64` 64) and the
    /// help table's marker.
    pub config: Config,
    /// Values per DATA frame, 1..=the channel limit (3 by default).
    pub channels: u8,
    /// DATA frames per second, 1..=10 000 (100 by default).
    pub rate_hz: u32,
    /// The channels' names (the first 16 bytes of each); `ch<i>` for a channel without
    /// one. Default: none.
    pub labels: &'static [&'static str],
    /// The seed of the sine channels' noise.
    pub seed: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { config: Config::documented(), channels: 3, rate_hz: 100, labels: &[], seed: 1 }
    }
}

impl Settings {
    /// The channel count, within 1..=the channel limit.
    pub fn channel_count(&self) -> usize {
        usize::from(self.channels.clamp(1, self.config.max_channels.clamp(1, WIDE_MAX_CHANNELS)))
    }

    fn rate(&self) -> u64 {
        u64::from(self.rate_hz.clamp(1, 10_000))
    }

    /// When DATA frame `n` (counted from the stream's start) is due, ms after the start.
    fn frame_ms(&self, n: u64) -> u64 {
        n.saturating_mul(1000) / self.rate()
    }
}

/// The value of channel `channel` at `t_ms`: channel `i` is a waveform of kind `i mod 4`
/// (sine ±1000, sawtooth −2000..2000, square ±1500, triangle ±2500) at `0.5 × (1 + i / 4)`
/// Hz; the sine carries ±5 of noise from `noise`.
pub fn sample(channel: usize, t_ms: u64, noise: &mut Noise) -> i16 {
    let millihertz = 500 * (1 + channel as u64 / 4);
    // Phase as a fraction of a turn (2^32 = one period).
    let phase = ((t_ms.wrapping_mul(millihertz) % 1_000_000) << 32) / 1_000_000;
    let phase = phase as u32;
    let ramp = |amplitude: i64| ((i64::from(phase) * 2 * amplitude) >> 32) - amplitude;
    let value = match channel % 4 {
        0 => i64::from(sin_q15(phase)) * 1000 / 32_767 + i64::from(noise.symmetric(5)),
        1 => ramp(2000),
        2 => {
            if phase < 1 << 31 {
                1500
            } else {
                -1500
            }
        }
        _ => 2500 - ramp(5000).abs(),
    };
    value as i16
}

/// A DragoonPlot device, fed the host's text, producing frames and text (see the module
/// documentation).
pub struct Model {
    settings: Settings,
    console: LineBuffer,
    text: Deque<u8, TEXT_CAPACITY>,
    streaming: bool,
    /// When the DATA stream (re)started, ms on the caller's clock; frame `n` is due
    /// `frame_ms(n)` after it.
    stream_start_ms: u64,
    /// DATA frames of this stream handed out (sent or dropped).
    frames_done: u64,
    /// When the next LABEL frame is due; `None` while stopped.
    label_due_ms: Option<u64>,
    pid_milli: [i32; 3],
    noise: Noise,
    boot_ms: u64,
    now_ms: u64,
    stats: DeviceStats,
}

impl Model {
    /// The device booted at time 0, streaming.
    pub fn new(settings: Settings) -> Model {
        Model {
            settings,
            console: LineBuffer::default(),
            text: Deque::new(),
            streaming: true,
            stream_start_ms: 0,
            frames_done: 0,
            label_due_ms: Some(0),
            pid_milli: [1_000, 0, 0],
            noise: Noise::new(settings.seed),
            boot_ms: 0,
            now_ms: 0,
            stats: DeviceStats::default(),
        }
    }

    /// The settings the model was made with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether DATA frames are being sent.
    pub fn is_streaming(&self) -> bool {
        self.streaming
    }

    /// The PID parameters `setpid` set, thousandths.
    pub fn pid_milli(&self) -> [i32; 3] {
        self.pid_milli
    }

    /// Reboots at `now_ms`, keeping the statistics and the text not yet sent.
    fn boot(&mut self, now_ms: u64) {
        self.console.clear();
        (self.streaming, self.stream_start_ms, self.frames_done) = (true, now_ms, 0);
        self.label_due_ms = Some(now_ms);
        self.pid_milli = [1_000, 0, 0];
        self.boot_ms = now_ms;
    }

    fn print(&mut self, text: &str) {
        if self.text.capacity() - self.text.len() < text.len() {
            // A whole answer or none: a host that never reads loses the new answer.
            self.stats.dropped = self.stats.dropped.saturating_add(1);
            return;
        }
        for &b in text.as_bytes() {
            let _ = self.text.push_back(b);
        }
    }

    fn act(&mut self, action: Action) {
        self.stats.requests = self.stats.requests.saturating_add(1);
        let mut line: String<160> = String::new();
        match action {
            Action::Help => {
                let mut table: String<TEXT_CAPACITY> = String::new();
                // The table of COMMANDS under a valid marker always fits; a marker the
                // writer refuses gets no table.
                if write_help(&mut table, self.settings.config.help_marker).is_ok() {
                    self.print(&table);
                } else {
                    let _ = line.push_str("ERR help unavailable\r\n");
                    self.stats.refused = self.stats.refused.saturating_add(1);
                }
            }
            Action::Start => {
                if !self.streaming {
                    (self.streaming, self.stream_start_ms, self.frames_done) = (true, self.now_ms, 0);
                    self.label_due_ms = Some(self.now_ms);
                }
                let _ = line.push_str("OK started\r\n");
            }
            Action::Stop => {
                self.streaming = false;
                self.label_due_ms = None;
                let _ = line.push_str("OK stopped\r\n");
            }
            Action::Status => {
                let [kp, ki, kd] = self.pid_milli;
                let _ = write!(
                    line,
                    "status: {} channels={} rate={}Hz frames={} uptime={}ms kp={} ki={} kd={}\r\n",
                    if self.streaming { "running" } else { "stopped" },
                    self.settings.channel_count(),
                    self.settings.rate(),
                    self.frames_done,
                    self.now_ms - self.boot_ms,
                    Milli(kp),
                    Milli(ki),
                    Milli(kd)
                );
            }
            Action::SetPid(pid) => {
                self.pid_milli = pid;
                let _ = write!(line, "OK kp={} ki={} kd={}\r\n", Milli(pid[0]), Milli(pid[1]), Milli(pid[2]));
            }
            Action::Dfu => {
                self.print("Entering DFU bootloader\r\n");
                let now = self.now_ms;
                self.boot(now);
            }
            Action::Refuse(answer) => {
                self.stats.refused = self.stats.refused.saturating_add(1);
                let _ = write!(line, "{answer}\r\n");
            }
        }
        self.print(&line);
    }

    /// Drops the DATA frames more than a second late (the host is not reading).
    fn drop_stale(&mut self, now: u64) {
        if !self.streaming {
            return;
        }
        let elapsed = now.saturating_sub(self.stream_start_ms);
        let due = elapsed.saturating_mul(self.settings.rate()) / 1000 + 1;
        let keep = self.settings.rate();
        if due.saturating_sub(self.frames_done) > keep {
            let dropped = due - self.frames_done - keep;
            self.frames_done += dropped;
            self.stats.dropped = self.stats.dropped.saturating_add(dropped);
        }
    }

    fn write_labels(&self, out: &mut [u8]) -> Option<usize> {
        let count = self.settings.channel_count();
        let mut names: [String<MAX_LABEL_LEN>; WIDE_MAX_CHANNELS as usize] = core::array::from_fn(|_| String::new());
        let mut entries: heapless::Vec<LabelEntry<'_>, { WIDE_MAX_CHANNELS as usize }> = heapless::Vec::new();
        for (i, name) in names.iter_mut().enumerate().take(count) {
            match self.settings.labels.get(i) {
                Some(label) if !label.is_empty() => {
                    for c in super::frame::truncate_label(label).chars() {
                        let _ = name.push(c);
                    }
                }
                _ => {
                    let _ = write!(name, "ch{i}");
                }
            }
        }
        for (i, name) in names.iter().enumerate().take(count) {
            let _ = entries.push(LabelEntry::new(i as u8, name.as_str()));
        }
        emit_labels(&entries, self.settings.config.max_channels, out).ok()
    }

    fn write_data(&mut self, n: u64, out: &mut [u8]) -> Option<usize> {
        let t_ms = self.settings.frame_ms(n);
        let mut values = [0i16; WIDE_MAX_CHANNELS as usize];
        let count = self.settings.channel_count();
        for (channel, value) in values.iter_mut().enumerate().take(count) {
            *value = sample(channel, t_ms, &mut self.noise);
        }
        emit_data(values.get(..count)?, self.settings.config.max_channels, out).ok()
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

impl Device for Model {
    /// The largest label frame of `plot:64`: 64 names of 16 bytes.
    const MAX_TRANSMIT: usize = 2 + 18 * WIDE_MAX_CHANNELS as usize;

    fn receive(&mut self, bytes: &[u8], now_ms: u64) {
        self.stats.bytes_received = self.stats.bytes_received.saturating_add(bytes.len() as u64);
        self.now_ms = self.now_ms.max(now_ms);
        for &byte in bytes {
            if !byte.is_ascii() {
                self.stats.bad_input = self.stats.bad_input.saturating_add(1);
            }
            if let Some(action) = self.console.key(byte) {
                self.act(action);
            }
        }
    }

    fn transmit(&mut self, now_ms: u64, out: &mut [u8]) -> Option<Transmit> {
        self.now_ms = self.now_ms.max(now_ms);
        let now = self.now_ms;
        if !self.text.is_empty() {
            // One line (or a piece of a long one) at a time: frames go between lines.
            let line_len = self.text.iter().position(|&b| b == b'\n').map_or(self.text.len(), |i| i + 1);
            let n = line_len.min(TEXT_PIECE).min(out.len());
            for slot in out.iter_mut().take(n) {
                *slot = self.text.pop_front().unwrap_or_default();
            }
            return if n == 0 { None } else { self.sent(n, OutputKind::Reply) };
        }
        if let Some(due) = self.label_due_ms.filter(|&due| due <= now) {
            let len = self.write_labels(out)?;
            // Every 5 s from the last one; after a long silence, 5 s from now (no burst).
            let next = due.saturating_add(LABEL_INTERVAL_MS);
            self.label_due_ms = Some(if next <= now { now.saturating_add(LABEL_INTERVAL_MS) } else { next });
            return self.sent(len, OutputKind::Periodic);
        }
        self.drop_stale(now);
        if !self.streaming || self.stream_start_ms.saturating_add(self.settings.frame_ms(self.frames_done)) > now {
            return None;
        }
        let len = self.write_data(self.frames_done, out)?;
        self.frames_done += 1;
        self.sent(len, OutputKind::Periodic)
    }

    fn poll_at(&self) -> Option<u64> {
        if !self.text.is_empty() {
            return Some(self.now_ms);
        }
        let data =
            self.streaming.then(|| self.stream_start_ms.saturating_add(self.settings.frame_ms(self.frames_done)));
        match (data, self.label_due_ms) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn reset(&mut self, now_ms: u64) {
        self.now_ms = self.now_ms.max(now_ms);
        self.text.clear();
        let now = self.now_ms;
        self.boot(now);
        self.stats.resets = self.stats.resets.saturating_add(1);
    }

    fn stats(&self) -> &DeviceStats {
        &self.stats
    }
}
