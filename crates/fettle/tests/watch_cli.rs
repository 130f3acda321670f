//! `fettle watch`, the real binary as a child process over a real temporary folder and SQLite
//! file, fed with real files from the corpus: a file already there is imported at start, a
//! dropped file is imported, a FIFO and a bad file are named and survived, a half-written file
//! waits and is imported once complete, a Garmin device mounted under a mount root has its
//! activities imported, and Ctrl-C stops it cleanly.
//!
//! The waits are bounded generously (a slow shared machine must not fail the test); nothing
//! asserts how long anything took. The expected activities are those a plain `fettle import`
//! of the same complete files stores in a second database.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Upper bound on any one wait for the watcher's next line.
const PATIENCE: Duration = Duration::from_secs(90);

fn corpus(name: &str) -> PathBuf {
    fettle_testdata::corpus(&format!("fit/{name}"))
}

fn fettle() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fettle"))
}

/// The running watcher; killed if the test fails before stopping it.
struct Watcher {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Watcher {
    fn start(db: &Path, args: &[&Path]) -> Watcher {
        let mut command = fettle();
        command.arg("--db").arg(db).arg("--json").arg("watch");
        command.args(args);
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("fettle watch starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watcher {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The next event that satisfies `wanted` (every line must be one JSON object).
    fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let event: Value = serde_json::from_str(&line)
                        .unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {line}"));
                    self.seen.push(line);
                    if wanted(&event) {
                        return event;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "no {what} event; the watcher said:\n{}",
                        self.seen.join("\n")
                    )
                }
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "the watcher ended before any {what} event; it said:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    fn interrupt(&mut self) {
        let pid = rustix::process::Pid::from_child(&self.child);
        rustix::process::kill_process(pid, rustix::process::Signal::INT).expect("SIGINT is sent");
    }
}

fn is(event: &Value, kind: &str, file: &Path) -> bool {
    event["event"] == kind && event["file"].as_str() == Some(file.to_str().unwrap())
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

/// `activities --json` of a database, keyed by what is independent of the import order.
fn activities(db: &Path) -> Vec<(String, String, String, String)> {
    let out = fettle()
        .arg("--db")
        .arg(db)
        .args(["--json", "activities"])
        .output()
        .expect("fettle activities runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut rows: Vec<_> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| {
            (
                a["start"].to_string(),
                a["sport"].to_string(),
                a["timer_s"].to_string(),
                a["distance_m"].to_string(),
            )
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn watch_imports_what_appears_and_survives_fifos_bad_and_half_written_files() {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let inbox = tmp.path().join("inbox");
    let mounts = tmp.path().join("media");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::create_dir_all(&mounts).unwrap();
    let db = tmp.path().join("fettle.sqlite");

    // Already there at start: one run, and a FIFO that must not block the first scan.
    std::fs::copy(corpus("garmin-fenix-5-run.fit"), inbox.join("old-run.fit")).unwrap();
    mkfifo(&inbox.join("pipe-at-start"));

    let mut watcher = Watcher::start(&db, &[&inbox, Path::new("--mount-root"), &mounts]);
    let scanned = watcher.wait_for("first scan", |e| e["event"] == "scanned");
    assert_eq!(scanned["imported"], 1, "{scanned}");
    assert_eq!(scanned["failures"].as_array().map(Vec::len), Some(0));

    // A bad file is named and the watcher goes on.
    let bad = inbox.join("broken.fit");
    std::fs::write(&bad, "this is not a FIT file at all").unwrap();
    let failed = watcher.wait_for("failed", |e| is(e, "failed", &bad));
    assert!(!failed["reason"].as_str().unwrap_or("").is_empty());

    // A FIFO created while watching is skipped, never opened; a file dropped after it is
    // imported.
    let live_fifo = inbox.join("live-pipe.fit");
    mkfifo(&live_fifo);
    watcher.wait_for("skipped FIFO", |e| is(e, "skipped", &live_fifo));
    let dropped = inbox.join("dropped.fit");
    std::fs::copy(corpus("2013-02-06-12-11-14.fit"), &dropped).unwrap();
    let imported = watcher.wait_for("imported", |e| is(e, "imported", &dropped));
    assert_eq!(imported["activity_ids"].as_array().map(Vec::len), Some(1));

    // Half a file: the watcher waits for the rest, then imports the whole.
    let whole = std::fs::read(corpus("activity-small-fenix2-run.fit")).unwrap();
    let half = inbox.join("half.fit");
    let mut writer = std::fs::File::create(&half).unwrap();
    writer.write_all(&whole[..whole.len() / 2]).unwrap();
    writer.flush().unwrap();
    watcher.wait_for("waiting", |e| is(e, "waiting", &half));
    writer.write_all(&whole[whole.len() / 2..]).unwrap();
    drop(writer);
    watcher.wait_for("imported half", |e| is(e, "imported", &half));

    // A Garmin device mounted under the mount root: it appears whole, as a mount does (built
    // beside the mount root, then moved in with one rename).
    let staging = tmp.path().join("FORERUNNER");
    std::fs::create_dir_all(staging.join("GARMIN").join("Activity")).unwrap();
    std::fs::copy(
        corpus("compressed-speed-distance.fit"),
        staging.join("GARMIN").join("Activity").join("B8F81530.FIT"),
    )
    .unwrap();
    let device = mounts.join("FORERUNNER");
    std::fs::rename(&staging, &device).unwrap();
    let activity_folder = device.join("GARMIN").join("Activity");
    watcher.wait_for("device found", |e| e["event"] == "device_found");
    let device_scan = watcher.wait_for("device scan", |e| {
        e["event"] == "scanned" && e["folder"].as_str() == activity_folder.to_str()
    });
    assert_eq!(device_scan["imported"], 1, "{device_scan}");

    // Ctrl-C stops it cleanly.
    watcher.interrupt();
    watcher.wait_for("stopped", |e| e["event"] == "stopped");
    let status = watcher.child.wait().expect("the watcher ends");
    assert!(status.success(), "exit status {status}");

    // What was stored is what importing the same complete files stores.
    let expected_db = tmp.path().join("expected.sqlite");
    let out = fettle()
        .arg("--db")
        .arg(&expected_db)
        .arg("import")
        .arg(corpus("garmin-fenix-5-run.fit"))
        .arg(corpus("2013-02-06-12-11-14.fit"))
        .arg(corpus("activity-small-fenix2-run.fit"))
        .arg(corpus("compressed-speed-distance.fit"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stored = activities(&db);
    assert_eq!(stored.len(), 4);
    assert_eq!(stored, activities(&expected_db));
}

#[test]
fn watch_refuses_a_missing_folder_and_an_empty_command() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("fettle.sqlite");
    let out = fettle()
        .arg("--db")
        .arg(&db)
        .args(["watch", "--no-devices"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = fettle()
        .arg("--db")
        .arg(&db)
        .arg("--json")
        .arg("watch")
        .arg(tmp.path().join("nowhere"))
        .arg("--no-devices")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let error: Value = serde_json::from_slice(&out.stderr).expect("a JSON error");
    assert!(
        error["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("nowhere")),
        "{error}"
    );
}
