//! Daily series: fitness (CTL), fatigue (ATL), form (TSB), ramp rate, ACWR, monotony, strain.
//!
//! The exponentially weighted average (SCIENCE.md §3):
//! `X_d = X_(d−1) + λ·(load_d − X_(d−1))` with `λ = 1 − e^(−1/N)` (the TrainingPeaks,
//! GoldenCheetah and intervals.icu convention; `2/(N+1)` would be twice as reactive at N = 42).

/// Default time constant of fitness (chronic training load), days.
pub const FITNESS_DAYS: f64 = 42.0;
/// Default time constant of fatigue (acute training load), days.
pub const FATIGUE_DAYS: f64 = 7.0;

/// The daily smoothing factor for a time constant of `n_days`: `λ = 1 − e^(−1/N)`.
pub fn lambda(n_days: f64) -> f64 {
    1.0 - (-1.0 / n_days).exp()
}

/// One step of the exponentially weighted average: yesterday's value `prev` moved by `lambda`
/// towards today's `load`.
pub fn ewma_next(prev: f64, load: f64, lambda: f64) -> f64 {
    prev + lambda * (load - prev)
}
