//! Race performance on a common scale: VDOT (Daniels & Gilbert 1979) and Riegel's formula.
//!
//! VDOT turns any race or best effort into one number, so that a 5 km and a half marathon can
//! be compared, fitted by the personal model and turned back into a predicted time.
//! - `VO2(v) = −4.60 + 0.182258·v + 0.000104·v²`, v in m/min;
//! - `%VO2max(t) = 0.8 + 0.1894393·e^(−0.012778·t) + 0.2989558·e^(−0.1932605·t)`, t in min;
//! - `VDOT = VO2 / %VO2max`.
//!
//! Riegel (1981): `T2 = T1·(D2/D1)^1.06`, for efforts of roughly 3.5–230 minutes.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Riegel's fatigue exponent.
pub const RIEGEL_EXPONENT: f64 = 1.06;
/// A race or time trial counts as evidence of current fitness for this many days (26 weeks):
/// older results say more about a past build than about today.
pub const EVIDENCE_MAX_AGE_DAYS: i64 = 182;
/// Up to this age (4 weeks) a result stands for current fitness undiscounted: Daniels sets
/// training paces from a race of the last few weeks.
pub const EVIDENCE_FRESH_DAYS: i64 = 28;
/// VDOT discounted per week beyond [`EVIDENCE_FRESH_DAYS`]: fitness drifts by about as much as
/// training can add (Daniels: about one point every 4–6 weeks), so an old result is trusted less.
pub const EVIDENCE_DISCOUNT_PER_WEEK: f64 = 0.25;

/// What the current VDOT was taken from, best evidence first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VdotSource {
    /// A race result the athlete entered.
    Race,
    /// A time trial or best effort found in the training data.
    TimeTrial,
    /// The threshold pace (given or estimated) taken as a one-hour effort.
    ThresholdPace,
}

/// The result a current VDOT comes from, with its age discount.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VdotEvidence {
    /// Which kind of evidence.
    pub source: VdotSource,
    /// The VDOT after the age discount.
    pub vdot: f64,
    /// The VDOT of the result itself, before the discount.
    pub raw_vdot: f64,
    /// The day of the result (`None` for a threshold pace).
    pub date: Option<Date>,
    /// Distance run, metres.
    pub distance_m: f64,
    /// Time, seconds.
    pub time_s: f64,
}

/// One performance on record: a race (`is_race`) or a time trial / best effort.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Performance {
    /// Day of the effort.
    pub date: Date,
    /// Distance, metres.
    pub distance_m: f64,
    /// Time, seconds.
    pub time_s: f64,
    /// True for an entered race, false for a time trial or detected best effort.
    pub is_race: bool,
}

/// The best evidence of current fitness on `today`: the highest age-discounted VDOT among the
/// races of the last [`EVIDENCE_MAX_AGE_DAYS`], else among the time trials; `None` when there is
/// neither (the caller then falls back to the threshold pace). Results after `today` are ignored.
pub fn best_recent_vdot(performances: &[Performance], today: Date) -> Option<VdotEvidence> {
    let best_of = |races: bool| {
        performances
            .iter()
            .filter(|p| p.is_race == races)
            .filter_map(|p| {
                let age = i64::from(p.date.until(today).ok()?.get_days());
                if !(0..=EVIDENCE_MAX_AGE_DAYS).contains(&age) {
                    return None;
                }
                let raw = vdot(p.distance_m, p.time_s)?;
                let stale_weeks = (age - EVIDENCE_FRESH_DAYS).max(0) as f64 / 7.0;
                Some(VdotEvidence {
                    source: if races {
                        VdotSource::Race
                    } else {
                        VdotSource::TimeTrial
                    },
                    vdot: raw - EVIDENCE_DISCOUNT_PER_WEEK * stale_weeks,
                    raw_vdot: raw,
                    date: Some(p.date),
                    distance_m: p.distance_m,
                    time_s: p.time_s,
                })
            })
            .max_by(|a, b| a.vdot.total_cmp(&b.vdot))
    };
    best_of(true).or_else(|| best_of(false))
}

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
    fn the_best_recent_race_leads_and_old_results_are_discounted() {
        use jiff::civil::date;
        let today = date(2026, 6, 15);
        let perf = |d: Date, m: f64, t: f64, is_race: bool| Performance {
            date: d,
            distance_m: m,
            time_s: t,
            is_race,
        };
        // 5 km in 20:16 a week ago: VDOT 49.04 by Daniels–Gilbert (Python cross-check), no
        // discount within 4 weeks.
        let recent = perf(date(2026, 6, 8), 5000.0, 1216.0, true);
        // A faster 5 km (19:57, VDOT 49.95) 12 weeks ago: 8 weeks past the fresh 4, so
        // 49.95 − 0.25·8 = 47.95, below the recent race.
        let old = perf(date(2026, 3, 23), 5000.0, 1197.0, true);
        // A time trial at VDOT 50 is weaker evidence than any race.
        let trial = perf(date(2026, 6, 10), 5000.0, 1197.0, false);
        let best = best_recent_vdot(&[old, recent, trial], today).unwrap();
        assert_eq!(best.source, VdotSource::Race);
        assert_eq!(best.date, Some(date(2026, 6, 8)));
        assert!((best.vdot - 49.04).abs() < 0.01, "{best:?}");
        let only_old = best_recent_vdot(&[old], today).unwrap();
        assert!((only_old.vdot - 47.95).abs() < 0.01, "{only_old:?}");
        assert!((only_old.raw_vdot - 49.95).abs() < 0.01);
        // Without races, the time trial; results older than 26 weeks or in the future count not.
        let best = best_recent_vdot(&[trial], today).unwrap();
        assert_eq!(best.source, VdotSource::TimeTrial);
        let ancient = perf(date(2025, 12, 1), 5000.0, 1100.0, true);
        let future = perf(date(2026, 6, 20), 5000.0, 1100.0, true);
        assert_eq!(best_recent_vdot(&[ancient, future], today), None);
    }

    #[test]
    fn riegel_by_hand() {
        // 10 km in 41:30 (2490 s) → half marathon: ln 2.10975 = 0.74657, ·1.06 = 0.79136,
        // e^0.79136 = 2.20640, 2490·2.20640 = 5493.9 s
        let t = riegel(2490.0, 10_000.0, 21_097.5);
        assert!((t - 5493.9).abs() < 0.5, "{t}");
    }
}
