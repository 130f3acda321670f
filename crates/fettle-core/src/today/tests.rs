//! The daily decision on hand-built snapshots: each expectation follows from the rule in the
//! module doc, reasoned by hand.

use jiff::civil::{Date, date};
use jiff::tz::TimeZone;
use jiff::{ToSpan, ZonedDateTime};

use super::*;
use crate::plan::{Day, Session, SessionPart, Target, Zone};

fn session(kind: SessionKind, minutes: f64) -> Session {
    let zone = match kind {
        SessionKind::Intervals => Zone::Interval,
        SessionKind::Tempo => Zone::Tempo,
        _ => Zone::Easy,
    };
    let easy = Target {
        zone: Zone::Easy,
        pace_s_per_km: Some([330.0, 360.0]),
        heart_rate_bpm: None,
        rpe: [2, 3],
    };
    Session {
        kind,
        title: format!("{} {minutes} min", kind_word(kind)),
        distance_m: 0.0,
        duration_s: minutes * 60.0,
        load: 0.0,
        parts: vec![
            SessionPart {
                label: "warm-up".into(),
                distance_m: 2000.0,
                duration_s: 600.0,
                target: easy,
            },
            SessionPart {
                label: "main".into(),
                distance_m: 5000.0,
                duration_s: (minutes - 10.0) * 60.0,
                target: Target {
                    zone,
                    pace_s_per_km: Some([230.0, 240.0]),
                    heart_rate_bpm: None,
                    rpe: [8, 9],
                },
            },
        ],
        description: "test session".into(),
        workout: crate::plan::Workout::Easy,
        steps: Vec::new(),
    }
}

fn day(d: Date, kind: SessionKind) -> Day {
    Day {
        date: d,
        session: session(kind, 50.0),
        load: 0.0,
        recovery: Vec::new(),
    }
}

fn component(
    name: &'static str,
    value: f64,
    baseline: Option<f64>,
    score: f64,
    weight: f64,
) -> Component {
    Component {
        name,
        label: crate::readiness::component_label(name),
        value,
        baseline,
        sd: None,
        swc: None,
        unit: "",
        score,
        weight,
    }
}

fn readiness(
    score: Option<f64>,
    recommendation: Recommendation,
    components: Vec<Component>,
) -> Readiness {
    Readiness {
        date: TODAY,
        score,
        recommendation,
        components,
        missing: Vec::new(),
        reasons: vec!["readiness reason".into()],
    }
}

/// Monday 2026-11-30.
const TODAY: Date = date(2026, 11, 30);

fn morning() -> ZonedDateTime {
    TODAY
        .at(7, 0, 0, 0)
        .to_zoned_datetime(TimeZone::UTC)
        .expect("zoned")
}

/// A week: intervals Monday (today), easy Tuesday, tempo Wednesday, easy Thursday, rest Friday,
/// easy Saturday, long Sunday.
fn week() -> Vec<Day> {
    use SessionKind::*;
    [Easy, Tempo, Easy, Rest, Easy, Long]
        .into_iter()
        .enumerate()
        .map(|(i, k)| day(TODAY.checked_add((i as i64 + 1).days()).expect("date"), k))
        .collect()
}

#[test]
fn poor_morning_turns_planned_intervals_into_easy_and_names_what_was_poor() {
    let intervals = session(SessionKind::Intervals, 60.0);
    // HRV: ln value 0.1625 below baseline → e^−0.1625 − 1 = −15 %.
    let r = readiness(
        Some(52.0),
        Recommendation::Easy,
        vec![
            component("hrv", 4.0318, Some(4.1943), 40.0, 0.3),
            component("sleep", 5.0, None, 25.0, 0.15),
            component("soreness", 5.0, Some(2.0), 0.0, 0.075),
            component("mood", 4.0, Some(4.0), 75.0, 0.05),
        ],
    );
    let upcoming = week();
    let now = morning();
    let decision = decide(&DayInput {
        date: TODAY,
        now: &now,
        readiness: &r,
        planned: Some(&intervals),
        upcoming: &upcoming,
        last_hard: None,
        next_hard_from: None,
    });
    assert_eq!(decision.verdict, Verdict::Easy);
    let suggested = decision.suggested.expect("an easy run");
    // min(60, 40) = 40 minutes, with the plan's easy target.
    assert_eq!(suggested.duration_min, Some(40.0));
    assert_eq!(suggested.kind, SessionKind::Easy);
    assert_eq!(
        suggested.target.and_then(|t| t.pace_s_per_km),
        Some([330.0, 360.0])
    );
    let first = &decision.reasons[0];
    // Pull = weight × (75 − score): HRV 10.5, sleep 7.5, soreness 5.6; mood is not weak.
    assert!(
        first.starts_with("Planned: intervals. Today: easy run 40 min instead — readiness 52 (HRV 15 % below your baseline, slept 5.0 h (target 8), soreness 5/5 (usually 2.0))"),
        "{first}"
    );
    assert!(!first.contains("mood"), "{first}");
    // Tuesday easy sits before Wednesday's tempo, Thursday's easy after it; Saturday easy
    // is before Sunday's long run: no easy day is free of a demanding neighbour → skip.
    let swap = decision.swap.expect("a proposal");
    assert_eq!(swap.from, TODAY);
    assert_eq!(swap.to, None);
    assert!(
        decision
            .reasons
            .iter()
            .any(|r| r.contains("skip the intervals"))
    );
}

#[test]
fn swap_goes_to_the_first_easy_day_with_no_demanding_neighbour() {
    use SessionKind::*;
    // Tue easy, Wed easy, Thu easy, Fri rest, Sat easy, Sun long.
    let upcoming: Vec<Day> = [Easy, Easy, Easy, Rest, Easy, Long]
        .into_iter()
        .enumerate()
        .map(|(i, k)| day(TODAY.checked_add((i as i64 + 1).days()).expect("date"), k))
        .collect();
    let intervals = session(Intervals, 60.0);
    let r = readiness(
        Some(30.0),
        Recommendation::Rest,
        vec![component("sleep", 4.0, None, 0.0, 1.0)],
    );
    let now = morning();
    let decision = decide(&DayInput {
        date: TODAY,
        now: &now,
        readiness: &r,
        planned: Some(&intervals),
        upcoming: &upcoming,
        last_hard: None,
        next_hard_from: None,
    });
    assert_eq!(decision.verdict, Verdict::Rest);
    assert_eq!(decision.suggested, None);
    // Tuesday is tomorrow (too soon); Wednesday 2 Dec has easy days either side.
    assert_eq!(decision.swap.expect("a swap").to, Some(date(2026, 12, 2)));
    assert!(
        decision
            .headline
            .contains("Rest today instead of the planned intervals")
    );
}

#[test]
fn ready_morning_keeps_the_plan_and_no_plan_with_wellness_is_hard_ok() {
    let intervals = session(SessionKind::Intervals, 60.0);
    let r = readiness(
        Some(76.0),
        Recommendation::TrainHard,
        vec![
            component("sleep", 8.0, None, 100.0, 0.5),
            component("form", -5.0, Some(-6.0), 76.0, 0.5),
        ],
    );
    let now = morning();
    let input = DayInput {
        date: TODAY,
        now: &now,
        readiness: &r,
        planned: Some(&intervals),
        upcoming: &[],
        last_hard: None,
        next_hard_from: None,
    };
    let decision = decide(&input);
    assert_eq!(decision.verdict, Verdict::AsPlanned);
    assert_eq!(decision.swap, None);
    assert_eq!(decision.suggested.expect("the plan").title, intervals.title);
    let unplanned = decide(&DayInput {
        planned: None,
        ..input
    });
    assert_eq!(unplanned.verdict, Verdict::HardOk);
}

#[test]
fn load_alone_never_vouches_for_a_hard_day_without_a_plan() {
    let r = readiness(
        Some(78.0),
        Recommendation::TrainHard,
        vec![component("form", 2.0, Some(0.0), 78.0, 1.0)],
    );
    let now = morning();
    let decision = decide(&DayInput {
        date: TODAY,
        now: &now,
        readiness: &r,
        planned: None,
        upcoming: &[],
        last_hard: None,
        next_hard_from: None,
    });
    assert_eq!(decision.verdict, Verdict::Easy);
    assert!(
        decision.reasons[0].contains("no wellness logged"),
        "{:?}",
        decision.reasons
    );
}

#[test]
fn recovery_time_past_today_wins_over_a_ready_score_and_says_so() {
    let tempo = session(SessionKind::Tempo, 50.0);
    let r = readiness(
        Some(80.0),
        Recommendation::TrainHard,
        vec![component("sleep", 8.0, None, 100.0, 1.0)],
    );
    let now = morning();
    // Hard work is fine from Tuesday 09:00: past the end of Monday.
    let from = date(2026, 12, 1)
        .at(9, 0, 0, 0)
        .to_zoned_datetime(TimeZone::UTC)
        .expect("zoned");
    let decision = decide(&DayInput {
        date: TODAY,
        now: &now,
        readiness: &r,
        planned: Some(&tempo),
        upcoming: &[],
        last_hard: Some(LastHard {
            // Sunday 07:00: 24 h before now.
            end: now.timestamp().checked_sub(24.hours()).expect("instant"),
            kind: Kind::Intervals,
        }),
        next_hard_from: Some(&from),
    });
    assert_eq!(decision.verdict, Verdict::Easy);
    let first = &decision.reasons[0];
    assert!(
        first.contains("recovery time after the last session runs until Tuesday 09:00"),
        "{first}"
    );
    assert!(
        first.contains("last hard session (intervals) was 24 h ago"),
        "{first}"
    );
    // Recovery done later today: the plan stands, with its start time.
    let later = TODAY
        .at(15, 30, 0, 0)
        .to_zoned_datetime(TimeZone::UTC)
        .expect("zoned");
    let decision = decide(&DayInput {
        date: TODAY,
        now: &now,
        readiness: &r,
        planned: Some(&tempo),
        upcoming: &[],
        last_hard: None,
        next_hard_from: Some(&later),
    });
    assert_eq!(decision.verdict, Verdict::AsPlanned);
    assert!(
        decision
            .reasons
            .iter()
            .any(|r| r.contains("after Monday 15:30")),
        "{:?}",
        decision.reasons
    );
}

#[test]
fn planned_rest_and_easy_days_stand_on_an_easy_morning() {
    let r = readiness(
        Some(55.0),
        Recommendation::Easy,
        vec![component("sleep", 6.0, None, 50.0, 1.0)],
    );
    let now = morning();
    for (kind, verdict, suggested) in [
        (SessionKind::Rest, Verdict::AsPlanned, false),
        (SessionKind::Easy, Verdict::AsPlanned, true),
        (SessionKind::Long, Verdict::Easy, true),
    ] {
        let planned = session(kind, 90.0);
        let decision = decide(&DayInput {
            date: TODAY,
            now: &now,
            readiness: &r,
            planned: Some(&planned),
            upcoming: &[],
            last_hard: None,
            next_hard_from: None,
        });
        assert_eq!(decision.verdict, verdict, "{kind:?}");
        assert_eq!(decision.suggested.is_some(), suggested, "{kind:?}");
    }
}

/// A ready morning (76, train hard) with sleep logged.
fn ready_morning() -> Readiness {
    readiness(
        Some(76.0),
        Recommendation::TrainHard,
        vec![component("sleep", 8.0, None, 100.0, 1.0)],
    )
}

/// A 5 km race that ended yesterday at 09:50 UTC.
fn race_ended_yesterday() -> jiff::Timestamp {
    TODAY
        .yesterday()
        .expect("date")
        .at(9, 50, 0, 0)
        .to_zoned_datetime(TimeZone::UTC)
        .expect("zoned")
        .timestamp()
}

#[test]
fn the_day_after_a_race_is_easy_whatever_the_morning_says() {
    // A ready morning (76, train hard) with no plan would be "hard_ok"; a 5 km race that ended
    // yesterday at 09:50 makes it an easy day, and the reason names the race.
    let r = ready_morning();
    let now = morning();
    let race_end = race_ended_yesterday();
    let input = DayInput {
        date: TODAY,
        now: &now,
        readiness: &r,
        planned: None,
        upcoming: &[],
        last_hard: Some(LastHard {
            end: race_end,
            kind: Kind::Race,
        }),
        next_hard_from: None,
    };
    let decision = decide(&input);
    assert_eq!(decision.verdict, Verdict::Easy);
    assert!(
        decision
            .reasons
            .iter()
            .any(|r| r.contains("you raced on 2026-11-29")),
        "{:?}",
        decision.reasons
    );
    // Two days later the race no longer caps the day: ready and unplanned is hard_ok again.
    let later = TODAY.checked_add(2.days()).expect("date");
    let later_morning = later
        .at(7, 0, 0, 0)
        .to_zoned_datetime(TimeZone::UTC)
        .expect("zoned");
    let decision = decide(&DayInput {
        date: later,
        now: &later_morning,
        ..input
    });
    assert_eq!(decision.verdict, Verdict::HardOk);
    // A hard session that was not a race does not cap a ready morning by itself.
    let decision = decide(&DayInput {
        last_hard: Some(LastHard {
            end: race_end,
            kind: Kind::Intervals,
        }),
        ..input
    });
    assert_eq!(decision.verdict, Verdict::HardOk);
}

#[test]
fn a_planned_easy_day_after_a_race_shrinks_to_the_after_race_run() {
    // Ready morning, the plan (written before the race) has a 50-minute easy run for the day
    // after a race: the day after a race allows at most 30 minutes, so the verdict is easy
    // 30 min with the race named, not "as planned".
    let r = ready_morning();
    let now = morning();
    let race_end = race_ended_yesterday();
    let planned = session(SessionKind::Easy, 50.0);
    let input = DayInput {
        date: TODAY,
        now: &now,
        readiness: &r,
        planned: Some(&planned),
        upcoming: &[],
        last_hard: Some(LastHard {
            end: race_end,
            kind: Kind::Race,
        }),
        next_hard_from: None,
    };
    let decision = decide(&input);
    assert_eq!(decision.verdict, Verdict::Easy);
    assert_eq!(
        decision.suggested.as_ref().and_then(|s| s.duration_min),
        Some(AFTER_RACE_EASY_MAX_MIN)
    );
    assert!(
        decision.reasons[0].contains("you raced on 2026-11-29"),
        "{:?}",
        decision.reasons
    );
    // A 25-minute easy run fits the day after a race: as planned.
    let short = session(SessionKind::Easy, 25.0);
    let decision = decide(&DayInput {
        planned: Some(&short),
        ..input
    });
    assert_eq!(decision.verdict, Verdict::AsPlanned);
}
