//! Server functions behind the identity pages: authorise, call the service, map the error.

use leptos::prelude::*;

use super::CurrentUser;
use crate::core::AppError;

/// The signed-in person, or `None`.
#[server(prefix = "/api/fn", endpoint = "auth/me")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    super::request::RequestContext::load().await?.user().await
}

/// Creates an account; the verification link goes out by mail.
#[server(prefix = "/api/fn", endpoint = "auth/sign-up")]
pub async fn sign_up(
    display_name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    let request = super::request::RequestContext::load().await?;
    super::service::sign_up(
        &request.state,
        &request.client,
        &display_name,
        &email,
        &password,
    )
    .await
}

/// Signs in and starts a fresh session.
#[server(prefix = "/api/fn", endpoint = "auth/sign-in")]
pub async fn sign_in(email: String, password: String) -> Result<CurrentUser, AppError> {
    let request = super::request::RequestContext::load().await?;
    let account_id =
        super::service::sign_in(&request.state, &request.client, &email, &password).await?;
    super::session::start(&request.session, account_id).await?;
    request.user().await?.ok_or(AppError::Unauthorized)
}

/// Signs out of this session.
#[server(prefix = "/api/fn", endpoint = "auth/sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    let request = super::request::RequestContext::load().await?;
    if let Some(user) = request.user().await? {
        super::audit::record(
            &request.state.db,
            &request.client,
            uuid::Uuid::parse_str(&user.id).ok(),
            "auth.sign_out",
            None,
            None,
        )
        .await?;
    }
    super::session::end(&request.session).await
}

/// Ends every session of the signed-in account, this one included.
#[server(prefix = "/api/fn", endpoint = "auth/sign-out-everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    let request = super::request::RequestContext::load().await?;
    let (_, account_id) = request.signed_in_account().await?;
    super::service::sign_out_everywhere(&request.state, &request.client, account_id).await?;
    super::session::end(&request.session).await
}

/// Spends an email-verification link.
#[server(prefix = "/api/fn", endpoint = "auth/verify-email")]
pub async fn verify_email(token: String) -> Result<(), AppError> {
    let request = super::request::RequestContext::load().await?;
    super::service::verify_email(&request.state, &request.client, &token)
        .await
        .map(|_| ())
}

/// Mails a new verification link to the signed-in account.
#[server(prefix = "/api/fn", endpoint = "auth/resend-verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    let request = super::request::RequestContext::load().await?;
    let (_, account_id) = request.signed_in_account().await?;
    super::service::resend_verification(&request.state, account_id).await
}

/// Mails a password-reset link if the address has an account (same answer either way).
#[server(prefix = "/api/fn", endpoint = "auth/forgot-password")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    let request = super::request::RequestContext::load().await?;
    super::service::request_password_reset(&request.state, &request.client, &email).await
}

/// Sets a new password with a mailed reset link; every session of the account ends.
#[server(prefix = "/api/fn", endpoint = "auth/reset-password")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    let request = super::request::RequestContext::load().await?;
    super::service::reset_password(&request.state, &request.client, &token, &password).await?;
    super::session::end(&request.session).await
}

/// Changes the signed-in account's password; other sessions end, this one gets a new id.
#[server(prefix = "/api/fn", endpoint = "auth/change-password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    let request = super::request::RequestContext::load().await?;
    let (_, account_id) = request.signed_in_account().await?;
    super::service::change_password(
        &request.state,
        &request.client,
        account_id,
        &current_password,
        &new_password,
    )
    .await?;
    super::session::start(&request.session, account_id).await
}

/// Renames the signed-in account.
#[server(prefix = "/api/fn", endpoint = "auth/profile")]
pub async fn update_profile(display_name: String) -> Result<(), AppError> {
    let request = super::request::RequestContext::load().await?;
    let (_, account_id) = request.signed_in_account().await?;
    super::service::update_profile(&request.state, account_id, &display_name).await
}
