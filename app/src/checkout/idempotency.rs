//! Idempotency records: which order a request sent with an `Idempotency-Key` made and the
//! status of the first answer, kept at least [`KEEP_FOR`] so a retry gets that answer
//! instead of a second order.
//!
//! A record is written, with its answer's status, by the transaction that commits the order
//! (so it exists exactly when the order does). Two nodes racing on one key both try to write
//! it; the primary key lets one win, and the loser's batch re-runs and replays the winner's
//! answer. A replay answers with the same status and the order as stored. Refusals that change
//! nothing — sold out, limit reached, invalid input, 429 — are not recorded: a retry with the
//! same key is simply evaluated again.

use std::collections::HashMap;

use entity::idempotency_record;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement};
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
    // One primary-key probe per key, driven by the list of keys. As `scope IN (…) AND key IN
    // (…)` both databases probed every scope with every key (500 × 500 lookups for a batch
    // of signed-in buyers, 90 ms on SQLite), and PostgreSQL with statistics from when the
    // table was small read every record of the scope — "guest" holds every guest's keys — and
    // filtered the batch's keys out of them: a cost growing with the table.
    let wanted: Vec<serde_json::Value> = keys
        .iter()
        .map(|k| serde_json::json!({ "scope": k.scope, "key": k.key }))
        .collect();
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT r.* FROM json_to_recordset($1::json) AS k(scope text, key text) \
             CROSS JOIN LATERAL (SELECT * FROM idempotency_record \
             WHERE scope = k.scope AND \"key\" = k.key LIMIT 1) AS r"
        }
        // CROSS JOIN: SQLite keeps the list as the outer loop.
        _ => {
            "SELECT r.* FROM json_each(?) AS k CROSS JOIN idempotency_record AS r \
             ON r.scope = json_extract(k.value, '$.scope') \
             AND r.\"key\" = json_extract(k.value, '$.key')"
        }
    };
    let statement = Statement::from_sql_and_values(
        backend,
        sql,
        [serde_json::Value::Array(wanted).to_string().into()],
    );
    let rows = idempotency_record::Entity::find()
        .from_raw_sql(statement)
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
        // Records of an earlier engine, which reserved and settled in two steps, may say 409:
        // the reservation lapsed before the payment was confirmed.
        _ => Err(AppError::Conflict {
            message:
                "The reservation lapsed before the payment was confirmed. Nothing was charged."
                    .into(),
        }),
    })
}

/// A new record for `key`: the order it made and the status of the answer.
pub fn record(
    key: &IdempotencyKey,
    fingerprint: &str,
    order_id: Uuid,
    status: u16,
) -> idempotency_record::ActiveModel {
    use sea_orm::IntoActiveModel;
    idempotency_record::Model {
        scope: key.scope.clone(),
        key: key.key.clone(),
        request_hash: fingerprint.to_owned(),
        order_id: Some(order_id),
        status_code: Some(i32::from(status)),
        created_at: time::now(),
    }
    .into_active_model()
}

/// Deletes records older than [`KEEP_FOR`]; answers how many.
pub async fn purge_expired(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    Ok(idempotency_record::Entity::delete_many()
        .filter(idempotency_record::Column::CreatedAt.lt(time::now() - KEEP_FOR))
        .exec(db)
        .await?
        .rows_affected)
}
