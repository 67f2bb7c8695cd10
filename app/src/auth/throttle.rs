//! Throttling of sign-in, sign-up, verification and password-reset attempts, and of orders
//! left waiting for payment (they hold stock unpaid).
//!
//! Attempts are counted per key in the database (so every node sees them). Three keys guard a
//! sign-in: the account *from this address* (tight: 5 free attempts), the address alone (20,
//! against credential stuffing across accounts) and the account from anywhere (50, against
//! distributed guessing). Past the free attempts each failure doubles the wait, capped, so an
//! attacker can slow an account down but never lock its owner out for long: the cap for the
//! account-wide key is one minute, and a success from the owner's address clears that pair.

use chrono::{DateTime, Duration, Utc};
use entity::login_throttle;
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};

use crate::core::AppError;

/// A throttle key with its policy.
#[derive(Debug, Clone)]
pub struct ThrottleKey {
    key: String,
    free_attempts: i32,
    max_wait: Duration,
    /// Past the free attempts, the wait doubles up to `max_wait` (a back-off); without it,
    /// `max_wait` at once (a hard cap: `free_attempts` in any window).
    doubling: bool,
}

/// Failures older than this are forgotten.
const WINDOW: Duration = Duration::minutes(15);

/// Orders left waiting for payment one buyer may start in any [`WINDOW`].
pub const UNPAID_HOLDS_PER_BUYER: i32 = 3;

/// Orders left waiting for payment one client address may start in any [`WINDOW`].
pub const UNPAID_HOLDS_PER_ADDRESS: i32 = 20;

impl ThrottleKey {
    /// One account from one client address.
    pub fn account_from(scope: &str, email: &str, addr: &str) -> Self {
        Self {
            key: format!("{scope}:pair:{email}|{addr}"),
            free_attempts: 5,
            max_wait: Duration::minutes(15),
            doubling: true,
        }
    }
    /// One client address, whatever account it tries.
    pub fn address(scope: &str, addr: &str) -> Self {
        Self {
            key: format!("{scope}:addr:{addr}"),
            free_attempts: 20,
            max_wait: Duration::minutes(15),
            doubling: true,
        }
    }
    /// One account, from any address.
    pub fn account(scope: &str, email: &str) -> Self {
        Self {
            key: format!("{scope}:acct:{email}"),
            free_attempts: 50,
            max_wait: Duration::minutes(1),
            doubling: true,
        }
    }
    /// Mail sent to one address (sign-ups naming it, verification resends): 3 in 15 minutes,
    /// then the wait doubles up to an hour — an inbox cannot be flooded through Gala.
    pub fn mail_to(scope: &str, email: &str) -> Self {
        Self {
            key: format!("{scope}:mail:{email}"),
            free_attempts: 3,
            max_wait: Duration::hours(1),
            doubling: true,
        }
    }

    /// Orders left waiting for payment (holding stock unpaid) started by one buyer: 3 in any
    /// 15 minutes, the reservation time, so at most 3 such holds at once.
    pub fn unpaid_holds_of(buyer_key: &str) -> Self {
        Self {
            key: format!("unpaid:buyer:{buyer_key}"),
            free_attempts: UNPAID_HOLDS_PER_BUYER,
            max_wait: WINDOW,
            doubling: false,
        }
    }
    /// Orders left waiting for payment started from one client address, whoever the buyers:
    /// 20 in any 15 minutes (many phones share an address behind a carrier's NAT).
    pub fn unpaid_holds_from(addr: &str) -> Self {
        Self {
            key: format!("unpaid:addr:{addr}"),
            free_attempts: UNPAID_HOLDS_PER_ADDRESS,
            max_wait: WINDOW,
            doubling: false,
        }
    }

    /// One attempt per `interval` under `key` (a chat's slow mode): each attempt blocks the
    /// next ones for `interval`.
    pub fn one_per(key: &str, interval: Duration) -> Self {
        Self {
            key: key.to_owned(),
            free_attempts: 1,
            max_wait: interval,
            doubling: false,
        }
    }

    /// The wait after `failures` failures (none while attempts are free).
    fn wait_after(&self, failures: i32) -> Duration {
        let over = failures - self.free_attempts;
        if over < 0 {
            return Duration::zero();
        }
        if !self.doubling {
            return self.max_wait;
        }
        let secs = 1i64
            .checked_shl(std::cmp::min(over, 20) as u32)
            .unwrap_or(i64::MAX);
        std::cmp::min(Duration::seconds(secs), self.max_wait)
    }
}

/// Counts an attempt on every key and refuses it (`RateLimited`, with the remaining wait) when
/// a key is blocked at `now`. The attempt is counted *before* the password is checked, each
/// key by a compare-and-set on its count, so N parallel guesses count as N and only the
/// attempts the policy allows get through; a success gives its count back ([`clear`],
/// [`forgive`]).
pub async fn attempt(
    db: &impl ConnectionTrait,
    keys: &[ThrottleKey],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    for key in keys {
        count_attempt(db, key, now).await?;
    }
    Ok(())
}

/// Refused after this many lost compare-and-sets in a row (a burst on one key): the burst
/// itself is answered 429.
const MAX_RACES: usize = 64;

async fn count_attempt(
    db: &impl ConnectionTrait,
    key: &ThrottleKey,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let blocked_until = |failures: i32| {
        let wait = key.wait_after(failures);
        (wait > Duration::zero()).then(|| now + wait)
    };
    for _ in 0..MAX_RACES {
        let Some(row) = login_throttle::Entity::find_by_id(key.key.clone())
            .one(db)
            .await?
        else {
            let inserted = login_throttle::Entity::insert(login_throttle::ActiveModel {
                key: Set(key.key.clone()),
                failures: Set(1),
                last_failure_at: Set(now),
                blocked_until: Set(blocked_until(1)),
            })
            // ON CONFLICT DO NOTHING rather than catching the violation: inside a transaction
            // (the chat's) PostgreSQL would abort the whole transaction on the error.
            .on_conflict_do_nothing_on([login_throttle::Column::Key])
            .exec_without_returning(db)
            .await?;
            match inserted {
                sea_orm::TryInsertResult::Inserted(n) if n > 0 => return Ok(()),
                _ => continue,
            }
        };
        if let Some(until) = row.blocked_until.filter(|until| *until > now) {
            return Err(AppError::RateLimited {
                retry_after_secs: ((until - now).num_seconds() + 1) as u64,
            });
        }
        let failures = if now - row.last_failure_at < WINDOW {
            row.failures + 1
        } else {
            1
        };
        let counted = login_throttle::Entity::update_many()
            .col_expr(login_throttle::Column::Failures, Expr::value(failures))
            .col_expr(login_throttle::Column::LastFailureAt, Expr::value(now))
            .col_expr(
                login_throttle::Column::BlockedUntil,
                Expr::value(blocked_until(failures)),
            )
            .filter(login_throttle::Column::Key.eq(key.key.clone()))
            .filter(login_throttle::Column::Failures.eq(row.failures))
            .exec(db)
            .await?;
        if counted.rows_affected == 1 {
            return Ok(());
        }
    }
    Err(AppError::RateLimited {
        retry_after_secs: 1,
    })
}

/// Gives back one attempt counted on `key` (a sign-in that succeeded from an address that
/// other accounts' guesses are also counted against).
pub async fn forgive(db: &impl ConnectionTrait, key: &ThrottleKey) -> Result<(), AppError> {
    login_throttle::Entity::update_many()
        .col_expr(
            login_throttle::Column::Failures,
            Expr::col(login_throttle::Column::Failures).sub(1),
        )
        .filter(login_throttle::Column::Key.eq(key.key.clone()))
        .filter(login_throttle::Column::Failures.gt(0))
        .exec(db)
        .await?;
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
