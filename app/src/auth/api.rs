//! Server functions behind the identity pages: authorise, call the service, map the error.

use leptos::prelude::*;

use super::CurrentUser;
use crate::core::AppError;

/// The signed-in person, or `None`.
#[server(prefix = "/api/fn", endpoint = "auth/me")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    let (_, caller) = crate::state::request().await?;
    Ok(caller.user())
}

/// Creates an account; the verification link goes out by mail.
#[server(prefix = "/api/fn", endpoint = "auth/sign-up")]
pub async fn sign_up(
    display_name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    let (state, caller) = crate::state::request().await?;
    super::service::sign_up(&state, caller.client(), &display_name, &email, &password).await
}

/// Signs in and starts a fresh session. A form posted without the page's script is sent on
/// to `next` — only if it is a path on Gala ([`crate::core::links::local_path`]) — or to the
/// account page.
#[server(prefix = "/api/fn", endpoint = "auth/sign-in")]
pub async fn sign_in(
    email: String,
    password: String,
    #[server(default)] next: Option<String>,
) -> Result<CurrentUser, AppError> {
    let (state, caller) = crate::state::request().await?;
    let account = super::service::sign_in(&state, caller.client(), &email, &password).await?;
    super::session::start(caller.session(), account.id).await?;
    if caller.wants_page() {
        let next = next.as_deref().and_then(crate::core::links::local_path);
        leptos_axum::redirect(next.as_deref().unwrap_or("/account"));
    }
    Ok(account.view())
}

/// Signs out of this session.
#[server(prefix = "/api/fn", endpoint = "auth/sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    let (state, caller) = crate::state::request().await?;
    if let Some(account) = caller.account() {
        super::audit::record(
            &state.db,
            caller.client(),
            Some(account.id),
            "auth.sign_out",
            None,
            None,
        )
        .await?;
    }
    super::session::end(caller.session()).await
}

/// Ends every session of the signed-in account, this one included.
#[server(prefix = "/api/fn", endpoint = "auth/sign-out-everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    let (state, caller) = crate::state::request().await?;
    let account_id = caller.signed_in()?.id;
    super::service::sign_out_everywhere(&state, caller.client(), account_id).await?;
    super::session::end(caller.session()).await
}

/// Spends an email-verification link.
#[server(prefix = "/api/fn", endpoint = "auth/verify-email")]
pub async fn verify_email(token: String) -> Result<(), AppError> {
    let (state, caller) = crate::state::request().await?;
    super::service::verify_email(&state, caller.client(), &token)
        .await
        .map(|_| ())
}

/// Mails a new verification link to the signed-in account.
#[server(prefix = "/api/fn", endpoint = "auth/resend-verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    let (state, caller) = crate::state::request().await?;
    let account_id = caller.signed_in()?.id;
    super::service::resend_verification(&state, account_id).await
}

/// Mails a password-reset link if the address has an account (same answer either way).
#[server(prefix = "/api/fn", endpoint = "auth/forgot-password")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    let (state, caller) = crate::state::request().await?;
    super::service::request_password_reset(&state, caller.client(), &email).await
}

/// Sets a new password with a mailed reset link; every session of the account ends.
#[server(prefix = "/api/fn", endpoint = "auth/reset-password")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    let (state, caller) = crate::state::request().await?;
    super::service::reset_password(&state, caller.client(), &token, &password).await?;
    super::session::end(caller.session()).await
}

/// Changes the signed-in account's password; other sessions end, this one gets a new id.
#[server(prefix = "/api/fn", endpoint = "auth/change-password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    let (state, caller) = crate::state::request().await?;
    let account_id = caller.signed_in()?.id;
    super::service::change_password(
        &state,
        caller.client(),
        account_id,
        &current_password,
        &new_password,
    )
    .await?;
    super::session::start(caller.session(), account_id).await
}

/// Renames the signed-in account.
#[server(prefix = "/api/fn", endpoint = "auth/profile")]
pub async fn update_profile(display_name: String) -> Result<(), AppError> {
    let (state, caller) = crate::state::request().await?;
    let account_id = caller.signed_in()?.id;
    super::service::update_profile(&state, account_id, &display_name).await
}
