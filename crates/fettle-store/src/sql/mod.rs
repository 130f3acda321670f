//! The SQL both backends run, written once.
//!
//! Every query of the [`Store`](crate::Store) and [`Accounts`](crate::Accounts) traits lives in
//! [`store`] and [`accounts`], generic over a [`Backend`]: a connection source that lends an
//! [`Exec`] (run a statement with [`Value`] parameters, read [`SqlRow`]s by column name). The
//! backends ([`crate::sqlite`], [`crate::postgres`]) are thin adapters: connection handling,
//! transactions and how a driver binds and reads values.
//!
//! The SQL is written in the dialect both engines share: `?N` placeholders (the PostgreSQL
//! adapter rewrites them to `$N` once per prepared statement), `RETURNING` for new ids,
//! `INSERT … ON CONFLICT` for upserts, `CAST(?N AS TEXT)` where PostgreSQL cannot infer a
//! parameter's type. The one thing only PostgreSQL needs, row locks (SQLite has a single
//! writer), is written as a comment `/*pg: FOR UPDATE*/` that SQLite ignores and the
//! PostgreSQL adapter turns into the clause.
//!
//! Why an executor trait of our own rather than a query builder (`sea-query`): the queries are
//! fixed text, so a builder would rebuild strings on every call for no gain, and the drivers'
//! statement caches key on that text; the dialect differences are a handful of binding rules
//! (booleans, integer widths, NaN), which the adapters handle when binding by the type the
//! server inferred for each parameter.

pub(crate) mod accounts;
pub(crate) mod store;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::error::{StoreError, StoreResult};
use crate::model::AthleteId;

/// A parameter value in the types both engines share.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// SQL `NULL`.
    Null,
    /// An integer (bound to the column's width, or 0/1 to a PostgreSQL `BOOLEAN`).
    Int(i64),
    /// A float; NaN is bound as `NULL` on both engines (SQLite does so itself).
    Real(f64),
    /// A boolean (an integer 0/1 in SQLite, `BOOLEAN` or an integer in PostgreSQL).
    Bool(bool),
    /// Text.
    Text(&'a str),
    /// Bytes.
    Blob(&'a [u8]),
}

/// Conversion of Rust values to [`Value`]s (options are `NULL` when absent).
pub(crate) trait ToValue {
    fn to_value(&self) -> Value<'_>;
}

impl ToValue for Value<'_> {
    fn to_value(&self) -> Value<'_> {
        *self
    }
}

macro_rules! int_value {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value<'_> {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
int_value!(i64, i32, u32, u8);

impl ToValue for usize {
    fn to_value(&self) -> Value<'_> {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToValue for u64 {
    fn to_value(&self) -> Value<'_> {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToValue for f64 {
    fn to_value(&self) -> Value<'_> {
        Value::Real(*self)
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value<'_> {
        Value::Bool(*self)
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl ToValue for [u8] {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}

impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value<'_> {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value<'_> {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

/// The parameter list of a statement: `params![a, b, …]`.
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        &[$($crate::sql::ToValue::to_value(&$value)),*][..]
    };
}
pub(crate) use params;

/// What went wrong in the driver, in the terms the store's errors need.
#[derive(Debug)]
pub struct DbError {
    kind: DbErrorKind,
    message: String,
}

/// The kinds of [`DbError`] the store tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbErrorKind {
    /// Another program holds the lock (SQLite).
    Busy,
    /// An integrity constraint refused the row.
    Constraint,
    /// The connection to the server was lost.
    Lost,
    /// A stored value does not read back as the type expected.
    Corrupt,
    /// Anything else.
    Other,
}

impl DbError {
    /// An error of `kind` with the driver's `message`.
    pub fn new(kind: DbErrorKind, message: impl Into<String>) -> DbError {
        DbError {
            kind,
            message: message.into(),
        }
    }

    /// Damaged data: a stored value that does not read back.
    pub(crate) fn corrupt(message: impl Into<String>) -> DbError {
        DbError::new(DbErrorKind::Corrupt, message)
    }

    pub(crate) fn is_constraint(&self) -> bool {
        self.kind == DbErrorKind::Constraint
    }

    /// The store's error for this failure met while doing `context`.
    pub(crate) fn into_store(self, context: &'static str) -> StoreError {
        match self.kind {
            DbErrorKind::Busy => StoreError::Busy,
            DbErrorKind::Corrupt => {
                StoreError::Corrupt(format!("while {context}: {}", self.message))
            }
            DbErrorKind::Lost => StoreError::Backend {
                context,
                reason: format!(
                    "{} (the connection to PostgreSQL was lost: is the server still running?)",
                    self.message
                ),
            },
            DbErrorKind::Constraint | DbErrorKind::Other => StoreError::Backend {
                context,
                reason: self.message,
            },
        }
    }
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Maps a driver error met while doing `context`.
pub(crate) fn db(context: &'static str) -> impl Fn(DbError) -> StoreError {
    move |error| error.into_store(context)
}

/// A value read from a row, before it is converted to a Rust type.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'r> {
    /// SQL `NULL`.
    Null,
    /// An integer or a boolean (0/1).
    Int(i64),
    /// A float.
    Real(f64),
    /// Text.
    Text(&'r str),
    /// Bytes.
    Blob(&'r [u8]),
}

/// One result row, read by column name.
pub trait SqlRow {
    /// The value of the column called `name`.
    fn cell(&self, name: &str) -> Result<Cell<'_>, DbError>;
}

/// Conversion of a [`Cell`] into a Rust type; a mismatch is damaged data.
pub(crate) trait FromCell<'r>: Sized {
    fn from_cell(cell: Cell<'r>) -> Result<Self, String>;
}

impl<'r> FromCell<'r> for i64 {
    fn from_cell(cell: Cell<'r>) -> Result<Self, String> {
        match cell {
            Cell::Int(value) => Ok(value),
            other => Err(format!("expected an integer, found {other:?}")),
        }
    }
}

macro_rules! narrow_int_cell {
    ($($t:ty),*) => {$(
        impl<'r> FromCell<'r> for $t {
            fn from_cell(cell: Cell<'r>) -> Result<Self, String> {
                let value = i64::from_cell(cell)?;
                <$t>::try_from(value).map_err(|_| format!("{value} is out of range"))
            }
        }
    )*};
}
narrow_int_cell!(i32, u32, u64, u8);

impl<'r> FromCell<'r> for f64 {
    fn from_cell(cell: Cell<'r>) -> Result<Self, String> {
        match cell {
            Cell::Real(value) => Ok(value),
            // SQLite keeps an integral REAL as an integer only when asked; be lenient.
            #[allow(clippy::cast_precision_loss)]
            Cell::Int(value) => Ok(value as f64),
            other => Err(format!("expected a number, found {other:?}")),
        }
    }
}

impl<'r> FromCell<'r> for bool {
    fn from_cell(cell: Cell<'r>) -> Result<Self, String> {
        Ok(i64::from_cell(cell)? != 0)
    }
}

impl<'r> FromCell<'r> for &'r str {
    fn from_cell(cell: Cell<'r>) -> Result<Self, String> {
        match cell {
            Cell::Text(value) => Ok(value),
            other => Err(format!("expected text, found {other:?}")),
        }
    }
}

impl<'r> FromCell<'r> for String {
    fn from_cell(cell: Cell<'r>) -> Result<Self, String> {
        <&str>::from_cell(cell).map(str::to_owned)
    }
}

impl<'r> FromCell<'r> for &'r [u8] {
    fn from_cell(cell: Cell<'r>) -> Result<Self, String> {
        match cell {
            Cell::Blob(value) => Ok(value),
            other => Err(format!("expected bytes, found {other:?}")),
        }
    }
}

impl<'r> FromCell<'r> for Timestamp {
    fn from_cell(cell: Cell<'r>) -> Result<Self, String> {
        let ms = i64::from_cell(cell)?;
        Timestamp::from_millisecond(ms).map_err(|e| format!("instant {ms} ms is out of range: {e}"))
    }
}

impl<'r> FromCell<'r> for Date {
    fn from_cell(cell: Cell<'r>) -> Result<Self, String> {
        let text = <&str>::from_cell(cell)?;
        text.parse()
            .map_err(|e| format!("`{text}` is not a date: {e}"))
    }
}

impl<'r> FromCell<'r> for AthleteId {
    fn from_cell(cell: Cell<'r>) -> Result<Self, String> {
        i64::from_cell(cell).map(AthleteId)
    }
}

impl<'r, T: FromCell<'r>> FromCell<'r> for Option<T> {
    fn from_cell(cell: Cell<'r>) -> Result<Self, String> {
        match cell {
            Cell::Null => Ok(None),
            other => T::from_cell(other).map(Some),
        }
    }
}

impl<'r> dyn SqlRow + 'r {
    /// The column called `name` as a `T`; a `NULL` or a value of another type is damaged data.
    pub(crate) fn get<'s, T: FromCell<'s>>(&'s self, name: &str) -> Result<T, DbError> {
        T::from_cell(self.cell(name)?).map_err(|e| DbError::corrupt(format!("column {name}: {e}")))
    }
}

/// A record read from a row by column name; its column list is the `columns!` macro's arm
/// of the same name beside the impl, which every `SELECT` of the record uses.
pub(crate) trait FromRow: Sized {
    fn from_row(row: &dyn SqlRow) -> Result<Self, DbError>;
}

/// What runs statements: a connection or a transaction of one backend.
pub trait Exec {
    /// Runs a statement; returns the number of rows it changed.
    fn execute(&mut self, sql: &'static str, params: &[Value<'_>]) -> Result<u64, DbError>;

    /// Runs a query and hands every row to `each`, in order.
    fn query(
        &mut self,
        sql: &'static str,
        params: &[Value<'_>],
        each: &mut dyn FnMut(&dyn SqlRow) -> Result<(), DbError>,
    ) -> Result<(), DbError>;

    /// Runs several statements without parameters (migrations).
    fn batch(&mut self, sql: &str) -> Result<(), DbError>;
}

impl dyn Exec + '_ {
    /// Every row of a query, mapped.
    pub(crate) fn rows<T>(
        &mut self,
        sql: &'static str,
        params: &[Value<'_>],
        map: impl Fn(&dyn SqlRow) -> Result<T, DbError>,
    ) -> Result<Vec<T>, DbError> {
        let mut out = Vec::new();
        self.query(sql, params, &mut |row| {
            out.push(map(row)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row of a query, mapped, if there is one.
    pub(crate) fn row<T>(
        &mut self,
        sql: &'static str,
        params: &[Value<'_>],
        map: impl Fn(&dyn SqlRow) -> Result<T, DbError>,
    ) -> Result<Option<T>, DbError> {
        let mut out = None;
        self.query(sql, params, &mut |row| {
            if out.is_none() {
                out = Some(map(row)?);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row of a query, mapped; no row is an error.
    pub(crate) fn one_row<T>(
        &mut self,
        sql: &'static str,
        params: &[Value<'_>],
        map: impl Fn(&dyn SqlRow) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        self.row(sql, params, map)?
            .ok_or_else(|| DbError::new(DbErrorKind::Other, "the statement returned no row"))
    }

    /// Whether a query returns any row.
    pub(crate) fn exists(
        &mut self,
        sql: &'static str,
        params: &[Value<'_>],
    ) -> Result<bool, DbError> {
        Ok(self.row(sql, params, |_| Ok(()))?.is_some())
    }

    /// The value of `column` in the one row a query must return (`RETURNING id`, `COUNT(*)`).
    pub(crate) fn one<T: for<'r> FromCell<'r>>(
        &mut self,
        sql: &'static str,
        params: &[Value<'_>],
        column: &'static str,
    ) -> Result<T, DbError> {
        self.row(sql, params, |row| row.get(column))?
            .ok_or_else(|| DbError::new(DbErrorKind::Other, "the statement returned no row"))
    }
}

/// A source of connections: the one thing a backend provides besides its [`Exec`].
pub trait Backend: Send + Sync {
    /// Runs `work` on a connection outside an explicit transaction.
    fn with_connection<T>(
        &self,
        context: &'static str,
        work: impl FnOnce(&mut dyn Exec) -> StoreResult<T>,
    ) -> StoreResult<T>;

    /// Runs `work` in one transaction that takes the write lock at once where the engine has
    /// one (SQLite's `BEGIN IMMEDIATE`), committed when it returns `Ok`.
    fn transaction<T>(
        &self,
        context: &'static str,
        work: impl FnOnce(&mut dyn Exec) -> StoreResult<T>,
    ) -> StoreResult<T>;
}

/// A [`Store`](crate::Store) and [`Accounts`](crate::Accounts) over one [`Backend`]: the
/// SQLite and PostgreSQL stores are this with their adapter
/// ([`SqliteStore`](crate::SqliteStore), [`PgStore`](crate::PgStore)).
pub struct SqlStore<B> {
    pub(crate) backend: B,
    pub(crate) default_athlete: AthleteId,
}

impl<B: std::fmt::Debug> std::fmt::Debug for SqlStore<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.backend.fmt(f)
    }
}

impl<B: Backend> SqlStore<B> {
    /// Runs one statement outside an explicit transaction; returns the rows it changed.
    pub(crate) fn execute(
        &self,
        context: &'static str,
        sql: &'static str,
        params: &[Value<'_>],
    ) -> StoreResult<u64> {
        self.backend.with_connection(context, |exec| {
            exec.execute(sql, params).map_err(db(context))
        })
    }

    /// Runs one query outside an explicit transaction and maps every row.
    pub(crate) fn rows<T>(
        &self,
        context: &'static str,
        sql: &'static str,
        params: &[Value<'_>],
        map: impl Fn(&dyn SqlRow) -> Result<T, DbError>,
    ) -> StoreResult<Vec<T>> {
        self.backend.with_connection(context, |exec| {
            exec.rows(sql, params, map).map_err(db(context))
        })
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> StoreResult<u32> {
        let context = "reading the schema version";
        self.backend.with_connection(context, |exec| {
            exec.one(
                "SELECT MAX(version) AS version FROM schema_version",
                &[],
                "version",
            )
            .map_err(db(context))
        })
    }
}

/// Creates the athlete `?1` (created at `?2`) unless one of that name exists. The `NOT EXISTS`
/// keeps SQLite from writing at all when it does (an `ON CONFLICT` alone allocates an
/// AUTOINCREMENT id first, so every open would commit a write and fsync); the `ON CONFLICT`
/// makes PostgreSQL wait for a concurrent insert of the same name and then do nothing.
pub(crate) const INSERT_ATHLETE: &str = "INSERT INTO athletes (name, created_ms)
     SELECT CAST(?1 AS TEXT), CAST(?2 AS BIGINT)
     WHERE NOT EXISTS (SELECT 1 FROM athletes WHERE name = CAST(?1 AS TEXT))
     ON CONFLICT (name) DO NOTHING";

/// The name of the athlete created on first open for single-user local mode.
pub const DEFAULT_ATHLETE_NAME: &str = "default";

/// Applies pending `migrations` (numbered, in order) in the transaction `exec` and returns the
/// default athlete. `lock` is a statement run first that keeps concurrent migrations of one
/// database apart (PostgreSQL's advisory lock; SQLite's `BEGIN IMMEDIATE` already does).
pub(crate) fn migrate(
    exec: &mut dyn Exec,
    path: &str,
    migrations: &[(u32, &str)],
    lock: Option<&'static str>,
) -> StoreResult<AthleteId> {
    let supported = migrations.last().map_or(0, |&(version, _)| version);
    let fail = |e: DbError| StoreError::Open {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    if let Some(lock) = lock {
        exec.query(lock, &[], &mut |_| Ok(())).map_err(fail)?;
    }
    exec.batch(
        "CREATE TABLE IF NOT EXISTS schema_version (
             version    INTEGER PRIMARY KEY,
             applied_ms BIGINT NOT NULL
         )",
    )
    .map_err(fail)?;
    let current: u32 = exec
        .one(
            "SELECT COALESCE(MAX(version), 0) AS version FROM schema_version",
            &[],
            "version",
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
        let migration_error = |e: DbError| StoreError::Migration {
            path: path.to_owned(),
            version,
            reason: e.to_string(),
        };
        exec.batch(sql).map_err(migration_error)?;
        exec.execute(
            "INSERT INTO schema_version (version, applied_ms) VALUES (?1, ?2)",
            params![version, now],
        )
        .map_err(migration_error)?;
    }
    exec.execute(INSERT_ATHLETE, params![DEFAULT_ATHLETE_NAME, now])
        .map_err(fail)?;
    exec.one(
        "SELECT athlete_id FROM athletes WHERE name = ?1",
        params![DEFAULT_ATHLETE_NAME],
        "athlete_id",
    )
    .map_err(fail)
}

pub(crate) fn now_ms() -> i64 {
    Timestamp::now().as_millisecond()
}

/// Finds a column's index by name (`count` columns, the `i`-th called `name_at(i)`), starting
/// after the previous hit: mappers read columns in the order of their list, so this is one
/// comparison per read in the common case.
pub(crate) fn find_column<'n>(
    count: usize,
    name_at: impl Fn(usize) -> &'n str,
    hint: &std::cell::Cell<usize>,
    name: &str,
) -> Option<usize> {
    let start = hint.get().min(count);
    let found = (start..count)
        .chain(0..start)
        .find(|&i| name_at(i) == name)?;
    hint.set(if found + 1 == count { 0 } else { found + 1 });
    Some(found)
}
