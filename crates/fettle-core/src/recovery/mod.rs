//! Recovery advice after an activity: what to do, how much, when, why and on what evidence
//! (SCIENCE.md §6–7), plus recovery time ([`time`]), validation of logged recovery sessions and
//! meals, and compliance with a prescription ([`logging`]).
//!
//! [`prescribe`] is a set of named rules over a [`RecoveryContext`]. Each item's `reason` starts
//! with the stable id of the rule that fired (e.g. `cwi.after_hard_session`), so the CLI, the
//! tests and the athlete can ask "why?". Methods the athlete has no access to are never
//! prescribed (they are listed in `notes`); free methods (food, foam rolling or a massage ball,
//! sleep, rest) always can be. A health condition removes a method and the removal is listed in
//! `excluded` with the rule that removed it.
//!
//! Item times are [`ZonedDateTime`]s in the athlete's time zone and serialise as RFC 3339 with
//! the local offset (e.g. `2026-03-01T10:30:00+01:00`): `start`–`end` is the window in which to
//! do the item, not the duration of the session itself (that is in `dose`).

pub mod logging;
pub mod time;

use crate::log::RecoveryMethod;
use crate::nutrition::{
    self, DailyCarbTarget, FluidTarget, FoodCombo, REFUEL_WINDOW_MIN, WINDOW_MATTERS_LESS,
};
use crate::readiness::Recommendation;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeSet;

/// What kind of session just ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// An easy run.
    Easy,
    /// A long run.
    Long,
    /// A hard session (intervals, tempo, hills).
    Hard,
    /// A race.
    Race,
    /// Strength training.
    Strength,
}

/// Recovery equipment or services the athlete can use (`fettle profile access add …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Pneumatic compression boots.
    CompressionBoots,
    /// A bath or tub for cold-water immersion.
    IceBath,
    /// A whole-body cryotherapy centre.
    CryoCentre,
    /// A sports masseur.
    Massage,
    /// A foam roller (not required: a massage ball or a bottle works, so foam rolling is free).
    FoamRoller,
}

impl Access {
    /// The CLI word (`compression-boots`, `ice-bath`, `cryo-centre`, `massage`, `foam-roller`).
    pub fn as_str(self) -> &'static str {
        match self {
            Access::CompressionBoots => "compression-boots",
            Access::IceBath => "ice-bath",
            Access::CryoCentre => "cryo-centre",
            Access::Massage => "massage",
            Access::FoamRoller => "foam-roller",
        }
    }

    /// Parses a CLI word (hyphens or underscores; `boots`, `cryo`, `cryo-center` also work).
    pub fn parse(word: &str) -> Option<Access> {
        Some(
            match word.trim().to_ascii_lowercase().replace('_', "-").as_str() {
                "compression-boots" | "boots" => Access::CompressionBoots,
                "ice-bath" | "cold-water" | "cwi" => Access::IceBath,
                "cryo-centre" | "cryo-center" | "cryo" | "cryotherapy" => Access::CryoCentre,
                "massage" | "masseur" => Access::Massage,
                "foam-roller" | "foam-roll" | "massage-ball" => Access::FoamRoller,
                _ => return None,
            },
        )
    }
}

/// Health conditions that exclude methods (`fettle profile health add …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthCondition {
    /// Uncontrolled hypertension.
    UncontrolledHypertension,
    /// Heart disease.
    HeartDisease,
    /// Raynaud's phenomenon.
    Raynauds,
    /// Cold urticaria.
    ColdUrticaria,
    /// Cryoglobulinaemia.
    Cryoglobulinaemia,
    /// Pregnancy.
    Pregnancy,
    /// Open wounds.
    OpenWounds,
    /// Risk of deep-vein thrombosis.
    DvtRisk,
    /// An acute injury.
    AcuteInjury,
    /// Acute inflammation.
    Inflammation,
}

impl HealthCondition {
    /// The CLI word (e.g. `raynauds`, `dvt-risk`).
    pub fn as_str(self) -> &'static str {
        match self {
            HealthCondition::UncontrolledHypertension => "uncontrolled-hypertension",
            HealthCondition::HeartDisease => "heart-disease",
            HealthCondition::Raynauds => "raynauds",
            HealthCondition::ColdUrticaria => "cold-urticaria",
            HealthCondition::Cryoglobulinaemia => "cryoglobulinaemia",
            HealthCondition::Pregnancy => "pregnancy",
            HealthCondition::OpenWounds => "open-wounds",
            HealthCondition::DvtRisk => "dvt-risk",
            HealthCondition::AcuteInjury => "acute-injury",
            HealthCondition::Inflammation => "inflammation",
        }
    }

    /// Parses a CLI word (hyphens or underscores, a few common spellings).
    pub fn parse(word: &str) -> Option<HealthCondition> {
        use HealthCondition as H;
        Some(
            match word
                .trim()
                .to_ascii_lowercase()
                .replace(['_', '\''], "-")
                .as_str()
            {
                "uncontrolled-hypertension" | "hypertension" => H::UncontrolledHypertension,
                "heart-disease" | "cardiac" => H::HeartDisease,
                "raynauds" | "raynaud" | "raynaud-s" => H::Raynauds,
                "cold-urticaria" => H::ColdUrticaria,
                "cryoglobulinaemia" | "cryoglobulinemia" => H::Cryoglobulinaemia,
                "pregnancy" | "pregnant" => H::Pregnancy,
                "open-wounds" | "open-wound" | "wound" => H::OpenWounds,
                "dvt-risk" | "dvt" => H::DvtRisk,
                "acute-injury" | "injury" => H::AcuteInjury,
                "inflammation" => H::Inflammation,
                _ => return None,
            },
        )
    }
}

/// Hard exclusions for whole-body cryotherapy (SCIENCE.md §6).
pub const CRYO_EXCLUSIONS: [HealthCondition; 7] = [
    HealthCondition::UncontrolledHypertension,
    HealthCondition::HeartDisease,
    HealthCondition::Raynauds,
    HealthCondition::ColdUrticaria,
    HealthCondition::Cryoglobulinaemia,
    HealthCondition::Pregnancy,
    HealthCondition::OpenWounds,
];
/// Exclusions for cold-water immersion. SCIENCE.md lists the cold contraindications for
/// cryotherapy; Fettle applies the same list to immersion as a precaution (the same cold shock).
pub const CWI_EXCLUSIONS: [HealthCondition; 7] = CRYO_EXCLUSIONS;
/// Exclusions for compression boots (SCIENCE.md §6: open wounds, DVT risk, acute injury).
pub const BOOTS_EXCLUSIONS: [HealthCondition; 3] = [
    HealthCondition::OpenWounds,
    HealthCondition::DvtRisk,
    HealthCondition::AcuteInjury,
];
/// Exclusions for sports massage (SCIENCE.md §6: acute injury, inflammation).
pub const MASSAGE_EXCLUSIONS: [HealthCondition; 2] =
    [HealthCondition::AcuteInjury, HealthCondition::Inflammation];

/// No cold-water immersion or cryotherapy within this many hours after strength work: cold
/// blunts strength and hypertrophy gains (Roberts et al. 2015, J Physiol 593:4285). Roberts
/// applied CWI minutes after each session; Fettle's 24 h is a conservative choice.
pub const COLD_AFTER_STRENGTH_EXCLUSION_H: i64 = 24;
/// A session at least this long (minutes) counts as long (Fettle's choice: 90 min).
pub const LONG_SESSION_MIN: f64 = crate::classify::DEFAULT_LONG_RUN_MIN;
/// The next hard session within this many hours makes the refuelling window strict
/// (Kerksick 2017; Aragon & Schoenfeld 2013).
pub const NEXT_HARD_STRICT_WINDOW_H: i64 = 24;
/// The next hard session within this many hours is a congested schedule (boots, cold water).
pub const CONGESTED_SCHEDULE_H: i64 = 48;
/// Form below this is deeply negative and prescribes a rest day (SCIENCE.md §4: about −30).
pub const DEEP_NEGATIVE_FORM: f64 = -30.0;
/// Form below this means a heavy block: the sleep target is stressed (Fettle's choice).
pub const HEAVY_BLOCK_FORM: f64 = -10.0;
/// Sleep target, hours (Milewski et al. 2014).
pub const SLEEP_TARGET_H: f64 = 8.0;
/// Default local bedtime for the sleep window, hour of day (a setting; Fettle's default).
pub const DEFAULT_BEDTIME_HOUR: i8 = 22;
/// A run ending before this local hour ended in the small hours: the sleep window starts right
/// after refuelling instead of at the evening bedtime.
pub const EARLY_MORNING_END_HOUR: i8 = 5;
/// Massage within this many hours after a race or long run (Dupuy et al. 2018).
pub const MASSAGE_WINDOW_H: i64 = 48;
/// Window for boots, cold water, cryotherapy and foam rolling after the run, hours.
pub const SAME_DAY_WINDOW_H: i64 = 12;
/// Cold-water immersion as soon as possible after the run: within this many hours.
pub const CWI_WINDOW_H: i64 = 2;

/// Evidence for the nutrition item.
pub const EVIDENCE_NUTRITION: &str = "Carbohydrate + protein at ~4:1 soon after hard or long \
runs restores glycogen and starts repair: Kerksick et al. 2017 (JISSN 14:33); amounts: Burke et \
al. 2011 (J Sports Sci 29:S17); fluids: ACSM 2007 position stand; timing matters less when the \
next session is far: Aragon & Schoenfeld 2013.";
/// Evidence for compression boots.
pub const EVIDENCE_BOOTS: &str = "Hoffman et al. 2016 (JOSPT 46:320): less perceived fatigue and \
soreness right after; no functional gain over the following days. Benefit: how you feel.";
/// Evidence for cold-water immersion.
pub const EVIDENCE_CWI: &str = "Versey et al. 2013 (Sports Med 43:1101); Machado et al. 2016 \
(Sports Med 46:503): 10–15 °C for 10–15 min is best for soreness at 24 h; avoid within hours \
of strength work (Roberts et al. 2015, J Physiol 593:4285).";
/// Evidence for whole-body cryotherapy.
pub const EVIDENCE_CRYO: &str = "Poppendieck et al. 2013: small effects on perceived recovery \
(g ≈ 0.25). −110 °C or colder, 2–3 min, never over 3; dry skin, gloves, socks, mouth mask.";
/// Evidence for sports massage.
pub const EVIDENCE_MASSAGE: &str = "Dupuy et al. 2018 (Front Physiol 9:403): the strongest \
evidence of all methods for DOMS and perceived fatigue.";
/// Evidence for foam rolling.
pub const EVIDENCE_FOAM: &str = "Wiewelhove et al. 2019 (Front Physiol 10:376): less pain \
perception, small sprint and strength gains.";
/// Evidence for sleep.
pub const EVIDENCE_SLEEP: &str = "Milewski et al. 2014: athletes sleeping < 8 h/night had 1.7× \
the injury risk.";
/// Evidence for a rest day.
pub const EVIDENCE_REST: &str = "SCIENCE.md §5–6: rest when readiness is low, form deeply \
negative (below about −30, §4) or after a race.";

/// The session that just ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The activity's id in the store.
    pub activity_id: String,
    /// When it ended.
    pub end: Timestamp,
    /// What kind of session it was.
    pub kind: SessionKind,
    /// Its load, load points.
    pub load: f64,
    /// Its duration, minutes.
    pub duration_min: f64,
    /// Its distance, metres.
    pub distance_m: Option<f64>,
}

/// Everything [`prescribe`] looks at.
#[derive(Debug, Clone, PartialEq)]
pub struct RecoveryContext {
    /// The session.
    pub session: SessionInfo,
    /// The athlete's time zone (for item times and "tonight").
    pub tz: TimeZone,
    /// Fitness (CTL) before the session, load points.
    pub fitness: f64,
    /// Form this morning, when known.
    pub form: Option<f64>,
    /// The next planned hard session, when a plan exists.
    pub next_hard_session: Option<Timestamp>,
    /// Body mass, kg (scales the food).
    pub body_mass_kg: Option<f64>,
    /// Body mass right before the run, kg.
    pub mass_before_kg: Option<f64>,
    /// Body mass right after the run, kg.
    pub mass_after_kg: Option<f64>,
    /// Equipment and services available.
    pub access: BTreeSet<Access>,
    /// Health conditions.
    pub health: BTreeSet<HealthCondition>,
    /// When the last strength session ended.
    pub last_strength_session: Option<Timestamp>,
    /// Today's readiness recommendation.
    pub readiness: Option<Recommendation>,
    /// Hours of training today, including this session (defaults to the session's duration).
    pub training_hours_today: Option<f64>,
}

/// One prescribed item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// The method.
    pub method: RecoveryMethod,
    /// What and how much.
    pub dose: String,
    /// Start of the window in which to do it.
    #[serde(serialize_with = "serialize_rfc3339")]
    pub start: ZonedDateTime,
    /// End of the window.
    #[serde(serialize_with = "serialize_rfc3339")]
    pub end: ZonedDateTime,
    /// The rule id that fired, a colon, and why.
    pub reason: String,
    /// The evidence and its citation.
    pub evidence: &'static str,
    /// First-serving carbohydrate, g (nutrition only; absent when body mass is unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carbs_g: Option<f64>,
    /// First-serving protein, g (nutrition only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protein_g: Option<f64>,
    /// Start refuelling by (nutrition only).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_rfc3339_opt"
    )]
    pub deadline: Option<ZonedDateTime>,
    /// Fluids from the mass lost (nutrition only, when both masses are known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fluids: Option<FluidTarget>,
    /// The day's carbohydrate and protein target (nutrition only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_target: Option<DailyCarbTarget>,
    /// Real-food combinations meeting the grams (nutrition only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub foods: Vec<FoodCombo>,
}

/// A method removed by a health condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exclusion {
    /// The method removed.
    pub method: RecoveryMethod,
    /// The rule id.
    pub rule: &'static str,
    /// Why, naming the condition or conflict.
    pub reason: String,
}

/// The prescription after one activity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prescription {
    /// The activity's id.
    pub activity_id: String,
    /// When the activity ended, local time.
    #[serde(serialize_with = "serialize_rfc3339")]
    pub activity_end: ZonedDateTime,
    /// What to do.
    pub items: Vec<Item>,
    /// Methods removed by a health condition or a conflict.
    pub excluded: Vec<Exclusion>,
    /// Everything else worth saying (methods not available, alternatives, caveats).
    pub notes: Vec<String>,
}

/// Serialises an instant as RFC 3339 with its local offset (no bracketed zone name).
pub(crate) fn serialize_rfc3339<S: Serializer>(z: &ZonedDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&z.timestamp().display_with_offset(z.offset()))
}

fn serialize_rfc3339_opt<S: Serializer>(
    z: &Option<ZonedDateTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match z {
        Some(z) => serialize_rfc3339(z, s),
        None => s.serialize_none(),
    }
}

/// `t + minutes`, saturating at the ends of time.
fn plus_min(t: Timestamp, minutes: i64) -> Timestamp {
    t.saturating_add(SignedDuration::from_mins(minutes))
        .unwrap_or(t)
}

/// Hours from `a` to `b` (negative when `b` is earlier).
fn hours_between(a: Timestamp, b: Timestamp) -> f64 {
    b.duration_since(a).as_secs_f64() / 3600.0
}

/// Builds the prescription for one activity. See the module doc for the conventions.
pub fn prescribe(ctx: &RecoveryContext) -> Prescription {
    let s = &ctx.session;
    let end = s.end;
    let zoned = |t: Timestamp| t.to_zoned_datetime(ctx.tz.clone());
    let is_race = s.kind == SessionKind::Race;
    let is_strength = s.kind == SessionKind::Strength;
    // Hard and long come from what the session contained (`crate::classify`), never from its
    // load against fitness: a long easy run carries a big load and is not hard.
    let is_hard = matches!(s.kind, SessionKind::Hard | SessionKind::Race);
    let is_long = s.kind == SessionKind::Long;
    let hours_to_next_hard = ctx
        .next_hard_session
        .map(|t| hours_between(end, t))
        .filter(|h| *h >= 0.0);
    let next_hard_within = |h: i64| hours_to_next_hard.is_some_and(|x| x <= h as f64);
    let strength_recent = ctx.last_strength_session.is_some_and(|t| {
        let h = hours_between(t, end);
        (0.0..=COLD_AFTER_STRENGTH_EXCLUSION_H as f64).contains(&h)
    }) || is_strength;

    let mut items = Vec::new();
    let mut excluded = Vec::new();
    let mut notes = Vec::new();
    let blank = |method, dose: String, start, stop, reason: String, evidence| Item {
        method,
        dose,
        start,
        end: stop,
        reason,
        evidence,
        carbs_g: None,
        protein_g: None,
        deadline: None,
        fluids: None,
        daily_target: None,
        foods: Vec::new(),
    };

    // Nutrition: always (food is free); strict window after long/hard sessions or when the
    // next hard session is close.
    {
        let strict = is_hard || is_long || next_hard_within(NEXT_HARD_STRICT_WINDOW_H);
        let deadline = plus_min(end, REFUEL_WINDOW_MIN);
        let mut item = blank(
            RecoveryMethod::Nutrition,
            String::new(),
            zoned(end),
            zoned(deadline),
            String::new(),
            EVIDENCE_NUTRITION,
        );
        item.deadline = Some(zoned(deadline));
        item.reason = if strict {
            let why = if is_hard || is_long {
                "after a long or hard session"
            } else {
                "your next hard session is within 24 h"
            };
            format!("nutrition.window: {why}, start refuelling within {REFUEL_WINDOW_MIN} min")
        } else {
            format!("nutrition.daily: not a long or hard session. {WINDOW_MATTERS_LESS}")
        };
        match ctx.body_mass_kg.filter(|m| *m > 0.0 && m.is_finite()) {
            Some(mass) => {
                let serving = nutrition::first_serving(mass, end);
                item.carbs_g = Some(serving.carbs_g);
                item.protein_g = Some(serving.protein_g);
                item.dose = format!(
                    "{:.0} g carbohydrate + {:.0} g protein (4:1; 0.8 + 0.2 g/kg at {mass:.1} kg)",
                    serving.carbs_g, serving.protein_g
                );
                item.foods = nutrition::suggest_foods(serving.carbs_g, serving.protein_g, 3);
                let hours = ctx
                    .training_hours_today
                    .unwrap_or(s.duration_min / 60.0)
                    .max(0.0);
                item.daily_target = Some(nutrition::daily_carb_target(hours, mass));
            }
            None => {
                item.dose =
                    "carbohydrate and protein at about 4:1 (0.8 + 0.2 g per kg body mass)".into();
                notes.push(
                    "body mass unknown: log it to get the grams for your first serving".into(),
                );
            }
        }
        let fluids = ctx
            .mass_before_kg
            .zip(ctx.mass_after_kg)
            .and_then(|(before, after)| nutrition::fluid_target(before, after));
        if let Some(f) = fluids {
            item.dose.push_str(&format!(
                "; drink {:.1}–{:.1} L over the next hours with sodium (salty food or an \
                 electrolyte drink) for the {:.1} kg lost",
                f.litres_low, f.litres_high, f.mass_lost_kg
            ));
            item.fluids = Some(f);
        }
        items.push(item);
    }

    // Cold: cold-water immersion first, cryotherapy as the alternative.
    let cold_fires = is_hard || (next_hard_within(CONGESTED_SCHEDULE_H) && is_long);
    let mut cold_prescribed = false;
    if cold_fires && ctx.access.contains(&Access::IceBath) {
        let blocked = health_block(&ctx.health, &CWI_EXCLUSIONS);
        if let Some(c) = blocked {
            excluded.push(Exclusion {
                method: RecoveryMethod::ColdWaterImmersion,
                rule: "cwi.health_exclusion",
                reason: format!("cold-water immersion removed: {}", c.as_str()),
            });
        } else if strength_recent {
            excluded.push(Exclusion {
                method: RecoveryMethod::ColdWaterImmersion,
                rule: "cwi.after_strength",
                reason: format!(
                    "cold-water immersion removed: strength work within \
                     {COLD_AFTER_STRENGTH_EXCLUSION_H} h (cold blunts strength gains: Roberts \
                     et al. 2015)"
                ),
            });
        } else {
            cold_prescribed = true;
            items.push(blank(
                RecoveryMethod::ColdWaterImmersion,
                "10–15 min in water at 10–15 °C, up to the waist or neck".into(),
                zoned(end),
                zoned(plus_min(end, CWI_WINDOW_H * 60)),
                if is_race {
                    "cwi.after_race: soreness and perceived recovery at 24 h".into()
                } else {
                    "cwi.after_hard_session: soreness and perceived recovery at 24 h".into()
                },
                EVIDENCE_CWI,
            ));
        }
    } else if cold_fires {
        notes.push("cold-water immersion not prescribed: no ice-bath access".into());
    }
    if cold_fires && ctx.access.contains(&Access::CryoCentre) {
        if let Some(c) = health_block(&ctx.health, &CRYO_EXCLUSIONS) {
            excluded.push(Exclusion {
                method: RecoveryMethod::Cryotherapy,
                rule: "cryo.hard_exclusion",
                reason: format!(
                    "whole-body cryotherapy removed: {} is a hard exclusion",
                    c.as_str()
                ),
            });
        } else if strength_recent {
            excluded.push(Exclusion {
                method: RecoveryMethod::Cryotherapy,
                rule: "cryo.after_strength",
                reason: format!(
                    "cryotherapy removed: strength work within {COLD_AFTER_STRENGTH_EXCLUSION_H} h \
                     (cold blunts strength gains: Roberts et al. 2015)"
                ),
            });
        } else if cold_prescribed {
            notes.push(
                "cryotherapy is an alternative to the ice bath, not an addition: one cold method \
                 per session"
                    .into(),
            );
        } else {
            items.push(blank(
                RecoveryMethod::Cryotherapy,
                "2–3 min at −110 °C or colder (never over 3 min); dry skin, gloves, socks, mouth \
                 mask. May bring a buzz or sudden tiredness afterwards"
                    .into(),
                zoned(end),
                zoned(plus_min(end, SAME_DAY_WINDOW_H * 60)),
                "cryo.after_hard_session: perceived recovery (small effect)".into(),
                EVIDENCE_CRYO,
            ));
        }
    }

    // Compression boots after long runs, races or in a congested schedule.
    let boots_fire = !is_strength && (is_long || is_race || next_hard_within(CONGESTED_SCHEDULE_H));
    if boots_fire {
        if !ctx.access.contains(&Access::CompressionBoots) {
            notes.push("compression boots not prescribed: no access".into());
        } else if let Some(c) = health_block(&ctx.health, &BOOTS_EXCLUSIONS) {
            excluded.push(Exclusion {
                method: RecoveryMethod::CompressionBoots,
                rule: "boots.health_exclusion",
                reason: format!("compression boots removed: {}", c.as_str()),
            });
        } else {
            let why = if is_race {
                "after a race"
            } else if is_long {
                "after a long run"
            } else {
                "next hard session within 48 h"
            };
            items.push(blank(
                RecoveryMethod::CompressionBoots,
                "20–30 min, sequential zones feet → calves → quads → hips, the device's recovery \
                 mode. Benefit: how you feel"
                    .into(),
                zoned(plus_min(end, REFUEL_WINDOW_MIN)),
                zoned(plus_min(end, SAME_DAY_WINDOW_H * 60)),
                format!("boots.after_long_or_race: {why}; reduces perceived fatigue and soreness"),
                EVIDENCE_BOOTS,
            ));
        }
    }

    // Massage after races and long runs, within 48 h.
    if is_race || is_long {
        if !ctx.access.contains(&Access::Massage) {
            notes.push("massage not prescribed: no access to a masseur".into());
        } else if let Some(c) = health_block(&ctx.health, &MASSAGE_EXCLUSIONS) {
            excluded.push(Exclusion {
                method: RecoveryMethod::Massage,
                rule: "massage.health_exclusion",
                reason: format!("massage removed: {}", c.as_str()),
            });
        } else {
            items.push(blank(
                RecoveryMethod::Massage,
                "20–30 min sports massage of the legs".into(),
                zoned(end),
                zoned(plus_min(end, MASSAGE_WINDOW_H * 60)),
                "massage.after_race_or_long: DOMS and perceived fatigue; same day or within 48 h"
                    .into(),
                EVIDENCE_MASSAGE,
            ));
        }
    }

    // Foam rolling: free, always.
    items.push(blank(
        RecoveryMethod::FoamRolling,
        "about 10 min, 30–60 s per muscle group (calves, quads, hamstrings, glutes); a massage \
         ball works too"
            .into(),
        zoned(end),
        zoned(plus_min(end, SAME_DAY_WINDOW_H * 60)),
        "foam_rolling.always: free, daily or after runs".into(),
        EVIDENCE_FOAM,
    ));

    // Sleep: free, always; stressed in heavy blocks.
    {
        let local_end = zoned(end);
        let usual = local_end
            .date()
            .at(DEFAULT_BEDTIME_HOUR, 0, 0, 0)
            .to_zoned_datetime(ctx.tz.clone())
            .unwrap_or_else(|_| local_end.clone());
        // A run ending late in the evening or in the small hours: sleep after refuelling.
        let late = local_end.datetime().hour() < EARLY_MORNING_END_HOUR
            || usual.timestamp() < plus_min(end, REFUEL_WINDOW_MIN);
        let bedtime = if late {
            zoned(plus_min(end, REFUEL_WINDOW_MIN))
        } else {
            usual
        };
        let wake = zoned(plus_min(
            bedtime.timestamp(),
            (SLEEP_TARGET_H * 60.0) as i64,
        ));
        let heavy = ctx.form.is_some_and(|f| f < HEAVY_BLOCK_FORM) || is_hard || is_long;
        items.push(blank(
            RecoveryMethod::Sleep,
            format!("at least {SLEEP_TARGET_H:.0} h tonight"),
            bedtime,
            wake,
            if heavy {
                "sleep.heavy_block: heavy training (hard or long session, or form below −10): \
                 protect at least 8 h"
                    .into()
            } else {
                "sleep.always: at least 8 h supports everything else".into()
            },
            EVIDENCE_SLEEP,
        ));
    }

    // Rest day.
    let rest_reason = if ctx.readiness == Some(Recommendation::Rest) {
        Some("rest.readiness: today's readiness says rest")
    } else if ctx.form.is_some_and(|f| f < DEEP_NEGATIVE_FORM) {
        Some("rest.deep_negative_form: form below −30 (overreaching warning)")
    } else if is_race {
        Some("rest.after_race: a rest or very easy day after racing")
    } else {
        None
    };
    if let Some(reason) = rest_reason {
        let local_end = zoned(end);
        let tomorrow = local_end.date().tomorrow().unwrap_or(local_end.date());
        let start = tomorrow
            .to_zoned_datetime(ctx.tz.clone())
            .unwrap_or_else(|_| local_end.clone());
        let day_after = tomorrow.tomorrow().unwrap_or(tomorrow);
        let stop = day_after
            .to_zoned_datetime(ctx.tz.clone())
            .unwrap_or_else(|_| start.clone());
        let clashes = ctx
            .next_hard_session
            .is_some_and(|next| next >= start.timestamp() && next < stop.timestamp());
        if clashes {
            notes.push(
                "your planned hard session falls on the rest day: move it at least a day".into(),
            );
        }
        items.push(blank(
            RecoveryMethod::Rest,
            "a rest day (or 20–30 min of very easy movement)".into(),
            start,
            stop,
            reason.into(),
            EVIDENCE_REST,
        ));
    }

    Prescription {
        activity_id: s.activity_id.clone(),
        activity_end: zoned(end),
        items,
        excluded,
        notes,
    }
}

/// The first of `conditions` the athlete has, if any.
fn health_block(
    health: &BTreeSet<HealthCondition>,
    conditions: &[HealthCondition],
) -> Option<HealthCondition> {
    conditions.iter().copied().find(|c| health.contains(c))
}

#[cfg(test)]
mod tests;
