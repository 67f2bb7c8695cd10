//! `brand_order`: the part of a purchase one brand fulfils (Tmall-style child order).
use sea_orm::entity::prelude::*;

use crate::values::BrandOrderStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "brand_order")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    pub brand_id: Uuid,
    /// Follows the parent until paid, then the brand's own progress.
    pub status: BrandOrderStatus,
    pub subtotal_minor: i64,
    /// The sum of its lines' adjustments (negative for discounts).
    pub adjustments_minor: i64,
    pub shipping_minor: i64,
    pub refunded_minor: i64,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub shipped_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
