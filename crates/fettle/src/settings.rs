//! Validated settings shared by every command: where the database is, and how to print.
//!
//! The database is chosen by `--db PATH`, else the `FETTLE_DB` environment variable (both
//! handled by clap), else `fettle.sqlite` in the platform's data directory
//! (`$XDG_DATA_HOME/fettle` on Linux, `~/Library/Application Support/fettle` on macOS,
//! `%APPDATA%\fettle` on Windows).

use std::path::PathBuf;

use anyhow::Context as _;
use etcetera::BaseStrategy;
use fettle_store::{AthleteId, SqliteStore, Store};

use crate::cli::Cli;

/// What every command needs: the open store, the athlete, and output preferences.
pub(crate) struct Context {
    /// The open database.
    pub(crate) store: Box<dyn Store>,
    /// The athlete whose data the command reads and writes (the local default athlete).
    pub(crate) athlete: AthleteId,
    /// Print JSON instead of tables.
    pub(crate) json: bool,
    /// Name skipped files and print warnings.
    pub(crate) verbose: bool,
}

impl Context {
    /// Resolves the database location, creates its folder if needed and opens it.
    pub(crate) fn from_cli(cli: &Cli) -> anyhow::Result<Context> {
        let db_path = match &cli.db {
            Some(path) => path.clone(),
            None => default_db_path()?,
        };
        if let Some(parent) = db_path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).with_context(|| {
                format!(
                    "cannot create the folder {} for the database; choose another place with --db PATH",
                    parent.display()
                )
            })?;
        }
        let store = SqliteStore::open(&db_path)
            .with_context(|| format!("cannot open the database {}", db_path.display()))?;
        let athlete = store.default_athlete()?;
        Ok(Context {
            store: Box::new(store),
            athlete,
            json: cli.json,
            verbose: cli.verbose,
        })
    }
}

/// `fettle.sqlite` in the platform's data directory.
fn default_db_path() -> anyhow::Result<PathBuf> {
    let strategy = etcetera::choose_base_strategy().context(
        "cannot find your home directory to place the database; pass --db PATH or set FETTLE_DB",
    )?;
    Ok(strategy.data_dir().join("fettle").join("fettle.sqlite"))
}
