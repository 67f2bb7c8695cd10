//! `/api/v1/...` for brands: applying, the admin review queue, the team's view (through
//! `BrandScope`) and the public brand.

use app::state::AppState;
use app::{
    auth::{BrandRole, Caller},
    brands::{
        api_tokens, logo, service, team, ApiTokenInfo, ApplicationPage, BrandApplication,
        BrandDetail, BrandScope, CreatedApiToken, MyBrand, Need, PendingInvite, PublicBrand,
        ReviewDecision, Team, TokenScope,
    },
    core::AppError,
};
use axum::{
    extract::{multipart::MultipartRejection, Multipart, Path, State},
    http::StatusCode,
    Json,
};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{ApiJson, ApiQuery};
use crate::http::uploads::read_file_field;

/// The brand routes: applications, review, teams, tokens, logos.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(apply))
        .routes(routes!(resubmit))
        .routes(routes!(my_brands))
        .routes(routes!(team_view))
        .routes(routes!(public_brand))
        .routes(routes!(review_queue))
        .routes(routes!(decide))
        .routes(routes!(suspend))
        .routes(routes!(reinstate))
        .routes(routes!(team_members))
        .routes(routes!(invite))
        .routes(routes!(revoke_invite))
        .routes(routes!(change_role, remove_member))
        .routes(routes!(accept_invite))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(upload_logo))
}

fn uuid_in_path(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw).map_err(|_| AppError::NotFound)
}

#[utoipa::path(post, path = "/api/v1/brands/applications", tag = "brands", request_body = BrandApplication,
    security(("session" = [])),
    responses((status = 201, description = "The application, pending review.", body = BrandDetail)))]
async fn apply(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<BrandApplication>,
) -> Result<(StatusCode, Json<BrandDetail>), AppError> {
    let brand = service::apply(&state, &caller, &body).await?;
    Ok((StatusCode::CREATED, Json(brand)))
}

#[utoipa::path(put, path = "/api/v1/brands/applications/{slug}", tag = "brands", params(("slug" = String, Path, description = "The brand's slug.")),
    request_body = BrandApplication, security(("session" = [])),
    responses((status = 200, description = "The application, back in the review queue.", body = BrandDetail)))]
async fn resubmit(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<BrandApplication>,
) -> Result<Json<BrandDetail>, AppError> {
    Ok(Json(
        service::resubmit(&state, &caller, &slug, &body).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/me/brands", tag = "brands", security(("session" = [])),
    responses((status = 200, description = "Brands the signed-in person belongs to or applied for.", body = Vec<MyBrand>)))]
async fn my_brands(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<MyBrand>>, AppError> {
    Ok(Json(service::my_brands(&state, &caller).await?))
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}", tag = "brands", params(("slug" = String, Path, description = "The brand's slug.")), security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The brand as its team sees it.", body = BrandDetail)))]
async fn team_view(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<BrandDetail>, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::read(BrandRole::Staff))
        .await?
        .0;
    Ok(Json(service::brand_for_team(&state.db, &scope).await?))
}

#[utoipa::path(get, path = "/api/v1/public/brands/{slug}", tag = "storefront", params(("slug" = String, Path, description = "The brand's slug.")),
    responses((status = 200, description = "A live brand as shoppers see it.", body = PublicBrand)))]
async fn public_brand(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<PublicBrand>, AppError> {
    Ok(Json(service::public_brand(&state.db, &slug).await?))
}

#[utoipa::path(get, path = "/api/v1/admin/brand-applications", tag = "admin", params(service::QueueFilter),
    security(("session" = [])),
    responses((status = 200, description = "Applications, oldest first.", body = ApplicationPage)))]
async fn review_queue(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<service::QueueFilter>,
) -> Result<Json<ApplicationPage>, AppError> {
    Ok(Json(service::review_queue(&state, &caller, &filter).await?))
}

#[derive(Deserialize, ToSchema)]
struct DecisionBody {
    decision: ReviewDecision,
    reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/admin/brands/{id}/decision", tag = "admin", params(("id" = String, Path, description = "The brand's id.")),
    request_body = DecisionBody, security(("session" = [])),
    responses((status = 200, description = "The brand after the decision (the applicant is mailed).", body = BrandDetail)))]
async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<BrandDetail>, AppError> {
    Ok(Json(
        service::decide(
            &state,
            &caller,
            uuid_in_path(&id)?,
            body.decision,
            body.reason.as_deref(),
        )
        .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
struct ReasonBody {
    reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/admin/brands/{id}/suspend", tag = "admin", params(("id" = String, Path, description = "The brand's id.")),
    request_body = ReasonBody, security(("session" = [])),
    responses((status = 200, description = "The suspended brand; its listings are hidden.", body = BrandDetail)))]
async fn suspend(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<Json<BrandDetail>, AppError> {
    Ok(Json(
        service::suspend(&state, &caller, uuid_in_path(&id)?, body.reason.as_deref()).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/admin/brands/{id}/reinstate", tag = "admin", params(("id" = String, Path, description = "The brand's id.")),
    security(("session" = [])),
    responses((status = 200, description = "The brand, live again.", body = BrandDetail)))]
async fn reinstate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<BrandDetail>, AppError> {
    Ok(Json(
        service::reinstate(&state, &caller, uuid_in_path(&id)?).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}/team", tag = "brands", params(("slug" = String, Path, description = "The brand's slug.")),
    security(("session" = [])),
    responses((status = 200, description = "Members and open invitations (managers and owners).", body = Team)))]
async fn team_members(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Team>, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::people(BrandRole::Manager))
        .await?
        .0;
    Ok(Json(team::team(&state.db, &scope).await?))
}

#[derive(Deserialize, ToSchema)]
struct InviteBody {
    email: String,
    role: BrandRole,
}

#[utoipa::path(post, path = "/api/v1/brands/{slug}/invites", tag = "brands", params(("slug" = String, Path, description = "The brand's slug.")),
    request_body = InviteBody, security(("session" = [])),
    responses((status = 201, description = "The invitation (mailed to the address).", body = PendingInvite)))]
async fn invite(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<InviteBody>,
) -> Result<(StatusCode, Json<PendingInvite>), AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::people(BrandRole::Owner))
        .await?
        .0;
    Ok((
        StatusCode::CREATED,
        Json(team::invite(&state, caller.client(), &scope, &body.email, body.role).await?),
    ))
}

#[utoipa::path(delete, path = "/api/v1/brands/{slug}/invites/{id}", tag = "brands",
    params(("slug" = String, Path, description = "The brand's slug."), ("id" = String, Path, description = "The invitation's id.")), security(("session" = [])),
    responses((status = 204, description = "Revoked.")))]
async fn revoke_invite(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::people(BrandRole::Owner))
        .await?
        .0;
    team::revoke_invite(&state, caller.client(), &scope, uuid_in_path(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
struct RoleBody {
    role: BrandRole,
}

#[utoipa::path(put, path = "/api/v1/brands/{slug}/members/{account_id}", tag = "brands",
    params(("slug" = String, Path, description = "The brand's slug."), ("account_id" = String, Path, description = "The member's account id.")), request_body = RoleBody, security(("session" = [])),
    responses((status = 204, description = "The member's role is changed.")))]
async fn change_role(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, account)): Path<(String, String)>,
    ApiJson(body): ApiJson<RoleBody>,
) -> Result<StatusCode, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::people(BrandRole::Owner))
        .await?
        .0;
    team::change_role(
        &state,
        caller.client(),
        &scope,
        uuid_in_path(&account)?,
        body.role,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/brands/{slug}/members/{account_id}", tag = "brands",
    params(("slug" = String, Path, description = "The brand's slug."), ("account_id" = String, Path, description = "The member's account id.")), security(("session" = [])),
    responses((status = 204, description = "The member is removed.")))]
async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, account)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::people(BrandRole::Owner))
        .await?
        .0;
    team::remove_member(&state, caller.client(), &scope, uuid_in_path(&account)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
struct TokenBody {
    token: String,
}

#[utoipa::path(post, path = "/api/v1/invites/accept", tag = "brands", request_body = TokenBody,
    security(("session" = [])),
    responses((status = 200, description = "The brand just joined.", body = MyBrand)))]
async fn accept_invite(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<Json<MyBrand>, AppError> {
    Ok(Json(
        team::accept_invite(&state, &caller, &body.token).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
struct CreateTokenBody {
    name: String,
    scope: TokenScope,
}

#[utoipa::path(post, path = "/api/v1/brands/{slug}/api-tokens", tag = "brands", params(("slug" = String, Path, description = "The brand's slug.")),
    request_body = CreateTokenBody, security(("session" = [])),
    responses((status = 201, description = "The token; its secret is shown this once.", body = CreatedApiToken)))]
async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<CreateTokenBody>,
) -> Result<(StatusCode, Json<CreatedApiToken>), AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::people(BrandRole::Owner))
        .await?
        .0;
    Ok((
        StatusCode::CREATED,
        Json(api_tokens::create(&state, caller.client(), &scope, &body.name, body.scope).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/brands/{slug}/api-tokens", tag = "brands", params(("slug" = String, Path, description = "The brand's slug.")),
    security(("session" = [])),
    responses((status = 200, description = "The brand's API tokens (never their secrets).", body = Vec<ApiTokenInfo>)))]
async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Vec<ApiTokenInfo>>, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::people(BrandRole::Owner))
        .await?
        .0;
    Ok(Json(api_tokens::list(&state.db, &scope).await?))
}

#[utoipa::path(delete, path = "/api/v1/brands/{slug}/api-tokens/{id}", tag = "brands",
    params(("slug" = String, Path, description = "The brand's slug."), ("id" = String, Path, description = "The token's id.")), security(("session" = [])),
    responses((status = 204, description = "Revoked; it stops working at once.")))]
async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let scope = BrandScope::resolve(&state.db, &caller, &slug, Need::people(BrandRole::Owner))
        .await?
        .0;
    api_tokens::revoke(&state, caller.client(), &scope, uuid_in_path(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Serialize, ToSchema)]
struct LogoBody {
    logo_url: String,
}

#[utoipa::path(post, path = "/api/v1/brands/{slug}/logo", tag = "brands", params(("slug" = String, Path, description = "The brand's slug.")),
    request_body(content = crate::api::openapi::LogoUpload, content_type = "multipart/form-data"), security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "The logo, re-encoded as PNG.", body = LogoBody)))]
/// `POST /api/v1/brands/{slug}/logo`, multipart with the image in field `logo`.
async fn upload_logo(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<LogoBody>, AppError> {
    let scope = BrandScope::resolve(
        &state.db,
        &caller,
        &slug,
        Need::write(BrandRole::Manager).or_applicant(),
    )
    .await?
    .0;
    let upload = read_file_field(multipart, logo::LOGO_FIELD)
        .await?
        .ok_or_else(|| app::media::ImageProblem::Missing.into_error(logo::LOGO_FIELD))?;
    let image = app::media::process_upload(upload.bytes, logo::LOGO_SPEC)
        .await
        .map_err(|problem| problem.into_error(logo::LOGO_FIELD))?;
    let logo_url = logo::set_logo(&state, caller.client(), &scope, image).await?;
    Ok(Json(LogoBody { logo_url }))
}
