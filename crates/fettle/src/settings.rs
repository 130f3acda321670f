//! Validated settings shared by every command: where the database is, and how to print.
//!
//! The database is chosen by `--database URL_OR_PATH` (a PostgreSQL URL or a SQLite file) or
//! `--db PATH` (a SQLite file), each also settable by its environment variable
//! (`FETTLE_DATABASE`, `FETTLE_DB`; clap reads them). An option typed on the command line wins
//! over one from the environment; two at the same level are refused as ambiguous. With neither,
//! the database is `fettle.sqlite` in the platform's data directory (`$XDG_DATA_HOME/fettle` on
//! Linux, `~/Library/Application Support/fettle` on macOS, `%APPDATA%\fettle` on Windows).

use std::path::PathBuf;

use anyhow::Context as _;
use etcetera::BaseStrategy;
use fettle_store::{AthleteId, Database, SqliteStore};

use crate::cli::Cli;

/// What every command needs: the open database, the athlete, and output preferences.
pub(crate) struct Context {
    /// The open database: activity data ([`fettle_store::Store`], which `&dyn Database`
    /// coerces to) and accounts.
    pub(crate) store: Box<dyn Database>,
    /// The athlete whose data the command reads and writes (the local default athlete).
    pub(crate) athlete: AthleteId,
    /// Print JSON instead of tables.
    pub(crate) json: bool,
    /// Name skipped files and print warnings.
    pub(crate) verbose: bool,
}

impl Context {
    /// Resolves the database location, creates a SQLite file's folder if needed and opens it.
    pub(crate) fn from_cli(cli: &Cli) -> anyhow::Result<Context> {
        let store = open(&location(cli)?)?;
        let athlete = store.default_athlete()?;
        Ok(Context {
            store,
            athlete,
            json: cli.json,
            verbose: cli.verbose,
        })
    }
}

/// Where the database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// A PostgreSQL server, by URL.
    Postgres(String),
    /// A SQLite file.
    Sqlite(PathBuf),
}

impl Location {
    /// How to name the database in messages: the path, or the URL without its password.
    pub(crate) fn describe(&self) -> String {
        match self {
            Location::Postgres(url) => without_password(url),
            Location::Sqlite(path) => path.display().to_string(),
        }
    }
}

/// The database the options and environment name (see the module documentation), else the
/// default file.
fn location(cli: &Cli) -> anyhow::Result<Location> {
    match named_location(cli)? {
        Some(location) => Ok(location),
        None => Ok(Location::Sqlite(default_db_path()?)),
    }
}

/// The database `--db`/`--database` (or their environment variables) name, if any.
pub(crate) fn named_location(cli: &Cli) -> anyhow::Result<Option<Location>> {
    let sources = cli.database_sources;
    let location = match (&cli.db, &cli.database) {
        (Some(path), Some(text)) => {
            match (sources.db_on_command_line, sources.database_on_command_line) {
                (true, false) => Location::Sqlite(path.clone()),
                (false, true) => parse_database(text)?,
                _ => bail_usage!(
                    "two databases are named, by --db (or FETTLE_DB) and by --database (or \
                     FETTLE_DATABASE): give only one"
                ),
            }
        }
        (Some(path), None) => Location::Sqlite(path.clone()),
        (None, Some(text)) => parse_database(text)?,
        (None, None) => return Ok(None),
    };
    Ok(Some(location))
}

/// Reads `--database`: a `postgres://` or `postgresql://` URL, else a SQLite file path.
pub(crate) fn parse_database(text: &str) -> anyhow::Result<Location> {
    let text = text.trim();
    if text.is_empty() {
        bail_usage!(
            "--database is empty: give a PostgreSQL URL (postgres://user@host/dbname) or a SQLite file path"
        );
    }
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        return Ok(Location::Postgres(text.to_owned()));
    }
    if let Some((scheme, _)) = text.split_once("://") {
        bail_usage!(
            "--database {scheme}://… is not supported: give a PostgreSQL URL (postgres://user@host/dbname) or a SQLite file path"
        );
    }
    Ok(Location::Sqlite(PathBuf::from(text)))
}

/// Opens (creating if needed) the database at `location`.
pub(crate) fn open(location: &Location) -> anyhow::Result<Box<dyn Database>> {
    match location {
        Location::Postgres(url) => fettle_store::open(url)
            .with_context(|| format!("cannot open the database {}", location.describe())),
        Location::Sqlite(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).with_context(|| {
                    format!(
                        "cannot create the folder {} for the database; choose another place with --db PATH",
                        parent.display()
                    )
                })?;
            }
            // Opened directly rather than through `fettle_store::open`: a path need not be
            // UTF-8 text.
            let store = SqliteStore::open(path)
                .with_context(|| format!("cannot open the database {}", path.display()))?;
            Ok(Box::new(store))
        }
    }
}

/// A database URL fit for an error message: the password, if the URL holds one, replaced by
/// `…` (error messages end up in logs and terminals' scrollback).
pub(crate) fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    // The user information ends at the last '@' before the host's path.
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    match rest[..at].split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:…{}", &rest[at..]),
        None => url.to_owned(),
    }
}

/// `fettle.sqlite` in the platform's data directory.
fn default_db_path() -> anyhow::Result<PathBuf> {
    let strategy = etcetera::choose_base_strategy().context(
        "cannot find your home directory to place the database; pass --db PATH or set FETTLE_DB",
    )?;
    Ok(strategy.data_dir().join("fettle").join("fettle.sqlite"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_and_paths_are_told_apart() {
        assert_eq!(
            parse_database("postgres://fettle@db.example/club").expect("url"),
            Location::Postgres("postgres://fettle@db.example/club".to_owned())
        );
        assert_eq!(
            parse_database(" PostgreSQL://h/d ").expect("url"),
            Location::Postgres("PostgreSQL://h/d".to_owned())
        );
        assert_eq!(
            parse_database("data/fettle.sqlite").expect("path"),
            Location::Sqlite(PathBuf::from("data/fettle.sqlite"))
        );
        let error = parse_database("mysql://h/d")
            .expect_err("other scheme")
            .to_string();
        assert!(error.contains("mysql://… is not supported"), "{error}");
        assert!(parse_database("  ").is_err());
    }

    #[test]
    fn passwords_are_cut_out_of_urls_shown_in_errors() {
        assert_eq!(
            without_password("postgres://fettle:s3cr3t@db.example:5432/club"),
            "postgres://fettle:…@db.example:5432/club"
        );
        // A password may itself contain '@'; the last one before the path ends it.
        assert_eq!(
            without_password("postgres://u:p@ss@h/d"),
            "postgres://u:…@h/d"
        );
        assert_eq!(
            without_password("postgres://postgres@127.0.0.1:5432/test"),
            "postgres://postgres@127.0.0.1:5432/test"
        );
        assert_eq!(
            without_password("postgres://h/d?x=a@b"),
            "postgres://h/d?x=a@b"
        );
    }
}
