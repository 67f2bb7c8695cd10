//! `/api/v1/orders`: placing an order through the checkout engine and reading it back.
//!
//! Callers: a signed-in shopper (session cookie), a guest (an email in the body), or a brand's
//! own system with its bearer token (it may sell only that brand's SKUs — a till, an app).

use app::{
    brands::BrandScope,
    checkout::{
        orders,
        request::{self, Caller},
        IdempotencyKey, OrderChannel, OrderStatus, OrderView, PlaceOrderInput,
        MAX_IDEMPOTENCY_KEY_LEN,
    },
    core::{state::AppState, AppError},
};
use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{viewer::Viewer, ApiJson};

/// The order routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(place_order, my_orders))
        .routes(routes!(get_order))
}

/// The caller as the engine sees it: an account, a brand's system, or a guest.
async fn caller(state: &AppState, viewer: &Viewer) -> Result<Caller, AppError> {
    let mut caller = Caller::shopper(viewer.user.as_ref())?;
    if let Some(token) = &viewer.bearer {
        caller.brand = Some(
            BrandScope::from_any_api_token(&state.db, token, true)
                .await?
                .0
                .brand_id(),
        );
    }
    Ok(caller)
}

/// The `Idempotency-Key` header, if sent: 1–255 visible ASCII characters.
fn idempotency_key(
    headers: &HeaderMap,
    caller: &Caller,
) -> Result<Option<IdempotencyKey>, AppError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| {
            !k.is_empty()
                && k.len() <= MAX_IDEMPOTENCY_KEY_LEN
                && k.chars().all(|c| c.is_ascii_graphic())
        })
        .ok_or_else(|| AppError::BadRequest {
            message: format!(
                "The Idempotency-Key header must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} visible ASCII characters."
            ),
        })?;
    Ok(Some(IdempotencyKey {
        scope: caller.idempotency_scope(),
        key: key.to_owned(),
    }))
}

/// 201 with the order (202 while an asynchronous payment is pending), and where to read it.
fn created(order: OrderView) -> Response {
    let status = if order.status == OrderStatus::PendingPayment {
        StatusCode::ACCEPTED
    } else {
        StatusCode::CREATED
    };
    let location = format!("/api/v1/orders/{}", order.id);
    (status, [(header::LOCATION, location)], Json(order)).into_response()
}

#[utoipa::path(post, path = "/api/v1/orders", tag = "orders",
    request_body = PlaceOrderInput,
    params(("Idempotency-Key" = Option<String>, Header,
        description = "Any unique string (a UUID): a retry with the same key and body gets the first answer instead of a second order; the same key with another body is refused (422 `idempotency_key_reused`). Keys are kept 48 hours.")),
    security((), ("session" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "Paid and confirmed.", body = OrderView),
        (status = 202, description = "Stock reserved; the payment awaits an asynchronous confirmation (the order expires unpaid after the reservation time).", body = OrderView),
        (status = 402, description = "`payment_declined`: the card was declined; nothing was bought.", body = app::core::error::ErrorBody),
        (status = 409, description = "`sold_out`, `limit_reached` (the per-buyer limit), or `conflict` (fewer units left than asked).", body = app::core::error::ErrorBody),
        (status = 422, description = "`validation` with field errors, or `idempotency_key_reused`.", body = app::core::error::ErrorBody),
        (status = 429, description = "`rate_limited`: checkout is at capacity; retry after the `Retry-After` seconds.", body = app::core::error::ErrorBody),
    ))]
/// Places an order through the checkout engine. Prices come from the catalog, never from the
/// request. Test cards of the sandbox provider: 4242 4242 4242 4242 succeeds, 4000 0000 0000
/// 0002 is declined, 4000 0000 0000 9995 has insufficient funds, 4000 0000 0000 3220 stays
/// pending.
async fn place_order(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    ApiJson(input): ApiJson<PlaceOrderInput>,
) -> Result<Response, AppError> {
    let caller = caller(&state, &viewer).await?;
    let key = idempotency_key(&headers, &caller)?;
    let channel = OrderChannel::Api;
    let order = request::prepare(
        &state.db,
        state.checkout.provider().as_ref(),
        &caller,
        channel,
        &input,
    )
    .await?;
    Ok(created(state.checkout.place(order, key).await?))
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders",
    params(("id" = String, Path, description = "The order's id.")),
    security((), ("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The order. A signed-in buyer's orders are theirs alone; a guest order is read with its id; a brand's token sees only its own part of an order.", body = OrderView)))]
/// One order.
async fn get_order(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<OrderView>, AppError> {
    let caller = caller(&state, &viewer).await?;
    Ok(Json(orders::for_caller(&state.db, &id, &caller).await?))
}

#[utoipa::path(get, path = "/api/v1/orders", tag = "orders",
    security(("session" = [])),
    responses((status = 200, description = "The signed-in buyer's 50 most recent orders, newest first.", body = Vec<OrderView>)))]
/// The signed-in buyer's orders.
async fn my_orders(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Vec<OrderView>>, AppError> {
    let user = viewer.user.ok_or(AppError::Unauthorized)?;
    let id = Uuid::parse_str(&user.id).map_err(AppError::internal)?;
    Ok(Json(orders::for_account(&state.db, id, 50).await?))
}
