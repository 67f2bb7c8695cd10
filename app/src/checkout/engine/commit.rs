//! Stage 3 of a batch, **commit**: one transaction takes the paid orders' stock and writes
//! every order of the batch in its final state — one conditional update per stock row touched
//! (through the stock ledger) and multi-row inserts of orders, lines, payments and idempotency
//! records. An order whose stock or limit went meanwhile is refused and its authorisation
//! voided.
//!
//! The plan was made on an unlocked read that another node, a brand's stock change or a batch
//! committing meanwhile may have overtaken, so a commit is first tried *as planned* (stock
//! taken last, by conditional updates that roll everything back if a row no longer has the
//! units) and, if overtaken, again *reclaimed* under the stock rows' lock against what it reads
//! there — so a plan made on an older read can never oversell.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{brand_order, payment, payment_method};
use sea_orm::IntoActiveModel;
use uuid::Uuid;

use super::core::{Core, Job};
use super::pay::Paid;
use super::plan::{note_sold_out, take_stock, Levels, Planned};
use crate::catalog::stock::ledger::{self, Movement};
use crate::catalog::stock::{self, MovementKind};
use crate::checkout::limits::{self, Held};
use crate::checkout::orders::{self, Placement};
use crate::checkout::request::{OrderRequest, PresaleStep};
use crate::checkout::{idempotency, payments, OrderStatus};
use crate::core::{bulk, txn::begin_write, AppError};
use crate::promotions::budget::{self, Budgets};
use entity::values::PaymentStatus;

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

/// What an attempt did.
enum Committed {
    Answers(Vec<(usize, Placement)>),
    /// Stock or limits moved since the stock was read (the plan, or the lock's read, which a
    /// transaction counting the same buyer's units may overtake); nothing was written.
    Outdated,
    /// Another node recorded some of the batch's idempotency keys meanwhile; nothing was
    /// written.
    KeysTaken,
}

/// Attempts at a commit under the lock before the batch is given up (each is overtaken only
/// by a transaction that committed meanwhile, which the next one reads).
const RECLAIMS: usize = 3;

/// Writes the batch: as planned, and again under the stock rows' lock if the plan was
/// overtaken. An order whose idempotency key another node recorded meanwhile gets that node's
/// answer and its hold is voided; the rest of the batch commits without it. Answers by job
/// index.
pub async fn commit(
    core: &Core,
    jobs: &[Job],
    planned: &mut Vec<(usize, Planned)>,
    outcomes: &mut Vec<Paid>,
    saved_cards: Vec<payment_method::ActiveModel>,
) -> Result<Vec<(usize, Placement)>, AppError> {
    // A balance cannot wait for an asynchronous confirmation (its units are its deposit's, and
    // its window closes): a pending one is voided and answered as declined.
    for ((index, _), outcome) in planned.iter().zip(outcomes.iter_mut()) {
        let balance = jobs[*index]
            .request
            .presale
            .as_ref()
            .and_then(PresaleStep::settles);
        if let (Some(_), Paid::Pending { reference, card }) = (balance, &*outcome) {
            if let Err(err) = core.provider.void(reference).await {
                tracing::warn!(error = %err, "voiding a pending balance's hold failed");
            }
            *outcome = Paid::Declined {
                code: "card_declined".into(),
                card: Some(card.clone()),
            };
        }
    }
    let mut replayed = Vec::new();
    let mut take = Take::AsPlanned;
    let mut reclaims = 0;
    loop {
        let attempt = write(core, jobs, planned, outcomes, saved_cards.clone(), take).await?;
        match attempt {
            Committed::Answers(mut answers) => {
                answers.append(&mut replayed);
                return Ok(answers);
            }
            Committed::KeysTaken => {
                replayed.extend(replay_taken_keys(core, jobs, planned, outcomes).await?);
            }
            Committed::Outdated if reclaims < RECLAIMS => {
                tracing::debug!(
                    orders = planned.len(),
                    "checkout batch overtaken: retaking its stock under the lock"
                );
                take = Take::Reclaimed;
                reclaims += 1;
            }
            Committed::Outdated => {
                return Err(AppError::internal(
                    "a checkout batch was overtaken at every attempt",
                ))
            }
        }
    }
}

/// Takes out of the batch the orders whose idempotency key another node recorded since the
/// plan: each is answered as that node answered, and its own hold is voided.
async fn replay_taken_keys(
    core: &Core,
    jobs: &[Job],
    planned: &mut Vec<(usize, Planned)>,
    outcomes: &mut Vec<Paid>,
) -> Result<Vec<(usize, Placement)>, AppError> {
    let keys: Vec<&idempotency::IdempotencyKey> = planned
        .iter()
        .filter_map(|(index, _)| jobs[*index].key.as_ref())
        .collect();
    let stored = idempotency::load(&core.db, &keys).await?;
    let mut replayed = Vec::new();
    let mut kept = Vec::with_capacity(planned.len());
    let mut kept_outcomes = Vec::with_capacity(outcomes.len());
    for ((index, p), outcome) in planned.drain(..).zip(outcomes.drain(..)) {
        let job = &jobs[index];
        match job.key.as_ref().and_then(|key| stored.get(key)) {
            Some(record) => {
                if let Some(reference) = outcome.hold() {
                    if let Err(err) = core.provider.void(reference).await {
                        tracing::warn!(error = %err, "voiding the hold of a replayed order failed");
                    }
                }
                let answer =
                    idempotency::answer_of(&core.db, record, &job.request.fingerprint).await?;
                replayed.push((index, answer));
            }
            None => {
                kept.push((index, p));
                kept_outcomes.push(outcome);
            }
        }
    }
    if replayed.is_empty() {
        return Err(AppError::internal(
            "idempotency keys were taken, but no stored record was found",
        ));
    }
    *planned = kept;
    *outcomes = kept_outcomes;
    Ok(replayed)
}

/// Takes `planned`'s stock again, under the commit's lock, and counts its limited units: see
/// [`Take::Reclaimed`]. Updates the lines' allocations.
fn claim(
    planned: &mut Planned,
    request: &OrderRequest,
    levels: &mut Levels,
    held: &mut Held,
    budgets: &mut Budgets,
    deposits_due: &mut HashSet<Uuid>,
) -> Result<(), AppError> {
    let settles = request.presale.as_ref().and_then(PresaleStep::settles);
    if let Some(deposit) = settles {
        if !deposits_due.remove(&deposit) {
            return Err(balance_settled());
        }
    }
    let buyer = request.buyer_key();
    limits::within(held, &buyer, &planned.limited)?;
    let envelope_free = planned
        .envelope
        .as_ref()
        .is_none_or(|e| budgets.ticket_free(e.envelope_id));
    if !envelope_free || !budgets.fits_all(request.account_id, &planned.uses) {
        // The order was priced, and its payment authorised, with this discount: it cannot be
        // served at another price.
        return Err(AppError::OfferUnavailable {
            message: "A discount on this order ran out while it was being placed, so the order \
                      was not placed. Try again to see the current price."
                .into(),
        });
    }
    let wants: Vec<(Uuid, i64, &str)> = planned
        .lines
        .iter()
        .map(|p| (p.line.sku_id, p.line.quantity, p.line.title.as_str()))
        .collect();
    // A balance's units are its deposit's, reserved already: nothing to take.
    if settles.is_none() {
        let allocations = take_stock(levels, request.pool, &wants)?;
        for (p, allocations) in planned.lines.iter_mut().zip(allocations) {
            p.line.allocations = orders::allocations_json(&allocations);
            p.allocations = allocations;
        }
    }
    limits::hold(held, &buyer, &planned.limited);
    budgets.count_all(request.account_id, &planned.uses);
    if let Some(envelope) = &planned.envelope {
        budgets.take_ticket(envelope.envelope_id);
    }
    Ok(())
}

/// A balance whose deposit was settled (or forfeited) meanwhile.
fn balance_settled() -> AppError {
    AppError::Conflict {
        message: "This deposit's balance is paid already, or the deposit has closed.".into(),
    }
}

/// The stock a batch moves: one ledger movement per (SKU, location, kind) however many orders
/// moved it (the batch takes each stock row with one conditional update); which order took how
/// many units from where stays on each order line (`allocations`).
#[derive(Default)]
struct BatchLedger {
    /// Keyed by (SKU, location, kind).
    rows: BTreeMap<(Uuid, Uuid, &'static str), BatchMove>,
}

/// What a batch's orders did to one stock row, in one kind of movement.
struct BatchMove {
    kind: MovementKind,
    brand_id: Uuid,
    units: i64,
    orders: usize,
}

impl BatchLedger {
    /// Adds what `kind` does to a line's units at each of its locations.
    fn add(
        &mut self,
        kind: MovementKind,
        brand_id: Uuid,
        sku_id: Uuid,
        allocations: &[(Uuid, i64)],
    ) {
        for &(location, units) in allocations {
            let row = self
                .rows
                .entry((sku_id, location, kind.as_str()))
                .or_insert(BatchMove {
                    kind,
                    brand_id,
                    units: 0,
                    orders: 0,
                });
            row.units += units;
            row.orders += 1;
        }
    }

    fn movements(&self) -> Vec<Movement> {
        self.rows
            .iter()
            .map(
                |(
                    &(sku_id, location_id, _),
                    &BatchMove {
                        kind,
                        brand_id,
                        units,
                        orders,
                    },
                )| {
                    let (on_hand_delta, reserved_delta) = ledger::order_deltas(kind, units);
                    Movement {
                        brand_id,
                        sku_id,
                        location_id,
                        kind,
                        on_hand_delta,
                        reserved_delta,
                        reason: format!(
                            "Checkout: {orders} order{}",
                            if orders == 1 { "" } else { "s" }
                        ),
                        actor: None,
                        reference: None,
                    }
                },
            )
            .collect()
    }
}

/// The payment row recording `outcome` for `planned`, and its status, reference, card and
/// failure.
fn payment_row(
    core: &Core,
    planned: &Planned,
    outcome: &Paid,
    at: DateTime<Utc>,
) -> payment::Model {
    let (status, reference, card, failure) = match outcome {
        Paid::Authorized { reference, card } => {
            (PaymentStatus::Authorized, Some(reference), Some(card), None)
        }
        Paid::Pending { reference, card } => {
            (PaymentStatus::Pending, Some(reference), Some(card), None)
        }
        Paid::Declined { code, card } => (
            PaymentStatus::Declined,
            None,
            card.as_ref(),
            Some(code.clone()),
        ),
        Paid::Unreachable => (
            PaymentStatus::Declined,
            None,
            None,
            Some("processing_error".to_owned()),
        ),
    };
    payment::Model {
        id: Uuid::now_v7(),
        order_id: planned.order.id,
        provider: core.provider.name().to_owned(),
        status,
        reference: reference.cloned(),
        amount_minor: planned.order.total_minor,
        currency: planned.order.currency.clone(),
        card_brand: card.map(|c| c.brand.clone()),
        card_last4: card.map(|c| c.last4.clone()),
        failure_code: failure,
        created_at: at,
        updated_at: at,
    }
}

/// One attempt at the commit; see [`Take`].
async fn write(
    core: &Core,
    jobs: &[Job],
    planned: &mut [(usize, Planned)],
    outcomes: &[Paid],
    saved_cards: Vec<payment_method::ActiveModel>,
    take: Take,
) -> Result<Committed, AppError> {
    let txn = begin_write(&core.db).await?;
    let at = core.clock.now();
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
    // holds the database's single write lock), and limits read after that lock (the count at
    // the end catches a transaction that counted the same buyer's units meanwhile).
    let mut locked = match take {
        Take::AsPlanned => None,
        Take::Reclaimed => {
            let mut sku_ids: Vec<Uuid> = planned
                .iter()
                .flat_map(|(_, p)| p.lines.iter().map(|l| l.line.sku_id))
                .collect();
            sku_ids.sort_unstable();
            sku_ids.dedup();
            let promotions = planned
                .iter()
                .flat_map(|(_, p)| {
                    p.uses
                        .iter()
                        .map(|u| (u.promotion_id, u.per_buyer_limit.is_some()))
                })
                .collect();
            let accounts = planned
                .iter()
                .filter_map(|(index, _)| jobs[*index].request.account_id)
                .collect();
            let tickets = planned
                .iter()
                .flat_map(|(_, p)| {
                    p.uses
                        .iter()
                        .filter_map(|u| u.coupon_id)
                        .chain(p.envelope.as_ref().map(|e| e.envelope_id))
                })
                .collect();
            let deposits: Vec<Uuid> = planned
                .iter()
                .filter_map(|(index, _)| jobs[*index].request.presale.as_ref()?.settles())
                .collect();
            Some((
                stock::pool_levels(&txn, &sku_ids, true).await?,
                limits::load(&txn, limited_skus.clone(), buyers.clone()).await?,
                Budgets::load(&txn, promotions, accounts, tickets, true).await?,
                orders::changes::lock_in_status(&txn, &deposits, OrderStatus::BalanceDue).await?,
            ))
        }
    };

    let mut ledger = BatchLedger::default();
    let mut held_deltas: Held = HashMap::new();
    let mut limits_by_sku: HashMap<Uuid, i64> = HashMap::new();
    let mut new_orders = Vec::new();
    let mut new_brand_orders = Vec::new();
    let mut new_lines = Vec::new();
    let mut payment_rows = Vec::new();
    let mut records = Vec::new();
    let mut touched_listings = Vec::new();
    let mut to_void = Vec::new();
    // Orders that take from promotions: (job index, paid).
    let mut promotion_takers: Vec<(usize, bool)> = Vec::new();
    // Deposit orders the batch's paid balances settle.
    let mut settled: Vec<Uuid> = Vec::new();
    let mut answers: Vec<(usize, Placement)> = Vec::with_capacity(planned.len());
    for ((index, p), outcome) in planned.iter_mut().zip(outcomes) {
        let job = &jobs[*index];
        let deposit = matches!(job.request.presale, Some(PresaleStep::Deposit { .. }));
        let settles = job.request.presale.as_ref().and_then(PresaleStep::settles);
        let (status, taken_as) = match outcome {
            // A paid deposit reserves its units until the balance: sold only then.
            Paid::Authorized { .. } if deposit => {
                (OrderStatus::BalanceDue, Some(MovementKind::Reserve))
            }
            Paid::Authorized { .. } => (OrderStatus::Paid, Some(MovementKind::Sell)),
            Paid::Pending { .. } => (OrderStatus::PendingPayment, Some(MovementKind::Reserve)),
            Paid::Declined { .. } | Paid::Unreachable => (OrderStatus::PaymentFailed, None),
        };
        if let Some(kind) = taken_as {
            if let Some((levels, held, budgets, deposits_due)) = &mut locked {
                if let Err(err) = claim(p, &job.request, levels, held, budgets, deposits_due) {
                    to_void.extend(outcome.hold().map(str::to_owned));
                    answers.push((*index, Err(err)));
                    continue;
                }
            }
            if !p.uses.is_empty() || p.envelope.is_some() {
                promotion_takers.push((*index, taken_as == Some(MovementKind::Sell)));
            }
            let buyer = job.request.buyer_key();
            for l in &p.limited {
                *held_deltas.entry((l.sku_id, buyer.clone())).or_default() += l.quantity;
                limits_by_sku.insert(l.sku_id, l.limit);
            }
            if let Some(deposit) = settles {
                settled.push(deposit);
            }
            for planned in &p.lines {
                // A balance sells the units its deposit reserved: released, then sold.
                if settles.is_some() {
                    ledger.add(
                        MovementKind::Release,
                        planned.line.brand_id,
                        planned.line.sku_id,
                        &planned.allocations,
                    );
                }
                ledger.add(
                    kind,
                    planned.line.brand_id,
                    planned.line.sku_id,
                    &planned.allocations,
                );
                touched_listings.push(planned.line.listing_id);
            }
        } else {
            // No stock was taken: the lines say so.
            for planned in &mut p.lines {
                planned.allocations.clear();
                planned.line.allocations = orders::allocations_json(&[]);
            }
        }
        let payment = payment_row(core, p, outcome, at);
        p.order.status = status;
        for brand_order in &mut p.brand_orders {
            brand_order.status = status.into();
        }
        if matches!(status, OrderStatus::Paid | OrderStatus::BalanceDue) {
            p.order.paid_at = Some(at);
        }
        let lines: Vec<_> = p.lines.iter().map(|l| l.line.clone()).collect();
        let view = orders::assemble(&p.order, &p.brand_orders, &lines, Some(&payment), &p.brands);
        let (http_status, placement) = match outcome {
            Paid::Authorized { .. } => (Some(201), Ok(view)),
            Paid::Pending { .. } => (Some(202), Ok(view)),
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
        new_brand_orders.extend(
            p.brand_orders
                .iter()
                .cloned()
                .map(brand_order::Model::into_active_model),
        );
        new_lines.extend(lines.into_iter().map(|l| l.into_active_model()));
        new_orders.push(p.order.clone().into_active_model());
        payment_rows.push(payment.into_active_model());
        answers.push((*index, placement));
    }
    let movements = ledger.movements();
    if take == Take::Reclaimed && !ledger::try_record(&txn, &movements).await? {
        // The rows are locked and every order was claimed against them: a bug.
        return Err(AppError::internal("stock changed under the checkout lock"));
    }
    // Keys first: a key another node recorded since the plan fails only its own order (the
    // batch is written again without it), never the whole batch at its commit.
    if !idempotency::insert_new(&txn, records).await? {
        txn.rollback().await?;
        return Ok(Committed::KeysTaken);
    }
    bulk::insert_all(&txn, new_orders).await?;
    bulk::insert_all(&txn, new_brand_orders).await?;
    bulk::insert_all(&txn, new_lines).await?;
    bulk::insert_all(&txn, payment_rows).await?;
    bulk::insert_all(&txn, saved_cards).await?;
    // The stock rows are locked from here to the commit.
    if take == Take::AsPlanned && !ledger::try_record(&txn, &movements).await? {
        txn.rollback().await?;
        return Ok(Committed::Outdated);
    }
    stock::refresh_listings(&txn, touched_listings).await?;
    // Limits last (stock rows, listings, limits: the order the chores lock them in too).
    // Counted first, which locks each buyer's row for the SKU — so a transaction counting the
    // same buyer and SKU waits here even when it took other stock rows — then checked.
    if !held_deltas.is_empty() {
        let pairs: Vec<(Uuid, String)> = held_deltas.keys().cloned().collect();
        limits::add(&txn, held_deltas).await?;
        let held = limits::load(&txn, limited_skus, buyers).await?;
        let over_limit = pairs.iter().any(|pair| {
            held.get(pair).copied().unwrap_or(0) > limits_by_sku.get(&pair.0).copied().unwrap_or(0)
        });
        if over_limit {
            txn.rollback().await?;
            return Ok(Committed::Outdated);
        }
    }
    // Promotions last, after limits (the order give-backs lock them in too).
    let placed: Vec<budget::Placed> = promotion_takers
        .iter()
        .filter_map(|&(index, paid)| {
            let (_, p) = planned.iter().find(|(i, _)| *i == index)?;
            Some(budget::Placed {
                order_id: p.order.id,
                account_id: p.order.account_id,
                currency: &p.order.currency,
                paid,
                uses: &p.uses,
                envelope: p.envelope.as_ref(),
            })
        })
        .collect();
    if !budget::take(&txn, &placed, at).await? {
        txn.rollback().await?;
        return Ok(Committed::Outdated);
    }
    // Last, each balance settles its deposit once (`balance_due` → `balance_paid`): a balance
    // paid twice, or a deposit forfeited meanwhile, is overtaken and refused under the lock.
    if !orders::changes::settle_deposits(&txn, &settled, at).await? {
        txn.rollback().await?;
        return Ok(Committed::Outdated);
    }
    txn.commit().await?;
    // Confirmation mail is written off this path, by the checkout chores.
    if let Some((levels, ..)) = &locked {
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
