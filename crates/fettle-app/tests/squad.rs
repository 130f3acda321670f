//! The squad overview over a real (temporary) SQLite store: athletes built by hand whose
//! attention follows from the rules in `fettle_app::squad`'s docs, with the numbers worked out
//! in the comments.

use fettle_app::recovery::log_recovery;
use fettle_app::squad::{SquadMember, SquadRow, squad};
use fettle_core::log::{RecoveryEntry, RecoveryMethod, WellnessEntry};
use fettle_core::readiness::Recommendation;
use fettle_formats::{Activity, Sport};
use fettle_store::{ActivityLoads, AthleteId, SqliteStore, Store};
use jiff::civil::{Date, date};
use jiff::{SignedDuration, Timestamp};

/// Today, in every test athlete's zone (UTC).
const TODAY: Date = date(2026, 6, 10);

fn now() -> Timestamp {
    "2026-06-10T20:00:00Z".parse().unwrap()
}

fn noon(day: Date) -> Timestamp {
    day.at(12, 0, 0, 0)
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
}

fn days_before(n: i64) -> Date {
    TODAY.checked_sub(jiff::Span::new().days(n)).unwrap()
}

fn open() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("squad.db")).unwrap();
    (dir, store)
}

/// An athlete living in UTC (so "today" does not depend on the machine running the test).
fn athlete(store: &SqliteStore, name: &str) -> AthleteId {
    let a = store.create_athlete(name).unwrap();
    store
        .set_profile_value(a, "tz", date(1970, 1, 1), "UTC")
        .unwrap();
    a
}

/// A one-hour run at noon UTC on `day`; with `load`, that load is stored as its primary load
/// (as `recompute_loads` would store a computed one), else it has none yet (counts as 0).
fn run(store: &SqliteStore, a: AthleteId, day: Date, minutes: f64, load: Option<f64>) -> Timestamp {
    let mut activity = Activity::new(noon(day), Sport::Running);
    activity.utc_offset_s = Some(0);
    activity.timer_s = minutes * 60.0;
    activity.elapsed_s = minutes * 60.0;
    let id = store.insert_manual_activity(a, &activity).unwrap();
    if let Some(load) = load {
        let loads = ActivityLoads {
            methods: std::collections::BTreeMap::new(),
            load,
            method: "srpe".to_string(),
        };
        store.set_activity_loads(a, &[(id, loads)]).unwrap();
    }
    noon(day) + SignedDuration::from_mins(minutes as i64)
}

fn member(a: AthleteId, name: &str) -> SquadMember {
    SquadMember {
        athlete: a,
        name: name.to_string(),
    }
}

fn find<'a>(rows: &'a [SquadRow], name: &str) -> &'a SquadRow {
    rows.iter().find(|r| r.name == name).unwrap()
}

/// 49 days at load 50, then three days at 150 ending today.
fn spike(store: &SqliteStore, a: AthleteId) {
    for n in 3..=51 {
        run(store, a, days_before(n), 60.0, Some(50.0));
    }
    for n in 0..=2 {
        run(store, a, days_before(n), 60.0, Some(150.0));
    }
}

#[test]
fn who_needs_attention_comes_first_and_ties_go_by_name() {
    let (_dir, store) = open();
    let ada = athlete(&store, "ada");
    let bea = athlete(&store, "bea");
    let sick = athlete(&store, "sick");
    let lapsed = athlete(&store, "lapsed");
    let keen = athlete(&store, "keen");
    let spiky = athlete(&store, "spiky");
    let broken = store.create_athlete("broken").unwrap();
    store
        .set_profile_value(broken, "tz", date(1970, 1, 1), "Mars/Olympus")
        .unwrap();

    spike(&store, spiky);
    store
        .upsert_wellness(
            sick,
            &WellnessEntry {
                date: Some(TODAY),
                sick: true,
                ..WellnessEntry::default()
            },
        )
        .unwrap();
    // Lapsed and Keen: one easy 40-minute run five days ago, without a load. With no access to
    // equipment, no race and no readiness saying rest, its prescription is the three free
    // items (docs/science.md): refuelling, foam rolling and sleep; all three windows (4 h for the
    // meal, 72 h for the rest) are over now. Lapsed logs nothing: 0 of 3. Keen logs a meal 20
    // minutes and foam rolling an hour after the run: 2 of 3.
    run(&store, lapsed, days_before(5), 40.0, None);
    let end = run(&store, keen, days_before(5), 40.0, None);
    let meal = RecoveryEntry {
        method: RecoveryMethod::Nutrition,
        at: end + SignedDuration::from_mins(20),
        minutes: None,
        temp_c: None,
        zones: Vec::new(),
        carbs_g: Some(60.0),
        protein_g: Some(15.0),
        note: None,
    };
    log_recovery(&store, keen, &meal, now()).unwrap();
    let rolling = RecoveryEntry {
        method: RecoveryMethod::FoamRolling,
        at: end + SignedDuration::from_mins(60),
        minutes: Some(10.0),
        carbs_g: None,
        protein_g: None,
        ..meal
    };
    log_recovery(&store, keen, &rolling, now()).unwrap();

    let members = [
        member(keen, "Keen"),
        member(bea, "bea"),
        member(lapsed, "Lapsed"),
        member(spiky, "Spiky"),
        member(ada, "Ada"),
        member(broken, "Broken"),
        member(sick, "Sick"),
    ];
    let report = squad(&store, &members, now()).unwrap();
    let rows = &report.athletes;
    let order: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    // The error first; Spiky 5 (ACWR 3, compliance 1, no wellness 1: with no wellness its
    // load-only readiness is not shown and so not counted); Sick 4; Ada, bea and Lapsed 2
    // each, by name whatever the case; Keen 1 (no wellness).
    assert_eq!(
        order,
        ["Broken", "Spiky", "Sick", "Ada", "bea", "Lapsed", "Keen"]
    );
    let scores: Vec<u32> = rows.iter().map(|r| r.attention.score).collect();
    assert_eq!(scores, [0, 5, 4, 2, 2, 2, 1]);

    // A time zone nobody knows: the row says so instead of failing the squad.
    let b = find(rows, "Broken");
    let error = b.error.as_deref().unwrap();
    assert!(error.contains("Mars/Olympus"), "{error}");
    assert_eq!((b.date, b.fitness, b.readiness.clone()), (None, None, None));

    // Fresh athletes: nothing to say but that they log no wellness and have not trained.
    let a = find(rows, "Ada");
    assert_eq!(a.attention.reasons.len(), 2);
    assert!(a.attention.reasons[0].contains("no wellness logged in the last 7 days"));
    assert!(a.attention.reasons[1].contains("no activity recorded"));
    assert!(!a.recent_wellness);
    assert_eq!(a.date, Some(TODAY));
    assert_eq!(
        (a.readiness.clone(), a.acwr, a.recovery_compliance),
        (None, None, None)
    );
    assert_eq!(
        (a.fitness, a.fatigue, a.form),
        (Some(0.0), Some(0.0), Some(0.0))
    );
    assert_eq!(a.last_activity, None);
    assert!(a.flags.is_empty());

    // Sick: the athlete's own report sets the band to rest without a score (3), and there is
    // no activity (1).
    let s = find(rows, "Sick");
    let r = s.readiness.clone().unwrap();
    assert_eq!((r.score, r.band), (None, Recommendation::Rest));
    assert!(s.attention.reasons[0].contains("rest"), "{:?}", s.attention);

    // Lapsed: 0 of 3 items done → compliance 0 < 0.5 (1). Its run five days ago keeps the
    // "inactive" rule quiet. Readiness: a six-day history is still warming up, so form is
    // provisional and not scored; with no wellness there is no score to show.
    let l = find(rows, "Lapsed");
    assert_eq!(l.recovery_compliance, Some(0.0));
    assert_eq!(l.last_activity, Some(days_before(5)));
    assert_eq!(l.attention.reasons.len(), 2);
    assert!(
        l.attention.reasons[0].contains("0 of 3"),
        "{:?}",
        l.attention
    );
    assert_eq!(l.readiness, None);

    let k = find(rows, "Keen");
    assert!((k.recovery_compliance.unwrap() - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(
        k.attention.reasons,
        ["no wellness logged in the last 7 days, so no readiness score (+1)"]
    );
    assert!(find(rows, "Sick").recent_wellness);
}

#[test]
fn a_load_spike_is_explained_with_its_numbers() {
    let (_dir, store) = open();
    let spiky = athlete(&store, "spiky");
    spike(&store, spiky);
    // A check-in yesterday makes the wellness recent without adding anything to today's score
    // (sleep counts only on its own morning), so the readiness below is from load alone.
    store
        .upsert_wellness(
            spiky,
            &WellnessEntry {
                date: Some(days_before(1)),
                sleep_h: Some(8.0),
                ..WellnessEntry::default()
            },
        )
        .unwrap();
    let report = squad(&store, &[member(spiky, "Spiky")], now()).unwrap();
    let s = &report.athletes[0];

    // ACWR (Williams' EWMA, λ = 2/(N+1), uncoupled): today is day 52 of the history.
    // Acute (N = 7, r = 1 − λ = 0.75): 49 days at 50 from 0 give 50·(1 − 0.75^49), then three
    // days at 150 move it to 150 + (that − 150)·0.75³ ≈ 107.81.
    // Chronic (N = 28, r = 27/29) is taken at the end of day 45, inside the steady block:
    // 50·(1 − (27/29)^45) ≈ 47.99. Ratio ≈ 2.246.
    let acute = 150.0 + (50.0 * (1.0 - 0.75f64.powi(49)) - 150.0) * 0.75f64.powi(3);
    let chronic = 50.0 * (1.0 - (27.0f64 / 29.0).powi(45));
    let acwr = s.acwr.unwrap();
    assert!((acwr - acute / chronic).abs() < 1e-9, "{acwr}");
    assert!((acwr - 2.246).abs() < 0.001);

    // Fitness and fatigue (λ = 1 − e^(−1/N), N = 42 and 7) start from the early history's
    // mean daily load, 50 (the first 28 days are all 50), so the steady block holds both at
    // exactly 50; each day at 150 then closes e^(−1/N) of the gap to 150.
    let spiked = |n_spike: f64, tau: f64| 150.0 - 100.0 * (-n_spike / tau).exp();
    assert!((s.fitness.unwrap() - spiked(3.0, 42.0)).abs() < 1e-9);
    assert!((s.fatigue.unwrap() - spiked(3.0, 7.0)).abs() < 1e-9);
    // This morning's form: yesterday's fitness − fatigue = 100·(e^(−2/7) − e^(−2/42)) ≈
    // −20.2: deep, but not below −30. (From a zero start the warm-up made it −35.)
    let form = spiked(2.0, 42.0) - spiked(2.0, 7.0);
    assert!((s.form.unwrap() - form).abs() < 1e-9);
    assert!((form + 20.202).abs() < 0.001);
    // Ramp: fitness today ≈ 56.89 against 50 a week ago = 6.9 ≤ 8 points/week: no flag (the
    // zero start's still-rising fitness made it 9.5).
    let codes: Vec<&str> = s.flags.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["acwr_high"]);
    // Readiness from load alone, against the athlete's own 51 mornings (form median 0, spread
    // at its floor 5; fatigue/fitness median 1.0, spread at its floor 0.1): form −20.2 scores
    // 75 + 15·(−20.2/5) = 14.39, the ratio 74.85/54.65 = 1.3697 scores 75 − 15·3.697 =
    // 19.55; equal weights → 16.97 → rest (Python cross-check).
    let r = s.readiness.clone().unwrap();
    assert!((r.score.unwrap() - 16.97).abs() < 0.01, "{r:?}");
    assert_eq!(r.band, Recommendation::Rest);

    // No recovery was logged after any of the 14 runs that ended in the last 14 days:
    // compliance 0 (every decided item missed) < 0.5.
    assert_eq!(s.recovery_compliance, Some(0.0));

    // Rest 3 + ACWR ≥ 1.5 3 (the acwr_high flag not counted again) + compliance 1.
    assert_eq!(s.attention.score, 7);
    let reasons = s.attention.reasons.join(" | ");
    assert_eq!(s.attention.reasons.len(), 3, "{reasons}");
    assert!(
        reasons.contains("readiness says rest today (score 17/100) (+3)"),
        "{reasons}"
    );
    assert!(
        reasons.contains("ratio 2.25 is at or above 1.5"),
        "{reasons}"
    );
    assert!(
        reasons.contains("after 14 activities in the last 14 days"),
        "{reasons}"
    );
    assert_eq!(s.last_activity, Some(TODAY));
}

#[test]
fn a_week_without_training_gets_attention_and_six_days_do_not() {
    let (_dir, store) = open();
    let six = athlete(&store, "six");
    let seven = athlete(&store, "seven");
    run(&store, six, days_before(6), 30.0, None);
    run(&store, seven, days_before(7), 30.0, None);
    let report = squad(&store, &[member(six, "six"), member(seven, "seven")], now()).unwrap();
    let seven_row = find(&report.athletes, "seven");
    assert!(
        seven_row
            .attention
            .reasons
            .iter()
            .any(|r| r.contains("no activity for 7 days")),
        "{:?}",
        seven_row.attention
    );
    let six_row = find(&report.athletes, "six");
    assert!(
        !six_row
            .attention
            .reasons
            .iter()
            .any(|r| r.contains("no activity")),
        "{:?}",
        six_row.attention
    );
}

#[test]
fn without_recent_wellness_no_readiness_and_a_long_silence_is_said_in_years_or_months() {
    let (_dir, store) = open();
    // Today is 2026-06-10. 2015-03-01 is 11 years 3 months 9 days before; 2025-05-01 1 year
    // 1 month 9 days; 2026-03-01 3 months 9 days; 2026-05-01 40 days (31 in May + 9).
    let gone = athlete(&store, "gone");
    let year = athlete(&store, "year");
    let spring = athlete(&store, "spring");
    let april = athlete(&store, "april");
    let logger = athlete(&store, "logger");
    run(&store, gone, date(2015, 3, 1), 45.0, None);
    run(&store, year, date(2025, 5, 1), 45.0, None);
    run(&store, spring, date(2026, 3, 1), 45.0, None);
    run(&store, april, date(2026, 5, 1), 45.0, None);
    run(&store, logger, date(2015, 3, 1), 45.0, None);
    // Six days ago is the oldest day still in the 7-day window (today and the six before).
    store
        .upsert_wellness(
            logger,
            &WellnessEntry {
                date: Some(days_before(6)),
                sleep_h: Some(7.5),
                ..WellnessEntry::default()
            },
        )
        .unwrap();
    let members = [
        member(gone, "gone"),
        member(year, "year"),
        member(spring, "spring"),
        member(april, "april"),
        member(logger, "logger"),
    ];
    let report = squad(&store, &members, now()).unwrap();
    let rows = &report.athletes;
    let reasons = |name: &str| find(rows, name).attention.reasons.clone();
    let no_wellness = "no wellness logged in the last 7 days, so no readiness score (+1)";

    // Eleven years without training, no wellness: the old rule showed readiness 75, "ready to
    // train hard" (form 0 scores 75); now no readiness, and both facts in the attention.
    let g = find(rows, "gone");
    assert_eq!((g.readiness.clone(), g.recent_wellness), (None, false));
    assert_eq!(g.attention.score, 2);
    assert_eq!(
        reasons("gone"),
        [
            no_wellness,
            "last activity 11 years ago (on 2015-03-01; attention after 7 days) (+1)"
        ]
    );
    assert_eq!(
        reasons("year")[1],
        "last activity 1 year ago (on 2025-05-01; attention after 7 days) (+1)"
    );
    assert_eq!(
        reasons("spring")[1],
        "last activity 3 months ago (on 2026-03-01; attention after 7 days) (+1)"
    );
    // Under two months the days read best.
    assert_eq!(
        reasons("april")[1],
        "no activity for 40 days (the last on 2026-05-01; attention after 7) (+1)"
    );

    // Wellness six days ago is recent: a readiness is shown (from what there is) and only the
    // silence gets a point.
    let l = find(rows, "logger");
    assert!(l.recent_wellness);
    assert!(l.readiness.is_some());
    assert_eq!(l.attention.score, 1);
    assert!(reasons("logger")[0].starts_with("last activity 11 years ago"));
}

#[test]
fn a_member_listed_twice_is_refused() {
    let (_dir, store) = open();
    let a = athlete(&store, "a");
    let err = squad(&store, &[member(a, "A"), member(a, "A again")], now()).unwrap_err();
    assert!(err.to_string().contains("listed twice"), "{err}");
}

#[test]
fn the_json_has_the_documented_field_names() {
    let (_dir, store) = open();
    let a = athlete(&store, "a");
    run(&store, a, days_before(1), 30.0, Some(40.0));
    // A morning check-in: with one day of history form is provisional and not scored, so the
    // score comes from the wellness.
    store
        .upsert_wellness(
            a,
            &WellnessEntry {
                date: Some(TODAY),
                sleep_h: Some(8.0),
                ..WellnessEntry::default()
            },
        )
        .unwrap();
    let report = squad(&store, &[member(a, "A")], now()).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["as_of"], "2026-06-10T20:00:00Z");
    assert_eq!(json["recovery_compliance_days"], 14);
    let row = &json["athletes"][0];
    let mut keys: Vec<&str> = row
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "acwr",
            "athlete_id",
            "attention",
            "date",
            "error",
            "fatigue",
            "fitness",
            "flags",
            "form",
            "last_activity",
            "name",
            "readiness",
            "recent_wellness",
            "recovery_compliance",
        ]
    );
    assert_eq!(row["athlete_id"], a.0);
    assert_eq!(row["date"], "2026-06-10");
    assert_eq!(row["last_activity"], "2026-06-09");
    assert!(row["acwr"].is_null());
    assert!(row["error"].is_null());
    assert!(row["readiness"]["score"].is_number());
    assert_eq!(row["recent_wellness"], true);
    assert!(row["readiness"]["band"].is_string());
    assert!(row["attention"]["score"].is_u64());
    assert!(row["attention"]["reasons"].is_array());
}
