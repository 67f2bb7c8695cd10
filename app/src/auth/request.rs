//! The request a server function is answering: application state, the session and the
//! client's address, with the signed-in person resolved on demand.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use tower_sessions::Session;
use uuid::Uuid;

use crate::auth::{audit::ClientContext, session, CurrentUser};
use crate::core::{
    state::{app_state, AppState},
    AppError,
};

/// What a server function needs to know about its request: state, session, client address.
pub struct RequestContext {
    pub state: AppState,
    pub session: Session,
    pub client: ClientContext,
}

impl RequestContext {
    /// Gathers the context of the current server-function call.
    pub async fn load() -> Result<Self, AppError> {
        let state = app_state()?;
        let session = leptos_axum::extract::<Session>()
            .await
            .map_err(|e| AppError::internal(format!("no session layer: {e}")))?;
        let client = ClientContext {
            addr: leptos_axum::extract::<ConnectInfo<SocketAddr>>()
                .await
                .ok()
                .map(|ConnectInfo(addr)| addr.ip().to_string()),
        };
        Ok(Self {
            state,
            session,
            client,
        })
    }

    /// The signed-in person, if any.
    pub async fn user(&self) -> Result<Option<CurrentUser>, AppError> {
        session::current_user(&self.state, &self.session).await
    }

    /// The signed-in person and their account id, or `Unauthorized`.
    pub async fn signed_in_account(&self) -> Result<(CurrentUser, Uuid), AppError> {
        let user = crate::auth::require_signed_in(self.user().await?)?;
        let id = Uuid::parse_str(&user.id).map_err(AppError::internal)?;
        Ok((user, id))
    }
}
