//! End-to-end tests of how the `fettle` binary reads the database options (issue 11): a
//! password in a PostgreSQL URL or connection string never reaches the output; a connection
//! string is PostgreSQL, never a file of that name; a `--db` path that is not UTF-8 is a usage
//! error; programs opening one new SQLite file at once all succeed.
//!
//! Each test runs the real binary in its own temporary folder (also its working directory, so
//! a file created by mistake would be seen).

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use fettle_store::{SqliteStore, Store};

/// A password no output may contain.
const SECRET: &str = "s3cr3t-pw";

/// `fettle ARGS` run in `dir`, with no database named by the environment.
fn fettle(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("fettle").unwrap();
    cmd.current_dir(dir)
        .env_remove("FETTLE_DB")
        .env_remove("FETTLE_DATABASE")
        .env("TZ", "UTC");
    cmd
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The names in `dir`.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn passwords_in_database_urls_and_connection_strings_are_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    for database in [
        format!("postgres://fettle@127.0.0.1:1/club?password={SECRET}"),
        format!("postgres://fettle@127.0.0.1:1/club?sslmode=disable&Password={SECRET}"),
        format!("postgresql://fettle:{SECRET}@127.0.0.1:1/club?password={SECRET}"),
        // Not readable by the driver (a port that is not a number).
        format!("postgres://fettle@127.0.0.1:1/club?password={SECRET}&port=x"),
        format!("host=127.0.0.1 port=1 user=fettle password={SECRET} dbname=club"),
        format!("host=127.0.0.1 port=1 password='{SECRET} x'"),
    ] {
        for json in [false, true] {
            let mut cmd = fettle(dir.path());
            if json {
                cmd.arg("--json");
            }
            let out = cmd
                .args(["--database", &database, "status"])
                .output()
                .unwrap();
            // An unreachable server is a runtime failure (1), not a usage error.
            assert_eq!(out.status.code(), Some(1), "{database}");
            let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), stderr(&out));
            assert!(
                !stderr.contains(SECRET) && !stdout.contains(SECRET),
                "{database}: {stdout}{stderr}"
            );
            assert!(stderr.contains("cannot"), "{database}: {stderr}");
        }
    }
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
}

#[test]
fn a_connection_string_is_postgresql_and_never_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let conninfo = format!("host=127.0.0.1 port=1 user=fettle password={SECRET} dbname=club");
    // Through --database: PostgreSQL was tried (a refused connection, naming the server).
    let out = fettle(dir.path())
        .args(["--database", &conninfo, "status"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "a refused connection is a runtime failure"
    );
    let error = stderr(&out);
    assert!(
        error.contains("cannot connect to postgres://fettle@127.0.0.1:1/club"),
        "{error}"
    );
    // Through --db or FETTLE_DB: refused, pointing to --database.
    let out = fettle(dir.path())
        .args(["--db", &conninfo, "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let error = stderr(&out);
    assert!(error.contains("pass it with --database"), "{error}");
    assert!(!error.contains(SECRET), "{error}");
    let out = fettle(dir.path())
        .env("FETTLE_DB", &conninfo)
        .arg("status")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        entries(dir.path()).is_empty(),
        "no file was created: {:?}",
        entries(dir.path())
    );
}

#[cfg(unix)]
#[test]
fn a_db_path_that_is_not_utf8_is_a_usage_error_and_creates_nothing() {
    use std::os::unix::ffi::OsStrExt as _;
    let dir = tempfile::tempdir().unwrap();
    // Two paths that a lossy conversion would both turn into "caf�.sqlite".
    for name in [&b"caf\xe9.sqlite"[..], &b"caf\xe8.sqlite"[..]] {
        let path = std::ffi::OsStr::from_bytes(name);
        for by_env in [false, true] {
            let mut cmd = fettle(dir.path());
            if by_env {
                cmd.env("FETTLE_DB", path);
            } else {
                cmd.arg("--db").arg(path);
            }
            let out = cmd.arg("status").output().unwrap();
            assert_eq!(out.status.code(), Some(2));
            let error = stderr(&out);
            assert!(error.contains("not valid UTF-8"), "{error}");
        }
    }
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
}

/// Four imports started together on a database file that does not exist yet, five times over:
/// every one succeeds (none is refused as "locked") and every activity is stored.
#[test]
fn imports_opening_one_new_file_at_once_all_succeed() {
    let files = [
        "fit/Activity.fit",
        "fit/2013-02-06-12-11-14.fit",
        "fit/2015-10-13-08-43-15.fit",
        "fit/20170518-191602-1740899583.fit",
    ];
    for round in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("new.sqlite");
        let children: Vec<_> = files
            .iter()
            .map(|file| {
                std::process::Command::new(assert_cmd::cargo::cargo_bin("fettle"))
                    .current_dir(dir.path())
                    .env_remove("FETTLE_DB")
                    .env_remove("FETTLE_DATABASE")
                    .arg("--db")
                    .arg(&db)
                    .arg("import")
                    .arg(fettle_testdata::corpus(file))
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let store = SqliteStore::open(&db).unwrap();
        let athlete = store.default_athlete().unwrap();
        assert_eq!(
            store.counts(athlete).unwrap().activities,
            files.len() as u64,
            "round {round}: one activity per file"
        );
    }
}
