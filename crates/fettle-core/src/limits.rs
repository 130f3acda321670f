//! Plausibility limits: the one set of bounds every face validates against.
//!
//! A value outside these bounds never reaches the store, the loads or the charts. The importer
//! checks decoded activities against [`ActivityBounds`]; the use cases check what a person types
//! (manual sessions, races, wellness, recovery logs, profile values) against the same constants.
//! A refusal is a [`Violation`]: the field, the value as given, the limit it broke and a
//! sentence saying what to do, which the CLI prints and the web API returns as JSON.
//!
//! The bounds are deliberately wide: they exclude what cannot be a human session (a run at
//! 60 km/h, a heart rate of 400, a session dated 2095), not what is merely unusual (a 24-hour
//! ultra, a 4-minute kilometre by a beginner).

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

/// One refused value: which field, what was given, the limit it broke, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The field as the user knows it (`duration`, `distance`, `max_hr`, `date` …).
    pub field: String,
    /// The value as given, rendered for a person.
    pub value: String,
    /// The limit it broke, rendered for a person ("25–250 bpm", "on or after 1989-01-01").
    pub limit: String,
    /// One sentence: what is wrong and what to do.
    pub message: String,
}

impl Violation {
    /// A violation with its sentence.
    pub fn new(
        field: impl Into<String>,
        value: impl Into<String>,
        limit: impl Into<String>,
        message: impl Into<String>,
    ) -> Violation {
        Violation {
            field: field.into(),
            value: value.into(),
            limit: limit.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The earliest date Fettle accepts for anything the athlete did: consumer heart-rate and GPS
/// recording predates this only in laboratories, and a date before it is a corrupt or default
/// timestamp (FIT's epoch is 1989-12-31).
pub const EARLIEST_DATE: jiff::civil::Date = jiff::civil::date(1989, 1, 1);

/// How far in the future a session may start: one day, for time zones and clocks set wrong.
pub const FUTURE_TOLERANCE: SignedDuration = SignedDuration::from_hours(24);

/// Heart rate a human heart can show, beats per minute (resting bradycardia of trained athletes
/// ≈ 30; the highest recorded maxima ≈ 220–230).
pub const HEART_RATE_BPM: (f64, f64) = (25.0, 250.0);

/// Longest name or free-text label stored, in characters (longer text is cut with a warning).
pub const NAME_MAX_CHARS: usize = 200;

/// Longest note stored, in characters.
pub const NOTE_MAX_CHARS: usize = 2_000;

/// The longest gap between two samples of one session: a day. No watch pauses one activity for
/// longer; samples further from the rest carry a damaged clock (a byte-flipped year).
pub const MAX_SAMPLE_GAP: SignedDuration = SignedDuration::from_hours(24);

/// Perceived exertion on the CR-10 scale (Foster's session-RPE; Strava's 1–10 fits inside).
pub const PERCEIVED_EXERTION: (f64, f64) = (0.0, 10.0);

/// Whether `at` lies in the accepted date range: from [`EARLIEST_DATE`] to `now` +
/// [`FUTURE_TOLERANCE`].
pub fn in_date_range(at: Timestamp, now: Timestamp) -> bool {
    // 1989-01-01T00:00:00Z as seconds since the Unix epoch.
    const EARLIEST_UNIX_S: i64 = 599_616_000;
    let earliest = Timestamp::from_second(EARLIEST_UNIX_S).unwrap_or(Timestamp::UNIX_EPOCH);
    let latest = now.saturating_add(FUTURE_TOLERANCE).unwrap_or(now);
    at >= earliest && at <= latest
}

/// The physical bounds of one session of a sport: longest duration, fastest sustained speed
/// (whole-session mean), longest distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActivityBounds {
    /// Longest plausible session, seconds (multi-day ultras are several activities).
    pub max_duration_s: f64,
    /// Fastest plausible whole-session mean speed, m/s.
    pub max_mean_speed_mps: f64,
    /// Longest plausible distance, metres.
    pub max_distance_m: f64,
    /// Fastest plausible single sample (instantaneous speed, or distance gained between two
    /// samples over their time), m/s: a faster step is a GPS jump or a corrupt record.
    pub max_sample_speed_mps: f64,
}

impl ActivityBounds {
    /// The bounds for a sport by its stable lower-case name (`running`, `cycling` …). Unknown
    /// sports get the widest bounds of any human-powered sport.
    pub fn for_sport(sport: &str) -> ActivityBounds {
        const HOUR: f64 = 3_600.0;
        match sport {
            // World-record 100 m pace is ≈ 10.4 m/s over 10 s; a whole session's mean above
            // 7 m/s (2:23/km) is beyond any road race record.
            "running" => ActivityBounds {
                max_duration_s: 48.0 * HOUR,
                max_mean_speed_mps: 7.0,
                max_distance_m: 500_000.0,
                // Bolt's fastest 10 m split, 12.4 m/s (Berlin 2009), is the human ceiling.
                max_sample_speed_mps: 12.5,
            },
            "walking" | "hiking" => ActivityBounds {
                max_duration_s: 48.0 * HOUR,
                max_mean_speed_mps: 4.0,
                max_distance_m: 300_000.0,
                // A walk or hike may include running: the running ceiling.
                max_sample_speed_mps: 12.5,
            },
            "swimming" => ActivityBounds {
                max_duration_s: 48.0 * HOUR,
                max_mean_speed_mps: 3.0,
                max_distance_m: 100_000.0,
                // The 50 m freestyle record is ≈ 2.4 m/s; open-water GPS carries more noise.
                max_sample_speed_mps: 5.0,
            },
            "cycling" => ActivityBounds {
                max_duration_s: 48.0 * HOUR,
                max_mean_speed_mps: 25.0,
                max_distance_m: 1_500_000.0,
                // Alpine descents by professionals reach ≈ 130 km/h (36 m/s).
                max_sample_speed_mps: 40.0,
            },
            _ => ActivityBounds {
                max_duration_s: 48.0 * HOUR,
                max_mean_speed_mps: 25.0,
                max_distance_m: 1_500_000.0,
                // Alpine descents by professionals reach ≈ 130 km/h (36 m/s).
                max_sample_speed_mps: 40.0,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_earliest_instant_is_the_earliest_date_at_midnight_utc() {
        // 1989-01-01 is 6,940 days after 1970-01-01 (19 years, 5 of them leap): 6,940 × 86,400 s.
        let earliest = Timestamp::from_second(6_940 * 86_400).unwrap();
        assert_eq!(earliest.to_string(), "1989-01-01T00:00:00Z");
        let now: Timestamp = "2026-12-07T12:00:00Z".parse().unwrap();
        assert!(in_date_range(earliest, now));
        assert!(!in_date_range(earliest - SignedDuration::from_secs(1), now));
        assert!(in_date_range(now + SignedDuration::from_hours(24), now));
        assert!(!in_date_range(now + SignedDuration::from_hours(25), now));
        let _ = EARLIEST_DATE;
    }
}
