//! Single-use, expiring tokens for mailed links. The link carries 256 random bits; the database
//! keeps only their SHA-256, so a leaked table cannot be turned into working links.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{Duration, Utc};
use entity::auth_token;
use rand::RngCore;
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::core::AppError;

/// What a token lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::VerifyEmail => "verify_email",
            TokenPurpose::ResetPassword => "reset_password",
        }
    }

    /// How long a mailed link stays valid.
    pub fn lifetime(self) -> Duration {
        match self {
            TokenPurpose::VerifyEmail => Duration::hours(48),
            TokenPurpose::ResetPassword => Duration::hours(1),
        }
    }
}

/// SHA-256 of a secret, hex-encoded (64 characters).
pub fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A fresh 256-bit secret, URL-safe base64 (43 characters).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Creates a token for `account_id` and returns the secret to put in the link.
pub async fn issue(
    db: &impl ConnectionTrait,
    account_id: Uuid,
    purpose: TokenPurpose,
) -> Result<String, AppError> {
    let secret = new_secret();
    let now = Utc::now();
    auth_token::Entity::insert(auth_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account_id),
        purpose: Set(purpose.as_str().to_owned()),
        token_hash: Set(digest(&secret)),
        expires_at: Set(now + purpose.lifetime()),
        used_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(secret)
}

/// Spends a token: marks it used in one conditional UPDATE (so two concurrent uses cannot both
/// succeed) and returns its account. Unknown, used and expired tokens are all `InvalidToken`.
pub async fn consume(
    db: &impl ConnectionTrait,
    secret: &str,
    purpose: TokenPurpose,
) -> Result<Uuid, AppError> {
    if secret.is_empty() || secret.len() > 100 {
        return Err(AppError::InvalidToken);
    }
    let hash = digest(secret);
    let now = Utc::now();
    let updated = auth_token::Entity::update_many()
        .col_expr(auth_token::Column::UsedAt, Expr::value(now))
        .filter(auth_token::Column::TokenHash.eq(hash.clone()))
        .filter(auth_token::Column::Purpose.eq(purpose.as_str()))
        .filter(auth_token::Column::UsedAt.is_null())
        .filter(auth_token::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(AppError::InvalidToken);
    }
    let token = auth_token::Entity::find()
        .filter(auth_token::Column::TokenHash.eq(hash))
        .one(db)
        .await?
        .ok_or(AppError::InvalidToken)?;
    Ok(token.account_id)
}

/// Spends every unused `purpose` token of `account_id` (a password was changed: reset links
/// mailed earlier must not undo it).
pub async fn revoke(
    db: &impl ConnectionTrait,
    account_id: Uuid,
    purpose: TokenPurpose,
) -> Result<(), AppError> {
    auth_token::Entity::update_many()
        .col_expr(auth_token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(auth_token::Column::AccountId.eq(account_id))
        .filter(auth_token::Column::Purpose.eq(purpose.as_str()))
        .filter(auth_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
