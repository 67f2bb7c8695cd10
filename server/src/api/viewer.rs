//! `Viewer`: who is calling, resolved once per request from the session cookie, plus the
//! client context for the audit log.

use std::net::SocketAddr;

use app::{
    auth::{audit::ClientContext, session, CurrentUser},
    core::{state::AppState, AppError},
};
use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::request::Parts,
};
use tower_sessions::Session;

/// The caller (if signed in) and where they call from.
pub struct Viewer {
    pub user: Option<CurrentUser>,
    pub client: ClientContext,
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, message)| AppError::internal(format!("session layer missing: {message}")))?;
        let user = session::current_user(state, &session).await?;
        let addr = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip().to_string());
        Ok(Viewer { user, client: ClientContext { addr } })
    }
}
