//! `payment`: what the payment provider was asked and answered for an order.
use sea_orm::entity::prelude::*;

use crate::values::PaymentStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    /// The provider's name (`sandbox`).
    pub provider: String,
    /// `pending`, `authorized`, `captured`, `declined`, `voided`, `refunded`.
    pub status: PaymentStatus,
    /// The provider's id for this payment.
    pub reference: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    /// The provider's decline code (`card_declined`, `insufficient_funds`, ...).
    pub failure_code: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
