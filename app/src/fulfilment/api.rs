//! Server functions behind the brand's order pages. Reading and shipping need staff;
//! cancelling and refunding (money going back) need a manager.

use leptos::prelude::*;

use super::{BrandOrderDetail, BrandOrderFilter, BrandOrderPage, FulfilInput, RefundInput};
use crate::core::AppError;

#[cfg(feature = "ssr")]
use crate::{
    auth::BrandRole,
    brands::{scoped_request, Need},
};

/// A page of brand `slug`'s orders.
#[server(prefix = "/api/fn", endpoint = "fulfilment/orders")]
pub async fn list_brand_orders(
    slug: String,
    filter: BrandOrderFilter,
) -> Result<BrandOrderPage, AppError> {
    let (state, _, scope) = scoped_request(&slug, Need::read(BrandRole::Staff)).await?;
    super::service::list(&state.db, &scope, &filter).await
}

/// One of brand `slug`'s orders.
#[server(prefix = "/api/fn", endpoint = "fulfilment/order")]
pub async fn get_brand_order(slug: String, id: String) -> Result<BrandOrderDetail, AppError> {
    let (state, _, scope) = scoped_request(&slug, Need::read(BrandRole::Staff)).await?;
    super::service::detail(&state.db, &scope, &id).await
}

/// Marks one of brand `slug`'s orders shipped.
#[server(prefix = "/api/fn", endpoint = "fulfilment/ship")]
pub async fn ship_brand_order(
    slug: String,
    id: String,
    input: FulfilInput,
) -> Result<BrandOrderDetail, AppError> {
    let (state, caller, scope) = scoped_request(&slug, Need::write(BrandRole::Staff)).await?;
    super::service::fulfil(&state, caller.client(), &scope, &id, &input).await
}

/// Cancels one of brand `slug`'s orders before it ships.
#[server(prefix = "/api/fn", endpoint = "fulfilment/cancel")]
pub async fn cancel_brand_order(slug: String, id: String) -> Result<BrandOrderDetail, AppError> {
    let (state, caller, scope) = scoped_request(&slug, Need::write(BrandRole::Manager)).await?;
    super::service::cancel(&state, caller.client(), &scope, &id).await
}

/// Refunds units of one of brand `slug`'s orders.
#[server(prefix = "/api/fn", endpoint = "fulfilment/refund")]
pub async fn refund_brand_order(
    slug: String,
    id: String,
    input: RefundInput,
) -> Result<BrandOrderDetail, AppError> {
    let (state, caller, scope) = scoped_request(&slug, Need::write(BrandRole::Manager)).await?;
    super::service::refund(&state, caller.client(), &scope, &id, &input).await
}
