//! A password change through `PUT /api/v1/me/password` (issue 11, item 9): every API token the
//! user had stops working at once, as do the other sessions; the answer says how many ended.
//! In process (`oneshot`) over a real temporary SQLite database with accounts.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use fettle_app::accounts::{add_user, create_token, login};
use fettle_store::{Accounts, Role, SqliteStore, Store};
use fettle_web::{AppState, app};
use jiff::Timestamp;
use serde_json::{Value, json};
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery";
const NEW_PASSWORD: &str = "a brand new passphrase";

fn state(db: &Arc<SqliteStore>) -> AppState {
    let store: Arc<dyn Store> = Arc::clone(db) as Arc<dyn Store>;
    let accounts: Arc<dyn Accounts> = Arc::clone(db) as Arc<dyn Accounts>;
    AppState::multi_user(store, accounts)
}

/// How a request authenticates: a bearer token, or a session cookie with its CSRF token.
enum Auth<'a> {
    Bearer(&'a str),
    Cookie(&'a str, &'a str),
}

async fn send(
    state: &AppState,
    method: &str,
    uri: &str,
    auth: &Auth<'_>,
    body: Option<&Value>,
) -> Response {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "127.0.0.1:8080");
    builder = match auth {
        Auth::Bearer(token) => builder.header(header::AUTHORIZATION, format!("Bearer {token}")),
        Auth::Cookie(secret, csrf) => builder
            .header(header::COOKIE, format!("fettle_session={secret}"))
            .header("x-csrf-token", *csrf),
    };
    let body = match body {
        Some(value) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Body::from(value.to_string())
        }
        None => Body::empty(),
    };
    app(state.clone())
        .oneshot(builder.body(body).expect("valid request"))
        .await
        .expect("the router is infallible")
}

async fn json_body(response: Response) -> Value {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body readable");
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
}

async fn status_of(state: &AppState, auth: &Auth<'_>) -> StatusCode {
    send(state, "GET", "/api/v1/status", auth, None)
        .await
        .status()
}

#[tokio::test]
async fn a_password_change_revokes_every_token_made_before_it() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = Arc::new(SqliteStore::open(dir.path().join("fettle.sqlite")).expect("opens"));
    let now = Timestamp::now();
    let ann = add_user(&*db, "ann@club.example", Role::Athlete, PASSWORD, now).expect("ann");
    let bob = add_user(&*db, "bob@club.example", Role::Athlete, PASSWORD, now).expect("bob");
    let (_, laptop) = create_token(&*db, ann.id, "laptop", now).expect("token");
    let (_, bobs) = create_token(&*db, bob.id, "bob's", now).expect("token");
    let state = state(&db);
    let laptop = Auth::Bearer(laptop.expose());
    let bobs = Auth::Bearer(bobs.expose());

    // A second token made through the API, and a browser session elsewhere.
    let created = send(
        &state,
        "POST",
        "/api/v1/tokens",
        &laptop,
        Some(&json!({"name": "phone"})),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let phone = json_body(created).await["token"]
        .as_str()
        .expect("the secret")
        .to_owned();
    let phone = Auth::Bearer(&phone);
    let browser = login(&*db, "ann@club.example", PASSWORD, now)
        .expect("no error")
        .expect("logged in");
    let browser = Auth::Cookie(browser.session_secret.expose(), &browser.csrf_token);
    for auth in [&laptop, &phone, &browser, &bobs] {
        assert_eq!(status_of(&state, auth).await, StatusCode::OK, "before");
    }

    // The change is made with the laptop token: its own request is its last.
    let changed = send(
        &state,
        "PUT",
        "/api/v1/me/password",
        &laptop,
        Some(&json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})),
    )
    .await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(
        json_body(changed).await,
        json!({"changed": true, "sessions_ended": 1, "tokens_revoked": 2})
    );
    for auth in [&laptop, &phone, &browser] {
        assert_eq!(
            status_of(&state, auth).await,
            StatusCode::UNAUTHORIZED,
            "a credential made before the change"
        );
    }
    assert_eq!(
        status_of(&state, &bobs).await,
        StatusCode::OK,
        "another user's token stays"
    );

    // Changed from a browser session: that session stays, the tokens made since are revoked.
    let session = login(&*db, "ann@club.example", NEW_PASSWORD, now)
        .expect("no error")
        .expect("the new password logs in");
    let browser = Auth::Cookie(session.session_secret.expose(), &session.csrf_token);
    let (_, sync) = create_token(&*db, ann.id, "sync", now).expect("token");
    let sync = Auth::Bearer(sync.expose());
    assert_eq!(status_of(&state, &sync).await, StatusCode::OK);
    let changed = send(
        &state,
        "PUT",
        "/api/v1/me/password",
        &browser,
        Some(&json!({"current_password": NEW_PASSWORD, "new_password": "yet another phrase"})),
    )
    .await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(
        json_body(changed).await,
        json!({"changed": true, "sessions_ended": 0, "tokens_revoked": 1})
    );
    assert_eq!(status_of(&state, &sync).await, StatusCode::UNAUTHORIZED);
    assert_eq!(status_of(&state, &browser).await, StatusCode::OK);
}
