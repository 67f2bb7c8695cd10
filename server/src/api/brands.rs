//! `/api/v1/...` for brands: applying, the admin review queue, the team's view (through
//! `BrandScope`) and the public brand.

use app::{
    auth::BrandRole,
    brands::{service, ApplicationPage, BrandApplication, BrandDetail, BrandScope, MyBrand, PublicBrand, ReviewDecision},
    core::{state::AppState, AppError},
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    routing::{get, post, put},
    Json, Router,
};
use serde::Deserialize;
use uuid::Uuid;

use super::{viewer::Viewer, ApiJson};

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
}

fn brand_id(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw).map_err(|_| AppError::NotFound)
}

async fn apply(State(state): State<AppState>, viewer: Viewer, ApiJson(body): ApiJson<BrandApplication>) -> Result<(StatusCode, Json<BrandDetail>), AppError> {
    let brand = service::apply(&state, &viewer.client, viewer.user, &body).await?;
    Ok((StatusCode::CREATED, Json(brand)))
}

async fn resubmit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<BrandApplication>,
) -> Result<Json<BrandDetail>, AppError> {
    Ok(Json(service::resubmit(&state, &viewer.client, viewer.user, &slug, &body).await?))
}

async fn my_brands(State(state): State<AppState>, viewer: Viewer) -> Result<Json<Vec<MyBrand>>, AppError> {
    Ok(Json(service::my_brands(&state, viewer.user).await?))
}

async fn team_view(State(state): State<AppState>, viewer: Viewer, Path(slug): Path<String>) -> Result<Json<BrandDetail>, AppError> {
    let (scope, _) = BrandScope::resolve(&state.db, viewer.user, &slug, BrandRole::Staff).await?;
    Ok(Json(service::brand_for_team(&state.db, &scope).await?))
}

async fn public_brand(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Json<PublicBrand>, AppError> {
    Ok(Json(service::public_brand(&state.db, &slug).await?))
}

async fn review_queue(State(state): State<AppState>, viewer: Viewer, Query(filter): Query<service::QueueFilter>) -> Result<Json<ApplicationPage>, AppError> {
    Ok(Json(service::review_queue(&state, viewer.user, &filter).await?))
}

#[derive(Deserialize)]
struct DecisionBody {
    decision: ReviewDecision,
    reason: Option<String>,
}

async fn decide(State(state): State<AppState>, viewer: Viewer, Path(id): Path<String>, ApiJson(body): ApiJson<DecisionBody>) -> Result<Json<BrandDetail>, AppError> {
    Ok(Json(service::decide(&state, &viewer.client, viewer.user, brand_id(&id)?, body.decision, body.reason.as_deref()).await?))
}

#[derive(Deserialize)]
struct ReasonBody {
    reason: Option<String>,
}

async fn suspend(State(state): State<AppState>, viewer: Viewer, Path(id): Path<String>, ApiJson(body): ApiJson<ReasonBody>) -> Result<Json<BrandDetail>, AppError> {
    Ok(Json(service::suspend(&state, &viewer.client, viewer.user, brand_id(&id)?, body.reason.as_deref()).await?))
}

async fn reinstate(State(state): State<AppState>, viewer: Viewer, Path(id): Path<String>) -> Result<Json<BrandDetail>, AppError> {
    Ok(Json(service::reinstate(&state, &viewer.client, viewer.user, brand_id(&id)?).await?))
}
