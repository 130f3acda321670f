//! Sessions that overlap in time: two activities of one athlete whose time spans intersect.
//!
//! A person does one session at a time, so an overlap is usually the same session entered
//! twice (typed by hand after its file was imported, or two manual entries). It is not refused —
//! a brick session or a warm-up logged apart can legitimately touch — but the athlete is told,
//! naming the other activity and both times, because both count in the training load.

use fettle_store::{ActivityFilter, ActivityId, ActivitySummary, AthleteId, Store};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::AppError;
use crate::activities::{local_offset, rfc3339};

/// The longest session looked back for: an activity that started more than this before the
/// new one cannot reach it (the plausibility limits refuse longer sessions).
const LOOK_BACK: SignedDuration = SignedDuration::from_hours(72);

/// An activity the new one overlaps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overlap {
    /// The other activity's id.
    pub id: i64,
    /// Its name, when it has one.
    pub name: Option<String>,
    /// Its start, RFC 3339 with its local offset.
    pub start: String,
    /// Its end (start + elapsed time), RFC 3339.
    pub end: String,
    /// What to tell the athlete.
    pub message: String,
}

/// The span an activity occupies: from its start for its elapsed (wall-clock) time, or its
/// timer time when no elapsed time was recorded.
fn span(s: &ActivitySummary) -> (Timestamp, Timestamp) {
    let seconds = if s.elapsed_s > 0.0 {
        s.elapsed_s
    } else {
        s.timer_s
    };
    let length =
        SignedDuration::try_from_secs_f64(seconds.max(0.0)).unwrap_or(SignedDuration::ZERO);
    (s.start, s.start.checked_add(length).unwrap_or(s.start))
}

/// The athlete's other activities whose time span intersects activity `id`'s (touching ends do
/// not count), oldest first. An unknown id has no overlaps.
pub fn overlapping(
    store: &dyn Store,
    athlete: AthleteId,
    id: ActivityId,
) -> Result<Vec<Overlap>, AppError> {
    let Some(stored) = store.get_activity(athlete, id)? else {
        return Ok(Vec::new());
    };
    let (start, end) = span(&stored.summary);
    let tz = crate::athlete_time_zone(store, athlete)?;
    let filter = ActivityFilter {
        from: start.checked_sub(LOOK_BACK).ok(),
        to: Some(if end > start {
            end
        } else {
            start
                .checked_add(SignedDuration::from_secs(1))
                .unwrap_or(start)
        }),
        ..ActivityFilter::default()
    };
    let mut found: Vec<Overlap> = store
        .list_activities(athlete, &filter)?
        .iter()
        .filter(|other| other.id != id)
        .filter(|other| {
            let (other_start, other_end) = span(other);
            other_start < end && start < other_end
        })
        .map(|other| {
            let (other_start, other_end) = span(other);
            let offset = local_offset(other.utc_offset_s, other_start, &tz);
            let shown_start = rfc3339(other_start, offset);
            let shown_end = rfc3339(other_end, offset);
            let clock = |at: Timestamp| offset.to_datetime(at).strftime("%H:%M").to_string();
            let label = match &other.name {
                Some(name) => format!("activity {} \"{name}\"", other.id.0),
                None => format!("activity {} ({})", other.id.0, other.sport.as_str()),
            };
            Overlap {
                id: other.id.0,
                name: other.name.clone(),
                message: format!(
                    "this session overlaps {label}, {} {}–{}: both count in your training \
                     load; if they are the same session, delete one with `fettle activity \
                     delete ID`",
                    offset.to_datetime(other_start).date(),
                    clock(other_start),
                    clock(other_end),
                ),
                start: shown_start,
                end: shown_end,
            }
        })
        .collect();
    found.reverse();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use fettle_store::{SqliteStore, Store as _};

    use super::*;
    use crate::training::{ManualSession, add_manual};

    fn session(hour: i8, minute: i8, minutes: f64, name: &str) -> ManualSession {
        ManualSession {
            date: jiff::civil::date(2026, 3, 2),
            start: Some(jiff::civil::time(hour, minute, 0, 0)),
            duration_s: minutes * 60.0,
            distance_m: Some(minutes * 180.0),
            rpe: Some(4.0),
            sport: None,
            name: Some(name.to_owned()),
        }
    }

    #[test]
    fn a_session_inside_another_overlaps_it_and_touching_ends_do_not() {
        let store = SqliteStore::open_in_memory().expect("open");
        let athlete = store.default_athlete().expect("athlete");
        store
            .set_profile_value(athlete, "tz", jiff::civil::date(2020, 1, 1), "UTC")
            .expect("tz");
        let now = Timestamp::from_second(1_800_000_000).expect("instant");
        // 07:00–08:00, then 08:00–08:30 (touches, no overlap), then 07:45–08:15 (overlaps both).
        let first = add_manual(&store, athlete, &session(7, 0, 60.0, "Long run"), now).expect("1");
        let second = add_manual(&store, athlete, &session(8, 0, 30.0, "Strides"), now).expect("2");
        assert!(
            overlapping(&store, athlete, ActivityId(second))
                .expect("ok")
                .is_empty()
        );
        let third = add_manual(&store, athlete, &session(7, 45, 30.0, "Again"), now).expect("3");
        let found = overlapping(&store, athlete, ActivityId(third)).expect("ok");
        assert_eq!(
            found.iter().map(|o| o.id).collect::<Vec<_>>(),
            vec![first, second]
        );
        assert_eq!(found[0].start, "2026-03-02T07:00:00+00:00");
        assert_eq!(found[0].end, "2026-03-02T08:00:00+00:00");
        assert!(
            found[0]
                .message
                .contains("\"Long run\", 2026-03-02 07:00–08:00"),
            "{}",
            found[0].message
        );
    }
}
