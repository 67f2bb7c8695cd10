//! `/api/v1/…/promotions` and coupons: a brand's promotions (its team by session, its own
//! systems by bearer token), the platform's own promotions and the review queue (platform
//! admins), and a buyer's coupons — thin handlers over `app::promotions`, which the pages use
//! too.

use app::state::AppState;
use app::{
    auth::{BrandRole, Caller},
    brands::{BrandScope, Need},
    core::AppError,
    promotions::{
        coupons, envelopes, links, review,
        service::{self, Owner},
        settlement, ClaimInput, ClaimLinkInput, ClaimLinkView, CouponView, EnvelopeView, PlayInput,
        PlayOutcome, PoolInput, PoolView, PromotionDecision, PromotionInput, PromotionView,
        SettlementRow,
    },
};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{csv_download, ApiJson, ApiQuery};

/// The promotion and coupon routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_brand_promotions, create_brand_promotion))
        .routes(routes!(get_brand_promotion, update_brand_promotion))
        .routes(routes!(submit_brand_promotion))
        .routes(routes!(list_platform_promotions, create_platform_promotion))
        .routes(routes!(update_platform_promotion))
        .routes(routes!(submit_platform_promotion))
        .routes(routes!(review_queue))
        .routes(routes!(decide))
        .routes(routes!(claimable_coupons))
        .routes(routes!(claim_coupon))
        .routes(routes!(my_coupons))
        .routes(routes!(play_envelopes))
        .routes(routes!(my_envelopes))
        .routes(routes!(list_pools, create_pool))
        .routes(routes!(list_brand_claim_links, create_brand_claim_link))
        .routes(routes!(open_claim_link))
        .routes(routes!(brand_settlement))
        .routes(routes!(brand_settlement_csv))
        .routes(routes!(platform_settlement))
        .routes(routes!(platform_settlement_csv))
}

const SLUG: &str = "The brand's slug.";

async fn brand_scope(
    state: &AppState,
    caller: &Caller,
    slug: &str,
    need: Need,
) -> Result<BrandScope, AppError> {
    Ok(BrandScope::resolve(&state.db, caller, slug, need).await?.0)
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}/promotions", tag = "promotions",
    params(("slug" = String, Path, description = SLUG)), security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The brand's promotions, every version, most recently changed first.", body = Vec<PromotionView>)))]
async fn list_brand_promotions(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Vec<PromotionView>>, AppError> {
    let scope = brand_scope(&state, &caller, &slug, Need::read(BrandRole::Staff)).await?;
    Ok(Json(service::list(&state.db, &Owner::Brand(&scope)).await?))
}

#[utoipa::path(post, path = "/api/v1/brands/{slug}/promotions", tag = "promotions",
    params(("slug" = String, Path, description = SLUG)), request_body = PromotionInput,
    security(("session" = []), ("bearer" = [])),
    responses((status = 201, description = "A draft: submit it for review.", body = PromotionView),
        (status = 422, description = "Terms refused, per field.")))]
async fn create_brand_promotion(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<PromotionInput>,
) -> Result<(StatusCode, Json<PromotionView>), AppError> {
    let scope = brand_scope(&state, &caller, &slug, Need::write(BrandRole::Manager)).await?;
    let view = service::create(&state, &caller, &Owner::Brand(&scope), &input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}/promotions/{id}", tag = "promotions",
    params(("slug" = String, Path, description = SLUG), ("id" = String, Path, description = "A version's id.")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "One version, with what the promotion used so far.", body = PromotionView),
        (status = 404, description = "No such promotion of this brand.")))]
async fn get_brand_promotion(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<PromotionView>, AppError> {
    let scope = brand_scope(&state, &caller, &slug, Need::read(BrandRole::Staff)).await?;
    Ok(Json(
        service::get(&state.db, &Owner::Brand(&scope), &id).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/brands/{slug}/promotions/{id}", tag = "promotions",
    params(("slug" = String, Path, description = SLUG), ("id" = String, Path, description = "A version's id.")),
    request_body = PromotionInput, security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The changed draft, or (for an approved version) the next version, a draft.", body = PromotionView),
        (status = 409, description = "In review, or another version is waiting."),
        (status = 422, description = "Terms refused, or a live promotion changed against its buyers.")))]
async fn update_brand_promotion(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<PromotionInput>,
) -> Result<Json<PromotionView>, AppError> {
    let scope = brand_scope(&state, &caller, &slug, Need::write(BrandRole::Manager)).await?;
    Ok(Json(
        service::update(&state, &caller, &Owner::Brand(&scope), &id, &input).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/brands/{slug}/promotions/{id}/submit", tag = "promotions",
    params(("slug" = String, Path, description = SLUG), ("id" = String, Path, description = "A version's id.")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "Submitted to the platform's admins.", body = PromotionView),
        (status = 409, description = "Not a draft.")))]
async fn submit_brand_promotion(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<PromotionView>, AppError> {
    let scope = brand_scope(&state, &caller, &slug, Need::write(BrandRole::Manager)).await?;
    Ok(Json(
        service::submit(&state, &caller, &Owner::Brand(&scope), &id).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/admin/promotions", tag = "admin", security(("session" = [])),
    responses((status = 200, description = "The platform's own promotions (allowances, platform coupons).", body = Vec<PromotionView>)))]
async fn list_platform_promotions(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<PromotionView>>, AppError> {
    Ok(Json(
        service::list(&state.db, &Owner::platform(&caller)?).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/admin/promotions", tag = "admin", request_body = PromotionInput,
    security(("session" = [])),
    responses((status = 201, description = "A platform draft: submit it for review.", body = PromotionView),
        (status = 422, description = "Terms refused, per field.")))]
async fn create_platform_promotion(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PromotionInput>,
) -> Result<(StatusCode, Json<PromotionView>), AppError> {
    let owner = Owner::platform(&caller)?;
    let view = service::create(&state, &caller, &owner, &input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(put, path = "/api/v1/admin/promotions/{id}", tag = "admin",
    params(("id" = String, Path, description = "A version's id.")), request_body = PromotionInput,
    security(("session" = [])),
    responses((status = 200, description = "The changed draft, or the next version.", body = PromotionView)))]
async fn update_platform_promotion(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PromotionInput>,
) -> Result<Json<PromotionView>, AppError> {
    let owner = Owner::platform(&caller)?;
    Ok(Json(
        service::update(&state, &caller, &owner, &id, &input).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/admin/promotions/{id}/submit", tag = "admin",
    params(("id" = String, Path, description = "A version's id.")), security(("session" = [])),
    responses((status = 200, description = "Submitted for review.", body = PromotionView)))]
async fn submit_platform_promotion(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<PromotionView>, AppError> {
    let owner = Owner::platform(&caller)?;
    Ok(Json(service::submit(&state, &caller, &owner, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/admin/promotion-reviews", tag = "admin", security(("session" = [])),
    responses((status = 200, description = "Submitted versions waiting for a decision, oldest first.", body = Vec<PromotionView>)))]
async fn review_queue(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<PromotionView>>, AppError> {
    caller.platform_admin()?;
    Ok(Json(review::queue(&state.db).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/promotions/{id}/decision", tag = "admin",
    params(("id" = String, Path, description = "A submitted version's id.")),
    request_body = PromotionDecision, security(("session" = [])),
    responses((status = 200, description = "The version after the decision (its author is mailed).", body = PromotionView),
        (status = 409, description = "Not waiting for a review."),
        (status = 422, description = "A reason is needed to reject or ask for changes.")))]
async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(decision): ApiJson<PromotionDecision>,
) -> Result<Json<PromotionView>, AppError> {
    Ok(Json(review::decide(&state, &caller, &id, &decision).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct CouponsOf {
    /// A brand's slug; none: the platform's coupons.
    brand: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/coupons", tag = "storefront", params(CouponsOf),
    responses((status = 200, description = "Coupons open for claiming now, with coupons left.", body = Vec<PromotionView>),
        (status = 404, description = "No such live brand.")))]
async fn claimable_coupons(
    State(state): State<AppState>,
    ApiQuery(of): ApiQuery<CouponsOf>,
) -> Result<Json<Vec<PromotionView>>, AppError> {
    Ok(Json(
        coupons::claimable(&state.db, state.clock.now(), of.brand.as_deref()).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/coupons/claim", tag = "storefront", request_body = ClaimInput,
    security(("session" = [])),
    responses((status = 201, description = "The coupon, in the caller's wallet.", body = CouponView),
        (status = 409, description = "`offer_unavailable`: all claimed, claimed already, or not live.")))]
async fn claim_coupon(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ClaimInput>,
) -> Result<(StatusCode, Json<CouponView>), AppError> {
    let coupon = coupons::claim(&state, &caller, &input).await?;
    Ok((StatusCode::CREATED, Json(coupon)))
}

#[utoipa::path(get, path = "/api/v1/me/coupons", tag = "storefront", security(("session" = [])),
    responses((status = 200, description = "The caller's coupons, newest first.", body = Vec<CouponView>)))]
async fn my_coupons(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<CouponView>>, AppError> {
    let account = caller.signed_in()?.id;
    Ok(Json(
        coupons::wallet(&state.db, state.clock.now(), account).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/envelopes/play", tag = "storefront", request_body = PlayInput,
    security(("session" = [])),
    responses((status = 200, description = "The play's outcome: an envelope, or none. A moment (the festival day, a live show) is played once per buyer; asking again answers the same.", body = PlayOutcome),
        (status = 409, description = "The show is not live."),
        (status = 429, description = "Too many plays from this account.")))]
async fn play_envelopes(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PlayInput>,
) -> Result<Json<PlayOutcome>, AppError> {
    Ok(Json(envelopes::play(&state, &caller, &input).await?))
}

#[utoipa::path(get, path = "/api/v1/me/envelopes", tag = "storefront", security(("session" = [])),
    responses((status = 200, description = "The caller's red envelopes, newest first.", body = Vec<EnvelopeView>)))]
async fn my_envelopes(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<EnvelopeView>>, AppError> {
    let account = caller.signed_in()?.id;
    Ok(Json(
        envelopes::mine(&state.db, state.clock.now(), account).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/admin/envelope-pools", tag = "admin", security(("session" = [])),
    responses((status = 200, description = "Red-envelope pools, newest first, with what is left.", body = Vec<PoolView>)))]
async fn list_pools(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<PoolView>>, AppError> {
    caller.platform_admin()?;
    Ok(Json(envelopes::pools(&state.db).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/envelope-pools", tag = "admin", request_body = PoolInput,
    security(("session" = [])),
    responses((status = 201, description = "The pool, handing out envelopes inside its window.", body = PoolView),
        (status = 422, description = "Rules refused, per field.")))]
async fn create_pool(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PoolInput>,
) -> Result<(StatusCode, Json<PoolView>), AppError> {
    let pool = envelopes::create_pool(&state, &caller, &input).await?;
    Ok((StatusCode::CREATED, Json(pool)))
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}/settlement", tag = "promotions",
    params(("slug" = String, Path, description = SLUG)), security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "What discounts took off the brand's orders, by promotion, and who funds each (the brand, or the platform, which owes it).", body = Vec<SettlementRow>)))]
async fn brand_settlement(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Vec<SettlementRow>>, AppError> {
    let scope = brand_scope(&state, &caller, &slug, Need::read(BrandRole::Manager)).await?;
    Ok(Json(
        settlement::report(&state.db, Some(scope.brand_id())).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}/settlement.csv", tag = "promotions",
    params(("slug" = String, Path, description = SLUG)), security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The brand's settlement as CSV.", content_type = "text/csv", body = String)))]
async fn brand_settlement_csv(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<impl axum::response::IntoResponse, AppError> {
    let scope = brand_scope(&state, &caller, &slug, Need::read(BrandRole::Manager)).await?;
    let rows = settlement::report(&state.db, Some(scope.brand_id())).await?;
    Ok(csv_download(
        &format!("{slug}-settlement.csv"),
        settlement::csv(&rows),
    ))
}

#[utoipa::path(get, path = "/api/v1/admin/settlement", tag = "admin", security(("session" = [])),
    responses((status = 200, description = "Every brand's settlement.", body = Vec<SettlementRow>)))]
async fn platform_settlement(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<SettlementRow>>, AppError> {
    caller.platform_admin()?;
    Ok(Json(settlement::report(&state.db, None).await?))
}

#[utoipa::path(get, path = "/api/v1/admin/settlement.csv", tag = "admin", security(("session" = [])),
    responses((status = 200, description = "Every brand's settlement as CSV.", content_type = "text/csv", body = String)))]
async fn platform_settlement_csv(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<impl axum::response::IntoResponse, AppError> {
    caller.platform_admin()?;
    let rows = settlement::report(&state.db, None).await?;
    Ok(csv_download("gala-settlement.csv", settlement::csv(&rows)))
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}/claim-links", tag = "promotions",
    params(("slug" = String, Path, description = SLUG)), security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The brand's store codes, newest first, each with its QR code (SVG).", body = Vec<ClaimLinkView>)))]
async fn list_brand_claim_links(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Vec<ClaimLinkView>>, AppError> {
    let scope = brand_scope(&state, &caller, &slug, Need::read(BrandRole::Staff)).await?;
    Ok(Json(links::list(&state, &Owner::Brand(&scope)).await?))
}

#[utoipa::path(post, path = "/api/v1/brands/{slug}/claim-links", tag = "promotions",
    params(("slug" = String, Path, description = SLUG)), request_body = ClaimLinkInput,
    security(("session" = []), ("bearer" = [])),
    responses((status = 201, description = "A store code: print its QR code; shoppers who scan it claim its coupon and find its red envelope until it expires.", body = ClaimLinkView),
        (status = 422, description = "Refused, per field: the place, one of the brand's approved coupons, the hours.")))]
async fn create_brand_claim_link(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<ClaimLinkInput>,
) -> Result<(StatusCode, Json<ClaimLinkView>), AppError> {
    let scope = brand_scope(&state, &caller, &slug, Need::write(BrandRole::Manager)).await?;
    let view = links::create(&state, &Owner::Brand(&scope), &input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/api/v1/claim-links/{token}", tag = "promotions",
    params(("token" = String, Path, description = "What the store's QR code holds.")),
    responses((status = 200, description = "The place and what its code hands out (claim with `link` in `POST /api/v1/coupons/claim` and `POST /api/v1/envelopes/play`).", body = ClaimLinkView),
        (status = 404, description = "No such code.")))]
async fn open_claim_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<ClaimLinkView>, AppError> {
    Ok(Json(links::open(&state, &token).await?))
}
