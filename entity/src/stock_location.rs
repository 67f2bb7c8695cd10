//! `stock_location`: a place a brand keeps stock (a warehouse now; pop-up stores later).

use sea_orm::entity::prelude::*;

use crate::values::LocationKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stock_location")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub brand_id: Uuid,
    pub name: String,
    /// `warehouse`, or `show` / `presale` for stock set aside (stores come with pop-up stores).
    pub kind: LocationKind,
    /// Stock here is set aside for this show or pre-sale campaign (`kind` says which): only
    /// its buyers draw on it until it ends.
    pub set_aside_for: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
