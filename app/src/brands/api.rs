//! Server functions behind the brand pages: authorise, call the service, map the error.

use leptos::prelude::*;

use super::{ApplicationPage, BrandApplication, BrandDetail, MyBrand, PublicBrand, ReviewDecision};
#[cfg(feature = "ssr")]
use super::{BrandScope, Need};
#[cfg(feature = "ssr")]
use crate::auth::BrandRole;
use crate::core::AppError;
#[cfg(feature = "ssr")]
use crate::{auth::Caller, state::AppState};

/// The signed-in person's brands and applications.
#[server(prefix = "/api/fn", endpoint = "brands/mine")]
pub async fn my_brands() -> Result<Vec<MyBrand>, AppError> {
    let (state, caller) = crate::state::request().await?;
    super::service::my_brands(&state, &caller).await
}

/// Applies to open a brand.
#[server(prefix = "/api/fn", endpoint = "brands/apply")]
pub async fn apply_for_brand(application: BrandApplication) -> Result<BrandDetail, AppError> {
    let (state, caller) = crate::state::request().await?;
    super::service::apply(&state, &caller, &application).await
}

/// The brand dashboard's data (members and admins only).
#[server(prefix = "/api/fn", endpoint = "brands/dashboard")]
pub async fn brand_dashboard(slug: String) -> Result<BrandDetail, AppError> {
    let (state, _, scope) = scoped_request(&slug, Need::read(BrandRole::Staff)).await?;
    super::service::brand_for_team(&state.db, &scope).await
}

/// The admin review queue.
#[server(prefix = "/api/fn", endpoint = "admin/brand-applications")]
pub async fn review_queue(
    status: Option<String>,
    q: Option<String>,
    after: Option<String>,
) -> Result<ApplicationPage, AppError> {
    let (state, caller) = crate::state::request().await?;
    let filter = super::service::QueueFilter {
        status,
        q,
        category: None,
        after,
    };
    super::service::review_queue(&state, &caller, &filter).await
}

/// An admin's decision on an application.
#[server(prefix = "/api/fn", endpoint = "admin/brand-decision")]
pub async fn decide_brand(
    brand_id: String,
    decision: ReviewDecision,
    reason: Option<String>,
) -> Result<BrandDetail, AppError> {
    let (state, caller) = crate::state::request().await?;
    let id = uuid::Uuid::parse_str(&brand_id).map_err(|_| AppError::NotFound)?;
    super::service::decide(&state, &caller, id, decision, reason.as_deref()).await
}

/// A brand as shoppers see it.
#[server(prefix = "/api/fn", endpoint = "brands/public")]
pub async fn get_public_brand(slug: String) -> Result<PublicBrand, AppError> {
    let state = crate::state::app_state()?;
    super::service::public_brand(&state.db, &slug).await
}

/// The team page's data (managers and owners).
#[server(prefix = "/api/fn", endpoint = "brands/team")]
pub async fn brand_team(slug: String) -> Result<super::Team, AppError> {
    let (state, _, scope) = scoped_request(&slug, Need::people(BrandRole::Manager)).await?;
    super::team::team(&state.db, &scope).await
}

/// The state, the caller and the caller's scope in brand `slug` (as `need` asks) of a server
/// function acting on that brand. Every brand-scoped server function starts here.
#[cfg(feature = "ssr")]
pub async fn scoped_request(
    slug: &str,
    need: Need,
) -> Result<(AppState, Caller, BrandScope), AppError> {
    let (state, caller) = crate::state::request().await?;
    let (scope, _) = BrandScope::resolve(&state.db, &caller, slug, need).await?;
    Ok((state, caller, scope))
}

/// [`scoped_request`] for the team and its API tokens: owners, never a token.
#[cfg(feature = "ssr")]
async fn owner_request(slug: &str) -> Result<(AppState, Caller, BrandScope), AppError> {
    scoped_request(slug, Need::people(BrandRole::Owner)).await
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
    let (state, caller, scope) = owner_request(&slug).await?;
    super::team::invite(&state, caller.client(), &scope, &email, role).await
}

/// Withdraws an invitation.
#[server(prefix = "/api/fn", endpoint = "brands/revoke-invite")]
pub async fn revoke_brand_invite(slug: String, invite_id: String) -> Result<(), AppError> {
    let (state, caller, scope) = owner_request(&slug).await?;
    super::team::revoke_invite(&state, caller.client(), &scope, parse_id(&invite_id)?).await
}

/// Gives a member another role.
#[server(prefix = "/api/fn", endpoint = "brands/change-role")]
pub async fn change_member_role(
    slug: String,
    account_id: String,
    role: crate::auth::BrandRole,
) -> Result<(), AppError> {
    let (state, caller, scope) = owner_request(&slug).await?;
    super::team::change_role(
        &state,
        caller.client(),
        &scope,
        parse_id(&account_id)?,
        role,
    )
    .await
}

/// Removes a member.
#[server(prefix = "/api/fn", endpoint = "brands/remove-member")]
pub async fn remove_team_member(slug: String, account_id: String) -> Result<(), AppError> {
    let (state, caller, scope) = owner_request(&slug).await?;
    super::team::remove_member(&state, caller.client(), &scope, parse_id(&account_id)?).await
}

/// Accepts a team invitation.
#[server(prefix = "/api/fn", endpoint = "brands/accept-invite")]
pub async fn accept_brand_invite(token: String) -> Result<MyBrand, AppError> {
    let (state, caller) = crate::state::request().await?;
    super::team::accept_invite(&state, &caller, &token).await
}

/// The brand's API tokens (owners).
#[server(prefix = "/api/fn", endpoint = "brands/api-tokens")]
pub async fn brand_api_tokens(slug: String) -> Result<Vec<super::ApiTokenInfo>, AppError> {
    let (state, _, scope) = owner_request(&slug).await?;
    super::api_tokens::list(&state.db, &scope).await
}

/// Creates an API token; the answer holds the secret, this once.
#[server(prefix = "/api/fn", endpoint = "brands/create-api-token")]
pub async fn create_brand_api_token(
    slug: String,
    name: String,
    scope: super::TokenScope,
) -> Result<super::CreatedApiToken, AppError> {
    let (state, caller, brand_scope) = owner_request(&slug).await?;
    super::api_tokens::create(&state, caller.client(), &brand_scope, &name, scope).await
}

/// Revokes an API token.
#[server(prefix = "/api/fn", endpoint = "brands/revoke-api-token")]
pub async fn revoke_brand_api_token(slug: String, token_id: String) -> Result<(), AppError> {
    let (state, caller, scope) = owner_request(&slug).await?;
    super::api_tokens::revoke(&state, caller.client(), &scope, parse_id(&token_id)?).await
}
