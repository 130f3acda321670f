//! `fettle demo`: runs the simulated season through the real pipeline and prints the status.
//!
//! Without `--db` or `--database` everything happens in a temporary folder that is removed
//! afterwards, so the demo never touches the user's own database. With `--db PATH` or
//! `--database URL_OR_PATH` the database is kept for exploring with the other commands.

use std::process::ExitCode;

use anyhow::Context as _;
use fettle_app::demo::{DemoOptions, run as run_demo};
use fettle_app::import::NoProgress;
use jiff::Timestamp;

use crate::cli::{Cli, DemoArgs};
use crate::output::print_json;
use crate::settings::{self, Location};
use crate::training::print_status;

/// Runs `fettle demo`.
pub(crate) fn run(cli: &Cli, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let work = tempfile::Builder::new()
        .prefix("fettle-demo-")
        .tempdir()
        .context("cannot create a temporary folder for the demo")?;
    let kept = settings::named_location(cli)?;
    let location = kept
        .clone()
        .unwrap_or_else(|| Location::Sqlite(work.path().join("demo.sqlite")));
    let store = settings::open(&location)?;
    let athlete = store.default_athlete()?;
    if kept.is_some() && store.counts(athlete)?.activities > 0 {
        bail_usage!(
            "{} already holds activities: give the demo an empty or new database",
            location.describe()
        );
    }
    // The season ends yesterday, so that no simulated session lies in the future and the
    // status describes this morning.
    let today = jiff::tz::TimeZone::system()
        .to_datetime(Timestamp::now())
        .date();
    let end = today.yesterday().unwrap_or(today);
    let options = DemoOptions {
        seed: args.seed,
        days: args.days,
        end,
        threads: std::thread::available_parallelism().map_or(1, usize::from),
    };
    if !cli.json {
        eprintln!(
            "Simulating {} days of a runner's training, writing them as FIT files and importing them …",
            args.days
        );
    }
    let started = std::time::Instant::now();
    let report = run_demo(store.as_ref(), athlete, work.path(), &options, &NoProgress)?;
    if cli.json {
        print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let i = &report.import;
    println!(
        "Wrote {} FIT files ({:.1} MB) with Fettle's encoder; imported {} activities ({} skipped, {} failed) in {:.1} s.",
        report.fit_files,
        report.fit_bytes as f64 / 1e6,
        i.imported,
        i.skipped,
        i.failed,
        started.elapsed().as_secs_f64()
    );
    println!(
        "Logged {} mornings of wellness, {} recovery sessions and meals, {} races.",
        report.wellness_days, report.recovery_entries, report.races
    );
    println!();
    print_status(&report.status);
    println!();
    match &kept {
        Some(Location::Sqlite(path)) => println!(
            "The database is kept at {}: try `fettle --db {} activities` or `… profile`.",
            path.display(),
            path.display()
        ),
        Some(database @ Location::Postgres(_)) => println!(
            "The database is kept at {}: try `fettle --database URL activities` or `… profile`.",
            database.describe()
        ),
        None => println!(
            "That was a temporary database. Keep one with `fettle --db demo.sqlite demo`, then explore it with `fettle --db demo.sqlite activities`."
        ),
    }
    Ok(ExitCode::SUCCESS)
}
