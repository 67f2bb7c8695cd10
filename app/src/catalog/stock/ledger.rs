//! The stock ledger: the only code that writes `stock_level` and `stock_movement`.
//!
//! Every change of stock — a brand receiving, counting or moving units, a checkout batch
//! reserving or selling them, a reservation lapsing, a refund returning units, a show setting
//! units aside, an import or the seed opening a SKU's first stock — is a list of
//! [`Movement`]s recorded here in the caller's transaction: one conditional update per
//! (SKU, location) level touched, which keeps `0 ≤ reserved ≤ on hand` (never read-then-write;
//! the database's CHECK constraint is the last wall), and one ledger row per movement. So the
//! ledger always sums to the levels, which `server/tests/it/ledger.rs` checks after each kind
//! of writer.

use std::collections::BTreeMap;

use entity::{stock_level, stock_movement};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use uuid::Uuid;

use super::MovementKind;
use crate::core::{bulk, time, AppError};

/// One change to a SKU's stock at one location, with who, why and what for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    pub brand_id: Uuid,
    pub sku_id: Uuid,
    pub location_id: Uuid,
    pub kind: MovementKind,
    pub on_hand_delta: i64,
    pub reserved_delta: i64,
    pub reason: String,
    /// Who (none for the system, e.g. a lapsed reservation or a checkout batch).
    pub actor: Option<Uuid>,
    /// What it belongs to: an order id, a transfer id.
    pub reference: Option<String>,
}

/// `(on hand, reserved)` deltas of `quantity` units an order moves as `kind`: a reservation
/// holds them, a release frees them, a sale takes them out of available stock (a reserved unit
/// that is later sold is released first), a return puts them back. Brand-made changes
/// (receive, adjust, transfers) carry their own deltas: `(0, 0)`.
pub fn order_deltas(kind: MovementKind, quantity: i64) -> (i64, i64) {
    match kind {
        MovementKind::Reserve => (0, quantity),
        MovementKind::Release => (0, -quantity),
        MovementKind::Sell => (-quantity, 0),
        MovementKind::Return => (quantity, 0),
        _ => (0, 0),
    }
}

/// Refused because a level would break `0 ≤ reserved ≤ on hand`.
fn not_enough() -> AppError {
    AppError::Conflict {
        message: "There isn't enough stock at that location for this change.".into(),
    }
}

/// Net `(on hand, reserved)` deltas of `movements` per (SKU, location), in key order: the
/// order every writer takes level rows in, so two writers never wait on each other crosswise.
fn net_deltas(movements: &[Movement]) -> BTreeMap<(Uuid, Uuid), (Uuid, i64, i64)> {
    let mut deltas: BTreeMap<(Uuid, Uuid), (Uuid, i64, i64)> = BTreeMap::new();
    for m in movements {
        let entry = deltas
            .entry((m.sku_id, m.location_id))
            .or_insert((m.brand_id, 0, 0));
        entry.1 += m.on_hand_delta;
        entry.2 += m.reserved_delta;
    }
    deltas
}

/// Adds `(on_hand, reserved)` to one level if it stays `0 ≤ reserved ≤ on hand`: the one
/// conditional update of a stock level. `false` when the row refused or does not exist.
async fn update_level(
    db: &impl ConnectionTrait,
    sku_id: Uuid,
    location_id: Uuid,
    on_hand: i64,
    reserved: i64,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<bool, AppError> {
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
    Ok(updated.rows_affected == 1)
}

/// Records `movements` inside the caller's transaction. `Ok(false)` when a level refused (it
/// would go below zero, or reserve more than is on hand): the caller must roll back, since
/// earlier levels may already have changed. A level that does not exist yet is created when
/// the movements only add to it (the first units received at a location).
pub async fn try_record(
    db: &impl ConnectionTrait,
    movements: &[Movement],
) -> Result<bool, AppError> {
    let at = time::now();
    for (&(sku_id, location_id), &(brand_id, on_hand, reserved)) in &net_deltas(movements) {
        if on_hand == 0 && reserved == 0 {
            continue;
        }
        if update_level(db, sku_id, location_id, on_hand, reserved, at).await? {
            continue;
        }
        let exists = stock_level::Entity::find_by_id((sku_id, location_id))
            .one(db)
            .await?
            .is_some();
        if exists || reserved < 0 || on_hand < reserved {
            return Ok(false);
        }
        let level = stock_level::Model {
            sku_id,
            location_id,
            brand_id,
            on_hand,
            reserved,
            updated_at: at,
        };
        bulk::insert_all(db, vec![level.into_active_model()]).await?;
    }
    bulk::insert_all(db, rows(movements, at)).await?;
    Ok(true)
}

/// [`try_record`], with a refusal answered as `Conflict` ("There isn't enough stock at that
/// location for this change."); the caller's transaction must then not commit.
pub async fn record(db: &impl ConnectionTrait, movements: &[Movement]) -> Result<(), AppError> {
    if try_record(db, movements).await? {
        Ok(())
    } else {
        Err(not_enough())
    }
}

/// The first stock of SKUs at locations where they have none yet (a catalog import, the
/// seed): each movement's deltas become a new level, written in bulk with its ledger row.
/// A level that already exists fails the statement (primary key).
pub async fn open(db: &impl ConnectionTrait, movements: &[Movement]) -> Result<(), AppError> {
    let at = time::now();
    let levels = net_deltas(movements)
        .into_iter()
        .map(|((sku_id, location_id), (brand_id, on_hand, reserved))| {
            stock_level::Model {
                sku_id,
                location_id,
                brand_id,
                on_hand,
                reserved,
                updated_at: at,
            }
            .into_active_model()
        })
        .collect();
    bulk::insert_all(db, levels).await?;
    bulk::insert_all(db, rows(movements, at)).await
}

/// The ledger rows of `movements`, recorded at `at`.
fn rows(
    movements: &[Movement],
    at: chrono::DateTime<chrono::Utc>,
) -> Vec<stock_movement::ActiveModel> {
    movements
        .iter()
        .map(|m| {
            stock_movement::Model {
                id: Uuid::now_v7(),
                brand_id: m.brand_id,
                sku_id: m.sku_id,
                location_id: m.location_id,
                kind: m.kind,
                on_hand_delta: m.on_hand_delta,
                reserved_delta: m.reserved_delta,
                reason: m.reason.clone(),
                actor_account_id: m.actor,
                reference: m.reference.clone(),
                created_at: at,
            }
            .into_active_model()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn movement(sku: u128, location: u128, on_hand: i64, reserved: i64) -> Movement {
        Movement {
            brand_id: Uuid::from_u128(9),
            sku_id: Uuid::from_u128(sku),
            location_id: Uuid::from_u128(location),
            kind: MovementKind::Adjust,
            on_hand_delta: on_hand,
            reserved_delta: reserved,
            reason: String::new(),
            actor: None,
            reference: None,
        }
    }

    #[test]
    fn movements_net_per_level_in_key_order() {
        let deltas = net_deltas(&[
            movement(2, 1, -3, 0),
            movement(1, 2, 5, 1),
            movement(2, 1, 1, 2),
            movement(1, 1, 4, 0),
        ]);
        let keys: Vec<(u128, u128)> = deltas
            .keys()
            .map(|(s, l)| (s.as_u128(), l.as_u128()))
            .collect();
        assert_eq!(keys, vec![(1, 1), (1, 2), (2, 1)]);
        assert_eq!(deltas[&(Uuid::from_u128(2), Uuid::from_u128(1))].1, -2);
        assert_eq!(deltas[&(Uuid::from_u128(2), Uuid::from_u128(1))].2, 2);
    }
}
