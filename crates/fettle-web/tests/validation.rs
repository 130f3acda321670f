//! The API refuses what is outside physical sense with a 422 whose body names each refused
//! value — `{"error": {"code": "invalid", "message", "violations": [{field, value, limit,
//! message}]}}` — through the same use cases as the CLI, and stores nothing (issue 11 item 11).
//!
//! In process (`oneshot`) over a real temporary SQLite database. The limits are the documented
//! ones of `fettle_core::limits`, written out by hand.

#[allow(
    dead_code,
    reason = "shared with the other test binaries, which use other parts"
)]
mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use axum::response::Response;
use fettle_web::{AppState, app};
use serde_json::{Value, json};
use support::TestDb;
use tower::ServiceExt;

async fn send(state: AppState, request: Request<Body>) -> Response {
    app(state)
        .oneshot(request)
        .await
        .expect("the router is infallible")
}

fn request(method: Method, uri: &str, body: &Value) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("valid request")
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::HOST, "127.0.0.1:8080")
        .body(Body::empty())
        .expect("valid request")
}

async fn json_body(response: Response) -> Value {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body readable");
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
}

/// Asserts a 422 with the structured violations and returns them.
async fn violations(response: Response) -> Vec<Value> {
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = json_body(response).await;
    assert_eq!(body["error"]["code"], "invalid", "{body}");
    let list = body["error"]["violations"]
        .as_array()
        .unwrap_or_else(|| panic!("no violations: {body}"))
        .clone();
    assert!(!list.is_empty(), "{body}");
    let message = body["error"]["message"].as_str().expect("a message");
    for v in &list {
        for key in ["field", "value", "limit", "message"] {
            assert!(v[key].is_string(), "{key} missing in {v}");
        }
        assert!(message.contains(v["message"].as_str().unwrap_or_default()));
    }
    list
}

#[tokio::test]
async fn an_absurd_profile_value_is_a_422_naming_field_value_and_limit() {
    let db = TestDb::empty();
    let put = |body: Value| request(Method::PUT, "/api/v1/profile", &body);
    // A heart rate of 500 bpm: HRmax is plausible from 100 to 240 bpm.
    let list = violations(send(db.state(), put(json!({"max_hr": 500}))).await).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["field"], "max_hr");
    assert_eq!(list[0]["value"], "500");
    assert_eq!(list[0]["limit"], "100–240 bpm");
    // LTHR above HRmax: each is plausible alone, not together.
    let list = violations(send(db.state(), put(json!({"max_hr": 150, "lthr": 180}))).await).await;
    assert_eq!(
        (&list[0]["field"], &list[0]["value"], &list[0]["limit"]),
        (
            &json!("lthr"),
            &json!("180"),
            &json!("below max_hr (150 bpm)")
        )
    );
    // A value "from 2030": refused rather than applied today.
    let list = violations(
        send(
            db.state(),
            put(json!({"max_hr": 185, "from": "2030-01-01"})),
        )
        .await,
    )
    .await;
    assert_eq!(
        (&list[0]["field"], &list[0]["value"]),
        (&json!("from"), &json!("2030-01-01"))
    );
    // Nothing was stored by any of them.
    let profile = json_body(send(db.state(), get("/api/v1/profile")).await).await;
    assert_eq!(profile["history"]["hr_max"], json!([]), "{profile}");
    assert_eq!(profile["history"]["lthr"], json!([]), "{profile}");
}

#[tokio::test]
async fn an_absurd_date_is_a_422_naming_field_value_and_limit() {
    // The API takes no wellness entries; a logged recovery session is its dated input, checked
    // by the same `fettle_core::limits` range as a wellness day (1989-01-01 to now + 24 h).
    let db = TestDb::empty();
    let post = |body: Value| request(Method::POST, "/api/v1/recovery", &body);
    let list = violations(
        send(
            db.state(),
            post(json!({"method": "massage", "minutes": 45, "at": "1000-01-01T10:00:00Z"})),
        )
        .await,
    )
    .await;
    assert_eq!(list[0]["field"], "at");
    assert_eq!(list[0]["value"], "1000-01-01 10:00");
    let limit = list[0]["limit"].as_str().expect("a limit");
    assert!(
        limit.starts_with("1989-01-01 to ") && limit.ends_with("(now + 24 h)"),
        "{limit}"
    );
    assert!(
        list[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("before 1989-01-01"),
        "{list:?}"
    );
    let future = violations(
        send(
            db.state(),
            post(json!({"method": "rest", "at": "2999-12-31T10:00:00Z"})),
        )
        .await,
    )
    .await;
    assert!(
        future[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("in the future"),
        "{future:?}"
    );
    let listed = json_body(send(db.state(), get("/api/v1/recovery?from=0999-01-01")).await).await;
    assert_eq!(listed["entries"], json!([]), "{listed}");
}

#[tokio::test]
async fn the_web_uses_the_cores_meal_limit_and_refuses_nul_bytes() {
    let db = TestDb::empty();
    let post = |body: Value| request(Method::POST, "/api/v1/recovery", &body);
    // 1,000 g of carbohydrate: the web used to accept up to 2,000 g while the core refused
    // more than 500 g. One limit now: 500 g.
    let list = violations(
        send(
            db.state(),
            post(json!({"method": "nutrition", "carbs_g": 1000, "at": "2026-11-01T10:00:00Z"})),
        )
        .await,
    )
    .await;
    assert_eq!(
        (&list[0]["field"], &list[0]["limit"]),
        (&json!("carbs_g"), &json!("0–500 g"))
    );
    // A NUL byte in a note (PostgreSQL cannot store one) is a 422, not a 500.
    let list = violations(
        send(
            db.state(),
            post(json!({"method": "rest", "note": "fine\u{0}", "at": "2026-11-01T10:00:00Z"})),
        )
        .await,
    )
    .await;
    assert_eq!(list[0]["field"], "note");
    assert!(
        list[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("NUL")
    );
    // And in a sport filter.
    let list = violations(send(db.state(), get("/api/v1/activities?sport=run%00")).await).await;
    assert_eq!(list[0]["field"], "sport");
    let listed = json_body(send(db.state(), get("/api/v1/recovery?from=2026-10-01")).await).await;
    assert_eq!(listed["entries"], json!([]), "{listed}");
}

#[tokio::test]
async fn a_reversed_range_is_refused_by_the_use_cases_on_every_listing() {
    let db = TestDb::empty();
    for uri in [
        "/api/v1/load?from=2026-02-01&to=2026-01-01",
        "/api/v1/activities?from=2026-02-01&to=2026-01-01",
        "/api/v1/recovery?from=2026-02-01&to=2026-01-01",
    ] {
        let list = violations(send(db.state(), get(uri)).await).await;
        assert_eq!(list[0]["field"], "from", "{uri}");
        assert_eq!(list[0]["limit"], "on or before to (2026-01-01)", "{uri}");
    }
}
