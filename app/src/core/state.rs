//! `AppState`: the process-wide handles every request may need, built once by the server and
//! handed to Leptos (as context) and to the plain axum routes (as router state).

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use super::AppError;
use crate::checkout::Engine;
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
