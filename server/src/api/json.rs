//! A JSON body extractor whose rejections are `AppError`s (so a malformed body gets the same
//! JSON error shape as everything else, never axum's plain-text message).

use app::core::AppError;
use axum::{
    extract::{rejection::JsonRejection, FromRequest, Request},
    Json,
};
use serde::de::DeserializeOwned;

/// `Json<T>` with `AppError` rejections: 400 for unreadable JSON, 422 for a missing or mistyped
/// field (named in the message), 415 is folded into 400 with a hint to send JSON.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::JsonDataError(err)) => Err(AppError::field("body", err.body_text())),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::BadRequest {
                message: "Send the body as JSON with `Content-Type: application/json`.".into(),
            }),
            Err(err) => Err(AppError::BadRequest {
                message: err.body_text(),
            }),
        }
    }
}
