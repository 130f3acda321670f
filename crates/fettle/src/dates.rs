//! Parsing what people type: dates, times, durations, distances and paces.
//!
//! Every parser returns an error that quotes the input and shows an accepted form, because a
//! runner typing `--date 20/11` deserves to be told to write `2026-11-20`. The error is a
//! structured refusal ([`fettle_app::AppError::Violations`]) naming the option, the value and
//! the accepted form, which `--json` prints like the use cases' own refusals; the option is the
//! parser's kind (`--duration`, `--date` …) unless the caller names it with [`ForFlag`].

use fettle_app::AppError;
use fettle_core::limits::Violation;
use jiff::civil::Date;

/// The accepted form of each kind of value, as shown in refusals.
const DATE_FORM: &str = "YYYY-MM-DD, e.g. 2026-11-20";
const DURATION_FORM: &str = "a positive duration such as 45m, 1h30m, 1:15:00 or 45:00";
const DISTANCE_FORM: &str = "a positive distance such as 9km, 800m, 13.1mi, half or marathon";
const PACE_FORM: &str = "minutes:seconds per km or mi, e.g. 4:05/km";

/// A parser's refusal of `text` for option `--kind` as a structured violation.
fn refused(kind: &str, text: &str, form: &str, error: &anyhow::Error) -> anyhow::Error {
    anyhow::Error::new(AppError::Violations(vec![Violation::new(
        kind,
        text,
        form,
        format!("--{kind}: {error}"),
    )]))
}

/// Names the option a parsed value came from (`--time` for a race's duration), so the refusal
/// points at what the person typed.
pub(crate) trait ForFlag<T> {
    /// The same result, its refusal renamed to `--flag`.
    fn for_flag(self, flag: &str) -> anyhow::Result<T>;
}

impl<T> ForFlag<T> for anyhow::Result<T> {
    fn for_flag(self, flag: &str) -> anyhow::Result<T> {
        self.map_err(|error| match error.downcast::<AppError>() {
            Ok(AppError::Violations(mut list)) => {
                for v in &mut list {
                    let prefix = format!("--{}: ", v.field);
                    let why = v.message.strip_prefix(&prefix).unwrap_or(&v.message);
                    v.message = format!("--{flag}: {why}");
                    v.field = flag.to_owned();
                }
                anyhow::Error::new(AppError::Violations(list))
            }
            Ok(other) => anyhow::Error::new(other),
            Err(error) => error,
        })
    }
}

/// A local calendar date, `YYYY-MM-DD`.
pub(crate) fn parse_date(text: &str) -> anyhow::Result<Date> {
    text.trim().parse::<Date>().map_err(|_| {
        refused(
            "date",
            text,
            DATE_FORM,
            &usage!("bad date {text:?}: write it as {DATE_FORM}"),
        )
    })
}

/// A non-negative decimal number as people write it: digits with at most one decimal point
/// (`5`, `5.5`, `.5`). No sign, exponent, `inf` or `NaN`: `f64`'s own parser accepts all of
/// those, which let `1:-30:00` through as 30 minutes.
fn plain_number(text: &str) -> Option<f64> {
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    let points = text.bytes().filter(|b| *b == b'.').count();
    if digits == 0 || points > 1 || digits + points != text.len() {
        return None;
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A whole number of minutes or hours in a clock time (`1` in `1:15:00`): digits only.
fn plain_whole(text: &str) -> Option<f64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A duration: `45m`, `1h30m`, `90s`, `1h`, `1:15:00`, `45:00` (minutes:seconds) or a bare
/// number of minutes. Returns seconds. Every part is a plain non-negative number (minutes and
/// seconds of a clock time below 60; only the seconds may have decimals).
pub(crate) fn parse_duration(text: &str) -> anyhow::Result<f64> {
    duration(text).map_err(|e| refused("duration", text, DURATION_FORM, &e))
}

fn duration(text: &str) -> anyhow::Result<f64> {
    let t = text.trim().to_ascii_lowercase();
    let err = || {
        usage!(
            "bad duration {text:?}: write e.g. 45m, 1h30m, 1:15:00 or 45:00 (whole hours and \
             minutes, seconds below 60, no negative part)"
        )
    };
    if t.is_empty() {
        return Err(err());
    }
    let seconds = if t.contains(':') {
        let parts: Vec<&str> = t.split(':').collect();
        let (last, leading) = parts.split_last().ok_or_else(err)?;
        let mut nums: Vec<f64> = leading
            .iter()
            .map(|p| plain_whole(p))
            .collect::<Option<_>>()
            .ok_or_else(err)?;
        nums.push(plain_number(last).ok_or_else(err)?);
        match nums.as_slice() {
            [m, s] if *s < 60.0 => m * 60.0 + s,
            [h, m, s] if *m < 60.0 && *s < 60.0 => h * 3600.0 + m * 60.0 + s,
            _ => return Err(err()),
        }
    } else if let Some(minutes) = plain_number(&t) {
        minutes * 60.0
    } else {
        let mut total = 0.0;
        let mut number = String::new();
        let mut units_seen = String::new();
        for c in t.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
                continue;
            }
            let unit = match c {
                'h' => 3600.0,
                'm' => 60.0,
                's' => 1.0,
                _ => return Err(err()),
            };
            // Each unit once, in order: `1h30m`, not `30m1h` or `1h1h`.
            if units_seen.contains(c) || units_seen.chars().any(|u| "hms".find(u) > "hms".find(c)) {
                return Err(err());
            }
            units_seen.push(c);
            let n = plain_number(&number).ok_or_else(err)?;
            total += n * unit;
            number.clear();
        }
        if !number.is_empty() {
            return Err(err());
        }
        total
    };
    if !(seconds > 0.0 && seconds.is_finite()) {
        bail_usage!("bad duration {text:?}: it must be longer than zero");
    }
    Ok(seconds)
}

/// The number of a value typed without a unit (`9`, ` 45 `, `5.5`), else `None`: a bare
/// distance is read as metres and a bare duration as minutes, which the session checks
/// question when the reading is implausible.
pub(crate) fn bare_number(text: &str) -> Option<f64> {
    plain_number(text.trim())
}

/// A distance: `9km`, `9 km`, `10k`, `800m`, `13.1mi`, `5000` (metres), or a race name
/// (`5k`, `10k`, `half`, `half-marathon`, `marathon`). Returns metres.
pub(crate) fn parse_distance(text: &str) -> anyhow::Result<f64> {
    distance(text).map_err(|e| refused("distance", text, DISTANCE_FORM, &e))
}

fn distance(text: &str) -> anyhow::Result<f64> {
    let t = text.trim().to_ascii_lowercase().replace(' ', "");
    let named = match t.as_str() {
        "marathon" => Some(42_195.0),
        "half" | "halfmarathon" | "half-marathon" | "hm" => Some(21_097.5),
        _ => None,
    };
    if let Some(m) = named {
        return Ok(m);
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n = plain_number(num).ok_or_else(|| {
        usage!("bad distance {text:?}: write e.g. 9km, 800m, 13.1mi, half or marathon")
    })?;
    let factor = match unit {
        "" | "m" => 1.0,
        "k" | "km" => 1000.0,
        "mi" | "mile" | "miles" => 1609.344,
        _ => bail_usage!("bad distance {text:?}: unknown unit {unit:?} (use m, km or mi)"),
    };
    let metres = n * factor;
    if !(metres > 0.0 && metres.is_finite()) {
        bail_usage!("bad distance {text:?}: it must be longer than zero");
    }
    Ok(metres)
}

/// A pace `m:ss/km` or `m:ss/mi` (also without the unit: per km). Returns metres per second.
pub(crate) fn parse_pace(text: &str) -> anyhow::Result<f64> {
    pace(text).map_err(|e| refused("pace", text, PACE_FORM, &e))
}

fn pace(text: &str) -> anyhow::Result<f64> {
    let t = text.trim().to_ascii_lowercase().replace(' ', "");
    let err = || usage!("bad pace {text:?}: write it as minutes:seconds per km, e.g. 4:05/km");
    let (time, per_m) = match t.split_once('/') {
        Some((time, "km")) => (time, 1000.0),
        Some((time, "mi" | "mile")) => (time, 1609.344),
        Some(_) => return Err(err()),
        None => (t.as_str(), 1000.0),
    };
    let (m, s) = time.split_once(':').ok_or_else(err)?;
    let m = plain_whole(m).ok_or_else(err)?;
    let s = plain_number(s).ok_or_else(err)?;
    let secs = m * 60.0 + s;
    if !((0.0..60.0).contains(&s) && m >= 0.0 && secs > 0.0) {
        return Err(err());
    }
    Ok(per_m / secs)
}

/// Formats seconds as `h:mm:ss` (or `m:ss` under an hour).
pub(crate) fn format_hms(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as i64;
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// Formats a speed in m/s as a pace `m:ss/km`.
pub(crate) fn format_pace(speed_mps: f64) -> String {
    if speed_mps <= 0.0 || !speed_mps.is_finite() {
        return "-".to_string();
    }
    format!("{}/km", format_hms(1000.0 / speed_mps))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_every_accepted_form() {
        assert_eq!(parse_duration("45m").unwrap(), 2700.0);
        assert_eq!(parse_duration("1h30m").unwrap(), 5400.0);
        assert_eq!(parse_duration("1:15:00").unwrap(), 4500.0);
        assert_eq!(parse_duration("45:30").unwrap(), 2730.0);
        assert_eq!(parse_duration("90").unwrap(), 5400.0);
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("0m").is_err());
        assert!(parse_duration("1:75").is_err());
    }

    #[test]
    fn negative_and_malformed_parts_are_refused_in_every_form() {
        // `1:-30:00` used to be 1 h − 30 min = 30:00.
        for bad in [
            "1:-30:00",
            "-1:30:00",
            "1:30:-5",
            "-45",
            "+45",
            "1e3",
            "inf",
            "NaN",
            "1:inf",
            "1h-30m",
            "1.5:00:00",
            "1::00",
            ":30",
            "1:2:3:4",
            "30m1h",
            "1h1h",
            "1..5m",
            "h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad} was accepted");
        }
        // What stays accepted: decimal seconds and decimal minutes.
        assert_eq!(parse_duration("1:15:00.5").unwrap(), 4500.5);
        assert_eq!(parse_duration("1.5m").unwrap(), 90.0);
        assert_eq!(parse_duration("1h30m15s").unwrap(), 5415.0);
        for bad in ["-5km", "+5km", "1e4m", "inf", "NaNkm"] {
            assert!(parse_distance(bad).is_err(), "{bad} was accepted");
        }
        for bad in ["-4:05/km", "+4:05/km", "4:inf", "4.5:05/km", "4:1e1/km"] {
            assert!(parse_pace(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn distances_and_race_names() {
        assert_eq!(parse_distance("9km").unwrap(), 9000.0);
        assert_eq!(parse_distance("10k").unwrap(), 10_000.0);
        assert_eq!(parse_distance("800m").unwrap(), 800.0);
        assert_eq!(parse_distance("marathon").unwrap(), 42_195.0);
        assert_eq!(parse_distance("half").unwrap(), 21_097.5);
        assert!((parse_distance("13.1mi").unwrap() - 21_082.4).abs() < 0.1);
        assert!(parse_distance("far").is_err());
        assert!(parse_distance("5 parsecs").is_err());
    }

    #[test]
    fn pace_converts_to_speed() {
        // 4:05/km = 245 s per 1000 m = 4.0816 m/s
        assert!((parse_pace("4:05/km").unwrap() - 1000.0 / 245.0).abs() < 1e-9);
        assert!((parse_pace("8:00/mi").unwrap() - 1609.344 / 480.0).abs() < 1e-9);
        assert!(parse_pace("4:65/km").is_err());
        assert!(parse_pace("4:-5/km").is_err());
        assert!(parse_pace("fast").is_err());
        assert_eq!(format_pace(1000.0 / 245.0), "4:05/km");
    }

    #[test]
    fn dates_must_be_iso() {
        assert_eq!(
            parse_date("2026-11-20").unwrap(),
            jiff::civil::date(2026, 11, 20)
        );
        let err = parse_date("20/11/2026").unwrap_err().to_string();
        assert!(err.contains("YYYY-MM-DD"), "{err}");
    }

    #[test]
    fn refusals_name_the_option_the_value_and_the_accepted_form() {
        let error = parse_duration("1:-30:00").for_flag("time").unwrap_err();
        let Some(AppError::Violations(list)) = error.downcast_ref::<AppError>() else {
            panic!("not a structured refusal: {error}");
        };
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].field, "time");
        assert_eq!(list[0].value, "1:-30:00");
        assert_eq!(list[0].limit, DURATION_FORM);
        assert!(
            list[0].message.starts_with("--time: bad duration"),
            "{}",
            list[0].message
        );
    }
}
