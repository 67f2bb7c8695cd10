//! Every change to a placed order: payment outcomes and expiry (the checkout's chores), and
//! after the sale shipping, refunds and cancels (decided by fulfilment, recorded here). Each
//! change is conditional on the state it leaves, so two people or two nodes racing make one
//! change, and the loser is told.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::{brand_order, order_line, shop_order};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::checkout::{BrandOrderStatus, OrderStatus};
use crate::core::{time, AppError};

/// Of `ids`, the orders still in `status` — locked on PostgreSQL (on SQLite the writer holds
/// the database), so two nodes never both move one order on: the expiry sweeps of two nodes
/// (`pending_payment`), a balance and its window's close (`balance_due`).
pub async fn lock_in_status(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    status: OrderStatus,
) -> Result<HashSet<Uuid>, AppError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let mut query = shop_order::Entity::find()
        .select_only()
        .column(shop_order::Column::Id)
        .filter(shop_order::Column::Id.is_in(ids.to_vec()))
        .filter(shop_order::Column::Status.eq(status))
        .order_by_asc(shop_order::Column::Id);
    if db.get_database_backend() == DbBackend::Postgres {
        query = query.lock_exclusive();
    }
    Ok(query
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Settles deposit orders `ids` whose balances were paid (`balance_due` → `balance_paid`, with
/// their brand orders), each once: false, and nothing changed that the caller must keep, when
/// one of them was no longer waiting (or is named twice).
pub async fn settle_deposits(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    at: DateTime<Utc>,
) -> Result<bool, AppError> {
    if ids.is_empty() {
        return Ok(true);
    }
    let settled = shop_order::Entity::update_many()
        .col_expr(
            shop_order::Column::Status,
            Expr::value(OrderStatus::BalancePaid.as_str()),
        )
        .col_expr(shop_order::Column::UpdatedAt, Expr::value(at))
        .filter(shop_order::Column::Id.is_in(ids.to_vec()))
        .filter(shop_order::Column::Status.eq(OrderStatus::BalanceDue))
        .exec(db)
        .await?;
    if settled.rows_affected != ids.len() as u64 {
        return Ok(false);
    }
    brand_order::Entity::update_many()
        .col_expr(
            brand_order::Column::Status,
            Expr::value(BrandOrderStatus::BalancePaid.as_str()),
        )
        .col_expr(brand_order::Column::UpdatedAt, Expr::value(at))
        .filter(brand_order::Column::OrderId.is_in(ids.to_vec()))
        .exec(db)
        .await?;
    Ok(true)
}

/// Moves `ids` (and their brand orders) to `status`.
pub async fn set_status(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    status: OrderStatus,
    paid_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<(), AppError> {
    if ids.is_empty() {
        return Ok(());
    }
    let at = time::now();
    let mut update = shop_order::Entity::update_many()
        .col_expr(shop_order::Column::Status, Expr::value(status.as_str()))
        .col_expr(shop_order::Column::UpdatedAt, Expr::value(at));
    if let Some(paid_at) = paid_at {
        update = update.col_expr(shop_order::Column::PaidAt, Expr::value(paid_at));
    }
    update
        .filter(shop_order::Column::Id.is_in(ids.to_vec()))
        .exec(db)
        .await?;
    brand_order::Entity::update_many()
        .col_expr(brand_order::Column::Status, Expr::value(status.as_str()))
        .col_expr(brand_order::Column::UpdatedAt, Expr::value(at))
        .filter(brand_order::Column::OrderId.is_in(ids.to_vec()))
        .exec(db)
        .await?;
    Ok(())
}

/// Records that `orders`' confirmation mail was queued (the chores queue it once).
pub async fn confirmation_queued(
    db: &impl ConnectionTrait,
    orders: &[Uuid],
) -> Result<(), AppError> {
    shop_order::Entity::update_many()
        .col_expr(
            shop_order::Column::ConfirmationQueuedAt,
            Expr::value(time::now()),
        )
        .filter(shop_order::Column::Id.is_in(orders.to_vec()))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks paid brand order `id` shipped with `carrier` and `tracking`; false when it was not
/// paid (any more).
pub async fn ship(
    db: &impl ConnectionTrait,
    id: Uuid,
    carrier: &str,
    tracking: &str,
    at: DateTime<Utc>,
) -> Result<bool, AppError> {
    let shipped = brand_order::Entity::update_many()
        .col_expr(
            brand_order::Column::Status,
            Expr::value(BrandOrderStatus::Shipped.as_str()),
        )
        .col_expr(brand_order::Column::Carrier, Expr::value(carrier))
        .col_expr(brand_order::Column::TrackingNumber, Expr::value(tracking))
        .col_expr(brand_order::Column::ShippedAt, Expr::value(at))
        .col_expr(brand_order::Column::UpdatedAt, Expr::value(at))
        .filter(brand_order::Column::Id.eq(id))
        .filter(brand_order::Column::Status.eq(BrandOrderStatus::Paid))
        .exec(db)
        .await?;
    Ok(shipped.rows_affected == 1)
}

/// Counts `quantity` more units of line `line_id` refunded; false (nothing changed) when that
/// would refund more units than the line has — someone else refunded meanwhile.
pub async fn refund_units(
    db: &impl ConnectionTrait,
    line_id: Uuid,
    quantity: i64,
) -> Result<bool, AppError> {
    let updated = order_line::Entity::update_many()
        .col_expr(
            order_line::Column::RefundedQuantity,
            Expr::col(order_line::Column::RefundedQuantity).add(quantity),
        )
        .filter(order_line::Column::Id.eq(line_id))
        .filter(
            Expr::col(order_line::Column::RefundedQuantity)
                .add(quantity)
                .lte(Expr::col(order_line::Column::Quantity)),
        )
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Adds `amount` to brand order `id`'s refunded total and moves it to `status` (cancelled:
/// stamped as such).
pub async fn record_refund(
    db: &impl ConnectionTrait,
    id: Uuid,
    amount: i64,
    status: BrandOrderStatus,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut update = brand_order::Entity::update_many()
        .col_expr(
            brand_order::Column::RefundedMinor,
            Expr::col(brand_order::Column::RefundedMinor).add(amount),
        )
        .col_expr(brand_order::Column::Status, Expr::value(status.as_str()))
        .col_expr(brand_order::Column::UpdatedAt, Expr::value(at));
    if status == BrandOrderStatus::Cancelled {
        update = update.col_expr(brand_order::Column::CancelledAt, Expr::value(at));
    }
    update
        .filter(brand_order::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Closes order `order_id` for its buyer (cancelled) when every brand's part of it was
/// cancelled or refunded, and gives back what it took from promotions (its coupon returns to
/// the wallet: `promotions::budget` says the rule).
pub async fn close_when_all_given_back(
    db: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<(), AppError> {
    let open = brand_order::Entity::find()
        .filter(brand_order::Column::OrderId.eq(order_id))
        .filter(
            brand_order::Column::Status
                .is_not_in([BrandOrderStatus::Cancelled, BrandOrderStatus::Refunded]),
        )
        .one(db)
        .await?;
    if open.is_none() {
        shop_order::Entity::update_many()
            .col_expr(
                shop_order::Column::Status,
                Expr::value(OrderStatus::Cancelled.as_str()),
            )
            .col_expr(shop_order::Column::UpdatedAt, Expr::value(time::now()))
            .filter(shop_order::Column::Id.eq(order_id))
            .exec(db)
            .await?;
        crate::promotions::budget::give_back(db, &[order_id], time::now()).await?;
    }
    Ok(())
}
