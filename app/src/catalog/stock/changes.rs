//! What a brand's team (or its own system) does with stock by hand — receive units, adjust
//! or set a count, transfer between locations — recorded through the [`super::ledger`], and the
//! team's views of its levels and ledger.

use entity::{sku, stock_level, stock_movement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

use super::ledger::{self, Movement};
use super::locations::{location_in_scope, location_names};
use super::{refresh_available, MovementKind};
use crate::auth::audit::ClientContext;
use crate::brands::BrandScope;
use crate::catalog::{StockChange, StockChangeKind, StockLevelInfo, StockMovementInfo};
use crate::core::{txn::begin_write, AppError};
use crate::state::AppState;

/// Largest quantity in one stock change.
pub const MAX_QUANTITY: i64 = 1_000_000_000;

async fn sku_in_scope(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    code: &str,
) -> Result<sku::Model, AppError> {
    scope
        .find::<sku::Entity>()
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
    let movement = |location_id, kind, delta, reference: Option<&str>| Movement {
        brand_id: scope.brand_id(),
        sku_id: sku.id,
        location_id,
        kind,
        on_hand_delta: delta,
        reserved_delta: 0,
        reason: reason.to_owned(),
        actor: Some(scope.account_id()),
        reference: reference.map(str::to_owned),
    };
    let movements = match change.kind {
        StockChangeKind::Receive => {
            vec![movement(
                from.id,
                MovementKind::Receive,
                change.quantity,
                None,
            )]
        }
        StockChangeKind::Adjust => {
            vec![movement(
                from.id,
                MovementKind::Adjust,
                change.quantity,
                None,
            )]
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
            vec![
                movement(
                    from.id,
                    MovementKind::TransferOut,
                    -change.quantity,
                    Some(&transfer),
                ),
                movement(
                    to.id,
                    MovementKind::TransferIn,
                    change.quantity,
                    Some(&transfer),
                ),
            ]
        }
    };
    ledger::record(txn, &movements).await?;
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
pub(crate) async fn set_on_hand_in(
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

/// Stock levels of `skus` at every location that has a row.
pub async fn levels_of(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    skus: &[sku::Model],
) -> Result<Vec<StockLevelInfo>, AppError> {
    let locations = location_names(db, scope).await?;
    let codes: HashMap<Uuid, &str> = skus.iter().map(|s| (s.id, s.code.as_str())).collect();
    let rows = scope
        .find::<stock_level::Entity>()
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
