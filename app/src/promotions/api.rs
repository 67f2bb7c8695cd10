//! Server functions behind the promotions pages: a brand's (or, without a slug, the
//! platform's) promotions, the admins' review queue, and a buyer's coupons. The JSON API
//! (`/api/v1/…promotions`, `/api/v1/coupons`) calls the same services.

use leptos::prelude::*;

use super::{
    ClaimLinkInput, ClaimLinkView, CouponView, EnvelopeView, PlayOutcome, PromotionDecision,
    PromotionInput, PromotionView, SettlementRow,
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

/// Claims a coupon into the caller's wallet: a promotion's, or a claim link's (`link`).
#[server(prefix = "/api/fn", endpoint = "coupons/claim")]
pub async fn claim_coupon(
    promotion_id: Option<String>,
    link: Option<String>,
) -> Result<CouponView, AppError> {
    let (state, caller) = crate::state::request().await?;
    let input = super::ClaimInput {
        promotion_id,
        code: None,
        link,
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

/// Plays a red-envelope moment: a show's drop (`drop_id`), a live show's, or with neither the
/// festival page's game.
#[server(prefix = "/api/fn", endpoint = "envelopes/play")]
pub async fn play_envelopes(
    show_id: Option<String>,
    drop_id: Option<String>,
    link: Option<String>,
) -> Result<PlayOutcome, AppError> {
    let (state, caller) = crate::state::request().await?;
    let input = super::PlayInput {
        show_id,
        drop_id,
        link,
    };
    super::envelopes::play(&state, &caller, &input).await
}

/// Brand `slug`'s claim links (or the platform's), newest first, with their QR codes.
#[server(prefix = "/api/fn", endpoint = "promotions/claim-links")]
pub async fn owner_claim_links(slug: Option<String>) -> Result<Vec<ClaimLinkView>, AppError> {
    use crate::{auth::BrandRole, brands::Need};
    let (state, caller, scope) = owner_request(slug, Need::read(BrandRole::Staff)).await?;
    super::links::list(&state, &owner_of(&caller, scope.as_ref())?).await
}

/// A new claim link of brand `slug` (or the platform's), to print as a QR code.
#[server(prefix = "/api/fn", endpoint = "promotions/create-claim-link")]
pub async fn create_claim_link(
    slug: Option<String>,
    input: ClaimLinkInput,
) -> Result<ClaimLinkView, AppError> {
    use crate::{auth::BrandRole, brands::Need};
    let (state, caller, scope) = owner_request(slug, Need::write(BrandRole::Manager)).await?;
    super::links::create(&state, &owner_of(&caller, scope.as_ref())?, &input).await
}

/// The claim link `token`, as a buyer who scanned it sees it.
#[server(prefix = "/api/fn", endpoint = "claim-links/open")]
pub async fn open_claim_link(token: String) -> Result<ClaimLinkView, AppError> {
    let state = crate::state::app_state()?;
    super::links::open(&state, &token).await
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
