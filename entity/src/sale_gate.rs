//! `sale_gate`: a rule another capability puts on a SKU while it needs to — who may buy it,
//! through which channel, when, how many per buyer, from which stock pool. Written only by
//! `catalog::gates`; the SKU's own row is never changed, so when its owner lets go (deletes
//! its gates) the SKU is exactly as it was.
use sea_orm::entity::prelude::*;

use crate::values::OrderChannel;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sale_gate")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub sku_id: Uuid,
    /// What kind of owner set the gate (`show_look`: a look of a live show).
    #[sea_orm(primary_key, auto_increment = false)]
    pub owner_kind: String,
    /// Which one (the look's id).
    #[sea_orm(primary_key, auto_increment = false)]
    pub owner_id: Uuid,
    /// The stock the gate's buyers draw on: `open`, or `show:<id>` (a show's drop stock where
    /// it has some, the open stock otherwise).
    pub pool: String,
    /// Sold only through this channel (`show`), and only inside the window; none: any channel.
    pub channel: Option<OrderChannel>,
    /// The window of a channel-restricted gate: closed until it opens.
    pub opens_at: Option<DateTimeUtc>,
    pub closes_at: Option<DateTimeUtc>,
    /// Most units one buyer may hold while the gate is in force (the tightest limit applies).
    pub purchase_limit: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
