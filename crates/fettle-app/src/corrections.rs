//! Fixing mistakes after an import: editing an activity (name, sport, RPE, notes, whether it
//! counts towards the training load), deleting activities and deleting a race — the objects
//! behind `fettle activity edit|delete`, `fettle race delete`, `PATCH`/`DELETE
//! /api/v1/activities/{id}` and `DELETE /api/v1/races/{id}`.
//!
//! Every change is validated here, once, for both faces, against the same limits as a manual
//! session (`fettle_core::limits`, [`crate::validate::sport`]). Loads are recomputed after each
//! change, so the daily series, status and everything downstream answer as if the activity had
//! always been so — or, once deleted, had never been imported. A deleted activity's file stays
//! recorded, so importing the same folder again does not bring it back (`import
//! --include-deleted` does).

use fettle_core::limits::{self, Violation};
use fettle_store::{ActivityEdit, ActivityId, AthleteId, RaceId, Store, StoreError};
use jiff::tz::TimeZone;
use serde::{Deserialize, Deserializer, Serialize};

use crate::AppError;
use crate::activities::ActivityDetail;
use crate::training::{recompute_loads, validate_rpe};

/// What to change on an activity. A field left out stays as it is; `null` (or, from the
/// command line, an empty value) clears a name, RPE or notes.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "openapi",
    schema(
        description = "Corrections to an activity. A field left out stays as it is; `null` clears a name, RPE or notes. Values are checked like a manual session's (422 with the refused values)."
    )
)]
pub struct ActivityChanges {
    /// New name, at most 200 characters, one line; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub name: Option<Option<String>>,
    /// New sport: running, cycling, swimming, walking, hiking, training … or a custom name of
    /// letters, digits and underscores.
    pub sport: Option<String>,
    /// New session RPE on the CR-10 scale, 0 (rest) … 10 (maximal); `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    pub rpe: Option<Option<f64>>,
    /// `true` leaves the activity out of the training load (the daily series, the estimates,
    /// the personal model) while keeping it listed; `false` counts it again.
    pub exclude_from_load: Option<bool>,
    /// The athlete's own notes, at most 2,000 characters; `null` clears them.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub notes: Option<Option<String>>,
}

impl ActivityChanges {
    /// Whether the changes change nothing.
    pub fn is_empty(&self) -> bool {
        *self == ActivityChanges::default()
    }
}

/// Tells a field given as `null` (`Some(None)`) from a field left out (`None`, by `default`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// What deleting activities did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DeletedActivities))]
pub struct Deleted {
    /// The ids deleted, as asked.
    pub deleted: Vec<i64>,
    /// Activities whose loads were computed again afterwards.
    pub loads_recomputed: usize,
}

/// What deleting a race did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeletedRace {
    /// The race deleted.
    pub deleted: i64,
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound(format!(
        "no activity {id}: list them with `fettle activities`"
    ))
}

/// Checks every change against the limits and returns the store's edit, or every refusal at
/// once.
fn validated(changes: &ActivityChanges) -> Result<ActivityEdit, AppError> {
    let mut violations: Vec<Violation> = Vec::new();
    let mut text = |field: &str, value: &Option<Option<String>>, max: usize, lines| {
        // An empty (or blank) value clears the field.
        value.as_ref().map(|inner| {
            inner
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .and_then(|t| match limits::check_text(field, t, max, lines) {
                    Ok(()) => Some(t.to_owned()),
                    Err(v) => {
                        violations.push(v);
                        None
                    }
                })
        })
    };
    let name = text(
        "name",
        &changes.name,
        limits::NAME_MAX_CHARS,
        limits::Lines::Single,
    );
    let notes = text(
        "notes",
        &changes.notes,
        limits::NOTE_MAX_CHARS,
        limits::Lines::Multi,
    );
    let sport = match changes.sport.as_deref() {
        None => None,
        Some(text) => match crate::validate::sport("sport", text) {
            Ok(sport) => Some(sport),
            Err(v) => {
                violations.push(v);
                None
            }
        },
    };
    if let Some(rpe) = changes.rpe
        && let Err(v) = validate_rpe(rpe)
    {
        violations.push(v);
    }
    crate::refuse_if_any(violations)?;
    Ok(ActivityEdit {
        name,
        sport,
        rpe: changes.rpe,
        exclude_from_load: changes.exclude_from_load,
        notes,
    })
}

/// Applies `changes` to activity `id`, recomputes every load and returns the activity as it now
/// is. Nothing is stored when any change is refused.
pub fn edit_activity(
    store: &dyn Store,
    athlete: AthleteId,
    tz: &TimeZone,
    id: i64,
    changes: &ActivityChanges,
) -> Result<ActivityDetail, AppError> {
    let edit = validated(changes)?;
    if changes.is_empty() {
        return Err(AppError::Invalid(
            "nothing to change: give a name, sport, RPE, notes or whether it counts in the load"
                .to_owned(),
        ));
    }
    let activity_id = ActivityId(id);
    let stored = store
        .get_activity(athlete, activity_id)?
        .ok_or_else(|| not_found(id))?;
    let new_sport = edit
        .sport
        .as_ref()
        .filter(|sport| **sport != stored.summary.sport);
    if new_sport.is_some() {
        // What a session's streams are worth depends on its sport (running pace makes rTSS and
        // best efforts): drop the derived metrics first, so they are derived again with the new
        // sport — by the recompute below, or by the next one should this process die between.
        store.set_activity_metrics(athlete, &[(activity_id, None)])?;
    }
    if !store.edit_activity(athlete, activity_id, &edit)? {
        return Err(not_found(id));
    }
    recompute_loads(store, athlete)?;
    crate::activities::show(store, athlete, tz, id, false)
}

/// Deletes activities (all of them or, when one does not exist, none), then recomputes every
/// load, so the daily series and status are those of a database that never had them. Their
/// files stay recorded: importing them again does not bring them back unless asked.
pub fn delete_activities(
    store: &dyn Store,
    athlete: AthleteId,
    ids: &[i64],
) -> Result<Deleted, AppError> {
    if ids.is_empty() {
        return Err(AppError::Invalid(
            "give the ids of the activities to delete (see `fettle activities`)".to_owned(),
        ));
    }
    let mut unique: Vec<i64> = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(id) {
            unique.push(*id);
        }
    }
    let store_ids: Vec<ActivityId> = unique.iter().map(|&id| ActivityId(id)).collect();
    match store.delete_activities(athlete, &store_ids) {
        Ok(()) => {}
        Err(StoreError::ActivityNotFound { id, .. }) => {
            return Err(AppError::NotFound(format!(
                "no activity {id}: nothing was deleted; list them with `fettle activities`"
            )));
        }
        Err(e) => return Err(e.into()),
    }
    let summary = recompute_loads(store, athlete)?;
    Ok(Deleted {
        deleted: unique,
        loads_recomputed: summary.activities,
    })
}

/// Deletes a race result.
pub fn delete_race(
    store: &dyn Store,
    athlete: AthleteId,
    id: i64,
) -> Result<DeletedRace, AppError> {
    if store.delete_race(athlete, RaceId(id))? {
        Ok(DeletedRace { deleted: id })
    } else {
        Err(AppError::NotFound(format!(
            "no race {id}: list them with `fettle race list`"
        )))
    }
}
