//! The account endpoints of the API: who am I, password, API tokens, a coach's invitations and
//! squad, an athlete's coaches. One handler per endpoint, each one `fettle_app::accounts` use
//! case (the ones `fettle user …` and `fettle token …` call) on the blocking pool: the rules
//! and their refusals (422 with `violations`) are the use cases', never this module's.
//!
//! They exist only in multi-user mode; a single-user server answers them 404 saying so, except
//! `GET /api/v1/me`, which tells the pages which mode they run in. Everything acts on the
//! authenticated user ([`Caller`], put in the request by the authentication middleware): no
//! endpoint takes another user's id for anything but the coach relation the caller is part of,
//! and a coach-only endpoint answers a non-coach 404.

use axum::Json;
use axum::extract::{FromRequestParts, Path as UrlPath, State};
use axum::http::request::Parts;
use axum::http::{Extensions, StatusCode};
use axum::response::{IntoResponse, Response};
use fettle_app::accounts::{self as app, CreatedToken, change_password, check_new_password};
use fettle_store::{AthleteId, Role, TokenId, UserId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::api::run;
use crate::auth::{Caller, ClientAddr, blocking, unauthorized};
use crate::error::{ApiError, JsonBody, to_json};
use crate::login::too_many_attempts;
use crate::openapi;
use crate::state::{AppState, MultiUser};

/// The authenticated user and the multi-user state, for the account endpoints. In single-user
/// mode the extraction fails with a 404 explaining that accounts need `--multi-user`.
pub(crate) struct Account {
    caller: Caller,
    multi: std::sync::Arc<MultiUser>,
}

impl FromRequestParts<AppState> for Account {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(multi) = state.multi() else {
            return Err(ApiError::not_found(format!(
                "{} exists only on a multi-user server (`fettle serve --multi-user`)",
                parts.uri.path()
            )));
        };
        let caller = parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(unauthorized)?;
        Ok(Account {
            caller,
            multi: std::sync::Arc::clone(multi),
        })
    }
}

impl Account {
    fn user(&self) -> UserId {
        self.caller.user.id
    }

    /// The caller's id when they are a coach; a 404 otherwise (the squad routes do not exist
    /// for athletes).
    fn coach(&self) -> Result<UserId, ApiError> {
        if self.caller.user.role == Role::Coach {
            Ok(self.caller.user.id)
        } else {
            Err(ApiError::not_found(
                "only coaches have a squad: an administrator makes an account a coach with \
                 `fettle user add EMAIL --role coach`",
            ))
        }
    }
}

/// `204 No Content` when the use case did it; its "not found" as the 404 `missing` describes
/// (the use case's hint is the CLI's, this one points at the API); any other error as is.
fn done_or_404(done: Result<(), ApiError>, missing: &str) -> Response {
    match done {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) if e.status() == StatusCode::NOT_FOUND => {
            ApiError::not_found(missing.to_owned()).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// Renders an answer with another status than 200 (201 for what was created).
fn with_status(status: StatusCode, reply: Result<JsonBody, ApiError>) -> Response {
    match reply {
        Ok(body) => (status, body).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /api/v1/me`: who the caller is. `mode` tells the pages whether accounts exist.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[schema(
    as = Me,
    description = "Who the caller is. `mode` tells the pages whether accounts exist."
)]
pub(crate) enum MeAnswer<'a> {
    /// A single-user server: no accounts, one athlete.
    Single(SingleUserMe),
    /// A multi-user server: the authenticated user.
    Multi(MultiUserMe<'a>),
}

/// `"single-user"`.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) enum SingleUserMode {
    /// The only value.
    #[serde(rename = "single-user")]
    SingleUser,
}

/// `"multi-user"`.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) enum MultiUserMode {
    /// The only value.
    #[serde(rename = "multi-user")]
    MultiUser,
}

/// `GET /api/v1/me` in multi-user mode.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MultiUserMe<'a> {
    mode: MultiUserMode,
    #[schema(value_type = i64)]
    user_id: UserId,
    email: &'a str,
    /// `athlete` or `coach`.
    #[schema(value_type = String)]
    role: Role,
    /// The user's own data partition.
    #[schema(value_type = i64)]
    athlete_id: AthleteId,
    /// Send as `X-CSRF-Token` with cookie-authenticated changes; `null` with an API token,
    /// which needs none.
    #[schema(required = true)]
    csrf_token: Option<&'a str>,
}

/// `GET /api/v1/me` in single-user mode.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SingleUserMe {
    mode: SingleUserMode,
    #[schema(value_type = i64)]
    athlete_id: AthleteId,
}

/// `GET /api/v1/me`: who the caller is, and the mode (the pages show the account links only
/// in multi-user mode).
#[utoipa::path(
    get,
    path = "/api/v1/me",
    operation_id = "me",
    summary = "Who the caller is, the mode, and the session's CSRF token.",
    responses(
        (status = 200, description = "OK", body = MeAnswer<'static>),
        (status = 401, response = openapi::Unauthorized),
        (status = 500, response = openapi::Internal),
    )
)]
pub(crate) async fn me(State(state): State<AppState>, extensions: Extensions) -> Response {
    let reply = match extensions.get::<Caller>() {
        Some(caller) => JsonBody::new(&MeAnswer::Multi(MultiUserMe {
            mode: MultiUserMode::MultiUser,
            user_id: caller.user.id,
            email: &caller.user.email,
            role: caller.user.role,
            athlete_id: caller.user.athlete,
            csrf_token: caller.session.as_ref().map(|s| s.csrf.as_str()),
        })),
        None => match extensions.get::<crate::state::Acting>() {
            Some(acting) if !state.is_multi_user() => {
                JsonBody::new(&MeAnswer::Single(SingleUserMe {
                    mode: SingleUserMode::SingleUser,
                    athlete_id: acting.0,
                }))
            }
            _ => Err(unauthorized()),
        },
    };
    match reply {
        Ok(body) => body.into_response(),
        Err(e) => e.into_response(),
    }
}

/// The body of `PUT /api/v1/me/password`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordChange {
    current_password: String,
    /// At least 10 characters, at most 1024 bytes.
    new_password: String,
}

/// What a password change answers: what ended with the old password.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordChanged {
    changed: bool,
    /// How many of the caller's other sessions ended.
    sessions_ended: u64,
    /// How many of the caller's API tokens were revoked: all of them, including the one this
    /// request was made with.
    tokens_revoked: u64,
}

/// `PUT /api/v1/me/password`: checks the current password, sets the new one, ends every
/// other session (this one stays, when the change came through it) and revokes every API token
/// of the caller (a request made with a token is its last).
///
/// A wrong `current_password` is a guess like a failed login (someone holding a stolen token or
/// an open session could otherwise try passwords without limit): it counts against the
/// account's address and the client in the login limiter, reserved before the argon2 work, and
/// past the limit the answer is `429` with `Retry-After`. A new password the rules refuse is
/// answered first, without counting.
#[utoipa::path(
    put,
    path = "/api/v1/me/password",
    operation_id = "changePassword",
    summary = "Change the caller's password (the current one is checked); every other session ends and every API token of the caller is revoked. Multi-user mode only (404 in single-user mode).",
    description = "A wrong `current_password` counts like a failed login; past the limit, 429 with Retry-After.",
    request_body = PasswordChange,
    responses(
        (status = 200, description = "OK", body = PasswordChanged),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 403, response = openapi::Forbidden),
        (status = 404, response = openapi::NotFound),
        (status = 413, response = openapi::TooLarge),
        (status = 415, response = openapi::UnsupportedMediaType),
        (status = 422, response = openapi::Invalid),
        (status = 429, response = openapi::TooManyRequests),
        (status = 500, response = openapi::Internal),
    )
)]
pub(crate) async fn put_password(
    account: Account,
    ClientAddr(client): ClientAddr,
    Json(change): Json<PasswordChange>,
) -> Response {
    if let Err(e) = check_new_password(&change.new_password) {
        return ApiError::from(e).into_response();
    }
    let attempt = match account
        .multi
        .limiter
        .reserve(&account.caller.user.email, client)
    {
        Ok(attempt) => attempt,
        Err(wait) => return too_many_attempts(wait, false),
    };
    let user = account.user();
    let keep = account.caller.session.as_ref().map(|s| s.secret);
    // One argon2id verification per core at a time, as for logins.
    let outcome = {
        let _slot = account.multi.login_slots.acquire().await;
        blocking(&account.multi, move |db| {
            change_password(
                db,
                user,
                &change.current_password,
                &change.new_password,
                keep.as_ref(),
            )
        })
        .await
    };
    match outcome {
        Ok(ended) => {
            account.multi.limiter.succeeded(attempt);
            render(Ok(PasswordChanged {
                changed: true,
                sessions_ended: ended.sessions,
                tokens_revoked: ended.tokens,
            }))
        }
        // The new password passed the rules above, so this is the wrong current password: the
        // reservation stays counted.
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            drop(attempt);
            e.into_response()
        }
        Err(e) => {
            account.multi.limiter.succeeded(attempt);
            e.into_response()
        }
    }
}

/// `GET /api/v1/tokens`: the caller's API tokens (never their secrets).
#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    operation_id = "listTokens",
    summary = "The caller's API tokens (never their secrets). Multi-user mode only (404 in single-user mode).",
    responses(
        (status = 200, description = "OK", body = Vec<openapi::ApiToken>),
        (status = 401, response = openapi::Unauthorized),
        (status = 404, response = openapi::NotFound),
        (status = 500, response = openapi::Internal),
    )
)]
pub(crate) async fn tokens(account: Account) -> Response {
    let user = account.user();
    render(blocking(&account.multi, move |db| app::list_tokens(db, user)).await)
}

/// The body of `POST /api/v1/tokens`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewToken {
    /// Where the token is used (`laptop sync`), at most 100 characters.
    name: String,
}

/// `POST /api/v1/tokens`: a new API token for the caller → 201 with its secret.
#[utoipa::path(
    post,
    path = "/api/v1/tokens",
    operation_id = "createToken",
    summary = "Create an API token; the answer is the only time its secret is shown. Multi-user mode only (404 in single-user mode).",
    request_body = NewToken,
    responses(
        (status = 201, description = "Created", body = fettle_app::accounts::CreatedToken),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 403, response = openapi::Forbidden),
        (status = 404, response = openapi::NotFound),
        (status = 413, response = openapi::TooLarge),
        (status = 415, response = openapi::UnsupportedMediaType),
        (status = 422, response = openapi::Invalid),
        (status = 500, response = openapi::Internal),
    )
)]
pub(crate) async fn post_token(
    State(state): State<AppState>,
    account: Account,
    Json(new): Json<NewToken>,
) -> Response {
    let user = account.user();
    let now = state.now();
    let reply = blocking(&account.multi, move |db| {
        let (token, secret) = app::create_token(db, user, &new.name, now)?;
        Ok(CreatedToken::new(&token, &secret))
    })
    .await;
    with_status(StatusCode::CREATED, reply.and_then(|t| JsonBody::new(&t)))
}

/// A numeric id in a path (`{id}`, `{coach_id}`); other path parameters are ignored.
#[derive(Deserialize)]
pub(crate) struct IdPath {
    id: i64,
}

/// A coach's id in a path.
#[derive(Deserialize)]
pub(crate) struct CoachPath {
    coach_id: i64,
}

/// `DELETE /api/v1/tokens/{id}`: revokes one of the caller's tokens → 204; 404 when the caller
/// has no such token (another user's token id included, which stays valid).
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    operation_id = "revokeToken",
    summary = "Revoke one of the caller's API tokens (404 for an id the caller does not own). Multi-user mode only (404 in single-user mode).",
    params(
        ("id" = i64, Path, description = "The token's id."),
    ),
    responses(
        (status = 204, description = "Revoked."),
        (status = 401, response = openapi::Unauthorized),
        (status = 403, response = openapi::Forbidden),
        (status = 404, response = openapi::NotFound),
        (status = 500, response = openapi::Internal),
    )
)]
pub(crate) async fn delete_token(account: Account, UrlPath(path): UrlPath<IdPath>) -> Response {
    let user = account.user();
    let done = blocking(&account.multi, move |db| {
        app::revoke_token(db, user, TokenId(path.id))
    })
    .await;
    done_or_404(done, "no such token: list yours at /api/v1/tokens")
}

/// `GET /api/v1/invitations`: the coaches' invitations waiting for the caller's answer.
#[utoipa::path(
    get,
    path = "/api/v1/invitations",
    operation_id = "listInvitations",
    summary = "Coaches' invitations waiting for the caller's answer. Multi-user mode only (404 in single-user mode).",
    responses(
        (status = 200, description = "OK", body = Vec<openapi::Invitation>),
        (status = 401, response = openapi::Unauthorized),
        (status = 404, response = openapi::NotFound),
        (status = 500, response = openapi::Internal),
    )
)]
pub(crate) async fn invitations(account: Account) -> Response {
    let user = account.user();
    render(blocking(&account.multi, move |db| app::invitations_for(db, user)).await)
}

/// `POST /api/v1/invitations/{coach_id}/accept`: the coach may now read the caller's data → 204;
/// 404 when that coach has not invited the caller.
#[utoipa::path(
    post,
    path = "/api/v1/invitations/{coach_id}/accept",
    operation_id = "acceptInvitation",
    summary = "Accept a coach's invitation: the coach may then read (never change) the caller's data. Multi-user mode only (404 in single-user mode).",
    params(
        ("coach_id" = i64, Path, description = "The coach's user id."),
    ),
    responses(
        (status = 204, description = "Accepted."),
        (status = 401, response = openapi::Unauthorized),
        (status = 403, response = openapi::Forbidden),
        (status = 404, response = openapi::NotFound),
        (status = 500, response = openapi::Internal),
    )
)]
pub(crate) async fn accept_invitation(
    State(state): State<AppState>,
    account: Account,
    UrlPath(path): UrlPath<CoachPath>,
) -> Response {
    let user = account.user();
    let coach = UserId(path.coach_id);
    let now = state.now();
    let done = blocking(&account.multi, move |db| {
        app::accept_invitation(db, user, coach, now)
    })
    .await;
    done_or_404(
        done,
        "no invitation from this coach: list yours at /api/v1/invitations",
    )
}

/// `DELETE /api/v1/invitations/{coach_id}`: declines a coach's invitation, as
/// [`leave_coach`] (the same use case: the coach does not see the caller's data).
#[utoipa::path(
    delete,
    path = "/api/v1/invitations/{coach_id}",
    operation_id = "declineInvitation",
    summary = "Decline a coach's invitation. Multi-user mode only (404 in single-user mode).",
    params(
        ("coach_id" = i64, Path, description = "The coach's user id."),
    ),
    responses(
        (status = 204, description = "Declined."),
        (status = 401, response = openapi::Unauthorized),
        (status = 403, response = openapi::Forbidden),
        (status = 404, response = openapi::NotFound),
        (status = 500, response = openapi::Internal),
    )
)]
pub(crate) async fn decline_invitation(account: Account, path: UrlPath<CoachPath>) -> Response {
    leave_coach(account, path).await
}

/// `DELETE /api/v1/coaches/{coach_id}` (leave) and, through [`decline_invitation`],
/// `DELETE /api/v1/invitations/{coach_id}` (decline): the coach no longer sees the caller's
/// data → 204; 404 when there was nothing.
#[utoipa::path(
    delete,
    path = "/api/v1/coaches/{coach_id}",
    operation_id = "leaveCoach",
    summary = "Leave a coach: they no longer see the caller's data. Multi-user mode only (404 in single-user mode).",
    params(
        ("coach_id" = i64, Path, description = "The coach's user id."),
    ),
    responses(
        (status = 204, description = "Left."),
        (status = 401, response = openapi::Unauthorized),
        (status = 403, response = openapi::Forbidden),
        (status = 404, response = openapi::NotFound),
        (status = 500, response = openapi::Internal),
    )
)]
pub(crate) async fn leave_coach(account: Account, UrlPath(path): UrlPath<CoachPath>) -> Response {
    let user = account.user();
    let coach = UserId(path.coach_id);
    let done = blocking(&account.multi, move |db| app::leave_coach(db, user, coach)).await;
    done_or_404(
        done,
        "no invitation from or membership with this coach: see /api/v1/coaches",
    )
}

/// `GET /api/v1/coaches`: the coaches who see the caller's data.
#[utoipa::path(
    get,
    path = "/api/v1/coaches",
    operation_id = "listCoaches",
    summary = "The coaches who read the caller's data. Multi-user mode only (404 in single-user mode).",
    responses(
        (status = 200, description = "OK", body = Vec<openapi::CoachLink>),
        (status = 401, response = openapi::Unauthorized),
        (status = 404, response = openapi::NotFound),
        (status = 500, response = openapi::Internal),
    )
)]
pub(crate) async fn coaches(account: Account) -> Response {
    let user = account.user();
    render(blocking(&account.multi, move |db| app::coaches_of(db, user)).await)
}

/// `GET /api/v1/squad` (coaches): the squad report, who needs attention first, with the
/// invitations still waiting.
#[utoipa::path(
    get,
    path = "/api/v1/squad",
    operation_id = "squad",
    summary = "Coaches: every member's readiness, form, ACWR, flags and recovery compliance, who needs attention first, and the invitations still waiting. 404 for an athlete. Multi-user mode only (404 in single-user mode).",
    responses(
        (status = 200, description = "OK", body = SquadAnswer),
        (status = 401, response = openapi::Unauthorized),
        (status = 404, response = openapi::NotFound),
        (status = 500, response = openapi::Internal),
    )
)]
pub(crate) async fn squad(State(state): State<AppState>, account: Account) -> Response {
    let coach = match account.coach() {
        Ok(coach) => coach,
        Err(e) => return e.into_response(),
    };
    let lookup = blocking(&account.multi, move |db| app::squad_of(db, coach)).await;
    let (members, waiting) = match lookup {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    let now = state.now();
    run(&state, move |db| {
        let report = fettle_app::squad::assemble(&members, now, |member| {
            let row = db.squad_row(member, now);
            (row.0, row.1.clone())
        })?;
        JsonBody::new(&SquadAnswer {
            as_of: report.as_of,
            recovery_compliance_days: report.recovery_compliance_days,
            athletes: report.athletes,
            invitations: waiting
                .iter()
                .map(|invitation| Invited {
                    email: invitation.email.clone(),
                    invited: invitation.invited,
                })
                .collect(),
        })
    })
    .await
}

/// `GET /api/v1/squad`: the squad report's fields (`fettle_app::squad::SquadReport`) with the
/// invitations still waiting beside them.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    as = Squad,
    description = "The squad report, who needs attention first, with the invitations still waiting."
)]
pub(crate) struct SquadAnswer {
    /// The instant the rows describe (the oldest row's, when rows were reused).
    #[schema(value_type = String, format = DateTime)]
    as_of: Timestamp,
    /// The window of recovery compliance, days.
    recovery_compliance_days: i64,
    /// One row per member, who needs attention first.
    athletes: Vec<fettle_app::squad::SquadRow>,
    /// Invitations still waiting for an answer.
    invitations: Vec<Invited>,
}

/// The body of `POST /api/v1/squad/invitations`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewInvitation {
    email: String,
}

/// An invitation a coach made: who, since when (what an invitation answers, and each waiting
/// one in the squad report).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Invited {
    /// The address as stored (trimmed, lower-case).
    email: String,
    #[schema(value_type = String, format = DateTime)]
    invited: Timestamp,
}

/// `POST /api/v1/squad/invitations` (coaches): invites an e-mail address → 201. The answer is
/// the same whether the address has an account or not (no enumeration).
#[utoipa::path(
    post,
    path = "/api/v1/squad/invitations",
    operation_id = "invite",
    summary = "Coaches: invite an e-mail address (the same answer whether it has an account or not). Multi-user mode only (404 in single-user mode).",
    request_body = NewInvitation,
    responses(
        (status = 201, description = "Invited", body = Invited),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthorized),
        (status = 403, response = openapi::Forbidden),
        (status = 404, response = openapi::NotFound),
        (status = 413, response = openapi::TooLarge),
        (status = 415, response = openapi::UnsupportedMediaType),
        (status = 422, response = openapi::Invalid),
        (status = 500, response = openapi::Internal),
    )
)]
pub(crate) async fn invite(
    State(state): State<AppState>,
    account: Account,
    Json(new): Json<NewInvitation>,
) -> Response {
    let coach = match account.coach() {
        Ok(coach) => coach,
        Err(e) => return e.into_response(),
    };
    let now = state.now();
    let reply = blocking(&account.multi, move |db| {
        let email = app::invite(db, coach, &new.email, now)?;
        Ok(Invited {
            email,
            invited: now,
        })
    })
    .await;
    with_status(StatusCode::CREATED, reply.and_then(|i| JsonBody::new(&i)))
}

/// An e-mail address in a path.
#[derive(Deserialize)]
pub(crate) struct EmailPath {
    email: String,
}

/// `DELETE /api/v1/squad/members/{email}` (coaches): removes the athlete or withdraws the
/// invitation → 204; 404 when there was neither.
#[utoipa::path(
    delete,
    path = "/api/v1/squad/members/{email}",
    operation_id = "removeMember",
    summary = "Coaches: remove an athlete from the squad, or withdraw the invitation. Multi-user mode only (404 in single-user mode).",
    params(
        ("email" = String, Path, description = "The athlete's e-mail address."),
    ),
    responses(
        (status = 204, description = "Removed."),
        (status = 401, response = openapi::Unauthorized),
        (status = 403, response = openapi::Forbidden),
        (status = 404, response = openapi::NotFound),
        (status = 500, response = openapi::Internal),
    )
)]
pub(crate) async fn remove_member(account: Account, UrlPath(path): UrlPath<EmailPath>) -> Response {
    let coach = match account.coach() {
        Ok(coach) => coach,
        Err(e) => return e.into_response(),
    };
    let removed = blocking(&account.multi, move |db| {
        app::remove_member(db, coach, &path.email)
    })
    .await;
    done_or_404(
        removed,
        "nobody with this address is in your squad or invited: see /api/v1/squad",
    )
}

/// Renders a lookup's value as JSON.
fn render<T: Serialize>(reply: Result<T, ApiError>) -> Response {
    match to_json(reply) {
        Ok(body) => body.into_response(),
        Err(e) => e.into_response(),
    }
}
