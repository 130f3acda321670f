//! The JSON API under `/api/v1`: routes, request validation and the upload.
//!
//! Each handler extracts and validates its input, then calls one [`Backend`] method on the
//! blocking pool through [`run`]. Routes are registered through [`RouteTable`], which also
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
use fettle_core::log::{RecoveryEntry, RecoveryMethod, WellnessEntry};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;
use tokio::io::AsyncWriteExt;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::RequestBodyDeadlineLayer;

use crate::account_api as account;
use crate::backend::{ActivityFilter, Backend, DateRange};
use crate::error::{ApiError, JSON_CONTENT_TYPE, Reply, internal_error, on_blocking_pool};
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
pub(crate) struct RouteTable<B: Backend> {
    routes: Vec<(String, MethodRouter<AppState<B>>)>,
    listed: Vec<(Method, String)>,
}

impl<B: Backend> RouteTable<B> {
    fn new() -> Self {
        Self {
            routes: Vec::new(),
            listed: Vec::new(),
        }
    }

    /// Registers `handler` for `method` on `path` (a full path, `{name}` for parameters).
    fn add<H, T>(mut self, method: Method, path: impl Into<String>, handler: H) -> Self
    where
        H: Handler<T, AppState<B>>,
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
        H: Handler<T, AppState<B>>,
        T: 'static,
    {
        let own = path.strip_prefix(API_PREFIX).unwrap_or(path);
        let scoped = format!("{API_PREFIX}/athletes/{{athlete_id}}{own}");
        self.add(Method::GET, path, handler.clone())
            .add(Method::GET, scoped, handler)
    }

    /// The router of every registered route.
    fn into_router(self) -> Router<AppState<B>> {
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
fn json_table<B: Backend>() -> RouteTable<B> {
    RouteTable::new()
        .add(Method::GET, "/api/v1/openapi.json", openapi)
        .add(Method::GET, "/api/v1/vocabulary", vocabulary)
        .athlete_get("/api/v1/status", status::<B>)
        .athlete_get("/api/v1/today", today::<B>)
        .athlete_get("/api/v1/wellness", wellness::<B>)
        .add(Method::POST, "/api/v1/wellness", log_wellness::<B>)
        .athlete_get("/api/v1/load", load::<B>)
        .athlete_get("/api/v1/activities", activities::<B>)
        .athlete_get("/api/v1/activities/{id}", activity::<B>)
        .athlete_get("/api/v1/readiness", readiness::<B>)
        .athlete_get("/api/v1/recover", recover::<B>)
        .athlete_get("/api/v1/recovery", recovery_sessions::<B>)
        .add(Method::POST, "/api/v1/recovery", log_recovery::<B>)
        .athlete_get("/api/v1/insights", insights::<B>)
        .athlete_get("/api/v1/plan", plan::<B>)
        .add(Method::POST, "/api/v1/plan", create_plan::<B>)
        .add(Method::POST, "/api/v1/plan/replan", replan::<B>)
        .athlete_get("/api/v1/plan/adherence", adherence::<B>)
        .athlete_get("/api/v1/profile", profile::<B>)
        .add(Method::PUT, "/api/v1/profile", put_profile::<B>)
        .athlete_get("/api/v1/profile/access", access::<B>)
        .add(Method::PUT, "/api/v1/profile/access", put_access::<B>)
        .athlete_get("/api/v1/profile/health", health::<B>)
        .add(Method::PUT, "/api/v1/profile/health", put_health::<B>)
        .add(Method::GET, "/api/v1/me", account::me::<B>)
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
        .add(Method::GET, "/api/v1/squad", account::squad::<B>)
        .add(Method::POST, "/api/v1/squad/invitations", account::invite)
        .add(
            Method::DELETE,
            "/api/v1/squad/members/{email}",
            account::remove_member,
        )
        .add(Method::PATCH, "/api/v1/activities/{id}", edit_activity::<B>)
        .add(
            Method::DELETE,
            "/api/v1/activities/{id}",
            delete_activity::<B>,
        )
        .add(Method::DELETE, "/api/v1/races/{id}", delete_race::<B>)
}

/// The upload route.
fn upload_table<B: Backend>() -> RouteTable<B> {
    RouteTable::new().add(Method::POST, "/api/v1/import", import::<B>)
}

/// The API router with its body limits.
pub(crate) fn router<B: Backend>(limits: crate::Limits) -> Router<AppState<B>> {
    // A JSON body is small: it must arrive whole within the body timeout, however it trickles
    // (a client sending a byte every few seconds would hold the connection for ever otherwise).
    let json = json_table::<B>()
        .into_router()
        .layer(DefaultBodyLimit::max(limits.json_body_bytes))
        .layer(RequestBodyLimitLayer::new(limits.json_body_bytes))
        .layer(RequestBodyDeadlineLayer::new(limits.body_read_timeout));
    // Not tower-http's layer here: its limit error reaches the multipart reader as an opaque
    // stream error (a 500). axum's own limit makes the reader answer 413; the handler refuses
    // a too-large Content-Length before reading anything.
    let upload = upload_table::<B>()
        .into_router()
        .layer(DefaultBodyLimit::max(limits.upload_bytes));
    json.merge(upload)
}

/// Every API route as `(METHOD, path)`, e.g. `("GET", "/api/v1/activities/{id}")`, exactly as
/// registered in the router (path parameters in OpenAPI's `{name}` form). `B` only fixes the
/// handlers' types: the list is the same for every backend.
pub fn api_routes<B: Backend>() -> Vec<(String, String)> {
    json_table::<B>()
        .listed
        .into_iter()
        .chain(upload_table::<B>().listed)
        .map(|(method, path)| (method.to_string(), path))
        .collect()
}

/// Runs one backend call on the blocking pool (the store is synchronous) and renders its
/// answer.
pub(crate) async fn run<B, F>(state: &AppState<B>, call: F) -> Response
where
    B: Backend,
    F: FnOnce(&B) -> Reply + Send + 'static,
{
    let backend = Arc::clone(state.backend());
    match on_blocking_pool(move || call(&backend)).await {
        Ok(body) => body.into_response(),
        Err(error) => error.into_response(),
    }
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

/// `GET /api/v1/vocabulary`: the recovery method catalogue (methods with their words and what
/// can be logged, access items, health conditions, the shared limits) — what the dashboard's
/// lists and forms are built from, so the script holds no copy of them.
async fn vocabulary() -> Reply {
    crate::error::JsonBody::new(&fettle_core::recovery::catalogue::vocabulary())
}

async fn status<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    Query(query): Query<DayQuery>,
) -> Response {
    let now = Timestamp::now();
    run(&state, move |b| b.status(athlete, query.date, now)).await
}

async fn today<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    Query(query): Query<DayQuery>,
) -> Response {
    let now = Timestamp::now();
    run(&state, move |b| b.today(athlete, query.date, now)).await
}

async fn wellness<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    Query(range): Query<DateRange>,
) -> Response {
    let now = Timestamp::now();
    run(&state, move |b| b.wellness(athlete, range, now)).await
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

async fn log_wellness<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    Json(log): Json<WellnessLog>,
) -> Response {
    let now = Timestamp::now();
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
    run(&state, move |b| b.log_wellness(athlete, entry, now)).await
}

async fn load<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    Query(range): Query<DateRange>,
) -> Response {
    let now = Timestamp::now();
    run(&state, move |b| b.load(athlete, range, now)).await
}

async fn activities<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    Query(filter): Query<ActivityFilter>,
) -> Response {
    if filter.limit == Some(0) {
        return ApiError::invalid("`limit` must be at least 1 (leave it out for all)")
            .into_response();
    }
    run(&state, move |b| b.activities(athlete, &filter)).await
}

/// The activity id of `/activities/{id}` (by name: the athlete-scoped variant also has
/// `athlete_id`).
#[derive(Debug, Deserialize)]
struct ActivityPath {
    id: i64,
}

async fn activity<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    UrlPath(path): UrlPath<ActivityPath>,
) -> Response {
    run(&state, move |b| b.activity(athlete, path.id)).await
}

/// `PATCH /api/v1/activities/{id}`: the body is [`fettle_app::corrections::ActivityChanges`]
/// (a field left out stays, `null` clears); the values are checked by the use case.
async fn edit_activity<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    UrlPath(path): UrlPath<ActivityPath>,
    Json(changes): Json<fettle_app::corrections::ActivityChanges>,
) -> Response {
    run(&state, move |b| b.edit_activity(athlete, path.id, changes)).await
}

async fn delete_activity<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    UrlPath(path): UrlPath<ActivityPath>,
) -> Response {
    run(&state, move |b| b.delete_activity(athlete, path.id)).await
}

async fn delete_race<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    UrlPath(path): UrlPath<ActivityPath>,
) -> Response {
    run(&state, move |b| b.delete_race(athlete, path.id)).await
}

async fn readiness<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    Query(query): Query<DayQuery>,
) -> Response {
    let now = Timestamp::now();
    run(&state, move |b| b.readiness(athlete, query.date, now)).await
}

async fn recover<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    Query(query): Query<RecoverQuery>,
) -> Response {
    let now = Timestamp::now();
    run(&state, move |b| b.recover(athlete, query.activity, now)).await
}

async fn recovery_sessions<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    Query(range): Query<DateRange>,
) -> Response {
    let now = Timestamp::now();
    run(&state, move |b| b.recovery_sessions(athlete, range, now)).await
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

async fn log_recovery<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    Json(log): Json<RecoveryLog>,
) -> Response {
    let now = Timestamp::now();
    match log.into_entry(now) {
        Ok(entry) => run(&state, move |b| b.log_recovery(athlete, entry, now)).await,
        Err(e) => e.into_response(),
    }
}

async fn insights<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
) -> Response {
    let now = Timestamp::now();
    run(&state, move |b| b.insights(athlete, now)).await
}

async fn plan<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    Query(query): Query<DayQuery>,
) -> Response {
    let now = Timestamp::now();
    run(&state, move |b| b.plan(athlete, query.date, now)).await
}

/// `POST /api/v1/plan`: the body is the plan's options as `fettle plan create` takes them;
/// only the shape is read here, the values are checked by the planning use case.
async fn create_plan<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    Json(input): Json<fettle_app::planning::PlanInput>,
) -> Response {
    let now = Timestamp::now();
    run(&state, move |b| b.create_plan(athlete, input, now)).await
}

async fn replan<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
) -> Response {
    let now = Timestamp::now();
    run(&state, move |b| b.replan(athlete, now)).await
}

async fn adherence<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    Query(query): Query<DayQuery>,
) -> Response {
    let now = Timestamp::now();
    run(&state, move |b| b.adherence(athlete, query.date, now)).await
}

async fn profile<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
) -> Response {
    let now = Timestamp::now();
    run(&state, move |b| b.profile(athlete, now)).await
}

async fn put_profile<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    Json(profile): Json<serde_json::Value>,
) -> Response {
    if !profile.is_object() {
        return ApiError::invalid("the profile must be a JSON object").into_response();
    }
    let now = Timestamp::now();
    run(&state, move |b| b.put_profile(athlete, profile, now)).await
}

/// The body of `PUT /api/v1/profile/access` and `/health`: the whole new list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemsUpdate {
    items: Vec<String>,
}

async fn access<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
) -> Response {
    run(&state, move |b| b.access(athlete)).await
}

async fn put_access<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    Json(update): Json<ItemsUpdate>,
) -> Response {
    run(&state, move |b| b.put_access(athlete, update.items)).await
}

async fn health<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
) -> Response {
    run(&state, move |b| b.health(athlete)).await
}

async fn put_health<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
    Json(update): Json<ItemsUpdate>,
) -> Response {
    run(&state, move |b| b.put_health(athlete, update.items)).await
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
async fn import<B: Backend>(
    State(state): State<AppState<B>>,
    CurrentAthlete(athlete): CurrentAthlete<B::Athlete>,
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
    let mut charge = state.temp_budget().start(athlete.into());
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
    let _turn = match state.imports().turn(athlete.into()).await {
        Ok(turn) => turn,
        Err(e) => return e.into_response(),
    };
    run(&state, move |b| {
        let reply = b.import(athlete, &files, threads);
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
