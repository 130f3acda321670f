//! Accounts for the multi-user server: e-mail and password rules, password hashing, login
//! sessions and API tokens, over the store's [`Accounts`] trait.
//!
//! Shared by the CLI (`fettle user …`, `fettle token …`) and the web face (login page, session
//! cookie, bearer tokens), so both apply the same rules.
//!
//! Security choices, and why:
//! - **Passwords** are hashed with argon2id at OWASP's recommended parameters (19 MiB of memory,
//!   2 passes, 1 lane: [`ARGON2_M_COST_KIB`], [`ARGON2_T_COST`], [`ARGON2_P_COST`]) into a PHC
//!   string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) that carries its own salt and
//!   parameters, so raising the cost later keeps old hashes verifiable. One hash takes tens of
//!   milliseconds: slow enough to make guessing from a stolen database expensive, fast enough
//!   for a login.
//! - **Sessions and API tokens** are 256-bit random [`Secret`]s from the operating system's
//!   generator. The client holds the secret; the database keeps only its SHA-256
//!   ([`hash_secret`]). A fast hash is right here (unlike for passwords): the secret has 256 bits
//!   of entropy, so there is nothing to guess, and the lookup must be cheap on every request.
//! - **Login does the same work for an unknown address** as for a wrong password (it verifies
//!   against a dummy hash), so the response time does not tell which addresses have accounts.
//! - Secrets never appear in `Debug` output or error messages.

use std::fmt;
use std::sync::LazyLock;

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use fettle_core::limits::Violation;
use fettle_store::{
    Accounts, ApiToken, CoachLink, CredentialsEnded, Invitation, NewSession, NewUser, Role,
    SecretHash, Session, StoreError, TokenId, User, UserId,
};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::AppError;

/// How long a login lasts: two weeks, so a coach who looks in weekly stays logged in, while a
/// forgotten browser session does not live for ever.
pub const SESSION_LIFETIME: SignedDuration = SignedDuration::from_hours(14 * 24);

/// argon2id memory cost in KiB (OWASP Password Storage Cheat Sheet: 19 MiB).
pub const ARGON2_M_COST_KIB: u32 = 19 * 1024;
/// argon2id passes (OWASP: 2 with 19 MiB).
pub const ARGON2_T_COST: u32 = 2;
/// argon2id lanes (OWASP: 1).
pub const ARGON2_P_COST: u32 = 1;

/// The shortest password accepted, in characters (NIST SP 800-63B asks for at least 8; 10 leaves
/// a margin for a server reachable from the internet).
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest password accepted, in bytes: long passphrases are welcome, megabytes are not.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// The longest e-mail address accepted, in bytes (RFC 5321's limit on a forward path).
pub const MAX_EMAIL_BYTES: usize = 254;
/// The longest API-token name accepted, in characters.
pub const MAX_TOKEN_NAME_CHARS: usize = 100;
/// What every session and API-token secret starts with: it makes a leaked token recognisable
/// (secret scanners, logs) and lets a malformed one be refused without a database lookup.
pub const SECRET_PREFIX: &str = "fettle_";

/// Random bytes in a secret: 256 bits.
const SECRET_BYTES: usize = 32;
/// A secret's length as text: the prefix and two hex digits per byte.
const SECRET_TEXT_LEN: usize = SECRET_PREFIX.len() + 2 * SECRET_BYTES;

/// Trims and lower-cases an e-mail address and checks that it looks like one: a single `@`
/// between a non-empty local part and a domain of non-empty dot-separated labels, no spaces or
/// control characters, at most [`MAX_EMAIL_BYTES`] bytes. Nothing is sent to the address, so
/// nothing stricter is needed: it is a login name that people recognise.
pub fn normalize_email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    let shape = "an address like coach@example.org";
    let invalid = |why: &str| {
        Err(AppError::from(Violation::new(
            "email",
            email.as_str(),
            shape,
            format!("{email:?} is not an e-mail address ({why}): write it like coach@example.org"),
        )))
    };
    if email.is_empty() {
        return Err(AppError::from(Violation::new(
            "email",
            "",
            shape,
            "the e-mail address is empty: write it like coach@example.org",
        )));
    }
    if email.len() > MAX_EMAIL_BYTES {
        // The value is its length: an over-long address is not echoed back whole.
        return Err(AppError::from(Violation::new(
            "email",
            format!("{} bytes", email.len()),
            format!("at most {MAX_EMAIL_BYTES} bytes"),
            format!(
                "the e-mail address is {} bytes long; at most {MAX_EMAIL_BYTES} are accepted",
                email.len()
            ),
        )));
    }
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return invalid("it contains a space or a control character");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return invalid("it has no @");
    };
    if domain.contains('@') {
        return invalid("it has more than one @");
    }
    if local.is_empty() {
        return invalid("nothing before the @");
    }
    if domain.is_empty() || domain.split('.').any(str::is_empty) {
        return invalid("the part after the @ is not a domain name");
    }
    Ok(email)
}

/// Checks a new password: at least [`MIN_PASSWORD_CHARS`] characters and at most
/// [`MAX_PASSWORD_BYTES`] bytes. No composition rules (NIST SP 800-63B): length is what makes a
/// password hard to guess.
///
/// A refusal is a [`Violation`] of the field `password` whose value is the password's length,
/// never the password.
pub fn check_new_password(password: &str) -> Result<(), AppError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(AppError::from(Violation::new(
            "password",
            format!("{chars} characters"),
            format!("at least {MIN_PASSWORD_CHARS} characters"),
            format!(
                "the password has {chars} characters; use at least {MIN_PASSWORD_CHARS} (a few unrelated words make a good one)"
            ),
        )));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::from(Violation::new(
            "password",
            format!("{} bytes", password.len()),
            format!("at most {MAX_PASSWORD_BYTES} bytes"),
            format!(
                "the password is {} bytes long; use at most {MAX_PASSWORD_BYTES}",
                password.len()
            ),
        )));
    }
    Ok(())
}

/// The argon2id hasher at the OWASP parameters.
fn argon2() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(ARGON2_M_COST_KIB, ARGON2_T_COST, ARGON2_P_COST, None)
        .map_err(|e| AppError::Internal(format!("the argon2 parameters are refused: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password with argon2id and a fresh random salt, as a PHC string. The rules of
/// [`check_new_password`] are the caller's to apply (this hashes anything).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let hash = argon2()?
        .hash_password(password.as_bytes())
        .map_err(|e| AppError::Internal(format!("cannot hash the password: {e}")))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `phc`, using the parameters stored in the string.
/// A malformed string matches nothing.
pub fn verify_password(phc: &str, password: &str) -> bool {
    // Verification takes its parameters from the PHC string; the hasher's own are unused.
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// The hash that logins for unknown addresses are verified against, computed once: it makes a
/// login for an address without an account cost the same argon2 work as a wrong password.
/// `None` only when hashing failed (no random numbers), then [`login`] hashes instead.
static DUMMY_HASH: LazyLock<Option<String>> =
    LazyLock::new(|| hash_password("fettle: no account has this address").ok());

/// Computes the dummy hash now, so the first failed login is not slower than the others. A
/// server calls it at start-up; calling it is optional.
pub fn prepare_login() {
    LazyLock::force(&DUMMY_HASH);
}

/// A random 256-bit secret (a session cookie or an API token): `fettle_` followed by 64 hex
/// digits. Its `Debug` output is redacted and it has no `Display`: print it only on purpose,
/// through [`Secret::expose`].
// No `PartialEq`: secrets are found by their hash, never compared as text (which would not be
// constant-time).
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// A new secret from the operating system's random number generator.
    pub fn generate() -> Result<Secret, AppError> {
        let bytes = random_bytes()?;
        let mut text = String::with_capacity(SECRET_TEXT_LEN);
        text.push_str(SECRET_PREFIX);
        text.push_str(&to_hex(&bytes));
        Ok(Secret(text))
    }

    /// The secret's text, to hand to the client once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database keeps: the SHA-256 of the text.
    pub fn hash(&self) -> SecretHash {
        hash_secret(&self.0)
    }
}

/// Never prints the secret.
impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// The SHA-256 of a secret as presented by a client (cookie value or bearer token), to look it
/// up in the database.
pub fn hash_secret(presented: &str) -> SecretHash {
    SecretHash(Sha256::digest(presented.as_bytes()).into())
}

/// Whether a presented secret has the shape of one of ours; anything else cannot match, and is
/// refused without touching the database.
fn looks_like_secret(presented: &str) -> bool {
    presented.len() == SECRET_TEXT_LEN
        && presented.starts_with(SECRET_PREFIX)
        && presented[SECRET_PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit())
}

/// 32 bytes from the operating system.
fn random_bytes() -> Result<[u8; SECRET_BYTES], AppError> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| {
        AppError::Internal(format!(
            "the operating system gave no random numbers ({e}); cannot create a secret"
        ))
    })?;
    Ok(bytes)
}

/// Lower-case hex digits.
fn to_hex(bytes: &[u8]) -> String {
    use fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(2 * bytes.len()), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A user as shown to people and in JSON: never the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserInfo {
    /// The account.
    pub id: UserId,
    /// The login.
    pub email: String,
    /// Athlete or coach.
    pub role: Role,
    /// The user's own data partition.
    pub athlete_id: fettle_store::AthleteId,
    /// When the account was created.
    pub created: Timestamp,
}

impl From<&User> for UserInfo {
    fn from(user: &User) -> UserInfo {
        UserInfo {
            id: user.id,
            email: user.email.clone(),
            role: user.role,
            athlete_id: user.athlete,
            created: user.created,
        }
    }
}

/// Creates an account: the address is normalised, the password checked and hashed. An address
/// already in use is [`AppError::Invalid`] and nothing is written.
pub fn add_user(
    db: &dyn Accounts,
    email: &str,
    role: Role,
    password: &str,
    now: Timestamp,
) -> Result<User, AppError> {
    insert_user(db, email, role, password, None, now)
}

/// Creates an account that owns the existing athlete named `athlete` (e.g. `default`, the data
/// of single-user mode, when a laptop's database becomes a server's), checked like
/// [`add_user`]. An unknown athlete, or one that already has an account, is
/// [`AppError::Invalid`] and nothing is written.
pub fn add_user_owning(
    db: &dyn Accounts,
    email: &str,
    role: Role,
    password: &str,
    athlete: &str,
    now: Timestamp,
) -> Result<User, AppError> {
    insert_user(db, email, role, password, Some(athlete), now)
}

/// [`add_user`] and [`add_user_owning`].
fn insert_user(
    db: &dyn Accounts,
    email: &str,
    role: Role,
    password: &str,
    athlete: Option<&str>,
    now: Timestamp,
) -> Result<User, AppError> {
    let email = normalize_email(email)?;
    check_new_password(password)?;
    let password_hash = hash_password(password)?;
    let new = NewUser {
        email: &email,
        role,
        password_hash: &password_hash,
    };
    let created = match athlete {
        Some(name) => db.create_user_owning(&new, name, now),
        None => db.create_user(&new, now),
    };
    created.map_err(|e| match e {
        StoreError::Conflict(_) if db.user_by_email(&email).ok().flatten().is_some() => {
            AppError::Invalid(format!(
                "{email} already has an account: choose another address, or reset its password with `fettle user passwd {email}`"
            ))
        }
        StoreError::Conflict(message) | StoreError::Invalid(message) => {
            AppError::Invalid(message)
        }
        other => AppError::Store(other),
    })
}

/// The user with this address (normalised first); [`AppError::NotFound`] when there is none.
pub fn find_user(db: &dyn Accounts, email: &str) -> Result<User, AppError> {
    let email = normalize_email(email)?;
    db.user_by_email(&email)?.ok_or_else(|| {
        AppError::NotFound(format!(
            "no account has the address {email}: list them with `fettle user list`"
        ))
    })
}

/// An administrator sets a user's password (the user forgot it): checks and hashes it, ends all
/// of the user's sessions and revokes all of the user's API tokens, so whoever knew the old
/// password, or holds a credential made with it, is shut out. Says how many of each ended.
pub fn set_password(
    db: &dyn Accounts,
    email: &str,
    new: &str,
) -> Result<CredentialsEnded, AppError> {
    let user = find_user(db, email)?;
    check_new_password(new)?;
    let hash = hash_password(new)?;
    store_password(db, &user, &hash, None)
}

/// A logged-in user changes their password. A wrong `current` password is
/// [`AppError::Invalid`] and changes nothing. Every other session of the user ends; `keep` (the
/// session the change was made from, if any) stays. Every API token of the user is revoked:
/// a token made by someone who knew the old password must not outlive it (the user makes new
/// ones). Says how many sessions and tokens ended.
pub fn change_password(
    db: &dyn Accounts,
    user: UserId,
    current: &str,
    new: &str,
    keep: Option<&SecretHash>,
) -> Result<CredentialsEnded, AppError> {
    let Some(stored) = db.user(user)? else {
        return Err(AppError::NotFound(format!(
            "user {user} does not exist (any more)"
        )));
    };
    // The cheap check first, so a rejected new password costs no argon2 work.
    check_new_password(new)?;
    if !verify_password(&stored.password_hash, current) {
        return Err(AppError::Invalid(
            "the current password is wrong: type it again".to_owned(),
        ));
    }
    let hash = hash_password(new)?;
    store_password(db, &stored, &hash, keep)
}

/// Writes a new password hash, ends the user's sessions but `keep` and revokes the user's API
/// tokens, in one transaction.
fn store_password(
    db: &dyn Accounts,
    user: &User,
    hash: &str,
    keep: Option<&SecretHash>,
) -> Result<CredentialsEnded, AppError> {
    db.replace_password(user.id, hash, keep)?.ok_or_else(|| {
        AppError::NotFound(format!("the account {} was deleted meanwhile", user.email))
    })
}

/// A successful login: the session's secret goes into the cookie, the CSRF token to the pages.
#[derive(Debug)]
pub struct LoginOutcome {
    /// Who logged in.
    pub user: User,
    /// The cookie's value (the database keeps its hash).
    pub session_secret: Secret,
    /// The anti-CSRF token the pages send back with every change.
    pub csrf_token: String,
    /// When the session ends.
    pub expires: Timestamp,
}

/// Logs in: `None` when the address has no account or the password is wrong (the two cannot be
/// told apart, by answer or by time). Otherwise stores a new session lasting
/// [`SESSION_LIFETIME`].
pub fn login(
    db: &dyn Accounts,
    email: &str,
    password: &str,
    now: Timestamp,
) -> Result<Option<LoginOutcome>, AppError> {
    let user = match normalize_email(email) {
        Ok(email) => db.user_by_email(&email)?,
        Err(_) => None,
    };
    let Some(user) = user else {
        // Same argon2 work as for a known address, then fail.
        match DUMMY_HASH.as_deref() {
            Some(dummy) => {
                verify_password(dummy, password);
            }
            None => {
                let _ = hash_password(password);
            }
        }
        return Ok(None);
    };
    if !verify_password(&user.password_hash, password) {
        return Ok(None);
    }
    let session_secret = Secret::generate()?;
    let csrf_token = to_hex(&random_bytes()?);
    let expires = now
        .checked_add(SESSION_LIFETIME)
        .map_err(|e| AppError::Internal(format!("cannot compute the session's end: {e}")))?;
    db.create_session(&NewSession {
        secret: session_secret.hash(),
        user: user.id,
        csrf_token: csrf_token.clone(),
        created: now,
        expires,
    })?;
    Ok(Some(LoginOutcome {
        user,
        session_secret,
        csrf_token,
        expires,
    }))
}

/// The live session whose cookie holds `cookie_secret`; `None` when it is unknown, expired or
/// malformed.
pub fn session_user(
    db: &dyn Accounts,
    cookie_secret: &str,
    now: Timestamp,
) -> Result<Option<Session>, AppError> {
    if !looks_like_secret(cookie_secret) {
        return Ok(None);
    }
    Ok(db.session(&hash_secret(cookie_secret), now)?)
}

/// Ends the session whose cookie holds `cookie_secret` (nothing happens when there is none).
pub fn logout(db: &dyn Accounts, cookie_secret: &str) -> Result<(), AppError> {
    if looks_like_secret(cookie_secret) {
        db.delete_session(&hash_secret(cookie_secret))?;
    }
    Ok(())
}

/// A token just created: the only moment its secret is shown. Serialises as
/// `{"id","name","created","token"}`.
#[derive(Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    /// Its id, to revoke it.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: TokenId,
    /// Its name.
    pub name: String,
    /// When it was created.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created: Timestamp,
    /// The secret for `Authorization: Bearer …`: shown only here, once.
    pub token: String,
}

/// Never prints the secret.
impl fmt::Debug for CreatedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedToken")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("created", &self.created)
            .finish_non_exhaustive()
    }
}

impl CreatedToken {
    /// The listing entry and its secret, as shown once.
    pub fn new(token: &ApiToken, secret: &Secret) -> CreatedToken {
        CreatedToken {
            id: token.id,
            name: token.name.clone(),
            created: token.created,
            token: secret.expose().to_owned(),
        }
    }
}

/// Checks an API token's name (trimmed): not empty, at most [`MAX_TOKEN_NAME_CHARS`]
/// characters, no control characters.
fn check_token_name(name: &str) -> Result<&str, AppError> {
    let name = name.trim();
    let limit = format!("1 to {MAX_TOKEN_NAME_CHARS} characters of plain text");
    if name.is_empty() {
        return Err(AppError::from(Violation::new(
            "name",
            "",
            limit,
            "the token's name is empty: name it after where it is used, e.g. \"laptop sync\"",
        )));
    }
    let chars = name.chars().count();
    if chars > MAX_TOKEN_NAME_CHARS {
        return Err(AppError::from(Violation::new(
            "name",
            format!("{chars} characters"),
            limit,
            format!(
                "the token's name is longer than {MAX_TOKEN_NAME_CHARS} characters: shorten it"
            ),
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::from(Violation::new(
            "name",
            name.escape_debug().to_string(),
            limit,
            "the token's name contains a control character: use plain text",
        )));
    }
    Ok(name)
}

/// Creates an API token named `name` (trimmed) for a user: the listing entry, and the secret to
/// show once. The database keeps only the secret's hash.
pub fn create_token(
    db: &dyn Accounts,
    user: UserId,
    name: &str,
    now: Timestamp,
) -> Result<(ApiToken, Secret), AppError> {
    let name = check_token_name(name)?;
    let secret = Secret::generate()?;
    let token = db.create_token(user, name, &secret.hash(), now)?;
    Ok((token, secret))
}

/// Revokes one of the user's tokens; [`AppError::NotFound`] when the user has no such token.
pub fn revoke_token(db: &dyn Accounts, user: UserId, token: TokenId) -> Result<(), AppError> {
    if db.revoke_token(user, token)? {
        Ok(())
    } else {
        Err(AppError::NotFound(format!(
            "there is no token {token} of this user: list them to find its id"
        )))
    }
}

/// The user's API tokens (never their secrets), oldest first.
pub fn list_tokens(db: &dyn Accounts, user: UserId) -> Result<Vec<ApiToken>, AppError> {
    Ok(db.tokens(user)?)
}

/// The coaches' invitations waiting for the user's answer, oldest first.
pub fn invitations_for(db: &dyn Accounts, user: UserId) -> Result<Vec<Invitation>, AppError> {
    Ok(db.invitations_for(user)?)
}

/// The user accepts the coach's invitation (the coach may now read the user's data);
/// [`AppError::NotFound`] when that coach has not invited the user.
pub fn accept_invitation(
    db: &dyn Accounts,
    user: UserId,
    coach: UserId,
    now: Timestamp,
) -> Result<(), AppError> {
    if db.accept_invitation(user, coach, now)? {
        Ok(())
    } else {
        Err(AppError::NotFound(format!(
            "there is no invitation from coach {coach}: list the waiting ones to find it"
        )))
    }
}

/// The user leaves the coach, or declines the coach's waiting invitation (either way the coach
/// no longer sees the user's data); [`AppError::NotFound`] when there was neither.
pub fn leave_coach(db: &dyn Accounts, user: UserId, coach: UserId) -> Result<(), AppError> {
    if db.leave_coach(user, coach)? {
        Ok(())
    } else {
        Err(AppError::NotFound(format!(
            "there is no invitation from, or membership with, coach {coach}"
        )))
    }
}

/// The coaches who see the user's data.
pub fn coaches_of(db: &dyn Accounts, user: UserId) -> Result<Vec<CoachLink>, AppError> {
    Ok(db.coaches_of(user)?)
}

/// A coach's squad as the squad report reads it (each active member's athlete, named by
/// e-mail address), with the coach's invitations still waiting for an answer.
pub fn squad_of(
    db: &dyn Accounts,
    coach: UserId,
) -> Result<(Vec<crate::squad::SquadMember>, Vec<Invitation>), AppError> {
    let members = db
        .squad(coach)?
        .into_iter()
        .map(|member| crate::squad::SquadMember {
            athlete: member.athlete,
            name: member.email,
        })
        .collect();
    Ok((members, db.invitations_by(coach)?))
}

/// A coach invites an e-mail address (checked and normalised by [`normalize_email`]; inviting
/// twice changes nothing) at `now`; returns the address as stored. Whether the address has an
/// account is not told (no enumeration).
pub fn invite(
    db: &dyn Accounts,
    coach: UserId,
    email: &str,
    now: Timestamp,
) -> Result<String, AppError> {
    let email = normalize_email(email)?;
    db.invite(coach, &email, now)?;
    Ok(email)
}

/// A coach removes the athlete with this address from the squad, or withdraws the invitation;
/// [`AppError::NotFound`] when there was neither.
pub fn remove_member(db: &dyn Accounts, coach: UserId, email: &str) -> Result<(), AppError> {
    let email = normalize_email(email)?;
    if db.remove_member(coach, &email)? {
        Ok(())
    } else {
        Err(AppError::NotFound(format!(
            "nobody with the address {email} is in the squad or invited"
        )))
    }
}

/// The user a bearer token belongs to (recording its use at `now`); `None` when it is unknown,
/// revoked or malformed.
pub fn token_user(
    db: &dyn Accounts,
    bearer: &str,
    now: Timestamp,
) -> Result<Option<User>, AppError> {
    if !looks_like_secret(bearer) {
        return Ok(None);
    }
    Ok(db.token_user(&hash_secret(bearer), now)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_to_argon2id_phc_strings_that_verify() {
        let phc = hash_password("correct horse battery staple").expect("hashes");
        assert!(
            phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "unexpected parameters in {phc}"
        );
        assert!(verify_password(&phc, "correct horse battery staple"));
        assert!(!verify_password(&phc, "correct horse battery stapler"));
        assert!(!verify_password(&phc, ""));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        // A fresh salt each time: equal passwords do not show as equal hashes.
        let a = hash_password("same password here").expect("hashes");
        let b = hash_password("same password here").expect("hashes");
        assert_ne!(a, b);
        assert!(verify_password(&a, "same password here"));
        assert!(verify_password(&b, "same password here"));
    }

    #[test]
    fn malformed_hashes_match_nothing() {
        assert!(!verify_password("", "anything at all"));
        assert!(!verify_password("$argon2id$garbage", "anything at all"));
        assert!(!verify_password(
            "plain text password",
            "plain text password"
        ));
    }

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            normalize_email("  Coach@Example.ORG \n").expect("valid"),
            "coach@example.org"
        );
        assert_eq!(
            normalize_email("first.last+runs@club.co.uk").expect("valid"),
            "first.last+runs@club.co.uk"
        );
        assert_eq!(
            normalize_email("me@localhost").expect("valid"),
            "me@localhost"
        );
    }

    #[test]
    fn malformed_emails_are_refused_with_the_reason() {
        for (raw, why) in [
            ("", "empty"),
            ("   ", "empty"),
            ("coach.example.org", "no @"),
            ("a@b@c.org", "more than one @"),
            ("@example.org", "nothing before the @"),
            ("coach@", "not a domain"),
            ("coach@example..org", "not a domain"),
            ("coach@.org", "not a domain"),
            ("coach@example.org.", "not a domain"),
            ("co ach@example.org", "space"),
            ("coach@exa\u{7}mple.org", "control"),
        ] {
            let error = normalize_email(raw).expect_err(raw).to_string();
            assert!(error.contains(why), "{raw:?}: {error}");
        }
    }

    #[test]
    fn emails_longer_than_254_bytes_are_refused() {
        // 64 + 1 + 189 = 254 bytes: the longest accepted; one more letter is refused.
        let local = "a".repeat(64);
        let longest = format!("{local}@{}.org", "b".repeat(185));
        assert_eq!(longest.len(), 254);
        assert!(normalize_email(&longest).is_ok());
        let too_long = format!("{local}@{}.org", "b".repeat(186));
        let error = normalize_email(&too_long)
            .expect_err("255 bytes")
            .to_string();
        assert!(error.contains("at most 254"), "{error}");
    }

    #[test]
    fn passwords_need_ten_characters_and_at_most_1024_bytes() {
        assert!(check_new_password("123456789").is_err());
        assert!(check_new_password("1234567890").is_ok());
        // Characters, not bytes: ten two-byte letters are ten characters.
        assert!(check_new_password(&"é".repeat(10)).is_ok());
        assert!(check_new_password(&"é".repeat(9)).is_err());
        assert!(check_new_password(&"x".repeat(1024)).is_ok());
        let error = check_new_password(&"x".repeat(1025))
            .expect_err("too long")
            .to_string();
        assert!(error.contains("at most 1024"), "{error}");
        let error = check_new_password("short")
            .expect_err("too short")
            .to_string();
        assert!(
            error.contains("5 characters") && error.contains("at least 10"),
            "{error}"
        );
    }

    #[test]
    fn secrets_are_prefixed_256_bit_hex_and_unique() {
        let a = Secret::generate().expect("random");
        let b = Secret::generate().expect("random");
        assert_ne!(a.expose(), b.expose());
        assert!(a.expose().starts_with("fettle_"));
        // 7 characters of prefix and 2 hex digits for each of 32 bytes.
        assert_eq!(a.expose().len(), 7 + 64);
        assert!(looks_like_secret(a.expose()));
        assert_ne!(a.hash(), b.hash());
    }

    #[test]
    fn secret_hashes_are_the_sha256_of_the_text() {
        // Expected values from `printf %s fettle_x | sha256sum` and `printf '' | sha256sum`.
        assert_eq!(
            hash_secret("fettle_x").to_hex(),
            "5ab752c96cf40be72635cfdde2fb78a80eca017e7219ae9cc20e7403463ebc41"
        );
        assert_eq!(
            hash_secret("").to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let secret = Secret::generate().expect("random");
        assert_eq!(secret.hash(), hash_secret(secret.expose()));
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let secret = Secret::generate().expect("random");
        let shown = format!("{secret:?}");
        assert!(!shown.contains(secret.expose()), "{shown}");
        assert!(!shown.contains("fettle_"), "{shown}");
        let token = CreatedToken {
            id: TokenId(3),
            name: "laptop".to_owned(),
            created: Timestamp::UNIX_EPOCH,
            token: secret.expose().to_owned(),
        };
        let shown = format!("{token:?}");
        assert!(!shown.contains(secret.expose()), "{shown}");
        assert!(shown.contains("laptop"), "{shown}");
    }

    #[test]
    fn malformed_secrets_are_recognised_without_a_lookup() {
        assert!(!looks_like_secret(""));
        assert!(!looks_like_secret("fettle_"));
        assert!(!looks_like_secret(&format!("fettle_{}", "g".repeat(64))));
        assert!(!looks_like_secret(&format!("other__{}", "a".repeat(64))));
        assert!(!looks_like_secret(&format!("fettle_{}", "a".repeat(63))));
        assert!(looks_like_secret(&format!("fettle_{}", "a".repeat(64))));
    }

    #[test]
    fn token_names_are_trimmed_and_checked() {
        assert_eq!(
            check_token_name("  laptop sync ").expect("valid"),
            "laptop sync"
        );
        assert!(check_token_name("   ").is_err());
        assert!(check_token_name("a\tb").is_err());
        assert!(check_token_name(&"n".repeat(100)).is_ok());
        assert!(check_token_name(&"n".repeat(101)).is_err());
    }

    #[test]
    fn the_session_lifetime_is_two_weeks() {
        assert_eq!(SESSION_LIFETIME.as_secs(), 14 * 24 * 3600);
    }

    // The flows below run against a real (in-memory SQLite) store, as the web server and the
    // CLI do.

    use fettle_store::SqliteStore;

    const PASSWORD: &str = "correct horse battery";

    /// A fixed instant (2027-01-15T08:00:00Z), whole seconds so the store keeps it exactly.
    fn t0() -> Timestamp {
        Timestamp::from_second(1_800_000_000).expect("valid instant")
    }

    fn store_with_runner() -> (SqliteStore, User) {
        let store = SqliteStore::open_in_memory().expect("opens");
        let user = add_user(
            &store,
            " Runner@Example.org ",
            Role::Athlete,
            PASSWORD,
            t0(),
        )
        .expect("added");
        (store, user)
    }

    #[test]
    fn added_users_are_stored_normalised_with_a_verifiable_hash() {
        let (store, user) = store_with_runner();
        assert_eq!(user.email, "runner@example.org");
        assert_eq!(user.role, Role::Athlete);
        assert!(user.password_hash.starts_with("$argon2id$"));
        assert!(verify_password(&user.password_hash, PASSWORD));
        let found = find_user(&store, "RUNNER@example.org").expect("found");
        assert_eq!(found.id, user.id);
        let error = find_user(&store, "nobody@example.org").expect_err("unknown");
        assert!(matches!(error, AppError::NotFound(_)), "{error:?}");
    }

    #[test]
    fn a_taken_address_or_a_short_password_adds_nobody() {
        let (store, _) = store_with_runner();
        let error =
            add_user(&store, "RUNNER@example.org", Role::Coach, PASSWORD, t0()).expect_err("taken");
        assert!(
            matches!(&error, AppError::Invalid(m) if m.contains("runner@example.org already has an account")),
            "{error:?}"
        );
        let error =
            add_user(&store, "other@example.org", Role::Coach, "too short", t0()).expect_err("9");
        // The refusal is structured, and never holds the password itself.
        let refused = error.violations();
        assert_eq!(refused.len(), 1, "{error:?}");
        assert_eq!(refused[0].field, "password");
        assert_eq!(refused[0].value, "9 characters");
        assert_eq!(refused[0].limit, "at least 10 characters");
        assert_eq!(store.users().expect("lists").len(), 1);
    }

    #[test]
    fn login_fails_alike_for_a_wrong_password_and_an_unknown_address() {
        let (store, _) = store_with_runner();
        assert!(
            login(&store, "runner@example.org", "wrong password!", t0())
                .expect("no error")
                .is_none()
        );
        assert!(
            login(&store, "nobody@example.org", PASSWORD, t0())
                .expect("no error")
                .is_none()
        );
        assert!(
            login(&store, "not an address", PASSWORD, t0())
                .expect("no error")
                .is_none()
        );
    }

    #[test]
    fn an_unknown_address_costs_the_same_argon2_work_as_a_wrong_password() {
        let (store, _) = store_with_runner();
        prepare_login();
        // The fastest of five runs each, to shed the noise of a shared machine (other tests
        // hash in parallel). Without the dummy verification an unknown address would answer
        // about a thousand times faster (one indexed lookup against a 19 MiB hash), so a
        // factor of ten either way still catches that while tolerating a loaded machine.
        let fastest = |email: &str| {
            (0..5)
                .map(|_| {
                    let started = std::time::Instant::now();
                    let outcome = login(&store, email, "wrong password!", t0()).expect("no error");
                    assert!(outcome.is_none());
                    started.elapsed()
                })
                .min()
                .expect("five runs")
        };
        let wrong_password = fastest("runner@example.org");
        let unknown = fastest("nobody@example.org");
        assert!(
            unknown * 10 >= wrong_password && wrong_password * 10 >= unknown,
            "unknown address {unknown:?}, wrong password {wrong_password:?}"
        );
    }

    #[test]
    fn a_login_session_lasts_two_weeks_and_ends_at_logout() {
        let (store, user) = store_with_runner();
        let outcome = login(&store, "Runner@Example.org", PASSWORD, t0())
            .expect("no error")
            .expect("logged in");
        assert_eq!(outcome.user.id, user.id);
        // t0 + 14 × 86,400 s.
        assert_eq!(
            outcome.expires,
            Timestamp::from_second(1_800_000_000 + 1_209_600).expect("valid")
        );
        assert_eq!(outcome.csrf_token.len(), 64);
        let cookie = outcome.session_secret.expose();

        let last_second = outcome.expires - SignedDuration::from_secs(1);
        let session = session_user(&store, cookie, last_second)
            .expect("no error")
            .expect("still valid a second before the end");
        assert_eq!(session.user.id, user.id);
        assert_eq!(session.csrf_token, outcome.csrf_token);
        assert!(
            session_user(&store, cookie, outcome.expires)
                .expect("no error")
                .is_none(),
            "expired at its end"
        );

        let again = login(&store, "runner@example.org", PASSWORD, t0())
            .expect("no error")
            .expect("logged in");
        let cookie = again.session_secret.expose();
        assert!(
            session_user(&store, cookie, t0())
                .expect("no error")
                .is_some()
        );
        logout(&store, cookie).expect("logs out");
        assert!(
            session_user(&store, cookie, t0())
                .expect("no error")
                .is_none()
        );
        // Malformed cookies are no session, and no error.
        assert!(
            session_user(&store, "fettle_xyz", t0())
                .expect("no error")
                .is_none()
        );
        logout(&store, "garbage").expect("nothing to end");
    }

    #[test]
    fn changing_the_password_keeps_only_the_session_it_was_made_from_and_revokes_tokens() {
        let (store, user) = store_with_runner();
        let here = login(&store, "runner@example.org", PASSWORD, t0())
            .expect("no error")
            .expect("logged in");
        let elsewhere = login(&store, "runner@example.org", PASSWORD, t0())
            .expect("no error")
            .expect("logged in");

        let error = change_password(
            &store,
            user.id,
            "not my password",
            "a brand new password",
            Some(&here.session_secret.hash()),
        )
        .expect_err("wrong current password");
        assert!(
            matches!(&error, AppError::Invalid(m) if m.contains("current password is wrong")),
            "{error:?}"
        );
        assert!(
            session_user(&store, elsewhere.session_secret.expose(), t0())
                .expect("no error")
                .is_some(),
            "a refused change ends nothing"
        );

        let (_, laptop) = create_token(&store, user.id, "laptop", t0()).expect("token");
        let (_, phone) = create_token(&store, user.id, "phone", t0()).expect("token");
        let ended = change_password(
            &store,
            user.id,
            PASSWORD,
            "a brand new password",
            Some(&here.session_secret.hash()),
        )
        .expect("changed");
        assert_eq!(
            ended,
            CredentialsEnded {
                sessions: 1,
                tokens: 2
            },
            "the other login and both tokens"
        );
        for token in [&laptop, &phone] {
            assert!(
                token_user(&store, token.expose(), t0())
                    .expect("no error")
                    .is_none(),
                "a token made before the change is revoked"
            );
        }
        assert!(store.tokens(user.id).expect("tokens").is_empty());
        assert!(
            session_user(&store, here.session_secret.expose(), t0())
                .expect("no error")
                .is_some()
        );
        assert!(
            session_user(&store, elsewhere.session_secret.expose(), t0())
                .expect("no error")
                .is_none()
        );
        assert!(
            login(&store, "runner@example.org", PASSWORD, t0())
                .expect("ok")
                .is_none()
        );
        assert!(
            login(&store, "runner@example.org", "a brand new password", t0())
                .expect("ok")
                .is_some()
        );
    }

    #[test]
    fn an_administrator_reset_ends_every_session_and_token() {
        let (store, _) = store_with_runner();
        let outcome = login(&store, "runner@example.org", PASSWORD, t0())
            .expect("no error")
            .expect("logged in");
        let (_, token) = create_token(&store, outcome.user.id, "sync", t0()).expect("token");
        assert!(set_password(&store, "runner@example.org", "short").is_err());
        assert!(
            token_user(&store, token.expose(), t0())
                .expect("no error")
                .is_some(),
            "a refused reset revokes nothing"
        );
        let ended =
            set_password(&store, "RUNNER@example.org", "a brand new password").expect("set");
        assert_eq!(
            ended,
            CredentialsEnded {
                sessions: 1,
                tokens: 1
            }
        );
        assert!(
            token_user(&store, token.expose(), t0())
                .expect("no error")
                .is_none(),
            "the token made before the reset is revoked"
        );
        assert!(
            session_user(&store, outcome.session_secret.expose(), t0())
                .expect("no error")
                .is_none()
        );
        assert!(
            login(&store, "runner@example.org", "a brand new password", t0())
                .expect("ok")
                .is_some()
        );
        let error = set_password(&store, "nobody@example.org", "a brand new password")
            .expect_err("unknown");
        assert!(matches!(error, AppError::NotFound(_)), "{error:?}");
    }

    #[test]
    fn tokens_authenticate_record_their_use_and_stop_when_revoked() {
        let (store, user) = store_with_runner();
        let (token, secret) = create_token(&store, user.id, " laptop sync ", t0()).expect("made");
        assert_eq!(token.name, "laptop sync");
        assert_eq!(token.last_used, None);
        let later = t0() + SignedDuration::from_secs(60);
        let found = token_user(&store, secret.expose(), later)
            .expect("no error")
            .expect("authenticates");
        assert_eq!(found.id, user.id);
        let listed = store.tokens(user.id).expect("lists");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].last_used, Some(later));

        assert!(create_token(&store, user.id, "  ", t0()).is_err());
        revoke_token(&store, user.id, token.id).expect("revoked");
        assert!(
            token_user(&store, secret.expose(), later)
                .expect("no error")
                .is_none()
        );
        let error = revoke_token(&store, user.id, token.id).expect_err("gone");
        assert!(matches!(error, AppError::NotFound(_)), "{error:?}");
        assert!(
            token_user(&store, "Bearer nonsense", later)
                .expect("no error")
                .is_none()
        );
    }
}
