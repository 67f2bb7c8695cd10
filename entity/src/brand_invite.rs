//! `brand_invite`: an invitation to join a brand's team, redeemed once through a mailed link.

use sea_orm::entity::prelude::*;

use crate::values::BrandRole;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "brand_invite")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub brand_id: Uuid,
    /// Lower-cased address the invitation was sent to; only that account can accept it.
    pub email: String,
    /// `manager` or `staff`.
    pub role: BrandRole,
    /// SHA-256 of the link's secret.
    #[sea_orm(unique)]
    pub token_hash: String,
    pub invited_by: Uuid,
    pub expires_at: DateTimeUtc,
    pub accepted_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
