//! `fettle demo`: a simulated runner, end to end, through the real pipeline.
//!
//! The simulator ([`fettle_sim`]) produces a season of sessions with HR, pace and elevation
//! streams that respond to fitness and fatigue. Each session is written as a real FIT file with
//! Fettle's own encoder, the folder is imported through the real importer (the same code as
//! `fettle import`), the athlete's morning wellness, recovery log and races go in through the
//! store, and the status on the last day is computed like `fettle status`. Nothing is mocked:
//! a newcomer sees every stage working on data that looks like their own.
//!
//! The profile is deliberately incomplete — sex, body mass and time zone only — so the demo
//! also shows HRmax, resting HR, LTHR and threshold pace being estimated from the data.

use std::path::Path;

use fettle_core::series::Status;
use fettle_formats::fit::encode_activity;
use fettle_sim::{SimConfig, simulate_each};
use fettle_store::{AthleteId, Store};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;

use crate::AppError;
use crate::import::{ImportProgress, ImportSummary, import_paths};
use crate::training::{self, ProfileUpdate};

/// What to simulate.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    /// Random seed: the same seed gives the same athlete and season.
    pub seed: u64,
    /// Days to simulate.
    pub days: u32,
    /// The last simulated day.
    pub end: Date,
    /// Decoding threads for the import.
    pub threads: usize,
}

/// What the demo did, stage by stage.
#[derive(Debug, Serialize)]
pub struct DemoReport {
    /// Simulated days.
    pub days: u32,
    /// FIT files written by Fettle's encoder.
    pub fit_files: usize,
    /// Their total size, bytes.
    pub fit_bytes: u64,
    /// The import of those files.
    pub import: ImportSummary,
    /// Morning wellness entries stored.
    pub wellness_days: usize,
    /// Recovery sessions and meals logged.
    pub recovery_entries: usize,
    /// Races entered.
    pub races: usize,
    /// The athlete's status on the morning after the last simulated day.
    pub status: Status,
}

/// Runs the demo into `store`, writing FIT files under `dir`.
pub fn run(
    store: &dyn Store,
    athlete: AthleteId,
    dir: &Path,
    options: &DemoOptions,
    progress: &dyn ImportProgress,
) -> Result<DemoReport, AppError> {
    if options.days == 0 || options.days > fettle_sim::MAX_DAYS {
        return Err(AppError::Invalid(format!(
            "--days must be between 1 and {}",
            fettle_sim::MAX_DAYS
        )));
    }
    let mut config = SimConfig::season(options.seed, options.end);
    config.days = options.days;
    config.start = options
        .end
        .checked_sub(i64::from(options.days - 1).days())
        .map_err(|e| AppError::Invalid(format!("cannot simulate that far back: {e}")))?;

    let fit_dir = dir.join("fit");
    std::fs::create_dir_all(&fit_dir)
        .map_err(|e| AppError::Internal(format!("cannot create {}: {e}", fit_dir.display())))?;
    let mut fit_files = 0usize;
    let mut fit_bytes = 0u64;
    let mut write_error: Option<std::io::Error> = None;
    let history = simulate_each(&config, |activity| {
        if write_error.is_some() {
            return;
        }
        let bytes = encode_activity(&activity);
        let name = format!(
            "{}-{:04}.fit",
            activity.start.strftime("%Y%m%d-%H%M"),
            fit_files
        );
        fit_bytes += bytes.len() as u64;
        fit_files += 1;
        if let Err(e) = std::fs::write(fit_dir.join(name), bytes) {
            write_error = Some(e);
        }
    })
    .map_err(|e| AppError::Invalid(format!("cannot simulate: {e}")))?;
    if let Some(e) = write_error {
        return Err(AppError::Internal(format!(
            "cannot write the simulated FIT files in {}: {e}",
            fit_dir.display()
        )));
    }

    let athlete_profile = &history.athlete;
    training::update_profile(
        store,
        athlete,
        &ProfileUpdate {
            from: Some(config.start),
            sex: Some(format!("{:?}", athlete_profile.sex).to_lowercase()),
            mass_kg: Some(athlete_profile.mass_kg),
            tz: Some(athlete_profile.time_zone.clone()),
            ..ProfileUpdate::default()
        },
        config.start,
    )?;
    for entry in &history.wellness {
        store.upsert_wellness(athlete, entry)?;
    }
    for entry in &history.recovery {
        store.add_recovery(athlete, entry)?;
    }
    for race in &history.races {
        store.add_race(athlete, race)?;
    }
    let import = import_paths(store, athlete, &[fit_dir], options.threads, progress)?;
    // The wellness entries carry morning resting HR, which the HRrest estimate uses.
    training::recompute_loads(store, athlete)?;
    // This morning's status: the day after the last simulated one.
    let morning = options.end.tomorrow().unwrap_or(options.end);
    let status = training::status(store, athlete, Some(morning), Timestamp::now())?;
    Ok(DemoReport {
        days: options.days,
        fit_files,
        fit_bytes,
        import,
        wellness_days: history.wellness.len(),
        recovery_entries: history.recovery.len(),
        races: history.races.len(),
        status,
    })
}
