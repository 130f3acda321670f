//! GPX reader features on small hand-written files; expected values worked out by hand in the
//! comments.

use fettle_formats::{FormatError, Sport, gpx};

/// A GPX document with the given `<trk>` content and extra root attributes.
fn doc(root_attributes: &str, body: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="Test Watch" xmlns="http://www.topografix.com/GPX/1/1" {root_attributes}>
  <metadata><name>Metadata name</name><time>2030-01-01T00:00:00Z</time></metadata>
  {body}
</gpx>"#
    )
    .into_bytes()
}

const PREFIXED: &str = r#"<trk><name>Lunch Run &amp; Chat</name><type>Run</type><trkseg>
  <trkpt lat="47.0" lon="8.0"><ele>400</ele><time>2024-05-01T10:00:00Z</time>
    <extensions><gpxtpx:TrackPointExtension>
      <gpxtpx:atemp>21.5</gpxtpx:atemp><gpxtpx:hr>120</gpxtpx:hr><gpxtpx:cad>85</gpxtpx:cad>
      <gpxtpx:speed>3.2</gpxtpx:speed>
    </gpxtpx:TrackPointExtension><pwr:PowerInWatts>250</pwr:PowerInWatts></extensions></trkpt>
  <trkpt lat="47.001" lon="8.0"><ele>401</ele><time>2024-05-01T10:00:10Z</time>
    <extensions><gpxtpx:TrackPointExtension>
      <gpxtpx:atemp>21.0</gpxtpx:atemp><gpxtpx:hr>130</gpxtpx:hr><gpxtpx:cad>87</gpxtpx:cad>
      <gpxtpx:speed>3.4</gpxtpx:speed>
    </gpxtpx:TrackPointExtension><pwr:PowerInWatts>270</pwr:PowerInWatts></extensions></trkpt>
</trkseg></trk>"#;

const NAMESPACES: &str = r#"xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v2" xmlns:pwr="http://www.garmin.com/xmlschemas/PowerExtension/v1""#;

#[test]
fn garmin_extensions_are_read_with_prefixes() {
    let decoded = gpx::decode(&doc(NAMESPACES, PREFIXED)).unwrap();
    let a = &decoded.activities[0];
    let s = &a.streams;
    assert_eq!(s.time_s, vec![0.0, 10.0]);
    assert_eq!(s.heart_rate_bpm, vec![120.0, 130.0]);
    assert_eq!(s.cadence_rpm, vec![85.0, 87.0]);
    assert_eq!(s.temperature_c, vec![21.5, 21.0]);
    assert_eq!(s.speed_mps, vec![3.2, 3.4]);
    assert_eq!(s.power_w, vec![250.0, 270.0]);
    assert_eq!(s.altitude_m, vec![400.0, 401.0]);
    assert_eq!(a.sport, Sport::Running); // <type>Run</type>
    assert_eq!(a.name.as_deref(), Some("Lunch Run & Chat")); // track name wins, entity decoded
    assert_eq!(a.device.as_deref(), Some("Test Watch"));
    // Averages: hr (120+130)/2 = 125, cadence (85+87)/2 = 86, power (250+270)/2 = 260.
    assert_eq!((a.avg_hr, a.max_hr), (Some(125.0), Some(130.0)));
    assert_eq!(a.avg_cadence, Some(86.0));
    assert_eq!(a.avg_power_w, Some(260.0));
    // 0.001° of latitude on a 6371008.8 m sphere: 6371008.8 × π/180 × 0.001 = 111.195080 m
    // (Python's haversine of (47.0, 8.0)→(47.001, 8.0) agrees: 111.19508023).
    assert!((a.distance_m.unwrap() - 111.195_080).abs() < 1e-5);
    assert_eq!(s.distance_m[0], 0.0);
}

#[test]
fn extensions_without_prefixes_read_the_same() {
    let unprefixed = PREFIXED.replace("gpxtpx:", "").replace("pwr:", "");
    let a = gpx::decode(&doc("", &unprefixed))
        .unwrap()
        .activities
        .remove(0);
    let b = gpx::decode(&doc(NAMESPACES, PREFIXED))
        .unwrap()
        .activities
        .remove(0);
    assert_eq!(a, b);
}

#[test]
fn plain_power_element_and_gpx10_speed() {
    let body = r#"<trk><trkseg>
      <trkpt lat="1" lon="1"><time>2024-05-01T10:00:00Z</time><speed>4.5</speed>
        <extensions><power>300</power></extensions></trkpt>
    </trkseg></trk>"#;
    let a = gpx::decode(&doc("", body)).unwrap().activities.remove(0);
    assert_eq!(a.streams.power_w, vec![300.0]);
    assert_eq!(a.streams.speed_mps, vec![4.5]);
    assert_eq!(a.sport, Sport::Generic); // no <type>
    assert_eq!(a.name.as_deref(), Some("Metadata name")); // no track name: metadata's
}

#[test]
fn times_with_offsets_are_converted_to_utc_and_the_offset_kept() {
    let body = r#"<trk><trkseg>
      <trkpt lat="1" lon="1"><time>2024-05-01T08:00:00+02:00</time></trkpt>
      <trkpt lat="1" lon="1"><time>2024-05-01T06:00:05Z</time></trkpt>
    </trkseg></trk>"#;
    let a = gpx::decode(&doc("", body)).unwrap().activities.remove(0);
    // 08:00 at +02:00 is 06:00 UTC; the next point, written in UTC, is 5 s later.
    assert_eq!(a.start.to_string(), "2024-05-01T06:00:00Z");
    assert_eq!(a.utc_offset_s, Some(7200));
    assert_eq!(a.streams.time_s, vec![0.0, 5.0]);
}

#[test]
fn tracks_and_segments_join_with_pauses_out_of_timer_time() {
    // Track 1 segment 1: t = 0, 10, 20 s. Segment 2: t = 45, 55. Track 2: t = 60, 200, 210.
    // Elapsed = 210. Timer: 10+10 (seg 1) + 10 (seg 2) + 0 (the 5 s between tracks is a pause)
    // + 10 (200→210; the 140 s gap 60→200 is longer than 30 s) = 40.
    let point = |s: u32| {
        format!(
            r#"<trkpt lat="1" lon="1"><time>2024-05-01T10:{:02}:{:02}Z</time></trkpt>"#,
            s / 60,
            s % 60
        )
    };
    let seg = |times: &[u32]| {
        format!(
            "<trkseg>{}</trkseg>",
            times.iter().map(|&t| point(t)).collect::<String>()
        )
    };
    let body = format!(
        "<trk><name>First</name>{}{}</trk><trk><name>Second</name>{}</trk>",
        seg(&[0, 10, 20]),
        seg(&[45, 55]),
        seg(&[60, 200, 210])
    );
    let a = gpx::decode(&doc("", &body)).unwrap().activities.remove(0);
    assert_eq!(
        a.streams.time_s,
        vec![0.0, 10.0, 20.0, 45.0, 55.0, 60.0, 200.0, 210.0]
    );
    assert_eq!(a.elapsed_s, 210.0);
    assert_eq!(a.timer_s, 40.0);
    assert_eq!(a.name.as_deref(), Some("First"));
}

#[test]
fn missing_values_are_nan_and_untimed_points_are_dropped_with_a_warning() {
    let body = r#"<trk><trkseg>
      <trkpt lat="1" lon="1"><time>2024-05-01T10:00:00Z</time>
        <extensions><hr>100</hr></extensions></trkpt>
      <trkpt lat="1" lon="1"><time>2024-05-01T10:00:01Z</time></trkpt>
      <trkpt lat="1" lon="1"></trkpt>
      <trkpt lat="1" lon="1"><time>not a time</time><extensions><hr>999</hr></extensions></trkpt>
      <trkpt lat="1" lon="1"><time>2024-05-01T10:00:02Z</time>
        <extensions><hr>110</hr></extensions></trkpt>
    </trkseg></trk>"#;
    let decoded = gpx::decode(&doc("", body)).unwrap();
    let a = &decoded.activities[0];
    assert_eq!(a.streams.len(), 3);
    assert_eq!(a.streams.heart_rate_bpm[0], 100.0);
    assert!(
        a.streams.heart_rate_bpm[1].is_nan(),
        "missing is NaN, never 0"
    );
    assert_eq!(a.streams.heart_rate_bpm[2], 110.0);
    assert_eq!(a.avg_hr, Some(105.0)); // (100 + 110) / 2
    assert!(
        a.streams.altitude_m.is_empty(),
        "no <ele> anywhere: channel empty"
    );
    assert_eq!((a.ascent_m, a.descent_m), (None, None));
    assert!(
        decoded
            .warnings
            .iter()
            .any(|w| w.contains("2 track point(s) without a valid time")),
        "{:?}",
        decoded.warnings
    );
}

#[test]
fn whitespace_and_bom_before_the_declaration_are_tolerated() {
    let mut bytes = b"\xEF\xBB\xBF \r\n\t ".to_vec();
    bytes.extend(doc(NAMESPACES, PREFIXED));
    let a = gpx::decode(&bytes).unwrap().activities.remove(0);
    assert_eq!(a.streams.heart_rate_bpm, vec![120.0, 130.0]);
}

#[test]
fn a_track_without_times_is_a_route_not_an_activity() {
    let body = r#"<trk><trkseg><trkpt lat="1" lon="1"><ele>3</ele></trkpt>
                  <trkpt lat="1.1" lon="1"/></trkseg></trk>"#;
    match gpx::decode(&doc("", body)) {
        Err(FormatError::NotAnActivity(reason)) => {
            assert!(reason.contains("GPX route without timestamps"), "{reason}");
        }
        other => panic!("expected NotAnActivity, got {other:?}"),
    }
    let route = r#"<rte><rtept lat="1" lon="1"/><rtept lat="2" lon="2"/></rte>"#;
    assert!(matches!(
        gpx::decode(&doc("", route)),
        Err(FormatError::NotAnActivity(reason)) if reason.contains("GPX route without timestamps")
    ));
}

#[test]
fn strava_numeric_type_codes_are_generic() {
    let body = r#"<trk><type>9</type><trkseg>
      <trkpt lat="1" lon="1"><time>2024-05-01T10:00:00Z</time></trkpt></trkseg></trk>"#;
    let a = gpx::decode(&doc("", body)).unwrap().activities.remove(0);
    assert_eq!(a.sport, Sport::Generic);
}

#[test]
fn a_truncated_file_keeps_the_points_before_the_break() {
    let full = doc(NAMESPACES, PREFIXED);
    // Cut inside the second point's extensions.
    let cut = String::from_utf8(full.clone())
        .unwrap()
        .find("<gpxtpx:hr>130")
        .unwrap();
    let decoded = gpx::decode(&full[..cut]).unwrap();
    assert_eq!(decoded.activities[0].streams.len(), 1);
    assert!(!decoded.warnings.is_empty());
}

#[test]
fn latin1_names_are_read_with_a_warning() {
    let mut bytes = doc("", "<trk><name>Caf\u{e9}</name><trkseg><trkpt lat=\"1\" lon=\"1\"><time>2024-05-01T10:00:00Z</time></trkpt></trkseg></trk>").to_vec();
    // Replace the UTF-8 é (C3 A9) by its Latin-1 byte E9.
    let at = bytes.windows(2).position(|w| w == [0xC3, 0xA9]).unwrap();
    bytes.splice(at..at + 2, [0xE9]);
    let decoded = gpx::decode(&bytes).unwrap();
    assert_eq!(decoded.activities[0].name.as_deref(), Some("Café"));
    assert!(decoded.warnings[0].contains("Latin-1"));
}

#[test]
fn broken_xml_before_any_point_is_corrupt() {
    let err =
        gpx::decode(b"<gpx><trk><trkseg><trkpt lat=\"1\" lon=\"1\"><time>2024</").unwrap_err();
    assert!(
        matches!(
            err,
            FormatError::Corrupt { .. } | FormatError::NotAnActivity(_)
        ),
        "{err:?}"
    );
    assert!(matches!(gpx::decode(b""), Err(FormatError::Corrupt { .. })));
}
