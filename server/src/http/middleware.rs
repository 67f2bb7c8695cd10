//! Tower layers applied to every request: request ids, tracing spans, panic safety net, body
//! limits, the framing policy.

use axum::{
    body::Body,
    http::{header, HeaderName, Request, Response, StatusCode},
};
use tower_http::{
    classify::{ServerErrorsAsFailures, SharedClassifier},
    trace::{MakeSpan, TraceLayer},
};

/// The header carrying the request id (set by us when the client did not send one).
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A span per request with method, path and request id.
#[derive(Clone, Copy, Default)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &Request<B>) -> tracing::Span {
        let request_id = request
            .headers()
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!(
            "request",
            method = %request.method(),
            path = %request.uri().path(),
            request_id = %request_id,
        )
    }
}

/// Logs each request in its span.
pub fn trace_layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan> {
    TraceLayer::new_for_http().make_span_with(RequestSpan)
}

/// Answer for a handler that panicked: a generic `internal` error, never the panic message.
pub fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    tracing::error!("a request handler panicked");
    let body = serde_json::to_vec(&app::core::error::ErrorBody::from(
        &app::core::AppError::Internal,
    ))
    .unwrap_or_default();
    Response::builder()
        .status(StatusCode::INTERNAL_SERVER_ERROR)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap_or_default()
}

/// Request body limits: `default` for every request, `bulk` for bulk uploads (the paths
/// ending in `/imports`).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    pub default: usize,
    pub bulk: usize,
}

/// Refuses bodies over the path's limit with 413: at once when `Content-Length` says so, or as
/// soon as a streamed body goes over (the extractor reading it answers 413).
///
/// A 413 also says `Connection: close`: the rest of the body is never read, so the server
/// drops the connection, and a client must not send its next request on it (it would fail
/// half-sent, as reqwest's pool did in CI).
pub async fn limit_body(
    axum::extract::State(limits): axum::extract::State<BodyLimits>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response<Body> {
    let limit = if request.uri().path().ends_with("/imports") {
        limits.bulk
    } else {
        limits.default
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let mut response = if declared.is_some_and(|length| length > limit as u64) {
        Response::builder()
            .status(StatusCode::PAYLOAD_TOO_LARGE)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                serde_json::to_vec(&app::core::error::ErrorBody::from(
                    &app::core::AppError::BadRequest {
                        message: format!("The request body is over the limit of {limit} bytes."),
                    },
                ))
                .unwrap_or_default(),
            ))
            .unwrap_or_default()
    } else {
        next.run(request.map(|body| Body::new(http_body_util::Limited::new(body, limit))))
            .await
    };
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        response.headers_mut().insert(
            header::CONNECTION,
            header::HeaderValue::from_static("close"),
        );
    }
    response
}

/// The headers every answer gets according to what it is:
/// - clickjacking defence: only Gala itself may frame its pages, except the show embeds
///   (`/embed/...`), which exist to be framed by other sites;
/// - pages are always fresh: an HTML answer without a caching policy of its own gets
///   `Cache-Control: no-cache, private` (it names this build's hashed assets and may show the
///   person's cart or account), while the assets themselves are cached for a year.
pub async fn page_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response<Body> {
    let embeddable = request.uri().path().starts_with("/embed/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !embeddable {
        // Responses with a policy of their own (media) keep it.
        headers
            .entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(header::HeaderValue::from_static("frame-ancestors 'self'"));
        headers.insert(
            header::X_FRAME_OPTIONS,
            header::HeaderValue::from_static("SAMEORIGIN"),
        );
    }
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if is_html {
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(header::HeaderValue::from_static("no-cache, private"));
    }
    response
}
