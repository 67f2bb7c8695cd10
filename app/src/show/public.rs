//! Shows as everyone reads them: summaries for lists, a show with its run-sheet and product
//! cards (units left live), the public state a viewer arriving now gets, what has been revealed
//! and what the show has sold.

use std::collections::HashMap;

use entity::{brand, listing, order_line, shop_order, show, show_look, show_look_item, sku};
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::{
    events, LookView, ProductCard, ShowDetail, ShowHost, ShowState, ShowStats, ShowStatus,
    ShowSummary, CHAT_BACKLOG,
};
use crate::catalog::gates;
use crate::catalog::stock::StockPool;
use crate::checkout::pricing;
use crate::core::{time::now, AppError};

pub(super) fn status_of(show: &show::Model) -> ShowStatus {
    show.status
}

pub(super) async fn summaries(
    db: &impl ConnectionTrait,
    shows: Vec<show::Model>,
) -> Result<Vec<ShowSummary>, AppError> {
    let ids: Vec<Uuid> = shows.iter().map(|s| s.id).collect();
    let mut looks: HashMap<Uuid, usize> = HashMap::new();
    for show_id in show_look::Entity::find()
        .select_only()
        .column(show_look::Column::ShowId)
        .filter(show_look::Column::ShowId.is_in(ids))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
    {
        *looks.entry(show_id).or_default() += 1;
    }
    let galas: Vec<Uuid> = shows
        .iter()
        .filter(|s| s.brand_id.is_none())
        .map(|s| s.id)
        .collect();
    let gala_brands = gala_brands(db, galas).await?;
    let mut brand_ids: Vec<Uuid> = shows.iter().filter_map(|s| s.brand_id).collect();
    brand_ids.extend(gala_brands.values().flatten());
    let brands: HashMap<Uuid, (String, String)> = brand::Entity::find()
        .select_only()
        .column(brand::Column::Id)
        .column(brand::Column::DisplayName)
        .column(brand::Column::Slug)
        .filter(brand::Column::Id.is_in(brand_ids))
        .into_tuple::<(Uuid, String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, name, slug)| (id, (name, slug)))
        .collect();
    Ok(shows
        .into_iter()
        .map(|s| {
            let (brand_name, brand_slug) = match s.brand_id {
                Some(brand_id) => brands.get(&brand_id).cloned().unwrap_or_default(),
                None => {
                    let names: Vec<String> = gala_brands
                        .get(&s.id)
                        .into_iter()
                        .flatten()
                        .filter_map(|id| brands.get(id).map(|(name, _)| name.clone()))
                        .collect();
                    (gala_billing(&names), String::new())
                }
            };
            ShowSummary {
                id: s.id.to_string(),
                title: s.title.clone(),
                status: status_of(&s),
                brand_name,
                brand_slug,
                cover_url: s.cover_url.clone(),
                starts_at: s.starts_at,
                ends_at: s.ends_at,
                looks: looks.get(&s.id).copied().unwrap_or(0),
            }
        })
        .collect())
}

/// How a gala is billed: "Gala", or its brands ("Gala · Lune, Ardent + 2 more").
fn gala_billing(brands: &[String]) -> String {
    match brands {
        [] => "Gala".to_owned(),
        [a] => format!("Gala · {a}"),
        [a, b] => format!("Gala · {a}, {b}"),
        [a, b, rest @ ..] => format!("Gala · {a}, {b} + {} more", rest.len()),
    }
}

/// The brands taking part in each of `galas`, in run-sheet order.
async fn gala_brands(
    db: &impl ConnectionTrait,
    galas: Vec<Uuid>,
) -> Result<HashMap<Uuid, Vec<Uuid>>, AppError> {
    if galas.is_empty() {
        return Ok(HashMap::new());
    }
    let items: Vec<(Uuid, Uuid)> = show_look_item::Entity::find()
        .select_only()
        .column(show_look::Column::ShowId)
        .column(sku::Column::BrandId)
        .join(
            sea_orm::JoinType::InnerJoin,
            show_look_item::Entity::belongs_to(show_look::Entity)
                .from(show_look_item::Column::LookId)
                .to(show_look::Column::Id)
                .into(),
        )
        .join(
            sea_orm::JoinType::InnerJoin,
            show_look_item::Entity::belongs_to(sku::Entity)
                .from(show_look_item::Column::SkuId)
                .to(sku::Column::Id)
                .into(),
        )
        .filter(show_look::Column::ShowId.is_in(galas))
        .order_by_asc(show_look::Column::Position)
        .order_by_asc(show_look_item::Column::Position)
        .into_tuple()
        .all(db)
        .await?;
    let mut brands: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (show_id, brand_id) in items {
        let of_show = brands.entry(show_id).or_default();
        if !of_show.contains(&brand_id) {
            of_show.push(brand_id);
        }
    }
    Ok(brands)
}

/// Shows shoppers may see: live first, then upcoming, then replays.
pub async fn public_list(db: &impl ConnectionTrait) -> Result<Vec<ShowSummary>, AppError> {
    let mut shows = show::Entity::find()
        .filter(show::Column::Status.is_in([
            ShowStatus::Live,
            ShowStatus::Approved,
            ShowStatus::Ended,
        ]))
        .order_by_desc(show::Column::StartsAt)
        .limit(60)
        .all(db)
        .await?;
    let rank = |s: &show::Model| match status_of(s) {
        ShowStatus::Live => 0,
        ShowStatus::Approved => 1,
        _ => 2,
    };
    shows.sort_by_key(|s| rank(s));
    summaries(db, shows).await
}

/// Product cards of `show_id`'s `items` by look, in order, with live units left.
async fn cards(
    db: &impl ConnectionTrait,
    show_id: Uuid,
    items: &[show_look_item::Model],
) -> Result<HashMap<Uuid, Vec<ProductCard>>, AppError> {
    let sku_ids: Vec<Uuid> = items.iter().map(|i| i.sku_id).collect();
    let skus: HashMap<Uuid, sku::Model> = sku::Entity::find()
        .filter(sku::Column::Id.is_in(sku_ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let listing_ids: Vec<Uuid> = skus.values().map(|s| s.listing_id).collect();
    let listings: HashMap<Uuid, (String, Option<String>)> = listing::Entity::find()
        .select_only()
        .column(listing::Column::Id)
        .column(listing::Column::Title)
        .column(listing::Column::CoverUrl)
        .filter(listing::Column::Id.is_in(listing_ids))
        .into_tuple::<(Uuid, String, Option<String>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, title, cover)| (id, (title, cover)))
        .collect();
    let left = units_left(db, show_id, &sku_ids).await?;
    let rules = gates::rules(db, skus.values().map(|s| (s.id, s.purchase_limit))).await?;
    let mut cards: HashMap<Uuid, Vec<ProductCard>> = HashMap::new();
    let mut items = items.to_vec();
    items.sort_by_key(|i| i.position);
    for item in items {
        let Some(sku) = skus.get(&item.sku_id) else {
            continue;
        };
        let (title, image_url) = listings.get(&sku.listing_id).cloned().unwrap_or_default();
        let variant = serde_json::from_str::<Vec<String>>(&sku.option_values)
            .unwrap_or_default()
            .join(" / ");
        // What one unit costs a viewer, as the checkout would quote it.
        let price = pricing::PriceLine {
            sku_id: sku.id,
            brand_id: sku.brand_id,
            listing_id: sku.listing_id,
            category: String::new(),
            brand: String::new(),
            unit_price_minor: sku.price_minor,
            quantity: 1,
        };
        cards.entry(item.look_id).or_default().push(ProductCard {
            sku_id: sku.id.to_string(),
            sku_code: sku.code.clone(),
            listing_id: sku.listing_id.to_string(),
            title,
            variant,
            price_minor: pricing::unit_price(&sku.currency, &price, &[]),
            currency: sku.currency.clone(),
            image_url,
            units_left: left.get(&sku.id).copied().unwrap_or(0),
            drop_stock: item.drop_stock,
            exclusive: item.exclusive,
            purchase_limit: rules.get(&sku.id).and_then(gates::SaleRule::purchase_limit),
        });
    }
    Ok(cards)
}

/// Units `show_id`'s buyers can still buy of `skus`: a drop's own stock where it has some,
/// the open stock otherwise.
pub(super) async fn units_left(
    db: &impl ConnectionTrait,
    show_id: Uuid,
    skus: &[Uuid],
) -> Result<HashMap<Uuid, i64>, AppError> {
    crate::catalog::stock::available_in_pool(db, skus, StockPool::Show(show_id)).await
}

/// Views of `looks` (in run-sheet order) with their products.
pub(super) async fn look_views(
    db: &impl ConnectionTrait,
    looks: Vec<show_look::Model>,
) -> Result<Vec<LookView>, AppError> {
    let Some(show_id) = looks.first().map(|l| l.show_id) else {
        return Ok(Vec::new());
    };
    let ids: Vec<Uuid> = looks.iter().map(|l| l.id).collect();
    let items = show_look_item::Entity::find()
        .filter(show_look_item::Column::LookId.is_in(ids))
        .all(db)
        .await?;
    let mut cards = cards(db, show_id, &items).await?;
    let coupons =
        crate::promotions::offers::moments(db, looks.iter().filter_map(|l| l.coupon_lineage_id))
            .await?;
    Ok(looks
        .into_iter()
        .map(|look| LookView {
            id: look.id.to_string(),
            position: look.position,
            title: look.title,
            note: look.note,
            flash_secs: look.flash_secs,
            revealed_at: look.revealed_at,
            window_opens_at: look.window_opens_at,
            window_closes_at: look.window_closes_at,
            items: cards.remove(&look.id).unwrap_or_default(),
            coupon: look
                .coupon_lineage_id
                .and_then(|lineage| coupons.get(&lineage).cloned()),
            envelope_moment: look.envelope_moment,
        })
        .collect())
}

async fn looks_of(
    db: &impl ConnectionTrait,
    show_id: Uuid,
    revealed_only: bool,
) -> Result<Vec<show_look::Model>, AppError> {
    let mut query = show_look::Entity::find().filter(show_look::Column::ShowId.eq(show_id));
    if revealed_only {
        query = query
            .filter(show_look::Column::RevealedAt.is_not_null())
            .order_by_asc(show_look::Column::RevealedAt);
    }
    Ok(query
        .order_by_asc(show_look::Column::Position)
        .all(db)
        .await?)
}

/// The show as its host sees it.
pub async fn detail(
    db: &impl ConnectionTrait,
    host: &ShowHost,
    id: &str,
) -> Result<ShowDetail, AppError> {
    let show = host.show(db, id).await?;
    detail_of(db, show).await
}

pub(super) async fn detail_of(
    db: &impl ConnectionTrait,
    show: show::Model,
) -> Result<ShowDetail, AppError> {
    let looks = look_views(db, looks_of(db, show.id, false).await?).await?;
    let summary = summaries(db, vec![show.clone()])
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok(ShowDetail {
        summary,
        description: show.description,
        stream_url: show.stream_url,
        blocked_words: show.blocked_words,
        review_note: show.review_note,
        slow_mode_secs: show.slow_mode_secs,
        pinned_sku_id: show.pinned_sku_id.map(|id| id.to_string()),
        live_at: show.live_at,
        ended_at: show.ended_at,
        looks,
    })
}

/// A public show (approved, live or ended).
pub(super) async fn public_show(
    db: &impl ConnectionTrait,
    show_id: Uuid,
) -> Result<show::Model, AppError> {
    show::Entity::find_by_id(show_id)
        .one(db)
        .await?
        .filter(|s| status_of(s).public())
        .ok_or(AppError::NotFound)
}

/// The number of `show_id`'s last event.
pub async fn event_seq(db: &impl ConnectionTrait, show_id: Uuid) -> Result<i64, AppError> {
    Ok(public_show(db, show_id).await?.event_seq)
}

/// What a viewer arriving now sees (live figures are the hub's to add).
pub async fn public_state(db: &impl ConnectionTrait, show_id: Uuid) -> Result<ShowState, AppError> {
    let show = public_show(db, show_id).await?;
    let looks = look_views(db, looks_of(db, show.id, true).await?).await?;
    let chat = events::recent_chat(db, show.id, CHAT_BACKLOG as u64).await?;
    let summary = summaries(db, vec![show.clone()])
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok(ShowState {
        id: show.id.to_string(),
        title: show.title,
        description: show.description,
        brand_name: summary.brand_name,
        brand_slug: summary.brand_slug,
        status: summary.status,
        stream_url: show.stream_url,
        cover_url: show.cover_url,
        starts_at: show.starts_at,
        ends_at: show.ends_at,
        live_at: show.live_at,
        ended_at: show.ended_at,
        looks,
        pinned_sku_id: show.pinned_sku_id.map(|id| id.to_string()),
        chat,
        slow_mode_secs: show.slow_mode_secs,
        stats: ShowStats {
            reactions: show.reactions,
            ..ShowStats::default()
        },
        seq: show.event_seq,
        server_now: now(),
    })
}

/// The SKUs `show_id`'s revealed looks offer.
pub(super) async fn revealed_skus(
    db: &impl ConnectionTrait,
    show_id: Uuid,
) -> Result<Vec<Uuid>, AppError> {
    let looks: Vec<Uuid> = show_look::Entity::find()
        .select_only()
        .column(show_look::Column::Id)
        .filter(show_look::Column::ShowId.eq(show_id))
        .filter(show_look::Column::RevealedAt.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(show_look_item::Entity::find()
        .select_only()
        .column(show_look_item::Column::SkuId)
        .filter(show_look_item::Column::LookId.is_in(looks))
        .into_tuple()
        .all(db)
        .await?)
}

/// A line sold through a show.
pub(super) struct ShowSale {
    pub order_id: Uuid,
    pub title: String,
    pub quantity: i64,
    /// What the line cost its buyer (after adjustments, before delivery).
    pub total_minor: i64,
    pub currency: String,
}

/// Paid or payment-pending lines of the orders bought through the show (those that drew on its
/// stock pool), newest first.
pub(super) async fn show_sales(
    db: &impl ConnectionTrait,
    show: &show::Model,
) -> Result<Vec<ShowSale>, AppError> {
    let rows: Vec<(Uuid, String, i64, i64, String)> = order_line::Entity::find()
        .select_only()
        .column(order_line::Column::OrderId)
        .column(order_line::Column::Title)
        .column(order_line::Column::Quantity)
        .column(order_line::Column::TotalMinor)
        .column(shop_order::Column::Currency)
        .join(
            sea_orm::JoinType::InnerJoin,
            order_line::Entity::belongs_to(shop_order::Entity)
                .from(order_line::Column::OrderId)
                .to(shop_order::Column::Id)
                .into(),
        )
        .filter(shop_order::Column::Pool.eq(StockPool::Show(show.id).key()))
        // Word for word the condition of `idx_shop_order_pool` (migration 000018): SQLite uses
        // a partial index only when the query repeats its condition.
        .filter(Expr::cust("\"shop_order\".\"pool\" <> 'open'"))
        .filter(shop_order::Column::Status.is_in([
            crate::checkout::OrderStatus::Paid,
            crate::checkout::OrderStatus::PendingPayment,
        ]))
        .order_by_desc(shop_order::Column::CreatedAt)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(order_id, title, quantity, total_minor, currency)| ShowSale {
                order_id,
                title,
                quantity,
                total_minor,
                currency,
            },
        )
        .collect())
}
