//! `work_lease`: background work that only one node at a time may do (the capture round),
//! which node is doing it and until when. Written only by `core::lease`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_lease")]
pub struct Model {
    /// The work (`capture_round`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// A token of the node call holding the lease.
    pub holder: Uuid,
    /// When the lease lapses and another node may take the work over.
    pub held_until: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
