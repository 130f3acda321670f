//! A value stored before the importer's bounds existed (or written by anything else) must not
//! make a later command fail: an activity whose elapsed time is 1e19 s — what a TCX with
//! `<TotalTimeSeconds>1e19</TotalTimeSeconds>` once stored — made `fettle readiness` and
//! `fettle recover` panic. The value is written straight into the SQLite file, past every
//! check the importer and the store make today.

use assert_cmd::Command;

#[test]
fn readiness_recover_and_status_survive_an_absurd_stored_duration() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = dir.path().join("absurd.sqlite");
    let fettle = || {
        let mut cmd = Command::cargo_bin("fettle").expect("the binary");
        cmd.arg("--db").arg(&db).env("TZ", "UTC");
        cmd
    };
    let file = fettle_testdata::corpus("fit/Activity.fit");
    fettle().arg("import").arg(&file).assert().success();
    let connection = rusqlite::Connection::open(&db).expect("opens");
    let changed = connection
        .execute(
            "UPDATE activities SET elapsed_s = 1e19, timer_s = 1e19, end_ms = ?1",
            [i64::MAX],
        )
        .expect("updated");
    assert_eq!(changed, 1);
    drop(connection);
    for command in ["readiness", "recover", "status", "activities"] {
        let out = fettle().arg(command).arg("--json").output().expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{command}: {stderr}");
        assert!(
            out.status.code() == Some(0) || out.status.code() == Some(1),
            "{command} exited {:?}: {stderr}",
            out.status.code()
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .unwrap_or_else(|e| panic!("{command}: not JSON ({e}): {stderr}"));
    }
}
