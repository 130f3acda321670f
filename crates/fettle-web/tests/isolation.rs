//! Multi-user isolation, authentication and abuse tests, in process (`oneshot`), over a real
//! temporary SQLite database with accounts.
//!
//! The cast: athletes A and B and coach C. C invited A and A accepted; B is no member. Every
//! route of `api_routes()` is iterated (so a route added later is covered without editing this
//! file): without credentials it is a JSON 401; A aiming at B's data (B's ids, B's
//! athlete-scoped prefix) gets 404 and B's data stays as it was; C reads A through the prefix
//! and gets 404 for B. Then tokens, CSRF, the login form, its rate limit, the page redirect,
//! uploads, and many athletes importing at once.

#[allow(
    dead_code,
    reason = "shared with the other test binaries, which use other parts"
)]
mod support;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use fettle_app::accounts::{add_user, create_token};
use fettle_app::import::{NoProgress, import_paths};
use fettle_store::{Accounts, AthleteId, Role, SqliteStore, Store, User};
use fettle_web::{AppState, LoginLimits, api_routes, app};
use jiff::Timestamp;
use serde_json::{Value, json};
use support::corpus_file;
use tower::ServiceExt;

/// Every test user's password (the length rule wants at least ten characters).
const PASSWORD: &str = "correct horse battery";

/// A user of the test world and their API token.
struct Person {
    user: User,
    token: String,
}

impl Person {
    fn athlete(&self) -> AthleteId {
        self.user.athlete
    }
}

/// A temporary database with A, B (athletes) and C (coach of A).
struct World {
    _dir: tempfile::TempDir,
    db: Arc<SqliteStore>,
    a: Person,
    b: Person,
    c: Person,
}

fn now() -> Timestamp {
    Timestamp::now()
}

/// Creates a user with a token.
fn person(db: &SqliteStore, email: &str, role: Role) -> Person {
    let user = add_user(db, email, role, PASSWORD, now()).expect("user added");
    let (_, secret) = create_token(db, user.id, "tests", now()).expect("token created");
    Person {
        user,
        token: secret.expose().to_owned(),
    }
}

/// Imports one corpus file into an athlete's partition, straight through the use case.
fn import(db: &SqliteStore, athlete: AthleteId, file: &str) {
    let summary =
        import_paths(db, athlete, &[corpus_file(file)], 1, &NoProgress).expect("the file imports");
    assert_eq!(summary.imported, 1, "{file}");
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let db = Arc::new(SqliteStore::open(dir.path().join("fettle.sqlite")).expect("opens"));
        let a = person(&db, "a@club.example", Role::Athlete);
        let b = person(&db, "b@club.example", Role::Athlete);
        let c = person(&db, "c@club.example", Role::Coach);
        db.invite(c.user.id, &a.user.email, now()).expect("invited");
        assert!(
            db.accept_invitation(a.user.id, c.user.id, now())
                .expect("accepted")
        );
        // Each athlete has an activity, B also a recovery session and a health exclusion.
        import(&db, a.athlete(), "fit/Activity.fit");
        import(&db, b.athlete(), "fit/2013-02-06-12-11-14.fit");
        let entry = fettle_core::log::RecoveryEntry {
            method: fettle_core::log::RecoveryMethod::Sleep,
            at: now(),
            minutes: Some(480.0),
            temp_c: None,
            zones: Vec::new(),
            carbs_g: None,
            protein_g: None,
            note: None,
        };
        fettle_app::recovery::log_recovery(&*db, b.athlete(), &entry, now()).expect("logged");
        fettle_app::recovery::add_health(&*db, b.athlete(), &["pregnancy".to_owned()])
            .expect("stored");
        fettle_app::training::add_race(
            &*db,
            b.athlete(),
            jiff::civil::date(2026, 3, 1),
            10_000.0,
            2_700.0,
            now(),
        )
        .expect("race stored");
        World {
            _dir: dir,
            db,
            a,
            b,
            c,
        }
    }

    fn state(&self) -> AppState {
        let store: Arc<dyn Store> = Arc::clone(&self.db) as Arc<dyn Store>;
        let accounts: Arc<dyn Accounts> = Arc::clone(&self.db) as Arc<dyn Accounts>;
        AppState::multi_user(store, accounts)
    }

    /// The ids of an athlete's stored activities.
    fn activity_ids(&self, athlete: AthleteId) -> Vec<i64> {
        self.db
            .list_activities(athlete, &fettle_store::ActivityFilter::default())
            .expect("listed")
            .iter()
            .map(|a| a.id.0)
            .collect()
    }
}

/// How a request authenticates.
#[derive(Clone, Copy)]
enum Auth<'a> {
    Anonymous,
    Bearer(&'a str),
    /// A session cookie, with the CSRF header when given.
    Cookie(&'a str, Option<&'a str>),
}

fn request(
    method: &str,
    uri: &str,
    auth: Auth<'_>,
    body: Option<(&str, Vec<u8>)>,
) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "127.0.0.1:8080");
    match auth {
        Auth::Anonymous => {}
        Auth::Bearer(token) => {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        Auth::Cookie(secret, csrf) => {
            builder = builder.header(header::COOKIE, format!("fettle_session={secret}"));
            if let Some(csrf) = csrf {
                builder = builder.header("x-csrf-token", csrf);
            }
        }
    }
    let body = match body {
        Some((content_type, bytes)) => {
            builder = builder.header(header::CONTENT_TYPE, content_type);
            Body::from(bytes)
        }
        None => Body::empty(),
    };
    builder.body(body).expect("valid request")
}

fn get(uri: &str, auth: Auth<'_>) -> Request<Body> {
    request("GET", uri, auth, None)
}

fn json_request(method: &str, uri: &str, auth: Auth<'_>, body: &Value) -> Request<Body> {
    request(
        method,
        uri,
        auth,
        Some(("application/json", body.to_string().into_bytes())),
    )
}

async fn send(state: &AppState, request: Request<Body>) -> Response {
    app(state.clone())
        .oneshot(request)
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

/// Asserts a JSON error with `status` and `code`.
async fn assert_error(response: Response, status: StatusCode, code: &str, what: &str) {
    assert_eq!(response.status(), status, "{what}");
    let content_type = response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/json", "{what}");
    let body = json_body(response).await;
    assert_eq!(body["error"]["code"], code, "{what}: {body}");
}

/// A multipart upload of `files` (name, bytes) in fields named `file`.
fn multipart(files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "fettle-isolation-boundary";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
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

fn upload(uri: &str, auth: Auth<'_>, files: &[(&str, &[u8])]) -> Request<Body> {
    let (content_type, body) = multipart(files);
    request("POST", uri, auth, Some((&content_type, body)))
}

/// The URL of a route with its parameters filled from `ids`.
fn fill(path: &str, ids: &Ids) -> String {
    path.replace("{athlete_id}", &ids.athlete.to_string())
        .replace("{id}", &ids.id.to_string())
        .replace("{coach_id}", &ids.coach.to_string())
        .replace("{email}", &ids.email.replace('@', "%40"))
}

/// What a route's parameters are filled with.
struct Ids {
    athlete: i64,
    /// An activity id, or a token id on `/tokens/{id}`.
    id: i64,
    coach: i64,
    email: String,
}

/// A valid request for a route, as `who` (so a refusal is about who, not about the body).
fn valid_request(method: &str, url: &str, auth: Auth<'_>) -> Request<Body> {
    let fit = std::fs::read(corpus_file("fit/2015-10-13-08-43-15.fit")).expect("corpus file");
    let path = url.split('?').next().unwrap_or_default();
    let body = match (method, path) {
        ("GET" | "DELETE", _) => None,
        ("POST", "/api/v1/import") => return upload(url, auth, &[("ride.fit", &fit)]),
        ("POST", "/api/v1/recovery") => Some(json!({"method": "massage", "minutes": 30})),
        ("POST", "/api/v1/wellness") => Some(json!({"sleep_h": 7.5, "soreness": 2})),
        // A 10 km ten weeks away (the route table lists it before the replan, which needs it).
        ("POST", "/api/v1/plan") => {
            let race = jiff::ZonedDateTime::now()
                .date()
                .checked_add(jiff::Span::new().days(70))
                .expect("a date");
            Some(json!({"race": race.to_string(), "distance": "10k"}))
        }
        ("PUT", "/api/v1/profile") => Some(json!({"mass_kg": 61.5})),
        ("PUT", "/api/v1/profile/access") => Some(json!({"items": ["foam_roller"]})),
        ("PUT", "/api/v1/profile/health") => Some(json!({"items": ["heart_disease"]})),
        ("PUT", "/api/v1/me/password") => Some(
            json!({"current_password": "not the password", "new_password": "another long one"}),
        ),
        ("POST", "/api/v1/tokens") => Some(json!({"name": "probe"})),
        ("POST", "/api/v1/squad/invitations") => Some(json!({"email": "b@club.example"})),
        ("PATCH", _) => Some(json!({"name": "probe", "exclude_from_load": true})),
        _ => Some(json!({})),
    };
    match body {
        Some(body) => json_request(method, url, auth, &body),
        None => request(method, url, auth, None),
    }
}

#[tokio::test]
async fn every_api_route_without_credentials_is_a_json_401() {
    let world = World::new();
    let state = world.state();
    let ids = Ids {
        athlete: world.a.athlete().0,
        id: 1,
        coach: world.c.user.id.0,
        email: world.a.user.email.clone(),
    };
    let routes = api_routes();
    assert!(routes.len() > 40, "{} routes", routes.len());
    for (method, path) in routes {
        let url = fill(&path, &ids);
        for auth in [
            Auth::Anonymous,
            Auth::Bearer("fettle_0000000000000000000000000000000000000000000000000000000000000000"),
            Auth::Bearer("not-a-token"),
            Auth::Cookie("fettle_forged", Some("forged")),
        ] {
            let response = send(&state, valid_request(&method, &url, auth)).await;
            assert_error(
                response,
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                &format!("{method} {url}"),
            )
            .await;
        }
    }
}

/// Everything B can read of B's own data, through B's token: every GET route that is neither
/// athlete-scoped nor about the server, minus the fields that change by being read (a token's
/// `last_used`).
async fn snapshot(state: &AppState, b: &Person, b_activity: i64) -> BTreeMap<String, Value> {
    let mut seen = BTreeMap::new();
    for (method, path) in api_routes() {
        if method != "GET" || path.contains("{athlete_id}") || path.ends_with("openapi.json") {
            continue;
        }
        if path.contains("/squad") {
            // B is no coach.
            continue;
        }
        let url = path.replace("{id}", &b_activity.to_string());
        let response = send(state, get(&url, Auth::Bearer(&b.token))).await;
        assert_eq!(response.status(), StatusCode::OK, "B reads {url}");
        let mut value = json_body(response).await;
        if let Some(tokens) = value.as_array_mut() {
            for token in tokens {
                if let Some(object) = token.as_object_mut() {
                    object.remove("last_used");
                }
            }
        }
        seen.insert(url, value);
    }
    seen
}

#[tokio::test]
async fn no_route_lets_an_athlete_read_or_change_another_athletes_data() {
    let world = World::new();
    let state = world.state();
    let (a, b) = (&world.a, &world.b);
    let b_activity = world.activity_ids(b.athlete())[0];
    let b_token = world.db.tokens(b.user.id).expect("listed")[0].id.0;
    let b_race = world.db.races(b.athlete()).expect("listed")[0].id.0;
    let before = snapshot(&state, b, b_activity).await;
    assert!(before.len() >= 12, "{:?}", before.keys());
    let a_activities_before = world.activity_ids(a.athlete());
    for (method, path) in api_routes() {
        // B's ids everywhere: B's partition, B's activity (or B's token), B as a "coach", B's
        // address.
        let ids = Ids {
            athlete: b.athlete().0,
            id: if path.starts_with("/api/v1/tokens/") {
                b_token
            } else if path.starts_with("/api/v1/races/") {
                b_race
            } else {
                b_activity
            },
            coach: b.user.id.0,
            email: b.user.email.clone(),
        };
        let url = fill(&path, &ids);
        let response = send(&state, valid_request(&method, &url, Auth::Bearer(&a.token))).await;
        let names_b = ["{athlete_id}", "{id}", "{coach_id}", "{email}"]
            .iter()
            .any(|p| path.contains(p));
        if names_b || path.starts_with("/api/v1/squad") {
            assert_error(
                response,
                StatusCode::NOT_FOUND,
                "not_found",
                &format!("A: {method} {url}"),
            )
            .await;
        } else {
            // A's own route: it works (so B's snapshot below is compared after real writes),
            // except the password change, sent with a wrong current password on purpose.
            let expected = if path == "/api/v1/me/password" {
                StatusCode::UNPROCESSABLE_ENTITY
            } else if method == "POST" && path == "/api/v1/tokens" {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            assert_eq!(response.status(), expected, "A: {method} {url}");
        }
    }
    // A query naming B's activity is no way around it either.
    let response = send(
        &state,
        get(
            &format!("/api/v1/recover?activity={b_activity}"),
            Auth::Bearer(&a.token),
        ),
    )
    .await;
    assert_error(response, StatusCode::NOT_FOUND, "not_found", "recover").await;
    // B's data is exactly as it was; A's writes landed with A (the upload added one activity).
    assert_eq!(snapshot(&state, b, b_activity).await, before);
    assert_eq!(
        world.activity_ids(a.athlete()).len(),
        a_activities_before.len() + 1
    );
    // B's race is still there (A's DELETE /races/{B's id} was a 404).
    assert_eq!(world.db.races(b.athlete()).expect("listed").len(), 1);
    // B's token still works (A's DELETE /tokens/{B's id} was refused).
    let me = send(&state, get("/api/v1/me", Auth::Bearer(&b.token))).await;
    assert_eq!(json_body(me).await["email"], "b@club.example");
}

#[tokio::test]
async fn only_the_owner_edits_or_deletes_a_coach_gets_404() {
    let world = World::new();
    let state = world.state();
    let a_activity = world.activity_ids(world.a.athlete())[0];
    let coach = Auth::Bearer(&world.c.token);
    let url = format!("/api/v1/activities/{a_activity}");
    // C coaches A and reads A's activity, but neither changes nor deletes it.
    let edit = json_request("PATCH", &url, coach, &json!({"name": "coach was here"}));
    assert_error(
        send(&state, edit).await,
        StatusCode::NOT_FOUND,
        "not_found",
        "C edits",
    )
    .await;
    let delete = request("DELETE", &url, coach, None);
    assert_error(
        send(&state, delete).await,
        StatusCode::NOT_FOUND,
        "not_found",
        "C deletes",
    )
    .await;
    assert_eq!(world.activity_ids(world.a.athlete()), vec![a_activity]);
    // A, the owner, can: the edit shows in A's answer, the delete empties A's list.
    let a = Auth::Bearer(&world.a.token);
    let edited = send(
        &state,
        json_request(
            "PATCH",
            &url,
            a,
            &json!({"name": "Parkrun", "notes": "windy"}),
        ),
    )
    .await;
    assert_eq!(edited.status(), StatusCode::OK);
    let body = json_body(edited).await;
    assert_eq!(
        (body["name"].clone(), body["notes"].clone()),
        (json!("Parkrun"), json!("windy"))
    );
    let deleted = send(&state, request("DELETE", &url, a, None)).await;
    assert_eq!(deleted.status(), StatusCode::OK);
    assert_eq!(json_body(deleted).await["deleted"], json!([a_activity]));
    assert!(world.activity_ids(world.a.athlete()).is_empty());
}

#[tokio::test]
async fn a_coach_reads_members_through_the_prefix_and_nobody_else() {
    let world = World::new();
    let state = world.state();
    let a_activity = world.activity_ids(world.a.athlete())[0];
    let b_activity = world.activity_ids(world.b.athlete())[0];
    let scoped: Vec<String> = api_routes()
        .into_iter()
        .filter(|(_, path)| path.contains("{athlete_id}"))
        .map(|(method, path)| {
            assert_eq!(method, "GET", "{path}: no writes under the athlete prefix");
            path
        })
        .collect();
    // status, today, wellness, load, activities, activities/{id}, readiness, recover,
    // recovery, insights, plan, plan/adherence, profile, profile/access, profile/health.
    assert_eq!(scoped.len(), 15, "{scoped:?}");
    let coach = Auth::Bearer(&world.c.token);
    for path in &scoped {
        let of = |athlete: &Person, activity: i64| {
            fill(
                path,
                &Ids {
                    athlete: athlete.athlete().0,
                    id: activity,
                    coach: 0,
                    email: String::new(),
                },
            )
        };
        let member = of(&world.a, a_activity);
        let response = send(&state, get(&member, coach)).await;
        assert_eq!(response.status(), StatusCode::OK, "C reads {member}");
        // The same answer A gets for their own data.
        let own = path
            .replace("/athletes/{athlete_id}", "")
            .replace("{id}", &a_activity.to_string());
        let a_own = json_body(send(&state, get(&own, Auth::Bearer(&world.a.token))).await).await;
        assert_eq!(json_body(response).await, a_own, "{member}");
        let stranger = of(&world.b, b_activity);
        let response = send(&state, get(&stranger, coach)).await;
        assert_error(response, StatusCode::NOT_FOUND, "not_found", &stranger).await;
        // B's activity id under A's prefix is no way around it.
        if path.contains("{id}") {
            let mixed = of(&world.a, b_activity);
            let response = send(&state, get(&mixed, coach)).await;
            assert_error(response, StatusCode::NOT_FOUND, "not_found", &mixed).await;
        }
    }
    // An unknown athlete id answers exactly like a stranger's.
    let response = send(&state, get("/api/v1/athletes/987654/status", coach)).await;
    assert_error(response, StatusCode::NOT_FOUND, "not_found", "unknown").await;
    // A is no coach: A cannot read C's partition through the prefix.
    let url = format!("/api/v1/athletes/{}/status", world.c.athlete().0);
    let response = send(&state, get(&url, Auth::Bearer(&world.a.token))).await;
    assert_error(response, StatusCode::NOT_FOUND, "not_found", &url).await;
}

#[tokio::test]
async fn squad_routes_are_404_for_athletes() {
    let world = World::new();
    let state = world.state();
    let athlete = Auth::Bearer(&world.a.token);
    for (method, url) in [
        ("GET", "/api/v1/squad".to_owned()),
        ("POST", "/api/v1/squad/invitations".to_owned()),
        (
            "DELETE",
            "/api/v1/squad/members/c%40club.example".to_owned(),
        ),
    ] {
        let response = send(&state, valid_request(method, &url, athlete)).await;
        assert_error(response, StatusCode::NOT_FOUND, "not_found", &url).await;
    }
}

#[tokio::test]
async fn invitations_are_accepted_and_left_through_the_api() {
    let world = World::new();
    let state = world.state();
    let coach = Auth::Bearer(&world.c.token);
    let b = Auth::Bearer(&world.b.token);
    let b_status = format!("/api/v1/athletes/{}/status", world.b.athlete().0);
    let invited = send(
        &state,
        json_request(
            "POST",
            "/api/v1/squad/invitations",
            coach,
            &json!({"email": " B@Club.Example "}),
        ),
    )
    .await;
    assert_eq!(invited.status(), StatusCode::CREATED);
    assert_eq!(json_body(invited).await["email"], "b@club.example");
    // Invited is not yet a member.
    assert_eq!(
        send(&state, get(&b_status, coach)).await.status(),
        StatusCode::NOT_FOUND
    );
    let squad = json_body(send(&state, get("/api/v1/squad", coach)).await).await;
    assert_eq!(
        squad["invitations"][0]["email"], "b@club.example",
        "{squad}"
    );
    let waiting = json_body(send(&state, get("/api/v1/invitations", b)).await).await;
    assert_eq!(waiting[0]["coach_email"], "c@club.example", "{waiting}");
    let coach_id = world.c.user.id.0;
    let accept = format!("/api/v1/invitations/{coach_id}/accept");
    let accepted = send(&state, request("POST", &accept, b, None)).await;
    assert_eq!(accepted.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        send(&state, get(&b_status, coach)).await.status(),
        StatusCode::OK
    );
    let squad = json_body(send(&state, get("/api/v1/squad", coach)).await).await;
    let names: Vec<&str> = squad["athletes"]
        .as_array()
        .expect("athletes")
        .iter()
        .filter_map(|row| row["name"].as_str())
        .collect();
    assert_eq!(names.len(), 2, "{squad}");
    assert!(names.contains(&"a@club.example") && names.contains(&"b@club.example"));
    assert_eq!(squad["invitations"], json!([]));
    let coaches = json_body(send(&state, get("/api/v1/coaches", b)).await).await;
    assert_eq!(coaches[0]["email"], "c@club.example");
    // B leaves: the coach's view is gone at once; leaving twice is a 404.
    let leave = format!("/api/v1/coaches/{coach_id}");
    assert_eq!(
        send(&state, request("DELETE", &leave, b, None))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(&state, get(&b_status, coach)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&state, request("DELETE", &leave, b, None))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // The coach removes A.
    let remove = "/api/v1/squad/members/a%40club.example";
    assert_eq!(
        send(&state, request("DELETE", remove, coach, None))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let a_status = format!("/api/v1/athletes/{}/status", world.a.athlete().0);
    assert_eq!(
        send(&state, get(&a_status, coach)).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_revoked_token_is_refused() {
    let world = World::new();
    let state = world.state();
    let a = Auth::Bearer(&world.a.token);
    let created = send(
        &state,
        json_request("POST", "/api/v1/tokens", a, &json!({"name": "laptop sync"})),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created = json_body(created).await;
    let secret = created["token"].as_str().expect("the secret").to_owned();
    assert_eq!(created["name"], "laptop sync");
    let new = Auth::Bearer(&secret);
    assert_eq!(
        send(&state, get("/api/v1/status", new)).await.status(),
        StatusCode::OK
    );
    // Listed without its secret.
    let listed = json_body(send(&state, get("/api/v1/tokens", a)).await).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
    assert!(!listed.to_string().contains(&secret));
    let url = format!("/api/v1/tokens/{}", created["id"]);
    assert_eq!(
        send(&state, request("DELETE", &url, a, None))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let refused = send(&state, get("/api/v1/status", new)).await;
    assert_error(refused, StatusCode::UNAUTHORIZED, "unauthorized", "revoked").await;
}

/// A form body (`application/x-www-form-urlencoded`) from already-encoded pairs.
fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

/// `POST /login` with the double-submit token `t` in cookie and field.
fn login_request(email: &str, password: &str, next: &str, proto: Option<&str>) -> Request<Body> {
    let mut builder = Request::post("/login")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, "fettle_login_csrf=t0k3n");
    if let Some(proto) = proto {
        builder = builder.header("x-forwarded-proto", proto);
    }
    let email = email.replace('@', "%40");
    let password = password.replace(' ', "+");
    builder
        .body(Body::from(form(&[
            ("email", &email),
            ("password", &password),
            ("csrf", "t0k3n"),
            ("next", next),
        ])))
        .expect("valid")
}

fn location(response: &Response) -> String {
    response.headers()[header::LOCATION]
        .to_str()
        .unwrap_or_default()
        .to_owned()
}

/// The session cookie's `Set-Cookie` line.
fn session_cookie(response: &Response) -> String {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("fettle_session="))
        .expect("a session cookie")
        .to_owned()
}

/// Logs A in through the form; returns the cookie's secret and the session's CSRF token.
async fn log_in(state: &AppState, email: &str) -> (String, String) {
    let response = send(state, login_request(email, PASSWORD, "/", None)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = session_cookie(&response);
    let secret = cookie
        .trim_start_matches("fettle_session=")
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    let me = json_body(send(state, get("/api/v1/me", Auth::Cookie(&secret, None))).await).await;
    let csrf = me["csrf_token"].as_str().expect("a CSRF token").to_owned();
    (secret, csrf)
}

#[tokio::test]
async fn the_login_form_sets_a_strict_session_cookie_and_goes_back_where_asked() {
    let world = World::new();
    let state = world.state();
    let response = send(
        &state,
        login_request(
            "A@club.example",
            PASSWORD,
            "%2Ftraining%3Fathlete%3D3",
            None,
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/training?athlete=3");
    let cookie = session_cookie(&response);
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=1209600"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    // Behind an HTTPS proxy the cookie is Secure; a foreign `next` is replaced by `/`.
    let response = send(
        &state,
        login_request(
            "a@club.example",
            PASSWORD,
            "%2F%2Fevil.example%2F",
            Some("https"),
        ),
    )
    .await;
    assert_eq!(location(&response), "/");
    assert!(session_cookie(&response).contains("; Secure"));
    // A wrong password and an unknown address answer the same.
    for (email, password) in [
        ("a@club.example", "wrong password!"),
        ("nobody@club.example", PASSWORD),
    ] {
        let response = send(&state, login_request(email, password, "/", None)).await;
        assert_eq!(location(&response), "/login?error=1", "{email}");
        assert!(response.headers().get(header::SET_COOKIE).is_none());
    }
    // Without the double-submit token the form is refused.
    let mut forged = login_request("a@club.example", PASSWORD, "/", None);
    forged.headers_mut().remove(header::COOKIE);
    let response = send(&state, forged).await;
    assert_eq!(location(&response), "/login?error=csrf");
}

#[tokio::test]
async fn the_login_page_hands_out_the_forms_double_submit_token_once() {
    let world = World::new();
    let state = world.state();
    let page = send(&state, get("/login", Auth::Anonymous)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let cookie = page.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.starts_with("fettle_login_csrf=fettle_"), "{cookie}");
    // The page's script copies it into the form: readable, so not HttpOnly.
    assert!(
        cookie.contains("SameSite=Lax") && !cookie.contains("HttpOnly"),
        "{cookie}"
    );
    // A browser that has one keeps it (two tabs share one token).
    let mut with_token = get("/login", Auth::Anonymous);
    with_token.headers_mut().insert(
        header::COOKIE,
        "fettle_login_csrf=t0k3n".parse().expect("valid"),
    );
    let kept = send(&state, with_token).await;
    assert!(!kept.headers().contains_key(header::SET_COOKIE));
}

#[tokio::test]
async fn logging_out_ends_the_session() {
    let world = World::new();
    let state = world.state();
    let (secret, csrf) = log_in(&state, "a@club.example").await;
    let logout = |csrf: &str| {
        Request::post("/logout")
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("fettle_session={secret}"))
            .body(Body::from(form(&[("csrf", csrf)])))
            .expect("valid")
    };
    // Another site's form, without the token, cannot log the user out.
    let refused = send(&state, logout("wrong")).await;
    assert_error(refused, StatusCode::FORBIDDEN, "csrf", "logout").await;
    let response = send(&state, logout(&csrf)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login");
    assert!(session_cookie(&response).contains("Max-Age=0"));
    let after = send(&state, get("/api/v1/me", Auth::Cookie(&secret, None))).await;
    assert_error(
        after,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "after logout",
    )
    .await;
}

#[tokio::test]
async fn cookie_writes_need_the_csrf_header_and_bearer_writes_do_not() {
    let world = World::new();
    let state = world.state();
    let (secret, csrf) = log_in(&state, "a@club.example").await;
    let body = json!({"method": "massage", "minutes": 15});
    for presented in [None, Some("wrong"), Some("")] {
        let response = send(
            &state,
            json_request(
                "POST",
                "/api/v1/recovery",
                Auth::Cookie(&secret, presented),
                &body,
            ),
        )
        .await;
        assert_error(response, StatusCode::FORBIDDEN, "csrf", "no header").await;
    }
    let response = send(
        &state,
        json_request(
            "POST",
            "/api/v1/recovery",
            Auth::Cookie(&secret, Some(&csrf)),
            &body,
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = send(
        &state,
        json_request(
            "POST",
            "/api/v1/recovery",
            Auth::Bearer(&world.a.token),
            &body,
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    // Reads need no token.
    let response = send(&state, get("/api/v1/recovery", Auth::Cookie(&secret, None))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let sessions = json_body(response).await;
    assert_eq!(
        sessions["entries"].as_array().map(Vec::len),
        Some(2),
        "{sessions}"
    );
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions_only() {
    let world = World::new();
    let state = world.state();
    let (first, _) = log_in(&state, "a@club.example").await;
    let (second, csrf) = log_in(&state, "a@club.example").await;
    let change = json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"});
    let response = send(
        &state,
        json_request(
            "PUT",
            "/api/v1/me/password",
            Auth::Cookie(&second, Some(&csrf)),
            &change,
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let me = |secret: &str| get("/api/v1/me", Auth::Cookie(secret, None));
    assert_eq!(send(&state, me(&second)).await.status(), StatusCode::OK);
    assert_eq!(
        send(&state, me(&first)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // The wrong current password changes nothing.
    let wrong = json!({"current_password": "not it at all", "new_password": "yet another phrase"});
    let response = send(
        &state,
        json_request(
            "PUT",
            "/api/v1/me/password",
            Auth::Cookie(&second, Some(&csrf)),
            &wrong,
        ),
    )
    .await;
    assert_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        "wrong current",
    )
    .await;
}

#[tokio::test]
async fn failed_logins_are_limited_per_address_and_per_client() {
    let world = World::new();
    let limits = LoginLimits {
        per_email: 3,
        per_client: 5,
        window: std::time::Duration::from_secs(600),
        ..LoginLimits::default()
    };
    let state = world.state().with_login_limits(limits);
    for _ in 0..3 {
        let response = send(
            &state,
            login_request("a@club.example", "wrong password!", "/", None),
        )
        .await;
        assert_eq!(location(&response), "/login?error=1");
    }
    // The fourth try is refused before the password is looked at, even the right one.
    let response = send(&state, login_request("a@club.example", PASSWORD, "/", None)).await;
    let retry: u64 = response.headers()[header::RETRY_AFTER]
        .to_str()
        .ok()
        .and_then(|s| s.parse().ok())
        .expect("Retry-After in seconds");
    assert!(retry > 590 && retry <= 600, "{retry}");
    assert_error(
        response,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_requests",
        "4th",
    )
    .await;
    // A browser posting the form is sent back to the login page, which says why.
    let mut browser = login_request("a@club.example", PASSWORD, "/", None);
    browser.headers_mut().insert(
        header::ACCEPT,
        "text/html,application/xhtml+xml".parse().expect("valid"),
    );
    let response = send(&state, browser).await;
    assert_eq!(location(&response), "/login?error=rate");
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    // Another address still logs in; the client has two failures left.
    let response = send(&state, login_request("b@club.example", PASSWORD, "/", None)).await;
    assert_eq!(location(&response), "/");
    for _ in 0..2 {
        let response = send(
            &state,
            login_request("x@club.example", "wrong password!", "/", None),
        )
        .await;
        assert_eq!(location(&response), "/login?error=1");
    }
    let response = send(&state, login_request("c@club.example", PASSWORD, "/", None)).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn pages_send_a_logged_out_visitor_to_the_login_page() {
    let world = World::new();
    let state = world.state();
    for (page, next) in [
        ("/", "/"),
        ("/training?athlete=3", "/training%3Fathlete%3D3"),
        ("/activities/5", "/activities/5"),
    ] {
        let response = send(&state, get(page, Auth::Anonymous)).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{page}");
        assert_eq!(location(&response), format!("/login?next={next}"));
        // A token is for scripts, not for pages.
        let response = send(&state, get(page, Auth::Bearer(&world.a.token))).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{page}");
    }
    // Static files are public (the login page needs them).
    let css = send(&state, get("/assets/app.css", Auth::Anonymous)).await;
    assert_eq!(css.status(), StatusCode::OK);
    let (secret, _) = log_in(&state, "a@club.example").await;
    let page = send(&state, get("/training", Auth::Cookie(&secret, None))).await;
    assert_eq!(page.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_upload_with_a_token_imports_into_that_athlete_only() {
    let world = World::new();
    let state = world.state();
    let b_before = world.activity_ids(world.b.athlete());
    let a_before = world.activity_ids(world.a.athlete());
    let fit = std::fs::read(corpus_file("fit/2015-10-13-08-43-15.fit")).expect("corpus file");
    let response = send(
        &state,
        upload(
            "/api/v1/import",
            Auth::Bearer(&world.a.token),
            &[("ride.fit", &fit)],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let summary = json_body(response).await;
    assert_eq!(summary["imported"], 1, "{summary}");
    let id = summary["imported_ids"][0].as_i64().expect("an id");
    let mut expected = a_before;
    expected.push(id);
    expected.sort_unstable();
    let mut now_a = world.activity_ids(world.a.athlete());
    now_a.sort_unstable();
    assert_eq!(now_a, expected);
    assert_eq!(world.activity_ids(world.b.athlete()), b_before);
    // The same file for B is B's first copy of it, not a duplicate of A's.
    let response = send(
        &state,
        upload(
            "/api/v1/import",
            Auth::Bearer(&world.b.token),
            &[("ride.fit", &fit)],
        ),
    )
    .await;
    assert_eq!(json_body(response).await["imported"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_athletes_importing_at_once_lose_and_duplicate_nothing() {
    const ATHLETES: usize = 8;
    let world = World::new();
    let state = world.state().with_import_threads(1);
    let shared = std::fs::read(corpus_file("fit/Activity.fit")).expect("corpus file");
    let own_files = [
        "fit/2015-10-13-08-43-15.fit",
        "fit/2013-02-06-12-11-14.fit",
        "fit/activity-small-fenix2-run.fit",
    ];
    let mut people = Vec::new();
    for i in 0..ATHLETES {
        let email = format!("runner{i}@club.example");
        people.push(person(&world.db, &email, Role::Athlete));
    }
    // Each athlete uploads the shared file twice and a file of their own, all at once: 24
    // uploads in flight.
    let mut tasks = Vec::new();
    for (i, who) in people.iter().enumerate() {
        let own = std::fs::read(corpus_file(own_files[i % own_files.len()])).expect("corpus");
        for (name, bytes) in [
            ("shared.fit", shared.clone()),
            ("shared-again.fit", shared.clone()),
            ("own.fit", own),
        ] {
            let state = state.clone();
            let token = who.token.clone();
            tasks.push(tokio::spawn(async move {
                let request = upload("/api/v1/import", Auth::Bearer(&token), &[(name, &bytes)]);
                let response = send(&state, request).await;
                assert_eq!(response.status(), StatusCode::OK);
                json_body(response).await
            }));
        }
    }
    let mut summaries = Vec::new();
    for task in tasks {
        summaries.push(task.await.expect("the upload task"));
    }
    for (i, who) in people.iter().enumerate() {
        let mine = &summaries[i * 3..i * 3 + 3];
        let imported: u64 = mine.iter().filter_map(|s| s["imported"].as_u64()).sum();
        let duplicates: u64 = mine.iter().filter_map(|s| s["duplicates"].as_u64()).sum();
        // Two distinct files: two activities; the shared file's second copy is a duplicate.
        assert_eq!((imported, duplicates), (2, 1), "runner{i}: {mine:?}");
        let ids = world.activity_ids(who.athlete());
        assert_eq!(ids.len(), 2, "runner{i}");
        let reported: Vec<i64> = mine
            .iter()
            .flat_map(|s| s["imported_ids"].as_array().cloned().unwrap_or_default())
            .filter_map(|id| id.as_i64())
            .collect();
        let mut stored = ids.clone();
        stored.sort_unstable();
        let mut reported_sorted = reported;
        reported_sorted.sort_unstable();
        assert_eq!(stored, reported_sorted, "runner{i}");
    }
    // Nobody else's partition changed: A and B still have one activity each.
    assert_eq!(world.activity_ids(world.a.athlete()).len(), 1);
    assert_eq!(world.activity_ids(world.b.athlete()).len(), 1);
}

#[tokio::test]
async fn a_club_server_answers_to_its_own_name_but_not_to_other_sites_posts() {
    let world = World::new();
    let state = world.state();
    let mut named = get("/api/v1/status", Auth::Bearer(&world.a.token));
    named
        .headers_mut()
        .insert(header::HOST, "fettle.club.example".parse().expect("valid"));
    assert_eq!(send(&state, named).await.status(), StatusCode::OK);
    let mut cross_site = json_request(
        "POST",
        "/api/v1/recovery",
        Auth::Bearer(&world.a.token),
        &json!({"method": "massage"}),
    );
    cross_site.headers_mut().insert(
        header::ORIGIN,
        "https://evil.example".parse().expect("valid"),
    );
    assert_error(
        send(&state, cross_site).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "cross-site post",
    )
    .await;
}

/// The last activity a coach's squad row shows for `athlete`.
async fn squad_last_activity(
    state: &AppState,
    coach: &Person,
    athlete: AthleteId,
) -> (Value, Value) {
    let response = send(state, get("/api/v1/squad", Auth::Bearer(&coach.token))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let squad = json_body(response).await;
    let row = squad["athletes"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|row| row["athlete_id"] == athlete.0)
        .expect("the member's row")
        .clone();
    (row["last_activity"].clone(), squad["as_of"].clone())
}

#[tokio::test]
async fn a_members_upload_shows_in_the_squad_at_once_though_rows_are_kept() {
    let world = World::new();
    let state = world.state();
    let (before, as_of) = squad_last_activity(&state, &world.c, world.a.athlete()).await;
    // Asked again within the rows' lifetime, the squad is the kept one: same instant.
    let (again, as_of_again) = squad_last_activity(&state, &world.c, world.a.athlete()).await;
    assert_eq!((&again, &as_of_again), (&before, &as_of));
    // A uploads a later session (2015) than the one stored (the FIT SDK's sample): the row
    // must show its day at once, not after the rows' lifetime.
    let fit = std::fs::read(corpus_file("fit/2015-10-13-08-43-15.fit")).expect("corpus file");
    let response = send(
        &state,
        upload(
            "/api/v1/import",
            Auth::Bearer(&world.a.token),
            &[("ride.fit", &fit)],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let newest = world
        .db
        .list_activities(world.a.athlete(), &fettle_store::ActivityFilter::default())
        .expect("listed")
        .into_iter()
        .max_by_key(|a| a.start)
        .expect("activities");
    // The day the session was recorded in (its own UTC offset), as every page shows it.
    let newest_day = fettle_app::training::local_date(
        newest.start,
        newest.utc_offset_s,
        &jiff::tz::TimeZone::system(),
    )
    .to_string();
    let (after, _) = squad_last_activity(&state, &world.c, world.a.athlete()).await;
    assert_ne!(after, before, "the upload changed the last activity");
    assert_eq!(after, Value::String(newest_day));
}

/// The body of a response as text.
async fn text_body(response: Response) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("a body");
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

#[tokio::test]
async fn no_page_carries_another_athletes_data() {
    // Pages are shells that fetch their data from the API as the logged-in user, so asking for
    // B's view as A (`?athlete=B`) must give exactly the page anyone gets, and the data behind
    // it is B's prefix, which is a 404 for A (walked route by route elsewhere).
    let world = World::new();
    let state = world.state();
    let (secret, _) = log_in(&state, "a@club.example").await;
    let b = world.b.athlete().0;
    let b_activity = world.activity_ids(world.b.athlete())[0];
    for &(path, _, _) in fettle_web::assets::PAGES {
        if path == "/login" {
            continue;
        }
        let path = path.replace("{id}", &b_activity.to_string());
        let plain = send(&state, get(&path, Auth::Cookie(&secret, None))).await;
        assert_eq!(plain.status(), StatusCode::OK, "{path}");
        let plain = text_body(plain).await;
        let as_b = send(
            &state,
            get(&format!("{path}?athlete={b}"), Auth::Cookie(&secret, None)),
        )
        .await;
        assert_eq!(as_b.status(), StatusCode::OK, "{path}");
        assert_eq!(text_body(as_b).await, plain, "{path} depends on ?athlete=");
        assert!(!plain.contains("b@club.example"), "{path} names B");
    }
    let response = send(
        &state,
        get(
            &format!("/api/v1/athletes/{b}/status"),
            Auth::Cookie(&secret, None),
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
