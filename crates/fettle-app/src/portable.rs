//! Export and restore: everything an athlete owns, in open formats, in one folder.
//!
//! [`export`] writes a folder that another Fettle (SQLite or PostgreSQL) reads back whole with
//! [`restore`], and that other programs read without Fettle:
//!
//! | file | content |
//! |---|---|
//! | `manifest.json` | [`FORMAT`], [`VERSION`], when, the counts and every file written |
//! | `activities/NNNN.fit` | the activities of one imported file (or one manual session) as a FIT activity file from Fettle's encoder |
//! | `activities.json` | per activity: its FIT file and session, where it came from, and the athlete's corrections (name, sport, RPE, notes, left out of the load) |
//! | `profile.json` | the profile history: every value with the day it applies from |
//! | `wellness.json`, `recovery.json`, `races.json` | the logs, one JSON object per entry |
//! | `plan.json` | the saved training plan (absent without one) |
//! | `settings.json` | settings and the sets (recovery access, health conditions) |
//!
//! The store does not keep an imported file's original bytes (only its decoded streams, in
//! the sample blob's documented precision), so every activity is written by the FIT encoder;
//! decoding that file gives back the stored activity. Loads are not exported: they are derived,
//! and the restore recomputes them from the activities and the profile, as an import does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fettle_core::log::{RaceResult, RecoveryEntry, WellnessEntry};
use fettle_formats::Activity;
use fettle_store::{
    ActivityEdit, ActivityFilter, ActivityId, ActivityOutcome, AthleteId, ContentHash, FileOutcome,
    NewActivity, NewFile, ProfileValue, Store, StringSet,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::AppError;
use crate::training::{activity_metrics, local_date, recompute_loads};

/// The manifest's `format`: what tells a Fettle export from any other folder.
pub const FORMAT: &str = "fettle-export";
/// The manifest's `version`: the layout above. A newer version is refused, not guessed at.
pub const VERSION: u32 = 1;
/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// The layout version ([`VERSION`]).
    pub version: u32,
    /// When the export was written (RFC 3339, UTC).
    pub exported_at: String,
    /// How much of each kind was written.
    pub counts: ExportCounts,
    /// Every file written, relative to the folder, sorted.
    pub files: Vec<String>,
}

/// The counts in the manifest (and what [`export`] and [`restore`] answer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportCounts {
    /// Activities.
    pub activities: usize,
    /// FIT files they are in.
    pub activity_files: usize,
    /// Profile values (every change, with its day).
    pub profile_values: usize,
    /// Days of wellness.
    pub wellness_days: usize,
    /// Recovery sessions and meals.
    pub recovery_entries: usize,
    /// Race results.
    pub races: usize,
    /// Whether a training plan is saved.
    pub plan: bool,
    /// Settings.
    pub settings: usize,
}

/// One activity in `activities.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ActivityRecord {
    /// Its FIT file, relative to the folder.
    fit: String,
    /// Which session of that file (0-based, file order).
    session: usize,
    /// Where it first came from (the imported file, `#entry` in an archive, `@N` for a
    /// session), kept so the restored activity says the same.
    source: String,
    /// Entered by hand (no file): restored as a manual session.
    manual: bool,
    /// The activity's name as shown (the athlete's correction when they made one).
    name: Option<String>,
    /// Sport as shown.
    sport: String,
    /// The athlete's session RPE (CR-10).
    rpe: Option<f64>,
    /// The athlete's notes.
    notes: Option<String>,
    /// Left out of the training load by the athlete.
    exclude_from_load: bool,
}

/// `settings.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct SettingsFile {
    /// Every setting, by key.
    settings: BTreeMap<String, String>,
    /// Recovery methods the athlete has access to.
    access: Vec<String>,
    /// Health conditions the athlete declared.
    health: Vec<String>,
}

/// Writes everything `athlete` owns to `folder` (created if missing; it must be empty, so an
/// export never mixes with other files or overwrites an earlier one).
pub fn export(
    store: &dyn Store,
    athlete: AthleteId,
    folder: &Path,
    now: Timestamp,
) -> Result<Manifest, AppError> {
    prepare_folder(folder)?;
    let mut files = Vec::new();
    let mut counts = ExportCounts::default();

    // Activities, oldest first, grouped by the file they came from.
    let mut summaries = store.list_activities(athlete, &ActivityFilter::default())?;
    summaries.reverse();
    let mut groups: Vec<(Option<i64>, Vec<ActivityId>)> = Vec::new();
    for summary in &summaries {
        let key = summary.file_id.map(|f| f.0);
        match groups.iter_mut().find(|(k, _)| key.is_some() && *k == key) {
            Some((_, ids)) => ids.push(summary.id),
            None => groups.push((key, vec![summary.id])),
        }
    }
    let by_id: BTreeMap<i64, &fettle_store::ActivitySummary> =
        summaries.iter().map(|s| (s.id.0, s)).collect();
    let mut records = Vec::new();
    for (n, (file_id, ids)) in groups.iter().enumerate() {
        let name = format!("activities/{:04}.fit", n + 1);
        let mut activities: Vec<Activity> = Vec::with_capacity(ids.len());
        for (session, id) in ids.iter().enumerate() {
            let stored = store.get_activity(athlete, *id)?.ok_or_else(|| {
                AppError::Internal(format!("activity {} vanished during the export", id.0))
            })?;
            let summary = by_id.get(&id.0).copied().unwrap_or(&stored.summary);
            records.push(ActivityRecord {
                fit: name.clone(),
                session,
                source: summary.source.clone(),
                manual: file_id.is_none(),
                name: summary.name.clone(),
                sport: summary.sport.as_str().to_owned(),
                rpe: summary.rpe,
                notes: summary.notes.clone(),
                exclude_from_load: summary.exclude_from_load,
            });
            activities.push(stored.activity);
        }
        write(
            folder,
            &name,
            &fettle_formats::fit::encode_activities(&activities),
        )?;
        files.push(name);
        counts.activities += activities.len();
        counts.activity_files += 1;
    }
    write_json(folder, "activities.json", &records, &mut files)?;

    let profile = store.profile_values(athlete)?;
    counts.profile_values = profile.len();
    write_json(folder, "profile.json", &profile, &mut files)?;

    let wellness = store.wellness(athlete, jiff::civil::Date::MIN, jiff::civil::Date::MAX)?;
    counts.wellness_days = wellness.len();
    write_json(folder, "wellness.json", &wellness, &mut files)?;

    let recovery: Vec<RecoveryEntry> = store
        .recovery(athlete, Timestamp::MIN, Timestamp::MAX)?
        .into_iter()
        .map(|r| r.entry)
        .collect();
    counts.recovery_entries = recovery.len();
    write_json(folder, "recovery.json", &recovery, &mut files)?;

    let races: Vec<RaceResult> = store.races(athlete)?.into_iter().map(|r| r.race).collect();
    counts.races = races.len();
    write_json(folder, "races.json", &races, &mut files)?;

    if let Some(plan) = store.load_plan(athlete)? {
        write(folder, "plan.json", plan.as_bytes())?;
        files.push("plan.json".to_owned());
        counts.plan = true;
    }

    let settings = SettingsFile {
        settings: store.settings(athlete)?.into_iter().collect(),
        access: store.set_members(athlete, StringSet::Access)?,
        health: store.set_members(athlete, StringSet::Health)?,
    };
    counts.settings = settings.settings.len();
    write_json(folder, "settings.json", &settings, &mut files)?;

    files.sort();
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        version: VERSION,
        exported_at: now.to_string(),
        counts,
        files,
    };
    let text = serde_json::to_string_pretty(&manifest)
        .map_err(|e| AppError::Internal(format!("cannot write the manifest: {e}")))?;
    write(folder, MANIFEST, text.as_bytes())?;
    Ok(manifest)
}

/// Whether `path` is a folder written by [`export`] (it has a manifest naming [`FORMAT`]).
pub fn is_export(path: &Path) -> bool {
    read_manifest(path).is_ok()
}

/// Restores an export into `athlete`, who must own nothing yet (a restore never merges into
/// existing data). Loads are recomputed at the end, as after an import.
pub fn restore(
    store: &dyn Store,
    athlete: AthleteId,
    folder: &Path,
) -> Result<ExportCounts, AppError> {
    let manifest = read_manifest(folder)?;
    let existing = store.counts(athlete)?;
    if existing.activities > 0
        || existing.wellness_days > 0
        || existing.recovery_entries > 0
        || existing.races > 0
        || !store.profile_values(athlete)?.is_empty()
        || store.load_plan(athlete)?.is_some()
    {
        return Err(AppError::Invalid(format!(
            "{} is an export: it is restored only into an empty database (this one already \
             holds data); give an empty one with --db NEW.sqlite",
            folder.display()
        )));
    }
    // Everything is read and checked before anything is written: the store has no transaction
    // across calls, so a damaged export must fail while the database is still empty.
    let profile: Vec<ProfileValue> = read_json(folder, "profile.json")?;
    let settings: SettingsFile = read_json(folder, "settings.json")?;
    let records: Vec<ActivityRecord> = read_json(folder, "activities.json")?;
    let wellness: Vec<WellnessEntry> = read_json(folder, "wellness.json")?;
    let recovery: Vec<RecoveryEntry> = read_json(folder, "recovery.json")?;
    let races: Vec<RaceResult> = read_json(folder, "races.json")?;
    let mut by_file: BTreeMap<&str, Vec<&ActivityRecord>> = BTreeMap::new();
    for record in &records {
        crate::validate::sport("sport", &record.sport)?;
        by_file.entry(record.fit.as_str()).or_default().push(record);
    }
    // Decoded once to check and dropped (a long history's streams would not fit in memory
    // at once); decoded again below while writing.
    for (fit, group) in &by_file {
        let sessions = decode_fit(folder, fit)?.1.activities.len();
        if let Some(record) = group.iter().find(|r| r.session >= sessions) {
            return Err(AppError::Invalid(format!(
                "{fit} in {} has no session {} (activities.json names it): the export is damaged",
                folder.display(),
                record.session
            )));
        }
    }
    let mut counts = ExportCounts::default();

    // The profile first: loads depend on the thresholds of each day.
    for value in &profile {
        store.set_profile_value(athlete, &value.key, value.from, &value.value)?;
    }
    counts.profile_values = profile.len();
    for (key, value) in &settings.settings {
        store.set_setting(athlete, key, Some(value))?;
    }
    for value in &settings.access {
        store.add_to_set(athlete, StringSet::Access, value)?;
    }
    for value in &settings.health {
        store.add_to_set(athlete, StringSet::Health, value)?;
    }
    counts.settings = settings.settings.len();

    let tz = crate::athlete_time_zone(store, athlete)?;
    let mut metrics = Vec::new();
    for (fit, group) in &by_file {
        let (bytes, decoded) = decode_fit(folder, fit)?;
        let session = |record: &ActivityRecord| {
            decoded.activities.get(record.session).ok_or_else(|| {
                AppError::Invalid(format!(
                    "{fit} in {} has no session {} (activities.json names it)",
                    folder.display(),
                    record.session
                ))
            })
        };
        let mut ids = Vec::with_capacity(group.len());
        if group.iter().all(|r| r.manual) {
            for record in group {
                let activity = session(record)?;
                ids.push((
                    store.insert_manual_activity(athlete, activity)?,
                    activity,
                    *record,
                ));
            }
        } else {
            let activities: Vec<(&Activity, &ActivityRecord)> = group
                .iter()
                .map(|r| Ok((session(r)?, *r)))
                .collect::<Result<_, AppError>>()?;
            let new: Vec<NewActivity<'_>> = activities
                .iter()
                .map(|(activity, record)| NewActivity {
                    activity,
                    source: &record.source,
                })
                .collect();
            let file = NewFile {
                content_hash: ContentHash(xxhash_rust::xxh3::xxh3_128(&bytes)),
                source: file_source(&group[0].source),
                size_bytes: bytes.len() as u64,
            };
            let FileOutcome::Imported {
                activities: outcomes,
                ..
            } = store.import_file(athlete, &file, &new)?
            else {
                return Err(AppError::Invalid(format!(
                    "{fit} appears twice in {}: the export is damaged",
                    folder.display()
                )));
            };
            for (outcome, (activity, record)) in outcomes.iter().zip(activities) {
                match outcome {
                    ActivityOutcome::Inserted(id) => ids.push((*id, activity, record)),
                    ActivityOutcome::Duplicate { of } => {
                        return Err(AppError::Invalid(format!(
                            "session {} of {fit} duplicates activity {} restored before it: \
                             the export is damaged",
                            record.session, of.0
                        )));
                    }
                }
            }
        }
        for (id, activity, record) in ids {
            let day = local_date(activity.start, activity.utc_offset_s, &tz);
            let json = serde_json::to_string(&activity_metrics(activity, day))
                .map_err(|e| AppError::Internal(format!("cannot store metrics: {e}")))?;
            metrics.push((id, Some(json)));
            let sport = crate::validate::sport("sport", &record.sport)?;
            let edit = ActivityEdit {
                name: Some(record.name.clone()),
                sport: Some(sport),
                rpe: Some(record.rpe),
                exclude_from_load: Some(record.exclude_from_load),
                notes: Some(record.notes.clone()),
            };
            store.edit_activity(athlete, id, &edit)?;
            counts.activities += 1;
        }
        counts.activity_files += 1;
    }
    store.set_activity_metrics(athlete, &metrics)?;

    for entry in &wellness {
        store.upsert_wellness(athlete, entry)?;
    }
    counts.wellness_days = wellness.len();
    for entry in &recovery {
        store.add_recovery(athlete, entry)?;
    }
    counts.recovery_entries = recovery.len();
    for race in &races {
        store.add_race(athlete, race)?;
    }
    counts.races = races.len();
    if manifest.files.iter().any(|f| f == "plan.json") {
        let plan = String::from_utf8(read(folder, "plan.json")?).map_err(|_| {
            AppError::Invalid(format!(
                "plan.json in {} is not UTF-8 text",
                folder.display()
            ))
        })?;
        store.save_plan(athlete, &plan)?;
        counts.plan = true;
    }
    recompute_loads(store, athlete)?;
    Ok(counts)
}

/// An export's FIT file: its bytes and what they decode to.
fn decode_fit(folder: &Path, fit: &str) -> Result<(Vec<u8>, fettle_formats::Decoded), AppError> {
    let bytes = read(folder, fit)?;
    let decoded = fettle_formats::decode_any(&bytes).map_err(|e| {
        AppError::Invalid(format!("{fit} in {} cannot be read: {e}", folder.display()))
    })?;
    Ok((bytes, decoded))
}

/// The imported file an activity's source names: without the `@N` of a session.
fn file_source(source: &str) -> String {
    match source.rsplit_once('@') {
        Some((file, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            file.to_owned()
        }
        _ => source.to_owned(),
    }
}

fn prepare_folder(folder: &Path) -> Result<(), AppError> {
    if folder.exists() {
        let mut entries = std::fs::read_dir(folder).map_err(|e| {
            AppError::Invalid(format!(
                "{} cannot be used for the export: {e}",
                folder.display()
            ))
        })?;
        if entries.next().is_some() {
            return Err(AppError::Invalid(format!(
                "{} is not empty: export into a new or empty folder",
                folder.display()
            )));
        }
    }
    std::fs::create_dir_all(folder.join("activities")).map_err(|e| {
        AppError::Internal(format!(
            "cannot create the folder {}: {e}",
            folder.display()
        ))
    })
}

fn write(folder: &Path, name: &str, bytes: &[u8]) -> Result<(), AppError> {
    let path = folder.join(name);
    std::fs::write(&path, bytes)
        .map_err(|e| AppError::Internal(format!("cannot write {}: {e}", path.display())))
}

fn write_json<T: Serialize + ?Sized>(
    folder: &Path,
    name: &str,
    value: &T,
    files: &mut Vec<String>,
) -> Result<(), AppError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| AppError::Internal(format!("cannot write {name}: {e}")))?;
    write(folder, name, text.as_bytes())?;
    files.push(name.to_owned());
    Ok(())
}

fn read(folder: &Path, name: &str) -> Result<Vec<u8>, AppError> {
    // Names come from the manifest or activities.json: never outside the folder.
    if name
        .split(['/', '\\'])
        .any(|part| part == ".." || part.is_empty())
        || name.contains(':')
    {
        return Err(AppError::Invalid(format!(
            "{name} in {} is not a file of the export",
            folder.display()
        )));
    }
    let path: PathBuf = folder.join(name);
    std::fs::read(&path)
        .map_err(|e| AppError::Invalid(format!("{} cannot be read: {e}", path.display())))
}

fn read_json<T: serde::de::DeserializeOwned>(folder: &Path, name: &str) -> Result<T, AppError> {
    let bytes = read(folder, name)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        AppError::Invalid(format!(
            "{name} in {} is not what Fettle wrote: {e}",
            folder.display()
        ))
    })
}

fn read_manifest(folder: &Path) -> Result<Manifest, AppError> {
    let manifest: Manifest = read_json(folder, MANIFEST)?;
    if manifest.format != FORMAT {
        return Err(AppError::Invalid(format!(
            "{} is not a Fettle export (its manifest's format is {:?})",
            folder.display(),
            manifest.format
        )));
    }
    if manifest.version > VERSION {
        return Err(AppError::Invalid(format!(
            "{} was written by a newer Fettle (export version {}; this one reads up to {VERSION}): \
             update Fettle to restore it",
            folder.display(),
            manifest.version
        )));
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use fettle_store::SqliteStore;

    use super::*;

    /// An exported folder of one athlete with one manual session.
    fn exported(folder: &Path) {
        let store = SqliteStore::open_in_memory().expect("open");
        let athlete = store.default_athlete().expect("athlete");
        store
            .set_profile_value(athlete, "tz", jiff::civil::date(2026, 1, 1), "UTC")
            .expect("tz");
        let session = crate::training::ManualSession {
            date: jiff::civil::date(2026, 3, 2),
            start: None,
            duration_s: 1800.0,
            distance_m: Some(5000.0),
            rpe: Some(5.0),
            sport: None,
            name: Some("Easy".to_owned()),
        };
        let now = Timestamp::from_second(1_800_000_000).expect("instant");
        crate::training::add_manual(&store, athlete, &session, now).expect("added");
        export(&store, athlete, folder, now).expect("exported");
    }

    fn restore_into_empty(folder: &Path) -> Result<ExportCounts, AppError> {
        let store = SqliteStore::open_in_memory().expect("open");
        let athlete = store.default_athlete().expect("athlete");
        restore(&store, athlete, folder)
    }

    #[test]
    fn a_damaged_or_newer_export_is_refused_with_the_reason() {
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = dir.path().join("export");
        exported(&folder);
        assert!(is_export(&folder));
        assert_eq!(restore_into_empty(&folder).expect("restored").activities, 1);

        // A file name leading out of the folder is never read.
        let records = folder.join("activities.json");
        let original = std::fs::read_to_string(&records).expect("read");
        std::fs::write(
            &records,
            original.replace("activities/0001.fit", "../secret.fit"),
        )
        .expect("write");
        let error = restore_into_empty(&folder).expect_err("refused");
        assert!(
            error.to_string().contains("is not a file of the export"),
            "{error}"
        );
        std::fs::write(&records, &original).expect("write");

        // A damaged activity file is found before anything is written: the database stays
        // empty, so the restore can be run again once the file is fixed.
        let fit = folder.join("activities/0001.fit");
        let bytes = std::fs::read(&fit).expect("read");
        std::fs::write(&fit, b"not a FIT file").expect("write");
        let store = SqliteStore::open_in_memory().expect("open");
        let athlete = store.default_athlete().expect("athlete");
        let error = restore(&store, athlete, &folder).expect_err("refused");
        assert!(error.to_string().contains("cannot be read"), "{error}");
        assert_eq!(store.counts(athlete).expect("counts").activities, 0);
        assert!(store.profile_values(athlete).expect("profile").is_empty());
        std::fs::write(&fit, bytes).expect("write");

        // A newer layout is refused, not guessed at.
        let manifest = folder.join(MANIFEST);
        let text = std::fs::read_to_string(&manifest).expect("read");
        std::fs::write(&manifest, text.replace("\"version\": 1", "\"version\": 2")).expect("write");
        let error = restore_into_empty(&folder).expect_err("refused");
        assert!(error.to_string().contains("newer Fettle"), "{error}");

        // A folder without a manifest is not an export (a plain import reads it).
        std::fs::remove_file(&manifest).expect("remove");
        assert!(!is_export(&folder));
    }

    #[test]
    fn a_sessions_source_names_its_file() {
        assert_eq!(file_source("runs/tri.fit@2"), "runs/tri.fit");
        assert_eq!(file_source("a@b.fit"), "a@b.fit");
        assert_eq!(
            file_source("export.zip#activities/1.fit"),
            "export.zip#activities/1.fit"
        );
    }
}
