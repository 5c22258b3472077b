//! The ESC behind the bridge, as the device model simulates it: a permanent-magnet motor
//! under field-oriented control, sampled into one debug record per control cycle.
//!
//! Each record holds what an FOC firmware typically traces (the layout of the real
//! captures): `[ia, ib, ic, id, iq, theta]`, currents in mA and the electrical angle as a
//! fraction of a turn (`65536` = 360°, as a wrapping i16). The rotor's electrical angle
//! advances with the speed; the speed ramps towards the commanded one; `iq` carries the
//! load (friction plus a speed-proportional drag) and the acceleration torque, `id` is
//! held near 0; both have a sixth-harmonic ripple and a little seeded noise; the phase
//! currents are the inverse Park and Clarke transforms of `id`/`iq` at the rotor angle.
//! Integer maths only, so every target gives the same records.

use crate::device::wave::{Noise, cos_q15, scale_q15, sin_q15};

use super::record::Record;

/// Pole pairs of the simulated motor (electrical turns per mechanical turn).
pub const POLE_PAIRS: i64 = 7;
/// The fastest commanded speed, mechanical rpm (either direction).
pub const MAX_RPM: i32 = 30_000;
/// How fast the speed follows the command, rpm per second.
pub const ACCEL_RPM_PER_S: i64 = 20_000;
/// `iq` while accelerating at [`ACCEL_RPM_PER_S`], mA (the torque of the ramp).
const ACCEL_IQ_MA: i32 = 4_000;
/// `iq` for friction, mA, plus [`DRAG_MA_PER_KRPM`] per 1000 rpm.
const FRICTION_IQ_MA: i32 = 300;
const DRAG_MA_PER_KRPM: i32 = 100;
/// The DC bus, mV, and its sag per ampere of `iq` (source resistance, mΩ).
pub const BUS_MV: i32 = 24_000;
const BUS_SAG_MOHM: i32 = 40;

/// √3/2 in Q15.
const SQRT3_2_Q15: i16 = 28_378;

/// The motor and its control loop, one record per control cycle.
#[derive(Debug, Clone)]
pub struct Foc {
    /// Control cycles per second (the record rate).
    rate_hz: u32,
    /// Electrical angle, a fraction of a turn (`2^32` = 360°).
    theta: u32,
    /// Speed and commanded speed, milli-rpm (mechanical).
    speed_mrpm: i64,
    target_mrpm: i64,
    noise: Noise,
    /// `iq` of the last record, mA (for `status`).
    last_iq: i16,
}

impl Foc {
    /// A motor at rest, commanded to `target_rpm`, controlled `rate_hz` times a second.
    pub fn new(rate_hz: u32, target_rpm: i32, seed: u32) -> Foc {
        Foc {
            rate_hz: rate_hz.max(1),
            theta: 0,
            speed_mrpm: 0,
            target_mrpm: i64::from(target_rpm.clamp(-MAX_RPM, MAX_RPM)) * 1000,
            noise: Noise::new(seed),
            last_iq: 0,
        }
    }

    /// Commands a new speed (clamped to ±[`MAX_RPM`]).
    pub fn set_target_rpm(&mut self, rpm: i32) {
        self.target_mrpm = i64::from(rpm.clamp(-MAX_RPM, MAX_RPM)) * 1000;
    }

    /// The commanded speed, rpm.
    pub fn target_rpm(&self) -> i32 {
        (self.target_mrpm / 1000) as i32
    }

    /// The speed, rpm.
    pub fn speed_rpm(&self) -> i32 {
        (self.speed_mrpm / 1000) as i32
    }

    /// `iq` of the last record, mA.
    pub fn iq_ma(&self) -> i16 {
        self.last_iq
    }

    /// The bus voltage under the present load, mV.
    pub fn bus_mv(&self) -> i32 {
        BUS_MV - i32::from(self.last_iq).abs() * BUS_SAG_MOHM / 1000
    }

    /// Speed change per cycle, milli-rpm.
    fn accel_step(&self) -> i64 {
        (ACCEL_RPM_PER_S * 1000 / i64::from(self.rate_hz)).max(1)
    }

    /// Angle advance per cycle at `speed_mrpm`: `rpm × pole pairs / 60` turns a second.
    fn angle_step(&self, speed_mrpm: i64) -> i64 {
        // Turns per cycle × 2^32, in i128: mrpm × 7 × 2^32 stays far below 2^127.
        let step =
            i128::from(speed_mrpm) * i128::from(POLE_PAIRS) * (1i128 << 32) / (60_000 * i128::from(self.rate_hz));
        step as i64
    }

    /// Moves the speed one cycle towards the command; returns the acceleration's sign.
    fn ramp(&mut self) -> i32 {
        let diff = self.target_mrpm - self.speed_mrpm;
        let step = self.accel_step();
        self.speed_mrpm += diff.clamp(-step, step);
        if diff.abs() >= step { diff.signum() as i32 } else { 0 }
    }

    /// The next record, with sequence number `seq`.
    pub fn record(&mut self, seq: u16) -> Record {
        let accel = self.ramp();
        self.theta = self.theta.wrapping_add(self.angle_step(self.speed_mrpm) as u32);
        let speed_rpm = self.speed_rpm();
        let load = (FRICTION_IQ_MA + speed_rpm.abs() / 1000 * DRAG_MA_PER_KRPM) * speed_rpm.signum();
        let sixth = self.theta.wrapping_mul(6);
        let iq = load + accel * ACCEL_IQ_MA + i32::from(scale_q15(60, sin_q15(sixth))) + self.noise.symmetric(15);
        let id = i32::from(scale_q15(30, cos_q15(sixth))) + self.noise.symmetric(10);
        let (sin, cos) = (sin_q15(self.theta), cos_q15(self.theta));
        // Inverse Park: (id, iq) at the rotor angle to the stator's α/β axes.
        let alpha = i32::from(scale_q15(id, cos)) - i32::from(scale_q15(iq, sin));
        let beta = i32::from(scale_q15(id, sin)) + i32::from(scale_q15(iq, cos));
        // Inverse Clarke: α/β to the three phases, which sum to zero.
        let ia = alpha;
        let ib = -alpha / 2 + i32::from(scale_q15(beta, SQRT3_2_Q15));
        let ic = -ia - ib;
        let iq = saturate(iq);
        self.last_iq = iq;
        Record {
            seq,
            payload: [saturate(ia), saturate(ib), saturate(ic), saturate(id), iq, (self.theta >> 16) as u16 as i16],
        }
    }

    /// Runs `cycles` control cycles without recording them (records the bridge dropped):
    /// the speed ramps and the angle turns as they would have.
    pub fn skip(&mut self, cycles: u64) {
        let before = self.speed_mrpm;
        let diff = self.target_mrpm - before;
        let step = self.accel_step();
        let change =
            i128::from(diff).clamp(-(i128::from(step) * i128::from(cycles)), i128::from(step) * i128::from(cycles));
        self.speed_mrpm = before + change as i64;
        // The average speed over the skipped cycles (exact for a ramp that does not reach
        // the command; close enough otherwise, for records nobody will see).
        let average = (before + self.speed_mrpm) / 2;
        let turn = (i128::from(self.angle_step(average)) * i128::from(cycles)) as u32;
        self.theta = self.theta.wrapping_add(turn);
    }
}

fn saturate(value: i32) -> i16 {
    value.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::*;

    #[test]
    fn ramps_to_speed_and_turns_at_the_electrical_frequency() {
        let mut foc = Foc::new(20_000, 3_000, 1);
        // 3000 rpm at 20 000 rpm/s: 150 ms.
        for seq in 0..3_000u16 {
            foc.record(seq);
        }
        assert_eq!(foc.speed_rpm(), 3_000);
        // 3000 rpm × 7 / 60 = 350 Hz: 20 000 / 350 ≈ 57 records per electrical turn.
        let angles: Vec<u16> = (0..200u16).map(|s| foc.record(s).payload[5] as u16).collect();
        let wraps = angles.windows(2).filter(|w| w[1] < w[0]).count();
        assert_eq!(wraps, 3, "200 records at 350 Hz: 3.5 turns");
    }

    #[test]
    fn phase_currents_follow_iq_and_sum_to_zero() {
        let mut foc = Foc::new(20_000, 6_000, 9);
        for seq in 0..10_000u16 {
            let [ia, ib, ic, id, iq, _] = foc.record(seq).payload;
            assert!((i32::from(ia) + i32::from(ib) + i32::from(ic)).abs() <= 1);
            let peak = i32::from(iq).abs() + i32::from(id).abs() + 2;
            for phase in [ia, ib, ic] {
                assert!(i32::from(phase).abs() <= peak * 115 / 100, "{phase} vs {iq}/{id}");
            }
        }
        // At speed: iq = 300 + 6 × 100 mA of load, ±75 of ripple and noise.
        assert!((825..=975).contains(&foc.iq_ma()), "{}", foc.iq_ma());
    }
}
