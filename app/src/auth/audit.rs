//! The audit log: who did what, when, from where. Never records secrets.

use chrono::Utc;
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
