//! `/api/v1` for the catalog: a brand's listings and stock (bearer token or signed-in member,
//! through `BrandScope`), and the storefront's public reads.

use app::state::AppState;
use app::{
    auth::{BrandRole, Caller},
    brands::{BrandScope, Need},
    catalog::{
        images, import, listings, search, stock, ImportJob, ImportProblem, ListingDetail,
        ListingInput, ListingPage, ListingStatus, SearchQuery, StockChange, StockLevelInfo,
        StockLocationInfo, StockMovementInfo,
    },
    core::AppError,
};
use axum::{
    extract::{multipart::MultipartRejection, Multipart, Path, State},
    http::StatusCode,
    Json,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{ApiJson, ApiQuery};
use crate::http::uploads::read_file_field;

/// The catalog routes: brands' listings, stock and imports, and the storefront's reads.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_listings, create_listing))
        .routes(routes!(get_listing, update_listing))
        .routes(routes!(set_listing_status))
        .routes(routes!(listing_stock))
        .routes(routes!(list_locations, create_location))
        .routes(routes!(set_stock))
        .routes(routes!(change_stock))
        .routes(routes!(sku_movements))
        .routes(routes!(add_listing_image))
        .routes(routes!(remove_listing_image))
        .routes(routes!(start_import))
        .routes(routes!(import_job))
        .routes(routes!(import_errors))
        .routes(routes!(export_catalog))
        .routes(routes!(search_listings))
        .routes(routes!(public_listing))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Only listings in this state.
    status: Option<ListingStatus>,
    /// `next_cursor` of the previous page.
    after: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}/listings", tag = "catalog",
    params(("slug" = String, Path, description = "The brand's slug."), ListParams), security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The brand's listings, most recently changed first.", body = ListingPage)))]
async fn list_listings(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<ListingPage>, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::read(BrandRole::Staff))
        .await?
        .0;
    Ok(Json(
        listings::list(&state.db, &scope, params.status, params.after.as_deref()).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/brands/{slug}/listings", tag = "catalog", params(("slug" = String, Path, description = "The brand's slug.")),
    request_body = ListingInput, security(("session" = []), ("bearer" = [])),
    responses((status = 201, description = "The new listing, as a draft.", body = ListingDetail)))]
async fn create_listing(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<ListingInput>,
) -> Result<(StatusCode, Json<ListingDetail>), AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::write(BrandRole::Manager))
        .await?
        .0;
    let listing = listings::create(&state, caller.client(), &scope, &input).await?;
    Ok((StatusCode::CREATED, Json(listing)))
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}/listings/{id}", tag = "catalog", params(("slug" = String, Path, description = "The brand's slug."), ("id" = String, Path, description = "The listing's id.")), security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The listing with its variants, stock and photos.", body = ListingDetail)))]
async fn get_listing(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<ListingDetail>, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::read(BrandRole::Staff))
        .await?
        .0;
    Ok(Json(listings::get(&state.db, &scope, &id).await?))
}

#[utoipa::path(put, path = "/api/v1/brands/{slug}/listings/{id}", tag = "catalog", params(("slug" = String, Path, description = "The brand's slug."), ("id" = String, Path, description = "The listing's id.")),
    request_body = ListingInput, security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The listing after the full update (variants matched by code).", body = ListingDetail)))]
async fn update_listing(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<ListingInput>,
) -> Result<Json<ListingDetail>, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::write(BrandRole::Manager))
        .await?
        .0;
    Ok(Json(
        listings::update(&state, caller.client(), &scope, &id, &input).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
struct StatusBody {
    status: ListingStatus,
}

#[utoipa::path(post, path = "/api/v1/brands/{slug}/listings/{id}/status", tag = "catalog", params(("slug" = String, Path, description = "The brand's slug."), ("id" = String, Path, description = "The listing's id.")),
    request_body = StatusBody, security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The listing in its new state (publishing needs a live brand).", body = ListingDetail)))]
async fn set_listing_status(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<Json<ListingDetail>, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::write(BrandRole::Manager))
        .await?
        .0;
    Ok(Json(
        listings::set_status(&state, caller.client(), &scope, &id, body.status).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}/listings/{id}/stock", tag = "stock", params(("slug" = String, Path, description = "The brand's slug."), ("id" = String, Path, description = "The listing's id.")), security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "Stock of every variant at every location.", body = Vec<StockLevelInfo>)))]
async fn listing_stock(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<Vec<StockLevelInfo>>, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::read(BrandRole::Staff))
        .await?
        .0;
    Ok(Json(listings::levels(&state.db, &scope, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}/locations", tag = "stock", params(("slug" = String, Path, description = "The brand's slug.")), security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The brand's stock locations.", body = Vec<StockLocationInfo>)))]
async fn list_locations(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Vec<StockLocationInfo>>, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::read(BrandRole::Staff))
        .await?
        .0;
    Ok(Json(stock::locations::locations(&state.db, &scope).await?))
}

#[derive(Deserialize, ToSchema)]
struct LocationBody {
    name: String,
}

#[utoipa::path(post, path = "/api/v1/brands/{slug}/locations", tag = "stock", params(("slug" = String, Path, description = "The brand's slug.")),
    request_body = LocationBody, security(("session" = []), ("bearer" = [])),
    responses((status = 201, description = "The new location.", body = StockLocationInfo)))]
async fn create_location(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<LocationBody>,
) -> Result<(StatusCode, Json<StockLocationInfo>), AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::write(BrandRole::Manager))
        .await?
        .0;
    let location =
        stock::locations::create_location(&state, caller.client(), &scope, &body.name).await?;
    Ok((StatusCode::CREATED, Json(location)))
}

#[derive(Deserialize, ToSchema)]
struct SetStockBody {
    sku_code: String,
    location_id: String,
    on_hand: i64,
    #[serde(default)]
    reason: String,
}

#[utoipa::path(put, path = "/api/v1/brands/{slug}/stock", tag = "stock", params(("slug" = String, Path, description = "The brand's slug.")),
    request_body = SetStockBody, security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The SKU's stock after the count (the difference is an `adjust` in the ledger).", body = Vec<StockLevelInfo>)))]
/// `PUT /api/v1/brands/{slug}/stock`: sets a SKU's on-hand count at a location (what a
/// warehouse system sends after a count).
async fn set_stock(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<SetStockBody>,
) -> Result<Json<Vec<StockLevelInfo>>, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::write(BrandRole::Staff))
        .await?
        .0;
    Ok(Json(
        stock::changes::set_on_hand(
            &state,
            caller.client(),
            &scope,
            &body.sku_code,
            &body.location_id,
            body.on_hand,
            &body.reason,
        )
        .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/brands/{slug}/stock/changes", tag = "stock", params(("slug" = String, Path, description = "The brand's slug.")),
    request_body = StockChange, security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The SKU's stock after the change.", body = Vec<StockLevelInfo>)))]
async fn change_stock(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiJson(change): ApiJson<StockChange>,
) -> Result<Json<Vec<StockLevelInfo>>, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::write(BrandRole::Staff))
        .await?
        .0;
    Ok(Json(
        stock::changes::change(&state, caller.client(), &scope, &change).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}/skus/{code}/movements", tag = "stock",
    params(("slug" = String, Path, description = "The brand's slug."), ("code" = String, Path, description = "The SKU code.")), security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The SKU's ledger, newest first (at most 500 rows).", body = Vec<StockMovementInfo>)))]
async fn sku_movements(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, code)): Path<(String, String)>,
) -> Result<Json<Vec<StockMovementInfo>>, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::read(BrandRole::Staff))
        .await?
        .0;
    Ok(Json(
        stock::changes::movements(&state.db, &scope, &code, 500).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/listings", tag = "storefront", params(SearchQuery),
    responses((status = 200, description = "Published listings of live brands matching the search.", body = ListingPage)))]
async fn search_listings(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Json<ListingPage>, AppError> {
    Ok(Json(search::search(&state.db, &query).await?))
}

#[utoipa::path(get, path = "/api/v1/listings/{id}", tag = "storefront", params(("id" = String, Path, description = "The listing's id.")),
    responses((status = 200, description = "A published listing of a live brand.", body = ListingDetail)))]
async fn public_listing(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ListingDetail>, AppError> {
    Ok(Json(search::public_listing(&state.db, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/brands/{slug}/listings/{id}/images", tag = "catalog", params(("slug" = String, Path, description = "The brand's slug."), ("id" = String, Path, description = "The listing's id.")),
    request_body(content = crate::api::openapi::ImageUpload, content_type = "multipart/form-data"), security(("session" = []), ("bearer" = [])),
    responses((status = 201, description = "The listing with the new photo last (the first photo is the cover).", body = ListingDetail)))]
/// `POST /api/v1/brands/{slug}/listings/{id}/images`, multipart with the photo in `image`.
async fn add_listing_image(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<ListingDetail>), AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::write(BrandRole::Manager))
        .await?
        .0;
    let refuse = |problem: app::media::ImageProblem| problem.into_error(images::IMAGE_FIELD);
    if !images::has_room(&state.db, &scope, &id).await? {
        return Err(refuse(app::media::ImageProblem::NoRoom));
    }
    let upload = read_file_field(multipart, images::IMAGE_FIELD)
        .await?
        .ok_or_else(|| refuse(app::media::ImageProblem::Missing))?;
    let photo = images::prepare(upload.bytes).await.map_err(refuse)?;
    let listing = images::add(&state, caller.client(), &scope, &id, photo).await?;
    Ok((StatusCode::CREATED, Json(listing)))
}

#[utoipa::path(delete, path = "/api/v1/brands/{slug}/listings/{id}/images/{image_id}", tag = "catalog",
    params(("slug" = String, Path, description = "The brand's slug."), ("id" = String, Path, description = "The listing's id."), ("image_id" = String, Path, description = "The photo's id.")), security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The listing without the photo.", body = ListingDetail)))]
async fn remove_listing_image(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id, image_id)): Path<(String, String, String)>,
) -> Result<Json<ListingDetail>, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::write(BrandRole::Manager))
        .await?
        .0;
    Ok(Json(
        images::remove(&state, caller.client(), &scope, &id, &image_id).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/brands/{slug}/imports", tag = "catalog", params(("slug" = String, Path, description = "The brand's slug.")),
    request_body(content = crate::api::openapi::ImportUpload, content_type = "multipart/form-data"), security(("session" = []), ("bearer" = [])),
    responses((status = 202, description = "The checked file, queued as a background job.", body = ImportJob)))]
/// `POST /api/v1/brands/{slug}/imports`, multipart with the CSV in `file`: `202` with the job.
async fn start_import(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<ImportJob>), AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::write(BrandRole::Manager))
        .await?
        .0;
    let upload = read_file_field(multipart, import::FILE_FIELD)
        .await?
        .ok_or_else(|| ImportProblem::MissingFile.into_error())?;
    let checked = import::check(upload.bytes).map_err(ImportProblem::into_error)?;
    let job = import::start(&state, caller.client(), &scope, &upload.file_name, checked).await?;
    Ok((StatusCode::ACCEPTED, Json(job)))
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}/imports/{id}", tag = "catalog",
    params(("slug" = String, Path, description = "The brand's slug."), ("id" = String, Path, description = "The import's id.")), security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The import's progress and outcome.", body = ImportJob)))]
async fn import_job(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<ImportJob>, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::read(BrandRole::Manager))
        .await?
        .0;
    Ok(Json(import::job(&state.db, &scope, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}/imports/{id}/errors.csv", tag = "catalog",
    params(("slug" = String, Path, description = "The brand's slug."), ("id" = String, Path, description = "The import's id.")), security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The refused rows as CSV, each with its reason.", content_type = "text/csv", body = String)))]
async fn import_errors(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Result<impl axum::response::IntoResponse, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::read(BrandRole::Manager))
        .await?
        .0;
    let report = import::error_report(&state.db, &scope, &id).await?;
    Ok(super::csv_download("refused-rows.csv", report))
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}/listings/export.csv", tag = "catalog", params(("slug" = String, Path, description = "The brand's slug.")), security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The brand's catalog in the import format.", content_type = "text/csv", body = String)))]
async fn export_catalog(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<impl axum::response::IntoResponse, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::read(BrandRole::Staff))
        .await?
        .0;
    // Streamed a chunk of listings at a time: a catalog of any size is never held whole.
    let export = import::Export::start(&state.db, &scope).await?;
    let db = state.db.clone();
    let chunks = futures_util::stream::unfold(Some(export), move |export| {
        let db = db.clone();
        async move {
            let mut export = export?;
            match export.next_chunk(&db).await {
                Ok(Some(bytes)) => Some((Ok(bytes), Some(export))),
                Ok(None) => None,
                Err(err) => {
                    // The status is sent already: cut the body short so the client sees an
                    // incomplete download rather than a truncated file that looks whole.
                    tracing::error!(error = %err, "catalog export failed mid-way");
                    Some((Err(std::io::Error::other("catalog export failed")), None))
                }
            }
        }
    });
    Ok(super::csv_download(
        &format!("{}-catalog.csv", scope.slug()),
        axum::body::Body::from_stream(chunks),
    ))
}
