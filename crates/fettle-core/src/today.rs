//! One daily decision: "what do I do today?", from one snapshot of the athlete's day.
//!
//! Readiness (this morning's wellness and load against the athlete's own baselines), the
//! recovery time after the latest session, the last hard session and the plan's session for
//! the day each have something to say; [`decide`] weighs them into one [`Verdict`] with its
//! reasons, so every face (CLI, API, dashboard) gives the same answer.
//!
//! # The rule
//!
//! The plan was written weeks ago; this morning was measured today. So the plan is followed
//! unless something measured today says otherwise, and then the measurement wins and the
//! reasons say so:
//!
//! 1. The intensity ceiling is readiness's recommendation (`rest`, `easy`, `train_hard`; sick
//!    or injured is already `rest` there).
//! 2. A recovery time that runs past the end of today lowers the ceiling to easy (form has not
//!    come back to the athlete's hard-session threshold, [`crate::recovery::time`]).
//!    The day of a race and the day after it also cap the ceiling at easy (the recovery advice
//!    prescribes rest or very easy running after racing), whatever readiness says.
//! 3. A planned rest day is kept ([`Verdict::AsPlanned`]). An easy run is kept unless the
//!    ceiling is `rest`. A long run, tempo, intervals or a race needs `train_hard`: a long run
//!    is easy in pace but a load the body must absorb.
//! 4. Under an `easy` ceiling, a planned long, tempo or interval session becomes an easy run of
//!    at most [`EASY_INSTEAD_MIN`] minutes; under `rest`, anything planned becomes rest. The
//!    displaced session is offered a new day ([`Swap`]) — the plan is never changed here.
//! 5. With no plan: `train_hard` becomes [`Verdict::HardOk`] only when this morning's wellness
//!    was logged (form alone never vouches for a hard day); otherwise easy.

use jiff::civil::{Date, Weekday};
use jiff::{Timestamp, ZonedDateTime};
use serde::Serialize;

use crate::classify::Kind;
use crate::plan::{self, SessionKind, Target};
use crate::readiness::{Component, Readiness, Recommendation};

/// The longest easy run offered in place of a displaced session, minutes. Fettle's choice: 40
/// minutes of easy running keeps the routine and the aerobic stimulus without adding fatigue
/// to a body that is already short of recovery (the issue's own example of a good answer).
pub const EASY_INSTEAD_MIN: f64 = 40.0;
/// The longest easy run suggested on the day of a race or the day after, minutes: the
/// recovery advice's "rest or 20–30 min of very easy running" after racing (Meeusen et al.
/// 2013).
pub const AFTER_RACE_EASY_MAX_MIN: f64 = 30.0;
/// A hard session this recent is named among the reasons for going easy, hours. Fettle's
/// choice: two days, the usual spacing between quality sessions.
pub const RECENT_HARD_H: f64 = 48.0;
/// How far ahead a displaced session may move, days (the rest of a training week).
pub const SWAP_HORIZON_DAYS: i64 = 6;
/// Sub-scores below this are named as what pulled readiness down (75 is "as usual").
pub const WEAK_COMPONENT_SCORE: f64 = 60.0;
/// At most this many weak components are named in a reason.
pub const NAMED_COMPONENTS: usize = 3;

/// What to do today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No training today.
    Rest,
    /// Easy running only (instead of what was planned, or with no plan).
    Easy,
    /// Do the plan's session for the day (a planned rest day included).
    AsPlanned,
    /// No plan, and ready for a quality session.
    HardOk,
}

/// The latest hard session (tempo, intervals, race), as classified from what it contained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LastHard {
    /// When it ended.
    pub end: Timestamp,
    /// Its kind.
    pub kind: Kind,
}

/// One snapshot of the athlete's day, everything [`decide`] reads.
#[derive(Debug, Clone, Copy)]
pub struct DayInput<'a> {
    /// The local day decided for.
    pub date: Date,
    /// The moment of the decision, in the athlete's zone.
    pub now: &'a ZonedDateTime,
    /// This morning's readiness.
    pub readiness: &'a Readiness,
    /// The plan's session for the day, when a plan holds the day.
    pub planned: Option<&'a plan::Session>,
    /// The plan's days after `date` (for proposing a new day for a displaced session).
    pub upcoming: &'a [plan::Day],
    /// The latest hard session that ended before now.
    pub last_hard: Option<LastHard>,
    /// When hard training is fine again after the latest session (its recovery time).
    pub next_hard_from: Option<&'a ZonedDateTime>,
}

/// The session to do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggested {
    /// Its kind.
    pub kind: SessionKind,
    /// Short title, e.g. `Easy run 40 min`.
    pub title: String,
    /// How long, minutes (`None` when the athlete chooses).
    pub duration_min: Option<f64>,
    /// What to do, in words.
    pub description: String,
    /// The main part's target (pace, heart rate, effort), when the plan gives one.
    pub target: Option<Target>,
}

/// A proposed new day for a displaced session. Only a proposal: the plan is not changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Swap {
    /// The session displaced (its title in the plan).
    pub session: String,
    /// Its planned day.
    pub from: Date,
    /// The proposed day (a planned easy day), or `None` when the week has no room: skip it.
    pub to: Option<Date>,
    /// The proposal in words.
    pub sentence: String,
}

/// The decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// What to do.
    pub verdict: Verdict,
    /// One sentence.
    pub headline: String,
    /// Why, as sentences; when signals conflict, which one won and why.
    pub reasons: Vec<String>,
    /// The session to do, `None` for rest.
    pub suggested: Option<Suggested>,
    /// The proposed new day for a displaced planned session.
    pub swap: Option<Swap>,
}

/// Whether a planned session needs a body ready for hard work (see the module doc, rule 3).
pub fn demanding(kind: SessionKind) -> bool {
    kind.is_demanding()
}

/// The stable word for a planned session's kind, as the plan's JSON writes it.
pub fn kind_word(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Rest => "rest",
        SessionKind::Easy => "easy run",
        SessionKind::Long => "long run",
        SessionKind::Tempo => "tempo run",
        SessionKind::Intervals => "intervals",
        SessionKind::Race => "race",
        SessionKind::Hard => "hard session",
        SessionKind::Strength => "strength session",
    }
}

/// Decides the day (see the module doc for the rule).
pub fn decide(input: &DayInput<'_>) -> Decision {
    let readiness = input.readiness;
    let has_wellness = readiness
        .components
        .iter()
        .any(|c| !matches!(c.name, "form" | "recent_load"));
    let end_of_day = input
        .date
        .tomorrow()
        .ok()
        .and_then(|d| d.to_zoned_datetime(input.now.time_zone().clone()).ok());
    let recovering_all_day = match (input.next_hard_from, &end_of_day) {
        (Some(from), Some(end)) => from.timestamp() >= end.timestamp(),
        _ => false,
    };
    let hard_later_today = input
        .next_hard_from
        .filter(|from| !recovering_all_day && from.timestamp() > input.now.timestamp());

    let mut ceiling = readiness.recommendation;
    if recovering_all_day {
        ceiling = ceiling.min(Recommendation::Easy);
    }

    // The day of a race and the day after belong to recovery whatever the morning says: the
    // recovery advice prescribes a rest or very easy day after racing (rule 2b).
    let raced_on = input
        .last_hard
        .filter(|hard| hard.kind == Kind::Race)
        .map(|hard| {
            hard.end
                .to_zoned_datetime(input.now.time_zone().clone())
                .date()
        })
        .filter(|race_day| *race_day == input.date || race_day.tomorrow().ok() == Some(input.date));
    if raced_on.is_some() {
        ceiling = ceiling.min(Recommendation::Easy);
    }
    let easy_cap_min = if raced_on.is_some() {
        AFTER_RACE_EASY_MAX_MIN
    } else {
        EASY_INSTEAD_MIN
    };

    // Why the ceiling is below hard, as clauses ("readiness 41 (…)", "your recovery time …").
    let mut why: Vec<String> = Vec::new();
    if readiness.recommendation < Recommendation::TrainHard {
        why.push(readiness_clause(readiness));
    }
    // After a race the recovery time runs at least to the second morning (recovery/time.rs);
    // the race clause below says why, once.
    if recovering_all_day
        && raced_on.is_none()
        && let Some(from) = input.next_hard_from
    {
        why.push(format!(
            "your recovery time after the last session runs until {}",
            when(from)
        ));
    }
    if let Some(race_day) = raced_on {
        why.push(format!(
            "you raced on {race_day}: the day after a race is for rest or 20–30 min of very easy \
             running"
        ));
    } else if let Some(hard) = input.last_hard {
        let hours = input.now.timestamp().duration_since(hard.end).as_secs_f64() / 3600.0;
        if (0.0..RECENT_HARD_H).contains(&hours) && ceiling < Recommendation::TrainHard {
            let ago = if hours < 1.0 {
                "less than an hour ago".to_owned()
            } else {
                format!("{hours:.0} h ago")
            };
            why.push(format!(
                "your last hard session ({}) was {ago}",
                hard.kind.as_str()
            ));
        }
    }

    let mut reasons = Vec::new();
    let (verdict, headline, suggested, swap) = match input.planned {
        Some(session) if session.kind == SessionKind::Rest => {
            reasons.push(
                "The plan has a rest day today; rest is where training turns into fitness."
                    .to_owned(),
            );
            (
                Verdict::AsPlanned,
                "Rest day, as planned.".to_owned(),
                None,
                None,
            )
        }
        Some(session) if !demanding(session.kind) || ceiling == Recommendation::TrainHard => {
            if ceiling == Recommendation::Rest {
                // Even an easy run gives way when the body says rest.
                reasons.push(conflict(session, "rest", &why));
                let swap = propose_swap(input, session);
                (
                    Verdict::Rest,
                    format!(
                        "Rest today instead of the planned {}.",
                        kind_word(session.kind)
                    ),
                    None,
                    swap,
                )
            } else if let Some(race_day) = raced_on.filter(|_| {
                // An easy day planned weeks ago may be longer, or carry strides, than the day
                // after a race allows: it shrinks to the after-race easy run.
                session.duration_s / 60.0 > AFTER_RACE_EASY_MAX_MIN
                    || session
                        .parts
                        .iter()
                        .any(|p| p.target.zone != plan::Zone::Easy)
            }) {
                let easy = easy_instead(Some(session), easy_cap_min);
                reasons.push(format!(
                    "Planned: {}. Today: {} instead — you raced on {race_day}: the day after a \
                     race is for rest or 20–30 min of very easy running, so the plan's day is \
                     shortened.",
                    session.title,
                    easy.title.to_lowercase()
                ));
                (
                    Verdict::Easy,
                    format!(
                        "{} today instead of the planned {}.",
                        easy.title, session.title
                    ),
                    Some(easy),
                    None,
                )
            } else {
                reasons.push(agreement(session, readiness, has_wellness, ceiling));
                if let Some(from) = hard_later_today.filter(|_| demanding(session.kind)) {
                    reasons.push(format!(
                        "Start it after {} — before then your form is not back at your \
                         hard-session threshold.",
                        when(from)
                    ));
                }
                (
                    Verdict::AsPlanned,
                    format!("As planned: {}.", session.title),
                    Some(from_plan(session)),
                    None,
                )
            }
        }
        Some(session) => {
            let swap = propose_swap(input, session);
            if ceiling == Recommendation::Rest {
                reasons.push(conflict(session, "rest", &why));
                (
                    Verdict::Rest,
                    format!(
                        "Rest today instead of the planned {}.",
                        kind_word(session.kind)
                    ),
                    None,
                    swap,
                )
            } else {
                let easy = easy_instead(Some(session), easy_cap_min);
                reasons.push(conflict(session, &easy.title.to_lowercase(), &why));
                (
                    Verdict::Easy,
                    format!(
                        "{} today instead of the planned {}.",
                        easy.title,
                        kind_word(session.kind)
                    ),
                    Some(easy),
                    swap,
                )
            }
        }
        None => match ceiling {
            Recommendation::Rest => {
                reasons.push(format!("Rest today: {}.", join_clauses(&why)));
                (Verdict::Rest, "Rest today.".to_owned(), None, None)
            }
            Recommendation::Easy => {
                reasons.push(format!("Easy today: {}.", join_clauses(&why)));
                let easy = easy_instead(None, easy_cap_min);
                (
                    Verdict::Easy,
                    format!("{} today.", easy.title),
                    Some(easy),
                    None,
                )
            }
            Recommendation::TrainHard if has_wellness => {
                reasons.push(format!(
                    "No plan for today, and you are ready for quality: {}.",
                    score_words(readiness)
                ));
                if let Some(from) = hard_later_today {
                    reasons.push(format!(
                        "Start it after {} — before then your form is not back at your \
                         hard-session threshold.",
                        when(from)
                    ));
                }
                (
                    Verdict::HardOk,
                    "Ready for a quality session today (no plan for the day).".to_owned(),
                    Some(Suggested {
                        kind: SessionKind::Tempo,
                        title: "Quality session".to_owned(),
                        duration_min: None,
                        description: "A tempo run or intervals of your choice, with an easy \
                                      warm-up and cool-down."
                            .to_owned(),
                        target: None,
                    }),
                    None,
                )
            }
            Recommendation::TrainHard => {
                reasons.push(
                    "No plan for today and no wellness logged this morning: training load \
                     alone cannot vouch for a hard day, so go easy — log this morning's sleep, \
                     soreness and HRV to know whether you are ready for quality."
                        .to_owned(),
                );
                let easy = easy_instead(None, easy_cap_min);
                (
                    Verdict::Easy,
                    format!("{} today.", easy.title),
                    Some(easy),
                    None,
                )
            }
        },
    };
    if let Some(swap) = &swap {
        reasons.push(swap.sentence.clone());
    }
    if !has_wellness && input.planned.is_some() {
        reasons.push(
            "No wellness logged this morning: this follows the plan and your training load; \
             log sleep, soreness and HRV to let your body have its say."
                .to_owned(),
        );
    }
    Decision {
        verdict,
        headline,
        reasons,
        suggested,
        swap,
    }
}

/// "Planned: intervals. Today: easy run 40 min instead — readiness 41 (…); the plan gives way
/// because …".
fn conflict(session: &plan::Session, today: &str, why: &[String]) -> String {
    format!(
        "Planned: {}. Today: {today} instead — {}. What you measured this morning wins over a \
         plan written weeks ago.",
        kind_word(session.kind),
        join_clauses(why)
    )
}

fn agreement(
    session: &plan::Session,
    readiness: &Readiness,
    has_wellness: bool,
    ceiling: Recommendation,
) -> String {
    if demanding(session.kind) && has_wellness {
        format!(
            "Planned: {}. Your body agrees: {}.",
            kind_word(session.kind),
            score_words(readiness)
        )
    } else if ceiling < Recommendation::TrainHard {
        format!(
            "Planned: {}, already easy — fine on a morning like this ({}).",
            kind_word(session.kind),
            readiness_clause(readiness)
        )
    } else {
        format!("Planned: {}.", kind_word(session.kind))
    }
}

fn score_words(readiness: &Readiness) -> String {
    match readiness.score {
        Some(score) => {
            format!("readiness {score:.0} (75 is your usual morning, 70 or more allows hard work)")
        }
        None => "readiness has no score".to_owned(),
    }
}

/// "readiness 41 (HRV 12 % below your baseline, slept 5.0 h)", or the readiness reason when
/// there is no score (sick, injured, no data).
fn readiness_clause(readiness: &Readiness) -> String {
    let weak = weak_components(&readiness.components);
    match readiness.score {
        Some(score) if !weak.is_empty() => format!("readiness {score:.0} ({})", weak.join(", ")),
        Some(score) => format!("readiness {score:.0}"),
        None => readiness
            .reasons
            .first()
            .cloned()
            .unwrap_or_else(|| "readiness cannot be scored".to_owned()),
    }
}

/// The components that pulled the score down most, in words.
fn weak_components(components: &[Component]) -> Vec<String> {
    let mut weak: Vec<&Component> = components
        .iter()
        .filter(|c| c.score < WEAK_COMPONENT_SCORE)
        .collect();
    weak.sort_by(|a, b| {
        let pull = |c: &Component| c.weight * (75.0 - c.score);
        pull(b).total_cmp(&pull(a))
    });
    weak.into_iter()
        .take(NAMED_COMPONENTS)
        .map(describe)
        .collect()
}

/// One component in a runner's words.
fn describe(c: &Component) -> String {
    let usually = |digits: usize| {
        c.baseline
            .map(|b| format!(" (usually {b:.digits$})"))
            .unwrap_or_default()
    };
    match c.name {
        "hrv" => match c.baseline {
            // ln rMSSD: the difference of logs is the ratio of the values.
            Some(b) => {
                let pct = ((c.value - b).exp() - 1.0) * 100.0;
                if pct < 0.0 {
                    format!("HRV {:.0} % below your baseline", -pct)
                } else {
                    format!("HRV {pct:.0} % above your baseline")
                }
            }
            None => "HRV low".to_owned(),
        },
        "resting_hr" => format!("resting heart rate {:.0} bpm{}", c.value, usually(0)),
        "sleep" => format!("slept {:.1} h (target 8)", c.value),
        "sleep_quality" => format!("sleep quality {:.0}/5{}", c.value, usually(1)),
        "soreness" => format!("soreness {:.0}/5{}", c.value, usually(1)),
        "fatigue" => format!("fatigue {:.0}/5{}", c.value, usually(1)),
        "stress" => format!("stress {:.0}/5{}", c.value, usually(1)),
        "mood" => format!("mood {:.0}/5{}", c.value, usually(1)),
        "form" => format!("form {:.0}{}", c.value, usually(0)),
        "recent_load" => format!("fatigue at {:.2}× your fitness{}", c.value, usually(2)),
        other => format!("{other} {:.1}", c.value),
    }
}

fn join_clauses(why: &[String]) -> String {
    match why {
        [] => "the signals say so".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The planned session as the one to do.
fn from_plan(session: &plan::Session) -> Suggested {
    let main = session
        .parts
        .iter()
        .max_by(|a, b| a.duration_s.total_cmp(&b.duration_s));
    Suggested {
        kind: session.kind,
        title: session.title.clone(),
        duration_min: Some(session.duration_s / 60.0),
        description: session.description.clone(),
        target: main.map(|p| p.target.clone()),
    }
}

/// An easy run in place of `planned` (its easy-zone target, when the plan gives one), at most
/// [`EASY_INSTEAD_MIN`] minutes.
fn easy_instead(planned: Option<&plan::Session>, cap_min: f64) -> Suggested {
    let minutes = planned
        .map(|s| s.duration_s / 60.0)
        .filter(|m| m.is_finite() && *m > 0.0)
        .map_or(cap_min, |m| m.min(cap_min))
        .round();
    let target = planned.and_then(|s| {
        s.parts
            .iter()
            .find(|p| p.target.zone == plan::Zone::Easy)
            .map(|p| p.target.clone())
    });
    Suggested {
        kind: SessionKind::Easy,
        title: format!("Easy run {minutes:.0} min"),
        duration_min: Some(minutes),
        description: "Conversational pace (effort 2–3 of 10); stop early if you feel worse."
            .to_owned(),
        target,
    }
}

/// A new day for a displaced demanding session: the first planned easy day within
/// [`SWAP_HORIZON_DAYS`] with no demanding session on the day before or after it (two hard days
/// in a row would undo the point of moving it). A race is never moved.
fn propose_swap(input: &DayInput<'_>, session: &plan::Session) -> Option<Swap> {
    if !demanding(session.kind) {
        return None;
    }
    let word = kind_word(session.kind);
    if session.kind == SessionKind::Race {
        return Some(Swap {
            session: session.title.clone(),
            from: input.date,
            to: None,
            sentence: "A race cannot be moved: if you are sick or injured, do not start; \
                       otherwise decide at the start line and run it by feel."
                .to_owned(),
        });
    }
    let horizon = input
        .date
        .checked_add(jiff::Span::new().days(SWAP_HORIZON_DAYS))
        .unwrap_or(input.date);
    let days: Vec<&plan::Day> = input
        .upcoming
        .iter()
        .filter(|d| d.date > input.date && d.date <= horizon)
        .collect();
    let demanding_on = |date: Date| {
        days.iter()
            .any(|d| d.date == date && demanding(d.session.kind))
    };
    // The day after tomorrow at the earliest: tomorrow the body is the one that was not ready today.
    let to = days
        .iter()
        .filter(|d| d.session.kind == SessionKind::Easy)
        .filter(|d| d.date > input.date.tomorrow().unwrap_or(input.date))
        .find(|d| {
            !d.date.yesterday().is_ok_and(demanding_on)
                && !d.date.tomorrow().is_ok_and(demanding_on)
        })
        .map(|d| d.date);
    let sentence = match to {
        Some(day) => format!(
            "Proposal: move the {word} to {} {day} (an easy day in the plan) — the plan itself \
             is unchanged until you accept.",
            weekday_name(day.weekday())
        ),
        None => format!(
            "Proposal: skip the {word} this week rather than squeezing it next to another hard \
             day — the plan itself is unchanged."
        ),
    };
    Some(Swap {
        session: session.title.clone(),
        from: input.date,
        to,
        sentence,
    })
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

/// "Tuesday 14:00".
fn when(z: &ZonedDateTime) -> String {
    format!("{} {}", weekday_name(z.weekday()), z.strftime("%H:%M"))
}

#[cfg(test)]
mod tests;
