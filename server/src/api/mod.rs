//! `/api/v1`: the JSON API for apps and brands' own systems. Errors are `AppError`s, answered
//! as `{"error":{"code":…,"message":…}}` with a stable code.

mod auth;
mod brands;
mod catalog;
mod json;
mod viewer;

use app::core::state::AppState;
use axum::Router;

pub use json::{ApiJson, ApiQuery};
pub use viewer::Viewer;

/// Every `/api/v1` route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .nest("/api/v1/auth", auth::routes())
        .merge(brands::routes())
        .merge(catalog::routes())
}
