//! End-to-end tests in headless Chromium (Debian's `chromium` + `chromium-driver`), driven over
//! WebDriver with fantoccini: the real server runs in-process on 127.0.0.1:0 over a temporary
//! SQLite database filled through the real pipeline (the demo's simulated season imported as
//! FIT files, and a plan), every page is
//! loaded and checked for console errors (Chromium's browser log: uncaught exceptions,
//! `console.error`, CSP violations, failed loads), charts must have drawn, the recovery form
//! and the upload must work through the UI. Screenshots go to `$FETTLE_SCREENSHOT_DIR` or
//! `target/screenshots` (`.ci/run` keeps them and says where).
//!
//! A second test runs a multi-user server (a coach and three athletes in a temporary SQLite
//! database): the login form and its error, invitations on the account page, API tokens, a
//! password change, the squad table's sorting, and a coach's read-only view of a member, every
//! control hidden.
//!
//! When Chromium or chromedriver is missing these tests say so loudly and pass, unless `CI`
//! is set, where they fail: CI must run them (`.ci/run` installs the packages).

#[allow(dead_code, reason = "shared with the API tests, which use other parts")]
mod support;

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use fettle_app::demo::{DemoOptions, run as run_demo};
use fettle_app::import::NoProgress;
use fettle_store::{Accounts, ActivityFilter, Role, SqliteStore, Store, User};
use fettle_web::{AppState, LoginLimits};
use serde_json::{Value, json};
use support::{TestDb, corpus_file};

/// How long a page may take to render everything (generous: CI machines are shared).
const PAGE_TIMEOUT: Duration = Duration::from_secs(20);
/// How long chromedriver may take to start listening.
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(20);
/// A phone's CSS width, the narrowest the dashboard must fit without sideways scrolling.
const PHONE_WIDTH: u32 = 360;

/// The first of `names` found on PATH.
fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Whether this run is CI (where skipping is not allowed).
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Chromium and chromedriver, or `None` (after saying why) when the test must be skipped.
fn browser_programs() -> Option<(PathBuf, PathBuf)> {
    let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"]);
    let driver = find_program(&["chromedriver"]);
    match (chromium, driver) {
        (Some(chromium), Some(driver)) => Some((chromium, driver)),
        (chromium, driver) => {
            let missing = [
                chromium.is_none().then_some("chromium"),
                driver
                    .is_none()
                    .then_some("chromedriver (package chromium-driver)"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" and ");
            assert!(
                !in_ci(),
                "CI is set but {missing} not found: install with `apt-get install -y chromium chromium-driver`"
            );
            // Written to the stderr handle, not with eprintln!, which the test harness captures
            // and hides for passing tests: a skip must be seen.
            let _ = writeln!(
                std::io::stderr(),
                "\n!!!!!!!! SKIPPING BROWSER TESTS: {missing} not found on PATH.\n\
                 !!!!!!!! Install with `apt-get install -y chromium chromium-driver` to run them.\n"
            );
            None
        }
    }
}

/// Where screenshots go.
fn artifacts_dir() -> PathBuf {
    let dir = std::env::var_os("FETTLE_SCREENSHOT_DIR").map_or_else(
        || Path::new(env!("CARGO_TARGET_TMPDIR")).join("../screenshots"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir).expect("artifacts folder can be created");
    dir
}

/// A free local port (bound, read, released: chromedriver binds it right after).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("bound").port()
}

/// chromedriver and a browser session; the driver is killed on drop.
struct Browser {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Chromium's browser log (console and network errors) since the last call: chromedriver's
/// `se/log` endpoint, which fantoccini has no method for.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

impl Browser {
    async fn start(chromium: &Path, driver_program: &Path) -> Browser {
        let port = free_port();
        let driver = Command::new(driver_program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let deadline = Instant::now() + DRIVER_START_TIMEOUT;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {port}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().expect("a fresh profile folder");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.path().display()),
                    "--window-size=1280,1000",
                ],
            }),
        );
        capabilities.insert("goog:loggingPrefs".to_owned(), json!({"browser": "ALL"}));
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session with headless Chromium");
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    /// Errors logged since the last call (level SEVERE).
    async fn console_errors(&self) -> Vec<String> {
        let log = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .expect("chromedriver returns the browser log");
        log.as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter(|e| e["level"] == "SEVERE")
                    .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Opens `url` and waits until the page says it has rendered everything.
    async fn open(&self, url: &str) {
        self.client.goto(url).await.expect("navigates");
        self.wait_for_js(
            "return document.body && document.body.dataset.ready === 'true';",
            url,
        )
        .await;
    }

    /// Waits until `script` returns true.
    async fn wait_for_js(&self, script: &str, what: &str) {
        let deadline = Instant::now() + PAGE_TIMEOUT;
        loop {
            let done = self
                .client
                .execute(script, vec![])
                .await
                .expect("script runs");
            if done == Value::Bool(true) {
                return;
            }
            if Instant::now() >= deadline {
                // Where the browser is and what it shows says most about why.
                let seen = self
                    .client
                    .execute(
                        "return [location.href, document.body ? document.body.innerText.slice(0, 600) : ''];",
                        vec![],
                    )
                    .await
                    .unwrap_or_default();
                panic!("timed out waiting for {what}: {script}\nthe browser shows {seen}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .expect("script runs")
    }

    async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let path = artifacts_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).expect("screenshot written");
    }

    /// How many chart canvases have a non-zero drawn size.
    async fn drawn_charts(&self) -> u64 {
        self.js(
            "return [...document.querySelectorAll('.uplot canvas')]
                .filter(c => c.width > 0 && c.height > 0 && c.getBoundingClientRect().width > 0).length;",
        )
        .await
        .as_u64()
        .unwrap_or(0)
    }

    async fn text_of(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
            .text()
            .await
            .expect("text")
    }
}

/// A running server over `state`; stopped when dropped.
struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Server {
    async fn start(state: AppState) -> Server {
        let listener = fettle_web::bind("127.0.0.1:0".parse().expect("address"), false)
            .await
            .expect("binds");
        let addr = listener.local_addr().expect("bound");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(fettle_web::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        Server {
            addr,
            stop: Some(stop),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Every page of the dashboard with the charts it must draw for an athlete with history:
/// three on Training (fitness/fatigue/form, ramp/ACWR, weekly volume), one per recorded
/// channel (heart rate, pace, elevation) on an activity, the forecast on Plan.
fn pages_with_charts(activity: i64, activity_charts: u64) -> Vec<(String, &'static str, u64)> {
    vec![
        ("/".to_owned(), "today", 0),
        ("/training".to_owned(), "training", 3),
        ("/activities".to_owned(), "activities", 0),
        (
            format!("/activities/{activity}"),
            "activity",
            activity_charts,
        ),
        ("/recovery".to_owned(), "recovery", 0),
        ("/plan".to_owned(), "plan", 1),
        ("/import".to_owned(), "import", 0),
        ("/profile".to_owned(), "profile", 0),
    ]
}

/// The newest activity with recorded streams and how many charts its page must draw (one per
/// channel among heart rate, speed and altitude that has a value).
fn newest_charted_activity(db: &TestDb) -> (i64, u64) {
    let newest = db
        .store()
        .list_activities(db.athlete(), &ActivityFilter::default())
        .expect("listed");
    for summary in newest {
        let stored = db
            .store()
            .get_activity(db.athlete(), summary.id)
            .expect("readable")
            .expect("exists");
        let s = &stored.activity.streams;
        let recorded = [&s.heart_rate_bpm, &s.speed_mps, &s.altitude_m]
            .iter()
            .filter(|channel| channel.iter().any(|v| v.is_finite()))
            .count() as u64;
        if recorded > 0 {
            return (summary.id.0, recorded);
        }
    }
    panic!("the demo stored no activity with streams");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_works_in_headless_chromium() {
    let Some((chromium, driver)) = browser_programs() else {
        return;
    };
    let _one = ONE_BROWSER.lock().await;
    let started = Instant::now();
    let db = TestDb::with_history();
    let (activity, activity_charts) = newest_charted_activity(&db);
    let pages = pages_with_charts(activity, activity_charts);
    let browser = Browser::start(&chromium, &driver).await;
    let server = Server::start(db.state()).await;

    the_console_error_check_sees_errors(&browser, &server).await;
    every_page_loads_cleanly_and_draws_its_charts(&browser, &server, &pages).await;
    activity_page_shortens_the_list_and_more_brings_the_rest(&browser, &server, &db).await;
    activity_page_shows_time_in_zones(&browser, &server, &db).await;
    charts_show_hover_values_zoom_on_drag_and_reset_on_double_click(&browser, &server).await;
    today_counts_down_the_refuelling_window_and_logs_every_tick(&browser, &server, &db).await;
    today_leads_with_the_verdict_and_takes_a_morning(&browser, &server, &db).await;
    recovery_logged_through_the_form_is_listed(&browser, &server).await;
    profile_saved_through_the_form_applies(&browser, &server).await;
    upload_imports_a_file(&browser, &server, &db).await;
    pages_fit_a_phone(&browser, &server, &pages).await;
    activity_corrected_and_deleted_through_its_page(&browser, &server, &db).await;
    single_user_mode_has_no_accounts(&browser, &server).await;

    let empty = TestDb::empty();
    let new_user = Server::start(empty.state()).await;
    new_user_sees_empty_states_without_errors(&browser, &new_user, &pages).await;
    plan_made_through_the_form(&browser, &new_user, &empty).await;
    let _ = writeln!(
        std::io::stderr(),
        "browser tests took {:.1} s; screenshots in {}",
        started.elapsed().as_secs_f64(),
        artifacts_dir().display()
    );

    browser
        .client
        .clone()
        .close()
        .await
        .expect("session closes");
}

/// A new user makes a plan through the Plan page's form: it is stored with the options given
/// (the same validation as `fettle plan create`: a bad goal time is refused with the
/// planner's words first), and the weeks show with today highlighted.
async fn plan_made_through_the_form(browser: &Browser, server: &Server, db: &TestDb) {
    browser.open(&server.url("/plan")).await;
    let race = jiff::ZonedDateTime::now()
        .date()
        .checked_add(jiff::Span::new().days(84))
        .expect("a date");
    browser
        .js(&format!(
            "document.querySelector('#plan-form input[name=race]').value = '{race}'; return true;"
        ))
        .await;
    browser
        .client
        .find(Locator::Css("#plan-form select[name=distance]"))
        .await
        .expect("distance")
        .select_by_value("10k")
        .await
        .expect("selects");
    browser
        .type_into("#plan-form input[name=goal_time]", "fast")
        .await;
    browser.click("#plan-form button[type=submit]").await;
    browser
        .wait_for_js(
            "return document.querySelector('#plan-form [role=status]').className === 'error';",
            "the bad goal time to be refused",
        )
        .await;
    // The refusal is the only error the browser saw (it logs a 422 as a failed load).
    let refused = browser.console_errors().await;
    assert!(
        refused.len() == 1 && refused[0].contains("/api/v1/plan") && refused[0].contains("422"),
        "{refused:?}"
    );
    assert!(
        matches!(
            fettle_app::planning::show_plan(db.store(), db.athlete(), race),
            Err(fettle_app::AppError::NotFound(_))
        ),
        "nothing stored"
    );
    browser
        .type_into("#plan-form input[name=goal_time]", "49:30")
        .await;
    browser.click("#plan-form button[type=submit]").await;
    browser
        .wait_for_js(
            "return !!document.querySelector('#plan-edit') && !!document.querySelector('[aria-current=date]');",
            "the new plan's weeks with today marked",
        )
        .await;
    browser.screenshot("desktop-plan-made").await;
    let stored = fettle_app::planning::show_plan(db.store(), db.athlete(), race).expect("stored");
    assert_eq!(stored.plan.race.date, race);
    assert_eq!(stored.plan.race.distance_m, 10_000.0);
    assert_eq!(stored.plan.race.goal_time_s, Some(49.0 * 60.0 + 30.0));
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "plan form: console errors {errors:?}");
}

/// The harness's own check: an error logged by a page must be reported, or "no console errors"
/// would prove nothing.
async fn the_console_error_check_sees_errors(browser: &Browser, server: &Server) {
    browser.open(&server.url("/profile")).await;
    browser
        .js("console.error('fettle-probe'); return true;")
        .await;
    let errors = browser.console_errors().await;
    assert!(
        errors.iter().any(|e| e.contains("fettle-probe")),
        "the browser log did not report console.error: {errors:?}"
    );
    assert!(
        browser.console_errors().await.is_empty(),
        "the log is drained per call"
    );
}

async fn every_page_loads_cleanly_and_draws_its_charts(
    browser: &Browser,
    server: &Server,
    pages: &[(String, &str, u64)],
) {
    for (path, name, charts) in pages {
        browser.open(&server.url(path)).await;
        browser.screenshot(&format!("desktop-{name}")).await;
        let errors = browser.console_errors().await;
        assert!(errors.is_empty(), "{path}: console errors {errors:?}");
        let drawn = browser.drawn_charts().await;
        assert_eq!(drawn, *charts, "{path}: charts drawn");
        // The section being shown is marked in the navigation.
        let current = browser
            .js("const a = document.querySelector('nav [aria-current=page]'); return a ? a.dataset.nav : null;")
            .await;
        let section = if *name == "activity" {
            "activities"
        } else {
            name
        };
        assert_eq!(current, json!(section), "{path}: current navigation item");
    }
}

/// A run's page shows its time in heart-rate and pace zones: each zone's bar is its share of the
/// moving time, so the heart-rate bars (with "no heart rate") add up to the whole run, and the
/// table's rows match the API's zones.
/// The activities page shows `limit` rows and a "More" button that adds the next page (keyset
/// cursor from `X-Next-Cursor`) to the same table, until every activity is listed once.
async fn activity_page_shortens_the_list_and_more_brings_the_rest(
    browser: &Browser,
    server: &Server,
    db: &TestDb,
) {
    let stored: Vec<i64> = db
        .store()
        .list_activities(db.athlete(), &ActivityFilter::default())
        .expect("listed")
        .iter()
        .map(|a| a.id.0)
        .collect();
    assert!(stored.len() > 4, "{} activities", stored.len());
    browser.open(&server.url("/activities?limit=2")).await;
    let rows = "return document.querySelectorAll('tbody tr').length;";
    assert_eq!(browser.js(rows).await, json!(2));
    for shown in (4..).step_by(2).take_while(|&n| n < stored.len() + 2) {
        browser.click("button.more").await;
        let want = shown.min(stored.len());
        browser
            .wait_for_js(
                &format!("return document.querySelectorAll('tbody tr').length === {want};"),
                &format!("{want} rows after More"),
            )
            .await;
    }
    let hidden = browser
        .js("return document.querySelector('button.more').hidden;")
        .await;
    assert_eq!(hidden, json!(true), "no More after the last page");
    let ids = browser
        .js("return [...document.querySelectorAll('tbody a')].map(a => Number(new URL(a.href).pathname.split('/').pop()));")
        .await;
    assert_eq!(ids, json!(stored), "every activity once, newest first");
    let errors = browser.console_errors().await;
    assert!(
        errors.is_empty(),
        "activities paging: console errors {errors:?}"
    );
}

async fn activity_page_shows_time_in_zones(browser: &Browser, server: &Server, db: &TestDb) {
    let activity = db
        .store()
        .list_activities(db.athlete(), &ActivityFilter::default())
        .expect("listed")
        .into_iter()
        .find(|s| s.sport.is_running())
        .expect("the demo stored a run")
        .id
        .0;
    browser
        .open(&server.url(&format!("/activities/{activity}")))
        .await;
    let found = browser
        .js(
            "const m = [...document.querySelectorAll('.zones[data-kind=hr] meter')]; \
             return m.length ? m.reduce((sum, x) => sum + Number(x.value), 0) : null;",
        )
        .await;
    let total = found
        .as_f64()
        .expect("the run's page shows heart-rate zone bars");
    assert!(
        (total - 1.0).abs() < 0.01,
        "heart-rate zone shares sum to {total}"
    );
    let rows = browser
        .js("return document.querySelectorAll('.zones[data-kind=hr] tbody tr').length;")
        .await;
    assert!(rows.as_u64().is_some_and(|n| n >= 5), "zone rows: {rows}");
}

/// Synthetic mouse events on the first chart's plot area, at fractions of its width.
const MOUSE_SCRIPT: &str = "
    const over = document.querySelector('.u-over');
    const box = over.getBoundingClientRect();
    const at = (type, fraction, target) => (target || over).dispatchEvent(new MouseEvent(type, {
        bubbles: true, cancelable: true, view: window, button: 0, buttons: type === 'mouseup' ? 0 : 1,
        movementX: 1, // uPlot ignores a drag's mousemove that did not move
        clientX: box.left + box.width * fraction, clientY: box.top + box.height / 2 }));
";

async fn charts_show_hover_values_zoom_on_drag_and_reset_on_double_click(
    browser: &Browser,
    server: &Server,
) {
    browser.open(&server.url("/training")).await;
    // Hover: the legend shows the values under the cursor instead of dashes.
    let legend = browser
        .js(&[
            MOUSE_SCRIPT,
            "at('mouseenter', 0.5); at('mousemove', 0.5);
             return [...document.querySelector('.u-legend').querySelectorAll('.u-value')]
                 .map(e => e.textContent);",
        ]
        .concat())
        .await;
    let values: Vec<&str> = legend
        .as_array()
        .expect("legend values")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        values.len() == 4 && values.iter().all(|v| *v != "—" && !v.is_empty()),
        "legend while hovering: {values:?}"
    );
    // The date shown is an ISO day.
    assert_eq!(values[0].len(), 10, "{values:?}");
    // Drag from 25 % to 75 % of the width: the time axis zooms in on that span.
    let spans = browser
        .js(&[
            MOUSE_SCRIPT,
            "// uPlot applies scale changes in a microtask: wait a frame between steps.
             const settle = () => new Promise((done) => setTimeout(done, 50));
             const plot = document.querySelector('.chart div').uplot;
             const span = () => plot.scales.x.max - plot.scales.x.min;
             return (async () => {
                 const full = span();
                 at('mousedown', 0.25); at('mousemove', 0.75); at('mouseup', 0.75, document);
                 await settle();
                 const zoomed = span();
                 at('dblclick', 0.5);
                 await settle();
                 return [full, zoomed, span()];
             })();",
        ]
        .concat())
        .await;
    let [full, zoomed, reset] = [0, 1, 2].map(|i| spans[i].as_f64().expect("a span in seconds"));
    // Half the width is half the time span (the x scale is linear in time), within a day.
    assert!(
        (zoomed - full / 2.0).abs() <= 86_400.0,
        "zoomed span {zoomed} s of {full} s"
    );
    assert!(
        (reset - full).abs() < 1.0,
        "reset span {reset} s of {full} s"
    );
    let errors = browser.console_errors().await;
    assert!(
        errors.is_empty(),
        "chart interaction: console errors {errors:?}"
    );
}

/// Adds a 45-minute race that ended ten minutes ago, so the refuelling window is open and
/// every recovery method is indicated (a race calls for refuelling, cold, boots, garments,
/// massage, foam rolling, sleep and a rest day; `fettle_core::recovery::protocol`). Returns
/// when it ended.
fn add_race_that_just_ended(db: &TestDb) -> jiff::Timestamp {
    let now = jiff::Timestamp::now();
    let end = now - jiff::SignedDuration::from_mins(10);
    let start = end - jiff::SignedDuration::from_mins(45);
    let tz = fettle_app::athlete_time_zone(db.store(), db.athlete()).expect("a time zone");
    let local = tz.to_datetime(start);
    // Whole seconds: the start loses its fraction, so the run is 45 min plus that fraction.
    let time = jiff::civil::time(local.hour(), local.minute(), local.second(), 0);
    let lost = f64::from(local.subsec_nanosecond()) / 1e9;
    let session = fettle_app::training::ManualSession {
        date: local.date(),
        start: Some(time),
        duration_s: 45.0 * 60.0 + lost,
        distance_m: Some(10_000.0),
        rpe: Some(9.0),
        sport: None,
        // "race" in the name marks it as one (`classify.rs`).
        name: Some("10 km race".to_owned()),
    };
    fettle_app::training::add_manual(db.store(), db.athlete(), &session, now)
        .expect("the race is stored");
    end
}

/// Ticks the open item of `method` on the Today page: the tick opens the dose (editable),
/// `edit` changes one field first, and saving must say "Logged.".
async fn tick(browser: &Browser, method: &str, edit: Option<(&str, &str)>) {
    let item = format!(".checks li[data-method={method}]");
    browser
        .js(&format!(
            "document.querySelectorAll('details.earlier').forEach(d => d.open = true);
             document.querySelector('{item}').scrollIntoView(); return true;"
        ))
        .await;
    browser.click(&format!("{item} input[type=checkbox]")).await;
    browser
        .wait_for_js(
            &format!("return !!document.querySelector('{item} form.tick-form');"),
            &format!("the {method} tick's form"),
        )
        .await;
    if let Some((field, value)) = edit {
        browser
            .type_into(&format!("{item} form.tick-form input[name={field}]"), value)
            .await;
    }
    browser
        .click(&format!("{item} form.tick-form button[type=submit]"))
        .await;
    browser
        .wait_for_js(
            &format!(
                "const n = document.querySelector('{item} .ok, {item} .error');
                 if (n && n.className === 'error') throw new Error('{method}: ' + n.textContent);
                 return !!n && n.textContent === 'Logged.';"
            ),
            &format!("the {method} tick to be logged"),
        )
        .await;
}

/// The methods the Today page offers to tick, in order.
async fn offered_methods(browser: &Browser) -> Vec<String> {
    let listed = browser
        .js("return [...document.querySelectorAll('.checks li[data-method]')].map(li => li.dataset.method);")
        .await;
    listed
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// After a race that just ended: the refuelling countdown runs, and every item of every
/// recovery method ticks through the page, each logged with its prescribed dose (not its
/// window's length) at the time of the tick — a meal inside the window counts as inside.
async fn today_counts_down_the_refuelling_window_and_logs_every_tick(
    browser: &Browser,
    server: &Server,
    db: &TestDb,
) {
    // Access to everything but an ice bath: cryotherapy is the cold method (one per session).
    let everything_but_the_bath = [
        "compression-boots",
        "compression-garments",
        "cryo-centre",
        "massage",
        "foam-roller",
    ]
    .map(str::to_owned);
    fettle_app::recovery::add_access(db.store(), db.athlete(), &everything_but_the_bath)
        .expect("access stored");
    let race_end = add_race_that_just_ended(db);
    browser.open(&server.url("/")).await;
    browser.screenshot("desktop-today-refuelling").await;
    browser
        .wait_for_js(
            "return !!document.querySelector('.countdown');",
            "the refuelling countdown",
        )
        .await;
    // The race ended 10 minutes ago and the refuelling window lasts 30 (REFUEL_WINDOW_MIN,
    // Kerksick 2008): 20 × 60 = 1200 s remain, less the few seconds the page took.
    let left: u64 = browser
        .js("return Number(document.querySelector('.countdown').dataset.secondsLeft);")
        .await
        .as_u64()
        .expect("seconds left is a number");
    assert!((1100..=1200).contains(&left), "seconds left: {left}");
    assert!(
        browser
            .text_of(".countdown")
            .await
            .contains("refuelling window")
    );
    let mut ticked = std::collections::BTreeSet::new();
    for method in offered_methods(browser).await {
        // Foam rolling is edited before saving: 12 min instead of the 10 prescribed.
        let edit = (method == "foam_rolling").then_some(("minutes", "12"));
        tick(browser, &method, edit).await;
        ticked.insert(method);
    }
    browser.screenshot("desktop-today-ticked").await;
    // With an ice bath, the bath replaces cryotherapy: tick it too.
    fettle_app::recovery::add_access(db.store(), db.athlete(), &["ice-bath".to_owned()])
        .expect("access stored");
    browser.open(&server.url("/")).await;
    tick(browser, "cold_water_immersion", None).await;
    ticked.insert("cold_water_immersion".to_owned());
    let every: std::collections::BTreeSet<String> = fettle_core::log::RecoveryMethod::ALL
        .iter()
        .map(|m| m.as_str().to_owned())
        .collect();
    assert_eq!(ticked, every, "every method is offered and ticked");

    // What was stored: each method once, with its dose. The doses by hand: refuelling is
    // grams (no minutes); foam rolling as edited; boots 30 min, garments 3 h worn, massage
    // 30 min, sleep 8 h, cryotherapy 3 min at −110 °C, an ice bath 12 min at 12 °C
    // (`recovery::protocol`, from the studies cited there); a rest day has no dose.
    let logged = db
        .store()
        .recovery(
            db.athlete(),
            race_end,
            jiff::Timestamp::now() + jiff::SignedDuration::from_hours(48),
        )
        .expect("read");
    let dose = |method: &str| {
        let entries: Vec<_> = logged
            .iter()
            .filter(|r| r.entry.method.as_str() == method)
            .collect();
        assert_eq!(entries.len(), 1, "{method}: {entries:?}");
        (entries[0].entry.minutes, entries[0].entry.temp_c)
    };
    assert_eq!(dose("foam_rolling"), (Some(12.0), None));
    assert_eq!(dose("compression_boots"), (Some(30.0), None));
    assert_eq!(dose("compression_garments"), (Some(180.0), None));
    assert_eq!(dose("massage"), (Some(30.0), None));
    assert_eq!(dose("sleep"), (Some(480.0), None));
    assert_eq!(dose("cryotherapy"), (Some(3.0), Some(-110.0)));
    assert_eq!(dose("cold_water_immersion"), (Some(12.0), Some(12.0)));
    assert_eq!(dose("rest"), (None, None));
    let meal = logged
        .iter()
        .find(|r| r.entry.method.as_str() == "nutrition")
        .expect("the meal");
    assert!(
        meal.entry.carbs_g.is_some_and(|g| g > 0.0) && meal.entry.minutes.is_none(),
        "{meal:?}"
    );
    // Ticked within the window, the meal counts as inside it.
    let day = fettle_app::today::today(db.store(), db.athlete(), None, jiff::Timestamp::now())
        .expect("today");
    let refuel = day
        .recovery
        .iter()
        .find(|r| r.method.as_str() == "nutrition")
        .expect("the refuelling item");
    assert!(
        refuel.done && refuel.summary.contains("inside the 30-minute window"),
        "{refuel:?}"
    );
    // The access list as it was, for the profile test that ticks it through its form.
    let mut added = everything_but_the_bath.to_vec();
    added.push("ice-bath".to_owned());
    fettle_app::recovery::remove_access(db.store(), db.athlete(), &added).expect("removed");
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "today: console errors {errors:?}");
}

/// The Today page leads with the day's verdict (the one `GET /api/v1/today` gives), readiness
/// and the session on the first screen of a 390-px phone, and takes a morning's wellness.
async fn today_leads_with_the_verdict_and_takes_a_morning(
    browser: &Browser,
    server: &Server,
    db: &TestDb,
) {
    let verdict_shown = "return !!document.querySelector('#today-verdict .verdict[data-verdict]');";
    browser
        .client
        .set_window_size(1400, 1000)
        .await
        .expect("resizes");
    browser.open(&server.url("/")).await;
    browser.wait_for_js(verdict_shown, "the verdict").await;
    browser.screenshot("desktop-today-1400").await;
    // Times are shown in the athlete's zone (the demo athlete's profile names one).
    let zone = fettle_app::athlete_time_zone(db.store(), db.athlete()).expect("zone");
    let shown_zone = browser.js("return document.body.dataset.timeZone;").await;
    assert_eq!(shown_zone, json!(zone.iana_name().expect("a named zone")));
    let expected = fettle_app::today::today(db.store(), db.athlete(), None, jiff::Timestamp::now())
        .expect("today");
    let shown = browser
        .js("return document.querySelector('#today-verdict .verdict').dataset.verdict;")
        .await;
    assert_eq!(shown, serde_json::to_value(expected.verdict).expect("JSON"));
    // The verdict comes before readiness in detail, which comes before recovery.
    let order = browser
        .js("const at = (l) => document.querySelector(`section[aria-label='${l}']`);
             const before = (a, b) => !!(at(a).compareDocumentPosition(at(b)) & Node.DOCUMENT_POSITION_FOLLOWING);
             return before('What to do', 'Readiness') && before('Readiness', 'Recovery');")
        .await;
    assert_eq!(order, json!(true));
    // A poor morning through the form: stored for today, and the verdict is asked again.
    browser
        .type_into("#wellness-form input[name=sleep_h]", "4.5")
        .await;
    browser
        .type_into("#wellness-form input[name=soreness]", "5")
        .await;
    browser
        .type_into("#wellness-form input[name=fatigue]", "5")
        .await;
    browser.click("#wellness-form button[type=submit]").await;
    browser
        .wait_for_js(
            "return document.querySelector('#wellness-form + [role=status]').textContent === 'Saved.';",
            "the morning to be saved",
        )
        .await;
    let tz = fettle_app::athlete_time_zone(db.store(), db.athlete()).expect("zone");
    let day = tz.to_datetime(jiff::Timestamp::now()).date();
    let stored = db.store().wellness(db.athlete(), day, day).expect("read");
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].sleep_h, Some(4.5));
    assert_eq!(stored[0].soreness, Some(5.0));
    // On a 390 × 844 phone the verdict, the session and the readiness line are on the first
    // screen.
    browser
        .client
        .set_window_size(390, 844)
        .await
        .expect("resizes");
    browser.open(&server.url("/")).await;
    browser.wait_for_js(verdict_shown, "the verdict").await;
    let bottom = browser
        .js("const v = document.querySelector('#today-verdict .verdict');
             const line = v.querySelector('.readiness-line');
             const session = v.querySelector('.session') || v.querySelector('.headline');
             return [Math.round(line.getBoundingClientRect().bottom), Math.round(v.querySelector('.headline').getBoundingClientRect().bottom), window.innerHeight, Math.round(session.getBoundingClientRect().top), Math.round(v.querySelector('.verdict-word').getBoundingClientRect().top)];")
        .await;
    let (readiness_bottom, headline_bottom, height) = (
        bottom[0].as_i64().unwrap_or(i64::MAX),
        bottom[1].as_i64().unwrap_or(i64::MAX),
        bottom[2].as_i64().unwrap_or(0),
    );
    // The session line starts on the first screen too, and the verdict word is at the top of
    // it (a rest day has no session line: the headline stands for it).
    let session_top = bottom[3].as_i64().unwrap_or(i64::MAX);
    let verdict_top = bottom[4].as_i64().unwrap_or(i64::MAX);
    assert!(
        readiness_bottom <= height
            && headline_bottom <= height
            && session_top < height
            && (0..height).contains(&verdict_top),
        "first screen: {bottom}"
    );
    browser.screenshot("phone-today-390").await;
    browser
        .client
        .set_window_size(1280, 1000)
        .await
        .expect("resizes");
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "today: console errors {errors:?}");
}

async fn recovery_logged_through_the_form_is_listed(browser: &Browser, server: &Server) {
    browser.open(&server.url("/recovery")).await;
    let form = &browser.client;
    form.find(Locator::Css("#recovery-form select[name=method]"))
        .await
        .expect("method select")
        .select_by_value("cold_water_immersion")
        .await
        .expect("selects");
    form.find(Locator::Css("#recovery-form input[name=minutes]"))
        .await
        .expect("minutes")
        .send_keys("12")
        .await
        .expect("types");
    form.find(Locator::Css("#recovery-form input[name=temp_c]"))
        .await
        .expect("temperature")
        .send_keys("11")
        .await
        .expect("types");
    form.find(Locator::Css("#recovery-form button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("submits");
    browser
        .wait_for_js(
            "return [...document.querySelectorAll('#recovery-list li[data-method=cold_water_immersion]')].some(li => li.innerText.includes('11 °C'));",
            "the logged session in the list",
        )
        .await;
    browser.screenshot("recovery-logged").await;
    // Still there after a reload: it was stored, not just drawn.
    browser.open(&server.url("/recovery")).await;
    // (Today's ticks logged an ice bath at 12 °C too: this one is told by its 11 °C.)
    let items = browser
        .js("return [...document.querySelectorAll('#recovery-list li[data-method=cold_water_immersion]')].map(li => li.innerText);")
        .await;
    assert!(
        items
            .as_array()
            .is_some_and(|all| all.iter().filter_map(Value::as_str).any(|item| {
                item.contains("Cold-water immersion")
                    && item.contains("12 min")
                    && item.contains("11 °C")
            })),
        "{items}"
    );
    let calendar = browser
        .js("return [...document.querySelectorAll('.calendar .m')].some(e => e.textContent === 'Cold-water immersion');")
        .await;
    assert_eq!(calendar, json!(true), "the calendar shows the session");
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "recovery: console errors {errors:?}");
}

async fn upload_imports_a_file(browser: &Browser, server: &Server, db: &TestDb) {
    let file = corpus_file("fit/Activity.fit");
    browser.open(&server.url("/import")).await;
    browser
        .client
        .find(Locator::Css("#import-file"))
        .await
        .expect("file input")
        .send_keys(file.to_str().expect("UTF-8 path"))
        .await
        .expect("chooses the file");
    browser
        .client
        .find(Locator::Css("#import-form button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("uploads");
    browser
        .wait_for_js(
            "return document.getElementById('import-status').className === 'ok';",
            "the import summary",
        )
        .await;
    assert_eq!(
        browser.text_of("#import-status").await,
        "Imported 1 activity from 1 file."
    );
    let progress = browser
        .js("return document.querySelector('#import-form progress').value;")
        .await;
    assert_eq!(progress, json!(100));
    browser.screenshot("import-done").await;
    // The file went through the real importer into the database, under its own name.
    let imported: Vec<_> = db
        .store()
        .list_activities(db.athlete(), &ActivityFilter::default())
        .expect("listed")
        .into_iter()
        // Its own name, not the temporary path it was streamed to.
        .filter(|a| a.source == "Activity.fit")
        .collect();
    assert_eq!(imported.len(), 1, "one activity from Activity.fit");
    // And its page shows it.
    browser
        .open(&server.url(&format!("/activities/{}", imported[0].id.0)))
        .await;
    let facts = browser.text_of("dl.facts").await;
    assert!(facts.contains("Activity.fit"), "{facts}");
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "import: console errors {errors:?}");
}

async fn profile_saved_through_the_form_applies(browser: &Browser, server: &Server) {
    browser.open(&server.url("/profile")).await;
    browser
        .client
        .find(Locator::Css("#profile-form input[name=max_hr]"))
        .await
        .expect("max HR field")
        .send_keys("191")
        .await
        .expect("types");
    browser
        .client
        .find(Locator::Css("#profile-form button[type=submit]"))
        .await
        .expect("save")
        .click()
        .await
        .expect("saves");
    browser
        .wait_for_js(
            "return [...document.querySelectorAll('[role=status]')].some(e => e.className === 'ok');",
            "the profile to be saved",
        )
        .await;
    // After a reload the value is the given one.
    browser.open(&server.url("/profile")).await;
    let values = browser.text_of("#profile-values").await;
    assert!(
        values.contains("191 bpm") && values.contains("given"),
        "{values}"
    );
    // Ticking an access item and saving keeps it ticked after a reload.
    let ice_bath = "#access-form input[value=ice-bath]";
    let ticked = format!("return document.querySelector('{ice_bath}').checked;");
    assert_eq!(browser.js(&ticked).await, json!(false), "not ticked yet");
    browser
        .client
        .find(Locator::Css(ice_bath))
        .await
        .expect("ice bath checkbox")
        .click()
        .await
        .expect("ticks");
    browser
        .client
        .find(Locator::Css("#access-form button[type=submit]"))
        .await
        .expect("save equipment")
        .click()
        .await
        .expect("saves");
    browser
        .wait_for_js(
            "return document.querySelector('#access-form + [role=status]').className === 'ok';",
            "the access list to be saved",
        )
        .await;
    browser.open(&server.url("/profile")).await;
    assert_eq!(
        browser.js(&ticked).await,
        json!(true),
        "ticked after reload"
    );
    let label = browser
        .js("return document.querySelector('#access-form input[value=ice-bath]').closest('label').textContent;")
        .await;
    assert_eq!(label, json!("Ice bath (cold-water immersion)"));
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "profile: console errors {errors:?}");
}

/// What the API answers for `GET path` from the page (status and JSON body, `null` when none).
async fn api_answer(browser: &Browser, path: &str) -> (u64, Value) {
    let answer = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0], { headers: { Accept: 'application/json' } })
               .then(async (r) => done([r.status, await r.json().catch(() => null)]))
               .catch((e) => done([0, String(e)]));",
            vec![json!(path)],
        )
        .await
        .expect("fetch runs");
    (answer[0].as_u64().expect("a status"), answer[1].clone())
}

/// Whether the activities list filtered to `day` links to activity `id`.
async fn listed_on(browser: &Browser, server: &Server, day: &str, id: i64) -> bool {
    browser
        .open(&server.url(&format!("/activities?from={day}&to={day}")))
        .await;
    browser
        .js(&format!(
            "return document.querySelector('main table a[href=\"/activities/{id}\"]') !== null;"
        ))
        .await
        == json!(true)
}

/// The activity page's corrections reach the API and the page shows the result: a rename and
/// an RPE are stored (the API answers them) and drawn; leaving it out of the load is stored and
/// shown; an RPE of 11, off the 0–10 CR-10 scale,
/// is refused next to its field and leaves the stored 7; deleting (two clicks) removes the
/// activity from the list and its address answers 404.
async fn activity_corrected_and_deleted_through_its_page(
    browser: &Browser,
    server: &Server,
    db: &TestDb,
) {
    // The oldest activity: no later check depends on it.
    let id = db
        .store()
        .list_activities(db.athlete(), &ActivityFilter::default())
        .expect("listed")
        .last()
        .expect("the demo stored activities")
        .id
        .0;
    let api_path = format!("/api/v1/activities/{id}");
    let (status, before) = api_answer(browser, &api_path).await;
    assert_eq!(status, 200, "{before}");
    assert_ne!(before["name"], json!("Lakeside tempo"), "not named so yet");
    let day = before["start"].as_str().expect("a start")[..10].to_owned();
    assert!(
        listed_on(browser, server, &day, id).await,
        "listed on {day} before"
    );

    let page = format!("/activities/{id}");
    browser.open(&server.url(&page)).await;
    browser
        .type_into("#activity-edit input[name=name]", "Lakeside tempo")
        .await;
    browser
        .type_into("#activity-edit input[name=rpe]", "7")
        .await;
    browser.click("#activity-edit button[type=submit]").await;
    browser
        .wait_for_js(
            "const s = document.getElementById('activity-edit-status'); return s !== null && s.className === 'ok';",
            "the corrections to be saved",
        )
        .await;
    let (_, after) = api_answer(browser, &api_path).await;
    assert_eq!(after["name"], json!("Lakeside tempo"), "{after}");
    assert_eq!(after["rpe"].as_f64(), Some(7.0), "{after}");
    assert_eq!(after["sport"], before["sport"], "the sport stays");
    let heading = browser.text_of("h1").await;
    assert!(heading.starts_with("Lakeside tempo · "), "{heading}");
    let facts = browser.text_of("dl.facts").await;
    assert!(facts.contains("7.0 of 10"), "{facts}");

    // Left out of the load: the API says so and the page's load line too.
    browser.click("#activity-load-toggle").await;
    browser
        .wait_for_js(
            "const s = document.getElementById('activity-edit-status'); return s !== null && s.className === 'ok' && s.textContent.startsWith('Left out');",
            "the activity to be left out of the load",
        )
        .await;
    let (_, excluded) = api_answer(browser, &api_path).await;
    assert_eq!(excluded["exclude_from_load"], json!(true), "{excluded}");
    let facts = browser.text_of("dl.facts").await;
    assert!(facts.contains("left out of the training load"), "{facts}");

    // 11 is off the scale: refused by the server, said next to the field, nothing stored.
    browser
        .type_into("#activity-edit input[name=rpe]", "11")
        .await;
    browser.click("#activity-edit button[type=submit]").await;
    browser
        .wait_for_js(
            "return document.getElementById('activity-edit-status').className === 'error';",
            "the refusal",
        )
        .await;
    let said = browser.text_of("#activity-edit [data-error-for=rpe]").await;
    assert!(said.contains("11") && said.contains("CR-10"), "{said:?}");
    let (_, unchanged) = api_answer(browser, &api_path).await;
    assert_eq!(
        unchanged["rpe"].as_f64(),
        Some(7.0),
        "the refused RPE was not stored"
    );
    assert_eq!(unchanged["name"], json!("Lakeside tempo"));
    browser.screenshot("activity-correction-refused").await;

    // Deleting asks first: one click arms the button, the second deletes.
    browser.click("#activity-delete").await;
    let (status, _) = api_answer(browser, &api_path).await;
    assert_eq!(status, 200, "one click deletes nothing");
    browser.click("#activity-delete").await;
    browser.wait_for_page("/activities", "true").await;
    let (status, _) = api_answer(browser, &api_path).await;
    assert_eq!(status, 404, "deleted");
    assert!(
        !listed_on(browser, server, &day, id).await,
        "not listed on {day} after"
    );
    // The refusal (422) and the deleted address (404) are logged by Chromium as failed loads:
    // those two are expected, anything else is not.
    let unexpected: Vec<String> = browser
        .console_errors()
        .await
        .into_iter()
        .filter(|e| {
            !(e.contains(&api_path) && (e.contains("status of 422") || e.contains("status of 404")))
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "correcting an activity: console errors {unexpected:?}"
    );
}

async fn pages_fit_a_phone(browser: &Browser, server: &Server, pages: &[(String, &str, u64)]) {
    browser
        .client
        .set_window_size(PHONE_WIDTH, 800)
        .await
        .expect("resizes");
    for (path, name, _) in pages {
        browser.open(&server.url(path)).await;
        let (page_width, viewport) = {
            let v = browser
                .js("return [document.documentElement.scrollWidth, document.documentElement.clientWidth];")
                .await;
            (v[0].as_u64().unwrap_or(0), v[1].as_u64().unwrap_or(0))
        };
        // Wide tables scroll inside their own box; the page itself must not scroll sideways.
        if page_width > viewport {
            let culprits = browser
                .js("const w = document.documentElement.clientWidth;
                     return [...document.querySelectorAll('body *')]
                       .filter(e => e.getBoundingClientRect().right > w + 1 || e.scrollWidth > w + 1)
                       .reverse()
                       .slice(0, 5)
                       .map(e => `${e.tagName}.${e.className}: ${Math.round(e.getBoundingClientRect().width)}px (scroll ${e.scrollWidth}px)`);")
                .await;
            panic!(
                "{path}: page is {page_width}px wide on a {viewport}px phone; too wide: {culprits}"
            );
        }
        browser.screenshot(&format!("phone-{name}")).await;
    }
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "phone: console errors {errors:?}");
    browser
        .client
        .set_window_size(1280, 1000)
        .await
        .expect("resizes");
}

/// A personal server keeps its navigation; the account and squad pages say they are for a
/// shared server instead of failing.
async fn single_user_mode_has_no_accounts(browser: &Browser, server: &Server) {
    for (path, says) in [
        ("/account", "single-user mode"),
        ("/squad", "for coaches on a shared server"),
    ] {
        browser.open(&server.url(path)).await;
        let nav = browser
            .js("return [...document.querySelectorAll('.top nav li')].map(li => li.textContent.trim());")
            .await;
        assert_eq!(
            nav,
            json!([
                "Today",
                "Training",
                "Activities",
                "Recovery",
                "Plan",
                "Import",
                "Profile"
            ]),
            "{path}: navigation"
        );
        let text = browser.text_of(".empty").await;
        assert!(text.contains(says), "{path}: {text}");
        browser
            .assert_no_console_errors(&format!("single-user {path}"))
            .await;
    }
}

async fn new_user_sees_empty_states_without_errors(
    browser: &Browser,
    server: &Server,
    pages: &[(String, &str, u64)],
) {
    for (path, name, _) in pages {
        if *name == "activity" {
            continue;
        }
        browser.open(&server.url(path)).await;
        browser.screenshot(&format!("new-user-{name}")).await;
        let errors = browser.console_errors().await;
        assert!(
            errors.is_empty(),
            "new user {path}: console errors {errors:?}"
        );
        let failures = browser
            .js("return document.querySelectorAll('[role=alert]').length;")
            .await;
        assert_eq!(
            failures,
            json!(0),
            "new user {path}: a section failed to load"
        );
    }
    browser.open(&server.url("/")).await;
    let welcome = browser.text_of(".empty").await;
    assert!(welcome.contains("Import your activities"), "{welcome}");
    browser.open(&server.url("/training")).await;
    assert!(browser.text_of(".empty").await.contains("No training yet"));
}

// ---------------------------------------------------------------- multi-user server

/// The shared password of the test accounts (only ever in this temporary database).
const PASSWORD: &str = "correct horse battery";
/// The coach.
const COACH: &str = "coach@club.example";
/// An athlete with six weeks of history who accepts the coach's invitation on /account.
const RUNNER: &str = "runner@club.example";
/// An athlete with five weeks of history, already in the squad.
const STEADY: &str = "steady@club.example";
/// An athlete with no data at all, already in the squad: the `null`s of the table.
const NEWBIE: &str = "newbie@club.example";

/// A coach nobody has joined yet.
const NEW_COACH: &str = "new.coach@club.example";

/// Failed logins allowed per address before the server turns the next ones away.
const MAX_FAILED_LOGINS: u32 = 2;

/// One browser at a time: two Chromiums and two servers on a shared two-core machine make
/// the page timeouts flaky.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A multi-user database: a coach and three athletes, two of them with simulated training, the
/// runner invited through the page later.
struct Club {
    _dir: tempfile::TempDir,
    db: Arc<SqliteStore>,
    coach: User,
    runner: User,
    newbie: User,
}

impl Club {
    fn new() -> Club {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let db = Arc::new(SqliteStore::open(dir.path().join("fettle.sqlite")).expect("opens"));
        let now = jiff::Timestamp::now();
        let add = |email: &str, role: Role| {
            fettle_app::accounts::add_user(&*db, email, role, PASSWORD, now).expect("user added")
        };
        let (coach, runner, steady, newbie) = (
            add(COACH, Role::Coach),
            add(RUNNER, Role::Athlete),
            add(STEADY, Role::Athlete),
            add(NEWBIE, Role::Athlete),
        );
        add(NEW_COACH, Role::Coach);
        let end = jiff::ZonedDateTime::now().date();
        // Two different seasons (over the 28 days the ACWR needs), so the squad's columns have
        // two different values to sort besides the newbie's nulls.
        for (user, seed, days) in [(&runner, 11, 42), (&steady, 23, 35)] {
            let options = DemoOptions {
                seed,
                days,
                end,
                threads: 2,
            };
            let work = dir.path().join(format!("demo-{}", user.id));
            run_demo(&*db, user.athlete, &work, &options, &NoProgress).expect("the demo runs");
        }
        for member in [&steady, &newbie] {
            db.invite(coach.id, &member.email, now).expect("invited");
            assert!(
                db.accept_invitation(member.id, coach.id, now)
                    .expect("accepted"),
                "{} accepts",
                member.email
            );
        }
        Club {
            _dir: dir,
            db,
            coach,
            runner,
            newbie,
        }
    }

    fn state(&self) -> AppState {
        let store: Arc<dyn Store> = Arc::clone(&self.db) as Arc<dyn Store>;
        let accounts: Arc<dyn Accounts> = Arc::clone(&self.db) as Arc<dyn Accounts>;
        // Two failures per address, so the test can reach the limit quickly; the others fail
        // once at most.
        AppState::multi_user(store, accounts).with_login_limits(LoginLimits {
            per_email: MAX_FAILED_LOGINS,
            per_client: 30,
            window: Duration::from_secs(15 * 60),
            ..LoginLimits::default()
        })
    }
}

impl Browser {
    /// Waits until the page at `path` has drawn and the JavaScript condition `also` (on
    /// `query`, the address's parameters) holds.
    async fn wait_for_page(&self, path: &str, also: &str) {
        self.wait_for_js(
            &format!(
                "const query = new URLSearchParams(location.search);
                 return location.pathname === {} && ({also}) && document.body.dataset.ready === 'true';",
                json!(path)
            ),
            &format!("{path} where {also}"),
        )
        .await;
    }

    /// Types into the field `css`.
    async fn type_into(&self, css: &str, text: &str) {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no field {css}: {e}"));
        field.clear().await.expect("clears");
        field.send_keys(text).await.expect("types");
    }

    async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("nothing to click at {css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("{css} clicks: {e}"));
    }

    /// Fills and posts the login form on the current page.
    async fn submit_login(&self, email: &str, password: &str) {
        self.type_into("#login-form input[name=email]", email).await;
        self.type_into("#login-form input[name=password]", password)
            .await;
        self.click("#login-form button[type=submit]").await;
    }

    /// Logs out with the navigation's button and checks the login page comes back.
    async fn log_out(&self) {
        self.click("nav form.logout button").await;
        self.wait_for_page("/login", "location.search === ''").await;
    }

    async fn assert_no_console_errors(&self, what: &str) {
        let errors = self.console_errors().await;
        assert!(errors.is_empty(), "{what}: console errors {errors:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_user_pages_work_in_headless_chromium() {
    let Some((chromium, driver)) = browser_programs() else {
        return;
    };
    let _one = ONE_BROWSER.lock().await;
    let club = Club::new();
    let browser = Browser::start(&chromium, &driver).await;
    let server = Server::start(club.state()).await;

    login_asks_for_the_password_and_says_when_it_is_wrong(&browser, &server).await;
    coach_invites_through_the_account_page(&browser, &server).await;
    athlete_accepts_manages_tokens_and_changes_password(&browser, &server, &club).await;
    coach_sorts_the_squad_and_views_a_member_read_only(&browser, &server, &club).await;
    a_new_coach_is_told_how_to_build_a_squad(&browser, &server).await;

    browser
        .client
        .clone()
        .close()
        .await
        .expect("session closes");
}

async fn login_asks_for_the_password_and_says_when_it_is_wrong(browser: &Browser, server: &Server) {
    // A page without a session sends the browser to the login form, remembering where it was.
    browser.open(&server.url("/squad")).await;
    browser
        .wait_for_page("/login", "query.get('next') === '/squad'")
        .await;
    browser.screenshot("multi-login").await;
    let hidden = browser
        .js("return [document.getElementById('login-next').value, document.getElementById('login-csrf').value.length > 0,
                     !!document.querySelector('nav ul') && getComputedStyle(document.querySelector('.top nav')).display];")
        .await;
    assert_eq!(
        hidden,
        json!(["/squad", true, "none"]),
        "next and csrf filled in, navigation hidden"
    );
    browser.assert_no_console_errors("login page").await;

    browser.submit_login(COACH, "not the password").await;
    browser
        .wait_for_page("/login", "query.get('error') === '1'")
        .await;
    assert_eq!(
        browser.text_of("#login-message").await,
        "E-mail or password is wrong."
    );
    browser.screenshot("multi-login-wrong").await;
    browser.assert_no_console_errors("wrong password").await;

    // Past the limit even the right password is turned away, and the page says why.
    for _ in 0..MAX_FAILED_LOGINS {
        browser.submit_login(NEWBIE, "not the password").await;
        browser
            .wait_for_page("/login", "query.get('error') === '1'")
            .await;
        browser.open(&server.url("/login")).await;
    }
    browser.submit_login(NEWBIE, PASSWORD).await;
    browser
        .wait_for_page("/login", "query.get('error') === 'rate'")
        .await;
    assert_eq!(
        browser.text_of("#login-message").await,
        "Too many attempts; wait a few minutes before trying again."
    );
    browser.assert_no_console_errors("rate limited").await;
}

async fn coach_invites_through_the_account_page(browser: &Browser, server: &Server) {
    browser.open(&server.url("/login?next=%2Faccount")).await;
    browser.submit_login(COACH, PASSWORD).await;
    browser.wait_for_page("/account", "true").await;
    let nav = browser
        .js("return [...document.querySelectorAll('.top nav li:not([hidden])')].map(li => li.textContent.trim());")
        .await;
    assert_eq!(
        nav,
        json!([
            "Today",
            "Training",
            "Activities",
            "Recovery",
            "Plan",
            "Import",
            "Profile",
            "Account",
            "Squad",
            "Log out"
        ])
    );
    let who = browser.text_of("#whoami").await;
    assert!(who.contains(COACH) && who.contains("coach"), "{who}");
    // The two members already in, no invitation yet.
    let members = browser.text_of("#member-list").await;
    assert!(
        members.contains(STEADY) && members.contains(NEWBIE) && !members.contains(RUNNER),
        "{members}"
    );
    browser
        .type_into("#invite-form input[name=email]", RUNNER)
        .await;
    browser.click("#invite-form button[type=submit]").await;
    browser
        .wait_for_js(
            &format!(
                "return document.getElementById('membership-status').className === 'ok'
                    && document.getElementById('waiting-list').textContent.includes({});",
                json!(RUNNER)
            ),
            "the invitation to be listed",
        )
        .await;
    browser.screenshot("multi-account-coach").await;
    browser.assert_no_console_errors("coach account").await;
    browser.log_out().await;
    // Logged out for real: the account page sends back to the login form.
    browser.open(&server.url("/account")).await;
    browser
        .wait_for_page("/login", "query.get('next') === '/account'")
        .await;
}

async fn athlete_accepts_manages_tokens_and_changes_password(
    browser: &Browser,
    server: &Server,
    club: &Club,
) {
    browser.submit_login(RUNNER, PASSWORD).await;
    browser.wait_for_page("/account", "true").await;
    // An athlete's navigation has no squad.
    let nav = browser
        .js("return [...document.querySelectorAll('.top nav [data-nav]')].map(a => a.dataset.nav).slice(-2);")
        .await;
    assert_eq!(nav, json!(["profile", "account"]));
    let invitation = format!("#invitation-list li[data-coach='{}']", club.coach.id);
    assert!(browser.text_of(&invitation).await.contains(COACH));
    browser
        .click(&format!("{invitation} button:not(.secondary)"))
        .await;
    browser
        .wait_for_js(
            &format!(
                "return document.getElementById('coach-list').textContent.includes({});",
                json!(COACH)
            ),
            "the coach to be listed",
        )
        .await;
    assert!(
        club.db
            .coach_sees(club.coach.id, club.runner.athlete)
            .expect("readable"),
        "the membership is stored"
    );
    assert!(
        browser
            .text_of("#invitation-list")
            .await
            .contains("No invitations"),
        "the invitation is answered"
    );

    // An API token: shown once, listed, usable, revoked.
    browser
        .type_into("#token-form input[name=name]", "sync script")
        .await;
    browser.click("#token-form button[type=submit]").await;
    browser
        .wait_for_js(
            "return !!document.getElementById('token-value') && document.getElementById('token-list').textContent.includes('sync script');",
            "the new token",
        )
        .await;
    let owner = browser
        .js("const token = document.getElementById('token-value').textContent;
             return fetch('/api/v1/me', { credentials: 'omit', headers: { Authorization: `Bearer ${token}` } })
               .then((r) => r.json()).then((me) => [token.startsWith('fettle_'), me.email]);")
        .await;
    assert_eq!(owner, json!([true, RUNNER]), "the token authenticates");
    assert_eq!(
        club.db.tokens(club.runner.id).expect("listed").len(),
        1,
        "one token stored"
    );
    // Revoking asks once more, then acts.
    browser.click("#token-list button").await;
    assert_eq!(
        browser.text_of("#token-list button").await,
        "Really revoke?"
    );
    browser.click("#token-list button").await;
    browser
        .wait_for_js(
            "return document.getElementById('token-list').textContent.includes('No API tokens yet');",
            "the token to be revoked",
        )
        .await;
    assert!(club.db.tokens(club.runner.id).expect("listed").is_empty());
    // Taken now, so the token in the picture is a revoked one.
    browser.screenshot("multi-account-athlete").await;

    // The password changes through the form, and the new one logs in.
    let new_password = "a much longer new password";
    browser
        .type_into("#password-form input[name=current_password]", PASSWORD)
        .await;
    browser
        .type_into("#password-form input[name=new_password]", new_password)
        .await;
    browser
        .type_into("#password-form input[name=repeat]", new_password)
        .await;
    browser.click("#password-form button[type=submit]").await;
    browser
        .wait_for_js(
            "return [...document.querySelectorAll('[role=status]')].some(e => e.className === 'ok' && e.textContent.startsWith('Password changed'));",
            "the password change",
        )
        .await;
    browser.assert_no_console_errors("athlete account").await;

    // Logging a recovery session as the athlete: a cookie-authenticated change that must carry
    // the CSRF token.
    recovery_logged_through_the_form_is_listed(browser, server).await;
    // An upload, sent by the page's own request (not fetch), must carry it too.
    browser.open(&server.url("/import")).await;
    let file = corpus_file("fit/Activity.fit");
    browser
        .client
        .find(Locator::Css("#import-file"))
        .await
        .expect("file input")
        .send_keys(file.to_str().expect("UTF-8 path"))
        .await
        .expect("chooses the file");
    browser.click("#import-form button[type=submit]").await;
    browser
        .wait_for_js(
            "return document.getElementById('import-status').className !== '' && document.getElementById('import-status').textContent.startsWith('Imported');",
            "the import summary",
        )
        .await;
    assert_eq!(
        browser.text_of("#import-status").await,
        "Imported 1 activity from 1 file."
    );
    let imported = club
        .db
        .list_activities(club.runner.athlete, &ActivityFilter::default())
        .expect("listed")
        .into_iter()
        // Its own name, not the temporary path it was streamed to.
        .filter(|a| a.source == "Activity.fit")
        .count();
    assert_eq!(imported, 1, "stored in the runner's own data");
    browser.log_out().await;
    browser.submit_login(RUNNER, PASSWORD).await;
    browser
        .wait_for_page("/login", "query.get('error') === '1'")
        .await;
    browser.submit_login(RUNNER, new_password).await;
    browser.wait_for_page("/", "true").await;
    browser.assert_no_console_errors("new password").await;
    browser.log_out().await;
}

/// The squad table's rows: (athlete id, cell text of `key`).
async fn squad_column(browser: &Browser, key: &str) -> Vec<(i64, String)> {
    let rows = browser
        .js(&format!(
            "return [...document.querySelectorAll('#squad-table tbody tr')]
                .map(tr => [Number(tr.dataset.athlete), tr.querySelector('td[data-key={key}]').textContent]);"
        ))
        .await;
    rows.as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r[0].as_i64().expect("athlete id"),
                r[1].as_str().expect("text").to_owned(),
            )
        })
        .collect()
}

async fn coach_sorts_the_squad_and_views_a_member_read_only(
    browser: &Browser,
    server: &Server,
    club: &Club,
) {
    browser.submit_login(COACH, PASSWORD).await;
    browser.wait_for_page("/", "true").await;
    browser.open(&server.url("/squad")).await;
    browser.screenshot("multi-squad").await;
    browser.assert_no_console_errors("squad").await;

    // As the API orders them: attention points never increase down the table.
    let attention: Vec<u64> = squad_column(browser, "attention")
        .await
        .iter()
        .map(|(_, text)| {
            // "⚠ 4" and the reasons, or "0".
            let digits: String = text
                .trim_start_matches(['⚠', ' '])
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits
                .parse()
                .unwrap_or_else(|_| panic!("attention points in {text:?}"))
        })
        .collect();
    assert_eq!(attention.len(), 3, "three members");
    assert!(
        attention.windows(2).all(|w| w[0] >= w[1]),
        "attention first: {attention:?}"
    );
    let marked = browser
        .js("return [...document.querySelectorAll('#squad-table tbody tr')].map(tr => tr.classList.contains('attention'));")
        .await;
    let expected_marks: Vec<bool> = attention.iter().map(|&p| p > 0).collect();
    assert_eq!(marked, json!(expected_marks), "rows with points are marked");

    // By name: text order.
    browser.click("button[data-sort=name]").await;
    let names: Vec<String> = squad_column(browser, "name")
        .await
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    assert_eq!(names, [NEWBIE, RUNNER, STEADY]);

    // By ACWR: the two athletes with history by their numbers, the newbie (no ACWR before 28
    // days of history) last in both directions.
    let acwr_order = |rows: Vec<(i64, String)>| -> (Vec<i64>, Vec<Option<f64>>) {
        rows.into_iter()
            .map(|(id, text)| (id, text.trim().parse::<f64>().ok()))
            .unzip()
    };
    browser.click("button[data-sort=acwr]").await;
    let (up_ids, up) = acwr_order(squad_column(browser, "acwr").await);
    browser.click("button[data-sort=acwr]").await;
    let (down_ids, down) = acwr_order(squad_column(browser, "acwr").await);
    browser.screenshot("multi-squad-sorted").await;
    let (Some(low), Some(high)) = (up[0], up[1]) else {
        panic!("two ACWR values first when ascending: {up:?}");
    };
    assert!(low < high, "ascending ACWR: {up:?}");
    assert_eq!(up[2], None, "no ACWR last: {up:?}");
    assert_eq!(down, vec![Some(high), Some(low), None], "descending ACWR");
    assert_eq!(up_ids[2], club.newbie.athlete.0);
    assert_eq!(down_ids[2], club.newbie.athlete.0);
    assert_eq!(
        [down_ids[0], down_ids[1]],
        [up_ids[1], up_ids[0]],
        "the order of the two reverses"
    );
    let sorted_header = browser
        .js("return document.querySelector('th[aria-sort]').textContent;")
        .await;
    assert_eq!(sorted_header, json!("ACWR ▼"));

    // Through a name to the member's dashboard, read-only.
    let runner = club.runner.athlete.0;
    browser
        .click(&format!("#squad-table a[href='/?athlete={runner}']"))
        .await;
    browser
        .wait_for_page("/", &format!("query.get('athlete') === '{runner}'"))
        .await;
    browser.screenshot("multi-viewing-today").await;
    assert_eq!(
        browser.text_of("#viewing strong").await,
        format!("Viewing {RUNNER} (read-only)")
    );
    let view = browser
        .js("return [
                document.querySelectorAll('main input, main select, main textarea').length,
                [...document.querySelectorAll('.top nav a[data-nav]')]
                    .filter(a => !a.closest('[hidden]') && a.dataset.nav !== 'account' && a.dataset.nav !== 'squad')
                    .every(a => a.getAttribute('href').endsWith(location.search)),
                document.querySelector('[data-nav=import]').closest('li').hidden];")
        .await;
    assert_eq!(
        view,
        json!([0, true, true]),
        "no controls, navigation stays on the athlete, no import"
    );
    browser.assert_no_console_errors("viewing today").await;
    let query = format!("?athlete={runner}");
    for (path, name, charts) in [
        ("/training", "training", 3),
        ("/activities", "activities", 0),
        ("/recovery", "recovery", 0),
        ("/plan", "plan", 0),
        ("/import", "import", 0),
        ("/profile", "profile", 0),
    ] {
        browser.open(&server.url(&format!("{path}{query}"))).await;
        browser.screenshot(&format!("multi-viewing-{name}")).await;
        browser
            .assert_no_console_errors(&format!("viewing {path}"))
            .await;
        assert_eq!(browser.drawn_charts().await, charts, "{path}: charts");
        let editable = browser
            .js("return [...document.querySelectorAll('main input, main select, main textarea, main button[type=submit]')]
                    .filter(e => !e.disabled && !e.closest('[role=search]')).length;")
            .await;
        assert_eq!(editable, json!(0), "{path}: nothing to change");
        assert!(
            browser.text_of("#viewing").await.contains(RUNNER),
            "{path}: banner"
        );
    }
    // The member's activities, not the coach's (the coach has none): each links on with the
    // athlete kept.
    browser
        .open(&server.url(&format!("/activities{query}")))
        .await;
    let first = browser
        .js("const a = document.querySelector('main table a'); return a ? a.getAttribute('href') : null;")
        .await;
    let first = first.as_str().expect("a listed activity").to_owned();
    assert!(first.ends_with(&query), "{first}");
    browser.open(&server.url(&first)).await;
    assert!(browser.drawn_charts().await > 0, "{first}: charts");
    let controls = browser
        .js("return [document.getElementById('activity-edit'), document.getElementById('activity-delete'),
                     document.getElementById('activity-load-toggle'),
                     ...document.querySelectorAll('main input, main select, main textarea, main button[type=submit]')].filter(e => e).length;")
        .await;
    assert_eq!(controls, json!(0), "{first}: a coach cannot correct it");
    browser
        .assert_no_console_errors("viewing an activity")
        .await;
    // The member's own id in the data is the runner's: the coach wrote nothing anywhere.
    assert!(
        club.db
            .list_activities(club.coach.athlete, &ActivityFilter::default())
            .expect("listed")
            .is_empty(),
        "the coach's own partition stays empty"
    );

    pages_fit_a_phone(
        browser,
        server,
        &[
            ("/squad".to_owned(), "multi-squad", 0),
            ("/account".to_owned(), "multi-account", 0),
            ("/login".to_owned(), "multi-login", 0),
            (format!("/{query}"), "multi-viewing", 0),
        ],
    )
    .await;

    // Removing a member (asked twice) ends the coach's access at once.
    browser.open(&server.url("/account")).await;
    let newbie = club.newbie.athlete.0;
    let remove = format!("#member-list tr:has(a[href='/?athlete={newbie}']) button");
    browser.click(&remove).await;
    assert_eq!(browser.text_of(&remove).await, "Really remove?");
    browser.click(&remove).await;
    browser
        .wait_for_js(
            &format!(
                "return document.getElementById('membership-status').className === 'ok'
                    && !document.getElementById('member-list').textContent.includes({});",
                json!(NEWBIE)
            ),
            "the member to be removed",
        )
        .await;
    assert!(
        !club
            .db
            .coach_sees(club.coach.id, club.newbie.athlete)
            .expect("readable"),
        "the removal is stored"
    );
    browser.assert_no_console_errors("removing a member").await;
    browser.log_out().await;
}

async fn a_new_coach_is_told_how_to_build_a_squad(browser: &Browser, server: &Server) {
    browser.open(&server.url("/login?next=%2Fsquad")).await;
    browser.submit_login(NEW_COACH, PASSWORD).await;
    browser.wait_for_page("/squad", "true").await;
    browser.screenshot("multi-squad-empty").await;
    let empty = browser.text_of(".empty").await;
    assert!(empty.contains("No athletes in your squad yet"), "{empty}");
    let link = browser
        .js("return document.querySelector('.empty a').getAttribute('href');")
        .await;
    assert_eq!(link, json!("/account"), "the way to invite");
    browser.assert_no_console_errors("empty squad").await;
    browser.log_out().await;
}
