//! Server functions behind the catalog pages: the brand's listings and stock (through its
//! `BrandScope`) and the storefront's public reads.

use leptos::prelude::*;

use super::{
    ImportJob, ListingDetail, ListingInput, ListingPage, ListingStatus, SearchQuery, StockChange,
    StockLevelInfo, StockLocationInfo, StockMovementInfo,
};
#[cfg(feature = "ssr")]
use crate::auth::BrandRole;
#[cfg(feature = "ssr")]
use crate::brands::{scoped_request, Need};
use crate::core::AppError;

/// The brand's listings (staff and up), optionally of one status.
#[server(prefix = "/api/fn", endpoint = "catalog/listings")]
pub async fn brand_listings(
    slug: String,
    status: Option<ListingStatus>,
    after: Option<String>,
) -> Result<ListingPage, AppError> {
    let (state, _, scope) = scoped_request(&slug, Need::read(BrandRole::Staff)).await?;
    super::listings::list(&state.db, &scope, status, after.as_deref()).await
}

/// One of the brand's listings (staff and up).
#[server(prefix = "/api/fn", endpoint = "catalog/listing")]
pub async fn brand_listing(slug: String, id: String) -> Result<ListingDetail, AppError> {
    let (state, _, scope) = scoped_request(&slug, Need::read(BrandRole::Staff)).await?;
    super::listings::get(&state.db, &scope, &id).await
}

/// Creates a draft listing (managers and owners).
#[server(prefix = "/api/fn", endpoint = "catalog/create-listing")]
pub async fn create_listing(slug: String, input: ListingInput) -> Result<ListingDetail, AppError> {
    let (state, caller, scope) = scoped_request(&slug, Need::write(BrandRole::Manager)).await?;
    super::listings::create(&state, caller.client(), &scope, &input).await
}

/// Replaces a listing's content and variants (managers and owners).
#[server(prefix = "/api/fn", endpoint = "catalog/update-listing")]
pub async fn update_listing(
    slug: String,
    id: String,
    input: ListingInput,
) -> Result<ListingDetail, AppError> {
    let (state, caller, scope) = scoped_request(&slug, Need::write(BrandRole::Manager)).await?;
    super::listings::update(&state, caller.client(), &scope, &id, &input).await
}

/// Publishes, unpublishes or archives a listing (managers and owners).
#[server(prefix = "/api/fn", endpoint = "catalog/listing-status")]
pub async fn set_listing_status(
    slug: String,
    id: String,
    status: ListingStatus,
) -> Result<ListingDetail, AppError> {
    let (state, caller, scope) = scoped_request(&slug, Need::write(BrandRole::Manager)).await?;
    super::listings::set_status(&state, caller.client(), &scope, &id, status).await
}

/// Removes a photo of a listing (managers and owners).
#[server(prefix = "/api/fn", endpoint = "catalog/remove-image")]
pub async fn remove_listing_image(
    slug: String,
    id: String,
    image_id: String,
) -> Result<ListingDetail, AppError> {
    let (state, caller, scope) = scoped_request(&slug, Need::write(BrandRole::Manager)).await?;
    super::images::remove(&state, caller.client(), &scope, &id, &image_id).await
}

/// Makes a photo the listing's cover (managers and owners).
#[server(prefix = "/api/fn", endpoint = "catalog/cover-image")]
pub async fn make_listing_cover(
    slug: String,
    id: String,
    image_id: String,
) -> Result<ListingDetail, AppError> {
    let (state, _, scope) = scoped_request(&slug, Need::write(BrandRole::Manager)).await?;
    super::images::make_cover(&state, &scope, &id, &image_id).await
}

/// The brand's stock locations (staff and up).
#[server(prefix = "/api/fn", endpoint = "catalog/locations")]
pub async fn stock_locations(slug: String) -> Result<Vec<StockLocationInfo>, AppError> {
    let (state, _, scope) = scoped_request(&slug, Need::read(BrandRole::Staff)).await?;
    super::stock::locations::locations(&state.db, &scope).await
}

/// Adds a stock location (managers and owners).
#[server(prefix = "/api/fn", endpoint = "catalog/add-location")]
pub async fn add_stock_location(slug: String, name: String) -> Result<StockLocationInfo, AppError> {
    let (state, caller, scope) = scoped_request(&slug, Need::write(BrandRole::Manager)).await?;
    super::stock::locations::create_location(&state, caller.client(), &scope, &name).await
}

/// Stock levels of a listing's variants (staff and up).
#[server(prefix = "/api/fn", endpoint = "catalog/listing-stock")]
pub async fn listing_stock(slug: String, id: String) -> Result<Vec<StockLevelInfo>, AppError> {
    let (state, _, scope) = scoped_request(&slug, Need::read(BrandRole::Staff)).await?;
    super::listings::levels(&state.db, &scope, &id).await
}

/// Receives, adjusts or transfers stock (staff and up).
#[server(prefix = "/api/fn", endpoint = "catalog/change-stock")]
pub async fn change_stock(
    slug: String,
    change: StockChange,
) -> Result<Vec<StockLevelInfo>, AppError> {
    let (state, caller, scope) = scoped_request(&slug, Need::write(BrandRole::Staff)).await?;
    super::stock::changes::change(&state, caller.client(), &scope, &change).await
}

/// A variant's latest stock movements (staff and up).
#[server(prefix = "/api/fn", endpoint = "catalog/movements")]
pub async fn sku_movements(
    slug: String,
    sku_code: String,
) -> Result<Vec<StockMovementInfo>, AppError> {
    let (state, _, scope) = scoped_request(&slug, Need::read(BrandRole::Staff)).await?;
    super::stock::changes::movements(&state.db, &scope, &sku_code, 50).await
}

/// The brand's latest CSV imports (managers and owners).
#[server(prefix = "/api/fn", endpoint = "catalog/imports")]
pub async fn catalog_imports(slug: String) -> Result<Vec<ImportJob>, AppError> {
    let (state, _, scope) = scoped_request(&slug, Need::read(BrandRole::Manager)).await?;
    super::import::recent(&state.db, &scope).await
}

/// One CSV import, with its progress (managers and owners).
#[server(prefix = "/api/fn", endpoint = "catalog/import")]
pub async fn catalog_import(slug: String, id: String) -> Result<ImportJob, AppError> {
    let (state, _, scope) = scoped_request(&slug, Need::read(BrandRole::Manager)).await?;
    super::import::job(&state.db, &scope, &id).await
}

/// Storefront search.
#[server(prefix = "/api/fn", endpoint = "catalog/search")]
pub async fn search_listings(query: SearchQuery) -> Result<ListingPage, AppError> {
    let state = crate::state::app_state()?;
    super::search::search(&state.db, &query).await
}

/// A listing as shoppers see it.
#[server(prefix = "/api/fn", endpoint = "catalog/public-listing")]
pub async fn storefront_listing(id: String) -> Result<ListingDetail, AppError> {
    let state = crate::state::app_state()?;
    super::search::public_listing(&state.db, &id).await
}
