//! [`Accounts`] for the PostgreSQL backend: the same behaviour as SQLite's (pinned by the
//! accounts conformance cases), written for concurrent transactions.
//!
//! Where SQLite's single writer makes a check-then-write safe, here the constraints decide: two
//! concurrent creations of one address both pass the first check, and the second fails on
//! `users.email`'s UNIQUE, reported as the same [`StoreError::Conflict`]; a partition inserted
//! `ON CONFLICT DO NOTHING` waits for a concurrent insert of the same name and then finds it.
//! Statements that read and write one row (accepting, recording a token's use) are single
//! statements, atomic on their own.

use jiff::Timestamp;
use postgres::Row;
use postgres::types::ToSql;

use super::{PgConnection, PgStore, Session, column, db, is_constraint, timestamp};
use crate::accounts::{
    Accounts, ApiToken, CoachLink, CredentialsEnded, Invitation, Member, NewSession, NewUser, Role,
    SecretHash, TOKEN_USE_PRECISION_MS, TokenId, User, UserId, check_new_user, check_password_hash,
    email_taken, no_address, no_such_partition, not_a_coach, own_address, partition_owned,
    secret_taken, stored_instant, unknown_user,
};
use crate::error::{StoreError, StoreResult};
use crate::model::AthleteId;

/// The user columns, in the order [`user_from_row`] reads them (prefix `u.`).
macro_rules! user_columns {
    () => {
        "u.user_id, u.email, u.role, u.athlete_id, u.password_hash, u.created_ms"
    };
}

/// Whether coach $2 may read partition $1: three unique-key lookups (the partition's user by
/// `users.athlete_id`, the membership by its primary key, the coach by id), as it runs on
/// every request a coach makes.
const COACH_SEES: &str = "SELECT 1
     FROM users a
     JOIN memberships m ON m.coach_id = $2 AND m.email = a.email AND m.state = 'active'
     JOIN users c ON c.user_id = m.coach_id AND c.role = 'coach'
     WHERE a.athlete_id = $1";

fn user_from_row(row: &Row) -> StoreResult<User> {
    let word: &str = column(row, 2)?;
    let role = Role::parse(word)
        .ok_or_else(|| StoreError::Corrupt(format!("column role: unknown role `{word}`")))?;
    Ok(User {
        id: UserId(column(row, 0)?),
        email: column(row, 1)?,
        role,
        athlete: AthleteId(column(row, 3)?),
        password_hash: column(row, 4)?,
        created: timestamp(column(row, 5)?)?,
    })
}

fn token_from_row(row: &Row) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: TokenId(column(row, 0)?),
        name: column(row, 1)?,
        created: timestamp(column(row, 2)?)?,
        last_used: column::<Option<i64>>(row, 3)?.map(timestamp).transpose()?,
    })
}

fn invitation_from_row(row: &Row) -> StoreResult<Invitation> {
    Ok(Invitation {
        coach: UserId(column(row, 0)?),
        coach_email: column(row, 1)?,
        email: column(row, 2)?,
        invited: timestamp(column(row, 3)?)?,
    })
}

fn user_in<C: postgres::GenericClient>(
    session: &mut Session<'_, C>,
    context: &'static str,
    id: UserId,
) -> StoreResult<Option<User>> {
    session
        .query_opt(
            concat!(
                "SELECT ",
                user_columns!(),
                " FROM users u WHERE u.user_id = $1"
            ),
            &[&id.0],
        )
        .map_err(db(context))?
        .as_ref()
        .map(user_from_row)
        .transpose()
}

impl PgStore {
    /// Runs `work` in a transaction and commits it.
    fn accounts_tx<T>(
        &self,
        context: &'static str,
        work: impl FnOnce(&mut Session<'_, postgres::Transaction<'_>>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut connection = self.pool.get()?;
        let PgConnection { client, statements } = &mut *connection;
        let mut tx = client.transaction().map_err(db(context))?;
        let value = work(&mut Session {
            client: &mut tx,
            statements,
        })?;
        tx.commit().map_err(db(context))?;
        Ok(value)
    }

    /// Runs one query and maps every row.
    fn accounts_query<T>(
        &self,
        context: &'static str,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
        map: impl Fn(&Row) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        self.query(context, sql, params)?.iter().map(map).collect()
    }
}

impl Accounts for PgStore {
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
            concat!(
                "SELECT ",
                user_columns!(),
                " FROM users u WHERE u.email = $1"
            ),
            &[&email],
            user_from_row,
        )?;
        Ok(users.pop())
    }

    fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let mut users = self.accounts_query(
            "looking up a user",
            concat!(
                "SELECT ",
                user_columns!(),
                " FROM users u WHERE u.user_id = $1"
            ),
            &[&id.0],
            user_from_row,
        )?;
        Ok(users.pop())
    }

    fn users(&self) -> StoreResult<Vec<User>> {
        self.accounts_query(
            "listing users",
            concat!("SELECT ", user_columns!(), " FROM users u ORDER BY u.email"),
            &[],
            user_from_row,
        )
    }

    fn set_password_hash(&self, user: UserId, password_hash: &str) -> StoreResult<bool> {
        check_password_hash(password_hash)?;
        let changed = self.execute(
            "changing a password",
            "UPDATE users SET password_hash = $1 WHERE user_id = $2",
            &[&password_hash, &user.0],
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
        self.accounts_tx(context, |session| {
            let changed = session
                .execute(
                    "UPDATE users SET password_hash = $1 WHERE user_id = $2",
                    &[&password_hash, &user.0],
                )
                .map_err(db(context))?;
            if changed == 0 {
                return Ok(None);
            }
            let sessions = session
                .execute(
                    "DELETE FROM sessions
                     WHERE user_id = $1 AND ($2::TEXT IS NULL OR secret_hash <> $2::TEXT)",
                    &[&user.0, &keep.map(SecretHash::to_hex)],
                )
                .map_err(db(context))?;
            let tokens = session
                .execute("DELETE FROM api_tokens WHERE user_id = $1", &[&user.0])
                .map_err(db(context))?;
            Ok(Some(CredentialsEnded { sessions, tokens }))
        })
    }

    fn create_session(&self, new: &NewSession) -> StoreResult<()> {
        let context = "storing a session";
        self.accounts_tx(context, |session| {
            if user_in(session, context, new.user)?.is_none() {
                return Err(unknown_user(new.user));
            }
            let created_ms = new.created.as_millisecond();
            // Logging in is the moment to sweep the user's sessions that ran out unused.
            session
                .execute(
                    "DELETE FROM sessions WHERE user_id = $1 AND expires_ms <= $2",
                    &[&new.user.0, &created_ms],
                )
                .map_err(db(context))?;
            session
                .execute(
                    "INSERT INTO sessions (secret_hash, user_id, csrf_token, created_ms,
                         expires_ms)
                     VALUES ($1, $2, $3, $4, $5)",
                    &[
                        &new.secret.to_hex(),
                        &new.user.0,
                        &new.csrf_token,
                        &created_ms,
                        &new.expires.as_millisecond(),
                    ],
                )
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

    fn session(
        &self,
        secret: &SecretHash,
        now: Timestamp,
    ) -> StoreResult<Option<crate::accounts::Session>> {
        let context = "looking up a session";
        let hex = secret.to_hex();
        let now_ms = now.as_millisecond();
        let mut connection = self.pool.get()?;
        let mut session = connection.session();
        let Some(row) = session
            .query_opt(
                concat!(
                    "SELECT ",
                    user_columns!(),
                    ", s.csrf_token, s.expires_ms
                     FROM sessions s JOIN users u ON u.user_id = s.user_id
                     WHERE s.secret_hash = $1"
                ),
                &[&hex],
            )
            .map_err(db(context))?
        else {
            return Ok(None);
        };
        let expires_ms: i64 = column(&row, 7)?;
        if expires_ms <= now_ms {
            // Valid up to, not including, its expiry instant; gone from then on.
            session
                .execute(
                    "DELETE FROM sessions WHERE secret_hash = $1 AND expires_ms <= $2",
                    &[&hex, &now_ms],
                )
                .map_err(db("deleting an expired session"))?;
            return Ok(None);
        }
        Ok(Some(crate::accounts::Session {
            user: user_from_row(&row)?,
            csrf_token: column(&row, 6)?,
            expires: timestamp(expires_ms)?,
        }))
    }

    fn delete_session(&self, secret: &SecretHash) -> StoreResult<bool> {
        let deleted = self.execute(
            "ending a session",
            "DELETE FROM sessions WHERE secret_hash = $1",
            &[&secret.to_hex()],
        )?;
        Ok(deleted > 0)
    }

    fn delete_sessions_of(&self, user: UserId, keep: Option<&SecretHash>) -> StoreResult<u64> {
        self.execute(
            "ending a user's sessions",
            "DELETE FROM sessions
             WHERE user_id = $1 AND ($2::TEXT IS NULL OR secret_hash <> $2::TEXT)",
            &[&user.0, &keep.map(SecretHash::to_hex)],
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
        self.accounts_tx(context, |session| {
            if user_in(session, context, user)?.is_none() {
                return Err(unknown_user(user));
            }
            let row = session
                .query_one(
                    "INSERT INTO api_tokens (user_id, name, secret_hash, created_ms)
                     VALUES ($1, $2, $3, $4)
                     RETURNING token_id",
                    &[&user.0, &name, &secret.to_hex(), &created_ms],
                )
                .map_err(|e| {
                    if is_constraint(&e) {
                        secret_taken("API token")
                    } else {
                        db(context)(e)
                    }
                })?;
            Ok(ApiToken {
                id: TokenId(column(&row, 0)?),
                name: name.to_owned(),
                created,
                last_used: None,
            })
        })
    }

    fn token_user(&self, secret: &SecretHash, now: Timestamp) -> StoreResult<Option<User>> {
        // One statement: find the token and its owner, and record the use when the recorded
        // one is a minute old or more. Most requests change no row, so they commit nothing
        // to disk; the condition also keeps requests finishing out of order from moving the
        // last use back in time.
        let now_ms = now.as_millisecond();
        let mut users = self.accounts_query(
            "looking up an API token",
            concat!(
                "WITH token AS (
                     SELECT token_id, user_id, last_used_ms FROM api_tokens WHERE secret_hash = $1
                 ), used AS (
                     UPDATE api_tokens t SET last_used_ms = $2
                     FROM token
                     WHERE t.token_id = token.token_id
                       AND (t.last_used_ms IS NULL OR t.last_used_ms <= $3)
                 )
                 SELECT ",
                user_columns!(),
                " FROM token JOIN users u ON u.user_id = token.user_id"
            ),
            &[
                &secret.to_hex(),
                &now_ms,
                &(now_ms - TOKEN_USE_PRECISION_MS),
            ],
            user_from_row,
        )?;
        Ok(users.pop())
    }

    fn tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>> {
        self.accounts_query(
            "listing API tokens",
            "SELECT token_id, name, created_ms, last_used_ms FROM api_tokens
             WHERE user_id = $1 ORDER BY created_ms, token_id",
            &[&user.0],
            token_from_row,
        )
    }

    fn revoke_token(&self, user: UserId, token: TokenId) -> StoreResult<bool> {
        let deleted = self.execute(
            "revoking an API token",
            "DELETE FROM api_tokens WHERE token_id = $1 AND user_id = $2",
            &[&token.0, &user.0],
        )?;
        Ok(deleted > 0)
    }

    fn invite(&self, coach: UserId, email: &str, now: Timestamp) -> StoreResult<()> {
        crate::text::check("e-mail address", email)?;
        if email.trim().is_empty() {
            return Err(no_address());
        }
        let context = "inviting an athlete";
        self.accounts_tx(context, |session| {
            match user_in(session, context, coach)? {
                Some(user) if user.role == Role::Coach => {
                    if user.email == email {
                        return Err(own_address());
                    }
                }
                _ => return Err(not_a_coach(coach)),
            }
            // DO NOTHING keeps a waiting invitation's first time and an active membership as
            // they are: inviting again is harmless.
            session
                .execute(
                    "INSERT INTO memberships (coach_id, email, state, invited_ms)
                     VALUES ($1, $2, 'invited', $3)
                     ON CONFLICT (coach_id, email) DO NOTHING",
                    &[&coach.0, &email, &now.as_millisecond()],
                )
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
             WHERE a.user_id = $1
             ORDER BY m.invited_ms, m.coach_id",
            &[&user.0],
            invitation_from_row,
        )
    }

    fn invitations_by(&self, coach: UserId) -> StoreResult<Vec<Invitation>> {
        self.accounts_query(
            "listing invitations",
            "SELECT m.coach_id, c.email, m.email, m.invited_ms
             FROM memberships m JOIN users c ON c.user_id = m.coach_id
             WHERE m.coach_id = $1 AND m.state = 'invited'
             ORDER BY m.invited_ms, m.email",
            &[&coach.0],
            invitation_from_row,
        )
    }

    fn accept_invitation(&self, user: UserId, coach: UserId, now: Timestamp) -> StoreResult<bool> {
        let accepted = self.execute(
            "accepting an invitation",
            "UPDATE memberships SET state = 'active', accepted_ms = $1
             WHERE coach_id = $2 AND state = 'invited'
               AND email = (SELECT email FROM users WHERE user_id = $3)",
            &[&now.as_millisecond(), &coach.0, &user.0],
        )?;
        Ok(accepted > 0)
    }

    fn leave_coach(&self, user: UserId, coach: UserId) -> StoreResult<bool> {
        let left = self.execute(
            "leaving a coach",
            "DELETE FROM memberships
             WHERE coach_id = $1 AND email = (SELECT email FROM users WHERE user_id = $2)",
            &[&coach.0, &user.0],
        )?;
        Ok(left > 0)
    }

    fn remove_member(&self, coach: UserId, email: &str) -> StoreResult<bool> {
        crate::text::check("e-mail address", email)?;
        let removed = self.execute(
            "removing an athlete from a squad",
            "DELETE FROM memberships WHERE coach_id = $1 AND email = $2",
            &[&coach.0, &email],
        )?;
        Ok(removed > 0)
    }

    fn squad(&self, coach: UserId) -> StoreResult<Vec<Member>> {
        self.accounts_query(
            "listing a squad",
            "SELECT a.user_id, a.email, a.athlete_id, m.accepted_ms
             FROM memberships m JOIN users a ON a.email = m.email
             WHERE m.coach_id = $1 AND m.state = 'active'
             ORDER BY a.email",
            &[&coach.0],
            |row| {
                Ok(Member {
                    user: UserId(column(row, 0)?),
                    email: column(row, 1)?,
                    athlete: AthleteId(column(row, 2)?),
                    since: timestamp(column(row, 3)?)?,
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
             WHERE a.user_id = $1
             ORDER BY c.email",
            &[&user.0],
            |row| {
                Ok(CoachLink {
                    coach: UserId(column(row, 0)?),
                    email: column(row, 1)?,
                    since: timestamp(column(row, 2)?)?,
                })
            },
        )
    }

    fn coach_sees(&self, coach: UserId, athlete: AthleteId) -> StoreResult<bool> {
        let rows = self.query(
            "checking a coach's access",
            COACH_SEES,
            &[&athlete.0, &coach.0],
        )?;
        Ok(!rows.is_empty())
    }
}

impl PgStore {
    /// Creates a user with the partition named after the address (`partition: None`, created
    /// unless an athlete of that name without a user exists) or the existing one named
    /// `partition`. Concurrent sign-ups are decided by the UNIQUE constraints.
    fn insert_user(
        &self,
        user: &NewUser<'_>,
        partition: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<User> {
        check_new_user(user)?;
        let context = "creating a user";
        let (created_ms, created) = stored_instant(now);
        let taken = |e: postgres::Error| {
            if is_constraint(&e) {
                email_taken(user.email)
            } else {
                db(context)(e)
            }
        };
        self.accounts_tx(context, |session| {
            let exists = session
                .query_opt("SELECT 1 FROM users WHERE email = $1", &[&user.email])
                .map_err(db(context))?
                .is_some();
            if exists {
                return Err(email_taken(user.email));
            }
            let name = match partition {
                Some(name) => name,
                None => {
                    // The partition is named after the address; one of that name without a
                    // user becomes theirs (see the SQLite backend for why).
                    session
                        .execute(
                            "INSERT INTO athletes (name, created_ms) VALUES ($1, $2)
                             ON CONFLICT (name) DO NOTHING",
                            &[&user.email, &created_ms],
                        )
                        .map_err(db(context))?;
                    user.email
                }
            };
            let row = session
                .query_opt(
                    "SELECT a.athlete_id,
                            EXISTS (SELECT 1 FROM users u WHERE u.athlete_id = a.athlete_id)
                     FROM athletes a WHERE a.name = $1 FOR UPDATE",
                    &[&name],
                )
                .map_err(db(context))?;
            let Some(row) = row else {
                return Err(no_such_partition(name));
            };
            let owned: bool = column(&row, 1)?;
            if owned {
                return Err(partition_owned(name));
            }
            let athlete = AthleteId(column(&row, 0)?);
            let row = session
                .query_one(
                    "INSERT INTO users (email, role, athlete_id, password_hash, created_ms)
                     VALUES ($1, $2, $3, $4, $5)
                     RETURNING user_id",
                    &[
                        &user.email,
                        &user.role.as_str(),
                        &athlete.0,
                        &user.password_hash,
                        &created_ms,
                    ],
                )
                .map_err(taken)?;
            Ok(User {
                id: UserId(column(&row, 0)?),
                email: user.email.to_owned(),
                role: user.role,
                athlete,
                password_hash: user.password_hash.to_owned(),
                created,
            })
        })
    }
}
