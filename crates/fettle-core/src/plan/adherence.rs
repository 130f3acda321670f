//! Adherence: what was planned against what was done, week by week, up to today.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{Plan, SessionKind, WeekKind};

/// Planned against done for one week (only the days up to today count).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekAdherence {
    /// First day of the week.
    pub start: Date,
    /// What the week was for.
    pub kind: WeekKind,
    /// Planned load of the counted days.
    pub planned_load: f64,
    /// Load done.
    pub done_load: f64,
    /// Planned distance, metres.
    pub planned_distance_m: f64,
    /// Distance done, metres.
    pub done_distance_m: f64,
    /// Planned running sessions.
    pub planned_sessions: usize,
    /// Days with any training done.
    pub done_sessions: usize,
    /// Done load as a percentage of planned (`None` when nothing was planned).
    pub load_pct: Option<f64>,
    /// Done distance as a percentage of planned.
    pub distance_pct: Option<f64>,
    /// Whether the week is complete (all its days are before or on today).
    pub complete: bool,
    /// Each day up to today with its mark, for the plan's calendar.
    #[serde(default)]
    pub days: Vec<DayMark>,
}

/// How one day of the plan went, up to today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// A planned session and something was done that day.
    Done,
    /// A planned session, nothing done, and the day is over.
    Missed,
    /// Today's planned session, not done yet.
    Due,
    /// A planned rest day kept.
    Rest,
    /// Training on a planned rest day.
    Extra,
}

/// One day's mark.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DayMark {
    /// The day.
    pub date: Date,
    /// How it went.
    pub mark: Mark,
}

/// Totals over the counted weeks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdherenceSummary {
    /// Planned load.
    pub planned_load: f64,
    /// Load done.
    pub done_load: f64,
    /// Planned distance, metres.
    pub planned_distance_m: f64,
    /// Distance done, metres.
    pub done_distance_m: f64,
    /// Planned sessions.
    pub planned_sessions: usize,
    /// Days trained.
    pub done_sessions: usize,
    /// Done load as a percentage of planned.
    pub load_pct: Option<f64>,
    /// Done distance as a percentage of planned.
    pub distance_pct: Option<f64>,
}

/// Adherence week by week with a summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adherence {
    /// Weeks that have started by today.
    pub weeks: Vec<WeekAdherence>,
    /// Totals.
    pub summary: AdherenceSummary,
}

fn pct(done: f64, planned: f64) -> Option<f64> {
    (planned > 0.0).then(|| 100.0 * done / planned)
}

/// Compares `plan` with `actual` per-day `(date, load, distance_m)` (several entries for one date
/// add up) for every day up to and including `today`.
pub fn adherence(plan: &Plan, actual: &[(Date, f64, f64)], today: Date) -> Adherence {
    let mut done: BTreeMap<Date, (f64, f64)> = BTreeMap::new();
    for &(date, load, distance) in actual {
        let entry = done.entry(date).or_default();
        entry.0 += if load.is_finite() { load.max(0.0) } else { 0.0 };
        entry.1 += if distance.is_finite() {
            distance.max(0.0)
        } else {
            0.0
        };
    }
    let mut weeks = Vec::new();
    for week in plan.weeks.iter().filter(|w| w.start <= today) {
        let mut w = WeekAdherence {
            start: week.start,
            kind: week.kind,
            planned_load: 0.0,
            done_load: 0.0,
            planned_distance_m: 0.0,
            done_distance_m: 0.0,
            planned_sessions: 0,
            done_sessions: 0,
            load_pct: None,
            distance_pct: None,
            complete: week.days.iter().all(|d| d.date <= today),
            days: Vec::new(),
        };
        for day in week.days.iter().filter(|d| d.date <= today) {
            w.planned_load += day.load;
            w.planned_distance_m += day.session.distance_m;
            if day.session.kind != SessionKind::Rest {
                w.planned_sessions += 1;
            }
            let mut trained = false;
            if let Some(&(load, distance)) = done.get(&day.date) {
                w.done_load += load;
                w.done_distance_m += distance;
                if load > 0.0 || distance > 0.0 {
                    w.done_sessions += 1;
                    trained = true;
                }
            }
            let rest = day.session.kind == SessionKind::Rest;
            let mark = match (rest, trained) {
                (true, true) => Mark::Extra,
                (true, false) => Mark::Rest,
                (false, true) => Mark::Done,
                (false, false) if day.date < today => Mark::Missed,
                (false, false) => Mark::Due,
            };
            w.days.push(DayMark {
                date: day.date,
                mark,
            });
        }
        w.load_pct = pct(w.done_load, w.planned_load);
        w.distance_pct = pct(w.done_distance_m, w.planned_distance_m);
        weeks.push(w);
    }
    let planned_load = weeks.iter().map(|w| w.planned_load).sum();
    let done_load = weeks.iter().map(|w| w.done_load).sum();
    let planned_distance_m = weeks.iter().map(|w| w.planned_distance_m).sum();
    let done_distance_m = weeks.iter().map(|w| w.done_distance_m).sum();
    let summary = AdherenceSummary {
        planned_load,
        done_load,
        planned_distance_m,
        done_distance_m,
        planned_sessions: weeks.iter().map(|w| w.planned_sessions).sum(),
        done_sessions: weeks.iter().map(|w| w.done_sessions).sum(),
        load_pct: pct(done_load, planned_load),
        distance_pct: pct(done_distance_m, planned_distance_m),
    };
    Adherence { weeks, summary }
}
