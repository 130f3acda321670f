//! What every handler shares ([`AppState`]): the store with its answer cache, the clock, how
//! the athlete is resolved, the limits, the import queues, and in multi-user mode the
//! accounts and the login rate limiter. Handlers take `State<AppState>` (a few `Arc`s: cloning
//! it per request is cheap) and are not generic.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use fettle_store::{Accounts, AthleteId, Store};
use jiff::Timestamp;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::cache::CachedStore;
use crate::clock::{Clock, SystemClock};
use crate::error::ApiError;
use crate::rate_limit::{LoginLimiter, LoginLimits};

/// Default cap on a JSON request body: a recovery log or a profile is well under 1 KiB, so
/// 64 KiB leaves room for long notes and still refuses abuse early.
pub const DEFAULT_JSON_BODY_BYTES: usize = 64 * 1024;

/// Default cap on one upload request: 2 GiB holds a decade's Strava or Garmin export zip
/// (typically 0.2–1.5 GB) while refusing an accidental disk image. Uploads are streamed to a
/// temporary folder, never held in memory, so the cap protects the disk, not the RAM.
pub const DEFAULT_UPLOAD_BYTES: usize = 2 * 1024 * 1024 * 1024;

/// Default cap on one upload in multi-user mode: 512 MiB. On a shared server every user
/// uploading at once can hold this much temporary disk each, so it is a quarter of the
/// single-user cap: it still takes a few years of FIT files zipped (≈ 50–150 KB per activity,
/// thousands of activities), and an administrator imports a whole decade's export with
/// `fettle --database URL import` instead.
pub const DEFAULT_MULTI_USER_UPLOAD_BYTES: usize = 512 * 1024 * 1024;

/// Default temporary disk all uploads together may hold at once, single-user mode: 4 GiB, two
/// uploads of [`DEFAULT_UPLOAD_BYTES`] (one importing, one waiting its turn).
pub const DEFAULT_UPLOAD_TEMP_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// Default temporary disk one athlete's uploads may hold at once, multi-user mode: 1 GiB, two
/// uploads of [`DEFAULT_MULTI_USER_UPLOAD_BYTES`] (their uploads are imported one at a time, so
/// more only waits on the disk).
pub const DEFAULT_MULTI_USER_TEMP_PER_ATHLETE_BYTES: u64 = 1024 * 1024 * 1024;

/// Default temporary disk all uploads together may hold at once, multi-user mode: 4 GiB (four
/// athletes uploading a full-size file each at once, or eight half-size).
pub const DEFAULT_MULTI_USER_TEMP_TOTAL_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// Default time an upload may go without sending a byte before it is refused (408): a
/// connection that stalls this long is gone or hostile, and it holds temporary disk meanwhile.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Request size limits and the uploads' temporary disk budgets. Larger bodies get a 413 JSON
/// error; an upload that would take an athlete's, or the server's, temporary disk past its
/// budget gets a 429 with `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest JSON (or any non-upload) request body, in bytes.
    pub json_body_bytes: usize,
    /// Largest upload request (`POST /api/v1/import`, all files together), in bytes.
    pub upload_bytes: usize,
    /// Temporary disk one athlete's uploads may hold at once (received and waiting, or being
    /// imported), in bytes. Counted as the bytes stream in (and up front from
    /// `Content-Length`).
    pub temp_bytes_per_athlete: u64,
    /// Temporary disk all uploads together may hold at once, in bytes.
    pub temp_bytes_total: u64,
    /// Longest wait for the next bytes of an upload's body (past it the upload is refused
    /// with 408 and its temporary files are deleted), and the longest a JSON or form body may
    /// take to arrive whole (past it, 400).
    pub body_read_timeout: Duration,
}

impl Default for Limits {
    /// The single-user limits: [`DEFAULT_JSON_BODY_BYTES`], [`DEFAULT_UPLOAD_BYTES`],
    /// [`DEFAULT_UPLOAD_TEMP_BYTES`] per athlete and in all, [`DEFAULT_BODY_READ_TIMEOUT`].
    fn default() -> Self {
        Self {
            json_body_bytes: DEFAULT_JSON_BODY_BYTES,
            upload_bytes: DEFAULT_UPLOAD_BYTES,
            temp_bytes_per_athlete: DEFAULT_UPLOAD_TEMP_BYTES,
            temp_bytes_total: DEFAULT_UPLOAD_TEMP_BYTES,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
        }
    }
}

impl Limits {
    /// The multi-user limits: uploads up to [`DEFAULT_MULTI_USER_UPLOAD_BYTES`], temporary disk
    /// [`DEFAULT_MULTI_USER_TEMP_PER_ATHLETE_BYTES`] per athlete and
    /// [`DEFAULT_MULTI_USER_TEMP_TOTAL_BYTES`] in all.
    pub fn multi_user() -> Self {
        Self {
            upload_bytes: DEFAULT_MULTI_USER_UPLOAD_BYTES,
            temp_bytes_per_athlete: DEFAULT_MULTI_USER_TEMP_PER_ATHLETE_BYTES,
            temp_bytes_total: DEFAULT_MULTI_USER_TEMP_TOTAL_BYTES,
            ..Self::default()
        }
    }
}

/// Which temporary-disk budget an upload ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TempExhausted {
    /// The athlete's own uploads hold their budget.
    Athlete(u64),
    /// All uploads together hold the server's budget.
    Server(u64),
}

/// The temporary disk held by uploads, per athlete and in all.
#[derive(Debug)]
pub(crate) struct TempBudget {
    per_athlete: u64,
    total: u64,
    held: Mutex<(u64, HashMap<AthleteId, u64>)>,
}

/// The bytes one upload holds; given back when dropped (after its files are deleted).
#[derive(Debug)]
pub(crate) struct TempCharge {
    budget: Arc<TempBudget>,
    athlete: AthleteId,
    bytes: u64,
}

impl TempBudget {
    fn new(limits: &Limits) -> Self {
        Self {
            per_athlete: limits.temp_bytes_per_athlete,
            total: limits.temp_bytes_total,
            held: Mutex::new((0, HashMap::new())),
        }
    }

    /// A charge of nothing yet for one upload of `athlete`.
    pub(crate) fn start(self: &Arc<Self>, athlete: AthleteId) -> TempCharge {
        TempCharge {
            budget: Arc::clone(self),
            athlete,
            bytes: 0,
        }
    }
}

impl TempCharge {
    /// Holds `more` bytes, or refuses when the athlete's or the server's budget would be
    /// exceeded (nothing is held then).
    pub(crate) fn add(&mut self, more: u64) -> Result<(), TempExhausted> {
        let budget = &self.budget;
        // The counts hold no invariant a panic could break: keep using them.
        let mut held = budget.held.lock().unwrap_or_else(PoisonError::into_inner);
        let athlete_held = held.1.get(&self.athlete).copied().unwrap_or(0);
        if athlete_held.saturating_add(more) > budget.per_athlete {
            return Err(TempExhausted::Athlete(budget.per_athlete));
        }
        if held.0.saturating_add(more) > budget.total {
            return Err(TempExhausted::Server(budget.total));
        }
        held.0 += more;
        *held.1.entry(self.athlete).or_insert(0) += more;
        self.bytes += more;
        Ok(())
    }

    /// The bytes held.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl Drop for TempCharge {
    fn drop(&mut self) {
        let mut held = self
            .budget
            .held
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        held.0 = held.0.saturating_sub(self.bytes);
        if let Some(athlete) = held.1.get_mut(&self.athlete) {
            *athlete = athlete.saturating_sub(self.bytes);
            if *athlete == 0 {
                held.1.remove(&self.athlete);
            }
        }
    }
}

/// Who the server answers for.
#[derive(Clone)]
pub(crate) enum Mode {
    /// One athlete, no login (the laptop).
    Single(AthleteId),
    /// Accounts, sessions and tokens (the coach's or the club's server).
    Multi(Arc<MultiUser>),
}

/// What multi-user mode adds to the state.
pub(crate) struct MultiUser {
    /// Users, sessions, tokens and memberships.
    pub(crate) accounts: Arc<dyn Accounts>,
    /// Always mark cookies `Secure` (the server is behind TLS).
    pub(crate) secure_cookies: bool,
    /// Failed logins per e-mail address and per client.
    pub(crate) limiter: LoginLimiter,
    /// Password hashes being checked at once: each argon2id verification takes 19 MiB and a
    /// core for tens of milliseconds, so a burst of logins queues instead of exhausting memory.
    pub(crate) login_slots: Arc<Semaphore>,
}

/// The shared state of the server.
#[derive(Clone)]
pub struct AppState {
    store: Arc<CachedStore>,
    clock: Arc<dyn Clock>,
    mode: Mode,
    limits: Limits,
    import_threads: usize,
    allowed_hosts: Arc<[String]>,
    trusted_proxies: Arc<[std::net::IpAddr]>,
    imports: Arc<ImportQueues>,
    temp: Arc<TempBudget>,
}

/// The cores of this machine (at least one).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

impl AppState {
    /// Single-user state over `store`: every request acts for `athlete` (the store's default
    /// athlete). Imports decode on all available cores; the clock is the system's.
    pub fn single_user(store: Arc<dyn Store>, athlete: AthleteId) -> Self {
        Self {
            store: Arc::new(CachedStore::new(store)),
            clock: Arc::new(SystemClock),
            mode: Mode::Single(athlete),
            limits: Limits::default(),
            import_threads: cores(),
            allowed_hosts: Arc::from(Vec::new()),
            trusted_proxies: Arc::from(Vec::new()),
            imports: Arc::new(ImportQueues::new(cores())),
            temp: Arc::new(TempBudget::new(&Limits::default())),
        }
    }

    /// Multi-user state: every API request must carry a session cookie or an API token and
    /// acts for that user's athlete (or, read-only, for a member of a coach's squad). Uploads
    /// are limited to [`DEFAULT_MULTI_USER_UPLOAD_BYTES`]; logins to [`LoginLimits`]'
    /// defaults; cookies are `Secure` when the request came through an HTTPS proxy
    /// (`X-Forwarded-Proto: https`) or [`with_secure_cookies`](Self::with_secure_cookies) says
    /// so.
    pub fn multi_user(store: Arc<dyn Store>, accounts: Arc<dyn Accounts>) -> Self {
        // The first failed login must not be measurably slower than the others (the dummy
        // hash an unknown address is checked against is computed once, here).
        fettle_app::accounts::prepare_login();
        let multi = MultiUser {
            accounts,
            secure_cookies: false,
            limiter: LoginLimiter::new(LoginLimits::default()),
            login_slots: Arc::new(Semaphore::new(cores())),
        };
        Self {
            store: Arc::new(CachedStore::new(store)),
            clock: Arc::new(SystemClock),
            mode: Mode::Multi(Arc::new(multi)),
            limits: Limits::multi_user(),
            import_threads: cores(),
            allowed_hosts: Arc::from(Vec::new()),
            trusted_proxies: Arc::from(Vec::new()),
            imports: Arc::new(ImportQueues::new(cores())),
            temp: Arc::new(TempBudget::new(&Limits::multi_user())),
        }
    }

    /// Rebuilds the multi-user part (a no-op in single-user mode).
    fn map_multi(mut self, change: impl FnOnce(&mut MultiUser)) -> Self {
        if let Mode::Multi(multi) = &self.mode {
            let mut rebuilt = MultiUser {
                accounts: Arc::clone(&multi.accounts),
                secure_cookies: multi.secure_cookies,
                limiter: LoginLimiter::new(multi.limiter.limits()),
                login_slots: Arc::clone(&multi.login_slots),
            };
            change(&mut rebuilt);
            self.mode = Mode::Multi(Arc::new(rebuilt));
        }
        self
    }

    /// The same state marking every cookie `Secure` (`fettle serve --secure-cookies`: the
    /// server is reached over HTTPS, through a proxy that does not say so). No effect in
    /// single-user mode, which sets no cookies.
    pub fn with_secure_cookies(self, secure: bool) -> Self {
        self.map_multi(|multi| multi.secure_cookies = secure)
    }

    /// The same state with other login rate limits (tests use small ones). No effect in
    /// single-user mode, which has no login.
    pub fn with_login_limits(self, limits: LoginLimits) -> Self {
        self.map_multi(|multi| multi.limiter = LoginLimiter::new(limits))
    }

    /// The same state reading the time from `clock` (tests fix it with
    /// [`FixedClock`](crate::FixedClock)).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The current instant, by the state's clock: every handler's "now".
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The same state with other size limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self.temp = Arc::new(TempBudget::new(&limits));
        self
    }

    /// The same state with another number of decoding threads for imports (at least one).
    pub fn with_import_threads(mut self, threads: usize) -> Self {
        self.import_threads = threads.max(1);
        self
    }

    /// The same state running at most `imports` uploads' imports at once (at least one; the
    /// default is one per core). Imports for one athlete always go one at a time.
    pub fn with_concurrent_imports(mut self, imports: usize) -> Self {
        self.imports = Arc::new(ImportQueues::new(imports));
        self
    }

    /// The same state also answering to host `name` (besides IP literals and `localhost`):
    /// needed when the server is reached by a machine name on a trusted network.
    pub fn with_allowed_host(mut self, name: impl Into<String>) -> Self {
        let mut hosts = self.allowed_hosts.to_vec();
        hosts.push(name.into());
        self.allowed_hosts = Arc::from(hosts);
        self
    }

    /// The same state believing `X-Forwarded-For` from the reverse proxy at `proxy` (`fettle
    /// serve --trusted-proxy`, repeatable): requests from it are counted, for the login limit,
    /// against the address it reports. Without any, every request counts against its
    /// connection's peer, whatever headers it carries.
    pub fn with_trusted_proxy(mut self, proxy: std::net::IpAddr) -> Self {
        let mut proxies = self.trusted_proxies.to_vec();
        proxies.push(proxy.to_canonical());
        self.trusted_proxies = Arc::from(proxies);
        self
    }

    /// The reverse proxies whose `X-Forwarded-For` is believed.
    pub fn trusted_proxies(&self) -> &[std::net::IpAddr] {
        &self.trusted_proxies
    }

    /// Host names accepted besides IP literals and `localhost`.
    pub fn allowed_hosts(&self) -> &[String] {
        &self.allowed_hosts
    }

    /// Whether the server has accounts (multi-user mode).
    pub fn is_multi_user(&self) -> bool {
        matches!(self.mode, Mode::Multi(_))
    }

    pub(crate) fn mode(&self) -> &Mode {
        &self.mode
    }

    /// The multi-user part, `None` in single-user mode.
    pub(crate) fn multi(&self) -> Option<&Arc<MultiUser>> {
        match &self.mode {
            Mode::Multi(multi) => Some(multi),
            Mode::Single(_) => None,
        }
    }

    /// The import queues: one lock per athlete and a cap on imports running at once.
    pub(crate) fn imports(&self) -> &ImportQueues {
        &self.imports
    }

    /// The uploads' temporary disk budgets.
    pub(crate) fn temp_budget(&self) -> &Arc<TempBudget> {
        &self.temp
    }

    /// The size limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The store with its answer cache.
    pub(crate) fn store(&self) -> &Arc<CachedStore> {
        &self.store
    }

    /// Decoding threads used by imports.
    pub fn import_threads(&self) -> usize {
        self.import_threads
    }
}

/// Who may import now. One import per athlete at a time (the store's duplicate check and the
/// load recomputation at the end assume the athlete's data does not change underneath), and at
/// most `slots` imports in all (each already decodes on several threads); different athletes
/// never wait for each other beyond that.
pub(crate) struct ImportQueues {
    per_athlete: Mutex<HashMap<AthleteId, Arc<tokio::sync::Mutex<()>>>>,
    slots: Arc<Semaphore>,
}

/// Held while one upload is imported: the athlete's turn and one of the global slots.
pub(crate) struct ImportTurn {
    _slot: OwnedSemaphorePermit,
    _athlete: tokio::sync::OwnedMutexGuard<()>,
}

impl ImportQueues {
    fn new(slots: usize) -> Self {
        Self {
            per_athlete: Mutex::new(HashMap::new()),
            slots: Arc::new(Semaphore::new(slots.max(1))),
        }
    }

    /// Waits for the athlete's turn, then for a free slot (in that order, so an athlete with
    /// many uploads waiting holds at most one slot).
    pub(crate) async fn turn(&self, athlete: AthleteId) -> Result<ImportTurn, ApiError> {
        let lock = {
            // The map holds no invariant a panic could break: keep using it.
            let mut map = self
                .per_athlete
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            // Forget the locks nobody holds or waits for, so the map stays as small as the
            // number of uploads in flight.
            map.retain(|_, lock| Arc::strong_count(lock) > 1);
            Arc::clone(map.entry(athlete).or_default())
        };
        let athlete_turn = lock.lock_owned().await;
        let slot = Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .map_err(|_| ApiError::internal("the import queue was closed"))?;
        Ok(ImportTurn {
            _slot: slot,
            _athlete: athlete_turn,
        })
    }
}

/// The athlete a request acts for: the state's athlete in single-user mode; in multi-user mode
/// the caller's own partition, or under `/api/v1/athletes/{athlete_id}/…` the athlete the
/// caller may read (checked by the authentication middleware, which puts it in the request).
#[derive(Debug, Clone, Copy)]
pub struct CurrentAthlete(pub AthleteId);

/// The athlete the authentication middleware resolved for this request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Acting(pub(crate) AthleteId);

impl FromRequestParts<AppState> for CurrentAthlete {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // Fails closed: a route the middleware did not see has no athlete.
        parts
            .extensions
            .get::<Acting>()
            .map(|acting| CurrentAthlete(acting.0))
            .ok_or_else(crate::auth::unauthorized)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `turn` completes within a short wait (it would block otherwise).
    async fn granted(queues: &ImportQueues, athlete: i64) -> Option<ImportTurn> {
        tokio::time::timeout(
            std::time::Duration::from_millis(50),
            queues.turn(AthleteId(athlete)),
        )
        .await
        .ok()
        .and_then(Result::ok)
    }

    #[tokio::test]
    async fn imports_queue_per_athlete_and_share_only_the_slots() {
        let queues = ImportQueues::new(2);
        let first = granted(&queues, 1).await.expect("athlete 1 imports");
        // Athlete 1's second upload waits for the first; athlete 2 does not.
        assert!(granted(&queues, 1).await.is_none());
        let second = granted(&queues, 2)
            .await
            .expect("athlete 2 imports meanwhile");
        // Both slots taken: athlete 3 waits for one.
        assert!(granted(&queues, 3).await.is_none());
        drop(second);
        assert!(granted(&queues, 3).await.is_some());
        drop(first);
        assert!(granted(&queues, 1).await.is_some());
        // Nobody holds a lock now: the map forgets them on the next turn.
        let _turn = granted(&queues, 4).await.expect("athlete 4 imports");
        let kept = queues
            .per_athlete
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        assert_eq!(kept, 1);
    }
}
