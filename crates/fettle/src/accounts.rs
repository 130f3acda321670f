//! `fettle user …` and `fettle token …`: the administration of a multi-user server's accounts
//! from the machine that holds its database.
//!
//! The rules (address form, password length, hashing, token secrets) are
//! `fettle_app::accounts`'s; this module reads passwords from the terminal or standard input
//! and prints. Passwords are never echoed or printed; a token's secret is printed once, alone on
//! standard output, so `TOKEN=$(fettle token create …)` captures exactly it.

use std::io::{IsTerminal as _, Read as _};
use std::process::ExitCode;

use anyhow::Context as _;
use fettle_app::AppError;
use fettle_app::accounts::{self as app, CreatedToken, UserInfo};
use fettle_store::{CredentialsEnded, Role, TokenId};
use jiff::Timestamp;

use crate::cli::{RoleArg, TokenAction, TokenArgs, UserAction, UserArgs};
use crate::output::{Table, print_json};
use crate::settings::Context;

/// Runs `fettle user add|list|passwd`.
pub(crate) fn user(ctx: &Context, args: &UserArgs) -> anyhow::Result<ExitCode> {
    let db = ctx.store.as_ref();
    match &args.action {
        UserAction::Add(add) => {
            // The address is checked before the password is asked for.
            let email = app::normalize_email(&add.email)?;
            let role = match add.role {
                RoleArg::Athlete => Role::Athlete,
                RoleArg::Coach => Role::Coach,
            };
            let password = read_new_password(add.password_stdin, &email)?;
            let user = match &add.athlete {
                Some(athlete) => {
                    app::add_user_owning(db, &email, role, &password, athlete, Timestamp::now())?
                }
                None => app::add_user(db, &email, role, &password, Timestamp::now())?,
            };
            if ctx.json {
                print_json(&UserInfo::from(&user))?;
            } else {
                println!("Added {} {} (user {}).", user.role, user.email, user.id);
            }
        }
        UserAction::List => {
            let users = db.users()?;
            if ctx.json {
                let infos: Vec<UserInfo> = users.iter().map(UserInfo::from).collect();
                print_json(&infos)?;
            } else if users.is_empty() {
                println!("No accounts yet: add one with `fettle user add EMAIL --role athlete`.");
            } else {
                let mut table = Table::new(&["email", "role", "created"]);
                for user in &users {
                    table.row(vec![
                        user.email.clone(),
                        user.role.to_string(),
                        local_time(user.created),
                    ]);
                }
                print!("{}", table.render());
            }
        }
        UserAction::Passwd(passwd) => {
            // The account must exist before its new password is asked for.
            let user = app::find_user(db, &passwd.email)?;
            let password = read_new_password(passwd.password_stdin, &user.email)?;
            let ended = app::set_password(db, &user.email, &password)?;
            if ctx.json {
                print_json(&PasswordReset {
                    user: UserInfo::from(&user),
                    sessions_ended: ended.sessions,
                    tokens_revoked: ended.tokens,
                })?;
            } else {
                println!("{}", password_reset_message(&user.email, ended));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What `fettle user passwd --json` prints: the account, and what the reset ended.
#[derive(serde::Serialize)]
struct PasswordReset {
    #[serde(flatten)]
    user: UserInfo,
    /// How many logins (browser sessions) ended.
    sessions_ended: u64,
    /// How many API tokens were revoked.
    tokens_revoked: u64,
}

/// The sentence `fettle user passwd` prints: the logins and API tokens made with the old
/// password stop working, and how to make new tokens.
fn password_reset_message(email: &str, ended: CredentialsEnded) -> String {
    let count = |n: u64, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    format!(
        "Changed the password of {email}: its logins ended ({}) and its API tokens were revoked \
         ({}); make new tokens with `fettle token create {email}`.",
        count(ended.sessions, "login", "logins"),
        count(ended.tokens, "token", "tokens"),
    )
}

/// Runs `fettle token create|list|revoke`.
pub(crate) fn token(ctx: &Context, args: &TokenArgs) -> anyhow::Result<ExitCode> {
    let db = ctx.store.as_ref();
    match &args.action {
        TokenAction::Create(create) => {
            let user = app::find_user(db, &create.email)?;
            let (token, secret) = app::create_token(db, user.id, &create.name, Timestamp::now())?;
            if ctx.json {
                print_json(&CreatedToken::new(&token, &secret))?;
            } else {
                // Only the secret on stdout, for `TOKEN=$(fettle token create …)`; the note
                // goes to stderr.
                println!("{}", secret.expose());
                eprintln!(
                    "Token {} ({:?}) for {}: it is shown only now. Send it as `Authorization: Bearer TOKEN`; revoke it with `fettle token revoke {} {}`.",
                    token.id, token.name, user.email, user.email, token.id
                );
            }
        }
        TokenAction::List(list) => {
            let user = app::find_user(db, &list.email)?;
            let tokens = db.tokens(user.id)?;
            if ctx.json {
                print_json(&tokens)?;
            } else if tokens.is_empty() {
                println!(
                    "{} has no API tokens: create one with `fettle token create {}`.",
                    user.email, user.email
                );
            } else {
                let mut table = Table::new(&["id", "name", "created", "last used"]);
                for token in &tokens {
                    table.row(vec![
                        token.id.to_string(),
                        token.name.clone(),
                        local_time(token.created),
                        token
                            .last_used
                            .map_or_else(|| "never".to_owned(), local_time),
                    ]);
                }
                print!("{}", table.render());
            }
        }
        TokenAction::Revoke(revoke) => {
            let user = app::find_user(db, &revoke.email)?;
            let id = TokenId(revoke.id);
            match app::revoke_token(db, user.id, id) {
                Ok(()) => {}
                Err(AppError::NotFound(_)) => {
                    return Err(AppError::NotFound(format!(
                        "{} has no token {id}: list their tokens with `fettle token list {}`",
                        user.email, user.email
                    ))
                    .into());
                }
                Err(other) => return Err(other.into()),
            }
            if ctx.json {
                print_json(&serde_json::json!({ "revoked": id }))?;
            } else {
                println!("Revoked token {id} of {}.", user.email);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A timestamp in this machine's time zone, to the minute.
fn local_time(at: Timestamp) -> String {
    at.to_zoned_datetime(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// The longest input read by `--password-stdin`: the longest password and a CR LF.
const STDIN_LIMIT: usize = app::MAX_PASSWORD_BYTES + 2;

/// A new password for `email`: from standard input with `--password-stdin`, else asked twice on
/// the terminal without echo. The password rules are checked before it is returned (and, when
/// asking, before asking again).
fn read_new_password(from_stdin: bool, email: &str) -> anyhow::Result<String> {
    let password = if from_stdin {
        read_stdin_password(std::io::stdin().lock())?
    } else if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("New password for {email}: "))
            .context("cannot read the password from the terminal")?;
        app::check_new_password(&first)?;
        let again = rpassword::prompt_password("The same password again: ")
            .context("cannot read the password from the terminal")?;
        if first != again {
            bail_usage!("the two passwords differ; nothing was changed: run the command again");
        }
        first
    } else {
        bail_usage!(
            "standard input is not a terminal, so the password cannot be asked for: pass it on \
             standard input with --password-stdin (e.g. `fettle user add EMAIL --role athlete \
             --password-stdin < file`)"
        );
    };
    app::check_new_password(&password)?;
    Ok(password)
}

/// Reads a password from `input` (standard input): its text without ONE trailing newline
/// (`\n` or `\r\n`), so `echo` and a file's last line work, while a password that itself ends
/// in spaces keeps them.
fn read_stdin_password(input: impl std::io::Read) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    input
        .take(STDIN_LIMIT as u64 + 1)
        .read_to_end(&mut bytes)
        .context("cannot read the password from standard input")?;
    if bytes.len() > STDIN_LIMIT {
        bail_usage!(
            "the password on standard input is longer than {} bytes: use a shorter one",
            app::MAX_PASSWORD_BYTES
        );
    }
    let mut text = String::from_utf8(bytes)
        .map_err(|_| usage!("the password on standard input is not UTF-8 text"))?;
    if text.ends_with("\r\n") {
        text.truncate(text.len() - 2);
    } else if text.ends_with('\n') {
        text.truncate(text.len() - 1);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_trailing_newline_is_dropped_from_a_piped_password() {
        let read = |input: &str| read_stdin_password(input.as_bytes()).expect("reads");
        assert_eq!(read("long enough pw\n"), "long enough pw");
        assert_eq!(read("long enough pw\r\n"), "long enough pw");
        // Only one: a password may end in a newline typed on purpose, or in spaces.
        assert_eq!(read("long enough pw\n\n"), "long enough pw\n");
        assert_eq!(read("long enough pw  "), "long enough pw  ");
        assert_eq!(read(""), "");
    }

    #[test]
    fn piped_passwords_longer_than_the_limit_are_refused() {
        // 1024 bytes and CR LF is the most accepted.
        let longest = format!("{}\r\n", "x".repeat(1024));
        assert_eq!(
            read_stdin_password(longest.as_bytes()).expect("fits").len(),
            1024
        );
        let too_long = "x".repeat(1027);
        let error = read_stdin_password(too_long.as_bytes())
            .expect_err("too long")
            .to_string();
        assert!(error.contains("longer than 1024 bytes"), "{error}");
        assert!(read_stdin_password(&[0xff_u8, 0xfe][..]).is_err());
    }
}
