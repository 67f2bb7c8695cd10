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
    super::service::apply(
        &request.state,
        &request.client,
        request.user().await?,
        &application,
    )
    .await
}

/// The brand dashboard's data (members and admins only).
#[server(prefix = "/api/fn", endpoint = "brands/dashboard")]
pub async fn brand_dashboard(slug: String) -> Result<BrandDetail, AppError> {
    let (request, scope) = scoped_request(&slug, crate::auth::BrandRole::Staff).await?;
    super::service::brand_for_team(&request.state.db, &scope).await
}

/// The admin review queue.
#[server(prefix = "/api/fn", endpoint = "admin/brand-applications")]
pub async fn review_queue(
    status: Option<String>,
    q: Option<String>,
    after: Option<String>,
) -> Result<ApplicationPage, AppError> {
    let request = RequestContext::load().await?;
    let filter = super::service::QueueFilter {
        status,
        q,
        category: None,
        after,
    };
    super::service::review_queue(&request.state, request.user().await?, &filter).await
}

/// An admin's decision on an application.
#[server(prefix = "/api/fn", endpoint = "admin/brand-decision")]
pub async fn decide_brand(
    brand_id: String,
    decision: ReviewDecision,
    reason: Option<String>,
) -> Result<BrandDetail, AppError> {
    let request = RequestContext::load().await?;
    let id = uuid::Uuid::parse_str(&brand_id).map_err(|_| AppError::NotFound)?;
    super::service::decide(
        &request.state,
        &request.client,
        request.user().await?,
        id,
        decision,
        reason.as_deref(),
    )
    .await
}

/// A brand as shoppers see it.
#[server(prefix = "/api/fn", endpoint = "brands/public")]
pub async fn get_public_brand(slug: String) -> Result<PublicBrand, AppError> {
    let state = crate::core::state::app_state()?;
    super::service::public_brand(&state.db, &slug).await
}

/// The team page's data (managers and owners).
#[server(prefix = "/api/fn", endpoint = "brands/team")]
pub async fn brand_team(slug: String) -> Result<super::Team, AppError> {
    let (request, scope) = scoped_request(&slug, crate::auth::BrandRole::Manager).await?;
    super::team::team(&request.state.db, &scope).await
}

/// The request of a server function acting on brand `slug`, with the caller's scope there
/// (at least `min`). Every brand-scoped server function starts here.
#[cfg(feature = "ssr")]
pub async fn scoped_request(
    slug: &str,
    min: crate::auth::BrandRole,
) -> Result<(RequestContext, super::BrandScope), AppError> {
    let request = RequestContext::load().await?;
    let (scope, _) =
        super::BrandScope::resolve(&request.state.db, request.user().await?, slug, min).await?;
    Ok((request, scope))
}

#[cfg(feature = "ssr")]
async fn owner_request(slug: &str) -> Result<(RequestContext, super::BrandScope), AppError> {
    scoped_request(slug, crate::auth::BrandRole::Owner).await
}

#[cfg(feature = "ssr")]
fn parse_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(raw).map_err(|_| AppError::NotFound)
}

/// Invites someone to the team by email.
#[server(prefix = "/api/fn", endpoint = "brands/invite")]
pub async fn invite_member(
    slug: String,
    email: String,
    role: crate::auth::BrandRole,
) -> Result<super::PendingInvite, AppError> {
    let (request, scope) = owner_request(&slug).await?;
    super::team::invite(&request.state, &request.client, &scope, &email, role).await
}

/// Withdraws an invitation.
#[server(prefix = "/api/fn", endpoint = "brands/revoke-invite")]
pub async fn revoke_brand_invite(slug: String, invite_id: String) -> Result<(), AppError> {
    let (request, scope) = owner_request(&slug).await?;
    super::team::revoke_invite(
        &request.state,
        &request.client,
        &scope,
        parse_id(&invite_id)?,
    )
    .await
}

/// Gives a member another role.
#[server(prefix = "/api/fn", endpoint = "brands/change-role")]
pub async fn change_member_role(
    slug: String,
    account_id: String,
    role: crate::auth::BrandRole,
) -> Result<(), AppError> {
    let (request, scope) = owner_request(&slug).await?;
    super::team::change_role(
        &request.state,
        &request.client,
        &scope,
        parse_id(&account_id)?,
        role,
    )
    .await
}

/// Removes a member.
#[server(prefix = "/api/fn", endpoint = "brands/remove-member")]
pub async fn remove_team_member(slug: String, account_id: String) -> Result<(), AppError> {
    let (request, scope) = owner_request(&slug).await?;
    super::team::remove_member(
        &request.state,
        &request.client,
        &scope,
        parse_id(&account_id)?,
    )
    .await
}

/// Accepts a team invitation.
#[server(prefix = "/api/fn", endpoint = "brands/accept-invite")]
pub async fn accept_brand_invite(token: String) -> Result<MyBrand, AppError> {
    let request = RequestContext::load().await?;
    super::team::accept_invite(
        &request.state,
        &request.client,
        request.user().await?,
        &token,
    )
    .await
}

/// The brand's API tokens (owners).
#[server(prefix = "/api/fn", endpoint = "brands/api-tokens")]
pub async fn brand_api_tokens(slug: String) -> Result<Vec<super::ApiTokenInfo>, AppError> {
    let (request, scope) = owner_request(&slug).await?;
    super::api_tokens::list(&request.state.db, &scope).await
}

/// Creates an API token; the answer holds the secret, this once.
#[server(prefix = "/api/fn", endpoint = "brands/create-api-token")]
pub async fn create_brand_api_token(
    slug: String,
    name: String,
    scope: super::TokenScope,
) -> Result<super::CreatedApiToken, AppError> {
    let (request, brand_scope) = owner_request(&slug).await?;
    super::api_tokens::create(&request.state, &request.client, &brand_scope, &name, scope).await
}

/// Revokes an API token.
#[server(prefix = "/api/fn", endpoint = "brands/revoke-api-token")]
pub async fn revoke_brand_api_token(slug: String, token_id: String) -> Result<(), AppError> {
    let (request, scope) = owner_request(&slug).await?;
    super::api_tokens::revoke(
        &request.state,
        &request.client,
        &scope,
        parse_id(&token_id)?,
    )
    .await
}
