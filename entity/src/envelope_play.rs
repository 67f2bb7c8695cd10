//! `envelope_play`: one buyer's play of one moment of a pool, won (`envelope_id`) or not; a
//! moment is played once.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "envelope_play")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pool_id: Uuid,
    /// `festival:<date>`, `show:<id>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub moment: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    pub envelope_id: Option<Uuid>,
    pub played_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
