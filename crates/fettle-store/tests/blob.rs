//! Property tests of the sample blob codec: round trip within the documented precision, NaN
//! holes where they were, empty channels empty, and no panic on damaged bytes.

use fettle_formats::Streams;
use fettle_store::blob::{self, CodecError};
use fettle_store::conformance::synthetic_run;
use proptest::prelude::*;

/// Half a quantisation step per channel, from the table in the `blob` module docs.
const HALF_STEP: [f64; 10] = [
    0.5e-3,      // time_s: 1 ms
    0.5e-7,      // lat_deg: 1e-7 °
    0.5e-7,      // lon_deg
    0.5e-2,      // distance_m: 1 cm
    0.5e-3,      // speed_mps: 1 mm/s
    0.5e-2,      // altitude_m: 1 cm
    0.05,        // heart_rate_bpm: 0.1 bpm
    0.5 / 128.0, // cadence_rpm: 1/128 rpm
    0.05,        // power_w: 0.1 W
    0.05,        // temperature_c: 0.1 °C
];

/// Half of the 1 ms R-R step.
const RR_HALF_STEP: f64 = 0.5;

fn channel64(n: usize, low: f64, high: f64) -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![
        1 => Just(Vec::new()),
        4 => prop::collection::vec(prop_oneof![1 => Just(f64::NAN), 6 => low..high], n),
    ]
}

fn channel32(n: usize, low: f32, high: f32) -> impl Strategy<Value = Vec<f32>> {
    prop_oneof![
        1 => Just(Vec::new()),
        4 => prop::collection::vec(prop_oneof![1 => Just(f32::NAN), 6 => low..high], n),
    ]
}

fn streams() -> impl Strategy<Value = Streams> {
    (0usize..200).prop_flat_map(|n| {
        (
            prop::collection::vec(0.0f64..1e6, n),
            channel64(n, -90.0, 90.0),
            channel64(n, -180.0, 180.0),
            channel64(n, 0.0, 1e6),
            channel32(n, 0.0, 40.0),
            channel32(n, -500.0, 9000.0),
            channel32(n, 0.0, 250.0),
            channel32(n, 0.0, 250.0),
            channel32(n, 0.0, 3000.0),
            channel32(n, -40.0, 60.0),
        )
            .prop_map(
                |(time_s, lat, lon, dist, speed, alt, hr, cad, power, temp)| Streams {
                    time_s,
                    lat_deg: lat,
                    lon_deg: lon,
                    distance_m: dist,
                    speed_mps: speed,
                    altitude_m: alt,
                    heart_rate_bpm: hr,
                    cadence_rpm: cad,
                    power_w: power,
                    temperature_c: temp,
                },
            )
    })
}

fn assert_close<T: Copy + Into<f64>>(name: &str, got: &[T], want: &[T], half_step: f64) {
    assert_eq!(
        got.len(),
        want.len(),
        "{name}: an empty channel stays empty, a full one full"
    );
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let (g, w): (f64, f64) = (g.into(), w.into());
        if w.is_nan() {
            assert!(g.is_nan(), "{name}[{i}]: NaN hole lost ({g})");
        } else {
            // Rounding to the step, plus the f32 rounding of f32 channels on the way back.
            let tolerance = half_step + w.abs() * f64::from(f32::EPSILON);
            assert!((g - w).abs() <= tolerance, "{name}[{i}]: {g} vs {w}");
        }
    }
}

fn assert_round_trip(streams: &Streams, rr: &[f32]) {
    let bytes = blob::encode(streams, rr).expect("consistent streams encode");
    let (got, got_rr) = blob::decode(&bytes).expect("own blob decodes");
    assert_close("time_s", &got.time_s, &streams.time_s, HALF_STEP[0]);
    assert_close("lat_deg", &got.lat_deg, &streams.lat_deg, HALF_STEP[1]);
    assert_close("lon_deg", &got.lon_deg, &streams.lon_deg, HALF_STEP[2]);
    assert_close(
        "distance_m",
        &got.distance_m,
        &streams.distance_m,
        HALF_STEP[3],
    );
    assert_close(
        "speed_mps",
        &got.speed_mps,
        &streams.speed_mps,
        HALF_STEP[4],
    );
    assert_close(
        "altitude_m",
        &got.altitude_m,
        &streams.altitude_m,
        HALF_STEP[5],
    );
    assert_close(
        "heart_rate_bpm",
        &got.heart_rate_bpm,
        &streams.heart_rate_bpm,
        HALF_STEP[6],
    );
    assert_close(
        "cadence_rpm",
        &got.cadence_rpm,
        &streams.cadence_rpm,
        HALF_STEP[7],
    );
    assert_close("power_w", &got.power_w, &streams.power_w, HALF_STEP[8]);
    assert_close(
        "temperature_c",
        &got.temperature_c,
        &streams.temperature_c,
        HALF_STEP[9],
    );
    assert_close("rr_intervals_ms", &got_rr, rr, RR_HALF_STEP);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn round_trip_is_within_precision_and_keeps_nan_holes_and_empty_channels(
        streams in streams(),
        rr in prop::collection::vec(prop_oneof![1 => Just(f32::NAN), 9 => 250.0f32..2000.0], 0..100),
    ) {
        assert_round_trip(&streams, &rr);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = blob::decode(&bytes);
        let mut versioned = vec![blob::BLOB_VERSION];
        versioned.extend_from_slice(&bytes);
        let _ = blob::decode(&versioned);
    }

    #[test]
    fn damaged_blobs_give_errors_not_panics(
        seed in 0u64..1000,
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let run = synthetic_run(jiff::Timestamp::UNIX_EPOCH, 120, seed);
        let good = blob::encode(&run.streams, &[800.0, 810.0]).expect("encode");
        let mut damaged = good.clone();
        for (index, mask) in &flips {
            let i = index.index(damaged.len());
            damaged[i] ^= mask;
        }
        // Whatever comes back, decoding returns instead of panicking.
        let _ = blob::decode(&damaged);
        let _ = blob::decode(&good[..cut.index(good.len())]);
    }
}

#[test]
fn infinities_and_absurd_magnitudes_are_stored_as_missing() {
    let streams = Streams {
        time_s: vec![0.0, 1.0, 2.0],
        distance_m: vec![f64::INFINITY, 1e300, 5.0],
        power_w: vec![f32::NEG_INFINITY, 100.0, f32::NAN],
        ..Streams::default()
    };
    let (got, _) = blob::decode(&blob::encode(&streams, &[]).expect("encode")).expect("decode");
    assert!(got.distance_m[0].is_nan() && got.distance_m[1].is_nan());
    assert_eq!(got.distance_m[2], 5.0);
    assert!(got.power_w[0].is_nan() && got.power_w[2].is_nan());
    assert_eq!(got.power_w[1], 100.0);
}

#[test]
fn all_missing_channel_stays_all_missing() {
    let streams = Streams {
        time_s: vec![0.0, 1.0],
        heart_rate_bpm: vec![f32::NAN, f32::NAN],
        ..Streams::default()
    };
    let (got, _) = blob::decode(&blob::encode(&streams, &[]).expect("encode")).expect("decode");
    assert_eq!(got.heart_rate_bpm.len(), 2);
    assert!(got.heart_rate_bpm.iter().all(|h| h.is_nan()));
}

#[test]
fn a_blob_from_a_newer_codec_is_refused_by_version() {
    let mut bytes = blob::encode(&Streams::default(), &[]).expect("encode");
    bytes[0] = blob::BLOB_VERSION + 1;
    assert_eq!(
        blob::decode(&bytes),
        Err(CodecError::UnknownVersion(blob::BLOB_VERSION + 1))
    );
}

/// A realistic hour of 1 Hz running (time, lat/lon, distance, speed, altitude, HR, cadence)
/// takes a few bytes per sample. Raw, the same 3601 samples are 3 f64 + 5 f32 + 1 f64 time =
/// 52 bytes each; the bound below (≤ 8 bytes/sample) is what makes 10 years of runs fit in tens
/// of megabytes.
#[test]
fn one_hour_run_at_1_hz_is_compact() {
    let run = synthetic_run(jiff::Timestamp::UNIX_EPOCH, 3600, 42);
    let bytes = blob::encode(&run.streams, &[]).expect("encode");
    let per_sample = bytes.len() as f64 / run.streams.len() as f64;
    eprintln!(
        "1 h run at 1 Hz: {} samples, {} bytes, {per_sample:.2} bytes/sample",
        run.streams.len(),
        bytes.len()
    );
    assert!(per_sample <= 8.0, "{per_sample} bytes/sample");
    assert_round_trip(&run.streams, &[]);
}
