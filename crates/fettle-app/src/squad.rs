//! The coach's squad overview: one row per athlete with readiness, fitness, fatigue, form, ACWR,
//! the risk flags and recovery compliance, sorted so that whoever needs attention comes first.
//!
//! Every number is the one the athlete's own pages show: a row is assembled from the same use
//! cases ([`training::status`], and [`recovery::readiness_and_compliance`]: the readiness of
//! [`recovery::readiness`] and [`recovery::recovery_compliance`] from one read of the data),
//! computed for each athlete on their own local "today" (their profile's time zone). Rows are
//! computed in parallel (rayon); one athlete whose data cannot be read (e.g. an unknown time
//! zone in the profile) gets a row with `error` set, listed first, and never breaks the squad.
//!
//! # The row
//!
//! - `fitness`, `fatigue`: end of today (they include today's sessions); `form`: this
//!   morning's, yesterday's fitness − fatigue (as `fettle status` shows them).
//! - `acwr`: the uncoupled EWMA 7/28 ratio, `null` for the first 28 days of history or with
//!   almost no chronic load ([`fettle_core::series`]).
//! - `readiness`: today's score (0–100) and its band (the recommendation: `train_hard`, `easy`,
//!   `rest`). `null` when nothing at all is known (no wellness entry and no training history);
//!   the score alone is `null` when only a sick or injured report set the band to `rest`. Also
//!   `null` when nothing was logged in the last [`WELLNESS_RECENT_DAYS`] days (`recent_wellness`
//!   false): a score from training load alone is not a readiness a coach should read as one (an
//!   athlete who stopped training years ago would be "ready to train hard"), so the row says
//!   "no wellness" instead; the load itself is in fitness, fatigue, form and the ACWR.
//! - `recent_wellness`: whether any wellness entry was logged in the last
//!   [`WELLNESS_RECENT_DAYS`] days (today included).
//! - `recovery_compliance`: the share (0–1) of the recovery items prescribed after the
//!   activities of the last [`COMPLIANCE_WINDOW_DAYS`] days that were logged as done, counting
//!   only items already decided ([`recovery::recovery_compliance`]); `null` when none is.
//! - `last_activity`: the local day of the latest activity that started before now.
//!
//! # Attention: who needs a look first
//!
//! A sum of points, each with a reason in words and numbers, so a coach can see why a row is on
//! top. Strong signals (the athlete's own readiness says rest, a load spike) weigh 3, the other
//! warnings 2, softer hints 1:
//!
//! | rule | points |
//! |---|---|
//! | readiness band `rest` (low score, or sick or injured reported) | [`POINTS_READINESS_REST`] |
//! | readiness band `easy` | [`POINTS_READINESS_EASY`] |
//! | ACWR ≥ [`ACWR_HIGH`] (Gabbett 2016's high-risk zone; the `acwr_high` flag is not counted again) | [`POINTS_ACWR_HIGH`] |
//! | ACWR < [`ACWR_LOW`] (below Gabbett's 0.8–1.3 "sweet spot": load well under usual) | [`POINTS_ACWR_LOW`] |
//! | each other risk flag (steep ramp, monotony, weekly distance jump, deep negative form) | [`POINTS_PER_FLAG`] |
//! | form < [`DEEP_NEGATIVE_FORM`] this morning, when the `deep_negative_form` flag (several such mornings) is not raised | [`POINTS_DEEP_FORM`] |
//! | recovery compliance < [`LOW_COMPLIANCE`] | [`POINTS_LOW_COMPLIANCE`] |
//! | no wellness logged in the last [`WELLNESS_RECENT_DAYS`] days (readiness cannot be read) | [`POINTS_NO_WELLNESS`] |
//! | no activity in the last [`INACTIVE_DAYS`] days (or none ever); past two months its age is said in months or years ("last activity 11 years ago") | [`POINTS_INACTIVE`] |
//!
//! Rows are sorted: rows with an error first, then by attention score (highest first), then by
//! name (case-insensitive), then by athlete id.

use std::cmp::Ordering;
use std::collections::HashSet;

use fettle_core::flags::{ACWR_HIGH, DEEP_NEGATIVE_FORM, FlagCode};
use fettle_core::readiness::Recommendation;
use fettle_store::{ActivityFilter, AthleteId, Store};
use jiff::Timestamp;
use jiff::civil::Date;
use rayon::prelude::*;
use serde::Serialize;

pub use crate::recovery::COMPLIANCE_WINDOW_DAYS;
use crate::{AppError, recovery, training};

/// Points when today's readiness band is `rest`.
pub const POINTS_READINESS_REST: u32 = 3;
/// Points when today's readiness band is `easy`.
pub const POINTS_READINESS_EASY: u32 = 1;
/// Points when the ACWR is at or above [`ACWR_HIGH`].
pub const POINTS_ACWR_HIGH: u32 = 3;
/// ACWR below which load is "well under usual": the bottom of Gabbett 2016's 0.8–1.3 range
/// (docs/science.md).
pub const ACWR_LOW: f64 = 0.8;
/// Points when the ACWR is below [`ACWR_LOW`].
pub const POINTS_ACWR_LOW: u32 = 1;
/// Points for each risk flag other than `acwr_high`.
pub const POINTS_PER_FLAG: u32 = 2;
/// Points when this morning's form is below [`DEEP_NEGATIVE_FORM`] without the flag.
pub const POINTS_DEEP_FORM: u32 = 2;
/// Recovery compliance below which a row gets attention: fewer than half of the decided items.
pub const LOW_COMPLIANCE: f64 = 0.5;
/// Points when recovery compliance is below [`LOW_COMPLIANCE`].
pub const POINTS_LOW_COMPLIANCE: u32 = 1;
/// Days without any activity after which a row gets attention (a week: every training plan
/// has sessions in a week, so a silent week is a break, an injury or a device not syncing).
pub const INACTIVE_DAYS: i64 = 7;
/// Points when there was no activity in the last [`INACTIVE_DAYS`] days.
pub const POINTS_INACTIVE: u32 = 1;

/// Days a wellness entry counts as recent (today and the six before: a week, like
/// [`INACTIVE_DAYS`]): without one, the row shows no readiness score.
pub const WELLNESS_RECENT_DAYS: i64 = 7;
/// Points when no wellness was logged in the last [`WELLNESS_RECENT_DAYS`] days.
pub const POINTS_NO_WELLNESS: u32 = 1;

/// A member of the coach's squad, as the accounts know them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SquadMember {
    /// The athlete's data partition.
    pub athlete: AthleteId,
    /// The name to show (e.g. the account's e-mail or display name).
    pub name: String,
}

/// The squad overview.
#[derive(Debug, Clone, Serialize)]
pub struct SquadReport {
    /// The instant the rows describe.
    pub as_of: Timestamp,
    /// Days of the recovery-compliance window ([`COMPLIANCE_WINDOW_DAYS`]).
    pub recovery_compliance_days: i64,
    /// One row per member, who needs attention first (see the module doc).
    pub athletes: Vec<SquadRow>,
}

/// Today's readiness in a row.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SquadReadiness {
    /// 0–100; `null` when only a sick or injured report decided the band.
    pub score: Option<f64>,
    /// The recommendation: `train_hard`, `easy` or `rest`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub band: Recommendation,
}

/// A risk flag in a row.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SquadFlag {
    /// Stable code (`steep_ramp`, `acwr_high`, `monotony_high`, `weekly_distance_jump`,
    /// `deep_negative_form`).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub code: FlagCode,
    /// Plain-language reason with the numbers.
    pub message: String,
}

/// Why a row needs attention: points and their reasons (rows are sorted on them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attention {
    /// Sum of the points of the rules that fired (module doc); 0 = nothing to look at.
    pub score: u32,
    /// One sentence per rule that fired, with its numbers and points.
    pub reasons: Vec<String>,
}

/// One member of the squad on their own local today. Every field but `athlete_id`, `name`,
/// `attention` and `error` is `null` when `error` is set.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SquadRow {
    /// The athlete; read more through `/api/v1/athletes/{athlete_id}/…`.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub athlete_id: AthleteId,
    /// The name given (the member's e-mail address on a server).
    pub name: String,
    /// The athlete's local today (`null` when their data could not be read).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub date: Option<Date>,
    /// Today's readiness, `null` when nothing is known or no wellness is recent.
    pub readiness: Option<SquadReadiness>,
    /// Whether any wellness was logged in the last [`WELLNESS_RECENT_DAYS`] days; without it
    /// the row shows "no wellness" instead of a readiness.
    pub recent_wellness: bool,
    /// Fitness (CTL) at the end of today, load points.
    pub fitness: Option<f64>,
    /// Fatigue (ATL) at the end of today, load points.
    pub fatigue: Option<f64>,
    /// Form (TSB) this morning: yesterday's fitness − fatigue.
    pub form: Option<f64>,
    /// Acute:chronic workload ratio, uncoupled EWMA 7/28 (context, never a verdict:
    /// Impellizzeri et al. 2020); `null` for the first 28 days.
    pub acwr: Option<f64>,
    /// Today's risk flags.
    pub flags: Vec<SquadFlag>,
    /// Share of decided recovery items logged as done over the window, 0–1.
    pub recovery_compliance: Option<f64>,
    /// Local day of the latest activity.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub last_activity: Option<Date>,
    /// Who needs attention first, and why.
    pub attention: Attention,
    /// Why this row could not be computed (such rows are listed first); `null` when it was.
    pub error: Option<String>,
}

/// The squad overview at `now`: one row per member, computed in parallel, sorted with who
/// needs attention first. Fails only when a member is listed twice; an athlete whose data
/// cannot be read gets a row with `error` instead.
pub fn squad(
    store: &dyn Store,
    members: &[SquadMember],
    now: Timestamp,
) -> Result<SquadReport, AppError> {
    assemble(members, now, |member| (now, squad_row(store, member, now)))
}

/// One member's row at `now`; an athlete whose data cannot be read gets a row with `error`.
/// A row depends only on that athlete's data and `now`, so a server may keep rows for a while
/// and hand them to [`assemble`].
///
/// A panic while computing the row (a defect on data nobody foresaw) is caught and becomes that
/// row's error too: one athlete must never take the whole squad down. The causes are fixed
/// where they are found; this is the last resort.
pub fn squad_row(store: &dyn Store, member: &SquadMember, now: Timestamp) -> SquadRow {
    guarded_row(member, || row(store, member, now))
}

/// The row `compute` gives, its error as an error row, and a panic as an error row too (its
/// text stays in the log the panic hook wrote, never in the row a coach reads).
fn guarded_row(
    member: &SquadMember,
    compute: impl FnOnce() -> Result<SquadRow, AppError>,
) -> SquadRow {
    // `AssertUnwindSafe`: after a panic nothing of this computation is used again (the row is
    // replaced by an error row), and the store keeps no state a half-done read could break
    // (reads only; its connection locks recover from poisoning).
    let computed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(compute));
    match computed {
        Ok(Ok(row)) => row,
        Ok(Err(e)) => error_row(member, &e),
        Err(_) => error_row(
            member,
            &AppError::Internal(
                "the program failed on this athlete's data (the server's log has the details)"
                    .to_owned(),
            ),
        ),
    }
}

/// The report of the rows `row_of` gives for each member (in parallel), each with the instant
/// it describes; `as_of` is the oldest of them (`now` for an empty squad). Fails only when a
/// member is listed twice.
pub fn assemble<R>(
    members: &[SquadMember],
    now: Timestamp,
    row_of: R,
) -> Result<SquadReport, AppError>
where
    R: Fn(&SquadMember) -> (Timestamp, SquadRow) + Sync,
{
    let mut seen = HashSet::with_capacity(members.len());
    if let Some(twice) = members.iter().find(|m| !seen.insert(m.athlete)) {
        return Err(AppError::Invalid(format!(
            "athlete {} ({}) is listed twice in the squad: list each member once",
            twice.athlete, twice.name
        )));
    }
    let rows: Vec<(Timestamp, SquadRow)> = members.par_iter().map(&row_of).collect();
    let as_of = rows.iter().map(|(at, _)| *at).min().unwrap_or(now);
    let mut athletes: Vec<SquadRow> = rows.into_iter().map(|(_, row)| row).collect();
    athletes.sort_by(attention_order);
    Ok(SquadReport {
        as_of,
        recovery_compliance_days: COMPLIANCE_WINDOW_DAYS,
        athletes,
    })
}

/// Errors first, then attention score descending, then name (case-insensitive), then id.
fn attention_order(a: &SquadRow, b: &SquadRow) -> Ordering {
    b.error
        .is_some()
        .cmp(&a.error.is_some())
        .then(b.attention.score.cmp(&a.attention.score))
        .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
        .then(a.name.cmp(&b.name))
        .then(a.athlete_id.cmp(&b.athlete_id))
}

fn error_row(m: &SquadMember, e: &AppError) -> SquadRow {
    let message = format!("could not compute this athlete's figures: {e}");
    SquadRow {
        athlete_id: m.athlete,
        name: m.name.clone(),
        date: None,
        readiness: None,
        recent_wellness: false,
        fitness: None,
        fatigue: None,
        form: None,
        acwr: None,
        flags: Vec::new(),
        recovery_compliance: None,
        last_activity: None,
        attention: Attention {
            score: 0,
            reasons: vec![message.clone()],
        },
        error: Some(message),
    }
}

fn row(store: &dyn Store, m: &SquadMember, now: Timestamp) -> Result<SquadRow, AppError> {
    let tz = crate::athlete_time_zone(store, m.athlete)?;
    let today = tz.to_datetime(now).date();
    let status = training::status(store, m.athlete, Some(today), now)?;
    let (readiness, compliance) = recovery::readiness_and_compliance(store, m.athlete, now)?;
    let latest = store.list_activities(
        m.athlete,
        &ActivityFilter {
            to: Some(now),
            limit: Some(1),
            ..ActivityFilter::default()
        },
    )?;
    let last_activity = latest
        .first()
        .map(|s| training::local_date(s.start, s.utc_offset_s, &tz));
    let recent_from = today
        .checked_sub(jiff::Span::new().days(WELLNESS_RECENT_DAYS - 1))
        .unwrap_or(today);
    let recent_wellness = !store.wellness(m.athlete, recent_from, today)?.is_empty();
    // The "no data" branch of the readiness rules is the only one with neither a score nor
    // the sick/injured override (which always says rest). Without recent wellness the score
    // would come from training load alone: not shown (module doc).
    let readiness = match (readiness.score, readiness.recommendation) {
        _ if !recent_wellness => None,
        (None, band) if band != Recommendation::Rest => None,
        (score, band) => Some(SquadReadiness { score, band }),
    };
    let flags: Vec<SquadFlag> = status
        .flags
        .iter()
        .map(|f| SquadFlag {
            code: f.code,
            message: f.message.clone(),
        })
        .collect();
    let mut row = SquadRow {
        athlete_id: m.athlete,
        name: m.name.clone(),
        date: Some(today),
        readiness,
        recent_wellness,
        fitness: Some(status.fitness),
        fatigue: Some(status.fatigue),
        form: Some(status.form),
        acwr: status.acwr,
        flags,
        recovery_compliance: compliance.rate,
        last_activity,
        attention: Attention {
            score: 0,
            reasons: Vec::new(),
        },
        error: None,
    };
    row.attention = attention(&row, &compliance, today);
    Ok(row)
}

/// The attention rules of the module doc, applied to a computed row.
fn attention(row: &SquadRow, compliance: &recovery::ComplianceRate, today: Date) -> Attention {
    let mut score = 0;
    let mut reasons = Vec::new();
    let mut add = |points: u32, why: String| {
        score += points;
        reasons.push(format!("{why} (+{points})"));
    };
    if let Some(r) = &row.readiness {
        let score_text = r
            .score
            .map_or_else(|| "no score".to_string(), |s| format!("score {s:.0}/100"));
        match r.band {
            Recommendation::Rest => add(
                POINTS_READINESS_REST,
                format!("readiness says rest today ({score_text})"),
            ),
            Recommendation::Easy => add(
                POINTS_READINESS_EASY,
                format!("readiness says easy only today ({score_text})"),
            ),
            Recommendation::TrainHard => {}
        }
    }
    if let Some(acwr) = row.acwr {
        if acwr >= ACWR_HIGH {
            add(
                POINTS_ACWR_HIGH,
                format!(
                    "acute:chronic load ratio {acwr:.2} is at or above {ACWR_HIGH} (a load \
                     spike; context, not a verdict)"
                ),
            );
        } else if acwr < ACWR_LOW {
            add(
                POINTS_ACWR_LOW,
                format!(
                    "acute:chronic load ratio {acwr:.2} is below {ACWR_LOW} (load well under usual)"
                ),
            );
        }
    }
    for flag in row.flags.iter().filter(|f| f.code != FlagCode::AcwrHigh) {
        add(
            POINTS_PER_FLAG,
            format!(
                "flag {}: {}",
                flag.code.as_str(),
                first_sentence(&flag.message)
            ),
        );
    }
    let deep_flag = row
        .flags
        .iter()
        .any(|f| f.code == FlagCode::DeepNegativeForm);
    if let Some(form) = row.form.filter(|f| *f < DEEP_NEGATIVE_FORM)
        && !deep_flag
    {
        add(
            POINTS_DEEP_FORM,
            format!(
                "form {form:.0} this morning is below {DEEP_NEGATIVE_FORM:.0} (deeply fatigued)"
            ),
        );
    }
    if let Some(rate) = compliance.rate.filter(|r| *r < LOW_COMPLIANCE) {
        add(
            POINTS_LOW_COMPLIANCE,
            format!(
                "recovery compliance {:.0} % ({} of {} prescribed items logged after {} \
                 activities in the last {COMPLIANCE_WINDOW_DAYS} days) is below {:.0} %",
                rate * 100.0,
                compliance.items_done,
                compliance.items_due,
                compliance.activities,
                LOW_COMPLIANCE * 100.0
            ),
        );
    }
    if !row.recent_wellness {
        add(
            POINTS_NO_WELLNESS,
            format!(
                "no wellness logged in the last {WELLNESS_RECENT_DAYS} days, so no readiness \
                 score"
            ),
        );
    }
    match row.last_activity {
        None => add(POINTS_INACTIVE, "no activity recorded yet".to_string()),
        Some(last) => {
            let days = (today - last).get_days();
            if i64::from(days) >= INACTIVE_DAYS {
                let why = match age_in_words(last, today) {
                    Some(age) => format!(
                        "last activity {age} ago (on {last}; attention after {INACTIVE_DAYS} \
                         days)"
                    ),
                    None => format!(
                        "no activity for {days} days (the last on {last}; attention after \
                         {INACTIVE_DAYS})"
                    ),
                };
                add(POINTS_INACTIVE, why);
            }
        }
    }
    Attention { score, reasons }
}

/// How long ago `last` was, in whole calendar years ("11 years") or months ("3 months") when
/// that is at least two months; `None` for shorter gaps, which read best in days.
fn age_in_words(last: Date, today: Date) -> Option<String> {
    let span = last.until((jiff::Unit::Year, today)).ok()?;
    let (years, months) = (span.get_years(), span.get_months());
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if years >= 1 {
        Some(plural(years.into(), "year"))
    } else if months >= 2 {
        Some(plural(months.into(), "month"))
    } else {
        None
    }
}

/// The first sentence of a flag's message (the numbers; the rest is background).
fn first_sentence(message: &str) -> &str {
    match message.find(". ") {
        Some(i) => &message[..=i],
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: i64, name: &str) -> SquadMember {
        SquadMember {
            athlete: AthleteId(id),
            name: name.to_owned(),
        }
    }

    #[test]
    fn a_panicking_row_becomes_that_rows_error_and_the_squad_stands() {
        let members = [member(1, "broken"), member(2, "fine")];
        let now: Timestamp = "2026-06-10T20:00:00Z".parse().expect("timestamp");
        let report = assemble(&members, now, |m| {
            let row = guarded_row(m, || {
                assert!(m.athlete != AthleteId(1), "secret detail of a defect");
                Err(AppError::NotFound("nothing stored yet".to_owned()))
            });
            (now, row)
        })
        .expect("a report");
        assert_eq!(report.athletes.len(), 2);
        let broken = &report.athletes[0];
        assert_eq!(broken.athlete_id, AthleteId(1), "errors first, by name");
        let message = broken.error.as_deref().expect("an error row");
        assert!(
            message.contains("the program failed on this athlete's data"),
            "{message}"
        );
        assert!(!message.contains("secret"), "{message}");
        let fine = &report.athletes[1];
        assert_eq!(
            fine.error.as_deref(),
            Some("could not compute this athlete's figures: nothing stored yet")
        );
    }
}
