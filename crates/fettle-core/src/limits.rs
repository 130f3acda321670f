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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Violation {
    /// The field as sent (`max_hr`, `at`, `date`, `note`, `password` …).
    pub field: String,
    /// The value as given, rendered for a person (a password's is its length, never the
    /// password).
    pub value: String,
    /// The limit it broke, rendered for a person ("100–240 bpm", "1989-01-01 to 2026-12-08",
    /// "at least 10 characters").
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

/// How far in the future anything dated may lie: one day, for clocks and time zones set
/// wrong (a server in UTC answering an athlete in Auckland, a watch still on home time).
///
/// This is the one tolerance of every face: an imported session's start, a logged recovery
/// session's time, a manual session, and — rounded to whole days, see [`latest_day`] — a
/// wellness day, a race day and the day a profile value starts. Nothing is planned through
/// these entries (plans have their own dates), so a day is enough.
pub const FUTURE_TOLERANCE: SignedDuration = SignedDuration::from_hours(24);

/// Heart rate a human heart can show, beats per minute (resting bradycardia of trained athletes
/// ≈ 30; the highest recorded maxima ≈ 220–230).
pub const HEART_RATE_BPM: (f64, f64) = (25.0, 250.0);

/// Longest name or free-text label stored, in characters (longer text is cut with a warning).
/// Plausible usual weekly running distance an athlete can state, km (`profile set
/// --usual-week`): from a first week of walking and jogging to an ultra runner's biggest.
pub const USUAL_WEEK_KM: (f64, f64) = (1.0, 400.0);
/// Longest name accepted, characters.
pub const NAME_MAX_CHARS: usize = 200;

/// Longest note stored, in characters.
pub const NOTE_MAX_CHARS: usize = 2_000;

/// Longest custom sport name, characters (`trail_running`, `cross_country_skiing` fit easily).
pub const SPORT_NAME_MAX_CHARS: usize = 32;

/// Most grams of carbohydrate or protein in one logged meal: a large restaurant meal holds
/// about 150–250 g of carbohydrate, so 500 g is a typing mistake (a misplaced digit), not a meal.
pub const MEAL_MAX_G: f64 = 500.0;

/// Longest recovery session of any kind, minutes: a full day (a night's sleep is 6–10 h;
/// anything beyond a day is a typing mistake). Each method has its own narrower dose limits.
pub const RECOVERY_MINUTES: (f64, f64) = (0.1, 24.0 * 60.0);

/// Temperatures a recovery session can have, °C: from liquid nitrogen (−196 °C, the coldest a
/// cryotherapy chamber can be) to a sauna's air (≈ 100 °C, with a margin).
pub const RECOVERY_TEMP_C: (f64, f64) = (-196.0, 120.0);

/// Most body zones one recovery session may name.
pub const ZONES_MAX: usize = 20;

/// Longest body-zone name, characters.
pub const ZONE_MAX_CHARS: usize = 40;

/// Shortest session typed by hand, seconds: under a minute is not a training session, and
/// every load method needs minutes of effort to mean anything.
pub const MIN_SESSION_S: f64 = 60.0;

/// Shortest distance of a session typed by hand, metres: one length of a 50-m pool. A smaller
/// number is a unit mistake (`0.5m` meant as miles) rather than a session.
pub const MIN_SESSION_DISTANCE_M: f64 = 50.0;

/// Plausible maximum heart rate, bpm (the lowest HRmax of an untrained older adult ≈ 120 is
/// well inside; 240 exceeds every recorded maximum).
pub const HR_MAX_BPM: (f64, f64) = (100.0, 240.0);

/// Plausible resting heart rate, bpm: for the profile's baseline and for a morning's wellness
/// entry alike (30 is common in endurance athletes; over 120 at rest is tachycardia, not a
/// morning to train on, but it can be logged).
pub const REST_HR_BPM: (f64, f64) = (25.0, 130.0);

/// Plausible lactate-threshold heart rate, bpm.
pub const LTHR_BPM: (f64, f64) = (80.0, 230.0);

/// Plausible threshold speed, m/s (a 16:40 min/km jog to a 2:23 min/km world-class hour).
pub const THRESHOLD_SPEED_MPS: (f64, f64) = (1.0, 7.0);

/// Plausible body mass, kg.
pub const BODY_MASS_KG: (f64, f64) = (20.0, 300.0);

/// Hours of sleep accepted for one night (a wellness entry).
pub const SLEEP_H: (f64, f64) = (0.0, 24.0);

/// The 1–5 subjective scale of a wellness entry (Hooper & Mackinnon 1995).
pub const SUBJECTIVE_SCALE: (f64, f64) = (1.0, 5.0);

/// Morning rMSSD accepted, ms: values outside are measurement errors (resting rMSSD in
/// athletes spans roughly 10–250 ms).
pub const RMSSD_MS: (f64, f64) = (3.0, 400.0);

/// `(low, high)` in words for a message: "between 20 and 300 kg".
pub fn between(range: (f64, f64), unit: &str) -> String {
    format!("between {} and {} {unit}", range.0, range.1)
}

/// 1989-01-01T00:00:00Z as seconds since the Unix epoch: 6,940 days (19 years, 5 of them
/// leap) × 86,400 s.
const EARLIEST_UNIX_S: i64 = 599_616_000;

/// The earliest accepted instant: [`EARLIEST_DATE`] at midnight UTC.
pub fn earliest_instant() -> Timestamp {
    Timestamp::from_second(EARLIEST_UNIX_S).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The latest accepted instant: `now` + [`FUTURE_TOLERANCE`].
pub fn latest_instant(now: Timestamp) -> Timestamp {
    now.saturating_add(FUTURE_TOLERANCE).unwrap_or(now)
}

/// The longest gap between two samples of one session: a day. No watch pauses one activity for
/// longer; samples further from the rest carry a damaged clock (a byte-flipped year).
pub const MAX_SAMPLE_GAP: SignedDuration = SignedDuration::from_hours(24);

/// Perceived exertion on the CR-10 scale (Foster's session-RPE; Strava's 1–10 fits inside).
pub const PERCEIVED_EXERTION: (f64, f64) = (0.0, 10.0);

/// Whether `at` lies in the accepted date range: from [`EARLIEST_DATE`] to `now` +
/// [`FUTURE_TOLERANCE`].
pub fn in_date_range(at: Timestamp, now: Timestamp) -> bool {
    at >= earliest_instant() && at <= latest_instant(now)
}

/// The latest accepted calendar day when it is `today` in the athlete's zone: tomorrow, the
/// day [`FUTURE_TOLERANCE`] reaches into (a day has no time, so 24 h ahead of any moment of
/// today ends tomorrow).
pub fn latest_day(today: jiff::civil::Date) -> jiff::civil::Date {
    today.tomorrow().unwrap_or(today)
}

/// Checks a calendar day the athlete typed (a wellness morning, a race, the first day of a
/// profile value) against [`EARLIEST_DATE`] … [`latest_day`]`(today)`.
pub fn check_day(
    field: &str,
    day: jiff::civil::Date,
    today: jiff::civil::Date,
) -> Result<(), Violation> {
    let latest = latest_day(today);
    let limit = format!("{EARLIEST_DATE} to {latest}");
    if day < EARLIEST_DATE {
        return Err(Violation::new(
            field,
            day.to_string(),
            limit,
            format!(
                "{field} {day} is before {EARLIEST_DATE}, the earliest date Fettle accepts: check the year"
            ),
        ));
    }
    if day > latest {
        return Err(Violation::new(
            field,
            day.to_string(),
            limit,
            format!(
                "{field} {day} is after today ({today}) by more than the one day allowed for \
                 time-zone slips: enter a day once it has come"
            ),
        ));
    }
    Ok(())
}

/// Checks an instant the athlete typed (when a recovery session or a manual session started)
/// against [`EARLIEST_DATE`] … `now` + [`FUTURE_TOLERANCE`]. Times in the messages are shown
/// in `tz`, the zone the athlete typed them in.
pub fn check_instant(
    field: &str,
    at: Timestamp,
    now: Timestamp,
    tz: &jiff::tz::TimeZone,
) -> Result<(), Violation> {
    let show = |t: Timestamp| {
        t.to_zoned_datetime(tz.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    };
    let latest = latest_instant(now);
    let limit = format!("{EARLIEST_DATE} to {} (now + 24 h)", show(latest));
    if at < earliest_instant() {
        return Err(Violation::new(
            field,
            show(at),
            limit,
            format!(
                "{field} {} is before {EARLIEST_DATE}, the earliest date Fettle accepts: check the year",
                show(at)
            ),
        ));
    }
    if at > latest {
        return Err(Violation::new(
            field,
            show(at),
            limit,
            format!(
                "{field} {} is in the future (now is {}; up to 24 h ahead is accepted for clocks \
                 and time zones set wrong): log what has happened, with its real time",
                show(at),
                show(now)
            ),
        ));
    }
    Ok(())
}

/// Renders a number for a message: integers without decimals, others as typed.
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        value.to_string()
    }
}

/// Checks a number the athlete typed against `range` (inclusive): not NaN or infinite, and
/// inside. `unit` follows the numbers in the limit (`bpm`, `kg`, `min`).
pub fn check_number(
    field: &str,
    value: f64,
    (min, max): (f64, f64),
    unit: &str,
) -> Result<(), Violation> {
    let unit_sep = if unit.is_empty() { "" } else { " " };
    let limit = format!("{}–{}{unit_sep}{unit}", number(min), number(max));
    if !value.is_finite() {
        return Err(Violation::new(
            field,
            value.to_string(),
            limit,
            format!(
                "{field} is not a number: give a value in {}–{}{unit_sep}{unit}",
                number(min),
                number(max)
            ),
        ));
    }
    if value < min || value > max {
        return Err(Violation::new(
            field,
            number(value),
            limit.clone(),
            format!(
                "{field} {}{unit_sep}{unit} is outside the plausible range {limit}: check the unit and enter it again",
                number(value)
            ),
        ));
    }
    Ok(())
}

/// How a text may use line breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// One line: names, labels, filters (no control character at all).
    Single,
    /// Free text: notes may hold line breaks and tabs, no other control character.
    Multi,
}

/// Checks text the athlete typed: no NUL byte or other control character (a NUL cannot be
/// stored in PostgreSQL text and no one types one on purpose; control characters corrupt
/// terminal output), at most `max_chars` characters.
pub fn check_text(
    field: &str,
    text: &str,
    max_chars: usize,
    lines: Lines,
) -> Result<(), Violation> {
    let shown = || {
        let escaped: String = text
            .chars()
            .take(40)
            .collect::<String>()
            .escape_debug()
            .to_string();
        if text.chars().count() > 40 {
            format!("{escaped}…")
        } else {
            escaped
        }
    };
    let allowed = |c: char| lines == Lines::Multi && matches!(c, '\n' | '\r' | '\t');
    if let Some(bad) = text.chars().find(|&c| c.is_control() && !allowed(c)) {
        let what = if bad == '\0' {
            "a NUL byte".to_string()
        } else {
            format!("the control character U+{:04X}", u32::from(bad))
        };
        return Err(Violation::new(
            field,
            shown(),
            "printable characters only",
            format!("{field} contains {what}: type it again with printable characters only"),
        ));
    }
    let count = text.chars().count();
    if count > max_chars {
        return Err(Violation::new(
            field,
            shown(),
            format!("at most {max_chars} characters"),
            format!("{field} is {count} characters long: shorten it to at most {max_chars}"),
        ));
    }
    Ok(())
}

/// Whether `name` (already lower-case, spaces and dashes as underscores) is an acceptable
/// custom sport name: 1 to [`SPORT_NAME_MAX_CHARS`] ASCII letters, digits and underscores. Known
/// sports are recognised by name where the vocabulary lives (`fettle_formats::Sport`); this is
/// the pattern for the rest, so that a sport is always a word, never markup or a sentence.
pub fn is_custom_sport_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= SPORT_NAME_MAX_CHARS
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
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

impl ActivityBounds {
    /// Checks a session typed by hand: its duration ([`MIN_SESSION_S`] … the sport's longest),
    /// its distance when given ([`MIN_SESSION_DISTANCE_M`] … the sport's longest) and the mean
    /// speed they imply (at most the sport's fastest). Every broken bound is reported.
    pub fn check_session(
        &self,
        sport: &str,
        duration_s: f64,
        distance_m: Option<f64>,
    ) -> Vec<Violation> {
        let mut violations = Vec::new();
        if let Err(v) = check_number(
            "duration",
            duration_s,
            (MIN_SESSION_S, self.max_duration_s),
            "s",
        ) {
            violations.push(v);
        }
        let Some(distance_m) = distance_m else {
            return violations;
        };
        if let Err(v) = check_number(
            "distance",
            distance_m,
            (MIN_SESSION_DISTANCE_M, self.max_distance_m),
            "m",
        ) {
            violations.push(v);
        } else if violations.is_empty() {
            let speed = distance_m / duration_s;
            if speed > self.max_mean_speed_mps {
                violations.push(Violation::new(
                    "distance",
                    number(distance_m),
                    format!(
                        "a mean speed of at most {} m/s ({:.1} km/h) for {sport}",
                        number(self.max_mean_speed_mps),
                        self.max_mean_speed_mps * 3.6
                    ),
                    format!(
                        "{} m in {} s is a mean of {:.1} km/h, faster than anyone sustains in \
                         {sport} (at most {:.1} km/h): check the distance, its unit and the duration",
                        number(distance_m),
                        number(duration_s),
                        speed * 3.6,
                        self.max_mean_speed_mps * 3.6
                    ),
                ));
            }
        }
        violations
    }
}

/// Slowest plausible whole-session mean speed of a session typed by hand when its distance or
/// duration was given as a bare number, m/s: 0.3 m/s is 1.1 km/h, slower than a hike up steep
/// ground. Below it the number was almost certainly read in the wrong unit (`--distance 9`
/// for a 45-minute run is 9 m, 0.01 km/h). A value typed with its unit is taken as written.
pub const UNITLESS_MIN_MEAN_SPEED_MPS: f64 = 0.3;

/// Metres in a statute mile.
const METRES_PER_MILE: f64 = 1609.344;

/// A number typed without a unit, and how Fettle read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unitless {
    /// The number as typed.
    pub typed: f64,
}

impl ActivityBounds {
    /// Whether a session of `duration_s` (and `distance_m`) is one a person does in this sport:
    /// every bound of [`ActivityBounds::check_session`], and a mean speed of at least
    /// [`UNITLESS_MIN_MEAN_SPEED_MPS`].
    fn plausible_reading(&self, duration_s: f64, distance_m: Option<f64>) -> bool {
        let duration_ok = (MIN_SESSION_S..=self.max_duration_s).contains(&duration_s);
        duration_ok
            && distance_m.is_none_or(|d| {
                let speed = d / duration_s;
                (MIN_SESSION_DISTANCE_M..=self.max_distance_m).contains(&d)
                    && (UNITLESS_MIN_MEAN_SPEED_MPS..=self.max_mean_speed_mps).contains(&speed)
            })
    }

    /// Checks the reading of bare numbers in a session typed by hand: a distance without a
    /// unit is read as metres, a duration without a unit as minutes. When that reading is not
    /// a session a person does in this sport, the number is refused, naming the reading that
    /// is (`--distance 9` with 45 minutes: "did you mean 9km?"), or asking for the unit when
    /// none is. `None` when every bare number reads plausibly, or none was bare (the values'
    /// own bounds are [`ActivityBounds::check_session`]'s).
    pub fn check_unitless(
        &self,
        sport: &str,
        duration_s: f64,
        duration_typed: Option<Unitless>,
        distance_m: Option<f64>,
        distance_typed: Option<Unitless>,
    ) -> Option<Violation> {
        if (duration_typed.is_none() && distance_typed.is_none())
            || self.plausible_reading(duration_s, distance_m)
        {
            return None;
        }
        let minutes = duration_s / 60.0;
        // One number re-read at a time, the distance first (the usual slip), kilometres before
        // miles, hours before seconds.
        if let Some(Unitless { typed }) = distance_typed {
            for (unit, metres) in [("km", typed * 1000.0), ("mi", typed * METRES_PER_MILE)] {
                if self.plausible_reading(duration_s, Some(metres)) {
                    return Some(Violation::new(
                        "distance",
                        number(typed),
                        format!("a {sport} session of {} min", number(minutes.round())),
                        format!(
                            "--distance {} without a unit reads as {} m, which is not a {}-minute \
                             {sport} session: did you mean {}{unit}? Write the unit (e.g. \
                             --distance {}{unit})",
                            number(typed),
                            number(typed),
                            number(minutes.round()),
                            number(typed),
                            number(typed)
                        ),
                    ));
                }
            }
        }
        if let Some(Unitless { typed }) = duration_typed {
            for (unit, seconds) in [("h", typed * 3600.0), ("s", typed)] {
                if self.plausible_reading(seconds, distance_m) {
                    return Some(Violation::new(
                        "duration",
                        number(typed),
                        format!(
                            "a {sport} session of {MIN_SESSION_S:.0} s to 48 h at a human pace"
                        ),
                        format!(
                            "--duration {} without a unit reads as {} minutes, which is not a \
                             {sport} session{}: did you mean {}{unit}? Write the unit (e.g. \
                             --duration {}{unit})",
                            number(typed),
                            number(typed),
                            distance_m
                                .map(|d| format!(" of {} m", number(d.round())))
                                .unwrap_or_default(),
                            number(typed),
                            number(typed)
                        ),
                    ));
                }
            }
        }
        // No reading makes a session: blame a bare distance (a duration alone is checked by its
        // own bounds, with the unit it was read in named there).
        let Unitless { typed } = distance_typed?;
        Some(Violation::new(
            "distance",
            number(typed),
            "a number with its unit",
            format!(
                "--distance {} without a unit reads as {} metres, which does not make a {sport} \
                 session with the other values: write each value with its unit (e.g. --distance \
                 9km, --duration 45m)",
                number(typed),
                number(typed)
            ),
        ))
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

    #[test]
    fn days_run_from_1989_to_tomorrow() {
        let today = jiff::civil::date(2026, 12, 7);
        assert_eq!(check_day("date", EARLIEST_DATE, today), Ok(()));
        assert_eq!(
            check_day("date", jiff::civil::date(2026, 12, 8), today),
            Ok(())
        );
        let early = check_day("date", jiff::civil::date(1988, 12, 31), today).unwrap_err();
        assert_eq!(early.field, "date");
        assert_eq!(early.value, "1988-12-31");
        assert_eq!(early.limit, "1989-01-01 to 2026-12-08");
        let late = check_day("race date", jiff::civil::date(9999, 12, 31), today).unwrap_err();
        assert_eq!(late.value, "9999-12-31");
        assert!(
            late.message.contains("after today (2026-12-07)"),
            "{}",
            late.message
        );
        // The last day jiff knows has no tomorrow: the limit stays that day.
        assert_eq!(latest_day(jiff::civil::Date::MAX), jiff::civil::Date::MAX);
    }

    #[test]
    fn instants_get_24_hours_of_slack_shown_in_the_athletes_zone() {
        let now: Timestamp = "2026-12-07T12:00:00Z".parse().unwrap();
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        let limit: Timestamp = "2026-12-08T12:00:00Z".parse().unwrap();
        assert_eq!(check_instant("at", limit, now, &berlin), Ok(()));
        let v =
            check_instant("at", limit + SignedDuration::from_secs(60), now, &berlin).unwrap_err();
        // 12:01 UTC is 13:01 in Berlin in December (UTC+1); the limit is 13:00 there.
        assert_eq!(v.value, "2026-12-08 13:01");
        assert_eq!(v.limit, "1989-01-01 to 2026-12-08 13:00 (now + 24 h)");
        assert!(
            v.message.contains("now is 2026-12-07 13:00"),
            "{}",
            v.message
        );
        let ancient: Timestamp = "0001-01-01T00:00:00Z".parse().unwrap();
        let v = check_instant("at", ancient, now, &jiff::tz::TimeZone::UTC).unwrap_err();
        assert!(v.message.contains("before 1989-01-01"), "{}", v.message);
    }

    #[test]
    fn numbers_are_finite_and_inside_their_range() {
        assert_eq!(check_number("max_hr", 240.0, HR_MAX_BPM, "bpm"), Ok(()));
        let v = check_number("max_hr", 241.0, HR_MAX_BPM, "bpm").unwrap_err();
        assert_eq!((v.value.as_str(), v.limit.as_str()), ("241", "100–240 bpm"));
        let v = check_number("carbs_g", f64::NAN, (0.0, MEAL_MAX_G), "g").unwrap_err();
        assert_eq!(v.limit, "0–500 g");
        assert!(v.message.contains("not a number"), "{}", v.message);
        let v = check_number("threshold_speed_mps", 0.5, THRESHOLD_SPEED_MPS, "m/s").unwrap_err();
        assert_eq!(v.value, "0.5");
    }

    #[test]
    fn text_refuses_nul_and_control_characters_and_length() {
        assert_eq!(
            check_text("name", "Long run, easy", NAME_MAX_CHARS, Lines::Single),
            Ok(())
        );
        let v = check_text("name", "a\0b", NAME_MAX_CHARS, Lines::Single).unwrap_err();
        assert!(v.message.contains("NUL"), "{}", v.message);
        assert_eq!(v.value, "a\\0b");
        let v = check_text("name", "a\u{1b}[31m", NAME_MAX_CHARS, Lines::Single).unwrap_err();
        assert!(v.message.contains("U+001B"), "{}", v.message);
        // A line break is fine in a note, not in a name.
        assert_eq!(
            check_text("note", "legs\nheavy", NOTE_MAX_CHARS, Lines::Multi),
            Ok(())
        );
        assert!(check_text("name", "legs\nheavy", NAME_MAX_CHARS, Lines::Single).is_err());
        assert!(check_text("note", "x\0", NOTE_MAX_CHARS, Lines::Multi).is_err());
        // 200 × "é" is 200 characters (400 bytes): accepted; 201 is not.
        assert!(check_text("name", &"é".repeat(200), NAME_MAX_CHARS, Lines::Single).is_ok());
        let v = check_text("name", &"é".repeat(201), NAME_MAX_CHARS, Lines::Single).unwrap_err();
        assert_eq!(v.limit, "at most 200 characters");
    }

    #[test]
    fn custom_sport_names_are_plain_words() {
        assert!(is_custom_sport_name("cross_country_skiing"));
        assert!(is_custom_sport_name("sup2"));
        assert!(!is_custom_sport_name(""));
        assert!(!is_custom_sport_name("<script>x</script>"));
        assert!(!is_custom_sport_name("Rowing"));
        assert!(!is_custom_sport_name(&"a".repeat(SPORT_NAME_MAX_CHARS + 1)));
    }

    #[test]
    fn manual_sessions_are_checked_against_the_sports_bounds() {
        let running = ActivityBounds::for_sport("running");
        assert!(
            running
                .check_session("running", 3_600.0, Some(10_000.0))
                .is_empty()
        );
        // 0.0001 m is below one pool length.
        let v = running.check_session("running", 3_600.0, Some(0.0001));
        assert_eq!(v.len(), 1);
        assert_eq!(
            (v[0].field.as_str(), v[0].limit.as_str()),
            ("distance", "50–500000 m")
        );
        // 42,195 m in 30 min is 84.4 km/h (42.195 / 0.5), above running's 25.2 km/h (7 m/s).
        let v = running.check_session("running", 1_800.0, Some(42_195.0));
        assert_eq!(v.len(), 1);
        assert!(v[0].message.contains("84.4 km/h"), "{}", v[0].message);
        // 30 s is under a minute, and 49 h over two days: both refused.
        assert_eq!(
            running.check_session("running", 30.0, None)[0].limit,
            "60–172800 s"
        );
        assert_eq!(
            running.check_session("running", 49.0 * 3_600.0, None).len(),
            1
        );
    }

    #[test]
    fn a_bare_distance_read_as_metres_for_a_run_suggests_kilometres() {
        let running = ActivityBounds::for_sport("running");
        let nine = Some(Unitless { typed: 9.0 });
        // 9 m in 45 min is 0.012 km/h; 9 km in 45 min is 12 km/h (5:00/km): the likely meaning.
        let v = running
            .check_unitless("running", 2700.0, None, Some(9.0), nine)
            .expect("refused");
        assert_eq!((v.field.as_str(), v.value.as_str()), ("distance", "9"));
        assert!(v.message.contains("did you mean 9km?"), "{}", v.message);
        // The same number typed with its unit is no business of this check.
        assert_eq!(
            running.check_unitless("running", 2700.0, None, Some(9.0), None),
            None
        );
        // 9000 read as metres is a plausible 45-minute run: accepted as read.
        let metres = Some(Unitless { typed: 9000.0 });
        assert_eq!(
            running.check_unitless("running", 2700.0, None, Some(9000.0), metres),
            None
        );
    }

    #[test]
    fn a_bare_duration_read_as_minutes_suggests_hours_or_seconds() {
        let running = ActivityBounds::for_sport("running");
        // 2 minutes for 21.1 km is 633 km/h; 2 h is 10.5 km/h.
        let v = running
            .check_unitless(
                "running",
                120.0,
                Some(Unitless { typed: 2.0 }),
                Some(21_100.0),
                None,
            )
            .expect("refused");
        assert_eq!(v.field, "duration");
        assert!(v.message.contains("did you mean 2h?"), "{}", v.message);
        // 3600 minutes (60 h) is past the longest session; 3600 s is an hour.
        let v = running
            .check_unitless(
                "running",
                216_000.0,
                Some(Unitless { typed: 3600.0 }),
                None,
                None,
            )
            .expect("refused");
        assert!(v.message.contains("did you mean 3600s?"), "{}", v.message);
    }

    #[test]
    fn a_bare_number_with_no_plausible_reading_asks_for_the_unit() {
        let running = ActivityBounds::for_sport("running");
        // 500 m in 45 min is 0.67 km/h, under the 1.1 km/h floor; 500 km or 500 mi in 45 min
        // are faster than any runner.
        let v = running
            .check_unitless(
                "running",
                2700.0,
                None,
                Some(500.0),
                Some(Unitless { typed: 500.0 }),
            )
            .expect("refused");
        assert_eq!(v.field, "distance");
        assert!(
            v.message.contains("write each value with its unit"),
            "{}",
            v.message
        );
    }
}
