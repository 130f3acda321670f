//! Recovery items for each planned day: only the methods the athlete has, free methods (food,
//! foam roller, sleep, rest) always. Doses, timings, indications and reasons are the recovery
//! method catalogue's ([`crate::recovery::catalogue`], [`crate::recovery::protocol`]), so the
//! plan and `fettle recover` say the same thing.

use super::build::Context;
use super::{RecoveryItem, SessionKind, Week, WeekKind};
use crate::log::RecoveryMethod;
use crate::nutrition::{self, REFUEL_REPEAT_HOURS};
use crate::recovery::catalogue::{METHODS, MethodSpec, Prescribed, or_list};
use crate::recovery::protocol::{self, Demand, Timing};
use crate::recovery::{Access, HealthCondition};

/// Sleep per night in heavy weeks, hours (Milewski et al. 2014).
const SLEEP_HOURS: u32 = 8;
/// Build weeks with at least this share of the heaviest build week's load count as heavy.
const HEAVY_WEEK_SHARE: f64 = 0.9;
/// Hours between one planned day's session and the next day's (a plan has no clock times).
const HOURS_PER_DAY: f64 = 24.0;

fn item(
    method: RecoveryMethod,
    dose: String,
    timing: Option<Timing>,
    when: &str,
    minutes: Option<u32>,
    reason: &str,
) -> RecoveryItem {
    RecoveryItem {
        method,
        dose,
        when: timing.map_or(when, |t| t.when).to_owned(),
        start_after_session_min: timing.map(|t| t.from_min),
        duration_min: minutes,
        reason: reason.to_owned(),
    }
}

/// A catalogue method's item: its dose, timing, minutes and plan reason (after `because`, when
/// given).
fn from_catalogue(spec: &MethodSpec, because: Option<&str>) -> RecoveryItem {
    let reason = match because {
        Some(because) => format!("{because}: {}", spec.plan_reason),
        None => spec.plan_reason.to_owned(),
    };
    item(
        spec.method,
        spec.dose.to_owned(),
        spec.timing,
        "",
        spec.dose_minutes,
        &reason,
    )
}

/// A planned session that is hard or long: what "the next hard session" means for the rules
/// (the same kinds `fettle recover` reads from a saved plan).
fn is_hard_or_long(kind: SessionKind) -> bool {
    kind.is_demanding()
}

/// What a planned session demands, for the shared indications; `next_hard_in_days` is the
/// number of days to the next hard or long session, if any.
fn demand(kind: SessionKind, next_hard_in_days: Option<usize>) -> Demand {
    Demand {
        hard: kind.is_hard(),
        long: kind == SessionKind::Long,
        race: kind == SessionKind::Race,
        strength: false,
        hours_to_next_hard: next_hard_in_days.map(|d| d as f64 * HOURS_PER_DAY),
        hot: false,
    }
}

/// Adds the recovery items to every day of `weeks`.
pub(super) fn assign(ctx: &Context<'_>, weeks: &mut [Week]) {
    let heaviest = weeks
        .iter()
        .filter(|w| w.kind == WeekKind::Build)
        .map(|w| w.load_target)
        .fold(0.0, f64::max);
    // Kinds of every day in order, to know when the next hard session comes.
    let kinds: Vec<SessionKind> = weeks
        .iter()
        .flat_map(|w| w.days.iter().map(|d| d.session.kind))
        .collect();
    let mut index = 0;
    for week in weeks.iter_mut() {
        let heavy = week.kind == WeekKind::Build
            && heaviest > 0.0
            && week.load_target >= HEAVY_WEEK_SHARE * heaviest;
        for day in &mut week.days {
            let kind = day.session.kind;
            let next_hard_in_days = kinds
                .iter()
                .skip(index + 1)
                .position(|k| is_hard_or_long(*k))
                .map(|i| i + 1);
            index += 1;
            let d = demand(kind, next_hard_in_days);
            let items = &mut day.recovery;
            if kind == SessionKind::Rest {
                let rest = RecoveryMethod::Rest.spec();
                items.push(item(
                    rest.method,
                    "no running; an easy walk is fine".to_owned(),
                    None,
                    "all day",
                    None,
                    rest.plan_reason,
                ));
            }
            if protocol::refuel_window(&d) {
                let amounts = match ctx.req.body_mass_kg {
                    Some(kg) => {
                        let s = nutrition::refuel_serving(kg);
                        format!(
                            "{:.0}–{:.0} g carbohydrate + {:.1}–{:.0} g protein, 4:1 (1.0–1.2 and 0.25–0.3 g/kg)",
                            s.carbs_g_low, s.carbs_g_high, s.protein_g_low, s.protein_g_high
                        )
                    }
                    None => "carbohydrate and protein at 4:1: 1.0–1.2 g carbohydrate and 0.25–0.3 g protein per kg body mass".to_owned(),
                };
                let (dose, reason) = if protocol::refuel_repeats(&d) {
                    (
                        format!(
                            "{amounts}, then the same every hour for up to {REFUEL_REPEAT_HOURS} h"
                        ),
                        "the next hard session is within about 24 h, so refuelling early and repeatedly matters (Kerksick et al. 2017; Burke et al. 2011)",
                    )
                } else {
                    (
                        amounts,
                        "one serving soon after a long or hard session; with no hard session tomorrow, total daily intake matters more than timing (Kerksick et al. 2017; Aragon & Schoenfeld 2013)",
                    )
                };
                items.push(item(
                    RecoveryMethod::Nutrition,
                    dose,
                    Some(protocol::REFUEL),
                    "",
                    Some(protocol::REFUEL.until_min),
                    reason,
                ));
            }
            if let Some(why) = protocol::cold_indication(&d)
                && !ctx.req.strength_block
            {
                let because = why.because();
                let (bath, cryo) = (
                    RecoveryMethod::ColdWaterImmersion.spec(),
                    RecoveryMethod::Cryotherapy.spec(),
                );
                if ctx.access.contains(&Access::IceBath) {
                    items.push(from_catalogue(bath, Some(because)));
                } else if ctx.access.contains(&Access::CryoCentre) {
                    // The plan cannot see the athlete's health list: it says who should not.
                    let mut cryo_item = from_catalogue(cryo, Some(because));
                    cryo_item.dose = format!(
                        "{}; not with {}",
                        cryo.dose,
                        or_list(cryo.exclusions.iter().map(|c| HealthCondition::label(*c)))
                    );
                    items.push(cryo_item);
                }
            }
            // The methods prescribed whenever their indication holds, in the catalogue's order.
            for spec in &METHODS {
                if let Prescribed::WhenIndicated(rule) = spec.prescribed
                    && (rule.indicated)(&d)
                    && spec
                        .access
                        .is_none_or(|a| !a.required || ctx.access.contains(&a.access))
                {
                    items.push(from_catalogue(spec, None));
                }
            }
            if kind != SessionKind::Rest {
                items.push(from_catalogue(RecoveryMethod::FoamRolling.spec(), None));
            }
            if heavy {
                items.push(item(
                    RecoveryMethod::Sleep,
                    format!("at least {SLEEP_HOURS} h tonight"),
                    None,
                    "tonight",
                    None,
                    RecoveryMethod::Sleep.spec().plan_reason,
                ));
            }
        }
    }
}
