//! Readiness: an explainable 0–100 score and a recommendation (train hard, easy, rest) from the
//! athlete's own baselines (docs/science.md).
//!
//! # The formula
//!
//! Each available component gets a 0–100 sub-score; the score is the weighted mean of the
//! sub-scores, with the weights renormalised over the components present (so a missing HRV
//! reading neither counts as zero nor as perfect). The sub-scores:
//!
//! | component | value | baseline | sub-score |
//! |---|---|---|---|
//! | `hrv` | 7-day mean ln rMSSD | 60-day mean ± SWC (0.5 SD) | `75 + 12.5·d`, d = (value − baseline)/SWC |
//! | `resting_hr` | today's resting HR | 60-day mean | `75 − 5·Δbpm` (+5 bpm → 50) |
//! | `sleep` | last night's hours | the 8 h target | `100·(h − 4)/4` (8 h → 100, 6 h → 50) |
//! | `sleep_quality`, `mood` | 1–5, higher better | 60-day mean | `100·(v − 1)/4` |
//! | `soreness`, `fatigue`, `stress` | 1–5, higher worse | 60-day mean | `100·(5 − v)/4` |
//! | `form` | fitness − fatigue (as given) | the athlete's 60-day median ± spread | `75 + 15·z`, z = (form − median)/spread |
//! | `recent_load` | fatigue / fitness (ATL/CTL) | the athlete's 60-day median ± spread | `75 − 15·z` |
//!
//! The load components are judged against the athlete's own usual values ([`TypicalLoad`],
//! from [`load_state`]): a runner in normal training is rarely at form 0, so "as usual" — the
//! median of the last [`TYPICAL_LOAD_DAYS`] mornings — scores 75, like an HRV reading at
//! baseline, and each robust SD (1.4826 × the median absolute deviation, at least
//! [`MIN_FORM_SPREAD`] points of form or [`MIN_RATIO_SPREAD`] of the ratio) away moves the
//! sub-score by 15. With fewer than [`MIN_TYPICAL_DAYS`] mornings to go by, the fixed
//! references apply: form 0 (`75 + 2.5·form`, −30 → 0) and ratio 1.0
//! (`75 − 100·(ratio − 1)`, 1.5 → 25).
//!
//! While the series warms up ([`LoadState::provisional`]) form and recent load are shown but
//! not counted: they rest on a seed, not on the athlete's history, and form alone must never
//! send a new athlete to rest. With nothing else to go by, the recommendation is then to
//! train as planned, saying the numbers are provisional.
//!
//! Every sub-score is clamped to 0–100. 75 means "as usual": the athlete's normal state leaves
//! room for a hard day. Recommendation: score ≥ [`TRAIN_HARD_MIN_SCORE`] → `train_hard`,
//! ≥ [`EASY_MIN_SCORE`] → `easy`, else `rest`; two rules cap it at `easy` whatever the score:
//! the 7-day ln rMSSD below baseline − SWC (Plews et al. 2014; Vesterinen et al. 2016), this
//! morning's ln rMSSD below its 10-day mean − SD (Kiviniemi et al. 2007), and resting HR more
//! than [`RESTING_HR_ELEVATED_BPM`] over baseline. Sick or injured always means
//! `rest`: the athlete's own report overrides the numbers.

use crate::hrv::{
    BASELINE_DAYS, MIN_BASELINE_VALUES, MIN_RECENT_VALUES, RECENT_DAYS, days_between, hrv_baseline,
};
use crate::log::WellnessEntry;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Weight of the HRV component (the best-supported single marker: Plews et al. 2014).
pub const WEIGHT_HRV: f64 = 0.30;
/// Weight of resting HR against its baseline.
pub const WEIGHT_RESTING_HR: f64 = 0.15;
/// Weight of last night's sleep duration (Milewski et al. 2014).
pub const WEIGHT_SLEEP: f64 = 0.15;
/// Weight of sleep quality (Hooper & Mackinnon 1995 item).
pub const WEIGHT_SLEEP_QUALITY: f64 = 0.05;
/// Weight of muscle soreness (Hooper & Mackinnon 1995 item).
pub const WEIGHT_SORENESS: f64 = 0.075;
/// Weight of general fatigue (Hooper & Mackinnon 1995 item).
pub const WEIGHT_FATIGUE: f64 = 0.075;
/// Weight of stress (Hooper & Mackinnon 1995 item).
pub const WEIGHT_STRESS: f64 = 0.05;
/// Weight of mood.
pub const WEIGHT_MOOD: f64 = 0.05;
/// Weight of form (fitness − fatigue).
pub const WEIGHT_FORM: f64 = 0.05;
/// Weight of recent load (fatigue/fitness).
pub const WEIGHT_RECENT_LOAD: f64 = 0.05;

/// Score at or above which hard training is recommended. Fettle's choice: 70 sits just below
/// the "as usual" 75, so an ordinary morning allows the planned hard session.
pub const TRAIN_HARD_MIN_SCORE: f64 = 70.0;
/// Score at or above which easy training (below it: rest) is recommended. Fettle's choice: 45
/// is reached e.g. by HRV one SD under baseline together with a resting HR 5 bpm up.
pub const EASY_MIN_SCORE: f64 = 45.0;
/// Resting HR this far above baseline caps the recommendation at easy (docs/science.md: "more than
/// ~5 bpm over its baseline").
pub const RESTING_HR_ELEVATED_BPM: f64 = 5.0;
/// Sleep target, hours (Milewski et al. 2014: < 8 h/night, relative injury risk 1.7).
pub const SLEEP_TARGET_H: f64 = 8.0;
/// Sleep at or below this scores 0.
pub const SLEEP_ZERO_SCORE_H: f64 = 4.0;
/// Window of the single-day HRV check, days before today (Kiviniemi et al. 2007, Eur J Appl
/// Physiol 101:743: easy day when HRV falls below its 10-day mean − SD).
pub const KIVINIEMI_WINDOW_DAYS: i64 = 10;
/// Fewest mornings in that window before the check applies (Fettle's choice).
pub const KIVINIEMI_MIN_VALUES: usize = 7;
/// Fitness below which fatigue/fitness is not meaningful (a near-zero denominator).
pub const MIN_FITNESS_FOR_RATIO: f64 = 5.0;
/// Fewest values before a subjective item's or resting HR's own baseline is shown.
pub const MIN_SUBJECTIVE_BASELINE_VALUES: usize = 7;

/// What readiness recommends for today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    /// Rest or very light movement.
    Rest,
    /// Easy aerobic training only.
    Easy,
    /// Ready for the planned hard session.
    TrainHard,
}

impl Recommendation {
    /// The stable name used in JSON (`train_hard`, `easy`, `rest`).
    pub fn as_str(self) -> &'static str {
        match self {
            Recommendation::Rest => "rest",
            Recommendation::Easy => "easy",
            Recommendation::TrainHard => "train_hard",
        }
    }
}

/// Training-load numbers from the fitness/fatigue series (plain numbers, load points).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadState {
    /// Fitness (CTL).
    pub fitness: f64,
    /// Fatigue (ATL).
    pub fatigue: f64,
    /// Form (TSB) as the series defines it for this morning.
    pub form: f64,
    /// Whether the series is still warming up (the numbers rest partly on a seed).
    #[serde(default)]
    pub provisional: bool,
    /// The athlete's usual form and recent load, when the history is long enough.
    #[serde(default)]
    pub typical: Option<TypicalLoad>,
}

/// The athlete's usual load state over the last [`TYPICAL_LOAD_DAYS`] mornings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TypicalLoad {
    /// Mornings it was computed from.
    pub days: usize,
    /// Median morning form.
    pub form_median: f64,
    /// Spread of form: 1.4826 × median absolute deviation, at least [`MIN_FORM_SPREAD`].
    pub form_spread: f64,
    /// Median fatigue/fitness ratio, when fitness allowed a ratio on enough mornings.
    pub ratio_median: Option<f64>,
    /// Its spread, at least [`MIN_RATIO_SPREAD`].
    pub ratio_spread: Option<f64>,
}

/// Mornings the athlete's usual form and recent load are taken over (the same 60 days as the
/// HRV baseline, Plews et al. 2014).
pub const TYPICAL_LOAD_DAYS: i64 = 60;
/// Fewest mornings before the usual values are used (four weeks).
pub const MIN_TYPICAL_DAYS: usize = 28;
/// Smallest spread of form, load points: below it a very regular athlete's ordinary day-to-day
/// change would read as unusual.
pub const MIN_FORM_SPREAD: f64 = 5.0;
/// Smallest spread of the fatigue/fitness ratio (see [`MIN_FORM_SPREAD`]).
pub const MIN_RATIO_SPREAD: f64 = 0.1;
/// Sub-score change per spread away from the usual value.
pub const LOAD_SCORE_PER_SPREAD: f64 = 15.0;
/// Consistency factor from the median absolute deviation to an SD for normal data.
const MAD_TO_SD: f64 = 1.4826;

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

/// Median and robust spread (1.4826 × MAD, at least `floor`) of `values`.
fn median_and_spread(mut values: Vec<f64>, floor: f64) -> Option<(f64, f64)> {
    let m = median(&mut values)?;
    let mut deviations: Vec<f64> = values.iter().map(|v| (v - m).abs()).collect();
    let mad = median(&mut deviations)?;
    Some((m, (MAD_TO_SD * mad).max(floor)))
}

/// The load state on the morning of `date` from the daily series (yesterday's end-of-day
/// fitness and fatigue, this morning's form), with the athlete's usual values over the
/// [`TYPICAL_LOAD_DAYS`] mornings up to it. `None` before any training.
pub fn load_state(series: &[crate::series::DayState], date: Date) -> Option<LoadState> {
    let i = series.iter().position(|d| d.date == date)?;
    let yesterday = i.checked_sub(1).map(|j| &series[j]);
    let seed = series[i].seed_daily_load;
    let (fitness, fatigue) = yesterday.map_or((seed, seed), |y| (y.fitness, y.fatigue));
    if yesterday.is_none() && seed <= 0.0 {
        return None;
    }
    let window = (1..=i)
        .rev()
        .take_while(|&k| days_between(series[k].date, date) < TYPICAL_LOAD_DAYS);
    let (mut forms, mut ratios) = (Vec::new(), Vec::new());
    for k in window {
        let before = &series[k - 1];
        forms.push(series[k].form);
        if before.fitness >= MIN_FITNESS_FOR_RATIO {
            ratios.push(before.fatigue / before.fitness);
        }
    }
    let typical = (forms.len() >= MIN_TYPICAL_DAYS).then(|| {
        let days = forms.len();
        let (form_median, form_spread) =
            median_and_spread(forms, MIN_FORM_SPREAD).unwrap_or((0.0, MIN_FORM_SPREAD));
        let ratio = (ratios.len() >= MIN_TYPICAL_DAYS)
            .then(|| median_and_spread(ratios, MIN_RATIO_SPREAD))
            .flatten();
        TypicalLoad {
            days,
            form_median,
            form_spread,
            ratio_median: ratio.map(|r| r.0),
            ratio_spread: ratio.map(|r| r.1),
        }
    });
    Some(LoadState {
        fitness,
        fatigue,
        form: fitness - fatigue,
        provisional: series[i].provisional,
        typical,
    })
}

/// What a runner calls a component, from its stable name (`resting_hr` → "Resting heart
/// rate"): the one place the words are defined (an unknown name is "Other").
pub fn component_label(name: &str) -> &'static str {
    match name {
        "hrv" => "Heart-rate variability (HRV)",
        "resting_hr" => "Resting heart rate",
        "sleep" => "Sleep",
        "sleep_quality" => "Sleep quality",
        "soreness" => "Soreness",
        "fatigue" => "Fatigue",
        "stress" => "Stress",
        "mood" => "Mood",
        "form" => "Form (fitness − fatigue)",
        "recent_load" => "Recent load (fatigue ÷ fitness)",
        _ => "Other",
    }
}

/// One component of the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    /// Stable name: `hrv`, `resting_hr`, `sleep`, `sleep_quality`, `soreness`, `fatigue`,
    /// `stress`, `mood`, `form`, `recent_load`.
    pub name: &'static str,
    /// What a runner calls it ("Resting heart rate"): [`component_label`] of `name`, for every
    /// face to show instead of the stable name.
    pub label: &'static str,
    /// Today's value (units in `unit`).
    pub value: f64,
    /// The athlete's baseline or the reference the value is compared with.
    pub baseline: Option<f64>,
    /// SD of the baseline, when it has one.
    pub sd: Option<f64>,
    /// Smallest worthwhile change, when defined (HRV).
    pub swc: Option<f64>,
    /// Unit of `value` and `baseline`.
    pub unit: &'static str,
    /// Sub-score 0–100.
    pub score: f64,
    /// Weight after renormalisation over the components present (they sum to 1).
    pub weight: f64,
}

/// The readiness verdict for one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readiness {
    /// The day assessed.
    pub date: Date,
    /// 0–100, `None` when no component is available at all.
    pub score: Option<f64>,
    /// What to do today.
    pub recommendation: Recommendation,
    /// Every component used.
    pub components: Vec<Component>,
    /// What was absent (component name and why).
    pub missing: Vec<String>,
    /// Why the recommendation is what it is (overrides and caps included).
    pub reasons: Vec<String>,
}

/// Assesses `today` from the wellness history (any order; entries without a date are ignored)
/// and, when known, this morning's load state.
pub fn assess(history: &[WellnessEntry], today: Date, load: Option<LoadState>) -> Readiness {
    let dated: Vec<(Date, &WellnessEntry)> = history
        .iter()
        .filter_map(|e| e.date.map(|d| (d, e)))
        .filter(|(d, _)| (0..BASELINE_DAYS).contains(&days_between(*d, today)))
        .collect();
    let todays: Vec<&WellnessEntry> = dated
        .iter()
        .filter(|(d, _)| *d == today)
        .map(|(_, e)| *e)
        .collect();
    let today_value = |f: fn(&WellnessEntry) -> Option<f64>| todays.iter().rev().find_map(|e| f(e));
    let series = |f: fn(&WellnessEntry) -> Option<f64>| -> Vec<(Date, f64)> {
        dated
            .iter()
            .filter_map(|(d, e)| f(e).map(|v| (*d, v)))
            .collect()
    };

    let mut parts: Vec<(Component, f64)> = Vec::new();
    let mut missing = Vec::new();
    let mut reasons = Vec::new();
    let mut cap_at_easy = false;

    // HRV: 7-day ln rMSSD against the 60-day baseline.
    match hrv_baseline(&series(|e| e.rmssd_ms), today) {
        Some(b) => match b.ln_mean_7d {
            Some(recent) => {
                let d = if b.swc > 0.0 {
                    (recent - b.ln_mean_60d) / b.swc
                } else {
                    0.0
                };
                if recent < b.ln_mean_60d - b.swc {
                    cap_at_easy = true;
                    reasons.push(format!(
                        "HRV: 7-day ln rMSSD {recent:.2} is below baseline {:.2} − SWC {:.2} \
                         (Plews et al. 2014; Vesterinen et al. 2016): easy at most",
                        b.ln_mean_60d, b.swc
                    ));
                }
                parts.push((
                    Component {
                        name: "hrv",
                        label: component_label("hrv"),
                        value: recent,
                        baseline: Some(b.ln_mean_60d),
                        sd: Some(b.ln_sd_60d),
                        swc: Some(b.swc),
                        unit: "ln ms",
                        score: clamp_score(75.0 + 12.5 * d),
                        weight: WEIGHT_HRV,
                    },
                    WEIGHT_HRV,
                ));
            }
            None => missing.push(format!(
                "{}: only {} morning rMSSD value(s) in the last {RECENT_DAYS} days (need \
                 {MIN_RECENT_VALUES})",
                component_label("hrv"),
                b.n_7d
            )),
        },
        None => missing.push(format!(
            "{}: fewer than {MIN_BASELINE_VALUES} morning rMSSD values in the last \
                 {BASELINE_DAYS} days (no baseline yet)",
            component_label("hrv")
        )),
    }

    // Kiviniemi et al. 2007: today's reading below its 10-day mean − SD means an easy day.
    if let Some(today_ln) = today_value(|e| e.rmssd_ms)
        .filter(|v| *v > 0.0)
        .map(f64::ln)
    {
        let previous: Vec<f64> = dated
            .iter()
            .filter(|(d, _)| (1..=KIVINIEMI_WINDOW_DAYS).contains(&days_between(*d, today)))
            .filter_map(|(_, e)| e.rmssd_ms.filter(|v| *v > 0.0).map(f64::ln))
            .collect();
        if previous.len() >= KIVINIEMI_MIN_VALUES {
            let n = previous.len() as f64;
            let mean = previous.iter().sum::<f64>() / n;
            let sd = (previous.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            if today_ln < mean - sd {
                cap_at_easy = true;
                reasons.push(format!(
                    "HRV: this morning's ln rMSSD {today_ln:.2} is below its \
                     {KIVINIEMI_WINDOW_DAYS}-day mean − SD ({:.2}) (Kiviniemi et al. 2007): easy \
                     at most",
                    mean - sd
                ));
            }
        }
    }

    // Resting HR against its own baseline (excluding today so today cannot mask itself).
    match today_value(|e| e.rest_hr) {
        Some(hr) => {
            let base = baseline_before_today(&series(|e| e.rest_hr), today);
            match base {
                Some((mean, sd)) => {
                    let delta = hr - mean;
                    if delta > RESTING_HR_ELEVATED_BPM {
                        cap_at_easy = true;
                        reasons.push(format!(
                            "resting HR {hr:.0} bpm is {delta:.0} bpm over baseline {mean:.0} \
                             (> {RESTING_HR_ELEVATED_BPM} bpm): easy at most"
                        ));
                    }
                    parts.push((
                        Component {
                            name: "resting_hr",
                            label: component_label("resting_hr"),
                            value: hr,
                            baseline: Some(mean),
                            sd: Some(sd),
                            swc: None,
                            unit: "bpm",
                            score: clamp_score(75.0 - 5.0 * delta),
                            weight: WEIGHT_RESTING_HR,
                        },
                        WEIGHT_RESTING_HR,
                    ));
                }
                None => missing.push(format!(
                    "{}: fewer than {MIN_SUBJECTIVE_BASELINE_VALUES} earlier mornings \
                     to form a baseline",
                    component_label("resting_hr")
                )),
            }
        }
        None => missing.push(format!(
            "{}: no value this morning",
            component_label("resting_hr")
        )),
    }

    match today_value(|e| e.sleep_h) {
        Some(h) => parts.push((
            Component {
                name: "sleep",
                label: component_label("sleep"),
                value: h,
                baseline: Some(SLEEP_TARGET_H),
                sd: None,
                swc: None,
                unit: "h",
                score: clamp_score(
                    100.0 * (h - SLEEP_ZERO_SCORE_H) / (SLEEP_TARGET_H - SLEEP_ZERO_SCORE_H),
                ),
                weight: WEIGHT_SLEEP,
            },
            WEIGHT_SLEEP,
        )),
        None => missing.push(format!(
            "{}: no duration this morning",
            component_label("sleep")
        )),
    }

    type Getter = fn(&WellnessEntry) -> Option<f64>;
    let subjective: [(&'static str, Getter, bool, f64); 5] = [
        (
            "sleep_quality",
            |e| e.sleep_quality,
            true,
            WEIGHT_SLEEP_QUALITY,
        ),
        ("soreness", |e| e.soreness, false, WEIGHT_SORENESS),
        ("fatigue", |e| e.fatigue, false, WEIGHT_FATIGUE),
        ("stress", |e| e.stress, false, WEIGHT_STRESS),
        ("mood", |e| e.mood, true, WEIGHT_MOOD),
    ];
    for (name, get, higher_is_better, weight) in subjective {
        match today_value(get) {
            Some(v) => {
                let v = v.clamp(1.0, 5.0);
                let goodness = if higher_is_better {
                    (v - 1.0) / 4.0
                } else {
                    (5.0 - v) / 4.0
                };
                let base = baseline_before_today(&series(get), today);
                parts.push((
                    Component {
                        name,
                        label: component_label(name),
                        value: v,
                        baseline: base.map(|b| b.0),
                        sd: base.map(|b| b.1),
                        swc: None,
                        unit: "1-5",
                        score: clamp_score(100.0 * goodness),
                        weight,
                    },
                    weight,
                ));
            }
            None => missing.push(format!(
                "{}: not reported this morning",
                component_label(name)
            )),
        }
    }

    match load {
        Some(l) if l.fitness.is_finite() && l.fatigue.is_finite() && l.form.is_finite() => {
            let typical = l.typical;
            let (form_baseline, form_sd, form_score) = match typical {
                Some(t) => (
                    t.form_median,
                    Some(t.form_spread),
                    75.0 + LOAD_SCORE_PER_SPREAD * (l.form - t.form_median) / t.form_spread,
                ),
                None => (0.0, None, 75.0 + 2.5 * l.form),
            };
            let mut load_parts = vec![Component {
                name: "form",
                label: component_label("form"),
                value: l.form,
                baseline: Some(form_baseline),
                sd: form_sd,
                swc: None,
                unit: "load points",
                score: clamp_score(form_score),
                weight: WEIGHT_FORM,
            }];
            if l.fitness >= MIN_FITNESS_FOR_RATIO {
                let ratio = l.fatigue / l.fitness;
                let usual = typical.and_then(|t| t.ratio_median.zip(t.ratio_spread));
                let (baseline, sd, score) = match usual {
                    Some((m, spread)) => (
                        m,
                        Some(spread),
                        75.0 - LOAD_SCORE_PER_SPREAD * (ratio - m) / spread,
                    ),
                    None => (1.0, None, 75.0 - 100.0 * (ratio - 1.0)),
                };
                load_parts.push(Component {
                    name: "recent_load",
                    label: component_label("recent_load"),
                    value: ratio,
                    baseline: Some(baseline),
                    sd,
                    swc: None,
                    unit: "fatigue/fitness",
                    score: clamp_score(score),
                    weight: WEIGHT_RECENT_LOAD,
                });
            } else {
                missing.push(format!(
                    "{}: fitness {:.1} is below {MIN_FITNESS_FOR_RATIO}, too little \
                     history to compare recent load with",
                    component_label("recent_load"),
                    l.fitness
                ));
            }
            if l.provisional {
                for c in load_parts {
                    missing.push(format!(
                        "{}: {:.1} is provisional while your training history is short \
                         (fitness and fatigue are still warming up), so it is not counted",
                        c.label, c.value
                    ));
                }
            } else {
                parts.extend(load_parts.into_iter().map(|c| {
                    let w = c.weight;
                    (c, w)
                }));
            }
        }
        _ => {
            for name in ["form", "recent_load"] {
                missing.push(format!(
                    "{}: no training-load history",
                    component_label(name)
                ));
            }
        }
    }

    let total_weight: f64 = parts.iter().map(|(_, w)| w).sum();
    let mut components: Vec<Component> = parts
        .into_iter()
        .map(|(mut c, w)| {
            c.weight = w / total_weight;
            c
        })
        .collect();
    components.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    let score = (!components.is_empty())
        // Clamped: renormalised weights can sum to 1 + ε, and 100·(1 + ε) is not a score.
        .then(|| clamp_score(components.iter().map(|c| c.score * c.weight).sum::<f64>()));

    let sick = todays.iter().any(|e| e.sick);
    let injured = todays.iter().any(|e| e.injured);
    let recommendation = if sick || injured {
        let what = match (sick, injured) {
            (true, true) => "sick and injured",
            (true, false) => "sick",
            _ => "injured",
        };
        reasons.insert(
            0,
            format!("you reported being {what} today: rest, whatever the numbers say"),
        );
        Recommendation::Rest
    } else {
        match score {
            None if load.is_some_and(|l| l.provisional) => {
                reasons.push(
                    "your training history is still short, so fitness and form are provisional \
                     and do not decide; with no morning check-in logged, train as planned \
                     (log one to make this score yours)"
                        .into(),
                );
                Recommendation::TrainHard
            }
            None => {
                reasons.push(
                    "no wellness data and no training history: cannot confirm readiness for \
                     hard training; go easy and log a morning check-in"
                        .into(),
                );
                Recommendation::Easy
            }
            Some(s) => {
                let by_score = if s >= TRAIN_HARD_MIN_SCORE {
                    Recommendation::TrainHard
                } else if s >= EASY_MIN_SCORE {
                    Recommendation::Easy
                } else {
                    Recommendation::Rest
                };
                reasons.insert(
                    0,
                    format!(
                        "score {s:.0}: train hard at ≥ {TRAIN_HARD_MIN_SCORE}, easy at ≥ \
                         {EASY_MIN_SCORE}, else rest"
                    ),
                );
                if cap_at_easy {
                    by_score.min(Recommendation::Easy)
                } else {
                    by_score
                }
            }
        }
    };

    Readiness {
        date: today,
        score,
        recommendation,
        components,
        missing,
        reasons,
    }
}

/// Mean and SD of the values before `today` (the caller keeps only the baseline window).
fn baseline_before_today(values: &[(Date, f64)], today: Date) -> Option<(f64, f64)> {
    let earlier: Vec<(Date, f64)> = values.iter().copied().filter(|(d, _)| *d < today).collect();
    let n = earlier.len();
    if n < MIN_SUBJECTIVE_BASELINE_VALUES {
        return None;
    }
    let mean = earlier.iter().map(|(_, v)| v).sum::<f64>() / n as f64;
    let var = earlier.iter().map(|(_, v)| (v - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
    Some((mean, var.sqrt()))
}

fn clamp_score(s: f64) -> f64 {
    if s.is_finite() {
        s.clamp(0.0, 100.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn day(today: Date, age: i64) -> Date {
        today.checked_sub(jiff::Span::new().days(age)).unwrap()
    }

    /// 30 mornings of rMSSD alternating e^4.0 / e^4.2 (ln mean 4.1, SD 0.1017), resting HR
    /// alternating 49/51 (mean 50), nothing else.
    fn steady_history(today: Date) -> Vec<WellnessEntry> {
        (1..=30)
            .map(|age| WellnessEntry {
                date: Some(day(today, age)),
                rmssd_ms: Some(f64::exp(if age % 2 == 0 { 4.0 } else { 4.2 })),
                rest_hr: Some(if age % 2 == 0 { 49.0 } else { 51.0 }),
                ..WellnessEntry::default()
            })
            .collect()
    }

    #[test]
    fn no_data_at_all_says_what_is_missing_and_goes_easy() {
        let r = assess(&[], date(2026, 3, 1), None);
        assert_eq!(r.score, None);
        assert_eq!(r.recommendation, Recommendation::Easy);
        assert!(r.components.is_empty());
        for name in [
            "hrv",
            "resting_hr",
            "sleep",
            "soreness",
            "form",
            "recent_load",
        ] {
            assert!(
                r.missing
                    .iter()
                    .any(|m| m.starts_with(component_label(name))),
                "{name} not in missing"
            );
        }
    }

    #[test]
    fn load_only_weights_renormalise_to_one() {
        // form +10 → 75 + 25 = 100; ratio 40/50 = 0.8 → 75 + 20 = 95. Equal weights 0.05/0.05
        // renormalise to 0.5 each → score 97.5 → train hard.
        let l = LoadState {
            fitness: 50.0,
            fatigue: 40.0,
            form: 10.0,
            ..LoadState::default()
        };
        let r = assess(&[], date(2026, 3, 1), Some(l));
        assert_eq!(r.components.len(), 2);
        assert!((r.components.iter().map(|c| c.weight).sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((r.score.unwrap() - 97.5).abs() < 1e-9);
        assert_eq!(r.recommendation, Recommendation::TrainHard);
    }

    #[test]
    fn load_components_are_judged_against_the_athletes_usual_state() {
        // 90 days of a weekly pattern 60, 0, 50, 40, 0, 80, 30 from a zero seed. Independent
        // Python cross-check over the 60 mornings up to the last day: form median −9.2266,
        // spread max(1.4826·MAD, 5) = 5; fatigue/fitness median 1.32742, spread 0.22030.
        // That morning: fitness 31.8922, fatigue 32.5934, form −0.70126.
        let mut d = date(2026, 1, 1);
        let mut days = Vec::new();
        for i in 0..90 {
            days.push(crate::series::DayTotals {
                date: d,
                load: [60.0, 0.0, 50.0, 40.0, 0.0, 80.0, 30.0][i % 7],
                distance_m: 0.0,
                duration_s: 3600.0,
            });
            d = d.tomorrow().unwrap();
        }
        let last = days[89].date;
        let series =
            crate::series::daily_series(&days, last, &crate::series::SeriesParams::default());
        let l = load_state(&series, last).unwrap();
        let t = l.typical.unwrap();
        assert_eq!(t.days, 60);
        assert!((t.form_median + 9.2266).abs() < 1e-4, "{t:?}");
        assert_eq!(t.form_spread, MIN_FORM_SPREAD);
        assert!((t.ratio_median.unwrap() - 1.32742).abs() < 1e-5);
        assert!((t.ratio_spread.unwrap() - 0.22030).abs() < 1e-5);
        assert!((l.form + 0.70126).abs() < 1e-5);
        assert!(!l.provisional);

        // Casebook: form −12 where the athlete's median is −10 (spread 6), recent load at its
        // median, every wellness item at its usual value → form 75 + 15·(−2/6) = 70, load 75,
        // wellness 75 → train as planned. Centred on form 0 the same morning scored form
        // 75 − 30 = 45 and could pull a normal day down.
        let today = date(2026, 3, 1);
        let mut h = steady_history(today);
        h.push(WellnessEntry {
            date: Some(today),
            // 7-day ln mean stays 4.1 = the baseline: HRV sub-score 75.
            rmssd_ms: Some(f64::exp(4.1)),
            rest_hr: Some(50.0),
            sleep_h: Some(7.0),
            soreness: Some(2.0),
            fatigue: Some(2.0),
            ..WellnessEntry::default()
        });
        let usual = LoadState {
            fitness: 50.0,
            fatigue: 55.0,
            form: -12.0,
            provisional: false,
            typical: Some(TypicalLoad {
                days: 60,
                form_median: -10.0,
                form_spread: 6.0,
                ratio_median: Some(1.1),
                ratio_spread: Some(0.1),
            }),
        };
        let r = assess(&h, today, Some(usual));
        let form = r.components.iter().find(|c| c.name == "form").unwrap();
        assert!((form.score - 70.0).abs() < 1e-9);
        assert_eq!(form.baseline, Some(-10.0));
        let recent = r
            .components
            .iter()
            .find(|c| c.name == "recent_load")
            .unwrap();
        assert!((recent.score - 75.0).abs() < 1e-9);
        assert_eq!(r.recommendation, Recommendation::TrainHard, "{r:?}");
        // At the median itself: exactly 75.
        let at_median = LoadState {
            form: -10.0,
            ..usual
        };
        let r = assess(&[], today, Some(at_median));
        assert!((r.score.unwrap() - 75.0).abs() < 1e-9);
        assert_eq!(r.recommendation, Recommendation::TrainHard);
    }

    #[test]
    fn a_new_athlete_is_not_sent_to_rest_by_form_alone() {
        // Form −20 scored alone on the fixed reference would be 75 − 50 = 25 → rest. While the
        // series warms up, form is shown as provisional, not counted, and with no wellness the
        // athlete trains as planned.
        let l = LoadState {
            fitness: 10.0,
            fatigue: 30.0,
            form: -20.0,
            provisional: true,
            typical: None,
        };
        let r = assess(&[], date(2026, 3, 1), Some(l));
        assert_eq!(r.score, None);
        assert_eq!(r.recommendation, Recommendation::TrainHard);
        assert!(
            r.missing
                .iter()
                .any(|m| m.starts_with(component_label("form")) && m.contains("provisional"))
        );
        assert!(r.reasons.iter().any(|m| m.contains("provisional")));
        // With wellness it is the wellness that decides: a bad night still caps the day.
        let today = date(2026, 3, 1);
        let h = vec![WellnessEntry {
            date: Some(today),
            sleep_h: Some(4.0),
            soreness: Some(5.0),
            ..WellnessEntry::default()
        }];
        let r = assess(&h, today, Some(l));
        assert_eq!(r.recommendation, Recommendation::Rest);
    }

    #[test]
    fn readiness_json_contract() {
        let today = date(2026, 3, 1);
        let mut h = steady_history(today);
        h.push(WellnessEntry {
            date: Some(today),
            rest_hr: Some(50.0),
            sleep_h: Some(8.0),
            ..WellnessEntry::default()
        });
        let r = assess(&h, today, None);
        let j = serde_json::to_value(&r).unwrap();
        assert!(j["score"].is_number());
        assert!(["train_hard", "easy", "rest"].contains(&j["recommendation"].as_str().unwrap()));
        for c in j["components"].as_array().unwrap() {
            for key in ["name", "label", "value", "baseline", "weight"] {
                assert!(c.get(key).is_some(), "{key} in {c}");
            }
        }
        assert!(
            j["missing"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m.as_str().unwrap().starts_with("Soreness"))
        );
    }

    #[test]
    fn sick_overrides_a_perfect_score() {
        let today = date(2026, 3, 1);
        let mut h = steady_history(today);
        h.push(WellnessEntry {
            date: Some(today),
            sleep_h: Some(9.0),
            sick: true,
            ..WellnessEntry::default()
        });
        let r = assess(&h, today, None);
        assert_eq!(r.recommendation, Recommendation::Rest);
        assert!(r.reasons[0].contains("sick"));
    }

    #[test]
    fn hrv_below_baseline_minus_swc_caps_at_easy() {
        let today = date(2026, 3, 1);
        let mut h = steady_history(today);
        // Last 7 days (ages 0..6 → use 1..6 already there plus today): replace the recent week
        // with e^3.8 (well under 4.1 − 0.05).
        for e in h.iter_mut() {
            if days_between(e.date.unwrap(), today) < 7 {
                e.rmssd_ms = Some(f64::exp(3.8));
            }
        }
        h.push(WellnessEntry {
            date: Some(today),
            rmssd_ms: Some(f64::exp(3.8)),
            rest_hr: Some(50.0),
            sleep_h: Some(8.0),
            ..WellnessEntry::default()
        });
        let r = assess(&h, today, None);
        let hrv = r.components.iter().find(|c| c.name == "hrv").unwrap();
        assert!((hrv.value - 3.8).abs() < 1e-9);
        assert!(hrv.value < hrv.baseline.unwrap() - hrv.swc.unwrap());
        assert!(r.recommendation <= Recommendation::Easy);
        assert!(r.reasons.iter().any(|m| m.contains("HRV")));
    }

    #[test]
    fn a_single_low_morning_below_the_10_day_mean_minus_sd_caps_at_easy() {
        // Previous 10 mornings alternate ln 4.0/4.2 (mean 4.1, SD 0.1054); today ln 3.9 <
        // 4.1 − 0.1054 = 3.9946. The 7-day mean stays within the SWC band of the 60-day baseline.
        let today = date(2026, 3, 1);
        let mut h = steady_history(today);
        h.push(WellnessEntry {
            date: Some(today),
            rmssd_ms: Some(f64::exp(3.9)),
            ..WellnessEntry::default()
        });
        let r = assess(&h, today, None);
        assert!(
            r.reasons.iter().any(|m| m.contains("Kiviniemi")),
            "{:?}",
            r.reasons
        );
        assert!(r.recommendation <= Recommendation::Easy);
    }

    #[test]
    fn resting_hr_sub_score_follows_the_documented_line() {
        let today = date(2026, 3, 1);
        let mut h = steady_history(today);
        h.push(WellnessEntry {
            date: Some(today),
            rest_hr: Some(56.0),
            ..WellnessEntry::default()
        });
        let r = assess(&h, today, None);
        let c = r
            .components
            .iter()
            .find(|c| c.name == "resting_hr")
            .unwrap();
        // Baseline of the 30 earlier mornings = 50; +6 bpm → 75 − 30 = 45; > 5 bpm → capped.
        assert!((c.baseline.unwrap() - 50.0).abs() < 1e-9);
        assert!((c.score - 45.0).abs() < 1e-9);
        assert!(r.recommendation <= Recommendation::Easy);
    }

    #[test]
    fn full_morning_score_is_the_weighted_mean_of_documented_sub_scores() {
        let today = date(2026, 3, 1);
        let mut h = steady_history(today);
        // Today: rMSSD e^4.2 keeps the 7-day mean ≈ baseline; hand-check the subjective items.
        h.push(WellnessEntry {
            date: Some(today),
            sleep_h: Some(7.0),       // 100·3/4 = 75
            sleep_quality: Some(4.0), // 100·3/4 = 75
            soreness: Some(2.0),      // 100·3/4 = 75
            fatigue: Some(3.0),       // 100·2/4 = 50
            stress: Some(1.0),        // 100
            mood: Some(5.0),          // 100
            ..WellnessEntry::default()
        });
        let r = assess(&h, today, None);
        let get = |n: &str| r.components.iter().find(|c| c.name == n).unwrap().score;
        assert_eq!(
            (
                get("sleep"),
                get("sleep_quality"),
                get("soreness"),
                get("fatigue"),
                get("stress"),
                get("mood")
            ),
            (75.0, 75.0, 75.0, 50.0, 100.0, 100.0)
        );
        let weighted: f64 = r.components.iter().map(|c| c.score * c.weight).sum();
        assert!((r.score.unwrap() - weighted).abs() < 1e-9);
        // resting HR is missing today and is listed as such.
        assert!(
            r.missing
                .iter()
                .any(|m| m.starts_with("Resting heart rate"))
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn opt(range: std::ops::Range<f64>) -> impl Strategy<Value = Option<f64>> {
            proptest::option::of(range)
        }

        proptest! {
            #[test]
            fn score_is_0_to_100_and_weights_sum_to_one(
                days in proptest::collection::vec(
                    (0i64..80, opt(1.0..300.0), opt(30.0..90.0), opt(0.0..14.0), opt(-3.0..9.0), any::<bool>()),
                    0..90,
                ),
                load in proptest::option::of((0.0f64..150.0, 0.0f64..200.0, -80.0f64..40.0)),
            ) {
                let today = date(2026, 3, 1);
                let history: Vec<WellnessEntry> = days
                    .iter()
                    .map(|&(age, rmssd, hr, sleep, soreness, sick)| WellnessEntry {
                        date: Some(day(today, age)),
                        rmssd_ms: rmssd,
                        rest_hr: hr,
                        sleep_h: sleep,
                        soreness,
                        sick,
                        ..WellnessEntry::default()
                    })
                    .collect();
                let load = load.map(|(fitness, fatigue, form)| LoadState {
                    fitness,
                    fatigue,
                    form,
                    ..LoadState::default()
                });
                let r = assess(&history, today, load);
                if let Some(s) = r.score {
                    prop_assert!((0.0..=100.0).contains(&s));
                    let w: f64 = r.components.iter().map(|c| c.weight).sum();
                    prop_assert!((w - 1.0).abs() < 1e-9);
                } else {
                    prop_assert!(r.components.is_empty());
                }
                for c in &r.components {
                    prop_assert!((0.0..=100.0).contains(&c.score));
                }
                if history.iter().any(|e| e.date == Some(today) && e.sick) {
                    prop_assert_eq!(r.recommendation, Recommendation::Rest);
                }
            }
        }
    }
}
