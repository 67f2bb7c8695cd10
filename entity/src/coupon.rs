//! `coupon`: a coupon one buyer claimed from a promotion of kind coupon. Written only by
//! `promotions::coupons` (claims, expiry) and `promotions::budget` (held, used, given back).
use sea_orm::entity::prelude::*;

use crate::values::CouponStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coupon")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The promotion (its lineage: a coupon stays good when its terms improve).
    pub lineage_id: Uuid,
    /// The funding brand; none: the platform.
    pub brand_id: Option<Uuid>,
    pub account_id: Uuid,
    pub status: CouponStatus,
    /// The order holding or using it.
    pub order_id: Option<Uuid>,
    pub claimed_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
