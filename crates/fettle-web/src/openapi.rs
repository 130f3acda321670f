//! The API's OpenAPI 3.1 document (`GET /api/v1/openapi.json`), generated at start-up from the
//! routes themselves.
//!
//! - **Operations** come from each handler's `#[utoipa::path(...)]` attribute (method, path,
//!   summary, parameters, request body, answers), registered with the handler in one call of
//!   the route table (`api.rs`): a route cannot be served without being documented. Athlete-
//!   scoped reads (`/api/v1/athletes/{athlete_id}/…`) are documented from their own route's
//!   operation ([`scoped_operation`]).
//! - **Schemas** named in those attributes are [`utoipa::ToSchema`] types. The request bodies the
//!   web itself defines derive it; the answers of the `fettle_app` use cases are, for now,
//!   schemas written by hand in `assets/answer-schemas.json`, attached to a marker type of the
//!   same name ([`answer_schemas!`]) so the operations still name them by type. A test checks
//!   that every named schema is defined and every `$ref` resolves.
//! - **The frame** (title, the text integrators read first, security schemes and the reusable
//!   error answers) is [`frame`].

use std::sync::LazyLock;

use serde_json::{Map, Value, json};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

/// Hand-written schemas of the answers whose Rust types live in `fettle_app` / `fettle_core`
/// (not yet derived), by component name.
const ANSWER_SCHEMAS: &str = include_str!("../assets/answer-schemas.json");

/// Declares marker types standing for hand-written schemas of [`ANSWER_SCHEMAS`]: each is a
/// [`utoipa::ToSchema`] whose name is the type's, so `body = Status` in a handler's attribute
/// refers to `#/components/schemas/Status`. Its own schema is a placeholder the document
/// replaces with the hand-written one.
macro_rules! answer_schemas {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        $(
            $(#[$doc])*
            pub(crate) struct $name;

            impl utoipa::PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    RefOr::T(Schema::Object(utoipa::openapi::schema::Object::new()))
                }
            }

            impl utoipa::ToSchema for $name {}
        )*
        /// The names of the hand-written schemas the markers stand for.
        #[cfg(test)]
        const HAND_WRITTEN: &[&str] = &[$(stringify!($name)),*];
    };
}

answer_schemas!(
    /// `GET /api/v1/today`.
    Today,
    /// A stored wellness entry.
    WellnessEntry,
    /// `GET /api/v1/wellness`.
    WellnessList,
    /// `GET /api/v1/status`.
    Status,
    /// One day of `GET /api/v1/load`.
    LoadDay,
    /// One activity of `GET /api/v1/activities`.
    Activity,
    /// `GET /api/v1/activities/{id}`.
    ActivityDetail,
    /// `GET /api/v1/readiness`.
    Readiness,
    /// `GET /api/v1/recover`.
    Recover,
    /// `GET /api/v1/insights`, one method.
    Insight,
    /// `GET /api/v1/plan`.
    Plan,
    /// `GET /api/v1/plan/adherence`.
    Adherence,
    /// `GET /api/v1/profile`.
    Profile,
    /// The body of `POST /api/v1/import`.
    ImportUpload,
    /// `GET /api/v1/recovery`.
    RecoveryList,
    /// `POST /api/v1/recovery`.
    LoggedRecovery,
    /// The body of `PUT /api/v1/profile`.
    ProfileUpdate,
    /// One of `GET /api/v1/tokens`.
    ApiToken,
    /// One of `GET /api/v1/invitations`.
    Invitation,
    /// One of `GET /api/v1/coaches`.
    CoachLink,
    /// `GET /api/v1/openapi.json`: this document.
    OpenApiDocument,
    /// `GET /api/v1/vocabulary`: the recovery method catalogue.
    Vocabulary,
    /// The body of `POST /api/v1/plan`.
    PlanInput,
);

/// Declares the reusable error answers (`#/components/responses/NAME`), each an `Error` body
/// with its description; `response = BadRequest` in a handler's attribute refers to one.
macro_rules! error_responses {
    ($($name:ident => $description:literal),* $(,)?) => {
        $(
            #[doc = $description]
            pub(crate) struct $name;

            impl<'r> utoipa::ToResponse<'r> for $name {
                fn response() -> (&'r str, RefOr<utoipa::openapi::Response>) {
                    (stringify!($name), RefOr::T(error_response($description)))
                }
            }
        )*
        /// Every reusable error answer, by name.
        fn error_response_components() -> Vec<(&'static str, utoipa::openapi::Response)> {
            vec![$((stringify!($name), error_response($description))),*]
        }
    };
}

error_responses!(
    BadRequest => "Malformed request (syntax, types, missing field, unknown query parameter).",
    Invalid => "Well-formed but unacceptable values; `violations` names each refused value.",
    NotFound => "No such thing for this athlete.",
    TooLarge => "Body larger than the limit.",
    UnsupportedMediaType => "Body is not `application/json`.",
    Internal => "The program or the database failed.",
    Unauthorized => "Multi-user mode: no valid API token or session cookie.",
    Forbidden => "Multi-user mode: a cookie-authenticated change without the session's \
                  `X-CSRF-Token` (code `csrf`), or a foreign Host or Origin.",
    TooManyRequests => "Too many attempts, or no room: wait the seconds `Retry-After` gives.",
    Timeout => "The request body stalled past the idle timeout.",
);

/// An error answer: `description`, with the `Error` schema as its JSON body.
fn error_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Error")))
                .build(),
        )
        .build()
}

/// The API's description, the first thing an integrator reads.
const DESCRIPTION: &str = "The JSON API of `fettle serve`. Every error is `{\"error\": {\"code\", \"message\"}}`, with `violations` (each refused value's field, value, limit and message) when values were refused. JSON bodies are limited to 64 KiB and uploads to 2 GiB by default (512 MiB on a multi-user server; 413 beyond). State-changing requests from another origin and requests with a foreign Host are refused (403).\n\n**Single-user mode** (the default): no authentication; every route acts for the one athlete. The account routes (`/me/password`, `/tokens`, `/invitations`, `/coaches`, `/squad`) answer 404: they exist only with `fettle serve --multi-user`.\n\n**Multi-user mode** (`fettle serve --multi-user`): every route needs `Authorization: Bearer TOKEN` (an API token: `fettle token create EMAIL` or `POST /api/v1/tokens`) or the `fettle_session` cookie set by the login form (`POST /login`); otherwise 401 `unauthorized`. A cookie-authenticated request that changes something (POST, PUT, DELETE) must send the session's CSRF token (`csrf_token` in `GET /api/v1/me`) in the `X-CSRF-Token` header; otherwise 403 with code `csrf`. Bearer requests need no CSRF token. Every route acts on the caller's own data: another athlete's ids answer 404.\n\n**Athlete-scoped reads**: every GET route of an athlete's data also exists under `/api/v1/athletes/{athlete_id}/…` (e.g. `/api/v1/athletes/12/status`). It answers when `athlete_id` is the caller's own athlete or an athlete of the caller's squad (a coach's accepted member), and 404 otherwise — never 403, so athlete ids cannot be probed. There are no writes under that prefix. In single-user mode it answers for the one athlete's id only.";

/// Everything but the paths and the schemas: version, title and description, server,
/// security, the reusable error answers and the athlete-scoped prefix's parameter.
fn frame() -> Value {
    let mut responses = Map::new();
    for (name, response) in error_response_components() {
        let mut response = serde_json::to_value(response).unwrap_or(Value::Null);
        if name == "TooManyRequests" {
            response["headers"] = json!({"Retry-After": {
                "description": "Seconds to wait before trying again.",
                "schema": {"type": "integer"}
            }});
        }
        responses.insert(name.to_owned(), response);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Fettle API",
            "version": "1",
            "description": DESCRIPTION,
            "license": {"name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0"}
        },
        "servers": [{"url": "http://127.0.0.1:8080"}],
        "security": [{}, {"bearer": []}, {"session": []}],
        "paths": {},
        "components": {
            "schemas": {},
            "responses": responses,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token (`fettle_` + 64 hex digits), multi-user mode."
                },
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "fettle_session",
                    "description": "The login form's session cookie, multi-user mode; changes also need the `X-CSRF-Token` header."
                }
            },
            "parameters": {
                "AthleteId": {
                    "name": "athlete_id",
                    "in": "path",
                    "required": true,
                    "description": "The athlete to read: the caller's own, or a member of the caller's squad (else 404).",
                    "schema": {"type": "integer"}
                }
            }
        }
    })
}

/// The operation of an athlete-scoped read, from the caller's own route's `operation`: the
/// same answers under `athlete_id` (404 for an athlete the caller may not read).
pub(crate) fn scoped_operation(operation: &Value) -> Value {
    let mut scoped = operation.clone();
    if let Some(id) = operation["operationId"].as_str() {
        scoped["operationId"] = Value::String(format!("{id}OfAthlete"));
    }
    if let Some(summary) = operation["summary"].as_str() {
        let summary = summary.trim_end_matches('.');
        scoped["summary"] = Value::String(format!(
            "{summary} — of athlete `athlete_id` (the caller's own or a squad member's; 404 otherwise)."
        ));
    }
    let mut parameters = vec![json!({"$ref": "#/components/parameters/AthleteId"})];
    if let Some(own) = operation["parameters"].as_array() {
        parameters.extend(own.iter().cloned());
    }
    scoped["parameters"] = Value::Array(parameters);
    if let Some(responses) = scoped["responses"].as_object_mut() {
        responses
            .entry("404")
            .or_insert_with(|| json!({"$ref": "#/components/responses/NotFound"}));
    }
    scoped
}

/// Schemas the document holds that no operation names directly: the error answer (named by the
/// reusable error responses).
fn extra_schemas() -> Vec<(String, RefOr<Schema>)> {
    use utoipa::{PartialSchema, ToSchema};
    let mut schemas = Vec::new();
    schemas.push((
        crate::error::ErrorDocument::name().into_owned(),
        crate::error::ErrorDocument::schema(),
    ));
    crate::error::ErrorDocument::schemas(&mut schemas);
    schemas
}

/// The whole document from the routes' documentation: `paths` and the schemas they named
/// (derived ones; placeholders of hand-written ones are replaced by [`ANSWER_SCHEMAS`]).
pub(crate) fn document(paths: Map<String, Value>, schemas: Vec<(String, RefOr<Schema>)>) -> Value {
    let mut document = frame();
    document["paths"] = Value::Object(paths);
    let mut components = Map::new();
    for (name, schema) in schemas.into_iter().chain(extra_schemas()) {
        if let Ok(schema) = serde_json::to_value(schema) {
            components.insert(name, schema);
        }
    }
    // A derived answer is documented field by field: anything else in it is a field someone
    // forgot to document, which the schema tests should catch.
    for schema in components.values_mut() {
        if schema.get("properties").is_some() && schema.get("additionalProperties").is_none() {
            schema["additionalProperties"] = Value::Bool(false);
        }
    }
    let hand_written: Map<String, Value> = serde_json::from_str(ANSWER_SCHEMAS).unwrap_or_default();
    for (name, schema) in hand_written {
        components.insert(name, schema);
    }
    document["components"]["schemas"] = Value::Object(components);
    document
}

/// The served document, rendered once.
pub(crate) static DOCUMENT: LazyLock<String> =
    LazyLock::new(|| crate::api::openapi_document().to_string());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_marker_type_has_its_hand_written_schema() {
        let hand_written: Map<String, Value> =
            serde_json::from_str(ANSWER_SCHEMAS).expect("answer-schemas.json is a JSON object");
        for name in HAND_WRITTEN {
            assert!(
                hand_written.contains_key(*name),
                "no hand-written schema {name}"
            );
        }
    }
}
