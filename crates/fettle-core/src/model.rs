//! The personal model: Banister's impulse–response fitted to the athlete's performance markers
//! (Clarke & Skiba 2013, Adv Physiol Educ 37:134; docs/science.md).
//!
//! `p(t) = p0 + k1·F(t) − k2·G(t)`, `F(t) = Σ_(s<t) w(s)·e^(−(t−s)/τ1)`,
//! `G(t) = Σ_(s<t) w(s)·e^(−(t−s)/τ2)`, with `w` the daily load (load points) and `p` the
//! performance on the VDOT scale (Daniels & Gilbert). A marker's own day does not count in
//! its impulses (a race is not helped or hurt by itself).
//!
//! # Fitting
//! τ1 = 50 and τ2 = 11 days are fixed, as GoldenCheetah does ([`ModelParams`] can change
//! them). With the τs fixed the model is *linear* in `(p0, k1, k2)`, so the least-squares fit
//! is exact and closed-form: the 3×3 normal equations `XᵀX·β = Xᵀy` with rows
//! `X_i = [1, F(t_i), −G(t_i)]`, solved by Gaussian elimination with partial pivoting — no
//! Levenberg–Marquardt iterations, no starting values, no local minima. Fitting the τs too
//! needs far more markers than runners have, and choosing them by the same leave-one-out
//! error would make that error optimistic, so they stay fixed.
//!
//! # Honesty
//! The fit reports its leave-one-out RMSE next to the leave-one-out RMSE of a constant (the
//! mean of the other markers), and [`fit_banister`] **refuses** when:
//! - there are fewer than [`MIN_MARKERS`] markers or they span less than
//!   [`MIN_MARKER_SPAN_DAYS`] days (three parameters need clearly more points, spread over
//!   more than one fitness time constant's worth of training changes);
//! - the fit is not better than the constant (LOO RMSE ≥ constant's LOO RMSE);
//! - the fitted gains contradict the model (k1 ≤ 0 or k2 ≤ 0: fitness would not help, or
//!   fatigue would not hurt).
//!
//! # Markers
//! Races the athlete entered and best efforts found inside runs ([`best_efforts`]: the fastest
//! 5 km, 10 km and half marathon segment, two pointers over the distance stream, O(n)). Most
//! runs are not all-out, so [`peak_markers`] keeps every race and only the best VDOT per
//! [`PEAK_MARKER_WINDOW_DAYS`]-day block among best efforts.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::log::RaceResult;
use crate::performance::{race_time_for_vdot, vdot};
use crate::profile::MAX_RUNNING_SPEED_MPS;
use crate::series::{DayTotals, MAX_SERIES_DAYS, day_number};

/// Fitness time constant τ1, days (GoldenCheetah's fixed value; typical 40–50 d).
pub const TAU_FITNESS_DAYS: f64 = 50.0;
/// Fatigue time constant τ2, days (GoldenCheetah's fixed value; typical 7–15 d).
pub const TAU_FATIGUE_DAYS: f64 = 11.0;
/// Fewest markers for a fit: twice the three parameters.
pub const MIN_MARKERS: usize = 6;
/// Shortest span between the first and the last marker, days (about three months).
pub const MIN_MARKER_SPAN_DAYS: i64 = 90;
/// Distances searched for best efforts, metres: 5 km, 10 km, half marathon.
pub const BEST_EFFORT_DISTANCES_M: [f64; 3] = [5000.0, 10_000.0, 21_097.5];
/// Segments faster than this (m/s) are GPS glitches: above the 5 km world record's 6.62 m/s.
pub const MAX_PLAUSIBLE_EFFORT_SPEED_MPS: f64 = 6.7;
/// Block length in which only the best best-effort marker is kept, days.
pub const PEAK_MARKER_WINDOW_DAYS: i64 = 28;
/// `kind` of a detected best effort in [`RaceResult`].
pub const BEST_EFFORT_KIND: &str = "best_effort";

/// The model's time constants.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ModelParams {
    /// τ1, days.
    pub tau_fitness_days: f64,
    /// τ2, days.
    pub tau_fatigue_days: f64,
}

impl Default for ModelParams {
    fn default() -> Self {
        ModelParams {
            tau_fitness_days: TAU_FITNESS_DAYS,
            tau_fatigue_days: TAU_FATIGUE_DAYS,
        }
    }
}

/// One marker as used by the fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedMarker {
    /// The day.
    pub date: Date,
    /// Its VDOT.
    pub vdot: f64,
    /// The fitted model's value on that day.
    pub fitted: f64,
    /// The model's prediction with this marker left out of the fit.
    pub left_out_prediction: f64,
}

/// A fitted personal model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BanisterFit {
    /// Time constants used.
    pub params: ModelParams,
    /// Baseline performance (VDOT).
    pub p0: f64,
    /// Fitness gain (VDOT per impulse unit).
    pub k1: f64,
    /// Fatigue gain (VDOT per impulse unit).
    pub k2: f64,
    /// In-sample RMSE, VDOT.
    pub rmse: f64,
    /// Leave-one-out RMSE, VDOT.
    pub loo_rmse: f64,
    /// Leave-one-out RMSE of the constant model (mean of the other markers), VDOT.
    pub constant_loo_rmse: f64,
    /// The markers with their fitted and left-out values.
    pub markers: Vec<FittedMarker>,
}

/// Why no model is presented, with the numbers behind the decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{reason}")]
pub struct ModelRefusal {
    /// Plain-language reason and what would help.
    pub reason: String,
    /// Usable markers found.
    pub markers: usize,
    /// The fit's leave-one-out RMSE, when it got that far.
    pub loo_rmse: Option<f64>,
    /// The constant model's leave-one-out RMSE, when it got that far.
    pub constant_loo_rmse: Option<f64>,
}

/// A prediction of performance on a day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// The day.
    pub date: Date,
    /// Predicted VDOT.
    pub vdot: f64,
    /// `k1·F`: the fitness contribution.
    pub fitness_term: f64,
    /// `k2·G`: the fatigue contribution (subtracted).
    pub fatigue_term: f64,
}

impl Prediction {
    /// Predicted race time for `distance_m`, seconds (Daniels & Gilbert, inverted).
    pub fn race_time_s(&self, distance_m: f64) -> Option<f64> {
        race_time_for_vdot(self.vdot, distance_m)
    }
}

/// `(F, G)` at the start of each of `dates` (impulses of earlier days only). O(days).
fn impulses(days: &[DayTotals], dates: &[Date], params: &ModelParams) -> Vec<(f64, f64)> {
    let Some(first) = days.iter().map(|d| day_number(d.date)).min() else {
        return vec![(0.0, 0.0); dates.len()];
    };
    let last = dates.iter().map(|d| day_number(*d)).max().unwrap_or(first);
    // Beyond MAX_SERIES_DAYS the impulses have decayed to 0 in floating point (e^(−730)).
    let span = usize::try_from(last - first + 1)
        .unwrap_or(0)
        .min(MAX_SERIES_DAYS);
    let mut loads = vec![0.0f64; span];
    for d in days {
        let index = usize::try_from(day_number(d.date) - first).ok();
        if let Some(slot) = index.and_then(|i| loads.get_mut(i))
            && d.load.is_finite()
            && d.load > 0.0
        {
            *slot += d.load;
        }
    }
    let (decay1, decay2) = (
        (-1.0 / params.tau_fitness_days).exp(),
        (-1.0 / params.tau_fatigue_days).exp(),
    );
    // start[i] = (F, G) at the start of day first + i.
    let mut start = Vec::with_capacity(span);
    let (mut f, mut g) = (0.0, 0.0);
    for load in &loads {
        start.push((f, g));
        f = (f + load) * decay1;
        g = (g + load) * decay2;
    }
    dates
        .iter()
        .map(|d| {
            usize::try_from(day_number(*d) - first)
                .ok()
                .and_then(|i| start.get(i).copied())
                .unwrap_or((0.0, 0.0))
        })
        .collect()
}

/// Solves the 3×3 system `a·x = b` by Gaussian elimination with partial pivoting; `None` when
/// (numerically) singular.
fn solve3(mut a: [[f64; 3]; 3], mut b: [f64; 3]) -> Option<[f64; 3]> {
    let scale = a.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    for col in 0..3 {
        let pivot = (col..3).max_by(|i, j| a[*i][col].abs().total_cmp(&a[*j][col].abs()))?;
        if a[pivot][col].abs() <= scale * 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..3 {
            let factor = a[row][col] / a[col][col];
            let pivot_row = a[col];
            for (cell, pivot_cell) in a[row].iter_mut().zip(pivot_row).skip(col) {
                *cell -= factor * pivot_cell;
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = [0.0; 3];
    for row in (0..3).rev() {
        let tail: f64 = (row + 1..3).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - tail) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// Least-squares `(p0, k1, k2)` over the rows not equal to `skip`.
fn least_squares(rows: &[(f64, f64, f64)], skip: Option<usize>) -> Option<[f64; 3]> {
    let mut ata = [[0.0; 3]; 3];
    let mut aty = [0.0; 3];
    for (i, &(f, g, y)) in rows.iter().enumerate() {
        if Some(i) == skip {
            continue;
        }
        let x = [1.0, f, -g];
        for r in 0..3 {
            for c in 0..3 {
                ata[r][c] += x[r] * x[c];
            }
            aty[r] += x[r] * y;
        }
    }
    solve3(ata, aty)
}

fn model_value(beta: &[f64; 3], f: f64, g: f64) -> f64 {
    beta[0] + beta[1] * f - beta[2] * g
}

fn rms(errors: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = errors.fold((0.0, 0usize), |(s, n), e| (s + e * e, n + 1));
    (sum / n.max(1) as f64).sqrt()
}

/// Fits the model to `markers` given the daily loads (see the module docs for when it
/// refuses). Markers whose VDOT cannot be computed are skipped.
pub fn fit_banister(
    days: &[DayTotals],
    markers: &[RaceResult],
    params: &ModelParams,
) -> Result<BanisterFit, ModelRefusal> {
    let refuse = |reason: String, n: usize, loo: Option<f64>, constant: Option<f64>| ModelRefusal {
        reason,
        markers: n,
        loo_rmse: loo,
        constant_loo_rmse: constant,
    };
    let usable: Vec<(Date, f64)> = markers
        .iter()
        .filter_map(|m| vdot(m.distance_m, m.time_s).map(|v| (m.date, v)))
        .collect();
    let n = usable.len();
    if n < MIN_MARKERS {
        return Err(refuse(
            format!(
                "{n} performance markers; the model needs at least {MIN_MARKERS} (races or best \
                 efforts) spread over {MIN_MARKER_SPAN_DAYS} days or more"
            ),
            n,
            None,
            None,
        ));
    }
    let first = usable.iter().map(|m| day_number(m.0)).min().unwrap_or(0);
    let last = usable.iter().map(|m| day_number(m.0)).max().unwrap_or(0);
    if last - first < MIN_MARKER_SPAN_DAYS {
        return Err(refuse(
            format!(
                "the markers span {} days; the model needs them spread over at least \
                 {MIN_MARKER_SPAN_DAYS} days to tell fitness from fatigue",
                last - first
            ),
            n,
            None,
            None,
        ));
    }
    let dates: Vec<Date> = usable.iter().map(|m| m.0).collect();
    let rows: Vec<(f64, f64, f64)> = impulses(days, &dates, params)
        .into_iter()
        .zip(&usable)
        .map(|((f, g), m)| (f, g, m.1))
        .collect();
    let Some(beta) = least_squares(&rows, None) else {
        return Err(refuse(
            "the training loads before the markers are too alike to separate fitness from \
             fatigue"
                .to_owned(),
            n,
            None,
            None,
        ));
    };
    let total: f64 = rows.iter().map(|r| r.2).sum();
    let mut fitted_markers = Vec::with_capacity(n);
    let (mut loo_sq, mut const_sq) = (0.0, 0.0);
    for (i, &(f, g, y)) in rows.iter().enumerate() {
        let left_out = least_squares(&rows, Some(i)).map_or(f64::NAN, |b| model_value(&b, f, g));
        let constant = (total - y) / (n - 1) as f64;
        loo_sq += (left_out - y).powi(2);
        const_sq += (constant - y).powi(2);
        fitted_markers.push(FittedMarker {
            date: usable[i].0,
            vdot: y,
            fitted: model_value(&beta, f, g),
            left_out_prediction: left_out,
        });
    }
    let loo_rmse = (loo_sq / n as f64).sqrt();
    let constant_loo_rmse = (const_sq / n as f64).sqrt();
    // NaN (a singular left-out fit) fails this comparison and is refused too.
    let better_than_constant = loo_rmse < constant_loo_rmse;
    if !better_than_constant {
        return Err(refuse(
            format!(
                "the model predicts left-out markers no better than their average (error \
                 {loo_rmse:.2} vs {constant_loo_rmse:.2} VDOT); it is not shown until more \
                 varied training and markers make it useful"
            ),
            n,
            Some(loo_rmse),
            Some(constant_loo_rmse),
        ));
    }
    if beta[1] <= 0.0 || beta[2] <= 0.0 {
        return Err(refuse(
            format!(
                "the fitted gains contradict the model (fitness gain {:.5}, fatigue gain {:.5}: \
                 both must be positive)",
                beta[1], beta[2]
            ),
            n,
            Some(loo_rmse),
            Some(constant_loo_rmse),
        ));
    }
    let rmse = rms(fitted_markers.iter().map(|m| m.fitted - m.vdot));
    Ok(BanisterFit {
        params: *params,
        p0: beta[0],
        k1: beta[1],
        k2: beta[2],
        rmse,
        loo_rmse,
        constant_loo_rmse,
        markers: fitted_markers,
    })
}

impl BanisterFit {
    /// Predicted performance on `date` from the loads in `days` (days without an entry are
    /// rest; include planned loads to forecast a plan).
    pub fn predict(&self, days: &[DayTotals], date: Date) -> Prediction {
        let (f, g) = impulses(days, &[date], &self.params)[0];
        Prediction {
            date,
            vdot: model_value(&[self.p0, self.k1, self.k2], f, g),
            fitness_term: self.k1 * f,
            fatigue_term: self.k2 * g,
        }
    }
}

/// The fastest 5 km, 10 km and half-marathon segments inside one run, as markers dated `date`.
/// Uses elapsed time between samples (pauses count, which never flatters); a segment's time is
/// scaled to the exact distance (`Δt·D/Δd`, the samples rarely fall on it). Non-finite or
/// decreasing samples are skipped; a jump between two samples faster than
/// [`MAX_RUNNING_SPEED_MPS`] is a GPS glitch whose distance is dropped; whole segments faster
/// than [`MAX_PLAUSIBLE_EFFORT_SPEED_MPS`] are ignored. O(n) per distance.
pub fn best_efforts(time_s: &[f64], distance_m: &[f64], date: Date) -> Vec<RaceResult> {
    // Clean (time, distance) pairs; a jump faster than any runner between two samples is a
    // GPS glitch and its distance is removed from everything after it.
    let mut points: Vec<(f64, f64)> = Vec::with_capacity(time_s.len());
    let (mut removed, mut previous_raw) = (0.0, f64::NAN);
    for (&t, &d) in time_s.iter().zip(distance_m) {
        if !(t.is_finite() && d.is_finite()) {
            continue;
        }
        if let Some(&(pt, pd)) = points.last() {
            if t < pt || d - removed < pd {
                continue;
            }
            if d - previous_raw > MAX_RUNNING_SPEED_MPS * (t - pt) {
                removed += d - previous_raw;
            }
        }
        previous_raw = d;
        points.push((t, d - removed));
    }
    let mut out = Vec::new();
    for target in BEST_EFFORT_DISTANCES_M {
        let mut best: Option<f64> = None;
        let mut j = 0usize;
        for i in 0..points.len() {
            while j + 1 < i && points[i].1 - points[j + 1].1 >= target {
                j += 1;
            }
            let covered = points[i].1 - points[j].1;
            if covered >= target && covered > 0.0 {
                let time = (points[i].0 - points[j].0) * target / covered;
                if time > 0.0 && target / time <= MAX_PLAUSIBLE_EFFORT_SPEED_MPS {
                    best = Some(best.map_or(time, |b: f64| b.min(time)));
                }
            }
        }
        if let Some(time_s) = best {
            out.push(RaceResult {
                date,
                distance_m: target,
                time_s,
                kind: BEST_EFFORT_KIND.to_owned(),
            });
        }
    }
    out
}

/// Every entered race, plus only the best-VDOT best effort per [`PEAK_MARKER_WINDOW_DAYS`]-day
/// block (training runs are rarely all-out; their best efforts would drag the markers down).
/// Sorted by date.
pub fn peak_markers(markers: &[RaceResult]) -> Vec<RaceResult> {
    let mut kept: Vec<RaceResult> = markers
        .iter()
        .filter(|m| m.kind != BEST_EFFORT_KIND)
        .cloned()
        .collect();
    let mut best: Vec<(i64, f64, &RaceResult)> = Vec::new();
    for m in markers.iter().filter(|m| m.kind == BEST_EFFORT_KIND) {
        let Some(v) = vdot(m.distance_m, m.time_s) else {
            continue;
        };
        let block = day_number(m.date).div_euclid(PEAK_MARKER_WINDOW_DAYS);
        match best.iter_mut().find(|b| b.0 == block) {
            Some(b) if v > b.1 => *b = (block, v, m),
            Some(_) => {}
            None => best.push((block, v, m)),
        }
    }
    kept.extend(best.into_iter().map(|b| b.2.clone()));
    kept.sort_by_key(|m| m.date);
    kept
}

#[cfg(test)]
mod tests;
