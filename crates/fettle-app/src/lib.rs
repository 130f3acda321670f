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
pub mod planning;
pub mod recovery;
pub mod squad;
pub mod training;
pub mod validate;

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
    Store(#[from] fettle_store::StoreError),
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
/// Days (for the daily series, "today", deadlines) belong to this zone (SCIENCE.md §1).
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
