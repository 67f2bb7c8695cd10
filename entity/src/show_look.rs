//! `show_look`: one look of a show's run-sheet; revealing it is a "drop".
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "show_look")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub show_id: Uuid,
    /// Order in the run-sheet, from 1.
    pub position: i32,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    /// A flash buy window's length (10–300 s); none: open until the producer closes it.
    pub flash_secs: Option<i32>,
    pub revealed_at: Option<DateTimeUtc>,
    pub window_opens_at: Option<DateTimeUtc>,
    pub window_closes_at: Option<DateTimeUtc>,
    /// The coupon promotion (its lineage) viewers can claim while this look is on the runway.
    pub coupon_lineage_id: Option<Uuid>,
    /// Viewers can play a red-envelope moment ("find the cat") once this look drops.
    pub envelope_moment: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
