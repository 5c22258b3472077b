//! The light the sensor sees and the measurements the device keeps of it.
//!
//! The light is a slow daylight curve: over each period of [`Settings::day_ms`] it rises
//! from [`Settings::night_lux`] to [`Settings::noon_lux`] and falls back (a parabola), with
//! ±1 % noise from the seeded generator. The BH1750 mode sets the resolution of a reading:
//! 1 lx in the high-resolution modes (1, 4), 0.5 lx in H2 (2, 5), 4 lx in the
//! low-resolution modes (3, 6). The device reports whole lux, rounded, at most 9999.
//!
//! [`Settings::day_ms`]: super::Settings::day_ms
//! [`Settings::night_lux`]: super::Settings::night_lux
//! [`Settings::noon_lux`]: super::Settings::noon_lux

use crate::ascii_crc8::reply::MAX_LUX;
use crate::device::xorshift::Xorshift;

/// Measurements the device keeps (the original documentation's 1000-value ring).
pub const RING_CAPACITY: usize = 1000;

/// The measurement ring: the newest [`RING_CAPACITY`] values.
#[derive(Debug, Clone)]
pub struct Ring {
    values: [u16; RING_CAPACITY],
    /// Where the next value goes.
    head: usize,
    len: usize,
}

impl Ring {
    /// An empty ring.
    pub const fn new() -> Ring {
        Ring { values: [0; RING_CAPACITY], head: 0, len: 0 }
    }

    /// The ring the original firmware starts with: 1000 test values 1601..=2600, newest
    /// 2600.
    pub fn test_fill() -> Ring {
        let mut ring = Ring::new();
        for value in 1601..=2600 {
            ring.push(value);
        }
        ring
    }

    /// Stores `value`, dropping the oldest when full.
    pub fn push(&mut self, value: u16) {
        if let Some(slot) = self.values.get_mut(self.head) {
            *slot = value;
        }
        self.head = (self.head + 1) % RING_CAPACITY;
        self.len = (self.len + 1).min(RING_CAPACITY);
    }

    /// Values stored.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// The value `offset` places back from the newest (0 is the newest).
    pub fn back(&self, offset: usize) -> Option<u16> {
        if offset >= self.len {
            return None;
        }
        let index = (self.head + RING_CAPACITY - 1 - offset) % RING_CAPACITY;
        self.values.get(index).copied()
    }
}

/// The daylight curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Daylight {
    /// Length of one day, ms (at least 1).
    pub day_ms: u32,
    /// The darkest light, lx.
    pub night_lux: u16,
    /// The brightest light, lx.
    pub noon_lux: u16,
}

impl Daylight {
    /// A reading at time `t_ms` in BH1750 `mode` (1–6), in whole lux.
    pub fn reading(&self, t_ms: u64, mode: u8, rng: &mut Xorshift) -> u16 {
        let day = u64::from(self.day_ms.max(1));
        let phase = (t_ms % day) as f32 / day as f32;
        let night = f32::from(self.night_lux);
        let span = f32::from(self.noon_lux) - night;
        let lux = night + span * 4.0 * phase * (1.0 - phase);
        let noisy = lux * (1.0 + rng.spread(100) as f32 / 10_000.0);
        let step = match mode {
            2 | 5 => 0.5,
            3 | 6 => 4.0,
            _ => 1.0,
        };
        // Quantised to the mode's step by truncation, as the sensor's counter is; then
        // rounded to whole lux (the device's `(u32)(lux + 0.5)`).
        let quantised = (noisy.max(0.0) / step) as u32 as f32 * step;
        let whole = (quantised + 0.5) as u32;
        whole.min(u32::from(MAX_LUX)) as u16
    }
}
