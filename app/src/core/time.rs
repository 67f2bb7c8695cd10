//! Time in Gala: UTC everywhere, stored with microsecond precision, and read from a [`Clock`]
//! wherever a rule depends on it (reservation expiry, sale windows, sign-in back-off), so tests
//! move time forward instead of sleeping through it.

use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

use chrono::{DateTime, Datelike, DurationRound, TimeDelta, Timelike, Utc};

/// The current time, truncated to whole microseconds — the precision PostgreSQL keeps. Values
/// that are compared after a round trip (keyset cursors) must be written with this, or SQLite,
/// which keeps what it is given, would hold nanoseconds a cursor cannot express.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    now.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now)
}

/// Parses a time typed into a form or sent to the API: RFC 3339, or `YYYY-MM-DDTHH:MM` (what
/// a `datetime-local` field sends) read as UTC.
pub fn parse_input(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
                .ok()
                .map(|t| t.and_utc())
        })
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

/// How a page writes a time (always UTC; English month names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `2026-11-11 09:30 UTC`
    Stamp,
    /// `2026-11-11`
    Date,
    /// `11 Nov 2026`
    Day,
    /// `11 Nov 09:30 UTC`
    DayTime,
    /// `11 Nov 2026 09:30 UTC`
    DayYearTime,
    /// `09:30:05 UTC`
    Clock,
    /// `2026-11-11T09:30`, what a `datetime-local` field holds.
    Field,
}

/// `at` written in `style`. Written out here rather than with chrono's `format`, whose
/// strftime machinery would otherwise be compiled into the browser's wasm for a handful of
/// fixed patterns.
pub fn display(at: DateTime<Utc>, style: Style) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (year, month, day) = (at.year(), at.month(), at.day());
    let (hour, minute) = (at.hour(), at.minute());
    let name = MONTHS[month.saturating_sub(1) as usize % 12];
    match style {
        Style::Stamp => format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC"),
        Style::Date => format!("{year:04}-{month:02}-{day:02}"),
        Style::Day => format!("{day} {name} {year}"),
        Style::DayTime => format!("{day} {name} {hour:02}:{minute:02} UTC"),
        Style::DayYearTime => format!("{day} {name} {year} {hour:02}:{minute:02} UTC"),
        Style::Clock => format!("{hour:02}:{minute:02}:{:02} UTC", at.second()),
        Style::Field => format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}"),
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

    #[test]
    fn every_style_writes_what_chrono_would() {
        let times = [
            "2026-11-11T09:05:07Z",
            "2027-01-01T00:00:00Z",
            "2026-12-31T23:59:59Z",
        ];
        let styles = [
            (Style::Stamp, "%Y-%m-%d %H:%M UTC"),
            (Style::Date, "%Y-%m-%d"),
            (Style::Day, "%-d %b %Y"),
            (Style::DayTime, "%-d %b %H:%M UTC"),
            (Style::DayYearTime, "%-d %b %Y %H:%M UTC"),
            (Style::Clock, "%H:%M:%S UTC"),
            (Style::Field, "%Y-%m-%dT%H:%M"),
        ];
        for at in times {
            let at: DateTime<Utc> = at.parse().unwrap();
            for month in 1..=12 {
                let at = at.with_month(month).unwrap_or(at);
                for (style, pattern) in styles {
                    assert_eq!(
                        display(at, style),
                        at.format(pattern).to_string(),
                        "{style:?}"
                    );
                }
            }
        }
    }
}
