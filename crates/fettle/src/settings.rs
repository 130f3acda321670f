//! Validated settings shared by every command: where the database is, and how to print.
//!
//! The database is chosen by `--database URL_OR_PATH` (a PostgreSQL URL or a SQLite file) or
//! `--db PATH` (a SQLite file), each also settable by its environment variable
//! (`FETTLE_DATABASE`, `FETTLE_DB`; clap reads them). An option typed on the command line wins
//! over one from the environment; two at the same level are refused as ambiguous. With neither,
//! the database is `fettle.sqlite` in the platform's data directory (`$XDG_DATA_HOME/fettle` on
//! Linux, `~/Library/Application Support/fettle` on macOS, `%APPDATA%\fettle` on Windows).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use etcetera::BaseStrategy;
use fettle_store::{AthleteId, Database, LocationKind, SqliteStore};

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
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// A PostgreSQL server, by URL or connection string.
    Postgres(String),
    /// A SQLite file.
    Sqlite(PathBuf),
}

/// Shows [`Location::describe`]: never a password, even in a debugging print.
impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Postgres(_) => write!(f, "Postgres({:?})", self.describe()),
            Location::Sqlite(path) => write!(f, "Sqlite({path:?})"),
        }
    }
}

impl Location {
    /// How to name the database in messages: the path, or the URL without its password.
    pub(crate) fn describe(&self) -> String {
        match self {
            Location::Postgres(url) => fettle_store::redact_location(url),
            Location::Sqlite(path) => path.display().to_string(),
        }
    }
}

/// The database the options and environment name (see the module documentation), else the
/// default file.
pub(crate) fn location(cli: &Cli) -> anyhow::Result<Location> {
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
                (true, false) => parse_db(path)?,
                (false, true) => parse_database(text)?,
                _ => bail_usage!(
                    "two databases are named, by --db (or FETTLE_DB) and by --database (or \
                     FETTLE_DATABASE): give only one"
                ),
            }
        }
        (Some(path), None) => parse_db(path)?,
        (None, Some(text)) => parse_database(text)?,
        (None, None) => return Ok(None),
    };
    Ok(Some(location))
}

/// Reads `--db`: a SQLite file path, which must be UTF-8 text (SQLite takes paths as text; a
/// lossy conversion would open one file for two paths) and must not be a PostgreSQL URL or
/// connection string (which would otherwise become a file of that name).
pub(crate) fn parse_db(path: &Path) -> anyhow::Result<Location> {
    let Some(text) = path.to_str() else {
        bail_usage!(
            "the --db path {} is not valid UTF-8 text: rename the file or folder, or choose \
             another path",
            path.display()
        );
    };
    match fettle_store::location_kind(text) {
        LocationKind::Path => Ok(Location::Sqlite(path.to_owned())),
        LocationKind::PostgresUrl | LocationKind::PostgresConnectionString => bail_usage!(
            "--db takes a SQLite file path, and {} names a PostgreSQL database: pass it with \
             --database (or FETTLE_DATABASE) instead",
            fettle_store::redact_location(text)
        ),
        LocationKind::UnsupportedUrl(scheme) => bail_usage!(
            "--db takes a SQLite file path, not a {scheme}://… URL: give a file path, or a \
             PostgreSQL URL with --database"
        ),
    }
}

/// Reads `--database`: a `postgres://` or `postgresql://` URL or a libpq connection string
/// (`host=… dbname=…`), else a SQLite file path.
pub(crate) fn parse_database(text: &str) -> anyhow::Result<Location> {
    let text = text.trim();
    if text.is_empty() {
        bail_usage!(
            "--database is empty: give a PostgreSQL URL (postgres://user@host/dbname) or a SQLite file path"
        );
    }
    match fettle_store::location_kind(text) {
        LocationKind::PostgresUrl | LocationKind::PostgresConnectionString => {
            Ok(Location::Postgres(text.to_owned()))
        }
        LocationKind::UnsupportedUrl(scheme) => bail_usage!(
            "--database {scheme}://… is not supported: give a PostgreSQL URL (postgres://user@host/dbname) or a SQLite file path"
        ),
        LocationKind::Path => Ok(Location::Sqlite(PathBuf::from(text))),
    }
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
    fn connection_strings_are_postgres_and_never_files() {
        assert_eq!(
            parse_database("host=db.example dbname=club").expect("conninfo"),
            Location::Postgres("host=db.example dbname=club".to_owned())
        );
        let error = parse_db(Path::new("host=db.example password=s3cr3t"))
            .expect_err("not a file")
            .to_string();
        assert!(error.contains("pass it with --database"), "{error}");
        assert!(!error.contains("s3cr3t"), "{error}");
        let error = parse_db(Path::new("postgres://u:s3cr3t@h/d"))
            .expect_err("not a file")
            .to_string();
        assert!(!error.contains("s3cr3t"), "{error}");
        assert_eq!(
            parse_db(Path::new("data/fettle.sqlite")).expect("path"),
            Location::Sqlite(PathBuf::from("data/fettle.sqlite"))
        );
    }

    #[test]
    fn descriptions_never_show_a_password() {
        for (text, shown) in [
            (
                "postgres://fettle:s3cr3t@db.example:5432/club",
                "postgres://fettle:…@db.example:5432/club",
            ),
            (
                "postgres://u@h/d?password=s3cr3t",
                "postgres://u@h/d?password=…",
            ),
            ("host=h password=s3cr3t", "host=h password=…"),
        ] {
            let location = parse_database(text).expect("postgres");
            assert_eq!(location.describe(), shown);
        }
    }

    #[test]
    fn debug_prints_never_show_a_password() {
        let location = parse_database("postgres://u:s3cr3t@h/d?password=s3cr3t").expect("url");
        assert!(!format!("{location:?}").contains("s3cr3t"));
    }

    #[cfg(unix)]
    #[test]
    fn a_db_path_that_is_not_utf8_is_refused() {
        use std::os::unix::ffi::OsStrExt as _;
        let path = Path::new(std::ffi::OsStr::from_bytes(b"caf\xe9.sqlite"));
        let error = parse_db(path).expect_err("refused").to_string();
        assert!(error.contains("not valid UTF-8"), "{error}");
    }
}
