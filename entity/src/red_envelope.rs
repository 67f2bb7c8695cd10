//! `red_envelope`: a platform-funded amount one buyer won, redeemed at checkout.
use sea_orm::entity::prelude::*;

use crate::values::EnvelopeStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "red_envelope")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub pool_id: Uuid,
    pub account_id: Uuid,
    /// The moment it was won in.
    pub moment: String,
    pub amount_minor: i64,
    pub currency: String,
    pub status: EnvelopeStatus,
    /// The order holding or using it.
    pub order_id: Option<Uuid>,
    pub won_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
