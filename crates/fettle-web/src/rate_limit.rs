//! Login rate limiting, in memory: failed logins are counted per e-mail address (guessing one
//! account's password) and per client address (trying many accounts), each in a fixed window.
//!
//! Only failures count, so a person who logs in often is never locked out by their own
//! successes; the check happens before the password is verified, so a locked key costs no
//! argon2 work. The counts live in this process: behind several web nodes each node counts on
//! its own, which multiplies the allowance by the number of nodes (documented in
//! ARCHITECTURE.md); that is still far below what guessing needs.
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
}

impl Default for LoginLimits {
    /// 10 failures per address and 30 per client in 15 minutes.
    fn default() -> Self {
        Self {
            per_email: 10,
            per_client: 30,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Beyond this many keys the expired ones are dropped; beyond it again, all of them (an attacker
/// cycling through made-up addresses must not grow the map without bound).
const MAX_KEYS: usize = 100_000;

/// Who a login attempt is counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Email(String),
    /// `None`: the client address is unknown (in-process tests), one shared bucket.
    Client(Option<IpAddr>),
}

/// Failures in the current window of one key.
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

    /// The two keys an attempt counts against, each with its allowance.
    fn keys(&self, email: &str, client: Option<IpAddr>) -> [(Key, u32); 2] {
        [
            (Key::Email(email.to_owned()), self.limits.per_email),
            (Key::Client(client), self.limits.per_client),
        ]
    }

    /// `Err(wait)` when this e-mail address or this client has failed too often in the
    /// current window: `wait` is how long until the window ends.
    pub(crate) fn check(&self, email: &str, client: Option<IpAddr>) -> Result<(), Duration> {
        let now = Instant::now();
        let windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let mut wait = None::<Duration>;
        for (key, allowed) in self.keys(email, client) {
            if let Some(window) = windows.get(&key) {
                let elapsed = now.duration_since(window.started);
                if elapsed < self.limits.window && window.failures >= allowed {
                    let left = self.limits.window - elapsed;
                    wait = Some(wait.map_or(left, |w| w.max(left)));
                }
            }
        }
        wait.map_or(Ok(()), Err)
    }

    /// Counts one failed login against the address and the client.
    pub(crate) fn failed(&self, email: &str, client: Option<IpAddr>) {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() >= MAX_KEYS {
            let window = self.limits.window;
            windows.retain(|_, w| now.duration_since(w.started) < window);
            if windows.len() >= MAX_KEYS {
                windows.clear();
            }
        }
        for (key, _) in self.keys(email, client) {
            let entry = windows.entry(key).or_insert(Window {
                started: now,
                failures: 0,
            });
            if now.duration_since(entry.started) >= self.limits.window {
                *entry = Window {
                    started: now,
                    failures: 0,
                };
            }
            entry.failures = entry.failures.saturating_add(1);
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
        })
    }

    #[test]
    fn an_address_is_refused_after_its_failures_and_others_are_not() {
        let l = limiter(3, 100, 60_000);
        let ip = Some(IpAddr::from([10, 0, 0, 1]));
        for _ in 0..3 {
            assert!(l.check("a@x.org", ip).is_ok());
            l.failed("a@x.org", ip);
        }
        let wait = l.check("a@x.org", ip).expect_err("fourth try refused");
        assert!(wait <= Duration::from_secs(60) && wait > Duration::from_secs(59));
        // Another address from the same client still has its own three tries.
        assert!(l.check("b@x.org", ip).is_ok());
    }

    #[test]
    fn a_client_is_refused_after_its_failures_across_addresses() {
        let l = limiter(100, 2, 60_000);
        let ip = Some(IpAddr::from([10, 0, 0, 2]));
        l.failed("a@x.org", ip);
        l.failed("b@x.org", ip);
        assert!(l.check("c@x.org", ip).is_err());
        assert!(
            l.check("c@x.org", Some(IpAddr::from([10, 0, 0, 3])))
                .is_ok()
        );
    }

    #[test]
    fn the_count_starts_again_after_the_window() {
        let l = limiter(1, 100, 30);
        l.failed("a@x.org", None);
        assert!(l.check("a@x.org", None).is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert!(l.check("a@x.org", None).is_ok());
        l.failed("a@x.org", None);
        assert!(l.check("a@x.org", None).is_err());
    }
}
