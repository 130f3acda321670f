//! "What works for you": per recovery method, its effect on next-morning outcomes, adjusted
//! for the day's load, current fatigue and the other methods. The method is written up in
//! `docs/science.md`.
//!
//! People use ice baths after their hardest days and combine methods (an ice-bath evening is
//! often a boots and a big-meal evening too), so a raw with/without comparison, or one method
//! at a time, credits a method with what the load or another method did. For each outcome
//! Fettle fits **one** multiple regression by ordinary least squares over the days that have
//! that outcome,
//!
//! `outcome_next_morning = b0 + Σ_m b_m·used_m + b_load·day_load + b_fatigue·fatigue + ε`,
//!
//! with every method that has at least [`MIN_DAYS_WITH`] days with it and [`MIN_DAYS_WITHOUT`]
//! without (in order of days used; a method that would make the design singular — used exactly
//! when another method, or load and fatigue, says — is left out and said so). Load and fatigue
//! are centred (better conditioning; the method coefficients are unchanged). For each method,
//! `effect = b_m`, its 95 % interval `b_m ± t(0.975, df)·SE(b_m)` with
//! `SE(b_m)² = s²·[(XᵀX)⁻¹]_mm`, `s² = RSS/df`, `df = n − p`, and the two-sided p-value of
//! `t = b_m/SE(b_m)` from Student's t with df degrees of freedom. The model needs at least
//! [`MIN_RESIDUAL_DF`] residual degrees of freedom, else the outcome says "not enough data".
//!
//! Many method × outcome effects are tested at once, so the p-values of all of them are
//! adjusted together by Benjamini–Hochberg (1995): sorted ascending, `q_(i) = min_(k≥i)
//! (m/k)·p_(k)`, m the number of effects estimated. The verdict is direction-aware (lower
//! soreness and resting HR are better, higher readiness and HRV are better): `helps` or
//! `worse` only when `q ≤` [`FALSE_DISCOVERY_RATE`], otherwise `no_clear_effect`.
//!
//! Effects are in the outcome's units: soreness points (1–5 scale), readiness points (0–100),
//! beats per minute, and for HRV the percentage change in rMSSD, `100·(e^b − 1)`, from the
//! coefficient `b` on ln rMSSD.
//!
//! The analysis is observational: it adjusts for what it is given, not for everything (e.g. a
//! method used only when the athlete already felt good).

use crate::log::{RecoveryEntry, RecoveryMethod, WellnessEntry};
use crate::readiness;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Fewest days with the method before an effect is estimated. Fettle's choice: fewer days
/// give an interval too wide to say anything.
pub const MIN_DAYS_WITH: usize = 8;
/// Fewest days without the method before an effect is estimated (see [`MIN_DAYS_WITH`]).
pub const MIN_DAYS_WITHOUT: usize = 8;
/// Fewest residual degrees of freedom (days minus parameters) for a model to be fitted:
/// t(0.975, 10) = 2.23, within 14 % of the normal 1.96. Fettle's choice.
pub const MIN_RESIDUAL_DF: usize = 10;
/// The false-discovery rate controlled across all effects (Benjamini & Hochberg 1995).
pub const FALSE_DISCOVERY_RATE: f64 = 0.05;
/// Parameters besides the methods: intercept, load, fatigue.
const BASE_PARAMS: usize = 3;

/// A next-morning outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Soreness, 1–5 (lower is better).
    Soreness,
    /// Readiness score, 0–100 (higher is better).
    Readiness,
    /// HRV: the model uses ln rMSSD, effects are reported as % rMSSD (higher is better).
    Hrv,
    /// Resting HR, bpm (lower is better).
    RestingHr,
}

impl Outcome {
    /// Every outcome, in display order.
    pub const ALL: [Outcome; 4] = [
        Outcome::Soreness,
        Outcome::Readiness,
        Outcome::Hrv,
        Outcome::RestingHr,
    ];

    /// The stable name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Soreness => "soreness",
            Outcome::Readiness => "readiness",
            Outcome::Hrv => "hrv",
            Outcome::RestingHr => "resting_hr",
        }
    }

    /// The unit effects are given in.
    pub fn unit(self) -> &'static str {
        match self {
            Outcome::Soreness => "soreness points (1–5 scale)",
            Outcome::Readiness => "readiness points (0–100)",
            Outcome::Hrv => "% rMSSD",
            Outcome::RestingHr => "bpm",
        }
    }

    /// The outcome in words, for sentences.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Soreness => "next-morning soreness",
            Outcome::Readiness => "next-morning readiness",
            Outcome::Hrv => "next-morning HRV",
            Outcome::RestingHr => "next-morning resting heart rate",
        }
    }

    /// A coefficient on the model's scale in the reported unit (HRV: ln → %).
    fn in_unit(self, b: f64) -> f64 {
        match self {
            Outcome::Hrv => 100.0 * b.exp_m1(),
            _ => b,
        }
    }

    /// Whether a higher value is the better one.
    pub fn higher_is_better(self) -> bool {
        matches!(self, Outcome::Readiness | Outcome::Hrv)
    }
}

/// One day of history: what was done and how the next morning looked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayRecord {
    /// The day the methods were used.
    pub date: Date,
    /// That day's training load, load points.
    pub load: f64,
    /// Fatigue (ATL) at the end of that day.
    pub fatigue: f64,
    /// Methods used that day.
    pub methods: BTreeSet<RecoveryMethod>,
    /// Next morning's soreness, 1–5.
    pub next_soreness: Option<f64>,
    /// Next morning's readiness score, 0–100.
    pub next_readiness: Option<f64>,
    /// Next morning's ln rMSSD.
    pub next_ln_rmssd: Option<f64>,
    /// Next morning's resting HR, bpm.
    pub next_rest_hr: Option<f64>,
}

impl DayRecord {
    fn outcome(&self, o: Outcome) -> Option<f64> {
        match o {
            Outcome::Soreness => self.next_soreness,
            Outcome::Readiness => self.next_readiness,
            Outcome::Hrv => self.next_ln_rmssd,
            Outcome::RestingHr => self.next_rest_hr,
        }
        .filter(|v| v.is_finite())
    }
}

/// One day's load and end-of-day fatigue, from the fitness/fatigue series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DailyLoad {
    /// The local day.
    pub date: Date,
    /// The day's total load, load points.
    pub load: f64,
    /// Fatigue (ATL) at the end of the day.
    pub fatigue: f64,
}

/// Builds the day records from the series, the wellness history and the recovery log. A logged
/// method belongs to the local day (in `tz`) on which it started; the next morning is the
/// wellness entry dated the following day (the last one when there are several), and its
/// readiness is [`readiness::assess`] on that day from wellness alone (no load state, so the
/// outcome does not contain the load it is adjusted for).
pub fn day_records(
    daily: &[DailyLoad],
    wellness: &[WellnessEntry],
    recovery_log: &[RecoveryEntry],
    tz: &TimeZone,
) -> Vec<DayRecord> {
    let mut methods_by_day: BTreeMap<Date, BTreeSet<RecoveryMethod>> = BTreeMap::new();
    for e in recovery_log {
        let day = e.at.to_zoned_datetime(tz.clone()).date();
        methods_by_day.entry(day).or_default().insert(e.method);
    }
    let mut morning: BTreeMap<Date, &WellnessEntry> = BTreeMap::new();
    for w in wellness {
        if let Some(d) = w.date {
            morning.insert(d, w);
        }
    }
    daily
        .iter()
        .map(|d| {
            let next = d.date.tomorrow().ok();
            let m = next.and_then(|n| morning.get(&n).copied());
            let next_readiness = match (next, m) {
                (Some(n), Some(_)) => readiness::assess(wellness, n, None).score,
                _ => None,
            };
            DayRecord {
                date: d.date,
                load: d.load,
                fatigue: d.fatigue,
                methods: methods_by_day.get(&d.date).cloned().unwrap_or_default(),
                next_soreness: m.and_then(|w| w.soreness),
                next_readiness,
                next_ln_rmssd: m.and_then(|w| w.rmssd_ms).filter(|v| *v > 0.0).map(f64::ln),
                next_rest_hr: m.and_then(|w| w.rest_hr),
            }
        })
        .collect()
}

/// What the data say about one method and one outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The adjusted effect is in the good direction and survives the false-discovery-rate
    /// control.
    Helps,
    /// No effect that survives the control (the interval may or may not include zero).
    NoClearEffect,
    /// The adjusted effect is in the bad direction and survives the control.
    Worse,
    /// Too few days on one side, too few days for the model, or no way to separate the method
    /// from load, fatigue and the other methods.
    NotEnoughData,
}

/// The `insights --json` record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Insight {
    /// The method.
    pub method: RecoveryMethod,
    /// The outcome.
    pub outcome: Outcome,
    /// Adjusted effect in [`Insight::unit`] (e.g. −0.5 soreness points), `None` without enough
    /// data.
    pub effect: Option<f64>,
    /// Lower end of the 95 % interval, same unit.
    pub ci_low: Option<f64>,
    /// Upper end of the 95 % interval, same unit.
    pub ci_high: Option<f64>,
    /// The unit of `effect`, `ci_low`, `ci_high` and `raw_difference`.
    pub unit: &'static str,
    /// Two-sided p-value of the effect (Student's t).
    pub p_value: Option<f64>,
    /// The p-value adjusted by Benjamini–Hochberg over every effect estimated.
    pub q_value: Option<f64>,
    /// Days with the method (and a next-morning value).
    pub n_with: usize,
    /// Days without it (and a next-morning value).
    pub n_without: usize,
    /// What the effect is adjusted for: the day's load, fatigue and the other methods in the
    /// model.
    pub adjusted_for: Vec<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// Unadjusted mean with − mean without, for comparison with the adjusted effect.
    pub raw_difference: Option<f64>,
    /// One sentence for the athlete.
    pub summary: String,
    /// Why there is no estimate, when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Insight {
    /// The verdict in words ("helps", "no clear effect", "worse", "not enough data").
    pub fn verdict_words(&self) -> &'static str {
        match self.verdict {
            Verdict::Helps => "helps",
            Verdict::NoClearEffect => "no clear effect",
            Verdict::Worse => "worse",
            Verdict::NotEnoughData => "not enough data",
        }
    }
}

/// Every method that appears in `days`, for every outcome.
pub fn insights(days: &[DayRecord]) -> Vec<Insight> {
    let used: BTreeSet<RecoveryMethod> = days
        .iter()
        .flat_map(|d| d.methods.iter().copied())
        .collect();
    insights_for(days, &used)
}

/// One method, one outcome, from the joint analysis of that method alone (see
/// [`insights_for`] for several methods fitted together).
pub fn insight(days: &[DayRecord], method: RecoveryMethod, outcome: Outcome) -> Insight {
    insights_for(days, &BTreeSet::from([method]))
        .into_iter()
        .find(|i| i.outcome == outcome)
        .unwrap_or_else(|| empty_insight(method, outcome, 0, 0, None))
}

/// `methods` × every outcome: one regression per outcome with all methods together, then the
/// Benjamini–Hochberg adjustment over every effect (see the module doc). Methods with no data
/// get a "not enough data" line.
pub fn insights_for(days: &[DayRecord], methods: &BTreeSet<RecoveryMethod>) -> Vec<Insight> {
    let mut out: Vec<Insight> = Vec::new();
    for outcome in Outcome::ALL {
        out.extend(fit_outcome(days, methods, outcome));
    }
    adjust_and_judge(&mut out);
    // Display order: by method, then outcome.
    out.sort_by_key(|i| (i.method, i.outcome));
    out
}

fn empty_insight(
    method: RecoveryMethod,
    outcome: Outcome,
    n_with: usize,
    n_without: usize,
    raw_difference: Option<f64>,
) -> Insight {
    Insight {
        method,
        outcome,
        effect: None,
        ci_low: None,
        ci_high: None,
        unit: outcome.unit(),
        p_value: None,
        q_value: None,
        n_with,
        n_without,
        adjusted_for: Vec::new(),
        verdict: Verdict::NotEnoughData,
        raw_difference,
        summary: String::new(),
        note: None,
    }
}

/// One outcome's regression over every method in `methods`.
fn fit_outcome(
    days: &[DayRecord],
    methods: &BTreeSet<RecoveryMethod>,
    outcome: Outcome,
) -> Vec<Insight> {
    let rows: Vec<&DayRecord> = days
        .iter()
        .filter(|d| d.load.is_finite() && d.fatigue.is_finite())
        .filter(|d| d.outcome(outcome).is_some())
        .collect();
    let y: Vec<f64> = rows.iter().filter_map(|d| d.outcome(outcome)).collect();
    let mut insights: Vec<Insight> = methods
        .iter()
        .map(|&m| {
            let n_with = rows.iter().filter(|d| d.methods.contains(&m)).count();
            let mean = |with: bool| {
                let ys: Vec<f64> = rows
                    .iter()
                    .zip(&y)
                    .filter(|(d, _)| d.methods.contains(&m) == with)
                    .map(|(_, v)| *v)
                    .collect();
                (!ys.is_empty()).then(|| ys.iter().sum::<f64>() / ys.len() as f64)
            };
            let raw = mean(true)
                .zip(mean(false))
                .map(|(a, b)| outcome.in_unit(a - b));
            empty_insight(m, outcome, n_with, rows.len() - n_with, raw)
        })
        .collect();
    for i in &mut insights {
        if i.n_with < MIN_DAYS_WITH || i.n_without < MIN_DAYS_WITHOUT {
            i.note = Some(format!(
                "not enough data yet: {} day(s) with and {} without; need at least \
                 {MIN_DAYS_WITH} and {MIN_DAYS_WITHOUT}",
                i.n_with, i.n_without
            ));
        }
    }
    // Methods enter the model most-used first; one that makes the design singular is left
    // out (it cannot be separated from what is already in).
    let mut order: Vec<usize> = (0..insights.len())
        .filter(|&k| insights[k].note.is_none())
        .collect();
    order.sort_by_key(|&k| std::cmp::Reverse(insights[k].n_with));
    let n = rows.len();
    let mean_load = rows.iter().map(|d| d.load).sum::<f64>() / n.max(1) as f64;
    let mean_fatigue = rows.iter().map(|d| d.fatigue).sum::<f64>() / n.max(1) as f64;
    let method_of: Vec<RecoveryMethod> = insights.iter().map(|i| i.method).collect();
    let design = |chosen: &[usize]| -> Vec<Vec<f64>> {
        rows.iter()
            .map(|d| {
                let mut x = vec![1.0, d.load - mean_load, d.fatigue - mean_fatigue];
                x.extend(
                    chosen
                        .iter()
                        .map(|&k| f64::from(u8::from(d.methods.contains(&method_of[k])))),
                );
                x
            })
            .collect()
    };
    let mut chosen: Vec<usize> = Vec::new();
    for k in order {
        let mut trial = chosen.clone();
        trial.push(k);
        if invert(&gram(&design(&trial))).is_some() {
            chosen = trial;
        } else {
            insights[k].note = Some(
                "cannot separate this method from load, fatigue or the other methods (it was \
                 used exactly when they were): vary when you use it"
                    .into(),
            );
        }
    }
    if chosen.is_empty() {
        return insights;
    }
    let p = BASE_PARAMS + chosen.len();
    if n < p + MIN_RESIDUAL_DF {
        for &k in &chosen {
            insights[k].note = Some(format!(
                "not enough data yet: {n} mornings for a model of {p} terms; need at least {}",
                p + MIN_RESIDUAL_DF
            ));
        }
        return insights;
    }
    let Some(fit) = ols(&design(&chosen), &y) else {
        return insights;
    };
    let t = t_quantile_975(fit.df as f64);
    let names: Vec<&'static str> = chosen.iter().map(|&k| insights[k].method.label()).collect();
    for (j, &k) in chosen.iter().enumerate() {
        let (b, se) = (fit.beta[BASE_PARAMS + j], fit.se[BASE_PARAMS + j]);
        let i = &mut insights[k];
        i.effect = Some(outcome.in_unit(b));
        i.ci_low = Some(outcome.in_unit(b - t * se));
        i.ci_high = Some(outcome.in_unit(b + t * se));
        i.p_value = Some(if se > 0.0 {
            t_two_sided_p(b / se, fit.df as f64)
        } else if b == 0.0 {
            1.0
        } else {
            0.0
        });
        i.adjusted_for = ["the day's load", "fatigue"]
            .into_iter()
            .map(str::to_string)
            .chain(
                names
                    .iter()
                    .enumerate()
                    .filter(|(other, _)| *other != j)
                    .map(|(_, n)| n.to_string()),
            )
            .collect();
    }
    insights
}

/// Benjamini–Hochberg over every estimated effect, then the verdicts and sentences.
fn adjust_and_judge(all: &mut [Insight]) {
    let p: Vec<f64> = all.iter().filter_map(|i| i.p_value).collect();
    let q = benjamini_hochberg(&p);
    let mut next = q.into_iter();
    for i in all.iter_mut() {
        if i.p_value.is_some() {
            i.q_value = next.next();
        }
        let (Some(effect), Some(q), Some(lo), Some(hi)) =
            (i.effect, i.q_value, i.ci_low, i.ci_high)
        else {
            i.summary = format!(
                "{} and {}: {}",
                capitalise_first(i.method.label()),
                i.outcome.label(),
                i.note.as_deref().unwrap_or("not enough data yet")
            );
            continue;
        };
        let good = if i.outcome.higher_is_better() {
            effect > 0.0
        } else {
            effect < 0.0
        };
        i.verdict = if q > FALSE_DISCOVERY_RATE {
            Verdict::NoClearEffect
        } else if good {
            Verdict::Helps
        } else {
            Verdict::Worse
        };
        let direction = if effect >= 0.0 { "higher" } else { "lower" };
        let judged = match i.verdict {
            Verdict::Helps => "it seems to help you",
            Verdict::Worse => "it seems to work against you",
            _ => "no clear effect once many comparisons are allowed for",
        };
        i.summary = format!(
            "On days with {}, {} was {:.2} {} {direction} (95 % interval {:.2} to {:.2}), \
             adjusted for {}: {judged}.",
            i.method.with_article(),
            i.outcome.label(),
            effect.abs(),
            i.unit,
            lo,
            hi,
            i.adjusted_for.join(", ")
        );
    }
}

fn capitalise_first(text: &str) -> String {
    crate::recovery::capitalise(text)
}

/// Benjamini–Hochberg adjusted p-values (q-values), in the order given:
/// `q_(i) = min_(k≥i) min(1, m·p_(k)/k)` over the p-values sorted ascending.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut q = vec![1.0; m];
    let mut running = 1.0_f64;
    for (rank, &idx) in order.iter().enumerate().rev() {
        let candidate = (p[idx] * m as f64 / (rank + 1) as f64).min(1.0);
        running = running.min(candidate);
        q[idx] = running;
    }
    q
}

/// An OLS fit: coefficients, their standard errors and the residual degrees of freedom.
struct Fit {
    beta: Vec<f64>,
    se: Vec<f64>,
    df: usize,
}

/// XᵀX.
fn gram(x: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let p = x.first().map_or(0, Vec::len);
    let mut g = vec![vec![0.0; p]; p];
    for row in x {
        for i in 0..p {
            for j in 0..p {
                g[i][j] += row[i] * row[j];
            }
        }
    }
    g
}

/// Ordinary least squares of `y` on the columns of `x`. `None` when XᵀX is singular or there
/// are no residual degrees of freedom.
fn ols(x: &[Vec<f64>], y: &[f64]) -> Option<Fit> {
    let n = x.len();
    let p = x.first().map_or(0, Vec::len);
    if n <= p || y.len() != n {
        return None;
    }
    let inv = invert(&gram(x))?;
    let xty: Vec<f64> = (0..p)
        .map(|i| x.iter().zip(y).map(|(row, v)| row[i] * v).sum())
        .collect();
    let beta: Vec<f64> = (0..p)
        .map(|i| (0..p).map(|j| inv[i][j] * xty[j]).sum())
        .collect();
    let rss: f64 = x
        .iter()
        .zip(y)
        .map(|(row, v)| {
            let fitted: f64 = row.iter().zip(&beta).map(|(a, b)| a * b).sum();
            (v - fitted).powi(2)
        })
        .sum();
    let df = n - p;
    let s2 = rss / df as f64;
    let se: Vec<f64> = (0..p).map(|i| (s2 * inv[i][i]).max(0.0).sqrt()).collect();
    se.iter()
        .all(|v| v.is_finite())
        .then_some(Fit { beta, se, df })
}

/// The method coefficient of `y ~ 1 + used + load + fatigue` (rows are `(used, load, fatigue,
/// y)`), with load and fatigue centred as [`fit_outcome`] does: for the hand-checked tests.
#[cfg(test)]
fn ols_method_effect(rows: &[(f64, f64, f64, f64)]) -> Option<(f64, f64, usize)> {
    let n = rows.len() as f64;
    let ml = rows.iter().map(|r| r.1).sum::<f64>() / n;
    let mf = rows.iter().map(|r| r.2).sum::<f64>() / n;
    let x: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| vec![1.0, r.0, r.1 - ml, r.2 - mf])
        .collect();
    let y: Vec<f64> = rows.iter().map(|r| r.3).collect();
    let fit = ols(&x, &y)?;
    Some((fit.beta[1], fit.se[1], fit.df))
}

/// Gauss–Jordan inversion with partial pivoting. `None` when a pivot is negligible relative to
/// the matrix's scale (singular or nearly so).
fn invert(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut a: Vec<Vec<f64>> = a.to_vec();
    let scale = (0..n).map(|i| a[i][i].abs()).fold(0.0, f64::max);
    if scale.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || !scale.is_finite() {
        return None;
    }
    let mut inv = vec![vec![0.0; n]; n];
    for (i, row) in inv.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for col in 0..n {
        let pivot_row = (col..n).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))?;
        if a[pivot_row][col].abs() <= 1e-10 * scale {
            return None;
        }
        a.swap(col, pivot_row);
        inv.swap(col, pivot_row);
        let pivot = a[col][col];
        for j in 0..n {
            a[col][j] /= pivot;
            inv[col][j] /= pivot;
        }
        for r in 0..n {
            if r != col {
                let f = a[r][col];
                if f != 0.0 {
                    for j in 0..n {
                        a[r][j] -= f * a[col][j];
                        inv[r][j] -= f * inv[col][j];
                    }
                }
            }
        }
    }
    Some(inv)
}

/// Two-sided p-value of Student's t with `df` degrees of freedom:
/// `P(|T| ≥ |t|) = I_(df/(df+t²))(df/2, 1/2)`, the regularised incomplete beta function.
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    if !t.is_finite() {
        return if t.is_nan() { f64::NAN } else { 0.0 };
    }
    let x = df / (df + t * t);
    regularised_incomplete_beta(df / 2.0, 0.5, x).clamp(0.0, 1.0)
}

/// `I_x(a, b)` by its continued fraction (modified Lentz; Press et al., Numerical Recipes,
/// §6.4), using the symmetry `I_x(a, b) = 1 − I_(1−x)(b, a)` where the fraction converges
/// faster.
fn regularised_incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - ln_front.exp() * beta_continued_fraction(b, a, 1.0 - x) / b
    }
}

fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-15;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 coefficients; relative error ≈ 1e-15).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom, by the Cornish–Fisher
/// expansion around the normal quantile (Abramowitz & Stegun 26.7.5). Accurate to about 0.001
/// for df ≥ 5 (df = 12: 2.1788; exact 2.1788); the minimum data rule keeps df ≥ 12.
pub fn t_quantile_975(df: f64) -> f64 {
    /// The standard normal 0.975 quantile.
    const Z: f64 = 1.959_963_984_540_054;
    let v = df.max(1.0);
    let z2 = Z * Z;
    let z3 = z2 * Z;
    let z5 = z3 * z2;
    let z7 = z5 * z2;
    let z9 = z7 * z2;
    Z + (z3 + Z) / (4.0 * v)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * Z) / (96.0 * v * v)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * Z) / (384.0 * v.powi(3))
        + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * Z) / (92160.0 * v.powi(4))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// xorshift64* — a tiny deterministic generator for simulated histories.
    struct Rng(u64);
    impl Rng {
        /// Spreads a small seed over all bits (xorshift starts badly from tiny states).
        fn new(seed: u64) -> Rng {
            let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            for _ in 0..8 {
                r.next_u64();
            }
            r
        }
        fn next_u64(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn uniform(&mut self) -> f64 {
            (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
        }
        /// Standard normal by Box–Muller.
        fn normal(&mut self) -> f64 {
            let u1 = self.uniform().max(1e-12);
            let u2 = self.uniform();
            (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
        }
    }

    /// Simulates `days` days: load is 0–40 on easy days (60 %) and 80–160 on hard days, fatigue
    /// is its 7-day EWMA; `uses(rng, load)` decides whether the method is used; next-morning
    /// soreness = 1.5 + 0.012·load + 0.01·fatigue + `effect`·used + N(0, 0.3²).
    fn simulate(
        seed: u64,
        days: usize,
        effect: f64,
        uses: impl Fn(&mut Rng, f64) -> bool,
    ) -> Vec<DayRecord> {
        let mut rng = Rng::new(seed);
        let lambda = 1.0 - (-1.0f64 / 7.0).exp();
        let mut fatigue = 50.0;
        let start = date(2026, 1, 1);
        (0..days)
            .map(|i| {
                let load = if rng.uniform() < 0.6 {
                    40.0 * rng.uniform()
                } else {
                    80.0 + 80.0 * rng.uniform()
                };
                fatigue += lambda * (load - fatigue);
                let used = uses(&mut rng, load);
                let soreness = 1.5
                    + 0.012 * load
                    + 0.01 * fatigue
                    + if used { effect } else { 0.0 }
                    + 0.3 * rng.normal();
                let mut methods = BTreeSet::new();
                if used {
                    methods.insert(RecoveryMethod::ColdWaterImmersion);
                }
                DayRecord {
                    date: start.checked_add(jiff::Span::new().days(i as i64)).unwrap(),
                    load,
                    fatigue,
                    methods,
                    next_soreness: Some(soreness),
                    next_readiness: None,
                    next_ln_rmssd: None,
                    next_rest_hr: None,
                }
            })
            .collect()
    }

    #[test]
    fn day_records_assign_methods_to_local_days_and_read_the_next_morning() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let daily = [
            DailyLoad {
                date: date(2026, 3, 1),
                load: 100.0,
                fatigue: 60.0,
            },
            DailyLoad {
                date: date(2026, 3, 2),
                load: 0.0,
                fatigue: 52.0,
            },
        ];
        let bath = |at: &str| RecoveryEntry {
            method: RecoveryMethod::ColdWaterImmersion,
            at: at.parse().unwrap(),
            minutes: Some(10.0),
            temp_c: Some(12.0),
            zones: Vec::new(),
            carbs_g: None,
            protein_g: None,
            note: None,
        };
        // 23:30Z on 1 March is 00:30 on 2 March in Paris: it belongs to 2 March.
        let log = [bath("2026-03-01T18:00:00Z"), bath("2026-03-01T23:30:00Z")];
        let wellness = [WellnessEntry {
            date: Some(date(2026, 3, 2)),
            soreness: Some(3.0),
            rmssd_ms: Some(std::f64::consts::E.powi(4)),
            rest_hr: Some(50.0),
            ..WellnessEntry::default()
        }];
        let r = day_records(&daily, &wellness, &log, &tz);
        assert!(r[0].methods.contains(&RecoveryMethod::ColdWaterImmersion));
        assert!(r[1].methods.contains(&RecoveryMethod::ColdWaterImmersion));
        assert_eq!(r[0].next_soreness, Some(3.0));
        assert!((r[0].next_ln_rmssd.unwrap() - 4.0).abs() < 1e-12);
        assert_eq!(r[0].next_rest_hr, Some(50.0));
        // Soreness 3 → sub-score 50 is the only component present → readiness 50.
        assert_eq!(r[0].next_readiness, Some(50.0));
        assert_eq!(r[1].next_soreness, None);
    }

    #[test]
    fn t_quantile_matches_tables() {
        // Student t 0.975 quantiles from standard tables.
        for (df, t) in [
            (5.0, 2.5706),
            (8.0, 2.3060),
            (12.0, 2.1788),
            (30.0, 2.0423),
            (100.0, 1.9840),
        ] {
            assert!((t_quantile_975(df) - t).abs() < 0.001, "df {df}");
        }
    }

    #[test]
    fn noiseless_data_recovers_the_exact_coefficient() {
        // y = 2 + 1·used + 0.5·load + 0.1·fatigue exactly → b1 = 1, SE 0.
        let rows: Vec<(f64, f64, f64, f64)> = (0..20)
            .map(|i| {
                let used = (i % 2) as f64;
                let load = (i * 7 % 13) as f64 * 10.0;
                let fatigue = 30.0 + (i * 5 % 11) as f64;
                (used, load, fatigue, 2.0 + used + 0.5 * load + 0.1 * fatigue)
            })
            .collect();
        let (coef, se, df) = ols_method_effect(&rows).unwrap();
        assert!((coef - 1.0).abs() < 1e-9);
        assert!(se < 1e-6);
        assert_eq!(df, 16);
    }

    #[test]
    fn ols_standard_error_matches_an_independent_calculation() {
        // 10 rows; an independent pure-Python OLS with exact fractions (normal equations,
        // uncentred design [1, used, load, fatigue]) gives b1 = −0.2018837456 and
        // SE(b1) = 0.0572196189 with RSS/(10 − 4).
        let rows = [
            (0.0, 10.0, 40.0, 2.1),
            (1.0, 80.0, 45.0, 2.9),
            (0.0, 120.0, 50.0, 3.6),
            (1.0, 20.0, 48.0, 2.0),
            (0.0, 60.0, 47.0, 2.8),
            (1.0, 140.0, 55.0, 3.9),
            (0.0, 0.0, 50.0, 2.2),
            (1.0, 90.0, 52.0, 3.1),
            (0.0, 100.0, 54.0, 3.5),
            (1.0, 30.0, 51.0, 2.4),
        ];
        let (coef, se, _) = ols_method_effect(&rows).unwrap();
        assert!((coef + 0.201_883_745_6).abs() < 1e-8, "{coef}");
        assert!((se - 0.057_219_618_9).abs() < 1e-8, "{se}");
    }

    #[test]
    fn a_method_with_a_true_benefit_is_found_with_an_interval_covering_it() {
        // Used on a random half of the days, true effect −0.6 soreness points.
        let days = simulate(42, 120, -0.6, |rng, _| rng.uniform() < 0.5);
        let i = insight(&days, RecoveryMethod::ColdWaterImmersion, Outcome::Soreness);
        assert_eq!(i.verdict, Verdict::Helps);
        let (lo, hi) = (i.ci_low.unwrap(), i.ci_high.unwrap());
        assert!(lo < -0.6 && -0.6 < hi, "[{lo}, {hi}]");
        assert!(i.n_with >= MIN_DAYS_WITH && i.n_without >= MIN_DAYS_WITHOUT);
        // The power to see a −0.6 effect with 120 days and noise SD 0.3 is essentially 1.
        let found = (200..240)
            .filter(|&seed| {
                let days = simulate(seed, 120, -0.6, |rng, _| rng.uniform() < 0.5);
                insight(&days, RecoveryMethod::ColdWaterImmersion, Outcome::Soreness).verdict
                    == Verdict::Helps
            })
            .count();
        assert_eq!(found, 40);
    }

    #[test]
    fn a_method_used_only_on_easy_days_is_exposed_by_the_adjustment() {
        // Zero true effect, but used on 80 % of easy days (load < 60) and never on hard days:
        // the raw comparison makes it look strongly helpful; the adjusted one must not.
        let days = simulate(7, 120, 0.0, |rng, load| load < 60.0 && rng.uniform() < 0.8);
        let i = insight(&days, RecoveryMethod::ColdWaterImmersion, Outcome::Soreness);
        let raw = i.raw_difference.unwrap();
        assert!(
            raw < -0.5,
            "raw difference {raw} should look like a benefit"
        );
        assert_ne!(i.verdict, Verdict::Helps, "{i:?}");
        assert!(i.ci_low.unwrap() < 0.0 && i.ci_high.unwrap() > 0.0);
        assert!(i.effect.unwrap().abs() < 0.3);
        // Not one lucky seed: over 40 histories the raw comparison always flatters the method,
        // while the adjusted verdict says "helps" about as rarely as a 95 % interval allows
        // (expected 2.5 % one-sided → 1 of 40; allow 4).
        let mut helps = 0;
        for seed in 100..140 {
            let days = simulate(seed, 120, 0.0, |rng, load| {
                load < 60.0 && rng.uniform() < 0.8
            });
            let i = insight(&days, RecoveryMethod::ColdWaterImmersion, Outcome::Soreness);
            assert!(i.raw_difference.unwrap() < -0.3, "seed {seed}");
            helps += usize::from(i.verdict == Verdict::Helps);
        }
        assert!(
            helps <= 4,
            "{helps} of 40 confounded histories reported as helping"
        );
    }

    #[test]
    fn a_harmful_method_is_reported_worse() {
        let days = simulate(99, 120, 0.5, |rng, _| rng.uniform() < 0.5);
        let i = insight(&days, RecoveryMethod::ColdWaterImmersion, Outcome::Soreness);
        assert_eq!(i.verdict, Verdict::Worse);
    }

    #[test]
    fn below_the_minimum_days_there_is_no_estimate() {
        let days = simulate(3, 60, -0.6, |rng, _| rng.uniform() < 0.08);
        let i = insight(&days, RecoveryMethod::ColdWaterImmersion, Outcome::Soreness);
        assert!(
            i.n_with < MIN_DAYS_WITH,
            "seed gives {} days with",
            i.n_with
        );
        assert_eq!(i.verdict, Verdict::NotEnoughData);
        assert_eq!(i.effect, None);
        assert!(i.note.unwrap().contains("not enough data"));
        // No HRV recorded at all: not enough data either, with zero days on each side.
        let h = insight(&days, RecoveryMethod::ColdWaterImmersion, Outcome::Hrv);
        assert_eq!(
            (h.n_with, h.n_without, h.verdict),
            (0, 0, Verdict::NotEnoughData)
        );
    }

    #[test]
    fn a_method_used_exactly_when_load_is_high_cannot_be_separated() {
        // used = 1 exactly on the days with load 100, 0 on days with load 0, fatigue constant:
        // the method column equals load/100 → XᵀX is singular.
        let days: Vec<DayRecord> = (0..20)
            .map(|i| {
                let used = i % 2 == 0;
                DayRecord {
                    date: date(2026, 1, 1),
                    load: if used { 100.0 } else { 0.0 },
                    fatigue: 50.0,
                    methods: if used {
                        [RecoveryMethod::Massage].into_iter().collect()
                    } else {
                        BTreeSet::new()
                    },
                    next_soreness: Some(2.0 + i as f64 * 0.01),
                    next_readiness: None,
                    next_ln_rmssd: None,
                    next_rest_hr: None,
                }
            })
            .collect();
        let i = insight(&days, RecoveryMethod::Massage, Outcome::Soreness);
        assert_eq!(i.verdict, Verdict::NotEnoughData);
        assert!(i.note.unwrap().contains("cannot separate"));
    }

    #[test]
    fn insights_json_contract() {
        let days = simulate(42, 120, -0.6, |rng, _| rng.uniform() < 0.5);
        let all = insights(&days);
        assert_eq!(all.len(), 4); // one method × four outcomes
        let j = serde_json::to_value(&all).unwrap();
        for key in [
            "method",
            "outcome",
            "effect",
            "ci_low",
            "ci_high",
            "n_with",
            "n_without",
            "verdict",
        ] {
            assert!(j[0].get(key).is_some(), "{key}");
        }
        assert_eq!(j[0]["method"], "cold_water_immersion");
        assert_eq!(j[0]["outcome"], "soreness");
        assert_eq!(j[0]["verdict"], "helps");
        assert_eq!(j[2]["verdict"], "not_enough_data");
    }

    /// The fixed 30-day history of the cross-check: no random numbers, so the Python side
    /// rebuilds it exactly. Ice-bath days (i % 3 == 0) are always meal days too; boots on
    /// i % 4 == 1; only the meal has a true effect (−0.3 soreness points).
    fn cross_check_days() -> Vec<DayRecord> {
        (0..30u64)
            .map(|i| {
                let load = ((i * 37) % 23) as f64 * 7.0;
                let fatigue = 40.0 + ((i * 11) % 13) as f64;
                let ice = i % 3 == 0;
                let meal = i % 3 == 0 || i % 5 == 0;
                let boots = i % 4 == 1;
                let noise = (((i * 7919) % 17) as f64 - 8.0) / 20.0;
                let y = 1.5 + 0.01 * load + 0.02 * fatigue - if meal { 0.3 } else { 0.0 } + noise;
                let mut methods = BTreeSet::new();
                if ice {
                    methods.insert(RecoveryMethod::ColdWaterImmersion);
                }
                if meal {
                    methods.insert(RecoveryMethod::Nutrition);
                }
                if boots {
                    methods.insert(RecoveryMethod::CompressionBoots);
                }
                DayRecord {
                    date: date(2026, 1, 1)
                        .checked_add(jiff::Span::new().days(i as i64))
                        .unwrap(),
                    load,
                    fatigue,
                    methods,
                    next_soreness: Some(y),
                    next_readiness: None,
                    next_ln_rmssd: None,
                    next_rest_hr: None,
                }
            })
            .collect()
    }

    #[test]
    fn joint_regression_and_bh_match_statsmodels() {
        // Independent computation: Python 3, numpy 2 + statsmodels 0.14,
        // `sm.OLS(y, [1, load−mean, fatigue−mean, ice, meal, boots]).fit()` on the same 30 days
        // (df 24): ice b = 0.058706785332, SE 0.184302174600, p 0.752834279756;
        // meal b = −0.329383998912, SE 0.175055420764, p 0.072074399932;
        // boots b = −0.001868627881, SE 0.117697422943, p 0.987464134242;
        // `multipletests([p_ice, p_meal, p_boots], method='fdr_bh')` →
        // q = 0.987464134242, 0.216223199795, 0.987464134242.
        let days = cross_check_days();
        let all = insights(&days);
        let get = |m: RecoveryMethod| {
            all.iter()
                .find(|i| i.method == m && i.outcome == Outcome::Soreness)
                .unwrap()
        };
        let expected = [
            (
                RecoveryMethod::ColdWaterImmersion,
                0.058_706_785_332,
                0.752_834_279_756,
                0.987_464_134_242,
            ),
            (
                RecoveryMethod::Nutrition,
                -0.329_383_998_912,
                0.072_074_399_932,
                0.216_223_199_795,
            ),
            (
                RecoveryMethod::CompressionBoots,
                -0.001_868_627_881,
                0.987_464_134_242,
                0.987_464_134_242,
            ),
        ];
        let se = [0.184_302_174_600, 0.175_055_420_764, 0.117_697_422_943];
        let t = t_quantile_975(24.0);
        for ((m, b, p, q), se) in expected.into_iter().zip(se) {
            let i = get(m);
            assert!((i.effect.unwrap() - b).abs() < 1e-9, "{m:?} {i:?}");
            assert!((i.p_value.unwrap() - p).abs() < 1e-9, "{m:?} {i:?}");
            assert!((i.q_value.unwrap() - q).abs() < 1e-9, "{m:?} {i:?}");
            assert!((i.ci_low.unwrap() - (b - t * se)).abs() < 1e-8, "{m:?}");
            assert_eq!(i.verdict, Verdict::NoClearEffect, "{m:?}");
            assert_eq!(i.unit, "soreness points (1–5 scale)");
            assert!(i.adjusted_for.contains(&"the day's load".to_string()));
            assert_eq!(
                i.adjusted_for.len(),
                4,
                "load, fatigue and the two other methods"
            );
        }
        // One method at a time (the old analysis) credits the ice bath with the meal's effect:
        // ice-bath days are all meal days.
        let alone = insight(&days, RecoveryMethod::ColdWaterImmersion, Outcome::Soreness);
        assert!(
            alone.effect.unwrap() < get(RecoveryMethod::ColdWaterImmersion).effect.unwrap() - 0.1
        );
        // Sentences in words, with the unit.
        let s = &get(RecoveryMethod::Nutrition).summary;
        assert!(
            s.contains("soreness points") && s.contains("adjusted for the day's load"),
            "{s}"
        );
    }

    #[test]
    fn benjamini_hochberg_matches_statsmodels() {
        // statsmodels `multipletests([0.01, 0.04, 0.03, 0.005, 0.5, 0.2], method='fdr_bh')[1]`
        // = [0.03, 0.06, 0.06, 0.03, 0.5, 0.24].
        let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.005, 0.5, 0.2]);
        for (got, want) in q.iter().zip([0.03, 0.06, 0.06, 0.03, 0.5, 0.24]) {
            assert!((got - want).abs() < 1e-12, "{q:?}");
        }
        assert!(benjamini_hochberg(&[]).is_empty());
    }

    #[test]
    fn student_t_p_values_match_scipy() {
        // scipy 1.x `2 * stats.t.sf(t, df)`.
        for (t, df, p) in [
            (2.228_138_851_986_274, 10.0, 0.05),
            (1.0, 5.0, 0.363_217_467_649_122_9),
            (3.5, 20.0, 0.002_255_123_153_057_165),
            (0.3, 12.0, 0.769_310_474_088_252_3),
            (5.0, 3.0, 0.015_392_438_073_302_294),
        ] {
            assert!((t_two_sided_p(t, df) - p).abs() < 1e-10, "t {t} df {df}");
            assert!((t_two_sided_p(-t, df) - p).abs() < 1e-10);
        }
        assert_eq!(t_two_sided_p(0.0, 10.0), 1.0);
    }

    #[test]
    fn many_useless_methods_rarely_produce_a_verdict() {
        // Five methods with no effect, used at random on half the days, 120 days, 40
        // histories: without multiple-comparison control about 1 − 0.95⁵ = 23 % of histories
        // would show at least one "helps" or "worse"; Benjamini–Hochberg at 5 % keeps the
        // chance of any false verdict under a complete null at 5 % (2 of 40); allow 5.
        let methods = [
            RecoveryMethod::ColdWaterImmersion,
            RecoveryMethod::CompressionBoots,
            RecoveryMethod::CompressionGarments,
            RecoveryMethod::Massage,
            RecoveryMethod::FoamRolling,
        ];
        let mut histories_with_a_verdict = 0;
        for seed in 500..540 {
            let mut rng = Rng::new(seed);
            let days: Vec<DayRecord> = simulate(seed, 120, 0.0, |_, _| false)
                .into_iter()
                .map(|mut d| {
                    d.methods = methods
                        .iter()
                        .copied()
                        .filter(|_| rng.uniform() < 0.5)
                        .collect();
                    d
                })
                .collect();
            let all = insights(&days);
            assert_eq!(all.len(), 5 * 4);
            histories_with_a_verdict += usize::from(
                all.iter()
                    .any(|i| matches!(i.verdict, Verdict::Helps | Verdict::Worse)),
            );
        }
        assert!(
            histories_with_a_verdict <= 5,
            "{histories_with_a_verdict} of 40"
        );
    }

    #[test]
    fn too_few_mornings_for_the_model_say_not_enough_data_with_the_number() {
        // 12 mornings, a method on 8 (enough days with, not without): not enough data.
        let days = simulate(11, 12, -0.5, |_, _| true);
        let i = insight(&days, RecoveryMethod::ColdWaterImmersion, Outcome::Soreness);
        assert_eq!(i.verdict, Verdict::NotEnoughData);
        assert!(
            i.note.as_deref().unwrap().contains("need at least 8"),
            "{i:?}"
        );
        // 16 mornings, 8 with and 8 without: 4 terms need 4 + 10 = 14 mornings; enough.
        let days: Vec<DayRecord> = simulate(12, 16, -0.5, |_, _| false)
            .into_iter()
            .enumerate()
            .map(|(k, mut d)| {
                if k % 2 == 0 {
                    d.methods.insert(RecoveryMethod::ColdWaterImmersion);
                }
                d
            })
            .collect();
        let i = insight(&days, RecoveryMethod::ColdWaterImmersion, Outcome::Soreness);
        assert!(i.effect.is_some(), "{i:?}");
        // 13 mornings with two of the methods' days short of 10 residual degrees of freedom:
        // stated as such.
        let days: Vec<DayRecord> = days.into_iter().take(13).collect();
        let i = insight(&days, RecoveryMethod::ColdWaterImmersion, Outcome::Soreness);
        assert_eq!(i.verdict, Verdict::NotEnoughData);
    }
}
