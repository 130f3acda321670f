//! Training load use cases: per-activity metrics, recomputing loads, the athlete's profile,
//! status, the daily series, races and the personal model.
//!
//! How a load gets computed:
//! 1. at import, each activity's threshold-independent [`ActivityMetrics`] (load features,
//!    effort features, best efforts) are derived from its streams on the decoding threads and
//!    stored as the activity's metrics JSON;
//! 2. [`recompute_loads`] (after every import, profile change, RPE or manual session) resolves
//!    the profile on each activity's day — given values first, estimates from the data for the
//!    rest —, computes every method's value from the stored metrics, fits the per-athlete
//!    calibration and stores each activity's primary load and the method that produced it.
//!
//! Streams are read again only for an activity that has no metrics yet (an import killed
//! between its two steps, or metrics of an older version), so a profile change over ten years
//! of data is arithmetic over a few numbers per session.
//!
//! The threshold estimates add the stronger evidence the store holds: the races entered
//! (threshold pace) and the steady efforts of the last eight weeks of runs (LTHR as the heart
//! rate at that pace), see [`fettle_core::profile`]. A session's kind
//! ([`fettle_core::classify`]) is read from its stored metrics against the thresholds of its
//! day, given or trusted estimates only (`SessionContext`). The daily series start from the
//! athlete's usual load ([`series_params`]): the usual week they stated, else the early
//! history's mean daily load.

use fettle_core::classify::{self, Classification, ClassifyInput};
use fettle_core::load::{
    Calibration, LoadFeatures, LoadMethod, MethodLoads, SessionInput, Sex, load_features,
    method_loads_from_features,
};
use fettle_core::log::RaceResult;
use fettle_core::model::{self, BanisterFit, ModelParams, ModelRefusal, Prediction};
use fettle_core::profile::{
    EffortFeatures, Estimates, ProfileField, ProfileHistory, ResolvedProfile, STEADY_EVIDENCE_DAYS,
    SteadyEffort, effort_features, steady_efforts,
};
use fettle_core::series::{
    DayState, DayTotals, Seed, SeriesParams, Status, daily_series, status_on,
};
use fettle_formats::{Activity, Sport};
use fettle_store::{ActivityFilter, ActivityId, ActivityLoads, ActivitySummary, AthleteId, Store};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::AppError;
use fettle_core::limits::{self, ActivityBounds, Violation};

/// Version of [`ActivityMetrics`]; stored metrics of another version are recomputed.
/// 2: load features gained the time at each graded speed (session classification) and the
/// minute blocks (steady efforts for the threshold estimates).
pub const METRICS_VERSION: u32 = 2;

/// Derived, threshold-independent values of one activity, stored as its metrics JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityMetrics {
    /// [`METRICS_VERSION`] when computed.
    pub version: u32,
    /// What the load methods need ([`LoadFeatures`]).
    pub load: LoadFeatures,
    /// What the threshold estimators need ([`EffortFeatures`]).
    pub effort: EffortFeatures,
    /// Fastest 5 km, 10 km and half marathon inside the activity (performance markers).
    pub best_efforts: Vec<RaceResult>,
}

/// Computes an activity's metrics; `local_date` is its day in the athlete's time zone.
pub fn activity_metrics(activity: &Activity, local_date: Date) -> ActivityMetrics {
    let input = session_input(activity, None);
    let best_efforts = if activity.sport.is_running() {
        model::best_efforts(
            &activity.streams.time_s,
            &activity.streams.distance_m,
            local_date,
        )
    } else {
        Vec::new()
    };
    ActivityMetrics {
        version: METRICS_VERSION,
        load: load_features(&input),
        effort: effort_features(&input),
        best_efforts,
    }
}

/// The science's view of an activity's streams.
fn session_input(activity: &Activity, rpe: Option<f64>) -> SessionInput<'_> {
    let s = &activity.streams;
    SessionInput {
        sport_is_running: activity.sport.is_running(),
        timer_s: activity.timer_s,
        elapsed_s: activity.elapsed_s,
        time_s: &s.time_s,
        heart_rate_bpm: &s.heart_rate_bpm,
        speed_mps: &s.speed_mps,
        altitude_m: &s.altitude_m,
        distance_m: &s.distance_m,
        rpe,
    }
}

/// The local day of an instant: the recorded offset when known, else the athlete's zone.
pub fn local_date(start: Timestamp, utc_offset_s: Option<i32>, tz: &TimeZone) -> Date {
    let offset = crate::activities::local_offset(utc_offset_s, start, tz);
    offset.to_datetime(start).date()
}

// ---------------------------------------------------------------------------------------------
// Profile

/// Profile keys as stored.
mod keys {
    pub(super) const SEX: &str = "sex";
    pub(super) const MASS: &str = "mass_kg";
    pub(super) const HR_MAX: &str = "hr_max";
    pub(super) const HR_REST: &str = "hr_rest";
    pub(super) const LTHR: &str = "lthr";
    pub(super) const THRESHOLD_SPEED: &str = "threshold_speed_mps";
    pub(super) const TZ: &str = "tz";
    pub(super) const USUAL_WEEK_KM: &str = "usual_week_km";
    pub(super) const STRENGTH_BLOCK: &str = "strength_block";
}

/// The date a time zone is stored with: it applies to the whole history.
const TIME_ZONE_FROM: Date = Date::constant(1970, 1, 1);

/// Values to set in the profile, each optional; all apply from `from` (the time zone to the
/// whole history).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProfileUpdate {
    /// The first day the values apply to (older sessions keep older values).
    pub from: Option<Date>,
    /// `male` or `female` (Banister's constants).
    pub sex: Option<String>,
    /// Body mass, kg.
    pub mass_kg: Option<f64>,
    /// Maximum heart rate, bpm.
    pub max_hr: Option<f64>,
    /// Resting heart rate, bpm.
    pub rest_hr: Option<f64>,
    /// Lactate-threshold heart rate, bpm.
    pub lthr: Option<f64>,
    /// Threshold speed, m/s.
    pub threshold_speed_mps: Option<f64>,
    /// IANA time zone name.
    pub tz: Option<String>,
    /// Usual weekly running distance, km (seeds fitness and fatigue for a new athlete).
    pub usual_week_km: Option<f64>,
    /// A strength-focused block starts (`true`) or ends (`false`) on `from`: no cold after
    /// training while it lasts (cold blunts strength gains; Roberts et al. 2015).
    pub strength_block: Option<bool>,
}

/// Whether the athlete is in a strength block on `day`: the latest `strength_block` value set
/// from that day or before (off when never set). `values` are the stored profile values.
pub fn strength_block_on(values: &[fettle_store::ProfileValue], day: Date) -> bool {
    values
        .iter()
        .filter(|v| v.key == keys::STRENGTH_BLOCK && v.from <= day)
        .max_by_key(|v| v.from)
        .is_some_and(|v| v.value == "on")
}

/// Reads the dated profile history from the store.
pub fn load_profile(store: &dyn Store, athlete: AthleteId) -> Result<ProfileHistory, AppError> {
    let mut history = ProfileHistory::default();
    let mut values = store.profile_values(athlete)?;
    values.sort_by_key(|v| v.from);
    for v in values {
        let number = || {
            v.value.parse::<f64>().map_err(|_| {
                AppError::Internal(format!(
                    "profile value {} = {:?} is not a number",
                    v.key, v.value
                ))
            })
        };
        let dated_push = |list: &mut Vec<fettle_core::profile::Dated<f64>>, value: f64| {
            list.retain(|d| d.from != v.from);
            list.push(fettle_core::profile::Dated {
                from: v.from,
                value,
            });
        };
        match v.key.as_str() {
            keys::SEX => history.sex = parse_sex(&v.value).ok(),
            keys::MASS => dated_push(&mut history.body_mass_kg, number()?),
            keys::HR_MAX => dated_push(&mut history.hr_max, number()?),
            keys::HR_REST => dated_push(&mut history.hr_rest, number()?),
            keys::LTHR => dated_push(&mut history.lthr, number()?),
            keys::THRESHOLD_SPEED => dated_push(&mut history.threshold_speed_mps, number()?),
            keys::USUAL_WEEK_KM => dated_push(&mut history.usual_week_km, number()?),
            keys::TZ => history.time_zone.push(fettle_core::profile::Dated {
                from: v.from,
                value: v.value.clone(),
            }),
            _ => {}
        }
    }
    Ok(history)
}

fn parse_sex(text: &str) -> Result<Sex, AppError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "male" | "m" => Ok(Sex::Male),
        "female" | "f" => Ok(Sex::Female),
        other => Err(AppError::Invalid(format!(
            "bad sex {other:?}: write male or female (it selects Banister's TRIMP constants)"
        ))),
    }
}

/// Validates and stores profile values, then recomputes every load.
pub fn update_profile(
    store: &dyn Store,
    athlete: AthleteId,
    update: &ProfileUpdate,
    today: Date,
) -> Result<RecomputeSummary, AppError> {
    let from = update.from.unwrap_or(today);
    // Validate everything first, so nothing is half-stored, and report every mistake at once.
    let mut violations = Vec::new();
    // A value records what is true now or was true: a first day after tomorrow (the one day of
    // slack for time zones) would, as the first value of its kind, also cover every day before
    // it — today included. So it is refused, like any other date outside the accepted range.
    // (Only dated values are concerned: the time zone applies to the whole history and the sex
    // is not dated, whatever `from` says.)
    let dated = update.mass_kg.is_some()
        || update.max_hr.is_some()
        || update.rest_hr.is_some()
        || update.lthr.is_some()
        || update.threshold_speed_mps.is_some();
    if let Some(from) = update.from
        && dated
        && let Err(v) = limits::check_day("from", from, today)
    {
        violations.push(v);
    }
    let mut check = load_profile(store, athlete)?;
    let numeric = [
        (ProfileField::BodyMass, keys::MASS, update.mass_kg),
        (ProfileField::HrMax, keys::HR_MAX, update.max_hr),
        (ProfileField::HrRest, keys::HR_REST, update.rest_hr),
        (ProfileField::Lthr, keys::LTHR, update.lthr),
        (
            ProfileField::ThresholdSpeed,
            keys::THRESHOLD_SPEED,
            update.threshold_speed_mps,
        ),
        (
            ProfileField::UsualWeekKm,
            keys::USUAL_WEEK_KM,
            update.usual_week_km,
        ),
    ];
    let mut plausible = true;
    for (field, _, value) in numeric {
        if let Some(v) = value
            && let Err(violation) = check.set(field, from, v)
        {
            violations.push(violation);
            plausible = false;
        }
    }
    // The heart rates must agree with each other, including the ones given before: resting
    // below LTHR below HRmax on every day from `from` on.
    let heart_rates = update.max_hr.is_some() || update.rest_hr.is_some() || update.lthr.is_some();
    if plausible && heart_rates {
        violations.extend(check.check_heart_rates(from));
    }
    let sex = match update.sex.as_deref().map(parse_sex).transpose() {
        Ok(sex) => sex,
        Err(e) => {
            violations.push(Violation::new(
                "sex",
                update.sex.clone().unwrap_or_default(),
                "male or female",
                e.to_string(),
            ));
            None
        }
    };
    if let Some(tz) = &update.tz {
        if let Err(v) = limits::check_text("tz", tz, limits::NAME_MAX_CHARS, limits::Lines::Single)
        {
            violations.push(v);
        } else if TimeZone::get(tz).is_err() {
            violations.push(Violation::new(
                "tz",
                tz.clone(),
                "an IANA time-zone name",
                format!(
                    "unknown time zone {tz:?}: use an IANA name such as Europe/London or America/New_York"
                ),
            ));
        }
    }
    crate::refuse_if_any(violations)?;
    if let Some(sex) = sex {
        let name = if sex == Sex::Male { "male" } else { "female" };
        store.set_profile_value(athlete, keys::SEX, from, name)?;
    }
    for (_, key, value) in numeric {
        if let Some(v) = value {
            store.set_profile_value(athlete, key, from, &v.to_string())?;
        }
    }
    if let Some(on) = update.strength_block {
        store.set_profile_value(
            athlete,
            keys::STRENGTH_BLOCK,
            from,
            if on { "on" } else { "off" },
        )?;
    }
    if let Some(tz) = &update.tz {
        // The time zone is not dated: days are bucketed in one zone over the whole history
        // (activities that recorded their own UTC offset use it), and a zone "from a future
        // date" would move today's date before that date comes. So it applies from the start.
        store.set_profile_value(athlete, keys::TZ, TIME_ZONE_FROM, tz)?;
    }
    recompute_loads(store, athlete)
}

/// The profile as it applies on a day: each value with whether it was given or estimated (and
/// how), plus the athlete's access and health lists.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileView {
    /// Values resolved on `date`, each with its source.
    #[serde(flatten)]
    pub resolved: ResolvedProfile,
    /// Every dated value ever set, for the history.
    pub history: ProfileHistory,
    /// In a strength-focused block on the date shown (`profile set --strength-block on`).
    pub strength_block: bool,
    /// Heart-rate and pace zones on the date shown, each with its source
    /// ([`fettle_core::zones`]); a table is `null` when its threshold is not known.
    pub zones: fettle_core::zones::AthleteZones,
}

/// The profile on `date`.
pub fn show_profile(
    store: &dyn Store,
    athlete: AthleteId,
    date: Date,
) -> Result<ProfileView, AppError> {
    let history = load_profile(store, athlete)?;
    let (estimates, _) = estimates(store, athlete)?;
    let zones = fettle_core::zones::athlete_zones(
        &history.thresholds_with_estimates(date, &estimates),
        &history.thresholds_on(date),
    );
    Ok(ProfileView {
        resolved: history.resolve_on(date, &estimates),
        zones,
        history,
        strength_block: strength_block_on(&store.profile_values(athlete)?, date),
    })
}

/// Runs the estimators over every stored activity's effort features and the logged morning
/// resting heart rates. Also returns every activity's summary and metrics for reuse.
fn estimates(
    store: &dyn Store,
    athlete: AthleteId,
) -> Result<(Estimates, Vec<(ActivitySummary, ActivityMetrics)>), AppError> {
    let metrics = stored_metrics(store, athlete)?;
    // An activity the athlete excluded from the load says nothing about their thresholds.
    let features: Vec<EffortFeatures> = metrics
        .iter()
        .filter(|(s, _)| !s.exclude_from_load)
        .map(|(_, m)| m.effort)
        .collect();
    let rest_hr: Vec<f64> = store
        .wellness(athlete, Date::MIN, Date::MAX)?
        .iter()
        .filter_map(|w| w.rest_hr)
        .collect();
    // Stronger evidence where there is some: races for threshold pace, recent steady efforts
    // for the heart rate at that pace.
    let races: Vec<RaceResult> = store.races(athlete)?.into_iter().map(|r| r.race).collect();
    let newest_run = metrics
        .iter()
        .filter(|(s, _)| s.sport.is_running())
        .map(|(s, _)| s.start)
        .max();
    let steady: Vec<SteadyEffort> = newest_run
        .map(|newest| {
            let since = newest
                .checked_sub(SignedDuration::from_hours(24 * STEADY_EVIDENCE_DAYS))
                .unwrap_or(newest);
            metrics
                .iter()
                .filter(|(s, _)| s.sport.is_running() && s.start >= since)
                .filter_map(|(_, m)| steady_efforts(&m.load.minute_blocks).into_iter().next())
                .collect()
        })
        .unwrap_or_default();
    let estimates = Estimates::from_data(&features, &rest_hr).refine(&races, &steady);
    Ok((estimates, metrics))
}

/// Every activity's summary with its metrics, computing (and storing) the metrics that are
/// missing or outdated. One scan of the summaries serves the estimates and the recompute.
fn stored_metrics(
    store: &dyn Store,
    athlete: AthleteId,
) -> Result<Vec<(ActivitySummary, ActivityMetrics)>, AppError> {
    let tz = crate::athlete_time_zone(store, athlete)?;
    let summaries = store.list_activities(athlete, &ActivityFilter::default())?;
    let mut out = Vec::with_capacity(summaries.len());
    let mut fresh = Vec::new();
    for s in summaries {
        let parsed = s
            .metrics_json
            .as_deref()
            .and_then(|j| serde_json::from_str::<ActivityMetrics>(j).ok())
            .filter(|m| m.version == METRICS_VERSION);
        let metrics = match parsed {
            Some(m) => m,
            None => {
                let Some(stored) = store.get_activity(athlete, s.id)? else {
                    continue;
                };
                let m =
                    activity_metrics(&stored.activity, local_date(s.start, s.utc_offset_s, &tz));
                fresh.push((s.id, Some(to_json(&m)?)));
                m
            }
        };
        out.push((s, metrics));
    }
    if !fresh.is_empty() {
        store.set_activity_metrics(athlete, &fresh)?;
    }
    Ok(out)
}

fn to_json<T: Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(e.to_string()))
}

// ---------------------------------------------------------------------------------------------
// Session kinds

/// What classifying an athlete's sessions needs ([`fettle_core::classify`]), read once: the
/// profile and estimates (for each day's LTHR and threshold speed), the race days and every
/// run's day and duration (for the usual long run).
pub(crate) struct SessionContext {
    tz: TimeZone,
    profile: ProfileHistory,
    estimates: Estimates,
    race_days: Vec<Date>,
    runs: Vec<(Date, f64)>,
}

impl SessionContext {
    pub(crate) fn load(store: &dyn Store, athlete: AthleteId) -> Result<SessionContext, AppError> {
        let tz = crate::athlete_time_zone(store, athlete)?;
        let profile = load_profile(store, athlete)?;
        let (estimates, metrics) = estimates(store, athlete)?;
        let runs = metrics
            .iter()
            .filter(|(s, _)| s.sport.is_running())
            .map(|(s, _)| (local_date(s.start, s.utc_offset_s, &tz), s.timer_s))
            .collect();
        Ok(SessionContext {
            tz,
            profile,
            estimates,
            race_days: store.races(athlete)?.iter().map(|r| r.race.date).collect(),
            runs,
        })
    }

    /// The athlete's zones on a session's day ([`fettle_core::zones`]): the thresholds the
    /// athlete gave, else the estimates the loads use.
    pub(crate) fn zones_for(&self, s: &ActivitySummary) -> fettle_core::zones::AthleteZones {
        let day = local_date(s.start, s.utc_offset_s, &self.tz);
        fettle_core::zones::athlete_zones(
            &self.profile.thresholds_with_estimates(day, &self.estimates),
            &self.profile.thresholds_on(day),
        )
    }

    /// The kind of a session, with its reason; `None` for strength work and transitions,
    /// which are not runs to classify.
    pub(crate) fn classify(&self, s: &ActivitySummary) -> Option<Classification> {
        if matches!(s.sport, Sport::Training | Sport::Transition) {
            return None;
        }
        let day = local_date(s.start, s.utc_offset_s, &self.tz);
        let named_race = s.name.as_deref().is_some_and(|n| {
            // A word, so "Terrace loop" is not a race.
            n.split(|c: char| !c.is_alphanumeric())
                .any(|w| w.eq_ignore_ascii_case("race"))
        });
        let metrics = s
            .metrics_json
            .as_deref()
            .and_then(|j| serde_json::from_str::<ActivityMetrics>(j).ok())
            .filter(|m| m.version == METRICS_VERSION);
        // A threshold estimated from a handful of sessions is only the athlete's usual effort
        // (four easy runs make "LTHR" their easy heart rate), so every run would read as
        // threshold work: such estimates, and the intensity factor built on them, are not used
        // to judge a session.
        // Races and steady efforts (estimates that state their uncertainty) are trusted at once.
        let given = self.profile.thresholds_on(day);
        let trusted = |e: &Option<fettle_core::profile::Estimate>| {
            e.as_ref()
                .filter(|e| {
                    e.uncertainty.is_some()
                        || e.n >= classify::MIN_SESSIONS_FOR_ESTIMATED_THRESHOLDS
                })
                .map(|e| e.value)
        };
        let lthr = given.lthr.or_else(|| trusted(&self.estimates.lthr));
        let threshold_speed_mps = given
            .threshold_speed_mps
            .or_else(|| trusted(&self.estimates.threshold_speed_mps));
        let thresholds_trusted = lthr.is_some() || threshold_speed_mps.is_some();
        let load = s
            .loads
            .as_ref()
            .filter(|_| thresholds_trusted)
            .and_then(|l| {
                let method = LoadMethod::PRECEDENCE
                    .into_iter()
                    .find(|m| m.as_str() == l.method)?;
                Some((l.load, method))
            });
        Some(classify::classify(&ClassifyInput {
            duration_s: s.timer_s,
            features: metrics.as_ref().map(|m| &m.load),
            lthr,
            threshold_speed_mps,
            load,
            rpe: s.rpe.or(s.perceived_exertion),
            race: named_race || self.race_days.contains(&day),
            usual_long_run_s: if s.sport.is_running() {
                classify::usual_long_run_s(&self.runs, day)
            } else {
                None
            },
        }))
    }
}

// ---------------------------------------------------------------------------------------------
// Loads

/// What a recompute did: how many sessions got their load from which method, the calibration
/// and the estimates it used (so the output can explain itself).
#[derive(Debug, Clone, Serialize)]
pub struct RecomputeSummary {
    /// Activities whose loads were computed.
    pub activities: usize,
    /// Count per method that produced the primary load.
    pub by_method: std::collections::BTreeMap<String, usize>,
    /// The per-athlete calibration between methods.
    pub calibration: Calibration,
    /// The estimates used where the profile gives no value.
    pub estimates: Estimates,
}

/// Recomputes every activity's loads from its stored metrics and the profile on its day.
pub fn recompute_loads(
    store: &dyn Store,
    athlete: AthleteId,
) -> Result<RecomputeSummary, AppError> {
    let tz = crate::athlete_time_zone(store, athlete)?;
    let profile = load_profile(store, athlete)?;
    let (estimates, metrics) = estimates(store, athlete)?;

    let mut method_loads: Vec<(ActivityId, MethodLoads)> = Vec::with_capacity(metrics.len());
    for (s, m) in &metrics {
        let day = local_date(s.start, s.utc_offset_s, &tz);
        let thresholds = profile.thresholds_with_estimates(day, &estimates);
        let rpe = s.rpe.or(s.perceived_exertion);
        method_loads.push((s.id, method_loads_from_features(&m.load, &thresholds, rpe)));
    }
    // Excluded activities get their loads (shown on their page) but do not shape the
    // calibration between methods: the fit is the one the athlete would have without them.
    let all: Vec<MethodLoads> = method_loads
        .iter()
        .zip(&metrics)
        .filter(|(_, (s, _))| !s.exclude_from_load)
        .map(|((_, l), _)| *l)
        .collect();
    let calibration = Calibration::fit(&all);
    let mut by_method = std::collections::BTreeMap::new();
    let rows: Vec<(ActivityId, ActivityLoads)> = method_loads
        .iter()
        .map(|(id, l)| {
            let primary = calibration.primary(l);
            *by_method
                .entry(primary.load_method.as_str().to_string())
                .or_insert(0) += 1;
            (
                *id,
                ActivityLoads {
                    methods: l
                        .values()
                        .map(|(name, value)| (name.to_owned(), value))
                        .collect(),
                    load: primary.load,
                    method: primary.load_method.as_str().to_string(),
                },
            )
        })
        .collect();
    store.set_activity_loads(athlete, &rows)?;
    Ok(RecomputeSummary {
        activities: rows.len(),
        by_method,
        calibration,
        estimates,
    })
}

// ---------------------------------------------------------------------------------------------
// Series and status

/// The athlete's activities as local-day totals (loads not yet computed count as 0), one entry
/// per activity: the series sums entries that share a day. An activity belongs to the day of
/// its recorded UTC offset when known (a run at 00:30 local counts for that day even when
/// travelling), else of the athlete's zone (docs/science.md).
pub fn day_totals(
    store: &dyn Store,
    athlete: AthleteId,
    tz: &TimeZone,
) -> Result<Vec<DayTotals>, AppError> {
    Ok(store
        .load_rows(athlete)?
        .iter()
        .map(|r| DayTotals {
            date: local_date(r.start, r.utc_offset_s, tz),
            load: r.load.unwrap_or(0.0),
            distance_m: r.distance_m.unwrap_or(0.0),
            duration_s: r.timer_s,
        })
        .collect())
}

/// The series parameters for an athlete: the default time constants, and fitness and fatigue
/// seeded from the usual week the athlete stated (the value in force at the start of the
/// history), else from what the early history shows ([`fettle_core::series::Seed`]).
pub fn series_params(profile: &ProfileHistory, days: &[DayTotals]) -> SeriesParams {
    let first = days.iter().map(|d| d.date).min();
    let usual_week = first
        .and_then(|d| fettle_core::profile::value_on(&profile.usual_week_km, d))
        .map(|v| v.value);
    SeriesParams {
        seed: usual_week.map_or(Seed::EarlyHistory, Seed::UsualWeekKm),
        ..SeriesParams::default()
    }
}

/// [`series_params`] from the store.
pub fn athlete_series_params(
    store: &dyn Store,
    athlete: AthleteId,
    days: &[DayTotals],
) -> Result<SeriesParams, AppError> {
    Ok(series_params(&load_profile(store, athlete)?, days))
}

/// `fettle status`: fitness, fatigue, form and the risk indicators on a day.
pub fn status(
    store: &dyn Store,
    athlete: AthleteId,
    date: Option<Date>,
    now: Timestamp,
) -> Result<Status, AppError> {
    let tz = crate::athlete_time_zone(store, athlete)?;
    let date = date.unwrap_or_else(|| tz.to_datetime(now).date());
    let days = day_totals(store, athlete, &tz)?;
    let params = athlete_series_params(store, athlete, &days)?;
    Ok(status_on(&days, date, &params))
}

/// `fettle load`: the daily series between two local days (inclusive).
pub fn series(
    store: &dyn Store,
    athlete: AthleteId,
    from: Option<Date>,
    to: Option<Date>,
    now: Timestamp,
) -> Result<Vec<DayState>, AppError> {
    let tz = crate::athlete_time_zone(store, athlete)?;
    let to = to.unwrap_or_else(|| tz.to_datetime(now).date());
    if let Some(from) = from {
        crate::validate::day_order(from, to)?;
    }
    let days = day_totals(store, athlete, &tz)?;
    let params = athlete_series_params(store, athlete, &days)?;
    let mut series = daily_series(&days, to, &params);
    if let Some(from) = from {
        series.retain(|d| d.date >= from);
    }
    Ok(series)
}

// ---------------------------------------------------------------------------------------------
// Manual sessions, RPE, races

/// A session without a file (`fettle add`).
#[derive(Debug, Clone, Deserialize)]
pub struct ManualSession {
    /// Local day.
    pub date: Date,
    /// Local start time (default 12:00).
    pub start: Option<jiff::civil::Time>,
    /// Duration, seconds.
    pub duration_s: f64,
    /// Distance, metres.
    pub distance_m: Option<f64>,
    /// Session RPE, CR-10 (0–10).
    pub rpe: Option<f64>,
    /// Sport (default running).
    pub sport: Option<String>,
    /// A name.
    pub name: Option<String>,
}

/// Stores a manual session with its RPE and recomputes loads. Returns its id.
pub fn add_manual(
    store: &dyn Store,
    athlete: AthleteId,
    session: &ManualSession,
    now: Timestamp,
) -> Result<i64, AppError> {
    let mut violations = Vec::new();
    let sport = match session.sport.as_deref() {
        None => Sport::Running,
        Some(text) => crate::validate::sport("sport", text).unwrap_or_else(|v| {
            violations.push(v);
            Sport::Running
        }),
    };
    violations.extend(ActivityBounds::for_sport(sport.as_str()).check_session(
        sport.as_str(),
        session.duration_s,
        session.distance_m,
    ));
    if let Err(v) = validate_rpe(session.rpe) {
        violations.push(v);
    }
    if let Some(name) = &session.name
        && let Err(v) =
            limits::check_text("name", name, limits::NAME_MAX_CHARS, limits::Lines::Single)
    {
        violations.push(v);
    }
    let tz = crate::athlete_time_zone(store, athlete)?;
    let time = session.start.unwrap_or(jiff::civil::time(12, 0, 0, 0));
    let zoned = session
        .date
        .to_datetime(time)
        .to_zoned_datetime(tz.clone())
        .map_err(|e| AppError::Invalid(format!("bad start time: {e}")))?;
    let start = zoned.timestamp();
    if let Err(v) = limits::check_instant("date", start, now, &tz) {
        violations.push(v);
    }
    crate::refuse_if_any(violations)?;
    let mut activity = Activity::new(start, sport);
    activity.utc_offset_s = Some(zoned.offset().seconds());
    activity.elapsed_s = session.duration_s;
    activity.timer_s = session.duration_s;
    activity.distance_m = session.distance_m;
    activity.name = session.name.clone();
    let id = store.insert_manual_activity(athlete, &activity)?;
    let metrics = activity_metrics(&activity, session.date);
    store.set_activity_metrics(athlete, &[(id, Some(to_json(&metrics)?))])?;
    if session.rpe.is_some() {
        store.set_rpe(athlete, id, session.rpe)?;
    }
    recompute_loads(store, athlete)?;
    Ok(id.0)
}

/// Session RPE on Borg's CR-10 scale (Foster et al. 2001): 0 rest … 10 maximal.
const RPE_SCALE: (f64, f64) = (0.0, 10.0);

pub(crate) fn validate_rpe(rpe: Option<f64>) -> Result<(), Violation> {
    match rpe {
        Some(r) => limits::check_number("rpe", r, RPE_SCALE, "(CR-10)").map_err(|mut v| {
            v.message = format!(
                "RPE {} is outside the CR-10 scale: use 0 (rest) … 10 (maximal)",
                v.value
            );
            v
        }),
        None => Ok(()),
    }
}

/// Sets an activity's session RPE (CR-10) and recomputes loads.
pub fn set_rpe(
    store: &dyn Store,
    athlete: AthleteId,
    id: i64,
    rpe: f64,
) -> Result<RecomputeSummary, AppError> {
    validate_rpe(Some(rpe))?;
    if store.get_activity(athlete, ActivityId(id))?.is_none() {
        return Err(AppError::NotFound(format!(
            "no activity {id}: list them with `fettle activities`"
        )));
    }
    store.set_rpe(athlete, ActivityId(id), Some(rpe))?;
    recompute_loads(store, athlete)
}

/// Stores a race result (a performance marker for the personal model). The day must be in the
/// accepted range (1989-01-01 to tomorrow, see [`limits::check_day`]); distance and time must be
/// a run a human can do.
pub fn add_race(
    store: &dyn Store,
    athlete: AthleteId,
    date: Date,
    distance_m: f64,
    time_s: f64,
    now: Timestamp,
) -> Result<i64, AppError> {
    let tz = crate::athlete_time_zone(store, athlete)?;
    let today = tz.to_datetime(now).date();
    let mut violations = Vec::new();
    if let Err(v) = limits::check_day("date", date, today) {
        violations.push(v);
    }
    let bounds = ActivityBounds::for_sport(Sport::Running.as_str());
    let shape = bounds.check_session(Sport::Running.as_str(), time_s, Some(distance_m));
    if shape.is_empty() {
        let vdot = fettle_core::performance::vdot(distance_m, time_s).ok_or_else(|| {
            AppError::Invalid("a race needs a positive distance and time".to_string())
        })?;
        // Daniels' tables run from VDOT 30 to 85; allow a margin either side for walkers and
        // typing errors that are still plausible.
        if !(RACE_VDOT.0..=RACE_VDOT.1).contains(&vdot) {
            violations.push(Violation::new(
                "time",
                crate::validate::hms(time_s),
                format!("a VDOT of {}–{}", RACE_VDOT.0, RACE_VDOT.1),
                format!(
                    "{distance_m:.0} m in {} is a VDOT of {vdot:.1}, outside what humans run \
                     ({}–{}): check the distance and time",
                    crate::validate::hms(time_s),
                    RACE_VDOT.0,
                    RACE_VDOT.1
                ),
            ));
        }
    }
    violations.extend(shape);
    crate::refuse_if_any(violations)?;
    let id = store.add_race(
        athlete,
        &RaceResult {
            date,
            distance_m,
            time_s,
            kind: "race".into(),
        },
    )?;
    Ok(id.0)
}

/// The VDOT a race result may have: Daniels' tables run from 30 to 85, with a margin either
/// side for walkers and the very best.
const RACE_VDOT: (f64, f64) = (15.0, 95.0);

/// A race as listed, with its VDOT.
#[derive(Debug, Clone, Serialize)]
pub struct RaceView {
    /// Id.
    pub id: i64,
    /// Local day.
    pub date: Date,
    /// Distance, m.
    pub distance_m: f64,
    /// Time, s.
    pub time_s: f64,
    /// VDOT (Daniels & Gilbert).
    pub vdot: Option<f64>,
}

/// Every race entered, oldest first.
pub fn races(store: &dyn Store, athlete: AthleteId) -> Result<Vec<RaceView>, AppError> {
    Ok(store
        .races(athlete)?
        .into_iter()
        .map(|r| RaceView {
            id: r.id.0,
            date: r.race.date,
            distance_m: r.race.distance_m,
            time_s: r.race.time_s,
            vdot: fettle_core::performance::vdot(r.race.distance_m, r.race.time_s),
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Personal model

/// `fettle model`: the fitted impulse-response model, or why there is none.
#[derive(Debug, Clone, Serialize)]
pub struct ModelView {
    /// Markers available (races entered + peak best efforts).
    pub markers: usize,
    /// The fit, when it beats a constant in leave-one-out error.
    pub fit: Option<BanisterFit>,
    /// Why no fit is presented.
    pub refusal: Option<ModelRefusal>,
    /// Predicted performance on the date asked (today by default), when there is a fit.
    pub prediction: Option<Prediction>,
    /// Predicted race times at the usual distances, seconds.
    pub race_times: Vec<(String, f64)>,
}

/// Fits the personal model to the races entered and the best efforts found in activities.
pub fn model(
    store: &dyn Store,
    athlete: AthleteId,
    date: Option<Date>,
    now: Timestamp,
) -> Result<ModelView, AppError> {
    let tz = crate::athlete_time_zone(store, athlete)?;
    let date = date.unwrap_or_else(|| tz.to_datetime(now).date());
    let mut markers: Vec<RaceResult> = store.races(athlete)?.into_iter().map(|r| r.race).collect();
    for (s, m) in stored_metrics(store, athlete)? {
        if !s.exclude_from_load {
            markers.extend(m.best_efforts);
        }
    }
    let markers = model::peak_markers(&markers);
    let days = day_totals(store, athlete, &tz)?;
    let n = markers.len();
    Ok(
        match model::fit_banister(&days, &markers, &ModelParams::default()) {
            Ok(fit) => {
                let prediction = fit.predict(&days, date);
                let race_times = [
                    ("5k", 5000.0),
                    ("10k", 10_000.0),
                    ("half marathon", 21_097.5),
                    ("marathon", 42_195.0),
                ]
                .iter()
                .filter_map(|(name, d)| prediction.race_time_s(*d).map(|t| ((*name).into(), t)))
                .collect();
                ModelView {
                    markers: n,
                    fit: Some(fit),
                    refusal: None,
                    prediction: Some(prediction),
                    race_times,
                }
            }
            Err(refusal) => ModelView {
                markers: n,
                fit: None,
                refusal: Some(refusal),
                prediction: None,
                race_times: Vec::new(),
            },
        },
    )
}
