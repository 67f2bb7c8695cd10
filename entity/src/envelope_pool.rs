//! `envelope_pool`: the platform's red-envelope budget and the rules it is handed out by.
//! `remaining_minor` moves only by conditional updates (`promotions::envelopes`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "envelope_pool")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub currency: String,
    pub budget_minor: i64,
    /// What is left to hand out (never below zero).
    pub remaining_minor: i64,
    /// The range a win's amount is drawn from.
    pub min_minor: i64,
    pub max_minor: i64,
    /// The chance a play wins, in percent.
    pub win_percent: i32,
    /// Most envelopes, and most money, one buyer may win from the pool.
    pub per_buyer_count: i32,
    pub per_buyer_minor: i64,
    /// How long a won envelope can be used.
    pub valid_secs: i32,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
