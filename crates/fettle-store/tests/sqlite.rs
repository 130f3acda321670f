//! The SQLite backend against the conformance suite, plus what only a file database has:
//! migrations, WAL, reopening, and refusing a database from a newer Fettle.

use fettle_store::{Database, SqliteStore, Store, StoreError, conformance, sqlite::SCHEMA_VERSION};

#[test]
fn in_memory_sqlite_passes_the_conformance_suite() {
    conformance::run_all(|| {
        Box::new(SqliteStore::open_in_memory().expect("open")) as Box<dyn Store>
    });
}

#[test]
fn in_memory_sqlite_passes_the_accounts_conformance_suite() {
    conformance::run_accounts(|| {
        Box::new(SqliteStore::open_in_memory().expect("open")) as Box<dyn Database>
    });
}

#[test]
fn file_sqlite_passes_the_accounts_conformance_suite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let counter = std::cell::Cell::new(0);
    conformance::run_accounts(|| {
        counter.set(counter.get() + 1);
        let path = dir
            .path()
            .join(format!("accounts-{}.sqlite", counter.get()));
        Box::new(SqliteStore::open(path).expect("open")) as Box<dyn Database>
    });
}

#[test]
fn file_sqlite_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let counter = std::cell::Cell::new(0);
    conformance::run_all(|| {
        counter.set(counter.get() + 1);
        let path = dir.path().join(format!("case-{}.sqlite", counter.get()));
        Box::new(SqliteStore::open(path).expect("open")) as Box<dyn Store>
    });
}

#[test]
fn opening_twice_keeps_data_schema_and_default_athlete() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fettle.sqlite");
    let (athlete, mode) = {
        let store = SqliteStore::open(&path).expect("first open");
        assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
        let athlete = store.default_athlete().expect("athlete");
        store
            .set_setting(athlete, "units", Some("metric"))
            .expect("setting");
        let raw = rusqlite::Connection::open(&path).expect("raw open");
        let mode: String = raw
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("mode");
        (athlete, mode)
    };
    assert_eq!(mode, "wal");
    let store = SqliteStore::open(&path).expect("second open");
    assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
    assert_eq!(store.default_athlete().expect("athlete"), athlete);
    assert_eq!(
        store.setting(athlete, "units").expect("setting").as_deref(),
        Some("metric")
    );
    let raw = rusqlite::Connection::open(&path).expect("raw open");
    let versions: i64 = raw
        .query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0))
        .expect("count");
    assert_eq!(
        versions,
        i64::from(SCHEMA_VERSION),
        "each migration recorded once"
    );
    let athletes: i64 = raw
        .query_row("SELECT COUNT(*) FROM athletes", [], |r| r.get(0))
        .expect("count");
    assert_eq!(athletes, 1, "the default athlete is created once");
}

#[test]
fn a_database_from_a_newer_fettle_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fettle.sqlite");
    drop(SqliteStore::open(&path).expect("create"));
    let future = SCHEMA_VERSION + 6;
    {
        let raw = rusqlite::Connection::open(&path).expect("raw open");
        raw.execute(
            "INSERT INTO schema_version (version, applied_ms) VALUES (?1, 0)",
            [future],
        )
        .expect("pretend a newer program migrated it");
    }
    let error = SqliteStore::open(&path).expect_err("newer schema refused");
    assert!(error.is_newer_schema(), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(
        message.contains(&format!("schema {future} > {SCHEMA_VERSION}")),
        "{message}"
    );
    assert!(message.contains("upgrade fettle"), "{message}");
    let raw = rusqlite::Connection::open(&path).expect("raw open");
    let max: u32 = raw
        .query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))
        .expect("max");
    assert_eq!(max, future);
}

#[test]
fn a_file_that_is_not_a_database_gives_an_open_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notes.txt");
    std::fs::write(
        &path,
        b"this is not a database, just some text long enough to look like a file header",
    )
    .expect("write");
    let error = SqliteStore::open(&path).expect_err("not a database");
    assert!(matches!(error, StoreError::Open { .. }), "{error:?}");
    assert!(error.to_string().contains("not a Fettle"), "{error}");
}

#[test]
fn the_store_is_usable_as_a_shared_trait_object_across_threads() {
    let store: std::sync::Arc<dyn Store> =
        std::sync::Arc::new(SqliteStore::open_in_memory().expect("open"));
    let athlete = store.default_athlete().expect("athlete");
    let handles: Vec<_> = (0..4u64)
        .map(|i| {
            let store = std::sync::Arc::clone(&store);
            std::thread::spawn(move || {
                let start = jiff::Timestamp::from_second(1_772_434_800 + i as i64 * 86_400)
                    .expect("instant");
                let run = conformance::synthetic_run(start, 600, i);
                let file = fettle_store::NewFile {
                    content_hash: fettle_store::ContentHash(u128::from(i) + 1),
                    source: format!("{i}.fit"),
                    size_bytes: 1,
                };
                store
                    .import_file(
                        athlete,
                        &file,
                        &[fettle_store::NewActivity {
                            activity: &run,
                            source: "t",
                        }],
                    )
                    .expect("import")
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("thread");
    }
    assert_eq!(store.counts(athlete).expect("counts").activities, 4);
}

/// Set in the child process of the crash test: the database it imports into.
const CRASH_CHILD_DB: &str = "FETTLE_STORE_CRASH_CHILD_DB";

/// The i-th file of the crash test: a 10-minute run on day i, its own content hash.
fn crash_test_import(store: &dyn Store, index: u64) -> fettle_store::FileOutcome {
    let start =
        jiff::Timestamp::from_second(1_700_000_000 + index as i64 * 86_400).expect("instant");
    let run = conformance::synthetic_run(start, 600, index);
    let file = fettle_store::NewFile {
        content_hash: fettle_store::ContentHash(u128::from(index) + 1),
        source: format!("crash-{index}.fit"),
        size_bytes: 1,
    };
    let athlete = store.default_athlete().expect("athlete");
    store
        .import_file(
            athlete,
            &file,
            &[fettle_store::NewActivity {
                activity: &run,
                source: &file.source,
            }],
        )
        .expect("import")
}

/// A process killed (SIGKILL) while importing leaves a database where every recorded file has
/// exactly its activities and samples, and importing the same files again completes the job.
#[test]
fn killing_an_import_midway_leaves_a_consistent_database() {
    if let Ok(path) = std::env::var(CRASH_CHILD_DB) {
        // Child: import until killed (bounded, in case the parent disappears).
        let store = SqliteStore::open(&path).expect("child open");
        for index in 0..100_000 {
            crash_test_import(&store, index);
        }
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("crash.sqlite");
    let mut child = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "killing_an_import_midway_leaves_a_consistent_database",
            "--exact",
            "--quiet",
        ])
        .env(CRASH_CHILD_DB, &path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn child");
    // Let it get well into its imports, then kill it without warning.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        std::thread::sleep(std::time::Duration::from_millis(200));
        let files: i64 = rusqlite::Connection::open(&path)
            .and_then(|raw| raw.query_row("SELECT COUNT(*) FROM files", [], |r| r.get(0)))
            .unwrap_or(0);
        if files >= 20 || std::time::Instant::now() > deadline {
            break;
        }
    }
    child.kill().expect("kill child");
    child.wait().expect("reap child");

    let store = SqliteStore::open(&path).expect("reopen after the crash");
    let raw = rusqlite::Connection::open(&path).expect("raw open");
    let integrity: String = raw
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(integrity, "ok");
    let recorded: i64 = raw
        .query_row("SELECT COUNT(*) FROM files", [], |r| r.get(0))
        .expect("count");
    assert!(
        recorded >= 20,
        "the child imported {recorded} files before the deadline"
    );
    // Every recorded file has exactly the activities it counted, each with its samples and laps.
    let mismatched: i64 = raw
        .query_row(
            "SELECT COUNT(*) FROM files f WHERE f.activities_inserted !=
                 (SELECT COUNT(*) FROM activities a WHERE a.file_id = f.file_id)",
            [],
            |r| r.get(0),
        )
        .expect("files check");
    assert_eq!(mismatched, 0);
    let orphans: i64 = raw
        .query_row(
            "SELECT (SELECT COUNT(*) FROM activities WHERE file_id IS NULL)
                  + (SELECT COUNT(*) FROM activities a WHERE NOT EXISTS
                        (SELECT 1 FROM activity_samples s WHERE s.activity_id = a.activity_id))
                  + (SELECT COUNT(*) FROM activities a WHERE a.lap_count !=
                        (SELECT COUNT(*) FROM laps l WHERE l.activity_id = a.activity_id))",
            [],
            |r| r.get(0),
        )
        .expect("activities check");
    assert_eq!(orphans, 0);

    // Rerunning the import completes it: recorded files are skipped, the rest imported.
    let total = recorded as u64 + 5;
    for index in 0..total {
        let outcome = crash_test_import(&store, index);
        let expect_skip = index < recorded as u64;
        assert_eq!(
            matches!(outcome, fettle_store::FileOutcome::AlreadyImported { .. }),
            expect_skip,
            "file {index}: {outcome:?}"
        );
    }
    let counts = store
        .counts(store.default_athlete().expect("athlete"))
        .expect("counts");
    assert_eq!((counts.files, counts.activities), (total, total));
}

/// Eight programs opening one new file at once (two imports started together, say): every
/// open succeeds — none is refused as "locked" — and the schema is created once, with one
/// default athlete. Repeated on fresh files, as the collision is a matter of timing.
#[test]
fn concurrent_first_opens_of_a_new_file_all_succeed() {
    const OPENERS: usize = 8;
    for round in 0..25 {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("new.sqlite");
        let barrier = std::sync::Barrier::new(OPENERS);
        let defaults: Vec<_> = std::thread::scope(|scope| {
            let openers: Vec<_> = (0..OPENERS)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        SqliteStore::open(&path).and_then(|store| store.default_athlete())
                    })
                })
                .collect();
            openers
                .into_iter()
                .map(|opener| opener.join().expect("no panic"))
                .collect()
        });
        for opened in &defaults {
            assert!(opened.is_ok(), "round {round}: {opened:?}");
        }
        let connection = rusqlite::Connection::open(&path).expect("reopen");
        let count = |sql: &str| -> i64 {
            connection
                .query_row(sql, [], |row| row.get(0))
                .expect("count")
        };
        // One row per migration file, however many openers raced to apply them.
        let migrations =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
                .expect("migrations folder")
                .filter(|entry| {
                    entry
                        .as_ref()
                        .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
                })
                .count();
        assert!(migrations >= 3);
        assert_eq!(
            count("SELECT COUNT(*) FROM schema_version"),
            i64::try_from(migrations).expect("a few"),
            "each migration applied once"
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM athletes"),
            1,
            "one default athlete"
        );
    }
}

/// A path that is not UTF-8 is refused, and no file is created: SQLite takes paths as text, and
/// a lossy conversion would make two different paths open one file.
#[cfg(unix)]
#[test]
fn a_path_that_is_not_utf8_is_refused_and_creates_nothing() {
    use std::os::unix::ffi::OsStrExt as _;
    let dir = tempfile::tempdir().expect("temp dir");
    for name in [&b"caf\xe9.sqlite"[..], &b"caf\xe8.sqlite"[..]] {
        let path = dir.path().join(std::ffi::OsStr::from_bytes(name));
        let error = SqliteStore::open(&path).map(drop).expect_err("refused");
        assert!(
            matches!(&error, fettle_store::StoreError::Invalid(m) if m.contains("not valid UTF-8")),
            "{error:?}"
        );
    }
    assert!(
        std::fs::read_dir(dir.path()).expect("dir").next().is_none(),
        "no file was created"
    );
}
