//! Golden examples (hand-computed in the comments) and properties of the load methods.

use super::calibration::{DEFAULT_DURATION_POINTS_PER_HOUR, DEFAULT_SRPE_POINTS_PER_AU};
use super::pace::{grade_adjustment, minetti_cost, normalized_graded_pace};
use super::*;
use proptest::prelude::*;

/// Owned streams for building sessions in tests.
#[derive(Default)]
struct Streams {
    time: Vec<f64>,
    hr: Vec<f32>,
    speed: Vec<f32>,
    alt: Vec<f32>,
    dist: Vec<f64>,
}

impl Streams {
    /// `seconds` of 1 Hz samples (seconds + 1 samples) at a constant HR.
    fn constant_hr(seconds: usize, hr: f32) -> Streams {
        Streams {
            time: (0..=seconds).map(|t| t as f64).collect(),
            hr: vec![hr; seconds + 1],
            ..Streams::default()
        }
    }

    /// `seconds` of 1 Hz running at a constant speed on a constant grade.
    fn constant_run(seconds: usize, speed: f32, grade: f64) -> Streams {
        let time: Vec<f64> = (0..=seconds).map(|t| t as f64).collect();
        let dist: Vec<f64> = time.iter().map(|t| t * f64::from(speed)).collect();
        Streams {
            alt: dist.iter().map(|d| (100.0 + d * grade) as f32).collect(),
            speed: vec![speed; seconds + 1],
            dist,
            time,
            ..Streams::default()
        }
    }

    fn input(&self, running: bool) -> SessionInput<'_> {
        SessionInput {
            sport_is_running: running,
            timer_s: 0.0,
            elapsed_s: 0.0,
            time_s: &self.time,
            heart_rate_bpm: &self.hr,
            speed_mps: &self.speed,
            altitude_m: &self.alt,
            distance_m: &self.dist,
            rpe: None,
        }
    }
}

fn male() -> Thresholds {
    Thresholds {
        sex: Some(Sex::Male),
        hr_max: Some(190.0),
        hr_rest: Some(50.0),
        lthr: Some(170.0),
        threshold_speed_mps: Some(4.0),
    }
}

#[test]
fn banister_trimp_of_an_hour_at_150_bpm_for_a_man() {
    // x = (150 − 50)/(190 − 50) = 0.714286; e^(1.92·0.714286) = e^1.371429 = 3.94099;
    // TRIMP = 60 · 0.714286 · 0.64 · 3.94099 = 108.095.
    let s = Streams::constant_hr(3600, 150.0);
    let loads = method_loads(&s.input(false), &male());
    assert!((loads.trimp.unwrap() - 108.095).abs() < 0.01, "{loads:?}");
}

#[test]
fn banister_trimp_uses_the_female_constants_0_86_and_1_67() {
    // x = 0.714286; e^(1.67·0.714286) = e^1.192857 = 3.29631;
    // TRIMP = 60 · 0.714286 · 0.86 · 3.29631 = 121.499 (with a = 0.64 it would be 90.4).
    let s = Streams::constant_hr(3600, 150.0);
    let th = Thresholds {
        sex: Some(Sex::Female),
        ..male()
    };
    let loads = method_loads(&s.input(false), &th);
    assert!((loads.trimp.unwrap() - 121.499).abs() < 0.01, "{loads:?}");
    assert_eq!(BANISTER_FEMALE, (0.86, 1.67));
}

#[test]
fn edwards_counts_minutes_in_zone_times_weight() {
    // 150/190 = 78.9 % HRmax → zone 70–80 % (weight 3): 60 min · 3 = 180.
    let s = Streams::constant_hr(3600, 150.0);
    let loads = method_loads(&s.input(false), &male());
    assert!((loads.edwards.unwrap() - 180.0).abs() < 1e-9);
    // Zone edges: 95 bpm = 50 % → weight 1; 190 = 100 % → 5; 200 > HRmax → 5; 90 → 0.
    assert_eq!(edwards_weight(95.0 / 190.0), 1.0);
    assert_eq!(edwards_weight(1.0), 5.0);
    assert_eq!(edwards_weight(200.0 / 190.0), 5.0);
    assert_eq!(edwards_weight(90.0 / 190.0), 0.0);
}

#[test]
fn hrtss_is_100_for_an_hour_at_lthr_and_scales_trimp() {
    let at_lthr = Streams::constant_hr(3600, 170.0);
    let loads = method_loads(&at_lthr.input(false), &male());
    assert!((loads.hrtss.unwrap() - 100.0).abs() < 1e-6);
    // An hour at 150: TRIMP 108.095; an hour at LTHR 170: x = 120/140 = 0.857143,
    // 60 · 0.857143 · 0.64 · e^(1.645714) = 60 · 0.548571 · 5.18451 = 170.651;
    // hrTSS = 108.095 / 170.651 · 100 = 63.343.
    let easy = Streams::constant_hr(3600, 150.0);
    let loads = method_loads(&easy.input(false), &male());
    assert!((loads.hrtss.unwrap() - 63.343).abs() < 0.01, "{loads:?}");
}

#[test]
fn session_rpe_is_rating_times_minutes_and_maps_by_default_factor() {
    // RPE 6 × 45 min = 270 AU; default mapping 100/(7·60) → 270 · 0.238095 = 64.286 points.
    let input = SessionInput {
        timer_s: 45.0 * 60.0,
        rpe: Some(6.0),
        ..SessionInput::default()
    };
    let out = session_loads(&input, &male(), &Calibration::default());
    assert!((out.loads.srpe.unwrap() - 270.0).abs() < 1e-9);
    assert_eq!(out.load_method, LoadMethod::Srpe);
    assert!((out.load - 64.286).abs() < 0.001, "{out:?}");
    assert!((DEFAULT_SRPE_POINTS_PER_AU - 0.238095).abs() < 1e-6);
}

#[test]
fn minetti_cost_matches_the_polynomial_by_hand() {
    // C(0) = 3.6. C(0.05) = 155.4·3.125e-7 − 30.4·6.25e-6 − 43.3·1.25e-4 + 46.3·0.0025
    // + 19.5·0.05 + 3.6 = 4.685196. C(−0.1) = −0.001554 − 0.00304 + 0.0433 + 0.463 − 1.95 + 3.6
    // = 2.151706. Grades beyond ±0.45 are clamped: C(0.6) = C(0.45) = 19.426015.
    assert!((minetti_cost(0.0) - 3.6).abs() < 1e-12);
    assert!((minetti_cost(0.05) - 4.685196).abs() < 1e-6);
    assert!((minetti_cost(-0.1) - 2.151706).abs() < 1e-6);
    assert!((minetti_cost(0.6) - 19.426015).abs() < 1e-6);
    assert!((grade_adjustment(0.05) - 1.301443).abs() < 1e-6);
}

#[test]
fn rtss_is_100_for_an_hour_at_threshold_speed_on_the_flat() {
    let s = Streams::constant_run(3600, 4.0, 0.0);
    let loads = method_loads(&s.input(true), &male());
    assert!((loads.rtss.unwrap() - 100.0).abs() < 1e-6, "{loads:?}");
    // Threshold 5 m/s: IF = 0.8 → 1 h · 0.64 · 100 = 64.
    let th = Thresholds {
        threshold_speed_mps: Some(5.0),
        ..male()
    };
    assert!((method_loads(&s.input(true), &th).rtss.unwrap() - 64.0).abs() < 1e-6);
}

#[test]
fn rtss_weights_an_uphill_run_by_minettis_cost() {
    // 5 % grade at threshold speed: IF = C(0.05)/C(0) = 1.301443; rTSS = 100 · 1.301443²
    // = 169.375. The first 20 m (5 s) have no grade baseline and the altitude smoothing is
    // one-sided for 15 s at each end, so allow about 1 %.
    let s = Streams::constant_run(3600, 4.0, 0.05);
    let rtss = method_loads(&s.input(true), &male()).rtss.unwrap();
    assert!((rtss - 169.375).abs() < 1.5, "{rtss}");
}

#[test]
fn treadmill_run_without_altitude_counts_as_flat() {
    let mut s = Streams::constant_run(1800, 4.0, 0.0);
    s.alt.clear();
    s.dist.clear();
    // 30 min at threshold, speed only: 0.5 h · 1² · 100 = 50.
    let rtss = method_loads(&s.input(true), &male()).rtss.unwrap();
    assert!((rtss - 50.0).abs() < 1e-6, "{rtss}");
}

#[test]
fn intervals_are_weighted_above_their_average_pace() {
    // Alternating 2 min at 5 m/s and 2 min at 3 m/s for an hour: average 4 m/s, but the
    // 4th-power mean of the plateaus is ((5⁴ + 3⁴)/2)^¼ = 4.3345; the 30 s rolling mean softens
    // the transitions, so NGP lies between 4.2 and 4.3345.
    let time: Vec<f64> = (0..=3600).map(f64::from).collect();
    let speed: Vec<f32> = (0..=3600)
        .map(|t| if (t / 120) % 2 == 0 { 5.0 } else { 3.0 })
        .collect();
    let input = SessionInput {
        sport_is_running: true,
        time_s: &time,
        speed_mps: &speed,
        ..SessionInput::default()
    };
    let ngp = normalized_graded_pace(&input).unwrap();
    assert!((ngp.mean_speed_mps - 4.0).abs() < 0.01, "{ngp:?}");
    assert!(ngp.ngp_mps > 4.2 && ngp.ngp_mps < 4.3346, "{ngp:?}");
}

#[test]
fn rtss_is_for_running_only() {
    let s = Streams::constant_run(3600, 8.0, 0.0);
    assert_eq!(method_loads(&s.input(false), &male()).rtss, None);
}

#[test]
fn a_pause_longer_than_the_gap_cap_is_not_integrated() {
    // 30 min at 150 bpm, a 10-minute stop (one gap of 600 s), 30 more minutes at 150:
    // the same TRIMP as 60 continuous minutes, 108.095.
    let mut time: Vec<f64> = (0..=1800).map(f64::from).collect();
    time.extend((0..=1800).map(|t| f64::from(t) + 2400.0));
    let hr = vec![150.0f32; time.len()];
    let input = SessionInput {
        time_s: &time,
        heart_rate_bpm: &hr,
        ..SessionInput::default()
    };
    let loads = method_loads(&input, &male());
    assert!((loads.trimp.unwrap() - 108.095).abs() < 0.01, "{loads:?}");
    assert!((loads.duration_s - 3600.0).abs() < 1e-9);
}

#[test]
fn missing_hr_falls_back_to_pace_and_is_never_imputed() {
    // A run whose strap dropped out for 30 % of the time: HR methods are not computed, the load
    // comes from rTSS (an hour at threshold pace = 100), and the method says so.
    let mut s = Streams::constant_run(3600, 4.0, 0.0);
    s.hr = (0..=3600)
        .map(|t| if t < 1080 { f32::NAN } else { 150.0 })
        .collect();
    let out = session_loads(&s.input(true), &male(), &Calibration::default());
    assert_eq!(out.loads.hrtss, None);
    assert_eq!(out.loads.trimp, None);
    assert_eq!(out.load_method, LoadMethod::Rtss);
    assert!((out.load - 100.0).abs() < 1e-6);
}

#[test]
fn nothing_but_a_duration_gives_the_documented_estimate() {
    // 90 min with no streams and no RPE: 1.5 h · 56.25 = 84.375 points.
    let input = SessionInput {
        timer_s: 5400.0,
        ..SessionInput::default()
    };
    let out = session_loads(&input, &Thresholds::default(), &Calibration::default());
    assert_eq!(out.load_method, LoadMethod::Duration);
    assert!((out.load - 1.5 * DEFAULT_DURATION_POINTS_PER_HOUR).abs() < 1e-9);
    assert!((out.load - 84.375).abs() < 1e-9);
}

#[test]
fn channels_of_the_wrong_length_are_ignored_not_trusted() {
    let time = [0.0, 1.0, 2.0];
    let hr = [150.0f32; 2];
    let input = SessionInput {
        time_s: &time,
        heart_rate_bpm: &hr,
        ..SessionInput::default()
    };
    let out = session_loads(&input, &male(), &Calibration::default());
    assert_eq!(out.loads.trimp, None);
    assert_eq!(out.load_method, LoadMethod::Duration);
}

#[test]
fn calibration_fits_rtss_onto_the_hr_scale_and_chains_to_srpe() {
    // 12 sessions where hrTSS = 1.2 · rTSS (rTSS 40, 45, … 95): through-origin slope
    // Σ(1.2·r·r)/Σ(r²) = 1.2 exactly. 12 sessions with rTSS and sRPE where rTSS = 0.25 · sRPE:
    // their target is 1.2 · rTSS = 0.3 · sRPE, so the sRPE factor is 0.3.
    let mut sessions = Vec::new();
    for i in 0..12 {
        let r = 40.0 + 5.0 * f64::from(i);
        sessions.push(MethodLoads {
            hrtss: Some(1.2 * r),
            rtss: Some(r),
            duration_s: 3600.0,
            ..MethodLoads::default()
        });
        sessions.push(MethodLoads {
            rtss: Some(r),
            srpe: Some(4.0 * r),
            duration_s: 3600.0,
            ..MethodLoads::default()
        });
    }
    let cal = Calibration::fit(&sessions);
    assert!((cal.rtss.value - 1.2).abs() < 1e-12, "{cal:?}");
    assert_eq!(cal.rtss.sessions, 12);
    assert!((cal.srpe.value - 0.3).abs() < 1e-12, "{cal:?}");
    let pace_only = MethodLoads {
        rtss: Some(50.0),
        duration_s: 3600.0,
        ..MethodLoads::default()
    };
    let out = cal.primary(&pace_only);
    assert_eq!(out.load_method, LoadMethod::Rtss);
    assert!((out.load - 60.0).abs() < 1e-12);
}

#[test]
fn calibration_keeps_the_default_with_too_few_pairs_and_says_why() {
    let sessions = vec![
        MethodLoads {
            hrtss: Some(90.0),
            rtss: Some(60.0),
            duration_s: 3600.0,
            ..MethodLoads::default()
        };
        9
    ];
    let cal = Calibration::fit(&sessions);
    assert_eq!(cal.rtss.value, 1.0);
    assert_eq!(cal.rtss.sessions, 0);
    assert!(
        cal.rtss.derivation.contains("9 sessions"),
        "{}",
        cal.rtss.derivation
    );
}

#[test]
fn duration_estimate_is_calibrated_to_the_athletes_load_per_hour() {
    // Ten 1-hour sessions at hrTSS 60 and ten 30-min sessions at hrTSS 30: every pair is
    // 60 points per hour, so the fitted duration factor is 60 (default 56.25).
    let mut sessions = Vec::new();
    for _ in 0..10 {
        sessions.push(MethodLoads {
            hrtss: Some(60.0),
            duration_s: 3600.0,
            ..MethodLoads::default()
        });
        sessions.push(MethodLoads {
            hrtss: Some(30.0),
            duration_s: 1800.0,
            ..MethodLoads::default()
        });
    }
    let cal = Calibration::fit(&sessions);
    assert!((cal.duration.value - 60.0).abs() < 1e-12, "{cal:?}");
    assert_eq!(cal.duration.sessions, 20);
    let bare = MethodLoads {
        duration_s: 5400.0,
        ..MethodLoads::default()
    };
    assert!((cal.primary(&bare).load - 90.0).abs() < 1e-9);
}

#[test]
fn session_loads_serialise_with_snake_case_method_and_nulls() {
    let out = Calibration::default().primary(&MethodLoads {
        rtss: Some(50.0),
        duration_s: 3600.0,
        ..MethodLoads::default()
    });
    let json = serde_json::to_value(out).unwrap();
    assert_eq!(json["load_method"], "rtss");
    assert_eq!(json["load"], 50.0);
    assert!(json["loads"]["hrtss"].is_null() && json["loads"]["trimp"].is_null());
    assert_eq!(json["loads"]["rtss"], 50.0);
}

fn constant_hr_load(hr: f32, seconds: usize) -> MethodLoads {
    method_loads(&Streams::constant_hr(seconds, hr).input(false), &male())
}

proptest! {
    #[test]
    fn hr_loads_are_never_negative_and_monotone_in_hr(
        hr1 in 30.0f32..200.0, extra in 0.0f32..40.0, minutes in 1usize..120,
    ) {
        let low = constant_hr_load(hr1, minutes * 60);
        let high = constant_hr_load(hr1 + extra, minutes * 60);
        for (l, h) in [(low.trimp, high.trimp), (low.hrtss, high.hrtss), (low.edwards, high.edwards)] {
            let (l, h) = (l.unwrap(), h.unwrap());
            prop_assert!(l >= 0.0);
            prop_assert!(h >= l - 1e-9, "{} < {}", h, l);
        }
    }

    #[test]
    fn hr_loads_are_monotone_in_duration(hr in 30.0f32..240.0, m1 in 1usize..100, more in 0usize..60) {
        let short = constant_hr_load(hr, m1 * 60);
        let long = constant_hr_load(hr, (m1 + more) * 60);
        prop_assert!(long.hrtss.unwrap() >= short.hrtss.unwrap() - 1e-9);
        prop_assert!(long.trimp.unwrap() >= short.trimp.unwrap() - 1e-9);
    }

    #[test]
    fn primary_load_is_never_negative_on_arbitrary_streams(
        samples in proptest::collection::vec(
            (0.0f64..40.0, proptest::option::of(0.0f32..260.0), -1.0f32..9.0, -50.0f32..3000.0),
            0..200,
        ),
        rpe in proptest::option::of(-2.0f64..12.0),
        timer in -10.0f64..10_000.0,
    ) {
        let mut t = 0.0;
        let mut time = Vec::new();
        let (mut hr, mut speed, mut alt) = (Vec::new(), Vec::new(), Vec::new());
        for (dt, h, v, a) in samples {
            t += dt;
            time.push(t);
            hr.push(h.unwrap_or(f32::NAN));
            speed.push(v);
            alt.push(a);
        }
        let input = SessionInput {
            sport_is_running: true,
            timer_s: timer,
            time_s: &time,
            heart_rate_bpm: &hr,
            speed_mps: &speed,
            altitude_m: &alt,
            rpe,
            ..SessionInput::default()
        };
        let out = session_loads(&input, &male(), &Calibration::default());
        prop_assert!(out.load >= 0.0 && out.load.is_finite(), "{:?}", out);
    }
}

#[test]
fn loads_from_stored_features_equal_loads_from_streams_under_new_thresholds() {
    // The importer stores LoadFeatures as JSON; a profile change recomputes from them. The
    // result must be the one a pass over the streams gives with the new thresholds.
    let n = 1800;
    let time: Vec<f64> = (0..n).map(f64::from).collect();
    let hr: Vec<f32> = (0..n).map(|i| 120.0 + (i % 50) as f32).collect();
    let speed: Vec<f32> = (0..n).map(|i| 3.0 + (i % 7) as f32 * 0.1).collect();
    let input = SessionInput {
        sport_is_running: true,
        timer_s: f64::from(n - 1),
        elapsed_s: f64::from(n - 1),
        time_s: &time,
        heart_rate_bpm: &hr,
        speed_mps: &speed,
        rpe: Some(5.0),
        ..SessionInput::default()
    };
    let stored = serde_json::to_string(&load_features(&input)).unwrap();
    let features: LoadFeatures = serde_json::from_str(&stored).unwrap();
    // 50 distinct heart rates → 50 histogram bins, whatever the session length.
    assert_eq!(features.hr_time.len(), 50);
    for th in [
        male(),
        Thresholds {
            sex: Some(Sex::Female),
            hr_max: Some(182.0),
            hr_rest: Some(44.0),
            lthr: Some(165.0),
            threshold_speed_mps: Some(3.6),
        },
    ] {
        // Independent of the histogram: a plain per-sample sum. Each 1 s segment k−1→k carries
        // the HR of its start, so samples 0 … n−2 count once, one second each.
        let (rest, max) = (th.hr_rest.unwrap(), th.hr_max.unwrap());
        let per_sample_trimp: f64 = hr[..hr.len() - 1]
            .iter()
            .map(|&h| banister_weight((f64::from(h) - rest) / (max - rest), th.sex.unwrap()) / 60.0)
            .sum();
        let per_sample_edwards: f64 = hr[..hr.len() - 1]
            .iter()
            .map(|&h| edwards_weight(f64::from(h) / max) / 60.0)
            .sum();
        let stored = method_loads_from_features(&features, &th, Some(5.0));
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(1.0);
        assert!(close(stored.trimp.unwrap(), per_sample_trimp));
        assert!(close(stored.edwards.unwrap(), per_sample_edwards));
        let per_hour = trimp_per_hour(th.lthr.unwrap(), rest, max, th.sex.unwrap());
        assert!(close(
            stored.hrtss.unwrap(),
            per_sample_trimp / per_hour * 100.0
        ));
        // sRPE = 5 × 1799 s / 60 = 149.9167
        assert!(close(stored.srpe.unwrap(), 5.0 * 1799.0 / 60.0));
        // rTSS from the stored NGP equals the pass over the streams for the new threshold.
        assert_eq!(stored.rtss, method_loads(&input, &th).rtss);
    }
}
