//! Per-session training load (docs/science.md): Banister TRIMP, Edwards TRIMP, session-RPE,
//! rTSS and hrTSS, and the one primary `load` in **load points** (100 = one hour at threshold).
//!
//! # Inputs
//! A session arrives as [`SessionInput`]: plain slices in the layout of `fettle_formats::Streams`
//! (an empty slice = the channel is absent, NaN = a missing sample). A channel whose length
//! differs from `time_s` is treated as absent rather than trusted. Thresholds come from the
//! athlete's profile as it stood on the session's day ([`Thresholds`], see
//! [`crate::profile::ProfileHistory::thresholds_on`]); thresholds that make no sense
//! (HRmax ≤ HRrest, LTHR outside them, non-positive speed) count as absent.
//!
//! # Integration over time
//! Samples are integrated segment by segment: the segment from sample k−1 to k lasts
//! `Δt = t_k − t_(k−1)` and carries the heart rate of its start (devices record on change,
//! so the start value holds until the next sample) and the speed of its end. A segment longer
//! than [`MAX_SAMPLE_GAP_S`] is a pause (auto-pause, a stop at a crossing with the watch
//! stopped) and is not integrated: nothing is known about the athlete during it, and
//! integrating the last HR across it would invent load. Moving time is the sum of the
//! integrated segments.
//!
//! # Methods (each in its native unit in [`MethodLoads`])
//! - Banister TRIMP `Σ Δt[min] · x · a·e^(b·x)`, `x = (HR − HRrest)/(HRmax − HRrest)` clamped
//!   to [0, 1] (Morton, Fitz-Clarke & Banister 1990); sex constants [`BANISTER_MALE`],
//!   [`BANISTER_FEMALE`].
//! - Edwards TRIMP: minutes in the five %HRmax zones × 1…5 (Edwards 1993).
//! - session-RPE: CR-10 rating × session minutes, arbitrary units (Foster et al. 2001).
//! - rTSS: `hours × IF² × 100`, `IF = NGP / threshold speed` (TrainingPeaks), NGP from the
//!   Minetti grade-adjusted speed, 30 s rolling mean and 4th-power mean ([`pace`]).
//! - hrTSS: Banister TRIMP scaled so that one hour at LTHR = 100 (GoldenCheetah's TRIMP(100)).
//!
//! HR methods need the HR stream to cover at least [`MIN_CHANNEL_COVERAGE`] of the moving
//! time; rTSS needs the same coverage of speed (running only). Missing HR is never replaced by
//! a "typical" HR: a session without enough HR falls back to the next method (docs/science.md),
//! and in a session that has enough, the dropped-out stretches (at most 20 %) add nothing —
//! an underestimate we prefer to an invented heart rate.
//!
//! # Primary load and calibration
//! Precedence: hrTSS → rTSS → session-RPE → a duration-based estimate. Each method below the
//! first is mapped onto the scale of the methods above it by a per-athlete factor fitted over
//! sessions where both are known ([`calibration`]), so that a history mixing HR, pace-only and
//! RPE-only sessions stays on one scale. Each [`SessionLoads`] records which method produced
//! its load.
//!
//! # Recomputing a history (after import or a profile change)
//! Streams are too large to hold all at once, so the work is two passes over stored data:
//! 1. per activity (streaming from the store): `th = profile.thresholds_with_estimates(day,
//!    &estimates)` ([`crate::profile::ProfileHistory::thresholds_with_estimates`]), then
//!    [`method_loads`]`(&input, &th)`; keep the small [`MethodLoads`];
//! 2. [`Calibration::fit`] over all of them, then [`Calibration::primary`] per activity gives
//!    the [`SessionLoads`] to store.
//!
//! Measured on 4,000 synthetic one-hour 1 Hz runs (13.7 M samples): pass 1 ≈ 0.6 s of CPU,
//! pass 2 < 0.2 ms (`cargo run --release -p fettle-core --example load_bench`).

pub mod calibration;
pub mod pace;

use serde::{Deserialize, Serialize};

pub use calibration::{Calibration, Factor};

/// Banister's weighting constants `(a, b)` for men (Morton, Fitz-Clarke & Banister 1990,
/// J Appl Physiol 69:1171).
pub const BANISTER_MALE: (f64, f64) = (0.64, 1.92);
/// Banister's weighting constants `(a, b)` for women (Morton, Fitz-Clarke & Banister 1990).
/// One open implementation keeps a = 0.64 for women; docs/science.md settles on 0.86/1.67.
pub const BANISTER_FEMALE: (f64, f64) = (0.86, 1.67);
/// Lower bounds of Edwards' five zones as fractions of HRmax (50–60 … 90–100 %), weighted
/// 1 … 5 (Edwards 1993). Above HRmax counts as zone 5; below 50 % counts nothing.
pub const EDWARDS_ZONE_LOWER_BOUNDS: [f64; 5] = [0.5, 0.6, 0.7, 0.8, 0.9];
/// Longest gap between two samples that is still integrated, seconds. Smart recording writes
/// a sample every 1–8 s while moving; a longer gap is a pause (see the module docs).
pub const MAX_SAMPLE_GAP_S: f64 = 30.0;
/// Fraction of the moving time a channel (HR, speed) must cover for the methods built on it
/// to be computed: "valid for most of the session" (docs/science.md). Below it the method is
/// `null` and the load falls back to the next method.
pub const MIN_CHANNEL_COVERAGE: f64 = 0.8;
/// Heart rates outside this range (bpm) are strap artefacts, treated as missing samples.
pub const PLAUSIBLE_HR_BPM: (f64, f64) = (25.0, 250.0);
/// Load points for one hour at threshold intensity: the TrainingPeaks TSS scale
/// (docs/science.md).
pub const LOAD_POINTS_PER_THRESHOLD_HOUR: f64 = 100.0;

/// Biological sex, which selects Banister's TRIMP constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Male constants a = 0.64, b = 1.92.
    Male,
    /// Female constants a = 0.86, b = 1.67.
    Female,
}

impl Sex {
    /// Banister's `(a, b)` for this sex.
    pub fn banister_constants(self) -> (f64, f64) {
        match self {
            Sex::Male => BANISTER_MALE,
            Sex::Female => BANISTER_FEMALE,
        }
    }
}

/// The athlete's thresholds as they stood on one day. `None` = not known (neither given nor
/// estimable); the methods that need it are then not computed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Sex, for Banister's constants (TRIMP and hrTSS need it).
    pub sex: Option<Sex>,
    /// Maximum heart rate, bpm.
    pub hr_max: Option<f64>,
    /// Resting heart rate, bpm.
    pub hr_rest: Option<f64>,
    /// Lactate-threshold heart rate, bpm.
    pub lthr: Option<f64>,
    /// Threshold running speed (the pace one can hold for about an hour), m/s.
    pub threshold_speed_mps: Option<f64>,
}

impl Thresholds {
    /// `(HRrest, HRmax)` when both are given and HRmax > HRrest > 0.
    fn hr_range(&self) -> Option<(f64, f64)> {
        match (self.hr_rest, self.hr_max) {
            (Some(rest), Some(max)) if rest > 0.0 && max > rest && max.is_finite() => {
                Some((rest, max))
            }
            _ => None,
        }
    }

    /// HRmax when it is a positive finite number.
    fn valid_hr_max(&self) -> Option<f64> {
        self.hr_max.filter(|m| *m > 0.0 && m.is_finite())
    }

    /// LTHR when it lies strictly between HRrest and HRmax.
    fn valid_lthr(&self) -> Option<f64> {
        let (rest, max) = self.hr_range()?;
        self.lthr.filter(|l| *l > rest && *l <= max)
    }

    /// Threshold speed when positive and finite.
    fn valid_threshold_speed(&self) -> Option<f64> {
        self.threshold_speed_mps
            .filter(|v| *v > 0.0 && v.is_finite())
    }
}

/// One session's data, borrowed from the decoded activity. Streams: empty slice = channel
/// absent, NaN = missing sample, one entry per `time_s` entry otherwise.
#[derive(Debug, Clone, Copy, Default)]
pub struct SessionInput<'a> {
    /// Whether the sport is running (rTSS is defined for running only).
    pub sport_is_running: bool,
    /// Timer (moving) duration in seconds as the device reports it; 0 when unknown.
    pub timer_s: f64,
    /// Elapsed duration in seconds, start to finish; 0 when unknown.
    pub elapsed_s: f64,
    /// Seconds since the start, non-decreasing.
    pub time_s: &'a [f64],
    /// Heart rate, bpm.
    pub heart_rate_bpm: &'a [f32],
    /// Speed, m/s.
    pub speed_mps: &'a [f32],
    /// Altitude, m.
    pub altitude_m: &'a [f32],
    /// Cumulative distance, m.
    pub distance_m: &'a [f64],
    /// Session RPE on Foster's CR-10 scale (0–10), rated about 30 min after the session.
    pub rpe: Option<f64>,
}

impl<'a> SessionInput<'a> {
    /// A stream channel if it has one entry per sample, else an empty slice (absent).
    fn channel<T>(&self, values: &'a [T]) -> &'a [T] {
        if values.len() == self.time_s.len() {
            values
        } else {
            &[]
        }
    }
}

/// Each method's value for one session, in its own unit; `None` where not computable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MethodLoads {
    /// Banister TRIMP (arbitrary units ≈ weighted minutes).
    pub trimp: Option<f64>,
    /// Edwards TRIMP (zone-weighted minutes).
    pub edwards: Option<f64>,
    /// Session-RPE, RPE × minutes (arbitrary units).
    pub srpe: Option<f64>,
    /// Running TSS from grade-adjusted normalised pace, load points.
    pub rtss: Option<f64>,
    /// Heart-rate TSS, load points.
    pub hrtss: Option<f64>,
    /// Session duration used by session-RPE and the duration estimate, seconds.
    pub duration_s: f64,
}

/// A per-session load metric as the rest of Fettle sees it: its stable name (the key in JSON
/// and in the store's method → value map) and how to read it from [`MethodLoads`].
#[derive(Debug, Clone, Copy)]
pub struct LoadMetric {
    /// The stable snake_case name.
    pub name: &'static str,
    /// The session's value, if computable.
    pub value: fn(&MethodLoads) -> Option<f64>,
}

impl MethodLoads {
    /// Every metric, in the order they are shown. A new metric is computed in
    /// [`method_loads_from_features`] and registered here: the store keeps whatever this
    /// lists (no column, no migration) and the use cases and faces iterate it.
    pub const METRICS: &'static [LoadMetric] = &[
        LoadMetric {
            name: "trimp",
            value: |l| l.trimp,
        },
        LoadMetric {
            name: "edwards",
            value: |l| l.edwards,
        },
        LoadMetric {
            name: "srpe",
            value: |l| l.srpe,
        },
        LoadMetric {
            name: "rtss",
            value: |l| l.rtss,
        },
        LoadMetric {
            name: "hrtss",
            value: |l| l.hrtss,
        },
    ];

    /// The registered metrics this session has a finite value for, by name.
    pub fn values(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        MethodLoads::METRICS.iter().filter_map(|metric| {
            (metric.value)(self)
                .filter(|v| v.is_finite())
                .map(|v| (metric.name, v))
        })
    }
}

/// Which method produced a session's primary load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadMethod {
    /// Heart-rate TSS (HR stream valid for most of the session).
    Hrtss,
    /// Running TSS from grade-adjusted normalised pace, calibrated to the HR scale.
    Rtss,
    /// Session-RPE mapped to load points.
    Srpe,
    /// Estimated from the duration alone (no HR, no pace, no RPE).
    Duration,
}

impl LoadMethod {
    /// Every method in precedence order (the first available one gives the load).
    pub const PRECEDENCE: [LoadMethod; 4] = [
        LoadMethod::Hrtss,
        LoadMethod::Rtss,
        LoadMethod::Srpe,
        LoadMethod::Duration,
    ];

    /// The stable snake_case name used in JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            LoadMethod::Hrtss => "hrtss",
            LoadMethod::Rtss => "rtss",
            LoadMethod::Srpe => "srpe",
            LoadMethod::Duration => "duration",
        }
    }

    /// The method's raw value for a session (`hours` for the duration estimate), if computable.
    pub fn raw_value(self, loads: &MethodLoads) -> Option<f64> {
        match self {
            LoadMethod::Hrtss => loads.hrtss,
            LoadMethod::Rtss => loads.rtss,
            LoadMethod::Srpe => loads.srpe,
            LoadMethod::Duration => Some(loads.duration_s / 3600.0),
        }
    }
}

/// A session's loads: the primary `load` in load points, the method that produced it, and
/// every method's own value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SessionLoads {
    /// Primary load, load points (100 = one hour at threshold).
    pub load: f64,
    /// The method that produced `load`.
    pub load_method: LoadMethod,
    /// Every method's value in its own unit.
    pub loads: MethodLoads,
}

/// The threshold-independent statistics of a session: everything [`method_loads`] needs,
/// computed once from the streams (at import) and stored, so that recomputing every load after
/// a profile change is arithmetic over a few numbers per session instead of a pass over
/// millions of samples.
///
/// Exactness: Banister TRIMP, Edwards TRIMP and hrTSS are sums over segments of
/// `Δt · f(HR)`; grouping the segments by their (recorded) heart rate gives the same sums, so
/// `hr_time` — the moving time spent at each distinct heart rate — loses nothing. NGP does not
/// depend on any threshold, so rTSS for any threshold speed follows from `ngp`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadFeatures {
    /// Whether the sport is running (rTSS is defined for running only).
    pub sport_is_running: bool,
    /// Timer duration as the device reported it, seconds (0 when unknown).
    pub timer_s: f64,
    /// Elapsed duration, seconds (0 when unknown).
    pub elapsed_s: f64,
    /// Moving time from the streams: the integrated segments, seconds.
    pub moving_s: f64,
    /// Moving time with a plausible heart rate, seconds.
    pub hr_valid_s: f64,
    /// Moving seconds at each distinct plausible heart rate, `(bpm, seconds)`, by bpm.
    pub hr_time: Vec<(f32, f64)>,
    /// Grade-adjusted normalised pace, when the session has speed or distance.
    pub ngp: Option<pace::NormalizedPace>,
    /// Moving time at each 30-s rolling grade-adjusted speed (running only; empty otherwise):
    /// how long the session ran faster than any threshold pace.
    #[serde(default)]
    pub graded_speed_time: pace::GradedSpeedTime,
    /// The run minute by minute: grade-adjusted speed and heart rate (running only), where
    /// the threshold estimators find steady efforts.
    #[serde(default)]
    pub minute_blocks: pace::MinuteBlocks,
}

/// Extracts the [`LoadFeatures`] of a session: one pass over the HR stream and the NGP pass.
pub fn load_features(input: &SessionInput<'_>) -> LoadFeatures {
    let time = input.time_s;
    let hr = input.channel(input.heart_rate_bpm);
    let mut moving_s = 0.0;
    let mut segments: Vec<(f32, f64)> =
        Vec::with_capacity(if hr.is_empty() { 0 } else { time.len() });
    for k in 1..time.len() {
        let dt = time[k] - time[k - 1];
        if !(dt > 0.0 && dt <= MAX_SAMPLE_GAP_S) {
            continue;
        }
        moving_s += dt;
        // The segment carries the heart rate of its start (devices record on change).
        if let Some(&bpm) = hr.get(k - 1).filter(|b| plausible_hr(f64::from(**b))) {
            segments.push((bpm, dt));
        }
    }
    segments.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut hr_time: Vec<(f32, f64)> = Vec::new();
    let mut hr_valid_s = 0.0;
    for (bpm, dt) in segments {
        hr_valid_s += dt;
        match hr_time.last_mut() {
            Some((last, secs)) if *last == bpm => *secs += dt,
            _ => hr_time.push((bpm, dt)),
        }
    }
    let (ngp, graded_speed_time, minute_blocks) = if input.sport_is_running {
        pace::graded_pace(input).map_or((None, Vec::new(), Vec::new()), |(n, h, b)| (Some(n), h, b))
    } else {
        (None, Vec::new(), Vec::new())
    };
    LoadFeatures {
        sport_is_running: input.sport_is_running,
        timer_s: input.timer_s,
        elapsed_s: input.elapsed_s,
        moving_s,
        hr_valid_s,
        hr_time,
        ngp,
        graded_speed_time,
        minute_blocks,
    }
}

/// Banister's weighted intensity `x · a·e^(b·x)` for a heart-rate reserve fraction `x`
/// (clamped to [0, 1]).
pub fn banister_weight(x: f64, sex: Sex) -> f64 {
    let (a, b) = sex.banister_constants();
    let x = x.clamp(0.0, 1.0);
    x * a * (b * x).exp()
}

/// Banister TRIMP of one hour at a constant heart rate: `60 · x · a·e^(b·x)`. hrTSS divides by
/// this at LTHR.
pub fn trimp_per_hour(hr: f64, hr_rest: f64, hr_max: f64, sex: Sex) -> f64 {
    60.0 * banister_weight((hr - hr_rest) / (hr_max - hr_rest), sex)
}

/// Edwards' zone weight (0–5) for a heart rate as a fraction of HRmax.
pub fn edwards_weight(fraction_of_max: f64) -> f64 {
    EDWARDS_ZONE_LOWER_BOUNDS
        .iter()
        .rposition(|lower| fraction_of_max >= *lower)
        .map_or(0.0, |zone| (zone + 1) as f64)
}

fn plausible_hr(hr: f64) -> bool {
    hr >= PLAUSIBLE_HR_BPM.0 && hr <= PLAUSIBLE_HR_BPM.1
}

/// Computes every method's value for one session (docs/science.md). Never panics; methods
/// whose inputs are missing are `None`. Same as [`method_loads_from_features`] over
/// [`load_features`].
pub fn method_loads(input: &SessionInput<'_>, th: &Thresholds) -> MethodLoads {
    method_loads_from_features(&load_features(input), th, input.rpe)
}

/// Computes every method's value from a session's stored [`LoadFeatures`], the thresholds of
/// its day and its session RPE (CR-10, rated about 30 min after the session).
pub fn method_loads_from_features(
    f: &LoadFeatures,
    th: &Thresholds,
    rpe: Option<f64>,
) -> MethodLoads {
    let banister = th.hr_range().zip(th.sex);
    let hr_max = th.valid_hr_max();
    let (mut trimp_sum, mut edwards_sum) = (0.0, 0.0);
    for &(bpm, seconds) in &f.hr_time {
        let bpm = f64::from(bpm);
        let minutes = seconds / 60.0;
        if let Some(((rest, max), sex)) = banister {
            trimp_sum += minutes * banister_weight((bpm - rest) / (max - rest), sex);
        }
        if let Some(max) = hr_max {
            edwards_sum += minutes * edwards_weight(bpm / max);
        }
    }
    let hr_ok = f.moving_s > 0.0 && f.hr_valid_s >= MIN_CHANNEL_COVERAGE * f.moving_s;
    let trimp = (hr_ok && banister.is_some()).then_some(trimp_sum);
    let edwards = (hr_ok && hr_max.is_some()).then_some(edwards_sum);
    let hrtss = match (trimp, th.hr_range(), th.valid_lthr(), th.sex) {
        (Some(t), Some((rest, max)), Some(lthr), Some(sex)) => {
            let per_hour = trimp_per_hour(lthr, rest, max, sex);
            (per_hour > 0.0).then(|| t / per_hour * LOAD_POINTS_PER_THRESHOLD_HOUR)
        }
        _ => None,
    };
    let rtss = match (th.valid_threshold_speed(), f.ngp) {
        (Some(threshold), Some(ngp)) if f.sport_is_running => (ngp.speed_valid_s
            >= MIN_CHANNEL_COVERAGE * ngp.moving_s)
            .then(|| rtss_from_ngp(ngp.ngp_mps, ngp.speed_valid_s, threshold)),
        _ => None,
    };
    // The session duration for session-RPE and the duration estimate: the timer time, else
    // the moving time from the streams, else the elapsed time.
    let duration_s = [f.timer_s, f.moving_s, f.elapsed_s]
        .into_iter()
        .find(|d| *d > 0.0 && d.is_finite())
        .unwrap_or(0.0);
    let srpe = rpe
        .filter(|r| (0.0..=10.0).contains(r) && duration_s > 0.0)
        .map(|r| r * duration_s / 60.0);
    MethodLoads {
        trimp,
        edwards,
        srpe,
        rtss,
        hrtss,
        duration_s,
    }
}

/// rTSS = `hours × IF² × 100` with `IF = NGP / threshold speed` (TrainingPeaks).
pub fn rtss_from_ngp(ngp_mps: f64, seconds: f64, threshold_speed_mps: f64) -> f64 {
    let intensity = ngp_mps / threshold_speed_mps;
    seconds / 3600.0 * intensity * intensity * LOAD_POINTS_PER_THRESHOLD_HOUR
}

/// The full answer for one session: every method, then the primary load by precedence and the
/// athlete's calibration.
pub fn session_loads(
    input: &SessionInput<'_>,
    th: &Thresholds,
    calibration: &Calibration,
) -> SessionLoads {
    calibration.primary(&method_loads(input, th))
}

#[cfg(test)]
mod tests;
