//! Grade-adjusted normalised pace (NGP) for rTSS (docs/science.md).
//!
//! Steps, each O(n) in the number of samples with three scratch vectors per session:
//! 1. Cumulative distance: the distance stream (NaN forward-filled, forced non-decreasing),
//!    else the speed stream integrated over the moving segments.
//! 2. Altitude smoothed by a centred moving mean over ±[`ALTITUDE_SMOOTHING_HALF_WINDOW_S`]
//!    (raw GPS altitude makes grade noise explode), then the grade over the trailing
//!    [`GRADE_BASELINE_M`] metres of distance, clamped to ±[`MINETTI_MAX_GRADE`]. No altitude
//!    (a treadmill run) means grade 0.
//! 3. Each segment's speed (speed stream, else Δdistance/Δt) multiplied by Minetti's
//!    `C(i)/C(0)`.
//! 4. A trailing [`NGP_ROLLING_WINDOW_S`] rolling mean (time-weighted; pauses longer than
//!    [`super::MAX_SAMPLE_GAP_S`] excluded), then the time-weighted 4th-power mean and its
//!    4th root. The first 30 s use the partial window (TrainingPeaks skips them; the
//!    difference is below 1 % for any session longer than a few minutes).
//!
//! The 4th-power mean is what keeps interval sessions from being under-weighted, the known
//! flaw of average-pace load (docs/science.md).

use super::{MAX_SAMPLE_GAP_S, SessionInput};

/// Largest grade (as a decimal, either sign) fed to Minetti's polynomial, which was fitted on
/// −0.45 … +0.45 (Minetti et al. 2002, J Appl Physiol 93:1039).
pub const MINETTI_MAX_GRADE: f64 = 0.45;
/// Rolling-mean window of NGP, seconds (TrainingPeaks' normalised pace).
pub const NGP_ROLLING_WINDOW_S: f64 = 30.0;
/// Half-width of the centred moving mean applied to altitude before taking grades, seconds.
/// 15 s either side removes most GPS/barometer jitter while keeping hills of a minute or more.
pub const ALTITUDE_SMOOTHING_HALF_WINDOW_S: f64 = 15.0;
/// Distance over which a grade is measured, metres: short enough to follow a hill, long
/// enough that a 1 m altitude wobble is at most a 5 % grade error before clamping.
pub const GRADE_BASELINE_M: f64 = 20.0;

/// Minetti's energy cost of running on grade `i` (decimal), J·kg⁻¹·m⁻¹:
/// `C(i) = 155.4i⁵ − 30.4i⁴ − 43.3i³ + 46.3i² + 19.5i + 3.6`, with `i` clamped to
/// ±[`MINETTI_MAX_GRADE`] (Minetti et al. 2002).
pub fn minetti_cost(grade: f64) -> f64 {
    let i = if grade.is_finite() {
        grade.clamp(-MINETTI_MAX_GRADE, MINETTI_MAX_GRADE)
    } else {
        0.0
    };
    ((((155.4 * i - 30.4) * i - 43.3) * i + 46.3) * i + 19.5) * i + 3.6
}

/// The factor that turns speed on grade `i` into equivalent flat speed: `C(i)/C(0)`.
pub fn grade_adjustment(grade: f64) -> f64 {
    minetti_cost(grade) / minetti_cost(0.0)
}

/// Width of the speed bins of [`GradedSpeedTime`], m/s: 0.05 m/s is 1.3 % of a 4:20/km
/// threshold, finer than GPS speed is to be trusted.
pub const GRADED_SPEED_BIN_MPS: f64 = 0.05;

/// Moving seconds spent at each 30-s rolling grade-adjusted speed, in bins of
/// [`GRADED_SPEED_BIN_MPS`]: `(bin index, seconds)` by bin, where bin `b` holds speeds in
/// `[b·w, (b+1)·w)`. Threshold-independent, so the time faster than any threshold pace follows
/// without the stream.
pub type GradedSpeedTime = Vec<(u32, f64)>;

/// Length of one block of [`MinuteBlocks`], seconds of moving time.
pub const BLOCK_S: f64 = 60.0;

/// The session cut into whole minutes of moving time: each minute's mean grade-adjusted speed
/// (m/s) and mean heart rate (bpm, `None` when under half the minute had one). A trailing
/// part-minute is dropped. What the threshold estimators look for steady efforts in.
pub type MinuteBlocks = Vec<(f32, Option<f32>)>;

/// Seconds in `histogram` at or faster than `speed_mps` (bins whose lower edge is at or above
/// it: at most one bin width of rounding, towards less time).
pub fn seconds_at_or_above(histogram: &[(u32, f64)], speed_mps: f64) -> f64 {
    histogram
        .iter()
        .filter(|(bin, _)| f64::from(*bin) * GRADED_SPEED_BIN_MPS >= speed_mps - 1e-9)
        .map(|(_, s)| s)
        .sum()
}

/// The result of the NGP pass, with the inputs needed to explain rTSS.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NormalizedPace {
    /// Grade-adjusted normalised speed, m/s.
    pub ngp_mps: f64,
    /// Plain time-weighted mean speed over the same segments, m/s.
    pub mean_speed_mps: f64,
    /// Moving time (all integrated segments), seconds.
    pub moving_s: f64,
    /// Moving time with a valid speed, seconds (the hours of rTSS).
    pub speed_valid_s: f64,
}

fn finite(v: f32) -> Option<f64> {
    let v = f64::from(v);
    v.is_finite().then_some(v)
}

/// Cumulative distance per sample (see step 1 of the module docs).
fn cumulative_distance(input: &SessionInput<'_>, speed: &[f32], distance: &[f64]) -> Vec<f64> {
    let time = input.time_s;
    let mut cum = Vec::with_capacity(time.len());
    if !distance.is_empty() {
        let mut last = distance
            .iter()
            .copied()
            .find(|d| d.is_finite())
            .unwrap_or(0.0);
        for &d in distance {
            if d.is_finite() && d > last {
                last = d;
            }
            cum.push(last);
        }
    } else {
        let mut total = 0.0;
        cum.push(0.0);
        for k in 1..time.len() {
            let dt = time[k] - time[k - 1];
            let v = speed.get(k).copied().and_then(finite).filter(|v| *v >= 0.0);
            if let Some(v) = v.filter(|_| dt > 0.0 && dt <= MAX_SAMPLE_GAP_S) {
                total += v * dt;
            }
            cum.push(total);
        }
    }
    cum
}

/// Altitude smoothed by a centred moving mean in time; NaN where no altitude is near.
fn smoothed_altitude(time: &[f64], altitude: &[f32]) -> Vec<f64> {
    let n = time.len();
    let mut out = Vec::with_capacity(n);
    let (mut lo, mut hi) = (0usize, 0usize);
    let (mut sum, mut count) = (0.0f64, 0u32);
    for k in 0..n {
        while hi < n && time[hi] <= time[k] + ALTITUDE_SMOOTHING_HALF_WINDOW_S {
            if let Some(a) = finite(altitude[hi]) {
                sum += a;
                count += 1;
            }
            hi += 1;
        }
        while lo < hi && time[lo] < time[k] - ALTITUDE_SMOOTHING_HALF_WINDOW_S {
            if let Some(a) = finite(altitude[lo]) {
                sum -= a;
                count -= 1;
            }
            lo += 1;
        }
        out.push(if count > 0 {
            sum / f64::from(count)
        } else {
            f64::NAN
        });
    }
    out
}

/// Computes NGP for a session. `None` when there are fewer than two samples or neither a speed
/// nor a distance stream.
pub fn normalized_graded_pace(input: &SessionInput<'_>) -> Option<NormalizedPace> {
    graded_pace(input).map(|(ngp, _, _)| ngp)
}

/// NGP, the time at each rolling grade-adjusted speed ([`GradedSpeedTime`]) and the minute
/// blocks ([`MinuteBlocks`]), in one pass.
pub fn graded_pace(
    input: &SessionInput<'_>,
) -> Option<(NormalizedPace, GradedSpeedTime, MinuteBlocks)> {
    let time = input.time_s;
    let n = time.len();
    let speed = input.channel(input.speed_mps);
    let distance = input.channel(input.distance_m);
    if n < 2 || (speed.is_empty() && distance.is_empty()) {
        return None;
    }
    let altitude = input.channel(input.altitude_m);
    let cum = cumulative_distance(input, speed, distance);
    let smooth = if altitude.iter().any(|a| a.is_finite()) {
        smoothed_altitude(time, altitude)
    } else {
        Vec::new()
    };

    // Per-segment effective duration (0 = not counted) and grade-adjusted speed.
    let mut seg_dt = vec![0.0f64; n];
    let mut seg_gas = vec![0.0f64; n];
    let (mut moving_s, mut valid_s, mut speed_time_sum) = (0.0, 0.0, 0.0);
    let mut base = 0usize;
    for k in 1..n {
        let dt = time[k] - time[k - 1];
        if !(dt > 0.0 && dt <= MAX_SAMPLE_GAP_S) {
            continue;
        }
        moving_s += dt;
        let v = speed.get(k).copied().and_then(finite).or_else(|| {
            let (d0, d1) = (*distance.get(k - 1)?, *distance.get(k)?);
            (d0.is_finite() && d1.is_finite()).then(|| (d1 - d0) / dt)
        });
        let Some(v) = v.filter(|v| *v >= 0.0) else {
            continue;
        };
        while base + 1 < k && cum[k] - cum[base + 1] >= GRADE_BASELINE_M {
            base += 1;
        }
        let run = cum[k] - cum[base];
        let grade = if !smooth.is_empty() && run >= GRADE_BASELINE_M {
            let rise = smooth[k] - smooth[base];
            if rise.is_finite() { rise / run } else { 0.0 }
        } else {
            0.0
        };
        seg_dt[k] = dt;
        seg_gas[k] = v * grade_adjustment(grade);
        valid_s += dt;
        speed_time_sum += v * dt;
    }
    if valid_s <= 0.0 {
        return None;
    }

    let (mut lo, mut window_s, mut window_sum) = (1usize, 0.0f64, 0.0f64);
    let mut fourth_sum = 0.0;
    let mut bins: std::collections::BTreeMap<u32, f64> = std::collections::BTreeMap::new();
    let hr = input.channel(input.heart_rate_bpm);
    let mut blocks: MinuteBlocks = Vec::new();
    // (seconds, speed·seconds, HR seconds, HR·seconds) of the minute being filled.
    let mut block = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for k in 1..n {
        let dt = seg_dt[k];
        if dt == 0.0 {
            continue;
        }
        window_s += dt;
        window_sum += dt * seg_gas[k];
        while lo < k && window_s - seg_dt[lo] >= NGP_ROLLING_WINDOW_S {
            window_s -= seg_dt[lo];
            window_sum -= seg_dt[lo] * seg_gas[lo];
            lo += 1;
        }
        let rolling = (window_sum / window_s).max(0.0);
        fourth_sum += dt * rolling.powi(4);
        // `as` saturates; the rolling speed is finite and non-negative here.
        *bins
            .entry((rolling / GRADED_SPEED_BIN_MPS).floor() as u32)
            .or_insert(0.0) += dt;
        block.0 += dt;
        block.1 += dt * seg_gas[k];
        if let Some(h) = hr
            .get(k - 1)
            .map(|h| f64::from(*h))
            .filter(|h| (super::PLAUSIBLE_HR_BPM.0..=super::PLAUSIBLE_HR_BPM.1).contains(h))
        {
            block.2 += dt;
            block.3 += dt * h;
        }
        if block.0 >= BLOCK_S {
            let heart = (block.2 >= 0.5 * block.0).then(|| (block.3 / block.2) as f32);
            blocks.push(((block.1 / block.0) as f32, heart));
            block = (0.0, 0.0, 0.0, 0.0);
        }
    }
    Some((
        NormalizedPace {
            ngp_mps: (fourth_sum / valid_s).powf(0.25),
            mean_speed_mps: speed_time_sum / valid_s,
            moving_s,
            speed_valid_s: valid_s,
        },
        bins.into_iter().collect(),
        blocks,
    ))
}
