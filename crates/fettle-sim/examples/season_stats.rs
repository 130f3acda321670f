//! Prints a summary of a simulated history and how long it took to generate:
//! `cargo run --release -p fettle-sim --example season_stats -- [years] [seed]`
//! (years 0 = the default six-month season).

use std::time::Instant;

fn main() {
    let arg = |n: usize| std::env::args().nth(n).and_then(|a| a.parse::<u64>().ok());
    let years = arg(1).unwrap_or(0) as u32;
    let seed = arg(2).unwrap_or(42);
    let end = jiff::civil::date(2026, 11, 29);
    let config = if years == 0 {
        fettle_sim::SimConfig::season(seed, end)
    } else {
        fettle_sim::SimConfig::years(seed, end, years)
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
        "{} days: {activities} activities ({runs} runs, {km:.0} km), {samples} samples, \
         {} wellness, {} recovery, {} races in {:.3} s",
        config.days,
        history.wellness.len(),
        history.recovery.len(),
        history.races.len(),
        elapsed.as_secs_f64()
    );
    for race in &history.races {
        let measured = fettle_core::performance::vdot(race.distance_m, race.time_s).unwrap_or(0.0);
        let Some(truth) = history.truth.days.iter().find(|d| d.date == race.date) else {
            continue;
        };
        println!(
            "{} {:>7.1} m in {:>5.0} s: VDOT {measured:.2} (true race {:.2}, fitness {:.2}, form {:+.1})",
            race.date,
            race.distance_m,
            race.time_s,
            truth.vdot_race,
            truth.vdot_fitness,
            truth.morning_form
        );
    }
}
