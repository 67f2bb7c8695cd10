//! Stock: locations, levels per SKU and location (on hand, reserved, available) and the
//! movement ledger. Every change is one conditional update of a level plus one ledger row in
//! the same transaction, so the ledger always sums to the levels and stock never goes negative
//! (the database's CHECK constraint is the last wall).

use crate::core::txn::begin_write;
use std::collections::HashMap;

use entity::{listing, sku, stock_level, stock_location, stock_movement};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Query},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::{StockChange, StockChangeKind, StockLevelInfo, StockLocationInfo, StockMovementInfo};
use crate::auth::audit::ClientContext;
use crate::brands::BrandScope;
use crate::core::{state::AppState, time, AppError};

/// The location every brand starts with.
pub const DEFAULT_LOCATION: &str = "Main warehouse";
/// Largest quantity in one stock change.
pub const MAX_QUANTITY: i64 = 1_000_000_000;

/// What a ledger row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MovementKind {
    Receive,
    Adjust,
    TransferOut,
    TransferIn,
    Reserve,
    Release,
    Sell,
    /// Sold units that came back (a refund or cancellation with restocking).
    Return,
}

impl MovementKind {
    /// Stable name stored in the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Receive => "receive",
            MovementKind::Adjust => "adjust",
            MovementKind::TransferOut => "transfer_out",
            MovementKind::TransferIn => "transfer_in",
            MovementKind::Reserve => "reserve",
            MovementKind::Release => "release",
            MovementKind::Sell => "sell",
            MovementKind::Return => "return",
        }
    }

    /// `(on hand, reserved)` deltas of `quantity` units moved by an order: a reservation
    /// holds them, a release frees them, a sale takes them out of available stock (a reserved
    /// unit that is later sold is released first), a return puts them back.
    /// Brand-made changes (receive, adjust, transfers) carry their own deltas: `(0, 0)`.
    pub fn order_deltas(self, quantity: i64) -> (i64, i64) {
        match self {
            MovementKind::Reserve => (0, quantity),
            MovementKind::Release => (0, -quantity),
            MovementKind::Sell => (-quantity, 0),
            MovementKind::Return => (quantity, 0),
            _ => (0, 0),
        }
    }
}

/// One movement to apply: deltas to on hand and reserved, with who, why and what for.
#[derive(Debug, Clone)]
pub struct Movement<'a> {
    pub brand_id: Uuid,
    pub sku_id: Uuid,
    pub location_id: Uuid,
    pub kind: MovementKind,
    pub on_hand_delta: i64,
    pub reserved_delta: i64,
    pub reason: &'a str,
    pub actor: Option<Uuid>,
    pub reference: Option<&'a str>,
}

fn not_enough() -> AppError {
    AppError::Conflict {
        message: "There isn't enough stock at that location for this change.".into(),
    }
}

/// Applies `m` inside `db` (a transaction): a conditional update of the level (created at zero
/// when missing) and a ledger row. Refuses changes that would make on hand less than reserved
/// or either negative, with `Conflict`.
pub async fn apply_movement(db: &impl ConnectionTrait, m: &Movement<'_>) -> Result<(), AppError> {
    let now = time::now();
    let updated = stock_level::Entity::update_many()
        .col_expr(
            stock_level::Column::OnHand,
            Expr::col(stock_level::Column::OnHand).add(m.on_hand_delta),
        )
        .col_expr(
            stock_level::Column::Reserved,
            Expr::col(stock_level::Column::Reserved).add(m.reserved_delta),
        )
        .col_expr(stock_level::Column::UpdatedAt, Expr::value(now))
        .filter(stock_level::Column::SkuId.eq(m.sku_id))
        .filter(stock_level::Column::LocationId.eq(m.location_id))
        .filter(
            Expr::col(stock_level::Column::OnHand)
                .add(m.on_hand_delta)
                .gte(Expr::col(stock_level::Column::Reserved).add(m.reserved_delta)),
        )
        .filter(
            Expr::col(stock_level::Column::Reserved)
                .add(m.reserved_delta)
                .gte(0),
        )
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        let exists = stock_level::Entity::find_by_id((m.sku_id, m.location_id))
            .one(db)
            .await?
            .is_some();
        if exists || m.reserved_delta < 0 || m.on_hand_delta < Ord::max(m.reserved_delta, 0) {
            return Err(not_enough());
        }
        stock_level::Model {
            sku_id: m.sku_id,
            location_id: m.location_id,
            brand_id: m.brand_id,
            on_hand: m.on_hand_delta,
            reserved: m.reserved_delta,
            updated_at: now,
        }
        .into_active_model()
        .reset_all()
        .insert(db)
        .await?;
    }
    stock_movement::Model {
        id: Uuid::now_v7(),
        brand_id: m.brand_id,
        sku_id: m.sku_id,
        location_id: m.location_id,
        kind: m.kind.as_str().to_owned(),
        on_hand_delta: m.on_hand_delta,
        reserved_delta: m.reserved_delta,
        reason: m.reason.to_owned(),
        actor_account_id: m.actor,
        reference: m.reference.map(str::to_owned),
        created_at: now,
    }
    .into_active_model()
    .reset_all()
    .insert(db)
    .await?;
    Ok(())
}

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
        StockPool::Show(_) if levels.iter().any(|l| l.pool == pool) => pool,
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
    let set_aside: HashMap<Uuid, Uuid> = stock_location::Entity::find()
        .select_only()
        .column(stock_location::Column::Id)
        .column(stock_location::Column::ShowId)
        .filter(stock_location::Column::Id.is_in(location_ids))
        .filter(stock_location::Column::ShowId.is_not_null())
        .into_tuple::<(Uuid, Uuid)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut levels: HashMap<Uuid, Vec<PoolLevel>> = HashMap::new();
    for row in rows {
        levels.entry(row.sku_id).or_default().push(PoolLevel {
            location_id: row.location_id,
            pool: set_aside
                .get(&row.location_id)
                .map_or(StockPool::Open, |show| StockPool::Show(*show)),
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
                    .and_where(stock_location::Column::ShowId.is_not_null())
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
        let search_key = super::search::sync_index(db, &row).await?;
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

/// The brand's locations, creating the default one the first time.
pub async fn locations(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
) -> Result<Vec<StockLocationInfo>, AppError> {
    let mut rows = stock_location::Entity::find()
        .filter(stock_location::Column::BrandId.eq(scope.brand_id()))
        .order_by_asc(stock_location::Column::CreatedAt)
        .all(db)
        .await?;
    if rows.is_empty() {
        rows.push(insert_location(db, scope, DEFAULT_LOCATION).await?);
    }
    Ok(rows.into_iter().map(location_info).collect())
}

fn location_info(row: stock_location::Model) -> StockLocationInfo {
    StockLocationInfo {
        id: row.id.to_string(),
        name: row.name,
        kind: row.kind,
    }
}

async fn insert_location(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    name: &str,
) -> Result<stock_location::Model, AppError> {
    let row = stock_location::Model {
        id: Uuid::now_v7(),
        brand_id: scope.brand_id(),
        name: name.to_owned(),
        kind: "warehouse".into(),
        show_id: None,
        created_at: time::now(),
    };
    match row.clone().into_active_model().reset_all().insert(db).await {
        Ok(_) => Ok(row),
        Err(err)
            if matches!(
                err.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Err(AppError::field(
                "name",
                "You already have a location with this name.",
            ))
        }
        Err(err) => Err(err.into()),
    }
}

/// Adds a location (a warehouse).
pub async fn create_location(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    name: &str,
) -> Result<StockLocationInfo, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::field(
            "name",
            "Name the location (up to 80 characters).",
        ));
    }
    locations(&state.db, scope).await?;
    let row = insert_location(&state.db, scope, name).await?;
    scope
        .audit(
            &state.db,
            client,
            "stock.location_created",
            &row.id.to_string(),
            json!({ "name": name }),
        )
        .await?;
    Ok(location_info(row))
}

async fn location_in_scope(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    id: &str,
    field: &str,
) -> Result<stock_location::Model, AppError> {
    let missing = || AppError::field(field, "Choose one of your locations.");
    let id = Uuid::parse_str(id).map_err(|_| missing())?;
    stock_location::Entity::find_by_id(id)
        .filter(stock_location::Column::BrandId.eq(scope.brand_id()))
        .one(db)
        .await?
        .ok_or_else(missing)
}

async fn sku_in_scope(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    code: &str,
) -> Result<sku::Model, AppError> {
    sku::Entity::find()
        .filter(sku::Column::BrandId.eq(scope.brand_id()))
        .filter(sku::Column::Code.eq(code.trim()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::field("sku_code", "No variant of your brand has this SKU code."))
}

/// Receives, adjusts or transfers stock as a brand's team or system asks; returns the SKU's
/// levels afterwards.
pub async fn change(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    change: &StockChange,
) -> Result<Vec<StockLevelInfo>, AppError> {
    let txn = begin_write(&state.db).await?;
    let sku = change_in(&txn, client, scope, change).await?;
    txn.commit().await?;
    levels_of(&state.db, scope, &[sku]).await
}

/// [`change`] inside the caller's transaction; returns the SKU.
async fn change_in(
    txn: &impl ConnectionTrait,
    client: &ClientContext,
    scope: &BrandScope,
    change: &StockChange,
) -> Result<sku::Model, AppError> {
    let reason = change.reason.trim();
    if reason.chars().count() > 200 {
        return Err(AppError::field(
            "reason",
            "Keep the reason under 200 characters.",
        ));
    }
    let quantity_ok = match change.kind {
        StockChangeKind::Adjust => change.quantity != 0,
        _ => change.quantity > 0,
    } && change.quantity.abs() <= MAX_QUANTITY;
    if !quantity_ok {
        let message = match change.kind {
            StockChangeKind::Adjust => {
                "Enter a number of units to add (positive) or remove (negative)."
            }
            _ => "Enter a number of units above zero.",
        };
        return Err(AppError::field("quantity", message));
    }
    let reason = if reason.is_empty() {
        match change.kind {
            StockChangeKind::Receive => "received",
            StockChangeKind::Adjust => "adjusted",
            StockChangeKind::Transfer => "transferred",
        }
    } else {
        reason
    };
    let sku = sku_in_scope(txn, scope, &change.sku_code).await?;
    let from = location_in_scope(txn, scope, &change.location_id, "location_id").await?;
    let movement = |location_id, kind, delta| Movement {
        brand_id: scope.brand_id(),
        sku_id: sku.id,
        location_id,
        kind,
        on_hand_delta: delta,
        reserved_delta: 0,
        reason,
        actor: Some(scope.account_id()),
        reference: None,
    };
    match change.kind {
        StockChangeKind::Receive => {
            apply_movement(
                txn,
                &movement(from.id, MovementKind::Receive, change.quantity),
            )
            .await?
        }
        StockChangeKind::Adjust => {
            apply_movement(
                txn,
                &movement(from.id, MovementKind::Adjust, change.quantity),
            )
            .await?
        }
        StockChangeKind::Transfer => {
            let to_id = change.to_location_id.as_deref().unwrap_or_default();
            let to = location_in_scope(txn, scope, to_id, "to_location_id").await?;
            if to.id == from.id {
                return Err(AppError::field(
                    "to_location_id",
                    "Choose a different location.",
                ));
            }
            let transfer = Uuid::now_v7().to_string();
            let out = Movement {
                reference: Some(&transfer),
                ..movement(from.id, MovementKind::TransferOut, -change.quantity)
            };
            apply_movement(txn, &out).await?;
            let into = Movement {
                reference: Some(&transfer),
                ..movement(to.id, MovementKind::TransferIn, change.quantity)
            };
            apply_movement(txn, &into).await?;
        }
    }
    refresh_available(txn, sku.listing_id).await?;
    scope
        .audit(
            txn,
            client,
            "stock.changed",
            &sku.code,
            json!({ "kind": change.kind, "quantity": change.quantity, "location": from.name }),
        )
        .await?;
    Ok(sku)
}

/// Sets a SKU's on-hand count at a location (an adjustment by the difference).
pub async fn set_on_hand(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    sku_code: &str,
    location_id: &str,
    on_hand: i64,
    reason: &str,
) -> Result<Vec<StockLevelInfo>, AppError> {
    let txn = begin_write(&state.db).await?;
    let sku = set_on_hand_in(&txn, client, scope, sku_code, location_id, on_hand, reason).await?;
    txn.commit().await?;
    levels_of(&state.db, scope, &[sku]).await
}

/// [`set_on_hand`] inside the caller's transaction; returns the SKU.
pub(super) async fn set_on_hand_in(
    txn: &impl ConnectionTrait,
    client: &ClientContext,
    scope: &BrandScope,
    sku_code: &str,
    location_id: &str,
    on_hand: i64,
    reason: &str,
) -> Result<sku::Model, AppError> {
    if !(0..=MAX_QUANTITY).contains(&on_hand) {
        return Err(AppError::field("on_hand", "Enter a count of zero or more."));
    }
    let sku = sku_in_scope(txn, scope, sku_code).await?;
    let location = location_in_scope(txn, scope, location_id, "location_id").await?;
    let current = stock_level::Entity::find_by_id((sku.id, location.id))
        .one(txn)
        .await?
        .map_or(0, |l| l.on_hand);
    if current == on_hand {
        return Ok(sku);
    }
    let change_request = StockChange {
        kind: StockChangeKind::Adjust,
        sku_code: sku.code.clone(),
        location_id: location.id.to_string(),
        to_location_id: None,
        quantity: on_hand - current,
        reason: if reason.trim().is_empty() {
            "stock count".into()
        } else {
            reason.to_owned()
        },
    };
    change_in(txn, client, scope, &change_request).await
}

/// The names of the brand's locations, by id.
async fn location_names(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
) -> Result<HashMap<Uuid, String>, AppError> {
    Ok(stock_location::Entity::find()
        .filter(stock_location::Column::BrandId.eq(scope.brand_id()))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.id, l.name))
        .collect())
}

/// Stock levels of `skus` at every location that has a row.
pub async fn levels_of(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    skus: &[sku::Model],
) -> Result<Vec<StockLevelInfo>, AppError> {
    let locations = location_names(db, scope).await?;
    let codes: HashMap<Uuid, &str> = skus.iter().map(|s| (s.id, s.code.as_str())).collect();
    let rows = stock_level::Entity::find()
        .filter(stock_level::Column::BrandId.eq(scope.brand_id()))
        .filter(stock_level::Column::SkuId.is_in(skus.iter().map(|s| s.id)))
        .all(db)
        .await?;
    let mut levels: Vec<StockLevelInfo> = rows
        .into_iter()
        .map(|l| StockLevelInfo {
            sku_code: codes.get(&l.sku_id).copied().unwrap_or_default().to_owned(),
            location_id: l.location_id.to_string(),
            location_name: locations.get(&l.location_id).cloned().unwrap_or_default(),
            on_hand: l.on_hand,
            reserved: l.reserved,
            available: l.on_hand - l.reserved,
        })
        .collect();
    levels.sort_by(|a, b| (&a.sku_code, &a.location_name).cmp(&(&b.sku_code, &b.location_name)));
    Ok(levels)
}

/// Stock levels of every variant of a listing of the scope's brand.
pub async fn listing_levels(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    listing_id: &str,
) -> Result<Vec<StockLevelInfo>, AppError> {
    let row = super::listings::find_in_scope(db, scope, listing_id).await?;
    let skus = sku::Entity::find()
        .filter(sku::Column::ListingId.eq(row.id))
        .all(db)
        .await?;
    levels_of(db, scope, &skus).await
}

/// The latest ledger rows of a SKU (newest first).
pub async fn movements(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    sku_code: &str,
    limit: u64,
) -> Result<Vec<StockMovementInfo>, AppError> {
    let sku = sku_in_scope(db, scope, sku_code).await?;
    let locations = location_names(db, scope).await?;
    let rows = stock_movement::Entity::find()
        .filter(stock_movement::Column::SkuId.eq(sku.id))
        .order_by_desc(stock_movement::Column::CreatedAt)
        .order_by_desc(stock_movement::Column::Id)
        .limit(Ord::min(limit, 500))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|m| StockMovementInfo {
            kind: m.kind,
            sku_code: sku.code.clone(),
            location_name: locations.get(&m.location_id).cloned().unwrap_or_default(),
            on_hand_delta: m.on_hand_delta,
            reserved_delta: m.reserved_delta,
            reason: m.reason,
            reference: m.reference,
            created_at: m.created_at,
        })
        .collect())
}
