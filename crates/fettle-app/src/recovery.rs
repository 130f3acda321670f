//! Recovery use cases (issue #4): wellness entries and imports, readiness, the recovery
//! prescription after an activity with its recovery time, the recovery log with compliance (per
//! activity, and as a rate over the last two weeks for a coach's squad:
//! [`recovery_compliance`]), "what works for me" insights, and the athlete's access and health
//! lists.
//!
//! The science is in `fettle_core` ([`readiness`], [`recovery`](fettle_core::recovery),
//! [`insights`](fettle_core::insights), [`wellness`](fettle_core::wellness)); this module reads
//! the store, builds the science's inputs and returns serialisable views.
//!
//! How a prescription's context is built from stored data ([`recover`]):
//! - **the session**: the latest activity that has ended (or the one asked for); its kind is
//!   `strength` for the `training` sport, else what it contained
//!   ([`fettle_core::classify`]: time above threshold heart rate or pace, intensity factor,
//!   duration against the usual long run, the race flag — "race" in its name or a race result
//!   on its local day — and its RPE), shown with its reason; recovery runs count as easy and
//!   tempo or interval sessions as hard for the prescription;
//! - **fitness** is the fitness at the end of the day before, **form** the activity day's
//!   morning form, and the **recovery time** starts from the fitness and fatigue at the end of
//!   the activity's day (they include it);
//! - **body mass** is the most recent of the profile's `mass_kg` and the wellness log's mass on
//!   or before the activity's day (the wellness value wins a tie: it is a weighing), else the
//!   first value after it;
//! - **readiness** is the readiness of the activity's local day;
//! - **the next hard session** comes from the saved plan, when there is one (read as the
//!   planner saves it: [`crate::planning`]): the first planned
//!   long, tempo, interval or race day after the activity's day, taken from the start of that
//!   local day (a plan has no clock times, so the earliest moment is assumed: it can only make
//!   the advice more careful);
//! - **the last strength session** is the latest `training` activity that ended before it;
//! - **the strength block** is the profile's dated `strength_block` setting on the activity's
//!   day ([`crate::training::strength_block_on`]);
//! - **heat** is not known (no ambient temperature is stored with an activity), so heat alone
//!   never brings cold water.
//!
//! Morning HRV from FIT files ([`morning_hrv_entry`]): R-R intervals recorded during a run are
//! not a morning HRV measurement (exercise suppresses vagal activity, so rMSSD under load says
//! nothing about readiness), so only a short recording made at rest in the morning becomes a
//! wellness entry. On the test corpus this keeps out a 45-second walking file with R-R
//! intervals (a device test), which an earlier, looser rule had taken for a morning.

use std::cell::OnceCell;
use std::collections::BTreeSet;

use fettle_core::insights::{self, DailyLoad, Insight};
use fettle_core::log::{RecoveryEntry, RecoveryMethod, WellnessEntry};
use fettle_core::plan::Plan;
use fettle_core::readiness::{self, LoadState, Readiness, Recommendation};
use fettle_core::recovery::logging::{self, ComplianceItem};
use fettle_core::recovery::time::{
    RecoveryTime, RecoveryTimeInput, personal_form_threshold, recovery_time, warm_up_cap_h,
};
use fettle_core::recovery::{
    Access, Exclusion, HealthCondition, Item, RecoveryContext, SessionInfo, SessionKind, prescribe,
};
use fettle_core::series::{DayState, SeriesParams, daily_series};
use fettle_core::wellness::{self, RowError};
use fettle_formats::{Activity, Sport};
use fettle_store::{ActivityFilter, ActivityId, ActivitySummary, AthleteId, Store, StringSet};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan, ZonedDateTime};
use serde::Serialize;

use crate::AppError;

/// Days listed by default by [`list_wellness`] and [`list_recovery`], ending today.
pub const DEFAULT_LIST_DAYS: i64 = 30;
/// Wellness history read for readiness: the 60-day baseline plus margin (docs/science.md).
const READINESS_HISTORY_DAYS: i64 = 70;
/// A FIT recording with R-R intervals is a morning HRV measurement only when it lasts at most
/// this many minutes: HRV apps record 1–5 min (Plews et al. 2014 used ultra-short 1-min
/// recordings); a longer recording is a workout with a chest strap. Fettle's cut-off.
pub const MORNING_HRV_MAX_MIN: f64 = 15.0;
/// … and at least this many minutes: ultra-short 1-min ln rMSSD agrees with the standard
/// recording (Esco & Flatt 2014); shorter is a test or a glitch.
pub const MORNING_HRV_MIN_MIN: f64 = 1.0;
/// … and covers at most this many metres (at rest, not moving). Fettle's cut-off.
pub const MORNING_HRV_MAX_DISTANCE_M: f64 = 100.0;
/// … and starts in this local hour range (the morning, after waking). Fettle's window.
pub const MORNING_HRV_HOURS: std::ops::Range<i8> = 4..12;
/// The `source` of wellness entries made from FIT R-R intervals.
pub const FIT_RR_SOURCE: &str = "fit-rr";

pub(crate) fn to_local_rfc3339(t: Timestamp, tz: &TimeZone) -> String {
    let z = t.to_zoned_datetime(tz.clone());
    t.display_with_offset(z.offset()).to_string()
}

pub(crate) fn today(tz: &TimeZone, now: Timestamp) -> Date {
    tz.to_datetime(now).date()
}

// ---------------------------------------------------------------------------------------------
// Wellness

/// Validates and stores (merges into the day's entry) a wellness entry typed by the athlete.
/// The date defaults to today; the source to `cli`. Returns the day's merged entry.
pub fn add_wellness(
    store: &dyn Store,
    athlete: AthleteId,
    entry: &WellnessEntry,
    now: Timestamp,
) -> Result<WellnessEntry, AppError> {
    let tz = crate::athlete_time_zone(store, athlete)?;
    let today = today(&tz, now);
    let mut entry = entry.clone();
    let date = *entry.date.get_or_insert(today);
    entry.source.get_or_insert_with(|| "cli".to_string());
    let nothing = entry.sleep_h.is_none()
        && entry.sleep_quality.is_none()
        && entry.soreness.is_none()
        && entry.fatigue.is_none()
        && entry.stress.is_none()
        && entry.mood.is_none()
        && entry.rmssd_ms.is_none()
        && entry.rest_hr.is_none()
        && entry.mass_kg.is_none()
        && !entry.sick
        && !entry.injured;
    if nothing {
        return Err(AppError::Invalid(
            "nothing to log: give at least one of --sleep, --sleep-quality, --soreness, \
             --fatigue, --stress, --mood, --rmssd, --rest-hr, --mass, --sick, --injured"
                .into(),
        ));
    }
    wellness::validate_wellness(&entry, today).map_err(|e| AppError::from(e.violation()))?;
    store.upsert_wellness(athlete, &entry)?;
    let stored = store.wellness(athlete, date, date)?;
    stored
        .into_iter()
        .next()
        .ok_or_else(|| AppError::Internal(format!("the wellness entry of {date} was not stored")))
}

/// What a wellness file import did.
#[derive(Debug, Clone, Serialize)]
pub struct WellnessImportView {
    /// The layout the file was read as: `hrv4training`, `elitehrv`, `oura`, `garmin` or `csv`
    /// (the value stored in each entry's `source`).
    pub source: String,
    /// Days stored (merged into existing entries).
    pub imported: usize,
    /// First and last day stored.
    pub first: Option<Date>,
    /// Last day stored.
    pub last: Option<Date>,
    /// Every day stored, oldest first.
    pub days: Vec<Date>,
    /// The wellness fields the stored days carry (`sleep_h`, `rmssd_ms`, `rest_hr` …).
    pub fields: Vec<String>,
    /// What the file held that was not taken (columns, scores, files), with why.
    pub ignored: Vec<String>,
    /// Lines skipped, with why.
    pub skipped: Vec<RowError>,
}

/// Imports a wellness file (HRV4Training CSV, an Elite HRV R-R text file, Oura's Trends CSV or
/// Fettle's CSV; see [`fettle_core::wellness`]). `file_name` (no directories) dates Elite HRV
/// files. Rows that fail validation (e.g. a day in the future) are skipped and reported; the
/// rest are stored.
pub fn import_wellness(
    store: &dyn Store,
    athlete: AthleteId,
    file_name: &str,
    text: &str,
    now: Timestamp,
) -> Result<WellnessImportView, AppError> {
    let parsed = wellness::parse_wellness_file(file_name, text)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    store_wellness_import(store, athlete, file_name, parsed, now)
}

/// Stores what a wellness reader read, each entry through the same validation as a typed
/// entry ([`wellness::validate_wellness`]): refused entries are reported, the rest merged into
/// their days. An import of which nothing could be stored is an error naming the first reasons.
pub(crate) fn store_wellness_import(
    store: &dyn Store,
    athlete: AthleteId,
    file_name: &str,
    parsed: wellness::WellnessImport,
    now: Timestamp,
) -> Result<WellnessImportView, AppError> {
    let tz = crate::athlete_time_zone(store, athlete)?;
    let today = today(&tz, now);
    let mut skipped = parsed.errors;
    let mut days = Vec::new();
    let mut stored = Vec::new();
    for (i, entry) in parsed.entries.iter().enumerate() {
        let mut entry = entry.clone();
        entry
            .source
            .get_or_insert_with(|| parsed.source.as_str().to_string());
        if let Err(e) = wellness::validate_wellness(&entry, today) {
            skipped.push(RowError {
                line: i + 2,
                message: format!("entry {}: {e}", i + 1),
            });
            continue;
        }
        store.upsert_wellness(athlete, &entry)?;
        if let Some(d) = entry.date {
            days.push(d);
        }
        stored.push(entry);
    }
    if stored.is_empty() {
        let why: Vec<String> = skipped
            .iter()
            .take(3)
            .map(|e| format!("line {}: {}", e.line, e.message))
            .collect();
        return Err(AppError::Invalid(format!(
            "no wellness entry could be read from {file_name}{}",
            if why.is_empty() {
                String::new()
            } else {
                format!(" ({})", why.join("; "))
            }
        )));
    }
    days.sort_unstable();
    days.dedup();
    Ok(WellnessImportView {
        source: parsed.source.as_str().to_string(),
        imported: stored.len(),
        first: days.first().copied(),
        last: days.last().copied(),
        days,
        fields: wellness::fields_taken(&stored)
            .into_iter()
            .map(str::to_string)
            .collect(),
        ignored: parsed.ignored,
        skipped,
    })
}

/// Wellness entries between two local days (inclusive; default the last
/// [`DEFAULT_LIST_DAYS`] days), oldest first.
pub fn list_wellness(
    store: &dyn Store,
    athlete: AthleteId,
    from: Option<Date>,
    to: Option<Date>,
    now: Timestamp,
) -> Result<Vec<WellnessEntry>, AppError> {
    let tz = crate::athlete_time_zone(store, athlete)?;
    let (from, to) = day_range(from, to, today(&tz, now))?;
    Ok(store.wellness(athlete, from, to)?)
}

/// Deletes the wellness entry of a day (e.g. to clear `sick`). Returns whether it existed.
pub fn delete_wellness(
    store: &dyn Store,
    athlete: AthleteId,
    date: Date,
) -> Result<bool, AppError> {
    Ok(store.delete_wellness(athlete, date)?)
}

fn day_range(from: Option<Date>, to: Option<Date>, today: Date) -> Result<(Date, Date), AppError> {
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| {
        to.checked_sub((DEFAULT_LIST_DAYS - 1).days())
            .unwrap_or(Date::MIN)
    });
    crate::validate::day_order(from, to)?;
    Ok((from, to))
}

/// A morning HRV entry from an imported activity's R-R intervals, when the recording is a
/// morning HRV measurement: a `generic` (or unknown-sport) recording of
/// [`MORNING_HRV_MIN_MIN`]–[`MORNING_HRV_MAX_MIN`] minutes, at most
/// [`MORNING_HRV_MAX_DISTANCE_M`] metres, starting in the local hours [`MORNING_HRV_HOURS`], and
/// with enough clean beats for rMSSD ([`fettle_core::hrv::rmssd_from_rr`]). R-R from a run is
/// never used: HRV during exercise is not resting HRV. `tz` dates the entry when the file has no
/// UTC offset.
pub fn morning_hrv_entry(activity: &Activity, tz: &TimeZone) -> Option<WellnessEntry> {
    if activity.rr_intervals_ms.is_empty() {
        return None;
    }
    // A recording at rest is a generic session (or a sport Fettle does not know, such as
    // breathing or meditation); one with a moving sport is exercise, never resting HRV.
    if !matches!(activity.sport, Sport::Generic | Sport::Other(_)) {
        return None;
    }
    let minutes = activity.timer_s.max(activity.elapsed_s) / 60.0;
    if !(MORNING_HRV_MIN_MIN..=MORNING_HRV_MAX_MIN).contains(&minutes) {
        return None;
    }
    if activity
        .distance_m
        .is_some_and(|d| d > MORNING_HRV_MAX_DISTANCE_M)
    {
        return None;
    }
    let offset = crate::activities::local_offset(activity.utc_offset_s, activity.start, tz);
    let local = offset.to_datetime(activity.start);
    if !MORNING_HRV_HOURS.contains(&local.hour()) {
        return None;
    }
    let entry = wellness::entry_from_rr(local.date(), &activity.rr_intervals_ms, FIT_RR_SOURCE)?;
    // Out-of-range values (a recording full of artefacts) are not stored.
    wellness::validate_wellness(&entry, local.date())
        .ok()
        .map(|_| entry)
}

// ---------------------------------------------------------------------------------------------
// Access and health

/// Adds recovery equipment or services the athlete can use ([`Access::ALL`]:
/// `compression-boots`, `compression-garments`, `ice-bath`, `cryo-centre`, `massage`,
/// `foam-roller`). All words are checked before any is stored.
/// Returns the whole list.
pub fn add_access(
    store: &dyn Store,
    athlete: AthleteId,
    words: &[String],
) -> Result<Vec<String>, AppError> {
    let parsed = parse_access_words(words)?;
    for a in parsed {
        store.add_to_set(athlete, StringSet::Access, a.as_str())?;
    }
    list_access(store, athlete)
}

/// Removes items from the access list. Returns the whole list.
pub fn remove_access(
    store: &dyn Store,
    athlete: AthleteId,
    words: &[String],
) -> Result<Vec<String>, AppError> {
    for a in parse_access_words(words)? {
        store.remove_from_set(athlete, StringSet::Access, a.as_str())?;
    }
    list_access(store, athlete)
}

/// The access list, sorted.
pub fn list_access(store: &dyn Store, athlete: AthleteId) -> Result<Vec<String>, AppError> {
    Ok(store.set_members(athlete, StringSet::Access)?)
}

fn parse_access_words(words: &[String]) -> Result<Vec<Access>, AppError> {
    if words.is_empty() {
        return Err(AppError::Invalid(format!(
            "name at least one of {}",
            Access::words()
        )));
    }
    words
        .iter()
        .map(|w| {
            Access::parse(w).ok_or_else(|| {
                AppError::Invalid(format!("unknown access {w:?}: use {}", Access::words()))
            })
        })
        .collect()
}

/// Adds health conditions that exclude recovery methods (e.g. `raynauds`). All words are
/// checked before any is stored. Returns the whole list.
pub fn add_health(
    store: &dyn Store,
    athlete: AthleteId,
    words: &[String],
) -> Result<Vec<String>, AppError> {
    for c in parse_health_words(words)? {
        store.add_to_set(athlete, StringSet::Health, c.as_str())?;
    }
    list_health(store, athlete)
}

/// Removes health conditions. Returns the whole list.
pub fn remove_health(
    store: &dyn Store,
    athlete: AthleteId,
    words: &[String],
) -> Result<Vec<String>, AppError> {
    for c in parse_health_words(words)? {
        store.remove_from_set(athlete, StringSet::Health, c.as_str())?;
    }
    list_health(store, athlete)
}

/// The health list, sorted.
pub fn list_health(store: &dyn Store, athlete: AthleteId) -> Result<Vec<String>, AppError> {
    Ok(store.set_members(athlete, StringSet::Health)?)
}

fn parse_health_words(words: &[String]) -> Result<Vec<HealthCondition>, AppError> {
    if words.is_empty() {
        return Err(AppError::Invalid(format!(
            "name at least one condition: {}",
            HealthCondition::words()
        )));
    }
    words
        .iter()
        .map(|w| {
            HealthCondition::parse(w).ok_or_else(|| {
                AppError::Invalid(format!(
                    "unknown health condition {w:?}: use {}",
                    HealthCondition::words()
                ))
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Shared inputs

/// What every recovery use case reads once: the zone, the daily series and the lists.
pub(crate) struct Inputs {
    pub(crate) tz: TimeZone,
    pub(crate) series: Vec<DayState>,
    params: SeriesParams,
    /// Read on first need, then shared by every activity of the use case.
    lists: OnceCell<Lists>,
}

/// What the prescription rules read about the athlete besides the series. A use case that
/// builds the context of many activities (compliance over two weeks) reads these once, not
/// once per activity.
pub(crate) struct Lists {
    /// What classifying a session needs.
    pub(crate) sessions: crate::training::SessionContext,
    access: BTreeSet<Access>,
    health: BTreeSet<HealthCondition>,
    /// The saved plan, when there is one and this version can read it.
    pub(crate) plan: Option<Plan>,
    /// Known body masses: (date, source rank: 0 profile, 1 wellness, mass).
    masses: Vec<(Date, u8, f64)>,
    /// Every wellness entry.
    wellness: Vec<WellnessEntry>,
    /// Every strength (`training`) session: (id, start, end).
    strength: Vec<(ActivityId, Timestamp, Timestamp)>,
    /// The dated strength-block setting (`profile set --strength-block on|off`).
    profile_values: Vec<fettle_store::ProfileValue>,
}

impl Lists {
    fn load(store: &dyn Store, athlete: AthleteId) -> Result<Lists, AppError> {
        let wellness = store.wellness(athlete, Date::MIN, Date::MAX)?;
        let profile = crate::training::load_profile(store, athlete)?;
        let mut masses: Vec<(Date, u8, f64)> = profile
            .body_mass_kg
            .iter()
            .map(|d| (d.from, 0, d.value))
            .collect();
        masses.extend(
            wellness
                .iter()
                .filter_map(|w| Some((w.date?, 1, w.mass_kg?))),
        );
        // The plan as the planner saved it (its options around it). One saved by another
        // version may not parse: the advice is still useful without it.
        let plan = crate::planning::saved_plan(store, athlete)?;
        Ok(Lists {
            sessions: crate::training::SessionContext::load(store, athlete)?,
            access: store
                .set_members(athlete, StringSet::Access)?
                .iter()
                .filter_map(|w| Access::parse(w))
                .collect(),
            health: store
                .set_members(athlete, StringSet::Health)?
                .iter()
                .filter_map(|w| HealthCondition::parse(w))
                .collect(),
            plan,
            masses,
            wellness,
            profile_values: store.profile_values(athlete)?,
            strength: store
                .list_activities(
                    athlete,
                    &ActivityFilter {
                        sport: Some(Sport::Training),
                        ..ActivityFilter::default()
                    },
                )?
                .iter()
                .map(|s| (s.id, s.start, activity_end(s)))
                .collect(),
        })
    }
}

impl Inputs {
    pub(crate) fn load(
        store: &dyn Store,
        athlete: AthleteId,
        through: Date,
    ) -> Result<Inputs, AppError> {
        let tz = crate::athlete_time_zone(store, athlete)?;
        let days = crate::training::day_totals(store, athlete, &tz)?;
        let params = crate::training::athlete_series_params(store, athlete, &days)?;
        let series = if days.is_empty() {
            Vec::new()
        } else {
            daily_series(&days, through, &params)
        };
        Ok(Inputs {
            tz,
            series,
            params,
            lists: OnceCell::new(),
        })
    }

    pub(crate) fn lists(&self, store: &dyn Store, athlete: AthleteId) -> Result<&Lists, AppError> {
        if let Some(lists) = self.lists.get() {
            return Ok(lists);
        }
        let lists = Lists::load(store, athlete)?;
        Ok(self.lists.get_or_init(|| lists))
    }

    fn day(&self, date: Date) -> Option<&DayState> {
        self.series
            .binary_search_by_key(&date, |d| d.date)
            .ok()
            .map(|i| &self.series[i])
    }

    /// The load state on the morning of `date` ([`readiness::load_state`]): yesterday's
    /// fitness and fatigue, the morning form, whether they are provisional, and the athlete's
    /// usual values. `None` before any training.
    pub(crate) fn morning_load(&self, date: Date) -> Option<LoadState> {
        readiness::load_state(&self.series, date)
    }
}

pub(crate) fn assess_readiness(
    store: &dyn Store,
    athlete: AthleteId,
    inputs: &Inputs,
    date: Date,
) -> Result<Readiness, AppError> {
    let from = date
        .checked_sub(READINESS_HISTORY_DAYS.days())
        .unwrap_or(Date::MIN);
    let history: Vec<WellnessEntry> = inputs
        .lists(store, athlete)?
        .wellness
        .iter()
        .filter(|w| w.date.is_some_and(|d| (from..=date).contains(&d)))
        .cloned()
        .collect();
    Ok(readiness::assess(&history, date, inputs.morning_load(date)))
}

// ---------------------------------------------------------------------------------------------
// Readiness

/// The recovery time after the latest activity, as shown with readiness and the prescription.
#[derive(Debug, Clone, Serialize)]
pub struct RecoveryTimeView {
    /// The activity it follows.
    pub activity_id: i64,
    /// Hours, "next hard session from", and the definition.
    #[serde(flatten)]
    pub time: RecoveryTime,
}

/// `fettle readiness`: the score, its components, what is missing, and the recovery time after
/// the latest activity (when the day asked is today).
#[derive(Debug, Clone, Serialize)]
pub struct ReadinessView {
    /// Date, score, recommendation, components, missing, reasons.
    #[serde(flatten)]
    pub readiness: Readiness,
    /// This morning's fitness, fatigue and form, when there is training history.
    pub load: Option<LoadState>,
    /// Recovery time after the latest activity (today only).
    pub recovery_time: Option<RecoveryTimeView>,
}

/// Readiness on `date` (default today, not in the future).
pub fn readiness(
    store: &dyn Store,
    athlete: AthleteId,
    date: Option<Date>,
    now: Timestamp,
) -> Result<ReadinessView, AppError> {
    let tz = crate::athlete_time_zone(store, athlete)?;
    let today = today(&tz, now);
    let date = date.unwrap_or(today);
    if date > today {
        return Err(AppError::Invalid(format!(
            "{date} is in the future (today is {today}): readiness describes a morning that has come"
        )));
    }
    let inputs = Inputs::load(store, athlete, today)?;
    let readiness = assess_readiness(store, athlete, &inputs, date)?;
    let load = inputs.morning_load(date);
    let recovery_time = if date == today {
        match latest_ended_activity(store, athlete, now)? {
            Some(summary) => {
                let ctx = build_context(store, athlete, &inputs, &summary)?;
                Some(RecoveryTimeView {
                    activity_id: summary.id.0,
                    time: ctx.recovery_time,
                })
            }
            None => None,
        }
    } else {
        None
    };
    Ok(ReadinessView {
        readiness,
        load,
        recovery_time,
    })
}

// ---------------------------------------------------------------------------------------------
// Prescription

/// The activity a prescription follows.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityRef {
    /// Id.
    pub id: i64,
    /// Name, when it has one.
    pub name: Option<String>,
    /// Sport.
    pub sport: String,
    /// Start, local time (RFC 3339).
    pub start: String,
    /// End, local time (RFC 3339).
    pub end: String,
    /// Duration (timer), minutes.
    pub duration_min: f64,
    /// Distance, metres.
    pub distance_m: Option<f64>,
    /// Load, load points.
    pub load: f64,
    /// What kind of session it was taken to be for the prescription (see the module doc).
    pub kind: SessionKind,
    /// What the session contained: its kind (`recovery`, `easy`, `long`, `tempo`,
    /// `intervals`, `race`), whether that is hard, and why. Absent for strength work.
    pub classification: Option<fettle_core::classify::Classification>,
}

/// `fettle recover`: what to do now after an activity, why, on what evidence, and when the next
/// hard session can come.
#[derive(Debug, Clone, Serialize)]
pub struct RecoverView {
    /// The activity's id.
    pub activity_id: i64,
    /// The activity.
    pub activity: ActivityRef,
    /// What to do (`{method, dose, start, end, reason, evidence}`; nutrition also has
    /// `carbs_g`, `protein_g`, `deadline`).
    pub items: Vec<Item>,
    /// Methods removed by a health condition or a conflict.
    pub excluded: Vec<Exclusion>,
    /// Everything else worth saying (methods without access, caveats).
    pub notes: Vec<String>,
    /// Recovery time and "next hard session from".
    pub recovery_time: RecoveryTime,
    /// The readiness recommendation of the activity's day.
    pub readiness: Recommendation,
    /// The body mass used, kg, and where it came from.
    pub body_mass_kg: Option<f64>,
    /// The next planned hard session used (start of its local day), RFC 3339.
    pub next_planned_hard_session: Option<String>,
    /// What of it has been logged so far.
    pub compliance: Vec<ComplianceItem>,
}

/// The prescription after the latest activity that has ended (or activity `activity_id`).
pub fn recover(
    store: &dyn Store,
    athlete: AthleteId,
    activity_id: Option<i64>,
    now: Timestamp,
) -> Result<RecoverView, AppError> {
    let summary = match activity_id {
        Some(id) => store
            .get_activity(athlete, ActivityId(id))?
            .map(|a| a.summary)
            .ok_or_else(|| {
                AppError::NotFound(format!(
                    "no activity {id}: list them with `fettle activities`"
                ))
            })?,
        None => latest_ended_activity(store, athlete, now)?.ok_or_else(|| {
            AppError::NotFound(
                "no activity yet: import one with `fettle import PATH` or add one with \
                 `fettle add`"
                    .into(),
            )
        })?,
    };
    let tz = crate::athlete_time_zone(store, athlete)?;
    let inputs = Inputs::load(store, athlete, today(&tz, now))?;
    let built = build_context(store, athlete, &inputs, &summary)?;
    let prescription = prescribe(&built.context);
    let log = recovery_log_after(store, athlete, &summary, built.context.session.end)?;
    let compliance = logging::compliance(&prescription, &log);
    Ok(RecoverView {
        activity_id: summary.id.0,
        activity: built.activity,
        items: prescription.items,
        excluded: prescription.excluded,
        notes: prescription.notes,
        recovery_time: built.recovery_time,
        readiness: built.context.readiness.unwrap_or(Recommendation::Easy),
        body_mass_kg: built.context.body_mass_kg,
        next_planned_hard_session: built
            .context
            .next_hard_session
            .map(|t| to_local_rfc3339(t, &inputs.tz)),
        compliance,
    })
}

/// When an activity ended: its start plus its elapsed time. Total over whatever is stored: an
/// elapsed time that is not a finite number of seconds, or that would end past the last
/// representable instant, is not trusted and the activity ends when it started (a stored
/// `1e19` s once made this panic and took the athlete's pages and their coach's squad down).
pub(crate) fn activity_end(s: &ActivitySummary) -> Timestamp {
    SignedDuration::try_from_secs_f64(s.elapsed_s.max(0.0))
        .ok()
        .and_then(|elapsed| s.start.checked_add(elapsed).ok())
        .unwrap_or(s.start)
}

/// The activity that ended last, at or before `now`.
pub(crate) fn latest_ended_activity(
    store: &dyn Store,
    athlete: AthleteId,
    now: Timestamp,
) -> Result<Option<ActivitySummary>, AppError> {
    let filter = ActivityFilter {
        to: Some(now),
        limit: Some(20),
        ..ActivityFilter::default()
    };
    Ok(store
        .list_activities(athlete, &filter)?
        .into_iter()
        // An activity the athlete left out of the training load (a stray recording) is no
        // session to recover from.
        .filter(|s| activity_end(s) <= now && s.sport != Sport::Transition && !s.exclude_from_load)
        .max_by_key(activity_end))
}

/// Logged entries that follow this activity: from its end to the end of the compliance window,
/// and before the next activity ends (an entry belongs to the latest activity before it).
pub(crate) fn recovery_log_after(
    store: &dyn Store,
    athlete: AthleteId,
    this: &ActivitySummary,
    end: Timestamp,
) -> Result<Vec<RecoveryEntry>, AppError> {
    let later = store.list_activities(
        athlete,
        &ActivityFilter {
            from: Some(this.start),
            to: Some(log_window_end(end)),
            ..ActivityFilter::default()
        },
    )?;
    Ok(store
        .recovery(athlete, end, log_until(this, end, &later))?
        .into_iter()
        .map(|r| r.entry)
        .collect())
}

/// The end of the compliance window after an activity that ended at `end`.
fn log_window_end(end: Timestamp) -> Timestamp {
    end.saturating_add(SignedDuration::from_hours(
        logging::SESSION_MATCH_WINDOW_H + 1,
    ))
    .unwrap_or(end)
}

/// Where the log that follows `this` (ended at `end`) stops: the end of the compliance window,
/// or the end of the next activity among `activities` (any order, any span), if sooner.
fn log_until(this: &ActivitySummary, end: Timestamp, activities: &[ActivitySummary]) -> Timestamp {
    let until = log_window_end(end);
    activities
        .iter()
        .filter(|s| s.start >= this.start && s.start < until)
        .filter(|s| s.id != this.id && s.sport != Sport::Transition)
        .map(activity_end)
        .filter(|t| *t > end)
        .min()
        .map_or(until, |next_end| until.min(next_end))
}

/// A prescription's context plus what the views show beside it.
pub(crate) struct Built {
    pub(crate) context: RecoveryContext,
    pub(crate) activity: ActivityRef,
    pub(crate) recovery_time: RecoveryTime,
}

pub(crate) fn build_context(
    store: &dyn Store,
    athlete: AthleteId,
    inputs: &Inputs,
    s: &ActivitySummary,
) -> Result<Built, AppError> {
    let tz = &inputs.tz;
    let end = activity_end(s);
    let day = crate::training::local_date(s.start, s.utc_offset_s, tz);
    let load = s.loads.as_ref().map_or(0.0, |l| l.load);
    let fitness_before = day
        .yesterday()
        .ok()
        .and_then(|y| inputs.day(y))
        .map_or(0.0, |d| d.fitness);
    let duration_min = s.timer_s.max(0.0) / 60.0;
    let lists = inputs.lists(store, athlete)?;
    let classification = lists.sessions.classify(s);
    let kind = classification
        .as_ref()
        .map_or(SessionKind::Strength, |c| SessionKind::from(c.kind));
    let readiness = assess_readiness(store, athlete, inputs, day)?;
    let today_state = inputs.day(day);
    let (lambda_fitness, lambda_fatigue) = inputs.params.lambdas();
    let recovery_time = recovery_time(
        &RecoveryTimeInput {
            activity_end: end,
            fitness: today_state.map_or(0.0, |d| d.fitness),
            fatigue: today_state.map_or(0.0, |d| d.fatigue),
            lambda_fitness,
            lambda_fatigue,
            form_threshold: personal_form_threshold(
                readiness::load_state(&inputs.series, day)
                    .and_then(|l| l.typical)
                    .as_ref(),
            ),
            readiness: Some(readiness.recommendation),
            // While the series warms up, form rests on a seed: the session caps the time.
            warm_up_cap_h: today_state
                .is_none_or(|d| d.provisional)
                .then(|| warm_up_cap_h(classification.as_ref().map(|c| c.kind))),
            after_race: classification
                .as_ref()
                .is_some_and(|c| c.kind == fettle_core::classify::Kind::Race),
        },
        tz,
    );
    let context = RecoveryContext {
        session: SessionInfo {
            activity_id: s.id.0.to_string(),
            end,
            kind,
            load,
            duration_min,
            distance_m: s.distance_m,
        },
        tz: tz.clone(),
        fitness: fitness_before,
        form: today_state.map(|d| d.form),
        next_hard_session: next_planned_hard_session(lists.plan.as_ref(), day, end, tz),
        body_mass_kg: body_mass(&lists.masses, day),
        mass_before_kg: None,
        mass_after_kg: None,
        access: lists.access.clone(),
        health: lists.health.clone(),
        last_strength_session: last_strength_session(&lists.strength, s.id, end),
        strength_block: crate::training::strength_block_on(&lists.profile_values, day),
        // No ambient temperature is stored with an activity (a watch's sensor reads the wrist):
        // heat does not trigger cold until the athlete can say so.
        hot: false,
        readiness: Some(readiness.recommendation),
        training_hours_today: today_state.map(|d| d.duration_s / 3600.0),
    };
    let activity = ActivityRef {
        id: s.id.0,
        name: s.name.clone(),
        sport: s.sport.as_str().to_string(),
        start: to_local_rfc3339(s.start, tz),
        end: to_local_rfc3339(end, tz),
        duration_min,
        distance_m: s.distance_m,
        load,
        kind,
        classification,
    };
    Ok(Built {
        context,
        activity,
        recovery_time,
    })
}

/// The body mass on `day`: the most recent of the profile's value and a wellness weighing on
/// or before it (the weighing wins a tie); when there is none yet, the first one after it (body
/// mass changes slowly, and a value set today should serve yesterday's run).
/// `known` holds (date, source rank: 0 profile, 1 wellness, mass) ([`Lists::masses`]).
fn body_mass(known: &[(Date, u8, f64)], day: Date) -> Option<f64> {
    let before = known
        .iter()
        .filter(|k| k.0 <= day)
        .max_by_key(|k| (k.0, k.1));
    let after = || {
        known
            .iter()
            .filter(|k| k.0 > day)
            .min_by_key(|k| (k.0, 1 - k.1))
    };
    before.or_else(after).map(|k| k.2)
}

/// When the last strength (`training`) session before this one ended; `strength` is every
/// strength session as (id, start, end) ([`Lists::strength`]).
fn last_strength_session(
    strength: &[(ActivityId, Timestamp, Timestamp)],
    this: ActivityId,
    end: Timestamp,
) -> Option<Timestamp> {
    strength
        .iter()
        .filter(|(id, start, stop)| *id != this && *start < end && *stop <= end)
        .map(|(_, _, stop)| *stop)
        .max()
}

/// The first hard day of the saved plan after `day` (see the module doc), if a plan is saved
/// (and readable: [`Lists::plan`]).
fn next_planned_hard_session(
    plan: Option<&Plan>,
    day: Date,
    end: Timestamp,
    tz: &TimeZone,
) -> Option<Timestamp> {
    plan?
        .weeks
        .iter()
        .flat_map(|w| &w.days)
        .filter(|d| d.date > day)
        .filter(|d| d.session.kind.is_demanding())
        .filter_map(|d| {
            d.date
                .to_zoned_datetime(tz.clone())
                .ok()
                .map(|z| z.timestamp())
        })
        .find(|t| *t > end)
}

// ---------------------------------------------------------------------------------------------
// Recovery log

/// A logged recovery entry: its id, and what the athlete should know about it.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedRecovery {
    /// The entry's id.
    pub id: i64,
    /// Sentences: the entry is outside the evidence-based dose, or a health condition in the
    /// profile advises against the method ([`logging::warnings`]). It is logged anyway.
    pub warnings: Vec<String>,
}

/// Validates and logs a recovery session or meal. Returns its id.
pub fn log_recovery(
    store: &dyn Store,
    athlete: AthleteId,
    entry: &RecoveryEntry,
    now: Timestamp,
) -> Result<i64, AppError> {
    Ok(log_recovery_with_warnings(store, athlete, entry, now)?.id)
}

/// Validates and logs a recovery session or meal: what happened is stored (within physical
/// sense), and the answer warns when it was outside the evidence-based dose (a −90 °C cabin
/// for 6 minutes) or against a health condition in the profile (an ice bath with Raynaud's).
pub fn log_recovery_with_warnings(
    store: &dyn Store,
    athlete: AthleteId,
    entry: &RecoveryEntry,
    now: Timestamp,
) -> Result<LoggedRecovery, AppError> {
    // The time first, shown in the athlete's zone (the core's message is in UTC).
    let tz = crate::athlete_time_zone(store, athlete)?;
    fettle_core::limits::check_instant("at", entry.at, now, &tz)?;
    logging::validate(entry, now).map_err(|e| AppError::from(e.violation()))?;
    let mut entry = entry.clone();
    for zone in &mut entry.zones {
        *zone = zone.trim().to_ascii_lowercase();
    }
    let health: BTreeSet<HealthCondition> = store
        .set_members(athlete, StringSet::Health)?
        .iter()
        .filter_map(|w| HealthCondition::parse(w))
        .collect();
    let warnings = logging::warnings(&entry, &health);
    let id = store.add_recovery(athlete, &entry)?.0;
    Ok(LoggedRecovery { id, warnings })
}

/// Deletes a logged recovery entry.
pub fn delete_recovery(store: &dyn Store, athlete: AthleteId, id: i64) -> Result<(), AppError> {
    if store.delete_recovery(athlete, fettle_store::RecoveryId(id))? {
        Ok(())
    } else {
        Err(AppError::NotFound(format!(
            "no recovery entry {id}: list them with `fettle recovery list`"
        )))
    }
}

/// One logged entry as listed.
#[derive(Debug, Clone, Serialize)]
pub struct RecoveryEntryView {
    /// Id (for deleting).
    pub id: i64,
    /// When, local time (RFC 3339).
    pub local_time: String,
    /// The entry as logged.
    #[serde(flatten)]
    pub entry: RecoveryEntry,
    /// The activity it follows (the latest one that ended before it, within the matching
    /// window), when any.
    pub after_activity: Option<i64>,
    /// Minutes after that activity's end.
    pub minutes_after: Option<f64>,
}

/// How the prescription after one activity was followed.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityCompliance {
    /// The activity.
    pub activity: ActivityRef,
    /// One line per prescribed item: done or not, when, on time; for the meal the grams and
    /// the ratio achieved.
    pub items: Vec<ComplianceItem>,
}

/// `fettle recovery list`: logged entries with compliance.
#[derive(Debug, Clone, Serialize)]
pub struct RecoveryListView {
    /// First local day listed.
    pub from: Date,
    /// Last local day listed.
    pub to: Date,
    /// The entries, oldest first.
    pub entries: Vec<RecoveryEntryView>,
    /// Compliance for each activity that entries follow, oldest first.
    pub compliance: Vec<ActivityCompliance>,
}

/// Logged recovery between two local days (default the last [`DEFAULT_LIST_DAYS`] days), each
/// entry matched to the activity it follows, and the compliance with those activities'
/// prescriptions ([`logging::compliance`]).
pub fn list_recovery(
    store: &dyn Store,
    athlete: AthleteId,
    from: Option<Date>,
    to: Option<Date>,
    now: Timestamp,
) -> Result<RecoveryListView, AppError> {
    let tz = crate::athlete_time_zone(store, athlete)?;
    let today = today(&tz, now);
    let (from, to) = day_range(from, to, today)?;
    let start = from
        .to_zoned_datetime(tz.clone())
        .map_err(|e| AppError::Invalid(format!("bad --from {from}: {e}")))?
        .timestamp();
    let stop = to
        .tomorrow()
        .ok()
        .and_then(|d| d.to_zoned_datetime(tz.clone()).ok())
        .map_or(Timestamp::MAX, |z: ZonedDateTime| z.timestamp());
    let stored = store.recovery(athlete, start, stop)?;
    // Activities that could precede the entries: up to the matching window before the first.
    let window = SignedDuration::from_hours(logging::SESSION_MATCH_WINDOW_H);
    let earliest = start.saturating_sub(window).unwrap_or(start);
    let mut activities: Vec<ActivitySummary> = store
        .list_activities(
            athlete,
            &ActivityFilter {
                from: Some(
                    earliest
                        .saturating_sub(SignedDuration::from_hours(48))
                        .unwrap_or(earliest),
                ),
                to: Some(stop),
                ..ActivityFilter::default()
            },
        )?
        .into_iter()
        .filter(|s| s.sport != Sport::Transition)
        .collect();
    activities.sort_by_key(activity_end);
    let mut followed: Vec<ActivityId> = Vec::new();
    let entries: Vec<RecoveryEntryView> = stored
        .into_iter()
        .map(|r| {
            let before = activities.iter().rev().find(|a| {
                activity_end(a) <= r.entry.at
                    && r.entry.at.duration_since(activity_end(a)) <= window
            });
            if let Some(a) = before
                && !followed.contains(&a.id)
            {
                followed.push(a.id);
            }
            RecoveryEntryView {
                id: r.id.0,
                local_time: to_local_rfc3339(r.entry.at, &tz),
                after_activity: before.map(|a| a.id.0),
                minutes_after: before.map(|a| {
                    (r.entry.at.duration_since(activity_end(a)).as_secs_f64() / 60.0).round()
                }),
                entry: r.entry,
            }
        })
        .collect();
    let mut compliance = Vec::new();
    if !followed.is_empty() {
        let inputs = Inputs::load(store, athlete, today)?;
        for a in activities.iter().filter(|a| followed.contains(&a.id)) {
            let built = build_context(store, athlete, &inputs, a)?;
            let prescription = prescribe(&built.context);
            let log = recovery_log_after(store, athlete, a, built.context.session.end)?;
            compliance.push(ActivityCompliance {
                activity: built.activity,
                items: logging::compliance(&prescription, &log),
            });
        }
    }
    Ok(RecoveryListView {
        from,
        to,
        entries,
        compliance,
    })
}

/// The window of [`recovery_compliance`], days before now: two weeks hold several sessions of a
/// runner training three to seven times a week, and are recent enough to act on. Fettle's
/// choice.
pub const COMPLIANCE_WINDOW_DAYS: i64 = 14;

/// How much of the recovery prescribed after recent activities was logged as done
/// ([`recovery_compliance`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ComplianceRate {
    /// Start of the window (now − [`COMPLIANCE_WINDOW_DAYS`] days).
    pub from: Timestamp,
    /// Activities that ended inside the window.
    pub activities: usize,
    /// Prescribed items already decided: logged, or no longer loggable.
    pub items_due: usize,
    /// Of those, the items logged.
    pub items_done: usize,
    /// `items_done / items_due` (0–1); `None` when no item is due yet.
    pub rate: Option<f64>,
}

/// Recovery compliance over the last [`COMPLIANCE_WINDOW_DAYS`] days: for every activity that
/// ended in the 14 × 24 hours before `now`, its prescription ([`recover`]'s rules, with the
/// context as it is now) is matched against the log exactly as [`recover`] and
/// [`list_recovery`] match it ([`logging::compliance`]). An item counts once it is decided:
/// when it was logged, or when it can no longer be — its matching window
/// ([`logging::MEAL_MATCH_WINDOW_H`] for a meal, [`logging::SESSION_MATCH_WINDOW_H`] for the
/// rest) is over, or a later activity has ended (entries after it belong to that one). Items
/// still open are left out, so a run that ended an hour ago does not count as ignored advice.
pub fn recovery_compliance(
    store: &dyn Store,
    athlete: AthleteId,
    now: Timestamp,
) -> Result<ComplianceRate, AppError> {
    let tz = crate::athlete_time_zone(store, athlete)?;
    let inputs = Inputs::load(store, athlete, today(&tz, now))?;
    compliance_rate(store, athlete, &inputs, now)
}

/// Today's readiness (as [`readiness`] assesses it) and the [`recovery_compliance`] rate, from
/// one read of the athlete's series and lists: the recovery columns of a coach's squad.
pub fn readiness_and_compliance(
    store: &dyn Store,
    athlete: AthleteId,
    now: Timestamp,
) -> Result<(Readiness, ComplianceRate), AppError> {
    let tz = crate::athlete_time_zone(store, athlete)?;
    let today = today(&tz, now);
    let inputs = Inputs::load(store, athlete, today)?;
    let readiness = assess_readiness(store, athlete, &inputs, today)?;
    Ok((readiness, compliance_rate(store, athlete, &inputs, now)?))
}

fn compliance_rate(
    store: &dyn Store,
    athlete: AthleteId,
    inputs: &Inputs,
    now: Timestamp,
) -> Result<ComplianceRate, AppError> {
    let window = SignedDuration::from_hours(COMPLIANCE_WINDOW_DAYS * 24);
    let from = now.saturating_sub(window).unwrap_or(now);
    // Activities start before they end: look back far enough for a long one (48 h, as
    // `list_recovery` does) and keep those whose end is in the window.
    let mut activities: Vec<ActivitySummary> = store
        .list_activities(
            athlete,
            &ActivityFilter {
                from: Some(
                    from.saturating_sub(SignedDuration::from_hours(48))
                        .unwrap_or(from),
                ),
                to: Some(now),
                ..ActivityFilter::default()
            },
        )?
        .into_iter()
        .filter(|s| s.sport != Sport::Transition)
        .collect();
    activities.sort_by_key(activity_end);
    let mut rate = ComplianceRate {
        from,
        activities: 0,
        items_due: 0,
        items_done: 0,
        rate: None,
    };
    let in_window: Vec<&ActivitySummary> = activities
        .iter()
        .filter(|a| (from..=now).contains(&activity_end(a)))
        .collect();
    if in_window.is_empty() {
        return Ok(rate);
    }
    // Every entry that can follow these activities, read once.
    let entries = store.recovery(athlete, from, Timestamp::MAX)?;
    for a in in_window {
        let built = build_context(store, athlete, inputs, a)?;
        let end = built.context.session.end;
        let prescription = prescribe(&built.context);
        let until = log_until(a, end, &activities);
        let log: Vec<RecoveryEntry> = entries
            .iter()
            .filter(|r| r.entry.at >= end && r.entry.at < until)
            .map(|r| r.entry.clone())
            .collect();
        let next_end = activities
            .iter()
            .filter(|b| b.id != a.id)
            .map(activity_end)
            .filter(|t| *t > end && *t <= now)
            .min();
        rate.activities += 1;
        for c in logging::compliance(&prescription, &log) {
            let hours = if c.method == RecoveryMethod::Nutrition {
                logging::MEAL_MATCH_WINDOW_H
            } else {
                logging::SESSION_MATCH_WINDOW_H
            };
            let closes = end
                .saturating_add(SignedDuration::from_hours(hours))
                .unwrap_or(end);
            if c.done {
                rate.items_done += 1;
                rate.items_due += 1;
            } else if closes <= now || next_end.is_some() {
                rate.items_due += 1;
            }
        }
    }
    rate.rate = (rate.items_due > 0).then(|| rate.items_done as f64 / rate.items_due as f64);
    Ok(rate)
}

// ---------------------------------------------------------------------------------------------
// Insights

/// `fettle insights`: per recovery method logged and per next-morning outcome, the effect
/// adjusted for the day's load, fatigue and the other methods, with the false-discovery rate
/// controlled over all of them ([`fettle_core::insights`]).
pub fn insights(
    store: &dyn Store,
    athlete: AthleteId,
    now: Timestamp,
) -> Result<Vec<Insight>, AppError> {
    let tz = crate::athlete_time_zone(store, athlete)?;
    let inputs = Inputs::load(store, athlete, today(&tz, now))?;
    let daily: Vec<DailyLoad> = inputs
        .series
        .iter()
        .map(|d| DailyLoad {
            date: d.date,
            load: d.load,
            fatigue: d.fatigue,
        })
        .collect();
    let wellness = store.wellness(athlete, Date::MIN, Date::MAX)?;
    let log: Vec<RecoveryEntry> = store
        .recovery(athlete, Timestamp::MIN, Timestamp::MAX)?
        .into_iter()
        .map(|r| r.entry)
        .collect();
    let records = insights::day_records(&daily, &wellness, &log, &inputs.tz);
    // Every method logged, also on days outside the training series: each deserves a line.
    let methods: BTreeSet<RecoveryMethod> = log.iter().map(|e| e.method).collect();
    let out = insights::insights_for(&records, &methods);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fettle_core::plan;
    use fettle_store::SqliteStore;

    fn utc() -> TimeZone {
        TimeZone::UTC
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    /// A recording whose R-R alternates 1000 and 1050 ms: every successive difference is 50 ms,
    /// so rMSSD = √(mean(50²)) = 50 ms; mean R-R 1025 ms → resting HR 60000/1025 = 58.54 bpm.
    fn recording(start: &str, minutes: f64, distance_m: Option<f64>) -> Activity {
        let mut a = Activity::new(at(start), Sport::Generic);
        a.utc_offset_s = Some(0);
        a.timer_s = minutes * 60.0;
        a.elapsed_s = minutes * 60.0;
        a.distance_m = distance_m;
        a.rr_intervals_ms = (0..300)
            .map(|i| if i % 2 == 0 { 1000.0 } else { 1050.0 })
            .collect();
        a
    }

    #[test]
    fn short_morning_rest_recording_becomes_the_days_hrv() {
        let entry = morning_hrv_entry(&recording("2026-11-20T06:30:00Z", 5.0, None), &utc())
            .expect("a 5-min recording at 06:30 at rest is a morning HRV measurement");
        assert_eq!(entry.date, Some(jiff::civil::date(2026, 11, 20)));
        assert!((entry.rmssd_ms.unwrap() - 50.0).abs() < 1e-6);
        assert!((entry.rest_hr.unwrap() - 60_000.0 / 1025.0).abs() < 1e-6);
        assert_eq!(entry.source.as_deref(), Some(FIT_RR_SOURCE));
    }

    #[test]
    fn rr_from_runs_evening_or_moving_recordings_is_not_morning_hrv() {
        let long = recording("2026-11-20T06:30:00Z", 60.0, None);
        let evening = recording("2026-11-20T18:00:00Z", 5.0, None);
        let moving = recording("2026-11-20T06:30:00Z", 10.0, Some(2_000.0));
        let mut walk = recording("2026-11-20T06:30:00Z", 3.0, None);
        walk.sport = Sport::Walking;
        let blip = recording("2026-11-20T06:30:00Z", 0.75, None);
        for a in [long, evening, moving, walk, blip] {
            assert_eq!(morning_hrv_entry(&a, &utc()), None);
        }
    }

    #[test]
    fn recovery_log_refuses_an_ice_bath_at_30_degrees() {
        let store = SqliteStore::open_in_memory().unwrap();
        let athlete = store.default_athlete().unwrap();
        let now = at("2026-11-20T20:00:00Z");
        let entry = RecoveryEntry {
            method: RecoveryMethod::ColdWaterImmersion,
            at: at("2026-11-20T19:00:00Z"),
            minutes: Some(10.0),
            temp_c: Some(30.0),
            zones: Vec::new(),
            carbs_g: None,
            protein_g: None,
            note: None,
        };
        let err = log_recovery(&store, athlete, &entry, now).unwrap_err();
        assert!(matches!(err, AppError::Violations(_)), "{err}");
        assert!(err.to_string().contains("30"), "{err}");
        assert_eq!(err.violations()[0].field, "temp_c");
        assert_eq!(err.violations()[0].limit, "0–20 °C");
        assert!(
            store
                .recovery(athlete, Timestamp::MIN, Timestamp::MAX)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn body_mass_takes_the_most_recent_of_profile_and_wellness() {
        let store = SqliteStore::open_in_memory().unwrap();
        let athlete = store.default_athlete().unwrap();
        let masses = || Lists::load(&store, athlete).unwrap().masses;
        let d = jiff::civil::date;
        store
            .set_profile_value(athlete, "mass_kg", d(2026, 1, 1), "70")
            .unwrap();
        assert_eq!(body_mass(&masses(), d(2026, 6, 1)), Some(70.0));
        store
            .upsert_wellness(
                athlete,
                &WellnessEntry {
                    date: Some(d(2026, 5, 1)),
                    mass_kg: Some(68.5),
                    ..WellnessEntry::default()
                },
            )
            .unwrap();
        assert_eq!(body_mass(&masses(), d(2026, 6, 1)), Some(68.5));
        // Before the weighing, the profile value applies.
        assert_eq!(body_mass(&masses(), d(2026, 4, 1)), Some(70.0));
    }

    #[test]
    fn access_and_health_words_are_checked_before_anything_is_stored() {
        let store = SqliteStore::open_in_memory().unwrap();
        let athlete = store.default_athlete().unwrap();
        let words = vec!["boots".to_string(), "jacuzzi".to_string()];
        assert!(add_access(&store, athlete, &words).is_err());
        assert!(list_access(&store, athlete).unwrap().is_empty());
        let list = add_access(&store, athlete, &["boots".into(), "cryo".into()]).unwrap();
        assert_eq!(list, vec!["compression-boots", "cryo-centre"]);
        let list = add_access(&store, athlete, &["socks".into()]).unwrap();
        assert_eq!(
            list,
            vec!["compression-boots", "compression-garments", "cryo-centre"]
        );
        let list = add_health(&store, athlete, &["Raynaud's".into()]).unwrap();
        assert_eq!(list, vec!["raynauds"]);
    }

    #[test]
    fn the_next_hard_session_is_the_first_hard_plan_day_after_the_activity() {
        let store = SqliteStore::open_in_memory().unwrap();
        let athlete = store.default_athlete().unwrap();
        let d = jiff::civil::date;
        let (tz, day) = (utc(), d(2026, 3, 2));
        let end = at("2026-03-02T10:00:00Z");
        let plan = || Lists::load(&store, athlete).unwrap().plan;
        assert_eq!(
            next_planned_hard_session(plan().as_ref(), day, end, &tz),
            None,
            "no plan, no next hard session"
        );
        // Saved as `fettle plan create` saves it (the plan inside its options); the recovery
        // advice once read the saved JSON as a bare plan and never saw it.
        let params = crate::planning::PlanParams {
            race_date: d(2026, 5, 10),
            race_distance_m: 10_000.0,
            goal_time_s: None,
            training_days: [0, 2, 4, 5, 6].into_iter().collect(),
            long_run_day: None,
            cycle: plan::Cycle::default(),
            max_ramp: plan::DEFAULT_MAX_RAMP,
            week_start: None,
        };
        let saved = crate::planning::create_plan(&store, athlete, &params, d(2026, 3, 1), end)
            .unwrap()
            .plan;
        let next = next_planned_hard_session(plan().as_ref(), day, end, &tz)
            .expect("a ten-week plan has hard days");
        let next_day = tz.to_datetime(next).date();
        // It is the start of a planned long, tempo, interval or race day after the activity's
        // day, and no such day comes between.
        assert_eq!(tz.to_datetime(next).time(), jiff::civil::time(0, 0, 0, 0));
        let hard = |k: plan::SessionKind| {
            matches!(
                k,
                plan::SessionKind::Long
                    | plan::SessionKind::Tempo
                    | plan::SessionKind::Intervals
                    | plan::SessionKind::Race
            )
        };
        let days: Vec<&plan::Day> = saved.weeks.iter().flat_map(|w| &w.days).collect();
        assert!(
            days.iter()
                .any(|x| x.date == next_day && hard(x.session.kind))
        );
        assert!(
            !days
                .iter()
                .any(|x| x.date > day && x.date < next_day && hard(x.session.kind))
        );
        // A plan the program cannot read is ignored, not an error.
        store.save_plan(athlete, "{\"weeks\": 3}").unwrap();
        assert_eq!(
            next_planned_hard_session(plan().as_ref(), day, end, &tz),
            None
        );
    }

    #[test]
    fn session_kind_follows_sport_name_rpe_and_duration_not_load() {
        let store = SqliteStore::open_in_memory().unwrap();
        let athlete = store.default_athlete().unwrap();
        let add = |sport: Sport, name: &str, minutes: f64, rpe: Option<f64>| {
            let mut a = Activity::new(at("2026-03-02T08:00:00Z"), sport);
            a.name = Some(name.to_string());
            a.timer_s = minutes * 60.0;
            a.elapsed_s = minutes * 60.0;
            let id = store.insert_manual_activity(athlete, &a).unwrap();
            store.set_rpe(athlete, id, rpe).unwrap();
            id
        };
        let kind = |id: ActivityId, load: Option<f64>| {
            let mut s = store
                .list_activities(athlete, &ActivityFilter::default())
                .unwrap()
                .into_iter()
                .find(|s| s.id == id)
                .unwrap();
            if let Some(load) = load {
                s.loads = Some(fettle_store::ActivityLoads {
                    methods: std::collections::BTreeMap::new(),
                    load,
                    method: "duration".into(),
                });
            }
            let sessions = crate::training::SessionContext::load(&store, athlete).unwrap();
            sessions
                .classify(&s)
                .map_or(SessionKind::Strength, |c| SessionKind::from(c.kind))
        };
        let gym = add(Sport::Training, "Legs", 60.0, None);
        assert_eq!(kind(gym, None), SessionKind::Strength);
        let race = add(Sport::Running, "Park Race 5k", 20.0, None);
        assert_eq!(kind(race, None), SessionKind::Race);
        let terrace = add(Sport::Running, "Terrace loop", 30.0, None);
        assert_eq!(kind(terrace, None), SessionKind::Easy);
        let easy = add(Sport::Running, "Jog", 40.0, Some(3.0));
        assert_eq!(kind(easy, None), SessionKind::Easy);
        // A big load (80, say twice the fitness) no longer makes it hard: issue 13.
        assert_eq!(kind(easy, Some(80.0)), SessionKind::Easy);
        let reps = add(Sport::Running, "Reps", 40.0, Some(7.0));
        assert_eq!(kind(reps, None), SessionKind::Hard);
        // 90 min with no history of long runs: long from the 90-min default.
        let long = add(Sport::Running, "Sunday", 90.0, Some(4.0));
        assert_eq!(kind(long, None), SessionKind::Long);
    }
}
