//! `order_line`: one SKU in an order, priced and described as it was when bought.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_line")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    pub brand_order_id: Uuid,
    pub brand_id: Uuid,
    pub listing_id: Uuid,
    pub sku_id: Uuid,
    pub sku_code: String,
    pub title: String,
    /// JSON array of the variant's option values.
    #[sea_orm(column_type = "Text")]
    pub option_values: String,
    pub quantity: i64,
    pub unit_price_minor: i64,
    /// JSON array of the price quote's adjustments on this line (kind, source, funder,
    /// amount; negative for discounts), as the buyer was charged.
    #[sea_orm(column_type = "Text")]
    pub adjustments: String,
    /// What the line cost: quantity × unit price + its adjustments. Refunds return shares of
    /// this, never of the list price.
    pub total_minor: i64,
    pub refunded_quantity: i64,
    /// JSON `[{"location":"<uuid>","quantity":n}]`: where the units were reserved.
    #[sea_orm(column_type = "Text")]
    pub allocations: String,
    /// A pre-sale deposit line (whose `unit_price_minor` is the deposit): the pre-sale price of
    /// one unit and the credit its deposit is worth at balance time, as agreed at deposit time.
    pub presale_price_minor: Option<i64>,
    pub presale_credit_minor: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
