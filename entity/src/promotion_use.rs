//! `promotion_use`: what one order took from one promotion for one selling brand — the
//! settlement's rows, and the record that lets a lapsed or cancelled order give its use back
//! exactly once (`returned_at`). Written only by `promotions::budget`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "promotion_use")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub order_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub lineage_id: Uuid,
    /// The brand whose lines were discounted.
    #[sea_orm(primary_key, auto_increment = false)]
    pub brand_id: Uuid,
    /// Who paid for it: that brand, or (none) the platform.
    pub funder_brand_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub coupon_id: Option<Uuid>,
    /// What the discount took off, in minor units (positive).
    pub amount_minor: i64,
    pub currency: String,
    pub created_at: DateTimeUtc,
    /// When a lapsed, failed or cancelled order gave it back.
    pub returned_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
