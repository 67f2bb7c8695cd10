//! `brand_api_token`: bearer tokens a brand's own systems use against `/api/v1`.

use sea_orm::entity::prelude::*;

use crate::values::TokenScope;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "brand_api_token")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub brand_id: Uuid,
    /// The owner's label for it ("ERP sync").
    pub name: String,
    /// `read` or `write`.
    pub scope: TokenScope,
    /// SHA-256 of the token; the token itself is shown once, at creation.
    #[sea_orm(unique)]
    pub token_hash: String,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
