//! `/api/v1/...` for brands: applying, the admin review queue, the team's view (through
//! `BrandScope`) and the public brand.

use app::{
    auth::BrandRole,
    brands::{
        api_tokens, logo, service, team, ApiTokenInfo, ApplicationPage, BrandApplication,
        BrandDetail, BrandScope, CreatedApiToken, MyBrand, PendingInvite, PublicBrand,
        ReviewDecision, Team, TokenScope,
    },
    core::{state::AppState, AppError},
};
use axum::{
    extract::{multipart::MultipartRejection, Multipart, Path, State},
    http::StatusCode,
    routing::{delete, get, post, put},
    Json, Router,
};
use serde::Deserialize;
use uuid::Uuid;

use super::{viewer::Viewer, ApiJson, ApiQuery};
use crate::http::uploads::read_file_field;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/brands/applications", post(apply))
        .route("/api/v1/brands/applications/{slug}", put(resubmit))
        .route("/api/v1/me/brands", get(my_brands))
        .route("/api/v1/brands/{slug}", get(team_view))
        .route("/api/v1/public/brands/{slug}", get(public_brand))
        .route("/api/v1/admin/brand-applications", get(review_queue))
        .route("/api/v1/admin/brands/{id}/decision", post(decide))
        .route("/api/v1/admin/brands/{id}/suspend", post(suspend))
        .route("/api/v1/admin/brands/{id}/reinstate", post(reinstate))
        .route("/api/v1/brands/{slug}/team", get(team_members))
        .route("/api/v1/brands/{slug}/invites", post(invite))
        .route("/api/v1/brands/{slug}/invites/{id}", delete(revoke_invite))
        .route(
            "/api/v1/brands/{slug}/members/{account_id}",
            put(change_role).delete(remove_member),
        )
        .route("/api/v1/invites/accept", post(accept_invite))
        .route(
            "/api/v1/brands/{slug}/api-tokens",
            get(list_tokens).post(create_token),
        )
        .route(
            "/api/v1/brands/{slug}/api-tokens/{id}",
            delete(revoke_token),
        )
        .route("/api/v1/brands/{slug}/logo", post(upload_logo))
}

/// The scope of a request to a brand: a bearer token (the brand's own system) or the signed-in
/// member. `write` is asked of tokens; `min` of members.
pub(super) async fn brand_scope(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    min: BrandRole,
    write: bool,
) -> Result<BrandScope, AppError> {
    match &viewer.bearer {
        Some(token) => Ok(BrandScope::from_api_token(&state.db, token, slug, write)
            .await?
            .0),
        None => Ok(
            BrandScope::resolve(&state.db, viewer.user.clone(), slug, min)
                .await?
                .0,
        ),
    }
}

/// Team and token management is for people (owners), never for API tokens.
async fn owner_scope(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
) -> Result<BrandScope, AppError> {
    if viewer.bearer.is_some() {
        return Err(AppError::Forbidden);
    }
    brand_scope(state, viewer, slug, BrandRole::Owner, true).await
}

/// Who may change the brand's profile (its logo): a write token, managers and owners, or the
/// applicant while the application is under review.
async fn profile_scope(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
) -> Result<BrandScope, AppError> {
    match &viewer.bearer {
        Some(_) => brand_scope(state, viewer, slug, BrandRole::Manager, true).await,
        None => Ok(BrandScope::resolve_or_applicant(
            &state.db,
            viewer.user.clone(),
            slug,
            BrandRole::Manager,
        )
        .await?
        .0),
    }
}

fn uuid_in_path(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw).map_err(|_| AppError::NotFound)
}

async fn apply(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiJson(body): ApiJson<BrandApplication>,
) -> Result<(StatusCode, Json<BrandDetail>), AppError> {
    let brand = service::apply(&state, &viewer.client, viewer.user, &body).await?;
    Ok((StatusCode::CREATED, Json(brand)))
}

async fn resubmit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<BrandApplication>,
) -> Result<Json<BrandDetail>, AppError> {
    Ok(Json(
        service::resubmit(&state, &viewer.client, viewer.user, &slug, &body).await?,
    ))
}

async fn my_brands(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Vec<MyBrand>>, AppError> {
    Ok(Json(service::my_brands(&state, viewer.user).await?))
}

async fn team_view(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<Json<BrandDetail>, AppError> {
    let scope = brand_scope(&state, &viewer, &slug, BrandRole::Staff, false).await?;
    Ok(Json(service::brand_for_team(&state.db, &scope).await?))
}

async fn public_brand(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<PublicBrand>, AppError> {
    Ok(Json(service::public_brand(&state.db, &slug).await?))
}

async fn review_queue(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(filter): ApiQuery<service::QueueFilter>,
) -> Result<Json<ApplicationPage>, AppError> {
    Ok(Json(
        service::review_queue(&state, viewer.user, &filter).await?,
    ))
}

#[derive(Deserialize)]
struct DecisionBody {
    decision: ReviewDecision,
    reason: Option<String>,
}

async fn decide(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<BrandDetail>, AppError> {
    Ok(Json(
        service::decide(
            &state,
            &viewer.client,
            viewer.user,
            uuid_in_path(&id)?,
            body.decision,
            body.reason.as_deref(),
        )
        .await?,
    ))
}

#[derive(Deserialize)]
struct ReasonBody {
    reason: Option<String>,
}

async fn suspend(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<Json<BrandDetail>, AppError> {
    Ok(Json(
        service::suspend(
            &state,
            &viewer.client,
            viewer.user,
            uuid_in_path(&id)?,
            body.reason.as_deref(),
        )
        .await?,
    ))
}

async fn reinstate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<BrandDetail>, AppError> {
    Ok(Json(
        service::reinstate(&state, &viewer.client, viewer.user, uuid_in_path(&id)?).await?,
    ))
}

async fn team_members(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<Json<Team>, AppError> {
    if viewer.bearer.is_some() {
        return Err(AppError::Forbidden);
    }
    let scope = brand_scope(&state, &viewer, &slug, BrandRole::Manager, false).await?;
    Ok(Json(team::team(&state.db, &scope).await?))
}

#[derive(Deserialize)]
struct InviteBody {
    email: String,
    role: BrandRole,
}

async fn invite(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<InviteBody>,
) -> Result<(StatusCode, Json<PendingInvite>), AppError> {
    let scope = owner_scope(&state, &viewer, &slug).await?;
    Ok((
        StatusCode::CREATED,
        Json(team::invite(&state, &viewer.client, &scope, &body.email, body.role).await?),
    ))
}

async fn revoke_invite(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let scope = owner_scope(&state, &viewer, &slug).await?;
    team::revoke_invite(&state, &viewer.client, &scope, uuid_in_path(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct RoleBody {
    role: BrandRole,
}

async fn change_role(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, account)): Path<(String, String)>,
    ApiJson(body): ApiJson<RoleBody>,
) -> Result<StatusCode, AppError> {
    let scope = owner_scope(&state, &viewer, &slug).await?;
    team::change_role(
        &state,
        &viewer.client,
        &scope,
        uuid_in_path(&account)?,
        body.role,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_member(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, account)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let scope = owner_scope(&state, &viewer, &slug).await?;
    team::remove_member(&state, &viewer.client, &scope, uuid_in_path(&account)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct TokenBody {
    token: String,
}

async fn accept_invite(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<Json<MyBrand>, AppError> {
    Ok(Json(
        team::accept_invite(&state, &viewer.client, viewer.user, &body.token).await?,
    ))
}

#[derive(Deserialize)]
struct CreateTokenBody {
    name: String,
    scope: TokenScope,
}

async fn create_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<CreateTokenBody>,
) -> Result<(StatusCode, Json<CreatedApiToken>), AppError> {
    let scope = owner_scope(&state, &viewer, &slug).await?;
    Ok((
        StatusCode::CREATED,
        Json(api_tokens::create(&state, &viewer.client, &scope, &body.name, body.scope).await?),
    ))
}

async fn list_tokens(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<Json<Vec<ApiTokenInfo>>, AppError> {
    let scope = owner_scope(&state, &viewer, &slug).await?;
    Ok(Json(api_tokens::list(&state.db, &scope).await?))
}

async fn revoke_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let scope = owner_scope(&state, &viewer, &slug).await?;
    api_tokens::revoke(&state, &viewer.client, &scope, uuid_in_path(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Serialize)]
struct LogoBody {
    logo_url: String,
}

/// `POST /api/v1/brands/{slug}/logo`, multipart with the image in field `logo`.
async fn upload_logo(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<LogoBody>, AppError> {
    let scope = profile_scope(&state, &viewer, &slug).await?;
    let upload = read_file_field(multipart, logo::LOGO_FIELD)
        .await?
        .ok_or_else(|| app::media::ImageProblem::Missing.into_error(logo::LOGO_FIELD))?;
    let image = app::media::process_upload(upload.bytes, logo::LOGO_SPEC)
        .await
        .map_err(|problem| problem.into_error(logo::LOGO_FIELD))?;
    let logo_url = logo::set_logo(&state, &viewer.client, &scope, image).await?;
    Ok(Json(LogoBody { logo_url }))
}
