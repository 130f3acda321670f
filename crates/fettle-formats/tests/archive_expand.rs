//! Archive expansion: synthetic Strava and Garmin exports built here with the zip writer, zip
//! bombs, unsafe names, folders and `.gz` files.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use fettle_formats::archive::{Item, Limits, StravaMeta, expand, expand_bytes};
use fettle_formats::{Activity, Sport, decode_any};
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

/// Strava's real `activities.csv` header (2024 exports): note the repeated "Elapsed Time",
/// "Distance", "Max Heart Rate", "Relative Effort" and "Commute" columns.
const STRAVA_HEADER: &str = "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,Average Speed,Elevation Gain,Elevation Loss,Elevation Low,Elevation High,Max Grade,Average Grade,Average Positive Grade,Average Negative Grade,Max Cadence,Average Cadence,Max Heart Rate,Average Heart Rate,Max Watts,Average Watts,Calories,Max Temperature,Average Temperature,Relative Effort,Total Work,Number of Runs,Uphill Time,Downhill Time,Other Time,Perceived Exertion,Type,Start Time,Weighted Average Power,Power Count,Prefer Perceived Exertion,Perceived Relative Effort,Commute,Total Weight Lifted,From Upload,Grade Adjusted Distance";

/// A Strava row: the named cells filled, every other column empty.
fn strava_row(
    id: &str,
    date: &str,
    name: &str,
    kind: &str,
    description: &str,
    file: &str,
    rpe: &str,
) -> String {
    let columns: Vec<&str> = STRAVA_HEADER.split(',').collect();
    let mut cells = vec![String::new(); columns.len()];
    let quote = |v: &str| format!("\"{}\"", v.replace('"', "\"\""));
    cells[0] = id.to_owned();
    cells[1] = quote(date);
    cells[2] = quote(name);
    cells[3] = kind.to_owned();
    cells[4] = quote(description);
    cells[5] = "1800".to_owned(); // Elapsed Time (first), seconds
    cells[6] = "5.01".to_owned(); // Distance (first), km
    cells[12] = file.to_owned();
    cells[15] = "1800.0".to_owned(); // Elapsed Time (second)
    cells[17] = "5010.5".to_owned(); // Distance (second), metres
    cells[43] = rpe.to_owned(); // Perceived Exertion
    cells.join(",")
}

/// A minimal GPX run without <type> (so Strava's sport applies).
fn gpx_run(minute: u32) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0"?><gpx><trk><trkseg>
        <trkpt lat="1" lon="1"><time>2026-01-01T10:{minute:02}:00Z</time></trkpt>
        <trkpt lat="1.001" lon="1"><time>2026-01-01T10:{minute:02}:05Z</time></trkpt>
        </trkseg></trk></gpx>"#
    )
    .into_bytes()
}

/// A minimal TCX cycling activity.
fn tcx_ride() -> Vec<u8> {
    br#"  <?xml version="1.0"?><TrainingCenterDatabase><Activities><Activity Sport="Biking">
    <Id>2026-01-02T10:00:00Z</Id><Lap StartTime="2026-01-02T10:00:00Z"><TotalTimeSeconds>60</TotalTimeSeconds>
    <Track><Trackpoint><Time>2026-01-02T10:00:00Z</Time></Trackpoint></Track></Lap></Activity>
    </Activities></TrainingCenterDatabase>"#
        .to_vec()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A zip with the given entries, deflated.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, bytes) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn collect_bytes(source: &str, bytes: Vec<u8>, limits: &Limits) -> Vec<Item> {
    let mut items = Vec::new();
    expand_bytes(source, bytes, limits, &mut |item| items.push(item));
    items
}

fn collect_path(path: &Path, limits: &Limits) -> Vec<Item> {
    let mut items = Vec::new();
    expand(path, limits, &mut |item| items.push(item));
    items
}

/// (kind, source) of each item, for order and classification checks.
fn summary(items: &[Item]) -> Vec<(&'static str, String)> {
    items
        .iter()
        .map(|item| match item {
            Item::Entry(e) => ("entry", e.source.clone()),
            Item::Skipped { source, .. } => ("skipped", source.clone()),
            Item::Failed { source, .. } => ("failed", source.clone()),
        })
        .collect()
}

fn failure_reason<'a>(items: &'a [Item], source_suffix: &str) -> &'a str {
    items
        .iter()
        .find_map(|item| match item {
            Item::Failed { source, reason } if source.ends_with(source_suffix) => {
                Some(reason.as_str())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no failure for {source_suffix}: {:?}", summary(items)))
}

/// A fresh scratch folder under the system temp dir.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fettle-archive-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn strava_csv() -> String {
    format!(
        "\u{feff}{STRAVA_HEADER}\n{}\n{}\n{}\n",
        strava_row(
            "1001",
            "Jan 1, 2026, 10:00:00 AM",
            "Morning Run",
            "Run",
            "Easy, \"chatty\"\npace",
            "activities/1001.gpx.gz",
            "7"
        ),
        strava_row(
            "1002",
            "Jan 2, 2026, 10:00:00 AM",
            "Commute",
            "Ride",
            "",
            "activities/1002.tcx",
            ""
        ),
        strava_row(
            "1003",
            "Jan 3, 2026, 6:00:00 PM",
            "Yoga (manual)",
            "Yoga",
            "",
            "",
            "3"
        ),
    )
}

#[test]
fn strava_export_attaches_activities_csv_to_its_files() {
    let csv = strava_csv();
    let export = zip_of(&[
        ("profile.csv", b"id\n1\n"),
        ("activities/1001.gpx.gz", &gzip(&gpx_run(0))),
        ("activities/1002.tcx", &tcx_ride()),
        ("activities.csv", csv.as_bytes()),
        ("media/abc.jpg", b"\xFF\xD8\xFF"),
    ]);
    let items = collect_bytes("export_123.zip", export, &Limits::default());
    assert_eq!(
        summary(&items),
        vec![
            ("skipped", "export_123.zip#profile.csv".to_owned()),
            ("entry", "export_123.zip#activities/1001.gpx.gz".to_owned()),
            ("entry", "export_123.zip#activities/1002.tcx".to_owned()),
            ("skipped", "export_123.zip#activities.csv".to_owned()),
            ("skipped", "export_123.zip#media/abc.jpg".to_owned()),
        ]
    );
    let Item::Entry(run) = &items[1] else {
        unreachable!()
    };
    assert_eq!(run.bytes, gpx_run(0), ".gz entries arrive decompressed");
    let meta = run.strava.clone().expect("metadata attached by Filename");
    assert_eq!(
        meta,
        StravaMeta {
            name: Some("Morning Run".to_owned()),
            sport: Some(Sport::Running),
            description: Some("Easy, \"chatty\"\npace".to_owned()),
            perceived_exertion: Some(7.0),
        }
    );
    // Decoding and applying: the GPX has no <type>, so Strava's "Run" sets the sport.
    let mut activity = decode_any(&run.bytes).unwrap().activities.remove(0);
    assert_eq!(activity.sport, Sport::Generic);
    meta.apply_to(&mut activity);
    assert_eq!(activity.sport, Sport::Running);
    assert_eq!(activity.name.as_deref(), Some("Morning Run"));
    assert_eq!(activity.perceived_exertion, Some(7.0));

    let Item::Entry(ride) = &items[2] else {
        unreachable!()
    };
    let ride_meta = ride.strava.clone().unwrap();
    assert_eq!(ride_meta.sport, Some(Sport::Cycling));
    assert_eq!(
        (ride_meta.description, ride_meta.perceived_exertion),
        (None, None)
    );
}

#[test]
fn strava_meta_sets_the_sport_only_over_a_generic_one() {
    let meta = StravaMeta {
        name: Some("Hill reps".to_owned()),
        sport: Some(Sport::Cycling),
        description: None,
        perceived_exertion: None,
    };
    let mut running = Activity::new(jiff::Timestamp::UNIX_EPOCH, Sport::Running);
    running.description = Some("kept".to_owned());
    meta.apply_to(&mut running);
    assert_eq!(running.sport, Sport::Running);
    assert_eq!(running.name.as_deref(), Some("Hill reps"));
    assert_eq!(running.description.as_deref(), Some("kept"));
}

#[test]
fn strava_csv_with_missing_columns_is_tolerated() {
    let csv = "Filename,Activity Name\nactivities/1.gpx,Only a name\n";
    let export = zip_of(&[
        ("activities.csv", csv.as_bytes()),
        ("activities/1.gpx", &gpx_run(1)),
    ]);
    let items = collect_bytes("e.zip", export, &Limits::default());
    let Item::Entry(entry) = &items[1] else {
        panic!("{:?}", summary(&items))
    };
    let meta = entry.strava.as_ref().unwrap();
    assert_eq!(meta.name.as_deref(), Some("Only a name"));
    assert_eq!((meta.sport.clone(), meta.perceived_exertion), (None, None));
    // No Filename column at all: reported, and the files still come through.
    let export = zip_of(&[
        ("activities.csv", b"Activity Name\nx\n"),
        ("activities/1.gpx", &gpx_run(1)),
    ]);
    let items = collect_bytes("e.zip", export, &Limits::default());
    assert!(failure_reason(&items, "#activities.csv").contains("Filename"));
    assert!(matches!(&items[1], Item::Entry(e) if e.strava.is_none()));
}

#[test]
fn garmin_export_nested_zips_are_expanded_from_disk() {
    let inner = zip_of(&[("123.gpx", &gpx_run(2)), ("124.tcx", &tcx_ride())]);
    let outer = zip_of(&[
        ("DI_CONNECT/DI-Connect-Fitness/user_biometrics.json", b"{}"),
        (
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip",
            &inner,
        ),
    ]);
    let dir = scratch("garmin");
    let path = dir.join("export.zip");
    std::fs::write(&path, outer).unwrap();
    let items = collect_path(&path, &Limits::default());
    let p = path.display().to_string();
    let nested = format!("{p}#DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip");
    assert_eq!(
        summary(&items),
        vec![
            (
                "skipped",
                format!("{p}#DI_CONNECT/DI-Connect-Fitness/user_biometrics.json")
            ),
            ("entry", format!("{nested}#123.gpx")),
            ("entry", format!("{nested}#124.tcx")),
        ]
    );
    let Item::Entry(tcx) = &items[2] else {
        unreachable!()
    };
    assert_eq!(
        decode_any(&tcx.bytes).unwrap().activities[0].sport,
        Sport::Cycling
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn nesting_deeper_than_the_limit_is_refused() {
    let level2 = zip_of(&[("a.gpx", &gpx_run(3))]);
    let level1 = zip_of(&[("level2.zip", &level2)]);
    let outer = zip_of(&[("level1.zip", &level1)]);
    let limits = Limits {
        max_depth: 1,
        ..Limits::default()
    };
    let items = collect_bytes("outer.zip", outer.clone(), &limits);
    assert!(failure_reason(&items, "#level1.zip#level2.zip").contains("nested"));
    // With the default depth (2) the file inside is reached.
    let items = collect_bytes("outer.zip", outer, &Limits::default());
    assert_eq!(
        summary(&items),
        vec![("entry", "outer.zip#level1.zip#level2.zip#a.gpx".to_owned())]
    );
}

#[test]
fn a_nested_archive_over_the_memory_limit_is_streamed() {
    // The inner zip (> 4 KiB: it holds 4 KiB of noise) is over a 1 KiB in-memory limit, so its
    // entries are read in order from the outer entry's stream instead.
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let inner = zip_of(&[
        ("1.gpx", &gpx_run(1)),
        ("noise.fit", &noise),
        ("x.json", b"{}"),
    ]);
    let outer = zip_of(&[("Part1.zip", &inner)]);
    let limits = Limits {
        max_nested_archive_bytes: 1024,
        ..Limits::default()
    };
    let items = collect_bytes("export.zip", outer, &limits);
    assert_eq!(
        summary(&items),
        vec![
            ("entry", "export.zip#Part1.zip#1.gpx".to_owned()),
            ("entry", "export.zip#Part1.zip#noise.fit".to_owned()),
            ("skipped", "export.zip#Part1.zip#x.json".to_owned()),
        ]
    );
    assert!(matches!(&items[1], Item::Entry(e) if e.bytes == noise));

    // A zip written as a stream puts sizes after the data: it cannot be streamed back, and
    // the failure says what to do.
    let mut writer = ZipWriter::new_stream(Vec::new());
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    writer.start_file("1.gpx", options).unwrap();
    writer.write_all(&noise).unwrap();
    let streamed_inner = writer.finish().unwrap().into_inner();
    let items = collect_bytes("e.zip", zip_of(&[("Part1.zip", &streamed_inner)]), &limits);
    assert!(failure_reason(&items, "#Part1.zip").contains("unzip the outer archive"));
}

#[test]
fn zip_bombs_are_stopped_while_reading() {
    // 8 MiB of zeros deflate to ~8 KiB (ratio ~1000:1): over the 100:1 cap.
    let zeros = vec![0u8; 8 << 20];
    let bomb = zip_of(&[("bomb.gpx", &zeros), ("ok.gpx", &gpx_run(4))]);
    let items = collect_bytes("bomb.zip", bomb, &Limits::default());
    assert!(failure_reason(&items, "#bomb.gpx").contains("ratio"));
    assert!(
        matches!(&items[1], Item::Entry(e) if e.source == "bomb.zip#ok.gpx"),
        "later entries still read"
    );

    // Entry cap: a 2 MiB entry against a 1 MiB limit (ratio check off).
    let limits = Limits {
        max_entry_bytes: 1 << 20,
        max_ratio: u64::MAX,
        ..Limits::default()
    };
    let items = collect_bytes(
        "big.zip",
        zip_of(&[("big.fit", &vec![7u8; 2 << 20])]),
        &limits,
    );
    assert!(failure_reason(&items, "#big.fit").contains("limit for one file"));

    // Total cap across entries: two 600 KiB entries against a 1 MiB total.
    let limits = Limits {
        max_total_bytes: 1 << 20,
        ..Limits::default()
    };
    let noise: Vec<u8> = (0..600 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let items = collect_bytes(
        "t.zip",
        zip_of(&[("a.fit", &noise), ("b.fit", &noise)]),
        &limits,
    );
    assert!(matches!(&items[0], Item::Entry(_)));
    assert!(failure_reason(&items, "#b.fit").contains("in total"));
}

#[test]
fn traversal_and_absolute_entry_names_are_not_read() {
    let archive = zip_of(&[
        ("../evil.gpx", &gpx_run(5)),
        ("/etc/abs.gpx", &gpx_run(5)),
        ("a/../../up.gpx", &gpx_run(5)),
        ("C:/windows.gpx", &gpx_run(5)),
        ("fine/run.gpx", &gpx_run(5)),
    ]);
    let items = collect_bytes("t.zip", archive, &Limits::default());
    for name in [
        "../evil.gpx",
        "/etc/abs.gpx",
        "a/../../up.gpx",
        "C:/windows.gpx",
    ] {
        assert!(
            failure_reason(&items, &format!("#{name}")).contains("unsafe"),
            "{name}"
        );
    }
    assert!(matches!(&items[4], Item::Entry(e) if e.source == "t.zip#fine/run.gpx"));
}

#[test]
fn folders_are_walked_in_sorted_order_with_gz_and_skips() {
    let dir = scratch("folder");
    std::fs::create_dir_all(dir.join("b/nested")).unwrap();
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::write(dir.join("b/nested/2.gpx"), gpx_run(6)).unwrap();
    std::fs::write(dir.join("a/1.tcx"), tcx_ride()).unwrap();
    std::fs::write(dir.join("c.gpx.gz"), gzip(&gpx_run(7))).unwrap();
    std::fs::write(dir.join("notes.txt"), "hello").unwrap();
    std::fs::write(dir.join("broken.zip"), "not a zip").unwrap();
    let items = collect_path(&dir, &Limits::default());
    let d = dir.display();
    assert_eq!(
        summary(&items),
        vec![
            ("entry", format!("{d}/a/1.tcx")),
            ("entry", format!("{d}/b/nested/2.gpx")),
            ("failed", format!("{d}/broken.zip")),
            ("entry", format!("{d}/c.gpx.gz")),
            ("skipped", format!("{d}/notes.txt")),
        ]
    );
    let Item::Entry(gz) = &items[3] else {
        unreachable!()
    };
    assert_eq!(gz.bytes, gpx_run(7));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_unzipped_strava_export_folder_still_gets_its_metadata() {
    let dir = scratch("strava-folder");
    std::fs::create_dir_all(dir.join("activities")).unwrap();
    std::fs::write(dir.join("activities.csv"), strava_csv()).unwrap();
    std::fs::write(dir.join("activities/1001.gpx.gz"), gzip(&gpx_run(0))).unwrap();
    let items = collect_path(&dir, &Limits::default());
    let entry = items
        .iter()
        .find_map(|i| match i {
            Item::Entry(e) => Some(e),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        entry.strava.as_ref().unwrap().name.as_deref(),
        Some("Morning Run")
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn explicit_files_are_read_whatever_their_name() {
    let dir = scratch("explicit");
    let odd = dir.join("download");
    std::fs::write(&odd, gpx_run(8)).unwrap();
    let items = collect_path(&odd, &Limits::default());
    assert!(matches!(&items[..], [Item::Entry(e)] if e.bytes == gpx_run(8)));
    // A zip without .zip extension is recognised by its magic bytes.
    let zipped = dir.join("export");
    std::fs::write(&zipped, zip_of(&[("x.gpx", &gpx_run(9))])).unwrap();
    let items = collect_path(&zipped, &Limits::default());
    assert_eq!(
        summary(&items),
        vec![("entry", format!("{}#x.gpx", zipped.display()))]
    );
    let missing = collect_path(&dir.join("nope.fit"), &Limits::default());
    assert!(
        matches!(&missing[..], [Item::Failed { reason, .. }] if reason.contains("cannot read"))
    );
    std::fs::remove_dir_all(dir).unwrap();
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn arbitrary_bytes_expand_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = collect_bytes("x", bytes, &Limits::default());
        }

        #[test]
        fn corrupted_zips_expand_without_panicking(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
            let mut archive = zip_of(&[("a.gpx", &gpx_run(1)), ("n.zip", &zip_of(&[("b.tcx", &tcx_ride())]))]);
            for (at, value) in flips {
                let len = archive.len();
                archive[at % len] = value;
            }
            let _ = collect_bytes("x.zip", archive, &Limits::default());
        }
    }
}

#[test]
fn a_nested_archive_over_the_in_memory_size_is_read_from_a_temporary_file() {
    // The inner zip holds two runs and 17 MiB of stored filler (a .bin, skipped), so it is
    // bigger than NESTED_IN_MEMORY_BYTES (16 MiB) and goes through a temporary file; the entries
    // come out as from an in-memory one, and the total counts against the archive's budget.
    let filler = vec![7u8; 17 * 1024 * 1024];
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for (name, bytes) in [
        ("a.gpx", gpx_run(1)),
        ("filler.bin", filler),
        ("b.gpx", gpx_run(2)),
    ] {
        writer.start_file(name, stored).unwrap();
        writer.write_all(&bytes).unwrap();
    }
    let inner = writer.finish().unwrap().into_inner();
    assert!(inner.len() as u64 > fettle_formats::archive::NESTED_IN_MEMORY_BYTES);
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    writer.start_file("inner.zip", stored).unwrap();
    writer.write_all(&inner).unwrap();
    let outer = writer.finish().unwrap().into_inner();

    let items = collect_bytes("outer.zip", outer.clone(), &Limits::default());
    assert_eq!(
        summary(&items),
        vec![
            ("entry", "outer.zip#inner.zip#a.gpx".to_owned()),
            ("skipped", "outer.zip#inner.zip#filler.bin".to_owned()),
            ("entry", "outer.zip#inner.zip#b.gpx".to_owned()),
        ]
    );
    assert!(matches!(&items[2], Item::Entry(e) if e.bytes == gpx_run(2)));
    // The archive's total still holds while it is copied: 16 MiB in all refuses it.
    let limits = Limits {
        max_total_bytes: 16 * 1024 * 1024,
        ..Limits::default()
    };
    let items = collect_bytes("outer.zip", outer, &limits);
    assert_eq!(
        summary(&items),
        vec![("failed", "outer.zip#inner.zip".to_owned())]
    );
    assert!(failure_reason(&items, "#inner.zip").contains("possible zip bomb"));
}
