//! `decode_any`: recognising GPX, TCX, gzip and FIT by content, and explaining anything else.

mod support;

use std::io::Write;

use fettle_formats::{FormatError, decode_any};
use support::corpus;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn unrecognised(result: Result<fettle_formats::Decoded, FormatError>) -> String {
    match result {
        Err(FormatError::Unrecognised(message)) => message,
        other => panic!("expected Unrecognised, got {other:?}"),
    }
}

#[test]
fn gpx_and_tcx_are_recognised_by_root_element_not_name() {
    let gpx = std::fs::read(corpus("gpx/garmin-activity.gpx")).unwrap();
    assert_eq!(decode_any(&gpx).unwrap().activities[0].streams.len(), 988);
    let tcx = std::fs::read(corpus("tcx/20210119_run_garmin_fenix6.tcx")).unwrap();
    assert_eq!(decode_any(&tcx).unwrap().activities[0].streams.len(), 1232);
}

#[test]
fn gzip_is_decompressed_then_recognised() {
    let tcx = std::fs::read(corpus("tcx/20210119_run_garmin_fenix6.tcx")).unwrap();
    // Strava's .tcx.gz files may start with whitespace before <?xml.
    let mut padded = b"   \n".to_vec();
    padded.extend(&tcx);
    let decoded = decode_any(&gzip(&padded)).unwrap();
    assert_eq!(decoded.activities[0].streams.len(), 1232);
    // Only one layer: gzip inside gzip is refused with a reason.
    let message = unrecognised(decode_any(&gzip(&gzip(&tcx))));
    assert!(message.contains("gzip inside gzip"), "{message}");
}

#[test]
fn a_gzip_bomb_is_stopped() {
    // 8 MiB of zeros compress ~1000:1; the ratio cap (100:1 past the first MiB) stops it.
    let bomb = gzip(&vec![0u8; 8 << 20]);
    let message = unrecognised(decode_any(&bomb));
    assert!(message.contains("ratio"), "{message}");
}

#[test]
fn route_files_are_not_activities_through_decode_any_too() {
    let route = std::fs::read(corpus("gpx/strava_route_example.gpx")).unwrap();
    assert!(matches!(
        decode_any(&route),
        Err(FormatError::NotAnActivity(_))
    ));
}

#[test]
fn fit_files_go_to_the_fit_decoder() {
    // A 14-byte FIT header with no records: whatever the FIT decoder says, it is not the
    // "not FIT, GPX, TCX" message that unrecognised bytes get.
    let header = [14u8, 0x20, 0, 0, 0, 0, 0, 0, b'.', b'F', b'I', b'T', 0, 0];
    if let Err(FormatError::Unrecognised(message)) = decode_any(&header) {
        assert!(!message.contains("not FIT, GPX, TCX"), "{message}");
    }
}

#[test]
fn unknown_content_gets_a_helpful_message() {
    assert!(unrecognised(decode_any(b"")).contains("empty"));
    assert!(unrecognised(decode_any(b"PK\x03\x04rest of a zip")).contains("zip archive"));
    assert!(unrecognised(decode_any(b"  {\"activities\": []}")).contains("JSON"));
    let other_xml = unrecognised(decode_any(b"<?xml version=\"1.0\"?><kml><Document/></kml>"));
    assert!(other_xml.contains("<kml>"), "{other_xml}");
    let binary = unrecognised(decode_any(&[1, 2, 3, 4, 5]));
    assert!(binary.contains("first bytes: 01 02 03 04 05"), "{binary}");
}
