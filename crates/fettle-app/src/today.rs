//! `fettle today` and `GET /api/v1/today`: the one answer to "what do I do today?".
//!
//! The snapshot of the athlete's day is loaded once — the zone, the daily series, the lists
//! the recovery rules read (profile, wellness, plan, classification context: one read each,
//! shared with `readiness` and `recover` through [`crate::recovery`]'s loader), the recent
//! activities and the recovery log after the latest one — and handed to the pure core:
//! [`fettle_core::readiness::assess`], the recovery prescription and its compliance, and
//! [`fettle_core::today::decide`]. `readiness` and `recover` compute the same figures from the
//! same loader, so the three agree where they overlap (a test holds them together).
//!
//! The clock: the decision is made as of `now`; for a past `date` it is made as of the last
//! moment of that local day, so the answer for a past day does not depend on when it is asked.

use fettle_core::plan::{self, Session};
use fettle_core::readiness::{Component, Recommendation};
use fettle_core::recovery::logging;
use fettle_core::recovery::prescribe;
use fettle_core::today::{self, DayInput, LastHard, Suggested, Swap, Verdict};
use fettle_store::{ActivityFilter, AthleteId, Store};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::Serialize;

use crate::AppError;
use crate::recovery::{
    Inputs, activity_end, assess_readiness, build_context, latest_ended_activity,
    recovery_log_after, to_local_rfc3339,
};

/// How far back the latest hard session is looked for, days (beyond this it no longer bears
/// on today: [`today::RECENT_HARD_H`] is two days).
const LAST_HARD_LOOKBACK_DAYS: i64 = 7;

/// This morning's readiness as the day's answer shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ReadinessPart {
    /// 0–100.
    pub score: f64,
    /// `train_hard`, `easy` or `rest`.
    pub band: Recommendation,
    /// Every component with its value, baseline and sub-score.
    pub components: Vec<Component>,
    /// Why the band is what it is.
    pub reasons: Vec<String>,
}

/// A recovery item due today after the latest session.
#[derive(Debug, Clone, Serialize)]
pub struct RecoveryDue {
    /// The method (`nutrition`, `sleep`, `foam_rolling` …).
    pub method: fettle_core::log::RecoveryMethod,
    /// What and how much.
    pub dose: String,
    /// Start of the window, local time (RFC 3339).
    pub start: String,
    /// End of the window, local time (RFC 3339).
    pub end: String,
    /// Whether it was logged.
    pub done: bool,
    /// Whether its window is still open (not done and not past).
    pub open: bool,
    /// How it was followed, one line.
    pub summary: String,
    /// The dose's minutes and temperature, to log it as done.
    pub minutes: Option<u32>,
    /// The dose's temperature, °C.
    pub temp_c: Option<f64>,
}

/// `fettle today --json` and `GET /api/v1/today`.
#[derive(Debug, Clone, Serialize)]
pub struct TodayView {
    /// The local day.
    pub date: Date,
    /// `rest`, `easy`, `as_planned` or `hard_ok`.
    pub verdict: Verdict,
    /// One sentence.
    pub headline: String,
    /// Why, as sentences.
    pub reasons: Vec<String>,
    /// The plan's session for the day, when a plan holds the day.
    pub planned: Option<Session>,
    /// The session to do, `null` for rest.
    pub suggested: Option<Suggested>,
    /// A proposed new day for a displaced planned session (the plan is not changed).
    pub swap: Option<Swap>,
    /// This morning's readiness, `null` when nothing could be scored.
    pub readiness: Option<ReadinessPart>,
    /// What readiness lacked this morning (a component and why).
    pub readiness_missing: Vec<String>,
    /// This morning's form (fitness − fatigue), when there is training history.
    pub form: Option<f64>,
    /// The activity the recovery items follow.
    pub recovery_after_activity: Option<i64>,
    /// Recovery items whose window touches today: open first, then done, then expired.
    pub recovery: Vec<RecoveryDue>,
    /// When hard training is fine again (RFC 3339, local), `null` when it already is.
    pub next_hard: Option<String>,
}

/// The day's answer on `date` (default today; not in the future) as of `now`.
pub fn today(
    store: &dyn Store,
    athlete: AthleteId,
    date: Option<Date>,
    now: Timestamp,
) -> Result<TodayView, AppError> {
    let tz = crate::athlete_time_zone(store, athlete)?;
    let current = crate::recovery::today(&tz, now);
    let date = date.unwrap_or(current);
    if date > current {
        return Err(AppError::Invalid(format!(
            "{date} is in the future (today is {current}): `fettle today` decides a day that has \
             come; see what is planned with `fettle plan show`"
        )));
    }
    // A past day is decided as of its last moment (see the module doc).
    let at = if date < current {
        date.tomorrow()
            .ok()
            .and_then(|d| d.to_zoned_datetime(tz.clone()).ok())
            .and_then(|z| z.timestamp().checked_sub(SignedDuration::from_secs(1)).ok())
            .unwrap_or(now)
    } else {
        now
    };
    let local_now = at.to_zoned_datetime(tz.clone());

    let inputs = Inputs::load(store, athlete, current)?;
    let readiness = assess_readiness(store, athlete, &inputs, date)?;
    let lists = inputs.lists(store, athlete)?;
    let planned_day = lists
        .plan
        .as_ref()
        .and_then(|p| p.days().find(|d| d.date == date).cloned());
    let upcoming: Vec<plan::Day> = lists
        .plan
        .as_ref()
        .map(|p| p.days().filter(|d| d.date > date).cloned().collect())
        .unwrap_or_default();

    // The latest hard session, from what the recent sessions contained.
    let recent = store.list_activities(
        athlete,
        &ActivityFilter {
            from: at.checked_sub((LAST_HARD_LOOKBACK_DAYS * 24).hours()).ok(),
            to: Some(at),
            ..ActivityFilter::default()
        },
    )?;
    let last_hard = recent
        .iter()
        .filter(|s| activity_end(s) <= at)
        .filter_map(|s| {
            let c = lists.sessions.classify(s)?;
            c.hard.then(|| LastHard {
                end: activity_end(s),
                kind: c.kind,
            })
        })
        .max_by_key(|h| h.end);

    // The latest session's prescription, its recovery time and what was logged.
    let latest = latest_ended_activity(store, athlete, at)?;
    let mut recovery = Vec::new();
    let mut next_hard_from = None;
    if let Some(summary) = &latest {
        let built = build_context(store, athlete, &inputs, summary)?;
        let prescription = prescribe(&built.context);
        let log = recovery_log_after(store, athlete, summary, built.context.session.end)?;
        let compliance = logging::compliance(&prescription, &log);
        let day_start = date
            .to_zoned_datetime(tz.clone())
            .ok()
            .map(|z| z.timestamp());
        let day_end = date
            .tomorrow()
            .ok()
            .and_then(|d| d.to_zoned_datetime(tz.clone()).ok())
            .map(|z| z.timestamp());
        for (item, followed) in prescription.items.iter().zip(&compliance) {
            let touches_today = day_start.is_none_or(|s| item.end.timestamp() >= s)
                && day_end.is_none_or(|e| item.start.timestamp() < e);
            if !touches_today {
                continue;
            }
            recovery.push(RecoveryDue {
                method: item.method,
                dose: item.dose.clone(),
                start: to_local_rfc3339(item.start.timestamp(), &tz),
                end: to_local_rfc3339(item.end.timestamp(), &tz),
                done: followed.done,
                open: !followed.done && item.end.timestamp() > at,
                summary: followed.summary.clone(),
                minutes: item.minutes,
                temp_c: item.temp_c,
            });
        }
        // Open first, then done, then expired; each by the start of its window.
        recovery.sort_by_key(|r| (!r.open, !r.done, r.start.clone()));
        next_hard_from = Some(built.recovery_time.next_hard_session_from);
    }
    let next_hard_from = next_hard_from.filter(|z| z.timestamp() > at);

    let decision = today::decide(&DayInput {
        date,
        now: &local_now,
        readiness: &readiness,
        planned: planned_day.as_ref().map(|d| &d.session),
        upcoming: &upcoming,
        last_hard,
        next_hard_from: next_hard_from.as_ref(),
    });
    Ok(TodayView {
        date,
        verdict: decision.verdict,
        headline: decision.headline,
        reasons: decision.reasons,
        planned: planned_day.map(|d| d.session),
        suggested: decision.suggested,
        swap: decision.swap,
        readiness: readiness.score.map(|score| ReadinessPart {
            score,
            band: readiness.recommendation,
            components: readiness.components.clone(),
            reasons: readiness.reasons.clone(),
        }),
        readiness_missing: readiness.missing,
        form: inputs.morning_load(date).map(|l| l.form),
        recovery_after_activity: latest.map(|s| s.id.0),
        recovery,
        next_hard: next_hard_from.map(|z| to_local_rfc3339(z.timestamp(), &tz)),
    })
}

/// What accepting the day's proposed swap changed in the plan.
#[derive(Debug, Clone, Serialize)]
pub struct SwapAccepted {
    /// The session moved (its title in the plan).
    pub session: String,
    /// The day it was planned on.
    pub from: Date,
    /// The day it moved to.
    pub to: Date,
    /// The session `from` holds now (the one that was planned on `to`).
    pub instead: String,
    /// What changed, in one sentence.
    pub message: String,
}

/// Accepts the swap the day's decision proposes ([`today`]'s `swap`): the displaced session
/// and the easy day it was offered trade places in the saved plan, which says so in its
/// changes. Nothing changes, with an `Invalid` error saying why, when the decision proposes no
/// move (the morning agrees with the plan, or the proposal is to skip the session).
pub fn accept_swap(
    store: &dyn Store,
    athlete: AthleteId,
    date: Option<Date>,
    now: Timestamp,
) -> Result<SwapAccepted, AppError> {
    let view = today(store, athlete, date, now)?;
    let Some(swap) = view.swap else {
        return Err(AppError::Invalid(format!(
            "today's decision on {} proposes no swap ({}): there is nothing to accept",
            view.date, view.headline
        )));
    };
    let Some(to) = swap.to else {
        return Err(AppError::Invalid(format!(
            "the proposal for {} is not a move: {}",
            swap.from, swap.sentence
        )));
    };
    let instead = crate::planning::saved_plan(store, athlete)?
        .and_then(|p| {
            p.days()
                .find(|d| d.date == to)
                .map(|d| d.session.title.clone())
        })
        .unwrap_or_default();
    let day = |d: Date| d.strftime("%A %Y-%m-%d").to_string();
    let message = format!(
        "moved {} from {} to {}; {} is now: {}",
        swap.session,
        day(swap.from),
        day(to),
        day(swap.from),
        instead
    );
    crate::planning::swap_saved_days(store, athlete, swap.from, to, message.clone())?;
    Ok(SwapAccepted {
        session: swap.session,
        from: swap.from,
        to,
        instead,
        message,
    })
}

#[cfg(test)]
mod tests;
