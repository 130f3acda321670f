//! Every FIT file of the test corpus against its expected outcome (testdata/corpus/INDEX.md),
//! and the record-level oracles (`*-records.csv`, python-fitparse output) field by field.

mod support;

use fettle_formats::{Decoded, FormatError, fit};
use support::{corpus_bytes, corpus_dir, corpus_files, file_name};

/// What a corpus file must decode to.
enum Expect {
    /// Activities with these sports (FIT names), this many samples in total, and warnings that
    /// contain each of these fragments (an empty list means: no warnings at all).
    Activities {
        sports: &'static [&'static str],
        samples: usize,
        warnings: &'static [&'static str],
    },
    /// `NotAnActivity` whose reason contains this fragment.
    NotAnActivity(&'static str),
}

use Expect::{Activities, NotAnActivity};

/// Sports and record counts from INDEX.md. Where Fettle's count differs from the index the
/// comment says why.
fn expected(name: &str) -> Expect {
    let one = |sport, samples| Activities {
        sports: match sport {
            "running" => &["running"],
            "cycling" => &["cycling"],
            "walking" => &["walking"],
            "swimming" => &["swimming"],
            _ => &["fitness_equipment"],
        },
        samples,
        warnings: &[],
    };
    match name {
        "2013-02-06-12-11-14.fit" => one("running", 590),
        "2015-10-13-08-43-15.fit" => one("cycling", 221),
        "20170518-191602-1740899583.fit" => one("fitness_equipment", 1641),
        "2019-02-17-062644-ELEMNT-297E-195-0.fit" => one("cycling", 13471),
        "Activity.fit" => one("running", 14),
        // Its three record messages carry no timestamp, and there is no session: nothing to
        // place on a time line.
        "DeveloperData.fit" => NotAnActivity("3 records without a timestamp"),
        "Edge810-Vector-2013-08-16-15-35-10.fit" => one("cycling", 4700),
        "MonitoringFile.fit" => NotAnActivity("FIT monitoring_b file (file_id.type 32)"),
        "Settings.fit" | "Settings2.fit" | "nametest.FIT" => {
            NotAnActivity("FIT settings file (file_id.type 2)")
        }
        "WeightScaleMultiUser.fit" | "WeightScaleSingleUser.fit" => {
            NotAnActivity("FIT weight file (file_id.type 9)")
        }
        "WorkoutCustomTargetValues.fit"
        | "WorkoutIndividualSteps.fit"
        | "WorkoutRepeatGreaterThanStep.fit"
        | "WorkoutRepeatSteps.fit" => NotAnActivity("FIT workout file (file_id.type 5)"),
        // Activity.fit twice, chained, with a wrong CRC at the end.
        "activity-activity-filecrc.fit" => Activities {
            sports: &["running", "running"],
            samples: 28,
            warnings: &["file CRC mismatch at byte 1540"],
        },
        "activity-filecrc.fit" => Activities {
            sports: &["running"],
            samples: 14,
            warnings: &["file CRC mismatch at byte 769"],
        },
        // The first session's start_time is 45 minutes after its first records, and two records
        // step back one second.
        "activity-large-fenxi2-multisport.fit" => Activities {
            sports: &[
                "generic",
                "transition",
                "running",
                "transition",
                "running",
                "transition",
                "cycling",
            ],
            samples: 24239,
            warnings: &[
                "session 0 says it starts at",
                "2 records have a timestamp earlier",
            ],
        },
        // Activity.fit followed by a settings file whose header is damaged.
        "activity-settings-corruptheader.fit" => Activities {
            sports: &["running"],
            samples: 14,
            warnings: &["ignored 83 bytes after the FIT file that ends at byte 771"],
        },
        // Activity.fit followed by a settings file cut off inside its first definition.
        "activity-settings-nodata.fit" => Activities {
            sports: &["running"],
            samples: 14,
            warnings: &["truncated FIT file: the header at byte 771", "definition"],
        },
        "activity-settings.fit" => one("running", 14),
        "activity-small-fenix2-run.fit" => one("running", 2809),
        // Cut inside the last message (the activity message): all 14 records survive.
        "activity-unexpected-eof.fit" => Activities {
            sports: &["running"],
            samples: 14,
            warnings: &["truncated FIT file", "truncated FIT data"],
        },
        "antfs-dump.63.fit" => one("running", 686),
        "compressed-speed-distance.fit" => one("running", 755),
        "coros-pace-2-cycling-misaligned-fields.fit" => one("cycling", 11272),
        "developer-types-sample.fit" => one("running", 3424),
        "elemnt-bolt-no-application-id-inside-developer-data-id.fit" => one("cycling", 132),
        "event_timestamp.fit" => one("swimming", 4376),
        "garmin-edge-500-activity.fit" => one("cycling", 10686),
        "garmin-edge-820-bike.fit" => one("cycling", 15),
        "garmin-fenix-5-bike.fit" => one("cycling", 19),
        "garmin-fenix-5-run.fit" => one("running", 21),
        "garmin-fenix-5-walk.fit" => one("walking", 17),
        // No session message (INDEX: "—"); a sport message says cycling. The last message is
        // cut short and the CRC does not match.
        "nick.fit" => Activities {
            sports: &["cycling"],
            samples: 14391,
            warnings: &[
                "truncated FIT data",
                "file CRC mismatch",
                "no session message",
            ],
        },
        "null_compressed_speed_dist.fit" => one("cycling", 1808),
        "sample-activity-indoor-trainer.fit" => one("cycling", 2263),
        "sample-activity.fit" => one("cycling", 3098),
        "sample_mulitple_header.fit" => Activities {
            sports: &["swimming", "transition", "cycling", "transition", "running"],
            samples: 1773,
            warnings: &[],
        },
        // The header announces 3 bytes more than the file has; at byte 7471 a record is written
        // one byte short, so the next header byte names an undefined local type. The record
        // before it is garbled (timestamp decades away) and left out: 472 of the 473 records
        // the reference decoder counted before failing.
        "strava-android-app-201.10-b1218918.fit" => Activities {
            sports: &["running"],
            samples: 472,
            warnings: &[
                "announces 78236 data bytes",
                "byte 7471 uses local message type 11",
                "1 records have a timestamp more than 24 h away",
            ],
        },
        other => panic!("corpus file {other} has no expected outcome: add it to this table"),
    }
}

fn check(name: &str, result: Result<Decoded, FormatError>) {
    match (expected(name), result) {
        (
            Activities {
                sports,
                samples,
                warnings,
            },
            Ok(decoded),
        ) => {
            let got: Vec<&str> = decoded
                .activities
                .iter()
                .map(|a| a.sport.as_str())
                .collect();
            assert_eq!(got, sports, "{name}: sports");
            let total: usize = decoded.activities.iter().map(|a| a.streams.len()).sum();
            assert_eq!(total, samples, "{name}: samples");
            if warnings.is_empty() {
                assert!(
                    decoded.warnings.is_empty(),
                    "{name}: {:?}",
                    decoded.warnings
                );
            }
            for fragment in warnings {
                assert!(
                    decoded.warnings.iter().any(|w| w.contains(fragment)),
                    "{name}: no warning contains {fragment:?}: {:?}",
                    decoded.warnings
                );
            }
            let multi = decoded.activities.len() > 1;
            for (i, a) in decoded.activities.iter().enumerate() {
                assert!(a.streams.is_consistent(), "{name}: ragged streams");
                assert!(
                    a.streams.time_s.windows(2).all(|w| w[0] <= w[1]),
                    "{name}: time runs backwards"
                );
                assert!(a.streams.time_s.first().is_none_or(|&t| t >= 0.0));
                let index = multi.then_some(i as u32);
                assert_eq!(a.session_index, index, "{name}: session_index");
                assert!(a.elapsed_s >= 0.0 && a.timer_s >= 0.0, "{name}: durations");
            }
        }
        (NotAnActivity(fragment), Err(FormatError::NotAnActivity(reason))) => {
            assert!(reason.contains(fragment), "{name}: {reason}");
        }
        (_, other) => panic!("{name}: unexpected outcome {other:?}"),
    }
}

#[test]
fn every_corpus_file_has_its_expected_outcome() {
    let files = corpus_files();
    assert!(files.len() >= 40, "corpus incomplete: {}", files.len());
    for path in files {
        let name = file_name(&path);
        let bytes = std::fs::read(&path).unwrap();
        check(&name, fit::decode(&bytes));
    }
}

#[test]
fn corpus_devices_and_summaries_read_from_file_id_and_session() {
    // Hand-checked against the files' file_id and session messages (fitparser dump):
    // fenix 5 run: garmin (1) product 2697, session total_distance 157.56 m,
    // total_elapsed_time 56.9 s (56.937 s), avg_heart_rate 90, local_timestamp − timestamp =
    // −25200 s (PDT).
    let d = fit::decode(&corpus_bytes("garmin-fenix-5-run.fit")).unwrap();
    let a = &d.activities[0];
    assert_eq!(a.device.as_deref(), Some("Garmin fenix 5"));
    assert_eq!(a.distance_m, Some(157.56));
    assert_eq!(a.avg_hr, Some(90.0));
    assert_eq!(a.utc_offset_s, Some(-25_200));
    assert!(
        !a.rr_intervals_ms.is_empty(),
        "the fenix 5 run has hrv messages"
    );
    assert!(
        a.rr_intervals_ms
            .iter()
            .all(|&rr| rr > 200.0 && rr < 2000.0)
    );
    // Wahoo (32) with product_name "ELEMNT BOLT" in file_id.
    let d = fit::decode(&corpus_bytes(
        "elemnt-bolt-no-application-id-inside-developer-data-id.fit",
    ))
    .unwrap();
    assert_eq!(d.activities[0].device.as_deref(), Some("Wahoo ELEMNT BOLT"));
}

/// One row of a python-fitparse records oracle, raw FIT units where the CSV uses them.
struct OracleRow {
    unix: i64,
    heart_rate: Option<f64>,
    cadence: Option<f64>,
    speed: Option<f64>,
    distance: Option<f64>,
    lat_semicircles: Option<f64>,
    lon_semicircles: Option<f64>,
    altitude: Option<f64>,
    temperature: Option<f64>,
}

fn number(field: &str) -> Option<f64> {
    let field = field.trim();
    if field.is_empty() || field == "null" || field == "None" {
        None
    } else {
        Some(field.parse().expect("numeric oracle field"))
    }
}

/// "Sun Jun 11 07:34:09 PDT 2017" → Unix seconds. The oracles only use PDT (UTC−7).
fn oracle_time(text: &str) -> i64 {
    let parts: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(parts[4], "PDT", "oracle time zone");
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == parts[1])
    .unwrap()
        + 1;
    let hms: Vec<i8> = parts[3].split(':').map(|x| x.parse().unwrap()).collect();
    let civil = jiff::civil::date(
        parts[5].parse().unwrap(),
        month as i8,
        parts[2].parse().unwrap(),
    )
    .at(hms[0], hms[1], hms[2], 0);
    jiff::tz::offset(-7)
        .to_timestamp(civil)
        .unwrap()
        .as_second()
}

fn read_oracle(name: &str) -> Vec<OracleRow> {
    let text = std::fs::read_to_string(corpus_dir().join(name)).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let compact = header.starts_with("Timestamp,");
    lines
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            if compact {
                // Timestamp (raw FIT seconds), Heart Rate, Speed, Distance, Cadence.
                OracleRow {
                    unix: f[0].parse::<i64>().unwrap() + 631_065_600,
                    heart_rate: number(f[1]),
                    speed: number(f[2]),
                    distance: number(f[3]),
                    cadence: number(f[4]),
                    lat_semicircles: None,
                    lon_semicircles: None,
                    altitude: None,
                    temperature: None,
                }
            } else {
                OracleRow {
                    unix: oracle_time(f[0]),
                    heart_rate: number(f[1]),
                    cadence: number(f[2]),
                    speed: number(f[3]),
                    distance: number(f[4]),
                    lat_semicircles: number(f[5]),
                    lon_semicircles: number(f[6]),
                    altitude: number(f[7]),
                    temperature: number(f[8]),
                }
            }
        })
        .collect()
}

/// Reads one column of an oracle row.
type OracleColumn = fn(&OracleRow) -> Option<f64>;

/// Compares one field. The Edge 500 oracle fills a missing value with the previous row's (its
/// record at 06:16:13 PDT repeats the position of 06:16:12 although the record has 0x7FFFFFFF
/// there, and at 06:11:42 it repeats cadence 0 for a 0xFF byte); Fettle keeps such values as
/// holes, so a hole on our side must meet either an empty oracle field or a repeated value.
fn same(
    name: &str,
    what: &str,
    ours: f64,
    theirs: Option<f64>,
    previous: Option<f64>,
    tolerance: f64,
) {
    match theirs {
        Some(v) if ours.is_nan() => assert!(
            previous == Some(v),
            "{name}: {what} ours missing, oracle {v} is not the previous row's {previous:?}"
        ),
        Some(v) => assert!(
            (ours - v).abs() <= tolerance,
            "{name}: {what} ours {ours} oracle {v}"
        ),
        None => assert!(ours.is_nan(), "{name}: {what} ours {ours}, oracle empty"),
    }
}

#[test]
fn records_match_the_python_fitparse_oracles_field_by_field() {
    let oracles = [
        "compressed-speed-distance",
        "garmin-edge-500-activity",
        "garmin-edge-820-bike",
        "garmin-fenix-5-bike",
        "garmin-fenix-5-run",
        "garmin-fenix-5-walk",
    ];
    for stem in oracles {
        let rows = read_oracle(&format!("{stem}-records.csv"));
        let decoded = fit::decode(&corpus_bytes(&format!("{stem}.fit"))).unwrap();
        let a = &decoded.activities[0];
        let s = &a.streams;
        let start = a.start.as_second();
        let channel32 = |v: &Vec<f32>, i: usize| v.get(i).map_or(f64::NAN, |&x| f64::from(x));
        let channel64 = |v: &Vec<f64>, i: usize| v.get(i).copied().unwrap_or(f64::NAN);
        // Oracle rows are the records in file order; python-fitparse's export leaves out records
        // that carry nothing but a timestamp, so rows are matched to samples by time.
        let mut i = 0usize;
        let mut previous: Option<&OracleRow> = None;
        for row in &rows {
            while i < s.len() && start + s.time_s[i] as i64 != row.unix {
                let empty = [&s.heart_rate_bpm, &s.speed_mps, &s.cadence_rpm]
                    .iter()
                    .all(|c| channel32(c, i).is_nan());
                assert!(empty, "{stem}: sample {i} has data but no oracle row");
                i += 1;
            }
            assert!(i < s.len(), "{stem}: no sample at {}", row.unix);
            let name = format!("{stem} @ {}", row.unix);
            let semicircles = 2_147_483_648.0 / 180.0;
            let position = row.lat_semicircles.is_some() || !s.lat_deg.is_empty();
            let altitude = row.altitude.is_some() || !s.altitude_m.is_empty();
            let temperature = row.temperature.is_some() || !s.temperature_c.is_empty();
            // (field, whether it is compared, our value, the oracle's column, tolerance)
            let checks: [(&str, bool, f64, OracleColumn, f64); 8] = [
                (
                    "heart_rate",
                    true,
                    channel32(&s.heart_rate_bpm, i),
                    |r| r.heart_rate,
                    0.0,
                ),
                // The oracle gives the integer cadence; Fettle adds fractional_cadence (< 1 rpm).
                (
                    "cadence",
                    true,
                    channel32(&s.cadence_rpm, i).floor(),
                    |r| r.cadence,
                    0.0,
                ),
                ("speed", true, channel32(&s.speed_mps, i), |r| r.speed, 1e-6),
                (
                    "distance",
                    true,
                    channel64(&s.distance_m, i),
                    |r| r.distance,
                    1e-9,
                ),
                (
                    "lat",
                    position,
                    channel64(&s.lat_deg, i) * semicircles,
                    |r| r.lat_semicircles,
                    1e-6,
                ),
                (
                    "lon",
                    position,
                    channel64(&s.lon_deg, i) * semicircles,
                    |r| r.lon_semicircles,
                    1e-6,
                ),
                // Altitude is f32 in the streams: 1e-4 m covers its rounding at < 10 km.
                (
                    "altitude",
                    altitude,
                    channel32(&s.altitude_m, i),
                    |r| r.altitude,
                    1e-4,
                ),
                (
                    "temperature",
                    temperature,
                    channel32(&s.temperature_c, i),
                    |r| r.temperature,
                    0.0,
                ),
            ];
            for (what, compared, ours, column, tolerance) in checks {
                if compared {
                    same(
                        &name,
                        what,
                        ours,
                        column(row),
                        previous.and_then(column),
                        tolerance,
                    );
                }
            }
            i += 1;
            previous = Some(row);
        }
    }
}
