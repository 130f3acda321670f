//! The plain values that go in and out of a [`Store`](crate::Store): ids, import requests and
//! outcomes, activity summaries, loads, filters and the small logs.

use std::collections::BTreeMap;
use std::fmt;

use fettle_core::log::{RaceResult, RecoveryEntry};
use fettle_formats::{Activity, Lap, Sport, Streams};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// An athlete: the partition key of every table.
    AthleteId
);
id_type!(
    /// A stored activity (unique across athletes, never reused after deletion).
    ActivityId
);
id_type!(
    /// An imported file.
    FileId
);
id_type!(
    /// A logged recovery session.
    RecoveryId
);
id_type!(
    /// A stored race result or performance marker.
    RaceId
);

/// The 128-bit content hash of an imported file (the CLI uses xxh3-128 of the raw bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContentHash(pub u128);

impl ContentHash {
    /// The 32 lower-case hex digits stored in the database.
    pub fn to_hex(self) -> String {
        format!("{:032x}", self.0)
    }

    /// Parses 32 hex digits (as written by [`ContentHash::to_hex`]).
    pub fn from_hex(hex: &str) -> Option<ContentHash> {
        (hex.len() == 32)
            .then(|| u128::from_str_radix(hex, 16).ok())
            .flatten()
            .map(ContentHash)
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

/// A file about to be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    /// Hash of the file's bytes: the same bytes are imported once per athlete.
    pub content_hash: ContentHash,
    /// Where it came from (a path, or `archive.zip!activities/123.fit.gz`).
    pub source: String,
    /// Its size in bytes.
    pub size_bytes: u64,
}

/// One decoded activity of a file about to be imported.
#[derive(Debug, Clone, Copy)]
pub struct NewActivity<'a> {
    /// The decoded activity.
    pub activity: &'a Activity,
    /// Where it came from (usually the file's source).
    pub source: &'a str,
}

/// What happened to one activity of an imported file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityOutcome {
    /// Stored under this id.
    Inserted(ActivityId),
    /// Not stored: the same session is already stored under this id (see the duplicate rule in
    /// the crate docs).
    Duplicate {
        /// The stored activity it duplicates.
        of: ActivityId,
    },
}

/// What happened to an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileOutcome {
    /// The same bytes were imported before for this athlete; nothing was written.
    AlreadyImported {
        /// The earlier import.
        file_id: FileId,
    },
    /// The file was recorded, with one outcome per activity in the order given.
    Imported {
        /// The new file record.
        file_id: FileId,
        /// Per activity: inserted or duplicate.
        activities: Vec<ActivityOutcome>,
    },
}

/// Per-session loads computed by the science and stored beside the summary.
///
/// Each method's value is data, method → value (the names of
/// [`fettle_core::load::MethodLoads::METRICS`]): the store keeps whatever it is given, so a
/// new load metric needs no column, migration or field here. A method without a finite value
/// is left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActivityLoads {
    /// Each method's value by name (`trimp`, `hrtss` …), in its own unit.
    pub methods: BTreeMap<String, f64>,
    /// The load used by the daily series.
    pub load: f64,
    /// Which method gave `load` (e.g. `hrtss`).
    pub method: String,
}

impl ActivityLoads {
    /// A method's value, if stored.
    pub fn get(&self, method: &str) -> Option<f64> {
        self.methods.get(method).copied()
    }
}

/// An activity's stored summary: everything in [`Activity`] except the samples, laps and R-R
/// intervals, plus where it came from and what the science computed for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivitySummary {
    /// Its id.
    pub id: ActivityId,
    /// The file it was imported from; `None` for a manual activity or once the file record is
    /// gone.
    pub file_id: Option<FileId>,
    /// Where it came from (file path, `manual` …).
    pub source: String,
    /// Its leg in a multisport file.
    pub session_index: Option<u32>,
    /// Start, UTC (stored to the millisecond).
    pub start: Timestamp,
    /// UTC offset at the start, seconds east, when known.
    pub utc_offset_s: Option<i32>,
    /// Sport.
    pub sport: Sport,
    /// Sub-sport.
    pub sub_sport: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Perceived exertion recorded by the source.
    pub perceived_exertion: Option<f64>,
    /// Wall-clock duration, s.
    pub elapsed_s: f64,
    /// Moving duration, s.
    pub timer_s: f64,
    /// Distance, m.
    pub distance_m: Option<f64>,
    /// Ascent, m.
    pub ascent_m: Option<f64>,
    /// Descent, m.
    pub descent_m: Option<f64>,
    /// Average HR, bpm.
    pub avg_hr: Option<f64>,
    /// Maximum HR, bpm.
    pub max_hr: Option<f64>,
    /// Average cadence.
    pub avg_cadence: Option<f64>,
    /// Average power, W.
    pub avg_power_w: Option<f64>,
    /// Recording device.
    pub device: Option<String>,
    /// Number of samples in the streams.
    pub sample_count: u64,
    /// Number of laps.
    pub lap_count: u32,
    /// The athlete's session RPE (0–10) entered in Fettle.
    pub rpe: Option<f64>,
    /// Loads, once the science has computed them.
    pub loads: Option<ActivityLoads>,
    /// Derived per-activity features (JSON the store does not interpret).
    pub metrics_json: Option<String>,
    /// The athlete's own notes (the source's text is `description`).
    pub notes: Option<String>,
    /// Whether the athlete excluded it from the training load: it stays listed, but the daily
    /// series ([`crate::Store::load_rows`]) leave it out.
    pub exclude_from_load: bool,
}

/// What an athlete changes on a stored activity: `None` leaves a field as it is; for the
/// optional fields, `Some(None)` clears it. The store checks only its own constraints (RPE
/// 0–10); the use case validates the rest before calling.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityEdit {
    /// New name, or cleared.
    pub name: Option<Option<String>>,
    /// New sport.
    pub sport: Option<Sport>,
    /// New session RPE (CR-10), or cleared.
    pub rpe: Option<Option<f64>>,
    /// Exclude from (`true`) or include in (`false`) the training load.
    pub exclude_from_load: Option<bool>,
    /// New notes, or cleared.
    pub notes: Option<Option<String>>,
}

/// One activity read back in full.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredActivity {
    /// Its summary row.
    pub summary: ActivitySummary,
    /// The activity rebuilt with laps, decoded streams and R-R intervals (streams within the
    /// precision documented in [`crate::blob`]).
    pub activity: Activity,
}

impl StoredActivity {
    /// Rebuilds the full activity from its stored parts: the summary row, the lap rows and the
    /// decoded sample blob. Every backend reads the same parts, so they share this.
    pub fn from_parts(
        summary: ActivitySummary,
        laps: Vec<Lap>,
        streams: Streams,
        rr_intervals_ms: Vec<f32>,
    ) -> StoredActivity {
        let activity = Activity {
            start: summary.start,
            utc_offset_s: summary.utc_offset_s,
            sport: summary.sport.clone(),
            sub_sport: summary.sub_sport.clone(),
            name: summary.name.clone(),
            description: summary.description.clone(),
            perceived_exertion: summary.perceived_exertion,
            elapsed_s: summary.elapsed_s,
            timer_s: summary.timer_s,
            distance_m: summary.distance_m,
            ascent_m: summary.ascent_m,
            descent_m: summary.descent_m,
            avg_hr: summary.avg_hr,
            max_hr: summary.max_hr,
            avg_cadence: summary.avg_cadence,
            avg_power_w: summary.avg_power_w,
            device: summary.device.clone(),
            laps,
            streams,
            rr_intervals_ms,
            session_index: summary.session_index,
        };
        StoredActivity { summary, activity }
    }
}

/// Which activity summaries to list. The default lists everything, newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityFilter {
    /// Only activities starting at or after this instant.
    pub from: Option<Timestamp>,
    /// Only activities starting strictly before this instant.
    pub to: Option<Timestamp>,
    /// Only this sport.
    pub sport: Option<Sport>,
    /// At most this many.
    pub limit: Option<u32>,
    /// Skip this many (after ordering newest first).
    pub offset: u32,
    /// Keyset paging: only activities strictly older than this (start, id) position in the
    /// newest-first order, i.e. the next page after the last row of the previous one. Unlike
    /// `offset` it costs the same on page 1 and page 100 (an index seek on
    /// `(athlete_id, start_ms, activity_id)`) and never skips or repeats a row when activities
    /// are added or deleted between pages.
    pub before: Option<(Timestamp, ActivityId)>,
}

/// The few columns the daily series need, for a fast scan of an athlete's whole history.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadRow {
    /// The activity.
    pub id: ActivityId,
    /// Start, UTC.
    pub start: Timestamp,
    /// UTC offset at the start, when known (to find the local day).
    pub utc_offset_s: Option<i32>,
    /// Moving duration, s.
    pub timer_s: f64,
    /// Distance, m.
    pub distance_m: Option<f64>,
    /// The stored load, once computed.
    pub load: Option<f64>,
    /// Sport.
    pub sport: Sport,
}

/// How much an athlete has stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Activities.
    pub activities: u64,
    /// Of which have loads computed.
    pub activities_with_loads: u64,
    /// Imported files.
    pub files: u64,
    /// Samples over all activities.
    pub samples: u64,
    /// Days with a wellness entry.
    pub wellness_days: u64,
    /// Recovery log entries.
    pub recovery_entries: u64,
    /// Race results and performance markers.
    pub races: u64,
}

/// One profile value (threshold HR, max HR, mass …) and the day it applies from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileValue {
    /// The profile key.
    pub key: String,
    /// The first local day it applies to.
    pub from: Date,
    /// The value as text.
    pub value: String,
}

/// A logged recovery session with its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredRecovery {
    /// Its id.
    pub id: RecoveryId,
    /// The entry.
    pub entry: RecoveryEntry,
}

/// A stored race result with its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredRace {
    /// Its id.
    pub id: RaceId,
    /// The result.
    pub race: RaceResult,
}

/// The named sets of strings kept per athlete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StringSet {
    /// Recovery methods the athlete has access to.
    Access,
    /// Health conditions the athlete declared.
    Health,
}

impl StringSet {
    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            StringSet::Access => "access",
            StringSet::Health => "health",
        }
    }
}
