//! `/api/v1/orders`: placing an order through the checkout engine and reading it back.
//!
//! Callers: a signed-in shopper (session cookie), a guest (an email in the body), or a brand's
//! own system with its bearer token (it may sell only that brand's SKUs — a till, an app).

use app::state::AppState;
use app::{
    auth::Caller,
    catalog::stock::StockPool,
    checkout::{
        cart::service::quote_request, orders, place, request::Buyer, DeliveryOption, OrderChannel,
        OrderLineInput, OrderStatus, OrderView, PlaceOrderInput, Placing, Quote,
    },
    core::AppError,
};
use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{idempotency_key, ApiJson, ApiQuery};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct OrderAccess {
    /// A guest order's secret, from its confirmation link (`access_key` when it was placed).
    key: Option<String>,
}

/// The order routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(place_order, my_orders))
        .routes(routes!(quote_order))
        .routes(routes!(get_order))
}

/// 201 with the order (202 while an asynchronous payment is pending), and where to read it.
pub(super) fn created(order: OrderView) -> Response {
    let status = if order.status == OrderStatus::PendingPayment {
        StatusCode::ACCEPTED
    } else {
        StatusCode::CREATED
    };
    // A guest's order is read with its secret: the location says how.
    let location = match &order.access_key {
        Some(key) => format!("/api/v1/orders/{}?key={key}", order.id),
        None => format!("/api/v1/orders/{}", order.id),
    };
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
    caller: Caller,
    headers: HeaderMap,
    ApiJson(input): ApiJson<PlaceOrderInput>,
) -> Result<Response, AppError> {
    let placing = Placing {
        channel: OrderChannel::Api,
        pool: StockPool::Open,
        key: idempotency_key(&headers)?,
        presale: None,
    };
    Ok(created(place(&state, &caller, placing, &input).await?))
}

/// What to quote: an order's lines and how it ships.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
struct QuoteInput {
    lines: Vec<OrderLineInput>,
    /// `standard` (the default) or `express`.
    #[serde(default)]
    delivery: DeliveryOption,
}

#[utoipa::path(post, path = "/api/v1/orders/quote", tag = "orders",
    request_body = QuoteInput,
    security((), ("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The price quote: per line the unit price, quantity, adjustments and total; per brand its parcel; the order's subtotal, adjustments, shipping and total, in integer minor units. Placing the same lines charges this quote (prices can change in between: the order's own figures are what was charged).", body = Quote),
        (status = 422, description = "`validation`: a line's SKU is unknown or in another currency, a quantity is out of range, or a SKU appears twice.", body = app::core::error::ErrorBody),
    ))]
/// Prices an order without placing it, exactly as the checkout will.
async fn quote_order(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<QuoteInput>,
) -> Result<Json<Quote>, AppError> {
    Ok(Json(
        quote_request(&state.db, &input.lines, input.delivery, None, None).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders",
    params(("id" = String, Path, description = "The order's id."), OrderAccess),
    security((), ("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The order. A signed-in buyer's orders are theirs alone; a guest order is shown with the `key` of its confirmation link or to the session that placed it; a brand's token sees only orders wholly of its own SKUs.", body = OrderView),
        (status = 404, description = "No such order, or not yours to see.")))]
/// One order.
async fn get_order(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(access): ApiQuery<OrderAccess>,
) -> Result<Json<OrderView>, AppError> {
    let buyer = Buyer::of(&state.db, &caller).await?;
    Ok(Json(
        orders::for_buyer(&state.db, &id, &buyer, access.key.as_deref()).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/orders", tag = "orders",
    security(("session" = [])),
    responses((status = 200, description = "The signed-in buyer's 50 most recent orders, newest first.", body = Vec<OrderView>)))]
/// The signed-in buyer's orders.
async fn my_orders(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<OrderView>>, AppError> {
    let id = caller.signed_in()?.id;
    Ok(Json(orders::for_account(&state.db, id, 50).await?))
}
