//! Logging recovery sessions and meals: validation with clear errors, and compliance with a
//! prescription (what was done, when, and how close to the dose).

use super::{HealthCondition, Prescription};
use crate::limits::{self, Lines, Violation};
use crate::log::{RecoveryEntry, RecoveryMethod};
use crate::nutrition::TARGET_CARB_PROTEIN_RATIO;
use jiff::{Timestamp, ZonedDateTime};
use serde::Serialize;
use std::collections::BTreeSet;

/// Coldest ice-bath water accepted, °C (water freezes below).
pub const ICE_BATH_MIN_C: f64 = 0.0;
/// Warmest water still logged as cold-water immersion, °C: above 20 °C the water is no longer
/// "cold" in the immersion literature, so it is not the method (refused).
pub const ICE_BATH_MAX_C: f64 = 20.0;
/// Longest ice bath accepted, minutes (a plausibility limit: an hour in cold water is not a
/// recovery protocol but a typing mistake or a danger).
pub const ICE_BATH_MAX_MIN: f64 = 60.0;
/// The evidence-based ice-bath water, °C (Machado et al. 2016: 10–15 °C): outside it, a
/// warning.
pub const ICE_BATH_DOSE_C: (f64, f64) = (10.0, 15.0);
/// The evidence-based immersion time, minutes (Machado et al. 2016: 10–15 min).
pub const ICE_BATH_DOSE_MIN: (f64, f64) = (10.0, 15.0);
/// Warmest "cryotherapy" accepted, °C. Whole-body chambers run at −110 °C or colder and
/// partial-body nitrogen cabins at about −90 to −160 °C; electric chambers reach about −85 °C.
/// Air warmer than −50 °C is a cold room, not cryotherapy (refused).
pub const CRYO_WARMEST_C: f64 = -50.0;
/// Coldest chamber temperature physically possible with liquid nitrogen, °C.
pub const CRYO_MIN_C: f64 = -196.0;
/// Longest cryotherapy exposure accepted, minutes (a plausibility limit: cabins stop sessions
/// after a few minutes; beyond 10 it is a typing mistake).
pub const CRYO_MAX_MIN: f64 = 10.0;
/// The evidence-based chamber temperature: −110 °C or colder (whole-body cryotherapy studies;
/// Poppendieck et al. 2013). Warmer is logged with a warning.
pub const CRYO_DOSE_WARMEST_C: f64 = -110.0;
/// The evidence-based exposure: at most 3 minutes. Longer is logged with a warning.
pub const CRYO_DOSE_MAX_MIN: f64 = 3.0;
/// Longest compression-garment wear accepted, minutes (one day: 24 h).
pub const GARMENTS_MAX_MIN: f64 = 24.0 * 60.0;
/// Shortest compression-boots session accepted, minutes.
pub const BOOTS_MIN_MIN: f64 = 5.0;
/// Longest compression-boots session accepted, minutes (devices run 20–60 min programmes).
pub const BOOTS_MAX_MIN: f64 = 90.0;
/// Body zones compression boots treat (docs/science.md: feet → calves → quads → hips).
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
    // The method's own fields and bounds, from its catalogue row.
    let log = entry.method.spec().log;
    if let Some(bound) = log.minutes {
        let m = required(entry.minutes, log.needs, bound.missing, bound.example)?;
        range(bound.what, m, bound.min, bound.max, "min", bound.why)?;
    }
    if let Some(bound) = log.temp_c {
        let t = required(entry.temp_c, log.needs, bound.missing, bound.example)?;
        range(bound.what, t, bound.min, bound.max, "°C", bound.why)?;
    }
    if let Some(allowed) = log.zones {
        for zone in &entry.zones {
            let z = zone.trim().to_ascii_lowercase();
            if !allowed.contains(&z.as_str()) {
                return Err(ValidationError::UnknownZone { zone: zone.clone() });
            }
        }
    }
    if log.grams {
        if entry.carbs_g.is_none() && entry.protein_g.is_none() {
            return Err(ValidationError::Missing {
                method: log.needs,
                what: "its carbohydrate and/or protein grams",
                example: "--carbs 60 --protein 15",
            });
        }
        for (what, grams) in [
            ("carbohydrate", entry.carbs_g),
            ("protein", entry.protein_g),
        ] {
            if let Some(g) = grams {
                range(
                    what,
                    g,
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

/// Warnings about an entry that is valid but outside the evidence-based dose, or that the
/// athlete's health conditions advise against: it is logged anyway (it happened), and the
/// athlete is told why it is not advised. Each warning is a sentence.
pub fn warnings(entry: &RecoveryEntry, health: &BTreeSet<HealthCondition>) -> Vec<String> {
    let mut out = Vec::new();
    let outside = |v: f64, (lo, hi): (f64, f64)| v < lo || v > hi;
    match entry.method {
        RecoveryMethod::ColdWaterImmersion => {
            if let Some(t) = entry.temp_c.filter(|t| outside(*t, ICE_BATH_DOSE_C)) {
                out.push(format!(
                    "water at {} °C is outside the 10–15 °C that works best for soreness \
                     (Machado et al. 2016){}",
                    signed(t),
                    if t < ICE_BATH_DOSE_C.0 {
                        ": colder adds cold shock without more benefit"
                    } else {
                        ""
                    }
                ));
            }
            if let Some(m) = entry.minutes.filter(|m| outside(*m, ICE_BATH_DOSE_MIN)) {
                out.push(format!(
                    "{m:.0} min is outside the 10–15 min that works best (Machado et al. \
                     2016){}",
                    if m > ICE_BATH_DOSE_MIN.1 {
                        ": longer adds the risk of getting too cold without more benefit"
                    } else {
                        ""
                    }
                ));
            }
        }
        RecoveryMethod::Cryotherapy => {
            if let Some(t) = entry.temp_c.filter(|t| *t > CRYO_DOSE_WARMEST_C) {
                out.push(format!(
                    "{} °C is warmer than the −110 °C or colder used in the whole-body \
                     cryotherapy studies (Poppendieck et al. 2013): the evidence does not cover \
                     it",
                    signed(t)
                ));
            }
            if let Some(m) = entry.minutes.filter(|m| *m > CRYO_DOSE_MAX_MIN) {
                out.push(format!(
                    "{m:.0} min is longer than the 2–3 min of the studies: more time adds the \
                     risk of cold injury to the skin without shown benefit"
                ));
            }
        }
        _ => {}
    }
    for condition in super::exclusions(entry.method) {
        if health.contains(condition) {
            out.push(format!(
                "{} is in your profile: {} is not advised with it",
                super::capitalise(condition.label()),
                entry.method.with_article()
            ));
        }
    }
    out
}

/// A whole number with a typographic minus (−90, not -90), as the rest of the text writes it.
fn signed(value: f64) -> String {
    format!("{value:.0}").replace('-', "−")
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
                c.summary = format!("{}: not logged", item.method.label());
                return c;
            };
            let minutes_after = (hours_after(entry.at) * 60.0).round();
            if item.method == RecoveryMethod::Nutrition {
                // Without a window (a normal meal) there is no "on time" to judge.
                let on_time = item.deadline.as_ref().map(|d| entry.at <= d.timestamp());
                c.on_time = on_time;
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
                    match on_time {
                        Some(true) => "inside the 30-minute window",
                        Some(false) => "outside the 30-minute window",
                        None => "no window needed",
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
                    item.method.label(),
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
