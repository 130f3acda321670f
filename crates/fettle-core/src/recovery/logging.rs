//! Logging recovery sessions and meals: validation with clear errors, and compliance with a
//! prescription (what was done, when, and how close to the dose).

use super::Prescription;
use crate::limits::{self, Lines, Violation};
use crate::log::{RecoveryEntry, RecoveryMethod};
use crate::nutrition::TARGET_CARB_PROTEIN_RATIO;
use jiff::{Timestamp, ZonedDateTime};
use serde::Serialize;

/// Coldest ice-bath water accepted, °C (water freezes below).
pub const ICE_BATH_MIN_C: f64 = 0.0;
/// Warmest water still logged as cold-water immersion, °C. Protocols use 10–15 °C (Machado et
/// al. 2016); above 20 °C the water is no longer "cold" in the CWI literature.
pub const ICE_BATH_MAX_C: f64 = 20.0;
/// Longest ice bath accepted, minutes: Machado et al. 2016 found 10–15 min best, and longer
/// immersion adds hypothermia risk without benefit. Fettle accepts up to 20.
pub const ICE_BATH_MAX_MIN: f64 = 20.0;
/// Warmest whole-body cryotherapy chamber accepted, °C (SCIENCE.md §6: −110 °C or colder; Fettle
/// accepts down from −100 to allow a chamber's actual reading).
pub const CRYO_MAX_C: f64 = -100.0;
/// Coldest chamber temperature physically possible with liquid nitrogen, °C.
pub const CRYO_MIN_C: f64 = -196.0;
/// Longest cryotherapy exposure, minutes (SCIENCE.md §6: 2–3 min, never over 3).
pub const CRYO_MAX_MIN: f64 = 3.0;
/// Shortest compression-boots session accepted, minutes.
pub const BOOTS_MIN_MIN: f64 = 5.0;
/// Longest compression-boots session accepted, minutes (devices run 20–60 min programmes).
pub const BOOTS_MAX_MIN: f64 = 90.0;
/// Body zones compression boots treat (SCIENCE.md §6: feet → calves → quads → hips).
pub const BOOT_ZONES: [&str; 4] = ["feet", "calves", "quads", "hips"];
/// Longest massage accepted, minutes.
pub const MASSAGE_MAX_MIN: f64 = 120.0;
/// Longest foam-rolling session accepted, minutes.
pub const FOAM_ROLLING_MAX_MIN: f64 = 60.0;
/// Longest sleep accepted, minutes (16 h).
pub const SLEEP_MAX_MIN: f64 = 960.0;
/// Most grams of carbohydrate or protein in one logged meal: the one bound of
/// [`crate::limits`].
pub const MEAL_MAX_G: f64 = limits::MEAL_MAX_G;
/// A meal logged up to this many hours after an activity counts as its refuelling meal.
pub const MEAL_MATCH_WINDOW_H: i64 = 4;
/// Another method logged up to this many hours after the activity counts as done (late if
/// outside the prescribed window).
pub const SESSION_MATCH_WINDOW_H: i64 = 72;

/// Why a logged entry was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValidationError {
    /// The time, a text or a number every method shares broke a bound of [`crate::limits`]
    /// (before 1989, more than a day ahead, a NUL byte in the note …).
    #[error("{0}")]
    Limit(Violation),
    /// A number outside its allowed range.
    #[error("{what} {value} {unit} is outside {min}–{max} {unit}: {why}")]
    OutOfRange {
        /// Which field (e.g. "ice-bath water temperature").
        what: &'static str,
        /// The value given.
        value: f64,
        /// Lowest allowed.
        min: f64,
        /// Highest allowed.
        max: f64,
        /// Unit.
        unit: &'static str,
        /// The rule, with its source.
        why: &'static str,
    },
    /// A required field is missing.
    #[error("{method} needs {what} (e.g. {example})")]
    Missing {
        /// The method.
        method: &'static str,
        /// The field.
        what: &'static str,
        /// An example of the CLI flag.
        example: &'static str,
    },
    /// A value that is not a number (NaN or infinite).
    #[error("{what} is not a number")]
    NotANumber {
        /// The field.
        what: &'static str,
    },
    /// An unknown compression-boots zone.
    #[error("unknown boots zone {zone:?}: use feet, calves, quads or hips")]
    UnknownZone {
        /// The zone given.
        zone: String,
    },
}

impl ValidationError {
    /// The refusal as a structured [`Violation`] for the faces, named by the entry's field
    /// (`minutes`, `temp_c`, `carbs_g`, `protein_g`, `zones`, `at`, `note`) so that a client
    /// can point at it; the message starts with that name too.
    pub fn violation(&self) -> Violation {
        let named = |field: &str, value: String, limit: String| {
            Violation::new(field, value, limit, format!("`{field}`: {self}"))
        };
        match self {
            ValidationError::Limit(v) => v.clone(),
            ValidationError::OutOfRange {
                what,
                value,
                min,
                max,
                unit,
                ..
            } => named(
                field_of(what),
                value.to_string(),
                format!("{min}–{max} {unit}"),
            ),
            ValidationError::Missing { what, example, .. } => named(
                field_of(what),
                String::new(),
                format!("required (e.g. {example})"),
            ),
            ValidationError::NotANumber { what } => {
                named(field_of(what), "NaN".into(), "a finite number".into())
            }
            ValidationError::UnknownZone { zone } => {
                named("zones", zone.clone(), BOOT_ZONES.join(", "))
            }
        }
    }
}

/// The entry's field a label of the messages above describes.
fn field_of(what: &str) -> &'static str {
    if what.contains("temperature") {
        "temp_c"
    } else if what.contains("carbohydrate") {
        "carbs_g"
    } else if what.contains("protein") {
        "protein_g"
    } else {
        "minutes"
    }
}

fn range(
    what: &'static str,
    value: f64,
    min: f64,
    max: f64,
    unit: &'static str,
    why: &'static str,
) -> Result<(), ValidationError> {
    if !value.is_finite() {
        return Err(ValidationError::NotANumber { what });
    }
    if value < min || value > max {
        return Err(ValidationError::OutOfRange {
            what,
            value,
            min,
            max,
            unit,
            why,
        });
    }
    Ok(())
}

fn required(
    value: Option<f64>,
    method: &'static str,
    what: &'static str,
    example: &'static str,
) -> Result<f64, ValidationError> {
    value.ok_or(ValidationError::Missing {
        method,
        what,
        example,
    })
}

/// Checks a logged recovery session or meal against the limits above. `now` is the current
/// instant (the core has no clock).
pub fn validate(entry: &RecoveryEntry, now: Timestamp) -> Result<(), ValidationError> {
    let limit = ValidationError::Limit;
    limits::check_instant("at", entry.at, now, &jiff::tz::TimeZone::UTC).map_err(limit)?;
    if entry.zones.len() > limits::ZONES_MAX {
        return Err(limit(Violation::new(
            "zones",
            entry.zones.len().to_string(),
            format!("at most {} zones", limits::ZONES_MAX),
            format!(
                "{} zones given: name at most {}",
                entry.zones.len(),
                limits::ZONES_MAX
            ),
        )));
    }
    for zone in &entry.zones {
        limits::check_text("zones", zone, limits::ZONE_MAX_CHARS, Lines::Single).map_err(limit)?;
        if zone.trim().is_empty() {
            return Err(limit(Violation::new(
                "zones",
                "",
                "a body zone such as calves",
                "a zone is empty: name it, e.g. calves",
            )));
        }
    }
    if let Some(note) = &entry.note {
        limits::check_text("note", note, limits::NOTE_MAX_CHARS, Lines::Multi).map_err(limit)?;
    }
    let minutes = |method, example| required(entry.minutes, method, "a duration", example);
    match entry.method {
        RecoveryMethod::ColdWaterImmersion => {
            let m = minutes("an ice bath", "--minutes 10")?;
            range(
                "ice-bath duration",
                m,
                1.0,
                ICE_BATH_MAX_MIN,
                "min",
                "10–15 min is the protocol; longer adds hypothermia risk (Machado et al. 2016)",
            )?;
            let t = required(
                entry.temp_c,
                "an ice bath",
                "the water temperature",
                "--temp 12",
            )?;
            range(
                "ice-bath water temperature",
                t,
                ICE_BATH_MIN_C,
                ICE_BATH_MAX_C,
                "°C",
                "cold-water immersion means 10–15 °C water (Machado et al. 2016); warmer is not \
                 an ice bath",
            )?;
        }
        RecoveryMethod::Cryotherapy => {
            let m = minutes("cryotherapy", "--minutes 3")?;
            range(
                "cryotherapy exposure",
                m,
                0.5,
                CRYO_MAX_MIN,
                "min",
                "2–3 min, never over 3 (SCIENCE.md §6); check the time you entered",
            )?;
            let t = required(
                entry.temp_c,
                "cryotherapy",
                "the chamber temperature",
                "--temp -110",
            )?;
            range(
                "cryotherapy chamber temperature",
                t,
                CRYO_MIN_C,
                CRYO_MAX_C,
                "°C",
                "whole-body cryotherapy runs at −110 °C or colder",
            )?;
        }
        RecoveryMethod::CompressionBoots => {
            let m = minutes("compression boots", "--minutes 30")?;
            range(
                "boots session",
                m,
                BOOTS_MIN_MIN,
                BOOTS_MAX_MIN,
                "min",
                "sessions run 20–30 min (Hoffman et al. 2016)",
            )?;
            for zone in &entry.zones {
                let z = zone.trim().to_ascii_lowercase();
                if !BOOT_ZONES.contains(&z.as_str()) {
                    return Err(ValidationError::UnknownZone { zone: zone.clone() });
                }
            }
        }
        RecoveryMethod::Massage => {
            let m = minutes("a massage", "--minutes 45")?;
            range(
                "massage",
                m,
                5.0,
                MASSAGE_MAX_MIN,
                "min",
                "a session is 20–60 min",
            )?;
        }
        RecoveryMethod::FoamRolling => {
            let m = minutes("foam rolling", "--minutes 10")?;
            range(
                "foam rolling",
                m,
                1.0,
                FOAM_ROLLING_MAX_MIN,
                "min",
                "about 10 min is the dose (Wiewelhove et al. 2019)",
            )?;
        }
        RecoveryMethod::Sleep => {
            let m = minutes("sleep", "--minutes 480")?;
            range("sleep", m, 30.0, SLEEP_MAX_MIN, "min", "one night's sleep")?;
        }
        RecoveryMethod::Rest => {}
        RecoveryMethod::Nutrition => {
            if entry.carbs_g.is_none() && entry.protein_g.is_none() {
                return Err(ValidationError::Missing {
                    method: "a meal",
                    what: "its carbohydrate and/or protein grams",
                    example: "--carbs 60 --protein 15",
                });
            }
            if let Some(c) = entry.carbs_g {
                range(
                    "carbohydrate",
                    c,
                    0.0,
                    MEAL_MAX_G,
                    "g",
                    "grams cannot be negative; one meal holds at most a few hundred",
                )?;
            }
            if let Some(p) = entry.protein_g {
                range(
                    "protein",
                    p,
                    0.0,
                    MEAL_MAX_G,
                    "g",
                    "grams cannot be negative; one meal holds at most a few hundred",
                )?;
            }
        }
    }
    // Then what every method shares (after the method's own, more specific, dose checks), whether or not the method uses it (it is stored either way).
    if let Some(m) = entry.minutes {
        limits::check_number("minutes", m, limits::RECOVERY_MINUTES, "min").map_err(limit)?;
    }
    if let Some(t) = entry.temp_c {
        limits::check_number("temp_c", t, limits::RECOVERY_TEMP_C, "°C").map_err(limit)?;
    }
    for (field, grams) in [("carbs_g", entry.carbs_g), ("protein_g", entry.protein_g)] {
        if let Some(g) = grams {
            limits::check_number(field, g, (0.0, limits::MEAL_MAX_G), "g").map_err(limit)?;
        }
    }
    Ok(())
}

/// How one prescribed item was followed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplianceItem {
    /// The method prescribed.
    pub method: RecoveryMethod,
    /// Whether a matching entry was logged.
    pub done: bool,
    /// When it was done (the first matching entry).
    #[serde(serialize_with = "serialize_opt")]
    pub at: Option<ZonedDateTime>,
    /// Done inside the prescribed window (for a meal: by the deadline).
    pub on_time: Option<bool>,
    /// Carbohydrate eaten in the first meal, g.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carbs_g: Option<f64>,
    /// Protein eaten in the first meal, g.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protein_g: Option<f64>,
    /// Carbohydrate:protein ratio achieved (target 4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carb_protein_ratio: Option<f64>,
    /// Carbohydrate eaten as a fraction of the prescribed grams.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carbs_fraction_of_target: Option<f64>,
    /// Protein eaten as a fraction of the prescribed grams.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protein_fraction_of_target: Option<f64>,
    /// One line for the athlete.
    pub summary: String,
}

fn serialize_opt<S: serde::Serializer>(z: &Option<ZonedDateTime>, s: S) -> Result<S::Ok, S::Error> {
    match z {
        Some(z) => super::serialize_rfc3339(z, s),
        None => s.serialize_none(),
    }
}

/// Matches logged entries to the prescription's items. A meal counts if logged within
/// [`MEAL_MATCH_WINDOW_H`] after the activity ended (on time when by the deadline); another
/// method counts if logged from the activity's end up to [`SESSION_MATCH_WINDOW_H`] later (on
/// time when inside the item's window).
pub fn compliance(prescription: &Prescription, log: &[RecoveryEntry]) -> Vec<ComplianceItem> {
    let end = prescription.activity_end.timestamp();
    let tz = prescription.activity_end.time_zone().clone();
    let hours_after = |t: Timestamp| t.duration_since(end).as_secs_f64() / 3600.0;
    prescription
        .items
        .iter()
        .map(|item| {
            let limit = if item.method == RecoveryMethod::Nutrition {
                MEAL_MATCH_WINDOW_H
            } else {
                SESSION_MATCH_WINDOW_H
            };
            let first = log
                .iter()
                .filter(|e| e.method == item.method)
                .filter(|e| (0.0..=limit as f64).contains(&hours_after(e.at)))
                .min_by_key(|e| e.at);
            let mut c = ComplianceItem {
                method: item.method,
                done: first.is_some(),
                at: first.map(|e| e.at.to_zoned_datetime(tz.clone())),
                on_time: None,
                carbs_g: None,
                protein_g: None,
                carb_protein_ratio: None,
                carbs_fraction_of_target: None,
                protein_fraction_of_target: None,
                summary: String::new(),
            };
            let Some(entry) = first else {
                c.summary = format!("{}: not logged", item.method.as_str());
                return c;
            };
            let minutes_after = (hours_after(entry.at) * 60.0).round();
            if item.method == RecoveryMethod::Nutrition {
                let deadline = item.deadline.as_ref().map_or(end, ZonedDateTime::timestamp);
                let on_time = entry.at <= deadline;
                c.on_time = Some(on_time);
                c.carbs_g = entry.carbs_g;
                c.protein_g = entry.protein_g;
                c.carb_protein_ratio = match (entry.carbs_g, entry.protein_g) {
                    (Some(cg), Some(pg)) if pg > 0.0 => Some(cg / pg),
                    _ => None,
                };
                c.carbs_fraction_of_target = entry
                    .carbs_g
                    .zip(item.carbs_g)
                    .filter(|(_, t)| *t > 0.0)
                    .map(|(g, t)| g / t);
                c.protein_fraction_of_target = entry
                    .protein_g
                    .zip(item.protein_g)
                    .filter(|(_, t)| *t > 0.0)
                    .map(|(g, t)| g / t);
                let ratio = c
                    .carb_protein_ratio
                    .map_or("n/a".to_string(), |r| format!("{r:.1}:1"));
                c.summary = format!(
                    "meal {minutes_after:.0} min after the run ({}), {} g carbohydrate + {} g \
                     protein, ratio {ratio} (target {TARGET_CARB_PROTEIN_RATIO:.0}:1)",
                    if on_time {
                        "inside the 30-minute window"
                    } else {
                        "outside the 30-minute window"
                    },
                    entry.carbs_g.map_or("?".into(), |g| format!("{g:.0}")),
                    entry.protein_g.map_or("?".into(), |g| format!("{g:.0}")),
                );
            } else {
                let on_time =
                    entry.at >= item.start.timestamp() && entry.at <= item.end.timestamp();
                c.on_time = Some(on_time);
                c.summary = format!(
                    "{}: done {minutes_after:.0} min after the run{}",
                    item.method.as_str(),
                    if on_time {
                        ""
                    } else {
                        " (outside the suggested window)"
                    }
                );
            }
            c
        })
        .collect()
}
