//! Signed-in, verified shoppers for the load benchmarks: accounts and their sessions written
//! straight into the database before the server starts, so a bench measures what members do
//! (claim, play, buy) rather than sign-up and argon2 (the identity tests cover those).

use std::collections::HashMap;

use chrono::{Duration, Utc};
use entity::{account, auth_session};
use sea_orm::{DatabaseConnection, EntityTrait, IntoActiveModel};
use tower_sessions::session::Id;
use uuid::Uuid;

/// A verified account and its session cookie.
#[derive(Clone)]
pub struct Member {
    pub account: Uuid,
    /// `gala_session=…`, for the `Cookie` header.
    pub cookie: String,
}

/// Rows written per INSERT.
const CHUNK: usize = 200;

/// `count` verified accounts (`{prefix}-{i}@bench.test`), each signed in.
pub async fn members(
    db: &DatabaseConnection,
    prefix: &str,
    count: usize,
) -> anyhow::Result<Vec<Member>> {
    let now = Utc::now();
    let mut members = Vec::with_capacity(count);
    let mut accounts = Vec::with_capacity(count);
    let mut sessions = Vec::with_capacity(count);
    for i in 0..count {
        let id = Uuid::now_v7();
        accounts.push(
            account::Model {
                id,
                email: format!("{prefix}-{i}@bench.test"),
                display_name: format!("Bench member {i}"),
                // Never signed in with: the session below is the member's way in.
                password_hash: "!".into(),
                email_verified_at: Some(now),
                is_platform_admin: false,
                created_at: now,
                updated_at: now,
            }
            .into_active_model(),
        );
        // What `auth::session::start` keeps, stored the way `DbSessionStore` stores it.
        let session = Id::default().to_string();
        let data: HashMap<&str, serde_json::Value> = HashMap::from([
            ("account_id", id.to_string().into()),
            ("signed_in_at", now.timestamp().into()),
        ]);
        sessions.push(
            auth_session::Model {
                id: app::auth::tokens::digest(&session),
                account_id: Some(id),
                data: serde_json::to_string(&data)?,
                expires_at: now + Duration::days(1),
            }
            .into_active_model(),
        );
        members.push(Member {
            account: id,
            cookie: format!("{}={session}", server::router::SESSION_COOKIE),
        });
    }
    while !accounts.is_empty() {
        let rest = accounts.split_off(accounts.len().min(CHUNK));
        account::Entity::insert_many(std::mem::replace(&mut accounts, rest))
            .exec_without_returning(db)
            .await?;
    }
    while !sessions.is_empty() {
        let rest = sessions.split_off(sessions.len().min(CHUNK));
        auth_session::Entity::insert_many(std::mem::replace(&mut sessions, rest))
            .exec_without_returning(db)
            .await?;
    }
    Ok(members)
}
