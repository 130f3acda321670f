//! [`Accounts`] for the SQLite backend: users, sessions, API tokens and memberships (schema 2).
//!
//! Every method takes the one connection's lock for its whole work, and the methods that
//! read before they write do so in an immediate transaction, so each is atomic as the trait
//! requires.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, Row, Transaction, TransactionBehavior, params};

use super::{SqliteStore, db, is_constraint, read, timestamp};
use crate::accounts::{
    Accounts, ApiToken, CoachLink, CredentialsEnded, Invitation, Member, NewSession, NewUser, Role,
    SecretHash, Session, TOKEN_USE_PRECISION_MS, TokenId, User, UserId, check_new_user,
    check_password_hash, email_taken, no_address, no_such_partition, not_a_coach, own_address,
    partition_owned, secret_taken, stored_instant, unknown_user,
};
use crate::error::StoreResult;
use crate::model::AthleteId;

/// The user columns, in the order [`user_from_row`] reads them (prefix `u.`).
const USER_COLUMNS: &str =
    "u.user_id, u.email, u.role, u.athlete_id, u.password_hash, u.created_ms";

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: UserId(row.get(0)?),
        email: row.get(1)?,
        role: role(row.get_ref(2)?.as_str()?, 2)?,
        athlete: AthleteId(row.get(3)?),
        password_hash: row.get(4)?,
        created: timestamp(row.get(5)?, 5)?,
    })
}

fn role(word: &str, column: usize) -> rusqlite::Result<Role> {
    Role::parse(word).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            format!("unknown role `{word}`").into(),
        )
    })
}

fn token_from_row(row: &Row<'_>) -> rusqlite::Result<ApiToken> {
    Ok(ApiToken {
        id: TokenId(row.get(0)?),
        name: row.get(1)?,
        created: timestamp(row.get(2)?, 2)?,
        last_used: row
            .get::<_, Option<i64>>(3)?
            .map(|ms| timestamp(ms, 3))
            .transpose()?,
    })
}

fn invitation_from_row(row: &Row<'_>) -> rusqlite::Result<Invitation> {
    Ok(Invitation {
        coach: UserId(row.get(0)?),
        coach_email: row.get(1)?,
        email: row.get(2)?,
        invited: timestamp(row.get(3)?, 3)?,
    })
}

fn user_in(tx: &Transaction<'_>, id: UserId) -> rusqlite::Result<Option<User>> {
    tx.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE u.user_id = ?1"
    ))?
    .query_row([id.0], user_from_row)
    .optional()
}

impl SqliteStore {
    /// Runs `work` in an immediate (write-locking) transaction and commits it.
    fn accounts_tx<T>(
        &self,
        context: &'static str,
        work: impl FnOnce(&Transaction<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut connection = self.lock();
        let tx = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db(context))?;
        let value = work(&tx)?;
        tx.commit().map_err(db(context))?;
        Ok(value)
    }

    /// Runs one statement (prepared once per connection) and returns how many rows it changed.
    fn accounts_execute(
        &self,
        context: &'static str,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> StoreResult<u64> {
        let changed = self
            .lock()
            .prepare_cached(sql)
            .and_then(|mut stmt| stmt.execute(params))
            .map_err(db(context))?;
        Ok(u64::try_from(changed).unwrap_or(u64::MAX))
    }

    /// Runs one query and maps every row.
    fn accounts_query<T>(
        &self,
        context: &'static str,
        sql: &str,
        params: impl rusqlite::Params,
        map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> StoreResult<Vec<T>> {
        self.lock()
            .prepare_cached(sql)
            .and_then(|mut stmt| stmt.query_map(params, map)?.collect())
            .map_err(read(context))
    }
}

impl Accounts for SqliteStore {
    fn create_user(&self, user: &NewUser<'_>, now: Timestamp) -> StoreResult<User> {
        self.insert_user(user, None, now)
    }

    fn create_user_owning(
        &self,
        user: &NewUser<'_>,
        partition: &str,
        now: Timestamp,
    ) -> StoreResult<User> {
        self.insert_user(user, Some(partition), now)
    }

    fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        crate::text::check("e-mail address", email)?;
        let mut users = self.accounts_query(
            "looking up a user",
            &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.email = ?1"),
            [email],
            user_from_row,
        )?;
        Ok(users.pop())
    }

    fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let mut users = self.accounts_query(
            "looking up a user",
            &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.user_id = ?1"),
            [id.0],
            user_from_row,
        )?;
        Ok(users.pop())
    }

    fn users(&self) -> StoreResult<Vec<User>> {
        self.accounts_query(
            "listing users",
            &format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.email"),
            [],
            user_from_row,
        )
    }

    fn set_password_hash(&self, user: UserId, password_hash: &str) -> StoreResult<bool> {
        check_password_hash(password_hash)?;
        let changed = self.accounts_execute(
            "changing a password",
            "UPDATE users SET password_hash = ?1 WHERE user_id = ?2",
            params![password_hash, user.0],
        )?;
        Ok(changed > 0)
    }

    fn replace_password(
        &self,
        user: UserId,
        password_hash: &str,
        keep: Option<&SecretHash>,
    ) -> StoreResult<Option<CredentialsEnded>> {
        check_password_hash(password_hash)?;
        let context = "changing a password";
        self.accounts_tx(context, |tx| {
            let changed = tx
                .prepare_cached("UPDATE users SET password_hash = ?1 WHERE user_id = ?2")
                .and_then(|mut stmt| stmt.execute(params![password_hash, user.0]))
                .map_err(db(context))?;
            if changed == 0 {
                return Ok(None);
            }
            let sessions = tx
                .prepare_cached(
                    "DELETE FROM sessions WHERE user_id = ?1 AND (?2 IS NULL OR secret_hash <> ?2)",
                )
                .and_then(|mut stmt| stmt.execute(params![user.0, keep.map(SecretHash::to_hex)]))
                .map_err(db(context))?;
            let tokens = tx
                .prepare_cached("DELETE FROM api_tokens WHERE user_id = ?1")
                .and_then(|mut stmt| stmt.execute([user.0]))
                .map_err(db(context))?;
            Ok(Some(CredentialsEnded {
                sessions: u64::try_from(sessions).unwrap_or(u64::MAX),
                tokens: u64::try_from(tokens).unwrap_or(u64::MAX),
            }))
        })
    }

    fn create_session(&self, session: &NewSession) -> StoreResult<()> {
        let context = "storing a session";
        self.accounts_tx(context, |tx| {
            if user_in(tx, session.user).map_err(read(context))?.is_none() {
                return Err(unknown_user(session.user));
            }
            let created_ms = session.created.as_millisecond();
            // Logging in is the moment to sweep the user's sessions that ran out unused.
            tx.prepare_cached("DELETE FROM sessions WHERE user_id = ?1 AND expires_ms <= ?2")
                .and_then(|mut stmt| stmt.execute(params![session.user.0, created_ms]))
                .map_err(db(context))?;
            tx.prepare_cached(
                "INSERT INTO sessions (secret_hash, user_id, csrf_token, created_ms, expires_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    session.secret.to_hex(),
                    session.user.0,
                    session.csrf_token,
                    created_ms,
                    session.expires.as_millisecond()
                ])
            })
            .map_err(|e| {
                if is_constraint(&e) {
                    secret_taken("session")
                } else {
                    db(context)(e)
                }
            })?;
            Ok(())
        })
    }

    fn session(&self, secret: &SecretHash, now: Timestamp) -> StoreResult<Option<Session>> {
        let context = "looking up a session";
        let hex = secret.to_hex();
        let connection = self.lock();
        let found = connection
            .prepare_cached(&format!(
                "SELECT {USER_COLUMNS}, s.csrf_token, s.expires_ms
                 FROM sessions s JOIN users u ON u.user_id = s.user_id
                 WHERE s.secret_hash = ?1"
            ))
            .and_then(|mut stmt| {
                stmt.query_row([&hex], |row| {
                    let expires_ms: i64 = row.get(7)?;
                    Ok((user_from_row(row)?, row.get::<_, String>(6)?, expires_ms))
                })
                .optional()
            })
            .map_err(read(context))?;
        let Some((user, csrf_token, expires_ms)) = found else {
            return Ok(None);
        };
        if expires_ms <= now.as_millisecond() {
            // Valid up to, not including, its expiry instant; gone from then on.
            connection
                .prepare_cached("DELETE FROM sessions WHERE secret_hash = ?1 AND expires_ms <= ?2")
                .and_then(|mut stmt| stmt.execute(params![hex, now.as_millisecond()]))
                .map_err(db("deleting an expired session"))?;
            return Ok(None);
        }
        Ok(Some(Session {
            user,
            csrf_token,
            expires: timestamp(expires_ms, 7).map_err(read(context))?,
        }))
    }

    fn delete_session(&self, secret: &SecretHash) -> StoreResult<bool> {
        let deleted = self.accounts_execute(
            "ending a session",
            "DELETE FROM sessions WHERE secret_hash = ?1",
            [secret.to_hex()],
        )?;
        Ok(deleted > 0)
    }

    fn delete_sessions_of(&self, user: UserId, keep: Option<&SecretHash>) -> StoreResult<u64> {
        self.accounts_execute(
            "ending a user's sessions",
            "DELETE FROM sessions WHERE user_id = ?1 AND (?2 IS NULL OR secret_hash <> ?2)",
            params![user.0, keep.map(SecretHash::to_hex)],
        )
    }

    fn create_token(
        &self,
        user: UserId,
        name: &str,
        secret: &SecretHash,
        now: Timestamp,
    ) -> StoreResult<ApiToken> {
        crate::text::check("token name", name)?;
        let context = "creating an API token";
        let (created_ms, created) = stored_instant(now);
        self.accounts_tx(context, |tx| {
            if user_in(tx, user).map_err(read(context))?.is_none() {
                return Err(unknown_user(user));
            }
            tx.prepare_cached(
                "INSERT INTO api_tokens (user_id, name, secret_hash, created_ms)
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut stmt| stmt.execute(params![user.0, name, secret.to_hex(), created_ms]))
            .map_err(|e| {
                if is_constraint(&e) {
                    secret_taken("API token")
                } else {
                    db(context)(e)
                }
            })?;
            Ok(ApiToken {
                id: TokenId(tx.last_insert_rowid()),
                name: name.to_owned(),
                created,
                last_used: None,
            })
        })
    }

    fn token_user(&self, secret: &SecretHash, now: Timestamp) -> StoreResult<Option<User>> {
        let context = "looking up an API token";
        let now_ms = now.as_millisecond();
        let connection = self.lock();
        let found = connection
            .prepare_cached(&format!(
                "SELECT {USER_COLUMNS}, t.token_id, t.last_used_ms
                 FROM api_tokens t JOIN users u ON u.user_id = t.user_id
                 WHERE t.secret_hash = ?1"
            ))
            .and_then(|mut stmt| {
                stmt.query_row([secret.to_hex()], |row| {
                    Ok((
                        user_from_row(row)?,
                        row.get::<_, i64>(6)?,
                        row.get::<_, Option<i64>>(7)?,
                    ))
                })
                .optional()
            })
            .map_err(read(context))?;
        let Some((user, token, last_used_ms)) = found else {
            return Ok(None);
        };
        if last_used_ms.is_none_or(|last| last <= now_ms - TOKEN_USE_PRECISION_MS) {
            // The condition is repeated so that requests finishing out of order (or another
            // process) never move the last use back in time.
            connection
                .prepare_cached(
                    "UPDATE api_tokens SET last_used_ms = ?1
                     WHERE token_id = ?2 AND (last_used_ms IS NULL OR last_used_ms <= ?3)",
                )
                .and_then(|mut stmt| {
                    stmt.execute(params![now_ms, token, now_ms - TOKEN_USE_PRECISION_MS])
                })
                .map_err(db("recording an API token's use"))?;
        }
        Ok(Some(user))
    }

    fn tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>> {
        self.accounts_query(
            "listing API tokens",
            "SELECT token_id, name, created_ms, last_used_ms FROM api_tokens
             WHERE user_id = ?1 ORDER BY created_ms, token_id",
            [user.0],
            token_from_row,
        )
    }

    fn revoke_token(&self, user: UserId, token: TokenId) -> StoreResult<bool> {
        let deleted = self.accounts_execute(
            "revoking an API token",
            "DELETE FROM api_tokens WHERE token_id = ?1 AND user_id = ?2",
            params![token.0, user.0],
        )?;
        Ok(deleted > 0)
    }

    fn invite(&self, coach: UserId, email: &str, now: Timestamp) -> StoreResult<()> {
        crate::text::check("e-mail address", email)?;
        if email.trim().is_empty() {
            return Err(no_address());
        }
        let context = "inviting an athlete";
        self.accounts_tx(context, |tx| {
            let inviter = user_in(tx, coach).map_err(read(context))?;
            match inviter {
                Some(user) if user.role == Role::Coach => {
                    if user.email == email {
                        return Err(own_address());
                    }
                }
                _ => return Err(not_a_coach(coach)),
            }
            // DO NOTHING keeps a waiting invitation's first time and an active membership as
            // they are: inviting again is harmless.
            tx.prepare_cached(
                "INSERT INTO memberships (coach_id, email, state, invited_ms)
                 VALUES (?1, ?2, 'invited', ?3)
                 ON CONFLICT (coach_id, email) DO NOTHING",
            )
            .and_then(|mut stmt| stmt.execute(params![coach.0, email, now.as_millisecond()]))
            .map_err(db(context))?;
            Ok(())
        })
    }

    fn invitations_for(&self, user: UserId) -> StoreResult<Vec<Invitation>> {
        self.accounts_query(
            "listing invitations",
            "SELECT m.coach_id, c.email, m.email, m.invited_ms
             FROM users a
             JOIN memberships m ON m.email = a.email AND m.state = 'invited'
             JOIN users c ON c.user_id = m.coach_id
             WHERE a.user_id = ?1
             ORDER BY m.invited_ms, m.coach_id",
            [user.0],
            invitation_from_row,
        )
    }

    fn invitations_by(&self, coach: UserId) -> StoreResult<Vec<Invitation>> {
        self.accounts_query(
            "listing invitations",
            "SELECT m.coach_id, c.email, m.email, m.invited_ms
             FROM memberships m JOIN users c ON c.user_id = m.coach_id
             WHERE m.coach_id = ?1 AND m.state = 'invited'
             ORDER BY m.invited_ms, m.email",
            [coach.0],
            invitation_from_row,
        )
    }

    fn accept_invitation(&self, user: UserId, coach: UserId, now: Timestamp) -> StoreResult<bool> {
        let accepted = self.accounts_execute(
            "accepting an invitation",
            "UPDATE memberships SET state = 'active', accepted_ms = ?1
             WHERE coach_id = ?2 AND state = 'invited'
               AND email = (SELECT email FROM users WHERE user_id = ?3)",
            params![now.as_millisecond(), coach.0, user.0],
        )?;
        Ok(accepted > 0)
    }

    fn leave_coach(&self, user: UserId, coach: UserId) -> StoreResult<bool> {
        let left = self.accounts_execute(
            "leaving a coach",
            "DELETE FROM memberships
             WHERE coach_id = ?1 AND email = (SELECT email FROM users WHERE user_id = ?2)",
            params![coach.0, user.0],
        )?;
        Ok(left > 0)
    }

    fn remove_member(&self, coach: UserId, email: &str) -> StoreResult<bool> {
        crate::text::check("e-mail address", email)?;
        let removed = self.accounts_execute(
            "removing an athlete from a squad",
            "DELETE FROM memberships WHERE coach_id = ?1 AND email = ?2",
            params![coach.0, email],
        )?;
        Ok(removed > 0)
    }

    fn squad(&self, coach: UserId) -> StoreResult<Vec<Member>> {
        self.accounts_query(
            "listing a squad",
            "SELECT a.user_id, a.email, a.athlete_id, m.accepted_ms
             FROM memberships m JOIN users a ON a.email = m.email
             WHERE m.coach_id = ?1 AND m.state = 'active'
             ORDER BY a.email",
            [coach.0],
            |row| {
                Ok(Member {
                    user: UserId(row.get(0)?),
                    email: row.get(1)?,
                    athlete: AthleteId(row.get(2)?),
                    since: timestamp(row.get(3)?, 3)?,
                })
            },
        )
    }

    fn coaches_of(&self, user: UserId) -> StoreResult<Vec<CoachLink>> {
        self.accounts_query(
            "listing coaches",
            "SELECT c.user_id, c.email, m.accepted_ms
             FROM users a
             JOIN memberships m ON m.email = a.email AND m.state = 'active'
             JOIN users c ON c.user_id = m.coach_id
             WHERE a.user_id = ?1
             ORDER BY c.email",
            [user.0],
            |row| {
                Ok(CoachLink {
                    coach: UserId(row.get(0)?),
                    email: row.get(1)?,
                    since: timestamp(row.get(2)?, 2)?,
                })
            },
        )
    }

    fn coach_sees(&self, coach: UserId, athlete: AthleteId) -> StoreResult<bool> {
        self.lock()
            .prepare_cached(COACH_SEES)
            .and_then(|mut stmt| stmt.exists(params![athlete.0, coach.0]))
            .map_err(db("checking a coach's access"))
    }
}

/// Whether coach ?2 may read partition ?1: three unique-key lookups (the partition's user by
/// `users.athlete_id`, the membership by its primary key, the coach by id), as it runs on
/// every request a coach makes.
pub(super) const COACH_SEES: &str = "SELECT 1
     FROM users a
     JOIN memberships m ON m.coach_id = ?2 AND m.email = a.email AND m.state = 'active'
     JOIN users c ON c.user_id = m.coach_id AND c.role = 'coach'
     WHERE a.athlete_id = ?1";

impl SqliteStore {
    /// Creates a user with the partition named after the address (`partition: None`, created
    /// unless an athlete of that name without a user exists) or the existing one named
    /// `partition`.
    fn insert_user(
        &self,
        user: &NewUser<'_>,
        partition: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<User> {
        check_new_user(user)?;
        let context = "creating a user";
        let (created_ms, created) = stored_instant(now);
        self.accounts_tx(context, |tx| {
            let taken = tx
                .prepare_cached("SELECT 1 FROM users WHERE email = ?1")
                .and_then(|mut stmt| stmt.exists([user.email]))
                .map_err(db(context))?;
            if taken {
                return Err(email_taken(user.email));
            }
            let name = match partition {
                Some(name) => name,
                None => {
                    // The partition is named after the address. One of that name without a
                    // user (data an administrator imported for this person before the account
                    // existed) becomes theirs; one that already belongs to a user is
                    // impossible, as that user would have this address.
                    tx.prepare_cached(
                        "INSERT INTO athletes (name, created_ms) SELECT ?1, ?2
                         WHERE NOT EXISTS (SELECT 1 FROM athletes WHERE name = ?1)",
                    )
                    .and_then(|mut stmt| stmt.execute(params![user.email, created_ms]))
                    .map_err(db(context))?;
                    user.email
                }
            };
            let athlete: Option<(i64, bool)> = tx
                .prepare_cached(
                    "SELECT a.athlete_id, EXISTS (SELECT 1 FROM users u WHERE u.athlete_id = a.athlete_id)
                     FROM athletes a WHERE a.name = ?1",
                )
                .and_then(|mut stmt| {
                    stmt.query_row([name], |row| Ok((row.get(0)?, row.get(1)?)))
                        .optional()
                })
                .map_err(db(context))?;
            let athlete = match athlete {
                None => return Err(no_such_partition(name)),
                Some((_, true)) => return Err(partition_owned(name)),
                Some((id, false)) => id,
            };
            tx.prepare_cached(
                "INSERT INTO users (email, role, athlete_id, password_hash, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    user.email,
                    user.role.as_str(),
                    athlete,
                    user.password_hash,
                    created_ms
                ])
            })
            .map_err(|e| {
                if is_constraint(&e) {
                    email_taken(user.email)
                } else {
                    db(context)(e)
                }
            })?;
            Ok(User {
                id: UserId(tx.last_insert_rowid()),
                email: user.email.to_owned(),
                role: user.role,
                athlete: AthleteId(athlete),
                password_hash: user.password_hash.to_owned(),
                created,
            })
        })
    }
}
