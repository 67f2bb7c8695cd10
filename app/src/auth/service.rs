//! The identity rules: sign-up, sign-in, verification, password reset and change, sign out
//! everywhere, and creating platform admins. Sessions are handled by the caller (server
//! functions and the JSON API) through [`super::session`].

use crate::state::AppState;
use chrono::Utc;
use entity::account;
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    audit::{self, ClientContext},
    password::{hash_password, password_problem},
    session_store::delete_account_sessions,
    throttle::{self, ThrottleKey},
    tokens::{self, TokenPurpose},
    Account, DISPLAY_NAME_MAX_CHARS,
};
use crate::core::{AppError, FieldErrors, FieldErrorsExt};
use crate::mail::templates;

/// Trims and lower-cases an email address and checks its shape.
pub fn normalize_email(raw: &str) -> Result<String, String> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && local.len() <= 64
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if valid {
        Ok(email)
    } else {
        Err("Enter a valid email address, like name@example.com.".into())
    }
}

fn link(state: &AppState, path_and_query: &str) -> String {
    format!(
        "{}{}",
        state.public_url.trim_end_matches('/'),
        path_and_query
    )
}

/// Checks a display name: 1 to 80 characters after trimming.
fn display_name_problem(display_name: &str) -> Option<String> {
    if display_name.is_empty() {
        Some("Tell us your name.".into())
    } else if display_name.chars().count() > DISPLAY_NAME_MAX_CHARS {
        Some(format!("Use at most {DISPLAY_NAME_MAX_CHARS} characters."))
    } else {
        None
    }
}

/// Creates an account and mails a verification link. When the address is already registered,
/// its owner is mailed instead and the caller sees the same answer (no account enumeration).
pub async fn sign_up(
    state: &AppState,
    client: &ClientContext,
    display_name: &str,
    email: &str,
    password: &str,
) -> Result<(), AppError> {
    let mut fields = FieldErrors::new();
    let display_name = display_name.trim();
    if let Some(problem) = display_name_problem(display_name) {
        fields.add("display_name", problem);
    }
    let email = normalize_email(email)
        .map_err(|m| fields.add("email", m))
        .ok();
    if let Some(problem) = password_problem(password, email.as_deref().unwrap_or_default()) {
        fields.add("password", problem);
    }
    let (Some(email), true) = (email, fields.is_empty()) else {
        return Err(AppError::Validation { fields });
    };
    let addr = client.addr_or_unknown();
    throttle::attempt(
        &state.db,
        &[
            ThrottleKey::address("sign_up", addr),
            ThrottleKey::mail_to("sign_up", &email),
        ],
        state.clock.now(),
    )
    .await?;
    // Hashed on both paths, so an existing address cannot be told from a new one by time.
    let password_hash = state.passwords.hash(password.to_owned()).await?;

    if let Some(existing) = find_by_email(&state.db, &email).await? {
        state
            .outbox
            .send(
                &state.db,
                templates::already_registered(
                    &existing.email,
                    &existing.display_name,
                    &link(state, "/signin"),
                    &link(state, "/forgot-password"),
                ),
            )
            .await?;
        audit::record(
            &state.db,
            client,
            None,
            "auth.sign_up_existing",
            Some(&email),
            None,
        )
        .await?;
        return Ok(());
    }

    let now = Utc::now();
    let id = Uuid::now_v7();
    let inserted = account::Entity::insert(account::ActiveModel {
        id: Set(id),
        email: Set(email.clone()),
        display_name: Set(display_name.to_owned()),
        password_hash: Set(password_hash),
        email_verified_at: Set(None),
        is_platform_admin: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(&state.db)
    .await;
    if let Err(err) = inserted {
        // A concurrent sign-up with the same address won the race: same answer as above.
        if crate::core::error::is_taken(&err) {
            return Ok(());
        }
        return Err(err.into());
    }
    send_verification(state, id, &email, display_name).await?;
    audit::record(
        &state.db,
        client,
        Some(id),
        "auth.sign_up",
        Some(&email),
        None,
    )
    .await?;
    Ok(())
}

async fn send_verification(
    state: &AppState,
    account_id: Uuid,
    email: &str,
    display_name: &str,
) -> Result<(), AppError> {
    let token = tokens::issue(&state.db, account_id, TokenPurpose::VerifyEmail).await?;
    let mail = templates::verify_email(
        email,
        display_name,
        &link(state, &format!("/verify-email?token={token}")),
    );
    state.outbox.send(&state.db, mail).await
}

/// Mails a fresh verification link to a signed-in, unverified account.
pub async fn resend_verification(state: &AppState, account_id: Uuid) -> Result<(), AppError> {
    let account = account::Entity::find_by_id(account_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if account.email_verified_at.is_some() {
        return Err(AppError::Conflict {
            message: "Your email address is already verified.".into(),
        });
    }
    throttle::attempt(
        &state.db,
        &[ThrottleKey::mail_to("verify", &account.email)],
        state.clock.now(),
    )
    .await?;
    send_verification(state, account.id, &account.email, &account.display_name).await
}

/// Checks credentials, with throttling and a constant-time answer. Returns the account.
pub async fn sign_in(
    state: &AppState,
    client: &ClientContext,
    email: &str,
    password: &str,
) -> Result<Account, AppError> {
    let email = email.trim().to_lowercase();
    if email.is_empty()
        || password.is_empty()
        || email.len() > 254
        || password.chars().count() > 1024
    {
        return Err(AppError::InvalidCredentials);
    }
    let addr = client.addr_or_unknown();
    let keys = [
        ThrottleKey::account_from("sign_in", &email, addr),
        ThrottleKey::address("sign_in", addr),
        ThrottleKey::account("sign_in", &email),
    ];
    // Counted before the password is checked: parallel guesses each count.
    throttle::attempt(&state.db, &keys, state.clock.now()).await?;
    let account = find_by_email(&state.db, &email).await?;
    let matches = state
        .passwords
        .verify(
            password.to_owned(),
            account.as_ref().map(|a| a.password_hash.clone()),
        )
        .await?;
    match account {
        Some(account) if matches => {
            // A success clears this address's pair and the account-wide count, and gives back
            // its own attempt on the address key (which guards other accounts too).
            throttle::clear(&state.db, &[keys[0].clone(), keys[2].clone()]).await?;
            throttle::forgive(&state.db, &keys[1]).await?;
            audit::record(
                &state.db,
                client,
                Some(account.id),
                "auth.sign_in",
                Some(&email),
                None,
            )
            .await?;
            Ok(Account::from(&account))
        }
        account => {
            audit::record(
                &state.db,
                client,
                None,
                "auth.sign_in_failed",
                Some(&email),
                Some(json!({ "known_account": account.is_some() })),
            )
            .await?;
            Err(AppError::InvalidCredentials)
        }
    }
}

/// Marks `account_id`'s address verified (once: a later call keeps the first time). Also
/// called when someone accepts a brand invite mailed to that address.
pub async fn mark_email_verified(
    db: &impl ConnectionTrait,
    account_id: Uuid,
) -> Result<(), AppError> {
    let now = Utc::now();
    account::Entity::update_many()
        .col_expr(account::Column::EmailVerifiedAt, Expr::value(now))
        .col_expr(account::Column::UpdatedAt, Expr::value(now))
        .filter(account::Column::Id.eq(account_id))
        .filter(account::Column::EmailVerifiedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Spends a verification token and marks the account verified.
pub async fn verify_email(
    state: &AppState,
    client: &ClientContext,
    token: &str,
) -> Result<Uuid, AppError> {
    let account_id = tokens::consume(&state.db, token, TokenPurpose::VerifyEmail).await?;
    mark_email_verified(&state.db, account_id).await?;
    audit::record(
        &state.db,
        client,
        Some(account_id),
        "auth.email_verified",
        None,
        None,
    )
    .await?;
    Ok(account_id)
}

/// Mails a reset link when the address has an account; answers the same either way.
pub async fn request_password_reset(
    state: &AppState,
    client: &ClientContext,
    email: &str,
) -> Result<(), AppError> {
    let email = normalize_email(email).map_err(|m| AppError::field("email", m))?;
    let addr = client.addr_or_unknown();
    let keys = [
        ThrottleKey::account_from("reset", &email, addr),
        ThrottleKey::address("reset", addr),
    ];
    // Every request counts: resets are rare, and this caps mail sent to any one inbox.
    throttle::attempt(&state.db, &keys, state.clock.now()).await?;
    if let Some(account) = find_by_email(&state.db, &email).await? {
        let token = tokens::issue(&state.db, account.id, TokenPurpose::ResetPassword).await?;
        let mail = templates::password_reset(
            &account.email,
            &account.display_name,
            &link(state, &format!("/reset-password?token={token}")),
        );
        state.outbox.send(&state.db, mail).await?;
    }
    audit::record(
        &state.db,
        client,
        None,
        "auth.password_reset_requested",
        Some(&email),
        None,
    )
    .await?;
    Ok(())
}

/// Sets a new password with a reset token and ends every session of the account.
pub async fn reset_password(
    state: &AppState,
    client: &ClientContext,
    token: &str,
    new_password: &str,
) -> Result<Uuid, AppError> {
    // Validate before spending the token, so a weak password does not burn the link.
    let account_id = {
        let hash = tokens::digest(token);
        let row = entity::auth_token::Entity::find()
            .filter(entity::auth_token::Column::TokenHash.eq(hash))
            .one(&state.db)
            .await?
            .ok_or(AppError::InvalidToken)?;
        row.account_id
    };
    let account = account::Entity::find_by_id(account_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::InvalidToken)?;
    if let Some(problem) = password_problem(new_password, &account.email) {
        return Err(AppError::field("password", problem));
    }
    let spent_for = tokens::consume(&state.db, token, TokenPurpose::ResetPassword).await?;
    debug_assert_eq!(spent_for, account_id);
    set_password(state, &account, new_password).await?;
    delete_account_sessions(&state.db, account_id).await?;
    audit::record(
        &state.db,
        client,
        Some(account_id),
        "auth.password_reset",
        Some(&account.email),
        None,
    )
    .await?;
    Ok(account_id)
}

/// Changes the password of a signed-in account after checking the current one. Other sessions
/// are ended; the caller keeps its own (with a new id).
pub async fn change_password(
    state: &AppState,
    client: &ClientContext,
    account_id: Uuid,
    current_password: &str,
    new_password: &str,
) -> Result<(), AppError> {
    let account = account::Entity::find_by_id(account_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let keys = [ThrottleKey::account_from(
        "change_password",
        &account.email,
        client.addr_or_unknown(),
    )];
    throttle::attempt(&state.db, &keys, state.clock.now()).await?;
    if !state
        .passwords
        .verify(
            current_password.to_owned(),
            Some(account.password_hash.clone()),
        )
        .await?
    {
        return Err(AppError::field(
            "current_password",
            "Your current password is not correct.",
        ));
    }
    if let Some(problem) = password_problem(new_password, &account.email) {
        return Err(AppError::field("new_password", problem));
    }
    set_password(state, &account, new_password).await?;
    throttle::clear(&state.db, &keys).await?;
    delete_account_sessions(&state.db, account_id).await?;
    audit::record(
        &state.db,
        client,
        Some(account_id),
        "auth.password_changed",
        None,
        None,
    )
    .await?;
    Ok(())
}

async fn set_password(
    state: &AppState,
    account: &account::Model,
    new_password: &str,
) -> Result<(), AppError> {
    let hash = state.passwords.hash(new_password.to_owned()).await?;
    account::Entity::update_many()
        .col_expr(account::Column::PasswordHash, Expr::value(hash))
        .col_expr(account::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(account::Column::Id.eq(account.id))
        .exec(&state.db)
        .await?;
    // A reset link mailed before this change must not undo it.
    tokens::revoke(&state.db, account.id, TokenPurpose::ResetPassword).await?;
    let mail = templates::password_changed(
        &account.email,
        &account.display_name,
        &link(state, "/forgot-password"),
    );
    state.outbox.send(&state.db, mail).await
}

/// Renames the account (the name shown in the header, mails and brand teams).
pub async fn update_profile(
    state: &AppState,
    account_id: Uuid,
    display_name: &str,
) -> Result<(), AppError> {
    let display_name = display_name.trim();
    if let Some(problem) = display_name_problem(display_name) {
        return Err(AppError::field("display_name", problem));
    }
    account::Entity::update_many()
        .col_expr(account::Column::DisplayName, Expr::value(display_name))
        .col_expr(account::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(account::Column::Id.eq(account_id))
        .exec(&state.db)
        .await?;
    Ok(())
}

/// Ends every session of the account, on every device.
pub async fn sign_out_everywhere(
    state: &AppState,
    client: &ClientContext,
    account_id: Uuid,
) -> Result<u64, AppError> {
    let ended = delete_account_sessions(&state.db, account_id).await?;
    audit::record(
        &state.db,
        client,
        Some(account_id),
        "auth.sign_out_everywhere",
        None,
        Some(json!({ "sessions": ended })),
    )
    .await?;
    Ok(ended)
}

/// A demo account for `gala seed`'s ready-made sign-ins: created verified with `password`,
/// or, when `email` has an account already, given `password` (its sessions end) and the
/// platform-admin flag. Only the seed calls this, for its own demo addresses.
pub async fn set_up_demo_account(
    db: &DatabaseConnection,
    email: &str,
    display_name: &str,
    password: &str,
    platform_admin: bool,
) -> Result<Uuid, AppError> {
    let email = normalize_email(email).map_err(|m| AppError::field("email", m))?;
    if let Some(problem) = password_problem(password, &email) {
        return Err(AppError::field("password", problem));
    }
    let hash = hash_password(password.to_owned()).await?;
    let now = Utc::now();
    if let Some(existing) = find_by_email(db, &email).await? {
        account::Entity::update_many()
            .col_expr(account::Column::PasswordHash, Expr::value(hash))
            .col_expr(
                account::Column::IsPlatformAdmin,
                Expr::value(platform_admin),
            )
            .col_expr(account::Column::UpdatedAt, Expr::value(now))
            .filter(account::Column::Id.eq(existing.id))
            .exec(db)
            .await?;
        mark_email_verified(db, existing.id).await?;
        delete_account_sessions(db, existing.id).await?;
        return Ok(existing.id);
    }
    let id = Uuid::now_v7();
    account::Entity::insert(account::ActiveModel {
        id: Set(id),
        email: Set(email),
        display_name: Set(display_name.chars().take(DISPLAY_NAME_MAX_CHARS).collect()),
        password_hash: Set(hash),
        email_verified_at: Set(Some(now)),
        is_platform_admin: Set(platform_admin),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// Creates a verified platform admin (from the CLI), or promotes an existing account.
pub async fn create_platform_admin(
    db: &DatabaseConnection,
    email: &str,
    display_name: &str,
    password: &str,
) -> Result<Uuid, AppError> {
    let email = normalize_email(email).map_err(|m| AppError::field("email", m))?;
    let client = ClientContext {
        addr: Some("cli".into()),
    };
    if let Some(existing) = find_by_email(db, &email).await? {
        account::Entity::update_many()
            .col_expr(account::Column::IsPlatformAdmin, Expr::value(true))
            .col_expr(account::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(account::Column::Id.eq(existing.id))
            .exec(db)
            .await?;
        audit::record(
            db,
            &client,
            None,
            "auth.role_granted",
            Some(&email),
            Some(json!({ "role": "platform_admin" })),
        )
        .await?;
        return Ok(existing.id);
    }
    if let Some(problem) = password_problem(password, &email) {
        return Err(AppError::field("password", problem));
    }
    let now = Utc::now();
    let id = Uuid::now_v7();
    account::Entity::insert(account::ActiveModel {
        id: Set(id),
        email: Set(email.clone()),
        display_name: Set(display_name
            .trim()
            .chars()
            .take(DISPLAY_NAME_MAX_CHARS)
            .collect()),
        password_hash: Set(hash_password(password.to_owned()).await?),
        email_verified_at: Set(Some(now)),
        is_platform_admin: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    audit::record(
        db,
        &client,
        None,
        "auth.role_granted",
        Some(&email),
        Some(json!({ "role": "platform_admin" })),
    )
    .await?;
    Ok(id)
}

async fn find_by_email(
    db: &DatabaseConnection,
    email: &str,
) -> Result<Option<account::Model>, AppError> {
    Ok(account::Entity::find()
        .filter(account::Column::Email.eq(email))
        .one(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::normalize_email;

    #[test]
    fn emails_are_trimmed_lowercased_and_checked() {
        assert_eq!(
            normalize_email("  Mia.Wong@Gala.TEST ").unwrap(),
            "mia.wong@gala.test"
        );
        for bad in [
            "",
            "mia",
            "mia@",
            "@gala.test",
            "mia@gala",
            "mia wong@gala.test",
            "a@b@c.de",
            "mia@.test",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?} accepted");
        }
    }
}
