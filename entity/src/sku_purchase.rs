//! `sku_purchase`: units of a SKU a buyer holds in live orders, for per-buyer purchase limits.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sku_purchase")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub sku_id: Uuid,
    /// `email:<normalised address>`: one person, signed in or not.
    #[sea_orm(primary_key, auto_increment = false)]
    pub buyer_key: String,
    pub quantity: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
