//! The [`Store`] trait's SQL, once for both backends.

use std::collections::BTreeMap;

use fettle_core::log::{RaceResult, RecoveryEntry, RecoveryMethod, WellnessEntry};
use fettle_formats::{Activity, Lap, Sport, Streams};
use jiff::Timestamp;
use jiff::civil::Date;

use super::{Backend, DbError, Exec, FromRow, SqlRow, SqlStore, db, now_ms, params};
use crate::blob;
use crate::dedup::{self, DuplicateKey};
use crate::error::{StoreError, StoreResult};
use crate::model::{
    ActivityEdit, ActivityFilter, ActivityId, ActivityLoads, ActivityOutcome, ActivitySummary,
    AthleteId, ContentHash, Counts, FileId, FileOutcome, LoadRow, NewActivity, NewFile,
    ProfileValue, RaceId, RecoveryId, StoredActivity, StoredRace, StoredRecovery, StringSet,
};
use crate::store::Store;
use crate::text;

/// The source recorded for activities entered by hand.
pub const MANUAL_SOURCE: &str = "manual";

/// Looks the athlete up; PostgreSQL also locks its row until the commit, so that writes which
/// must see each other (imports and deletions of one athlete) run one after the other.
const LOCK_ATHLETE: &str = "SELECT 1 FROM athletes WHERE athlete_id = ?1 /*pg: FOR NO KEY UPDATE*/";
const FIND_ATHLETE: &str = "SELECT 1 FROM athletes WHERE athlete_id = ?1";

impl<B: Backend> SqlStore<B> {
    /// Runs `work` in a transaction after checking that the athlete exists; with
    /// `lock_athlete`, the athlete's row stays locked until the commit (PostgreSQL; SQLite has
    /// one writer anyway).
    fn write<T>(
        &self,
        context: &'static str,
        athlete: AthleteId,
        lock_athlete: bool,
        work: impl FnOnce(&mut dyn Exec) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.backend.transaction(context, |exec| {
            let sql = if lock_athlete {
                LOCK_ATHLETE
            } else {
                FIND_ATHLETE
            };
            if !exec
                .exists(sql, params![athlete.0])
                .map_err(db("looking up the athlete"))?
            {
                return Err(StoreError::UnknownAthlete(athlete));
            }
            work(exec)
        })
    }

    /// Imports a file's activities into the file record `file_id` (new, or restored) and
    /// returns the outcomes and the number inserted and found duplicate.
    fn insert_activities(
        context: &'static str,
        exec: &mut dyn Exec,
        athlete: AthleteId,
        file: &NewFile,
        file_id: FileId,
        activities: &[NewActivity<'_>],
        blobs: &[Option<Vec<u8>>],
    ) -> StoreResult<(Vec<ActivityOutcome>, i64, i64)> {
        let invalid = |index: usize, reason: String| StoreError::InvalidActivity {
            file: file.source.clone(),
            index,
            reason,
        };
        let mut outcomes = Vec::with_capacity(activities.len());
        let (mut inserted, mut duplicates) = (0i64, 0i64);
        for (index, (new, blob)) in activities.iter().zip(blobs).enumerate() {
            let activity = new.activity;
            check_activity(activity)
                .and_then(|()| text::check_activity(activity, new.source))
                .map_err(|reason| invalid(index, reason))?;
            if let Some(of) = find_duplicate(exec, athlete, activity).map_err(db(context))? {
                duplicates += 1;
                outcomes.push(ActivityOutcome::Duplicate { of });
                continue;
            }
            let id = insert_activity(exec, athlete, Some(file_id), new.source, activity, true)
                .map_err(|e| {
                    if e.is_constraint() {
                        invalid(index, e.to_string())
                    } else {
                        e.into_store(context)
                    }
                })?;
            if let Some(blob) = blob {
                exec.execute(
                    "INSERT INTO activity_samples (athlete_id, activity_id, samples)
                     VALUES (?1, ?2, ?3)",
                    params![athlete.0, id.0, blob],
                )
                .map_err(db(context))?;
            }
            inserted += 1;
            outcomes.push(ActivityOutcome::Inserted(id));
        }
        Ok((outcomes, inserted, duplicates))
    }
}

/// Checks an activity's scalar values before it is written.
pub(crate) fn check_activity(activity: &Activity) -> Result<(), String> {
    let non_negative = |name: &str, value: f64| {
        if value.is_finite() && value >= 0.0 {
            Ok(())
        } else {
            Err(format!("{name} is {value}, it must be a number ≥ 0"))
        }
    };
    non_negative("elapsed_s", activity.elapsed_s)?;
    non_negative("timer_s", activity.timer_s)?;
    if let Some(distance) = activity.distance_m.filter(|d| !d.is_nan()) {
        non_negative("distance_m", distance)?;
    }
    if let Some(rpe) = activity.perceived_exertion.filter(|r| !r.is_nan())
        && !(0.0..=10.0).contains(&rpe)
    {
        return Err(format!(
            "perceived_exertion is {rpe}, it must be within 0–10"
        ));
    }
    Ok(())
}

#[allow(clippy::cast_possible_truncation)] // checked finite and non-negative before
pub(crate) fn end_ms(start_ms: i64, elapsed_s: f64) -> i64 {
    if elapsed_s.is_finite() {
        start_ms.saturating_add((elapsed_s * 1000.0).round() as i64)
    } else {
        start_ms
    }
}

/// The store's own check of an edit: the RPE scale (the use case validates names, lengths and
/// text before calling).
pub(crate) fn check_edit(edit: &ActivityEdit) -> StoreResult<()> {
    if let Some(Some(value)) = edit.rpe {
        check_rpe(value)?;
    }
    Ok(())
}

fn check_rpe(value: f64) -> StoreResult<()> {
    if (0.0..=10.0).contains(&value) {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "RPE {value} is outside the 0–10 scale: give a value from 0 (rest) to 10 (maximal)"
        )))
    }
}

/// Inserts an activity summary row and its laps; returns its id.
fn insert_activity(
    exec: &mut dyn Exec,
    athlete: AthleteId,
    file_id: Option<FileId>,
    source: &str,
    activity: &Activity,
    with_details: bool,
) -> Result<ActivityId, DbError> {
    let start_ms = activity.start.as_millisecond();
    let (sample_count, lap_count) = if with_details {
        (activity.streams.len(), activity.laps.len())
    } else {
        (0, 0)
    };
    let id = exec.one(
        "INSERT INTO activities (athlete_id, file_id, source, session_index, start_ms, end_ms,
             utc_offset_s, sport, sub_sport, name, description, perceived_exertion, elapsed_s,
             timer_s, distance_m, ascent_m, descent_m, avg_hr, max_hr, avg_cadence, avg_power_w,
             device, sample_count, lap_count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
             ?18, ?19, ?20, ?21, ?22, ?23, ?24)
         RETURNING activity_id",
        params![
            athlete.0,
            file_id.map(|f| f.0),
            source,
            activity.session_index,
            start_ms,
            end_ms(start_ms, activity.elapsed_s),
            activity.utc_offset_s,
            activity.sport.as_str(),
            activity.sub_sport,
            activity.name,
            activity.description,
            activity.perceived_exertion,
            activity.elapsed_s,
            activity.timer_s,
            activity.distance_m,
            activity.ascent_m,
            activity.descent_m,
            activity.avg_hr,
            activity.max_hr,
            activity.avg_cadence,
            activity.avg_power_w,
            activity.device,
            sample_count,
            lap_count,
        ],
        "activity_id",
    )?;
    let id = ActivityId(id);
    if with_details {
        for (index, lap) in activity.laps.iter().enumerate() {
            exec.execute(
                "INSERT INTO laps (athlete_id, activity_id, lap_index, start_ms, elapsed_s,
                     timer_s, distance_m, avg_hr, max_hr, avg_speed_mps, avg_cadence,
                     avg_power_w, ascent_m, descent_m)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![
                    athlete.0,
                    id.0,
                    index,
                    lap.start.as_millisecond(),
                    lap.elapsed_s,
                    lap.timer_s,
                    lap.distance_m,
                    lap.avg_hr,
                    lap.max_hr,
                    lap.avg_speed_mps,
                    lap.avg_cadence,
                    lap.avg_power_w,
                    lap.ascent_m,
                    lap.descent_m,
                ],
            )?;
        }
    }
    Ok(id)
}

/// The stored, file-imported activity `activity` duplicates, if any (closest start wins).
fn find_duplicate(
    exec: &mut dyn Exec,
    athlete: AthleteId,
    activity: &Activity,
) -> Result<Option<ActivityId>, DbError> {
    let start_ms = activity.start.as_millisecond();
    let window = dedup::candidate_window_ms(activity.elapsed_s);
    let new = DuplicateKey {
        sport: activity.sport.as_str(),
        start_ms,
        elapsed_s: activity.elapsed_s,
        distance_m: activity.distance_m,
    };
    let mut best: Option<(i64, ActivityId)> = None;
    exec.query(
        "SELECT activity_id, sport, start_ms, elapsed_s, distance_m FROM activities
         WHERE athlete_id = ?1 AND file_id IS NOT NULL AND start_ms BETWEEN ?2 AND ?3",
        params![
            athlete.0,
            start_ms.saturating_sub(window),
            start_ms.saturating_add(window)
        ],
        &mut |row| {
            let stored = DuplicateKey {
                sport: row.get("sport")?,
                start_ms: row.get("start_ms")?,
                elapsed_s: row.get("elapsed_s")?,
                distance_m: row.get("distance_m")?,
            };
            if dedup::is_duplicate(&new, &stored) {
                let gap = (stored.start_ms - start_ms).abs();
                if best.is_none_or(|(best_gap, _)| gap < best_gap) {
                    best = Some((gap, ActivityId(row.get("activity_id")?)));
                }
            }
            Ok(())
        },
    )?;
    Ok(best.map(|(_, id)| id))
}

/// The sport stored under its stable name.
pub(crate) fn sport_from_db(name: &str) -> Sport {
    match name {
        "running" => Sport::Running,
        "cycling" => Sport::Cycling,
        "swimming" => Sport::Swimming,
        "walking" => Sport::Walking,
        "hiking" => Sport::Hiking,
        "transition" => Sport::Transition,
        "fitness_equipment" => Sport::FitnessEquipment,
        "training" => Sport::Training,
        "generic" => Sport::Generic,
        other => Sport::Other(other.to_owned()),
    }
}

/// Each record's columns, in one place for the `SELECT` lists and its [`FromRow`] mapping.
macro_rules! columns {
    (lap) => {
        "start_ms, elapsed_s, timer_s, distance_m, avg_hr, max_hr, avg_speed_mps, avg_cadence,
         avg_power_w, ascent_m, descent_m"
    };
    (wellness) => {
        "entry_date, sleep_h, sleep_quality, soreness, fatigue, stress, mood, rmssd_ms, rest_hr,
         mass_kg, sick, injured, source"
    };
    (recovery) => {
        "recovery_id, method, at_ms, minutes, temp_c, zones_json, carbs_g, protein_g, note"
    };
    (race) => {
        "race_id, race_date, distance_m, time_s, kind"
    };
    (load_row) => {
        "activity_id, start_ms, utc_offset_s, timer_s, distance_m, load, sport"
    };
    (profile) => {
        "key, from_date, value"
    };
    (summary) => {
        "activity_id, file_id, source, session_index, start_ms, utc_offset_s, sport, sub_sport,
         name, description, perceived_exertion, elapsed_s, timer_s, distance_m, ascent_m,
         descent_m, avg_hr, max_hr, avg_cadence, avg_power_w, device, sample_count, lap_count,
         rpe, loads_json, load, load_method, metrics_json, notes, exclude_from_load"
    };
}

/// Activities newest first, on `(start_ms, activity_id)` so equal starts still have one order;
/// `?7, ?8` is the keyset cursor (strictly older than that row). The row-value comparison lets
/// both databases seek the `activities_by_start` index instead of counting past skipped rows.
pub(crate) const LIST_ACTIVITIES: &str = concat!(
    "SELECT ",
    columns!(summary),
    " FROM activities
     WHERE athlete_id = ?1 AND start_ms >= ?2 AND start_ms < ?3
       AND (CAST(?4 AS TEXT) IS NULL OR sport = CAST(?4 AS TEXT))
       AND (start_ms, activity_id) < (CAST(?7 AS BIGINT), CAST(?8 AS BIGINT))
     ORDER BY start_ms DESC, activity_id DESC
     LIMIT CAST(?5 AS BIGINT) OFFSET CAST(?6 AS BIGINT)"
);

impl FromRow for ActivitySummary {
    fn from_row(row: &dyn SqlRow) -> Result<Self, DbError> {
        let id = ActivityId(row.get("activity_id")?);
        let file_id = row.get::<Option<i64>>("file_id")?.map(FileId);
        let source = row.get("source")?;
        let session_index = row.get("session_index")?;
        let start = row.get("start_ms")?;
        let utc_offset_s = row.get("utc_offset_s")?;
        let sport = sport_from_db(row.get("sport")?);
        let sub_sport = row.get("sub_sport")?;
        let name = row.get("name")?;
        let description = row.get("description")?;
        let perceived_exertion = row.get("perceived_exertion")?;
        let elapsed_s = row.get("elapsed_s")?;
        let timer_s = row.get("timer_s")?;
        let distance_m = row.get("distance_m")?;
        let ascent_m = row.get("ascent_m")?;
        let descent_m = row.get("descent_m")?;
        let avg_hr = row.get("avg_hr")?;
        let max_hr = row.get("max_hr")?;
        let avg_cadence = row.get("avg_cadence")?;
        let avg_power_w = row.get("avg_power_w")?;
        let device = row.get("device")?;
        let sample_count = row.get::<i64>("sample_count")?;
        let lap_count = row.get("lap_count")?;
        let rpe = row.get("rpe")?;
        let load: Option<f64> = row.get("load")?;
        let method: Option<String> = row.get("load_method")?;
        let loads = match (load, method) {
            (Some(load), Some(method)) => {
                let json: Option<&str> = row.get("loads_json")?;
                let methods = match json {
                    Some(json) => serde_json::from_str(json).map_err(|e| {
                        DbError::corrupt(format!("loads_json is not a map of numbers: {e}"))
                    })?,
                    None => BTreeMap::new(),
                };
                Some(ActivityLoads {
                    methods,
                    load,
                    method,
                })
            }
            _ => None,
        };
        Ok(ActivitySummary {
            id,
            file_id,
            source,
            session_index,
            start,
            utc_offset_s,
            sport,
            sub_sport,
            name,
            description,
            perceived_exertion,
            elapsed_s,
            timer_s,
            distance_m,
            ascent_m,
            descent_m,
            avg_hr,
            max_hr,
            avg_cadence,
            avg_power_w,
            device,
            sample_count: u64::try_from(sample_count).unwrap_or(0),
            lap_count,
            rpe,
            loads,
            metrics_json: row.get("metrics_json")?,
            notes: row.get("notes")?,
            exclude_from_load: row.get("exclude_from_load")?,
        })
    }
}

impl FromRow for Lap {
    fn from_row(row: &dyn SqlRow) -> Result<Self, DbError> {
        Ok(Lap {
            start: row.get("start_ms")?,
            elapsed_s: row.get("elapsed_s")?,
            timer_s: row.get("timer_s")?,
            distance_m: row.get("distance_m")?,
            avg_hr: row.get("avg_hr")?,
            max_hr: row.get("max_hr")?,
            avg_speed_mps: row.get("avg_speed_mps")?,
            avg_cadence: row.get("avg_cadence")?,
            avg_power_w: row.get("avg_power_w")?,
            ascent_m: row.get("ascent_m")?,
            descent_m: row.get("descent_m")?,
        })
    }
}

impl FromRow for WellnessEntry {
    fn from_row(row: &dyn SqlRow) -> Result<Self, DbError> {
        Ok(WellnessEntry {
            date: Some(row.get("entry_date")?),
            sleep_h: row.get("sleep_h")?,
            sleep_quality: row.get("sleep_quality")?,
            soreness: row.get("soreness")?,
            fatigue: row.get("fatigue")?,
            stress: row.get("stress")?,
            mood: row.get("mood")?,
            rmssd_ms: row.get("rmssd_ms")?,
            rest_hr: row.get("rest_hr")?,
            mass_kg: row.get("mass_kg")?,
            sick: row.get("sick")?,
            injured: row.get("injured")?,
            source: row.get("source")?,
        })
    }
}

impl FromRow for StoredRecovery {
    fn from_row(row: &dyn SqlRow) -> Result<Self, DbError> {
        let method_name: &str = row.get("method")?;
        let method = RecoveryMethod::parse(method_name)
            .ok_or_else(|| DbError::corrupt(format!("unknown recovery method `{method_name}`")))?;
        let zones: Vec<String> = serde_json::from_str(row.get("zones_json")?)
            .map_err(|e| DbError::corrupt(format!("zones are not a JSON list of strings: {e}")))?;
        Ok(StoredRecovery {
            id: RecoveryId(row.get("recovery_id")?),
            entry: RecoveryEntry {
                method,
                at: row.get("at_ms")?,
                minutes: row.get("minutes")?,
                temp_c: row.get("temp_c")?,
                zones,
                carbs_g: row.get("carbs_g")?,
                protein_g: row.get("protein_g")?,
                note: row.get("note")?,
            },
        })
    }
}

impl FromRow for StoredRace {
    fn from_row(row: &dyn SqlRow) -> Result<Self, DbError> {
        Ok(StoredRace {
            id: RaceId(row.get("race_id")?),
            race: RaceResult {
                date: row.get("race_date")?,
                distance_m: row.get("distance_m")?,
                time_s: row.get("time_s")?,
                kind: row.get("kind")?,
            },
        })
    }
}

impl FromRow for LoadRow {
    fn from_row(row: &dyn SqlRow) -> Result<Self, DbError> {
        Ok(LoadRow {
            id: ActivityId(row.get("activity_id")?),
            start: row.get("start_ms")?,
            utc_offset_s: row.get("utc_offset_s")?,
            timer_s: row.get("timer_s")?,
            distance_m: row.get("distance_m")?,
            load: row.get("load")?,
            sport: sport_from_db(row.get("sport")?),
        })
    }
}

impl FromRow for ProfileValue {
    fn from_row(row: &dyn SqlRow) -> Result<Self, DbError> {
        Ok(ProfileValue {
            key: row.get("key")?,
            from: row.get("from_date")?,
            value: row.get("value")?,
        })
    }
}

impl<B: Backend> Store for SqlStore<B> {
    fn default_athlete(&self) -> StoreResult<AthleteId> {
        Ok(self.default_athlete)
    }

    fn create_athlete(&self, name: &str) -> StoreResult<AthleteId> {
        text::check("athlete name", name)?;
        if name.trim().is_empty() {
            return Err(StoreError::Invalid(
                "an athlete needs a non-empty name".to_owned(),
            ));
        }
        let context = "creating an athlete";
        // ON CONFLICT waits for a concurrent insert of the same name (PostgreSQL) and then does
        // nothing, so the SELECT finds whichever row won.
        self.backend.transaction(context, |exec| {
            exec.execute(super::INSERT_ATHLETE, params![name, now_ms()])
                .map_err(db(context))?;
            exec.one(
                "SELECT athlete_id FROM athletes WHERE name = ?1",
                params![name],
                "athlete_id",
            )
            .map_err(db(context))
        })
    }

    fn is_file_imported(&self, athlete: AthleteId, hash: ContentHash) -> StoreResult<bool> {
        let context = "looking up a file";
        self.backend.with_connection(context, |exec| {
            exec.exists(
                "SELECT 1 FROM files WHERE athlete_id = ?1 AND content_hash = ?2",
                params![athlete.0, hash.to_hex()],
            )
            .map_err(db(context))
        })
    }

    fn import_file(
        &self,
        athlete: AthleteId,
        file: &NewFile,
        activities: &[NewActivity<'_>],
    ) -> StoreResult<FileOutcome> {
        text::check("file name", &file.source)?;
        // Encode the blobs before taking the lock: this is the costly part, and it can run on
        // several threads at once.
        let blobs = blob::encode_file(file, activities)?;
        let hash = file.content_hash.to_hex();
        let context = "importing a file";
        // Locking the athlete makes the file check and the duplicate check below see every
        // import of this athlete committed before, and keeps later ones out until the commit.
        self.write(context, athlete, true, |exec| {
            let earlier = exec
                .row(
                    "SELECT file_id FROM files WHERE athlete_id = ?1 AND content_hash = ?2",
                    params![athlete.0, hash],
                    |row| row.get("file_id"),
                )
                .map_err(db(context))?;
            if let Some(file_id) = earlier {
                return Ok(FileOutcome::AlreadyImported {
                    file_id: FileId(file_id),
                });
            }
            let file_id = FileId(
                exec.one(
                    "INSERT INTO files (athlete_id, content_hash, source, size_bytes, imported_ms,
                         activities_inserted, activities_duplicate)
                     VALUES (?1, ?2, ?3, ?4, ?5, 0, 0)
                     RETURNING file_id",
                    params![athlete.0, hash, file.source, file.size_bytes, now_ms()],
                    "file_id",
                )
                .map_err(db(context))?,
            );
            let (activities, inserted, duplicates) =
                Self::insert_activities(context, exec, athlete, file, file_id, activities, &blobs)?;
            exec.execute(
                "UPDATE files SET activities_inserted = ?1, activities_duplicate = ?2
                 WHERE athlete_id = ?3 AND file_id = ?4",
                params![inserted, duplicates, athlete.0, file_id.0],
            )
            .map_err(db(context))?;
            Ok(FileOutcome::Imported {
                file_id,
                activities,
            })
        })
    }

    fn insert_manual_activity(
        &self,
        athlete: AthleteId,
        activity: &Activity,
    ) -> StoreResult<ActivityId> {
        let invalid = |reason: String| StoreError::InvalidActivity {
            file: MANUAL_SOURCE.to_owned(),
            index: 0,
            reason,
        };
        check_activity(activity)
            .and_then(|()| text::check_activity(activity, MANUAL_SOURCE))
            .map_err(invalid)?;
        let context = "storing a manual activity";
        self.write(context, athlete, false, |exec| {
            insert_activity(exec, athlete, None, MANUAL_SOURCE, activity, false).map_err(|e| {
                if e.is_constraint() {
                    invalid(e.to_string())
                } else {
                    e.into_store(context)
                }
            })
        })
    }

    fn delete_activity(&self, athlete: AthleteId, id: ActivityId) -> StoreResult<bool> {
        match self.delete_activities(athlete, &[id]) {
            Ok(()) => Ok(true),
            Err(StoreError::ActivityNotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn set_activity_loads(
        &self,
        athlete: AthleteId,
        loads: &[(ActivityId, ActivityLoads)],
    ) -> StoreResult<()> {
        let context = "storing activity loads";
        for (_, l) in loads {
            if !l.load.is_finite() {
                return Err(StoreError::Invalid(format!(
                    "load {} ({}) is not a number: fix the load computation",
                    l.load, l.method
                )));
            }
        }
        // A value that is not a number is left out, as a NaN column read back as missing.
        let json: Vec<String> = loads
            .iter()
            .map(|(_, l)| {
                let finite: BTreeMap<&str, f64> = l
                    .methods
                    .iter()
                    .filter(|(_, v)| v.is_finite())
                    .map(|(k, v)| (k.as_str(), *v))
                    .collect();
                serde_json::to_string(&finite)
                    .map_err(|e| StoreError::Invalid(format!("activity loads: {e}")))
            })
            .collect::<StoreResult<_>>()?;
        self.write(context, athlete, false, |exec| {
            for ((id, l), json) in loads.iter().zip(&json) {
                let changed = exec
                    .execute(
                        "UPDATE activities SET loads_json = ?1, load = ?2, load_method = ?3
                         WHERE athlete_id = ?4 AND activity_id = ?5",
                        params![json, l.load, l.method, athlete.0, id.0],
                    )
                    .map_err(db(context))?;
                if changed == 0 {
                    return Err(StoreError::ActivityNotFound { athlete, id: *id });
                }
            }
            Ok(())
        })
    }

    fn set_activity_metrics(
        &self,
        athlete: AthleteId,
        metrics: &[(ActivityId, Option<String>)],
    ) -> StoreResult<()> {
        let context = "storing activity metrics";
        self.write(context, athlete, false, |exec| {
            for (id, json) in metrics {
                let changed = exec
                    .execute(
                        "UPDATE activities SET metrics_json = ?1
                         WHERE athlete_id = ?2 AND activity_id = ?3",
                        params![json, athlete.0, id.0],
                    )
                    .map_err(db(context))?;
                if changed == 0 {
                    return Err(StoreError::ActivityNotFound { athlete, id: *id });
                }
            }
            Ok(())
        })
    }

    fn set_rpe(&self, athlete: AthleteId, id: ActivityId, rpe: Option<f64>) -> StoreResult<()> {
        if let Some(value) = rpe {
            check_rpe(value)?;
        }
        let changed = self.execute(
            "storing an RPE",
            "UPDATE activities SET rpe = ?1 WHERE athlete_id = ?2 AND activity_id = ?3",
            params![rpe, athlete.0, id.0],
        )?;
        if changed == 0 {
            return Err(StoreError::ActivityNotFound { athlete, id });
        }
        Ok(())
    }

    fn list_activities(
        &self,
        athlete: AthleteId,
        filter: &ActivityFilter,
    ) -> StoreResult<Vec<ActivitySummary>> {
        text::check_filter(filter)?;
        // No cursor: start past the newest possible row, so the query (and its plan) is one.
        let (before_ms, before_id) = filter.before.map_or((i64::MAX, i64::MAX), |(start, id)| {
            (start.as_millisecond(), id.0)
        });
        self.rows(
            "listing activities",
            LIST_ACTIVITIES,
            params![
                athlete.0,
                filter.from.map_or(i64::MIN, Timestamp::as_millisecond),
                filter.to.map_or(i64::MAX, Timestamp::as_millisecond),
                filter.sport.as_ref().map(Sport::as_str),
                filter.limit.map_or(i64::MAX, i64::from),
                filter.offset,
                before_ms,
                before_id,
            ],
            ActivitySummary::from_row,
        )
    }

    fn get_activity(
        &self,
        athlete: AthleteId,
        id: ActivityId,
    ) -> StoreResult<Option<StoredActivity>> {
        let context = "reading an activity";
        let found = self.backend.with_connection(context, |exec| {
            let summary = exec
                .row(
                    concat!(
                        "SELECT ",
                        columns!(summary),
                        " FROM activities WHERE athlete_id = ?1 AND activity_id = ?2"
                    ),
                    params![athlete.0, id.0],
                    ActivitySummary::from_row,
                )
                .map_err(db(context))?;
            let Some(summary) = summary else {
                return Ok(None);
            };
            let laps = exec
                .rows(
                    concat!(
                        "SELECT ",
                        columns!(lap),
                        " FROM laps WHERE athlete_id = ?1 AND activity_id = ?2 ORDER BY lap_index"
                    ),
                    params![athlete.0, id.0],
                    Lap::from_row,
                )
                .map_err(db(context))?;
            let samples = exec
                .row(
                    "SELECT samples FROM activity_samples
                     WHERE athlete_id = ?1 AND activity_id = ?2",
                    params![athlete.0, id.0],
                    |row| row.get::<&[u8]>("samples").map(<[u8]>::to_vec),
                )
                .map_err(db(context))?;
            Ok(Some((summary, laps, samples)))
        })?;
        let Some((summary, laps, samples)) = found else {
            return Ok(None);
        };
        let (streams, rr_intervals_ms) = match samples {
            Some(bytes) => blob::decode(&bytes)
                .map_err(|e| StoreError::Corrupt(format!("samples of activity {id}: {e}")))?,
            None => (Streams::default(), Vec::new()),
        };
        Ok(Some(StoredActivity::from_parts(
            summary,
            laps,
            streams,
            rr_intervals_ms,
        )))
    }

    fn load_rows(&self, athlete: AthleteId) -> StoreResult<Vec<LoadRow>> {
        self.rows(
            "scanning activities",
            concat!(
                "SELECT ",
                columns!(load_row),
                " FROM activities WHERE athlete_id = ?1 AND exclude_from_load = 0
                 ORDER BY start_ms, activity_id"
            ),
            params![athlete.0],
            LoadRow::from_row,
        )
    }

    fn counts(&self, athlete: AthleteId) -> StoreResult<Counts> {
        let context = "counting";
        let count = |row: &dyn SqlRow, name: &str| -> Result<u64, DbError> {
            Ok(u64::try_from(row.get::<i64>(name)?).unwrap_or(0))
        };
        let counts = self.rows(
            context,
            "SELECT
                 (SELECT COUNT(*) FROM activities WHERE athlete_id = ?1) AS activities,
                 (SELECT COUNT(*) FROM activities WHERE athlete_id = ?1 AND load IS NOT NULL)
                     AS with_loads,
                 (SELECT COUNT(*) FROM files WHERE athlete_id = ?1) AS files,
                 (SELECT CAST(COALESCE(SUM(sample_count), 0) AS BIGINT) FROM activities
                     WHERE athlete_id = ?1) AS samples,
                 (SELECT COUNT(*) FROM wellness WHERE athlete_id = ?1) AS wellness,
                 (SELECT COUNT(*) FROM recovery WHERE athlete_id = ?1) AS recovery,
                 (SELECT COUNT(*) FROM races WHERE athlete_id = ?1) AS races",
            params![athlete.0],
            |row| {
                Ok(Counts {
                    activities: count(row, "activities")?,
                    activities_with_loads: count(row, "with_loads")?,
                    files: count(row, "files")?,
                    samples: count(row, "samples")?,
                    wellness_days: count(row, "wellness")?,
                    recovery_entries: count(row, "recovery")?,
                    races: count(row, "races")?,
                })
            },
        )?;
        counts
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::Corrupt(format!("while {context}: no row")))
    }

    fn set_profile_value(
        &self,
        athlete: AthleteId,
        key: &str,
        from: Date,
        value: &str,
    ) -> StoreResult<()> {
        text::check("profile key", key)?;
        text::check("profile value", value)?;
        let context = "storing a profile value";
        self.write(context, athlete, false, |exec| {
            exec.execute(
                "INSERT INTO profile_values (athlete_id, key, from_date, value)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (athlete_id, key, from_date) DO UPDATE SET value = excluded.value",
                params![athlete.0, key, from.to_string(), value],
            )
            .map_err(db(context))?;
            Ok(())
        })
    }

    fn profile_values(&self, athlete: AthleteId) -> StoreResult<Vec<ProfileValue>> {
        self.rows(
            "reading the profile",
            concat!(
                "SELECT ",
                columns!(profile),
                " FROM profile_values WHERE athlete_id = ?1 ORDER BY key, from_date"
            ),
            params![athlete.0],
            ProfileValue::from_row,
        )
    }

    fn add_race(&self, athlete: AthleteId, race: &RaceResult) -> StoreResult<RaceId> {
        text::check_race(race)?;
        let positive = |v: f64| v.is_finite() && v > 0.0;
        if !positive(race.distance_m) || !positive(race.time_s) {
            return Err(StoreError::Invalid(format!(
                "a race needs a positive distance and time (got {} m in {} s)",
                race.distance_m, race.time_s
            )));
        }
        let context = "storing a race";
        self.write(context, athlete, false, |exec| {
            exec.one(
                "INSERT INTO races (athlete_id, race_date, distance_m, time_s, kind)
                 VALUES (?1, ?2, ?3, ?4, ?5) RETURNING race_id",
                params![
                    athlete.0,
                    race.date.to_string(),
                    race.distance_m,
                    race.time_s,
                    race.kind
                ],
                "race_id",
            )
            .map(RaceId)
            .map_err(db(context))
        })
    }

    fn races(&self, athlete: AthleteId) -> StoreResult<Vec<StoredRace>> {
        self.rows(
            "reading races",
            concat!(
                "SELECT ",
                columns!(race),
                " FROM races WHERE athlete_id = ?1 ORDER BY race_date, race_id"
            ),
            params![athlete.0],
            StoredRace::from_row,
        )
    }

    fn delete_race(&self, athlete: AthleteId, id: RaceId) -> StoreResult<bool> {
        let deleted = self.execute(
            "deleting a race",
            "DELETE FROM races WHERE athlete_id = ?1 AND race_id = ?2",
            params![athlete.0, id.0],
        )?;
        Ok(deleted > 0)
    }

    fn upsert_wellness(&self, athlete: AthleteId, entry: &WellnessEntry) -> StoreResult<()> {
        text::check_wellness(entry)?;
        let Some(day) = entry.date else {
            return Err(StoreError::Invalid(
                "a wellness entry needs the date it describes: give one".to_owned(),
            ));
        };
        let context = "storing a wellness entry";
        self.write(context, athlete, false, |exec| {
            exec.execute(
                "INSERT INTO wellness (athlete_id, entry_date, sleep_h, sleep_quality, soreness,
                     fatigue, stress, mood, rmssd_ms, rest_hr, mass_kg, sick, injured, source)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                 ON CONFLICT (athlete_id, entry_date) DO UPDATE SET
                     sleep_h = COALESCE(excluded.sleep_h, wellness.sleep_h),
                     sleep_quality = COALESCE(excluded.sleep_quality, wellness.sleep_quality),
                     soreness = COALESCE(excluded.soreness, wellness.soreness),
                     fatigue = COALESCE(excluded.fatigue, wellness.fatigue),
                     stress = COALESCE(excluded.stress, wellness.stress),
                     mood = COALESCE(excluded.mood, wellness.mood),
                     rmssd_ms = COALESCE(excluded.rmssd_ms, wellness.rmssd_ms),
                     rest_hr = COALESCE(excluded.rest_hr, wellness.rest_hr),
                     mass_kg = COALESCE(excluded.mass_kg, wellness.mass_kg),
                     sick = CASE WHEN excluded.sick THEN excluded.sick ELSE wellness.sick END,
                     injured = CASE WHEN excluded.injured THEN excluded.injured
                         ELSE wellness.injured END,
                     source = COALESCE(excluded.source, wellness.source)",
                params![
                    athlete.0,
                    day.to_string(),
                    entry.sleep_h,
                    entry.sleep_quality,
                    entry.soreness,
                    entry.fatigue,
                    entry.stress,
                    entry.mood,
                    entry.rmssd_ms,
                    entry.rest_hr,
                    entry.mass_kg,
                    entry.sick,
                    entry.injured,
                    entry.source,
                ],
            )
            .map_err(db(context))?;
            Ok(())
        })
    }

    fn wellness(
        &self,
        athlete: AthleteId,
        from: Date,
        to: Date,
    ) -> StoreResult<Vec<WellnessEntry>> {
        self.rows(
            "reading wellness entries",
            concat!(
                "SELECT ",
                columns!(wellness),
                " FROM wellness
                 WHERE athlete_id = ?1 AND entry_date >= ?2 AND entry_date <= ?3
                 ORDER BY entry_date"
            ),
            params![athlete.0, from.to_string(), to.to_string()],
            WellnessEntry::from_row,
        )
    }

    fn delete_wellness(&self, athlete: AthleteId, day: Date) -> StoreResult<bool> {
        let deleted = self.execute(
            "deleting a wellness entry",
            "DELETE FROM wellness WHERE athlete_id = ?1 AND entry_date = ?2",
            params![athlete.0, day.to_string()],
        )?;
        Ok(deleted > 0)
    }

    fn add_recovery(&self, athlete: AthleteId, entry: &RecoveryEntry) -> StoreResult<RecoveryId> {
        text::check_recovery(entry)?;
        let context = "storing a recovery entry";
        let zones = serde_json::to_string(&entry.zones)
            .map_err(|e| StoreError::Invalid(format!("recovery zones: {e}")))?;
        self.write(context, athlete, false, |exec| {
            exec.one(
                "INSERT INTO recovery (athlete_id, method, at_ms, minutes, temp_c, zones_json,
                     carbs_g, protein_g, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING recovery_id",
                params![
                    athlete.0,
                    entry.method.as_str(),
                    entry.at.as_millisecond(),
                    entry.minutes,
                    entry.temp_c,
                    zones,
                    entry.carbs_g,
                    entry.protein_g,
                    entry.note,
                ],
                "recovery_id",
            )
            .map(RecoveryId)
            .map_err(db(context))
        })
    }

    fn recovery(
        &self,
        athlete: AthleteId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<StoredRecovery>> {
        self.rows(
            "reading the recovery log",
            concat!(
                "SELECT ",
                columns!(recovery),
                " FROM recovery WHERE athlete_id = ?1 AND at_ms >= ?2 AND at_ms < ?3
                 ORDER BY at_ms, recovery_id"
            ),
            params![athlete.0, from.as_millisecond(), to.as_millisecond()],
            StoredRecovery::from_row,
        )
    }

    fn delete_recovery(&self, athlete: AthleteId, id: RecoveryId) -> StoreResult<bool> {
        let deleted = self.execute(
            "deleting a recovery entry",
            "DELETE FROM recovery WHERE athlete_id = ?1 AND recovery_id = ?2",
            params![athlete.0, id.0],
        )?;
        Ok(deleted > 0)
    }

    fn add_to_set(&self, athlete: AthleteId, set: StringSet, value: &str) -> StoreResult<()> {
        text::check("set member", value)?;
        let context = "adding to a set";
        self.write(context, athlete, false, |exec| {
            exec.execute(
                "INSERT INTO string_sets (athlete_id, set_name, member) VALUES (?1, ?2, ?3)
                 ON CONFLICT (athlete_id, set_name, member) DO NOTHING",
                params![athlete.0, set.as_str(), value],
            )
            .map_err(db(context))?;
            Ok(())
        })
    }

    fn remove_from_set(
        &self,
        athlete: AthleteId,
        set: StringSet,
        value: &str,
    ) -> StoreResult<bool> {
        text::check("set member", value)?;
        let deleted = self.execute(
            "removing from a set",
            "DELETE FROM string_sets WHERE athlete_id = ?1 AND set_name = ?2 AND member = ?3",
            params![athlete.0, set.as_str(), value],
        )?;
        Ok(deleted > 0)
    }

    fn set_members(&self, athlete: AthleteId, set: StringSet) -> StoreResult<Vec<String>> {
        self.rows(
            "reading a set",
            "SELECT member FROM string_sets WHERE athlete_id = ?1 AND set_name = ?2
             ORDER BY member",
            params![athlete.0, set.as_str()],
            |row| row.get("member"),
        )
    }

    fn save_plan(&self, athlete: AthleteId, json: &str) -> StoreResult<()> {
        text::check("plan", json)?;
        let context = "saving the plan";
        self.write(context, athlete, false, |exec| {
            exec.execute(
                "INSERT INTO plans (athlete_id, plan_json, saved_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (athlete_id) DO UPDATE SET
                     plan_json = excluded.plan_json, saved_ms = excluded.saved_ms",
                params![athlete.0, json, now_ms()],
            )
            .map_err(db(context))?;
            Ok(())
        })
    }

    fn load_plan(&self, athlete: AthleteId) -> StoreResult<Option<String>> {
        let plans = self.rows(
            "loading the plan",
            "SELECT plan_json FROM plans WHERE athlete_id = ?1",
            params![athlete.0],
            |row| row.get("plan_json"),
        )?;
        Ok(plans.into_iter().next())
    }

    fn set_setting(&self, athlete: AthleteId, key: &str, value: Option<&str>) -> StoreResult<()> {
        text::check("setting name", key)?;
        text::check_opt("setting value", value)?;
        let context = "storing a setting";
        self.write(context, athlete, false, |exec| {
            match value {
                Some(value) => exec.execute(
                    "INSERT INTO settings (athlete_id, key, value) VALUES (?1, ?2, ?3)
                     ON CONFLICT (athlete_id, key) DO UPDATE SET value = excluded.value",
                    params![athlete.0, key, value],
                ),
                None => exec.execute(
                    "DELETE FROM settings WHERE athlete_id = ?1 AND key = ?2",
                    params![athlete.0, key],
                ),
            }
            .map_err(db(context))?;
            Ok(())
        })
    }

    fn setting(&self, athlete: AthleteId, key: &str) -> StoreResult<Option<String>> {
        text::check("setting name", key)?;
        let values = self.rows(
            "reading a setting",
            "SELECT value FROM settings WHERE athlete_id = ?1 AND key = ?2",
            params![athlete.0, key],
            |row| row.get("value"),
        )?;
        Ok(values.into_iter().next())
    }

    fn settings(&self, athlete: AthleteId) -> StoreResult<Vec<(String, String)>> {
        self.rows(
            "reading settings",
            "SELECT key, value FROM settings WHERE athlete_id = ?1 ORDER BY key",
            params![athlete.0],
            |row| Ok((row.get("key")?, row.get("value")?)),
        )
    }

    fn edit_activity(
        &self,
        athlete: AthleteId,
        id: ActivityId,
        edit: &ActivityEdit,
    ) -> StoreResult<bool> {
        check_edit(edit)?;
        // `?N IS NULL` keeps the column; the `set_*` flags tell "clear" from "keep" for the
        // optional text and RPE columns.
        let changed = self.execute(
            "editing an activity",
            "UPDATE activities SET
                 name = CASE WHEN ?3 THEN ?4 ELSE name END,
                 sport = COALESCE(?5, sport),
                 rpe = CASE WHEN ?6 THEN ?7 ELSE rpe END,
                 exclude_from_load = COALESCE(?8, exclude_from_load),
                 notes = CASE WHEN ?9 THEN ?10 ELSE notes END
             WHERE athlete_id = ?1 AND activity_id = ?2",
            params![
                athlete.0,
                id.0,
                edit.name.is_some(),
                edit.name.clone().flatten(),
                edit.sport.as_ref().map(Sport::as_str),
                edit.rpe.is_some(),
                edit.rpe.flatten(),
                edit.exclude_from_load.map(i64::from),
                edit.notes.is_some(),
                edit.notes.clone().flatten(),
            ],
        )?;
        Ok(changed > 0)
    }

    fn delete_activities(&self, athlete: AthleteId, ids: &[ActivityId]) -> StoreResult<()> {
        let context = "deleting activities";
        self.write(context, athlete, true, |exec| {
            for id in ids {
                let file = exec
                    .row(
                        "SELECT file_id FROM activities WHERE athlete_id = ?1 AND activity_id = ?2",
                        params![athlete.0, id.0],
                        |row| row.get::<Option<i64>>("file_id"),
                    )
                    .map_err(db(context))?;
                let Some(file) = file else {
                    return Err(StoreError::ActivityNotFound { athlete, id: *id });
                };
                if let Some(file_id) = file {
                    exec.execute(
                        "UPDATE files SET activities_deleted = activities_deleted + 1
                         WHERE athlete_id = ?1 AND file_id = ?2",
                        params![athlete.0, file_id],
                    )
                    .map_err(db(context))?;
                }
                exec.execute(
                    "DELETE FROM activities WHERE athlete_id = ?1 AND activity_id = ?2",
                    params![athlete.0, id.0],
                )
                .map_err(db(context))?;
            }
            Ok(())
        })
    }

    fn has_deleted_activities(&self, athlete: AthleteId, hash: ContentHash) -> StoreResult<bool> {
        let context = "looking up a file";
        self.backend.with_connection(context, |exec| {
            exec.exists(
                "SELECT 1 FROM files
                 WHERE athlete_id = ?1 AND content_hash = ?2 AND activities_deleted > 0",
                params![athlete.0, hash.to_hex()],
            )
            .map_err(db(context))
        })
    }

    fn restore_deleted_file(
        &self,
        athlete: AthleteId,
        file: &NewFile,
        activities: &[NewActivity<'_>],
    ) -> StoreResult<FileOutcome> {
        if !self.has_deleted_activities(athlete, file.content_hash)? {
            return self.import_file(athlete, file, activities);
        }
        let blobs = blob::encode_file(file, activities)?;
        let hash = file.content_hash.to_hex();
        let context = "restoring a file's deleted activities";
        self.write(context, athlete, true, |exec| {
            let (file_id, deleted): (i64, i64) = exec
                .one_row(
                    "SELECT file_id, activities_deleted FROM files
                     WHERE athlete_id = ?1 AND content_hash = ?2",
                    params![athlete.0, hash],
                    |row| Ok((row.get("file_id")?, row.get("activities_deleted")?)),
                )
                .map_err(db(context))?;
            let file_id = FileId(file_id);
            if deleted == 0 {
                // Restored by another import between the look-up and this transaction.
                return Ok(FileOutcome::AlreadyImported { file_id });
            }
            let (activities, inserted, _) =
                Self::insert_activities(context, exec, athlete, file, file_id, activities, &blobs)?;
            exec.execute(
                "UPDATE files SET activities_inserted = activities_inserted + ?1,
                     activities_deleted = 0
                 WHERE athlete_id = ?2 AND file_id = ?3",
                params![inserted, athlete.0, file_id.0],
            )
            .map_err(db(context))?;
            Ok(FileOutcome::Imported {
                file_id,
                activities,
            })
        })
    }
}
