//! The BH1750 light meter itself, as a sans-I/O [`Device`]: the nine commands, the
//! measurement ring, the status codes and the bare `ERR…` lines
//! (`docs/protocols/ascii-crc8.md`, "Device model").
//!
//! | request | reply DATA |
//! |---|---|
//! | START `10` | `00`; measurements are stored every interval from now (modes 4–6: once) |
//! | STOP `11` | `00`; no more measurements |
//! | DOWNLOAD `12` | the newest measurement, 4 digits; `03` when none is stored |
//! | VIEW `13xxzz` | `oo` + up to 63 values per frame, newest first, `oo` the frame's offset mod 100; `01` for an unreadable `xx`/`zz` or `zz` = 00; `03` when `xx` is past the stored values |
//! | SET_INTERVAL `14xxxx` | `00`; `01` fewer than 4 digits; `02` outside 1–9999 ms |
//! | GET_INTERVAL `15` | the interval, 4 digits (1000 at power-on) |
//! | SET_MODE `16x` | `00`; `01` for a mode outside 1–6; `04` when no sensor answers on I2C |
//! | GET_MODE `17` | the mode, 1 digit (1 at power-on) |
//! | I2C_SCAN `18` | the sensor's address as 2 hex digits (`23`), `00` when none answers |
//!
//! Replies echo the request's ID and swap its addresses (SRC = the request's DST). Frames the
//! device cannot read get a bare text line (`docs/protocols/ascii-crc8.md`, section 9). At power-on (the first time it is
//! given) and after every [`Device::reset`] it sends `SYSTEM START\r\n`.

mod light;
mod receiver;

pub use light::{Daylight, RING_CAPACITY};
pub use receiver::COLLECT_LIMIT;

use heapless::Deque;

use self::light::Ring;
use self::receiver::{Received, Receiver, Request, Step};
use super::command::{Command, INTERVAL_MS, MODE};
use super::digits::{hex_upper, put_decimal};
use super::frame::{MAX_DATA_LEN, MAX_FRAME_LEN, emit_frame};
use super::line::encode_line;
use super::reply::{MAX_LUX, Status, VIEW_VALUES_PER_FRAME};
use crate::buf::{Sink, SliceWriter};
use crate::device::xorshift::Xorshift;
use crate::device::{Device, DeviceStats, OutputKind, Transmit};

/// Pieces of output (frames and lines) held for the host at most; beyond, the oldest is
/// dropped. A VIEW answer is 2 pieces.
pub const OUTPUT_QUEUE: usize = 16;
/// The boot banner.
pub const BANNER: &[u8] = b"SYSTEM START";

/// What the model is made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// The measurement interval at power-on, ms (1–9999; the original firmware's 1000).
    pub interval_ms: u16,
    /// The BH1750 mode at power-on (1–6).
    pub mode: u8,
    /// The I2C address the sensor answers at (`0x23`, or `0x5C` with ADDR high); `None`: no
    /// sensor on the bus (I2C_SCAN `00`, SET_MODE `04`, nothing measured).
    pub sensor_address: Option<u8>,
    /// The ring holds the original firmware's 1000 test values (1601..=2600) at power-on;
    /// otherwise it starts empty.
    pub test_fill: bool,
    /// The daylight curve the sensor sees.
    pub daylight: Daylight,
    /// Send `SYSTEM START\r\n` at power-on and after a reset.
    pub banner: bool,
    /// Seed of the measurement noise.
    pub seed: u64,
}

impl Default for Settings {
    /// Interval 1000 ms, mode 1, a sensor at 0x23, the test fill, a 60-second day from 20 to
    /// 900 lx, the banner.
    fn default() -> Self {
        Settings {
            interval_ms: 1000,
            mode: 1,
            sensor_address: Some(0x23),
            test_fill: true,
            daylight: Daylight { day_ms: 60_000, night_lux: 20, noon_lux: 900 },
            banner: true,
            seed: 0x5EED_00C8,
        }
    }
}

/// One piece of output: a frame or a line.
#[derive(Debug, Clone, Copy)]
struct Piece {
    bytes: [u8; MAX_FRAME_LEN],
    len: usize,
    kind: OutputKind,
}

/// The measuring side: the ring and the schedule.
#[derive(Debug, Clone)]
struct Meter {
    ring: Ring,
    interval_ms: u16,
    mode: u8,
    /// When the next measurement is due, while measuring.
    next_due: Option<u64>,
}

/// The BH1750 light meter model.
#[derive(Debug, Clone)]
pub struct Model {
    settings: Settings,
    receiver: Receiver,
    meter: Meter,
    queue: Deque<Piece, OUTPUT_QUEUE>,
    booted: bool,
    rng: Xorshift,
    stats: DeviceStats,
}

impl Model {
    /// A device just powered on with `settings`.
    pub fn new(settings: Settings) -> Model {
        Model {
            settings,
            receiver: Receiver::default(),
            meter: Meter::new(&settings),
            queue: Deque::new(),
            booted: false,
            rng: Xorshift::new(settings.seed),
            stats: DeviceStats::default(),
        }
    }

    /// The settings the model was made with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Measurements stored.
    pub fn stored(&self) -> usize {
        self.meter.ring.len()
    }

    /// The measurement `offset` places back from the newest.
    pub fn measurement(&self, offset: usize) -> Option<u16> {
        self.meter.ring.back(offset)
    }

    /// Whether measurements are being stored.
    pub fn measuring(&self) -> bool {
        self.meter.next_due.is_some()
    }

    /// The interval and the mode now.
    pub fn interval_and_mode(&self) -> (u16, u8) {
        (self.meter.interval_ms, self.meter.mode)
    }

    /// Pieces of output waiting.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    fn power_on(&mut self) {
        if !self.booted {
            self.booted = true;
            if self.settings.banner {
                self.line(BANNER, OutputKind::Periodic);
            }
        }
    }

    fn enqueue(&mut self, write: impl FnOnce(&mut [u8]) -> Option<usize>, kind: OutputKind) {
        let mut piece = Piece { bytes: [0; MAX_FRAME_LEN], len: 0, kind };
        let Some(len) = write(&mut piece.bytes) else { return };
        piece.len = len;
        if self.queue.is_full() {
            self.queue.pop_front();
            self.stats.dropped = self.stats.dropped.saturating_add(1);
        }
        let _ = self.queue.push_back(piece);
    }

    fn line(&mut self, text: &[u8], kind: OutputKind) {
        self.enqueue(|out| encode_line(out, text).ok(), kind);
    }

    /// Queues a reply frame to `request` whose DATA `write_data` puts.
    fn reply(&mut self, request: &Request, write_data: impl FnOnce(&mut SliceWriter<'_>) -> Option<()>) {
        let mut data = [0u8; MAX_DATA_LEN];
        let mut writer = SliceWriter::new(&mut data);
        if write_data(&mut writer).is_none() {
            return;
        }
        let data = writer.written();
        self.enqueue(|out| emit_frame(out, request.dst, request.src, request.id, data).ok(), OutputKind::Reply);
    }

    fn status(&mut self, request: &Request, status: Status) {
        if status != Status::Ok {
            self.stats.refused = self.stats.refused.saturating_add(1);
        }
        self.reply(request, |data| put_decimal(data, u32::from(status.code()), 2).ok());
    }

    fn number(&mut self, request: &Request, value: u32, width: usize) {
        self.reply(request, |data| put_decimal(data, value, width).ok());
    }

    fn on_frame(&mut self, received: Received, now_ms: u64) {
        let request = match received {
            Received::Request(request) => request,
            Received::Refused(text) => {
                self.stats.bad_input = self.stats.bad_input.saturating_add(1);
                self.line(text.as_bytes(), OutputKind::Reply);
                return;
            }
        };
        self.stats.requests = self.stats.requests.saturating_add(1);
        let sensor = self.settings.sensor_address;
        match request.command {
            Command::Start => {
                self.meter.start(now_ms);
                self.status(&request, Status::Ok);
            }
            Command::Stop => {
                self.meter.next_due = None;
                self.status(&request, Status::Ok);
            }
            Command::Download => match self.meter.ring.back(0) {
                Some(lux) => self.number(&request, u32::from(lux.min(MAX_LUX)), 4),
                None => self.status(&request, Status::ErrNoData),
            },
            Command::View { offset, count } => self.view(&request, offset, count),
            Command::SetInterval { interval_ms: None } => self.status(&request, Status::ErrParam),
            Command::SetInterval { interval_ms: Some(ms) } => match u16::try_from(ms) {
                Ok(ms) if INTERVAL_MS.contains(&u32::from(ms)) => {
                    self.meter.set_interval(ms, now_ms);
                    self.status(&request, Status::Ok);
                }
                _ => self.status(&request, Status::ErrRange),
            },
            Command::GetInterval => self.number(&request, u32::from(self.meter.interval_ms), 4),
            Command::SetMode { mode: Some(mode) } if MODE.contains(&mode) => {
                if sensor.is_some() {
                    self.meter.mode = mode;
                    self.status(&request, Status::Ok);
                } else {
                    self.status(&request, Status::ErrI2c);
                }
            }
            Command::SetMode { .. } => self.status(&request, Status::ErrParam),
            Command::GetMode => self.number(&request, u32::from(self.meter.mode), 1),
            Command::I2cScan => {
                let address = hex_upper(sensor.unwrap_or(0));
                self.reply(&request, |data| data.put(&address).ok());
            }
        }
    }

    /// VIEW: frames of up to 63 values from `offset`, newest first.
    fn view(&mut self, request: &Request, offset: Option<u8>, count: Option<u8>) {
        let (Some(offset), Some(count)) = (offset, count) else {
            return self.status(request, Status::ErrParam);
        };
        if count == 0 {
            return self.status(request, Status::ErrParam);
        }
        let offset = usize::from(offset);
        let available = self.meter.ring.len().saturating_sub(offset);
        if available == 0 {
            return self.status(request, Status::ErrNoData);
        }
        let count = usize::from(count).min(available);
        let mut start = offset;
        while start < offset + count {
            let end = (start + VIEW_VALUES_PER_FRAME).min(offset + count);
            let mut values = [0u16; VIEW_VALUES_PER_FRAME];
            for (slot, i) in values.iter_mut().zip(start..end) {
                *slot = self.meter.ring.back(i).unwrap_or(0).min(MAX_LUX);
            }
            let values = values.get(..end - start).unwrap_or(&[]);
            self.reply(request, |data| {
                put_decimal(data, (start % 100) as u32, 2).ok()?;
                values.iter().try_for_each(|&v| put_decimal(data, u32::from(v), 4).ok())
            });
            start = end;
        }
    }
}

impl Meter {
    fn new(settings: &Settings) -> Meter {
        Meter {
            ring: if settings.test_fill { Ring::test_fill() } else { Ring::new() },
            interval_ms: settings.interval_ms.clamp(1, 9999),
            mode: if MODE.contains(&settings.mode) { settings.mode } else { 1 },
            next_due: None,
        }
    }

    fn start(&mut self, now_ms: u64) {
        self.next_due = Some(now_ms.saturating_add(u64::from(self.interval_ms)));
    }

    fn set_interval(&mut self, interval_ms: u16, now_ms: u64) {
        self.interval_ms = interval_ms;
        if self.next_due.is_some() {
            self.start(now_ms);
        }
    }

    /// Stores the measurements due up to `now_ms` (at most a ring's worth: older ones would
    /// be overwritten anyway).
    fn catch_up(&mut self, now_ms: u64, sensor: bool, daylight: &Daylight, rng: &mut Xorshift) {
        let Some(mut due) = self.next_due else { return };
        let interval = u64::from(self.interval_ms.max(1));
        let behind = now_ms.saturating_sub(due) / interval;
        if behind >= RING_CAPACITY as u64 {
            due = due.saturating_add((behind - RING_CAPACITY as u64 + 1) * interval);
        }
        while due <= now_ms {
            if sensor {
                self.ring.push(daylight.reading(due, self.mode, rng));
            }
            // One-time modes measure once, then the sensor powers down.
            if self.mode >= 4 {
                self.next_due = None;
                return;
            }
            due = due.saturating_add(interval);
        }
        self.next_due = Some(due);
    }
}

impl Device for Model {
    /// The longest frame (271 bytes).
    const MAX_TRANSMIT: usize = MAX_FRAME_LEN;

    fn receive(&mut self, bytes: &[u8], now_ms: u64) {
        self.power_on();
        self.stats.bytes_received = self.stats.bytes_received.saturating_add(bytes.len() as u64);
        for &byte in bytes {
            match self.receiver.push(byte) {
                Step::Nothing => {}
                Step::Noise | Step::Dropped => self.stats.bad_input = self.stats.bad_input.saturating_add(1),
                Step::Frame(received) => {
                    // Measurements due before the request are in the ring when it is answered.
                    self.meter.catch_up(
                        now_ms,
                        self.settings.sensor_address.is_some(),
                        &self.settings.daylight,
                        &mut self.rng,
                    );
                    self.on_frame(received, now_ms);
                }
            }
        }
    }

    fn transmit(&mut self, now_ms: u64, out: &mut [u8]) -> Option<Transmit> {
        self.power_on();
        self.meter.catch_up(now_ms, self.settings.sensor_address.is_some(), &self.settings.daylight, &mut self.rng);
        let piece = self.queue.front()?;
        let bytes = piece.bytes.get(..piece.len)?;
        let dst = out.get_mut(..bytes.len())?;
        dst.copy_from_slice(bytes);
        let transmit = Transmit { len: piece.len, kind: piece.kind };
        self.queue.pop_front();
        self.stats.bytes_sent = self.stats.bytes_sent.saturating_add(transmit.len as u64);
        match transmit.kind {
            OutputKind::Reply => self.stats.replies = self.stats.replies.saturating_add(1),
            OutputKind::Periodic => self.stats.frames_sent = self.stats.frames_sent.saturating_add(1),
        }
        Some(transmit)
    }

    fn poll_at(&self) -> Option<u64> {
        // Measurements are stored, not sent: only queued output (or the banner) is due.
        (!self.queue.is_empty() || !self.booted).then_some(0)
    }

    fn reset(&mut self, now_ms: u64) {
        let _ = now_ms;
        self.receiver.clear();
        self.meter = Meter::new(&self.settings);
        self.queue.clear();
        self.booted = false;
        self.stats.resets = self.stats.resets.saturating_add(1);
        self.power_on();
    }

    fn stats(&self) -> &DeviceStats {
        &self.stats
    }
}
