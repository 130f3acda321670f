//! Hostile input through the real `fettle import`: damaged, implausible and crafted files that
//! the tests generate themselves (nothing large is committed). Each case asserts the exact
//! outcome: the other files of the batch stored with their loads, the bad file named with its
//! reason, the exit status, no panic, and later commands still working.
//!
//! Expected values come from the files as written here: a run of `minutes` at `speed` m/s lasts
//! `minutes × 60` s and covers `minutes × 60 × speed` m; the good files of a batch with a bad
//! one must get the loads they get in a batch without it.

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use fettle_formats::{Activity, Sport, Streams};
use jiff::Timestamp;
use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn fettle_with(&self, db: &str) -> Command {
        let mut cmd = Command::cargo_bin("fettle").unwrap();
        cmd.arg("--db").arg(self.path(db)).env("TZ", "UTC");
        cmd
    }

    fn fettle(&self) -> Command {
        self.fettle_with("test.sqlite")
    }

    /// Runs `fettle import --json` on `files`; returns the exit code, the summary and stderr.
    fn import(&self, files: &[&Path]) -> (i32, Value, String) {
        self.import_into("test.sqlite", files)
    }

    fn import_into(&self, db: &str, files: &[&Path]) -> (i32, Value, String) {
        let out = self
            .fettle_with(db)
            .arg("import")
            .args(files)
            .arg("--json")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains("panicked"), "{stderr}");
        let summary = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("no JSON summary ({e}); stderr: {stderr}"));
        (out.status.code().unwrap_or(-1), summary, stderr)
    }

    /// The stored activities (newest first).
    fn activities(&self) -> Vec<Value> {
        self.activities_in("test.sqlite")
    }

    fn activities_in(&self, db: &str) -> Vec<Value> {
        let out = self
            .fettle_with(db)
            .args(["activities", "--json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }

    /// `status`, `readiness` and `recover` all answer (exit 0, JSON, no panic).
    fn later_commands_work(&self) {
        for command in ["status", "readiness", "recover"] {
            let out = self.fettle().args([command, "--json"]).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "fettle {command}: {stderr}");
            assert!(!stderr.contains("panicked"), "fettle {command}: {stderr}");
            serde_json::from_slice::<Value>(&out.stdout).unwrap();
        }
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

/// GPX 1.1 of `activity`'s samples (heart rate in Garmin's extension), a straight line north,
/// with `name` and an optional extra last point at `tail` (an RFC 3339 time).
fn gpx(activity: &Activity, name: &str, tail: Option<&str>) -> String {
    let mut gpx = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
<trk><name>{name}</name><type>running</type><trkseg>
"#
    );
    let point = |lat: f64, at: String, hr: f32| {
        format!(
            "<trkpt lat=\"{lat:.7}\" lon=\"-0.1\"><time>{at}</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{hr}</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>\n"
        )
    };
    let n = activity.streams.len();
    for (i, t) in activity.streams.time_s.iter().enumerate() {
        let at = activity.start + jiff::SignedDuration::from_secs(*t as i64);
        // 2.5e-5° of latitude ≈ 2.78 m per second.
        gpx.push_str(&point(
            51.0 + i as f64 * 2.5e-5,
            at.to_string(),
            activity.streams.heart_rate_bpm[i],
        ));
    }
    if let Some(tail) = tail {
        gpx.push_str(&point(51.0 + n as f64 * 2.5e-5, tail.to_owned(), 150.0));
    }
    gpx.push_str("</trkseg></trk></gpx>\n");
    gpx
}

/// A TCX run of one lap with the given `<TotalTimeSeconds>` and `<DistanceMeters>`, and
/// `points` trackpoints one second apart from 2026-11-20T07:00:00Z.
fn tcx(total_time: &str, lap_distance: &str, points: u32) -> String {
    let mut track = String::new();
    for i in 0..points {
        let at = Timestamp::from_second(1_795_158_000 + i64::from(i)).unwrap();
        track.push_str(&format!(
            "<Trackpoint><Time>{at}</Time><DistanceMeters>{}</DistanceMeters><HeartRateBpm><Value>140</Value></HeartRateBpm></Trackpoint>",
            f64::from(i) * 3.0
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities><Activity Sport="Running">
<Id>2026-11-20T07:00:00Z</Id><Lap StartTime="2026-11-20T07:00:00Z"><TotalTimeSeconds>{total_time}</TotalTimeSeconds><DistanceMeters>{lap_distance}</DistanceMeters>
<Track>{track}</Track></Lap></Activity></Activities></TrainingCenterDatabase>
"#
    )
}

/// The load of every stored activity, by its file name, each a number.
fn loads_by_file(activities: &[Value]) -> Vec<(String, f64)> {
    let mut loads: Vec<(String, f64)> = activities
        .iter()
        .map(|a| {
            let source = a["source"].as_str().unwrap();
            let file = source.rsplit(['/', '#']).next().unwrap().to_owned();
            let load = a["load"]
                .as_f64()
                .unwrap_or_else(|| panic!("{file} stored without a load: {a}"));
            (file, load)
        })
        .collect();
    loads.sort_by(|a, b| a.0.cmp(&b.0));
    loads
}

#[test]
fn a_tcx_with_a_negative_lap_distance_fails_alone_and_the_batch_is_stored_with_loads() {
    let env = Env::new();
    // 2026-11-20T07:00:00Z is 1,795,158,000 s after the epoch (date -d … +%s).
    assert_eq!(
        Timestamp::from_second(1_795_158_000).unwrap().to_string(),
        "2026-11-20T07:00:00Z"
    );
    let bad = env.path("bad.tcx");
    std::fs::write(&bad, tcx("600", "-500", 601)).unwrap();
    let ok_gpx = env.path("ok.gpx");
    std::fs::write(
        &ok_gpx,
        gpx(
            &steady_run("2026-11-18T07:00:00Z", 30, 2.78, 140.0),
            "easy",
            None,
        ),
    )
    .unwrap();
    let ok_fit = env.path("ok.fit");
    write_fit(&ok_fit, &steady_run("2026-11-19T07:00:00Z", 40, 3.2, 150.0));

    let (code, summary, stderr) = env.import(&[&bad, &ok_gpx, &ok_fit]);
    assert_eq!(code, 1, "{summary}");
    assert_eq!(summary["imported"], 2);
    assert_eq!(summary["failed"], 1);
    let failure = &summary["failures"][0];
    assert!(failure["source"].as_str().unwrap().ends_with("bad.tcx"));
    assert_eq!(
        failure["reason"].as_str().unwrap(),
        "lap 1's distance is -500 m; a distance cannot be negative or infinite: the file is \
         damaged, export it again"
    );
    assert!(
        stderr.contains("bad.tcx: lap 1's distance is -500 m"),
        "{stderr}"
    );

    // The good files get the loads they get imported without the bad one (loads depend on the
    // athlete's whole history, so the comparison is batch against batch).
    let batch = loads_by_file(&env.activities());
    let (code, _, _) = env.import_into("good.sqlite", &[&ok_gpx, &ok_fit]);
    assert_eq!(code, 0);
    let good_only = loads_by_file(&env.activities_in("good.sqlite"));
    assert_eq!(batch.len(), 2);
    assert_eq!(batch, good_only);
    assert!(batch.iter().all(|(_, load)| *load > 0.0));
    env.later_commands_work();
}

#[test]
fn a_strava_export_with_a_perceived_exertion_of_11_stores_every_activity() {
    let env = Env::new();
    let header =
        "Activity ID,Activity Date,Activity Name,Activity Type,Filename,Perceived Exertion";
    let mut csv = format!("{header}\n");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (i, rpe) in ["6", "11", "4", "", "7"].iter().enumerate() {
        let file = format!("activities/{i}.gpx");
        let run = steady_run(&format!("2026-11-0{}T07:00:00Z", i + 1), 20, 3.0, 145.0);
        zip.start_file(&file, options).unwrap();
        zip.write_all(gpx(&run, "run", None).as_bytes()).unwrap();
        csv.push_str(&format!("{i},\"Nov {i}, 2026\",Run {i},Run,{file},{rpe}\n"));
    }
    zip.start_file("activities.csv", options).unwrap();
    zip.write_all(csv.as_bytes()).unwrap();
    let export = env.path("export.zip");
    std::fs::write(&export, zip.finish().unwrap().into_inner()).unwrap();

    let (code, summary, _) = env.import(&[&export]);
    // The bad value is dropped with a warning: the session itself is sound, and the athlete
    // can set the exertion again with `fettle rpe`.
    assert_eq!(code, 0, "{summary}");
    assert_eq!(summary["imported"], 5);
    assert_eq!(summary["failed"], 0);
    let warnings = summary["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{summary}");
    assert!(
        warnings[0]["source"]
            .as_str()
            .unwrap()
            .ends_with("#activities/1.gpx")
    );
    assert!(
        warnings[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("the perceived exertion 11 is off the 0–10 scale: left out")
    );
    let activities = env.activities();
    assert_eq!(loads_by_file(&activities).len(), 5);
    let rpe_of = |name: &str| {
        activities
            .iter()
            .find(|a| a["source"].as_str().unwrap().ends_with(name))
            .map(|a| a["rpe"].clone())
            .unwrap()
    };
    assert_eq!(rpe_of("1.gpx"), Value::Null);
    assert_eq!(rpe_of("0.gpx"), 6.0);
    env.later_commands_work();
}

#[test]
fn a_tcx_lasting_1e19_seconds_keeps_its_samples_and_later_commands_work() {
    let env = Env::new();
    // 1e19 s with 601 samples one second apart: the samples' 600 s are the duration.
    let with_samples = env.path("huge.tcx");
    std::fs::write(&with_samples, tcx("1e19", "1800", 601)).unwrap();
    // 1e15 s and no samples: nothing can tell the true duration.
    let without = env.path("huge-empty.tcx");
    std::fs::write(&without, tcx("1e15", "1800", 0)).unwrap();

    let (code, summary, _) = env.import(&[&with_samples, &without]);
    assert_eq!(code, 1, "{summary}");
    assert_eq!(summary["imported"], 1);
    let failure = &summary["failures"][0];
    assert!(
        failure["source"]
            .as_str()
            .unwrap()
            .ends_with("huge-empty.tcx")
    );
    assert!(
        failure["reason"]
            .as_str()
            .unwrap()
            .starts_with("the file says the session lasted 1000000000000000 s"),
        "{failure}"
    );
    let activities = env.activities();
    assert_eq!(activities.len(), 1);
    assert_eq!(activities[0]["elapsed_s"], 600.0);
    assert_eq!(activities[0]["timer_s"], 600.0);
    // 1800 m in 600 s: the lap's distance is plausible and kept.
    assert_eq!(activities[0]["distance_m"], 1800.0);
    loads_by_file(&activities);
    env.later_commands_work();
}

#[test]
fn a_gpx_ending_in_2426_keeps_its_hour_and_one_starting_in_2095_is_refused() {
    let env = Env::new();
    let run = steady_run("2026-11-10T07:00:00Z", 60, 2.78, 150.0);
    let tail = env.path("tail.gpx");
    std::fs::write(&tail, gpx(&run, "tail", Some("2426-01-01T00:00:00Z"))).unwrap();
    let future = env.path("future.gpx");
    std::fs::write(
        &future,
        gpx(
            &steady_run("2095-06-01T07:00:00Z", 10, 3.0, 150.0),
            "f",
            None,
        ),
    )
    .unwrap();

    let (code, summary, _) = env.import(&[&tail, &future]);
    assert_eq!(code, 1, "{summary}");
    assert_eq!(summary["imported"], 1);
    assert!(
        summary["failures"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("the session starts at 2095-06-01T07:00:00Z, outside the dates")
    );
    let reasons: Vec<&str> = summary["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("1 samples more than a day away from the other 3601")),
        "{reasons:?}"
    );
    let activities = env.activities();
    assert_eq!(activities[0]["elapsed_s"], 3600.0);
    loads_by_file(&activities);
    env.later_commands_work();
}

#[test]
fn a_five_megabyte_name_is_cut_to_200_characters() {
    let env = Env::new();
    let path = env.path("named.gpx");
    let name = "x".repeat(5 * 1024 * 1024);
    std::fs::write(
        &path,
        gpx(
            &steady_run("2026-11-12T07:00:00Z", 10, 3.0, 150.0),
            &name,
            None,
        ),
    )
    .unwrap();
    let (code, summary, _) = env.import(&[&path]);
    assert_eq!(code, 0, "{summary}");
    assert_eq!(
        summary["warnings"][0]["reason"],
        "the name was 5242880 characters long; its first 200 were kept"
    );
    let activities = env.activities();
    assert_eq!(activities[0]["name"].as_str().unwrap(), "x".repeat(200));
}

#[test]
#[cfg(unix)]
fn a_fifo_in_an_import_folder_is_skipped_by_name_and_the_import_finishes() {
    let env = Env::new();
    let folder = env.path("runs");
    std::fs::create_dir(&folder).unwrap();
    write_fit(
        &folder.join("a.fit"),
        &steady_run("2026-11-15T07:00:00Z", 30, 3.0, 145.0),
    );
    // Named like an activity file so only its kind can keep it from being opened.
    let fifo = folder.join("b.fit");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    write_fit(
        &folder.join("c.fit"),
        &steady_run("2026-11-16T07:00:00Z", 30, 3.0, 145.0),
    );
    // The watchdog: a hanging import is killed after 60 s and the test fails (no timing is
    // asserted; a passing import takes well under a second).
    let out = env
        .fettle()
        .args(["import", "--json"])
        .arg(&folder)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("the import hung or failed: {out:?}"));
    assert_eq!(out.status.code(), Some(0), "{summary}");
    assert_eq!(summary["imported"], 2);
    assert_eq!(summary["skipped"], 1);
    let skip = &summary["skips"][0];
    assert!(skip["source"].as_str().unwrap().ends_with("b.fit"));
    assert_eq!(skip["reason"], "a named pipe (FIFO), not a file: not read");

    // Named directly on the command line, it fails by name instead (exit 1), still at once.
    let out = env
        .fettle()
        .args(["import", "--json"])
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        summary["failures"][0]["reason"],
        "a named pipe (FIFO), not a file: not read"
    );
}

#[test]
fn a_fit_with_more_samples_than_a_file_may_hold_fails_alone_and_its_neighbours_get_loads() {
    use fettle_formats::fit::profile::{base, mesg};
    use fettle_formats::fit::{FieldDef, FieldValue, FitBuilder};
    let env = Env::new();
    let before = env.path("a.fit");
    write_fit(&before, &steady_run("2026-11-01T07:00:00Z", 30, 3.0, 145.0));
    let after = env.path("c.fit");
    write_fit(&after, &steady_run("2026-11-02T07:00:00Z", 30, 3.0, 145.0));
    // 1,000,001 records (timestamp and heart rate, six bytes each) from 2026-11-03T07:00:00Z,
    // FIT time 1162623600 (Unix 1793689200 − 631065600).
    let mut b = FitBuilder::new();
    b.define(0, mesg::FILE_ID, &[FieldDef::new(0, base::ENUM)]);
    b.data(0, &[FieldValue::Int(4)]);
    b.define(
        1,
        mesg::RECORD,
        &[
            FieldDef::new(253, base::UINT32),
            FieldDef::new(3, base::UINT8),
        ],
    );
    b.reserve(6_000_010);
    for i in 0..=fettle_formats::MAX_SAMPLES as i64 {
        b.data(
            1,
            &[FieldValue::Int(1_162_623_600 + i), FieldValue::Int(150)],
        );
    }
    let big = env.path("b.fit");
    std::fs::write(&big, b.finish()).unwrap();

    let (code, summary, stderr) = env.import(&[&before, &big, &after]);
    assert_eq!(code, 1, "{summary}");
    assert_eq!(summary["imported"], 2);
    assert_eq!(summary["failed"], 1);
    let failure = &summary["failures"][0];
    assert!(failure["source"].as_str().unwrap().ends_with("b.fit"));
    assert!(
        failure["reason"]
            .as_str()
            .unwrap()
            .contains("more than 1000000 samples"),
        "{failure}"
    );
    assert!(stderr.contains("b.fit"), "{stderr}");
    let loads = loads_by_file(&env.activities());
    assert_eq!(
        loads.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(),
        ["a.fit", "c.fit"]
    );
    env.later_commands_work();
}
