//! A NUL character in text a client sends — a sport to filter by, a recovery note — is the
//! client's mistake on both backends alike: a JSON 422 that names the text, never a 500 (which
//! PostgreSQL's refusal of NUL in text used to become) and never stored (which SQLite used to
//! do). In process (`oneshot`), over a real SQLite file and a fresh schema on the test
//! PostgreSQL server (`FETTLE_TEST_POSTGRES`, default `postgres://postgres@127.0.0.1:5432/test`;
//! skipped with a loud notice when there is none, except under `CI=true`).

use std::io::Write as _;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use fettle_store::{PgStore, SqliteStore, Store};
use fettle_web::{AppState, app};
use serde_json::Value;
use tower::ServiceExt;

/// Answers one request. The store is called outside the runtime: the PostgreSQL backend's
/// synchronous client must not block an async task (the server calls it through
/// `spawn_blocking`, as here through the handlers' `run`).
fn send(store: &Arc<dyn Store>, request: Request<Body>) -> (StatusCode, Value) {
    let athlete = store.default_athlete().expect("default athlete");
    let state = AppState::single_user(Arc::clone(store), athlete);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let response = app(state)
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body readable");
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
        (status, body)
    })
}

/// The two requests, each answered 422 naming the text, and nothing stored.
fn nul_text_is_refused(backend: &str, store: &Arc<dyn Store>) {
    let athlete = store.default_athlete().expect("default athlete");
    let filter = Request::get("/api/v1/activities?sport=run%00ning")
        .header(header::HOST, "127.0.0.1:8080")
        .body(Body::empty())
        .expect("request");
    let (status, body) = send(store, filter);
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend}: {body}"
    );
    assert_eq!(body["error"]["code"], "invalid", "{backend}: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("NUL")),
        "{backend}: {body}"
    );

    let note = Request::post("/api/v1/recovery")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            r#"{"method": "massage", "minutes": 30, "note": "felt\u0000good"}"#,
        ))
        .expect("request");
    let (status, body) = send(store, note);
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend}: {body}"
    );
    assert_eq!(body["error"]["code"], "invalid", "{backend}: {body}");
    assert_eq!(
        store.counts(athlete).expect("counts").recovery_entries,
        0,
        "{backend}: nothing stored"
    );
}

#[test]
fn nul_in_text_is_a_422_on_sqlite() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store = SqliteStore::open(dir.path().join("fettle.sqlite")).expect("opens");
    nul_text_is_refused("SQLite", &(Arc::new(store) as Arc<dyn Store>));
}

#[test]
fn nul_in_text_is_a_422_on_postgresql() {
    let url = std::env::var("FETTLE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let under_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    let schema = format!("fettle_web_nul_{}", std::process::id());
    let mut admin = match postgres::Client::connect(&url, postgres::NoTls) {
        Ok(admin) => admin,
        Err(e) if !under_ci => {
            let _ = writeln!(
                std::io::stderr().lock(),
                "\nSKIPPED nul_in_text_is_a_422_on_postgresql: no PostgreSQL at {url} ({e}); \
                 the PostgreSQL backend is NOT tested here (under CI=true this fails).\n"
            );
            return;
        }
        Err(e) => panic!("CI is set but PostgreSQL at {url} cannot be reached: {e}"),
    };
    admin
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
        .expect("a scratch schema");
    let separator = if url.contains('?') { '&' } else { '?' };
    let schema_url = format!("{url}{separator}options=-csearch_path%3D{schema}");
    let store = PgStore::connect(&schema_url).expect("connect to the scratch schema");
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        nul_text_is_refused("PostgreSQL", &(Arc::new(store) as Arc<dyn Store>));
    }));
    admin
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .expect("scratch schema dropped");
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
