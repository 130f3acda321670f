//! Per-athlete calibration of the load methods onto one scale, and the primary load.
//!
//! The precedence is hrTSS → rTSS → session-RPE → duration ([`LoadMethod::PRECEDENCE`]).
//! hrTSS is the reference scale (factor 1). For each lower method `m`, in order, the factor
//! is fitted over the athlete's sessions where `m` and some higher method are both known: the
//! target of a session is the calibrated value of its highest available method above `m`, and
//! the factor is the least-squares line through the origin, `f = Σ target·raw / Σ raw²`.
//! A chain therefore works: an athlete with no HR strap gets sRPE calibrated onto rTSS.
//!
//! With fewer than [`MIN_CALIBRATION_SESSIONS`] pairs, the documented default is used:
//! - rTSS: 1 — rTSS and hrTSS are both defined so that one hour at threshold = 100;
//! - session-RPE: [`DEFAULT_SRPE_POINTS_PER_AU`] — an hour rated 7 ("very hard", the CR-10
//!   rating of sustained threshold work) = 100 points;
//! - duration: [`DEFAULT_DURATION_POINTS_PER_HOUR`] — an hour at IF 0.75, an easy-to-steady
//!   run, since most training is easy (Seiler 2010, IJSPP 5:276: ~80 % of sessions).
//!
//! A fitted factor must be positive and finite, else the default is kept and the
//! derivation says why.

use serde::{Deserialize, Serialize};

use super::{LoadMethod, MethodLoads, SessionLoads};

/// Minimum number of sessions with both methods before a per-athlete factor replaces the
/// default: ten pairs give a through-origin slope whose standard error is about a third of
/// the between-session scatter, enough to beat a population default.
pub const MIN_CALIBRATION_SESSIONS: usize = 10;
/// CR-10 rating taken as "one hour at threshold" for the default session-RPE mapping.
pub const SRPE_THRESHOLD_RATING: f64 = 7.0;
/// Default load points per session-RPE unit: `100 / (7 × 60 min)` ≈ 0.238.
pub const DEFAULT_SRPE_POINTS_PER_AU: f64 = 100.0 / (SRPE_THRESHOLD_RATING * 60.0);
/// Intensity factor assumed for a session known only by its duration.
pub const DURATION_ESTIMATE_INTENSITY_FACTOR: f64 = 0.75;
/// Default load points per hour for the duration estimate: `100 × 0.75²` = 56.25.
pub const DEFAULT_DURATION_POINTS_PER_HOUR: f64 =
    100.0 * DURATION_ESTIMATE_INTENSITY_FACTOR * DURATION_ESTIMATE_INTENSITY_FACTOR;

/// One method's factor onto the reference scale and how it was obtained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    /// Load points per unit of the method's raw value (per hour for the duration estimate).
    pub value: f64,
    /// Sessions the factor was fitted on; 0 when it is the default.
    pub sessions: usize,
    /// Plain-language derivation, shown by `profile`/`loads --explain`.
    pub derivation: String,
}

/// The athlete's calibration: one factor per method below hrTSS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// rTSS → load points.
    pub rtss: Factor,
    /// Session-RPE (AU) → load points.
    pub srpe: Factor,
    /// Hours → load points, for sessions with nothing else.
    pub duration: Factor,
}

impl Default for Calibration {
    fn default() -> Self {
        Calibration {
            rtss: default_factor(LoadMethod::Rtss, 0),
            srpe: default_factor(LoadMethod::Srpe, 0),
            duration: default_factor(LoadMethod::Duration, 0),
        }
    }
}

fn default_factor(method: LoadMethod, pairs: usize) -> Factor {
    let (value, why) = match method {
        LoadMethod::Hrtss | LoadMethod::Rtss => (
            1.0,
            "default 1: rTSS and hrTSS both put one hour at threshold at 100",
        ),
        LoadMethod::Srpe => (
            DEFAULT_SRPE_POINTS_PER_AU,
            "default 0.238 points per RPE·minute: one hour rated 7/10 = 100 points",
        ),
        LoadMethod::Duration => (
            DEFAULT_DURATION_POINTS_PER_HOUR,
            "default 56.25 points per hour: an easy-to-steady hour (intensity factor 0.75)",
        ),
    };
    Factor {
        value,
        sessions: 0,
        derivation: format!(
            "{why} ({pairs} sessions with a higher method, {MIN_CALIBRATION_SESSIONS} needed to fit)"
        ),
    }
}

impl Calibration {
    /// The factor of a method; hrTSS is the reference (1).
    pub fn factor(&self, method: LoadMethod) -> f64 {
        match method {
            LoadMethod::Hrtss => 1.0,
            LoadMethod::Rtss => self.rtss.value,
            LoadMethod::Srpe => self.srpe.value,
            LoadMethod::Duration => self.duration.value,
        }
    }

    /// The calibrated value of the highest-precedence method above `below` available on a
    /// session (the calibration target), with `below = Duration` giving the primary load
    /// of any method but duration.
    fn best_above(&self, loads: &MethodLoads, below: LoadMethod) -> Option<f64> {
        LoadMethod::PRECEDENCE
            .iter()
            .take_while(|m| **m != below)
            .find_map(|m| m.raw_value(loads).map(|raw| raw * self.factor(*m)))
    }

    /// Fits the factors over an athlete's sessions (see the module docs). O(sessions).
    pub fn fit(sessions: &[MethodLoads]) -> Calibration {
        let mut cal = Calibration::default();
        for method in [LoadMethod::Rtss, LoadMethod::Srpe, LoadMethod::Duration] {
            let (mut sxy, mut sxx, mut pairs) = (0.0, 0.0, 0usize);
            for s in sessions {
                let (Some(raw), Some(target)) = (method.raw_value(s), cal.best_above(s, method))
                else {
                    continue;
                };
                if raw > 0.0 && raw.is_finite() && target.is_finite() {
                    sxy += raw * target;
                    sxx += raw * raw;
                    pairs += 1;
                }
            }
            let slope = sxy / sxx;
            let factor = if pairs >= MIN_CALIBRATION_SESSIONS && slope > 0.0 && slope.is_finite() {
                Factor {
                    value: slope,
                    sessions: pairs,
                    derivation: format!(
                        "least squares through the origin over {pairs} of your sessions that \
                         also have a higher-precedence load"
                    ),
                }
            } else {
                default_factor(method, pairs)
            };
            match method {
                LoadMethod::Rtss => cal.rtss = factor,
                LoadMethod::Srpe => cal.srpe = factor,
                LoadMethod::Duration | LoadMethod::Hrtss => cal.duration = factor,
            }
        }
        cal
    }

    /// The primary load of a session: the first method in precedence order that is known,
    /// times its factor. Never negative.
    pub fn primary(&self, loads: &MethodLoads) -> SessionLoads {
        let (load, load_method) = LoadMethod::PRECEDENCE
            .iter()
            .find_map(|m| m.raw_value(loads).map(|raw| (raw * self.factor(*m), *m)))
            .unwrap_or((0.0, LoadMethod::Duration));
        let load = if load.is_finite() { load.max(0.0) } else { 0.0 };
        SessionLoads {
            load,
            load_method,
            loads: *loads,
        }
    }
}
