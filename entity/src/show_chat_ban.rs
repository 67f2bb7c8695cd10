//! `show_chat_ban`: a viewer muted (until a time) or banned from one show's chat.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "show_chat_ban")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub show_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    /// Muted until then; none: banned for the whole show.
    pub until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
