//! One batch of order requests, run as two group commits:
//!
//! 1. **reserve**: one transaction for the whole batch. It locks the batch's stock rows once
//!    (PostgreSQL `FOR UPDATE`; SQLite's `BEGIN IMMEDIATE` holds the only write lock), decides
//!    every request in arrival order against what it read (limits, stock), then writes one
//!    conditional update per stock row touched and multi-row inserts of orders, lines, ledger
//!    rows and idempotency records.
//! 2. the payment provider is asked for every reserved order, concurrently, outside any
//!    transaction;
//! 3. **settle**: one transaction that turns reservations into sales (or returns the stock of
//!    declined payments), records payments and the answers' statuses.
//!
//! Only then is every request in the batch answered, so a success is always durable. If the
//! process dies between 1 and 3, the orders stay `pending_payment` and expire, returning
//! their stock: nothing acknowledged is lost and the ledger still reconciles.

use std::collections::{BTreeMap, HashMap, HashSet};

use entity::{
    brand, brand_order, listing, order_line, payment, payment_method, shop_order, sku,
    sku_purchase, stock_level, stock_movement,
};
use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict},
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect,
};
use tokio::task::JoinSet;
use uuid::Uuid;

use super::engine::{Core, IdempotencyKey, Job, Placement};
use super::payments::{self, AuthOutcome, Authorization, CardSummary};
use super::request::OrderRequest;
use super::{
    idempotency, orders, BrandOrderView, OrderLineView, OrderStatus, OrderView, PaymentView,
};
use crate::catalog::stock::{
    self, drawn_on, take_fullest_first, MovementKind, PoolLevel, StockPool,
};
use crate::core::{bulk, time::now, txn::begin_write, AppError, FieldErrors, FieldErrorsExt};

/// A SKU as the engine sells it.
struct SkuForSale {
    sku: sku::Model,
    title: String,
    visible: bool,
    brand_name: String,
    brand_slug: String,
}

/// A line with where its units come from.
pub(super) struct PlannedLine {
    pub line: order_line::Model,
    pub allocations: Vec<(Uuid, i64)>,
}

/// An order whose stock is reserved, waiting for its payment.
pub(super) struct Reserved {
    pub order: shop_order::Model,
    pub view: OrderView,
    pub lines: Vec<PlannedLine>,
    /// Counted against purchase limits (SKUs that have one).
    pub limited: Vec<(Uuid, i64)>,
}

enum Decision {
    Answer(Box<Placement>),
    Reserved(Box<Reserved>),
}

/// The answer when an order's reservation lapsed before its payment was confirmed.
pub(super) fn lapsed() -> AppError {
    AppError::Conflict {
        message: "The reservation lapsed before the payment was confirmed. Nothing was charged."
            .into(),
    }
}

/// A batch whose stock is reserved: its requests wait for their payments to settle.
pub(super) struct Reservation {
    jobs: Vec<Job>,
    /// The reserved orders, by index into `jobs`.
    reserved: Vec<(usize, Reserved)>,
}

fn answer(job: &mut Job, placement: Placement) {
    if let Some(reply) = job.reply.take() {
        let _ = reply.send(placement);
    }
}

/// Runs `jobs` and answers each.
pub(super) async fn run(core: &Core, jobs: Vec<Job>) {
    if let Some(reservation) = reserve_all(core, jobs).await {
        settle_all(core, reservation).await;
    }
}

/// Step 1 for a batch. Requests that are decided here (refused, replayed) are answered at once;
/// `None` when no order waits for a payment.
pub(super) async fn reserve_all(core: &Core, mut jobs: Vec<Job>) -> Option<Reservation> {
    let decisions = match reserve(core, &jobs).await {
        Ok(decisions) => decisions,
        Err(_) if jobs.len() > 1 => {
            // Something in the batch broke the transaction (typically an idempotency key
            // another node recorded meanwhile): run the requests one by one, so only the
            // culprit fails.
            for job in jobs {
                Box::pin(run(core, vec![job])).await;
            }
            return None;
        }
        Err(err) => {
            for job in &mut jobs {
                answer(job, Err(err.clone()));
            }
            return None;
        }
    };
    let mut reserved = Vec::new();
    for (index, decision) in decisions.into_iter().enumerate() {
        match decision {
            Decision::Answer(placement) => answer(&mut jobs[index], *placement),
            Decision::Reserved(r) => reserved.push((index, *r)),
        }
    }
    (!reserved.is_empty()).then_some(Reservation { jobs, reserved })
}

/// Steps 2 and 3 for a reserved batch, then the answers.
pub(super) async fn settle_all(core: &Core, reservation: Reservation) {
    let Reservation { mut jobs, reserved } = reservation;
    for (index, placement) in settle(core, &jobs, reserved).await {
        answer(&mut jobs[index], placement);
    }
    // Every job was answered above; one left over is a bug, logged as such (only then: the
    // error is logged when it is made).
    for job in jobs.iter_mut().filter(|job| job.reply.is_some()) {
        answer(
            job,
            Err(AppError::internal("checkout request left unanswered")),
        );
    }
}

/// Step 1: decides and reserves the whole batch in one transaction.
async fn reserve(core: &Core, jobs: &[Job]) -> Result<Vec<Decision>, AppError> {
    let txn = begin_write(&core.db).await?;
    let now = now();
    let keys: Vec<&IdempotencyKey> = jobs.iter().filter_map(|j| j.key.as_ref()).collect();
    let stored = idempotency::load(&txn, &keys).await?;
    let mut sku_ids: Vec<Uuid> = jobs
        .iter()
        .flat_map(|j| j.request.lines.iter().map(|l| l.sku_id))
        .collect();
    sku_ids.sort_unstable();
    sku_ids.dedup();
    let skus = load_skus(&txn, &sku_ids).await?;
    // Locked for this transaction on PostgreSQL; on SQLite the transaction already holds the
    // database's single write lock.
    let mut levels = stock::pool_levels(&txn, &sku_ids, true).await?;
    let mut held = load_held(&txn, jobs, &skus).await?;

    let mut decisions = Vec::with_capacity(jobs.len());
    let mut level_deltas: BTreeMap<(Uuid, Uuid), (i64, i64)> = BTreeMap::new();
    let mut held_deltas: HashMap<(Uuid, String), i64> = HashMap::new();
    let mut new_orders = Vec::new();
    let mut new_brand_orders = Vec::new();
    let mut new_lines = Vec::new();
    let mut touched_listings = Vec::new();
    let mut movements = Vec::new();
    let mut records = Vec::new();
    for job in jobs {
        if let Some(record) = job.key.as_ref().and_then(|k| stored.get(k)) {
            decisions.push(Decision::Answer(Box::new(
                idempotency::answer_of(&txn, record, &job.request.fingerprint).await?,
            )));
            continue;
        }
        let buyer = job.request.buyer_key();
        let planned = plan(core, &job.request, &skus, &mut levels, &held, now);
        let reserved = match planned {
            Ok(reserved) => reserved,
            Err(err) => {
                decisions.push(Decision::Answer(Box::new(Err(err))));
                continue;
            }
        };
        for (sku_id, quantity) in &reserved.limited {
            *held.entry((*sku_id, buyer.clone())).or_default() += quantity;
            *held_deltas.entry((*sku_id, buyer.clone())).or_default() += quantity;
        }
        for planned in &reserved.lines {
            move_line_stock(
                MovementKind::Reserve,
                &planned.line,
                &planned.allocations,
                &reserved.order,
                &mut level_deltas,
                &mut movements,
            );
            touched_listings.push(planned.line.listing_id);
            new_lines.push(planned.line.clone().into_active_model());
        }
        new_brand_orders.extend(brand_order_rows(&reserved, now));
        new_orders.push(reserved.order.clone().into_active_model());
        if let Some(key) = &job.key {
            records.push(idempotency::pending(
                key,
                &job.request.fingerprint,
                reserved.order.id,
            ));
        }
        decisions.push(Decision::Reserved(Box::new(reserved)));
    }
    apply_level_deltas(&txn, &level_deltas).await?;
    stock::refresh_listings(&txn, touched_listings).await?;
    bulk::insert_all(&txn, new_orders).await?;
    bulk::insert_all(&txn, new_brand_orders).await?;
    bulk::insert_all(&txn, new_lines).await?;
    bulk::insert_all(&txn, movements).await?;
    bulk::insert_all(&txn, records).await?;
    add_held(&txn, held_deltas).await?;
    txn.commit().await?;
    let mut asked: Vec<(Uuid, StockPool)> = jobs
        .iter()
        .flat_map(|j| j.request.lines.iter().map(|l| (l.sku_id, j.request.pool)))
        .collect();
    asked.sort_unstable();
    asked.dedup();
    for (sku_id, pool) in asked {
        let Some(levels) = levels.get(&sku_id) else {
            continue;
        };
        if drawn_on(levels, pool)
            .into_iter()
            .all(|i| levels[i].available() <= 0)
        {
            core.mark_sold_out(sku_id, pool);
        }
    }
    Ok(decisions)
}

/// Decides one request against the batch's view of stock and limits, and takes its stock from
/// `levels` when it can be served.
fn plan(
    core: &Core,
    request: &OrderRequest,
    skus: &HashMap<Uuid, SkuForSale>,
    levels: &mut HashMap<Uuid, Vec<PoolLevel>>,
    held: &HashMap<(Uuid, String), i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Reserved, AppError> {
    let mut fields = FieldErrors::new();
    for (i, line) in request.lines.iter().enumerate() {
        let for_sale = skus.get(&line.sku_id).is_some_and(|s| {
            s.visible
                && request
                    .only_brand
                    .is_none_or(|brand| brand == s.sku.brand_id)
        });
        if !for_sale {
            fields
                .entry(format!("lines.{i}.sku"))
                .or_default()
                .push("This item isn't for sale.".into());
        } else if !crate::catalog::listings::sellable_now(
            &skus[&line.sku_id].sku,
            request.channel.as_str(),
            now,
        ) {
            fields.add(
                format!("lines.{i}.sku"),
                "This item is sold only during its live show, while its drop is open.",
            );
        }
    }
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }
    let items: Vec<&SkuForSale> = request.lines.iter().map(|l| &skus[&l.sku_id]).collect();
    let currency = items[0].sku.currency.clone();
    if items.iter().any(|s| s.sku.currency != currency) {
        return Err(AppError::field(
            "lines",
            "Items priced in different currencies must be ordered separately.",
        ));
    }
    let buyer = request.buyer_key();
    let mut limited = Vec::new();
    for (line, item) in request.lines.iter().zip(&items) {
        if let Some(limit) = item.sku.purchase_limit {
            let limit = i64::from(limit);
            let holding = held
                .get(&(line.sku_id, buyer.clone()))
                .copied()
                .unwrap_or(0);
            if holding + line.quantity > limit {
                return Err(AppError::LimitReached { limit });
            }
            limited.push((line.sku_id, line.quantity));
        }
    }
    // Allocate every line before taking anything, so a refused order takes nothing.
    let mut allocations = Vec::with_capacity(request.lines.len());
    for (line, item) in request.lines.iter().zip(&items) {
        let stock = levels.get(&line.sku_id).map(Vec::as_slice).unwrap_or(&[]);
        let taken = take_fullest_first(stock, request.pool, line.quantity).map_err(|total| {
            if total == 0 {
                AppError::SoldOut
            } else {
                AppError::Conflict {
                    message: format!("Only {total} left of “{}”.", item.title),
                }
            }
        })?;
        allocations.push(taken);
    }
    let order_id = Uuid::now_v7();
    let number = orders::new_number();
    let mut planned_lines = Vec::with_capacity(request.lines.len());
    let mut brand_ids: Vec<Uuid> = Vec::new();
    let mut brand_order_ids: HashMap<Uuid, Uuid> = HashMap::new();
    for ((line, item), taken) in request.lines.iter().zip(&items).zip(allocations) {
        let stock = levels
            .get_mut(&line.sku_id)
            .expect("allocated from these levels");
        let allocations: Vec<(Uuid, i64)> = taken
            .into_iter()
            .map(|(i, take)| {
                stock[i].reserved += take;
                (stock[i].location_id, take)
            })
            .collect();
        let brand_id = item.sku.brand_id;
        if !brand_ids.contains(&brand_id) {
            brand_ids.push(brand_id);
        }
        let brand_order_id = *brand_order_ids.entry(brand_id).or_insert_with(Uuid::now_v7);
        planned_lines.push(PlannedLine {
            line: order_line::Model {
                id: Uuid::now_v7(),
                order_id,
                brand_order_id,
                brand_id,
                listing_id: item.sku.listing_id,
                sku_id: line.sku_id,
                sku_code: item.sku.code.clone(),
                title: item.title.clone(),
                option_values: item.sku.option_values.clone(),
                quantity: line.quantity,
                unit_price_minor: item.sku.price_minor,
                refunded_quantity: 0,
                allocations: orders::allocations_json(&allocations),
            },
            allocations,
        });
    }
    let brand_views: Vec<BrandOrderView> = brand_ids
        .iter()
        .map(|brand_id| {
            let item = items
                .iter()
                .find(|s| s.sku.brand_id == *brand_id)
                .expect("a line of this brand");
            let lines: Vec<OrderLineView> = planned_lines
                .iter()
                .filter(|p| p.line.brand_id == *brand_id)
                .map(|p| orders::line_view(&p.line))
                .collect();
            BrandOrderView {
                id: brand_order_ids[brand_id].to_string(),
                brand_slug: item.brand_slug.clone(),
                brand_name: item.brand_name.clone(),
                status: OrderStatus::PendingPayment.as_str().to_owned(),
                subtotal_minor: lines.iter().map(|l| l.line_total_minor).sum(),
                shipping_minor: request.delivery.fee_minor(&currency),
                refunded_minor: 0,
                carrier: None,
                tracking_number: None,
                shipped_at: None,
                lines,
            }
        })
        .collect();
    let subtotal: i64 = brand_views.iter().map(|b| b.subtotal_minor).sum();
    let shipping: i64 = brand_views.iter().map(|b| b.shipping_minor).sum();
    let expires_at = now
        + chrono::TimeDelta::from_std(core.config.reservation_ttl)
            .unwrap_or(chrono::TimeDelta::minutes(15));
    let order = shop_order::Model {
        id: order_id,
        number,
        account_id: request.account_id,
        email: request.email.clone(),
        channel: request.channel.as_str().to_owned(),
        status: OrderStatus::PendingPayment.as_str().to_owned(),
        currency: currency.clone(),
        subtotal_minor: subtotal,
        shipping_minor: shipping,
        total_minor: subtotal + shipping,
        delivery: request.delivery.as_str().to_owned(),
        shipping_address: request
            .shipping_address
            .as_ref()
            .and_then(|a| serde_json::to_string(a).ok()),
        created_at: now,
        expires_at,
        paid_at: None,
        confirmation_queued_at: None,
        updated_at: now,
    };
    let view = OrderView {
        id: order.id.to_string(),
        number: order.number.clone(),
        status: OrderStatus::PendingPayment,
        channel: request.channel,
        email: order.email.clone(),
        currency,
        subtotal_minor: subtotal,
        shipping_minor: shipping,
        total_minor: subtotal + shipping,
        delivery: request.delivery,
        shipping_address: request.shipping_address.clone(),
        brands: brand_views,
        payment: None,
        created_at: now,
        expires_at,
        paid_at: None,
    };
    Ok(Reserved {
        order,
        view,
        lines: planned_lines,
        limited,
    })
}

fn brand_order_rows(
    reserved: &Reserved,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<brand_order::ActiveModel> {
    reserved
        .view
        .brands
        .iter()
        .map(|b| {
            let id = Uuid::parse_str(&b.id).expect("ids made here");
            let brand_id = reserved
                .lines
                .iter()
                .find(|l| l.line.brand_order_id == id)
                .expect("a line of this brand order")
                .line
                .brand_id;
            brand_order::Model {
                id,
                order_id: reserved.order.id,
                brand_id,
                status: OrderStatus::PendingPayment.as_str().to_owned(),
                subtotal_minor: b.subtotal_minor,
                shipping_minor: b.shipping_minor,
                refunded_minor: 0,
                carrier: None,
                tracking_number: None,
                shipped_at: None,
                cancelled_at: None,
                created_at: now,
                updated_at: now,
            }
            .into_active_model()
        })
        .collect()
}

/// Adds what `kind` does to `line`'s units at each of its locations: the level deltas (per
/// SKU and location) and one ledger row per location. Reserve, sell and release — in a batch
/// or when a reservation expires — all move stock through here.
pub(super) fn move_line_stock(
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
        created_at: now(),
    }
    .into_active_model()
}

/// Applies `(on hand, reserved)` deltas per `(sku, location)`, one conditional update each.
/// A row that would break `0 ≤ reserved ≤ on hand` fails the transaction: it cannot happen
/// under the batch's lock, so it means a bug, and nothing may be written.
pub(super) async fn apply_level_deltas(
    db: &impl ConnectionTrait,
    deltas: &BTreeMap<(Uuid, Uuid), (i64, i64)>,
) -> Result<(), AppError> {
    let at = now();
    for (&(sku_id, location_id), &(on_hand, reserved)) in deltas {
        if on_hand == 0 && reserved == 0 {
            continue;
        }
        let updated = stock_level::Entity::update_many()
            .col_expr(
                stock_level::Column::OnHand,
                Expr::col(stock_level::Column::OnHand).add(on_hand),
            )
            .col_expr(
                stock_level::Column::Reserved,
                Expr::col(stock_level::Column::Reserved).add(reserved),
            )
            .col_expr(stock_level::Column::UpdatedAt, Expr::value(at))
            .filter(stock_level::Column::SkuId.eq(sku_id))
            .filter(stock_level::Column::LocationId.eq(location_id))
            .filter(
                Expr::col(stock_level::Column::OnHand)
                    .add(on_hand)
                    .gte(Expr::col(stock_level::Column::Reserved).add(reserved)),
            )
            .filter(
                Expr::col(stock_level::Column::Reserved)
                    .add(reserved)
                    .gte(0),
            )
            .exec(db)
            .await?;
        if updated.rows_affected != 1 {
            return Err(AppError::internal(format!(
                "stock of {sku_id} at {location_id} changed under the checkout lock"
            )));
        }
    }
    Ok(())
}

async fn load_skus(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, SkuForSale>, AppError> {
    let skus = sku::Entity::find()
        .filter(sku::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?;
    let mut listing_ids: Vec<Uuid> = skus.iter().map(|s| s.listing_id).collect();
    listing_ids.sort_unstable();
    listing_ids.dedup();
    let listings: HashMap<Uuid, (String, bool, String)> = listing::Entity::find()
        .select_only()
        .column(listing::Column::Id)
        .column(listing::Column::Title)
        .column(listing::Column::Visible)
        .column(listing::Column::BrandName)
        .filter(listing::Column::Id.is_in(listing_ids))
        .into_tuple::<(Uuid, String, bool, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, title, visible, brand)| (id, (title, visible, brand)))
        .collect();
    let mut brand_ids: Vec<Uuid> = skus.iter().map(|s| s.brand_id).collect();
    brand_ids.sort_unstable();
    brand_ids.dedup();
    let slugs: HashMap<Uuid, String> = brand::Entity::find()
        .select_only()
        .column(brand::Column::Id)
        .column(brand::Column::Slug)
        .filter(brand::Column::Id.is_in(brand_ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(skus
        .into_iter()
        .filter_map(|sku| {
            let (title, visible, brand_name) = listings.get(&sku.listing_id)?.clone();
            let brand_slug = slugs.get(&sku.brand_id)?.clone();
            Some((
                sku.id,
                SkuForSale {
                    sku,
                    title,
                    visible,
                    brand_name,
                    brand_slug,
                },
            ))
        })
        .collect())
}

/// Units the batch's buyers already hold of the batch's limited SKUs.
async fn load_held(
    db: &impl ConnectionTrait,
    jobs: &[Job],
    skus: &HashMap<Uuid, SkuForSale>,
) -> Result<HashMap<(Uuid, String), i64>, AppError> {
    let limited: Vec<Uuid> = skus
        .values()
        .filter(|s| s.sku.purchase_limit.is_some())
        .map(|s| s.sku.id)
        .collect();
    if limited.is_empty() {
        return Ok(HashMap::new());
    }
    let mut buyers: Vec<String> = jobs.iter().map(|j| j.request.buyer_key()).collect();
    buyers.sort_unstable();
    buyers.dedup();
    Ok(sku_purchase::Entity::find()
        .filter(sku_purchase::Column::SkuId.is_in(limited))
        .filter(sku_purchase::Column::BuyerKey.is_in(buyers))
        .all(db)
        .await?
        .into_iter()
        .map(|p| ((p.sku_id, p.buyer_key), p.quantity))
        .collect())
}

/// Adds to buyers' held units (purchase limits), one multi-row upsert.
async fn add_held(
    db: &impl ConnectionTrait,
    deltas: HashMap<(Uuid, String), i64>,
) -> Result<(), AppError> {
    if deltas.is_empty() {
        return Ok(());
    }
    let rows: Vec<sku_purchase::ActiveModel> = deltas
        .into_iter()
        .map(|((sku_id, buyer_key), quantity)| {
            sku_purchase::Model {
                sku_id,
                buyer_key,
                quantity,
            }
            .into_active_model()
        })
        .collect();
    sku_purchase::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([sku_purchase::Column::SkuId, sku_purchase::Column::BuyerKey])
                .value(
                    sku_purchase::Column::Quantity,
                    Expr::col((sku_purchase::Entity, sku_purchase::Column::Quantity))
                        .add(Expr::cust("excluded.quantity")),
                )
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Takes units off buyers' held counts (the order did not go through).
pub(super) async fn remove_held(
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

/// What the provider said for one reserved order.
enum Paid {
    Authorized {
        reference: String,
        card: CardSummary,
    },
    Pending {
        reference: String,
        card: CardSummary,
    },
    Declined {
        code: String,
        card: Option<CardSummary>,
    },
    /// The provider could not be asked; nothing was charged.
    Unreachable,
}

/// Steps 2 and 3: payments, then one transaction that records them. Answers by job index.
async fn settle(
    core: &Core,
    jobs: &[Job],
    reserved: Vec<(usize, Reserved)>,
) -> Vec<(usize, Placement)> {
    let mut asks = JoinSet::new();
    for (slot, (index, r)) in reserved.iter().enumerate() {
        let provider = core.provider.clone();
        let ask = Authorization {
            amount_minor: r.order.total_minor,
            currency: r.order.currency.clone(),
            source: jobs[*index].request.payment.clone(),
            order_number: r.order.number.clone(),
        };
        asks.spawn(async move { (slot, provider.authorize(&ask).await) });
    }
    let mut outcomes: Vec<Option<Paid>> = (0..reserved.len()).map(|_| None).collect();
    while let Some(done) = asks.join_next().await {
        let Ok((slot, outcome)) = done else { continue };
        outcomes[slot] = Some(match outcome {
            Ok(AuthOutcome::Authorized { reference, card }) => Paid::Authorized { reference, card },
            Ok(AuthOutcome::Pending { reference, card }) => Paid::Pending { reference, card },
            Ok(AuthOutcome::Declined { code, card }) => Paid::Declined {
                code,
                card: Some(card),
            },
            Err(err) => {
                tracing::warn!(error = %err, "payment provider unreachable");
                Paid::Unreachable
            }
        });
    }
    let outcomes: Vec<Paid> = outcomes
        .into_iter()
        .map(|o| o.unwrap_or(Paid::Unreachable))
        .collect();
    // Cards to keep for one-tap buying: saved with the provider before the transaction.
    let mut saved_cards = Vec::new();
    for ((index, r), outcome) in reserved.iter().zip(&outcomes) {
        let request = &jobs[*index].request;
        if let (
            true,
            Some(account_id),
            Paid::Authorized { .. },
            payments::PaymentSource::Card(card),
        ) = (
            request.save_card,
            request.account_id,
            outcome,
            &request.payment,
        ) {
            match core.provider.save_card(card).await {
                Ok(saved) => saved_cards.push(
                    payment_method::Model {
                        id: Uuid::now_v7(),
                        account_id,
                        provider: core.provider.name().to_owned(),
                        token: saved.token,
                        card_brand: saved.card.brand,
                        card_last4: saved.card.last4,
                        exp_month: saved.exp_month as i32,
                        exp_year: saved.exp_year as i32,
                        created_at: r.order.created_at,
                    }
                    .into_active_model(),
                ),
                Err(err) => tracing::warn!(error = %err, "saving a card failed"),
            }
        }
    }
    match record_outcomes(core, jobs, &reserved, &outcomes, saved_cards).await {
        Ok(answers) => answers,
        Err(err) => {
            // Nothing of this step was written: the orders stay pending and expire, their stock
            // returns. Release the holds now so no card stays blocked.
            for outcome in &outcomes {
                if let Paid::Authorized { reference, .. } | Paid::Pending { reference, .. } =
                    outcome
                {
                    let _ = core.provider.void(reference).await;
                }
            }
            reserved
                .iter()
                .map(|(index, _)| (*index, Err(err.clone())))
                .collect()
        }
    }
}

async fn record_outcomes(
    core: &Core,
    jobs: &[Job],
    reserved: &[(usize, Reserved)],
    outcomes: &[Paid],
    saved_cards: Vec<payment_method::ActiveModel>,
) -> Result<Vec<(usize, Placement)>, AppError> {
    let txn = begin_write(&core.db).await?;
    let at = now();
    let ids: Vec<Uuid> = reserved.iter().map(|(_, r)| r.order.id).collect();
    let live = orders::lock_pending(&txn, &ids).await?;
    let mut level_deltas: BTreeMap<(Uuid, Uuid), (i64, i64)> = BTreeMap::new();
    let mut movements = Vec::new();
    let mut payment_rows = Vec::new();
    let mut paid_ids = Vec::new();
    let mut failed_ids = Vec::new();
    let mut statuses: Vec<(Uuid, u16)> = Vec::with_capacity(reserved.len());
    let mut released_skus = HashSet::new();
    let mut released_listings = HashSet::new();
    let mut to_void = Vec::new();
    let mut answers: Vec<(usize, Placement)> = Vec::with_capacity(reserved.len());
    let mut forget = Vec::new();
    for ((index, r), outcome) in reserved.iter().zip(outcomes) {
        let job = &jobs[*index];
        if !live.contains(&r.order.id) {
            if let Paid::Authorized { reference, .. } | Paid::Pending { reference, .. } = outcome {
                to_void.push(reference.clone());
            }
            statuses.push((r.order.id, 409));
            answers.push((*index, Err(lapsed())));
            continue;
        }
        let mut view = r.view.clone();
        let (status, reference, card, failure) = match outcome {
            Paid::Authorized { reference, card } => {
                ("authorized", Some(reference), Some(card), None)
            }
            Paid::Pending { reference, card } => ("pending", Some(reference), Some(card), None),
            Paid::Declined { code, card } => ("declined", None, card.as_ref(), Some(code.clone())),
            Paid::Unreachable => ("declined", None, None, Some("processing_error".to_owned())),
        };
        payment_rows.push(
            payment::Model {
                id: Uuid::now_v7(),
                order_id: r.order.id,
                provider: core.provider.name().to_owned(),
                kind: "charge".into(),
                status: status.into(),
                reference: reference.cloned(),
                amount_minor: r.order.total_minor,
                currency: r.order.currency.clone(),
                card_brand: card.map(|c| c.brand.clone()),
                card_last4: card.map(|c| c.last4.clone()),
                failure_code: failure.clone(),
                created_at: at,
                updated_at: at,
            }
            .into_active_model(),
        );
        view.payment = Some(PaymentView {
            provider: core.provider.name().to_owned(),
            status: status.into(),
            card_brand: card.map(|c| c.brand.clone()),
            card_last4: card.map(|c| c.last4.clone()),
            amount_minor: r.order.total_minor,
            failure_code: failure,
        });
        let answer = match outcome {
            Paid::Authorized { .. } => {
                for planned in &r.lines {
                    move_line_stock(
                        MovementKind::Sell,
                        &planned.line,
                        &planned.allocations,
                        &r.order,
                        &mut level_deltas,
                        &mut movements,
                    );
                }
                paid_ids.push(r.order.id);
                view.status = OrderStatus::Paid;
                view.paid_at = Some(at);
                for brand in &mut view.brands {
                    brand.status = OrderStatus::Paid.as_str().to_owned();
                }
                statuses.push((r.order.id, 201));
                Ok(view)
            }
            Paid::Pending { .. } => {
                statuses.push((r.order.id, 202));
                Ok(view)
            }
            Paid::Declined { .. } | Paid::Unreachable => {
                for planned in &r.lines {
                    move_line_stock(
                        MovementKind::Release,
                        &planned.line,
                        &planned.allocations,
                        &r.order,
                        &mut level_deltas,
                        &mut movements,
                    );
                    released_skus.insert(planned.line.sku_id);
                    released_listings.insert(planned.line.listing_id);
                }
                remove_held(&txn, &job.request.buyer_key(), &r.limited).await?;
                failed_ids.push(r.order.id);
                if let Paid::Declined { code, .. } = outcome {
                    statuses.push((r.order.id, 402));
                    Err(AppError::PaymentDeclined {
                        message: payments::decline_message(code).to_owned(),
                    })
                } else {
                    if let Some(key) = &job.key {
                        forget.push(key);
                    }
                    Err(AppError::Unavailable)
                }
            }
        };
        answers.push((*index, answer));
    }
    apply_level_deltas(&txn, &level_deltas).await?;
    stock::refresh_listings(&txn, released_listings).await?;
    orders::set_status(&txn, &paid_ids, OrderStatus::Paid, Some(at)).await?;
    orders::set_status(&txn, &failed_ids, OrderStatus::PaymentFailed, None).await?;
    bulk::insert_all(&txn, movements).await?;
    bulk::insert_all(&txn, payment_rows).await?;
    bulk::insert_all(&txn, saved_cards).await?;
    idempotency::record_statuses(&txn, &statuses).await?;
    idempotency::forget(&txn, &forget).await?;
    txn.commit().await?;
    // Confirmation mail is written off this path, by `maintenance`.
    core.restocked(released_skus);
    for reference in to_void {
        if let Err(err) = core.provider.void(&reference).await {
            tracing::warn!(error = %err, "voiding a lapsed authorisation failed");
        }
    }
    Ok(answers)
}
