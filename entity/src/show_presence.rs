//! `show_presence`: how many viewers each server node holds for a show, refreshed every
//! second; their sum is the show's live viewer count.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "show_presence")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub show_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub node_id: String,
    pub viewers: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
