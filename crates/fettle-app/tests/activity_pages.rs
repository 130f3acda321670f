//! Paging the activity list through the use case every face calls (`fettle activities
//! --limit --before`, `GET /api/v1/activities?limit=&before=`): the opaque cursor walks a
//! ten-year history once, and a cursor that is not one is refused clearly.

use fettle_app::AppError;
use fettle_app::activities::{self, ListQuery};
use fettle_formats::{Activity, Sport};
use fettle_store::{SqliteStore, Store};
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// 2026-03-02T07:00:00Z.
const MONDAY_7AM_S: i64 = 1_772_434_800;

#[test]
fn pages_of_100_return_2800_activities_once_newest_first() {
    let store = SqliteStore::open_in_memory().expect("open");
    let athlete = store.default_athlete().expect("athlete");
    // One activity every 31 hours back for ten years; every tenth shares its start with the
    // one before it, so the id decides between them.
    let mut expected = Vec::new();
    for n in 0..2_800_i64 {
        let slot = n - n % 10 / 9;
        let start = Timestamp::from_second(MONDAY_7AM_S - slot * 31 * 3600).expect("instant");
        let sport = if n % 3 == 0 {
            Sport::Cycling
        } else {
            Sport::Running
        };
        let mut activity = Activity::new(start, sport);
        activity.timer_s = 1800.0;
        activity.elapsed_s = 1800.0;
        let id = store
            .insert_manual_activity(athlete, &activity)
            .expect("insert");
        expected.push((start, id.0));
    }
    expected.sort_by(|a, b| b.cmp(a));
    let expected: Vec<i64> = expected.into_iter().map(|(_, id)| id).collect();

    let mut seen = Vec::new();
    let mut before = None;
    for page_number in 1.. {
        assert!(page_number <= 28, "28 pages of 100 hold 2,800");
        let page = activities::page(
            &store,
            athlete,
            &TimeZone::UTC,
            &ListQuery {
                limit: Some(100),
                before: before.clone(),
                ..ListQuery::default()
            },
        )
        .expect("page");
        assert_eq!(page.activities.len(), 100, "page {page_number} is full");
        seen.extend(page.activities.iter().map(|a| a.id));
        match page.next {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, expected);
}

#[test]
fn the_cursor_keeps_the_sport_filter_and_the_last_page_has_no_next() {
    let store = SqliteStore::open_in_memory().expect("open");
    let athlete = store.default_athlete().expect("athlete");
    let mut runs = Vec::new();
    for day in 0..7_i64 {
        let start = Timestamp::from_second(MONDAY_7AM_S + day * 86_400).expect("instant");
        let sport = if day % 2 == 0 {
            Sport::Running
        } else {
            Sport::Cycling
        };
        let mut activity = Activity::new(start, sport.clone());
        activity.timer_s = 1800.0;
        activity.elapsed_s = 1800.0;
        let id = store
            .insert_manual_activity(athlete, &activity)
            .expect("insert");
        if sport == Sport::Running {
            runs.push(id.0);
        }
    }
    runs.reverse(); // days 6, 4, 2, 0
    let query = |before: Option<String>| ListQuery {
        sport: Some("running".to_owned()),
        limit: Some(2),
        before,
        ..ListQuery::default()
    };
    let first = activities::page(&store, athlete, &TimeZone::UTC, &query(None)).expect("first");
    let ids: Vec<i64> = first.activities.iter().map(|a| a.id).collect();
    assert_eq!(ids, runs[..2]);
    let second =
        activities::page(&store, athlete, &TimeZone::UTC, &query(first.next)).expect("second");
    let ids: Vec<i64> = second.activities.iter().map(|a| a.id).collect();
    assert_eq!(ids, runs[2..]);
    assert_eq!(
        second.next, None,
        "exactly 4 runs: nothing after the second page"
    );
}

#[test]
fn a_cursor_that_is_not_one_is_refused_with_the_reason() {
    let store = SqliteStore::open_in_memory().expect("open");
    let athlete = store.default_athlete().expect("athlete");
    for bad in ["", "yesterday", "12.x", "1.2.3", "99999999999999999999.1"] {
        let query = ListQuery {
            before: Some(bad.to_owned()),
            ..ListQuery::default()
        };
        let error =
            activities::page(&store, athlete, &TimeZone::UTC, &query).expect_err("not a cursor");
        assert!(
            matches!(&error, AppError::Invalid(message) if message.contains("`before`")),
            "{bad:?}: {error:?}"
        );
    }
}
