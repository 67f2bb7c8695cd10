//! A show's event log: every numbered event is written in the same transaction as the change
//! it announces, so the log and the show never disagree, and every node streams the same
//! events in the same order.

use entity::{show, show_event};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Query},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{ChatMessage, Envelope, ShowEvent, ShowStatus};
use crate::core::{time::now, AppError};

/// Appends `event` to `show_id`'s log (inside the caller's write transaction); answers its
/// number.
pub async fn record(
    db: &impl ConnectionTrait,
    show_id: Uuid,
    event: &ShowEvent,
    author: Option<Uuid>,
) -> Result<i64, AppError> {
    let seq = reserve_numbers(db, show_id, 1, false)
        .await?
        .ok_or(AppError::NotFound)?;
    insert(db, show_id, vec![(seq, event.clone(), author)]).await?;
    Ok(seq)
}

/// Appends chat `messages` (author, message) to a live show's log in one go, numbering them
/// in order (each message's id is its event number); answers them as stored, or `None` when
/// the show is not live.
pub async fn record_chat(
    db: &impl ConnectionTrait,
    show_id: Uuid,
    messages: Vec<(Uuid, ChatMessage)>,
) -> Result<Option<Vec<ChatMessage>>, AppError> {
    let Some(last) = reserve_numbers(db, show_id, messages.len() as i64, true).await? else {
        return Ok(None);
    };
    let first = last - messages.len() as i64 + 1;
    let mut stored = Vec::with_capacity(messages.len());
    let mut rows = Vec::with_capacity(messages.len());
    for (seq, (author, mut message)) in (first..).zip(messages) {
        message.id = seq;
        rows.push((
            seq,
            ShowEvent::Chat {
                message: message.clone(),
            },
            Some(author),
        ));
        stored.push(message);
    }
    insert(db, show_id, rows).await?;
    Ok(Some(stored))
}

/// Takes the next `count` numbers of `show_id`'s log (only while it is live, if `live_only`);
/// answers the last. One conditional increment: the row lock (PostgreSQL) or the write lock
/// (SQLite) orders concurrent writers.
async fn reserve_numbers(
    db: &impl ConnectionTrait,
    show_id: Uuid,
    count: i64,
    live_only: bool,
) -> Result<Option<i64>, AppError> {
    let mut bump = Query::update();
    bump.table(show::Entity)
        .value(
            show::Column::EventSeq,
            Expr::col(show::Column::EventSeq).add(count),
        )
        .and_where(Expr::col(show::Column::Id).eq(show_id))
        .returning_col(show::Column::EventSeq);
    if live_only {
        bump.and_where(Expr::col(show::Column::Status).eq(ShowStatus::Live.as_str()));
    }
    Ok(match db.query_one(&bump).await? {
        Some(row) => Some(row.try_get_by_index(0)?),
        None => None,
    })
}

/// Inserts numbered events into `show_id`'s log.
async fn insert(
    db: &impl ConnectionTrait,
    show_id: Uuid,
    events: Vec<(i64, ShowEvent, Option<Uuid>)>,
) -> Result<(), AppError> {
    let at = now();
    let mut rows = Vec::with_capacity(events.len());
    for (seq, event, author) in events {
        let payload = serde_json::to_string(&Envelope {
            seq: Some(seq),
            event: event.clone(),
        })
        .map_err(AppError::internal)?;
        rows.push(show_event::ActiveModel {
            show_id: Set(show_id),
            seq: Set(seq),
            kind: Set(event.kind().to_owned()),
            payload: Set(payload),
            author_id: Set(author),
            created_at: Set(at),
        });
    }
    show_event::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Takes chat message `message_id` out of `show_id`'s log (a producer removed it; the log
/// then records that it was removed); answers its author. `NotFound` when no such message.
pub async fn remove_chat_message(
    db: &impl ConnectionTrait,
    show_id: Uuid,
    message_id: i64,
) -> Result<Option<Uuid>, AppError> {
    let message = show_event::Entity::find_by_id((show_id, message_id))
        .filter(show_event::Column::Kind.eq("chat"))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    show_event::Entity::delete_by_id((show_id, message_id))
        .exec(db)
        .await?;
    Ok(message.author_id)
}

/// Events of `show_id` after `after`, oldest first, at most `limit`: `(seq, wire JSON)`.
pub async fn after(
    db: &impl ConnectionTrait,
    show_id: Uuid,
    after: i64,
    limit: u64,
) -> Result<Vec<(i64, String)>, AppError> {
    Ok(show_event::Entity::find()
        .select_only()
        .column(show_event::Column::Seq)
        .column(show_event::Column::Payload)
        .filter(show_event::Column::ShowId.eq(show_id))
        .filter(show_event::Column::Seq.gt(after))
        .order_by_asc(show_event::Column::Seq)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?)
}

/// The latest chat messages of `show_id` (oldest first).
pub async fn recent_chat(
    db: &impl ConnectionTrait,
    show_id: Uuid,
    limit: u64,
) -> Result<Vec<super::ChatMessage>, AppError> {
    let rows: Vec<String> = show_event::Entity::find()
        .select_only()
        .column(show_event::Column::Payload)
        .filter(show_event::Column::ShowId.eq(show_id))
        .filter(show_event::Column::Kind.eq("chat"))
        .order_by_desc(show_event::Column::Seq)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .iter()
        .rev()
        .filter_map(|payload| match serde_json::from_str::<Envelope>(payload) {
            Ok(Envelope {
                event: ShowEvent::Chat { message },
                ..
            }) => Some(message),
            _ => None,
        })
        .collect())
}
