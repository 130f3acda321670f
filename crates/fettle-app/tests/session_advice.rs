//! Issue 13's "done when" scenarios through the real pipeline: FIT files written by Fettle's
//! encoder, imported into a real SQLite file, advice from the use cases.

use std::path::Path;

use fettle_app::demo::{self, DemoOptions};
use fettle_app::import::{NoProgress, import_paths};
use fettle_app::recovery::{self, RecoverView};
use fettle_app::training::{self, ProfileUpdate};
use fettle_core::classify::Kind;
use fettle_core::log::RecoveryMethod;
use fettle_core::readiness::Recommendation;
use fettle_formats::fit::encode_activity;
use fettle_formats::{Activity, Sport};
use fettle_store::{AthleteId, SqliteStore, Store};
use jiff::Timestamp;
use jiff::civil::Date;

/// A steady run written as a FIT file in `dir`: `minutes` at `speed_mps` and `hr_bpm`, 1 Hz,
/// flat.
fn write_run(dir: &Path, start: &str, minutes: f64, speed_mps: f32, hr_bpm: f32) {
    let start: Timestamp = start.parse().unwrap();
    let mut a = Activity::new(start, Sport::Running);
    let n = (minutes * 60.0) as usize + 1;
    let s = &mut a.streams;
    s.time_s = (0..n).map(|i| i as f64).collect();
    s.distance_m = (0..n).map(|i| i as f64 * f64::from(speed_mps)).collect();
    s.speed_mps = vec![speed_mps; n];
    s.heart_rate_bpm = vec![hr_bpm; n];
    s.altitude_m = vec![20.0; n];
    a.timer_s = minutes * 60.0;
    a.elapsed_s = minutes * 60.0;
    a.distance_m = Some((n - 1) as f64 * f64::from(speed_mps));
    std::fs::write(
        dir.join(format!("{}.fit", start.as_second())),
        encode_activity(&a),
    )
    .unwrap();
}

fn import(store: &dyn Store, athlete: AthleteId, dir: &Path) {
    import_paths(store, athlete, &[dir.to_path_buf()], 1, &NoProgress).unwrap();
}

fn set_profile(store: &dyn Store, athlete: AthleteId, update: &ProfileUpdate) {
    training::update_profile(store, athlete, update, Date::constant(2026, 3, 1)).unwrap();
}

#[test]
fn a_new_athlete_with_four_easy_runs_is_not_told_to_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(tmp.path().join("fettle.sqlite")).unwrap();
    let athlete = store.default_athlete().unwrap();
    set_profile(
        &store,
        athlete,
        &ProfileUpdate {
            sex: Some("female".into()),
            mass_kg: Some(60.0),
            max_hr: Some(190.0),
            rest_hr: Some(50.0),
            lthr: Some(172.0),
            tz: Some("UTC".into()),
            ..ProfileUpdate::default()
        },
    );
    // 7 days, 4 easy hours at 140 bpm (81 % of LTHR), the last one ending this morning.
    let files = tmp.path().join("fit");
    std::fs::create_dir_all(&files).unwrap();
    for day in ["01", "03", "05", "07"] {
        write_run(
            &files,
            &format!("2026-03-{day}T07:00:00Z"),
            60.0,
            2.8,
            140.0,
        );
    }
    import(&store, athlete, &files);
    let now: Timestamp = "2026-03-07T09:00:00Z".parse().unwrap();

    let status = training::status(&store, athlete, None, now).unwrap();
    assert!(status.provisional);
    assert!(status.seed_daily_load > 0.0);
    let readiness = recovery::readiness(&store, athlete, None, now).unwrap();
    assert_ne!(
        readiness.readiness.recommendation,
        Recommendation::Rest,
        "{readiness:?}"
    );
    let view: RecoverView = recovery::recover(&store, athlete, None, now).unwrap();
    let c = view.activity.classification.as_ref().unwrap();
    assert_eq!(c.kind, Kind::Easy, "{}", c.reason);
    assert!(view.recovery_time.hours <= 24.0, "{:?}", view.recovery_time);
    assert!(view.recovery_time.provisional);
}

#[test]
fn intervals_are_hard_and_a_long_easy_run_is_not() {
    // A month of simulated training (races, intervals, tempo, long runs) through the demo.
    let tmp = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(tmp.path().join("fettle.sqlite")).unwrap();
    let athlete = store.default_athlete().unwrap();
    let end = Date::constant(2026, 3, 29);
    demo::run(
        &store,
        athlete,
        tmp.path(),
        &DemoOptions {
            seed: 7,
            days: 35,
            end,
            threads: 1,
        },
        &NoProgress,
    )
    .unwrap();
    store
        .add_to_set(athlete, fettle_store::StringSet::Access, "ice-bath")
        .unwrap();
    // The simulated runner's true LTHR is 170: a 6 × 3-min session with 2 of every 3 minutes
    // at 178 bpm (12 min above), and a 90-min run at 140 bpm (82 % of LTHR), the next days.
    let files = tmp.path().join("extra");
    std::fs::create_dir_all(&files).unwrap();
    let mut intervals = Activity::new("2026-03-30T17:00:00Z".parse().unwrap(), Sport::Running);
    let (warm, reps) = (900usize, 6usize);
    let n = warm + reps * 300 + 600;
    let s = &mut intervals.streams;
    s.time_s = (0..n).map(|i| i as f64).collect();
    let mut hr = Vec::with_capacity(n);
    let mut speed = Vec::with_capacity(n);
    for i in 0..n {
        let in_reps = i >= warm && i < warm + reps * 300;
        let k = (i.saturating_sub(warm)) % 300;
        let (v, h) = match (in_reps, k) {
            (true, 0..60) => (4.3, 160.0),
            (true, 60..180) => (4.3, 178.0),
            (true, _) => (2.2, 145.0),
            (false, _) => (2.9, 140.0),
        };
        speed.push(v);
        hr.push(h);
    }
    let mut d = 0.0;
    s.distance_m = speed
        .iter()
        .map(|v| {
            d += f64::from(*v);
            d
        })
        .collect();
    s.speed_mps = speed;
    s.heart_rate_bpm = hr;
    s.altitude_m = vec![20.0; n];
    intervals.timer_s = (n - 1) as f64;
    intervals.elapsed_s = (n - 1) as f64;
    intervals.distance_m = Some(d);
    std::fs::write(files.join("intervals.fit"), encode_activity(&intervals)).unwrap();
    write_run(&files, "2026-04-01T07:00:00Z", 90.0, 2.9, 140.0);
    import(&store, athlete, &files);
    let list = store
        .list_activities(athlete, &fettle_store::ActivityFilter::default())
        .unwrap();
    let id = |start: &str| {
        let t: Timestamp = start.parse().unwrap();
        list.iter().find(|s| s.start == t).unwrap().id.0
    };
    let now: Timestamp = "2026-04-02T12:00:00Z".parse().unwrap();

    let reps = recovery::recover(&store, athlete, Some(id("2026-03-30T17:00:00Z")), now).unwrap();
    let c = reps.activity.classification.as_ref().unwrap();
    assert!(c.hard, "{c:?}");
    assert!(matches!(c.kind, Kind::Intervals | Kind::Tempo), "{c:?}");
    // The refuelling window: start within 30 min of the end.
    let food = reps
        .items
        .iter()
        .find(|i| i.method == RecoveryMethod::Nutrition)
        .unwrap();
    assert!(food.deadline.is_some(), "{food:?}");

    let long = recovery::recover(&store, athlete, Some(id("2026-04-01T07:00:00Z")), now).unwrap();
    let c = long.activity.classification.as_ref().unwrap();
    assert!(!c.hard, "{c:?}");
    assert!(matches!(c.kind, Kind::Long | Kind::Easy), "{c:?}");
    assert!(
        !long
            .items
            .iter()
            .any(|i| i.method == RecoveryMethod::ColdWaterImmersion),
        "{:?}",
        long.items
    );
}
