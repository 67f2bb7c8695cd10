//! Time in Gala: UTC everywhere, stored with microsecond precision, and read from a [`Clock`]
//! wherever a rule depends on it (reservation expiry, sale windows, sign-in back-off), so tests
//! move time forward instead of sleeping through it.

use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// The current time, truncated to whole microseconds — the precision PostgreSQL keeps. Values
/// that are compared after a round trip (keyset cursors) must be written with this, or SQLite,
/// which keeps what it is given, would hold nanoseconds a cursor cannot express.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    now.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now)
}

/// The clock time-based rules read. It is the system's clock plus an offset that starts at
/// zero and only a test moves ([`Clock::advance`]); clones share the offset, so a test that
/// advances its server's clock moves every rule reading it at once.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_micros: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock (offset zero).
    pub fn system() -> Self {
        Clock::default()
    }

    /// "Now" by this clock, in whole microseconds (see [`now`]).
    pub fn now(&self) -> DateTime<Utc> {
        now() + TimeDelta::microseconds(self.offset_micros.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone) forward by `by`, as if that much time had passed.
    pub fn advance(&self, by: TimeDelta) {
        let micros = by.num_microseconds().unwrap_or(i64::MAX);
        self.offset_micros.fetch_add(micros, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_has_no_sub_microsecond_part() {
        assert_eq!(super::now().timestamp_subsec_nanos() % 1_000, 0);
    }

    #[test]
    fn an_advanced_clock_runs_ahead_in_every_clone() {
        let clock = Clock::system();
        let shared = clock.clone();
        let before = now();
        clock.advance(TimeDelta::hours(2));
        let ahead = shared.now() - before;
        assert!(
            ahead >= TimeDelta::hours(2) && ahead < TimeDelta::hours(2) + TimeDelta::seconds(5)
        );
        assert_eq!(shared.now().timestamp_subsec_nanos() % 1_000, 0);
    }
}
