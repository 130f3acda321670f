//! Measures a store on a realistic history: imports 3,000 one-hour 1 Hz runs (one
//! file each: summary, laps and sample blob), tops it up to 4,000 activities, then times the
//! full scan the daily series needs and a few reads.
//!
//! Run: `cargo run --release -p fettle-store --all-features --example store_bench [DIR]` (the
//! SQLite database goes in a temporary directory, or under DIR: e.g. `/dev/shm` to take the disk
//! out of the numbers), or `… --example store_bench -- --postgres URL` for the PostgreSQL store (in a
//! scratch schema `fettle_bench_<pid>` of that database, dropped at the end).
//!
//! Measured 2026-11-30 on the shared 2-core development machine (load average 3–8, so
//! wall-clock figures are pessimistic): 3,000 imports in 2.4–2.6 s on disk and 1.5 s in
//! `/dev/shm`, of which ≈ 0.8 s is blob encoding (which runs outside the database lock, so
//! importers on several threads overlap it); 5.24 bytes/sample; the 4,000-activity scan
//! 2.2–2.4 ms; one activity with decoded streams ≈ 0.25–0.3 ms; 84.6 MiB for 4,000 hour-long
//! runs.
//!
//! PostgreSQL 15 on the same machine (local TCP, default `synchronous_commit = on`, load
//! average ≈ 9), 2026-11-30: 3,000 imports in 25.7–35.8 s (≈ 85–117 files/s: each file is one
//! durable commit, and a bare durable commit costs ≈ 4.4 ms here, plus ≈ 10 round trips);
//! 1,000 imports from 4 threads for 4 athletes in 3.5 s (287 files/s, the commits overlap);
//! the 4,000-activity scan 11–12 ms; listing 4,000 summaries 23–24 ms; one activity with
//! decoded streams ≈ 0.55–0.67 ms; 112.8 MiB. SQLite in the same run: 3.9 s, 583 files/s
//! from 4 threads, scan 2.95 ms.

use std::time::{Duration, Instant};

use fettle_store::conformance::synthetic_run;
use fettle_store::{
    ActivityFilter, ContentHash, NewActivity, NewFile, PgStore, SqliteStore, Store, blob,
};
use jiff::{SignedDuration, Timestamp};

/// Runs imported as files.
const IMPORTED_RUNS: usize = 3_000;
/// Activities in the scanned history (≈ 10 years).
const HISTORY: usize = 4_000;
/// Distinct sample sets reused with different start times (keeps memory small).
const POOL: usize = 16;
/// Threads importing at once in the parallel phase, each for its own athlete.
const PARALLEL_THREADS: usize = 4;
/// Runs each of those threads imports.
const PARALLEL_RUNS_PER_THREAD: usize = 250;
/// Repetitions of each read measurement; the median is reported.
const REPEATS: usize = 21;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Where the benchmark's database lives, and how to measure and remove it.
enum Database {
    Sqlite(tempfile::TempDir),
    Postgres {
        /// Boxed: a client is far larger than the SQLite variant.
        admin: Box<postgres::Client>,
        schema: String,
    },
}

impl Database {
    fn open(args: &[String]) -> (Database, Box<dyn Store>) {
        if let [flag, url] = args
            && flag == "--postgres"
        {
            let mut admin = postgres::Client::connect(url, postgres::NoTls).expect("connect");
            let schema = format!("fettle_bench_{}", std::process::id());
            admin
                .batch_execute(&format!("CREATE SCHEMA {schema}"))
                .expect("scratch schema");
            let separator = if url.contains('?') { '&' } else { '?' };
            let store =
                PgStore::connect(&format!("{url}{separator}options=-csearch_path%3D{schema}"))
                    .expect("open");
            return (
                Database::Postgres {
                    admin: Box::new(admin),
                    schema,
                },
                Box::new(store),
            );
        }
        let dir = match args.first() {
            Some(parent) => {
                tempfile::tempdir_in(parent).expect("temp dir under the given directory")
            }
            None => tempfile::tempdir().expect("temp dir"),
        };
        let store = SqliteStore::open(dir.path().join("bench.sqlite")).expect("open");
        (Database::Sqlite(dir), Box::new(store))
    }

    fn size_bytes(&mut self) -> u64 {
        match self {
            Database::Sqlite(dir) => std::fs::metadata(dir.path().join("bench.sqlite"))
                .map(|m| m.len())
                .unwrap_or(0),
            Database::Postgres { admin, schema } => {
                let size: i64 = admin
                    .query_one(
                        "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::BIGINT
                         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')",
                        &[schema],
                    )
                    .expect("size")
                    .get(0);
                u64::try_from(size).unwrap_or(0)
            }
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Database::Postgres { admin, schema } = self {
            let _ = admin.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"));
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut database, store) = Database::open(&args);
    let athlete = store.default_athlete().expect("athlete");
    let first_start = Timestamp::from_second(1_500_000_000).expect("instant");
    let mut pool: Vec<_> = (0..POOL)
        .map(|seed| synthetic_run(first_start, 3600, seed as u64))
        .collect();
    let samples_per_run = pool[0].streams.len();

    // Encoding alone, to separate the codec from the database.
    let encode_started = Instant::now();
    let mut blob_bytes = 0usize;
    for i in 0..IMPORTED_RUNS {
        let run = &pool[i % POOL];
        blob_bytes += blob::encode(&run.streams, &run.rr_intervals_ms)
            .expect("encode")
            .len();
    }
    let encode_time = encode_started.elapsed();

    let import_started = Instant::now();
    for i in 0..HISTORY {
        let run = &mut pool[i % POOL];
        // One run a day, at 07:00 UTC plus a few minutes' drift.
        run.start =
            first_start + SignedDuration::from_secs(i as i64 * 86_400 + (i as i64 % 7) * 60);
        let source = format!("run-{i}.fit");
        let file = NewFile {
            content_hash: ContentHash(i as u128 + 1),
            source: source.clone(),
            size_bytes: 250_000,
        };
        store
            .import_file(
                athlete,
                &file,
                &[NewActivity {
                    activity: run,
                    source: &source,
                }],
            )
            .expect("import");
        if i + 1 == IMPORTED_RUNS {
            let elapsed = import_started.elapsed();
            let per_second = IMPORTED_RUNS as f64 / elapsed.as_secs_f64();
            println!(
                "import {IMPORTED_RUNS} one-hour runs ({samples_per_run} samples each): {elapsed:.2?} \
                 = {per_second:.0} activities/s (of which encoding {encode_time:.2?})"
            );
            println!(
                "blob size: {:.2} bytes/sample, {:.1} KiB per run",
                blob_bytes as f64 / (IMPORTED_RUNS * samples_per_run) as f64,
                blob_bytes as f64 / IMPORTED_RUNS as f64 / 1024.0
            );
        }
    }
    let counts = store.counts(athlete).expect("counts");
    assert_eq!(counts.activities as usize, HISTORY);

    let scan = median(
        (0..REPEATS)
            .map(|_| {
                let started = Instant::now();
                let rows = store.load_rows(athlete).expect("scan");
                assert_eq!(rows.len(), HISTORY);
                started.elapsed()
            })
            .collect(),
    );
    println!("full scan of {HISTORY} activities (load_rows): {scan:.2?} (median of {REPEATS})");

    let list = median(
        (0..REPEATS)
            .map(|_| {
                let started = Instant::now();
                let rows = store
                    .list_activities(athlete, &ActivityFilter::default())
                    .expect("list");
                assert_eq!(rows.len(), HISTORY);
                started.elapsed()
            })
            .collect(),
    );
    println!("list all {HISTORY} summaries: {list:.2?} (median of {REPEATS})");

    let ids: Vec<_> = store
        .load_rows(athlete)
        .expect("scan")
        .iter()
        .map(|r| r.id)
        .collect();
    let get = median(
        (0..REPEATS)
            .map(|k| {
                let started = Instant::now();
                let stored = store
                    .get_activity(athlete, ids[k * 97 % ids.len()])
                    .expect("get");
                assert!(stored.is_some());
                started.elapsed()
            })
            .collect(),
    );
    println!("get one activity with decoded streams: {get:.2?} (median of {REPEATS})");
    // Parallel imports: one athlete per thread, so a server backend can run them at once.
    let athletes: Vec<_> = (0..PARALLEL_THREADS)
        .map(|t| {
            store
                .create_athlete(&format!("parallel-{t}"))
                .expect("athlete")
        })
        .collect();
    let parallel_started = Instant::now();
    std::thread::scope(|scope| {
        for (t, athlete) in athletes.iter().enumerate() {
            let store = &*store;
            let mut run = synthetic_run(first_start, 3600, t as u64);
            scope.spawn(move || {
                for i in 0..PARALLEL_RUNS_PER_THREAD {
                    run.start = first_start + SignedDuration::from_secs(i as i64 * 86_400);
                    let source = format!("parallel-{t}-{i}.fit");
                    let file = NewFile {
                        content_hash: ContentHash(i as u128 + 1),
                        source: source.clone(),
                        size_bytes: 250_000,
                    };
                    let new = [NewActivity {
                        activity: &run,
                        source: &source,
                    }];
                    store.import_file(*athlete, &file, &new).expect("import");
                }
            });
        }
    });
    let parallel = parallel_started.elapsed();
    let total = PARALLEL_THREADS * PARALLEL_RUNS_PER_THREAD;
    println!(
        "import {total} runs from {PARALLEL_THREADS} threads (one athlete each): {parallel:.2?} \
         = {:.0} activities/s",
        total as f64 / parallel.as_secs_f64()
    );

    drop(store);
    let size = database.size_bytes();
    println!("database size: {:.1} MiB", size as f64 / (1024.0 * 1024.0));
}
