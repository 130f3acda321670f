//! The production [`Backend`]: every endpoint is the `fettle_app` use case the CLI calls, over
//! the athlete's store. Nothing is computed here that the CLI would compute differently: the
//! methods only turn request values into use-case arguments and answers into JSON.
//!
//! One optimisation, a cache of computed answers per athlete:
//! - the status and the daily series (the dashboard's most-requested answers, each a scan of
//!   every activity's load plus a series over every day of history, ≈ 3 ms with ten years) are
//!   kept for [`ANSWER_TTL`];
//! - a coach's squad rows (≈ 20 ms each: status, readiness and two weeks of recovery
//!   compliance) are kept per athlete for [`SQUAD_ROW_TTL`], so fifty coaches opening their
//!   squad pages do not recompute a thousand athletes each time; the report's `as_of` is the
//!   oldest row's instant.
//!
//! Writes through this server (logging recovery, changing the profile or the lists,
//! importing) drop that athlete's answers at once; a write by another process or another
//! node shows within the TTL. Answers of different keys are computed in parallel (striped
//! locks); one key is computed once while other requests for it wait or get the previous
//! answer.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use fettle_app::activities::{self, ListQuery};
use fettle_app::import::{NoProgress, import_named};
use fettle_app::planning::PlanInput;
use fettle_app::squad::{SquadMember, SquadRow};
use fettle_app::training::{self, ProfileUpdate};
use fettle_app::{AppError, athlete_time_zone};
use fettle_app::{planning, recovery};
use fettle_core::log::{RecoveryEntry, WellnessEntry};
use fettle_core::recovery::{Access, HealthCondition};
use fettle_store::{AthleteId, Invitation, Store};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::backend::{ActivityFilter, Backend, DateRange};
use crate::error::{ApiError, JsonBody, Reply, to_json};

/// The fields `PUT /api/v1/profile` accepts ([`ProfileUpdate`]'s): anything else is a typo
/// that would otherwise be silently ignored.
const PROFILE_FIELDS: [&str; 9] = [
    "from",
    "sex",
    "mass_kg",
    "max_hr",
    "rest_hr",
    "lthr",
    "threshold_speed_mps",
    "tz",
    "strength_block",
];

/// One of the athlete's recovery option lists (access, health) and the use cases over it.
struct OptionList<T: 'static> {
    /// What one item is, for messages (`access`, `health condition`).
    what: &'static str,
    /// Every item the list accepts, in the order the page shows them.
    all: &'static [T],
    parse: fn(&str) -> Option<T>,
    word: fn(T) -> &'static str,
    list: fn(&dyn Store, AthleteId) -> Result<Vec<String>, AppError>,
    add: ChangeList,
    remove: ChangeList,
}

/// A use case that adds words to, or removes them from, a list and returns the whole list.
type ChangeList = fn(&dyn Store, AthleteId, &[String]) -> Result<Vec<String>, AppError>;

/// The equipment and services list (`fettle profile access`).
const ACCESS_LIST: OptionList<Access> = OptionList {
    what: "access",
    // The recovery catalogue's list (also what the CLI accepts and `GET /vocabulary` lists).
    all: &Access::ALL,
    parse: Access::parse,
    word: Access::as_str,
    list: recovery::list_access,
    add: recovery::add_access,
    remove: recovery::remove_access,
};

/// The health exclusions list (`fettle profile health`).
const HEALTH_LIST: OptionList<HealthCondition> = OptionList {
    what: "health condition",
    // The core's one list (also what the CLI accepts).
    all: &HealthCondition::ALL,
    parse: HealthCondition::parse,
    word: HealthCondition::as_str,
    list: recovery::list_health,
    add: recovery::add_health,
    remove: recovery::remove_health,
};

/// A list as answered: the items stored and every word accepted (the page's checkboxes).
#[derive(serde::Serialize)]
struct OptionsAnswer {
    items: Vec<String>,
    choices: Vec<&'static str>,
}

impl<T: Copy> OptionList<T> {
    fn choices(&self) -> Vec<&'static str> {
        self.all.iter().map(|&item| (self.word)(item)).collect()
    }

    fn answer(&self, items: Vec<String>) -> Reply {
        JsonBody::new(&OptionsAnswer {
            items,
            choices: self.choices(),
        })
    }

    /// The stored list with the accepted words.
    fn show(&self, store: &dyn Store, athlete: AthleteId) -> Reply {
        self.answer((self.list)(store, athlete)?)
    }

    /// Makes the stored list `items`: every word is checked first (so an unknown one changes
    /// nothing), then the missing ones are removed and the new ones added.
    fn replace(&self, store: &dyn Store, athlete: AthleteId, items: &[String]) -> Reply {
        let mut wanted = BTreeSet::new();
        for item in items {
            let parsed = (self.parse)(item).ok_or_else(|| {
                ApiError::invalid(format!(
                    "unknown {} `{item}`: use {}",
                    self.what,
                    self.choices().join(", ")
                ))
            })?;
            wanted.insert((self.word)(parsed));
        }
        let stored = (self.list)(store, athlete)?;
        let gone: Vec<String> = stored
            .iter()
            .filter(|s| !wanted.contains(s.as_str()))
            .cloned()
            .collect();
        let new: Vec<String> = wanted
            .iter()
            .filter(|w| !stored.iter().any(|s| s == *w))
            .map(|w| (*w).to_owned())
            .collect();
        // The use cases refuse an empty word list: call them only with something to do.
        if !gone.is_empty() {
            (self.remove)(store, athlete, &gone)?;
        }
        if !new.is_empty() {
            (self.add)(store, athlete, &new)?;
        }
        self.show(store, athlete)
    }
}

/// How long a computed status or series is reused. One second keeps a dashboard under load
/// from recomputing the same answer for every client while staying fresh for a person (and
/// writes through this server invalidate at once).
pub const ANSWER_TTL: Duration = Duration::from_secs(1);

/// How long a squad row is reused: a coach's overview moves with days of training, so half a
/// minute is fresh enough, and it turns a squad page from ≈ 1 s of computing (fifty athletes)
/// into a lookup.
pub const SQUAD_ROW_TTL: Duration = Duration::from_secs(30);

/// At most this many answers are kept (a status and a squad row per athlete of a
/// thousand-athlete club, plus the series and dated answers asked for); beyond it expired ones
/// are dropped, and if all are fresh the cache starts again empty rather than grow without
/// bound.
const MAX_CACHED_ANSWERS: usize = 8192;

/// Locks that serialise computing one key: a key uses the stripe of its hash, so different
/// athletes' answers are computed in parallel and one key is never computed twice at once.
const COMPUTE_STRIPES: usize = 64;

/// Which rendered answer a cache entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum AnswerKey {
    Status(AthleteId, Option<Date>),
    Load(AthleteId, Option<Date>, Option<Date>),
}

/// A cache key: whose answer it is, and the stripe of [`StoreBackend::computing`] that
/// serialises computing it.
trait CacheKey: Copy + Eq + std::hash::Hash {
    fn athlete(self) -> AthleteId;

    fn stripe(self) -> usize {
        use std::hash::{BuildHasher, BuildHasherDefault};
        let hash = BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
            .hash_one(self);
        // The remainder of a division by 64 fits any usize.
        usize::try_from(hash % COMPUTE_STRIPES as u64).unwrap_or(0)
    }
}

impl CacheKey for AnswerKey {
    fn athlete(self) -> AthleteId {
        match self {
            AnswerKey::Status(athlete, _) | AnswerKey::Load(athlete, _, _) => athlete,
        }
    }
}

/// A squad row is the athlete's alone.
impl CacheKey for AthleteId {
    fn athlete(self) -> AthleteId {
        self
    }
}

/// A squad row with the instant it describes.
type KeptRow = Arc<(Timestamp, SquadRow)>;

/// Recently computed values of one kind, kept for `ttl`. An athlete's generation changes on
/// every write of theirs through this backend, so a computation that raced the write is not
/// stored.
struct Kept<K, V> {
    ttl: Duration,
    generations: HashMap<AthleteId, u64>,
    entries: HashMap<K, (Instant, V)>,
}

impl<K: CacheKey, V: Clone> Kept<K, V> {
    fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            generations: HashMap::new(),
            entries: HashMap::new(),
        }
    }

    fn generation(&self, athlete: AthleteId) -> u64 {
        self.generations.get(&athlete).copied().unwrap_or(0)
    }

    fn fresh(&self, key: K) -> Option<V> {
        self.entries
            .get(&key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, value)| value.clone())
    }

    fn forget(&mut self, athlete: AthleteId) {
        let generation = self.generations.entry(athlete).or_insert(0);
        *generation = generation.wrapping_add(1);
        self.entries.retain(|key, _| key.athlete() != athlete);
    }

    fn keep(&mut self, key: K, started: Instant, value: V) {
        if self.entries.len() >= MAX_CACHED_ANSWERS {
            let ttl = self.ttl;
            self.entries.retain(|_, (at, _)| at.elapsed() < ttl);
            if self.entries.len() >= MAX_CACHED_ANSWERS {
                self.entries.clear();
            }
        }
        self.entries.insert(key, (started, value));
    }
}

/// Locks a cache; it holds no invariant a panic could break, so a poisoned one is used on.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Answers the API from a store (SQLite in `fettle serve`, PostgreSQL for a club).
pub struct StoreBackend {
    store: Arc<dyn Store>,
    /// Status and series, kept [`ANSWER_TTL`].
    answers: Mutex<Kept<AnswerKey, JsonBody>>,
    /// Squad rows by athlete, kept [`SQUAD_ROW_TTL`].
    squad_rows: Mutex<Kept<AthleteId, KeptRow>>,
    /// Held while a cached value is computed ([`COMPUTE_STRIPES`]): when a value expires
    /// under load, one request computes it instead of all of them at once (measured: without
    /// this, 50 clients recomputing a ten-year status together gave a p99 of 660 ms).
    computing: Vec<Mutex<()>>,
}

impl StoreBackend {
    /// A backend over `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            answers: Mutex::new(Kept::new(ANSWER_TTL)),
            squad_rows: Mutex::new(Kept::new(SQUAD_ROW_TTL)),
            computing: (0..COMPUTE_STRIPES).map(|_| Mutex::new(())).collect(),
        }
    }

    /// The value for `key` computed less than the cache's TTL ago, else `compute`'s (kept
    /// unless the athlete wrote meanwhile).
    fn cached<K: CacheKey, V: Clone, E>(
        &self,
        cache: &Mutex<Kept<K, V>>,
        key: K,
        compute: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, E> {
        let expired = {
            let kept = lock(cache);
            if let Some(value) = kept.fresh(key) {
                return Ok(value);
            }
            kept.entries.get(&key).map(|(_, value)| value.clone())
        };
        // An expired value is still served while another request is refreshing it (for the
        // few milliseconds that takes), so expiry never stalls the other clients; without any
        // value (first request, or after a write) they wait for the one being computed.
        let stripe = &self.computing[key.stripe()];
        let _computing = match (stripe.try_lock(), expired) {
            (Ok(guard), _) => guard,
            (Err(std::sync::TryLockError::Poisoned(poisoned)), _) => poisoned.into_inner(),
            (Err(std::sync::TryLockError::WouldBlock), Some(value)) => return Ok(value),
            (Err(std::sync::TryLockError::WouldBlock), None) => lock(stripe),
        };
        // Another request may have computed it while this one waited.
        let generation = {
            let kept = lock(cache);
            if let Some(value) = kept.fresh(key) {
                return Ok(value);
            }
            kept.generation(key.athlete())
        };
        let started = Instant::now();
        let value = compute()?;
        let mut kept = lock(cache);
        if kept.generation(key.athlete()) == generation {
            kept.keep(key, started, value.clone());
        }
        Ok(value)
    }

    /// Forgets the athlete's computed answers: called before and after each of their writes.
    fn invalidate(&self, athlete: AthleteId) {
        lock(&self.answers).forget(athlete);
        lock(&self.squad_rows).forget(athlete);
    }

    /// Runs a write of the athlete's, invalidating their answers around it (a read racing the
    /// write cannot store what it computed before the write).
    fn writing(&self, athlete: AthleteId, write: impl FnOnce() -> Reply) -> Reply {
        self.invalidate(athlete);
        let reply = write();
        self.invalidate(athlete);
        reply
    }

    /// A member's squad row at `now`, or the one computed less than [`SQUAD_ROW_TTL`] ago.
    fn squad_row(&self, member: &SquadMember, now: Timestamp) -> KeptRow {
        // Computing a row never fails: an athlete whose data cannot be read gets a row with
        // `error`.
        let Ok(row) = self.cached(&self.squad_rows, member.athlete, || {
            Ok::<_, std::convert::Infallible>(Arc::new((
                now,
                fettle_app::squad::squad_row(&*self.store, member, now),
            )))
        });
        row
    }

    /// The store answered from.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Today in the athlete's time zone (the profile's, else this machine's) as of `now`.
    fn today(&self, athlete: AthleteId, now: Timestamp) -> Result<Date, AppError> {
        Ok(athlete_time_zone(&*self.store, athlete)?
            .to_datetime(now)
            .date())
    }
}

impl Backend for StoreBackend {
    type Athlete = AthleteId;

    fn status(&self, athlete: AthleteId, on: Option<Date>, now: Timestamp) -> Reply {
        self.cached(&self.answers, AnswerKey::Status(athlete, on), || {
            to_json(training::status(&*self.store, athlete, on, now))
        })
    }

    fn load(&self, athlete: AthleteId, range: DateRange, now: Timestamp) -> Reply {
        self.cached(
            &self.answers,
            AnswerKey::Load(athlete, range.from, range.to),
            || {
                to_json(training::series(
                    &*self.store,
                    athlete,
                    range.from,
                    range.to,
                    now,
                ))
            },
        )
    }

    fn activities(&self, athlete: AthleteId, filter: &ActivityFilter) -> Reply {
        let tz = athlete_time_zone(&*self.store, athlete)?;
        let query = ListQuery {
            from: filter.from,
            to: filter.to,
            sport: filter.sport.clone(),
            // More than u32::MAX activities cannot exist: saturating is "all of them".
            limit: filter.limit.map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
            offset: 0,
        };
        to_json(activities::list(&*self.store, athlete, &tz, &query))
    }

    fn activity(&self, athlete: AthleteId, id: i64) -> Reply {
        let tz = athlete_time_zone(&*self.store, athlete)?;
        let detail = activities::show(&*self.store, athlete, &tz, id, true).map_err(|e| {
            match e {
                // The use case's hint names the CLI; the web's list is elsewhere.
                AppError::NotFound(_) => ApiError::not_found(format!(
                    "no activity {id}: list them at /api/v1/activities"
                )),
                other => ApiError::from(other),
            }
        })?;
        to_json(Ok::<_, ApiError>(detail))
    }

    fn readiness(&self, athlete: AthleteId, on: Option<Date>, now: Timestamp) -> Reply {
        to_json(recovery::readiness(&*self.store, athlete, on, now))
    }

    fn recover(&self, athlete: AthleteId, activity: Option<i64>, now: Timestamp) -> Reply {
        match recovery::recover(&*self.store, athlete, activity, now) {
            // Nothing to recover from yet (no activity): the truthful answer is "none", not an
            // error; a missing activity that was named stays a 404.
            Err(AppError::NotFound(_)) if activity.is_none() => JsonBody::new(&()),
            result => to_json(result),
        }
    }

    fn recovery_sessions(&self, athlete: AthleteId, range: DateRange, now: Timestamp) -> Reply {
        to_json(recovery::list_recovery(
            &*self.store,
            athlete,
            range.from,
            range.to,
            now,
        ))
    }

    fn log_recovery(&self, athlete: AthleteId, entry: RecoveryEntry, now: Timestamp) -> Reply {
        self.writing(athlete, || {
            let logged = recovery::log_recovery_with_warnings(&*self.store, athlete, &entry, now)?;
            JsonBody::new(&LoggedRecovery {
                id: logged.id,
                entry: &entry,
                warnings: logged.warnings,
            })
        })
    }

    fn today(&self, athlete: AthleteId, on: Option<Date>, now: Timestamp) -> Reply {
        to_json(fettle_app::today::today(&*self.store, athlete, on, now))
    }

    fn wellness(&self, athlete: AthleteId, range: DateRange, now: Timestamp) -> Reply {
        to_json(recovery::list_wellness(
            &*self.store,
            athlete,
            range.from,
            range.to,
            now,
        ))
    }

    fn log_wellness(&self, athlete: AthleteId, entry: WellnessEntry, now: Timestamp) -> Reply {
        self.writing(athlete, || {
            to_json(recovery::add_wellness(&*self.store, athlete, &entry, now))
        })
    }

    fn insights(&self, athlete: AthleteId, now: Timestamp) -> Reply {
        to_json(recovery::insights(&*self.store, athlete, now))
    }

    fn plan(&self, athlete: AthleteId, on: Option<Date>, now: Timestamp) -> Reply {
        let today = match on {
            Some(day) => day,
            None => self.today(athlete, now)?,
        };
        or_null(planning::show_plan(&*self.store, athlete, today))
    }

    fn create_plan(&self, athlete: AthleteId, input: PlanInput, now: Timestamp) -> Reply {
        let today = self.today(athlete, now)?;
        let params = input.parse()?;
        self.writing(athlete, || {
            to_json(planning::create_plan(
                &*self.store,
                athlete,
                &params,
                today,
                now,
            ))
        })
    }

    fn replan(&self, athlete: AthleteId, now: Timestamp) -> Reply {
        let today = self.today(athlete, now)?;
        self.writing(athlete, || {
            to_json(planning::replan(&*self.store, athlete, today, now))
        })
    }

    fn adherence(&self, athlete: AthleteId, on: Option<Date>, now: Timestamp) -> Reply {
        let today = match on {
            Some(day) => day,
            None => self.today(athlete, now)?,
        };
        or_null(planning::adherence(&*self.store, athlete, today))
    }

    fn profile(&self, athlete: AthleteId, now: Timestamp) -> Reply {
        let today = self.today(athlete, now)?;
        to_json(training::show_profile(&*self.store, athlete, today))
    }

    fn put_profile(&self, athlete: AthleteId, update: serde_json::Value, now: Timestamp) -> Reply {
        if let Some(unknown) = update.as_object().and_then(|fields| {
            fields
                .keys()
                .find(|k| !PROFILE_FIELDS.contains(&k.as_str()))
        }) {
            return Err(ApiError::invalid(format!(
                "unknown profile field `{unknown}`: use {}",
                PROFILE_FIELDS.join(", ")
            )));
        }
        let update: ProfileUpdate = serde_json::from_value(update)
            .map_err(|e| ApiError::invalid(format!("the profile update is not valid: {e}")))?;
        self.writing(athlete, || {
            let today = self.today(athlete, now)?;
            training::update_profile(&*self.store, athlete, &update, today)?;
            // The zone may just have changed: "today" is the new zone's.
            let today = self.today(athlete, now)?;
            to_json(training::show_profile(&*self.store, athlete, today))
        })
    }

    fn access(&self, athlete: AthleteId) -> Reply {
        ACCESS_LIST.show(&*self.store, athlete)
    }

    fn put_access(&self, athlete: AthleteId, items: Vec<String>) -> Reply {
        // The lists decide the prescriptions, so a squad row's compliance changes with them.
        self.writing(athlete, || {
            ACCESS_LIST.replace(&*self.store, athlete, &items)
        })
    }

    fn health(&self, athlete: AthleteId) -> Reply {
        HEALTH_LIST.show(&*self.store, athlete)
    }

    fn put_health(&self, athlete: AthleteId, items: Vec<String>) -> Reply {
        self.writing(athlete, || {
            HEALTH_LIST.replace(&*self.store, athlete, &items)
        })
    }

    fn import(&self, athlete: AthleteId, files: &[(PathBuf, String)], threads: usize) -> Reply {
        self.writing(athlete, || {
            to_json(import_named(
                &*self.store,
                athlete,
                files,
                threads,
                &NoProgress,
            ))
        })
    }

    fn squad(&self, members: &[SquadMember], waiting: &[Invitation], now: Timestamp) -> Reply {
        let report = fettle_app::squad::assemble(members, now, |member| {
            let row = self.squad_row(member, now);
            (row.0, row.1.clone())
        })?;
        JsonBody::new(&SquadAnswer {
            report: &report,
            invitations: waiting
                .iter()
                .map(|invitation| Waiting {
                    email: &invitation.email,
                    invited: invitation.invited,
                })
                .collect(),
        })
    }

    fn edit_activity(
        &self,
        athlete: AthleteId,
        id: i64,
        changes: fettle_app::corrections::ActivityChanges,
    ) -> Reply {
        self.writing(athlete, || {
            let tz = athlete_time_zone(&*self.store, athlete)?;
            let edited =
                fettle_app::corrections::edit_activity(&*self.store, athlete, &tz, id, &changes)
                    .map_err(|e| web_not_found(e, id))?;
            to_json(Ok::<_, ApiError>(edited))
        })
    }

    fn delete_activity(&self, athlete: AthleteId, id: i64) -> Reply {
        self.writing(athlete, || {
            let deleted = fettle_app::corrections::delete_activities(&*self.store, athlete, &[id])
                .map_err(|e| web_not_found(e, id))?;
            to_json(Ok::<_, ApiError>(deleted))
        })
    }

    fn delete_race(&self, athlete: AthleteId, id: i64) -> Reply {
        self.writing(athlete, || {
            match fettle_app::corrections::delete_race(&*self.store, athlete, id) {
                Err(AppError::NotFound(_)) => Err(ApiError::not_found(format!(
                    "no race {id} for this athlete"
                ))),
                result => to_json(result),
            }
        })
    }
}

/// `GET /api/v1/squad`: the squad report with the waiting invitations beside its fields.
#[derive(serde::Serialize)]
struct SquadAnswer<'a, R: serde::Serialize> {
    #[serde(flatten)]
    report: &'a R,
    invitations: Vec<Waiting<'a>>,
}

/// An invitation a coach made that is still waiting: who, since when.
#[derive(serde::Serialize)]
struct Waiting<'a> {
    email: &'a str,
    invited: Timestamp,
}

/// A logged recovery session as answered: its id and the entry as stored.
#[derive(serde::Serialize)]
struct LoggedRecovery<'a> {
    id: i64,
    #[serde(flatten)]
    entry: &'a RecoveryEntry,
    /// Outside the evidence-based dose, or against a health condition: logged anyway.
    warnings: Vec<String>,
}

/// A plan answer, or JSON `null` when the athlete has no plan: having none is a normal state
/// (the page offers to make one), not a missing resource.
fn or_null<T: serde::Serialize>(result: Result<T, AppError>) -> Reply {
    match result {
        Ok(value) => JsonBody::new(&value),
        Err(AppError::NotFound(_)) => JsonBody::new(&()),
        Err(other) => Err(other.into()),
    }
}

/// The use case's "not found" hint names the CLI; the web's list of activities is elsewhere.
fn web_not_found(error: AppError, id: i64) -> ApiError {
    match error {
        AppError::NotFound(_) => {
            ApiError::not_found(format!("no activity {id}: list them at /api/v1/activities"))
        }
        other => ApiError::from(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails to compile when a variant is added without being offered on the page.
    fn offered_health(item: HealthCondition) -> bool {
        use HealthCondition as H;
        match item {
            H::UncontrolledHypertension
            | H::HeartDisease
            | H::Raynauds
            | H::ColdUrticaria
            | H::Cryoglobulinaemia
            | H::Pregnancy
            | H::OpenWounds
            | H::DvtRisk
            | H::AcuteInjury
            | H::Inflammation
            | H::PeripheralArterialDisease
            | H::SkinLesions => HEALTH_LIST.all.contains(&item),
        }
    }

    #[test]
    fn every_access_and_health_word_is_offered_and_parses_back_to_itself() {
        // The page offers exactly the catalogue's access words, in its order.
        let catalogue: Vec<&str> = fettle_core::recovery::catalogue::vocabulary()
            .access
            .iter()
            .map(|a| a.word)
            .collect();
        assert_eq!(ACCESS_LIST.choices(), catalogue);
        for &item in ACCESS_LIST.all {
            assert_eq!(Access::parse(item.as_str()), Some(item));
        }
        for &item in HEALTH_LIST.all {
            assert!(offered_health(item));
            assert_eq!(HealthCondition::parse(item.as_str()), Some(item));
        }
        assert_eq!(HEALTH_LIST.choices().len(), 12);
    }
}
