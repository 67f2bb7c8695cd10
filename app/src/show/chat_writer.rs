//! The node's chat writer: chat messages are written in batches, one short write transaction
//! for everything posted while the previous one ran, and at most one every
//! [`WRITE_INTERVAL`]. A popular show's chat is thousands of posts a minute; written one
//! transaction each, on SQLite every post would take the database's single write lock that
//! checkout commits under, and on PostgreSQL every post would queue on the show row that
//! numbers its events. Batched, checkout waits behind at most one short chat write per
//! interval, whatever the chat's volume, and a batch bumps each show's numbering once.
//!
//! A post is answered only once its batch committed: an acknowledged message is never lost.
//! Slow mode is still one compare-and-set per viewer and show inside the batch's transaction,
//! so parallel posts (one batch or several, one node or many) pass one at a time.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use entity::show;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::{events, ChatMessage, ShowStatus};
use crate::auth::throttle::{self, ThrottleKey};
use crate::core::{txn::begin_write, AppError};

/// The shortest time between two chat write transactions on a node.
const WRITE_INTERVAL: Duration = Duration::from_millis(50);
/// Posts written in one transaction at most (each costs a few statements under the lock).
const MAX_BATCH: usize = 128;
/// Posts waiting for a write at most; past that a post is answered `RateLimited` at once
/// rather than queued without bound.
const QUEUE_CAPACITY: usize = 8_192;

/// A message that passed every check that needs no write (signed in, verified, live show,
/// not banned, no blocked word), waiting to be numbered and stored.
pub struct ChatPost {
    pub show_id: Uuid,
    pub author_id: Uuid,
    pub author: String,
    pub text: String,
    /// The show's slow mode (at least the platform's minimum), in seconds.
    pub interval_secs: i64,
    pub at: DateTime<Utc>,
}

type Queued = (ChatPost, oneshot::Sender<Result<ChatMessage, AppError>>);

/// Hands posts to the node's writer task; cheap to clone.
#[derive(Clone)]
pub struct ChatWriter {
    queue: mpsc::Sender<Queued>,
    transactions: Arc<AtomicU64>,
}

impl ChatWriter {
    /// Starts the writer task; `written` is called with the shows whose logs grew after each
    /// committed batch (the hub broadcasts them).
    pub fn start<F, Fut>(db: DatabaseConnection, written: F) -> ChatWriter
    where
        F: Fn(Vec<Uuid>) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send,
    {
        let (queue, mut posts) = mpsc::channel::<Queued>(QUEUE_CAPACITY);
        let transactions = Arc::new(AtomicU64::new(0));
        let counted = transactions.clone();
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(MAX_BATCH);
            while posts.recv_many(&mut batch, MAX_BATCH).await > 0 {
                let started = tokio::time::Instant::now();
                let (queued, answers): (Vec<ChatPost>, Vec<_>) = batch.drain(..).unzip();
                let outcomes = write(&db, &queued).await;
                counted.fetch_add(1, Ordering::Relaxed);
                let mut shows: Vec<Uuid> = outcomes
                    .iter()
                    .filter_map(|outcome| outcome.as_ref().ok())
                    .zip(&queued)
                    .map(|(_, post)| post.show_id)
                    .collect();
                shows.sort_unstable();
                shows.dedup();
                if !shows.is_empty() {
                    written(shows).await;
                }
                for (answer, outcome) in answers.into_iter().zip(outcomes) {
                    // A poster that went away still has its message posted.
                    let _ = answer.send(outcome);
                }
                // Posts arriving meanwhile wait for the next batch: a pause, not a busy loop,
                // bounds how often chat takes the write lock.
                tokio::time::sleep_until(started + WRITE_INTERVAL).await;
            }
        });
        ChatWriter {
            queue,
            transactions,
        }
    }

    /// Queues `post` and answers the stored message once its batch committed.
    pub async fn post(&self, post: ChatPost) -> Result<ChatMessage, AppError> {
        let (answer, answered) = oneshot::channel();
        self.queue
            .try_send((post, answer))
            .map_err(|err| match err {
                mpsc::error::TrySendError::Full(_) => AppError::RateLimited {
                    retry_after_secs: 1,
                },
                mpsc::error::TrySendError::Closed(_) => {
                    AppError::internal("the chat writer stopped")
                }
            })?;
        answered
            .await
            .map_err(|_| AppError::internal("the chat writer dropped a post"))?
    }

    /// Write transactions this node's chat has committed (or tried): one per batch.
    pub fn transactions(&self) -> u64 {
        self.transactions.load(Ordering::Relaxed)
    }
}

/// Writes one batch; each post gets its message or why not. A database error fails the
/// whole batch (nothing of it was written).
async fn write(db: &DatabaseConnection, posts: &[ChatPost]) -> Vec<Result<ChatMessage, AppError>> {
    match write_batch(db, posts).await {
        Ok(outcomes) => outcomes,
        Err(err) => {
            tracing::warn!(error = %err, posts = posts.len(), "a chat batch failed");
            posts.iter().map(|_| Err(err.clone())).collect()
        }
    }
}

async fn write_batch(
    db: &DatabaseConnection,
    posts: &[ChatPost],
) -> Result<Vec<Result<ChatMessage, AppError>>, AppError> {
    let not_live = || AppError::Conflict {
        message: "The chat opens when the show goes live.".into(),
    };
    let txn = begin_write(db).await?;
    let mut shows: Vec<Uuid> = posts.iter().map(|post| post.show_id).collect();
    shows.sort_unstable();
    shows.dedup();
    let live: Vec<Uuid> = show::Entity::find()
        .select_only()
        .column(show::Column::Id)
        .filter(show::Column::Id.is_in(shows))
        .filter(show::Column::Status.eq(ShowStatus::Live))
        .into_tuple()
        .all(&txn)
        .await?;
    let mut outcomes: Vec<Option<Result<ChatMessage, AppError>>> = Vec::with_capacity(posts.len());
    let mut numbered: BTreeMap<Uuid, Vec<usize>> = BTreeMap::new();
    for (index, post) in posts.iter().enumerate() {
        if !live.contains(&post.show_id) {
            outcomes.push(Some(Err(not_live())));
            continue;
        }
        let slow_mode = ThrottleKey::one_per(
            &format!("chat:{}:{}", post.show_id, post.author_id),
            TimeDelta::seconds(post.interval_secs),
        );
        match throttle::attempt(&txn, &[slow_mode], post.at).await {
            Ok(()) => {
                outcomes.push(None);
                numbered.entry(post.show_id).or_default().push(index);
            }
            Err(refused @ AppError::RateLimited { .. }) => outcomes.push(Some(Err(refused))),
            Err(err) => return Err(err),
        }
    }
    for (show_id, indexes) in numbered {
        let messages: Vec<(Uuid, ChatMessage)> = indexes
            .iter()
            .map(|&index| {
                let post = &posts[index];
                let message = ChatMessage {
                    id: 0,
                    author: post.author.clone(),
                    text: post.text.clone(),
                    at: post.at,
                };
                (post.author_id, message)
            })
            .collect();
        match events::record_chat(&txn, show_id, messages).await? {
            Some(stored) => {
                for (index, message) in indexes.into_iter().zip(stored) {
                    outcomes[index] = Some(Ok(message));
                }
            }
            // The show ended since it was read (PostgreSQL: another node's transaction).
            None => {
                for index in indexes {
                    outcomes[index] = Some(Err(not_live()));
                }
            }
        }
    }
    txn.commit().await?;
    Ok(outcomes
        .into_iter()
        .map(|outcome| {
            outcome.unwrap_or_else(|| Err(AppError::internal("a chat post was not written")))
        })
        .collect())
}
