//! The JSON API under `/api/v1`: routes, request validation and the upload.
//!
//! Each handler extracts and validates its input (the request's shape; the values are the use
//! cases'), then calls the `fettle_app` use case on the blocking pool through [`run`], over the
//! state's [`CachedStore`], with the state's clock for "now". Each carries its OpenAPI
//! operation (`#[utoipa::path]`) and is registered with it by [`RouteTable`], which builds the
//! router, the list of routes ([`api_routes`]) and the document's paths from the same calls.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::multipart::MultipartError;
use axum::extract::{DefaultBodyLimit, Multipart, Path as UrlPath, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
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
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa_axum::routes;

use crate::account_api as account;
use crate::cache::{AnswerKey, CachedStore};
use crate::error::{
    ApiError, JSON_CONTENT_TYPE, JsonBody, Reply, internal_error, on_blocking_pool, to_json,
};
use crate::lists::{ACCESS_LIST, HEALTH_LIST, OptionsAnswer};
use crate::openapi;
use crate::state::{AppState, CurrentAthlete, TempCharge, TempExhausted};

/// Where the API lives; the version is in the path so a v2 can live beside it.
pub const API_PREFIX: &str = "/api/v1";

/// The longest file name kept from an upload (the rest is cut; the extension is kept).
const MAX_UPLOAD_NAME_CHARS: usize = 100;
/// The multipart field that carries files.
const UPLOAD_FIELD: &str = "file";

/// A handler with its documentation, as [`routes!`] makes it from a handler carrying a
/// `#[utoipa::path(...)]` attribute: the schemas it names, its path and operation, and the
/// method router serving it.
type Documented = utoipa_axum::router::UtoipaMethodRouter<AppState>;

/// A route table that records what it registers: the routes, `(METHOD, path)` of each, and the
/// OpenAPI operations and schemas of their handlers.
pub(crate) struct RouteTable {
    routes: Vec<(String, MethodRouter<AppState>)>,
    listed: Vec<(String, String)>,
    /// `paths` of the OpenAPI document: path → method → operation.
    paths: serde_json::Map<String, serde_json::Value>,
    schemas: Vec<(String, RefOr<Schema>)>,
}

impl RouteTable {
    fn new() -> Self {
        Self {
            routes: Vec::new(),
            listed: Vec::new(),
            paths: serde_json::Map::new(),
            schemas: Vec::new(),
        }
    }

    /// Registers a documented handler (`routes!(handler)`) on the method and path of its
    /// `#[utoipa::path]` attribute.
    fn add(self, documented: Documented) -> Self {
        self.register(documented, false)
    }

    /// Registers a documented read of the athlete's data twice: on its path for the caller's
    /// own data, and under `/api/v1/athletes/{athlete_id}` for an athlete the caller may read
    /// (a coach's member). The authentication middleware decides which athlete the handler
    /// gets, so the handler is the same; path parameters are read by name, so the extra one is
    /// ignored.
    fn athlete_get(self, documented: Documented) -> Self {
        self.register(documented, true)
    }

    fn register(mut self, (schemas, paths, router): Documented, scoped_too: bool) -> Self {
        self.schemas.extend(schemas);
        for (path, item) in paths.paths {
            let item = serde_json::to_value(&item).unwrap_or_default();
            let mut places = vec![(path.clone(), item.clone())];
            if scoped_too {
                let own = path.strip_prefix(API_PREFIX).unwrap_or(&path);
                let scoped_item: serde_json::Map<String, serde_json::Value> = item
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(method, operation)| {
                        (method.clone(), crate::openapi::scoped_operation(operation))
                    })
                    .collect();
                places.push((
                    format!("{API_PREFIX}/athletes/{{athlete_id}}{own}"),
                    serde_json::Value::Object(scoped_item),
                ));
            }
            for (path, item) in places {
                let documented = self
                    .paths
                    .entry(path.clone())
                    .or_insert_with(|| serde_json::json!({}));
                for (method, operation) in item.as_object().into_iter().flatten() {
                    self.listed
                        .push((method.to_ascii_uppercase(), path.clone()));
                    documented[method] = operation.clone();
                }
                if let Some((_, existing)) = self.routes.iter_mut().find(|(p, _)| *p == path) {
                    let merged = std::mem::take(existing).merge(router.clone());
                    *existing = merged;
                } else {
                    self.routes.push((path, router.clone()));
                }
            }
        }
        self
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

/// Every JSON route except the upload (which has its own, larger, body limit).
///
/// To add a route: write the handler with its `#[utoipa::path(...)]` attribute (method, path,
/// summary, parameters, body, answers: the documentation integrators read) and add one line
/// here, `.add(routes!(handler))` (`.athlete_get(…)` for a read of the athlete's data, which
/// coaches also read under `/api/v1/athletes/{athlete_id}`).
fn json_table() -> RouteTable {
    RouteTable::new()
        .add(routes!(openapi))
        .add(routes!(vocabulary))
        .athlete_get(routes!(status))
        .athlete_get(routes!(today))
        .athlete_get(routes!(wellness))
        .add(routes!(log_wellness))
        .athlete_get(routes!(load))
        .athlete_get(routes!(activities))
        .athlete_get(routes!(activity))
        .athlete_get(routes!(readiness))
        .athlete_get(routes!(recover))
        .athlete_get(routes!(recovery_sessions))
        .add(routes!(log_recovery))
        .athlete_get(routes!(insights))
        .athlete_get(routes!(plan))
        .add(routes!(create_plan))
        .add(routes!(replan))
        .athlete_get(routes!(adherence))
        .athlete_get(routes!(profile))
        .add(routes!(put_profile))
        .athlete_get(routes!(access))
        .add(routes!(put_access))
        .athlete_get(routes!(health))
        .add(routes!(put_health))
        .add(routes!(account::me))
        .add(routes!(account::put_password))
        .add(routes!(account::tokens))
        .add(routes!(account::post_token))
        .add(routes!(account::delete_token))
        .add(routes!(account::invitations))
        .add(routes!(account::accept_invitation))
        .add(routes!(account::decline_invitation))
        .add(routes!(account::coaches))
        .add(routes!(account::leave_coach))
        .add(routes!(account::squad))
        .add(routes!(account::invite))
        .add(routes!(account::remove_member))
        .add(routes!(edit_activity))
        .add(routes!(delete_activity))
        .add(routes!(delete_race))
}

/// The upload route.
fn upload_table() -> RouteTable {
    RouteTable::new().add(routes!(import))
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
        .collect()
}

/// The OpenAPI document of every registered route (see `openapi.rs`).
pub(crate) fn openapi_document() -> serde_json::Value {
    let (mut json, upload) = (json_table(), upload_table());
    json.paths.extend(upload.paths);
    json.schemas.extend(upload.schemas);
    crate::openapi::document(json.paths, json.schemas)
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
    /// Keyset cursor: the `X-Next-Cursor` of the previous page.
    pub before: Option<String>,
}

/// Response header carrying the cursor of the next page of `GET /api/v1/activities`. A header
/// and not a body field, because the body has always been a bare array and existing clients
/// (the CLI's `--server` mode, scripts) read it as one.
pub const NEXT_CURSOR_HEADER: &str = "x-next-cursor";

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
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "openapi",
    summary = "This document.",
    responses(
        (status = 200, description = "OK", body = openapi::OpenApiDocument),
        (status = 401, response = openapi::Unauthorized),
    )
)]
async fn openapi() -> Response {
    let mut response = crate::openapi::DOCUMENT.as_str().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    response
}

/// `GET /api/v1/vocabulary`: the recovery method catalogue (methods with their words and what
/// can be logged, access items, health conditions, the shared limits) — what the dashboard's
/// lists and forms are built from, so the script holds no copy of them.
#[utoipa::path(
    get,
    path = "/api/v1/vocabulary",
    operation_id = "vocabulary",
    summary = "The recovery method catalogue the dashboard's lists and forms are built from: every method with its stable name, CLI word, accepted aliases, titles, the access it needs, the health conditions that exclude it and what can be logged for it (with bounds); every access item and health condition with its title; the bounds every logged entry shares. The same words `fettle recovery log` and `fettle profile access|health` accept. Also the sport names an activity can be set to (`sports`).",
    responses(
        (status = 200, description = "OK", body = openapi::Vocabulary),
        (status = 401, response = openapi::Unauthorized),
    )
)]
async fn vocabulary() -> Reply {
    /// The catalogue with the sport names the dashboard's selects offer.
    #[derive(serde::Serialize)]
    struct WithSports {
        #[serde(flatten)]
        catalogue: fettle_core::recovery::catalogue::Vocabulary,
        sports: Vec<&'static str>,
    }
    crate::error::JsonBody::new(&WithSports {
        catalogue: fettle_core::recovery::catalogue::vocabulary(),
        sports: fettle_app::validate::sport_choices(),
    })
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
#[utoipa::path(
    get,
    path = "/api/v1/status",
    operation_id = "status",
    summary = "Training state on a day (same as `fettle status --json`).",
    params(
        ("date" = Option<String>, Query, format = Date, description = "The local day described; today in the athlete's time zone (the profile's, else the server's) when absent."),
    ),
    responses(
        (status = 200, description = "OK", body = openapi::Status),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 500, response = openapi::Internal),
    )
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/today",
    operation_id = "today",
    summary = "What to do today: one verdict with its reasons, the planned and suggested session, readiness, recovery due and the next hard session (as `fettle today --json`).",
    params(
        ("date" = Option<String>, Query, format = Date, description = "The local day decided; today in the athlete's time zone (the profile's, else the server's) when absent. A past day is decided as of its last moment; a future day is refused (422)."),
    ),
    responses(
        (status = 200, description = "OK", body = openapi::Today),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 422, response = openapi::Invalid),
        (status = 500, response = openapi::Internal),
    )
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/wellness",
    operation_id = "listWellness",
    summary = "Morning wellness entries (the last 30 days when no range is given).",
    params(
        ("from" = Option<String>, Query, format = Date, description = "First local day included (YYYY-MM-DD)."),
        ("to" = Option<String>, Query, format = Date, description = "Last local day included (YYYY-MM-DD)."),
    ),
    responses(
        (status = 200, description = "OK", body = openapi::WellnessList),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 422, response = openapi::Invalid),
        (status = 500, response = openapi::Internal),
    )
)]
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
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    description = "One morning's wellness; every field optional (the date defaults to today in the athlete's zone), at least one value given."
)]
struct WellnessLog {
    #[schema(value_type = Option<String>, format = Date)]
    date: Option<Date>,
    /// Hours slept the night before.
    sleep_h: Option<f64>,
    /// 1 very poor … 5 very good.
    sleep_quality: Option<f64>,
    /// 1 none … 5 very sore.
    soreness: Option<f64>,
    /// 1 none … 5 very tired.
    fatigue: Option<f64>,
    /// 1 none … 5 very stressed.
    stress: Option<f64>,
    /// 1 very low … 5 very good.
    mood: Option<f64>,
    /// Morning rMSSD, ms.
    rmssd_ms: Option<f64>,
    /// Morning resting heart rate, bpm.
    rest_hr: Option<f64>,
    /// Body mass, kg.
    mass_kg: Option<f64>,
    #[serde(default)]
    sick: bool,
    #[serde(default)]
    injured: bool,
}

/// `POST /api/v1/wellness`: validates and stores (merges into the day's entry) one morning's
/// wellness; answers the day's entry as stored.
#[utoipa::path(
    post,
    path = "/api/v1/wellness",
    operation_id = "logWellness",
    summary = "Log this morning's wellness (as `fettle wellness add`): every field optional, at least one given; the values are checked against the plausibility limits (422 with the violations).",
    request_body = WellnessLog,
    responses(
        (status = 200, description = "The day's entry as stored (merged with what was logged earlier that day).", body = openapi::WellnessEntry),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 403, response = openapi::Forbidden),
        (status = 413, response = openapi::TooLarge),
        (status = 415, response = openapi::UnsupportedMediaType),
        (status = 422, response = openapi::Invalid),
        (status = 500, response = openapi::Internal),
    )
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/load",
    operation_id = "load",
    summary = "The daily load series with fitness, fatigue and form.",
    params(
        ("from" = Option<String>, Query, format = Date, description = "First local day included (YYYY-MM-DD)."),
        ("to" = Option<String>, Query, format = Date, description = "Last local day included (YYYY-MM-DD)."),
    ),
    responses(
        (status = 200, description = "OK", body = Vec<openapi::LoadDay>),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 422, response = openapi::Invalid),
        (status = 500, response = openapi::Internal),
    )
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/activities",
    operation_id = "listActivities",
    summary = "Activities, newest first.",
    params(
        ("from" = Option<String>, Query, format = Date, description = "First local day included (YYYY-MM-DD)."),
        ("to" = Option<String>, Query, format = Date, description = "Last local day included (YYYY-MM-DD)."),
        ("sport" = Option<String>, Query, description = "Only this sport."),
        ("limit" = Option<i64>, Query, minimum = 1, description = "At most this many."),
        ("before" = Option<String>, Query, description = "Keyset paging: the `X-Next-Cursor` of the previous page; this page starts after that page's last activity."),
    ),
    responses(
        (status = 200, description = "OK", body = Vec<openapi::Activity>, headers(
            ("X-Next-Cursor" = String, description = "With `limit`, when older activities remain: the `before` of the next page. Absent on the last page.")
        )),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 422, response = openapi::Invalid),
        (status = 500, response = openapi::Internal),
    )
)]
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
    let db = Arc::clone(state.store());
    let page = on_blocking_pool(move || {
        let tz = athlete_time_zone(db.store(), athlete)?;
        let query = ListQuery {
            from: filter.from,
            to: filter.to,
            sport: filter.sport,
            // More than u32::MAX activities cannot exist: saturating is "all of them".
            limit: filter.limit.map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
            offset: 0,
            before: filter.before,
        };
        let page = fettle_app::activities::page(db.store(), athlete, &tz, &query)?;
        Ok((JsonBody::new(&page.activities)?, page.next))
    })
    .await;
    match page {
        Ok((body, next)) => {
            let mut response = body.into_response();
            // The cursor is digits and a dot; a value that would not be a header is left out
            // rather than failing the page.
            if let Some(value) = next.and_then(|next| HeaderValue::from_str(&next).ok()) {
                response.headers_mut().insert(NEXT_CURSOR_HEADER, value);
            }
            response
        }
        Err(error) => error.into_response(),
    }
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
#[utoipa::path(
    get,
    path = "/api/v1/activities/{id}",
    operation_id = "getActivity",
    summary = "One activity with laps and downsampled streams.",
    params(
        ("id" = i64, Path),
    ),
    responses(
        (status = 200, description = "OK", body = openapi::ActivityDetail),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 404, response = openapi::NotFound),
        (status = 500, response = openapi::Internal),
    )
)]
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
#[utoipa::path(
    patch,
    path = "/api/v1/activities/{id}",
    operation_id = "editActivity",
    summary = "Correct an activity (name, sport, RPE, notes, whether it counts in the training load); loads, series and status update at once. Returns the activity as it now is. In a club server only its owner can: another athlete's id, a coach's included, is a 404.",
    params(
        ("id" = i64, Path),
    ),
    request_body = fettle_app::corrections::ActivityChanges,
    responses(
        (status = 200, description = "OK", body = openapi::ActivityDetail),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 403, response = openapi::Forbidden),
        (status = 404, response = openapi::NotFound),
        (status = 413, response = openapi::TooLarge),
        (status = 415, response = openapi::UnsupportedMediaType),
        (status = 422, response = openapi::Invalid),
        (status = 500, response = openapi::Internal),
    )
)]
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
#[utoipa::path(
    delete,
    path = "/api/v1/activities/{id}",
    operation_id = "deleteActivity",
    summary = "Delete an activity; loads, series and status are at once those of a database that never had it. Its file stays recorded, so importing it again does not bring it back (`fettle import --include-deleted` does). Only its owner can: another athlete's id is a 404.",
    params(
        ("id" = i64, Path),
    ),
    responses(
        (status = 200, description = "Deleted.", body = fettle_app::corrections::Deleted),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 403, response = openapi::Forbidden),
        (status = 404, response = openapi::NotFound),
        (status = 500, response = openapi::Internal),
    )
)]
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
#[utoipa::path(
    delete,
    path = "/api/v1/races/{id}",
    operation_id = "deleteRace",
    summary = "Delete a race result (a marker of the personal model). Another athlete's id is a 404.",
    params(
        ("id" = i64, Path, description = "The race's id, as `fettle race list` shows it."),
    ),
    responses(
        (status = 200, description = "Deleted.", body = fettle_app::corrections::DeletedRace),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 403, response = openapi::Forbidden),
        (status = 404, response = openapi::NotFound),
        (status = 500, response = openapi::Internal),
    )
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/readiness",
    operation_id = "readiness",
    summary = "Readiness score with its components.",
    params(
        ("date" = Option<String>, Query, format = Date, description = "The local day described; today in the athlete's time zone (the profile's, else the server's) when absent."),
    ),
    responses(
        (status = 200, description = "OK", body = openapi::Readiness),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 500, response = openapi::Internal),
    )
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/recover",
    operation_id = "recover",
    summary = "Recovery prescriptions after an activity (the latest by default), including the refuelling window.",
    params(
        ("activity" = Option<i64>, Query, description = "The activity; the latest when absent."),
    ),
    responses(
        (status = 200, description = "OK: `null` when no activity is given and none has ended yet.", body = Option<openapi::Recover>),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 404, response = openapi::NotFound),
        (status = 500, response = openapi::Internal),
    )
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/recovery",
    operation_id = "listRecovery",
    summary = "Logged recovery sessions.",
    params(
        ("from" = Option<String>, Query, format = Date, description = "First local day included (YYYY-MM-DD)."),
        ("to" = Option<String>, Query, format = Date, description = "Last local day included (YYYY-MM-DD)."),
    ),
    responses(
        (status = 200, description = "OK", body = openapi::RecoveryList),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 422, response = openapi::Invalid),
        (status = 500, response = openapi::Internal),
    )
)]
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
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecoveryLog {
    /// nutrition, compression_boots, compression_garments, cold_water_immersion, cryotherapy,
    /// massage, foam_rolling, sleep, rest (CLI short words accepted). For compression
    /// garments, `minutes` is the time worn.
    method: String,
    /// More than 0, at most 1440.
    minutes: Option<f64>,
    /// −200 to 120 °C.
    temp_c: Option<f64>,
    #[serde(default)]
    zones: Vec<String>,
    /// 0 to 500 g per meal.
    carbs_g: Option<f64>,
    /// 0 to 500 g per meal.
    protein_g: Option<f64>,
    /// When it started; now when absent; at most 24 h ahead.
    #[schema(value_type = Option<String>, format = DateTime)]
    at: Option<Timestamp>,
    /// At most 2000 characters.
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
#[utoipa::path(
    post,
    path = "/api/v1/recovery",
    operation_id = "logRecovery",
    summary = "Log a recovery session or meal.",
    request_body = RecoveryLog,
    responses(
        (status = 200, description = "OK", body = openapi::LoggedRecovery),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 403, response = openapi::Forbidden),
        (status = 413, response = openapi::TooLarge),
        (status = 415, response = openapi::UnsupportedMediaType),
        (status = 422, response = openapi::Invalid),
        (status = 500, response = openapi::Internal),
    )
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/insights",
    operation_id = "insights",
    summary = "What each recovery method did for this athlete, with intervals.",
    responses(
        (status = 200, description = "OK", body = Vec<openapi::Insight>),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 500, response = openapi::Internal),
    )
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/plan",
    operation_id = "plan",
    summary = "The plan to the goal race with the fitness forecast.",
    params(
        ("date" = Option<String>, Query, format = Date, description = "The local day described; today in the athlete's time zone (the profile's, else the server's) when absent."),
    ),
    responses(
        (status = 200, description = "OK: `null` when there is no plan.", body = Option<openapi::Plan>),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 500, response = openapi::Internal),
    )
)]
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

/// `POST /api/v1/plan`: the body is the plan's options as `fettle plan create` takes them;
/// only the shape is read here, the values are checked by the planning use case.
#[utoipa::path(
    post,
    path = "/api/v1/plan",
    operation_id = "createPlan",
    summary = "Build a plan to a race from the athlete's history and save it in place of the previous one (as `fettle plan create`, with the same validation: a bad date, distance, goal time or weekday is a 422 saying what to write).",
    request_body = openapi::PlanInput,
    responses(
        (status = 200, description = "The new plan, as `GET /api/v1/plan` answers it.", body = openapi::Plan),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 403, response = openapi::Forbidden),
        (status = 413, response = openapi::TooLarge),
        (status = 415, response = openapi::UnsupportedMediaType),
        (status = 422, response = openapi::Invalid),
        (status = 500, response = openapi::Internal),
    )
)]
async fn create_plan(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
    Json(input): Json<planning::PlanInput>,
) -> Response {
    let now = state.now();
    run(&state, move |db| {
        let today = day_or_today(db, athlete, None, now)?;
        let params = input.parse()?;
        db.writing(athlete, || {
            to_json(planning::create_plan(
                db.store(),
                athlete,
                &params,
                today,
                now,
            ))
        })
    })
    .await
}

/// `POST /api/v1/plan/replan`: rebuilds the rest of the saved plan from what was done.
#[utoipa::path(
    post,
    path = "/api/v1/plan/replan",
    operation_id = "replan",
    summary = "Rebuild the rest of the saved plan from what was actually done (as `fettle plan replan`): lower the next weeks after missed days, a recovery week after a much harder one, or a later goal time when the gap cannot be closed safely; `changes` says what moved. No body. 404 without a plan, 422 when race day has passed.",
    responses(
        (status = 200, description = "The rebuilt plan, as `GET /api/v1/plan` answers it.", body = openapi::Plan),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 403, response = openapi::Forbidden),
        (status = 404, response = openapi::NotFound),
        (status = 422, response = openapi::Invalid),
        (status = 500, response = openapi::Internal),
    )
)]
async fn replan(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
) -> Response {
    let now = state.now();
    run(&state, move |db| {
        let today = day_or_today(db, athlete, None, now)?;
        db.writing(athlete, || {
            to_json(planning::replan(db.store(), athlete, today, now))
        })
    })
    .await
}

/// `GET /api/v1/plan/adherence`: planned against done, up to `date` (today when absent);
/// `null` without a plan.
#[utoipa::path(
    get,
    path = "/api/v1/plan/adherence",
    operation_id = "adherence",
    summary = "Planned against done.",
    params(
        ("date" = Option<String>, Query, format = Date, description = "The local day described; today in the athlete's time zone (the profile's, else the server's) when absent."),
    ),
    responses(
        (status = 200, description = "OK: `null` when there is no plan.", body = Option<openapi::Adherence>),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 500, response = openapi::Internal),
    )
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/profile",
    operation_id = "getProfile",
    summary = "Settings, access and health exclusions.",
    responses(
        (status = 200, description = "OK", body = openapi::Profile),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 500, response = openapi::Internal),
    )
)]
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
#[utoipa::path(
    put,
    path = "/api/v1/profile",
    operation_id = "putProfile",
    summary = "Set profile values (each optional) from a day on; returns the profile as it now applies.",
    request_body = openapi::ProfileUpdate,
    responses(
        (status = 200, description = "OK", body = openapi::Profile),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 403, response = openapi::Forbidden),
        (status = 413, response = openapi::TooLarge),
        (status = 422, response = openapi::Invalid),
        (status = 500, response = openapi::Internal),
    )
)]
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
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "The whole new list; unknown fields are a 422.")]
struct ItemsUpdate {
    /// The whole new list (empty clears it); spelling variants such as `ice_bath` are accepted.
    items: Vec<String>,
}

/// `GET /api/v1/profile/access`: the recovery equipment and services the athlete can use,
/// with every accepted word.
#[utoipa::path(
    get,
    path = "/api/v1/profile/access",
    operation_id = "getAccess",
    summary = "The recovery equipment and services the athlete can use as stored, with every accepted word.",
    responses(
        (status = 200, description = "OK", body = OptionsAnswer),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 500, response = openapi::Internal),
    )
)]
async fn access(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
) -> Response {
    run(&state, move |db| ACCESS_LIST.show(db.store(), athlete)).await
}

/// `PUT /api/v1/profile/access`: replaces the access list (every word checked before anything
/// is stored: an unknown one is a 422) and answers it as stored.
#[utoipa::path(
    put,
    path = "/api/v1/profile/access",
    operation_id = "putAccess",
    summary = "Replace the whole recovery equipment and services the athlete can use list: every word is checked first (an unknown one is a 422 and nothing changes); returns it as stored.",
    request_body = ItemsUpdate,
    responses(
        (status = 200, description = "OK", body = OptionsAnswer),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 403, response = openapi::Forbidden),
        (status = 413, response = openapi::TooLarge),
        (status = 422, response = openapi::Invalid),
        (status = 500, response = openapi::Internal),
    )
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/profile/health",
    operation_id = "getHealth",
    summary = "The health conditions that exclude recovery methods as stored, with every accepted word. Each removes the methods it rules out from prescriptions.",
    responses(
        (status = 200, description = "OK", body = OptionsAnswer),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 500, response = openapi::Internal),
    )
)]
async fn health(
    State(state): State<AppState>,
    CurrentAthlete(athlete): CurrentAthlete,
) -> Response {
    run(&state, move |db| HEALTH_LIST.show(db.store(), athlete)).await
}

/// `PUT /api/v1/profile/health`: replaces the health list (checked like the access list) and
/// answers it as stored.
#[utoipa::path(
    put,
    path = "/api/v1/profile/health",
    operation_id = "putHealth",
    summary = "Replace the whole health conditions that exclude recovery methods list: every word is checked first (an unknown one is a 422 and nothing changes); returns it as stored.",
    request_body = ItemsUpdate,
    responses(
        (status = 200, description = "OK", body = OptionsAnswer),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 403, response = openapi::Forbidden),
        (status = 413, response = openapi::TooLarge),
        (status = 422, response = openapi::Invalid),
        (status = 500, response = openapi::Internal),
    )
)]
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
#[utoipa::path(
    post,
    path = "/api/v1/import",
    operation_id = "import",
    summary = "Upload activity files, .gz files or an export zip (multipart field `file`, repeatable); streamed to disk, then imported.",
    description = "Bounded: one upload's size (413), the temporary disk the athlete's uploads and all uploads may hold at once (429 with Retry-After), and an idle timeout (408). Files are recorded under their own names.",
    request_body(content = openapi::ImportUpload, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "OK", body = fettle_app::import::ImportSummary),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 403, response = openapi::Forbidden),
        (status = 408, response = openapi::Timeout),
        (status = 413, response = openapi::TooLarge),
        (status = 429, response = openapi::TooManyRequests),
        (status = 500, response = openapi::Internal),
    )
)]
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
