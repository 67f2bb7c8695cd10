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
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::orders::{self, Placement};
use super::payments;
use super::request::Buyer;
use super::OrderChannel;
use crate::core::keyed::{self, KeyPart};
use crate::core::{time, AppError};

/// An `Idempotency-Key` and whose it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey {
    /// The buyer and the channel: `account:<id>/storefront`, `brand:<id>/api`,
    /// `guest:<id>/show`.
    pub scope: String,
    pub key: String,
}

/// Longest idempotency key accepted.
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

impl IdempotencyKey {
    /// The one rule for keys, however they arrive (the API's `Idempotency-Key` header, the
    /// checkout page's key, a show's tap): 1 to [`MAX_IDEMPOTENCY_KEY_LEN`] visible ASCII
    /// characters, kept apart per buyer and channel. Anything else is refused, never ignored:
    /// a retry without the protection it asked for could order twice.
    pub fn new(
        buyer: &Buyer,
        email: &str,
        channel: OrderChannel,
        raw: &str,
    ) -> Result<Self, AppError> {
        let key = raw.trim();
        if key.is_empty()
            || key.len() > MAX_IDEMPOTENCY_KEY_LEN
            || !key.chars().all(|c| c.is_ascii_graphic())
        {
            return Err(AppError::BadRequest {
                message: format!(
                    "The idempotency key must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} visible ASCII characters."
                ),
            });
        }
        Ok(IdempotencyKey {
            scope: format!("{}/{}", buyer.idempotency_scope(email), channel.as_str()),
            key: key.to_owned(),
        })
    }
}

/// How long keys are kept (the promise is at least 24 hours).
pub const KEEP_FOR: chrono::TimeDelta = chrono::TimeDelta::hours(48);

/// The answer recorded for `key`, if any: see [`answer_of`].
pub async fn stored_answer(
    db: &impl ConnectionTrait,
    key: &IdempotencyKey,
    fingerprint: &str,
) -> Result<Option<Placement>, AppError> {
    match idempotency_record::Entity::find_by_id((key.key.clone(), key.scope.clone()))
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
    let rows = keyed::find_by_keys::<idempotency_record::Entity, 2>(
        db,
        [
            idempotency_record::Column::Key,
            idempotency_record::Column::Scope,
        ],
        keys.iter()
            .map(|k| [KeyPart::Text(&k.key), KeyPart::Text(&k.scope)])
            .collect(),
    )
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

/// Inserts `records`, leaving any key already recorded as it is; answers whether every one
/// was new (one statement; the primary key decides between nodes racing on a key).
pub async fn insert_new(
    db: &impl ConnectionTrait,
    records: Vec<idempotency_record::ActiveModel>,
) -> Result<bool, AppError> {
    use sea_orm::sea_query::OnConflict;
    let expected = records.len() as u64;
    if expected == 0 {
        return Ok(true);
    }
    let inserted = idempotency_record::Entity::insert_many(records)
        .on_conflict(
            OnConflict::columns([
                idempotency_record::Column::Key,
                idempotency_record::Column::Scope,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(inserted == expected)
}

/// Deletes records older than [`KEEP_FOR`]; answers how many.
pub async fn purge_expired(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    Ok(idempotency_record::Entity::delete_many()
        .filter(idempotency_record::Column::CreatedAt.lt(time::now() - KEEP_FOR))
        .exec(db)
        .await?
        .rows_affected)
}
