//! `idempotency_record`: the first answer to a request sent with an `Idempotency-Key`, so a
//! retry gets the same answer instead of a second order.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_record")]
pub struct Model {
    /// The client's key (first in the primary key: see migration 000020).
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// Whose key it is (`account:<id>`, `brand:<id>`, `guest:<id>`): keys are per caller.
    #[sea_orm(primary_key, auto_increment = false)]
    pub scope: String,
    /// SHA-256 (hex) of the request, to refuse the same key with a different body.
    pub request_hash: String,
    /// The order the request made.
    pub order_id: Option<Uuid>,
    /// The HTTP status of the first answer; `None` while the request is being processed.
    /// The body is rebuilt from the order.
    pub status_code: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
