//! The forecast of fitness, fatigue and form through race day, and race-time predictions.

use super::build::State;
use super::sessions::format_duration;
use super::{ForecastPoint, MAX_VDOT_GAIN_PER_WEEK, PlanRequest, Predictions, Week};
use crate::performance::{
    VdotEvidence, VdotSource, fraction_vo2max, race_time_for_vdot, riegel, vdot,
};

/// Threshold pace is the pace held for about an hour (docs/science.md), minutes.
const THRESHOLD_EFFORT_MIN: f64 = 60.0;
/// Oxygen-cost polynomial of Daniels & Gilbert, `VO2 = C0 + C1·v + C2·v²` (v in m/min).
const VO2_C0: f64 = -4.60;
/// Linear coefficient.
const VO2_C1: f64 = 0.182258;
/// Quadratic coefficient.
const VO2_C2: f64 = 0.000104;

/// The speed (m/s) a runner of VDOT `v` holds for an hour: solves
/// `VO2(speed) = v · %VO2max(60 min)` for the speed (the quadratic's positive root).
pub(super) fn threshold_speed_for_vdot(v: f64) -> f64 {
    let vo2 = v * fraction_vo2max(THRESHOLD_EFFORT_MIN);
    let m_per_min =
        (-VO2_C1 + (VO2_C1 * VO2_C1 + 4.0 * VO2_C2 * (vo2 - VO2_C0)).sqrt()) / (2.0 * VO2_C2);
    m_per_min / 60.0
}

/// Predictions and, when the goal is out of reach, the plain warning saying so.
pub(super) fn predictions(
    req: &PlanRequest,
    threshold_speed: f64,
    pace_known: bool,
    weeks_to_race: f64,
) -> (Predictions, Option<String>) {
    let d = req.race_distance_m;
    // Riegel runs from the threshold pace itself when the athlete has one, so that it stays an
    // independent second opinion when the paces come from a race VDOT.
    let riegel_speed = req
        .thresholds
        .threshold_pace_s_per_km
        .map_or(threshold_speed, |p| 1000.0 / p);
    let hour_m = riegel_speed * THRESHOLD_EFFORT_MIN * 60.0;
    let current_vdot = req.thresholds.current_vdot.or_else(|| {
        pace_known
            .then(|| vdot(hour_m, THRESHOLD_EFFORT_MIN * 60.0))
            .flatten()
    });
    let goal_vdot = req.goal_time_s.and_then(|t| vdot(d, t));
    let reachable_vdot = current_vdot.map(|v| v + MAX_VDOT_GAIN_PER_WEEK * weeks_to_race);
    let vdot_time_s = current_vdot.and_then(|v| race_time_for_vdot(v, d));
    let reachable_time_s = reachable_vdot.and_then(|v| race_time_for_vdot(v, d));
    let riegel_time_s = pace_known.then(|| riegel(THRESHOLD_EFFORT_MIN * 60.0, hour_m, d));
    let model_time_s = req
        .model_race_day_vdot
        .and_then(|v| race_time_for_vdot(v, d));
    let vdot_evidence = match (req.thresholds.vdot_evidence, current_vdot) {
        (Some(e), _) => Some(e),
        (None, Some(v)) if req.thresholds.current_vdot.is_none() => Some(VdotEvidence {
            source: VdotSource::ThresholdPace,
            vdot: v,
            raw_vdot: v,
            date: None,
            distance_m: hour_m,
            time_s: THRESHOLD_EFFORT_MIN * 60.0,
        }),
        _ => None,
    };
    let lead_time_s = vdot_time_s.or(riegel_time_s);
    let explanation = explain(
        vdot_evidence.as_ref(),
        lead_time_s,
        riegel_time_s
            .filter(|_| vdot_evidence.is_some_and(|e| e.source != VdotSource::ThresholdPace)),
        reachable_time_s,
        model_time_s,
    );

    let mut warning = None;
    let realistic_goal = match (req.goal_time_s, goal_vdot, reachable_vdot) {
        (Some(goal), Some(g), Some(r)) if g > r => {
            let best = reachable_time_s.unwrap_or(goal);
            warning = Some(format!(
                "The goal of {} needs a VDOT of {g:.1}; your current VDOT is about {:.1} and about {r:.1} is realistic by race day, which predicts {}. The plan trains you from where you are and sets the race pace for {}.",
                format_duration(goal),
                current_vdot.unwrap_or(r),
                format_duration(best),
                format_duration(best)
            ));
            Some(best)
        }
        (Some(goal), _, _) => Some(goal),
        _ => None,
    };
    // Race pace: the (realistic) goal, else the personal model, else today's VDOT, else Riegel
    // from the threshold (default or given).
    let target_time_s = realistic_goal
        .or(model_time_s)
        .or(vdot_time_s)
        .unwrap_or_else(|| riegel(THRESHOLD_EFFORT_MIN * 60.0, hour_m, d));
    (
        Predictions {
            current_vdot,
            goal_vdot,
            reachable_vdot,
            vdot_time_s,
            reachable_time_s,
            riegel_time_s,
            model_time_s,
            target_time_s,
            vdot_evidence,
            lead_time_s,
            explanation,
        },
        warning,
    )
}

/// One sentence or a few: what the lead prediction rests on, and why each other prediction
/// differs from it.
fn explain(
    evidence: Option<&VdotEvidence>,
    lead: Option<f64>,
    riegel_from_threshold: Option<f64>,
    reachable: Option<f64>,
    model: Option<f64>,
) -> String {
    let (Some(lead), Some(e)) = (lead, evidence) else {
        return "No race, time trial or threshold pace is known, so no race time is predicted; \
                enter a recent race with `fettle race add` for paces and a prediction."
            .to_owned();
    };
    let mut out = match e.source {
        VdotSource::Race | VdotSource::TimeTrial => {
            let what = if e.source == VdotSource::Race {
                "race"
            } else {
                "time trial"
            };
            let discount = if e.raw_vdot - e.vdot > 0.05 {
                format!(
                    ", counted as {:.1} because it is more than 4 weeks old",
                    e.vdot
                )
            } else {
                String::new()
            };
            format!(
                "Predicted time {} from your {what} of {:.1} km in {}{} (VDOT {:.1}{discount}; Daniels & Gilbert): a recent race is the best evidence of what you can run now.",
                format_duration(lead),
                e.distance_m / 1000.0,
                format_duration(e.time_s),
                e.date.map(|d| format!(" on {d}")).unwrap_or_default(),
                e.raw_vdot,
            )
        }
        VdotSource::ThresholdPace => format!(
            "Predicted time {} from your threshold pace taken as a one-hour effort (VDOT {:.1}): enter a recent race with `fettle race add` for a firmer prediction.",
            format_duration(lead),
            e.vdot
        ),
    };
    if let Some(r) = riegel_from_threshold {
        out.push_str(&format!(
            " Riegel's formula from your threshold pace gives {}: a threshold pace is often estimated from training runs, so it is a rougher guide than a race.",
            format_duration(r)
        ));
    }
    if let Some(r) = reachable {
        out.push_str(&format!(
            " {} is the best you could reach by race day if fitness keeps rising about a point every 4 weeks (Daniels): a ceiling, not a forecast.",
            format_duration(r)
        ));
    }
    if let Some(m) = model {
        out.push_str(&format!(
            " Your personal model gives {}: it is fitted to your own history of training and results, and is only as good as the results it has seen.",
            format_duration(m)
        ));
    }
    out
}

/// Runs fitness and fatigue day by day over the planned loads from `start` (this morning's
/// values). Each point carries the end-of-day fitness and fatigue and the morning form.
pub(super) fn run(start: State, weeks: &[Week]) -> Vec<ForecastPoint> {
    let mut state = start;
    weeks
        .iter()
        .flat_map(|w| w.days.iter())
        .map(|day| {
            let form = state.fitness - state.fatigue;
            state = state.step(day.load);
            ForecastPoint {
                date: day.date,
                fitness: state.fitness,
                fatigue: state.fatigue,
                form,
            }
        })
        .collect()
}
