//! End-to-end tests of the `fettle` command: real files in, real SQLite database, real output.
//!
//! Each test gets its own temporary folder and database (hermetic). Expected numbers come from
//! the files the tests write themselves (known sessions encoded with Fettle's FIT encoder) or
//! from hand calculation, never from the program's own output.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use fettle_formats::{Activity, Sport, Streams};
use jiff::Timestamp;
use serde_json::Value;

/// The repository's corpus of real device files (`testdata/corpus`).
fn corpus() -> PathBuf {
    fettle_testdata::corpus_root()
}

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("test.sqlite")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn fettle(&self) -> Command {
        let mut cmd = Command::cargo_bin("fettle").unwrap();
        cmd.arg("--db").arg(self.db()).env("TZ", "UTC");
        cmd
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
}

/// A steady run: `minutes` at `speed` m/s and a constant `hr`, 1 Hz, starting at `start`.
fn steady_run(start: &str, minutes: u32, speed: f32, hr: f32) -> Activity {
    let start: Timestamp = start.parse().unwrap();
    let n = minutes * 60 + 1;
    let mut a = Activity::new(start, Sport::Running);
    a.streams = Streams {
        time_s: (0..n).map(f64::from).collect(),
        distance_m: (0..n).map(|i| f64::from(i) * f64::from(speed)).collect(),
        speed_mps: vec![speed; n as usize],
        heart_rate_bpm: vec![hr; n as usize],
        altitude_m: vec![30.0; n as usize],
        ..Streams::default()
    };
    a.elapsed_s = f64::from(n - 1);
    a.timer_s = a.elapsed_s;
    a.distance_m = Some(f64::from(n - 1) * f64::from(speed));
    a.avg_hr = Some(f64::from(hr));
    a.max_hr = Some(f64::from(hr));
    a
}

fn write_fit(path: &Path, activity: &Activity) {
    std::fs::write(path, fettle_formats::fit::encode_activity(activity)).unwrap();
}

/// The same run as GPX 1.1 with Garmin's TrackPointExtension for heart rate.
fn write_gpx(path: &Path, activity: &Activity) {
    let mut gpx = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
<trk><type>running</type><trkseg>
"#,
    );
    for (i, t) in activity.streams.time_s.iter().enumerate() {
        let at = activity.start + jiff::SignedDuration::from_secs(*t as i64);
        // 1e-5 degrees of latitude ≈ 1.11 m: a straight line north.
        let lat = 51.0 + i as f64 * 2.5e-5;
        gpx.push_str(&format!(
            "<trkpt lat=\"{lat:.7}\" lon=\"-0.1\"><ele>30</ele><time>{at}</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{}</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>\n",
            activity.streams.heart_rate_bpm[i]
        ));
    }
    gpx.push_str("</trkseg></trk></gpx>\n");
    std::fs::write(path, gpx).unwrap();
}

#[test]
fn import_lists_activities_newest_first_with_the_json_contract() {
    let env = Env::new();
    let folder = env.path("runs");
    std::fs::create_dir(&folder).unwrap();
    write_fit(
        &folder.join("a.fit"),
        &steady_run("2026-11-01T07:00:00Z", 30, 3.0, 140.0),
    );
    write_fit(
        &folder.join("b.fit"),
        &steady_run("2026-11-03T07:00:00Z", 45, 3.5, 150.0),
    );
    env.fettle().arg("import").arg(&folder).assert().success();

    let list = env.json(&["activities"]);
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 2);
    // Newest first.
    assert_eq!(items[0]["start"], "2026-11-03T07:00:00+00:00");
    assert_eq!(items[1]["start"], "2026-11-01T07:00:00+00:00");
    let b = &items[0];
    for key in [
        "id",
        "start",
        "sport",
        "elapsed_s",
        "timer_s",
        "distance_m",
        "ascent_m",
        "avg_hr",
        "max_hr",
        "device",
        "source",
        "load",
        "load_method",
        "loads",
    ] {
        assert!(b.get(key).is_some(), "missing {key} in {b}");
    }
    assert_eq!(b["sport"], "running");
    assert_eq!(b["elapsed_s"], 2700.0);
    // 2700 s at 3.5 m/s = 9450 m
    assert!((b["distance_m"].as_f64().unwrap() - 9450.0).abs() < 0.5);
    assert_eq!(b["avg_hr"], 150.0);
    assert!(b["source"].as_str().unwrap().ends_with("b.fit"));
    for method in ["trimp", "edwards", "srpe", "rtss", "hrtss"] {
        assert!(b["loads"].get(method).is_some(), "loads.{method} missing");
    }

    let id = b["id"].as_i64().unwrap().to_string();
    let detail = env.json(&["activity", &id]);
    assert_eq!(detail["id"], b["id"]);
    assert!(detail["laps"].is_array());
    let hr = &detail["streams"]["heart_rate_bpm"];
    assert_eq!(hr["count"], 2701);
    assert_eq!(hr["mean"], 150.0);
}

#[test]
fn importing_the_same_files_twice_and_the_same_run_as_gpx_are_duplicates() {
    let env = Env::new();
    let run = steady_run("2026-10-10T06:30:00Z", 20, 2.78, 135.0);
    write_fit(&env.path("run.fit"), &run);
    write_gpx(&env.path("run.gpx"), &run);

    let first = env.json(&["import", env.path("run.fit").to_str().unwrap()]);
    assert_eq!(first["imported"], 1);
    let again = env.json(&["import", env.path("run.fit").to_str().unwrap()]);
    assert_eq!(again["imported"], 0);
    assert_eq!(again["duplicates"], 1);
    let as_gpx = env.json(&["import", env.path("run.gpx").to_str().unwrap()]);
    assert_eq!(as_gpx["imported"], 0, "{as_gpx}");
    assert_eq!(as_gpx["duplicates"], 1);
    assert_eq!(env.json(&["activities"]).as_array().unwrap().len(), 1);
}

#[test]
fn verbose_import_names_each_duplicate_with_the_stored_activity_it_duplicates() {
    let env = Env::new();
    let run = steady_run("2026-10-11T06:30:00Z", 30, 2.9, 140.0);
    let fit = env.path("forerunner.fit");
    let gpx = env.path("fenix.gpx");
    write_fit(&fit, &run);
    write_gpx(&gpx, &run);
    let (fit, gpx) = (fit.to_str().unwrap(), gpx.to_str().unwrap());

    let first = env.json(&["import", fit]);
    assert_eq!(first["imported"], 1);
    assert_eq!(first["duplicate_activities"], serde_json::json!([]));
    let stored_id = first["imported_ids"][0].as_i64().unwrap();

    // Text: the duplicate, the id and the file it duplicates, on one line.
    let out = env
        .fettle()
        .args(["import", "--verbose", gpx])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains("fenix.gpx"))
        .unwrap_or_else(|| panic!("the duplicate is not named: {stderr}"));
    assert!(line.contains(&format!("activity {stored_id} ")), "{line}");
    assert!(line.contains(fit), "{line}");

    // JSON: the same, structured (the GPX was recorded as a file, so it goes by its bytes now;
    // a copy under another name is the same session again).
    let copy = env.path("fenix-copy.gpx");
    let mut bytes = std::fs::read(gpx).unwrap();
    bytes.extend_from_slice(b"\n");
    std::fs::write(&copy, bytes).unwrap();
    let again = env.json(&["import", "--verbose", copy.to_str().unwrap()]);
    assert_eq!(again["duplicates"], 1);
    assert_eq!(
        again["duplicate_activities"],
        serde_json::json!([{
            "source": copy.to_str().unwrap(),
            "duplicate_of": {"activity_id": stored_id, "source": fit},
        }])
    );
    assert_eq!(env.json(&["activities"]).as_array().unwrap().len(), 1);
}

#[test]
fn a_broken_file_is_named_the_others_are_imported_and_the_exit_status_is_1() {
    let env = Env::new();
    let folder = env.path("mixed");
    std::fs::create_dir(&folder).unwrap();
    write_fit(
        &folder.join("good.fit"),
        &steady_run("2026-09-01T07:00:00Z", 25, 3.0, 140.0),
    );
    std::fs::write(folder.join("broken.fit"), b"this is not a FIT file at all").unwrap();
    std::fs::write(folder.join("notes.txt"), b"shopping list").unwrap();

    let out = env.fettle().arg("import").arg(&folder).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.fit"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 activities imported"), "{stdout}");

    let verbose = env
        .fettle()
        .args(["import", "--verbose"])
        .arg(&folder)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&verbose.stderr);
    assert!(stderr.contains("notes.txt"), "{stderr}");
    assert_eq!(env.json(&["activities"]).as_array().unwrap().len(), 1);
}

#[test]
fn the_real_corpus_imports_with_failures_named_and_sports_kept() {
    let corpus = corpus().join("fit");
    assert!(
        corpus.is_dir(),
        "the test corpus is missing at {}",
        corpus.display()
    );
    let env = Env::new();
    let out = env
        .fettle()
        .args(["import", "--json"])
        .arg(&corpus)
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Settings, workout, monitoring and weight files are skipped with a reason, not failed.
    let skips = summary["skips"].as_array().unwrap();
    let skipped: Vec<&str> = skips
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    for name in [
        "Settings.fit",
        "WorkoutRepeatSteps.fit",
        "MonitoringFile.fit",
        "WeightScaleSingleUser.fit",
    ] {
        assert!(
            skipped.iter().any(|s| s.ends_with(name)),
            "{name} not skipped: {skipped:?}"
        );
    }
    // Failed files make the exit status 1; every failure carries a reason.
    let failed = summary["failed"].as_u64().unwrap();
    assert_eq!(out.status.code(), Some(if failed > 0 { 1 } else { 0 }));
    for f in summary["failures"].as_array().unwrap() {
        assert!(!f["reason"].as_str().unwrap().is_empty());
    }
    let list = env.json(&["activities"]);
    let sports: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["sport"].as_str().unwrap())
        .collect();
    for sport in ["running", "cycling", "swimming"] {
        assert!(sports.contains(&sport), "no {sport} in {sports:?}");
    }
    // The multisport file becomes one activity per leg (without transitions), labelled @N.
    assert!(list.as_array().unwrap().iter().any(|a| {
        a["source"]
            .as_str()
            .unwrap()
            .contains("activity-large-fenxi2-multisport.fit@")
    }));
}

#[test]
fn status_follows_the_hand_computed_fitness_of_a_known_history() {
    let env = Env::new();
    env.fettle()
        .args([
            "profile",
            "set",
            "--sex",
            "male",
            "--max-hr",
            "190",
            "--rest-hr",
            "50",
            "--lthr",
            "170",
            "--threshold-pace",
            "4:10/km",
            "--tz",
            "UTC",
            "--from",
            "2026-01-01",
        ])
        .assert()
        .success();
    // One hour at exactly LTHR each day for 3 days: hrTSS = 100 each (one hour at threshold).
    let folder = env.path("three");
    std::fs::create_dir(&folder).unwrap();
    for day in 1..=3 {
        write_fit(
            &folder.join(format!("d{day}.fit")),
            &steady_run(&format!("2026-03-0{day}T08:00:00Z"), 60, 3.0, 170.0),
        );
    }
    env.fettle().arg("import").arg(&folder).assert().success();
    let list = env.json(&["activities"]);
    for a in list.as_array().unwrap() {
        assert_eq!(a["load_method"], "hrtss");
        // 3600 one-second segments at LTHR → hrTSS = 100 · 3600/3600.
        assert!((a["load"].as_f64().unwrap() - 100.0).abs() < 0.01, "{a}");
    }
    let status = env.json(&["status", "--date", "2026-03-03"]);
    for key in [
        "date",
        "fitness",
        "fatigue",
        "form",
        "ramp",
        "acwr",
        "monotony",
        "strain",
        "week_distance_m",
        "flags",
    ] {
        assert!(status.get(key).is_some(), "missing {key}");
    }
    // Fitness and fatigue start from the early history's mean daily load (a new athlete is not
    // "exhausted" by three runs): S = 300 / 7 = 42.857 (three days count as one week). Then
    // X_n = 100 − (100 − S)·e^(−n/N): CTL after 3 days = 100 − 57.143·e^(−3/42) = 46.797.
    let seed = 300.0 / 7.0;
    let ctl = 100.0 - (100.0 - seed) * (-3.0f64 / 42.0).exp();
    assert!((ctl - 46.797).abs() < 1e-3);
    assert!((status["fitness"].as_f64().unwrap() - ctl).abs() < 1e-6);
    // ATL: 100 − 57.143·e^(−3/7) = 62.775
    let atl = 100.0 - (100.0 - seed) * (-3.0f64 / 7.0).exp();
    assert!((status["fatigue"].as_f64().unwrap() - atl).abs() < 1e-6);
    // Form this morning = yesterday's CTL − ATL = (100 − S)(e^(−2/7) − e^(−2/42)).
    let form = (100.0 - seed) * ((-2.0f64 / 7.0).exp() - (-2.0f64 / 42.0).exp());
    assert!((status["form"].as_f64().unwrap() - form).abs() < 1e-6);
    assert_eq!(status["provisional"], true);
    // 3 × 10.8 km
    assert!((status["week_distance_m"].as_f64().unwrap() - 32_400.0).abs() < 1.0);

    let csv = env
        .fettle()
        .args([
            "load",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-04",
            "--csv",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(csv.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert!(lines[0].starts_with("date,load,"));
    assert!(lines[4].starts_with("2026-03-04,0.0,"));
    // Form is negative after three days of 100 from the seed S and keeps its minus sign in the
    // CSV (it was once stripped): on 3 March, form = (100 − S)(e^(−2/7) − e^(−2/42)) = −11.5;
    // on 4 March, (100 − S)(e^(−3/7) − e^(−3/42)) = −16.0. Missing ACWR is an empty field.
    let header: Vec<&str> = lines[0].split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let cells = |line: &str| line.split(',').map(str::to_string).collect::<Vec<_>>();
    let form_on_4 = (100.0 - seed) * ((-3.0f64 / 7.0).exp() - (-3.0f64 / 42.0).exp());
    for (line, expected) in [(lines[3], form), (lines[4], form_on_4)] {
        let row = cells(line);
        assert_eq!(row.len(), header.len(), "{line}");
        assert!(expected < -10.0);
        assert_eq!(row[column("form")], format!("{expected:.1}"), "{line}");
        assert!(row[column("form")].starts_with('-'), "{line}");
    }
    assert_eq!(cells(lines[1])[column("acwr")], "", "{text}");
}

#[test]
fn a_manual_session_gets_an_rpe_load_and_rpe_can_be_changed() {
    let env = Env::new();
    env.fettle()
        .args([
            "add",
            "--date",
            "2026-11-20",
            "--start",
            "07:30",
            "--duration",
            "45m",
            "--distance",
            "9km",
            "--rpe",
            "4",
        ])
        .assert()
        .success();
    let list = env.json(&["activities"]);
    let a = &list[0];
    assert_eq!(a["start"], "2026-11-20T07:30:00+00:00");
    assert_eq!(a["distance_m"], 9000.0);
    // session-RPE = 4 × 45 min = 180 AU
    assert_eq!(a["loads"]["srpe"], 180.0);
    assert_eq!(a["load_method"], "srpe");
    let id = a["id"].as_i64().unwrap().to_string();
    env.fettle().args(["rpe", &id, "6"]).assert().success();
    let list = env.json(&["activities"]);
    assert_eq!(list[0]["loads"]["srpe"], 270.0);
}

#[test]
fn bad_input_gets_a_clear_error_and_a_non_zero_exit() {
    let env = Env::new();
    let out = env
        .fettle()
        .args(["status", "--date", "20/11/2026"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));

    let out = env.fettle().args(["rpe", "999", "5"]).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no activity 999"));

    let out = env.fettle().args(["rpe", "1", "12"]).output().unwrap();
    assert_ne!(out.status.code(), Some(0));

    let out = env
        .fettle()
        .args(["import", "/definitely/not/here.fit"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));

    let out = env
        .fettle()
        .args(["profile", "set", "--max-hr", "500"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
}

#[test]
fn the_database_can_be_chosen_with_the_environment() {
    let env = Env::new();
    let db = env.path("from-env.sqlite");
    Command::cargo_bin("fettle")
        .unwrap()
        .env("FETTLE_DB", &db)
        .args([
            "add",
            "--date",
            "2026-11-01",
            "--duration",
            "30m",
            "--rpe",
            "3",
        ])
        .assert()
        .success();
    assert!(db.exists());
}

#[test]
fn the_demo_runs_end_to_end_into_a_kept_database() {
    let env = Env::new();
    let out = env
        .fettle()
        .args(["demo", "--days", "60", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = report["fit_files"].as_u64().unwrap();
    assert!(files > 20, "{report}");
    assert_eq!(report["import"]["failed"], 0);
    assert_eq!(report["import"]["imported"].as_u64().unwrap(), files);
    assert!(report["status"]["fitness"].as_f64().unwrap() > 0.0);
    let list = env.json(&["activities"]);
    assert_eq!(list.as_array().unwrap().len() as u64, files);
    // HRmax, LTHR and threshold pace were not given: the profile shows them as estimated.
    let profile = env.json(&["profile"]);
    assert_eq!(
        profile["hr_max"]["source"]["kind"], "estimated",
        "{profile}"
    );
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let env = Env::new();
    for day in 1..=9 {
        env.fettle()
            .args([
                "add",
                "--date",
                &format!("2026-10-0{day}"),
                "--duration",
                "30m",
                "--rpe",
                "3",
            ])
            .assert()
            .success();
    }
    // A reader that stops at once, like `head -c 1`: the table is longer than a pipe buffer
    // only with many rows, so write the series (one row per day since the first session).
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("fettle"))
        .arg("--db")
        .arg(env.db())
        .args(["load", "--to", "2026-12-31"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_very_old_session_does_not_cut_the_series_short() {
    let env = Env::new();
    // Typing errors before 1989 (fettle_core::limits::EARLIEST_DATE) are refused with the
    // reason.
    let out = env
        .fettle()
        .args([
            "add",
            "--date",
            "1900-01-01",
            "--duration",
            "30m",
            "--rpe",
            "3",
        ])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("check the year"));
    // An old but accepted session beside a recent one: status still describes the day asked.
    for date in ["1990-05-01", "2026-11-01"] {
        env.fettle()
            .args(["add", "--date", date, "--duration", "30m", "--rpe", "3"])
            .assert()
            .success();
    }
    let status = env.json(&["status", "--date", "2026-11-02"]);
    assert_eq!(status["date"], "2026-11-02");
    assert!(status["fitness"].as_f64().unwrap() > 0.0);
}

#[test]
fn the_time_zone_applies_to_the_whole_history_whatever_from_says() {
    let env = Env::new();
    env.fettle()
        .args([
            "profile",
            "set",
            "--tz",
            "Asia/Tokyo",
            "--from",
            "2099-01-01",
        ])
        .assert()
        .success();
    env.fettle()
        .args([
            "add",
            "--date",
            "2026-11-01",
            "--start",
            "07:30",
            "--duration",
            "30m",
            "--rpe",
            "3",
        ])
        .assert()
        .success();
    // 07:30 in Tokyo (+09:00), already now, not only from 2099.
    assert_eq!(
        env.json(&["activities"])[0]["start"],
        "2026-11-01T07:30:00+09:00"
    );
    assert_eq!(env.json(&["profile"])["time_zone"], "Asia/Tokyo");
}

#[test]
fn running_cadence_is_shown_in_steps_per_minute() {
    // FIT records running cadence per leg: 85 strides/min is 2 × 85 = 170 steps/min.
    let env = Env::new();
    let mut run = steady_run("2026-08-01T07:00:00Z", 10, 3.0, 140.0);
    run.streams.cadence_rpm = vec![85.0; run.streams.len()];
    run.avg_cadence = Some(85.0);
    write_fit(&env.path("cadence.fit"), &run);
    env.fettle()
        .arg("import")
        .arg(env.path("cadence.fit"))
        .assert()
        .success();
    let id = env.json(&["activities"])[0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let out = env.fettle().args(["activity", &id]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("170 steps/min (85.0 strides/min as recorded)"),
        "{text}"
    );
}

#[test]
fn the_usual_week_seeds_a_new_athletes_fitness_and_is_checked() {
    let env = Env::new();
    env.fettle()
        .args([
            "profile",
            "set",
            "--usual-week",
            "50km",
            "--tz",
            "UTC",
            "--from",
            "2026-03-01",
        ])
        .assert()
        .success();
    env.fettle()
        .args([
            "add",
            "--date",
            "2026-03-02",
            "--duration",
            "45m",
            "--rpe",
            "3",
        ])
        .assert()
        .success();
    // No distance recorded, so the default 5.6 points per km: 50 × 5.6 / 7 = 40 points a day.
    let status = env.json(&["status", "--date", "2026-03-02"]);
    assert!(
        (status["seed_daily_load"].as_f64().unwrap() - 40.0).abs() < 1e-9,
        "{status}"
    );
    assert_eq!(status["provisional"], true);
    // This morning's form starts at 0: fitness and fatigue both begin at 40.
    assert_eq!(status["form"].as_f64().unwrap(), 0.0);
    let text = env
        .fettle()
        .args(["status", "--date", "2026-03-02"])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("provisional"), "{text}");
    let profile = env.fettle().arg("profile").output().unwrap();
    assert!(
        String::from_utf8(profile.stdout)
            .unwrap()
            .contains("usual week       50 km")
    );
    // Outside 1–400 km: refused with the range, nothing stored.
    let out = env
        .fettle()
        .args(["profile", "set", "--usual-week", "900km"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("1–400 km"), "{err}");
    let status = env.json(&["status", "--date", "2026-03-02"]);
    assert!((status["seed_daily_load"].as_f64().unwrap() - 40.0).abs() < 1e-9);
}
