//! API tokens: owners create and revoke bearer tokens for their brand's own systems. A token
//! is shown once; only its SHA-256 is stored. Using one: [`super::BrandScope::resolve`].

use crate::state::AppState;
use entity::brand_api_token;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use super::{ApiTokenInfo, BrandScope, CreatedApiToken, TokenScope};
use crate::auth::{audit::ClientContext, tokens};
use crate::core::{time, AppError};

/// Prefix that makes Gala tokens recognisable (e.g. by secret scanners).
pub const TOKEN_PREFIX: &str = "gala_";

fn info(row: &brand_api_token::Model) -> ApiTokenInfo {
    ApiTokenInfo {
        id: row.id.to_string(),
        name: row.name.clone(),
        scope: if row.scope == TokenScope::Write {
            TokenScope::Write
        } else {
            TokenScope::Read
        },
        created_at: row.created_at,
        last_used_at: row.last_used_at,
        revoked: row.revoked_at.is_some(),
    }
}

/// Creates a token; the answer carries the secret, this once.
pub async fn create(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    name: &str,
    token_scope: TokenScope,
) -> Result<CreatedApiToken, AppError> {
    let name = name.trim();
    if !(1..=80).contains(&name.chars().count()) {
        return Err(AppError::field(
            "name",
            "Name the token (1 to 80 characters), e.g. \"ERP sync\".",
        ));
    }
    let token = format!("{TOKEN_PREFIX}{}", tokens::new_secret());
    let row = brand_api_token::Model {
        id: Uuid::now_v7(),
        brand_id: scope.brand_id(),
        name: name.to_owned(),
        scope: token_scope,
        token_hash: tokens::digest(&token),
        created_by: scope.account_id(),
        created_at: time::now(),
        last_used_at: None,
        revoked_at: None,
    };
    // Every column is written: `reset_all` marks the values of a plain model as set.
    brand_api_token::Entity::insert(row.clone().into_active_model().reset_all())
        .exec_without_returning(&state.db)
        .await?;
    scope
        .audit(
            &state.db,
            client,
            "brand.api_token_created",
            name,
            json!({ "scope": token_scope.as_str() }),
        )
        .await?;
    Ok(CreatedApiToken {
        info: info(&row),
        token,
    })
}

/// The brand's tokens (without secrets), newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
) -> Result<Vec<ApiTokenInfo>, AppError> {
    let rows = scope
        .find::<brand_api_token::Entity>()
        .order_by_desc(brand_api_token::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(rows.iter().map(info).collect())
}

/// Revokes a token of this brand; it stops working at once.
pub async fn revoke(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    id: Uuid,
) -> Result<(), AppError> {
    let updated = scope
        .update_many::<brand_api_token::Entity>()
        .col_expr(brand_api_token::Column::RevokedAt, Expr::value(time::now()))
        .filter(brand_api_token::Column::Id.eq(id))
        .filter(brand_api_token::Column::RevokedAt.is_null())
        .exec(&state.db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(AppError::NotFound);
    }
    scope
        .audit(
            &state.db,
            client,
            "brand.api_token_revoked",
            &id.to_string(),
            json!({}),
        )
        .await
}
