//! Who is asking, and for whom: the authentication middleware, CSRF, and cookies.
//!
//! [`authenticate`] runs before routing on every request:
//! - single-user mode: every API request acts for the state's athlete; the athlete-scoped
//!   prefix `/api/v1/athletes/{athlete_id}/…` answers for that athlete's id only (404 for any
//!   other, exactly as a multi-user server answers a stranger);
//! - multi-user mode, `/api/…`: an `Authorization: Bearer` API token or the `fettle_session`
//!   cookie names the user (looked up on the blocking pool: the store is synchronous), else
//!   401. A cookie-authenticated request that changes something must carry the session's CSRF
//!   token in `X-CSRF-Token` (403 `csrf` otherwise): a cookie is sent by the browser whatever
//!   page asks, the header only by our own scripts. Bearer requests are exempt: a token is
//!   never sent on its own. Under the athlete-scoped prefix the athlete must be the caller's own
//!   or an active member of the caller's squad, else 404 (never 403: ids must not be
//!   enumerable);
//! - multi-user mode, pages: without a live session, `303 /login?next=PATH`. `/login`,
//!   `/logout` and `/assets/…` are public.
//!
//! The resolved athlete goes into the request ([`Acting`]), where
//! [`CurrentAthlete`](crate::CurrentAthlete) finds it; the user ([`Caller`]) too, for the
//! account endpoints.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fettle_app::accounts::{hash_secret, session_user, token_user};
use fettle_store::{Accounts, AthleteId, Role, SecretHash, User, UserId};
use jiff::Timestamp;
use std::sync::Arc;

use crate::error::{ApiError, on_blocking_pool};
use crate::state::{Acting, AppState, Mode, MultiUser};

/// The session cookie: the secret whose SHA-256 the database keeps.
pub(crate) const SESSION_COOKIE: &str = "fettle_session";
/// The header that carries the session's CSRF token on API writes.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";
/// The athlete-scoped prefix (followed by `{athlete_id}/…`).
pub(crate) const ATHLETES_PREFIX: &str = "/api/v1/athletes/";

/// The authenticated user of a multi-user request.
#[derive(Clone)]
pub(crate) struct Caller {
    /// Who.
    pub(crate) user: User,
    /// The session when the request came with the cookie; `None` with an API token.
    pub(crate) session: Option<CookieSession>,
}

/// The cookie session a request came with.
#[derive(Clone)]
pub(crate) struct CookieSession {
    /// The hash of the cookie's secret (to keep this session when the password changes).
    pub(crate) secret: SecretHash,
    /// The session's CSRF token.
    pub(crate) csrf: String,
}

/// Put in a response's extensions so the access log can name the user.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LoggedUser(pub(crate) UserId);

/// The 401 of every API request without valid credentials.
pub(crate) fn unauthorized() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "log in at /login, or send `Authorization: Bearer TOKEN` with an API token \
         (`fettle token create EMAIL`)",
    )
}

/// The 404 of an athlete the caller may not see: the same answer as an athlete that does not
/// exist, so ids cannot be probed.
fn no_such_athlete() -> ApiError {
    ApiError::not_found("no such athlete: a coach sees only the athletes of their squad")
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
        .filter(|value| !value.is_empty())
}

/// Compares two secrets in time independent of where they differ (a CSRF token must not be
/// guessable byte by byte from response times).
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Whether cookies set in answer to this request get `Secure`: the server says so, or the
/// request came through an HTTPS proxy.
pub(crate) fn secure_request(multi: &MultiUser, headers: &HeaderMap) -> bool {
    multi.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value: HttpOnly unless `script_readable`, SameSite=Lax (sent on top-level
/// navigation from other sites, so links into the dashboard work, never on their posts or
/// fetches), the whole site, `max_age` seconds (0 deletes it).
pub(crate) fn set_cookie(
    name: &str,
    value: &str,
    max_age: i64,
    secure: bool,
    script_readable: bool,
) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; SameSite=Lax; Max-Age={max_age}");
    if !script_readable {
        cookie.push_str("; HttpOnly");
    }
    if secure {
        cookie.push_str("; Secure");
    }
    // Names and values are ours (ASCII letters, digits, `_` and `-`): always a valid header.
    HeaderValue::from_str(&cookie).unwrap_or(HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// The client's address: the connection's peer, unless the peer is a reverse proxy the
/// operator named (`fettle serve --trusted-proxy ADDR`): then the address that proxy appended to
/// `X-Forwarded-For` (walking from the right past further named proxies). Nobody is trusted by
/// default: any client can write `X-Forwarded-For`, and believing it would give every request a
/// fresh address for the login limit. `None` when unknown (in-process tests): one shared
/// bucket.
pub(crate) struct ClientAddr(pub(crate) Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(ClientAddr(client_address(
            peer,
            &parts.headers,
            state.trusted_proxies(),
        )))
    }
}

/// See [`ClientAddr`].
fn client_address(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let is_trusted = |ip: IpAddr| trusted.contains(&ip.to_canonical());
    let mut client = peer?.to_canonical();
    if !is_trusted(client) {
        return Some(client);
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    // Each named proxy appended the address it was reached from: the rightmost entry that is
    // not one of them is the client. A malformed entry ends the walk (what lies left of it
    // was written by the client).
    for entry in forwarded.iter().rev() {
        let Ok(ip) = entry.trim().parse::<IpAddr>() else {
            break;
        };
        client = ip.to_canonical();
        if !is_trusted(client) {
            break;
        }
    }
    Some(client)
}

/// Runs an accounts lookup on the blocking pool.
pub(crate) async fn blocking<T, F>(multi: &MultiUser, call: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&dyn Accounts) -> Result<T, fettle_app::AppError> + Send + 'static,
{
    let accounts = Arc::clone(&multi.accounts);
    on_blocking_pool(move || call(&*accounts).map_err(ApiError::from)).await
}

/// What the request presented.
enum Credentials {
    Bearer(String),
    Cookie(String),
    None,
}

/// The credentials of a request; a malformed `Authorization` header is no credential (a 401,
/// not a fallback to the cookie: a script must learn its header is wrong).
fn credentials(headers: &HeaderMap) -> Result<Credentials, ApiError> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let value = value.to_str().map_err(|_| unauthorized())?;
        let (scheme, token) = value.split_once(' ').ok_or_else(unauthorized)?;
        if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
            return Err(unauthorized());
        }
        return Ok(Credentials::Bearer(token.trim().to_owned()));
    }
    Ok(
        cookie(headers, SESSION_COOKIE).map_or(Credentials::None, |secret| {
            Credentials::Cookie(secret.to_owned())
        }),
    )
}

/// The user behind the request's credentials, `None` when there are none or they are not valid.
async fn caller(
    multi: &MultiUser,
    headers: &HeaderMap,
    now: Timestamp,
) -> Result<Option<Caller>, ApiError> {
    match credentials(headers)? {
        Credentials::Bearer(token) => {
            let user = blocking(multi, move |db| token_user(db, &token, now)).await?;
            Ok(user.map(|user| Caller {
                user,
                session: None,
            }))
        }
        Credentials::Cookie(secret) => {
            let hash = hash_secret(&secret);
            let session = blocking(multi, move |db| session_user(db, &secret, now)).await?;
            Ok(session.map(|session| Caller {
                user: session.user,
                session: Some(CookieSession {
                    secret: hash,
                    csrf: session.csrf_token,
                }),
            }))
        }
        Credentials::None => Ok(None),
    }
}

/// The athlete id of an athlete-scoped path: `Some(Ok(id))`, `Some(Err(()))` when the id is
/// not a number, `None` when the path is not scoped.
fn scoped_athlete(path: &str) -> Option<Result<AthleteId, ()>> {
    let rest = path.strip_prefix(ATHLETES_PREFIX)?;
    let id = rest.split('/').next().unwrap_or_default();
    Some(id.parse::<i64>().map(AthleteId).map_err(|_| ()))
}

/// Whether a request changes state (and so needs the CSRF token when cookie-authenticated).
fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The middleware described in the module documentation.
pub(crate) async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let is_api = path.starts_with("/api/");
    match state.mode() {
        Mode::Single(athlete) => {
            if is_api {
                let own: AthleteId = *athlete;
                match scoped_athlete(&path) {
                    Some(Ok(id)) if id == own => {}
                    Some(_) => return no_such_athlete().into_response(),
                    None => {}
                }
                request.extensions_mut().insert(Acting(own));
            }
            next.run(request).await
        }
        Mode::Multi(multi) => {
            let multi = Arc::clone(multi);
            if is_api {
                api_request(&multi, &path, state.now(), request, next).await
            } else if is_public_page(&path) {
                next.run(request).await
            } else {
                page_request(&multi, state.now(), request, next).await
            }
        }
    }
}

/// Pages anyone may load: the login page and its form's targets, and the static files.
fn is_public_page(path: &str) -> bool {
    path == "/login" || path == "/logout" || path.starts_with("/assets/")
}

/// A multi-user API request: 401 without a user, 403 without the CSRF token, 404 for an
/// athlete the user may not see; else the request goes on with [`Acting`] and [`Caller`].
async fn api_request(
    multi: &MultiUser,
    path: &str,
    now: Timestamp,
    mut request: Request,
    next: Next,
) -> Response {
    let caller = match caller(multi, request.headers(), now).await {
        Ok(Some(caller)) => caller,
        Ok(None) => return unauthorized().into_response(),
        Err(e) => return e.into_response(),
    };
    if let Some(session) = &caller.session
        && changes_state(request.method())
    {
        let presented = request
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !same_secret(presented, &session.csrf) {
            return csrf_refused().into_response();
        }
    }
    let acting = match scoped_athlete(path) {
        None => caller.user.athlete,
        Some(Err(())) => return no_such_athlete().into_response(),
        Some(Ok(id)) if id == caller.user.athlete => id,
        Some(Ok(id)) => {
            if caller.user.role != Role::Coach {
                return no_such_athlete().into_response();
            }
            let coach = caller.user.id;
            match blocking(multi, move |db| Ok(db.coach_sees(coach, id)?)).await {
                Ok(true) => id,
                Ok(false) => return no_such_athlete().into_response(),
                Err(e) => return e.into_response(),
            }
        }
    };
    let user = caller.user.id;
    request.extensions_mut().insert(Acting(acting));
    request.extensions_mut().insert(caller);
    let mut response = next.run(request).await;
    response.extensions_mut().insert(LoggedUser(user));
    response
}

/// The 403 of a cookie-authenticated write without the session's CSRF token.
pub(crate) fn csrf_refused() -> ApiError {
    ApiError::with_code(
        StatusCode::FORBIDDEN,
        "csrf",
        "this change needs the `X-CSRF-Token` header with the session's token \
         (`csrf_token` in GET /api/v1/me); reload the page if it was open before logging in",
    )
}

/// A multi-user page: goes on with a live session, else redirects to the login page, which
/// comes back here afterwards.
async fn page_request(multi: &MultiUser, now: Timestamp, request: Request, next: Next) -> Response {
    let session = match cookie(request.headers(), SESSION_COOKIE) {
        Some(secret) => {
            let secret = secret.to_owned();
            match blocking(multi, move |db| session_user(db, &secret, now)).await {
                Ok(session) => session,
                Err(e) => return e.into_response(),
            }
        }
        None => None,
    };
    let Some(session) = session else {
        let target = request
            .uri()
            .path_and_query()
            .map_or("/", axum::http::uri::PathAndQuery::as_str);
        let location = format!("/login?next={}", percent_encode(target));
        return see_other(&location);
    };
    let mut response = next.run(request).await;
    response
        .extensions_mut()
        .insert(LoggedUser(session.user.id));
    response
}

/// A `303 See Other` to `location` (a path of this site).
pub(crate) fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// Percent-encodes a query value: everything but unreserved characters and `/`.
pub(crate) fn percent_encode(value: &str) -> String {
    use std::fmt::Write as _;
    value.bytes().fold(String::new(), |mut out, byte| {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_several_headers_and_pairs() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; fettle_x=2"));
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("fettle_session=s3cret"),
        );
        assert_eq!(cookie(&headers, "fettle_session"), Some("s3cret"));
        assert_eq!(cookie(&headers, "fettle_x"), Some("2"));
        assert_eq!(cookie(&headers, "fettle"), None);
    }

    #[test]
    fn secrets_compare_equal_only_when_identical() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert!(!same_secret("", "a"));
    }

    #[test]
    fn scoped_paths_name_their_athlete() {
        assert_eq!(
            scoped_athlete("/api/v1/athletes/12/status"),
            Some(Ok(AthleteId(12)))
        );
        assert_eq!(scoped_athlete("/api/v1/athletes/x/status"), Some(Err(())));
        assert_eq!(scoped_athlete("/api/v1/status"), None);
    }

    #[test]
    fn next_paths_are_percent_encoded() {
        assert_eq!(
            percent_encode("/activities/3?athlete=2&x=a b"),
            "/activities/3%3Fathlete%3D2%26x%3Da%20b"
        );
    }

    fn client_of(peer: &str, forwarded: Option<&str>, trusted: &[&str]) -> Option<IpAddr> {
        let mut headers = HeaderMap::new();
        if let Some(forwarded) = forwarded {
            headers.insert(
                "x-forwarded-for",
                HeaderValue::from_str(forwarded).expect("valid"),
            );
        }
        let peer: SocketAddr = peer.parse().expect("an address");
        let trusted: Vec<IpAddr> = trusted
            .iter()
            .map(|t| t.parse().expect("an address"))
            .collect();
        client_address(Some(peer.ip()), &headers, &trusted)
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_a_named_proxy() {
        let ip = |s: &str| s.parse::<IpAddr>().ok();
        // Nobody is trusted by default, not even this machine: the header is the client's
        // own claim.
        assert_eq!(
            client_of("127.0.0.1:4000", Some("203.0.113.9"), &[]),
            ip("127.0.0.1")
        );
        // A named proxy appends the client's address last; earlier entries are the client's
        // own claims.
        assert_eq!(
            client_of(
                "127.0.0.1:4000",
                Some("6.6.6.6, 203.0.113.9"),
                &["127.0.0.1"]
            ),
            ip("203.0.113.9")
        );
        // Two named proxies in a row: the first untrusted address from the right.
        assert_eq!(
            client_of(
                "10.0.0.2:4000",
                Some("6.6.6.6, 203.0.113.9, 10.0.0.1"),
                &["10.0.0.1", "10.0.0.2"]
            ),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_of("127.0.0.1:4000", None, &["127.0.0.1"]),
            ip("127.0.0.1")
        );
        // A peer that is not named: its header is ignored.
        assert_eq!(
            client_of("198.51.100.7:4000", Some("203.0.113.9"), &["127.0.0.1"]),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn malformed_authorization_is_no_credential() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert!(credentials(&headers).is_err());
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer  t1 "),
        );
        assert!(matches!(credentials(&headers), Ok(Credentials::Bearer(t)) if t == "t1"));
    }
}
