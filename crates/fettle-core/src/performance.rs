//! Race performance on a common scale: VDOT (Daniels & Gilbert 1979) and Riegel's formula.
//!
//! VDOT turns any race or best effort into one number, so that a 5 km and a half marathon can
//! be compared, fitted by the personal model and turned back into a predicted time.
//! - `VO2(v) = −4.60 + 0.182258·v + 0.000104·v²`, v in m/min;
//! - `%VO2max(t) = 0.8 + 0.1894393·e^(−0.012778·t) + 0.2989558·e^(−0.1932605·t)`, t in min;
//! - `VDOT = VO2 / %VO2max`.
//!
//! Riegel (1981): `T2 = T1·(D2/D1)^1.06`, for efforts of roughly 3.5–230 minutes.

/// Riegel's fatigue exponent.
pub const RIEGEL_EXPONENT: f64 = 1.06;

/// Oxygen cost of running at `v_m_per_min` metres per minute, ml·kg⁻¹·min⁻¹ (Daniels & Gilbert).
pub fn vo2_at_speed(v_m_per_min: f64) -> f64 {
    -4.60 + 0.182258 * v_m_per_min + 0.000104 * v_m_per_min * v_m_per_min
}

/// Fraction of VO2max sustainable for `t_min` minutes (Daniels & Gilbert).
pub fn fraction_vo2max(t_min: f64) -> f64 {
    0.8 + 0.1894393 * (-0.012778 * t_min).exp() + 0.2989558 * (-0.1932605 * t_min).exp()
}

/// VDOT of a performance: `distance_m` run in `time_s` seconds. `None` for non-positive input.
pub fn vdot(distance_m: f64, time_s: f64) -> Option<f64> {
    if !(distance_m > 0.0 && time_s > 0.0 && distance_m.is_finite() && time_s.is_finite()) {
        return None;
    }
    let t_min = time_s / 60.0;
    let v = distance_m / t_min;
    Some(vo2_at_speed(v) / fraction_vo2max(t_min))
}

/// The time in seconds a runner of the given VDOT is predicted to need for `distance_m`,
/// found by bisection on the (monotone) VDOT-of-time function. `None` for non-positive input.
pub fn race_time_for_vdot(vdot_value: f64, distance_m: f64) -> Option<f64> {
    if !(vdot_value > 0.0 && distance_m > 0.0) {
        return None;
    }
    // VDOT falls as the time grows; bracket between 1 s per km-ish and a very slow walk.
    let (mut lo, mut hi) = (distance_m / 12.0, distance_m * 2.0);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        match vdot(distance_m, mid) {
            Some(v) if v > vdot_value => lo = mid,
            _ => hi = mid,
        }
    }
    Some(0.5 * (lo + hi))
}

/// Riegel's prediction: the time for `d2_m` from a time `t1_s` over `d1_m`.
pub fn riegel(t1_s: f64, d1_m: f64, d2_m: f64) -> f64 {
    t1_s * (d2_m / d1_m).powf(RIEGEL_EXPONENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vdot_of_a_20_minute_5k_matches_daniels_tables() {
        // Daniels' Running Formula tables list VDOT 50 for a 5 km in 19:57.
        // By hand: t = 19.95 min, v = 5000/19.95 = 250.63 m/min,
        // VO2 = −4.60 + 0.182258·250.63 + 0.000104·250.63² = −4.60 + 45.679 + 6.533 = 47.612,
        // %max = 0.8 + 0.1894393·e^(−0.25492) + 0.2989558·e^(−3.85555) = 0.8 + 0.14682 + 0.00633
        //      = 0.95315, VDOT = 47.612 / 0.95315 = 49.95.
        let v = vdot(5000.0, 19.0 * 60.0 + 57.0).unwrap();
        assert!((v - 49.95).abs() < 0.05, "{v}");
    }

    #[test]
    fn race_time_inverts_vdot() {
        let t = race_time_for_vdot(50.0, 5000.0).unwrap();
        // Daniels' table: VDOT 50 → 5 km 19:57 (1197 s).
        assert!((t - 1197.0).abs() < 3.0, "{t}");
        let back = vdot(5000.0, t).unwrap();
        assert!((back - 50.0).abs() < 1e-6);
    }

    #[test]
    fn riegel_by_hand() {
        // 10 km in 41:30 (2490 s) → half marathon: ln 2.10975 = 0.74657, ·1.06 = 0.79136,
        // e^0.79136 = 2.20640, 2490·2.20640 = 5493.9 s
        let t = riegel(2490.0, 10_000.0, 21_097.5);
        assert!((t - 5493.9).abs() < 0.5, "{t}");
    }
}
