//! Logging in and out with the HTML form (multi-user mode): `POST /login` and `POST /logout`.
//! The page itself (`GET /login`) is one of the dashboard's pages ([`assets`](crate::assets));
//! this module gives it its login-CSRF cookie.
//!
//! Login CSRF (another site logging the victim into the attacker's account, so what the victim
//! records lands with the attacker) is stopped by a double-submit token: `GET /login` sets the
//! random cookie `fettle_login_csrf`, the page copies it into the form's hidden field `csrf`,
//! and `POST /login` accepts only when both are present and equal. Another site can make the
//! browser post the form but can neither read nor set our cookie. The cookie is readable by
//! the page's script (not HttpOnly) because the page is static; it guards only this form and
//! is no credential.
//!
//! Answers: success → `303` to `next` (a path of this site only, never another host) or `/`,
//! with the session cookie; wrong e-mail or password → `303 /login?error=1` (one message for
//! both, so the form does not tell which addresses have accounts); missing or stale form token
//! → `303 /login?error=csrf`; too many failures → `429` JSON with `Retry-After` (seconds), or
//! for a browser (`Accept` names `text/html`) `303 /login?error=rate` with `Retry-After`.

use axum::Form;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fettle_app::AppError;
use fettle_app::accounts::{SESSION_LIFETIME, Secret, login, logout, session_user};
use serde::Deserialize;

use crate::auth::{
    ClientAddr, LoggedUser, SESSION_COOKIE, blocking, cookie, csrf_refused, same_secret,
    secure_request, see_other, set_cookie,
};
use crate::error::ApiError;
use crate::state::AppState;

/// The login form's double-submit cookie.
pub(crate) const LOGIN_CSRF_COOKIE: &str = "fettle_login_csrf";

/// How long the login form's token lives, seconds: an hour on the login page is plenty.
const LOGIN_CSRF_MAX_AGE: i64 = 60 * 60;

/// The longest e-mail address (RFC 5321's path limit), also the longest rate-limit key kept.
const MAX_EMAIL_CHARS: usize = 254;

/// The 404 of the login routes in single-user mode.
fn single_user_login() -> Response {
    ApiError::not_found(
        "there is no login in single-user mode: start the server with `fettle serve \
         --multi-user` for accounts",
    )
    .into_response()
}

/// Adds the login-CSRF cookie to `GET /login` answers when the browser does not have one yet
/// (multi-user mode only; a middleware so the page itself stays a plain static page).
pub(crate) async fn login_csrf_cookie(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let wants_form = request.method() == Method::GET && request.uri().path() == "/login";
    let Some(multi) = state.multi().filter(|_| wants_form) else {
        return next.run(request).await;
    };
    let has_token = cookie(request.headers(), LOGIN_CSRF_COOKIE).is_some();
    let secure = secure_request(multi, request.headers());
    let mut response = next.run(request).await;
    if !has_token && response.status().is_success() {
        let token = match Secret::generate() {
            Ok(token) => token,
            Err(e) => return ApiError::from(e).into_response(),
        };
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(
                LOGIN_CSRF_COOKIE,
                token.expose(),
                LOGIN_CSRF_MAX_AGE,
                secure,
                true,
            ),
        );
    }
    response
}

/// The login form's fields.
#[derive(Deserialize)]
pub(crate) struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

/// Where to go after logging in: `next` when it is a path of this site (starts with one `/`,
/// no backslash or control character, not the login page itself), else `/`. Anything else
/// could send the freshly logged-in user to another site (an open redirect).
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/login")
                && path.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            path
        }
        _ => "/",
    }
}

/// Whether the client is a browser navigating (its `Accept` names HTML), not a script.
fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// Too many failed logins: `429` JSON with `Retry-After` in whole seconds (rounded up); for a
/// browser posting the form, `303 /login?error=rate` (with the same `Retry-After`), so the person
/// sees the login page saying why instead of a JSON document.
pub(crate) fn too_many_attempts(wait: std::time::Duration, browser: bool) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut response = if browser {
        see_other("/login?error=rate")
    } else {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "too many wrong passwords for this account or from this address: try again in \
                 {seconds} s"
            ),
        )
        .into_response()
    };
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// `POST /login`.
pub(crate) async fn login_form(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let Some(multi) = state.multi() else {
        return single_user_login();
    };
    let form_token = cookie(&headers, LOGIN_CSRF_COOKIE);
    if !form_token.is_some_and(|token| same_secret(token, &form.csrf)) {
        return see_other("/login?error=csrf");
    }
    let email: String = form
        .email
        .trim()
        .to_lowercase()
        .chars()
        .take(MAX_EMAIL_CHARS)
        .collect();
    // Counted before the argon2 work, in one step: concurrent guesses cannot all pass a check
    // made before any of them is counted.
    let attempt = match multi.limiter.reserve(&email, client) {
        Ok(attempt) => attempt,
        Err(wait) => return too_many_attempts(wait, wants_html(&headers)),
    };
    let secure = secure_request(multi, &headers);
    let next = safe_next(form.next.as_deref()).to_owned();
    let outcome = {
        // One argon2id verification per core at a time (see `MultiUser::login_slots`).
        let _slot = multi.login_slots.acquire().await;
        let (email, password) = (email.clone(), form.password);
        let now = state.now();
        blocking(multi, move |db| {
            match login(db, &email, &password, now) {
                // A malformed address is a wrong login like any other.
                Err(AppError::Invalid(_)) => Ok(None),
                other => other,
            }
        })
        .await
    };
    match outcome {
        Ok(Some(outcome)) => {
            multi.limiter.succeeded(attempt);
            let mut response = see_other(&next);
            let lifetime = SESSION_LIFETIME.as_secs();
            let headers = response.headers_mut();
            headers.append(
                header::SET_COOKIE,
                set_cookie(
                    SESSION_COOKIE,
                    outcome.session_secret.expose(),
                    lifetime,
                    secure,
                    false,
                ),
            );
            // The form token has served its purpose.
            headers.append(
                header::SET_COOKIE,
                set_cookie(LOGIN_CSRF_COOKIE, "", 0, secure, true),
            );
            response
                .extensions_mut()
                .insert(LoggedUser(outcome.user.id));
            response
        }
        // The reservation stays counted: a failed login.
        Ok(None) => see_other("/login?error=1"),
        // The server failed, not the guess: give the attempt back.
        Err(e) => {
            multi.limiter.succeeded(attempt);
            e.into_response()
        }
    }
}

/// The logout form's field.
#[derive(Deserialize)]
pub(crate) struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /logout`: ends the session (when the form carries its CSRF token), clears the
/// cookie, and goes to the login page.
pub(crate) async fn logout_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    let Some(multi) = state.multi() else {
        return single_user_login();
    };
    let secure = secure_request(multi, &headers);
    if let Some(secret) = cookie(&headers, SESSION_COOKIE) {
        let secret = secret.to_owned();
        let now = state.now();
        let lookup = secret.clone();
        let session = match blocking(multi, move |db| session_user(db, &lookup, now)).await {
            Ok(session) => session,
            Err(e) => return e.into_response(),
        };
        if let Some(session) = session {
            // Another site must not be able to log the user out either.
            if !same_secret(&form.csrf, &session.csrf_token) {
                return csrf_refused().into_response();
            }
            if let Err(e) = blocking(multi, move |db| logout(db, &secret)).await {
                return e.into_response();
            }
        }
    }
    let mut response = see_other("/login");
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, secure, false),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_followed_after_login() {
        assert_eq!(
            safe_next(Some("/training?athlete=3")),
            "/training?athlete=3"
        );
        assert_eq!(safe_next(Some("/")), "/");
        for unsafe_next in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/login?next=/",
            "relative",
            "/a b",
            "/line\nbreak",
        ] {
            assert_eq!(safe_next(Some(unsafe_next)), "/", "{unsafe_next:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let response = too_many_attempts(std::time::Duration::from_millis(1500), false);
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "2");
        let page = too_many_attempts(std::time::Duration::from_secs(60), true);
        assert_eq!(page.status(), StatusCode::SEE_OTHER);
        assert_eq!(page.headers()[header::LOCATION], "/login?error=rate");
        assert_eq!(page.headers()[header::RETRY_AFTER], "60");
    }
}
