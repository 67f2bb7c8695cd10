//! Server functions behind the brand pages: authorise, call the service, map the error.

use leptos::prelude::*;

use super::{ApplicationPage, BrandApplication, BrandDetail, MyBrand, PublicBrand, ReviewDecision};
#[cfg(feature = "ssr")]
use crate::auth::request::RequestContext;
use crate::core::AppError;



/// The signed-in person's brands and applications.
#[server(prefix = "/api/fn", endpoint = "brands/mine")]
pub async fn my_brands() -> Result<Vec<MyBrand>, AppError> {
    let request = RequestContext::load().await?;
    super::service::my_brands(&request.state, request.user().await?).await
}

/// Applies to open a brand.
#[server(prefix = "/api/fn", endpoint = "brands/apply")]
pub async fn apply_for_brand(application: BrandApplication) -> Result<BrandDetail, AppError> {
    let request = RequestContext::load().await?;
    super::service::apply(&request.state, &request.client, request.user().await?, &application).await
}

/// The brand dashboard's data (members and admins only).
#[server(prefix = "/api/fn", endpoint = "brands/dashboard")]
pub async fn brand_dashboard(slug: String) -> Result<BrandDetail, AppError> {
    let request = RequestContext::load().await?;
    let (scope, _) = super::BrandScope::resolve(&request.state.db, request.user().await?, &slug, crate::auth::BrandRole::Staff).await?;
    super::service::brand_for_team(&request.state.db, &scope).await
}

/// The admin review queue.
#[server(prefix = "/api/fn", endpoint = "admin/brand-applications")]
pub async fn review_queue(status: Option<String>, q: Option<String>, after: Option<String>) -> Result<ApplicationPage, AppError> {
    let request = RequestContext::load().await?;
    let filter = super::service::QueueFilter { status, q, category: None, after };
    super::service::review_queue(&request.state, request.user().await?, &filter).await
}

/// An admin's decision on an application.
#[server(prefix = "/api/fn", endpoint = "admin/brand-decision")]
pub async fn decide_brand(brand_id: String, decision: ReviewDecision, reason: Option<String>) -> Result<BrandDetail, AppError> {
    let request = RequestContext::load().await?;
    let id = uuid::Uuid::parse_str(&brand_id).map_err(|_| AppError::NotFound)?;
    super::service::decide(&request.state, &request.client, request.user().await?, id, decision, reason.as_deref()).await
}

/// A brand as shoppers see it.
#[server(prefix = "/api/fn", endpoint = "brands/public")]
pub async fn get_public_brand(slug: String) -> Result<PublicBrand, AppError> {
    let state = crate::core::state::app_state()?;
    super::service::public_brand(&state.db, &slug).await
}
