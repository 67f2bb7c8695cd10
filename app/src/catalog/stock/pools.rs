//! Set-aside pools: units of a SKU kept for one show's buyers (a drop's own stock) or for one
//! pre-sale campaign's deposits (its cap).
//!
//! Setting units aside moves them (a transfer in the ledger) from the brand's open locations
//! to a location of the show or campaign — one per brand taking part — so only its buyers draw
//! on them ([`StockPool::Show`], [`StockPool::Presale`]), the storefront no longer counts them,
//! and a drop (or a campaign) sells out on its own while the brand's warehouse still has more.
//! Releasing the pool makes its locations open stock again: what is left there is sold like
//! anything else, and refunds of its orders return there. The show and the campaign only ask;
//! this module writes the locations and moves the units.

use entity::{sku, stock_level, stock_location};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::ledger::{self, Movement};
use super::{pool_levels, refresh_available, refresh_listings, take_fullest_first};
use super::{MovementKind, StockPool};
use crate::core::{time::now, AppError};
use entity::values::LocationKind;

/// Who a pool is set aside for — a show or a pre-sale campaign — with its title for the
/// location's name and the ledger's reasons.
#[derive(Debug, Clone, Copy)]
pub enum AsideFor<'a> {
    Show { id: Uuid, title: &'a str },
    Presale { id: Uuid, title: &'a str },
}

impl AsideFor<'_> {
    fn id(self) -> Uuid {
        match self {
            AsideFor::Show { id, .. } | AsideFor::Presale { id, .. } => id,
        }
    }

    fn title(self) -> String {
        match self {
            AsideFor::Show { title, .. } => format!("the show “{title}”"),
            AsideFor::Presale { title, .. } => format!("the pre-sale “{title}”"),
        }
    }
}

/// The location holding `brand_id`'s units set aside for `owner`, created on first use.
async fn aside_location(
    db: &impl ConnectionTrait,
    owner: AsideFor<'_>,
    brand_id: Uuid,
) -> Result<Uuid, AppError> {
    let found = stock_location::Entity::find()
        .select_only()
        .column(stock_location::Column::Id)
        .filter(stock_location::Column::SetAsideFor.eq(owner.id()))
        .filter(stock_location::Column::BrandId.eq(brand_id))
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    if let Some(id) = found {
        return Ok(id);
    }
    let (kind, label, title) = match owner {
        AsideFor::Show { title, .. } => (LocationKind::Show, "Show stock", title),
        AsideFor::Presale { title, .. } => (LocationKind::Presale, "Pre-sale stock", title),
    };
    // Unique per brand: the owner's id tells two of the same title apart.
    let title: String = title.chars().take(48).collect();
    let id = Uuid::now_v7();
    stock_location::Model {
        id,
        brand_id,
        name: format!(
            "{label} · {title} · {}",
            &owner.id().simple().to_string()[..8]
        ),
        kind,
        set_aside_for: Some(owner.id()),
        created_at: now(),
    }
    .into_active_model()
    .reset_all()
    .insert(db)
    .await?;
    Ok(id)
}

/// Both halves of a transfer of `units` of `sku` from `from` to `to`.
fn transfer(
    sku: &sku::Model,
    from: Uuid,
    to: Uuid,
    units: i64,
    reason: &str,
    actor: Uuid,
) -> [Movement; 2] {
    let reference = Some(Uuid::now_v7().to_string());
    let half = |location_id, kind, delta| Movement {
        brand_id: sku.brand_id,
        sku_id: sku.id,
        location_id,
        kind,
        on_hand_delta: delta,
        reserved_delta: 0,
        reason: reason.to_owned(),
        actor: Some(actor),
        reference: reference.clone(),
    };
    [
        half(from, MovementKind::TransferOut, -units),
        half(to, MovementKind::TransferIn, units),
    ]
}

/// Sets `units` of `sku` aside for `owner`, taken from the brand's open locations (the fullest
/// first), inside the caller's transaction; when the open stock is short, the answer is an
/// error on `field`.
pub async fn set_aside(
    db: &impl ConnectionTrait,
    owner: AsideFor<'_>,
    sku: &sku::Model,
    units: i64,
    actor: Uuid,
    field: &str,
) -> Result<(), AppError> {
    let levels = pool_levels(db, &[sku.id], true)
        .await?
        .remove(&sku.id)
        .unwrap_or_default();
    let taken = take_fullest_first(&levels, StockPool::Open, units).map_err(|total| {
        AppError::field(
            field,
            format!("Only {total} units are in open stock to set aside."),
        )
    })?;
    let to = aside_location(db, owner, sku.brand_id).await?;
    let reason = format!("set aside for {}", owner.title());
    let movements: Vec<Movement> = taken
        .into_iter()
        .flat_map(|(i, take)| transfer(sku, levels[i].location_id, to, take, &reason, actor))
        .collect();
    ledger::record(db, &movements).await?;
    refresh_available(db, sku.listing_id).await?;
    Ok(())
}

/// Puts `units` of `sku` set aside for `owner` back into the brand's oldest open location (a
/// look taken off the run-sheet, a show deleted before it aired).
pub async fn put_back(
    db: &impl ConnectionTrait,
    owner: AsideFor<'_>,
    sku: &sku::Model,
    units: i64,
    actor: Uuid,
) -> Result<(), AppError> {
    let from = aside_location(db, owner, sku.brand_id).await?;
    let to: Uuid = stock_location::Entity::find()
        .select_only()
        .column(stock_location::Column::Id)
        .filter(stock_location::Column::BrandId.eq(sku.brand_id))
        .filter(stock_location::Column::SetAsideFor.is_null())
        .order_by_asc(stock_location::Column::CreatedAt)
        .into_tuple()
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("set-aside stock without an open location"))?;
    let reason = format!("taken off {}", owner.title());
    ledger::record(db, &transfer(sku, from, to, units, &reason, actor)).await?;
    refresh_available(db, sku.listing_id).await?;
    Ok(())
}

/// Releases the pool set aside for `owner_id` (the show or the pre-sale campaign ended): what
/// is left at its locations is open stock again. Answers the SKUs that had units there.
pub async fn release(db: &impl ConnectionTrait, owner_id: Uuid) -> Result<Vec<Uuid>, AppError> {
    let locations: Vec<Uuid> = stock_location::Entity::find()
        .select_only()
        .column(stock_location::Column::Id)
        .filter(stock_location::Column::SetAsideFor.eq(owner_id))
        .into_tuple()
        .all(db)
        .await?;
    if locations.is_empty() {
        return Ok(Vec::new());
    }
    stock_location::Entity::update_many()
        .col_expr(
            stock_location::Column::SetAsideFor,
            Expr::value(None::<Uuid>),
        )
        .filter(stock_location::Column::Id.is_in(locations.clone()))
        .exec(db)
        .await?;
    let skus: Vec<Uuid> = stock_level::Entity::find()
        .select_only()
        .column(stock_level::Column::SkuId)
        .filter(stock_level::Column::LocationId.is_in(locations))
        .into_tuple()
        .all(db)
        .await?;
    let listings: Vec<Uuid> = sku::Entity::find()
        .select_only()
        .column(sku::Column::ListingId)
        .filter(sku::Column::Id.is_in(skus.clone()))
        .into_tuple()
        .all(db)
        .await?;
    refresh_listings(db, listings).await?;
    Ok(skus)
}
