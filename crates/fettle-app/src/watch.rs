//! Watch folders and mounted Garmin devices: import new and changed activity files as they
//! appear, through the same pipeline as `fettle import` ([`crate::import`]: content-hash and
//! same-session dedup, plausibility checks, one transaction per file, a bad file failing alone).
//!
//! How a file gets in:
//! 1. **At start** every watched folder is scanned once: files already imported are recognised
//!    by their content hash without being decoded, so a rescan is cheap.
//! 2. **Then** file-system notifications (`notify`, debounced by `notify-debouncer-full`) name
//!    the files created, written or moved in. A named file waits until it is *settled*: its
//!    size and modification time unchanged for [`WatchTiming::settle`], and it *looks complete*
//!    ([`completeness`]: a FIT file as long as its header declares, a GPX/TCX file ending with
//!    its closing tag, a zip ending with its central directory). A file that is still short of
//!    that is announced once as [`WatchEvent::Waiting`] and imported when it is complete — or,
//!    if it stays unchanged and incomplete for [`WatchTiming::incomplete_grace`] (a recording
//!    cut off by a flat battery), as it is, with the decoder's warnings.
//! 3. **Devices**: every [`WatchTiming::device_poll`] the mount roots (`/media/$USER`,
//!    `/run/media/$USER`, `/Volumes`: [`usual_mount_roots`]) are looked at; a newly mounted
//!    volume with a `GARMIN/Activity` folder has its activity files imported. A watched folder
//!    that is itself such a volume is read only in its `GARMIN/Activity` folder (the rest of a
//!    device holds settings, courses and monitoring files, not sessions).
//!
//! Anything that is not a regular file (a FIFO, a socket, a device node) is reported as
//! skipped and never opened, so it cannot block the watcher. Names that download tools and
//! editors use while writing (`.part`, `.crdownload`, `.tmp`, `.swp`, hidden files, `~`) are
//! ignored: the final name's own event brings the file in. A file that fails, a watch error or
//! a store error on one file is reported and the watcher goes on; only [`watch`]'s start (a
//! folder that does not exist, a notification limit reached) is an error.
//!
//! The waits are measured on the monotonic clock ([`Instant`]), never on the wall clock; what
//! is stored is dated exactly as by `fettle import`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use fettle_store::{AthleteId, Store};
use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use serde::Serialize;

use crate::AppError;
use crate::import::{ImportSummary, NoProgress, Problem, StoredMatch, import_paths_with};

/// The waits of the watcher. The defaults suit people dropping or syncing files; tests may
/// shorten them.
#[derive(Debug, Clone, Copy)]
pub struct WatchTiming {
    /// Notifications for one file closer together than this are merged (0.5 s).
    pub debounce: Duration,
    /// A file is read only once its size and modification time have not changed for this long
    /// (1 s): a copy in progress keeps changing both.
    pub settle: Duration,
    /// A settled file that still looks incomplete is imported as it is after this long
    /// unchanged (60 s): long enough for any copy that pauses, short enough that a truncated
    /// recording is not left behind.
    pub incomplete_grace: Duration,
    /// How often waiting files are looked at again (0.25 s).
    pub tick: Duration,
    /// How often the mount roots are looked at for a newly mounted device (2 s).
    pub device_poll: Duration,
}

impl Default for WatchTiming {
    fn default() -> Self {
        WatchTiming {
            debounce: Duration::from_millis(500),
            settle: Duration::from_secs(1),
            incomplete_grace: Duration::from_secs(60),
            tick: Duration::from_millis(250),
            device_poll: Duration::from_secs(2),
        }
    }
}

/// What to watch.
#[derive(Debug, Clone, Default)]
pub struct WatchOptions {
    /// Folders watched (recursively) for new and changed files.
    pub folders: Vec<PathBuf>,
    /// Folders whose sub-folders are mount points to look at for Garmin devices (empty: no
    /// device is looked for). [`usual_mount_roots`] gives the platform's usual ones.
    pub mount_roots: Vec<PathBuf>,
    /// Decoding threads for a scan.
    pub threads: usize,
    /// The waits.
    pub timing: WatchTiming,
}

/// One thing the watcher did, as one line of output (`event` names the kind in JSON).
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum WatchEvent {
    /// The watcher started.
    Watching {
        /// The folders watched (for a device folder, its `GARMIN/Activity`).
        folders: Vec<String>,
        /// Where mounted devices are looked for.
        mount_roots: Vec<String>,
    },
    /// A folder (at start) or a newly mounted device was read whole.
    Scanned {
        /// The folder read.
        folder: String,
        /// Files looked at.
        files: usize,
        /// Activities newly stored.
        imported: usize,
        /// Their ids.
        activity_ids: Vec<i64>,
        /// Files imported before and sessions already stored.
        duplicates: usize,
        /// Files that are not activities.
        skipped: usize,
        /// Files that could not be read or were refused, named with the reason.
        failures: Vec<Problem>,
        /// Files left to finish being written (each is announced by a `waiting` event).
        waiting: usize,
    },
    /// A Garmin device was found mounted.
    DeviceFound {
        /// Its mount point.
        device: String,
    },
    /// A device seen before is no longer mounted.
    DeviceRemoved {
        /// Its mount point.
        device: String,
    },
    /// A file's activities were stored.
    Imported {
        /// The file.
        file: String,
        /// The new activities' ids.
        activity_ids: Vec<i64>,
        /// Morning HRV recordings stored as wellness.
        hrv_mornings: usize,
        /// What the decoder or the plausibility check had to say.
        warnings: Vec<String>,
    },
    /// A file records sessions already stored: nothing new.
    Duplicate {
        /// The file.
        file: String,
        /// The stored activities it records again (empty when its very bytes were imported
        /// before).
        duplicate_of: Vec<StoredMatch>,
    },
    /// Not an activity (or not a regular file): not read.
    Skipped {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
    /// The file could not be read or was refused; nothing of it was stored.
    Failed {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
    /// A file still being written: imported once complete.
    Waiting {
        /// The file.
        file: String,
        /// What is missing.
        reason: String,
    },
    /// A problem of the watcher itself (a notification error); it goes on.
    Error {
        /// What happened.
        message: String,
    },
    /// The watcher stopped (Ctrl-C).
    Stopped,
}

/// Receives the watcher's events as they happen.
pub trait WatchSink {
    /// One event.
    fn event(&self, event: &WatchEvent);
}

/// The folders under which removable volumes are usually mounted: `/media/USER` and
/// `/run/media/USER` (udisks on Linux), `/media` (Debian's usbmount and similar) and
/// `/Volumes` (macOS). `user` is the login name (`$USER`).
pub fn usual_mount_roots(user: Option<&str>) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if cfg!(target_os = "macos") {
        roots.push(PathBuf::from("/Volumes"));
    } else {
        if let Some(user) = user.filter(|u| !u.is_empty() && !u.contains('/')) {
            roots.push(Path::new("/media").join(user));
            roots.push(Path::new("/run/media").join(user));
        }
        roots.push(PathBuf::from("/media"));
    }
    roots
}

/// The `GARMIN/Activity` folder of a mounted Garmin device (the names compared without case:
/// FAT volumes keep the case they were written with).
pub fn garmin_activity_folder(volume: &Path) -> Option<PathBuf> {
    let garmin = child_named(volume, "garmin")?;
    child_named(&garmin, "activity")
}

fn child_named(dir: &Path, lower_name: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir).ok()?.flatten().find_map(|entry| {
        let matches = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(lower_name));
        (matches && entry.path().is_dir()).then(|| entry.path())
    })
}

/// Whether a file's bytes look like a whole file of its format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completeness {
    /// The format's own end marker is there (or the format has none Fettle can check).
    Complete,
    /// Still short of what the file declares: why.
    Incomplete(String),
}

/// Looks at a file's head and tail (never the whole file) for its format's end: a FIT file
/// (`.fit`) must be as long as its header's data size plus the header and the 2-byte CRC; a
/// GPX or TCX file must end with `</gpx>` or `</TrainingCenterDatabase>`; a zip must end with
/// its end-of-central-directory record. Other files (`.gz`, unknown) count as complete: for
/// them only the settling time tells. An unreadable file counts as complete, so that the
/// importer names the error.
pub fn completeness(path: &Path) -> Completeness {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let Ok(mut file) = std::fs::File::open(path) else {
        return Completeness::Complete;
    };
    let Ok(len) = file.metadata().map(|m| m.len()) else {
        return Completeness::Complete;
    };
    let mut tail = |n: u64| -> Option<Vec<u8>> {
        let take = n.min(len);
        file.seek(SeekFrom::Start(len - take)).ok()?;
        let mut buf = Vec::with_capacity(take as usize);
        (&mut file).take(take).read_to_end(&mut buf).ok()?;
        Some(buf)
    };
    if name.ends_with(".fit") {
        fit_completeness(path, len)
    } else if name.ends_with(".gpx") || name.ends_with(".tcx") {
        let closing = if name.ends_with(".gpx") {
            "</gpx>"
        } else {
            "</trainingcenterdatabase>"
        };
        match tail(256) {
            Some(bytes) => {
                let text = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
                if text.trim_end().ends_with(closing) {
                    Completeness::Complete
                } else {
                    Completeness::Incomplete(format!("no closing {closing} yet ({len} bytes)"))
                }
            }
            None => Completeness::Complete,
        }
    } else if name.ends_with(".zip") {
        // The end-of-central-directory record (PK\x05\x06) is in the last 22 + 65 535 bytes.
        match tail(22 + 65_535) {
            Some(bytes) if bytes.windows(4).any(|w| w == b"PK\x05\x06") => Completeness::Complete,
            Some(_) => {
                Completeness::Incomplete(format!("no zip directory at its end yet ({len} bytes)"))
            }
            None => Completeness::Complete,
        }
    } else {
        Completeness::Complete
    }
}

/// A FIT file's declared length: header size (byte 0, 12 or 14) + data size (bytes 4–7, little
/// endian) + 2 bytes of CRC (FIT protocol, file header). A chained FIT file is longer: fine. A
/// file whose first bytes cannot begin a FIT header is not a FIT file being written: the
/// decoder will say what it is.
fn fit_completeness(path: &Path, len: u64) -> Completeness {
    let mut head = Vec::with_capacity(12);
    let read = std::fs::File::open(path).and_then(|f| f.take(12).read_to_end(&mut head));
    if read.is_err() {
        return Completeness::Complete;
    }
    let starts_a_header = matches!(head.first(), Some(12 | 14))
        && head
            .get(8..)
            .is_none_or(|signature| b".FIT".starts_with(signature));
    if !starts_a_header {
        return Completeness::Complete;
    }
    if head.len() < 12 {
        return Completeness::Incomplete(format!("{len} bytes, shorter than a FIT header"));
    }
    let header = u64::from(head[0]);
    let data = u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]]));
    let declared = header + data + 2;
    if len >= declared {
        Completeness::Complete
    } else {
        Completeness::Incomplete(format!("{len} of {declared} bytes written"))
    }
}

/// Names used while a file is being written, before it gets its own.
fn is_temporary_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    name.starts_with('.')
        || name.ends_with('~')
        || [
            ".part",
            ".partial",
            ".crdownload",
            ".download",
            ".tmp",
            ".swp",
        ]
        .iter()
        .any(|suffix| lower.ends_with(suffix))
}

/// A file named by a notification, waiting to settle.
struct Pending {
    /// Size and modification time when last looked at.
    seen: Option<(u64, Option<SystemTime>)>,
    /// When they last changed.
    since: Instant,
    /// Whether the `waiting` event was given for this state.
    announced: bool,
}

/// Watches until `stop` is set: scans the folders, then imports what appears in them and on
/// devices mounted under the mount roots, reporting each step to `sink`. Errors only when it
/// cannot start (a folder missing or unwatchable); everything after is reported and survived.
pub fn watch(
    store: &dyn Store,
    athlete: AthleteId,
    options: &WatchOptions,
    sink: &dyn WatchSink,
    stop: &AtomicBool,
) -> Result<(), AppError> {
    if options.folders.is_empty() && options.mount_roots.is_empty() {
        return Err(AppError::Invalid(
            "nothing to watch: give a folder, or let Fettle look for mounted devices".into(),
        ));
    }
    let mut scopes = Vec::new();
    for folder in &options.folders {
        if !folder.is_dir() {
            return Err(AppError::Invalid(format!(
                "{} is not a folder: give folders to watch",
                folder.display()
            )));
        }
        scopes.push(garmin_activity_folder(folder).unwrap_or_else(|| folder.clone()));
    }

    let (tx, rx) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(options.timing.debounce, None, move |result| {
        // The receiver is gone only when the watcher is stopping.
        let _ = tx.send(result);
    })
    .map_err(|e| AppError::Internal(format!("cannot start watching for new files: {e}")))?;
    for scope in &scopes {
        debouncer
            .watch(scope, RecursiveMode::Recursive)
            .map_err(|e| {
                AppError::Invalid(format!(
                    "cannot watch {}: {e} (on Linux, a full inotify limit is raised with \
                     `sysctl fs.inotify.max_user_watches`)",
                    scope.display()
                ))
            })?;
    }

    sink.event(&WatchEvent::Watching {
        folders: scopes.iter().map(|s| s.display().to_string()).collect(),
        mount_roots: options
            .mount_roots
            .iter()
            .map(|r| r.display().to_string())
            .collect(),
    });

    let mut watcher = Watcher {
        store,
        athlete,
        options,
        sink,
        pending: BTreeMap::new(),
    };
    for scope in &scopes {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        watcher.scan(scope);
    }

    let mut devices: BTreeSet<PathBuf> = BTreeSet::new();
    let mut next_device_poll = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        match rx.recv_timeout(options.timing.tick) {
            Ok(Ok(events)) => {
                for event in events {
                    if matches!(event.kind, EventKind::Remove(_) | EventKind::Access(_)) {
                        continue;
                    }
                    for path in &event.paths {
                        if scopes.iter().any(|s| path.starts_with(s)) {
                            watcher.named(path);
                        }
                    }
                }
            }
            Ok(Err(errors)) => {
                for error in errors {
                    sink.event(&WatchEvent::Error {
                        message: format!("file notifications: {error}"),
                    });
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(AppError::Internal(
                    "the file notifications stopped unexpectedly".into(),
                ));
            }
        }
        watcher.settle_pending(Instant::now());
        if !options.mount_roots.is_empty() && Instant::now() >= next_device_poll {
            next_device_poll = Instant::now() + options.timing.device_poll;
            let mounted = mounted_devices(&options.mount_roots);
            for gone in devices.difference(&mounted) {
                sink.event(&WatchEvent::DeviceRemoved {
                    device: gone.display().to_string(),
                });
            }
            for new in mounted.difference(&devices) {
                sink.event(&WatchEvent::DeviceFound {
                    device: new.display().to_string(),
                });
                if let Some(activities) = garmin_activity_folder(new) {
                    watcher.scan(&activities);
                }
            }
            devices = mounted;
        }
    }
    drop(debouncer);
    sink.event(&WatchEvent::Stopped);
    Ok(())
}

/// The volumes under the mount roots that carry a `GARMIN/Activity` folder.
fn mounted_devices(roots: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    for root in roots {
        let Ok(entries) = std::fs::read_dir(root) else {
            continue;
        };
        for entry in entries.flatten() {
            let volume = entry.path();
            if garmin_activity_folder(&volume).is_some() {
                found.insert(volume);
            }
        }
    }
    found
}

/// The watcher's working state.
struct Watcher<'a> {
    store: &'a dyn Store,
    athlete: AthleteId,
    options: &'a WatchOptions,
    sink: &'a dyn WatchSink,
    pending: BTreeMap<PathBuf, Pending>,
}

impl Watcher<'_> {
    /// Reads a folder whole: complete files in one import, the others left waiting.
    fn scan(&mut self, folder: &Path) {
        let mut files = Vec::new();
        let mut not_regular = Vec::new();
        walk(folder, &mut files, &mut not_regular);
        for (path, reason) in not_regular {
            self.sink.event(&WatchEvent::Skipped {
                file: path.display().to_string(),
                reason,
            });
        }
        let (ready, waiting): (Vec<PathBuf>, Vec<PathBuf>) = files
            .into_iter()
            .partition(|path| completeness(path) == Completeness::Complete);
        let summary = if ready.is_empty() {
            ImportSummary::default()
        } else {
            match self.import(&ready) {
                Some(summary) => summary,
                None => return,
            }
        };
        let waiting_count = waiting.len();
        for path in waiting {
            self.named(&path);
        }
        self.sink.event(&WatchEvent::Scanned {
            folder: folder.display().to_string(),
            files: summary.files,
            imported: summary.imported,
            activity_ids: summary.imported_ids,
            duplicates: summary.duplicates,
            skipped: summary.skipped,
            failures: summary.failures,
            waiting: waiting_count,
        });
    }

    /// A path a notification named (or a scan found unfinished): a folder's files are taken
    /// in; a file waits to settle.
    fn named(&mut self, path: &Path) {
        if is_temporary_name(path) {
            return;
        }
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.is_dir() => {
                // A folder moved in whole: its files bring no notifications of their own.
                let mut files = Vec::new();
                let mut not_regular = Vec::new();
                walk(path, &mut files, &mut not_regular);
                for file in files {
                    self.pending.entry(file).or_insert_with(|| Pending {
                        seen: None,
                        since: Instant::now(),
                        announced: false,
                    });
                }
                for (file, reason) in not_regular {
                    self.sink.event(&WatchEvent::Skipped {
                        file: file.display().to_string(),
                        reason,
                    });
                }
            }
            Ok(_) => {
                self.pending
                    .entry(path.to_path_buf())
                    .or_insert_with(|| Pending {
                        seen: None,
                        since: Instant::now(),
                        announced: false,
                    });
            }
            // Gone already (a temporary file renamed away): nothing to do.
            Err(_) => {}
        }
    }

    /// Imports the waiting files that have settled and look complete.
    fn settle_pending(&mut self, now: Instant) {
        let timing = self.options.timing;
        let mut ready = Vec::new();
        let mut done = Vec::new();
        for (path, pending) in &mut self.pending {
            let Ok(meta) = std::fs::metadata(path) else {
                // Gone (renamed or deleted before it settled): nothing to import.
                done.push(path.clone());
                continue;
            };
            if !meta.is_file() {
                if !meta.is_dir() {
                    self.sink.event(&WatchEvent::Skipped {
                        file: path.display().to_string(),
                        reason: fettle_formats::archive::not_a_regular_file(&meta.file_type()),
                    });
                }
                done.push(path.clone());
                continue;
            }
            let seen = Some((meta.len(), meta.modified().ok()));
            if seen != pending.seen {
                pending.seen = seen;
                pending.since = now;
                pending.announced = false;
                continue;
            }
            let unchanged = now.saturating_duration_since(pending.since);
            if unchanged < timing.settle {
                continue;
            }
            match completeness(path) {
                Completeness::Complete => ready.push(path.clone()),
                Completeness::Incomplete(_) if unchanged >= timing.incomplete_grace => {
                    ready.push(path.clone());
                }
                Completeness::Incomplete(reason) => {
                    if !pending.announced {
                        pending.announced = true;
                        self.sink.event(&WatchEvent::Waiting {
                            file: path.display().to_string(),
                            reason: format!(
                                "still being written ({reason}); imported once complete"
                            ),
                        });
                    }
                }
            }
        }
        for path in done {
            self.pending.remove(&path);
        }
        for path in ready {
            self.pending.remove(&path);
            if let Some(summary) = self.import(std::slice::from_ref(&path)) {
                self.sink.event(&file_event(&path, summary));
            }
        }
    }

    /// One import through the shared pipeline; a failure of the whole import (the database)
    /// is reported and survived.
    fn import(&self, paths: &[PathBuf]) -> Option<ImportSummary> {
        match import_paths_with(
            self.store,
            self.athlete,
            paths,
            self.options.threads.max(1),
            &NoProgress,
            false,
        ) {
            Ok(summary) => Some(summary),
            Err(error) => {
                let what = match paths {
                    [one] => one.display().to_string(),
                    _ => format!("{} files", paths.len()),
                };
                self.sink.event(&WatchEvent::Error {
                    message: format!("importing {what}: {error}"),
                });
                None
            }
        }
    }
}

/// The one event that says what importing one file did.
fn file_event(path: &Path, summary: ImportSummary) -> WatchEvent {
    let file = path.display().to_string();
    let mut summary = summary;
    if summary.imported > 0 {
        return WatchEvent::Imported {
            file,
            activity_ids: summary.imported_ids,
            hrv_mornings: summary.hrv_mornings,
            warnings: summary.warnings.into_iter().map(|w| w.reason).collect(),
        };
    }
    if let Some(failure) = summary.failures.pop() {
        return WatchEvent::Failed {
            file,
            reason: failure.reason,
        };
    }
    if summary.duplicates > 0 {
        return WatchEvent::Duplicate {
            file,
            duplicate_of: summary
                .duplicate_activities
                .into_iter()
                .map(|d| d.duplicate_of)
                .collect(),
        };
    }
    if let Some(skip) = summary.skips.pop() {
        return WatchEvent::Skipped {
            file,
            reason: skip.reason,
        };
    }
    if summary.hrv_mornings > 0 {
        return WatchEvent::Imported {
            file,
            activity_ids: Vec::new(),
            hrv_mornings: summary.hrv_mornings,
            warnings: Vec::new(),
        };
    }
    WatchEvent::Skipped {
        file,
        reason: "nothing in it to import".into(),
    }
}

/// Regular files under `folder` (sorted, symlinked folders not followed, temporary names left
/// out), and the paths that are not regular files with why.
fn walk(folder: &Path, files: &mut Vec<PathBuf>, not_regular: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let mut children: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    children.sort();
    for path in children {
        if is_temporary_name(&path) {
            continue;
        }
        let Ok(link) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if link.is_dir() {
            walk(&path, files, not_regular);
            continue;
        }
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => files.push(path),
            Ok(meta) if meta.is_dir() => {}
            Ok(meta) => {
                let reason = fettle_formats::archive::not_a_regular_file(&meta.file_type());
                not_regular.push((path, reason));
            }
            Err(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fit_file_is_complete_only_at_its_declared_length() {
        let dir = tempfile::tempdir().unwrap();
        // A 14-byte header declaring 100 bytes of records: whole at 14 + 100 + 2 = 116 bytes.
        let mut header = vec![14u8, 0x20, 0, 0];
        header.extend_from_slice(&100u32.to_le_bytes());
        header.extend_from_slice(b".FIT");
        header.extend_from_slice(&[0, 0]);
        let path = dir.path().join("a.fit");
        let mut bytes = header.clone();
        bytes.resize(60, 0);
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(
            completeness(&path),
            Completeness::Incomplete("60 of 116 bytes written".into())
        );
        bytes.resize(116, 0);
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(completeness(&path), Completeness::Complete);
        // The first bytes of a header: still being written. Text named .fit: not a FIT file
        // at all, for the decoder to refuse.
        std::fs::write(&path, [14u8, 0x20]).unwrap();
        assert!(matches!(completeness(&path), Completeness::Incomplete(_)));
        std::fs::write(&path, "garbage").unwrap();
        assert_eq!(completeness(&path), Completeness::Complete);
        std::fs::write(&path, b"\x0e\x20\0\0\x64\0\0\0.ZIP\0\0").unwrap();
        assert_eq!(completeness(&path), Completeness::Complete);
    }

    #[test]
    fn gpx_tcx_and_zip_are_complete_at_their_end_markers() {
        let dir = tempfile::tempdir().unwrap();
        let gpx = dir.path().join("r.GPX");
        std::fs::write(&gpx, "<gpx><trk><trkseg><trkpt lat=\"1\" lon=\"2\"/>").unwrap();
        assert!(matches!(completeness(&gpx), Completeness::Incomplete(_)));
        std::fs::write(&gpx, "<gpx><trk></trk></GPX>\n").unwrap();
        assert_eq!(completeness(&gpx), Completeness::Complete);
        let tcx = dir.path().join("r.tcx");
        std::fs::write(&tcx, "<TrainingCenterDatabase><Activities>").unwrap();
        assert!(matches!(completeness(&tcx), Completeness::Incomplete(_)));
        std::fs::write(&tcx, "<TrainingCenterDatabase></TrainingCenterDatabase>").unwrap();
        assert_eq!(completeness(&tcx), Completeness::Complete);
        let zip = dir.path().join("e.zip");
        std::fs::write(&zip, b"PK\x03\x04 some entry").unwrap();
        assert!(matches!(completeness(&zip), Completeness::Incomplete(_)));
        let mut whole = b"PK\x03\x04 entry PK\x01\x02 dir ".to_vec();
        whole.extend_from_slice(b"PK\x05\x06");
        whole.extend_from_slice(&[0; 18]);
        std::fs::write(&zip, whole).unwrap();
        assert_eq!(completeness(&zip), Completeness::Complete);
    }

    #[test]
    fn temporary_names_are_left_alone() {
        for name in ["a.fit.part", ".a.fit", "a.fit~", "a.crdownload", "x.TMP"] {
            assert!(is_temporary_name(Path::new(name)), "{name}");
        }
        assert!(!is_temporary_name(Path::new("dir/2026-01-01-07-00-00.fit")));
    }

    #[test]
    fn a_garmin_volume_is_recognised_whatever_the_case() {
        let root = tempfile::tempdir().unwrap();
        let volume = root.path().join("FR935");
        std::fs::create_dir_all(volume.join("Garmin").join("ACTIVITY")).unwrap();
        std::fs::create_dir_all(root.path().join("USBSTICK").join("photos")).unwrap();
        assert_eq!(
            garmin_activity_folder(&volume),
            Some(volume.join("Garmin").join("ACTIVITY"))
        );
        let found = mounted_devices(&[root.path().to_path_buf(), root.path().join("none")]);
        assert_eq!(found.into_iter().collect::<Vec<_>>(), vec![volume]);
    }

    #[test]
    fn usual_mount_roots_include_the_users_media_folders() {
        let roots = usual_mount_roots(Some("ana"));
        if cfg!(target_os = "macos") {
            assert_eq!(roots, vec![PathBuf::from("/Volumes")]);
        } else {
            assert!(roots.contains(&PathBuf::from("/media/ana")));
            assert!(roots.contains(&PathBuf::from("/run/media/ana")));
            // A name with a slash is not a user name.
            assert!(
                !usual_mount_roots(Some("../etc"))
                    .iter()
                    .any(|r| r.ends_with("etc"))
            );
        }
    }
}
