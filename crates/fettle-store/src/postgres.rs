//! The PostgreSQL backend: the same behaviour as the SQLite one (pinned by the
//! [`conformance`](crate::conformance) suite), over a small pool of synchronous `postgres`
//! connections so that many threads (the web server's `spawn_blocking` workers) use the
//! database at once.
//!
//! Differences from SQLite that matter, and how they are handled:
//! - **Concurrency.** SQLite has one writer; here several transactions run at once. An import
//!   locks its athlete's row (`SELECT … FOR NO KEY UPDATE`) before the duplicate check, so two
//!   imports for the same athlete run one after the other (the second sees the first's
//!   activities and file record), while imports for different athletes and every other write
//!   (whose foreign keys only take `FOR KEY SHARE` on the athlete row) proceed in parallel.
//!   `UNIQUE (athlete_id, content_hash)` backs the rule up.
//! - **NaN.** SQLite turns a bound NaN into NULL; PostgreSQL would store it. Every float is
//!   bound through `nan_as_null`, so an optional NaN reads back as `None` and a required one
//!   violates its `NOT NULL` constraint, exactly as in SQLite.
//! - **Sorting text.** Keys, days and set members use the `"C"` collation (byte order, as
//!   SQLite's `BINARY`), so lists come back in the same order whatever the server's locale.
//! - **Migrations** run in one transaction under a transaction-level advisory lock, so two
//!   programs opening a fresh database at once do not both create the schema.
//!
//! The schema lives in the first schema of the connection's `search_path` (`public` by
//! default). Several Fettle databases can share one PostgreSQL database by giving each its own
//! schema in the URL: `postgres://user@host/db?options=-csearch_path%3Dfettle_b` (the tests do
//! this for isolation).

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use fettle_core::log::{RaceResult, RecoveryEntry, RecoveryMethod, WellnessEntry};
use fettle_formats::{Activity, Lap, Sport, Streams};
use jiff::Timestamp;
use jiff::civil::Date;
use postgres::config::Host;
use postgres::types::{FromSql, ToSql};
use postgres::{Client, Config, GenericClient, NoTls, Row, Statement};

use crate::blob;
use crate::dedup::{self, DuplicateKey};
use crate::error::{StoreError, StoreResult};
use crate::model::{
    ActivityEdit, ActivityFilter, ActivityId, ActivityLoads, ActivityOutcome, ActivitySummary,
    AthleteId, ContentHash, Counts, FileId, FileOutcome, LoadRow, NewActivity, NewFile,
    ProfileValue, RaceId, RecoveryId, StoredActivity, StoredRace, StoredRecovery, StringSet,
};
use crate::sqlite::{
    DEFAULT_ATHLETE_NAME, MANUAL_SOURCE, check_activity, end_ms, now_ms, sport_from_db,
};
use crate::store::Store;
use crate::text;

mod accounts;

/// The numbered migrations, in order. Never edit a released one: add the next.
const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_initial.sql")),
    (2, include_str!("../migrations/postgres/0002_accounts.sql")),
    (
        3,
        include_str!("../migrations/postgres/0003_corrections.sql"),
    ),
];

/// The schema version this program writes (the last migration's number); the same numbering
/// as the SQLite backend's.
pub const SCHEMA_VERSION: u32 = 3;

/// The most connections one [`PgStore`] keeps open. Enough for the web server's concurrent
/// requests on a small machine; PostgreSQL's default limit is 100 connections in all.
pub const POOL_SIZE: usize = 8;

/// How long a caller waits for a free pooled connection before failing.
pub const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(30);

/// The key of the transaction-level advisory lock held while migrating ("fettle" in ASCII), so
/// that concurrent first opens of one database migrate one after the other.
const MIGRATION_LOCK_KEY: i64 = 0x6665_7474_6c65;

/// Prepared statements of one connection, by SQL text.
type Statements = HashMap<&'static str, Statement>;

/// The PostgreSQL [`Store`].
pub struct PgStore {
    pool: Pool,
    default_athlete: AthleteId,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("target", &self.pool.target)
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to the PostgreSQL database at `url` (`postgres://user[:password]@host[:port]/db`,
    /// or libpq's `key=value` form), applies pending migrations in one transaction, creates the
    /// default athlete on first use and keeps up to [`POOL_SIZE`] connections for later calls.
    ///
    /// Fails with [`StoreError::Connect`] when the server cannot be reached or refuses the
    /// login, and with [`StoreError::NewerSchema`] when the database was written by a newer
    /// Fettle.
    pub fn connect(url: &str) -> StoreResult<PgStore> {
        let config: Config = url.parse().map_err(|e| StoreError::Connect {
            target: "the given PostgreSQL database".to_owned(),
            // The driver's parse errors name the option, never its value.
            reason: format!(
                "it is not a valid PostgreSQL URL or connection string ({e}); write it as \
                 postgres://user@host:port/database or host=… dbname=… user=…"
            ),
        })?;
        let target = describe(&config);
        let mut client = config.connect(NoTls).map_err(|e| StoreError::Connect {
            target: target.clone(),
            reason: with_cause(&e),
        })?;
        let default_athlete = migrate(&mut client, &target, MIGRATIONS)?;
        let pool = Pool::new(config, target);
        pool.give_back(PgConnection {
            client,
            statements: Statements::new(),
        });
        Ok(PgStore {
            pool,
            default_athlete,
        })
    }

    /// The server and database this store talks to (`postgres://user@host:port/db`, never
    /// the password).
    pub fn target(&self) -> &str {
        &self.pool.target
    }

    /// The schema version of the database.
    pub fn schema_version(&self) -> StoreResult<u32> {
        let context = "reading the schema version";
        let mut connection = self.pool.get()?;
        let row = connection
            .session()
            .query_one("SELECT MAX(version) FROM schema_version", &[])
            .map_err(db(context))?;
        let version: i32 = column(&row, 0)?;
        u32::try_from(version).map_err(|_| corrupt(context, "negative schema version"))
    }

    /// Runs `work` in a transaction after checking that the athlete exists; with
    /// `lock_athlete`, the athlete's row stays locked until the commit, so such transactions
    /// of one athlete run one after the other.
    fn write<T>(
        &self,
        context: &'static str,
        athlete: AthleteId,
        lock_athlete: bool,
        work: impl FnOnce(&mut Session<'_, postgres::Transaction<'_>>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut connection = self.pool.get()?;
        let PgConnection { client, statements } = &mut *connection;
        let mut tx = client.transaction().map_err(db(context))?;
        let mut session = Session {
            client: &mut tx,
            statements,
        };
        let sql = if lock_athlete {
            "SELECT 1 FROM athletes WHERE athlete_id = $1 FOR NO KEY UPDATE"
        } else {
            "SELECT 1 FROM athletes WHERE athlete_id = $1"
        };
        let exists = session
            .query_opt(sql, &[&athlete.0])
            .map_err(db("looking up the athlete"))?
            .is_some();
        if !exists {
            return Err(StoreError::UnknownAthlete(athlete));
        }
        let value = work(&mut session)?;
        tx.commit().map_err(db(context))?;
        Ok(value)
    }

    /// Runs one statement outside an explicit transaction; returns the rows it changed.
    fn execute(
        &self,
        context: &'static str,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> StoreResult<u64> {
        let mut connection = self.pool.get()?;
        connection
            .session()
            .execute(sql, params)
            .map_err(db(context))
    }

    /// Runs one query outside an explicit transaction.
    fn query(
        &self,
        context: &'static str,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> StoreResult<Vec<Row>> {
        let mut connection = self.pool.get()?;
        connection.session().query(sql, params).map_err(db(context))
    }
}

/// `postgres://user@host:port/db` for messages: what the URL points at, without its password.
fn describe(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => host.clone(),
        Some(_) => "local-socket".to_owned(),
        None => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("");
    let database = config.get_dbname().unwrap_or(user);
    format!("postgres://{user}@{host}:{port}/{database}")
}

/// Applies pending `migrations` (numbered, in order) in one transaction and returns the default
/// athlete.
fn migrate(
    client: &mut Client,
    target: &str,
    migrations: &[(u32, &str)],
) -> StoreResult<AthleteId> {
    let supported = migrations.last().map_or(0, |&(version, _)| version);
    let fail = |e: postgres::Error| StoreError::Open {
        path: target.to_owned(),
        reason: e.to_string(),
    };
    let mut tx = client.transaction().map_err(fail)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK_KEY])
        .map_err(fail)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_version (
             version    INTEGER PRIMARY KEY,
             applied_ms BIGINT NOT NULL
         )",
    )
    .map_err(fail)?;
    let current: i32 = tx
        .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])
        .and_then(|row| row.try_get(0))
        .map_err(fail)?;
    let current = u32::try_from(current).unwrap_or(0);
    if current > supported {
        return Err(StoreError::NewerSchema {
            path: target.to_owned(),
            found: current,
            supported,
        });
    }
    let now = now_ms();
    for &(version, sql) in migrations.iter().filter(|(v, _)| *v > current) {
        let migration_error = |e: postgres::Error| StoreError::Migration {
            path: target.to_owned(),
            version,
            reason: e.to_string(),
        };
        tx.batch_execute(sql).map_err(migration_error)?;
        let number = i32::try_from(version).unwrap_or(i32::MAX);
        tx.execute(
            "INSERT INTO schema_version (version, applied_ms) VALUES ($1, $2)",
            &[&number, &now],
        )
        .map_err(migration_error)?;
    }
    tx.execute(
        "INSERT INTO athletes (name, created_ms) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        &[&DEFAULT_ATHLETE_NAME, &now],
    )
    .map_err(fail)?;
    let athlete: i64 = tx
        .query_one(
            "SELECT athlete_id FROM athletes WHERE name = $1",
            &[&DEFAULT_ATHLETE_NAME],
        )
        .and_then(|row| row.try_get(0))
        .map_err(fail)?;
    tx.commit().map_err(fail)?;
    Ok(AthleteId(athlete))
}

/// One open connection with its prepared statements.
struct PgConnection {
    client: Client,
    statements: Statements,
}

impl PgConnection {
    fn session(&mut self) -> Session<'_, Client> {
        Session {
            client: &mut self.client,
            statements: &mut self.statements,
        }
    }
}

/// A client (connection or transaction) with its connection's statement cache: each SQL text
/// is prepared once per connection, saving a round trip on every later use.
struct Session<'a, C> {
    client: &'a mut C,
    statements: &'a mut Statements,
}

impl<C: GenericClient> Session<'_, C> {
    fn statement(&mut self, sql: &'static str) -> Result<Statement, postgres::Error> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql)?;
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }

    fn execute(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, postgres::Error> {
        let statement = self.statement(sql)?;
        self.client.execute(&statement, params)
    }

    fn query(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, postgres::Error> {
        let statement = self.statement(sql)?;
        self.client.query(&statement, params)
    }

    fn query_opt(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, postgres::Error> {
        let statement = self.statement(sql)?;
        self.client.query_opt(&statement, params)
    }

    fn query_one(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, postgres::Error> {
        let statement = self.statement(sql)?;
        self.client.query_one(&statement, params)
    }
}

/// A small blocking connection pool: idle connections are reused, new ones are opened up to
/// [`POOL_SIZE`], and a caller finding all of them busy waits (at most [`CHECKOUT_TIMEOUT`])
/// for one to come back. A connection whose socket closed (server restart) is dropped when it
/// comes back, and the next caller opens a fresh one.
struct Pool {
    config: Config,
    target: String,
    state: Mutex<PoolState>,
    returned: Condvar,
}

struct PoolState {
    idle: Vec<PgConnection>,
    /// Connections open, idle or in use.
    open: usize,
}

impl Pool {
    fn new(config: Config, target: String) -> Pool {
        Pool {
            config,
            target,
            state: Mutex::new(PoolState {
                idle: Vec::with_capacity(POOL_SIZE),
                open: 0,
            }),
            returned: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, PoolState> {
        // Nothing panics while holding this lock; a poisoned one still holds a valid state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds an already open connection (the one that migrated) to the pool.
    fn give_back(&self, connection: PgConnection) {
        let mut state = self.lock();
        state.open += 1;
        state.idle.push(connection);
    }

    fn get(&self) -> StoreResult<PooledConnection<'_>> {
        let deadline = Instant::now() + CHECKOUT_TIMEOUT;
        let mut state = self.lock();
        loop {
            if let Some(connection) = state.idle.pop() {
                return Ok(PooledConnection {
                    pool: self,
                    connection: Some(connection),
                });
            }
            if state.open < POOL_SIZE {
                state.open += 1;
                drop(state);
                return match self.config.connect(NoTls) {
                    Ok(client) => Ok(PooledConnection {
                        pool: self,
                        connection: Some(PgConnection {
                            client,
                            statements: Statements::new(),
                        }),
                    }),
                    Err(e) => {
                        self.lock().open -= 1;
                        self.returned.notify_one();
                        Err(StoreError::Connect {
                            target: self.target.clone(),
                            reason: with_cause(&e),
                        })
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(StoreError::Backend {
                    context: "waiting for a database connection",
                    reason: format!(
                        "all {POOL_SIZE} connections to {} stayed busy for {CHECKOUT_TIMEOUT:?}",
                        self.target
                    ),
                });
            }
            state = self
                .returned
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// A connection lent by the [`Pool`]; it goes back when dropped.
struct PooledConnection<'a> {
    pool: &'a Pool,
    connection: Option<PgConnection>,
}

impl std::ops::Deref for PooledConnection<'_> {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        self.connection
            .as_ref()
            .unwrap_or_else(|| unreachable!("present until dropped"))
    }
}

impl std::ops::DerefMut for PooledConnection<'_> {
    fn deref_mut(&mut self) -> &mut PgConnection {
        self.connection
            .as_mut()
            .unwrap_or_else(|| unreachable!("present until dropped"))
    }
}

impl Drop for PooledConnection<'_> {
    fn drop(&mut self) {
        let Some(connection) = self.connection.take() else {
            return;
        };
        let mut state = self.pool.lock();
        if connection.client.is_closed() {
            state.open -= 1;
        } else {
            state.idle.push(connection);
        }
        drop(state);
        self.pool.returned.notify_one();
    }
}

/// Maps a database error met while doing `context`.
fn db(context: &'static str) -> impl Fn(postgres::Error) -> StoreError {
    move |error| {
        if error.is_closed() {
            return StoreError::Backend {
                context,
                reason: format!(
                    "{error} (the connection to PostgreSQL was lost: is the server still running?)"
                ),
            };
        }
        StoreError::Backend {
            context,
            reason: error.to_string(),
        }
    }
}

/// The driver's message with its cause (`error connecting to server` alone does not say
/// that the connection was refused).
fn with_cause(error: &postgres::Error) -> String {
    match std::error::Error::source(error) {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    }
}

/// Whether the error is an integrity constraint violation (SQLSTATE class 23).
fn is_constraint(error: &postgres::Error) -> bool {
    error
        .code()
        .is_some_and(|code| code.code().starts_with("23"))
}

fn corrupt(context: &str, what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("while {context}: {what}"))
}

/// Reads a column, reporting a type mismatch as damaged data.
fn column<'a, T: FromSql<'a>>(row: &'a Row, index: usize) -> StoreResult<T> {
    row.try_get(index).map_err(|e| {
        let name = row.columns().get(index).map_or("?", |c| c.name());
        StoreError::Corrupt(format!("column {name}: {e}"))
    })
}

/// SQLite stores a bound NaN as NULL; this does the same for PostgreSQL (which would keep it).
fn nan_as_null(value: Option<f64>) -> Option<f64> {
    value.filter(|v| !v.is_nan())
}

/// A required float, bound so that NaN becomes NULL and fails the column's `NOT NULL`.
fn required(value: f64) -> Option<f64> {
    nan_as_null(Some(value))
}

fn timestamp(ms: i64) -> StoreResult<Timestamp> {
    Timestamp::from_millisecond(ms)
        .map_err(|e| StoreError::Corrupt(format!("instant {ms} ms is out of range: {e}")))
}

fn date(text: &str) -> StoreResult<Date> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("`{text}` is not a date: {e}")))
}

fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn to_i64(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Inserts an activity summary row and its laps; returns its id.
fn insert_activity<C: GenericClient>(
    session: &mut Session<'_, C>,
    athlete: AthleteId,
    file_id: Option<FileId>,
    source: &str,
    activity: &Activity,
    with_details: bool,
) -> Result<ActivityId, postgres::Error> {
    let start_ms = activity.start.as_millisecond();
    let (sample_count, lap_count) = if with_details {
        (activity.streams.len(), activity.laps.len())
    } else {
        (0, 0)
    };
    let row = session.query_one(
        "INSERT INTO activities (athlete_id, file_id, source, session_index, start_ms, end_ms,
             utc_offset_s, sport, sub_sport, name, description, perceived_exertion, elapsed_s,
             timer_s, distance_m, ascent_m, descent_m, avg_hr, max_hr, avg_cadence, avg_power_w,
             device, sample_count, lap_count)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
             $18, $19, $20, $21, $22, $23, $24)
         RETURNING activity_id",
        &[
            &athlete.0,
            &file_id.map(|f| f.0),
            &source,
            &activity.session_index.map(i64::from),
            &start_ms,
            &end_ms(start_ms, activity.elapsed_s),
            &activity.utc_offset_s,
            &activity.sport.as_str(),
            &activity.sub_sport,
            &activity.name,
            &activity.description,
            &nan_as_null(activity.perceived_exertion),
            &required(activity.elapsed_s),
            &required(activity.timer_s),
            &nan_as_null(activity.distance_m),
            &nan_as_null(activity.ascent_m),
            &nan_as_null(activity.descent_m),
            &nan_as_null(activity.avg_hr),
            &nan_as_null(activity.max_hr),
            &nan_as_null(activity.avg_cadence),
            &nan_as_null(activity.avg_power_w),
            &activity.device,
            &to_i64(sample_count),
            &to_i64(lap_count),
        ],
    )?;
    let id = ActivityId(row.try_get(0)?);
    if with_details && !activity.laps.is_empty() {
        insert_laps(session, athlete, id, &activity.laps)?;
    }
    Ok(id)
}

/// Inserts all laps of an activity in one statement (one round trip instead of one per lap).
fn insert_laps<C: GenericClient>(
    session: &mut Session<'_, C>,
    athlete: AthleteId,
    id: ActivityId,
    laps: &[Lap],
) -> Result<u64, postgres::Error> {
    let floats = |get: fn(&Lap) -> Option<f64>| -> Vec<Option<f64>> {
        laps.iter().map(|lap| nan_as_null(get(lap))).collect()
    };
    let index: Vec<i32> = (0..laps.len())
        .map(|i| i32::try_from(i).unwrap_or(i32::MAX))
        .collect();
    let start: Vec<i64> = laps.iter().map(|l| l.start.as_millisecond()).collect();
    session.execute(
        "INSERT INTO laps (athlete_id, activity_id, lap_index, start_ms, elapsed_s, timer_s,
             distance_m, avg_hr, max_hr, avg_speed_mps, avg_cadence, avg_power_w, ascent_m,
             descent_m)
         SELECT $1, $2, lap.* FROM UNNEST($3::INTEGER[], $4::BIGINT[],
             $5::DOUBLE PRECISION[], $6::DOUBLE PRECISION[], $7::DOUBLE PRECISION[],
             $8::DOUBLE PRECISION[], $9::DOUBLE PRECISION[], $10::DOUBLE PRECISION[],
             $11::DOUBLE PRECISION[], $12::DOUBLE PRECISION[], $13::DOUBLE PRECISION[],
             $14::DOUBLE PRECISION[]) AS lap",
        &[
            &athlete.0,
            &id.0,
            &index,
            &start,
            &floats(|l| Some(l.elapsed_s)),
            &floats(|l| Some(l.timer_s)),
            &floats(|l| l.distance_m),
            &floats(|l| l.avg_hr),
            &floats(|l| l.max_hr),
            &floats(|l| l.avg_speed_mps),
            &floats(|l| l.avg_cadence),
            &floats(|l| l.avg_power_w),
            &floats(|l| l.ascent_m),
            &floats(|l| l.descent_m),
        ],
    )
}

/// The stored, file-imported activity `activity` duplicates, if any (closest start wins).
fn find_duplicate<C: GenericClient>(
    session: &mut Session<'_, C>,
    athlete: AthleteId,
    activity: &Activity,
) -> StoreResult<Option<ActivityId>> {
    let context = "looking for duplicates";
    let start_ms = activity.start.as_millisecond();
    let window = dedup::candidate_window_ms(activity.elapsed_s);
    let new = DuplicateKey {
        sport: activity.sport.as_str(),
        start_ms,
        elapsed_s: activity.elapsed_s,
        distance_m: activity.distance_m,
    };
    let rows = session
        .query(
            "SELECT activity_id, sport, start_ms, elapsed_s, distance_m FROM activities
             WHERE athlete_id = $1 AND file_id IS NOT NULL AND start_ms BETWEEN $2 AND $3",
            &[
                &athlete.0,
                &start_ms.saturating_sub(window),
                &start_ms.saturating_add(window),
            ],
        )
        .map_err(db(context))?;
    let mut best: Option<(i64, ActivityId)> = None;
    for row in &rows {
        let stored = DuplicateKey {
            sport: column(row, 1)?,
            start_ms: column(row, 2)?,
            elapsed_s: column(row, 3)?,
            distance_m: column(row, 4)?,
        };
        if dedup::is_duplicate(&new, &stored) {
            let gap = (stored.start_ms - start_ms).abs();
            if best.is_none_or(|(best_gap, _)| gap < best_gap) {
                best = Some((gap, ActivityId(column(row, 0)?)));
            }
        }
    }
    Ok(best.map(|(_, id)| id))
}

/// The summary columns, in the order [`summary_from_row`] reads them.
macro_rules! summary_columns {
    () => {
        "activity_id, file_id, source, session_index, start_ms,
         utc_offset_s, sport, sub_sport, name, description, perceived_exertion, elapsed_s, timer_s,
         distance_m, ascent_m, descent_m, avg_hr, max_hr, avg_cadence, avg_power_w, device,
         sample_count, lap_count, rpe, load_trimp, load_edwards, load_srpe, load_rtss, load_hrtss,
         load, load_method, metrics_json, notes, exclude_from_load"
    };
}

fn summary_from_row(row: &Row) -> StoreResult<ActivitySummary> {
    let load: Option<f64> = column(row, 29)?;
    let method: Option<String> = column(row, 30)?;
    let loads = match (load, method) {
        (Some(load), Some(method)) => Some(ActivityLoads {
            trimp: column(row, 24)?,
            edwards: column(row, 25)?,
            srpe: column(row, 26)?,
            rtss: column(row, 27)?,
            hrtss: column(row, 28)?,
            load,
            method,
        }),
        _ => None,
    };
    let session_index = column::<Option<i64>>(row, 3)?
        .map(|i| u32::try_from(i).map_err(|_| corrupt("reading a summary", "session index")))
        .transpose()?;
    Ok(ActivitySummary {
        id: ActivityId(column(row, 0)?),
        file_id: column::<Option<i64>>(row, 1)?.map(FileId),
        source: column(row, 2)?,
        session_index,
        start: timestamp(column(row, 4)?)?,
        utc_offset_s: column(row, 5)?,
        sport: sport_from_db(column(row, 6)?),
        sub_sport: column(row, 7)?,
        name: column(row, 8)?,
        description: column(row, 9)?,
        perceived_exertion: column(row, 10)?,
        elapsed_s: column(row, 11)?,
        timer_s: column(row, 12)?,
        distance_m: column(row, 13)?,
        ascent_m: column(row, 14)?,
        descent_m: column(row, 15)?,
        avg_hr: column(row, 16)?,
        max_hr: column(row, 17)?,
        avg_cadence: column(row, 18)?,
        avg_power_w: column(row, 19)?,
        device: column(row, 20)?,
        sample_count: count(column(row, 21)?),
        lap_count: u32::try_from(column::<i64>(row, 22)?)
            .map_err(|_| corrupt("reading a summary", "lap count"))?,
        rpe: column(row, 23)?,
        loads,
        metrics_json: column(row, 31)?,
        notes: column(row, 32)?,
        exclude_from_load: column::<i32>(row, 33)? != 0,
    })
}

fn lap_from_row(row: &Row) -> StoreResult<Lap> {
    Ok(Lap {
        start: timestamp(column(row, 0)?)?,
        elapsed_s: column(row, 1)?,
        timer_s: column(row, 2)?,
        distance_m: column(row, 3)?,
        avg_hr: column(row, 4)?,
        max_hr: column(row, 5)?,
        avg_speed_mps: column(row, 6)?,
        avg_cadence: column(row, 7)?,
        avg_power_w: column(row, 8)?,
        ascent_m: column(row, 9)?,
        descent_m: column(row, 10)?,
    })
}

fn wellness_from_row(row: &Row) -> StoreResult<WellnessEntry> {
    Ok(WellnessEntry {
        date: Some(date(column(row, 0)?)?),
        sleep_h: column(row, 1)?,
        sleep_quality: column(row, 2)?,
        soreness: column(row, 3)?,
        fatigue: column(row, 4)?,
        stress: column(row, 5)?,
        mood: column(row, 6)?,
        rmssd_ms: column(row, 7)?,
        rest_hr: column(row, 8)?,
        mass_kg: column(row, 9)?,
        sick: column(row, 10)?,
        injured: column(row, 11)?,
        source: column(row, 12)?,
    })
}

fn recovery_from_row(row: &Row) -> StoreResult<StoredRecovery> {
    let context = "reading the recovery log";
    let method_name: &str = column(row, 1)?;
    let method = RecoveryMethod::parse(method_name)
        .ok_or_else(|| corrupt(context, format!("unknown recovery method `{method_name}`")))?;
    let zones: Vec<String> = serde_json::from_str(column(row, 5)?).map_err(|e| {
        corrupt(
            context,
            format!("zones are not a JSON list of strings: {e}"),
        )
    })?;
    Ok(StoredRecovery {
        id: RecoveryId(column(row, 0)?),
        entry: RecoveryEntry {
            method,
            at: timestamp(column(row, 2)?)?,
            minutes: column(row, 3)?,
            temp_c: column(row, 4)?,
            zones,
            carbs_g: column(row, 6)?,
            protein_g: column(row, 7)?,
            note: column(row, 8)?,
        },
    })
}

impl Store for PgStore {
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
        let context = "creating an athlete";
        let mut connection = self.pool.get()?;
        let mut session = connection.session();
        // ON CONFLICT waits for a concurrent insert of the same name and then does nothing, so
        // the SELECT (a fresh snapshot under READ COMMITTED) finds whichever row won.
        session
            .execute(
                "INSERT INTO athletes (name, created_ms) VALUES ($1, $2)
                 ON CONFLICT (name) DO NOTHING",
                &[&name, &now_ms()],
            )
            .map_err(db(context))?;
        let row = session
            .query_one("SELECT athlete_id FROM athletes WHERE name = $1", &[&name])
            .map_err(db(context))?;
        Ok(AthleteId(column(&row, 0)?))
    }

    fn is_file_imported(&self, athlete: AthleteId, hash: ContentHash) -> StoreResult<bool> {
        let rows = self.query(
            "looking up a file",
            "SELECT 1 FROM files WHERE athlete_id = $1 AND content_hash = $2",
            &[&athlete.0, &hash.to_hex()],
        )?;
        Ok(!rows.is_empty())
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
        // Encode the blobs before opening the transaction: this is the costly part, and it
        // holds no lock while it runs.
        let blobs = blob::encode_file(file, activities)?;
        let hash = file.content_hash.to_hex();
        let context = "importing a file";
        // Locking the athlete makes the file check and the duplicate check below see every
        // import of this athlete committed before, and keeps later ones out until the commit.
        self.write(context, athlete, true, |session| {
            let earlier = session
                .query_opt(
                    "SELECT file_id FROM files WHERE athlete_id = $1 AND content_hash = $2",
                    &[&athlete.0, &hash],
                )
                .map_err(db(context))?;
            if let Some(row) = earlier {
                return Ok(FileOutcome::AlreadyImported {
                    file_id: FileId(column(&row, 0)?),
                });
            }
            let row = session
                .query_one(
                    "INSERT INTO files (athlete_id, content_hash, source, size_bytes, imported_ms,
                         activities_inserted, activities_duplicate)
                     VALUES ($1, $2, $3, $4, $5, 0, 0)
                     RETURNING file_id",
                    &[
                        &athlete.0,
                        &hash,
                        &file.source,
                        &i64::try_from(file.size_bytes).unwrap_or(i64::MAX),
                        &now_ms(),
                    ],
                )
                .map_err(db(context))?;
            let file_id = FileId(column(&row, 0)?);

            let mut outcomes = Vec::with_capacity(activities.len());
            let (mut inserted, mut duplicates) = (0i64, 0i64);
            for (index, (new, blob)) in activities.iter().zip(&blobs).enumerate() {
                let activity = new.activity;
                check_activity(activity)
                    .and_then(|()| text::check_activity(activity, new.source))
                    .map_err(|reason| invalid(index, reason))?;
                if let Some(of) = find_duplicate(session, athlete, activity)? {
                    duplicates += 1;
                    outcomes.push(ActivityOutcome::Duplicate { of });
                    continue;
                }
                let id =
                    insert_activity(session, athlete, Some(file_id), new.source, activity, true)
                        .map_err(|e| {
                            if is_constraint(&e) {
                                invalid(index, e.to_string())
                            } else {
                                db(context)(e)
                            }
                        })?;
                if let Some(blob) = blob {
                    session
                        .execute(
                            "INSERT INTO activity_samples (athlete_id, activity_id, samples)
                             VALUES ($1, $2, $3)",
                            &[&athlete.0, &id.0, blob],
                        )
                        .map_err(db(context))?;
                }
                inserted += 1;
                outcomes.push(ActivityOutcome::Inserted(id));
            }
            session
                .execute(
                    "UPDATE files SET activities_inserted = $1, activities_duplicate = $2
                     WHERE athlete_id = $3 AND file_id = $4",
                    &[&inserted, &duplicates, &athlete.0, &file_id.0],
                )
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
        let context = "storing a manual activity";
        self.write(context, athlete, false, |session| {
            insert_activity(session, athlete, None, MANUAL_SOURCE, activity, false).map_err(|e| {
                if is_constraint(&e) {
                    invalid(e.to_string())
                } else {
                    db(context)(e)
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
        self.write(context, athlete, false, |session| {
            for (id, l) in loads {
                let changed = session
                    .execute(
                        "UPDATE activities SET load_trimp = $1, load_edwards = $2, load_srpe = $3,
                             load_rtss = $4, load_hrtss = $5, load = $6, load_method = $7
                         WHERE athlete_id = $8 AND activity_id = $9",
                        &[
                            &nan_as_null(l.trimp),
                            &nan_as_null(l.edwards),
                            &nan_as_null(l.srpe),
                            &nan_as_null(l.rtss),
                            &nan_as_null(l.hrtss),
                            &l.load,
                            &l.method,
                            &athlete.0,
                            &id.0,
                        ],
                    )
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
        self.write(context, athlete, false, |session| {
            for (id, json) in metrics {
                let changed = session
                    .execute(
                        "UPDATE activities SET metrics_json = $1
                         WHERE athlete_id = $2 AND activity_id = $3",
                        &[json, &athlete.0, &id.0],
                    )
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
        let changed = self.execute(
            "storing an RPE",
            "UPDATE activities SET rpe = $1 WHERE athlete_id = $2 AND activity_id = $3",
            &[&rpe, &athlete.0, &id.0],
        )?;
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
        let rows = self.query(
            "listing activities",
            concat!(
                "SELECT ",
                summary_columns!(),
                " FROM activities
                 WHERE athlete_id = $1 AND start_ms >= $2 AND start_ms < $3
                   AND ($4::TEXT IS NULL OR sport = $4::TEXT)
                 ORDER BY start_ms DESC, activity_id DESC
                 LIMIT $5::BIGINT OFFSET $6::BIGINT"
            ),
            &[
                &athlete.0,
                &filter.from.map_or(i64::MIN, Timestamp::as_millisecond),
                &filter.to.map_or(i64::MAX, Timestamp::as_millisecond),
                &filter.sport.as_ref().map(Sport::as_str),
                // NULL is LIMIT ALL.
                &filter.limit.map(i64::from),
                &i64::from(filter.offset),
            ],
        )?;
        rows.iter().map(summary_from_row).collect()
    }

    fn get_activity(
        &self,
        athlete: AthleteId,
        id: ActivityId,
    ) -> StoreResult<Option<StoredActivity>> {
        let context = "reading an activity";
        let mut connection = self.pool.get()?;
        let mut session = connection.session();
        let summary = session
            .query_opt(
                concat!(
                    "SELECT ",
                    summary_columns!(),
                    " FROM activities WHERE athlete_id = $1 AND activity_id = $2"
                ),
                &[&athlete.0, &id.0],
            )
            .map_err(db(context))?;
        let Some(summary) = summary else {
            return Ok(None);
        };
        let summary = summary_from_row(&summary)?;
        let laps = session
            .query(
                "SELECT start_ms, elapsed_s, timer_s, distance_m, avg_hr, max_hr, avg_speed_mps,
                     avg_cadence, avg_power_w, ascent_m, descent_m
                 FROM laps WHERE athlete_id = $1 AND activity_id = $2 ORDER BY lap_index",
                &[&athlete.0, &id.0],
            )
            .map_err(db(context))?
            .iter()
            .map(lap_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let samples = session
            .query_opt(
                "SELECT samples FROM activity_samples WHERE athlete_id = $1 AND activity_id = $2",
                &[&athlete.0, &id.0],
            )
            .map_err(db(context))?;
        drop(connection);
        let (streams, rr_intervals_ms) = match samples {
            Some(row) => blob::decode(column(&row, 0)?)
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
        let rows = self.query(
            "scanning activities",
            "SELECT activity_id, start_ms, utc_offset_s, timer_s, distance_m, load, sport
             FROM activities WHERE athlete_id = $1 AND exclude_from_load = 0
             ORDER BY start_ms, activity_id",
            &[&athlete.0],
        )?;
        rows.iter()
            .map(|row| {
                Ok(LoadRow {
                    id: ActivityId(column(row, 0)?),
                    start: timestamp(column(row, 1)?)?,
                    utc_offset_s: column(row, 2)?,
                    timer_s: column(row, 3)?,
                    distance_m: column(row, 4)?,
                    load: column(row, 5)?,
                    sport: sport_from_db(column(row, 6)?),
                })
            })
            .collect()
    }

    fn counts(&self, athlete: AthleteId) -> StoreResult<Counts> {
        let rows = self.query(
            "counting",
            "SELECT
                 (SELECT COUNT(*) FROM activities WHERE athlete_id = $1),
                 (SELECT COUNT(*) FROM activities WHERE athlete_id = $1 AND load IS NOT NULL),
                 (SELECT COUNT(*) FROM files WHERE athlete_id = $1),
                 (SELECT COALESCE(SUM(sample_count), 0)::BIGINT FROM activities
                     WHERE athlete_id = $1),
                 (SELECT COUNT(*) FROM wellness WHERE athlete_id = $1),
                 (SELECT COUNT(*) FROM recovery WHERE athlete_id = $1),
                 (SELECT COUNT(*) FROM races WHERE athlete_id = $1)",
            &[&athlete.0],
        )?;
        let row = rows.first().ok_or_else(|| corrupt("counting", "no row"))?;
        Ok(Counts {
            activities: count(column(row, 0)?),
            activities_with_loads: count(column(row, 1)?),
            files: count(column(row, 2)?),
            samples: count(column(row, 3)?),
            wellness_days: count(column(row, 4)?),
            recovery_entries: count(column(row, 5)?),
            races: count(column(row, 6)?),
        })
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
        self.write(context, athlete, false, |session| {
            session
                .execute(
                    "INSERT INTO profile_values (athlete_id, key, from_date, value)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (athlete_id, key, from_date) DO UPDATE SET value = EXCLUDED.value",
                    &[&athlete.0, &key, &from.to_string(), &value],
                )
                .map_err(db(context))?;
            Ok(())
        })
    }

    fn profile_values(&self, athlete: AthleteId) -> StoreResult<Vec<ProfileValue>> {
        let rows = self.query(
            "reading the profile",
            "SELECT key, from_date, value FROM profile_values WHERE athlete_id = $1
             ORDER BY key, from_date",
            &[&athlete.0],
        )?;
        rows.iter()
            .map(|row| {
                Ok(ProfileValue {
                    key: column(row, 0)?,
                    from: date(column(row, 1)?)?,
                    value: column(row, 2)?,
                })
            })
            .collect()
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
        self.write(context, athlete, false, |session| {
            let row = session
                .query_one(
                    "INSERT INTO races (athlete_id, race_date, distance_m, time_s, kind)
                     VALUES ($1, $2, $3, $4, $5) RETURNING race_id",
                    &[
                        &athlete.0,
                        &race.date.to_string(),
                        &race.distance_m,
                        &race.time_s,
                        &race.kind,
                    ],
                )
                .map_err(db(context))?;
            Ok(RaceId(column(&row, 0)?))
        })
    }

    fn races(&self, athlete: AthleteId) -> StoreResult<Vec<StoredRace>> {
        let rows = self.query(
            "reading races",
            "SELECT race_id, race_date, distance_m, time_s, kind FROM races
             WHERE athlete_id = $1 ORDER BY race_date, race_id",
            &[&athlete.0],
        )?;
        rows.iter()
            .map(|row| {
                Ok(StoredRace {
                    id: RaceId(column(row, 0)?),
                    race: RaceResult {
                        date: date(column(row, 1)?)?,
                        distance_m: column(row, 2)?,
                        time_s: column(row, 3)?,
                        kind: column(row, 4)?,
                    },
                })
            })
            .collect()
    }

    fn delete_race(&self, athlete: AthleteId, id: RaceId) -> StoreResult<bool> {
        let deleted = self.execute(
            "deleting a race",
            "DELETE FROM races WHERE athlete_id = $1 AND race_id = $2",
            &[&athlete.0, &id.0],
        )?;
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
        self.write(context, athlete, false, |session| {
            session
                .execute(
                    "INSERT INTO wellness (athlete_id, entry_date, sleep_h, sleep_quality,
                         soreness, fatigue, stress, mood, rmssd_ms, rest_hr, mass_kg, sick,
                         injured, source)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                     ON CONFLICT (athlete_id, entry_date) DO UPDATE SET
                         sleep_h = COALESCE(EXCLUDED.sleep_h, wellness.sleep_h),
                         sleep_quality = COALESCE(EXCLUDED.sleep_quality, wellness.sleep_quality),
                         soreness = COALESCE(EXCLUDED.soreness, wellness.soreness),
                         fatigue = COALESCE(EXCLUDED.fatigue, wellness.fatigue),
                         stress = COALESCE(EXCLUDED.stress, wellness.stress),
                         mood = COALESCE(EXCLUDED.mood, wellness.mood),
                         rmssd_ms = COALESCE(EXCLUDED.rmssd_ms, wellness.rmssd_ms),
                         rest_hr = COALESCE(EXCLUDED.rest_hr, wellness.rest_hr),
                         mass_kg = COALESCE(EXCLUDED.mass_kg, wellness.mass_kg),
                         sick = EXCLUDED.sick OR wellness.sick,
                         injured = EXCLUDED.injured OR wellness.injured,
                         source = COALESCE(EXCLUDED.source, wellness.source)",
                    &[
                        &athlete.0,
                        &day.to_string(),
                        &nan_as_null(entry.sleep_h),
                        &nan_as_null(entry.sleep_quality),
                        &nan_as_null(entry.soreness),
                        &nan_as_null(entry.fatigue),
                        &nan_as_null(entry.stress),
                        &nan_as_null(entry.mood),
                        &nan_as_null(entry.rmssd_ms),
                        &nan_as_null(entry.rest_hr),
                        &nan_as_null(entry.mass_kg),
                        &entry.sick,
                        &entry.injured,
                        &entry.source,
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
        let rows = self.query(
            "reading wellness entries",
            "SELECT entry_date, sleep_h, sleep_quality, soreness, fatigue, stress, mood,
                 rmssd_ms, rest_hr, mass_kg, sick, injured, source
             FROM wellness
             WHERE athlete_id = $1 AND entry_date >= $2 AND entry_date <= $3
             ORDER BY entry_date",
            &[&athlete.0, &from.to_string(), &to.to_string()],
        )?;
        rows.iter().map(wellness_from_row).collect()
    }

    fn delete_wellness(&self, athlete: AthleteId, day: Date) -> StoreResult<bool> {
        let deleted = self.execute(
            "deleting a wellness entry",
            "DELETE FROM wellness WHERE athlete_id = $1 AND entry_date = $2",
            &[&athlete.0, &day.to_string()],
        )?;
        Ok(deleted > 0)
    }

    fn add_recovery(&self, athlete: AthleteId, entry: &RecoveryEntry) -> StoreResult<RecoveryId> {
        text::check_recovery(entry)?;
        let context = "storing a recovery entry";
        let zones = serde_json::to_string(&entry.zones)
            .map_err(|e| StoreError::Invalid(format!("recovery zones: {e}")))?;
        self.write(context, athlete, false, |session| {
            let row = session
                .query_one(
                    "INSERT INTO recovery (athlete_id, method, at_ms, minutes, temp_c, zones_json,
                         carbs_g, protein_g, note)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING recovery_id",
                    &[
                        &athlete.0,
                        &entry.method.as_str(),
                        &entry.at.as_millisecond(),
                        &nan_as_null(entry.minutes),
                        &nan_as_null(entry.temp_c),
                        &zones,
                        &nan_as_null(entry.carbs_g),
                        &nan_as_null(entry.protein_g),
                        &entry.note,
                    ],
                )
                .map_err(db(context))?;
            Ok(RecoveryId(column(&row, 0)?))
        })
    }

    fn recovery(
        &self,
        athlete: AthleteId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<StoredRecovery>> {
        let rows = self.query(
            "reading the recovery log",
            "SELECT recovery_id, method, at_ms, minutes, temp_c, zones_json, carbs_g,
                 protein_g, note
             FROM recovery WHERE athlete_id = $1 AND at_ms >= $2 AND at_ms < $3
             ORDER BY at_ms, recovery_id",
            &[&athlete.0, &from.as_millisecond(), &to.as_millisecond()],
        )?;
        rows.iter().map(recovery_from_row).collect()
    }

    fn delete_recovery(&self, athlete: AthleteId, id: RecoveryId) -> StoreResult<bool> {
        let deleted = self.execute(
            "deleting a recovery entry",
            "DELETE FROM recovery WHERE athlete_id = $1 AND recovery_id = $2",
            &[&athlete.0, &id.0],
        )?;
        Ok(deleted > 0)
    }

    fn add_to_set(&self, athlete: AthleteId, set: StringSet, value: &str) -> StoreResult<()> {
        text::check("set member", value)?;
        let context = "adding to a set";
        self.write(context, athlete, false, |session| {
            session
                .execute(
                    "INSERT INTO string_sets (athlete_id, set_name, member) VALUES ($1, $2, $3)
                     ON CONFLICT (athlete_id, set_name, member) DO NOTHING",
                    &[&athlete.0, &set.as_str(), &value],
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
        let deleted = self.execute(
            "removing from a set",
            "DELETE FROM string_sets WHERE athlete_id = $1 AND set_name = $2 AND member = $3",
            &[&athlete.0, &set.as_str(), &value],
        )?;
        Ok(deleted > 0)
    }

    fn set_members(&self, athlete: AthleteId, set: StringSet) -> StoreResult<Vec<String>> {
        let rows = self.query(
            "reading a set",
            "SELECT member FROM string_sets WHERE athlete_id = $1 AND set_name = $2
             ORDER BY member",
            &[&athlete.0, &set.as_str()],
        )?;
        rows.iter().map(|row| column(row, 0)).collect()
    }

    fn save_plan(&self, athlete: AthleteId, json: &str) -> StoreResult<()> {
        text::check("plan", json)?;
        let context = "saving the plan";
        self.write(context, athlete, false, |session| {
            session
                .execute(
                    "INSERT INTO plans (athlete_id, plan_json, saved_ms) VALUES ($1, $2, $3)
                     ON CONFLICT (athlete_id) DO UPDATE SET
                         plan_json = EXCLUDED.plan_json, saved_ms = EXCLUDED.saved_ms",
                    &[&athlete.0, &json, &now_ms()],
                )
                .map_err(db(context))?;
            Ok(())
        })
    }

    fn load_plan(&self, athlete: AthleteId) -> StoreResult<Option<String>> {
        let rows = self.query(
            "loading the plan",
            "SELECT plan_json FROM plans WHERE athlete_id = $1",
            &[&athlete.0],
        )?;
        rows.first().map(|row| column(row, 0)).transpose()
    }

    fn set_setting(&self, athlete: AthleteId, key: &str, value: Option<&str>) -> StoreResult<()> {
        text::check("setting name", key)?;
        text::check_opt("setting value", value)?;
        let context = "storing a setting";
        self.write(context, athlete, false, |session| {
            match value {
                Some(value) => session.execute(
                    "INSERT INTO settings (athlete_id, key, value) VALUES ($1, $2, $3)
                     ON CONFLICT (athlete_id, key) DO UPDATE SET value = EXCLUDED.value",
                    &[&athlete.0, &key, &value],
                ),
                None => session.execute(
                    "DELETE FROM settings WHERE athlete_id = $1 AND key = $2",
                    &[&athlete.0, &key],
                ),
            }
            .map_err(db(context))?;
            Ok(())
        })
    }

    fn setting(&self, athlete: AthleteId, key: &str) -> StoreResult<Option<String>> {
        text::check("setting name", key)?;
        let rows = self.query(
            "reading a setting",
            "SELECT value FROM settings WHERE athlete_id = $1 AND key = $2",
            &[&athlete.0, &key],
        )?;
        rows.first().map(|row| column(row, 0)).transpose()
    }

    fn settings(&self, athlete: AthleteId) -> StoreResult<Vec<(String, String)>> {
        let rows = self.query(
            "reading settings",
            "SELECT key, value FROM settings WHERE athlete_id = $1 ORDER BY key",
            &[&athlete.0],
        )?;
        rows.iter()
            .map(|row| Ok((column(row, 0)?, column(row, 1)?)))
            .collect()
    }

    fn edit_activity(
        &self,
        athlete: AthleteId,
        id: ActivityId,
        edit: &ActivityEdit,
    ) -> StoreResult<bool> {
        crate::sqlite::check_edit(edit)?;
        let changed = self.execute(
            "editing an activity",
            "UPDATE activities SET
                 name = CASE WHEN $3 THEN $4 ELSE name END,
                 sport = COALESCE($5, sport),
                 rpe = CASE WHEN $6 THEN $7 ELSE rpe END,
                 exclude_from_load = COALESCE($8, exclude_from_load),
                 notes = CASE WHEN $9 THEN $10 ELSE notes END
             WHERE athlete_id = $1 AND activity_id = $2",
            &[
                &athlete.0,
                &id.0,
                &edit.name.is_some(),
                &edit.name.clone().flatten(),
                &edit.sport.as_ref().map(|s| s.as_str().to_owned()),
                &edit.rpe.is_some(),
                &edit.rpe.flatten(),
                &edit.exclude_from_load.map(i32::from),
                &edit.notes.is_some(),
                &edit.notes.clone().flatten(),
            ],
        )?;
        Ok(changed > 0)
    }

    fn delete_activities(&self, athlete: AthleteId, ids: &[ActivityId]) -> StoreResult<()> {
        let context = "deleting activities";
        self.write(context, athlete, true, |session| {
            for id in ids {
                let Some(row) = session
                    .query_opt(
                        "SELECT file_id FROM activities WHERE athlete_id = $1 AND activity_id = $2",
                        &[&athlete.0, &id.0],
                    )
                    .map_err(db(context))?
                else {
                    return Err(StoreError::ActivityNotFound { athlete, id: *id });
                };
                if let Some(file_id) = column::<Option<i64>>(&row, 0)? {
                    session
                        .execute(
                            "UPDATE files SET activities_deleted = activities_deleted + 1
                             WHERE athlete_id = $1 AND file_id = $2",
                            &[&athlete.0, &file_id],
                        )
                        .map_err(db(context))?;
                }
                session
                    .execute(
                        "DELETE FROM activities WHERE athlete_id = $1 AND activity_id = $2",
                        &[&athlete.0, &id.0],
                    )
                    .map_err(db(context))?;
            }
            Ok(())
        })
    }

    fn has_deleted_activities(&self, athlete: AthleteId, hash: ContentHash) -> StoreResult<bool> {
        let rows = self.query(
            "looking up a file",
            "SELECT 1 FROM files
             WHERE athlete_id = $1 AND content_hash = $2 AND activities_deleted > 0",
            &[&athlete.0, &hash.to_hex()],
        )?;
        Ok(!rows.is_empty())
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
        self.write(context, athlete, true, |session| {
            let row = session
                .query_one(
                    "SELECT file_id, activities_deleted FROM files
                     WHERE athlete_id = $1 AND content_hash = $2",
                    &[&athlete.0, &hash],
                )
                .map_err(db(context))?;
            let file_id = FileId(column(&row, 0)?);
            if column::<i64>(&row, 1)? == 0 {
                // Restored by another import between the look-up and this transaction.
                return Ok(FileOutcome::AlreadyImported { file_id });
            }
            let mut outcomes = Vec::with_capacity(activities.len());
            let mut inserted = 0i64;
            for (index, (new, blob)) in activities.iter().zip(&blobs).enumerate() {
                let activity = new.activity;
                check_activity(activity).map_err(|reason| invalid(index, reason))?;
                if let Some(of) = find_duplicate(session, athlete, activity)? {
                    outcomes.push(ActivityOutcome::Duplicate { of });
                    continue;
                }
                let id =
                    insert_activity(session, athlete, Some(file_id), new.source, activity, true)
                        .map_err(|e| {
                            if is_constraint(&e) {
                                invalid(index, e.to_string())
                            } else {
                                db(context)(e)
                            }
                        })?;
                if let Some(blob) = blob {
                    session
                        .execute(
                            "INSERT INTO activity_samples (athlete_id, activity_id, samples)
                             VALUES ($1, $2, $3)",
                            &[&athlete.0, &id.0, blob],
                        )
                        .map_err(db(context))?;
                }
                inserted += 1;
                outcomes.push(ActivityOutcome::Inserted(id));
            }
            session
                .execute(
                    "UPDATE files SET activities_inserted = activities_inserted + $1,
                         activities_deleted = 0
                     WHERE athlete_id = $2 AND file_id = $3",
                    &[&inserted, &athlete.0, &file_id.0],
                )
                .map_err(db(context))?;
            Ok(FileOutcome::Imported {
                file_id,
                activities: outcomes,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_version_is_the_last_migration_and_matches_sqlite() {
        assert_eq!(MIGRATIONS.last().map(|m| m.0), Some(SCHEMA_VERSION));
        let numbers: Vec<u32> = MIGRATIONS.iter().map(|m| m.0).collect();
        let expected: Vec<u32> = (1..=SCHEMA_VERSION).collect();
        assert_eq!(
            numbers, expected,
            "migrations are numbered 1, 2, 3 … without gaps"
        );
        assert_eq!(SCHEMA_VERSION, crate::sqlite::SCHEMA_VERSION);
    }

    #[test]
    fn nan_is_bound_as_null_like_sqlite_does() {
        assert_eq!(nan_as_null(Some(f64::NAN)), None);
        assert_eq!(nan_as_null(Some(1.5)), Some(1.5));
        assert_eq!(nan_as_null(None), None);
        assert_eq!(required(f64::NAN), None);
        assert_eq!(required(f64::INFINITY), Some(f64::INFINITY));
    }

    #[test]
    fn target_names_host_port_user_and_database_but_never_the_password() {
        let config: Config = "postgres://ann:secret@db.example:6543/fettle"
            .parse()
            .expect("url");
        let target = describe(&config);
        assert_eq!(target, "postgres://ann@db.example:6543/fettle");
        let config: Config = "host=localhost user=bob".parse().expect("key=value");
        assert_eq!(describe(&config), "postgres://bob@localhost:5432/bob");
    }

    #[test]
    fn unreachable_server_says_what_to_do() {
        // Port 1 on the loopback interface: nothing listens there, the connection is refused
        // at once.
        let error = PgStore::connect("postgres://fettle@127.0.0.1:1/fettle").expect_err("refused");
        assert!(matches!(error, StoreError::Connect { .. }), "{error:?}");
        let message = error.to_string();
        assert!(
            message.starts_with("cannot connect to postgres://fettle@127.0.0.1:1/fettle:"),
            "{message}"
        );
        assert!(message.contains("is PostgreSQL running"), "{message}");
    }

    #[test]
    fn malformed_url_is_refused_with_the_expected_form() {
        let error = PgStore::connect("postgres://[::1").expect_err("malformed");
        let message = error.to_string();
        assert!(
            message.contains("postgres://user@host:port/database"),
            "{message}"
        );
    }
}
