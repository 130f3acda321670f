//! Real databases for the HTTP and browser tests: a temporary SQLite store behind the
//! production state (`fettle_web::AppState` over the store), either empty (a new user) or filled through the real pipeline
//! by `fettle_app::demo::run` (simulated sessions → FIT files → import → loads, plus wellness,
//! recovery log and races), so every endpoint answers with what `fettle serve` would.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use fettle_app::demo::{DemoOptions, run as run_demo};
use fettle_app::import::NoProgress;
use fettle_app::planning::{PlanInput, create_plan};
use fettle_store::{AthleteId, SqliteStore, Store};
use fettle_web::AppState;

/// Days of simulated training in [`TestDb::with_history`]: six weeks, enough for fitness,
/// fatigue, ACWR and the flags to have values.
pub(crate) const HISTORY_DAYS: u32 = 42;

/// How far the planned race is from today, days (eight weeks).
pub(crate) const RACE_IN_DAYS: i64 = 56;

/// The simulator's seed: the same athlete every run.
const SEED: u64 = 11;

/// A temporary database and the athlete the server acts for.
pub(crate) struct TestDb {
    dir: tempfile::TempDir,
    store: Arc<dyn Store>,
    athlete: AthleteId,
}

impl TestDb {
    /// A new user: nothing imported, nothing logged.
    pub(crate) fn empty() -> TestDb {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let store = SqliteStore::open(dir.path().join("fettle.sqlite")).expect("database opens");
        let athlete = store.default_athlete().expect("default athlete");
        TestDb {
            dir,
            store: Arc::new(store),
            athlete,
        }
    }

    /// An athlete with [`HISTORY_DAYS`] days of simulated training ending today, and a plan
    /// to a half marathon [`RACE_IN_DAYS`] days away.
    pub(crate) fn with_history() -> TestDb {
        let db = TestDb::empty();
        let end = jiff::ZonedDateTime::now().date();
        let options = DemoOptions {
            seed: SEED,
            days: HISTORY_DAYS,
            end,
            threads: 2,
        };
        let work = db.dir.path().join("demo");
        run_demo(&*db.store, db.athlete, &work, &options, &NoProgress).expect("the demo runs");
        let race = end
            .checked_add(jiff::Span::new().days(RACE_IN_DAYS))
            .expect("a date");
        let params = PlanInput {
            race: race.to_string(),
            distance: "half".to_owned(),
            ..PlanInput::default()
        }
        .parse()
        .expect("valid plan options");
        create_plan(&*db.store, db.athlete, &params, end, jiff::Timestamp::now())
            .expect("a plan is made");
        db
    }

    /// Application state over this database.
    pub(crate) fn state(&self) -> AppState {
        AppState::single_user(Arc::clone(&self.store), self.athlete)
    }

    /// The store, to check what a request wrote.
    pub(crate) fn store(&self) -> &dyn Store {
        &*self.store
    }

    /// The athlete the server acts for.
    pub(crate) fn athlete(&self) -> AthleteId {
        self.athlete
    }
}

/// One database with history shared by the read-only tests of a test binary (the demo takes a
/// few seconds; tests that write make their own).
pub(crate) fn shared_history() -> &'static TestDb {
    static DB: OnceLock<TestDb> = OnceLock::new();
    DB.get_or_init(TestDb::with_history)
}

/// A file of the repository's test corpus (`testdata/corpus`), as an absolute path.
pub(crate) fn corpus_file(relative: &str) -> PathBuf {
    let path = fettle_testdata::corpus(relative);
    path.canonicalize().unwrap_or(path)
}
