//! Recovery items for each planned day (SCIENCE.md §6, §7): only the methods the athlete has,
//! free methods (food, foam roller, sleep, rest) always.

use super::build::Context;
use super::{RecoveryItem, SessionKind, Week, WeekKind};
use crate::log::RecoveryMethod;

/// Carbohydrate per kg body mass per hour in the first hours after a hard session when the next
/// hard session is within about 24 h (Kerksick et al. 2017; Burke et al. 2011).
const REFUEL_CARB_G_PER_KG_H: f64 = 0.8;
/// Protein per kg per hour alongside it: 0.8 : 0.2 is the 4:1 ratio (Kerksick 2017).
const REFUEL_PROTEIN_G_PER_KG_H: f64 = 0.2;
/// The refuelling window after a long or hard run, minutes (ISSN: start within 30 minutes).
const REFUEL_WINDOW_MIN: u32 = 30;
/// Compression-boot session, minutes (≈ 30 min is the usual session; Hoffman et al. 2016).
const BOOTS_MIN: u32 = 30;
/// Boots start this long after the run (after refuelling and a shower).
const BOOTS_AFTER_MIN: u32 = 120;
/// Cold-water immersion, minutes (10–15 min at 10–15 °C; Machado et al. 2016).
const ICE_BATH_MIN: u32 = 12;
/// Ice bath starts this long after the run.
const ICE_BATH_AFTER_MIN: u32 = 30;
/// Foam rolling, minutes (about 10 min, 30–60 s per muscle group; Wiewelhove et al. 2019).
const FOAM_ROLL_MIN: u32 = 10;
/// Foam rolling starts this long after the run.
const FOAM_ROLL_AFTER_MIN: u32 = 60;
/// Sports massage, minutes (20–30 min; Dupuy et al. 2018).
const MASSAGE_MIN: u32 = 30;
/// Sleep per night in heavy weeks, hours (Milewski et al. 2014).
const SLEEP_HOURS: u32 = 8;
/// Build weeks with at least this share of the heaviest build week's load count as heavy.
const HEAVY_WEEK_SHARE: f64 = 0.9;

fn item(
    method: RecoveryMethod,
    dose: String,
    when: &str,
    start: Option<u32>,
    minutes: Option<u32>,
    reason: &str,
) -> RecoveryItem {
    RecoveryItem {
        method,
        dose,
        when: when.to_owned(),
        start_after_session_min: start,
        duration_min: minutes,
        reason: reason.to_owned(),
    }
}

fn is_hard(kind: SessionKind) -> bool {
    matches!(
        kind,
        SessionKind::Long | SessionKind::Tempo | SessionKind::Intervals | SessionKind::Race
    )
}

/// Adds the recovery items to every day of `weeks`.
pub(super) fn assign(ctx: &Context<'_>, weeks: &mut [Week]) {
    let heaviest = weeks
        .iter()
        .filter(|w| w.kind == WeekKind::Build)
        .map(|w| w.load_target)
        .fold(0.0, f64::max);
    // The biggest week: the build week with the highest distance (first one on ties).
    let biggest = weeks
        .iter()
        .enumerate()
        .filter(|(_, w)| w.kind == WeekKind::Build)
        .fold(None::<(usize, f64)>, |best, (i, w)| match best {
            Some((_, d)) if d >= w.distance_target_m => best,
            _ => Some((i, w.distance_target_m)),
        })
        .map(|(i, _)| i);
    // Kinds of every day in order, to know whether the next day is hard.
    let kinds: Vec<SessionKind> = weeks
        .iter()
        .flat_map(|w| w.days.iter().map(|d| d.session.kind))
        .collect();
    let mut index = 0;
    for (wi, week) in weeks.iter_mut().enumerate() {
        let heavy = week.kind == WeekKind::Build
            && heaviest > 0.0
            && week.load_target >= HEAVY_WEEK_SHARE * heaviest;
        let massage_on_long_run = Some(wi) == biggest;
        for day in &mut week.days {
            let kind = day.session.kind;
            let next_hard = kinds.get(index + 1).is_some_and(|k| is_hard(*k));
            index += 1;
            let items = &mut day.recovery;
            if kind == SessionKind::Rest {
                items.push(item(
                    RecoveryMethod::Rest,
                    "no running; an easy walk is fine".to_owned(),
                    "all day",
                    None,
                    None,
                    "planned rest lets the fatigue of the previous days decay (SCIENCE.md §3, §6)",
                ));
            }
            if is_hard(kind) {
                let amounts = match ctx.req.body_mass_kg {
                    Some(kg) => format!(
                        "about {:.0} g carbohydrate + {:.0} g protein (4:1)",
                        REFUEL_CARB_G_PER_KG_H * kg,
                        REFUEL_PROTEIN_G_PER_KG_H * kg
                    ),
                    None => format!(
                        "carbohydrate and protein at about 4:1 ({REFUEL_CARB_G_PER_KG_H} g/kg carbohydrate + {REFUEL_PROTEIN_G_PER_KG_H} g/kg protein)"
                    ),
                };
                let (dose, reason) = if next_hard {
                    (
                        format!("{amounts}, then the same each hour for the first ~4 h"),
                        "the next hard session is within about 24 h, so refuelling early matters (Kerksick et al. 2017; Burke et al. 2011)",
                    )
                } else {
                    (
                        amounts,
                        "a 4:1 snack soon after helps; with no hard session tomorrow, total daily intake matters more than timing (Kerksick et al. 2017; Aragon & Schoenfeld 2013)",
                    )
                };
                items.push(item(
                    RecoveryMethod::Nutrition,
                    dose,
                    "start within 30 min of finishing",
                    Some(0),
                    Some(REFUEL_WINDOW_MIN),
                    reason,
                ));
            }
            if ctx.access.ice_bath
                && !ctx.req.strength_block
                && matches!(kind, SessionKind::Intervals | SessionKind::Race)
            {
                items.push(item(
                    RecoveryMethod::ColdWaterImmersion,
                    "10–15 °C water to the waist or neck for 10–15 min".to_owned(),
                    "within an hour after the session",
                    Some(ICE_BATH_AFTER_MIN),
                    Some(ICE_BATH_MIN),
                    "less soreness and better perceived recovery at 24 h (Versey et al. 2013; Machado et al. 2016); skip it within hours of strength work (Roberts et al. 2015)",
                ));
            }
            if ctx.access.cryo && !ctx.access.ice_bath && kind == SessionKind::Race {
                items.push(item(
                    RecoveryMethod::Cryotherapy,
                    "−110 °C or colder for 2–3 min (never over 3), dry skin, gloves, socks, mouth mask; not with uncontrolled hypertension, heart disease, Raynaud's, cold urticaria, cryoglobulinaemia, pregnancy or open wounds".to_owned(),
                    "at the centre, the day of the race or the next",
                    None,
                    Some(3),
                    "may improve perceived recovery; the effects are small (Poppendieck et al. 2013)",
                ));
            }
            if ctx.access.boots && matches!(kind, SessionKind::Long | SessionKind::Race) {
                items.push(item(
                    RecoveryMethod::CompressionBoots,
                    "about 30 min, sequential zones feet → calves → quads → hips".to_owned(),
                    "a couple of hours after the run",
                    Some(BOOTS_AFTER_MIN),
                    Some(BOOTS_MIN),
                    "less fatigue right after (Hoffman et al. 2016): the benefit is how you feel, not a faster functional recovery",
                ));
            }
            if ctx.access.massage
                && (kind == SessionKind::Race || (massage_on_long_run && kind == SessionKind::Long))
            {
                items.push(item(
                    RecoveryMethod::Massage,
                    "20–30 min sports massage".to_owned(),
                    if kind == SessionKind::Race {
                        "within 48 h after the race"
                    } else {
                        "same day or within 48 h after the long run of your biggest week"
                    },
                    None,
                    Some(MASSAGE_MIN),
                    "the strongest evidence of all methods for soreness and perceived fatigue (Dupuy et al. 2018)",
                ));
            }
            if kind != SessionKind::Rest {
                items.push(item(
                    RecoveryMethod::FoamRolling,
                    "about 10 min, 30–60 s per muscle group".to_owned(),
                    "after the run",
                    Some(FOAM_ROLL_AFTER_MIN),
                    Some(FOAM_ROLL_MIN),
                    "eases pain perception; free and quick (Wiewelhove et al. 2019)",
                ));
            }
            if heavy {
                items.push(item(
                    RecoveryMethod::Sleep,
                    format!("at least {SLEEP_HOURS} h tonight"),
                    "tonight",
                    None,
                    None,
                    "one of your heaviest weeks: under 8 h a night goes with more injuries (Milewski et al. 2014)",
                ));
            }
        }
    }
}
