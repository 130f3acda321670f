//! `fettle backup FILE`: a consistent copy of the SQLite database, safe while the dashboard runs.
//!
//! The copy is SQLite's `VACUUM INTO` on a read-only connection of its own: it reads one
//! snapshot inside a read transaction (WAL lets the server keep writing meanwhile) and writes
//! a compact, self-contained database file (no `-wal` beside it). It is written to a temporary
//! file in the target's folder and renamed into place, so a crash or a full disk never leaves
//! a half-written backup under the name asked for. An existing file is kept unless `--force`.
//! A PostgreSQL database is backed up with the server's own tool: the command says how.

use std::path::Path;

use anyhow::Context as _;
use rusqlite::{Connection, OpenFlags};

use crate::cli::{BackupArgs, Cli};
use crate::output::print_json;
use crate::settings::{self, Location};

/// What a finished backup reports (`--json`).
#[derive(Debug, serde::Serialize)]
struct BackupDone {
    /// The database copied.
    database: String,
    /// The backup file written.
    file: String,
    /// Its size in bytes.
    size_bytes: u64,
}

/// Runs `fettle backup`.
pub(crate) fn run(cli: &Cli, args: &BackupArgs) -> anyhow::Result<std::process::ExitCode> {
    let location = settings::location(cli)?;
    let source = match &location {
        Location::Postgres(url) => anyhow::bail!("{}", pg_dump_advice(url, &args.file)),
        Location::Sqlite(path) => path,
    };
    if !source.is_file() {
        return Err(anyhow::Error::new(fettle_app::AppError::NotFound(format!(
            "there is no database at {} to back up; name it with --db PATH",
            source.display()
        ))));
    }
    if args.file.exists() && !args.force {
        bail_usage!(
            "{} already exists: choose another name, or add --force to replace it",
            args.file.display()
        );
    }
    if same_file(source, &args.file) {
        bail_usage!("the backup cannot replace the database itself: choose another file");
    }
    copy_database(source, &args.file)?;
    let size_bytes = std::fs::metadata(&args.file)
        .with_context(|| format!("cannot read {} after writing it", args.file.display()))?
        .len();
    let done = BackupDone {
        database: location.describe(),
        file: args.file.display().to_string(),
        size_bytes,
    };
    if cli.json {
        print_json(&done)?;
    } else {
        println!(
            "Backed up {} to {} ({:.1} MB). Open it with --db {}.",
            done.database,
            done.file,
            size_bytes as f64 / 1e6,
            done.file
        );
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// Whether two paths name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Copies the database at `source` into `target` atomically (temporary file, then rename).
fn copy_database(source: &Path, target: &Path) -> anyhow::Result<()> {
    let folder = match target.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(folder) => folder,
        None => Path::new("."),
    };
    if !folder.is_dir() {
        anyhow::bail!(
            "the folder {} does not exist: create it first or choose another place",
            folder.display()
        );
    }
    let temporary = tempfile::Builder::new()
        .prefix(".fettle-backup-")
        .suffix(".sqlite")
        .tempfile_in(folder)
        .with_context(|| format!("cannot write in {}", folder.display()))?;
    let temporary_path = temporary.into_temp_path();
    // VACUUM INTO refuses to write over a file that exists, even an empty one.
    std::fs::remove_file(&temporary_path)
        .with_context(|| format!("cannot prepare {}", temporary_path.display()))?;
    let connection = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open the database {}", source.display()))?;
    // A writer holding the database briefly (an import's transaction) is waited for.
    connection.busy_timeout(std::time::Duration::from_secs(30))?;
    let target_text = temporary_path
        .to_str()
        .context("the backup's path is not valid UTF-8 text: choose another name")?;
    connection
        .execute("VACUUM INTO ?1", [target_text])
        .with_context(|| format!("cannot copy the database {}", source.display()))?;
    drop(connection);
    // The copy holds health data: readable by its owner only, whatever the umask says.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&temporary_path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot restrict {}", temporary_path.display()))?;
    }
    temporary_path
        .persist(target)
        .with_context(|| format!("cannot write {}", target.display()))?;
    Ok(())
}

/// What to run instead for a PostgreSQL database: `pg_dump` with the URL (its password
/// redacted: the user types their own).
fn pg_dump_advice(url: &str, file: &Path) -> String {
    format!(
        "this database is on a PostgreSQL server; back it up with the server's own tool:\n  \
         pg_dump --format=custom --file {} '{}'\n(restore with pg_restore --dbname URL {}; \
         the password is shown as … — type your own or set PGPASSWORD)",
        file.display(),
        fettle_store::redact_location(url),
        file.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pg_dump_advice_names_the_file_and_hides_the_password() {
        let advice = pg_dump_advice(
            "postgres://coach:s3cr3t@db.example/club",
            Path::new("x.dump"),
        );
        assert!(
            advice.contains(
                "pg_dump --format=custom --file x.dump 'postgres://coach:…@db.example/club'"
            ),
            "{advice}"
        );
        assert!(!advice.contains("s3cr3t"), "{advice}");
    }
}
