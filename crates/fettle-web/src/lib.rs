//! Fettle's web face: the dashboard and the JSON API behind `fettle serve`.
//!
//! - [`app`] builds the router: pages and embedded files ([`assets`]), the API under
//!   `/api/v1` ([`api_routes`] lists it; `/api/v1/openapi.json` documents it), JSON errors
//!   for every failure, body limits, security headers.
//! - [`bind`] and [`serve_with`] run it: loopback only unless remote access is asked for
//!   explicitly, graceful shutdown on Ctrl-C, SIGTERM or the caller's signal; at most
//!   [`ServeOptions::max_connections`] connections at once, each closed when its headers take
//!   longer than [`ServeOptions::header_read_timeout`] (slow-header clients cannot hold the
//!   server's connections).
//! - [`AppState`] is what every handler gets (`State<AppState>`, a few `Arc`s): the store with
//!   a short-lived cache of computed answers (`cache.rs`), the [`Clock`] that says what "now"
//!   is, the mode and the limits. Handlers are plain functions that call the `fettle_app` use
//!   cases the CLI calls, so `GET /api/v1/status` and `fettle status --json` are one function.
//!
//! Two modes:
//! - single-user ([`AppState::single_user`]): no login, every request acts for one athlete;
//! - multi-user ([`AppState::multi_user`]): accounts over `fettle_store::Accounts`. Every API
//!   request carries an API token (`Authorization: Bearer`) or the session cookie of the login
//!   form, else 401; cookie writes also carry the session's CSRF token; pages redirect to
//!   `/login` when logged out; failed logins and wrong current passwords of a password change
//!   are rate limited per address and per client (the client is the connection's peer unless
//!   it is a proxy named with [`AppState::with_trusted_proxy`]);
//!   each request acts on the caller's own partition, and a coach reads a member's through
//!   `/api/v1/athletes/{athlete_id}/…` (404 for anyone else's, never 403); one access-log line
//!   per request on stderr (never query strings, cookies, tokens, bodies or addresses).
//!   See `auth.rs`, `login.rs`, `rate_limit.rs`, `account_api.rs`, `access_log.rs`.
//!
//! Invariant: only this crate knows HTTP and JSON over HTTP. Every 4xx/5xx body is
//! `{"error": {"code", "message"}}`; a failure of the program (a panic, a database error) is a
//! generic 500 that adds an `id`, and its details go to the log under that id, never to the
//! client.
//!
//! Uploads (`POST /api/v1/import`) are streamed to a temporary folder and imported in the
//! athlete's turn (one import per athlete at a time). They are bounded by [`Limits`]: the size
//! of one upload (413), the temporary disk one athlete's uploads and all uploads may hold at
//! once (429 with `Retry-After`; counted as the bytes arrive, and up front from
//! `Content-Length`), and an idle timeout (408); a JSON or form body must arrive whole within
//! that same time (400 otherwise). A client that breaks off mid-upload gets a
//! 400 (in the log too). Files are recorded under their own cleaned names, never the
//! temporary path.
//!
//! Safety defaults, and why:
//! - bound to 127.0.0.1: the database holds health data (a multi-user server, which has
//!   logins, may listen elsewhere: the caller decides with [`bind`]'s `allow_remote`);
//! - `Host` must be an IP literal, `localhost` or an allowed name (defeats DNS rebinding, where
//!   a web page's own domain is pointed at 127.0.0.1 to read the API); a multi-user server
//!   answers to any name, since every request there needs credentials the rebinding page's
//!   origin never holds;
//! - a state-changing request whose `Origin` is another site is refused (defeats cross-site
//!   form posts, which browsers send without asking);
//! - a Content-Security-Policy without inline scripts, `frame-ancestors 'none'`, `nosniff`.

mod access_log;
mod account_api;
mod api;
pub mod assets;
mod auth;
mod cache;
mod clock;
mod error;
mod lists;
mod login;
mod openapi;
mod rate_limit;
mod state;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;

pub use api::{API_PREFIX, ActivityFilter, DateRange, NEXT_CURSOR_HEADER, api_routes};
pub use cache::{ANSWER_TTL, SQUAD_ROW_TTL};
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{ApiError, JsonBody, Reply, to_json};
pub use rate_limit::{DEFAULT_MAX_TRACKED, LoginLimits};
pub use state::{
    AppState, CurrentAthlete, DEFAULT_BODY_READ_TIMEOUT, DEFAULT_JSON_BODY_BYTES,
    DEFAULT_MULTI_USER_TEMP_PER_ATHLETE_BYTES, DEFAULT_MULTI_USER_TEMP_TOTAL_BYTES,
    DEFAULT_MULTI_USER_UPLOAD_BYTES, DEFAULT_UPLOAD_BYTES, DEFAULT_UPLOAD_TEMP_BYTES, Limits,
};

/// Where `fettle serve` listens unless told otherwise.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// The Content-Security-Policy of every answer: only this origin's scripts, styles, images and
/// connections; no inline scripts or styles; never framed.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Builds the whole application: pages, files, the login forms and the API, with
/// authentication (multi-user mode), JSON errors, limits, headers and the access log.
///
/// The layers, outermost first: the access log (multi-user mode), security headers, the
/// `Host`/`Origin` guard, JSON errors, authentication (who, and for which athlete), the login
/// form's CSRF cookie; then routing.
pub fn app(state: AppState) -> Router {
    // A multi-user server answers to any host name: DNS rebinding only matters for an API
    // without credentials (the rebinding page's origin never holds our cookie or a token), and
    // a club's server is reached by its own name.
    let hosts = Hosts {
        allowed: state.allowed_hosts().to_vec(),
        any: state.is_multi_user(),
    };
    let log_access = state.is_multi_user();
    Router::new()
        .merge(api::router(state.limits()))
        .merge(assets::router())
        .merge(login_router(state.limits()))
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), login::login_csrf_cookie))
        .layer(from_fn_with_state(state.clone(), auth::authenticate))
        .layer(from_fn(error::json_errors))
        // Inside the JSON-error layer and the log: a handler's panic becomes a generic JSON
        // 500 with an id (the panic's text goes to the log only), and is logged as a 500.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            error::panic_response,
        ))
        .layer(from_fn_with_state(hosts, guard_origin))
        .layer(from_fn(security_headers))
        .layer(from_fn_with_state(log_access, access_log::access_log))
        .with_state(state)
}

/// `POST /login` and `POST /logout` (the forms), with the JSON body limit and deadline.
fn login_router(limits: Limits) -> Router<AppState> {
    Router::new()
        .route("/login", axum::routing::post(login::login_form))
        .route("/logout", axum::routing::post(login::logout_form))
        .layer(axum::extract::DefaultBodyLimit::max(limits.json_body_bytes))
        .layer(tower_http::timeout::RequestBodyDeadlineLayer::new(
            limits.body_read_timeout,
        ))
}

/// Unknown paths: a JSON 404 naming the path.
async fn not_found(request: Request) -> Response {
    let path = request.uri().path();
    let hint = if path.starts_with("/api/") {
        "see /api/v1/openapi.json for the API's routes"
    } else {
        "the dashboard starts at /"
    };
    ApiError::not_found(format!("nothing at {path}: {hint}")).into_response()
}

/// Adds the security headers to every answer, and `no-store` to API answers (they change with
/// every import and may hold health data).
async fn security_headers(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // `same-origin`, not `no-referrer`: with no referrer at all, browsers send `Origin: null`
    // on our own form posts (login, logout), which the origin guard must refuse. Other sites
    // still get no referrer.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if is_api && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The host part of a `Host` header or an origin's authority (`[::1]:8080` → `::1`).
fn host_name(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    authority.split(':').next().unwrap_or_default()
}

/// Whether a `Host` header is acceptable: an IP literal, `localhost`, or an allowed name.
fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let name = host_name(host);
    name.parse::<std::net::IpAddr>().is_ok()
        || name.eq_ignore_ascii_case("localhost")
        || allowed.iter().any(|a| a.eq_ignore_ascii_case(name))
}

/// The `Host` names a server answers to.
#[derive(Clone)]
struct Hosts {
    /// Names accepted besides IP literals and `localhost`.
    allowed: Vec<String>,
    /// Any name (multi-user mode).
    any: bool,
}

/// Refuses requests whose `Host` is a foreign name (DNS rebinding; single-user mode) and
/// state-changing requests from another origin (cross-site posts; both modes).
async fn guard_origin(State(hosts): State<Hosts>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| {
            request
                .uri()
                .authority()
                .map(axum::http::uri::Authority::as_str)
        })
        .unwrap_or_default()
        .to_owned();
    if !host.is_empty() && !hosts.any && !host_allowed(&host, &hosts.allowed) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "host `{host}` is not allowed: open the dashboard at http://127.0.0.1 or \
                 http://localhost"
            ),
        )
        .into_response();
    }
    let changes_state = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if changes_state {
        let origin = match request.headers().get(header::ORIGIN).map(|v| v.to_str()) {
            None => None,
            Some(Ok(origin)) => Some(origin),
            // No browser sends a non-ASCII origin (they are punycode): refuse it rather than
            // skip the check.
            Some(Err(_)) => {
                return ApiError::new(
                    StatusCode::FORBIDDEN,
                    "cross-site request refused: the Origin header is not a valid origin",
                )
                .into_response();
            }
        };
        if let Some(origin) = origin {
            let origin_authority = origin
                .split_once("://")
                .map_or(origin, |(_, rest)| rest)
                .trim_end_matches('/');
            if !origin_authority.eq_ignore_ascii_case(&host) {
                return ApiError::new(
                    StatusCode::FORBIDDEN,
                    format!("cross-site request from {origin} refused"),
                )
                .into_response();
            }
        }
    }
    next.run(request).await
}

/// Why the server could not start.
#[derive(Debug)]
pub enum ServeError {
    /// The address is not a loopback address and remote access was not allowed.
    NotLoopback(SocketAddr),
    /// The address could not be bound (in use, no permission).
    Bind(SocketAddr, std::io::Error),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::NotLoopback(addr) => write!(
                f,
                "{addr} is reachable from other machines and the dashboard shows health data: \
                 use 127.0.0.1 (the default), or allow remote access explicitly"
            ),
            ServeError::Bind(addr, e) => {
                write!(
                    f,
                    "cannot listen on {addr}: {e} (is another server using it?)"
                )
            }
        }
    }
}

impl std::error::Error for ServeError {}

/// Checks the address (loopback unless `allow_remote`) and binds it. Port 0 picks a free port;
/// the listener's `local_addr` tells which.
pub async fn bind(addr: SocketAddr, allow_remote: bool) -> Result<TcpListener, ServeError> {
    if !addr.ip().is_loopback() && !allow_remote {
        return Err(ServeError::NotLoopback(addr));
    }
    TcpListener::bind(addr)
        .await
        .map_err(|e| ServeError::Bind(addr, e))
}

/// Default cap on connections served at once ([`ServeOptions::max_connections`]). Each open
/// connection holds a file descriptor; 256 leaves room under the usual limit of 1,024 open files
/// for the database and the uploads' temporary files, and is well above what a club's browsers
/// keep open (a browser holds up to six connections to one server).
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

/// Default time a client has to send a request's headers, and the longest an idle keep-alive
/// connection stays open ([`ServeOptions::header_read_timeout`]): 10 s is long for headers
/// (a browser sends them at once) and short enough that a slow-headers attacker ("slowloris")
/// holds a connection for a moment only.
pub const DEFAULT_HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long a graceful shutdown waits for requests in flight before it closes their
/// connections anyway.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// How long the accept loop pauses after a failed `accept` (e.g. out of file descriptors)
/// before trying again, so a full descriptor table does not become a busy loop.
const ACCEPT_RETRY: std::time::Duration = std::time::Duration::from_millis(100);

/// How the server treats connections: against slow or too many clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeOptions {
    /// Connections served at once. The next client waits in the operating system's queue until
    /// one closes: a flood of connections cannot exhaust the process's file descriptors, and
    /// with [`header_read_timeout`](Self::header_read_timeout) slow ones make room quickly.
    pub max_connections: usize,
    /// Time allowed to send a request's headers (and to stay idle between requests on a kept
    /// connection); the connection is closed after it.
    pub header_read_timeout: std::time::Duration,
}

impl Default for ServeOptions {
    /// [`DEFAULT_MAX_CONNECTIONS`] and [`DEFAULT_HEADER_READ_TIMEOUT`].
    fn default() -> Self {
        Self {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
        }
    }
}

/// Serves `state`'s application on `listener` with the default [`ServeOptions`]; see
/// [`serve_with`].
pub async fn serve<F>(listener: TcpListener, state: AppState, shutdown: F) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    serve_with(listener, state, ServeOptions::default(), shutdown).await
}

/// Serves `state`'s application on `listener` until `shutdown` completes or the process gets
/// Ctrl-C or SIGTERM; requests in flight are finished first (graceful shutdown, at most
/// 30 s). HTTP/1.1 over hyper: at most `options.max_connections` connections at once, each
/// closed when its headers take longer than `options.header_read_timeout`. (Upload bodies have
/// their own idle timeout, [`Limits::body_read_timeout`].)
pub async fn serve_with<F>(
    listener: TcpListener,
    state: AppState,
    options: ServeOptions,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;

    let router = app(state);
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(options.max_connections.max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout)
        .keep_alive(true);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let stop = async move {
        tokio::select! {
            () = shutdown => {}
            () = termination_signal() => {}
        }
    };
    tokio::pin!(stop);
    loop {
        // A free slot first, then the next connection: past the cap, clients wait in the
        // kernel's queue instead of holding descriptors here.
        let slot = tokio::select! {
            slot = std::sync::Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors, or a connection reset before it was accepted: not
                    // the server's end. Pause, so a full table is not a busy loop.
                    eprintln!("fettle-web: cannot accept a connection: {e}");
                    drop(slot);
                    tokio::time::sleep(ACCEPT_RETRY).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        // Small answers go out at once (no Nagle delay).
        let _ = stream.set_nodelay(true);
        // The peer address reaches the handlers: the login rate limit counts per client.
        let service = router.clone().map_request(move |mut request: Request<_>| {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
            request
        });
        let connection = http.serve_connection(
            TokioIo::new(stream),
            hyper_util::service::TowerToHyperService::new(service),
        );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that vanishes or times out ends its connection: nothing to report.
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            eprintln!("fettle-web: requests still running after {} s: stopping anyway", SHUTDOWN_GRACE.as_secs());
        }
    }
    Ok(())
}

/// Completes on Ctrl-C or (on Unix) SIGTERM. If a handler cannot be installed, that signal is
/// simply not awaited.
async fn termination_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_are_split_from_ports_including_ipv6() {
        assert_eq!(host_name("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_name("[::1]:8080"), "::1");
        assert_eq!(host_name("localhost"), "localhost");
    }

    /// The layers of [`app`] that turn failures into answers, around one route.
    fn guarded(route: Router) -> Router {
        route
            .layer(from_fn(error::json_errors))
            .layer(tower_http::catch_panic::CatchPanicLayer::custom(
                error::panic_response,
            ))
            .layer(from_fn_with_state(
                Hosts {
                    allowed: Vec::new(),
                    any: false,
                },
                guard_origin,
            ))
    }

    async fn answer(router: Router, request: Request) -> (StatusCode, serde_json::Value) {
        use tower::ServiceExt as _;
        let response = router.oneshot(request).await.expect("infallible");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024)
            .await
            .expect("body");
        (status, serde_json::from_slice(&bytes).expect("JSON"))
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_a_generic_json_500_with_an_id() {
        let router = guarded(Router::new().route(
            "/boom",
            axum::routing::get(|| async {
                if true {
                    panic!("secret detail /home/me/fettle.sqlite");
                }
                "unreachable"
            }),
        ));
        let request = Request::builder()
            .uri("/boom")
            .body(axum::body::Body::empty())
            .expect("valid");
        let (status, body) = answer(router, request).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["error"]["code"], "internal");
        let id = body["error"]["id"].as_str().expect("an id");
        assert_eq!(id.len(), 12);
        let message = body["error"]["message"].as_str().expect("a message");
        assert!(message.contains(id), "{message}");
        assert!(
            !message.contains("secret") && !message.contains("/home"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn an_origin_with_non_ascii_bytes_is_refused_not_skipped() {
        let router = guarded(Router::new().route("/w", axum::routing::post(|| async { "done" })));
        let request = Request::builder()
            .method(Method::POST)
            .uri("/w")
            .header(header::HOST, "127.0.0.1:8080")
            .header(
                header::ORIGIN,
                HeaderValue::from_bytes(b"http://\xe9vil.example").expect("opaque bytes allowed"),
            )
            .body(axum::body::Body::empty())
            .expect("valid");
        let (status, body) = answer(router, request).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }

    #[test]
    fn only_ip_literals_localhost_and_allowed_names_are_accepted_hosts() {
        let allowed = vec!["coach.lan".to_owned()];
        assert!(host_allowed("127.0.0.1:8080", &allowed));
        assert!(host_allowed("[::1]:80", &allowed));
        assert!(host_allowed("LocalHost:3000", &allowed));
        assert!(host_allowed("coach.lan:8080", &allowed));
        assert!(!host_allowed("evil.example:8080", &allowed));
    }
}
