//! Carts in the database: finding the shopper's cart (and merging a guest cart into the
//! account's at sign-in), changing its lines, and describing SKUs with live prices and
//! availability for the cart and checkout pages.

use std::collections::HashMap;

use entity::{brand, cart, cart_line, listing, sku};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use tower_sessions::Session;
use uuid::Uuid;

use super::{CartLineView, CartView, MAX_CART_LINES, MAX_LINE_QUANTITY};
use crate::catalog::gates;
use crate::catalog::stock::StockPool;
use crate::catalog::OrderChannel;
use crate::checkout::pricing::{self, PriceLine};
use crate::checkout::{request::quote_items, DeliveryOption, OrderLineInput, Quote};
use crate::core::{time, txn::begin_write, AppError, FieldErrors, FieldErrorsExt};
use crate::promotions::Offer;

/// Where a guest's cart id is kept in their session. Signing in keeps the session's data
/// (only its id changes), so the next cart lookup finds the guest cart and merges it.
const GUEST_CART_KEY: &str = "guest_cart";

fn session_error(err: tower_sessions::session::Error) -> AppError {
    AppError::internal(format!("session store: {err}"))
}

/// The cart of this shopper: the account's when signed in (a guest cart left in the session
/// is merged into it first), else the session's guest cart. With `create`, a missing cart is
/// made; without, `None` means an empty cart.
pub async fn shoppers_cart(
    db: &DatabaseConnection,
    session: &Session,
    account: Option<Uuid>,
    create: bool,
) -> Result<Option<Uuid>, AppError> {
    let guest_cart = session
        .get::<Uuid>(GUEST_CART_KEY)
        .await
        .map_err(session_error)?;
    let Some(account) = account else {
        if let Some(id) = guest_cart {
            if cart::Entity::find_by_id(id).one(db).await?.is_some() {
                return Ok(Some(id));
            }
        }
        if !create {
            return Ok(None);
        }
        let id = new_cart(db, None).await?;
        session
            .insert(GUEST_CART_KEY, id)
            .await
            .map_err(session_error)?;
        return Ok(Some(id));
    };
    let mine = account_cart(db, account).await?;
    let mine = match (guest_cart, mine) {
        (Some(guest), mine) => {
            let merged = merge_guest_cart(db, guest, account, mine).await?;
            session
                .remove::<Uuid>(GUEST_CART_KEY)
                .await
                .map_err(session_error)?;
            merged
        }
        (None, mine) => mine,
    };
    match mine {
        Some(id) => Ok(Some(id)),
        None if create => Ok(Some(new_cart(db, Some(account)).await?)),
        None => Ok(None),
    }
}

async fn account_cart(db: &impl ConnectionTrait, account: Uuid) -> Result<Option<Uuid>, AppError> {
    Ok(cart::Entity::find()
        .select_only()
        .column(cart::Column::Id)
        .filter(cart::Column::AccountId.eq(account))
        .into_tuple::<Uuid>()
        .one(db)
        .await?)
}

async fn new_cart(db: &DatabaseConnection, account: Option<Uuid>) -> Result<Uuid, AppError> {
    let now = time::now();
    let id = Uuid::now_v7();
    let inserted = cart::Model {
        id,
        account_id: account,
        created_at: now,
        updated_at: now,
    }
    .into_active_model()
    .reset_all()
    .insert(db)
    .await;
    match (inserted, account) {
        (Ok(_), _) => Ok(id),
        // Two first adds at once for one account: the other made it; use that one.
        (Err(err), Some(account)) => account_cart(db, account)
            .await?
            .ok_or_else(|| AppError::from(err)),
        (Err(err), None) => Err(err.into()),
    }
}

/// Moves the lines of guest cart `guest` into the account's cart (adding quantities of SKUs
/// in both, within the bounds), or makes the guest cart the account's when it has none.
/// Returns the account's cart.
async fn merge_guest_cart(
    db: &DatabaseConnection,
    guest: Uuid,
    account: Uuid,
    mine: Option<Uuid>,
) -> Result<Option<Uuid>, AppError> {
    let txn = begin_write(db).await?;
    let Some(guest_row) = cart::Entity::find_by_id(guest).one(&txn).await? else {
        return Ok(mine);
    };
    if guest_row.account_id.is_some() {
        // Not a guest cart (any more): never take over another account's cart.
        return Ok(mine);
    }
    let Some(mine) = mine else {
        cart::Entity::update_many()
            .col_expr(cart::Column::AccountId, Expr::value(account))
            .col_expr(cart::Column::UpdatedAt, Expr::value(time::now()))
            .filter(cart::Column::Id.eq(guest))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        return Ok(Some(guest));
    };
    let existing: HashMap<Uuid, i64> = lines(&txn, mine)
        .await?
        .into_iter()
        .map(|l| (l.sku_id, l.quantity))
        .collect();
    let mut count = existing.len();
    for line in lines(&txn, guest).await? {
        match existing.get(&line.sku_id) {
            Some(quantity) => {
                set_line(&txn, mine, line.sku_id, quantity + line.quantity).await?;
            }
            None if count < MAX_CART_LINES => {
                count += 1;
                cart_line::Model {
                    cart_id: mine,
                    ..line
                }
                .into_active_model()
                .reset_all()
                .insert(&txn)
                .await?;
            }
            None => {}
        }
    }
    delete_cart(&txn, guest).await?;
    touch(&txn, mine).await?;
    txn.commit().await?;
    Ok(Some(mine))
}

async fn lines(
    db: &impl ConnectionTrait,
    cart_id: Uuid,
) -> Result<Vec<cart_line::Model>, AppError> {
    Ok(cart_line::Entity::find()
        .filter(cart_line::Column::CartId.eq(cart_id))
        .order_by_asc(cart_line::Column::AddedAt)
        .order_by_asc(cart_line::Column::SkuId)
        .all(db)
        .await?)
}

async fn set_line(
    db: &impl ConnectionTrait,
    cart_id: Uuid,
    sku_id: Uuid,
    quantity: i64,
) -> Result<(), AppError> {
    cart_line::Entity::update_many()
        .col_expr(
            cart_line::Column::Quantity,
            Expr::value(quantity.clamp(1, MAX_LINE_QUANTITY)),
        )
        .filter(cart_line::Column::CartId.eq(cart_id))
        .filter(cart_line::Column::SkuId.eq(sku_id))
        .exec(db)
        .await?;
    Ok(())
}

async fn delete_cart(db: &impl ConnectionTrait, cart_id: Uuid) -> Result<(), AppError> {
    // Lines first: SQLite enforces the cascade only with foreign keys switched on.
    cart_line::Entity::delete_many()
        .filter(cart_line::Column::CartId.eq(cart_id))
        .exec(db)
        .await?;
    cart::Entity::delete_by_id(cart_id).exec(db).await?;
    Ok(())
}

async fn touch(db: &impl ConnectionTrait, cart_id: Uuid) -> Result<(), AppError> {
    cart::Entity::update_many()
        .col_expr(cart::Column::UpdatedAt, Expr::value(time::now()))
        .filter(cart::Column::Id.eq(cart_id))
        .exec(db)
        .await?;
    Ok(())
}

fn quantity_error(field: &str) -> AppError {
    AppError::field(
        field,
        format!("Choose between 1 and {MAX_LINE_QUANTITY} units."),
    )
}

/// Adds `quantity` units of `sku` (a published listing's) to the cart; a SKU already there
/// gets the units added, up to [`MAX_LINE_QUANTITY`].
pub async fn add(
    db: &DatabaseConnection,
    cart_id: Uuid,
    sku: &str,
    quantity: i64,
) -> Result<(), AppError> {
    if !(1..=MAX_LINE_QUANTITY).contains(&quantity) {
        return Err(quantity_error("quantity"));
    }
    let sku_id = Uuid::parse_str(sku.trim())
        .map_err(|_| AppError::field("sku", "This item is not on sale."))?;
    if lines_of(db, &[(sku_id, quantity)]).await?.is_empty() {
        return Err(AppError::field("sku", "This item is not on sale."));
    }
    let txn = begin_write(db).await?;
    let existing = cart_line::Entity::find_by_id((cart_id, sku_id))
        .one(&txn)
        .await?;
    match existing {
        Some(line) => set_line(&txn, cart_id, sku_id, line.quantity + quantity).await?,
        None => {
            let count = cart_line::Entity::find()
                .filter(cart_line::Column::CartId.eq(cart_id))
                .count(&txn)
                .await?;
            if count as usize >= MAX_CART_LINES {
                return Err(AppError::Conflict {
                    message: format!(
                        "Your cart holds at most {MAX_CART_LINES} different items. Check out or remove some first."
                    ),
                });
            }
            cart_line::Model {
                cart_id,
                sku_id,
                quantity,
                added_at: time::now(),
            }
            .into_active_model()
            .reset_all()
            .insert(&txn)
            .await?;
        }
    }
    touch(&txn, cart_id).await?;
    txn.commit().await?;
    Ok(())
}

/// Sets the units of `sku` in the cart; `0` removes the line.
pub async fn set_quantity(
    db: &DatabaseConnection,
    cart_id: Uuid,
    sku: &str,
    quantity: i64,
) -> Result<(), AppError> {
    if !(0..=MAX_LINE_QUANTITY).contains(&quantity) {
        return Err(quantity_error("quantity"));
    }
    let sku_id = Uuid::parse_str(sku.trim()).map_err(|_| AppError::NotFound)?;
    if quantity == 0 {
        return remove(db, cart_id, &[sku_id]).await;
    }
    set_line(db, cart_id, sku_id, quantity).await?;
    touch(db, cart_id).await
}

/// Takes `skus` out of the cart (after they were ordered, or on "Remove").
pub async fn remove(
    db: &impl ConnectionTrait,
    cart_id: Uuid,
    skus: &[Uuid],
) -> Result<(), AppError> {
    cart_line::Entity::delete_many()
        .filter(cart_line::Column::CartId.eq(cart_id))
        .filter(cart_line::Column::SkuId.is_in(skus.to_vec()))
        .exec(db)
        .await?;
    Ok(())
}

/// The cart's lines with live prices and availability, quoted for standard delivery.
pub async fn view(db: &impl ConnectionTrait, cart_id: Option<Uuid>) -> Result<CartView, AppError> {
    let Some(cart_id) = cart_id else {
        return Ok(CartView::default());
    };
    let items: Vec<(Uuid, i64)> = lines(db, cart_id)
        .await?
        .into_iter()
        .map(|l| (l.sku_id, l.quantity))
        .collect();
    priced(db, &items, DeliveryOption::Standard, None, None).await
}

/// `(sku, quantity)` pairs as the shopper sees them (see [`lines_of`]), with the price quote
/// of the lines in the first line's currency, shipped by `delivery`.
pub async fn priced(
    db: &impl ConnectionTrait,
    items: &[(Uuid, i64)],
    delivery: DeliveryOption,
    coupon: Option<&Offer>,
    envelope: Option<&pricing::EnvelopeRule>,
) -> Result<CartView, AppError> {
    let described = lines_of(db, items).await?;
    let currency = described
        .first()
        .map(|(line, _)| line.currency.clone())
        .unwrap_or_default();
    let (mut lines, price_lines): (Vec<CartLineView>, Vec<PriceLine>) =
        described.into_iter().unzip();
    let quoted: Vec<PriceLine> = price_lines
        .into_iter()
        .zip(&lines)
        .filter(|(_, line)| line.currency == currency)
        .map(|(price, _)| price)
        .collect();
    // The live automatic promotions, as the storefront's checkout will apply them (budgets and
    // per-buyer limits are the checkout's to check: it tells the buyer if one ran out).
    let mut brands: Vec<Uuid> = quoted.iter().map(|l| l.brand_id).collect();
    brands.sort_unstable();
    brands.dedup();
    let offers: Vec<Offer> = crate::promotions::offers::live(db, time::now(), &brands)
        .await?
        .into_iter()
        .chain(coupon.cloned())
        .filter(|o| o.applies_in(OrderChannel::Storefront, &currency))
        .collect();
    let (quote, _) =
        pricing::best_quote(&currency, &quoted, delivery, &offers, envelope, |_, _| true);
    for line in &mut lines {
        line.total_minor = quote
            .lines
            .iter()
            .find(|q| q.sku == line.sku)
            .map_or(0, |q| q.total_minor);
    }
    Ok(CartView::from_lines(lines, quote))
}

/// The quote of an order's `lines` shipped by `delivery`, with the buyer's `coupon` and red
/// `envelope` if chosen, before it is placed (the checkout page's total, `POST /api/v1/orders/quote`):
/// lines checked as an order's are, and every SKU must exist and be sold in the currency of
/// the first.
pub async fn quote_request(
    db: &impl ConnectionTrait,
    lines: &[OrderLineInput],
    delivery: DeliveryOption,
    coupon: Option<&Offer>,
    envelope: Option<&pricing::EnvelopeRule>,
) -> Result<Quote, AppError> {
    let items = quote_items(lines)?;
    let quote = priced(db, &items, delivery, coupon, envelope).await?.quote;
    let mut fields = FieldErrors::new();
    for (i, (sku, _)) in items.iter().enumerate() {
        if !quote.lines.iter().any(|line| line.sku == sku.to_string()) {
            fields.add(
                format!("lines.{i}.sku"),
                "Unknown SKU, or sold in another currency than the first line's.",
            );
        }
    }
    if fields.is_empty() {
        Ok(quote)
    } else {
        Err(AppError::Validation { fields })
    }
}

/// Units in the cart (for the header's badge), in one query.
pub async fn item_count(db: &impl ConnectionTrait, cart_id: Option<Uuid>) -> Result<i64, AppError> {
    let Some(cart_id) = cart_id else {
        return Ok(0);
    };
    let total: Option<i64> = cart_line::Entity::find()
        .select_only()
        .column_as(
            Expr::col(cart_line::Column::Quantity)
                .sum()
                .cast_as("BIGINT"),
            "total",
        )
        .filter(cart_line::Column::CartId.eq(cart_id))
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?
        .flatten();
    Ok(total.unwrap_or(0))
}

/// `(sku, quantity)` pairs as the shopper sees them on the storefront — title, brand, live
/// price, units available and what (if anything) stops buying that many — each with the line
/// the quote prices. SKUs that no longer exist are left out; the order of `items` is kept.
async fn lines_of(
    db: &impl ConnectionTrait,
    items: &[(Uuid, i64)],
) -> Result<Vec<(CartLineView, PriceLine)>, AppError> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = items.iter().map(|(id, _)| *id).collect();
    let skus: HashMap<Uuid, sku::Model> = sku::Entity::find()
        .filter(sku::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let listings: HashMap<Uuid, listing::Model> = listing::Entity::find()
        .filter(listing::Column::Id.is_in(skus.values().map(|s| s.listing_id).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    let slugs: HashMap<Uuid, String> = brand::Entity::find()
        .select_only()
        .column(brand::Column::Id)
        .column(brand::Column::Slug)
        .filter(brand::Column::Id.is_in(listings.values().map(|l| l.brand_id).collect::<Vec<_>>()))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let available = crate::catalog::stock::available_by_sku(db, ids).await?;
    let rules = gates::rules(db, skus.values().map(|s| (s.id, s.purchase_limit))).await?;
    let now = time::now();
    Ok(items
        .iter()
        .filter_map(|&(sku_id, quantity)| {
            let sku = skus.get(&sku_id)?;
            let listing = listings.get(&sku.listing_id)?;
            let available = Ord::max(available.get(&sku_id).copied().unwrap_or(0), 0);
            let rule = rules.get(&sku_id).cloned().unwrap_or_default();
            let purchase_limit = rule.purchase_limit();
            let problem = if !listing.visible {
                Some("No longer on sale.".to_owned())
            } else if rule
                .check(OrderChannel::Storefront, StockPool::Open, now)
                .is_err()
            {
                Some("Sold only during its live show.".to_owned())
            } else if available == 0 {
                Some("Sold out.".to_owned())
            } else if quantity > available {
                Some(format!("Only {available} left: lower the quantity."))
            } else {
                match purchase_limit {
                    Some(limit) if quantity > i64::from(limit) => {
                        Some(format!("Limit {limit} per buyer: lower the quantity."))
                    }
                    _ => None,
                }
            };
            let option_values: Vec<String> =
                serde_json::from_str(&sku.option_values).unwrap_or_default();
            let brand_slug = slugs.get(&listing.brand_id).cloned().unwrap_or_default();
            let price = PriceLine {
                sku_id: sku.id,
                brand_id: listing.brand_id,
                listing_id: listing.id,
                category: listing.category.clone(),
                brand: brand_slug.clone(),
                unit_price_minor: sku.price_minor,
                quantity,
            };
            let line = CartLineView {
                sku: sku.id.to_string(),
                sku_code: sku.code.clone(),
                listing_id: listing.id.to_string(),
                title: listing.title.clone(),
                brand_slug,
                brand_name: listing.brand_name.clone(),
                variant: option_values.join(" / "),
                image_url: listing.cover_url.clone(),
                unit_price_minor: sku.price_minor,
                currency: sku.currency.clone(),
                quantity,
                total_minor: 0,
                available,
                purchase_limit,
                problem,
            };
            Some((line, price))
        })
        .collect())
}

/// Deletes guest carts untouched for `days` days (accounts' carts stay). Returns how many.
pub async fn purge_abandoned(db: &DatabaseConnection, days: i64) -> Result<u64, AppError> {
    let before = time::now() - chrono::Duration::days(days);
    let stale: Vec<Uuid> = cart::Entity::find()
        .select_only()
        .column(cart::Column::Id)
        .filter(cart::Column::AccountId.is_null())
        .filter(cart::Column::UpdatedAt.lt(before))
        .limit(1000)
        .into_tuple()
        .all(db)
        .await?;
    if stale.is_empty() {
        return Ok(0);
    }
    let txn = db.begin().await?;
    cart_line::Entity::delete_many()
        .filter(cart_line::Column::CartId.is_in(stale.clone()))
        .exec(&txn)
        .await?;
    let deleted = cart::Entity::delete_many()
        .filter(cart::Column::Id.is_in(stale))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(deleted.rows_affected)
}
