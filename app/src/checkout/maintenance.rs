//! The engine's background chores: unpaid reservations that lapse return their stock,
//! authorised payments of paid orders are captured, and paid orders get their confirmation
//! mail — written here, many per transaction, so the checkout path never renders mail; and
//! refunds the provider could not take at once are sent again.

use std::collections::{BTreeMap, HashSet};

use entity::{order_line, payment, shop_order, sku_purchase, stock_movement};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::batch::apply_level_deltas;
use super::engine::Core;
use super::{idempotency, orders, OrderStatus};
use crate::catalog::stock::{self, MovementKind};
use crate::core::{bulk, time, txn::begin_write, AppError};

/// Orders expired per transaction.
const EXPIRE_PER_RUN: u64 = 200;
/// Payments captured per run.
const CAPTURE_PER_RUN: u64 = 1_000;
/// Confirmation mails queued per round (a round a second: 500 mails/s).
const MAIL_PER_RUN: u64 = 500;

/// One round of chores; answers how many orders expired.
pub(super) async fn run_once(core: &Core) -> Result<usize, AppError> {
    let expired = expire_due(core).await?;
    capture_authorized(core).await?;
    crate::fulfilment::service::settle_pending_refunds(&core.db, core.provider.as_ref()).await?;
    // At most MAIL_PER_RUN per round: in a rush, mail lags (durably: the order says it is
    // due) instead of taking CPU from checkout, and catches up afterwards.
    queue_confirmations(core).await?;
    Ok(expired)
}

/// Queues the confirmation mail of up to [`MAIL_PER_RUN`] paid orders that have none yet.
pub(super) async fn queue_confirmations(core: &Core) -> Result<usize, AppError> {
    let due: Vec<Uuid> = shop_order::Entity::find()
        .select_only()
        .column(shop_order::Column::Id)
        .filter(shop_order::Column::Status.eq(OrderStatus::Paid.as_str()))
        .filter(shop_order::Column::ConfirmationQueuedAt.is_null())
        .limit(MAIL_PER_RUN)
        .into_tuple()
        .all(&core.db)
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let txn = begin_write(&core.db).await?;
    // Claimed under the write lock (PostgreSQL: row locks), so two nodes never mail twice.
    let mut claim = shop_order::Entity::find()
        .filter(shop_order::Column::Id.is_in(due))
        .filter(shop_order::Column::ConfirmationQueuedAt.is_null());
    if core.db.get_database_backend() == sea_orm::DbBackend::Postgres {
        claim = claim.lock_exclusive();
    }
    let claimed = claim.all(&txn).await?;
    let ids: Vec<Uuid> = claimed.iter().map(|o| o.id).collect();
    let mails = orders::views(&txn, claimed)
        .await?
        .iter()
        .map(|view| orders::confirmation_mail(&core.public_url, view))
        .collect();
    crate::mail::enqueue_many(&txn, mails).await?;
    shop_order::Entity::update_many()
        .col_expr(
            shop_order::Column::ConfirmationQueuedAt,
            Expr::value(time::now()),
        )
        .filter(shop_order::Column::Id.is_in(ids.clone()))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    core.outbox.wake();
    Ok(ids.len())
}

/// Deletes idempotency records past their keeping time; answers how many.
pub(super) async fn purge(core: &Core) -> Result<u64, AppError> {
    idempotency::purge_expired(&core.db).await
}

/// Returns the stock of unpaid orders whose reservation lapsed and marks them expired.
async fn expire_due(core: &Core) -> Result<usize, AppError> {
    let now = time::now();
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
        .all(&core.db)
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let txn = begin_write(&core.db).await?;
    let live: Vec<Uuid> = orders::lock_pending(&txn, &due)
        .await?
        .into_iter()
        .collect();
    let rows = shop_order::Entity::find()
        .filter(shop_order::Column::Id.is_in(live.clone()))
        .all(&txn)
        .await?;
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.is_in(live.clone()))
        .all(&txn)
        .await?;
    let mut deltas: BTreeMap<(Uuid, Uuid), (i64, i64)> = BTreeMap::new();
    let mut movements = Vec::new();
    let mut skus = HashSet::new();
    let mut listings = HashSet::new();
    let mut held_back = Vec::new();
    for order in &rows {
        let order_lines: Vec<&order_line::Model> =
            lines.iter().filter(|l| l.order_id == order.id).collect();
        for line in &order_lines {
            move_line_stock(
                MovementKind::Release,
                line,
                &orders::parse_allocations(&line.allocations),
                order,
                &mut deltas,
                &mut movements,
            );
            skus.insert(line.sku_id);
            listings.insert(line.listing_id);
        }
        let held: Vec<(Uuid, i64)> = order_lines.iter().map(|l| (l.sku_id, l.quantity)).collect();
        held_back.push((format!("email:{}", order.email), held));
    }
    // Stock rows first, then listings, then limits: the order checkout locks them in, so the
    // two never wait on each other crosswise.
    apply_level_deltas(&txn, &deltas).await?;
    stock::refresh_listings(&txn, listings).await?;
    for (buyer_key, held) in &held_back {
        remove_held(&txn, buyer_key, held).await?;
    }
    bulk::insert_all(&txn, movements).await?;
    orders::set_status(&txn, &live, OrderStatus::Expired, None).await?;
    let holds: Vec<(Uuid, Option<String>)> = payment::Entity::find()
        .select_only()
        .column(payment::Column::Id)
        .column(payment::Column::Reference)
        .filter(payment::Column::OrderId.is_in(live.clone()))
        .filter(payment::Column::Status.is_in(["pending", "authorized"]))
        .into_tuple()
        .all(&txn)
        .await?;
    payment::Entity::update_many()
        .col_expr(payment::Column::Status, Expr::value("voided"))
        .col_expr(payment::Column::UpdatedAt, Expr::value(time::now()))
        .filter(payment::Column::Id.is_in(holds.iter().map(|(id, _)| *id)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    core.restocked(skus);
    for reference in holds.into_iter().filter_map(|(_, r)| r) {
        if let Err(err) = core.provider.void(&reference).await {
            tracing::warn!(error = %err, "voiding an expired authorisation failed");
        }
    }
    if !live.is_empty() {
        tracing::info!(orders = live.len(), "unpaid reservations expired");
    }
    Ok(live.len())
}

/// Captures the authorised payments of paid orders.
async fn capture_authorized(core: &Core) -> Result<(), AppError> {
    let due = payment::Entity::find()
        .filter(payment::Column::Status.eq("authorized"))
        .filter(payment::Column::Kind.eq("charge"))
        .limit(CAPTURE_PER_RUN)
        .all(&core.db)
        .await?;
    let mut captured = Vec::new();
    for p in &due {
        let Some(reference) = &p.reference else {
            continue;
        };
        match core.provider.capture(reference, p.amount_minor).await {
            Ok(()) => captured.push(p.id),
            Err(err) => tracing::warn!(error = %err, payment = %p.id, "capture failed; will retry"),
        }
    }
    if captured.is_empty() {
        return Ok(());
    }
    let txn = begin_write(&core.db).await?;
    payment::Entity::update_many()
        .col_expr(payment::Column::Status, Expr::value("captured"))
        .col_expr(payment::Column::UpdatedAt, Expr::value(time::now()))
        .filter(payment::Column::Id.is_in(captured))
        .filter(payment::Column::Status.eq("authorized"))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Takes units off buyers' held counts (the order did not go through: its reservation lapsed).
async fn remove_held(
    db: &impl ConnectionTrait,
    buyer_key: &str,
    limited: &[(Uuid, i64)],
) -> Result<(), AppError> {
    for (sku_id, quantity) in limited {
        let taken_off = sku_purchase::Entity::update_many()
            .col_expr(
                sku_purchase::Column::Quantity,
                Expr::col(sku_purchase::Column::Quantity).sub(*quantity),
            )
            .filter(sku_purchase::Column::SkuId.eq(*sku_id))
            .filter(sku_purchase::Column::BuyerKey.eq(buyer_key))
            .filter(sku_purchase::Column::Quantity.gte(*quantity))
            .exec(db)
            .await?;
        if taken_off.rows_affected == 0 {
            // Counted with fewer units (a limit added after the order): never below zero.
            sku_purchase::Entity::update_many()
                .col_expr(sku_purchase::Column::Quantity, Expr::value(0i64))
                .filter(sku_purchase::Column::SkuId.eq(*sku_id))
                .filter(sku_purchase::Column::BuyerKey.eq(buyer_key))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// Adds what `kind` does to `line`'s units at each of its locations: the level deltas (per
/// SKU and location) and one ledger row per location.
fn move_line_stock(
    kind: MovementKind,
    line: &order_line::Model,
    allocations: &[(Uuid, i64)],
    order: &shop_order::Model,
    deltas: &mut BTreeMap<(Uuid, Uuid), (i64, i64)>,
    movements: &mut Vec<stock_movement::ActiveModel>,
) {
    for &(location, quantity) in allocations {
        let (on_hand, reserved) = kind.order_deltas(quantity);
        let delta = deltas.entry((line.sku_id, location)).or_default();
        delta.0 += on_hand;
        delta.1 += reserved;
        movements.push(movement(kind, line, location, quantity, order));
    }
}

/// A ledger row for `quantity` units of `line` at `location`.
fn movement(
    kind: MovementKind,
    line: &order_line::Model,
    location: Uuid,
    quantity: i64,
    order: &shop_order::Model,
) -> stock_movement::ActiveModel {
    let (on_hand_delta, reserved_delta) = kind.order_deltas(quantity);
    stock_movement::Model {
        id: Uuid::now_v7(),
        brand_id: line.brand_id,
        sku_id: line.sku_id,
        location_id: location,
        kind: kind.as_str().to_owned(),
        on_hand_delta,
        reserved_delta,
        reason: format!("Order {}", order.number),
        actor_account_id: order.account_id,
        reference: Some(order.id.to_string()),
        created_at: time::now(),
    }
    .into_active_model()
}
