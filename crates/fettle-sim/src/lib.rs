//! A simulated runner: a plausible season (or decade) of training for `fettle demo`, tests and
//! benchmarks.
//!
//! [`simulate`] turns a [`SimConfig`] into a [`SimHistory`]: daily sessions ([`Activity`] with
//! 1 Hz HR, pace, position, elevation, cadence and temperature streams, laps and summaries),
//! morning wellness reports, recovery logs, race results, and the hidden [`Truth`] that generated
//! them (true daily load, fitness, fatigue, VDOT, threshold speed, and the true effects of the
//! recovery methods), so that tests can check that Fettle's science recovers what was put in.
//!
//! The same seed always gives the same history: the simulator carries its own generator
//! (xoshiro256** seeded by SplitMix64) and no wall clock. For long histories that should not sit
//! in memory at once (ten years of 1 Hz runs are about half a gigabyte as FIT files), use
//! [`simulate_each`], which hands each activity to a callback as soon as it is generated.
//!
//! How the pieces respond to each other:
//! - the plan (16-week blocks: build weeks with recovery every 4th week, taper, goal race,
//!   transition) sets each day's session; illness cancels sessions;
//! - the session's true load (rTSS with the true threshold speed) feeds fitness and fatigue
//!   (`fettle_core::series`, 42 and 7 days); fitness raises the threshold speed, fatigue raises
//!   HR at a given pace, and form moves race performance (VDOT, Daniels & Gilbert);
//! - yesterday's load, fatigue and recovery work shape this morning's HRV, resting HR and
//!   wellness scores.
//!
//! ```
//! use fettle_sim::{SimConfig, simulate};
//!
//! let config = SimConfig { days: 14, ..SimConfig::season(7, jiff::civil::date(2026, 3, 1)) };
//! let history = simulate(&config)?;
//! assert_eq!(history.truth.days.len(), 14);
//! assert!(history.activities.iter().all(|a| a.streams.is_consistent()));
//! # Ok::<(), fettle_sim::SimError>(())
//! ```

mod physiology;
mod plan;
mod rng;
mod route;
mod session;
mod wellness;

use fettle_core::log::{RaceResult, RecoveryEntry, WellnessEntry};
use fettle_core::performance::race_time_for_vdot;
use fettle_formats::Activity;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

pub use physiology::{FITNESS_VDOT_PER_POINT, FORM_VDOT_PER_POINT};
pub use plan::Phase;
pub use session::DEVICE_NAME;
pub use wellness::{REFUEL_WINDOW_MIN, TrueEffect, true_effects};

use physiology::{HeartModel, TrueState};
use plan::{Kind, Volume};
use rng::Rng;
use session::Conditions;
use wellness::{Finished, Morning, MorningEffect, WellnessModel};

/// Days in the default season of [`SimConfig::season`] (26 weeks).
pub const SEASON_DAYS: u32 = 182;
/// The smallest heart-rate reserve (HRmax − HRrest) accepted, bpm.
pub const MIN_HR_RESERVE_BPM: f64 = 20.0;
/// The longest history [`simulate`] accepts, days (100 years).
pub const MAX_DAYS: u32 = 36_525;

/// Sex, for the sex-specific constants downstream (Banister TRIMP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
}

/// The simulated athlete's profile: what they would tell Fettle about themselves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimAthlete {
    /// Sex.
    pub sex: Sex,
    /// Body mass, kg.
    pub mass_kg: f64,
    /// Maximum heart rate, bpm. Recorded HR never exceeds it.
    pub hr_max: f64,
    /// Resting heart rate, bpm. Recorded HR during sessions never falls below it.
    pub hr_rest: f64,
    /// Lactate-threshold heart rate, bpm: the steady-state HR at threshold speed when fresh.
    pub lthr: f64,
    /// Threshold speed at the start of the simulation, m/s (the speed one can hold for about an
    /// hour). It then changes with fitness.
    pub threshold_speed_mps: f64,
    /// Baseline morning rMSSD, ms.
    pub rmssd_baseline_ms: f64,
    /// IANA time zone of the athlete's home, e.g. `Europe/London`.
    pub time_zone: String,
    /// Home latitude, degrees (routes start and end here).
    pub home_lat: f64,
    /// Home longitude, degrees.
    pub home_lon: f64,
    /// Home altitude, m.
    pub home_altitude_m: f64,
}

impl Default for SimAthlete {
    /// A club runner in south-west London: 68 kg, HR 48–188 bpm, LTHR 170, threshold
    /// 3.85 m/s (4:20 /km, VDOT ≈ 48), rMSSD 65 ms.
    fn default() -> SimAthlete {
        SimAthlete {
            sex: Sex::Male,
            mass_kg: 68.0,
            hr_max: 188.0,
            hr_rest: 48.0,
            lthr: 170.0,
            threshold_speed_mps: 3.85,
            rmssd_baseline_ms: 65.0,
            time_zone: "Europe/London".to_owned(),
            home_lat: 51.443,
            home_lon: -0.275,
            home_altitude_m: 40.0,
        }
    }
}

/// What to simulate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimConfig {
    /// Seed: the same seed gives the same history.
    pub seed: u64,
    /// The first simulated day (local to the athlete).
    pub start: Date,
    /// Number of days to simulate, 1 ..= [`MAX_DAYS`].
    pub days: u32,
    /// The athlete.
    pub athlete: SimAthlete,
    /// Weekly running volume at the start, km.
    pub base_weekly_km: f64,
    /// The most the weekly volume grows to over the years, km.
    pub peak_weekly_km: f64,
    /// Fitness (CTL, load points per day) at the start; `None` for three quarters of the steady
    /// state of the base volume (a runner starting a block after an easier spell).
    pub initial_fitness: Option<f64>,
}

impl SimConfig {
    /// A season of [`SEASON_DAYS`] days (about six months) ending on `end`, with the default
    /// athlete: one full training block with a goal half marathon and two tune-up races, then the
    /// start of the next block.
    pub fn season(seed: u64, end: Date) -> SimConfig {
        SimConfig::ending(seed, end, SEASON_DAYS)
    }

    /// `years` years ending on `end` (for benchmarks: ten years are about 3,000 runs).
    pub fn years(seed: u64, end: Date, years: u32) -> SimConfig {
        let days = (f64::from(years) * 365.25).round() as u32;
        SimConfig::ending(seed, end, days.clamp(1, MAX_DAYS))
    }

    fn ending(seed: u64, end: Date, days: u32) -> SimConfig {
        let back = SignedDuration::from_hours(24 * i64::from(days.saturating_sub(1)));
        SimConfig {
            seed,
            start: end.checked_sub(back).unwrap_or(end),
            days,
            athlete: SimAthlete::default(),
            base_weekly_km: 40.0,
            peak_weekly_km: 70.0,
            initial_fitness: None,
        }
    }

    /// Checks the configuration, saying what is wrong and what to do.
    pub fn validate(&self) -> Result<(), SimError> {
        let bad = |what: String| Err(SimError::InvalidConfig(what));
        let a = &self.athlete;
        if self.days == 0 || self.days > MAX_DAYS {
            return bad(format!("days is {}; choose 1 to {MAX_DAYS}", self.days));
        }
        if !(a.hr_rest >= 25.0
            && a.hr_rest < a.lthr
            && a.lthr < a.hr_max
            && a.hr_max <= 230.0
            && a.hr_max - a.hr_rest >= MIN_HR_RESERVE_BPM)
        {
            return bad(format!(
                "heart rates must satisfy 25 ≤ hr_rest < lthr < hr_max ≤ 230 bpm with \
                 hr_max − hr_rest ≥ {MIN_HR_RESERVE_BPM}, got rest {}, LTHR {}, max {}",
                a.hr_rest, a.lthr, a.hr_max
            ));
        }
        if !(1.5..=7.0).contains(&a.threshold_speed_mps) {
            return bad(format!(
                "threshold_speed_mps is {}; give the one-hour race speed in m/s (1.5–7.0, e.g. 3.85 for 4:20 /km)",
                a.threshold_speed_mps
            ));
        }
        if !(30.0..=200.0).contains(&a.mass_kg) {
            return bad(format!("mass_kg is {}; give 30–200 kg", a.mass_kg));
        }
        if !(5.0..=300.0).contains(&a.rmssd_baseline_ms) {
            return bad(format!(
                "rmssd_baseline_ms is {}; give 5–300 ms",
                a.rmssd_baseline_ms
            ));
        }
        if !((-80.0..=80.0).contains(&a.home_lat) && (-180.0..=180.0).contains(&a.home_lon)) {
            return bad(format!(
                "home ({}, {}) is not a latitude in −80..80 and a longitude in −180..180",
                a.home_lat, a.home_lon
            ));
        }
        if !a.home_altitude_m.is_finite() || a.home_altitude_m.abs() > 6000.0 {
            return bad(format!(
                "home_altitude_m is {}; give −6000..6000 m",
                a.home_altitude_m
            ));
        }
        if !(10.0..=250.0).contains(&self.base_weekly_km)
            || !(self.base_weekly_km..=250.0).contains(&self.peak_weekly_km)
        {
            return bad(format!(
                "weekly volumes must satisfy 10 ≤ base ≤ peak ≤ 250 km, got base {} and peak {}",
                self.base_weekly_km, self.peak_weekly_km
            ));
        }
        if let Some(f) = self.initial_fitness
            && !(0.0..=250.0).contains(&f)
        {
            return bad(format!(
                "initial_fitness is {f}; give 0–250 load points per day or None"
            ));
        }
        Ok(())
    }
}

/// Why a simulation could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimError {
    /// A configuration value is out of range.
    #[error("invalid simulation config: {0}")]
    InvalidConfig(String),
    /// The athlete's time zone is not known to the system's time-zone database.
    #[error("unknown time zone {name:?} ({reason}); use an IANA name such as \"Europe/London\"")]
    UnknownTimeZone {
        /// The name given.
        name: String,
        /// What the time-zone database said.
        reason: String,
    },
    /// A simulated date or instant fell outside the supported calendar.
    #[error("simulated dates out of range: {0}; choose a start between years 1900 and 9000")]
    DateOutOfRange(String),
}

/// One day of the hidden truth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrueDay {
    /// The local day.
    pub date: Date,
    /// The day's true load, load points (rTSS with the true threshold speed; swims and rides by
    /// their intensity factor).
    pub load: f64,
    /// Fitness (CTL) at the end of the day, after its load.
    pub fitness: f64,
    /// Fatigue (ATL) at the end of the day, after its load.
    pub fatigue: f64,
    /// Form this morning: yesterday's fitness − fatigue.
    pub morning_form: f64,
    /// The VDOT that set this day's threshold speed (from this morning's fitness).
    pub vdot_fitness: f64,
    /// The VDOT the runner would race at this day (fitness plus form).
    pub vdot_race: f64,
    /// This day's threshold speed, m/s.
    pub threshold_speed_mps: f64,
    /// Ill this day (no training).
    pub sick: bool,
}

/// One week of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrueWeek {
    /// The Monday that starts the week (may be before the first simulated day).
    pub monday: Date,
    /// The phase of the training block.
    pub phase: Phase,
    /// Planned running distance, km.
    pub planned_run_km: f64,
}

/// What generated the history, for tests to check Fettle's estimates against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// Every simulated day, in order.
    pub days: Vec<TrueDay>,
    /// Every planned week, in order.
    pub weeks: Vec<TrueWeek>,
    /// The true next-morning effects of the recovery methods.
    pub recovery_effects: Vec<TrueEffect>,
    /// The athlete's baseline ln rMSSD (before load, fatigue and recovery effects).
    pub baseline_ln_rmssd: f64,
}

/// A simulated history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimHistory {
    /// The athlete.
    pub athlete: SimAthlete,
    /// Sessions in start order (empty when produced by [`simulate_each`]).
    pub activities: Vec<Activity>,
    /// Morning wellness reports (some days are missing).
    pub wellness: Vec<WellnessEntry>,
    /// Recovery sessions and meals, in time order.
    pub recovery: Vec<RecoveryEntry>,
    /// Race results.
    pub races: Vec<RaceResult>,
    /// The hidden truth.
    pub truth: Truth,
}

/// Simulates the history described by `config`, keeping every activity in memory.
pub fn simulate(config: &SimConfig) -> Result<SimHistory, SimError> {
    let mut activities = Vec::with_capacity(config.days as usize);
    let mut history = simulate_each(config, |a| activities.push(a))?;
    history.activities = activities;
    Ok(history)
}

/// Independent generator streams, so that each part draws from its own sequence.
const PLAN_STREAM: u64 = 1;
/// See [`PLAN_STREAM`].
const SESSION_STREAM: u64 = 2;
/// See [`PLAN_STREAM`].
const WELLNESS_STREAM: u64 = 3;
/// See [`PLAN_STREAM`].
const ATHLETE_STREAM: u64 = 4;

/// Probability that a planned (non-race) session is skipped for life's reasons.
const SKIP_PROBABILITY: f64 = 0.03;
/// Race-day variation of performance (weather, course, tactics), VDOT points SD.
const RACE_DAY_VDOT_SD: f64 = 0.3;
/// Intensity factor of an easy pool swim, for its load (hours × IF² × 100).
const SWIM_INTENSITY_FACTOR: f64 = 0.7;
/// Length of a swim when the plan gives none, m.
const DEFAULT_SWIM_M: f64 = 1500.0;
/// Mean intensity factor of an easy week's running, for the default initial fitness.
const EASY_INTENSITY: f64 = 0.77;
/// Extra load of a week's workouts over all-easy running, for the default initial fitness.
const WORKOUT_LOAD_FACTOR: f64 = 1.15;
/// The default initial fitness as a fraction of the base volume's steady state: the runner
/// starts the first block after an easier spell, so the first build raises fitness visibly.
const INITIAL_FITNESS_FRACTION: f64 = 0.75;

/// Simulates the history described by `config`, handing each activity to `on_activity` as soon
/// as it is generated (in start order). The returned history has no activities.
pub fn simulate_each(
    config: &SimConfig,
    mut on_activity: impl FnMut(Activity),
) -> Result<SimHistory, SimError> {
    config.validate()?;
    let athlete = &config.athlete;
    let tz = TimeZone::get(&athlete.time_zone).map_err(|e| SimError::UnknownTimeZone {
        name: athlete.time_zone.clone(),
        reason: e.to_string(),
    })?;
    let out_of_range = |e: jiff::Error| SimError::DateOutOfRange(e.to_string());
    let local = |date: Date, (hour, minute): (i8, i8)| -> Result<Timestamp, SimError> {
        tz.to_timestamp(date.at(hour.clamp(0, 23), minute.clamp(0, 59), 0, 0))
            .map_err(out_of_range)
    };

    let volume = Volume {
        base_km: config.base_weekly_km,
        peak_km: config.peak_weekly_km,
    };
    let initial_fitness = config.initial_fitness.unwrap_or_else(|| {
        let hours_per_day = config.base_weekly_km * 1000.0
            / 7.0
            / (EASY_INTENSITY * athlete.threshold_speed_mps * 3600.0);
        hours_per_day
            * EASY_INTENSITY
            * EASY_INTENSITY
            * 100.0
            * WORKOUT_LOAD_FACTOR
            * INITIAL_FITNESS_FRACTION
    });
    let mut state = TrueState::new(initial_fitness, athlete.threshold_speed_mps);
    let heart = HeartModel::new(athlete.hr_rest, athlete.hr_max, athlete.lthr);
    let mut plan_rng = Rng::new(config.seed, PLAN_STREAM);
    let mut session_rng = Rng::new(config.seed, SESSION_STREAM);
    let mut wellness_rng = Rng::new(config.seed, WELLNESS_STREAM);
    let mut athlete_rng = Rng::new(config.seed, ATHLETE_STREAM);
    let step_rate_offset_spm = athlete_rng.gauss(0.0, 3.0);
    let mut wellness_model =
        WellnessModel::new(athlete.rmssd_baseline_ms, athlete.hr_rest, athlete.mass_kg);

    let days = config.days as usize;
    let mut wellness = Vec::with_capacity(days);
    let mut recovery = Vec::with_capacity(days * 2);
    let mut races = Vec::new();
    let mut truth_days = Vec::with_capacity(days);
    let mut weeks = Vec::with_capacity(days / 7 + 2);

    let first_offset = config.start.weekday().to_monday_zero_offset() as u32;
    let mut date = config.start;
    let mut week_plan = None;
    let mut sick_days_left = 0_u32;
    let mut yesterday_load = 0.0;
    let mut yesterday_effect = MorningEffect::default();
    let mut finished: Vec<Finished> = Vec::with_capacity(2);

    for day in 0..config.days {
        if day > 0 {
            date = date.tomorrow().map_err(out_of_range)?;
        }
        let offset = day + first_offset;
        let (week, weekday) = (offset / 7, (offset % 7) as usize);
        if weekday == 0 || week_plan.is_none() {
            let plan = plan::plan_week(volume, week, &mut plan_rng);
            let monday = date
                .checked_sub(SignedDuration::from_hours(24 * weekday as i64))
                .map_err(out_of_range)?;
            weeks.push(TrueWeek {
                monday,
                phase: plan.phase,
                planned_run_km: plan.planned_run_km,
            });
            week_plan = Some(plan);
        }
        let (ill_p, ill_min, ill_max) = wellness::ILLNESS;
        if sick_days_left == 0 && plan_rng.chance(ill_p) {
            sick_days_left = plan_rng.int(ill_min, ill_max);
        }
        let sick = sick_days_left > 0;
        sick_days_left = sick_days_left.saturating_sub(1);

        // Morning: the state left by yesterday.
        let morning_form = state.form();
        let vdot_fitness = state.vdot_fitness();
        let vdot_race = state.vdot_race();
        let threshold_mps = state.threshold_speed_mps();
        let morning = Morning {
            date,
            yesterday_load,
            fatigue_excess: state.fatigue_excess(),
            sick,
            effect: yesterday_effect,
        };
        if let Some(entry) = wellness_model.morning(&morning, &mut wellness_rng) {
            wellness.push(entry);
        }

        // The day's session.
        let planned = week_plan.as_ref().and_then(|p| p.days[weekday]);
        let skipped = plan_rng.chance(SKIP_PROBABILITY);
        let mut day_load = 0.0;
        finished.clear();
        if let Some(planned) =
            planned.filter(|p| !sick && (matches!(p.kind, Kind::Race { .. }) || !skipped))
        {
            let start = local(date, planned.local_time)?;
            let ambient_c = ambient_temperature(date, planned.local_time.0, athlete.home_lat)
                + session_rng.gauss(0.0, 2.5);
            let cond = Conditions {
                heart,
                threshold_mps,
                fatigue_excess: state.fatigue_excess(),
                ambient_c,
                start,
                utc_offset_s: tz.to_offset(start).seconds(),
                home_lat: athlete.home_lat,
                home_lon: athlete.home_lon,
                home_altitude_m: athlete.home_altitude_m,
                step_rate_offset_spm,
            };
            let race_vdot = vdot_race + session_rng.gauss(0.0, RACE_DAY_VDOT_SD);
            let race_intensity = match planned.kind {
                Kind::Race { distance_m } => race_time_for_vdot(race_vdot, distance_m)
                    .map_or(1.0, |t| distance_m / t / threshold_mps),
                _ => 1.0,
            };
            let generated = match plan::session_spec(&planned, race_intensity, &mut session_rng) {
                Some(spec) => session::generate_moving(&spec, &cond, &mut session_rng),
                None => {
                    let metres = match planned.kind {
                        Kind::Swim { metres } => metres,
                        _ => DEFAULT_SWIM_M,
                    };
                    session::generate_swim(
                        "Pool swim",
                        metres,
                        SWIM_INTENSITY_FACTOR,
                        &cond,
                        &mut session_rng,
                    )
                }
            };
            if let Kind::Race { distance_m } = planned.kind
                && let Some(time_s) = time_at_distance(&generated.activity, distance_m)
            {
                races.push(RaceResult {
                    date,
                    distance_m,
                    time_s: time_s.round(),
                    kind: "race".to_owned(),
                });
            }
            day_load += generated.load;
            finished.push(Finished {
                end: generated.activity.end(),
                minutes: generated.activity.timer_s / 60.0,
                hard: planned.kind.is_hard(),
                long_or_race: matches!(planned.kind, Kind::Long | Kind::Race { .. }),
                is_run: generated.activity.sport.is_running(),
            });
            on_activity(generated.activity);
        }

        // Evening: recovery work, then the day's load enters fitness and fatigue.
        let evening = local(date, (19, 30))?;
        yesterday_effect = if sick {
            MorningEffect::default()
        } else {
            wellness_model.evening(
                &finished,
                day_load,
                evening,
                &mut wellness_rng,
                &mut recovery,
            )
        };
        state.end_day(day_load);
        yesterday_load = day_load;
        truth_days.push(TrueDay {
            date,
            load: day_load,
            fitness: state.fitness,
            fatigue: state.fatigue,
            morning_form,
            vdot_fitness,
            vdot_race,
            threshold_speed_mps: threshold_mps,
            sick,
        });
    }

    Ok(SimHistory {
        athlete: athlete.clone(),
        activities: Vec::new(),
        wellness,
        recovery,
        races,
        truth: Truth {
            days: truth_days,
            weeks,
            recovery_effects: true_effects(),
            baseline_ln_rmssd: wellness_model.baseline_ln_rmssd(),
        },
    })
}

/// Mean air temperature, °C, for a temperate home: an annual cycle peaking in late July (late
/// January south of the equator), cooler before 10:00.
fn ambient_temperature(date: Date, local_hour: i8, latitude: f64) -> f64 {
    const MEAN_C: f64 = 11.0;
    const ANNUAL_SWING_C: f64 = 7.0;
    const WARMEST_DAY_OF_YEAR: f64 = 200.0;
    let mut phase = (f64::from(date.day_of_year()) - WARMEST_DAY_OF_YEAR) / 365.25;
    if latitude < 0.0 {
        phase += 0.5;
    }
    let morning = if local_hour < 10 { -2.0 } else { 1.0 };
    MEAN_C + ANNUAL_SWING_C * (std::f64::consts::TAU * phase).cos() + morning
}

/// Seconds from the start until the recorded distance first reaches `distance_m`, interpolated
/// between samples.
fn time_at_distance(activity: &Activity, distance_m: f64) -> Option<f64> {
    let st = &activity.streams;
    let k = st.distance_m.iter().position(|&d| d >= distance_m)?;
    if k == 0 {
        return Some(st.time_s[0]);
    }
    let (d0, d1) = (st.distance_m[k - 1], st.distance_m[k]);
    let (t0, t1) = (st.time_s[k - 1], st.time_s[k]);
    let f = if d1 > d0 {
        (distance_m - d0) / (d1 - d0)
    } else {
        1.0
    };
    Some(t0 + f * (t1 - t0))
}
