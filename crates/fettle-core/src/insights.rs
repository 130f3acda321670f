//! "What works for you" (SCIENCE.md §9): per recovery method, its effect on next-morning
//! outcomes, adjusted for the day's load and current fatigue.
//!
//! People use ice baths after their hardest days, so a raw with/without comparison confounds
//! the method with the load. For each method and outcome Fettle fits, by ordinary least squares,
//!
//! `outcome_next_morning = b0 + b1·used_method + b2·day_load + b3·fatigue + ε`
//!
//! and reports `effect = b1` with its 95 % interval `b1 ± t(0.975, n − 4)·SE(b1)`, where
//! SE(b1)² = s²·[(XᵀX)⁻¹]₁₁ and s² = RSS/(n − 4). Load and fatigue are centred before fitting
//! (better conditioning; b1 is unchanged). The verdict is direction-aware: lower soreness and
//! resting HR are better, higher readiness and HRV are better. `helps` needs the whole interval
//! on the good side of zero, `worse` the whole interval on the bad side; otherwise
//! `no_clear_effect`. Below [`MIN_DAYS_WITH`] days with the method or [`MIN_DAYS_WITHOUT`] days
//! without it (or when the method is perfectly collinear with load and fatigue) the verdict is
//! `not_enough_data` and no effect is reported.
//!
//! The analysis is observational: it adjusts for the two confounders it is given, not for
//! everything (e.g. a method used only when the athlete already felt good).

use crate::log::{RecoveryEntry, RecoveryMethod, WellnessEntry};
use crate::readiness;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Fewest days with the method before an effect is estimated. Fettle's choice: with four
/// parameters, 8 + 8 days leaves 12 residual degrees of freedom (t = 2.18), a usable interval.
pub const MIN_DAYS_WITH: usize = 8;
/// Fewest days without the method before an effect is estimated (see [`MIN_DAYS_WITH`]).
pub const MIN_DAYS_WITHOUT: usize = 8;
/// Parameters of the regression: intercept, method, load, fatigue.
const PARAMS: usize = 4;

/// A next-morning outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Soreness, 1–5 (lower is better).
    Soreness,
    /// Readiness score, 0–100 (higher is better).
    Readiness,
    /// ln rMSSD (higher is better).
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
    /// The adjusted effect is in the good direction and its interval excludes zero.
    Helps,
    /// The interval includes zero.
    NoClearEffect,
    /// The adjusted effect is in the bad direction and its interval excludes zero.
    Worse,
    /// Too few days on one side (or no way to separate the method from load and fatigue).
    NotEnoughData,
}

/// The `insights --json` record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Insight {
    /// The method.
    pub method: RecoveryMethod,
    /// The outcome.
    pub outcome: Outcome,
    /// Adjusted effect (outcome units; e.g. −0.5 soreness points), `None` without enough data.
    pub effect: Option<f64>,
    /// Lower end of the 95 % interval.
    pub ci_low: Option<f64>,
    /// Upper end of the 95 % interval.
    pub ci_high: Option<f64>,
    /// Days with the method (and a next-morning value).
    pub n_with: usize,
    /// Days without it (and a next-morning value).
    pub n_without: usize,
    /// The verdict.
    pub verdict: Verdict,
    /// Unadjusted mean with − mean without, for comparison with the adjusted effect.
    pub raw_difference: Option<f64>,
    /// Why there is no estimate, when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Every method that appears in `days`, for every outcome.
pub fn insights(days: &[DayRecord]) -> Vec<Insight> {
    let used: BTreeSet<RecoveryMethod> = days
        .iter()
        .flat_map(|d| d.methods.iter().copied())
        .collect();
    used.into_iter()
        .flat_map(|m| Outcome::ALL.into_iter().map(move |o| (m, o)))
        .map(|(m, o)| insight(days, m, o))
        .collect()
}

/// One method, one outcome. Days with a non-finite load or fatigue, or no outcome, are skipped.
pub fn insight(days: &[DayRecord], method: RecoveryMethod, outcome: Outcome) -> Insight {
    let rows: Vec<(f64, f64, f64, f64)> = days
        .iter()
        .filter(|d| d.load.is_finite() && d.fatigue.is_finite())
        .filter_map(|d| {
            let y = d.outcome(outcome)?;
            let used = if d.methods.contains(&method) {
                1.0
            } else {
                0.0
            };
            Some((used, d.load, d.fatigue, y))
        })
        .collect();
    let n_with = rows.iter().filter(|r| r.0 == 1.0).count();
    let n_without = rows.len() - n_with;
    let mean_of = |flag: f64| {
        let ys: Vec<f64> = rows.iter().filter(|r| r.0 == flag).map(|r| r.3).collect();
        (!ys.is_empty()).then(|| ys.iter().sum::<f64>() / ys.len() as f64)
    };
    let raw_difference = mean_of(1.0).zip(mean_of(0.0)).map(|(a, b)| a - b);
    let mut result = Insight {
        method,
        outcome,
        effect: None,
        ci_low: None,
        ci_high: None,
        n_with,
        n_without,
        verdict: Verdict::NotEnoughData,
        raw_difference,
        note: None,
    };
    if n_with < MIN_DAYS_WITH || n_without < MIN_DAYS_WITHOUT {
        result.note = Some(format!(
            "not enough data yet: {n_with} day(s) with and {n_without} without; need at least \
             {MIN_DAYS_WITH} and {MIN_DAYS_WITHOUT}"
        ));
        return result;
    }
    let Some(fit) = ols_method_effect(&rows) else {
        result.note = Some(
            "cannot separate the method from load and fatigue (it was used exactly when they \
             were high or low): vary when you use it"
                .into(),
        );
        return result;
    };
    let t = t_quantile_975(fit.df as f64);
    let (lo, hi) = (fit.coef - t * fit.se, fit.coef + t * fit.se);
    let good_sign = if outcome.higher_is_better() {
        1.0
    } else {
        -1.0
    };
    result.verdict = if lo * good_sign > 0.0 && hi * good_sign > 0.0 {
        Verdict::Helps
    } else if lo * good_sign < 0.0 && hi * good_sign < 0.0 {
        Verdict::Worse
    } else {
        Verdict::NoClearEffect
    };
    result.effect = Some(fit.coef);
    result.ci_low = Some(lo);
    result.ci_high = Some(hi);
    result
}

/// The method's coefficient from the OLS fit.
struct MethodFit {
    coef: f64,
    se: f64,
    df: usize,
}

/// Fits y ~ 1 + used + load + fatigue (load and fatigue centred) and returns the `used`
/// coefficient with its standard error. `None` when XᵀX is singular or df < 1.
fn ols_method_effect(rows: &[(f64, f64, f64, f64)]) -> Option<MethodFit> {
    let n = rows.len();
    if n <= PARAMS {
        return None;
    }
    let mean_load = rows.iter().map(|r| r.1).sum::<f64>() / n as f64;
    let mean_fatigue = rows.iter().map(|r| r.2).sum::<f64>() / n as f64;
    let x_of = |r: &(f64, f64, f64, f64)| [1.0, r.0, r.1 - mean_load, r.2 - mean_fatigue];
    let mut xtx = [[0.0; PARAMS]; PARAMS];
    let mut xty = [0.0; PARAMS];
    for r in rows {
        let x = x_of(r);
        for i in 0..PARAMS {
            xty[i] += x[i] * r.3;
            for j in 0..PARAMS {
                xtx[i][j] += x[i] * x[j];
            }
        }
    }
    let inv = invert(xtx)?;
    let beta: Vec<f64> = (0..PARAMS)
        .map(|i| (0..PARAMS).map(|j| inv[i][j] * xty[j]).sum())
        .collect();
    let rss: f64 = rows
        .iter()
        .map(|r| {
            let x = x_of(r);
            let fitted: f64 = (0..PARAMS).map(|i| x[i] * beta[i]).sum();
            (r.3 - fitted).powi(2)
        })
        .sum();
    let df = n - PARAMS;
    let s2 = rss / df as f64;
    let var = s2 * inv[1][1];
    (var.is_finite() && var >= 0.0).then(|| MethodFit {
        coef: beta[1],
        se: var.sqrt(),
        df,
    })
}

/// Gauss–Jordan inversion with partial pivoting. `None` when a pivot is negligible relative to
/// the matrix's scale (singular or nearly so).
fn invert(mut a: [[f64; PARAMS]; PARAMS]) -> Option<[[f64; PARAMS]; PARAMS]> {
    let scale = (0..PARAMS).map(|i| a[i][i].abs()).fold(0.0, f64::max);
    if scale.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || !scale.is_finite() {
        return None;
    }
    let mut inv = [[0.0; PARAMS]; PARAMS];
    for (i, row) in inv.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for col in 0..PARAMS {
        let pivot_row =
            (col..PARAMS).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))?;
        if a[pivot_row][col].abs() <= 1e-10 * scale {
            return None;
        }
        a.swap(col, pivot_row);
        inv.swap(col, pivot_row);
        let p = a[col][col];
        for j in 0..PARAMS {
            a[col][j] /= p;
            inv[col][j] /= p;
        }
        for r in 0..PARAMS {
            if r != col {
                let f = a[r][col];
                if f != 0.0 {
                    for j in 0..PARAMS {
                        a[r][j] -= f * a[col][j];
                        inv[r][j] -= f * inv[col][j];
                    }
                }
            }
        }
    }
    Some(inv)
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
        let fit = ols_method_effect(&rows).unwrap();
        assert!((fit.coef - 1.0).abs() < 1e-9);
        assert!(fit.se < 1e-6);
        assert_eq!(fit.df, 16);
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
        let fit = ols_method_effect(&rows).unwrap();
        assert!((fit.coef + 0.201_883_745_6).abs() < 1e-8, "{}", fit.coef);
        assert!((fit.se - 0.057_219_618_9).abs() < 1e-8, "{}", fit.se);
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
}
