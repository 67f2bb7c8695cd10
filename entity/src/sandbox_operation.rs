//! `sandbox_operation`: the sandbox payment provider's own book of captures and refunds, keyed
//! by the caller's idempotency key (a real processor keeps this on its side).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sandbox_operation")]
pub struct Model {
    /// The idempotency key the caller sent.
    #[sea_orm(primary_key, auto_increment = false)]
    pub idempotency_key: String,
    /// `capture` or `refund`.
    pub kind: String,
    /// The authorisation the operation was on.
    pub reference: String,
    pub amount_minor: i64,
    /// What the sandbox answered the first time (a refund's reference, or `captured`).
    pub result: String,
    /// How many calls carried this key (the first one and its retries).
    pub calls: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
