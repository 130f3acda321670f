//! A tiny deterministic pseudo-random generator: xoshiro256** seeded through SplitMix64.
//!
//! The simulator must give the same season for the same seed on every platform and every
//! release, so it carries its own generator instead of depending on `rand` (whose streams may
//! change between versions). Gaussian draws use the Box–Muller transform; per-sample sensor
//! noise uses cheaper unit-variance uniform draws (see [`Rng::noise`]).

/// SplitMix64's increment (Steele, Lea & Flood 2014), used to expand one seed into a state.
const SPLITMIX_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// √3: a uniform draw on [−√3, √3] has unit variance.
const SQRT_3: f64 = 1.732_050_807_568_877_2;

/// xoshiro256** (Blackman & Vigna 2018): fast, small, statistically strong for simulation.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: [u64; 4],
    spare_normal: Option<f64>,
}

/// One SplitMix64 step: advances `x` and returns a well-mixed output.
fn splitmix64(x: &mut u64) -> u64 {
    *x = x.wrapping_add(SPLITMIX_GAMMA);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator for `seed`, with `stream` selecting an independent sub-stream (so that the
    /// plan, the streams and the wellness log each draw from their own sequence and a change
    /// in one does not reshuffle the others).
    pub(crate) fn new(seed: u64, stream: u64) -> Rng {
        let mut x = seed ^ stream.wrapping_mul(0xD605_BBB5_8C8A_BB5D);
        let state = [
            splitmix64(&mut x),
            splitmix64(&mut x),
            splitmix64(&mut x),
            splitmix64(&mut x),
        ];
        Rng {
            state,
            spare_normal: None,
        }
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform on [0, 1) with 53 random bits.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform on [lo, hi).
    pub(crate) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// A uniform integer in `lo..=hi`.
    pub(crate) fn int(&mut self, lo: u32, hi: u32) -> u32 {
        let span = u64::from(hi.saturating_sub(lo)) + 1;
        lo + (self.next_u64() % span) as u32
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A standard normal draw (Box–Muller; the second value of each pair is kept for the next
    /// call).
    pub(crate) fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        // 1 − unit() lies in (0, 1], so the logarithm is finite.
        let u1 = 1.0 - self.unit();
        let u2 = self.unit();
        let radius = (-2.0 * u1.ln()).sqrt();
        let (sin, cos) = (std::f64::consts::TAU * u2).sin_cos();
        self.spare_normal = Some(radius * sin);
        radius * cos
    }

    /// A normal draw with the given mean and standard deviation.
    pub(crate) fn gauss(&mut self, mean: f64, sd: f64) -> f64 {
        mean + sd * self.normal()
    }

    /// Zero-mean, unit-variance noise from one uniform draw on [−√3, √3]. Several times cheaper
    /// than [`Rng::normal`]; used for per-second sensor noise, which the simulator passes through
    /// first-order (AR(1)) filters that make the sum close to Gaussian anyway.
    pub(crate) fn noise(&mut self) -> f64 {
        SQRT_3 * (2.0 * self.unit() - 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_and_stream_give_the_same_sequence() {
        let mut a = Rng::new(42, 1);
        let mut b = Rng::new(42, 1);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn different_streams_differ() {
        let mut a = Rng::new(42, 1);
        let mut b = Rng::new(42, 2);
        assert_ne!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn normal_and_noise_have_zero_mean_and_unit_variance() {
        // With n = 200 000 draws the standard error of the mean is 1/√n ≈ 0.0022 and that of
        // the variance ≈ √(2/n) ≈ 0.0032 (normal) or √(0.8/n) ≈ 0.002 (uniform, kurtosis 1.8):
        // tolerances of 0.01 and 0.02 are over four standard errors.
        let mut rng = Rng::new(7, 0);
        for use_normal in [true, false] {
            let n = 200_000;
            let (mut sum, mut sum_sq) = (0.0, 0.0);
            for _ in 0..n {
                let x = if use_normal {
                    rng.normal()
                } else {
                    rng.noise()
                };
                sum += x;
                sum_sq += x * x;
            }
            let mean = sum / n as f64;
            let var = sum_sq / n as f64 - mean * mean;
            assert!(mean.abs() < 0.01, "mean {mean}");
            assert!((var - 1.0).abs() < 0.02, "variance {var}");
        }
    }

    #[test]
    fn unit_stays_in_the_half_open_interval_and_int_in_range() {
        let mut rng = Rng::new(3, 9);
        for _ in 0..10_000 {
            let u = rng.unit();
            assert!((0.0..1.0).contains(&u));
            let k = rng.int(2, 5);
            assert!((2..=5).contains(&k));
        }
    }
}
