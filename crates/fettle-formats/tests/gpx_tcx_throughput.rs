//! Throughput of the GPX and TCX readers on the corpus files. Ignored by default; run with
//! `cargo test --release -p fettle-formats --test gpx_tcx_throughput -- --ignored --nocapture`.

mod support;

use std::time::{Duration, Instant};

use fettle_formats::decode_any;
use support::corpus;

#[test]
#[ignore = "a measurement, not a check: run in release with --ignored --nocapture"]
fn report_megabytes_per_second() {
    for file in [
        "gpx/garmin-activity.gpx",
        "gpx/garmin_with_extensions.gpx",
        "tcx/20210119_run_garmin_fenix6.tcx",
        "tcx/20210308_virtual_ride_with_power.tcx",
        "tcx/20210323_yoga.tcx",
    ] {
        let bytes = std::fs::read(corpus(file)).unwrap();
        // Median of 31 runs of enough repetitions to last ~20 ms each.
        let mut samples: Vec<Duration> = (0..31)
            .map(|_| {
                let start = Instant::now();
                for _ in 0..20 {
                    std::hint::black_box(decode_any(std::hint::black_box(&bytes)).unwrap());
                }
                start.elapsed() / 20
            })
            .collect();
        samples.sort();
        let median = samples[samples.len() / 2];
        let mb_per_s = bytes.len() as f64 / 1e6 / median.as_secs_f64();
        println!(
            "{file}: {} bytes, {median:?} per decode, {mb_per_s:.0} MB/s",
            bytes.len()
        );
    }
}
