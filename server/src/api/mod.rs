//! `/api/v1`: the JSON API for apps and brands' own systems. Errors are `AppError`s, answered
//! as `{"error":{"code":…,"message":…}}` with a stable code.

mod auth;
mod brands;
mod catalog;
mod fulfilment;
mod json;
pub mod openapi;
mod orders;
mod presale;
mod promotions;
mod shows;

use app::state::AppState;
use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use json::{csv_download, idempotency_key, ApiJson, ApiQuery};

/// Every `/api/v1` route, and the OpenAPI document describing them at `/api/v1/openapi.json`.
pub fn routes() -> Router<AppState> {
    let (router, mut document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(auth::routes())
        .merge(brands::routes())
        .merge(catalog::routes())
        .merge(orders::routes())
        .merge(fulfilment::routes())
        .merge(shows::routes())
        .merge(promotions::routes())
        .merge(presale::routes())
        .split_for_parts();
    openapi::add_conventions(&mut document);
    router.route("/api/v1/openapi.json", openapi::serve(&document))
}
