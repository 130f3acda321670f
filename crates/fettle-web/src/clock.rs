//! The server's clock: what "now" is for every handler.
//!
//! Handlers ask the state ([`AppState::now`](crate::AppState::now)) rather than the system, so
//! a test can fix the instant every answer is computed at ([`FixedClock`]) and check dated
//! answers (today's verdict, a token's creation time, an invitation's date) against values
//! worked out by hand.

use jiff::Timestamp;

/// Where the current instant comes from.
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The system's clock: what `fettle serve` uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock stopped at one instant (tests).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}
