//! Persistence for Fettle: the [`Store`] trait, its embedded SQLite backend ([`SqliteStore`]) and
//! its PostgreSQL backend (`PgStore`, cargo feature `postgres`).
//!
//! # Architecture
//!
//! Everything Fettle keeps goes through the synchronous, object-safe [`Store`] trait
//! (`Send + Sync`, used as `Box<dyn Store>` / `Arc<dyn Store>`; an async server calls it through
//! `spawn_blocking`). The embedded SQLite backend is the default; the PostgreSQL backend
//! implements the same trait, and the `conformance` suite (cargo feature `conformance`), run
//! against both, pins the behaviour they share. Nothing SQLite-specific crosses the trait: ids are `i64` newtypes,
//! instants are [`jiff::Timestamp`]s stored as milliseconds, local days are [`jiff::civil::Date`]s.
//!
//! The multi-user server's accounts (users and roles, login sessions, API tokens, coach–athlete
//! memberships) sit behind a second trait, [`Accounts`], implemented by both backends and pinned
//! by the same suite (`conformance::run_accounts`). [`Database`] is both traits at once
//! (`Box<dyn Database>` / `Arc<dyn Database>`, coercing to `&dyn Store` and `&dyn Accounts`);
//! [`open()`] gives one from the string a user types: a `postgres://` URL or a SQLite path.
//!
//! [`SqliteStore`] serves all callers through one connection behind a mutex (SQLite has one
//! writer anyway). [`Store::import_file`] encodes the sample blobs *before* taking the lock, so
//! an importer calling it from several threads overlaps the costly part; the
//! `store_bench` example measures it (3,000 one-hour runs in ≈ 1.5–2.5 s including encoding,
//! the 4,000-activity scan in ≈ 2–3 ms, on the shared 2-core machine).
//!
//! Both backends run the same SQL: every query lives once in [`sql`], generic over a
//! [`sql::Backend`]; `sqlite.rs` and `postgres.rs` are thin adapters (connections,
//! transactions, how their driver binds and reads values).
//!
//! `PgStore` (cargo feature `postgres`) keeps an `r2d2` pool of connections (`POOL_SIZE`) so
//! callers on many threads really run at once; imports of one athlete still run one after the
//! other (the athlete's row is locked for the duplicate check), imports of different athletes
//! in parallel. See `postgres` for how it matches SQLite's behaviour (NaN, text order,
//! migrations) and how to give each Fettle its own schema in a shared database. Measured with
//! `store_bench -- --postgres URL` against a local PostgreSQL 15: ≈ 85–117 imported files/s
//! from one thread (one durable commit each), ≈ 290/s from four, the 4,000-activity scan in
//! ≈ 11–12 ms.
//!
//! Invariants:
//! - **The athlete is the partition key.** Every table of training data carries `athlete_id`, and
//!   every [`Store`] method takes the athlete and never reads or writes another athlete's rows.
//!   Only `schema_version` (global metadata), `athletes` (the partition root) and the account
//!   tables (keyed by user, see [`Accounts`]) do not; each user owns exactly one partition,
//!   created with the account, and a coach reads a member's partition only while
//!   [`Accounts::coach_sees`] says so. Single-user local mode uses the athlete named
//!   `default`, created when the database is first opened ([`Store::default_athlete`]). Writes
//!   that add or change rows for an unknown athlete fail with [`StoreError::UnknownAthlete`];
//!   reads and deletes for one find nothing.
//! - **One transaction per file.** [`Store::import_file`] records the file's content hash, its
//!   inserted activities (summary, laps, samples) and its counts in one transaction: a crash or
//!   an error leaves nothing of the file, and importing it again completes the job. The same
//!   bytes are imported once per athlete.
//! - **Summaries in tables, samples in one blob per activity.** Never a row per sample: see
//!   [`blob`] for the columnar, quantised, compressed format and its documented precision.
//! - **Migrations from the first schema.** Numbered SQL files (`migrations/sqlite/NNNN_*.sql`,
//!   embedded with `include_str!`) are applied in one transaction when a database is opened and
//!   recorded in `schema_version`; a database from a newer Fettle is refused with
//!   [`StoreError::NewerSchema`] and left untouched. PostgreSQL has its own files
//!   (`migrations/postgres/`) with the same numbers and the same tables in PostgreSQL types; a
//!   test reads both catalogues and proves the two schemas match. The SQLite connection uses
//!   WAL, foreign keys and a busy timeout ([`sqlite::BUSY_TIMEOUT`]).
//!
//! # Schema (version 4)
//!
//! | table | key | holds |
//! |---|---|---|
//! | `schema_version` | `version` | applied migrations |
//! | `athletes` | `athlete_id` | the partition root: unique `name`, creation time |
//! | `files` | `file_id`; unique (`athlete_id`, `content_hash`) | imported files: 128-bit content hash (hex), source, size, import time, counts of inserted, duplicate and deleted activities (a file with deletions stays recorded so a re-import does not bring them back) |
//! | `activities` | `activity_id`; index (`athlete_id`, `start_ms`, …) covering the daily-series scan | summaries: every [`fettle_formats::Activity`] field but streams, laps and R-R intervals, plus `file_id`, `source`, `session_index`, `end_ms`, `sample_count`, `lap_count`, the athlete's `rpe`, the loads (`loads_json`: each method's value by name, a JSON object; the primary `load` and its `load_method`), `metrics_json`, and the athlete's corrections `notes` and `exclude_from_load` |
//! | `laps` | (`athlete_id`, `activity_id`, `lap_index`) | one row per lap |
//! | `activity_samples` | (`athlete_id`, `activity_id`) | one [`blob`] per activity: streams and R-R intervals (no row when it has neither) |
//! | `profile_values` | (`athlete_id`, `key`, `from_date`) | profile history: a value applies from its date on |
//! | `races` | `race_id` | race results and performance markers |
//! | `wellness` | (`athlete_id`, `entry_date`) | one merged wellness entry per day |
//! | `recovery` | `recovery_id`; index (`athlete_id`, `at_ms`) | logged recovery sessions and meals (zones as a JSON list) |
//! | `string_sets` | (`athlete_id`, `set_name`, `member`) | the `access` and `health` sets |
//! | `plans` | `athlete_id` | the saved plan (JSON) |
//! | `settings` | (`athlete_id`, `key`) | generic key/value settings |
//! | `users` | `user_id`; unique `email`, unique `athlete_id` | accounts: role (`athlete`/`coach`), own partition, argon2id password hash, creation time |
//! | `sessions` | `secret_hash`; index `user_id` | login sessions: SHA-256 (hex) of the cookie secret, user, anti-CSRF token, creation and expiry |
//! | `api_tokens` | `token_id`; unique `secret_hash`; index (`user_id`, `created_ms`) | API tokens: SHA-256 (hex) of the bearer secret, name, creation, last use |
//! | `memberships` | (`coach_id`, `email`); index (`email`, `state`) | a coach's invitation of an address (`invited`) and, once accepted, the membership (`active`, acceptance time) |
//!
//! Secrets never reach the database: sessions and tokens are stored as hashes, passwords as
//! hashes computed by the caller. Sessions, tokens and memberships go with their user
//! (`ON DELETE CASCADE`); a partition that belongs to a user cannot be deleted.
//!
//! Child rows (laps, samples) reference their activity through (`athlete_id`, `activity_id`)
//! with `ON DELETE CASCADE`, so they can neither outlive it nor belong to another athlete.
//! Deleting an activity keeps its file's record: re-importing the same bytes does not bring a
//! deleted activity back. Instants are stored as milliseconds (sub-millisecond parts are
//! dropped). A `NaN` in an optional value (a summary's average HR, a wellness score) is stored
//! as missing and reads back as `None`; a `NaN` where a value is required (an activity's
//! durations, a load) is refused with an error saying which value.
//!
//! # The duplicate rule
//!
//! The same session imported twice (the watch's `.fit` and Strava's `.gpx`, or two devices) is
//! stored once: the first one wins and the file's outcome names it
//! ([`ActivityOutcome::Duplicate`]). A new activity duplicates a stored, file-imported activity
//! of the same athlete when the sports are compatible (equal, or either `generic` or a name
//! Fettle does not recognise) and either their starts are at most 120 s apart with elapsed
//! times within 10 % (at least 60 s) and distances, when both known, within 5 % (at least
//! 100 m); or their time intervals overlap for at least 80 % of the longer one. Manual activities are never duplicate candidates. The rule
//! and its constants live in [`dedup`].

mod accounts;
pub mod blob;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod dedup;
mod error;
mod model;
mod open;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod sql;
pub mod sqlite;
mod store;
mod text;

pub use accounts::{
    Accounts, ApiToken, CoachLink, CredentialsEnded, Database, Invitation, Member, NewSession,
    NewUser, Role, SecretHash, Session, TokenId, User, UserId,
};
pub use error::{StoreError, StoreResult};
pub use model::{
    ActivityEdit, ActivityFilter, ActivityId, ActivityLoads, ActivityOutcome, ActivitySummary,
    AthleteId, ContentHash, Counts, FileId, FileOutcome, LoadRow, NewActivity, NewFile,
    ProfileValue, RaceId, RecoveryId, StoredActivity, StoredRace, StoredRecovery, StringSet,
};
pub use open::{LocationKind, location_kind, open, redact_location};
#[cfg(feature = "postgres")]
pub use postgres::PgStore;
pub use sql::SqlStore;
pub use sqlite::SqliteStore;
pub use store::Store;
