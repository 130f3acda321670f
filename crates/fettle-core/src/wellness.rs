//! Wellness import: the CSV export of HRV4Training, the R-R text export of Elite HRV, and
//! Fettle's own CSV layout, all into [`WellnessEntry`] rows with per-line errors.
//!
//! # Layouts (what was found, and where)
//!
//! - **HRV4Training** CSV: one row per morning; header names include `date`, `HR`, `rMSSD`,
//!   `SDNN`, `AVNN`, `pNN50`, `LF`, `HF`, `HRV4T_Recovery_Points`, `sleep_quality`, `sleep_time`,
//!   `mental_energy`, `muscle_soreness`, `fatigue`, `physical_condition`, `trainingRPE`,
//!   `trainingTSS`, `sickness`, `alcohol`. Headers may carry a space after each comma, missing
//!   values are written `-`, and `date` looks like `2025-12-11 00:01:00 +0000`. Sources: GoldenCheetah's
//!   HRV4Training measures import (`rMSSD`, `HR`, `AVNN`, `SDNN`, `pNN50`, `LF`, `HF`,
//!   `HRV4T_Recovery_Points`), and two independent public importers of the export that read
//!   `date, HR, rMSSD, sleep_time, sleep_quality, mental_energy, fatigue, muscle_soreness, …,
//!   sickness, alcohol` with `-` as missing. The direction and range of the subjective columns
//!   could not be confirmed from a published file: Fettle reads them by their names (higher
//!   `muscle_soreness`/`fatigue` = worse, higher `sleep_quality` = better), and maps a column whose
//!   values exceed 5 from a 1–10 scale onto Fettle's 1–5 scale (`1 + (v − 1)·4/9`).
//! - **Elite HRV**: the app's export (Settings → Export Data, per Elite HRV's FAQ) is one text
//!   file per reading named `YYYY-MM-DD HH-MM-SS.txt` holding one R-R interval in milliseconds
//!   per line (seen in public sample exports, e.g. `2017-06-29 13-11-53.txt`). Fettle computes
//!   rMSSD with [`crate::hrv::rmssd_from_rr`] and the resting HR from the mean accepted R-R
//!   interval. The processed CSV of Elite HRV's team web dashboard has no published column
//!   layout, so it is not guessed at: such a file is reported as an unknown layout.
//! - **Oura** "Trends" CSV (Oura's web dashboard → Export, a file named like
//!   `oura_2019-01-01_2023-09-09_trends.csv`): one row per day, a `date` column (`YYYY-MM-DD`,
//!   the morning the night ended on) and titled columns such as `Sleep Score`, `Total Sleep
//!   Duration` (seconds; `Total Sleep Time` in older exports), `Total Bedtime`, `Awake Time`,
//!   `Average Resting Heart Rate`, `Lowest Resting Heart Rate`, `Average HRV` (ms),
//!   `Temperature Deviation (°C)`, `Readiness Score`, `Steps`. Sources: the column lists of
//!   public analysis scripts of these exports (one names all 58 columns) and notebooks that
//!   divide `Total Sleep Duration` by 3600 to get hours. Fettle takes the sleep duration, the
//!   *lowest* resting heart rate (Oura's resting heart rate; the average when the lowest is
//!   missing) and `Average HRV` — Oura's HRV is the night's rMSSD, so it is stored as rMSSD
//!   but is a night-time value: compare it with nights, not with morning readings. The scores
//!   are Oura's own and are not mapped onto Fettle's scales: they are listed as ignored.
//! - **Garmin Connect** bulk export: see [`garmin`].
//! - **Fettle** CSV: `date,sleep_h,sleep_quality,soreness,fatigue,stress,mood,rmssd_ms,rest_hr,
//!   mass_kg,sick,injured` (only `date` is required; the scales are those of [`WellnessEntry`]).
//!
//! Every reader says which of the file's columns it took and which it ignored
//! ([`WellnessImport::ignored`]); which fields the stored entries carry is [`fields_taken`].

pub mod garmin;

use crate::hrv::rmssd_from_rr;
use crate::log::WellnessEntry;
use jiff::civil::Date;
use serde::Serialize;

/// Which layout a wellness file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WellnessSource {
    /// HRV4Training's CSV export.
    Hrv4Training,
    /// One Elite HRV R-R text export file.
    EliteHrvRr,
    /// Oura's "Trends" CSV export.
    Oura,
    /// The wellness files of a Garmin Connect bulk ("Export Your Data") export.
    GarminConnect,
    /// Fettle's own CSV layout.
    Fettle,
}

impl WellnessSource {
    /// The value stored in [`WellnessEntry::source`].
    pub fn as_str(self) -> &'static str {
        match self {
            WellnessSource::Hrv4Training => "hrv4training",
            WellnessSource::EliteHrvRr => "elitehrv",
            WellnessSource::Oura => "oura",
            WellnessSource::GarminConnect => "garmin",
            WellnessSource::Fettle => "csv",
        }
    }
}

/// One line that could not be read; the rest of the file still is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based line number in the file.
    pub line: usize,
    /// What is wrong and what to do.
    pub message: String,
}

/// The entries read from one file and the lines that were skipped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WellnessImport {
    /// The layout detected.
    pub source: WellnessSource,
    /// One entry per readable row (or one for an R-R file).
    pub entries: Vec<WellnessEntry>,
    /// Rows that were skipped, with the reason.
    pub errors: Vec<RowError>,
    /// What the file holds that Fettle did not take (columns, files, scores), with why.
    pub ignored: Vec<String>,
}

/// The [`WellnessEntry`] fields (by their CLI/JSON names) that at least one entry carries, in
/// the entry's order: what an import took.
pub fn fields_taken(entries: &[WellnessEntry]) -> Vec<&'static str> {
    type Has = fn(&WellnessEntry) -> bool;
    let fields: [(&'static str, Has); 11] = [
        ("sleep_h", |e| e.sleep_h.is_some()),
        ("sleep_quality", |e| e.sleep_quality.is_some()),
        ("soreness", |e| e.soreness.is_some()),
        ("fatigue", |e| e.fatigue.is_some()),
        ("stress", |e| e.stress.is_some()),
        ("mood", |e| e.mood.is_some()),
        ("rmssd_ms", |e| e.rmssd_ms.is_some()),
        ("rest_hr", |e| e.rest_hr.is_some()),
        ("mass_kg", |e| e.mass_kg.is_some()),
        ("sick", |e| e.sick),
        ("injured", |e| e.injured),
    ];
    fields
        .into_iter()
        .filter(|(_, has)| entries.iter().any(has))
        .map(|(name, _)| name)
        .collect()
}

/// A file that could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WellnessImportError {
    /// The header matches no known layout.
    #[error(
        "unknown wellness file layout (header: {header:?}). Expected one of: HRV4Training CSV \
         (columns `date`, `rMSSD` and/or `HR`, optional `sleep_time`, `sleep_quality`, \
         `muscle_soreness`, `fatigue`, `sickness`); Fettle CSV (columns `date` plus any of \
         `sleep_h`, `sleep_quality`, `soreness`, `fatigue`, `stress`, `mood`, `rmssd_ms`, \
         `rest_hr`, `mass_kg`, `sick`, `injured`); Oura's Trends CSV (`date` plus `Average HRV`, \
         `Lowest Resting Heart Rate` or `Total Sleep Duration`); or an Elite HRV R-R text export \
         (one interval in ms per line, file named `YYYY-MM-DD HH-MM-SS.txt`). A Garmin Connect \
         export is imported as its zip or folder"
    )]
    UnknownLayout {
        /// The first line of the file.
        header: String,
    },
    /// The file is empty.
    #[error("the wellness file is empty")]
    Empty,
    /// An Elite HRV file whose name carries no date.
    #[error(
        "cannot tell the date of Elite HRV file {file_name:?}: expected a name like \
         `2026-03-01 07-05-00.txt` (rename it or import with an explicit date)"
    )]
    NoDateInFileName {
        /// The file name given.
        file_name: String,
    },
    /// An Elite HRV file with too few clean beats.
    #[error(
        "Elite HRV file {file_name:?}: {beats} beats read, too few left after artefact \
         filtering to compute rMSSD; record again for at least a minute"
    )]
    TooFewBeats {
        /// The file name given.
        file_name: String,
        /// Beats that passed the filter.
        beats: usize,
    },
    /// The CSV itself is malformed (e.g. unbalanced quotes).
    #[error("malformed CSV: {0}")]
    Csv(String),
}

/// Reads a wellness file, detecting its layout from the header (or, for Elite HRV R-R files,
/// from the content being one number per line). `file_name` is the file's name without
/// directories; it dates Elite HRV readings.
pub fn parse_wellness_file(
    file_name: &str,
    text: &str,
) -> Result<WellnessImport, WellnessImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .ok_or(WellnessImportError::Empty)?;
    if first.trim().parse::<f64>().is_ok() {
        return parse_elitehrv_rr(file_name, text);
    }
    let headers: Vec<String> = first
        .split(',')
        .map(|h| h.trim().trim_matches('"').to_string())
        .collect();
    let has = |name: &str| headers.iter().any(|h| h == name);
    if has("date") && (has("rMSSD") || has("HR") || has("HRV4T_Recovery_Points")) {
        parse_csv(text, WellnessSource::Hrv4Training)
    } else if has("date") && OURA_COLUMNS.iter().any(|c| has(c)) {
        parse_csv(text, WellnessSource::Oura)
    } else if has("date")
        && headers
            .iter()
            .any(|h| FETTLE_COLUMNS.contains(&h.as_str()) && h != "date")
    {
        parse_csv(text, WellnessSource::Fettle)
    } else {
        Err(WellnessImportError::UnknownLayout {
            header: first.chars().take(200).collect(),
        })
    }
}

/// The Oura Trends columns Fettle reads (any one of them, with `date`, marks the layout).
const OURA_COLUMNS: [&str; 5] = [
    "Total Sleep Duration",
    "Total Sleep Time",
    "Lowest Resting Heart Rate",
    "Average Resting Heart Rate",
    "Average HRV",
];

/// Fettle's own CSV columns.
const FETTLE_COLUMNS: [&str; 12] = [
    "date",
    "sleep_h",
    "sleep_quality",
    "soreness",
    "fatigue",
    "stress",
    "mood",
    "rmssd_ms",
    "rest_hr",
    "mass_kg",
    "sick",
    "injured",
];

/// One Elite HRV R-R export file → one entry (rMSSD and resting HR from the R-R intervals).
pub fn parse_elitehrv_rr(
    file_name: &str,
    text: &str,
) -> Result<WellnessImport, WellnessImportError> {
    let date = file_name
        .get(..10)
        .and_then(|s| s.parse::<Date>().ok())
        .ok_or_else(|| WellnessImportError::NoDateInFileName {
            file_name: file_name.to_string(),
        })?;
    let mut rr = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        match t.parse::<f32>() {
            Ok(v) => rr.push(v),
            Err(_) => errors.push(RowError {
                line: i + 1,
                message: format!("{t:?} is not an R-R interval in milliseconds; line skipped"),
            }),
        }
    }
    let entry = entry_from_rr(date, &rr, WellnessSource::EliteHrvRr.as_str()).ok_or(
        WellnessImportError::TooFewBeats {
            file_name: file_name.to_string(),
            beats: rr.len(),
        },
    )?;
    Ok(WellnessImport {
        source: WellnessSource::EliteHrvRr,
        entries: vec![entry],
        errors,
        ignored: Vec::new(),
    })
}

/// A morning entry from a recording's R-R intervals in milliseconds (a FIT file's HRV messages
/// store seconds: multiply by 1000 first; drop the FIT invalid value 0xFFFF): rMSSD after
/// artefact filtering, and resting HR = 60 000 / mean accepted R-R. `None` when too few beats
/// survive the filter. `source` goes into [`WellnessEntry::source`] (e.g. `fit-rr`).
pub fn entry_from_rr(date: Date, rr_ms: &[f32], source: &str) -> Option<WellnessEntry> {
    let result = rmssd_from_rr(rr_ms)?;
    Some(WellnessEntry {
        date: Some(date),
        rmssd_ms: Some(result.rmssd_ms),
        rest_hr: Some(60_000.0 / result.mean_rr_ms),
        source: Some(source.to_string()),
        ..WellnessEntry::default()
    })
}

/// Hours of sleep accepted for one night: the one bound of [`crate::limits`].
pub const SLEEP_H_RANGE: (f64, f64) = crate::limits::SLEEP_H;
/// The 1–5 subjective scale of [`WellnessEntry`]: the one bound of [`crate::limits`].
pub const SUBJECTIVE_RANGE: (f64, f64) = crate::limits::SUBJECTIVE_SCALE;
/// Morning rMSSD accepted, ms: the one bound of [`crate::limits`].
pub const RMSSD_RANGE_MS: (f64, f64) = crate::limits::RMSSD_MS;
/// Resting heart rate accepted, bpm: the one bound of [`crate::limits`], as for the profile.
pub const REST_HR_RANGE: (f64, f64) = crate::limits::REST_HR_BPM;
/// Body mass accepted, kg: the one bound of [`crate::limits`], as for the profile.
pub const MASS_RANGE_KG: (f64, f64) = crate::limits::BODY_MASS_KG;

/// Why a wellness entry typed by the athlete was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WellnessError {
    /// The entry has no date.
    #[error("a wellness entry needs the date it describes (the morning of)")]
    NoDate,
    /// The date is outside the accepted range (before 1989, or after today by more than the
    /// one day of [`crate::limits::FUTURE_TOLERANCE`]).
    #[error("{0}")]
    OutOfDateRange(crate::limits::Violation),
    /// A value outside its scale or plausible range.
    #[error("{field} = {value} is outside {min}–{max} {unit}")]
    OutOfRange {
        /// The field.
        field: &'static str,
        /// The value given.
        value: f64,
        /// Lowest accepted.
        min: f64,
        /// Highest accepted.
        max: f64,
        /// Unit or scale.
        unit: &'static str,
    },
}

impl WellnessError {
    /// The refusal as a structured [`Violation`](crate::limits::Violation) for the faces.
    pub fn violation(&self) -> crate::limits::Violation {
        use crate::limits::Violation;
        match self {
            WellnessError::NoDate => {
                Violation::new("date", "", "a day from 1989-01-01 on", self.to_string())
            }
            WellnessError::OutOfDateRange(v) => v.clone(),
            WellnessError::OutOfRange {
                field,
                value,
                min,
                max,
                unit,
            } => Violation::new(
                *field,
                value.to_string(),
                format!("{min}–{max} {unit}"),
                self.to_string(),
            ),
        }
    }
}

/// Checks a wellness entry typed at the CLI (`today` is the athlete's local date).
pub fn validate_wellness(entry: &WellnessEntry, today: Date) -> Result<(), WellnessError> {
    let date = entry.date.ok_or(WellnessError::NoDate)?;
    crate::limits::check_day("date", date, today).map_err(WellnessError::OutOfDateRange)?;
    /// (field, value, accepted range, unit or scale).
    type Check = (&'static str, Option<f64>, (f64, f64), &'static str);
    let checks: [Check; 9] = [
        ("sleep_h", entry.sleep_h, SLEEP_H_RANGE, "h"),
        (
            "sleep_quality",
            entry.sleep_quality,
            SUBJECTIVE_RANGE,
            "(1 very poor … 5 very good)",
        ),
        (
            "soreness",
            entry.soreness,
            SUBJECTIVE_RANGE,
            "(1 none … 5 very sore)",
        ),
        (
            "fatigue",
            entry.fatigue,
            SUBJECTIVE_RANGE,
            "(1 none … 5 very tired)",
        ),
        (
            "stress",
            entry.stress,
            SUBJECTIVE_RANGE,
            "(1 none … 5 very stressed)",
        ),
        (
            "mood",
            entry.mood,
            SUBJECTIVE_RANGE,
            "(1 very low … 5 very good)",
        ),
        ("rmssd_ms", entry.rmssd_ms, RMSSD_RANGE_MS, "ms"),
        ("rest_hr", entry.rest_hr, REST_HR_RANGE, "bpm"),
        ("mass_kg", entry.mass_kg, MASS_RANGE_KG, "kg"),
    ];
    for (field, value, (min, max), unit) in checks {
        let Some(v) = value else { continue };
        if !(v.is_finite() && (min..=max).contains(&v)) {
            return Err(WellnessError::OutOfRange {
                field,
                value: v,
                min,
                max,
                unit,
            });
        }
    }
    Ok(())
}

/// Column indices of the fields a layout can fill.
#[derive(Default)]
struct Columns {
    date: Option<usize>,
    sleep_h: Option<usize>,
    sleep_quality: Option<usize>,
    soreness: Option<usize>,
    fatigue: Option<usize>,
    stress: Option<usize>,
    mood: Option<usize>,
    rmssd: Option<usize>,
    rest_hr: Option<usize>,
    mass: Option<usize>,
    sick: Option<usize>,
    injured: Option<usize>,
    /// The sleep column counts seconds (Oura), not hours.
    sleep_in_seconds: bool,
}

fn columns_for(headers: &[String], source: WellnessSource) -> Columns {
    let find = |name: &str| headers.iter().position(|h| h == name);
    match source {
        WellnessSource::Hrv4Training => Columns {
            date: find("date"),
            sleep_h: find("sleep_time"),
            sleep_quality: find("sleep_quality"),
            soreness: find("muscle_soreness"),
            fatigue: find("fatigue"),
            rmssd: find("rMSSD"),
            rest_hr: find("HR"),
            sick: find("sickness"),
            ..Columns::default()
        },
        WellnessSource::Oura => Columns {
            date: find("date"),
            sleep_h: find("Total Sleep Duration").or_else(|| find("Total Sleep Time")),
            rmssd: find("Average HRV"),
            rest_hr: find("Lowest Resting Heart Rate")
                .or_else(|| find("Average Resting Heart Rate")),
            sleep_in_seconds: true,
            ..Columns::default()
        },
        _ => Columns {
            date: find("date"),
            sleep_h: find("sleep_h"),
            sleep_quality: find("sleep_quality"),
            soreness: find("soreness"),
            fatigue: find("fatigue"),
            stress: find("stress"),
            mood: find("mood"),
            rmssd: find("rmssd_ms"),
            rest_hr: find("rest_hr"),
            mass: find("mass_kg"),
            sick: find("sick"),
            injured: find("injured"),
            sleep_in_seconds: false,
        },
    }
}

impl Columns {
    /// The column indices taken.
    fn used(&self) -> Vec<usize> {
        [
            self.date,
            self.sleep_h,
            self.sleep_quality,
            self.soreness,
            self.fatigue,
            self.stress,
            self.mood,
            self.rmssd,
            self.rest_hr,
            self.mass,
            self.sick,
            self.injured,
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// A cell that means "no value".
fn is_missing(cell: &str) -> bool {
    matches!(cell, "" | "-" | "NA" | "N/A" | "null" | "nan" | "NaN")
}

fn parse_csv(text: &str, source: WellnessSource) -> Result<WellnessImport, WellnessImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| WellnessImportError::Csv(e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let cols = columns_for(&headers, source);
    let used = cols.used();
    let ignored: Vec<String> = headers
        .iter()
        .enumerate()
        .filter(|(i, h)| !used.contains(i) && !h.is_empty())
        .map(|(_, h)| format!("column `{h}`"))
        .collect();
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                errors.push(RowError {
                    line,
                    message: format!("unreadable row ({e}); skipped"),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        match parse_row(&record, &cols, source) {
            Ok(entry) => entries.push(entry),
            Err(message) => errors.push(RowError { line, message }),
        }
    }
    if source == WellnessSource::Hrv4Training {
        rescale_ten_point_columns(&mut entries);
    }
    Ok(WellnessImport {
        source,
        entries,
        errors,
        ignored,
    })
}

fn parse_row(
    record: &csv::StringRecord,
    cols: &Columns,
    source: WellnessSource,
) -> Result<WellnessEntry, String> {
    let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).filter(|c| !is_missing(c));
    let number = |name: &str, i: Option<usize>| -> Result<Option<f64>, String> {
        match cell(i) {
            None => Ok(None),
            Some(c) => c
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(Some)
                .ok_or_else(|| format!("column `{name}`: {c:?} is not a number; row skipped")),
        }
    };
    let date_cell = cell(cols.date).ok_or("no date; row skipped")?;
    let date = parse_date(date_cell).ok_or_else(|| {
        format!("date {date_cell:?} is not YYYY-MM-DD (or YYYY/MM/DD); row skipped")
    })?;
    let flag = |i: Option<usize>| {
        cell(i).is_some_and(|c| {
            !matches!(
                c.to_ascii_lowercase().as_str(),
                "0" | "no" | "false" | "n" | "none"
            )
        })
    };
    let entry = WellnessEntry {
        date: Some(date),
        sleep_h: if cols.sleep_in_seconds {
            number("Total Sleep Duration", cols.sleep_h)?.map(|s| s / 3600.0)
        } else {
            sleep_hours(cell(cols.sleep_h))?
        },
        sleep_quality: number("sleep_quality", cols.sleep_quality)?,
        soreness: number("soreness", cols.soreness)?,
        fatigue: number("fatigue", cols.fatigue)?,
        stress: number("stress", cols.stress)?,
        mood: number("mood", cols.mood)?,
        rmssd_ms: number("rMSSD", cols.rmssd)?.filter(|v| *v > 0.0),
        rest_hr: number("HR", cols.rest_hr)?.filter(|v| *v > 0.0),
        mass_kg: number("mass_kg", cols.mass)?.filter(|v| *v > 0.0),
        sick: flag(cols.sick),
        injured: flag(cols.injured),
        source: Some(source.as_str().to_string()),
    };
    Ok(entry)
}

/// Sleep duration as hours (`7.5`), `h:mm` (`7:30`), or minutes when the number is over 24
/// (`450`): HRV4Training's unit for `sleep_time` could not be confirmed, and none of these forms
/// is ambiguous for one night's sleep.
fn sleep_hours(cell: Option<&str>) -> Result<Option<f64>, String> {
    let Some(c) = cell else { return Ok(None) };
    let bad = || format!("column `sleep`: {c:?} is not hours, h:mm or minutes; row skipped");
    let hours = match c.split_once(':') {
        Some((h, m)) => {
            let h: f64 = h.trim().parse().map_err(|_| bad())?;
            let m: f64 = m.trim().parse().map_err(|_| bad())?;
            h + m / 60.0
        }
        None => {
            let v: f64 = c.parse().map_err(|_| bad())?;
            if v > 24.0 { v / 60.0 } else { v }
        }
    };
    hours.is_finite().then_some(Some(hours)).ok_or_else(bad)
}

/// `YYYY-MM-DD` or `YYYY/MM/DD`, optionally followed by a time (the first 10 characters count).
fn parse_date(cell: &str) -> Option<Date> {
    let head: String = cell.get(..10)?.replace('/', "-");
    head.parse::<Date>().ok()
}

/// HRV4Training subjective columns on a 1–10 scale are mapped onto 1–5 (see the module doc).
fn rescale_ten_point_columns(entries: &mut [WellnessEntry]) {
    type Field = fn(&mut WellnessEntry) -> &mut Option<f64>;
    let fields: [Field; 3] = [
        |e| &mut e.sleep_quality,
        |e| &mut e.soreness,
        |e| &mut e.fatigue,
    ];
    for field in fields {
        let ten_point = entries
            .iter_mut()
            .any(|e| field(e).is_some_and(|v| v > 5.0));
        if ten_point {
            for e in entries.iter_mut() {
                if let Some(v) = field(e) {
                    *v = 1.0 + (*v - 1.0) * 4.0 / 9.0;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn hrv4training_export_with_spaces_and_dashes_is_read() {
        let csv = "date, HR, AVNN, SDNN, rMSSD, pNN50, LF, HF, HRV4T_Recovery_Points, sleep_quality, sleep_time, muscle_soreness, fatigue, sickness\n\
                   2025-12-11 00:01:00 +0000, 52, 1150, 80, 68.5, 40, 900, 1200, 7.8, 4, 7.5, 2, 3, -\n\
                   2025-12-12 00:01:00 +0000, 55, -, -, -, -, -, -, -, -, -, -, -, sick\n";
        let imp = parse_wellness_file("MyMeasurements.csv", csv).unwrap();
        assert_eq!(imp.source, WellnessSource::Hrv4Training);
        assert!(imp.errors.is_empty(), "{:?}", imp.errors);
        assert_eq!(imp.entries.len(), 2);
        let e = &imp.entries[0];
        assert_eq!(e.date, Some(date(2025, 12, 11)));
        assert_eq!(e.rmssd_ms, Some(68.5));
        assert_eq!(e.rest_hr, Some(52.0));
        assert_eq!(e.sleep_h, Some(7.5));
        assert_eq!(e.sleep_quality, Some(4.0));
        assert_eq!((e.soreness, e.fatigue), (Some(2.0), Some(3.0)));
        assert!(!e.sick);
        assert_eq!(e.source.as_deref(), Some("hrv4training"));
        let e2 = &imp.entries[1];
        assert_eq!(e2.rmssd_ms, None);
        assert!(e2.sick);
    }

    /// A file written to the Oura Trends layout (module docs: `date`, scores, `Total Sleep
    /// Duration` in seconds, resting heart rates, `Average HRV`), cut to a few columns.
    #[test]
    fn oura_trends_export_gives_sleep_lowest_resting_hr_and_hrv() {
        let csv = "date,Sleep Score,Total Sleep Duration,Average Resting Heart Rate,Lowest Resting Heart Rate,Average HRV,Readiness Score\n\
                   2026-01-01,80,27000,47.1,42,78,85\n\
                   2026-01-02,82,,,,,\n\
                   2026-01-03,85,25200,45.0,40,90,88\n";
        let imp = parse_wellness_file("oura_2026-01-01_2026-01-03_trends.csv", csv).unwrap();
        assert_eq!(imp.source, WellnessSource::Oura);
        assert!(imp.errors.is_empty(), "{:?}", imp.errors);
        // 27 000 s = 7.5 h; 25 200 s = 7 h. The lowest resting HR is taken, not the average.
        let e = &imp.entries[0];
        assert_eq!(e.date, Some(date(2026, 1, 1)));
        assert_eq!(e.sleep_h, Some(7.5));
        assert_eq!(e.rest_hr, Some(42.0));
        assert_eq!(e.rmssd_ms, Some(78.0));
        assert_eq!(e.source.as_deref(), Some("oura"));
        assert_eq!(imp.entries[1].sleep_h, None);
        assert_eq!(imp.entries[2].sleep_h, Some(7.0));
        assert_eq!(
            fields_taken(&imp.entries),
            vec!["sleep_h", "rmssd_ms", "rest_hr"]
        );
        assert_eq!(
            imp.ignored,
            vec![
                "column `Sleep Score`",
                "column `Average Resting Heart Rate`",
                "column `Readiness Score`"
            ]
        );
        // Without the lowest, the average resting heart rate is taken.
        let csv = "date,Average Resting Heart Rate\n2026-01-01,47\n";
        let imp = parse_wellness_file("oura.csv", csv).unwrap();
        assert_eq!(imp.entries[0].rest_hr, Some(47.0));
    }

    #[test]
    fn sleep_accepts_hours_hmm_and_minutes() {
        assert_eq!(sleep_hours(Some("7.5")), Ok(Some(7.5)));
        assert_eq!(sleep_hours(Some("7:30")), Ok(Some(7.5)));
        assert_eq!(sleep_hours(Some("450")), Ok(Some(7.5)));
        assert_eq!(sleep_hours(None), Ok(None));
        assert!(sleep_hours(Some("long")).is_err());
    }

    #[test]
    fn hrv4training_ten_point_column_is_mapped_to_five_points() {
        // 10 → 1 + 9·4/9 = 5; 1 → 1; 5.5 → 1 + 4.5·4/9 = 3.
        let csv = "date,HR,rMSSD,muscle_soreness\n2026-01-01,50,60,10\n2026-01-02,50,60,1\n2026-01-03,50,60,5.5\n";
        let imp = parse_wellness_file("x.csv", csv).unwrap();
        let s: Vec<f64> = imp.entries.iter().map(|e| e.soreness.unwrap()).collect();
        assert_eq!(s, vec![5.0, 1.0, 3.0]);
    }

    #[test]
    fn bad_rows_are_reported_with_their_line_and_the_rest_is_kept() {
        let csv = "date,HR,rMSSD\n2026-01-01,50,60\nyesterday,50,60\n2026-01-03,fast,60\n2026-01-04,49,61\n";
        let imp = parse_wellness_file("x.csv", csv).unwrap();
        assert_eq!(imp.entries.len(), 2);
        assert_eq!(imp.errors.len(), 2);
        assert_eq!(imp.errors[0].line, 3);
        assert!(imp.errors[0].message.contains("yesterday"));
        assert_eq!(imp.errors[1].line, 4);
        assert!(imp.errors[1].message.contains("`HR`"));
    }

    #[test]
    fn fettle_layout_reads_every_field() {
        let csv = "date,sleep_h,sleep_quality,soreness,fatigue,stress,mood,rmssd_ms,rest_hr,mass_kg,sick,injured\n\
                   2026-02-01,7.5,4,2,2,3,4,65,48,70.2,no,yes\n";
        let imp = parse_wellness_file("w.csv", csv).unwrap();
        assert_eq!(imp.source, WellnessSource::Fettle);
        let e = &imp.entries[0];
        assert_eq!(e.mass_kg, Some(70.2));
        assert_eq!((e.stress, e.mood), (Some(3.0), Some(4.0)));
        assert!(!e.sick && e.injured);
    }

    #[test]
    fn elitehrv_rr_file_gives_rmssd_and_resting_hr() {
        // R-R 1000, 1010, 990, 1000 ms: diffs +10, −20, +10 → √((100+400+100)/3) = √200;
        // mean R-R 1000 ms → 60 bpm.
        let imp =
            parse_wellness_file("2026-03-01 07-05-00.txt", "1000\n1010\n990\n1000\n").unwrap();
        assert_eq!(imp.source, WellnessSource::EliteHrvRr);
        let e = &imp.entries[0];
        assert_eq!(e.date, Some(date(2026, 3, 1)));
        assert!((e.rmssd_ms.unwrap() - 200f64.sqrt()).abs() < 1e-6);
        assert!((e.rest_hr.unwrap() - 60.0).abs() < 1e-9);
    }

    #[test]
    fn elitehrv_file_without_date_in_name_is_a_clear_error() {
        let err = parse_wellness_file("reading.txt", "1000\n1010\n990\n").unwrap_err();
        assert!(err.to_string().contains("YYYY") || err.to_string().contains("2026-03-01"));
    }

    #[test]
    fn cli_wellness_is_validated_against_its_scales() {
        let today = date(2026, 3, 1);
        let ok = WellnessEntry {
            date: Some(today),
            sleep_h: Some(7.5),
            soreness: Some(2.0),
            rmssd_ms: Some(65.0),
            rest_hr: Some(48.0),
            mass_kg: Some(70.0),
            ..WellnessEntry::default()
        };
        assert_eq!(validate_wellness(&ok, today), Ok(()));
        let mut bad = ok.clone();
        bad.soreness = Some(7.0);
        let msg = validate_wellness(&bad, today).unwrap_err().to_string();
        assert!(msg.contains("soreness") && msg.contains("1–5"), "{msg}");
        // One day ahead (2026-03-02) is the time-zone slip allowed by limits::FUTURE_TOLERANCE;
        // two days ahead is refused, and so is a day before 1989-01-01.
        let mut tomorrow = ok.clone();
        tomorrow.date = Some(date(2026, 3, 2));
        assert_eq!(validate_wellness(&tomorrow, today), Ok(()));
        let mut future = ok.clone();
        future.date = Some(date(2026, 3, 3));
        let err = validate_wellness(&future, today).unwrap_err();
        assert!(matches!(err, WellnessError::OutOfDateRange(_)), "{err}");
        assert_eq!(err.violation().limit, "1989-01-01 to 2026-03-02");
        let mut ancient = ok.clone();
        ancient.date = Some(date(1000, 1, 1));
        let v = validate_wellness(&ancient, today).unwrap_err().violation();
        assert_eq!((v.field.as_str(), v.value.as_str()), ("date", "1000-01-01"));
        assert!(v.message.contains("before 1989-01-01"), "{}", v.message);
        let mut nan = ok;
        nan.rest_hr = Some(f64::NAN);
        assert!(validate_wellness(&nan, today).is_err());
        assert_eq!(
            validate_wellness(&WellnessEntry::default(), today),
            Err(WellnessError::NoDate)
        );
    }

    #[test]
    fn fit_rr_entry_is_tagged_with_its_source() {
        let e =
            entry_from_rr(date(2026, 3, 1), &[1000.0, 1010.0, 990.0, 1000.0], "fit-rr").unwrap();
        assert_eq!(e.source.as_deref(), Some("fit-rr"));
        assert!(entry_from_rr(date(2026, 3, 1), &[1000.0], "fit-rr").is_none());
    }

    #[test]
    fn unknown_layout_lists_the_expected_columns() {
        let err = parse_wellness_file("x.csv", "Timestamp,Score\n1,2\n").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("HRV4Training") && msg.contains("rmssd_ms") && msg.contains("Elite HRV")
        );
        assert!(matches!(
            parse_wellness_file("x.csv", "\n\n"),
            Err(WellnessImportError::Empty)
        ));
    }
}
