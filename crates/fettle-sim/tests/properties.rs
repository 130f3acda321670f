//! Property tests: for any seed, start date, time zone and valid athlete, a short simulation
//! yields well-formed activities; for any configuration at all, simulation returns rather than
//! panics.

use fettle_sim::{SimAthlete, SimConfig, simulate};
use jiff::civil::date;
use jiff::tz::TimeZone;
use proptest::prelude::*;

const ZONES: [&str; 5] = [
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "UTC",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn short_histories_are_well_formed_for_any_valid_athlete(
        seed in any::<u64>(),
        start_offset_days in 0_i64..12_000,
        days in 1_u32..15,
        zone in 0_usize..ZONES.len(),
        hr_rest in 38.0_f64..65.0,
        reserve in 100.0_f64..150.0,
        threshold_speed_mps in 2.5_f64..5.8,
        home_lat in -60.0_f64..65.0,
        home_lon in -179.0_f64..179.0,
    ) {
        let hr_max = hr_rest + reserve;
        let athlete = SimAthlete {
            hr_rest,
            hr_max,
            lthr: hr_rest + 0.88 * reserve,
            threshold_speed_mps,
            time_zone: ZONES[zone].to_owned(),
            home_lat,
            home_lon,
            ..SimAthlete::default()
        };
        let start = date(1995, 1, 1)
            .checked_add(jiff::Span::new().days(start_offset_days))
            .unwrap();
        let config = SimConfig { days, start, athlete, ..SimConfig::season(seed, date(2026, 1, 1)) };
        let h = simulate(&config).unwrap();
        let tz = TimeZone::get(ZONES[zone]).unwrap();
        prop_assert_eq!(h.truth.days.len(), days as usize);
        for a in &h.activities {
            let st = &a.streams;
            prop_assert!(st.is_consistent() && !st.is_empty());
            prop_assert!(st.time_s.windows(2).all(|w| w[1] > w[0]));
            prop_assert!(st.distance_m.windows(2).all(|w| w[1] >= w[0]));
            prop_assert!(st.heart_rate_bpm.iter().filter(|v| v.is_finite())
                .all(|&v| f64::from(v) >= hr_rest && f64::from(v) <= hr_max));
            prop_assert!(st.lat_deg.iter().all(|l| l.is_finite() && l.abs() <= 90.0));
            prop_assert!(a.timer_s <= a.elapsed_s && a.timer_s > 0.0);
            prop_assert_eq!(a.utc_offset_s, Some(tz.to_offset(a.start).seconds()));
            let local = a.start.to_zoned_datetime(tz.clone());
            prop_assert!(local.date() >= start && (5..=21).contains(&local.hour()));
        }
        for w in &h.wellness {
            prop_assert!(w.rmssd_ms.is_none_or(|r| r > 0.0 && r.is_finite()));
        }
    }

    #[test]
    fn any_configuration_returns_instead_of_panicking(
        days in 0_u32..4,
        mass_kg in proptest::num::f64::ANY,
        hr_rest in proptest::num::f64::ANY,
        hr_max in proptest::num::f64::ANY,
        threshold_speed_mps in proptest::num::f64::ANY,
        base in proptest::num::f64::ANY,
        home_lat in proptest::num::f64::ANY,
        zone in "[A-Za-z/_]{0,20}",
    ) {
        let athlete = SimAthlete {
            mass_kg,
            hr_rest,
            hr_max,
            threshold_speed_mps,
            home_lat,
            time_zone: zone,
            ..SimAthlete::default()
        };
        let config = SimConfig {
            days,
            athlete,
            base_weekly_km: base,
            ..SimConfig::season(1, date(2026, 1, 1))
        };
        let _ = simulate(&config);
    }
}

#[test]
fn dates_near_the_end_of_the_calendar_are_an_error_not_a_panic() {
    let config = SimConfig {
        days: 30,
        start: date(9999, 12, 20),
        ..SimConfig::season(1, date(2026, 1, 1))
    };
    assert!(simulate(&config).is_err());
}
