//! The state's clock and the account endpoints' structured refusals (issue 12, items 4 and 5).
//!
//! - Every handler reads "now" from the state's clock: with a [`FixedClock`] the instants the
//!   server stamps (a token's creation, an invitation, a recovery session logged without `at`)
//!   are exactly that instant, and "today" is that instant's day in the athlete's zone.
//! - The account endpoints go through `fettle_app::accounts` like the CLI: a value its rules
//!   refuse is a 422 whose `violations` name the field, the value (never a password), the limit
//!   and the message.
//!
//! In process (`oneshot`) over a real temporary SQLite database.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use fettle_app::accounts::{add_user, create_token};
use fettle_store::{Accounts, Role, SqliteStore, Store};
use fettle_web::{AppState, FixedClock, app};
use jiff::Timestamp;
use serde_json::{Value, json};
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery";

/// The instant the tests' server lives at: long after anything the store holds, so "now" can
/// only come from the clock.
fn fixed_now() -> Timestamp {
    "2031-03-14T09:26:53Z".parse().expect("a timestamp")
}

struct Server {
    _dir: tempfile::TempDir,
    db: Arc<SqliteStore>,
    state: AppState,
}

fn server() -> Server {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = Arc::new(SqliteStore::open(dir.path().join("fettle.sqlite")).expect("opens"));
    let store: Arc<dyn Store> = Arc::clone(&db) as Arc<dyn Store>;
    let accounts: Arc<dyn Accounts> = Arc::clone(&db) as Arc<dyn Accounts>;
    let state = AppState::multi_user(store, accounts).with_clock(Arc::new(FixedClock(fixed_now())));
    Server {
        _dir: dir,
        db,
        state,
    }
}

impl Server {
    /// A user with an API token (made at the real time: only the server's stamps are checked).
    fn user(&self, email: &str, role: Role) -> String {
        let user = add_user(&*self.db, email, role, PASSWORD, Timestamp::now()).expect("added");
        create_token(&*self.db, user.id, "test", Timestamp::now())
            .expect("a token")
            .1
            .expose()
            .to_owned()
    }

    async fn send(&self, method: &str, uri: &str, token: &str, body: Option<Value>) -> Response {
        let mut builder = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        let body = match body {
            Some(value) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from(value.to_string())
            }
            None => Body::empty(),
        };
        app(self.state.clone())
            .oneshot(builder.body(body).expect("valid request"))
            .await
            .expect("the router is infallible")
    }
}

async fn json_body(response: Response) -> Value {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body readable");
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
}

#[tokio::test]
async fn the_server_stamps_what_it_creates_with_its_clock() {
    let server = server();
    let coach = server.user("coach@club.example", Role::Coach);
    let created = server
        .send(
            "POST",
            "/api/v1/tokens",
            &coach,
            Some(json!({"name": "laptop"})),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(json_body(created).await["created"], "2031-03-14T09:26:53Z");
    let invited = server
        .send(
            "POST",
            "/api/v1/squad/invitations",
            &coach,
            Some(json!({"email": " Ann@Club.example "})),
        )
        .await;
    assert_eq!(invited.status(), StatusCode::CREATED);
    assert_eq!(
        json_body(invited).await,
        json!({"email": "ann@club.example", "invited": "2031-03-14T09:26:53Z"})
    );
}

#[tokio::test]
async fn a_session_logged_without_a_time_is_logged_at_the_clocks_now() {
    let server = server();
    let athlete = server.user("ann@club.example", Role::Athlete);
    // The profile's zone makes "today" the clock's day there: 2031-03-14 09:26 UTC is
    // 2031-03-14 22:26 in Auckland (UTC+13 in March, daylight saving time).
    let zone = server
        .send(
            "PUT",
            "/api/v1/profile",
            &athlete,
            Some(json!({"tz": "Pacific/Auckland"})),
        )
        .await;
    assert_eq!(zone.status(), StatusCode::OK, "{}", json_body(zone).await);
    let logged = server
        .send(
            "POST",
            "/api/v1/recovery",
            &athlete,
            Some(json!({"method": "massage", "minutes": 30})),
        )
        .await;
    assert_eq!(logged.status(), StatusCode::OK);
    let logged = json_body(logged).await;
    assert_eq!(logged["at"], "2031-03-14T09:26:53Z", "{logged}");
    // Listed on the clock's day in the athlete's zone (the default range ends today).
    let listed = json_body(
        server
            .send(
                "GET",
                "/api/v1/recovery?from=2031-03-14&to=2031-03-14",
                &athlete,
                None,
            )
            .await,
    )
    .await;
    let sessions = listed["entries"].as_array().expect("entries");
    assert_eq!(sessions.len(), 1, "{listed}");
}

/// The one violation of a 422 answer, checked to be the whole error's only entry.
async fn only_violation(response: Response) -> Value {
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = json_body(response).await;
    assert_eq!(body["error"]["code"], "invalid", "{body}");
    let violations = body["error"]["violations"].as_array().expect("violations");
    assert_eq!(violations.len(), 1, "{body}");
    // The message of the error is the violation's.
    assert_eq!(body["error"]["message"], violations[0]["message"], "{body}");
    violations[0].clone()
}

#[tokio::test]
async fn refused_account_values_come_back_as_structured_violations() {
    let server = server();
    let coach = server.user("coach@club.example", Role::Coach);

    let short = server
        .send(
            "PUT",
            "/api/v1/me/password",
            &coach,
            Some(json!({"current_password": PASSWORD, "new_password": "too short"})),
        )
        .await;
    let refused = only_violation(short).await;
    // "too short" is 9 characters; the rule is at least 10. The password is never echoed.
    assert_eq!(refused["field"], "password");
    assert_eq!(refused["value"], "9 characters");
    assert_eq!(refused["limit"], "at least 10 characters");
    assert!(!refused.to_string().contains("too short"), "{refused}");

    let unnamed = server
        .send(
            "POST",
            "/api/v1/tokens",
            &coach,
            Some(json!({"name": "   "})),
        )
        .await;
    let refused = only_violation(unnamed).await;
    assert_eq!(refused["field"], "name");
    assert_eq!(refused["value"], "");
    assert_eq!(refused["limit"], "1 to 100 characters of plain text");

    let not_an_address = server
        .send(
            "POST",
            "/api/v1/squad/invitations",
            &coach,
            Some(json!({"email": "ann.club.example"})),
        )
        .await;
    let refused = only_violation(not_an_address).await;
    assert_eq!(refused["field"], "email");
    assert_eq!(refused["value"], "ann.club.example");
    assert!(
        refused["message"]
            .as_str()
            .expect("a message")
            .contains("it has no @"),
        "{refused}"
    );
}

#[tokio::test]
async fn refused_query_and_list_values_name_their_field_too() {
    let server = server();
    let athlete = server.user("ann@club.example", Role::Athlete);
    let zero = server
        .send("GET", "/api/v1/activities?limit=0", &athlete, None)
        .await;
    let refused = only_violation(zero).await;
    assert_eq!(
        refused,
        json!({"field": "limit", "value": "0", "limit": "at least 1",
               "message": "`limit` must be at least 1 (leave it out for all)"})
    );
    let unknown = server
        .send(
            "PUT",
            "/api/v1/profile/access",
            &athlete,
            Some(json!({"items": ["massage", "time machine"]})),
        )
        .await;
    let refused = only_violation(unknown).await;
    assert_eq!(refused["field"], "items");
    assert_eq!(refused["value"], "time machine");
    let typo = server
        .send(
            "PUT",
            "/api/v1/profile",
            &athlete,
            Some(json!({"mass": 60})),
        )
        .await;
    let refused = only_violation(typo).await;
    assert_eq!(refused["field"], "mass");
    assert_eq!(refused["value"], "60");
}
