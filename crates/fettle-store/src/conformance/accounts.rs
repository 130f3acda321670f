//! The behaviour every [`Accounts`] backend must have: users and their partitions, sessions,
//! API tokens, and the coach–athlete memberships that decide what a coach may read.
//!
//! The cases take a [`Database`] (both traits) because a user's partition is a
//! [`Store`](crate::Store) athlete: the cases check that it is created with the user and
//! isolated from the others.

use std::panic::{AssertUnwindSafe, catch_unwind};

use jiff::{SignedDuration, Timestamp};

use super::{HOUR, MONDAY_7AM, at};
use crate::StoreError;
use crate::accounts::{
    ApiToken, CoachLink, CredentialsEnded, Database, Invitation, Member, NewSession, NewUser, Role,
    SecretHash, TokenId, User, UserId,
};
use crate::model::AthleteId;

/// An accounts case: a named check run on a fresh database.
pub type AccountCase = (&'static str, fn(&dyn Database));

/// Every accounts case, by name.
pub const ACCOUNT_CASES: &[AccountCase] = &[
    (
        "users_are_created_with_their_own_partition",
        users_are_created_with_their_own_partition,
    ),
    (
        "a_taken_email_is_a_conflict_and_writes_nothing",
        a_taken_email_is_a_conflict_and_writes_nothing,
    ),
    (
        "a_partition_imported_before_the_account_becomes_the_users",
        a_partition_imported_before_the_account_becomes_the_users,
    ),
    (
        "users_are_listed_by_email_and_passwords_replaced",
        users_are_listed_by_email_and_passwords_replaced,
    ),
    (
        "sessions_live_until_their_expiry",
        sessions_live_until_their_expiry,
    ),
    (
        "sessions_end_one_or_all_but_one",
        sessions_end_one_or_all_but_one,
    ),
    (
        "api_tokens_authenticate_until_their_owner_revokes_them",
        api_tokens_authenticate_until_their_owner_revokes_them,
    ),
    (
        "a_password_change_ends_sessions_and_revokes_tokens",
        a_password_change_ends_sessions_and_revokes_tokens,
    ),
    (
        "account_text_with_nul_is_invalid_input",
        account_text_with_nul_is_invalid_input,
    ),
    (
        "only_coaches_invite_and_inviting_again_changes_nothing",
        only_coaches_invite_and_inviting_again_changes_nothing,
    ),
    (
        "an_accepted_invitation_lets_the_coach_see_the_athlete",
        an_accepted_invitation_lets_the_coach_see_the_athlete,
    ),
    (
        "coach_access_ends_when_either_side_ends_it",
        coach_access_ends_when_either_side_ends_it,
    ),
    (
        "a_user_can_own_an_existing_partition_once",
        a_user_can_own_an_existing_partition_once,
    ),
];

/// Runs every accounts case on its own fresh database from `open_empty` and panics naming the
/// failed ones. A backend's tests call it beside [`run_all`](super::run_all):
///
/// ```
/// use fettle_store::{Database, SqliteStore, conformance};
/// conformance::run_accounts(|| {
///     Box::new(SqliteStore::open_in_memory().expect("open")) as Box<dyn Database>
/// });
/// ```
pub fn run_accounts(open_empty: impl Fn() -> Box<dyn Database>) {
    let mut failed = Vec::new();
    for &(name, case) in ACCOUNT_CASES {
        let database = open_empty();
        eprintln!("conformance: {name}");
        if catch_unwind(AssertUnwindSafe(|| case(&*database))).is_err() {
            failed.push(name);
        }
    }
    assert!(
        failed.is_empty(),
        "accounts conformance cases failed: {failed:?}"
    );
}

// ----- helpers -------------------------------------------------------------------------------

/// An instant `ms` milliseconds after Monday 07:00 UTC.
fn ms_after_monday(ms: i64) -> Timestamp {
    at(MONDAY_7AM) + SignedDuration::from_millis(ms)
}

fn add_user(db: &dyn Database, email: &str, role: Role, at_s: i64) -> User {
    db.create_user(
        &NewUser {
            email,
            role,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
        },
        at(MONDAY_7AM + at_s),
    )
    .expect("create user")
}

/// A distinct secret hash per number (what a real one is does not matter to the store).
fn secret(n: u8) -> SecretHash {
    let mut bytes = [0u8; 32];
    bytes[0] = n;
    bytes[31] = 0xa5;
    SecretHash(bytes)
}

fn new_session(n: u8, user: UserId, created: Timestamp, expires: Timestamp) -> NewSession {
    NewSession {
        secret: secret(n),
        user,
        csrf_token: format!("csrf-{n}"),
        created,
        expires,
    }
}

fn live_user(db: &dyn Database, n: u8, now: Timestamp) -> Option<UserId> {
    db.session(&secret(n), now)
        .expect("look up session")
        .map(|s| s.user.id)
}

fn emails(users: &[User]) -> Vec<&str> {
    users.iter().map(|u| u.email.as_str()).collect()
}

// ----- cases ---------------------------------------------------------------------------------

/// A new user reads back the same by id and by address, owns a partition of their own named
/// after the address, and that partition shares nothing with the default one.
fn users_are_created_with_their_own_partition(db: &dyn Database) {
    let created = at(MONDAY_7AM) + SignedDuration::from_micros(1_500);
    let ann = db
        .create_user(
            &NewUser {
                email: "ann@example.com",
                role: Role::Athlete,
                password_hash: "$argon2id$ann",
            },
            created,
        )
        .expect("create");
    assert_eq!(ann.email, "ann@example.com");
    assert_eq!(ann.role, Role::Athlete);
    assert_eq!(ann.password_hash, "$argon2id$ann");
    // Kept to the millisecond: 1.5 ms after 07:00 reads back as 1 ms after.
    assert_eq!(ann.created, ms_after_monday(1));
    assert_eq!(db.user(ann.id).expect("by id"), Some(ann.clone()));
    assert_eq!(
        db.user_by_email("ann@example.com").expect("by email"),
        Some(ann.clone())
    );
    // Addresses are compared exactly: callers normalise them first.
    assert_eq!(db.user_by_email("Ann@example.com").expect("lookup"), None);
    assert_eq!(db.user_by_email("bob@example.com").expect("lookup"), None);
    assert_eq!(db.user(UserId(ann.id.0 + 1000)).expect("lookup"), None);

    let default = db.default_athlete().expect("default");
    assert_ne!(ann.athlete, default);
    // The partition is the athlete named after the address.
    assert_eq!(
        db.create_athlete("ann@example.com").expect("same name"),
        ann.athlete
    );
    let bob = add_user(db, "bob@example.com", Role::Coach, 60);
    assert_ne!(bob.athlete, ann.athlete);
    assert_ne!(bob.id, ann.id);
    db.set_setting(ann.athlete, "units", Some("imperial"))
        .expect("ann's setting");
    assert_eq!(db.setting(bob.athlete, "units").expect("bob"), None);
    assert_eq!(db.setting(default, "units").expect("default"), None);
    assert_eq!(
        db.setting(ann.athlete, "units").expect("ann").as_deref(),
        Some("imperial")
    );
}

/// A second account for an address fails with `Conflict`, whatever its role, and leaves the
/// first account exactly as it was; a user without an address or password hash is refused.
fn a_taken_email_is_a_conflict_and_writes_nothing(db: &dyn Database) {
    let ann = add_user(db, "ann@example.com", Role::Athlete, 0);
    let again = db.create_user(
        &NewUser {
            email: "ann@example.com",
            role: Role::Coach,
            password_hash: "$argon2id$other",
        },
        at(MONDAY_7AM + HOUR),
    );
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(db.users().expect("users"), vec![ann.clone()]);
    assert_eq!(db.user(ann.id).expect("ann"), Some(ann));

    for (email, hash) in [("", "$argon2id$x"), ("cy@example.com", "")] {
        let refused = db.create_user(
            &NewUser {
                email,
                role: Role::Athlete,
                password_hash: hash,
            },
            at(MONDAY_7AM),
        );
        assert!(
            matches!(refused, Err(StoreError::Invalid(_))),
            "{email:?}: {refused:?}"
        );
    }
    assert_eq!(db.users().expect("users").len(), 1);
}

/// Data an administrator imported under the address before the account existed is the new
/// user's partition, not a second one.
fn a_partition_imported_before_the_account_becomes_the_users(db: &dyn Database) {
    let earlier = db.create_athlete("cy@example.com").expect("athlete");
    db.set_setting(earlier, "units", Some("metric"))
        .expect("setting");
    let cy = add_user(db, "cy@example.com", Role::Athlete, 0);
    assert_eq!(cy.athlete, earlier);
    assert_eq!(
        db.setting(cy.athlete, "units").expect("setting").as_deref(),
        Some("metric")
    );
}

/// `users` lists by address whatever the creation order; a password hash is replaced for the
/// named user only.
fn users_are_listed_by_email_and_passwords_replaced(db: &dyn Database) {
    assert!(db.users().expect("none yet").is_empty());
    let zed = add_user(db, "zed@example.com", Role::Athlete, 0);
    let amy = add_user(db, "amy@example.com", Role::Coach, 1);
    let mo = add_user(db, "mo@example.com", Role::Athlete, 2);
    let users = db.users().expect("users");
    assert_eq!(
        emails(&users),
        ["amy@example.com", "mo@example.com", "zed@example.com"]
    );
    assert_eq!(users[0], amy);

    assert!(
        db.set_password_hash(amy.id, "$argon2id$new")
            .expect("set password")
    );
    let amy_now = db.user(amy.id).expect("amy").expect("exists");
    assert_eq!(amy_now.password_hash, "$argon2id$new");
    assert_eq!(db.user(zed.id).expect("zed"), Some(zed));
    assert_eq!(db.user(mo.id).expect("mo"), Some(mo));
    assert!(
        !db.set_password_hash(UserId(amy.id.0 + 1000), "$argon2id$x")
            .expect("unknown user")
    );
}

/// A session is valid up to (not including) its expiry instant; met at or after it, it is
/// deleted, so it stays gone even when asked about at an earlier time. Logging in sweeps the
/// user's sessions that expired.
fn sessions_live_until_their_expiry(db: &dyn Database) {
    let ann = add_user(db, "ann@example.com", Role::Athlete, 0);
    let start = ms_after_monday(0);
    let expires = ms_after_monday(HOUR * 1000);

    let ghost = db.create_session(&new_session(9, UserId(ann.id.0 + 1000), start, expires));
    assert!(matches!(ghost, Err(StoreError::Invalid(_))), "{ghost:?}");

    db.create_session(&new_session(1, ann.id, start, expires))
        .expect("session");
    let session = db
        .session(&secret(1), start)
        .expect("lookup")
        .expect("live");
    assert_eq!(session.user, ann);
    assert_eq!(session.csrf_token, "csrf-1");
    assert_eq!(session.expires, expires);
    assert_eq!(
        live_user(db, 1, ms_after_monday(HOUR * 1000 - 1)),
        Some(ann.id),
        "1 ms before expiry"
    );
    assert_eq!(live_user(db, 1, expires), None, "at the expiry instant");
    assert_eq!(live_user(db, 1, start), None, "deleted when met expired");
    assert!(
        !db.delete_session(&secret(1)).expect("delete"),
        "already gone"
    );
    assert_eq!(live_user(db, 2, start), None, "never created");

    // Session 3 ends after one minute; logging in again two minutes in sweeps it, so it is
    // gone even for a lookup dated within its lifetime.
    let minute = ms_after_monday(60_000);
    db.create_session(&new_session(3, ann.id, start, minute))
        .expect("short session");
    db.create_session(&new_session(4, ann.id, ms_after_monday(120_000), expires))
        .expect("next login");
    assert_eq!(live_user(db, 3, start), None, "swept at the next login");
    assert_eq!(live_user(db, 4, ms_after_monday(120_000)), Some(ann.id));
}

/// Logout ends one session; a password change ends all of a user's sessions but the one that
/// made it, and touches no other user's.
fn sessions_end_one_or_all_but_one(db: &dyn Database) {
    let ann = add_user(db, "ann@example.com", Role::Athlete, 0);
    let bob = add_user(db, "bob@example.com", Role::Athlete, 0);
    let (start, expires) = (ms_after_monday(0), ms_after_monday(HOUR * 1000));
    for n in 1..=4 {
        db.create_session(&new_session(n, ann.id, start, expires))
            .expect("ann's session");
    }
    db.create_session(&new_session(5, bob.id, start, expires))
        .expect("bob's session");

    assert!(db.delete_session(&secret(1)).expect("logout"));
    assert!(!db.delete_session(&secret(1)).expect("logout again"));
    assert_eq!(live_user(db, 1, start), None);

    // Sessions 2, 3, 4 remain; keeping 3 ends 2 and 4.
    assert_eq!(
        db.delete_sessions_of(ann.id, Some(&secret(3)))
            .expect("end others"),
        2
    );
    assert_eq!(live_user(db, 2, start), None);
    assert_eq!(live_user(db, 3, start), Some(ann.id));
    assert_eq!(live_user(db, 4, start), None);
    assert_eq!(live_user(db, 5, start), Some(bob.id), "bob is not touched");

    assert_eq!(db.delete_sessions_of(ann.id, None).expect("end all"), 1);
    assert_eq!(live_user(db, 3, start), None);
    assert_eq!(db.delete_sessions_of(ann.id, None).expect("none left"), 0);
    assert_eq!(live_user(db, 5, start), Some(bob.id));
}

/// A token authenticates its owner and records its last use (to the minute); another user
/// cannot revoke it; its owner can, and then it authenticates nobody.
fn api_tokens_authenticate_until_their_owner_revokes_them(db: &dyn Database) {
    let ann = add_user(db, "ann@example.com", Role::Athlete, 0);
    let bob = add_user(db, "bob@example.com", Role::Athlete, 0);
    let ghost = db.create_token(UserId(ann.id.0 + 1000), "x", &secret(9), ms_after_monday(0));
    assert!(matches!(ghost, Err(StoreError::Invalid(_))), "{ghost:?}");

    let laptop = db
        .create_token(ann.id, "laptop sync", &secret(1), ms_after_monday(0))
        .expect("token");
    assert_eq!(laptop.name, "laptop sync");
    assert_eq!(laptop.created, ms_after_monday(0));
    assert_eq!(laptop.last_used, None);
    assert_eq!(db.tokens(ann.id).expect("list"), vec![laptop.clone()]);
    assert!(db.tokens(bob.id).expect("bob's").is_empty());

    let used = ms_after_monday(5_000);
    assert_eq!(
        db.token_user(&secret(1), used).expect("auth"),
        Some(ann.clone())
    );
    assert_eq!(
        db.token_user(&secret(2), used).expect("unknown"),
        None,
        "an unknown token authenticates nobody"
    );
    let phone = db
        .create_token(ann.id, "phone", &secret(2), ms_after_monday(10_000))
        .expect("second token");
    assert_eq!(
        db.tokens(ann.id).expect("list"),
        vec![
            ApiToken {
                last_used: Some(used),
                ..laptop.clone()
            },
            phone.clone()
        ],
        "oldest first, with the last use recorded"
    );
    // Kept to the minute: a use 59.999 s after the recorded one leaves it, one a minute after
    // replaces it, and an earlier request finishing late does not move it back.
    let laptop_last_used = |db: &dyn Database| db.tokens(ann.id).expect("list")[0].last_used;
    for (use_ms, recorded_ms) in [(64_999, 5_000), (65_000, 65_000), (6_000, 65_000)] {
        assert_eq!(
            db.token_user(&secret(1), ms_after_monday(use_ms))
                .expect("auth"),
            Some(ann.clone())
        );
        assert_eq!(
            laptop_last_used(db),
            Some(ms_after_monday(recorded_ms)),
            "after a use at {use_ms} ms"
        );
    }

    assert!(
        !db.revoke_token(bob.id, laptop.id).expect("bob revokes"),
        "not bob's token"
    );
    assert_eq!(
        db.token_user(&secret(1), ms_after_monday(20_000))
            .expect("still valid"),
        Some(ann.clone())
    );
    assert!(db.revoke_token(ann.id, laptop.id).expect("ann revokes"));
    assert!(!db.revoke_token(ann.id, laptop.id).expect("again"));
    assert!(
        !db.revoke_token(ann.id, TokenId(laptop.id.0 + 1000))
            .expect("unknown id")
    );
    assert_eq!(
        db.token_user(&secret(1), ms_after_monday(30_000))
            .expect("revoked"),
        None
    );
    assert_eq!(db.tokens(ann.id).expect("list"), vec![phone]);
    assert_eq!(
        db.token_user(&secret(2), ms_after_monday(30_000))
            .expect("phone"),
        Some(ann)
    );
}

/// A password change replaces the hash, ends every session of the user but the one kept and
/// revokes every API token of the user, all at once; another user's sessions and tokens stay.
/// An unknown user changes nothing; an empty hash is refused before anything is written.
fn a_password_change_ends_sessions_and_revokes_tokens(db: &dyn Database) {
    let ann = add_user(db, "ann@example.com", Role::Athlete, 0);
    let bob = add_user(db, "bob@example.com", Role::Athlete, 0);
    let (start, expires) = (ms_after_monday(0), ms_after_monday(HOUR * 1000));
    for n in 1..=3 {
        db.create_session(&new_session(n, ann.id, start, expires))
            .expect("ann's session");
    }
    db.create_session(&new_session(4, bob.id, start, expires))
        .expect("bob's session");
    for (n, name) in [(11, "laptop"), (12, "phone")] {
        db.create_token(ann.id, name, &secret(n), start)
            .expect("ann's token");
    }
    db.create_token(bob.id, "watch", &secret(13), start)
        .expect("bob's token");

    let empty = db.replace_password(ann.id, "", Some(&secret(2)));
    assert!(matches!(empty, Err(StoreError::Invalid(_))), "{empty:?}");
    assert_eq!(live_user(db, 1, start), Some(ann.id), "nothing ended");
    assert_eq!(
        db.tokens(ann.id).expect("tokens").len(),
        2,
        "nothing revoked"
    );

    assert_eq!(
        db.replace_password(UserId(bob.id.0 + 1000), "$argon2id$x", None)
            .expect("unknown user"),
        None
    );

    // Ann changes it from session 2: sessions 1 and 3 end, both tokens are revoked.
    assert_eq!(
        db.replace_password(ann.id, "$argon2id$new", Some(&secret(2)))
            .expect("change"),
        Some(CredentialsEnded {
            sessions: 2,
            tokens: 2
        })
    );
    let ann_now = db.user(ann.id).expect("ann").expect("exists");
    assert_eq!(ann_now.password_hash, "$argon2id$new");
    assert_eq!(live_user(db, 1, start), None);
    assert_eq!(live_user(db, 2, start), Some(ann.id), "the kept session");
    assert_eq!(live_user(db, 3, start), None);
    for n in [11, 12] {
        assert_eq!(
            db.token_user(&secret(n), ms_after_monday(1_000))
                .expect("auth"),
            None,
            "token {n} was revoked"
        );
    }
    assert!(db.tokens(ann.id).expect("tokens").is_empty());

    // Bob is untouched.
    assert_eq!(db.user(bob.id).expect("bob"), Some(bob.clone()));
    assert_eq!(live_user(db, 4, start), Some(bob.id));
    assert_eq!(
        db.token_user(&secret(13), ms_after_monday(1_000))
            .expect("bob's token"),
        Some(bob.clone())
    );

    // An administrator's reset keeps no session; nothing is left to revoke.
    assert_eq!(
        db.replace_password(ann.id, "$argon2id$reset", None)
            .expect("reset"),
        Some(CredentialsEnded {
            sessions: 1,
            tokens: 0
        })
    );
    assert_eq!(live_user(db, 2, start), None);
}

/// A NUL character in an address or a token name is invalid input on both backends (an
/// `InvalidText` error), not a database failure, and creates nothing.
fn account_text_with_nul_is_invalid_input(db: &dyn Database) {
    let coach = add_user(db, "coach@example.com", Role::Coach, 0);
    let is_invalid_text = |error: StoreError| {
        assert!(matches!(error, StoreError::InvalidText { .. }), "{error:?}");
    };
    is_invalid_text(
        db.create_user(
            &NewUser {
                email: "ann\0@example.com",
                role: Role::Athlete,
                password_hash: "$argon2id$x",
            },
            ms_after_monday(0),
        )
        .expect_err("NUL address"),
    );
    is_invalid_text(
        db.user_by_email("coach@example.com\0")
            .expect_err("NUL lookup"),
    );
    is_invalid_text(
        db.create_token(coach.id, "lap\0top", &secret(1), ms_after_monday(0))
            .expect_err("NUL token name"),
    );
    is_invalid_text(
        db.invite(coach.id, "bob\0@example.com", ms_after_monday(0))
            .expect_err("NUL invitation"),
    );
    assert_eq!(emails(&db.users().expect("users")), ["coach@example.com"]);
    assert!(db.tokens(coach.id).expect("tokens").is_empty());
    assert!(db.invitations_by(coach.id).expect("invitations").is_empty());
}

/// Only a coach invites (an athlete or an unknown user gets `Invalid`), and not their own
/// address; inviting an address
/// again keeps the first invitation and its time; an invitation is found by the invited
/// user's address, and an address without an account can be invited too.
fn only_coaches_invite_and_inviting_again_changes_nothing(db: &dyn Database) {
    let coach = add_user(db, "coach@example.com", Role::Coach, 0);
    let ann = add_user(db, "ann@example.com", Role::Athlete, 0);
    let bob = add_user(db, "bob@example.com", Role::Athlete, 0);
    let t1 = at(MONDAY_7AM + HOUR);

    for inviter in [ann.id, UserId(coach.id.0 + 1000)] {
        let refused = db.invite(inviter, "bob@example.com", t1);
        assert!(
            matches!(refused, Err(StoreError::Invalid(_))),
            "{inviter}: {refused:?}"
        );
    }
    let own = db.invite(coach.id, "coach@example.com", t1);
    assert!(matches!(own, Err(StoreError::Invalid(_))), "{own:?}");
    assert!(db.invitations_for(bob.id).expect("bob's").is_empty());
    assert!(db.invitations_by(coach.id).expect("none yet").is_empty());

    db.invite(coach.id, "ann@example.com", t1).expect("invite");
    db.invite(coach.id, "ann@example.com", at(MONDAY_7AM + 2 * HOUR))
        .expect("invite again");
    db.invite(coach.id, "new@example.com", at(MONDAY_7AM + 3 * HOUR))
        .expect("invite an address without an account");
    let to_ann = Invitation {
        coach: coach.id,
        coach_email: "coach@example.com".to_owned(),
        email: "ann@example.com".to_owned(),
        invited: t1,
    };
    let to_new = Invitation {
        email: "new@example.com".to_owned(),
        invited: at(MONDAY_7AM + 3 * HOUR),
        ..to_ann.clone()
    };
    assert_eq!(
        db.invitations_by(coach.id).expect("coach's"),
        vec![to_ann.clone(), to_new]
    );
    assert_eq!(db.invitations_for(ann.id).expect("ann's"), vec![to_ann]);
    assert!(db.invitations_for(bob.id).expect("bob's").is_empty());
    assert!(db.invitations_by(ann.id).expect("ann made none").is_empty());
}

/// Accepting needs a waiting invitation from that coach; once accepted, the athlete is in the
/// coach's squad, the coach among the athlete's coaches, and the coach sees the athlete's
/// partition and no other. A waiting invitation grants nothing.
fn an_accepted_invitation_lets_the_coach_see_the_athlete(db: &dyn Database) {
    let coach = add_user(db, "coach@example.com", Role::Coach, 0);
    let other = add_user(db, "assistant@example.com", Role::Coach, 0);
    let ann = add_user(db, "ann@example.com", Role::Athlete, 0);
    let bob = add_user(db, "bob@example.com", Role::Athlete, 0);
    let (t1, t2, t3) = (
        at(MONDAY_7AM + HOUR),
        at(MONDAY_7AM + 2 * HOUR),
        at(MONDAY_7AM + 3 * HOUR),
    );

    assert!(
        !db.accept_invitation(ann.id, coach.id, t1)
            .expect("nothing to accept")
    );
    db.invite(coach.id, "ann@example.com", t1).expect("invite");
    db.invite(other.id, "ann@example.com", t2)
        .expect("second coach invites");
    assert!(
        !db.coach_sees(coach.id, ann.athlete).expect("invited only"),
        "an invitation grants nothing"
    );
    assert!(
        !db.accept_invitation(bob.id, coach.id, t2)
            .expect("bob was not invited")
    );
    assert!(db.squad(coach.id).expect("squad").is_empty());

    assert!(db.accept_invitation(ann.id, coach.id, t2).expect("accept"));
    assert!(
        !db.accept_invitation(ann.id, coach.id, t3)
            .expect("accept twice"),
        "nothing waits any more"
    );
    assert_eq!(
        db.squad(coach.id).expect("squad"),
        vec![Member {
            user: ann.id,
            email: "ann@example.com".to_owned(),
            athlete: ann.athlete,
            since: t2,
        }]
    );
    assert!(db.invitations_by(coach.id).expect("waiting").is_empty());
    // The other coach's invitation still waits.
    let waiting = db.invitations_for(ann.id).expect("ann's");
    assert_eq!(
        waiting.iter().map(|i| i.coach).collect::<Vec<_>>(),
        [other.id]
    );
    assert!(db.accept_invitation(ann.id, other.id, t3).expect("accept"));
    assert_eq!(
        db.coaches_of(ann.id).expect("coaches"),
        vec![
            CoachLink {
                coach: other.id,
                email: "assistant@example.com".to_owned(),
                since: t3,
            },
            CoachLink {
                coach: coach.id,
                email: "coach@example.com".to_owned(),
                since: t2,
            },
        ],
        "by address"
    );
    // Inviting a member again leaves the membership as it is.
    db.invite(coach.id, "ann@example.com", t3).expect("again");
    assert_eq!(db.squad(coach.id).expect("squad")[0].since, t2);
    assert!(db.invitations_for(ann.id).expect("none").is_empty());

    assert!(db.coach_sees(coach.id, ann.athlete).expect("member"));
    assert!(db.coach_sees(other.id, ann.athlete).expect("member"));
    assert!(!db.coach_sees(coach.id, bob.athlete).expect("not a member"));
    assert!(
        !db.coach_sees(coach.id, coach.athlete)
            .expect("own partition"),
        "a coach's own partition is not a membership"
    );
    assert!(
        !db.coach_sees(coach.id, db.default_athlete().expect("default"))
            .expect("default partition")
    );
    assert!(
        !db.coach_sees(ann.id, ann.athlete).expect("athlete"),
        "never true for a user who is not a coach"
    );
    assert!(!db.coach_sees(bob.id, ann.athlete).expect("athlete"));
    assert!(
        !db.coach_sees(UserId(coach.id.0 + 1000), ann.athlete)
            .expect("unknown user")
    );
    assert!(
        !db.coach_sees(coach.id, AthleteId(ann.athlete.0 + 1000))
            .expect("unknown partition")
    );
    assert!(db.squad(ann.id).expect("athletes have no squad").is_empty());
}

/// The athlete leaving, the coach removing, declining and withdrawing an invitation each end
/// the link, and with it the coach's access.
fn coach_access_ends_when_either_side_ends_it(db: &dyn Database) {
    let coach = add_user(db, "coach@example.com", Role::Coach, 0);
    let ann = add_user(db, "ann@example.com", Role::Athlete, 0);
    let bob = add_user(db, "bob@example.com", Role::Athlete, 0);
    let t1 = at(MONDAY_7AM + HOUR);
    for athlete in [&ann, &bob] {
        db.invite(coach.id, &athlete.email, t1).expect("invite");
        assert!(
            db.accept_invitation(athlete.id, coach.id, t1)
                .expect("accept")
        );
    }
    assert_eq!(db.squad(coach.id).expect("squad").len(), 2);

    assert!(db.leave_coach(ann.id, coach.id).expect("ann leaves"));
    assert!(!db.leave_coach(ann.id, coach.id).expect("again"));
    assert!(!db.coach_sees(coach.id, ann.athlete).expect("left"));
    assert!(db.coaches_of(ann.id).expect("coaches").is_empty());
    assert_eq!(
        db.squad(coach.id)
            .expect("squad")
            .iter()
            .map(|m| m.user)
            .collect::<Vec<_>>(),
        [bob.id]
    );

    assert!(
        db.coach_sees(coach.id, bob.athlete)
            .expect("still a member")
    );
    assert!(
        db.remove_member(coach.id, "bob@example.com")
            .expect("remove bob")
    );
    assert!(
        !db.remove_member(coach.id, "bob@example.com")
            .expect("again")
    );
    assert!(!db.coach_sees(coach.id, bob.athlete).expect("removed"));
    assert!(db.squad(coach.id).expect("squad").is_empty());

    // Declining a waiting invitation is leaving it.
    db.invite(coach.id, "ann@example.com", t1).expect("invite");
    assert!(db.leave_coach(ann.id, coach.id).expect("decline"));
    assert!(db.invitations_for(ann.id).expect("none").is_empty());
    assert!(
        !db.accept_invitation(ann.id, coach.id, t1)
            .expect("declined")
    );

    // Withdrawing an invitation is removing it.
    db.invite(coach.id, "new@example.com", t1).expect("invite");
    assert!(
        db.remove_member(coach.id, "new@example.com")
            .expect("withdraw")
    );
    assert!(db.invitations_by(coach.id).expect("none").is_empty());
    assert!(!db.coach_sees(coach.id, ann.athlete).expect("no link"));
}

/// An account can take over an existing partition (the single-user `default` athlete, or data
/// imported under another name): it then reads and writes that partition's rows. The partition
/// must exist and have no owner; a refused attempt writes nothing.
fn a_user_can_own_an_existing_partition_once(db: &dyn Database) {
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";
    let default = db.default_athlete().expect("default athlete");
    db.set_setting(default, "marker", Some("laptop data"))
        .expect("write to default");
    let new = |email| NewUser {
        email,
        role: Role::Athlete,
        password_hash: hash,
    };
    let owner = db
        .create_user_owning(&new("me@example.org"), "default", at(MONDAY_7AM))
        .expect("own the default partition");
    assert_eq!(
        owner.athlete, default,
        "the account owns the existing partition"
    );
    assert_eq!(
        db.setting(owner.athlete, "marker").expect("read"),
        Some("laptop data".to_owned())
    );
    let twice = db.create_user_owning(&new("other@example.org"), "default", at(MONDAY_7AM));
    assert!(
        matches!(twice, Err(crate::StoreError::Conflict(_))),
        "a partition has one owner: {twice:?}"
    );
    let missing = db.create_user_owning(&new("ghost@example.org"), "nobody", at(MONDAY_7AM));
    assert!(
        matches!(missing, Err(crate::StoreError::Invalid(_))),
        "an unknown partition is refused: {missing:?}"
    );
    assert_eq!(
        emails(&db.users().expect("users")),
        ["me@example.org"],
        "refused attempts created no account"
    );
}
