//! The behaviour every [`Store`] backend must have, as a test suite run against each of them.
//!
//! A backend's tests call [`run_all`] with a function that opens a fresh, empty store:
//!
//! ```
//! use fettle_store::{SqliteStore, Store, conformance};
//! conformance::run_all(|| Box::new(SqliteStore::open_in_memory().expect("open")) as Box<dyn Store>);
//! ```
//!
//! The [`Accounts`](crate::Accounts) cases ([`ACCOUNT_CASES`]) need both traits: a backend's
//! tests also call [`run_accounts`] with a function that opens a fresh
//! [`Database`](crate::Database).
//!
//! Each case gets its own fresh store. The cases panic (they are tests); [`run_all`] runs them
//! all and then fails naming every case that failed. [`synthetic_run`] builds a realistic
//! activity for these cases and for benchmarks.

use std::panic::{AssertUnwindSafe, catch_unwind};

use fettle_core::log::{RaceResult, RecoveryEntry, RecoveryMethod, WellnessEntry};
use fettle_formats::{Activity, Lap, Sport, Streams};
use jiff::civil::{Date, date};
use jiff::{SignedDuration, Timestamp};

use crate::model::{
    ActivityEdit, ActivityFilter, ActivityId, ActivityLoads, ActivityOutcome, AthleteId,
    ContentHash, FileOutcome, NewActivity, NewFile, StringSet,
};
use crate::{Store, StoreError};

mod accounts;

pub use accounts::{ACCOUNT_CASES, AccountCase, run_accounts};

/// A conformance case: a named check run on a fresh store.
pub type Case = (&'static str, fn(&dyn Store));

/// Every case, by name.
pub const CASES: &[Case] = &[
    ("default_athlete_is_stable", default_athlete_is_stable),
    (
        "import_stores_summary_laps_and_samples",
        import_stores_summary_laps_and_samples,
    ),
    (
        "reimporting_the_same_file_writes_nothing",
        reimporting_the_same_file_writes_nothing,
    ),
    (
        "same_session_from_another_file_is_a_duplicate",
        same_session_from_another_file_is_a_duplicate,
    ),
    (
        "second_device_overlapping_most_of_a_run_is_a_duplicate",
        second_device_overlapping_most_of_a_run_is_a_duplicate,
    ),
    (
        "distinct_sessions_are_not_duplicates",
        distinct_sessions_are_not_duplicates,
    ),
    (
        "failing_activity_leaves_nothing_of_its_file",
        failing_activity_leaves_nothing_of_its_file,
    ),
    (
        "inconsistent_streams_are_refused_before_writing",
        inconsistent_streams_are_refused_before_writing,
    ),
    (
        "manual_activities_have_no_samples_and_are_never_duplicate_candidates",
        manual_activities_have_no_samples_and_are_never_duplicate_candidates,
    ),
    (
        "delete_removes_the_activity_but_keeps_the_file_record",
        delete_removes_the_activity_but_keeps_the_file_record,
    ),
    ("athletes_are_isolated", athletes_are_isolated),
    (
        "list_is_newest_first_and_filters",
        list_is_newest_first_and_filters,
    ),
    (
        "keyset_pages_visit_ten_years_once_in_order",
        keyset_pages_visit_ten_years_once_in_order,
    ),
    (
        "loads_are_written_in_one_transaction",
        loads_are_written_in_one_transaction,
    ),
    (
        "loads_are_stored_by_method_name",
        loads_are_stored_by_method_name,
    ),
    ("rpe_and_metrics_are_stored", rpe_and_metrics_are_stored),
    ("load_rows_scan_oldest_first", load_rows_scan_oldest_first),
    (
        "profile_history_keeps_every_dated_value",
        profile_history_keeps_every_dated_value,
    ),
    ("wellness_merges_per_day", wellness_merges_per_day),
    (
        "recovery_log_lists_by_range_and_deletes",
        recovery_log_lists_by_range_and_deletes,
    ),
    ("races_round_trip", races_round_trip),
    ("string_sets_add_remove_list", string_sets_add_remove_list),
    ("plan_is_saved_and_replaced", plan_is_saved_and_replaced),
    ("settings_set_get_remove", settings_set_get_remove),
    (
        "writes_for_an_unknown_athlete_fail",
        writes_for_an_unknown_athlete_fail,
    ),
    (
        "text_with_nul_is_invalid_input_and_writes_nothing",
        text_with_nul_is_invalid_input_and_writes_nothing,
    ),
    (
        "edits_change_only_the_fields_given",
        edits_change_only_the_fields_given,
    ),
    (
        "excluded_activities_leave_the_load_scan",
        excluded_activities_leave_the_load_scan,
    ),
    (
        "deleting_several_is_all_or_nothing",
        deleting_several_is_all_or_nothing,
    ),
    (
        "deleted_activities_come_back_only_when_restored",
        deleted_activities_come_back_only_when_restored,
    ),
];

/// Runs every case on its own fresh store from `open_empty` and panics naming the failed ones.
pub fn run_all(open_empty: impl Fn() -> Box<dyn Store>) {
    let mut failed = Vec::new();
    for &(name, case) in CASES {
        let store = open_empty();
        eprintln!("conformance: {name}");
        if catch_unwind(AssertUnwindSafe(|| case(&*store))).is_err() {
            failed.push(name);
        }
    }
    assert!(failed.is_empty(), "conformance cases failed: {failed:?}");
}

/// A realistic, deterministic outdoor run at 1 Hz: time, position, distance, speed, altitude,
/// heart rate and cadence, one lap per started kilometre.
///
/// Values carry the resolutions a FIT watch records (speed 1 mm/s, distance 1 cm, altitude
/// 0.2 m, whole bpm and rpm, positions in semicircles ≈ 8.4e-8 °) and noise: ±0.05 m/s
/// pace jitter, ±0.1 m GPS jitter, ±0.4 m barometric jitter, ±2 bpm. `seed` varies the noise;
/// the same arguments always give the same activity.
pub fn synthetic_run(start: Timestamp, duration_s: u32, seed: u64) -> Activity {
    /// Degrees per FIT semicircle (180 / 2^31).
    const DEG_PER_SEMICIRCLE: f64 = 180.0 / 2_147_483_648.0;
    let quantise = |value: f64, step: f64| (value / step).round() * step;
    let n = duration_s as usize + 1;
    let mut rng = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut noise = move || {
        // xorshift64*: plenty for test noise, no dependency.
        rng ^= rng >> 12;
        rng ^= rng << 25;
        rng ^= rng >> 27;
        let bits = rng.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11;
        (bits as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    };
    let mut streams = Streams::default();
    let (mut distance, mut lat, mut lon) = (0.0f64, 52.370_216_f64, 4.895_168_f64);
    let metres_per_degree_lat = 111_320.0;
    let metres_per_degree_lon = metres_per_degree_lat * lat.to_radians().cos();
    for i in 0..n {
        let t = i as f64;
        let speed = quantise(3.2 + 0.3 * (t / 300.0).sin() + 0.05 * noise(), 1e-3);
        if i > 0 {
            distance += speed;
            let heading = t / 900.0;
            lat += speed * heading.cos() / metres_per_degree_lat;
            lon += speed * heading.sin() / metres_per_degree_lon;
        }
        let jitter_deg = 0.1 / metres_per_degree_lat;
        streams.time_s.push(t);
        streams
            .lat_deg
            .push(quantise(lat + jitter_deg * noise(), DEG_PER_SEMICIRCLE));
        streams
            .lon_deg
            .push(quantise(lon + jitter_deg * noise(), DEG_PER_SEMICIRCLE));
        streams.distance_m.push(quantise(distance, 1e-2));
        streams.speed_mps.push(speed as f32);
        let altitude = 12.0 + 8.0 * (t / 600.0).sin() + 0.4 * noise();
        streams.altitude_m.push(quantise(altitude, 0.2) as f32);
        let heart_rate = 128.0 + 20.0 * (1.0 - (-t / 240.0).exp()) + t / 360.0 + 2.0 * noise();
        streams.heart_rate_bpm.push(heart_rate.round() as f32);
        streams
            .cadence_rpm
            .push((86.0 + 1.5 * noise()).round() as f32);
    }
    let mut activity = Activity::new(start, Sport::Running);
    activity.elapsed_s = f64::from(duration_s);
    activity.timer_s = f64::from(duration_s);
    activity.distance_m = Some(distance);
    activity.avg_hr = Some(
        streams
            .heart_rate_bpm
            .iter()
            .map(|&h| f64::from(h))
            .sum::<f64>()
            / n as f64,
    );
    activity.max_hr = streams
        .heart_rate_bpm
        .iter()
        .copied()
        .reduce(f32::max)
        .map(f64::from);
    activity.avg_cadence = Some(86.0);
    activity.ascent_m = Some(40.0);
    activity.descent_m = Some(40.0);
    activity.device = Some("synthetic".to_owned());
    activity.name = Some(format!("Run {seed}"));
    let mut lap_start = 0usize;
    for i in 1..n {
        let km_done = (streams.distance_m[i] / 1000.0).floor()
            > (streams.distance_m[lap_start] / 1000.0).floor();
        if km_done || i == n - 1 {
            let elapsed = streams.time_s[i] - streams.time_s[lap_start];
            activity.laps.push(Lap {
                start: start + SignedDuration::from_secs(lap_start as i64),
                elapsed_s: elapsed,
                timer_s: elapsed,
                distance_m: Some(streams.distance_m[i] - streams.distance_m[lap_start]),
                avg_hr: Some(150.0),
                max_hr: Some(160.0),
                avg_speed_mps: Some(
                    (streams.distance_m[i] - streams.distance_m[lap_start]) / elapsed,
                ),
                avg_cadence: Some(86.0),
                avg_power_w: None,
                ascent_m: Some(4.0),
                descent_m: None,
            });
            lap_start = i;
        }
    }
    activity.streams = streams;
    activity
}

// ----- helpers -------------------------------------------------------------------------------

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).expect("valid instant")
}

/// 2026-03-02T07:00:00Z.
const MONDAY_7AM: i64 = 1_772_434_800;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// A short (10-minute) run with samples, for cases that do not need an hour of data.
fn short_run(start_s: i64, seed: u64) -> Activity {
    synthetic_run(at(start_s), 600, seed)
}

fn file(hash: u128, source: &str) -> NewFile {
    NewFile {
        content_hash: ContentHash(hash),
        source: source.to_owned(),
        size_bytes: 1000,
    }
}

fn import(
    store: &dyn Store,
    athlete: AthleteId,
    hash: u128,
    activities: &[&Activity],
) -> FileOutcome {
    let source = format!("file-{hash:x}.fit");
    let new: Vec<NewActivity<'_>> = activities
        .iter()
        .map(|&activity| NewActivity {
            activity,
            source: &source,
        })
        .collect();
    store
        .import_file(athlete, &file(hash, &source), &new)
        .expect("import succeeds")
}

fn inserted(outcome: &FileOutcome) -> Vec<ActivityId> {
    match outcome {
        FileOutcome::Imported { activities, .. } => activities
            .iter()
            .filter_map(|o| match o {
                ActivityOutcome::Inserted(id) => Some(*id),
                ActivityOutcome::Duplicate { .. } => None,
            })
            .collect(),
        FileOutcome::AlreadyImported { .. } => Vec::new(),
    }
}

fn outcomes(outcome: &FileOutcome) -> Vec<ActivityOutcome> {
    match outcome {
        FileOutcome::Imported { activities, .. } => activities.clone(),
        FileOutcome::AlreadyImported { .. } => panic!("expected a fresh import, got {outcome:?}"),
    }
}

fn activity_count(store: &dyn Store, athlete: AthleteId) -> u64 {
    store.counts(athlete).expect("counts").activities
}

/// Asserts `got` equals `want` within the blob's documented precision (half a step, plus f32
/// rounding for f32 channels), with NaN where NaN was.
fn assert_streams_close(got: &Streams, want: &Streams) {
    fn close<T: Copy + Into<f64>>(name: &str, got: &[T], want: &[T], half_step: f64) {
        assert_eq!(got.len(), want.len(), "{name}: length");
        for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
            let (g, w): (f64, f64) = (g.into(), w.into());
            if w.is_nan() {
                assert!(g.is_nan(), "{name}[{i}]: expected NaN, got {g}");
            } else {
                let tolerance = half_step + w.abs() * f64::from(f32::EPSILON);
                assert!((g - w).abs() <= tolerance, "{name}[{i}]: {g} vs {w}");
            }
        }
    }
    close("time_s", &got.time_s, &want.time_s, 0.5e-3);
    close("lat_deg", &got.lat_deg, &want.lat_deg, 0.5e-7);
    close("lon_deg", &got.lon_deg, &want.lon_deg, 0.5e-7);
    close("distance_m", &got.distance_m, &want.distance_m, 0.5e-2);
    close("speed_mps", &got.speed_mps, &want.speed_mps, 0.5e-3);
    close("altitude_m", &got.altitude_m, &want.altitude_m, 0.5e-2);
    close(
        "heart_rate_bpm",
        &got.heart_rate_bpm,
        &want.heart_rate_bpm,
        0.05,
    );
    close(
        "cadence_rpm",
        &got.cadence_rpm,
        &want.cadence_rpm,
        0.5 / 128.0,
    );
    close("power_w", &got.power_w, &want.power_w, 0.05);
    close(
        "temperature_c",
        &got.temperature_c,
        &want.temperature_c,
        0.05,
    );
}

// ----- cases ---------------------------------------------------------------------------------

/// The default athlete exists, is the same on every call, and differs from a created athlete.
pub fn default_athlete_is_stable(store: &dyn Store) {
    let first = store.default_athlete().expect("default athlete");
    assert_eq!(store.default_athlete().expect("default athlete"), first);
    let other = store.create_athlete("sam").expect("create athlete");
    assert_ne!(other, first);
    assert_eq!(
        store.create_athlete("sam").expect("same name"),
        other,
        "names are unique"
    );
    assert!(
        store.create_athlete("  ").is_err(),
        "an empty name is refused"
    );
}

/// An imported activity reads back with its summary, laps, samples (within precision) and R-R
/// intervals, and the file is recorded.
pub fn import_stores_summary_laps_and_samples(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let mut run = synthetic_run(at(MONDAY_7AM), 1800, 1);
    run.utc_offset_s = Some(3600);
    run.sub_sport = Some("road".to_owned());
    run.description = Some("easy".to_owned());
    run.perceived_exertion = Some(4.0);
    run.rr_intervals_ms = vec![812.0, 798.0, 805.0];
    run.streams.heart_rate_bpm[10] = f32::NAN;
    run.streams.power_w = vec![f32::NAN; run.streams.len()];
    run.streams.power_w[5] = 250.0;
    run.session_index = Some(0);

    assert!(
        !store
            .is_file_imported(athlete, ContentHash(1))
            .expect("lookup")
    );
    let outcome = import(store, athlete, 1, &[&run]);
    let ids = inserted(&outcome);
    assert_eq!(ids.len(), 1);
    assert!(
        store
            .is_file_imported(athlete, ContentHash(1))
            .expect("lookup")
    );

    let stored = store
        .get_activity(athlete, ids[0])
        .expect("read")
        .expect("exists");
    let summary = &stored.summary;
    assert_eq!(summary.id, ids[0]);
    assert!(summary.file_id.is_some());
    assert_eq!(summary.source, "file-1.fit");
    assert_eq!(summary.sample_count, 1801);
    assert_eq!(summary.lap_count as usize, run.laps.len());
    assert_eq!(summary.loads, None);
    let got = &stored.activity;
    assert_eq!(got.start, run.start);
    assert_eq!(got.utc_offset_s, Some(3600));
    assert_eq!(got.sport, Sport::Running);
    assert_eq!(got.sub_sport.as_deref(), Some("road"));
    assert_eq!(got.name, run.name);
    assert_eq!(got.description, run.description);
    assert_eq!(got.perceived_exertion, Some(4.0));
    assert_eq!(got.elapsed_s, run.elapsed_s);
    assert_eq!(got.timer_s, run.timer_s);
    assert_eq!(got.distance_m, run.distance_m);
    assert_eq!(got.avg_hr, run.avg_hr);
    assert_eq!(got.max_hr, run.max_hr);
    assert_eq!(got.device, run.device);
    assert_eq!(got.session_index, Some(0));
    assert_eq!(got.laps, run.laps);
    assert_eq!(got.rr_intervals_ms, run.rr_intervals_ms);
    assert_streams_close(&got.streams, &run.streams);
    assert!(
        got.streams.temperature_c.is_empty(),
        "an empty channel stays empty"
    );

    let missing = store
        .get_activity(athlete, ActivityId(ids[0].0 + 1000))
        .expect("read");
    assert!(missing.is_none());
}

/// Importing the same bytes again is `AlreadyImported` and writes nothing.
pub fn reimporting_the_same_file_writes_nothing(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let run = short_run(MONDAY_7AM, 2);
    let first = import(store, athlete, 7, &[&run]);
    let FileOutcome::Imported { file_id, .. } = first else {
        panic!("first import must import, got {first:?}");
    };
    let before = store.counts(athlete).expect("counts");
    let again = import(store, athlete, 7, &[&run]);
    assert_eq!(again, FileOutcome::AlreadyImported { file_id });
    assert_eq!(store.counts(athlete).expect("counts"), before);
    assert_eq!(before.files, 1);
    assert_eq!(before.activities, 1);
}

/// The same run as `.fit` and as `.gpx` (generic sport, starting 30 s later, 1 % longer
/// distance) is stored once; the outcome names the stored activity.
pub fn same_session_from_another_file_is_a_duplicate(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let fit = synthetic_run(at(MONDAY_7AM), 3600, 3);
    let fit_id = inserted(&import(store, athlete, 10, &[&fit]))[0];
    let mut gpx = synthetic_run(at(MONDAY_7AM + 30), 3570, 4);
    gpx.sport = Sport::Generic;
    gpx.distance_m = fit.distance_m.map(|d| d * 1.01);
    let outcome = import(store, athlete, 11, &[&gpx]);
    assert_eq!(
        outcomes(&outcome),
        vec![ActivityOutcome::Duplicate { of: fit_id }]
    );
    let counts = store.counts(athlete).expect("counts");
    assert_eq!(
        (counts.activities, counts.files),
        (1, 2),
        "duplicate not stored, file recorded"
    );
}

/// A phone started 5 minutes after the watch and stopped 5 minutes before it (overlap
/// 3000 s ≥ 0.8 × 3600 s) records the same session.
pub fn second_device_overlapping_most_of_a_run_is_a_duplicate(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let watch = synthetic_run(at(MONDAY_7AM), 3600, 5);
    let watch_id = inserted(&import(store, athlete, 20, &[&watch]))[0];
    let phone = synthetic_run(at(MONDAY_7AM + 300), 3000, 6);
    let outcome = import(store, athlete, 21, &[&phone]);
    assert_eq!(
        outcomes(&outcome),
        vec![ActivityOutcome::Duplicate { of: watch_id }]
    );
}

/// Sessions that only look alike are all kept: a ride at the same time as a run, a second run
/// the same evening, the legs of a multisport file, and a run starting 10 minutes into a
/// 40-minute run (overlap 1800 s < 0.8 × 2400 s).
pub fn distinct_sessions_are_not_duplicates(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let morning = synthetic_run(at(MONDAY_7AM), 3600, 7);
    assert_eq!(inserted(&import(store, athlete, 30, &[&morning])).len(), 1);

    let mut ride = synthetic_run(at(MONDAY_7AM), 3600, 8);
    ride.sport = Sport::Cycling;
    let evening = synthetic_run(at(MONDAY_7AM + 10 * HOUR), 3600, 9);
    assert_eq!(
        inserted(&import(store, athlete, 31, &[&ride, &evening])).len(),
        2
    );

    let mut swim = short_run(MONDAY_7AM + DAY, 10);
    swim.sport = Sport::Swimming;
    swim.session_index = Some(0);
    let mut transition = short_run(MONDAY_7AM + DAY + 600, 11);
    transition.sport = Sport::Transition;
    transition.session_index = Some(1);
    let mut bike = short_run(MONDAY_7AM + DAY + 1200, 12);
    bike.sport = Sport::Cycling;
    bike.session_index = Some(2);
    assert_eq!(
        inserted(&import(store, athlete, 32, &[&swim, &transition, &bike])).len(),
        3
    );

    let long = synthetic_run(at(MONDAY_7AM + 2 * DAY), 2400, 13);
    let inner = synthetic_run(at(MONDAY_7AM + 2 * DAY + 600), 1800, 14);
    assert_eq!(
        inserted(&import(store, athlete, 33, &[&long, &inner])).len(),
        2
    );
    assert_eq!(activity_count(store, athlete), 8);
}

/// An invalid activity in the middle of a file fails the import and leaves nothing of the file
/// (not its first activity, not the file record); fixed, the file imports completely.
pub fn failing_activity_leaves_nothing_of_its_file(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let first = short_run(MONDAY_7AM, 15);
    let mut second = short_run(MONDAY_7AM + HOUR, 16);
    let third = short_run(MONDAY_7AM + 2 * HOUR, 17);
    second.elapsed_s = -5.0;
    let source = "multi.fit";
    let new = |a| NewActivity {
        activity: a,
        source,
    };
    let error = store
        .import_file(
            athlete,
            &file(40, source),
            &[new(&first), new(&second), new(&third)],
        )
        .expect_err("a negative duration is refused");
    match &error {
        StoreError::InvalidActivity { file, index, .. } => {
            assert_eq!((file.as_str(), *index), (source, 1));
        }
        other => panic!("expected InvalidActivity, got {other:?}"),
    }
    assert!(
        error
            .to_string()
            .contains("nothing of the file was written"),
        "{error}"
    );
    let counts = store.counts(athlete).expect("counts");
    assert_eq!((counts.activities, counts.files, counts.samples), (0, 0, 0));
    assert!(
        !store
            .is_file_imported(athlete, ContentHash(40))
            .expect("lookup")
    );

    let fixed = Activity {
        elapsed_s: 600.0,
        ..second.clone()
    };
    let outcome = store
        .import_file(
            athlete,
            &file(40, source),
            &[new(&first), new(&fixed), new(&third)],
        )
        .expect("fixed file imports");
    assert_eq!(inserted(&outcome).len(), 3);
}

/// Streams whose channels disagree in length are refused with the activity's index; nothing
/// is written.
pub fn inconsistent_streams_are_refused_before_writing(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let good = short_run(MONDAY_7AM, 18);
    let mut bad = short_run(MONDAY_7AM + HOUR, 19);
    bad.streams.heart_rate_bpm.pop();
    let source = "bad.fit";
    let result = store.import_file(
        athlete,
        &file(41, source),
        &[
            NewActivity {
                activity: &good,
                source,
            },
            NewActivity {
                activity: &bad,
                source,
            },
        ],
    );
    assert!(
        matches!(result, Err(StoreError::InvalidActivity { index: 1, .. })),
        "{result:?}"
    );
    assert_eq!(activity_count(store, athlete), 0);
}

/// A manual activity keeps its summary but no streams or laps, and a recording of the same
/// session imported later is kept (manual entries are not duplicate candidates).
pub fn manual_activities_have_no_samples_and_are_never_duplicate_candidates(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let recorded = synthetic_run(at(MONDAY_7AM), 3600, 20);
    let mut manual = recorded.clone();
    manual.name = Some("Track session".to_owned());
    let id = store
        .insert_manual_activity(athlete, &manual)
        .expect("manual insert");
    let stored = store
        .get_activity(athlete, id)
        .expect("read")
        .expect("exists");
    assert_eq!(stored.summary.source, "manual");
    assert_eq!(stored.summary.file_id, None);
    assert_eq!(stored.summary.sample_count, 0);
    assert!(stored.activity.streams.is_empty());
    assert!(stored.activity.laps.is_empty());
    assert_eq!(stored.activity.name.as_deref(), Some("Track session"));
    assert_eq!(stored.activity.distance_m, recorded.distance_m);

    assert_eq!(inserted(&import(store, athlete, 50, &[&recorded])).len(), 1);
    assert_eq!(activity_count(store, athlete), 2);

    let mut bad = manual.clone();
    bad.timer_s = f64::NAN;
    assert!(matches!(
        store.insert_manual_activity(athlete, &bad),
        Err(StoreError::InvalidActivity { .. })
    ));
}

/// Deleting an activity removes it with its laps and samples, only for its own athlete; its
/// file stays recorded, so re-importing does not bring it back.
pub fn delete_removes_the_activity_but_keeps_the_file_record(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let other = store.create_athlete("other").expect("athlete");
    let run = short_run(MONDAY_7AM, 21);
    let id = inserted(&import(store, athlete, 60, &[&run]))[0];
    assert!(
        !store.delete_activity(other, id).expect("delete"),
        "not the other athlete's"
    );
    assert!(store.get_activity(athlete, id).expect("read").is_some());
    assert!(store.delete_activity(athlete, id).expect("delete"));
    assert!(
        !store.delete_activity(athlete, id).expect("delete"),
        "already gone"
    );
    assert!(store.get_activity(athlete, id).expect("read").is_none());
    let counts = store.counts(athlete).expect("counts");
    assert_eq!((counts.activities, counts.samples, counts.files), (0, 0, 1));
    assert!(matches!(
        import(store, athlete, 60, &[&run]),
        FileOutcome::AlreadyImported { .. }
    ));
    // A new id is never a reused one.
    let next = inserted(&import(store, athlete, 61, &[&run]))[0];
    assert_ne!(next, id);
}

/// Two athletes see only their own data: the same file imports for each, duplicates are found
/// within an athlete only, and every read is partitioned.
pub fn athletes_are_isolated(store: &dyn Store) {
    let ann = store.create_athlete("ann").expect("athlete");
    let bob = store.create_athlete("bob").expect("athlete");
    let run = short_run(MONDAY_7AM, 22);
    let ann_id = inserted(&import(store, ann, 70, &[&run]))[0];
    let bob_id = inserted(&import(store, bob, 70, &[&run]))[0];
    assert_ne!(ann_id, bob_id);
    assert!(store.get_activity(bob, ann_id).expect("read").is_none());
    let listed = store
        .list_activities(bob, &ActivityFilter::default())
        .expect("list");
    assert_eq!(
        listed.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![bob_id]
    );
    assert_eq!(store.load_rows(ann).expect("scan").len(), 1);

    store
        .upsert_wellness(
            ann,
            &WellnessEntry {
                date: Some(date(2026, 3, 2)),
                sleep_h: Some(7.0),
                ..WellnessEntry::default()
            },
        )
        .expect("wellness");
    store
        .set_setting(ann, "units", Some("metric"))
        .expect("setting");
    store
        .add_to_set(ann, StringSet::Access, "massage")
        .expect("set");
    store.save_plan(ann, "{}").expect("plan");
    assert!(
        store
            .wellness(bob, date(2026, 1, 1), date(2026, 12, 31))
            .expect("wellness")
            .is_empty()
    );
    assert_eq!(store.setting(bob, "units").expect("setting"), None);
    assert!(
        store
            .set_members(bob, StringSet::Access)
            .expect("set")
            .is_empty()
    );
    assert_eq!(store.load_plan(bob).expect("plan"), None);
    assert!(
        store
            .set_rpe(bob, ann_id, Some(5.0))
            .expect_err("not bob's")
            .is_not_found()
    );
}

/// Summaries list newest first and filter by start range (from inclusive, to exclusive),
/// sport, limit and offset.
pub fn list_is_newest_first_and_filters(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let mut ids = Vec::new();
    for day in 0..5 {
        let mut activity = short_run(MONDAY_7AM + day * DAY, 30 + day as u64);
        if day == 2 {
            activity.sport = Sport::Cycling;
        }
        ids.push(inserted(&import(store, athlete, 80 + day as u128, &[&activity]))[0]);
    }
    let list = |filter: ActivityFilter| -> Vec<ActivityId> {
        store
            .list_activities(athlete, &filter)
            .expect("list")
            .iter()
            .map(|s| s.id)
            .collect()
    };
    assert_eq!(
        list(ActivityFilter::default()),
        vec![ids[4], ids[3], ids[2], ids[1], ids[0]]
    );
    assert_eq!(
        list(ActivityFilter {
            from: Some(at(MONDAY_7AM + DAY)),
            to: Some(at(MONDAY_7AM + 3 * DAY)),
            ..ActivityFilter::default()
        }),
        vec![ids[2], ids[1]]
    );
    assert_eq!(
        list(ActivityFilter {
            sport: Some(Sport::Cycling),
            ..ActivityFilter::default()
        }),
        vec![ids[2]]
    );
    assert_eq!(
        list(ActivityFilter {
            sport: Some(Sport::Running),
            limit: Some(2),
            offset: 1,
            ..ActivityFilter::default()
        }),
        vec![ids[3], ids[1]]
    );
    assert_eq!(
        list(ActivityFilter {
            limit: Some(0),
            ..ActivityFilter::default()
        }),
        Vec::<ActivityId>::new()
    );
}

/// Ten years of history (2,800 activities, some pairs starting in the same millisecond, ids
/// not in start order) paged 100 at a time with the keyset cursor: every activity comes back
/// exactly once, newest first with the higher id first on a tie, and another athlete's never.
pub fn keyset_pages_visit_ten_years_once_in_order(store: &dyn Store) {
    const COUNT: i64 = 2_800;
    const PAGE: u32 = 100;
    let athlete = store.default_athlete().expect("athlete");
    let other = store.create_athlete("other").expect("athlete");
    let template = Activity {
        streams: Streams::default(),
        laps: Vec::new(),
        ..short_run(MONDAY_7AM, 1)
    };
    // Inserted out of date order (a stride coprime with COUNT visits every slot once), so ids
    // do not follow starts; every 10th slot shares its start with the one before it.
    let mut expected = Vec::new();
    for n in 0..COUNT {
        let slot = (n * 1_009) % COUNT;
        let start_s = MONDAY_7AM - (slot - slot % 10 / 9) * 31 * HOUR;
        let activity = Activity {
            start: at(start_s),
            ..template.clone()
        };
        let id = store
            .insert_manual_activity(athlete, &activity)
            .expect("manual insert");
        expected.push((start_s, id));
    }
    store
        .insert_manual_activity(other, &template)
        .expect("other athlete's activity");
    let ties = expected.len()
        - expected
            .iter()
            .map(|(start, _)| *start)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
    assert_eq!(ties, 280, "the case really has equal starts");
    expected.sort_by(|a, b| b.cmp(a));
    let expected: Vec<ActivityId> = expected.into_iter().map(|(_, id)| id).collect();

    let mut seen = Vec::new();
    let mut before = None;
    let mut pages = 0;
    loop {
        let page = store
            .list_activities(
                athlete,
                &ActivityFilter {
                    limit: Some(PAGE),
                    before,
                    ..ActivityFilter::default()
                },
            )
            .expect("page");
        assert!(page.len() <= PAGE as usize);
        let Some(last) = page.last() else { break };
        before = Some((last.start, last.id));
        seen.extend(page.iter().map(|s| s.id));
        pages += 1;
        assert!(pages <= 29, "paging ends");
    }
    assert_eq!(pages, 28);
    assert_eq!(seen.len(), expected.len());
    assert_eq!(seen, expected);

    // The cursor combines with the other filters: the next 3 after the 5th-newest.
    let fifth = store
        .list_activities(
            athlete,
            &ActivityFilter {
                limit: Some(5),
                ..ActivityFilter::default()
            },
        )
        .expect("first five");
    let fifth = fifth.last().expect("five rows");
    let next = store
        .list_activities(
            athlete,
            &ActivityFilter {
                limit: Some(3),
                before: Some((fifth.start, fifth.id)),
                ..ActivityFilter::default()
            },
        )
        .expect("next three");
    assert_eq!(
        next.iter().map(|s| s.id).collect::<Vec<_>>(),
        expected[5..8].to_vec()
    );
}

/// Loads for several activities are written together; an unknown id fails the call and writes
/// none of them. Loads show in summaries and in the scan.
pub fn loads_are_written_in_one_transaction(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let a = inserted(&import(store, athlete, 90, &[&short_run(MONDAY_7AM, 40)]))[0];
    let b = inserted(&import(
        store,
        athlete,
        91,
        &[&short_run(MONDAY_7AM + DAY, 41)],
    ))[0];
    let loads = |load: f64| ActivityLoads {
        methods: [("trimp", load * 1.1), ("srpe", load * 0.9), ("hrtss", load)]
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect(),
        load,
        method: "hrtss".to_owned(),
    };
    let missing = ActivityId(b.0 + 1000);
    let result = store.set_activity_loads(athlete, &[(a, loads(50.0)), (missing, loads(60.0))]);
    assert!(
        matches!(result, Err(StoreError::ActivityNotFound { id, .. }) if id == missing),
        "{result:?}"
    );
    assert_eq!(
        store.counts(athlete).expect("counts").activities_with_loads,
        0,
        "rolled back"
    );

    store
        .set_activity_loads(athlete, &[(a, loads(50.0)), (b, loads(70.0))])
        .expect("loads");
    let summary = &store
        .get_activity(athlete, a)
        .expect("read")
        .expect("exists")
        .summary;
    assert_eq!(summary.loads, Some(loads(50.0)));
    let rows = store.load_rows(athlete).expect("scan");
    assert_eq!(
        rows.iter().map(|r| r.load).collect::<Vec<_>>(),
        vec![Some(50.0), Some(70.0)]
    );
    // Replacing keeps one value per activity.
    store
        .set_activity_loads(athlete, &[(a, loads(55.0))])
        .expect("loads");
    let listed = store
        .list_activities(athlete, &ActivityFilter::default())
        .expect("list");
    assert_eq!(listed[1].loads.as_ref().map(|l| l.load), Some(55.0));
    assert_eq!(
        store.counts(athlete).expect("counts").activities_with_loads,
        2
    );
    let nan = ActivityLoads {
        load: f64::NAN,
        ..loads(1.0)
    };
    assert!(
        store.set_activity_loads(athlete, &[(a, nan)]).is_err(),
        "NaN load refused"
    );
}

/// Loads are data: a method the store has never heard of is kept under its name, and a value
/// that is not a number is left out (as a missing value), whatever the backend.
pub fn loads_are_stored_by_method_name(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let a = inserted(&import(store, athlete, 92, &[&short_run(MONDAY_7AM, 40)]))[0];
    let given = ActivityLoads {
        methods: [
            ("hrtss".to_owned(), 42.5),
            ("a_metric_added_later".to_owned(), 0.125),
            // Needs all 17 significant digits to read back as the same double.
            ("edwards".to_owned(), 95.533_333_333_333_33),
            ("trimp".to_owned(), f64::NAN),
        ]
        .into_iter()
        .collect(),
        load: 42.5,
        method: "hrtss".to_owned(),
    };
    store
        .set_activity_loads(athlete, &[(a, given)])
        .expect("loads");
    let stored = store
        .get_activity(athlete, a)
        .expect("read")
        .expect("exists")
        .summary
        .loads
        .expect("loads");
    assert_eq!(stored.get("hrtss"), Some(42.5));
    assert_eq!(stored.get("a_metric_added_later"), Some(0.125));
    assert_eq!(stored.get("edwards"), Some(95.533_333_333_333_33));
    assert_eq!(stored.get("trimp"), None, "NaN reads back as missing");
    assert_eq!(stored.methods.len(), 3);
}

/// The athlete's RPE and the derived metrics JSON are stored and cleared.
pub fn rpe_and_metrics_are_stored(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let id = inserted(&import(store, athlete, 100, &[&short_run(MONDAY_7AM, 42)]))[0];
    store.set_rpe(athlete, id, Some(6.5)).expect("rpe");
    store
        .set_activity_metrics(athlete, &[(id, Some(r#"{"best_5k_s":1500}"#.to_owned()))])
        .expect("metrics");
    let summary = store
        .get_activity(athlete, id)
        .expect("read")
        .expect("exists")
        .summary;
    assert_eq!(summary.rpe, Some(6.5));
    assert_eq!(
        summary.metrics_json.as_deref(),
        Some(r#"{"best_5k_s":1500}"#)
    );
    assert!(
        store.set_rpe(athlete, id, Some(11.0)).is_err(),
        "RPE is 0–10"
    );
    store.set_rpe(athlete, id, None).expect("clear rpe");
    store
        .set_activity_metrics(athlete, &[(id, None)])
        .expect("clear metrics");
    let summary = store
        .get_activity(athlete, id)
        .expect("read")
        .expect("exists")
        .summary;
    assert_eq!((summary.rpe, summary.metrics_json), (None, None));
    let missing = ActivityId(id.0 + 1000);
    assert!(
        store
            .set_rpe(athlete, missing, Some(3.0))
            .expect_err("unknown")
            .is_not_found()
    );
    assert!(
        store
            .set_activity_metrics(athlete, &[(missing, None)])
            .expect_err("unknown")
            .is_not_found()
    );
}

/// The scan returns every activity oldest first with start, offset, timer, distance, load and
/// sport, manual ones included.
pub fn load_rows_scan_oldest_first(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let late = short_run(MONDAY_7AM + DAY, 43);
    let late_id = inserted(&import(store, athlete, 110, &[&late]))[0];
    let mut early = Activity::new(at(MONDAY_7AM), Sport::Training);
    early.timer_s = 1800.0;
    early.elapsed_s = 2000.0;
    early.utc_offset_s = Some(-18_000);
    let early_id = store
        .insert_manual_activity(athlete, &early)
        .expect("manual");
    let rows = store.load_rows(athlete).expect("scan");
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].id, rows[1].id), (early_id, late_id));
    assert_eq!(rows[0].start, at(MONDAY_7AM));
    assert_eq!(rows[0].utc_offset_s, Some(-18_000));
    assert_eq!(rows[0].timer_s, 1800.0);
    assert_eq!(rows[0].distance_m, None);
    assert_eq!(rows[0].sport, Sport::Training);
    assert_eq!(rows[0].load, None);
    assert_eq!(rows[1].distance_m, late.distance_m);
    assert_eq!(rows[1].sport, Sport::Running);
}

/// Profile values keep their history by date; setting a key again for the same date replaces
/// that value only.
pub fn profile_history_keeps_every_dated_value(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    store
        .set_profile_value(athlete, "threshold_hr", date(2026, 1, 1), "165")
        .expect("set");
    store
        .set_profile_value(athlete, "threshold_hr", date(2026, 3, 1), "168")
        .expect("set");
    store
        .set_profile_value(athlete, "max_hr", date(2025, 6, 1), "190")
        .expect("set");
    store
        .set_profile_value(athlete, "threshold_hr", date(2026, 3, 1), "169")
        .expect("replace");
    let values: Vec<(String, Date, String)> = store
        .profile_values(athlete)
        .expect("values")
        .into_iter()
        .map(|v| (v.key, v.from, v.value))
        .collect();
    assert_eq!(
        values,
        vec![
            ("max_hr".to_owned(), date(2025, 6, 1), "190".to_owned()),
            (
                "threshold_hr".to_owned(),
                date(2026, 1, 1),
                "165".to_owned()
            ),
            (
                "threshold_hr".to_owned(),
                date(2026, 3, 1),
                "169".to_owned()
            ),
        ]
    );
}

/// Wellness entries merge per day: given fields replace, missing fields are kept, sick/injured
/// stay set; a range lists inclusive days oldest first; an entry without a date is refused.
pub fn wellness_merges_per_day(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let day = date(2026, 3, 2);
    store
        .upsert_wellness(
            athlete,
            &WellnessEntry {
                date: Some(day),
                sleep_h: Some(7.5),
                soreness: Some(2.0),
                sick: true,
                source: Some("cli".to_owned()),
                ..WellnessEntry::default()
            },
        )
        .expect("first");
    store
        .upsert_wellness(
            athlete,
            &WellnessEntry {
                date: Some(day),
                rmssd_ms: Some(62.0),
                soreness: Some(3.0),
                source: Some("hrv4training".to_owned()),
                ..WellnessEntry::default()
            },
        )
        .expect("second");
    store
        .upsert_wellness(
            athlete,
            &WellnessEntry {
                date: Some(date(2026, 3, 4)),
                mood: Some(4.0),
                ..WellnessEntry::default()
            },
        )
        .expect("other day");
    let entries = store
        .wellness(athlete, date(2026, 3, 1), date(2026, 3, 4))
        .expect("list");
    assert_eq!(entries.len(), 2);
    assert_eq!(
        entries[0],
        WellnessEntry {
            date: Some(day),
            sleep_h: Some(7.5),
            soreness: Some(3.0),
            rmssd_ms: Some(62.0),
            sick: true,
            source: Some("hrv4training".to_owned()),
            ..WellnessEntry::default()
        }
    );
    assert_eq!(entries[1].date, Some(date(2026, 3, 4)));
    assert_eq!(
        store
            .wellness(athlete, date(2026, 3, 3), date(2026, 3, 3))
            .expect("list"),
        vec![]
    );
    assert_eq!(store.counts(athlete).expect("counts").wellness_days, 2);
    assert!(store.delete_wellness(athlete, day).expect("delete"));
    assert!(!store.delete_wellness(athlete, day).expect("delete"));
    assert!(matches!(
        store.upsert_wellness(athlete, &WellnessEntry::default()),
        Err(StoreError::Invalid(_))
    ));
}

/// Recovery entries round-trip (method, time, zones, grams, note), list by `[from, to)` oldest
/// first and can be deleted.
pub fn recovery_log_lists_by_range_and_deletes(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let boots = RecoveryEntry {
        method: RecoveryMethod::CompressionBoots,
        at: at(MONDAY_7AM + 3 * HOUR),
        minutes: Some(30.0),
        temp_c: None,
        zones: vec!["calves".to_owned(), "quads".to_owned()],
        carbs_g: None,
        protein_g: None,
        note: Some("after long run".to_owned()),
    };
    let meal = RecoveryEntry {
        method: RecoveryMethod::Nutrition,
        at: at(MONDAY_7AM + HOUR),
        minutes: None,
        temp_c: None,
        zones: vec![],
        carbs_g: Some(80.0),
        protein_g: Some(25.0),
        note: None,
    };
    let boots_id = store.add_recovery(athlete, &boots).expect("add");
    let meal_id = store.add_recovery(athlete, &meal).expect("add");
    let all = store
        .recovery(athlete, at(MONDAY_7AM), at(MONDAY_7AM + DAY))
        .expect("list");
    assert_eq!(
        all.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![meal_id, boots_id]
    );
    assert_eq!(all[1].entry, boots);
    assert_eq!(all[0].entry, meal);
    let until_boots = store
        .recovery(athlete, at(MONDAY_7AM), at(MONDAY_7AM + 3 * HOUR))
        .expect("list");
    assert_eq!(until_boots.len(), 1, "`to` is exclusive");
    assert!(store.delete_recovery(athlete, meal_id).expect("delete"));
    assert!(!store.delete_recovery(athlete, meal_id).expect("delete"));
    assert_eq!(store.counts(athlete).expect("counts").recovery_entries, 1);
}

/// Race results round-trip oldest first, can be deleted, and must be positive.
pub fn races_round_trip(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let half = RaceResult {
        date: date(2026, 4, 12),
        distance_m: 21_097.5,
        time_s: 5_400.0,
        kind: "race".to_owned(),
    };
    let five = RaceResult {
        date: date(2026, 2, 1),
        distance_m: 5_000.0,
        time_s: 1_200.0,
        kind: "best_effort".to_owned(),
    };
    let half_id = store.add_race(athlete, &half).expect("add");
    let five_id = store.add_race(athlete, &five).expect("add");
    let races = store.races(athlete).expect("list");
    assert_eq!(
        races
            .iter()
            .map(|r| (r.id, r.race.clone()))
            .collect::<Vec<_>>(),
        vec![(five_id, five), (half_id, half.clone())]
    );
    assert!(store.delete_race(athlete, five_id).expect("delete"));
    assert_eq!(store.counts(athlete).expect("counts").races, 1);
    let bad = RaceResult {
        time_s: 0.0,
        ..half
    };
    assert!(matches!(
        store.add_race(athlete, &bad),
        Err(StoreError::Invalid(_))
    ));
}

/// The `access` and `health` sets hold each string once, sorted, independently.
pub fn string_sets_add_remove_list(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    for member in ["massage", "compression_boots", "massage"] {
        store
            .add_to_set(athlete, StringSet::Access, member)
            .expect("add");
    }
    store
        .add_to_set(athlete, StringSet::Health, "asthma")
        .expect("add");
    assert_eq!(
        store.set_members(athlete, StringSet::Access).expect("list"),
        vec!["compression_boots", "massage"]
    );
    assert_eq!(
        store.set_members(athlete, StringSet::Health).expect("list"),
        vec!["asthma"]
    );
    assert!(
        store
            .remove_from_set(athlete, StringSet::Access, "massage")
            .expect("remove")
    );
    assert!(
        !store
            .remove_from_set(athlete, StringSet::Access, "massage")
            .expect("remove")
    );
    assert_eq!(
        store.set_members(athlete, StringSet::Access).expect("list"),
        vec!["compression_boots"]
    );
}

/// The plan is absent until saved and a later save replaces it.
pub fn plan_is_saved_and_replaced(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    assert_eq!(store.load_plan(athlete).expect("load"), None);
    store.save_plan(athlete, r#"{"weeks":1}"#).expect("save");
    store.save_plan(athlete, r#"{"weeks":2}"#).expect("save");
    assert_eq!(
        store.load_plan(athlete).expect("load").as_deref(),
        Some(r#"{"weeks":2}"#)
    );
}

/// Settings are set, replaced, listed by key and removed.
pub fn settings_set_get_remove(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    store
        .set_setting(athlete, "units", Some("imperial"))
        .expect("set");
    store
        .set_setting(athlete, "units", Some("metric"))
        .expect("replace");
    store
        .set_setting(athlete, "tz", Some("Europe/Amsterdam"))
        .expect("set");
    assert_eq!(
        store.setting(athlete, "units").expect("get").as_deref(),
        Some("metric")
    );
    assert_eq!(
        store.settings(athlete).expect("list"),
        vec![
            ("tz".to_owned(), "Europe/Amsterdam".to_owned()),
            ("units".to_owned(), "metric".to_owned())
        ]
    );
    store.set_setting(athlete, "units", None).expect("remove");
    assert_eq!(store.setting(athlete, "units").expect("get"), None);
}

/// Writes for an athlete that does not exist fail with `UnknownAthlete`; reads return nothing.
pub fn writes_for_an_unknown_athlete_fail(store: &dyn Store) {
    let ghost = AthleteId(store.default_athlete().expect("athlete").0 + 999);
    let run = short_run(MONDAY_7AM, 50);
    let unknown = |result: Result<(), StoreError>| {
        assert!(
            matches!(result, Err(StoreError::UnknownAthlete(id)) if id == ghost),
            "{result:?}"
        );
    };
    unknown(
        store
            .import_file(
                ghost,
                &file(1, "x.fit"),
                &[NewActivity {
                    activity: &run,
                    source: "x.fit",
                }],
            )
            .map(drop),
    );
    unknown(store.insert_manual_activity(ghost, &run).map(drop));
    unknown(store.set_profile_value(ghost, "max_hr", date(2026, 1, 1), "190"));
    unknown(store.upsert_wellness(
        ghost,
        &WellnessEntry {
            date: Some(date(2026, 1, 1)),
            ..WellnessEntry::default()
        },
    ));
    unknown(store.save_plan(ghost, "{}"));
    unknown(store.set_setting(ghost, "units", Some("metric")));
    unknown(store.add_to_set(ghost, StringSet::Health, "asthma"));
    assert!(
        store
            .list_activities(ghost, &ActivityFilter::default())
            .expect("list")
            .is_empty()
    );
    assert_eq!(
        store.counts(ghost).expect("counts"),
        crate::Counts::default()
    );
}

/// A NUL character in any text handed to the store — a manual activity's name, an imported
/// activity's name, a sport to filter by, a recovery note, a setting, a set member — is the
/// caller's mistake on both backends alike: an invalid-input error naming the text, and nothing
/// written (PostgreSQL cannot hold NUL in text; SQLite could, so the rule is the store's).
pub fn text_with_nul_is_invalid_input_and_writes_nothing(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let invalid_text = |result: Result<(), StoreError>, field: &str| match result {
        Err(error @ StoreError::InvalidText { .. }) => {
            assert!(error.is_invalid_input());
            assert!(error.to_string().contains(field), "{field}: {error}");
        }
        other => panic!("{field}: expected InvalidText, got {other:?}"),
    };

    let mut named = Activity::new(at(MONDAY_7AM), Sport::Running);
    named.elapsed_s = 1800.0;
    named.timer_s = 1800.0;
    named.name = Some("Tempo\0run".to_owned());
    let manual = store.insert_manual_activity(athlete, &named);
    assert!(
        matches!(&manual, Err(StoreError::InvalidActivity { reason, .. }) if reason.contains("name contains a NUL")),
        "{manual:?}"
    );
    let mut imported = short_run(MONDAY_7AM + DAY, 1);
    imported.name = Some("Long\0run".to_owned());
    let source = "nul.fit";
    let file_import = store.import_file(
        athlete,
        &file(0x004e_554c, source),
        &[NewActivity {
            activity: &imported,
            source,
        }],
    );
    assert!(
        matches!(&file_import, Err(StoreError::InvalidActivity { reason, .. }) if reason.contains("name contains a NUL")),
        "{file_import:?}"
    );
    assert!(
        !store
            .is_file_imported(athlete, ContentHash(0x004e_554c))
            .expect("lookup"),
        "nothing of the file was written"
    );
    let mut sport = Activity::new(at(MONDAY_7AM + 2 * DAY), Sport::Other("ro\0w".to_owned()));
    sport.elapsed_s = 600.0;
    sport.timer_s = 600.0;
    assert!(store.insert_manual_activity(athlete, &sport).is_err());

    invalid_text(
        store
            .list_activities(
                athlete,
                &ActivityFilter {
                    sport: Some(Sport::Other("run\0".to_owned())),
                    ..ActivityFilter::default()
                },
            )
            .map(drop),
        "sport filter",
    );
    let note = RecoveryEntry {
        method: RecoveryMethod::Massage,
        at: at(MONDAY_7AM),
        minutes: Some(30.0),
        temp_c: None,
        zones: vec![],
        carbs_g: None,
        protein_g: None,
        note: Some("felt\0good".to_owned()),
    };
    invalid_text(store.add_recovery(athlete, &note).map(drop), "note");
    invalid_text(
        store.set_setting(athlete, "units", Some("me\0tric")),
        "setting value",
    );
    invalid_text(store.setting(athlete, "un\0its").map(drop), "setting name");
    invalid_text(
        store.add_to_set(athlete, StringSet::Access, "x\0"),
        "set member",
    );
    invalid_text(
        store
            .set_profile_value(athlete, "max_hr", date(2026, 3, 1), "190\0")
            .map(drop),
        "profile value",
    );
    invalid_text(store.create_athlete("ann\0").map(drop), "athlete name");

    let counts = store.counts(athlete).expect("counts");
    assert_eq!(counts.activities, 0);
    assert_eq!(counts.recovery_entries, 0);
    assert_eq!(store.setting(athlete, "units").expect("setting"), None);
    assert!(
        store
            .set_members(athlete, StringSet::Access)
            .expect("set")
            .is_empty()
    );
    assert!(store.profile_values(athlete).expect("profile").is_empty());
}

/// An edit sets the fields it gives, clears those given as `Some(None)` and keeps the rest;
/// another athlete's id is not found; an RPE off the CR-10 scale is refused.
pub fn edits_change_only_the_fields_given(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let other = store.create_athlete("other").expect("athlete");
    let mut run = short_run(MONDAY_7AM, 71);
    run.name = Some("Morning Run".to_owned());
    let id = inserted(&import(store, athlete, 700, &[&run]))[0];
    let first = ActivityEdit {
        name: Some(Some("Hill repeats".to_owned())),
        sport: Some(Sport::Walking),
        rpe: Some(Some(7.0)),
        exclude_from_load: Some(true),
        notes: Some(Some("left calf tight".to_owned())),
    };
    assert!(!store.edit_activity(other, id, &first).expect("edit"));
    assert!(store.edit_activity(athlete, id, &first).expect("edit"));
    let s = store
        .get_activity(athlete, id)
        .expect("read")
        .expect("stored")
        .summary;
    assert_eq!(s.name.as_deref(), Some("Hill repeats"));
    assert_eq!(s.sport, Sport::Walking);
    assert_eq!(s.rpe, Some(7.0));
    assert!(s.exclude_from_load);
    assert_eq!(s.notes.as_deref(), Some("left calf tight"));
    // Only the notes cleared and the load flag back; everything else as it was.
    let second = ActivityEdit {
        exclude_from_load: Some(false),
        notes: Some(None),
        ..ActivityEdit::default()
    };
    assert!(store.edit_activity(athlete, id, &second).expect("edit"));
    let s = store
        .get_activity(athlete, id)
        .expect("read")
        .expect("stored")
        .summary;
    assert_eq!(
        (
            s.name.as_deref(),
            s.sport,
            s.rpe,
            s.exclude_from_load,
            s.notes
        ),
        (Some("Hill repeats"), Sport::Walking, Some(7.0), false, None)
    );
    let off_scale = ActivityEdit {
        rpe: Some(Some(11.0)),
        ..ActivityEdit::default()
    };
    assert!(store.edit_activity(athlete, id, &off_scale).is_err());
    assert!(
        !store
            .edit_activity(athlete, ActivityId(id.0 + 1000), &second)
            .expect("edit")
    );
}

/// An activity excluded from the load stays listed but leaves the daily-series scan; including
/// it again brings it back.
pub fn excluded_activities_leave_the_load_scan(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let a = short_run(MONDAY_7AM, 72);
    let b = short_run(MONDAY_7AM + DAY, 73);
    let a_id = inserted(&import(store, athlete, 710, &[&a]))[0];
    let b_id = inserted(&import(store, athlete, 711, &[&b]))[0];
    let exclude = |flag| ActivityEdit {
        exclude_from_load: Some(flag),
        ..ActivityEdit::default()
    };
    assert!(
        store
            .edit_activity(athlete, a_id, &exclude(true))
            .expect("edit")
    );
    let ids: Vec<ActivityId> = store
        .load_rows(athlete)
        .expect("scan")
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, vec![b_id]);
    assert_eq!(
        store
            .list_activities(athlete, &ActivityFilter::default())
            .expect("list")
            .len(),
        2
    );
    assert!(
        store
            .edit_activity(athlete, a_id, &exclude(false))
            .expect("edit")
    );
    assert_eq!(store.load_rows(athlete).expect("scan").len(), 2);
}

/// Deleting several ids is one transaction: an unknown (or another athlete's) id among them
/// deletes none.
pub fn deleting_several_is_all_or_nothing(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let other = store.create_athlete("other").expect("athlete");
    let a_id = inserted(&import(store, athlete, 720, &[&short_run(MONDAY_7AM, 74)]))[0];
    let b_id = inserted(&import(
        store,
        athlete,
        721,
        &[&short_run(MONDAY_7AM + DAY, 75)],
    ))[0];
    let foreign = inserted(&import(store, other, 722, &[&short_run(MONDAY_7AM, 76)]))[0];
    let refused = store.delete_activities(athlete, &[a_id, foreign]);
    assert!(
        matches!(refused, Err(StoreError::ActivityNotFound { id, .. }) if id == foreign),
        "{refused:?}"
    );
    assert_eq!(activity_count(store, athlete), 2, "nothing deleted");
    assert_eq!(activity_count(store, other), 1);
    store
        .delete_activities(athlete, &[a_id, b_id])
        .expect("delete");
    assert_eq!(activity_count(store, athlete), 0);
    assert_eq!(activity_count(store, other), 1);
}

/// A file whose activity was deleted stays recorded (a plain re-import writes nothing); a
/// restore brings back only the deleted activity of a two-session file, under a new id, and
/// afterwards the file counts as fully imported again.
pub fn deleted_activities_come_back_only_when_restored(store: &dyn Store) {
    let athlete = store.default_athlete().expect("athlete");
    let first = short_run(MONDAY_7AM, 77);
    let second = short_run(MONDAY_7AM + 2 * HOUR, 78);
    let ids = inserted(&import(store, athlete, 730, &[&first, &second]));
    assert_eq!(ids.len(), 2);
    assert!(
        !store
            .has_deleted_activities(athlete, ContentHash(730))
            .expect("look-up")
    );
    store.delete_activities(athlete, &[ids[1]]).expect("delete");
    assert!(
        store
            .has_deleted_activities(athlete, ContentHash(730))
            .expect("look-up")
    );
    assert!(
        store
            .is_file_imported(athlete, ContentHash(730))
            .expect("look-up")
    );
    assert!(matches!(
        import(store, athlete, 730, &[&first, &second]),
        FileOutcome::AlreadyImported { .. }
    ));
    assert_eq!(activity_count(store, athlete), 1);

    let source = "file-2da.fit".to_owned();
    let new = [
        NewActivity {
            activity: &first,
            source: &source,
        },
        NewActivity {
            activity: &second,
            source: &source,
        },
    ];
    let restored = store
        .restore_deleted_file(athlete, &file(730, &source), &new)
        .expect("restore");
    let outcome = outcomes(&restored);
    assert_eq!(outcome[0], ActivityOutcome::Duplicate { of: ids[0] });
    let ActivityOutcome::Inserted(back) = outcome[1] else {
        panic!("the deleted session comes back: {outcome:?}");
    };
    assert_ne!(back, ids[1], "a new id, never a reused one");
    assert_eq!(activity_count(store, athlete), 2);
    assert_eq!(store.counts(athlete).expect("counts").files, 1);
    assert!(
        !store
            .has_deleted_activities(athlete, ContentHash(730))
            .expect("look-up")
    );
    assert!(matches!(
        store
            .restore_deleted_file(athlete, &file(730, &source), &new)
            .expect("restore"),
        FileOutcome::AlreadyImported { .. }
    ));
    // A file never seen is simply imported.
    let fresh = short_run(MONDAY_7AM + 3 * DAY, 79);
    let fresh_new = [NewActivity {
        activity: &fresh,
        source: &source,
    }];
    assert_eq!(
        inserted(
            &store
                .restore_deleted_file(athlete, &file(731, &source), &fresh_new)
                .expect("import")
        )
        .len(),
        1
    );
}
