//! Time in Gala: UTC everywhere, stored with microsecond precision.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// The current time, truncated to whole microseconds — the precision PostgreSQL keeps. Values
/// that are compared after a round trip (keyset cursors) must be written with this, or SQLite,
/// which keeps what it is given, would hold nanoseconds a cursor cannot express.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    now.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    #[test]
    fn now_has_no_sub_microsecond_part() {
        assert_eq!(super::now().timestamp_subsec_nanos() % 1_000, 0);
    }
}
