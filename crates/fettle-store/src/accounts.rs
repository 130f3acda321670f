//! Accounts for the multi-user server: users and their roles, login sessions, API tokens and
//! the coach–athlete memberships, behind the [`Accounts`] trait.
//!
//! Every user owns exactly one athlete partition (the [`Store`](crate::Store) data of that
//! person, named after the e-mail address), created with the user in one transaction. A coach
//! is a user too, with a partition of their own that may stay empty.
//!
//! Secrets never reach the database: sessions and API tokens are stored as the SHA-256 of the
//! secret the client holds ([`SecretHash`]), passwords as argon2id PHC strings computed by the
//! caller (`fettle_app::accounts`). So a copy of the database lets nobody log in.
//!
//! Memberships are keyed by the invited e-mail address, not by an account, so that inviting
//! says nothing about whether an account exists (no enumeration): the invitation waits until a
//! user with that address accepts it. A coach sees an athlete's data only while the membership
//! is active ([`Accounts::coach_sees`]); an athlete can leave at any time and the coach can
//! remove the athlete or withdraw the invitation.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{StoreError, StoreResult};
use crate::model::AthleteId;

/// A user account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An API token (its id, not its secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TokenId(pub i64);

impl fmt::Display for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a user may do besides reading and writing their own data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sees and changes their own data; accepts or leaves coaches.
    Athlete,
    /// Also invites athletes and reads the data of those who accepted (never changes it).
    Coach,
}

impl Role {
    /// The word stored and shown (`athlete`, `coach`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Athlete => "athlete",
            Role::Coach => "coach",
        }
    }

    /// Parses [`Role::as_str`]'s words (case-insensitive).
    pub fn parse(word: &str) -> Option<Role> {
        match word.trim().to_ascii_lowercase().as_str() {
            "athlete" => Some(Role::Athlete),
            "coach" => Some(Role::Coach),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The SHA-256 of a session or API-token secret: what the database keeps instead of the secret.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecretHash(pub [u8; 32]);

impl SecretHash {
    /// The 64 lower-case hex digits stored in the database.
    pub fn to_hex(&self) -> String {
        use fmt::Write as _;
        self.0.iter().fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    }

    /// Parses [`SecretHash::to_hex`]'s form.
    pub fn from_hex(hex: &str) -> Option<SecretHash> {
        if hex.len() != 64 || !hex.is_ascii() {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(SecretHash(bytes))
    }
}

/// Never prints the hash (it identifies a live session).
impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretHash(…)")
    }
}

/// A stored user.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    /// The account.
    pub id: UserId,
    /// The login: trimmed and lower-cased, unique.
    pub email: String,
    /// Athlete or coach.
    pub role: Role,
    /// The user's own data partition.
    pub athlete: AthleteId,
    /// The argon2id PHC string of the password.
    pub password_hash: String,
    /// When the account was created.
    pub created: Timestamp,
}

/// Never prints the password hash.
impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("athlete", &self.athlete)
            .finish_non_exhaustive()
    }
}

/// A user about to be created.
#[derive(Clone, Copy)]
pub struct NewUser<'a> {
    /// The login, already trimmed and lower-cased by the caller.
    pub email: &'a str,
    /// Athlete or coach.
    pub role: Role,
    /// The argon2id PHC string of the password.
    pub password_hash: &'a str,
}

/// A login session about to be stored.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// Hash of the cookie's secret.
    pub secret: SecretHash,
    /// Whose session it is.
    pub user: UserId,
    /// The anti-CSRF token the pages send back with every change (random, not secret from the
    /// user, only from other sites).
    pub csrf_token: String,
    /// When the user logged in.
    pub created: Timestamp,
    /// When the session stops being valid.
    pub expires: Timestamp,
}

/// A live session, as found from its cookie.
#[derive(Debug, Clone)]
pub struct Session {
    /// The logged-in user.
    pub user: User,
    /// The session's anti-CSRF token.
    pub csrf_token: String,
    /// When it stops being valid.
    pub expires: Timestamp,
}

/// An API token as listed (never its secret, which is shown once, at creation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// Its id, to revoke it.
    pub id: TokenId,
    /// What the user called it (`laptop sync`).
    pub name: String,
    /// When it was created.
    pub created: Timestamp,
    /// When it was last used to authenticate, if ever.
    pub last_used: Option<Timestamp>,
}

/// What a password change or reset ended besides the old password
/// ([`Accounts::replace_password`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CredentialsEnded {
    /// How many login sessions were ended (every one but the session the change was made from).
    pub sessions: u64,
    /// How many API tokens were revoked (all of the user's).
    pub tokens: u64,
}

/// A coach's invitation waiting for an athlete's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invitation {
    /// The inviting coach.
    pub coach: UserId,
    /// The coach's e-mail address.
    pub coach_email: String,
    /// The invited address.
    pub email: String,
    /// When the invitation was made.
    pub invited: Timestamp,
}

/// An athlete in a coach's squad (an accepted invitation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    /// The athlete's account.
    pub user: UserId,
    /// Their e-mail address.
    pub email: String,
    /// Their data partition.
    pub athlete: AthleteId,
    /// When they accepted.
    pub since: Timestamp,
}

/// A coach an athlete has accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoachLink {
    /// The coach's account.
    pub coach: UserId,
    /// The coach's e-mail address.
    pub email: String,
    /// When the athlete accepted.
    pub since: Timestamp,
}

/// Users, sessions, API tokens and memberships, implemented by both backends with the same
/// behaviour (pinned by [`conformance`](crate::conformance)). Synchronous and object safe like
/// [`Store`](crate::Store); each method is atomic.
///
/// E-mail addresses are compared exactly: callers pass them trimmed and lower-cased
/// (`fettle_app::accounts::normalize_email`). Timestamps are kept to the millisecond.
pub trait Accounts: Send + Sync {
    /// Creates a user and their athlete partition (named after the e-mail address) in one
    /// transaction. An e-mail address already in use fails with
    /// [`StoreError::Conflict`](crate::StoreError::Conflict) and writes nothing; an empty or
    /// untrimmed address or an empty password hash fails with
    /// [`StoreError::Invalid`](crate::StoreError::Invalid).
    ///
    /// An athlete of that name that exists without a user (data an administrator imported
    /// for the person, with [`Store::create_athlete`](crate::Store::create_athlete), before
    /// the account existed) becomes the user's partition rather than being duplicated.
    fn create_user(&self, user: &NewUser<'_>, now: Timestamp) -> StoreResult<User>;

    /// Creates a user who owns the existing athlete partition named `partition` (the
    /// single-user `default` athlete of a laptop database moved to a server, or data an
    /// administrator imported under another name), in one transaction. Fails with
    /// [`StoreError::Invalid`](crate::StoreError::Invalid) when no athlete has that name, and
    /// with [`StoreError::Conflict`](crate::StoreError::Conflict) when the address is in use
    /// or the partition already belongs to a user; nothing is written then.
    fn create_user_owning(
        &self,
        user: &NewUser<'_>,
        partition: &str,
        now: Timestamp,
    ) -> StoreResult<User>;

    /// The user with this e-mail address.
    fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;

    /// The user with this id.
    fn user(&self, id: UserId) -> StoreResult<Option<User>>;

    /// Every user, by e-mail address.
    fn users(&self) -> StoreResult<Vec<User>>;

    /// Replaces a user's password hash. Returns whether the user exists. An empty hash fails
    /// with [`StoreError::Invalid`](crate::StoreError::Invalid).
    fn set_password_hash(&self, user: UserId, password_hash: &str) -> StoreResult<bool>;

    /// Replaces a user's password hash and, in the same transaction, ends every session of the
    /// user but `keep` (the session the change was made from, if any) and revokes every API
    /// token of the user: whoever knew the old password, or holds a credential obtained with
    /// it, loses access at once. `None` when the user does not exist (nothing is changed); an
    /// empty hash fails with [`StoreError::Invalid`](crate::StoreError::Invalid).
    fn replace_password(
        &self,
        user: UserId,
        password_hash: &str,
        keep: Option<&SecretHash>,
    ) -> StoreResult<Option<CredentialsEnded>>;

    /// Stores a new session (and drops the user's sessions expired at its creation time). An
    /// unknown user fails with [`StoreError::Invalid`](crate::StoreError::Invalid).
    fn create_session(&self, session: &NewSession) -> StoreResult<()>;

    /// The live session with this secret hash: `None` when unknown or expired at `now` (an
    /// expired one is deleted). A session is live strictly before its `expires` instant.
    fn session(&self, secret: &SecretHash, now: Timestamp) -> StoreResult<Option<Session>>;

    /// Ends one session (logout). Returns whether it existed.
    fn delete_session(&self, secret: &SecretHash) -> StoreResult<bool>;

    /// Ends every session of a user except `keep` (after a password change, the session that
    /// changed it stays). Returns how many were ended.
    fn delete_sessions_of(&self, user: UserId, keep: Option<&SecretHash>) -> StoreResult<u64>;

    /// Stores a new API token for a user under `name`. An unknown user fails with
    /// [`StoreError::Invalid`](crate::StoreError::Invalid).
    fn create_token(
        &self,
        user: UserId,
        name: &str,
        secret: &SecretHash,
        now: Timestamp,
    ) -> StoreResult<ApiToken>;

    /// The user an API token belongs to, recording `now` as its last use; `None` when the token
    /// is unknown or revoked.
    ///
    /// The last use is kept to the minute: a use less than a minute after the recorded one
    /// leaves it as it is, so that authenticating is a read, not a durable write, on almost
    /// every request. It never moves back in time.
    fn token_user(&self, secret: &SecretHash, now: Timestamp) -> StoreResult<Option<User>>;

    /// A user's tokens, oldest first.
    fn tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>>;

    /// Revokes (deletes) one of the user's tokens. Returns whether the user had it; another
    /// user's token id is `false` and stays valid.
    fn revoke_token(&self, user: UserId, token: TokenId) -> StoreResult<bool>;

    /// A coach invites an e-mail address (idempotent; inviting an address already in the squad
    /// changes nothing). A user who is not a coach, an empty address and the coach's own
    /// address fail with [`StoreError::Invalid`](crate::StoreError::Invalid).
    fn invite(&self, coach: UserId, email: &str, now: Timestamp) -> StoreResult<()>;

    /// The invitations waiting for this user's e-mail address, oldest first.
    fn invitations_for(&self, user: UserId) -> StoreResult<Vec<Invitation>>;

    /// The invitations a coach has made that are still waiting, oldest first.
    fn invitations_by(&self, coach: UserId) -> StoreResult<Vec<Invitation>>;

    /// The user accepts the coach's invitation: the membership becomes active. Returns `false`
    /// (and changes nothing) when there is no waiting invitation from that coach.
    fn accept_invitation(&self, user: UserId, coach: UserId, now: Timestamp) -> StoreResult<bool>;

    /// The user leaves the coach, or declines the coach's waiting invitation. Returns whether
    /// there was anything to leave.
    fn leave_coach(&self, user: UserId, coach: UserId) -> StoreResult<bool>;

    /// The coach removes an athlete (`email`) from the squad or withdraws the invitation.
    /// Returns whether there was anything to remove.
    fn remove_member(&self, coach: UserId, email: &str) -> StoreResult<bool>;

    /// The coach's active members, by e-mail address.
    fn squad(&self, coach: UserId) -> StoreResult<Vec<Member>>;

    /// The coaches the user has accepted, by e-mail address.
    fn coaches_of(&self, user: UserId) -> StoreResult<Vec<CoachLink>>;

    /// Whether the coach may read this athlete partition: an active membership of a user whose
    /// partition it is. Always `false` for a user who is not a coach.
    fn coach_sees(&self, coach: UserId, athlete: AthleteId) -> StoreResult<bool>;
}

/// Both traits at once: what a server or an administration command needs from one database.
/// Every backend implements it; `&dyn Database` coerces to `&dyn Store` and `&dyn Accounts`.
pub trait Database: crate::Store + Accounts {}

impl<T: crate::Store + Accounts + ?Sized> Database for T {}

// ----- checks and errors shared by both backends --------------------------------------------

/// How much newer than the recorded last use of an API token a use must be to replace it:
/// [`Accounts::token_user`]'s "to the minute".
pub(crate) const TOKEN_USE_PRECISION_MS: i64 = 60_000;

/// An instant as stored (whole milliseconds) and as it reads back, so that what a create
/// method returns equals what a later read gives.
pub(crate) fn stored_instant(instant: Timestamp) -> (i64, Timestamp) {
    let ms = instant.as_millisecond();
    // Dropping the sub-millisecond part stays within jiff's range: the fallback never runs.
    (ms, Timestamp::from_millisecond(ms).unwrap_or(instant))
}

/// Refuses a user without an address (or with one not trimmed) or without a password hash.
pub(crate) fn check_new_user(user: &NewUser<'_>) -> StoreResult<()> {
    crate::text::check("e-mail address", user.email)?;
    if user.email.is_empty() || user.email.trim() != user.email {
        return Err(StoreError::Invalid(
            "a user needs an e-mail address, trimmed and lower-cased".to_owned(),
        ));
    }
    check_password_hash(user.password_hash)
}

/// Refuses an empty password hash: the account could never be logged into.
pub(crate) fn check_password_hash(password_hash: &str) -> StoreResult<()> {
    crate::text::check("password hash", password_hash)?;
    if password_hash.is_empty() {
        return Err(StoreError::Invalid(
            "the password hash is empty: hash the password before storing it".to_owned(),
        ));
    }
    Ok(())
}

/// The address already has an account.
pub(crate) fn email_taken(email: &str) -> StoreError {
    StoreError::Conflict(format!(
        "{email} already has an account: use another e-mail address, or reset that account's password"
    ))
}

/// No athlete partition has the name an account was to own.
pub(crate) fn no_such_partition(partition: &str) -> StoreError {
    StoreError::Invalid(format!(
        "no athlete is named {partition:?}: give the name of an existing athlete (the local one is `default`)"
    ))
}

/// The partition an account was to own belongs to another account already.
pub(crate) fn partition_owned(partition: &str) -> StoreError {
    StoreError::Conflict(format!(
        "athlete {partition:?} already belongs to an account: each athlete has one"
    ))
}

/// The inviting user is unknown or not a coach.
pub(crate) fn not_a_coach(coach: UserId) -> StoreError {
    StoreError::Invalid(format!(
        "user {coach} is not a coach: only coaches invite athletes"
    ))
}

/// A coach inviting their own address (their partition is theirs already).
pub(crate) fn own_address() -> StoreError {
    StoreError::Invalid(
        "a coach cannot invite their own address: their own data is theirs already".to_owned(),
    )
}

/// An invitation without an address.
pub(crate) fn no_address() -> StoreError {
    StoreError::Invalid("an invitation needs an e-mail address".to_owned())
}

/// A session or token for a user that does not exist.
pub(crate) fn unknown_user(user: UserId) -> StoreError {
    StoreError::Invalid(format!(
        "user {user} does not exist: list the users to find the right one"
    ))
}

/// A session or token secret hash already stored (a secret generated twice).
pub(crate) fn secret_taken(what: &str) -> StoreError {
    StoreError::Conflict(format!(
        "a {what} with this secret already exists: generate a new secret"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_hashes_round_trip_through_hex() {
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::try_from(i * 7).unwrap_or(0);
        }
        let hash = SecretHash(bytes);
        let hex = hash.to_hex();
        assert_eq!(hex.len(), 64);
        assert!(hex.starts_with("00070e15"));
        assert_eq!(SecretHash::from_hex(&hex), Some(hash));
        assert_eq!(SecretHash::from_hex("zz"), None);
    }

    #[test]
    fn roles_parse_their_words_only() {
        assert_eq!(Role::parse(" Coach "), Some(Role::Coach));
        assert_eq!(Role::parse("athlete"), Some(Role::Athlete));
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let user = User {
            id: UserId(1),
            email: "a@b.c".to_owned(),
            role: Role::Athlete,
            athlete: AthleteId(2),
            password_hash: "$argon2id$secret".to_owned(),
            created: Timestamp::UNIX_EPOCH,
        };
        assert!(!format!("{user:?}").contains("argon2id"));
        assert!(!format!("{:?}", SecretHash([1; 32])).contains("01"));
    }
}
