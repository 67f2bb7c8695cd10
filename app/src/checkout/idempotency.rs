//! Idempotency records: which order a request sent with an `Idempotency-Key` made and the
//! status of the first answer, kept at least [`KEEP_FOR`] so a retry gets that answer
//! instead of a second order.
//!
//! A record is written with the reservation (status unknown, so a concurrent retry on another
//! node is told to wait) and its status is set by the transaction that settles the payment.
//! A replay answers with the same status and the order as stored. Refusals that change
//! nothing — sold out, limit reached, invalid input, 429 — are not recorded: a retry with the
//! same key is simply evaluated again.

use std::collections::{BTreeMap, HashMap};

use entity::idempotency_record;
use sea_orm::{sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::engine::{IdempotencyKey, Placement};
use super::{orders, payments};
use crate::core::{time, AppError};

/// How long keys are kept (the promise is at least 24 hours).
pub const KEEP_FOR: chrono::TimeDelta = chrono::TimeDelta::hours(48);

/// The answer recorded for `key`, if any: see [`answer_of`].
pub async fn stored_answer(
    db: &impl ConnectionTrait,
    key: &IdempotencyKey,
    fingerprint: &str,
) -> Result<Option<Placement>, AppError> {
    match idempotency_record::Entity::find_by_id((key.scope.clone(), key.key.clone()))
        .one(db)
        .await?
    {
        Some(record) => Ok(Some(answer_of(db, &record, fingerprint).await?)),
        None => Ok(None),
    }
}

/// The records for `keys`, by key.
pub async fn load(
    db: &impl ConnectionTrait,
    keys: &[&IdempotencyKey],
) -> Result<HashMap<IdempotencyKey, idempotency_record::Model>, AppError> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let mut scopes: Vec<&str> = keys.iter().map(|k| k.scope.as_str()).collect();
    scopes.sort_unstable();
    scopes.dedup();
    let names: Vec<&str> = keys.iter().map(|k| k.key.as_str()).collect();
    let rows = idempotency_record::Entity::find()
        .filter(idempotency_record::Column::Scope.is_in(scopes))
        .filter(idempotency_record::Column::Key.is_in(names))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                IdempotencyKey {
                    scope: r.scope.clone(),
                    key: r.key.clone(),
                },
                r,
            )
        })
        .collect())
}

/// What a stored record answers to a request with `fingerprint`: the first answer when the
/// request is the same, `IdempotencyKeyReused` when it isn't, a conflict while the first
/// request still runs.
pub async fn answer_of(
    db: &impl ConnectionTrait,
    record: &idempotency_record::Model,
    fingerprint: &str,
) -> Result<Placement, AppError> {
    if record.request_hash != fingerprint {
        return Ok(Err(AppError::IdempotencyKeyReused));
    }
    let (Some(status), Some(order_id)) = (record.status_code, record.order_id) else {
        return Ok(Err(AppError::Conflict {
            message: "A request with this Idempotency-Key is still being processed. Try again in a moment.".into(),
        }));
    };
    let Some((_, order)) = orders::find(db, order_id).await? else {
        return Err(AppError::internal(format!(
            "idempotency record points at missing order {order_id}"
        )));
    };
    Ok(match status {
        201 | 202 => Ok(order),
        402 => Err(AppError::PaymentDeclined {
            message: payments::decline_message(
                order
                    .payment
                    .and_then(|p| p.failure_code)
                    .as_deref()
                    .unwrap_or_default(),
            )
            .to_owned(),
        }),
        _ => Err(super::batch::lapsed()),
    })
}

/// A new record for `key` and the order it makes, answer still unknown.
pub fn pending(
    key: &IdempotencyKey,
    fingerprint: &str,
    order_id: Uuid,
) -> idempotency_record::ActiveModel {
    use sea_orm::IntoActiveModel;
    idempotency_record::Model {
        scope: key.scope.clone(),
        key: key.key.clone(),
        request_hash: fingerprint.to_owned(),
        order_id: Some(order_id),
        status_code: None,
        created_at: time::now(),
    }
    .into_active_model()
}

/// Sets the answer's status on the records of these orders (orders placed without a key have
/// none): one UPDATE per distinct status.
pub async fn record_statuses(
    db: &impl ConnectionTrait,
    answers: &[(Uuid, u16)],
) -> Result<(), AppError> {
    let mut by_status: BTreeMap<u16, Vec<Uuid>> = BTreeMap::new();
    for (order_id, status) in answers {
        by_status.entry(*status).or_default().push(*order_id);
    }
    for (status, ids) in by_status {
        idempotency_record::Entity::update_many()
            .col_expr(
                idempotency_record::Column::StatusCode,
                Expr::value(i32::from(status)),
            )
            .filter(idempotency_record::Column::OrderId.is_in(ids))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Forgets records for `keys` (answers that must not stick, such as provider outages).
pub async fn forget(db: &impl ConnectionTrait, keys: &[&IdempotencyKey]) -> Result<(), AppError> {
    for key in keys {
        idempotency_record::Entity::delete_by_id((key.scope.clone(), key.key.clone()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Deletes records older than [`KEEP_FOR`]; answers how many.
pub async fn purge_expired(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    Ok(idempotency_record::Entity::delete_many()
        .filter(idempotency_record::Column::CreatedAt.lt(time::now() - KEEP_FOR))
        .exec(db)
        .await?
        .rows_affected)
}
