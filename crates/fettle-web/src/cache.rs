//! The store the API answers from, with a cache of computed answers per athlete.
//!
//! - the status and the daily series (the dashboard's most-requested answers, each a scan of
//!   every activity's load plus a series over every day of history, ≈ 3 ms with ten years) are
//!   kept for [`ANSWER_TTL`];
//! - a coach's squad rows (≈ 20 ms each: status, readiness and two weeks of recovery
//!   compliance) are kept per athlete for [`SQUAD_ROW_TTL`], so fifty coaches opening their
//!   squad pages do not recompute a thousand athletes each time; the report's `as_of` is the
//!   oldest row's instant.
//!
//! Writes through this server (logging recovery, changing the profile or the lists,
//! importing) go through [`CachedStore::writing`], which drops that athlete's answers at once;
//! a write by another process or another node shows within the TTL. Answers of different keys
//! are computed in parallel (striped locks); one key is computed once while other requests for
//! it wait or get the previous answer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use fettle_app::squad::{SquadMember, SquadRow};
use fettle_store::{AthleteId, Store};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::error::{JsonBody, Reply};

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
pub(crate) enum AnswerKey {
    Status(AthleteId, Option<Date>),
    Load(AthleteId, Option<Date>, Option<Date>),
}

/// A cache key: whose answer it is, and the stripe of [`CachedStore::computing`] that
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
pub(crate) type KeptRow = Arc<(Timestamp, SquadRow)>;

/// Recently computed values of one kind, kept for `ttl`. An athlete's generation changes on
/// every write of theirs through this server, so a computation that raced the write is not
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

/// The athletes' data the API answers from (SQLite in `fettle serve`, PostgreSQL for a club),
/// with the answer cache described in the module documentation. Handlers get it through
/// [`run`](crate::api::run) and call the `fettle_app` use cases over [`store`](Self::store).
pub(crate) struct CachedStore {
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

impl CachedStore {
    /// `store` with an empty cache.
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            answers: Mutex::new(Kept::new(ANSWER_TTL)),
            squad_rows: Mutex::new(Kept::new(SQUAD_ROW_TTL)),
            computing: (0..COMPUTE_STRIPES).map(|_| Mutex::new(())).collect(),
        }
    }

    /// The value for `key` computed less than the cache's TTL ago, else `compute`'s (kept
    /// unless the athlete wrote meanwhile).
    fn cached_in<K: CacheKey, V: Clone, E>(
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
    pub(crate) fn writing(&self, athlete: AthleteId, write: impl FnOnce() -> Reply) -> Reply {
        self.invalidate(athlete);
        let reply = write();
        self.invalidate(athlete);
        reply
    }

    /// The rendered answer for `key` computed less than [`ANSWER_TTL`] ago, else `compute`'s.
    pub(crate) fn cached(&self, key: AnswerKey, compute: impl FnOnce() -> Reply) -> Reply {
        self.cached_in(&self.answers, key, compute)
    }

    /// A member's squad row at `now`, or the one computed less than [`SQUAD_ROW_TTL`] ago.
    pub(crate) fn squad_row(&self, member: &SquadMember, now: Timestamp) -> KeptRow {
        // Computing a row never fails: an athlete whose data cannot be read gets a row with
        // `error`.
        let Ok(row) = self.cached_in(&self.squad_rows, member.athlete, || {
            Ok::<_, std::convert::Infallible>(Arc::new((
                now,
                fettle_app::squad::squad_row(&*self.store, member, now),
            )))
        });
        row
    }

    /// The store answered from.
    pub(crate) fn store(&self) -> &dyn Store {
        &*self.store
    }
}
