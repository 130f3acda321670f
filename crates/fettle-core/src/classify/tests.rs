use super::*;
use crate::load::pace::GRADED_SPEED_BIN_MPS;

/// Load features with the given (bpm, minutes) and (speed m/s, minutes) stretches.
fn features(hr: &[(f32, f64)], speed: &[(f64, f64)]) -> LoadFeatures {
    let hr_time: Vec<(f32, f64)> = hr.iter().map(|(b, m)| (*b, m * 60.0)).collect();
    let hr_valid_s = hr_time.iter().map(|(_, s)| s).sum();
    let graded_speed_time = speed
        .iter()
        .map(|(v, m)| (((v / GRADED_SPEED_BIN_MPS) + 1e-9).floor() as u32, m * 60.0))
        .collect();
    LoadFeatures {
        sport_is_running: true,
        moving_s: hr_valid_s,
        hr_valid_s,
        hr_time,
        graded_speed_time,
        ..LoadFeatures::default()
    }
}

fn input(f: &LoadFeatures, minutes: f64) -> ClassifyInput<'_> {
    ClassifyInput {
        duration_s: minutes * 60.0,
        features: Some(f),
        lthr: Some(170.0),
        threshold_speed_mps: Some(3.85),
        ..ClassifyInput::default()
    }
}

#[test]
fn intervals_with_twelve_minutes_above_lthr_are_hard() {
    // 6 × 3 min: 15 min warm-up at 140, reps where HR spends 1 min climbing at 165 and 2 min
    // at 176 (≥ 1.03 × 170 = 175.1), recoveries at 150, 10 min cool-down at 135.
    // Above LTHR: 6 × 2 = 12 min; well above: the same 12 min ≥ 5.
    let f = features(
        &[
            (140.0, 15.0),
            (165.0, 6.0),
            (176.0, 12.0),
            (150.0, 10.0),
            (135.0, 10.0),
        ],
        &[],
    );
    let c = classify(&input(&f, 53.0));
    assert_eq!(c.kind, Kind::Intervals);
    assert!(c.hard);
    assert_eq!(c.minutes_above_threshold, Some(12.0));
    assert!(
        c.reason
            .starts_with("12 min above threshold heart rate (170 bpm)"),
        "{}",
        c.reason
    );
}

#[test]
fn a_steady_tempo_is_threshold_work_not_intervals() {
    // Casebook shape: 10 easy (140), 25 at threshold HR: 13 min at 168 (98.8 % of 170, inside
    // the 95 % band) and 12 min at 171 (above), 10 easy. Above: 12 ≥ 10; well above (≥ 175.1):
    // 0 → tempo.
    let f = features(
        &[(140.0, 10.0), (168.0, 13.0), (171.0, 12.0), (140.0, 10.0)],
        &[],
    );
    let c = classify(&input(&f, 45.0));
    assert_eq!(c.kind, Kind::Tempo);
    assert!(c.hard);
    // A tempo that never crosses LTHR: 25 min at 165 (97 % of 170 ≥ 95 %) → still tempo by the
    // at-threshold band (25 ≥ 20 min).
    let f = features(&[(140.0, 10.0), (165.0, 25.0), (140.0, 10.0)], &[]);
    let c = classify(&input(&f, 45.0));
    assert_eq!(c.kind, Kind::Tempo);
    assert!(c.reason.contains("25 min at 95 %"), "{}", c.reason);
}

#[test]
fn a_long_easy_run_is_long_and_not_hard_whatever_its_load() {
    // 90 min at 140–150 bpm (82–88 % of LTHR): nothing at threshold. hrTSS 79 over 1.5 h gives
    // IF = √(79/150) = 0.7257.
    let f = features(&[(140.0, 45.0), (150.0, 45.0)], &[]);
    let mut i = input(&f, 90.0);
    i.load = Some((79.0, LoadMethod::Hrtss));
    let c = classify(&i);
    assert_eq!(c.kind, Kind::Long, "{}", c.reason);
    assert!(!c.hard);
    assert!((c.intensity_factor.unwrap() - 0.7257).abs() < 1e-4);
    // Against a usual long run of 150 min the same run is not long: 90 < 0.85 × 150 = 127.5.
    i.usual_long_run_s = Some(150.0 * 60.0);
    assert_eq!(classify(&i).kind, Kind::Easy);
    // A beginner whose usual long run is 50 min: long from max(0.85 × 50, 60) = 60 min.
    // (Without the load, whose IF over a shorter time would be higher.)
    i.load = None;
    i.usual_long_run_s = Some(50.0 * 60.0);
    i.duration_s = 61.0 * 60.0;
    assert_eq!(classify(&i).kind, Kind::Long);
    i.duration_s = 59.0 * 60.0;
    assert_eq!(classify(&i).kind, Kind::Easy);
}

#[test]
fn pace_counts_when_heart_rate_lags_or_is_missing() {
    // No HR: 4 min at 4.0 m/s (1.039 × 3.85, below 1.03? 1.03 × 3.85 = 3.9655, so 4.0 is
    // above it) and 8 min at 3.90 (≥ 3.85): above 12 min, well above 4 min < 5 → tempo.
    let f = features(&[], &[(3.0, 20.0), (4.0, 4.0), (3.9, 8.0), (3.0, 10.0)]);
    let c = classify(&input(&f, 42.0));
    assert_eq!(c.kind, Kind::Tempo);
    assert_eq!(c.minutes_above_threshold, Some(12.0));
    assert!(c.reason.contains("threshold pace (4:20/km"), "{}", c.reason);
    // 10 × 400 m at 4.45 m/s (90 s each = 15 min) → intervals.
    let f = features(&[], &[(3.0, 20.0), (4.45, 15.0), (2.5, 12.0)]);
    assert_eq!(classify(&input(&f, 47.0)).kind, Kind::Intervals);
}

#[test]
fn rpe_race_and_recovery() {
    let nothing = ClassifyInput {
        duration_s: 40.0 * 60.0,
        ..ClassifyInput::default()
    };
    assert_eq!(classify(&nothing).kind, Kind::Easy);
    assert!(classify(&nothing).reason.contains("no heart rate or pace"));
    let rated = ClassifyInput {
        rpe: Some(8.0),
        ..nothing
    };
    let c = classify(&rated);
    assert!(c.hard);
    assert!(c.reason.contains("8/10"));
    let race = ClassifyInput {
        race: true,
        ..nothing
    };
    assert_eq!(classify(&race).kind, Kind::Race);
    assert!(classify(&race).hard);
    // 25 min jog, hrTSS 18: IF = √(18 / (25/60 × 100)) = √0.432 = 0.657 < 0.72 → recovery.
    let jog = ClassifyInput {
        duration_s: 25.0 * 60.0,
        load: Some((18.0, LoadMethod::Hrtss)),
        ..ClassifyInput::default()
    };
    let c = classify(&jog);
    assert_eq!(c.kind, Kind::Recovery);
    assert!(!c.hard);
    // The same IF over 30 min at an IF of 0.9 (40.5 points) is threshold work:
    // √(40.5 / 50) = 0.9 ≥ 0.85 and 30 ≥ 20 min.
    let steady = ClassifyInput {
        duration_s: 30.0 * 60.0,
        load: Some((40.5, LoadMethod::Hrtss)),
        ..ClassifyInput::default()
    };
    assert_eq!(classify(&steady).kind, Kind::Tempo);
    // A duration-estimated load says nothing about intensity: no IF.
    let guessed = ClassifyInput {
        load: Some((40.5, LoadMethod::Duration)),
        ..steady
    };
    assert_eq!(classify(&guessed).intensity_factor, None);
    assert_eq!(classify(&guessed).kind, Kind::Easy);
}

#[test]
fn usual_long_run_is_the_median_of_weekly_longest_runs() {
    let day = jiff::civil::date(2026, 3, 29);
    let back = |n: i64| day.checked_sub(jiff::Span::new().days(n)).unwrap();
    // Window 1 = 1–7 days back, window 2 = 8–14, …
    let runs = [
        (back(0), 999_999.0), // the day itself: excluded
        (back(2), 3000.0),
        (back(6), 6000.0),    // window 1 longest: 6000
        (back(9), 7200.0),    // window 2: 7200
        (back(20), 5400.0),   // window 3: 5400
        (back(57), 99_999.0), // 57 days back: outside 8 weeks
    ];
    // Two windows only → not enough.
    assert_eq!(usual_long_run_s(&runs[..4], day), None);
    // Median of {6000, 7200, 5400} = 6000.
    assert_eq!(usual_long_run_s(&runs, day), Some(6000.0));
    // A fourth window (22–28 back) at 9000: median of {5400, 6000, 7200, 9000} = 6600.
    let mut more = runs.to_vec();
    more.push((back(25), 9000.0));
    assert_eq!(usual_long_run_s(&more, day), Some(6600.0));
}
