//! Import: files → decoded activities → the database, in parallel with one writer.
//!
//! The pipeline has three stages joined by bounded channels, so memory stays flat however large
//! the export is:
//! 1. one reader thread expands the inputs (folders, zips, `.gz`) into file entries, one at a
//!    time ([`fettle_formats::archive::expand`]), handing each on only when its estimated
//!    memory fits in a budget shared until it is written (`IN_FLIGHT_BYTES`), so the peak stays
//!    under 512 MB whatever the input;
//! 2. a rayon pool decodes entries in parallel (content hash, [`fettle_formats::decode_any`]);
//! 3. this thread is the only writer: one database transaction per file, so a killed import
//!    leaves a consistent database and running it again completes it (files already recorded are
//!    recognised by their content hash and skipped).
//!
//! Every decoded activity passes [`crate::plausible::check_activity`] before it is stored: what
//! can honestly be repaired is repaired with a warning, and an activity that cannot be trusted
//! fails its file, named with the reason, while the rest of the batch is stored. A file the
//! store refuses fails alone too; loads are recomputed at the end whatever failed.
//!
//! Transition legs of multisport files are not stored: they are short, carry no meaningful
//! training stress and would clutter the activity list; they are counted as skipped legs.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Condvar, Mutex, PoisonError};

use fettle_formats::archive::{self, Entry, Item, Limits};
use fettle_formats::{Activity, FormatError, Sport};
use fettle_store::{
    ActivityId, ActivityOutcome, AthleteId, ContentHash, FileOutcome, NewActivity, NewFile, Store,
    StoreError,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use rayon::iter::{ParallelBridge, ParallelIterator};
use serde::Serialize;

use crate::AppError;
use crate::training::{activity_metrics, local_date};

/// How many entries may wait between stages.
const QUEUE_DEPTH: usize = 32;

/// One mebibyte.
const MIB: u64 = 1024 * 1024;

/// Memory the files between reading and writing may take at once, by their estimated weight
/// ([`weight_of`]): 256 MiB. With one file of each at most 64 MiB read and at most
/// [`fettle_formats::MAX_SAMPLES`] samples decoded, an import's peak stays under 512 MB
/// whatever the input and however many decoding threads run. A file heavier than this on its own
/// is still read, alone.
const IN_FLIGHT_BYTES: u64 = 256 * MIB;

/// Bytes one decoded sample may take at its peak: the decoder's columns, the streams, the
/// load features and the compressed blob (≈ 150 bytes, measured with the release build on a
/// FIT of one-byte records).
const BYTES_PER_SAMPLE: u64 = 150;

/// The memory a file may take from being read to being written: its bytes, plus its samples at
/// [`BYTES_PER_SAMPLE`] — one sample per byte at worst (a crafted FIT of one-byte records), and
/// never more than [`fettle_formats::MAX_SAMPLES`].
fn weight_of(entry: &Entry) -> u64 {
    let len = entry.bytes.len() as u64;
    let samples = len.min(fettle_formats::MAX_SAMPLES as u64);
    len + samples * BYTES_PER_SAMPLE
}

/// The memory budget of the files in flight: the reader waits for room before it hands on a
/// file, and the room comes back when the writer is done with it (or it is dropped on the way).
struct InFlight {
    used: Mutex<u64>,
    freed: Condvar,
}

/// One file's share of [`InFlight`], given back when dropped.
struct Permit<'a> {
    budget: &'a InFlight,
    weight: u64,
}

impl InFlight {
    fn new() -> InFlight {
        InFlight {
            used: Mutex::new(0),
            freed: Condvar::new(),
        }
    }

    /// Waits until `weight` fits in [`IN_FLIGHT_BYTES`] (or nothing else is in flight).
    fn acquire(&self, weight: u64) -> Permit<'_> {
        let mut used = self.used.lock().unwrap_or_else(PoisonError::into_inner);
        while *used > 0 && *used + weight > IN_FLIGHT_BYTES {
            used = self
                .freed
                .wait(used)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *used += weight;
        Permit {
            budget: self,
            weight,
        }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if self.weight == 0 {
            return;
        }
        let mut used = self
            .budget
            .used
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *used = used.saturating_sub(self.weight);
        self.budget.freed.notify_all();
    }
}

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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// The file, as given (with `#entry` inside an archive).
    pub source: String,
    /// What was wrong.
    pub reason: String,
}

/// The stored activity a duplicate matched.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredMatch {
    /// Its id (as `fettle activity ID` takes it).
    pub activity_id: i64,
    /// The file it was imported from.
    pub source: String,
}

/// One activity not stored because the same session is already stored.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Duplicate {
    /// The new file (with `@leg` for a leg of a multisport file).
    pub source: String,
    /// The stored activity it records again.
    pub duplicate_of: StoredMatch,
}

/// What an import did, printed at the end (as a table or JSON).
#[derive(Debug, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportSummary {
    /// Files looked at (archive entries count one each).
    pub files: usize,
    /// Activities newly stored.
    pub imported: usize,
    /// Ids of the activities newly stored.
    pub imported_ids: Vec<i64>,
    /// Activities already in the database, plus whole files imported before.
    pub duplicates: usize,
    /// Each activity counted in `duplicates` because the same session is already stored, with
    /// the stored activity it matched (files whose very bytes were imported before are counted
    /// but not listed: nothing of them was decoded).
    pub duplicate_activities: Vec<Duplicate>,
    /// Files that are not activities, plus transition legs.
    pub skipped: usize,
    /// Files that could not be read, or were refused (an implausible activity, a file past a
    /// size limit, a file the store refused); nothing of them was stored.
    pub failed: usize,
    /// The failed files with their reasons.
    pub failures: Vec<Problem>,
    /// The skipped files with their reasons.
    pub skips: Vec<Problem>,
    /// Warnings per file: from decoders (bad CRC, truncated file …) and from the plausibility
    /// check (values left out or repaired).
    pub warnings: Vec<Problem>,
    /// Activities whose loads were recomputed after the import (0 when nothing was new).
    pub loads_recomputed: usize,
    /// Morning HRV recordings (short FIT files at rest with R-R intervals) stored as wellness
    /// entries (see `recovery::morning_hrv_entry`).
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

/// [`import_paths_at`] now: the plausibility bounds' "tomorrow" is this machine's.
pub fn import_paths(
    store: &dyn Store,
    athlete: AthleteId,
    paths: &[PathBuf],
    threads: usize,
    progress: &dyn ImportProgress,
) -> Result<ImportSummary, AppError> {
    import_paths_at(store, athlete, paths, threads, progress, Timestamp::now())
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
    let inputs: Vec<(PathBuf, Option<String>)> =
        paths.iter().map(|path| (path.clone(), None)).collect();
    import_inputs(
        store,
        athlete,
        inputs,
        threads,
        progress,
        Timestamp::now(),
        include_deleted,
    )
}

/// Imports every input (files, folders, `.gz`, export zips) into `store` for `athlete`, decoding
/// on `threads` threads, and returns what happened. `now` bounds the dates accepted (no session
/// may start or end more than a day after it). Inputs that do not exist are an error before
/// anything is written. A file that cannot be read or stored fails alone (named in
/// [`ImportSummary::failures`]); the rest is stored, with loads.
pub fn import_paths_at(
    store: &dyn Store,
    athlete: AthleteId,
    paths: &[PathBuf],
    threads: usize,
    progress: &dyn ImportProgress,
    now: Timestamp,
) -> Result<ImportSummary, AppError> {
    let inputs: Vec<(PathBuf, Option<String>)> =
        paths.iter().map(|path| (path.clone(), None)).collect();
    import_inputs(store, athlete, inputs, threads, progress, now, false)
}

/// [`import_paths`] for files whose path is not their name: each `(path, name)` is read from
/// `path` and recorded (activity sources, failures, skips) under `name`. A server streams an
/// upload to a temporary file; what it stores and answers is the uploaded file's own name,
/// never the server's temporary path.
pub fn import_named(
    store: &dyn Store,
    athlete: AthleteId,
    files: &[(PathBuf, String)],
    threads: usize,
    progress: &dyn ImportProgress,
) -> Result<ImportSummary, AppError> {
    let inputs: Vec<(PathBuf, Option<String>)> = files
        .iter()
        .map(|(path, name)| (path.clone(), Some(name.clone())))
        .collect();
    import_inputs(
        store,
        athlete,
        inputs,
        threads,
        progress,
        Timestamp::now(),
        false,
    )
}

/// The pipeline of [`import_paths_at`] and [`import_named`]: inputs with the name to record for
/// each (`None`: its path).
fn import_inputs(
    store: &dyn Store,
    athlete: AthleteId,
    paths: Vec<(PathBuf, Option<String>)>,
    threads: usize,
    progress: &dyn ImportProgress,
    now: Timestamp,
    include_deleted: bool,
) -> Result<ImportSummary, AppError> {
    for (path, name) in &paths {
        if !path.exists() {
            let shown = name.clone().unwrap_or_else(|| path.display().to_string());
            return Err(AppError::Invalid(format!(
                "{shown} does not exist: give a file, a folder or an export zip"
            )));
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(|i| format!("fettle-decode-{i}"))
        .build()
        .map_err(|e| AppError::Internal(format!("cannot start the decoding threads: {e}")))?;

    let in_flight = InFlight::new();
    let (entry_tx, entry_rx) = sync_channel::<(Item, Permit<'_>)>(QUEUE_DEPTH);
    let (decoded_tx, decoded_rx) = sync_channel::<(Decoded, Permit<'_>)>(QUEUE_DEPTH);
    let tz = crate::athlete_time_zone(store, athlete)?;
    let mut summary = ImportSummary::default();

    let written = std::thread::scope(|scope| -> Result<(), AppError> {
        let in_flight = &in_flight;
        scope.spawn(move || read_inputs(&paths, in_flight, &entry_tx));
        let tz = &tz;
        scope.spawn(move || {
            pool.install(|| {
                decode_all(
                    store,
                    athlete,
                    tz,
                    now,
                    entry_rx,
                    &decoded_tx,
                    include_deleted,
                );
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
    });
    // Whatever happened above, what was stored gets its loads. Also when nothing is new: an
    // import killed after some files were stored but before this step left activities without
    // loads, and running the same import again must complete it.
    let loads = recompute_missing_loads(store, athlete, &mut summary);
    written?;
    loads?;
    Ok(summary)
}

/// Recomputes the loads when anything was stored or some activity lacks its load.
fn recompute_missing_loads(
    store: &dyn Store,
    athlete: AthleteId,
    summary: &mut ImportSummary,
) -> Result<(), AppError> {
    let counts = store.counts(athlete)?;
    if summary.imported > 0 || counts.activities_with_loads < counts.activities {
        summary.loads_recomputed = crate::training::recompute_loads(store, athlete)?.activities;
    }
    Ok(())
}

/// Stage 1: expands every input into entries, in order, each named by its path or the name
/// given for it, and handed on once its weight fits in the memory budget.
fn read_inputs<'a>(
    paths: &[(PathBuf, Option<String>)],
    in_flight: &'a InFlight,
    tx: &SyncSender<(Item, Permit<'a>)>,
) {
    let limits = Limits::default();
    for (path, name) in paths {
        let mut stopped = false;
        let prefix = path.display().to_string();
        archive::expand(path, &limits, &mut |mut item| {
            if stopped {
                return;
            }
            if let Some(name) = name {
                rename_source(&mut item, &prefix, name);
            }
            let weight = match &item {
                Item::Entry(entry) => weight_of(entry),
                Item::Skipped { .. } | Item::Failed { .. } => 0,
            };
            let permit = in_flight.acquire(weight);
            // The writer hung up (an error ends the import): stop reading.
            if tx.send((item, permit)).is_err() {
                stopped = true;
            }
        });
        if stopped {
            return;
        }
    }
}

/// Replaces the `prefix` (an input's path) that starts an item's source with `name`; the rest
/// (`!member.fit` inside a zip, `/child.gpx` in a folder) stays.
fn rename_source(item: &mut Item, prefix: &str, name: &str) {
    let source = match item {
        Item::Entry(entry) => &mut entry.source,
        Item::Skipped { source, .. } | Item::Failed { source, .. } => source,
    };
    if let Some(rest) = source.strip_prefix(prefix) {
        *source = format!("{name}{rest}");
    }
}

/// Stage 2: decodes entries on the rayon pool.
fn decode_all<'a>(
    store: &dyn Store,
    athlete: AthleteId,
    tz: &TimeZone,
    now: Timestamp,
    rx: Receiver<(Item, Permit<'a>)>,
    tx: &SyncSender<(Decoded, Permit<'a>)>,
    include_deleted: bool,
) {
    rx.into_iter().par_bridge().for_each(|(item, permit)| {
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
                    decode_entry(entry, hash, tz, now)
                }
            }
            Item::Skipped { source, reason } => Decoded::Skipped { source, reason },
            Item::Failed { source, reason } => Decoded::Failed { source, reason },
        };
        // A closed channel means the writer stopped; nothing left to do.
        let _ = tx.send((decoded, permit));
    });
}

/// Decodes one file entry into activities labelled with their source, each checked for
/// plausibility (one implausible activity fails the whole file: its content hash must not be
/// recorded as imported with a session missing). Also derives each activity's metrics here, on
/// the decoding threads, so the writer only writes.
fn decode_entry(entry: Entry, hash: ContentHash, tz: &TimeZone, now: Timestamp) -> Decoded {
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
            let mut warnings = decoded.warnings;
            for (i, mut activity) in decoded.activities.into_iter().enumerate() {
                if activity.sport == Sport::Transition {
                    skipped_legs += 1;
                    continue;
                }
                if let Some(meta) = &strava {
                    meta.apply_to(&mut activity);
                }
                let leg = activity.session_index.map_or(i, |n| n as usize);
                let label = if multi {
                    format!("{source}@{leg}")
                } else {
                    source.clone()
                };
                let session = if multi {
                    format!("session {leg}: ")
                } else {
                    String::new()
                };
                match crate::plausible::check_activity(&mut activity, now) {
                    Ok(found) => {
                        warnings.extend(found.into_iter().map(|w| format!("{session}{w}")));
                    }
                    Err(violation) => {
                        return Decoded::Failed {
                            source,
                            reason: format!("{session}{}", violation.message),
                        };
                    }
                }
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
                warnings,
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
    rx: Receiver<(Decoded, Permit<'_>)>,
    progress: &dyn ImportProgress,
    summary: &mut ImportSummary,
    include_deleted: bool,
) -> Result<(), AppError> {
    // The permit is dropped, and its memory given back, once the file is written.
    for (decoded, _permit) in rx {
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
                let stored = if include_deleted {
                    store.restore_deleted_file(athlete, &file, &new)
                } else {
                    store.import_file(athlete, &file, &new)
                };
                let outcome = match stored {
                    Ok(outcome) => outcome,
                    // The file's content broke a rule of the store: that file fails, nothing of
                    // it was written, and the batch goes on.
                    Err(StoreError::InvalidActivity { reason, index, .. }) => {
                        summary.failed += 1;
                        summary.failures.push(Problem {
                            source: entry_source,
                            reason: format!("activity {index} was refused: {reason}"),
                        });
                        progress.file_done(summary);
                        continue;
                    }
                    Err(e) => {
                        return Err(AppError::Internal(format!(
                            "cannot store {entry_source}: {e}"
                        )));
                    }
                };
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
                if let FileOutcome::Imported {
                    activities: ref outcomes,
                    ..
                } = outcome
                {
                    name_duplicates(store, athlete, outcomes, &activities, progress, summary)?;
                }
                record_outcome(summary, outcome);
            }
        }
        progress.file_done(summary);
    }
    Ok(())
}

/// Lists each activity of a file found to duplicate a stored one, with that activity's id and
/// source, and names it to the progress (shown with `--verbose`).
fn name_duplicates(
    store: &dyn Store,
    athlete: AthleteId,
    outcomes: &[ActivityOutcome],
    activities: &[(Activity, String, String)],
    progress: &dyn ImportProgress,
    summary: &mut ImportSummary,
) -> Result<(), AppError> {
    for (outcome, (_, source, _)) in outcomes.iter().zip(activities) {
        let ActivityOutcome::Duplicate { of } = outcome else {
            continue;
        };
        // The match was found in this very transaction's snapshot; should it be gone since
        // (deleted by another face), the id alone still says what was matched.
        let stored_source = store
            .get_activity(athlete, *of)?
            .map_or_else(|| "(since deleted)".to_owned(), |a| a.summary.source);
        progress.note(&format!(
            "duplicate {source}: the same session as activity {of} ({stored_source}), not stored again"
        ));
        summary.duplicate_activities.push(Duplicate {
            source: source.clone(),
            duplicate_of: StoredMatch {
                activity_id: of.0,
                source: stored_source,
            },
        });
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(len: usize) -> Entry {
        Entry {
            source: "x.fit".to_owned(),
            bytes: vec![0; len],
            strava: None,
        }
    }

    #[test]
    fn a_file_weighs_its_bytes_plus_at_most_a_million_samples() {
        // 1,000 bytes: 1,000 + 1,000 × 150 = 151,000.
        assert_eq!(weight_of(&entry(1_000)), 151_000);
        // 2,000,000 bytes: the samples stop at 1,000,000 → 2,000,000 + 150,000,000.
        assert_eq!(weight_of(&entry(2_000_000)), 152_000_000);
    }

    #[test]
    fn the_budget_admits_a_heavy_file_alone_and_waits_for_room_otherwise() {
        let budget = InFlight::new();
        // Heavier than the whole budget, but nothing else is in flight: admitted.
        let heavy = budget.acquire(IN_FLIGHT_BYTES * 2);
        drop(heavy);
        let first = budget.acquire(IN_FLIGHT_BYTES / 2);
        let second = budget.acquire(IN_FLIGHT_BYTES / 2);
        assert_eq!(*budget.used.lock().unwrap(), IN_FLIGHT_BYTES);
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                // No room until one of the two is given back.
                let third = budget.acquire(IN_FLIGHT_BYTES / 4);
                done_tx.send(third.weight).unwrap();
            });
            drop(first);
            // Watchdog, not a timing: a lost wake-up would hang here for a minute and fail.
            let admitted = done_rx.recv_timeout(std::time::Duration::from_secs(60));
            assert_eq!(admitted, Ok(IN_FLIGHT_BYTES / 4));
        });
        drop(second);
        assert_eq!(*budget.used.lock().unwrap(), 0);
    }
}
