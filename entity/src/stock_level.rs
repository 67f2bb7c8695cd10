//! `stock_level`: how many units of a SKU are at a location: on hand, and reserved for orders
//! not yet paid. Available = on hand − reserved. Every change is also a `stock_movement`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stock_level")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub sku_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub location_id: Uuid,
    pub brand_id: Uuid,
    pub on_hand: i64,
    pub reserved: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
