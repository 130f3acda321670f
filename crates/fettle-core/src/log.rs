//! What the athlete logs by hand: wellness entries, recovery sessions and meals, race results.
//!
//! These are plain records shared by the science (readiness, insights, the personal model), the
//! store and the faces. These types only describe the data: what a person types is checked
//! against [`crate::limits`] by `wellness::validate_wellness`, `recovery::logging::validate`
//! and the use cases that accept it.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// One morning's wellness report. Every field is optional: missing is missing, never zero.
///
/// Scales (documented for the CLI and the API; 1–5 follows Hooper & Mackinnon 1995):
/// - `sleep_quality`: 1 very poor … 5 very good;
/// - `soreness`, `fatigue`, `stress`: 1 none … 5 very high (higher is worse);
/// - `mood`: 1 very low … 5 very good.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WellnessEntry {
    /// The local day the entry describes (the morning of).
    pub date: Option<Date>,
    /// Hours slept the night before.
    pub sleep_h: Option<f64>,
    /// Sleep quality, 1–5.
    pub sleep_quality: Option<f64>,
    /// Muscle soreness, 1–5 (5 = very sore).
    pub soreness: Option<f64>,
    /// General fatigue, 1–5 (5 = very tired).
    pub fatigue: Option<f64>,
    /// Stress, 1–5 (5 = very stressed).
    pub stress: Option<f64>,
    /// Mood, 1–5 (5 = very good).
    pub mood: Option<f64>,
    /// Morning rMSSD in milliseconds.
    pub rmssd_ms: Option<f64>,
    /// Morning resting heart rate, bpm.
    pub rest_hr: Option<f64>,
    /// Body mass, kg.
    pub mass_kg: Option<f64>,
    /// Ill today.
    pub sick: bool,
    /// Injured today.
    pub injured: bool,
    /// Where the entry came from: `cli`, `hrv4training`, `elitehrv`, `fit-rr` …
    pub source: Option<String>,
}

/// A recovery method: defined, with everything about it, in the recovery method catalogue.
pub use crate::recovery::catalogue::RecoveryMethod;

/// One logged recovery session or meal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryEntry {
    /// The method used.
    pub method: RecoveryMethod,
    /// When it started (UTC).
    pub at: Timestamp,
    /// Duration in minutes (not for meals; compression garments: the time worn).
    pub minutes: Option<f64>,
    /// Temperature in °C (ice bath water, cryotherapy chamber).
    pub temp_c: Option<f64>,
    /// Body zones treated (compression boots: feet, calves, quads, hips; massage areas).
    pub zones: Vec<String>,
    /// Carbohydrate in grams (meals).
    pub carbs_g: Option<f64>,
    /// Protein in grams (meals).
    pub protein_g: Option<f64>,
    /// A free-text note.
    pub note: Option<String>,
}

/// A performance marker: a race result entered by the athlete, or a best effort detected inside
/// an activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaceResult {
    /// The local day of the race or effort.
    pub date: Date,
    /// Distance in metres.
    pub distance_m: f64,
    /// Finishing time in seconds.
    pub time_s: f64,
    /// `race` when entered by the athlete, `best_effort` when detected in an activity.
    pub kind: String,
}
