//! The training planner: from the athlete's current state to a goal race, day by day.
//!
//! A plan is built in four steps (docs/science.md):
//! 1. **Weeks.** Weeks are calendar weeks starting on `week_start` (Monday by default); the first
//!    runs from today to the end of its week (`partial` when today is not its first day) and the
//!    last, the `race` week, ends on race day. The last weeks are the
//!    taper (1 week for 5–10 km, 2 for a half, 3 for a marathon, race week included; a week
//!    shorter or longer, within 1–3, only when that is what brings race-morning form into range); the weeks
//!    before it follow the loading:recovery cycle counted back from the taper, so the final build
//!    block ends at the peak. A plan never opens with a recovery week (the athlete's recent
//!    training is the block before it), and the first recovery week follows at least one full
//!    build week.
//! 2. **Volume.** Weekly distance rises from what the athlete runs now towards a peak for the
//!    race distance and the athlete's history ([`PEAK_GROWTH_OVER_RECENT`] × now, inside the
//!    range of established plans), spread evenly over the build weeks that may rise, by at most
//!    [`MAX_WEEKLY_DISTANCE_INCREASE`] a week, and cut further when the forecast fitness (CTL)
//!    would rise by more than `max_ramp` points in the week. Recovery weeks run at
//!    [`RECOVERY_WEEK_FRACTION`] of the last build week; the week after a recovery week returns to
//!    that build level, not above it — the rule Fettle's weekly-distance flag measures by, so a
//!    plan followed as written never raises it. The taper cut
//!    (within Bosquet's 41–60 %) is chosen so that race-morning form lands in
//!    [`RACE_FORM_MIN`]…[`RACE_FORM_MAX`].
//! 3. **Days.** Every day gets a session (rest on non-training days) with targets and expected
//!    load, and the recovery items that fit it.
//! 4. **Forecast.** Fitness, fatigue and form are run forward day by day through race day, with
//!    race-time predictions and plain warnings when the date is too close or the goal unrealistic.
//!
//! Load is in load points (100 = one hour at threshold, docs/science.md); a session's expected
//! load is `hours × IF² × 100` with IF = pace speed / threshold speed (rTSS, docs/science.md).
//! Everything here is pure: today is a parameter, nothing reads the clock or a file.

mod adherence;
mod build;
mod care;
mod forecast;
pub mod ical;
mod sessions;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

use crate::log::RecoveryMethod;
pub use crate::performance::{VdotEvidence, VdotSource};

pub use adherence::{Adherence, AdherenceSummary, DayMark, Mark, WeekAdherence, adherence};

/// Default ramp cap in fitness (CTL) points per week. docs/science.md: "about 3–8 points/week
/// sustainable"; 6 lets a plan build while staying inside that band.
pub const DEFAULT_MAX_RAMP: f64 = 6.0;
/// Recovery-week distance as a fraction of the previous loading week: the middle of the 60–80 %
/// in docs/science.md.
pub const RECOVERY_WEEK_FRACTION: f64 = 0.7;
/// Largest planned increase of weekly distance from one loading week to the next. Nielsen et al.
/// 2014 (JOSPT 44:739) linked > 30 % over two weeks to injuries and the 10 % rule has no good
/// evidence (docs/science.md); 10 % per loading week keeps any two-week rise ≤ 21 %, well under 30 %.
pub const MAX_WEEKLY_DISTANCE_INCREASE: f64 = 0.10;
/// Share of the week's distance for a long run outside the build's progression (taper weeks, a
/// plan too short to progress), and the athlete's current long run when the build starts.
pub const LONG_RUN_SHARE: f64 = 0.28;
/// The usual upper bound on the long run's share of the week's distance; above it the session
/// and the plan say so.
pub const LONG_RUN_MAX_SHARE: f64 = 0.30;
/// Hard upper bound on the long run's share of the week: the peak long runs of published
/// marathon plans reach about 36 % of their week (Pfitzinger & Douglas, Advanced Marathoning:
/// 20 miles in a 55-mile week); never more than this.
pub const LONG_RUN_STRETCH_SHARE: f64 = 0.38;
/// The peak long run as a share of the peak week, before the distance's range is applied
/// (Advanced Marathoning's 20–22 mile long runs in 55–70 mile weeks).
pub const LONG_RUN_PEAK_SHARE: f64 = 0.36;
/// A cutback long run is this share of the last progressive one: long runs alternate between a
/// step up and a shorter one (Pfitzinger & Douglas alternate long and medium-long runs).
pub const LONG_RUN_CUTBACK: f64 = 0.75;
/// Peak long-run range for a 5 km race, metres (published 5 km plans: 12–16 km).
pub const LONG_RUN_PEAK_5K_M: [f64; 2] = [12_000.0, 16_000.0];
/// Peak long-run range for a 10 km race, metres (14–18 km).
pub const LONG_RUN_PEAK_10K_M: [f64; 2] = [14_000.0, 18_000.0];
/// Peak long-run range for a half marathon, metres (18–24 km).
pub const LONG_RUN_PEAK_HALF_M: [f64; 2] = [18_000.0, 24_000.0];
/// Peak long-run range for a marathon, metres (29–35 km: Pfitzinger & Douglas, Daniels,
/// Hudson).
pub const LONG_RUN_PEAK_MARATHON_M: [f64; 2] = [29_000.0, 35_000.0];
/// Longest long run in minutes: about 3 hours (Hudson; Advanced Marathoning's longest runs at
/// easy pace), beyond which the extra time adds fatigue more than fitness.
pub const LONG_RUN_MAX_MINUTES: f64 = 180.0;
/// Smallest taper volume cut (Bosquet et al. 2007, MSSE 39:1358: 41–60 %).
pub const TAPER_CUT_MIN: f64 = 0.41;
/// Largest taper volume cut (Bosquet et al. 2007).
pub const TAPER_CUT_MAX: f64 = 0.60;
/// Lowest race-morning form aimed for (docs/science.md: roughly +5 to +25).
pub const RACE_FORM_MIN: f64 = 5.0;
/// Highest race-morning form aimed for (docs/science.md).
pub const RACE_FORM_MAX: f64 = 25.0;
/// The form the taper aims at inside the range: its middle.
pub const RACE_FORM_TARGET: f64 = 15.0;
/// Weekly distance of the beginner baseline used when there is no history: three runs of
/// about 5 km. With no history the starting fitness and fatigue are 0 (nothing recorded).
pub const BEGINNER_WEEKLY_DISTANCE_M: f64 = 15_000.0;
/// Threshold pace assumed when the athlete has neither a threshold pace nor a VDOT, s/km
/// (5:30/km, a one-hour effort of a VDOT ≈ 36 recreational runner). Only used to turn loads into
/// distances; no pace targets are shown from it.
pub const DEFAULT_THRESHOLD_PACE_S_PER_KM: f64 = 330.0;
/// Lowest peak weekly distance planned for a 5 km race, metres: the peak of published
/// intermediate 5 km plans (Daniels' Running Formula, Higdon). The ends of the peak range for
/// other distances are interpolated on log(distance) up to the marathon's.
pub const PEAK_WEEKLY_DISTANCE_5K_M: f64 = 40_000.0;
/// Lowest peak weekly distance planned for a marathon, metres (≈ 50 miles: Pfitzinger &
/// Douglas' lightest schedules in Advanced Marathoning peak at 55 miles).
pub const PEAK_WEEKLY_DISTANCE_MARATHON_M: f64 = 80_000.0;
/// Highest peak planned for a 5 km race, metres (≈ 40 miles, Pfitzinger's Faster Road Racing
/// lower schedules); a runner already above it keeps their volume.
pub const PEAK_WEEKLY_DISTANCE_MAX_5K_M: f64 = 65_000.0;
/// Highest peak planned for a marathon, metres (70 miles: Advanced Marathoning's 55–70 mile
/// schedules); a runner already above it keeps their volume.
pub const PEAK_WEEKLY_DISTANCE_MAX_MARATHON_M: f64 = 113_000.0;
/// The peak aimed for, as a multiple of what the athlete runs now (inside the range above): a
/// build of about a third, the rise of Advanced Marathoning's schedules from their first weeks to
/// their peak.
pub const PEAK_GROWTH_OVER_RECENT: f64 = 1.35;
/// The peak aimed for when the goal asks for the most improvement a plan can bring
/// ([`AMBITIOUS_GOAL_VDOT_GAIN`] or more above the current VDOT): half as much again as now,
/// still inside the distance's range — the step from Advanced Marathoning's 55–70-mile to its
/// 70–85-mile schedules, which the authors advise for runners chasing a faster time.
pub const PEAK_GROWTH_AMBITIOUS: f64 = 1.5;
/// The VDOT gain above the current one at which a goal counts as fully ambitious: three
/// points, what twelve weeks bring at [`MAX_VDOT_GAIN_PER_WEEK`]. Between no gain and this,
/// the peak's growth rises in proportion from [`PEAK_GROWTH_OVER_RECENT`] to
/// [`PEAK_GROWTH_AMBITIOUS`]; a goal at or below the current fitness changes nothing.
pub const AMBITIOUS_GOAL_VDOT_GAIN: f64 = 3.0;
/// Fastest plausible VDOT gain per week of training: Daniels advises raising the training VDOT
/// by about one point every 4–6 weeks; the faster end is used to judge a goal.
pub const MAX_VDOT_GAIN_PER_WEEK: f64 = 0.25;
/// For races of a half marathon or longer, the longest planned run should reach this share of the
/// race distance (Fettle's convention: at least half the race, e.g. ≈ 21 km before a marathon,
/// which the 30 % long-run cap allows from about 70 km a week); below it the plan warns that the
/// date is too close.
pub const LONG_RUN_READINESS_SHARE: f64 = 0.5;

/// Longest plan, weeks (two years): a plan further out is a guess, and the input is refused.
pub const MAX_PLAN_WEEKS: i64 = 104;

/// Marathon distance, metres.
pub const MARATHON_M: f64 = 42_195.0;
/// Half-marathon distance, metres.
pub const HALF_MARATHON_M: f64 = 21_097.5;

/// Why a plan could not be made, and what to do about it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// The race is today or in the past.
    #[error("the race date {race} is not after today ({today}); pick a future race date")]
    RaceNotInFuture {
        /// Race date.
        race: Date,
        /// Today.
        today: Date,
    },
    /// The race is further away than the planner plans.
    #[error(
        "the race on {race} is more than {MAX_PLAN_WEEKS} weeks away; make a plan within {MAX_PLAN_WEEKS} weeks of it"
    )]
    RaceTooFar {
        /// Race date.
        race: Date,
    },
    /// The race distance is outside what the planner handles.
    #[error(
        "race distance {0} m is outside 1 000–100 000 m; give a distance such as 5k, 10km, half or marathon"
    )]
    BadDistance(f64),
    /// Fewer than three training days.
    #[error("only {0} training day(s) given; pick at least 3, e.g. --days mon,wed,fri")]
    TooFewTrainingDays(usize),
    /// The long-run day is not one of the training days.
    #[error("the long-run day {0:?} is not one of the training days; add it to --days")]
    LongRunDayNotTrainingDay(Weekday),
    /// A number in the request is not usable.
    #[error("{what} must be {expected}, got {value}")]
    BadNumber {
        /// Which input.
        what: &'static str,
        /// What is allowed.
        expected: String,
        /// What was given.
        value: f64,
    },
    /// An access item is not known.
    #[error(
        "unknown recovery access {0:?}; use {words}",
        words = crate::recovery::Access::words()
    )]
    UnknownAccess(String),
    /// Text could not be parsed.
    #[error("cannot read {what} from {text:?}: {hint}")]
    Parse {
        /// Which input.
        what: &'static str,
        /// The text given.
        text: String,
        /// What would work.
        hint: &'static str,
    },
    /// Dates fall outside the supported calendar range.
    #[error("dates out of range; use dates between 1900 and 9000")]
    DateRange,
    /// The calendar export needs a named time zone.
    #[error("calendar export needs a named IANA time zone such as Europe/Paris")]
    UnnamedTimeZone,
}

/// Parses a race distance: `marathon`, `half` (`half-marathon`), `10k`, `10km`, `5k`, `21.1km`,
/// `800m` or plain metres (`42195`).
pub fn parse_distance(text: &str) -> Result<f64, PlanError> {
    let t = text.trim().to_ascii_lowercase().replace([' ', '_'], "");
    let err = || PlanError::Parse {
        what: "a race distance",
        text: text.to_owned(),
        hint: "use marathon, half, 10km, 5k or metres such as 15000",
    };
    let metres = match t.as_str() {
        "marathon" | "full" => MARATHON_M,
        "half" | "halfmarathon" | "half-marathon" => HALF_MARATHON_M,
        _ => {
            let (number, scale) = if let Some(n) = t.strip_suffix("km") {
                (n, 1000.0)
            } else if let Some(n) = t.strip_suffix('k') {
                (n, 1000.0)
            } else if let Some(n) = t.strip_suffix('m') {
                (n, 1.0)
            } else {
                (t.as_str(), 1.0)
            };
            number.parse::<f64>().map_err(|_| err())? * scale
        }
    };
    check_distance(metres)
}

fn check_distance(metres: f64) -> Result<f64, PlanError> {
    if metres.is_finite() && (1000.0..=100_000.0).contains(&metres) {
        Ok(metres)
    } else {
        Err(PlanError::BadDistance(metres))
    }
}

/// Parses a goal time `h:mm:ss` or `mm:ss` into seconds.
pub fn parse_goal_time(text: &str) -> Result<f64, PlanError> {
    let err = || PlanError::Parse {
        what: "a goal time",
        text: text.to_owned(),
        hint: "use h:mm:ss or mm:ss, e.g. 3:15:00",
    };
    let parts: Vec<&str> = text.trim().split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return Err(err());
    }
    let mut seconds = 0.0;
    for (i, part) in parts.iter().enumerate() {
        // Digits only: `u32`'s parser also takes a leading `+`.
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let value: u32 = part.parse().map_err(|_| err())?;
        if i > 0 && value >= 60 {
            return Err(err());
        }
        seconds = seconds * 60.0 + f64::from(value);
    }
    if seconds > 0.0 {
        Ok(seconds)
    } else {
        Err(err())
    }
}

/// Parses one weekday name (`mon`, `monday`, `Tue` …).
pub fn parse_weekday(text: &str) -> Result<Weekday, PlanError> {
    let t = text.trim().to_ascii_lowercase();
    let day = match t.get(..3).unwrap_or("") {
        "mon" => Weekday::Monday,
        "tue" => Weekday::Tuesday,
        "wed" => Weekday::Wednesday,
        "thu" => Weekday::Thursday,
        "fri" => Weekday::Friday,
        "sat" => Weekday::Saturday,
        "sun" => Weekday::Sunday,
        _ => {
            return Err(PlanError::Parse {
                what: "a weekday",
                text: text.to_owned(),
                hint: "use mon, tue, wed, thu, fri, sat or sun",
            });
        }
    };
    Ok(day)
}

/// Parses a comma-separated list of weekdays (`mon,tue,thu,sat,sun`).
pub fn parse_weekdays(text: &str) -> Result<BTreeSet<u8>, PlanError> {
    text.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_weekday(s).map(weekday_index))
        .collect()
}

/// Parses a loading:recovery cycle, `3:1` or `2:1`.
pub fn parse_cycle(text: &str) -> Result<Cycle, PlanError> {
    match text.trim() {
        "3:1" => Ok(Cycle::ThreeOne),
        "2:1" => Ok(Cycle::TwoOne),
        _ => Err(PlanError::Parse {
            what: "a loading:recovery cycle",
            text: text.to_owned(),
            hint: "use 3:1 (default) or 2:1",
        }),
    }
}

/// Monday-zero index of a weekday (0 = Monday … 6 = Sunday), the form training days are kept in.
pub fn weekday_index(day: Weekday) -> u8 {
    // to_monday_zero_offset is 0..=6, so the cast is exact.
    day.to_monday_zero_offset().unsigned_abs()
}

/// The default training days: Monday, Tuesday, Thursday, Saturday, Sunday (five days with a rest
/// day between the two blocks, the long run at the weekend).
pub fn default_training_days() -> BTreeSet<u8> {
    [0, 1, 3, 5, 6].into_iter().collect()
}

/// Loading:recovery cycle (docs/science.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cycle {
    /// Three loading weeks, one recovery week (the default).
    #[default]
    ThreeOne,
    /// Two loading weeks, one recovery week.
    TwoOne,
}

impl Cycle {
    /// Number of loading weeks in one cycle.
    pub fn loading_weeks(self) -> usize {
        match self {
            Cycle::ThreeOne => 3,
            Cycle::TwoOne => 2,
        }
    }
}

/// Where the athlete starts from: fitness and fatigue on the morning of `today` (i.e. after the
/// last recorded day) and the recent weekly running distance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StartingPoint {
    /// Fitness (CTL) this morning, load points per day.
    pub fitness: f64,
    /// Fatigue (ATL) this morning, load points per day.
    pub fatigue: f64,
    /// Average weekly running distance of the last weeks, metres.
    pub recent_weekly_distance_m: f64,
}

impl StartingPoint {
    /// The beginner baseline used when there is no history: fitness and fatigue 0 (nothing is
    /// recorded) and [`BEGINNER_WEEKLY_DISTANCE_M`] as the level to start from.
    pub fn beginner() -> StartingPoint {
        StartingPoint {
            fitness: 0.0,
            fatigue: 0.0,
            recent_weekly_distance_m: BEGINNER_WEEKLY_DISTANCE_M,
        }
    }
}

/// The athlete's thresholds, each when known.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Thresholds {
    /// Threshold pace, seconds per km (the pace one can hold for about an hour).
    pub threshold_pace_s_per_km: Option<f64>,
    /// Lactate-threshold heart rate, bpm.
    pub lthr_bpm: Option<f64>,
    /// Maximum heart rate, bpm.
    pub hrmax_bpm: Option<f64>,
    /// Current VDOT when known (e.g. from a recent race).
    pub current_vdot: Option<f64>,
    /// Where `current_vdot` comes from. A race or time trial is better evidence of fitness than
    /// a threshold pace, so with one the training paces come from the VDOT; otherwise the
    /// threshold pace sets them and the VDOT is used only when there is no threshold pace.
    #[serde(default)]
    pub vdot_evidence: Option<VdotEvidence>,
}

/// Everything the planner needs. Build it with [`PlanRequest::new`] and adjust the fields.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRequest {
    /// Today: the first planned day.
    pub today: Date,
    /// Race day.
    pub race_date: Date,
    /// Race distance, metres (see [`parse_distance`]).
    pub race_distance_m: f64,
    /// Goal time, seconds.
    pub goal_time_s: Option<f64>,
    /// Training days as Monday-zero indices (see [`weekday_index`], [`parse_weekdays`]).
    pub training_days: BTreeSet<u8>,
    /// Long-run day; `None` = the last training day of the week.
    pub long_run_day: Option<Weekday>,
    /// First day of the plan's weeks (Monday by default).
    pub week_start: Weekday,
    /// Loading:recovery cycle.
    pub cycle: Cycle,
    /// Ramp cap, fitness points per week ([`DEFAULT_MAX_RAMP`]).
    pub max_ramp: f64,
    /// Starting point; `None` = [`StartingPoint::beginner`].
    pub start: Option<StartingPoint>,
    /// Thresholds for targets.
    pub thresholds: Thresholds,
    /// Recovery means the athlete has ([`crate::recovery::Access`] words: `compression-boots`,
    /// `compression-garments`, `ice-bath`, `cryo-centre`, `massage`, `foam-roller`; free
    /// methods are always assumed).
    pub access: BTreeSet<String>,
    /// The athlete is in a strength-focused block (no ice baths then: Roberts et al. 2015).
    pub strength_block: bool,
    /// Body mass in kg, for nutrition amounts.
    pub body_mass_kg: Option<f64>,
    /// The personal model's predicted VDOT on race day, when it has a fit.
    pub model_race_day_vdot: Option<f64>,
    /// The athlete just ran a week much harder than planned: the first week is a recovery week
    /// (at [`RECOVERY_WEEK_FRACTION`] of the recent weekly distance) to absorb it.
    pub first_week_easier: bool,
}

impl PlanRequest {
    /// A request with the defaults: 5 training days, long run on the last one, 3:1 cycle, ramp
    /// cap 6, beginner baseline, no thresholds, no access.
    pub fn new(today: Date, race_date: Date, race_distance_m: f64) -> PlanRequest {
        PlanRequest {
            today,
            race_date,
            race_distance_m,
            goal_time_s: None,
            training_days: default_training_days(),
            long_run_day: None,
            week_start: Weekday::Monday,
            cycle: Cycle::default(),
            max_ramp: DEFAULT_MAX_RAMP,
            start: None,
            thresholds: Thresholds::default(),
            access: BTreeSet::new(),
            strength_block: false,
            body_mass_kg: None,
            model_race_day_vdot: None,
            first_week_easier: false,
        }
    }
}

/// The race a plan leads to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Race {
    /// Race day.
    pub date: Date,
    /// Distance, metres.
    pub distance_m: f64,
    /// Goal time, seconds.
    pub goal_time_s: Option<f64>,
}

/// What a week is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeekKind {
    /// A loading week.
    Build,
    /// A recovery week of the loading:recovery cycle.
    Recovery,
    /// A taper week before the race week.
    Taper,
    /// The week ending on race day.
    Race,
}

/// What a session is: the one kind the planner, today's decision and the recovery advice share.
///
/// The planner lays out `rest` … `race`; the advice after a session (`recovery::prescribe`) sees
/// a done session coarser — an easy, long or `hard` run (tempo and intervals, from
/// [`crate::classify`]), a race, or `strength` work — so [`SessionKind::Hard`] and
/// [`SessionKind::Strength`] never appear in a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// No running.
    Rest,
    /// Easy run.
    Easy,
    /// Long run (easy pace).
    Long,
    /// Threshold (tempo) run.
    Tempo,
    /// Intervals at VO2max pace.
    Intervals,
    /// The race.
    Race,
    /// A hard session (intervals, tempo, hills) as the recovery advice sees a done one.
    Hard,
    /// Strength training (done, never planned).
    Strength,
}

impl SessionKind {
    /// A hard session: tempo, intervals, a race (or a done session classified hard).
    pub fn is_hard(self) -> bool {
        matches!(
            self,
            SessionKind::Tempo | SessionKind::Intervals | SessionKind::Hard | SessionKind::Race
        )
    }

    /// A session that needs a body ready for hard work, and that the recovery rules count as
    /// "the next hard session": a hard one or a long run.
    pub fn is_demanding(self) -> bool {
        self.is_hard() || self == SessionKind::Long
    }
}

/// Intensity zone of a part of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// Easy, conversational.
    Easy,
    /// Threshold.
    Tempo,
    /// VO2max intervals.
    Interval,
    /// Race pace.
    Race,
}

/// A target for a part of a session: pace when the threshold pace (or VDOT) is known, heart
/// rate when LTHR or HRmax is, and always an effort (RPE, CR-10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// The zone.
    pub zone: Zone,
    /// Pace range `[fast, slow]`, seconds per km.
    pub pace_s_per_km: Option<[f64; 2]>,
    /// Heart-rate range `[low, high]`, bpm.
    pub heart_rate_bpm: Option<[f64; 2]>,
    /// Perceived effort range on the CR-10 scale.
    pub rpe: [u8; 2],
}

/// One part of a session (warm-up, main set, cool-down).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionPart {
    /// What to do, e.g. `warm-up`, `tempo`, `intervals in reps of 800–1000 m`.
    pub label: String,
    /// Distance, metres.
    pub distance_m: f64,
    /// Expected duration, seconds.
    pub duration_s: f64,
    /// Target.
    pub target: Target,
}

/// The training phase a week belongs to: the session mix changes across them (Daniels'
/// Running Formula's four phases; Pfitzinger & Douglas' base, lactate threshold, race
/// preparation and taper mesocycles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Foundation: easy volume, hills, strides, progression runs.
    Base,
    /// Threshold and VO2max intervals at VDOT paces.
    #[default]
    Build,
    /// Race-specific: race-pace work (marathon-pace segments in long runs and mid-week for the
    /// longer races, race-pace repetitions for the shorter ones).
    Specific,
    /// Volume cut, intensity kept.
    Taper,
}

/// What a session is for, finer than its [`SessionKind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Workout {
    /// Rest.
    Rest,
    /// Easy run.
    Easy,
    /// Easy run finished with strides.
    Strides,
    /// Long run at easy pace.
    Long,
    /// Long run with a race-pace (marathon-pace) segment.
    LongRacePace,
    /// Threshold (cruise intervals).
    Threshold,
    /// VO2max intervals.
    Intervals,
    /// Hill repetitions.
    Hills,
    /// Progression run: easy, then the last part at threshold effort.
    Progression,
    /// Race-pace session (marathon pace mid-week, or race-pace repetitions).
    RacePace,
    /// The race.
    Race,
}

/// What a structured step is, for a watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepRole {
    /// Warm-up.
    WarmUp,
    /// Work.
    Active,
    /// Recovery between repetitions.
    Recovery,
    /// Cool-down.
    CoolDown,
}

/// One structured step: a distance or a time at a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// What the step is.
    pub role: StepRole,
    /// In words.
    pub label: String,
    /// Distance, metres (the step ends after it), when the step is by distance.
    pub distance_m: Option<f64>,
    /// Time, seconds, when the step is by time.
    pub time_s: Option<f64>,
    /// Target.
    pub target: Target,
}

/// A step, or a group of steps repeated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum StepItem {
    /// One step.
    Step(Step),
    /// `times` × the steps.
    Repeat {
        /// How many times.
        times: u32,
        /// The steps repeated (work, then recovery).
        steps: Vec<Step>,
    },
}

/// A day's session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Kind.
    pub kind: SessionKind,
    /// What the session is for.
    #[serde(default = "default_workout")]
    pub workout: Workout,
    /// The structured steps, as a watch runs them.
    #[serde(default)]
    pub steps: Vec<StepItem>,
    /// Short title, e.g. `Long run 18.0 km` (the calendar event's summary).
    pub title: String,
    /// Distance, metres (0 on rest days).
    pub distance_m: f64,
    /// Expected duration, seconds.
    pub duration_s: f64,
    /// Expected load, load points (`hours × IF² × 100` per part).
    pub load: f64,
    /// The parts with their targets.
    pub parts: Vec<SessionPart>,
    /// One-line human description with the targets.
    pub description: String,
}

fn default_workout() -> Workout {
    Workout::Easy
}

/// A recovery item prescribed for a day (docs/science.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryItem {
    /// The method.
    pub method: RecoveryMethod,
    /// How much, e.g. `20–30 min, feet → hips`.
    pub dose: String,
    /// When, in words.
    pub when: String,
    /// Start in minutes after the session ends; `None` = any time that day.
    pub start_after_session_min: Option<u32>,
    /// Duration in minutes, when it has one.
    pub duration_min: Option<u32>,
    /// Why, with the source.
    pub reason: String,
}

/// One planned day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Day {
    /// Date.
    pub date: Date,
    /// The session (kind `rest` on rest days).
    pub session: Session,
    /// Expected load of the day.
    pub load: f64,
    /// Recovery items.
    pub recovery: Vec<RecoveryItem>,
}

/// One planned week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Week {
    /// First day of the week in the plan (today for a partial first week).
    pub start: Date,
    /// Fewer than 7 days: the first week when the plan starts mid-week, or a race week whose
    /// race falls before the week's last day.
    #[serde(default)]
    pub partial: bool,
    /// What the week is for.
    pub kind: WeekKind,
    /// The training phase.
    #[serde(default)]
    pub phase: Phase,
    /// Planned load of the week, load points.
    pub load_target: f64,
    /// Planned distance of the week, metres (including the race in the race week).
    pub distance_target_m: f64,
    /// The days.
    pub days: Vec<Day>,
}

/// One day of the forecast.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ForecastPoint {
    /// Date.
    pub date: Date,
    /// Fitness (CTL) at the end of the day, after its planned load.
    pub fitness: f64,
    /// Fatigue (ATL) at the end of the day.
    pub fatigue: f64,
    /// Form (TSB) on the morning of the day: yesterday's fitness − yesterday's fatigue
    /// ("how fresh you are this morning", the TrainingPeaks convention).
    pub form: f64,
}

/// Race-time predictions, each when its inputs exist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Predictions {
    /// Current VDOT (given, or from the threshold pace as a one-hour effort).
    pub current_vdot: Option<f64>,
    /// VDOT the goal time needs.
    pub goal_vdot: Option<f64>,
    /// Highest VDOT plausibly reached by race day ([`MAX_VDOT_GAIN_PER_WEEK`]).
    pub reachable_vdot: Option<f64>,
    /// Time at the current VDOT (Daniels & Gilbert), seconds.
    pub vdot_time_s: Option<f64>,
    /// Time at the reachable VDOT, seconds.
    pub reachable_time_s: Option<f64>,
    /// Riegel's prediction from the threshold pace held for one hour, seconds.
    pub riegel_time_s: Option<f64>,
    /// Time at the personal model's race-day VDOT, seconds.
    pub model_time_s: Option<f64>,
    /// The race-pace target used for the race session, seconds.
    pub target_time_s: f64,
    /// What the current VDOT was taken from (a race, a time trial or the threshold pace).
    #[serde(default)]
    pub vdot_evidence: Option<VdotEvidence>,
    /// The one predicted time to believe first, seconds: the time at the current VDOT from the
    /// best evidence (else Riegel from the threshold pace).
    #[serde(default)]
    pub lead_time_s: Option<f64>,
    /// In words: what the lead prediction rests on and why the other predictions differ.
    #[serde(default)]
    pub explanation: String,
}

/// A complete plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The race.
    pub race: Race,
    /// Weeks, first to race week.
    pub weeks: Vec<Week>,
    /// Fitness, fatigue and form for every planned day.
    pub forecast: Vec<ForecastPoint>,
    /// Race-time predictions.
    pub predictions: Predictions,
    /// Form on the morning of race day.
    pub race_day_form: f64,
    /// False when the plan cannot meet its aims (too close, goal unrealistic, form out of range).
    pub feasible: bool,
    /// Plain-language warnings.
    pub warnings: Vec<String>,
    /// The assumptions and defaults used, in words.
    pub assumptions: Vec<String>,
    /// After a re-plan: what changed from the plan it replaced, in words (empty otherwise).
    #[serde(default)]
    pub changes: Vec<String>,
}

impl Plan {
    /// All days in order.
    pub fn days(&self) -> impl Iterator<Item = &Day> {
        self.weeks.iter().flat_map(|w| w.days.iter())
    }
}

/// Builds a plan from `request`.
pub fn create_plan(request: &PlanRequest) -> Result<Plan, PlanError> {
    let ctx = build::Context::new(request)?;
    build::build_plan(&ctx)
}

/// Rebuilds the rest of `original` from what was actually done: `request` carries the new
/// `today` and the actual starting point (fitness, fatigue, recent distance); the race and
/// options should be the original ones. Days before `request.today` are kept as they were
/// planned; from today on the plan is rebuilt (weeks end on race day in both, so they line up).
pub fn replan(original: &Plan, request: &PlanRequest) -> Result<Plan, PlanError> {
    let mut fresh = create_plan(request)?;
    let kept: Vec<&Week> = original
        .weeks
        .iter()
        .filter(|w| w.start < request.today)
        .collect();
    let mut weeks = Vec::with_capacity(fresh.weeks.len() + kept.len());
    for week in kept {
        let past_days: Vec<Day> = week
            .days
            .iter()
            .filter(|d| d.date < request.today)
            .cloned()
            .collect();
        // A week that continues into today merges with the fresh week that starts today.
        let continues = week.days.iter().any(|d| d.date >= request.today);
        if continues {
            if let Some(first) = fresh.weeks.first_mut() {
                let mut days = past_days;
                days.append(&mut first.days);
                first.days = days;
                first.start = week.start;
                first.partial = first.days.len() < 7;
                first.load_target = first.days.iter().map(|d| d.load).sum();
                first.distance_target_m = first.days.iter().map(|d| d.session.distance_m).sum();
            }
        } else {
            weeks.push(Week {
                days: past_days,
                ..week.clone()
            });
        }
    }
    fresh.changes = changes(original, &fresh, request.today);
    weeks.append(&mut fresh.weeks);
    fresh.weeks = weeks;
    fresh.assumptions.push(format!(
        "re-planned on {} from the actual history; earlier days are kept as planned",
        request.today
    ));
    Ok(fresh)
}

/// Turns the days from `from` to `to` (inclusive) into rest days — an illness, an injury, a trip
/// — and updates the weeks' totals. Returns how many planned runs were dropped. The caller then
/// re-plans from the day after `to`, so the weeks after the pause start from the lower fitness.
pub fn pause(plan: &mut Plan, from: Date, to: Date) -> usize {
    let mut dropped = 0;
    for week in &mut plan.weeks {
        for day in week
            .days
            .iter_mut()
            .filter(|d| from <= d.date && d.date <= to)
        {
            if day.session.kind != SessionKind::Rest {
                dropped += 1;
            }
            day.session = sessions::rest_session();
            day.session.description = format!(
                "Paused ({from} to {to}): no running. {}",
                day.session.description
            );
            day.load = 0.0;
            day.recovery.clear();
        }
        week.load_target = week.days.iter().map(|d| d.load).sum();
        week.distance_target_m = week.days.iter().map(|d| d.session.distance_m).sum();
    }
    dropped
}

/// Exchanges the sessions of two days (a swap the daily decision proposed and the athlete
/// accepted, [`crate::today::Swap`]): each day keeps its date and takes the other's session,
/// load and recovery items, and the weeks' totals follow. Returns `false`, changing nothing,
/// when either day is not in the plan.
pub fn swap_days(plan: &mut Plan, from: Date, to: Date) -> bool {
    let find = |plan: &Plan, date: Date| {
        plan.weeks.iter().enumerate().find_map(|(w, week)| {
            week.days
                .iter()
                .position(|d| d.date == date)
                .map(|d| (w, d))
        })
    };
    let (Some((wa, da)), Some((wb, db))) = (find(plan, from), find(plan, to)) else {
        return false;
    };
    let a = plan.weeks[wa].days[da].clone();
    let b = plan.weeks[wb].days[db].clone();
    plan.weeks[wa].days[da] = Day { date: a.date, ..b };
    plan.weeks[wb].days[db] = Day { date: to, ..a };
    for w in [wa, wb] {
        let week = &mut plan.weeks[w];
        week.load_target = week.days.iter().map(|d| d.load).sum();
        week.distance_target_m = week.days.iter().map(|d| d.session.distance_m).sum();
    }
    true
}

/// A re-planned week differs from the original when its distance moved by more than this share.
const REPLAN_CHANGE_SHARE: f64 = 0.05;

/// What a re-plan changed, in words: the weeks from today on whose distance moved by more than
/// [`REPLAN_CHANGE_SHARE`], the peak week and the race pace.
fn changes(original: &Plan, fresh: &Plan, today: Date) -> Vec<String> {
    let mut out = Vec::new();
    let old_week = |start: Date| {
        original
            .weeks
            .iter()
            .find(|w| w.days.iter().any(|d| d.date == start))
    };
    let (mut lowered, mut raised) = (0, 0);
    for week in &fresh.weeks {
        let Some(first) = week.days.first().filter(|d| d.date >= today) else {
            continue;
        };
        let Some(old) = old_week(first.date) else {
            continue;
        };
        // Compare the same days: the original week's days from this week's first day on.
        let old_m: f64 = old
            .days
            .iter()
            .filter(|d| d.date >= first.date)
            .map(|d| d.session.distance_m)
            .sum();
        let new_m = week.distance_target_m;
        if (new_m - old_m).abs() > REPLAN_CHANGE_SHARE * old_m.max(1.0) {
            if new_m < old_m {
                lowered += 1;
            } else {
                raised += 1;
            }
            if out.is_empty() {
                out.push(format!(
                    "the week from {} goes from {:.1} km to {:.1} km ({})",
                    first.date,
                    old_m / 1000.0,
                    new_m / 1000.0,
                    if new_m < old_m {
                        "you ran less than planned lately, so the build picks up from where you are"
                    } else {
                        "you ran more than planned lately"
                    }
                ));
            }
        }
    }
    if lowered + raised > 0 {
        out.push(format!(
            "{lowered} week(s) lowered and {raised} raised by more than {:.0} %",
            REPLAN_CHANGE_SHARE * 100.0
        ));
    } else {
        out.push("the remaining weeks stay within 5 % of the previous plan".to_owned());
    }
    let target = |p: &Plan| p.predictions.target_time_s;
    if (target(fresh) - target(original)).abs() >= 60.0 {
        out.push(format!(
            "race pace now aims at {} (was {})",
            sessions::format_duration(target(fresh)),
            sessions::format_duration(target(original))
        ));
    }
    out
}

/// `date + days`, or [`PlanError::DateRange`].
fn add_days(date: Date, days: i64) -> Result<Date, PlanError> {
    date.checked_add(days.days())
        .map_err(|_| PlanError::DateRange)
}

/// Whole days from `a` to `b` (negative when `b` is before `a`).
fn days_between(a: Date, b: Date) -> i64 {
    i64::from(b.since(a).map(|s| s.get_days()).unwrap_or(0))
}
