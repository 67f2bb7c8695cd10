//! The background sender: claims due rows of the outbox, delivers them through the configured
//! transport and retries failures with exponential back-off (forever, capped at five minutes
//! between tries: mail is never dropped). Rows are claimed with a lease, so several nodes can
//! run senders without sending a mail twice.

use std::{future::Future, path::PathBuf, time::Duration};

use chrono::Utc;
use entity::mail_outbox;
use lettre::{
    message::{header::ContentType, Mailbox, MultiPart, SinglePart},
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use sea_orm::{
    sea_query::{Condition, Expr},
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::Outbox;
use crate::core::AppError;
use entity::values::MailStatus;

/// How long a claimed mail stays reserved for the node that claimed it.
const LEASE: chrono::Duration = chrono::Duration::seconds(60);
/// Longest wait between two tries of one mail.
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Mails claimed per round.
const BATCH: u64 = 20;

/// Where mail goes.
#[derive(Clone)]
pub enum MailTransport {
    /// An SMTP server (`smtp://host:port` plain, `?tls=required` for STARTTLS, `smtps://` for TLS).
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in a folder that a person can open (the default without SMTP).
    Files(AsyncFileTransport<Tokio1Executor>),
}

impl MailTransport {
    /// An SMTP transport from a URL (credentials may be part of it; they are never logged).
    pub fn smtp(url: &str) -> Result<Self, AppError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| AppError::internal(format!("invalid GALA_SMTP_URL: {e}")))?
            .timeout(Some(Duration::from_secs(10)))
            .build();
        Ok(MailTransport::Smtp(transport))
    }

    /// A folder of `.eml` files (created when missing).
    pub fn files(dir: PathBuf) -> Result<Self, AppError> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| AppError::internal(format!("creating {}: {e}", dir.display())))?;
        Ok(MailTransport::Files(AsyncFileTransport::new(dir)))
    }

    async fn send(&self, message: Message) -> Result<(), String> {
        match self {
            MailTransport::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            MailTransport::Files(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

/// Sender settings.
#[derive(Clone)]
pub struct SenderConfig {
    /// The `From:` of every mail.
    pub from: Mailbox,
    /// Wait after the first failure; doubles with each further failure.
    pub retry_base: Duration,
    /// How often to look for due mail when nothing wakes the sender.
    pub poll_interval: Duration,
}

/// Delivers the outbox. See the module docs.
pub struct Sender {
    pub db: DatabaseConnection,
    pub transport: MailTransport,
    pub config: SenderConfig,
    pub outbox: Outbox,
}

impl Sender {
    /// Delivers due mail until `shutdown` completes.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            match self.deliver_due().await {
                Ok(sent) if sent > 0 => tracing::debug!(sent, "mail delivered"),
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "mail round failed"),
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = self.outbox.queued() => {}
                _ = tokio::time::sleep(self.config.poll_interval) => {}
            }
        }
    }

    /// One round: claims up to a batch of due mail and tries each once. Returns how many were sent.
    pub async fn deliver_due(&self) -> Result<usize, AppError> {
        let now = Utc::now();
        let due = mail_outbox::Entity::find()
            .filter(due_condition(now))
            .order_by_asc(mail_outbox::Column::NextAttemptAt)
            .limit(BATCH)
            .all(&self.db)
            .await?;
        let mut sent = 0;
        for row in due {
            let claimed = mail_outbox::Entity::update_many()
                .col_expr(
                    mail_outbox::Column::Status,
                    Expr::value(MailStatus::Sending),
                )
                .col_expr(mail_outbox::Column::LeaseUntil, Expr::value(now + LEASE))
                .filter(mail_outbox::Column::Id.eq(row.id))
                .filter(due_condition(now))
                .exec(&self.db)
                .await?;
            if claimed.rows_affected != 1 {
                continue; // another node took it
            }
            let outcome = match self.message(&row) {
                Ok(message) => self.transport.send(message).await,
                Err(err) => Err(err),
            };
            match outcome {
                Ok(()) => {
                    mail_outbox::Entity::update_many()
                        .col_expr(mail_outbox::Column::Status, Expr::value(MailStatus::Sent))
                        .col_expr(mail_outbox::Column::SentAt, Expr::value(Utc::now()))
                        .col_expr(mail_outbox::Column::Attempts, Expr::value(row.attempts + 1))
                        .col_expr(
                            mail_outbox::Column::LeaseUntil,
                            Expr::value(Option::<chrono::DateTime<Utc>>::None),
                        )
                        .filter(mail_outbox::Column::Id.eq(row.id))
                        .exec(&self.db)
                        .await?;
                    sent += 1;
                }
                Err(error) => {
                    let attempts = row.attempts + 1;
                    let wait = self.backoff(attempts);
                    tracing::warn!(mail = %row.id, attempts, retry_in_ms = wait.as_millis() as u64, %error, "mail delivery failed; will retry");
                    mail_outbox::Entity::update_many()
                        .col_expr(
                            mail_outbox::Column::Status,
                            Expr::value(MailStatus::Pending),
                        )
                        .col_expr(mail_outbox::Column::Attempts, Expr::value(attempts))
                        .col_expr(mail_outbox::Column::LastError, Expr::value(error))
                        .col_expr(
                            mail_outbox::Column::NextAttemptAt,
                            Expr::value(
                                Utc::now() + chrono::Duration::from_std(wait).unwrap_or(LEASE),
                            ),
                        )
                        .col_expr(
                            mail_outbox::Column::LeaseUntil,
                            Expr::value(Option::<chrono::DateTime<Utc>>::None),
                        )
                        .filter(mail_outbox::Column::Id.eq(row.id))
                        .exec(&self.db)
                        .await?;
                }
            }
        }
        Ok(sent)
    }

    fn backoff(&self, attempts: i32) -> Duration {
        let factor = 1u32
            .checked_shl((attempts - 1).clamp(0, 16) as u32)
            .unwrap_or(u32::MAX);
        self.config
            .retry_base
            .saturating_mul(factor)
            .min(MAX_BACKOFF)
    }

    fn message(&self, row: &mail_outbox::Model) -> Result<Message, String> {
        let to: Mailbox = row
            .to_address
            .parse()
            .map_err(|e| format!("bad recipient: {e}"))?;
        Message::builder()
            .from(self.config.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(row.text_body.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(row.html_body.clone()),
                    ),
            )
            .map_err(|e| format!("cannot build message: {e}"))
    }
}

/// Pending mail whose time has come, or mail whose sender's lease ran out (a crashed node).
fn due_condition(now: chrono::DateTime<Utc>) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(mail_outbox::Column::Status.eq(MailStatus::Pending))
                .add(mail_outbox::Column::NextAttemptAt.lte(now)),
        )
        .add(
            Condition::all()
                .add(mail_outbox::Column::Status.eq(MailStatus::Sending))
                .add(mail_outbox::Column::LeaseUntil.lt(now)),
        )
}
