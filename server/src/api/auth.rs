//! `/api/v1/auth/...`: the identity API for mobile apps (cookie sessions, like the web pages).

use app::state::AppState;
use app::{
    auth::{service, session, Caller, CurrentUser},
    core::AppError,
};
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

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
    caller: Caller,
    ApiJson(body): ApiJson<SignUpBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    service::sign_up(
        &state,
        caller.client(),
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
    caller: Caller,
    ApiJson(body): ApiJson<SignInBody>,
) -> Result<Json<CurrentUser>, AppError> {
    let account = service::sign_in(&state, caller.client(), &body.email, &body.password).await?;
    session::start(caller.session(), account.id).await?;
    Ok(Json(account.view()))
}

#[utoipa::path(post, path = "/api/v1/auth/signout", tag = "auth",
    responses((status = 204, description = "Signed out (also when no one was signed in).")))]
async fn sign_out(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, AppError> {
    if let Some(account) = caller.account() {
        app::auth::audit::record(
            &state.db,
            caller.client(),
            Some(account.id),
            "auth.sign_out",
            None,
            None,
        )
        .await?;
    }
    session::end(caller.session()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/auth/signout-everywhere", tag = "auth", security(("session" = [])),
    responses((status = 200, description = "Every session of the account ended.", body = Object,
        example = json!({"sessions_ended": 2}))))]
async fn sign_out_everywhere(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, AppError> {
    let id = caller.signed_in()?.id;
    let ended = service::sign_out_everywhere(&state, caller.client(), id).await?;
    session::end(caller.session()).await?;
    Ok(Json(json!({ "sessions_ended": ended })))
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("session" = [])),
    responses((status = 200, description = "The signed-in person.", body = CurrentUser)))]
async fn me(caller: Caller) -> Result<Json<CurrentUser>, AppError> {
    Ok(Json(caller.signed_in()?.view()))
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
    caller: Caller,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<Json<Value>, AppError> {
    service::verify_email(&state, caller.client(), &body.token).await?;
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
    caller: Caller,
    ApiJson(body): ApiJson<ForgotBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    service::request_password_reset(&state, caller.client(), &body.email).await?;
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
    caller: Caller,
    ApiJson(body): ApiJson<ResetBody>,
) -> Result<Json<Value>, AppError> {
    service::reset_password(&state, caller.client(), &body.token, &body.password).await?;
    session::end(caller.session()).await?;
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
    caller: Caller,
    ApiJson(body): ApiJson<ChangeBody>,
) -> Result<Json<Value>, AppError> {
    let id = caller.signed_in()?.id;
    service::change_password(
        &state,
        caller.client(),
        id,
        &body.current_password,
        &body.new_password,
    )
    .await?;
    session::start(caller.session(), id).await?;
    Ok(Json(json!({ "status": "password_changed" })))
}
