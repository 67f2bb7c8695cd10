//! The audit log: who did what, when, from where. Never records secrets.

use chrono::{DateTime, Utc};
use entity::audit_event;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::core::AppError;

/// Where a request came from, for throttling and the audit log.
#[derive(Debug, Clone, Default)]
pub struct ClientContext {
    /// The client's IP address (no port), when known.
    pub addr: Option<String>,
}

impl ClientContext {
    /// The address, or `unknown` (which still throttles: all unknown clients share one key).
    pub fn addr_or_unknown(&self) -> &str {
        self.addr.as_deref().unwrap_or("unknown")
    }
}

/// Records one event.
pub async fn record(
    db: &impl ConnectionTrait,
    client: &ClientContext,
    actor: Option<Uuid>,
    action: &str,
    subject: Option<&str>,
    detail: Option<serde_json::Value>,
) -> Result<(), AppError> {
    audit_event::Entity::insert(audit_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        occurred_at: Set(Utc::now()),
        actor_account_id: Set(actor),
        action: Set(action.to_owned()),
        subject: Set(subject.map(str::to_owned)),
        client_addr: Set(client.addr.clone()),
        detail: Set(detail.map(|d| d.to_string())),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// One event of a background job, recorded with [`record_all`].
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub actor: Option<Uuid>,
    pub action: &'static str,
    pub subject: Option<String>,
    pub detail: Option<serde_json::Value>,
}

/// Records `entries` at `at`, in bulk (a catalog import's thousands of listings): they come
/// from a background job, so they carry no client address.
pub async fn record_all(
    db: &impl ConnectionTrait,
    at: DateTime<Utc>,
    entries: Vec<AuditEntry>,
) -> Result<(), AppError> {
    let rows = entries
        .into_iter()
        .map(|entry| audit_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            occurred_at: Set(at),
            actor_account_id: Set(entry.actor),
            action: Set(entry.action.to_owned()),
            subject: Set(entry.subject),
            client_addr: Set(None),
            detail: Set(entry.detail.map(|d| d.to_string())),
        })
        .collect();
    crate::core::bulk::insert_all(db, rows).await
}
