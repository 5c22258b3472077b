//! Deterministic signal sources for the device models: an integer sine and a seeded noise
//! generator. No floating point and no `libm`, so that a model gives the same bytes on
//! every target (a host test and a Cortex-M build agree to the bit).

/// One full turn of a phase: phases are `u32` fractions of a turn, so that they wrap
/// exactly and never overflow.
pub const TURN: u64 = 1 << 32;

/// `sin` of `phase` (a fraction of a turn, `2^32` = 360°) in Q15: −32767..=32767.
///
/// A fifth-order polynomial on a quarter wave (at most 4 LSB from the exact value), mirrored
/// into the other three: enough for a plot or a motor-current trace, and cheap on an MCU
/// without an FPU.
pub fn sin_q15(phase: u32) -> i16 {
    let quadrant = phase >> 30;
    // Position inside the quadrant, 0..2^30, mirrored on the falling quarters.
    let within = phase & 0x3FFF_FFFF;
    let x = if quadrant & 1 == 0 { within } else { 0x4000_0000 - within };
    // x as Q15 of a quarter turn (0..=32768), then sin(πx/2) ≈ x·(a − x²·(b − c·x²)).
    let x = i64::from(x >> 15);
    let x2 = (x * x) >> 15;
    // Minimax-fitted Q15 coefficients (near the Taylor terms π/2, (π/2)³/6, (π/2)⁵/120).
    let poly = 51_460 - ((x2 * (21_052 - ((x2 * 2_360) >> 15))) >> 15);
    let y = ((x * poly) >> 15).clamp(0, 32_767);
    let y = y as i16;
    if quadrant >= 2 { -y } else { y }
}

/// `cos` of `phase` in Q15.
pub fn cos_q15(phase: u32) -> i16 {
    sin_q15(phase.wrapping_add(1 << 30))
}

/// `value × q15 / 32768`, saturated to `i16`.
pub fn scale_q15(value: i32, q15: i16) -> i16 {
    let product = (i64::from(value) * i64::from(q15)) >> 15;
    product.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16
}

/// A small seeded noise source (xorshift32): the same seed gives the same sequence on
/// every target. Not for anything but simulated measurement noise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Noise {
    state: u32,
}

impl Noise {
    /// A source seeded with `seed` (0 is replaced by a fixed non-zero value: xorshift
    /// would stay at 0 for ever).
    pub const fn new(seed: u32) -> Noise {
        Noise { state: if seed == 0 { 0x9E37_79B9 } else { seed } }
    }

    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.state = x;
        x
    }

    /// A value in `-amplitude..=amplitude` (0 for an amplitude of 0 or below).
    pub fn symmetric(&mut self, amplitude: i32) -> i32 {
        if amplitude <= 0 {
            return 0;
        }
        let span = u64::from(amplitude.unsigned_abs()) * 2 + 1;
        let r = u64::from(self.next_u32()) % span;
        r as i32 - amplitude
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sine_matches_the_float_sine_within_a_few_lsb() {
        let mut worst = 0i32;
        for step in 0..4096u32 {
            let phase = step << 20;
            let exact = (f64::from(phase) / TURN as f64 * core::f64::consts::TAU).sin() * 32767.0;
            let got = i32::from(sin_q15(phase));
            worst = worst.max((got - exact.round() as i32).abs());
        }
        assert!(worst <= 5, "worst error {worst} LSB");
        assert_eq!(sin_q15(0), 0);
        assert_eq!(sin_q15(1 << 30), 32_767);
        assert_eq!(sin_q15(3 << 30), -32_767);
        assert_eq!(cos_q15(0), 32_767);
    }

    #[test]
    fn noise_is_seeded_and_bounded() {
        let mut a = Noise::new(7);
        let mut b = Noise::new(7);
        for _ in 0..1000 {
            let v = a.symmetric(50);
            assert_eq!(v, b.symmetric(50));
            assert!((-50..=50).contains(&v));
        }
        assert_eq!(Noise::new(0).symmetric(0), 0);
    }
}
