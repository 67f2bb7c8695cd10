//! A tower-sessions store in the application database (SQLite or PostgreSQL), so sessions
//! survive restarts and are shared by every node. Session ids are stored as SHA-256 digests.

use chrono::{DateTime, Utc};
use entity::auth_session;
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    QueryFilter,
};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use uuid::Uuid;

use super::tokens::digest;
use crate::core::AppError;

/// The session key under which the signed-in account's id is kept.
pub const ACCOUNT_KEY: &str = "account_id";

/// Sessions in the `auth_session` table.
#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: DatabaseConnection,
}

impl DbSessionStore {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Removes expired sessions; run periodically by the server.
    pub async fn delete_expired(&self) -> Result<u64, AppError> {
        let result = auth_session::Entity::delete_many()
            .filter(auth_session::Column::ExpiresAt.lt(Utc::now()))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }
}

/// Ends every session of an account ("sign out everywhere", password reset).
pub async fn delete_account_sessions(
    db: &DatabaseConnection,
    account_id: Uuid,
) -> Result<u64, AppError> {
    let result = auth_session::Entity::delete_many()
        .filter(auth_session::Column::AccountId.eq(account_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

fn backend(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

fn to_row(record: &Record) -> Result<auth_session::ActiveModel, session_store::Error> {
    let data = serde_json::to_string(&record.data)
        .map_err(|e| session_store::Error::Encode(e.to_string()))?;
    let account_id = record
        .data
        .get(ACCOUNT_KEY)
        .and_then(|v| v.as_str())
        .and_then(|s| Uuid::parse_str(s).ok());
    let expires_at = DateTime::<Utc>::from_timestamp(record.expiry_date.unix_timestamp(), 0)
        .ok_or_else(|| session_store::Error::Encode("expiry out of range".into()))?;
    Ok(auth_session::ActiveModel {
        id: Set(digest(&record.id.to_string())),
        account_id: Set(account_id),
        data: Set(data),
        expires_at: Set(expires_at),
    })
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh random 128-bit id; on the (astronomically unlikely) collision, draw again.
        loop {
            let exists = auth_session::Entity::find_by_id(digest(&record.id.to_string()))
                .one(&self.db)
                .await
                .map_err(backend)?
                .is_some();
            if !exists {
                break;
            }
            record.id = Id::default();
        }
        self.save(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        auth_session::Entity::insert(to_row(record)?)
            .on_conflict(
                OnConflict::column(auth_session::Column::Id)
                    .update_columns([
                        auth_session::Column::AccountId,
                        auth_session::Column::Data,
                        auth_session::Column::ExpiresAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(row) = auth_session::Entity::find_by_id(digest(&id.to_string()))
            .filter(auth_session::Column::ExpiresAt.gt(Utc::now()))
            .one(&self.db)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expires_at.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        auth_session::Entity::delete_by_id(digest(&id.to_string()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
