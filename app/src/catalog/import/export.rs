//! The brand's catalog as CSV, in the import format.

use std::collections::HashMap;

use entity::{listing, sku, stock_level, stock_location};
use sea_orm::{ConnectionTrait, QueryOrder};
use uuid::Uuid;

use crate::brands::BrandScope;
use crate::catalog::{ListingOption, CSV_COLUMNS};
use crate::core::{money, AppError};

/// The brand's catalog as CSV, in the import format: one row per variant and location with
/// stock (a variant without stock gets one row with empty location).
pub async fn export(db: &impl ConnectionTrait, scope: &BrandScope) -> Result<String, AppError> {
    let listings = scope
        .find::<listing::Entity>()
        .order_by_asc(listing::Column::CreatedAt)
        .all(db)
        .await?;
    let skus = scope
        .find::<sku::Entity>()
        .order_by_asc(sku::Column::Position)
        .all(db)
        .await?;
    let locations: HashMap<Uuid, String> = scope
        .find::<stock_location::Entity>()
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.id, l.name))
        .collect();
    let mut levels: HashMap<Uuid, Vec<stock_level::Model>> = HashMap::new();
    for level in scope.find::<stock_level::Entity>().all(db).await? {
        levels.entry(level.sku_id).or_default().push(level);
    }
    let mut by_listing: HashMap<Uuid, Vec<&sku::Model>> = HashMap::new();
    for s in &skus {
        by_listing.entry(s.listing_id).or_default().push(s);
    }
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    writer
        .write_record(CSV_COLUMNS)
        .map_err(AppError::internal)?;
    for l in &listings {
        let options: Vec<ListingOption> = serde_json::from_str(&l.options).unwrap_or_default();
        for s in by_listing.get(&l.id).into_iter().flatten() {
            let values: Vec<String> = serde_json::from_str(&s.option_values).unwrap_or_default();
            let option = |i: usize| -> (String, String) {
                (
                    options.get(i).map(|o| o.name.clone()).unwrap_or_default(),
                    values.get(i).cloned().unwrap_or_default(),
                )
            };
            let (o1, o2, o3) = (option(0), option(1), option(2));
            let stock_rows: Vec<(String, String)> = match levels.get(&s.id) {
                Some(levels) if !levels.is_empty() => levels
                    .iter()
                    .map(|lv| {
                        (
                            locations.get(&lv.location_id).cloned().unwrap_or_default(),
                            lv.on_hand.to_string(),
                        )
                    })
                    .collect(),
                _ => vec![(String::new(), String::new())],
            };
            for (location, on_hand) in stock_rows {
                writer
                    .write_record([
                        l.id.to_string(),
                        l.title.clone(),
                        l.description_md.clone(),
                        l.category.clone(),
                        l.currency.clone(),
                        l.status.as_str().to_owned(),
                        o1.0.clone(),
                        o1.1.clone(),
                        o2.0.clone(),
                        o2.1.clone(),
                        o3.0.clone(),
                        o3.1.clone(),
                        s.code.clone(),
                        money::amount_input(s.price_minor, &s.currency),
                        s.compare_at_minor
                            .map(|c| money::amount_input(c, &s.currency))
                            .unwrap_or_default(),
                        s.weight_grams.to_string(),
                        s.barcode.clone().unwrap_or_default(),
                        s.purchase_limit.map(|l| l.to_string()).unwrap_or_default(),
                        location,
                        on_hand,
                    ])
                    .map_err(AppError::internal)?;
            }
        }
    }
    String::from_utf8(writer.into_inner().map_err(AppError::internal)?).map_err(AppError::internal)
}
