//! Import: files → decoded activities → the database, in parallel with one writer.
//!
//! The pipeline has three stages joined by bounded channels, so memory stays flat however large
//! the export is:
//! 1. one reader thread expands the inputs (folders, zips, `.gz`) into file entries, one at a
//!    time ([`fettle_formats::archive::expand`]);
//! 2. a rayon pool decodes entries in parallel (content hash, [`fettle_formats::decode_any`]);
//! 3. this thread is the only writer: one database transaction per file, so a killed import
//!    leaves a consistent database and running it again completes it (files already recorded are
//!    recognised by their content hash and skipped).
//!
//! Transition legs of multisport files are not stored: they are short, carry no meaningful
//! training stress and would clutter the activity list; they are counted as skipped legs.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use fettle_formats::archive::{self, Entry, Item, Limits};
use fettle_formats::{Activity, FormatError, Sport};
use fettle_store::{
    ActivityId, ActivityOutcome, AthleteId, ContentHash, FileOutcome, NewActivity, NewFile, Store,
};
use jiff::tz::TimeZone;
use rayon::iter::{ParallelBridge, ParallelIterator};
use serde::Serialize;

use crate::AppError;
use crate::training::{activity_metrics, local_date};

/// How many entries may wait between stages: bounds memory to a few dozen files in flight.
const QUEUE_DEPTH: usize = 32;

/// A file as it leaves the decoding stage.
enum Decoded {
    /// Activities to store (possibly with warnings).
    Activities {
        entry_source: String,
        hash: ContentHash,
        size: u64,
        /// Each activity with its source label and its metrics JSON.
        activities: Vec<(Activity, String, String)>,
        skipped_legs: usize,
        warnings: Vec<String>,
    },
    /// The same bytes were imported before: not decoded again.
    AlreadyImported,
    /// Not an activity: skipped with a reason.
    Skipped { source: String, reason: String },
    /// Could not be read: failed with a reason.
    Failed { source: String, reason: String },
}

/// One named file and why it was not imported.
#[derive(Debug, Serialize)]
pub struct Problem {
    /// The file, as given (with `#entry` inside an archive).
    pub source: String,
    /// What was wrong.
    pub reason: String,
}

/// What an import did, printed at the end (as a table or JSON).
#[derive(Debug, Default, Serialize)]
pub struct ImportSummary {
    /// Files looked at (archive entries count one each).
    pub files: usize,
    /// Activities newly stored.
    pub imported: usize,
    /// Ids of the activities newly stored.
    pub imported_ids: Vec<i64>,
    /// Activities already in the database, plus whole files imported before.
    pub duplicates: usize,
    /// Files that are not activities, plus transition legs.
    pub skipped: usize,
    /// Files that could not be read.
    pub failed: usize,
    /// The failed files with their reasons.
    pub failures: Vec<Problem>,
    /// The skipped files with their reasons.
    pub skips: Vec<Problem>,
    /// Warnings from decoders (bad CRC, truncated file …) per file.
    pub warnings: Vec<Problem>,
    /// Activities whose loads were recomputed after the import (0 when nothing was new).
    pub loads_recomputed: usize,
    /// Morning HRV recordings (short FIT files at rest with R-R intervals) stored as wellness
    /// entries ([`crate::recovery::morning_hrv_entry`]).
    pub hrv_mornings: usize,
}

/// Receives progress as files are stored (a terminal bar, a web upload's status).
pub trait ImportProgress: Sync {
    /// Called after each file with the running totals.
    fn file_done(&self, summary: &ImportSummary);
    /// Called for each skipped file and decoder warning when the caller wants them named.
    fn note(&self, _line: &str) {}
}

/// Progress that goes nowhere.
pub struct NoProgress;

impl ImportProgress for NoProgress {
    fn file_done(&self, _summary: &ImportSummary) {}
}

/// Imports every input (files, folders, `.gz`, export zips) into `store` for `athlete`, decoding
/// on `threads` threads, and returns what happened. Inputs that do not exist are an error
/// before anything is written.
pub fn import_paths(
    store: &dyn Store,
    athlete: AthleteId,
    paths: &[PathBuf],
    threads: usize,
    progress: &dyn ImportProgress,
) -> Result<ImportSummary, AppError> {
    import_paths_with(store, athlete, paths, threads, progress, false)
}

/// [`import_paths`], and with `include_deleted` also brings back the activities the athlete
/// deleted from these files (`fettle import --include-deleted`): a file recorded with
/// deletions is decoded again and its missing activities restored, in one transaction per
/// file ([`Store::restore_deleted_file`]); activities still stored stay as they are.
pub fn import_paths_with(
    store: &dyn Store,
    athlete: AthleteId,
    paths: &[PathBuf],
    threads: usize,
    progress: &dyn ImportProgress,
    include_deleted: bool,
) -> Result<ImportSummary, AppError> {
    for path in paths {
        if !path.exists() {
            return Err(AppError::Invalid(format!(
                "{} does not exist: give a file, a folder or an export zip",
                path.display()
            )));
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(|i| format!("fettle-decode-{i}"))
        .build()
        .map_err(|e| AppError::Internal(format!("cannot start the decoding threads: {e}")))?;

    let (entry_tx, entry_rx) = sync_channel::<Item>(QUEUE_DEPTH);
    let (decoded_tx, decoded_rx) = sync_channel::<Decoded>(QUEUE_DEPTH);
    let paths = paths.to_vec();
    let tz = crate::athlete_time_zone(store, athlete)?;
    let mut summary = ImportSummary::default();

    std::thread::scope(|scope| -> Result<(), AppError> {
        scope.spawn(move || read_inputs(&paths, &entry_tx));
        let tz = &tz;
        scope.spawn(move || {
            pool.install(|| {
                decode_all(store, athlete, tz, entry_rx, &decoded_tx, include_deleted);
            });
        });
        write_all(
            store,
            athlete,
            tz,
            decoded_rx,
            progress,
            &mut summary,
            include_deleted,
        )
    })?;
    // Also when nothing is new: an import killed after some files were stored but before this
    // step left activities without loads, and running the same import again must complete it.
    let counts = store.counts(athlete)?;
    if summary.imported > 0 || counts.activities_with_loads < counts.activities {
        summary.loads_recomputed = crate::training::recompute_loads(store, athlete)?.activities;
    }
    Ok(summary)
}

/// Stage 1: expands every input into entries, in order.
fn read_inputs(paths: &[PathBuf], tx: &SyncSender<Item>) {
    let limits = Limits::default();
    for path in paths {
        let mut stopped = false;
        archive::expand(path, &limits, &mut |item| {
            // The writer hung up (an error ends the import): stop reading.
            if !stopped && tx.send(item).is_err() {
                stopped = true;
            }
        });
        if stopped {
            return;
        }
    }
}

/// Stage 2: decodes entries on the rayon pool.
fn decode_all(
    store: &dyn Store,
    athlete: AthleteId,
    tz: &TimeZone,
    rx: Receiver<Item>,
    tx: &SyncSender<Decoded>,
    include_deleted: bool,
) {
    rx.into_iter().par_bridge().for_each(|item| {
        let decoded = match item {
            Item::Entry(entry) => {
                let hash = ContentHash(xxhash_rust::xxh3::xxh3_128(&entry.bytes));
                // Skipping known bytes before decoding makes re-running an import cheap. A
                // failed look-up is not fatal: the writer checks again inside its transaction.
                // With `include_deleted`, a known file whose activities were deleted is decoded
                // again so they can come back.
                let restorable =
                    include_deleted && store.has_deleted_activities(athlete, hash).unwrap_or(false);
                if !restorable && store.is_file_imported(athlete, hash).unwrap_or(false) {
                    Decoded::AlreadyImported
                } else {
                    decode_entry(entry, hash, tz)
                }
            }
            Item::Skipped { source, reason } => Decoded::Skipped { source, reason },
            Item::Failed { source, reason } => Decoded::Failed { source, reason },
        };
        // A closed channel means the writer stopped; nothing left to do.
        let _ = tx.send(decoded);
    });
}

/// Decodes one file entry into activities labelled with their source.
/// Also derives each activity's metrics here, on the decoding threads, so the writer only
/// writes.
fn decode_entry(entry: Entry, hash: ContentHash, tz: &TimeZone) -> Decoded {
    let Entry {
        source,
        bytes,
        strava,
    } = entry;
    let size = bytes.len() as u64;
    match fettle_formats::decode_any(&bytes) {
        Ok(decoded) => {
            let multi = decoded.activities.len() > 1;
            let mut activities = Vec::with_capacity(decoded.activities.len());
            let mut skipped_legs = 0;
            for (i, mut activity) in decoded.activities.into_iter().enumerate() {
                if activity.sport == Sport::Transition {
                    skipped_legs += 1;
                    continue;
                }
                if let Some(meta) = &strava {
                    meta.apply_to(&mut activity);
                }
                let label = if multi {
                    format!(
                        "{source}@{}",
                        activity.session_index.map_or(i, |n| n as usize)
                    )
                } else {
                    source.clone()
                };
                let day = local_date(activity.start, activity.utc_offset_s, tz);
                let metrics = activity_metrics(&activity, day);
                let metrics = serde_json::to_string(&metrics).unwrap_or_default();
                activities.push((activity, label, metrics));
            }
            Decoded::Activities {
                entry_source: source,
                hash,
                size,
                activities,
                skipped_legs,
                warnings: decoded.warnings,
            }
        }
        Err(FormatError::NotAnActivity(reason)) => Decoded::Skipped {
            source,
            reason: format!("not an activity: {reason}"),
        },
        Err(err) => Decoded::Failed {
            source,
            reason: err.to_string(),
        },
    }
}

/// Stage 3: the single writer. One transaction per file.
fn write_all(
    store: &dyn Store,
    athlete: AthleteId,
    tz: &TimeZone,
    rx: Receiver<Decoded>,
    progress: &dyn ImportProgress,
    summary: &mut ImportSummary,
    include_deleted: bool,
) -> Result<(), AppError> {
    for decoded in rx {
        summary.files += 1;
        match decoded {
            Decoded::AlreadyImported => summary.duplicates += 1,
            Decoded::Skipped { source, reason } => {
                summary.skipped += 1;
                progress.note(&format!("skipped {source}: {reason}"));
                summary.skips.push(Problem { source, reason });
            }
            Decoded::Failed { source, reason } => {
                summary.failed += 1;
                summary.failures.push(Problem { source, reason });
            }
            Decoded::Activities {
                entry_source,
                hash,
                size,
                activities,
                skipped_legs,
                warnings,
            } => {
                summary.skipped += skipped_legs;
                for warning in warnings {
                    progress.note(&format!("warning {entry_source}: {warning}"));
                    summary.warnings.push(Problem {
                        source: entry_source.clone(),
                        reason: warning,
                    });
                }
                let file = NewFile {
                    content_hash: hash,
                    source: entry_source.clone(),
                    size_bytes: size,
                };
                let new: Vec<NewActivity<'_>> = activities
                    .iter()
                    .map(|(activity, source, _)| NewActivity { activity, source })
                    .collect();
                let outcome = if include_deleted {
                    store.restore_deleted_file(athlete, &file, &new)
                } else {
                    store.import_file(athlete, &file, &new)
                };
                let outcome = outcome
                    .map_err(|e| AppError::Internal(format!("cannot store {entry_source}: {e}")))?;
                // Metrics go in a second, small transaction: should the process die in
                // between, the next recompute derives the missing ones from the streams.
                if let FileOutcome::Imported {
                    activities: ref outcomes,
                    ..
                } = outcome
                {
                    let metrics: Vec<(ActivityId, Option<String>)> = outcomes
                        .iter()
                        .zip(&activities)
                        .filter_map(|(o, (_, _, m))| match o {
                            ActivityOutcome::Inserted(id) if !m.is_empty() => {
                                Some((*id, Some(m.clone())))
                            }
                            _ => None,
                        })
                        .collect();
                    store.set_activity_metrics(athlete, &metrics)?;
                    // A new morning HRV recording's R-R intervals become that day's HRV.
                    for (o, (activity, _, _)) in outcomes.iter().zip(&activities) {
                        if let ActivityOutcome::Inserted(_) = o
                            && let Some(entry) = crate::recovery::morning_hrv_entry(activity, tz)
                        {
                            store.upsert_wellness(athlete, &entry)?;
                            summary.hrv_mornings += 1;
                        }
                    }
                }
                record_outcome(summary, outcome);
            }
        }
        progress.file_done(summary);
    }
    Ok(())
}

/// Adds one file's outcome to the summary.
fn record_outcome(summary: &mut ImportSummary, outcome: FileOutcome) {
    match outcome {
        FileOutcome::AlreadyImported { .. } => summary.duplicates += 1,
        FileOutcome::Imported { activities, .. } => {
            for outcome in activities {
                match outcome {
                    ActivityOutcome::Inserted(id) => {
                        summary.imported += 1;
                        summary.imported_ids.push(id.0);
                    }
                    ActivityOutcome::Duplicate { .. } => summary.duplicates += 1,
                }
            }
        }
    }
}
