//! The duplicate rule: when is a newly imported activity the same session as a stored one?
//!
//! The same run often reaches Fettle twice: as the watch's `.fit` and as a `.gpx` exported by
//! Strava, or from two devices worn at once. Counting it twice would double the day's load, so
//! every backend applies this one pure rule (shared here) to the stored activities whose start
//! lies within [`candidate_window_ms`] of the new one.
//!
//! A new activity N duplicates a stored, file-imported activity S of the same athlete when
//! their sports are compatible (equal, or either is `generic`, which is what a GPX track
//! without a type decodes to, or either is a name Fettle does not recognise, such as the
//! numeric `<type>9</type>` in Strava's GPX exports) and **either**
//! 1. **same start**: |start_N − start_S| ≤ [`START_TOLERANCE_S`] and the elapsed times agree
//!    within [`DURATION_TOLERANCE`] (relative to the longer, at least
//!    [`DURATION_TOLERANCE_MIN_S`]) and, when both have a distance, the distances agree within
//!    [`DISTANCE_TOLERANCE`] (relative to the longer, at least [`DISTANCE_TOLERANCE_MIN_M`]); or
//! 2. **strong overlap**: both last more than zero seconds and their `[start, start + elapsed]`
//!    intervals overlap for at least [`MIN_OVERLAP`] of the longer one.
//!
//! The first one stored wins. Manual activities (no file) are never candidates: a recording
//! that arrives later is kept, and removing the hand-entered session is the athlete's call.

/// Largest start difference of the "same start" case (rule 1), seconds. Two minutes covers a
/// GPX export that trims the first points before movement and devices started a little apart.
pub const START_TOLERANCE_S: f64 = 120.0;

/// Relative elapsed-time tolerance of rule 1 (10 % of the longer).
pub const DURATION_TOLERANCE: f64 = 0.10;

/// Smallest elapsed-time tolerance of rule 1, seconds (short sessions).
pub const DURATION_TOLERANCE_MIN_S: f64 = 60.0;

/// Relative distance tolerance of rule 1 (5 % of the longer): GPS-derived and device
/// distances of one run differ by a few per cent.
pub const DISTANCE_TOLERANCE: f64 = 0.05;

/// Smallest distance tolerance of rule 1, metres (short sessions).
pub const DISTANCE_TOLERANCE_MIN_M: f64 = 100.0;

/// Smallest overlap of rule 2, as a fraction of the longer activity's elapsed time.
pub const MIN_OVERLAP: f64 = 0.8;

/// What the rule looks at of one activity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DuplicateKey<'a> {
    /// The sport's stable name ([`fettle_formats::Sport::as_str`]).
    pub sport: &'a str,
    /// Start, milliseconds since the Unix epoch.
    pub start_ms: i64,
    /// Wall-clock duration, seconds.
    pub elapsed_s: f64,
    /// Distance, metres, when known.
    pub distance_m: Option<f64>,
}

/// Whether `new` is the same session as `stored` (see the module docs for the rule).
pub fn is_duplicate(new: &DuplicateKey<'_>, stored: &DuplicateKey<'_>) -> bool {
    let loose = |sport: &str| sport == "generic" || !RECOGNISED_SPORTS.contains(&sport);
    let compatible = new.sport == stored.sport || loose(new.sport) || loose(stored.sport);
    compatible && (same_start(new, stored) || strong_overlap(new, stored))
}

/// The stable names of the sports Fettle recognises ([`fettle_formats::Sport`] but `Other`).
const RECOGNISED_SPORTS: [&str; 9] = [
    "running",
    "cycling",
    "swimming",
    "walking",
    "hiking",
    "transition",
    "fitness_equipment",
    "training",
    "generic",
];

#[allow(clippy::cast_precision_loss)] // millisecond differences are far below 2^53
fn same_start(a: &DuplicateKey<'_>, b: &DuplicateKey<'_>) -> bool {
    let start_gap_s = (a.start_ms - b.start_ms).abs() as f64 / 1000.0;
    if start_gap_s > START_TOLERANCE_S {
        return false;
    }
    let longer = a.elapsed_s.max(b.elapsed_s);
    let duration_ok = (a.elapsed_s - b.elapsed_s).abs()
        <= (DURATION_TOLERANCE * longer).max(DURATION_TOLERANCE_MIN_S);
    let distance_ok = match (a.distance_m, b.distance_m) {
        (Some(da), Some(db)) => {
            (da - db).abs() <= (DISTANCE_TOLERANCE * da.max(db)).max(DISTANCE_TOLERANCE_MIN_M)
        }
        _ => true,
    };
    duration_ok && distance_ok
}

#[allow(clippy::cast_precision_loss)] // millisecond instants are far below 2^53
fn strong_overlap(a: &DuplicateKey<'_>, b: &DuplicateKey<'_>) -> bool {
    if a.elapsed_s <= 0.0 || b.elapsed_s <= 0.0 {
        return false;
    }
    let (a_start, b_start) = (a.start_ms as f64 / 1000.0, b.start_ms as f64 / 1000.0);
    let overlap = (a_start + a.elapsed_s).min(b_start + b.elapsed_s) - a_start.max(b_start);
    overlap >= MIN_OVERLAP * a.elapsed_s.max(b.elapsed_s)
}

/// Half-width, in milliseconds, of the start window outside which no stored activity can be a
/// duplicate of a new activity lasting `elapsed_s`.
///
/// Rule 1 needs |Δstart| ≤ 120 s. For rule 2, let L be the longer duration: the later activity
/// starts Δ after the earlier, so overlap ≤ L − Δ, and overlap ≥ 0.8·L gives Δ ≤ 0.2·L; the
/// shorter must last at least 0.8·L, so L ≤ elapsed_s / 0.8 and Δ ≤ 0.25·elapsed_s. One extra
/// second absorbs rounding.
#[allow(clippy::cast_possible_truncation)] // clamped to a day's worth of milliseconds times 10⁵
pub fn candidate_window_ms(elapsed_s: f64) -> i64 {
    let overlap_bound_s = (1.0 - MIN_OVERLAP) / MIN_OVERLAP * elapsed_s.max(0.0);
    let window_s = START_TOLERANCE_S.max(overlap_bound_s) + 1.0;
    (window_s.min(8.64e9) * 1000.0).ceil() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(sport: &str, start_s: i64, elapsed_s: f64, distance_m: Option<f64>) -> DuplicateKey<'_> {
        DuplicateKey {
            sport,
            start_ms: start_s * 1000,
            elapsed_s,
            distance_m,
        }
    }

    #[test]
    fn gpx_and_fit_of_one_run_are_duplicates() {
        // FIT: 3600 s, 10 000 m. GPX starts 30 s later (first fix), 3570 s, 10 180 m.
        // Δstart 30 ≤ 120; Δelapsed 30 ≤ max(360, 60); Δdistance 180 ≤ max(509, 100).
        let fit = key("running", 0, 3600.0, Some(10_000.0));
        let gpx = key("generic", 30, 3570.0, Some(10_180.0));
        assert!(is_duplicate(&gpx, &fit));
        assert!(is_duplicate(&fit, &gpx));
    }

    #[test]
    fn recognised_sports_are_exactly_the_named_sport_variants() {
        use fettle_formats::Sport;
        let named = [
            Sport::Running,
            Sport::Cycling,
            Sport::Swimming,
            Sport::Walking,
            Sport::Hiking,
            Sport::Transition,
            Sport::FitnessEquipment,
            Sport::Training,
            Sport::Generic,
        ];
        let names: Vec<&str> = named.iter().map(Sport::as_str).collect();
        assert_eq!(names, RECOGNISED_SPORTS);
    }

    #[test]
    fn an_unrecognised_sport_name_is_compatible_with_any_sport() {
        // Strava's GPX writes `<type>9</type>` for a run: decoded as Other("9").
        let fit = key("running", 0, 3600.0, Some(10_000.0));
        let strava_gpx = key("9", 10, 3590.0, Some(10_050.0));
        assert!(is_duplicate(&strava_gpx, &fit));
    }

    #[test]
    fn different_sports_at_the_same_time_are_not_duplicates() {
        let run = key("running", 0, 3600.0, Some(10_000.0));
        let ride = key("cycling", 0, 3600.0, Some(10_000.0));
        assert!(!is_duplicate(&ride, &run));
    }

    #[test]
    fn start_just_outside_tolerance_with_little_overlap_is_not_a_duplicate() {
        // 10-minute runs 121 s apart: Δstart > 120 s; overlap 479 s < 0.8 × 600 = 480 s.
        let a = key("running", 0, 600.0, None);
        let b = key("running", 121, 600.0, None);
        assert!(!is_duplicate(&b, &a));
        // 120 s apart: rule 1 holds.
        let c = key("running", 120, 600.0, None);
        assert!(is_duplicate(&c, &a));
    }

    #[test]
    fn same_start_but_very_different_distance_is_not_a_duplicate() {
        // Δdistance 1 000 m > max(0.05 × 11 000 = 550, 100); overlap 2400 s < 0.8 × 3600.
        let a = key("running", 0, 3600.0, Some(11_000.0));
        let b = key("running", 60, 2400.0, Some(10_000.0));
        assert!(!is_duplicate(&b, &a));
    }

    #[test]
    fn a_late_started_second_device_overlapping_most_of_the_run_is_a_duplicate() {
        // Watch 0–3600 s; phone 300–3500 s: overlap 3200 ≥ 0.8 × 3600 = 2880 s.
        let watch = key("running", 0, 3600.0, Some(10_000.0));
        let phone = key("running", 300, 3200.0, Some(9_000.0));
        assert!(is_duplicate(&phone, &watch));
    }

    #[test]
    fn candidate_window_covers_every_possible_overlap_duplicate() {
        // 1 h activity: max(120, 0.25 × 3600 = 900) + 1 = 901 s.
        assert_eq!(candidate_window_ms(3600.0), 901_000);
        // Short activity: the start tolerance dominates, 120 + 1 s.
        assert_eq!(candidate_window_ms(60.0), 121_000);
        // Extreme case from the bound: new 0.8·L = 2880 s long, stored L = 3600 s starting
        // 0.2·L = 720 s earlier: overlap exactly 2880 = 0.8·L, a duplicate, within 721 s.
        let stored = key("running", 0, 3600.0, None);
        let new = key("running", 720, 2880.0, None);
        assert!(is_duplicate(&new, &stored));
        assert!(720_000 <= candidate_window_ms(2880.0));
    }
}
