//! Throttling of sign-in and password-reset attempts.
//!
//! Failures are counted per key in the database (so every node sees them). Three keys guard a
//! sign-in: the account *from this address* (tight: 5 free attempts), the address alone (20,
//! against credential stuffing across accounts) and the account from anywhere (50, against
//! distributed guessing). Past the free attempts each failure doubles the wait, capped, so an
//! attacker can slow an account down but never lock its owner out for long: the cap for the
//! account-wide key is one minute, and a success from the owner's address clears that pair.

use chrono::{DateTime, Duration, Utc};
use entity::login_throttle;
use sea_orm::{sea_query::OnConflict, ActiveValue::Set, ConnectionTrait, EntityTrait};

use crate::core::AppError;

/// A throttle key with its policy.
#[derive(Debug, Clone)]
pub struct ThrottleKey {
    key: String,
    free_attempts: i32,
    max_wait: Duration,
}

/// Failures older than this are forgotten.
const WINDOW: Duration = Duration::minutes(15);

impl ThrottleKey {
    /// One account from one client address.
    pub fn account_from(scope: &str, email: &str, addr: &str) -> Self {
        Self {
            key: format!("{scope}:pair:{email}|{addr}"),
            free_attempts: 5,
            max_wait: Duration::minutes(15),
        }
    }
    /// One client address, whatever account it tries.
    pub fn address(scope: &str, addr: &str) -> Self {
        Self {
            key: format!("{scope}:addr:{addr}"),
            free_attempts: 20,
            max_wait: Duration::minutes(15),
        }
    }
    /// One account, from any address.
    pub fn account(scope: &str, email: &str) -> Self {
        Self {
            key: format!("{scope}:acct:{email}"),
            free_attempts: 50,
            max_wait: Duration::minutes(1),
        }
    }

    /// The wait after `failures` failures (none while attempts are free).
    fn wait_after(&self, failures: i32) -> Duration {
        let over = failures - self.free_attempts;
        if over < 0 {
            return Duration::zero();
        }
        let secs = 1i64.checked_shl(over.min(20) as u32).unwrap_or(i64::MAX);
        Duration::seconds(secs).min(self.max_wait)
    }
}

/// `RateLimited` with the longest remaining wait when any key is blocked at `now`.
pub async fn check(
    db: &impl ConnectionTrait,
    keys: &[ThrottleKey],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut wait: i64 = 0;
    for key in keys {
        if let Some(row) = login_throttle::Entity::find_by_id(key.key.clone())
            .one(db)
            .await?
        {
            if let Some(until) = row.blocked_until.filter(|until| *until > now) {
                wait = wait.max((until - now).num_seconds() + 1);
            }
        }
    }
    if wait > 0 {
        Err(AppError::RateLimited {
            retry_after_secs: wait as u64,
        })
    } else {
        Ok(())
    }
}

/// Counts a failure, at `now`, on every key.
pub async fn record_failure(
    db: &impl ConnectionTrait,
    keys: &[ThrottleKey],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    for key in keys {
        let failures = match login_throttle::Entity::find_by_id(key.key.clone())
            .one(db)
            .await?
        {
            Some(row) if now - row.last_failure_at < WINDOW => row.failures + 1,
            _ => 1,
        };
        let wait = key.wait_after(failures);
        let blocked_until: Option<DateTime<Utc>> = (wait > Duration::zero()).then(|| now + wait);
        login_throttle::Entity::insert(login_throttle::ActiveModel {
            key: Set(key.key.clone()),
            failures: Set(failures),
            last_failure_at: Set(now),
            blocked_until: Set(blocked_until),
        })
        .on_conflict(
            OnConflict::column(login_throttle::Column::Key)
                .update_columns([
                    login_throttle::Column::Failures,
                    login_throttle::Column::LastFailureAt,
                    login_throttle::Column::BlockedUntil,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// Forgets the failures of `keys` (after a successful sign-in).
pub async fn clear(db: &impl ConnectionTrait, keys: &[ThrottleKey]) -> Result<(), AppError> {
    for key in keys {
        login_throttle::Entity::delete_by_id(key.key.clone())
            .exec(db)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_after_the_free_attempts_and_are_capped() {
        let pair = ThrottleKey::account_from("signin", "a@b.co", "1.2.3.4");
        assert_eq!(pair.wait_after(4), Duration::zero());
        assert_eq!(pair.wait_after(5), Duration::seconds(1));
        assert_eq!(pair.wait_after(6), Duration::seconds(2));
        assert_eq!(pair.wait_after(9), Duration::seconds(16));
        assert_eq!(pair.wait_after(40), Duration::minutes(15));
        let account = ThrottleKey::account("signin", "a@b.co");
        assert_eq!(
            account.wait_after(1000),
            Duration::minutes(1),
            "no long lock-out of an owner"
        );
    }
}
