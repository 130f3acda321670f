//! TCX reader against the repository's test corpus, with figures cross-checked independently.
//!
//! Expected values come from a throwaway Python script (xml.etree, not our code) that, per
//! `<Activity>`, collects every `Trackpoint` and counts the `Value` (heart rate), `RunCadence`,
//! `Cadence`, `Watts` and `Speed` children by local name, takes their mean/max, first and last
//! `Time`, and ascent/descent with the documented method (altitudes cast to f32, 5-sample
//! centred moving average, 2 m hysteresis). Lap figures are read off the file by eye.

mod support;

use fettle_formats::{FormatError, Sport, tcx};
use support::{close, corpus};

fn decode(relative: &str) -> Result<fettle_formats::Decoded, FormatError> {
    tcx::decode(&std::fs::read(corpus(relative)).expect("corpus file"))
}

#[test]
fn fenix6_run_keeps_heart_rate_and_run_cadence() {
    let decoded = decode("tcx/20210119_run_garmin_fenix6.tcx").unwrap();
    assert!(decoded.warnings.is_empty(), "{:?}", decoded.warnings);
    assert_eq!(decoded.activities.len(), 1);
    let a = &decoded.activities[0];
    let s = &a.streams;
    assert!(s.is_consistent());
    // Python: 1232 trackpoints, each with HR, ns3:RunCadence and ns3:Speed.
    assert_eq!(s.len(), 1232);
    for channel in [&s.heart_rate_bpm, &s.cadence_rpm, &s.speed_mps] {
        assert_eq!(channel.iter().filter(|v| v.is_finite()).count(), 1232);
    }
    assert_eq!(s.heart_rate_bpm[0], 55.0); // first trackpoint, by eye
    // Python: max speed sample 4.7769999504089355 (= the lap's MaximumSpeed).
    let max_speed = s.speed_mps.iter().copied().fold(0.0f32, f32::max);
    assert_eq!(f64::from(max_speed), f64::from(4.777f32));
    assert_eq!(a.sport, Sport::Running);
    assert_eq!(a.device.as_deref(), Some("fenix 6 Sapphire"));
    assert_eq!(a.start.to_string(), "2021-01-19T23:30:50Z");
    // Python: last − first trackpoint = 1231 s.
    assert_eq!(a.elapsed_s, 1231.0);
    // The file's lap figures win over the streams (stream HR mean is 156.897 per Python).
    assert_eq!(a.timer_s, 1230.479);
    assert_eq!(a.distance_m, Some(5124.84));
    assert_eq!(a.avg_hr, Some(157.0));
    assert_eq!(a.max_hr, Some(189.0));
    assert_eq!(a.avg_cadence, Some(91.0)); // LX AvgRunCadence
    assert!(close(a.ascent_m.unwrap(), 41.399_999_279, 1e-6));
    assert!(close(a.descent_m.unwrap(), 46.519_999_673, 1e-6));
    // The stream distance is the file's own trackpoint DistanceMeters (last one 5124.83984375).
    assert_eq!(*s.distance_m.last().unwrap(), 5124.83984375);

    assert_eq!(a.laps.len(), 1);
    let lap = &a.laps[0];
    assert_eq!(lap.start, a.start);
    assert_eq!(lap.timer_s, 1230.479);
    assert_eq!(lap.distance_m, Some(5124.84));
    assert_eq!((lap.avg_hr, lap.max_hr), (Some(157.0), Some(189.0)));
    assert_eq!(lap.avg_speed_mps, Some(4.164999961853027)); // LX AvgSpeed
    assert_eq!(lap.avg_cadence, Some(91.0));
}

#[test]
fn virtual_ride_reads_watts_and_bike_cadence() {
    let a = &decode("tcx/20210308_virtual_ride_with_power.tcx")
        .unwrap()
        .activities[0];
    assert_eq!(a.sport, Sport::Cycling); // Sport="Biking"
    // Python: 1434 trackpoints, each with Watts (mean 209.598…) and Cadence.
    assert_eq!(a.streams.len(), 1434);
    assert_eq!(
        a.streams.power_w.iter().filter(|v| v.is_finite()).count(),
        1434
    );
    assert_eq!(
        a.streams
            .cadence_rpm
            .iter()
            .filter(|v| v.is_finite())
            .count(),
        1434
    );
    assert_eq!(a.streams.power_w[0], 216.0); // first trackpoint, by eye
    // Lap figures from the file: AvgWatts 210, lap Cadence 108, 1434.0 s, 16189.83 m.
    assert_eq!(a.avg_power_w, Some(210.0));
    assert_eq!(a.avg_cadence, Some(108.0));
    assert_eq!(a.timer_s, 1434.0);
    assert_eq!(a.distance_m, Some(16189.83));
    // Id 21:32:20, first trackpoint 21:32:21, Python: last − first = 1433 s → 1434 s.
    assert_eq!(a.start.to_string(), "2021-03-08T21:32:20Z");
    assert_eq!(a.streams.time_s[0], 1.0);
    assert_eq!(a.elapsed_s, 1434.0);
    assert!(close(a.ascent_m.unwrap(), 53.4, 1e-6)); // Python: 53.400000000000034
}

#[test]
fn yoga_without_positions_is_generic_with_heart_rate_only() {
    let a = &decode("tcx/20210323_yoga.tcx").unwrap().activities[0];
    assert_eq!(a.sport, Sport::Generic); // Sport="Other" is TCX's generic value
    assert_eq!(a.streams.len(), 1170); // Python
    assert!(a.streams.lat_deg.is_empty() && a.streams.altitude_m.is_empty());
    assert_eq!(a.streams.heart_rate_bpm.len(), 1170);
    assert_eq!((a.avg_hr, a.max_hr), (Some(69.0), Some(93.0))); // lap values
    assert_eq!(a.timer_s, 1169.25);
    assert_eq!((a.ascent_m, a.descent_m), (None, None));
}
