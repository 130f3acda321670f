//! In-process tests of the HTTP surface (no sockets: `tower::ServiceExt::oneshot`): JSON errors
//! for every failure, body limits, uploads, static files, pages, security headers, the OpenAPI
//! document against the router, and the server's bind and shutdown. The backend is the
//! production one over a temporary SQLite database (see `support`).

#[allow(
    dead_code,
    reason = "shared with the browser tests, which use other parts"
)]
mod support;

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use fettle_web::{AppState, Limits, api_routes, app};
use serde_json::{Value, json};
use support::{TestDb, corpus_file, shared_history};
use tower::ServiceExt;

/// Sends one request to a fresh app over `state`.
async fn send(state: AppState, request: Request<Body>) -> Response {
    app(state)
        .oneshot(request)
        .await
        .expect("the router is infallible")
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::HOST, "127.0.0.1:8080")
        .body(Body::empty())
        .expect("valid request")
}

fn post_json(uri: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .expect("valid request")
}

async fn body_bytes(response: Response) -> Vec<u8> {
    axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body readable")
        .to_vec()
}

async fn json_body(response: Response) -> Value {
    let bytes = body_bytes(response).await;
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
}

fn content_type(response: &Response) -> &str {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// Asserts the response is a JSON error with `status` and `code`, and returns its message.
async fn assert_json_error(response: Response, status: StatusCode, code: &str) -> String {
    assert_eq!(response.status(), status);
    assert_eq!(content_type(&response), "application/json");
    let body = json_body(response).await;
    assert_eq!(body["error"]["code"], code, "body: {body}");
    let message = body["error"]["message"]
        .as_str()
        .expect("a message")
        .to_owned();
    assert!(!message.is_empty());
    message
}

/// State over the shared database with weeks of simulated training.
fn history() -> AppState {
    shared_history().state()
}

#[tokio::test]
async fn unknown_api_route_is_a_json_404() {
    let response = send(history(), get("/api/v1/nothing-here")).await;
    let message = assert_json_error(response, StatusCode::NOT_FOUND, "not_found").await;
    assert!(message.contains("/api/v1/nothing-here"), "{message}");
}

#[tokio::test]
async fn unknown_page_is_a_json_404_too() {
    let response = send(history(), get("/no/such/page")).await;
    assert_json_error(response, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn wrong_method_is_a_json_405_with_allow() {
    let request = Request::delete("/api/v1/status")
        .header(header::HOST, "127.0.0.1")
        .body(Body::empty())
        .expect("valid");
    let response = send(history(), request).await;
    let allow = response
        .headers()
        .get(header::ALLOW)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(allow.contains("GET"), "Allow: {allow}");
    assert_json_error(
        response,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
}

#[tokio::test]
async fn malformed_json_is_a_json_400() {
    let response = send(history(), post_json("/api/v1/recovery", "{\"method\": ")).await;
    assert_json_error(response, StatusCode::BAD_REQUEST, "bad_request").await;
}

#[tokio::test]
async fn json_missing_a_field_is_a_json_422() {
    let response = send(
        history(),
        post_json("/api/v1/recovery", "{\"minutes\": 20}"),
    )
    .await;
    let message = assert_json_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert!(message.contains("method"), "{message}");
}

#[tokio::test]
async fn json_body_without_json_content_type_is_a_json_415() {
    let request = Request::post("/api/v1/recovery")
        .header(header::HOST, "127.0.0.1")
        .body(Body::from("{\"method\":\"sleep\"}"))
        .expect("valid");
    let response = send(history(), request).await;
    assert_json_error(
        response,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
}

/// The web's lists are the core's recovery catalogue: `GET /vocabulary` names every method with
/// its words, and every word it lists is one `POST /recovery` and `PUT /profile/access` accept.
#[tokio::test]
async fn the_vocabulary_is_the_recovery_catalogue_and_every_listed_word_is_accepted() {
    use fettle_core::log::RecoveryMethod;
    use fettle_core::recovery::{Access, HealthCondition};
    let response = send(history(), get("/api/v1/vocabulary")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let vocabulary = json_body(response).await;
    let strings = |list: &Value, key: &str| -> Vec<String> {
        list.as_array()
            .expect("a list")
            .iter()
            .map(|item| item[key].as_str().expect("a string").to_owned())
            .collect()
    };
    // The stable names, in display order, as docs/science.md and the API document list them.
    assert_eq!(
        strings(&vocabulary["methods"], "name"),
        [
            "nutrition",
            "compression_boots",
            "compression_garments",
            "cold_water_immersion",
            "cryotherapy",
            "massage",
            "foam_rolling",
            "sleep",
            "rest"
        ]
    );
    for method in vocabulary["methods"].as_array().expect("methods") {
        let name = method["name"].as_str().expect("a name");
        let parsed = RecoveryMethod::parse(name).expect("the name parses");
        assert_eq!(parsed.as_str(), name);
        let spec = parsed.spec();
        assert_eq!(method["cli_word"], spec.cli_word);
        let aliases: Vec<&str> = method["aliases"]
            .as_array()
            .expect("aliases")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(aliases, spec.aliases, "{name}");
        for word in aliases.iter().chain([&spec.cli_word]) {
            assert_eq!(RecoveryMethod::parse(word), Some(parsed), "{word}");
        }
    }
    // The sports a select offers: every named sport but transition (never stored), by hand.
    assert_eq!(
        vocabulary["sports"],
        json!([
            "running",
            "cycling",
            "swimming",
            "walking",
            "hiking",
            "training",
            "fitness_equipment",
            "generic"
        ])
    );
    let access = strings(&vocabulary["access"], "word");
    let catalogue: Vec<&str> = Access::ALL.iter().map(|a| a.as_str()).collect();
    assert_eq!(access, catalogue);
    let health = strings(&vocabulary["health"], "word");
    let conditions: Vec<&str> = HealthCondition::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(health, conditions);
    // The access page offers the same words, and takes every one of them.
    let db = TestDb::empty();
    let page = json_body(send(db.state(), get("/api/v1/profile/access")).await).await;
    assert_eq!(page["choices"], json!(access));
    let body = json!({ "items": access }).to_string();
    let saved = json_body(send(db.state(), put_json("/api/v1/profile/access", &body)).await).await;
    let mut sorted = access.clone();
    sorted.sort();
    assert_eq!(saved["items"], json!(sorted));
}

#[tokio::test]
async fn unknown_recovery_method_is_422_naming_the_valid_ones() {
    let response = send(
        history(),
        post_json("/api/v1/recovery", "{\"method\": \"yoga\"}"),
    )
    .await;
    let message = assert_json_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert!(
        message.contains("yoga") && message.contains("compression_boots"),
        "{message}"
    );
}

#[tokio::test]
async fn out_of_range_minutes_are_refused() {
    let response = send(
        history(),
        post_json(
            "/api/v1/recovery",
            "{\"method\": \"massage\", \"minutes\": 5000}",
        ),
    )
    .await;
    let message = assert_json_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert!(message.contains("minutes"), "{message}");
}

#[tokio::test]
async fn logged_recovery_session_is_listed_afterwards() {
    let db = TestDb::empty();
    let state = db.state();
    let body = json!({"method": "boots", "minutes": 30, "zones": [" calves ", "quads"],
                      "at": "2026-11-28T18:00:00Z"});
    let response = send(
        state.clone(),
        post_json("/api/v1/recovery", &body.to_string()),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let stored = json_body(response).await;
    // The CLI's short word is normalised and the zones trimmed.
    assert_eq!(stored["method"], "compression_boots");
    assert_eq!(stored["zones"], json!(["calves", "quads"]));
    let id = stored["id"].as_i64().expect("the stored id");

    let listed =
        json_body(send(state, get("/api/v1/recovery?from=2026-11-01&to=2026-11-30")).await).await;
    let entries = listed["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{listed}");
    assert_eq!(entries[0]["id"], id);
    assert_eq!(entries[0]["at"], "2026-11-28T18:00:00Z");
    assert_eq!(entries[0]["minutes"], 30.0);
}

#[tokio::test]
async fn json_body_over_the_limit_is_a_json_413() {
    let limits = Limits {
        json_body_bytes: 1024,
        upload_bytes: 4096,
        ..Limits::default()
    };
    let note = "x".repeat(2000);
    let body = json!({"method": "sleep", "note": note}).to_string();
    let response = send(
        history().with_limits(limits),
        post_json("/api/v1/recovery", &body),
    )
    .await;
    assert_json_error(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn streamed_json_body_over_the_limit_without_length_is_a_json_413() {
    let limits = Limits {
        json_body_bytes: 1024,
        upload_bytes: 4096,
        ..Limits::default()
    };
    let note = "x".repeat(2000);
    let body = json!({"method": "sleep", "note": note}).to_string();
    // A stream body has no Content-Length: the limit must hold while reading.
    let stream = futures_stream(body.as_bytes());
    let request = Request::post("/api/v1/recovery")
        .header(header::HOST, "127.0.0.1")
        .header(header::CONTENT_TYPE, "application/json")
        .body(stream)
        .expect("valid");
    let response = send(history().with_limits(limits), request).await;
    assert_json_error(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

/// A body without a known length, sent in 256-byte chunks.
fn futures_stream(bytes: &[u8]) -> Body {
    /// Chunks handed out one frame at a time; no size hint, like a chunked upload.
    struct Chunks(std::collections::VecDeque<Vec<u8>>);
    impl http_body::Body for Chunks {
        type Data = axum::body::Bytes;
        type Error = std::io::Error;
        fn poll_frame(
            mut self: std::pin::Pin<&mut Self>,
            _cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
            std::task::Poll::Ready(
                self.0
                    .pop_front()
                    .map(|chunk| Ok(http_body::Frame::data(chunk.into()))),
            )
        }
    }
    Body::new(Chunks(bytes.chunks(256).map(<[u8]>::to_vec).collect()))
}

/// A multipart body with one part per `(field, file name, bytes)`.
fn multipart(parts: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "fettle-test-boundary-7d1f";
    let mut body = Vec::new();
    for (field, name, bytes) in parts {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; \
                 filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn upload(content_type: &str, body: Vec<u8>) -> Request<Body> {
    Request::post("/api/v1/import")
        .header(header::HOST, "127.0.0.1")
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .expect("valid")
}

#[tokio::test]
async fn upload_is_streamed_to_disk_and_imported_with_names_kept() {
    let db = TestDb::empty();
    // One state (one backend, one answer cache) for every request, as in `fettle serve`.
    let state = db.state();
    let before = json_body(send(state.clone(), get("/api/v1/load")).await).await;
    assert_eq!(before, json!([]));
    let fit = std::fs::read(corpus_file("fit/Activity.fit")).expect("corpus file readable");
    let (ct, body) = multipart(&[
        ("file", "morning run.fit", &fit),
        ("file", "../../etc/notes.fit", b"not a FIT file"),
    ]);
    let response = send(state.clone(), upload(&ct, body)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let summary = json_body(response).await;
    // Two files: the real one imported as one activity, the other refused by the decoder
    // under its cleaned name (no path, no spaces, extension kept).
    assert_eq!(summary["files"], 2, "{summary}");
    assert_eq!(summary["imported"], 1, "{summary}");
    assert_eq!(summary["failed"], 1, "{summary}");
    let failed = summary["failures"][0]["source"]
        .as_str()
        .unwrap_or_default();
    // The uploaded file's own name, never the server's temporary path.
    assert_eq!(failed, "notes.fit");
    let id = summary["imported_ids"][0].as_i64().expect("an id");
    let stored = db
        .store()
        .list_activities(db.athlete(), &fettle_store::ActivityFilter::default())
        .expect("listed");
    assert_eq!(stored.iter().map(|a| a.id.0).collect::<Vec<_>>(), vec![id]);
    assert_eq!(stored[0].source, "morning_run.fit");
    // The series computed before the upload is not served from the cache afterwards.
    let after = json_body(send(state.clone(), get("/api/v1/load")).await).await;
    assert!(
        after.as_array().is_some_and(|days| !days.is_empty()),
        "{after}"
    );
    // The same file again is recognised by its content: nothing new.
    let (ct, body) = multipart(&[("file", "again.fit", &fit)]);
    let again = json_body(send(state.clone(), upload(&ct, body)).await).await;
    assert_eq!(
        (again["imported"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(1))
    );
}

#[tokio::test]
async fn upload_over_the_limit_is_a_json_413() {
    let limits = Limits {
        json_body_bytes: 1024,
        upload_bytes: 4096,
        ..Limits::default()
    };
    let (ct, body) = multipart(&[("file", "big.fit", &[1_u8; 10_000])]);
    // Without Content-Length the limit holds while streaming …
    let response = send(history().with_limits(limits), upload(&ct, body.clone())).await;
    assert_json_error(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    // … and a declared length over the limit is refused before reading.
    let mut declared = upload(&ct, body);
    declared.headers_mut().insert(
        header::CONTENT_LENGTH,
        header::HeaderValue::from_static("10300"),
    );
    let response = send(history().with_limits(limits), declared).await;
    let message =
        assert_json_error(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert!(message.contains("4096"), "{message}");
}

#[tokio::test]
async fn an_upload_cut_off_mid_body_is_a_client_error_and_stores_nothing() {
    let db = TestDb::empty();
    let fit = std::fs::read(corpus_file("fit/Activity.fit")).expect("corpus file readable");
    let (ct, body) = multipart(&[("file", "run.fit", &fit)]);
    // Half the body, then the connection breaks (as hyper reports a client that went away).
    let half = body[..body.len() / 2].to_vec();
    let chunks: Vec<Result<axum::body::Bytes, std::io::Error>> = vec![
        Ok(axum::body::Bytes::from(half)),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection reset by peer",
        )),
    ];
    let request = Request::post("/api/v1/import")
        .header(header::HOST, "127.0.0.1")
        .header(header::CONTENT_TYPE, ct)
        .body(broken_body(chunks))
        .expect("valid");
    let response = send(db.state(), request).await;
    let message = assert_json_error(response, StatusCode::BAD_REQUEST, "bad_request").await;
    assert!(message.contains("send it again"), "{message}");
    let counts = db.store().counts(db.athlete()).expect("counts");
    assert_eq!(counts.activities, 0);
}

/// A body of the given chunks, an error ending it where the list has one.
fn broken_body(chunks: Vec<Result<axum::body::Bytes, std::io::Error>>) -> Body {
    struct Parts(std::collections::VecDeque<Result<axum::body::Bytes, std::io::Error>>);
    impl http_body::Body for Parts {
        type Data = axum::body::Bytes;
        type Error = std::io::Error;
        fn poll_frame(
            mut self: std::pin::Pin<&mut Self>,
            _cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
            std::task::Poll::Ready(
                self.0
                    .pop_front()
                    .map(|part| part.map(http_body::Frame::data)),
            )
        }
    }
    Body::new(Parts(chunks.into()))
}

#[tokio::test]
async fn upload_with_another_field_name_is_a_json_400() {
    let (ct, body) = multipart(&[("document", "a.fit", b"x")]);
    let message = assert_json_error(
        send(history(), upload(&ct, body)).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    assert!(message.contains("`file`"), "{message}");
}

#[tokio::test]
async fn upload_without_files_is_a_json_400() {
    let (ct, body) = multipart(&[]);
    assert_json_error(
        send(history(), upload(&ct, body)).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
}

#[tokio::test]
async fn upload_that_is_not_multipart_is_a_json_400() {
    let response = send(history(), upload("application/json", b"{}".to_vec())).await;
    assert_json_error(response, StatusCode::BAD_REQUEST, "bad_request").await;
}

#[tokio::test]
async fn status_passes_the_requested_day_through() {
    let response = send(history(), get("/api/v1/status?date=2026-03-01")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(content_type(&response), "application/json");
    assert_eq!(
        response
            .headers()
            .get(header::CACHE_CONTROL)
            .map(axum::http::HeaderValue::as_bytes),
        Some(&b"no-store"[..])
    );
    let status = json_body(response).await;
    assert_eq!(status["date"], "2026-03-01");
}

#[tokio::test]
async fn malformed_date_is_a_json_400() {
    let response = send(history(), get("/api/v1/status?date=yesterday")).await;
    assert_json_error(response, StatusCode::BAD_REQUEST, "bad_request").await;
}

#[tokio::test]
async fn unknown_query_parameter_is_a_json_400() {
    let response = send(history(), get("/api/v1/load?form=2026-01-01")).await;
    let message = assert_json_error(response, StatusCode::BAD_REQUEST, "bad_request").await;
    assert!(message.contains("form"), "{message}");
}

#[tokio::test]
async fn reversed_range_is_a_json_422() {
    let response = send(history(), get("/api/v1/load?from=2026-02-01&to=2026-01-01")).await;
    let message = assert_json_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert!(message.contains("swap"), "{message}");
}

#[tokio::test]
async fn zero_limit_is_a_json_422() {
    let response = send(history(), get("/api/v1/activities?limit=0")).await;
    assert_json_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
}

#[tokio::test]
async fn activity_filter_reaches_the_backend() {
    let all = json_body(send(history(), get("/api/v1/activities")).await).await;
    let all = all.as_array().expect("a list").clone();
    assert!(all.len() > 2, "the demo stored {} activities", all.len());
    let response = send(history(), get("/api/v1/activities?limit=2&sport=running")).await;
    let list = json_body(response).await;
    let list = list.as_array().expect("a list");
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|a| a["sport"] == "running"));
    // Newest first: the same two as the newest running ones of the full list.
    let newest: Vec<&Value> = all
        .iter()
        .filter(|a| a["sport"] == "running")
        .take(2)
        .collect();
    assert_eq!(list.iter().collect::<Vec<_>>(), newest);
    assert!(list[0]["start"].as_str() >= list[1]["start"].as_str());
}

/// Keyset paging over HTTP: the body stays the bare array old clients read, the next page's
/// cursor comes in `X-Next-Cursor`, and following it visits the full list once, in order.
#[tokio::test]
async fn activity_pages_follow_the_next_cursor_header() {
    let all = json_body(send(history(), get("/api/v1/activities")).await).await;
    let all: Vec<i64> = all
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| a["id"].as_i64().expect("id"))
        .collect();
    assert!(all.len() > 5, "the demo stored {} activities", all.len());
    let mut seen = Vec::new();
    let mut url = "/api/v1/activities?limit=2".to_owned();
    loop {
        let response = send(history(), get(&url)).await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        let next = response
            .headers()
            .get(fettle_web::NEXT_CURSOR_HEADER)
            .map(|v| v.to_str().expect("ascii").to_owned());
        let page = json_body(response).await;
        let page = page.as_array().expect("still a bare array");
        assert!(page.len() <= 2);
        seen.extend(page.iter().map(|a| a["id"].as_i64().expect("id")));
        match next {
            Some(cursor) => url = format!("/api/v1/activities?limit=2&before={cursor}"),
            None => break,
        }
        assert!(seen.len() <= all.len(), "paging ends");
    }
    assert_eq!(seen, all);
    let response = send(history(), get("/api/v1/activities?before=tuesday")).await;
    assert_json_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    // The contract documents both the parameter and the header.
    let doc = json_body(send(history(), get("/api/v1/openapi.json")).await).await;
    let list = &doc["paths"]["/api/v1/activities"]["get"];
    let params: Vec<&str> = list["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert!(params.contains(&"before"), "{params:?}");
    assert!(
        list["responses"]["200"]["headers"]["X-Next-Cursor"].is_object(),
        "{}",
        list["responses"]["200"]
    );
}

#[tokio::test]
async fn activity_detail_has_laps_and_chart_streams() {
    let list = json_body(send(history(), get("/api/v1/activities?limit=1")).await).await;
    let id = list[0]["id"].as_i64().expect("an id");
    let detail = json_body(send(history(), get(&format!("/api/v1/activities/{id}"))).await).await;
    assert_eq!(detail["id"], id);
    let time = detail["chart"]["time_s"].as_array().expect("chart streams");
    // Downsampled to at most CHART_POINTS (1200) points, with heart rate beside each time.
    assert!(!time.is_empty() && time.len() <= fettle_app::activities::CHART_POINTS);
    // Each channel is either absent (never recorded: empty) or one value per time.
    let lengths: Vec<usize> = ["heart_rate_bpm", "speed_mps", "altitude_m", "distance_m"]
        .iter()
        .map(|c| detail["chart"][c].as_array().map_or(0, Vec::len))
        .collect();
    assert!(
        lengths.iter().all(|&n| n == 0 || n == time.len()),
        "{lengths:?}"
    );
    assert!(lengths.contains(&time.len()), "{lengths:?}");
    assert!(detail["laps"].is_array());
}

#[tokio::test]
async fn non_numeric_activity_id_is_a_json_400() {
    let response = send(history(), get("/api/v1/activities/abc")).await;
    assert_json_error(response, StatusCode::BAD_REQUEST, "bad_request").await;
}

#[tokio::test]
async fn missing_activity_is_the_backends_json_404() {
    let response = send(history(), get("/api/v1/activities/999")).await;
    let message = assert_json_error(response, StatusCode::NOT_FOUND, "not_found").await;
    assert!(message.contains("999"));
}

#[tokio::test]
async fn profile_must_be_an_object_and_round_trips() {
    let put = |body: &str| {
        Request::put("/api/v1/profile")
            .header(header::HOST, "127.0.0.1")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_owned()))
            .expect("valid")
    };
    let db = TestDb::empty();
    assert_json_error(
        send(db.state(), put("[1,2]")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    )
    .await;
    let message = assert_json_error(
        send(db.state(), put("{\"maxhr\": 185}")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    )
    .await;
    assert!(
        message.contains("maxhr") && message.contains("max_hr"),
        "{message}"
    );
    // Out of the science's range (a heart rate of 500 bpm): refused, nothing stored.
    assert_json_error(
        send(db.state(), put("{\"max_hr\": 500}")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    )
    .await;
    let response = send(
        db.state(),
        put("{\"max_hr\": 185, \"from\": \"2026-01-01\"}"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let saved = json_body(response).await;
    assert_eq!(saved["hr_max"]["value"], 185.0, "{saved}");
    let profile = json_body(send(db.state(), get("/api/v1/profile")).await).await;
    assert_eq!(profile["hr_max"]["value"], 185.0);
    assert_eq!(profile["hr_max"]["source"]["kind"], "given");
    assert_eq!(profile["hr_max"]["source"]["from"], "2026-01-01");
    // The strength block: off until set, on from the day given (the profile form's switch).
    assert_eq!(profile["strength_block"], false);
    let response = send(
        db.state(),
        put("{\"strength_block\": true, \"from\": \"2026-01-01\"}"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json_body(response).await["strength_block"], true);
    assert_json_error(
        send(db.state(), put("{\"strength_block\": \"yes\"}")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    )
    .await;
}

fn put_json(uri: &str, body: &str) -> Request<Body> {
    Request::put(uri)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .expect("valid request")
}

#[tokio::test]
async fn access_list_is_replaced_whole_and_an_unknown_word_changes_nothing() {
    let db = TestDb::empty();
    let before = json_body(send(db.state(), get("/api/v1/profile/access")).await).await;
    assert_eq!(before["items"], json!([]));
    assert_eq!(
        before["choices"],
        json!([
            "compression-boots",
            "compression-garments",
            "ice-bath",
            "cryo-centre",
            "massage",
            "foam-roller"
        ])
    );
    // A spelling variant is stored as its canonical word; the store sorts the list.
    let body = r#"{"items": ["massage", "ice_bath"]}"#;
    let response = send(db.state(), put_json("/api/v1/profile/access", body)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        json_body(response).await["items"],
        json!(["ice-bath", "massage"])
    );
    // Replacing: massage is removed, boots added, ice-bath kept.
    let body = r#"{"items": ["ice-bath", "compression-boots"]}"#;
    send(db.state(), put_json("/api/v1/profile/access", body)).await;
    let read = json_body(send(db.state(), get("/api/v1/profile/access")).await).await;
    assert_eq!(read["items"], json!(["compression-boots", "ice-bath"]));
    // One unknown word among valid ones: 422 naming it and the accepted words, nothing stored.
    let body = r#"{"items": ["massage", "hot-tub"]}"#;
    let message = assert_json_error(
        send(db.state(), put_json("/api/v1/profile/access", body)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    )
    .await;
    assert!(
        message.contains("hot-tub") && message.contains("foam-roller"),
        "{message}"
    );
    let read = json_body(send(db.state(), get("/api/v1/profile/access")).await).await;
    assert_eq!(read["items"], json!(["compression-boots", "ice-bath"]));
    // A misnamed field is refused too.
    assert_json_error(
        send(
            db.state(),
            put_json("/api/v1/profile/access", r#"{"item": []}"#),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    )
    .await;
    // An empty list clears it.
    send(
        db.state(),
        put_json("/api/v1/profile/access", r#"{"items": []}"#),
    )
    .await;
    let read = json_body(send(db.state(), get("/api/v1/profile/access")).await).await;
    assert_eq!(read["items"], json!([]));
}

#[tokio::test]
async fn health_exclusions_are_stored_and_an_unknown_condition_changes_nothing() {
    let db = TestDb::empty();
    let body = r#"{"items": ["raynauds"]}"#;
    let response = send(db.state(), put_json("/api/v1/profile/health", body)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let saved = json_body(response).await;
    assert_eq!(saved["items"], json!(["raynauds"]));
    assert_eq!(saved["choices"].as_array().map(Vec::len), Some(12));
    let message = assert_json_error(
        send(
            db.state(),
            put_json(
                "/api/v1/profile/health",
                r#"{"items": ["raynauds", "flu"]}"#,
            ),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    )
    .await;
    assert!(
        message.contains("flu") && message.contains("dvt-risk"),
        "{message}"
    );
    let read = json_body(send(db.state(), get("/api/v1/profile/health")).await).await;
    assert_eq!(read["items"], json!(["raynauds"]));
}

#[tokio::test]
async fn foreign_host_is_refused_against_dns_rebinding() {
    let request = Request::get("/api/v1/status")
        .header(header::HOST, "attacker.example:8080")
        .body(Body::empty())
        .expect("valid");
    assert_json_error(
        send(history(), request).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn allowed_host_name_is_accepted() {
    let request = Request::get("/api/v1/status")
        .header(header::HOST, "coach.lan:8080")
        .body(Body::empty())
        .expect("valid");
    let response = send(history().with_allowed_host("coach.lan"), request).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn cross_site_post_is_refused_and_same_origin_post_accepted() {
    let request = |origin: &str| {
        Request::post("/api/v1/recovery")
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::ORIGIN, origin)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{\"method\":\"sleep\",\"minutes\":480}"))
            .expect("valid")
    };
    let refused = send(history(), request("https://evil.example")).await;
    assert_json_error(refused, StatusCode::FORBIDDEN, "forbidden").await;
    let accepted = send(history(), request("http://127.0.0.1:8080")).await;
    assert_eq!(accepted.status(), StatusCode::OK);
}

#[tokio::test]
async fn static_files_have_content_types_etags_and_cache_rules() {
    for (path, expected_type, immutable) in [
        ("/assets/app.css", "text/css; charset=utf-8", false),
        ("/assets/app.js", "text/javascript; charset=utf-8", false),
        ("/assets/chart.js", "text/javascript; charset=utf-8", false),
        ("/assets/icon.svg", "image/svg+xml", false),
        (
            "/assets/vendor/uplot-1.6.32/uPlot.iife.min.js",
            "text/javascript; charset=utf-8",
            true,
        ),
        (
            "/assets/vendor/uplot-1.6.32/uPlot.min.css",
            "text/css; charset=utf-8",
            true,
        ),
    ] {
        let response = send(history(), get(path)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(content_type(&response), expected_type, "{path}");
        let cache = response.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap_or_default();
        assert_eq!(cache.contains("immutable"), immutable, "{path}: {cache}");
        let etag = response.headers()[header::ETAG].clone();
        assert!(!body_bytes(response).await.is_empty(), "{path}");

        let mut again = get(path);
        again.headers_mut().insert(header::IF_NONE_MATCH, etag);
        let response = send(history(), again).await;
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert!(body_bytes(response).await.is_empty(), "{path}");
    }
}

#[tokio::test]
async fn vendored_uplot_is_the_recorded_version() {
    let response = send(
        history(),
        get("/assets/vendor/uplot-1.6.32/uPlot.iife.min.js"),
    )
    .await;
    let text = String::from_utf8(body_bytes(response).await).expect("UTF-8");
    assert!(text.starts_with(&format!(
        "/*! https://github.com/leeoniya/uPlot (v{})",
        fettle_web::assets::UPLOT_VERSION
    )));
}

/// Every `src="/…"` and `href="/…"` in a page.
fn local_references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["src=\"/", "href=\"/"] {
        let mut rest = html;
        while let Some(at) = rest.find(attribute) {
            rest = &rest[at + attribute.len() - 1..];
            let end = rest.find('"').unwrap_or(rest.len());
            found.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    found
}

#[tokio::test]
async fn every_page_is_html_with_its_title_and_only_served_assets() {
    for (path, page, title) in fettle_web::assets::PAGES {
        let url = path.replace("{id}", "3");
        let response = send(history(), get(&url)).await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        assert_eq!(content_type(&response), "text/html; charset=utf-8");
        let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(
            response.headers()[header::X_CONTENT_TYPE_OPTIONS],
            "nosniff"
        );
        let html = String::from_utf8(body_bytes(response).await).expect("UTF-8");
        assert!(
            html.contains(&format!("<title>{title} · Fettle</title>")),
            "{url}"
        );
        assert!(html.contains(&format!("data-page=\"{page}\"")), "{url}");
        assert!(!html.contains("{{"), "unfilled placeholder in {url}");
        assert!(!html.contains("<script>"), "inline script in {url}");
        for reference in local_references(&html) {
            let reference = reference.replace("{id}", "3");
            let status = send(history(), get(&reference)).await.status();
            assert_eq!(status, StatusCode::OK, "{url} references {reference}");
        }
    }
}

/// `(METHOD, path)` pairs documented in the OpenAPI document.
fn documented_routes(document: &Value) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths object") {
        for method in item.as_object().expect("path item").keys() {
            routes.insert((method.to_ascii_uppercase(), path.clone()));
        }
    }
    routes
}

#[tokio::test]
async fn openapi_document_lists_exactly_the_registered_routes() {
    let response = send(history(), get("/api/v1/openapi.json")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let document = json_body(response).await;
    assert_eq!(document["openapi"], "3.1.0");
    let documented = documented_routes(&document);
    let registered: BTreeSet<(String, String)> = api_routes().into_iter().collect();
    let undocumented: Vec<_> = registered.difference(&documented).collect();
    let unregistered: Vec<_> = documented.difference(&registered).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from openapi.json: {undocumented:?}"
    );
    assert!(
        unregistered.is_empty(),
        "documented but not served: {unregistered:?}"
    );
}

#[tokio::test]
async fn openapi_references_resolve() {
    let document: Value = json_body(send(history(), get("/api/v1/openapi.json")).await).await;
    let text = document.to_string();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("\"$ref\":\"#/") {
        rest = &rest[at + 10..];
        let end = rest.find('"').expect("closed string");
        let pointer = format!("/{}", &rest[..end]);
        assert!(
            document.pointer(&pointer).is_some(),
            "dangling $ref {pointer}"
        );
        rest = &rest[end..];
    }
}

/// The account routes, which exist only on a multi-user server (tests/isolation.rs covers
/// them); a single-user server answers them 404.
fn multi_user_only(path: &str) -> bool {
    [
        "/api/v1/me/",
        "/api/v1/tokens",
        "/api/v1/invitations",
        "/api/v1/coaches",
        "/api/v1/squad",
    ]
    .iter()
    .any(|prefix| path.starts_with(prefix))
}

/// A route's URL with its path parameters filled: `id` (an activity) and the athlete-scoped
/// prefix's `athlete_id` (the single user's athlete).
fn filled(path: &str, id: i64, athlete: fettle_store::AthleteId) -> String {
    path.replace("{id}", &id.to_string())
        .replace("{athlete_id}", &athlete.to_string())
}

#[tokio::test]
async fn account_routes_answer_404_in_single_user_mode_saying_why() {
    for (method, path) in api_routes() {
        if !multi_user_only(&path) {
            continue;
        }
        let url = path
            .replace("{id}", "1")
            .replace("{coach_id}", "1")
            .replace("{email}", "a%40b.example");
        let request = Request::builder()
            .method(method.as_str())
            .uri(&url)
            .header(header::HOST, "127.0.0.1")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .expect("valid");
        let response = send(history(), request).await;
        let message = assert_json_error(response, StatusCode::NOT_FOUND, "not_found").await;
        assert!(
            message.contains("--multi-user"),
            "{method} {url}: {message}"
        );
    }
}

#[tokio::test]
async fn me_tells_the_pages_they_run_single_user() {
    let db = shared_history();
    let me = json_body(send(history(), get("/api/v1/me")).await).await;
    assert_eq!(
        me,
        json!({"mode": "single-user", "athlete_id": db.athlete().0})
    );
}

#[tokio::test]
async fn athlete_scoped_reads_answer_for_the_single_athlete_only() {
    let own = shared_history().athlete();
    let direct = json_body(send(history(), get("/api/v1/status")).await).await;
    let scoped = send(history(), get(&format!("/api/v1/athletes/{own}/status"))).await;
    assert_eq!(scoped.status(), StatusCode::OK);
    assert_eq!(json_body(scoped).await["fitness"], direct["fitness"]);
    for other in [format!("{}", own.0 + 1), "x".to_owned()] {
        let response = send(history(), get(&format!("/api/v1/athletes/{other}/status"))).await;
        assert_json_error(response, StatusCode::NOT_FOUND, "not_found").await;
    }
}

#[tokio::test]
async fn every_registered_get_route_answers_json() {
    let list = json_body(send(history(), get("/api/v1/activities?limit=1")).await).await;
    let id = list[0]["id"].as_i64().expect("an activity");
    let athlete = shared_history().athlete();
    for (method, path) in api_routes() {
        if method != "GET" || multi_user_only(&path) {
            continue;
        }
        let url = filled(&path, id, athlete);
        let response = send(history(), get(&url)).await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        assert_eq!(content_type(&response), "application/json", "{url}");
        json_body(response).await;
    }
}

#[tokio::test]
async fn a_new_user_gets_200_with_empty_values_from_every_get_route() {
    // The pages treat any failed request as an error: before the first import every
    // endpoint must answer, with empty lists and nulls where that is the truth.
    let db = TestDb::empty();
    for (method, path) in api_routes() {
        if method != "GET" || path.contains("{id}") || multi_user_only(&path) {
            continue;
        }
        let path = filled(&path, 0, db.athlete());
        let response = send(db.state(), get(&path)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        json_body(response).await;
    }
    let activities = json_body(send(db.state(), get("/api/v1/activities")).await).await;
    assert_eq!(activities, json!([]));
    let status = json_body(send(db.state(), get("/api/v1/status")).await).await;
    assert_eq!(status["history_days"], 0);
    assert_eq!(status["flags"], json!([]));
    // No plan and no activity to recover from: `null`, not a 404.
    for path in ["/api/v1/plan", "/api/v1/plan/adherence", "/api/v1/recover"] {
        assert_eq!(
            json_body(send(db.state(), get(path)).await).await,
            Value::Null,
            "{path}"
        );
    }
    // A named activity that does not exist is still a 404.
    let missing = send(db.state(), get("/api/v1/recover?activity=5")).await;
    assert_json_error(missing, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn bind_refuses_a_non_loopback_address_unless_allowed() {
    let any: std::net::SocketAddr = "0.0.0.0:0".parse().expect("address");
    let refused = fettle_web::bind(any, false).await;
    let message = refused.expect_err("refused").to_string();
    assert!(message.contains("127.0.0.1"), "{message}");
    let loopback: std::net::SocketAddr = "127.0.0.1:0".parse().expect("address");
    let listener = fettle_web::bind(loopback, false)
        .await
        .expect("loopback binds");
    assert!(listener.local_addr().expect("bound").ip().is_loopback());
}

#[tokio::test]
async fn server_answers_over_tcp_and_stops_on_the_shutdown_signal() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = fettle_web::bind("127.0.0.1:0".parse().expect("address"), false)
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("bound");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(fettle_web::serve(listener, history(), async move {
        let _ = stopped.await;
    }));
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    stream
        .write_all(
            format!("GET /api/v1/status HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .expect("writes");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("reads");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"fitness\":"), "{answer}");
    stop.send(()).expect("server still running");
    let finished = tokio::time::timeout(std::time::Duration::from_secs(5), server).await;
    assert!(
        matches!(finished, Ok(Ok(Ok(())))),
        "server did not stop cleanly: {finished:?}"
    );
}

/// Resolves a local `$ref` (`#/components/schemas/Name`) in the document.
fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            document
                .pointer(pointer)
                .unwrap_or_else(|| panic!("unresolved {reference}"))
        }
        None => schema,
    }
}

/// Whether `value` has one of the JSON types the schema's `type` names.
fn type_matches(types: &Value, value: &Value) -> bool {
    let allowed: Vec<&str> = match types {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return true,
    };
    allowed.iter().any(|t| match *t {
        "null" => value.is_null(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        _ => true,
    })
}

/// Checks `value` against the subset of JSON Schema the API document uses: `$ref`, `allOf`,
/// `oneOf`, `type`, `required`, `properties`, `additionalProperties` and `items`. Returns
/// the mismatches with their JSON paths.
fn schema_mismatches(document: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    let schema = resolve(document, schema);
    let mut wrong = Vec::new();
    if let Some(all) = schema["allOf"].as_array() {
        for part in all {
            wrong.extend(schema_mismatches(document, part, value, at));
        }
    }
    if let Some(variants) = schema["oneOf"].as_array() {
        let fits = variants
            .iter()
            .filter(|v| schema_mismatches(document, v, value, at).is_empty())
            .count();
        if fits != 1 {
            wrong.push(format!("{at}: fits {fits} of the oneOf variants"));
        }
    }
    if !type_matches(&schema["type"], value) {
        wrong.push(format!("{at}: {value} is not of type {}", schema["type"]));
        return wrong;
    }
    if let Some(object) = value.as_object() {
        for key in schema["required"].as_array().into_iter().flatten() {
            let key = key.as_str().unwrap_or_default();
            if !object.contains_key(key) {
                wrong.push(format!("{at}: required `{key}` is missing"));
            }
        }
        let properties = schema["properties"].as_object();
        for (key, item) in object {
            match properties.and_then(|p| p.get(key)) {
                Some(property) => wrong.extend(schema_mismatches(
                    document,
                    property,
                    item,
                    &format!("{at}.{key}"),
                )),
                None => match &schema["additionalProperties"] {
                    Value::Bool(false) => wrong.push(format!("{at}: `{key}` is not documented")),
                    extra @ Value::Object(_) => wrong.extend(schema_mismatches(
                        document,
                        extra,
                        item,
                        &format!("{at}.{key}"),
                    )),
                    _ => {}
                },
            }
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), value.as_array()) {
        for (i, item) in list.iter().enumerate().take(5) {
            wrong.extend(schema_mismatches(
                document,
                items,
                item,
                &format!("{at}[{i}]"),
            ));
        }
    }
    wrong
}

/// The OpenAPI document as the server serves it (generated from the routes).
async fn served_document() -> Value {
    let response = send(history(), get("/api/v1/openapi.json")).await;
    assert_eq!(response.status(), StatusCode::OK);
    json_body(response).await
}

#[tokio::test]
async fn every_get_answer_matches_its_documented_schema() {
    let document = served_document().await;
    // The checker itself sees a wrong type, a missing field and an undocumented one.
    let status = json!({"$ref": "#/components/schemas/Status"});
    let wrong = schema_mismatches(&document, &status, &json!({"date": 1, "surprise": 0}), "$");
    assert!(wrong.iter().any(|w| w.contains("$.date")), "{wrong:?}");
    assert!(
        wrong.iter().any(|w| w.contains("`fitness` is missing")),
        "{wrong:?}"
    );
    assert!(wrong.iter().any(|w| w.contains("`surprise`")), "{wrong:?}");
    let list = json_body(send(history(), get("/api/v1/activities?limit=1")).await).await;
    let id = list[0]["id"].as_i64().expect("an activity");
    let empty = TestDb::empty();
    for (method, path) in api_routes() {
        if method != "GET" || path.ends_with("openapi.json") || multi_user_only(&path) {
            continue;
        }
        let schema = &document["paths"][&path]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"];
        assert!(!schema.is_null(), "{path}: no documented 200 schema");
        let url = filled(&path, id, shared_history().athlete());
        let mut answers = vec![("history", json_body(send(history(), get(&url)).await).await)];
        if !path.contains("{id}") {
            let url = filled(&path, id, empty.athlete());
            answers.push((
                "new user",
                json_body(send(empty.state(), get(&url)).await).await,
            ));
        }
        for (who, answer) in answers {
            let wrong = schema_mismatches(&document, schema, &answer, "$");
            assert!(wrong.is_empty(), "{path} ({who}): {wrong:#?}");
        }
    }
}

#[tokio::test]
async fn a_write_by_another_process_shows_once_the_answer_cache_expires() {
    let db = TestDb::empty();
    let state = db.state();
    let before = json_body(send(state.clone(), get("/api/v1/status")).await).await;
    assert_eq!(before["history_days"], 0);
    // As `fettle add` in another process would: straight into the store, not through the API.
    let today = jiff::ZonedDateTime::now().date();
    let session = fettle_app::training::ManualSession {
        date: today,
        start: Some(jiff::civil::time(0, 0, 1, 0)),
        duration_s: 60.0,
        distance_m: None,
        rpe: Some(5.0),
        sport: None,
        name: None,
    };
    fettle_app::training::add_manual(db.store(), db.athlete(), &session, jiff::Timestamp::now())
        .expect("stored");
    tokio::time::sleep(fettle_web::ANSWER_TTL + std::time::Duration::from_millis(100)).await;
    let after = json_body(send(state, get("/api/v1/status")).await).await;
    // One day of history: the session's day is today.
    assert_eq!(after["history_days"], 1, "{after}");
}

#[tokio::test]
async fn multi_user_answers_match_their_documented_schemas() {
    use fettle_app::accounts::{add_user, create_token};
    use fettle_store::{Accounts, Role, SqliteStore, Store};
    use std::sync::Arc;
    let document = served_document().await;
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = Arc::new(SqliteStore::open(dir.path().join("fettle.sqlite")).expect("opens"));
    let now = jiff::Timestamp::now();
    let password = "correct horse battery";
    let coach = add_user(&*db, "coach@club.example", Role::Coach, password, now).expect("added");
    let member = add_user(&*db, "ann@club.example", Role::Athlete, password, now).expect("added");
    let other = add_user(&*db, "bob@club.example", Role::Athlete, password, now).expect("added");
    db.invite(coach.id, &member.email, now).expect("invited");
    assert!(
        db.accept_invitation(member.id, coach.id, now)
            .expect("accepted")
    );
    db.invite(coach.id, &other.email, now).expect("invited");
    let token = |user: &fettle_store::User| {
        create_token(&*db, user.id, "schema", now)
            .expect("a token")
            .1
            .expose()
            .to_owned()
    };
    let (coach_token, member_token, other_token) = (token(&coach), token(&member), token(&other));
    let store: Arc<dyn Store> = Arc::clone(&db) as Arc<dyn Store>;
    let accounts: Arc<dyn Accounts> = Arc::clone(&db) as Arc<dyn Accounts>;
    let state = AppState::multi_user(store, accounts);
    let mut checked = BTreeSet::new();
    for (path, token) in [
        ("/api/v1/me", &coach_token),
        ("/api/v1/tokens", &coach_token),
        ("/api/v1/squad", &coach_token),
        ("/api/v1/coaches", &member_token),
        ("/api/v1/invitations", &other_token),
    ] {
        let request = Request::get(path)
            .header(header::HOST, "127.0.0.1")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("valid");
        let response = send(state.clone(), request).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let answer = json_body(response).await;
        // Non-empty answers, so the items' schemas are checked too.
        assert!(
            answer.as_array().is_none_or(|items| !items.is_empty()),
            "{path}: {answer}"
        );
        let schema = &document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"];
        let wrong = schema_mismatches(&document, schema, &answer, "$");
        assert!(wrong.is_empty(), "{path}: {wrong:#?}\n{answer}");
        checked.insert(path);
    }
    // The answers of what the account routes create.
    for (path, body) in [
        ("/api/v1/tokens", json!({"name": "laptop sync"})),
        (
            "/api/v1/squad/invitations",
            json!({"email": "cat@club.example"}),
        ),
    ] {
        let request = Request::post(path)
            .header(header::HOST, "127.0.0.1")
            .header(header::AUTHORIZATION, format!("Bearer {coach_token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("valid");
        let response = send(state.clone(), request).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{path}");
        let answer = json_body(response).await;
        let schema = documented_answer(&document, "post", path);
        let wrong = schema_mismatches(&document, schema, &answer, "$");
        assert!(wrong.is_empty(), "{path}: {wrong:#?}\n{answer}");
    }
    // Every multi-user-only GET route is covered here.
    for (method, path) in api_routes() {
        if method == "GET" && multi_user_only(&path) {
            assert!(checked.contains(path.as_str()), "{path} is not checked");
        }
    }
}

fn json_request(method: &str, uri: &str, body: &Value) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("valid request")
}

/// A database with two corpus runs (2015-08-15 and 2017-06-11) imported.
fn two_runs() -> TestDb {
    let db = TestDb::empty();
    let files = [
        corpus_file("fit/activity-small-fenix2-run.fit"),
        corpus_file("fit/garmin-fenix-5-run.fit"),
    ];
    fettle_app::import::import_paths(
        db.store(),
        db.athlete(),
        &files,
        1,
        &fettle_app::import::NoProgress,
    )
    .expect("imported");
    db
}

#[tokio::test]
async fn a_deleted_activity_leaves_the_cached_status_and_list_at_once() {
    let db = two_runs();
    let state = db.state();
    let day = "/api/v1/status?date=2015-08-16";
    // Asked twice within the cache's second: the second answer comes from the cache.
    let before = json_body(send(state.clone(), get(day)).await).await;
    assert_eq!(json_body(send(state.clone(), get(day)).await).await, before);
    let listed = json_body(send(state.clone(), get("/api/v1/activities")).await).await;
    // Newest first: the 2015 run is the second.
    let id = listed[1]["id"].as_i64().expect("an id");
    assert!(
        listed[1]["start"]
            .as_str()
            .expect("a start")
            .starts_with("2015-08-15")
    );
    let deleted = send(
        state.clone(),
        Request::delete(format!("/api/v1/activities/{id}"))
            .header(header::HOST, "127.0.0.1:8080")
            .body(Body::empty())
            .expect("valid request"),
    )
    .await;
    assert_eq!(deleted.status(), StatusCode::OK);
    // The day after the only run of 2015 has nothing behind it any more: no fatigue at all.
    let after = json_body(send(state.clone(), get(day)).await).await;
    assert_ne!(after, before);
    assert!(
        before["fatigue"].as_f64().expect("fatigue") > 0.0,
        "{before}"
    );
    assert_eq!(after["fatigue"].as_f64(), Some(0.0), "{after}");
    let listed = json_body(send(state.clone(), get("/api/v1/activities")).await).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    // Deleting it again: a JSON 404.
    let again = send(
        state,
        Request::delete(format!("/api/v1/activities/{id}"))
            .header(header::HOST, "127.0.0.1:8080")
            .body(Body::empty())
            .expect("valid request"),
    )
    .await;
    assert_json_error(again, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn an_edit_is_validated_once_and_refused_whole() {
    let db = two_runs();
    let state = db.state();
    let listed = json_body(send(state.clone(), get("/api/v1/activities")).await).await;
    let id = listed[0]["id"].as_i64().expect("an id");
    let url = format!("/api/v1/activities/{id}");
    let refused = send(
        state.clone(),
        json_request(
            "PATCH",
            &url,
            &json!({"name": "fine", "rpe": 12, "notes": "a\u{0}b"}),
        ),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = json_body(refused).await;
    let fields: Vec<&str> = body["error"]["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| v["field"].as_str().expect("a field"))
        .collect();
    assert_eq!(fields, vec!["notes", "rpe"], "{body}");
    let unchanged = json_body(send(state.clone(), get(&url)).await).await;
    assert_eq!(unchanged["name"], listed[0]["name"]);
    // An unknown field is a malformed request.
    let unknown = send(
        state.clone(),
        json_request("PATCH", &url, &json!({"distance_m": 5})),
    )
    .await;
    assert_eq!(unknown.status().as_u16() / 100, 4);
    // `null` clears; a field left out stays.
    let named = json_body(
        send(
            state.clone(),
            json_request("PATCH", &url, &json!({"name": "Tempo", "rpe": 6})),
        )
        .await,
    )
    .await;
    assert_eq!(
        (named["name"].clone(), named["rpe"].clone()),
        (json!("Tempo"), json!(6.0))
    );
    let cleared =
        json_body(send(state, json_request("PATCH", &url, &json!({"name": null}))).await).await;
    assert_eq!(
        (cleared["name"].clone(), cleared["rpe"].clone()),
        (Value::Null, json!(6.0))
    );
}

/// A plan made through `POST /api/v1/plan` is the one `GET /api/v1/plan` then shows; a value
/// the CLI refuses is refused the same way (422 naming it) and leaves the saved plan alone;
/// `POST /api/v1/plan/replan` rebuilds it and stamps when.
#[tokio::test]
async fn plans_are_made_and_replanned_over_the_api() {
    let db = TestDb::empty();
    let race = jiff::ZonedDateTime::now()
        .date()
        .checked_add(jiff::Span::new().days(70))
        .expect("a date");
    // No plan yet: nothing to re-plan.
    let response = send(db.state(), post_json("/api/v1/plan/replan", "")).await;
    assert_json_error(response, StatusCode::NOT_FOUND, "not_found").await;

    let body = json!({"race": race.to_string(), "distance": "10k", "goal_time": "45:00", "long_run_day": "sat"});
    let response = send(db.state(), post_json("/api/v1/plan", &body.to_string())).await;
    assert_eq!(response.status(), StatusCode::OK);
    let made = json_body(response).await;
    assert_eq!(made["race"]["date"], race.to_string());
    assert_eq!(made["race"]["distance_m"], 10_000.0);
    assert_eq!(made["race"]["goal_time_s"], 45.0 * 60.0);
    let shown = json_body(send(db.state(), get("/api/v1/plan")).await).await;
    assert_eq!(shown["race"], made["race"]);
    assert_eq!(shown["weeks"], made["weeks"]);

    // The CLI's validation: a distance it does not know is refused, and the plan stays.
    let bad = json!({"race": race.to_string(), "distance": "11 parsecs"});
    let response = send(db.state(), post_json("/api/v1/plan", &bad.to_string())).await;
    let message = assert_json_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert!(message.contains("parsecs"), "{message}");
    let unknown = json!({"race": race.to_string(), "distance": "10k", "colour": "red"});
    let response = send(db.state(), post_json("/api/v1/plan", &unknown.to_string())).await;
    assert!(response.status().is_client_error(), "{}", response.status());
    let still = json_body(send(db.state(), get("/api/v1/plan")).await).await;
    assert_eq!(still["race"]["distance_m"], 10_000.0);

    let response = send(db.state(), post_json("/api/v1/plan/replan", "")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let replanned = json_body(response).await;
    assert_eq!(replanned["race"], made["race"]);
    assert!(
        replanned["replanned_at"].is_string(),
        "{}",
        replanned["replanned_at"]
    );
}

/// The `200`/`201` schema the document gives for `method path`.
fn documented_answer<'a>(document: &'a Value, method: &str, path: &str) -> &'a Value {
    let responses = &document["paths"][path][method]["responses"];
    let answer = if responses["200"].is_null() {
        &responses["201"]
    } else {
        &responses["200"]
    };
    let schema = &answer["content"]["application/json"]["schema"];
    assert!(!schema.is_null(), "{method} {path}: no documented answer");
    schema
}

#[tokio::test]
async fn write_answers_match_their_documented_schemas() {
    let document = served_document().await;
    let db = two_runs();
    let state = db.state();
    let check = |method: &str, path: &str, answer: &Value| {
        let schema = documented_answer(&document, method, path);
        let wrong = schema_mismatches(&document, schema, answer, "$");
        assert!(wrong.is_empty(), "{method} {path}: {wrong:#?}\n{answer}");
    };
    // An upload with one activity, one duplicate and one file that is not an activity, so the
    // summary's lists are not empty.
    let fit = std::fs::read(corpus_file("fit/Activity.fit")).expect("corpus file readable");
    let (ct, body) = multipart(&[
        ("file", "run.fit", &fit),
        ("file", "again.fit", &fit),
        ("file", "notes.fit", b"not a FIT file"),
    ]);
    let response = send(state.clone(), upload(&ct, body)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let summary = json_body(response).await;
    assert_eq!(
        summary["failures"].as_array().map(Vec::len),
        Some(1),
        "{summary}"
    );
    check("post", "/api/v1/import", &summary);

    let listed = json_body(send(state.clone(), get("/api/v1/activities")).await).await;
    let id = listed[0]["id"].as_i64().expect("an id");
    let edited = send(
        state.clone(),
        json_request(
            "PATCH",
            &format!("/api/v1/activities/{id}"),
            &json!({"name": "Hill reps", "rpe": 7, "notes": null}),
        ),
    )
    .await;
    assert_eq!(edited.status(), StatusCode::OK);
    check("patch", "/api/v1/activities/{id}", &json_body(edited).await);
    let deleted = send(
        state.clone(),
        json_request("DELETE", &format!("/api/v1/activities/{id}"), &json!(null)),
    )
    .await;
    assert_eq!(deleted.status(), StatusCode::OK);
    check(
        "delete",
        "/api/v1/activities/{id}",
        &json_body(deleted).await,
    );

    let logged = send(
        state.clone(),
        post_json(
            "/api/v1/recovery",
            r#"{"method": "massage", "minutes": 30}"#,
        ),
    )
    .await;
    assert_eq!(logged.status(), StatusCode::OK);
    check("post", "/api/v1/recovery", &json_body(logged).await);
    let wellness = send(
        state.clone(),
        post_json("/api/v1/wellness", r#"{"sleep_h": 7.5, "soreness": 2}"#),
    )
    .await;
    assert_eq!(wellness.status(), StatusCode::OK);
    check("post", "/api/v1/wellness", &json_body(wellness).await);
    let profile = send(
        state.clone(),
        put_json("/api/v1/profile", r#"{"max_hr": 188}"#),
    )
    .await;
    assert_eq!(profile.status(), StatusCode::OK);
    check("put", "/api/v1/profile", &json_body(profile).await);
    let access = send(
        state.clone(),
        put_json("/api/v1/profile/access", r#"{"items": ["massage"]}"#),
    )
    .await;
    assert_eq!(access.status(), StatusCode::OK);
    check("put", "/api/v1/profile/access", &json_body(access).await);
    // An error answer, with its violations, is the documented error.
    let refused = send(
        state.clone(),
        post_json(
            "/api/v1/recovery",
            r#"{"method": "massage", "minutes": 5000}"#,
        ),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = json_body(refused).await;
    assert!(
        refused["error"]["violations"][0]["limit"].is_string(),
        "{refused}"
    );
    let error = json!({"$ref": "#/components/schemas/Error"});
    let wrong = schema_mismatches(&document, &error, &refused, "$");
    assert!(wrong.is_empty(), "{wrong:#?}\n{refused}");
}
