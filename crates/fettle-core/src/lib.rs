//! Fettle's science, as pure functions over plain data.
//!
//! The data flows one way: per-session [`load`]s → daily [`series`] (fitness, fatigue, form,
//! ramp, ACWR, monotony, strain) → [`flags`] and the personal [`model`] → [`readiness`] and
//! [`recovery`] advice (with [`nutrition`]) → the [`plan`] to a goal race; [`insights`] answers
//! "does this recovery method help me?". [`profile`] holds the athlete's thresholds and estimates
//! the missing ones; [`performance`] converts efforts to VDOT and predicts race times; [`log`]
//! holds what the athlete records by hand (wellness, recovery sessions, meals, races); [`zones`]
//! gives heart-rate and pace zones and the time a session spent in each.
//!
//! Invariant: no I/O, no database, no HTTP, no terminal, no wall clock. "Today" is always a
//! parameter. Every constant is named and cites its source (docs/science.md), so every number shown
//! to a user traces to a formula and its inputs.

pub mod classify;
pub mod flags;
pub mod hrv;
pub mod insights;
pub mod limits;
pub mod load;
pub mod log;
pub mod model;
pub mod nutrition;
pub mod performance;
pub mod plan;
pub mod profile;
pub mod readiness;
pub mod recovery;
pub mod series;
pub mod today;
pub mod wellness;
pub mod zones;
