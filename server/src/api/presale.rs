//! `/api/v1/…/presales`: a brand's pre-sale campaigns (its team by session, its own systems by
//! bearer token), the admins' review queue, and the running campaigns buyers see — thin
//! handlers over `app::presale`.

use app::state::AppState;
use app::{
    auth::{BrandRole, Caller},
    brands::{BrandScope, Need},
    checkout::OrderView,
    core::AppError,
    presale::{
        balances, campaigns, deposits, review, BalanceInput, CampaignDecision, CampaignInput,
        CampaignView, DepositInput,
    },
};
use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::Response,
    Json,
};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::orders::created;
use super::{idempotency_key, ApiJson};

/// The pre-sale routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_campaigns, create_campaign))
        .routes(routes!(get_campaign, update_campaign))
        .routes(routes!(submit_campaign))
        .routes(routes!(review_queue))
        .routes(routes!(decide))
        .routes(routes!(running_campaigns))
        .routes(routes!(public_campaign))
        .routes(routes!(pay_deposit))
        .routes(routes!(pay_balance))
}

const SLUG: &str = "The brand's slug.";
const ID: &str = "The campaign's id.";

async fn brand_scope(
    state: &AppState,
    caller: &Caller,
    slug: &str,
    need: Need,
) -> Result<BrandScope, AppError> {
    Ok(BrandScope::resolve(&state.db, caller, slug, need).await?.0)
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}/presales", tag = "presale",
    params(("slug" = String, Path, description = SLUG)), security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The brand's campaigns, most recently changed first.", body = Vec<CampaignView>)))]
async fn list_campaigns(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Vec<CampaignView>>, AppError> {
    let scope = brand_scope(&state, &caller, &slug, Need::read(BrandRole::Staff)).await?;
    Ok(Json(campaigns::list(&state, &scope).await?))
}

#[utoipa::path(post, path = "/api/v1/brands/{slug}/presales", tag = "presale",
    params(("slug" = String, Path, description = SLUG)), request_body = CampaignInput,
    security(("session" = []), ("bearer" = [])),
    responses((status = 201, description = "A draft: submit it for review.", body = CampaignView),
        (status = 422, description = "Terms refused, per field.")))]
async fn create_campaign(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<CampaignInput>,
) -> Result<(StatusCode, Json<CampaignView>), AppError> {
    let scope = brand_scope(&state, &caller, &slug, Need::write(BrandRole::Manager)).await?;
    let view = campaigns::create(&state, &caller, &scope, &input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}/presales/{id}", tag = "presale",
    params(("slug" = String, Path, description = SLUG), ("id" = String, Path, description = ID)),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "One campaign, with its deposits so far.", body = CampaignView),
        (status = 404, description = "No such campaign of this brand.")))]
async fn get_campaign(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<CampaignView>, AppError> {
    let scope = brand_scope(&state, &caller, &slug, Need::read(BrandRole::Staff)).await?;
    Ok(Json(campaigns::get(&state, &scope, &id).await?))
}

#[utoipa::path(put, path = "/api/v1/brands/{slug}/presales/{id}", tag = "presale",
    params(("slug" = String, Path, description = SLUG), ("id" = String, Path, description = ID)),
    request_body = CampaignInput, security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The changed draft.", body = CampaignView),
        (status = 409, description = "In review, approved or closed: frozen."),
        (status = 422, description = "Terms refused, per field.")))]
async fn update_campaign(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<CampaignInput>,
) -> Result<Json<CampaignView>, AppError> {
    let scope = brand_scope(&state, &caller, &slug, Need::write(BrandRole::Manager)).await?;
    Ok(Json(
        campaigns::update(&state, &caller, &scope, &id, &input).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/brands/{slug}/presales/{id}/submit", tag = "presale",
    params(("slug" = String, Path, description = SLUG), ("id" = String, Path, description = ID)),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "Submitted to the platform's admins.", body = CampaignView),
        (status = 409, description = "Not a draft."),
        (status = 422, description = "Its deposit window has passed.")))]
async fn submit_campaign(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<CampaignView>, AppError> {
    let scope = brand_scope(&state, &caller, &slug, Need::write(BrandRole::Manager)).await?;
    Ok(Json(campaigns::submit(&state, &caller, &scope, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/admin/presale-reviews", tag = "admin", security(("session" = [])),
    responses((status = 200, description = "Submitted campaigns, oldest first.", body = Vec<CampaignView>),
        (status = 403, description = "Not a platform admin.")))]
async fn review_queue(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<CampaignView>>, AppError> {
    caller.platform_admin()?;
    Ok(Json(review::queue(&state).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/presales/{id}/decision", tag = "admin",
    params(("id" = String, Path, description = ID)), request_body = CampaignDecision,
    security(("session" = [])),
    responses((status = 200, description = "Decided; the brand is mailed.", body = CampaignView),
        (status = 409, description = "Not waiting for a review, its deposit window has passed, or a product is pre-sold by another campaign at the same time."),
        (status = 422, description = "A reason is needed to reject or ask for changes.")))]
async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(decision): ApiJson<CampaignDecision>,
) -> Result<Json<CampaignView>, AppError> {
    Ok(Json(review::decide(&state, &caller, &id, &decision).await?))
}

#[utoipa::path(get, path = "/api/v1/presales", tag = "storefront",
    responses((status = 200, description = "Approved campaigns not over yet, soonest deposits first, with where each stands now.", body = Vec<CampaignView>)))]
async fn running_campaigns(
    State(state): State<AppState>,
) -> Result<Json<Vec<CampaignView>>, AppError> {
    Ok(Json(
        campaigns::running(&state.db, state.clock.now()).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/presales/{id}", tag = "storefront",
    params(("id" = String, Path, description = ID)),
    responses((status = 200, description = "An approved (or cancelled) campaign.", body = CampaignView),
        (status = 404, description = "No such campaign, or not approved.")))]
async fn public_campaign(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<CampaignView>, AppError> {
    Ok(Json(
        campaigns::public(&state.db, &id, state.clock.now()).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/presales/{id}/deposits", tag = "storefront",
    params(("id" = String, Path, description = ID),
        ("Idempotency-Key" = Option<String>, Header,
        description = "Any unique string (a UUID): a retry with the same key and body pays once and gets the first answer.")),
    request_body = DepositInput, security(("session" = [])),
    responses(
        (status = 201, description = "Deposit paid: the units are reserved and the order's status is `balance_due`.", body = OrderView),
        (status = 202, description = "Units reserved; the payment awaits an asynchronous confirmation (unpaid after 30 minutes, the units are released).", body = OrderView),
        (status = 401, description = "Not signed in."),
        (status = 402, description = "`payment_declined`."),
        (status = 403, description = "`email_not_verified`: deposits need a verified account."),
        (status = 404, description = "No such approved campaign."),
        (status = 409, description = "`sold_out` (the cap or the stock is taken), `limit_reached` (the per-buyer limit), or the deposit window is not open."),
        (status = 422, description = "`validation` with field errors (sku, quantity, shipping_address, payment).")))]
/// Pays a pre-sale deposit through the checkout engine. With no address or payment in the
/// body, the buyer's saved ones are used (one tap).
async fn pay_deposit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DepositInput>,
) -> Result<Response, AppError> {
    let key = idempotency_key(&headers)?;
    Ok(created(
        deposits::deposit(&state, &caller, &id, &input, key).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/orders/{id}/balance", tag = "storefront",
    params(("id" = String, Path, description = "The deposit order's id."),
        ("Idempotency-Key" = Option<String>, Header,
        description = "Any unique string (a UUID): a retry with the same key pays once and gets the first answer.")),
    request_body = BalanceInput, security(("session" = [])),
    responses(
        (status = 201, description = "Balance paid: the balance's order (paid, to ship); the deposit order is now `balance_paid`.", body = OrderView),
        (status = 401, description = "Not signed in."),
        (status = 402, description = "`payment_declined` (a card that needs an asynchronous confirmation is declined too)."),
        (status = 404, description = "No such deposit order of the caller's."),
        (status = 409, description = "Not inside the balance window, or the balance is paid already, or the deposit was forfeited."),
        (status = 422, description = "`validation`: a coupon or envelope that does not apply (a coupon needs a balance above its value), or no card.")))]
/// Pays the balance of a pre-sale deposit through the checkout engine: the pre-sale price less
/// the deposit's credit, less the promotions the quote picks.
async fn pay_balance(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<BalanceInput>,
) -> Result<Response, AppError> {
    let key = idempotency_key(&headers)?;
    Ok(created(
        balances::pay(&state, &caller, &id, &input, key).await?,
    ))
}
