//! Behaviour of the simulated runner over whole seasons: determinism, stream and summary
//! consistency, the weekly pattern, races against the hidden fitness, and wellness responses.

use std::collections::BTreeMap;

use fettle_core::log::RecoveryMethod;
use fettle_core::performance::vdot;
use fettle_formats::Activity;
use fettle_sim::{Phase, SimConfig, SimError, SimHistory, simulate};
use jiff::civil::{Date, date};
use jiff::tz::TimeZone;

const END: Date = date(2026, 11, 29);

fn season(seed: u64) -> SimHistory {
    simulate(&SimConfig::season(seed, END)).expect("default season simulates")
}

fn london() -> TimeZone {
    TimeZone::get("Europe/London").expect("tzdb has Europe/London")
}

fn local_date(activity: &Activity, tz: &TimeZone) -> Date {
    activity.start.to_zoned_datetime(tz.clone()).date()
}

/// Bit-exact equality of two f32 channels (NaN equals NaN).
fn same_bits(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

#[test]
fn the_same_seed_gives_the_same_history_and_another_seed_a_different_one() {
    let config = SimConfig {
        days: 45,
        ..SimConfig::season(7, END)
    };
    let a = simulate(&config).unwrap();
    let b = simulate(&config).unwrap();
    assert_eq!(a.activities.len(), b.activities.len());
    for (x, y) in a.activities.iter().zip(&b.activities) {
        assert_eq!(x.start, y.start);
        assert_eq!(x.streams.time_s, y.streams.time_s);
        assert_eq!(x.streams.distance_m, y.streams.distance_m);
        assert_eq!(x.streams.lat_deg, y.streams.lat_deg);
        assert!(same_bits(
            &x.streams.heart_rate_bpm,
            &y.streams.heart_rate_bpm
        ));
        assert!(same_bits(&x.streams.altitude_m, &y.streams.altitude_m));
        assert_eq!(x.laps, y.laps);
    }
    assert_eq!(a.wellness, b.wellness);
    assert_eq!(a.recovery, b.recovery);
    assert_eq!(a.races, b.races);
    assert_eq!(a.truth, b.truth);

    let other = simulate(&SimConfig { seed: 8, ..config }).unwrap();
    assert_ne!(a.truth.days, other.truth.days);
}

#[test]
fn streams_are_consistent_monotone_and_within_physiological_bounds() {
    let h = season(1);
    let athlete = &h.athlete;
    assert!(
        h.activities.len() > 100,
        "{} activities",
        h.activities.len()
    );
    for a in &h.activities {
        let st = &a.streams;
        assert!(st.is_consistent());
        assert!(st.len() > 100);
        assert!(
            st.time_s.windows(2).all(|w| w[1] >= w[0] + 1.0),
            "time strictly grows by ≥ 1 s"
        );
        assert!(
            st.distance_m.windows(2).all(|w| w[1] >= w[0]),
            "distance never decreases"
        );
        assert!(st.speed_mps.iter().all(|v| v.is_finite() && *v >= 0.0));
        if a.sport.is_running() {
            for channel in [
                &st.altitude_m,
                &st.heart_rate_bpm,
                &st.cadence_rpm,
                &st.temperature_c,
            ] {
                assert_eq!(channel.len(), st.len());
            }
            assert_eq!(st.lat_deg.len(), st.len());
            // Steps per minute 150–196 → strides per minute per leg 75–98.
            assert!(st.cadence_rpm.iter().all(|c| (75.0..=98.0).contains(c)));
            let finite_hr = st.heart_rate_bpm.iter().filter(|h| h.is_finite());
            for &hr in finite_hr {
                let hr = f64::from(hr);
                assert!(hr >= athlete.hr_rest && hr <= athlete.hr_max, "HR {hr}");
            }
            // Positions stay within 10 km of home (the longest loop is 20 km around).
            for (&lat, &lon) in st.lat_deg.iter().zip(&st.lon_deg) {
                assert!(
                    (lat - athlete.home_lat).abs() < 0.09 && (lon - athlete.home_lon).abs() < 0.15
                );
            }
        }
    }
}

/// Σ positive differences of a series.
fn ascent(values: &[f64]) -> f64 {
    values.windows(2).map(|w| (w[1] - w[0]).max(0.0)).sum()
}

/// Centred moving average over `window` samples.
fn moving_average(values: &[f32], window: usize) -> Vec<f64> {
    let half = window / 2;
    (0..values.len())
        .map(|i| {
            let lo = i.saturating_sub(half);
            let hi = (i + half + 1).min(values.len());
            values[lo..hi].iter().map(|&v| f64::from(v)).sum::<f64>() / (hi - lo) as f64
        })
        .collect()
}

#[test]
fn summaries_and_laps_agree_with_the_streams() {
    let h = season(2);
    let (mut total_summary_ascent, mut total_smoothed_ascent) = (0.0, 0.0);
    for a in &h.activities {
        let st = &a.streams;
        let n = st.len();
        // Recomputed here without the simulator's helpers.
        let elapsed = st.time_s[n - 1] - st.time_s[0];
        let timer: f64 = st.time_s.windows(2).map(|w| (w[1] - w[0]).min(1.0)).sum();
        let distance = st.distance_m[n - 1] - st.distance_m[0];
        assert_eq!(a.elapsed_s, elapsed);
        assert!((a.timer_s - timer).abs() < 1e-9);
        assert!(a.timer_s <= a.elapsed_s);
        assert!((a.distance_m.unwrap() - distance).abs() < 1e-6);
        // Distance is the integral of speed (1 s steps): Σ speed over samples 1.. ≈ distance,
        // up to the centimetre rounding of the stored distance.
        let integral: f64 = st.speed_mps[1..].iter().map(|&v| f64::from(v)).sum();
        assert!(
            (integral - distance).abs() < 0.02,
            "{integral} vs {distance}"
        );

        let hr: Vec<f64> = st
            .heart_rate_bpm
            .iter()
            .filter(|v| v.is_finite())
            .map(|&v| f64::from(v))
            .collect();
        if hr.is_empty() {
            assert_eq!(a.avg_hr, None);
        } else {
            let mean = hr.iter().sum::<f64>() / hr.len() as f64;
            let max = hr.iter().copied().fold(f64::MIN, f64::max);
            assert!((a.avg_hr.unwrap() - mean).abs() < 1e-9);
            assert_eq!(a.max_hr, Some(max));
        }
        if !st.cadence_rpm.is_empty() {
            let mean = st.cadence_rpm.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
            assert!((a.avg_cadence.unwrap() - mean).abs() < 1e-9);
        }

        // Laps partition the activity.
        assert!(!a.laps.is_empty());
        let lap_elapsed: f64 = a.laps.iter().map(|l| l.elapsed_s).sum();
        let lap_timer: f64 = a.laps.iter().map(|l| l.timer_s).sum();
        let lap_distance: f64 = a.laps.iter().map(|l| l.distance_m.unwrap()).sum();
        assert!((lap_elapsed - elapsed).abs() < 1e-6);
        assert!((lap_timer - timer).abs() < 1e-6);
        assert!((lap_distance - distance).abs() < 1e-3);
        assert_eq!(a.laps[0].start, a.start);
        assert!(a.laps.windows(2).all(|w| w[1].start > w[0].start));

        if a.sport.is_running() {
            let lap_ascent: f64 = a.laps.iter().map(|l| l.ascent_m.unwrap()).sum();
            assert!((lap_ascent - a.ascent_m.unwrap()).abs() < 1e-6);
            // The summary is the terrain's ascent (a barometric device); the recorded altitude
            // carries GPS noise, so its raw ascent is larger, and smoothing brings it close.
            let raw: Vec<f64> = st.altitude_m.iter().map(|&v| f64::from(v)).collect();
            assert!(ascent(&raw) > a.ascent_m.unwrap());
            total_summary_ascent += a.ascent_m.unwrap();
            total_smoothed_ascent += ascent(&moving_average(&st.altitude_m, 31));
            let net = a.ascent_m.unwrap() - a.descent_m.unwrap();
            let height_change = raw[n - 1] - raw[0];
            assert!(
                (net - height_change).abs() < 25.0,
                "net {net} vs {height_change}"
            );
        }
    }
    let ratio = total_smoothed_ascent / total_summary_ascent;
    assert!(
        (0.8..1.3).contains(&ratio),
        "smoothed/summary ascent {ratio}"
    );
}

#[test]
fn activities_start_at_plausible_local_times_with_the_zones_offset() {
    let h = season(3);
    let tz = london();
    for a in &h.activities {
        let zoned = a.start.to_zoned_datetime(tz.clone());
        assert!((5..=21).contains(&zoned.hour()), "starts at {zoned}");
        assert_eq!(a.utc_offset_s, Some(zoned.offset().seconds()));
        // London: +1 h in summer time, 0 in winter.
        assert!(matches!(a.utc_offset_s, Some(0) | Some(3600)));
        assert_eq!(a.device.as_deref(), Some(fettle_sim::DEVICE_NAME));
        assert!(a.name.as_deref().is_some_and(|n| !n.is_empty()));
    }
    // At most one activity per day, in start order.
    assert!(
        h.activities
            .windows(2)
            .all(|w| local_date(&w[0], &tz) < local_date(&w[1], &tz))
    );
    let names: Vec<&str> = h
        .activities
        .iter()
        .filter_map(|a| a.name.as_deref())
        .collect();
    for expected in ["Easy run", "Long run", "Half marathon"] {
        assert!(names.contains(&expected), "no {expected}");
    }
    assert!(
        names.iter().any(|n| n.contains(" × ")),
        "no interval session"
    );
    // Summer and winter offsets both occur in a June–November season.
    assert!(h.activities.iter().any(|a| a.utc_offset_s == Some(0)));
    assert!(h.activities.iter().any(|a| a.utc_offset_s == Some(3600)));
}

#[test]
fn weekly_running_volume_drops_in_recovery_weeks() {
    let h = simulate(&SimConfig::years(4, END, 2)).unwrap();
    let tz = london();
    let mut km_by_monday: BTreeMap<Date, f64> = BTreeMap::new();
    for a in h.activities.iter().filter(|a| a.sport.is_running()) {
        let d = local_date(a, &tz);
        let monday = d
            .checked_sub(jiff::Span::new().days(i64::from(d.weekday().to_monday_zero_offset())))
            .unwrap();
        *km_by_monday.entry(monday).or_default() += a.distance_m.unwrap() / 1000.0;
    }
    let weeks = &h.truth.weeks;
    let sick_weeks: std::collections::BTreeSet<Date> = h
        .truth
        .days
        .iter()
        .filter(|d| d.sick)
        .filter_map(|d| {
            d.date
                .checked_sub(
                    jiff::Span::new().days(i64::from(d.date.weekday().to_monday_zero_offset())),
                )
                .ok()
        })
        .collect();
    let mut checked = 0;
    for pair in weeks.windows(2).skip(1) {
        let (before, recovery) = (&pair[0], &pair[1]);
        if recovery.phase != Phase::Recovery
            || before.phase != Phase::Build
            || sick_weeks.contains(&before.monday)
            || sick_weeks.contains(&recovery.monday)
        {
            continue;
        }
        let (Some(&km_before), Some(&km_recovery)) = (
            km_by_monday.get(&before.monday),
            km_by_monday.get(&recovery.monday),
        ) else {
            continue;
        };
        // Planned at 70 %; a skipped run or the easy-run share of the week could close the gap,
        // so check each pair loosely and the average tightly.
        assert!(
            km_recovery < km_before * 1.05,
            "{}: {km_recovery:.1} vs {km_before:.1} km",
            recovery.monday
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} recovery weeks checked");
    let recovery_mean = mean(
        weeks
            .iter()
            .filter(|w| w.phase == Phase::Recovery)
            .filter_map(|w| km_by_monday.get(&w.monday).copied()),
    );
    let build_mean = mean(
        weeks
            .iter()
            .filter(|w| w.phase == Phase::Build)
            .filter_map(|w| km_by_monday.get(&w.monday).copied()),
    );
    assert!(
        recovery_mean < 0.85 * build_mean,
        "recovery {recovery_mean:.1} vs build {build_mean:.1} km/week"
    );
    // Five to six runs a week on average, about 250–320 a year.
    let runs = h.activities.iter().filter(|a| a.sport.is_running()).count();
    assert!((480..=640).contains(&runs), "{runs} runs in two years");
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    sum / n as f64
}

#[test]
fn race_vdot_tracks_true_fitness_and_rises_over_the_builds() {
    // Three years from a low base: block peaks grow 6 % per block from 42 km towards 80 km.
    let config = SimConfig {
        base_weekly_km: 30.0,
        peak_weekly_km: 80.0,
        ..SimConfig::years(21, END, 3)
    };
    let h = simulate(&config).unwrap();
    let truth_on = |d: Date| h.truth.days.iter().find(|t| t.date == d).unwrap();
    assert!(h.races.len() >= 25, "{} races", h.races.len());
    let (mut measured, mut truth) = (vec![], vec![]);
    for race in &h.races {
        let m = vdot(race.distance_m, race.time_s).unwrap();
        let t = truth_on(race.date).vdot_race;
        // Race-day noise is 0.3 VDOT (SD); the flat course and the start cost a little more.
        assert!((m - t).abs() < 1.2, "{}: {m:.2} vs {t:.2}", race.date);
        measured.push(m);
        truth.push(t);
    }
    let r = pearson(&measured, &truth);
    assert!(r > 0.8, "r = {r:.3}");
    // Year-on-year: the measured gain matches the true gain, and there is one.
    let year_mean = |values: &[f64], from: Date, to: Date| {
        mean(
            h.races
                .iter()
                .zip(values)
                .filter(|(r, _)| r.date >= from && r.date < to)
                .map(|(_, &v)| v),
        )
    };
    let (y1, y2) = (
        (date(2023, 1, 1), date(2024, 12, 1)),
        (date(2025, 12, 1), date(2027, 1, 1)),
    );
    let measured_gain = year_mean(&measured, y2.0, y2.1) - year_mean(&measured, y1.0, y1.1);
    let true_gain = year_mean(&truth, y2.0, y2.1) - year_mean(&truth, y1.0, y1.1);
    assert!(true_gain > 0.8, "true gain {true_gain:.2}");
    assert!(
        (measured_gain - true_gain).abs() < 0.5,
        "measured {measured_gain:.2} vs true {true_gain:.2}"
    );
    // Within the first block the goal race comes fresher and fitter than the first tune-up.
    let first = &h.races[0];
    let goal = h
        .races
        .iter()
        .find(|r| r.distance_m > 21_000.0)
        .expect("a goal half marathon");
    assert!(truth_on(goal.date).vdot_race > truth_on(first.date).vdot_race);
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let (mx, my) = (mean(x.iter().copied()), mean(y.iter().copied()));
    let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    cov / (vx * vy).sqrt()
}

#[test]
fn threshold_speed_follows_true_fitness() {
    let h = season(5);
    let days = &h.truth.days;
    // Pearson correlation of morning fitness (yesterday's end) and threshold speed.
    let fitness: Vec<f64> = days.windows(2).map(|w| w[0].fitness).collect();
    let speed: Vec<f64> = days.windows(2).map(|w| w[1].threshold_speed_mps).collect();
    let (mf, ms) = (mean(fitness.iter().copied()), mean(speed.iter().copied()));
    let cov: f64 = fitness
        .iter()
        .zip(&speed)
        .map(|(f, s)| (f - mf) * (s - ms))
        .sum();
    let vf: f64 = fitness.iter().map(|f| (f - mf).powi(2)).sum();
    let vs: f64 = speed.iter().map(|s| (s - ms).powi(2)).sum();
    let r = cov / (vf * vs).sqrt();
    assert!(r > 0.99, "r = {r}");
}

#[test]
fn hrv_is_lower_and_resting_hr_higher_the_morning_after_the_hardest_days() {
    let h = simulate(&SimConfig::years(6, END, 1)).unwrap();
    let days = &h.truth.days;
    let by_date: BTreeMap<Date, &fettle_core::log::WellnessEntry> =
        h.wellness.iter().map(|w| (w.date.unwrap(), w)).collect();
    let mut loads: Vec<f64> = days.iter().map(|d| d.load).filter(|&l| l > 0.0).collect();
    loads.sort_by(f64::total_cmp);
    let hardest = loads[loads.len() * 9 / 10];
    let (mut after_hard, mut after_rest, mut rhr_hard, mut rhr_rest) =
        (vec![], vec![], vec![], vec![]);
    for pair in days.windows(2) {
        let Some(w) = by_date.get(&pair[1].date) else {
            continue;
        };
        if pair[1].sick {
            continue;
        }
        let (Some(rmssd), Some(rhr)) = (w.rmssd_ms, w.rest_hr) else {
            continue;
        };
        if pair[0].load >= hardest {
            after_hard.push(rmssd.ln());
            rhr_hard.push(rhr);
        } else if pair[0].load == 0.0 {
            after_rest.push(rmssd.ln());
            rhr_rest.push(rhr);
        }
    }
    assert!(after_hard.len() >= 20 && after_rest.len() >= 40);
    let drop = mean(after_rest.iter().copied()) - mean(after_hard.iter().copied());
    // Yesterday's load alone is worth −0.001 per point: ≥ 0.1 for the top-decile days (≥ 100
    // points); the ±0.1 day-to-day noise averages out over ≥ 20 mornings (SE ≈ 0.03).
    assert!(drop > 0.07, "ln rMSSD drop {drop:.3}");
    assert!(mean(rhr_hard.into_iter()) > mean(rhr_rest.into_iter()));
    // Scores stay on their scales; sleep 6–9 h; some mornings are missing.
    for w in &h.wellness {
        for score in [w.soreness, w.fatigue, w.stress, w.mood, w.sleep_quality]
            .into_iter()
            .flatten()
        {
            assert!((1.0..=5.0).contains(&score) && score.fract() == 0.0);
        }
        assert!(w.sleep_h.is_some_and(|s| (6.0..=9.0).contains(&s)));
    }
    assert!(h.wellness.len() < days.len() && h.wellness.len() > days.len() * 8 / 10);
    assert!(h.wellness.iter().any(|w| w.sick));
}

#[test]
fn ice_baths_follow_hard_days_so_a_naive_comparison_blames_them() {
    let h = simulate(&SimConfig::years(9, END, 3)).unwrap();
    let tz = london();
    let effect = |m: RecoveryMethod| {
        h.truth
            .recovery_effects
            .iter()
            .find(|e| e.method == m)
            .unwrap()
            .clone()
    };
    assert_eq!(effect(RecoveryMethod::ColdWaterImmersion).soreness, 0.0);
    assert_eq!(effect(RecoveryMethod::Massage).soreness, -0.5);
    let ice_days: std::collections::BTreeSet<Date> = h
        .recovery
        .iter()
        .filter(|r| r.method == RecoveryMethod::ColdWaterImmersion)
        .map(|r| r.at.to_zoned_datetime(tz.clone()).date())
        .collect();
    for r in h
        .recovery
        .iter()
        .filter(|r| r.method == RecoveryMethod::ColdWaterImmersion)
    {
        assert!(
            (10.0..=15.0).contains(&r.temp_c.unwrap())
                && (10.0..=15.0).contains(&r.minutes.unwrap())
        );
    }
    let soreness: BTreeMap<Date, f64> = h
        .wellness
        .iter()
        .filter_map(|w| Some((w.date?, w.soreness?)))
        .collect();
    let (mut with, mut without) = (vec![], vec![]);
    for d in &h.truth.days {
        let Some(&s) = d.date.tomorrow().ok().and_then(|t| soreness.get(&t)) else {
            continue;
        };
        if ice_days.contains(&d.date) {
            with.push(s);
        } else {
            without.push(s);
        }
    }
    assert!(with.len() > 30);
    assert!(
        mean(with.into_iter()) > mean(without.into_iter()) + 0.3,
        "ice baths look harmful naively"
    );
    assert!(
        h.recovery.windows(2).all(|w| w[0].at <= w[1].at),
        "recovery log in time order"
    );
    // Massages come about every two weeks; meals carry 4:1-ish carbohydrate and protein.
    let massages = h
        .recovery
        .iter()
        .filter(|r| r.method == RecoveryMethod::Massage)
        .count();
    assert!(
        (60..=100).contains(&massages),
        "{massages} massages in 3 years"
    );
    for meal in h
        .recovery
        .iter()
        .filter(|r| r.method == RecoveryMethod::Nutrition)
    {
        let ratio = meal.carbs_g.unwrap() / meal.protein_g.unwrap();
        assert!((2.0..=6.5).contains(&ratio), "{ratio}");
    }
}

#[test]
fn bad_configuration_is_reported_not_panicked() {
    let good = SimConfig::season(1, END);
    let bad_zone = SimConfig {
        athlete: fettle_sim::SimAthlete {
            time_zone: "Mars/Olympus".into(),
            ..good.athlete.clone()
        },
        ..good.clone()
    };
    assert!(matches!(
        simulate(&bad_zone),
        Err(SimError::UnknownTimeZone { .. })
    ));
    let no_days = SimConfig {
        days: 0,
        ..good.clone()
    };
    assert!(matches!(
        simulate(&no_days),
        Err(SimError::InvalidConfig(_))
    ));
    let bad_hr = SimConfig {
        athlete: fettle_sim::SimAthlete {
            lthr: 200.0,
            ..good.athlete.clone()
        },
        ..good.clone()
    };
    let message = simulate(&bad_hr).unwrap_err().to_string();
    assert!(
        message.contains("lthr") || message.contains("LTHR"),
        "{message}"
    );
    let nan_speed = SimConfig {
        athlete: fettle_sim::SimAthlete {
            threshold_speed_mps: f64::NAN,
            ..good.athlete.clone()
        },
        ..good
    };
    assert!(simulate(&nan_speed).is_err());
}
