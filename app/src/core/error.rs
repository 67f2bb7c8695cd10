//! `AppError`: the one error type of the application layer.
//!
//! Every failure a user can see is one of these variants, each with a stable machine-readable
//! `code`. The type crosses the wire (server functions serialise it to the browser) so it carries
//! only what a user may read: internal details are logged with the request id where the error is
//! created (see [`AppError::internal`]) and never kept in the value.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Field name → human-readable messages, for form and API validation errors.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// Collecting validation messages, one field at a time.
pub trait FieldErrorsExt {
    /// Adds `message` to `field`'s messages.
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>);
}

impl FieldErrorsExt for FieldErrors {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.entry(field.into()).or_default().push(message.into());
    }
}

/// What went wrong, in terms a client can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AppError {
    /// The thing asked for does not exist (or the caller may not know it exists).
    #[error("We couldn't find what you were looking for.")]
    NotFound,
    /// The caller must sign in first.
    #[error("Please sign in to continue.")]
    Unauthorized,
    /// The item is limited per person (or sold only in a live show): only a signed-in account
    /// with a verified email may buy it, and its limit counts per account.
    #[error("Sign in with a verified email address to buy this item: it is limited per person.")]
    SignInRequired,
    /// The caller is signed in but may not do this.
    #[error("You don't have permission to do that.")]
    Forbidden,
    /// The action needs a verified email address.
    #[error("Please verify your email address first. We sent you a link.")]
    EmailNotVerified,
    /// Sign-in failed; deliberately silent about whether the email exists.
    #[error("Email or password is incorrect.")]
    InvalidCredentials,
    /// A mailed link (verification, password reset) is unknown, used or expired.
    #[error("This link is invalid or has expired. Please request a new one.")]
    InvalidToken,
    /// The input was refused; `fields` says why, per field.
    #[error("Please correct the highlighted fields.")]
    Validation { fields: FieldErrors },
    /// The request clashes with the current state (duplicate, stale, ...).
    #[error("{message}")]
    Conflict { message: String },
    /// The item has no stock left.
    #[error("Sold out.")]
    SoldOut,
    /// The buyer already holds as many units of an item as one person may buy.
    #[error("You can buy at most {limit} of this item.")]
    LimitReached { limit: i64 },
    /// A promotion or coupon cannot be had: every coupon is claimed, the buyer claimed or used
    /// as many as one person may, or its budget ran out while the order was being placed (the
    /// order was not placed; placing it again prices it without).
    #[error("{message}")]
    OfferUnavailable { message: String },
    /// The payment provider refused the payment; the order was not placed.
    #[error("{message}")]
    PaymentDeclined { message: String },
    /// An `Idempotency-Key` was sent again with a different request.
    #[error("This Idempotency-Key was already used for a different request.")]
    IdempotencyKeyReused,
    /// A request with this `Idempotency-Key` is still being processed; retry to get its answer.
    #[error("A request with this Idempotency-Key is still being processed. Retry shortly to get its answer.")]
    IdempotencyKeyInUse,
    /// The buyer, or their client address, already started as many orders left waiting for
    /// payment as allowed (they hold stock unpaid); pay those or try again later.
    #[error("You already have orders waiting for payment. Complete them, or try again in {retry_after_secs} seconds.")]
    TooManyUnpaidOrders { retry_after_secs: u64 },
    /// Too many requests; try again after `retry_after_secs`.
    #[error("Too many requests. Please try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    /// The request body or URL could not be understood.
    #[error("{message}")]
    BadRequest { message: String },
    /// A dependency (database, ...) is unavailable for now.
    #[error("The service is temporarily unavailable. Please try again shortly.")]
    Unavailable,
    /// Something failed on our side; details are in the server log under the request id.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
}

impl AppError {
    /// The stable code clients match on (`not_found`, `validation`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::SignInRequired => "sign_in_required",
            AppError::Forbidden => "forbidden",
            AppError::EmailNotVerified => "email_not_verified",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::InvalidToken => "invalid_token",
            AppError::Validation { .. } => "validation",
            AppError::Conflict { .. } => "conflict",
            AppError::SoldOut => "sold_out",
            AppError::LimitReached { .. } => "limit_reached",
            AppError::OfferUnavailable { .. } => "offer_unavailable",
            AppError::PaymentDeclined { .. } => "payment_declined",
            AppError::IdempotencyKeyReused => "idempotency_key_reused",
            AppError::IdempotencyKeyInUse => "idempotency_key_in_use",
            AppError::TooManyUnpaidOrders { .. } => "too_many_unpaid_orders",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::BadRequest { .. } => "bad_request",
            AppError::Unavailable => "unavailable",
            AppError::Internal => "internal",
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Unauthorized | AppError::SignInRequired => 401,
            AppError::Forbidden | AppError::EmailNotVerified => 403,
            AppError::InvalidCredentials => 401,
            AppError::InvalidToken => 400,
            AppError::Validation { .. } => 422,
            AppError::Conflict { .. }
            | AppError::SoldOut
            | AppError::LimitReached { .. }
            | AppError::OfferUnavailable { .. } => 409,
            AppError::PaymentDeclined { .. } => 402,
            AppError::IdempotencyKeyReused => 422,
            AppError::IdempotencyKeyInUse => 409,
            AppError::RateLimited { .. } | AppError::TooManyUnpaidOrders { .. } => 429,
            AppError::BadRequest { .. } => 400,
            AppError::Unavailable => 503,
            AppError::Internal => 500,
        }
    }

    /// How long to wait before trying again, for errors that say (answered as `Retry-After`).
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::RateLimited { retry_after_secs }
            | AppError::TooManyUnpaidOrders { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// A validation error for a single field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(field.to_owned(), vec![message.into()]);
        AppError::Validation { fields }
    }

    /// Logs `detail` (with the current request's span, so its request id) and returns
    /// [`AppError::Internal`]. The detail never reaches the client.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        #[cfg(feature = "ssr")]
        tracing::error!(error = %detail, "internal error");
        #[cfg(not(feature = "ssr"))]
        let _ = detail;
        AppError::Internal
    }

    /// The messages for one field of a validation error (empty for other errors).
    pub fn field_messages(&self, field: &str) -> &[String] {
        match self {
            AppError::Validation { fields } => fields.get(field).map(Vec::as_slice).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// Server functions return `Result<T, AppError>`; transport failures become `BadRequest`
/// (malformed call) or `Unavailable` (the browser could not reach the server).
impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            E::Request(_) | E::Response(_) => AppError::Unavailable,
            E::Args(message) | E::Deserialization(message) | E::MissingArg(message) => {
                AppError::BadRequest { message }
            }
            E::UnsupportedRequestMethod(message) => AppError::BadRequest { message },
            other => AppError::internal(other),
        }
    }

    /// Encodes the error for the browser and, on the server, sets the response status from
    /// [`AppError::status`] — the single place server-function errors are mapped to HTTP.
    ///
    /// A plain form post (no wasm) keeps the redirect server_fn gives it, back to the form
    /// with the error in the address: an error status there would replace that redirect and
    /// leave the browser on a bare error body.
    fn ser(&self) -> leptos::server_fn::Bytes {
        #[cfg(feature = "ssr")]
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if !crate::core::links::is_plain_form_post() {
                if let Ok(status) = axum::http::StatusCode::from_u16(self.status()) {
                    response.set_status(status);
                }
            }
            if let Some(retry_after_secs) = self.retry_after_secs() {
                response.insert_header(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from(retry_after_secs),
                );
            }
        }
        <Self::Encoder as leptos::server_fn::Encodes<Self>>::encode(self)
            .unwrap_or_else(|_| leptos::server_fn::Bytes::from_static(br#"{"code":"internal"}"#))
    }
}

/// The JSON body of an API error: `{"error":{"code":..,"message":..,"fields":..}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// See [`ErrorBody`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    /// Per-field messages, keyed by the field's path (`variants.0.price_minor`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<std::collections::BTreeMap<String, Vec<String>>>))]
    pub fields: Option<FieldErrors>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

impl From<&AppError> for ErrorBody {
    fn from(err: &AppError) -> Self {
        ErrorBody {
            error: ErrorDetail {
                code: err.code().to_owned(),
                message: err.to_string(),
                fields: match err {
                    AppError::Validation { fields } => Some(fields.clone()),
                    _ => None,
                },
                retry_after_secs: err.retry_after_secs(),
            },
        }
    }
}

#[cfg(feature = "ssr")]
mod server_side {
    use super::{AppError, ErrorBody};
    use axum::http::{header, HeaderValue, StatusCode};
    use axum::response::{IntoResponse, Response};

    /// The one mapping of `AppError` to an HTTP response for the JSON API.
    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let status =
                StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = (status, axum::Json(ErrorBody::from(&self))).into_response();
            if let Some(retry_after_secs) = self.retry_after_secs() {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            response
        }
    }

    /// Database errors are mapped once, here: a missing row is a 404, a lost connection a 503,
    /// text PostgreSQL cannot store (a NUL character, which only a request can have carried)
    /// a 400, anything else is logged and answered as `internal`.
    impl From<sea_orm::DbErr> for AppError {
        fn from(err: sea_orm::DbErr) -> Self {
            if is_unstorable_text(&err) {
                return AppError::BadRequest {
                    message: "The request contains a character that cannot be stored (NUL).".into(),
                };
            }
            match err {
                sea_orm::DbErr::RecordNotFound(_) => AppError::NotFound,
                sea_orm::DbErr::ConnectionAcquire(_) | sea_orm::DbErr::Conn(_) => {
                    tracing::warn!(error = %err, "database unavailable");
                    AppError::Unavailable
                }
                other => AppError::internal(other),
            }
        }
    }

    impl AppError {
        /// `err` as a field error on `field` saying `message` when it is a unique-constraint
        /// violation (a slug, a name or an email already taken: the database decides, so two
        /// requests at once cannot both get it), otherwise mapped as any database error.
        pub fn taken(err: sea_orm::DbErr, field: &str, message: &str) -> AppError {
            if is_taken(&err) {
                AppError::field(field, message)
            } else {
                err.into()
            }
        }
    }

    /// Whether `err` is PostgreSQL refusing a character its text cannot hold (SQLSTATE 22021,
    /// a NUL byte; 22P05, untranslatable).
    fn is_unstorable_text(err: &sea_orm::DbErr) -> bool {
        use sea_orm::{DbErr, RuntimeErr};
        let (DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e))) = err
        else {
            return false;
        };
        e.as_database_error()
            .and_then(|db| db.code())
            .is_some_and(|code| code == "22021" || code == "22P05")
    }

    /// Whether `err` is a unique-constraint violation.
    pub fn is_taken(err: &sea_orm::DbErr) -> bool {
        matches!(
            err.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        )
    }
}

#[cfg(feature = "ssr")]
pub use server_side::is_taken;
