//! The recovery method catalogue: one row ([`MethodSpec`]) per method — its stable name, the
//! words people type for it, the access it needs, the health conditions that exclude it, its
//! dose and timing, what can be logged for it and within which limits, its evidence and its
//! labels. Every face reads this table: the prescription rules ([`super::prescribe`]), the
//! planner's scheduled care (`plan::care`), the logging validation ([`super::logging`]), the
//! iCalendar titles, the CLI's value parser, the web's lists and the dashboard (which gets the
//! table as JSON from `GET /api/v1/vocabulary`, [`vocabulary`]).
//!
//! Adding a method is a variant of [`RecoveryMethod`], its arm in [`RecoveryMethod::spec`] and
//! its row in [`METHODS`] (plus a variant of [`Access`] and its arm in [`Access::method`] when
//! it needs equipment or a service); a method prescribed whenever its indication holds
//! ([`Prescribed::WhenIndicated`]) needs no code elsewhere. The compiler refuses a variant
//! without its arm, and a row out of order (`METHODS` follows the declaration order).

use super::HealthCondition;
use super::logging::{
    BOOT_ZONES, BOOTS_MAX_MIN, BOOTS_MIN_MIN, CRYO_MAX_MIN, CRYO_MIN_C, CRYO_WARMEST_C,
    FOAM_ROLLING_MAX_MIN, GARMENTS_MAX_MIN, ICE_BATH_MAX_C, ICE_BATH_MAX_MIN, ICE_BATH_MIN_C,
    MASSAGE_MAX_MIN, SLEEP_MAX_MIN,
};
use super::protocol::{self, Demand, Timing};
use crate::limits;
use serde::{Deserialize, Serialize};

/// A recovery method the athlete can log or be prescribed. Its row in [`METHODS`] says
/// everything else about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryMethod {
    /// Post-run refuelling (carbohydrate and protein).
    Nutrition,
    /// Pneumatic compression boots.
    CompressionBoots,
    /// Compression garments worn for hours (socks, calf sleeves, tights).
    CompressionGarments,
    /// Cold-water immersion (ice bath).
    ColdWaterImmersion,
    /// Whole-body cryotherapy at a centre.
    Cryotherapy,
    /// Sports massage.
    Massage,
    /// Foam rolling or a massage ball.
    FoamRolling,
    /// Sleep.
    Sleep,
    /// A rest day.
    Rest,
}

/// Recovery equipment or services the athlete can use (`fettle profile access add …`). Each is
/// the access of one method ([`MethodSpec::access`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Pneumatic compression boots.
    CompressionBoots,
    /// Compression garments: socks, calf sleeves or tights.
    CompressionGarments,
    /// A bath or tub for cold-water immersion.
    IceBath,
    /// A whole-body cryotherapy centre.
    CryoCentre,
    /// A sports masseur.
    Massage,
    /// A foam roller (not required: a massage ball or a bottle works, so foam rolling is free).
    FoamRoller,
}

/// Everything Fettle knows about one recovery method.
#[derive(Debug, Clone, Copy)]
pub struct MethodSpec {
    /// The method.
    pub method: RecoveryMethod,
    /// The stable snake_case name used in JSON, the database and the API.
    pub name: &'static str,
    /// The word the CLI shows (`fettle recovery log ice-bath`).
    pub cli_word: &'static str,
    /// Every other word accepted for it, in snake_case (hyphens are read as underscores): the
    /// method's and its access's aliases in one list.
    pub aliases: &'static [&'static str],
    /// What people call it, for sentences ("no ice bath: …").
    pub label: &'static str,
    /// The label with an article where English wants one ("an ice bath").
    pub with_article: &'static str,
    /// Its name in the dashboard's lists and forms.
    pub title: &'static str,
    /// Its title in a calendar.
    pub calendar_title: &'static str,
    /// The equipment or service it needs; `None` for what is always possible (food, sleep, rest).
    pub access: Option<AccessSpec>,
    /// Health conditions that exclude it.
    pub exclusions: &'static [HealthCondition],
    /// The evidence and its citation, as shown with a prescribed item.
    pub evidence: &'static str,
    /// The plan's one-line reason for scheduling it (with a short citation); empty when the
    /// plan's rule words it itself.
    pub plan_reason: &'static str,
    /// The dose in words; empty when the rule words it itself (refuelling, sleep, rest).
    pub dose: &'static str,
    /// When, relative to the end of the session.
    pub timing: Option<Timing>,
    /// The prescribed duration as logged when done, minutes (garments: the time worn).
    pub dose_minutes: Option<u32>,
    /// The prescribed temperature as logged when done, °C.
    pub dose_temp_c: Option<f64>,
    /// What can be logged for it, and the limits.
    pub log: LogSpec,
    /// How the advice after a session decides on it.
    pub prescribed: Prescribed,
}

/// The access a method needs.
#[derive(Debug, Clone, Copy)]
pub struct AccessSpec {
    /// The access item.
    pub access: Access,
    /// Its CLI and stored word (`ice-bath`).
    pub word: &'static str,
    /// Its name in the dashboard's list.
    pub title: &'static str,
    /// Whether the method is prescribed only with it (a foam roller is optional: a massage ball
    /// or a bottle works).
    pub required: bool,
    /// The note when the method would be indicated but the athlete has not listed the access.
    pub missing_note: &'static str,
}

/// A number that can be logged for a method, and its bounds.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Bound {
    /// The field in words, for messages ("ice-bath water temperature").
    pub what: &'static str,
    /// The field when it is missing ("the water temperature").
    #[serde(skip)]
    pub missing: &'static str,
    /// Lowest accepted.
    pub min: f64,
    /// Highest accepted.
    pub max: f64,
    /// Why, with its source.
    #[serde(skip)]
    pub why: &'static str,
    /// The CLI flag as an example (`--temp 12`).
    #[serde(skip)]
    pub example: &'static str,
}

/// What can be logged for a method; a field with bounds is required.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LogSpec {
    /// The method in messages about a missing field ("an ice bath needs …").
    #[serde(skip)]
    pub needs: &'static str,
    /// The duration, minutes.
    pub minutes: Option<Bound>,
    /// The temperature, °C.
    pub temp_c: Option<Bound>,
    /// Carbohydrate and protein grams (at least one required).
    pub grams: bool,
    /// The body zones accepted, when the method restricts them.
    pub zones: Option<&'static [&'static str]>,
}

/// How the advice after a session decides on a method.
#[derive(Debug, Clone, Copy)]
pub enum Prescribed {
    /// Its own rule in [`super::prescribe`] and `plan::care` (refuelling, cold, foam rolling,
    /// sleep, rest: their wording or their choice depends on more than an indication).
    OwnRule,
    /// Prescribed (and scheduled by the plan) when the indication holds, the athlete has the
    /// access and no health condition excludes it.
    WhenIndicated(Indication),
}

/// The generic rule of a [`Prescribed::WhenIndicated`] method.
#[derive(Debug, Clone, Copy)]
pub struct Indication {
    /// Whether the session calls for it.
    pub indicated: fn(&Demand) -> bool,
    /// The rule's stable id when it is prescribed (for code and tests).
    pub rule: &'static str,
    /// The rule's stable id when a health condition removes it.
    pub health_rule: &'static str,
    /// Why, as a sentence for the athlete.
    pub reason: fn(&Demand) -> String,
}

/// The words a method or an access item is written with: trimmed, lower case, hyphens as
/// underscores.
fn normalise(word: &str) -> String {
    word.trim().to_ascii_lowercase().replace('-', "_")
}

impl RecoveryMethod {
    /// Every method, in display order (the order of [`METHODS`]).
    pub const ALL: [RecoveryMethod; METHODS.len()] = {
        let mut all = [RecoveryMethod::Nutrition; METHODS.len()];
        let mut i = 0;
        while i < METHODS.len() {
            all[i] = METHODS[i].method;
            i += 1;
        }
        all
    };

    /// The method's row of the catalogue.
    pub const fn spec(self) -> &'static MethodSpec {
        match self {
            RecoveryMethod::Nutrition => &METHODS[0],
            RecoveryMethod::CompressionBoots => &METHODS[1],
            RecoveryMethod::CompressionGarments => &METHODS[2],
            RecoveryMethod::ColdWaterImmersion => &METHODS[3],
            RecoveryMethod::Cryotherapy => &METHODS[4],
            RecoveryMethod::Massage => &METHODS[5],
            RecoveryMethod::FoamRolling => &METHODS[6],
            RecoveryMethod::Sleep => &METHODS[7],
            RecoveryMethod::Rest => &METHODS[8],
        }
    }

    /// The stable snake_case name used in JSON, the database and the API.
    pub fn as_str(self) -> &'static str {
        self.spec().name
    }

    /// What people call it, for sentences ("no ice bath: …").
    pub fn label(self) -> &'static str {
        self.spec().label
    }

    /// The method with an article where English wants one ("an ice bath", "cryotherapy").
    pub fn with_article(self) -> String {
        self.spec().with_article.to_owned()
    }

    /// The words accepted for it: its name, its CLI word, its aliases and its access word.
    pub fn words(self) -> impl Iterator<Item = &'static str> {
        let spec = self.spec();
        [spec.name, spec.cli_word]
            .into_iter()
            .chain(spec.aliases.iter().copied())
            .chain(spec.access.map(|a| a.word))
    }

    /// Parses the stable name, the CLI word or any alias (hyphens or underscores, any case).
    pub fn parse(word: &str) -> Option<RecoveryMethod> {
        let word = normalise(word);
        RecoveryMethod::ALL
            .into_iter()
            .find(|m| m.words().any(|w| normalise(w) == word))
    }

    /// The CLI words joined for a message ("boots, …, sleep or rest").
    pub fn cli_words() -> String {
        or_list(METHODS.iter().map(|s| s.cli_word))
    }
}

// The rows follow the declaration order, so `spec` returns each method's own row.
const _: () = {
    let mut i = 0;
    while i < METHODS.len() {
        assert!(METHODS[i].method as usize == i, "METHODS is out of order");
        i += 1;
    }
};

/// How many methods need access.
const ACCESS_COUNT: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < METHODS.len() {
        if METHODS[i].access.is_some() {
            n += 1;
        }
        i += 1;
    }
    n
};

impl Access {
    /// Every access item, in the order lists show them (the catalogue's): the one list every
    /// face uses.
    pub const ALL: [Access; ACCESS_COUNT] = {
        let mut all = [Access::FoamRoller; ACCESS_COUNT];
        let (mut i, mut n) = (0, 0);
        while i < METHODS.len() {
            if let Some(a) = METHODS[i].access {
                all[n] = a.access;
                n += 1;
            }
            i += 1;
        }
        all
    };

    /// The method this access serves.
    pub const fn method(self) -> RecoveryMethod {
        match self {
            Access::CompressionBoots => RecoveryMethod::CompressionBoots,
            Access::CompressionGarments => RecoveryMethod::CompressionGarments,
            Access::IceBath => RecoveryMethod::ColdWaterImmersion,
            Access::CryoCentre => RecoveryMethod::Cryotherapy,
            Access::Massage => RecoveryMethod::Massage,
            Access::FoamRoller => RecoveryMethod::FoamRolling,
        }
    }

    /// The access's row of the method's catalogue entry.
    pub fn spec(self) -> AccessSpec {
        match self.method().spec().access {
            Some(spec) => spec,
            // Unreachable by the test `every_access_is_its_methods_access`; a sane word anyway.
            None => AccessSpec {
                access: self,
                word: self.method().spec().cli_word,
                title: self.method().spec().title,
                required: true,
                missing_note: "",
            },
        }
    }

    /// The CLI word (`compression-boots`, `compression-garments`, `ice-bath`, `cryo-centre`,
    /// `massage`, `foam-roller`).
    pub fn as_str(self) -> &'static str {
        self.spec().word
    }

    /// The access words joined for a message ("compression-boots, …, massage or foam-roller").
    pub fn words() -> String {
        or_list(Access::ALL.iter().map(|a| a.as_str()))
    }

    /// Parses an access word or any word of its method (hyphens or underscores; `boots`,
    /// `socks`, `cryo`, `cryo-center`, `cold-water` … also work).
    pub fn parse(word: &str) -> Option<Access> {
        RecoveryMethod::parse(word)?.spec().access.map(|a| a.access)
    }
}

/// Words joined for a message: "a, b or c".
pub(crate) fn or_list<'a>(words: impl Iterator<Item = &'a str>) -> String {
    let words: Vec<&str> = words.collect();
    match words.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Hard exclusions for whole-body cryotherapy (cold contraindications; Bleakley et al. 2014,
/// Open Access J Sports Med 5:25, and the chamber operators' screening lists).
pub const CRYO_EXCLUSIONS: [HealthCondition; 7] = [
    HealthCondition::UncontrolledHypertension,
    HealthCondition::HeartDisease,
    HealthCondition::Raynauds,
    HealthCondition::ColdUrticaria,
    HealthCondition::Cryoglobulinaemia,
    HealthCondition::Pregnancy,
    HealthCondition::OpenWounds,
];
/// Exclusions for cold-water immersion: Fettle applies the cryotherapy list to immersion as a
/// precaution (the same cold shock).
pub const CWI_EXCLUSIONS: [HealthCondition; 7] = CRYO_EXCLUSIONS;
/// Exclusions for compression boots: open wounds, a risk of deep-vein thrombosis, an acute
/// injury.
pub const BOOTS_EXCLUSIONS: [HealthCondition; 3] = [
    HealthCondition::OpenWounds,
    HealthCondition::DvtRisk,
    HealthCondition::AcuteInjury,
];
/// Exclusions for compression garments: peripheral arterial disease (external compression
/// lowers perfusion further) and skin lesions or open wounds under the garment.
pub const GARMENTS_EXCLUSIONS: [HealthCondition; 3] = [
    HealthCondition::PeripheralArterialDisease,
    HealthCondition::SkinLesions,
    HealthCondition::OpenWounds,
];
/// Exclusions for sports massage: acute injury, inflammation.
pub const MASSAGE_EXCLUSIONS: [HealthCondition; 2] =
    [HealthCondition::AcuteInjury, HealthCondition::Inflammation];

/// Evidence for the nutrition item.
pub const EVIDENCE_NUTRITION: &str = "Carbohydrate + protein at about 4:1 soon after long or \
hard runs restores glycogen and starts repair: Kerksick et al. 2017 (JISSN 14:33); amounts: \
Burke et al. 2011 (J Sports Sci 29:S17) and Jäger et al. 2017 (JISSN 14:20); fluids: ACSM 2007 \
position stand; timing matters less when the next session is far: Aragon & Schoenfeld 2013 \
(JISSN 10:5). Method: docs/science.md.";
/// Evidence for compression boots.
pub const EVIDENCE_BOOTS: &str = "Hoffman et al. 2016 (JOSPT 46:320): less perceived fatigue and \
soreness right after; no functional gain over the following days. Benefit: how you feel.";
/// Evidence for compression garments.
pub const EVIDENCE_GARMENTS: &str = "Brown et al. 2017 (Sports Med 47:2245–2267), a \
meta-analysis: a small benefit for the recovery of strength and for soreness, clearest from \
24 h on.";
/// Evidence for cold-water immersion.
pub const EVIDENCE_CWI: &str = "Versey et al. 2013 (Sports Med 43:1101); Machado et al. 2016 \
(Sports Med 46:503): 10–15 °C for 10–15 min is best for soreness at 24 h; regular cold after \
training can blunt adaptation, and after strength work it blunts strength gains (Roberts et al. \
2015, J Physiol 593:4285), so it is kept for races, congested schedules and heat.";
/// Evidence for whole-body cryotherapy.
pub const EVIDENCE_CRYO: &str = "Poppendieck et al. 2013 (Int J Sports Physiol Perform 8:227): \
small effects on perceived recovery (g ≈ 0.25). Chambers run at −110 °C or colder for 2–3 min.";
/// Evidence for sports massage.
pub const EVIDENCE_MASSAGE: &str = "Dupuy et al. 2018 (Front Physiol 9:403): the strongest \
evidence of all methods for DOMS and perceived fatigue.";
/// Evidence for foam rolling.
pub const EVIDENCE_FOAM: &str = "Wiewelhove et al. 2019 (Front Physiol 10:376): less pain \
perception, small sprint and strength gains.";
/// Evidence for sleep.
pub const EVIDENCE_SLEEP: &str = "Milewski et al. 2014 (J Pediatr Orthop 34:129): athletes \
sleeping under 8 h a night had 1.7× the injury risk.";
/// Evidence for a rest day.
pub const EVIDENCE_REST: &str = "Meeusen et al. 2013 (Eur J Sport Sci 13:1), the joint \
consensus on overtraining: recovery days when readiness is low, after races and when fatigue \
far outweighs fitness. How Fettle decides: docs/science.md.";

/// A method with nothing to log but its time and note.
const NOTHING_TO_LOG: LogSpec = LogSpec {
    needs: "",
    minutes: None,
    temp_c: None,
    grams: false,
    zones: None,
};

/// Why boots after this session, as a sentence.
fn boots_reason(d: &Demand) -> String {
    let why = if d.race {
        "After a race"
    } else if d.long {
        "After a long run"
    } else {
        "With your next hard session within 48 h"
    };
    format!(
        "{why}, they ease perceived fatigue and soreness; {}",
        protocol::BOOTS.when
    )
}

/// Why compression garments after this session, as a sentence.
fn garments_reason(_: &Demand) -> String {
    format!(
        "after a long or hard session they help strength and soreness recover (a small effect); \
         {}",
        protocol::GARMENTS.when
    )
}

/// Why a massage after this session, as a sentence.
fn massage_reason(d: &Demand) -> String {
    format!(
        "after a {} it eases soreness and perceived fatigue; {}",
        if d.race { "race" } else { "long run" },
        protocol::MASSAGE.when
    )
}

/// The catalogue: one row per method, in display order (and [`RecoveryMethod`]'s declaration
/// order).
pub const METHODS: [MethodSpec; 9] = [
    MethodSpec {
        method: RecoveryMethod::Nutrition,
        name: "nutrition",
        cli_word: "meal",
        aliases: &["food"],
        label: "refuelling",
        with_article: "refuelling",
        title: "Refuelling",
        calendar_title: "Refuel",
        access: None,
        exclusions: &[],
        evidence: EVIDENCE_NUTRITION,
        plan_reason: "",
        dose: "",
        timing: Some(protocol::REFUEL),
        dose_minutes: None,
        dose_temp_c: None,
        log: LogSpec {
            needs: "a meal",
            grams: true,
            ..NOTHING_TO_LOG
        },
        prescribed: Prescribed::OwnRule,
    },
    MethodSpec {
        method: RecoveryMethod::CompressionBoots,
        name: "compression_boots",
        cli_word: "boots",
        aliases: &["compression"],
        label: "compression boots",
        with_article: "compression boots",
        title: "Compression boots",
        calendar_title: "Compression boots",
        access: Some(AccessSpec {
            access: Access::CompressionBoots,
            word: "compression-boots",
            title: "Compression boots",
            required: true,
            missing_note: "no compression boots suggested: you have not listed access to them",
        }),
        exclusions: &BOOTS_EXCLUSIONS,
        evidence: EVIDENCE_BOOTS,
        plan_reason: "less fatigue right after (Hoffman et al. 2016): the benefit is how you \
                      feel, not a faster functional recovery",
        dose: protocol::BOOTS_DOSE,
        timing: Some(protocol::BOOTS),
        dose_minutes: Some(protocol::BOOTS_MIN),
        dose_temp_c: None,
        log: LogSpec {
            needs: "compression boots",
            minutes: Some(Bound {
                what: "boots session",
                missing: "a duration",
                min: BOOTS_MIN_MIN,
                max: BOOTS_MAX_MIN,
                why: "sessions run 20–30 min (Hoffman et al. 2016)",
                example: "--minutes 30",
            }),
            zones: Some(&BOOT_ZONES),
            ..NOTHING_TO_LOG
        },
        prescribed: Prescribed::WhenIndicated(Indication {
            indicated: protocol::boots_indicated,
            rule: "boots.after_long_or_race",
            health_rule: "boots.health_exclusion",
            reason: boots_reason,
        }),
    },
    MethodSpec {
        method: RecoveryMethod::CompressionGarments,
        name: "compression_garments",
        cli_word: "garments",
        aliases: &[
            "compression_socks",
            "socks",
            "calf_sleeves",
            "compression_tights",
            "tights",
        ],
        label: "compression garments",
        with_article: "compression garments",
        title: "Compression garments (minutes worn)",
        calendar_title: "Compression garments",
        access: Some(AccessSpec {
            access: Access::CompressionGarments,
            word: "compression-garments",
            title: "Compression garments (socks, calf sleeves, tights)",
            required: true,
            missing_note: "no compression garments suggested: you have not listed any (socks, \
                           calf sleeves or tights: `fettle profile access add \
                           compression-garments`)",
        }),
        exclusions: &GARMENTS_EXCLUSIONS,
        evidence: EVIDENCE_GARMENTS,
        plan_reason: "a small benefit for strength and soreness recovery (Brown et al. 2017 \
                      meta-analysis)",
        dose: protocol::GARMENTS_DOSE,
        timing: Some(protocol::GARMENTS),
        dose_minutes: Some(protocol::GARMENTS_MIN),
        dose_temp_c: None,
        log: LogSpec {
            needs: "compression garments",
            minutes: Some(Bound {
                what: "compression-garment wear",
                missing: "a duration",
                min: 5.0,
                max: GARMENTS_MAX_MIN,
                why: "the time worn, up to a day (give hours with --hours)",
                example: "--hours 3",
            }),
            ..NOTHING_TO_LOG
        },
        prescribed: Prescribed::WhenIndicated(Indication {
            indicated: protocol::garments_indicated,
            rule: "garments.after_long_or_hard",
            health_rule: "garments.health_exclusion",
            reason: garments_reason,
        }),
    },
    MethodSpec {
        method: RecoveryMethod::ColdWaterImmersion,
        name: "cold_water_immersion",
        cli_word: "ice-bath",
        aliases: &["cwi", "cold", "cold_water"],
        label: "ice bath",
        with_article: "an ice bath",
        title: "Cold-water immersion",
        calendar_title: "Ice bath",
        access: Some(AccessSpec {
            access: Access::IceBath,
            word: "ice-bath",
            title: "Ice bath (cold-water immersion)",
            required: true,
            missing_note: "no ice bath suggested: you have not listed access to one",
        }),
        exclusions: &CWI_EXCLUSIONS,
        evidence: EVIDENCE_CWI,
        plan_reason: "less soreness and better perceived recovery at 24 h (Versey et al. 2013; \
                      Machado et al. 2016); not within a day of strength work (Roberts et al. \
                      2015)",
        dose: protocol::ICE_BATH_DOSE,
        timing: Some(protocol::ICE_BATH),
        dose_minutes: Some(protocol::ICE_BATH_MIN),
        dose_temp_c: Some(protocol::ICE_BATH_DOSE_TEMP_C),
        log: LogSpec {
            needs: "an ice bath",
            minutes: Some(Bound {
                what: "ice-bath duration",
                missing: "a duration",
                min: 1.0,
                max: ICE_BATH_MAX_MIN,
                why: "an ice bath lasts minutes (10–15 is the protocol); check the time you \
                      entered",
                example: "--minutes 10",
            }),
            temp_c: Some(Bound {
                what: "ice-bath water temperature",
                missing: "the water temperature",
                min: ICE_BATH_MIN_C,
                max: ICE_BATH_MAX_C,
                why: "above 20 °C the water is not cold, so it is not an ice bath (the protocol \
                      is 10–15 °C, Machado et al. 2016)",
                example: "--temp 12",
            }),
            ..NOTHING_TO_LOG
        },
        prescribed: Prescribed::OwnRule,
    },
    MethodSpec {
        method: RecoveryMethod::Cryotherapy,
        name: "cryotherapy",
        cli_word: "cryo",
        aliases: &["cryo_centre", "cryo_center"],
        label: "cryotherapy",
        with_article: "cryotherapy",
        title: "Cryotherapy",
        calendar_title: "Cryotherapy",
        access: Some(AccessSpec {
            access: Access::CryoCentre,
            word: "cryo-centre",
            title: "Whole-body cryotherapy centre",
            required: true,
            missing_note: "",
        }),
        exclusions: &CRYO_EXCLUSIONS,
        evidence: EVIDENCE_CRYO,
        plan_reason: "it may improve perceived recovery; the effects are small (Poppendieck et \
                      al. 2013)",
        dose: protocol::CRYO_DOSE,
        timing: Some(protocol::CRYO),
        dose_minutes: Some(protocol::CRYO_MIN),
        dose_temp_c: Some(protocol::CRYO_DOSE_TEMP_C),
        log: LogSpec {
            needs: "cryotherapy",
            minutes: Some(Bound {
                what: "cryotherapy exposure",
                missing: "a duration",
                min: 0.5,
                max: CRYO_MAX_MIN,
                why: "chambers and cabins run sessions of a few minutes; check the time you \
                      entered",
                example: "--minutes 3",
            }),
            temp_c: Some(Bound {
                what: "cryotherapy chamber temperature",
                missing: "the chamber temperature",
                min: CRYO_MIN_C,
                max: CRYO_WARMEST_C,
                why: "air warmer than −50 °C is a cold room, not cryotherapy (cabins run at \
                      about −90 °C and colder)",
                example: "--temp -110",
            }),
            ..NOTHING_TO_LOG
        },
        prescribed: Prescribed::OwnRule,
    },
    MethodSpec {
        method: RecoveryMethod::Massage,
        name: "massage",
        cli_word: "massage",
        aliases: &["sports_massage", "masseur"],
        label: "sports massage",
        with_article: "a sports massage",
        title: "Massage",
        calendar_title: "Sports massage",
        access: Some(AccessSpec {
            access: Access::Massage,
            word: "massage",
            title: "Sports massage",
            required: true,
            missing_note: "no massage suggested: you have not listed access to a masseur",
        }),
        exclusions: &MASSAGE_EXCLUSIONS,
        evidence: EVIDENCE_MASSAGE,
        plan_reason: "the strongest evidence of all methods for soreness and perceived fatigue \
                      (Dupuy et al. 2018)",
        dose: protocol::MASSAGE_DOSE,
        timing: Some(protocol::MASSAGE),
        dose_minutes: Some(protocol::MASSAGE_MIN),
        dose_temp_c: None,
        log: LogSpec {
            needs: "a massage",
            minutes: Some(Bound {
                what: "massage",
                missing: "a duration",
                min: 5.0,
                max: MASSAGE_MAX_MIN,
                why: "a session is 20–60 min",
                example: "--minutes 45",
            }),
            ..NOTHING_TO_LOG
        },
        prescribed: Prescribed::WhenIndicated(Indication {
            indicated: protocol::massage_indicated,
            rule: "massage.after_race_or_long",
            health_rule: "massage.health_exclusion",
            reason: massage_reason,
        }),
    },
    MethodSpec {
        method: RecoveryMethod::FoamRolling,
        name: "foam_rolling",
        cli_word: "foam-roll",
        aliases: &["foam_roller", "massage_ball"],
        label: "foam rolling",
        with_article: "foam rolling",
        title: "Foam rolling",
        calendar_title: "Foam rolling",
        access: Some(AccessSpec {
            access: Access::FoamRoller,
            word: "foam-roller",
            title: "Foam roller or massage ball",
            required: false,
            missing_note: "",
        }),
        exclusions: &[],
        evidence: EVIDENCE_FOAM,
        plan_reason: "eases pain perception; free and quick (Wiewelhove et al. 2019)",
        dose: protocol::FOAM_ROLLING_DOSE,
        timing: Some(protocol::FOAM_ROLLING),
        dose_minutes: Some(protocol::FOAM_ROLLING_MIN),
        dose_temp_c: None,
        log: LogSpec {
            needs: "foam rolling",
            minutes: Some(Bound {
                what: "foam rolling",
                missing: "a duration",
                min: 1.0,
                max: FOAM_ROLLING_MAX_MIN,
                why: "about 10 min is the dose (Wiewelhove et al. 2019)",
                example: "--minutes 10",
            }),
            ..NOTHING_TO_LOG
        },
        prescribed: Prescribed::OwnRule,
    },
    MethodSpec {
        method: RecoveryMethod::Sleep,
        name: "sleep",
        cli_word: "sleep",
        aliases: &[],
        label: "sleep",
        with_article: "sleep",
        title: "Sleep",
        calendar_title: "Sleep",
        access: None,
        exclusions: &[],
        evidence: EVIDENCE_SLEEP,
        plan_reason: "one of your heaviest weeks: under 8 h a night goes with more injuries \
                      (Milewski et al. 2014)",
        dose: "",
        timing: None,
        dose_minutes: Some(protocol::SLEEP_MIN),
        dose_temp_c: None,
        log: LogSpec {
            needs: "sleep",
            minutes: Some(Bound {
                what: "sleep",
                missing: "a duration",
                min: 30.0,
                max: SLEEP_MAX_MIN,
                why: "one night's sleep",
                example: "--minutes 480",
            }),
            ..NOTHING_TO_LOG
        },
        prescribed: Prescribed::OwnRule,
    },
    MethodSpec {
        method: RecoveryMethod::Rest,
        name: "rest",
        cli_word: "rest",
        aliases: &["rest_day"],
        label: "rest day",
        with_article: "a rest day",
        title: "Rest day",
        calendar_title: "Rest day",
        access: None,
        exclusions: &[],
        evidence: EVIDENCE_REST,
        plan_reason: "planned rest lets the fatigue of the previous days decay (Meeusen et al. \
                      2013)",
        dose: "",
        timing: None,
        dose_minutes: None,
        dose_temp_c: None,
        log: NOTHING_TO_LOG,
        prescribed: Prescribed::OwnRule,
    },
];

/// The catalogue as the faces read it (`GET /api/v1/vocabulary`, the dashboard's lists).
#[derive(Debug, Clone, Serialize)]
pub struct Vocabulary {
    /// Every method, in display order.
    pub methods: Vec<MethodWords>,
    /// Every access item, in display order.
    pub access: Vec<AccessWords>,
    /// Every health condition, in display order.
    pub health: Vec<HealthWords>,
    /// The bounds every logged entry shares, whatever its method.
    pub shared_limits: SharedLimits,
}

/// One method as the faces read it.
#[derive(Debug, Clone, Serialize)]
pub struct MethodWords {
    /// The stable name (what the API takes and returns).
    pub name: &'static str,
    /// The word the CLI shows.
    pub cli_word: &'static str,
    /// Every other word accepted.
    pub aliases: Vec<&'static str>,
    /// Its name in lists.
    pub title: &'static str,
    /// Its name in sentences.
    pub label: &'static str,
    /// The access word it needs, if any.
    pub access: Option<&'static str>,
    /// The health words that exclude it.
    pub excluded_by: Vec<&'static str>,
    /// What can be logged for it.
    pub log: LogSpec,
}

/// One access item as the faces read it.
#[derive(Debug, Clone, Serialize)]
pub struct AccessWords {
    /// The stored word.
    pub word: &'static str,
    /// Its name in lists.
    pub title: &'static str,
    /// The method it serves.
    pub method: &'static str,
}

/// One health condition as the faces read it.
#[derive(Debug, Clone, Serialize)]
pub struct HealthWords {
    /// The stored word.
    pub word: &'static str,
    /// Its name in lists.
    pub title: &'static str,
}

/// The bounds of [`crate::limits`] every logged recovery entry shares.
#[derive(Debug, Clone, Serialize)]
pub struct SharedLimits {
    /// Duration, minutes: `[min, max]`.
    pub minutes: [f64; 2],
    /// Temperature, °C: `[min, max]`.
    pub temp_c: [f64; 2],
    /// Grams of carbohydrate or protein in one meal: `[min, max]`.
    pub grams: [f64; 2],
    /// Longest note, characters.
    pub note_max_chars: usize,
}

/// The catalogue for the faces.
pub fn vocabulary() -> Vocabulary {
    Vocabulary {
        methods: METHODS
            .iter()
            .map(|s| MethodWords {
                name: s.name,
                cli_word: s.cli_word,
                aliases: s.aliases.to_vec(),
                title: s.title,
                label: s.label,
                access: s.access.map(|a| a.word),
                excluded_by: s.exclusions.iter().map(|c| c.as_str()).collect(),
                log: s.log,
            })
            .collect(),
        access: Access::ALL
            .iter()
            .map(|a| AccessWords {
                word: a.as_str(),
                title: a.spec().title,
                method: a.method().as_str(),
            })
            .collect(),
        health: HealthCondition::ALL
            .iter()
            .map(|c| HealthWords {
                word: c.as_str(),
                title: c.title(),
            })
            .collect(),
        shared_limits: SharedLimits {
            minutes: [limits::RECOVERY_MINUTES.0, limits::RECOVERY_MINUTES.1],
            temp_c: [limits::RECOVERY_TEMP_C.0, limits::RECOVERY_TEMP_C.1],
            grams: [0.0, limits::MEAL_MAX_G],
            note_max_chars: limits::NOTE_MAX_CHARS,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_access_is_its_methods_access() {
        for access in Access::ALL {
            let spec = access.method().spec().access;
            assert_eq!(spec.map(|s| s.access), Some(access), "{access:?}");
        }
        assert_eq!(Access::ALL.len(), 6);
    }

    #[test]
    fn every_word_accepted_before_the_catalogue_is_still_accepted() {
        // The two alias lists of before (the method's and the access's), written out by hand.
        use RecoveryMethod as M;
        let methods = [
            ("nutrition", M::Nutrition),
            ("meal", M::Nutrition),
            ("food", M::Nutrition),
            ("compression_boots", M::CompressionBoots),
            ("boots", M::CompressionBoots),
            ("compression", M::CompressionBoots),
            ("compression_garments", M::CompressionGarments),
            ("garments", M::CompressionGarments),
            ("compression-socks", M::CompressionGarments),
            ("socks", M::CompressionGarments),
            ("calf_sleeves", M::CompressionGarments),
            ("compression_tights", M::CompressionGarments),
            ("tights", M::CompressionGarments),
            ("cold_water_immersion", M::ColdWaterImmersion),
            ("ice-bath", M::ColdWaterImmersion),
            ("CWI", M::ColdWaterImmersion),
            ("cold", M::ColdWaterImmersion),
            ("cryotherapy", M::Cryotherapy),
            ("cryo", M::Cryotherapy),
            ("massage", M::Massage),
            ("sports_massage", M::Massage),
            ("foam_rolling", M::FoamRolling),
            ("foam-roll", M::FoamRolling),
            ("foam_roller", M::FoamRolling),
            ("sleep", M::Sleep),
            ("rest", M::Rest),
            (" Rest-Day ", M::Rest),
        ];
        for (word, method) in methods {
            assert_eq!(RecoveryMethod::parse(word), Some(method), "{word}");
        }
        let access = [
            ("compression-boots", Access::CompressionBoots),
            ("boots", Access::CompressionBoots),
            ("compression_garments", Access::CompressionGarments),
            ("garments", Access::CompressionGarments),
            ("compression-socks", Access::CompressionGarments),
            ("socks", Access::CompressionGarments),
            ("calf-sleeves", Access::CompressionGarments),
            ("compression-tights", Access::CompressionGarments),
            ("tights", Access::CompressionGarments),
            ("ice-bath", Access::IceBath),
            ("cold-water", Access::IceBath),
            ("cold-water-immersion", Access::IceBath),
            ("cwi", Access::IceBath),
            ("cryo-centre", Access::CryoCentre),
            ("cryo-center", Access::CryoCentre),
            ("cryo", Access::CryoCentre),
            ("cryotherapy", Access::CryoCentre),
            ("massage", Access::Massage),
            ("masseur", Access::Massage),
            ("foam-roller", Access::FoamRoller),
            ("foam-roll", Access::FoamRoller),
            ("foam-rolling", Access::FoamRoller),
            ("massage-ball", Access::FoamRoller),
        ];
        for (word, item) in access {
            assert_eq!(Access::parse(word), Some(item), "{word}");
        }
        // What was refused stays refused: food, sleep and rest need no access; unknown words.
        for word in ["meal", "sleep", "rest", "sauna", ""] {
            assert_eq!(Access::parse(word), None, "{word}");
        }
        for word in ["sauna", "yoga", "", "ice bath"] {
            assert_eq!(RecoveryMethod::parse(word), None, "{word}");
        }
    }

    #[test]
    fn no_word_names_two_methods() {
        let mut seen = std::collections::BTreeMap::new();
        for m in RecoveryMethod::ALL {
            for w in m.words() {
                if let Some(other) = seen.insert(normalise(w), m) {
                    assert_eq!(other, m, "{w} names {other:?} and {m:?}");
                }
            }
        }
    }

    #[test]
    fn the_vocabulary_lists_every_method_access_and_condition_in_order() {
        let v = vocabulary();
        let names: Vec<&str> = v.methods.iter().map(|m| m.name).collect();
        assert_eq!(
            names,
            [
                "nutrition",
                "compression_boots",
                "compression_garments",
                "cold_water_immersion",
                "cryotherapy",
                "massage",
                "foam_rolling",
                "sleep",
                "rest"
            ]
        );
        let words: Vec<&str> = v.access.iter().map(|a| a.word).collect();
        assert_eq!(
            words,
            [
                "compression-boots",
                "compression-garments",
                "ice-bath",
                "cryo-centre",
                "massage",
                "foam-roller"
            ]
        );
        assert_eq!(v.health.len(), 12);
        assert_eq!(v.access[2].method, "cold_water_immersion");
    }
}
