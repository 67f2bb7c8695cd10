//! One batch of order requests, run as one group commit:
//!
//! 1. **plan** (no transaction): every request is decided in arrival order against one read of
//!    the batch's stock, purchase limits and idempotency records. Refusals and replays are
//!    answered at once; the rest become orders in memory.
//! 2. **pay**: the payment provider is asked for every planned order, concurrently, outside
//!    any transaction (a provider's latency never holds a lock).
//! 3. **commit**: one transaction locks the batch's stock rows (PostgreSQL `FOR UPDATE`;
//!    SQLite's `BEGIN IMMEDIATE` holds the only write lock), takes each paid order's stock
//!    again against what it reads there — so a plan made on an older read can never oversell —
//!    and writes the orders in their final state: one conditional update per stock row
//!    touched and multi-row inserts of orders, lines, ledger rows, payments and idempotency
//!    records. An order whose stock went meanwhile is refused and its authorisation voided.
//!
//! Only then is every request in the batch answered, so a success is always durable. If the
//! process dies before the commit, nothing of the batch exists: no request was acknowledged,
//! and an authorisation already made is never captured (card processors let it lapse).
//!
//! One commit per batch and every row written once in its final state (no reserve-then-sell,
//! no status updates) is what makes the hot-SKU path fast; see BENCHMARKS.md.

use std::collections::{BTreeMap, HashMap};

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
use crate::core::keyed::{self, KeyPart};
use crate::core::{bulk, time::now, txn::begin_write, AppError, FieldErrors, FieldErrorsExt};

/// A SKU as the engine sells it.
struct SkuForSale {
    sku: sku::Model,
    title: String,
    visible: bool,
    brand_name: String,
    brand_slug: String,
}

/// Stock levels by SKU, each SKU's in location order.
type Levels = HashMap<Uuid, Vec<PoolLevel>>;
/// Units buyers already hold of SKUs with a purchase limit, by (SKU, buyer key).
type Held = HashMap<(Uuid, String), i64>;

/// A line with where its units come from.
struct PlannedLine {
    line: order_line::Model,
    allocations: Vec<(Uuid, i64)>,
}

/// Units of a SKU with a purchase limit that an order counts against its buyer.
struct Limited {
    sku_id: Uuid,
    quantity: i64,
    limit: i64,
}

/// An order planned in memory, waiting for its payment and the commit.
struct Planned {
    order: shop_order::Model,
    view: OrderView,
    lines: Vec<PlannedLine>,
    limited: Vec<Limited>,
}

enum Decision {
    Answer(Box<Placement>),
    Planned(Box<Planned>),
}

fn answer(job: &mut Job, placement: Placement) {
    if let Some(reply) = job.reply.take() {
        let _ = reply.send(placement);
    }
}

/// Runs `jobs` and answers each.
pub(super) async fn run(core: &Core, mut jobs: Vec<Job>) {
    let decisions = match plan_all(core, &jobs).await {
        Ok(decisions) => decisions,
        Err(err) => {
            for job in &mut jobs {
                answer(job, Err(err.clone()));
            }
            return;
        }
    };
    let mut planned = Vec::new();
    for (index, decision) in decisions.into_iter().enumerate() {
        match decision {
            Decision::Answer(placement) => answer(&mut jobs[index], *placement),
            Decision::Planned(p) => planned.push((index, *p)),
        }
    }
    if planned.is_empty() {
        return;
    }
    let outcomes = pay(core, &jobs, &planned).await;
    let saved_cards = save_cards(core, &jobs, &planned, &outcomes).await;
    match commit(core, &jobs, &mut planned, &outcomes, saved_cards).await {
        Ok(answers) => {
            for (index, placement) in answers {
                answer(&mut jobs[index], placement);
            }
        }
        Err(err) => {
            // Nothing of the batch was written: release every hold made for it.
            void_all(core, &outcomes).await;
            let waiting: Vec<Job> = jobs.into_iter().filter(|j| j.reply.is_some()).collect();
            if waiting.len() > 1 {
                // Something in the batch broke the transaction (typically an idempotency key
                // another node recorded meanwhile): run the requests one by one, so only the
                // culprit fails.
                for job in waiting {
                    Box::pin(run(core, vec![job])).await;
                }
            } else {
                for mut job in waiting {
                    answer(&mut job, Err(err.clone()));
                }
            }
        }
    }
}

/// Step 1: decides every request against one (unlocked) read.
async fn plan_all(core: &Core, jobs: &[Job]) -> Result<Vec<Decision>, AppError> {
    let now = now();
    let keys: Vec<&IdempotencyKey> = jobs.iter().filter_map(|j| j.key.as_ref()).collect();
    let stored = idempotency::load(&core.db, &keys).await?;
    let mut sku_ids: Vec<Uuid> = jobs
        .iter()
        .flat_map(|j| j.request.lines.iter().map(|l| l.sku_id))
        .collect();
    sku_ids.sort_unstable();
    sku_ids.dedup();
    let skus = load_skus(&core.db, &sku_ids).await?;
    let mut levels = stock::pool_levels(&core.db, &sku_ids, false).await?;
    note_sold_out(
        core,
        &levels,
        jobs.iter()
            .flat_map(|j| j.request.lines.iter().map(|l| (l.sku_id, j.request.pool))),
    );
    let limited_skus: Vec<Uuid> = skus
        .values()
        .filter(|s| s.sku.purchase_limit.is_some())
        .map(|s| s.sku.id)
        .collect();
    let mut held = load_held(
        &core.db,
        limited_skus,
        jobs.iter().map(|j| j.request.buyer_key()).collect(),
    )
    .await?;

    let mut decisions = Vec::with_capacity(jobs.len());
    for job in jobs {
        if let Some(record) = job.key.as_ref().and_then(|k| stored.get(k)) {
            decisions.push(Decision::Answer(Box::new(
                idempotency::answer_of(&core.db, record, &job.request.fingerprint).await?,
            )));
            continue;
        }
        match plan(core, &job.request, &skus, &mut levels, &mut held, now) {
            Ok(planned) => decisions.push(Decision::Planned(Box::new(planned))),
            Err(err) => decisions.push(Decision::Answer(Box::new(Err(err)))),
        }
    }
    Ok(decisions)
}

/// Remembers which of the `asked` (SKU, pool) pairs have nothing left in `levels`, so further
/// buyers are refused without a database round trip.
fn note_sold_out(core: &Core, levels: &Levels, asked: impl Iterator<Item = (Uuid, StockPool)>) {
    let mut asked: Vec<(Uuid, StockPool)> = asked.collect();
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
}

/// Refuses an order that would take its buyer past a SKU's purchase limit.
fn within_limits(held: &Held, buyer: &str, limited: &[Limited]) -> Result<(), AppError> {
    for l in limited {
        let holding = held
            .get(&(l.sku_id, buyer.to_owned()))
            .copied()
            .unwrap_or(0);
        if holding + l.quantity > l.limit {
            return Err(AppError::LimitReached { limit: l.limit });
        }
    }
    Ok(())
}

/// Counts an order's limited units against its buyer.
fn hold(held: &mut Held, buyer: &str, limited: &[Limited]) {
    for l in limited {
        *held.entry((l.sku_id, buyer.to_owned())).or_default() += l.quantity;
    }
}

/// Takes `(sku, quantity, title)` wants from `levels`, fullest location first, and answers
/// each want's `(location, units)`. Every want is allocated before anything is taken, so a
/// refused order takes nothing.
fn take_stock(
    levels: &mut Levels,
    pool: StockPool,
    wants: &[(Uuid, i64, &str)],
) -> Result<Vec<Vec<(Uuid, i64)>>, AppError> {
    let mut taken = Vec::with_capacity(wants.len());
    for &(sku_id, quantity, title) in wants {
        let stock = levels.get(&sku_id).map(Vec::as_slice).unwrap_or(&[]);
        taken.push(take_fullest_first(stock, pool, quantity).map_err(|total| {
            if total == 0 {
                AppError::SoldOut
            } else {
                AppError::Conflict {
                    message: format!("Only {total} left of “{title}”."),
                }
            }
        })?);
    }
    Ok(wants
        .iter()
        .zip(taken)
        .map(|(&(sku_id, ..), take)| {
            let stock = levels
                .get_mut(&sku_id)
                .expect("allocated from these levels");
            take.into_iter()
                .map(|(i, units)| {
                    stock[i].reserved += units;
                    (stock[i].location_id, units)
                })
                .collect()
        })
        .collect())
}

/// Decides one request against the batch's view of stock and limits; when it can be served,
/// takes its stock from `levels`, counts its limited units in `held` and answers the order.
fn plan(
    core: &Core,
    request: &OrderRequest,
    skus: &HashMap<Uuid, SkuForSale>,
    levels: &mut Levels,
    held: &mut Held,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Planned, AppError> {
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
    let limited: Vec<Limited> = request
        .lines
        .iter()
        .zip(&items)
        .filter_map(|(line, item)| {
            item.sku.purchase_limit.map(|limit| Limited {
                sku_id: line.sku_id,
                quantity: line.quantity,
                limit: i64::from(limit),
            })
        })
        .collect();
    within_limits(held, &buyer, &limited)?;
    let wants: Vec<(Uuid, i64, &str)> = request
        .lines
        .iter()
        .zip(&items)
        .map(|(line, item)| (line.sku_id, line.quantity, item.title.as_str()))
        .collect();
    let allocations = take_stock(levels, request.pool, &wants)?;
    hold(held, &buyer, &limited);
    let order_id = Uuid::now_v7();
    let number = orders::new_number();
    let mut planned_lines = Vec::with_capacity(request.lines.len());
    let mut brand_ids: Vec<Uuid> = Vec::new();
    let mut brand_order_ids: HashMap<Uuid, Uuid> = HashMap::new();
    for ((line, item), allocations) in request.lines.iter().zip(&items).zip(allocations) {
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
    Ok(Planned {
        order,
        view,
        lines: planned_lines,
        limited,
    })
}

/// The brand orders of `planned`, in the state its view says.
fn brand_order_rows(
    planned: &Planned,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<brand_order::ActiveModel> {
    planned
        .view
        .brands
        .iter()
        .map(|b| {
            let id = Uuid::parse_str(&b.id).expect("ids made here");
            let brand_id = planned
                .lines
                .iter()
                .find(|l| l.line.brand_order_id == id)
                .expect("a line of this brand order")
                .line
                .brand_id;
            brand_order::Model {
                id,
                order_id: planned.order.id,
                brand_id,
                status: b.status.clone(),
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

/// The stock a checkout batch moves: level deltas per (SKU, location), and one ledger row per
/// (SKU, location, kind) however many orders moved it. The batch takes its stock with one
/// conditional update per stock row, and its ledger records that change as one row; which
/// order took how many units from where stays on each order line (`allocations`), and a
/// row's `created_at` is the instant its orders' payments were recorded.
#[derive(Default)]
struct BatchLedger {
    deltas: BTreeMap<(Uuid, Uuid), (i64, i64)>,
    rows: BTreeMap<(Uuid, Uuid, &'static str), LedgerRow>,
}

struct LedgerRow {
    kind: MovementKind,
    brand_id: Uuid,
    units: i64,
    orders: usize,
}

impl BatchLedger {
    /// Adds what `kind` does to `line`'s units at each of its locations.
    fn add(&mut self, kind: MovementKind, line: &order_line::Model, allocations: &[(Uuid, i64)]) {
        for &(location, units) in allocations {
            let (on_hand, reserved) = kind.order_deltas(units);
            let delta = self.deltas.entry((line.sku_id, location)).or_default();
            delta.0 += on_hand;
            delta.1 += reserved;
            let row = self
                .rows
                .entry((line.sku_id, location, kind.as_str()))
                .or_insert(LedgerRow {
                    kind,
                    brand_id: line.brand_id,
                    units: 0,
                    orders: 0,
                });
            row.units += units;
            row.orders += 1;
        }
    }

    /// The ledger rows, recorded at `at`.
    fn movements(&self, at: chrono::DateTime<chrono::Utc>) -> Vec<stock_movement::ActiveModel> {
        self.rows
            .iter()
            .map(|(&(sku_id, location_id, _), row)| {
                let (on_hand_delta, reserved_delta) = row.kind.order_deltas(row.units);
                stock_movement::Model {
                    id: Uuid::now_v7(),
                    brand_id: row.brand_id,
                    sku_id,
                    location_id,
                    kind: row.kind.as_str().to_owned(),
                    on_hand_delta,
                    reserved_delta,
                    reason: format!(
                        "Checkout: {} order{}",
                        row.orders,
                        if row.orders == 1 { "" } else { "s" }
                    ),
                    actor_account_id: None,
                    reference: None,
                    created_at: at,
                }
                .into_active_model()
            })
            .collect()
    }
}

/// Applies `(on hand, reserved)` deltas per `(sku, location)`, one conditional update each.
/// A row that would break `0 ≤ reserved ≤ on hand` fails the transaction: callers hold the
/// rows' lock and checked the deltas against them, so it means a bug, and nothing may be
/// written.
pub(super) async fn apply_level_deltas(
    db: &impl ConnectionTrait,
    deltas: &BTreeMap<(Uuid, Uuid), (i64, i64)>,
) -> Result<(), AppError> {
    if try_level_deltas(db, deltas).await? {
        Ok(())
    } else {
        Err(AppError::internal("stock changed under the checkout lock"))
    }
}

/// Applies `(on hand, reserved)` deltas per `(sku, location)`, each as one conditional update
/// that keeps `0 ≤ reserved ≤ on hand`. `false` when a row refused: the caller must roll back
/// (earlier rows were already changed).
async fn try_level_deltas(
    db: &impl ConnectionTrait,
    deltas: &BTreeMap<(Uuid, Uuid), (i64, i64)>,
) -> Result<bool, AppError> {
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
            return Ok(false);
        }
    }
    Ok(true)
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

/// Units `buyers` already hold of the `limited` SKUs.
async fn load_held(
    db: &impl ConnectionTrait,
    limited: Vec<Uuid>,
    mut buyers: Vec<String>,
) -> Result<Held, AppError> {
    if limited.is_empty() {
        return Ok(HashMap::new());
    }
    buyers.sort_unstable();
    buyers.dedup();
    let mut pairs = Vec::with_capacity(limited.len() * buyers.len());
    for sku in &limited {
        for buyer in &buyers {
            pairs.push([KeyPart::Uuid(*sku), KeyPart::Text(buyer)]);
        }
    }
    let rows = keyed::find_by_keys::<sku_purchase::Entity, 2>(
        db,
        [sku_purchase::Column::SkuId, sku_purchase::Column::BuyerKey],
        pairs,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|p| ((p.sku_id, p.buyer_key), p.quantity))
        .collect())
}

/// Adds to buyers' held units (purchase limits), one multi-row upsert.
async fn add_held(db: &impl ConnectionTrait, deltas: Held) -> Result<(), AppError> {
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

/// What the provider said for one planned order.
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

impl Paid {
    /// The provider's reference of a hold on the card, if one was made.
    fn hold(&self) -> Option<&str> {
        match self {
            Paid::Authorized { reference, .. } | Paid::Pending { reference, .. } => Some(reference),
            Paid::Declined { .. } | Paid::Unreachable => None,
        }
    }
}

/// Step 2: asks the provider for every planned order, concurrently. Outcomes in `planned`'s
/// order.
async fn pay(core: &Core, jobs: &[Job], planned: &[(usize, Planned)]) -> Vec<Paid> {
    let mut asks = JoinSet::new();
    for (slot, (index, p)) in planned.iter().enumerate() {
        let provider = core.provider.clone();
        let ask = Authorization {
            amount_minor: p.order.total_minor,
            currency: p.order.currency.clone(),
            source: jobs[*index].request.payment.clone(),
            order_number: p.order.number.clone(),
        };
        asks.spawn(async move { (slot, provider.authorize(&ask).await) });
    }
    let mut outcomes: Vec<Option<Paid>> = (0..planned.len()).map(|_| None).collect();
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
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or(Paid::Unreachable))
        .collect()
}

/// Cards to keep for one-tap buying, saved with the provider before the commit.
async fn save_cards(
    core: &Core,
    jobs: &[Job],
    planned: &[(usize, Planned)],
    outcomes: &[Paid],
) -> Vec<payment_method::ActiveModel> {
    let mut saved_cards = Vec::new();
    for ((index, p), outcome) in planned.iter().zip(outcomes) {
        let request = &jobs[*index].request;
        let (true, Some(account_id), Paid::Authorized { .. }, payments::PaymentSource::Card(card)) = (
            request.save_card,
            request.account_id,
            outcome,
            &request.payment,
        ) else {
            continue;
        };
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
                    created_at: p.order.created_at,
                }
                .into_active_model(),
            ),
            Err(err) => tracing::warn!(error = %err, "saving a card failed"),
        }
    }
    saved_cards
}

/// Releases the holds of `outcomes` (their orders will not be captured).
async fn void_all(core: &Core, outcomes: &[Paid]) {
    for reference in outcomes.iter().filter_map(Paid::hold) {
        if let Err(err) = core.provider.void(reference).await {
            tracing::warn!(error = %err, "voiding an authorisation failed");
        }
    }
}

/// Takes `planned`'s stock again, under the commit's lock, and counts its limited units: the
/// plan was made on an unlocked read that another node, a brand's stock change or a batch
/// committing meanwhile may have overtaken. Updates the lines' allocations.
fn claim(
    planned: &mut Planned,
    request: &OrderRequest,
    levels: &mut Levels,
    held: &mut Held,
) -> Result<(), AppError> {
    let buyer = request.buyer_key();
    within_limits(held, &buyer, &planned.limited)?;
    let wants: Vec<(Uuid, i64, &str)> = planned
        .lines
        .iter()
        .map(|p| (p.line.sku_id, p.line.quantity, p.line.title.as_str()))
        .collect();
    let allocations = take_stock(levels, request.pool, &wants)?;
    for (p, allocations) in planned.lines.iter_mut().zip(allocations) {
        p.line.allocations = orders::allocations_json(&allocations);
        p.allocations = allocations;
    }
    hold(held, &buyer, &planned.limited);
    Ok(())
}

/// How a commit takes the batch's stock.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Take {
    /// As planned, without reading stock again: the orders are written first and the stock
    /// taken last, by conditional updates, so the stock rows stay locked only from there to
    /// the commit and overlapping batches write their orders in parallel. If a row no longer
    /// has the units, or a buyer's limit was reached meanwhile, the transaction is rolled back.
    AsPlanned,
    /// Stock rows locked and read first, then every order's stock taken again against them
    /// (see [`claim`]); orders that can no longer be served are refused. Never outdated.
    Reclaimed,
}

/// What a commit did.
enum Committed {
    Answers(Vec<(usize, Placement)>),
    /// [`Take::AsPlanned`] only: stock or limits moved since the plan; nothing was written.
    Outdated,
}

/// Step 3: one transaction that takes the paid orders' stock and writes every order of the
/// batch in its final state; answers by job index. Tried as planned first, and again under
/// the stock rows' lock if the plan was overtaken (another node, a brand's stock change, a
/// sell-out reached by a batch committing meanwhile).
async fn commit(
    core: &Core,
    jobs: &[Job],
    planned: &mut [(usize, Planned)],
    outcomes: &[Paid],
    saved_cards: Vec<payment_method::ActiveModel>,
) -> Result<Vec<(usize, Placement)>, AppError> {
    let first = write(
        core,
        jobs,
        planned,
        outcomes,
        saved_cards.clone(),
        Take::AsPlanned,
    );
    if let Committed::Answers(answers) = first.await? {
        return Ok(answers);
    }
    tracing::debug!(
        orders = planned.len(),
        "checkout batch overtaken since its plan: retaking its stock under the lock"
    );
    match write(core, jobs, planned, outcomes, saved_cards, Take::Reclaimed).await? {
        Committed::Answers(answers) => Ok(answers),
        Committed::Outdated => Err(AppError::internal(
            "a reclaimed checkout batch was outdated",
        )),
    }
}

/// One attempt at step 3; see [`Take`].
async fn write(
    core: &Core,
    jobs: &[Job],
    planned: &mut [(usize, Planned)],
    outcomes: &[Paid],
    saved_cards: Vec<payment_method::ActiveModel>,
    take: Take,
) -> Result<Committed, AppError> {
    let txn = begin_write(&core.db).await?;
    let at = now();
    let mut limited_skus: Vec<Uuid> = planned
        .iter()
        .flat_map(|(_, p)| p.limited.iter().map(|l| l.sku_id))
        .collect();
    limited_skus.sort_unstable();
    limited_skus.dedup();
    let buyers: Vec<String> = planned
        .iter()
        .filter(|(_, p)| !p.limited.is_empty())
        .map(|(index, _)| jobs[*index].request.buyer_key())
        .collect();
    // Reclaimed: locked for this transaction on PostgreSQL (on SQLite the transaction already
    // holds the database's single write lock), and limits read under that lock.
    let mut locked = match take {
        Take::AsPlanned => None,
        Take::Reclaimed => {
            let mut sku_ids: Vec<Uuid> = planned
                .iter()
                .flat_map(|(_, p)| p.lines.iter().map(|l| l.line.sku_id))
                .collect();
            sku_ids.sort_unstable();
            sku_ids.dedup();
            Some((
                stock::pool_levels(&txn, &sku_ids, true).await?,
                load_held(&txn, limited_skus.clone(), buyers.clone()).await?,
            ))
        }
    };

    let mut ledger = BatchLedger::default();
    let mut held_deltas: Held = HashMap::new();
    let mut limits: HashMap<Uuid, i64> = HashMap::new();
    let mut new_orders = Vec::new();
    let mut new_brand_orders = Vec::new();
    let mut new_lines = Vec::new();
    let mut payment_rows = Vec::new();
    let mut records = Vec::new();
    let mut touched_listings = Vec::new();
    let mut to_void = Vec::new();
    let mut answers: Vec<(usize, Placement)> = Vec::with_capacity(planned.len());
    for ((index, p), outcome) in planned.iter_mut().zip(outcomes) {
        let job = &jobs[*index];
        let (status, taken_as) = match outcome {
            Paid::Authorized { .. } => (OrderStatus::Paid, Some(MovementKind::Sell)),
            Paid::Pending { .. } => (OrderStatus::PendingPayment, Some(MovementKind::Reserve)),
            Paid::Declined { .. } | Paid::Unreachable => (OrderStatus::PaymentFailed, None),
        };
        if let Some(kind) = taken_as {
            if let Some((levels, held)) = &mut locked {
                if let Err(err) = claim(p, &job.request, levels, held) {
                    to_void.extend(outcome.hold().map(str::to_owned));
                    answers.push((*index, Err(err)));
                    continue;
                }
            }
            let buyer = job.request.buyer_key();
            for l in &p.limited {
                *held_deltas.entry((l.sku_id, buyer.clone())).or_default() += l.quantity;
                limits.insert(l.sku_id, l.limit);
            }
            for planned in &p.lines {
                ledger.add(kind, &planned.line, &planned.allocations);
                touched_listings.push(planned.line.listing_id);
            }
        } else {
            // No stock was taken: the lines say so.
            for planned in &mut p.lines {
                planned.allocations.clear();
                planned.line.allocations = orders::allocations_json(&[]);
            }
        }
        let (payment_status, reference, card, failure) = match outcome {
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
                order_id: p.order.id,
                provider: core.provider.name().to_owned(),
                kind: "charge".into(),
                status: payment_status.into(),
                reference: reference.cloned(),
                amount_minor: p.order.total_minor,
                currency: p.order.currency.clone(),
                card_brand: card.map(|c| c.brand.clone()),
                card_last4: card.map(|c| c.last4.clone()),
                failure_code: failure.clone(),
                created_at: at,
                updated_at: at,
            }
            .into_active_model(),
        );
        p.view.payment = Some(PaymentView {
            provider: core.provider.name().to_owned(),
            status: payment_status.into(),
            card_brand: card.map(|c| c.brand.clone()),
            card_last4: card.map(|c| c.last4.clone()),
            amount_minor: p.order.total_minor,
            failure_code: failure,
        });
        p.view.status = status;
        for brand in &mut p.view.brands {
            brand.status = status.as_str().to_owned();
        }
        p.order.status = status.as_str().to_owned();
        if status == OrderStatus::Paid {
            p.order.paid_at = Some(at);
            p.view.paid_at = Some(at);
        }
        let (http_status, placement) = match outcome {
            Paid::Authorized { .. } => (Some(201), Ok(p.view.clone())),
            Paid::Pending { .. } => (Some(202), Ok(p.view.clone())),
            Paid::Declined { code, .. } => (
                Some(402),
                Err(AppError::PaymentDeclined {
                    message: payments::decline_message(code).to_owned(),
                }),
            ),
            // Not recorded against the key: a retry may succeed once the provider is back.
            Paid::Unreachable => (None, Err(AppError::Unavailable)),
        };
        if let (Some(key), Some(http_status)) = (&job.key, http_status) {
            records.push(idempotency::record(
                key,
                &job.request.fingerprint,
                p.order.id,
                http_status,
            ));
        }
        new_brand_orders.extend(brand_order_rows(p, at));
        new_lines.extend(p.lines.iter().map(|l| l.line.clone().into_active_model()));
        new_orders.push(p.order.clone().into_active_model());
        answers.push((*index, placement));
    }
    if take == Take::Reclaimed {
        apply_level_deltas(&txn, &ledger.deltas).await?;
    }
    bulk::insert_all(&txn, new_orders).await?;
    bulk::insert_all(&txn, new_brand_orders).await?;
    bulk::insert_all(&txn, new_lines).await?;
    bulk::insert_all(&txn, ledger.movements(at)).await?;
    bulk::insert_all(&txn, payment_rows).await?;
    bulk::insert_all(&txn, saved_cards).await?;
    bulk::insert_all(&txn, records).await?;
    if take == Take::AsPlanned {
        // The stock rows are locked from here to the commit; limits are read under that lock.
        if !try_level_deltas(&txn, &ledger.deltas).await? {
            txn.rollback().await?;
            return Ok(Committed::Outdated);
        }
        let held = load_held(&txn, limited_skus, buyers).await?;
        let over_limit = held_deltas.iter().any(|(key, added)| {
            held.get(key).copied().unwrap_or(0) + added > limits.get(&key.0).copied().unwrap_or(0)
        });
        if over_limit {
            txn.rollback().await?;
            return Ok(Committed::Outdated);
        }
    }
    stock::refresh_listings(&txn, touched_listings).await?;
    add_held(&txn, held_deltas).await?;
    txn.commit().await?;
    // Confirmation mail is written off this path, by `maintenance`.
    if let Some((levels, _)) = &locked {
        note_sold_out(
            core,
            levels,
            planned.iter().flat_map(|(index, p)| {
                let pool = jobs[*index].request.pool;
                p.lines.iter().map(move |l| (l.line.sku_id, pool))
            }),
        );
    }
    for reference in to_void {
        if let Err(err) = core.provider.void(&reference).await {
            tracing::warn!(error = %err, "voiding the hold of a refused order failed");
        }
    }
    Ok(Committed::Answers(answers))
}
