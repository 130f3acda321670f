//! Property tests: no input makes the GPX, TCX or format-sniffing entry points panic, and every
//! activity they return keeps the stream invariants (consistent lengths, time not decreasing,
//! timer ≤ elapsed).

use fettle_formats::{Decoded, FormatError, decode_any, gpx, tcx};
use proptest::prelude::*;

const GPX: &str = r#"<?xml version="1.0"?><gpx xmlns:t="x"><metadata><name>M</name></metadata><trk><name>A &amp; B</name><type>Run</type><trkseg>
<trkpt lat="47.1" lon="8.2"><ele>400</ele><time>2024-05-01T10:00:00+02:00</time><extensions><t:TrackPointExtension><t:hr>120</t:hr><t:cad>80</t:cad></t:TrackPointExtension><power>200</power></extensions></trkpt>
<trkpt lat="47.2" lon="8.2"><ele>405</ele><time>2024-05-01T10:00:05+02:00</time><extensions><t:TrackPointExtension><t:hr>125</t:hr></t:TrackPointExtension></extensions></trkpt>
</trkseg><trkseg><trkpt lat="47.3" lon="8.3"><time>2024-05-01T10:01:00+02:00</time></trkpt></trkseg></trk></gpx>"#;

const TCX: &str = r#"<?xml version="1.0"?><TrainingCenterDatabase><Activities><Activity Sport="Running"><Id>2024-05-01T08:00:00Z</Id>
<Lap StartTime="2024-05-01T08:00:00Z"><TotalTimeSeconds>60</TotalTimeSeconds><DistanceMeters>200</DistanceMeters><AverageHeartRateBpm><Value>140</Value></AverageHeartRateBpm>
<Track><Trackpoint><Time>2024-05-01T08:00:00Z</Time><Position><LatitudeDegrees>1</LatitudeDegrees><LongitudeDegrees>2</LongitudeDegrees></Position><HeartRateBpm><Value>130</Value></HeartRateBpm><Extensions><TPX><Speed>3</Speed><RunCadence>88</RunCadence></TPX></Extensions></Trackpoint>
<Trackpoint><Time>2024-05-01T08:01:00Z</Time><DistanceMeters>200</DistanceMeters></Trackpoint></Track></Lap></Activity></Activities></TrainingCenterDatabase>"#;

fn check(result: Result<Decoded, FormatError>) -> Result<(), TestCaseError> {
    if let Ok(decoded) = result {
        prop_assert!(!decoded.activities.is_empty());
        for a in &decoded.activities {
            prop_assert!(a.streams.is_consistent());
            prop_assert!(a.streams.time_s.windows(2).all(|w| w[0] <= w[1]));
            prop_assert!(a.streams.time_s.first().is_none_or(|&t| t >= 0.0));
            prop_assert!(a.timer_s <= a.elapsed_s + 1e-6 || !a.laps.is_empty());
        }
    }
    Ok(())
}

/// `base` with bytes overwritten, inserted or the tail cut, as damaged downloads look.
fn mutated(base: &'static str) -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        any::<usize>(),
        any::<bool>(),
    )
        .prop_map(move |(edits, cut, truncate)| {
            let mut bytes = base.as_bytes().to_vec();
            for (at, value) in edits {
                let at = at % (bytes.len() + 1);
                if value % 2 == 0 {
                    bytes.insert(at, value);
                } else if at < bytes.len() {
                    bytes[at] = value;
                }
            }
            if truncate {
                bytes.truncate(cut % (bytes.len() + 1));
            }
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
        check(gpx::decode(&bytes))?;
        check(tcx::decode(&bytes))?;
        check(decode_any(&bytes))?;
    }

    #[test]
    fn damaged_gpx_never_panics(bytes in mutated(GPX)) {
        check(gpx::decode(&bytes))?;
        check(decode_any(&bytes))?;
    }

    #[test]
    fn damaged_tcx_never_panics(bytes in mutated(TCX)) {
        check(tcx::decode(&bytes))?;
        check(decode_any(&bytes))?;
    }

    #[test]
    fn arbitrary_text_in_values_never_panics(value in "\\PC{0,24}") {
        let escaped = value.replace('&', "&amp;").replace('<', "&lt;");
        let gpx_doc = GPX.replace("120", &escaped).replace("2024-05-01T10:00:05+02:00", &escaped);
        check(gpx::decode(gpx_doc.as_bytes()))?;
        let tcx_doc = TCX.replace("130", &escaped).replace("2024-05-01T08:01:00Z", &escaped);
        check(tcx::decode(tcx_doc.as_bytes()))?;
    }
}

#[test]
fn the_property_bases_decode() {
    let g = gpx::decode(GPX.as_bytes()).unwrap();
    assert_eq!(g.activities[0].streams.len(), 3);
    let t = tcx::decode(TCX.as_bytes()).unwrap();
    assert_eq!(t.activities[0].streams.len(), 2);
}
