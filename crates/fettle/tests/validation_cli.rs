//! What a person types that is outside physical sense is refused by the command line with the
//! field, the value and the limit, exit status 2, and nothing stored (issue 11 item 11).
//!
//! Each test runs the real `fettle` binary on its own temporary SQLite file. The expected limits
//! are the documented ones of `fettle_core::limits` (1989-01-01 to tomorrow for days, 24 h of
//! slack for times, 50 m as the shortest distance typed by hand, HRmax 100–240 bpm …), written
//! out by hand here, not read back from the program.

use assert_cmd::Command;
use jiff::ToSpan;
use jiff::civil::Date;
use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
}

/// What a refused command left: its exit status and stderr.
struct Refusal {
    code: Option<i32>,
    stderr: String,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn fettle(&self) -> Command {
        let mut cmd = Command::cargo_bin("fettle").unwrap();
        cmd.arg("--db")
            .arg(self.dir.path().join("test.sqlite"))
            .env("TZ", "UTC");
        cmd
    }

    fn ok(&self, args: &[&str]) {
        let out = self.fettle().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "fettle {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.fettle().args(args).arg("--json").output().unwrap();
        assert!(
            out.status.success(),
            "fettle {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Runs a command that must be refused as bad input: exit status 2, nothing on stdout.
    fn refused(&self, args: &[&str]) -> Refusal {
        let out = self.fettle().args(args).output().unwrap();
        assert!(
            out.stdout.is_empty(),
            "fettle {args:?} printed {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let refusal = Refusal {
            code: out.status.code(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert_eq!(refusal.code, Some(2), "fettle {args:?}: {}", refusal.stderr);
        refusal
    }

    /// The same command with `--json`: the error document on stderr, its one violation.
    fn violation(&self, args: &[&str]) -> Value {
        let mut with_json = args.to_vec();
        with_json.push("--json");
        let refusal = self.refused(&with_json);
        let document: Value = serde_json::from_str(refusal.stderr.trim())
            .unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {}", refusal.stderr));
        assert_eq!(document["error"]["code"], "invalid_input", "{document}");
        let violations = document["error"]["violations"]
            .as_array()
            .unwrap_or_else(|| panic!("no violations: {document}"));
        assert!(!violations.is_empty(), "{document}");
        let message = document["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(violations[0]["message"].as_str().unwrap()),
            "{document}"
        );
        violations[0].clone()
    }

    fn races(&self) -> usize {
        self.json(&["race", "list"]).as_array().unwrap().len()
    }

    fn activities(&self) -> usize {
        self.json(&["activities"]).as_array().unwrap().len()
    }
}

/// Today in UTC (the tests run with TZ=UTC and no profile zone).
fn today() -> Date {
    jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date()
}

/// The date limit as the refusal shows it, computed around the command (a run that crosses
/// midnight sees either day).
fn date_limits() -> [String; 2] {
    let tomorrow = |d: Date| d.checked_add(1.day()).unwrap();
    let before = today();
    [
        format!("1989-01-01 to {}", tomorrow(before)),
        format!("1989-01-01 to {}", tomorrow(tomorrow(before))),
    ]
}

#[test]
fn a_race_time_with_a_negative_part_is_refused_not_read_as_30_minutes() {
    let env = Env::new();
    let args = [
        "race",
        "add",
        "--date",
        "2026-10-04",
        "--distance",
        "10k",
        "--time",
        "1:-30:00",
    ];
    let refusal = env.refused(&args);
    assert!(
        refusal.stderr.contains("--time") && refusal.stderr.contains("1:-30:00"),
        "{}",
        refusal.stderr
    );
    let v = env.violation(&args);
    assert_eq!(v["field"], "time");
    assert_eq!(v["value"], "1:-30:00");
    assert_eq!(
        v["limit"],
        "a positive duration such as 45m, 1h30m, 1:15:00 or 45:00"
    );
    assert_eq!(env.races(), 0);
    // The same race typed right is stored: 10 km in 1:30:00.
    env.ok(&[
        "race",
        "add",
        "--date",
        "2026-10-04",
        "--distance",
        "10k",
        "--time",
        "1:30:00",
    ]);
    let races = env.json(&["race", "list"]);
    assert_eq!(races[0]["time_s"], 5400.0);
}

#[test]
fn race_dates_outside_1989_to_tomorrow_are_refused() {
    let env = Env::new();
    for (date, words) in [
        ("0001-01-01", "before 1989-01-01"),
        ("9999-12-31", "after today"),
    ] {
        let args = [
            "race",
            "add",
            "--date",
            date,
            "--distance",
            "5k",
            "--time",
            "25:00",
        ];
        let refusal = env.refused(&args);
        assert!(refusal.stderr.contains(words), "{}", refusal.stderr);
        let v = env.violation(&args);
        assert_eq!(v["field"], "date");
        assert_eq!(v["value"], date);
        assert!(
            date_limits().contains(&v["limit"].as_str().unwrap().to_owned()),
            "{v}"
        );
    }
    assert_eq!(env.races(), 0);
}

#[test]
fn wellness_dated_in_the_year_1000_is_refused() {
    let env = Env::new();
    let args = ["wellness", "add", "--date", "1000-01-01", "--sleep", "8"];
    let refusal = env.refused(&args);
    assert!(
        refusal
            .stderr
            .contains("date 1000-01-01 is before 1989-01-01"),
        "{}",
        refusal.stderr
    );
    let v = env.violation(&args);
    assert_eq!(
        (v["field"].as_str(), v["value"].as_str()),
        (Some("date"), Some("1000-01-01"))
    );
    assert!(
        date_limits().contains(&v["limit"].as_str().unwrap().to_owned()),
        "{v}"
    );
    let stored = env.json(&["wellness", "list", "--from", "0999-01-01"]);
    assert_eq!(stored, serde_json::json!([]));
}

#[test]
fn a_recovery_entry_in_the_year_1_is_refused() {
    let env = Env::new();
    let args = [
        "recovery",
        "log",
        "massage",
        "--minutes",
        "45",
        "--at",
        "0001-01-01 10:00",
    ];
    let refusal = env.refused(&args);
    assert!(
        refusal
            .stderr
            .contains("at 0001-01-01 10:00 is before 1989-01-01"),
        "{}",
        refusal.stderr
    );
    let v = env.violation(&args);
    assert_eq!(v["field"], "at");
    assert_eq!(v["value"], "0001-01-01 10:00");
    assert!(
        v["limit"].as_str().unwrap().starts_with("1989-01-01 to ")
            && v["limit"].as_str().unwrap().ends_with("(now + 24 h)"),
        "{v}"
    );
    let stored = env.json(&["recovery", "list", "--from", "0001-01-01"]);
    assert_eq!(stored["entries"], serde_json::json!([]), "{stored}");
}

#[test]
fn a_threshold_heart_rate_above_the_maximum_is_refused_in_one_go_or_later() {
    let env = Env::new();
    let args = ["profile", "set", "--max-hr", "150", "--lthr", "180"];
    let refusal = env.refused(&args);
    assert!(
        refusal
            .stderr
            .contains("lthr 180 bpm is not below max_hr 150 bpm"),
        "{}",
        refusal.stderr
    );
    let v = env.violation(&args);
    assert_eq!(v["field"], "lthr");
    assert_eq!(v["value"], "180");
    assert_eq!(v["limit"], "below max_hr (150 bpm)");
    // Nothing of the pair was stored: the maximum is not "given".
    let profile = env.json(&["profile"]);
    assert_ne!(profile["hr_max"]["source"]["kind"], "given", "{profile}");
    // Given apart, the second value is checked against the first.
    env.ok(&["profile", "set", "--max-hr", "150", "--from", "2026-01-01"]);
    let v = env.violation(&["profile", "set", "--lthr", "180", "--from", "2026-06-01"]);
    assert_eq!(v["limit"], "below max_hr (150 bpm)");
    assert_eq!(
        env.json(&["profile"])["history"]["lthr"],
        serde_json::json!([])
    );
    // A resting rate is checked against the LTHR in force on its day, and on every later day
    // a value changes: LTHR 120 from June covers March too (the first value covers the days
    // before it), so a resting 125 from March is refused.
    env.ok(&["profile", "set", "--lthr", "120", "--from", "2026-06-01"]);
    let v = env.violation(&["profile", "set", "--rest-hr", "125", "--from", "2026-03-01"]);
    assert_eq!(v["field"], "rest_hr");
    assert_eq!(v["limit"], "below lthr (120 bpm)");
    assert_eq!(
        env.json(&["profile"])["history"]["hr_rest"],
        serde_json::json!([])
    );
}

#[test]
fn a_profile_value_from_2030_is_refused_instead_of_applying_today() {
    let env = Env::new();
    let args = ["profile", "set", "--max-hr", "190", "--from", "2030-01-01"];
    let refusal = env.refused(&args);
    assert!(
        refusal.stderr.contains("from 2030-01-01 is after today"),
        "{}",
        refusal.stderr
    );
    let v = env.violation(&args);
    assert_eq!(v["field"], "from");
    assert_eq!(v["value"], "2030-01-01");
    assert!(
        date_limits().contains(&v["limit"].as_str().unwrap().to_owned()),
        "{v}"
    );
    let history = &env.json(&["profile"])["history"];
    assert_eq!(history["hr_max"], serde_json::json!([]), "{history}");
}

#[test]
fn a_sport_must_be_a_sport_name() {
    let env = Env::new();
    let args = [
        "add",
        "--date",
        "2026-11-01",
        "--duration",
        "30m",
        "--sport",
        "<script>x</script>",
    ];
    let refusal = env.refused(&args);
    assert!(
        refusal.stderr.contains("not a sport name"),
        "{}",
        refusal.stderr
    );
    let v = env.violation(&args);
    assert_eq!(v["field"], "sport");
    assert_eq!(v["value"], "<script>x</script>");
    assert!(
        v["limit"]
            .as_str()
            .unwrap()
            .contains("letters, digits and underscores"),
        "{v}"
    );
    assert_eq!(env.activities(), 0);
    // A plain custom name is kept as typed (lower case, underscores).
    env.ok(&[
        "add",
        "--date",
        "2026-11-01",
        "--duration",
        "30m",
        "--sport",
        "Nordic Walking",
    ]);
    assert_eq!(env.json(&["activities"])[0]["sport"], "nordic_walking");
    // A filter is a sport name too: a control character is refused, not sent to the database.
    let v = env.violation(&["activities", "--sport", "run\u{7}"]);
    assert_eq!(v["field"], "sport");
    assert!(v["message"].as_str().unwrap().contains("U+0007"), "{v}");
}

#[test]
fn a_distance_of_a_tenth_of_a_millimetre_is_refused() {
    let env = Env::new();
    let args = [
        "add",
        "--date",
        "2026-11-01",
        "--duration",
        "30m",
        "--distance",
        "0.0001m",
    ];
    let refusal = env.refused(&args);
    assert!(refusal.stderr.contains("distance"), "{}", refusal.stderr);
    let v = env.violation(&args);
    assert_eq!(v["field"], "distance");
    assert_eq!(v["value"], "0.0001");
    // Running: at least one 50-m pool length, at most 500 km.
    assert_eq!(v["limit"], "50–500000 m");
    // 42.195 km in 30 min is 84.4 km/h: no one runs that.
    let v = env.violation(&[
        "add",
        "--date",
        "2026-11-01",
        "--duration",
        "30m",
        "--distance",
        "marathon",
    ]);
    assert!(v["message"].as_str().unwrap().contains("84.4 km/h"), "{v}");
    assert_eq!(env.activities(), 0);
}

#[test]
fn control_characters_in_names_and_notes_are_refused() {
    let env = Env::new();
    let v = env.violation(&[
        "add",
        "--date",
        "2026-11-01",
        "--duration",
        "30m",
        "--name",
        "easy \u{1b}[31mred",
    ]);
    assert_eq!(v["field"], "name");
    assert_eq!(v["limit"], "printable characters only");
    let v = env.violation(&[
        "recovery",
        "log",
        "massage",
        "--minutes",
        "45",
        "--at",
        "2026-11-01 10:00",
        "--note",
        "ok\u{8}",
    ]);
    assert_eq!(v["field"], "note");
    assert_eq!(env.activities(), 0);
    let stored = env.json(&["recovery", "list", "--from", "2026-10-01"]);
    assert_eq!(stored["entries"], serde_json::json!([]), "{stored}");
}

#[test]
fn several_mistakes_are_reported_together() {
    let env = Env::new();
    let refusal = env.refused(&["profile", "set", "--max-hr", "500", "--mass", "3"]);
    assert!(
        refusal.stderr.contains("2 values were refused")
            && refusal.stderr.contains("100–240 bpm")
            && refusal.stderr.contains("20–300 kg"),
        "{}",
        refusal.stderr
    );
}

#[test]
fn an_rpe_off_the_cr10_scale_is_refused_with_the_scale() {
    let env = Env::new();
    let v = env.violation(&[
        "add",
        "--date",
        "2026-11-01",
        "--duration",
        "30m",
        "--rpe",
        "11",
    ]);
    assert_eq!(v["field"], "rpe");
    assert_eq!(v["value"], "11");
    assert_eq!(v["limit"], "0–10 (CR-10)");
    assert_eq!(env.activities(), 0);
}

#[test]
fn a_bare_number_that_is_implausible_as_read_is_refused_with_its_likely_meaning() {
    let env = Env::new();
    // `--distance 9` is read as 9 m: 0.012 km/h for 45 minutes. 9 km is 12 km/h (5:00/km).
    let v = env.violation(&[
        "add",
        "--date",
        "2026-11-20",
        "--duration",
        "45",
        "--distance",
        "9",
    ]);
    assert_eq!(
        (v["field"].as_str(), v["value"].as_str()),
        (Some("distance"), Some("9"))
    );
    assert!(
        v["message"].as_str().unwrap().contains("did you mean 9km?"),
        "{v}"
    );
    // Two minutes for a half marathon (633 km/h) is two hours (10.5 km/h).
    let v = env.violation(&[
        "add",
        "--date",
        "2026-11-20",
        "--duration",
        "2",
        "--distance",
        "21.1km",
    ]);
    assert_eq!(v["field"], "duration");
    assert!(
        v["message"].as_str().unwrap().contains("did you mean 2h?"),
        "{v}"
    );
    // Nothing was stored by the refusals; the plausible readings and explicit units pass.
    assert_eq!(env.json(&["activities"]).as_array().map(Vec::len), Some(0));
    env.ok(&[
        "add",
        "--date",
        "2026-11-20",
        "--duration",
        "45",
        "--distance",
        "9000",
    ]);
    env.ok(&[
        "add",
        "--date",
        "2026-11-21",
        "--duration",
        "45m",
        "--distance",
        "9km",
    ]);
    let stored: Vec<f64> = env
        .json(&["activities"])
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["distance_m"].as_f64().unwrap())
        .collect();
    assert_eq!(stored, vec![9000.0, 9000.0]);
}
