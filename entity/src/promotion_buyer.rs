//! `promotion_buyer`: one buyer's coupons claimed and orders placed with one promotion, for its
//! per-buyer limits. Written only by `promotions::budget`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "promotion_buyer")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub lineage_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    pub claimed: i64,
    pub used: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
