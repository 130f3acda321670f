//! Opening a database from the one string a user gives (`--database`, `FETTLE_DATABASE`): a
//! PostgreSQL URL or a SQLite file path.

use crate::accounts::Database;
use crate::error::{StoreError, StoreResult};
use crate::postgres::PgStore;
use crate::sqlite::SqliteStore;

/// Opens the database at `location`: a `postgres://` or `postgresql://` URL (scheme in any
/// case) connects with [`PgStore::connect`]; anything else is a file path opened (created if
/// needed) with [`SqliteStore::open`]. Migrations are applied either way.
///
/// An empty location, and a URL of another scheme (`mysql://…`, which would otherwise become
/// an oddly named SQLite file), fail with [`StoreError::Invalid`] saying what is accepted.
pub fn open(location: &str) -> StoreResult<Box<dyn Database>> {
    if location.trim().is_empty() {
        return Err(StoreError::Invalid(
            "no database given: pass a SQLite file path or a postgres://user@host/db URL"
                .to_owned(),
        ));
    }
    match url_scheme(location) {
        Some(scheme) if scheme == "postgres" || scheme == "postgresql" => {
            Ok(Box::new(PgStore::connect(location)?))
        }
        Some(scheme) => Err(StoreError::Invalid(format!(
            "unsupported database URL scheme `{scheme}://`: pass a SQLite file path or a \
             postgres://user@host/db URL"
        ))),
        None => Ok(Box::new(SqliteStore::open(location)?)),
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
