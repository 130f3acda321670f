//! The [`Store`] trait: everything Fettle persists, independent of the database behind it.

use fettle_core::log::{RaceResult, RecoveryEntry, WellnessEntry};
use fettle_formats::Activity;
use jiff::Timestamp;
use jiff::civil::Date;

use crate::error::StoreResult;
use crate::model::ActivityEdit;
use crate::model::{
    ActivityFilter, ActivityId, ActivityLoads, ActivitySummary, AthleteId, ContentHash, Counts,
    FileOutcome, LoadRow, NewActivity, NewFile, ProfileValue, RaceId, RecoveryId, StoredActivity,
    StoredRace, StoredRecovery, StringSet,
};

/// Fettle's persistence, implemented by the embedded SQLite backend
/// ([`SqliteStore`](crate::SqliteStore)) and, later, a PostgreSQL backend with the same
/// behaviour (pinned by [`conformance`](crate::conformance)).
///
/// The trait is synchronous and object safe: use it as `Box<dyn Store>` or `Arc<dyn Store>` from
/// the CLI, and from an async server through `spawn_blocking`. Every method takes the athlete
/// (the partition key) and never sees another athlete's data. Each method is atomic: it either
/// does all it says or, on error, nothing.
pub trait Store: Send + Sync {
    /// The athlete of single-user local mode, created when the database was first opened.
    fn default_athlete(&self) -> StoreResult<AthleteId>;

    /// Creates an athlete with a unique name, or returns the existing one of that name.
    fn create_athlete(&self, name: &str) -> StoreResult<AthleteId>;

    /// Whether a file with this content hash was already imported for the athlete (lets an
    /// importer skip decoding it).
    fn is_file_imported(&self, athlete: AthleteId, hash: ContentHash) -> StoreResult<bool>;

    /// Imports one file's activities in one transaction.
    ///
    /// If the content hash was imported before for this athlete, nothing is written and the
    /// outcome is [`FileOutcome::AlreadyImported`]. Otherwise each activity is inserted unless
    /// it is a duplicate of a stored one ([`crate::dedup`]), and the file is recorded with its
    /// counts, all in the same transaction: an error (e.g. an invalid activity) or a crash
    /// leaves nothing of the file, and importing it again completes the job.
    fn import_file(
        &self,
        athlete: AthleteId,
        file: &NewFile,
        activities: &[NewActivity<'_>],
    ) -> StoreResult<FileOutcome>;

    /// Stores a session entered by hand (no file, no streams: its streams, laps and R-R
    /// intervals are ignored). Never a duplicate candidate.
    fn insert_manual_activity(
        &self,
        athlete: AthleteId,
        activity: &Activity,
    ) -> StoreResult<ActivityId>;

    /// Deletes an activity with its laps and samples. Returns whether it existed. Its file stays
    /// recorded with the deletion counted, so re-importing the same bytes does not bring it
    /// back (see [`Store::delete_activities`], which this is for one id).
    fn delete_activity(&self, athlete: AthleteId, id: ActivityId) -> StoreResult<bool>;

    /// Stores computed loads for several activities in one transaction (replacing earlier
    /// ones). An unknown id fails the whole call.
    fn set_activity_loads(
        &self,
        athlete: AthleteId,
        loads: &[(ActivityId, ActivityLoads)],
    ) -> StoreResult<()>;

    /// Stores derived per-activity features (JSON the store does not interpret) for several
    /// activities in one transaction; `None` clears them. An unknown id fails the whole call.
    fn set_activity_metrics(
        &self,
        athlete: AthleteId,
        metrics: &[(ActivityId, Option<String>)],
    ) -> StoreResult<()>;

    /// Sets (or with `None` clears) the athlete's session RPE, 0–10.
    fn set_rpe(&self, athlete: AthleteId, id: ActivityId, rpe: Option<f64>) -> StoreResult<()>;

    /// Activity summaries with their loads, newest first.
    fn list_activities(
        &self,
        athlete: AthleteId,
        filter: &ActivityFilter,
    ) -> StoreResult<Vec<ActivitySummary>>;

    /// One activity in full (summary, laps, decoded streams, R-R intervals), if it exists.
    fn get_activity(
        &self,
        athlete: AthleteId,
        id: ActivityId,
    ) -> StoreResult<Option<StoredActivity>>;

    /// The columns the daily series need for every activity, oldest first.
    fn load_rows(&self, athlete: AthleteId) -> StoreResult<Vec<LoadRow>>;

    /// How much the athlete has stored.
    fn counts(&self, athlete: AthleteId) -> StoreResult<Counts>;

    /// Records a profile value that applies from the local day `from` on (replacing a value of
    /// the same key set for the same day).
    fn set_profile_value(
        &self,
        athlete: AthleteId,
        key: &str,
        from: Date,
        value: &str,
    ) -> StoreResult<()>;

    /// Every profile value ever set, by key then date.
    fn profile_values(&self, athlete: AthleteId) -> StoreResult<Vec<ProfileValue>>;

    /// Stores a race result or performance marker.
    fn add_race(&self, athlete: AthleteId, race: &RaceResult) -> StoreResult<RaceId>;

    /// Every race result, oldest first.
    fn races(&self, athlete: AthleteId) -> StoreResult<Vec<StoredRace>>;

    /// Deletes a race result. Returns whether it existed.
    fn delete_race(&self, athlete: AthleteId, id: RaceId) -> StoreResult<bool>;

    /// Merges a wellness entry into the one stored for its date: fields given (`Some`) replace
    /// the stored ones, missing fields keep them; `sick`/`injured` stay set once set (clear them
    /// with [`Store::delete_wellness`]). The entry must have a date.
    fn upsert_wellness(&self, athlete: AthleteId, entry: &WellnessEntry) -> StoreResult<()>;

    /// Wellness entries with `from ≤ date ≤ to`, oldest first.
    fn wellness(&self, athlete: AthleteId, from: Date, to: Date)
    -> StoreResult<Vec<WellnessEntry>>;

    /// Deletes the wellness entry of a day. Returns whether it existed.
    fn delete_wellness(&self, athlete: AthleteId, date: Date) -> StoreResult<bool>;

    /// Logs a recovery session or meal.
    fn add_recovery(&self, athlete: AthleteId, entry: &RecoveryEntry) -> StoreResult<RecoveryId>;

    /// Recovery entries with `from ≤ at < to`, oldest first.
    fn recovery(
        &self,
        athlete: AthleteId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<StoredRecovery>>;

    /// Deletes a recovery entry. Returns whether it existed.
    fn delete_recovery(&self, athlete: AthleteId, id: RecoveryId) -> StoreResult<bool>;

    /// Adds a string to one of the athlete's sets (adding twice keeps one).
    fn add_to_set(&self, athlete: AthleteId, set: StringSet, value: &str) -> StoreResult<()>;

    /// Removes a string from a set. Returns whether it was there.
    fn remove_from_set(&self, athlete: AthleteId, set: StringSet, value: &str)
    -> StoreResult<bool>;

    /// The members of a set, sorted.
    fn set_members(&self, athlete: AthleteId, set: StringSet) -> StoreResult<Vec<String>>;

    /// Saves the athlete's plan (JSON the store does not interpret), replacing the previous one.
    fn save_plan(&self, athlete: AthleteId, json: &str) -> StoreResult<()>;

    /// The saved plan, if any.
    fn load_plan(&self, athlete: AthleteId) -> StoreResult<Option<String>>;

    /// Sets (or with `None` removes) a setting.
    fn set_setting(&self, athlete: AthleteId, key: &str, value: Option<&str>) -> StoreResult<()>;

    /// A setting's value, if set.
    fn setting(&self, athlete: AthleteId, key: &str) -> StoreResult<Option<String>>;

    /// Every setting, by key.
    fn settings(&self, athlete: AthleteId) -> StoreResult<Vec<(String, String)>>;

    /// Applies an athlete's corrections to an activity in one statement. Returns whether it
    /// existed. Loads are not recomputed here (the use case does that).
    fn edit_activity(
        &self,
        athlete: AthleteId,
        id: ActivityId,
        edit: &ActivityEdit,
    ) -> StoreResult<bool>;

    /// Deletes activities with their laps and samples, all or nothing: an id that does not
    /// exist fails the call ([`crate::StoreError::ActivityNotFound`]) and deletes none. Each
    /// deleted activity's file stays recorded with its deletion counted, so importing the same
    /// bytes again does not bring it back unless asked to
    /// ([`Store::restore_deleted_file`]).
    fn delete_activities(&self, athlete: AthleteId, ids: &[ActivityId]) -> StoreResult<()>;

    /// Whether a file with this content hash was imported and some of its activities were
    /// deleted since.
    fn has_deleted_activities(&self, athlete: AthleteId, hash: ContentHash) -> StoreResult<bool>;

    /// Imports a file like [`Store::import_file`], except that a file recorded with deleted
    /// activities is imported again in one transaction: activities still stored are
    /// duplicates of themselves and stay as they are, deleted ones come back (new ids) linked
    /// to the same file record, and its deletion count goes back to zero. A file recorded
    /// without deletions is [`FileOutcome::AlreadyImported`].
    fn restore_deleted_file(
        &self,
        athlete: AthleteId,
        file: &NewFile,
        activities: &[NewActivity<'_>],
    ) -> StoreResult<FileOutcome>;
}
