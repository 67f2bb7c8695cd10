//! [`Caller`]: who is calling — the one answer for server functions and the JSON API alike.
//!
//! A caller is resolved once per request from the session cookie (the signed-in [`Account`], if
//! any), the `Authorization: Bearer` header (a brand's own system) and the client's address. The
//! guards ([`Caller::signed_in`], [`Caller::verified`], [`Caller::platform_admin`]) and
//! `brands::BrandScope::resolve` decide what it may do from there.

use std::net::IpAddr;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use sea_orm::DatabaseConnection;
use tower_sessions::Session;
use uuid::Uuid;

use super::{audit::ClientContext, guard, session, Account, CurrentUser};
use crate::core::AppError;

/// The client's address, put into every request's extensions by the server (the peer, or
/// what trusted proxies forwarded: `GALA_TRUSTED_PROXIES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// Who is calling: the signed-in account (if any), the bearer token presented (if any), where
/// the request comes from, and its session (to sign in and out).
#[derive(Clone)]
pub struct Caller {
    account: Option<Account>,
    bearer: Option<String>,
    client: ClientContext,
    session: Session,
    wants_page: bool,
}

impl Caller {
    /// The caller of the server function being answered.
    pub async fn current(db: &DatabaseConnection) -> Result<Caller, AppError> {
        let mut parts = leptos::prelude::use_context::<Parts>()
            .ok_or_else(|| AppError::internal("no request parts in the Leptos context"))?;
        Self::from_parts(&mut parts, db).await
    }

    async fn from_parts(parts: &mut Parts, db: &DatabaseConnection) -> Result<Caller, AppError> {
        let session = Session::from_request_parts(parts, &())
            .await
            .map_err(|(_, message)| AppError::internal(format!("no session layer: {message}")))?;
        let account = session::current_account(db, &session).await?;
        let bearer = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|token| token.trim().to_owned())
            .filter(|token| !token.is_empty());
        let addr = parts
            .extensions
            .get::<ClientAddr>()
            .map(|ClientAddr(addr)| addr.to_string());
        let wants_page = parts
            .headers
            .get(axum::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
        Ok(Caller {
            account,
            bearer,
            client: ClientContext { addr },
            session,
            wants_page,
        })
    }

    /// The signed-in account, if any.
    pub fn account(&self) -> Option<&Account> {
        self.account.as_ref()
    }

    /// The signed-in account's id, if any.
    pub fn account_id(&self) -> Option<Uuid> {
        self.account.as_ref().map(|a| a.id)
    }

    /// The signed-in person as pages see them.
    pub fn user(&self) -> Option<CurrentUser> {
        self.account.as_ref().map(Account::view)
    }

    /// The bearer token the caller presented: a brand's own system.
    pub fn bearer(&self) -> Option<&str> {
        self.bearer.as_deref()
    }

    /// Where the request comes from (throttling, the audit log).
    pub fn client(&self) -> &ClientContext {
        &self.client
    }

    /// Whether the request is a browser's plain form post (it accepts HTML): a page without
    /// its script, which must be sent on to a page rather than answered with data.
    pub fn wants_page(&self) -> bool {
        self.wants_page
    }

    /// The request's session (sign in, sign out, a guest's cart).
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The caller must be signed in.
    pub fn signed_in(&self) -> Result<&Account, AppError> {
        guard::require_signed_in(self.account())
    }

    /// The caller must be signed in with a verified email (to buy or to manage a brand).
    pub fn verified(&self) -> Result<&Account, AppError> {
        guard::require_verified(self.account())
    }

    /// The caller must be a platform admin.
    pub fn platform_admin(&self) -> Result<&Account, AppError> {
        guard::require_platform_admin(self.account())
    }
}

/// The JSON API's extractor: `caller: Caller` in a handler's arguments.
impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    DatabaseConnection: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Self::from_parts(parts, &DatabaseConnection::from_ref(state)).await
    }
}
