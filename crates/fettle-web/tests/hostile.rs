//! The server against hostile input and hostile clients, over a real socket and a real
//! temporary SQLite database: a stored absurd value (one athlete's pages and their coach's
//! squad keep answering), panics (a generic JSON 500 with an id), slow clients (header
//! timeout, connection cap), login and password-change guessing (atomic reservations, no
//! trust in `X-Forwarded-For` unless the proxy is named), temporary disk budgets for uploads,
//! and the uploaded file's own name in what is stored.
//!
//! Every server here runs `fettle_web::serve_with` on a loopback port with small limits set
//! by the test; no test asserts a duration, only outcomes (with generous watchdogs so a
//! broken server fails instead of hanging).

#[allow(
    dead_code,
    reason = "shared with the other test binaries, which use other parts"
)]
mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use fettle_app::accounts::{add_user, create_token};
use fettle_app::import::{NoProgress, import_paths};
use fettle_store::{Accounts, AthleteId, Role, SqliteStore, Store, User};
use fettle_web::{AppState, ServeOptions};
use jiff::Timestamp;
use serde_json::Value;
use support::corpus_file;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Every test user's password.
const PASSWORD: &str = "correct horse battery";

/// The longest any single exchange may take before the test calls the server stuck.
const WATCHDOG: Duration = Duration::from_secs(60);

/// A user and their API token.
struct Person {
    user: User,
    token: String,
}

/// A temporary database with athletes A and B and coach C of both.
struct World {
    dir: tempfile::TempDir,
    db: Arc<SqliteStore>,
    a: Person,
    b: Person,
    c: Person,
}

fn person(db: &SqliteStore, email: &str, role: Role) -> Person {
    let now = Timestamp::now();
    let user = add_user(db, email, role, PASSWORD, now).expect("user added");
    let (_, secret) = create_token(db, user.id, "tests", now).expect("token created");
    Person {
        user,
        token: secret.expose().to_owned(),
    }
}

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
        let now = Timestamp::now();
        for member in [&a, &b] {
            db.invite(c.user.id, &member.user.email, now)
                .expect("invited");
            assert!(
                db.accept_invitation(member.user.id, c.user.id, now)
                    .expect("accepted")
            );
        }
        import(&db, a.user.athlete, "fit/Activity.fit");
        import(&db, b.user.athlete, "fit/2013-02-06-12-11-14.fit");
        World { dir, db, a, b, c }
    }

    fn state(&self) -> AppState {
        let store: Arc<dyn Store> = Arc::clone(&self.db) as Arc<dyn Store>;
        let accounts: Arc<dyn Accounts> = Arc::clone(&self.db) as Arc<dyn Accounts>;
        AppState::multi_user(store, accounts)
    }
}

/// A server running on a loopback port until the guard is dropped.
struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn start(state: AppState, options: ServeOptions) -> Server {
    let listener = fettle_web::bind("127.0.0.1:0".parse().expect("address"), false)
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("bound");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(fettle_web::serve_with(
        listener,
        state,
        options,
        async move {
            let _ = stopped.await;
        },
    ));
    Server {
        addr,
        stop: Some(stop),
    }
}

/// An answer read off the socket.
#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {} {}",
                self.head,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// Decodes a `Transfer-Encoding: chunked` body.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(line_end) = raw.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = String::from_utf8_lossy(&raw[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            return out;
        }
        let start = line_end + 2;
        out.extend_from_slice(&raw[start..(start + size).min(raw.len())]);
        raw = &raw[(start + size + 2).min(raw.len())..];
    }
}

/// Sends one request (`Connection: close`) and reads the whole answer.
async fn exchange(addr: SocketAddr, request: Vec<u8>) -> Answer {
    tokio::time::timeout(WATCHDOG, async {
        let mut stream = TcpStream::connect(addr).await.expect("connects");
        stream.write_all(&request).await.expect("writes");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("reads");
        parse_answer(&raw)
    })
    .await
    .expect("the server answered within the watchdog")
}

/// Parses a whole answer read off a socket.
fn parse_answer(raw: &[u8]) -> Answer {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end: {}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status: {head}"));
    let answer = Answer {
        status,
        head,
        body: Vec::new(),
    };
    if answer
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        body = dechunk(&body);
    }
    Answer { body, ..answer }
}

/// A request's bytes: method, path, extra headers, body (with its length).
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method != "GET" {
        text.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    text.push_str("\r\n");
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

async fn get(addr: SocketAddr, path: &str, token: &str) -> Answer {
    let bearer = format!("Bearer {token}");
    exchange(
        addr,
        http(addr, "GET", path, &[("Authorization", &bearer)], b""),
    )
    .await
}

/// Stores an elapsed time of 1e19 s on every activity of `athlete` the way an importer without
/// bounds did (a TCX `TotalTimeSeconds` of 1e19: the end saturates), bypassing every check of
/// today's importer and store, then recomputes the loads as an import would.
fn store_absurd_duration(world: &World, athlete: AthleteId) {
    let connection =
        rusqlite::Connection::open(world.dir.path().join("fettle.sqlite")).expect("opens");
    let changed = connection
        .execute(
            "UPDATE activities SET elapsed_s = 1e19, timer_s = 1e19, end_ms = ?1 \
             WHERE athlete_id = ?2",
            rusqlite::params![i64::MAX, athlete.0],
        )
        .expect("updated");
    assert_eq!(changed, 1);
    // The loads as an import would have computed them from the stored values; whether that
    // succeeds is not this test's question, only that nothing later breaks.
    let _ = fettle_app::training::recompute_loads(&*world.db, athlete);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absurd_stored_duration_breaks_neither_the_athletes_pages_nor_the_squad() {
    let world = World::new();
    store_absurd_duration(&world, world.a.user.athlete);
    let server = start(world.state(), ServeOptions::default()).await;
    for path in [
        "/api/v1/readiness",
        "/api/v1/recover",
        "/api/v1/status",
        "/api/v1/activities",
        "/api/v1/load",
        "/api/v1/recovery",
    ] {
        let answer = get(server.addr, path, &world.a.token).await;
        assert!(
            answer.status < 500,
            "{path} answered {}: {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
        let text = String::from_utf8_lossy(&answer.body);
        assert!(
            !text.contains("panicked") && !text.contains("jiff"),
            "{path}: {text}"
        );
    }
    let squad = get(server.addr, "/api/v1/squad", &world.c.token).await;
    assert_eq!(
        squad.status,
        200,
        "{}",
        String::from_utf8_lossy(&squad.body)
    );
    let rows = squad.json()["athletes"].as_array().expect("rows").clone();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let b_row = rows
        .iter()
        .find(|row| row["athlete_id"] == world.b.user.athlete.0)
        .expect("B is listed");
    assert!(b_row["error"].is_null(), "{b_row}");
    assert!(b_row["fitness"].is_number(), "{b_row}");
    assert!(
        rows.iter()
            .any(|row| row["athlete_id"] == world.a.user.athlete.0),
        "A is listed: {rows:?}"
    );
}

/// The login form's double-submit token the tests send (any value: cookie and field agree).
const FORM_TOKEN: &str = "form-token-for-tests";

/// A login form post over the socket, optionally with an `X-Forwarded-For`.
async fn login(addr: SocketAddr, email: &str, password: &str, forwarded: Option<&str>) -> Answer {
    let body = format!(
        "email={}&password={}&csrf={FORM_TOKEN}",
        email.replace('@', "%40"),
        password.replace(' ', "+")
    );
    let cookie = format!("fettle_login_csrf={FORM_TOKEN}");
    let mut headers = vec![
        ("Cookie", cookie.as_str()),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    if let Some(forwarded) = forwarded {
        headers.push(("X-Forwarded-For", forwarded));
    }
    exchange(
        addr,
        http(addr, "POST", "/login", &headers, body.as_bytes()),
    )
    .await
}

/// Whether a login answer is a verified wrong password (the form's error page), a lockout
/// (429), or a success.
fn outcome(answer: &Answer) -> &'static str {
    match (answer.status, answer.header("location")) {
        (303, Some("/login?error=1")) => "wrong",
        (429, _) => "locked",
        (303, Some(_)) => "in",
        _ => panic!("unexpected answer {answer:?}"),
    }
}

fn limits(per_email: u32, per_client: u32) -> fettle_web::LoginLimits {
    fettle_web::LoginLimits {
        per_email,
        per_client,
        window: Duration::from_secs(600),
        ..fettle_web::LoginLimits::default()
    }
}

async fn outcomes(answers: Vec<tokio::task::JoinHandle<Answer>>) -> Vec<&'static str> {
    let mut seen = Vec::new();
    for answer in answers {
        seen.push(outcome(&answer.await.expect("request task")));
    }
    seen
}

fn count(seen: &[&str], what: &str) -> usize {
    seen.iter().filter(|s| **s == what).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_concurrent_wrong_passwords_get_exactly_the_allowance_verified() {
    let world = World::new();
    let state = world.state().with_login_limits(limits(3, 1_000));
    let server = start(state, ServeOptions::default()).await;
    let addr = server.addr;
    let answers = (0..40)
        .map(|_| {
            tokio::spawn(
                async move { login(addr, "a@club.example", "wrong password!", None).await },
            )
        })
        .collect();
    let seen = outcomes(answers).await;
    // 3 attempts allowed per address: exactly 3 are verified (and fail), 37 are refused before
    // any argon2 work, however the 40 interleave.
    assert_eq!(count(&seen, "wrong"), 3, "{seen:?}");
    assert_eq!(count(&seen, "locked"), 37, "{seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_addresses_from_an_unnamed_peer_do_not_make_new_clients() {
    let world = World::new();
    let server = start(
        world.state().with_login_limits(limits(1_000, 5)),
        ServeOptions::default(),
    )
    .await;
    let mut seen = Vec::new();
    for i in 0..45 {
        let forwarded = format!("203.0.113.{i}");
        let email = format!("nobody{i}@club.example");
        seen.push(outcome(
            &login(server.addr, &email, "wrong password!", Some(&forwarded)).await,
        ));
    }
    // One client (the loopback peer) with 5 attempts, whatever the header says.
    assert_eq!(count(&seen, "wrong"), 5, "{seen:?}");
    assert_eq!(count(&seen, "locked"), 40, "{seen:?}");
    drop(server);

    // Behind a proxy the operator named, each forwarded address is its own client.
    let loopback = "127.0.0.1".parse().expect("address");
    let server = start(
        world
            .state()
            .with_login_limits(limits(1_000, 5))
            .with_trusted_proxy(loopback),
        ServeOptions::default(),
    )
    .await;
    let mut seen = Vec::new();
    for i in 0..8 {
        let forwarded = format!("203.0.113.{i}");
        let email = format!("nobody{i}@club.example");
        seen.push(outcome(
            &login(server.addr, &email, "wrong password!", Some(&forwarded)).await,
        ));
    }
    assert_eq!(count(&seen, "wrong"), 8, "{seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn current_password_guesses_are_throttled_like_logins() {
    let world = World::new();
    let server = start(
        world.state().with_login_limits(limits(3, 1_000)),
        ServeOptions::default(),
    )
    .await;
    let bearer = format!("Bearer {}", world.a.token);
    let change = |current: &str| {
        let body = serde_json::json!({
            "current_password": current,
            "new_password": "a brand new passphrase",
        })
        .to_string();
        http(
            server.addr,
            "PUT",
            "/api/v1/me/password",
            &[
                ("Authorization", &bearer),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        )
    };
    // A new password the rules refuse is answered without counting.
    let weak =
        serde_json::json!({"current_password": "guess", "new_password": "short"}).to_string();
    for _ in 0..5 {
        let answer = exchange(
            server.addr,
            http(
                server.addr,
                "PUT",
                "/api/v1/me/password",
                &[
                    ("Authorization", &bearer),
                    ("Content-Type", "application/json"),
                ],
                weak.as_bytes(),
            ),
        )
        .await;
        assert_eq!(answer.status, 422);
    }
    for guess in ["guess one!", "guess two!", "guess three"] {
        let answer = exchange(server.addr, change(guess)).await;
        assert_eq!(
            answer.status,
            422,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
    }
    // The fourth guess is refused before any verification, the right password too.
    let locked = exchange(server.addr, change(PASSWORD)).await;
    assert_eq!(
        locked.status,
        429,
        "{}",
        String::from_utf8_lossy(&locked.body)
    );
    assert!(locked.header("retry-after").is_some());
    assert_eq!(locked.json()["error"]["code"], "too_many_requests");
    // And the login form of that address is locked too: one count per account.
    assert_eq!(
        outcome(&login(server.addr, "a@club.example", PASSWORD, None).await),
        "locked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_limiter_table_never_clears_a_lockout() {
    let world = World::new();
    let small = fettle_web::LoginLimits {
        per_email: 2,
        per_client: 1_000,
        window: Duration::from_secs(600),
        max_tracked: 8,
    };
    let server = start(
        world.state().with_login_limits(small),
        ServeOptions::default(),
    )
    .await;
    for _ in 0..2 {
        assert_eq!(
            outcome(&login(server.addr, "a@club.example", "wrong password!", None).await),
            "wrong"
        );
    }
    assert_eq!(
        outcome(&login(server.addr, "a@club.example", PASSWORD, None).await),
        "locked"
    );
    // Made-up addresses, four times the table's room.
    for i in 0..32 {
        let _ = login(
            server.addr,
            &format!("made-up-{i}@club.example"),
            "wrong password!",
            None,
        )
        .await;
    }
    assert_eq!(
        outcome(&login(server.addr, "a@club.example", PASSWORD, None).await),
        "locked",
        "the lockout survived the full table"
    );
}

/// A multipart body with one file part, and its content type.
fn multipart_file(name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "fettle-test-boundary-7d9f";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// An upload request of `size` bytes of file content for `token`.
fn upload_request(addr: SocketAddr, token: &str, size: usize) -> Vec<u8> {
    let (content_type, body) = multipart_file("blob.fit", &vec![b'x'; size]);
    let bearer = format!("Bearer {token}");
    http(
        addr,
        "POST",
        "/api/v1/import",
        &[("Authorization", &bearer), ("Content-Type", &content_type)],
        &body,
    )
}

/// Starts an upload of `size` bytes that sends its headers and the first kilobyte, then stalls
/// (holding the connection, and its declared length of temporary disk, until dropped).
async fn stalled_upload(addr: SocketAddr, token: &str, size: usize) -> TcpStream {
    let request = upload_request(addr, token, size);
    let head_end = request
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head")
        + 4;
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    stream
        .write_all(&request[..head_end + 1024])
        .await
        .expect("writes");
    stream
}

/// Sends `request` until the answer has `status` (the state it waits for is set up by another
/// connection the server handles concurrently), within the watchdog.
async fn until_status(addr: SocketAddr, request: impl Fn() -> Vec<u8>, status: u16) -> Answer {
    tokio::time::timeout(WATCHDOG, async {
        loop {
            let answer = exchange(addr, request()).await;
            if answer.status == status {
                return answer;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {status} within the watchdog"))
}

/// Of two stalled uploads that cannot both hold their disk, the one the server refused: its
/// answer (the other, holding, stays unanswered and is returned to keep it open).
async fn refused_one_of(mut first: TcpStream, mut second: TcpStream) -> (Answer, TcpStream) {
    let (mut raw_first, mut raw_second) = (Vec::new(), Vec::new());
    tokio::time::timeout(WATCHDOG, async {
        tokio::select! {
            read = first.read_to_end(&mut raw_first) => {
                read.expect("reads");
                (parse_answer(&raw_first), second)
            }
            read = second.read_to_end(&mut raw_second) => {
                read.expect("reads");
                (parse_answer(&raw_second), first)
            }
        }
    })
    .await
    .expect("one of the two was refused within the watchdog")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_bounded_per_upload_per_athlete_and_in_all() {
    const KIB: usize = 1024;
    let world = World::new();
    let limits = fettle_web::Limits {
        upload_bytes: 48 * KIB,
        temp_bytes_per_athlete: 64 * KIB as u64,
        temp_bytes_total: 100 * KIB as u64,
        // The stalled uploads below must hold their disk for the whole test, however slow the
        // machine: longer than every watchdog together.
        body_read_timeout: 10 * WATCHDOG,
        ..fettle_web::Limits::multi_user()
    };
    let server = start(world.state().with_limits(limits), ServeOptions::default()).await;
    let addr = server.addr;

    // One upload over the per-upload limit: 413 before anything is read.
    let big = exchange(addr, upload_request(addr, &world.a.token, 60 * KIB)).await;
    assert_eq!(big.status, 413, "{}", String::from_utf8_lossy(&big.body));

    // Two uploads of A of 40 KiB each (stalled after their first kilobyte) would hold 80 KiB,
    // past A's 64: whichever the server counts second is refused with 429, Retry-After and a
    // message saying whose budget it is; the other holds its 40 KiB.
    let (refused, held_a) = refused_one_of(
        stalled_upload(addr, &world.a.token, 40 * KIB).await,
        stalled_upload(addr, &world.a.token, 40 * KIB).await,
    )
    .await;
    assert_eq!(
        refused.status,
        429,
        "{}",
        String::from_utf8_lossy(&refused.body)
    );
    assert_eq!(refused.header("retry-after"), Some("60"));
    let message = refused.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("your uploads"), "{message}");
    assert!(
        message.contains("1 MiB"),
        "64 KiB rounds up to 1 MiB: {message}"
    );

    // B's upload of 40 KiB fits (≈ 80 of 100 KiB held in all) and is imported.
    let fits = exchange(addr, upload_request(addr, &world.b.token, 40 * KIB)).await;
    assert_eq!(fits.status, 200, "{}", String::from_utf8_lossy(&fits.body));
    // B and C each start 40 KiB besides A's 40: the second counted would take the server past
    // 100 KiB, though each is within their own share.
    let (full, held_other) = refused_one_of(
        stalled_upload(addr, &world.b.token, 40 * KIB).await,
        stalled_upload(addr, &world.c.token, 40 * KIB).await,
    )
    .await;
    assert_eq!(full.status, 429, "{}", String::from_utf8_lossy(&full.body));
    let message = full.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("server's temporary space"), "{message}");
    assert_eq!(full.header("retry-after"), Some("60"));

    // The stalled clients go away: their disk is given back and A uploads again.
    drop(held_a);
    drop(held_other);
    let again = until_status(addr, || upload_request(addr, &world.a.token, 40 * KIB), 200).await;
    assert_eq!(again.json()["files"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_that_stalls_is_dropped_with_408() {
    let world = World::new();
    let limits = fettle_web::Limits {
        body_read_timeout: Duration::from_millis(300),
        ..fettle_web::Limits::multi_user()
    };
    let server = start(world.state().with_limits(limits), ServeOptions::default()).await;
    let mut stream = stalled_upload(server.addr, &world.a.token, 8 * 1024).await;
    let mut raw = Vec::new();
    tokio::time::timeout(WATCHDOG, stream.read_to_end(&mut raw))
        .await
        .expect("the server gave up on the stalled upload")
        .expect("reads");
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("stalled"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_header_clients_are_dropped_and_normal_requests_still_served() {
    let db = support::TestDb::empty();
    let options = ServeOptions {
        max_connections: 8,
        header_read_timeout: Duration::from_millis(500),
    };
    let server = start(db.state(), options).await;
    let addr = server.addr;
    // 30 clients that send a request line, then one header line every 100 ms, forever: each
    // task ends when the server closes its connection.
    let slow: Vec<_> = (0..30)
        .map(|_| {
            tokio::spawn(async move {
                let stream = TcpStream::connect(addr).await.expect("connects");
                let (mut read, mut write) = stream.into_split();
                let trickle = tokio::spawn(async move {
                    if write
                        .write_all(b"GET /api/v1/status HTTP/1.1\r\n")
                        .await
                        .is_err()
                    {
                        return;
                    }
                    for i in 0.. {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        let line = format!("X-Slow-{i}: a\r\n");
                        if write.write_all(line.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
                let mut sink = Vec::new();
                // EOF or a reset: either way the server let go.
                let _ = read.read_to_end(&mut sink).await;
                trickle.abort();
            })
        })
        .collect();
    // A normal request is answered meanwhile.
    let status = exchange(addr, http(addr, "GET", "/api/v1/status", &[], b"")).await;
    assert_eq!(
        status.status,
        200,
        "{}",
        String::from_utf8_lossy(&status.body)
    );
    // Every slow client was dropped by the server (none gave up on its own).
    for client in slow {
        tokio::time::timeout(WATCHDOG, client)
            .await
            .expect("the server closed the slow connection")
            .expect("client task");
    }
    // And the server still serves.
    let again = exchange(addr, http(addr, "GET", "/api/v1/status", &[], b"")).await;
    assert_eq!(again.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_absurd_stored_values_break_no_page_either() {
    // Values bit flips and corrupt files once produced, stored as an importer without bounds
    // did: a start in 2095, a distance of 4e7 km, a heart rate of 1e9, a load of 1e8, NaN.
    let cases: [(&str, &str); 6] = [
        (
            "start in 2095",
            "UPDATE activities SET start_ms = 3944678400000, end_ms = 3944682000000",
        ),
        (
            "start in 1990",
            "UPDATE activities SET start_ms = 631152000000, end_ms = 631155600000",
        ),
        (
            "huge distance",
            "UPDATE activities SET distance_m = 4.2784e10",
        ),
        (
            "absurd heart rate",
            "UPDATE activities SET avg_hr = 1e9, max_hr = 1e9",
        ),
        (
            "absurd elapsed and timer",
            "UPDATE activities SET elapsed_s = 1.7976931348623157e308, timer_s = 1.7976931348623157e308",
        ),
        (
            "huge negative ascent",
            "UPDATE activities SET ascent_m = -1e300, descent_m = 1e300, avg_power_w = 1e300, avg_cadence = -1e300",
        ),
    ];
    for (what, sql) in cases {
        let world = World::new();
        let connection =
            rusqlite::Connection::open(world.dir.path().join("fettle.sqlite")).expect("opens");
        connection
            .execute(
                &format!("{sql} WHERE athlete_id = ?1"),
                [world.a.user.athlete.0],
            )
            .expect("updated");
        let _ = fettle_app::training::recompute_loads(&*world.db, world.a.user.athlete);
        let server = start(world.state(), ServeOptions::default()).await;
        let id = world
            .db
            .list_activities(
                world.a.user.athlete,
                &fettle_store::ActivityFilter::default(),
            )
            .expect("listed")[0]
            .id
            .0;
        // Every GET route of the API, with this athlete's ids filled in.
        let paths = fettle_web::api_routes()
            .into_iter()
            .filter(|(method, _)| *method == "GET")
            .map(|(_, path)| {
                path.replace("{athlete_id}", &world.a.user.athlete.0.to_string())
                    .replace("{id}", &id.to_string())
            })
            .filter(|path| !path.contains('{'));
        for path in paths {
            let answer = get(server.addr, &path, &world.a.token).await;
            assert!(
                answer.status < 500,
                "{what}: {path} answered {}: {}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
            );
        }
        let squad = get(server.addr, "/api/v1/squad", &world.c.token).await;
        assert_eq!(
            squad.status,
            200,
            "{what}: {}",
            String::from_utf8_lossy(&squad.body)
        );
        let rows = squad.json()["athletes"].as_array().expect("rows").clone();
        let b_row = rows
            .iter()
            .find(|row| row["athlete_id"] == world.b.user.athlete.0)
            .expect("B is listed");
        assert!(b_row["error"].is_null(), "{what}: {b_row}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_body_that_trickles_is_cut_off_at_the_body_deadline() {
    let world = World::new();
    let limits = fettle_web::Limits {
        body_read_timeout: Duration::from_millis(500),
        ..fettle_web::Limits::multi_user()
    };
    let server = start(world.state().with_limits(limits), ServeOptions::default()).await;
    let addr = server.addr;
    let head = format!(
        "POST /login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Cookie: fettle_login_csrf={FORM_TOKEN}\r\nContent-Length: 1000\r\n\r\n"
    );
    let stream = TcpStream::connect(addr).await.expect("connects");
    let (mut read, mut write) = stream.into_split();
    write.write_all(head.as_bytes()).await.expect("writes");
    // One byte every 100 ms: never idle for long, but 1000 bytes would take 100 s.
    let trickle = tokio::spawn(async move {
        for _ in 0..1000 {
            if write.write_all(b"e").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let mut raw = Vec::new();
    tokio::time::timeout(WATCHDOG, read.read_to_end(&mut raw))
        .await
        .expect("the server cut the slow body off")
        .expect("reads");
    trickle.abort();
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 400"), "a client error: {text}");
}
