//! The simulated runner's hidden physiology: fitness and fatigue, threshold speed, heart rate.
//!
//! Fitness and fatigue are the exponentially weighted averages of daily load of docs/science.md
//! (`fettle_core::series`, λ = 1 − e^(−1/N), N = 42 and 7 days). Performance follows a
//! Banister-shaped law on the VDOT scale (Daniels & Gilbert 1979, docs/science.md):
//!
//! - the VDOT that sets the threshold speed grows with fitness:
//!   `vdot_fitness = vdot_initial + FITNESS_VDOT_PER_POINT · (CTL − CTL_initial)`;
//! - on race day, form adds or subtracts: `vdot_race = vdot_fitness + FORM_VDOT_PER_POINT · (CTL − ATL)`.
//!
//! Written out, `vdot_race = p0 + (k_fit + k_form)·CTL − k_form·ATL`: the impulse–response model
//! with a positive fitness gain and a smaller, faster fatigue gain (docs/science.md). The gains are
//! the simulator's own choices, set so that a 20-point rise in fitness over a build is worth about
//! 4 VDOT (roughly 70 s over 5 km for a 20-minute runner), the size of improvement coaches report
//! for a season of structured training after an easy spell.

use fettle_core::performance::{fraction_vo2max, vdot};
use fettle_core::series::{FATIGUE_DAYS, FITNESS_DAYS, ewma_next, lambda};

/// VDOT points gained per point of fitness (CTL). The simulator's choice (see module docs).
pub const FITNESS_VDOT_PER_POINT: f64 = 0.2;
/// VDOT points gained on race day per point of form (CTL − ATL). The simulator's choice.
pub const FORM_VDOT_PER_POINT: f64 = 0.05;

/// Duration of the effort that defines threshold speed: "the pace one can hold for about an
/// hour" (docs/science.md).
const THRESHOLD_EFFORT_S: f64 = 3600.0;

/// Minetti et al. 2002 (J Appl Physiol 93:1039): energy cost of running on the flat,
/// J·kg⁻¹·m⁻¹, the constant term of the polynomial.
pub(crate) const MINETTI_FLAT_COST: f64 = 3.6;
/// The grade range over which Minetti's polynomial holds (docs/science.md: clamp to about ±0.45).
const MINETTI_GRADE_LIMIT: f64 = 0.45;

/// Minetti et al. 2002 cost of running on grade `grade` (decimal), J·kg⁻¹·m⁻¹:
/// `C(i) = 155.4i⁵ − 30.4i⁴ − 43.3i³ + 46.3i² + 19.5i + 3.6`.
pub(crate) fn running_cost(grade: f64) -> f64 {
    let i = grade.clamp(-MINETTI_GRADE_LIMIT, MINETTI_GRADE_LIMIT);
    ((((155.4 * i - 30.4) * i - 43.3) * i + 46.3) * i + 19.5) * i + MINETTI_FLAT_COST
}

/// Coefficients of Daniels & Gilbert's oxygen cost `VO2(v) = c0 + c1·v + c2·v²` (v in m/min),
/// as in `fettle_core::performance::vo2_at_speed`.
const DANIELS_VO2: [f64; 3] = [-4.60, 0.182258, 0.000104];

/// The speed (m/s) a runner of the given VDOT holds for one hour: solves
/// `VO2(v) = VDOT · %VO2max(60 min)` for v, the positive root of the quadratic.
pub(crate) fn threshold_speed_for_vdot(vdot_value: f64) -> f64 {
    let target = vdot_value * fraction_vo2max(THRESHOLD_EFFORT_S / 60.0);
    let [c0, c1, c2] = DANIELS_VO2;
    let disc = c1 * c1 - 4.0 * c2 * (c0 - target);
    let v_m_per_min = (-c1 + disc.max(0.0).sqrt()) / (2.0 * c2);
    v_m_per_min / 60.0
}

/// The VDOT of a runner whose one-hour speed is `speed_mps`.
pub(crate) fn vdot_for_threshold_speed(speed_mps: f64) -> f64 {
    vdot(speed_mps * THRESHOLD_EFFORT_S, THRESHOLD_EFFORT_S).unwrap_or(0.0)
}

/// The hidden training state: fitness (CTL) and fatigue (ATL) in load points per day.
#[derive(Debug, Clone)]
pub(crate) struct TrueState {
    pub(crate) fitness: f64,
    pub(crate) fatigue: f64,
    initial_fitness: f64,
    initial_vdot: f64,
    fitness_lambda: f64,
    fatigue_lambda: f64,
}

impl TrueState {
    /// A runner in a steady state (fitness = fatigue = `initial_fitness`) whose threshold speed
    /// is `initial_threshold_mps`.
    pub(crate) fn new(initial_fitness: f64, initial_threshold_mps: f64) -> TrueState {
        TrueState {
            fitness: initial_fitness,
            fatigue: initial_fitness,
            initial_fitness,
            initial_vdot: vdot_for_threshold_speed(initial_threshold_mps),
            fitness_lambda: lambda(FITNESS_DAYS),
            fatigue_lambda: lambda(FATIGUE_DAYS),
        }
    }

    /// Form: fitness − fatigue.
    pub(crate) fn form(&self) -> f64 {
        self.fitness - self.fatigue
    }

    /// How far fatigue stands above fitness (0 when fresh): what raises HR at a given pace.
    pub(crate) fn fatigue_excess(&self) -> f64 {
        (self.fatigue - self.fitness).max(0.0)
    }

    /// The VDOT that sets today's threshold speed.
    pub(crate) fn vdot_fitness(&self) -> f64 {
        self.initial_vdot + FITNESS_VDOT_PER_POINT * (self.fitness - self.initial_fitness)
    }

    /// The VDOT the runner would race at today.
    pub(crate) fn vdot_race(&self) -> f64 {
        self.vdot_fitness() + FORM_VDOT_PER_POINT * self.form()
    }

    /// Today's threshold speed, m/s.
    pub(crate) fn threshold_speed_mps(&self) -> f64 {
        threshold_speed_for_vdot(self.vdot_fitness())
    }

    /// Ends the day: both averages move towards the day's load.
    pub(crate) fn end_day(&mut self, load: f64) {
        self.fitness = ewma_next(self.fitness, load, self.fitness_lambda);
        self.fatigue = ewma_next(self.fatigue, load, self.fatigue_lambda);
    }
}

/// Heart rate reserve fraction (HR − HRrest)/(HRmax − HRrest) when standing still: HR sits
/// some 15–20 bpm above resting before a run. The simulator's choice.
pub(crate) const STANDING_HRR_FRACTION: f64 = 0.12;
/// Above this reserve fraction the steady state bends smoothly towards HRmax instead of
/// passing it (HR plateaus near its maximum).
const HRR_SATURATION_KNEE: f64 = 0.92;
/// Cardiac drift: reserve fraction added per hour of running at threshold intensity
/// (≈ 4 bpm/h at easy pace for a reserve of 140 bpm). The simulator's choice.
const DRIFT_HRR_PER_HOUR: f64 = 0.04;
/// Reserve fraction added per point of fatigue above fitness (20 points ≈ +4 bpm).
const FATIGUE_HRR_PER_POINT: f64 = 0.0015;
/// Reserve fraction added per °C above [`HEAT_NEUTRAL_C`] (heat raises HR at a given pace).
const HEAT_HRR_PER_DEGREE: f64 = 0.002;
/// Ambient temperature above which heat starts to raise HR.
const HEAT_NEUTRAL_C: f64 = 15.0;

/// The heart-rate response of one athlete.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HeartModel {
    pub(crate) hr_rest: f64,
    pub(crate) hr_max: f64,
    /// Reserve fraction at lactate threshold.
    threshold_fraction: f64,
}

impl HeartModel {
    pub(crate) fn new(hr_rest: f64, hr_max: f64, lthr: f64) -> HeartModel {
        HeartModel {
            hr_rest,
            hr_max,
            threshold_fraction: (lthr - hr_rest) / (hr_max - hr_rest),
        }
    }

    /// Steady-state HR for relative intensity `intensity` (grade-adjusted speed over threshold
    /// speed; 1 = threshold, where HR = LTHR on a fresh, cool, early effort), after `hours` of
    /// exercise, with `fatigue_excess` points of fatigue above fitness at `ambient_c` °C.
    ///
    /// Linear in intensity between standing and threshold (HR follows oxygen uptake, which
    /// follows speed), then bent smoothly below HRmax.
    pub(crate) fn steady_state_bpm(
        &self,
        intensity: f64,
        hours: f64,
        fatigue_excess: f64,
        ambient_c: f64,
    ) -> f64 {
        let intensity = intensity.max(0.0);
        let mut x = STANDING_HRR_FRACTION
            + (self.threshold_fraction - STANDING_HRR_FRACTION) * intensity
            + DRIFT_HRR_PER_HOUR * hours * intensity.min(1.2)
            + FATIGUE_HRR_PER_POINT * fatigue_excess
            + HEAT_HRR_PER_DEGREE * (ambient_c - HEAT_NEUTRAL_C).max(0.0);
        if x > HRR_SATURATION_KNEE {
            let room = 1.0 - HRR_SATURATION_KNEE;
            x = HRR_SATURATION_KNEE + room * ((x - HRR_SATURATION_KNEE) / room).tanh();
        }
        self.hr_rest + x * (self.hr_max - self.hr_rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minetti_cost_by_hand() {
        // C(0) = 3.6. C(0.1) = 155.4e-5 − 30.4e-4 − 43.3e-3 + 46.3e-2 + 1.95 + 3.6
        //      = 0.001554 − 0.00304 − 0.0433 + 0.463 + 1.95 + 3.6 = 5.968214.
        assert!((running_cost(0.0) - 3.6).abs() < 1e-12);
        assert!((running_cost(0.1) - 5.968214).abs() < 1e-9);
        // C(−0.1) = −0.001554 − 0.00304 + 0.0433 + 0.463 − 1.95 + 3.6 = 2.151706.
        assert!((running_cost(-0.1) - 2.151706).abs() < 1e-9);
    }

    #[test]
    fn threshold_speed_round_trips_through_vdot() {
        for v in [3.0, 3.85, 4.5, 5.5] {
            let back = threshold_speed_for_vdot(vdot_for_threshold_speed(v));
            assert!((back - v).abs() < 1e-9, "{v} → {back}");
        }
    }

    #[test]
    fn threshold_speed_of_vdot_50_by_hand() {
        // %VO2max(60) = 0.8 + 0.1894393·e^(−0.76668) + 0.2989558·e^(−11.59563)
        //             = 0.8 + 0.087999 + 0.0000273 = 0.888026; target VO2 = 44.4013.
        // 0.000104v² + 0.182258v − 49.0013 = 0:
        // v = (−0.182258 + √(0.0332180 + 0.0203845)) / 0.000208 = (−0.182258 + 0.231523)/0.000208
        //   = 236.85 m/min = 3.9475 m/s.
        let v = threshold_speed_for_vdot(50.0);
        assert!((v - 3.9475).abs() < 0.001, "{v}");
    }

    #[test]
    fn fitness_raises_threshold_and_fatigue_lowers_race_vdot() {
        let mut s = TrueState::new(40.0, 3.85);
        let v0 = s.threshold_speed_mps();
        assert!((v0 - 3.85).abs() < 1e-9);
        for _ in 0..60 {
            s.end_day(70.0);
        }
        assert!(s.threshold_speed_mps() > v0);
        // After a steady block fatigue ≈ fitness; a very hard week makes form negative.
        let before = s.vdot_race();
        for _ in 0..5 {
            s.end_day(200.0);
        }
        assert!(s.form() < 0.0);
        assert!(s.vdot_race() < s.vdot_fitness());
        assert!(s.vdot_race() < before + FITNESS_VDOT_PER_POINT * 10.0);
    }

    #[test]
    fn steady_state_hr_is_lthr_at_threshold_and_never_reaches_hr_max() {
        let heart = HeartModel::new(48.0, 188.0, 170.0);
        let at_threshold = heart.steady_state_bpm(1.0, 0.0, 0.0, 10.0);
        // 170 is a reserve fraction of 122/140 = 0.871 < knee 0.92: no bending.
        assert!((at_threshold - 170.0).abs() < 1e-9);
        let flat_out = heart.steady_state_bpm(2.0, 3.0, 40.0, 35.0);
        assert!(flat_out < 188.0 && flat_out > 185.0, "{flat_out}");
        let easy = heart.steady_state_bpm(0.75, 0.0, 0.0, 10.0);
        let tired = heart.steady_state_bpm(0.75, 0.0, 20.0, 10.0);
        // 20 points · 0.0015 · 140 bpm = 4.2 bpm.
        assert!((tired - easy - 4.2).abs() < 1e-9);
    }
}
