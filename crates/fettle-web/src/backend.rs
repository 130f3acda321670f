//! The use cases the web answers with, as one trait with a method per endpoint.
//!
//! The HTTP layer (routing, extraction, validation, limits, uploads, errors) only needs *some*
//! object that answers each endpoint; [`Backend`] is that seam. The implementation,
//! [`StoreBackend`](crate::StoreBackend), wraps an `Arc<dyn fettle_store::Store>` and calls the
//! `fettle_app` use case behind each method, so `fettle status --json` and
//! `GET /api/v1/status` are the same function. Multi-user mode changes only how the athlete is
//! resolved; the account endpoints talk to `fettle_store::Accounts` directly
//! (`account_api.rs`), except the squad report, which reads the athletes' data.
//!
//! Methods are synchronous (the store is): handlers run them on Tokio's blocking pool.

use std::path::PathBuf;

use fettle_app::planning::PlanInput;
use fettle_app::squad::SquadMember;
use fettle_core::log::{RecoveryEntry, WellnessEntry};
use fettle_store::{AthleteId, Invitation};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;

use crate::error::Reply;

/// Everything the API can be asked. One method per endpoint; each returns the endpoint's JSON
/// (see `assets/openapi.json` for the shapes) or an [`ApiError`](crate::ApiError).
pub trait Backend: Send + Sync + 'static {
    /// Who a request acts for: `fettle_store::AthleteId` in production. Kept explicit in every
    /// call so that multi-user mode only changes how it is resolved (from the session, or the
    /// athlete-scoped prefix a coach reads through): the conversions are how.
    type Athlete: Copy + Send + Sync + 'static + From<AthleteId> + Into<AthleteId>;

    /// `GET /api/v1/status`: training state on `on` (today in the athlete's time zone when
    /// `None`) as of `now`: the same object as `fettle status --json`.
    fn status(&self, athlete: Self::Athlete, on: Option<Date>, now: Timestamp) -> Reply;
    /// `GET /api/v1/today`: the day's one answer (verdict, reasons, the planned and suggested
    /// session, readiness, recovery due, next hard session) on `on` (today when `None`) as of
    /// `now`: the same object as `fettle today --json`.
    fn today(&self, athlete: Self::Athlete, on: Option<Date>, now: Timestamp) -> Reply;
    /// `GET /api/v1/wellness`: the wellness entries between the two days (the last 30 days
    /// when open).
    fn wellness(&self, athlete: Self::Athlete, range: DateRange, now: Timestamp) -> Reply;
    /// `POST /api/v1/wellness`: validates and stores (merges into the day's entry) one
    /// morning's wellness; returns the day's entry as stored.
    fn log_wellness(&self, athlete: Self::Athlete, entry: WellnessEntry, now: Timestamp) -> Reply;
    /// `GET /api/v1/load`: the daily series between the two days, inclusive (up to today in
    /// the athlete's time zone as of `now` when `to` is open).
    fn load(&self, athlete: Self::Athlete, range: DateRange, now: Timestamp) -> Reply;
    /// `GET /api/v1/activities`: activities matching the filter, newest first.
    fn activities(&self, athlete: Self::Athlete, filter: &ActivityFilter) -> Reply;
    /// `GET /api/v1/activities/{id}`: one activity with laps and downsampled streams; a 404
    /// when it does not exist for this athlete.
    fn activity(&self, athlete: Self::Athlete, id: i64) -> Reply;
    /// `GET /api/v1/readiness`: the readiness score on `on` (today when `None`) with its
    /// components.
    fn readiness(&self, athlete: Self::Athlete, on: Option<Date>, now: Timestamp) -> Reply;
    /// `GET /api/v1/recover`: recovery prescriptions after `activity` (the latest when `None`),
    /// as of `now`.
    fn recover(&self, athlete: Self::Athlete, activity: Option<i64>, now: Timestamp) -> Reply;
    /// `GET /api/v1/recovery`: logged recovery sessions between the two days.
    fn recovery_sessions(&self, athlete: Self::Athlete, range: DateRange, now: Timestamp) -> Reply;
    /// `POST /api/v1/recovery`: logs one session (already validated) and returns it as stored.
    fn log_recovery(&self, athlete: Self::Athlete, entry: RecoveryEntry, now: Timestamp) -> Reply;
    /// `GET /api/v1/insights`: what each recovery method did for this athlete.
    fn insights(&self, athlete: Self::Athlete, now: Timestamp) -> Reply;
    /// `GET /api/v1/plan`: the plan to the goal race, with the forecast, as of `on` (today
    /// in the athlete's time zone when `None`).
    fn plan(&self, athlete: Self::Athlete, on: Option<Date>, now: Timestamp) -> Reply;
    /// `POST /api/v1/plan`: builds a plan to the race in `input` (validated as `fettle plan
    /// create` validates it: `fettle_app::planning::PlanInput::parse`), saves it in place of
    /// the previous one and returns it as `GET /api/v1/plan` does.
    fn create_plan(&self, athlete: Self::Athlete, input: PlanInput, now: Timestamp) -> Reply;
    /// `POST /api/v1/plan/replan`: rebuilds the rest of the saved plan from what was done
    /// (`fettle plan replan`), saves it and returns it with `changes` saying what moved.
    fn replan(&self, athlete: Self::Athlete, now: Timestamp) -> Reply;
    /// `GET /api/v1/plan/adherence`: planned against done, up to `on` (today when `None`).
    fn adherence(&self, athlete: Self::Athlete, on: Option<Date>, now: Timestamp) -> Reply;
    /// `GET /api/v1/profile`: the profile as it applies today, each value given or estimated.
    fn profile(&self, athlete: Self::Athlete, now: Timestamp) -> Reply;
    /// `PUT /api/v1/profile`: sets the values in `update` (the backend validates its shape and
    /// values: a wrong field is a 422) and returns the profile as it now applies.
    fn put_profile(
        &self,
        athlete: Self::Athlete,
        update: serde_json::Value,
        now: Timestamp,
    ) -> Reply;
    /// `GET /api/v1/profile/access`: the recovery equipment and services the athlete can use,
    /// with every accepted word.
    fn access(&self, athlete: Self::Athlete) -> Reply;
    /// `PUT /api/v1/profile/access`: replaces the access list with `items` (every word checked
    /// before anything is stored: an unknown one is a 422) and returns it as stored.
    fn put_access(&self, athlete: Self::Athlete, items: Vec<String>) -> Reply;
    /// `GET /api/v1/profile/health`: the health conditions that exclude recovery methods, with
    /// every accepted word.
    fn health(&self, athlete: Self::Athlete) -> Reply;
    /// `PUT /api/v1/profile/health`: replaces the health list with `items` (checked like
    /// [`put_access`](Backend::put_access)) and returns it as stored.
    fn put_health(&self, athlete: Self::Athlete, items: Vec<String>) -> Reply;
    /// `POST /api/v1/import`: imports the uploaded files (already on disk, original names
    /// kept so formats are recognised) on `threads` decoding threads, each recorded under its
    /// own name (the second of each pair), not its temporary path; returns the import summary.
    fn import(&self, athlete: Self::Athlete, files: &[(PathBuf, String)], threads: usize) -> Reply;
    /// `GET /api/v1/squad` (multi-user, coaches): the squad report over `members` (who needs
    /// attention first) with the invitations still `waiting` for an answer.
    fn squad(&self, members: &[SquadMember], waiting: &[Invitation], now: Timestamp) -> Reply;
    /// `PATCH /api/v1/activities/{id}`: applies the athlete's corrections (validated by the
    /// use case: a refused value is a 422) and returns the activity as it now is; a 404 when
    /// it does not exist for this athlete.
    fn edit_activity(
        &self,
        athlete: Self::Athlete,
        id: i64,
        changes: fettle_app::corrections::ActivityChanges,
    ) -> Reply;
    /// `DELETE /api/v1/activities/{id}`: deletes the activity (its file stays recorded so a
    /// re-import does not bring it back) and recomputes the loads; a 404 when it does not
    /// exist for this athlete.
    fn delete_activity(&self, athlete: Self::Athlete, id: i64) -> Reply;
    /// `DELETE /api/v1/races/{id}`: deletes a race result; a 404 when it does not exist for
    /// this athlete.
    fn delete_race(&self, athlete: Self::Athlete, id: i64) -> Reply;
}

/// An inclusive range of local days; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    /// First day included.
    pub from: Option<Date>,
    /// Last day included.
    pub to: Option<Date>,
}

/// Which activities to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityFilter {
    /// Only on or after this local day.
    pub from: Option<Date>,
    /// Only on or before this local day.
    pub to: Option<Date>,
    /// Only this sport (`running`, `cycling` …).
    pub sport: Option<String>,
    /// At most this many, newest first.
    pub limit: Option<usize>,
}
