//! Red envelopes: a platform pool with a fixed budget, handed out through interactive moments
//! — the festival page's game (one play per buyer per festival day, Asia/Shanghai), a live
//! show (one play per buyer per show) and a show's drop that carries a "find the cat" moment
//! (one play per buyer per drop, once the look has dropped), and a store's QR code (one play
//! per buyer per claim link, until it expires) — where the server decides each win.
//!
//! **The draw.** A play wins with the pool's chance (`win_percent`); a win's amount is drawn
//! uniformly between the pool's minimum and maximum, in minor units, and is at most what is
//! left. The amount is then taken from the pool by one conditional update
//! (`remaining ≥ amount`); if other plays took the money meanwhile, the amount is drawn again
//! against what is now left. Once less than the minimum is left, nobody wins any
//! more. So the pool is never overspent, under any concurrency, on any number of nodes.
//!
//! Each buyer's envelopes and money from the pool are counted by one conditional update too
//! (per-buyer limits), in the same transaction. A moment is played once: asking again answers
//! the same outcome. Plays are also rate-limited per account (`auth::throttle`). Envelopes not
//! used in time expire and their money returns to the pool ([`expire_due`], exactly once).

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use entity::{envelope_buyer, envelope_play, envelope_pool, red_envelope, show, show_look};
use rand::Rng;
use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{EnvelopeStatus, EnvelopeView, PlayInput, PlayOutcome, PoolInput, PoolView};
use crate::auth::{throttle, Caller};
use crate::core::{money, time, txn::begin_write, AppError, FieldErrors, FieldErrorsExt};
use crate::state::AppState;

/// Tries at taking a drawn amount from a pool other plays are taking from. Each failed try
/// means another play took money meanwhile (the pool moved on), so a play that keeps losing
/// the race still ends: with a win, or with the pool below its minimum.
const DRAWS: usize = 32;
/// Envelopes expired per chore round.
const EXPIRE_PER_RUN: u64 = 500;

fn view(row: &red_envelope::Model, now: DateTime<Utc>) -> EnvelopeView {
    let status = if row.status == EnvelopeStatus::Won && row.expires_at <= now {
        EnvelopeStatus::Expired
    } else {
        row.status
    };
    EnvelopeView {
        id: row.id.to_string(),
        amount_minor: row.amount_minor,
        currency: row.currency.clone(),
        status,
        moment: row.moment.clone(),
        won_at: row.won_at,
        expires_at: row.expires_at,
        order_id: row.order_id.map(|o| o.to_string()),
    }
}

fn pool_view(row: &envelope_pool::Model) -> PoolView {
    PoolView {
        id: row.id.to_string(),
        name: row.name.clone(),
        currency: row.currency.clone(),
        budget_minor: row.budget_minor,
        remaining_minor: row.remaining_minor,
        min_minor: row.min_minor,
        max_minor: row.max_minor,
        win_percent: row.win_percent,
        per_buyer_count: row.per_buyer_count,
        per_buyer_minor: row.per_buyer_minor,
        valid_hours: row.valid_secs / 3600,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
    }
}

/// A platform admin sets up a pool.
pub async fn create_pool(
    state: &AppState,
    caller: &Caller,
    input: &PoolInput,
) -> Result<PoolView, AppError> {
    caller.platform_admin()?;
    let mut fields = FieldErrors::new();
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 80 {
        fields.add("name", "Give the pool a name, up to 80 characters.");
    }
    let currency = input.currency.trim().to_uppercase();
    if !money::is_supported(&currency) {
        fields.add("currency", "Use a supported currency code, such as CNY.");
    }
    if input.budget_minor <= 0 {
        fields.add("budget_minor", "Enter a budget above zero.");
    }
    if input.min_minor <= 0 || input.min_minor > input.max_minor {
        fields.add(
            "min_minor",
            "Enter a minimum above zero and at most the maximum.",
        );
    }
    if input.max_minor > input.budget_minor {
        fields.add("max_minor", "One envelope cannot be more than the budget.");
    }
    if !(1..=100).contains(&input.win_percent) {
        fields.add("win_percent", "Use a chance from 1 to 100.");
    }
    if input.per_buyer_count <= 0 {
        fields.add("per_buyer_count", "Enter a number above zero.");
    }
    if input.per_buyer_minor < input.min_minor {
        fields.add(
            "per_buyer_minor",
            "Let a buyer win at least one envelope's minimum.",
        );
    }
    if !(1..=24 * 90).contains(&input.valid_hours) {
        fields.add("valid_hours", "Between an hour and ninety days.");
    }
    let starts_at = time::parse_input(&input.starts_at);
    let ends_at = time::parse_input(&input.ends_at);
    match (starts_at, ends_at) {
        (Some(start), Some(end)) if end > start => {}
        _ => fields.add("ends_at", "Enter a start and an end after it."),
    }
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }
    let row = envelope_pool::Model {
        id: Uuid::now_v7(),
        name,
        currency,
        budget_minor: input.budget_minor,
        remaining_minor: input.budget_minor,
        min_minor: input.min_minor,
        max_minor: input.max_minor,
        win_percent: input.win_percent,
        per_buyer_count: input.per_buyer_count,
        per_buyer_minor: input.per_buyer_minor,
        valid_secs: input.valid_hours * 3600,
        starts_at: starts_at.expect("checked"),
        ends_at: ends_at.expect("checked"),
        created_at: time::now(),
    }
    .into_active_model()
    .reset_all()
    .insert(&state.db)
    .await?;
    Ok(pool_view(&row))
}

/// Every pool, newest first (platform admins).
pub async fn pools(db: &impl ConnectionTrait) -> Result<Vec<PoolView>, AppError> {
    Ok(envelope_pool::Entity::find()
        .order_by_desc(envelope_pool::Column::CreatedAt)
        .all(db)
        .await?
        .iter()
        .map(pool_view)
        .collect())
}

/// The pool handing out envelopes at `now` (the latest set up, if several are: a new pool
/// takes over from the one before).
pub async fn live_pool(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Option<envelope_pool::Model>, AppError> {
    Ok(envelope_pool::Entity::find()
        .filter(envelope_pool::Column::StartsAt.lte(now))
        .filter(envelope_pool::Column::EndsAt.gt(now))
        .order_by_desc(envelope_pool::Column::CreatedAt)
        .one(db)
        .await?)
}

/// The moment `input` names at `now`: a live show's, or the festival day's (in the festival's
/// time zone, Asia/Shanghai, UTC+8).
async fn moment_of(
    db: &impl ConnectionTrait,
    input: &PlayInput,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let named = |id: &Option<String>| {
        id.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|id| Uuid::parse_str(id).map_err(|_| AppError::NotFound))
            .transpose()
    };
    if let Some(token) = input
        .link
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        // A store's code: once per buyer per link, while the link works.
        let link = super::links::live(db, now, token).await?;
        if !link.envelope {
            return Err(AppError::OfferUnavailable {
                message: "This code hides no red envelope.".into(),
            });
        }
        return Ok(format!("qr:{}", link.id));
    }
    let (show_id, drop_id) = (named(&input.show_id)?, named(&input.drop_id)?);
    if let Some(drop_id) = drop_id {
        // "Find the cat" in a drop: a look that has dropped, carries the moment, and belongs
        // to the live show named (if one is).
        let look = show_look::Entity::find_by_id(drop_id)
            .filter(show_look::Column::EnvelopeMoment.eq(true))
            .one(db)
            .await?
            .filter(|look| show_id.is_none_or(|show| show == look.show_id))
            .ok_or(AppError::NotFound)?;
        if look.revealed_at.is_none() {
            return Err(AppError::Conflict {
                message: "This drop's red envelope opens when the look walks the runway.".into(),
            });
        }
        live_show(db, look.show_id).await?;
        return Ok(format!("drop:{drop_id}"));
    }
    match show_id {
        Some(id) => {
            live_show(db, id).await?;
            Ok(format!("show:{id}"))
        }
        None => {
            let shanghai = FixedOffset::east_opt(8 * 3600).expect("a valid offset");
            Ok(format!(
                "festival:{}",
                now.with_timezone(&shanghai).format("%Y-%m-%d")
            ))
        }
    }
}

/// Show `id` is on air: its moments can be played.
async fn live_show(db: &impl ConnectionTrait, id: Uuid) -> Result<(), AppError> {
    let live = show::Entity::find_by_id(id)
        .filter(show::Column::Status.eq(entity::values::ShowStatus::Live))
        .one(db)
        .await?;
    match live {
        Some(_) => Ok(()),
        None => Err(AppError::Conflict {
            message: "Envelopes are handed out while the show is live.".into(),
        }),
    }
}

/// Draws a play's outcome: `Some(amount)` with the pool's chance, between its minimum and
/// maximum and at most `left`; `None` when it loses or less than the minimum is left.
pub fn draw(pool: &envelope_pool::Model, left: i64, rng: &mut impl Rng) -> Option<i64> {
    if left < pool.min_minor || rng.random_range(0..100) >= pool.win_percent {
        return None;
    }
    Some(Ord::min(
        rng.random_range(pool.min_minor..=pool.max_minor),
        left,
    ))
}

/// The caller (signed in, verified) plays a moment of the live pool.
pub async fn play(
    state: &AppState,
    caller: &Caller,
    input: &PlayInput,
) -> Result<PlayOutcome, AppError> {
    let account = caller.verified()?;
    let now = state.clock.now();
    throttle::attempt(
        &state.db,
        &[throttle::ThrottleKey::account(
            "envelope_play",
            &account.email,
        )],
        now,
    )
    .await?;
    let Some(pool) = live_pool(&state.db, now).await? else {
        return Ok(PlayOutcome {
            won: None,
            message: "No red envelopes are being handed out right now.".into(),
        });
    };
    let moment = moment_of(&state.db, input, now).await?;
    if let Some(outcome) = played(&state.db, pool.id, &moment, account.id, now).await? {
        return Ok(outcome);
    }
    let mut left = pool.remaining_minor;
    for _ in 0..DRAWS {
        // Drawn before the transaction: the rng never crosses an await.
        let Some(amount) = draw(&pool, left, &mut rand::rng()) else {
            break;
        };
        match try_win(state, &pool, &moment, account.id, amount, now).await? {
            Won::Envelope(envelope) => {
                return Ok(PlayOutcome {
                    message: format!(
                        "You won a red envelope of {}!",
                        money::format_amount(envelope.amount_minor, &envelope.currency)
                    ),
                    won: Some(envelope),
                })
            }
            Won::AlreadyPlayed => {
                return Ok(played(&state.db, pool.id, &moment, account.id, now)
                    .await?
                    .unwrap_or_else(no_luck))
            }
            Won::AtLimit => break,
            Won::PoolMoved => {
                left = envelope_pool::Entity::find_by_id(pool.id)
                    .one(&state.db)
                    .await?
                    .map_or(0, |p| p.remaining_minor);
            }
        }
    }
    // Lost (or the pool or the buyer's limit ran out): recorded, so the moment is played once.
    let recorded = record_play(&state.db, pool.id, &moment, account.id, None, now).await?;
    if !recorded {
        // A parallel play of the same moment was first: its outcome is the answer.
        return Ok(played(&state.db, pool.id, &moment, account.id, now)
            .await?
            .unwrap_or_else(no_luck));
    }
    Ok(no_luck())
}

fn no_luck() -> PlayOutcome {
    PlayOutcome {
        won: None,
        message: "No envelope this time. Try again at the next moment!".into(),
    }
}

/// Records `account`'s play of `moment` (won: `envelope_id`) unless it was played already;
/// answers whether it was recorded.
async fn record_play(
    db: &impl ConnectionTrait,
    pool_id: Uuid,
    moment: &str,
    account: Uuid,
    envelope_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let recorded = envelope_play::Entity::insert(
        envelope_play::Model {
            pool_id,
            moment: moment.to_owned(),
            account_id: account,
            envelope_id,
            played_at: now,
        }
        .into_active_model(),
    )
    .on_conflict(
        OnConflict::columns([
            envelope_play::Column::PoolId,
            envelope_play::Column::Moment,
            envelope_play::Column::AccountId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(recorded == 1)
}

/// The outcome of a moment already played, if it was.
async fn played(
    db: &impl ConnectionTrait,
    pool_id: Uuid,
    moment: &str,
    account: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<PlayOutcome>, AppError> {
    let Some(play) = envelope_play::Entity::find_by_id((pool_id, moment.to_owned(), account))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let envelope = match play.envelope_id {
        Some(id) => red_envelope::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    Ok(Some(PlayOutcome {
        message: "You have played this moment already.".into(),
        won: envelope.map(|e| view(&e, now)),
    }))
}

/// What one attempt at a win did.
enum Won {
    Envelope(EnvelopeView),
    AlreadyPlayed,
    /// The buyer has won as many envelopes, or as much, as one buyer may.
    AtLimit,
    /// Less than the amount was left: draw again against what is.
    PoolMoved,
}

/// One transaction: the play recorded, the amount taken from the pool and counted against the
/// buyer (each by one conditional update), the envelope written. Nothing is written unless all
/// of it is.
async fn try_win(
    state: &AppState,
    pool: &envelope_pool::Model,
    moment: &str,
    account: Uuid,
    amount: i64,
    now: DateTime<Utc>,
) -> Result<Won, AppError> {
    let txn = begin_write(&state.db).await?;
    let id = Uuid::now_v7();
    let recorded = record_play(&txn, pool.id, &moment, account, Some(id), now).await?;
    if !recorded {
        return Ok(Won::AlreadyPlayed);
    }
    let taken = envelope_pool::Entity::update_many()
        .col_expr(
            envelope_pool::Column::RemainingMinor,
            Expr::col(envelope_pool::Column::RemainingMinor).sub(amount),
        )
        .filter(envelope_pool::Column::Id.eq(pool.id))
        .filter(envelope_pool::Column::RemainingMinor.gte(amount))
        .exec(&txn)
        .await?;
    if taken.rows_affected != 1 {
        return Ok(Won::PoolMoved);
    }
    envelope_buyer::Entity::insert(
        envelope_buyer::Model {
            pool_id: pool.id,
            account_id: account,
            won_count: 0,
            won_minor: 0,
        }
        .into_active_model(),
    )
    .on_conflict(
        OnConflict::columns([
            envelope_buyer::Column::PoolId,
            envelope_buyer::Column::AccountId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let counted = envelope_buyer::Entity::update_many()
        .col_expr(
            envelope_buyer::Column::WonCount,
            Expr::col(envelope_buyer::Column::WonCount).add(1),
        )
        .col_expr(
            envelope_buyer::Column::WonMinor,
            Expr::col(envelope_buyer::Column::WonMinor).add(amount),
        )
        .filter(envelope_buyer::Column::PoolId.eq(pool.id))
        .filter(envelope_buyer::Column::AccountId.eq(account))
        .filter(envelope_buyer::Column::WonCount.lt(i64::from(pool.per_buyer_count)))
        .filter(
            Expr::col(envelope_buyer::Column::WonMinor)
                .add(amount)
                .lte(pool.per_buyer_minor),
        )
        .exec(&txn)
        .await?;
    if counted.rows_affected != 1 {
        return Ok(Won::AtLimit);
    }
    let expires_at = Ord::min(
        now + TimeDelta::seconds(i64::from(pool.valid_secs)),
        pool.ends_at,
    );
    let row = red_envelope::Model {
        id,
        pool_id: pool.id,
        account_id: account,
        moment: moment.to_owned(),
        amount_minor: amount,
        currency: pool.currency.clone(),
        status: EnvelopeStatus::Won,
        order_id: None,
        won_at: now,
        expires_at,
        updated_at: now,
    }
    .into_active_model()
    .reset_all()
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(Won::Envelope(view(&row, now)))
}

/// The envelopes of `account`, newest first.
pub async fn mine(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account: Uuid,
) -> Result<Vec<EnvelopeView>, AppError> {
    Ok(red_envelope::Entity::find()
        .filter(red_envelope::Column::AccountId.eq(account))
        .order_by_desc(red_envelope::Column::WonAt)
        .limit(200)
        .all(db)
        .await?
        .iter()
        .map(|e| view(e, now))
        .collect())
}

/// A red envelope ready for use, as the checkout prices with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usable {
    pub owner: Uuid,
    pub pool_id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
}

/// The envelopes of `ids` still ready for use at `now`, by id.
pub async fn usable(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, Usable>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    // By id alone, the rest checked here: given `status` and `expires_at` too, SQLite's
    // planner walks the expiry index — every ready envelope of the festival — instead of
    // looking the batch's few up by key (measured: −54% orders/s with 40,000 in wallets).
    Ok(red_envelope::Entity::find()
        .filter(red_envelope::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .filter(|e| e.status == EnvelopeStatus::Won && e.expires_at > now)
        .map(|e| {
            (
                e.id,
                Usable {
                    owner: e.account_id,
                    pool_id: e.pool_id,
                    amount_minor: e.amount_minor,
                    currency: e.currency,
                },
            )
        })
        .collect())
}

/// Expires envelopes not used in time and returns their money to their pools, each once:
/// claimed under the write lock (row locks on PostgreSQL) and moved by a conditional update.
/// Answers how many expired.
pub async fn expire_due(
    db: &sea_orm::DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    // A literal, not a bound value: it is what lets both databases use the partial index of
    // won envelopes (`idx_red_envelope_expiry`, migration 000025).
    let won = || Expr::cust(format!("\"status\" = '{}'", EnvelopeStatus::Won.as_str()));
    let any: Option<Uuid> = red_envelope::Entity::find()
        .select_only()
        .column(red_envelope::Column::Id)
        .filter(won())
        .filter(red_envelope::Column::ExpiresAt.lte(now))
        .into_tuple()
        .one(db)
        .await?;
    if any.is_none() {
        return Ok(0);
    }
    let txn = begin_write(db).await?;
    let mut due = red_envelope::Entity::find()
        .filter(won())
        .filter(red_envelope::Column::ExpiresAt.lte(now))
        .order_by_asc(red_envelope::Column::Id)
        .limit(EXPIRE_PER_RUN);
    if db.get_database_backend() == DbBackend::Postgres {
        due = due.lock_exclusive();
    }
    let due = due.all(&txn).await?;
    red_envelope::Entity::update_many()
        .col_expr(
            red_envelope::Column::Status,
            Expr::value(EnvelopeStatus::Expired.as_str()),
        )
        .col_expr(red_envelope::Column::UpdatedAt, Expr::value(now))
        .filter(red_envelope::Column::Id.is_in(due.iter().map(|e| e.id)))
        .filter(red_envelope::Column::Status.eq(EnvelopeStatus::Won))
        .exec(&txn)
        .await?;
    let mut back: HashMap<Uuid, i64> = HashMap::new();
    for envelope in &due {
        *back.entry(envelope.pool_id).or_default() += envelope.amount_minor;
    }
    for (pool, amount) in back {
        envelope_pool::Entity::update_many()
            .col_expr(
                envelope_pool::Column::RemainingMinor,
                Expr::col(envelope_pool::Column::RemainingMinor).add(amount),
            )
            .filter(envelope_pool::Column::Id.eq(pool))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(due.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, SeedableRng};

    fn pool(min: i64, max: i64, win_percent: i32) -> envelope_pool::Model {
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        envelope_pool::Model {
            id: Uuid::nil(),
            name: "Pool".into(),
            currency: "CNY".into(),
            budget_minor: 1_000_000,
            remaining_minor: 1_000_000,
            min_minor: min,
            max_minor: max,
            win_percent,
            per_buyer_count: 3,
            per_buyer_minor: 10_000,
            valid_secs: 3600,
            starts_at: at,
            ends_at: at,
            created_at: at,
        }
    }

    #[test]
    fn draws_stay_in_range_never_exceed_what_is_left_and_stop_below_the_minimum() {
        let mut rng = StdRng::seed_from_u64(11);
        let pool = pool(100, 888, 100);
        for _ in 0..10_000 {
            let amount = draw(&pool, 1_000_000, &mut rng).unwrap();
            assert!((100..=888).contains(&amount));
        }
        assert_eq!(draw(&pool, 250, &mut rng).map(|a| a <= 250), Some(true));
        assert_eq!(
            draw(&pool, 99, &mut rng),
            None,
            "less than the minimum left"
        );
    }

    #[test]
    fn the_chance_to_win_is_the_pools() {
        let mut rng = StdRng::seed_from_u64(7);
        let pool = pool(100, 200, 30);
        let wins = (0..10_000)
            .filter(|_| draw(&pool, 1_000_000, &mut rng).is_some())
            .count();
        assert!((2_700..3_300).contains(&wins), "{wins}");
        assert_eq!(draw(&self::pool(1, 2, 0), 10, &mut rng), None);
    }
}
