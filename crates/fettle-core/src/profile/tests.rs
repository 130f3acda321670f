//! Tests of dated profile values and the estimators (expected values by hand).

use super::*;
use crate::load::SessionInput;
use jiff::civil::date;

#[test]
fn a_new_threshold_applies_from_its_date_and_older_days_keep_the_old_one() {
    let mut p = ProfileHistory::default();
    p.set(ProfileField::Lthr, date(2026, 3, 1), 175.0).unwrap();
    p.set(ProfileField::Lthr, date(2026, 1, 1), 170.0).unwrap();
    assert_eq!(p.thresholds_on(date(2026, 2, 15)).lthr, Some(170.0));
    assert_eq!(p.thresholds_on(date(2026, 3, 1)).lthr, Some(175.0));
    assert_eq!(p.thresholds_on(date(2027, 1, 1)).lthr, Some(175.0));
    // Before the first entry the first value applies.
    assert_eq!(p.thresholds_on(date(2025, 6, 1)).lthr, Some(170.0));
    // Setting the same date again replaces it.
    p.set(ProfileField::Lthr, date(2026, 3, 1), 176.0).unwrap();
    assert_eq!(p.lthr.len(), 2);
    assert_eq!(p.thresholds_on(date(2026, 3, 2)).lthr, Some(176.0));
    p.time_zone.push(Dated {
        from: date(2026, 2, 1),
        value: "Europe/Berlin".to_owned(),
    });
    p.time_zone.push(Dated {
        from: date(2025, 1, 1),
        value: "America/New_York".to_owned(),
    });
    assert_eq!(p.time_zone_on(date(2026, 1, 31)), Some("America/New_York"));
    assert_eq!(p.time_zone_on(date(2026, 2, 1)), Some("Europe/Berlin"));
}

#[test]
fn implausible_input_is_rejected_with_what_to_do() {
    let mut p = ProfileHistory::default();
    let err = p
        .set(ProfileField::HrMax, date(2026, 1, 1), 400.0)
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("HRmax") && text.contains("100–240 bpm"),
        "{text}"
    );
    assert!(
        p.set(ProfileField::HrRest, date(2026, 1, 1), f64::NAN)
            .is_err()
    );
    assert!(p.hr_max.is_empty());
}

/// 40 minutes at 1 Hz: 10 min at HR 140 and 4 m/s (one 230-bpm spike), then 30 min at HR 165
/// and 4.5 m/s.
fn forty_minute_session() -> (Vec<f64>, Vec<f32>, Vec<f32>) {
    let time: Vec<f64> = (0..=2400).map(f64::from).collect();
    let mut hr: Vec<f32> = (0..=2400)
        .map(|t| if t < 600 { 140.0 } else { 165.0 })
        .collect();
    hr[300] = 230.0;
    let speed = (0..=2400)
        .map(|t| if t < 600 { 4.0 } else { 4.5 })
        .collect();
    (time, hr, speed)
}

#[test]
fn effort_features_find_the_best_windows_and_ignore_single_spikes() {
    let (time, hr, speed) = forty_minute_session();
    let input = SessionInput {
        sport_is_running: true,
        time_s: &time,
        heart_rate_bpm: &hr,
        speed_mps: &speed,
        ..SessionInput::default()
    };
    let f = effort_features(&input);
    assert_eq!(f.moving_s, 2400.0);
    // Peak over 10 s: the spike gives (9·140 + 230)/10 = 149 < 165, so the peak is 165.
    assert!((f.peak_hr.unwrap() - 165.0).abs() < 1e-9, "{f:?}");
    // The last 30 min are all at 165 / 4.5 m/s: the best 20- and 30-min windows lie there.
    assert!((f.best_hr[0].unwrap() - 165.0).abs() < 1e-9);
    assert!((f.best_hr[1].unwrap() - 165.0).abs() < 1e-9);
    assert_eq!(f.best_hr[2], None, "a 40-min session has no 60-min window");
    // Speed is the segment's end value: 4.5 from t = 600 s on.
    assert!((f.best_speed_mps[1].unwrap() - 4.5).abs() < 1e-9);
}

#[test]
fn hr_max_is_the_95th_percentile_of_session_peaks() {
    // Peaks 150, 151, … 199 (50 sessions): position 0.95·49 = 46.55 → 150 + 46.55 = 196.55.
    let features: Vec<EffortFeatures> = (150..200)
        .map(|p| EffortFeatures {
            peak_hr: Some(f64::from(p)),
            ..EffortFeatures::default()
        })
        .collect();
    let e = estimate_hr_max(&features).unwrap();
    assert!((e.value - 196.55).abs() < 1e-9);
    assert_eq!(e.n, 50);
    assert!(e.method.contains("95th percentile") && e.method.contains("50 sessions"));
    assert_eq!(estimate_hr_max(&[]), None);
}

#[test]
fn lthr_is_the_median_of_the_three_hardest_20_minute_stretches() {
    // Sessions ≥ 30 min with best 20-min HRs 160, 172, 175, 171, 168; a 20-min session at 190
    // does not count. Top three 175, 172, 171 → median 172.
    let mut features: Vec<EffortFeatures> = [160.0, 172.0, 175.0, 171.0, 168.0]
        .iter()
        .map(|h| EffortFeatures {
            moving_s: 2400.0,
            best_hr: [Some(*h), None, None],
            ..EffortFeatures::default()
        })
        .collect();
    features.push(EffortFeatures {
        moving_s: 1200.0,
        best_hr: [Some(190.0), None, None],
        ..EffortFeatures::default()
    });
    let e = estimate_lthr(&features).unwrap();
    assert_eq!(e.value, 172.0);
    assert_eq!(e.n, 5);
}

#[test]
fn threshold_speed_converts_a_30_minute_best_with_riegel() {
    // 2^(1/1.06 − 1) = 0.961525. A run with v60 = 4.0 and v30 = 4.3 → max(4.0, 4.1346) = 4.1346;
    // a run with v60 = 4.2 → 4.2 (its v30 4.3 gives 4.1346); a bike ride is ignored.
    // Two candidates 4.2 and 4.1346 → median 4.1673.
    assert!((riegel_30_to_60_min_speed_factor() - 0.961525).abs() < 1e-6);
    let run = |v30: f64, v60: Option<f64>| EffortFeatures {
        running: true,
        best_speed_mps: [None, Some(v30), v60],
        ..EffortFeatures::default()
    };
    let mut features = vec![run(4.3, Some(4.0)), run(4.3, Some(4.2))];
    features.push(EffortFeatures {
        running: false,
        best_speed_mps: [None, Some(10.0), Some(9.0)],
        ..EffortFeatures::default()
    });
    let e = estimate_threshold_speed(&features).unwrap();
    assert!(
        (e.value - (4.2 + 4.3 * 0.961525) / 2.0).abs() < 1e-5,
        "{e:?}"
    );
    assert_eq!(e.n, 2);
}

#[test]
fn resolve_prefers_given_values_and_names_the_estimates() {
    let mut p = ProfileHistory {
        sex: Some(Sex::Female),
        ..ProfileHistory::default()
    };
    p.set(ProfileField::HrMax, date(2026, 1, 1), 188.0).unwrap();
    let estimates = Estimates::from_data(
        &[EffortFeatures {
            moving_s: 3600.0,
            peak_hr: Some(195.0),
            best_hr: [Some(171.0), None, None],
            ..EffortFeatures::default()
        }],
        &[48.0, 52.0, 50.0, 200.0],
    );
    let r = p.resolve_on(date(2026, 2, 1), &estimates);
    let hr_max = r.hr_max.as_ref().unwrap();
    assert_eq!(hr_max.value, 188.0);
    assert_eq!(
        hr_max.source,
        Source::Given {
            from: date(2026, 1, 1)
        }
    );
    let lthr = r.lthr.as_ref().unwrap();
    assert_eq!(lthr.value, 171.0);
    assert!(matches!(&lthr.source, Source::Estimated { n: 1, .. }));
    // Resting HR: 200 is implausible and dropped; median of 48, 50, 52 = 50.
    assert_eq!(r.hr_rest.as_ref().unwrap().value, 50.0);
    let th = r.thresholds();
    assert_eq!(
        (th.hr_max, th.lthr, th.hr_rest),
        (Some(188.0), Some(171.0), Some(50.0))
    );
    assert_eq!(th.threshold_speed_mps, None);
    assert_eq!(
        p.thresholds_with_estimates(date(2026, 2, 1), &estimates),
        th
    );
}

#[test]
fn the_best_recent_race_sets_threshold_speed_through_vdot() {
    use crate::log::RaceResult;
    let race = |y, m, d, distance_m, time_s| RaceResult {
        date: date(y, m, d),
        distance_m,
        time_s,
        kind: "race".into(),
    };
    // Python cross-check (Daniels & Gilbert, bisection for the one-hour speed): a half
    // marathon in 1:32:25 is VDOT 49.4396 → 3.911526 m/s; a 5 km in 20:16 is VDOT 49.0407.
    let races = [
        race(2026, 9, 13, 21_097.5, 5545.0),
        race(2026, 12, 6, 5000.0, 1216.0),
    ];
    let e = estimate_threshold_speed_from_races(&races).unwrap();
    assert!((e.value - 3.911526).abs() < 1e-5, "{}", e.value);
    assert_eq!(e.n, 2);
    assert!((e.uncertainty.unwrap() - 0.02 * 3.911526).abs() < 1e-5);
    assert!(
        e.method.contains("1:32:25") && e.method.contains("VDOT 49.4"),
        "{}",
        e.method
    );
    // A 10 km in 40:00 more than six months before the newest race no longer counts, however
    // fast (VDOT 51.94 → 4.0712 m/s); inside the window it wins.
    let mut with_old = races.to_vec();
    with_old.push(race(2026, 5, 1, 10_000.0, 2400.0));
    assert!(
        (estimate_threshold_speed_from_races(&with_old)
            .unwrap()
            .value
            - 3.911526)
            .abs()
            < 1e-5
    );
    with_old.push(race(2026, 7, 1, 10_000.0, 2400.0));
    assert!(
        (estimate_threshold_speed_from_races(&with_old)
            .unwrap()
            .value
            - 4.071246)
            .abs()
            < 1e-5
    );
    // A mile is too short to say; nothing at all gives nothing.
    assert!(estimate_threshold_speed_from_races(&[race(2026, 1, 1, 1609.0, 300.0)]).is_none());
    assert!(estimate_threshold_speed_from_races(&[]).is_none());
}

#[test]
fn lthr_is_the_heart_rate_at_threshold_speed_on_the_steady_efforts_line() {
    let efforts: Vec<SteadyEffort> = [
        (2.8, 140.0),
        (3.0, 146.0),
        (3.2, 150.0),
        (3.4, 157.0),
        (3.6, 161.0),
        (3.9, 170.0),
    ]
    .iter()
    .map(|&(speed_mps, hr_bpm)| SteadyEffort {
        speed_mps,
        hr_bpm,
        decoupling: 0.0,
    })
    .collect();
    let threshold = Estimate {
        value: 4.0,
        method: String::new(),
        n: 1,
        uncertainty: None,
    };
    // Least squares by hand (Python): slope 26.969 bpm per m/s, HR at 4.0 m/s 172.4289,
    // 1.96 × SE of the line there = 1.2177 bpm.
    let e = estimate_lthr_at_threshold_speed(&efforts, &threshold).unwrap();
    assert!((e.value - 172.4289).abs() < 1e-3, "{}", e.value);
    assert!((e.uncertainty.unwrap() - 1.2177).abs() < 1e-3);
    assert_eq!(e.n, 6);
    // Too few efforts, or all at one pace, say nothing.
    assert!(estimate_lthr_at_threshold_speed(&efforts[..4], &threshold).is_none());
    let same_pace: Vec<SteadyEffort> = efforts
        .iter()
        .map(|e| SteadyEffort {
            speed_mps: 3.0 + e.speed_mps / 100.0,
            ..*e
        })
        .collect();
    assert!(estimate_lthr_at_threshold_speed(&same_pace, &threshold).is_none());
}

#[test]
fn steady_efforts_need_even_pace_and_coupled_heart_rate() {
    // Each run: 5 warm-up minutes (skipped), then 20 minutes of interest.
    let run = |main: Vec<(f32, Option<f32>)>| {
        let mut blocks: Vec<(f32, Option<f32>)> = vec![(2.5, Some(120.0)); 5];
        blocks.extend(main);
        steady_efforts(&blocks)
    };
    // Even: 3.0 m/s at 150 bpm → one effort, no decoupling.
    let e = run(vec![(3.0, Some(150.0)); 20]);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(
        (e[0].speed_mps, e[0].hr_bpm, e[0].decoupling),
        (3.0, 150.0, 0.0)
    );
    // HR climbing 150 → 169 at the same pace: second half 164.5 / first half 154.5 − 1 =
    // 6.5 % > 5 %: decoupled, not steady.
    assert!(run((0..20).map(|i| (3.0, Some(150.0 + i as f32))).collect()).is_empty());
    // HR climbing 150 → 159.5 in half-beats: 157.25 / 152.25 − 1 = 3.3 % → steady.
    assert_eq!(
        run((0..20)
            .map(|i| (3.0, Some(150.0 + i as f32 / 2.0)))
            .collect())
        .len(),
        1
    );
    // Alternating 2.5 / 3.5 m/s: CV 0.5/3.0 = 16.7 % > 10 %.
    assert!(
        run((0..20)
            .map(|i| (if i % 2 == 0 { 2.5 } else { 3.5 }, Some(150.0)))
            .collect())
        .is_empty()
    );
    // A minute without heart rate breaks the window; 19 minutes are not 20.
    let mut gap = vec![(3.0, Some(150.0)); 20];
    gap[10].1 = None;
    assert!(run(gap).is_empty());
    assert!(run(vec![(3.0, Some(150.0)); 19]).is_empty());
}
