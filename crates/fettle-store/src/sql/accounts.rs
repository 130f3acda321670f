//! The [`Accounts`] trait's SQL, once for both backends: users, sessions, API tokens and
//! memberships (schema 2).
//!
//! The methods that read before they write do so in one transaction (SQLite's immediate one,
//! which excludes every other writer; in PostgreSQL the partition's row is locked `FOR UPDATE`
//! and concurrent sign-ups are decided by the UNIQUE constraints, reported as the same
//! [`StoreError::Conflict`](crate::StoreError::Conflict)), so each is atomic as the trait
//! requires.

use jiff::Timestamp;

use super::{Backend, DbError, Exec, FromRow, SqlRow, SqlStore, db, params};
use crate::accounts::{
    Accounts, ApiToken, CoachLink, CredentialsEnded, Invitation, Member, NewSession, NewUser, Role,
    SecretHash, Session, TOKEN_USE_PRECISION_MS, TokenId, User, UserId, check_new_user,
    check_password_hash, email_taken, no_address, no_such_partition, not_a_coach, own_address,
    partition_owned, secret_taken, stored_instant, unknown_user,
};
use crate::error::StoreResult;
use crate::model::AthleteId;

/// Each record's columns, in one place for the `SELECT` lists and its [`FromRow`] mapping
/// (users under the alias `u`, memberships `m`, coaches `c`).
macro_rules! columns {
    (user) => {
        "u.user_id, u.email, u.role, u.athlete_id, u.password_hash, u.created_ms"
    };
    (token) => {
        "token_id, name, created_ms, last_used_ms"
    };
    (invitation) => {
        "m.coach_id, c.email AS coach_email, m.email, m.invited_ms"
    };
}

impl FromRow for User {
    fn from_row(row: &dyn SqlRow) -> Result<Self, DbError> {
        let word: &str = row.get("role")?;
        let role = Role::parse(word)
            .ok_or_else(|| DbError::corrupt(format!("column role: unknown role `{word}`")))?;
        Ok(User {
            id: UserId(row.get("user_id")?),
            email: row.get("email")?,
            role,
            athlete: row.get("athlete_id")?,
            password_hash: row.get("password_hash")?,
            created: row.get("created_ms")?,
        })
    }
}

impl FromRow for ApiToken {
    fn from_row(row: &dyn SqlRow) -> Result<Self, DbError> {
        Ok(ApiToken {
            id: TokenId(row.get("token_id")?),
            name: row.get("name")?,
            created: row.get("created_ms")?,
            last_used: row.get("last_used_ms")?,
        })
    }
}

impl FromRow for Invitation {
    fn from_row(row: &dyn SqlRow) -> Result<Self, DbError> {
        Ok(Invitation {
            coach: UserId(row.get("coach_id")?),
            coach_email: row.get("coach_email")?,
            email: row.get("email")?,
            invited: row.get("invited_ms")?,
        })
    }
}

fn user_in(exec: &mut dyn Exec, context: &'static str, id: UserId) -> StoreResult<Option<User>> {
    exec.row(
        concat!(
            "SELECT ",
            columns!(user),
            " FROM users u WHERE u.user_id = ?1"
        ),
        params![id.0],
        User::from_row,
    )
    .map_err(db(context))
}

impl<B: Backend> SqlStore<B> {
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
        self.backend.transaction(context, |exec| {
            let taken = exec
                .exists("SELECT 1 FROM users WHERE email = ?1", params![user.email])
                .map_err(db(context))?;
            if taken {
                return Err(email_taken(user.email));
            }
            let name = match partition {
                Some(name) => name,
                None => {
                    // The partition is named after the address; one of that name without a
                    // user becomes theirs.
                    exec.execute(super::INSERT_ATHLETE, params![user.email, created_ms])
                        .map_err(db(context))?;
                    user.email
                }
            };
            let athlete: Option<(i64, bool)> = exec
                .row(
                    "SELECT a.athlete_id,
                         EXISTS (SELECT 1 FROM users u WHERE u.athlete_id = a.athlete_id) AS owned
                     FROM athletes a WHERE a.name = ?1 /*pg: FOR UPDATE*/",
                    params![name],
                    |row| Ok((row.get("athlete_id")?, row.get("owned")?)),
                )
                .map_err(db(context))?;
            let athlete = match athlete {
                None => return Err(no_such_partition(name)),
                Some((_, true)) => return Err(partition_owned(name)),
                Some((id, false)) => id,
            };
            let id = exec
                .one(
                    "INSERT INTO users (email, role, athlete_id, password_hash, created_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     RETURNING user_id",
                    params![
                        user.email,
                        user.role.as_str(),
                        athlete,
                        user.password_hash,
                        created_ms
                    ],
                    "user_id",
                )
                .map_err(|e| {
                    if e.is_constraint() {
                        email_taken(user.email)
                    } else {
                        e.into_store(context)
                    }
                })?;
            Ok(User {
                id: UserId(id),
                email: user.email.to_owned(),
                role: user.role,
                athlete: AthleteId(athlete),
                password_hash: user.password_hash.to_owned(),
                created,
            })
        })
    }
}

impl<B: Backend> Accounts for SqlStore<B> {
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
        let mut users = self.rows(
            "looking up a user",
            concat!(
                "SELECT ",
                columns!(user),
                " FROM users u WHERE u.email = ?1"
            ),
            params![email],
            User::from_row,
        )?;
        Ok(users.pop())
    }

    fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let mut users = self.rows(
            "looking up a user",
            concat!(
                "SELECT ",
                columns!(user),
                " FROM users u WHERE u.user_id = ?1"
            ),
            params![id.0],
            User::from_row,
        )?;
        Ok(users.pop())
    }

    fn users(&self) -> StoreResult<Vec<User>> {
        self.rows(
            "listing users",
            concat!("SELECT ", columns!(user), " FROM users u ORDER BY u.email"),
            &[],
            User::from_row,
        )
    }

    fn set_password_hash(&self, user: UserId, password_hash: &str) -> StoreResult<bool> {
        check_password_hash(password_hash)?;
        let changed = self.execute(
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
        self.backend.transaction(context, |exec| {
            let changed = exec
                .execute(
                    "UPDATE users SET password_hash = ?1 WHERE user_id = ?2",
                    params![password_hash, user.0],
                )
                .map_err(db(context))?;
            if changed == 0 {
                return Ok(None);
            }
            let sessions = exec
                .execute(
                    DELETE_OTHER_SESSIONS,
                    params![user.0, keep.map(SecretHash::to_hex)],
                )
                .map_err(db(context))?;
            let tokens = exec
                .execute("DELETE FROM api_tokens WHERE user_id = ?1", params![user.0])
                .map_err(db(context))?;
            Ok(Some(CredentialsEnded { sessions, tokens }))
        })
    }

    fn create_session(&self, session: &NewSession) -> StoreResult<()> {
        let context = "storing a session";
        self.backend.transaction(context, |exec| {
            if user_in(exec, context, session.user)?.is_none() {
                return Err(unknown_user(session.user));
            }
            let created_ms = session.created.as_millisecond();
            exec.execute(
                "DELETE FROM sessions WHERE user_id = ?1 AND expires_ms <= ?2",
                params![session.user.0, created_ms],
            )
            .map_err(db(context))?;
            exec.execute(
                "INSERT INTO sessions (secret_hash, user_id, csrf_token, created_ms, expires_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    session.secret.to_hex(),
                    session.user.0,
                    session.csrf_token,
                    created_ms,
                    session.expires.as_millisecond()
                ],
            )
            .map_err(|e| {
                if e.is_constraint() {
                    secret_taken("session")
                } else {
                    e.into_store(context)
                }
            })?;
            Ok(())
        })
    }

    fn session(&self, secret: &SecretHash, now: Timestamp) -> StoreResult<Option<Session>> {
        let context = "looking up a session";
        let hex = secret.to_hex();
        let now_ms = now.as_millisecond();
        self.backend.with_connection(context, |exec| {
            let found = exec
                .row(
                    concat!(
                        "SELECT ",
                        columns!(user),
                        ", s.csrf_token, s.expires_ms
                         FROM sessions s JOIN users u ON u.user_id = s.user_id
                         WHERE s.secret_hash = ?1"
                    ),
                    params![hex],
                    |row| {
                        Ok(Session {
                            user: User::from_row(row)?,
                            csrf_token: row.get("csrf_token")?,
                            expires: row.get("expires_ms")?,
                        })
                    },
                )
                .map_err(db(context))?;
            let Some(session) = found else {
                return Ok(None);
            };
            if session.expires.as_millisecond() <= now_ms {
                // Valid up to, not including, its expiry instant; gone from then on.
                exec.execute(
                    "DELETE FROM sessions WHERE secret_hash = ?1 AND expires_ms <= ?2",
                    params![hex, now_ms],
                )
                .map_err(db("deleting an expired session"))?;
                return Ok(None);
            }
            Ok(Some(session))
        })
    }

    fn delete_session(&self, secret: &SecretHash) -> StoreResult<bool> {
        let deleted = self.execute(
            "ending a session",
            "DELETE FROM sessions WHERE secret_hash = ?1",
            params![secret.to_hex()],
        )?;
        Ok(deleted > 0)
    }

    fn delete_sessions_of(&self, user: UserId, keep: Option<&SecretHash>) -> StoreResult<u64> {
        self.execute(
            "ending a user's sessions",
            DELETE_OTHER_SESSIONS,
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
        self.backend.transaction(context, |exec| {
            if user_in(exec, context, user)?.is_none() {
                return Err(unknown_user(user));
            }
            let id = exec
                .one(
                    "INSERT INTO api_tokens (user_id, name, secret_hash, created_ms)
                     VALUES (?1, ?2, ?3, ?4)
                     RETURNING token_id",
                    params![user.0, name, secret.to_hex(), created_ms],
                    "token_id",
                )
                .map_err(|e| {
                    if e.is_constraint() {
                        secret_taken("API token")
                    } else {
                        e.into_store(context)
                    }
                })?;
            Ok(ApiToken {
                id: TokenId(id),
                name: name.to_owned(),
                created,
                last_used: None,
            })
        })
    }

    fn token_user(&self, secret: &SecretHash, now: Timestamp) -> StoreResult<Option<User>> {
        let context = "looking up an API token";
        let now_ms = now.as_millisecond();
        self.backend.with_connection(context, |exec| {
            let found = exec
                .row(
                    concat!(
                        "SELECT ",
                        columns!(user),
                        ", t.token_id, t.last_used_ms
                         FROM api_tokens t JOIN users u ON u.user_id = t.user_id
                         WHERE t.secret_hash = ?1"
                    ),
                    params![secret.to_hex()],
                    |row| {
                        Ok((
                            User::from_row(row)?,
                            row.get::<i64>("token_id")?,
                            row.get::<Option<i64>>("last_used_ms")?,
                        ))
                    },
                )
                .map_err(db(context))?;
            let Some((user, token, last_used_ms)) = found else {
                return Ok(None);
            };
            // The last use is recorded to the minute: most requests write nothing.
            if last_used_ms.is_none_or(|last| last <= now_ms - TOKEN_USE_PRECISION_MS) {
                exec.execute(
                    "UPDATE api_tokens SET last_used_ms = ?1
                     WHERE token_id = ?2 AND (last_used_ms IS NULL OR last_used_ms <= ?3)",
                    params![now_ms, token, now_ms - TOKEN_USE_PRECISION_MS],
                )
                .map_err(db("recording an API token's use"))?;
            }
            Ok(Some(user))
        })
    }

    fn tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>> {
        self.rows(
            "listing API tokens",
            concat!(
                "SELECT ",
                columns!(token),
                " FROM api_tokens WHERE user_id = ?1 ORDER BY created_ms, token_id"
            ),
            params![user.0],
            ApiToken::from_row,
        )
    }

    fn revoke_token(&self, user: UserId, token: TokenId) -> StoreResult<bool> {
        let deleted = self.execute(
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
        self.backend.transaction(context, |exec| {
            match user_in(exec, context, coach)? {
                Some(user) if user.role == Role::Coach => {
                    if user.email == email {
                        return Err(own_address());
                    }
                }
                _ => return Err(not_a_coach(coach)),
            }
            exec.execute(
                "INSERT INTO memberships (coach_id, email, state, invited_ms)
                 VALUES (?1, ?2, 'invited', ?3)
                 ON CONFLICT (coach_id, email) DO NOTHING",
                params![coach.0, email, now.as_millisecond()],
            )
            .map_err(db(context))?;
            Ok(())
        })
    }

    fn invitations_for(&self, user: UserId) -> StoreResult<Vec<Invitation>> {
        self.rows(
            "listing invitations",
            concat!(
                "SELECT ",
                columns!(invitation),
                " FROM users a
             JOIN memberships m ON m.email = a.email AND m.state = 'invited'
             JOIN users c ON c.user_id = m.coach_id
             WHERE a.user_id = ?1
             ORDER BY m.invited_ms, m.coach_id"
            ),
            params![user.0],
            Invitation::from_row,
        )
    }

    fn invitations_by(&self, coach: UserId) -> StoreResult<Vec<Invitation>> {
        self.rows(
            "listing invitations",
            concat!(
                "SELECT ",
                columns!(invitation),
                " FROM memberships m JOIN users c ON c.user_id = m.coach_id
                 WHERE m.coach_id = ?1 AND m.state = 'invited'
                 ORDER BY m.invited_ms, m.email"
            ),
            params![coach.0],
            Invitation::from_row,
        )
    }

    fn accept_invitation(&self, user: UserId, coach: UserId, now: Timestamp) -> StoreResult<bool> {
        let accepted = self.execute(
            "accepting an invitation",
            "UPDATE memberships SET state = 'active', accepted_ms = ?1
             WHERE coach_id = ?2 AND state = 'invited'
               AND email = (SELECT email FROM users WHERE user_id = ?3)",
            params![now.as_millisecond(), coach.0, user.0],
        )?;
        Ok(accepted > 0)
    }

    fn leave_coach(&self, user: UserId, coach: UserId) -> StoreResult<bool> {
        let left = self.execute(
            "leaving a coach",
            "DELETE FROM memberships
             WHERE coach_id = ?1 AND email = (SELECT email FROM users WHERE user_id = ?2)",
            params![coach.0, user.0],
        )?;
        Ok(left > 0)
    }

    fn remove_member(&self, coach: UserId, email: &str) -> StoreResult<bool> {
        crate::text::check("e-mail address", email)?;
        let removed = self.execute(
            "removing an athlete from a squad",
            "DELETE FROM memberships WHERE coach_id = ?1 AND email = ?2",
            params![coach.0, email],
        )?;
        Ok(removed > 0)
    }

    fn squad(&self, coach: UserId) -> StoreResult<Vec<Member>> {
        self.rows(
            "listing a squad",
            "SELECT a.user_id, a.email, a.athlete_id, m.accepted_ms
             FROM memberships m JOIN users a ON a.email = m.email
             WHERE m.coach_id = ?1 AND m.state = 'active'
             ORDER BY a.email",
            params![coach.0],
            |row| {
                Ok(Member {
                    user: UserId(row.get("user_id")?),
                    email: row.get("email")?,
                    athlete: row.get("athlete_id")?,
                    since: row.get("accepted_ms")?,
                })
            },
        )
    }

    fn coaches_of(&self, user: UserId) -> StoreResult<Vec<CoachLink>> {
        self.rows(
            "listing coaches",
            "SELECT c.user_id, c.email, m.accepted_ms
             FROM users a
             JOIN memberships m ON m.email = a.email AND m.state = 'active'
             JOIN users c ON c.user_id = m.coach_id
             WHERE a.user_id = ?1
             ORDER BY c.email",
            params![user.0],
            |row| {
                Ok(CoachLink {
                    coach: UserId(row.get("user_id")?),
                    email: row.get("email")?,
                    since: row.get("accepted_ms")?,
                })
            },
        )
    }

    fn coach_sees(&self, coach: UserId, athlete: AthleteId) -> StoreResult<bool> {
        let context = "checking a coach's access";
        self.backend.with_connection(context, |exec| {
            exec.exists(COACH_SEES, params![athlete.0, coach.0])
                .map_err(db(context))
        })
    }
}

/// Ends a user's sessions but the one kept (`?2`, or none).
const DELETE_OTHER_SESSIONS: &str = "DELETE FROM sessions
     WHERE user_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR secret_hash <> CAST(?2 AS TEXT))";

/// Whether a coach (`?2`) sees an athlete's partition (`?1`): three key look-ups, no scan.
pub(crate) const COACH_SEES: &str = "SELECT 1
     FROM users a
     JOIN memberships m ON m.coach_id = ?2 AND m.email = a.email AND m.state = 'active'
     JOIN users c ON c.user_id = m.coach_id AND c.role = 'coach'
     WHERE a.athlete_id = ?1";
