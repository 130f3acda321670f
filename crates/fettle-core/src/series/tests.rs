//! Golden examples (hand-computed in the comments) and properties of the daily series.

use super::*;
use crate::flags::FlagCode;
use jiff::civil::date;
use proptest::prelude::*;

/// `n` consecutive days from 2026-01-01 with the given loads and distances.
fn days_from(loads: &[f64], distances: &[f64]) -> Vec<DayTotals> {
    let mut d = date(2026, 1, 1);
    let mut out = Vec::new();
    for (i, load) in loads.iter().enumerate() {
        out.push(DayTotals {
            date: d,
            load: *load,
            distance_m: distances.get(i).copied().unwrap_or(0.0),
            duration_s: 3600.0,
        });
        d = d.tomorrow().unwrap();
    }
    out
}

fn last_date(days: &[DayTotals]) -> Date {
    days.last().unwrap().date
}

#[test]
fn constant_load_gives_ctl_of_l_times_one_minus_e_to_minus_n_over_42() {
    // X_n = L·(1 − (1−λ)^n) and (1−λ)^n = e^(−n/N): after 42 days of 100,
    // CTL = 100·(1 − e^(−1)) = 63.2121; after 7 days ATL = 100·(1 − e^(−1)) = 63.2121.
    let days = days_from(&[100.0; 42], &[]);
    let s = daily_series(&days, last_date(&days), &SeriesParams::default());
    assert_eq!(s.len(), 42);
    assert!((s[41].fitness - 63.2121).abs() < 1e-4, "{}", s[41].fitness);
    assert!((s[6].fatigue - 63.2121).abs() < 1e-4, "{}", s[6].fatigue);
    assert!((lambda(42.0) - 0.0235283).abs() < 1e-7);
}

#[test]
fn form_is_this_mornings_yesterdays_end_values() {
    // Day 1 starts from 0: form 0. Day 2 morning: CTL_1 − ATL_1 = 100·(λc − λa)
    // = 100·(0.0235283 − 0.1331221) = −10.9594.
    let days = days_from(&[100.0, 100.0], &[]);
    let s = daily_series(&days, last_date(&days), &SeriesParams::default());
    assert_eq!(s[0].form, 0.0);
    assert!((s[1].form - -10.9594).abs() < 1e-4);
    assert!((s[0].form_tomorrow - s[1].form).abs() < 1e-12);
}

#[test]
fn ramp_is_the_seven_day_change_of_fitness() {
    // 14 days of 100: CTL_14 − CTL_7 = 100·(e^(−7/42) − e^(−14/42)) = 100·(0.846482 − 0.716531)
    // = 12.9950.
    let days = days_from(&[100.0; 14], &[]);
    let s = daily_series(&days, last_date(&days), &SeriesParams::default());
    assert!((s[13].ramp - 12.9950).abs() < 1e-4, "{}", s[13].ramp);
}

#[test]
fn acwr_is_uncoupled_williams_ewma() {
    // 60 days of 100: acute = 100·(1 − 0.75⁶⁰) ≈ 100.0 (λ = 2/8); chronic at day 53
    // (7 days earlier) = 100·(1 − (27/29)⁵³) = 100·(1 − 0.022654) = 97.7346 (λ = 2/29);
    // ACWR = 100.0/97.7346 = 1.02318. No ACWR before day 28.
    let days = days_from(&[100.0; 60], &[]);
    let s = daily_series(&days, last_date(&days), &SeriesParams::default());
    assert!(
        (s[59].acwr.unwrap() - 1.02318).abs() < 1e-4,
        "{:?}",
        s[59].acwr
    );
    assert_eq!(s[26].acwr, None);
    assert!(s[27].acwr.is_some());
}

#[test]
fn monotony_and_strain_by_hand() {
    // Loads 100,0,100,0,100,0,100: mean 400/7 = 57.143, population SD
    // = sqrt((4·42.857² + 3·57.143²)/7) = 49.487, monotony 1.1547, strain 400·1.1547 = 461.88.
    let days = days_from(&[100.0, 0.0, 100.0, 0.0, 100.0, 0.0, 100.0], &[]);
    let s = daily_series(&days, last_date(&days), &SeriesParams::default());
    assert_eq!(s[5].monotony, None, "needs 7 days");
    assert!((s[6].monotony.unwrap() - 1.1547).abs() < 1e-4);
    assert!((s[6].strain.unwrap() - 461.88).abs() < 0.01);
}

#[test]
fn monotony_with_zero_sd_is_capped_or_undefined() {
    // Seven equal loads: SD 0 → the cap (10), strain 7·50·10 = 3500.
    let days = days_from(&[50.0; 7], &[]);
    let s = daily_series(&days, last_date(&days), &SeriesParams::default());
    assert_eq!(s[6].monotony, Some(MONOTONY_CAP));
    assert_eq!(s[6].strain, Some(3500.0));
    // A week of rest after one session: the last 7 days are all 0 → no monotony, strain 0.
    let days = days_from(&[50.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], &[]);
    let s = daily_series(&days, last_date(&days), &SeriesParams::default());
    assert_eq!(s[7].monotony, None);
    assert_eq!(s[7].strain, Some(0.0));
}

#[test]
fn weekly_distance_change_and_its_flag() {
    // Week 1: 7 × 5 km = 35 km; week 2: 7 × 7 km = 49 km → +40 % (> 30 %): flagged.
    let mut dist = vec![5000.0; 7];
    dist.extend([7000.0; 7]);
    let days = days_from(&[50.0; 14], &dist);
    let st = status_on(&days, last_date(&days), &SeriesParams::default());
    assert!((st.week_distance_m - 49_000.0).abs() < 1e-9);
    assert!((st.week_distance_change.unwrap() - 0.4).abs() < 1e-12);
    let flag = st
        .flags
        .iter()
        .find(|f| f.code == FlagCode::WeeklyDistanceJump)
        .unwrap();
    assert!(flag.message.contains("+40 %"), "{}", flag.message);
}

#[test]
fn returning_to_the_level_before_a_recovery_week_is_not_a_jump() {
    // 3:1 cycle: 60, 66, 72 km, a recovery week at 70 % of 72 = 50.4 km, then 72 km again.
    // Against the week before that is +42.9 %, but the highest of the three weeks before is
    // 72 km: change 0, no flag. A week of 79.2 km (+10 %) after the 72 stays under 30 %.
    let weeks = [60_000.0, 66_000.0, 72_000.0, 50_400.0, 72_000.0];
    let dist: Vec<f64> = weeks.iter().flat_map(|w| [w / 7.0; 7]).collect();
    let days = days_from(&[50.0; 35], &dist);
    let st = status_on(&days, last_date(&days), &SeriesParams::default());
    assert!(st.week_distance_change.unwrap().abs() < 1e-9);
    assert!(
        !st.flags
            .iter()
            .any(|f| f.code == FlagCode::WeeklyDistanceJump)
    );
    // Going beyond the old level by more than 30 % still raises it: 72 → 50.4 → 95 km is
    // 95 / 72 − 1 = +31.9 % over the highest of the three weeks before.
    let weeks = [60_000.0, 66_000.0, 72_000.0, 50_400.0, 95_000.0];
    let dist: Vec<f64> = weeks.iter().flat_map(|w| [w / 7.0; 7]).collect();
    let days = days_from(&[50.0; 35], &dist);
    let st = status_on(&days, last_date(&days), &SeriesParams::default());
    assert!((st.week_distance_change.unwrap() - (95.0 / 72.0 - 1.0)).abs() < 1e-9);
    assert!(
        st.flags
            .iter()
            .any(|f| f.code == FlagCode::WeeklyDistanceJump)
    );
}

#[test]
fn rest_days_until_fresh_by_the_closed_form() {
    // CTL 50, ATL 80: n = ln(80/50)/(1/7 − 1/42) = 0.470004/0.119048 = 3.948 → 4 days.
    // Check: after 4 rest days 50·e^(−4/42) = 45.458 ≥ 80·e^(−4/7) = 45.175; after 3 it is
    // 46.553 < 52.125.
    let p = SeriesParams::default();
    assert_eq!(rest_days_until_fresh(50.0, 80.0, &p), Some(4));
    assert_eq!(rest_days_until_fresh(80.0, 50.0, &p), Some(0));
    assert_eq!(rest_days_until_fresh(0.0, 10.0, &p), None);
    let slow_fatigue = SeriesParams {
        fatigue_days: 60.0,
        ..p
    };
    assert_eq!(rest_days_until_fresh(50.0, 80.0, &slow_fatigue), None);
}

#[test]
fn series_length_is_capped_for_absurd_dates_and_still_ends_on_the_day_asked() {
    // An activity dated 1900 (a mistyped year) beside one on 2026-01-01.
    let mut days = days_from(&[100.0], &[]);
    days.push(DayTotals {
        date: date(1900, 1, 1),
        load: 50.0,
        distance_m: 0.0,
        duration_s: 3600.0,
    });
    let s = daily_series(&days, date(2026, 1, 1), &SeriesParams::default());
    // 1900-01-01 is 46,020 days before 2026-01-01: outside the last 36,525 days, so the
    // series starts on the 2026 activity and ends on the day asked for.
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].date, date(2026, 1, 1));
    assert_eq!(s[0].load, 100.0);
    // Asking for a day centuries later: the window holds no activity at all.
    assert!(daily_series(&days, date(2400, 1, 1), &SeriesParams::default()).is_empty());
    // The cap bounds the length: an activity just inside the window gives MAX_SERIES_DAYS days.
    let through = date(2026, 1, 1);
    let inside = through
        .checked_sub(jiff::SignedDuration::from_hours(
            24 * (MAX_SERIES_DAYS as i64 - 1),
        ))
        .unwrap();
    let edge = [DayTotals {
        date: inside,
        load: 10.0,
        distance_m: 0.0,
        duration_s: 60.0,
    }];
    let s = daily_series(&edge, through, &SeriesParams::default());
    assert_eq!(s.len(), MAX_SERIES_DAYS);
    assert_eq!(s.last().unwrap().date, through);
}

#[test]
fn invalid_time_constants_fall_back_to_the_defaults() {
    let p = SeriesParams {
        fitness_days: f64::NAN,
        fatigue_days: -3.0,
        ..SeriesParams::default()
    };
    assert_eq!(p.lambdas(), SeriesParams::default().lambdas());
}

#[test]
fn load_for_target_form_solves_the_update_equations() {
    // CTL 60, ATL 50, target 0: L = (60·e^(−1/42) − 50·e^(−1/7)) / (λa − λc)
    // = (58.5883 − 43.3439)/0.1095938 = 139.099.
    let p = SeriesParams::default();
    let load = load_for_target_form(60.0, 50.0, 0.0, &p).unwrap();
    assert!((load - 139.099).abs() < 1e-3, "{load}");
    let (lc, la) = p.lambdas();
    let form = ewma_next(60.0, load, lc) - ewma_next(50.0, load, la);
    assert!(form.abs() < 1e-9);
    // CTL 50, ATL 60: a rest day leaves form at 48.824 − 52.013 = −3.19 < 0 → None.
    assert_eq!(load_for_target_form(50.0, 60.0, 0.0, &p), None);
}

#[test]
fn deep_negative_form_and_steep_ramp_flags_after_warm_up() {
    // 60 days at 50/day, then 10 days at 200: fatigue jumps far above fitness.
    let mut loads = vec![50.0; 60];
    loads.extend([200.0; 10]);
    let days = days_from(&loads, &[]);
    let st = status_on(&days, last_date(&days), &SeriesParams::default());
    let codes: Vec<FlagCode> = st.flags.iter().map(|f| f.code).collect();
    assert!(codes.contains(&FlagCode::DeepNegativeForm), "{st:?}");
    assert!(codes.contains(&FlagCode::SteepRamp), "{st:?}");
    assert!(codes.contains(&FlagCode::AcwrHigh), "{st:?}");
    assert!(codes.contains(&FlagCode::MonotonyHigh), "{st:?}");
    let acwr = st
        .flags
        .iter()
        .find(|f| f.code == FlagCode::AcwrHigh)
        .unwrap();
    assert!(acwr.message.contains("Impellizzeri"), "{}", acwr.message);
}

#[test]
fn no_ramp_or_form_flags_during_the_warm_up() {
    // A big first fortnight looks like a ramp from 0; that is the seed, not the athlete.
    let days = days_from(&[150.0; 14], &[]);
    let st = status_on(&days, last_date(&days), &SeriesParams::default());
    assert!(
        st.flags
            .iter()
            .all(|f| f.code != FlagCode::SteepRamp && f.code != FlagCode::DeepNegativeForm),
        "{st:?}"
    );
}

#[test]
fn status_before_any_activity_is_empty() {
    let days = days_from(&[100.0], &[]);
    let st = status_on(&days, date(2025, 12, 31), &SeriesParams::default());
    assert_eq!(st.history_days, 0);
    assert_eq!(st.fitness, 0.0);
    assert!(st.flags.is_empty());
}

#[test]
fn status_json_has_the_contract_fields() {
    let days = days_from(&[100.0; 30], &[10_000.0; 30]);
    let st = status_on(&days, last_date(&days), &SeriesParams::default());
    let json = serde_json::to_value(&st).unwrap();
    for key in [
        "date",
        "fitness",
        "fatigue",
        "form",
        "ramp",
        "acwr",
        "monotony",
        "strain",
        "week_distance_m",
        "flags",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["date"], "2026-01-30");
}

#[test]
fn bucketing_uses_the_athletes_local_day() {
    // 23:30 UTC at UTC+1 is 00:30 the next local day; two runs that local day are summed.
    let tz = TimeZone::fixed(jiff::tz::offset(1));
    let acts = [
        ActivityTotals {
            start: "2026-03-01T23:30:00Z".parse().unwrap(),
            load: 40.0,
            distance_m: 8000.0,
            duration_s: 2400.0,
        },
        ActivityTotals {
            start: "2026-03-02T17:00:00Z".parse().unwrap(),
            load: 60.0,
            distance_m: 10000.0,
            duration_s: 3000.0,
        },
        ActivityTotals {
            start: "2026-03-01T12:00:00Z".parse().unwrap(),
            load: f64::NAN,
            distance_m: 1000.0,
            duration_s: 600.0,
        },
    ];
    let days = bucket_by_local_day(&acts, &tz);
    assert_eq!(days.len(), 2);
    assert_eq!(days[0].date, date(2026, 3, 1));
    assert_eq!(days[0].load, 0.0);
    assert_eq!(days[1].date, date(2026, 3, 2));
    assert_eq!(days[1].load, 100.0);
    assert_eq!(days[1].distance_m, 18_000.0);
}

#[test]
fn day_number_counts_days_across_leap_years() {
    // 2000 is a leap year: 28 Feb → 1 Mar is 2 days. 1970-01-01 is day 719 468 from 0000-03-01.
    assert_eq!(
        day_number(date(2000, 3, 1)) - day_number(date(2000, 2, 28)),
        2
    );
    assert_eq!(day_number(date(1970, 1, 1)), 719_468);
    assert_eq!(
        day_number(date(2026, 1, 1)) - day_number(date(2016, 1, 1)),
        3653
    );
}

proptest! {
    #[test]
    fn ewma_stays_within_the_min_and_max_of_its_inputs(
        loads in proptest::collection::vec(0.0f64..500.0, 1..200),
    ) {
        let days = days_from(&loads, &[]);
        let s = daily_series(&days, last_date(&days), &SeriesParams::default());
        // The seed 0 is one of the inputs, so every value lies in [0, max load].
        let max = loads.iter().copied().fold(0.0, f64::max);
        for d in &s {
            prop_assert!(d.fitness >= 0.0 && d.fitness <= max + 1e-9);
            prop_assert!(d.fatigue >= 0.0 && d.fatigue <= max + 1e-9);
            prop_assert!(d.monotony.is_none_or(|m| (0.0..=MONOTONY_CAP).contains(&m)));
        }
    }

    #[test]
    fn series_ignores_input_order(loads in proptest::collection::vec(0.0f64..300.0, 1..60)) {
        let days = days_from(&loads, &[]);
        let mut reversed = days.clone();
        reversed.reverse();
        let end = last_date(&days);
        let p = SeriesParams::default();
        prop_assert_eq!(daily_series(&days, end, &p), daily_series(&reversed, end, &p));
    }

    #[test]
    fn ewma_step_is_bounded_by_its_two_inputs(prev in -1e6f64..1e6, load in -1e6f64..1e6, n in 1.0f64..100.0) {
        let next = ewma_next(prev, load, lambda(n));
        prop_assert!(next >= prev.min(load) - 1e-6 && next <= prev.max(load) + 1e-6);
    }
}

#[test]
fn early_history_seed_starts_fitness_and_fatigue_at_the_usual_daily_load() {
    // A new athlete: four runs in a week (60, 40, 50, 30). Seed = 180 / 7 = 25.714286 points
    // a day; form on the first morning is 0, and after day 1 (load 60) fitness =
    // 25.714286 + λc·(60 − 25.714286) = 26.520971 and fatigue = 30.278472, so the second
    // morning's form is −3.757501 (Python cross-check, λ = 1 − e^(−1/N)). From zero the
    // same morning would read 60·(λc − λa) = −6.58 and sink further with every run.
    let days = days_from(&[60.0, 0.0, 40.0, 0.0, 50.0, 0.0, 30.0], &[]);
    let params = SeriesParams {
        seed: Seed::EarlyHistory,
        ..SeriesParams::default()
    };
    let s = daily_series(&days, last_date(&days), &params);
    assert!((s[0].seed_daily_load - 25.714286).abs() < 1e-6);
    assert_eq!(s[0].form, 0.0);
    assert!((s[0].fitness - 26.520971).abs() < 1e-6);
    assert!((s[0].fatigue - 30.278472).abs() < 1e-6);
    assert!((s[1].form + 3.757501).abs() < 1e-6);
    assert!(s.iter().all(|d| d.provisional));
    let status = status_on(&days, last_date(&days), &params);
    assert!(status.provisional);
    assert!((status.seed_daily_load - 25.714286).abs() < 1e-6);
    // One run alone counts as one week's worth: 70 / 7 = 10 points a day.
    let one = days_from(&[70.0], &[]);
    assert!((daily_series(&one, last_date(&one), &params)[0].seed_daily_load - 10.0).abs() < 1e-12);
    // The default stays the published zero start.
    assert_eq!(
        daily_series(&days, last_date(&days), &SeriesParams::default())[0].seed_daily_load,
        0.0
    );
}

#[test]
fn usual_week_seed_converts_distance_with_the_history_or_the_default_load_per_km() {
    // No distance recorded: 50 km × 5.6 points/km / 7 = 40 points a day.
    let days = days_from(&[60.0, 0.0, 40.0], &[]);
    let params = SeriesParams {
        seed: Seed::UsualWeekKm(50.0),
        ..SeriesParams::default()
    };
    assert!(
        (daily_series(&days, last_date(&days), &params)[0].seed_daily_load - 40.0).abs() < 1e-12
    );
    // 20 km recorded for 100 points: 5 points/km → 50 × 5 / 7 = 35.714286.
    let days = days_from(&[60.0, 0.0, 40.0], &[12_000.0, 0.0, 8_000.0]);
    assert!(
        (daily_series(&days, last_date(&days), &params)[0].seed_daily_load - 35.714286).abs()
            < 1e-6
    );
    // After the warm-up the numbers stop being provisional.
    let long = days_from(&[50.0; 50], &[]);
    let s = daily_series(&long, last_date(&long), &params);
    assert!(s[WARM_UP_DAYS - 2].provisional);
    assert!(!s[WARM_UP_DAYS - 1].provisional);
}

#[test]
fn a_resolved_seed_does_not_move_when_days_are_appended() {
    // History 60, 0, 40 → early-history seed 100 / 7 = 14.285714; appending planned days of
    // 100 would raise an unresolved seed to 400 / 7 but leaves the resolved one where it was.
    let history = days_from(&[60.0, 0.0, 40.0], &[]);
    let params = SeriesParams {
        seed: Seed::EarlyHistory,
        ..SeriesParams::default()
    }
    .resolved(&history, last_date(&history));
    assert_eq!(params.seed, Seed::DailyLoad(100.0 / 7.0));
    let mut with_plan = days_from(&[60.0, 0.0, 40.0, 100.0, 100.0, 100.0], &[]);
    let through = last_date(&with_plan);
    assert!(
        (daily_series(&with_plan, through, &params)[0].seed_daily_load - 100.0 / 7.0).abs() < 1e-12
    );
    with_plan.truncate(3);
    assert_eq!(
        daily_series(&with_plan, through, &params)[2].fitness,
        daily_series(
            &history,
            through,
            &SeriesParams {
                seed: Seed::EarlyHistory,
                ..SeriesParams::default()
            }
        )[2]
        .fitness
    );
}
