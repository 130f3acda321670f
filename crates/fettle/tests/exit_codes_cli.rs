//! The command line's exit statuses and error documents: 0 success, 1 a runtime failure
//! (not found, the database, a failed file), 2 a usage error (clap's, or a value refused by
//! validation); with `--json` every error is `{"error": {"code", "message", …}}` on stderr and
//! nothing on stdout.

use assert_cmd::Command;
use serde_json::Value;

/// Runs `fettle` on a fresh database in `dir` and returns (status, stdout, stderr).
fn run(dir: &tempfile::TempDir, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::cargo_bin("fettle")
        .expect("the binary")
        .env_remove("FETTLE_DB")
        .env_remove("FETTLE_DATABASE")
        .env("TZ", "UTC")
        .arg("--db")
        .arg(dir.path().join("db.sqlite"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The `--json` error document's code, checking the shape on the way.
fn error_code(stderr: &str) -> String {
    let document: Value = serde_json::from_str(stderr.trim())
        .unwrap_or_else(|e| panic!("stderr is not one JSON document ({e}): {stderr}"));
    let error = &document["error"];
    assert!(
        !error["message"].as_str().unwrap_or_default().is_empty(),
        "{document}"
    );
    error["code"].as_str().expect("a code").to_owned()
}

#[test]
fn clap_usage_errors_exit_2_and_answer_json_when_asked() {
    let dir = tempfile::tempdir().expect("folder");
    let (code, stdout, stderr) = run(&dir, &["--json", "statuss"]);
    assert_eq!(code, Some(2));
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(error_code(&stderr), "usage");
    assert!(stderr.contains("statuss"), "{stderr}");
    // Without --json, clap's own message.
    let (code, _, stderr) = run(&dir, &["activity", "delete"]);
    assert_eq!(code, Some(2));
    assert!(stderr.starts_with("error:"), "{stderr}");
    // Help is no error.
    let (code, stdout, _) = run(&dir, &["--json", "--help"]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("Usage"), "{stdout}");
}

#[test]
fn refused_values_exit_2_and_runtime_failures_exit_1() {
    let dir = tempfile::tempdir().expect("folder");
    // A value refused by validation: a usage-class error.
    let (code, stdout, stderr) = run(&dir, &["--json", "status", "--date", "2026-02-30"]);
    assert_eq!(code, Some(2));
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(error_code(&stderr), "invalid_input");
    // Something that does not exist: a runtime failure.
    let (code, stdout, stderr) = run(&dir, &["--json", "activity", "42"]);
    assert_eq!(code, Some(1));
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(error_code(&stderr), "not_found");
    let (code, _, stderr) = run(&dir, &["activity", "42"]);
    assert_eq!(code, Some(1));
    assert!(stderr.starts_with("error: no activity 42"), "{stderr}");
    // Success.
    let (code, _, _) = run(&dir, &["--json", "activities"]);
    assert_eq!(code, Some(0));
}

#[test]
fn a_database_that_cannot_be_opened_is_a_runtime_failure() {
    let dir = tempfile::tempdir().expect("folder");
    // A folder where the database file should be.
    std::fs::create_dir(dir.path().join("db.sqlite")).expect("folder");
    let (code, stdout, stderr) = run(&dir, &["--json", "status"]);
    assert_eq!(code, Some(1));
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(error_code(&stderr), "database");
}
