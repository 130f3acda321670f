//! Fettle's own FIT decoder and encoder.
//!
//! FIT (Garmin's Flexible and Interoperable Data Transfer protocol) is a stream of definition
//! messages, which describe the byte layout of the data messages that follow them. The decoder
//! ([`decode`]) compiles each definition into a small plan of the fields Fettle needs and reads
//! data messages straight into columns, skipping everything else by size; it runs one to two
//! orders of magnitude faster than general-purpose FIT crates (`benches/fit_decode.rs` measures it
//! against `fitparser` on the corpus). The encoder ([`encode_activity`], [`encode_activities`]) writes
//! activity files the decoder and other tools read; [`FitBuilder`] is its low-level writer,
//! public for tests that need exact, odd files.
//!
//! Module map: [`profile`] (message and field numbers, base types, names), `crc` (the FIT
//! CRC-16, sliced by 8), `decode`, `encode`.
//!
//! Decoding rules worth knowing downstream:
//! - one [`crate::Activity`] per session; records, laps and R-R intervals go to the session whose
//!   time span holds them (a record at the instant a session starts belongs to that session);
//!   `session_index` is set when the byte stream (chained files included) holds several;
//! - an activity file without session messages becomes one activity built from its records;
//! - a record whose clock steps back is held at the previous record's time; a record more than
//!   a day away from its neighbours is dropped as corrupt (both with a warning);
//! - summaries the session does not give are computed from the streams (mean/max heart rate,
//!   mean cadence and power, last distance, ascent with a 3 m hysteresis).

mod crc;
mod decode;
mod encode;
pub mod profile;
pub mod workout;

pub use decode::{MAX_LAPS, MAX_SESSIONS, decode};
pub use encode::{
    DevFieldDef, FieldDef, FieldValue, Finish, FitBuilder, encode_activities, encode_activity,
};
pub use workout::{StepDuration, StepIntensity, StepTarget, WorkoutStep, encode_workout};

/// The FIT CRC-16 of `bytes` (as stored in FIT headers and at the end of FIT files).
pub fn crc16(bytes: &[u8]) -> u16 {
    crc::crc16(bytes)
}
