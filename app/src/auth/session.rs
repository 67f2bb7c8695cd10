//! The signed-in state of a browser or app session: who, and since when.

use chrono::{Duration, Utc};
use entity::account;
use sea_orm::{DatabaseConnection, EntityTrait};
use tower_sessions::Session;
use uuid::Uuid;

use super::{session_store::ACCOUNT_KEY, CurrentUser};
use crate::core::AppError;

/// A signed-in person as the server knows them. Pages get the [`CurrentUser`] view of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub email_verified: bool,
    pub is_platform_admin: bool,
}

impl Account {
    /// The account as the browser sees it.
    pub fn view(&self) -> CurrentUser {
        CurrentUser {
            id: self.id.to_string(),
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            email_verified: self.email_verified,
            is_platform_admin: self.is_platform_admin,
        }
    }
}

impl From<&entity::account::Model> for Account {
    fn from(row: &entity::account::Model) -> Self {
        Account {
            id: row.id,
            email: row.email.clone(),
            display_name: row.display_name.clone(),
            email_verified: row.email_verified_at.is_some(),
            is_platform_admin: row.is_platform_admin,
        }
    }
}

const SIGNED_IN_AT_KEY: &str = "signed_in_at";
/// A session ends this long after sign-in however active it is (idle expiry is set on the
/// session layer).
pub const ABSOLUTE_LIFETIME: Duration = Duration::days(30);

fn session_error(err: tower_sessions::session::Error) -> AppError {
    AppError::internal(format!("session store: {err}"))
}

/// Signs `account_id` in: a new session id (against session fixation), then the account.
pub async fn start(session: &Session, account_id: Uuid) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(ACCOUNT_KEY, account_id.to_string())
        .await
        .map_err(session_error)?;
    session
        .insert(SIGNED_IN_AT_KEY, Utc::now().timestamp())
        .await
        .map_err(session_error)?;
    Ok(())
}

/// Signs out: deletes the session server-side and clears the cookie.
pub async fn end(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_error)
}

/// The signed-in account of `session`, if any (ending sessions past their absolute lifetime).
pub async fn current_account(
    db: &DatabaseConnection,
    session: &Session,
) -> Result<Option<Account>, AppError> {
    let Some(account_id) = session
        .get::<String>(ACCOUNT_KEY)
        .await
        .map_err(session_error)?
    else {
        return Ok(None);
    };
    let signed_in_at = session
        .get::<i64>(SIGNED_IN_AT_KEY)
        .await
        .map_err(session_error)?
        .unwrap_or(0);
    if Utc::now().timestamp() - signed_in_at > ABSOLUTE_LIFETIME.num_seconds() {
        end(session).await?;
        return Ok(None);
    }
    let Ok(account_id) = Uuid::parse_str(&account_id) else {
        end(session).await?;
        return Ok(None);
    };
    match account::Entity::find_by_id(account_id).one(db).await? {
        Some(account) => Ok(Some(Account::from(&account))),
        None => {
            end(session).await?;
            Ok(None)
        }
    }
}
