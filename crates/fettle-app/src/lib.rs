//! Fettle's use cases, shared by every face.
//!
//! Each function takes a [`Store`](fettle_store::Store), the athlete and plain parameters, does
//! the work with the decoders and the science, and returns a serialisable result. The CLI prints
//! these results as tables or as JSON; the web API returns the same JSON. So `fettle status
//! --json` and `GET /api/v1/status` cannot drift apart: they are one function.
//!
//! Invariant: no terminal, no HTTP. Progress is reported through callbacks
//! ([`import::ImportProgress`]); errors are [`AppError`]s whose kind tells a face whether the
//! caller or the program is at fault.

pub mod accounts;
pub mod activities;
pub mod corrections;
pub mod demo;
pub mod import;
pub mod overlap;
pub mod planning;
pub mod plausible;
pub mod portable;
pub mod recovery;
pub mod squad;
pub mod today;
pub mod training;
pub mod validate;
pub mod watch;
pub mod wellness_export;

use fettle_core::limits::Violation;

/// Why a use case failed. The message always says what was wrong and what to do.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request was wrong (bad date, bad value, missing setting): the caller can fix it.
    #[error("{0}")]
    Invalid(String),
    /// Values the caller typed broke the plausibility limits ([`fettle_core::limits`]): each
    /// [`Violation`] names the field, the value, the limit and what to do. Never empty. The
    /// CLI prints the messages (and `--json` the list); the web API answers 422 with the list.
    #[error("{}", join_messages(.0))]
    Violations(Vec<Violation>),
    /// The thing asked for does not exist (for this athlete).
    #[error("{0}")]
    NotFound(String),
    /// The database failed.
    #[error(transparent)]
    Store(fettle_store::StoreError),
    /// Anything else that is the program's fault.
    #[error("{0}")]
    Internal(String),
}

impl From<Violation> for AppError {
    fn from(violation: Violation) -> Self {
        AppError::Violations(vec![violation])
    }
}

impl AppError {
    /// The structured violations behind an invalid-input error, if it has them.
    pub fn violations(&self) -> &[Violation] {
        match self {
            AppError::Violations(list) => list,
            _ => &[],
        }
    }
}

impl From<fettle_store::StoreError> for AppError {
    /// A store error the caller can fix by changing what they gave (a text containing NUL, an
    /// activity the store refuses) is [`AppError::Invalid`], as the use cases' own validation would have said; every other
    /// store error is the database's ([`AppError::Store`]).
    fn from(error: fettle_store::StoreError) -> Self {
        if error.is_invalid_input() {
            AppError::Invalid(error.to_string())
        } else {
            AppError::Store(error)
        }
    }
}

/// `Ok` when nothing was violated, else every violation at once (so a person fixes all their
/// mistakes in one go).
pub fn refuse_if_any(violations: Vec<Violation>) -> Result<(), AppError> {
    if violations.is_empty() {
        Ok(())
    } else {
        Err(AppError::Violations(violations))
    }
}

fn join_messages(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|v| v.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The athlete's time zone: the profile's `tz` value when set, else this machine's zone.
/// Days (for the daily series, "today", deadlines) belong to this zone (docs/science.md).
pub fn athlete_time_zone(
    store: &dyn fettle_store::Store,
    athlete: fettle_store::AthleteId,
) -> Result<jiff::tz::TimeZone, AppError> {
    let latest = store
        .profile_values(athlete)?
        .into_iter()
        .filter(|v| v.key == "tz")
        .max_by_key(|v| v.from);
    match latest {
        Some(v) => jiff::tz::TimeZone::get(&v.value).map_err(|e| {
            AppError::Invalid(format!(
                "the profile's time zone {:?} is unknown ({e}); set it with `fettle profile set --tz Europe/London`",
                v.value
            ))
        }),
        None => Ok(jiff::tz::TimeZone::system()),
    }
}

#[cfg(test)]
mod tests {
    use fettle_store::{SqliteStore, Store as _};

    use super::*;

    #[test]
    fn text_with_nul_is_the_callers_mistake_at_the_use_case_and_at_the_store() {
        let store = SqliteStore::open_in_memory().expect("open");
        let athlete = store.default_athlete().expect("athlete");
        let query = activities::ListQuery {
            sport: Some("run\0ning".to_owned()),
            ..activities::ListQuery::default()
        };
        // The use cases' validation refuses it first, naming the field…
        let error = activities::list(&store, athlete, &jiff::tz::TimeZone::UTC, &query)
            .expect_err("NUL in the sport filter");
        assert!(
            error.violations().iter().any(|v| v.field == "sport"),
            "{error:?}"
        );
        let session = training::ManualSession {
            date: jiff::civil::date(2026, 3, 2),
            start: None,
            duration_s: 1800.0,
            distance_m: Some(5000.0),
            rpe: Some(5.0),
            sport: None,
            name: Some("Tempo\0run".to_owned()),
        };
        let now = jiff::Timestamp::from_second(1_800_000_000).expect("instant");
        let error =
            training::add_manual(&store, athlete, &session, now).expect_err("NUL in the name");
        assert!(
            error.violations().iter().any(|v| v.field == "name"),
            "{error:?}"
        );
        assert_eq!(store.counts(athlete).expect("counts").activities, 0);
        // …and a path that skipped it meets the store's backstop, still the caller's mistake.
        let backstop = store
            .list_activities(
                athlete,
                &fettle_store::ActivityFilter {
                    sport: Some(fettle_formats::Sport::Other("run\0ning".to_owned())),
                    ..Default::default()
                },
            )
            .expect_err("the store refuses NUL");
        assert!(matches!(AppError::from(backstop), AppError::Invalid(m) if m.contains("NUL")),);
    }
}
