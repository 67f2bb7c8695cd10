//! Idempotency records: the first answer to a request sent with an `Idempotency-Key`, kept
//! at least [`KEEP_FOR`] so a retry gets that answer instead of a second order.
//!
//! A record is written with the reservation (status unknown) and completed with the answer in
//! the same transaction that settles the payment. Refusals that change nothing — sold out,
//! limit reached, invalid input, 429 — are not recorded: a retry with the same key is simply
//! evaluated again.

use std::collections::HashMap;

use entity::idempotency_record;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement, Value};

use super::engine::{IdempotencyKey, Placement};
use crate::core::{time, AppError};

/// How long keys are kept (the promise is at least 24 hours).
pub const KEEP_FOR: chrono::TimeDelta = chrono::TimeDelta::hours(48);

/// The answer recorded for `key`, if any: the stored one when `fingerprint` matches,
/// `IdempotencyKeyReused` when it doesn't, a conflict while the first request still runs.
pub async fn stored_answer(
    db: &impl ConnectionTrait,
    key: &IdempotencyKey,
    fingerprint: &str,
) -> Result<Option<Placement>, AppError> {
    Ok(
        idempotency_record::Entity::find_by_id((key.scope.clone(), key.key.clone()))
            .one(db)
            .await?
            .map(|record| answer_of(&record, fingerprint)),
    )
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

/// What a stored record answers to a request with `fingerprint`.
pub fn answer_of(record: &idempotency_record::Model, fingerprint: &str) -> Placement {
    if record.request_hash != fingerprint {
        return Err(AppError::IdempotencyKeyReused);
    }
    match &record.response {
        None => Err(AppError::Conflict {
            message: "A request with this Idempotency-Key is still being processed. Try again in a moment.".into(),
        }),
        Some(json) => serde_json::from_str::<Placement>(json)
            .unwrap_or_else(|err| Err(AppError::internal(format!("stored answer unreadable: {err}")))),
    }
}

/// A new record for `key`, answer still unknown.
pub fn pending(key: &IdempotencyKey, fingerprint: &str) -> idempotency_record::ActiveModel {
    use sea_orm::IntoActiveModel;
    idempotency_record::Model {
        scope: key.scope.clone(),
        key: key.key.clone(),
        request_hash: fingerprint.to_owned(),
        order_id: None,
        status_code: None,
        response: None,
        created_at: time::now(),
    }
    .into_active_model()
}

/// Completes records with their answers (one statement for all of them).
pub async fn record_answers(
    db: &impl ConnectionTrait,
    answers: &[(&IdempotencyKey, &Placement)],
) -> Result<(), AppError> {
    if answers.is_empty() {
        return Ok(());
    }
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = Vec::with_capacity(answers.len() * 4);
    let mut rows = Vec::with_capacity(answers.len());
    for (key, answer) in answers {
        let status = match answer {
            Ok(order) if order.status == super::OrderStatus::PendingPayment => 202,
            Ok(_) => 201,
            Err(err) => i32::from(err.status()),
        };
        let json = serde_json::to_string(answer).map_err(AppError::internal)?;
        let n = values.len();
        rows.push(match backend {
            sea_orm::DbBackend::Postgres => format!(
                "(${}, ${}, CAST(${} AS INTEGER), ${})",
                n + 1,
                n + 2,
                n + 3,
                n + 4
            ),
            _ => "(?, ?, ?, ?)".to_owned(),
        });
        values.extend([
            key.scope.clone().into(),
            key.key.clone().into(),
            status.into(),
            json.into(),
        ]);
    }
    // One UPDATE ... FROM a VALUES list (SQLite ≥ 3.33 and PostgreSQL both have it).
    let sql = format!(
        "WITH answers(scope, key, status_code, response) AS (VALUES {}) \
         UPDATE idempotency_record SET status_code = answers.status_code, response = answers.response \
         FROM answers WHERE idempotency_record.scope = answers.scope AND idempotency_record.key = answers.key",
        rows.join(", ")
    );
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
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
