//! The day's answer over a real SQLite file: a plan with intervals on the day, a month of
//! ordinary mornings, and the morning itself either as usual or poor. Expectations are
//! reasoned from the rule in `fettle_core::today` and the readiness formula.

use fettle_core::log::WellnessEntry;
use fettle_core::plan::SessionKind;
use fettle_store::SqliteStore;
use jiff::civil::{Date, date};

use super::*;
use crate::planning::{PlanInput, create_plan};
use crate::training::{ManualSession, add_manual};

/// The day the plan is made.
const PLANNED_ON: Date = date(2026, 3, 2);

struct Athlete {
    _dir: tempfile::TempDir,
    store: SqliteStore,
    athlete: AthleteId,
    /// The first intervals day of the plan.
    day: Date,
}

fn at(day: Date, hour: i8) -> Timestamp {
    day.at(hour, 30, 0, 0)
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .expect("zoned")
        .timestamp()
}

fn morning(day: Date) -> Timestamp {
    at(day, 7)
}

/// An athlete in UTC with easy runs every other day for five weeks before the plan, a plan to
/// a 10 km race twelve weeks on, and ordinary mornings (8 h sleep, 2/5 soreness, rMSSD about
/// 60 ms) every day up to the first intervals day (not included).
fn athlete() -> Athlete {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path().join("fettle.db")).expect("open");
    let athlete = store.default_athlete().expect("athlete");
    store
        .set_profile_value(athlete, "tz", date(2000, 1, 1), "UTC")
        .expect("tz");
    for days_ago in (2..36).step_by(2) {
        let session = ManualSession {
            date: PLANNED_ON - days_ago.days(),
            start: Some(jiff::civil::time(18, 0, 0, 0)),
            duration_s: 2400.0,
            distance_m: Some(7000.0),
            rpe: Some(3.0),
            sport: Some("running".into()),
            name: None,
        };
        add_manual(&store, athlete, &session, morning(PLANNED_ON)).expect("run");
    }
    let params = PlanInput {
        race: (PLANNED_ON + 84.days()).to_string(),
        distance: "10k".into(),
        ..PlanInput::default()
    }
    .parse()
    .expect("params");
    let plan =
        create_plan(&store, athlete, &params, PLANNED_ON, morning(PLANNED_ON)).expect("plan");
    let day = plan
        .plan
        .days()
        .find(|d| d.session.kind == SessionKind::Intervals)
        .expect("the plan has intervals")
        .date;
    let mut d = day - 40.days();
    let mut i = 0;
    while d < day {
        store
            .upsert_wellness(
                athlete,
                &WellnessEntry {
                    date: Some(d),
                    sleep_h: Some(8.0),
                    sleep_quality: Some(4.0),
                    soreness: Some(2.0),
                    fatigue: Some(2.0),
                    stress: Some(2.0),
                    mood: Some(4.0),
                    // 58, 59, 60, 61, 62 ms in turn: mean 60.
                    rmssd_ms: Some(58.0 + f64::from(i % 5)),
                    rest_hr: Some(50.0),
                    ..WellnessEntry::default()
                },
            )
            .expect("wellness");
        d = d.tomorrow().expect("date");
        i += 1;
    }
    Athlete {
        _dir: dir,
        store,
        athlete,
        day,
    }
}

fn log_morning(a: &Athlete, entry: &WellnessEntry) {
    crate::recovery::add_wellness(&a.store, a.athlete, entry, morning(a.day)).expect("logged");
}

#[test]
fn a_poor_morning_turns_the_planned_intervals_easy_and_says_why() {
    let a = athlete();
    // Poor sleep (4.5 h → sleep score 12.5), quality 1, soreness 5, fatigue 4, and rMSSD 51 ms:
    // 15 % below the 60 ms baseline.
    log_morning(
        &a,
        &WellnessEntry {
            sleep_h: Some(4.5),
            sleep_quality: Some(1.0),
            soreness: Some(5.0),
            fatigue: Some(4.0),
            stress: Some(2.0),
            mood: Some(3.0),
            rmssd_ms: Some(51.0),
            rest_hr: Some(50.0),
            ..WellnessEntry::default()
        },
    );
    let view = today(&a.store, a.athlete, None, morning(a.day)).expect("today");
    assert_eq!(view.date, a.day);
    assert!(
        matches!(view.verdict, Verdict::Easy | Verdict::Rest),
        "{view:#?}"
    );
    assert_eq!(
        view.planned.as_ref().map(|s| s.kind),
        Some(SessionKind::Intervals)
    );
    let first = &view.reasons[0];
    assert!(first.starts_with("Planned: intervals. Today: "), "{first}");
    assert!(first.contains("slept 4.5 h"), "{first}");
    assert!(first.contains("soreness 5/5 (usually 2.0)"), "{first}");
    // Readiness: sleep 12.5, quality 0, soreness 0: far below the 70 a hard day needs.
    let part = view.readiness.as_ref().expect("a score");
    assert!(part.score < 70.0, "{}", part.score);
    assert!(view.swap.is_some(), "the intervals are offered another day");
}

#[test]
fn an_ordinary_morning_for_a_recovered_athlete_keeps_the_plan() {
    let a = athlete();
    // Exactly the usual morning: every sub-score at "as usual" (75) or better (8 h sleep → 100).
    log_morning(
        &a,
        &WellnessEntry {
            sleep_h: Some(8.0),
            sleep_quality: Some(4.0),
            soreness: Some(2.0),
            fatigue: Some(2.0),
            stress: Some(2.0),
            mood: Some(4.0),
            rmssd_ms: Some(60.0),
            rest_hr: Some(50.0),
            ..WellnessEntry::default()
        },
    );
    let view = today(&a.store, a.athlete, None, morning(a.day)).expect("today");
    assert_eq!(view.verdict, Verdict::AsPlanned, "{view:#?}");
    assert_eq!(
        view.suggested.as_ref().map(|s| s.kind),
        Some(SessionKind::Intervals)
    );
    assert!(view.swap.is_none());
    // The last run was days before the plan began: hard work is fine already.
    assert_eq!(view.next_hard, None);
}

#[test]
fn today_readiness_and_recover_say_the_same_thing_where_they_overlap() {
    let a = athlete();
    // A hard run this morning, so there is a recovery time and items due today.
    let run = ManualSession {
        date: a.day,
        start: Some(jiff::civil::time(6, 0, 0, 0)),
        duration_s: 3600.0,
        distance_m: Some(12_000.0),
        rpe: Some(8.0),
        sport: Some("running".into()),
        name: None,
    };
    let now = at(a.day, 9);
    add_manual(&a.store, a.athlete, &run, now).expect("run");
    log_morning(
        &a,
        &WellnessEntry {
            sleep_h: Some(7.0),
            soreness: Some(3.0),
            rmssd_ms: Some(57.0),
            ..WellnessEntry::default()
        },
    );
    let view = today(&a.store, a.athlete, None, now).expect("today");
    let readiness = crate::recovery::readiness(&a.store, a.athlete, None, now).expect("readiness");
    let recover = crate::recovery::recover(&a.store, a.athlete, None, now).expect("recover");
    let status = crate::training::status(&a.store, a.athlete, None, now).expect("status");
    // One readiness.
    let part = view.readiness.as_ref().expect("scored");
    assert_eq!(Some(part.score), readiness.readiness.score);
    assert_eq!(part.band, readiness.readiness.recommendation);
    assert_eq!(view.readiness_missing, readiness.readiness.missing);
    assert_eq!(view.form, readiness.load.map(|l| l.form));
    // One recovery time: the same "next hard session from" in readiness, recover and today.
    let from = recover.recovery_time.next_hard_session_from.timestamp();
    assert_eq!(
        readiness
            .recovery_time
            .as_ref()
            .map(|r| r.time.next_hard_session_from.timestamp()),
        Some(from)
    );
    // (After weeks without running, form is far above the hard-session threshold: the
    // recovery time may well be over already; today shows it only while it runs.)
    let next_hard: Option<Timestamp> = view
        .next_hard
        .as_deref()
        .map(|t| t.parse().expect("RFC 3339"));
    assert_eq!(next_hard, (from > now).then_some(from));
    // One prescription: every item of today's list is one of recover's, with the same window
    // and the same done-or-not.
    assert_eq!(view.recovery_after_activity, Some(recover.activity_id));
    assert!(!view.recovery.is_empty());
    for due in &view.recovery {
        let (i, item) = recover
            .items
            .iter()
            .enumerate()
            .find(|(_, it)| it.method == due.method && it.dose == due.dose)
            .expect("the same item");
        assert_eq!(
            due.start.parse::<Timestamp>().ok(),
            Some(item.start.timestamp())
        );
        assert_eq!(due.done, recover.compliance[i].done);
    }
    // One day and one form: status is about the same local day, and its morning form is the
    // form today and readiness show.
    assert_eq!(status.date, view.date);
    assert_eq!(view.form, Some(status.form));
}

#[test]
fn a_future_day_is_refused_and_a_past_day_is_decided_as_of_its_end() {
    let a = athlete();
    let err = today(&a.store, a.athlete, Some(a.day + 1.days()), morning(a.day)).unwrap_err();
    assert!(matches!(err, AppError::Invalid(_)), "{err}");
    // Asked a week later or nine days later, the day's answer is the same.
    let answer = |asked: Timestamp| {
        serde_json::to_value(today(&a.store, a.athlete, Some(a.day), asked).expect("today"))
            .expect("json")
    };
    assert_eq!(
        answer(morning(a.day + 7.days())),
        answer(morning(a.day + 9.days()))
    );
}

#[test]
fn an_accepted_swap_moves_the_intervals_and_leaves_nothing_more_to_accept() {
    let a = athlete();
    log_morning(
        &a,
        &WellnessEntry {
            sleep_h: Some(4.5),
            sleep_quality: Some(1.0),
            soreness: Some(5.0),
            fatigue: Some(4.0),
            rmssd_ms: Some(51.0),
            rest_hr: Some(50.0),
            ..WellnessEntry::default()
        },
    );
    let view = today(&a.store, a.athlete, None, morning(a.day)).expect("today");
    let proposed = view.swap.clone().expect("a swap is proposed");
    let to = proposed.to.expect("an easy day to move to");
    let before = crate::planning::show_plan(&a.store, a.athlete, a.day).expect("plan");
    let easy_there = before
        .plan
        .days()
        .find(|d| d.date == to)
        .expect("the day")
        .session
        .clone();
    assert_eq!(easy_there.kind, SessionKind::Easy);

    let accepted = accept_swap(&a.store, a.athlete, None, morning(a.day)).expect("accepted");
    assert_eq!((accepted.from, accepted.to), (a.day, to));
    assert_eq!(accepted.instead, easy_there.title);
    let after = crate::planning::show_plan(&a.store, a.athlete, a.day).expect("plan");
    let on = |d: Date| {
        after
            .plan
            .days()
            .find(|x| x.date == d)
            .expect("day")
            .session
            .clone()
    };
    assert_eq!(on(to).kind, SessionKind::Intervals);
    assert_eq!(on(a.day), easy_there);
    assert_eq!(after.plan.changes.first(), Some(&accepted.message));
    assert!(accepted.message.contains("moved"), "{}", accepted.message);

    // Today is now an easy day: the decision proposes no move, and accepting again changes
    // nothing.
    let again = today(&a.store, a.athlete, None, morning(a.day)).expect("today");
    assert_eq!(
        again.planned.as_ref().map(|s| s.kind),
        Some(SessionKind::Easy)
    );
    assert!(again.swap.is_none(), "{:?}", again.swap);
    let refused = accept_swap(&a.store, a.athlete, None, morning(a.day));
    assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
    let unchanged = crate::planning::show_plan(&a.store, a.athlete, a.day).expect("plan");
    assert_eq!(unchanged.plan.weeks, after.plan.weeks);
}
