//! GPX reader against the repository's test corpus, with figures cross-checked independently.
//!
//! Expected values come from a throwaway Python script (xml.etree, not our code): it collects
//! every `trkpt` (lat/lon attributes, `time`, `ele`, `hr`, `cad` at any depth by local name),
//! then computes counts, the plain mean/max of HR, the mean of non-zero cadence, elapsed =
//! last − first time, timer = sum of consecutive gaps ≤ 30 s, haversine distance on a sphere of
//! radius 6 371 008.8 m, and ascent/descent with the documented method (altitudes cast to f32,
//! 5-sample centred moving average, 2 m hysteresis).

mod support;

use fettle_formats::{FormatError, Sport, gpx};
use support::{close, corpus};

fn decode(relative: &str) -> Result<fettle_formats::Decoded, FormatError> {
    gpx::decode(&std::fs::read(corpus(relative)).expect("corpus file"))
}

#[test]
fn garmin_activity_keeps_heart_rate_and_cadence_from_track_point_extension() {
    let decoded = decode("gpx/garmin-activity.gpx").unwrap();
    assert_eq!(decoded.activities.len(), 1);
    assert!(decoded.warnings.is_empty(), "{:?}", decoded.warnings);
    let a = &decoded.activities[0];
    let s = &a.streams;
    assert!(s.is_consistent());
    // Python: 988 points, all 988 with hr and cad.
    assert_eq!(s.len(), 988);
    assert_eq!(
        s.heart_rate_bpm.iter().filter(|v| v.is_finite()).count(),
        988
    );
    assert_eq!(s.cadence_rpm.iter().filter(|v| v.is_finite()).count(), 988);
    assert!(s.power_w.is_empty() && s.temperature_c.is_empty() && s.speed_mps.is_empty());
    assert_eq!(a.sport, Sport::Running); // <type>running</type>
    assert_eq!(a.name.as_deref(), Some("casual stroll"));
    assert_eq!(a.device.as_deref(), Some("Garmin Connect")); // creator attribute
    assert_eq!(a.start.to_string(), "2017-07-29T14:46:35Z");
    assert_eq!(a.utc_offset_s, None); // times end in Z
    // Python: mean hr 145.5172064777328, max 171, mean non-zero cad 80.04476093591047.
    assert!(close(a.avg_hr.unwrap(), 145.517_206_477_732_8, 1e-9));
    assert_eq!(a.max_hr, Some(171.0));
    assert!(close(a.avg_cadence.unwrap(), 80.044_760_935_910_47, 1e-9));
    // Python: elapsed 5498 s, every gap ≤ 30 s so timer 5498 s; haversine 12821.2001 m.
    assert_eq!(a.elapsed_s, 5498.0);
    assert_eq!(a.timer_s, 5498.0);
    assert!(close(a.distance_m.unwrap(), 12_821.200_096_956, 1e-3));
    assert!(close(
        *s.distance_m.last().unwrap(),
        12_821.200_096_956,
        1e-3
    ));
    // Python: ascent 165.38667348225903, descent 171.92000630696617.
    assert!(close(a.ascent_m.unwrap(), 165.386_673_482, 1e-6));
    assert!(close(a.descent_m.unwrap(), 171.920_006_307, 1e-6));
    assert!(a.laps.is_empty());
}

#[test]
fn segments_are_joined_and_the_gap_between_them_is_not_timer_time() {
    let decoded = decode("gpx/garmin_with_extensions.gpx").unwrap();
    let a = &decoded.activities[0];
    // Python: 3540 points in 2 segments (35 + 3505); first 04:31:11Z, last 14:41:35Z.
    assert_eq!(a.streams.len(), 3540);
    assert_eq!(a.start.to_string(), "2019-05-01T04:31:11Z");
    assert_eq!(a.elapsed_s, 36_624.0);
    // Python: the sum of gaps ≤ 30 s is 36255 s; one of them is the 2 s between the segments
    // (04:36:58 → 04:37:00), which is a pause, so timer = 36255 − 2 = 36253 s.
    assert_eq!(a.timer_s, 36_253.0);
    assert!(close(a.distance_m.unwrap(), 18_189.089_676_870, 1e-3));
    // Python: ascent 1282.8020385742193, descent 1330.4240152994798.
    assert!(close(a.ascent_m.unwrap(), 1_282.802_038_574, 1e-6));
    assert!(close(a.descent_m.unwrap(), 1_330.424_015_299, 1e-6));
    assert!(
        a.streams.heart_rate_bpm.is_empty(),
        "no HR recorded: channel stays empty"
    );
    assert_eq!(a.avg_hr, None);
    assert_eq!(a.sport, Sport::Generic);
}

#[test]
fn wikipedia_example_three_points() {
    let a = &decode("gpx/wikipedia_example.gpx").unwrap().activities[0];
    // Times 18:37:26, 18:37:31, 18:37:34 (by eye from the file): elapsed 8 s, timer 8 s.
    assert_eq!(a.streams.time_s, vec![0.0, 5.0, 8.0]);
    assert_eq!(a.elapsed_s, 8.0);
    assert_eq!(a.timer_s, 8.0);
    // Elevations 4.46, 4.94, 6.87: smoothed all to their mean 5.4233 (window covers all 3),
    // so no change reaches the 2 m band.
    assert_eq!((a.ascent_m, a.descent_m), (Some(0.0), Some(0.0)));
    assert_eq!(a.streams.altitude_m, vec![4.46f32, 4.94, 6.87]);
}

#[test]
fn routes_and_untimed_tracks_are_not_activities() {
    for file in [
        "gpx/strava_route_example.gpx",
        "gpx/mousehole_to_paul.gpx",
        "gpx/outdooractive-export.gpx",
        "gpx/viking_with_route_extensions.gpx",
        "gpx/ecology-trail-and-lovers-lane-loop.gpx",
    ] {
        match decode(file) {
            Err(FormatError::NotAnActivity(reason)) => {
                assert!(
                    reason.contains("GPX route without timestamps"),
                    "{file}: {reason}"
                );
            }
            other => panic!("{file}: expected NotAnActivity, got {other:?}"),
        }
    }
    assert!(matches!(
        decode("gpx/empty_name_tag.gpx"),
        Err(FormatError::NotAnActivity(_))
    ));
}
