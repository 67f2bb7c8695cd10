//! `sku`: one variant of a listing (a size, a colour), the unit stock is kept and sold in.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sku")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub brand_id: Uuid,
    pub listing_id: Uuid,
    /// The brand's own code, unique within the brand.
    pub code: String,
    /// JSON array: one value per listing option, in the options' order.
    #[sea_orm(column_type = "Text")]
    pub option_values: String,
    pub price_minor: i64,
    pub compare_at_minor: Option<i64>,
    pub currency: String,
    pub weight_grams: i32,
    pub barcode: Option<String>,
    pub position: i32,
    /// Most units one buyer may hold in live orders, as the brand set it; `None`: no limit.
    /// (A show's drop may tighten it for a while: see `sale_gate`.)
    pub purchase_limit: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
