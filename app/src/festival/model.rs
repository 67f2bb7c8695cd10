use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The festival the storefront is building up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Festival {
    /// Display name, e.g. "Gala 11.11 Global Shopping Festival".
    pub name: String,
    /// When the festival opens (UTC).
    pub starts_at: DateTime<Utc>,
    /// When it closes (UTC); after `starts_at`.
    pub ends_at: DateTime<Utc>,
}

/// Where the festival is relative to a moment in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FestivalPhase {
    /// Not started: this long to go.
    Upcoming { seconds_to_go: i64 },
    /// Running now: this long until it closes.
    Live { seconds_left: i64 },
    /// Over.
    Ended,
}

impl Festival {
    /// The phase at `now`.
    pub fn phase_at(&self, now: DateTime<Utc>) -> FestivalPhase {
        if now < self.starts_at {
            FestivalPhase::Upcoming {
                seconds_to_go: (self.starts_at - now).num_seconds(),
            }
        } else if now < self.ends_at {
            FestivalPhase::Live {
                seconds_left: (self.ends_at - now).num_seconds(),
            }
        } else {
            FestivalPhase::Ended
        }
    }
}

/// Splits a number of seconds into (days, hours, minutes, seconds) for a countdown.
pub fn countdown_parts(total_seconds: i64) -> (i64, i64, i64, i64) {
    let s = total_seconds.max(0);
    (s / 86_400, (s % 86_400) / 3_600, (s % 3_600) / 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn festival() -> Festival {
        Festival {
            name: "Gala 11.11".into(),
            starts_at: Utc.with_ymd_and_hms(2027, 11, 10, 16, 0, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2027, 11, 11, 16, 0, 0).unwrap(),
        }
    }

    #[test]
    fn a_festival_is_upcoming_live_then_ended() {
        let f = festival();
        assert_eq!(
            f.phase_at(f.starts_at - chrono::Duration::seconds(90)),
            FestivalPhase::Upcoming { seconds_to_go: 90 }
        );
        assert_eq!(
            f.phase_at(f.starts_at),
            FestivalPhase::Live {
                seconds_left: 86_400
            }
        );
        assert_eq!(f.phase_at(f.ends_at), FestivalPhase::Ended);
    }

    #[test]
    fn countdown_parts_split_days_hours_minutes_seconds() {
        assert_eq!(
            countdown_parts(2 * 86_400 + 3 * 3_600 + 4 * 60 + 5),
            (2, 3, 4, 5)
        );
        assert_eq!(countdown_parts(-5), (0, 0, 0, 0));
    }
}
