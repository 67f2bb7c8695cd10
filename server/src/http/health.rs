//! Probes for orchestrators: `/healthz` (the process answers) and `/readyz` (it can reach its
//! database, so it may take traffic).

use app::core::AppError;
use app::state::AppState;
use axum::{extract::State, Json};
use serde_json::{json, Value};

/// Liveness: answers as long as the process runs.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: `200` when the database answers, `503` with code `unavailable` when it does not.
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    state.db.ping().await.map_err(|err| {
        tracing::warn!(error = %err, "readiness check: database unreachable");
        AppError::Unavailable
    })?;
    Ok(Json(json!({ "status": "ready", "database": "ok" })))
}
