//! Server functions behind the storefront's checkout pages. They place orders through the
//! same engine as `POST /api/v1/orders`.

use leptos::prelude::*;

use super::{CheckoutItem, OrderView, PlaceOrderInput};
use crate::core::AppError;

/// One SKU as the checkout page shows it, with a fresh idempotency key for this checkout.
#[server(prefix = "/api/fn", endpoint = "checkout/item")]
pub async fn item_for_checkout(sku: String) -> Result<CheckoutItem, AppError> {
    use sea_orm::EntityTrait;
    let request = crate::auth::request::RequestContext::load().await?;
    let sku_id = uuid::Uuid::parse_str(sku.trim()).map_err(|_| AppError::NotFound)?;
    let row = entity::sku::Entity::find_by_id(sku_id)
        .one(&request.state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let listing =
        crate::catalog::search::public_listing(&request.state.db, &row.listing_id.to_string())
            .await?;
    let variant = listing
        .variants
        .iter()
        .find(|v| v.id == sku_id.to_string())
        .ok_or(AppError::NotFound)?;
    Ok(CheckoutItem {
        sku: variant.id.clone(),
        listing_id: listing.id.clone(),
        title: listing.title.clone(),
        brand_name: listing.brand_name.clone(),
        variant: variant.option_values.join(" / "),
        price_minor: variant.price_minor,
        currency: variant.currency.clone(),
        available: variant.available,
        purchase_limit: variant.purchase_limit,
        image_url: listing.images.first().map(|i| i.thumb_url.clone()),
        email: request.user().await?.map(|u| u.email),
        checkout_key: uuid::Uuid::new_v4().to_string(),
    })
}

/// Places a storefront order; `checkout_key` (from [`item_for_checkout`]) makes a retry safe.
#[server(prefix = "/api/fn", endpoint = "checkout/place")]
pub async fn place_order(
    input: PlaceOrderInput,
    checkout_key: String,
) -> Result<OrderView, AppError> {
    use super::{request, IdempotencyKey, OrderChannel};
    let context = crate::auth::request::RequestContext::load().await?;
    let state = &context.state;
    let caller = request::Caller::shopper(context.user().await?.as_ref())?;
    let key =
        (!checkout_key.trim().is_empty() && checkout_key.len() <= 64).then(|| IdempotencyKey {
            scope: caller.idempotency_scope(),
            key: format!("storefront:{}", checkout_key.trim()),
        });
    let order = request::prepare(
        &state.db,
        state.checkout.provider().as_ref(),
        &caller,
        OrderChannel::Storefront,
        &input,
    )
    .await?;
    state.checkout.place(order, key).await
}

/// An order for its confirmation page (same rules as `GET /api/v1/orders/{id}`).
#[server(prefix = "/api/fn", endpoint = "checkout/order")]
pub async fn order(id: String) -> Result<OrderView, AppError> {
    let context = crate::auth::request::RequestContext::load().await?;
    let caller = super::request::Caller::shopper(context.user().await?.as_ref())?;
    super::orders::for_caller(&context.state.db, &id, &caller).await
}
