//! The one rule both backends apply to every text they are handed, written or looked up: it
//! must not contain a NUL character (U+0000).
//!
//! PostgreSQL cannot store NUL in a `TEXT` value and fails the statement ("invalid byte
//! sequence for encoding UTF8: 0x00"), which would otherwise surface as a database failure;
//! SQLite would store it and hand back a text that C-based tools cut short. Checking here,
//! before any statement runs, makes both backends answer alike with
//! [`StoreError::InvalidText`], which names the field and is the caller's to fix. The use cases
//! refuse such text earlier with their own validation; this is the backstop for every other
//! path into the store.

use fettle_core::log::{RaceResult, RecoveryEntry, WellnessEntry};
use fettle_formats::{Activity, Sport};

use crate::error::{StoreError, StoreResult};
use crate::model::ActivityFilter;

/// Refuses `value` if it contains a NUL character; `field` names it in the error.
pub(crate) fn check(field: &'static str, value: &str) -> StoreResult<()> {
    if value.contains('\0') {
        Err(StoreError::InvalidText { field })
    } else {
        Ok(())
    }
}

/// [`check`] for an optional text.
pub(crate) fn check_opt(field: &'static str, value: Option<&str>) -> StoreResult<()> {
    value.map_or(Ok(()), |value| check(field, value))
}

/// A sport given by name (`Sport::Other`); the named sports are the program's own words.
pub(crate) fn check_sport(field: &'static str, sport: &Sport) -> StoreResult<()> {
    match sport {
        Sport::Other(name) => check(field, name),
        _ => Ok(()),
    }
}

/// Every text of an activity (sport, sub-sport, name, description, device) and its source.
/// The message is the reason [`StoreError::InvalidActivity`] carries.
pub(crate) fn check_activity(activity: &Activity, source: &str) -> Result<(), String> {
    check("source", source)
        .and_then(|()| check_sport("sport", &activity.sport))
        .and_then(|()| check_opt("sub-sport", activity.sub_sport.as_deref()))
        .and_then(|()| check_opt("name", activity.name.as_deref()))
        .and_then(|()| check_opt("description", activity.description.as_deref()))
        .and_then(|()| check_opt("device", activity.device.as_deref()))
        .map_err(|e| e.to_string())
}

/// A filter's sport, when it names one.
pub(crate) fn check_filter(filter: &ActivityFilter) -> StoreResult<()> {
    filter
        .sport
        .as_ref()
        .map_or(Ok(()), |sport| check_sport("sport filter", sport))
}

/// A wellness entry's source.
pub(crate) fn check_wellness(entry: &WellnessEntry) -> StoreResult<()> {
    check_opt("wellness source", entry.source.as_deref())
}

/// A recovery entry's note and zones.
pub(crate) fn check_recovery(entry: &RecoveryEntry) -> StoreResult<()> {
    check_opt("note", entry.note.as_deref())?;
    entry
        .zones
        .iter()
        .try_for_each(|zone| check("body zone", zone))
}

/// A race result's kind.
pub(crate) fn check_race(race: &RaceResult) -> StoreResult<()> {
    check("race kind", &race.kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_anywhere_is_refused_and_named() {
        assert!(check("name", "Tempo run").is_ok());
        assert!(check("name", "").is_ok());
        for bad in ["\0", "Tempo\0run", "run\0"] {
            let error = check("name", bad).expect_err("NUL");
            assert!(
                matches!(error, StoreError::InvalidText { field: "name" }),
                "{error:?}"
            );
        }
        assert!(check_opt("note", None).is_ok());
        assert!(check_opt("note", Some("a\0")).is_err());
        assert!(check_sport("sport", &Sport::Running).is_ok());
        assert!(check_sport("sport", &Sport::Other("ro\0wing".to_owned())).is_err());
    }
}
