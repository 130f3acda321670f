//! Loads of a real run from the repository's test corpus, checked against an independent Python
//! implementation of the same definitions.
//!
//! The input is python-fitparse's record oracle for `compressed-speed-distance.fit` (a 65-min
//! run, 754 records every ~5 s, HR, speed and distance, no altitude), read with std only so the
//! core needs no decoder. The expected numbers came from a throwaway Python script that reads the
//! same CSV and applies docs/science.md directly: segments of ≤ 30 s carry the HR of their start
//! and the speed of their end; TRIMP Σ Δt/60·x·0.64·e^(1.92x) with HRrest 50, HRmax 190;
//! Edwards Σ Δt/60·zone; hrTSS = TRIMP / (60·x_L·0.64·e^(1.92x_L)) · 100 with LTHR 170;
//! NGP with a trailing 30 s window (segments dropped from the front while the rest still spans
//! 30 s), 4th-power mean; rTSS = h·(NGP/4)²·100. It printed: moving 3760 s, TRIMP 188.8967,
//! Edwards 279.3333, hrTSS 110.6917, NGP 3.14871 m/s, mean speed 2.72291 m/s, rTSS 64.7190.

use fettle_core::load::pace::normalized_graded_pace;
use fettle_core::load::{
    Calibration, LoadMethod, SessionInput, Sex, Thresholds, method_loads, session_loads,
};

/// The record oracle in the repository's test corpus.
fn csv_path() -> std::path::PathBuf {
    fettle_testdata::corpus("fit/compressed-speed-distance-records.csv")
}

struct Columns {
    time: Vec<f64>,
    hr: Vec<f32>,
    speed: Vec<f32>,
    dist: Vec<f64>,
}

fn read_columns() -> Columns {
    let text = std::fs::read_to_string(csv_path()).expect("the corpus file is readable");
    let mut c = Columns {
        time: Vec::new(),
        hr: Vec::new(),
        speed: Vec::new(),
        dist: Vec::new(),
    };
    let num = |s: &str| s.trim().parse::<f64>().unwrap_or(f64::NAN);
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        c.time.push(num(f[0]));
        c.hr.push(num(f[1]) as f32);
        c.speed.push(num(f[2]) as f32);
        c.dist.push(num(f[3]));
    }
    let t0 = c.time[0];
    c.time.iter_mut().for_each(|t| *t -= t0);
    c
}

fn thresholds() -> Thresholds {
    Thresholds {
        sex: Some(Sex::Male),
        hr_max: Some(190.0),
        hr_rest: Some(50.0),
        lthr: Some(170.0),
        threshold_speed_mps: Some(4.0),
    }
}

#[test]
fn real_run_loads_match_an_independent_implementation() {
    let c = read_columns();
    let input = SessionInput {
        sport_is_running: true,
        time_s: &c.time,
        heart_rate_bpm: &c.hr,
        speed_mps: &c.speed,
        distance_m: &c.dist,
        ..SessionInput::default()
    };
    let loads = method_loads(&input, &thresholds());
    assert!((loads.duration_s - 3760.0).abs() < 1e-9, "{loads:?}");
    assert!((loads.trimp.unwrap() - 188.8967).abs() < 1e-3, "{loads:?}");
    assert!(
        (loads.edwards.unwrap() - 279.3333).abs() < 1e-3,
        "{loads:?}"
    );
    assert!((loads.hrtss.unwrap() - 110.6917).abs() < 1e-3, "{loads:?}");
    assert!((loads.rtss.unwrap() - 64.7190).abs() < 1e-3, "{loads:?}");
    let ngp = normalized_graded_pace(&input).unwrap();
    assert!((ngp.ngp_mps - 3.14871).abs() < 1e-4, "{ngp:?}");
    assert!((ngp.mean_speed_mps - 2.72291).abs() < 1e-4, "{ngp:?}");
    let out = session_loads(&input, &thresholds(), &Calibration::default());
    assert_eq!(out.load_method, LoadMethod::Hrtss);
    assert_eq!(out.load, loads.hrtss.unwrap());
}

#[test]
fn real_run_without_its_strap_falls_back_to_pace() {
    let c = read_columns();
    let input = SessionInput {
        sport_is_running: true,
        time_s: &c.time,
        speed_mps: &c.speed,
        distance_m: &c.dist,
        ..SessionInput::default()
    };
    let out = session_loads(&input, &thresholds(), &Calibration::default());
    assert_eq!(out.load_method, LoadMethod::Rtss);
    assert_eq!(out.loads.trimp, None);
    assert!((out.load - 64.7190).abs() < 1e-3, "{out:?}");
}
