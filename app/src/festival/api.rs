use leptos::prelude::*;

use super::Festival;
use crate::core::AppError;

/// The current festival, or `None` when none is scheduled.
#[server(prefix = "/api/fn", endpoint = "festival")]
pub async fn get_festival() -> Result<Option<Festival>, AppError> {
    let state = crate::state::app_state()?;
    super::current_festival(&state.db).await
}
