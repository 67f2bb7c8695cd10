//! Checks on the stock ledger: for every SKU and location, the movements sum to the level.

use std::collections::HashMap;

use entity::{stock_level, stock_movement, values::MovementKind};
use sea_orm::{DatabaseConnection, EntityTrait};
use uuid::Uuid;

/// Asserts that every level equals the sum of its movements, that no level is negative or
/// reserves more than it has, and that no movement belongs to a level that does not exist.
/// `after` names the step just taken, for the failure message.
pub async fn assert_reconciles(db: &DatabaseConnection, after: &str) {
    let mut sums: HashMap<(Uuid, Uuid), (i64, i64)> = HashMap::new();
    for m in stock_movement::Entity::find().all(db).await.unwrap() {
        let sum = sums.entry((m.sku_id, m.location_id)).or_default();
        sum.0 += m.on_hand_delta;
        sum.1 += m.reserved_delta;
    }
    let levels = stock_level::Entity::find().all(db).await.unwrap();
    for level in &levels {
        let key = (level.sku_id, level.location_id);
        assert_eq!(
            sums.remove(&key).unwrap_or_default(),
            (level.on_hand, level.reserved),
            "after {after}: the ledger of SKU {} at {} does not sum to its level",
            level.sku_id,
            level.location_id
        );
        assert!(
            level.reserved >= 0 && level.on_hand >= level.reserved,
            "after {after}: impossible level {level:?}"
        );
    }
    assert!(
        sums.values().all(|sum| *sum == (0, 0)),
        "after {after}: movements without a level: {sums:?}"
    );
}

/// Units of `sku` sold: the sum of its sale movements.
pub async fn units_sold(db: &DatabaseConnection, sku: &str) -> i64 {
    let sku = Uuid::parse_str(sku).unwrap();
    stock_movement::Entity::find()
        .all(db)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.sku_id == sku && m.kind == MovementKind::Sell)
        .map(|m| -m.on_hand_delta)
        .sum()
}
