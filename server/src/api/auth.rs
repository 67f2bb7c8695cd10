//! `/api/v1/auth/...`: the identity API for mobile apps (cookie sessions, like the web pages).

use std::net::SocketAddr;

use app::{
    auth::{audit::ClientContext, service, session, CurrentUser},
    core::{state::AppState, AppError},
};
use axum::{
    extract::{ConnectInfo, State},
    http::StatusCode,
    Json,
};
use serde::Deserialize;
use serde_json::{json, Value};
use tower_sessions::Session;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::ApiJson;

/// The identity routes (`/api/v1/auth/...`), documented as they are routed.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_up))
        .routes(routes!(sign_in))
        .routes(routes!(sign_out))
        .routes(routes!(sign_out_everywhere))
        .routes(routes!(me))
        .routes(routes!(verify_email))
        .routes(routes!(forgot_password))
        .routes(routes!(reset_password))
        .routes(routes!(change_password))
}

fn client(addr: SocketAddr) -> ClientContext {
    ClientContext {
        addr: Some(addr.ip().to_string()),
    }
}

async fn signed_in(state: &AppState, session: &Session) -> Result<(CurrentUser, Uuid), AppError> {
    let user = app::auth::require_signed_in(session::current_user(state, session).await?)?;
    let id = Uuid::parse_str(&user.id).map_err(AppError::internal)?;
    Ok((user, id))
}

#[derive(Deserialize, ToSchema)]
struct SignUpBody {
    display_name: String,
    email: String,
    password: String,
}

#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "auth", request_body = SignUpBody,
    responses((status = 202, description = "The account exists (or its owner was told); a verification mail is queued.",
        body = Object, example = json!({"status": "verification_sent"}))))]
/// `202`: the account exists (or its owner was told); a verification mail is queued.
async fn sign_up(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<SignUpBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    service::sign_up(
        &state,
        &client(addr),
        &body.display_name,
        &body.email,
        &body.password,
    )
    .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "status": "verification_sent" })),
    ))
}

#[derive(Deserialize, ToSchema)]
struct SignInBody {
    email: String,
    password: String,
}

#[utoipa::path(post, path = "/api/v1/auth/signin", tag = "auth", request_body = SignInBody,
    responses((status = 200, description = "Signed in; the session cookie is set (a new id).", body = CurrentUser)))]
async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    session: Session,
    ApiJson(body): ApiJson<SignInBody>,
) -> Result<Json<CurrentUser>, AppError> {
    let account_id = service::sign_in(&state, &client(addr), &body.email, &body.password).await?;
    session::start(&session, account_id).await?;
    session::current_user(&state, &session)
        .await?
        .map(Json)
        .ok_or(AppError::Unauthorized)
}

#[utoipa::path(post, path = "/api/v1/auth/signout", tag = "auth",
    responses((status = 204, description = "Signed out (also when no one was signed in).")))]
async fn sign_out(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    session: Session,
) -> Result<StatusCode, AppError> {
    if let Ok((_, id)) = signed_in(&state, &session).await {
        app::auth::audit::record(
            &state.db,
            &client(addr),
            Some(id),
            "auth.sign_out",
            None,
            None,
        )
        .await?;
    }
    session::end(&session).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/auth/signout-everywhere", tag = "auth", security(("session" = [])),
    responses((status = 200, description = "Every session of the account ended.", body = Object,
        example = json!({"sessions_ended": 2}))))]
async fn sign_out_everywhere(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    session: Session,
) -> Result<Json<Value>, AppError> {
    let (_, id) = signed_in(&state, &session).await?;
    let ended = service::sign_out_everywhere(&state, &client(addr), id).await?;
    session::end(&session).await?;
    Ok(Json(json!({ "sessions_ended": ended })))
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("session" = [])),
    responses((status = 200, description = "The signed-in person.", body = CurrentUser)))]
async fn me(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<CurrentUser>, AppError> {
    Ok(Json(signed_in(&state, &session).await?.0))
}

#[derive(Deserialize, ToSchema)]
struct TokenBody {
    token: String,
}

#[utoipa::path(post, path = "/api/v1/auth/verify-email", tag = "auth", request_body = TokenBody,
    responses((status = 200, description = "The address is verified.", body = Object,
        example = json!({"status": "verified"}))))]
async fn verify_email(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<Json<Value>, AppError> {
    service::verify_email(&state, &client(addr), &body.token).await?;
    Ok(Json(json!({ "status": "verified" })))
}

#[derive(Deserialize, ToSchema)]
struct ForgotBody {
    email: String,
}

#[utoipa::path(post, path = "/api/v1/auth/password/forgot", tag = "auth", request_body = ForgotBody,
    responses((status = 202, description = "A reset link was mailed if the address is registered.", body = Object,
        example = json!({"status": "reset_link_sent_if_registered"}))))]
async fn forgot_password(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<ForgotBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    service::request_password_reset(&state, &client(addr), &body.email).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "status": "reset_link_sent_if_registered" })),
    ))
}

#[derive(Deserialize, ToSchema)]
struct ResetBody {
    token: String,
    password: String,
}

#[utoipa::path(post, path = "/api/v1/auth/password/reset", tag = "auth", request_body = ResetBody,
    responses((status = 200, description = "The password is changed; every session ended.", body = Object,
        example = json!({"status": "password_reset"}))))]
async fn reset_password(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    session: Session,
    ApiJson(body): ApiJson<ResetBody>,
) -> Result<Json<Value>, AppError> {
    service::reset_password(&state, &client(addr), &body.token, &body.password).await?;
    session::end(&session).await?;
    Ok(Json(json!({ "status": "password_reset" })))
}

#[derive(Deserialize, ToSchema)]
struct ChangeBody {
    current_password: String,
    new_password: String,
}

#[utoipa::path(post, path = "/api/v1/auth/password/change", tag = "auth", request_body = ChangeBody,
    security(("session" = [])),
    responses((status = 200, description = "The password is changed; other sessions ended.", body = Object,
        example = json!({"status": "password_changed"}))))]
async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    session: Session,
    ApiJson(body): ApiJson<ChangeBody>,
) -> Result<Json<Value>, AppError> {
    let (_, id) = signed_in(&state, &session).await?;
    service::change_password(
        &state,
        &client(addr),
        id,
        &body.current_password,
        &body.new_password,
    )
    .await?;
    session::start(&session, id).await?;
    Ok(Json(json!({ "status": "password_changed" })))
}
