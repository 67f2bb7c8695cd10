//! Checkout's background chores, run every second by the server on every node: unpaid
//! reservations that lapse return their stock (and red envelopes not used in time return
//! their money to their pool), authorised payments of paid orders are
//! captured, and paid orders get their confirmation mail — written here, many per
//! transaction, so the checkout path never renders mail. Each claims its rows under the write
//! lock (row locks on PostgreSQL), so two nodes never do the same work twice.

use std::collections::HashSet;

use entity::{order_line, payment, shop_order};
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{limits, orders, payments, Engine, OrderStatus};
use crate::catalog::stock::{self, ledger, MovementKind};
use crate::core::{time, txn::begin_write, AppError};
use crate::mail::Outbox;
use entity::values::PaymentStatus;

/// Orders expired per transaction.
const EXPIRE_PER_RUN: u64 = 200;
/// Payments captured per run.
const CAPTURE_PER_RUN: u64 = 1_000;
/// Confirmation mails queued per round (a round a second: 500 mails/s).
const MAIL_PER_RUN: u64 = 500;

/// One round of chores; answers how many orders expired.
pub async fn run_once(
    engine: &Engine,
    outbox: &Outbox,
    public_url: &str,
) -> Result<usize, AppError> {
    let expired = expire_due(engine).await?;
    crate::promotions::envelopes::expire_due(engine.db(), engine.clock().now()).await?;
    capture_authorized(engine).await?;
    // At most MAIL_PER_RUN per round: in a rush, mail lags (durably: the order says it is
    // due) instead of taking CPU from checkout, and catches up afterwards.
    queue_confirmations(engine.db(), outbox, public_url).await?;
    Ok(expired)
}

/// Queues the confirmation mail of up to [`MAIL_PER_RUN`] paid orders that have none yet.
async fn queue_confirmations(
    db: &sea_orm::DatabaseConnection,
    outbox: &Outbox,
    public_url: &str,
) -> Result<usize, AppError> {
    let due: Vec<Uuid> = shop_order::Entity::find()
        .select_only()
        .column(shop_order::Column::Id)
        .filter(shop_order::Column::Status.eq(OrderStatus::Paid))
        .filter(shop_order::Column::ConfirmationQueuedAt.is_null())
        .limit(MAIL_PER_RUN)
        .into_tuple()
        .all(db)
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let txn = begin_write(db).await?;
    // Claimed under the write lock (PostgreSQL: row locks), so two nodes never mail twice.
    let mut claim = shop_order::Entity::find()
        .filter(shop_order::Column::Id.is_in(due))
        .filter(shop_order::Column::ConfirmationQueuedAt.is_null());
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        claim = claim.lock_exclusive();
    }
    let claimed = claim.all(&txn).await?;
    let ids: Vec<Uuid> = claimed.iter().map(|o| o.id).collect();
    let mails = orders::views(&txn, claimed)
        .await?
        .iter()
        .map(|view| orders::confirmation_mail(public_url, view))
        .collect();
    crate::mail::enqueue_many(&txn, mails).await?;
    orders::changes::confirmation_queued(&txn, &ids).await?;
    txn.commit().await?;
    outbox.wake();
    Ok(ids.len())
}

/// Returns the stock of unpaid orders whose reservation lapsed and marks them expired.
async fn expire_due(engine: &Engine) -> Result<usize, AppError> {
    let now = engine.clock().now();
    let due: Vec<Uuid> = shop_order::Entity::find()
        .select_only()
        .column(shop_order::Column::Id)
        // A literal, not a bound value: it is what lets both databases use the partial index
        // of unpaid orders (`idx_shop_order_pending_expiry`, migration 000016).
        .filter(Expr::cust(format!(
            "\"status\" = '{}'",
            OrderStatus::PendingPayment.as_str()
        )))
        .filter(shop_order::Column::ExpiresAt.lte(now))
        .order_by_asc(shop_order::Column::ExpiresAt)
        .limit(EXPIRE_PER_RUN)
        .into_tuple()
        .all(engine.db())
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let txn = begin_write(engine.db()).await?;
    let live: Vec<Uuid> = orders::changes::lock_in_status(&txn, &due, OrderStatus::PendingPayment)
        .await?
        .into_iter()
        .collect();
    let skus = release_reserved(&txn, &live).await?;
    // Their coupons back to the wallets, their uses and money back to the promotions.
    crate::promotions::budget::give_back(&txn, &live, now).await?;
    orders::changes::set_status(&txn, &live, OrderStatus::Expired, None).await?;
    let holds: Vec<(Uuid, Option<String>)> = payment::Entity::find()
        .select_only()
        .column(payment::Column::Id)
        .column(payment::Column::Reference)
        .filter(payment::Column::OrderId.is_in(live.clone()))
        .filter(payment::Column::Status.is_in([PaymentStatus::Pending, PaymentStatus::Authorized]))
        .into_tuple()
        .all(&txn)
        .await?;
    payment::Entity::update_many()
        .col_expr(payment::Column::Status, Expr::value(PaymentStatus::Voided))
        .col_expr(payment::Column::UpdatedAt, Expr::value(time::now()))
        .filter(payment::Column::Id.is_in(holds.iter().map(|(id, _)| *id)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    engine.restocked(skus);
    for reference in holds.into_iter().filter_map(|(_, r)| r) {
        if let Err(err) = engine.provider().void(&reference).await {
            tracing::warn!(error = %err, "voiding an expired authorisation failed");
        }
    }
    if !live.is_empty() {
        tracing::info!(orders = live.len(), "unpaid reservations expired");
    }
    Ok(live.len())
}

/// Releases the units orders `ids` (locked by the caller) hold reserved, and gives them back to
/// their buyers' limits; answers the SKUs released.
async fn release_reserved(
    txn: &impl sea_orm::ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashSet<Uuid>, AppError> {
    let rows = shop_order::Entity::find()
        .filter(shop_order::Column::Id.is_in(ids.to_vec()))
        .all(txn)
        .await?;
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.is_in(ids.to_vec()))
        .all(txn)
        .await?;
    let mut movements = Vec::new();
    let mut skus = HashSet::new();
    let mut listings = HashSet::new();
    let mut held_back = Vec::new();
    for order in &rows {
        let order_lines: Vec<&order_line::Model> =
            lines.iter().filter(|l| l.order_id == order.id).collect();
        for line in &order_lines {
            movements.extend(orders::line_movements(
                MovementKind::Release,
                line,
                &orders::parse_allocations(&line.allocations),
                &format!("Order {}", order.number),
                order.account_id,
                &order.id.to_string(),
            ));
            skus.insert(line.sku_id);
            listings.insert(line.listing_id);
        }
        let held: Vec<(Uuid, i64)> = order_lines.iter().map(|l| (l.sku_id, l.quantity)).collect();
        held_back.push((limits::buyer_key(order.account_id, &order.email), held));
    }
    // Stock rows first, then listings, then limits: the order checkout locks them in, so the
    // two never wait on each other crosswise. The rows are locked and were reserved by these
    // orders: a refusal is a bug.
    if !ledger::try_record(txn, &movements).await? {
        return Err(AppError::internal("a reservation's stock was not there"));
    }
    stock::refresh_listings(txn, listings).await?;
    for (buyer_key, held) in &held_back {
        limits::give_back(txn, buyer_key, held).await?;
    }
    Ok(skus)
}

/// Forfeits the deposits of pre-sale campaign `campaign` still waiting for their balance (its
/// balance window has closed), inside the caller's transaction: each `balance_due` →
/// `forfeited` under the orders' locks — the same rows a balance's commit settles, so a
/// balance paid at the last second and this close end in one state — and their reserved
/// units released; the deposits are kept, as the campaign's rules said. Answers the orders
/// forfeited and the SKUs released.
pub async fn forfeit_deposits(
    txn: &impl sea_orm::ConnectionTrait,
    campaign: Uuid,
) -> Result<(Vec<Uuid>, HashSet<Uuid>), AppError> {
    let due: Vec<Uuid> = shop_order::Entity::find()
        .select_only()
        .column(shop_order::Column::Id)
        .filter(shop_order::Column::PresaleCampaignId.eq(campaign))
        .filter(shop_order::Column::Status.eq(OrderStatus::BalanceDue))
        .into_tuple()
        .all(txn)
        .await?;
    let live: Vec<Uuid> = orders::changes::lock_in_status(txn, &due, OrderStatus::BalanceDue)
        .await?
        .into_iter()
        .collect();
    if live.is_empty() {
        return Ok((live, HashSet::new()));
    }
    let skus = release_reserved(txn, &live).await?;
    orders::changes::set_status(txn, &live, OrderStatus::Forfeited, None).await?;
    Ok((live, skus))
}

/// Captures the authorised payments of paid orders, unless another node's round is capturing.
async fn capture_authorized(engine: &Engine) -> Result<(), AppError> {
    // A read first: an idle round takes no write lock (SQLite's is the one checkout needs).
    let any: Option<Uuid> = payment::Entity::find()
        .select_only()
        .column(payment::Column::Id)
        .filter(payments::capturable())
        .into_tuple()
        .one(engine.db())
        .await?;
    if any.is_none() {
        return Ok(());
    }
    let done = payments::capture(
        engine.db(),
        engine.provider().as_ref(),
        payments::ToCapture::Due(CAPTURE_PER_RUN),
    )
    .await?;
    for (payment, error) in done.refused {
        tracing::warn!(%error, %payment, "capture failed; will retry");
    }
    Ok(())
}
