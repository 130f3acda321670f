//! End-to-end tests in headless Chromium (Debian's `chromium` + `chromium-driver`), driven over
//! WebDriver with fantoccini: the real server runs in-process on 127.0.0.1:0 over a temporary
//! SQLite database filled through the real pipeline (the demo's simulated season imported as
//! FIT files, and a plan), every page is
//! loaded and checked for console errors (Chromium's browser log: uncaught exceptions,
//! `console.error`, CSP violations, failed loads), charts must have drawn, the recovery form
//! and the upload must work through the UI. Screenshots go to `$FETTLE_TEST_ARTIFACTS` or
//! `target/artifacts/browser`.
//!
//! When Chromium or chromedriver is missing these tests say so loudly and pass, unless `CI`
//! is set, where they fail: CI must run them (`.ci/run` installs the packages).

#[allow(dead_code, reason = "shared with the API tests, which use other parts")]
mod support;

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use fettle_store::ActivityFilter;
use fettle_web::{AppState, StoreBackend};
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
    let dir = std::env::var_os("FETTLE_TEST_ARTIFACTS").map_or_else(
        || Path::new(env!("CARGO_TARGET_TMPDIR")).join("../artifacts/browser"),
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
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {script}"
            );
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
    async fn start(state: AppState<StoreBackend>) -> Server {
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
    let started = Instant::now();
    let db = TestDb::with_history();
    let (activity, activity_charts) = newest_charted_activity(&db);
    let pages = pages_with_charts(activity, activity_charts);
    let browser = Browser::start(&chromium, &driver).await;
    let server = Server::start(db.state()).await;

    the_console_error_check_sees_errors(&browser, &server).await;
    every_page_loads_cleanly_and_draws_its_charts(&browser, &server, &pages).await;
    charts_show_hover_values_zoom_on_drag_and_reset_on_double_click(&browser, &server).await;
    today_counts_down_the_refuelling_window_and_logs_a_tick(&browser, &server, &db).await;
    recovery_logged_through_the_form_is_listed(&browser, &server).await;
    profile_saved_through_the_form_applies(&browser, &server).await;
    upload_imports_a_file(&browser, &server, &db).await;
    pages_fit_a_phone(&browser, &server, &pages).await;

    let empty = TestDb::empty();
    let new_user = Server::start(empty.state()).await;
    new_user_sees_empty_states_without_errors(&browser, &new_user, &pages).await;
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

/// Adds a 45-minute manual run that ended ten minutes ago, so the refuelling window is open.
fn add_run_that_just_ended(db: &TestDb) {
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
        distance_m: Some(9000.0),
        rpe: Some(6.0),
        sport: None,
        name: Some("Run that just ended".to_owned()),
    };
    fettle_app::training::add_manual(db.store(), db.athlete(), &session, now)
        .expect("the run is stored");
}

async fn today_counts_down_the_refuelling_window_and_logs_a_tick(
    browser: &Browser,
    server: &Server,
    db: &TestDb,
) {
    add_run_that_just_ended(db);
    browser.open(&server.url("/")).await;
    browser.screenshot("desktop-today-refuelling").await;
    // The run ended 10 minutes ago and the refuelling window lasts 30 (REFUEL_WINDOW_MIN,
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
    // Tick the refuelling item: it is logged as a nutrition session with its grams.
    browser
        .client
        .find(Locator::Css("input[data-method=nutrition]"))
        .await
        .expect("a tick for refuelling")
        .click()
        .await
        .expect("ticks");
    browser
        .wait_for_js(
            "return [...document.querySelectorAll('.checks .ok')].some(e => e.textContent === 'Logged.');",
            "the tick to be logged",
        )
        .await;
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
            "return !!document.querySelector('#recovery-list li[data-method=cold_water_immersion]');",
            "the logged session in the list",
        )
        .await;
    browser.screenshot("recovery-logged").await;
    // Still there after a reload: it was stored, not just drawn.
    browser.open(&server.url("/recovery")).await;
    let item = browser
        .text_of("#recovery-list li[data-method=cold_water_immersion]")
        .await;
    assert!(
        item.contains("Cold-water immersion") && item.contains("12 min") && item.contains("11 °C"),
        "{item}"
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
        .filter(|a| a.source.ends_with("/Activity.fit"))
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
