//! Where the device model's INA219 readings come from: [`SampleSource`], with the
//! simulator's deterministic [`LoadProfile`] and the INA219 register maths both it and a
//! real driver use ([`Reading::from_registers`]).

use crate::device::wave::{Noise, sin_q15};

/// The shunt resistor of the common INA219 breakout, in mΩ (R100).
pub const SHUNT_MILLIOHMS: u32 = 100;
/// The current register's LSB in µA at calibration 4096 with a 0.1 Ω shunt
/// (docs/protocols/powerscope.md, "Sensor packets and the INA219 sample").
pub const CURRENT_LSB_UA: i32 = 100;
/// The bus voltage register's LSB in mV.
pub const BUS_LSB_MV: u16 = 4;
/// The shunt range at PGA ÷8: ±320 mV, ±32000 in the 10 µV shunt register.
pub const SHUNT_REGISTER_MAX: i32 = 32_000;

/// One reading, in the units of the powerscope sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Reading {
    /// Bus voltage (IN− to GND), mV.
    pub bus_mv: u16,
    /// Shunt current, µA (positive from IN+ to IN−).
    pub current_ua: i32,
}

impl Reading {
    /// The reading from the bus-voltage and current registers as the driver reads them:
    /// `((bus >> 3) & 0x1FFF) × 4` mV (status bits dropped) and the current register as a
    /// two's-complement count of [`CURRENT_LSB_UA`].
    pub const fn from_registers(bus: u16, current: u16) -> Reading {
        Reading { bus_mv: ((bus >> 3) & 0x1FFF) * BUS_LSB_MV, current_ua: current as i16 as i32 * CURRENT_LSB_UA }
    }
}

/// The registers an INA219 (32 V range, PGA ÷8, calibration 4096, 0.1 Ω shunt) holds for a
/// true bus voltage and current: `(bus, current)`, each quantized and saturated as the chip
/// does (bus to 13 bits of 4 mV with the conversion-ready bit set, the shunt to ±320 mV
/// with the overflow bit set beyond it).
pub fn registers_for(bus_mv: u32, current_ua: i64) -> (u16, u16) {
    let shunt =
        (current_ua / i64::from(CURRENT_LSB_UA)).clamp(-i64::from(SHUNT_REGISTER_MAX), i64::from(SHUNT_REGISTER_MAX));
    let overflow = u16::from(shunt.abs() >= i64::from(SHUNT_REGISTER_MAX));
    let bus_code = (bus_mv / u32::from(BUS_LSB_MV)).min(0x1FFF) as u16;
    // Calibration 4096: the current register equals the shunt register.
    (bus_code << 3 | 0b10 | overflow, shunt as i16 as u16)
}

/// Where the model gets a sensor's reading when a STREAM sample or a READ_SENSOR is due.
/// The simulator uses [`LoadProfile`]; a board supplies its chips' latest readings.
pub trait SampleSource {
    /// The reading of the sensor at `index` in the model's sensor table at device time
    /// `uptime_ms`, or `None` when the sensor does not answer (no STREAM frame is sent and
    /// no `seq` is used; READ_SENSOR gets NACK INTERNAL).
    fn read(&mut self, index: usize, uptime_ms: u64) -> Option<Reading>;
}

/// The length of the load cycle, ms.
const CYCLE_MS: u64 = 10_000;

/// A deterministic bench load behind each sensor, read through the INA219's registers.
///
/// Every sensor sees a 10-second cycle (shifted by 2.5 s per sensor): 2 s idle at 35 mA, a
/// step to 480 mA, a 3 s ramp to 1.45 A, 1 s at 1.45 A with a 5 Hz ±120 mA motor ripple,
/// then 2 s back down to idle. Odd sensors measure a battery being charged: the current
/// flows the other way, at half the size. The bus voltage is the supply (5 V, 12 V, 3.3 V,
/// 24 V by sensor) minus 150 mΩ of wiring times the current. A little seeded noise is
/// added (±0.8 mA, ±4 mV), then the values go through [`registers_for`] and
/// [`Reading::from_registers`], so they have the chip's resolution and limits.
#[derive(Debug, Clone)]
pub struct LoadProfile {
    noise: Noise,
}

impl LoadProfile {
    /// A profile whose noise is seeded with `seed`.
    pub const fn new(seed: u32) -> LoadProfile {
        LoadProfile { noise: Noise::new(seed) }
    }

    /// The load current (µA, before noise) of sensor `index` at `uptime_ms`.
    pub fn load_ua(index: usize, uptime_ms: u64) -> i64 {
        let shift = (index as u64 % 4) * (CYCLE_MS / 4);
        let t = uptime_ms.wrapping_add(shift) % CYCLE_MS;
        let ma_x1000: i64 = match t {
            0..2_000 => 35_000,
            2_000..4_000 => 480_000,
            4_000..7_000 => 480_000 + (1_450_000 - 480_000) * (t as i64 - 4_000) / 3_000,
            7_000..8_000 => {
                // 5 Hz: one turn per 200 ms.
                let phase = ((t % 200) << 32) / 200;
                1_450_000 + 120_000 * i64::from(sin_q15(phase as u32)) / 32_767
            }
            _ => 1_450_000 - (1_450_000 - 35_000) * (t as i64 - 8_000) / 2_000,
        };
        if index % 2 == 1 { -ma_x1000 / 2 } else { ma_x1000 }
    }

    /// The supply voltage behind sensor `index`, mV.
    pub const fn supply_mv(index: usize) -> i64 {
        match index % 4 {
            0 => 5_000,
            1 => 12_000,
            2 => 3_300,
            _ => 24_000,
        }
    }
}

impl Default for LoadProfile {
    fn default() -> Self {
        LoadProfile::new(1)
    }
}

impl SampleSource for LoadProfile {
    fn read(&mut self, index: usize, uptime_ms: u64) -> Option<Reading> {
        let current_ua = Self::load_ua(index, uptime_ms) + i64::from(self.noise.symmetric(800));
        // 150 mΩ of wiring: mV = µA × 0.15 / 1000.
        let bus_mv = Self::supply_mv(index) - current_ua * 15 / 100_000 + i64::from(self.noise.symmetric(4));
        let (bus, current) = registers_for(bus_mv.clamp(0, i64::from(u32::MAX)) as u32, current_ua);
        Some(Reading::from_registers(bus, current))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_follow_the_chip() {
        // 12.304 V = 3076 × 4 mV; 23.6 mA = 236 × 100 µA.
        assert_eq!(registers_for(12_304, 23_600), (3076 << 3 | 0b10, 236));
        assert_eq!(Reading::from_registers(3076 << 3 | 0b11, 236), Reading { bus_mv: 12_304, current_ua: 23_600 });
        assert_eq!(Reading::from_registers(0xFFFF, 0xFFFF), Reading { bus_mv: 32_764, current_ua: -100 });
        // Beyond ±320 mV of shunt the register saturates and OVF is set.
        assert_eq!(registers_for(40_000, -5_000_000), (0x1FFF << 3 | 0b11, (-32_000i16) as u16));
    }

    #[test]
    fn profile_steps_ramps_and_stays_in_range() {
        assert_eq!(LoadProfile::load_ua(0, 1_000), 35_000);
        assert_eq!(LoadProfile::load_ua(0, 3_000), 480_000);
        assert_eq!(LoadProfile::load_ua(0, 5_500), 965_000);
        assert_eq!(LoadProfile::load_ua(1, 500), -240_000, "sensor 1 is 2.5 s ahead and charging");
        let mut p = LoadProfile::new(3);
        for t in (0..20_000).step_by(7) {
            let r = p.read(0, t).unwrap();
            assert!((4_700..=5_010).contains(&r.bus_mv), "{r:?} at {t}");
            assert!((34_000..=1_571_000).contains(&r.current_ua), "{r:?} at {t}");
            assert_eq!(r.current_ua % CURRENT_LSB_UA, 0);
            assert_eq!(r.bus_mv % BUS_LSB_MV, 0);
        }
    }
}
