//! The embedded SQLite backend: one database file, WAL journal, foreign keys, a busy timeout, and
//! numbered migrations applied in a transaction when the file is opened.
//!
//! One connection behind a mutex serves every caller: SQLite has a single writer anyway, and the
//! expensive, parallelisable part of an import (encoding the sample blobs) runs before the lock
//! is taken, so importers on several threads still overlap their work.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use fettle_core::log::{RaceResult, RecoveryEntry, RecoveryMethod, WellnessEntry};
use fettle_formats::{Activity, Lap, Sport, Streams};
use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{
    Connection, ErrorCode, OptionalExtension, Row, Transaction, TransactionBehavior, params,
};

use crate::blob;
use crate::dedup::{self, DuplicateKey};
use crate::error::{StoreError, StoreResult};
use crate::model::{
    ActivityEdit, ActivityFilter, ActivityId, ActivityLoads, ActivityOutcome, ActivitySummary,
    AthleteId, ContentHash, Counts, FileId, FileOutcome, LoadRow, NewActivity, NewFile,
    ProfileValue, RaceId, RecoveryId, StoredActivity, StoredRace, StoredRecovery, StringSet,
};
use crate::store::Store;
use crate::text;

mod accounts;

/// The numbered migrations, in order. Never edit a released one: add the next.
const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_initial.sql")),
    (2, include_str!("../migrations/sqlite/0002_accounts.sql")),
    (3, include_str!("../migrations/sqlite/0003_corrections.sql")),
];

/// The schema version this program writes (the last migration's number).
pub const SCHEMA_VERSION: u32 = 3;

/// How long a statement waits for another process's lock before failing with
/// [`StoreError::Busy`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The name of the athlete created on first open for single-user local mode.
pub const DEFAULT_ATHLETE_NAME: &str = "default";

/// The source recorded for activities entered by hand.
pub const MANUAL_SOURCE: &str = "manual";

/// The embedded SQLite [`Store`].
pub struct SqliteStore {
    connection: Mutex<Connection>,
    path: String,
    default_athlete: AthleteId,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
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
        let default_athlete = migrate(&mut connection, &path, MIGRATIONS)?;
        Ok(SqliteStore {
            connection: Mutex::new(connection),
            path,
            default_athlete,
        })
    }

    /// Where the database is (`:memory:` for an in-memory one).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> StoreResult<u32> {
        self.lock()
            .query_row("SELECT MAX(version) FROM schema_version", [], |row| {
                row.get(0)
            })
            .map_err(db("reading the schema version"))
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock dropped its transaction, which rolled back: the
        // connection is still in a clean state.
        self.connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write<T>(
        &self,
        context: &'static str,
        athlete: AthleteId,
        work: impl FnOnce(&Transaction<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut connection = self.lock();
        let tx = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db(context))?;
        ensure_athlete(&tx, athlete)?;
        let value = work(&tx)?;
        tx.commit().map_err(db(context))?;
        Ok(value)
    }
}

/// Applies pending `migrations` (numbered, in order) in one transaction and returns the default
/// athlete.
fn migrate(
    connection: &mut Connection,
    path: &str,
    migrations: &[(u32, &str)],
) -> StoreResult<AthleteId> {
    let supported = migrations.last().map_or(0, |&(version, _)| version);
    let fail = |e: rusqlite::Error| open_error(path, &e);
    let tx = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(fail)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_version (
             version    INTEGER PRIMARY KEY,
             applied_ms BIGINT NOT NULL
         )",
    )
    .map_err(fail)?;
    let current: u32 = tx
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_version",
            [],
            |row| row.get(0),
        )
        .map_err(fail)?;
    if current > supported {
        return Err(StoreError::NewerSchema {
            path: path.to_owned(),
            found: current,
            supported,
        });
    }
    let now = now_ms();
    for &(version, sql) in migrations.iter().filter(|(v, _)| *v > current) {
        let migration_error = |e: rusqlite::Error| StoreError::Migration {
            path: path.to_owned(),
            version,
            reason: e.to_string(),
        };
        tx.execute_batch(sql).map_err(migration_error)?;
        tx.execute(
            "INSERT INTO schema_version (version, applied_ms) VALUES (?1, ?2)",
            params![version, now],
        )
        .map_err(migration_error)?;
    }
    tx.execute(
        "INSERT INTO athletes (name, created_ms) SELECT ?1, ?2
         WHERE NOT EXISTS (SELECT 1 FROM athletes WHERE name = ?1)",
        params![DEFAULT_ATHLETE_NAME, now],
    )
    .map_err(fail)?;
    let athlete = tx
        .query_row(
            "SELECT athlete_id FROM athletes WHERE name = ?1",
            [DEFAULT_ATHLETE_NAME],
            |row| row.get(0),
        )
        .map_err(fail)?;
    tx.commit().map_err(fail)?;
    Ok(AthleteId(athlete))
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

/// Maps a database error met while doing `context`.
fn db(context: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |error| match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
        _ => StoreError::Backend {
            context,
            reason: error.to_string(),
        },
    }
}

fn is_constraint(error: &rusqlite::Error) -> bool {
    error.sqlite_error_code() == Some(ErrorCode::ConstraintViolation)
}

pub(crate) fn now_ms() -> i64 {
    Timestamp::now().as_millisecond()
}

fn ensure_athlete(tx: &Transaction<'_>, athlete: AthleteId) -> StoreResult<()> {
    let exists = tx
        .prepare_cached("SELECT 1 FROM athletes WHERE athlete_id = ?1")
        .and_then(|mut stmt| stmt.exists([athlete.0]))
        .map_err(db("looking up the athlete"))?;
    if exists {
        Ok(())
    } else {
        Err(StoreError::UnknownAthlete(athlete))
    }
}

/// Checks an activity's scalar values before it is written.
pub(crate) fn check_activity(activity: &Activity) -> Result<(), String> {
    let non_negative = |name: &str, value: f64| {
        if value.is_finite() && value >= 0.0 {
            Ok(())
        } else {
            Err(format!("{name} is {value}, it must be a number ≥ 0"))
        }
    };
    non_negative("elapsed_s", activity.elapsed_s)?;
    non_negative("timer_s", activity.timer_s)?;
    if let Some(distance) = activity.distance_m.filter(|d| !d.is_nan()) {
        non_negative("distance_m", distance)?;
    }
    if let Some(rpe) = activity.perceived_exertion.filter(|r| !r.is_nan())
        && !(0.0..=10.0).contains(&rpe)
    {
        return Err(format!(
            "perceived_exertion is {rpe}, it must be within 0–10"
        ));
    }
    Ok(())
}

#[allow(clippy::cast_possible_truncation)] // checked finite and non-negative before
pub(crate) fn end_ms(start_ms: i64, elapsed_s: f64) -> i64 {
    if elapsed_s.is_finite() {
        start_ms.saturating_add((elapsed_s * 1000.0).round() as i64)
    } else {
        start_ms
    }
}

/// Inserts an activity summary row and its laps; returns its id.
fn insert_activity(
    tx: &Transaction<'_>,
    athlete: AthleteId,
    file_id: Option<FileId>,
    source: &str,
    activity: &Activity,
    with_details: bool,
) -> rusqlite::Result<ActivityId> {
    let start_ms = activity.start.as_millisecond();
    let (sample_count, lap_count) = if with_details {
        (activity.streams.len(), activity.laps.len())
    } else {
        (0, 0)
    };
    tx.prepare_cached(
        "INSERT INTO activities (athlete_id, file_id, source, session_index, start_ms, end_ms,
             utc_offset_s, sport, sub_sport, name, description, perceived_exertion, elapsed_s,
             timer_s, distance_m, ascent_m, descent_m, avg_hr, max_hr, avg_cadence, avg_power_w,
             device, sample_count, lap_count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
             ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
    )?
    .execute(params![
        athlete.0,
        file_id.map(|f| f.0),
        source,
        activity.session_index,
        start_ms,
        end_ms(start_ms, activity.elapsed_s),
        activity.utc_offset_s,
        activity.sport.as_str(),
        activity.sub_sport,
        activity.name,
        activity.description,
        activity.perceived_exertion,
        activity.elapsed_s,
        activity.timer_s,
        activity.distance_m,
        activity.ascent_m,
        activity.descent_m,
        activity.avg_hr,
        activity.max_hr,
        activity.avg_cadence,
        activity.avg_power_w,
        activity.device,
        i64::try_from(sample_count).unwrap_or(i64::MAX),
        i64::try_from(lap_count).unwrap_or(i64::MAX),
    ])?;
    let id = ActivityId(tx.last_insert_rowid());
    if with_details {
        let mut insert_lap = tx.prepare_cached(
            "INSERT INTO laps (athlete_id, activity_id, lap_index, start_ms, elapsed_s, timer_s,
                 distance_m, avg_hr, max_hr, avg_speed_mps, avg_cadence, avg_power_w, ascent_m,
                 descent_m)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?;
        for (index, lap) in activity.laps.iter().enumerate() {
            insert_lap.execute(params![
                athlete.0,
                id.0,
                i64::try_from(index).unwrap_or(i64::MAX),
                lap.start.as_millisecond(),
                lap.elapsed_s,
                lap.timer_s,
                lap.distance_m,
                lap.avg_hr,
                lap.max_hr,
                lap.avg_speed_mps,
                lap.avg_cadence,
                lap.avg_power_w,
                lap.ascent_m,
                lap.descent_m,
            ])?;
        }
    }
    Ok(id)
}

/// The stored, file-imported activity `activity` duplicates, if any (closest start wins).
fn find_duplicate(
    tx: &Transaction<'_>,
    athlete: AthleteId,
    activity: &Activity,
) -> rusqlite::Result<Option<ActivityId>> {
    let start_ms = activity.start.as_millisecond();
    let window = dedup::candidate_window_ms(activity.elapsed_s);
    let new = DuplicateKey {
        sport: activity.sport.as_str(),
        start_ms,
        elapsed_s: activity.elapsed_s,
        distance_m: activity.distance_m,
    };
    let mut stmt = tx.prepare_cached(
        "SELECT activity_id, sport, start_ms, elapsed_s, distance_m FROM activities
         WHERE athlete_id = ?1 AND file_id IS NOT NULL AND start_ms BETWEEN ?2 AND ?3",
    )?;
    let mut rows = stmt.query(params![
        athlete.0,
        start_ms.saturating_sub(window),
        start_ms.saturating_add(window)
    ])?;
    let mut best: Option<(i64, ActivityId)> = None;
    while let Some(row) = rows.next()? {
        let stored = DuplicateKey {
            sport: row.get_ref(1)?.as_str()?,
            start_ms: row.get(2)?,
            elapsed_s: row.get(3)?,
            distance_m: row.get(4)?,
        };
        if dedup::is_duplicate(&new, &stored) {
            let gap = (stored.start_ms - start_ms).abs();
            if best.is_none_or(|(best_gap, _)| gap < best_gap) {
                best = Some((gap, ActivityId(row.get(0)?)));
            }
        }
    }
    Ok(best.map(|(_, id)| id))
}

/// The sport stored under its stable name.
pub(crate) fn sport_from_db(name: &str) -> Sport {
    match name {
        "running" => Sport::Running,
        "cycling" => Sport::Cycling,
        "swimming" => Sport::Swimming,
        "walking" => Sport::Walking,
        "hiking" => Sport::Hiking,
        "transition" => Sport::Transition,
        "fitness_equipment" => Sport::FitnessEquipment,
        "training" => Sport::Training,
        "generic" => Sport::Generic,
        other => Sport::Other(other.to_owned()),
    }
}

fn timestamp(ms: i64, column: usize) -> rusqlite::Result<Timestamp> {
    Timestamp::from_millisecond(ms).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Integer, e.into())
    })
}

fn date(text: &str, column: usize) -> rusqlite::Result<Date> {
    text.parse().map_err(|e: jiff::Error| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, e.into())
    })
}

const SUMMARY_COLUMNS: &str = "activity_id, file_id, source, session_index, start_ms,
    utc_offset_s, sport, sub_sport, name, description, perceived_exertion, elapsed_s, timer_s,
    distance_m, ascent_m, descent_m, avg_hr, max_hr, avg_cadence, avg_power_w, device,
    sample_count, lap_count, rpe, load_trimp, load_edwards, load_srpe, load_rtss, load_hrtss,
    load, load_method, metrics_json, notes, exclude_from_load";

fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<ActivitySummary> {
    let load: Option<f64> = row.get(29)?;
    let method: Option<String> = row.get(30)?;
    let loads = match (load, method) {
        (Some(load), Some(method)) => Some(ActivityLoads {
            trimp: row.get(24)?,
            edwards: row.get(25)?,
            srpe: row.get(26)?,
            rtss: row.get(27)?,
            hrtss: row.get(28)?,
            load,
            method,
        }),
        _ => None,
    };
    Ok(ActivitySummary {
        id: ActivityId(row.get(0)?),
        file_id: row.get::<_, Option<i64>>(1)?.map(FileId),
        source: row.get(2)?,
        session_index: row.get(3)?,
        start: timestamp(row.get(4)?, 4)?,
        utc_offset_s: row.get(5)?,
        sport: sport_from_db(row.get_ref(6)?.as_str()?),
        sub_sport: row.get(7)?,
        name: row.get(8)?,
        description: row.get(9)?,
        perceived_exertion: row.get(10)?,
        elapsed_s: row.get(11)?,
        timer_s: row.get(12)?,
        distance_m: row.get(13)?,
        ascent_m: row.get(14)?,
        descent_m: row.get(15)?,
        avg_hr: row.get(16)?,
        max_hr: row.get(17)?,
        avg_cadence: row.get(18)?,
        avg_power_w: row.get(19)?,
        device: row.get(20)?,
        sample_count: u64::try_from(row.get::<_, i64>(21)?).unwrap_or(0),
        lap_count: row.get(22)?,
        rpe: row.get(23)?,
        loads,
        metrics_json: row.get(31)?,
        notes: row.get(32)?,
        exclude_from_load: row.get::<_, i64>(33)? != 0,
    })
}

fn lap_from_row(row: &Row<'_>) -> rusqlite::Result<Lap> {
    Ok(Lap {
        start: timestamp(row.get(0)?, 0)?,
        elapsed_s: row.get(1)?,
        timer_s: row.get(2)?,
        distance_m: row.get(3)?,
        avg_hr: row.get(4)?,
        max_hr: row.get(5)?,
        avg_speed_mps: row.get(6)?,
        avg_cadence: row.get(7)?,
        avg_power_w: row.get(8)?,
        ascent_m: row.get(9)?,
        descent_m: row.get(10)?,
    })
}

fn wellness_from_row(row: &Row<'_>) -> rusqlite::Result<WellnessEntry> {
    Ok(WellnessEntry {
        date: Some(date(row.get_ref(0)?.as_str()?, 0)?),
        sleep_h: row.get(1)?,
        sleep_quality: row.get(2)?,
        soreness: row.get(3)?,
        fatigue: row.get(4)?,
        stress: row.get(5)?,
        mood: row.get(6)?,
        rmssd_ms: row.get(7)?,
        rest_hr: row.get(8)?,
        mass_kg: row.get(9)?,
        sick: row.get::<_, i64>(10)? != 0,
        injured: row.get::<_, i64>(11)? != 0,
        source: row.get(12)?,
    })
}

fn recovery_from_row(row: &Row<'_>) -> rusqlite::Result<StoredRecovery> {
    let conversion = |column: usize, message: String| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            message.into(),
        )
    };
    let method_name = row.get_ref(1)?.as_str()?;
    let method = RecoveryMethod::parse(method_name)
        .ok_or_else(|| conversion(1, format!("unknown recovery method `{method_name}`")))?;
    let zones: Vec<String> = serde_json::from_str(row.get_ref(5)?.as_str()?)
        .map_err(|e| conversion(5, format!("zones are not a JSON list of strings: {e}")))?;
    Ok(StoredRecovery {
        id: RecoveryId(row.get(0)?),
        entry: RecoveryEntry {
            method,
            at: timestamp(row.get(2)?, 2)?,
            minutes: row.get(3)?,
            temp_c: row.get(4)?,
            zones,
            carbs_g: row.get(6)?,
            protein_g: row.get(7)?,
            note: row.get(8)?,
        },
    })
}

/// Maps errors of reads, telling damaged rows apart from engine failures.
fn read(context: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |error| match error {
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::IntegralValueOutOfRange(..)
        | rusqlite::Error::InvalidColumnType(..) => {
            StoreError::Corrupt(format!("while {context}: {error}"))
        }
        other => db(context)(other),
    }
}

impl Store for SqliteStore {
    fn default_athlete(&self) -> StoreResult<AthleteId> {
        Ok(self.default_athlete)
    }

    fn create_athlete(&self, name: &str) -> StoreResult<AthleteId> {
        text::check("athlete name", name)?;
        if name.trim().is_empty() {
            return Err(StoreError::Invalid(
                "an athlete needs a non-empty name".to_owned(),
            ));
        }
        let mut connection = self.lock();
        let tx = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db("creating an athlete"))?;
        tx.execute(
            "INSERT INTO athletes (name, created_ms) SELECT ?1, ?2
             WHERE NOT EXISTS (SELECT 1 FROM athletes WHERE name = ?1)",
            params![name, now_ms()],
        )
        .map_err(db("creating an athlete"))?;
        let id = tx
            .query_row(
                "SELECT athlete_id FROM athletes WHERE name = ?1",
                [name],
                |row| row.get(0),
            )
            .map_err(db("creating an athlete"))?;
        tx.commit().map_err(db("creating an athlete"))?;
        Ok(AthleteId(id))
    }

    fn is_file_imported(&self, athlete: AthleteId, hash: ContentHash) -> StoreResult<bool> {
        self.lock()
            .prepare_cached("SELECT 1 FROM files WHERE athlete_id = ?1 AND content_hash = ?2")
            .and_then(|mut stmt| stmt.exists(params![athlete.0, hash.to_hex()]))
            .map_err(db("looking up a file"))
    }

    fn import_file(
        &self,
        athlete: AthleteId,
        file: &NewFile,
        activities: &[NewActivity<'_>],
    ) -> StoreResult<FileOutcome> {
        text::check("file name", &file.source)?;
        let invalid = |index: usize, reason: String| StoreError::InvalidActivity {
            file: file.source.clone(),
            index,
            reason,
        };
        // Encode the blobs before taking the lock: this is the costly part, and it can run on
        // several threads at once.
        let blobs = blob::encode_file(file, activities)?;
        let hash = file.content_hash.to_hex();
        let context = "importing a file";
        self.write(context, athlete, |tx| {
            let earlier = tx
                .prepare_cached(
                    "SELECT file_id FROM files WHERE athlete_id = ?1 AND content_hash = ?2",
                )
                .and_then(|mut stmt| {
                    stmt.query_row(params![athlete.0, hash], |row| row.get(0))
                        .optional()
                })
                .map_err(db(context))?;
            if let Some(file_id) = earlier {
                return Ok(FileOutcome::AlreadyImported {
                    file_id: FileId(file_id),
                });
            }
            tx.prepare_cached(
                "INSERT INTO files (athlete_id, content_hash, source, size_bytes, imported_ms,
                     activities_inserted, activities_duplicate)
                 VALUES (?1, ?2, ?3, ?4, ?5, 0, 0)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    athlete.0,
                    hash,
                    file.source,
                    i64::try_from(file.size_bytes).unwrap_or(i64::MAX),
                    now_ms()
                ])
            })
            .map_err(db(context))?;
            let file_id = FileId(tx.last_insert_rowid());

            let mut outcomes = Vec::with_capacity(activities.len());
            let (mut inserted, mut duplicates) = (0i64, 0i64);
            for (index, (new, blob)) in activities.iter().zip(&blobs).enumerate() {
                let activity = new.activity;
                check_activity(activity)
                    .and_then(|()| text::check_activity(activity, new.source))
                    .map_err(|reason| invalid(index, reason))?;
                if let Some(of) = find_duplicate(tx, athlete, activity).map_err(db(context))? {
                    duplicates += 1;
                    outcomes.push(ActivityOutcome::Duplicate { of });
                    continue;
                }
                let id = insert_activity(tx, athlete, Some(file_id), new.source, activity, true)
                    .map_err(|e| {
                        if is_constraint(&e) {
                            invalid(index, e.to_string())
                        } else {
                            db(context)(e)
                        }
                    })?;
                if let Some(blob) = blob {
                    tx.prepare_cached(
                        "INSERT INTO activity_samples (athlete_id, activity_id, samples)
                         VALUES (?1, ?2, ?3)",
                    )
                    .and_then(|mut stmt| stmt.execute(params![athlete.0, id.0, blob]))
                    .map_err(db(context))?;
                }
                inserted += 1;
                outcomes.push(ActivityOutcome::Inserted(id));
            }
            tx.prepare_cached(
                "UPDATE files SET activities_inserted = ?1, activities_duplicate = ?2
                 WHERE file_id = ?3",
            )
            .and_then(|mut stmt| stmt.execute(params![inserted, duplicates, file_id.0]))
            .map_err(db(context))?;
            Ok(FileOutcome::Imported {
                file_id,
                activities: outcomes,
            })
        })
    }

    fn insert_manual_activity(
        &self,
        athlete: AthleteId,
        activity: &Activity,
    ) -> StoreResult<ActivityId> {
        let invalid = |reason: String| StoreError::InvalidActivity {
            file: MANUAL_SOURCE.to_owned(),
            index: 0,
            reason,
        };
        check_activity(activity)
            .and_then(|()| text::check_activity(activity, MANUAL_SOURCE))
            .map_err(invalid)?;
        self.write("storing a manual activity", athlete, |tx| {
            insert_activity(tx, athlete, None, MANUAL_SOURCE, activity, false).map_err(|e| {
                if is_constraint(&e) {
                    invalid(e.to_string())
                } else {
                    db("storing a manual activity")(e)
                }
            })
        })
    }

    fn delete_activity(&self, athlete: AthleteId, id: ActivityId) -> StoreResult<bool> {
        match self.delete_activities(athlete, &[id]) {
            Ok(()) => Ok(true),
            Err(StoreError::ActivityNotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn set_activity_loads(
        &self,
        athlete: AthleteId,
        loads: &[(ActivityId, ActivityLoads)],
    ) -> StoreResult<()> {
        let context = "storing activity loads";
        for (_, l) in loads {
            if !l.load.is_finite() {
                return Err(StoreError::Invalid(format!(
                    "load {} ({}) is not a number: fix the load computation",
                    l.load, l.method
                )));
            }
        }
        self.write(context, athlete, |tx| {
            let mut stmt = tx
                .prepare_cached(
                    "UPDATE activities SET load_trimp = ?1, load_edwards = ?2, load_srpe = ?3,
                         load_rtss = ?4, load_hrtss = ?5, load = ?6, load_method = ?7
                     WHERE athlete_id = ?8 AND activity_id = ?9",
                )
                .map_err(db(context))?;
            for (id, l) in loads {
                let changed = stmt
                    .execute(params![
                        l.trimp, l.edwards, l.srpe, l.rtss, l.hrtss, l.load, l.method, athlete.0,
                        id.0
                    ])
                    .map_err(db(context))?;
                if changed == 0 {
                    return Err(StoreError::ActivityNotFound { athlete, id: *id });
                }
            }
            Ok(())
        })
    }

    fn set_activity_metrics(
        &self,
        athlete: AthleteId,
        metrics: &[(ActivityId, Option<String>)],
    ) -> StoreResult<()> {
        let context = "storing activity metrics";
        self.write(context, athlete, |tx| {
            let mut stmt = tx
                .prepare_cached(
                    "UPDATE activities SET metrics_json = ?1
                     WHERE athlete_id = ?2 AND activity_id = ?3",
                )
                .map_err(db(context))?;
            for (id, json) in metrics {
                let changed = stmt
                    .execute(params![json, athlete.0, id.0])
                    .map_err(db(context))?;
                if changed == 0 {
                    return Err(StoreError::ActivityNotFound { athlete, id: *id });
                }
            }
            Ok(())
        })
    }

    fn set_rpe(&self, athlete: AthleteId, id: ActivityId, rpe: Option<f64>) -> StoreResult<()> {
        if let Some(value) = rpe
            && !(0.0..=10.0).contains(&value)
        {
            return Err(StoreError::Invalid(format!(
                "RPE {value} is outside the 0–10 scale: give a value from 0 (rest) to 10 (maximal)"
            )));
        }
        let changed = self
            .lock()
            .execute(
                "UPDATE activities SET rpe = ?1 WHERE athlete_id = ?2 AND activity_id = ?3",
                params![rpe, athlete.0, id.0],
            )
            .map_err(db("storing an RPE"))?;
        if changed == 0 {
            return Err(StoreError::ActivityNotFound { athlete, id });
        }
        Ok(())
    }

    fn list_activities(
        &self,
        athlete: AthleteId,
        filter: &ActivityFilter,
    ) -> StoreResult<Vec<ActivitySummary>> {
        text::check_filter(filter)?;
        let context = "listing activities";
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM activities
             WHERE athlete_id = ?1 AND start_ms >= ?2 AND start_ms < ?3
               AND (?4 IS NULL OR sport = ?4)
             ORDER BY start_ms DESC, activity_id DESC
             LIMIT ?5 OFFSET ?6"
        );
        let connection = self.lock();
        let mut stmt = connection.prepare_cached(&sql).map_err(db(context))?;
        let rows = stmt
            .query_map(
                params![
                    athlete.0,
                    filter.from.map_or(i64::MIN, Timestamp::as_millisecond),
                    filter.to.map_or(i64::MAX, Timestamp::as_millisecond),
                    filter.sport.as_ref().map(Sport::as_str),
                    filter.limit.map_or(-1, i64::from),
                    filter.offset,
                ],
                summary_from_row,
            )
            .map_err(db(context))?;
        rows.collect::<Result<_, _>>().map_err(read(context))
    }

    fn get_activity(
        &self,
        athlete: AthleteId,
        id: ActivityId,
    ) -> StoreResult<Option<StoredActivity>> {
        let context = "reading an activity";
        let connection = self.lock();
        let summary = connection
            .prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM activities WHERE athlete_id = ?1 AND activity_id = ?2"
            ))
            .and_then(|mut stmt| {
                stmt.query_row(params![athlete.0, id.0], summary_from_row)
                    .optional()
            })
            .map_err(read(context))?;
        let Some(summary) = summary else {
            return Ok(None);
        };
        let laps = connection
            .prepare_cached(
                "SELECT start_ms, elapsed_s, timer_s, distance_m, avg_hr, max_hr, avg_speed_mps,
                     avg_cadence, avg_power_w, ascent_m, descent_m
                 FROM laps WHERE athlete_id = ?1 AND activity_id = ?2 ORDER BY lap_index",
            )
            .and_then(|mut stmt| {
                stmt.query_map(params![athlete.0, id.0], lap_from_row)?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(read(context))?;
        let samples: Option<Vec<u8>> = connection
            .prepare_cached(
                "SELECT samples FROM activity_samples WHERE athlete_id = ?1 AND activity_id = ?2",
            )
            .and_then(|mut stmt| {
                stmt.query_row(params![athlete.0, id.0], |row| row.get(0))
                    .optional()
            })
            .map_err(read(context))?;
        drop(connection);
        let (streams, rr_intervals_ms) = match samples {
            Some(bytes) => blob::decode(&bytes)
                .map_err(|e| StoreError::Corrupt(format!("samples of activity {id}: {e}")))?,
            None => (Streams::default(), Vec::new()),
        };
        Ok(Some(StoredActivity::from_parts(
            summary,
            laps,
            streams,
            rr_intervals_ms,
        )))
    }

    fn load_rows(&self, athlete: AthleteId) -> StoreResult<Vec<LoadRow>> {
        let context = "scanning activities";
        let connection = self.lock();
        let mut stmt = connection
            .prepare_cached(
                "SELECT activity_id, start_ms, utc_offset_s, timer_s, distance_m, load, sport
                 FROM activities WHERE athlete_id = ?1 AND exclude_from_load = 0
                 ORDER BY start_ms, activity_id",
            )
            .map_err(db(context))?;
        let rows = stmt
            .query_map([athlete.0], |row| {
                Ok(LoadRow {
                    id: ActivityId(row.get(0)?),
                    start: timestamp(row.get(1)?, 1)?,
                    utc_offset_s: row.get(2)?,
                    timer_s: row.get(3)?,
                    distance_m: row.get(4)?,
                    load: row.get(5)?,
                    sport: sport_from_db(row.get_ref(6)?.as_str()?),
                })
            })
            .map_err(db(context))?;
        rows.collect::<Result<_, _>>().map_err(read(context))
    }

    fn counts(&self, athlete: AthleteId) -> StoreResult<Counts> {
        let count = |value: i64| u64::try_from(value).unwrap_or(0);
        self.lock()
            .query_row(
                "SELECT
                     (SELECT COUNT(*) FROM activities WHERE athlete_id = ?1),
                     (SELECT COUNT(*) FROM activities WHERE athlete_id = ?1 AND load IS NOT NULL),
                     (SELECT COUNT(*) FROM files WHERE athlete_id = ?1),
                     (SELECT COALESCE(SUM(sample_count), 0) FROM activities WHERE athlete_id = ?1),
                     (SELECT COUNT(*) FROM wellness WHERE athlete_id = ?1),
                     (SELECT COUNT(*) FROM recovery WHERE athlete_id = ?1),
                     (SELECT COUNT(*) FROM races WHERE athlete_id = ?1)",
                [athlete.0],
                |row| {
                    Ok(Counts {
                        activities: count(row.get(0)?),
                        activities_with_loads: count(row.get(1)?),
                        files: count(row.get(2)?),
                        samples: count(row.get(3)?),
                        wellness_days: count(row.get(4)?),
                        recovery_entries: count(row.get(5)?),
                        races: count(row.get(6)?),
                    })
                },
            )
            .map_err(db("counting"))
    }

    fn set_profile_value(
        &self,
        athlete: AthleteId,
        key: &str,
        from: Date,
        value: &str,
    ) -> StoreResult<()> {
        text::check("profile key", key)?;
        text::check("profile value", value)?;
        let context = "storing a profile value";
        self.write(context, athlete, |tx| {
            tx.execute(
                "INSERT INTO profile_values (athlete_id, key, from_date, value)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (athlete_id, key, from_date) DO UPDATE SET value = excluded.value",
                params![athlete.0, key, from.to_string(), value],
            )
            .map_err(db(context))?;
            Ok(())
        })
    }

    fn profile_values(&self, athlete: AthleteId) -> StoreResult<Vec<ProfileValue>> {
        let context = "reading the profile";
        let connection = self.lock();
        let mut stmt = connection
            .prepare_cached(
                "SELECT key, from_date, value FROM profile_values WHERE athlete_id = ?1
                 ORDER BY key, from_date",
            )
            .map_err(db(context))?;
        let rows = stmt
            .query_map([athlete.0], |row| {
                Ok(ProfileValue {
                    key: row.get(0)?,
                    from: date(row.get_ref(1)?.as_str()?, 1)?,
                    value: row.get(2)?,
                })
            })
            .map_err(db(context))?;
        rows.collect::<Result<_, _>>().map_err(read(context))
    }

    fn add_race(&self, athlete: AthleteId, race: &RaceResult) -> StoreResult<RaceId> {
        text::check_race(race)?;
        let positive = |v: f64| v.is_finite() && v > 0.0;
        if !positive(race.distance_m) || !positive(race.time_s) {
            return Err(StoreError::Invalid(format!(
                "a race needs a positive distance and time (got {} m in {} s)",
                race.distance_m, race.time_s
            )));
        }
        let context = "storing a race";
        self.write(context, athlete, |tx| {
            tx.execute(
                "INSERT INTO races (athlete_id, race_date, distance_m, time_s, kind)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    athlete.0,
                    race.date.to_string(),
                    race.distance_m,
                    race.time_s,
                    race.kind
                ],
            )
            .map_err(db(context))?;
            Ok(RaceId(tx.last_insert_rowid()))
        })
    }

    fn races(&self, athlete: AthleteId) -> StoreResult<Vec<StoredRace>> {
        let context = "reading races";
        let connection = self.lock();
        let mut stmt = connection
            .prepare_cached(
                "SELECT race_id, race_date, distance_m, time_s, kind FROM races
                 WHERE athlete_id = ?1 ORDER BY race_date, race_id",
            )
            .map_err(db(context))?;
        let rows = stmt
            .query_map([athlete.0], |row| {
                Ok(StoredRace {
                    id: RaceId(row.get(0)?),
                    race: RaceResult {
                        date: date(row.get_ref(1)?.as_str()?, 1)?,
                        distance_m: row.get(2)?,
                        time_s: row.get(3)?,
                        kind: row.get(4)?,
                    },
                })
            })
            .map_err(db(context))?;
        rows.collect::<Result<_, _>>().map_err(read(context))
    }

    fn delete_race(&self, athlete: AthleteId, id: RaceId) -> StoreResult<bool> {
        let deleted = self
            .lock()
            .execute(
                "DELETE FROM races WHERE athlete_id = ?1 AND race_id = ?2",
                params![athlete.0, id.0],
            )
            .map_err(db("deleting a race"))?;
        Ok(deleted > 0)
    }

    fn upsert_wellness(&self, athlete: AthleteId, entry: &WellnessEntry) -> StoreResult<()> {
        text::check_wellness(entry)?;
        let Some(day) = entry.date else {
            return Err(StoreError::Invalid(
                "a wellness entry needs the date it describes: give one".to_owned(),
            ));
        };
        let context = "storing a wellness entry";
        self.write(context, athlete, |tx| {
            tx.execute(
                "INSERT INTO wellness (athlete_id, entry_date, sleep_h, sleep_quality, soreness,
                     fatigue, stress, mood, rmssd_ms, rest_hr, mass_kg, sick, injured, source)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                 ON CONFLICT (athlete_id, entry_date) DO UPDATE SET
                     sleep_h = COALESCE(excluded.sleep_h, wellness.sleep_h),
                     sleep_quality = COALESCE(excluded.sleep_quality, wellness.sleep_quality),
                     soreness = COALESCE(excluded.soreness, wellness.soreness),
                     fatigue = COALESCE(excluded.fatigue, wellness.fatigue),
                     stress = COALESCE(excluded.stress, wellness.stress),
                     mood = COALESCE(excluded.mood, wellness.mood),
                     rmssd_ms = COALESCE(excluded.rmssd_ms, wellness.rmssd_ms),
                     rest_hr = COALESCE(excluded.rest_hr, wellness.rest_hr),
                     mass_kg = COALESCE(excluded.mass_kg, wellness.mass_kg),
                     sick = CASE WHEN excluded.sick = 1 THEN 1 ELSE wellness.sick END,
                     injured = CASE WHEN excluded.injured = 1 THEN 1 ELSE wellness.injured END,
                     source = COALESCE(excluded.source, wellness.source)",
                params![
                    athlete.0,
                    day.to_string(),
                    entry.sleep_h,
                    entry.sleep_quality,
                    entry.soreness,
                    entry.fatigue,
                    entry.stress,
                    entry.mood,
                    entry.rmssd_ms,
                    entry.rest_hr,
                    entry.mass_kg,
                    i64::from(entry.sick),
                    i64::from(entry.injured),
                    entry.source,
                ],
            )
            .map_err(db(context))?;
            Ok(())
        })
    }

    fn wellness(
        &self,
        athlete: AthleteId,
        from: Date,
        to: Date,
    ) -> StoreResult<Vec<WellnessEntry>> {
        let context = "reading wellness entries";
        let connection = self.lock();
        let mut stmt = connection
            .prepare_cached(
                "SELECT entry_date, sleep_h, sleep_quality, soreness, fatigue, stress, mood,
                     rmssd_ms, rest_hr, mass_kg, sick, injured, source
                 FROM wellness
                 WHERE athlete_id = ?1 AND entry_date >= ?2 AND entry_date <= ?3
                 ORDER BY entry_date",
            )
            .map_err(db(context))?;
        let rows = stmt
            .query_map(
                params![athlete.0, from.to_string(), to.to_string()],
                wellness_from_row,
            )
            .map_err(db(context))?;
        rows.collect::<Result<_, _>>().map_err(read(context))
    }

    fn delete_wellness(&self, athlete: AthleteId, day: Date) -> StoreResult<bool> {
        let deleted = self
            .lock()
            .execute(
                "DELETE FROM wellness WHERE athlete_id = ?1 AND entry_date = ?2",
                params![athlete.0, day.to_string()],
            )
            .map_err(db("deleting a wellness entry"))?;
        Ok(deleted > 0)
    }

    fn add_recovery(&self, athlete: AthleteId, entry: &RecoveryEntry) -> StoreResult<RecoveryId> {
        text::check_recovery(entry)?;
        let context = "storing a recovery entry";
        let zones = serde_json::to_string(&entry.zones)
            .map_err(|e| StoreError::Invalid(format!("recovery zones: {e}")))?;
        self.write(context, athlete, |tx| {
            tx.execute(
                "INSERT INTO recovery (athlete_id, method, at_ms, minutes, temp_c, zones_json,
                     carbs_g, protein_g, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    athlete.0,
                    entry.method.as_str(),
                    entry.at.as_millisecond(),
                    entry.minutes,
                    entry.temp_c,
                    zones,
                    entry.carbs_g,
                    entry.protein_g,
                    entry.note,
                ],
            )
            .map_err(db(context))?;
            Ok(RecoveryId(tx.last_insert_rowid()))
        })
    }

    fn recovery(
        &self,
        athlete: AthleteId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<StoredRecovery>> {
        let context = "reading the recovery log";
        let connection = self.lock();
        let mut stmt = connection
            .prepare_cached(
                "SELECT recovery_id, method, at_ms, minutes, temp_c, zones_json, carbs_g,
                     protein_g, note
                 FROM recovery WHERE athlete_id = ?1 AND at_ms >= ?2 AND at_ms < ?3
                 ORDER BY at_ms, recovery_id",
            )
            .map_err(db(context))?;
        let rows = stmt
            .query_map(
                params![athlete.0, from.as_millisecond(), to.as_millisecond()],
                recovery_from_row,
            )
            .map_err(db(context))?;
        rows.collect::<Result<_, _>>().map_err(read(context))
    }

    fn delete_recovery(&self, athlete: AthleteId, id: RecoveryId) -> StoreResult<bool> {
        let deleted = self
            .lock()
            .execute(
                "DELETE FROM recovery WHERE athlete_id = ?1 AND recovery_id = ?2",
                params![athlete.0, id.0],
            )
            .map_err(db("deleting a recovery entry"))?;
        Ok(deleted > 0)
    }

    fn add_to_set(&self, athlete: AthleteId, set: StringSet, value: &str) -> StoreResult<()> {
        text::check("set member", value)?;
        let context = "adding to a set";
        self.write(context, athlete, |tx| {
            tx.execute(
                "INSERT INTO string_sets (athlete_id, set_name, member) VALUES (?1, ?2, ?3)
                 ON CONFLICT (athlete_id, set_name, member) DO NOTHING",
                params![athlete.0, set.as_str(), value],
            )
            .map_err(db(context))?;
            Ok(())
        })
    }

    fn remove_from_set(
        &self,
        athlete: AthleteId,
        set: StringSet,
        value: &str,
    ) -> StoreResult<bool> {
        text::check("set member", value)?;
        let deleted = self
            .lock()
            .execute(
                "DELETE FROM string_sets WHERE athlete_id = ?1 AND set_name = ?2 AND member = ?3",
                params![athlete.0, set.as_str(), value],
            )
            .map_err(db("removing from a set"))?;
        Ok(deleted > 0)
    }

    fn set_members(&self, athlete: AthleteId, set: StringSet) -> StoreResult<Vec<String>> {
        let context = "reading a set";
        let connection = self.lock();
        let mut stmt = connection
            .prepare_cached(
                "SELECT member FROM string_sets WHERE athlete_id = ?1 AND set_name = ?2
                 ORDER BY member",
            )
            .map_err(db(context))?;
        let rows = stmt
            .query_map(params![athlete.0, set.as_str()], |row| row.get(0))
            .map_err(db(context))?;
        rows.collect::<Result<_, _>>().map_err(read(context))
    }

    fn save_plan(&self, athlete: AthleteId, json: &str) -> StoreResult<()> {
        text::check("plan", json)?;
        let context = "saving the plan";
        self.write(context, athlete, |tx| {
            tx.execute(
                "INSERT INTO plans (athlete_id, plan_json, saved_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (athlete_id) DO UPDATE SET
                     plan_json = excluded.plan_json, saved_ms = excluded.saved_ms",
                params![athlete.0, json, now_ms()],
            )
            .map_err(db(context))?;
            Ok(())
        })
    }

    fn load_plan(&self, athlete: AthleteId) -> StoreResult<Option<String>> {
        self.lock()
            .query_row(
                "SELECT plan_json FROM plans WHERE athlete_id = ?1",
                [athlete.0],
                |row| row.get(0),
            )
            .optional()
            .map_err(read("loading the plan"))
    }

    fn set_setting(&self, athlete: AthleteId, key: &str, value: Option<&str>) -> StoreResult<()> {
        text::check("setting name", key)?;
        text::check_opt("setting value", value)?;
        let context = "storing a setting";
        self.write(context, athlete, |tx| {
            match value {
                Some(value) => tx.execute(
                    "INSERT INTO settings (athlete_id, key, value) VALUES (?1, ?2, ?3)
                     ON CONFLICT (athlete_id, key) DO UPDATE SET value = excluded.value",
                    params![athlete.0, key, value],
                ),
                None => tx.execute(
                    "DELETE FROM settings WHERE athlete_id = ?1 AND key = ?2",
                    params![athlete.0, key],
                ),
            }
            .map_err(db(context))?;
            Ok(())
        })
    }

    fn setting(&self, athlete: AthleteId, key: &str) -> StoreResult<Option<String>> {
        text::check("setting name", key)?;
        self.lock()
            .query_row(
                "SELECT value FROM settings WHERE athlete_id = ?1 AND key = ?2",
                params![athlete.0, key],
                |row| row.get(0),
            )
            .optional()
            .map_err(read("reading a setting"))
    }

    fn settings(&self, athlete: AthleteId) -> StoreResult<Vec<(String, String)>> {
        let context = "reading settings";
        let connection = self.lock();
        let mut stmt = connection
            .prepare_cached("SELECT key, value FROM settings WHERE athlete_id = ?1 ORDER BY key")
            .map_err(db(context))?;
        let rows = stmt
            .query_map([athlete.0], |row| Ok((row.get(0)?, row.get(1)?)))
            .map_err(db(context))?;
        rows.collect::<Result<_, _>>().map_err(read(context))
    }

    fn edit_activity(
        &self,
        athlete: AthleteId,
        id: ActivityId,
        edit: &ActivityEdit,
    ) -> StoreResult<bool> {
        check_edit(edit)?;
        // `?N IS NULL` keeps the column; the `set_*` flags tell "clear" from "keep" for the
        // optional text and RPE columns.
        let changed = self
            .lock()
            .execute(
                "UPDATE activities SET
                     name = CASE WHEN ?3 THEN ?4 ELSE name END,
                     sport = COALESCE(?5, sport),
                     rpe = CASE WHEN ?6 THEN ?7 ELSE rpe END,
                     exclude_from_load = COALESCE(?8, exclude_from_load),
                     notes = CASE WHEN ?9 THEN ?10 ELSE notes END
                 WHERE athlete_id = ?1 AND activity_id = ?2",
                params![
                    athlete.0,
                    id.0,
                    edit.name.is_some(),
                    edit.name.clone().flatten(),
                    edit.sport.as_ref().map(Sport::as_str),
                    edit.rpe.is_some(),
                    edit.rpe.flatten(),
                    edit.exclude_from_load.map(i64::from),
                    edit.notes.is_some(),
                    edit.notes.clone().flatten(),
                ],
            )
            .map_err(db("editing an activity"))?;
        Ok(changed > 0)
    }

    fn delete_activities(&self, athlete: AthleteId, ids: &[ActivityId]) -> StoreResult<()> {
        let context = "deleting activities";
        self.write(context, athlete, |tx| {
            for id in ids {
                let file: Option<Option<i64>> = tx
                    .prepare_cached(
                        "SELECT file_id FROM activities WHERE athlete_id = ?1 AND activity_id = ?2",
                    )
                    .and_then(|mut stmt| {
                        stmt.query_row(params![athlete.0, id.0], |row| row.get(0))
                            .optional()
                    })
                    .map_err(db(context))?;
                let Some(file) = file else {
                    return Err(StoreError::ActivityNotFound { athlete, id: *id });
                };
                if let Some(file_id) = file {
                    tx.prepare_cached(
                        "UPDATE files SET activities_deleted = activities_deleted + 1
                         WHERE athlete_id = ?1 AND file_id = ?2",
                    )
                    .and_then(|mut stmt| stmt.execute(params![athlete.0, file_id]))
                    .map_err(db(context))?;
                }
                tx.prepare_cached(
                    "DELETE FROM activities WHERE athlete_id = ?1 AND activity_id = ?2",
                )
                .and_then(|mut stmt| stmt.execute(params![athlete.0, id.0]))
                .map_err(db(context))?;
            }
            Ok(())
        })
    }

    fn has_deleted_activities(&self, athlete: AthleteId, hash: ContentHash) -> StoreResult<bool> {
        self.lock()
            .prepare_cached(
                "SELECT 1 FROM files
                 WHERE athlete_id = ?1 AND content_hash = ?2 AND activities_deleted > 0",
            )
            .and_then(|mut stmt| stmt.exists(params![athlete.0, hash.to_hex()]))
            .map_err(db("looking up a file"))
    }

    fn restore_deleted_file(
        &self,
        athlete: AthleteId,
        file: &NewFile,
        activities: &[NewActivity<'_>],
    ) -> StoreResult<FileOutcome> {
        if !self.has_deleted_activities(athlete, file.content_hash)? {
            return self.import_file(athlete, file, activities);
        }
        let invalid = |index: usize, reason: String| StoreError::InvalidActivity {
            file: file.source.clone(),
            index,
            reason,
        };
        let blobs = blob::encode_file(file, activities)?;
        let hash = file.content_hash.to_hex();
        let context = "restoring a file's deleted activities";
        self.write(context, athlete, |tx| {
            let (file_id, deleted): (i64, i64) = tx
                .prepare_cached(
                    "SELECT file_id, activities_deleted FROM files
                     WHERE athlete_id = ?1 AND content_hash = ?2",
                )
                .and_then(|mut stmt| {
                    stmt.query_row(params![athlete.0, hash], |row| {
                        Ok((row.get(0)?, row.get(1)?))
                    })
                })
                .map_err(db(context))?;
            let file_id = FileId(file_id);
            if deleted == 0 {
                // Restored by another import between the look-up and this transaction.
                return Ok(FileOutcome::AlreadyImported { file_id });
            }
            let mut outcomes = Vec::with_capacity(activities.len());
            let mut inserted = 0i64;
            for (index, (new, blob)) in activities.iter().zip(&blobs).enumerate() {
                let activity = new.activity;
                check_activity(activity).map_err(|reason| invalid(index, reason))?;
                if let Some(of) = find_duplicate(tx, athlete, activity).map_err(db(context))? {
                    outcomes.push(ActivityOutcome::Duplicate { of });
                    continue;
                }
                let id = insert_activity(tx, athlete, Some(file_id), new.source, activity, true)
                    .map_err(|e| {
                        if is_constraint(&e) {
                            invalid(index, e.to_string())
                        } else {
                            db(context)(e)
                        }
                    })?;
                if let Some(blob) = blob {
                    tx.prepare_cached(
                        "INSERT INTO activity_samples (athlete_id, activity_id, samples)
                         VALUES (?1, ?2, ?3)",
                    )
                    .and_then(|mut stmt| stmt.execute(params![athlete.0, id.0, blob]))
                    .map_err(db(context))?;
                }
                inserted += 1;
                outcomes.push(ActivityOutcome::Inserted(id));
            }
            tx.prepare_cached(
                "UPDATE files SET activities_inserted = activities_inserted + ?1,
                     activities_deleted = 0
                 WHERE file_id = ?2",
            )
            .and_then(|mut stmt| stmt.execute(params![inserted, file_id.0]))
            .map_err(db(context))?;
            Ok(FileOutcome::Imported {
                file_id,
                activities: outcomes,
            })
        })
    }
}

/// The store's own check of an edit: the RPE scale and the sport's stored name (the use case
/// validates names, lengths and text before calling).
pub(crate) fn check_edit(edit: &ActivityEdit) -> StoreResult<()> {
    if let Some(Some(value)) = edit.rpe
        && !(0.0..=10.0).contains(&value)
    {
        return Err(StoreError::Invalid(format!(
            "RPE {value} is outside the 0–10 scale: give a value from 0 (rest) to 10 (maximal)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(store: &SqliteStore, sql: &str) -> String {
        let connection = store.lock();
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
        migrate(&mut connection, "test.db", MIGRATIONS).expect("schema 1");
        let broken: Vec<(u32, &str)> = MIGRATIONS
            .iter()
            .copied()
            .chain([(
                SCHEMA_VERSION + 1,
                "CREATE TABLE half_done (x INTEGER); SELECT * FROM no_such_table;",
            )])
            .collect();
        let error = migrate(&mut connection, "test.db", &broken).expect_err("broken migration");
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

    #[test]
    fn coach_access_is_three_key_lookups_without_a_scan() {
        let store = SqliteStore::open_in_memory().expect("open");
        // The plan does not depend on the values: bind literals in place of ?1 and ?2.
        let sql = accounts::COACH_SEES.replace("?1", "1").replace("?2", "2");
        let plan = plan(&store, &sql);
        assert!(!plan.contains("SCAN"), "{plan}");
        assert!(plan.contains("(athlete_id=?)"), "{plan}");
        assert!(plan.contains("(coach_id=? AND email=?)"), "{plan}");
    }

    #[test]
    fn a_schema_1_database_is_upgraded_with_its_data() {
        let mut connection = Connection::open_in_memory().expect("open");
        let athlete = migrate(&mut connection, "test.db", &MIGRATIONS[..1]).expect("schema 1");
        connection
            .execute(
                "INSERT INTO settings (athlete_id, key, value) VALUES (?1, 'units', 'metric')",
                [athlete.0],
            )
            .expect("data in schema 1");
        assert_eq!(
            migrate(&mut connection, "test.db", MIGRATIONS).expect("upgrade"),
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
            assert_eq!(sport_from_db(sport.as_str()), sport);
        }
    }
}
