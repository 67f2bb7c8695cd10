//! Server functions behind the cart pages and the header's cart badge.

use leptos::prelude::*;

use super::CartView;
use crate::core::AppError;

/// This request's state, caller and the caller's cart (made when `create` and missing).
#[cfg(feature = "ssr")]
pub async fn request_cart(
    create: bool,
) -> Result<
    (
        crate::state::AppState,
        crate::auth::Caller,
        Option<uuid::Uuid>,
    ),
    AppError,
> {
    let (state, caller) = crate::state::request().await?;
    let cart =
        super::service::shoppers_cart(&state.db, caller.session(), caller.account_id(), create)
            .await?;
    Ok((state, caller, cart))
}

/// The shopper's cart with live prices and availability.
#[server(prefix = "/api/fn", endpoint = "cart")]
pub async fn get_cart() -> Result<CartView, AppError> {
    let (state, _, cart) = request_cart(false).await?;
    super::service::view(&state.db, cart).await
}

/// Units in the shopper's cart.
#[server(prefix = "/api/fn", endpoint = "cart/size")]
pub async fn cart_size() -> Result<i64, AppError> {
    let (state, _, cart) = request_cart(false).await?;
    super::service::item_count(&state.db, cart).await
}

/// Adds units of a SKU to the cart; returns the cart's new size. Posted by a listing's plain
/// form (no wasm yet), it answers with a redirect to the cart.
#[server(prefix = "/api/fn", endpoint = "cart/add")]
pub async fn add_to_cart(sku: String, quantity: i64) -> Result<i64, AppError> {
    let (state, _, cart) = request_cart(true).await?;
    let cart = cart.ok_or(AppError::Internal)?;
    super::service::add(&state.db, cart, &sku, quantity).await?;
    if crate::core::links::is_plain_form_post() {
        leptos_axum::redirect("/cart");
    }
    super::service::item_count(&state.db, Some(cart)).await
}

/// Sets the units of a SKU in the cart (`0` removes it); returns the cart as it is now.
#[server(prefix = "/api/fn", endpoint = "cart/line")]
pub async fn update_cart_line(sku: String, quantity: i64) -> Result<CartView, AppError> {
    let (state, _, cart) = request_cart(false).await?;
    let cart = cart.ok_or(AppError::NotFound)?;
    super::service::set_quantity(&state.db, cart, &sku, quantity).await?;
    super::service::view(&state.db, Some(cart)).await
}
