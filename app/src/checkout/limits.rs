//! Per-buyer purchase limits: how many units of a limited SKU each buyer holds in live orders
//! (`sku_purchase`, written only here). The engine counts a batch's units in the transaction
//! that commits its orders (one multi-row upsert) and checks them under that transaction's
//! locks; units come off again when an order lapses unpaid or is refunded.

use std::collections::HashMap;

use entity::sku_purchase;
use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict},
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use uuid::Uuid;

use crate::core::keyed::{self, KeyPart};
use crate::core::AppError;

/// Units buyers hold of limited SKUs, by (SKU, buyer key).
pub type Held = HashMap<(Uuid, String), i64>;

/// The key a buyer's units are counted under: their account. Only signed-in accounts with a
/// verified email may buy a limited SKU (the engine refuses anyone else with
/// `sign_in_required`), so a limit cannot be multiplied with email addresses typed into the
/// order; orders without an account (unlimited SKUs only) are keyed by their email.
pub fn buyer_key(account_id: Option<Uuid>, email: &str) -> String {
    match account_id {
        Some(account) => format!("account:{account}"),
        None => format!("email:{email}"),
    }
}

/// Makes sure a row exists for each `(SKU, buyer)` pair and locks it for the transaction
/// (an upsert adding nothing), so two transactions counting one buyer's units of one SKU
/// queue on that row — even when they take *different* stock rows (a show's drop stock and
/// the warehouse), whose locks would not meet.
pub async fn lock(
    db: &impl ConnectionTrait,
    pairs: impl IntoIterator<Item = (Uuid, String)>,
) -> Result<(), AppError> {
    add(db, pairs.into_iter().map(|pair| (pair, 0)).collect()).await
}

/// Units of a SKU with a per-buyer limit that an order counts against its buyer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limited {
    pub sku_id: Uuid,
    pub quantity: i64,
    pub limit: i64,
}

/// Refuses an order that would take its buyer past a SKU's limit, given what they hold.
pub fn within(held: &Held, buyer: &str, limited: &[Limited]) -> Result<(), AppError> {
    for l in limited {
        let holding = held
            .get(&(l.sku_id, buyer.to_owned()))
            .copied()
            .unwrap_or(0);
        if holding + l.quantity > l.limit {
            return Err(AppError::LimitReached { limit: l.limit });
        }
    }
    Ok(())
}

/// Counts an order's limited units against its buyer in `held`.
pub fn hold(held: &mut Held, buyer: &str, limited: &[Limited]) {
    for l in limited {
        *held.entry((l.sku_id, buyer.to_owned())).or_default() += l.quantity;
    }
}

/// Units `buyers` hold of the `limited` SKUs.
pub async fn load(
    db: &impl ConnectionTrait,
    limited: Vec<Uuid>,
    mut buyers: Vec<String>,
) -> Result<Held, AppError> {
    if limited.is_empty() {
        return Ok(HashMap::new());
    }
    buyers.sort_unstable();
    buyers.dedup();
    let mut pairs = Vec::with_capacity(limited.len() * buyers.len());
    for sku in &limited {
        for buyer in &buyers {
            pairs.push([KeyPart::Uuid(*sku), KeyPart::Text(buyer)]);
        }
    }
    let rows = keyed::find_by_keys::<sku_purchase::Entity, 2>(
        db,
        [sku_purchase::Column::SkuId, sku_purchase::Column::BuyerKey],
        pairs,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|p| ((p.sku_id, p.buyer_key), p.quantity))
        .collect())
}

/// Adds to buyers' held units, one multi-row upsert.
pub async fn add(db: &impl ConnectionTrait, deltas: Held) -> Result<(), AppError> {
    if deltas.is_empty() {
        return Ok(());
    }
    let rows: Vec<sku_purchase::ActiveModel> = deltas
        .into_iter()
        .map(|((sku_id, buyer_key), quantity)| {
            sku_purchase::Model {
                sku_id,
                buyer_key,
                quantity,
            }
            .into_active_model()
        })
        .collect();
    sku_purchase::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([sku_purchase::Column::SkuId, sku_purchase::Column::BuyerKey])
                .value(
                    sku_purchase::Column::Quantity,
                    Expr::col((sku_purchase::Entity, sku_purchase::Column::Quantity))
                        .add(Expr::cust("excluded.quantity")),
                )
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Takes `units` of each SKU off `buyer_key`'s held count (an order lapsed unpaid, units were
/// refunded), never below zero: a limit added after the order counted fewer.
pub async fn give_back(
    db: &impl ConnectionTrait,
    buyer_key: &str,
    units: &[(Uuid, i64)],
) -> Result<(), AppError> {
    for &(sku_id, quantity) in units {
        let taken_off = sku_purchase::Entity::update_many()
            .col_expr(
                sku_purchase::Column::Quantity,
                Expr::col(sku_purchase::Column::Quantity).sub(quantity),
            )
            .filter(sku_purchase::Column::SkuId.eq(sku_id))
            .filter(sku_purchase::Column::BuyerKey.eq(buyer_key))
            .filter(sku_purchase::Column::Quantity.gte(quantity))
            .exec(db)
            .await?;
        if taken_off.rows_affected == 0 {
            sku_purchase::Entity::update_many()
                .col_expr(sku_purchase::Column::Quantity, Expr::value(0i64))
                .filter(sku_purchase::Column::SkuId.eq(sku_id))
                .filter(sku_purchase::Column::BuyerKey.eq(buyer_key))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buyer_may_hold_up_to_the_limit_and_no_more() {
        let sku = Uuid::from_u128(1);
        let mut held = Held::new();
        let one = [Limited {
            sku_id: sku,
            quantity: 1,
            limit: 2,
        }];
        let a = buyer_key(Some(Uuid::from_u128(7)), "a@b.co");
        assert!(within(&held, &a, &one).is_ok());
        hold(&mut held, &a, &one);
        hold(&mut held, &a, &one);
        assert_eq!(
            within(&held, &a, &one),
            Err(AppError::LimitReached { limit: 2 })
        );
        // The same account is the same buyer whatever email it types.
        assert_eq!(buyer_key(Some(Uuid::from_u128(7)), "other@b.co"), a);
        // Another buyer is counted apart.
        assert!(within(&held, &buyer_key(Some(Uuid::from_u128(8)), "a@b.co"), &one).is_ok());
    }
}
