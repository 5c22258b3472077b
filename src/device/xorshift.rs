//! The one pseudo-random generator of the device models (measurement noise) and of the
//! simulator's fault injection: xorshift64*, seeded, so that a run is repeatable exactly.

/// A xorshift64* generator: fast, no state but one `u64`, the same sequence for the same seed
/// on every target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Xorshift(u64);

impl Xorshift {
    /// A generator seeded with `seed` (0, which xorshift cannot leave, is replaced by a fixed
    /// non-zero constant).
    pub const fn new(seed: u64) -> Xorshift {
        Xorshift(if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// The next 32 random bits (the high half, the better one of xorshift64*).
    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// A value in `0..n` (0 when `n` is 0), without division bias worth speaking of for the
    /// small ranges the models use.
    pub fn below(&mut self, n: u32) -> u32 {
        ((u64::from(self.next_u32()) * u64::from(n)) >> 32) as u32
    }

    /// A value in `-amplitude..=amplitude`.
    pub fn spread(&mut self, amplitude: u16) -> i32 {
        let width = u32::from(amplitude) * 2 + 1;
        self.below(width) as i32 - i32::from(amplitude)
    }

    /// A uniform value in `[0, 1)`, from 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p` (never for `p <= 0` or NaN, always for `p >= 1`).
    pub fn chance(&mut self, p: f64) -> bool {
        // `unit() < p` is false for every NaN, and true for every p >= 1.
        self.unit() < p
    }
}

#[cfg(test)]
mod tests {
    use super::Xorshift;

    #[test]
    fn same_seed_same_sequence_and_ranges_hold() {
        let (mut a, mut b) = (Xorshift::new(7), Xorshift::new(7));
        for _ in 0..1000 {
            assert_eq!(a.next_u64(), b.next_u64());
            assert!(a.below(10) < 10);
            assert!((-3..=3).contains(&a.spread(3)));
            let u = a.unit();
            assert!((0.0..1.0).contains(&u));
            b.below(10);
            b.spread(3);
            b.unit();
        }
        assert_ne!(Xorshift::new(1).next_u64(), Xorshift::new(2).next_u64());
        assert_eq!(Xorshift::new(0), Xorshift::new(0x9E37_79B9_7F4A_7C15));
        assert_eq!(Xorshift::new(5).below(0), 0);
        assert!(!Xorshift::new(5).chance(0.0));
        assert!(!Xorshift::new(5).chance(f64::NAN));
        assert!(Xorshift::new(5).chance(1.0));
    }

    #[test]
    fn chance_is_about_right() {
        let mut rng = Xorshift::new(42);
        let hits = (0..10_000).filter(|_| rng.chance(0.25)).count();
        assert!((2300..2700).contains(&hits), "{hits}");
    }
}
