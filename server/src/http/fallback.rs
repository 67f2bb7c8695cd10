//! Everything no route claimed: files from the built site (favicon, images, ...) with cache
//! headers, a JSON 404 under `/api/`, and the app's 404 page for anything else.

use app::core::AppError;
use app::state::AppState;
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, request::Parts, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
};
use leptos::prelude::provide_context;
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// `Cache-Control` for `/pkg` (wasm, JS, CSS) when its files are named by their content hash
/// (a release or test build by cargo-leptos): a name never changes meaning, so browsers keep
/// them a year without asking again, and a returning viewer downloads nothing.
pub const HASHED_PKG_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` for `/pkg` when its names are stable across builds (a site built without
/// hashes): browsers must revalidate (a cheap 304 thanks to `Last-Modified`).
pub const PKG_CACHE_CONTROL: &str = "no-cache";
/// `Cache-Control` for other static files (icons, images), which change rarely.
pub const ASSET_CACHE_CONTROL: &str = "public, max-age=3600";

/// The fallback handler; see the module docs.
pub async fn handle(State(state): State<AppState>, request: Request) -> Response {
    if request.uri().path().starts_with("/api/") {
        return AppError::NotFound.into_response();
    }
    let (parts, body) = request.into_parts();
    if matches!(parts.method, Method::GET | Method::HEAD) {
        if let Some(response) = static_file(&state, &parts).await {
            return response;
        }
    }
    render_not_found(state, Request::from_parts(parts, body)).await
}

/// Serves a file from the site root, or `None` when there is no such file.
async fn static_file(state: &AppState, request: &Parts) -> Option<Response> {
    let mut probe = Request::builder()
        .method(request.method.clone())
        .uri(request.uri.clone());
    for name in [
        header::ACCEPT_ENCODING,
        header::IF_MODIFIED_SINCE,
        header::RANGE,
    ] {
        if let Some(value) = request.headers.get(&name) {
            probe = probe.header(name, value);
        }
    }
    let probe = probe.body(Body::empty()).ok()?;
    let site_root = state.leptos_options.site_root.to_string();
    let response = ServeDir::new(site_root)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .oneshot(probe)
        .await
        .ok()?;
    if response.status() == StatusCode::NOT_FOUND
        || response.status() == StatusCode::METHOD_NOT_ALLOWED
    {
        return None;
    }
    let mut response = response.map(Body::new);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(ASSET_CACHE_CONTROL),
    );
    Some(response)
}

/// Renders the app for an unknown path: its router falls back to the 404 page (status 404).
async fn render_not_found(state: AppState, request: Request) -> Response {
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_to_stream_with_context(
        move || provide_context(state.clone()),
        move || app::shell(options.clone()),
    );
    render(request).await.into_response()
}
