//! `show_look_item`: a SKU a look reveals; exclusive ones are sold only through the show.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "show_look_item")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub look_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub sku_id: Uuid,
    pub exclusive: bool,
    pub position: i32,
    /// Units set aside for this drop (at the show's stock location); none: the drop sells
    /// the SKU's open stock.
    pub drop_stock: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
