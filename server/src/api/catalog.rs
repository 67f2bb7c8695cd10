//! `/api/v1` for the catalog: a brand's listings and stock (bearer token or signed-in member,
//! through `BrandScope`), and the storefront's public reads.

use app::{
    auth::BrandRole,
    catalog::{
        listings, search, stock, ListingDetail, ListingInput, ListingPage, ListingStatus,
        SearchQuery, StockChange, StockLevelInfo, StockLocationInfo, StockMovementInfo,
    },
    core::{state::AppState, AppError},
};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post, put},
    Json, Router,
};
use serde::Deserialize;

use super::{brands::brand_scope, viewer::Viewer, ApiJson, ApiQuery};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/brands/{slug}/listings",
            get(list_listings).post(create_listing),
        )
        .route(
            "/api/v1/brands/{slug}/listings/{id}",
            get(get_listing).put(update_listing),
        )
        .route(
            "/api/v1/brands/{slug}/listings/{id}/status",
            post(set_listing_status),
        )
        .route(
            "/api/v1/brands/{slug}/listings/{id}/stock",
            get(listing_stock),
        )
        .route(
            "/api/v1/brands/{slug}/locations",
            get(list_locations).post(create_location),
        )
        .route("/api/v1/brands/{slug}/stock", put(set_stock))
        .route("/api/v1/brands/{slug}/stock/changes", post(change_stock))
        .route(
            "/api/v1/brands/{slug}/skus/{code}/movements",
            get(sku_movements),
        )
        .route("/api/v1/listings", get(search_listings))
        .route("/api/v1/listings/{id}", get(public_listing))
}

#[derive(Deserialize)]
struct ListParams {
    status: Option<ListingStatus>,
    after: Option<String>,
}

async fn list_listings(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<ListingPage>, AppError> {
    let scope = brand_scope(&state, &viewer, &slug, BrandRole::Staff, false).await?;
    Ok(Json(
        listings::list(&state.db, &scope, params.status, params.after.as_deref()).await?,
    ))
}

async fn create_listing(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<ListingInput>,
) -> Result<(StatusCode, Json<ListingDetail>), AppError> {
    let scope = brand_scope(&state, &viewer, &slug, BrandRole::Manager, true).await?;
    let listing = listings::create(&state, &viewer.client, &scope, &input).await?;
    Ok((StatusCode::CREATED, Json(listing)))
}

async fn get_listing(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<ListingDetail>, AppError> {
    let scope = brand_scope(&state, &viewer, &slug, BrandRole::Staff, false).await?;
    Ok(Json(listings::get(&state.db, &scope, &id).await?))
}

async fn update_listing(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<ListingInput>,
) -> Result<Json<ListingDetail>, AppError> {
    let scope = brand_scope(&state, &viewer, &slug, BrandRole::Manager, true).await?;
    Ok(Json(
        listings::update(&state, &viewer.client, &scope, &id, &input).await?,
    ))
}

#[derive(Deserialize)]
struct StatusBody {
    status: ListingStatus,
}

async fn set_listing_status(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<Json<ListingDetail>, AppError> {
    let scope = brand_scope(&state, &viewer, &slug, BrandRole::Manager, true).await?;
    Ok(Json(
        listings::set_status(&state, &viewer.client, &scope, &id, body.status).await?,
    ))
}

async fn listing_stock(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<Vec<StockLevelInfo>>, AppError> {
    let scope = brand_scope(&state, &viewer, &slug, BrandRole::Staff, false).await?;
    Ok(Json(stock::listing_levels(&state.db, &scope, &id).await?))
}

async fn list_locations(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<Json<Vec<StockLocationInfo>>, AppError> {
    let scope = brand_scope(&state, &viewer, &slug, BrandRole::Staff, false).await?;
    Ok(Json(stock::locations(&state.db, &scope).await?))
}

#[derive(Deserialize)]
struct LocationBody {
    name: String,
}

async fn create_location(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<LocationBody>,
) -> Result<(StatusCode, Json<StockLocationInfo>), AppError> {
    let scope = brand_scope(&state, &viewer, &slug, BrandRole::Manager, true).await?;
    let location = stock::create_location(&state, &viewer.client, &scope, &body.name).await?;
    Ok((StatusCode::CREATED, Json(location)))
}

#[derive(Deserialize)]
struct SetStockBody {
    sku_code: String,
    location_id: String,
    on_hand: i64,
    #[serde(default)]
    reason: String,
}

/// `PUT /api/v1/brands/{slug}/stock`: sets a SKU's on-hand count at a location (what a
/// warehouse system sends after a count).
async fn set_stock(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<SetStockBody>,
) -> Result<Json<Vec<StockLevelInfo>>, AppError> {
    let scope = brand_scope(&state, &viewer, &slug, BrandRole::Staff, true).await?;
    Ok(Json(
        stock::set_on_hand(
            &state,
            &viewer.client,
            &scope,
            &body.sku_code,
            &body.location_id,
            body.on_hand,
            &body.reason,
        )
        .await?,
    ))
}

async fn change_stock(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    ApiJson(change): ApiJson<StockChange>,
) -> Result<Json<Vec<StockLevelInfo>>, AppError> {
    let scope = brand_scope(&state, &viewer, &slug, BrandRole::Staff, true).await?;
    Ok(Json(
        stock::change(&state, &viewer.client, &scope, &change).await?,
    ))
}

async fn sku_movements(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, code)): Path<(String, String)>,
) -> Result<Json<Vec<StockMovementInfo>>, AppError> {
    let scope = brand_scope(&state, &viewer, &slug, BrandRole::Staff, false).await?;
    Ok(Json(stock::movements(&state.db, &scope, &code, 500).await?))
}

async fn search_listings(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Json<ListingPage>, AppError> {
    Ok(Json(search::search(&state.db, &query).await?))
}

async fn public_listing(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ListingDetail>, AppError> {
    Ok(Json(search::public_listing(&state.db, &id).await?))
}
