//! `presale_line`: one SKU of a pre-sale campaign — its pre-sale price, the deposit, the
//! credit the deposit is worth at balance time (≥ the deposit: "deposit inflation"), and the
//! most units deposits may reserve.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "presale_line")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub brand_id: Uuid,
    pub sku_id: Uuid,
    pub listing_id: Uuid,
    /// The SKU's title and options as the campaign shows them.
    pub title: String,
    pub price_minor: i64,
    pub deposit_minor: i64,
    pub credit_minor: i64,
    /// Most units deposits may reserve.
    pub cap: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
