//! `show_event`: a show's ordered event log (drops, windows, pins, chat...), which every node
//! replays to its viewers and late joiners resume from.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "show_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub show_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub kind: String,
    /// The event's JSON, as sent to viewers.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    /// Who wrote it (chat messages).
    pub author_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
