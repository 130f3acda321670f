//! Recovery time after an activity and "next hard session from …" (docs/science.md).
//!
//! Definition (also returned as [`RecoveryTime::definition`]): the time, from the end of the
//! activity, until form (fitness − fatigue), projected forward with no further training using
//! the same exponential decay as the fitness/fatigue series, is back at or above the athlete's
//! form threshold for a hard session ([`personal_form_threshold`]: their usual morning form
//! less one spread, at most −10); then lengthened by today's readiness (×1 train hard,
//! ×1.25 easy, ×1.5 rest) and capped at 96 hours as commercial watches do.
//!
//! While the series warms up (fewer than [`crate::series::WARM_UP_DAYS`] days of history)
//! fitness and fatigue rest partly on a seed, and form alone must not decide: the time is then
//! also capped by what the session was ([`warm_up_cap_h`]), and the output says so.

use crate::readiness::Recommendation;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use serde::Serialize;

/// Longest recovery time reported, hours (commercial watches cap at about four days;
/// docs/science.md).
pub const RECOVERY_CAP_H: f64 = 96.0;
/// Default form threshold for a hard session, load points. Fettle's choice: −10 is inside the
/// usual "productive training" range of the form chart; a personal value should replace it.
pub const DEFAULT_HARD_SESSION_FORM_THRESHOLD: f64 = -10.0;
/// The hard-session form threshold for an athlete: their usual morning form less one spread
/// (what readiness calls an unusual morning, [`crate::readiness::TypicalLoad`]), but never
/// above [`DEFAULT_HARD_SESSION_FORM_THRESHOLD`]. A runner whose ordinary training keeps form
/// near −15 is not "unrecovered" at −12; without enough history the default applies.
pub fn personal_form_threshold(typical: Option<&crate::readiness::TypicalLoad>) -> f64 {
    typical
        .map(|t| t.form_median - t.form_spread)
        .filter(|v| v.is_finite())
        .map_or(DEFAULT_HARD_SESSION_FORM_THRESHOLD, |v| {
            v.min(DEFAULT_HARD_SESSION_FORM_THRESHOLD)
        })
}

/// Multiplier on the recovery time when readiness says easy. Fettle's choice.
pub const READINESS_EASY_FACTOR: f64 = 1.25;
/// Multiplier on the recovery time when readiness says rest. Fettle's choice.
pub const READINESS_REST_FACTOR: f64 = 1.5;

/// Longest recovery time while the series warms up, hours, by what the session was: a
/// recovery or easy run leaves you ready for a hard session the next day, a long run or
/// threshold work within two days, a race within three (the usual coaching guidance of "no
/// hard session for 2–3 days after a race"). Fettle's choices.
pub fn warm_up_cap_h(kind: Option<crate::classify::Kind>) -> f64 {
    use crate::classify::Kind;
    match kind {
        Some(Kind::Recovery) => 12.0,
        Some(Kind::Easy) | None => 24.0,
        Some(Kind::Long) => 36.0,
        Some(Kind::Tempo | Kind::Intervals) => 48.0,
        Some(Kind::Race) => 72.0,
    }
}

/// The inputs, all plain numbers from the series (load points, per-day decay constants).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecoveryTimeInput {
    /// When the activity ended.
    pub activity_end: Timestamp,
    /// Fitness (CTL) including the activity.
    pub fitness: f64,
    /// Fatigue (ATL) including the activity.
    pub fatigue: f64,
    /// Fitness decay constant per day, λ = 1 − e^(−1/42) with the usual convention.
    pub lambda_fitness: f64,
    /// Fatigue decay constant per day, λ = 1 − e^(−1/7) with the usual convention.
    pub lambda_fatigue: f64,
    /// Form at or above which a hard session is fine (e.g.
    /// [`DEFAULT_HARD_SESSION_FORM_THRESHOLD`]).
    pub form_threshold: f64,
    /// Today's readiness recommendation, when known.
    pub readiness: Option<Recommendation>,
    /// While the series warms up: the longest time the session itself justifies
    /// ([`warm_up_cap_h`]); `None` once the history is long enough.
    pub warm_up_cap_h: Option<f64>,
    /// Whether the activity was a race: the next hard session is then not before the second
    /// morning after it ([`after_race_floor`]), whatever form says.
    pub after_race: bool,
}

/// The earliest hard session after a race that ended at `race_end`: local midnight starting
/// the second day after the race day. The day after a race is for rest or 20–30 minutes of
/// very easy running (the recovery advice and the daily decision say so: Meeusen et al. 2013,
/// docs/science.md); a short race can bring form back above the threshold within hours, and
/// "hard session from tonight" would contradict that advice.
pub fn after_race_floor(race_end: Timestamp, tz: &TimeZone) -> Option<ZonedDateTime> {
    race_end
        .to_zoned_datetime(tz.clone())
        .date()
        .tomorrow()
        .ok()?
        .tomorrow()
        .ok()?
        .to_zoned_datetime(tz.clone())
        .ok()
}

/// Recovery time and when the next hard session can be done.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecoveryTime {
    /// Hours from the end of the activity (after the readiness factor and the cap).
    pub hours: f64,
    /// Hours from form alone, before the readiness factor and the cap.
    pub hours_from_form: f64,
    /// Whether the cap shortened the value.
    pub capped: bool,
    /// Whether the value is provisional (the series is still warming up and the session's own
    /// cap applied).
    pub provisional: bool,
    /// Next hard session from this local instant (RFC 3339 with the athlete's offset).
    #[serde(serialize_with = "crate::recovery::serialize_rfc3339")]
    pub next_hard_session_from: ZonedDateTime,
    /// What the number means, for the output.
    pub definition: &'static str,
}

/// The definition stated with every recovery time.
pub const RECOVERY_TIME_DEFINITION: &str = "Recovery time = hours from the end of the activity \
until form (fitness − fatigue), projected forward with no further training, is back at or \
above your hard-session threshold (your usual morning form less its usual spread, at most \
−10); ×1.25 if today's readiness says easy, ×1.5 if rest; capped at 96 h; after a race, not \
before the second morning after it. \"Next hard session from\" is the end of the activity plus \
that time, in your local time.";

/// The definition while the series warms up.
pub const RECOVERY_TIME_DEFINITION_WARM_UP: &str = "Recovery time = hours from the end of the \
activity until form (fitness − fatigue), projected forward with no further training, is back at \
or above your hard-session threshold (−10 until your usual form is known); ×1.25 if today's \
readiness says easy, ×1.5 if rest. Your training history is still short, so fitness and form \
are provisional: the time is also capped by what the session was (12 h after a recovery run, \
24 h after an easy run, 36 h after a long run, 48 h after threshold or interval work, 72 h \
after a race) and, after a race, not before the second morning after it. \"Next hard session \
from\" is the end of the activity plus that time, in your local time.";

/// Computes the recovery time. Form is projected continuously: after t days without training,
/// fitness·(1 − λc)^t − fatigue·(1 − λa)^t; the first t (searched in 0.1 h steps up to the cap)
/// at which it reaches the threshold is the answer. Non-finite inputs or decay constants
/// outside (0, 1) give the cap (nothing trustworthy to shorten it).
pub fn recovery_time(input: &RecoveryTimeInput, tz: &TimeZone) -> RecoveryTime {
    let valid = [input.fitness, input.fatigue, input.form_threshold]
        .iter()
        .all(|v| v.is_finite())
        && (0.0..1.0).contains(&input.lambda_fitness)
        && input.lambda_fitness > 0.0
        && (0.0..1.0).contains(&input.lambda_fatigue)
        && input.lambda_fatigue > 0.0;
    let hours_from_form = if valid {
        let keep_c = (1.0 - input.lambda_fitness).ln();
        let keep_a = (1.0 - input.lambda_fatigue).ln();
        let form_at = |h: f64| {
            let t = h / 24.0;
            input.fitness * (keep_c * t).exp() - input.fatigue * (keep_a * t).exp()
        };
        let step = 0.1;
        let mut h = 0.0;
        loop {
            if form_at(h) >= input.form_threshold || h >= RECOVERY_CAP_H {
                break h.min(RECOVERY_CAP_H);
            }
            h += step;
        }
    } else {
        RECOVERY_CAP_H
    };
    let factor = match input.readiness {
        Some(Recommendation::Rest) => READINESS_REST_FACTOR,
        Some(Recommendation::Easy) => READINESS_EASY_FACTOR,
        Some(Recommendation::TrainHard) | None => 1.0,
    };
    let adjusted = hours_from_form * factor;
    let warm_up_cap = input
        .warm_up_cap_h
        .filter(|c| c.is_finite() && *c >= 0.0)
        .map_or(RECOVERY_CAP_H, |c| c.min(RECOVERY_CAP_H));
    let by_form = adjusted.min(warm_up_cap);
    let whole_minutes = (by_form * 60.0).round() as i64;
    let by_form_next = input
        .activity_end
        .saturating_add(SignedDuration::from_mins(whole_minutes))
        .unwrap_or(input.activity_end)
        .to_zoned_datetime(tz.clone());
    // After a race the second morning is the floor, shown exactly (not rounded to minutes).
    let (hours, next) = match input
        .after_race
        .then(|| after_race_floor(input.activity_end, tz))
        .flatten()
    {
        Some(floor) if floor.timestamp() > by_form_next.timestamp() => {
            let floor_h = floor
                .timestamp()
                .duration_since(input.activity_end)
                .as_secs_f64()
                / 3600.0;
            (floor_h, floor)
        }
        _ => (by_form, by_form_next),
    };
    RecoveryTime {
        hours,
        hours_from_form,
        capped: adjusted > RECOVERY_CAP_H,
        provisional: input.warm_up_cap_h.is_some(),
        next_hard_session_from: next,
        definition: if input.warm_up_cap_h.is_some() {
            RECOVERY_TIME_DEFINITION_WARM_UP
        } else {
            RECOVERY_TIME_DEFINITION
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(fitness: f64, fatigue: f64, readiness: Option<Recommendation>) -> RecoveryTimeInput {
        RecoveryTimeInput {
            activity_end: "2026-03-01T09:00:00Z".parse().unwrap(),
            fitness,
            fatigue,
            lambda_fitness: 1.0 - (-1.0f64 / 42.0).exp(),
            lambda_fatigue: 1.0 - (-1.0f64 / 7.0).exp(),
            form_threshold: -10.0,
            readiness,
            warm_up_cap_h: None,
            after_race: false,
        }
    }

    #[test]
    fn already_fresh_means_zero_hours() {
        let r = recovery_time(&input(50.0, 45.0, None), &TimeZone::UTC);
        assert_eq!(r.hours, 0.0);
        assert!(!r.capped);
    }

    #[test]
    fn hours_match_the_closed_form_decay() {
        // fitness 50, fatigue 80, threshold −10: solve 50·e^(−t/42) − 80·e^(−t/7) = −10.
        // (1 − λ) = e^(−1/N), so the decay is e^(−t/N). Independent check (Python, 100
        // bisection steps on [0, 10] days): t = 2.33681 days = 56.08 h.
        let r = recovery_time(&input(50.0, 80.0, None), &TimeZone::UTC);
        assert!((r.hours - 56.08).abs() < 0.15, "{}", r.hours);
        // Next hard session from 09:00Z + 56.08 h ≈ 2026-03-03T17:05Z.
        let local = r.next_hard_session_from.timestamp();
        let expected: Timestamp = "2026-03-03T17:05:00Z".parse().unwrap();
        assert!(local.duration_since(expected).as_secs().abs() <= 10 * 60);
        assert!(r.definition.contains("form"));
    }

    #[test]
    fn readiness_lengthens_and_cap_holds() {
        let base = recovery_time(&input(50.0, 80.0, None), &TimeZone::UTC).hours;
        let easy = recovery_time(
            &input(50.0, 80.0, Some(Recommendation::Easy)),
            &TimeZone::UTC,
        );
        assert!((easy.hours - 1.25 * base).abs() < 1e-9);
        let deep = recovery_time(
            &input(40.0, 200.0, Some(Recommendation::Rest)),
            &TimeZone::UTC,
        );
        assert_eq!(deep.hours, RECOVERY_CAP_H);
        assert!(deep.capped);
    }

    #[test]
    fn next_hard_session_is_shown_with_the_local_offset() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let r = recovery_time(&input(50.0, 80.0, None), &tz);
        let json = serde_json::to_value(&r).unwrap();
        let s = json["next_hard_session_from"].as_str().unwrap();
        assert!(s.ends_with("+01:00"), "{s}");
    }

    #[test]
    fn during_warm_up_the_session_caps_the_time() {
        // A new athlete after a 1-hour interval session: fitness 5, fatigue 30 (zero-seeded
        // numbers). By form alone: at 4 days 5·e^(−4/42) − 30·e^(−4/7) = 4.55 − 16.95 = −12.4,
        // still under −10, so the 96-h cap. The session's own cap: 48 h.
        let mut i = input(5.0, 30.0, None);
        assert_eq!(recovery_time(&i, &TimeZone::UTC).hours, RECOVERY_CAP_H);
        i.warm_up_cap_h = Some(warm_up_cap_h(Some(crate::classify::Kind::Intervals)));
        let r = recovery_time(&i, &TimeZone::UTC);
        assert_eq!(r.hours, 48.0);
        assert!(r.provisional);
        assert!(r.definition.contains("provisional"));
        // After an easy hour: at most 24 h.
        i.warm_up_cap_h = Some(warm_up_cap_h(Some(crate::classify::Kind::Easy)));
        assert_eq!(recovery_time(&i, &TimeZone::UTC).hours, 24.0);
        // A smaller form-based time stands.
        let mut fresh = input(50.0, 45.0, None);
        fresh.warm_up_cap_h = Some(24.0);
        assert_eq!(recovery_time(&fresh, &TimeZone::UTC).hours, 0.0);
    }

    #[test]
    fn the_form_threshold_follows_the_athletes_usual_form() {
        let typical = |median, spread| crate::readiness::TypicalLoad {
            days: 60,
            form_median: median,
            form_spread: spread,
            ratio_median: None,
            ratio_spread: None,
        };
        // Usual form −12 ± 6: hard sessions from −18 (one spread under the usual).
        assert_eq!(personal_form_threshold(Some(&typical(-12.0, 6.0))), -18.0);
        // A fresh-running athlete (median +2 ± 5 → −3) keeps the default −10.
        assert_eq!(personal_form_threshold(Some(&typical(2.0, 5.0))), -10.0);
        assert_eq!(personal_form_threshold(None), -10.0);
    }

    #[test]
    fn after_a_race_hard_waits_for_the_second_morning() {
        // A 5 km race ending 2026-03-01 09:00 in London (UTC+0 in March before the change)
        // by a fit athlete: form alone says fresh at once (fitness 50, fatigue 45: 0 h).
        let mut i = input(50.0, 45.0, None);
        let tz = TimeZone::get("Europe/London").unwrap();
        assert_eq!(recovery_time(&i, &tz).hours, 0.0);
        // As a race: not before 2026-03-03 00:00 local, 39 h after 09:00 on the 1st.
        i.after_race = true;
        let r = recovery_time(&i, &tz);
        assert!((r.hours - 39.0).abs() < 1e-9, "{}", r.hours);
        assert_eq!(
            r.next_hard_session_from.datetime(),
            jiff::civil::date(2026, 3, 3).at(0, 0, 0, 0)
        );
        // A longer form-based time stands (fitness 50, fatigue 80: 56 h > 39 h).
        let mut deep = input(50.0, 80.0, None);
        deep.after_race = true;
        assert!((recovery_time(&deep, &tz).hours - 56.08).abs() < 0.15);
        assert!(r.definition.contains("after a race"));
    }

    #[test]
    fn nonsense_inputs_give_the_cap_not_a_panic() {
        let mut i = input(f64::NAN, 80.0, None);
        assert_eq!(recovery_time(&i, &TimeZone::UTC).hours, RECOVERY_CAP_H);
        i = input(50.0, 80.0, None);
        i.lambda_fatigue = 1.5;
        assert_eq!(recovery_time(&i, &TimeZone::UTC).hours, RECOVERY_CAP_H);
    }
}
