//! End-to-end tests of the account commands (issue 7): `fettle user add|list|passwd` and
//! `fettle token create|list|revoke`, run as the real binary over a temporary SQLite database,
//! and `user add` + `token create` over PostgreSQL when the test server answers.
//!
//! What the binary wrote is checked through the same use cases the web server calls
//! (`fettle_app::accounts::login`, `token_user`, `session_user`): a password set on the command
//! line must log in, a printed token must authenticate, a revoked one must not.
//!
//! The PostgreSQL server is named by `FETTLE_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/test`); the test uses a fresh schema, dropped at the end.
//! Without a server it prints a loud SKIPPED notice and passes, unless `CI` is set.

use std::io::Write as _;
use std::path::PathBuf;

use assert_cmd::Command;
use fettle_app::accounts;
use fettle_store::{Accounts, PgStore, SqliteStore, Store};
use jiff::Timestamp;
use serde_json::Value;

/// A password that satisfies the rules (≥ 10 characters).
const PASSWORD: &str = "correct horse battery";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db_path(&self) -> PathBuf {
        self.dir.path().join("club.sqlite")
    }

    /// `fettle --db …` with no database named by the environment.
    fn fettle(&self) -> Command {
        let mut cmd = Command::cargo_bin("fettle").unwrap();
        cmd.env_remove("FETTLE_DB")
            .env_remove("FETTLE_DATABASE")
            .env("TZ", "UTC")
            .arg("--db")
            .arg(self.db_path());
        cmd
    }

    /// Runs a command with `stdin` as its input; it must succeed. Returns stdout.
    fn ok(&self, args: &[&str], stdin: &str) -> String {
        let out = self
            .fettle()
            .args(args)
            .write_stdin(stdin)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "fettle {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command refused as a usage error: exit status 2, nothing on stdout. Returns
    /// stderr.
    fn fails(&self, args: &[&str], stdin: &str) -> String {
        self.fails_with(2, args, stdin)
    }

    /// Runs a command that must fail with exit status `code` (2 for what was typed wrongly, 1
    /// for a runtime failure such as an unknown account) and print nothing on stdout. Returns
    /// stderr.
    fn fails_with(&self, code: i32, args: &[&str], stdin: &str) -> String {
        let out = self
            .fettle()
            .args(args)
            .write_stdin(stdin)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "fettle {args:?} should fail; stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            out.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    /// The database, opened as the web server would (after the commands ran).
    fn store(&self) -> SqliteStore {
        SqliteStore::open(self.db_path()).unwrap()
    }

    fn add_athlete(&self, email: &str) {
        self.ok(
            &[
                "user",
                "add",
                email,
                "--role",
                "athlete",
                "--password-stdin",
            ],
            &format!("{PASSWORD}\n"),
        );
    }
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn user_add_reads_the_password_from_stdin_without_its_newline() {
    let env = Env::new();
    let out = env.ok(
        &[
            "user",
            "add",
            "  Coach@Example.ORG ",
            "--role",
            "coach",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(out, "Added coach coach@example.org (user 1).\n");

    let listed = json(&env.ok(&["--json", "user", "list"], ""));
    let users = listed.as_array().expect("a list");
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["email"], "coach@example.org");
    assert_eq!(users[0]["role"], "coach");
    assert!(users[0].get("password_hash").is_none(), "{listed}");
    let table = env.ok(&["user", "list"], "");
    assert!(table.starts_with("email"), "{table}");
    assert!(table.contains("coach@example.org  coach"), "{table}");

    // The newline was the pipe's, not the password's.
    let store = env.store();
    let now = Timestamp::now();
    assert!(
        accounts::login(&store, "coach@example.org", PASSWORD, now)
            .unwrap()
            .is_some()
    );
    let with_newline = format!("{PASSWORD}\n");
    assert!(
        accounts::login(&store, "coach@example.org", &with_newline, now)
            .unwrap()
            .is_none()
    );
}

#[test]
fn a_taken_address_is_refused_whatever_its_case() {
    let env = Env::new();
    env.add_athlete("runner@example.org");
    let error = env.fails(
        &[
            "user",
            "add",
            "RUNNER@example.org",
            "--role",
            "coach",
            "--password-stdin",
        ],
        "another long password\n",
    );
    assert!(
        error.contains("runner@example.org already has an account"),
        "{error}"
    );
    let users = env.store().users().unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(
        users[0].role,
        fettle_store::Role::Athlete,
        "the first one stays"
    );
}

#[test]
fn bad_addresses_and_short_passwords_store_nothing() {
    let env = Env::new();
    let error = env.fails(
        &[
            "user",
            "add",
            "runner.example.org",
            "--role",
            "athlete",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(error.contains("not an e-mail address"), "{error}");
    // "123456789" is 9 characters once the newline is dropped: one short.
    let error = env.fails(
        &[
            "user",
            "add",
            "runner@example.org",
            "--role",
            "athlete",
            "--password-stdin",
        ],
        "123456789\n",
    );
    assert!(
        error.contains("has 9 characters; use at least 10"),
        "{error}"
    );
    let error = env.fails(
        &[
            "user",
            "add",
            "runner@example.org",
            "--role",
            "admin",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(error.contains("admin"), "{error}");
    assert!(env.store().users().unwrap().is_empty());
}

#[test]
fn without_password_stdin_a_pipe_is_refused_with_what_to_do() {
    let env = Env::new();
    let error = env.fails(
        &["user", "add", "runner@example.org", "--role", "athlete"],
        &format!("{PASSWORD}\n"),
    );
    assert!(error.contains("not a terminal"), "{error}");
    assert!(error.contains("--password-stdin"), "{error}");
    assert!(env.store().users().unwrap().is_empty());
}

#[test]
fn a_created_token_is_printed_alone_and_authenticates_until_revoked() {
    let env = Env::new();
    env.add_athlete("runner@example.org");
    let out = env.ok(
        &[
            "token",
            "create",
            "runner@example.org",
            "--name",
            "laptop sync",
        ],
        "",
    );
    // One line: `fettle_` and 64 hex digits (256 bits).
    assert_eq!(out.lines().count(), 1, "{out:?}");
    assert!(out.ends_with('\n'));
    let token = out.trim_end();
    assert!(token.starts_with("fettle_"), "{token}");
    assert_eq!(token.len(), 7 + 64);

    let listed = env.ok(&["token", "list", "runner@example.org"], "");
    assert!(listed.contains("laptop sync"), "{listed}");
    assert!(listed.contains("never"), "not used yet: {listed}");
    assert!(!listed.contains(token), "the list never shows the secret");

    {
        let store = env.store();
        let user = accounts::token_user(&store, token, Timestamp::now())
            .unwrap()
            .expect("the printed token authenticates");
        assert_eq!(user.email, "runner@example.org");
    }
    let listed = json(&env.ok(&["--json", "token", "list", "runner@example.org"], ""));
    let tokens = listed.as_array().expect("a list");
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["name"], "laptop sync");
    assert!(tokens[0]["last_used"].is_string(), "use recorded: {listed}");
    assert!(!listed.to_string().contains(token));
    let id = tokens[0]["id"].as_i64().expect("an id").to_string();

    let out = env.ok(&["token", "revoke", "runner@example.org", &id], "");
    assert_eq!(out, format!("Revoked token {id} of runner@example.org.\n"));
    assert!(
        accounts::token_user(&env.store(), token, Timestamp::now())
            .unwrap()
            .is_none(),
        "a revoked token no longer authenticates"
    );
    let error = env.fails_with(1, &["token", "revoke", "runner@example.org", &id], "");
    assert!(
        error.contains(&format!("runner@example.org has no token {id}")),
        "{error}"
    );
}

#[test]
fn token_create_json_shows_the_token_once_with_its_listing() {
    let env = Env::new();
    env.add_athlete("runner@example.org");
    let created = json(&env.ok(&["--json", "token", "create", "runner@example.org"], ""));
    let object = created.as_object().expect("an object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["created", "id", "name", "token"]);
    assert_eq!(created["name"], "command line");
    let token = created["token"].as_str().expect("the token");
    assert!(
        accounts::token_user(&env.store(), token, Timestamp::now())
            .unwrap()
            .is_some()
    );
}

#[test]
fn tokens_of_one_user_cannot_be_revoked_through_another() {
    let env = Env::new();
    env.add_athlete("a@example.org");
    env.add_athlete("b@example.org");
    let token = env.ok(&["token", "create", "a@example.org"], "");
    let listed = json(&env.ok(&["--json", "token", "list", "a@example.org"], ""));
    let id = listed[0]["id"].as_i64().expect("an id").to_string();
    let error = env.fails_with(1, &["token", "revoke", "b@example.org", &id], "");
    assert!(
        error.contains(&format!("b@example.org has no token {id}")),
        "{error}"
    );
    assert!(
        accounts::token_user(&env.store(), token.trim_end(), Timestamp::now())
            .unwrap()
            .is_some(),
        "a's token still works"
    );
    let error = env.fails_with(1, &["token", "create", "nobody@example.org"], "");
    assert!(
        error.contains("no account has the address nobody@example.org"),
        "{error}"
    );
}

#[test]
fn user_passwd_replaces_the_password_and_ends_the_logins_and_tokens() {
    let env = Env::new();
    env.add_athlete("runner@example.org");
    let now = Timestamp::now();
    let session = {
        let store = env.store();
        accounts::login(&store, "runner@example.org", PASSWORD, now)
            .unwrap()
            .expect("logs in")
            .session_secret
    };
    // A token made by the real binary before the reset: it works until the reset.
    let token = env.ok(
        &["token", "create", "runner@example.org", "--name", "sync"],
        "",
    );
    let token = token.trim();
    assert!(
        accounts::token_user(&env.store(), token, now)
            .unwrap()
            .is_some(),
        "the token works before the reset"
    );
    let out = env.ok(
        &["user", "passwd", "Runner@Example.org", "--password-stdin"],
        "a brand new password\n",
    );
    // One login (above) ended and one token (above) revoked.
    assert_eq!(
        out,
        "Changed the password of runner@example.org: its logins ended (1 login) and its API \
         tokens were revoked (1 token); make new tokens with `fettle token create \
         runner@example.org`.\n"
    );
    let store = env.store();
    assert!(
        accounts::session_user(&store, session.expose(), now)
            .unwrap()
            .is_none(),
        "the old login ended"
    );
    assert!(
        accounts::token_user(&store, token, now).unwrap().is_none(),
        "the token made before the reset is revoked"
    );
    assert!(
        store
            .tokens(
                store
                    .user_by_email("runner@example.org")
                    .unwrap()
                    .unwrap()
                    .id
            )
            .unwrap()
            .is_empty()
    );
    assert!(
        accounts::login(&store, "runner@example.org", PASSWORD, now)
            .unwrap()
            .is_none()
    );
    assert!(
        accounts::login(&store, "runner@example.org", "a brand new password", now)
            .unwrap()
            .is_some()
    );
    drop(store);

    let error = env.fails(
        &["user", "passwd", "runner@example.org", "--password-stdin"],
        "short\n",
    );
    assert!(error.contains("use at least 10"), "{error}");
    let error = env.fails_with(
        1,
        &["user", "passwd", "nobody@example.org", "--password-stdin"],
        "a brand new password\n",
    );
    assert!(error.contains("no account has the address"), "{error}");

    // --json says the same as numbers, beside the account.
    env.ok(
        &["token", "create", "runner@example.org", "--name", "a"],
        "",
    );
    env.ok(
        &["token", "create", "runner@example.org", "--name", "b"],
        "",
    );
    let out = json(&env.ok(
        &[
            "--json",
            "user",
            "passwd",
            "runner@example.org",
            "--password-stdin",
        ],
        "another new password\n",
    ));
    assert_eq!(out["email"], "runner@example.org");
    // The login with the new password above is the one session to end.
    assert_eq!(out["sessions_ended"], 1);
    assert_eq!(out["tokens_revoked"], 2);
}

#[test]
fn the_command_line_database_wins_over_the_environment() {
    let env = Env::new();
    let from_env = env.dir.path().join("from-env.sqlite");
    // --db typed, FETTLE_DATABASE from the environment: --db is used.
    let out = env
        .fettle()
        .env("FETTLE_DATABASE", &from_env)
        .args([
            "user",
            "add",
            "runner@example.org",
            "--role",
            "athlete",
            "--password-stdin",
        ])
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !from_env.exists(),
        "the environment's database was not touched"
    );
    assert_eq!(env.store().users().unwrap().len(), 1);

    // --database typed too: two databases on the command line are ambiguous.
    let other = env.dir.path().join("other.sqlite");
    let error = env.fails(&["--database", other.to_str().unwrap(), "user", "list"], "");
    assert!(error.contains("give only one"), "{error}");

    // --database alone names a SQLite file as well.
    let out = Command::cargo_bin("fettle")
        .unwrap()
        .env_remove("FETTLE_DB")
        .env_remove("FETTLE_DATABASE")
        .args([
            "--database",
            other.to_str().unwrap(),
            "--json",
            "user",
            "list",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        json(&String::from_utf8(out.stdout).unwrap()),
        Value::Array(vec![])
    );
    assert!(other.exists());
}

#[test]
fn an_unreachable_server_is_named_without_the_password_of_its_url() {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let out = Command::cargo_bin("fettle")
        .unwrap()
        .env_remove("FETTLE_DB")
        .env_remove("FETTLE_DATABASE")
        .args([
            "--database",
            "postgres://fettle:s3cr3t-pw@127.0.0.1:1/nothing",
            "user",
            "list",
        ])
        .output()
        .unwrap();
    // A database that cannot be reached is a runtime failure (1), not a usage error.
    assert_eq!(out.status.code(), Some(1));
    let error = String::from_utf8_lossy(&out.stderr);
    assert!(!error.contains("s3cr3t-pw"), "{error}");
    assert!(error.contains("127.0.0.1"), "{error}");
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// A fresh schema on the test server, dropped when this is dropped.
struct Scratch {
    admin: postgres::Client,
    schema: String,
    url: String,
}

impl Scratch {
    fn connect(test: &str) -> Option<Scratch> {
        let server = std::env::var("FETTLE_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_URL.into());
        let mut admin = match postgres::Client::connect(&server, postgres::NoTls) {
            Ok(admin) => admin,
            Err(e) if !under_ci() => {
                // Straight to stderr: the harness hides eprintln! of passing tests.
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "\n********************************************************************\n\
                     SKIPPED {test}: no PostgreSQL at {server} ({e}).\n\
                     The CLI over PostgreSQL is NOT tested (under CI=true this fails).\n\
                     ********************************************************************\n"
                );
                return None;
            }
            Err(e) => panic!("CI is set but PostgreSQL at {server} cannot be reached: {e}"),
        };
        let schema = format!("fettle_cli_test_{}", std::process::id());
        admin
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .expect("create a scratch schema");
        let separator = if server.contains('?') { '&' } else { '?' };
        let url = format!("{server}{separator}options=-csearch_path%3D{schema}");
        Some(Scratch { admin, schema, url })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = self
            .admin
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
    }
}

#[test]
fn user_add_and_token_create_work_over_postgresql() {
    let Some(scratch) = Scratch::connect("user_add_and_token_create_work_over_postgresql") else {
        return;
    };
    let fettle = || {
        let mut cmd = Command::cargo_bin("fettle").unwrap();
        cmd.env_remove("FETTLE_DB")
            .env("FETTLE_DATABASE", &scratch.url)
            .env("TZ", "UTC");
        cmd
    };
    let out = fettle()
        .args([
            "user",
            "add",
            "coach@example.org",
            "--role",
            "coach",
            "--password-stdin",
        ])
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = fettle()
        .args(["token", "create", "coach@example.org"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap();
    assert_eq!(token.lines().count(), 1);

    let store = PgStore::connect(&scratch.url).unwrap();
    let user = accounts::token_user(&store, token.trim_end(), Timestamp::now())
        .unwrap()
        .expect("the printed token authenticates");
    assert_eq!(user.email, "coach@example.org");
    assert_eq!(user.role, fettle_store::Role::Coach);
    assert!(
        accounts::login(&store, "coach@example.org", PASSWORD, Timestamp::now())
            .unwrap()
            .is_some()
    );
}

#[test]
fn user_add_can_take_over_the_single_user_data() {
    let env = Env::new();
    // A manual session stored in single-user mode goes to the `default` athlete.
    env.ok(
        &[
            "add",
            "--date",
            "2026-11-01",
            "--sport",
            "running",
            "--duration",
            "45m",
            "--rpe",
            "5",
        ],
        "",
    );
    let added = json(&env.ok(
        &[
            "--json",
            "user",
            "add",
            "me@example.org",
            "--role",
            "athlete",
            "--athlete",
            "default",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    ));
    let store = env.store();
    let default = store.default_athlete().unwrap();
    assert_eq!(added["athlete_id"], default.0, "{added}");
    // The account now reads the session stored before it existed: 45 min at RPE 5.
    let user = store.user_by_email("me@example.org").unwrap().unwrap();
    let activities = store
        .list_activities(user.athlete, &fettle_store::ActivityFilter::default())
        .unwrap();
    assert_eq!(activities.len(), 1);
    assert_eq!(activities[0].timer_s, 45.0 * 60.0);
    // A partition has one owner; an unknown one is refused; neither creates an account.
    let twice = env.fails(
        &[
            "user",
            "add",
            "you@example.org",
            "--role",
            "athlete",
            "--athlete",
            "default",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(twice.contains("already belongs to an account"), "{twice}");
    let unknown = env.fails(
        &[
            "user",
            "add",
            "you@example.org",
            "--role",
            "athlete",
            "--athlete",
            "nobody",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        unknown.contains("no athlete is named \"nobody\""),
        "{unknown}"
    );
    assert_eq!(store.users().unwrap().len(), 1);
}
