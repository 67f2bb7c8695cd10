//! Stage 1 of a batch, **plan**: every request is decided in arrival order against one
//! (unlocked) read of the batch's SKUs, sale rules, stock, purchase limits and idempotency
//! records. Refusals and replays are answered at once; the rest become orders in memory,
//! priced by the one quote ([`crate::checkout::pricing`]) and with their stock taken from the
//! batch's view of the levels, so two requests of one batch never count the same unit.
//!
//! The functions that decide ([`take_stock`], [`plan`]) are pure: they are unit-tested here
//! without a database.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{brand, brand_order, listing, order_line, shop_order, sku};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::core::{Core, Job};
use crate::catalog::gates::{self, Closed, SaleRule};
use crate::catalog::stock::{self, drawn_on, take_fullest_first, PoolLevel, StockPool};
use crate::checkout::idempotency;
use crate::checkout::limits::{self, Held, Limited};
use crate::checkout::orders::{self, Placement};
use crate::checkout::pricing::{self, PriceLine, PriceRule};
use crate::checkout::request::{OrderRequest, PresaleStep};

/// How long an unpaid pre-sale deposit holds its units.
const DEPOSIT_HOLD: chrono::TimeDelta = chrono::TimeDelta::minutes(30);
use crate::checkout::BrandOrderStatus;
use crate::checkout::{OrderChannel, OrderStatus};
use crate::core::{AppError, FieldErrors, FieldErrorsExt};
use crate::promotions::budget::{Budgets, EnvelopeUse, OrderUse};
use crate::promotions::{envelopes, offers, Offer};

/// A SKU as the engine sells it.
#[derive(Debug, Clone)]
pub struct SkuForSale {
    pub sku: sku::Model,
    pub title: String,
    /// The listing's category, which promotions select lines by.
    pub category: String,
    pub visible: bool,
    pub brand_name: String,
    pub brand_slug: String,
    /// Its own limit and the gates on it.
    pub rule: SaleRule,
}

/// Stock levels by SKU, each SKU's in location order.
pub type Levels = HashMap<Uuid, Vec<PoolLevel>>;

/// A line with where its units come from.
#[derive(Debug, Clone)]
pub struct PlannedLine {
    pub line: order_line::Model,
    pub allocations: Vec<(Uuid, i64)>,
}

/// An order planned in memory, waiting for its payment and the commit: its rows, in the state
/// "pending payment".
#[derive(Debug, Clone)]
pub struct Planned {
    pub order: shop_order::Model,
    pub brand_orders: Vec<brand_order::Model>,
    pub lines: Vec<PlannedLine>,
    pub limited: Vec<Limited>,
    /// What it takes from promotions' budgets.
    pub uses: Vec<OrderUse>,
    /// The red envelope it redeems.
    pub envelope: Option<EnvelopeUse>,
    /// `(brand id, (slug, name))` of the brands it buys from, for its view.
    pub brands: HashMap<Uuid, (String, String)>,
}

/// What planning decided for one request.
pub enum Decision {
    /// Answered already: a refusal, or a replay of a stored answer.
    Answer(Box<Placement>),
    Planned(Box<Planned>),
}

/// Decides every request of `jobs` against one read of the database.
pub async fn plan_all(core: &Core, jobs: &[Job]) -> Result<Vec<Decision>, AppError> {
    let now = core.clock.now();
    let keys: Vec<&idempotency::IdempotencyKey> =
        jobs.iter().filter_map(|j| j.key.as_ref()).collect();
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
        .filter(|s| s.rule.purchase_limit().is_some())
        .map(|s| s.sku.id)
        .collect();
    let mut held = limits::load(
        &core.db,
        limited_skus,
        jobs.iter().map(|j| j.request.buyer_key()).collect(),
    )
    .await?;
    let mut offers = BatchOffers::load(&core.db, now, &skus, jobs).await?;
    let ttl = chrono::TimeDelta::from_std(core.config.reservation_ttl)
        .unwrap_or(chrono::TimeDelta::minutes(15));
    let mut decisions = Vec::with_capacity(jobs.len());
    let mut keys_in_batch = std::collections::HashSet::new();
    for job in jobs {
        // The same key twice in one batch: a retry sent while the first request is still
        // queued (its client went away). The first is served; the retry is told to come back
        // for the answer, and never makes the batch fail at its commit.
        if let Some(key) = &job.key {
            if !keys_in_batch.insert(key) {
                decisions.push(Decision::Answer(Box::new(Err(
                    AppError::IdempotencyKeyInUse,
                ))));
                continue;
            }
        }
        if let Some(record) = job.key.as_ref().and_then(|k| stored.get(k)) {
            decisions.push(Decision::Answer(Box::new(
                idempotency::answer_of(&core.db, record, &job.request.fingerprint).await?,
            )));
            continue;
        }
        decisions.push(
            match plan(
                &job.request,
                &skus,
                &mut levels,
                &mut held,
                &mut offers,
                now,
                ttl,
            ) {
                Ok(planned) => Decision::Planned(Box::new(planned)),
                Err(err) => Decision::Answer(Box::new(Err(err))),
            },
        );
    }
    Ok(decisions)
}

/// The promotions a batch prices with: the live automatic ones for its brands, the coupons its
/// buyers chose (by coupon id: owner and terms), and the counters that bound them.
#[derive(Debug, Clone, Default)]
pub struct BatchOffers {
    pub live: Vec<Offer>,
    pub coupons: HashMap<Uuid, (Uuid, Offer)>,
    /// Chosen red envelopes still ready, by id.
    pub envelopes: HashMap<Uuid, envelopes::Usable>,
    pub budgets: Budgets,
}

impl BatchOffers {
    /// Reads them for `jobs` buying `skus` at `now` (nothing more when no promotion is live
    /// and no coupon is chosen).
    async fn load(
        db: &impl ConnectionTrait,
        now: DateTime<Utc>,
        skus: &HashMap<Uuid, SkuForSale>,
        jobs: &[Job],
    ) -> Result<BatchOffers, AppError> {
        let mut brands: Vec<Uuid> = skus.values().map(|s| s.sku.brand_id).collect();
        brands.sort_unstable();
        brands.dedup();
        let live = offers::live(db, now, &brands).await?;
        let coupons = offers::coupons(
            db,
            now,
            jobs.iter().filter_map(|j| j.request.coupon_id).collect(),
        )
        .await?;
        let promotions = live
            .iter()
            .chain(coupons.values().map(|(_, offer)| offer))
            .map(|o| (o.promotion_id, o.per_buyer_limit.is_some()))
            .collect();
        let accounts = jobs.iter().filter_map(|j| j.request.account_id).collect();
        let budgets = Budgets::load(db, promotions, accounts, Vec::new(), false).await?;
        let envelopes = envelopes::usable(
            db,
            now,
            jobs.iter().filter_map(|j| j.request.envelope_id).collect(),
        )
        .await?;
        Ok(BatchOffers {
            live,
            coupons,
            envelopes,
            budgets,
        })
    }

    /// The offers `request` may use in `currency`: the live ones of its channel, and its coupon
    /// if it is the buyer's and still ready (else why not, as a field error).
    fn for_request(&self, request: &OrderRequest, currency: &str) -> Result<Vec<Offer>, AppError> {
        let mut usable: Vec<Offer> = self
            .live
            .iter()
            .filter(|o| o.applies_in(request.channel, currency))
            .cloned()
            .collect();
        if let Some(coupon_id) = request.coupon_id {
            match self.coupons.get(&coupon_id) {
                Some((owner, offer))
                    if Some(*owner) == request.account_id
                        && offer.applies_in(request.channel, currency) =>
                {
                    usable.push(offer.clone());
                }
                _ => {
                    return Err(AppError::field(
                        "coupon",
                        "This coupon can't be used here: it is used, expired, not yours, or not for this channel.",
                    ))
                }
            }
        }
        Ok(usable)
    }

    /// The red envelope `request` redeems, if it chose one it may use in `currency`.
    fn envelope_for(
        &self,
        request: &OrderRequest,
        currency: &str,
    ) -> Result<Option<(pricing::EnvelopeRule, Uuid)>, AppError> {
        let Some(id) = request.envelope_id else {
            return Ok(None);
        };
        match self.envelopes.get(&id) {
            Some(envelope)
                if Some(envelope.owner) == request.account_id
                    && envelope.currency == currency
                    && self.budgets.ticket_free(id) =>
            {
                let rule = pricing::EnvelopeRule {
                    envelope_id: id,
                    amount_minor: envelope.amount_minor,
                };
                Ok(Some((rule, envelope.pool_id)))
            }
            _ => Err(AppError::field(
                "envelope",
                "This red envelope can't be used here: it is used, expired, not yours, or in another currency.",
            )),
        }
    }
}

/// Remembers which of the `asked` (SKU, pool) pairs have nothing left in `levels`, so further
/// buyers are refused without a database round trip.
pub fn note_sold_out(core: &Core, levels: &Levels, asked: impl Iterator<Item = (Uuid, StockPool)>) {
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

/// Takes `(sku, quantity, title)` wants from `levels`, fullest location first, and answers
/// each want's `(location, units)`. Every want is allocated before anything is taken, so a
/// refused order takes nothing.
pub fn take_stock(
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

/// Why a line's SKU cannot be bought by `request` at `now`, if it cannot.
fn line_problem(
    request: &OrderRequest,
    item: Option<&SkuForSale>,
    now: DateTime<Utc>,
) -> Option<&'static str> {
    let Some(item) = item.filter(|s| {
        s.visible
            && request
                .only_brand
                .is_none_or(|brand| brand == s.sku.brand_id)
    }) else {
        return Some("This item isn't for sale.");
    };
    // A balance buys units its deposit reserved: the deposit passed the gate, and `presale`
    // checked the balance window.
    if request
        .presale
        .as_ref()
        .is_some_and(|p| p.settles().is_some())
    {
        return None;
    }
    match item.rule.check(request.channel, request.pool, now) {
        Ok(()) => None,
        Err(Closed::OtherChannel(OrderChannel::Presale)) => {
            Some("This item is on pre-sale: pay a deposit on its pre-sale page.")
        }
        Err(Closed::WindowClosed) if request.channel == OrderChannel::Presale => {
            Some("Deposits for this item are not being taken now.")
        }
        Err(Closed::OtherChannel(_) | Closed::WindowClosed) => {
            Some("This item is sold only during its live show, while its drop is open.")
        }
    }
}

/// Decides one request against the batch's view of stock and limits; when it can be served,
/// takes its stock from `levels`, counts its limited units in `held` and answers the order's
/// rows, priced by the quote, waiting for payment until `now + ttl`.
pub fn plan(
    request: &OrderRequest,
    skus: &HashMap<Uuid, SkuForSale>,
    levels: &mut Levels,
    held: &mut Held,
    offers: &mut BatchOffers,
    now: DateTime<Utc>,
    ttl: chrono::TimeDelta,
) -> Result<Planned, AppError> {
    let mut fields = FieldErrors::new();
    for (i, line) in request.lines.iter().enumerate() {
        if let Some(problem) = line_problem(request, skus.get(&line.sku_id), now) {
            fields.add(format!("lines.{i}.sku"), problem);
        }
    }
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }
    let items: Vec<&SkuForSale> = request.lines.iter().map(|l| &skus[&l.sku_id]).collect();
    if items.iter().any(|s| s.rule.needs_verified_buyer()) {
        match (request.account_id, request.verified) {
            (None, _) => return Err(AppError::SignInRequired),
            (Some(_), false) => return Err(AppError::EmailNotVerified),
            (Some(_), true) => {}
        }
    }
    let currency = items[0].sku.currency.clone();
    if items.iter().any(|s| s.sku.currency != currency) {
        return Err(AppError::field(
            "lines",
            "Items priced in different currencies must be ordered separately.",
        ));
    }
    let buyer = request.buyer_key();
    let balance = match &request.presale {
        Some(PresaleStep::Balance {
            deposit_order,
            price_minor: price,
            credit_minor: credit,
            allocations,
            ..
        }) => Some((*deposit_order, *price, *credit, allocations)),
        _ => None,
    };
    let limited: Vec<Limited> = request
        .lines
        .iter()
        .zip(&items)
        // A balance's units were counted against the buyer's limit by its deposit.
        .filter(|_| balance.is_none())
        .filter_map(|(line, item)| {
            item.rule.purchase_limit().map(|limit| Limited {
                sku_id: line.sku_id,
                quantity: line.quantity,
                limit: i64::from(limit),
            })
        })
        .collect();
    limits::within(held, &buyer, &limited)?;

    // Priced before any stock is taken: a coupon that cannot be used refuses the order whole.
    let price_lines: Vec<PriceLine> = request
        .lines
        .iter()
        .zip(&items)
        .map(|(line, item)| PriceLine {
            sku_id: line.sku_id,
            brand_id: item.sku.brand_id,
            listing_id: item.sku.listing_id,
            category: item.category.clone(),
            brand: item.brand_slug.clone(),
            unit_price_minor: match &request.presale {
                Some(PresaleStep::Deposit { deposit_minor, .. }) => *deposit_minor,
                Some(PresaleStep::Balance {
                    price_minor: price, ..
                }) => *price,
                None => item.sku.price_minor,
            },
            quantity: line.quantity,
        })
        .collect();
    let (mut usable, envelope) = match request.presale {
        // A deposit: promotions, coupons and red envelopes are the balance's.
        Some(PresaleStep::Deposit { .. }) => {
            if request.coupon_id.is_some() || request.envelope_id.is_some() {
                return Err(AppError::field(
                    "coupon",
                    "Coupons and red envelopes apply to the balance, not to the deposit.",
                ));
            }
            (Vec::new(), None)
        }
        _ => (
            offers.for_request(request, &currency)?,
            offers.envelope_for(request, &currency)?,
        ),
    };
    let credit = balance.map(
        |(deposit_order, _, credit_minor, _)| pricing::DepositCredit {
            deposit_order,
            credits: request
                .lines
                .iter()
                .enumerate()
                .map(|(i, line)| (i, pricing::subtotal(credit_minor, line.quantity)))
                .collect(),
        },
    );
    if let Some((_, price_minor, credit_minor, _)) = balance {
        // A coupon applies to a balance only when the balance is more than the coupon is worth.
        let left: i64 = request
            .lines
            .iter()
            .map(|l| pricing::subtotal(price_minor - credit_minor, l.quantity))
            .sum();
        usable.retain(|offer| {
            offer.coupon_id.is_none() || offer.amount_off_minor.is_none_or(|off| left > off)
        });
    }
    let (quote, takes) = match request.presale {
        Some(PresaleStep::Deposit { .. }) => {
            (pricing::deposit_quote(&currency, &price_lines), Vec::new())
        }
        _ => {
            let fixed: Vec<&dyn PriceRule> = envelope
                .as_ref()
                .map(|(rule, _)| rule as &dyn PriceRule)
                .into_iter()
                .chain(credit.as_ref().map(|c| c as &dyn PriceRule))
                .collect();
            pricing::best_quote_with(
                &currency,
                &price_lines,
                request.delivery.speed(),
                &usable,
                &fixed,
                |offer, amount| offers.budgets.affords(offer, request.account_id, amount),
            )
        }
    };
    if let Some(coupon_id) = request.coupon_id {
        if !takes
            .iter()
            .any(|(i, _)| usable[*i].coupon_id == Some(coupon_id))
        {
            return Err(AppError::field(
                "coupon",
                "This coupon doesn't apply to this order: check its minimum spend and what it covers.",
            ));
        }
    }

    let wants: Vec<(Uuid, i64, &str)> = request
        .lines
        .iter()
        .zip(&items)
        .map(|(line, item)| (line.sku_id, line.quantity, item.title.as_str()))
        .collect();
    let allocations = match balance {
        // The deposit's reserved units: the commit sells them.
        Some((.., allocations)) => vec![allocations.clone(); request.lines.len()],
        None => take_stock(levels, request.pool, &wants)?,
    };
    limits::hold(held, &buyer, &limited);
    let uses: Vec<OrderUse> = takes
        .into_iter()
        .map(|(i, by_brand)| {
            let offer = &usable[i];
            let use_ = OrderUse::of(offer, by_brand);
            offers
                .budgets
                .take(offer, request.account_id, use_.amount_minor());
            use_
        })
        .collect();
    let envelope = envelope.map(|(rule, pool_id)| {
        offers.budgets.take_ticket(rule.envelope_id);
        EnvelopeUse {
            envelope_id: rule.envelope_id,
            pool_id,
            by_brand: pricing::taken_by(&quote, &price_lines, &rule.source()),
        }
    });
    let order_id = Uuid::now_v7();
    let mut brand_order_ids: Vec<(Uuid, Uuid)> = Vec::new();
    let mut lines = Vec::with_capacity(request.lines.len());
    let (presale_price, presale_credit, campaign) = match &request.presale {
        Some(PresaleStep::Deposit {
            campaign,
            price_minor: price,
            credit_minor: credit,
            ..
        }) => (Some(*price), Some(*credit), Some(*campaign)),
        Some(step) => (None, None, Some(step.campaign())),
        None => (None, None, None),
    };
    for (((line, item), allocations), quoted) in request
        .lines
        .iter()
        .zip(&items)
        .zip(allocations)
        .zip(&quote.lines)
    {
        let brand_id = item.sku.brand_id;
        let brand_order_id = match brand_order_ids.iter().find(|(b, _)| *b == brand_id) {
            Some((_, id)) => *id,
            None => {
                let id = Uuid::now_v7();
                brand_order_ids.push((brand_id, id));
                id
            }
        };
        lines.push(PlannedLine {
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
                unit_price_minor: quoted.unit_price_minor,
                adjustments: orders::adjustments_json(&quoted.adjustments),
                total_minor: quoted.total_minor,
                refunded_quantity: 0,
                allocations: orders::allocations_json(&allocations),
                presale_price_minor: presale_price,
                presale_credit_minor: presale_credit,
            },
            allocations,
        });
    }
    let status = OrderStatus::PendingPayment;
    let brand_status = BrandOrderStatus::PendingPayment;
    let brand_orders: Vec<brand_order::Model> = brand_order_ids
        .iter()
        .zip(&quote.brands)
        .map(|(&(brand_id, id), part)| brand_order::Model {
            id,
            order_id,
            brand_id,
            status: brand_status,
            subtotal_minor: part.subtotal_minor,
            adjustments_minor: part.adjustments_minor,
            shipping_minor: part.shipping_minor,
            refunded_minor: 0,
            carrier: None,
            tracking_number: None,
            shipped_at: None,
            cancelled_at: None,
            created_at: now,
            updated_at: now,
        })
        .collect();
    let brands = items
        .iter()
        .map(|s| (s.sku.brand_id, (s.brand_slug.clone(), s.brand_name.clone())))
        .collect();
    let order = shop_order::Model {
        id: order_id,
        number: orders::new_number(),
        account_id: request.account_id,
        email: request.email.clone(),
        channel: request.channel,
        status,
        currency,
        subtotal_minor: quote.subtotal_minor,
        adjustments_minor: quote.adjustments_minor,
        shipping_minor: quote.shipping_minor,
        total_minor: quote.total_minor,
        delivery: request.delivery.speed(),
        shipping_address: request
            .delivery
            .address()
            .and_then(|a| serde_json::to_string(a).ok()),
        pool: request.pool.key(),
        created_at: now,
        // An unpaid deposit holds its units longer than an order: the 30 minutes.
        expires_at: now
            + if presale_price.is_some() {
                Ord::max(ttl, DEPOSIT_HOLD)
            } else {
                ttl
            },
        paid_at: None,
        confirmation_queued_at: None,
        updated_at: now,
        access_key: request
            .account_id
            .is_none()
            .then(crate::auth::tokens::new_secret),
        presale_campaign_id: campaign,
    };
    Ok(Planned {
        order,
        brand_orders,
        lines,
        limited,
        uses,
        envelope,
        brands,
    })
}

/// The SKUs of `ids` as the engine sells them: listing, brand and sale rule, four queries.
pub async fn load_skus(
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
    let listings: HashMap<Uuid, (String, String, bool, String)> = listing::Entity::find()
        .select_only()
        .column(listing::Column::Id)
        .column(listing::Column::Title)
        .column(listing::Column::Category)
        .column(listing::Column::Visible)
        .column(listing::Column::BrandName)
        .filter(listing::Column::Id.is_in(listing_ids))
        .into_tuple::<(Uuid, String, String, bool, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, title, category, visible, brand)| (id, (title, category, visible, brand)))
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
    let mut rules = gates::rules(db, skus.iter().map(|s| (s.id, s.purchase_limit))).await?;
    Ok(skus
        .into_iter()
        .filter_map(|sku| {
            let (title, category, visible, brand_name) = listings.get(&sku.listing_id)?.clone();
            let brand_slug = slugs.get(&sku.brand_id)?.clone();
            let rule = rules.remove(&sku.id).unwrap_or_default();
            Some((
                sku.id,
                SkuForSale {
                    sku,
                    title,
                    category,
                    visible,
                    brand_name,
                    brand_slug,
                    rule,
                },
            ))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::gates::Gate;
    use crate::checkout::payments::PaymentSource;
    use crate::checkout::request::{Delivery, LineRequest};
    use crate::checkout::{AddressInput, DeliveryOption, OrderChannel};

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + minute * 60, 0).unwrap()
    }

    fn for_sale(id: u128, brand: u128, price: i64, limit: Option<i32>) -> SkuForSale {
        SkuForSale {
            sku: sku::Model {
                id: Uuid::from_u128(id),
                brand_id: Uuid::from_u128(brand),
                listing_id: Uuid::from_u128(id + 1000),
                code: format!("SKU-{id}"),
                option_values: "[]".into(),
                price_minor: price,
                compare_at_minor: None,
                currency: "CNY".into(),
                weight_grams: 100,
                barcode: None,
                position: 0,
                purchase_limit: limit,
                created_at: at(0),
                updated_at: at(0),
            },
            title: format!("Item {id}"),
            category: "fashion".into(),
            visible: true,
            brand_name: format!("Brand {brand}"),
            brand_slug: format!("brand-{brand}"),
            rule: SaleRule {
                own_limit: limit,
                gates: vec![],
            },
        }
    }

    fn level(location: u128, on_hand: i64) -> PoolLevel {
        PoolLevel {
            location_id: Uuid::from_u128(location),
            pool: StockPool::Open,
            on_hand,
            reserved: 0,
        }
    }

    /// A verified account per email, for these tests.
    fn account_of(email: &str) -> Uuid {
        Uuid::from_u128(
            email
                .bytes()
                .fold(0u128, |h, b| h.wrapping_mul(31).wrapping_add(u128::from(b))),
        )
    }

    fn request(lines: &[(u128, i64)], email: &str) -> OrderRequest {
        OrderRequest {
            channel: OrderChannel::Storefront,
            pool: StockPool::Open,
            account_id: Some(account_of(email)),
            verified: true,
            email: email.into(),
            lines: lines
                .iter()
                .map(|&(sku, quantity)| LineRequest {
                    sku_id: Uuid::from_u128(sku),
                    quantity,
                })
                .collect(),
            delivery: Delivery::Ship {
                address: AddressInput::default(),
                speed: DeliveryOption::Express,
            },
            payment: PaymentSource::Saved { token: "t".into() },
            save_card: false,
            only_brand: None,
            client_addr: None,
            fingerprint: String::new(),
            coupon_id: None,
            envelope_id: None,
            presale: None,
        }
    }

    fn catalog(items: Vec<SkuForSale>) -> HashMap<Uuid, SkuForSale> {
        items.into_iter().map(|s| (s.sku.id, s)).collect()
    }

    #[test]
    fn stock_is_taken_fullest_location_first_and_counted_for_the_next_request() {
        let sku = Uuid::from_u128(1);
        let mut levels: Levels = HashMap::from([(sku, vec![level(10, 2), level(11, 5)])]);
        let taken = take_stock(&mut levels, StockPool::Open, &[(sku, 6, "x")]).unwrap();
        assert_eq!(
            taken,
            vec![vec![(Uuid::from_u128(11), 5), (Uuid::from_u128(10), 1)]]
        );
        assert_eq!(
            take_stock(&mut levels, StockPool::Open, &[(sku, 2, "Silk coat")]),
            Err(AppError::Conflict {
                message: "Only 1 left of “Silk coat”.".into()
            })
        );
        take_stock(&mut levels, StockPool::Open, &[(sku, 1, "x")]).unwrap();
        assert_eq!(
            take_stock(&mut levels, StockPool::Open, &[(sku, 1, "x")]),
            Err(AppError::SoldOut)
        );
    }

    #[test]
    fn a_refused_line_takes_nothing_from_the_other_lines() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let mut levels: Levels = HashMap::from([(a, vec![level(10, 3)]), (b, vec![level(10, 1)])]);
        assert!(take_stock(&mut levels, StockPool::Open, &[(a, 2, "a"), (b, 2, "b")]).is_err());
        assert_eq!(levels[&a][0].reserved, 0);
    }

    #[test]
    fn an_order_is_priced_by_the_quote_one_parcel_per_brand() {
        let skus = catalog(vec![
            for_sale(1, 7, 12_900, None),
            for_sale(2, 8, 5_000, None),
        ]);
        let mut levels: Levels = HashMap::from([
            (Uuid::from_u128(1), vec![level(10, 5)]),
            (Uuid::from_u128(2), vec![level(20, 5)]),
        ]);
        let planned = plan(
            &request(&[(1, 2), (2, 1)], "a@b.co"),
            &skus,
            &mut levels,
            &mut Held::new(),
            &mut BatchOffers::default(),
            at(0),
            chrono::TimeDelta::minutes(15),
        )
        .unwrap();
        let fee = pricing::parcel_fee(DeliveryOption::Express, "CNY");
        assert_eq!(planned.order.subtotal_minor, 30_800);
        assert_eq!(planned.order.shipping_minor, 2 * fee);
        assert_eq!(planned.order.total_minor, 30_800 + 2 * fee);
        assert_eq!(planned.brand_orders.len(), 2);
        assert_eq!(planned.lines[0].line.total_minor, 25_800);
        assert_eq!(planned.lines[0].allocations, vec![(Uuid::from_u128(10), 2)]);
        assert_eq!(planned.order.expires_at, at(15));
        assert_eq!(planned.order.pool, "open");
    }

    #[test]
    fn a_deposit_is_priced_at_its_deposit_without_delivery_holds_for_thirty_minutes_and_refuses_a_coupon(
    ) {
        let skus = catalog(vec![for_sale(1, 7, 12_900, None)]);
        let mut levels: Levels = HashMap::from([(Uuid::from_u128(1), vec![level(10, 5)])]);
        let campaign = Uuid::from_u128(99);
        let mut deposit = request(&[(1, 2)], "a@b.co");
        deposit.channel = OrderChannel::Presale;
        deposit.presale = Some(PresaleStep::Deposit {
            campaign,
            price_minor: 12_000,
            deposit_minor: 2_000,
            credit_minor: 3_000,
        });
        let planned = plan(
            &deposit,
            &skus,
            &mut levels,
            &mut Held::new(),
            &mut BatchOffers::default(),
            at(0),
            chrono::TimeDelta::minutes(15),
        )
        .unwrap();
        assert_eq!(
            (
                planned.order.subtotal_minor,
                planned.order.shipping_minor,
                planned.order.total_minor
            ),
            (4_000, 0, 4_000)
        );
        let line = &planned.lines[0].line;
        assert_eq!(
            (
                line.unit_price_minor,
                line.presale_price_minor,
                line.presale_credit_minor
            ),
            (2_000, Some(12_000), Some(3_000))
        );
        assert_eq!(planned.order.presale_campaign_id, Some(campaign));
        assert_eq!(planned.order.expires_at, at(30));
        deposit.coupon_id = Some(Uuid::from_u128(5));
        let refused = plan(
            &deposit,
            &skus,
            &mut levels,
            &mut Held::new(),
            &mut BatchOffers::default(),
            at(0),
            chrono::TimeDelta::minutes(15),
        )
        .unwrap_err();
        assert!(!refused.field_messages("coupon").is_empty(), "{refused:?}");
    }

    #[test]
    fn limits_count_across_the_batch_per_buyer() {
        let skus = catalog(vec![for_sale(1, 7, 100, Some(1))]);
        let mut levels: Levels = HashMap::from([(Uuid::from_u128(1), vec![level(10, 10)])]);
        let mut held = Held::new();
        let ttl = chrono::TimeDelta::minutes(15);
        let mut place = |email: &str, levels: &mut Levels| {
            plan(
                &request(&[(1, 1)], email),
                &skus,
                levels,
                &mut held,
                &mut BatchOffers::default(),
                at(0),
                ttl,
            )
            .map(|_| ())
        };
        assert_eq!(place("a@b.co", &mut levels), Ok(()));
        assert_eq!(
            place("a@b.co", &mut levels),
            Err(AppError::LimitReached { limit: 1 })
        );
        assert_eq!(place("c@d.co", &mut levels), Ok(()));
    }

    #[test]
    fn limited_items_need_a_signed_in_verified_buyer() {
        let skus = catalog(vec![
            for_sale(1, 7, 100, Some(1)),
            for_sale(2, 7, 100, None),
        ]);
        let mut levels: Levels = HashMap::from([
            (Uuid::from_u128(1), vec![level(10, 10)]),
            (Uuid::from_u128(2), vec![level(10, 10)]),
        ]);
        let ttl = chrono::TimeDelta::minutes(15);
        let mut guest = request(&[(1, 1)], "a@b.co");
        guest.account_id = None;
        guest.verified = false;
        let mut held = Held::new();
        assert_eq!(
            plan(
                &guest,
                &skus,
                &mut levels,
                &mut held,
                &mut BatchOffers::default(),
                at(0),
                ttl
            )
            .unwrap_err(),
            AppError::SignInRequired
        );
        let mut unverified = request(&[(1, 1)], "a@b.co");
        unverified.verified = false;
        assert_eq!(
            plan(
                &unverified,
                &skus,
                &mut levels,
                &mut held,
                &mut BatchOffers::default(),
                at(0),
                ttl
            )
            .unwrap_err(),
            AppError::EmailNotVerified
        );
        // Unlimited items stay open to guests.
        guest.lines[0].sku_id = Uuid::from_u128(2);
        assert!(plan(
            &guest,
            &skus,
            &mut levels,
            &mut held,
            &mut BatchOffers::default(),
            at(0),
            ttl
        )
        .is_ok());
    }

    #[test]
    fn a_show_exclusive_is_refused_on_the_storefront_and_hidden_items_everywhere() {
        let show = Uuid::from_u128(99);
        let mut exclusive = for_sale(1, 7, 100, None);
        exclusive.rule.gates.push(Gate {
            pool: StockPool::Show(show),
            channel: Some(OrderChannel::Show),
            opens_at: Some(at(0)),
            closes_at: None,
            purchase_limit: Some(1),
        });
        let mut hidden = for_sale(2, 7, 100, None);
        hidden.visible = false;
        let skus = catalog(vec![exclusive, hidden]);
        let mut levels: Levels = HashMap::from([
            (Uuid::from_u128(1), vec![level(10, 10)]),
            (Uuid::from_u128(2), vec![level(10, 10)]),
        ]);
        let ttl = chrono::TimeDelta::minutes(15);
        let refused = plan(
            &request(&[(1, 1), (2, 1)], "a@b.co"),
            &skus,
            &mut levels,
            &mut Held::new(),
            &mut BatchOffers::default(),
            at(5),
            ttl,
        )
        .unwrap_err();
        assert_eq!(refused.field_messages("lines.0.sku").len(), 1);
        assert_eq!(
            refused.field_messages("lines.1.sku"),
            ["This item isn't for sale.".to_owned()]
        );
        let mut from_show = request(&[(1, 1)], "a@b.co");
        from_show.channel = OrderChannel::Show;
        from_show.pool = StockPool::Show(show);
        let mut held = Held::new();
        assert!(plan(
            &from_show,
            &skus,
            &mut levels,
            &mut held,
            &mut BatchOffers::default(),
            at(5),
            ttl
        )
        .is_ok());
        // The gate's limit of one applies to the show's buyers.
        assert_eq!(
            plan(
                &from_show,
                &skus,
                &mut levels,
                &mut held,
                &mut BatchOffers::default(),
                at(5),
                ttl
            )
            .unwrap_err(),
            AppError::LimitReached { limit: 1 }
        );
    }
}
