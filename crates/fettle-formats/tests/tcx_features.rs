//! TCX reader features on small hand-written files; expected values worked out by hand in the
//! comments.

use fettle_formats::{FormatError, Sport, tcx};

/// A TCX document around `activities` (the content of `<Activities>`).
fn doc(activities: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
  xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
  <Activities>{activities}</Activities>
</TrainingCenterDatabase>"#
    )
    .into_bytes()
}

/// A trackpoint at `time` with heart rate, run cadence, speed and watts.
fn point(time: &str, hr: u32, cadence: u32, speed: f64, watts: u32, distance: f64) -> String {
    format!(
        r#"<Trackpoint><Time>{time}</Time>
          <Position><LatitudeDegrees>50.0</LatitudeDegrees><LongitudeDegrees>4.0</LongitudeDegrees></Position>
          <AltitudeMeters>10</AltitudeMeters><DistanceMeters>{distance}</DistanceMeters>
          <HeartRateBpm><Value>{hr}</Value></HeartRateBpm>
          <Extensions><ns3:TPX><ns3:Speed>{speed}</ns3:Speed><ns3:RunCadence>{cadence}</ns3:RunCadence><ns3:Watts>{watts}</ns3:Watts></ns3:TPX></Extensions>
        </Trackpoint>"#
    )
}

/// Two laps: 600 s at avg HR 140 (max 150), 300 s at avg 170 (max 180).
fn two_lap_activity(sport: &str, day: u32) -> String {
    format!(
        r#"<Activity Sport="{sport}"><Id>2024-03-{day:02}T07:00:00Z</Id>
      <Lap StartTime="2024-03-{day:02}T07:00:00Z"><TotalTimeSeconds>600</TotalTimeSeconds>
        <DistanceMeters>2000</DistanceMeters><MaximumSpeed>4</MaximumSpeed><Calories>100</Calories>
        <AverageHeartRateBpm><Value>140</Value></AverageHeartRateBpm>
        <MaximumHeartRateBpm><Value>150</Value></MaximumHeartRateBpm>
        <Track>{}{}</Track>
        <Extensions><ns3:LX><ns3:AvgSpeed>3.3</ns3:AvgSpeed><ns3:AvgRunCadence>85</ns3:AvgRunCadence></ns3:LX></Extensions>
      </Lap>
      <Lap StartTime="2024-03-{day:02}T07:10:00Z"><TotalTimeSeconds>300</TotalTimeSeconds>
        <DistanceMeters>1200</DistanceMeters>
        <AverageHeartRateBpm><Value>170</Value></AverageHeartRateBpm>
        <MaximumHeartRateBpm><Value>180</Value></MaximumHeartRateBpm>
        <Track>{}</Track>
        <Extensions><ns3:LX><ns3:AvgRunCadence>91</ns3:AvgRunCadence></ns3:LX></Extensions>
      </Lap>
      <Creator><Name>Forerunner 965</Name></Creator></Activity>"#,
        point(
            &format!("2024-03-{day:02}T07:00:00Z"),
            120,
            80,
            3.0,
            200,
            0.0
        ),
        point(
            &format!("2024-03-{day:02}T07:09:59Z"),
            150,
            86,
            3.5,
            220,
            1990.0
        ),
        point(
            &format!("2024-03-{day:02}T07:15:00Z"),
            180,
            92,
            4.0,
            260,
            3200.0
        ),
    )
}

#[test]
fn laps_are_read_and_activity_totals_come_from_them() {
    let decoded = tcx::decode(&doc(&two_lap_activity("Running", 5))).unwrap();
    assert_eq!(decoded.activities.len(), 1);
    let a = &decoded.activities[0];
    assert_eq!(a.session_index, None);
    assert_eq!(a.sport, Sport::Running);
    assert_eq!(a.device.as_deref(), Some("Forerunner 965"));
    assert_eq!(a.laps.len(), 2);
    let (l1, l2) = (&a.laps[0], &a.laps[1]);
    assert_eq!(l1.start.to_string(), "2024-03-05T07:00:00Z");
    assert_eq!((l1.timer_s, l1.distance_m), (600.0, Some(2000.0)));
    assert_eq!((l1.avg_hr, l1.max_hr), (Some(140.0), Some(150.0)));
    assert_eq!(l1.avg_speed_mps, Some(3.3)); // LX AvgSpeed
    assert_eq!(l1.avg_cadence, Some(85.0)); // LX AvgRunCadence
    assert_eq!(l1.elapsed_s, 600.0); // next lap starts 10 min later
    assert_eq!(l2.start.to_string(), "2024-03-05T07:10:00Z");
    assert_eq!(l2.avg_speed_mps, Some(4.0)); // no AvgSpeed: 1200 m / 300 s
    assert_eq!(l2.elapsed_s, 300.0); // last point at 07:15:00
    // Activity: timer 600 + 300 = 900 s; distance 2000 + 1200 = 3200 m; elapsed to the last
    // point 15 min = 900 s; HR weighted by lap time (140×600 + 170×300) / 900 = 150; max 180;
    // cadence (85×600 + 91×300) / 900 = 87.
    assert_eq!(a.timer_s, 900.0);
    assert_eq!(a.distance_m, Some(3200.0));
    assert_eq!(a.elapsed_s, 900.0);
    assert_eq!(a.avg_hr, Some(150.0));
    assert_eq!(a.max_hr, Some(180.0));
    assert_eq!(a.avg_cadence, Some(87.0));
    // No lap AvgWatts: power from the stream, (200 + 220 + 260) / 3 = 226.67.
    assert!((a.avg_power_w.unwrap() - 680.0 / 3.0).abs() < 1e-9);
    assert_eq!(a.streams.speed_mps, vec![3.0, 3.5, 4.0]);
    assert_eq!(a.streams.cadence_rpm, vec![80.0, 86.0, 92.0]);
    assert_eq!(a.streams.distance_m, vec![0.0, 1990.0, 3200.0]);
}

#[test]
fn each_activity_element_is_one_activity() {
    let body = format!(
        "{}{}",
        two_lap_activity("Running", 5),
        two_lap_activity("Biking", 6)
    );
    let decoded = tcx::decode(&doc(&body)).unwrap();
    assert_eq!(decoded.activities.len(), 2);
    assert_eq!(decoded.activities[0].session_index, Some(0));
    assert_eq!(decoded.activities[1].session_index, Some(1));
    assert_eq!(decoded.activities[1].sport, Sport::Cycling);
    assert_eq!(
        decoded.activities[1].start.to_string(),
        "2024-03-06T07:00:00Z"
    );
    assert_eq!(decoded.activities[1].streams.len(), 3);
}

#[test]
fn extensions_without_prefix_read_the_same() {
    let prefixed = doc(&two_lap_activity("Running", 5));
    let plain = String::from_utf8(prefixed.clone())
        .unwrap()
        .replace("ns3:", "");
    let a = tcx::decode(&prefixed).unwrap();
    let b = tcx::decode(plain.as_bytes()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn offsets_are_converted_and_kept() {
    let body = r#"<Activity Sport="Running"><Id>2024-03-05T08:00:00-05:00</Id>
      <Lap StartTime="2024-03-05T08:00:00-05:00"><Track>
        <Trackpoint><Time>2024-03-05T08:00:00-05:00</Time></Trackpoint>
        <Trackpoint><Time>2024-03-05T13:00:04Z</Time><HeartRateBpm><Value>99</Value></HeartRateBpm></Trackpoint>
      </Track></Lap></Activity>"#;
    let a = tcx::decode(&doc(body)).unwrap().activities.remove(0);
    // 08:00 at −05:00 = 13:00 UTC.
    assert_eq!(a.start.to_string(), "2024-03-05T13:00:00Z");
    assert_eq!(a.utc_offset_s, Some(-5 * 3600));
    assert_eq!(a.streams.time_s, vec![0.0, 4.0]);
    assert!(a.streams.heart_rate_bpm[0].is_nan());
    assert_eq!(a.streams.heart_rate_bpm[1], 99.0);
}

#[test]
fn missing_lap_figures_are_computed_from_the_samples_and_a_new_track_is_a_pause() {
    // No TotalTimeSeconds, no DistanceMeters anywhere, two Tracks (stop/resume).
    // Track 1: t = 0, 10, 20 s; Track 2: t = 25, 35 s. Timer = 10+10 + 10 = 30 s (the 5 s
    // between tracks is a pause); elapsed 35 s. Distance: haversine between positions
    // 0.001° of latitude apart, 4 steps (the pause step too: the runner did move) =
    // 4 × 111.195080 = 444.780321 m (Python haversine, sphere radius 6371008.8 m).
    let tp = |s: u32, lat: f64| {
        format!(
            "<Trackpoint><Time>2024-03-05T07:00:{s:02}Z</Time><Position><LatitudeDegrees>{lat}</LatitudeDegrees><LongitudeDegrees>4</LongitudeDegrees></Position></Trackpoint>"
        )
    };
    let body = format!(
        r#"<Activity Sport="Running"><Id>2024-03-05T07:00:00Z</Id><Lap StartTime="2024-03-05T07:00:00Z">
        <Track>{}{}{}</Track><Track>{}{}</Track></Lap></Activity>"#,
        tp(0, 50.000),
        tp(10, 50.001),
        tp(20, 50.002),
        tp(25, 50.003),
        tp(35, 50.004)
    );
    let a = tcx::decode(&doc(&body)).unwrap().activities.remove(0);
    assert_eq!(a.timer_s, 30.0);
    assert_eq!(a.laps[0].timer_s, 30.0);
    assert_eq!(a.elapsed_s, 35.0);
    assert!(
        (a.distance_m.unwrap() - 444.780_321).abs() < 1e-5,
        "{:?}",
        a.distance_m
    );
    assert_eq!(a.avg_hr, None);
    assert!(a.streams.heart_rate_bpm.is_empty());
}

#[test]
fn whitespace_before_the_declaration_is_tolerated() {
    let mut bytes = b"\n\n   ".to_vec();
    bytes.extend(doc(&two_lap_activity("Running", 5)));
    assert_eq!(tcx::decode(&bytes).unwrap().activities[0].laps.len(), 2);
}

#[test]
fn a_file_without_activities_is_not_an_activity() {
    let courses =
        br#"<?xml version="1.0"?><TrainingCenterDatabase><Courses><Course><Name>Loop</Name>
      <Track><Trackpoint><Time>2024-03-05T07:00:00Z</Time></Trackpoint></Track></Course></Courses>
      </TrainingCenterDatabase>"#;
    assert!(matches!(
        tcx::decode(courses),
        Err(FormatError::NotAnActivity(_))
    ));
    let empty = doc(r#"<Activity Sport="Running"><Id>not a time</Id></Activity>"#);
    assert!(matches!(
        tcx::decode(&empty),
        Err(FormatError::NotAnActivity(_))
    ));
}

#[test]
fn a_lap_without_trackpoints_still_makes_an_activity() {
    // A manually entered activity: one lap, no track.
    let body = r#"<Activity Sport="Running"><Id>2024-03-05T07:00:00Z</Id>
      <Lap StartTime="2024-03-05T07:00:00Z"><TotalTimeSeconds>1800</TotalTimeSeconds>
      <DistanceMeters>5000</DistanceMeters></Lap></Activity>"#;
    let a = tcx::decode(&doc(body)).unwrap().activities.remove(0);
    assert!(a.streams.is_empty());
    assert_eq!(
        (a.elapsed_s, a.timer_s, a.distance_m),
        (1800.0, 1800.0, Some(5000.0))
    );
}
