//! End-to-end tests of `fettle backup`, `fettle export` and the restore behind `fettle import`
//! of an export folder: the real binary over real SQLite files (a demo season plus a manual
//! session, a corrected activity and a plan), a real `fettle serve` running during the backup,
//! and the exported FIT files read by an independent decoder (the `fitparser` crate).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

fn fettle(db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fettle"));
    cmd.arg("--db").arg(db).env("TZ", "UTC");
    cmd
}

fn run(cmd: &mut Command) -> Output {
    let output = cmd.output().expect("fettle runs");
    assert!(
        output.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn json(db: &Path, args: &[&str]) -> Value {
    let output = run(fettle(db).args(args).arg("--json"));
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

/// The same value with every `id` field removed (a restore gives new ids).
fn without_ids(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| k.as_str() != "id")
                .map(|(k, v)| (k.clone(), without_ids(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_ids).collect()),
        other => other.clone(),
    }
}

/// A database with a simulated season (FIT files, wellness, recovery logs, races) plus what
/// the demo does not make: a manual session, an activity the athlete corrected, and a plan.
fn season(folder: &Path) -> std::path::PathBuf {
    let db = folder.join("season.sqlite");
    run(fettle(&db).args(["demo", "--days", "120"]));
    run(fettle(&db).args([
        "add",
        "--date",
        "2026-01-10",
        "--start",
        "18:30",
        "--duration",
        "40m",
        "--distance",
        "7km",
        "--rpe",
        "6",
        "--name",
        "Club session",
    ]));
    let listed = json(&db, &["activities"]);
    let id = listed[3]["id"].as_i64().expect("an id").to_string();
    run(fettle(&db).args([
        "activity",
        "edit",
        &id,
        "--name",
        "Heavy legs",
        "--rpe",
        "8",
        "--notes",
        "after a night shift",
        "--exclude-from-load",
    ]));
    let today = jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date();
    let race_day = today.saturating_add(jiff::Span::new().weeks(12));
    run(fettle(&db).args([
        "plan",
        "create",
        "--race",
        &race_day.to_string(),
        "--distance",
        "half",
    ]));
    db
}

#[test]
fn an_export_imported_into_an_empty_database_gives_the_same_activities_status_and_plan() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = season(dir.path());
    let export = dir.path().join("export");
    let manifest = json(&db, &["export", export.to_str().expect("utf-8")]);

    let activities = json(&db, &["activities"]);
    let count = activities.as_array().expect("a list").len();
    assert!(count > 20, "the demo made a season: {count}");
    assert_eq!(manifest["format"], "fettle-export");
    assert_eq!(manifest["counts"]["activities"], count);
    assert_eq!(manifest["counts"]["plan"], true);
    assert_eq!(
        manifest["counts"]["races"],
        json(&db, &["race", "list"])
            .as_array()
            .expect("races")
            .len()
    );
    assert!(manifest["counts"]["wellness_days"].as_u64() > Some(0));
    assert!(manifest["counts"]["recovery_entries"].as_u64() > Some(0));
    // Every file the manifest names is there, and nothing else.
    let mut on_disk: Vec<String> = walk(&export)
        .into_iter()
        .filter(|name| name != "manifest.json")
        .collect();
    on_disk.sort();
    let named: Vec<String> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f.as_str().expect("a name").to_owned())
        .collect();
    assert_eq!(on_disk, named);

    // The activities are FIT files another decoder reads: one session message per activity.
    let sessions: usize = named
        .iter()
        .filter(|name| name.ends_with(".fit"))
        .map(|name| {
            let bytes = std::fs::read(export.join(name)).expect("read");
            fitparser::from_bytes(&bytes)
                .unwrap_or_else(|e| panic!("fitparser reads {name}: {e}"))
                .iter()
                .filter(|r| r.kind() == fitparser::profile::MesgNum::Session)
                .count()
        })
        .sum();
    assert_eq!(sessions, count);

    let restored = dir.path().join("restored.sqlite");
    run(fettle(&restored).arg("import").arg(&export));
    assert_eq!(
        without_ids(&json(&restored, &["activities"])),
        without_ids(&activities)
    );
    assert_eq!(json(&restored, &["status"]), json(&db, &["status"]));
    assert_eq!(
        without_ids(&json(&restored, &["plan", "show"])),
        without_ids(&json(&db, &["plan", "show"]))
    );
    let corrected = json(&restored, &["activities"])
        .as_array()
        .expect("a list")
        .iter()
        .find(|a| a["name"] == "Heavy legs")
        .cloned()
        .expect("the corrected activity came back");
    assert_eq!(corrected["rpe"], 8.0);
    assert_eq!(corrected["notes"], "after a night shift");
    assert_eq!(corrected["exclude_from_load"], true);

    // A restore never merges into data: a second one is refused and changes nothing.
    let again = fettle(&restored)
        .arg("import")
        .arg(&export)
        .output()
        .expect("runs");
    assert_eq!(again.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("only into an empty database"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(
        json(&restored, &["activities"]).as_array().map(Vec::len),
        Some(count)
    );
    // An export never writes into a folder that holds files.
    let refused = fettle(&db)
        .arg("export")
        .arg(&export)
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(2));
}

/// Every file under `root`, relative, with `/` separators.
fn walk(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(root).expect("inside");
                found.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found
}

/// A running `fettle serve`, killed on drop.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_backup_taken_while_serve_runs_opens_and_gives_the_same_answers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("season.sqlite");
    run(fettle(&db).args(["demo", "--days", "60"]));
    let mut child = fettle(&db)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("piped");
    let served = Served(child);
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let line = receiver
        .recv_timeout(Duration::from_secs(30))
        .expect("serve prints its address");
    assert!(line.contains("http://"), "{line}");

    let backup = dir.path().join("copy.sqlite");
    let done = json(&db, &["backup", backup.to_str().expect("utf-8")]);
    assert_eq!(
        done["size_bytes"].as_u64(),
        Some(std::fs::metadata(&backup).expect("written").len())
    );
    // No temporary file is left beside it.
    let left: Vec<String> = walk(dir.path())
        .into_iter()
        .filter(|n| n.starts_with(".fettle-backup"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // It holds health data: its owner alone may read it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup)
            .expect("backup")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    for args in [&["activities"][..], &["status"], &["wellness", "list"]] {
        assert_eq!(json(&backup, args), json(&db, args), "{args:?}");
    }

    // An existing file is kept unless --force.
    std::fs::write(&backup, b"keep me").expect("write");
    let refused = fettle(&db)
        .arg("backup")
        .arg(&backup)
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(std::fs::read(&backup).expect("read"), b"keep me");
    run(fettle(&db).arg("backup").arg(&backup).arg("--force"));
    assert_eq!(json(&backup, &["status"]), json(&db, &["status"]));
    drop(served);
}

#[test]
fn a_postgres_database_is_backed_up_with_pg_dump_and_the_password_is_never_shown() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_fettle"))
        .args([
            "--database",
            "postgres://coach:s3cr3t@db.example/club",
            "backup",
            "club.dump",
        ])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "pg_dump --format=custom --file club.dump 'postgres://coach:…@db.example/club'"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cr3t"), "{stderr}");
    assert!(!dir.path().join("club.dump").exists());
}

#[test]
fn a_session_added_over_another_is_stored_with_a_warning_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("overlap.sqlite");
    let add = |start: &str, duration: &str, name: &str| {
        json(
            &db,
            &[
                "add",
                "--date",
                "2026-03-02",
                "--start",
                start,
                "--duration",
                duration,
                "--distance",
                "5km",
                "--name",
                name,
            ],
        )
    };
    let first = add("07:00", "1h", "Long run");
    assert_eq!(first["warnings"], serde_json::json!([]));
    // Starts when the first ends: touching is not overlapping.
    let touching = add("08:00", "20m", "Strides");
    assert_eq!(touching["warnings"], serde_json::json!([]));
    let second = add("07:30", "20m", "Tempo");
    let overlaps = second["overlaps"].as_array().expect("a list");
    assert_eq!(overlaps.len(), 1, "{second}");
    assert_eq!(overlaps[0]["id"], first["id"]);
    assert_eq!(overlaps[0]["start"], "2026-03-02T07:00:00+00:00");
    assert_eq!(overlaps[0]["end"], "2026-03-02T08:00:00+00:00");
    let warning = second["warnings"][0].as_str().expect("a warning");
    assert!(
        warning.contains("\"Long run\", 2026-03-02 07:00–08:00"),
        "{warning}"
    );
    // Stored all the same, and people see the warning on stderr.
    assert_eq!(json(&db, &["activities"]).as_array().map(Vec::len), Some(3));
    let text = run(fettle(&db).args([
        "add",
        "--date",
        "2026-03-02",
        "--start",
        "07:10",
        "--duration",
        "10m",
        "--distance",
        "2km",
    ]));
    let stderr = String::from_utf8_lossy(&text.stderr);
    assert!(
        stderr.contains("warning: this session overlaps activity"),
        "{stderr}"
    );
    assert!(stderr.contains("\"Long run\""), "{stderr}");
}

/// A scratch schema on the test PostgreSQL server, dropped on drop.
#[cfg(feature = "postgres")]
struct Schema {
    admin: postgres::Client,
    name: String,
}

#[cfg(feature = "postgres")]
impl Drop for Schema {
    fn drop(&mut self) {
        let _ = self
            .admin
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
    }
}

// Needs the PostgreSQL backend in the binary (`--features postgres`; CI tests all features).
#[cfg(feature = "postgres")]
#[test]
fn an_export_moves_a_laptops_data_onto_a_postgresql_server() {
    let server = std::env::var("FETTLE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    let mut admin = match postgres::Client::connect(&server, postgres::NoTls) {
        Ok(admin) => admin,
        Err(e) if !ci => {
            eprintln!(
                "\n*****\nSKIPPED: no PostgreSQL at {server} ({e}); restoring onto PostgreSQL is \
                 NOT tested (under CI=true this fails).\n*****\n"
            );
            return;
        }
        Err(e) => panic!("CI is set but PostgreSQL at {server} cannot be reached: {e}"),
    };
    let name = format!("fettle_restore_{}", std::process::id());
    admin
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"
        ))
        .expect("a scratch schema");
    let schema = Schema { admin, name };
    let separator = if server.contains('?') { '&' } else { '?' };
    let url = format!("{server}{separator}options=-csearch_path%3D{}", schema.name);
    let on_server = |args: &[&str]| -> Value {
        let output = run(Command::new(env!("CARGO_BIN_EXE_fettle"))
            .env_remove("FETTLE_DB")
            .env("TZ", "UTC")
            .arg("--database")
            .arg(&url)
            .args(args)
            .arg("--json"));
        serde_json::from_slice(&output.stdout).expect("JSON on stdout")
    };

    let dir = tempfile::tempdir().expect("temp dir");
    let db = season(dir.path());
    let export = dir.path().join("export");
    json(&db, &["export", export.to_str().expect("utf-8")]);
    on_server(&["import", export.to_str().expect("utf-8")]);
    assert_eq!(
        without_ids(&on_server(&["activities"])),
        without_ids(&json(&db, &["activities"]))
    );
    assert_eq!(on_server(&["status"]), json(&db, &["status"]));
    drop(schema);
}
