//! Prints a summary of a simulated history and how long it took to generate:
//! `cargo run --release -p fettle-sim --example season_stats -- [years]`.

use std::time::Instant;

fn main() {
    let years: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let end = jiff::civil::date(2026, 11, 29);
    let config = if years == 0 {
        fettle_sim::SimConfig::season(42, end)
    } else {
        fettle_sim::SimConfig::years(42, end, years)
    };
    let started = Instant::now();
    let (mut activities, mut runs, mut samples, mut km) = (0_usize, 0_usize, 0_usize, 0.0);
    let history = fettle_sim::simulate_each(&config, |a| {
        activities += 1;
        samples += a.streams.len();
        if a.sport.is_running() {
            runs += 1;
            km += a.distance_m.unwrap_or(0.0) / 1000.0;
        }
    });
    let elapsed = started.elapsed();
    let history = match history {
        Ok(h) => h,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    println!(
        "{} days: {activities} activities ({runs} runs, {km:.0} km), {samples} samples, {} wellness, {} recovery, {} races in {:.3} s",
        config.days,
        history.wellness.len(),
        history.recovery.len(),
        history.races.len(),
        elapsed.as_secs_f64()
    );
    for race in history.races.iter().take(12) {
        let vdot = fettle_core::performance::vdot(race.distance_m, race.time_s).unwrap_or(0.0);
        println!(
            "race {} {:>7.1} m in {:>6.0} s  VDOT {vdot:.1}",
            race.date, race.distance_m, race.time_s
        );
    }
    for week in history.truth.weeks.iter().take(20) {
        println!(
            "week {} {:?} {:.1} km",
            week.monday, week.phase, week.planned_run_km
        );
    }
    for d in history.truth.days.iter().step_by(7).take(40) {
        println!(
            "{} load {:>5.1} ctl {:>5.1} atl {:>5.1} vdot {:.2} race {:.2} thr {:.3}",
            d.date,
            d.load,
            d.fitness,
            d.fatigue,
            d.vdot_fitness,
            d.vdot_race,
            d.threshold_speed_mps
        );
    }
    let last = history.truth.days.last();
    if let Some(d) = last {
        println!(
            "end: fitness {:.1} fatigue {:.1} vdot {:.1}",
            d.fitness, d.fatigue, d.vdot_fitness
        );
    }
}
