//! The normalised activity: what every decoder produces and everything downstream consumes.
//!
//! One [`Activity`] is one session of one sport. A multisport FIT file (swim, transition, bike,
//! transition, run) decodes to several activities, each knowing its leg (`session_index`).
//!
//! Sample streams are columnar ([`Streams`]): one `Vec` per channel, all the same length as
//! `time_s`, or empty when the channel was never recorded. A sample that is missing inside a
//! recorded channel is `NaN`. Missing is never zero (docs/science.md).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The sport of a session, following the FIT profile's names (snake_case when printed).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sport {
    /// Running of any kind (road, trail, treadmill: see the sub-sport).
    Running,
    /// Cycling of any kind.
    Cycling,
    /// Swimming, pool or open water.
    Swimming,
    /// Walking.
    Walking,
    /// Hiking.
    Hiking,
    /// The change-over between legs of a multisport event.
    Transition,
    /// Gym machines (treadmill, elliptical, rower …) as FIT's `fitness_equipment`.
    FitnessEquipment,
    /// Strength or general training.
    Training,
    /// Unspecified (FIT `generic`, a GPX track with no type).
    Generic,
    /// Anything else, by its lower-case name as the source wrote it.
    Other(String),
}

impl Sport {
    /// The named sports an activity can be stored as, in the order a list offers them: every
    /// variant but [`Sport::Transition`] (never stored: the importer drops transition legs) and
    /// [`Sport::Other`] (any other name).
    pub const NAMED: [Sport; 8] = [
        Sport::Running,
        Sport::Cycling,
        Sport::Swimming,
        Sport::Walking,
        Sport::Hiking,
        Sport::Training,
        Sport::FitnessEquipment,
        Sport::Generic,
    ];

    /// The stable lower-case name used in the database, JSON and the CLI.
    pub fn as_str(&self) -> &str {
        match self {
            Sport::Running => "running",
            Sport::Cycling => "cycling",
            Sport::Swimming => "swimming",
            Sport::Walking => "walking",
            Sport::Hiking => "hiking",
            Sport::Transition => "transition",
            Sport::FitnessEquipment => "fitness_equipment",
            Sport::Training => "training",
            Sport::Generic => "generic",
            Sport::Other(name) => name,
        }
    }

    /// Parses a name as written by FIT profiles, GPX `<type>`, TCX `Sport=` or Strava's
    /// `Activity Type` column ("Run", "Ride", "Trail Run", "Swim" …). Never fails: unknown names
    /// become [`Sport::Other`] in lower case.
    pub fn parse(name: &str) -> Sport {
        let lower = name.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        match lower.as_str() {
            "running" | "run" | "trail_run" | "trail_running" | "virtual_run" | "virtualrun"
            | "treadmill" | "treadmill_running" | "street_running" => Sport::Running,
            "cycling" | "ride" | "biking" | "bike" | "virtual_ride" | "virtualride"
            | "e_bike_ride" | "ebikeride" | "mountain_bike_ride" | "gravel_ride" => Sport::Cycling,
            "swimming" | "swim" | "lap_swimming" | "open_water_swimming" => Sport::Swimming,
            "walking" | "walk" => Sport::Walking,
            "hiking" | "hike" => Sport::Hiking,
            "transition" => Sport::Transition,
            "fitness_equipment" => Sport::FitnessEquipment,
            "training" | "weight_training" | "weighttraining" | "workout" | "strength_training" => {
                Sport::Training
            }
            "generic" | "" => Sport::Generic,
            _ => Sport::Other(lower),
        }
    }

    /// Whether this is running, the sport Fettle's pace-based models are built for.
    pub fn is_running(&self) -> bool {
        matches!(self, Sport::Running)
    }
}

impl std::fmt::Display for Sport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Columnar sample streams. Every non-empty channel has exactly `time_s.len()` entries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Streams {
    /// Seconds since the activity's `start`, non-decreasing.
    pub time_s: Vec<f64>,
    /// Latitude in degrees (WGS84).
    pub lat_deg: Vec<f64>,
    /// Longitude in degrees (WGS84).
    pub lon_deg: Vec<f64>,
    /// Cumulative distance in metres.
    pub distance_m: Vec<f64>,
    /// Speed in metres per second (FIT `enhanced_speed` preferred over `speed`).
    pub speed_mps: Vec<f32>,
    /// Altitude in metres (FIT `enhanced_altitude` preferred over `altitude`).
    pub altitude_m: Vec<f32>,
    /// Heart rate in beats per minute.
    pub heart_rate_bpm: Vec<f32>,
    /// Cadence as the device reports it (FIT: rpm, for running strides per minute per leg),
    /// including the fractional part when present.
    pub cadence_rpm: Vec<f32>,
    /// Power in watts.
    pub power_w: Vec<f32>,
    /// Temperature in °C.
    pub temperature_c: Vec<f32>,
}

impl Streams {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.time_s.len()
    }

    /// Whether there are no samples at all.
    pub fn is_empty(&self) -> bool {
        self.time_s.is_empty()
    }

    /// Checks the invariant that every non-empty channel has one entry per sample.
    pub fn is_consistent(&self) -> bool {
        let n = self.time_s.len();
        let ok64 = |v: &Vec<f64>| v.is_empty() || v.len() == n;
        let ok32 = |v: &Vec<f32>| v.is_empty() || v.len() == n;
        ok64(&self.lat_deg)
            && ok64(&self.lon_deg)
            && ok64(&self.distance_m)
            && ok32(&self.speed_mps)
            && ok32(&self.altitude_m)
            && ok32(&self.heart_rate_bpm)
            && ok32(&self.cadence_rpm)
            && ok32(&self.power_w)
            && ok32(&self.temperature_c)
    }
}

/// One lap (FIT lap message, TCX `<Lap>`, a GPX segment is not a lap).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lap {
    /// When the lap started (UTC).
    pub start: Timestamp,
    /// Wall-clock duration in seconds.
    pub elapsed_s: f64,
    /// Moving (timer) duration in seconds.
    pub timer_s: f64,
    /// Distance in metres.
    pub distance_m: Option<f64>,
    /// Average heart rate, bpm.
    pub avg_hr: Option<f64>,
    /// Maximum heart rate, bpm.
    pub max_hr: Option<f64>,
    /// Average speed, m/s.
    pub avg_speed_mps: Option<f64>,
    /// Average cadence as the device reports it.
    pub avg_cadence: Option<f64>,
    /// Average power, W.
    pub avg_power_w: Option<f64>,
    /// Total ascent, m.
    pub ascent_m: Option<f64>,
    /// Total descent, m.
    pub descent_m: Option<f64>,
}

/// One session of one sport, normalised from any source format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// When the session started, UTC.
    pub start: Timestamp,
    /// The local UTC offset at the start, in seconds east of UTC, when the source says it
    /// (FIT `activity.local_timestamp`, an offset in a GPX/TCX time). `None` when unknown: the
    /// athlete's time zone is used downstream.
    pub utc_offset_s: Option<i32>,
    /// Sport.
    pub sport: Sport,
    /// Sub-sport by its FIT name (`trail`, `treadmill`, `track`, `road` …) when known.
    pub sub_sport: Option<String>,
    /// A name (Strava's activity name, GPX `<name>`).
    pub name: Option<String>,
    /// A free-text description (Strava's description).
    pub description: Option<String>,
    /// Perceived exertion as recorded by the source (Strava's 1–10 scale), if any.
    pub perceived_exertion: Option<f64>,
    /// Wall-clock duration, seconds.
    pub elapsed_s: f64,
    /// Moving (timer) duration, seconds: excludes pauses.
    pub timer_s: f64,
    /// Distance, metres.
    pub distance_m: Option<f64>,
    /// Total ascent, metres.
    pub ascent_m: Option<f64>,
    /// Total descent, metres.
    pub descent_m: Option<f64>,
    /// Average heart rate, bpm.
    pub avg_hr: Option<f64>,
    /// Maximum heart rate, bpm.
    pub max_hr: Option<f64>,
    /// Average cadence as the device reports it.
    pub avg_cadence: Option<f64>,
    /// Average power, W.
    pub avg_power_w: Option<f64>,
    /// The recording device ("Garmin fenix 5", "Wahoo ELEMNT BOLT" …) when known.
    pub device: Option<String>,
    /// Laps in order.
    pub laps: Vec<Lap>,
    /// The sample streams.
    pub streams: Streams,
    /// Beat-to-beat (R-R) intervals in milliseconds from FIT `hrv` messages, in order.
    pub rr_intervals_ms: Vec<f32>,
    /// For a file holding several sessions: this session's 0-based index (its leg).
    /// `None` for single-session files.
    pub session_index: Option<u32>,
}

impl Activity {
    /// An empty activity of the given sport starting at `start`, for decoders to fill in.
    pub fn new(start: Timestamp, sport: Sport) -> Activity {
        Activity {
            start,
            utc_offset_s: None,
            sport,
            sub_sport: None,
            name: None,
            description: None,
            perceived_exertion: None,
            elapsed_s: 0.0,
            timer_s: 0.0,
            distance_m: None,
            ascent_m: None,
            descent_m: None,
            avg_hr: None,
            max_hr: None,
            avg_cadence: None,
            avg_power_w: None,
            device: None,
            laps: Vec::new(),
            streams: Streams::default(),
            rr_intervals_ms: Vec::new(),
            session_index: None,
        }
    }

    /// When the session ended (start + elapsed time).
    pub fn end(&self) -> Timestamp {
        let nanos = (self.elapsed_s * 1e9).round() as i64;
        self.start
            .checked_add(jiff::SignedDuration::from_nanos(nanos))
            .unwrap_or(self.start)
    }
}

/// Most samples a decoder reads from one file: 1,000,000, about 11.5 days at one per second and
/// over five times the longest session Fettle accepts (48 h at 1 Hz is 172,800). A file with
/// more is refused ([`FormatError::TooLarge`]) rather than read, which bounds the memory one
/// file can take while it is decoded (about 60 bytes per sample).
pub const MAX_SAMPLES: usize = 1_000_000;

/// What kind of file a decoder was handed, by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// Garmin FIT binary.
    Fit,
    /// GPX 1.0/1.1 XML.
    Gpx,
    /// Training Center XML.
    Tcx,
}

/// The result of decoding one file that held at least one activity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decoded {
    /// Activities in file order (one per session).
    pub activities: Vec<Activity>,
    /// Problems that did not stop decoding (bad CRC, truncated tail, a skipped message …).
    pub warnings: Vec<String>,
}

/// Why a file yielded no activity.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FormatError {
    /// The file is valid but is not an activity (FIT settings, workout, monitoring or weight
    /// file; a GPX route without times). Skipped, not failed.
    #[error("not an activity: {0}")]
    NotAnActivity(String),
    /// The bytes are not a format Fettle reads.
    #[error("unrecognised file format: {0}")]
    Unrecognised(String),
    /// The file holds more than a decoder reads from one file ([`MAX_SAMPLES`] samples, or a
    /// format's own cap on sessions or laps): refused before it could take all memory.
    #[error("too large to import: {reason}")]
    TooLarge {
        /// The format that was being decoded.
        kind: FileKind,
        /// Which cap was passed.
        reason: String,
    },
    /// The file is of a known format but nothing trustworthy could be read from it.
    #[error("corrupt {kind:?} file: {reason}")]
    Corrupt {
        /// The format that was being decoded.
        kind: FileKind,
        /// What was wrong, with the byte offset or line when known.
        reason: String,
    },
}
