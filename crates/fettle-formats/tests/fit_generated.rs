//! FIT files with exactly known content, written by Fettle's encoder and low-level builder and
//! read back by the decoder. Every expected value is worked out by hand in the comments.

mod support;

use fettle_formats::fit::profile::{base, mesg};
use fettle_formats::fit::{
    self, DevFieldDef, FieldDef, FieldValue, Finish, FitBuilder, encode_activities, encode_activity,
};
use fettle_formats::{Activity, FormatError, Lap, Sport};
use jiff::Timestamp;
use support::close;

/// FIT time (seconds since 1989-12-31T00:00:00Z) of 2024-03-10T07:00:00Z:
/// 1710054000 (Unix) − 631065600 (FIT epoch in Unix seconds) = 1078988400.
const T0: u32 = 1_078_988_400;
const T0_UNIX: i64 = 1_710_054_000;

fn at(unix: i64) -> Timestamp {
    Timestamp::from_second(unix).unwrap()
}

/// Record field definitions used by the builder tests: timestamp, heart_rate, distance.
fn record_fields() -> Vec<FieldDef> {
    vec![
        FieldDef::new(253, base::UINT32),
        FieldDef::new(3, base::UINT8),
        FieldDef::new(5, base::UINT32),
    ]
}

/// A builder that already holds a file_id of the given FIT file type.
fn with_file_id(file_type: u8) -> FitBuilder {
    let mut b = FitBuilder::new();
    b.define(
        0,
        mesg::FILE_ID,
        &[
            FieldDef::new(0, base::ENUM),
            FieldDef::new(1, base::UINT16),
            FieldDef::new(2, base::UINT16),
        ],
    );
    b.data(
        0,
        &[
            FieldValue::Int(i64::from(file_type)),
            FieldValue::Int(1),
            FieldValue::Int(2697),
        ],
    );
    b
}

/// Writes the smallest activity: a file_id of type activity (4) alone, then one record at T0
/// with HR 90 and distance 0, no session message.
fn write_one_record_activity(b: &mut FitBuilder) {
    b.define(0, mesg::FILE_ID, &[FieldDef::new(0, base::ENUM)]);
    b.data(0, &[FieldValue::Int(4)]);
    b.define(1, mesg::RECORD, &record_fields());
    b.data(
        1,
        &[
            FieldValue::Int(i64::from(T0)),
            FieldValue::Int(90),
            FieldValue::Int(0),
        ],
    );
}

/// A small activity file: file_id, then three records at T0, T0+1, T0+2 with HR 100/110/120 and
/// distance 0 / 2.5 / 5 m (raw centimetres 0 / 250 / 500), no session message.
fn three_record_file() -> Vec<u8> {
    let mut b = with_file_id(4);
    b.define(1, mesg::RECORD, &record_fields());
    for (i, hr) in [100, 110, 120].into_iter().enumerate() {
        let i = i as i64;
        b.data(
            1,
            &[
                FieldValue::Int(i64::from(T0) + i),
                FieldValue::Int(hr),
                FieldValue::Int(250 * i),
            ],
        );
    }
    b.finish()
}

fn sample_run() -> Activity {
    let mut a = Activity::new(at(T0_UNIX), Sport::Running);
    a.sub_sport = Some("trail".to_string());
    a.utc_offset_s = Some(3600);
    a.elapsed_s = 5.0;
    a.timer_s = 4.5;
    a.distance_m = Some(12.0);
    a.ascent_m = Some(1.0);
    a.descent_m = Some(0.0);
    a.avg_hr = Some(142.0);
    a.max_hr = Some(144.0);
    a.avg_cadence = Some(85.5);
    a.avg_power_w = Some(250.0);
    a.device = Some("Garmin fenix 5".to_string());
    let s = &mut a.streams;
    s.time_s = vec![0.0, 1.0, 2.0, 3.0, 4.0];
    s.lat_deg = vec![51.5, 51.5001, 51.5002, 51.5003, 51.5004];
    s.lon_deg = vec![-0.12; 5];
    s.distance_m = vec![0.0, 3.0, 6.0, 9.0, 12.0];
    s.speed_mps = vec![3.0, 3.0, 3.25, 3.0, 2.75];
    s.altitude_m = vec![10.0, 10.2, 10.4, 10.6, 11.0];
    s.heart_rate_bpm = vec![140.0, 141.0, 142.0, 143.0, 144.0];
    s.cadence_rpm = vec![85.5, 85.5, 86.0, 85.0, f32::NAN];
    s.power_w = vec![240.0, f32::NAN, 250.0, 255.0, 260.0];
    a.laps = vec![Lap {
        start: at(T0_UNIX),
        elapsed_s: 5.0,
        timer_s: 4.5,
        distance_m: Some(12.0),
        avg_hr: Some(142.0),
        max_hr: Some(144.0),
        avg_speed_mps: Some(2.667),
        avg_cadence: Some(85.5),
        avg_power_w: Some(250.0),
        ascent_m: Some(1.0),
        descent_m: Some(0.0),
    }];
    a.rr_intervals_ms = vec![800.0, 810.0, 790.0, 805.0, 795.0, 800.0, 812.0];
    a
}

#[test]
fn encoded_run_decodes_to_the_same_activity() {
    let run = sample_run();
    let bytes = encode_activity(&run);
    let decoded = fit::decode(&bytes).expect("decodes");
    assert!(decoded.warnings.is_empty(), "{:?}", decoded.warnings);
    assert_eq!(decoded.activities.len(), 1);
    let a = &decoded.activities[0];
    assert_eq!(a.start, run.start);
    assert_eq!(a.sport, Sport::Running);
    assert_eq!(a.sub_sport.as_deref(), Some("trail"));
    assert_eq!(a.utc_offset_s, Some(3600));
    assert_eq!(a.session_index, None);
    assert_eq!(a.elapsed_s, 5.0);
    assert_eq!(a.timer_s, 4.5);
    assert_eq!(a.distance_m, Some(12.0));
    assert_eq!(a.ascent_m, Some(1.0));
    assert_eq!(a.descent_m, Some(0.0));
    assert_eq!(a.avg_hr, Some(142.0));
    assert_eq!(a.max_hr, Some(144.0));
    // 85.5 rpm = 85 + 64/128.
    assert_eq!(a.avg_cadence, Some(85.5));
    assert_eq!(a.avg_power_w, Some(250.0));
    assert_eq!(a.device.as_deref(), Some("Garmin fenix 5"));

    let s = &a.streams;
    assert!(s.is_consistent());
    assert_eq!(s.time_s, run.streams.time_s);
    // Semicircles resolve 180/2^31 ≈ 8.4e-8 degrees; rounding is half of that.
    for (got, want) in s.lat_deg.iter().zip(&run.streams.lat_deg) {
        assert!(close(*got, *want, 5e-8), "{got} vs {want}");
    }
    for got in &s.lon_deg {
        assert!(close(*got, -0.12, 5e-8));
    }
    assert_eq!(s.distance_m, run.streams.distance_m);
    assert_eq!(s.speed_mps, run.streams.speed_mps);
    // Altitude is stored in 0.2 m steps with a 500 m offset: 10.2 m → 2551 → 10.2 m.
    for (got, want) in s.altitude_m.iter().zip(&run.streams.altitude_m) {
        assert!(close(f64::from(*got), f64::from(*want), 1e-4));
    }
    assert_eq!(s.heart_rate_bpm, run.streams.heart_rate_bpm);
    assert_eq!(&s.cadence_rpm[..4], &[85.5, 85.5, 86.0, 85.0]);
    assert!(s.cadence_rpm[4].is_nan(), "a missing cadence stays a hole");
    assert_eq!(s.power_w[0], 240.0);
    assert!(s.power_w[1].is_nan(), "a missing power stays a hole");
    assert_eq!(&s.power_w[2..], &[250.0, 255.0, 260.0]);
    assert!(
        s.temperature_c.is_empty(),
        "never-recorded channel is empty"
    );

    assert_eq!(a.laps.len(), 1);
    let lap = &a.laps[0];
    assert_eq!(lap.start, run.start);
    assert_eq!(lap.elapsed_s, 5.0);
    assert_eq!(lap.timer_s, 4.5);
    assert_eq!(lap.distance_m, Some(12.0));
    assert_eq!(lap.avg_speed_mps, Some(2.667));
    assert_eq!(lap.avg_cadence, Some(85.5));
    assert_eq!(lap.ascent_m, Some(1.0));
    // Seven R-R intervals travel in two hrv messages (5 + 2, padded with invalid 0xFFFF).
    assert_eq!(a.rr_intervals_ms, run.rr_intervals_ms);
}

#[test]
fn encoded_multisport_keeps_legs_apart() {
    let swim_start = T0_UNIX;
    let mut swim = Activity::new(at(swim_start), Sport::Swimming);
    swim.elapsed_s = 10.0;
    swim.timer_s = 10.0;
    swim.streams.time_s = vec![0.0, 5.0, 10.0];
    swim.streams.heart_rate_bpm = vec![120.0, 125.0, 130.0];
    swim.device = Some("Fettle simulator".to_string());
    let mut transition = Activity::new(at(swim_start + 10), Sport::Transition);
    transition.elapsed_s = 4.0;
    transition.timer_s = 4.0;
    transition.streams.time_s = vec![1.0, 3.0];
    transition.streams.heart_rate_bpm = vec![131.0, 133.0];
    let mut run = Activity::new(at(swim_start + 14), Sport::Running);
    run.elapsed_s = 6.0;
    run.timer_s = 6.0;
    run.streams.time_s = vec![0.0, 2.0, 4.0, 6.0];
    run.streams.heart_rate_bpm = vec![140.0, 141.0, 142.0, 143.0];
    run.rr_intervals_ms = vec![430.0, 425.0];

    let bytes = encode_activities(&[swim, transition, run]);
    let decoded = fit::decode(&bytes).expect("decodes");
    assert!(decoded.warnings.is_empty(), "{:?}", decoded.warnings);
    let legs = &decoded.activities;
    assert_eq!(legs.len(), 3);
    let sports: Vec<_> = legs.iter().map(|a| a.sport.clone()).collect();
    assert_eq!(sports, [Sport::Swimming, Sport::Transition, Sport::Running]);
    let indices: Vec<_> = legs.iter().map(|a| a.session_index).collect();
    assert_eq!(indices, [Some(0), Some(1), Some(2)]);
    // Records are written at swim+0,5,10 | swim+11,13 | swim+14,16,18,20. A session owns
    // [its start, the next session's start), so the record at swim+10, the instant the
    // transition starts, is the transition's first sample (time 0), not the swim's last.
    assert_eq!(legs[0].streams.heart_rate_bpm, [120.0, 125.0]);
    assert_eq!(legs[1].streams.time_s, [0.0, 1.0, 3.0]);
    assert_eq!(legs[1].streams.heart_rate_bpm, [130.0, 131.0, 133.0]);
    assert_eq!(legs[2].streams.time_s, [0.0, 2.0, 4.0, 6.0]);
    assert_eq!(legs[2].rr_intervals_ms, [430.0, 425.0]);
    assert!(legs[0].rr_intervals_ms.is_empty());
    // The first leg's device is written once for the file and applies to all legs.
    assert!(
        legs.iter()
            .all(|a| a.device.as_deref() == Some("Fettle simulator"))
    );
}

#[test]
fn big_endian_definitions_are_read_in_their_byte_order() {
    let mut b = with_file_id(4);
    b.define_with(1, mesg::RECORD, &record_fields(), &[], true);
    // Distance 1234.56 m = 123456 cm.
    b.data(
        1,
        &[
            FieldValue::Int(i64::from(T0)),
            FieldValue::Int(150),
            FieldValue::Int(123_456),
        ],
    );
    let bytes = b.finish();
    // The 4-byte timestamp must appear big-endian in the file: 1078988400 = 0x40 50 0E 70.
    assert!(bytes.windows(4).any(|w| w == [0x40, 0x50, 0x0E, 0x70]));
    let a = &fit::decode(&bytes).unwrap().activities[0];
    assert_eq!(a.start, at(T0_UNIX));
    assert_eq!(a.streams.heart_rate_bpm, [150.0]);
    assert_eq!(a.streams.distance_m, [1234.56]);
}

#[test]
fn compressed_timestamp_headers_count_from_the_last_full_timestamp() {
    // Full timestamp T = T0 + 30: T0 = 1078988400 = 32 × 33718387 + 16, so T0 + 30 has low five
    // bits 16 + 30 − 32 = 14. Compressed offsets then give:
    //   offset 15 ≥ 14 → same 32-s window: T + 1;
    //   offset 2  < 15 → next window: T + 1 − 15 + 2 + 32 = T + 20.
    let t = T0 + 30;
    assert_eq!(t & 0x1F, 14);
    let mut b = with_file_id(4);
    b.define(1, mesg::RECORD, &record_fields());
    b.define(2, mesg::RECORD, &[FieldDef::new(3, base::UINT8)]);
    b.data(
        1,
        &[
            FieldValue::Int(i64::from(t)),
            FieldValue::Int(100),
            FieldValue::Invalid,
        ],
    );
    b.data_compressed(2, 15, &[FieldValue::Int(101)]);
    b.data_compressed(2, 2, &[FieldValue::Int(102)]);
    let a = &fit::decode(&b.finish()).unwrap().activities[0];
    assert_eq!(a.start, at(T0_UNIX + 30));
    assert_eq!(a.streams.time_s, [0.0, 1.0, 20.0]);
    assert_eq!(a.streams.heart_rate_bpm, [100.0, 101.0, 102.0]);
    assert!(
        a.streams.distance_m.is_empty(),
        "distance was always invalid"
    );
}

#[test]
fn developer_fields_are_skipped_even_before_their_description() {
    let mut b = with_file_id(4);
    // A record with a 2-byte developer field whose description has not been written yet.
    let dev = [DevFieldDef {
        number: 0,
        size: 2,
        developer_index: 0,
    }];
    b.define_with(1, mesg::RECORD, &record_fields(), &dev, false);
    b.data(
        1,
        &[
            FieldValue::Int(i64::from(T0)),
            FieldValue::Int(130),
            FieldValue::Int(1000),
            FieldValue::Bytes(&[0xAB, 0xCD]),
        ],
    );
    // developer_data_id without application_id (developer_data_index only), then the field
    // description, then another record using the developer field.
    b.define(2, mesg::DEVELOPER_DATA_ID, &[FieldDef::new(3, base::UINT8)]);
    b.data(2, &[FieldValue::Int(0)]);
    b.define(
        3,
        mesg::FIELD_DESCRIPTION,
        &[
            FieldDef::new(0, base::UINT8),
            FieldDef::new(1, base::UINT8),
            FieldDef::new(2, base::UINT8),
            FieldDef::sized(3, base::STRING, 8),
        ],
    );
    b.data(
        3,
        &[
            FieldValue::Int(0),
            FieldValue::Int(0),
            FieldValue::Int(i64::from(base::UINT16)),
            FieldValue::Text("Power2"),
        ],
    );
    b.data(
        1,
        &[
            FieldValue::Int(i64::from(T0) + 1),
            FieldValue::Int(131),
            FieldValue::Int(1300),
            FieldValue::Bytes(&[0x01, 0x02]),
        ],
    );
    let decoded = fit::decode(&b.finish()).unwrap();
    let a = &decoded.activities[0];
    assert_eq!(a.streams.heart_rate_bpm, [130.0, 131.0]);
    assert_eq!(a.streams.distance_m, [10.0, 13.0]);
    assert_eq!(a.streams.time_s, [0.0, 1.0]);
}

#[test]
fn twelve_byte_header_without_crc_decodes_cleanly() {
    let mut b = FitBuilder::with_12_byte_header();
    write_one_record_activity(&mut b);
    let bytes = b.finish();
    assert_eq!(bytes[0], 12);
    let decoded = fit::decode(&bytes).unwrap();
    assert_eq!(decoded.activities[0].streams.heart_rate_bpm, [90.0]);
    // Only the "no session" note, no CRC complaint.
    assert!(decoded.warnings.iter().all(|w| !w.contains("CRC")));
}

fn warnings_of(bytes: &[u8]) -> Vec<String> {
    fit::decode(bytes).expect("still decodes").warnings
}

#[test]
fn bad_or_missing_crcs_are_warnings_not_failures() {
    let build = || {
        let mut b = FitBuilder::new();
        write_one_record_activity(&mut b);
        b
    };
    let clean = warnings_of(&build().finish());
    assert!(clean.iter().all(|w| !w.contains("CRC")), "{clean:?}");
    let header = warnings_of(&build().finish_with(Finish {
        wrong_header_crc: true,
        ..Finish::default()
    }));
    assert!(header.iter().any(|w| w.contains("header CRC mismatch")));
    let file = warnings_of(&build().finish_with(Finish {
        wrong_file_crc: true,
        ..Finish::default()
    }));
    assert!(file.iter().any(|w| w.contains("file CRC mismatch")));
    let missing = warnings_of(&build().finish_with(Finish {
        omit_file_crc: true,
        ..Finish::default()
    }));
    assert!(
        missing
            .iter()
            .any(|w| w.contains("without its 2-byte file CRC"))
    );
}

#[test]
fn chained_files_yield_the_activities_and_skip_the_rest() {
    let activity = encode_activity(&sample_run());
    let settings = with_file_id(2).finish();

    let mut activity_then_settings = activity.clone();
    activity_then_settings.extend_from_slice(&settings);
    let d = fit::decode(&activity_then_settings).unwrap();
    assert_eq!(d.activities.len(), 1);
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    assert_eq!(d.activities[0].session_index, None);

    let mut settings_then_activity = settings.clone();
    settings_then_activity.extend_from_slice(&activity);
    assert_eq!(
        fit::decode(&settings_then_activity)
            .unwrap()
            .activities
            .len(),
        1
    );

    let mut two = activity.clone();
    two.extend_from_slice(&activity);
    let d = fit::decode(&two).unwrap();
    assert_eq!(d.activities.len(), 2);
    assert_eq!(d.activities[1].session_index, Some(1));
    assert_eq!(d.activities[1].streams.len(), 5);
}

#[test]
fn truncated_file_keeps_the_records_before_the_cut() {
    let bytes = three_record_file();
    // Each record message is 1 header byte + 4 + 1 + 4 = 10 bytes; the file ends with the CRC.
    // Cutting 2 (CRC) + 5 bytes leaves the third record half written.
    let cut = &bytes[..bytes.len() - 7];
    let d = fit::decode(cut).unwrap();
    assert_eq!(d.activities[0].streams.heart_rate_bpm, [100.0, 110.0]);
    assert!(
        d.warnings.iter().any(|w| w.contains("truncated")),
        "{:?}",
        d.warnings
    );
}

#[test]
fn data_message_of_undefined_local_type_stops_reading_but_keeps_earlier_data() {
    let mut b = with_file_id(4);
    b.define(1, mesg::RECORD, &record_fields());
    b.data(
        1,
        &[
            FieldValue::Int(i64::from(T0)),
            FieldValue::Int(100),
            FieldValue::Int(0),
        ],
    );
    b.data(9, &[]);
    b.data(
        1,
        &[
            FieldValue::Int(i64::from(T0) + 1),
            FieldValue::Int(101),
            FieldValue::Int(0),
        ],
    );
    let d = fit::decode(&b.finish()).unwrap();
    assert_eq!(d.activities[0].streams.heart_rate_bpm, [100.0]);
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("local message type 9")),
        "{:?}",
        d.warnings
    );
}

#[test]
fn nothing_readable_after_the_header_is_corrupt() {
    let mut b = FitBuilder::new();
    b.data(3, &[]);
    b.raw(&[0x00; 8]);
    match fit::decode(&b.finish()) {
        Err(FormatError::Corrupt { reason, .. }) => {
            // The data starts right after the 14-byte header.
            assert!(reason.contains("byte 14"), "{reason}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn bytes_that_are_not_fit_are_unrecognised() {
    for bytes in [&b""[..], b"hello", b"<?xml version=\"1.0\"?><gpx></gpx>"] {
        assert!(matches!(
            fit::decode(bytes),
            Err(FormatError::Unrecognised(_))
        ));
    }
}

#[test]
fn non_activity_file_types_are_named_in_the_error() {
    for (file_type, name) in [
        (2u8, "settings"),
        (5, "workout"),
        (9, "weight"),
        (32, "monitoring_b"),
    ] {
        match fit::decode(&with_file_id(file_type).finish()) {
            Err(FormatError::NotAnActivity(reason)) => {
                assert!(reason.contains(name), "{reason}");
                assert!(
                    reason.contains(&format!("file_id.type {file_type}")),
                    "{reason}"
                );
            }
            other => panic!("type {file_type}: expected NotAnActivity, got {other:?}"),
        }
    }
}

#[test]
fn activity_without_session_is_built_from_its_records() {
    let d = fit::decode(&three_record_file()).unwrap();
    let a = &d.activities[0];
    // Start = first record, elapsed = last − first = 2 s, distance = last distance 5 m,
    // HR mean (100 + 110 + 120) / 3 = 110, max 120, sport generic (no sport message).
    assert_eq!(a.start, at(T0_UNIX));
    assert_eq!(a.elapsed_s, 2.0);
    assert_eq!(a.timer_s, 2.0);
    assert_eq!(a.distance_m, Some(5.0));
    assert_eq!(a.avg_hr, Some(110.0));
    assert_eq!(a.max_hr, Some(120.0));
    assert_eq!(a.sport, Sport::Generic);
    assert_eq!(a.device.as_deref(), Some("Garmin fenix 5"));
    assert!(d.warnings.iter().any(|w| w.contains("no session")));
}

#[test]
fn enhanced_fields_win_and_scale_and_offset_apply() {
    let mut b = with_file_id(4);
    b.define(
        1,
        mesg::RECORD,
        &[
            FieldDef::new(253, base::UINT32),
            FieldDef::new(2, base::UINT16),  // altitude
            FieldDef::new(78, base::UINT32), // enhanced_altitude
            FieldDef::new(6, base::UINT16),  // speed
            FieldDef::new(73, base::UINT32), // enhanced_speed
            FieldDef::new(4, base::UINT8),   // cadence
            FieldDef::new(53, base::UINT8),  // fractional_cadence
            FieldDef::new(13, base::SINT8),  // temperature
        ],
    );
    // altitude 2600/5 − 500 = 20 m, enhanced 2750/5 − 500 = 50 m → 50 m.
    // speed 3000/1000 = 3.0, enhanced 3500/1000 = 3.5 → 3.5 m/s.
    // cadence 85 + 32/128 = 85.25; temperature −3 °C.
    b.data(
        1,
        &[
            FieldValue::Int(i64::from(T0)),
            FieldValue::Int(2600),
            FieldValue::Int(2750),
            FieldValue::Int(3000),
            FieldValue::Int(3500),
            FieldValue::Int(85),
            FieldValue::Int(32),
            FieldValue::Int(-3),
        ],
    );
    // Only the plain fields valid: 2600 → 20 m, 3000 → 3.0 m/s; cadence invalid (0xFF).
    b.data(
        1,
        &[
            FieldValue::Int(i64::from(T0) + 1),
            FieldValue::Int(2600),
            FieldValue::Invalid,
            FieldValue::Int(3000),
            FieldValue::Invalid,
            FieldValue::Invalid,
            FieldValue::Invalid,
            FieldValue::Invalid,
        ],
    );
    let a = &fit::decode(&b.finish()).unwrap().activities[0];
    assert_eq!(a.streams.altitude_m, [50.0, 20.0]);
    assert_eq!(a.streams.speed_mps, [3.5, 3.0]);
    assert_eq!(a.streams.cadence_rpm[0], 85.25);
    assert!(a.streams.cadence_rpm[1].is_nan());
    assert_eq!(a.streams.temperature_c[0], -3.0);
    assert!(a.streams.temperature_c[1].is_nan());
}

#[test]
fn compressed_speed_distance_accumulates_across_rollover() {
    let mut b = with_file_id(4);
    b.define(
        1,
        mesg::RECORD,
        &[
            FieldDef::new(253, base::UINT32),
            FieldDef::sized(8, base::BYTE, 3),
        ],
    );
    // Speed 12 bits in 1/100 m/s, then distance 12 bits in 1/16 m:
    //   [0x5E, 0x01, 0x0A]: speed 0x15E = 350 → 3.50 m/s; distance 0x0A0 = 160 → 10 m.
    //   [0x5E, 0x01, 0xFA]: distance 0xFA0 = 4000 → +3840/16 = 240 m → 250 m.
    //   [0x5E, 0x41, 0x06]: distance 0x064 = 100; (100 − 4000) mod 4096 = 196 → +12.25 m
    //   → 262.25 m (the 12-bit counter rolled over).
    for (i, bytes) in [[0x5E, 0x01, 0x0A], [0x5E, 0x01, 0xFA], [0x5E, 0x41, 0x06]]
        .iter()
        .enumerate()
    {
        b.data(
            1,
            &[
                FieldValue::Int(i64::from(T0) + i as i64),
                FieldValue::Bytes(bytes),
            ],
        );
    }
    let a = &fit::decode(&b.finish()).unwrap().activities[0];
    assert_eq!(a.streams.speed_mps, [3.5, 3.5, 3.5]);
    assert_eq!(a.streams.distance_m, [10.0, 250.0, 262.25]);
}

#[test]
fn hrv_invalid_entries_are_dropped_and_local_time_gives_the_offset() {
    let mut b = with_file_id(4);
    b.define(1, mesg::RECORD, &record_fields());
    b.data(
        1,
        &[
            FieldValue::Int(i64::from(T0)),
            FieldValue::Int(60),
            FieldValue::Int(0),
        ],
    );
    b.define(2, mesg::HRV, &[FieldDef::sized(0, base::UINT16, 10)]);
    b.data(2, &[FieldValue::Ints(&[1000, 0xFFFF, 987])]);
    b.define(
        3,
        mesg::ACTIVITY,
        &[
            FieldDef::new(253, base::UINT32),
            FieldDef::new(5, base::UINT32),
        ],
    );
    // local_timestamp − timestamp = −5 h = −18000 s (e.g. US Eastern standard time).
    b.data(
        3,
        &[
            FieldValue::Int(i64::from(T0) + 10),
            FieldValue::Int(i64::from(T0) + 10 - 18_000),
        ],
    );
    let a = &fit::decode(&b.finish()).unwrap().activities[0];
    // hrv.time has scale 1000 in seconds: raw 1000 = 1.000 s = 1000 ms.
    assert_eq!(a.rr_intervals_ms, [1000.0, 987.0]);
    assert_eq!(a.utc_offset_s, Some(-18_000));
}

#[test]
fn session_summary_and_sport_message_are_read() {
    let mut b = with_file_id(4);
    b.define(
        1,
        mesg::SPORT,
        &[FieldDef::new(0, base::ENUM), FieldDef::new(1, base::ENUM)],
    );
    b.data(1, &[FieldValue::Int(1), FieldValue::Int(1)]); // running / treadmill
    b.define(
        2,
        mesg::SESSION,
        &[
            FieldDef::new(253, base::UINT32),
            FieldDef::new(2, base::UINT32),
            FieldDef::new(7, base::UINT32),
            FieldDef::new(8, base::UINT32),
            FieldDef::new(9, base::UINT32),
            FieldDef::new(16, base::UINT8),
            FieldDef::new(17, base::UINT8),
            FieldDef::new(18, base::UINT8),
            FieldDef::new(92, base::UINT8),
            FieldDef::new(20, base::UINT16),
            FieldDef::new(22, base::UINT16),
            FieldDef::new(23, base::UINT16),
        ],
    );
    // elapsed 1800500 ms = 1800.5 s, timer 1750000 ms = 1750 s, distance 500000 cm = 5 km,
    // HR 150/175, cadence 88 + 96/128 = 88.75, power 0xFFFF (missing), ascent 42, descent 40.
    // No sport field in the session: the sport message (running, treadmill) applies.
    b.data(
        2,
        &[
            FieldValue::Int(i64::from(T0) + 1801),
            FieldValue::Int(i64::from(T0)),
            FieldValue::Int(1_800_500),
            FieldValue::Int(1_750_000),
            FieldValue::Int(500_000),
            FieldValue::Int(150),
            FieldValue::Int(175),
            FieldValue::Int(88),
            FieldValue::Int(96),
            FieldValue::Invalid,
            FieldValue::Int(42),
            FieldValue::Int(40),
        ],
    );
    let a = &fit::decode(&b.finish()).unwrap().activities[0];
    assert_eq!(a.sport, Sport::Running);
    assert_eq!(a.sub_sport.as_deref(), Some("treadmill"));
    assert_eq!(a.start, at(T0_UNIX));
    assert_eq!(a.elapsed_s, 1800.5);
    assert_eq!(a.timer_s, 1750.0);
    assert_eq!(a.distance_m, Some(5000.0));
    assert_eq!(a.avg_hr, Some(150.0));
    assert_eq!(a.max_hr, Some(175.0));
    assert_eq!(a.avg_cadence, Some(88.75));
    assert_eq!(a.avg_power_w, None);
    assert_eq!(a.ascent_m, Some(42.0));
    assert_eq!(a.descent_m, Some(40.0));
    assert!(a.streams.is_empty());
}

#[test]
fn file_crc_helper_matches_the_checksum_written_by_the_encoder() {
    let bytes = three_record_file();
    let n = bytes.len();
    let stored = u16::from_le_bytes([bytes[n - 2], bytes[n - 1]]);
    assert_eq!(fit::crc16(&bytes[..n - 2]), stored);
    // Header CRC covers the first 12 bytes.
    assert_eq!(
        fit::crc16(&bytes[..12]),
        u16::from_le_bytes([bytes[12], bytes[13]])
    );
}

#[test]
fn encoder_clamps_out_of_range_values_instead_of_wrapping() {
    let mut a = Activity::new(at(T0_UNIX), Sport::Running);
    a.elapsed_s = 1.0;
    a.timer_s = 1.0;
    a.streams.time_s = vec![0.0, 1.0];
    // 300 bpm does not fit uint8: clamped to 254 (255 is the invalid value), not 300 − 256 = 44.
    a.streams.heart_rate_bpm = vec![300.0, 150.0];
    // −600 m is below FIT's altitude floor: raw (−600 + 500) × 5 = −500 clamps to 0, which
    // decodes as 0 / 5 − 500 = −500 m.
    a.streams.altitude_m = vec![-600.0, 12.0];
    // A latitude outside ±180° is not a position: written invalid, read back as a hole.
    a.streams.lat_deg = vec![f64::NAN, 400.0];
    a.streams.lon_deg = vec![1.0, 1.0];
    let b = &fit::decode(&encode_activity(&a)).unwrap().activities[0];
    assert_eq!(b.streams.heart_rate_bpm, [254.0, 150.0]);
    assert_eq!(b.streams.altitude_m, [-500.0, 12.0]);
    assert!(b.streams.lat_deg.is_empty(), "no valid latitude at all");
}
