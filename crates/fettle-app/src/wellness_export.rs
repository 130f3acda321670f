//! Wellness from a Garmin Connect bulk export, given as its zip or as the folder it was unzipped
//! to: the sleep, daily-summary and health-status files are found by name
//! ([`fettle_core::wellness::garmin::GarminFile`]), read by
//! [`fettle_core::wellness::garmin::parse_garmin_export`] and stored through the same
//! validation as every other wellness input ([`crate::recovery::import_wellness`]).
//!
//! Only those files are read, each up to [`MAX_WELLNESS_FILE_BYTES`]; the rest of the export
//! (activities, uploaded FIT files, device and account files) is counted and listed as ignored
//! — activities come in with `fettle import`, which reads the same zip.

use std::io::Read;
use std::path::Path;

use fettle_core::wellness::garmin::{GarminFile, parse_garmin_export};
use fettle_store::{AthleteId, Store};
use jiff::Timestamp;

use crate::AppError;
use crate::recovery::{WellnessImportView, store_wellness_import};

/// The largest wellness file read (64 MiB): a daily-summary file of 100 days is a few hundred
/// kilobytes, so anything near this is not one.
pub const MAX_WELLNESS_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Whether a path is to be read as a Garmin Connect export (a folder or a `.zip`) rather than
/// as one wellness file.
pub fn is_export(path: &Path) -> bool {
    path.is_dir()
        || path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

/// Imports the wellness of a Garmin Connect export (its zip, or the folder it was unzipped to).
pub fn import_garmin_export(
    store: &dyn Store,
    athlete: AthleteId,
    path: &Path,
    now: Timestamp,
) -> Result<WellnessImportView, AppError> {
    let shown = path.display().to_string();
    let (files, others) = if path.is_dir() {
        read_folder(path)?
    } else {
        read_zip(path)?
    };
    if files.is_empty() {
        return Err(AppError::Invalid(format!(
            "no Garmin wellness file in {shown}: expected a Garmin Connect export holding \
             `…_sleepData.json`, `UDSFile_….json` or `…_healthStatusData.json` (Garmin account → \
             Data Management → Export Your Data)"
        )));
    }
    let mut parsed = parse_garmin_export(&files).map_err(|e| AppError::Invalid(e.to_string()))?;
    if others > 0 {
        parsed.ignored.push(format!(
            "{others} other file(s) of the export (activities, uploads, devices, account): \
             import the activities with `fettle import`"
        ));
    }
    store_wellness_import(store, athlete, &shown, parsed, now)
}

/// The wellness files under a folder (recursively, symlinked folders not followed), and how
/// many other files there are.
fn read_folder(folder: &Path) -> Result<(Vec<(String, String)>, usize), AppError> {
    let mut files = Vec::new();
    let mut others = 0;
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| AppError::Invalid(format!("cannot read {}: {e}", dir.display())))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path
                .strip_prefix(folder)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            // Only regular files are opened (a FIFO would block the read).
            if !kind.is_file() || GarminFile::from_name(&name).is_none() {
                others += 1;
                continue;
            }
            let file = std::fs::File::open(&path)
                .map_err(|e| AppError::Invalid(format!("cannot read {}: {e}", path.display())))?;
            files.push((name.clone(), read_capped(file, &name)?));
        }
    }
    Ok((files, others))
}

/// The wellness files of an export zip, and how many other entries there are.
fn read_zip(path: &Path) -> Result<(Vec<(String, String)>, usize), AppError> {
    let shown = path.display();
    let file = std::fs::File::open(path)
        .map_err(|e| AppError::Invalid(format!("cannot read {shown}: {e}")))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| {
        AppError::Invalid(format!(
            "{shown} is not a readable zip ({e}): give the export zip or the folder it was \
             unzipped to"
        ))
    })?;
    let mut files = Vec::new();
    let mut others = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index(i)
            .map_err(|e| AppError::Invalid(format!("{shown}: entry {i} unreadable: {e}")))?;
        if entry.is_dir() {
            continue;
        }
        let Ok(name) = entry.name().map(std::borrow::Cow::into_owned) else {
            // A name that is not text cannot be one of Garmin's files.
            others += 1;
            continue;
        };
        if GarminFile::from_name(&name).is_none() {
            others += 1;
            continue;
        }
        let text = read_capped(entry, &name)?;
        files.push((name, text));
    }
    Ok((files, others))
}

/// A file's text, refused past [`MAX_WELLNESS_FILE_BYTES`] (counted as it is read, so a zip
/// entry's header cannot lie about it).
fn read_capped(reader: impl Read, name: &str) -> Result<String, AppError> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_WELLNESS_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| AppError::Invalid(format!("cannot read {name}: {e}")))?;
    if bytes.len() as u64 > MAX_WELLNESS_FILE_BYTES {
        return Err(AppError::Invalid(format!(
            "{name} is larger than {} MiB: not a Garmin wellness file",
            MAX_WELLNESS_FILE_BYTES / (1024 * 1024)
        )));
    }
    String::from_utf8(bytes)
        .map_err(|_| AppError::Invalid(format!("{name} is not UTF-8 text: not a Garmin JSON file")))
}
