//! `AppState`: the process-wide handles every request may need, built once by the server and
//! handed to Leptos (as context) and to the plain axum routes (as router state). It gathers
//! capabilities (the checkout engine, the show hub, the mail outbox), so it lives at the top of
//! the crate, above them, not in `core`.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use crate::auth::{password::PasswordGate, Caller};
use crate::checkout::Engine;
use crate::core::{time::Clock, AppError};
use crate::mail::Outbox;
use crate::show::ShowHub;

/// Shared, cheaply clonable state.
#[derive(Clone)]
pub struct AppState {
    /// The application database (SQLite or PostgreSQL).
    pub db: DatabaseConnection,
    /// Leptos' own settings (site root, output name, ...).
    pub leptos_options: LeptosOptions,
    /// The address people use to reach Gala (for links in mail), without a trailing slash.
    pub public_url: Arc<str>,
    /// Queue for transactional mail.
    pub outbox: Outbox,
    /// The checkout engine every purchase goes through.
    pub checkout: Engine,
    /// This node's live-show hub (real-time events for viewers).
    pub shows: ShowHub,
    /// The clock time-based rules read (the system's; tests move it forward).
    pub clock: Clock,
    /// Caps the password hashing requests may cause at once.
    pub passwords: PasswordGate,
}

impl FromRef<AppState> for DatabaseConnection {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state, from inside a server function or a server-rendered component.
pub fn app_state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| AppError::internal("AppState missing from the Leptos context"))
}

/// The state and the caller of the server function being answered: where most server
/// functions start.
pub async fn request() -> Result<(AppState, Caller), AppError> {
    let state = app_state()?;
    let caller = Caller::current(&state.db).await?;
    Ok((state, caller))
}
