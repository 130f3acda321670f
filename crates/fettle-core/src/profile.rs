//! The athlete's profile: dated thresholds, and estimates of what was not given.
//!
//! # Dated values
//! Each value (body mass, HRmax, HRrest, LTHR, threshold speed, time zone) is a list of
//! [`Dated`] entries: a new value applies from its date, older sessions keep the old one. The
//! first value also covers the days before it, so a history imported before the profile was
//! set still has thresholds. [`ProfileHistory::thresholds_on`] gives what was *given* for a
//! day; [`ProfileHistory::resolve_on`] fills the gaps with [`Estimates`] and says, for every
//! value, where it came from ([`Source`]).
//!
//! # Estimates (docs/science.md, "Threshold estimation")
//! The importer stores [`EffortFeatures`] per activity ([`effort_features`], O(n) per window);
//! the estimators work on those, never on raw streams:
//! - **HRmax**: the [`HR_MAX_PERCENTILE`] percentile of the per-session peak HR held for
//!   [`PEAK_HR_WINDOW_S`] s (a percentile of 10-s peaks discards strap spikes that a plain
//!   maximum would keep). Never a formula of age.
//! - **Threshold speed** (the pace one can hold for about an hour), strongest evidence first:
//!   1. *the best recent race* ([`estimate_threshold_speed_from_races`]): the highest VDOT
//!      (Daniels & Gilbert) among the races of 3 km or more entered in the six months to the
//!      newest one, converted to the speed that VDOT holds for one hour; ±2 %;
//!   2. *training history* ([`estimate_threshold_speed`]): each run contributes its best
//!      60-min mean speed, or its best 30-min speed converted to 60 min with Riegel
//!      (`v60 = v30·2^(1/1.06 − 1)` = 0.9615·v30), whichever is higher; the estimate is the
//!      median of the [`TOP_EFFORTS`] best. Raw speed, and runs are rarely all-out, so it
//!      reads slow (on the demo runner 3.68 m/s against a true 3.97).
//! - **LTHR**, strongest evidence first:
//!   1. *heart rate at threshold pace* ([`estimate_lthr_at_threshold_speed`]): the least-squares
//!      line of heart rate on grade-adjusted speed through the steady efforts of the last
//!      [`STEADY_EVIDENCE_DAYS`] days (the first steady 20 minutes of each run after
//!      [`STEADY_SKIP_START_MIN`] minutes — the least cardiac drift —, even pace, decoupling
//!      under 5 %: [`steady_efforts`]), read at the threshold speed; ± 1.96 × its standard
//!      error. Races and interval sessions, which pull the hardest 20 minutes up, weigh no
//!      more than any other run. On the demo runner (true LTHR 170) it reads 172.5.
//!   2. *Friel's test from history* ([`estimate_lthr`]): each session of at least 30 min
//!      contributes its hardest 20-min stretch, and the estimate is the median of the
//!      [`TOP_EFFORTS`] highest (one strap artefact cannot set it alone). Races pull it up
//!      (174 on the demo runner).
//! - **HRrest**: the median of the morning resting HRs logged (wellness), if any.
//!
//! Every estimate underestimates an athlete who never trained hard; the method text says what
//! it was based on and, where the method can say, its uncertainty ([`Estimate::uncertainty`]),
//! so the athlete can judge; a given value always wins.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::limits::{self, Violation};
use crate::load::{PLAUSIBLE_HR_BPM, Sex, Thresholds};
use crate::performance::RIEGEL_EXPONENT;

/// Percentile of session peak HRs taken as HRmax. A high percentile rather than the maximum
/// (docs/science.md: "a high percentile of observed session maxima").
pub const HR_MAX_PERCENTILE: f64 = 0.95;
/// Window over which a session's peak HR is measured, seconds.
pub const PEAK_HR_WINDOW_S: f64 = 10.0;
/// Number of best efforts whose median gives LTHR and threshold speed.
pub const TOP_EFFORTS: usize = 3;
/// Shortest session (moving time) whose best 20-min HR counts towards LTHR: Friel's 30-min test.
pub const LTHR_MIN_SESSION_S: f64 = 30.0 * 60.0;
/// Fraction of a window that must have valid samples for its mean to count.
pub const WINDOW_MIN_COVERAGE: f64 = 0.9;
/// Speeds above this (m/s) are GPS jumps, not running (Bolt's top speed ≈ 12.4 m/s).
pub const MAX_RUNNING_SPEED_MPS: f64 = 12.5;
/// Rolling-window lengths of [`EffortFeatures`], seconds: 20, 30 and 60 minutes.
pub const EFFORT_WINDOWS_S: [f64; 3] = [1200.0, 1800.0, 3600.0];

/// A value that applies from a date on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dated<T> {
    /// First local day the value applies to.
    pub from: Date,
    /// The value.
    pub value: T,
}

/// The value in force on `date`: the latest entry starting on or before it, else the earliest
/// entry (see the module docs). `values` may be in any order.
pub fn value_on<T>(values: &[Dated<T>], date: Date) -> Option<&Dated<T>> {
    values
        .iter()
        .filter(|v| v.from <= date)
        .max_by_key(|v| v.from)
        .or_else(|| values.iter().min_by_key(|v| v.from))
}

/// Everything the athlete has told Fettle about themselves, with dates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileHistory {
    /// Sex, for Banister's TRIMP constants.
    pub sex: Option<Sex>,
    /// Body mass, kg.
    pub body_mass_kg: Vec<Dated<f64>>,
    /// Maximum heart rate, bpm.
    pub hr_max: Vec<Dated<f64>>,
    /// Resting heart rate, bpm.
    pub hr_rest: Vec<Dated<f64>>,
    /// Lactate-threshold heart rate, bpm.
    pub lthr: Vec<Dated<f64>>,
    /// Threshold running speed, m/s.
    pub threshold_speed_mps: Vec<Dated<f64>>,
    /// IANA time-zone name (e.g. `Europe/Berlin`).
    pub time_zone: Vec<Dated<String>>,
    /// The athlete's usual weekly running distance, km: what seeds fitness and fatigue while the
    /// series warms up ([`crate::series::Seed::UsualWeekKm`]).
    #[serde(default)]
    pub usual_week_km: Vec<Dated<f64>>,
}

/// Which numeric profile value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileField {
    /// Body mass, kg.
    BodyMass,
    /// Maximum heart rate, bpm.
    HrMax,
    /// Resting heart rate, bpm.
    HrRest,
    /// Lactate-threshold heart rate, bpm.
    Lthr,
    /// Threshold running speed, m/s.
    ThresholdSpeed,
    /// Usual weekly running distance, km.
    UsualWeekKm,
}

impl ProfileField {
    /// The field's name as typed (the API's JSON key), its label for people, its plausible
    /// range and its unit.
    fn meta(self) -> (&'static str, &'static str, (f64, f64), &'static str) {
        match self {
            ProfileField::BodyMass => ("mass_kg", "body mass", limits::BODY_MASS_KG, "kg"),
            ProfileField::HrMax => ("max_hr", "HRmax", limits::HR_MAX_BPM, "bpm"),
            ProfileField::HrRest => ("rest_hr", "HRrest", limits::REST_HR_BPM, "bpm"),
            ProfileField::Lthr => ("lthr", "LTHR", limits::LTHR_BPM, "bpm"),
            ProfileField::ThresholdSpeed => (
                "threshold_speed_mps",
                "threshold speed",
                limits::THRESHOLD_SPEED_MPS,
                "m/s",
            ),
            ProfileField::UsualWeekKm => {
                ("usual_week_km", "usual week", limits::USUAL_WEEK_KM, "km")
            }
        }
    }
}

impl ProfileHistory {
    fn values_mut(&mut self, field: ProfileField) -> &mut Vec<Dated<f64>> {
        match field {
            ProfileField::BodyMass => &mut self.body_mass_kg,
            ProfileField::HrMax => &mut self.hr_max,
            ProfileField::HrRest => &mut self.hr_rest,
            ProfileField::Lthr => &mut self.lthr,
            ProfileField::ThresholdSpeed => &mut self.threshold_speed_mps,
            ProfileField::UsualWeekKm => &mut self.usual_week_km,
        }
    }

    /// Sets a value from `from` on, replacing one given for the same date; keeps the list in
    /// date order. Rejects implausible values (see [`crate::limits`]) with a message saying
    /// what is wrong.
    pub fn set(&mut self, field: ProfileField, from: Date, value: f64) -> Result<(), Violation> {
        let (name, label, range, unit) = field.meta();
        limits::check_number(name, value, range, unit).map_err(|mut v| {
            v.message = format!("{label}: {}", v.message);
            v
        })?;
        let values = self.values_mut(field);
        values.retain(|v| v.from != from);
        values.push(Dated { from, value });
        values.sort_by_key(|v| v.from);
        Ok(())
    }

    /// Checks that the heart rates in force agree — resting below LTHR below HRmax — on `from`
    /// and on every later day one of them changes (a new HRmax must suit the LTHR already
    /// given, and the other way round). Each disagreement is reported once.
    pub fn check_heart_rates(&self, from: Date) -> Vec<Violation> {
        let mut days: Vec<Date> = std::iter::once(from)
            .chain(
                [&self.hr_max, &self.hr_rest, &self.lthr]
                    .into_iter()
                    .flatten()
                    .map(|v| v.from)
                    .filter(|d| *d > from),
            )
            .collect();
        days.sort();
        days.dedup();
        let mut violations: Vec<Violation> = Vec::new();
        let mut push = |v: Violation| {
            if !violations.contains(&v) {
                violations.push(v);
            }
        };
        for day in days {
            let t = self.thresholds_on(day);
            let below = |field: &str, value: f64, other: &str, bound: f64| {
                Violation::new(
                    field,
                    format!("{value:.0}"),
                    format!("below {other} ({bound:.0} bpm)"),
                    format!(
                        "{field} {value:.0} bpm is not below {other} {bound:.0} bpm (in force on \
                         {day}): a heart rate cannot exceed the one above it; check both values"
                    ),
                )
            };
            if let (Some(lthr), Some(max)) = (t.lthr, t.hr_max)
                && lthr >= max
            {
                push(below("lthr", lthr, "max_hr", max));
            }
            if let (Some(rest), Some(lthr)) = (t.hr_rest, t.lthr)
                && rest >= lthr
            {
                push(below("rest_hr", rest, "lthr", lthr));
            }
            if let (Some(rest), Some(max)) = (t.hr_rest, t.hr_max)
                && rest >= max
            {
                push(below("rest_hr", rest, "max_hr", max));
            }
        }
        violations
    }

    /// The time-zone name in force on `date`.
    pub fn time_zone_on(&self, date: Date) -> Option<&str> {
        value_on(&self.time_zone, date).map(|v| v.value.as_str())
    }

    /// The given thresholds in force on `date` (no estimates).
    pub fn thresholds_on(&self, date: Date) -> Thresholds {
        let on = |values: &[Dated<f64>]| value_on(values, date).map(|v| v.value);
        Thresholds {
            sex: self.sex,
            hr_max: on(&self.hr_max),
            hr_rest: on(&self.hr_rest),
            lthr: on(&self.lthr),
            threshold_speed_mps: on(&self.threshold_speed_mps),
        }
    }

    /// The thresholds on `date` for the load methods: given values, else the estimates.
    /// The same numbers as `resolve_on(date, estimates).thresholds()` without building the
    /// explanations (cheap enough to call once per activity).
    pub fn thresholds_with_estimates(&self, date: Date, estimates: &Estimates) -> Thresholds {
        let given = self.thresholds_on(date);
        let est = |e: &Option<Estimate>| e.as_ref().map(|e| e.value);
        Thresholds {
            sex: given.sex,
            hr_max: given.hr_max.or_else(|| est(&estimates.hr_max)),
            hr_rest: given.hr_rest.or_else(|| est(&estimates.hr_rest)),
            lthr: given.lthr.or_else(|| est(&estimates.lthr)),
            threshold_speed_mps: given
                .threshold_speed_mps
                .or_else(|| est(&estimates.threshold_speed_mps)),
        }
    }

    /// The profile on `date` with every value's source: given values win, estimates fill gaps.
    pub fn resolve_on(&self, date: Date, estimates: &Estimates) -> ResolvedProfile {
        let pick = |values: &[Dated<f64>], estimate: &Option<Estimate>| {
            value_on(values, date)
                .map(|v| Resolved {
                    value: v.value,
                    source: Source::Given { from: v.from },
                })
                .or_else(|| {
                    estimate.as_ref().map(|e| Resolved {
                        value: e.value,
                        source: Source::Estimated {
                            method: e.method.clone(),
                            n: e.n,
                        },
                    })
                })
        };
        ResolvedProfile {
            date,
            sex: self.sex,
            body_mass_kg: pick(&self.body_mass_kg, &None),
            hr_max: pick(&self.hr_max, &estimates.hr_max),
            hr_rest: pick(&self.hr_rest, &estimates.hr_rest),
            lthr: pick(&self.lthr, &estimates.lthr),
            threshold_speed_mps: pick(&self.threshold_speed_mps, &estimates.threshold_speed_mps),
            time_zone: self.time_zone_on(date).map(str::to_owned),
        }
    }
}

/// An estimated value and the plain-language method behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The estimate.
    pub value: f64,
    /// How it was obtained, e.g. "95th percentile of 212 session peak HRs (10 s)".
    pub method: String,
    /// Number of sessions or entries it was based on.
    pub n: usize,
    /// Plus or minus, in the value's unit, when the method can say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<f64>,
}

/// Where a resolved value comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Source {
    /// Entered by the athlete, applying from `from`.
    Given {
        /// First day the value applies to.
        from: Date,
    },
    /// Estimated from the data.
    Estimated {
        /// The method, in plain language.
        method: String,
        /// Sessions or entries used.
        n: usize,
    },
}

/// A value with its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolved {
    /// The value.
    pub value: f64,
    /// Given or estimated, and how.
    pub source: Source,
}

/// The profile as it stood on one day, every value with its source (what `profile` shows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolvedProfile {
    /// The day.
    pub date: Date,
    /// Sex.
    pub sex: Option<Sex>,
    /// Body mass, kg.
    pub body_mass_kg: Option<Resolved>,
    /// Maximum heart rate, bpm.
    pub hr_max: Option<Resolved>,
    /// Resting heart rate, bpm.
    pub hr_rest: Option<Resolved>,
    /// Lactate-threshold heart rate, bpm.
    pub lthr: Option<Resolved>,
    /// Threshold running speed, m/s.
    pub threshold_speed_mps: Option<Resolved>,
    /// IANA time-zone name.
    pub time_zone: Option<String>,
}

impl ResolvedProfile {
    /// The thresholds for the load methods.
    pub fn thresholds(&self) -> Thresholds {
        let v = |r: &Option<Resolved>| r.as_ref().map(|r| r.value);
        Thresholds {
            sex: self.sex,
            hr_max: v(&self.hr_max),
            hr_rest: v(&self.hr_rest),
            lthr: v(&self.lthr),
            threshold_speed_mps: v(&self.threshold_speed_mps),
        }
    }
}

/// Per-activity features the estimators need, extracted once at import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct EffortFeatures {
    /// Whether the activity is a run (only runs count for threshold speed).
    pub running: bool,
    /// Moving time, seconds (gaps over [`crate::load::MAX_SAMPLE_GAP_S`] excluded).
    pub moving_s: f64,
    /// Highest mean HR over [`PEAK_HR_WINDOW_S`], bpm.
    pub peak_hr: Option<f64>,
    /// Highest mean HR over 20, 30 and 60 min of moving time, bpm.
    pub best_hr: [Option<f64>; 3],
    /// Highest mean speed over 20, 30 and 60 min of moving time, m/s.
    pub best_speed_mps: [Option<f64>; 3],
}

/// The segments of one channel for [`best_window_mean`]: `segment(k)` for every sample k ≥ 1
/// behind an unused zero at index 0, or none at all when the channel was not recorded.
fn channel_segments(
    recorded: bool,
    samples: usize,
    segment: impl Fn(usize) -> (f64, f64, f64),
) -> Vec<(f64, f64, f64)> {
    if !recorded {
        return Vec::new();
    }
    (0..samples)
        .map(|k| if k == 0 { (0.0, 0.0, 0.0) } else { segment(k) })
        .collect()
}

/// The highest time-weighted mean over any stretch of `window_s` moving seconds.
/// `segments[k]` is the segment ending at sample k: `(counted Δt, valid Δt, value·Δt)`
/// (index 0 unused). Two pointers, O(n), no allocation.
fn best_window_mean(segments: &[(f64, f64, f64)], window_s: f64) -> Option<f64> {
    let (mut lo, mut span, mut valid, mut sum) = (1usize, 0.0f64, 0.0f64, 0.0f64);
    let mut best: Option<f64> = None;
    for k in 1..segments.len() {
        let (dt, v, s) = segments[k];
        span += dt;
        valid += v;
        sum += s;
        while lo < k {
            let (dt_lo, v_lo, s_lo) = segments[lo];
            if span - dt_lo < window_s {
                break;
            }
            span -= dt_lo;
            valid -= v_lo;
            sum -= s_lo;
            lo += 1;
        }
        if span >= window_s && valid >= WINDOW_MIN_COVERAGE * span && valid > 0.0 {
            let mean = sum / valid;
            best = Some(best.map_or(mean, |b: f64| b.max(mean)));
        }
    }
    best
}

/// Extracts [`EffortFeatures`] from one activity's streams (same conventions as
/// [`crate::load::SessionInput`]: HR holds from a sample to the next, pauses are skipped, a
/// channel of the wrong length is absent). Speed comes from the distance stream where both
/// ends are known, else from the speed stream.
pub fn effort_features(input: &crate::load::SessionInput<'_>) -> EffortFeatures {
    let time = input.time_s;
    let n = time.len();
    let same_len = |len: usize| len == n;
    let hr: &[f32] = if same_len(input.heart_rate_bpm.len()) {
        input.heart_rate_bpm
    } else {
        &[]
    };
    let speed: &[f32] = if same_len(input.speed_mps.len()) {
        input.speed_mps
    } else {
        &[]
    };
    let dist: &[f64] = if same_len(input.distance_m.len()) {
        input.distance_m
    } else {
        &[]
    };
    let dt_at = |k: usize| {
        let dt = time[k] - time[k - 1];
        if dt > 0.0 && dt <= crate::load::MAX_SAMPLE_GAP_S {
            dt
        } else {
            0.0
        }
    };
    let hr_segment = |k: usize| {
        let dt = dt_at(k);
        match hr.get(k - 1).map(|h| f64::from(*h)) {
            Some(h) if dt > 0.0 && h >= PLAUSIBLE_HR_BPM.0 && h <= PLAUSIBLE_HR_BPM.1 => {
                (dt, dt, h * dt)
            }
            _ => (dt, 0.0, 0.0),
        }
    };
    let speed_segment = |k: usize| {
        let dt = dt_at(k);
        if dt == 0.0 {
            return (0.0, 0.0, 0.0);
        }
        let from_distance = match (dist.get(k - 1), dist.get(k)) {
            (Some(a), Some(b)) if a.is_finite() && b.is_finite() && b >= a => Some(b - a),
            _ => None,
        };
        let metres = from_distance.or_else(|| {
            speed
                .get(k)
                .map(|v| f64::from(*v) * dt)
                .filter(|m| m.is_finite() && *m >= 0.0)
        });
        match metres {
            Some(m) if m <= MAX_RUNNING_SPEED_MPS * dt => (dt, dt, m),
            _ => (dt, 0.0, 0.0),
        }
    };
    let moving_s: f64 = (1..n).map(dt_at).sum();
    // One pass builds each channel's segments (two vectors per activity, not per sample);
    // every window then slides over them.
    let hr_segments = channel_segments(!hr.is_empty(), n, hr_segment);
    let speed_segments = channel_segments(!speed.is_empty() || !dist.is_empty(), n, speed_segment);
    EffortFeatures {
        running: input.sport_is_running,
        moving_s,
        peak_hr: best_window_mean(&hr_segments, PEAK_HR_WINDOW_S),
        best_hr: EFFORT_WINDOWS_S.map(|w| best_window_mean(&hr_segments, w)),
        best_speed_mps: EFFORT_WINDOWS_S.map(|w| best_window_mean(&speed_segments, w)),
    }
}

/// Linear-interpolation percentile (`p` in [0, 1]) of a sorted, non-empty slice.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let pos = p.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Median of the `TOP_EFFORTS` largest values, with how many values there were. `None` when
/// empty.
fn median_of_top(mut values: Vec<f64>) -> Option<(f64, usize)> {
    values.retain(|v| v.is_finite());
    values.sort_by(|a, b| b.total_cmp(a));
    let n = values.len();
    let top = &values[..n.min(TOP_EFFORTS)];
    let mid = top.len() / 2;
    match top.len() {
        0 => None,
        len if len % 2 == 1 => Some((top[mid], n)),
        _ => Some(((top[mid - 1] + top[mid]) / 2.0, n)),
    }
}

/// HRmax from session peaks (see the module docs).
pub fn estimate_hr_max(features: &[EffortFeatures]) -> Option<Estimate> {
    let mut peaks: Vec<f64> = features.iter().filter_map(|f| f.peak_hr).collect();
    if peaks.is_empty() {
        return None;
    }
    peaks.sort_by(f64::total_cmp);
    Some(Estimate {
        value: percentile(&peaks, HR_MAX_PERCENTILE),
        method: format!(
            "95th percentile of the peak heart rate (highest 10-second mean) of {} sessions",
            peaks.len()
        ),
        n: peaks.len(),
        uncertainty: None,
    })
}

/// LTHR from the hardest 20-minute stretches of sessions of 30 min or more (Friel).
pub fn estimate_lthr(features: &[EffortFeatures]) -> Option<Estimate> {
    let candidates = features
        .iter()
        .filter(|f| f.moving_s >= LTHR_MIN_SESSION_S)
        .filter_map(|f| f.best_hr[0])
        .collect();
    let (value, n) = median_of_top(candidates)?;
    Some(Estimate {
        value,
        method: format!(
            "median of the {} highest 20-minute mean heart rates among {n} sessions of 30 min \
             or more (Friel: LTHR ≈ mean HR of the last 20 min of a 30-min all-out effort)",
            n.min(TOP_EFFORTS)
        ),
        n,
        uncertainty: None,
    })
}

/// Riegel's factor from the speed held for 30 min to the speed held for 60 min:
/// `2^(1/1.06 − 1)` ≈ 0.9615.
pub fn riegel_30_to_60_min_speed_factor() -> f64 {
    2f64.powf(1.0 / RIEGEL_EXPONENT - 1.0)
}

/// Threshold speed from the best 30–60-minute runs (see the module docs).
pub fn estimate_threshold_speed(features: &[EffortFeatures]) -> Option<Estimate> {
    let factor = riegel_30_to_60_min_speed_factor();
    let candidates = features
        .iter()
        .filter(|f| f.running)
        .filter_map(|f| {
            let v60 = f.best_speed_mps[2];
            let v30 = f.best_speed_mps[1].map(|v| v * factor);
            match (v60, v30) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            }
        })
        .collect();
    let (value, n) = median_of_top(candidates)?;
    Some(Estimate {
        value,
        method: format!(
            "median of the {} best one-hour speeds among {n} runs (best 60-min mean speed, or \
             best 30-min speed × 0.9615 by Riegel's formula)",
            n.min(TOP_EFFORTS)
        ),
        n,
        uncertainty: None,
    })
}

/// HRrest as the median of logged morning resting heart rates (implausible values dropped).
pub fn estimate_hr_rest(morning_rest_hr: &[f64]) -> Option<Estimate> {
    let mut v: Vec<f64> = morning_rest_hr
        .iter()
        .copied()
        .filter(|h| *h >= limits::REST_HR_BPM.0 && *h <= limits::REST_HR_BPM.1)
        .collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(Estimate {
        value: percentile(&v, 0.5),
        method: format!("median of {} logged morning resting heart rates", v.len()),
        n: v.len(),
        uncertainty: None,
    })
}

/// Days before the newest race within which races count as recent evidence (about six months:
/// older results may no longer reflect the athlete's fitness).
pub const RACE_EVIDENCE_DAYS: i64 = 182;
/// Shortest race converted to a threshold pace: below 3 km, speed reflects anaerobic capacity
/// more than the aerobic fitness VDOT stands for (Daniels' tables start at 1500 m, and the
/// shortest are the least reliable).
pub const MIN_RACE_DISTANCE_M: f64 = 3000.0;
/// Uncertainty stated with a race-based threshold speed, as a fraction: VDOT predicts other
/// distances within about ±2 % for runners trained for them (Daniels' tables), and a race run
/// below one's best reads slow.
pub const RACE_THRESHOLD_UNCERTAINTY: f64 = 0.02;
/// Length of a steady effort, minutes of moving time (20 min: Friel's test window).
pub const STEADY_EFFORT_MIN: usize = 20;
/// Minutes skipped at the start of a run before steady efforts are looked for: heart rate lags
/// behind the pace for the first minutes.
pub const STEADY_SKIP_START_MIN: usize = 5;
/// Largest coefficient of variation of the minute speeds inside a steady effort: one-minute
/// grade-adjusted GPS speeds on a rolling route vary by 5–9 % at an even effort.
pub const STEADY_MAX_SPEED_CV: f64 = 0.10;
/// Largest aerobic decoupling inside a steady effort: heart rate per unit speed in the second
/// half over the first half, minus 1 (Friel's "Pa:HR" decoupling; under 5 % is coupled).
pub const STEADY_MAX_DECOUPLING: f64 = 0.05;
/// Fewest steady efforts for the heart-rate-at-threshold-pace estimate of LTHR.
pub const MIN_STEADY_EFFORTS: usize = 5;
/// Smallest range of speeds (m/s) the steady efforts must span for a line through them.
pub const MIN_STEADY_SPEED_RANGE_MPS: f64 = 0.3;
/// Days before the newest run whose steady efforts estimate LTHR: the heart rate at a given pace
/// falls as fitness rises, so only recent weeks describe today's athlete.
pub const STEADY_EVIDENCE_DAYS: i64 = 56;

/// A steady 20-minute stretch of a run: even pace, heart rate coupled to it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SteadyEffort {
    /// Mean grade-adjusted speed, m/s.
    pub speed_mps: f64,
    /// Mean heart rate, bpm.
    pub hr_bpm: f64,
    /// Aerobic decoupling (second-half HR per speed over the first half's, minus 1).
    pub decoupling: f64,
}

/// The steady efforts in a run's minute blocks (see [`crate::load::pace::MinuteBlocks`]):
/// non-overlapping [`STEADY_EFFORT_MIN`]-minute windows after the first
/// [`STEADY_SKIP_START_MIN`] minutes, every minute with a heart rate, speeds within
/// [`STEADY_MAX_SPEED_CV`] and decoupling under [`STEADY_MAX_DECOUPLING`]. Greedy from the
/// start: a window that passes is taken and the search continues after it.
pub fn steady_efforts(blocks: &[(f32, Option<f32>)]) -> Vec<SteadyEffort> {
    let n = STEADY_EFFORT_MIN;
    let mut out = Vec::new();
    let mut k = STEADY_SKIP_START_MIN;
    while k + n <= blocks.len() {
        let window = &blocks[k..k + n];
        let pairs: Option<Vec<(f64, f64)>> = window
            .iter()
            .map(|(v, h)| h.map(|h| (f64::from(*v), f64::from(h))))
            .collect();
        let effort = pairs.and_then(|p| {
            let mean_v = p.iter().map(|x| x.0).sum::<f64>() / n as f64;
            if mean_v <= 0.0 {
                return None;
            }
            let sd_v = (p.iter().map(|x| (x.0 - mean_v).powi(2)).sum::<f64>() / n as f64).sqrt();
            let ratio = |half: &[(f64, f64)]| {
                half.iter().map(|x| x.1).sum::<f64>() / half.iter().map(|x| x.0).sum::<f64>()
            };
            let decoupling = ratio(&p[n / 2..]) / ratio(&p[..n / 2]) - 1.0;
            (sd_v / mean_v <= STEADY_MAX_SPEED_CV
                && decoupling.abs() <= STEADY_MAX_DECOUPLING
                && decoupling.is_finite())
            .then(|| SteadyEffort {
                speed_mps: mean_v,
                hr_bpm: p.iter().map(|x| x.1).sum::<f64>() / n as f64,
                decoupling,
            })
        });
        match effort {
            Some(e) => {
                out.push(e);
                k += n;
            }
            None => k += 1,
        }
    }
    out
}

/// The speed (m/s) a runner of the given VDOT holds for one hour (Daniels & Gilbert 1979):
/// solves `VO2(v) = VDOT · %VO2max(60 min)` for v, the positive root of the quadratic
/// `−4.60 + 0.182258·v + 0.000104·v² = target` (v in m/min).
pub fn threshold_speed_for_vdot(vdot: f64) -> Option<f64> {
    if !(vdot.is_finite() && vdot > 0.0) {
        return None;
    }
    let target = vdot * crate::performance::fraction_vo2max(60.0);
    let (c0, c1, c2) = (-4.60, 0.182258, 0.000104);
    let disc = c1 * c1 - 4.0 * c2 * (c0 - target);
    (disc >= 0.0).then(|| (-c1 + disc.sqrt()) / (2.0 * c2) / 60.0)
}

/// Threshold speed from the best recent race (docs/science.md: the strongest evidence): among
/// the races of at least [`MIN_RACE_DISTANCE_M`] within [`RACE_EVIDENCE_DAYS`] of the newest
/// one, the highest VDOT, converted to the speed it holds for an hour.
pub fn estimate_threshold_speed_from_races(races: &[crate::log::RaceResult]) -> Option<Estimate> {
    let valid: Vec<(&crate::log::RaceResult, f64)> = races
        .iter()
        .filter(|r| r.distance_m >= MIN_RACE_DISTANCE_M)
        .filter_map(|r| crate::performance::vdot(r.distance_m, r.time_s).map(|v| (r, v)))
        .filter(|(_, v)| v.is_finite() && *v > 0.0)
        .collect();
    let newest = valid.iter().map(|(r, _)| r.date).max()?;
    let recent: Vec<&(&crate::log::RaceResult, f64)> = valid
        .iter()
        .filter(|(r, _)| crate::hrv::days_between(r.date, newest) < RACE_EVIDENCE_DAYS)
        .collect();
    let (best, vdot) = recent.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    let speed = threshold_speed_for_vdot(*vdot)?;
    let t = best.time_s.round() as i64;
    Some(Estimate {
        value: speed,
        method: format!(
            "from your best recent race: {:.1} km in {}:{:02}:{:02} on {} (VDOT {vdot:.1}, \
             the best of {} race(s) in the six months to your latest) → the pace that VDOT holds \
             for one hour (Daniels & Gilbert); ±{:.0} % (a race run below your best reads slow)",
            best.distance_m / 1000.0,
            t / 3600,
            t % 3600 / 60,
            t % 60,
            best.date,
            recent.len(),
            RACE_THRESHOLD_UNCERTAINTY * 100.0
        ),
        n: recent.len(),
        uncertainty: Some(RACE_THRESHOLD_UNCERTAINTY * speed),
    })
}

/// LTHR as the heart rate at threshold speed on the line through the steady efforts
/// (least squares, HR on grade-adjusted speed): steady, coupled efforts are where heart rate
/// says most about pace, and reading the line at threshold speed is robust to races pulling
/// the hardest 20 minutes up. The uncertainty is 1.96 × the standard error of the line at that
/// speed. `None` with fewer than [`MIN_STEADY_EFFORTS`] efforts or a speed range under
/// [`MIN_STEADY_SPEED_RANGE_MPS`].
pub fn estimate_lthr_at_threshold_speed(
    efforts: &[SteadyEffort],
    threshold: &Estimate,
) -> Option<Estimate> {
    let n = efforts.len();
    if n < MIN_STEADY_EFFORTS {
        return None;
    }
    let nf = n as f64;
    let mean_v = efforts.iter().map(|e| e.speed_mps).sum::<f64>() / nf;
    let mean_h = efforts.iter().map(|e| e.hr_bpm).sum::<f64>() / nf;
    let sxx: f64 = efforts.iter().map(|e| (e.speed_mps - mean_v).powi(2)).sum();
    let sxy: f64 = efforts
        .iter()
        .map(|e| (e.speed_mps - mean_v) * (e.hr_bpm - mean_h))
        .sum();
    let (lo, hi) = efforts.iter().fold((f64::MAX, f64::MIN), |(lo, hi), e| {
        (lo.min(e.speed_mps), hi.max(e.speed_mps))
    });
    if hi - lo < MIN_STEADY_SPEED_RANGE_MPS || sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    if slope <= 0.0 {
        return None;
    }
    let v = threshold.value;
    let value = mean_h + slope * (v - mean_v);
    let residual: f64 = efforts
        .iter()
        .map(|e| (e.hr_bpm - mean_h - slope * (e.speed_mps - mean_v)).powi(2))
        .sum();
    let s = (residual / (nf - 2.0).max(1.0)).sqrt();
    let se = s * (1.0 / nf + (v - mean_v).powi(2) / sxx).sqrt();
    let plausible = limits::LTHR_BPM.0..=limits::LTHR_BPM.1;
    plausible.contains(&value).then(|| Estimate {
        value,
        method: format!(
            "heart rate at your threshold pace ({}/km) on the line through {n} steady \
             20-minute efforts of recent runs (even pace, heart rate drifting under 5 %): \
             {slope:.1} bpm per m/s; ±{:.1} bpm (95 % of the line's error)",
            pace_min_per_km(v),
            1.96 * se
        ),
        n,
        uncertainty: Some(1.96 * se),
    })
}

fn pace_min_per_km(speed_mps: f64) -> String {
    let s = (1000.0 / speed_mps).round() as i64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// All estimates at once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Estimates {
    /// HRmax estimate.
    pub hr_max: Option<Estimate>,
    /// HRrest estimate.
    pub hr_rest: Option<Estimate>,
    /// LTHR estimate.
    pub lthr: Option<Estimate>,
    /// Threshold speed estimate.
    pub threshold_speed_mps: Option<Estimate>,
}

impl Estimates {
    /// Runs every estimator over the stored features and logged morning resting HRs.
    pub fn from_data(features: &[EffortFeatures], morning_rest_hr: &[f64]) -> Estimates {
        Estimates {
            hr_max: estimate_hr_max(features),
            hr_rest: estimate_hr_rest(morning_rest_hr),
            lthr: estimate_lthr(features),
            threshold_speed_mps: estimate_threshold_speed(features),
        }
    }

    /// Replaces the training-history estimates with stronger evidence where there is some:
    /// threshold speed from the best recent race ([`estimate_threshold_speed_from_races`]),
    /// then LTHR as the heart rate at that threshold speed on the line through recent steady
    /// efforts ([`estimate_lthr_at_threshold_speed`]).
    pub fn refine(
        mut self,
        races: &[crate::log::RaceResult],
        steady: &[SteadyEffort],
    ) -> Estimates {
        if let Some(from_races) = estimate_threshold_speed_from_races(races) {
            self.threshold_speed_mps = Some(from_races);
        }
        if let Some(at_threshold) = self
            .threshold_speed_mps
            .as_ref()
            .and_then(|t| estimate_lthr_at_threshold_speed(steady, t))
        {
            self.lthr = Some(at_threshold);
        }
        self
    }
}

#[cfg(test)]
mod tests;
