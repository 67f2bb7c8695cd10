//! `promotion_budget`: what a promotion (all its versions) has used — orders, money given away,
//! coupons claimed. Each counter moves by one conditional update against the live version's
//! limit; written only by `promotions::budget`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "promotion_budget")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub lineage_id: Uuid,
    /// The funding brand (none: the platform), so a brand's scope can read its own.
    pub brand_id: Option<Uuid>,
    pub uses: i64,
    pub spent_minor: i64,
    pub claimed: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
