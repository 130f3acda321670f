//! One source for each recovery method's dose, timing and indication, shared by the advice
//! after a session ([`super::prescribe`]) and the planner's recovery items
//! (`plan::care`): the two faces once disagreed (an ice bath "0–2 h after" against "within an
//! hour"; boots 30 against 120 minutes after; massage after every long run against only the
//! biggest week's). Citations are in the evidence texts of [`super`] and in `docs/science.md`.
//!
//! Indications (what the session must have been for a method to be suggested):
//! - **refuelling window** after a long or hard session or a race; repeated hourly for up to
//!   [`REFUEL_REPEAT_HOURS`](crate::nutrition::REFUEL_REPEAT_HOURS) h when the next hard
//!   session is within [`NEXT_HARD_STRICT_WINDOW_H`] h; otherwise a normal meal;
//! - **cold** (ice bath, or cryotherapy when there is no bath) only after a race, a hard
//!   session in a congested schedule (next hard session within [`CONGESTED_SCHEDULE_H`] h), or
//!   a session in the heat; never after strength work or during a strength block;
//! - **compression boots** after a long run or a race, or a hard session in a congested
//!   schedule;
//! - **compression garments** after long or hard sessions and races (and after long travel);
//! - **sports massage** after a race or a long run, within 48 h.

/// When an item is done, relative to the end of the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Start, minutes after the session ends.
    pub from_min: u32,
    /// End of the window, minutes after the session ends.
    pub until_min: u32,
    /// The same in words.
    pub when: &'static str,
}

/// Refuelling: start within 30 minutes of finishing (Kerksick et al. 2017).
pub const REFUEL: Timing = Timing {
    from_min: 0,
    until_min: crate::nutrition::REFUEL_WINDOW_MIN as u32,
    when: "start within 30 min of finishing",
};
/// Ice bath: soon after the session, within the hour (the studies immersed athletes within
/// minutes to an hour after exercise; Machado et al. 2016).
pub const ICE_BATH: Timing = Timing {
    from_min: 0,
    until_min: 60,
    when: "within an hour of finishing",
};
/// Cryotherapy: at the centre, the same day.
pub const CRYO: Timing = Timing {
    from_min: 0,
    until_min: 12 * 60,
    when: "the same day, at the centre",
};
/// Compression boots: once refuelled (from 30 min after), the same day.
pub const BOOTS: Timing = Timing {
    from_min: 30,
    until_min: 12 * 60,
    when: "from 30 min after finishing (once you have refuelled), the same day",
};
/// Compression garments: put on after the run (or the shower) and worn for hours.
pub const GARMENTS: Timing = Timing {
    from_min: 0,
    until_min: 12 * 60,
    when: "from right after the run or the shower, for a few hours",
};
/// Sports massage: the same day or within 48 h (Dupuy et al. 2018).
pub const MASSAGE: Timing = Timing {
    from_min: 0,
    until_min: 48 * 60,
    when: "the same day or within 48 h",
};
/// The same day: the window of a method that names no timing of its own.
pub const SAME_DAY: Timing = Timing {
    from_min: 0,
    until_min: 12 * 60,
    when: "the same day",
};
/// Foam rolling: after the run, the same day.
pub const FOAM_ROLLING: Timing = Timing {
    from_min: 0,
    until_min: 12 * 60,
    when: "after the run, the same day",
};

/// Ice-bath dose (Machado et al. 2016: 10–15 °C for 10–15 min is best for soreness).
pub const ICE_BATH_DOSE: &str = "10–15 min in water at 10–15 °C, up to the waist or neck";
/// Ice-bath duration for calendars, minutes (the middle of 10–15).
pub const ICE_BATH_MIN: u32 = 12;
/// Cryotherapy dose (chambers: −110 °C or colder, 2–3 min).
pub const CRYO_DOSE: &str = "2–3 min at −110 °C or colder (never over 3 min); dry skin, gloves, \
socks, mouth mask. May bring a buzz or sudden tiredness afterwards";
/// Cryotherapy duration for calendars, minutes.
pub const CRYO_MIN: u32 = 3;
/// Compression-boots dose (Hoffman et al. 2016).
pub const BOOTS_DOSE: &str = "20–30 min, sequential zones feet → calves → quads → hips, the \
device's recovery mode. Benefit: how you feel";
/// Compression-boots duration for calendars, minutes.
pub const BOOTS_MIN: u32 = 30;
/// Compression-garment dose (Brown et al. 2017 pooled studies wearing them for hours, up to
/// 24 h or more).
pub const GARMENTS_DOSE: &str = "graduated compression socks, calf sleeves or tights, worn for \
at least 3 hours (overnight is fine); also on a long journey";
/// Compression-garment wear for calendars, minutes (3 h).
pub const GARMENTS_MIN: u32 = 180;
/// Sports-massage dose (Dupuy et al. 2018).
pub const MASSAGE_DOSE: &str = "20–30 min sports massage of the legs";
/// Sports-massage duration for calendars, minutes.
pub const MASSAGE_MIN: u32 = 30;
/// Foam-rolling dose (Wiewelhove et al. 2019).
pub const FOAM_ROLLING_DOSE: &str = "about 10 min, 30–60 s per muscle group (calves, quads, hamstrings, glutes); a massage ball \
works too";
/// Foam-rolling duration for calendars, minutes.
pub const FOAM_ROLLING_MIN: u32 = 10;

/// Ice-bath water for logging the prescribed dose, °C (the middle of 10–15).
pub const ICE_BATH_DOSE_TEMP_C: f64 = 12.0;
/// Cryotherapy chamber for logging the prescribed dose, °C.
pub const CRYO_DOSE_TEMP_C: f64 = -110.0;
/// Sleep for logging the prescribed dose, minutes (8 h).
pub const SLEEP_MIN: u32 = 480;

/// The next hard session within this many hours makes the refuelling window strict and
/// repeated (Kerksick et al. 2017; Aragon & Schoenfeld 2013).
pub const NEXT_HARD_STRICT_WINDOW_H: f64 = 24.0;
/// The next hard session within this many hours is a congested schedule (cold, boots).
pub const CONGESTED_SCHEDULE_H: f64 = 48.0;

/// What the indications look at: what the session was, and what comes next.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Demand {
    /// A hard session (the athlete's classification of it; see [`super::session_demand`]).
    pub hard: bool,
    /// A long session.
    pub long: bool,
    /// A race.
    pub race: bool,
    /// Strength work.
    pub strength: bool,
    /// Hours from the end of this session to the next hard one, when known.
    pub hours_to_next_hard: Option<f64>,
    /// Done in the heat.
    pub hot: bool,
}

impl Demand {
    fn next_hard_within(&self, hours: f64) -> bool {
        self.hours_to_next_hard
            .is_some_and(|h| (0.0..=hours).contains(&h))
    }
}

/// Why cold is indicated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColdIndication {
    /// After a race.
    Race,
    /// A hard session with the next hard one within [`CONGESTED_SCHEDULE_H`] h.
    Congested,
    /// A session in the heat.
    Heat,
}

impl ColdIndication {
    /// Why, in words.
    pub fn because(self) -> &'static str {
        match self {
            ColdIndication::Race => "after a race",
            ColdIndication::Congested => "after a hard session with the next hard one within 48 h",
            ColdIndication::Heat => "after a session in the heat",
        }
    }
}

/// The refuelling window applies: a long or hard session, or a race.
pub fn refuel_window(d: &Demand) -> bool {
    !d.strength && (d.hard || d.long || d.race)
}

/// The serving is repeated hourly: the window applies and the next hard session is within
/// [`NEXT_HARD_STRICT_WINDOW_H`] h.
pub fn refuel_repeats(d: &Demand) -> bool {
    refuel_window(d) && d.next_hard_within(NEXT_HARD_STRICT_WINDOW_H)
}

/// Cold is indicated (before access, health and strength are checked).
pub fn cold_indication(d: &Demand) -> Option<ColdIndication> {
    if d.strength {
        None
    } else if d.race {
        Some(ColdIndication::Race)
    } else if d.hard && d.next_hard_within(CONGESTED_SCHEDULE_H) {
        Some(ColdIndication::Congested)
    } else if d.hot && (d.hard || d.long) {
        Some(ColdIndication::Heat)
    } else {
        None
    }
}

/// Compression boots are indicated.
pub fn boots_indicated(d: &Demand) -> bool {
    !d.strength && (d.long || d.race || (d.hard && d.next_hard_within(CONGESTED_SCHEDULE_H)))
}

/// Compression garments are indicated.
pub fn garments_indicated(d: &Demand) -> bool {
    !d.strength && (d.long || d.hard || d.race)
}

/// Sports massage is indicated.
pub fn massage_indicated(d: &Demand) -> bool {
    !d.strength && (d.race || d.long)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cold_only_after_races_congested_hard_sessions_and_heat() {
        let hard = Demand {
            hard: true,
            ..Demand::default()
        };
        // A hard session with nothing hard planned soon: no cold.
        assert_eq!(cold_indication(&hard), None);
        // The next hard session 47 h later: congested; 49 h: not.
        let soon = Demand {
            hours_to_next_hard: Some(47.0),
            ..hard
        };
        assert_eq!(cold_indication(&soon), Some(ColdIndication::Congested));
        let later = Demand {
            hours_to_next_hard: Some(49.0),
            ..hard
        };
        assert_eq!(cold_indication(&later), None);
        let race = Demand {
            race: true,
            ..Demand::default()
        };
        assert_eq!(cold_indication(&race), Some(ColdIndication::Race));
        let hot_long = Demand {
            long: true,
            hot: true,
            ..Demand::default()
        };
        assert_eq!(cold_indication(&hot_long), Some(ColdIndication::Heat));
        // An easy or long run in a congested schedule: no cold.
        let long = Demand {
            long: true,
            hours_to_next_hard: Some(20.0),
            ..Demand::default()
        };
        assert_eq!(cold_indication(&long), None);
        let strength = Demand {
            strength: true,
            race: true,
            ..Demand::default()
        };
        assert_eq!(cold_indication(&strength), None);
    }

    #[test]
    fn the_window_repeats_only_when_the_next_hard_session_is_within_a_day() {
        let long = Demand {
            long: true,
            ..Demand::default()
        };
        assert!(refuel_window(&long) && !refuel_repeats(&long));
        let tomorrow = Demand {
            hours_to_next_hard: Some(23.5),
            ..long
        };
        assert!(refuel_repeats(&tomorrow));
        let easy = Demand {
            hours_to_next_hard: Some(10.0),
            ..Demand::default()
        };
        assert!(!refuel_window(&easy) && !refuel_repeats(&easy));
    }
}
