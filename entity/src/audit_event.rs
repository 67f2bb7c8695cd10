//! `audit_event`: security-relevant events (sign-ins, failures, resets, role changes).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub occurred_at: DateTimeUtc,
    /// Who acted (none for anonymous attempts).
    pub actor_account_id: Option<Uuid>,
    /// Stable action name, e.g. `auth.sign_in`.
    pub action: String,
    /// What the action was about (an email address, an account id, ...).
    pub subject: Option<String>,
    pub client_addr: Option<String>,
    /// JSON with further facts; never secrets.
    #[sea_orm(column_type = "Text", nullable)]
    pub detail: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
