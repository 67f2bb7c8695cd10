//! Gala's schema, as an ordered list of SeaORM migrations.
//!
//! Files are named `mYYYYMMDD_HHMMSS_<verb>_<noun>.rs`; every migration has a working `down()`
//! so a deploy can be rolled back one step at a time.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_platform_setting;
mod m20261122_000002_create_identity;
mod m20261122_000003_create_brands;
mod m20261122_000004_create_brand_teams;
mod m20261122_000005_create_media;
mod m20261122_000006_create_catalog;
mod m20261122_000007_create_catalog_import;
mod m20261122_000008_bound_search;
mod m20261122_000009_create_checkout;
mod m20261122_000010_create_cart;
mod m20261122_000011_create_shows;
mod m20261123_000012_galas_and_drop_stock;
mod m20261123_000013_search_facets_in_tsvector;
mod m20261123_000014_lean_checkout_indexes;
mod m20261123_000015_category_words_in_search;
mod m20261124_000016_partial_order_indexes;
mod m20261206_000017_create_sale_gate;
mod m20261206_000018_order_adjustments_pools_and_refunds;
mod m20261206_000019_provider_claims_and_import_owner;
mod m20261206_000020_idempotency_key_first;
mod m20261207_000021_one_capture_round_at_a_time;
mod m20261207_000022_create_promotions;
mod m20261207_000023_create_red_envelopes;
mod m20261207_000024_claim_moments;
mod m20261207_000025_partial_ticket_indexes;
mod m20261208_000026_create_presale;
mod m20261208_000027_presale_deposits;

/// Runs Gala's migrations in order; used by `gala migrate` and at server start-up.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_platform_setting::Migration),
            Box::new(m20261122_000002_create_identity::Migration),
            Box::new(m20261122_000003_create_brands::Migration),
            Box::new(m20261122_000004_create_brand_teams::Migration),
            Box::new(m20261122_000005_create_media::Migration),
            Box::new(m20261122_000006_create_catalog::Migration),
            Box::new(m20261122_000007_create_catalog_import::Migration),
            Box::new(m20261122_000008_bound_search::Migration),
            Box::new(m20261122_000009_create_checkout::Migration),
            Box::new(m20261122_000010_create_cart::Migration),
            Box::new(m20261122_000011_create_shows::Migration),
            Box::new(m20261123_000012_galas_and_drop_stock::Migration),
            Box::new(m20261123_000013_search_facets_in_tsvector::Migration),
            Box::new(m20261123_000014_lean_checkout_indexes::Migration),
            Box::new(m20261123_000015_category_words_in_search::Migration),
            Box::new(m20261124_000016_partial_order_indexes::Migration),
            Box::new(m20261206_000017_create_sale_gate::Migration),
            Box::new(m20261206_000018_order_adjustments_pools_and_refunds::Migration),
            Box::new(m20261206_000019_provider_claims_and_import_owner::Migration),
            Box::new(m20261206_000020_idempotency_key_first::Migration),
            Box::new(m20261207_000021_one_capture_round_at_a_time::Migration),
            Box::new(m20261207_000022_create_promotions::Migration),
            Box::new(m20261207_000023_create_red_envelopes::Migration),
            Box::new(m20261207_000024_claim_moments::Migration),
            Box::new(m20261207_000025_partial_ticket_indexes::Migration),
            Box::new(m20261208_000026_create_presale::Migration),
            Box::new(m20261208_000027_presale_deposits::Migration),
        ]
    }
}
