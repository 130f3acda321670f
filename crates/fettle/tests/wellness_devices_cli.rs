//! `fettle wellness import` of device exports, through the real binary over a real SQLite file:
//! a Garmin Connect export (as its zip and as the unzipped folder) and Oura's Trends CSV.
//!
//! The fixtures are written to the documented layouts (see `fettle_core::wellness::garmin` and
//! the Oura entry of `fettle_core::wellness`'s module docs, which say where each layout comes
//! from); the expected values are worked out by hand in the comments.

use std::io::Write as _;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn fettle(db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_fettle"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("fettle runs")
}

fn json(db: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = fettle(db, &all);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// Garmin's three wellness files, as `(path inside the export, JSON)`.
fn garmin_files() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "a1b2/DI_CONNECT/DI-Connect-Wellness/2026-02-01_2026-05-01_1234_sleepData.json",
            r#"[{"calendarDate": "2026-02-15", "deepSleepSeconds": 5340,
                 "lightSleepSeconds": 14400, "remSleepSeconds": 900, "awakeSleepSeconds": 6540,
                 "sleepScores": {"overallScore": 71}},
                {"calendarDate": "2026-02-16", "deepSleepSeconds": 7200,
                 "lightSleepSeconds": 14400, "remSleepSeconds": 3600}]"#,
        ),
        (
            "a1b2/DI_CONNECT/DI-Connect-Aggregator/UDSFile_2026-02-01_2026-05-01.json",
            r#"[{"calendarDate": "2026-02-15", "restingHeartRate": 48, "totalSteps": 9000},
                {"calendarDate": "2026-02-16", "restingHeartRate": 0},
                {"calendarDate": "2026-02-17", "restingHeartRate": 300}]"#,
        ),
        (
            "a1b2/DI_CONNECT/DI-Connect-Wellness/2026-02-01_2026-05-01_1234_healthStatusData.json",
            r#"[{"calendarDate": "2026-02-16", "metrics": [
                   {"type": "HRV", "value": 58.0}, {"type": "HR", "value": 51.0}]}]"#,
        ),
        (
            "a1b2/DI_CONNECT/DI-Connect-Fitness/x_0_summarizedActivities.json",
            "[]",
        ),
    ]
}

/// Checks what was stored from [`garmin_files`] and what the import said.
fn check_garmin_import(db: &Path, report: &Value) {
    assert_eq!(report["source"], "garmin");
    // 2026-02-17's resting HR of 300 bpm is refused by the wellness limits (25–130 bpm).
    assert_eq!(report["imported"], 2, "{report}");
    assert_eq!(
        report["days"],
        serde_json::json!(["2026-02-15", "2026-02-16"])
    );
    assert_eq!(
        report["fields"],
        serde_json::json!(["sleep_h", "rmssd_ms", "rest_hr"])
    );
    let ignored = report["ignored"].to_string();
    assert!(ignored.contains("sleepScores"), "{ignored}");
    assert!(ignored.contains("1 other file"), "{ignored}");
    let skipped = report["skipped"].to_string();
    assert!(
        skipped.contains("rest_hr") && skipped.contains("300"),
        "{skipped}"
    );

    let list = json(
        db,
        &[
            "wellness",
            "list",
            "--from",
            "2026-02-01",
            "--to",
            "2026-02-28",
        ],
    );
    let days = list.as_array().expect("a list");
    assert_eq!(days.len(), 2, "{list}");
    // 15th: 5340 + 14 400 + 900 s = 20 640 s = 5.733 h of sleep; resting HR 48.
    let first = &days[0];
    assert_eq!(first["date"], "2026-02-15");
    assert!((first["sleep_h"].as_f64().unwrap() - 20_640.0 / 3600.0).abs() < 1e-9);
    assert_eq!(first["rest_hr"], 48.0);
    assert!(first["rmssd_ms"].is_null());
    // 16th: 7200 + 14 400 + 3600 s = 25 200 s = 7 h; HRV 58 ms; resting HR 0 = not worn.
    let second = &days[1];
    assert_eq!(second["sleep_h"], 7.0);
    assert_eq!(second["rmssd_ms"], 58.0);
    assert!(second["rest_hr"].is_null());
    assert_eq!(second["source"], "garmin");
}

#[test]
fn a_garmin_connect_export_zip_gives_sleep_resting_hr_and_hrv() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("fettle.sqlite");
    let zip_path = tmp.path().join("garmin-export.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    for (name, text) in garmin_files() {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    let report = json(&db, &["wellness", "import", zip_path.to_str().unwrap()]);
    check_garmin_import(&db, &report);
}

#[test]
fn an_unzipped_garmin_export_folder_reads_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("fettle.sqlite");
    let export = tmp.path().join("export");
    for (name, text) in garmin_files() {
        let path = export.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let report = json(&db, &["wellness", "import", export.to_str().unwrap()]);
    check_garmin_import(&db, &report);

    // The words say which days and fields were taken, and what was ignored.
    let db2 = tmp.path().join("words.sqlite");
    let out = fettle(&db2, &["wellness", "import", export.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2026-02-15 to 2026-02-16"), "{text}");
    assert!(text.contains("took: sleep_h, rmssd_ms, rest_hr"), "{text}");
    assert!(text.contains("ignored:"), "{text}");
}

#[test]
fn a_folder_without_garmin_wellness_files_is_refused_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("fettle.sqlite");
    let folder = tmp.path().join("photos");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("a.jpg"), b"jpeg").unwrap();
    let out = fettle(&db, &["wellness", "import", folder.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sleepData") && err.contains("Export"), "{err}");
}

#[test]
fn an_oura_trends_csv_gives_sleep_lowest_resting_hr_and_hrv() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("fettle.sqlite");
    let csv = tmp.path().join("oura_2026-03-01_2026-03-03_trends.csv");
    std::fs::write(
        &csv,
        "date,Sleep Score,Total Sleep Duration,Average Resting Heart Rate,Lowest Resting Heart Rate,Average HRV,Readiness Score\n\
         2026-03-01,80,27000,47.1,42,78,85\n\
         2026-03-02,74,23400,49.0,44,65,70\n",
    )
    .unwrap();
    let report = json(&db, &["wellness", "import", csv.to_str().unwrap()]);
    assert_eq!(report["source"], "oura");
    assert_eq!(
        report["days"],
        serde_json::json!(["2026-03-01", "2026-03-02"])
    );
    assert_eq!(
        report["fields"],
        serde_json::json!(["sleep_h", "rmssd_ms", "rest_hr"])
    );
    assert!(report["ignored"].to_string().contains("Readiness Score"));
    let list = json(
        &db,
        &[
            "wellness",
            "list",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-02",
        ],
    );
    // 27 000 s = 7.5 h, 23 400 s = 6.5 h; the lowest resting HR (42, 44), not the average.
    assert_eq!(list[0]["sleep_h"], 7.5);
    assert_eq!(list[0]["rest_hr"], 42.0);
    assert_eq!(list[0]["rmssd_ms"], 78.0);
    assert_eq!(list[1]["sleep_h"], 6.5);
    assert_eq!(list[1]["rest_hr"], 44.0);
}
