//! Login rate limiting, in memory: failed logins (and failed password changes, which guess
//! the current password the same way) are counted per e-mail address (guessing one account's
//! password) and per client address (trying many accounts), each in a fixed window.
//!
//! An attempt is *reserved* before the password is verified, in one step under one lock: the
//! check and the count cannot be split by concurrent requests (40 wrong passwords sent at once
//! once all got verified, because each was checked before any was counted). A successful
//! login gives its reservation back, so only failures count and a person who logs in often is
//! never locked out by their own successes; a locked key costs no argon2 work. The counts live
//! in this process: behind several web nodes each node counts on its own, which multiplies the
//! allowance by the number of nodes (documented in ARCHITECTURE.md); that is still far below
//! what guessing needs.
//!
//! The table is bounded ([`LoginLimits::max_tracked`] keys). When it is full, expired windows
//! go first, then windows that lock nothing; a lockout is never dropped to make room. If every
//! key tracked is locked out, a new key's attempt is refused until a window ends (failing
//! closed: guessing must not get through a full table).
//!
//! The client is the connection's peer, or the address a named reverse proxy reports
//! ([`crate::AppState::with_trusted_proxy`]); `X-Forwarded-For` from anyone else is ignored,
//! since any client can write it.
//!
//! The trade-off of a per-address limit: anyone can lock an address out for one window by
//! failing on purpose. Fifteen minutes is the usual OWASP compromise between that nuisance and
//! slowing guessing to 40 tries an hour.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How many failed logins are allowed, and over how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    /// Failed logins per e-mail address in one window.
    pub per_email: u32,
    /// Failed logins per client address in one window (higher: a club may share one address).
    pub per_client: u32,
    /// The window.
    pub window: Duration,
    /// The most e-mail addresses and clients tracked at once (an attacker cycling through
    /// made-up addresses must not grow the table without bound).
    pub max_tracked: usize,
}

/// Default of [`LoginLimits::max_tracked`]: 100,000 keys, a few MiB.
pub const DEFAULT_MAX_TRACKED: usize = 100_000;

impl Default for LoginLimits {
    /// 10 failures per address and 30 per client in 15 minutes, 100,000 keys tracked.
    fn default() -> Self {
        Self {
            per_email: 10,
            per_client: 30,
            window: Duration::from_secs(15 * 60),
            max_tracked: DEFAULT_MAX_TRACKED,
        }
    }
}

/// Who a login attempt is counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Email(String),
    /// `None`: the client address is unknown (in-process tests), one shared bucket.
    Client(Option<IpAddr>),
}

/// Failures (and attempts in progress) in the current window of one key.
#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

/// The failed-login counts of this process.
#[derive(Debug)]
pub(crate) struct LoginLimiter {
    limits: LoginLimits,
    windows: Mutex<HashMap<Key, Window>>,
}

/// One attempt counted in advance against an e-mail address and a client. Dropping it leaves
/// the attempt counted as a failure; [`LoginLimiter::succeeded`] gives it back.
#[must_use = "a reservation is a counted failure unless given back with `succeeded`"]
#[derive(Debug)]
pub(crate) struct Reservation {
    /// Each key with the start of the window the attempt was counted in.
    counted: Vec<(Key, Instant)>,
}

impl LoginLimiter {
    pub(crate) fn new(limits: LoginLimits) -> Self {
        Self {
            limits,
            windows: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn limits(&self) -> LoginLimits {
        self.limits
    }

    /// How many failures `key` may have in a window.
    fn allowance(&self, key: &Key) -> u32 {
        match key {
            Key::Email(_) => self.limits.per_email,
            Key::Client(_) => self.limits.per_client,
        }
    }

    /// Counts one attempt against the address and the client before the password is checked,
    /// in one step: `Err(wait)` when either has no attempt left in its window (`wait`: until
    /// the window ends), or when the table is full of lockouts.
    pub(crate) fn reserve(
        &self,
        email: &str,
        client: Option<IpAddr>,
    ) -> Result<Reservation, Duration> {
        let now = Instant::now();
        let window = self.limits.window;
        let keys = [Key::Email(email.to_owned()), Key::Client(client)];
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let mut wait = None::<Duration>;
        for key in &keys {
            if let Some(w) = windows.get(key) {
                let elapsed = now.duration_since(w.started);
                if elapsed < window && w.failures >= self.allowance(key) {
                    let left = window - elapsed;
                    wait = Some(wait.map_or(left, |longest| longest.max(left)));
                }
            }
        }
        if let Some(wait) = wait {
            return Err(wait);
        }
        let new_keys = keys.iter().filter(|k| !windows.contains_key(k)).count();
        if windows.len() + new_keys > self.limits.max_tracked {
            self.make_room(&mut windows, now, new_keys)?;
        }
        let mut counted = Vec::with_capacity(keys.len());
        for key in keys {
            let entry = windows.entry(key.clone()).or_insert(Window {
                started: now,
                failures: 0,
            });
            if now.duration_since(entry.started) >= window {
                *entry = Window {
                    started: now,
                    failures: 0,
                };
            }
            entry.failures = entry.failures.saturating_add(1);
            counted.push((key, entry.started));
        }
        Ok(Reservation { counted })
    }

    /// Frees room for `needed` new keys without dropping a lockout: expired windows first,
    /// then windows that lock nothing, oldest first. `Err(wait)` when only lockouts are left
    /// (`wait`: until the oldest of them ends).
    fn make_room(
        &self,
        windows: &mut HashMap<Key, Window>,
        now: Instant,
        needed: usize,
    ) -> Result<(), Duration> {
        let window = self.limits.window;
        let capacity = self.limits.max_tracked;
        windows.retain(|_, w| now.duration_since(w.started) < window);
        if windows.len() + needed > capacity {
            let mut unlocked: Vec<(Instant, Key)> = windows
                .iter()
                .filter(|(key, w)| w.failures < self.allowance(key))
                .map(|(key, w)| (w.started, key.clone()))
                .collect();
            unlocked.sort_by_key(|(started, _)| *started);
            let excess = (windows.len() + needed).saturating_sub(capacity);
            for (_, key) in unlocked.into_iter().take(excess) {
                windows.remove(&key);
            }
        }
        if windows.len() + needed > capacity {
            let oldest = windows.values().map(|w| w.started).min().unwrap_or(now);
            return Err(window.saturating_sub(now.duration_since(oldest)));
        }
        Ok(())
    }

    /// Gives a reservation back: the attempt succeeded and counts for nothing.
    pub(crate) fn succeeded(&self, reservation: Reservation) {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        for (key, started) in reservation.counted {
            if let Some(w) = windows.get_mut(&key)
                && w.started == started
            {
                w.failures = w.failures.saturating_sub(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_email: u32, per_client: u32, window_ms: u64) -> LoginLimiter {
        LoginLimiter::new(LoginLimits {
            per_email,
            per_client,
            window: Duration::from_millis(window_ms),
            max_tracked: DEFAULT_MAX_TRACKED,
        })
    }

    #[test]
    fn an_address_is_refused_after_its_failures_and_others_are_not() {
        let l = limiter(3, 100, 60_000);
        let ip = Some(IpAddr::from([10, 0, 0, 1]));
        for _ in 0..3 {
            drop(l.reserve("a@x.org", ip).expect("allowed"));
        }
        let wait = l.reserve("a@x.org", ip).expect_err("fourth try refused");
        assert!(wait <= Duration::from_secs(60) && wait > Duration::from_secs(59));
        // Another address from the same client still has its own three tries.
        assert!(l.reserve("b@x.org", ip).is_ok());
    }

    #[test]
    fn successes_give_their_reservation_back() {
        let l = limiter(2, 100, 60_000);
        for _ in 0..5 {
            let attempt = l.reserve("a@x.org", None).expect("allowed");
            l.succeeded(attempt);
        }
        drop(l.reserve("a@x.org", None).expect("first failure"));
        drop(l.reserve("a@x.org", None).expect("second failure"));
        assert!(l.reserve("a@x.org", None).is_err());
    }

    #[test]
    fn reservations_in_progress_count_so_concurrent_guesses_cannot_overshoot() {
        let l = limiter(3, 100, 60_000);
        // Three attempts in flight (none finished): the fourth is refused at once.
        let held: Vec<Reservation> = (0..3)
            .map(|_| l.reserve("a@x.org", None).expect("allowed"))
            .collect();
        assert!(l.reserve("a@x.org", None).is_err());
        drop(held);
    }

    #[test]
    fn a_client_is_refused_after_its_failures_across_addresses() {
        let l = limiter(100, 2, 60_000);
        let ip = Some(IpAddr::from([10, 0, 0, 2]));
        drop(l.reserve("a@x.org", ip).expect("allowed"));
        drop(l.reserve("b@x.org", ip).expect("allowed"));
        assert!(l.reserve("c@x.org", ip).is_err());
        assert!(
            l.reserve("c@x.org", Some(IpAddr::from([10, 0, 0, 3])))
                .is_ok()
        );
    }

    #[test]
    fn the_count_starts_again_after_the_window() {
        let l = limiter(1, 100, 30);
        drop(l.reserve("a@x.org", None).expect("allowed"));
        assert!(l.reserve("a@x.org", None).is_err());
        std::thread::sleep(Duration::from_millis(40));
        drop(l.reserve("a@x.org", None).expect("a new window"));
        assert!(l.reserve("a@x.org", None).is_err());
    }

    #[test]
    fn a_full_table_never_drops_a_lockout() {
        // Room for 6 keys; one client (one key) locks out "victim" (a second key).
        let l = LoginLimiter::new(LoginLimits {
            per_email: 1,
            per_client: 1_000,
            window: Duration::from_secs(600),
            max_tracked: 6,
        });
        let ip = Some(IpAddr::from([10, 0, 0, 9]));
        drop(l.reserve("victim@x.org", ip).expect("allowed"));
        assert!(l.reserve("victim@x.org", ip).is_err());
        // Made-up addresses fill the table many times over.
        for i in 0..50 {
            drop(l.reserve(&format!("made-up-{i}@x.org"), ip));
        }
        assert!(
            l.reserve("victim@x.org", ip).is_err(),
            "the lockout survived"
        );
    }
}
