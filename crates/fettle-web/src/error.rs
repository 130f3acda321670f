//! JSON bodies and JSON errors: every answer the API gives is JSON, failures included.
//!
//! Use cases return a serialisable value or an error; [`to_json`] turns either into a
//! [`Reply`]. Errors carry an HTTP status and render as `{"error": {"code", "message"}}`; an
//! input the limits refused (a 422 from `fettle_app::AppError::Violations`) adds
//! `"violations": [{"field", "value", "limit", "message"}]`, the same entries the CLI prints.
//! [`json_errors`] is a middleware that rewrites every other 4xx/5xx answer (axum's extractor
//! rejections, 404 for an unknown route, 405, 413 from the body limit) into that same shape, so
//! no client ever has to parse a plain-text error.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fettle_core::limits::Violation;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

/// The largest non-JSON error body [`json_errors`] reads to reuse as the message. Rejection
/// texts are one line; anything longer is cut rather than buffered.
const MAX_ERROR_TEXT_BYTES: usize = 16 * 1024;

/// What a use case answers: a JSON body or an error.
pub type Reply = Result<JsonBody, ApiError>;

/// An HTTP error with a stable machine-readable code and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    /// A more specific code than the status's (`csrf` for a 403 the pages handle by reloading).
    code: Option<&'static str>,
    message: String,
    /// The refused values, for a 422 from the validation layer (empty otherwise).
    violations: Vec<Violation>,
    /// The log id of a server failure whose details were logged (see [`internal_error`]).
    id: Option<String>,
}

impl ApiError {
    /// Any status with a message (the code is derived from the status).
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code: None,
            message: message.into(),
            violations: Vec::new(),
            id: None,
        }
    }

    /// Any status with its own stable code (instead of the one derived from the status).
    pub fn with_code(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: Some(code),
            message: message.into(),
            violations: Vec::new(),
            id: None,
        }
    }

    /// 400: the request is malformed (syntax, types).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 422: the request is well-formed but its values are not acceptable
    /// (what `fettle_app::AppError::Invalid` maps to).
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    /// 422 with the structured violations (field, value, limit, message); the message is
    /// theirs joined.
    pub fn violations(violations: Vec<Violation>) -> Self {
        let message = violations
            .iter()
            .map(|v| v.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            violations,
            ..Self::invalid(message)
        }
    }

    /// The refused values of a 422 from the validation layer.
    pub fn violation_list(&self) -> &[Violation] {
        &self.violations
    }

    /// 404: the thing asked for does not exist for this athlete.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 413: the body is larger than the limit.
    pub fn payload_too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, message)
    }

    /// 500: the program or the database failed.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message shown to people.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The stable code clients can match on.
    pub fn code(&self) -> &'static str {
        self.code.unwrap_or_else(|| code_for(self.status))
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.code(),
            self.status.as_u16(),
            self.message
        )
    }
}

impl std::error::Error for ApiError {}

/// The stable error code for a status: snake_case of its reason phrase, `invalid` for 422.
fn code_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "request_timeout",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "invalid",
        429 => "too_many_requests",
        500 => "internal",
        503 => "unavailable",
        s if s < 500 => "client_error",
        _ => "server_error",
    }
}

/// The JSON error document: every 4xx and 5xx answer.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Error)]
pub(crate) struct ErrorDocument<'a> {
    error: ErrorBody<'a>,
}

/// What went wrong.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ErrorBody)]
pub(crate) struct ErrorBody<'a> {
    /// Stable machine-readable code: bad_request, invalid, not_found, method_not_allowed,
    /// payload_too_large, unsupported_media_type, forbidden, csrf, too_many_requests, internal …
    code: &'a str,
    /// What was wrong and what to do.
    message: &'a str,
    /// On a 422 for refused values (outside Fettle's plausibility limits, or against an account
    /// rule such as the password's length): each refused value (the same entries
    /// `fettle --json` prints).
    #[serde(skip_serializing_if = "<[Violation]>::is_empty")]
    #[schema(value_type = Vec<Violation>)]
    violations: &'a [Violation],
    /// Only on a server failure (500): the id of its line in the server's log, where the
    /// details are (never in the answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
}

/// Renders `{"error": {"code", "message"}}` (with `violations` when there are any) with the
/// status.
fn error_response(
    status: StatusCode,
    code: &str,
    message: &str,
    violations: &[Violation],
) -> Response {
    error_document(status, code, message, violations, None)
}

/// Renders `{"error": {"code", "message", "violations", "id"}}` with the status (`violations`
/// only when there are any, `id` only when given).
fn error_document(
    status: StatusCode,
    code: &str,
    message: &str,
    violations: &[Violation],
    id: Option<&str>,
) -> Response {
    let document = ErrorDocument {
        error: ErrorBody {
            code,
            message,
            violations,
            id,
        },
    };
    // Serialising two strings cannot fail.
    let bytes = serde_json::to_vec(&document).unwrap_or_default();
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() && self.id.is_none() {
            // The client gets the message; the operator gets it on stderr too. (An error with
            // an id was logged, with its details, when it was made.)
            eprintln!("fettle-web: {self}");
        }
        error_document(
            self.status,
            self.code(),
            &self.message,
            &self.violations,
            self.id.as_deref(),
        )
    }
}

/// A fresh id for one server failure: 12 hex digits, unique within a run and unlikely to repeat
/// across runs. It ties the generic answer a client gets to the detailed line in the log.
pub(crate) fn error_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    let mut seed = [0_u8; 24];
    seed[..16].copy_from_slice(&nanos.to_le_bytes());
    seed[16..].copy_from_slice(&count.to_le_bytes());
    format!(
        "{:012x}",
        xxhash_rust::xxh3::xxh3_64(&seed) & 0xffff_ffff_ffff
    )
}

/// A 500 for a failure of the program (a panic, a failed task, a database error): the details
/// go to the server's log under a fresh id, the client gets a generic message with that id —
/// never the details, which may hold paths, SQL or a panic's text.
pub(crate) fn internal_error(detail: &dyn std::fmt::Display) -> ApiError {
    let id = error_id();
    eprintln!("fettle-web: error {id}: {detail}");
    ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        code: None,
        message: format!("{INTERNAL_MESSAGE} (error {id})"),
        violations: Vec::new(),
        id: Some(id),
    }
}

/// The answer to a handler that panicked (tower-http's `CatchPanicLayer` calls this): a generic
/// JSON 500 with an id; the panic's text goes to the log only.
#[allow(
    clippy::needless_pass_by_value,
    reason = "the signature CatchPanicLayer::custom calls"
)]
pub(crate) fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let text = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    internal_error(&format_args!("a request handler panicked: {text}")).into_response()
}

/// The content type of every JSON answer.
pub(crate) const JSON_CONTENT_TYPE: &str = "application/json";

/// A value already serialised to JSON: use cases hand the web layer bytes, so a large answer
/// (an activity's streams) is encoded once, straight from its typed form.
#[derive(Debug, Clone)]
pub struct JsonBody(Bytes);

impl JsonBody {
    /// Serialises `value`; a value that cannot be serialised (a map with non-string keys) is a
    /// 500.
    pub fn new<T: Serialize + ?Sized>(value: &T) -> Result<Self, ApiError> {
        serde_json::to_vec(value)
            .map(|bytes| Self(Bytes::from(bytes)))
            .map_err(|e| ApiError::internal(format!("cannot encode the answer as JSON: {e}")))
    }

    /// The encoded bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl IntoResponse for JsonBody {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.0));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(JSON_CONTENT_TYPE),
        );
        response
    }
}

impl From<fettle_app::AppError> for ApiError {
    /// The caller's mistakes keep their message (it says what to fix); the program's and the
    /// database's failures become a plain 500 whose details go to the server's log only, so
    /// no path, SQL or internal state reaches the client.
    fn from(error: fettle_app::AppError) -> Self {
        match error {
            fettle_app::AppError::Invalid(message) => ApiError::invalid(message),
            fettle_app::AppError::Violations(list) => ApiError::violations(list),
            fettle_app::AppError::NotFound(message) => ApiError::not_found(message),
            fettle_app::AppError::Store(e) => internal_error(&format_args!("database error: {e}")),
            fettle_app::AppError::Internal(e) => {
                internal_error(&format_args!("internal error: {e}"))
            }
        }
    }
}

/// What a client is told when the program or the database failed (the details are logged
/// under the error's id).
const INTERNAL_MESSAGE: &str = "the server could not answer this request: the details are in \
     the output of `fettle serve`, under this error's id";

/// Turns a use case's result into a [`Reply`]: the value as JSON, or the error converted to an
/// [`ApiError`] (`fettle_app::AppError` converts: invalid → 422, not found → 404, the rest → 500).
pub fn to_json<T: Serialize, E: Into<ApiError>>(result: Result<T, E>) -> Reply {
    match result {
        Ok(value) => JsonBody::new(&value),
        Err(error) => Err(error.into()),
    }
}

/// Middleware: every 4xx/5xx answer that is not JSON yet becomes a JSON error whose message is
/// the original text (or the status's reason when there was none). Headers such as `Allow` on
/// a 405 are kept.
pub(crate) async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(JSON_CONTENT_TYPE));
    if is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = match axum::body::to_bytes(body, MAX_ERROR_TEXT_BYTES).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_owned(),
        Err(_) => String::new(),
    };
    let message = if text.is_empty() {
        default_message(status)
    } else {
        text
    };
    let rendered = error_response(status, code_for(status), &message, &[]);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    Response::from_parts(parts, rendered.into_body())
}

/// A message for an error that came without one.
fn default_message(status: StatusCode) -> String {
    match status {
        StatusCode::NOT_FOUND => {
            "no such page or API route: see /api/v1/openapi.json for the API".to_owned()
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            "this route does not accept that method: see the Allow header".to_owned()
        }
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is larger than allowed".to_owned(),
        other => other
            .canonical_reason()
            .unwrap_or("request failed")
            .to_owned(),
    }
}

/// Runs synchronous work (a store call) on Tokio's blocking pool; a task that panicked is a
/// 500 saying so.
pub(crate) async fn on_blocking_pool<T, F>(work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        // A panic's text (the join error's) goes to the log, not to the client.
        Err(join) => Err(internal_error(&format_args!(
            "the request's task failed: {join}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_follow_the_status() {
        assert_eq!(ApiError::bad_request("x").code(), "bad_request");
        assert_eq!(ApiError::invalid("x").code(), "invalid");
        assert_eq!(ApiError::not_found("x").code(), "not_found");
        assert_eq!(ApiError::payload_too_large("x").code(), "payload_too_large");
        assert_eq!(ApiError::internal("x").code(), "internal");
        assert_eq!(
            ApiError::new(StatusCode::IM_A_TEAPOT, "x").code(),
            "client_error"
        );
        assert_eq!(
            ApiError::new(StatusCode::BAD_GATEWAY, "x").code(),
            "server_error"
        );
    }

    #[tokio::test]
    async fn errors_render_as_the_json_error_document() {
        let response = ApiError::invalid("`from` is after `to`").into_response();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let bytes = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .expect("body");
        let body: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
        assert_eq!(
            body,
            serde_json::json!({"error": {"code": "invalid", "message": "`from` is after `to`"}})
        );
    }

    #[tokio::test]
    async fn refused_values_render_with_their_field_value_and_limit() {
        let violation =
            Violation::new("max_hr", "400", "100–240 bpm", "max_hr 400 bpm is too high");
        let error = ApiError::from(fettle_app::AppError::Violations(vec![violation]));
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let bytes = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .expect("body");
        let body: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
        assert_eq!(
            body,
            serde_json::json!({"error": {
                "code": "invalid",
                "message": "max_hr 400 bpm is too high",
                "violations": [{
                    "field": "max_hr",
                    "value": "400",
                    "limit": "100–240 bpm",
                    "message": "max_hr 400 bpm is too high",
                }],
            }})
        );
    }

    #[test]
    fn app_errors_map_to_statuses_without_leaking_internals() {
        let invalid = ApiError::from(fettle_app::AppError::Invalid("bad date".into()));
        assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(invalid.message(), "bad date");
        let missing = ApiError::from(fettle_app::AppError::NotFound("no activity 9".into()));
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert_eq!(missing.message(), "no activity 9");
        let secret = "SELECT * FROM activity at /home/me/fettle.sqlite";
        let internal = ApiError::from(fettle_app::AppError::Internal(secret.into()));
        assert_eq!(internal.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!internal.message().contains("SELECT") && !internal.message().contains("/home"));
    }

    #[test]
    fn to_json_encodes_values_and_passes_errors_through() {
        let ok: Result<Vec<u32>, ApiError> = Ok(vec![1, 2]);
        assert_eq!(to_json(ok).expect("encoded").as_bytes(), b"[1,2]");
        let failed: Result<(), ApiError> = Err(ApiError::not_found("no activity 9"));
        assert_eq!(
            to_json(failed).expect_err("error").status(),
            StatusCode::NOT_FOUND
        );
    }
}
