//! `GET /media/{file}`: images Gala re-encoded (see `app::media`), served so that a browser can
//! only ever treat them as images.

use app::core::AppError;
use app::state::AppState;
use axum::{
    extract::{Path, State},
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};

/// Media never change once stored (a new upload gets a new id), so they may be cached forever.
const MEDIA_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";
/// Opened directly, a media URL still can't run anything.
const MEDIA_CSP: &str = "default-src 'none'; img-src 'self'; sandbox";

/// Serves one stored image with its stored content type; 404 for anything else.
pub async fn serve(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let media = app::media::load(&state.db, &file)
        .await?
        .ok_or(AppError::NotFound)?;
    let content_type = HeaderValue::from_str(&media.content_type).map_err(AppError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(MEDIA_CACHE_CONTROL),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(MEDIA_CSP),
            ),
        ],
        media.bytes,
    )
        .into_response())
}
