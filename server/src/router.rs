//! Every route Gala answers, in one place.

use std::time::Duration;

use app::state::AppState;
use axum::{
    extract::DefaultBodyLimit,
    http::{header, HeaderValue},
    middleware,
    routing::{get, post},
    Router,
};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower::{util::MapRequestLayer, ServiceBuilder};
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    services::ServeDir,
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
};

use app::auth::session_store::DbSessionStore;
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

use crate::{
    api,
    config::ServeConfig,
    http::{client_addr, csrf, fallback, health, media, metrics, middleware as mw, uploads},
};

/// The plain forms the brand pages post (a file upload that works before the page's script
/// has loaded), in the order [`build`] routes them: logo, listing photo, catalog import.
pub const BRAND_FORM_ROUTES: [&str; 3] = [
    "/brand/{slug}/logo",
    "/brand/{slug}/listings/{id}/images",
    "/brand/{slug}/imports",
];

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "gala_session";

/// Builds the full router: pages and server functions (Leptos), probes, metrics, static files.
pub fn build(state: AppState, config: &ServeConfig) -> Router {
    let pkg_dir = config
        .site_root
        .join(state.leptos_options.site_pkg_dir.as_ref());
    let pkg_files = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(if state.leptos_options.hash_files {
                fallback::HASHED_PKG_CACHE_CONTROL
            } else {
                fallback::PKG_CACHE_CONTROL
            }),
        ))
        .service(
            ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        );

    let routes = page_routes();
    let leptos_state = state.clone();
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.secure_cookies())
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(
            config.session_idle_hours,
        )));
    let allowed_origin = csrf::AllowedOrigin::from_public_url(&config.public_url);

    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::render(metrics::handle())))
        .nest_service("/pkg", pkg_files)
        .route("/media/{file}", get(media::serve))
        .route(BRAND_FORM_ROUTES[0], post(uploads::brand_logo_form))
        .route(BRAND_FORM_ROUTES[1], post(uploads::listing_image_form))
        .route(BRAND_FORM_ROUTES[2], post(uploads::catalog_import_form))
        .merge(api::routes())
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(leptos_state.clone()),
            {
                let options = state.leptos_options.clone();
                move || app::shell(options.clone())
            },
        )
        .fallback(fallback::handle)
        .with_state(state)
        // Layers run outside-in from the bottom up: the request id exists before the trace span
        // is made; metrics see the final status (including panics turned into 500s).
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(
                    mw::REQUEST_ID.clone(),
                    MakeRequestUuid,
                ))
                .layer(mw::trace_layer())
                .layer(PropagateRequestIdLayer::new(mw::REQUEST_ID.clone()))
                .layer(middleware::from_fn(metrics::track))
                .layer(MapRequestLayer::new({
                    let proxies = config.trusted_proxies.clone();
                    move |request| client_addr::resolve(&proxies, request)
                }))
                .layer(CatchPanicLayer::custom(mw::panic_response))
                .layer(middleware::from_fn(mw::page_headers))
                .layer(middleware::from_fn_with_state(
                    allowed_origin,
                    csrf::protect,
                ))
                .layer(CompressionLayer::new())
                // `limit_body` below sets every path's limit; axum's own 2 MB default for
                // extractors would otherwise cap bulk imports at 2 MB.
                .layer(DefaultBodyLimit::disable())
                .layer(middleware::from_fn_with_state(
                    mw::BodyLimits {
                        default: config.body_limit_bytes,
                        bulk: config.import_limit_bytes,
                    },
                    mw::limit_body,
                ))
                .layer(TimeoutLayer::with_status_code(
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    Duration::from_secs(30),
                ))
                // Innermost: the session layer needs a plain (Default-able) response body.
                .layer(sessions),
        )
}

/// The pages' routes, listed once per process: listing them renders the whole app (with
/// resource loading suppressed), which must not run beside pages being rendered — a test
/// process starts many servers while others serve pages, and there that left a page's
/// boundary waiting forever now and then.
fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}
