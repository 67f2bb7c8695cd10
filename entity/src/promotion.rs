//! `promotion`: one version of a discount a brand (or, without a brand, the platform) funds —
//! its terms and its review. Versions of one promotion share `lineage_id`; an approved version
//! is frozen. Written only by `promotions::service`.
use sea_orm::entity::prelude::*;

use crate::values::{PromotionKind, PromotionStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "promotion")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The first version's id, shared by every version; counters, coupons and uses name it.
    pub lineage_id: Uuid,
    pub version: i32,
    /// The brand that funds it; none: the platform.
    pub brand_id: Option<Uuid>,
    pub kind: PromotionKind,
    pub status: PromotionStatus,
    /// What buyers read ("40 off every 300").
    pub name: String,
    /// A percentage off (1–90); or `amount_off_minor`.
    pub percent_off: Option<i32>,
    pub amount_off_minor: Option<i64>,
    /// "Every" amount of a threshold or allowance; a coupon's minimum spend.
    pub threshold_minor: Option<i64>,
    /// Most one order can get off.
    pub cap_minor: Option<i64>,
    pub currency: String,
    /// JSON arrays: listings, categories and (platform promotions) brands it applies to, empty
    /// for all; the channels it applies in, empty for all.
    #[sea_orm(column_type = "Text")]
    pub listing_ids: String,
    #[sea_orm(column_type = "Text")]
    pub categories: String,
    #[sea_orm(column_type = "Text")]
    pub brand_ids: String,
    #[sea_orm(column_type = "Text")]
    pub channels: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// Orders one buyer may use it in.
    pub per_buyer_limit: Option<i32>,
    /// Orders that may use it in all.
    pub usage_limit: Option<i32>,
    /// Most it may give away in all, in minor units.
    pub budget_minor: Option<i64>,
    /// Whether it stacks with other promotions.
    pub combinable: bool,
    /// A coupon's code (claimable by code as well as by button).
    pub code: Option<String>,
    /// Coupons that may be claimed in all, and by one buyer.
    pub coupon_stock: Option<i32>,
    pub claim_limit: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub review_note: Option<String>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub submitted_at: Option<DateTimeUtc>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
