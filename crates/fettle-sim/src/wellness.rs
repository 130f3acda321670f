//! Morning wellness reports and evening recovery logs, with known true effects.
//!
//! Every morning's latent state is driven by yesterday's load, accumulated fatigue (fatigue above
//! fitness), illness, sleep and whatever recovery was done yesterday. The true effects of the
//! recovery methods ([`true_effects`]) are added on the latent scale before the 1–5 scores are
//! rounded, so an insights engine that adjusts for load and fatigue (docs/science.md) should find
//! them again. The methods are not used at random: ice baths follow the hardest days, so a naive
//! with/without comparison makes them look harmful although their true effect is zero.
//!
//! All coefficients here are the simulator's choices, picked to give the sizes reported in the
//! HRV literature (a hard day lowers next-morning ln rMSSD by ~0.1–0.2, day-to-day SD ~0.1;
//! Plews et al. 2014) and the recovery literature (massage has the strongest effect on soreness,
//! Dupuy et al. 2018; boots mostly on how one feels, Hoffman et al. 2016; docs/science.md).

use fettle_core::log::{RecoveryEntry, RecoveryMethod, WellnessEntry};
use jiff::civil::{Date, Weekday};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::rng::Rng;

/// The true effect of a recovery method on the next morning, on the latent scales (before the
/// 1–5 scores are rounded and clamped).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrueEffect {
    /// The method.
    pub method: RecoveryMethod,
    /// Change in next-morning soreness, points on the 1–5 scale (negative = less sore).
    pub soreness: f64,
    /// Change in next-morning fatigue, points on the 1–5 scale (negative = less tired).
    pub fatigue: f64,
    /// Change in next-morning ln rMSSD (positive = higher HRV).
    pub ln_rmssd: f64,
    /// When the effect applies.
    pub condition: String,
}

/// Next-morning effect of a sports massage: the largest on soreness (Dupuy et al. 2018).
const MASSAGE_EFFECT: (f64, f64, f64) = (-0.5, -0.2, 0.03);
/// Next-morning effect of compression boots: small, mostly on how one feels (Hoffman et al. 2016).
const BOOTS_EFFECT: (f64, f64, f64) = (-0.15, -0.25, 0.0);
/// Next-morning effect of an ice bath: none (the confounded method).
const ICE_BATH_EFFECT: (f64, f64, f64) = (0.0, 0.0, 0.0);
/// Next-morning effect of foam rolling: a small one on soreness (Wiewelhove et al. 2019).
const FOAM_ROLLING_EFFECT: (f64, f64, f64) = (-0.1, 0.0, 0.0);
/// Next-morning effect of refuelling within [`REFUEL_WINDOW_MIN`] after a hard or long session.
const TIMELY_MEAL_EFFECT: (f64, f64, f64) = (-0.1, -0.2, 0.0);
/// The refuelling window, minutes after the end of the session: the core's (docs/science.md:
/// 30 minutes).
pub const REFUEL_WINDOW_MIN: f64 = fettle_core::nutrition::REFUEL_WINDOW_MIN as f64;

/// The true next-morning effects of the logged recovery methods.
pub fn true_effects() -> Vec<TrueEffect> {
    let effect =
        |method, (soreness, fatigue, ln_rmssd): (f64, f64, f64), condition: &str| TrueEffect {
            method,
            soreness,
            fatigue,
            ln_rmssd,
            condition: condition.to_owned(),
        };
    vec![
        effect(RecoveryMethod::Massage, MASSAGE_EFFECT, "after any massage"),
        effect(
            RecoveryMethod::CompressionBoots,
            BOOTS_EFFECT,
            "after any boots session",
        ),
        effect(
            RecoveryMethod::ColdWaterImmersion,
            ICE_BATH_EFFECT,
            "none; ice baths are taken mostly after the hardest days, so a naive comparison is confounded",
        ),
        effect(
            RecoveryMethod::FoamRolling,
            FOAM_ROLLING_EFFECT,
            "after any foam rolling",
        ),
        effect(
            RecoveryMethod::Nutrition,
            TIMELY_MEAL_EFFECT,
            "only for a meal started within 30 min of the end of a hard or long session; none otherwise",
        ),
    ]
}

/// Per load point of yesterday's training: change in ln rMSSD.
const LN_RMSSD_PER_LOAD: f64 = -0.001;
/// Per point of fatigue above fitness: change in ln rMSSD.
const LN_RMSSD_PER_FATIGUE_POINT: f64 = -0.006;
/// Per hour of sleep below [`SLEEP_NEED_H`]: change in ln rMSSD.
const LN_RMSSD_PER_SLEEP_DEFICIT_H: f64 = -0.04;
/// Illness: change in ln rMSSD.
const LN_RMSSD_SICK: f64 = -0.25;
/// Day-to-day noise of ln rMSSD (white part), SD.
const LN_RMSSD_NOISE_SD: f64 = 0.08;
/// Slowly wandering part of ln rMSSD (life, season), stationary SD and daily persistence.
const LN_RMSSD_WANDER: (f64, f64) = (0.05, 0.7);
/// Resting HR: bpm per load point yesterday, per fatigue point, when ill; noise SD.
const REST_HR_PER_LOAD: f64 = 0.012;
/// See [`REST_HR_PER_LOAD`].
const REST_HR_PER_FATIGUE_POINT: f64 = 0.15;
/// See [`REST_HR_PER_LOAD`].
const REST_HR_SICK_BPM: f64 = 6.0;
/// See [`REST_HR_PER_LOAD`].
const REST_HR_NOISE_SD: f64 = 1.5;
/// Soreness: base, per load point yesterday, per fatigue point; noise SD.
const SORENESS_MODEL: (f64, f64, f64, f64) = (1.3, 0.011, 0.03, 0.45);
/// Fatigue: base, per load point yesterday, per fatigue point, per hour of sleep deficit; noise SD.
const FATIGUE_MODEL: (f64, f64, f64, f64, f64) = (1.5, 0.007, 0.05, 0.15, 0.45);
/// Sleep need, hours; nightly sleep is drawn around it and kept within 6–9 h.
const SLEEP_NEED_H: f64 = 7.5;
/// Probability that a morning has no entry at all, and that it lacks an HRV reading.
const MISSING_ENTRY_P: (f64, f64) = (0.07, 0.04);
/// Daily probability of falling ill, and the illness length range in days.
pub(crate) const ILLNESS: (f64, u32, u32) = (1.0 / 150.0, 3, 6);

/// Probability of an ice bath after the hardest days (long run, race or ≥ [`HARDEST_DAY_LOAD`]),
/// other hard days, and other days: heavily skewed to the hardest days (the confounding).
const ICE_BATH_USE: [f64; 3] = [0.65, 0.08, 0.0];
/// Probability of a boots session after the hardest days, other hard days, and other days.
const BOOTS_USE: [f64; 3] = [0.4, 0.1, 0.02];
/// Load from which a day counts among the hardest, load points.
const HARDEST_DAY_LOAD: f64 = 110.0;

/// The probability of using a method from its `[hardest, hard, other]` table.
fn use_probability(table: [f64; 3], hardest: bool, hard: bool) -> f64 {
    if hardest {
        table[0]
    } else if hard {
        table[1]
    } else {
        table[2]
    }
}

/// The summed next-morning effect of yesterday's recovery work.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct MorningEffect {
    pub(crate) soreness: f64,
    pub(crate) fatigue: f64,
    pub(crate) ln_rmssd: f64,
}

impl MorningEffect {
    fn add(&mut self, (soreness, fatigue, ln_rmssd): (f64, f64, f64)) {
        self.soreness += soreness;
        self.fatigue += fatigue;
        self.ln_rmssd += ln_rmssd;
    }
}

/// What the wellness model needs to know about a morning.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Morning {
    pub(crate) date: Date,
    pub(crate) yesterday_load: f64,
    pub(crate) fatigue_excess: f64,
    pub(crate) sick: bool,
    pub(crate) effect: MorningEffect,
}

/// A finished session, as the evening's recovery decisions see it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Finished {
    pub(crate) end: Timestamp,
    pub(crate) minutes: f64,
    pub(crate) hard: bool,
    pub(crate) long_or_race: bool,
    pub(crate) is_run: bool,
}

/// The wellness and recovery generator, with its slowly varying state.
#[derive(Debug, Clone)]
pub(crate) struct WellnessModel {
    baseline_ln_rmssd: f64,
    baseline_rest_hr: f64,
    mass_kg: f64,
    ln_rmssd_wander: f64,
    days_since_massage: u32,
}

/// Rounds a latent 1–5 score to the nearest whole point within the scale.
fn score(latent: f64) -> f64 {
    latent.round().clamp(1.0, 5.0)
}

impl WellnessModel {
    pub(crate) fn new(rmssd_baseline_ms: f64, rest_hr: f64, mass_kg: f64) -> WellnessModel {
        WellnessModel {
            baseline_ln_rmssd: rmssd_baseline_ms.ln(),
            baseline_rest_hr: rest_hr,
            mass_kg,
            ln_rmssd_wander: 0.0,
            days_since_massage: 7,
        }
    }

    /// The morning report, or `None` when the athlete logged nothing that day.
    pub(crate) fn morning(&mut self, m: &Morning, rng: &mut Rng) -> Option<WellnessEntry> {
        let (wander_sd, wander_phi) = LN_RMSSD_WANDER;
        self.ln_rmssd_wander = wander_phi * self.ln_rmssd_wander
            + wander_sd * (1.0 - wander_phi * wander_phi).sqrt() * rng.normal();
        // Draw everything every day so that a missing entry does not shift later draws.
        let sleep_h =
            (rng.gauss(SLEEP_NEED_H - 0.1, 0.55) - if m.sick { 0.5 } else { 0.0 }).clamp(6.0, 9.0);
        let sleep_h = (sleep_h * 12.0).round() / 12.0;
        let deficit = (SLEEP_NEED_H - sleep_h).max(0.0);
        let ln_rmssd = self.baseline_ln_rmssd
            + self.ln_rmssd_wander
            + LN_RMSSD_PER_LOAD * m.yesterday_load
            + LN_RMSSD_PER_FATIGUE_POINT * m.fatigue_excess
            + LN_RMSSD_PER_SLEEP_DEFICIT_H * deficit
            + if m.sick { LN_RMSSD_SICK } else { 0.0 }
            + m.effect.ln_rmssd
            + rng.gauss(0.0, LN_RMSSD_NOISE_SD);
        let rest_hr = self.baseline_rest_hr
            + REST_HR_PER_LOAD * m.yesterday_load
            + REST_HR_PER_FATIGUE_POINT * m.fatigue_excess
            + if m.sick { REST_HR_SICK_BPM } else { 0.0 }
            + rng.gauss(0.0, REST_HR_NOISE_SD);
        let (s0, s_load, s_fatigue, s_sd) = SORENESS_MODEL;
        let soreness = s0
            + s_load * m.yesterday_load
            + s_fatigue * m.fatigue_excess
            + m.effect.soreness
            + rng.gauss(0.0, s_sd);
        let (f0, f_load, f_fatigue, f_sleep, f_sd) = FATIGUE_MODEL;
        let fatigue = f0
            + f_load * m.yesterday_load
            + f_fatigue * m.fatigue_excess
            + f_sleep * deficit
            + if m.sick { 1.5 } else { 0.0 }
            + m.effect.fatigue
            + rng.gauss(0.0, f_sd);
        let workday_stress = match m.date.weekday() {
            Weekday::Saturday | Weekday::Sunday => 0.0,
            _ => 0.4,
        };
        let stress = rng.gauss(1.8 + workday_stress, 0.7);
        let sleep_quality =
            3.0 + (sleep_h - SLEEP_NEED_H) - 0.3 * (stress - 2.0) + rng.gauss(0.0, 0.6);
        let mood =
            4.0 - 0.4 * (fatigue - 2.0) - 0.3 * (stress - 2.0) - if m.sick { 1.0 } else { 0.0 }
                + rng.gauss(0.0, 0.5);
        let mass_kg = self.mass_kg + rng.gauss(0.0, 0.4);
        let (p_missing, p_no_hrv) = MISSING_ENTRY_P;
        let missing = rng.chance(p_missing);
        let no_hrv = rng.chance(p_no_hrv);
        if missing {
            return None;
        }
        Some(WellnessEntry {
            date: Some(m.date),
            sleep_h: Some(sleep_h),
            sleep_quality: Some(score(sleep_quality)),
            soreness: Some(score(soreness)),
            fatigue: Some(score(fatigue)),
            stress: Some(score(stress)),
            mood: Some(score(mood)),
            rmssd_ms: (!no_hrv).then(|| (ln_rmssd.exp() * 10.0).round() / 10.0),
            rest_hr: Some(rest_hr.round()),
            mass_kg: Some((mass_kg * 10.0).round() / 10.0),
            sick: m.sick,
            injured: false,
            source: Some("fettle-sim".to_owned()),
        })
    }

    /// The day's recovery work after `sessions`, appended to `log`; returns its effect on the
    /// next morning. `evening` is the athlete's local evening on that day (for sessions that are
    /// not tied to a run).
    pub(crate) fn evening(
        &mut self,
        sessions: &[Finished],
        day_load: f64,
        evening: Timestamp,
        rng: &mut Rng,
        log: &mut Vec<RecoveryEntry>,
    ) -> MorningEffect {
        let mut effect = MorningEffect::default();
        let first_new = log.len();
        let entry = |method, at: Timestamp| RecoveryEntry {
            method,
            at,
            minutes: None,
            temp_c: None,
            zones: Vec::new(),
            carbs_g: None,
            protein_g: None,
            note: None,
        };
        let after = |t: Timestamp, minutes: f64| {
            t.checked_add(SignedDuration::from_secs((minutes * 60.0).round() as i64))
                .unwrap_or(t)
        };
        let hardest = sessions.iter().any(|s| s.long_or_race) || day_load >= HARDEST_DAY_LOAD;
        let hard = sessions.iter().any(|s| s.hard);
        for s in sessions {
            if s.hard || s.minutes >= 60.0 {
                let delay = if rng.chance(0.7) {
                    rng.range(5.0, REFUEL_WINDOW_MIN)
                } else {
                    rng.range(35.0, 120.0)
                };
                let mut meal = entry(RecoveryMethod::Nutrition, after(s.end, delay));
                let carbs = self.mass_kg * rng.range(0.8, 1.2);
                meal.carbs_g = Some(carbs.round());
                meal.protein_g = Some((self.mass_kg * rng.range(0.2, 0.35)).round());
                log.push(meal);
                if delay <= REFUEL_WINDOW_MIN && (s.hard || s.minutes >= 75.0) {
                    effect.add(TIMELY_MEAL_EFFECT);
                }
            }
        }
        let last_end = sessions.iter().map(|s| s.end).max();
        if let Some(end) = last_end {
            // Ice baths follow the hardest days: the confounded method.
            let p_ice = use_probability(ICE_BATH_USE, hardest, hard);
            if rng.chance(p_ice) {
                let mut bath = entry(
                    RecoveryMethod::ColdWaterImmersion,
                    after(end, rng.range(20.0, 60.0)),
                );
                bath.minutes = Some(f64::from(rng.int(10, 15)));
                bath.temp_c = Some(f64::from(rng.int(10, 15)));
                log.push(bath);
                effect.add(ICE_BATH_EFFECT);
            }
            let p_boots = use_probability(BOOTS_USE, hardest, hard);
            if rng.chance(p_boots) {
                let mut boots = entry(
                    RecoveryMethod::CompressionBoots,
                    after(end, rng.range(90.0, 180.0)),
                );
                boots.minutes = Some(30.0);
                // Every zone the catalogue accepts for boots (feet, calves, quads, hips).
                boots.zones = RecoveryMethod::CompressionBoots
                    .spec()
                    .log
                    .zones
                    .unwrap_or_default()
                    .iter()
                    .map(|z| (*z).to_owned())
                    .collect();
                log.push(boots);
                effect.add(BOOTS_EFFECT);
            }
        }
        let ran = sessions.iter().any(|s| s.is_run);
        if rng.chance(if ran { 0.5 } else { 0.15 }) {
            let mut roll = entry(
                RecoveryMethod::FoamRolling,
                after(evening, rng.range(60.0, 150.0)),
            );
            roll.minutes = Some(f64::from(rng.int(8, 15)));
            log.push(roll);
            effect.add(FOAM_ROLLING_EFFECT);
        }
        // A massage every ~2 weeks, preferably the day after a long run or race (a rest day).
        self.days_since_massage += 1;
        if self.days_since_massage >= 12 && sessions.is_empty() && rng.chance(0.6)
            || self.days_since_massage >= 18
        {
            let mut massage = entry(RecoveryMethod::Massage, evening);
            massage.minutes = Some(if rng.chance(0.5) { 30.0 } else { 45.0 });
            massage.zones = ["calves", "hamstrings", "quads"]
                .map(str::to_owned)
                .to_vec();
            log.push(massage);
            effect.add(MASSAGE_EFFECT);
            self.days_since_massage = 0;
        }
        log[first_new..].sort_by_key(|e| e.at);
        effect
    }

    /// The athlete's baseline ln rMSSD.
    pub(crate) fn baseline_ln_rmssd(&self) -> f64 {
        self.baseline_ln_rmssd
    }
}
