//! Load-risk flags (docs/science.md): plain-language warnings with their source. They
//! inform; they never block anything.
//!
//! | code | raised when | source |
//! |---|---|---|
//! | `steep_ramp` | fitness rose more than [`STEEP_RAMP_POINTS_PER_WEEK`] in 7 days | coaching guidance, ~3–8 points/week sustainable |
//! | `acwr_high` | ACWR ≥ [`ACWR_HIGH`] | Gabbett 2016; caveat Impellizzeri et al. 2020 |
//! | `monotony_high` | monotony > [`MONOTONY_HIGH`] | Foster 1998 |
//! | `weekly_distance_jump` | weekly distance > +[`WEEKLY_DISTANCE_JUMP`] over the highest of the 3 weeks before | Nielsen et al. 2014 |
//! | `deep_negative_form` | form < [`DEEP_NEGATIVE_FORM`] on each of the last [`DEEP_NEGATIVE_FORM_DAYS`] mornings | overreaching guidance |
//!
//! Fitness starts from 0 at the first activity, so in the first [`WARM_UP_DAYS`] of a history
//! every athlete looks like a steep ramp into deep negative form. Those two flags wait for the
//! warm-up; the ACWR waits for its own 28 days ([`crate::series`]).

use serde::{Deserialize, Serialize};

use crate::series::{DayState, WARM_UP_DAYS};

/// Ramp (fitness points per week) above which `steep_ramp` is raised: the upper end of the
/// common coaching guidance of about 3–8 points/week (docs/science.md).
pub const STEEP_RAMP_POINTS_PER_WEEK: f64 = 8.0;
/// ACWR at or above which `acwr_high` is raised (Gabbett 2016, BJSM 50:273: ≥ 1.5 high risk).
pub const ACWR_HIGH: f64 = 1.5;
/// Monotony above which `monotony_high` is raised (Foster 1998).
pub const MONOTONY_HIGH: f64 = 2.0;
/// Relative weekly-distance increase above which `weekly_distance_jump` is raised (Nielsen et
/// al. 2014, JOSPT 44:739: > 30 % linked to distance-related injuries in novices).
pub const WEEKLY_DISTANCE_JUMP: f64 = 0.30;
/// Form below which a morning counts towards `deep_negative_form` (docs/science.md).
pub const DEEP_NEGATIVE_FORM: f64 = -30.0;
/// Consecutive mornings of deep negative form before the flag: "more than a few days".
pub const DEEP_NEGATIVE_FORM_DAYS: usize = 3;

/// The stable identity of a flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagCode {
    /// Fitness rising faster than is commonly sustainable.
    SteepRamp,
    /// Acute:chronic workload ratio ≥ 1.5.
    AcwrHigh,
    /// Training too uniform from day to day.
    MonotonyHigh,
    /// Weekly distance up more than 30 %.
    WeeklyDistanceJump,
    /// Form deeply negative for several days.
    DeepNegativeForm,
}

impl FlagCode {
    /// The stable snake_case code used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            FlagCode::SteepRamp => "steep_ramp",
            FlagCode::AcwrHigh => "acwr_high",
            FlagCode::MonotonyHigh => "monotony_high",
            FlagCode::WeeklyDistanceJump => "weekly_distance_jump",
            FlagCode::DeepNegativeForm => "deep_negative_form",
        }
    }
}

/// One warning: a stable code, a plain-language message with the numbers behind it, and the
/// source of the rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    /// Stable code.
    pub code: FlagCode,
    /// Plain-language reason, with the values that raised it.
    pub message: String,
    /// Where the rule comes from.
    pub source: String,
}

/// The caveat that must reach the user with every ACWR (docs/science.md).
pub const ACWR_CAVEAT: &str = "Impellizzeri et al. 2020 showed the ratio adds little beyond \
     the acute load itself: take it as context, never as the only reason for a decision.";

/// The flags of the last day of `series` (the rows before it are used for runs of days).
/// Empty for an empty series.
pub fn flags_on(series: &[DayState]) -> Vec<Flag> {
    let Some(today) = series.last() else {
        return Vec::new();
    };
    let mut flags = Vec::new();
    let warmed_up = today.history_days > WARM_UP_DAYS;
    if warmed_up && today.ramp > STEEP_RAMP_POINTS_PER_WEEK {
        flags.push(Flag {
            code: FlagCode::SteepRamp,
            message: format!(
                "Fitness rose {:.1} points in the last 7 days; about 3–8 points a week is \
                 commonly sustainable. A warning, not a verdict.",
                today.ramp
            ),
            source: "coaching guidance on ramp rate (Friel, The Training Bible); the ramp's \
                     formula: docs/science.md"
                .to_owned(),
        });
    }
    if let Some(acwr) = today.acwr.filter(|a| *a >= ACWR_HIGH) {
        flags.push(Flag {
            code: FlagCode::AcwrHigh,
            message: format!(
                "Acute:chronic load ratio is {acwr:.2} (7-day vs 28-day average load); 1.5 or \
                 more has been linked to higher injury risk. {ACWR_CAVEAT}"
            ),
            source: "Gabbett 2016, BJSM 50:273; Williams et al. 2017, BJSM 51:209; \
                     Impellizzeri et al. 2020"
                .to_owned(),
        });
    }
    if let Some(monotony) = today.monotony.filter(|m| *m > MONOTONY_HIGH) {
        flags.push(Flag {
            code: FlagCode::MonotonyHigh,
            message: format!(
                "Training monotony is {monotony:.1} over the last 7 days (above 2): days are \
                 too alike; more contrast between hard and easy days lowers strain."
            ),
            source: "Foster 1998".to_owned(),
        });
    }
    if let Some(change) = today
        .week_distance_change
        .filter(|c| *c > WEEKLY_DISTANCE_JUMP)
    {
        flags.push(Flag {
            code: FlagCode::WeeklyDistanceJump,
            message: format!(
                "Running distance over the last 7 days is {:.1} km, {:+.0} % on your highest \
                 week of the three before ({:.1} km); increases above 30 % were linked to \
                 distance-related injuries in novice runners.",
                today.week_distance_m / 1000.0,
                change * 100.0,
                today.reference_week_distance_m / 1000.0
            ),
            source: "Nielsen et al. 2014, JOSPT 44:739".to_owned(),
        });
    }
    let deep_days = series
        .iter()
        .rev()
        .take_while(|d| d.form < DEEP_NEGATIVE_FORM)
        .count();
    if warmed_up && deep_days >= DEEP_NEGATIVE_FORM_DAYS {
        flags.push(Flag {
            code: FlagCode::DeepNegativeForm,
            message: format!(
                "Form has been below −30 for {deep_days} mornings (today {:.0}): a sign of \
                 overreaching. Easier days will let fatigue fall.",
                today.form
            ),
            source: "Meeusen et al. 2013 (Eur J Sport Sci 13:1) on overreaching; the form \
                     zones: docs/science.md"
                .to_owned(),
        });
    }
    flags
}
