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
    /// Most units one buyer may hold in live orders (drops often allow 1); `None`: no limit.
    pub purchase_limit: Option<i32>,
    /// Sold only through this channel (`show` for a show's exclusive SKUs), and then only
    /// inside the sale window; none: any channel.
    pub sale_channel: Option<String>,
    /// The sale window: not before, and not from, these instants (when set).
    pub sale_opens_at: Option<DateTimeUtc>,
    pub sale_closes_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
