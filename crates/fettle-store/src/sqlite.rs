//! The embedded SQLite backend: one database file, WAL journal, foreign keys, a busy timeout, and
//! numbered migrations applied in a transaction when the file is opened.
//!
//! This is the SQLite adapter of the [`sql`](crate::sql) layer, which holds every query: here
//! are only the connection, its transactions, and how `rusqlite` binds [`Value`]s and reads
//! [`Cell`]s.
//!
//! One connection behind a mutex serves every caller: SQLite has a single writer anyway, and the
//! expensive, parallelisable part of an import (encoding the sample blobs) runs before the lock
//! is taken, so importers on several threads still overlap their work.

use std::cell::Cell as HintCell;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, TransactionBehavior};

use crate::error::{StoreError, StoreResult};
use crate::sql::{
    Backend, Cell, DbError, DbErrorKind, Exec, SqlRow, SqlStore, Value, find_column, migrate,
};

pub use crate::sql::DEFAULT_ATHLETE_NAME;
pub use crate::sql::store::MANUAL_SOURCE;

/// The numbered migrations, in order. Never edit a released one: add the next.
const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_initial.sql")),
    (2, include_str!("../migrations/sqlite/0002_accounts.sql")),
    (3, include_str!("../migrations/sqlite/0003_corrections.sql")),
    (
        4,
        include_str!("../migrations/sqlite/0004_loads_as_data.sql"),
    ),
];

/// The schema version this program writes (the last migration's number).
pub const SCHEMA_VERSION: u32 = 4;

/// How long a statement waits for another process's lock before failing with
/// [`StoreError::Busy`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The embedded SQLite [`Store`](crate::Store) and [`Accounts`](crate::Accounts).
pub type SqliteStore = SqlStore<SqliteBackend>;

/// The SQLite connection behind a [`SqliteStore`].
pub struct SqliteBackend {
    connection: Mutex<Connection>,
    path: String,
}

impl std::fmt::Debug for SqliteBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqlStore<SqliteBackend> {
    /// Opens (creating if needed) the database at `path`, switches it to WAL, applies pending
    /// migrations in one transaction and creates the default athlete on first open.
    ///
    /// Fails with [`StoreError::NewerSchema`] when the file was written by a newer Fettle, and
    /// with [`StoreError::Invalid`] when the path is not UTF-8 text: SQLite takes a path as
    /// text, and converting one lossily would open the same file for two different paths.
    pub fn open(path: impl AsRef<Path>) -> StoreResult<SqliteStore> {
        let Some(path) = path.as_ref().to_str() else {
            return Err(StoreError::Invalid(format!(
                "the database path {} is not valid UTF-8 text: rename the file or folder, or \
                 choose another path",
                path.as_ref().display()
            )));
        };
        let path = path.to_owned();
        let connection = Connection::open(&path).map_err(|e| open_error(&path, &e))?;
        SqliteStore::setup(connection, path)
    }

    /// Opens a private in-memory database (for tests and throwaway runs; no WAL).
    pub fn open_in_memory() -> StoreResult<SqliteStore> {
        let path = ":memory:".to_owned();
        let connection = Connection::open_in_memory().map_err(|e| open_error(&path, &e))?;
        SqliteStore::setup(connection, path)
    }

    fn setup(mut connection: Connection, path: String) -> StoreResult<SqliteStore> {
        let fail = |e: rusqlite::Error| open_error(&path, &e);
        // Before any statement, so that every one below waits for a concurrent opener.
        connection.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
        // synchronous = NORMAL is durable enough in WAL mode (a power cut may lose the last
        // transactions, never consistency). Checkpointing every 8192 pages (32 MiB) instead of
        // SQLite's 1000 cuts the fsyncs of a bulk import several-fold.
        connection
            .execute_batch(
                "PRAGMA foreign_keys = ON;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA wal_autocheckpoint = 8192;",
            )
            .map_err(fail)?;
        switch_to_wal(&connection).map_err(fail)?;
        connection.set_prepared_statement_cache_capacity(64);
        let default_athlete = migrate_connection(&mut connection, &path, MIGRATIONS)?;
        Ok(SqlStore {
            backend: SqliteBackend {
                connection: Mutex::new(connection),
                path,
            },
            default_athlete,
        })
    }

    /// Where the database is (`:memory:` for an in-memory one).
    pub fn path(&self) -> &str {
        &self.backend.path
    }
}

impl SqliteBackend {
    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock dropped its transaction, which rolled back: the
        // connection is still in a clean state.
        self.connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Backend for SqliteBackend {
    fn with_connection<T>(
        &self,
        _context: &'static str,
        work: impl FnOnce(&mut dyn Exec) -> StoreResult<T>,
    ) -> StoreResult<T> {
        work(&mut SqliteExec(&self.lock()))
    }

    fn transaction<T>(
        &self,
        context: &'static str,
        work: impl FnOnce(&mut dyn Exec) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut connection = self.lock();
        let tx = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| driver_error(&e).into_store(context))?;
        let value = work(&mut SqliteExec(&tx))?;
        tx.commit()
            .map_err(|e| driver_error(&e).into_store(context))?;
        Ok(value)
    }
}

/// Applies pending `migrations` in one immediate transaction and returns the default athlete.
fn migrate_connection(
    connection: &mut Connection,
    path: &str,
    migrations: &[(u32, &str)],
) -> StoreResult<crate::AthleteId> {
    let fail = |e: rusqlite::Error| open_error(path, &e);
    let tx = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(fail)?;
    let athlete = migrate(&mut SqliteExec(&tx), path, migrations, None)?;
    tx.commit().map_err(fail)?;
    Ok(athlete)
}

/// A connection (or a transaction, which derefs to one) running the [`sql`](crate::sql)
/// layer's statements through its prepared-statement cache.
struct SqliteExec<'c>(&'c Connection);

/// How `rusqlite` binds a [`Value`]: NaN becomes `NULL` in SQLite itself, booleans 0/1.
struct Bind<'v>(Value<'v>);

impl rusqlite::ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self.0 {
            Value::Null => ValueRef::Null,
            Value::Int(v) => ValueRef::Integer(v),
            Value::Real(v) => ValueRef::Real(v),
            Value::Bool(v) => ValueRef::Integer(i64::from(v)),
            Value::Text(v) => ValueRef::Text(v.as_bytes()),
            Value::Blob(v) => ValueRef::Blob(v),
        }))
    }
}

fn bind<'v>(params: &[Value<'v>]) -> impl rusqlite::Params + use<'v> {
    rusqlite::params_from_iter(params.iter().copied().map(Bind).collect::<Vec<_>>())
}

impl Exec for SqliteExec<'_> {
    fn execute(&mut self, sql: &'static str, params: &[Value<'_>]) -> Result<u64, DbError> {
        let changed = self
            .0
            .prepare_cached(sql)
            .and_then(|mut stmt| stmt.execute(bind(params)))
            .map_err(|e| driver_error(&e))?;
        Ok(u64::try_from(changed).unwrap_or(u64::MAX))
    }

    fn query(
        &mut self,
        sql: &'static str,
        params: &[Value<'_>],
        each: &mut dyn FnMut(&dyn SqlRow) -> Result<(), DbError>,
    ) -> Result<(), DbError> {
        let mut stmt = self.0.prepare_cached(sql).map_err(|e| driver_error(&e))?;
        let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
        let mut rows = stmt.query(bind(params)).map_err(|e| driver_error(&e))?;
        let hint = HintCell::new(0);
        while let Some(row) = rows.next().map_err(|e| driver_error(&e))? {
            each(&SqliteRow {
                row,
                names: &names,
                hint: &hint,
            })?;
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.0.execute_batch(sql).map_err(|e| driver_error(&e))
    }
}

/// A row with its statement's column names, read by name.
struct SqliteRow<'r, 's> {
    row: &'r rusqlite::Row<'s>,
    names: &'r [String],
    hint: &'r HintCell<usize>,
}

impl SqlRow for SqliteRow<'_, '_> {
    fn cell(&self, name: &str) -> Result<Cell<'_>, DbError> {
        let index = find_column(
            self.names.len(),
            |i| self.names[i].as_str(),
            self.hint,
            name,
        )
        .ok_or_else(|| DbError::new(DbErrorKind::Other, format!("no column {name}")))?;
        let value = self.row.get_ref(index).map_err(|e| driver_error(&e))?;
        Ok(match value {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(v) => Cell::Int(v),
            ValueRef::Real(v) => Cell::Real(v),
            ValueRef::Text(v) => {
                Cell::Text(std::str::from_utf8(v).map_err(|e| {
                    DbError::corrupt(format!("column {name} is not UTF-8 text: {e}"))
                })?)
            }
            ValueRef::Blob(v) => Cell::Blob(v),
        })
    }
}

/// What a `rusqlite` error means for the store.
fn driver_error(error: &rusqlite::Error) -> DbError {
    let kind = match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => DbErrorKind::Busy,
        Some(ErrorCode::ConstraintViolation) => DbErrorKind::Constraint,
        _ => match error {
            rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)
            | rusqlite::Error::InvalidColumnType(..) => DbErrorKind::Corrupt,
            _ => DbErrorKind::Other,
        },
    };
    DbError::new(kind, error.to_string())
}

/// Switches the database to the WAL journal (an in-memory database stays in memory mode: WAL
/// only applies to files).
///
/// Several programs may open a new file at the same moment (two imports started together).
/// Switching a new file to WAL writes its header: each opener first reads it, then asks to
/// write, and SQLite refuses all but one at once with "database is locked" — without waiting
/// for the busy timeout, since the readers would otherwise wait for each other for ever. So
/// a refusal here is retried, with short growing pauses, until [`BUSY_TIMEOUT`]: the first
/// opener's switch takes milliseconds, after which the file is in WAL mode and the others'
/// switches only read it.
fn switch_to_wal(connection: &Connection) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    let mut pause = Duration::from_millis(1);
    loop {
        match connection.query_row("PRAGMA journal_mode = WAL", [], |row| {
            row.get::<_, String>(0)
        }) {
            Ok(_mode) => return Ok(()),
            Err(error)
                if error.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(error) => return Err(error),
        }
    }
}

fn open_error(path: &str, error: &rusqlite::Error) -> StoreError {
    match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
        Some(ErrorCode::NotADatabase) => StoreError::Open {
            path: path.to_owned(),
            reason: "the file is not a Fettle (SQLite) database".to_owned(),
        },
        _ => StoreError::Open {
            path: path.to_owned(),
            reason: error.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fettle_formats::Sport;

    fn plan(store: &SqliteStore, sql: &str) -> String {
        let connection = store.backend.lock();
        let mut stmt = connection
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("explain");
        let rows = stmt
            .query_map([], |row| row.get::<_, String>(3))
            .expect("plan rows");
        rows.map(|r| r.expect("plan row"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Connections switching one new file to WAL at the same moment: SQLite refuses all but
    /// one at once, whatever the busy timeout (before the retry, 4 threads × 200 rounds gave 1
    /// to 4 "database is locked"); with the retry every switch succeeds and the file is WAL.
    #[test]
    fn concurrent_wal_switches_of_a_new_file_all_succeed() {
        const OPENERS: usize = 8;
        for round in 0..100 {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("new.sqlite");
            let barrier = std::sync::Barrier::new(OPENERS);
            std::thread::scope(|scope| {
                let openers: Vec<_> = (0..OPENERS)
                    .map(|_| {
                        scope.spawn(|| {
                            let connection = Connection::open(&path).expect("open");
                            connection.busy_timeout(BUSY_TIMEOUT).expect("timeout");
                            barrier.wait();
                            switch_to_wal(&connection)
                        })
                    })
                    .collect();
                for opener in openers {
                    let switched = opener.join().expect("no panic");
                    assert!(switched.is_ok(), "round {round}: {switched:?}");
                }
            });
            let connection = Connection::open(&path).expect("reopen");
            let mode: String = connection
                .query_row("PRAGMA journal_mode", [], |row| row.get(0))
                .expect("mode");
            assert_eq!(mode, "wal");
        }
    }

    #[test]
    fn schema_version_is_the_last_migration() {
        assert_eq!(MIGRATIONS.last().map(|m| m.0), Some(SCHEMA_VERSION));
        let numbers: Vec<u32> = MIGRATIONS.iter().map(|m| m.0).collect();
        let expected: Vec<u32> = (1..=SCHEMA_VERSION).collect();
        assert_eq!(
            numbers, expected,
            "migrations are numbered 1, 2, 3 … without gaps"
        );
    }

    #[test]
    fn a_failing_migration_leaves_the_database_at_its_previous_version() {
        let mut connection = Connection::open_in_memory().expect("open");
        migrate_connection(&mut connection, "test.db", MIGRATIONS).expect("schema 1");
        let broken: Vec<(u32, &str)> = MIGRATIONS
            .iter()
            .copied()
            .chain([(
                SCHEMA_VERSION + 1,
                "CREATE TABLE half_done (x INTEGER); SELECT * FROM no_such_table;",
            )])
            .collect();
        let error =
            migrate_connection(&mut connection, "test.db", &broken).expect_err("broken migration");
        assert!(
            matches!(error, StoreError::Migration { version, .. } if version == SCHEMA_VERSION + 1),
            "{error:?}"
        );
        let version: u32 = connection
            .query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, SCHEMA_VERSION);
        let half_done: i64 = connection
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done'",
                [],
                |r| r.get(0),
            )
            .expect("lookup");
        assert_eq!(
            half_done, 0,
            "the failed migration's first statement was rolled back"
        );
    }

    #[test]
    fn daily_series_scan_reads_only_the_covering_index_in_order() {
        let store = SqliteStore::open_in_memory().expect("open");
        let plan = plan(
            &store,
            "SELECT activity_id, start_ms, utc_offset_s, timer_s, distance_m, load, sport
             FROM activities WHERE athlete_id = 1 ORDER BY start_ms, activity_id",
        );
        assert!(
            plan.contains("COVERING INDEX activities_by_start"),
            "{plan}"
        );
        assert!(!plan.contains("TEMP B-TREE"), "no sort step: {plan}");
    }

    #[test]
    fn duplicate_candidates_are_found_through_the_start_index() {
        let store = SqliteStore::open_in_memory().expect("open");
        let plan = plan(
            &store,
            "SELECT activity_id, sport, start_ms, elapsed_s, distance_m FROM activities
             WHERE athlete_id = 1 AND file_id IS NOT NULL AND start_ms BETWEEN 0 AND 10",
        );
        assert!(plan.contains("INDEX activities_by_start"), "{plan}");
        assert!(plan.contains("start_ms>? AND start_ms<?"), "{plan}");
    }

    /// A page of the activity list, cursor or not, is a seek on `activities_by_start` read
    /// backwards: no scan of the table and no sort, so page 28 costs what page 1 costs.
    #[test]
    fn activity_pages_seek_the_start_index_without_sorting() {
        let store = SqliteStore::open_in_memory().expect("open");
        let sql = crate::sql::store::LIST_ACTIVITIES
            .replace("?1", "1")
            .replace("?2", "0")
            .replace("?3", "9000000000000")
            .replace("?4", "NULL")
            .replace("?5", "100")
            .replace("?6", "0")
            .replace("?7", "1772434800000")
            .replace("?8", "42");
        let plan = plan(&store, &sql);
        assert!(plan.contains("USING INDEX activities_by_start"), "{plan}");
        assert!(plan.contains("(athlete_id=? AND"), "{plan}");
        assert!(!plan.contains("SCAN"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "no sort step: {plan}");
    }

    #[test]
    fn coach_access_is_three_key_lookups_without_a_scan() {
        let store = SqliteStore::open_in_memory().expect("open");
        // The plan does not depend on the values: bind literals in place of ?1 and ?2.
        let sql = crate::sql::accounts::COACH_SEES
            .replace("?1", "1")
            .replace("?2", "2");
        let plan = plan(&store, &sql);
        assert!(!plan.contains("SCAN"), "{plan}");
        assert!(plan.contains("(athlete_id=?)"), "{plan}");
        assert!(plan.contains("(coach_id=? AND email=?)"), "{plan}");
    }

    #[test]
    fn a_schema_1_database_is_upgraded_with_its_data() {
        let mut connection = Connection::open_in_memory().expect("open");
        let athlete =
            migrate_connection(&mut connection, "test.db", &MIGRATIONS[..1]).expect("schema 1");
        connection
            .execute(
                "INSERT INTO settings (athlete_id, key, value) VALUES (?1, 'units', 'metric')",
                [athlete.0],
            )
            .expect("data in schema 1");
        assert_eq!(
            migrate_connection(&mut connection, "test.db", MIGRATIONS).expect("upgrade"),
            athlete
        );
        let (version, users, units): (u32, i64, String) = connection
            .query_row(
                "SELECT (SELECT MAX(version) FROM schema_version), (SELECT COUNT(*) FROM users),
                     (SELECT value FROM settings WHERE key = 'units')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("state");
        assert_eq!(
            (version, users, units.as_str()),
            (SCHEMA_VERSION, 0, "metric")
        );
    }

    /// Opening an up-to-date database reads it and writes nothing: no commit, no fsync on
    /// every `fettle status` (an `ON CONFLICT DO NOTHING` insert of the default athlete used
    /// to bump the AUTOINCREMENT counter on each open).
    #[test]
    fn opening_an_up_to_date_database_writes_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("fettle.sqlite");
        drop(SqliteStore::open(&path).expect("create"));
        // Held open so the write-ahead log stays: any commit would add frames to it.
        let witness = Connection::open(&path).expect("witness");
        witness
            .query_row("SELECT COUNT(*) FROM athletes", [], |r| r.get::<_, i64>(0))
            .expect("read");
        let wal = dir.path().join("fettle.sqlite-wal");
        let before = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        for _ in 0..3 {
            drop(SqliteStore::open(&path).expect("reopen"));
        }
        let after = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        assert_eq!(before, after, "the log grew: an open wrote to the database");
    }

    /// Schema 4 moves each load method's value from its column into `loads_json`: the values
    /// a schema 3 database holds come through, a missing one stays missing.
    #[test]
    fn a_schema_3_database_keeps_its_loads_as_method_values() {
        let mut connection = Connection::open_in_memory().expect("open");
        let athlete =
            migrate_connection(&mut connection, "test.db", &MIGRATIONS[..3]).expect("schema 3");
        connection
            .execute(
                "INSERT INTO activities (athlete_id, source, start_ms, end_ms, sport, elapsed_s,
                     timer_s, sample_count, lap_count, load_trimp, load_srpe, load_hrtss, load,
                     load_method)
                 VALUES (?1, 'a.fit', 0, 3600000, 'running', 3600, 3600, 0, 0, 95.53333333333333, NULL,
                     55.5, 55.5, 'hrtss')",
                [athlete.0],
            )
            .expect("an activity with loads in schema 3");
        migrate_connection(&mut connection, "test.db", MIGRATIONS).expect("upgrade");
        let json: String = connection
            .query_row("SELECT loads_json FROM activities", [], |r| r.get(0))
            .expect("loads");
        let methods: std::collections::BTreeMap<String, f64> =
            serde_json::from_str(&json).expect("a JSON map");
        let expected: std::collections::BTreeMap<String, f64> = [
            ("hrtss".to_owned(), 55.5),
            ("trimp".to_owned(), 95.533_333_333_333_33),
        ]
        .into();
        assert_eq!(methods, expected);
    }

    #[test]
    fn stored_sport_names_read_back_as_the_same_sport() {
        for sport in [
            Sport::Running,
            Sport::Cycling,
            Sport::Swimming,
            Sport::Walking,
            Sport::Hiking,
            Sport::Transition,
            Sport::FitnessEquipment,
            Sport::Training,
            Sport::Generic,
            Sport::Other("Stand Up Paddling".to_owned()),
        ] {
            assert_eq!(crate::sql::store::sport_from_db(sport.as_str()), sport);
        }
    }
}
