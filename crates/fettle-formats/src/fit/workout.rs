//! FIT workout files: a planned session as `file_id` (type `workout`), one `workout` message and
//! one `workout_step` per step, which Garmin-compatible watches load from their `NewFiles`
//! folder.
//!
//! Field numbers and encodings follow the FIT SDK profile (Profile.xlsx, messages `workout` and
//! `workout_step`): a step lasts a time (`duration_type` 0, milliseconds), a distance (1,
//! centimetres) or until the lap button (5, open); a repeat is a step of `duration_type` 6
//! (`repeat_until_steps_cmplt`) whose `duration_value` is the index of the first step repeated
//! and `target_value` the number of repetitions. Targets are custom ranges: speed in mm/s
//! (`target_type` 0) or heart rate in bpm + 100 (`target_type` 1; values up to 100 would be
//! zones), or open (2).

use super::encode::{FieldDef, FieldValue, FitBuilder};
use super::profile::{self, base, file_type, mesg};

const LOCAL_FILE_ID: u8 = 0;
const LOCAL_WORKOUT: u8 = 1;
const LOCAL_STEP: u8 = 2;
/// Longest workout or step name written, bytes (watches show about this much).
const NAME_BYTES: usize = 48;
/// `sport` enum: running.
const SPORT_RUNNING: i64 = 1;
/// `workout` field numbers.
const WKT_SPORT: u8 = 4;
const WKT_NUM_VALID_STEPS: u8 = 6;
const WKT_NAME: u8 = 8;
/// `workout_step` field numbers.
const STEP_MESSAGE_INDEX: u8 = 254;
const STEP_NAME: u8 = 0;
const STEP_DURATION_TYPE: u8 = 1;
const STEP_DURATION_VALUE: u8 = 2;
const STEP_TARGET_TYPE: u8 = 3;
const STEP_TARGET_VALUE: u8 = 4;
const STEP_CUSTOM_LOW: u8 = 5;
const STEP_CUSTOM_HIGH: u8 = 6;
const STEP_INTENSITY: u8 = 7;
/// `wkt_step_duration` values.
const DURATION_TIME: i64 = 0;
const DURATION_DISTANCE: i64 = 1;
const DURATION_OPEN: i64 = 5;
const DURATION_REPEAT: i64 = 6;
/// `wkt_step_target` values.
const TARGET_SPEED: i64 = 0;
const TARGET_HEART_RATE: i64 = 1;
const TARGET_OPEN: i64 = 2;
/// Custom heart-rate targets are written as bpm + 100 (0–100 mean % of max HR zones).
const HEART_RATE_OFFSET: f64 = 100.0;

/// How long a workout step lasts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StepDuration {
    /// Seconds.
    Time(f64),
    /// Metres.
    Distance(f64),
    /// Until the athlete presses lap.
    Open,
    /// Repeat the steps from index `from` (0-based) `times` times in all.
    Repeat {
        /// Index of the first step repeated.
        from: u16,
        /// Number of repetitions.
        times: u32,
    },
}

/// What a step aims at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StepTarget {
    /// Nothing.
    Open,
    /// Speed range, m/s.
    Speed {
        /// Lowest speed, m/s.
        low_mps: f64,
        /// Highest speed, m/s.
        high_mps: f64,
    },
    /// Heart-rate range, bpm.
    HeartRate {
        /// Lowest, bpm.
        low_bpm: f64,
        /// Highest, bpm.
        high_bpm: f64,
    },
}

/// What kind of effort a step is (`intensity` enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepIntensity {
    /// Work.
    Active = 0,
    /// Rest.
    Rest = 1,
    /// Warm-up.
    WarmUp = 2,
    /// Cool-down.
    CoolDown = 3,
    /// Recovery between repetitions.
    Recovery = 4,
}

/// One step of a workout file.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkoutStep {
    /// Short name shown on the watch.
    pub name: String,
    /// How long.
    pub duration: StepDuration,
    /// Aim.
    pub target: StepTarget,
    /// Kind of effort.
    pub intensity: StepIntensity,
}

fn truncate(text: &str) -> &str {
    if text.len() <= NAME_BYTES {
        return text;
    }
    let mut end = NAME_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn uint(v: f64) -> FieldValue<'static> {
    if v.is_finite() && (0.0..4.0e9).contains(&v) {
        FieldValue::Int(v.round() as i64)
    } else {
        FieldValue::Invalid
    }
}

/// Encodes a running workout named `name` with `steps` as a FIT workout file. `time_created` is
/// the FIT timestamp of the file (seconds since 1989-12-31 UTC) and serves as its identity.
pub fn encode_workout(name: &str, steps: &[WorkoutStep], time_created: u32) -> Vec<u8> {
    let mut w = FitBuilder::new();
    w.define(
        LOCAL_FILE_ID,
        mesg::FILE_ID,
        &[
            FieldDef::new(profile::file_id::TYPE, base::ENUM),
            FieldDef::new(profile::file_id::MANUFACTURER, base::UINT16),
            FieldDef::new(profile::file_id::PRODUCT, base::UINT16),
            FieldDef::new(profile::file_id::TIME_CREATED, base::UINT32),
        ],
    );
    w.data(
        LOCAL_FILE_ID,
        &[
            FieldValue::Int(i64::from(file_type::WORKOUT)),
            FieldValue::Int(i64::from(profile::MANUFACTURER_DEVELOPMENT)),
            FieldValue::Int(0),
            FieldValue::Int(i64::from(time_created)),
        ],
    );
    let name = truncate(name);
    w.define(
        LOCAL_WORKOUT,
        mesg::WORKOUT,
        &[
            FieldDef::new(WKT_SPORT, base::ENUM),
            FieldDef::new(WKT_NUM_VALID_STEPS, base::UINT16),
            FieldDef::sized(WKT_NAME, base::STRING, (name.len() + 1) as u8),
        ],
    );
    w.data(
        LOCAL_WORKOUT,
        &[
            FieldValue::Int(SPORT_RUNNING),
            FieldValue::Int(i64::try_from(steps.len()).unwrap_or(i64::from(u16::MAX))),
            FieldValue::Text(name),
        ],
    );
    w.define(
        LOCAL_STEP,
        mesg::WORKOUT_STEP,
        &[
            FieldDef::new(STEP_MESSAGE_INDEX, base::UINT16),
            FieldDef::sized(STEP_NAME, base::STRING, (NAME_BYTES + 1) as u8),
            FieldDef::new(STEP_DURATION_TYPE, base::ENUM),
            FieldDef::new(STEP_DURATION_VALUE, base::UINT32),
            FieldDef::new(STEP_TARGET_TYPE, base::ENUM),
            FieldDef::new(STEP_TARGET_VALUE, base::UINT32),
            FieldDef::new(STEP_CUSTOM_LOW, base::UINT32),
            FieldDef::new(STEP_CUSTOM_HIGH, base::UINT32),
            FieldDef::new(STEP_INTENSITY, base::ENUM),
        ],
    );
    for (index, step) in steps.iter().enumerate() {
        let (duration_type, duration_value, repeat_times) = match step.duration {
            StepDuration::Time(s) => (DURATION_TIME, uint(s * 1000.0), FieldValue::Int(0)),
            StepDuration::Distance(m) => (DURATION_DISTANCE, uint(m * 100.0), FieldValue::Int(0)),
            StepDuration::Open => (DURATION_OPEN, FieldValue::Invalid, FieldValue::Int(0)),
            StepDuration::Repeat { from, times } => (
                DURATION_REPEAT,
                FieldValue::Int(i64::from(from)),
                FieldValue::Int(i64::from(times)),
            ),
        };
        let (target_type, target_value, low, high) = match (step.duration, step.target) {
            (StepDuration::Repeat { .. }, _) | (_, StepTarget::Open) => (
                TARGET_OPEN,
                repeat_times,
                FieldValue::Invalid,
                FieldValue::Invalid,
            ),
            (_, StepTarget::Speed { low_mps, high_mps }) => (
                TARGET_SPEED,
                FieldValue::Int(0),
                uint(low_mps * 1000.0),
                uint(high_mps * 1000.0),
            ),
            (_, StepTarget::HeartRate { low_bpm, high_bpm }) => (
                TARGET_HEART_RATE,
                FieldValue::Int(0),
                uint(low_bpm + HEART_RATE_OFFSET),
                uint(high_bpm + HEART_RATE_OFFSET),
            ),
        };
        w.data(
            LOCAL_STEP,
            &[
                FieldValue::Int(i64::try_from(index).unwrap_or(i64::from(u16::MAX))),
                FieldValue::Text(truncate(&step.name)),
                FieldValue::Int(duration_type),
                duration_value,
                FieldValue::Int(target_type),
                target_value,
                low,
                high,
                FieldValue::Int(step.intensity as i64),
            ],
        );
    }
    w.finish()
}
