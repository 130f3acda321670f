//! The PostgreSQL backend against the conformance suite, plus what only a server database has:
//! concurrent imports from many threads, reconnecting, and refusing a newer schema.
//!
//! The server is named by `FETTLE_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/test`). Every store gets a fresh schema
//! (`fettle_test_<pid>_<n>`, selected through the URL's `search_path` option) that is dropped
//! when the test ends, so cases never see each other's rows and tests may run in parallel.
//!
//! When no server answers, the tests print a loud SKIPPED notice and pass, so `cargo test`
//! works on a machine without PostgreSQL; with `CI` set (to anything but `false`/`0`) they fail
//! instead, because CI must test this backend.

use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use fettle_store::conformance::{self, synthetic_run};
use fettle_store::postgres::SCHEMA_VERSION;
use fettle_store::{
    Accounts, ActivityOutcome, AthleteId, ContentHash, Database, FileOutcome, NewActivity, NewFile,
    NewUser, PgStore, Role, Store, StoreError,
};
use jiff::{SignedDuration, Timestamp};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

fn server_url() -> String {
    std::env::var("FETTLE_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Fresh schemas on the test server, dropped (with everything in them) when this is dropped,
/// even after a failed assertion.
struct Scratch {
    url: String,
    admin: postgres::Client,
    schemas: Vec<String>,
}

static NEXT_SCHEMA: AtomicUsize = AtomicUsize::new(0);

impl Scratch {
    /// Connects to the test server, or returns `None` after a loud notice when there is none
    /// and CI is not set.
    fn connect(test: &str) -> Option<Scratch> {
        let url = server_url();
        match postgres::Client::connect(&url, postgres::NoTls) {
            Ok(admin) => Some(Scratch {
                url,
                admin,
                schemas: Vec::new(),
            }),
            Err(e) if !under_ci() => {
                // Written to stderr directly, not with eprintln!: the test harness captures
                // eprintln! output of passing tests, and this notice must be seen.
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "\n\
                     ************************************************************************\n\
                     SKIPPED {test}: no PostgreSQL at {url} ({e:?}).\n\
                     The PostgreSQL backend is NOT tested. Start PostgreSQL or set\n\
                     FETTLE_TEST_POSTGRES to a server's URL (under CI=true this fails).\n\
                     ************************************************************************\n"
                );
                None
            }
            Err(e) => panic!(
                "CI is set but PostgreSQL at {url} cannot be reached ({e:?}): start it (see .ci/run) \
                 or point FETTLE_TEST_POSTGRES at a server"
            ),
        }
    }

    /// A new empty schema and the URL that selects it.
    fn schema_url(&mut self) -> String {
        let schema = format!(
            "fettle_test_{}_{}",
            std::process::id(),
            NEXT_SCHEMA.fetch_add(1, Ordering::Relaxed)
        );
        self.admin
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .expect("create a scratch schema");
        self.schemas.push(schema.clone());
        let separator = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{separator}options=-csearch_path%3D{schema}", self.url)
    }

    fn store(&mut self) -> PgStore {
        let url = self.schema_url();
        PgStore::connect(&url).expect("connect to the scratch schema")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for schema in &self.schemas {
            if let Err(e) = self
                .admin
                .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            {
                eprintln!("could not drop scratch schema {schema}: {e}");
            }
        }
    }
}

#[test]
fn postgres_passes_the_conformance_suite() {
    let Some(scratch) = Scratch::connect("postgres_passes_the_conformance_suite") else {
        return;
    };
    let scratch = std::cell::RefCell::new(scratch);
    conformance::run_all(|| Box::new(scratch.borrow_mut().store()) as Box<dyn Store>);
}

#[test]
fn postgres_passes_the_accounts_conformance_suite() {
    let Some(scratch) = Scratch::connect("postgres_passes_the_accounts_conformance_suite") else {
        return;
    };
    let scratch = std::cell::RefCell::new(scratch);
    conformance::run_accounts(|| Box::new(scratch.borrow_mut().store()) as Box<dyn Database>);
}

#[test]
fn reconnecting_keeps_data_schema_and_default_athlete() {
    let Some(mut scratch) = Scratch::connect("reconnecting_keeps_data_schema_and_default_athlete")
    else {
        return;
    };
    let url = scratch.schema_url();
    let athlete = {
        let store = PgStore::connect(&url).expect("first connect");
        assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
        let athlete = store.default_athlete().expect("athlete");
        store
            .set_setting(athlete, "units", Some("metric"))
            .expect("setting");
        athlete
    };
    let store = PgStore::connect(&url).expect("second connect");
    assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
    assert_eq!(store.default_athlete().expect("athlete"), athlete);
    assert_eq!(
        store.setting(athlete, "units").expect("setting").as_deref(),
        Some("metric")
    );
    let schema = scratch.schemas.last().cloned().expect("schema");
    let versions: i64 = scratch
        .admin
        .query_one(
            &format!("SELECT COUNT(*) FROM {schema}.schema_version"),
            &[],
        )
        .expect("count")
        .get(0);
    assert_eq!(
        versions,
        i64::from(SCHEMA_VERSION),
        "each migration recorded once"
    );
    let athletes: i64 = scratch
        .admin
        .query_one(&format!("SELECT COUNT(*) FROM {schema}.athletes"), &[])
        .expect("count")
        .get(0);
    assert_eq!(athletes, 1, "the default athlete is created once");
}

#[test]
fn a_database_from_a_newer_fettle_is_refused_and_left_untouched() {
    let Some(mut scratch) = Scratch::connect("a_database_from_a_newer_fettle_is_refused") else {
        return;
    };
    let url = scratch.schema_url();
    drop(PgStore::connect(&url).expect("first connect"));
    let schema = scratch.schemas.last().cloned().expect("schema");
    let newer = i32::try_from(SCHEMA_VERSION).expect("small") + 1;
    scratch
        .admin
        .execute(
            &format!("INSERT INTO {schema}.schema_version (version, applied_ms) VALUES ($1, 0)"),
            &[&newer],
        )
        .expect("pretend a newer Fettle migrated");
    let error = PgStore::connect(&url).expect_err("newer schema");
    assert!(error.is_newer_schema(), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("upgrade fettle"), "{message}");
    assert!(
        !message.contains("options="),
        "the target names the server, not the URL options: {message}"
    );
    let versions: i64 = scratch
        .admin
        .query_one(
            &format!("SELECT COUNT(*) FROM {schema}.schema_version"),
            &[],
        )
        .expect("count")
        .get(0);
    // Every migration of this program plus the pretended newer one.
    assert_eq!(
        versions,
        i64::from(SCHEMA_VERSION) + 1,
        "nothing was added or removed"
    );
}

#[test]
fn wrong_database_name_fails_with_a_connect_error() {
    let Some(_scratch) = Scratch::connect("wrong_database_name_fails_with_a_connect_error") else {
        return;
    };
    let url = server_url();
    let Some((base, _)) = url.rsplit_once('/') else {
        panic!("FETTLE_TEST_POSTGRES has no database part: {url}");
    };
    let error =
        PgStore::connect(&format!("{base}/fettle_no_such_database")).expect_err("no such database");
    assert!(matches!(error, StoreError::Connect { .. }), "{error:?}");
    assert!(
        error.to_string().contains("fettle_no_such_database"),
        "{error}"
    );
}

const HOUR_S: u32 = 3600;
const THREADS: usize = 6;

fn file(hash: u128, source: &str) -> NewFile {
    NewFile {
        content_hash: ContentHash(hash),
        source: source.to_owned(),
        size_bytes: 1000,
    }
}

/// Six threads start together. Each imports its own file for its own athlete (which must all
/// be stored), the same file for a shared athlete (which must be stored exactly once, the
/// others seeing `AlreadyImported`), and a different file holding the same session for the
/// shared athlete (which must be inserted by exactly one file and be a duplicate in the rest).
#[test]
fn concurrent_imports_lose_and_duplicate_nothing() {
    let Some(mut scratch) = Scratch::connect("concurrent_imports_lose_and_duplicate_nothing")
    else {
        return;
    };
    let store = Arc::new(scratch.store());
    let shared = store.default_athlete().expect("athlete");
    let own: Vec<AthleteId> = (0..THREADS)
        .map(|i| {
            store
                .create_athlete(&format!("runner-{i}"))
                .expect("athlete")
        })
        .collect();
    let monday = Timestamp::from_second(1_767_600_000).expect("instant");
    let same_file_run = synthetic_run(monday, HOUR_S, 1);
    let same_session_run = synthetic_run(monday + SignedDuration::from_hours(5), HOUR_S, 2);
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
            let (same_file_run, same_session_run) =
                (same_file_run.clone(), same_session_run.clone());
            let athlete = own[i];
            std::thread::spawn(move || {
                let own_runs: Vec<_> = (0..3)
                    .map(|day| {
                        synthetic_run(
                            monday + SignedDuration::from_hours(24 * day),
                            HOUR_S,
                            10 + i as u64,
                        )
                    })
                    .collect();
                barrier.wait();
                let mut outcomes = Vec::new();
                for (day, run) in own_runs.iter().enumerate() {
                    let source = format!("own-{i}-{day}.fit");
                    let new = [NewActivity {
                        activity: run,
                        source: &source,
                    }];
                    let outcome = store
                        .import_file(athlete, &file(100 + day as u128, &source), &new)
                        .expect("own import");
                    assert!(
                        matches!(outcome, FileOutcome::Imported { .. }),
                        "{outcome:?}"
                    );
                }
                let new = [NewActivity {
                    activity: &same_file_run,
                    source: "same.fit",
                }];
                outcomes.push(
                    store
                        .import_file(shared, &file(7, "same.fit"), &new)
                        .expect("same file"),
                );
                let source = format!("device-{i}.fit");
                let new = [NewActivity {
                    activity: &same_session_run,
                    source: &source,
                }];
                outcomes.push(
                    store
                        .import_file(shared, &file(1000 + i as u128, &source), &new)
                        .expect("same session"),
                );
                outcomes
            })
        })
        .collect();
    let outcomes: Vec<Vec<FileOutcome>> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();

    for athlete in &own {
        let counts = store.counts(*athlete).expect("counts");
        assert_eq!(
            (counts.activities, counts.files),
            (3, 3),
            "athlete {athlete}"
        );
        // synthetic_run records both ends of its duration: 3,601 samples an hour.
        assert_eq!(counts.samples, 3 * (u64::from(HOUR_S) + 1));
    }
    let same_file: Vec<&FileOutcome> = outcomes.iter().map(|o| &o[0]).collect();
    let imported = same_file
        .iter()
        .filter(|o| matches!(o, FileOutcome::Imported { .. }))
        .count();
    assert_eq!(
        imported, 1,
        "the same bytes are imported once: {same_file:?}"
    );
    let same_session: Vec<ActivityOutcome> = outcomes
        .iter()
        .map(|o| match &o[1] {
            FileOutcome::Imported { activities, .. } => activities[0],
            other => panic!("a distinct file is imported: {other:?}"),
        })
        .collect();
    let inserted: Vec<_> = same_session
        .iter()
        .filter_map(|o| match o {
            ActivityOutcome::Inserted(id) => Some(*id),
            ActivityOutcome::Duplicate { .. } => None,
        })
        .collect();
    assert_eq!(
        inserted.len(),
        1,
        "one file wins the session: {same_session:?}"
    );
    for outcome in &same_session {
        if let ActivityOutcome::Duplicate { of } = outcome {
            assert_eq!(*of, inserted[0]);
        }
    }
    // Shared athlete: one activity from the shared file, one from the shared session; one
    // record for the shared file plus one per device file.
    let counts = store.counts(shared).expect("counts");
    assert_eq!((counts.activities, counts.files), (2, 1 + THREADS as u64));
}

/// Six threads create an account for the same address at once: exactly one succeeds, every
/// other one gets `Conflict` (not a database error), and one partition of that name exists.
#[test]
fn concurrent_sign_ups_for_one_address_create_one_account() {
    let Some(mut scratch) = Scratch::connect("concurrent_sign_ups_for_one_address") else {
        return;
    };
    let store = Arc::new(scratch.store());
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                store.create_user(
                    &NewUser {
                        email: "ann@example.com",
                        role: Role::Athlete,
                        password_hash: "$argon2id$ann",
                    },
                    Timestamp::from_second(1_767_600_000).expect("instant"),
                )
            })
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    let created: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(created.len(), 1, "{results:?}");
    for result in &results {
        assert!(
            matches!(result, Ok(_) | Err(StoreError::Conflict(_))),
            "{result:?}"
        );
    }
    assert_eq!(store.users().expect("users"), vec![created[0].clone()]);
    assert_eq!(
        store.create_athlete("ann@example.com").expect("same name"),
        created[0].athlete
    );
}

/// `fettle_store::open` with a `postgres://` or `postgresql://` URL opens this server's
/// database: what one opening stores, the other (and a plain `PgStore`) reads.
#[test]
fn open_with_a_postgres_url_uses_postgres() {
    let Some(mut scratch) = Scratch::connect("open_with_a_postgres_url_uses_postgres") else {
        return;
    };
    let url = scratch.schema_url();
    let Some(rest) = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
    else {
        panic!("FETTLE_TEST_POSTGRES is not a postgres:// URL: {url}");
    };
    let first = fettle_store::open(&format!("postgres://{rest}")).expect("postgres://");
    let ann = first
        .create_user(
            &NewUser {
                email: "ann@example.com",
                role: Role::Athlete,
                password_hash: "$argon2id$ann",
            },
            Timestamp::from_second(1_767_600_000).expect("instant"),
        )
        .expect("create user");
    let second = fettle_store::open(&format!("postgresql://{rest}")).expect("postgresql://");
    assert_eq!(
        second.user_by_email("ann@example.com").expect("lookup"),
        Some(ann.clone())
    );
    let plain = PgStore::connect(&url).expect("connect");
    assert_eq!(plain.schema_version().expect("version"), SCHEMA_VERSION);
    assert_eq!(plain.user(ann.id).expect("lookup"), Some(ann));
}

/// One table as both catalogues describe it, in terms both share.
#[derive(Debug, Default, PartialEq)]
struct TableShape {
    /// Column → (kind, NOT NULL).
    columns: std::collections::BTreeMap<String, (&'static str, bool)>,
    primary_key: Vec<String>,
    /// Column lists of UNIQUE constraints.
    unique: std::collections::BTreeSet<Vec<String>>,
    /// (columns, parent table, parent columns, ON DELETE action).
    foreign_keys: std::collections::BTreeSet<(Vec<String>, String, Vec<String>, String)>,
    /// Index name → every column it holds (key and included; PostgreSQL's INCLUDE covers what
    /// SQLite's extra key columns cover).
    indexes: std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
    /// How many CHECK constraints.
    checks: usize,
}

type SchemaShape = std::collections::BTreeMap<String, TableShape>;

/// The shared kind of a column type: PostgreSQL's BIGINT/INTEGER and SQLite's INTEGER/BIGINT
/// are integers, a PostgreSQL BOOLEAN is an integer 0/1 in SQLite (the migrations' headers),
/// BYTEA is SQLite's BLOB.
fn kind(declared: &str) -> &'static str {
    match declared.to_ascii_lowercase().as_str() {
        "integer" | "bigint" | "smallint" | "boolean" => "integer",
        "double precision" | "real" => "real",
        "text" => "text",
        "blob" | "bytea" => "bytes",
        other => panic!("a column type the schemas should not use: {other}"),
    }
}

fn sqlite_shape(path: &std::path::Path) -> SchemaShape {
    let db = rusqlite::Connection::open(path).expect("open the SQLite file");
    let strings = |sql: &str, table: &str| -> Vec<Vec<String>> {
        let mut stmt = db.prepare(sql).expect("catalogue query");
        let width = stmt.column_count();
        stmt.query_map([table], |row| {
            (0..width)
                .map(|i| {
                    let value: rusqlite::types::Value = row.get(i)?;
                    Ok(match value {
                        rusqlite::types::Value::Text(t) => t,
                        rusqlite::types::Value::Integer(i) => i.to_string(),
                        rusqlite::types::Value::Null => String::new(),
                        other => format!("{other:?}"),
                    })
                })
                .collect()
        })
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("row")
    };
    let tables = strings(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name <> ?1 ORDER BY name",
        "sqlite_sequence",
    );
    let mut schema = SchemaShape::new();
    for table in tables {
        let (name, sql) = (&table[0], &table[1]);
        let mut shape = TableShape::default();
        let mut pk: Vec<(i64, String)> = Vec::new();
        for c in strings(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1)",
            name,
        ) {
            let key: i64 = c[3].parse().expect("pk");
            // A primary key column is NOT NULL in PostgreSQL (SQLite's rowid alias is too).
            shape
                .columns
                .insert(c[0].clone(), (kind(&c[1]), c[2] == "1" || key > 0));
            if key > 0 {
                pk.push((key, c[0].clone()));
            }
        }
        pk.sort();
        shape.primary_key = pk.into_iter().map(|(_, c)| c).collect();
        for index in strings(
            "SELECT name, origin FROM pragma_index_list(?1) WHERE origin <> 'pk'",
            name,
        ) {
            let columns: Vec<String> = strings(
                "SELECT name FROM pragma_index_info(?1) ORDER BY seqno",
                &index[0],
            )
            .into_iter()
            .map(|r| r[0].clone())
            .collect();
            if index[1] == "u" {
                shape.unique.insert(columns);
            } else {
                shape
                    .indexes
                    .insert(index[0].clone(), columns.into_iter().collect());
            }
        }
        let mut foreign: std::collections::BTreeMap<
            i64,
            (Vec<String>, String, Vec<String>, String),
        > = std::collections::BTreeMap::new();
        for fk in strings(
            "SELECT id, \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list(?1)
             ORDER BY id, seq",
            name,
        ) {
            let entry = foreign
                .entry(fk[0].parse().expect("id"))
                .or_insert_with(|| (Vec::new(), fk[1].clone(), Vec::new(), fk[4].clone()));
            entry.0.push(fk[2].clone());
            entry.2.push(fk[3].clone());
        }
        shape.foreign_keys = foreign.into_values().collect();
        shape.checks = sql.matches("CHECK (").count() + sql.matches("CHECK(").count();
        schema.insert(name.clone(), shape);
    }
    schema
}

fn postgres_shape(client: &mut postgres::Client, schema_name: &str) -> SchemaShape {
    let rows = |client: &mut postgres::Client, sql: &str| -> Vec<Vec<String>> {
        client
            .query(sql, &[&schema_name])
            .expect("catalogue query")
            .iter()
            .map(|row| (0..row.len()).map(|i| row.get::<_, String>(i)).collect())
            .collect()
    };
    let mut schema = SchemaShape::new();
    for t in rows(
        client,
        "SELECT table_name::TEXT FROM information_schema.tables
         WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
    ) {
        schema.insert(t[0].clone(), TableShape::default());
    }
    for c in rows(
        client,
        "SELECT table_name::TEXT, column_name::TEXT, data_type::TEXT, is_nullable::TEXT
         FROM information_schema.columns WHERE table_schema = $1",
    ) {
        let table = schema.get_mut(&c[0]).expect("a column of a known table");
        table
            .columns
            .insert(c[1].clone(), (kind(&c[2]), c[3] == "NO"));
    }
    // Constraints: p(rimary), u(nique), f(oreign), c(heck), with their columns in order.
    for k in rows(
        client,
        "SELECT t.relname::TEXT, c.contype::TEXT,
             COALESCE(ARRAY_TO_STRING(ARRAY(SELECT a.attname FROM UNNEST(c.conkey)
                 WITH ORDINALITY AS k(n, i) JOIN pg_attribute a
                 ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i), ','), ''),
             COALESCE(p.relname::TEXT, ''),
             COALESCE(ARRAY_TO_STRING(ARRAY(SELECT a.attname FROM UNNEST(c.confkey)
                 WITH ORDINALITY AS k(n, i) JOIN pg_attribute a
                 ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i), ','), ''),
             c.confdeltype::TEXT
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
         LEFT JOIN pg_class p ON p.oid = c.confrelid
         WHERE t.relnamespace = $1::TEXT::REGNAMESPACE",
    ) {
        let table = schema
            .get_mut(&k[0])
            .expect("a constraint of a known table");
        let columns: Vec<String> = k[2].split(',').map(str::to_owned).collect();
        match k[1].as_str() {
            "p" => table.primary_key = columns,
            "u" => {
                table.unique.insert(columns);
            }
            "f" => {
                let on_delete = match k[5].as_str() {
                    "c" => "CASCADE",
                    "n" => "SET NULL",
                    "r" => "RESTRICT",
                    "d" => "SET DEFAULT",
                    _ => "NO ACTION",
                };
                table.foreign_keys.insert((
                    columns,
                    k[3].clone(),
                    k[4].split(',').map(str::to_owned).collect(),
                    on_delete.to_owned(),
                ));
            }
            "c" => table.checks += 1,
            _ => {}
        }
    }
    // Indexes that do not back a constraint (those are compared as constraints above).
    for i in rows(
        client,
        "SELECT t.relname::TEXT, i.relname::TEXT,
             ARRAY_TO_STRING(ARRAY(SELECT a.attname FROM UNNEST(x.indkey) AS k(n)
                 JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n), ',')
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         WHERE t.relnamespace = $1::TEXT::REGNAMESPACE
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
    ) {
        let table = schema.get_mut(&i[0]).expect("an index of a known table");
        table
            .indexes
            .insert(i[1].clone(), i[2].split(',').map(str::to_owned).collect());
    }
    schema
}

/// The two migration folders describe one schema: every table with the same columns (in the
/// shared kinds, nullability), primary keys, unique constraints, foreign keys with their
/// ON DELETE, indexes and number of CHECK constraints, read from each engine's own catalogue
/// after all migrations ran.
#[test]
fn sqlite_and_postgres_migrations_build_the_same_schema() {
    let Some(mut scratch) =
        Scratch::connect("sqlite_and_postgres_migrations_build_the_same_schema")
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("schema.sqlite");
    drop(fettle_store::SqliteStore::open(&path).expect("migrate SQLite"));
    let sqlite = sqlite_shape(&path);

    drop(scratch.store());
    let schema_name = scratch.schemas.last().expect("a scratch schema").clone();
    let postgres = postgres_shape(&mut scratch.admin, &schema_name);

    // The catalogues were read, not found empty: known parts of the schema are there.
    let activities = &sqlite["activities"];
    assert_eq!(activities.primary_key, ["activity_id"]);
    assert_eq!(activities.indexes["activities_by_start"].len(), 9);
    assert_eq!(activities.columns["loads_json"], ("text", false));
    assert!(
        sqlite["laps"].foreign_keys.contains(&(
            vec!["athlete_id".to_owned(), "activity_id".to_owned()],
            "activities".to_owned(),
            vec!["athlete_id".to_owned(), "activity_id".to_owned()],
            "CASCADE".to_owned()
        )),
        "{:?}",
        sqlite["laps"].foreign_keys
    );
    assert!(sqlite["users"].unique.contains(&vec!["email".to_owned()]));
    assert!(sqlite["memberships"].checks >= 2);
    assert_eq!(
        sqlite.keys().collect::<Vec<_>>(),
        postgres.keys().collect::<Vec<_>>(),
        "the same tables"
    );
    for (table, shape) in &sqlite {
        assert_eq!(
            shape, &postgres[table],
            "table {table}: SQLite (left) against PostgreSQL"
        );
    }
}

/// Schema 4 moves each load method's value from its column into `loads_json`: a schema 3
/// database's values come through and read back by method name.
#[test]
fn a_schema_3_database_keeps_its_loads_as_method_values() {
    let Some(mut scratch) =
        Scratch::connect("a_schema_3_database_keeps_its_loads_as_method_values")
    else {
        return;
    };
    let url = scratch.schema_url();
    let schema = scratch.schemas.last().expect("a scratch schema").clone();
    let mut old = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    old.batch_execute(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_ms BIGINT NOT NULL)",
    )
    .expect("version table");
    for (version, sql) in [
        (1, include_str!("../migrations/postgres/0001_initial.sql")),
        (2, include_str!("../migrations/postgres/0002_accounts.sql")),
        (
            3,
            include_str!("../migrations/postgres/0003_corrections.sql"),
        ),
    ] {
        old.batch_execute(sql).expect("an old migration");
        old.execute("INSERT INTO schema_version VALUES ($1, 0)", &[&version])
            .expect("record it");
    }
    old.batch_execute(
        "INSERT INTO athletes (name, created_ms) VALUES ('default', 0);
         INSERT INTO activities (athlete_id, source, start_ms, end_ms, sport, elapsed_s,
             timer_s, sample_count, lap_count, load_trimp, load_srpe, load_hrtss, load,
             load_method)
         SELECT athlete_id, 'a.fit', 0, 3600000, 'running', 3600, 3600, 0, 0, 95.53333333333333, NULL,
             55.5, 55.5, 'hrtss' FROM athletes",
    )
    .expect("an activity with loads in schema 3");
    drop(old);

    let store = PgStore::connect(&url).expect("upgrade to the current schema");
    assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
    let athlete = store.default_athlete().expect("athlete");
    let listed = store
        .list_activities(athlete, &fettle_store::ActivityFilter::default())
        .expect("list");
    let loads = listed[0].loads.as_ref().expect("loads");
    assert_eq!(loads.methods.len(), 2, "{loads:?} in {schema}");
    assert_eq!(loads.get("trimp"), Some(95.533_333_333_333_33));
    assert_eq!(loads.get("hrtss"), Some(55.5));
    assert_eq!(loads.get("srpe"), None);
    assert_eq!((loads.load, loads.method.as_str()), (55.5, "hrtss"));
}
