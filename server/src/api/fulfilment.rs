//! `/api/v1/brands/{slug}/orders`: a brand's orders for its own systems (bearer token) and
//! its team (session) — list, read, ship, cancel and refund, through the same service and
//! `BrandScope` as the dashboard pages.

use app::state::AppState;
use app::{
    auth::{BrandRole, Caller},
    brands::{BrandScope, Need},
    core::AppError,
    fulfilment::{
        service, BrandOrderDetail, BrandOrderFilter, BrandOrderPage, FulfilInput, RefundInput,
    },
};
use axum::{
    extract::{Path, State},
    Json,
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{ApiJson, ApiQuery};

/// The brand order routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_orders))
        .routes(routes!(get_order))
        .routes(routes!(ship_order))
        .routes(routes!(cancel_order))
        .routes(routes!(refund_order))
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}/orders", tag = "fulfilment",
    params(("slug" = String, Path, description = "The brand's slug."), BrandOrderFilter), security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The brand's orders, newest first.", body = BrandOrderPage)))]
async fn list_orders(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiQuery(filter): ApiQuery<BrandOrderFilter>,
) -> Result<Json<BrandOrderPage>, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::read(BrandRole::Staff))
        .await?
        .0;
    Ok(Json(service::list(&state.db, &scope, &filter).await?))
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}/orders/{id}", tag = "fulfilment",
    params(("slug" = String, Path, description = "The brand's slug."), ("id" = String, Path, description = "The brand order's id.")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The brand's part of an order.", body = BrandOrderDetail),
        (status = 404, description = "No such order of this brand.")))]
async fn get_order(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<BrandOrderDetail>, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::read(BrandRole::Staff))
        .await?
        .0;
    Ok(Json(service::detail(&state.db, &scope, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/brands/{slug}/orders/{id}/ship", tag = "fulfilment",
    params(("slug" = String, Path, description = "The brand's slug."), ("id" = String, Path, description = "The brand order's id.")),
    request_body = FulfilInput, security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "Shipped; the buyer was mailed the tracking number.", body = BrandOrderDetail),
        (status = 409, description = "Not a paid order waiting to ship."),
        (status = 422, description = "Carrier or tracking number missing or malformed.")))]
async fn ship_order(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<FulfilInput>,
) -> Result<Json<BrandOrderDetail>, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::write(BrandRole::Staff))
        .await?
        .0;
    Ok(Json(
        service::fulfil(&state, caller.client(), &scope, &id, &input).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/brands/{slug}/orders/{id}/cancel", tag = "fulfilment",
    params(("slug" = String, Path, description = "The brand's slug."), ("id" = String, Path, description = "The brand order's id.")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "Cancelled: stock returned, buyer refunded and mailed.", body = BrandOrderDetail),
        (status = 409, description = "Already shipped, cancelled or refunded.")))]
async fn cancel_order(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<BrandOrderDetail>, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::write(BrandRole::Manager))
        .await?
        .0;
    Ok(Json(
        service::cancel(&state, caller.client(), &scope, &id).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/brands/{slug}/orders/{id}/refunds", tag = "fulfilment",
    params(("slug" = String, Path, description = "The brand's slug."), ("id" = String, Path, description = "The brand order's id.")),
    request_body = RefundInput, security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "Refunded; the buyer was mailed.", body = BrandOrderDetail),
        (status = 409, description = "Nothing left to refund, or not paid."),
        (status = 422, description = "Unknown lines or quantities above what is left.")))]
async fn refund_order(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<RefundInput>,
) -> Result<Json<BrandOrderDetail>, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::write(BrandRole::Manager))
        .await?
        .0;
    Ok(Json(
        service::refund(&state, caller.client(), &scope, &id, &input).await?,
    ))
}
