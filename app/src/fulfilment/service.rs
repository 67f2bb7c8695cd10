//! A brand's orders in the database: listing and reading them, shipping, cancelling and
//! refunding — each a conditional update under the write lock, so two people of one team
//! clicking at once cannot ship twice or refund more than was paid.

use crate::state::AppState;
use std::collections::{BTreeMap, HashMap, HashSet};

use entity::{brand_order, order_line, payment, refund, shop_order};
use sea_orm::{
    sea_query::{Expr, Query},
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{
    BrandOrderDetail, BrandOrderFilter, BrandOrderLine, BrandOrderPage, BrandOrderSummary,
    FulfilInput, RefundInput,
};
use crate::auth::audit::ClientContext;
use crate::brands::BrandScope;
use crate::catalog::stock::{self, ledger, MovementKind};
use crate::checkout::orders::{
    changes, line_movements, line_view, parse_allocations, payment_view,
};
use crate::checkout::payments::{self, PaymentProvider};
use crate::checkout::{limits, pricing};
use crate::checkout::{AddressInput, BrandOrderStatus};
use crate::core::lease::{lease_free, set_lease};
use crate::core::{cursor, money, time, txn::begin_write, AppError, FieldErrors, FieldErrorsExt};
use crate::mail::templates;
use entity::values::{PaymentStatus, RefundStatus};

/// Orders per page of the brand's list.
pub const PAGE_SIZE: u64 = 25;

/// The brand's orders, newest first, filtered by status and by order number or buyer email.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    filter: &BrandOrderFilter,
) -> Result<BrandOrderPage, AppError> {
    let mut query = scope
        .find::<brand_order::Entity>()
        .order_by_desc(brand_order::Column::CreatedAt)
        .order_by_desc(brand_order::Column::Id)
        .limit(PAGE_SIZE + 1);
    if let Some(status) = filter.status.as_deref().filter(|s| !s.is_empty()) {
        let status = BrandOrderStatus::parse(status)
            .ok_or_else(|| AppError::field("status", "Unknown order status."))?;
        query = query.filter(brand_order::Column::Status.eq(status.as_str()));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let matching = Query::select()
            .column(shop_order::Column::Id)
            .from(shop_order::Entity)
            .cond_where(
                Condition::any()
                    .add(shop_order::Column::Number.eq(q.to_uppercase()))
                    .add(shop_order::Column::Email.eq(q.to_lowercase())),
            )
            .to_owned();
        query = query.filter(brand_order::Column::OrderId.in_subquery(matching));
    }
    if let Some(after) = filter.after.as_deref().filter(|a| !a.is_empty()) {
        let (at, id) = cursor::decode_time(after)?;
        query = query.filter(
            Condition::any()
                .add(brand_order::Column::CreatedAt.lt(at))
                .add(
                    Condition::all()
                        .add(brand_order::Column::CreatedAt.eq(at))
                        .add(brand_order::Column::Id.lt(id)),
                ),
        );
    }
    let mut rows = query.all(db).await?;
    let next_cursor = (rows.len() as u64 > PAGE_SIZE).then(|| {
        rows.truncate(PAGE_SIZE as usize);
        let last = rows.last().expect("a full page");
        cursor::encode_time(last.created_at, last.id)
    });
    Ok(BrandOrderPage {
        orders: summaries(db, &rows).await?,
        next_cursor,
    })
}

async fn summaries(
    db: &impl ConnectionTrait,
    rows: &[brand_order::Model],
) -> Result<Vec<BrandOrderSummary>, AppError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let parents: HashMap<Uuid, shop_order::Model> = shop_order::Entity::find()
        .filter(shop_order::Column::Id.is_in(rows.iter().map(|r| r.order_id).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let mut units: HashMap<Uuid, i64> = HashMap::new();
    for (brand_order_id, quantity) in order_line::Entity::find()
        .select_only()
        .column(order_line::Column::BrandOrderId)
        .column(order_line::Column::Quantity)
        .filter(
            order_line::Column::BrandOrderId.is_in(rows.iter().map(|r| r.id).collect::<Vec<_>>()),
        )
        .into_tuple::<(Uuid, i64)>()
        .all(db)
        .await?
    {
        *units.entry(brand_order_id).or_default() += quantity;
    }
    Ok(rows
        .iter()
        .filter_map(|row| {
            let parent = parents.get(&row.order_id)?;
            Some(summary(
                row,
                parent,
                units.get(&row.id).copied().unwrap_or(0),
            ))
        })
        .collect())
}

fn summary(row: &brand_order::Model, parent: &shop_order::Model, items: i64) -> BrandOrderSummary {
    BrandOrderSummary {
        id: row.id.to_string(),
        number: parent.number.clone(),
        status: row.status,
        buyer_email: parent.email.clone(),
        created_at: row.created_at,
        items,
        total_minor: row.subtotal_minor + row.shipping_minor,
        refunded_minor: row.refunded_minor,
        currency: parent.currency.clone(),
    }
}

/// The brand order `id` of this brand, or `NotFound` (another brand's included). On
/// PostgreSQL with `lock`, the row is locked until the transaction ends.
async fn find_in_scope(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    id: &str,
    lock: bool,
) -> Result<brand_order::Model, AppError> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let mut query = scope.narrow(brand_order::Entity::find_by_id(id));
    if lock && db.get_database_backend() == DbBackend::Postgres {
        query = query.lock_exclusive();
    }
    query.one(db).await?.ok_or(AppError::NotFound)
}

async fn parent_of(
    db: &impl ConnectionTrait,
    row: &brand_order::Model,
) -> Result<shop_order::Model, AppError> {
    shop_order::Entity::find_by_id(row.order_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal(format!("brand order {} has no order", row.id)))
}

async fn lines_of(
    db: &impl ConnectionTrait,
    row: &brand_order::Model,
) -> Result<Vec<order_line::Model>, AppError> {
    Ok(order_line::Entity::find()
        .filter(order_line::Column::BrandOrderId.eq(row.id))
        .order_by_asc(order_line::Column::Id)
        .all(db)
        .await?)
}

/// The purchase's card charge (the newest, if it was retried).
async fn charge_of(
    db: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Option<payment::Model>, AppError> {
    Ok(payment::Entity::find()
        .filter(payment::Column::OrderId.eq(order_id))
        .order_by_desc(payment::Column::CreatedAt)
        .one(db)
        .await?)
}

/// What `units` more units of `line` give back: their share of what the line cost.
fn line_refund(line: &order_line::Model, units: i64) -> i64 {
    pricing::refund_share(
        line.total_minor,
        line.quantity,
        line.refunded_quantity,
        units,
    )
}

/// What is left to refund: what the units not refunded yet cost, and the delivery while any
/// remain.
fn refundable(row: &brand_order::Model, lines: &[order_line::Model]) -> i64 {
    let units: i64 = lines
        .iter()
        .map(|l| line_refund(l, l.quantity - l.refunded_quantity))
        .sum();
    let any_left = lines.iter().any(|l| l.quantity > l.refunded_quantity);
    match row.status {
        BrandOrderStatus::Paid | BrandOrderStatus::Shipped => {
            units + if any_left { row.shipping_minor } else { 0 }
        }
        _ => 0,
    }
}

/// Brand order `id` with everything needed to ship, cancel or refund it.
pub async fn detail(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    id: &str,
) -> Result<BrandOrderDetail, AppError> {
    let row = find_in_scope(db, scope, id, false).await?;
    let parent = parent_of(db, &row).await?;
    let lines = lines_of(db, &row).await?;
    let payment = charge_of(db, parent.id).await?.as_ref().map(payment_view);
    Ok(BrandOrderDetail {
        summary: summary(&row, &parent, lines.iter().map(|l| l.quantity).sum()),
        subtotal_minor: row.subtotal_minor,
        shipping_minor: row.shipping_minor,
        delivery: parent.delivery,
        shipping_address: parent
            .shipping_address
            .as_deref()
            .and_then(|a| serde_json::from_str::<AddressInput>(a).ok()),
        refundable_minor: refundable(&row, &lines),
        lines: lines
            .iter()
            .map(|l| BrandOrderLine {
                id: l.id.to_string(),
                line: line_view(l),
            })
            .collect(),
        carrier: row.carrier.clone(),
        tracking_number: row.tracking_number.clone(),
        shipped_at: row.shipped_at,
        cancelled_at: row.cancelled_at,
        payment,
    })
}

fn wrong_state(row: &brand_order::Model, action: &str) -> AppError {
    AppError::Conflict {
        message: format!(
            "This order is {}: only {action}.",
            row.status.label().to_lowercase()
        ),
    }
}

/// Marks the brand order shipped with its carrier and tracking number, and mails the buyer.
pub async fn fulfil(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    id: &str,
    input: &FulfilInput,
) -> Result<BrandOrderDetail, AppError> {
    let carrier = input.carrier.trim();
    let tracking = input.tracking_number.trim();
    let mut fields = FieldErrors::new();
    if carrier.is_empty() || carrier.chars().count() > 60 || carrier.chars().any(char::is_control) {
        fields
            .entry("carrier".into())
            .or_default()
            .push("Name the carrier (at most 60 characters).".into());
    }
    if tracking.is_empty()
        || tracking.len() > 80
        || !tracking
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ' ')
    {
        fields.add(
            "tracking_number",
            "Enter the tracking number: letters, digits, spaces and dashes, at most 80.",
        );
    }
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }
    let txn = begin_write(&state.db).await?;
    let row = find_in_scope(&txn, scope, id, true).await?;
    if row.status != BrandOrderStatus::Paid {
        return Err(wrong_state(&row, "paid orders can be shipped"));
    }
    let now = time::now();
    if !changes::ship(&txn, row.id, carrier, tracking, now).await? {
        return Err(wrong_state(&row, "paid orders can be shipped"));
    }
    let parent = parent_of(&txn, &row).await?;
    crate::mail::enqueue(
        &txn,
        templates::order_shipped(
            &parent.email,
            &parent.number,
            &brand_name(&txn, scope).await?,
            carrier,
            tracking,
            &crate::checkout::order_link(
                &state.public_url,
                &parent.id,
                parent.access_key.as_deref(),
            ),
        ),
    )
    .await?;
    scope
        .audit(
            &txn,
            client,
            "order.ship",
            &row.id.to_string(),
            serde_json::json!({ "order": parent.number, "carrier": carrier, "tracking": tracking }),
        )
        .await?;
    txn.commit().await?;
    state.outbox.wake();
    detail(&state.db, scope, id).await
}

async fn brand_name(db: &impl ConnectionTrait, scope: &BrandScope) -> Result<String, AppError> {
    Ok(entity::brand::Entity::find_by_id(scope.brand_id())
        .one(db)
        .await?
        .map(|b| b.display_name)
        .unwrap_or_else(|| scope.slug().to_owned()))
}

/// Cancels a paid brand order before it ships: every unit goes back to stock and the buyer
/// is refunded its part (delivery included).
pub async fn cancel(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    id: &str,
) -> Result<BrandOrderDetail, AppError> {
    give_back(state, client, scope, id, Giveback::Cancel).await
}

/// Refunds units of a paid or shipped brand order, returning them to stock with `restock`.
pub async fn refund(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    id: &str,
    input: &RefundInput,
) -> Result<BrandOrderDetail, AppError> {
    give_back(state, client, scope, id, Giveback::Refund(input)).await
}

enum Giveback<'a> {
    Cancel,
    Refund(&'a RefundInput),
}

/// Units per line of `lines` that `input` refunds, with field errors for anything else.
fn units_to_refund(
    input: &RefundInput,
    lines: &[order_line::Model],
) -> Result<BTreeMap<Uuid, i64>, AppError> {
    let mut fields = FieldErrors::new();
    let mut units = BTreeMap::new();
    for (i, wanted) in input.lines.iter().enumerate() {
        if wanted.quantity == 0 {
            continue;
        }
        let line = Uuid::parse_str(wanted.line.trim())
            .ok()
            .and_then(|id| lines.iter().find(|l| l.id == id));
        let Some(line) = line else {
            fields
                .entry(format!("lines.{i}.line"))
                .or_default()
                .push("This line is not part of this order.".into());
            continue;
        };
        let left = line.quantity - line.refunded_quantity;
        if wanted.quantity < 0 || wanted.quantity > left || units.contains_key(&line.id) {
            fields
                .entry(format!("lines.{i}.quantity"))
                .or_default()
                .push(format!("Choose between 0 and {left} units."));
            continue;
        }
        units.insert(line.id, wanted.quantity);
    }
    if fields.is_empty() && units.is_empty() {
        fields
            .entry("lines".into())
            .or_default()
            .push("Choose at least one unit to refund.".into());
    }
    if fields.is_empty() {
        Ok(units)
    } else {
        Err(AppError::Validation { fields })
    }
}

async fn give_back(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    id: &str,
    how: Giveback<'_>,
) -> Result<BrandOrderDetail, AppError> {
    let txn = begin_write(&state.db).await?;
    let row = find_in_scope(&txn, scope, id, true).await?;
    let status = row.status;
    let cancelling = matches!(how, Giveback::Cancel);
    match (&how, status) {
        (Giveback::Cancel, BrandOrderStatus::Paid) => {}
        (Giveback::Cancel, _) => {
            return Err(wrong_state(
                &row,
                "paid orders not yet shipped can be cancelled",
            ))
        }
        (Giveback::Refund(_), BrandOrderStatus::Paid | BrandOrderStatus::Shipped) => {}
        (Giveback::Refund(_), _) => {
            return Err(wrong_state(&row, "paid or shipped orders can be refunded"))
        }
    }
    let parent = parent_of(&txn, &row).await?;
    let lines = lines_of(&txn, &row).await?;
    let (units, restock) = match how {
        Giveback::Cancel => (
            lines
                .iter()
                .filter(|l| l.quantity > l.refunded_quantity)
                .map(|l| (l.id, l.quantity - l.refunded_quantity))
                .collect::<BTreeMap<_, _>>(),
            true,
        ),
        Giveback::Refund(input) => (units_to_refund(input, &lines)?, input.restock),
    };
    let charge = charge_of(&txn, parent.id)
        .await?
        .filter(|c| {
            matches!(
                c.status,
                PaymentStatus::Captured | PaymentStatus::Authorized
            )
        })
        .ok_or_else(|| AppError::Conflict {
            message: "This order has no card payment to refund.".into(),
        })?;
    let all_back = lines
        .iter()
        .all(|l| l.quantity - l.refunded_quantity == units.get(&l.id).copied().unwrap_or(0));
    let mut amount: i64 = lines
        .iter()
        .map(|l| line_refund(l, units.get(&l.id).copied().unwrap_or(0)))
        .sum();
    if all_back {
        amount += row.shipping_minor;
    }
    let now = time::now();
    for (&line_id, &quantity) in &units {
        if !changes::refund_units(&txn, line_id, quantity).await? {
            return Err(AppError::Conflict {
                message: "Someone else refunded this order meanwhile. Reload and try again.".into(),
            });
        }
    }
    let new_status = match (all_back, cancelling) {
        (true, true) => BrandOrderStatus::Cancelled,
        (true, false) => BrandOrderStatus::Refunded,
        (false, _) => status,
    };
    changes::record_refund(&txn, row.id, amount, new_status, now).await?;
    let reason = if cancelling {
        format!("Cancellation of order {}", parent.number)
    } else {
        format!("Refund of order {}", parent.number)
    };
    let refunded_lines: Vec<&order_line::Model> =
        lines.iter().filter(|l| units.contains_key(&l.id)).collect();
    if restock {
        let mut movements = Vec::new();
        let mut listings = HashSet::new();
        for line in &refunded_lines {
            // Back to where the units were taken from (the first location of the line).
            let Some((location, _)) = parse_allocations(&line.allocations).into_iter().next()
            else {
                continue;
            };
            movements.extend(line_movements(
                MovementKind::Return,
                line,
                &[(location, units[&line.id])],
                &reason,
                Some(scope.account_id()),
                &parent.id.to_string(),
            ));
            listings.insert(line.listing_id);
        }
        ledger::record(&txn, &movements).await?;
        stock::refresh_listings(&txn, listings).await?;
    }
    // Units given back no longer count against the buyer's per-person limit.
    let given_back: Vec<(Uuid, i64)> = refunded_lines
        .iter()
        .map(|l| (l.sku_id, units[&l.id]))
        .collect();
    limits::give_back(
        &txn,
        &limits::buyer_key(parent.account_id, &parent.email),
        &given_back,
    )
    .await?;
    let refund_id = Uuid::now_v7();
    refund::Model {
        id: refund_id,
        order_id: parent.id,
        brand_order_id: Some(row.id),
        provider: charge.provider.clone(),
        status: RefundStatus::Pending,
        reference: None,
        amount_minor: amount,
        currency: parent.currency.clone(),
        created_at: now,
        updated_at: now,
        claim_token: None,
        claimed_until: None,
    }
    .into_active_model()
    .reset_all()
    .insert(&txn)
    .await?;
    changes::close_when_all_given_back(&txn, parent.id).await?;
    let items: Vec<String> = refunded_lines
        .iter()
        .map(|l| format!("{} × {}", units[&l.id], l.title))
        .collect();
    crate::mail::enqueue(
        &txn,
        templates::order_refunded(
            &parent.email,
            &parent.number,
            &brand_name(&txn, scope).await?,
            &money::format_amount(amount, &parent.currency),
            &items,
            cancelling,
            &crate::checkout::order_link(
                &state.public_url,
                &parent.id,
                parent.access_key.as_deref(),
            ),
        ),
    )
    .await?;
    scope
        .audit(
            &txn,
            client,
            if cancelling { "order.cancel" } else { "order.refund" },
            &row.id.to_string(),
            serde_json::json!({ "order": parent.number, "amount_minor": amount, "restock": restock }),
        )
        .await?;
    txn.commit().await?;
    state.outbox.wake();
    // The money moves after the commit: if the provider cannot be reached now, the refund
    // stays pending and the checkout chores try again.
    if let Err(err) = settle_refund(&state.db, state.checkout.provider().as_ref(), refund_id).await
    {
        tracing::warn!(error = %err, refund = %refund_id, "refund left pending; will retry");
    }
    detail(&state.db, scope, id).await
}

/// Sends pending refund `refund_id` to the provider (capturing the charge first if it is
/// only authorised) and records the answer. The refund is claimed first with a
/// [`payments::PROVIDER_LEASE`], so only one node sends it at a time, and it carries its
/// [`payments::refund_key`], so a retry after a lost answer is paid out once. A refund another
/// node holds is left to it.
pub async fn settle_refund(
    db: &DatabaseConnection,
    provider: &dyn PaymentProvider,
    refund_id: Uuid,
) -> Result<(), AppError> {
    let now = time::now();
    let token = Uuid::new_v4();
    let lease = (refund::Column::ClaimToken, refund::Column::ClaimedUntil);
    let claimed = set_lease(
        refund::Entity::update_many(),
        lease,
        Some((token, now + payments::PROVIDER_LEASE)),
    )
    .filter(refund::Column::Id.eq(refund_id))
    .filter(refund::Column::Status.eq(RefundStatus::Pending))
    .filter(lease_free(refund::Column::ClaimedUntil, now))
    .exec(db)
    .await?;
    if claimed.rows_affected == 0 {
        return Ok(());
    }
    let sent = send_refund(db, provider, refund_id).await;
    let mut record = set_lease(refund::Entity::update_many(), lease, None)
        .col_expr(refund::Column::UpdatedAt, Expr::value(time::now()));
    if let Ok(reference) = &sent {
        record = record
            .col_expr(refund::Column::Status, Expr::value(RefundStatus::Succeeded))
            .col_expr(refund::Column::Reference, Expr::value(reference.clone()));
    }
    // Released (or recorded) only while still ours: a node that took the refund over after
    // our lease lapsed records its own answer, which the provider made the same.
    record
        .filter(refund::Column::Id.eq(refund_id))
        .filter(refund::Column::ClaimToken.eq(token))
        .filter(refund::Column::Status.eq(RefundStatus::Pending))
        .exec(db)
        .await?;
    sent.map(drop)
}

/// The provider calls for a claimed refund: the charge's capture if it is only authorised,
/// then the refund. Answers the refund's reference.
async fn send_refund(
    db: &DatabaseConnection,
    provider: &dyn PaymentProvider,
    refund_id: Uuid,
) -> Result<String, AppError> {
    let pending = refund::Entity::find_by_id(refund_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("claimed refund vanished"))?;
    let charge = charge_of(db, pending.order_id)
        .await?
        .ok_or_else(|| AppError::internal("refund without a charge"))?;
    let reference = charge
        .reference
        .clone()
        .ok_or_else(|| AppError::internal("charge without a reference"))?;
    if charge.status == PaymentStatus::Authorized {
        let done = payments::capture(db, provider, payments::ToCapture::One(charge.id)).await?;
        if let Some((_, reason)) = done.refused.into_iter().next() {
            return Err(AppError::internal(reason));
        }
        if done.captured.is_empty() {
            return Err(AppError::internal(
                "the charge is being captured by another node; the refund follows",
            ));
        }
    }
    provider
        .refund(
            &reference,
            pending.amount_minor,
            &payments::refund_key(pending.id),
        )
        .await
        .map_err(AppError::internal)
}

/// Sends refunds still pending that no node holds (the provider was unreachable or slow when
/// they were made, or the node sending them stopped); run by every server every second.
pub async fn settle_pending_refunds(
    db: &DatabaseConnection,
    provider: &dyn PaymentProvider,
) -> Result<(), AppError> {
    let pending: Vec<Uuid> = refund::Entity::find()
        .select_only()
        .column(refund::Column::Id)
        .filter(refund::Column::Status.eq(RefundStatus::Pending))
        .filter(lease_free(refund::Column::ClaimedUntil, time::now()))
        .limit(100)
        .into_tuple()
        .all(db)
        .await?;
    for id in pending {
        if let Err(err) = settle_refund(db, provider, id).await {
            tracing::warn!(error = %err, refund = %id, "refund still pending");
        }
    }
    Ok(())
}
