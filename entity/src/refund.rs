//! `refund`: money a brand gives back on part of an order, and what the payment provider
//! answered. Written by fulfilment; the charge it refunds is the order's `payment`.
use sea_orm::entity::prelude::*;

use crate::values::RefundStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refund")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    /// The brand's part of the order it refunds (none for refunds recorded before 2026-12).
    pub brand_order_id: Option<Uuid>,
    /// The provider's name (`sandbox`).
    pub provider: String,
    /// `pending` (the provider has not confirmed it yet) or `succeeded`.
    pub status: RefundStatus,
    /// The provider's id for the refund, once it took it.
    pub reference: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The node call that owns this row's provider call until `claimed_until` (a lease).
    pub claim_token: Option<Uuid>,
    /// When the claim lapses and another node may take the row over.
    pub claimed_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
