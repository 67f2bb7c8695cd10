//! JSON body and query extractors whose rejections are `AppError`s (so malformed input gets
//! the same JSON error shape as everything else, never axum's plain-text message), and the
//! `Idempotency-Key` header read the same way by every route that places orders.

use app::core::AppError;
use axum::{
    extract::{rejection::JsonRejection, FromRequest, Request},
    http::HeaderMap,
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

/// `Query<T>` with `AppError` rejections: a bad query parameter is a 400 naming it, in the
/// usual JSON error shape.
pub struct ApiQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| ApiQuery(value))
            .map_err(|err| AppError::BadRequest {
                message: err.body_text(),
            })
    }
}

/// The `Idempotency-Key` header, if sent (checked by the one rule in `checkout::place`).
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, AppError> {
    headers
        .get("idempotency-key")
        .map(|value| {
            value.to_str().map_err(|_| AppError::BadRequest {
                message: "The Idempotency-Key header must be visible ASCII characters.".into(),
            })
        })
        .transpose()
}

/// A CSV download named `file_name`.
pub fn csv_download(
    file_name: &str,
    body: impl axum::response::IntoResponse,
) -> impl axum::response::IntoResponse {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body,
    )
}
