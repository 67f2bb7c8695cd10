//! `stock_movement`: the stock ledger. The sums of a SKU's deltas at a location always equal
//! its `stock_level` there.

use sea_orm::entity::prelude::*;

use crate::values::MovementKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stock_movement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub brand_id: Uuid,
    pub sku_id: Uuid,
    pub location_id: Uuid,
    /// `receive`, `adjust`, `transfer_out`, `transfer_in`, `reserve`, `release` or `sell`.
    pub kind: MovementKind,
    pub on_hand_delta: i64,
    pub reserved_delta: i64,
    /// Why, in the words of whoever made the change.
    pub reason: String,
    /// Who (none for the system, e.g. an expired reservation).
    pub actor_account_id: Option<Uuid>,
    /// What it belongs to (an order id, a transfer id, an import job).
    pub reference: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
