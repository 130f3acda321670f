//! The dashboard's files, embedded in the binary: the pages, one stylesheet, the scripts and the
//! vendored uPlot chart library. Nothing is fetched from elsewhere, so the dashboard works
//! offline.
//!
//! Every page is the same shell (`page.html`) that `app.js` fills from the API, except the login
//! page, whose form is in the HTML itself: it is a plain form post, and it must not wait for
//! (or call) an API that answers 401 until the user has logged in.
//!
//! Every file is served with an ETag (a hash of its bytes, computed once) and answers
//! `If-None-Match` with 304. The vendored library's URL carries its version, so it is cached for
//! a year; Fettle's own files are revalidated on each load (`no-cache`), which costs a 304 and
//! guarantees a new binary's files are picked up.

use std::sync::LazyLock;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;

/// The vendored uPlot release (npm `uplot`), also in its folder name and its URL.
pub const UPLOT_VERSION: &str = "1.6.32";

/// How long a versioned (immutable) file may be cached: a year, the conventional maximum.
const IMMUTABLE_CACHE: &str = "public, max-age=31536000, immutable";
/// Fettle's own files: cache, but revalidate with the ETag every time.
const REVALIDATE_CACHE: &str = "no-cache";

/// One embedded file.
struct Embedded {
    path: &'static str,
    content_type: &'static str,
    cache_control: &'static str,
    bytes: &'static [u8],
}

/// The embedded static files.
const FILES: &[Embedded] = &[
    Embedded {
        path: "/assets/app.css",
        content_type: "text/css; charset=utf-8",
        cache_control: REVALIDATE_CACHE,
        bytes: include_bytes!("../assets/app.css"),
    },
    Embedded {
        path: "/assets/app.js",
        content_type: "text/javascript; charset=utf-8",
        cache_control: REVALIDATE_CACHE,
        bytes: include_bytes!("../assets/app.js"),
    },
    Embedded {
        path: "/assets/chart.js",
        content_type: "text/javascript; charset=utf-8",
        cache_control: REVALIDATE_CACHE,
        bytes: include_bytes!("../assets/chart.js"),
    },
    Embedded {
        path: "/assets/icon.svg",
        content_type: "image/svg+xml",
        cache_control: REVALIDATE_CACHE,
        bytes: include_bytes!("../assets/icon.svg"),
    },
    Embedded {
        path: "/assets/vendor/uplot-1.6.32/uPlot.iife.min.js",
        content_type: "text/javascript; charset=utf-8",
        cache_control: IMMUTABLE_CACHE,
        bytes: include_bytes!("../assets/vendor/uplot-1.6.32/uPlot.iife.min.js"),
    },
    Embedded {
        path: "/assets/vendor/uplot-1.6.32/uPlot.min.css",
        content_type: "text/css; charset=utf-8",
        cache_control: IMMUTABLE_CACHE,
        bytes: include_bytes!("../assets/vendor/uplot-1.6.32/uPlot.min.css"),
    },
    Embedded {
        path: "/assets/vendor/uplot-1.6.32/LICENSE",
        content_type: "text/plain; charset=utf-8",
        cache_control: IMMUTABLE_CACHE,
        bytes: include_bytes!("../assets/vendor/uplot-1.6.32/LICENSE"),
    },
];

/// The HTML shell every page shares; `{{page}}`, `{{title}}`, `{{body}}` and `{{where}}` are
/// filled per page.
const PAGE_TEMPLATE: &str = include_str!("../assets/page.html");

/// The login form, the body of the `login` page.
const LOGIN_BODY: &str = include_str!("../assets/login.html");

/// What a page shows until `app.js` has drawn it.
const LOADING_BODY: &str = r#"<p class="muted">Loading…</p>"#;

/// The footer's sentence about where the data is. The dashboard pages start with the
/// single-user wording and `app.js` replaces it on a multi-user server; the login page exists
/// for the multi-user server only and does not ask the API which mode it runs in.
const WHERE_SINGLE_USER: &str = "Fettle runs on this computer; your data stays here.";
/// The login page's footer sentence.
const WHERE_LOGIN: &str = "Only you and the coaches you accept see your data.";

/// The dashboard's pages: URL path, the page key `app.js` dispatches on, the title.
pub const PAGES: &[(&str, &str, &str)] = &[
    ("/", "today", "Today"),
    ("/training", "training", "Training"),
    ("/activities", "activities", "Activities"),
    ("/activities/{id}", "activity", "Activity"),
    ("/recovery", "recovery", "Recovery"),
    ("/plan", "plan", "Plan"),
    ("/import", "import", "Import"),
    ("/profile", "profile", "Profile"),
    ("/login", "login", "Log in"),
    ("/account", "account", "Account"),
    ("/squad", "squad", "Squad"),
];

/// A file ready to serve: its bytes, headers and ETag.
struct Prepared {
    bytes: Vec<u8>,
    content_type: &'static str,
    cache_control: &'static str,
    etag: HeaderValue,
}

impl Prepared {
    fn new(bytes: Vec<u8>, content_type: &'static str, cache_control: &'static str) -> Self {
        let tag = format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&bytes));
        // A quoted hex string is always a valid header value.
        let etag = HeaderValue::from_str(&tag).unwrap_or(HeaderValue::from_static("\"0\""));
        Self {
            bytes,
            content_type,
            cache_control,
            etag,
        }
    }

    /// 304 when the client holds this version, the file otherwise.
    fn respond(&'static self, request: &HeaderMap) -> Response {
        let mut response = if client_has(request, &self.etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let mut full = self.bytes.as_slice().into_response();
            full.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(self.content_type),
            );
            full
        };
        let headers = response.headers_mut();
        headers.insert(header::ETAG, self.etag.clone());
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(self.cache_control),
        );
        response
    }
}

/// Whether `If-None-Match` names `etag` (or `*`); weak tags compare equal to strong ones, as
/// RFC 9110 §13.1.2 asks for this header.
fn client_has(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let Some(wanted) = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let ours = etag.to_str().unwrap_or_default();
    wanted
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == ours)
}

/// Fills the page template for one page.
fn render_page(page: &str, title: &str) -> String {
    let (body, place) = if page == "login" {
        (LOGIN_BODY, WHERE_LOGIN)
    } else {
        (LOADING_BODY, WHERE_SINGLE_USER)
    };
    PAGE_TEMPLATE
        .replace("{{page}}", page)
        .replace("{{title}}", title)
        .replace("{{body}}", body)
        .replace("{{where}}", place)
        .replace("{{uplot}}", UPLOT_VERSION)
}

static PREPARED_FILES: LazyLock<Vec<Prepared>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|f| Prepared::new(f.bytes.to_vec(), f.content_type, f.cache_control))
        .collect()
});

static PREPARED_PAGES: LazyLock<Vec<Prepared>> = LazyLock::new(|| {
    PAGES
        .iter()
        .map(|(_, page, title)| {
            Prepared::new(
                render_page(page, title).into_bytes(),
                "text/html; charset=utf-8",
                REVALIDATE_CACHE,
            )
        })
        .collect()
});

/// The router of every page and file.
pub(crate) fn router() -> Router<AppState> {
    let mut router = Router::new();
    for (i, file) in FILES.iter().enumerate() {
        router = router.route(
            file.path,
            get(move |headers: HeaderMap| async move { PREPARED_FILES[i].respond(&headers) }),
        );
    }
    for (i, (path, _, _)) in PAGES.iter().enumerate() {
        router = router.route(
            path,
            get(move |headers: HeaderMap| async move { PREPARED_PAGES[i].respond(&headers) }),
        );
    }
    router
}
