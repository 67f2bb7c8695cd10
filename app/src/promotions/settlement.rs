//! Settlement: per selling brand and per promotion (or red-envelope pool), what discounts
//! took off its orders and who funds them — the brand itself, or the platform, which owes the
//! brand what it funded. Read from `promotion_use`, counting only uses not given back (an order
//! that lapsed or was cancelled in full gave its uses back).

use std::collections::HashMap;

use entity::{envelope_pool, promotion, promotion_use};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::service::slugs;
use super::SettlementRow;
use crate::core::AppError;

/// The settlement of brand `brand` (none: every brand, for platform admins), by brand, then
/// promotion.
pub async fn report(
    db: &impl ConnectionTrait,
    brand: Option<Uuid>,
) -> Result<Vec<SettlementRow>, AppError> {
    let mut query =
        promotion_use::Entity::find().filter(promotion_use::Column::ReturnedAt.is_null());
    if let Some(brand) = brand {
        query = query.filter(promotion_use::Column::BrandId.eq(brand));
    }
    let uses = query.all(db).await?;
    // (brand, promotion, funder, currency) → (orders, amount)
    let mut sums: HashMap<(Uuid, Uuid, Option<Uuid>, String), (i64, i64)> = HashMap::new();
    for u in &uses {
        let sum = sums
            .entry((
                u.brand_id,
                u.lineage_id,
                u.funder_brand_id,
                u.currency.clone(),
            ))
            .or_default();
        sum.0 += 1;
        sum.1 += u.amount_minor;
    }
    let lineages: Vec<Uuid> = sums.keys().map(|k| k.1).collect();
    let mut names: HashMap<Uuid, String> = HashMap::new();
    if !lineages.is_empty() {
        // The newest version's name (versions come in version order).
        for row in promotion::Entity::find()
            .filter(promotion::Column::LineageId.is_in(lineages.clone()))
            .order_by_asc(promotion::Column::Version)
            .all(db)
            .await?
        {
            names.insert(row.lineage_id, row.name);
        }
        for pool in envelope_pool::Entity::find()
            .filter(envelope_pool::Column::Id.is_in(lineages))
            .all(db)
            .await?
        {
            names.insert(pool.id, format!("Red envelopes: {}", pool.name));
        }
    }
    let slugs = slugs(db, sums.keys().map(|k| k.0)).await?;
    let mut rows: Vec<SettlementRow> = sums
        .into_iter()
        .map(
            |((brand, lineage, funder, currency), (orders, amount))| SettlementRow {
                brand: slugs.get(&brand).cloned().unwrap_or_default(),
                promotion_id: lineage.to_string(),
                promotion: names.get(&lineage).cloned().unwrap_or_default(),
                funded_by_platform: funder.is_none(),
                currency,
                orders,
                amount_minor: amount,
            },
        )
        .collect();
    rows.sort_by(|a, b| {
        (&a.brand, &a.promotion, a.funded_by_platform).cmp(&(
            &b.brand,
            &b.promotion,
            b.funded_by_platform,
        ))
    });
    Ok(rows)
}

/// `rows` as CSV: brand, promotion, funded by, currency, orders, amount (in major units).
pub fn csv(rows: &[SettlementRow]) -> String {
    use crate::catalog::import::spreadsheet_safe;
    let mut out = String::from("brand,promotion,promotion_id,funded_by,currency,orders,amount\n");
    for row in rows {
        let cells = [
            spreadsheet_safe(&row.brand).into_owned(),
            spreadsheet_safe(&row.promotion).into_owned(),
            row.promotion_id.clone(),
            if row.funded_by_platform {
                "platform"
            } else {
                "brand"
            }
            .to_owned(),
            row.currency.clone(),
            row.orders.to_string(),
            crate::core::money::amount_input(row.amount_minor, &row.currency),
        ];
        let quoted: Vec<String> = cells
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect();
        out.push_str(&quoted.join(","));
        out.push('\n');
    }
    out
}
