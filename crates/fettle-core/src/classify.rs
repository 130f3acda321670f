//! What kind of session a run was, read from what it contained — not from its load against
//! fitness (a long easy run carries a big load and is not hard; short intervals carry little
//! and are).
//!
//! # Evidence, strongest first
//! 1. **Race**: the athlete says so (a race result on the day, or "race" in the name).
//! 2. **Time at and above threshold**, from the stored [`LoadFeatures`] (no stream re-read):
//!    - *above threshold*: moving minutes with HR ≥ LTHR, or with the 30-s rolling
//!      grade-adjusted speed at or faster than threshold speed — whichever is longer (HR lags
//!      behind short repetitions; pace misses hills that grade adjustment does not fully
//!      catch);
//!    - *well above threshold*: HR ≥ [`WELL_ABOVE_THRESHOLD_FRACTION`] × LTHR or speed ≥ that
//!      fraction of threshold speed — Friel's zone 5b and up, where VO2max repetitions sit and
//!      a steady tempo does not;
//!    - *at threshold*: HR ≥ [`THRESHOLD_BAND_FRACTION`] × LTHR (Friel's zone 4 "sub-threshold"
//!      and up) or speed ≥ that fraction of threshold speed.
//!
//!    A session is `intervals` with at least [`HARD_MIN_ABOVE_THRESHOLD_MIN`] minutes above
//!    threshold of which [`INTERVALS_MIN_WELL_ABOVE_MIN`] well
//!    above threshold, else `tempo` (threshold work) with at least
//!    [`HARD_MIN_ABOVE_THRESHOLD_MIN`] minutes above threshold or
//!    [`TEMPO_MIN_AT_THRESHOLD_MIN`] at threshold.
//! 3. **Intensity factor** IF = √(load / (hours × 100)) from an HR- or pace-based load
//!    (TrainingPeaks' TSS = hours × IF² × 100): at least [`TEMPO_MIN_INTENSITY_FACTOR`] over
//!    20 minutes or more is threshold work even when the streams above are missing.
//! 4. **RPE** (Foster's CR-10) when given: [`HARD_MIN_RPE`] or more makes a session hard when
//!    the data found nothing hard (the athlete felt what a chest strap may have missed).
//! 5. **Duration against the athlete's usual long run**: at least [`LONG_RUN_FRACTION`] of it
//!    (never under [`LONG_MIN_FLOOR_MIN`] minutes; [`DEFAULT_LONG_RUN_MIN`] when the history has
//!    too few weeks to say) is `long`.
//! 6. Otherwise `recovery` when short and very easy (under [`RECOVERY_MAX_MIN`] minutes with IF
//!    below [`RECOVERY_MAX_INTENSITY_FACTOR`], or RPE ≤ [`RECOVERY_MAX_RPE`]), else `easy`.
//!
//! "Hard" is a property of the kind: `tempo`, `intervals` and `race` are hard; `long` is not
//! (its load is big because it is long, not because it was intense). Every classification
//! carries its reason in words.

use serde::{Deserialize, Serialize};

use crate::load::pace::seconds_at_or_above;
use crate::load::{LOAD_POINTS_PER_THRESHOLD_HOUR, LoadFeatures, LoadMethod};

/// Minutes above threshold that make a session hard (threshold work). Fettle's choice: two
/// 5-minute threshold reps, or the core of a 20-minute tempo once HR has climbed.
pub const HARD_MIN_ABOVE_THRESHOLD_MIN: f64 = 10.0;
/// Minutes at or above [`THRESHOLD_BAND_FRACTION`] of threshold that make a session a tempo:
/// a 20-minute tempo is the shortest threshold run coaches prescribe (Daniels' "T" runs are
/// 20 min and up).
pub const TEMPO_MIN_AT_THRESHOLD_MIN: f64 = 20.0;
/// Lower edge of "at threshold" as a fraction of LTHR or threshold speed: Friel's zone 4
/// (sub-threshold) starts at 95 % of LTHR.
pub const THRESHOLD_BAND_FRACTION: f64 = 0.95;
/// Lower edge of "well above threshold" as a fraction of LTHR or threshold speed: Friel's zone
/// 5b (aerobic capacity) starts at 103 % of LTHR.
pub const WELL_ABOVE_THRESHOLD_FRACTION: f64 = 1.03;
/// Minutes well above threshold that make a session `intervals`. Fettle's choice: five 1-min
/// repetitions at 5 km pace.
pub const INTERVALS_MIN_WELL_ABOVE_MIN: f64 = 5.0;
/// Intensity factor at or above which a session of 20 minutes or more is threshold work
/// (TrainingPeaks: IF 0.85–0.95 is tempo to threshold).
pub const TEMPO_MIN_INTENSITY_FACTOR: f64 = 0.85;
/// Shortest session the intensity-factor rule applies to, minutes (a 10-minute strides session
/// at high IF is not a tempo).
pub const TEMPO_MIN_DURATION_MIN: f64 = 20.0;
/// Session RPE (CR-10) at or above which a session is hard: 7 is "very hard" on Foster's scale
/// (Foster et al. 2001).
pub const HARD_MIN_RPE: f64 = 7.0;
/// Session RPE at or below which a short session is a recovery run: 3 is "moderate" on CR-10.
pub const RECOVERY_MAX_RPE: f64 = 3.0;
/// A long run is at least this fraction of the athlete's usual long run. Fettle's choice.
pub const LONG_RUN_FRACTION: f64 = 0.85;
/// No run under this many minutes is long, whatever the history.
pub const LONG_MIN_FLOOR_MIN: f64 = 60.0;
/// The usual long run assumed while the history is too short to say, minutes.
pub const DEFAULT_LONG_RUN_MIN: f64 = 90.0;
/// Recovery runs are shorter than this, minutes.
pub const RECOVERY_MAX_MIN: f64 = 45.0;
/// … and below this intensity factor (about 70 % of threshold speed: a jog).
pub const RECOVERY_MAX_INTENSITY_FACTOR: f64 = 0.72;

/// The kind of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A short, very easy run.
    Recovery,
    /// An easy aerobic run.
    Easy,
    /// A long run (long for this athlete), easy in intensity.
    Long,
    /// Threshold work: a tempo run or threshold repetitions.
    Tempo,
    /// Repetitions well above threshold (VO2max work).
    Intervals,
    /// A race.
    Race,
}

impl Kind {
    /// Whether the kind is a hard session.
    pub fn is_hard(self) -> bool {
        matches!(self, Kind::Tempo | Kind::Intervals | Kind::Race)
    }

    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Recovery => "recovery",
            Kind::Easy => "easy",
            Kind::Long => "long",
            Kind::Tempo => "tempo",
            Kind::Intervals => "intervals",
            Kind::Race => "race",
        }
    }
}

impl From<Kind> for crate::recovery::SessionKind {
    /// The prescription's coarser view: recovery runs are easy, tempo and intervals are hard.
    fn from(kind: Kind) -> Self {
        use crate::recovery::SessionKind as R;
        match kind {
            Kind::Recovery | Kind::Easy => R::Easy,
            Kind::Long => R::Long,
            Kind::Tempo | Kind::Intervals => R::Hard,
            Kind::Race => R::Race,
        }
    }
}

/// What [`classify`] reads. Every field may be missing; the rules use what is there.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClassifyInput<'a> {
    /// Session duration (timer), seconds.
    pub duration_s: f64,
    /// The session's stored load features (time at each HR, graded speeds).
    pub features: Option<&'a LoadFeatures>,
    /// LTHR on the session's day, bpm.
    pub lthr: Option<f64>,
    /// Threshold speed on the session's day, m/s.
    pub threshold_speed_mps: Option<f64>,
    /// The primary load and the method that produced it.
    pub load: Option<(f64, LoadMethod)>,
    /// Session RPE, CR-10.
    pub rpe: Option<f64>,
    /// Whether the athlete marked it as a race.
    pub race: bool,
    /// The athlete's usual long run, seconds, when the history can say.
    pub usual_long_run_s: Option<f64>,
}

/// A session's kind, whether it was hard, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// The kind.
    pub kind: Kind,
    /// Whether it was a hard session (a property of the kind).
    pub hard: bool,
    /// Why, in words ("14 min above threshold heart rate (170 bpm)").
    pub reason: String,
    /// Minutes above threshold (HR ≥ LTHR or faster than threshold pace), when measurable.
    pub minutes_above_threshold: Option<f64>,
    /// Intensity factor, when the load came from HR or pace.
    pub intensity_factor: Option<f64>,
}

/// Fewest sessions behind an estimated threshold (LTHR, threshold pace) before it is used to
/// judge a session: a new athlete's first few runs say what their usual effort is, not where
/// their threshold lies. Fettle's choice (about three weeks of running).
pub const MIN_SESSIONS_FOR_ESTIMATED_THRESHOLDS: usize = 10;

/// Weeks of history the usual long run looks back over.
pub const USUAL_LONG_RUN_WEEKS: i64 = 8;
/// Fewest of those weeks with a run before the history can say what a usual long run is.
pub const USUAL_LONG_RUN_MIN_WEEKS: usize = 3;

/// The athlete's usual long run before `day`, seconds: the median, over the
/// [`USUAL_LONG_RUN_WEEKS`] 7-day windows before `day` (the day itself excluded) that hold a
/// run, of each window's longest run. `None` with fewer than [`USUAL_LONG_RUN_MIN_WEEKS`] such
/// windows. `runs` are (local day, duration in seconds), in any order.
pub fn usual_long_run_s(runs: &[(jiff::civil::Date, f64)], day: jiff::civil::Date) -> Option<f64> {
    let mut longest = [0.0f64; USUAL_LONG_RUN_WEEKS as usize];
    let today = crate::series::day_number(day);
    for (date, seconds) in runs {
        let back = today - crate::series::day_number(*date);
        if (1..=7 * USUAL_LONG_RUN_WEEKS).contains(&back) && seconds.is_finite() {
            let week = ((back - 1) / 7) as usize;
            longest[week] = longest[week].max(*seconds);
        }
    }
    let mut weeks: Vec<f64> = longest.into_iter().filter(|s| *s > 0.0).collect();
    if weeks.len() < USUAL_LONG_RUN_MIN_WEEKS {
        return None;
    }
    weeks.sort_by(f64::total_cmp);
    let mid = weeks.len() / 2;
    Some(if weeks.len() % 2 == 1 {
        weeks[mid]
    } else {
        (weeks[mid - 1] + weeks[mid]) / 2.0
    })
}

/// Minutes in `features` at or above a fraction of the thresholds, and which signal gave them
/// (`"heart rate"` or `"pace"`): the longer of the two.
fn minutes_at_or_above(
    f: &LoadFeatures,
    lthr: Option<f64>,
    threshold_speed: Option<f64>,
    fraction: f64,
) -> Option<(f64, &'static str)> {
    let by_hr = lthr.filter(|_| f.hr_valid_s > 0.0).map(|l| {
        f.hr_time
            .iter()
            .filter(|(bpm, _)| f64::from(*bpm) >= fraction * l - 1e-9)
            .map(|(_, s)| s)
            .sum::<f64>()
            / 60.0
    });
    let by_pace = threshold_speed
        .filter(|_| !f.graded_speed_time.is_empty())
        .map(|v| seconds_at_or_above(&f.graded_speed_time, fraction * v) / 60.0);
    match (by_hr, by_pace) {
        (Some(h), Some(p)) if p > h => Some((p, "pace")),
        (Some(h), _) => Some((h, "heart rate")),
        (None, Some(p)) => Some((p, "pace")),
        (None, None) => None,
    }
}

fn threshold_words(signal: &str, lthr: Option<f64>, speed: Option<f64>) -> String {
    match (signal, lthr, speed) {
        ("heart rate", Some(l), _) => format!("threshold heart rate ({l:.0} bpm)"),
        (_, _, Some(v)) => format!("threshold pace ({}/km, hills adjusted)", pace_text(v)),
        _ => "threshold".to_string(),
    }
}

/// `m:ss` per km for a speed in m/s.
fn pace_text(speed_mps: f64) -> String {
    let s = (1000.0 / speed_mps).round() as i64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// Classifies one session (see the module docs for the rules).
pub fn classify(input: &ClassifyInput<'_>) -> Classification {
    let minutes = input.duration_s.max(0.0) / 60.0;
    let hours = minutes / 60.0;
    let intensity_factor = input
        .load
        .filter(|(l, m)| {
            matches!(m, LoadMethod::Hrtss | LoadMethod::Rtss) && l.is_finite() && *l >= 0.0
        })
        .filter(|_| hours > 0.0)
        .map(|(l, _)| (l / (hours * LOAD_POINTS_PER_THRESHOLD_HOUR)).sqrt());
    let rpe = input.rpe.filter(|r| (0.0..=10.0).contains(r));
    let lthr = input.lthr.filter(|l| *l > 0.0 && l.is_finite());
    let speed = input
        .threshold_speed_mps
        .filter(|v| *v > 0.0 && v.is_finite());
    let zone = |fraction| {
        input
            .features
            .and_then(|f| minutes_at_or_above(f, lthr, speed, fraction))
    };
    let above = zone(1.0);
    let well_above = zone(WELL_ABOVE_THRESHOLD_FRACTION);
    let at = zone(THRESHOLD_BAND_FRACTION);
    let done = |kind: Kind, reason: String| Classification {
        kind,
        hard: kind.is_hard(),
        reason,
        minutes_above_threshold: above.map(|a| a.0),
        intensity_factor,
    };
    let above_words = |(m, signal): (f64, &str)| {
        let words = threshold_words(signal, lthr, speed);
        if m < 0.5 {
            format!("no time above {words}")
        } else {
            format!("{m:.0} min above {words}")
        }
    };

    if input.race {
        return done(Kind::Race, "marked as a race".into());
    }
    if let (Some(w), Some(a)) = (well_above, above)
        && w.0 >= INTERVALS_MIN_WELL_ABOVE_MIN
        && a.0 >= HARD_MIN_ABOVE_THRESHOLD_MIN
    {
        return done(
            Kind::Intervals,
            format!(
                "{}, {:.0} of them at {:.0} % of it or more: repetitions above threshold",
                above_words(a),
                w.0,
                WELL_ABOVE_THRESHOLD_FRACTION * 100.0
            ),
        );
    }
    if let Some(a) = above.filter(|a| a.0 >= HARD_MIN_ABOVE_THRESHOLD_MIN) {
        return done(Kind::Tempo, format!("{}: threshold work", above_words(a)));
    }
    if let Some((m, signal)) = at.filter(|a| a.0 >= TEMPO_MIN_AT_THRESHOLD_MIN) {
        return done(
            Kind::Tempo,
            format!(
                "{m:.0} min at {:.0} % of {} or above: threshold work",
                THRESHOLD_BAND_FRACTION * 100.0,
                threshold_words(signal, lthr, speed)
            ),
        );
    }
    if let Some(i) = intensity_factor
        .filter(|i| *i >= TEMPO_MIN_INTENSITY_FACTOR && minutes >= TEMPO_MIN_DURATION_MIN)
    {
        return done(
            Kind::Tempo,
            format!(
                "intensity factor {i:.2} over {minutes:.0} min (≥ {TEMPO_MIN_INTENSITY_FACTOR}): \
                 threshold work"
            ),
        );
    }
    if let Some(r) = rpe.filter(|r| *r >= HARD_MIN_RPE) {
        return done(
            Kind::Tempo,
            format!("you rated it {r:.0}/10 (very hard from {HARD_MIN_RPE:.0}): a hard session"),
        );
    }
    let easy_words = || match (above, intensity_factor) {
        (Some(a), Some(i)) => format!("{}, intensity factor {i:.2}", above_words(a)),
        (Some(a), None) => above_words(a),
        (None, Some(i)) => format!("intensity factor {i:.2}"),
        (None, None) => match rpe {
            Some(r) => format!("rated {r:.0}/10"),
            None => "no heart rate or pace to judge its intensity".into(),
        },
    };
    let usual_long_min = input
        .usual_long_run_s
        .filter(|s| *s > 0.0 && s.is_finite())
        .map(|s| s / 60.0);
    let long_from_min = usual_long_min
        .map_or(DEFAULT_LONG_RUN_MIN, |u| LONG_RUN_FRACTION * u)
        .max(LONG_MIN_FLOOR_MIN);
    if minutes >= long_from_min {
        let against = match usual_long_min {
            Some(u) => format!(
                "at least {:.0} % of your usual long run ({u:.0} min)",
                LONG_RUN_FRACTION * 100.0
            ),
            None => format!("at least {DEFAULT_LONG_RUN_MIN:.0} min"),
        };
        return done(
            Kind::Long,
            format!("{minutes:.0} min, {against}; {}", easy_words()),
        );
    }
    let very_easy = intensity_factor.is_some_and(|i| i < RECOVERY_MAX_INTENSITY_FACTOR)
        || (intensity_factor.is_none() && rpe.is_some_and(|r| r <= RECOVERY_MAX_RPE));
    if minutes < RECOVERY_MAX_MIN && very_easy {
        return done(
            Kind::Recovery,
            format!("{minutes:.0} min, very easy: {}", easy_words()),
        );
    }
    done(Kind::Easy, format!("{minutes:.0} min, {}", easy_words()))
}

#[cfg(test)]
mod tests;
