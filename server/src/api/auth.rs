//! `/api/v1/auth/...`: the identity API for mobile apps (cookie sessions, like the web pages).

use std::net::SocketAddr;

use app::{
    auth::{audit::ClientContext, service, session, CurrentUser},
    core::{state::AppState, AppError},
};
use axum::{
    extract::{ConnectInfo, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use serde_json::{json, Value};
use tower_sessions::Session;
use uuid::Uuid;

use super::ApiJson;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/signup", post(sign_up))
        .route("/signin", post(sign_in))
        .route("/signout", post(sign_out))
        .route("/signout-everywhere", post(sign_out_everywhere))
        .route("/me", get(me))
        .route("/verify-email", post(verify_email))
        .route("/password/forgot", post(forgot_password))
        .route("/password/reset", post(reset_password))
        .route("/password/change", post(change_password))
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

#[derive(Deserialize)]
struct SignUpBody {
    display_name: String,
    email: String,
    password: String,
}

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

#[derive(Deserialize)]
struct SignInBody {
    email: String,
    password: String,
}

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

async fn me(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<CurrentUser>, AppError> {
    Ok(Json(signed_in(&state, &session).await?.0))
}

#[derive(Deserialize)]
struct TokenBody {
    token: String,
}

async fn verify_email(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<Json<Value>, AppError> {
    service::verify_email(&state, &client(addr), &body.token).await?;
    Ok(Json(json!({ "status": "verified" })))
}

#[derive(Deserialize)]
struct ForgotBody {
    email: String,
}

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

#[derive(Deserialize)]
struct ResetBody {
    token: String,
    password: String,
}

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

#[derive(Deserialize)]
struct ChangeBody {
    current_password: String,
    new_password: String,
}

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
