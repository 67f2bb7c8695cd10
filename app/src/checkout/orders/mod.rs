//! Orders after they are placed: reading them back for buyers, their numbers and confirmation
//! mail. The order tables (`shop_order`, `brand_order`, `order_line`) are written by the
//! checkout alone: created by the engine's commit, changed afterwards only through
//! [`changes`] — by the checkout's chores (expiry, payment outcomes) and by fulfilment, which
//! decides shipping, cancels and refunds and records them there.

pub mod changes;

use std::collections::HashMap;

use entity::{brand_order, order_line, payment, shop_order};
use rand::Rng;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{AddressInput, Adjustment, BrandOrderView, OrderLineView, OrderView, PaymentView};
use crate::catalog::stock::{
    ledger::{self, Movement},
    MovementKind,
};
use crate::core::{money, AppError};
use crate::mail::{templates, Email};

/// The engine's answer to one order request: the order (paid, or waiting for an asynchronous
/// payment), or why not.
pub type Placement = Result<OrderView, AppError>;

/// Characters of order numbers: Crockford's base32 (no I, L, O, U: nothing to misread).
const NUMBER_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new order number: "G" and 9 random characters (45 bits; the column is unique).
pub fn new_number() -> String {
    let mut rng = rand::rng();
    let mut number = String::from("G");
    for _ in 0..9 {
        number.push(NUMBER_ALPHABET[rng.random_range(0..NUMBER_ALPHABET.len())] as char);
    }
    number
}

/// `[(location, units)]` as stored on a line.
pub fn allocations_json(allocations: &[(Uuid, i64)]) -> String {
    serde_json::to_string(
        &allocations
            .iter()
            .map(|(location, quantity)| serde_json::json!({"location": location, "quantity": quantity}))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_else(|_| "[]".into())
}

/// Reads [`allocations_json`] back.
pub fn parse_allocations(json: &str) -> Vec<(Uuid, i64)> {
    serde_json::from_str::<Vec<serde_json::Value>>(json)
        .unwrap_or_default()
        .iter()
        .filter_map(|a| {
            Some((
                Uuid::parse_str(a["location"].as_str()?).ok()?,
                a["quantity"].as_i64()?,
            ))
        })
        .collect()
}

/// A line's quote adjustments as stored on it.
pub fn adjustments_json(adjustments: &[Adjustment]) -> String {
    serde_json::to_string(adjustments).unwrap_or_else(|_| "[]".into())
}

/// The ledger movements of `kind` (a release, a return) for `line`'s units at each of its
/// `allocations`' locations.
pub fn line_movements(
    kind: MovementKind,
    line: &order_line::Model,
    allocations: &[(Uuid, i64)],
    reason: &str,
    actor: Option<Uuid>,
    reference: &str,
) -> Vec<Movement> {
    allocations
        .iter()
        .map(|&(location_id, units)| {
            let (on_hand_delta, reserved_delta) = ledger::order_deltas(kind, units);
            Movement {
                brand_id: line.brand_id,
                sku_id: line.sku_id,
                location_id,
                kind,
                on_hand_delta,
                reserved_delta,
                reason: reason.to_owned(),
                actor,
                reference: Some(reference.to_owned()),
            }
        })
        .collect()
}

/// A line as its buyer sees it.
pub fn line_view(line: &order_line::Model) -> OrderLineView {
    OrderLineView {
        sku: line.sku_id.to_string(),
        sku_code: line.sku_code.clone(),
        listing_id: line.listing_id.to_string(),
        title: line.title.clone(),
        option_values: serde_json::from_str(&line.option_values).unwrap_or_default(),
        quantity: line.quantity,
        refunded_quantity: line.refunded_quantity,
        unit_price_minor: line.unit_price_minor,
        subtotal_minor: super::pricing::subtotal(line.unit_price_minor, line.quantity),
        adjustments: serde_json::from_str(&line.adjustments).unwrap_or_default(),
        line_total_minor: line.total_minor,
        presale_price_minor: line.presale_price_minor,
        presale_credit_minor: line.presale_credit_minor,
    }
}

/// A payment as a buyer (or the brand) may see it.
pub fn payment_view(p: &payment::Model) -> PaymentView {
    PaymentView {
        provider: p.provider.clone(),
        status: p.status,
        card_brand: p.card_brand.clone(),
        card_last4: p.card_last4.clone(),
        amount_minor: p.amount_minor,
        failure_code: p.failure_code.clone(),
    }
}

/// The "thank you for your order" mail for a paid order.
pub fn confirmation_mail(public_url: &str, order: &OrderView) -> Email {
    let items: Vec<String> = order
        .brands
        .iter()
        .flat_map(|b| {
            b.lines.iter().map(move |l| {
                format!(
                    "{} × {} ({}) — {}",
                    l.quantity,
                    l.title,
                    b.brand_name,
                    money::format_amount(l.line_total_minor, &order.currency)
                )
            })
        })
        .collect();
    templates::order_confirmation(
        &order.email,
        &order.number,
        &items,
        &money::format_amount(order.total_minor, &order.currency),
        &super::order_link(public_url, &order.id, order.access_key.as_deref()),
    )
}

/// An order with everything its buyer sees, and its row (for access checks).
pub async fn find(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<(shop_order::Model, OrderView)>, AppError> {
    let Some(order) = shop_order::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let mut views = views(db, vec![order.clone()]).await?;
    Ok(views.pop().map(|view| (order, view)))
}

/// Order `id` as `buyer` may see it, everyone else getting `NotFound`: a signed-in buyer's
/// orders are theirs alone; a guest order is shown with the secret `key` of its confirmation
/// link or to the session that placed it; a brand's system sees only orders wholly of its own
/// SKUs (those it placed; its part of anyone else's order is in its own order list, without
/// the buyer's other brands).
pub async fn for_buyer(
    db: &impl ConnectionTrait,
    id: &str,
    buyer: &super::request::Buyer,
    key: Option<&str>,
) -> Result<OrderView, AppError> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let (row, mut view) = find(db, id).await?.ok_or(AppError::NotFound)?;
    let allowed = match (buyer.brand, row.account_id) {
        (Some(brand_id), _) => {
            let parts = brand_order_ids(db, id, brand_id).await?;
            view.access_key = None;
            !view.brands.is_empty() && view.brands.iter().all(|b| parts.contains(&b.id))
        }
        (None, Some(owner)) => buyer.account.as_ref().is_some_and(|(me, _)| *me == owner),
        (None, None) => {
            buyer.placed.contains(&id)
                || matches!((key, &row.access_key), (Some(given), Some(secret)) if same_secret(given, secret))
        }
    };
    if allowed {
        Ok(view)
    } else {
        Err(AppError::NotFound)
    }
}

/// Whether `given` is `secret`, compared in time that does not depend on where they differ.
fn same_secret(given: &str, secret: &str) -> bool {
    given.len() == secret.len()
        && given
            .bytes()
            .zip(secret.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// The account's orders, newest first (at most `limit`).
pub async fn for_account(
    db: &impl ConnectionTrait,
    account_id: Uuid,
    limit: u64,
) -> Result<Vec<OrderView>, AppError> {
    let rows = shop_order::Entity::find()
        .filter(shop_order::Column::AccountId.eq(account_id))
        .order_by_desc(shop_order::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?;
    views(db, rows).await
}

/// Builds the views of `orders` with four queries in all.
pub(super) async fn views(
    db: &impl ConnectionTrait,
    orders: Vec<shop_order::Model>,
) -> Result<Vec<OrderView>, AppError> {
    let ids: Vec<Uuid> = orders.iter().map(|o| o.id).collect();
    let brand_orders = brand_order::Entity::find()
        .filter(brand_order::Column::OrderId.is_in(ids.clone()))
        .order_by_asc(brand_order::Column::Id)
        .all(db)
        .await?;
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.is_in(ids.clone()))
        .order_by_asc(order_line::Column::Id)
        .all(db)
        .await?;
    let payments = payment::Entity::find()
        .filter(payment::Column::OrderId.is_in(ids))
        .all(db)
        .await?;
    let brand_ids: Vec<Uuid> = brand_orders.iter().map(|b| b.brand_id).collect();
    let brands = crate::brands::service::labels(db, brand_ids).await?;
    Ok(orders
        .iter()
        .map(|order| {
            let parts: Vec<brand_order::Model> = brand_orders
                .iter()
                .filter(|b| b.order_id == order.id)
                .cloned()
                .collect();
            let lines: Vec<order_line::Model> = lines
                .iter()
                .filter(|l| l.order_id == order.id)
                .cloned()
                .collect();
            let payment = payments
                .iter()
                .filter(|p| p.order_id == order.id)
                .max_by_key(|p| p.created_at);
            assemble(order, &parts, &lines, payment, &brands)
        })
        .collect())
}

/// An order's view from its rows: the order, its brand orders, its lines (in order), its
/// charge, and the brands' `(slug, name)` by id. The engine answers a new order with this and
/// buyers read stored ones with it, so the two never differ.
pub fn assemble(
    order: &shop_order::Model,
    brand_orders: &[brand_order::Model],
    lines: &[order_line::Model],
    payment: Option<&payment::Model>,
    brands: &HashMap<Uuid, (String, String)>,
) -> OrderView {
    let brand_views = brand_orders
        .iter()
        .map(|b| {
            let (slug, name) = brands.get(&b.brand_id).cloned().unwrap_or_default();
            BrandOrderView {
                id: b.id.to_string(),
                brand_slug: slug,
                brand_name: name,
                status: b.status,
                subtotal_minor: b.subtotal_minor,
                adjustments_minor: b.adjustments_minor,
                shipping_minor: b.shipping_minor,
                refunded_minor: b.refunded_minor,
                carrier: b.carrier.clone(),
                tracking_number: b.tracking_number.clone(),
                shipped_at: b.shipped_at,
                lines: lines
                    .iter()
                    .filter(|l| l.brand_order_id == b.id)
                    .map(line_view)
                    .collect(),
            }
        })
        .collect();
    OrderView {
        id: order.id.to_string(),
        number: order.number.clone(),
        status: order.status,
        channel: order.channel,
        email: order.email.clone(),
        currency: order.currency.clone(),
        subtotal_minor: order.subtotal_minor,
        adjustments_minor: order.adjustments_minor,
        shipping_minor: order.shipping_minor,
        total_minor: order.total_minor,
        delivery: order.delivery,
        pool: order.pool.clone(),
        shipping_address: order
            .shipping_address
            .as_deref()
            .and_then(|a| serde_json::from_str::<AddressInput>(a).ok()),
        brands: brand_views,
        payment: payment.map(payment_view),
        created_at: order.created_at,
        expires_at: order.expires_at,
        paid_at: order.paid_at,
        access_key: order.access_key.clone(),
    }
}

/// The ids of `brand_id`'s parts of order `order_id` (none: the brand has no part in it).
pub async fn brand_order_ids(
    db: &impl ConnectionTrait,
    order_id: Uuid,
    brand_id: Uuid,
) -> Result<Vec<String>, AppError> {
    Ok(brand_order::Entity::find()
        .select_only()
        .column(brand_order::Column::Id)
        .filter(brand_order::Column::OrderId.eq(order_id))
        .filter(brand_order::Column::BrandId.eq(brand_id))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .map(|id| id.to_string())
        .collect())
}
