//! What every handler shares: the backend, how the athlete is resolved, the limits.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::backend::Backend;
use crate::error::ApiError;

/// Default cap on a JSON request body: a recovery log or a profile is well under 1 KiB, so
/// 64 KiB leaves room for long notes and still refuses abuse early.
pub const DEFAULT_JSON_BODY_BYTES: usize = 64 * 1024;

/// Default cap on one upload request: 2 GiB holds a decade's Strava or Garmin export zip
/// (typically 0.2–1.5 GB) while refusing an accidental disk image. Uploads are streamed to a
/// temporary folder, never held in memory, so the cap protects the disk, not the RAM.
pub const DEFAULT_UPLOAD_BYTES: usize = 2 * 1024 * 1024 * 1024;

/// Request size limits. Larger bodies get a 413 JSON error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest JSON (or any non-upload) request body, in bytes.
    pub json_body_bytes: usize,
    /// Largest upload request (`POST /api/v1/import`, all files together), in bytes.
    pub upload_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            json_body_bytes: DEFAULT_JSON_BODY_BYTES,
            upload_bytes: DEFAULT_UPLOAD_BYTES,
        }
    }
}

/// The shared state of the server.
pub struct AppState<B: Backend> {
    backend: Arc<B>,
    athlete: B::Athlete,
    limits: Limits,
    import_threads: usize,
    allowed_hosts: Arc<[String]>,
    import_lock: Arc<tokio::sync::Mutex<()>>,
}

impl<B: Backend> Clone for AppState<B> {
    fn clone(&self) -> Self {
        Self {
            backend: Arc::clone(&self.backend),
            athlete: self.athlete,
            limits: self.limits,
            import_threads: self.import_threads,
            allowed_hosts: Arc::clone(&self.allowed_hosts),
            import_lock: Arc::clone(&self.import_lock),
        }
    }
}

impl<B: Backend> AppState<B> {
    /// Single-user state: every request acts for `athlete` (the store's default athlete).
    /// Imports decode on all available cores.
    pub fn single_user(backend: Arc<B>, athlete: B::Athlete) -> Self {
        let import_threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self {
            backend,
            athlete,
            limits: Limits::default(),
            import_threads,
            allowed_hosts: Arc::from(Vec::new()),
            import_lock: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// The same state with other size limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The same state with another number of decoding threads for imports (at least one).
    pub fn with_import_threads(mut self, threads: usize) -> Self {
        self.import_threads = threads.max(1);
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

    /// Host names accepted besides IP literals and `localhost`.
    pub fn allowed_hosts(&self) -> &[String] {
        &self.allowed_hosts
    }

    /// Held while an import runs: imports go one at a time because the store has one writer
    /// and each import already uses every core.
    pub(crate) fn import_lock(&self) -> &Arc<tokio::sync::Mutex<()>> {
        &self.import_lock
    }

    /// The size limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The backend.
    pub fn backend(&self) -> &Arc<B> {
        &self.backend
    }

    /// Decoding threads used by imports.
    pub fn import_threads(&self) -> usize {
        self.import_threads
    }
}

/// The athlete a request acts for. In single-user mode it is the state's athlete; multi-user
/// mode (issue 7) resolves it from the session here, and no handler changes.
#[derive(Debug, Clone, Copy)]
pub struct CurrentAthlete<A>(pub A);

impl<B: Backend> FromRequestParts<AppState<B>> for CurrentAthlete<B::Athlete> {
    type Rejection = ApiError;

    async fn from_request_parts(
        _parts: &mut Parts,
        state: &AppState<B>,
    ) -> Result<Self, Self::Rejection> {
        Ok(CurrentAthlete(state.athlete))
    }
}
