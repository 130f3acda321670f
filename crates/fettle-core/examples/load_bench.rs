//! Micro-benchmark of the load science on a ten-year history: every session's loads recomputed
//! (what a profile change triggers), the calibration fit, the daily series and `status`.
//!
//! Run with `cargo run --release -p fettle-core --example load_bench`. Prints the median of
//! five runs of each step. The sessions are synthetic 1 Hz runs (HR, speed, altitude,
//! distance) of 30–90 minutes; ten distinct sessions are generated and reused so that memory
//! stays small while every load computation still reads a full stream.

use std::time::{Duration, Instant};

use fettle_core::load::{Calibration, MethodLoads, SessionInput, Sex, Thresholds, method_loads};
use fettle_core::model::best_efforts;
use fettle_core::profile::effort_features;
use fettle_core::series::{DayTotals, SeriesParams, daily_series, status_on};
use jiff::civil::{Date, date};

const SESSIONS: usize = 4000;
const DAYS: usize = 3650;
const RUNS: usize = 5;

struct Session {
    time: Vec<f64>,
    hr: Vec<f32>,
    speed: Vec<f32>,
    alt: Vec<f32>,
    dist: Vec<f64>,
}

/// A run of `minutes` with 3-minute surges, a rolling hill and HR following effort.
fn session(minutes: usize, seed: usize) -> Session {
    let n = minutes * 60 + 1;
    let mut s = Session {
        time: Vec::with_capacity(n),
        hr: Vec::with_capacity(n),
        speed: Vec::with_capacity(n),
        alt: Vec::with_capacity(n),
        dist: Vec::with_capacity(n),
    };
    let mut d = 0.0;
    for t in 0..n {
        let surge = (t / 180 + seed).is_multiple_of(4);
        let v = if surge { 4.6 } else { 3.4 } + 0.1 * ((t as f64) / 37.0).sin();
        d += v;
        s.time.push(t as f64);
        s.speed.push(v as f32);
        s.dist.push(d);
        s.alt.push((50.0 + 20.0 * (d / 800.0).sin()) as f32);
        // FIT records HR as whole beats per minute.
        s.hr.push(
            (if surge { 172.0 } else { 148.0 } + 3.0 * ((t as f64) / 23.0).sin()).round() as f32,
        );
    }
    s
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time_it(label: &str, mut f: impl FnMut()) {
    let samples = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    println!("{label:<58} {:>10.2?}", median(samples));
}

fn day(offset: usize) -> Date {
    date(2016, 1, 1)
        .checked_add(jiff::Span::new().days(offset as i64))
        .expect("within jiff's range")
}

fn main() {
    let sessions: Vec<Session> = (0..10).map(|i| session(30 + 6 * i, i)).collect();
    let th = Thresholds {
        sex: Some(Sex::Female),
        hr_max: Some(190.0),
        hr_rest: Some(48.0),
        lthr: Some(172.0),
        threshold_speed_mps: Some(4.2),
    };
    let samples: usize = (0..SESSIONS).map(|i| sessions[i % 10].time.len()).sum();
    println!("{SESSIONS} sessions, {samples} samples in all; {DAYS} days");

    let mut all_loads: Vec<MethodLoads> = Vec::new();
    time_it("method_loads for every session (profile change)", || {
        all_loads = (0..SESSIONS)
            .map(|i| {
                let s = &sessions[i % 10];
                let input = SessionInput {
                    sport_is_running: true,
                    timer_s: s.time.len() as f64 - 1.0,
                    elapsed_s: s.time.len() as f64 - 1.0,
                    time_s: &s.time,
                    heart_rate_bpm: &s.hr,
                    speed_mps: &s.speed,
                    altitude_m: &s.alt,
                    distance_m: &s.dist,
                    rpe: None,
                };
                method_loads(&input, &th)
            })
            .collect();
    });
    let mut calibration = Calibration::default();
    time_it("Calibration::fit + primary load for every session", || {
        calibration = Calibration::fit(&all_loads);
        let total: f64 = all_loads.iter().map(|l| calibration.primary(l).load).sum();
        assert!(total > 0.0);
    });
    time_it(
        "effort_features + best_efforts for every session (import)",
        || {
            for i in 0..SESSIONS {
                let s = &sessions[i % 10];
                let input = SessionInput {
                    sport_is_running: true,
                    time_s: &s.time,
                    heart_rate_bpm: &s.hr,
                    speed_mps: &s.speed,
                    distance_m: &s.dist,
                    ..SessionInput::default()
                };
                let f = effort_features(&input);
                assert!(f.peak_hr.is_some());
                assert!(!best_efforts(&s.time, &s.dist, day(0)).is_empty());
            }
        },
    );

    let days: Vec<DayTotals> = (0..DAYS)
        .filter(|d| d % 9 != 1)
        .map(|d| DayTotals {
            date: day(d),
            load: all_loads[d % SESSIONS].hrtss.unwrap_or(0.0),
            distance_m: 12_000.0,
            duration_s: 3600.0,
        })
        .collect();
    let end = day(DAYS - 1);
    let params = SeriesParams::default();
    time_it("daily_series over ten years", || {
        assert_eq!(daily_series(&days, end, &params).len(), DAYS);
    });
    time_it("status_on (series + flags + closed forms)", || {
        assert_eq!(status_on(&days, end, &params).history_days, DAYS);
    });
    println!(
        "rTSS factor {:.3} ({})",
        calibration.rtss.value, calibration.rtss.derivation
    );
}
