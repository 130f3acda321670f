//! FIT workout files read back by an independent decoder (the `fitparser` crate) and compared in
//! shape with the FIT SDK's own workout samples in the corpus.

use fettle_formats::fit::{StepDuration, StepIntensity, StepTarget, WorkoutStep, encode_workout};
use fitparser::profile::MesgNum;
use fitparser::{FitDataRecord, Value};

fn field<'a>(record: &'a FitDataRecord, name: &str) -> Option<&'a Value> {
    record
        .fields()
        .iter()
        .find(|f| f.name() == name)
        .map(fitparser::FitDataField::value)
}

fn text(record: &FitDataRecord, name: &str) -> String {
    field(record, name)
        .map(std::string::ToString::to_string)
        .unwrap_or_default()
}

fn number(record: &FitDataRecord, name: &str) -> Option<f64> {
    match field(record, name)? {
        Value::UInt8(v) => Some(f64::from(*v)),
        Value::UInt16(v) => Some(f64::from(*v)),
        Value::UInt32(v) => Some(f64::from(*v)),
        Value::Float64(v) => Some(*v),
        Value::Float32(v) => Some(f64::from(*v)),
        Value::SInt32(v) => Some(f64::from(*v)),
        Value::UInt32z(v) => Some(f64::from(*v)),
        other => other.to_string().parse().ok(),
    }
}

fn names(records: &[FitDataRecord], kind: MesgNum) -> Vec<std::collections::BTreeSet<String>> {
    records
        .iter()
        .filter(|r| r.kind() == kind)
        .map(|r| r.fields().iter().map(|f| f.name().to_owned()).collect())
        .collect()
}

/// Warm-up 1.5 km, 5 × (1000 m at 4:00–4:10/km, 3 min jog), cool-down 10 min in HR 120–140.
fn intervals() -> Vec<WorkoutStep> {
    vec![
        WorkoutStep {
            name: "warm-up".into(),
            duration: StepDuration::Distance(1500.0),
            target: StepTarget::Open,
            intensity: StepIntensity::WarmUp,
        },
        WorkoutStep {
            name: "at interval pace".into(),
            duration: StepDuration::Distance(1000.0),
            // 4:10/km = 1000/250 = 4.000 m/s; 4:00/km = 1000/240 = 4.1667 m/s.
            target: StepTarget::Speed {
                low_mps: 4.0,
                high_mps: 1000.0 / 240.0,
            },
            intensity: StepIntensity::Active,
        },
        WorkoutStep {
            name: "jog".into(),
            duration: StepDuration::Time(180.0),
            target: StepTarget::Open,
            intensity: StepIntensity::Recovery,
        },
        WorkoutStep {
            name: "repeat".into(),
            duration: StepDuration::Repeat { from: 1, times: 5 },
            target: StepTarget::Open,
            intensity: StepIntensity::Active,
        },
        WorkoutStep {
            name: "cool-down".into(),
            duration: StepDuration::Time(600.0),
            target: StepTarget::HeartRate {
                low_bpm: 120.0,
                high_bpm: 140.0,
            },
            intensity: StepIntensity::CoolDown,
        },
    ]
}

#[test]
fn an_independent_decoder_reads_a_workout_file_step_by_step() {
    let bytes = encode_workout("Intervals 5 × 1000 m", &intervals(), 1_000_000_000);
    let records = fitparser::from_bytes(&bytes).expect("fitparser reads the file");
    let file_id = records
        .iter()
        .find(|r| r.kind() == MesgNum::FileId)
        .unwrap();
    assert_eq!(text(file_id, "type"), "workout");
    let workout = records
        .iter()
        .find(|r| r.kind() == MesgNum::Workout)
        .unwrap();
    assert_eq!(text(workout, "sport"), "running");
    assert_eq!(number(workout, "num_valid_steps"), Some(5.0));
    assert_eq!(text(workout, "wkt_name"), "Intervals 5 × 1000 m");
    let steps: Vec<&FitDataRecord> = records
        .iter()
        .filter(|r| r.kind() == MesgNum::WorkoutStep)
        .collect();
    assert_eq!(steps.len(), 5);
    // fitparser applies the profile's scales: distance in m (stored cm / 100), time in s
    // (stored ms / 1000), custom speed in m/s (stored mm/s / 1000).
    assert_eq!(text(steps[0], "duration_type"), "distance");
    assert_eq!(text(steps[0], "intensity"), "warmup");
    assert_eq!(text(steps[1], "target_type"), "speed");
    let low = number(steps[1], "custom_target_speed_low").unwrap();
    let high = number(steps[1], "custom_target_speed_high").unwrap();
    assert!(
        (low - 4.0).abs() < 1e-3 && (high - 4.167).abs() < 1e-3,
        "{low} {high}"
    );
    assert_eq!(text(steps[2], "duration_type"), "time");
    assert_eq!(number(steps[2], "duration_time"), Some(180.0));
    assert_eq!(text(steps[2], "intensity"), "recovery");
    assert_eq!(text(steps[3], "duration_type"), "repeat_until_steps_cmplt");
    assert_eq!(number(steps[3], "duration_step"), Some(1.0));
    assert_eq!(number(steps[3], "repeat_steps"), Some(5.0));
    assert_eq!(text(steps[4], "target_type"), "heart_rate");
    // Custom heart rates are stored as bpm + 100 (FIT profile: 0–100 are % of max HR); fitparser
    // shows the stored values.
    assert_eq!(
        number(steps[4], "custom_target_heart_rate_low"),
        Some(220.0)
    );
    assert_eq!(
        number(steps[4], "custom_target_heart_rate_high"),
        Some(240.0)
    );
}

#[test]
fn the_shape_matches_the_fit_sdk_workout_samples() {
    let ours = encode_workout("Intervals", &intervals(), 1_000_000_000);
    let ours = fitparser::from_bytes(&ours).unwrap();
    let sdk = std::fs::read(fettle_testdata::corpus("fit/WorkoutRepeatSteps.fit")).unwrap();
    let sdk = fitparser::from_bytes(&sdk).unwrap();
    // The same messages: file_id, workout, workout_step (and nothing else of substance).
    for kind in [MesgNum::FileId, MesgNum::Workout, MesgNum::WorkoutStep] {
        assert!(sdk.iter().any(|r| r.kind() == kind));
        assert!(ours.iter().any(|r| r.kind() == kind));
    }
    // Every field the SDK's repeat step carries, ours carries too.
    let repeat = |records: &[FitDataRecord]| {
        records
            .iter()
            .find(|r| {
                r.kind() == MesgNum::WorkoutStep
                    && text(r, "duration_type") == "repeat_until_steps_cmplt"
            })
            .map(|r| {
                r.fields()
                    .iter()
                    .map(|f| f.name().to_owned())
                    .collect::<std::collections::BTreeSet<_>>()
            })
            .unwrap()
    };
    let (theirs, mine) = (repeat(&sdk), repeat(&ours));
    for name in [
        "duration_type",
        "duration_step",
        "repeat_steps",
        "message_index",
    ] {
        assert!(theirs.contains(name), "SDK lacks {name}: {theirs:?}");
        assert!(mine.contains(name), "ours lacks {name}: {mine:?}");
    }
    assert!(!names(&ours, MesgNum::Workout).is_empty());
}
