//! Zone tables against hand computation from Friel's and Karvonen's published percentages, and
//! time in zone on a generated session whose time per zone is known by construction.

use super::*;
use crate::load::SessionInput;

fn bounds(zones: &[Zone]) -> Vec<(Option<f64>, Option<f64>)> {
    zones.iter().map(|z| (z.low, z.high)).collect()
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    }
}

#[test]
fn friel_hr_zones_for_lthr_160() {
    // 85, 90, 95, 100, 103, 106 % of 160 bpm, by hand.
    let expected = [
        (None, Some(136.0)),
        (Some(136.0), Some(144.0)),
        (Some(144.0), Some(152.0)),
        (Some(152.0), Some(160.0)),
        (Some(160.0), Some(164.8)),
        (Some(164.8), Some(169.6)),
        (Some(169.6), None),
    ];
    let zones = hr_zones_from_lthr(160.0);
    let labels: Vec<&str> = zones.iter().map(|z| z.zone.as_str()).collect();
    assert_eq!(labels, ["1", "2", "3", "4", "5a", "5b", "5c"]);
    for (got, want) in bounds(&zones).iter().zip(expected) {
        assert!(
            close(got.0, want.0) && close(got.1, want.1),
            "{got:?} vs {want:?}"
        );
    }
}

#[test]
fn reserve_zones_for_rest_50_max_190() {
    // Reserve 140 bpm: 50 + 0.6·140 = 134, 148, 162, 176.
    let zones = hr_zones_from_reserve(50.0, 190.0);
    let expected = [
        (None, Some(134.0)),
        (Some(134.0), Some(148.0)),
        (Some(148.0), Some(162.0)),
        (Some(162.0), Some(176.0)),
        (Some(176.0), None),
    ];
    assert_eq!(zones.len(), 5);
    for (got, want) in bounds(&zones).iter().zip(expected) {
        assert!(
            close(got.0, want.0) && close(got.1, want.1),
            "{got:?} vs {want:?}"
        );
    }
}

#[test]
fn friel_pace_zones_for_threshold_4_00_per_km() {
    // Threshold pace 4:00/km = 240 s/km. Friel's slower bounds 129, 113, 105, 100, 96, 90 % give
    // 309.6, 271.2, 252, 240, 230.4 and 216 s/km, by hand.
    let zones = pace_zones(1000.0 / 240.0);
    let pace = |v: Option<f64>| v.map(|mps| 1000.0 / mps);
    let expected = [
        (None, Some(309.6)),
        (Some(309.6), Some(271.2)),
        (Some(271.2), Some(252.0)),
        (Some(252.0), Some(240.0)),
        (Some(240.0), Some(230.4)),
        (Some(230.4), Some(216.0)),
        (Some(216.0), None),
    ];
    assert_eq!(zones.len(), 7);
    for (z, want) in zones.iter().zip(expected) {
        assert!(
            close(pace(z.low), want.0) && close(pace(z.high), want.1),
            "zone {}: {:?}-{:?} vs {want:?}",
            z.zone,
            pace(z.low),
            pace(z.high)
        );
    }
}

#[test]
fn lthr_wins_over_reserve_and_sources_say_given_or_estimated() {
    let th = Thresholds {
        hr_max: Some(190.0),
        hr_rest: Some(50.0),
        lthr: Some(160.0),
        threshold_speed_mps: Some(4.0),
        ..Thresholds::default()
    };
    let given = Thresholds {
        lthr: Some(160.0),
        ..Thresholds::default()
    };
    let z = athlete_zones(&th, &given);
    assert_eq!(z.hr_method, Some(HrZoneMethod::FrielLthr));
    let hr = z.hr.expect("hr zones");
    assert!(hr.source.contains("160 bpm (given)"), "{}", hr.source);
    let pace = z.pace.expect("pace zones");
    assert!(
        pace.source.contains("4:10 per km (estimated)"),
        "{}",
        pace.source
    );

    let no_lthr = Thresholds { lthr: None, ..th };
    let z = athlete_zones(&no_lthr, &Thresholds::default());
    assert_eq!(z.hr_method, Some(HrZoneMethod::HeartRateReserve));
    assert_eq!(z.hr.map(|t| t.zones.len()), Some(5));

    let z = athlete_zones(&Thresholds::default(), &Thresholds::default());
    assert!(z.hr.is_none() && z.pace.is_none());
}

/// Segments of a generated session: (seconds, heart rate, speed); a segment's heart rate is
/// recorded at its start sample and its speed at its end sample, as devices record.
struct Generated {
    time: Vec<f64>,
    hr: Vec<f32>,
    speed: Vec<f32>,
}

fn generate(segments: &[(f64, f32, f32)]) -> Generated {
    let mut g = Generated {
        time: vec![0.0],
        hr: Vec::new(),
        speed: vec![f32::NAN],
    };
    for &(dt, hr, speed) in segments {
        g.hr.push(hr);
        let t = g.time.last().copied().unwrap_or(0.0) + dt;
        g.time.push(t);
        g.speed.push(speed);
    }
    g.hr.push(f32::NAN);
    g
}

fn repeat(n: usize, seg: (f64, f32, f32)) -> Vec<(f64, f32, f32)> {
    vec![seg; n]
}

#[test]
fn generated_session_with_a_pause_and_a_stop() {
    // LTHR 160, threshold 4:00/km. By construction:
    // 600 s at 130 bpm, 3.0 m/s (5:33/km, 139 % → pace Z1; HR < 136 → Z1)
    // 300 s at 150 bpm, 3.5 m/s (4:46/km, 119 % → pace Z2; HR 144–152 → Z3)
    // a 120-s gap (timer paused) — not counted
    // 200 s at 162 bpm, 4.2 m/s (3:58/km, 99.2 % → Z5a; HR 160–164.8 → Z5a)
    // 60 s standing at 140 bpm, 0.2 m/s — not counted
    // 100 s without heart rate at 4.5 m/s (3:42/km, 92.6 % → Z5b)
    let mut segments = repeat(600, (1.0, 130.0, 3.0));
    segments.extend(repeat(300, (1.0, 150.0, 3.5)));
    segments.push((120.0, 150.0, 3.5));
    segments.extend(repeat(200, (1.0, 162.0, 4.2)));
    segments.extend(repeat(60, (1.0, 140.0, 0.2)));
    segments.extend(repeat(100, (1.0, f32::NAN, 4.5)));
    let g = generate(&segments);
    let input = SessionInput {
        sport_is_running: true,
        time_s: &g.time,
        heart_rate_bpm: &g.hr,
        speed_mps: &g.speed,
        ..SessionInput::default()
    };
    let th = Thresholds {
        lthr: Some(160.0),
        threshold_speed_mps: Some(1000.0 / 240.0),
        ..Thresholds::default()
    };
    let zones = athlete_zones(&th, &th);
    let got = time_in_zones(&input, &zones);
    assert!((got.moving_s - 1200.0).abs() < 1e-9, "{got:?}");
    let secs = |list: &[ZoneTime]| -> Vec<f64> { list.iter().map(|z| z.seconds).collect() };
    assert_eq!(secs(&got.hr), [600.0, 0.0, 300.0, 0.0, 200.0, 0.0, 0.0]);
    assert_eq!(got.no_heart_rate_s, 100.0);
    assert_eq!(secs(&got.pace), [600.0, 300.0, 0.0, 0.0, 200.0, 100.0, 0.0]);
    assert_eq!(got.no_pace_s, 0.0);
}

#[test]
fn without_speed_nothing_is_a_stop_and_pace_is_unknown() {
    let g = generate(&repeat(90, (1.0, 150.0, f32::NAN)));
    let input = SessionInput {
        time_s: &g.time,
        heart_rate_bpm: &g.hr,
        ..SessionInput::default()
    };
    let th = Thresholds {
        lthr: Some(160.0),
        threshold_speed_mps: Some(4.0),
        ..Thresholds::default()
    };
    let got = time_in_zones(&input, &athlete_zones(&th, &th));
    assert_eq!(got.moving_s, 90.0);
    assert_eq!(got.hr[2].seconds, 90.0);
    assert_eq!(got.no_pace_s, 90.0);
    assert!(got.pace.iter().all(|z| z.seconds == 0.0));
}

#[test]
fn unknown_thresholds_still_give_moving_time_and_no_zones() {
    let g = generate(&repeat(30, (2.0, 150.0, 3.0)));
    let input = SessionInput {
        time_s: &g.time,
        heart_rate_bpm: &g.hr,
        speed_mps: &g.speed,
        ..SessionInput::default()
    };
    let got = time_in_zones(&input, &AthleteZones::default());
    assert_eq!(got.moving_s, 60.0);
    assert!(got.hr.is_empty() && got.pace.is_empty());
    assert_eq!(got.no_heart_rate_s, 60.0);
}

#[test]
fn a_zero_speed_reading_while_the_distance_advances_is_not_a_stop() {
    // 10 segments of 5 s: speed reads 0 but the odometer gains 15 m (3 m/s) in each.
    let time: Vec<f64> = (0..=10).map(|i| f64::from(i) * 5.0).collect();
    let distance: Vec<f64> = (0..=10).map(|i| f64::from(i) * 15.0).collect();
    let speed = vec![0.0_f32; 11];
    let hr = vec![140.0_f32; 11];
    let input = SessionInput {
        time_s: &time,
        heart_rate_bpm: &hr,
        speed_mps: &speed,
        distance_m: &distance,
        ..SessionInput::default()
    };
    let th = Thresholds {
        lthr: Some(160.0),
        threshold_speed_mps: Some(1000.0 / 240.0),
        ..Thresholds::default()
    };
    let got = time_in_zones(&input, &athlete_zones(&th, &th));
    assert_eq!(got.moving_s, 50.0);
    // 3 m/s = 5:33/km, 139 % of 4:00 → zone 1.
    assert_eq!(got.pace[0].seconds, 50.0);
}
