//! Stock: levels per SKU and location (on hand, reserved, available), who may draw on them
//! (stock pools), and the ledger of every change.
//!
//! - [`ledger`]: the only writer of levels and ledger rows.
//! - [`pools`]: units set aside for one show (drop stock), and given back.
//! - [`locations`]: a brand's warehouses (and the locations pools use).
//! - [`changes`]: what a brand's team does by hand — receive, count, adjust, transfer — and
//!   its views of levels and the ledger.
//!
//! This module reads levels for the engine, the cart and the storefront, and keeps each
//! listing's `available` (what "in stock" filters read) in step with them.

pub mod changes;
pub mod ledger;
pub mod locations;
pub mod pools;

use std::collections::HashMap;

use entity::{listing, sku, stock_level, stock_location};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Query},
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

pub use entity::values::{LocationKind, MovementKind};

use crate::core::AppError;

/// The location every brand starts with.
pub const DEFAULT_LOCATION: &str = "Main warehouse";
/// Largest quantity in one stock change.
pub const MAX_QUANTITY: i64 = 1_000_000_000;

#[derive(FromQueryResult)]
struct SkuAvailable {
    sku_id: Uuid,
    available: i64,
}

/// Who may draw on a location's stock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StockPool {
    /// The brands' open stock, which every channel sells.
    #[default]
    Open,
    /// Set aside for one show: its drops' own stock. A show's buyers draw on it where a SKU
    /// has a level at one of the show's locations, on the open stock otherwise. (Pop-up stores
    /// will add theirs: an in-store sale draws on the store's location.)
    Show(Uuid),
    /// Set aside for one pre-sale campaign: its cap, which its deposits draw on.
    Presale(Uuid),
}

impl StockPool {
    /// Stable name stored with orders and sale gates: `open`, `show:<id>` or `presale:<id>`.
    pub fn key(self) -> String {
        match self {
            StockPool::Open => "open".to_owned(),
            StockPool::Show(id) => format!("show:{id}"),
            StockPool::Presale(id) => format!("presale:{id}"),
        }
    }

    /// Reads [`StockPool::key`] back (anything else is the open stock).
    pub fn parse(key: &str) -> StockPool {
        let id = |prefix: &str| {
            key.strip_prefix(prefix)
                .and_then(|id| Uuid::parse_str(id).ok())
        };
        match (id("show:"), id("presale:")) {
            (Some(show), _) => StockPool::Show(show),
            (_, Some(campaign)) => StockPool::Presale(campaign),
            _ => StockPool::Open,
        }
    }

    /// The pool of stock at a location of `kind` set aside for `owner`.
    fn set_aside(kind: LocationKind, owner: Uuid) -> StockPool {
        match kind {
            LocationKind::Presale => StockPool::Presale(owner),
            LocationKind::Show | LocationKind::Warehouse => StockPool::Show(owner),
        }
    }
}

/// Stock of one SKU at one location, with who may draw on it.
#[derive(Debug, Clone)]
pub struct PoolLevel {
    pub location_id: Uuid,
    pub pool: StockPool,
    pub on_hand: i64,
    pub reserved: i64,
}

impl PoolLevel {
    /// On hand − reserved.
    pub fn available(&self) -> i64 {
        self.on_hand - self.reserved
    }
}

/// Indexes of `levels` (one SKU's) that buyers drawing on `pool` take from: a show's own
/// levels when the SKU has any at the show's locations (even used up: a drop's stock sells out
/// on its own), the open ones otherwise.
pub fn drawn_on(levels: &[PoolLevel], pool: StockPool) -> Vec<usize> {
    let from = match pool {
        StockPool::Show(_) | StockPool::Presale(_) if levels.iter().any(|l| l.pool == pool) => pool,
        _ => StockPool::Open,
    };
    (0..levels.len())
        .filter(|&i| levels[i].pool == from)
        .collect()
}

/// How `need` units of one SKU are taken from its `levels` by buyers drawing on `pool`: the
/// fullest location first (fewer split parcels), as (index into `levels`, units) pairs.
/// `Err(total)` when only `total` units are there, fewer than `need`; nothing is taken then.
pub fn take_fullest_first(
    levels: &[PoolLevel],
    pool: StockPool,
    need: i64,
) -> Result<Vec<(usize, i64)>, i64> {
    let mut order = drawn_on(levels, pool);
    let total: i64 = order
        .iter()
        .map(|&i| Ord::max(levels[i].available(), 0))
        .sum();
    if total < need {
        return Err(total);
    }
    order.sort_by_key(|&i| -levels[i].available());
    let mut need = need;
    let mut taken = Vec::new();
    for i in order {
        if need == 0 {
            break;
        }
        let take = Ord::min(need, Ord::max(levels[i].available(), 0));
        if take > 0 {
            taken.push((i, take));
            need -= take;
        }
    }
    Ok(taken)
}

/// The levels of `skus` by SKU, each SKU's in location order. With `lock`, the rows are locked
/// for the caller's transaction on PostgreSQL (in that fixed order, so two writers never wait
/// on each other crosswise).
pub async fn pool_levels(
    db: &impl ConnectionTrait,
    skus: &[Uuid],
    lock: bool,
) -> Result<HashMap<Uuid, Vec<PoolLevel>>, AppError> {
    let mut query = stock_level::Entity::find()
        .filter(stock_level::Column::SkuId.is_in(skus.to_vec()))
        .order_by_asc(stock_level::Column::SkuId)
        .order_by_asc(stock_level::Column::LocationId);
    if lock && db.get_database_backend() == DbBackend::Postgres {
        query = query.lock_exclusive();
    }
    let rows = query.all(db).await?;
    let mut location_ids: Vec<Uuid> = rows.iter().map(|r| r.location_id).collect();
    location_ids.sort_unstable();
    location_ids.dedup();
    let set_aside: HashMap<Uuid, StockPool> = stock_location::Entity::find()
        .select_only()
        .column(stock_location::Column::Id)
        .column(stock_location::Column::SetAsideFor)
        .column(stock_location::Column::Kind)
        .filter(stock_location::Column::Id.is_in(location_ids))
        .filter(stock_location::Column::SetAsideFor.is_not_null())
        .into_tuple::<(Uuid, Uuid, LocationKind)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, owner, kind)| (id, StockPool::set_aside(kind, owner)))
        .collect();
    let mut levels: HashMap<Uuid, Vec<PoolLevel>> = HashMap::new();
    for row in rows {
        levels.entry(row.sku_id).or_default().push(PoolLevel {
            location_id: row.location_id,
            pool: set_aside
                .get(&row.location_id)
                .copied()
                .unwrap_or(StockPool::Open),
            on_hand: row.on_hand,
            reserved: row.reserved,
        });
    }
    Ok(levels)
}

/// Units left per SKU for buyers drawing on `pool`.
pub async fn available_in_pool(
    db: &impl ConnectionTrait,
    skus: &[Uuid],
    pool: StockPool,
) -> Result<HashMap<Uuid, i64>, AppError> {
    Ok(pool_levels(db, skus, false)
        .await?
        .into_iter()
        .map(|(sku, levels)| {
            let left = drawn_on(&levels, pool)
                .into_iter()
                .map(|i| Ord::max(levels[i].available(), 0))
                .sum();
            (sku, left)
        })
        .collect())
}

/// Units the storefront can sell per SKU: on hand − reserved over the open locations (units
/// set aside at a show's location are that show's until it ends).
pub async fn available_by_sku(
    db: &impl ConnectionTrait,
    skus: Vec<Uuid>,
) -> Result<HashMap<Uuid, i64>, AppError> {
    if skus.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = stock_level::Entity::find()
        .select_only()
        .column(stock_level::Column::SkuId)
        .column_as(
            Expr::col(stock_level::Column::OnHand)
                .sub(Expr::col(stock_level::Column::Reserved))
                .sum()
                .cast_as("BIGINT"),
            "available",
        )
        .filter(stock_level::Column::SkuId.is_in(skus))
        // A probe of each level's location, not `NOT IN (every show location)`: SQLite built
        // that list by scanning every brand's locations on each call (3 ms at 5 million
        // listings, most of a listing page's time).
        .filter(
            Expr::exists(
                Query::select()
                    .expr(Expr::val(1))
                    .from(stock_location::Entity)
                    .and_where(
                        Expr::col((stock_location::Entity, stock_location::Column::Id))
                            .equals((stock_level::Entity, stock_level::Column::LocationId)),
                    )
                    .and_where(stock_location::Column::SetAsideFor.is_not_null())
                    .to_owned(),
            )
            .not(),
        )
        .group_by(stock_level::Column::SkuId)
        .into_model::<SkuAvailable>()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| (r.sku_id, r.available)).collect())
}

/// Recomputes a listing's `available` (what "in stock" filters read) from its levels, and
/// re-indexes it for search when it went in or out of stock (the index carries that as a
/// facet). Call it inside the transaction that changed the stock.
pub async fn refresh_available(
    db: &impl ConnectionTrait,
    listing_id: Uuid,
) -> Result<listing::Model, AppError> {
    let row = listing::Entity::find_by_id(listing_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let skus: Vec<Uuid> = sku::Entity::find()
        .select_only()
        .column(sku::Column::Id)
        .filter(sku::Column::ListingId.eq(listing_id))
        .into_tuple()
        .all(db)
        .await?;
    let total: i64 = available_by_sku(db, skus).await?.values().sum();
    if total == row.available {
        return Ok(row);
    }
    listing::Entity::update_many()
        .col_expr(listing::Column::Available, Expr::value(total))
        .filter(listing::Column::Id.eq(listing_id))
        .exec(db)
        .await?;
    let was_in_stock = row.available > 0;
    let row = listing::Model {
        available: total,
        ..row
    };
    if row.visible && was_in_stock != (total > 0) {
        let search_key = super::index::sync_index(db, &row).await?;
        return Ok(listing::Model { search_key, ..row });
    }
    Ok(row)
}

/// [`refresh_available`] for each of `listings` (once each, repeats ignored).
pub async fn refresh_listings(
    db: &impl ConnectionTrait,
    listings: impl IntoIterator<Item = Uuid>,
) -> Result<(), AppError> {
    let listings: std::collections::BTreeSet<Uuid> = listings.into_iter().collect();
    for listing_id in listings {
        refresh_available(db, listing_id).await?;
    }
    Ok(())
}
