//! The PostgreSQL backend: the same behaviour as the SQLite one (pinned by the `conformance`
//! suite), over an [`r2d2`](r2d2_postgres::r2d2) pool of synchronous `postgres` connections so
//! that many threads (the web server's `spawn_blocking` workers) use the database at once.
//!
//! This is the PostgreSQL adapter of the [`sql`](crate::sql) layer, which holds every query:
//! here are only the pool, transactions, the rewriting of the shared SQL (`?N` to `$N`, the
//! `/*pg: …*/` row locks) and how values are bound by the type the server inferred.
//!
//! Differences from SQLite that matter, and how they are handled:
//! - **Concurrency.** SQLite has one writer; here several transactions run at once. An import
//!   locks its athlete's row (`SELECT … FOR NO KEY UPDATE`) before the duplicate check, so two
//!   imports for the same athlete run one after the other (the second sees the first's
//!   activities and file record), while imports for different athletes and every other write
//!   (whose foreign keys only take `FOR KEY SHARE` on the athlete row) proceed in parallel.
//!   `UNIQUE (athlete_id, content_hash)` backs the rule up.
//! - **NaN.** SQLite turns a bound NaN into NULL; PostgreSQL would store it. Every float is
//!   bound as NULL when it is NaN, so an optional NaN reads back as `None` and a required one
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
use std::error::Error as _;
use std::time::Duration;

use postgres::config::Host;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, Config, GenericClient, NoTls, Statement};
use r2d2_postgres::PostgresConnectionManager;
use r2d2_postgres::r2d2::{self, ManageConnection, PooledConnection};

use crate::error::{StoreError, StoreResult};
use crate::sql::{
    Backend, Cell, DbError, DbErrorKind, Exec, SqlRow, SqlStore, Value, find_column, migrate,
};

/// The numbered migrations, in order. Never edit a released one: add the next.
const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_initial.sql")),
    (2, include_str!("../migrations/postgres/0002_accounts.sql")),
    (
        3,
        include_str!("../migrations/postgres/0003_corrections.sql"),
    ),
    (
        4,
        include_str!("../migrations/postgres/0004_loads_as_data.sql"),
    ),
];

/// The schema version this program writes (the last migration's number); the same numbering
/// as the SQLite backend's.
pub const SCHEMA_VERSION: u32 = 4;

/// The most connections one [`PgStore`] keeps open. Enough for the web server's concurrent
/// requests on a small machine; PostgreSQL's default limit is 100 connections in all.
pub const POOL_SIZE: u32 = 8;

/// How long a caller waits for a free pooled connection before failing.
pub const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(30);

/// The key of the transaction-level advisory lock held while migrating ("fettle" in ASCII), so
/// that concurrent first opens of one database migrate one after the other.
const MIGRATION_LOCK: &str = "SELECT pg_advisory_xact_lock(112585931517029)";

/// The PostgreSQL [`Store`](crate::Store) and [`Accounts`](crate::Accounts).
pub type PgStore = SqlStore<PgBackend>;

/// The connection pool behind a [`PgStore`].
pub struct PgBackend {
    pool: r2d2::Pool<Manager>,
    target: String,
}

impl std::fmt::Debug for PgBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl SqlStore<PgBackend> {
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
        let mut connection = PgConnection {
            client: config.connect(NoTls).map_err(|e| StoreError::Connect {
                target: target.clone(),
                reason: with_cause(&e),
            })?,
            statements: HashMap::new(),
        };
        let default_athlete = {
            let fail = |e: postgres::Error| StoreError::Open {
                path: target.clone(),
                reason: e.to_string(),
            };
            let mut tx = connection.client.transaction().map_err(fail)?;
            let mut exec = PgExec {
                client: &mut tx,
                statements: &mut connection.statements,
            };
            let athlete = migrate(&mut exec, &target, MIGRATIONS, Some(MIGRATION_LOCK))?;
            tx.commit().map_err(fail)?;
            athlete
        };
        // Connections are opened when first needed and then kept; one whose socket closed
        // (a server restart) is dropped when it comes back, and the next caller opens a fresh one.
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(0))
            .connection_timeout(CHECKOUT_TIMEOUT)
            .test_on_check_out(false)
            .build_unchecked(Manager(PostgresConnectionManager::new(config, NoTls)));
        Ok(SqlStore {
            backend: PgBackend { pool, target },
            default_athlete,
        })
    }

    /// The server and database this store talks to (`postgres://user@host:port/db`, never
    /// the password).
    pub fn target(&self) -> &str {
        &self.backend.target
    }
}

impl PgBackend {
    fn get(&self) -> StoreResult<PooledConnection<Manager>> {
        self.pool.get().map_err(|e| StoreError::Connect {
            target: self.target.clone(),
            reason: format!(
                "no connection of the pool ({POOL_SIZE} at most) became free or could be opened \
                 within {CHECKOUT_TIMEOUT:?}: {e}"
            ),
        })
    }
}

impl Backend for PgBackend {
    fn with_connection<T>(
        &self,
        _context: &'static str,
        work: impl FnOnce(&mut dyn Exec) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut connection = self.get()?;
        let PgConnection { client, statements } = &mut *connection;
        work(&mut PgExec { client, statements })
    }

    fn transaction<T>(
        &self,
        context: &'static str,
        work: impl FnOnce(&mut dyn Exec) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut connection = self.get()?;
        let PgConnection { client, statements } = &mut *connection;
        let mut tx = client
            .transaction()
            .map_err(|e| driver_error(&e).into_store(context))?;
        let value = work(&mut PgExec {
            client: &mut tx,
            statements,
        })?;
        tx.commit()
            .map_err(|e| driver_error(&e).into_store(context))?;
        Ok(value)
    }
}

/// One pooled connection with its prepared statements, by the shared SQL's text.
struct PgConnection {
    client: Client,
    statements: HashMap<&'static str, Statement>,
}

/// `r2d2_postgres`'s manager, with a statement cache added to each connection.
struct Manager(PostgresConnectionManager<NoTls>);

impl ManageConnection for Manager {
    type Connection = PgConnection;
    type Error = postgres::Error;

    fn connect(&self) -> Result<PgConnection, postgres::Error> {
        Ok(PgConnection {
            client: self.0.connect()?,
            statements: HashMap::new(),
        })
    }

    fn is_valid(&self, connection: &mut PgConnection) -> Result<(), postgres::Error> {
        self.0.is_valid(&mut connection.client)
    }

    fn has_broken(&self, connection: &mut PgConnection) -> bool {
        connection.client.is_closed()
    }
}

/// A connection or transaction running the [`sql`](crate::sql) layer's statements, each
/// prepared once per connection (saving a round trip on every later use).
struct PgExec<'a, C> {
    client: &'a mut C,
    statements: &'a mut HashMap<&'static str, Statement>,
}

impl<C: GenericClient> PgExec<'_, C> {
    fn statement(&mut self, sql: &'static str) -> Result<Statement, DbError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self
            .client
            .prepare(&to_postgres(sql))
            .map_err(|e| driver_error(&e))?;
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }
}

impl<C: GenericClient> Exec for PgExec<'_, C> {
    fn execute(&mut self, sql: &'static str, params: &[Value<'_>]) -> Result<u64, DbError> {
        let statement = self.statement(sql)?;
        let params: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.client
            .execute(&statement, &params)
            .map_err(|e| driver_error(&e))
    }

    fn query(
        &mut self,
        sql: &'static str,
        params: &[Value<'_>],
        each: &mut dyn FnMut(&dyn SqlRow) -> Result<(), DbError>,
    ) -> Result<(), DbError> {
        let statement = self.statement(sql)?;
        let params: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let rows = self
            .client
            .query(&statement, &params)
            .map_err(|e| driver_error(&e))?;
        let hint = std::cell::Cell::new(0);
        for row in &rows {
            each(&PgRow { row, hint: &hint })?;
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.client.batch_execute(sql).map_err(|e| driver_error(&e))
    }
}

/// The shared SQL in PostgreSQL's dialect: `?N` placeholders become `$N`, and the row locks
/// written as `/*pg: …*/` comments (which SQLite ignores) become clauses.
fn to_postgres(sql: &str) -> String {
    let sql = sql.replace("/*pg: ", "").replace("*/", "");
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

/// Binds a [`Value`] as the type the server inferred for the parameter: integers narrowed to
/// the column's width (an out-of-range value is an error, never truncated), booleans to
/// `BOOLEAN` or 0/1, NaN as `NULL` (as SQLite does).
impl ToSql for Value<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match *self {
            Value::Null => Ok(IsNull::Yes),
            Value::Real(v) if v.is_nan() => Ok(IsNull::Yes),
            Value::Real(v) if *ty == Type::FLOAT4 => {
                #[allow(clippy::cast_possible_truncation)] // a FLOAT4 column holds an f32
                (v as f32).to_sql(ty, out)
            }
            Value::Real(v) => v.to_sql(ty, out),
            Value::Bool(v) => int_as(i64::from(v), ty, out),
            Value::Int(v) => int_as(v, ty, out),
            Value::Text(v) => v.to_sql(ty, out),
            Value::Blob(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn int_as(
    value: i64,
    ty: &Type,
    out: &mut postgres::types::private::BytesMut,
) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
    match *ty {
        Type::BOOL => (value != 0).to_sql(ty, out),
        Type::INT2 => i16::try_from(value)?.to_sql(ty, out),
        Type::INT4 => i32::try_from(value)?.to_sql(ty, out),
        #[allow(clippy::cast_precision_loss)] // a float column given a count
        Type::FLOAT8 => (value as f64).to_sql(ty, out),
        _ => value.to_sql(ty, out),
    }
}

/// A row read by column name.
struct PgRow<'r> {
    row: &'r postgres::Row,
    hint: &'r std::cell::Cell<usize>,
}

impl SqlRow for PgRow<'_> {
    fn cell(&self, name: &str) -> Result<Cell<'_>, DbError> {
        let columns = self.row.columns();
        let index = find_column(columns.len(), |i| columns[i].name(), self.hint, name)
            .ok_or_else(|| DbError::new(DbErrorKind::Other, format!("no column {name}")))?;
        let ty = columns[index].type_().clone();
        let corrupt = |e: postgres::Error| DbError::corrupt(format!("column {name}: {e}"));
        let cell = match ty {
            Type::INT2 => self
                .row
                .try_get::<_, Option<i16>>(index)
                .map(|v| v.map(i64::from)),
            Type::INT4 => self
                .row
                .try_get::<_, Option<i32>>(index)
                .map(|v| v.map(i64::from)),
            Type::INT8 => self.row.try_get::<_, Option<i64>>(index),
            Type::BOOL => self
                .row
                .try_get::<_, Option<bool>>(index)
                .map(|v| v.map(i64::from)),
            Type::FLOAT4 | Type::FLOAT8 => {
                let value = if ty == Type::FLOAT4 {
                    self.row
                        .try_get::<_, Option<f32>>(index)
                        .map(|v| v.map(f64::from))
                } else {
                    self.row.try_get::<_, Option<f64>>(index)
                };
                return Ok(value.map_err(corrupt)?.map_or(Cell::Null, Cell::Real));
            }
            Type::BYTEA => {
                let value: Option<&[u8]> = self.row.try_get(index).map_err(corrupt)?;
                return Ok(value.map_or(Cell::Null, Cell::Blob));
            }
            _ => {
                let value: Option<&str> = self.row.try_get(index).map_err(corrupt)?;
                return Ok(value.map_or(Cell::Null, Cell::Text));
            }
        };
        Ok(cell.map_err(corrupt)?.map_or(Cell::Null, Cell::Int))
    }
}

/// What a driver error means for the store.
fn driver_error(error: &postgres::Error) -> DbError {
    let kind = if error.is_closed() {
        DbErrorKind::Lost
    } else if error
        .code()
        .is_some_and(|code| code.code().starts_with("23"))
    {
        // SQLSTATE class 23: integrity constraint violation.
        DbErrorKind::Constraint
    } else {
        DbErrorKind::Other
    };
    DbError::new(kind, error.to_string())
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

/// The driver's message with its cause (`error connecting to server` alone does not say
/// that the connection was refused).
fn with_cause(error: &postgres::Error) -> String {
    match error.source() {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
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
        let bind = |value: Value<'_>, ty: &Type| {
            let mut out = postgres::types::private::BytesMut::new();
            let null = value.to_sql(ty, &mut out).map(|n| matches!(n, IsNull::Yes));
            (null.ok(), out.to_vec())
        };
        assert_eq!(
            bind(Value::Real(f64::NAN), &Type::FLOAT8),
            (Some(true), vec![])
        );
        assert_eq!(
            bind(Value::Real(1.5), &Type::FLOAT8),
            (Some(false), 1.5f64.to_be_bytes().to_vec())
        );
        assert_eq!(bind(Value::Null, &Type::INT8), (Some(true), vec![]));
        // Integers take the parameter's width; one that does not fit is refused, not cut.
        assert_eq!(
            bind(Value::Int(7), &Type::INT4),
            (Some(false), 7i32.to_be_bytes().to_vec())
        );
        assert_eq!(bind(Value::Int(1 << 40), &Type::INT4).0, None);
        assert_eq!(bind(Value::Bool(true), &Type::BOOL), (Some(false), vec![1]));
    }

    #[test]
    fn shared_sql_is_rewritten_to_postgres_placeholders_and_locks() {
        assert_eq!(
            to_postgres("SELECT 1 FROM t WHERE a = ?1 AND b = ?12 /*pg: FOR UPDATE*/"),
            "SELECT 1 FROM t WHERE a = $1 AND b = $12 FOR UPDATE"
        );
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
