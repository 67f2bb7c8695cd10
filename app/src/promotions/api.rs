//! Server functions behind the promotions pages: a brand's (or, without a slug, the
//! platform's) promotions, the admins' review queue, and a buyer's coupons. The JSON API
//! (`/api/v1/…promotions`, `/api/v1/coupons`) calls the same services.

use leptos::prelude::*;

use super::{
    CouponView, EnvelopeView, PlayOutcome, PromotionDecision, PromotionInput, PromotionView,
    SettlementRow,
};
use crate::core::AppError;

/// The state, the caller and the owner of the promotions named by `slug`: brand `slug` as
/// `need` asks, or with no slug the platform (admins).
#[cfg(feature = "ssr")]
async fn owner_request(
    slug: Option<String>,
    need: crate::brands::Need,
) -> Result<
    (
        crate::state::AppState,
        crate::auth::Caller,
        Option<crate::brands::BrandScope>,
    ),
    AppError,
> {
    let (state, caller) = crate::state::request().await?;
    let scope = match slug.filter(|s| !s.trim().is_empty()) {
        Some(slug) => Some(
            crate::brands::BrandScope::resolve(&state.db, &caller, &slug, need)
                .await?
                .0,
        ),
        None => {
            caller.platform_admin()?;
            None
        }
    };
    Ok((state, caller, scope))
}

/// The owner a scope (or none: the platform) stands for.
#[cfg(feature = "ssr")]
fn owner_of<'a>(
    caller: &crate::auth::Caller,
    scope: Option<&'a crate::brands::BrandScope>,
) -> Result<super::service::Owner<'a>, AppError> {
    match scope {
        Some(scope) => Ok(super::service::Owner::Brand(scope)),
        None => super::service::Owner::platform(caller),
    }
}

/// Brand `slug`'s promotions (every version), or with no slug the platform's.
#[server(prefix = "/api/fn", endpoint = "promotions/list")]
pub async fn owner_promotions(slug: Option<String>) -> Result<Vec<PromotionView>, AppError> {
    use crate::{auth::BrandRole, brands::Need};
    let (state, caller, scope) = owner_request(slug, Need::read(BrandRole::Staff)).await?;
    super::service::list(&state.db, &owner_of(&caller, scope.as_ref())?).await
}

/// A new draft promotion of brand `slug` (or the platform's).
#[server(prefix = "/api/fn", endpoint = "promotions/create")]
pub async fn create_promotion(
    slug: Option<String>,
    input: PromotionInput,
) -> Result<PromotionView, AppError> {
    use crate::{auth::BrandRole, brands::Need};
    let (state, caller, scope) = owner_request(slug, Need::write(BrandRole::Manager)).await?;
    super::service::create(&state, &caller, &owner_of(&caller, scope.as_ref())?, &input).await
}

/// Sends a draft (or a version sent back) for review.
#[server(prefix = "/api/fn", endpoint = "promotions/submit")]
pub async fn submit_promotion(slug: Option<String>, id: String) -> Result<PromotionView, AppError> {
    use crate::{auth::BrandRole, brands::Need};
    let (state, caller, scope) = owner_request(slug, Need::write(BrandRole::Manager)).await?;
    super::service::submit(&state, &caller, &owner_of(&caller, scope.as_ref())?, &id).await
}

/// Promotions waiting for review (platform admins).
#[server(prefix = "/api/fn", endpoint = "admin/promotion-reviews")]
pub async fn promotion_review_queue() -> Result<Vec<PromotionView>, AppError> {
    let (state, caller) = crate::state::request().await?;
    caller.platform_admin()?;
    super::review::queue(&state.db).await
}

/// An admin's decision on a submitted promotion.
#[server(prefix = "/api/fn", endpoint = "admin/promotion-decision")]
pub async fn decide_promotion(
    id: String,
    decision: PromotionDecision,
) -> Result<PromotionView, AppError> {
    let (state, caller) = crate::state::request().await?;
    super::review::decide(&state, &caller, &id, &decision).await
}

/// Coupons open for claiming now: brand `brand`'s, or the platform's.
#[server(prefix = "/api/fn", endpoint = "coupons/claimable")]
pub async fn claimable_coupons(brand: Option<String>) -> Result<Vec<PromotionView>, AppError> {
    let state = crate::state::app_state()?;
    super::coupons::claimable(&state.db, state.clock.now(), brand.as_deref()).await
}

/// Claims a coupon into the caller's wallet.
#[server(prefix = "/api/fn", endpoint = "coupons/claim")]
pub async fn claim_coupon(promotion_id: String) -> Result<CouponView, AppError> {
    let (state, caller) = crate::state::request().await?;
    let input = super::ClaimInput {
        promotion_id: Some(promotion_id),
        code: None,
    };
    super::coupons::claim(&state, &caller, &input).await
}

/// The caller's coupons, newest first.
#[server(prefix = "/api/fn", endpoint = "coupons/mine")]
pub async fn my_coupons() -> Result<Vec<CouponView>, AppError> {
    let (state, caller) = crate::state::request().await?;
    let account = caller.signed_in()?.id;
    super::coupons::wallet(&state.db, state.clock.now(), account).await
}

/// Plays a red-envelope moment: with no show, the festival page's game.
#[server(prefix = "/api/fn", endpoint = "envelopes/play")]
pub async fn play_envelopes(show_id: Option<String>) -> Result<PlayOutcome, AppError> {
    let (state, caller) = crate::state::request().await?;
    super::envelopes::play(&state, &caller, &super::PlayInput { show_id }).await
}

/// The caller's red envelopes, newest first.
#[server(prefix = "/api/fn", endpoint = "envelopes/mine")]
pub async fn my_envelopes() -> Result<Vec<EnvelopeView>, AppError> {
    let (state, caller) = crate::state::request().await?;
    let account = caller.signed_in()?.id;
    super::envelopes::mine(&state.db, state.clock.now(), account).await
}

/// What discounts took off brand `slug`'s orders, by promotion and funder; with no slug,
/// every brand's (platform admins).
#[server(prefix = "/api/fn", endpoint = "promotions/settlement")]
pub async fn promotion_settlement(slug: Option<String>) -> Result<Vec<SettlementRow>, AppError> {
    use crate::{auth::BrandRole, brands::Need};
    let (state, _, scope) = owner_request(slug, Need::read(BrandRole::Manager)).await?;
    super::settlement::report(&state.db, scope.map(|s| s.brand_id())).await
}
