//! A time-boxed, deterministic fuzz run over the whole import path: mutated copies of corpus
//! files → `import_paths_at` into a real temporary SQLite database → status, readiness and
//! recover. Asserts no panic, no failure of the program's own (store or internal) kind, and that
//! every stored value lies inside `fettle_core::limits`.
//!
//! The seed is fixed, so a failure reproduces. `FETTLE_FUZZ_CASES` raises the number of cases
//! (default 24, a few seconds in debug); each case imports a batch of three mutated files.

use std::path::PathBuf;

use fettle_app::AppError;
use fettle_app::import::{NoProgress, import_paths_at};
use fettle_core::limits::{self, ActivityBounds};
use fettle_store::{ActivityFilter, Store, sqlite::SqliteStore};
use jiff::Timestamp;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Small activity files of each format from the corpus.
const SEEDS: &[&str] = &[
    "fit/Activity.fit",
    "fit/garmin-fenix-5-run.fit",
    "fit/garmin-fenix-5-bike.fit",
    "fit/compressed-speed-distance.fit",
    "fit/2013-02-06-12-11-14.fit",
    "gpx/with_accuracy.gpx",
    "gpx/gpsies_example.gpx",
    "gpx/garmin-activity.gpx",
    "tcx/20210323_yoga.tcx",
];

/// Text a hostile or damaged file might carry, spliced into the bytes.
const SPLICES: &[&str] = &[
    "1e19",
    "1e15",
    "-500",
    "NaN",
    "inf",
    "2426-01-01T00:00:00Z",
    "2095-06-01T07:00:00Z",
    "1900-01-01T00:00:00Z",
    "999999999",
    "\u{0}",
    "<name>",
    "</time>",
];

/// One change to a file's bytes; positions are fractions of the length.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(f64, u8),
    Truncate(f64),
    Splice(f64, usize),
    Duplicate(f64, f64),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (0.0..1.0f64, 1u8..=255).prop_map(|(at, mask)| Mutation::Flip(at, mask)),
        1 => (0.5..1.0f64).prop_map(Mutation::Truncate),
        3 => (0.0..1.0f64, 0..SPLICES.len()).prop_map(|(at, i)| Mutation::Splice(at, i)),
        1 => (0.0..1.0f64, 0.0..0.05f64).prop_map(|(at, len)| Mutation::Duplicate(at, len)),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let at = |fraction: f64, len: usize| ((fraction * len as f64) as usize).min(len);
    match *mutation {
        Mutation::Flip(fraction, mask) => {
            let i = at(fraction, bytes.len()).min(bytes.len().saturating_sub(1));
            if let Some(b) = bytes.get_mut(i) {
                *b ^= mask;
            }
        }
        Mutation::Truncate(fraction) => bytes.truncate(at(fraction, bytes.len())),
        Mutation::Splice(fraction, i) => {
            let pos = at(fraction, bytes.len());
            bytes.splice(pos..pos, SPLICES[i].bytes());
        }
        Mutation::Duplicate(fraction, length) => {
            let start = at(fraction, bytes.len());
            let end = (start + at(length, bytes.len())).min(bytes.len());
            let copy = bytes[start..end].to_vec();
            bytes.splice(end..end, copy);
        }
    }
}

/// Asserts every stored activity lies inside the limits; returns how many there are.
fn assert_within_limits(store: &dyn Store, now: Timestamp) -> usize {
    let athlete = store.default_athlete().unwrap();
    let stored = store
        .list_activities(athlete, &ActivityFilter::default())
        .unwrap();
    let count = stored.len();
    for summary in stored {
        let full = store.get_activity(athlete, summary.id).unwrap().unwrap();
        let a = &full.activity;
        let bounds = ActivityBounds::for_sport(a.sport.as_str());
        let what = format!("{} ({})", summary.source, a.sport);
        assert!(
            limits::in_date_range(a.start, now),
            "{what}: start {}",
            a.start
        );
        for duration in [a.elapsed_s, a.timer_s] {
            assert!(
                duration.is_finite() && (0.0..=bounds.max_duration_s).contains(&duration),
                "{what}: duration {duration}"
            );
        }
        if let Some(d) = a.distance_m {
            assert!(
                (0.0..=bounds.max_distance_m).contains(&d),
                "{what}: distance {d}"
            );
            if a.elapsed_s >= 60.0 {
                assert!(
                    d / a.elapsed_s <= bounds.max_mean_speed_mps,
                    "{what}: {d} m in {} s",
                    a.elapsed_s
                );
            }
        }
        let (low, high) = limits::HEART_RATE_BPM;
        for hr in [a.avg_hr, a.max_hr].into_iter().flatten() {
            assert!((low..=high).contains(&hr), "{what}: heart rate {hr}");
        }
        for hr in &a.streams.heart_rate_bpm {
            assert!(
                hr.is_nan() || (low..=high).contains(&f64::from(*hr)),
                "{what}: HR sample {hr}"
            );
        }
        for t in &a.streams.time_s {
            assert!(*t <= bounds.max_duration_s + 1.0, "{what}: sample at {t} s");
        }
        for text in [&a.name, &a.device, &a.sub_sport].into_iter().flatten() {
            assert!(
                text.chars().count() <= limits::NAME_MAX_CHARS,
                "{what}: text"
            );
        }
        if let Some(rpe) = a.perceived_exertion {
            assert!((0.0..=10.0).contains(&rpe), "{what}: RPE {rpe}");
        }
        for lap in &a.laps {
            assert!(lap.distance_m.is_none_or(|d| d >= 0.0), "{what}: lap");
            assert!(lap.elapsed_s <= bounds.max_duration_s, "{what}: lap");
        }
        let loads = summary
            .loads
            .unwrap_or_else(|| panic!("{what} stored without loads"));
        for load in loads.methods.values().copied().chain([loads.load]) {
            assert!(load.is_finite() && load >= 0.0, "{what}: load {load}");
        }
    }
    count
}

/// A use case may refuse (the caller's fault) but never fail as the program's fault.
fn not_the_programs_fault<T>(result: Result<T, AppError>, what: &str) {
    if let Err(err @ (AppError::Store(_) | AppError::Internal(_))) = result {
        panic!("{what}: {err}");
    }
}

#[test]
fn mutated_corpus_files_never_break_the_import_or_a_later_command() {
    let cases = std::env::var("FETTLE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let seed = [0x11u8; 32];
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
    let now: Timestamp = "2026-12-07T12:00:00Z".parse().unwrap();
    let seeds: Vec<Vec<u8>> = SEEDS
        .iter()
        .map(|s| std::fs::read(fettle_testdata::corpus(s)).unwrap())
        .collect();
    let file = (0..SEEDS.len(), proptest::collection::vec(mutation(), 1..6));
    // Across the run, some mutated files must still be stored: a check that refuses everything
    // would pass the bounds trivially.
    let stored = std::sync::atomic::AtomicUsize::new(0);
    runner
        .run(&proptest::collection::vec(file, 3), |batch| {
            let dir = tempfile::tempdir().unwrap();
            let store = SqliteStore::open(dir.path().join("fuzz.sqlite")).unwrap();
            let athlete = store.default_athlete().unwrap();
            let mut paths: Vec<PathBuf> = Vec::new();
            for (i, (seed, mutations)) in batch.iter().enumerate() {
                let mut bytes = seeds[*seed].clone();
                for m in mutations {
                    apply(&mut bytes, m);
                }
                let name = SEEDS[*seed].rsplit('/').next().unwrap();
                let path = dir.path().join(format!("{i}-{name}"));
                std::fs::write(&path, bytes).unwrap();
                paths.push(path);
            }
            let summary = import_paths_at(&store, athlete, &paths, 2, &NoProgress, now)
                .map_err(|e| TestCaseError::fail(format!("import failed as a whole: {e}")))?;
            prop_assert_eq!(summary.files, 3);
            stored.fetch_add(
                assert_within_limits(&store, now),
                std::sync::atomic::Ordering::Relaxed,
            );
            not_the_programs_fault(
                fettle_app::training::status(&store, athlete, None, now),
                "status",
            );
            not_the_programs_fault(
                fettle_app::recovery::readiness(&store, athlete, None, now),
                "readiness",
            );
            not_the_programs_fault(
                fettle_app::recovery::recover(&store, athlete, None, now),
                "recover",
            );
            Ok(())
        })
        .unwrap();
    let stored = stored.into_inner();
    assert!(
        stored >= cases as usize / 2,
        "only {stored} activities stored in {cases} cases"
    );
}
