//! End-to-end tests of `fettle serve`: the real binary over a real database, spoken to over
//! TCP. `GET /api/v1/status` must be exactly what `fettle status --json` prints (both call
//! `fettle_app::training::status`), non-loopback addresses are refused, and Ctrl-C stops the
//! server cleanly. With `--multi-user` a non-loopback address is allowed and the API wants the
//! token that `fettle token create` printed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long the server may take to print its address.
const START_TIMEOUT: Duration = Duration::from_secs(30);

fn fettle(db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fettle"));
    cmd.arg("--db").arg(db).env("TZ", "UTC");
    cmd
}

/// A running `fettle serve`; killed on drop if a test failed before stopping it.
struct Served {
    child: Child,
    addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `fettle serve` on a free port and reads the address it prints.
fn serve(db: &Path) -> Served {
    serve_with(db, &["--addr", "127.0.0.1:0"])
}

/// Starts `fettle serve ARGS…` and reads the address it prints.
fn serve_with(db: &Path, args: &[&str]) -> Served {
    serve_logging(db, args, Stdio::null())
}

/// Starts `fettle serve ARGS…` with its stderr (the access log) going to `log`.
fn serve_logging(db: &Path, args: &[&str], log: Stdio) -> Served {
    let mut child = fettle(db)
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("fettle serve starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let line = receiver
        .recv_timeout(START_TIMEOUT)
        .expect("fettle serve prints its address");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    Served { child, addr }
}

/// One HTTP/1.1 GET; returns the status code and the body.
fn get(addr: &str, path: &str) -> (u16, String) {
    get_with(addr, path, "")
}

/// One HTTP/1.1 GET with extra header lines (each ending in CR LF).
fn get_with(addr: &str, path: &str, headers: &str) -> (u16, String) {
    get_as(addr, addr, path, headers)
}

/// One HTTP/1.1 GET to `addr` naming `host` in its `Host` header.
fn get_as(addr: &str, host: &str, path: &str, headers: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout set");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Connection: close\r\n\r\n"
    )
    .expect("request written");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer read");
    let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status code");
    (code, body.to_owned())
}

/// Sends SIGINT (what Ctrl-C sends) and waits for the process to end.
fn interrupt(served: &mut Served) -> std::process::ExitStatus {
    let sent = Command::new("kill")
        .args(["-INT", &served.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = served.child.try_wait().expect("waitable") {
            return status;
        }
        assert!(Instant::now() < deadline, "fettle serve ignored Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn status_api_is_exactly_the_status_command_json_and_ctrl_c_stops_the_server() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("fettle.sqlite");
    // Six weeks through the real pipeline: simulated FIT files, import, loads.
    let demo = fettle(&db)
        .args(["demo", "--days", "42", "--json"])
        .output()
        .expect("demo runs");
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let mut served = serve(&db);
    // Today (in the athlete's zone) by default, then a week earlier given explicitly.
    let mut queries = vec![(
        String::new(),
        vec!["status".to_owned(), "--json".to_owned()],
    )];
    let mut checked_today = None;
    while let Some((query, args)) = queries.pop() {
        let cli = fettle(&db).args(&args).output().expect("status runs");
        assert!(cli.status.success());
        let printed: Value = serde_json::from_slice(&cli.stdout).expect("CLI JSON");
        let (code, body) = get(&served.addr, &format!("/api/v1/status{query}"));
        assert_eq!(code, 200, "{body}");
        let answered: Value = serde_json::from_str(&body).expect("API JSON");
        assert_eq!(answered, printed, "query {query:?}");
        assert!(printed["history_days"].as_u64() > Some(7), "{printed}");
        if checked_today.is_none() {
            let today: jiff::civil::Date = printed["date"]
                .as_str()
                .and_then(|d| d.parse().ok())
                .expect("a date");
            let week_ago = today
                .checked_sub(jiff::Span::new().days(7))
                .expect("a date");
            queries.push((
                format!("?date={week_ago}"),
                vec![
                    "status".to_owned(),
                    "--date".to_owned(),
                    week_ago.to_string(),
                    "--json".to_owned(),
                ],
            ));
            checked_today = Some(today);
        }
    }
    let (code, page) = get(&served.addr, "/");
    assert_eq!(code, 200);
    assert!(page.contains("<html"), "{page}");
    let status = interrupt(&mut served);
    assert!(status.success(), "exit after Ctrl-C: {status:?}");
}

#[test]
fn serve_refuses_an_address_other_machines_can_reach() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = fettle(&dir.path().join("fettle.sqlite"))
        .args(["serve", "--addr", "0.0.0.0:0"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("reachable from other machines") && stderr.contains("127.0.0.1"),
        "{stderr}"
    );
}

#[test]
fn serve_explains_an_address_without_a_port() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = fettle(&dir.path().join("fettle.sqlite"))
        .args(["serve", "--addr", "localhost"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("127.0.0.1:8080"), "{stderr}");
}

#[test]
fn a_multi_user_server_may_listen_beyond_loopback_and_wants_a_token() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("fettle.sqlite");
    let mut add = fettle(&db)
        .args([
            "user",
            "add",
            "runner@example.org",
            "--role",
            "athlete",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("user add runs");
    add.stdin
        .take()
        .expect("piped stdin")
        .write_all(b"correct horse battery\n")
        .expect("password written");
    assert!(add.wait().expect("user add ends").success());
    let created = fettle(&db)
        .args(["token", "create", "runner@example.org"])
        .output()
        .expect("token create runs");
    assert!(created.status.success());
    let token = String::from_utf8(created.stdout).expect("text");
    let token = token.trim_end();

    let log_path = dir.path().join("serve.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let mut served = serve_logging(
        &db,
        &["--multi-user", "--addr", "0.0.0.0:0"],
        Stdio::from(log),
    );
    // Listening on every interface; spoken to over loopback only.
    let port = served.addr.rsplit(':').next().expect("a port").to_owned();
    let local = format!("127.0.0.1:{port}");
    let (code, body) = get(&local, "/api/v1/status");
    assert_eq!(code, 401, "{body}");
    assert!(body.contains("unauthorized"), "{body}");
    let (code, body) = get_with(
        &local,
        "/api/v1/me",
        &format!("Authorization: Bearer {token}\r\n"),
    );
    assert_eq!(code, 200, "{body}");
    let me: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(me["mode"], "multi-user");
    assert_eq!(me["email"], "runner@example.org");
    let (code, _) = get_with(
        &local,
        "/api/v1/me",
        &format!("Authorization: Bearer {token}x\r\n"),
    );
    assert_eq!(code, 401, "a wrong token is refused");
    // A club reaches its server by its own name.
    let bearer = format!("Authorization: Bearer {token}\r\n");
    let (code, body) = get_as(&local, "fettle.club.example", "/api/v1/me", &bearer);
    assert_eq!(code, 200, "{body}");
    // A dated request, and a login whose body holds the address and the password.
    let (code, body) = get_with(&local, "/api/v1/readiness?date=2026-11-01", &bearer);
    assert_eq!(code, 200, "{body}");
    let form = "email=runner%40example.org&password=correct+horse+battery&csrf=x";
    let mut stream = TcpStream::connect(&local).expect("connects");
    write!(
        stream,
        "POST /login HTTP/1.1\r\nHost: {local}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    )
    .expect("request written");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer read");
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    let status = interrupt(&mut served);
    assert!(status.success(), "exit after Ctrl-C: {status:?}");
    // The access log says who asked what and how it went, and nothing private.
    let log = std::fs::read_to_string(&log_path).expect("log read");
    assert!(log.contains("GET /api/v1/readiness 200"), "{log}");
    assert!(log.contains("POST /login 303"), "{log}");
    for private in [
        token,
        "correct",
        "runner",
        "example.org",
        "2026-11-01",
        "date=",
    ] {
        assert!(!log.contains(private), "{private:?} is in the log:\n{log}");
    }
}

#[test]
fn secure_cookies_need_multi_user_mode() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = fettle(&dir.path().join("fettle.sqlite"))
        .args(["serve", "--secure-cookies"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "clap's usage error");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--multi-user"), "{stderr}");
}

/// One HTTP/1.1 POST of a JSON body; returns the status code and the body.
fn post_json(addr: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout set");
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("request written");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer read");
    let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status code");
    (code, body.to_owned())
}

fn cli_json(db: &Path, args: &[&str]) -> Value {
    let out = fettle(db).args(args).output().expect("fettle runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("CLI JSON")
}

#[test]
fn today_api_is_exactly_the_today_command_json_and_wellness_can_be_logged_over_http() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("fettle.sqlite");
    let demo = fettle(&db)
        .args(["demo", "--days", "42", "--json"])
        .output()
        .expect("demo runs");
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let now: Value = cli_json(&db, &["today", "--json"]);
    let today: jiff::civil::Date = now["date"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .expect("a date");
    let race = today
        .checked_add(jiff::Span::new().days(70))
        .expect("a date");
    cli_json(
        &db,
        &[
            "plan",
            "create",
            "--race",
            &race.to_string(),
            "--distance",
            "10k",
            "--json",
        ],
    );
    let served = serve(&db);
    // Past days are decided as of their end: the same answer whenever asked.
    for days_ago in [1, 7] {
        let day = today
            .checked_sub(jiff::Span::new().days(days_ago))
            .expect("a date");
        let printed = cli_json(&db, &["today", "--date", &day.to_string(), "--json"]);
        let (code, body) = get(&served.addr, &format!("/api/v1/today?date={day}"));
        assert_eq!(code, 200, "{body}");
        let answered: Value = serde_json::from_str(&body).expect("API JSON");
        assert_eq!(answered, printed, "{day}");
        assert_eq!(printed["date"], day.to_string());
    }
    // Today, with the plan: the API's answer is the command's, asked just before or just
    // after (a recovery window could close between two calls).
    let before = cli_json(&db, &["today", "--json"]);
    let (code, body) = get(&served.addr, "/api/v1/today");
    assert_eq!(code, 200, "{body}");
    let after = cli_json(&db, &["today", "--json"]);
    let answered: Value = serde_json::from_str(&body).expect("API JSON");
    assert!(
        answered == before || answered == after,
        "{answered}\n{before}"
    );
    assert!(
        !answered["planned"].is_null(),
        "the plan starts today: {answered}"
    );
    // A morning from the page: stored through the same validation as `fettle wellness add`.
    let (code, body) = post_json(&served.addr, "/api/v1/wellness", r#"{"sleep_h": 30}"#);
    assert_eq!(code, 422, "{body}");
    assert!(body.contains("sleep_h"), "{body}");
    let (code, body) = post_json(
        &served.addr,
        "/api/v1/wellness",
        r#"{"sleep_h": 6.5, "soreness": 4, "rmssd_ms": 48}"#,
    );
    assert_eq!(code, 200, "{body}");
    let stored: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(stored["date"], today.to_string());
    assert_eq!(stored["sleep_h"], 6.5);
    assert_eq!(stored["soreness"], 4.0);
    let listed = cli_json(&db, &["wellness", "list", "--json"]);
    let (code, body) = get(&served.addr, "/api/v1/wellness");
    assert_eq!(code, 200, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).expect("JSON"), listed);
    let todays: Vec<&Value> = listed
        .as_array()
        .expect("a list")
        .iter()
        .filter(|e| e["date"] == today.to_string())
        .collect();
    assert_eq!(todays.len(), 1, "{listed}");
    // The 30 h night was refused, not stored.
    assert_eq!(todays[0]["sleep_h"], 6.5);
}
