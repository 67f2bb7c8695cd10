//! `/api/v1` for the catalog: a brand's listings and stock (bearer token or signed-in member,
//! through `BrandScope`), and the storefront's public reads.

use app::{
    auth::BrandRole,
    catalog::{
        images, import, listings, search, stock, ImportJob, ImportProblem, ListingDetail,
        ListingInput, ListingPage, ListingStatus, SearchQuery, StockChange, StockLevelInfo,
        StockLocationInfo, StockMovementInfo,
    },
    core::{state::AppState, AppError},
};
use axum::{
    extract::{multipart::MultipartRejection, Multipart, Path, State},
    http::StatusCode,
    routing::{delete, get, post, put},
    Json, Router,
};
use serde::Deserialize;

use super::{brands::brand_scope, viewer::Viewer, ApiJson, ApiQuery};
use crate::http::uploads::read_file_field;

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
        .route(
            "/api/v1/brands/{slug}/listings/{id}/images",
            post(add_listing_image),
        )
        .route(
            "/api/v1/brands/{slug}/listings/{id}/images/{image_id}",
            delete(remove_listing_image),
        )
        .route("/api/v1/brands/{slug}/imports", post(start_import))
        .route("/api/v1/brands/{slug}/imports/{id}", get(import_job))
        .route(
            "/api/v1/brands/{slug}/imports/{id}/errors.csv",
            get(import_errors),
        )
        .route(
            "/api/v1/brands/{slug}/listings/export.csv",
            get(export_catalog),
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

/// `POST /api/v1/brands/{slug}/listings/{id}/images`, multipart with the photo in `image`.
async fn add_listing_image(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, id)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<ListingDetail>), AppError> {
    let scope = brand_scope(&state, &viewer, &slug, BrandRole::Manager, true).await?;
    let refuse = |problem: app::media::ImageProblem| problem.into_error(images::IMAGE_FIELD);
    if !images::has_room(&state.db, &scope, &id).await? {
        return Err(refuse(app::media::ImageProblem::NoRoom));
    }
    let upload = read_file_field(multipart, images::IMAGE_FIELD)
        .await?
        .ok_or_else(|| refuse(app::media::ImageProblem::Missing))?;
    let photo = images::prepare(upload.bytes).await.map_err(refuse)?;
    let listing = images::add(&state, &viewer.client, &scope, &id, photo).await?;
    Ok((StatusCode::CREATED, Json(listing)))
}

async fn remove_listing_image(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, id, image_id)): Path<(String, String, String)>,
) -> Result<Json<ListingDetail>, AppError> {
    let scope = brand_scope(&state, &viewer, &slug, BrandRole::Manager, true).await?;
    Ok(Json(
        images::remove(&state, &viewer.client, &scope, &id, &image_id).await?,
    ))
}

/// `POST /api/v1/brands/{slug}/imports`, multipart with the CSV in `file`: `202` with the job.
async fn start_import(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<ImportJob>), AppError> {
    let scope = brand_scope(&state, &viewer, &slug, BrandRole::Manager, true).await?;
    let upload = read_file_field(multipart, import::FILE_FIELD)
        .await?
        .ok_or_else(|| ImportProblem::MissingFile.into_error())?;
    let checked = import::check(upload.bytes).map_err(ImportProblem::into_error)?;
    let job = import::start(&state, &viewer.client, &scope, &upload.file_name, checked).await?;
    Ok((StatusCode::ACCEPTED, Json(job)))
}

async fn import_job(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<ImportJob>, AppError> {
    let scope = brand_scope(&state, &viewer, &slug, BrandRole::Manager, false).await?;
    Ok(Json(import::job(&state.db, &scope, &id).await?))
}

/// A CSV download named `file_name`.
fn csv_download(file_name: &str, body: String) -> impl axum::response::IntoResponse {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body,
    )
}

async fn import_errors(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, id)): Path<(String, String)>,
) -> Result<impl axum::response::IntoResponse, AppError> {
    let scope = brand_scope(&state, &viewer, &slug, BrandRole::Manager, false).await?;
    let report = import::error_report(&state.db, &scope, &id).await?;
    Ok(csv_download("refused-rows.csv", report))
}

async fn export_catalog(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<impl axum::response::IntoResponse, AppError> {
    let scope = brand_scope(&state, &viewer, &slug, BrandRole::Staff, false).await?;
    let body = import::export(&state.db, &scope).await?;
    Ok(csv_download(&format!("{}-catalog.csv", scope.slug()), body))
}
