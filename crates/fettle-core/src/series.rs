//! Daily series: fitness (CTL), fatigue (ATL), form (TSB), ramp rate, ACWR, monotony, strain
//! and weekly distance, one pass over the days (docs/science.md).
//!
//! # Conventions (each a choice docs/science.md asks us to make and write down)
//! - **Smoothing.** `X_d = X_(d−1) + λ·(load_d − X_(d−1))` with `λ = 1 − e^(−1/N)` (the
//!   TrainingPeaks, GoldenCheetah and intervals.icu convention; `2/(N+1)` would be twice as
//!   reactive at N = 42). Fitness N = 42, fatigue N = 7, both configurable ([`SeriesParams`]).
//!   Both start on the day before the first activity from a **seed** ([`Seed`]): 0 by default
//!   (the published convention, which underestimates fitness for the first ~6 weeks and makes
//!   a new athlete look exhausted: form sinks below zero with every ordinary run), or — what
//!   Fettle's use cases ask for — the athlete's usual daily load, taken from what the early
//!   history shows ([`Seed::EarlyHistory`]: the mean daily load of the first
//!   [`SEED_HISTORY_DAYS`] days, rest days included, over at least a week) or from the usual
//!   weekly distance the athlete states ([`Seed::UsualWeekKm`]). Seeding fitness and fatigue
//!   with the same value starts form at 0: "as usual". Either way the numbers of the first
//!   [`WARM_UP_DAYS`] days are **provisional** ([`DayState::provisional`]), and flags that
//!   depend on fitness wait for them.
//! - **Days** are the athlete's local days; the caller buckets activities with
//!   [`bucket_by_local_day`]. A day without activity has load 0 (docs/science.md).
//! - **Form** on day d is the *morning* form: `CTL_(d−1) − ATL_(d−1)`, "how fresh you are this
//!   morning", as TrainingPeaks shows it. `fitness` and `fatigue` of day d are end-of-day values
//!   (they include day d's sessions), so `fitness − fatigue` of a row is tomorrow morning's form
//!   (`form_tomorrow`).
//! - **Ramp** = `CTL_d − CTL_(d−7)`, points per week.
//! - **ACWR** = acute / chronic EWMA of daily load (Williams et al. 2017, BJSM 51:209), with
//!   Williams' own `λ = 2/(N+1)`, N = 7 and 28, **uncoupled** (Windt & Gabbett 2019): the
//!   chronic value is the one at the end of day d−7, so the acute week is not inside it.
//!   `None` for the first 28 days of history and when the chronic load is below
//!   [`MIN_CHRONIC_LOAD_FOR_ACWR`] (a ratio over almost nothing is noise).
//! - **Monotony** = mean / population SD of the last 7 days' loads (Foster 1998), capped at
//!   [`MONOTONY_CAP`]; when the SD is 0 it is the cap if the mean is positive (perfectly
//!   monotonous) and `None` for an all-rest week (nothing to be monotonous about).
//!   **Strain** = weekly load × monotony, and 0 for an all-rest week. Both `None` until 7 days
//!   of history exist.
//! - **Weekly distance change** = last 7 days' distance / the reference week − 1, where the
//!   reference is the highest 7-day distance among the [`DISTANCE_REFERENCE_WEEKS`] weeks
//!   before (the windows ending 7, 14 and 21 days ago). Coming back after a recovery week (or a
//!   lighter week) to a level already run is not a jump; rising above it is. This is the rule the
//!   planner builds by (a week after a recovery week returns to the last build level), so a plan
//!   followed as written never raises the flag. `None` until 14 days of history or when the
//!   reference has no distance.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::flags::{Flag, flags_on};

/// Default time constant of fitness (chronic training load), days.
pub const FITNESS_DAYS: f64 = 42.0;
/// Default time constant of fatigue (acute training load), days.
pub const FATIGUE_DAYS: f64 = 7.0;
/// Acute window of the ACWR, days (Williams et al. 2017).
pub const ACWR_ACUTE_DAYS: f64 = 7.0;
/// Chronic window of the ACWR, days (Williams et al. 2017).
pub const ACWR_CHRONIC_DAYS: f64 = 28.0;
/// Days by which the chronic ACWR value lags the acute one ("uncoupled", Windt & Gabbett 2019).
pub const ACWR_UNCOUPLING_DAYS: usize = 7;
/// Chronic load (points/day) below which no ACWR is computed: under one point a day the
/// ratio is dominated by rounding, not training.
pub const MIN_CHRONIC_LOAD_FOR_ACWR: f64 = 1.0;
/// Days in the monotony/strain and weekly-distance windows (Foster 1998; Nielsen et al. 2014).
pub const WEEK_DAYS: usize = 7;
/// Weeks looked back for the weekly-distance reference: one loading:recovery cycle of 3:1 minus
/// the current week, so a level held before a recovery week still counts.
pub const DISTANCE_REFERENCE_WEEKS: usize = 3;
/// Upper bound of monotony; also its value when every day of the week had the same positive
/// load (SD = 0). Foster's athletes rarely exceed 4, so 10 reads unambiguously as "maximal".
pub const MONOTONY_CAP: f64 = 10.0;
/// Days of history before fitness-based flags (ramp, ACWR) are raised: one fitness time
/// constant, after which the zero seed weighs e^(−1) ≈ 37 % and is fading.
pub const WARM_UP_DAYS: usize = 42;

/// Days of early history whose mean daily load seeds fitness and fatigue
/// ([`Seed::EarlyHistory`]): the first four weeks, enough to include a long run and a rest day.
pub const SEED_HISTORY_DAYS: usize = 28;
/// The shortest window the early-history mean is taken over, days: one session is at most a
/// week's worth of training.
pub const SEED_MIN_DAYS: usize = 7;
/// Load points per km when the history cannot say ([`Seed::UsualWeekKm`]): one hour of easy
/// running at an intensity factor of 0.75 is 0.75² × 100 = 56 points (TrainingPeaks' TSS
/// scale) and covers about 10 km at 6:00/km.
pub const DEFAULT_LOAD_PER_KM: f64 = 5.6;
/// The distance, km, the early history must hold before its own load per km is used.
pub const MIN_SEED_DISTANCE_KM: f64 = 10.0;

/// Where fitness and fatigue start on the day before the first activity (see the module docs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Seed {
    /// From 0 (the published convention).
    #[default]
    Zero,
    /// From the mean daily load of the first [`SEED_HISTORY_DAYS`] days.
    EarlyHistory,
    /// From the athlete's stated usual weekly distance, km, at the early history's load per
    /// km (else [`DEFAULT_LOAD_PER_KM`]).
    UsualWeekKm(f64),
    /// From this daily load, load points (a seed already resolved from one history, kept when
    /// planned days are appended to it: [`SeriesParams::resolved`]).
    DailyLoad(f64),
}

/// The daily load a seed stands for, from the dense daily `(load, distance_m, _)` of the
/// history's first days.
fn seed_daily_load(seed: Seed, dense: &[(f64, f64, f64)]) -> f64 {
    let early = &dense[..dense.len().min(SEED_HISTORY_DAYS)];
    let load: f64 = early.iter().map(|d| d.0).sum();
    match seed {
        Seed::Zero => 0.0,
        Seed::EarlyHistory => load / early.len().max(SEED_MIN_DAYS) as f64,
        Seed::UsualWeekKm(km) if km.is_finite() && km > 0.0 => {
            let distance_km: f64 = early.iter().map(|d| d.1).sum::<f64>() / 1000.0;
            let per_km = if distance_km >= MIN_SEED_DISTANCE_KM {
                load / distance_km
            } else {
                DEFAULT_LOAD_PER_KM
            };
            km * per_km / 7.0
        }
        Seed::UsualWeekKm(_) => 0.0,
        Seed::DailyLoad(load) if load.is_finite() && load > 0.0 => load,
        Seed::DailyLoad(_) => 0.0,
    }
}

/// Longest series computed, days (100 years): beyond it every EWMA has decayed to nothing.
pub const MAX_SERIES_DAYS: usize = 36_525;

/// The daily smoothing factor for a time constant of `n_days`: `λ = 1 − e^(−1/N)`.
pub fn lambda(n_days: f64) -> f64 {
    1.0 - (-1.0 / n_days).exp()
}

/// Williams' EWMA factor for the ACWR: `λ = 2/(N+1)` (Williams et al. 2017).
pub fn williams_lambda(n_days: f64) -> f64 {
    2.0 / (n_days + 1.0)
}

/// One step of the exponentially weighted average: yesterday's value `prev` moved by `lambda`
/// towards today's `load`.
pub fn ewma_next(prev: f64, load: f64, lambda: f64) -> f64 {
    prev + lambda * (load - prev)
}

/// The time constants of the series. Invalid values (≤ 0, NaN) fall back to the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SeriesParams {
    /// Fitness (CTL) time constant, days.
    pub fitness_days: f64,
    /// Fatigue (ATL) time constant, days.
    pub fatigue_days: f64,
    /// ACWR acute window, days.
    pub acwr_acute_days: f64,
    /// ACWR chronic window, days.
    pub acwr_chronic_days: f64,
    /// Where fitness and fatigue start.
    #[serde(default)]
    pub seed: Seed,
}

impl Default for SeriesParams {
    fn default() -> Self {
        SeriesParams {
            fitness_days: FITNESS_DAYS,
            fatigue_days: FATIGUE_DAYS,
            acwr_acute_days: ACWR_ACUTE_DAYS,
            acwr_chronic_days: ACWR_CHRONIC_DAYS,
            seed: Seed::Zero,
        }
    }
}

impl SeriesParams {
    fn valid(value: f64, default: f64) -> f64 {
        if value > 0.0 && value.is_finite() {
            value
        } else {
            default
        }
    }

    /// The same parameters with the seed resolved to the daily load it stands for over
    /// `history` through `through`, so that days appended later (a plan's future sessions) do
    /// not change where the series started.
    pub fn resolved(&self, history: &[DayTotals], through: Date) -> SeriesParams {
        let seed = daily_series(history, through, self)
            .first()
            .map_or(0.0, |d| d.seed_daily_load);
        SeriesParams {
            seed: Seed::DailyLoad(seed),
            ..*self
        }
    }

    /// `(λ_fitness, λ_fatigue)`.
    pub fn lambdas(&self) -> (f64, f64) {
        (
            lambda(Self::valid(self.fitness_days, FITNESS_DAYS)),
            lambda(Self::valid(self.fatigue_days, FATIGUE_DAYS)),
        )
    }

    fn acwr_lambdas(&self) -> (f64, f64) {
        (
            williams_lambda(Self::valid(self.acwr_acute_days, ACWR_ACUTE_DAYS)),
            williams_lambda(Self::valid(self.acwr_chronic_days, ACWR_CHRONIC_DAYS)),
        )
    }
}

/// One activity's totals, to be bucketed into local days.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActivityTotals {
    /// Start instant (UTC).
    pub start: Timestamp,
    /// Primary load, load points.
    pub load: f64,
    /// Distance, metres.
    pub distance_m: f64,
    /// Duration, seconds.
    pub duration_s: f64,
}

/// One local day's totals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DayTotals {
    /// The athlete's local day.
    pub date: Date,
    /// Sum of the day's loads, load points.
    pub load: f64,
    /// Sum of the day's distances, metres.
    pub distance_m: f64,
    /// Sum of the day's durations, seconds.
    pub duration_s: f64,
}

/// Buckets activities into the athlete's local days (an activity starting at 00:30 local counts
/// for that local day, docs/science.md). Returns the days in date order, one entry per day with
/// activity. Non-finite or negative numbers count as 0.
pub fn bucket_by_local_day(activities: &[ActivityTotals], tz: &TimeZone) -> Vec<DayTotals> {
    let clean = |v: f64| if v.is_finite() && v > 0.0 { v } else { 0.0 };
    let mut days: Vec<DayTotals> = activities
        .iter()
        .map(|a| DayTotals {
            date: tz.to_datetime(a.start).date(),
            load: clean(a.load),
            distance_m: clean(a.distance_m),
            duration_s: clean(a.duration_s),
        })
        .collect();
    days.sort_by_key(|d| d.date);
    days.dedup_by(|later, earlier| {
        if later.date == earlier.date {
            earlier.load += later.load;
            earlier.distance_m += later.distance_m;
            earlier.duration_s += later.duration_s;
            true
        } else {
            false
        }
    });
    days
}

/// Every metric of one day. See the module docs for each definition.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DayState {
    /// The local day.
    pub date: Date,
    /// Day number in the history, 1 on the first activity's day.
    pub history_days: usize,
    /// Whether the series is still warming up (fewer than [`WARM_UP_DAYS`] days of history):
    /// fitness, fatigue and form rest partly on the seed and are provisional.
    pub provisional: bool,
    /// The daily load fitness and fatigue started from ([`Seed`]), load points.
    pub seed_daily_load: f64,
    /// The day's load, load points.
    pub load: f64,
    /// The day's distance, metres.
    pub distance_m: f64,
    /// The day's duration, seconds.
    pub duration_s: f64,
    /// Fitness (CTL) at the end of the day.
    pub fitness: f64,
    /// Fatigue (ATL) at the end of the day.
    pub fatigue: f64,
    /// Form this morning: yesterday's fitness − fatigue.
    pub form: f64,
    /// Form tomorrow morning: today's fitness − fatigue.
    pub form_tomorrow: f64,
    /// Fitness change over 7 days, points per week.
    pub ramp: f64,
    /// Acute EWMA of daily load (Williams λ, 7 d).
    pub acute_load: f64,
    /// Chronic EWMA of daily load (Williams λ, 28 d) at the end of day d−7.
    pub chronic_load: f64,
    /// Acute:chronic workload ratio, uncoupled.
    pub acwr: Option<f64>,
    /// Load over the last 7 days.
    pub week_load: f64,
    /// Monotony of the last 7 days.
    pub monotony: Option<f64>,
    /// Strain of the last 7 days.
    pub strain: Option<f64>,
    /// Distance over the last 7 days, metres.
    pub week_distance_m: f64,
    /// Distance over the 7 days before those, metres.
    pub previous_week_distance_m: f64,
    /// The highest 7-day distance among the [`DISTANCE_REFERENCE_WEEKS`] weeks before, metres:
    /// the level the change is measured from.
    pub reference_week_distance_m: f64,
    /// Relative change of weekly distance over the reference (0.3 = +30 %).
    pub week_distance_change: Option<f64>,
}

/// Population mean and SD-based monotony of a window of daily loads.
fn monotony(window: impl Iterator<Item = f64> + Clone) -> Option<f64> {
    let n = WEEK_DAYS as f64;
    let mean = window.clone().sum::<f64>() / n;
    let var = window.map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    let sd = var.sqrt();
    if mean <= 0.0 {
        None
    } else if sd <= mean / MONOTONY_CAP {
        Some(MONOTONY_CAP)
    } else {
        Some(mean / sd)
    }
}

/// Computes the daily series from the first day in `days` through `through` (inclusive), at
/// most the last [`MAX_SERIES_DAYS`] days before `through` (a mistyped year must not allocate
/// gigabytes; an activity a century before `through` has no weight left on it anyway, and the
/// series must still end on `through`). `days` may be unsorted and may repeat dates (they are
/// summed); days after `through` are ignored. Empty when there is no activity in that window.
/// O(days), one pass.
pub fn daily_series(days: &[DayTotals], through: Date, params: &SeriesParams) -> Vec<DayState> {
    let earliest = day_number(through) - (MAX_SERIES_DAYS as i64 - 1);
    let Some(first) = days
        .iter()
        .map(|d| d.date)
        .filter(|d| *d <= through && day_number(*d) >= earliest)
        .min()
    else {
        return Vec::new();
    };
    let span = usize::try_from(day_number(through) - day_number(first)).unwrap_or(0) + 1;
    let mut dense = vec![(0.0f64, 0.0f64, 0.0f64); span];
    let clean = |v: f64| if v.is_finite() && v > 0.0 { v } else { 0.0 };
    for d in days.iter().filter(|d| d.date >= first && d.date <= through) {
        let index = usize::try_from(day_number(d.date) - day_number(first)).ok();
        if let Some(slot) = index.and_then(|i| dense.get_mut(i)) {
            slot.0 += clean(d.load);
            slot.1 += clean(d.distance_m);
            slot.2 += clean(d.duration_s);
        }
    }

    let (lc, la) = params.lambdas();
    let (acute_l, chronic_l) = params.acwr_lambdas();
    let acwr_min_days = SeriesParams::valid(params.acwr_chronic_days, ACWR_CHRONIC_DAYS) as usize;
    let mut out: Vec<DayState> = Vec::with_capacity(span);
    let seed = seed_daily_load(params.seed, &dense);
    let (mut fitness, mut fatigue, mut acute, mut chronic) = (seed, seed, 0.0, 0.0);
    let mut chronic_history = vec![0.0f64; span];
    let mut date = first;
    for (i, &(load, distance_m, duration_s)) in dense.iter().enumerate() {
        let form = fitness - fatigue;
        fitness = ewma_next(fitness, load, lc);
        fatigue = ewma_next(fatigue, load, la);
        acute = ewma_next(acute, load, acute_l);
        chronic = ewma_next(chronic, load, chronic_l);
        chronic_history[i] = chronic;
        let lagged_chronic = i
            .checked_sub(ACWR_UNCOUPLING_DAYS)
            .map_or(0.0, |j| chronic_history[j]);
        let acwr = (i + 1 >= acwr_min_days && lagged_chronic >= MIN_CHRONIC_LOAD_FOR_ACWR)
            .then(|| acute / lagged_chronic);
        let fitness_week_ago = i.checked_sub(WEEK_DAYS).map_or(seed, |j| out[j].fitness);
        let week = |end: usize| dense[end + 1 - WEEK_DAYS..=end].iter();
        let has_week = i + 1 >= WEEK_DAYS;
        let week_load: f64 = dense[i.saturating_sub(WEEK_DAYS - 1)..=i]
            .iter()
            .map(|d| d.0)
            .sum();
        let week_distance_m: f64 = dense[i.saturating_sub(WEEK_DAYS - 1)..=i]
            .iter()
            .map(|d| d.1)
            .sum();
        let monotony = if has_week {
            monotony(week(i).map(|d| d.0))
        } else {
            None
        };
        let strain = if !has_week {
            None
        } else if week_load <= 0.0 {
            Some(0.0)
        } else {
            monotony.map(|m| m * week_load)
        };
        let previous_week_distance_m: f64 = i.checked_sub(WEEK_DAYS).map_or(0.0, |j| {
            dense[j.saturating_sub(WEEK_DAYS - 1)..=j]
                .iter()
                .map(|d| d.1)
                .sum()
        });
        let reference_week_distance_m = (1..=DISTANCE_REFERENCE_WEEKS)
            .filter_map(|k| i.checked_sub(k * WEEK_DAYS))
            .map(|j| {
                dense[j.saturating_sub(WEEK_DAYS - 1)..=j]
                    .iter()
                    .map(|d| d.1)
                    .sum::<f64>()
            })
            .fold(0.0, f64::max);
        let week_distance_change = (i + 1 >= 2 * WEEK_DAYS && reference_week_distance_m > 0.0)
            .then(|| week_distance_m / reference_week_distance_m - 1.0);
        out.push(DayState {
            date,
            history_days: i + 1,
            provisional: i + 1 < WARM_UP_DAYS,
            seed_daily_load: seed,
            load,
            distance_m,
            duration_s,
            fitness,
            fatigue,
            form,
            form_tomorrow: fitness - fatigue,
            ramp: fitness - fitness_week_ago,
            acute_load: acute,
            chronic_load: lagged_chronic,
            acwr,
            week_load,
            monotony,
            strain,
            week_distance_m,
            previous_week_distance_m,
            reference_week_distance_m,
            week_distance_change,
        });
        match date.tomorrow() {
            Ok(next) => date = next,
            Err(_) => break,
        }
    }
    out
}

/// Days since 0000-03-01 in the proleptic Gregorian calendar (Hinnant's `days_from_civil`):
/// a panic-free day index for date differences.
pub(crate) fn day_number(date: Date) -> i64 {
    let (y, m, d) = (
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe
}

/// Rest days until form is back at 0 or above, from end-of-day `fitness` and `fatigue`:
/// after n days of rest the end-of-day values are `CTL·(1−λc)^n` and `ATL·(1−λa)^n`, so
/// `n = ⌈ln(ATL/CTL) / ln((1−λc)/(1−λa))⌉` (docs/science.md; the same as
/// `ln(CTL/ATL)/ln((1−λa)/(1−λc))`). Form is then ≥ 0 on the morning after the n-th rest
/// day. `Some(0)` when form is already ≥ 0; `None` when fitness is 0 (form then only
/// approaches 0 from below) or the fatigue time constant is not shorter than fitness's.
pub fn rest_days_until_fresh(fitness: f64, fatigue: f64, params: &SeriesParams) -> Option<u32> {
    if fitness - fatigue >= 0.0 {
        return Some(0);
    }
    if fitness <= 0.0 || fatigue <= 0.0 {
        return None;
    }
    let (lc, la) = params.lambdas();
    if la <= lc {
        // Fatigue would not decay faster than fitness: form never turns positive by resting.
        return None;
    }
    let n = (fatigue / fitness).ln() / ((1.0 - lc) / (1.0 - la)).ln();
    // `as` saturates; a negative or NaN result cannot happen with λa > λc but maps to 0.
    Some(n.ceil().max(0.0) as u32)
}

/// The load to do today (given yesterday's end-of-day `fitness` and `fatigue`) so that
/// tomorrow morning's form equals `target_form`. From the two update equations:
/// `c' − a' = c(1−λc) − a(1−λa) + L(λc − λa) = target`, so
/// `L = (c(1−λc) − a(1−λa) − target) / (λa − λc)`. More load lowers form (λa > λc), so this is
/// the most load that keeps form at the target. `None` when even a rest day leaves form below
/// the target, or when λa ≤ λc (fatigue not faster than fitness).
pub fn load_for_target_form(
    fitness: f64,
    fatigue: f64,
    target_form: f64,
    params: &SeriesParams,
) -> Option<f64> {
    let (lc, la) = params.lambdas();
    if la <= lc {
        return None;
    }
    let load = (fitness * (1.0 - lc) - fatigue * (1.0 - la) - target_form) / (la - lc);
    (load >= 0.0 && load.is_finite()).then_some(load)
}

/// The state on one day: the `status --json` contract plus the closed-form answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// The day described.
    pub date: Date,
    /// Fitness (CTL) at the end of the day.
    pub fitness: f64,
    /// Fatigue (ATL) at the end of the day.
    pub fatigue: f64,
    /// Form this morning (yesterday's fitness − fatigue).
    pub form: f64,
    /// Form tomorrow morning (today's fitness − fatigue).
    pub form_tomorrow: f64,
    /// Fitness change over the last 7 days, points per week.
    pub ramp: f64,
    /// Acute:chronic workload ratio (uncoupled EWMA 7/28); context, never a verdict.
    pub acwr: Option<f64>,
    /// Monotony of the last 7 days.
    pub monotony: Option<f64>,
    /// Strain of the last 7 days.
    pub strain: Option<f64>,
    /// Load over the last 7 days.
    pub week_load: f64,
    /// Distance over the last 7 days, metres.
    pub week_distance_m: f64,
    /// Relative change of weekly distance against the week before.
    pub week_distance_change: Option<f64>,
    /// Rest days (from tomorrow) until form is ≥ 0 ([`rest_days_until_fresh`]).
    pub rest_days_to_fresh: Option<u32>,
    /// The most load today that leaves form ≥ 0 tomorrow morning ([`load_for_target_form`],
    /// from this morning's values); `None` when even rest does not.
    pub max_load_today_for_fresh_tomorrow: Option<f64>,
    /// Days of history up to this day (0 = no activity yet).
    pub history_days: usize,
    /// Whether the numbers are provisional: fewer than [`WARM_UP_DAYS`] days of history, so
    /// fitness and fatigue rest partly on their seed.
    pub provisional: bool,
    /// The daily load fitness and fatigue started from ([`Seed`]), load points.
    pub seed_daily_load: f64,
    /// Warnings with their reasons and sources; they inform, never block.
    pub flags: Vec<Flag>,
}

impl Status {
    /// The status of a day from its series row and the rows before it (for the flags).
    pub fn from_series(series: &[DayState], params: &SeriesParams) -> Option<Status> {
        let today = series.last()?;
        let (morning_fitness, morning_fatigue) = series
            .len()
            .checked_sub(2)
            .map_or((today.seed_daily_load, today.seed_daily_load), |i| {
                (series[i].fitness, series[i].fatigue)
            });
        Some(Status {
            date: today.date,
            fitness: today.fitness,
            fatigue: today.fatigue,
            form: today.form,
            form_tomorrow: today.form_tomorrow,
            ramp: today.ramp,
            acwr: today.acwr,
            monotony: today.monotony,
            strain: today.strain,
            week_load: today.week_load,
            week_distance_m: today.week_distance_m,
            week_distance_change: today.week_distance_change,
            rest_days_to_fresh: rest_days_until_fresh(today.fitness, today.fatigue, params),
            max_load_today_for_fresh_tomorrow: load_for_target_form(
                morning_fitness,
                morning_fatigue,
                0.0,
                params,
            ),
            history_days: today.history_days,
            provisional: today.provisional,
            seed_daily_load: today.seed_daily_load,
            flags: flags_on(series),
        })
    }

    /// The state of a day with no history (no activity on or before it).
    pub fn empty(date: Date) -> Status {
        Status {
            date,
            fitness: 0.0,
            fatigue: 0.0,
            form: 0.0,
            form_tomorrow: 0.0,
            ramp: 0.0,
            acwr: None,
            monotony: None,
            strain: None,
            week_load: 0.0,
            week_distance_m: 0.0,
            week_distance_change: None,
            rest_days_to_fresh: Some(0),
            max_load_today_for_fresh_tomorrow: load_for_target_form(
                0.0,
                0.0,
                0.0,
                &SeriesParams::default(),
            ),
            history_days: 0,
            provisional: true,
            seed_daily_load: 0.0,
            flags: Vec::new(),
        }
    }
}

/// `fettle status` for `date`: the series through `date`, then its last row with flags.
pub fn status_on(days: &[DayTotals], date: Date, params: &SeriesParams) -> Status {
    let series = daily_series(days, date, params);
    Status::from_series(&series, params).unwrap_or_else(|| Status::empty(date))
}

#[cfg(test)]
mod tests;
