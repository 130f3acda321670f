//! The simulated runner's training plan: 16-week blocks of loading and recovery weeks, a taper
//! and a goal race, with tune-up races and the odd ride or swim.
//!
//! Block layout (docs/science.md: 3 loading weeks : 1 recovery week, recovery week at 60–80 % of
//! the previous loading week; long run ≤ ~25–30 % of the week; taper cuts volume 41–60 % and
//! keeps intensity):
//!
//! | weeks | phase |
//! |---|---|
//! | 0–2, 4–6, 8–10 | build (volume rising towards the block's peak) |
//! | 3, 7, 11 | recovery (70 % of the previous week) |
//! | 12–13 | taper (75 %, 55 % of peak), goal race on the Sunday of week 13 |
//! | 14–15 | transition (easy running only) |
//!
//! Tune-up races: a 5K on the Saturday of week 5, a 10K (or 5K before a 10K goal) on the Sunday
//! of week 9. Goal races alternate between the half marathon and the 10K from block to block.
//!
//! A week: Monday rest (sometimes a swim), Tuesday intervals, Wednesday easy, Thursday tempo,
//! Friday rest or a recovery run, Saturday easy (sometimes a ride), Sunday long run: 5–6 runs.

use serde::{Deserialize, Serialize};

use crate::rng::Rng;
use crate::session::{Mode, Segment, SegmentEnd, SessionSpec};

/// Weeks in one training block.
pub(crate) const BLOCK_WEEKS: u32 = 16;
/// Recovery-week volume as a fraction of the previous loading week (docs/science.md: 60–80 %).
const RECOVERY_WEEK_FRACTION: f64 = 0.7;
/// Taper volumes as fractions of the block's peak week (docs/science.md: down 41–60 % over
/// about two weeks).
const TAPER_FRACTIONS: [f64; 2] = [0.75, 0.55];
/// Transition weeks' volumes as fractions of the block's peak.
const TRANSITION_FRACTIONS: [f64; 2] = [0.45, 0.65];
/// Long run as a fraction of the week (docs/science.md: at most about 25–30 %).
const LONG_RUN_FRACTION: f64 = 0.28;
/// Longest long run, km.
const LONG_RUN_MAX_KM: f64 = 32.0;
/// Each block's peak grows by this fraction over the previous one, up to the configured peak.
const BLOCK_PEAK_GROWTH: f64 = 0.06;
/// The first block's peak relative to the base weekly volume.
const FIRST_BLOCK_PEAK_OVER_BASE: f64 = 1.4;
/// First build week relative to the block's peak; the build reaches the peak linearly.
const BUILD_START_FRACTION: f64 = 0.7;

/// Shortest and longest easy run, km.
const EASY_RUN_KM: (f64, f64) = (5.0, 16.0);

/// Distances of the races the runner enters, m.
pub(crate) const FIVE_K_M: f64 = 5000.0;
/// See [`FIVE_K_M`].
pub(crate) const TEN_K_M: f64 = 10_000.0;
/// See [`FIVE_K_M`].
pub(crate) const HALF_MARATHON_M: f64 = 21_097.5;

/// Warm-up and cool-down of a workout, m.
const WARM_UP_M: f64 = 2000.0;
/// See [`WARM_UP_M`].
const COOL_DOWN_M: f64 = 1500.0;
/// Warm-up / cool-down / recovery-jog intensity (fraction of threshold speed).
const JOG_INTENSITY: f64 = 0.68;

/// The phase of a training week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// A loading week: volume rising towards the block's peak, with workouts.
    Build,
    /// A lighter week after three loading weeks.
    Recovery,
    /// The two weeks before the goal race.
    Taper,
    /// Easy weeks after the goal race.
    Transition,
}

/// One repetition set: (reps, rep metres, recovery jog seconds, intensity, rep label).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct IntervalSet {
    pub(crate) reps: u32,
    pub(crate) rep_m: f64,
    pub(crate) recovery_s: f64,
    pub(crate) intensity: f64,
    pub(crate) label: &'static str,
}

/// Workouts in rotation; intensities are fractions of threshold speed (≈ 5K to 10K pace).
const INTERVAL_MENU: [IntervalSet; 5] = [
    IntervalSet {
        reps: 5,
        rep_m: 1000.0,
        recovery_s: 120.0,
        intensity: 1.07,
        label: "1 km",
    },
    IntervalSet {
        reps: 6,
        rep_m: 800.0,
        recovery_s: 90.0,
        intensity: 1.10,
        label: "800 m",
    },
    IntervalSet {
        reps: 10,
        rep_m: 400.0,
        recovery_s: 75.0,
        intensity: 1.15,
        label: "400 m",
    },
    IntervalSet {
        reps: 4,
        rep_m: 1600.0,
        recovery_s: 150.0,
        intensity: 1.04,
        label: "1.6 km",
    },
    IntervalSet {
        reps: 3,
        rep_m: 2000.0,
        recovery_s: 180.0,
        intensity: 1.02,
        label: "2 km",
    },
];

/// What a planned session is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    Easy,
    RecoveryRun,
    Long,
    Tempo { minutes: f64 },
    Intervals(IntervalSet),
    Race { distance_m: f64 },
    Ride { minutes: f64 },
    Swim { metres: f64 },
}

impl Kind {
    /// Whether the session is hard enough to call for recovery work.
    pub(crate) fn is_hard(self) -> bool {
        matches!(
            self,
            Kind::Long | Kind::Tempo { .. } | Kind::Intervals(_) | Kind::Race { .. }
        )
    }
}

/// One planned session.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Planned {
    pub(crate) kind: Kind,
    /// Planned running distance, km (runs only).
    pub(crate) km: f64,
    /// Local start time (hour, minute).
    pub(crate) local_time: (i8, i8),
}

/// One planned week.
#[derive(Debug, Clone)]
pub(crate) struct WeekPlan {
    pub(crate) phase: Phase,
    pub(crate) planned_run_km: f64,
    /// Monday first.
    pub(crate) days: [Option<Planned>; 7],
}

/// The configured volume range.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Volume {
    pub(crate) base_km: f64,
    pub(crate) peak_km: f64,
}

/// The block's peak weekly volume, km.
fn block_peak(volume: Volume, block: u32) -> f64 {
    let grown = volume.base_km
        * FIRST_BLOCK_PEAK_OVER_BASE
        * (1.0 + BLOCK_PEAK_GROWTH).powi(block.min(1000) as i32);
    grown.min(volume.peak_km).max(volume.base_km)
}

/// The phase and planned running volume of week `week` (0-based from the first Monday).
pub(crate) fn week_phase_and_volume(volume: Volume, week: u32) -> (Phase, f64) {
    let block = week / BLOCK_WEEKS;
    let w = week % BLOCK_WEEKS;
    let peak = block_peak(volume, block);
    let build = |w: u32| {
        // Loading weeks 0,1,2,4,5,6,8,9,10 → k = 0..8.
        let k = w - w / 4;
        peak * (BUILD_START_FRACTION + (1.0 - BUILD_START_FRACTION) * f64::from(k) / 8.0)
    };
    match w {
        3 | 7 | 11 => (Phase::Recovery, RECOVERY_WEEK_FRACTION * build(w - 1)),
        12 | 13 => (Phase::Taper, TAPER_FRACTIONS[(w - 12) as usize] * peak),
        14 | 15 => (
            Phase::Transition,
            TRANSITION_FRACTIONS[(w - 14) as usize] * peak,
        ),
        _ => (Phase::Build, build(w)),
    }
}

/// A local start time around `hour:minute`, shifted by up to ± `spread_min` minutes.
fn around(rng: &mut Rng, hour: i8, minute: i8, spread_min: u32) -> (i8, i8) {
    let total = i32::from(hour) * 60 + i32::from(minute) + rng.int(0, 2 * spread_min) as i32
        - spread_min as i32;
    let total = total.clamp(5 * 60, 21 * 60);
    ((total / 60) as i8, (total % 60) as i8)
}

/// Distance of an interval session including warm-up, recovery jogs and cool-down, km, with the
/// recovery jogs at about 2 m/s.
fn interval_km(set: IntervalSet) -> f64 {
    (WARM_UP_M
        + COOL_DOWN_M
        + f64::from(set.reps) * set.rep_m
        + f64::from(set.reps.saturating_sub(1)) * set.recovery_s * 2.0)
        / 1000.0
}

/// Distance of a tempo session, km, with the tempo at about 3.8 m/s.
fn tempo_km(minutes: f64) -> f64 {
    (WARM_UP_M + COOL_DOWN_M + minutes * 60.0 * 3.8) / 1000.0
}

/// Plans week `week`.
pub(crate) fn plan_week(volume: Volume, week: u32, rng: &mut Rng) -> WeekPlan {
    let (phase, planned_run_km) = week_phase_and_volume(volume, week);
    let block = week / BLOCK_WEEKS;
    let w = week % BLOCK_WEEKS;
    let goal_is_half = block.is_multiple_of(2);
    let mut days: [Option<Planned>; 7] = [None; 7];
    let session = |kind: Kind, km: f64, local_time: (i8, i8)| {
        Some(Planned {
            kind,
            km,
            local_time,
        })
    };
    let mut set = INTERVAL_MENU[(week as usize) % INTERVAL_MENU.len()];
    let tempo_minutes = 20.0 + 15.0 * f64::from(w.min(11)) / 11.0;

    // Fixed sessions first; easy runs fill the remaining volume.
    let mut fixed_km = 0.0;
    let mut easy_days: Vec<(usize, (i8, i8))> = Vec::with_capacity(4);
    match phase {
        Phase::Build | Phase::Recovery | Phase::Taper => {
            if phase == Phase::Taper {
                set.reps = (set.reps * 2).div_ceil(3);
            }
            if phase == Phase::Recovery {
                easy_days.push((1, around(rng, 18, 15, 30)));
            } else {
                days[1] = session(
                    Kind::Intervals(set),
                    interval_km(set),
                    around(rng, 18, 15, 30),
                );
                fixed_km += interval_km(set);
            }
            easy_days.push((2, around(rng, 6, 45, 20)));
            let race_week = w == 13 || (w == 9 && phase == Phase::Build);
            let minutes = match phase {
                Phase::Recovery => 15.0,
                Phase::Taper => 18.0,
                _ => tempo_minutes,
            };
            if race_week {
                easy_days.push((3, around(rng, 7, 0, 20)));
            } else {
                days[3] = session(
                    Kind::Tempo { minutes },
                    tempo_km(minutes),
                    around(rng, 18, 15, 30),
                );
                fixed_km += tempo_km(minutes);
            }
            if phase != Phase::Taper && rng.chance(0.8) {
                let km = rng.range(5.0, 7.0);
                days[4] = session(Kind::RecoveryRun, km, around(rng, 7, 0, 20));
                fixed_km += km;
            }
            // Saturday: a 5K tune-up in week 5, else easy (or a ride now and then).
            if w == 5 {
                days[5] = session(
                    Kind::Race {
                        distance_m: FIVE_K_M,
                    },
                    5.0,
                    (9, 0),
                );
                fixed_km += 5.0;
            } else if phase == Phase::Build && rng.chance(0.1) {
                days[5] = session(
                    Kind::Ride {
                        minutes: rng.range(60.0, 120.0),
                    },
                    0.0,
                    around(rng, 9, 0, 30),
                );
            } else if w == 13 {
                days[5] = session(Kind::Easy, 4.0, around(rng, 8, 30, 30));
                fixed_km += 4.0;
            } else {
                easy_days.push((5, around(rng, 8, 0, 45)));
            }
            // Sunday: the goal race, a tune-up, or the long run.
            if w == 13 {
                let distance_m = if goal_is_half {
                    HALF_MARATHON_M
                } else {
                    TEN_K_M
                };
                days[6] = session(Kind::Race { distance_m }, distance_m / 1000.0, (9, 30));
                fixed_km += distance_m / 1000.0;
            } else if w == 9 {
                let distance_m = if goal_is_half { TEN_K_M } else { FIVE_K_M };
                days[6] = session(Kind::Race { distance_m }, distance_m / 1000.0, (9, 30));
                fixed_km += distance_m / 1000.0;
            } else {
                let fraction = if phase == Phase::Build {
                    LONG_RUN_FRACTION
                } else {
                    0.25
                };
                let km = (fraction * planned_run_km).clamp(10.0, LONG_RUN_MAX_KM);
                days[6] = session(Kind::Long, km, around(rng, 8, 30, 40));
                fixed_km += km;
            }
            if phase != Phase::Taper && rng.chance(0.25) {
                let metres = 100.0 * f64::from(rng.int(15, 25));
                days[0] = session(
                    Kind::Swim { metres },
                    0.0,
                    if rng.chance(0.5) { (7, 0) } else { (19, 0) },
                );
            }
        }
        Phase::Transition => {
            easy_days.push((1, around(rng, 18, 0, 30)));
            easy_days.push((3, around(rng, 7, 0, 30)));
            easy_days.push((4, around(rng, 7, 0, 30)));
            easy_days.push((5, around(rng, 8, 30, 45)));
            let km = (0.25 * planned_run_km).max(8.0);
            days[6] = session(Kind::Easy, km, around(rng, 9, 0, 40));
            fixed_km += km;
            if rng.chance(0.5) {
                days[2] = session(
                    Kind::Ride {
                        minutes: rng.range(45.0, 90.0),
                    },
                    0.0,
                    around(rng, 17, 30, 30),
                );
            }
        }
    }
    // When the week is too light for every easy run to reach the shortest easy run, drop easy
    // runs (the first listed goes first) rather than overshoot the planned volume.
    while easy_days.len() > 1
        && (planned_run_km - fixed_km) / (easy_days.len() as f64) < EASY_RUN_KM.0
    {
        easy_days.remove(0);
    }
    if !easy_days.is_empty() {
        let each = ((planned_run_km - fixed_km) / easy_days.len() as f64)
            .clamp(EASY_RUN_KM.0, EASY_RUN_KM.1);
        for (day, time) in easy_days {
            let km = each * rng.range(0.9, 1.1);
            days[day] = session(Kind::Easy, km, time);
        }
    }
    WeekPlan {
        phase,
        planned_run_km,
        days,
    }
}

/// The session spec of a planned run or ride. `race_intensity` is the race's target speed over
/// threshold speed (races only).
/// `None` for a swim, which has no route (see `session::generate_swim`).
pub(crate) fn session_spec(
    planned: &Planned,
    race_intensity: f64,
    rng: &mut Rng,
) -> Option<SessionSpec> {
    let steady = |intensity: f64, metres: f64| Segment {
        intensity,
        end: SegmentEnd::Distance(metres),
        new_lap: false,
    };
    let metres = planned.km * 1000.0;
    let run = |name: String, segments: Vec<Segment>, loop_m: f64| SessionSpec {
        mode: Mode::Run,
        name,
        segments,
        auto_lap_m: 1000.0,
        loop_m,
        max_grade: crate::route::HILLY_MAX_GRADE * hilliness_for_loop(loop_m),
        stops_per_km: 0.15,
        pace_wander: 0.02,
    };
    Some(match planned.kind {
        Kind::Easy => run(
            "Easy run".to_owned(),
            vec![steady(rng.range(0.74, 0.80), metres)],
            loop_for(metres),
        ),
        Kind::RecoveryRun => run(
            "Recovery run".to_owned(),
            vec![steady(rng.range(0.68, 0.72), metres)],
            loop_for(metres),
        ),
        Kind::Long => run(
            "Long run".to_owned(),
            vec![steady(rng.range(0.74, 0.78), metres)],
            loop_for(metres),
        ),
        Kind::Tempo { minutes } => {
            let segments = vec![
                steady(JOG_INTENSITY + 0.04, WARM_UP_M),
                Segment {
                    intensity: rng.range(0.97, 1.0),
                    end: SegmentEnd::Duration(minutes * 60.0),
                    new_lap: true,
                },
                Segment {
                    intensity: JOG_INTENSITY + 0.04,
                    end: SegmentEnd::Distance(COOL_DOWN_M),
                    new_lap: true,
                },
            ];
            run(
                format!("Tempo {minutes:.0} min"),
                segments,
                loop_for(metres),
            )
        }
        Kind::Intervals(set) => {
            let mut segments = Vec::with_capacity(2 * set.reps as usize + 2);
            segments.push(steady(JOG_INTENSITY + 0.04, WARM_UP_M));
            for rep in 0..set.reps {
                if rep > 0 {
                    segments.push(Segment {
                        intensity: JOG_INTENSITY - 0.1,
                        end: SegmentEnd::Duration(set.recovery_s),
                        new_lap: true,
                    });
                }
                segments.push(Segment {
                    intensity: set.intensity,
                    end: SegmentEnd::Distance(set.rep_m),
                    new_lap: true,
                });
            }
            segments.push(Segment {
                intensity: JOG_INTENSITY,
                end: SegmentEnd::Distance(COOL_DOWN_M),
                new_lap: true,
            });
            let mut spec = run(
                format!("{} × {}", set.reps, set.label),
                segments,
                loop_for(metres),
            );
            // Workouts on a flatter loop (a park or a track-like circuit).
            spec.max_grade *= 0.4;
            spec.stops_per_km = 0.0;
            spec
        }
        Kind::Race { distance_m } => {
            let name = if distance_m == HALF_MARATHON_M {
                "Half marathon".to_owned()
            } else {
                format!("{:.0}K race", distance_m / 1000.0)
            };
            let mut spec = run(name, vec![steady(race_intensity, distance_m)], distance_m);
            spec.max_grade = crate::route::RACE_MAX_GRADE;
            spec.stops_per_km = 0.0;
            spec.pace_wander = 0.004;
            spec
        }
        Kind::Ride { minutes } => SessionSpec {
            mode: Mode::Ride,
            name: "Easy ride".to_owned(),
            segments: vec![Segment {
                intensity: rng.range(0.6, 0.7),
                end: SegmentEnd::Duration(minutes * 60.0),
                new_lap: false,
            }],
            auto_lap_m: 5000.0,
            loop_m: minutes * 60.0 * 7.0,
            max_grade: 0.06,
            stops_per_km: 0.05,
            pace_wander: 0.03,
        },
        Kind::Swim { .. } => return None,
    })
}

/// Loop length for a run: the whole run for up to 20 km, else two or more equal laps.
fn loop_for(metres: f64) -> f64 {
    let laps = (metres / 20_000.0).ceil().max(1.0);
    metres / laps
}

/// Longer loops go further afield and include more hills; short loops stay on flatter roads.
fn hilliness_for_loop(loop_m: f64) -> f64 {
    (0.5 + loop_m / 30_000.0).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VOLUME: Volume = Volume {
        base_km: 40.0,
        peak_km: 70.0,
    };

    #[test]
    fn recovery_weeks_are_seventy_percent_of_the_week_before() {
        // Block 0 peak = 40 · 1.4 = 56 km; week 2 is loading week k = 2:
        // 56 · (0.7 + 0.3 · 2/8) = 56 · 0.775 = 43.4 km; week 3 = 0.7 · 43.4 = 30.38 km.
        let (p2, v2) = week_phase_and_volume(VOLUME, 2);
        let (p3, v3) = week_phase_and_volume(VOLUME, 3);
        assert_eq!((p2, p3), (Phase::Build, Phase::Recovery));
        assert!((v2 - 43.4).abs() < 1e-9);
        assert!((v3 - 30.38).abs() < 1e-9);
        // Week 10 is the last loading week (k = 8): the block's peak, 56 km.
        assert!((week_phase_and_volume(VOLUME, 10).1 - 56.0).abs() < 1e-9);
    }

    #[test]
    fn taper_and_transition_follow_the_build() {
        assert_eq!(week_phase_and_volume(VOLUME, 12).0, Phase::Taper);
        assert_eq!(week_phase_and_volume(VOLUME, 13).0, Phase::Taper);
        assert_eq!(week_phase_and_volume(VOLUME, 14).0, Phase::Transition);
        assert_eq!(week_phase_and_volume(VOLUME, 16).0, Phase::Build);
        // Block 1's peak grows by 6 %: 59.36 km, capped at the configured 70 km in later blocks.
        assert!((week_phase_and_volume(VOLUME, 26).1 - 59.36).abs() < 1e-9);
        assert!((week_phase_and_volume(VOLUME, 16 * 40 + 10).1 - 70.0).abs() < 1e-9);
    }

    #[test]
    fn weeks_have_five_or_six_runs_and_a_goal_race_in_week_13() {
        let mut rng = Rng::new(5, 5);
        for week in 0..64 {
            let plan = plan_week(VOLUME, week, &mut rng);
            let runs = plan
                .days
                .iter()
                .flatten()
                .filter(|p| !matches!(p.kind, Kind::Ride { .. } | Kind::Swim { .. }))
                .count();
            let expected = if plan.phase == Phase::Transition {
                4..=5
            } else {
                4..=6
            };
            assert!(expected.contains(&runs), "week {week}: {runs} runs");
        }
        let plan = plan_week(VOLUME, 13, &mut rng);
        assert!(matches!(
            plan.days[6].map(|p| p.kind),
            Some(Kind::Race { distance_m }) if distance_m == HALF_MARATHON_M
        ));
    }
}
