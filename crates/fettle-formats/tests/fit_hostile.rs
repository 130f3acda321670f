//! Crafted FIT files: tens of thousands of sessions, more records than a file may hold. Built
//! here with Fettle's low-level FIT builder; every expected value follows from how the file is
//! written (see each test).

use fettle_formats::fit::profile::{base, mesg};
use fettle_formats::fit::{self, FieldDef, FieldValue, FitBuilder, MAX_SESSIONS};
use fettle_formats::{FileKind, FormatError, MAX_SAMPLES};

/// FIT time of 2024-03-10T07:00:00Z (1710054000 − 631065600).
const T0: u32 = 1_078_988_400;

const LOCAL_RECORD: u8 = 1;
const LOCAL_SESSION: u8 = 2;

/// A builder holding an activity file_id and the record (timestamp, heart_rate) and session
/// (timestamp, start_time, total_elapsed_time in ms, sport) definitions.
fn builder() -> FitBuilder {
    let mut b = FitBuilder::new();
    b.define(0, mesg::FILE_ID, &[FieldDef::new(0, base::ENUM)]);
    b.data(0, &[FieldValue::Int(4)]);
    b.define(
        LOCAL_RECORD,
        mesg::RECORD,
        &[
            FieldDef::new(253, base::UINT32),
            FieldDef::new(3, base::UINT8),
        ],
    );
    b.define(
        LOCAL_SESSION,
        mesg::SESSION,
        &[
            FieldDef::new(253, base::UINT32),
            FieldDef::new(2, base::UINT32),
            FieldDef::new(7, base::UINT32),
            FieldDef::new(5, base::ENUM),
        ],
    );
    b
}

fn record(b: &mut FitBuilder, time: u32, hr: u8) {
    b.data(
        LOCAL_RECORD,
        &[
            FieldValue::Int(i64::from(time)),
            FieldValue::Int(i64::from(hr)),
        ],
    );
}

/// A running session starting at `start`, lasting `seconds`.
fn session(b: &mut FitBuilder, start: u32, seconds: u32) {
    b.data(
        LOCAL_SESSION,
        &[
            FieldValue::Int(i64::from(start + seconds)),
            FieldValue::Int(i64::from(start)),
            FieldValue::Int(i64::from(seconds) * 1000),
            FieldValue::Int(1),
        ],
    );
}

/// The heart rate written for session `k`: 30–229 bpm, so neighbours always differ.
fn hr_of(k: u32) -> u8 {
    (30 + k % 200) as u8
}

#[test]
fn seventy_thousand_sessions_each_get_their_own_records() {
    // Session k starts at T0 + 10k and lasts 5 s; its two records are at +0 and +5 s with the
    // heart rate hr_of(k). The session messages are written last and in reverse order, so the
    // assignment cannot rely on file order. 70,000 sessions are more than a u16 can count.
    let sessions: u32 = 70_000;
    let mut b = builder();
    for k in 0..sessions {
        record(&mut b, T0 + 10 * k, hr_of(k));
        record(&mut b, T0 + 10 * k + 5, hr_of(k));
    }
    for k in (0..sessions).rev() {
        session(&mut b, T0 + 10 * k, 5);
    }
    let decoded = fit::decode(&b.finish()).unwrap();
    assert_eq!(decoded.activities.len(), sessions as usize);
    for (i, activity) in decoded.activities.iter().enumerate() {
        // Activity i is the i-th session message: session k = sessions − 1 − i.
        let k = sessions - 1 - i as u32;
        assert_eq!(activity.session_index, Some(i as u32));
        assert_eq!(
            activity.start.as_second(),
            1_710_054_000 + 10 * i64::from(k),
            "session {k}"
        );
        assert_eq!(activity.streams.time_s, vec![0.0, 5.0], "session {k}");
        let hr = f32::from(hr_of(k));
        assert_eq!(activity.streams.heart_rate_bpm, vec![hr, hr], "session {k}");
    }
}

#[test]
fn records_in_gaps_and_before_every_session_follow_the_ownership_rule() {
    // Sessions A (index 0) at T0+100 and B (index 1) at T0+200, both lasting 10 s; a third, C
    // (index 2), also starts at T0+200. Records: T0+50 (before every session → the earliest,
    // A), T0+150 (in the gap after A → A), T0+205 (B and C start together → the last in the
    // file, C), T0+900 (after the last → C).
    let mut b = builder();
    for (t, hr) in [(50, 60), (150, 61), (205, 62), (900, 63)] {
        record(&mut b, T0 + t, hr);
    }
    session(&mut b, T0 + 100, 10);
    session(&mut b, T0 + 200, 10);
    session(&mut b, T0 + 200, 10);
    let decoded = fit::decode(&b.finish()).unwrap();
    let hr: Vec<Vec<f32>> = decoded
        .activities
        .iter()
        .map(|a| a.streams.heart_rate_bpm.clone())
        .collect();
    assert_eq!(hr, vec![vec![60.0, 61.0], vec![], vec![62.0, 63.0]]);
    // A starts at its first record, 50 s before its session's start_time (with a warning).
    assert_eq!(decoded.activities[0].start.as_second(), 1_710_054_050);
}

#[test]
fn more_records_than_a_file_may_hold_are_refused_not_read() {
    let mut b = builder();
    b.reserve((MAX_SAMPLES + 1) * 6);
    for i in 0..=MAX_SAMPLES as u32 {
        record(&mut b, T0 + i, 150);
    }
    session(&mut b, T0, MAX_SAMPLES as u32);
    match fit::decode(&b.finish()) {
        Err(FormatError::TooLarge { kind, reason }) => {
            assert_eq!(kind, FileKind::Fit);
            assert!(reason.starts_with("more than 1000000 samples"), "{reason}");
        }
        other => panic!("expected TooLarge, got {:?}", other.map(|d| d.warnings)),
    }
    // Exactly the cap is read.
    let mut b = builder();
    for i in 0..MAX_SAMPLES as u32 {
        record(&mut b, T0 + i, 150);
    }
    let decoded = fit::decode(&b.finish()).unwrap();
    assert_eq!(decoded.activities[0].streams.len(), MAX_SAMPLES);
}

#[test]
fn more_sessions_than_a_file_may_hold_are_refused() {
    let mut b = builder();
    for k in 0..=MAX_SESSIONS as u32 {
        session(&mut b, T0 + k, 1);
    }
    assert!(matches!(
        fit::decode(&b.finish()),
        Err(FormatError::TooLarge { reason, .. }) if reason.starts_with("more than 100000 sessions")
    ));
}
