//! The brand's catalog as CSV, in the import format, streamed: [`Export::next_chunk`] reads
//! and writes [`LISTINGS_PER_CHUNK`] listings at a time, so a catalog of any size is never
//! held in memory whole. Every cell goes through [`spreadsheet_safe`].

use std::collections::HashMap;

use entity::{listing, sku, stock_level, stock_location};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::csv::spreadsheet_safe;
use crate::brands::BrandScope;
use crate::catalog::{ListingOption, CSV_COLUMNS};
use crate::core::{money, AppError};

/// Listings read and written per chunk.
const LISTINGS_PER_CHUNK: u64 = 200;

/// An export under way: one row per variant and location with stock (a variant without stock
/// gets one row with empty location), listings in the order they were created.
pub struct Export {
    scope: BrandScope,
    locations: HashMap<Uuid, String>,
    /// The last listing written; `None` before the first chunk.
    after: Option<Uuid>,
    done: bool,
}

impl Export {
    /// Starts exporting `scope`'s catalog.
    pub async fn start(db: &impl ConnectionTrait, scope: &BrandScope) -> Result<Export, AppError> {
        let locations = scope
            .find::<stock_location::Entity>()
            .all(db)
            .await?
            .into_iter()
            .map(|l| (l.id, l.name))
            .collect();
        Ok(Export {
            scope: scope.clone(),
            locations,
            after: None,
            done: false,
        })
    }

    /// The next part of the file (the header comes with the first); `None` at the end.
    pub async fn next_chunk(
        &mut self,
        db: &impl ConnectionTrait,
    ) -> Result<Option<Vec<u8>>, AppError> {
        if self.done {
            return Ok(None);
        }
        let mut writer = ::csv::Writer::from_writer(Vec::new());
        if self.after.is_none() {
            writer
                .write_record(CSV_COLUMNS)
                .map_err(AppError::internal)?;
        }
        let mut page = self
            .scope
            .find::<listing::Entity>()
            .order_by_asc(listing::Column::Id)
            .limit(LISTINGS_PER_CHUNK);
        if let Some(after) = self.after {
            page = page.filter(listing::Column::Id.gt(after));
        }
        let listings = page.all(db).await?;
        self.done = (listings.len() as u64) < LISTINGS_PER_CHUNK;
        self.after = listings.last().map(|l| l.id).or(self.after);
        let ids: Vec<Uuid> = listings.iter().map(|l| l.id).collect();
        let skus = self
            .scope
            .find::<sku::Entity>()
            .filter(sku::Column::ListingId.is_in(ids))
            .order_by_asc(sku::Column::Position)
            .all(db)
            .await?;
        let mut levels: HashMap<Uuid, Vec<stock_level::Model>> = HashMap::new();
        for level in self
            .scope
            .find::<stock_level::Entity>()
            .filter(stock_level::Column::SkuId.is_in(skus.iter().map(|s| s.id)))
            .all(db)
            .await?
        {
            levels.entry(level.sku_id).or_default().push(level);
        }
        let mut by_listing: HashMap<Uuid, Vec<&sku::Model>> = HashMap::new();
        for s in &skus {
            by_listing.entry(s.listing_id).or_default().push(s);
        }
        for l in &listings {
            for s in by_listing.get(&l.id).into_iter().flatten() {
                for record in self.records(l, s, levels.get(&s.id)) {
                    writer
                        .write_record(
                            record
                                .iter()
                                .map(|cell| spreadsheet_safe(cell).into_owned()),
                        )
                        .map_err(AppError::internal)?;
                }
            }
        }
        let bytes = writer.into_inner().map_err(AppError::internal)?;
        Ok(if bytes.is_empty() { None } else { Some(bytes) })
    }

    /// The rows of variant `s` of listing `l`, one per location holding it.
    fn records(
        &self,
        l: &listing::Model,
        s: &sku::Model,
        levels: Option<&Vec<stock_level::Model>>,
    ) -> Vec<Vec<String>> {
        let options: Vec<ListingOption> = serde_json::from_str(&l.options).unwrap_or_default();
        let values: Vec<String> = serde_json::from_str(&s.option_values).unwrap_or_default();
        let option = |i: usize| -> [String; 2] {
            [
                options.get(i).map(|o| o.name.clone()).unwrap_or_default(),
                values.get(i).cloned().unwrap_or_default(),
            ]
        };
        let stock_rows: Vec<(String, String)> = match levels {
            Some(levels) if !levels.is_empty() => levels
                .iter()
                .map(|lv| {
                    (
                        self.locations
                            .get(&lv.location_id)
                            .cloned()
                            .unwrap_or_default(),
                        lv.on_hand.to_string(),
                    )
                })
                .collect(),
            _ => vec![(String::new(), String::new())],
        };
        stock_rows
            .into_iter()
            .map(|(location, on_hand)| {
                let mut record = vec![
                    l.id.to_string(),
                    l.title.clone(),
                    l.description_md.clone(),
                    l.category.clone(),
                    l.currency.clone(),
                    l.status.as_str().to_owned(),
                ];
                record.extend(option(0));
                record.extend(option(1));
                record.extend(option(2));
                record.extend([
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
                ]);
                record
            })
            .collect()
    }
}
