//! `cart_line`: units of one SKU in a cart. Prices are not kept: the cart always shows, and
//! checkout always charges, the catalog's current price.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cart_line")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cart_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub sku_id: Uuid,
    pub quantity: i64,
    pub added_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
