//! Opening a database from the one string a user gives (`--database`, `FETTLE_DATABASE`): a
//! PostgreSQL URL, a PostgreSQL connection string (libpq's `key=value` form), or a SQLite file
//! path; and naming it in messages without its password ([`redact_location`]).

use crate::accounts::Database;
use crate::error::{StoreError, StoreResult};
#[cfg(feature = "postgres")]
use crate::postgres::PgStore;
use crate::sqlite::SqliteStore;

/// The keywords of a libpq connection string (PostgreSQL documentation, "Connection Strings",
/// §32.1.2 "Parameter Key Words"). A location that starts with one of them followed by `=` is
/// a connection string, never a file name.
const LIBPQ_KEYWORDS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "require_auth",
    "channel_binding",
    "connect_timeout",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "replication",
    "gssencmode",
    "sslmode",
    "requiressl",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslkeylogfile",
    "sslpassword",
    "sslcertmode",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "service",
    "target_session_attrs",
    "load_balance_hosts",
];

/// The keys whose values are secrets, in a URL's query or a connection string.
const SECRET_KEYS: &[&str] = &["password", "sslpassword"];

/// What a database location names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocationKind {
    /// A `postgres://` or `postgresql://` URL (scheme in any case).
    PostgresUrl,
    /// A libpq connection string: `host=db.example dbname=club user=fettle`.
    PostgresConnectionString,
    /// A URL of a scheme Fettle does not open (`mysql://…`), lower-cased.
    UnsupportedUrl(String),
    /// Anything else: a SQLite file path.
    Path,
}

impl LocationKind {
    /// Whether the location is a PostgreSQL database (by URL or connection string).
    pub fn is_postgres(&self) -> bool {
        matches!(
            self,
            LocationKind::PostgresUrl | LocationKind::PostgresConnectionString
        )
    }
}

/// Tells what `location` names (see [`LocationKind`]); leading and trailing spaces are ignored.
pub fn location_kind(location: &str) -> LocationKind {
    let location = location.trim();
    match url_scheme(location) {
        Some(scheme) if scheme == "postgres" || scheme == "postgresql" => LocationKind::PostgresUrl,
        Some(scheme) => LocationKind::UnsupportedUrl(scheme),
        None if is_connection_string(location) => LocationKind::PostgresConnectionString,
        None => LocationKind::Path,
    }
}

/// Opens the database at `location`: a PostgreSQL URL or connection string connects with
/// [`PgStore::connect`]; anything else is a file path opened (created if needed) with
/// [`SqliteStore::open`]. Migrations are applied either way.
///
/// An empty location, and a URL of another scheme (`mysql://…`, which would otherwise become
/// an oddly named SQLite file), fail with [`StoreError::Invalid`] saying what is accepted. No
/// error message contains a password the location holds.
pub fn open(location: &str) -> StoreResult<Box<dyn Database>> {
    if location.trim().is_empty() {
        return Err(StoreError::Invalid(
            "no database given: pass a SQLite file path or a postgres://user@host/db URL"
                .to_owned(),
        ));
    }
    match location_kind(location) {
        #[cfg(feature = "postgres")]
        LocationKind::PostgresUrl | LocationKind::PostgresConnectionString => {
            Ok(Box::new(PgStore::connect(location.trim())?))
        }
        #[cfg(not(feature = "postgres"))]
        LocationKind::PostgresUrl | LocationKind::PostgresConnectionString => {
            Err(StoreError::Invalid(
                "this fettle was built without PostgreSQL support: pass a SQLite file path, or \
                 build fettle with `--features postgres`"
                    .to_owned(),
            ))
        }
        LocationKind::UnsupportedUrl(scheme) => Err(StoreError::Invalid(format!(
            "unsupported database URL scheme `{scheme}://`: pass a SQLite file path or a \
             postgres://user@host/db URL"
        ))),
        LocationKind::Path => Ok(Box::new(SqliteStore::open(location)?)),
    }
}

/// `location` fit for a message or a log: every password it holds replaced by `…` — a URL's
/// `user:password@`, a `password=` (or `sslpassword=`) query parameter, a connection string's
/// `password=` value. A connection string that cannot be read is replaced whole, as its
/// password cannot be found for sure.
pub fn redact_location(location: &str) -> String {
    match location_kind(location) {
        LocationKind::PostgresUrl | LocationKind::UnsupportedUrl(_) => redact_url(location),
        LocationKind::PostgresConnectionString => redact_connection_string(location.trim())
            .unwrap_or_else(|| "a PostgreSQL connection string (not shown)".to_owned()),
        LocationKind::Path => location.to_owned(),
    }
}

/// The lower-cased scheme of `scheme://…` (letters, digits, `+`, `-`, `.`, starting with a
/// letter, as RFC 3986 has it); `None` for anything else, such as a path.
fn url_scheme(location: &str) -> Option<String> {
    let (scheme, _) = location.split_once("://")?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// Whether `location` starts with `keyword=` (spaces allowed around `=`) for a libpq keyword.
fn is_connection_string(location: &str) -> bool {
    let Some((key, _)) = location.split_once('=') else {
        return false;
    };
    let key = key.trim_end();
    LIBPQ_KEYWORDS.contains(&key)
}

/// What is shown instead of a URL whose password cannot be found for sure.
const UNREADABLE_URL: &str =
    "a database URL (not shown: a password in it could not be cut out for sure)";

/// A URL with the password of its user information and its secret query parameters replaced.
///
/// The PostgreSQL driver checks the result: when it reads a password from what is left other
/// than the `…` put in its place (a password holding `/`, `?` or `#`, which a URL should have
/// percent-encoded), or when it cannot read the URL at all but the URL may hold a password,
/// the whole URL is replaced.
fn redact_url(url: &str) -> String {
    let redacted = redact_url_parts(url);
    // Without the driver (or where it cannot read the URL): a ':' before the last '@' may
    // still start a password.
    let by_syntax = |text: &str| {
        let rest = text.split_once("://").map_or(text, |(_, rest)| rest);
        let rest = rest.replace(":…@", "@");
        rest.rsplit_once('@')
            .is_some_and(|(userinfo, _)| userinfo.contains(':'))
    };
    #[cfg(feature = "postgres")]
    let password_left = |text: &str| match text.parse::<postgres::Config>() {
        Ok(config) => config.get_password().is_some_and(|p| p != "…".as_bytes()),
        Err(_) => by_syntax(text),
    };
    #[cfg(not(feature = "postgres"))]
    let password_left = by_syntax;
    if password_left(&redacted) {
        UNREADABLE_URL.to_owned()
    } else {
        redacted
    }
}

/// [`redact_url`]'s replacement, by the URL's syntax alone.
fn redact_url_parts(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    // The authority ends at the first '/', '?' or '#'; the user information at its last '@'
    // (a password may itself contain '@').
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:…@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let (path, query_and_fragment) = match tail.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (tail, None),
    };
    let Some(query_and_fragment) = query_and_fragment else {
        return format!("{scheme}://{authority}{tail}");
    };
    let (query, fragment) = match query_and_fragment.split_once('#') {
        Some((query, fragment)) => (query, Some(fragment)),
        None => (query_and_fragment, None),
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _value)) if is_secret_key(&percent_decode(key)) => format!("{key}=…"),
            _ => pair.to_owned(),
        })
        .collect();
    let fragment = fragment.map_or(String::new(), |f| format!("#{f}"));
    format!("{scheme}://{authority}{path}?{}{fragment}", query.join("&"))
}

fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS.contains(&key.trim().to_ascii_lowercase().as_str())
}

/// Decodes `%XX` escapes (as a URL's query keys may be written); anything malformed is kept.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A connection string with its secret values replaced, read as libpq does: `key = value`
/// pairs separated by spaces, a value either single-quoted (with `\'` and `\\` escapes) or
/// running to the next space. `None` when it cannot be read that way.
fn redact_connection_string(text: &str) -> Option<String> {
    let mut pairs = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let (key, after_key) = rest.split_once('=')?;
        let key = key.trim();
        if key.is_empty() || key.contains(char::is_whitespace) {
            return None;
        }
        let after_key = after_key.trim_start();
        let (value, after_value) = if let Some(quoted) = after_key.strip_prefix('\'') {
            let mut end = None;
            let mut escaped = false;
            for (i, c) in quoted.char_indices() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '\'' => {
                        end = Some(i);
                        break;
                    }
                    _ => {}
                }
            }
            let end = end?;
            (&after_key[..end + 2], &quoted[end + 1..])
        } else {
            let end = after_key
                .find(char::is_whitespace)
                .unwrap_or(after_key.len());
            after_key.split_at(end)
        };
        if is_secret_key(key) {
            pairs.push(format!("{key}=…"));
        } else {
            pairs.push(format!("{key}={value}"));
        }
        rest = after_value.trim_start();
    }
    Some(pairs.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_recognised_only_in_url_form() {
        assert_eq!(url_scheme("postgres://u@h/db").as_deref(), Some("postgres"));
        assert_eq!(
            url_scheme("PostgreSQL://u@h/db").as_deref(),
            Some("postgresql")
        );
        assert_eq!(url_scheme("/var/lib/fettle/fettle.sqlite"), None);
        assert_eq!(url_scheme("fettle.sqlite"), None);
        // A relative path whose first directory has an odd name is still a path.
        assert_eq!(url_scheme("data dir://x.sqlite"), None);
    }

    #[test]
    fn a_path_opens_sqlite_with_the_accounts_tables() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("fettle.sqlite");
        let path = path.to_str().expect("utf-8 temp path");
        {
            let db = open(path).expect("open");
            db.create_user(
                &crate::NewUser {
                    email: "ann@example.com",
                    role: crate::Role::Coach,
                    password_hash: "$argon2id$ann",
                },
                jiff::Timestamp::UNIX_EPOCH,
            )
            .expect("create user");
        }
        // The file is a SQLite database holding the user.
        let sqlite = SqliteStore::open(path).expect("reopen as SQLite");
        assert_eq!(
            sqlite.schema_version().expect("version"),
            crate::sqlite::SCHEMA_VERSION
        );
        let ann = crate::Accounts::user_by_email(&sqlite, "ann@example.com")
            .expect("lookup")
            .expect("stored");
        assert_eq!(ann.role, crate::Role::Coach);
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn postgres_urls_of_either_spelling_connect_to_postgres() {
        // Port 1 on the loopback: refused at once, so the answer proves which backend tried.
        for url in [
            "postgres://fettle@127.0.0.1:1/fettle",
            "postgresql://fettle@127.0.0.1:1/fettle",
            "POSTGRES://fettle@127.0.0.1:1/fettle",
        ] {
            let error = open(url).map(drop).expect_err("refused");
            assert!(
                matches!(error, StoreError::Connect { .. }),
                "{url}: {error:?}"
            );
        }
    }

    #[test]
    fn connection_strings_are_told_from_paths() {
        for conninfo in [
            "host=db.example dbname=club user=fettle",
            "  dbname = club",
            "password=x host=h",
            "service=club",
        ] {
            assert_eq!(
                location_kind(conninfo),
                LocationKind::PostgresConnectionString,
                "{conninfo:?}"
            );
        }
        for path in [
            "fettle.sqlite",
            "data/a=b.sqlite",
            "hosts=1.sqlite",
            "/var/lib/fettle/host=x",
            "",
        ] {
            assert_eq!(location_kind(path), LocationKind::Path, "{path:?}");
        }
        assert_eq!(location_kind("postgres://h/d"), LocationKind::PostgresUrl);
        assert_eq!(
            location_kind("MySQL://h/d"),
            LocationKind::UnsupportedUrl("mysql".to_owned())
        );
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn passwords_never_survive_redaction() {
        let cases = [
            // User information: the last '@' before the path ends it.
            (
                "postgres://fettle:s3cr3t@db.example:5432/club",
                "postgres://fettle:…@db.example:5432/club",
            ),
            ("postgres://u:p@ss@h/d", "postgres://u:…@h/d"),
            // Query parameters, in any case and percent-encoded, beside others.
            (
                "postgres://u@h/d?password=s3cr3t",
                "postgres://u@h/d?password=…",
            ),
            (
                "postgresql://u@h/d?sslmode=disable&password=s3cr3t&application_name=x",
                "postgresql://u@h/d?sslmode=disable&password=…&application_name=x",
            ),
            (
                "postgresql://u@h/d?PASSWORD=s3cr3t&application_name=x",
                "postgresql://u@h/d?PASSWORD=…&application_name=x",
            ),
            (
                "postgres://u@h/d?pass%77ord=s3cr3t&sslmode=disable",
                "postgres://u@h/d?pass%77ord=…&sslmode=disable",
            ),
            // The driver reads the fragment into the password: replaced whole.
            ("postgres://u@h/d?password=s3cr3t#frag", UNREADABLE_URL),
            (
                "postgres://h/d?sslpassword=s3cr3t",
                "postgres://h/d?sslpassword=…",
            ),
            // Connection strings: plain and quoted values.
            (
                "host=h password=s3cr3t dbname=d",
                "host=h password=… dbname=d",
            ),
            (
                "host=h password = 's3 cr\\'3t' user=u",
                "host=h password=… user=u",
            ),
            (
                "host=h application_name='a b' password=s3cr3t",
                "host=h application_name='a b' password=…",
            ),
            // Unreadable: replaced whole.
            (
                "host=h password='s3cr3t",
                "a PostgreSQL connection string (not shown)",
            ),
            // A password holding characters a URL should have percent-encoded.
            ("postgres://u:s3cr3t/x@h/d", UNREADABLE_URL),
            ("postgres://u:s3cr3t?x@h/d", UNREADABLE_URL),
            ("postgres://u:s3cr3t#x@h/d", UNREADABLE_URL),
            (
                "postgres://u@h/d?password=s3cr3t&port=x",
                "postgres://u@h/d?password=…&port=x",
            ),
            // Nothing secret: unchanged.
            (
                "postgres://postgres@127.0.0.1:5432/test",
                "postgres://postgres@127.0.0.1:5432/test",
            ),
            ("postgres://h/d?x=a@b", "postgres://h/d?x=a@b"),
            ("data/fettle.sqlite", "data/fettle.sqlite"),
        ];
        for (location, redacted) in cases {
            assert_eq!(redact_location(location), redacted, "{location:?}");
            assert!(!redact_location(location).contains("s3cr3t"));
        }
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn connection_strings_connect_to_postgres_and_create_no_file() {
        let location = "host=127.0.0.1 port=1 user=fettle password=s3cr3t dbname=club";
        let cwd = std::env::current_dir().expect("cwd");
        let error = open(location).map(drop).expect_err("refused");
        assert!(matches!(error, StoreError::Connect { .. }), "{error:?}");
        assert!(!error.to_string().contains("s3cr3t"), "{error}");
        assert!(!cwd.join(location).exists(), "no file of that name");
        // One the driver cannot read is refused, without its values.
        let error = open("host=127.0.0.1 port=notaport password=s3cr3t")
            .map(drop)
            .expect_err("bad port");
        assert!(matches!(error, StoreError::Connect { .. }), "{error:?}");
        assert!(!error.to_string().contains("s3cr3t"), "{error}");
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn url_errors_never_show_the_password() {
        for url in [
            "postgres://fettle:s3cr3t@127.0.0.1:1/club",
            "postgres://fettle@127.0.0.1:1/club?password=s3cr3t",
            "postgres://fettle@127.0.0.1:1/club?password=s3cr3t&port=x",
        ] {
            let error = open(url).map(drop).expect_err("refused");
            assert!(!error.to_string().contains("s3cr3t"), "{url}: {error}");
            assert!(!format!("{error:?}").contains("s3cr3t"), "{url}: {error:?}");
        }
    }

    #[test]
    fn empty_locations_and_other_schemes_say_what_is_accepted() {
        for location in ["", "  ", "mysql://root@localhost/fettle"] {
            let error = open(location).map(drop).expect_err("refused");
            assert!(
                matches!(error, StoreError::Invalid(_)),
                "{location:?}: {error:?}"
            );
            assert!(error.to_string().contains("postgres://"), "{error}");
        }
    }
}
