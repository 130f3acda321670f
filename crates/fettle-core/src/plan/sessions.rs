//! Sessions: how a week's distance is spread over its days, and each session's parts, targets
//! and expected load.
//!
//! Zones are fractions of threshold speed (threshold pace ≈ the pace held for about an hour,
//! docs/science.md); a part's expected load is `hours × IF² × 100` with IF = its speed / threshold
//! speed (rTSS). Heart-rate zones come from LTHR (Friel's running zones) or, without it, from
//! HRmax (Edwards' zones).

use jiff::civil::Date;

use super::build::Context;
use super::{
    Day, LONG_RUN_MAX_MINUTES, LONG_RUN_MAX_SHARE, LONG_RUN_SHARE, LONG_RUN_STRETCH_SHARE, Phase,
    PlanError, Session, SessionKind, SessionPart, Step, StepItem, StepRole, Target, WeekKind,
    Workout, Zone, add_days, weekday_index,
};

/// Easy running speed as fractions of threshold speed (about 75–85 %, the low-intensity zone
/// below the first threshold; Seiler 2010).
const EASY_SPEED: [f64; 2] = [0.75, 0.85];
/// Threshold (tempo) speed range as fractions of threshold speed.
const TEMPO_SPEED: [f64; 2] = [0.97, 1.03];
/// Interval speed range: about 3–5 km race pace, Daniels' I-pace.
const INTERVAL_SPEED: [f64; 2] = [1.06, 1.12];
/// Race-pace tolerance around the target race pace.
const RACE_PACE_TOLERANCE: f64 = 0.01;
/// Easy zone from LTHR (Friel's running zones 1–2: up to 89 % of LTHR).
const EASY_LTHR: [f64; 2] = [0.75, 0.89];
/// Tempo zone from LTHR (Friel zones 4–5a: 95–102 %).
const TEMPO_LTHR: [f64; 2] = [0.95, 1.02];
/// Interval zone from LTHR (Friel zone 5b: 103–106 %).
const INTERVAL_LTHR: [f64; 2] = [1.03, 1.06];
/// Easy zone from HRmax (Edwards zones 2–3: 60–80 %).
const EASY_HRMAX: [f64; 2] = [0.60, 0.80];
/// Tempo zone from HRmax (Edwards zone 4: 80–90 %).
const TEMPO_HRMAX: [f64; 2] = [0.80, 0.90];
/// Interval zone from HRmax (Edwards zone 5: 90–100 %).
const INTERVAL_HRMAX: [f64; 2] = [0.90, 1.00];
/// Threshold work per session: at most 10 % of the week's distance (Daniels).
const TEMPO_BLOCK_SHARE: f64 = 0.10;
/// Interval work per session: at most 8 % of the week's distance (Daniels) …
const INTERVAL_BLOCK_SHARE: f64 = 0.08;
/// … and at most 10 km (Daniels).
const INTERVAL_BLOCK_MAX_M: f64 = 10_000.0;
/// Warm-up plus cool-down around a quality block, metres.
const WARMUP_COOLDOWN_M: f64 = 3000.0;
/// A quality session is at most this share of the week's distance.
const QUALITY_SESSION_MAX_SHARE: f64 = 0.25;
/// With this many training days or more, build weeks carry two quality sessions; with fewer,
/// one. Either way the long run and most sessions stay easy (Seiler 2010: ~80 % low intensity).
const TWO_QUALITY_MIN_DAYS: usize = 6;
/// The day before the race gets this weight of an ordinary easy day (a short shake-out).
const SHAKEOUT_WEIGHT: f64 = 0.5;
/// A race-week quality session is at least this many days before the race.
const RACE_WEEK_QUALITY_MIN_DAYS_BEFORE: i64 = 3;

/// Formats a pace in s/km as `m:ss`.
pub(super) fn format_pace(s_per_km: f64) -> String {
    let total = s_per_km.round() as i64;
    format!("{}:{:02}", total / 60, total % 60)
}

fn speed_range(zone: Zone) -> [f64; 2] {
    match zone {
        Zone::Easy => EASY_SPEED,
        Zone::Tempo => TEMPO_SPEED,
        Zone::Interval => INTERVAL_SPEED,
        Zone::Race => [1.0 - RACE_PACE_TOLERANCE, 1.0 + RACE_PACE_TOLERANCE],
    }
}

/// Speed of a zone's middle, m/s.
fn zone_speed(ctx: &Context<'_>, zone: Zone) -> f64 {
    let [lo, hi] = speed_range(zone);
    let base = match zone {
        Zone::Race => ctx.req.race_distance_m / ctx.race_time_s,
        _ => ctx.threshold_speed,
    };
    base * 0.5 * (lo + hi)
}

fn target(ctx: &Context<'_>, zone: Zone) -> Target {
    let [lo, hi] = speed_range(zone);
    let base = match zone {
        Zone::Race => ctx.req.race_distance_m / ctx.race_time_s,
        _ => ctx.threshold_speed,
    };
    let race_pace_known = ctx.pace_known || ctx.req.goal_time_s.is_some();
    let show_pace = if zone == Zone::Race {
        race_pace_known
    } else {
        ctx.pace_known
    };
    let pace = show_pace.then(|| [1000.0 / (base * hi), 1000.0 / (base * lo)]);
    let t = ctx.req.thresholds;
    let heart_rate = match (zone, t.lthr_bpm, t.hrmax_bpm) {
        (Zone::Race, _, _) => None,
        (_, Some(lthr), _) => {
            let [a, b] = match zone {
                Zone::Tempo => TEMPO_LTHR,
                Zone::Interval => INTERVAL_LTHR,
                _ => EASY_LTHR,
            };
            Some([(lthr * a).round(), (lthr * b).round()])
        }
        (_, None, Some(max)) => {
            let [a, b] = match zone {
                Zone::Tempo => TEMPO_HRMAX,
                Zone::Interval => INTERVAL_HRMAX,
                _ => EASY_HRMAX,
            };
            Some([(max * a).round(), (max * b).round()])
        }
        _ => None,
    };
    let rpe = match zone {
        Zone::Easy => [2, 3],
        Zone::Tempo => [6, 7],
        Zone::Interval => [8, 9],
        Zone::Race => [7, 10],
    };
    Target {
        zone,
        pace_s_per_km: pace,
        heart_rate_bpm: heart_rate,
        rpe,
    }
}

fn describe_target(t: &Target) -> String {
    let mut bits = Vec::new();
    if let Some([fast, slow]) = t.pace_s_per_km {
        bits.push(format!("{}–{}/km", format_pace(fast), format_pace(slow)));
    }
    if let Some([lo, hi]) = t.heart_rate_bpm {
        bits.push(format!("HR {lo:.0}–{hi:.0} bpm"));
    }
    bits.push(format!("RPE {}–{}", t.rpe[0], t.rpe[1]));
    bits.join(", ")
}

fn kind_name(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Rest => "Rest day",
        SessionKind::Easy => "Easy run",
        SessionKind::Long => "Long run",
        SessionKind::Tempo => "Tempo run",
        SessionKind::Intervals => "Intervals",
        SessionKind::Race => "Race",
        // Never planned (the advice's view of a done session).
        SessionKind::Hard => "Hard session",
        SessionKind::Strength => "Strength session",
    }
}

/// Formats seconds as `h:mm` or `m:ss` for short efforts.
pub(super) fn format_duration(seconds: f64) -> String {
    let total = seconds.round() as i64;
    if total >= 3600 {
        format!("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60)
    } else {
        format!("{}:{:02}", total / 60, total % 60)
    }
}

/// A running session from its parts `(label, distance, zone)`.
pub(super) fn run_session(
    ctx: &Context<'_>,
    kind: SessionKind,
    parts: &[(&str, f64, Zone)],
) -> Session {
    let mut out = Vec::with_capacity(parts.len());
    let (mut distance, mut duration, mut load) = (0.0, 0.0, 0.0);
    for &(label, d, zone) in parts.iter().filter(|p| p.1 > 0.0) {
        let speed = zone_speed(ctx, zone);
        let seconds = d / speed;
        let intensity = speed / ctx.threshold_speed;
        distance += d;
        duration += seconds;
        load += seconds / 3600.0 * intensity * intensity * 100.0;
        out.push(SessionPart {
            label: label.to_owned(),
            distance_m: d,
            duration_s: seconds,
            target: target(ctx, zone),
        });
    }
    let steps: Vec<String> = out
        .iter()
        .map(|p| {
            format!(
                "{} {:.1} km ({})",
                p.label,
                p.distance_m / 1000.0,
                describe_target(&p.target)
            )
        })
        .collect();
    let title = format!("{} {:.1} km", kind_name(kind), distance / 1000.0);
    let description = format!(
        "{title}, about {}: {}. Expected load {:.0}.",
        format_duration(duration),
        steps.join("; "),
        load
    );
    let steps = out
        .iter()
        .map(|p| {
            StepItem::Step(Step {
                role: role_of(&p.label),
                label: p.label.clone(),
                distance_m: Some(p.distance_m),
                time_s: None,
                target: p.target.clone(),
            })
        })
        .collect();
    Session {
        kind,
        workout: match kind {
            SessionKind::Rest => Workout::Rest,
            SessionKind::Easy => Workout::Easy,
            SessionKind::Long => Workout::Long,
            SessionKind::Tempo => Workout::Threshold,
            SessionKind::Intervals => Workout::Intervals,
            SessionKind::Race => Workout::Race,
            // Never planned: the nearest workouts, should a caller ask.
            SessionKind::Hard => Workout::Threshold,
            SessionKind::Strength => Workout::Rest,
        },
        steps,
        title,
        distance_m: distance,
        duration_s: duration,
        load,
        parts: out,
        description,
    }
}

fn role_of(label: &str) -> StepRole {
    match label {
        WARM_UP => StepRole::WarmUp,
        COOL_DOWN => StepRole::CoolDown,
        _ => StepRole::Active,
    }
}

pub(super) fn rest_session() -> Session {
    Session {
        kind: SessionKind::Rest,
        workout: Workout::Rest,
        steps: Vec::new(),
        title: kind_name(SessionKind::Rest).to_owned(),
        distance_m: 0.0,
        duration_s: 0.0,
        load: 0.0,
        parts: Vec::new(),
        description: "Rest day: no running (walking is fine).".to_owned(),
    }
}

/// Circular distance between two weekdays (0 = same day, 3 at most).
fn weekday_gap(a: u8, b: u8) -> u8 {
    let d = a.abs_diff(b);
    d.min(7 - d)
}

/// Chooses quality days among the training days: never the long-run day or a day next to it,
/// never two on consecutive days, as far from the long run as possible.
fn quality_days(training: &[u8], long_day: u8, wanted: usize) -> Vec<u8> {
    let candidates: Vec<u8> = training
        .iter()
        .copied()
        .filter(|d| weekday_gap(*d, long_day) >= 2)
        .collect();
    if wanted >= 2 {
        let mut best: Option<(u8, [u8; 2])> = None;
        for (i, a) in candidates.iter().enumerate() {
            for b in &candidates[i + 1..] {
                if weekday_gap(*a, *b) < 2 {
                    continue;
                }
                let score = weekday_gap(*a, long_day)
                    .min(weekday_gap(*b, long_day))
                    .min(weekday_gap(*a, *b));
                if best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, [*a, *b]));
                }
            }
        }
        if let Some((_, pair)) = best {
            return pair.to_vec();
        }
    }
    let mut best: Option<(u8, u8)> = None;
    for d in &candidates {
        let score = weekday_gap(*d, long_day);
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, *d));
        }
    }
    best.map(|(_, d)| vec![d]).unwrap_or_default()
}

/// How a week is shaped besides its distance: its kind and phase, its place in the build and its
/// long run.
#[derive(Debug, Clone, Copy)]
pub(super) struct WeekShape {
    /// What the week is for.
    pub(super) kind: WeekKind,
    /// Its training phase.
    pub(super) phase: Phase,
    /// How many build weeks came before it (rotates the session menu).
    pub(super) build_index: usize,
    /// Planned long run, metres (`None` = [`LONG_RUN_SHARE`] of the week).
    pub(super) long_m: Option<f64>,
    /// Whether the long run is a step up of the progression (the ones that carry race-pace
    /// work in the specific phase).
    pub(super) long_step: bool,
}

/// Label of a warm-up step.
const WARM_UP: &str = "warm-up";
/// Label of a cool-down step.
const COOL_DOWN: &str = "cool-down";
/// Faster-than-easy running of a week, at most this share of its distance, so that about 80 %
/// of the running stays easy (Seiler 2010).
const HARD_SHARE: f64 = 0.18;
/// The same in recovery and race weeks: a little intensity, much less volume.
const RECOVERY_HARD_SHARE: f64 = 0.10;
/// Cruise-interval repetition, metres (Daniels: threshold reps of about a mile, 1 min rest).
const THRESHOLD_REP_M: f64 = 1600.0;
/// Rest between cruise intervals, seconds (Daniels).
const THRESHOLD_REST_S: f64 = 60.0;
/// VO2max interval repetition, metres (Daniels' I-pace reps of 800–1200 m, jog of equal time).
const INTERVAL_REP_M: f64 = 1000.0;
/// Hill repetition, seconds of hard uphill running (Hudson; Pfitzinger's hill sprints are
/// shorter, the 60–90 s reps are the classic hill-strength session).
const HILL_REP_S: f64 = 75.0;
/// Jog back down after each hill, seconds.
const HILL_REST_S: f64 = 90.0;
/// Strides per session (Daniels: 6–8 × about 20 s, full recovery).
const STRIDES: u32 = 6;
/// Length of a stride, seconds.
const STRIDE_S: f64 = 20.0;
/// Easy jog or walk between strides, seconds.
const STRIDE_REST_S: f64 = 60.0;
/// Race-pace segment of a long run: at most this share of it (Pfitzinger & Douglas put up to
/// about half of a long run at marathon pace; Hudson's race-pace long runs) …
const LONG_RACE_PACE_SHARE: f64 = 0.4;
/// … and at most this many metres in one go.
const RACE_PACE_MAX_M: f64 = 16_000.0;
/// Races from this distance on get continuous race-pace segments (marathon or half-marathon
/// pace); shorter races get race-pace repetitions.
const LONG_RACE_M: f64 = 20_000.0;
/// Share of a progression run's distance that finishes at threshold effort.
const PROGRESSION_FINISH_SHARE: f64 = 1.0 / 3.0;

/// An amount of running in a step: metres or seconds.
#[derive(Debug, Clone, Copy)]
enum Amount {
    Metres(f64),
    Seconds(f64),
}

/// A piece of a structured session.
enum Piece {
    One(StepRole, String, f64, Zone),
    Reps {
        times: u32,
        work: (String, Amount, Zone),
        rest: (String, Amount, Zone),
    },
}

fn amount_text(a: Amount) -> String {
    match a {
        Amount::Metres(m) if m >= 1000.0 => format!("{:.1} km", m / 1000.0),
        Amount::Metres(m) => format!("{m:.0} m"),
        Amount::Seconds(s) if s >= 60.0 && s % 60.0 == 0.0 => format!("{:.0} min", s / 60.0),
        Amount::Seconds(s) => format!("{s:.0} s"),
    }
}

/// A structured session: the parts (for distance, duration and load) and the steps a watch runs.
fn structured(
    ctx: &Context<'_>,
    kind: SessionKind,
    workout: Workout,
    title: String,
    pieces: &[Piece],
) -> Session {
    let metres = |a: Amount, z: Zone| match a {
        Amount::Metres(m) => m,
        Amount::Seconds(s) => s * zone_speed(ctx, z),
    };
    // Race pace in training feels easier than racing it: Daniels' M pace is "comfortably
    // steady", half-marathon pace comfortably hard, shorter race paces hard.
    let training_rpe: [u8; 2] = if ctx.req.race_distance_m >= super::MARATHON_M * 0.9 {
        [5, 6]
    } else if ctx.req.race_distance_m >= LONG_RACE_M {
        [6, 7]
    } else {
        [7, 8]
    };
    let target = |ctx: &Context<'_>, z: Zone| {
        let mut t = target(ctx, z);
        if z == Zone::Race {
            t.rpe = training_rpe;
        }
        t
    };
    let step = |role: StepRole, label: &str, a: Amount, z: Zone| Step {
        role,
        label: label.to_owned(),
        distance_m: match a {
            Amount::Metres(m) => Some(m),
            Amount::Seconds(_) => None,
        },
        time_s: match a {
            Amount::Seconds(s) => Some(s),
            Amount::Metres(_) => None,
        },
        target: target(ctx, z),
    };
    let mut parts: Vec<(String, f64, Zone)> = Vec::new();
    let mut steps = Vec::new();
    let mut words = Vec::new();
    for piece in pieces {
        match piece {
            Piece::One(role, label, m, zone) if *m > 0.0 => {
                parts.push((label.clone(), *m, *zone));
                let st = step(*role, label, Amount::Metres(*m), *zone);
                words.push(format!(
                    "{label} {} ({})",
                    amount_text(Amount::Metres(*m)),
                    describe_target(&st.target)
                ));
                steps.push(StepItem::Step(st));
            }
            Piece::One(..) => {}
            Piece::Reps { times, work, rest } if *times > 0 => {
                let n = f64::from(*times);
                parts.push((work.0.clone(), n * metres(work.1, work.2), work.2));
                parts.push((rest.0.clone(), n * metres(rest.1, rest.2), rest.2));
                let w = step(StepRole::Active, &work.0, work.1, work.2);
                let r = step(StepRole::Recovery, &rest.0, rest.1, rest.2);
                words.push(format!(
                    "{times} × {} {} ({}) with {} {}",
                    amount_text(work.1),
                    work.0,
                    describe_target(&w.target),
                    amount_text(rest.1),
                    rest.0
                ));
                steps.push(StepItem::Repeat {
                    times: *times,
                    steps: vec![w, r],
                });
            }
            Piece::Reps { .. } => {}
        }
    }
    let refs: Vec<(&str, f64, Zone)> = parts.iter().map(|(l, m, z)| (l.as_str(), *m, *z)).collect();
    let mut session = run_session(ctx, kind, &refs);
    for part in session
        .parts
        .iter_mut()
        .filter(|p| p.target.zone == Zone::Race)
    {
        part.target.rpe = training_rpe;
    }
    session.description = format!(
        "{title} ({:.1} km), about {}: {}. Expected load {:.0}.",
        session.distance_m / 1000.0,
        format_duration(session.duration_s),
        words.join("; "),
        session.load
    );
    session.title = title;
    session.workout = workout;
    session.steps = steps;
    session
}

/// Name of race-pace work for this race.
fn race_pace_name(ctx: &Context<'_>) -> &'static str {
    if ctx.req.race_distance_m >= super::MARATHON_M * 0.9 {
        "marathon pace"
    } else if ctx.req.race_distance_m >= LONG_RACE_M {
        "half-marathon pace"
    } else {
        "race pace"
    }
}

/// A quality session: `hard_m` is the most faster-than-easy running it may hold, `week_m` the
/// week's distance, `rotation` varies its details from week to week.
fn workout_session(
    ctx: &Context<'_>,
    workout: Workout,
    hard_m: f64,
    week_m: f64,
    rotation: usize,
) -> Session {
    // A quality session stays within its share of the week: when the work asked for would not
    // fit (a small week), ask for less until it does.
    let cap = QUALITY_SESSION_MAX_SHARE * week_m;
    let mut hard = hard_m.max(0.0);
    let mut session = workout_at(ctx, workout, hard, week_m, rotation);
    for _ in 0..8 {
        if session.distance_m <= cap * (1.0 + 1e-9) || hard <= 0.0 {
            break;
        }
        hard *= 0.8 * cap / session.distance_m;
        session = workout_at(ctx, workout, hard, week_m, rotation);
    }
    session
}

fn workout_at(
    ctx: &Context<'_>,
    workout: Workout,
    hard_m: f64,
    week_m: f64,
    rotation: usize,
) -> Session {
    // Warm-up and cool-down scaled so that the whole session stays within its share of the week.
    let wu = (0.5 * WARMUP_COOLDOWN_M).min(0.5 * QUALITY_SESSION_MAX_SHARE * week_m / 2.0);
    let warm = Piece::One(StepRole::WarmUp, WARM_UP.into(), wu, Zone::Easy);
    let cool = Piece::One(StepRole::CoolDown, COOL_DOWN.into(), wu, Zone::Easy);
    let jog = |s: f64| ("jog".to_owned(), Amount::Seconds(s), Zone::Easy);
    let reps = |work: f64, rep: f64| -> (u32, f64) {
        let rep = if work >= 2.0 * rep {
            rep
        } else {
            (work / 2.0).max(200.0)
        };
        (((work / rep).round() as u32).max(1), rep)
    };
    match workout {
        Workout::Hills => {
            let times = (8 + (rotation % 3) as u32)
                .min((hard_m / (HILL_REP_S * zone_speed(ctx, Zone::Interval))).floor() as u32);
            structured(
                ctx,
                SessionKind::Intervals,
                workout,
                format!("Hills {times} × {HILL_REP_S:.0} s"),
                &[
                    warm,
                    Piece::Reps {
                        times,
                        work: (
                            "uphill, hard but controlled".into(),
                            Amount::Seconds(HILL_REP_S),
                            Zone::Interval,
                        ),
                        rest: (
                            "jog back down".into(),
                            Amount::Seconds(HILL_REST_S),
                            Zone::Easy,
                        ),
                    },
                    cool,
                ],
            )
        }
        Workout::Intervals => {
            let work = (INTERVAL_BLOCK_SHARE * week_m)
                .min(INTERVAL_BLOCK_MAX_M)
                .min(hard_m);
            let (times, rep) = reps(work, INTERVAL_REP_M);
            let rest = rep / zone_speed(ctx, Zone::Interval);
            structured(
                ctx,
                SessionKind::Intervals,
                workout,
                format!("Intervals {times} × {rep:.0} m"),
                &[
                    warm,
                    Piece::Reps {
                        times,
                        work: (
                            "at interval pace".into(),
                            Amount::Metres(rep),
                            Zone::Interval,
                        ),
                        rest: jog(rest.round()),
                    },
                    cool,
                ],
            )
        }
        Workout::Progression => {
            let total = (week_m / ctx.training_days().len().max(1) as f64)
                .min(QUALITY_SESSION_MAX_SHARE * week_m);
            let finish = (PROGRESSION_FINISH_SHARE * total).min(hard_m);
            structured(
                ctx,
                SessionKind::Tempo,
                workout,
                format!("Progression run {:.1} km", total / 1000.0),
                &[
                    Piece::One(StepRole::Active, "easy".into(), total - finish, Zone::Easy),
                    Piece::One(
                        StepRole::Active,
                        "finish at threshold effort".into(),
                        finish,
                        Zone::Tempo,
                    ),
                ],
            )
        }
        Workout::RacePace if ctx.req.race_distance_m >= LONG_RACE_M => {
            let work = (0.2 * week_m).min(RACE_PACE_MAX_M).min(hard_m);
            let name = race_pace_name(ctx);
            structured(
                ctx,
                SessionKind::Tempo,
                workout,
                format!("{:.1} km at {name}", work / 1000.0),
                &[
                    warm,
                    Piece::One(StepRole::Active, format!("at {name}"), work, Zone::Race),
                    cool,
                ],
            )
        }
        Workout::RacePace => {
            let rep_m = if ctx.req.race_distance_m <= 6_000.0 {
                1000.0
            } else {
                2000.0
            };
            let work = (INTERVAL_BLOCK_SHARE * week_m).min(hard_m);
            let (times, rep) = reps(work, rep_m);
            structured(
                ctx,
                SessionKind::Intervals,
                workout,
                format!("Race pace {times} × {rep:.0} m"),
                &[
                    warm,
                    Piece::Reps {
                        times,
                        work: ("at race pace".into(), Amount::Metres(rep), Zone::Race),
                        rest: jog(if rep_m > 1000.0 { 120.0 } else { 90.0 }),
                    },
                    cool,
                ],
            )
        }
        _ => {
            let work = (TEMPO_BLOCK_SHARE * week_m).min(hard_m);
            let (times, rep) = reps(work, THRESHOLD_REP_M);
            structured(
                ctx,
                SessionKind::Tempo,
                Workout::Threshold,
                format!("Threshold {times} × {rep:.0} m"),
                &[
                    warm,
                    Piece::Reps {
                        times,
                        work: ("at threshold pace".into(), Amount::Metres(rep), Zone::Tempo),
                        rest: jog(THRESHOLD_REST_S),
                    },
                    cool,
                ],
            )
        }
    }
}

/// Distance of the strides with their recoveries, metres.
fn strides_block_m(ctx: &Context<'_>) -> f64 {
    f64::from(STRIDES)
        * (STRIDE_S * zone_speed(ctx, Zone::Interval) + STRIDE_REST_S * zone_speed(ctx, Zone::Easy))
}

/// An easy run of `total_m` finished with strides.
fn strides_session(ctx: &Context<'_>, total_m: f64) -> Session {
    let stride_m = strides_block_m(ctx);
    structured(
        ctx,
        SessionKind::Easy,
        Workout::Strides,
        format!("Easy run {:.1} km + {STRIDES} strides", total_m / 1000.0),
        &[
            Piece::One(
                StepRole::Active,
                "easy".into(),
                (total_m - stride_m).max(0.0),
                Zone::Easy,
            ),
            Piece::Reps {
                times: STRIDES,
                work: (
                    "stride, fast and relaxed".into(),
                    Amount::Seconds(STRIDE_S),
                    Zone::Interval,
                ),
                rest: (
                    "easy jog or walk".into(),
                    Amount::Seconds(STRIDE_REST_S),
                    Zone::Easy,
                ),
            },
        ],
    )
}

/// The quality session of a week by phase (Daniels' phases; Pfitzinger & Douglas' mesocycles):
/// base → hills, progression runs and threshold; build → threshold, VO2max intervals and, for
/// the longer races, race pace; specific → race pace (mid-week when the long run carries none)
/// and threshold or intervals; taper → race pace or intervals.
fn quality_menu(
    ctx: &Context<'_>,
    shape: &WeekShape,
    rotation: usize,
    long_has_race_pace: bool,
) -> Workout {
    let long_race = ctx.req.race_distance_m >= LONG_RACE_M;
    match (shape.kind, shape.phase) {
        (WeekKind::Recovery, _) => Workout::Threshold,
        (_, Phase::Base) => {
            [Workout::Hills, Workout::Progression, Workout::Threshold][rotation % 3]
        }
        (_, Phase::Build) if long_race => {
            [Workout::Threshold, Workout::Intervals, Workout::RacePace][rotation % 3]
        }
        (_, Phase::Build) => [Workout::Threshold, Workout::Intervals][rotation % 2],
        (_, Phase::Specific) if long_race => {
            if long_has_race_pace {
                Workout::Threshold
            } else {
                Workout::RacePace
            }
        }
        (_, Phase::Specific) => [Workout::RacePace, Workout::Intervals][rotation % 2],
        (_, Phase::Taper) if long_race => Workout::RacePace,
        (_, Phase::Taper) => [Workout::Intervals, Workout::RacePace][rotation % 2],
    }
}

/// The longest long run allowed by [`LONG_RUN_MAX_MINUTES`] at the athlete's easy pace, metres.
pub(super) fn long_run_cap_m(ctx: &Context<'_>) -> f64 {
    zone_speed(ctx, Zone::Easy) * LONG_RUN_MAX_MINUTES * 60.0
}

/// The seven days of the week starting `window_start`, with sessions for a nominal week distance
/// of `week_m` metres (training distance: the race itself comes on top in the race week).
pub(super) fn layout_week(
    ctx: &Context<'_>,
    window_start: Date,
    week_m: f64,
    shape: &WeekShape,
) -> Result<Vec<Day>, PlanError> {
    let kind = shape.kind;
    let build_index = shape.build_index;
    let mut dates = [window_start; 7];
    for (i, date) in dates.iter_mut().enumerate() {
        *date = add_days(window_start, i as i64)?;
    }
    let training: Vec<u8> = ctx.training_days().iter().copied().collect();
    let is_training = |d: Date| ctx.training_days().contains(&weekday_index(d.weekday()));
    let mut sessions: Vec<Option<Session>> = vec![None; 7];

    if kind == WeekKind::Race {
        // The race week ends on race day, which may fall before the week's last day.
        let race_date = ctx.req.race_date;
        let race_index = usize::try_from(super::days_between(window_start, race_date))
            .unwrap_or(6)
            .min(6);
        sessions[race_index] = Some(run_session(
            ctx,
            SessionKind::Race,
            &[("race", ctx.req.race_distance_m, Zone::Race)],
        ));
        let runs: Vec<usize> = (0..race_index).filter(|i| is_training(dates[*i])).collect();
        // One sharpening session early in the week keeps the intensity (Bosquet 2007).
        let quality = runs.iter().copied().find(|i| {
            super::days_between(dates[*i], race_date) >= RACE_WEEK_QUALITY_MIN_DAYS_BEFORE
        });
        let mut remaining = week_m;
        if let Some(q) = quality {
            let s = workout_session(
                ctx,
                Workout::RacePace,
                RECOVERY_HARD_SHARE * week_m,
                week_m,
                0,
            );
            remaining -= s.distance_m;
            sessions[q] = Some(s);
        }
        let easy: Vec<usize> = runs
            .iter()
            .copied()
            .filter(|i| Some(*i) != quality)
            .collect();
        let weight = |i: usize| {
            if i + 1 == race_index {
                SHAKEOUT_WEIGHT
            } else {
                1.0
            }
        };
        let total: f64 = easy.iter().map(|i| weight(*i)).sum();
        for i in easy {
            let d = remaining.max(0.0) * weight(i) / total;
            sessions[i] = Some(run_session(
                ctx,
                SessionKind::Easy,
                &[("easy", d, Zone::Easy)],
            ));
        }
    } else {
        let long_index = (0..7).find(|i| weekday_index(dates[*i].weekday()) == ctx.long_day);
        let long_m = shape
            .long_m
            .unwrap_or(LONG_RUN_SHARE * week_m)
            .min(LONG_RUN_STRETCH_SHARE * week_m)
            .min(long_run_cap_m(ctx));
        let mut hard_left = if kind == WeekKind::Build {
            HARD_SHARE * week_m
        } else {
            RECOVERY_HARD_SHARE * week_m
        };
        let long_race = ctx.req.race_distance_m >= LONG_RACE_M;
        let long_has_race_pace = long_race
            && kind == WeekKind::Build
            && shape.phase == Phase::Specific
            && shape.long_step;
        let mut remaining = week_m;
        if let Some(i) = long_index {
            let mut s = if long_has_race_pace {
                let rp = (LONG_RACE_PACE_SHARE * long_m)
                    .min(RACE_PACE_MAX_M)
                    .min(0.6 * hard_left);
                hard_left -= rp;
                let name = race_pace_name(ctx);
                structured(
                    ctx,
                    SessionKind::Long,
                    Workout::LongRacePace,
                    format!(
                        "Long run {:.1} km with {:.1} km at {name}",
                        long_m / 1000.0,
                        rp / 1000.0
                    ),
                    &[
                        Piece::One(
                            StepRole::Active,
                            "long run, easy".into(),
                            long_m - rp,
                            Zone::Easy,
                        ),
                        Piece::One(StepRole::Active, format!("at {name}"), rp, Zone::Race),
                    ],
                )
            } else {
                run_session(
                    ctx,
                    SessionKind::Long,
                    &[("long run, easy", long_m, Zone::Easy)],
                )
            };
            if long_m > LONG_RUN_MAX_SHARE * week_m * (1.0 + 1e-9) {
                s.description.push_str(&format!(
                    " This long run is {:.0} % of the week's distance, above the usual 30 %: the long run has to reach race-specific length (Pfitzinger & Douglas); keep it easy and the next day easy.",
                    100.0 * long_m / week_m
                ));
            }
            remaining -= s.distance_m;
            sessions[i] = Some(s);
        }
        let wanted = match kind {
            WeekKind::Build if training.len() >= TWO_QUALITY_MIN_DAYS => 2,
            _ => 1,
        };
        let q_days = quality_days(&training, ctx.long_day, wanted);
        let n_quality = q_days.len().max(1);
        for (k, day) in q_days.iter().enumerate() {
            if let Some(i) = (0..7).find(|i| weekday_index(dates[*i].weekday()) == *day) {
                let workout = quality_menu(ctx, shape, build_index + k, long_has_race_pace);
                let budget = hard_left / (n_quality - k) as f64;
                let s = workout_session(ctx, workout, budget, week_m, build_index);
                let hard: f64 = s
                    .parts
                    .iter()
                    .filter(|p| p.target.zone != Zone::Easy)
                    .map(|p| p.distance_m)
                    .sum();
                hard_left -= hard;
                remaining -= s.distance_m;
                sessions[i] = Some(s);
            }
        }
        let easy: Vec<usize> = (0..7)
            .filter(|i| is_training(dates[*i]) && sessions[*i].is_none())
            .collect();
        let each = remaining.max(0.0) / easy.len().max(1) as f64;
        // Strides on the first easy day of the week, outside the race-specific phase (Daniels
        // keeps them in every phase; the specific phase has its race-pace work instead).
        let strides_day = (shape.phase != Phase::Specific && each >= 2.0 * strides_block_m(ctx))
            .then(|| easy.first().copied())
            .flatten();
        for i in easy {
            sessions[i] = Some(if Some(i) == strides_day {
                strides_session(ctx, each)
            } else {
                run_session(ctx, SessionKind::Easy, &[("easy", each, Zone::Easy)])
            });
        }
    }

    Ok(dates
        .iter()
        .zip(sessions)
        .map(|(date, session)| {
            let session = session.unwrap_or_else(rest_session);
            Day {
                date: *date,
                load: session.load,
                session,
                recovery: Vec::new(),
            }
        })
        .collect())
}
