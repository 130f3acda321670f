//! FIT decoding speed: Fettle's decoder against `fitparser` on the same bytes in the same run.
//!
//! Decodes every corpus activity file that both decoders read, several times each way, and
//! prints the median throughput of each (MB/s, one thread), their ratio, and the speed of
//! Fettle's encoder on the decoded activities. Run with
//! `CARGO_TARGET_DIR=/work/targets/fit cargo bench -p fettle-formats --bench fit_decode`;
//! `FIT_BENCH_ROUNDS` sets the number of Fettle rounds (default 50; fitparser runs one round
//! after every fifth, because it is so much slower). `FIT_BENCH_ONLY_FETTLE=1` skips fitparser and the
//! encoder, for profiling Fettle's decoder alone.

use std::hint::black_box;
use std::time::Instant;

#[path = "../tests/support/mod.rs"]
mod support;

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Megabytes per second of one pass of `decode` over all files.
fn one_pass(files: &[Vec<u8>], bytes: usize, decode: &mut impl FnMut(&[u8])) -> f64 {
    let started = Instant::now();
    for f in files {
        decode(black_box(f));
    }
    bytes as f64 / 1e6 / started.elapsed().as_secs_f64()
}

fn main() {
    let rounds: usize = std::env::var("FIT_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let paths = support::corpus_files();
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for path in paths {
        let bytes = std::fs::read(&path).expect("corpus file readable");
        let ours = fettle_formats::fit::decode(&bytes);
        let theirs = fitparser::from_bytes(&bytes);
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        match (ours, theirs) {
            (Ok(_), Ok(_)) => files.push(bytes),
            _ => skipped.push(name),
        }
    }
    let total: usize = files.iter().map(Vec::len).sum();
    println!(
        "{} activity files, {:.2} MB (skipped, not an activity or rejected by fitparser: {})",
        files.len(),
        total as f64 / 1e6,
        skipped.len()
    );

    // Warm up both (page cache, allocator, branch predictors).
    for f in &files {
        black_box(fettle_formats::fit::decode(f).ok());
        black_box(fitparser::from_bytes(f).ok());
    }
    // The machine is shared and its load drifts, so the two decoders take turns: one fitparser
    // pass after every five Fettle passes, and each side reports its median.
    let only_fettle = std::env::var_os("FIT_BENCH_ONLY_FETTLE").is_some();
    let mut fettle_decode = |b: &[u8]| {
        black_box(fettle_formats::fit::decode(b).ok());
    };
    let mut fitparser_decode = |b: &[u8]| {
        black_box(fitparser::from_bytes(b).ok());
    };
    let mut fettle_rates = Vec::with_capacity(rounds);
    let mut fitparser_rates = Vec::new();
    for round in 0..rounds {
        fettle_rates.push(one_pass(&files, total, &mut fettle_decode));
        if !only_fettle && round % 5 == 0 {
            fitparser_rates.push(one_pass(&files, total, &mut fitparser_decode));
        }
    }
    let fettle = median(&mut fettle_rates);
    if only_fettle {
        println!("fettle    decode: {fettle:8.1} MB/s (median of {rounds} rounds)");
        return;
    }
    let fitparser_rounds = fitparser_rates.len();
    let fitparser = median(&mut fitparser_rates);
    println!("fettle    decode: {fettle:8.1} MB/s (median of {rounds} rounds)");
    println!("fitparser decode: {fitparser:8.1} MB/s (median of {fitparser_rounds} rounds)");
    println!("ratio:            {:8.1}x", fettle / fitparser);

    // Encoder: write every decoded activity back to FIT.
    let activities: Vec<Vec<fettle_formats::Activity>> = files
        .iter()
        .map(|f| {
            fettle_formats::fit::decode(f)
                .map(|d| d.activities)
                .unwrap_or_default()
        })
        .collect();
    let mut encoded_bytes = 0usize;
    let mut rates = Vec::new();
    for _ in 0..rounds.max(3) {
        let started = Instant::now();
        encoded_bytes = 0;
        for set in &activities {
            encoded_bytes += black_box(fettle_formats::fit::encode_activities(set)).len();
        }
        rates.push(encoded_bytes as f64 / 1e6 / started.elapsed().as_secs_f64());
    }
    println!(
        "fettle    encode: {:8.1} MB/s of FIT written ({:.2} MB per round)",
        median(&mut rates),
        encoded_bytes as f64 / 1e6
    );
}
