//! Server functions behind the brand's order pages. Reading and shipping need staff;
//! cancelling and refunding (money going back) need a manager.

use leptos::prelude::*;

use super::{BrandOrderDetail, BrandOrderFilter, BrandOrderPage, FulfilInput, RefundInput};
use crate::core::AppError;

#[cfg(feature = "ssr")]
use crate::{auth::BrandRole, brands::scoped_request};

/// A page of brand `slug`'s orders.
#[server(prefix = "/api/fn", endpoint = "fulfilment/orders")]
pub async fn list_brand_orders(
    slug: String,
    filter: BrandOrderFilter,
) -> Result<BrandOrderPage, AppError> {
    let (request, scope) = scoped_request(&slug, BrandRole::Staff).await?;
    super::service::list(&request.state.db, &scope, &filter).await
}

/// One of brand `slug`'s orders.
#[server(prefix = "/api/fn", endpoint = "fulfilment/order")]
pub async fn get_brand_order(slug: String, id: String) -> Result<BrandOrderDetail, AppError> {
    let (request, scope) = scoped_request(&slug, BrandRole::Staff).await?;
    super::service::detail(&request.state.db, &scope, &id).await
}

/// Marks one of brand `slug`'s orders shipped.
#[server(prefix = "/api/fn", endpoint = "fulfilment/ship")]
pub async fn ship_brand_order(
    slug: String,
    id: String,
    input: FulfilInput,
) -> Result<BrandOrderDetail, AppError> {
    let (request, scope) = scoped_request(&slug, BrandRole::Staff).await?;
    super::service::fulfil(&request.state, &request.client, &scope, &id, &input).await
}

/// Cancels one of brand `slug`'s orders before it ships.
#[server(prefix = "/api/fn", endpoint = "fulfilment/cancel")]
pub async fn cancel_brand_order(slug: String, id: String) -> Result<BrandOrderDetail, AppError> {
    let (request, scope) = scoped_request(&slug, BrandRole::Manager).await?;
    super::service::cancel(&request.state, &request.client, &scope, &id).await
}

/// Refunds units of one of brand `slug`'s orders.
#[server(prefix = "/api/fn", endpoint = "fulfilment/refund")]
pub async fn refund_brand_order(
    slug: String,
    id: String,
    input: RefundInput,
) -> Result<BrandOrderDetail, AppError> {
    let (request, scope) = scoped_request(&slug, BrandRole::Manager).await?;
    super::service::refund(&request.state, &request.client, &scope, &id, &input).await
}
