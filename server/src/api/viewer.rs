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

/// The caller (if signed in), the bearer token it presented (if any) and where it calls from.
pub struct Viewer {
    pub user: Option<CurrentUser>,
    /// `Authorization: Bearer <token>`: a brand's own system (see `BrandScope::from_api_token`).
    pub bearer: Option<String>,
    pub client: ClientContext,
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, message)| {
                AppError::internal(format!("session layer missing: {message}"))
            })?;
        let user = session::current_user(state, &session).await?;
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());
        let bearer = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|token| token.trim().to_owned());
        Ok(Viewer {
            user,
            bearer,
            client: ClientContext { addr },
        })
    }
}
