//! The access log of a multi-user server: one line per request on stderr, for the operator to
//! see who used the server and how it answered.
//!
//! A line holds the method, the path, the status, the latency and the user's id (`-` when
//! there is none): `fettle-web: GET /api/v1/status 200 3ms user=7`. Never the query string
//! (dates and ids of someone's health history), cookies, tokens, bodies or e-mail addresses: a
//! path segment that looks like an address (the squad's `members/{email}`) is written as
//! `{email}`. Single-user mode logs nothing: the only user is the one at the terminal.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::auth::LoggedUser;

/// The longest path written; the rest is cut (a path is attacker-chosen text).
const MAX_LOGGED_PATH_CHARS: usize = 200;

/// The middleware: `enabled` is whether the server is in multi-user mode.
pub(crate) async fn access_log(
    State(enabled): State<bool>,
    request: Request,
    next: Next,
) -> Response {
    if !enabled {
        return next.run(request).await;
    }
    let started = Instant::now();
    let method = request.method().clone();
    let path = loggable_path(request.uri().path());
    let response = next.run(request).await;
    let user = response
        .extensions()
        .get::<LoggedUser>()
        .map_or_else(|| "-".to_owned(), |user| user.0.to_string());
    eprintln!(
        "fettle-web: {method} {path} {} {}ms user={user}",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}

/// The path as logged: e-mail-like segments replaced, cut to [`MAX_LOGGED_PATH_CHARS`].
fn loggable_path(path: &str) -> String {
    let redacted: Vec<&str> = path
        .split('/')
        .map(|segment| {
            if segment.contains('@') || segment.to_ascii_lowercase().contains("%40") {
                "{email}"
            } else {
                segment
            }
        })
        .collect();
    redacted
        .join("/")
        .chars()
        .take(MAX_LOGGED_PATH_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_in_paths_are_not_logged() {
        assert_eq!(
            loggable_path("/api/v1/squad/members/ann%40club.example"),
            "/api/v1/squad/members/{email}"
        );
        assert_eq!(
            loggable_path("/api/v1/squad/members/ann@club.example"),
            "/api/v1/squad/members/{email}"
        );
        assert_eq!(
            loggable_path("/api/v1/activities/12"),
            "/api/v1/activities/12"
        );
        assert_eq!(
            loggable_path(&"/a".repeat(300)).len(),
            MAX_LOGGED_PATH_CHARS
        );
    }
}
