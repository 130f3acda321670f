//! Checks of what a person types that need more than the core's plain limits: the sport
//! vocabulary lives in `fettle_formats`, which the core does not know. The bounds themselves are
//! all in [`fettle_core::limits`]; this module only combines them with the vocabulary.

use fettle_core::limits::{self, Lines, Violation};
use fettle_formats::Sport;

/// The limit of a sport name, as shown to people.
const SPORT_LIMIT: &str = "a sport such as running, cycling, swimming, walking, hiking or \
     training, or a name of letters, digits and underscores (at most 32)";

/// The sport names every face offers in a list (`GET /api/v1/vocabulary`'s `sports`, the
/// dashboard's selects), from [`Sport::NAMED`]; [`sport`] also takes their aliases and custom
/// names.
pub fn sport_choices() -> Vec<&'static str> {
    static NAMED: [Sport; 8] = Sport::NAMED;
    NAMED.iter().map(Sport::as_str).collect()
}

/// Parses a sport name typed by a person (a manual session's sport, a list filter): a known
/// sport by any of its names (`run`, `Ride`, `trail-run` …), or a custom name made of letters,
/// digits and underscores. Anything else — markup, control characters, a sentence — is refused,
/// so it is never stored nor sent to the database.
pub fn sport(field: &str, text: &str) -> Result<Sport, Violation> {
    limits::check_text(field, text, limits::NAME_MAX_CHARS, Lines::Single)?;
    let sport = Sport::parse(text);
    let acceptable = match &sport {
        Sport::Other(name) => limits::is_custom_sport_name(name),
        _ => !text.trim().is_empty(),
    };
    if acceptable {
        Ok(sport)
    } else {
        let shown: String = text.chars().take(40).collect();
        Err(Violation::new(
            field,
            shown.clone(),
            SPORT_LIMIT,
            format!("{field} {shown:?} is not a sport name: use {SPORT_LIMIT}"),
        ))
    }
}

/// Refuses a range of days whose start is after its end (every listing shares this check, so
/// the CLI and the API say the same).
pub fn day_order(from: jiff::civil::Date, to: jiff::civil::Date) -> Result<(), Violation> {
    if from > to {
        return Err(Violation::new(
            "from",
            from.to_string(),
            format!("on or before to ({to})"),
            format!("from {from} is after to {to}: swap them"),
        ));
    }
    Ok(())
}

/// Seconds as `h:mm:ss` (or `m:ss` under an hour), for messages.
pub fn hms(seconds: f64) -> String {
    if !seconds.is_finite() {
        return seconds.to_string();
    }
    let total = seconds.max(0.0).round() as i64;
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_sports_by_any_name_and_plain_custom_names_pass() {
        assert_eq!(sport("sport", "Run").unwrap(), Sport::Running);
        assert_eq!(sport("sport", "trail-run").unwrap(), Sport::Running);
        assert_eq!(
            sport("sport", "Cross Country Skiing").unwrap(),
            Sport::Other("cross_country_skiing".into())
        );
    }

    #[test]
    fn markup_control_characters_and_blanks_are_refused() {
        let v = sport("sport", "<script>x</script>").unwrap_err();
        assert_eq!(v.field, "sport");
        assert!(v.message.contains("not a sport name"), "{}", v.message);
        assert!(sport("sport", "run\0").unwrap_err().message.contains("NUL"));
        assert!(sport("sport", "  ").is_err());
        assert!(sport("sport", &"a".repeat(33)).is_err());
    }
}
