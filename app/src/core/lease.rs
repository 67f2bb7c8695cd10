//! Leases on background work that only one node at a time may do (`work_lease`). A node takes
//! the work's lease with one conditional upsert, which only one node wins while the lease is
//! held, does the work and lets go. A node that dies holding it loses it when it lapses; work
//! done under a lease must therefore be safe to repeat (the provider calls made under one
//! carry idempotency keys).
//!
//! Also the two helpers for a lease kept on a row of its own (a token and a "claimed until"
//! column, as refunds have): [`set_lease`] and [`lease_free`].

use chrono::{DateTime, TimeDelta, Utc};
use entity::work_lease;
use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::AppError;

/// A lease this node holds on the work it names, until [`Lease::release`] or until it lapses.
#[derive(Debug)]
pub struct Lease {
    name: &'static str,
    holder: Uuid,
}

/// Takes the lease on `work` until `now + hold_for` if nobody holds it at `now` (never taken,
/// lapsed or let go). Answers `None` while another node holds it.
pub async fn take(
    db: &impl ConnectionTrait,
    work: &'static str,
    now: DateTime<Utc>,
    hold_for: TimeDelta,
) -> Result<Option<Lease>, AppError> {
    let holder = Uuid::new_v4();
    let row = work_lease::ActiveModel {
        name: Set(work.to_owned()),
        holder: Set(holder),
        held_until: Set(now + hold_for),
    };
    // One statement: the row is created, or taken over only where the holder's time is up.
    let taken = work_lease::Entity::insert(row)
        .on_conflict(
            OnConflict::column(work_lease::Column::Name)
                .update_columns([work_lease::Column::Holder, work_lease::Column::HeldUntil])
                .action_and_where(
                    Expr::col((work_lease::Entity, work_lease::Column::HeldUntil)).lte(now),
                )
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok((taken == 1).then_some(Lease { name: work, holder }))
}

impl Lease {
    /// Lets go of the lease, if it is still this node's (it may have lapsed and been taken
    /// over, and then belongs to the node that took it).
    pub async fn release(
        self,
        db: &impl ConnectionTrait,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        work_lease::Entity::update_many()
            .col_expr(work_lease::Column::HeldUntil, Expr::value(now))
            .filter(work_lease::Column::Name.eq(self.name))
            .filter(work_lease::Column::Holder.eq(self.holder))
            .exec(db)
            .await?;
        Ok(())
    }
}

/// `update` with a row's own lease (its token and "claimed until" columns) taken
/// — `Some((token, until))` — or let go (`None`).
pub fn set_lease<E: sea_orm::EntityTrait>(
    update: sea_orm::UpdateMany<E>,
    (token_column, until_column): (E::Column, E::Column),
    lease: Option<(Uuid, DateTime<Utc>)>,
) -> sea_orm::UpdateMany<E> {
    let (token, until) = lease.unzip();
    update
        .col_expr(token_column, Expr::value(token))
        .col_expr(until_column, Expr::value(until))
}

/// Rows whose own lease (`column`, its "claimed until") is free at `now`: never taken, or lapsed.
pub fn lease_free(column: impl ColumnTrait, now: DateTime<Utc>) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(column.is_null())
        .add(column.lt(now))
}
