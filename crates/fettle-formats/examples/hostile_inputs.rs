//! Writes the hostile import inputs of issue 11 into a folder, for `scripts/hostile-import.sh`
//! to import under `/usr/bin/time -v` (peak memory and wall time per case).
//!
//! ```text
//! cargo run --release -p fettle-formats --example hostile_inputs -- OUT_DIR
//! cargo run --release -p fettle-formats --example hostile_inputs -- --decode FILE
//! ```
//!
//! `--decode FILE` decodes one file five times and prints the median wall time, the sessions
//! and the samples found (or the refusal).
//!
//! Every input is generated here (nothing large is kept in the repository):
//! - `gpx-zip-8x.zip`: eight GPX runs of ≈ 200 MiB each, deflated (≈ 25:1, under the 100:1 ratio
//!   cap);
//! - `gpx-zip-8x-small.zip`: eight GPX runs of 47 h, ≈ 36 MiB each (under the per-file cap),
//!   deflated;
//! - `nested.zip`: a zip holding a zip holding eight such runs;
//! - `fit-12m-records.fit`: a 25 MB FIT of 12.5 million two-byte records;
//! - `fit-16k-sessions.fit`: 16,000 sessions and 3.2 million one-byte records (the quadratic
//!   assignment case);
//! - `fit-16k-sessions-under-cap.fit`: 16,000 sessions and 960,000 records (under the sample
//!   cap, so every session is assigned and stored);
//! - `gpx-1m-points.gpx`: one GPX of 1,000,001 bare points (≈ 61 MiB, under the per-file cap);
//! - `baseline/`: 20 ordinary one-hour FIT runs, the same-run reference.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use fettle_formats::fit::profile::{base, mesg};
use fettle_formats::fit::{FieldDef, FieldValue, FitBuilder, encode_activity};
use fettle_formats::{Activity, Sport, Streams};
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

/// FIT time of 2024-03-10T07:00:00Z.
const T0: u32 = 1_078_988_400;
/// The same instant in Unix seconds.
const T0_UNIX: i64 = 1_710_054_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let first = std::env::args()
        .nth(1)
        .ok_or("usage: hostile_inputs OUT_DIR | --decode FILE")?;
    if first == "--decode" {
        let file = std::env::args().nth(2).ok_or("--decode FILE")?;
        return time_decode(Path::new(&file));
    }
    let out = PathBuf::from(first);
    std::fs::create_dir_all(&out)?;
    gpx_zip(&out.join("gpx-zip-8x.zip"), 8, 1_000_000 - 1)?;
    gpx_zip(&out.join("gpx-zip-8x-small.zip"), 8, 170_000)?;
    nested_zip(&out.join("nested.zip"))?;
    fit_many_records(&out.join("fit-12m-records.fit"), 12_500_000)?;
    fit_sessions(&out.join("fit-16k-sessions.fit"), 16_000, 200)?;
    fit_sessions(&out.join("fit-16k-sessions-under-cap.fit"), 16_000, 60)?;
    let mut gpx = BufWriter::new(File::create(out.join("gpx-1m-points.gpx"))?);
    write_minimal_gpx(&mut gpx, 1_000_001)?;
    gpx.flush()?;
    let baseline = out.join("baseline");
    std::fs::create_dir_all(&baseline)?;
    for day in 0..20 {
        std::fs::write(baseline.join(format!("run-{day:02}.fit")), fit_run(day))?;
    }
    eprintln!("inputs written to {}", out.display());
    Ok(())
}

/// Decodes `file` five times; prints the median time and what was found.
fn time_decode(file: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let bytes = std::fs::read(file)?;
    let mut times = Vec::new();
    let mut found = String::new();
    for _ in 0..5 {
        let started = std::time::Instant::now();
        let result = fettle_formats::decode_any(&bytes);
        times.push(started.elapsed().as_secs_f64());
        found = match result {
            Ok(decoded) => format!(
                "{} sessions, {} samples",
                decoded.activities.len(),
                decoded
                    .activities
                    .iter()
                    .map(|a| a.streams.len())
                    .sum::<usize>()
            ),
            Err(err) => format!("refused: {err}"),
        };
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{}: median {:.3} s of 5 decodes; {found}",
        file.display(),
        times[2]
    );
    Ok(())
}

/// A GPX run of `points` one-second points starting on day `day` after T0, with elevation and
/// heart rate (≈ 210 bytes a point).
fn write_gpx(out: &mut impl Write, day: i64, points: u32) -> std::io::Result<()> {
    writeln!(
        out,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="hostile_inputs" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
<trk><name>run {day}</name><type>running</type><trkseg>"#
    )?;
    let start = T0_UNIX + day * 86_400;
    for i in 0..points {
        let at = jiff::Timestamp::from_second(start + i64::from(i)).unwrap_or_default();
        // 2.5e-5° of latitude a second ≈ 2.8 m/s, wrapping so the latitude stays on the globe.
        let lat = 10.0 + f64::from(i % 2_000_000) * 2.5e-5;
        writeln!(
            out,
            "<trkpt lat=\"{lat:.7}\" lon=\"-0.1000000\"><ele>{:.1}</ele><time>{at}</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{}</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>",
            30.0 + f64::from(i % 100) / 10.0,
            130 + i % 40
        )?;
    }
    writeln!(out, "</trkseg></trk></gpx>")
}

/// A GPX of `points` bare points (position and time only, ≈ 64 bytes each), one a second.
fn write_minimal_gpx(out: &mut impl Write, points: u32) -> std::io::Result<()> {
    writeln!(out, "<?xml version=\"1.0\"?><gpx><trk><trkseg>")?;
    for i in 0..points {
        let at = jiff::Timestamp::from_second(T0_UNIX + i64::from(i)).unwrap_or_default();
        writeln!(out, "<trkpt lat=\"1\" lon=\"1\"><time>{at}</time></trkpt>")?;
    }
    writeln!(out, "</trkseg></trk></gpx>")
}

/// A deflated zip of `files` GPX runs of `points` points each.
fn gpx_zip(path: &Path, files: i64, points: u32) -> Result<(), Box<dyn std::error::Error>> {
    let mut zip = ZipWriter::new(BufWriter::new(File::create(path)?));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true);
    for day in 0..files {
        zip.start_file(format!("run-{day}.gpx"), options)?;
        let mut writer = BufWriter::new(&mut zip);
        write_gpx(&mut writer, day, points)?;
        writer.flush()?;
    }
    zip.finish()?;
    Ok(())
}

/// A zip (stored) holding a deflated zip of eight ≈ 36 MiB GPX runs of 47 h.
fn nested_zip(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut inner = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true);
    for day in 0..8 {
        inner.start_file(format!("inner/run-{day}.gpx"), options)?;
        let mut writer = BufWriter::new(&mut inner);
        write_gpx(&mut writer, 10 + day, 170_000)?;
        writer.flush()?;
    }
    let inner = inner.finish()?.into_inner();
    let mut outer = ZipWriter::new(BufWriter::new(File::create(path)?));
    outer.start_file(
        "export/uploads.zip",
        SimpleFileOptions::default().compression_method(CompressionMethod::Stored),
    )?;
    outer.write_all(&inner)?;
    outer.finish()?;
    Ok(())
}

/// File id (activity) and a record definition of `fields` on local type 0 … 1.
fn fit_builder(record_fields: &[FieldDef]) -> FitBuilder {
    let mut b = FitBuilder::new();
    b.define(0, mesg::FILE_ID, &[FieldDef::new(0, base::ENUM)]);
    b.data(0, &[FieldValue::Int(4)]);
    // A full timestamp first so compressed timestamps have a base.
    b.define(
        1,
        mesg::RECORD,
        &[
            FieldDef::new(253, base::UINT32),
            FieldDef::new(3, base::UINT8),
        ],
    );
    b.data(1, &[FieldValue::Int(i64::from(T0)), FieldValue::Int(120)]);
    b.define(0, mesg::RECORD, record_fields);
    b
}

/// `records` records of two bytes (compressed timestamp header + heart rate).
fn fit_many_records(path: &Path, records: u32) -> std::io::Result<()> {
    let mut b = fit_builder(&[FieldDef::new(3, base::UINT8)]);
    b.reserve(records as usize * 2 + 64);
    for i in 1..records {
        b.data_compressed(0, (i & 0x1F) as u8, &[FieldValue::Int(140)]);
    }
    std::fs::write(path, b.finish())
}

/// `sessions` sessions of `per_session` one-byte records each (compressed timestamp header and
/// no field), one second apart; each session covers its records.
fn fit_sessions(path: &Path, sessions: u32, per_session: u32) -> std::io::Result<()> {
    let mut b = fit_builder(&[]);
    let total = sessions * per_session;
    b.reserve(total as usize + sessions as usize * 20 + 64);
    for i in 1..total {
        b.data_compressed(0, (i & 0x1F) as u8, &[]);
    }
    b.define(
        2,
        mesg::SESSION,
        &[
            FieldDef::new(253, base::UINT32),
            FieldDef::new(2, base::UINT32),
            FieldDef::new(7, base::UINT32),
            FieldDef::new(5, base::ENUM),
        ],
    );
    for k in 0..sessions {
        let start = T0 + k * per_session;
        b.data(
            2,
            &[
                FieldValue::Int(i64::from(start + per_session - 1)),
                FieldValue::Int(i64::from(start)),
                FieldValue::Int(i64::from(per_session - 1) * 1000),
                FieldValue::Int(1),
            ],
        );
    }
    std::fs::write(path, b.finish())
}

/// An ordinary one-hour run at 3 m/s and 150 bpm on day `day`.
fn fit_run(day: i64) -> Vec<u8> {
    let start = jiff::Timestamp::from_second(T0_UNIX + day * 86_400).unwrap_or_default();
    let n = 3601u32;
    let mut a = Activity::new(start, Sport::Running);
    a.streams = Streams {
        time_s: (0..n).map(f64::from).collect(),
        distance_m: (0..n).map(|i| f64::from(i) * 3.0).collect(),
        speed_mps: vec![3.0; n as usize],
        heart_rate_bpm: vec![150.0; n as usize],
        ..Streams::default()
    };
    a.elapsed_s = 3600.0;
    a.timer_s = 3600.0;
    a.distance_m = Some(10_800.0);
    encode_activity(&a)
}
