//! `fettle activities --limit N --before CURSOR`: pages with a `next` cursor in `--json`, the
//! plain list without paging flags (as scripts read it), and a bad cursor is invalid input.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn fettle(db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fettle"));
    cmd.arg("--db").arg(db).env("TZ", "UTC");
    cmd
}

fn ok(cmd: &mut Command) -> Output {
    let output = cmd.output().expect("fettle runs");
    assert!(
        output.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn json(db: &Path, args: &[&str]) -> Value {
    let output = ok(fettle(db).args(args).arg("--json"));
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|a| a["id"].as_i64().expect("id"))
        .collect()
}

#[test]
fn pages_follow_next_until_every_activity_is_listed_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("fettle.db");
    ok(fettle(&db).args(["demo", "--days", "60"]));
    let all = ids(&json(&db, &["activities"]));
    assert!(all.len() > 10, "the demo made {} activities", all.len());

    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut args = vec!["activities", "--limit", "7"];
        if let Some(cursor) = next.as_deref() {
            args.extend(["--before", cursor]);
        }
        let page = json(&db, &args);
        let this = ids(&page["activities"]);
        assert!(this.len() <= 7);
        seen.extend(this);
        match &page["next"] {
            Value::String(cursor) => next = Some(cursor.clone()),
            Value::Null => break,
            other => panic!("next is a cursor or null, not {other}"),
        }
        assert!(seen.len() <= all.len(), "paging ends");
    }
    assert_eq!(seen, all);

    // The table says how to get the older ones.
    let table = ok(fettle(&db).args(["activities", "--limit", "3"]));
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("--before "), "{text}");
}

#[test]
fn a_bad_cursor_is_invalid_input_exit_2_with_a_json_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("fettle.db");
    ok(fettle(&db).args(["demo", "--days", "14"]));
    let output = fettle(&db)
        .args(["activities", "--before", "last-week", "--json"])
        .output()
        .expect("fettle runs");
    assert_eq!(output.status.code(), Some(2), "invalid input is exit 2");
    let error: Value = serde_json::from_slice(&output.stderr).expect("JSON error on stderr");
    let message = error["error"]["message"].as_str().expect("message");
    assert!(message.contains("`before`"), "{message}");
}
