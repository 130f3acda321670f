//! Parsing what people type: dates, times, durations, distances and paces.
//!
//! Every parser returns an error that quotes the input and shows an accepted form, because a
//! runner typing `--date 20/11` deserves to be told to write `2026-11-20`.

use anyhow::{Context as _, anyhow, bail};
use jiff::civil::Date;

/// A local calendar date, `YYYY-MM-DD`.
pub(crate) fn parse_date(text: &str) -> anyhow::Result<Date> {
    text.trim()
        .parse::<Date>()
        .map_err(|_| anyhow!("bad date {text:?}: write it as YYYY-MM-DD, e.g. 2026-11-20"))
}

/// A duration: `45m`, `1h30m`, `90s`, `1h`, `1:15:00`, `45:00` (minutes:seconds) or a bare
/// number of minutes. Returns seconds.
pub(crate) fn parse_duration(text: &str) -> anyhow::Result<f64> {
    let t = text.trim().to_ascii_lowercase();
    let err = || anyhow!("bad duration {text:?}: write e.g. 45m, 1h30m, 1:15:00 or 45:00");
    if t.is_empty() {
        return Err(err());
    }
    let seconds = if t.contains(':') {
        let parts: Vec<&str> = t.split(':').collect();
        let nums: Vec<f64> = parts
            .iter()
            .map(|p| p.parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| err())?;
        match nums.as_slice() {
            [m, s] if *s < 60.0 => m * 60.0 + s,
            [h, m, s] if *m < 60.0 && *s < 60.0 => h * 3600.0 + m * 60.0 + s,
            _ => return Err(err()),
        }
    } else if let Ok(minutes) = t.parse::<f64>() {
        minutes * 60.0
    } else {
        let mut total = 0.0;
        let mut number = String::new();
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
            let n: f64 = number.parse().map_err(|_| err())?;
            total += n * unit;
            number.clear();
        }
        if !number.is_empty() {
            return Err(err());
        }
        total
    };
    if !(seconds > 0.0 && seconds.is_finite()) {
        bail!("bad duration {text:?}: it must be longer than zero");
    }
    Ok(seconds)
}

/// A distance: `9km`, `9 km`, `10k`, `800m`, `13.1mi`, `5000` (metres), or a race name
/// (`5k`, `10k`, `half`, `half-marathon`, `marathon`). Returns metres.
pub(crate) fn parse_distance(text: &str) -> anyhow::Result<f64> {
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
    let n: f64 = num.parse().with_context(|| {
        format!("bad distance {text:?}: write e.g. 9km, 800m, 13.1mi, half or marathon")
    })?;
    let factor = match unit {
        "" | "m" => 1.0,
        "k" | "km" => 1000.0,
        "mi" | "mile" | "miles" => 1609.344,
        _ => bail!("bad distance {text:?}: unknown unit {unit:?} (use m, km or mi)"),
    };
    let metres = n * factor;
    if !(metres > 0.0 && metres.is_finite()) {
        bail!("bad distance {text:?}: it must be longer than zero");
    }
    Ok(metres)
}

/// A pace `m:ss/km` or `m:ss/mi` (also without the unit: per km). Returns metres per second.
pub(crate) fn parse_pace(text: &str) -> anyhow::Result<f64> {
    let t = text.trim().to_ascii_lowercase().replace(' ', "");
    let err = || anyhow!("bad pace {text:?}: write it as minutes:seconds per km, e.g. 4:05/km");
    let (time, per_m) = match t.split_once('/') {
        Some((time, "km")) => (time, 1000.0),
        Some((time, "mi" | "mile")) => (time, 1609.344),
        Some(_) => return Err(err()),
        None => (t.as_str(), 1000.0),
    };
    let (m, s) = time.split_once(':').ok_or_else(err)?;
    let m: f64 = m.parse().map_err(|_| err())?;
    let s: f64 = s.parse().map_err(|_| err())?;
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
}
