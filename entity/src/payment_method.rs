//! `payment_method`: a card saved with the payment provider for one-tap buying. Gala keeps
//! only the provider's token and what a person needs to recognise the card.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_method")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub provider: String,
    /// The provider's token for the card (never the card number).
    pub token: String,
    pub card_brand: String,
    pub card_last4: String,
    pub exp_month: i32,
    pub exp_year: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
