//! Building a plan: validating the request, laying out the weeks, sizing build, recovery and
//! taper volumes under the caps, and assembling days, recovery items and the forecast.

use std::collections::BTreeSet;

use jiff::civil::Date;

use super::{
    AMBITIOUS_GOAL_VDOT_GAIN, BEGINNER_WEEKLY_DISTANCE_M, Cycle, DEFAULT_THRESHOLD_PACE_S_PER_KM,
    Day, LONG_RUN_CUTBACK, LONG_RUN_MAX_MINUTES, LONG_RUN_PEAK_5K_M, LONG_RUN_PEAK_10K_M,
    LONG_RUN_PEAK_HALF_M, LONG_RUN_PEAK_MARATHON_M, LONG_RUN_PEAK_SHARE, LONG_RUN_READINESS_SHARE,
    LONG_RUN_SHARE, MARATHON_M, MAX_PLAN_WEEKS, MAX_WEEKLY_DISTANCE_INCREASE,
    PEAK_GROWTH_AMBITIOUS, PEAK_GROWTH_OVER_RECENT, PEAK_WEEKLY_DISTANCE_5K_M,
    PEAK_WEEKLY_DISTANCE_MARATHON_M, PEAK_WEEKLY_DISTANCE_MAX_5K_M,
    PEAK_WEEKLY_DISTANCE_MAX_MARATHON_M, Phase, Plan, PlanError, PlanRequest, RACE_FORM_MAX,
    RACE_FORM_MIN, RACE_FORM_TARGET, RECOVERY_WEEK_FRACTION, Race, SessionKind, StartingPoint,
    TAPER_CUT_MAX, TAPER_CUT_MIN, Week, WeekKind, add_days, care, check_distance, days_between,
    forecast, sessions, weekday_index,
};
use crate::limits;
use crate::recovery::Access;
use crate::series::{FATIGUE_DAYS, FITNESS_DAYS, ewma_next, lambda};

/// Race distances up to this many metres get a one-week taper (5–10 km, Bosquet 2007).
const ONE_WEEK_TAPER_MAX_M: f64 = 15_000.0;
/// Race distances up to this many metres get a two-week taper (half marathon); longer get three.
const TWO_WEEK_TAPER_MAX_M: f64 = 30_000.0;
/// Longest taper, race week included (Bosquet 2007; docs/science.md: marathon up to three weeks).
const MAX_TAPER_WEEKS: usize = 3;
/// In the taper search, a point of form outside the range weighs this many points of distance
/// from the target inside it: any cut that lands in range beats every cut that does not.
const OUT_OF_RANGE_WEIGHT: f64 = 1000.0;
/// Step of the taper-cut search, as a fraction of peak volume.
const TAPER_CUT_STEP: f64 = 0.01;
/// Bisection steps when the ramp cap limits a week's volume (2⁻⁴⁰ of the candidate: exact enough).
const RAMP_BISECTION_STEPS: usize = 40;

/// The validated request with everything derived from it.
pub(super) struct Context<'a> {
    pub(super) req: &'a PlanRequest,
    pub(super) start: StartingPoint,
    pub(super) beginner: bool,
    /// Threshold speed, m/s.
    pub(super) threshold_speed: f64,
    /// Whether the threshold speed comes from the athlete (so pace targets can be shown).
    pub(super) pace_known: bool,
    pub(super) long_day: u8,
    /// The recovery equipment and services the athlete has (free methods are always there).
    pub(super) access: BTreeSet<Access>,
    /// Race time used for the race session, seconds.
    pub(super) race_time_s: f64,
    pub(super) predictions: super::Predictions,
    pub(super) goal_unrealistic: Option<String>,
    /// Peak weekly distance for this race and athlete, metres.
    pub(super) peak_distance_m: f64,
    /// Number of plan weeks (the first may be shorter).
    pub(super) n_weeks: usize,
}

fn bad(what: &'static str, expected: impl Into<String>, value: f64) -> PlanError {
    PlanError::BadNumber {
        what,
        expected: expected.into(),
        value,
    }
}

fn check_range(
    what: &'static str,
    expected: impl Into<String>,
    value: f64,
    range: std::ops::RangeInclusive<f64>,
) -> Result<(), PlanError> {
    if value.is_finite() && range.contains(&value) {
        Ok(())
    } else {
        Err(bad(what, expected, value))
    }
}

impl<'a> Context<'a> {
    pub(super) fn new(req: &'a PlanRequest) -> Result<Context<'a>, PlanError> {
        if req.race_date <= req.today {
            return Err(PlanError::RaceNotInFuture {
                race: req.race_date,
                today: req.today,
            });
        }
        if days_between(req.today, req.race_date) > 7 * MAX_PLAN_WEEKS {
            return Err(PlanError::RaceTooFar {
                race: req.race_date,
            });
        }
        check_distance(req.race_distance_m)?;
        if let Some(goal) = req.goal_time_s {
            check_range(
                "the goal time",
                "between 1 min and 24 h, in seconds",
                goal,
                60.0..=86_400.0,
            )?;
        }
        if let Some(bad_day) = req.training_days.iter().find(|d| **d > 6) {
            return Err(bad(
                "a training day index",
                "0 (Monday) to 6 (Sunday)",
                f64::from(*bad_day),
            ));
        }
        let days = &req.training_days;
        if days.len() < 3 {
            return Err(PlanError::TooFewTrainingDays(days.len()));
        }
        let long_day = match req.long_run_day {
            Some(day) => {
                let index = weekday_index(day);
                if !days.contains(&index) {
                    return Err(PlanError::LongRunDayNotTrainingDay(day));
                }
                index
            }
            None => days.iter().copied().max().unwrap_or(6),
        };
        check_range(
            "the ramp cap",
            "between 1 and 20 fitness points per week",
            req.max_ramp,
            1.0..=20.0,
        )?;
        let beginner = req.start.is_none();
        let start = req.start.unwrap_or_else(StartingPoint::beginner);
        check_range(
            "the starting fitness",
            "between 0 and 250",
            start.fitness,
            0.0..=250.0,
        )?;
        check_range(
            "the starting fatigue",
            "between 0 and 400",
            start.fatigue,
            0.0..=400.0,
        )?;
        check_range(
            "the recent weekly distance",
            "between 0 and 400 000 m",
            start.recent_weekly_distance_m,
            0.0..=400_000.0,
        )?;
        let t = req.thresholds;
        // The profile's bounds (crate::limits), so that a profile the athlete could save
        // never makes a plan refuse it.
        if let Some(p) = t.threshold_pace_s_per_km {
            // Pace in s/km is 1000 / speed: the fastest speed gives the lowest pace.
            let (slow_mps, fast_mps) = limits::THRESHOLD_SPEED_MPS;
            let (fast_pace, slow_pace) = (1000.0 / fast_mps, 1000.0 / slow_mps);
            check_range(
                "the threshold pace",
                format!("between {:.0} and {:.0} s/km", fast_pace.ceil(), slow_pace),
                p,
                fast_pace..=slow_pace,
            )?;
        }
        if let Some(h) = t.lthr_bpm {
            let (low, high) = limits::LTHR_BPM;
            check_range(
                "the LTHR",
                limits::between(limits::LTHR_BPM, "bpm"),
                h,
                low..=high,
            )?;
        }
        if let Some(h) = t.hrmax_bpm {
            let (low, high) = limits::HR_MAX_BPM;
            check_range(
                "the maximum heart rate",
                limits::between(limits::HR_MAX_BPM, "bpm"),
                h,
                low..=high,
            )?;
        }
        for v in [t.current_vdot, req.model_race_day_vdot]
            .into_iter()
            .flatten()
        {
            check_range("a VDOT", "between 15 and 90", v, 15.0..=90.0)?;
        }
        if let Some(m) = req.body_mass_kg {
            let (low, high) = limits::BODY_MASS_KG;
            check_range(
                "the body mass",
                limits::between(limits::BODY_MASS_KG, "kg"),
                m,
                low..=high,
            )?;
        }
        // The access words are the recovery catalogue's (one list, one parser).
        let access = req
            .access
            .iter()
            .map(|item| Access::parse(item).ok_or_else(|| PlanError::UnknownAccess(item.clone())))
            .collect::<Result<BTreeSet<Access>, PlanError>>()?;
        // A race or time trial is better evidence than a threshold pace (often an estimate).
        let measured_vdot = t
            .vdot_evidence
            .filter(|e| e.source != super::VdotSource::ThresholdPace)
            .and(t.current_vdot);
        let (threshold_speed, pace_known) =
            match (measured_vdot, t.threshold_pace_s_per_km, t.current_vdot) {
                (Some(v), _, _) | (None, None, Some(v)) => {
                    (forecast::threshold_speed_for_vdot(v), true)
                }
                (None, Some(pace), _) => (1000.0 / pace, true),
                (None, None, None) => (1000.0 / DEFAULT_THRESHOLD_PACE_S_PER_KM, false),
            };
        let n_days = days_between(req.today, req.race_date) + 1;
        // Weeks on the calendar: they start on `week_start`; the first one from today (partial
        // when today is not the week's first day), the last one ends on race day.
        let first_week_start = week_start_on_or_before(req.today, req.week_start)?;
        let race_week_start = week_start_on_or_before(req.race_date, req.week_start)?;
        let n_weeks = usize::try_from(days_between(first_week_start, race_week_start) / 7 + 1)
            .map_err(|_| PlanError::DateRange)?;
        let weeks_to_race = n_days as f64 / 7.0;
        let (predictions, goal_unrealistic) =
            forecast::predictions(req, threshold_speed, pace_known, weeks_to_race);
        let goal_gain = predictions
            .goal_vdot
            .zip(predictions.current_vdot)
            .map(|(goal, now)| goal - now);
        let peak_distance_m = peak_weekly_distance(
            req.race_distance_m,
            start.recent_weekly_distance_m,
            goal_gain,
        );
        Ok(Context {
            req,
            start,
            beginner,
            threshold_speed,
            pace_known,
            long_day,
            access,
            race_time_s: predictions.target_time_s,
            predictions,
            goal_unrealistic,
            peak_distance_m,
            n_weeks,
        })
    }

    pub(super) fn training_days(&self) -> &BTreeSet<u8> {
        &self.req.training_days
    }
}

/// Peak weekly distance for this race, athlete and goal: [`PEAK_GROWTH_OVER_RECENT`] × what
/// the athlete runs now — up to [`PEAK_GROWTH_AMBITIOUS`] × when the goal needs a VDOT above
/// the current one (`goal_gain`, in proportion up to [`AMBITIOUS_GOAL_VDOT_GAIN`]) — kept inside
/// the range of established plans for the distance (both ends log-interpolated between the
/// 5 km and marathon values), and never below the current volume.
fn peak_weekly_distance(race_m: f64, recent_m: f64, goal_gain: Option<f64>) -> f64 {
    let ambition = goal_gain.map_or(0.0, |g| (g / AMBITIOUS_GOAL_VDOT_GAIN).clamp(0.0, 1.0));
    let growth =
        PEAK_GROWTH_OVER_RECENT + ambition * (PEAK_GROWTH_AMBITIOUS - PEAK_GROWTH_OVER_RECENT);
    let share = ((race_m / 5000.0).ln() / (MARATHON_M / 5000.0).ln()).clamp(0.0, 1.0);
    let low = PEAK_WEEKLY_DISTANCE_5K_M
        + share * (PEAK_WEEKLY_DISTANCE_MARATHON_M - PEAK_WEEKLY_DISTANCE_5K_M);
    let high = PEAK_WEEKLY_DISTANCE_MAX_5K_M
        + share * (PEAK_WEEKLY_DISTANCE_MAX_MARATHON_M - PEAK_WEEKLY_DISTANCE_MAX_5K_M);
    (growth * recent_m).clamp(low, high).max(recent_m)
}

/// The peak long run for this race and athlete, metres: [`LONG_RUN_PEAK_SHARE`] of the peak
/// week inside the distance's range (log-interpolated between the published ranges for 5 km,
/// 10 km, half and marathon), and never beyond [`LONG_RUN_MAX_MINUTES`] at easy pace.
pub(super) fn peak_long_run_m(ctx: &Context<'_>) -> f64 {
    let anchors = [
        (5_000.0, LONG_RUN_PEAK_5K_M),
        (10_000.0, LONG_RUN_PEAK_10K_M),
        (super::HALF_MARATHON_M, LONG_RUN_PEAK_HALF_M),
        (MARATHON_M, LONG_RUN_PEAK_MARATHON_M),
    ];
    let d = ctx.req.race_distance_m.clamp(5_000.0, MARATHON_M);
    let mut range = LONG_RUN_PEAK_MARATHON_M;
    for pair in anchors.windows(2) {
        let ((d0, r0), (d1, r1)) = (pair[0], pair[1]);
        if d <= d1 {
            let t = (d / d0).ln() / (d1 / d0).ln();
            range = [r0[0] + t * (r1[0] - r0[0]), r0[1] + t * (r1[1] - r0[1])];
            break;
        }
    }
    (LONG_RUN_PEAK_SHARE * ctx.peak_distance_m)
        .clamp(range[0], range[1])
        .min(sessions::long_run_cap_m(ctx))
}

/// The long run of each week before the taper: progressive long runs climb evenly from the
/// athlete's current long run ([`LONG_RUN_SHARE`] of the recent weekly distance) to the peak
/// long run in the last build week; they alternate with cutback long runs
/// ([`LONG_RUN_CUTBACK`] of the last progressive one), and recovery weeks take a cutback.
/// Counted back from the taper, so the last build week carries the peak.
fn long_run_schedule(ctx: &Context<'_>, slots: &[Slot]) -> Vec<Option<(f64, bool)>> {
    let peak = peak_long_run_m(ctx);
    let start = (LONG_RUN_SHARE
        * ctx
            .start
            .recent_weekly_distance_m
            .max(BEGINNER_WEEKLY_DISTANCE_M))
    .min(peak);
    // Build weeks counted back from the last: even positions step up, odd ones cut back.
    let n_builds = slots.iter().filter(|s| s.kind == WeekKind::Build).count();
    let progressive_total = n_builds.div_ceil(2);
    let mut builds_seen = 0;
    let mut progressive_seen = 0;
    let mut last_progressive = start;
    slots
        .iter()
        .map(|slot| match slot.kind {
            WeekKind::Build => {
                let from_end = n_builds - 1 - builds_seen;
                builds_seen += 1;
                if from_end % 2 == 0 {
                    progressive_seen += 1;
                    last_progressive =
                        start + (peak - start) * progressive_seen as f64 / progressive_total as f64;
                    Some((last_progressive, true))
                } else {
                    Some((LONG_RUN_CUTBACK * last_progressive, false))
                }
            }
            _ => Some((LONG_RUN_CUTBACK * last_progressive, false)),
        })
        .collect()
}

/// Taper length in weeks, race week included (Bosquet 2007; docs/science.md).
pub(super) fn nominal_taper_weeks(race_m: f64) -> usize {
    if race_m <= ONE_WEEK_TAPER_MAX_M {
        1
    } else if race_m <= TWO_WEEK_TAPER_MAX_M {
        2
    } else {
        3
    }
}

/// Relative depth of each taper week (mean 1, deepening towards the race): week `i` of a taper
/// with cut `c` runs at `1 − c·g_i` of peak volume, so the mean cut over the taper is exactly `c`.
fn taper_shape(weeks: usize) -> &'static [f64] {
    match weeks {
        1 => &[1.0],
        2 => &[0.75, 1.25],
        _ => &[0.6, 1.0, 1.4],
    }
}

/// One week of the layout before volumes are chosen.
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// First date of the 7-day window (may be before today).
    window_start: Date,
    kind: WeekKind,
    phase: Phase,
}

/// The weeks from today to race day, with their kinds. Pure layout; see the module doc of
/// [`super`] for the rules.
fn layout_weeks(ctx: &Context<'_>, taper_weeks: usize) -> Result<Vec<Slot>, PlanError> {
    let n = ctx.n_weeks;
    let taper = taper_weeks.min(n);
    let pre_taper = n - taper;
    let cycle_len = ctx.req.cycle.loading_weeks() + 1;
    let mut slots = Vec::with_capacity(n);
    let race_week_start = week_start_on_or_before(ctx.req.race_date, ctx.req.week_start)?;
    for i in 0..n {
        let weeks_after = i64::try_from(n - 1 - i).map_err(|_| PlanError::DateRange)?;
        let window_start = add_days(race_week_start, -7 * weeks_after)?;
        let kind = if i == n - 1 {
            WeekKind::Race
        } else if i >= pre_taper {
            WeekKind::Taper
        } else {
            // Counted back from the taper: j = 1 is the last build week before it.
            // A recovery week needs a full build week before it in the plan: the first week
            // (or the second, when the first is shortened) stays a build week.
            let j = pre_taper - i;
            let first_full = usize::from(first_window_start(ctx)? < ctx.req.today);
            if ctx.req.first_week_easier && pre_taper > 1 && i <= 1 {
                // After a week much harder than planned the first week absorbs it; the next
                // one is a build week so that two recovery weeks never touch.
                if i == 0 {
                    WeekKind::Recovery
                } else {
                    WeekKind::Build
                }
            } else if j.is_multiple_of(cycle_len) && i > first_full {
                WeekKind::Recovery
            } else {
                WeekKind::Build
            }
        };
        // Phases: the weeks before the taper split in thirds, base → build → specific.
        let phase = match kind {
            WeekKind::Taper | WeekKind::Race => Phase::Taper,
            _ if 3 * i < pre_taper => Phase::Base,
            _ if 3 * i < 2 * pre_taper => Phase::Build,
            _ => Phase::Specific,
        };
        slots.push(Slot {
            window_start,
            kind,
            phase,
        });
    }
    Ok(slots)
}

/// First date of the first plan week's 7-day window (before today when that week is partial).
fn first_window_start(ctx: &Context<'_>) -> Result<Date, PlanError> {
    week_start_on_or_before(ctx.req.today, ctx.req.week_start)
}

/// The last `week_start` weekday on or before `date`: the first day of the calendar week holding
/// it.
pub(super) fn week_start_on_or_before(
    date: Date,
    week_start: jiff::civil::Weekday,
) -> Result<Date, PlanError> {
    let back = i64::from(date.weekday().since(week_start));
    add_days(date, -back)
}

/// Fitness and fatigue carried day by day.
#[derive(Debug, Clone, Copy)]
pub(super) struct State {
    pub(super) fitness: f64,
    pub(super) fatigue: f64,
}

impl State {
    pub(super) fn step(self, load: f64) -> State {
        State {
            fitness: ewma_next(self.fitness, load, lambda(FITNESS_DAYS)),
            fatigue: ewma_next(self.fatigue, load, lambda(FATIGUE_DAYS)),
        }
    }

    fn run(self, days: &[Day]) -> State {
        days.iter().fold(self, |s, d| s.step(d.load))
    }
}

/// The days of one week at nominal distance `distance_m`, only those from today on.
fn week_days(
    ctx: &Context<'_>,
    slot: Slot,
    distance_m: f64,
    build_index: usize,
    long_run: Option<(f64, bool)>,
) -> Result<Vec<Day>, PlanError> {
    let shape = sessions::WeekShape {
        kind: slot.kind,
        phase: slot.phase,
        build_index,
        long_m: long_run.map(|l| l.0),
        long_step: long_run.is_some_and(|l| l.1),
    };
    let mut days = sessions::layout_week(ctx, slot.window_start, distance_m, &shape)?;
    days.retain(|d| d.date >= ctx.req.today && d.date <= ctx.req.race_date);
    Ok(days)
}

fn week_of(slot: Slot, days: Vec<Day>, today: Date) -> Week {
    Week {
        start: slot.window_start.max(today),
        partial: days.len() < 7,
        phase: slot.phase,
        kind: slot.kind,
        load_target: days.iter().map(|d| d.load).sum(),
        distance_target_m: days.iter().map(|d| d.session.distance_m).sum(),
        days,
    }
}

/// The weeks of a plan with a given taper length, before recovery items.
struct Draft {
    weeks: Vec<Week>,
    taper_weeks: usize,
    pre_taper: usize,
    cut: f64,
    peak: f64,
    race_form: f64,
    ramp_limited: usize,
}

/// Lays out and sizes every week for a taper of `taper_weeks` (race week included).
fn draft(ctx: &Context<'_>, taper_weeks: usize) -> Result<Draft, PlanError> {
    let req = ctx.req;
    let slots = layout_weeks(ctx, taper_weeks)?;
    let taper_weeks = taper_weeks.min(slots.len());
    let pre_taper = slots.len() - taper_weeks;
    let mut state = State {
        fitness: ctx.start.fitness,
        fatigue: ctx.start.fatigue,
    };
    let mut last_build = ctx
        .start
        .recent_weekly_distance_m
        .max(BEGINNER_WEEKLY_DISTANCE_M);
    // A build week right after a recovery week returns to the last build level; every other
    // build week may rise. The rise is spread evenly over the rising weeks left, so the volume
    // climbs through the whole build instead of reaching the peak early and holding it.
    let rises: Vec<bool> = slots[..pre_taper]
        .iter()
        .enumerate()
        .map(|(i, s)| {
            s.kind == WeekKind::Build && !(i > 0 && slots[i - 1].kind == WeekKind::Recovery)
        })
        .collect();
    let long_runs = long_run_schedule(ctx, &slots[..pre_taper]);
    let mut peak_full_build: Option<f64> = None;
    let mut peak_any_build: Option<f64> = None;
    let mut weeks = Vec::with_capacity(slots.len());
    let mut build_index = 0;
    let mut ramp_limited = 0;
    for (i, slot) in slots[..pre_taper].iter().enumerate() {
        let full = slot.window_start >= req.today;
        let distance = match slot.kind {
            WeekKind::Recovery => RECOVERY_WEEK_FRACTION * last_build,
            _ => {
                let rises_left = rises[i..].iter().filter(|r| **r).count();
                let peak = ctx.peak_distance_m.max(last_build);
                let wanted = if rises[i] && rises_left > 0 {
                    let step = (peak / last_build).powf(1.0 / rises_left as f64) - 1.0;
                    last_build * (1.0 + step.clamp(0.0, MAX_WEEKLY_DISTANCE_INCREASE))
                } else {
                    last_build
                };
                let ramp_of = |d: f64| -> Result<f64, PlanError> {
                    let days = week_days(ctx, *slot, d, build_index, long_runs[i])?;
                    Ok(state.run(&days).fitness - state.fitness)
                };
                let distance = if ramp_of(wanted)? <= req.max_ramp {
                    wanted
                } else {
                    ramp_limited += 1;
                    let (mut lo, mut hi) = (0.0, wanted);
                    for _ in 0..RAMP_BISECTION_STEPS {
                        let mid = 0.5 * (lo + hi);
                        if ramp_of(mid)? <= req.max_ramp {
                            lo = mid;
                        } else {
                            hi = mid;
                        }
                    }
                    lo
                };
                last_build = distance;
                peak_any_build = Some(peak_any_build.unwrap_or(0.0).max(distance));
                if full {
                    peak_full_build = Some(peak_full_build.unwrap_or(0.0).max(distance));
                }
                distance
            }
        };
        let days = week_days(ctx, *slot, distance, build_index, long_runs[i])?;
        if slot.kind == WeekKind::Build {
            build_index += 1;
        }
        state = state.run(&days);
        weeks.push(week_of(*slot, days, req.today));
    }

    // Taper: the cut (41–60 % of peak volume) that lands race-morning form nearest the target.
    let peak = peak_full_build.or(peak_any_build).unwrap_or(last_build);
    let taper_slots = &slots[pre_taper..];
    let shape = taper_shape(taper_slots.len());
    let mut best: Option<(f64, f64, f64, Vec<Week>)> = None;
    let steps = ((TAPER_CUT_MAX - TAPER_CUT_MIN) / TAPER_CUT_STEP).round() as usize;
    for step in 0..=steps {
        let cut = TAPER_CUT_MIN + step as f64 * TAPER_CUT_STEP;
        let mut s = state;
        let mut before_race = state;
        let mut taper = Vec::with_capacity(taper_slots.len());
        for (slot, g) in taper_slots.iter().zip(shape) {
            let days = week_days(ctx, *slot, peak * (1.0 - cut * g), build_index, None)?;
            // Morning of race day = after every day but the race itself (the last day).
            before_race = s.run(&days[..days.len().saturating_sub(1)]);
            s = s.run(&days);
            taper.push(week_of(*slot, days, req.today));
        }
        let form = before_race.fitness - before_race.fatigue;
        let score = form_miss(form) * OUT_OF_RANGE_WEIGHT + (form - RACE_FORM_TARGET).abs();
        if best.as_ref().is_none_or(|(b, _, _, _)| score < *b) {
            best = Some((score, cut, form, taper));
        }
    }
    let (_, cut, race_form, taper) = best.ok_or(PlanError::DateRange)?;
    weeks.extend(taper);
    Ok(Draft {
        weeks,
        taper_weeks,
        pre_taper,
        cut,
        peak,
        race_form,
        ramp_limited,
    })
}

fn form_miss(form: f64) -> f64 {
    if form < RACE_FORM_MIN {
        RACE_FORM_MIN - form
    } else if form > RACE_FORM_MAX {
        form - RACE_FORM_MAX
    } else {
        0.0
    }
}

/// Builds the whole plan. The taper has its nominal length for the race distance; only when even
/// the smallest (largest) cut leaves race-morning form above (below) the range is it shortened
/// (lengthened) a week at a time, within 1–[`MAX_TAPER_WEEKS`] weeks.
pub(super) fn build_plan(ctx: &Context<'_>) -> Result<Plan, PlanError> {
    let req = ctx.req;
    let nominal = nominal_taper_weeks(req.race_distance_m);
    let mut chosen = draft(ctx, nominal)?;
    let mut length = nominal;
    loop {
        let next = if chosen.race_form > RACE_FORM_MAX && length > 1 {
            length - 1
        } else if chosen.race_form < RACE_FORM_MIN && length < MAX_TAPER_WEEKS.min(ctx.n_weeks - 1)
        {
            length + 1
        } else {
            break;
        };
        let other = draft(ctx, next)?;
        if form_miss(other.race_form) >= form_miss(chosen.race_form) {
            break;
        }
        chosen = other;
        length = next;
    }
    let Draft {
        mut weeks,
        taper_weeks,
        pre_taper,
        cut,
        peak,
        ramp_limited,
        ..
    } = chosen;
    let mut warnings = Vec::new();
    let mut assumptions = assumptions(ctx);
    if ramp_limited > 0 {
        assumptions.push(format!(
            "the ramp cap of {:.1} fitness points per week held back the volume of {ramp_limited} build week(s)",
            req.max_ramp
        ));
    }
    assumptions.push(format!(
        "taper of {taper_weeks} week(s), race week included, cutting volume by {:.0} % from the peak week of {:.1} km (Bosquet 2007: 41–60 %){}",
        cut * 100.0,
        peak / 1000.0,
        if taper_weeks < nominal.min(ctx.n_weeks) {
            "; shortened from the usual length because your fitness would otherwise leave you fresher than needed"
        } else if taper_weeks > nominal {
            "; longer than usual because your recent build would otherwise leave you tired on race day"
        } else {
            ""
        }
    ));

    let stretched = weeks
        .iter()
        .flat_map(|w| w.days.iter().map(move |d| (w, d)))
        .filter(|(w, d)| {
            d.session.kind == SessionKind::Long
                && d.session.distance_m
                    > super::LONG_RUN_MAX_SHARE * w.distance_target_m * (1.0 + 1e-9)
        })
        .count();
    assumptions.push(format!(
        "long runs build to {:.1} km, alternating with shorter cutback long runs{}",
        peak_long_run_m(ctx) / 1000.0,
        if stretched > 0 {
            format!(
                "; {stretched} of them are above the usual 30 % of their week (at most {:.0} %) because the race needs long runs of that length",
                super::LONG_RUN_STRETCH_SHARE * 100.0
            )
        } else {
            String::new()
        }
    ));
    care::assign(ctx, &mut weeks);
    let forecast = forecast::run(
        State {
            fitness: ctx.start.fitness,
            fatigue: ctx.start.fatigue,
        },
        &weeks,
    );
    let race_day_form = forecast.last().map_or(0.0, |p| p.form);

    if pre_taper == 0
        || weeks
            .iter()
            .all(|w| w.kind != WeekKind::Build || w.days.len() < 7)
    {
        warnings.push(format!(
            "The race is only {} days away: too close to build fitness. This plan keeps you running and tapers so that you arrive fresh.",
            days_between(req.today, req.race_date)
        ));
    }
    if req.race_distance_m >= super::HALF_MARATHON_M {
        let longest = weeks
            .iter()
            .flat_map(|w| w.days.iter())
            .filter(|d| d.session.kind != SessionKind::Race)
            .map(|d| d.session.distance_m)
            .fold(0.0, f64::max);
        let cap = sessions::long_run_cap_m(ctx);
        let ready = LONG_RUN_READINESS_SHARE * req.race_distance_m;
        if cap < ready {
            assumptions.push(format!(
                "long runs are capped at {LONG_RUN_MAX_MINUTES:.0} min, {:.1} km at your easy pace",
                cap / 1000.0
            ));
        }
        if longest < ready.min(cap) * (1.0 - 1e-9) {
            warnings.push(format!(
                "The longest run this plan can safely reach is {:.1} km, under {:.0} % of the race distance: the race date is too close for this distance from your current volume. Consider a shorter race or a later one.",
                longest / 1000.0,
                LONG_RUN_READINESS_SHARE * 100.0
            ));
        }
    }
    if let Some(w) = &ctx.goal_unrealistic {
        warnings.push(w.clone());
    }
    if !(RACE_FORM_MIN..=RACE_FORM_MAX).contains(&race_day_form) {
        warnings.push(format!(
            "Form on race morning is forecast at {race_day_form:+.1}, outside the +{RACE_FORM_MIN:.0}…+{RACE_FORM_MAX:.0} aimed for: {}",
            if race_day_form < RACE_FORM_MIN {
                "your fitness is still low, so even a full taper leaves little freshness to gain"
            } else {
                "your fitness is high, so even the smallest recommended taper leaves you fresher than needed"
            }
        ));
    }

    Ok(Plan {
        race: Race {
            date: req.race_date,
            distance_m: req.race_distance_m,
            goal_time_s: req.goal_time_s,
        },
        weeks,
        forecast,
        predictions: ctx.predictions.clone(),
        race_day_form,
        feasible: warnings.is_empty(),
        warnings,
        assumptions,
        changes: Vec::new(),
    })
}

fn assumptions(ctx: &Context<'_>) -> Vec<String> {
    let req = ctx.req;
    let mut out = Vec::new();
    if ctx.beginner {
        out.push(format!(
            "no history: starting from the beginner baseline (fitness 0, fatigue 0, {:.0} km per week)",
            BEGINNER_WEEKLY_DISTANCE_M / 1000.0
        ));
    }
    if req.goal_time_s.is_some() && ctx.predictions.current_vdot.is_none() {
        out.push(
            "no threshold pace or VDOT: the goal time cannot be checked for realism".to_owned(),
        );
    }
    if !ctx.pace_known {
        out.push(format!(
            "no threshold pace or VDOT: distances assume a threshold pace of {}/km and targets are given as effort{}",
            sessions::format_pace(DEFAULT_THRESHOLD_PACE_S_PER_KM),
            if req.thresholds.lthr_bpm.is_some() || req.thresholds.hrmax_bpm.is_some() {
                " and heart rate"
            } else {
                ""
            }
        ));
    }
    out.push(format!(
        "weekly distance rises evenly towards a peak of {:.0} km, by at most {:.0} % a week and with fitness rising at most {:.1} points per week; recovery weeks at {:.0} % of the last build week, and the week after one returns to that level, not above it ({})",
        ctx.peak_distance_m / 1000.0,
        MAX_WEEKLY_DISTANCE_INCREASE * 100.0,
        req.max_ramp,
        RECOVERY_WEEK_FRACTION * 100.0,
        match req.cycle {
            Cycle::ThreeOne => "3:1 cycle",
            Cycle::TwoOne => "2:1 cycle",
        }
    ));
    out.push(
        "form on a day is the morning value (yesterday's fitness − fatigue); race-morning form aimed at +5…+25".to_owned(),
    );
    out
}
