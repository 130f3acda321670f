//! The wellness part of a Garmin Connect bulk export ("Export Your Data" in the Garmin account's
//! data management, delivered as a zip): one [`WellnessEntry`] per day from three kinds of file,
//! found by name anywhere in the export (the folders are `DI_CONNECT/DI-Connect-Wellness/` and
//! `DI_CONNECT/DI-Connect-Aggregator/`, under a folder whose name changes from export to export).
//!
//! # Layout (what was found, and where)
//!
//! Every file is a JSON list of records, one per day, keyed by `calendarDate` (`YYYY-MM-DD`, the
//! local day; a night belongs to the day one wakes up on). A long history is split over several
//! files by date range, which may overlap: a later file (in name order) wins for a day. Sources:
//! public data dictionaries and importers written against real exports (a Venu 3 export's field
//! dictionary with units; importers that read `*_sleepData.json`, `UDSFile_*.json` and
//! `*_healthStatusData.json` by these names and fields).
//!
//! - `*_sleepData.json`: `deepSleepSeconds`, `lightSleepSeconds`, `remSleepSeconds`,
//!   `awakeSleepSeconds` (seconds), `sleepScores` (Garmin's 0–100 scores). Fettle takes the sleep
//!   time as deep + light + REM (time awake in the sleep window is not sleep).
//! - `UDSFile_*.json` (the daily summaries): `restingHeartRate` in bpm — `0` or `null` when the
//!   watch was not worn, so it is not read — beside steps, stress, Body Battery and the like,
//!   which Fettle does not use.
//! - `*_healthStatusData.json`: a `metrics` list of `{type, value, …}`; `type: "HRV"` is the
//!   night's average HRV in ms (Garmin's HRV status, an rMSSD), stored as rMSSD — a night-time
//!   value, like Oura's; `type: "HR"` is the night's heart rate, *not* the resting heart rate
//!   (the daily summary's is taken), so it is ignored, as are respiration, SpO₂ and skin
//!   temperature.
//!
//! What is not taken is listed in [`WellnessImport::ignored`]; values still pass the same
//! validation as every other wellness input when they are stored.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde_json::Value;

use super::{RowError, WellnessImport, WellnessImportError, WellnessSource};
use crate::log::WellnessEntry;

/// The kinds of Garmin export file Fettle reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GarminFile {
    /// `*_sleepData.json`: the nights.
    Sleep,
    /// `UDSFile_*.json`: the daily summaries (resting heart rate).
    DailySummary,
    /// `*_healthStatusData.json`: the nights' health status (HRV).
    HealthStatus,
}

impl GarminFile {
    /// What a file is, from its name (the last path component, case ignored); `None` for every
    /// other file of an export.
    pub fn from_name(path: &str) -> Option<GarminFile> {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let lower = name.to_ascii_lowercase();
        if !lower.ends_with(".json") {
            None
        } else if lower.ends_with("_sleepdata.json") {
            Some(GarminFile::Sleep)
        } else if lower.starts_with("udsfile_") {
            Some(GarminFile::DailySummary)
        } else if lower.ends_with("_healthstatusdata.json") {
            Some(GarminFile::HealthStatus)
        } else {
            None
        }
    }
}

/// Reads the wellness files of a Garmin export, given as `(name, text)` pairs (names as found
/// in the export; only the kinds of [`GarminFile`] are expected). Records that cannot be read
/// are reported in [`WellnessImport::errors`] (`line` is the record's 1-based position in its
/// file) and the rest is read.
pub fn parse_garmin_export(
    files: &[(String, String)],
) -> Result<WellnessImport, WellnessImportError> {
    if files.is_empty() {
        return Err(WellnessImportError::Empty);
    }
    let mut sorted: Vec<&(String, String)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut days: BTreeMap<Date, WellnessEntry> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut saw_scores = false;
    let mut saw_night_hr = false;
    let mut saw_summaries = false;
    let mut other_metrics: Vec<String> = Vec::new();
    for (name, text) in sorted {
        let Some(kind) = GarminFile::from_name(name) else {
            continue;
        };
        let records: Vec<Value> = match serde_json::from_str(text) {
            Ok(records) => records,
            Err(e) => {
                errors.push(RowError {
                    line: 0,
                    message: format!("{name}: not a list of daily records ({e}); file skipped"),
                });
                continue;
            }
        };
        for (i, record) in records.iter().enumerate() {
            let Some(date) = record
                .get("calendarDate")
                .and_then(Value::as_str)
                .and_then(|d| d.get(..10))
                .and_then(|d| d.parse::<Date>().ok())
            else {
                errors.push(RowError {
                    line: i + 1,
                    message: format!(
                        "{name}, record {}: no calendarDate (YYYY-MM-DD); skipped",
                        i + 1
                    ),
                });
                continue;
            };
            let mut taken = WellnessEntry::default();
            match kind {
                GarminFile::Sleep => {
                    let parts: Vec<f64> =
                        ["deepSleepSeconds", "lightSleepSeconds", "remSleepSeconds"]
                            .iter()
                            .filter_map(|k| number(record, k))
                            .collect();
                    if !parts.is_empty() {
                        taken.sleep_h = Some(parts.iter().sum::<f64>() / 3600.0);
                    }
                    saw_scores |= record.get("sleepScores").is_some_and(|s| !s.is_null());
                }
                GarminFile::DailySummary => {
                    saw_summaries = true;
                    // 0 means the watch was not worn: no value, not a heart rate of zero.
                    taken.rest_hr = number(record, "restingHeartRate").filter(|v| *v > 0.0);
                }
                GarminFile::HealthStatus => {
                    for metric in record
                        .get("metrics")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        match metric.get("type").and_then(Value::as_str) {
                            Some("HRV") => {
                                taken.rmssd_ms = number(metric, "value").filter(|v| *v > 0.0);
                            }
                            Some("HR") => saw_night_hr = true,
                            Some(other) if !other_metrics.iter().any(|m| m == other) => {
                                other_metrics.push(other.to_string());
                            }
                            Some(_) | None => {}
                        }
                    }
                }
            }
            if taken.sleep_h.is_none() && taken.rest_hr.is_none() && taken.rmssd_ms.is_none() {
                continue;
            }
            let day = days.entry(date).or_insert_with(|| WellnessEntry {
                date: Some(date),
                source: Some(WellnessSource::GarminConnect.as_str().to_string()),
                ..WellnessEntry::default()
            });
            if taken.sleep_h.is_some() {
                day.sleep_h = taken.sleep_h;
            }
            if taken.rest_hr.is_some() {
                day.rest_hr = taken.rest_hr;
            }
            if taken.rmssd_ms.is_some() {
                day.rmssd_ms = taken.rmssd_ms;
            }
        }
    }
    let mut ignored = Vec::new();
    if saw_scores {
        ignored.push(
            "sleep scores (`sleepScores`): Garmin's own 0–100 scores, with no published mapping \
             onto Fettle's 1–5 sleep quality"
                .to_string(),
        );
    }
    if saw_summaries {
        ignored.push(
            "the daily summaries' other values (steps, calories, stress, Body Battery, \
             respiration, SpO₂)"
                .to_string(),
        );
    }
    if saw_night_hr {
        ignored.push(
            "the health status's night heart rate (`HR`): not a resting heart rate (the daily \
             summary's `restingHeartRate` is taken)"
                .to_string(),
        );
    }
    if !other_metrics.is_empty() {
        ignored.push(format!(
            "the health status's other metrics ({})",
            other_metrics.join(", ")
        ));
    }
    Ok(WellnessImport {
        source: WellnessSource::GarminConnect,
        entries: days.into_values().collect(),
        errors,
        ignored,
    })
}

/// A finite number under `key`, `None` when missing or null.
fn number(record: &Value, key: &str) -> Option<f64> {
    record
        .get(key)
        .and_then(Value::as_f64)
        .filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wellness::fields_taken;
    use jiff::civil::date;

    fn file(name: &str, text: &str) -> (String, String) {
        (name.to_string(), text.to_string())
    }

    /// Files written to the layout of the module docs (fields and units as documented there).
    #[test]
    fn sleep_resting_hr_and_hrv_are_merged_by_day() {
        let sleep = r#"[
          {"calendarDate": "2026-02-15", "sleepStartTimestampGMT": "2026-02-14T23:35:00.0",
           "sleepEndTimestampGMT": "2026-02-15T07:08:00.0", "deepSleepSeconds": 5340,
           "lightSleepSeconds": 14400, "remSleepSeconds": 900, "awakeSleepSeconds": 6540,
           "sleepScores": {"overallScore": 71, "qualityScore": 60}},
          {"calendarDate": "2026-02-16", "deepSleepSeconds": 3600, "lightSleepSeconds": 18000,
           "remSleepSeconds": null}
        ]"#;
        let uds = r#"[
          {"calendarDate": "2026-02-15", "restingHeartRate": 48, "totalSteps": 8000},
          {"calendarDate": "2026-02-16", "restingHeartRate": 0},
          {"calendarDate": "2026-02-17", "restingHeartRate": null, "totalSteps": 120}
        ]"#;
        let health = r#"[
          {"calendarDate": "2026-02-15", "metrics": [
             {"type": "HRV", "value": 61.0, "status": "BALANCED"},
             {"type": "HR", "value": 52.0},
             {"type": "SPO2"}]}
        ]"#;
        let imp = parse_garmin_export(&[
            file(
                "DI_CONNECT/DI-Connect-Wellness/2026_x_sleepData.json",
                sleep,
            ),
            file(
                "DI_CONNECT/DI-Connect-Aggregator/UDSFile_2026-01-01_2026-04-01.json",
                uds,
            ),
            file(
                "DI_CONNECT/DI-Connect-Wellness/2026_x_healthStatusData.json",
                health,
            ),
        ])
        .unwrap();
        assert_eq!(imp.source, WellnessSource::GarminConnect);
        assert!(imp.errors.is_empty(), "{:?}", imp.errors);
        assert_eq!(imp.entries.len(), 2, "2026-02-17 has no value: no entry");
        let first = &imp.entries[0];
        assert_eq!(first.date, Some(date(2026, 2, 15)));
        // deep + light + REM = 5340 + 14400 + 900 = 20 640 s = 5.7333… h (awake left out).
        assert!((first.sleep_h.unwrap() - 20_640.0 / 3600.0).abs() < 1e-12);
        assert_eq!(first.rest_hr, Some(48.0));
        assert_eq!(first.rmssd_ms, Some(61.0), "the HRV, not the night HR");
        assert_eq!(first.source.as_deref(), Some("garmin"));
        let second = &imp.entries[1];
        // 3600 + 18 000 = 21 600 s = 6 h; a resting HR of 0 is "not worn".
        assert_eq!(second.sleep_h, Some(6.0));
        assert_eq!(second.rest_hr, None);
        assert_eq!(
            fields_taken(&imp.entries),
            vec!["sleep_h", "rmssd_ms", "rest_hr"]
        );
        let ignored = imp.ignored.join(" | ");
        assert!(ignored.contains("sleepScores"), "{ignored}");
        assert!(ignored.contains("night heart rate"), "{ignored}");
        assert!(ignored.contains("SPO2"), "{ignored}");
    }

    #[test]
    fn a_later_file_wins_a_day_and_bad_records_are_named() {
        let older = r#"[{"calendarDate": "2026-01-15", "restingHeartRate": 50}]"#;
        let newer = r#"[{"calendarDate": "2026-01-15", "restingHeartRate": 47},
                        {"restingHeartRate": 45},
                        {"calendarDate": "15/01/2026", "restingHeartRate": 45}]"#;
        let imp = parse_garmin_export(&[
            file("UDSFile_2026-01-10_2026-04-20.json", newer),
            file("UDSFile_2025-10-01_2026-01-15.json", older),
            file("broken_sleepData.json", "{\"not\": \"a list\"}"),
        ])
        .unwrap();
        assert_eq!(imp.entries.len(), 1);
        assert_eq!(imp.entries[0].rest_hr, Some(47.0));
        assert_eq!(imp.errors.len(), 3, "{:?}", imp.errors);
        assert!(
            imp.errors
                .iter()
                .any(|e| e.message.contains("broken_sleepData.json"))
        );
        let lines: Vec<usize> = imp
            .errors
            .iter()
            .filter(|e| e.message.contains("UDSFile_2026-01-10"))
            .map(|e| e.line)
            .collect();
        assert_eq!(lines, vec![2, 3]);
    }

    #[test]
    fn files_are_recognised_by_name() {
        use GarminFile::*;
        let cases = [
            ("a/b/123_sleepData.json", Some(Sleep)),
            ("UDSFile_2025-06-27_2025-10-05.json", Some(DailySummary)),
            (
                "DI_CONNECT\\DI-Connect-Wellness\\x_healthStatusData.json",
                Some(HealthStatus),
            ),
            ("x_summarizedActivities.json", None),
            ("UDSFile_notes.txt", None),
        ];
        for (name, kind) in cases {
            assert_eq!(GarminFile::from_name(name), kind, "{name}");
        }
        assert!(matches!(
            parse_garmin_export(&[]),
            Err(WellnessImportError::Empty)
        ));
    }
}
