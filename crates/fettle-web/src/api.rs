//! The JSON API under `/api/v1`: routes, request validation and the upload.
//!
//! Each handler extracts and validates its input (the request's shape; the values are the use
//! cases'), then calls the `fettle_app` use case on the blocking pool through [`run`], over the
//! state's [`CachedStore`], with the state's clock for "now". Routes are registered through [`RouteTable`], which also
//! records them, so a test can hold the registered routes against the OpenAPI document.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::multipart::MultipartError;
use axum::extract::{DefaultBodyLimit, Multipart, Path as UrlPath, Query, State};
use axum::handler::Handler;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use fettle_app::activities::ListQuery;
use fettle_app::import::{NoProgress, import_named};
use fettle_app::training::{self, ProfileUpdate};
use fettle_app::{AppError, athlete_time_zone, planning, recovery};
use fettle_core::limits::Violation;
use fettle_core::log::{RecoveryEntry, RecoveryMethod, WellnessEntry};
use fettle_store::AthleteId;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;
use tokio::io::AsyncWriteExt;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::RequestBodyDeadlineLayer;

use crate::account_api as account;
use crate::cache::{AnswerKey, CachedStore};
use crate::error::{
    ApiError, JSON_CONTENT_TYPE, JsonBody, Reply, internal_error, on_blocking_pool, to_json,
};
use crate::lists::{ACCESS_LIST, HEALTH_LIST};
use crate::state::{AppState, CurrentAthlete, TempCharge, TempExhausted};

/// Where the API lives; the version is in the path so a v2 can live beside it.
pub const API_PREFIX: &str = "/api/v1";

/// The OpenAPI 3.1 document, hand-written (see `assets/openapi.json`): generating it would need
/// a schema derive on every `fettle_app` type; a test holds it against [`api_routes`] instead.
pub(crate) const OPENAPI_JSON: &str = include_str!("../assets/openapi.json");

/// The longest file name kept from an upload (the rest is cut; the extension is kept).
const MAX_UPLOAD_NAME_CHARS: usize = 100;
/// The multipart field that carries files.
const UPLOAD_FIELD: &str = "file";

/// A route table that records what it registers (method and full path).
pub(crate) struct RouteTable {
    routes: Vec<(String, MethodRouter<AppState>)>,
    listed: Vec<(Method, String)>,
}

impl RouteTable {
    fn new() -> Self {
        Self {
            routes: Vec::new(),
            listed: Vec::new(),
        }
    }

    /// Registers `handler` for `method` on `path` (a full path, `{name}` for parameters).
    fn add<H, T>(mut self, method: Method, path: impl Into<String>, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let path = path.into();
        let filter = method_filter(&method);
        self.listed.push((method, path.clone()));
        if let Some((_, router)) = self.routes.iter_mut().find(|(p, _)| *p == path) {
            let existing = std::mem::take(router);
            *router = existing.on(filter, handler);
        } else {
            self.routes.push((path, on(filter, handler)));
        }
        self
    }

    /// Registers a read of the athlete's data twice: on `path` for the caller's own data, and
    /// under `/api/v1/athletes/{athlete_id}` for an athlete the caller may read (a coach's
    /// member). The authentication middleware decides which athlete the handler gets, so the
    /// handler is the same; path parameters are read by name, so the extra one is ignored.
    fn athlete_get<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let own = path.strip_prefix(API_PREFIX).unwrap_or(path);
        let scoped = format!("{API_PREFIX}/athletes/{{athlete_id}}{own}");
        self.add(Method::GET, path, handler.clone())
            .add(Method::GET, scoped, handler)
    }

    /// The router of every registered route.
    fn into_router(self) -> Router<AppState> {
        self.routes
            .into_iter()
            .fold(Router::new(), |router, (path, methods)| {
                router.route(&path, methods)
            })
    }
}

/// The method filter for the few methods the API uses.
fn method_filter(method: &Method) -> MethodFilter {
    match *method {
        Method::POST => MethodFilter::POST,
        Method::PUT => MethodFilter::PUT,
        Method::DELETE => MethodFilter::DELETE,
        Method::PATCH => MethodFilter::PATCH,
        _ => MethodFilter::GET,
    }
}

/// Every JSON route except the upload (which has its own, larger, body limit).
fn json_table() -> RouteTable {
    RouteTable::new()
        .add(Method::GET, "/api/v1/openapi.json", openapi)
        .athlete_get("/api/v1/status", status)
        .athlete_get("/api/v1/today", today)
        .athlete_get("/api/v1/wellness", wellness)
        .add(Method::POST, "/api/v1/wellness", log_wellness)
        .athlete_get("/api/v1/load", load)
        .athlete_get("/api/v1/activities", activities)
        .athlete_get("/api/v1/activities/{id}", activity)
        .athlete_get("/api/v1/readiness", readiness)
        .athlete_get("/api/v1/recover", recover)
        .athlete_get("/api/v1/recovery", recovery_sessions)
        .add(Method::POST, "/api/v1/recovery", log_recovery)
        .athlete_get("/api/v1/insights", insights)
        .athlete_get("/api/v1/plan", plan)
        .athlete_get("/api/v1/plan/adherence", adherence)
        .athlete_get("/api/v1/profile", profile)
        .add(Method::PUT, "/api/v1/profile", put_profile)
        .athlete_get("/api/v1/profile/access", access)
        .add(Method::PUT, "/api/v1/profile/access", put_access)
        .athlete_get("/api/v1/profile/health", health)
        .add(Method::PUT, "/api/v1/profile/health", put_health)
        .add(Method::GET, "/api/v1/me", account::me)
        .add(Method::PUT, "/api/v1/me/password", account::put_password)
        .add(Method::GET, "/api/v1/tokens", account::tokens)
        .add(Method::POST, "/api/v1/tokens", account::post_token)
        .add(Method::DELETE, "/api/v1/tokens/{id}", account::delete_token)
        .add(Method::GET, "/api/v1/invitations", account::invitations)
        .add(
            Method::POST,
            "/api/v1/invitations/{coach_id}/accept",
            account::accept_invitation,
        )
        .add(
            Method::DELETE,
            "/api/v1/invitations/{coach_id}",
            account::leave_coach,
        )
        .add(Method::GET, "/api/v1/coaches", account::coaches)
        .add(
            Method::DELETE,
            "/api/v1/coaches/{coach_id}",
            account::leave_coach,
        )
        .add(Method::GET, "/api/v1/squad", account::squad)
        .add(Method::POST, "/api/v1/squad/invitations", account::invite)
        .add(
            Method::DELETE,
            "/api/v1/squad/members/{email}",
            account::remove_member,
        )
        .add(Method::PATCH, "/api/v1/activities/{id}", edit_activity)
        .add(Method::DELETE, "/api/v1/activities/{id}", delete_activity)
        .add(Method::DELETE, "/api/v1/races/{id}", delete_race)
}

/// The upload route.
fn upload_table() -> RouteTable {
    RouteTable::new().add(Method::POST, "/api/v1/import", import)
}

/// The API router with its body limits.
pub(crate) fn router(limits: crate::Limits) -> Router<AppState> {
    // A JSON body is small: it must arrive whole within the body timeout, however it trickles
    // (a client sending a byte every few seconds would hold the connection for ever otherwise).
    let json = json_table()
        .into_router()
        .layer(DefaultBodyLimit::max(limits.json_body_bytes))
        .layer(RequestBodyLimitLayer::new(limits.json_body_bytes))
        .layer(RequestBodyDeadlineLayer::new(limits.body_read_timeout));
    // Not tower-http's layer here: its limit error reaches the multipart reader as an opaque
    // stream error (a 500). axum's own limit makes the reader answer 413; the handler refuses
    // a too-large Content-Length before reading anything.
    let upload = upload_table()
        .into_router()
        .layer(DefaultBodyLimit::max(limits.upload_bytes));
    json.merge(upload)
}

/// Every API route as `(METHOD, path)`, e.g. `("GET", "/api/v1/activities/{id}")`, exactly as
/// registered in the router (path parameters in OpenAPI's `{name}` form).
pub fn api_routes() -> Vec<(String, String)> {
    json_table()
        .listed
        .into_iter()
        .chain(upload_table().listed)
        .map(|(method, path)| (method.to_string(), path))
        .collect()
}

/// Runs a use case on the blocking pool (the store is synchronous) with the state's store, and
/// renders its answer.
pub(crate) async fn run<F>(state: &AppState, call: F) -> Response
where
    F: FnOnce(&CachedStore) -> Reply + Send + 'static,
{
    let db = Arc::clone(state.store());
    match on_blocking_pool(move || call(&db)).await {
        Ok(body) => body.into_response(),
        Err(error) => error.into_response(),
    }
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

/// `?date=` for endpoints that describe one day.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DayQuery {
    date: Option<Date>,
}

/// `?activity=` for the recovery prescriptions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecoverQuery {
    activity: Option<i64>,
}

/// Serves the OpenAPI document.
async fn openapi() -> Response {
    let mut response = OPENAPI_JSON.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    response
}

/// The athlete's "today" (their time zone's, the profile's else this machine's) as of `now`,
/// unless the request named a day.
fn day_or_today(
    db: &CachedStore,
    athlete: AthleteId,
    on: Option<Date>,
    now: Timestamp,
) -> Result<Date, ApiError> {
    match on {
        Some(day) => Ok(day),
        None => Ok(athlete_time_zone(db.store(), athlete)?
            .to_datetime(now)
            .date()),
    }
}

/// `GET /api/v1/status`: training state on `date` (today when absent): the same object as
/// `fettle status --json`. Cached ([`CachedStore::cached`]).
async fn status(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    Query(query): Query<DayQuery>,
) -> Response {
    let now = state.now();
    run(&state, move |db| {
        db.cached(AnswerKey::Status(athlete, query.date), || {
            to_json(training::status(db.store(), athlete, query.date, now))
        })
    })
    .await
}

/// `GET /api/v1/today`: the day's one answer: the same object as `fettle today --json`.
async fn today(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    Query(query): Query<DayQuery>,
) -> Response {
    let now = state.now();
    run(&state, move |db| {
        to_json(fettle_app::today::today(
            db.store(),
            athlete,
            query.date,
            now,
        ))
    })
    .await
}

/// `GET /api/v1/wellness`: the wellness entries between the two days (the last 30 days when
/// open).
async fn wellness(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    Query(range): Query<DateRange>,
) -> Response {
    let now = state.now();
    run(&state, move |db| {
        to_json(recovery::list_wellness(
            db.store(),
            athlete,
            range.from,
            range.to,
            now,
        ))
    })
    .await
}

/// The body of `POST /api/v1/wellness`: one morning, every field optional (the date defaults
/// to today in the athlete's zone). Only the shape is read here; the values are checked by
/// `fettle_app::recovery::add_wellness`, the path `fettle wellness add` takes too.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WellnessLog {
    date: Option<Date>,
    sleep_h: Option<f64>,
    sleep_quality: Option<f64>,
    soreness: Option<f64>,
    fatigue: Option<f64>,
    stress: Option<f64>,
    mood: Option<f64>,
    rmssd_ms: Option<f64>,
    rest_hr: Option<f64>,
    mass_kg: Option<f64>,
    #[serde(default)]
    sick: bool,
    #[serde(default)]
    injured: bool,
}

/// `POST /api/v1/wellness`: validates and stores (merges into the day's entry) one morning's
/// wellness; answers the day's entry as stored.
async fn log_wellness(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    Json(log): Json<WellnessLog>,
) -> Response {
    let now = state.now();
    let entry = WellnessEntry {
        date: log.date,
        sleep_h: log.sleep_h,
        sleep_quality: log.sleep_quality,
        soreness: log.soreness,
        fatigue: log.fatigue,
        stress: log.stress,
        mood: log.mood,
        rmssd_ms: log.rmssd_ms,
        rest_hr: log.rest_hr,
        mass_kg: log.mass_kg,
        sick: log.sick,
        injured: log.injured,
        source: Some("web".to_owned()),
    };
    run(&state, move |db| {
        db.writing(athlete, || {
            to_json(recovery::add_wellness(db.store(), athlete, &entry, now))
        })
    })
    .await
}

/// `GET /api/v1/load`: the daily series between the two days, inclusive (up to today when
/// `to` is open). Cached.
async fn load(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    Query(range): Query<DateRange>,
) -> Response {
    let now = state.now();
    run(&state, move |db| {
        db.cached(AnswerKey::Load(athlete, range.from, range.to), || {
            to_json(training::series(
                db.store(),
                athlete,
                range.from,
                range.to,
                now,
            ))
        })
    })
    .await
}

/// `GET /api/v1/activities`: activities matching the filter, newest first.
async fn activities(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    Query(filter): Query<ActivityFilter>,
) -> Response {
    if filter.limit == Some(0) {
        return ApiError::violations(vec![Violation::new(
            "limit",
            "0",
            "at least 1",
            "`limit` must be at least 1 (leave it out for all)",
        )])
        .into_response();
    }
    run(&state, move |db| {
        let tz = athlete_time_zone(db.store(), athlete)?;
        let query = ListQuery {
            from: filter.from,
            to: filter.to,
            sport: filter.sport,
            // More than u32::MAX activities cannot exist: saturating is "all of them".
            limit: filter.limit.map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
            offset: 0,
        };
        to_json(fettle_app::activities::list(
            db.store(),
            athlete,
            &tz,
            &query,
        ))
    })
    .await
}

/// The activity id of `/activities/{id}` (by name: the athlete-scoped variant also has
/// `athlete_id`).
#[derive(Debug, Deserialize)]
struct ActivityPath {
    id: i64,
}

/// The use case's "not found" hint names the CLI; the web's list of activities is elsewhere.
fn web_not_found(error: AppError, id: i64) -> ApiError {
    match error {
        AppError::NotFound(_) => {
            ApiError::not_found(format!("no activity {id}: list them at /api/v1/activities"))
        }
        other => ApiError::from(other),
    }
}

/// `GET /api/v1/activities/{id}`: one activity with laps and downsampled streams; a 404 when
/// it does not exist for this athlete.
async fn activity(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    UrlPath(path): UrlPath<ActivityPath>,
) -> Response {
    run(&state, move |db| {
        let tz = athlete_time_zone(db.store(), athlete)?;
        let detail = fettle_app::activities::show(db.store(), athlete, &tz, path.id, true)
            .map_err(|e| web_not_found(e, path.id))?;
        JsonBody::new(&detail)
    })
    .await
}

/// `PATCH /api/v1/activities/{id}`: the body is [`fettle_app::corrections::ActivityChanges`]
/// (a field left out stays, `null` clears); the values are checked by the use case (a refused
/// value is a 422); answers the activity as it now is.
async fn edit_activity(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    UrlPath(path): UrlPath<ActivityPath>,
    Json(changes): Json<fettle_app::corrections::ActivityChanges>,
) -> Response {
    run(&state, move |db| {
        db.writing(athlete, || {
            let tz = athlete_time_zone(db.store(), athlete)?;
            let edited =
                fettle_app::corrections::edit_activity(db.store(), athlete, &tz, path.id, &changes)
                    .map_err(|e| web_not_found(e, path.id))?;
            JsonBody::new(&edited)
        })
    })
    .await
}

/// `DELETE /api/v1/activities/{id}`: deletes the activity (its file stays recorded so a
/// re-import does not bring it back) and recomputes the loads.
async fn delete_activity(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    UrlPath(path): UrlPath<ActivityPath>,
) -> Response {
    run(&state, move |db| {
        db.writing(athlete, || {
            let deleted =
                fettle_app::corrections::delete_activities(db.store(), athlete, &[path.id])
                    .map_err(|e| web_not_found(e, path.id))?;
            JsonBody::new(&deleted)
        })
    })
    .await
}

/// `DELETE /api/v1/races/{id}`: deletes a race result.
async fn delete_race(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    UrlPath(path): UrlPath<ActivityPath>,
) -> Response {
    run(&state, move |db| {
        db.writing(athlete, || {
            match fettle_app::corrections::delete_race(db.store(), athlete, path.id) {
                Err(AppError::NotFound(_)) => Err(ApiError::not_found(format!(
                    "no race {} for this athlete",
                    path.id
                ))),
                result => to_json(result),
            }
        })
    })
    .await
}

/// `GET /api/v1/readiness`: the readiness score on `date` (today when absent) with its
/// components.
async fn readiness(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    Query(query): Query<DayQuery>,
) -> Response {
    let now = state.now();
    run(&state, move |db| {
        to_json(recovery::readiness(db.store(), athlete, query.date, now))
    })
    .await
}

/// `GET /api/v1/recover`: recovery prescriptions after `activity` (the latest when absent).
async fn recover(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    Query(query): Query<RecoverQuery>,
) -> Response {
    let now = state.now();
    run(&state, move |db| {
        match recovery::recover(db.store(), athlete, query.activity, now) {
            // Nothing to recover from yet (no activity): the truthful answer is "none", not
            // an error; a missing activity that was named stays a 404.
            Err(AppError::NotFound(_)) if query.activity.is_none() => JsonBody::new(&()),
            result => to_json(result),
        }
    })
    .await
}

/// `GET /api/v1/recovery`: logged recovery sessions between the two days.
async fn recovery_sessions(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    Query(range): Query<DateRange>,
) -> Response {
    let now = state.now();
    run(&state, move |db| {
        to_json(recovery::list_recovery(
            db.store(),
            athlete,
            range.from,
            range.to,
            now,
        ))
    })
    .await
}

/// The body of `POST /api/v1/recovery`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecoveryLog {
    method: String,
    minutes: Option<f64>,
    temp_c: Option<f64>,
    #[serde(default)]
    zones: Vec<String>,
    carbs_g: Option<f64>,
    protein_g: Option<f64>,
    at: Option<Timestamp>,
    note: Option<String>,
}

impl RecoveryLog {
    /// Turns the log into an entry (the method parsed, `now` filling a missing `at`); the
    /// values are validated by the use case.
    pub(crate) fn into_entry(self, now: Timestamp) -> Result<RecoveryEntry, ApiError> {
        let method = RecoveryMethod::parse(&self.method).ok_or_else(|| {
            let names: Vec<&str> = RecoveryMethod::ALL.iter().map(|m| m.as_str()).collect();
            ApiError::invalid(format!(
                "unknown recovery method `{}`: use one of {}",
                self.method,
                names.join(", ")
            ))
        })?;
        // Only the shape is read here: every value (the time, the dose, the zones, the note)
        // is checked by `fettle_app::recovery::log_recovery`, the one validation path the CLI
        // takes too, whose refusals come back as a 422 with the structured violations.
        let zones = self
            .zones
            .into_iter()
            .map(|zone| zone.trim().to_owned())
            .collect();
        let note = self
            .note
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        let at = self.at.unwrap_or(now);
        Ok(RecoveryEntry {
            method,
            at,
            minutes: self.minutes,
            temp_c: self.temp_c,
            zones,
            carbs_g: self.carbs_g,
            protein_g: self.protein_g,
            note,
        })
    }
}

/// A logged recovery session as answered: its id and the entry as stored.
#[derive(serde::Serialize)]
struct LoggedRecovery<'a> {
    id: i64,
    #[serde(flatten)]
    entry: &'a RecoveryEntry,
    /// Outside the evidence-based dose, or against a health condition: logged anyway.
    warnings: Vec<String>,
}

/// `POST /api/v1/recovery`: logs one session and answers it as stored, with warnings.
async fn log_recovery(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    Json(log): Json<RecoveryLog>,
) -> Response {
    let now = state.now();
    let entry = match log.into_entry(now) {
        Ok(entry) => entry,
        Err(e) => return e.into_response(),
    };
    run(&state, move |db| {
        db.writing(athlete, || {
            let logged = recovery::log_recovery_with_warnings(db.store(), athlete, &entry, now)?;
            JsonBody::new(&LoggedRecovery {
                id: logged.id,
                entry: &entry,
                warnings: logged.warnings,
            })
        })
    })
    .await
}

/// `GET /api/v1/insights`: what each recovery method did for this athlete.
async fn insights(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
) -> Response {
    let now = state.now();
    run(&state, move |db| {
        to_json(recovery::insights(db.store(), athlete, now))
    })
    .await
}

/// A plan answer, or JSON `null` when the athlete has no plan: having none is a normal state
/// (the page offers to make one), not a missing resource.
fn or_null<T: serde::Serialize>(result: Result<T, AppError>) -> Reply {
    match result {
        Ok(value) => JsonBody::new(&value),
        Err(AppError::NotFound(_)) => JsonBody::new(&()),
        Err(other) => Err(other.into()),
    }
}

/// `GET /api/v1/plan`: the plan to the goal race, with the forecast, as of `date` (today when
/// absent); `null` without a plan.
async fn plan(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    Query(query): Query<DayQuery>,
) -> Response {
    let now = state.now();
    run(&state, move |db| {
        let today = day_or_today(db, athlete, query.date, now)?;
        or_null(planning::show_plan(db.store(), athlete, today))
    })
    .await
}

/// `GET /api/v1/plan/adherence`: planned against done, up to `date` (today when absent);
/// `null` without a plan.
async fn adherence(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    Query(query): Query<DayQuery>,
) -> Response {
    let now = state.now();
    run(&state, move |db| {
        let today = day_or_today(db, athlete, query.date, now)?;
        or_null(planning::adherence(db.store(), athlete, today))
    })
    .await
}

/// `GET /api/v1/profile`: the profile as it applies today, each value given or estimated.
async fn profile(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
) -> Response {
    let now = state.now();
    run(&state, move |db| {
        let today = day_or_today(db, athlete, None, now)?;
        to_json(training::show_profile(db.store(), athlete, today))
    })
    .await
}

/// The fields `PUT /api/v1/profile` accepts ([`ProfileUpdate`]'s): anything else is a typo
/// that would otherwise be silently ignored.
const PROFILE_FIELDS: [&str; 9] = [
    "from",
    "sex",
    "mass_kg",
    "max_hr",
    "rest_hr",
    "lthr",
    "threshold_speed_mps",
    "tz",
    "strength_block",
];

/// `PUT /api/v1/profile`: sets the values given (a wrong field is a 422, the values are checked
/// by the use case) and answers the profile as it now applies.
async fn put_profile(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    Json(update): Json<serde_json::Value>,
) -> Response {
    let Some(fields) = update.as_object() else {
        return ApiError::invalid("the profile must be a JSON object").into_response();
    };
    if let Some(unknown) = fields
        .keys()
        .find(|k| !PROFILE_FIELDS.contains(&k.as_str()))
    {
        return ApiError::violations(vec![Violation::new(
            unknown.as_str(),
            fields[unknown].to_string(),
            format!("one of {}", PROFILE_FIELDS.join(", ")),
            format!(
                "unknown profile field `{unknown}`: use {}",
                PROFILE_FIELDS.join(", ")
            ),
        )])
        .into_response();
    }
    let update: ProfileUpdate = match serde_json::from_value(update) {
        Ok(update) => update,
        Err(e) => {
            return ApiError::invalid(format!("the profile update is not valid: {e}"))
                .into_response();
        }
    };
    let now = state.now();
    run(&state, move |db| {
        db.writing(athlete, || {
            let today = day_or_today(db, athlete, None, now)?;
            training::update_profile(db.store(), athlete, &update, today)?;
            // The zone may just have changed: "today" is the new zone's.
            let today = day_or_today(db, athlete, None, now)?;
            to_json(training::show_profile(db.store(), athlete, today))
        })
    })
    .await
}

/// The body of `PUT /api/v1/profile/access` and `/health`: the whole new list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemsUpdate {
    items: Vec<String>,
}

/// `GET /api/v1/profile/access`: the recovery equipment and services the athlete can use,
/// with every accepted word.
async fn access(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
) -> Response {
    run(&state, move |db| ACCESS_LIST.show(db.store(), athlete)).await
}

/// `PUT /api/v1/profile/access`: replaces the access list (every word checked before anything
/// is stored: an unknown one is a 422) and answers it as stored.
async fn put_access(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    Json(update): Json<ItemsUpdate>,
) -> Response {
    // The lists decide the prescriptions, so a squad row's compliance changes with them.
    run(&state, move |db| {
        db.writing(athlete, || {
            ACCESS_LIST.replace(db.store(), athlete, &update.items)
        })
    })
    .await
}

/// `GET /api/v1/profile/health`: the health conditions that exclude recovery methods, with
/// every accepted word.
async fn health(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
) -> Response {
    run(&state, move |db| HEALTH_LIST.show(db.store(), athlete)).await
}

/// `PUT /api/v1/profile/health`: replaces the health list (checked like the access list) and
/// answers it as stored.
async fn put_health(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    Json(update): Json<ItemsUpdate>,
) -> Response {
    run(&state, move |db| {
        db.writing(athlete, || {
            HEALTH_LIST.replace(db.store(), athlete, &update.items)
        })
    })
    .await
}

/// A multipart error as a JSON error with its own status: 413 when the size limit was hit, 400
/// for a malformed body, and 400 too when the body could not be read to its end (the client
/// closed the connection mid-upload: the client's doing, never a server failure).
fn multipart_error(error: &MultipartError) -> ApiError {
    let status = error.status();
    if status.is_server_error() {
        return ApiError::bad_request(
            "the upload ended before it was complete (the connection was closed or broke): \
             send it again",
        );
    }
    ApiError::new(
        status,
        format!("cannot read the upload: {}", error.body_text()),
    )
}

/// How long until an upload refused for temporary disk may be tried again, seconds: the
/// uploads holding the space are usually imported within a minute.
const TEMP_RETRY_AFTER_S: u32 = 60;

/// The 429 of an upload that would take an athlete's, or the server's, temporary disk past its
/// budget, with `Retry-After`.
fn temp_exhausted(exhausted: TempExhausted) -> ApiError {
    let mib = |bytes: u64| bytes.div_ceil(1024 * 1024);
    let message = match exhausted {
        TempExhausted::Athlete(limit) => format!(
            "your uploads waiting to be imported already hold {} MiB of the server's temporary \
             space, your share: try again in a minute, once they are imported (big exports \
             import with `fettle import`)",
            mib(limit)
        ),
        TempExhausted::Server(limit) => format!(
            "the server's temporary space for uploads ({} MiB) is held by other uploads: try \
             again in a minute",
            mib(limit)
        ),
    };
    ApiError::new(StatusCode::TOO_MANY_REQUESTS, message)
}

/// The 408 of an upload that sent nothing for `timeout`.
fn upload_stalled(timeout: Duration) -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        format!(
            "the upload stalled: nothing arrived for {} s, so it was dropped; send it again",
            timeout.as_secs_f64().ceil()
        ),
    )
}

/// Waits for the next part of the upload, at most `timeout`.
async fn within<T>(
    timeout: Duration,
    next: impl std::future::Future<Output = Result<T, MultipartError>>,
) -> Result<T, ApiError> {
    match tokio::time::timeout(timeout, next).await {
        Ok(read) => read.map_err(|e| multipart_error(&e)),
        Err(_) => Err(upload_stalled(timeout)),
    }
}

/// A safe local file name for an uploaded file: the last path component, only ASCII letters,
/// digits, `.`, `-` and `_`, no leading dot, the extension kept (formats are recognised by it).
pub(crate) fn safe_upload_name(given: Option<&str>, index: usize) -> String {
    let base = given
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    if cleaned.is_empty() {
        return format!("upload-{index}");
    }
    if cleaned.len() <= MAX_UPLOAD_NAME_CHARS {
        return cleaned.to_owned();
    }
    // Keep the end: that is where `.fit.gz` is.
    cleaned[cleaned.len() - MAX_UPLOAD_NAME_CHARS..]
        .trim_start_matches('.')
        .to_owned()
}

/// A path in `dir` for `name` that no earlier file of this upload took.
fn unique_path(dir: &Path, name: &str, index: usize) -> PathBuf {
    let path = dir.join(name);
    if path.exists() {
        dir.join(format!("{index}-{name}"))
    } else {
        path
    }
}

/// Streams every `file` field of the upload to a temporary folder, chunk by chunk, holding
/// temporary disk in `charge` as the bytes arrive; returns each file's path with its own
/// (cleaned) name.
async fn receive_files(
    multipart: &mut Multipart,
    dir: &Path,
    charge: &mut TempCharge,
    timeout: Duration,
) -> Result<Vec<(PathBuf, String)>, ApiError> {
    let mut files = Vec::new();
    let mut received: u64 = 0;
    while let Some(mut field) = within(timeout, multipart.next_field()).await? {
        if field.name() != Some(UPLOAD_FIELD) {
            return Err(ApiError::bad_request(format!(
                "unexpected form field `{}`: send files in fields named `{UPLOAD_FIELD}`",
                field.name().unwrap_or_default()
            )));
        }
        let name = safe_upload_name(field.file_name(), files.len());
        let path = unique_path(dir, &name, files.len());
        let mut file = tokio::fs::File::create(&path)
            .await
            .map_err(|e| internal_error(&format_args!("cannot create a temporary file: {e}")))?;
        while let Some(chunk) = within(timeout, field.chunk()).await? {
            received = received.saturating_add(chunk.len() as u64);
            // Held before it is written: the budget bounds the disk, not just the count.
            if received > charge.bytes() {
                charge
                    .add(received - charge.bytes())
                    .map_err(temp_exhausted)?;
            }
            file.write_all(&chunk)
                .await
                .map_err(|e| internal_error(&format_args!("cannot write the upload: {e}")))?;
        }
        file.flush()
            .await
            .map_err(|e| internal_error(&format_args!("cannot write the upload: {e}")))?;
        files.push((path, name));
    }
    if files.is_empty() {
        return Err(ApiError::bad_request(format!(
            "no file in the upload: send multipart/form-data with files in fields named `{UPLOAD_FIELD}`"
        )));
    }
    Ok(files)
}

/// Renders an error, with `Retry-After` when it is a temporary-disk 429.
fn upload_refused(error: ApiError) -> Response {
    let retry = error.status() == StatusCode::TOO_MANY_REQUESTS;
    let mut response = error.into_response();
    if retry {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(TEMP_RETRY_AFTER_S));
    }
    response
}

/// `POST /api/v1/import`: the files are streamed to a temporary folder (bounded per upload by
/// [`Limits::upload_bytes`](crate::Limits), per athlete and in all by the temporary-disk
/// budgets, and by an idle timeout), then imported in the athlete's turn; the folder is deleted
/// and its disk given back afterwards, whatever happened.
async fn import(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let limits = state.limits();
    let limit = limits.upload_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return ApiError::payload_too_large(format!(
            "the upload is larger than the limit of {limit} bytes: import big exports with \
             `fettle import` instead"
        ))
        .into_response();
    }
    // A declared length is held at once: an upload that cannot fit is refused before a byte
    // is read or written.
    let mut charge = state.temp_budget().start(athlete);
    if let Some(length) = declared
        && let Err(exhausted) = charge.add(length)
    {
        return upload_refused(temp_exhausted(exhausted));
    }
    let dir = match tempfile::Builder::new().prefix("fettle-upload-").tempdir() {
        Ok(dir) => dir,
        Err(e) => {
            return internal_error(&format_args!("cannot create a temporary folder: {e}"))
                .into_response();
        }
    };
    let files = match receive_files(
        &mut multipart,
        dir.path(),
        &mut charge,
        limits.body_read_timeout,
    )
    .await
    {
        Ok(files) => files,
        Err(e) => return upload_refused(e),
    };
    let threads = state.import_threads();
    // A second upload for the same athlete waits here (its files already on disk) until the
    // first is imported; other athletes' uploads wait only for a free slot.
    let _turn = match state.imports().turn(athlete).await {
        Ok(turn) => turn,
        Err(e) => return e.into_response(),
    };
    run(&state, move |db| {
        let reply = db.writing(athlete, || {
            to_json(import_named(
                db.store(),
                athlete,
                &files,
                threads,
                &NoProgress,
            ))
        });
        // The files are gone once imported; an error removing them is not the client's. The
        // disk they held is given back after.
        drop(dir);
        drop(charge);
        reply
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn log(json: serde_json::Value) -> RecoveryLog {
        serde_json::from_value(json).expect("a well-formed log")
    }

    fn now() -> Timestamp {
        "2026-11-29T12:00:00Z".parse().expect("timestamp")
    }

    #[test]
    fn upload_names_lose_paths_and_odd_characters_but_keep_extensions() {
        assert_eq!(safe_upload_name(Some("run.fit"), 0), "run.fit");
        assert_eq!(
            safe_upload_name(Some("C:\\Users\\me\\run 1.fit.gz"), 0),
            "run_1.fit.gz"
        );
        assert_eq!(safe_upload_name(Some("../../etc/passwd"), 0), "passwd");
        assert_eq!(safe_upload_name(Some(".hidden.gpx"), 0), "hidden.gpx");
        // é, t, é: each é (one char) becomes one underscore.
        assert_eq!(safe_upload_name(Some("été.tcx"), 0), "_t_.tcx");
        assert_eq!(safe_upload_name(None, 3), "upload-3");
        assert_eq!(safe_upload_name(Some("..."), 4), "upload-4");
        let long = format!("{}.fit.gz", "a".repeat(300));
        let kept = safe_upload_name(Some(&long), 0);
        assert_eq!(kept.len(), MAX_UPLOAD_NAME_CHARS);
        assert!(kept.ends_with(".fit.gz"));
    }

    proptest! {
        #[test]
        fn upload_names_are_always_plain_non_empty_file_names(given in any::<Option<String>>(), index in 0_usize..1000) {
            let name = safe_upload_name(given.as_deref(), index);
            prop_assert!(!name.is_empty());
            prop_assert!(name.len() <= MAX_UPLOAD_NAME_CHARS.max("upload-999".len()));
            prop_assert!(!name.starts_with('.'));
            prop_assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')));
        }
    }

    #[test]
    fn recovery_log_defaults_its_time_to_now_and_parses_short_method_words() {
        let entry = log(serde_json::json!({"method": "ice-bath", "minutes": 10, "temp_c": 10}))
            .into_entry(now())
            .expect("valid");
        assert_eq!(entry.method, RecoveryMethod::ColdWaterImmersion);
        assert_eq!(entry.at, now());
        assert_eq!(entry.minutes, Some(10.0));
        assert!(entry.zones.is_empty());
        assert_eq!(entry.note, None);
    }
}
