//! Sessions: how a week's distance is spread over its days, and each session's parts, targets
//! and expected load.
//!
//! Zones are fractions of threshold speed (threshold pace ≈ the pace held for about an hour,
//! SCIENCE.md §2); a part's expected load is `hours × IF² × 100` with IF = its speed / threshold
//! speed (rTSS). Heart-rate zones come from LTHR (Friel's running zones) or, without it, from
//! HRmax (Edwards' zones).

use jiff::civil::Date;

use super::build::Context;
use super::{
    Day, LONG_RUN_MAX_MINUTES, LONG_RUN_MAX_SHARE, LONG_RUN_SHARE, LONG_RUN_STRETCH_SHARE,
    PlanError, Session, SessionKind, SessionPart, Target, WeekKind, Zone, add_days, weekday_index,
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
    Session {
        kind,
        title,
        distance_m: distance,
        duration_s: duration,
        load,
        parts: out,
        description,
    }
}

fn rest_session() -> Session {
    Session {
        kind: SessionKind::Rest,
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

/// A quality session of `kind` in a week of `week_m` metres.
fn quality_session(ctx: &Context<'_>, kind: SessionKind, week_m: f64) -> Session {
    let (work, zone, label) = match kind {
        SessionKind::Intervals => (
            (INTERVAL_BLOCK_SHARE * week_m).min(INTERVAL_BLOCK_MAX_M),
            Zone::Interval,
            "intervals in reps of 800–1000 m",
        ),
        _ => (TEMPO_BLOCK_SHARE * week_m, Zone::Tempo, "tempo"),
    };
    // Interval reps are separated by jogs of equal time, run at easy pace.
    let jog = if zone == Zone::Interval {
        work * zone_speed(ctx, Zone::Easy) / zone_speed(ctx, Zone::Interval)
    } else {
        0.0
    };
    let cap = QUALITY_SESSION_MAX_SHARE * week_m;
    let scale = (cap / (work + jog + WARMUP_COOLDOWN_M)).min(1.0);
    let half_wu = 0.5 * WARMUP_COOLDOWN_M * scale;
    run_session(
        ctx,
        kind,
        &[
            ("warm-up", half_wu, Zone::Easy),
            (label, work * scale, zone),
            (
                "jog recoveries between reps, equal time",
                jog * scale,
                Zone::Easy,
            ),
            ("cool-down", half_wu, Zone::Easy),
        ],
    )
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
    kind: WeekKind,
    week_m: f64,
    build_index: usize,
    long_m: Option<f64>,
) -> Result<Vec<Day>, PlanError> {
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
            let s = quality_session(ctx, SessionKind::Tempo, week_m);
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
        let long_m = long_m
            .unwrap_or(LONG_RUN_SHARE * week_m)
            .min(LONG_RUN_STRETCH_SHARE * week_m)
            .min(long_run_cap_m(ctx));
        let mut remaining = week_m;
        if let Some(i) = long_index {
            let mut s = run_session(
                ctx,
                SessionKind::Long,
                &[("long run, easy", long_m, Zone::Easy)],
            );
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
        let q_kinds: Vec<SessionKind> = match (kind, q_days.len()) {
            (WeekKind::Build, 2) => vec![SessionKind::Intervals, SessionKind::Tempo],
            (WeekKind::Build, _) if build_index % 2 == 1 => vec![SessionKind::Intervals],
            (WeekKind::Taper, _) => vec![SessionKind::Intervals],
            _ => vec![SessionKind::Tempo],
        };
        for (day, q_kind) in q_days.iter().zip(q_kinds) {
            if let Some(i) = (0..7).find(|i| weekday_index(dates[*i].weekday()) == *day) {
                let s = quality_session(ctx, q_kind, week_m);
                remaining -= s.distance_m;
                sessions[i] = Some(s);
            }
        }
        let easy: Vec<usize> = (0..7)
            .filter(|i| is_training(dates[*i]) && sessions[*i].is_none())
            .collect();
        let each = remaining.max(0.0) / easy.len().max(1) as f64;
        for i in easy {
            sessions[i] = Some(run_session(
                ctx,
                SessionKind::Easy,
                &[("easy", each, Zone::Easy)],
            ));
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
