//! What promotions have used, taken and given back. A checkout batch reads the counters once
//! ([`Budgets::load`]), decides each order against them in memory ([`Budgets::affords`],
//! [`Budgets::take`]) so two orders of one batch never count the same use, and its commit
//! takes them with one conditional update per counter row ([`take`]) in the transaction that
//! writes the orders: if a counter moved meanwhile the update matches nothing and the commit
//! starts again under the rows' locks. A lapsed, failed or cancelled order gives its uses back
//! exactly once ([`give_back`]).
//!
//! The rule for coupons and budgets when an order goes away: an order that lapses unpaid, or
//! is cancelled or refunded in full (every brand's part), returns its coupon to the buyer's
//! wallet (usable until the promotion ends) and its use and money to the promotion's limits
//! and budget. A partial refund gives the buyer back what they paid for those units after
//! discounts (`checkout::pricing::refund_share`) and the coupon stays used.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{coupon, promotion_budget, promotion_buyer, promotion_use, red_envelope};
use sea_orm::{
    sea_query::{self, Expr, ExprTrait, OnConflict},
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IdenStatic, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{CouponStatus, EnvelopeStatus, Offer};
use crate::core::{bulk, keyed, AppError};

/// What one order takes from one promotion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderUse {
    pub promotion_id: Uuid,
    /// The funding brand; none: the platform.
    pub funder_brand_id: Option<Uuid>,
    pub coupon_id: Option<Uuid>,
    /// The limits it was priced under.
    pub usage_limit: Option<i64>,
    pub budget_minor: Option<i64>,
    pub per_buyer_limit: Option<i64>,
    /// What it took off each selling brand's lines (positive).
    pub by_brand: Vec<(Uuid, i64)>,
}

impl OrderUse {
    /// `offer`'s use taking `by_brand` off each brand's lines.
    pub fn of(offer: &Offer, by_brand: Vec<(Uuid, i64)>) -> OrderUse {
        OrderUse {
            promotion_id: offer.promotion_id,
            funder_brand_id: offer.brand_id,
            coupon_id: offer.coupon_id,
            usage_limit: offer.usage_limit,
            budget_minor: offer.budget_minor,
            per_buyer_limit: offer.per_buyer_limit,
            by_brand,
        }
    }

    /// What it took off the order in all.
    pub fn amount_minor(&self) -> i64 {
        self.by_brand.iter().map(|(_, amount)| amount).sum()
    }
}

/// A red envelope one order redeems: which, from which pool, and what it took off each
/// selling brand's lines (recorded with the uses, for settlement: the platform funds it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeUse {
    pub envelope_id: Uuid,
    pub pool_id: Uuid,
    pub by_brand: Vec<(Uuid, i64)>,
}

/// Counters as a batch sees them: uses and money by promotion, orders by (promotion, buyer),
/// and the *tickets* — coupons and red envelopes, each good for one order — that are gone
/// (taken by an order of the batch, or no longer ready when read).
#[derive(Debug, Clone, Default)]
pub struct Budgets {
    used: HashMap<Uuid, (i64, i64)>,
    buyers: HashMap<(Uuid, Uuid), i64>,
    tickets: HashSet<Uuid>,
}

impl Budgets {
    /// The counters of `promotions` (`(id, limited per buyer)`), those of `accounts` under the
    /// limited ones, and which of `tickets` (coupons and envelopes) are no longer ready for
    /// use; the promotions' rows locked for the transaction when `lock` (on PostgreSQL;
    /// SQLite's writer holds the whole database).
    pub async fn load(
        db: &impl ConnectionTrait,
        mut promotions: Vec<(Uuid, bool)>,
        accounts: Vec<Uuid>,
        tickets: Vec<Uuid>,
        lock: bool,
    ) -> Result<Budgets, AppError> {
        let gone = gone_tickets(db, tickets).await?;
        // Limited first, so the one kept of each promotion is limited if any of it is.
        promotions.sort_unstable_by_key(|&(id, limited)| (id, !limited));
        promotions.dedup_by_key(|(id, _)| *id);
        if promotions.is_empty() {
            return Ok(Budgets {
                tickets: gone,
                ..Budgets::default()
            });
        }
        let mut query = promotion_budget::Entity::find()
            .filter(promotion_budget::Column::LineageId.is_in(promotions.iter().map(|(id, _)| *id)))
            .order_by_asc(promotion_budget::Column::LineageId);
        if lock && db.get_database_backend() == DbBackend::Postgres {
            query = query.lock_exclusive();
        }
        let used = query
            .all(db)
            .await?
            .into_iter()
            .map(|b| (b.lineage_id, (b.uses, b.spent_minor)))
            .collect();
        let mut keys = Vec::new();
        for (promotion, _) in promotions.iter().filter(|(_, limited)| *limited) {
            for account in &accounts {
                keys.push([
                    keyed::KeyPart::Uuid(*promotion),
                    keyed::KeyPart::Uuid(*account),
                ]);
            }
        }
        let buyers = keyed::find_by_keys::<promotion_buyer::Entity, 2>(
            db,
            [
                promotion_buyer::Column::LineageId,
                promotion_buyer::Column::AccountId,
            ],
            keys,
        )
        .await?
        .into_iter()
        .map(|b| ((b.lineage_id, b.account_id), b.used))
        .collect();
        Ok(Budgets {
            used,
            buyers,
            tickets: gone,
        })
    }

    /// Whether `offer` can still take `amount_minor` more for one more order of `account`.
    pub fn affords(&self, offer: &Offer, account: Option<Uuid>, amount_minor: i64) -> bool {
        self.fits(&OrderUse::of(offer, Vec::new()), account, amount_minor)
    }

    /// Counts one order of `account` using `offer` for `amount_minor`.
    pub fn take(&mut self, offer: &Offer, account: Option<Uuid>, amount_minor: i64) {
        self.count(&OrderUse::of(offer, Vec::new()), account, amount_minor);
    }

    /// Whether every use of an order planned on an older read still fits these counters.
    pub fn fits_all(&self, account: Option<Uuid>, uses: &[OrderUse]) -> bool {
        uses.iter().all(|u| self.fits(u, account, u.amount_minor()))
    }

    /// Counts an order's uses (see [`Budgets::fits_all`]).
    pub fn count_all(&mut self, account: Option<Uuid>, uses: &[OrderUse]) {
        for u in uses {
            self.count(u, account, u.amount_minor());
        }
    }

    fn fits(&self, u: &OrderUse, account: Option<Uuid>, amount_minor: i64) -> bool {
        let (uses, spent) = self.used.get(&u.promotion_id).copied().unwrap_or_default();
        let buyer_ok = match (u.per_buyer_limit, account) {
            (None, _) => true,
            // A per-buyer limit counts accounts: guests cannot use such a promotion.
            (Some(_), None) => false,
            (Some(limit), Some(account)) => {
                self.buyers
                    .get(&(u.promotion_id, account))
                    .copied()
                    .unwrap_or(0)
                    < limit
            }
        };
        buyer_ok
            && u.usage_limit.is_none_or(|limit| uses < limit)
            && u.budget_minor
                .is_none_or(|budget| spent + amount_minor <= budget)
            && u.coupon_id.is_none_or(|c| self.ticket_free(c))
    }

    fn count(&mut self, u: &OrderUse, account: Option<Uuid>, amount_minor: i64) {
        let used = self.used.entry(u.promotion_id).or_default();
        used.0 += 1;
        used.1 += amount_minor;
        if let (Some(_), Some(account)) = (u.per_buyer_limit, account) {
            *self.buyers.entry((u.promotion_id, account)).or_default() += 1;
        }
        if let Some(coupon) = u.coupon_id {
            self.take_ticket(coupon);
        }
    }

    /// Whether a coupon or envelope is still free for an order of this batch.
    pub fn ticket_free(&self, id: Uuid) -> bool {
        !self.tickets.contains(&id)
    }

    /// Marks a coupon or envelope as taken by an order of this batch.
    pub fn take_ticket(&mut self, id: Uuid) {
        self.tickets.insert(id);
    }
}

/// Which of `ids` (coupons and red envelopes) are no longer ready for use.
async fn gone_tickets(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<HashSet<Uuid>, AppError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let mut gone: HashSet<Uuid> = coupon::Entity::find()
        .select_only()
        .column(coupon::Column::Id)
        .filter(coupon::Column::Id.is_in(ids.clone()))
        .filter(coupon::Column::Status.ne(CouponStatus::Claimed))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    gone.extend(
        red_envelope::Entity::find()
            .select_only()
            .column(red_envelope::Column::Id)
            .filter(red_envelope::Column::Id.is_in(ids))
            .filter(red_envelope::Column::Status.ne(EnvelopeStatus::Won))
            .into_tuple::<Uuid>()
            .all(db)
            .await?,
    );
    Ok(gone)
}

/// Makes sure `account` has its counting row under `promotion` (an insert that does nothing
/// when it is there), so the conditional update that follows has a row to count on.
pub(super) async fn ensure_buyer(
    db: &impl ConnectionTrait,
    promotion: Uuid,
    account: Uuid,
) -> Result<(), AppError> {
    ensure_buyers(db, &[(promotion, account)]).await
}

/// [`ensure_buyer`] for many `(promotion, account)` pairs, in multi-row inserts.
async fn ensure_buyers(db: &impl ConnectionTrait, pairs: &[(Uuid, Uuid)]) -> Result<(), AppError> {
    for chunk in bulk::chunks(pairs, TICKETS_PER_STATEMENT) {
        let rows = chunk.iter().map(|&(lineage_id, account_id)| {
            promotion_buyer::Model {
                lineage_id,
                account_id,
                claimed: 0,
                used: 0,
            }
            .into_active_model()
        });
        promotion_buyer::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([
                    promotion_buyer::Column::LineageId,
                    promotion_buyer::Column::AccountId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// One order's uses as the commit writes them.
pub struct Placed<'a> {
    pub order_id: Uuid,
    pub account_id: Option<Uuid>,
    pub currency: &'a str,
    /// Paid: its coupon and envelope are used; otherwise (waiting for payment) held.
    pub paid: bool,
    pub uses: &'a [OrderUse],
    pub envelope: Option<&'a EnvelopeUse>,
}

/// Takes `orders`' uses in the commit's transaction: per promotion one conditional update of
/// its counters, per group of limited buyers one of theirs, the batch's coupons and red
/// envelopes moved from ready to held or used in a few conditional updates, and the uses
/// recorded. `false` (and nothing may be committed) when a counter, coupon or envelope moved
/// since it was read.
///
/// The number of statements does not grow with the batch's orders (a statement per order
/// for each coupon and envelope was most of what coupons and envelopes cost a checkout's CPU).
pub async fn take(
    db: &impl ConnectionTrait,
    orders: &[Placed<'_>],
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    // By promotion (in id order, as every writer locks them): orders, money and limits.
    let mut totals: BTreeMap<Uuid, (i64, i64, Option<i64>, Option<i64>)> = BTreeMap::new();
    let mut buyers: BTreeMap<(Uuid, Uuid), (i64, i64)> = BTreeMap::new();
    let mut coupons = Vec::new();
    let mut envelopes = Vec::new();
    let mut rows = Vec::new();
    for order in orders {
        let mut record = |lineage_id, funder_brand_id, ticket, by_brand: &[(Uuid, i64)]| {
            rows.extend(by_brand.iter().map(|&(brand_id, amount_minor)| {
                promotion_use::Model {
                    order_id: order.order_id,
                    lineage_id,
                    brand_id,
                    funder_brand_id,
                    account_id: order.account_id,
                    coupon_id: ticket,
                    amount_minor,
                    currency: order.currency.to_owned(),
                    created_at: now,
                    returned_at: None,
                }
                .into_active_model()
            }));
        };
        for u in order.uses {
            let total =
                totals
                    .entry(u.promotion_id)
                    .or_insert((0, 0, u.usage_limit, u.budget_minor));
            total.0 += 1;
            total.1 += u.amount_minor();
            if let (Some(limit), Some(account)) = (u.per_buyer_limit, order.account_id) {
                buyers
                    .entry((u.promotion_id, account))
                    .or_insert((0, limit))
                    .0 += 1;
            }
            record(u.promotion_id, u.funder_brand_id, u.coupon_id, &u.by_brand);
            if let Some(id) = u.coupon_id {
                coupons.push(TicketMove::of(id, order));
            }
        }
        if let Some(envelope) = order.envelope {
            let id = envelope.envelope_id;
            record(envelope.pool_id, None, Some(id), &envelope.by_brand);
            envelopes.push(TicketMove::of(id, order));
        }
    }
    for (&promotion, &(orders_using, amount, usage_limit, budget)) in &totals {
        let mut update = promotion_budget::Entity::update_many()
            .col_expr(
                promotion_budget::Column::Uses,
                Expr::col(promotion_budget::Column::Uses).add(orders_using),
            )
            .col_expr(
                promotion_budget::Column::SpentMinor,
                Expr::col(promotion_budget::Column::SpentMinor).add(amount),
            )
            .filter(promotion_budget::Column::LineageId.eq(promotion));
        if let Some(limit) = usage_limit {
            update = update.filter(
                Expr::col(promotion_budget::Column::Uses)
                    .add(orders_using)
                    .lte(limit),
            );
        }
        if let Some(budget) = budget {
            update = update.filter(
                Expr::col(promotion_budget::Column::SpentMinor)
                    .add(amount)
                    .lte(budget),
            );
        }
        if update.exec(db).await?.rows_affected != 1 {
            return Ok(false);
        }
    }
    if !count_buyers(db, &buyers).await?
        || !take_tickets::<coupon::Entity>(db, &coupons, now).await?
        || !take_tickets::<red_envelope::Entity>(db, &envelopes, now).await?
    {
        return Ok(false);
    }
    bulk::insert_all(db, rows).await?;
    Ok(true)
}

/// Counts orders on limited buyers' rows (`(promotion, account)` → `(orders, limit)`): their
/// rows made sure of in bulk, then one conditional update per promotion and count (almost
/// always one per promotion: a buyer rarely has two orders in one batch). `false` when a buyer
/// would pass the limit.
async fn count_buyers(
    db: &impl ConnectionTrait,
    buyers: &BTreeMap<(Uuid, Uuid), (i64, i64)>,
) -> Result<bool, AppError> {
    if buyers.is_empty() {
        return Ok(true);
    }
    let pairs: Vec<(Uuid, Uuid)> = buyers.keys().copied().collect();
    ensure_buyers(db, &pairs).await?;
    let mut groups: BTreeMap<(Uuid, i64, i64), Vec<Uuid>> = BTreeMap::new();
    for (&(promotion, account), &(orders_using, limit)) in buyers {
        groups
            .entry((promotion, orders_using, limit))
            .or_default()
            .push(account);
    }
    for ((promotion, orders_using, limit), accounts) in groups {
        for chunk in bulk::chunks(&accounts, TICKETS_PER_STATEMENT) {
            let counted = promotion_buyer::Entity::update_many()
                .col_expr(
                    promotion_buyer::Column::Used,
                    Expr::col(promotion_buyer::Column::Used).add(orders_using),
                )
                .filter(promotion_buyer::Column::LineageId.eq(promotion))
                .filter(promotion_buyer::Column::AccountId.is_in(chunk.iter().copied()))
                .filter(
                    Expr::col(promotion_buyer::Column::Used)
                        .add(orders_using)
                        .lte(limit),
                )
                .exec(db)
                .await?;
            if counted.rows_affected != chunk.len() as u64 {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// Most coupons, envelopes or buyers one statement moves (its CASE has a branch per row, which
/// the database tries in turn for each row).
const TICKETS_PER_STATEMENT: usize = 256;

/// A coupon or red envelope an order takes.
struct TicketMove {
    id: Uuid,
    order_id: Uuid,
    /// Its owner: the order's buyer (a guest owns none, and matches no row).
    account_id: Uuid,
    paid: bool,
}

impl TicketMove {
    fn of(id: Uuid, order: &Placed<'_>) -> TicketMove {
        TicketMove {
            id,
            order_id: order.order_id,
            account_id: order.account_id.unwrap_or_default(),
            paid: order.paid,
        }
    }
}

/// The two tables of tickets good for one order — coupons and red envelopes — whose rows move
/// the same way: ready → held by an order (waiting for its payment) or used.
trait TicketTable: EntityTrait {
    const ID: Self::Column;
    const STATUS: Self::Column;
    const ORDER_ID: Self::Column;
    const ACCOUNT_ID: Self::Column;
    const EXPIRES_AT: Self::Column;
    const UPDATED_AT: Self::Column;
    /// The status of a ticket ready for an order.
    fn ready() -> &'static str;
    /// Its status once taken by an order that is paid, or that waits for its payment.
    fn taken(paid: bool) -> &'static str;
}

impl TicketTable for coupon::Entity {
    const ID: coupon::Column = coupon::Column::Id;
    const STATUS: coupon::Column = coupon::Column::Status;
    const ORDER_ID: coupon::Column = coupon::Column::OrderId;
    const ACCOUNT_ID: coupon::Column = coupon::Column::AccountId;
    const EXPIRES_AT: coupon::Column = coupon::Column::ExpiresAt;
    const UPDATED_AT: coupon::Column = coupon::Column::UpdatedAt;
    fn ready() -> &'static str {
        CouponStatus::Claimed.as_str()
    }
    fn taken(paid: bool) -> &'static str {
        if paid {
            CouponStatus::Used
        } else {
            CouponStatus::Held
        }
        .as_str()
    }
}

impl TicketTable for red_envelope::Entity {
    const ID: red_envelope::Column = red_envelope::Column::Id;
    const STATUS: red_envelope::Column = red_envelope::Column::Status;
    const ORDER_ID: red_envelope::Column = red_envelope::Column::OrderId;
    const ACCOUNT_ID: red_envelope::Column = red_envelope::Column::AccountId;
    const EXPIRES_AT: red_envelope::Column = red_envelope::Column::ExpiresAt;
    const UPDATED_AT: red_envelope::Column = red_envelope::Column::UpdatedAt;
    fn ready() -> &'static str {
        EnvelopeStatus::Won.as_str()
    }
    fn taken(paid: bool) -> &'static str {
        if paid {
            EnvelopeStatus::Used
        } else {
            EnvelopeStatus::Held
        }
        .as_str()
    }
}

/// Moves `moves`' tickets from ready to held or used by their orders: per status, one
/// conditional update per chunk — each row only if it is still ready, unexpired and its
/// order's buyer's, its order set by a CASE on its id. `false` when any row did not move.
async fn take_tickets<T: TicketTable>(
    db: &impl ConnectionTrait,
    moves: &[TicketMove],
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    // Without statistics SQLite guesses that `status = ready` matches few rows, and with the
    // ids in an IN list it walked the envelopes' (status, expiry) index over every ready
    // envelope instead of finding each row by its id. A unary `+` keeps that term out of its
    // choice of index (SQLite's documented way); PostgreSQL plans from statistics.
    let status = match db.get_database_backend() {
        DbBackend::Sqlite => Expr::cust(format!("+\"{}\"", T::STATUS.as_str())),
        _ => Expr::col(T::STATUS),
    };
    for paid in [true, false] {
        let moves: Vec<&TicketMove> = moves.iter().filter(|m| m.paid == paid).collect();
        for chunk in bulk::chunks(&moves, TICKETS_PER_STATEMENT) {
            let by_id = |value: fn(&TicketMove) -> Uuid| {
                let mut case = sea_query::CaseStatement::new();
                for m in chunk {
                    case = case.case(Expr::col(T::ID).eq(m.id), value(m));
                }
                case
            };
            let moved = T::update_many()
                .col_expr(T::STATUS, Expr::value(T::taken(paid)))
                .col_expr(T::ORDER_ID, by_id(|m| m.order_id).into())
                .col_expr(T::UPDATED_AT, Expr::value(now))
                .filter(T::ID.is_in(chunk.iter().map(|m| m.id)))
                .filter(status.clone().eq(T::ready()))
                .filter(Expr::col(T::EXPIRES_AT).gt(now))
                .filter(Expr::col(T::ACCOUNT_ID).eq(by_id(|m| m.account_id)))
                .exec(db)
                .await?;
            if moved.rows_affected != chunk.len() as u64 {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// Gives back what `order_ids` took (they lapsed, failed, or were cancelled or refunded in
/// full): each use once — it is marked returned, and only unreturned uses count — its orders
/// and money to the promotion, the buyer's use, and its coupon to the buyer's wallet.
pub async fn give_back(
    db: &impl ConnectionTrait,
    order_ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if order_ids.is_empty() {
        return Ok(());
    }
    // Their envelopes back to their buyers (the expiry chore returns the money of any that
    // expired meanwhile).
    give_back_tickets::<red_envelope::Entity>(db, order_ids, now).await?;
    let mut query = promotion_use::Entity::find()
        .filter(promotion_use::Column::OrderId.is_in(order_ids.to_vec()))
        .filter(promotion_use::Column::ReturnedAt.is_null());
    if db.get_database_backend() == DbBackend::Postgres {
        query = query.lock_exclusive();
    }
    let uses = query.all(db).await?;
    if uses.is_empty() {
        return Ok(());
    }
    promotion_use::Entity::update_many()
        .col_expr(promotion_use::Column::ReturnedAt, Expr::value(now))
        .filter(promotion_use::Column::OrderId.is_in(order_ids.to_vec()))
        .filter(promotion_use::Column::ReturnedAt.is_null())
        .exec(db)
        .await?;
    let mut totals: BTreeMap<Uuid, (HashSet<Uuid>, i64)> = BTreeMap::new();
    let mut buyers: BTreeMap<(Uuid, Uuid), HashSet<Uuid>> = BTreeMap::new();
    for u in &uses {
        let total = totals.entry(u.lineage_id).or_default();
        total.0.insert(u.order_id);
        total.1 += u.amount_minor;
        if let Some(account) = u.account_id {
            buyers
                .entry((u.lineage_id, account))
                .or_default()
                .insert(u.order_id);
        }
    }
    for (promotion, (orders, amount)) in totals {
        promotion_budget::Entity::update_many()
            .col_expr(
                promotion_budget::Column::Uses,
                Expr::col(promotion_budget::Column::Uses).sub(orders.len() as i64),
            )
            .col_expr(
                promotion_budget::Column::SpentMinor,
                Expr::col(promotion_budget::Column::SpentMinor).sub(amount),
            )
            .filter(promotion_budget::Column::LineageId.eq(promotion))
            .exec(db)
            .await?;
    }
    for ((promotion, account), orders) in buyers {
        // Rows exist only for limited promotions; never below zero.
        promotion_buyer::Entity::update_many()
            .col_expr(
                promotion_buyer::Column::Used,
                Expr::col(promotion_buyer::Column::Used).sub(orders.len() as i64),
            )
            .filter(promotion_buyer::Column::LineageId.eq(promotion))
            .filter(promotion_buyer::Column::AccountId.eq(account))
            .filter(promotion_buyer::Column::Used.gte(orders.len() as i64))
            .exec(db)
            .await?;
    }
    give_back_tickets::<coupon::Entity>(db, order_ids, now).await
}

/// Returns the tickets held or used by `order_ids` to their buyers' wallets, ready again.
async fn give_back_tickets<T: TicketTable>(
    db: &impl ConnectionTrait,
    order_ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    T::update_many()
        .col_expr(T::STATUS, Expr::value(T::ready()))
        .col_expr(T::ORDER_ID, Expr::value(Option::<Uuid>::None))
        .col_expr(T::UPDATED_AT, Expr::value(now))
        .filter(T::ORDER_ID.is_in(order_ids.to_vec()))
        .filter(T::STATUS.is_in([T::taken(false), T::taken(true)]))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promotions::PromotionKind;

    fn offer(usage_limit: Option<i64>, budget: Option<i64>, per_buyer: Option<i64>) -> Offer {
        Offer {
            promotion_id: Uuid::from_u128(1),
            brand_id: None,
            kind: PromotionKind::PlatformAllowance,
            name: "50 off every 400".into(),
            percent_off: None,
            amount_off_minor: Some(5_000),
            threshold_minor: Some(40_000),
            cap_minor: None,
            currency: "CNY".into(),
            listing_ids: vec![],
            categories: vec![],
            brand_ids: vec![],
            channels: vec![],
            per_buyer_limit: per_buyer,
            usage_limit,
            budget_minor: budget,
            combinable: true,
            coupon_id: None,
        }
    }

    #[test]
    fn a_batch_never_counts_past_a_limit_or_a_budget() {
        let (a, b) = (Some(Uuid::from_u128(7)), Some(Uuid::from_u128(8)));
        let mut budgets = Budgets::default();
        let limited = offer(Some(2), None, None);
        assert!(budgets.affords(&limited, a, 100));
        budgets.take(&limited, a, 100);
        budgets.take(&limited, b, 100);
        assert!(!budgets.affords(&limited, a, 1));

        let mut budgets = Budgets::default();
        let funded = offer(None, Some(10_000), Some(1));
        assert!(budgets.affords(&funded, a, 6_000));
        budgets.take(&funded, a, 6_000);
        assert!(!budgets.affords(&funded, a, 1), "one order per buyer");
        assert!(!budgets.affords(&funded, b, 5_000), "past the budget");
        assert!(budgets.affords(&funded, b, 4_000));
        assert!(
            !budgets.affords(&funded, None, 1),
            "guests have no per-buyer count"
        );
    }

    #[test]
    fn a_coupon_is_taken_by_one_order_of_a_batch() {
        let mut budgets = Budgets::default();
        let mut coupon = offer(None, None, None);
        coupon.coupon_id = Some(Uuid::from_u128(99));
        budgets.take(&coupon, None, 10);
        assert!(!budgets.affords(&coupon, None, 10));
        let uses = [OrderUse {
            promotion_id: coupon.promotion_id,
            funder_brand_id: None,
            coupon_id: coupon.coupon_id,
            usage_limit: None,
            budget_minor: None,
            per_buyer_limit: None,
            by_brand: vec![(Uuid::from_u128(5), 10)],
        }];
        assert!(!budgets.fits_all(None, &uses));
    }
}
