//! Recovery advice after an activity: what to do, how much, when, why and on what evidence
//! (the method is written up in `docs/science.md`), plus recovery time ([`time`]), validation
//! of logged recovery sessions and meals, and compliance with a prescription ([`logging`]).
//!
//! [`prescribe`] is a set of named rules over a [`RecoveryContext`]. Each item carries the
//! stable id of the rule that fired in `rule` (for tests and code; never shown to the athlete)
//! and a `reason` written as a sentence for the athlete. Methods the athlete has no access to
//! are never prescribed (they are listed in `notes`); free methods (food, foam rolling or a
//! massage ball, sleep, rest) always can be. A health condition, strength work or a strength
//! block removes a method and the removal is listed in `excluded`, naming the method and why
//! ("no ice bath: Raynaud's in your profile").
//!
//! What each method is, how much and when ([`protocol`]) is shared with the planner, so `fettle
//! recover` and the plan never disagree on timing or dose.
//!
//! Whether the session was hard or long is asked in one place, [`session_demand`].
//!
//! Item times are [`ZonedDateTime`]s in the athlete's time zone and serialise as RFC 3339 with
//! the local offset (e.g. `2026-03-01T10:30:00+01:00`): `start`–`end` is the window in which to
//! do the item, not the duration of the session itself (that is in `dose`).

pub mod catalogue;
pub mod logging;
pub mod protocol;
pub mod time;

use crate::nutrition::{
    self, DailyCarbTarget, FluidTarget, FoodCombo, REFUEL_REPEAT_HOURS, REFUEL_WINDOW_MIN,
    RefuelServing, WINDOW_MATTERS_LESS,
};
use crate::readiness::Recommendation;
pub use catalogue::{
    Access, BOOTS_EXCLUSIONS, CRYO_EXCLUSIONS, CWI_EXCLUSIONS, EVIDENCE_BOOTS, EVIDENCE_CRYO,
    EVIDENCE_CWI, EVIDENCE_FOAM, EVIDENCE_GARMENTS, EVIDENCE_MASSAGE, EVIDENCE_NUTRITION,
    EVIDENCE_REST, EVIDENCE_SLEEP, GARMENTS_EXCLUSIONS, MASSAGE_EXCLUSIONS, MethodSpec, Prescribed,
    RecoveryMethod,
};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use protocol::{Demand, Timing};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeSet;

/// What kind of session just ended: the planner's kind (one type), of which the advice sees
/// `easy`, `long`, `hard`, `race` and `strength`.
pub use crate::plan::SessionKind;

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
    /// Peripheral arterial disease (compression can restrict blood flow further).
    PeripheralArterialDisease,
    /// Skin lesions or fragile skin on the legs.
    SkinLesions,
}

impl HealthCondition {
    /// Every condition, in the order lists show them: the one list every face uses.
    pub const ALL: [HealthCondition; 12] = [
        HealthCondition::UncontrolledHypertension,
        HealthCondition::HeartDisease,
        HealthCondition::Raynauds,
        HealthCondition::ColdUrticaria,
        HealthCondition::Cryoglobulinaemia,
        HealthCondition::Pregnancy,
        HealthCondition::OpenWounds,
        HealthCondition::DvtRisk,
        HealthCondition::AcuteInjury,
        HealthCondition::Inflammation,
        HealthCondition::PeripheralArterialDisease,
        HealthCondition::SkinLesions,
    ];

    /// The condition in words, for sentences ("Raynaud's in your profile").
    pub fn label(self) -> &'static str {
        match self {
            HealthCondition::UncontrolledHypertension => "uncontrolled high blood pressure",
            HealthCondition::HeartDisease => "heart disease",
            HealthCondition::Raynauds => "Raynaud's",
            HealthCondition::ColdUrticaria => "cold urticaria",
            HealthCondition::Cryoglobulinaemia => "cryoglobulinaemia",
            HealthCondition::Pregnancy => "pregnancy",
            HealthCondition::OpenWounds => "open wounds",
            HealthCondition::DvtRisk => "a risk of deep-vein thrombosis",
            HealthCondition::AcuteInjury => "an acute injury",
            HealthCondition::Inflammation => "acute inflammation",
            HealthCondition::PeripheralArterialDisease => "peripheral arterial disease",
            HealthCondition::SkinLesions => "skin lesions",
        }
    }

    /// The condition's name in lists (the dashboard's checkboxes).
    pub fn title(self) -> &'static str {
        match self {
            HealthCondition::UncontrolledHypertension => "Uncontrolled high blood pressure",
            HealthCondition::HeartDisease => "Heart disease",
            HealthCondition::Raynauds => "Raynaud's phenomenon",
            HealthCondition::ColdUrticaria => "Cold urticaria",
            HealthCondition::Cryoglobulinaemia => "Cryoglobulinaemia",
            HealthCondition::Pregnancy => "Pregnancy",
            HealthCondition::OpenWounds => "Open wounds",
            HealthCondition::DvtRisk => "Risk of deep-vein thrombosis",
            HealthCondition::AcuteInjury => "Acute injury",
            HealthCondition::Inflammation => "Acute inflammation",
            HealthCondition::PeripheralArterialDisease => "Peripheral arterial disease",
            HealthCondition::SkinLesions => "Skin lesions on the legs",
        }
    }

    /// The condition words joined for a message ("…, skin-lesions").
    pub fn words() -> String {
        catalogue::or_list(HealthCondition::ALL.iter().map(|c| c.as_str()))
    }

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
            HealthCondition::PeripheralArterialDisease => "peripheral-arterial-disease",
            HealthCondition::SkinLesions => "skin-lesions",
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
                "peripheral-arterial-disease" | "pad" | "peripheral-artery-disease" => {
                    H::PeripheralArterialDisease
                }
                "skin-lesions" | "skin-lesion" | "fragile-skin" => H::SkinLesions,
                _ => return None,
            },
        )
    }
}

/// No cold-water immersion or cryotherapy within this many hours after strength work: cold
/// blunts strength and hypertrophy gains (Roberts et al. 2015, J Physiol 593:4285). Roberts
/// applied CWI minutes after each session; Fettle's 24 h is a conservative choice.
pub const COLD_AFTER_STRENGTH_EXCLUSION_H: i64 = 24;
/// A session at least this long (minutes) counts as long (Fettle's choice: 90 min).
pub const LONG_SESSION_MIN: f64 = crate::classify::DEFAULT_LONG_RUN_MIN;
/// Below this duration (minutes) an easy run needs no refuelling window, only a normal meal.
pub const NORMAL_MEAL_BELOW_MIN: f64 = 60.0;
/// The next hard session within this many hours makes the refuelling window strict
/// (Kerksick 2017; Aragon & Schoenfeld 2013).
pub const NEXT_HARD_STRICT_WINDOW_H: i64 = protocol::NEXT_HARD_STRICT_WINDOW_H as i64;
/// The next hard session within this many hours is a congested schedule (boots, cold water).
pub const CONGESTED_SCHEDULE_H: i64 = protocol::CONGESTED_SCHEDULE_H as i64;
/// Form below this is deeply negative and prescribes a rest day (about −30: a sign of
/// functional overreaching in the fitness–fatigue model).
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
pub const MASSAGE_WINDOW_H: i64 = (protocol::MASSAGE.until_min / 60) as i64;
/// Window for boots, cryotherapy and foam rolling after the run, hours.
pub const SAME_DAY_WINDOW_H: i64 = 12;
/// Cold-water immersion as soon as possible after the run: within this many hours.
pub const CWI_WINDOW_H: i64 = (protocol::ICE_BATH.until_min / 60) as i64;

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

/// Whether a session was hard and whether it was long: what every rule that depends on the
/// session's demand asks, answered in this one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionDemand {
    /// A hard session (or a race).
    pub hard: bool,
    /// A long session.
    pub long: bool,
}

/// Was this session hard, was it long? Both follow from the session's kind, which
/// [`crate::classify`] decided from what the session contained (time above threshold, intensity
/// factor, duration against the athlete's usual long run, the race flag, RPE) — never from its
/// load against fitness: a long easy run carries a big load and is not hard. Every rule
/// (refuelling, cold, boots, garments, massage, sleep) asks here.
pub fn session_demand(session: &SessionInfo) -> SessionDemand {
    SessionDemand {
        hard: session.kind.is_hard(),
        long: session.kind == SessionKind::Long,
    }
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
    /// The athlete is in a strength-focused block (`profile set --strength-block on`): no cold
    /// after any session then.
    pub strength_block: bool,
    /// The session was done in the heat.
    pub hot: bool,
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
    /// The stable id of the rule that fired (for code and tests; not shown to the athlete).
    #[serde(skip)]
    pub rule: &'static str,
    /// Why, as a sentence for the athlete.
    pub reason: String,
    /// The evidence and its citation.
    pub evidence: &'static str,
    /// Carbohydrate to aim at in the serving, g: the middle of the range (nutrition only; absent
    /// when body mass is unknown or there is no window).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carbs_g: Option<f64>,
    /// Protein to aim at in the serving, g (nutrition only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protein_g: Option<f64>,
    /// The serving's ranges and its 4:1 ratio (nutrition only, with a window).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serving: Option<RefuelServing>,
    /// Start refuelling by (nutrition only, with a window).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_rfc3339_opt"
    )]
    pub deadline: Option<ZonedDateTime>,
    /// Repeat the serving every hour for this many hours (the next hard session is within a
    /// day).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat_hourly_for_h: Option<u32>,
    /// Fluids from the mass lost (nutrition only, when both masses are known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fluids: Option<FluidTarget>,
    /// The day's carbohydrate and protein target (nutrition only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_target: Option<DailyCarbTarget>,
    /// Real-food combinations meeting the grams (nutrition only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub foods: Vec<FoodCombo>,
    /// The dose's duration, minutes (garments: the time worn), for logging it as done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    /// The dose's temperature, °C (ice bath, cryotherapy), for logging it as done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temp_c: Option<f64>,
}

/// A method removed by a health condition, strength work or a strength block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exclusion {
    /// The method removed.
    pub method: RecoveryMethod,
    /// The stable id of the rule (for code and tests; not shown to the athlete).
    #[serde(skip)]
    pub rule: &'static str,
    /// Which method and why, as a sentence ("no ice bath: Raynaud's in your profile").
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

/// Why a method is removed, as a sentence: "no ice bath: Raynaud's in your profile".
fn health_reason(method: RecoveryMethod, condition: HealthCondition) -> String {
    format!(
        "no {}: {} in your profile",
        method.label(),
        condition.label()
    )
}

/// Builds the prescription for one activity. See the module doc for the conventions.
pub fn prescribe(ctx: &RecoveryContext) -> Prescription {
    let s = &ctx.session;
    let end = s.end;
    let zoned = |t: Timestamp| t.to_zoned_datetime(ctx.tz.clone());
    let window = |timing: Timing| {
        (
            zoned(plus_min(end, i64::from(timing.from_min))),
            zoned(plus_min(end, i64::from(timing.until_min))),
        )
    };
    let is_race = s.kind == SessionKind::Race;
    let is_strength = s.kind == SessionKind::Strength;
    let demand_of_session = session_demand(s);
    let (is_hard, is_long) = (demand_of_session.hard, demand_of_session.long);
    let hours_to_next_hard = ctx
        .next_hard_session
        .map(|t| hours_between(end, t))
        .filter(|h| *h >= 0.0);
    let demand = Demand {
        hard: is_hard,
        long: is_long,
        race: is_race,
        strength: is_strength,
        hours_to_next_hard,
        hot: ctx.hot,
    };
    let strength_recent = ctx.last_strength_session.is_some_and(|t| {
        let h = hours_between(t, end);
        (0.0..=COLD_AFTER_STRENGTH_EXCLUSION_H as f64).contains(&h)
    }) || is_strength;

    let mut items = Vec::new();
    let mut excluded = Vec::new();
    let mut notes = Vec::new();
    let blank = |method,
                 dose: String,
                 (start, stop): (ZonedDateTime, ZonedDateTime),
                 rule,
                 reason: String,
                 evidence| Item {
        method,
        dose,
        start,
        end: stop,
        rule,
        reason,
        evidence,
        carbs_g: None,
        protein_g: None,
        serving: None,
        deadline: None,
        repeat_hourly_for_h: None,
        fluids: None,
        daily_target: None,
        foods: Vec::new(),
        minutes: RecoveryMethod::spec(method).dose_minutes,
        temp_c: RecoveryMethod::spec(method).dose_temp_c,
    };

    // Nutrition: always (food is free). After long or hard sessions the 30-minute window with
    // a serving scaled to body mass, repeated hourly when the next hard session is within a
    // day; after easy runs a normal meal.
    {
        let mass = ctx.body_mass_kg.filter(|m| *m > 0.0 && m.is_finite());
        let mut item = if protocol::refuel_window(&demand) {
            let deadline = nutrition::refuel_deadline(end);
            let repeats = protocol::refuel_repeats(&demand);
            let why = if is_race {
                "after a race"
            } else if is_hard && is_long {
                "after a long, hard session"
            } else if is_hard {
                "after a hard session"
            } else {
                "after a long session"
            };
            let reason = if repeats {
                format!(
                    "{why} your glycogen is low and your next hard session is within 24 h: start \
                     refuelling within {REFUEL_WINDOW_MIN} min and repeat the serving every \
                     hour for up to {REFUEL_REPEAT_HOURS} h"
                )
            } else {
                format!(
                    "{why} your glycogen is low: start refuelling within {REFUEL_WINDOW_MIN} \
                     min; with no hard session in the next 24 h one serving is enough, then \
                     your normal meals"
                )
            };
            let mut item = blank(
                RecoveryMethod::Nutrition,
                String::new(),
                window(protocol::REFUEL),
                if repeats {
                    "nutrition.window_repeated"
                } else {
                    "nutrition.window"
                },
                reason,
                EVIDENCE_NUTRITION,
            );
            item.deadline = Some(zoned(deadline));
            item.repeat_hourly_for_h = repeats.then_some(REFUEL_REPEAT_HOURS);
            let repeat_words = if repeats {
                format!(", then the same every hour for up to {REFUEL_REPEAT_HOURS} h")
            } else {
                String::new()
            };
            match mass {
                Some(mass) => {
                    let serving = nutrition::refuel_serving(mass);
                    item.carbs_g = Some(serving.carbs_g());
                    item.protein_g = Some(serving.protein_g());
                    item.serving = Some(serving);
                    item.dose = format!(
                        "{:.0}–{:.0} g carbohydrate + {:.1}–{:.0} g protein, 4:1 (1.0–1.2 g/kg \
                         and 0.25–0.3 g/kg at {mass:.1} kg){repeat_words}",
                        serving.carbs_g_low,
                        serving.carbs_g_high,
                        serving.protein_g_low,
                        serving.protein_g_high
                    );
                    item.foods =
                        nutrition::suggest_foods(serving.carbs_g(), serving.protein_g(), 3);
                }
                None => {
                    item.dose = format!(
                        "carbohydrate and protein at 4:1: 1.0–1.2 g carbohydrate and 0.25–0.3 g \
                         protein per kg body mass{repeat_words}"
                    );
                    notes.push(
                        "body mass unknown: set it (`fettle profile set --mass 70`) to get the \
                         grams for your serving"
                            .into(),
                    );
                }
            }
            item
        } else {
            let short = s.duration_min < NORMAL_MEAL_BELOW_MIN;
            let reason = if is_strength {
                format!(
                    "after strength work, protein at your next meal (about 0.25–0.3 g per kg) \
                     supports repair; there is no window to chase. {WINDOW_MATTERS_LESS}"
                )
            } else if short {
                format!(
                    "an easy run under an hour does not empty your glycogen stores: no \
                     refuelling window, your next normal meal is enough. {WINDOW_MATTERS_LESS}"
                )
            } else {
                format!(
                    "an easy run: no window to chase, eat a normal meal with carbohydrate and \
                     protein within a couple of hours. {WINDOW_MATTERS_LESS}"
                )
            };
            let mut item = blank(
                RecoveryMethod::Nutrition,
                "a normal meal with carbohydrate and protein; no need to hurry".into(),
                (zoned(end), zoned(plus_min(end, 3 * 60))),
                "nutrition.normal_meal",
                reason,
                EVIDENCE_NUTRITION,
            );
            if !short && !is_strength {
                item.dose =
                    "a normal meal with carbohydrate and protein within a couple of hours".into();
            }
            item
        };
        if let Some(mass) = mass {
            let hours = ctx
                .training_hours_today
                .unwrap_or(s.duration_min / 60.0)
                .max(0.0);
            item.daily_target = Some(nutrition::daily_carb_target(hours, mass));
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

    // Cold: only after races, hard sessions in a congested schedule, or heat. An ice bath
    // first, cryotherapy as the alternative; never after strength work or in a strength block.
    let cold = protocol::cold_indication(&demand);
    let mut cold_prescribed = false;
    if let Some(why) = cold {
        let cold_block = |method: RecoveryMethod, exclusions: &[HealthCondition]| {
            if let Some(c) = health_block(&ctx.health, exclusions) {
                Some(("cold.health_exclusion", health_reason(method, c)))
            } else if ctx.strength_block {
                Some((
                    "cold.strength_block",
                    format!(
                        "no {}: you are in a strength block, and cold after training blunts \
                         strength gains (Roberts et al. 2015)",
                        method.label()
                    ),
                ))
            } else if strength_recent {
                Some((
                    "cold.after_strength",
                    format!(
                        "no {}: strength work within the last {COLD_AFTER_STRENGTH_EXCLUSION_H} \
                         h, and cold blunts strength gains (Roberts et al. 2015)",
                        method.label()
                    ),
                ))
            } else {
                None
            }
        };
        let bath = RecoveryMethod::ColdWaterImmersion.spec();
        if ctx.access.contains(&Access::IceBath) {
            let method = bath.method;
            if let Some((rule, reason)) = cold_block(method, bath.exclusions) {
                excluded.push(Exclusion {
                    method,
                    rule,
                    reason,
                });
            } else {
                cold_prescribed = true;
                items.push(blank(
                    method,
                    bath.dose.into(),
                    window(protocol::ICE_BATH),
                    "cold.ice_bath",
                    format!(
                        "{}: less soreness and better perceived recovery at 24 h; {}",
                        capitalise(why.because()),
                        protocol::ICE_BATH.when
                    ),
                    bath.evidence,
                ));
            }
        } else if let Some(access) = bath.access {
            notes.push(access.missing_note.into());
        }
        let cryo = RecoveryMethod::Cryotherapy.spec();
        if ctx.access.contains(&Access::CryoCentre) {
            let method = cryo.method;
            if let Some((rule, reason)) = cold_block(method, cryo.exclusions) {
                excluded.push(Exclusion {
                    method,
                    rule,
                    reason,
                });
            } else if cold_prescribed {
                notes.push(
                    "cryotherapy is an alternative to the ice bath, not an addition: one cold \
                     method per session"
                        .into(),
                );
            } else {
                items.push(blank(
                    method,
                    cryo.dose.into(),
                    window(protocol::CRYO),
                    "cold.cryotherapy",
                    format!(
                        "{}: it may improve how recovered you feel (a small effect)",
                        capitalise(why.because())
                    ),
                    cryo.evidence,
                ));
            }
        }
    }

    // The methods prescribed whenever their indication holds (compression boots, garments,
    // massage …): each from its catalogue row, in the catalogue's order.
    for spec in &catalogue::METHODS {
        let Prescribed::WhenIndicated(rule) = spec.prescribed else {
            continue;
        };
        if !(rule.indicated)(&demand) {
            continue;
        }
        let method = spec.method;
        let needed = spec.access.filter(|a| a.required);
        if let Some(access) = needed.filter(|a| !ctx.access.contains(&a.access)) {
            notes.push(access.missing_note.into());
        } else if let Some(c) = health_block(&ctx.health, spec.exclusions) {
            excluded.push(Exclusion {
                method,
                rule: rule.health_rule,
                reason: health_reason(method, c),
            });
        } else {
            items.push(blank(
                method,
                spec.dose.into(),
                window(spec.timing.unwrap_or(protocol::SAME_DAY)),
                rule.rule,
                (rule.reason)(&demand),
                spec.evidence,
            ));
        }
    }

    // Foam rolling: free, always.
    let foam = RecoveryMethod::FoamRolling.spec();
    items.push(blank(
        foam.method,
        foam.dose.into(),
        window(protocol::FOAM_ROLLING),
        "foam_rolling.always",
        "free and quick, it eases pain perception; daily or after runs".into(),
        foam.evidence,
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
        let (rule, reason) = if heavy {
            (
                "sleep.heavy_block",
                "heavy training (a hard or long session, or form below −10): protect at least \
                 8 h of sleep",
            )
        } else {
            (
                "sleep.always",
                "at least 8 h of sleep supports everything else",
            )
        };
        items.push(blank(
            RecoveryMethod::Sleep,
            format!("at least {SLEEP_TARGET_H:.0} h tonight"),
            (bedtime, wake),
            rule,
            reason.into(),
            EVIDENCE_SLEEP,
        ));
    }

    // Rest day.
    let rest_reason = if ctx.readiness == Some(Recommendation::Rest) {
        Some(("rest.readiness", "today's readiness says rest"))
    } else if ctx.form.is_some_and(|f| f < DEEP_NEGATIVE_FORM) {
        Some((
            "rest.deep_negative_form",
            "your form is below −30: fatigue far outweighs fitness, a warning sign of \
             overreaching",
        ))
    } else if is_race {
        Some(("rest.after_race", "a rest or very easy day after racing"))
    } else {
        None
    };
    if let Some((rule, reason)) = rest_reason {
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
            (start, stop),
            rule,
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

/// The health conditions that exclude a method (none for the free methods): its catalogue row's.
pub fn exclusions(method: RecoveryMethod) -> &'static [HealthCondition] {
    method.spec().exclusions
}

/// The sentence with its first letter in capitals.
pub(crate) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
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
