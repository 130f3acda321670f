//! Property tests: the FIT decoder never panics, whatever the bytes, and what it returns keeps
//! the `Streams` invariants; the encoder's output always decodes back.

mod support;

use fettle_formats::fit;
use fettle_formats::{Activity, Sport};
use proptest::prelude::*;
use support::corpus_files;

/// The small corpus activity files (mutating the large ones costs time without adding cases).
fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(|| {
        corpus_files()
            .into_iter()
            .map(|p| std::fs::read(p).unwrap())
            .filter(|b| b.len() < 150_000)
            .collect()
    })
}

/// Decodes and checks the invariants of whatever came out.
fn decode_checked(bytes: &[u8]) {
    if let Ok(decoded) = fit::decode(bytes) {
        for a in &decoded.activities {
            assert!(a.streams.is_consistent());
            assert!(a.streams.time_s.windows(2).all(|w| w[0] <= w[1]));
            assert!(a.elapsed_s.is_finite() && a.elapsed_s >= 0.0);
        }
    }
}

/// A valid FIT header in front of arbitrary bytes, so the fuzzing reaches the message parser.
fn with_header(body: &[u8]) -> Vec<u8> {
    let mut bytes = vec![14, 0x20, 0x5C, 0x08];
    bytes.extend_from_slice(&(body.len() as u32).to_le_bytes());
    bytes.extend_from_slice(b".FIT");
    bytes.extend_from_slice(&[0, 0]);
    bytes.extend_from_slice(body);
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        decode_checked(&bytes);
        decode_checked(&with_header(&bytes));
    }

    #[test]
    fn mutated_and_truncated_corpus_files_never_panic(
        seed in any::<prop::sample::Index>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        cut in any::<prop::sample::Index>(),
    ) {
        let seeds = seeds();
        let mut bytes = seed.get(seeds).clone();
        for (at, value) in &flips {
            let i = at.index(bytes.len());
            bytes[i] = *value;
        }
        decode_checked(&bytes);
        let end = cut.index(bytes.len() + 1);
        decode_checked(&bytes[..end]);
    }

    #[test]
    fn encoded_activities_decode_back_with_their_samples(
        heart_rates in proptest::collection::vec(prop::option::of(40u8..220), 1..200),
        offset in -12i32 * 3600..14 * 3600,
    ) {
        let start = jiff::Timestamp::from_second(1_700_000_000).unwrap();
        let mut a = Activity::new(start, Sport::Running);
        a.elapsed_s = heart_rates.len() as f64;
        a.timer_s = a.elapsed_s;
        a.utc_offset_s = Some(offset);
        a.streams.time_s = (0..heart_rates.len()).map(|i| i as f64).collect();
        a.streams.heart_rate_bpm =
            heart_rates.iter().map(|h| h.map_or(f32::NAN, f32::from)).collect();
        let decoded = fit::decode(&fit::encode_activity(&a)).unwrap();
        prop_assert!(decoded.warnings.is_empty());
        let b = &decoded.activities[0];
        prop_assert_eq!(&b.streams.time_s, &a.streams.time_s);
        prop_assert_eq!(b.utc_offset_s, Some(offset));
        if heart_rates.iter().any(Option::is_some) {
            for (x, y) in b.streams.heart_rate_bpm.iter().zip(&a.streams.heart_rate_bpm) {
                prop_assert!(x == y || (x.is_nan() && y.is_nan()));
            }
        } else {
            prop_assert!(b.streams.heart_rate_bpm.is_empty());
        }
    }
}
