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

/// A recovery method the athlete can log or be prescribed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryMethod {
    /// Post-run refuelling (carbohydrate and protein).
    Nutrition,
    /// Pneumatic compression boots.
    CompressionBoots,
    /// Compression garments worn for hours (socks, calf sleeves, tights).
    CompressionGarments,
    /// Cold-water immersion (ice bath).
    ColdWaterImmersion,
    /// Whole-body cryotherapy at a centre.
    Cryotherapy,
    /// Sports massage.
    Massage,
    /// Foam rolling or a massage ball.
    FoamRolling,
    /// Sleep.
    Sleep,
    /// A rest day.
    Rest,
}

impl RecoveryMethod {
    /// Every method, in display order.
    pub const ALL: [RecoveryMethod; 9] = [
        RecoveryMethod::Nutrition,
        RecoveryMethod::CompressionBoots,
        RecoveryMethod::CompressionGarments,
        RecoveryMethod::ColdWaterImmersion,
        RecoveryMethod::Cryotherapy,
        RecoveryMethod::Massage,
        RecoveryMethod::FoamRolling,
        RecoveryMethod::Sleep,
        RecoveryMethod::Rest,
    ];

    /// The stable snake_case name used in JSON, the database and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            RecoveryMethod::Nutrition => "nutrition",
            RecoveryMethod::CompressionBoots => "compression_boots",
            RecoveryMethod::CompressionGarments => "compression_garments",
            RecoveryMethod::ColdWaterImmersion => "cold_water_immersion",
            RecoveryMethod::Cryotherapy => "cryotherapy",
            RecoveryMethod::Massage => "massage",
            RecoveryMethod::FoamRolling => "foam_rolling",
            RecoveryMethod::Sleep => "sleep",
            RecoveryMethod::Rest => "rest",
        }
    }

    /// What people call it, for sentences ("no ice bath: …").
    pub fn label(self) -> &'static str {
        match self {
            RecoveryMethod::Nutrition => "refuelling",
            RecoveryMethod::CompressionBoots => "compression boots",
            RecoveryMethod::CompressionGarments => "compression garments",
            RecoveryMethod::ColdWaterImmersion => "ice bath",
            RecoveryMethod::Cryotherapy => "cryotherapy",
            RecoveryMethod::Massage => "sports massage",
            RecoveryMethod::FoamRolling => "foam rolling",
            RecoveryMethod::Sleep => "sleep",
            RecoveryMethod::Rest => "rest day",
        }
    }

    /// The method with an article where English wants one ("an ice bath", "cryotherapy").
    pub fn with_article(self) -> String {
        match self {
            RecoveryMethod::ColdWaterImmersion => "an ice bath".into(),
            RecoveryMethod::Massage => "a sports massage".into(),
            RecoveryMethod::Rest => "a rest day".into(),
            other => other.label().into(),
        }
    }

    /// Parses the stable name or the CLI's short words (`boots`, `garments`, `ice-bath`,
    /// `cryo`, `foam-roll`, `meal`).
    pub fn parse(name: &str) -> Option<RecoveryMethod> {
        let n = name.trim().to_ascii_lowercase().replace('-', "_");
        Some(match n.as_str() {
            "nutrition" | "meal" | "food" => RecoveryMethod::Nutrition,
            "compression_boots" | "boots" | "compression" => RecoveryMethod::CompressionBoots,
            "compression_garments"
            | "garments"
            | "compression_socks"
            | "socks"
            | "calf_sleeves"
            | "compression_tights"
            | "tights" => RecoveryMethod::CompressionGarments,
            "cold_water_immersion" | "ice_bath" | "cwi" | "cold" => {
                RecoveryMethod::ColdWaterImmersion
            }
            "cryotherapy" | "cryo" => RecoveryMethod::Cryotherapy,
            "massage" | "sports_massage" => RecoveryMethod::Massage,
            "foam_rolling" | "foam_roll" | "foam_roller" => RecoveryMethod::FoamRolling,
            "sleep" => RecoveryMethod::Sleep,
            "rest" | "rest_day" => RecoveryMethod::Rest,
            _ => return None,
        })
    }
}

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
