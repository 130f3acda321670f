//! An in-memory [`Backend`] for the HTTP and browser tests: answers every endpoint with data in
//! the shapes of the API contract (see `assets/openapi.json`), records logged recovery sessions,
//! the profile and imports, so tests can check that what a page sends comes back.
//!
//! Two athletes: [`Fake::with_history`] (a few weeks of running, a plan, insights) and
//! [`Fake::new_user`] (nothing at all: every list empty, every number null), which is what a
//! page must render without errors before the first import.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use fettle_core::log::RecoveryEntry;
use fettle_web::{ActivityFilter, ApiError, AppState, Backend, DateRange, JsonBody, Reply};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde_json::{Value, json};

/// The athlete id type of the fake: a plain number, like the store's.
pub(crate) type FakeAthlete = u32;

/// The only athlete the fake knows; any other id is a bug in the athlete resolution.
pub(crate) const ATHLETE: FakeAthlete = 7;

/// What the fake remembers between requests.
#[derive(Default)]
struct Memory {
    recovery: Vec<RecoveryEntry>,
    profile: Value,
    imported: Vec<(i64, String, u64)>,
}

/// The fake backend.
pub(crate) struct Fake {
    history: bool,
    memory: Mutex<Memory>,
}

impl Fake {
    /// An athlete with weeks of training, a plan and insights.
    pub(crate) fn with_history() -> Self {
        Self {
            history: true,
            memory: Mutex::new(Memory {
                profile: json!({"name": "Test Runner", "max_hr": 190, "rest_hr": 50,
                                "health_exclusions": []}),
                ..Memory::default()
            }),
        }
    }

    /// An athlete who has imported nothing yet.
    pub(crate) fn new_user() -> Self {
        Self {
            history: false,
            memory: Mutex::new(Memory {
                profile: json!({}),
                ..Memory::default()
            }),
        }
    }

    /// Application state over this fake, for athlete [`ATHLETE`].
    pub(crate) fn state(self) -> AppState<Fake> {
        AppState::single_user(Arc::new(self), ATHLETE)
    }

    fn check(athlete: FakeAthlete) -> Result<(), ApiError> {
        if athlete == ATHLETE {
            Ok(())
        } else {
            Err(ApiError::internal(format!("wrong athlete {athlete}")))
        }
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.memory
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The activity list, newest first: three stored runs plus whatever was imported.
    fn activity_list(&self) -> Vec<Value> {
        let mut list: Vec<Value> = self
            .memory()
            .imported
            .iter()
            .rev()
            .map(|(id, name, size)| activity_summary(*id, "2026-11-27T18:00:00+01:00", name, *size))
            .collect();
        if self.history {
            for (id, start) in [
                (3, "2026-11-26T07:05:00+01:00"),
                (2, "2026-11-24T07:00:00+01:00"),
                (1, "2026-11-22T09:30:00+01:00"),
            ] {
                list.push(activity_summary(id, start, "watch.fit", 0));
            }
        }
        list
    }
}

/// One activity's summary in the list's shape.
fn activity_summary(id: i64, start: &str, source: &str, size: u64) -> Value {
    let distance_m = 10_000.0 + 1000.0 * id as f64 + size as f64 * 0.0;
    json!({
        "id": id, "start": start, "sport": "running",
        "elapsed_s": 3100 + id * 10, "timer_s": 3000 + id * 10,
        "distance_m": distance_m, "ascent_m": 85.0, "avg_hr": 148, "max_hr": 176,
        "device": "Garmin Forerunner 255", "source": source,
        "load": 92.5, "load_method": "trimp",
        "loads": {"trimp": 92.5, "edwards": 140.0, "srpe": null, "rtss": 71.2, "hrtss": 80.1}
    })
}

/// `n` days ending on `to`, oldest first.
fn days_until(to: Date, n: i64) -> Vec<Date> {
    (0..n)
        .rev()
        .filter_map(|back| to.checked_sub(back.days()).ok())
        .collect()
}

fn reply(value: &Value) -> Reply {
    JsonBody::new(value)
}

impl Backend for Fake {
    type Athlete = FakeAthlete;

    fn status(&self, athlete: FakeAthlete, on: Date) -> Reply {
        Self::check(athlete)?;
        if !self.history {
            return reply(
                &json!({"date": on, "fitness": null, "fatigue": null, "form": null,
                "ramp": null, "acwr": null, "monotony": null, "strain": null,
                "week_distance_m": 0.0, "flags": []}),
            );
        }
        reply(
            &json!({"date": on, "fitness": 48.2, "fatigue": 61.0, "form": -12.8,
            "ramp": 4.1, "acwr": 1.27, "monotony": 1.6, "strain": 610.0,
            "week_distance_m": 52_300.0,
            "flags": [{"code": "acwr_high", "message": "Acute load is 1.27× chronic: ease off if it rises past 1.5."}]}),
        )
    }

    fn load(&self, athlete: FakeAthlete, range: DateRange) -> Reply {
        Self::check(athlete)?;
        if !self.history {
            return reply(&json!([]));
        }
        let to = range
            .to
            .unwrap_or_else(|| jiff::ZonedDateTime::now().date());
        let series: Vec<Value> = days_until(to, 120)
            .into_iter()
            .filter(|d| range.from.is_none_or(|from| *d >= from))
            .enumerate()
            .map(|(i, date)| {
                let x = i as f64;
                let load = if i % 7 == 6 {
                    0.0
                } else {
                    60.0 + 40.0 * (x / 5.0).sin().abs()
                };
                let fitness = 30.0 + x * 0.15;
                let fatigue = fitness + 15.0 * (x / 9.0).sin();
                json!({"date": date, "load": load, "distance_m": load * 120.0,
                    "duration_s": load * 36.0, "fitness": fitness, "fatigue": fatigue,
                    "form": fitness - fatigue, "ramp": 2.0 + (x / 11.0).cos(),
                    "acwr": 1.0 + 0.3 * (x / 13.0).sin(), "monotony": 1.4, "strain": 500.0})
            })
            .collect();
        reply(&Value::Array(series))
    }

    fn activities(&self, athlete: FakeAthlete, filter: &ActivityFilter) -> Reply {
        Self::check(athlete)?;
        let list: Vec<Value> = self
            .activity_list()
            .into_iter()
            .filter(|a| filter.sport.as_deref().is_none_or(|s| a["sport"] == s))
            .take(filter.limit.unwrap_or(usize::MAX))
            .collect();
        reply(&Value::Array(list))
    }

    fn activity(&self, athlete: FakeAthlete, id: i64) -> Reply {
        Self::check(athlete)?;
        let Some(mut detail) = self.activity_list().into_iter().find(|a| a["id"] == id) else {
            return Err(ApiError::not_found(format!(
                "no activity {id}: list them at /api/v1/activities"
            )));
        };
        let n = 600;
        let time_s: Vec<f64> = (0..n).map(|i| f64::from(i) * 5.0).collect();
        let hr: Vec<f64> = (0..n)
            .map(|i| 120.0 + 40.0 * (f64::from(i) / 300.0).min(1.0))
            .collect();
        let speed: Vec<f64> = (0..n)
            .map(|i| 3.2 + 0.3 * (f64::from(i) / 40.0).sin())
            .collect();
        let altitude: Vec<f64> = (0..n)
            .map(|i| 40.0 + 15.0 * (f64::from(i) / 90.0).sin())
            .collect();
        let mut distance = Vec::with_capacity(n as usize);
        let mut total = 0.0;
        for s in &speed {
            total += s * 5.0;
            distance.push(total);
        }
        detail["laps"] = json!([
            {"index": 0, "start_s": 0, "elapsed_s": 1500, "distance_m": 5000.0, "avg_hr": 140, "max_hr": 158},
            {"index": 1, "start_s": 1500, "elapsed_s": 1500, "distance_m": 5000.0, "avg_hr": 156, "max_hr": 176}
        ]);
        detail["stream_summaries"] =
            json!({"heart_rate_bpm": {"min": 118, "avg": 148, "max": 176}});
        detail["streams"] = json!({"time_s": time_s, "heart_rate_bpm": hr, "speed_mps": speed,
            "altitude_m": altitude, "distance_m": distance});
        reply(&detail)
    }

    fn readiness(&self, athlete: FakeAthlete, on: Date) -> Reply {
        Self::check(athlete)?;
        if !self.history {
            return reply(&json!({"date": on, "score": null, "recommendation": null,
                "components": [], "missing": ["hrv", "sleep", "wellness", "training history"]}));
        }
        reply(
            &json!({"date": on, "score": 72, "recommendation": "Train as planned; keep the intensity moderate.",
            "components": [
                {"name": "hrv", "value": 58.0, "baseline": 62.0, "weight": 0.4},
                {"name": "sleep", "value": 7.2, "baseline": 7.5, "weight": 0.3},
                {"name": "form", "value": -12.8, "baseline": -5.0, "weight": 0.3}],
            "missing": ["soreness"]}),
        )
    }

    fn recover(&self, athlete: FakeAthlete, activity: Option<i64>, now: Timestamp) -> Reply {
        Self::check(athlete)?;
        if !self.history {
            return reply(&json!({"activity_id": null, "items": []}));
        }
        let start = now
            .checked_sub(10.minutes())
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let deadline = start
            .checked_add(30.minutes())
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let later = start
            .checked_add(2.hours())
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let later_end = later
            .checked_add(30.minutes())
            .map_err(|e| ApiError::internal(e.to_string()))?;
        reply(&json!({"activity_id": activity.unwrap_or(3), "items": [
            {"method": "nutrition", "dose": "1.0 g/kg carbohydrate + 0.3 g/kg protein",
             "start": start, "end": deadline, "deadline": deadline, "carbs_g": 65.0, "protein_g": 20.0,
             "reason": "Glycogen resynthesis is fastest in the first 30 minutes.",
             "evidence": "Ivy et al. 1988"},
            {"method": "compression_boots", "dose": "30 min", "start": later, "end": later_end,
             "reason": "Long run yesterday.", "evidence": "limited"}]}))
    }

    fn recovery_sessions(&self, athlete: FakeAthlete, range: DateRange) -> Reply {
        Self::check(athlete)?;
        let _ = range;
        let list = self.memory().recovery.clone();
        JsonBody::new(&list)
    }

    fn log_recovery(&self, athlete: FakeAthlete, entry: RecoveryEntry) -> Reply {
        Self::check(athlete)?;
        let body = JsonBody::new(&entry);
        self.memory().recovery.push(entry);
        body
    }

    fn insights(&self, athlete: FakeAthlete) -> Reply {
        Self::check(athlete)?;
        if !self.history {
            return reply(&json!([]));
        }
        reply(&json!([
            {"method": "compression_boots", "outcome": "next-day rMSSD", "effect": 3.1,
             "ci_low": -0.4, "ci_high": 6.6, "n_with": 14, "n_without": 31, "verdict": "unclear"},
            {"method": "cold_water_immersion", "outcome": "next-day soreness", "effect": -0.6,
             "ci_low": -1.0, "ci_high": -0.2, "n_with": 9, "n_without": 36, "verdict": "helps"}]))
    }

    fn plan(&self, athlete: FakeAthlete, today: Date) -> Reply {
        Self::check(athlete)?;
        if !self.history {
            return reply(&json!({"race": null, "weeks": [], "forecast": []}));
        }
        let forecast: Vec<Value> = days_until(today.checked_add(55.days()).unwrap_or(today), 56)
            .into_iter()
            .enumerate()
            .map(|(i, date)| {
                let x = i as f64;
                json!({"date": date, "fitness": 48.0 + x * 0.2, "fatigue": 55.0 + 10.0 * (x / 6.0).sin(),
                       "form": -7.0 + x * 0.2 - 10.0 * (x / 6.0).sin()})
            })
            .collect();
        let week = |start: Date, kind: &str, load: f64| {
            let days: Vec<Value> = days_until(start.checked_add(6.days()).unwrap_or(start), 7)
                .into_iter()
                .map(|d| json!({"date": d, "session": "easy 45 min", "load": load / 7.0, "recovery": ["sleep"]}))
                .collect();
            json!({"start": start, "kind": kind, "load_target": load, "distance_target_m": load * 100.0, "days": days})
        };
        reply(
            &json!({"race": {"date": today.checked_add(55.days()).unwrap_or(today), "distance_m": 42195.0, "goal_time_s": 11400},
            "weeks": [week(today, "build", 420.0), week(today.checked_add(7.days()).unwrap_or(today), "recovery", 300.0)],
            "forecast": forecast}),
        )
    }

    fn adherence(&self, athlete: FakeAthlete, today: Date) -> Reply {
        Self::check(athlete)?;
        if !self.history {
            return reply(&json!({"weeks": []}));
        }
        reply(
            &json!({"weeks": [{"start": today, "planned_load": 420.0, "done_load": 380.0, "ratio": 0.905}]}),
        )
    }

    fn profile(&self, athlete: FakeAthlete) -> Reply {
        Self::check(athlete)?;
        JsonBody::new(&self.memory().profile)
    }

    fn put_profile(&self, athlete: FakeAthlete, profile: Value) -> Reply {
        Self::check(athlete)?;
        if profile.get("max_hr").is_some_and(|v| !v.is_u64()) {
            return Err(ApiError::invalid(
                "`max_hr` must be a whole number of beats per minute",
            ));
        }
        self.memory().profile = profile.clone();
        reply(&profile)
    }

    fn import(&self, athlete: FakeAthlete, paths: &[PathBuf], threads: usize) -> Reply {
        Self::check(athlete)?;
        if threads == 0 {
            return Err(ApiError::internal("zero threads"));
        }
        let mut memory = self.memory();
        let mut ids = Vec::new();
        for path in paths {
            let size = std::fs::metadata(path)
                .map_err(|e| ApiError::internal(format!("uploaded file missing: {e}")))?
                .len();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            let id = 100 + memory.imported.len() as i64;
            memory.imported.push((id, name, size));
            ids.push(id);
        }
        reply(
            &json!({"files": paths.len(), "imported": ids.len(), "imported_ids": ids,
            "duplicates": 0, "skipped": 0, "failed": 0, "failures": [], "skips": [], "warnings": []}),
        )
    }
}

impl Fake {
    /// The imported files as `(name, size in bytes)`, oldest first.
    pub(crate) fn imported(&self) -> Vec<(String, u64)> {
        self.memory()
            .imported
            .iter()
            .map(|(_, n, s)| (n.clone(), *s))
            .collect()
    }
}
