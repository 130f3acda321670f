//! Post-run nutrition: the refuelling serving after a long or hard session (carbohydrate and
//! protein at about 4:1, scaled to body mass) with its 30-minute deadline and hourly repeats
//! when the next hard session is close, the day's carbohydrate target by training volume,
//! fluids from the mass lost, and real-food combinations that meet the grams. After an easy run
//! under an hour there is no window: a normal meal. Formulas and sources: `docs/science.md`.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

/// Carbohydrate in the refuelling serving, g per kg body mass, low end (Kerksick et al. 2017,
/// JISSN 14:33; Burke et al. 2011, J Sports Sci 29:S17: 1.0–1.2 g/kg/h in the first hours).
pub const REFUEL_CARBS_G_PER_KG_LOW: f64 = 1.0;
/// … high end.
pub const REFUEL_CARBS_G_PER_KG_HIGH: f64 = 1.2;
/// Protein in the refuelling serving, g per kg, low end (ISSN protein stand, Jäger et al. 2017,
/// JISSN 14:20: 0.25–0.3 g/kg per serving).
pub const REFUEL_PROTEIN_G_PER_KG_LOW: f64 = 0.25;
/// … high end.
pub const REFUEL_PROTEIN_G_PER_KG_HIGH: f64 = 0.3;
/// Target carbohydrate:protein ratio of the serving (ISSN: Kerksick 2008, 2017): both ends of
/// the ranges above keep it (1.0 : 0.25 and 1.2 : 0.3).
pub const TARGET_CARB_PROTEIN_RATIO: f64 = 4.0;
/// Minutes after the end of a run by which to start refuelling (the "30-minute window";
/// Kerksick et al. 2008 and 2017).
pub const REFUEL_WINDOW_MIN: i64 = 30;
/// When the next hard session is within about a day, the serving is repeated every hour for
/// up to this many hours (Kerksick 2017; Burke 2011: 1.0–1.2 g/kg/h for the first 4 h).
pub const REFUEL_REPEAT_HOURS: u32 = 4;
/// Fluid to drink per kg of body mass lost, litres, low end (ACSM 2007 position stand).
pub const FLUID_L_PER_KG_LOST_LOW: f64 = 1.25;
/// Fluid to drink per kg of body mass lost, litres, high end (ACSM 2007).
pub const FLUID_L_PER_KG_LOST_HIGH: f64 = 1.5;
/// Protein per day, g/kg, low end (Kerksick 2017).
pub const DAILY_PROTEIN_G_PER_KG_LOW: f64 = 1.2;
/// Protein per day, g/kg, high end (Kerksick 2017).
pub const DAILY_PROTEIN_G_PER_KG_HIGH: f64 = 2.0;
/// A food combination must be within this fraction of both the carbohydrate and the protein
/// target. Fettle's choice: portion sizes and label values vary by about this much anyway.
pub const FOOD_MATCH_TOLERANCE: f64 = 0.20;

/// The statement shown instead of nagging when the window does not matter much.
pub const WINDOW_MATTERS_LESS: &str = "The strict 30-minute window matters most when the next \
hard session is within about a day or the run was done fasted; otherwise total daily intake \
dominates (Aragon & Schoenfeld 2013, JISSN 10:5).";

/// The refuelling serving after a long or hard session.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RefuelServing {
    /// Carbohydrate, g, low end (1.0 g/kg).
    pub carbs_g_low: f64,
    /// Carbohydrate, g, high end (1.2 g/kg).
    pub carbs_g_high: f64,
    /// Protein, g, low end (0.25 g/kg).
    pub protein_g_low: f64,
    /// Protein, g, high end (0.3 g/kg).
    pub protein_g_high: f64,
    /// Carbohydrate:protein ratio of the serving (4).
    pub ratio: f64,
}

impl RefuelServing {
    /// The middle of the carbohydrate range, g (what the food suggestions aim at).
    pub fn carbs_g(&self) -> f64 {
        (self.carbs_g_low + self.carbs_g_high) / 2.0
    }

    /// The middle of the protein range, g.
    pub fn protein_g(&self) -> f64 {
        (self.protein_g_low + self.protein_g_high) / 2.0
    }
}

/// The serving for a body mass. Example: 70 kg → 70–84 g carbohydrate + 17.5–21 g protein.
pub fn refuel_serving(body_mass_kg: f64) -> RefuelServing {
    RefuelServing {
        carbs_g_low: REFUEL_CARBS_G_PER_KG_LOW * body_mass_kg,
        carbs_g_high: REFUEL_CARBS_G_PER_KG_HIGH * body_mass_kg,
        protein_g_low: REFUEL_PROTEIN_G_PER_KG_LOW * body_mass_kg,
        protein_g_high: REFUEL_PROTEIN_G_PER_KG_HIGH * body_mass_kg,
        ratio: TARGET_CARB_PROTEIN_RATIO,
    }
}

/// Start eating by this instant: `activity_end` + [`REFUEL_WINDOW_MIN`].
pub fn refuel_deadline(activity_end: Timestamp) -> Timestamp {
    activity_end
        .saturating_add(SignedDuration::from_mins(REFUEL_WINDOW_MIN))
        .unwrap_or(activity_end)
}

/// Burke et al. 2011 training-volume bands for daily carbohydrate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CarbBand {
    /// Light (low-intensity or skill-based): 3–5 g/kg/day.
    Light,
    /// Moderate (~1 h/day): 5–7 g/kg/day.
    Moderate,
    /// High (1–3 h/day moderate–high intensity): 6–10 g/kg/day.
    High,
    /// Very high (> 4–5 h/day): 8–12 g/kg/day.
    VeryHigh,
}

impl CarbBand {
    /// The band's g/kg/day range (Burke et al. 2011, J Sports Sci 29:S17).
    pub fn g_per_kg(self) -> (f64, f64) {
        match self {
            CarbBand::Light => (3.0, 5.0),
            CarbBand::Moderate => (5.0, 7.0),
            CarbBand::High => (6.0, 10.0),
            CarbBand::VeryHigh => (8.0, 12.0),
        }
    }
}

/// Training hours per day below which the day is "light" (Burke 2011 gives "low intensity or
/// skill-based" without an hour count; Fettle takes under 45 min).
pub const LIGHT_DAY_MAX_H: f64 = 0.75;
/// Up to this many hours per day is "moderate (~1 h/day)"; Fettle puts the boundary at 1.5 h.
pub const MODERATE_DAY_MAX_H: f64 = 1.5;
/// Up to this many hours per day is "high (1–3 h/day)"; above is "very high" (Burke 2011).
pub const HIGH_DAY_MAX_H: f64 = 3.0;

/// The day's carbohydrate target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DailyCarbTarget {
    /// Burke 2011 band.
    pub band: CarbBand,
    /// Low end, g for the day.
    pub grams_low: f64,
    /// High end, g for the day.
    pub grams_high: f64,
    /// Protein for the day, low end, g (1.2 g/kg).
    pub protein_g_low: f64,
    /// Protein for the day, high end, g (2.0 g/kg).
    pub protein_g_high: f64,
}

/// Carbohydrate (and protein) target for a day with `training_hours` of training.
pub fn daily_carb_target(training_hours: f64, body_mass_kg: f64) -> DailyCarbTarget {
    let band = if training_hours < LIGHT_DAY_MAX_H {
        CarbBand::Light
    } else if training_hours <= MODERATE_DAY_MAX_H {
        CarbBand::Moderate
    } else if training_hours <= HIGH_DAY_MAX_H {
        CarbBand::High
    } else {
        CarbBand::VeryHigh
    };
    let (lo, hi) = band.g_per_kg();
    DailyCarbTarget {
        band,
        grams_low: lo * body_mass_kg,
        grams_high: hi * body_mass_kg,
        protein_g_low: DAILY_PROTEIN_G_PER_KG_LOW * body_mass_kg,
        protein_g_high: DAILY_PROTEIN_G_PER_KG_HIGH * body_mass_kg,
    }
}

/// Fluids to drink after a run, from the body mass before and after.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FluidTarget {
    /// Mass lost, kg.
    pub mass_lost_kg: f64,
    /// Litres, low end (1.25 L/kg).
    pub litres_low: f64,
    /// Litres, high end (1.5 L/kg).
    pub litres_high: f64,
}

/// Fluid replacement (ACSM 2007): 1.25–1.5 L per kg lost, with sodium. `None` when no mass was
/// lost (or the inputs are not plausible masses).
pub fn fluid_target(mass_before_kg: f64, mass_after_kg: f64) -> Option<FluidTarget> {
    let lost = mass_before_kg - mass_after_kg;
    (mass_before_kg > 0.0 && mass_after_kg > 0.0 && lost > 0.0 && lost.is_finite()).then_some(
        FluidTarget {
            mass_lost_kg: lost,
            litres_low: FLUID_L_PER_KG_LOST_LOW * lost,
            litres_high: FLUID_L_PER_KG_LOST_HIGH * lost,
        },
    )
}

/// One food portion in the built-in table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Food {
    /// What and how much.
    pub name: &'static str,
    /// Carbohydrate per portion, g.
    pub carbs_g: f64,
    /// Protein per portion, g.
    pub protein_g: f64,
}

/// A small table of common recovery foods, per portion. Values are rounded from USDA
/// FoodData Central entries for the generic food (brands differ by a few grams).
pub const FOODS: [Food; 12] = [
    Food {
        name: "low-fat chocolate milk, 500 ml",
        carbs_g: 52.0,
        protein_g: 16.0,
    },
    Food {
        name: "banana, medium (120 g)",
        carbs_g: 27.0,
        protein_g: 1.3,
    },
    Food {
        name: "plain bagel (100 g)",
        carbs_g: 53.0,
        protein_g: 10.0,
    },
    Food {
        name: "peanut butter, 1 tbsp (16 g)",
        carbs_g: 3.0,
        protein_g: 4.0,
    },
    Food {
        name: "plain Greek yogurt, non-fat (170 g)",
        carbs_g: 6.0,
        protein_g: 17.0,
    },
    Food {
        name: "honey, 1 tbsp (21 g)",
        carbs_g: 17.0,
        protein_g: 0.0,
    },
    Food {
        name: "cooked white rice, 1 cup (160 g)",
        carbs_g: 45.0,
        protein_g: 4.0,
    },
    Food {
        name: "cooked chicken breast (50 g)",
        carbs_g: 0.0,
        protein_g: 15.5,
    },
    Food {
        name: "rolled oats, dry (40 g)",
        carbs_g: 27.0,
        protein_g: 5.0,
    },
    Food {
        name: "semi-skimmed milk, 250 ml",
        carbs_g: 12.0,
        protein_g: 8.5,
    },
    Food {
        name: "orange juice, 250 ml",
        carbs_g: 26.0,
        protein_g: 1.7,
    },
    Food {
        name: "white bread, 1 slice (30 g)",
        carbs_g: 14.0,
        protein_g: 2.7,
    },
];

/// A combination of portions that meets a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoodCombo {
    /// (food, number of portions).
    pub portions: Vec<(&'static str, u32)>,
    /// Total carbohydrate, g.
    pub carbs_g: f64,
    /// Total protein, g.
    pub protein_g: f64,
}

/// Most portions of one food in a combination.
const MAX_PORTIONS_PER_FOOD: u32 = 2;

/// Up to `max` combinations from [`FOODS`] (1–3 foods, 1–2 portions each) whose carbohydrate and
/// protein are both within [`FOOD_MATCH_TOLERANCE`] of the targets, best first (smallest sum of
/// relative errors; fewer foods win ties), no two sharing a food so they are real alternatives.
/// Exhaustive over the small table: ≈ 2 600 candidates.
pub fn suggest_foods(carbs_g: f64, protein_g: f64, max: usize) -> Vec<FoodCombo> {
    if !(carbs_g > 0.0 && protein_g > 0.0) {
        return Vec::new();
    }
    let mut found: Vec<(f64, usize, FoodCombo)> = Vec::new();
    let n = FOODS.len();
    let mut consider = |picks: &[(usize, u32)]| {
        let c: f64 = picks
            .iter()
            .map(|&(i, k)| FOODS[i].carbs_g * f64::from(k))
            .sum();
        let p: f64 = picks
            .iter()
            .map(|&(i, k)| FOODS[i].protein_g * f64::from(k))
            .sum();
        let ec = (c - carbs_g).abs() / carbs_g;
        let ep = (p - protein_g).abs() / protein_g;
        if ec <= FOOD_MATCH_TOLERANCE && ep <= FOOD_MATCH_TOLERANCE {
            found.push((
                ec + ep,
                picks.len(),
                FoodCombo {
                    portions: picks.iter().map(|&(i, k)| (FOODS[i].name, k)).collect(),
                    carbs_g: c,
                    protein_g: p,
                },
            ));
        }
    };
    let counts = 1..=MAX_PORTIONS_PER_FOOD;
    for a in 0..n {
        for ka in counts.clone() {
            consider(&[(a, ka)]);
            for b in a + 1..n {
                for kb in counts.clone() {
                    consider(&[(a, ka), (b, kb)]);
                    // At most three distinct foods: a serving, not a menu.
                    for c in b + 1..n {
                        for kc in counts.clone() {
                            consider(&[(a, ka), (b, kb), (c, kc)]);
                        }
                    }
                }
            }
        }
    }
    found.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    // Offer real alternatives: a combination sharing a food with a better one is skipped.
    let mut chosen: Vec<FoodCombo> = Vec::new();
    for (_, _, combo) in found {
        if chosen.len() >= max {
            break;
        }
        let overlaps = chosen.iter().any(|c| {
            c.portions
                .iter()
                .any(|(name, _)| combo.portions.iter().any(|(n, _)| n == name))
        });
        if !overlaps {
            chosen.push(combo);
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seventy_kg_serving_is_70_to_84_carbs_and_17_5_to_21_protein_due_30_min_after() {
        // By hand: 1.0·70 = 70, 1.2·70 = 84 g carbohydrate; 0.25·70 = 17.5, 0.3·70 = 21 g
        // protein; both ends 4:1 (70/17.5 = 84/21 = 4).
        let s = refuel_serving(70.0);
        assert!((s.carbs_g_low - 70.0).abs() < 1e-9 && (s.carbs_g_high - 84.0).abs() < 1e-9);
        assert!((s.protein_g_low - 17.5).abs() < 1e-9 && (s.protein_g_high - 21.0).abs() < 1e-9);
        assert!((s.carbs_g() - 77.0).abs() < 1e-9 && (s.protein_g() - 19.25).abs() < 1e-9);
        assert!((s.carbs_g_low / s.protein_g_low - 4.0).abs() < 1e-9);
        assert!((s.carbs_g_high / s.protein_g_high - 4.0).abs() < 1e-9);
        let end: Timestamp = "2026-03-01T09:30:00Z".parse().unwrap();
        assert_eq!(
            refuel_deadline(end),
            "2026-03-01T10:00:00Z".parse::<Timestamp>().unwrap()
        );
    }

    #[test]
    fn daily_carbs_follow_burke_bands() {
        // 70 kg, 2 h → high band 6–10 g/kg → 420–700 g; protein 84–140 g.
        let t = daily_carb_target(2.0, 70.0);
        assert_eq!(t.band, CarbBand::High);
        assert!((t.grams_low - 420.0).abs() < 1e-9 && (t.grams_high - 700.0).abs() < 1e-9);
        assert!((t.protein_g_low - 84.0).abs() < 1e-9);
        assert_eq!(daily_carb_target(0.5, 70.0).band, CarbBand::Light);
        assert_eq!(daily_carb_target(1.0, 70.0).band, CarbBand::Moderate);
        assert_eq!(daily_carb_target(4.5, 70.0).band, CarbBand::VeryHigh);
    }

    #[test]
    fn fluids_are_1_25_to_1_5_litres_per_kg_lost() {
        // 71.2 → 70.0 kg: 1.2 kg lost → 1.5–1.8 L.
        let f = fluid_target(71.2, 70.0).unwrap();
        assert!((f.litres_low - 1.5).abs() < 1e-9 && (f.litres_high - 1.8).abs() < 1e-9);
        assert!(fluid_target(70.0, 70.5).is_none());
        assert!(fluid_target(0.0, -1.0).is_none());
    }

    #[test]
    fn food_suggestions_meet_both_targets_within_tolerance() {
        let combos = suggest_foods(56.0, 14.0, 3);
        assert_eq!(combos.len(), 3);
        for c in &combos {
            assert!((c.carbs_g - 56.0).abs() <= 0.2 * 56.0 + 1e-9, "{c:?}");
            assert!((c.protein_g - 14.0).abs() <= 0.2 * 14.0 + 1e-9, "{c:?}");
        }
        // 500 ml chocolate milk alone is 52 g + 16 g: errors 4/56 + 2/14 = 0.214, within 20 %
        // on each, so it must be among the candidates.
        // Its error sum is small, so some offered combination must contain it.
        assert!(
            combos
                .iter()
                .any(|c| c.portions.iter().any(|(n, _)| n.contains("chocolate milk")))
        );
        // Alternatives share no food.
        for (i, a) in combos.iter().enumerate() {
            for b in &combos[i + 1..] {
                assert!(
                    a.portions
                        .iter()
                        .all(|(n, _)| b.portions.iter().all(|(m, _)| m != n))
                );
            }
        }
        assert!(suggest_foods(0.0, 14.0, 3).is_empty());
    }
}
