//! Writing mail to the outbox.

use std::sync::Arc;

use chrono::Utc;
use entity::mail_outbox;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use tokio::sync::Notify;
use uuid::Uuid;

use super::Email;
use crate::core::AppError;
use entity::values::MailStatus;

/// Handle to wake the background sender when new mail is queued.
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    wake: Arc<Notify>,
}

impl Outbox {
    /// Queues `email` (durably, in `db`, which may be a transaction) and wakes the sender.
    pub async fn send(&self, db: &impl ConnectionTrait, email: Email) -> Result<(), AppError> {
        enqueue(db, email).await?;
        self.wake();
        Ok(())
    }

    /// Wakes the sender after mail was queued with [`enqueue`] inside a transaction (call it
    /// once the transaction has committed).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Completes when mail was queued since the last call.
    pub async fn queued(&self) {
        self.wake.notified().await
    }
}

/// Writes `email` to the outbox table.
pub async fn enqueue(db: &impl ConnectionTrait, email: Email) -> Result<(), AppError> {
    mail_outbox::Entity::insert(row(email))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Writes many mails with as few statements as possible (checkout queues one per order of a
/// batch); call [`Outbox::wake`] after the transaction commits.
pub async fn enqueue_many(db: &impl ConnectionTrait, emails: Vec<Email>) -> Result<(), AppError> {
    crate::core::bulk::insert_all(db, emails.into_iter().map(row).collect()).await
}

fn row(email: Email) -> mail_outbox::ActiveModel {
    let now = Utc::now();
    mail_outbox::ActiveModel {
        id: Set(Uuid::now_v7()),
        to_address: Set(email.to),
        subject: Set(email.subject),
        text_body: Set(email.text),
        html_body: Set(email.html),
        status: Set(MailStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        lease_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    }
}
