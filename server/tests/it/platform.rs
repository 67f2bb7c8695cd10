//! The foundation: pages render on the server, probes and metrics answer, errors are mapped
//! once, and the HTTP plumbing (request ids, compression, body limits, static files) works —
//! on SQLite and PostgreSQL.

use crate::support;

use reqwest::{header, StatusCode};
use serde_json::Value;

db_test!(async fn the_home_page_is_server_rendered_with_the_hydration_bundle(app) {
    app.seed_demo().await;
    let response = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let html = support::page_text(response).await;
    assert!(html.contains("The festival in your pocket"), "hero rendered on the server");
    assert!(html.contains("Gala 11.11 Global Shopping Festival"), "festival from the database");
    assert!(html.contains("/pkg/gala.js"), "loads the hydration script");
    assert!(html.contains("/pkg/gala_bg.wasm") || html.contains("/pkg/gala.wasm"), "loads the wasm bundle");
    assert!(html.contains("<title>The festival in your pocket · Gala</title>"));
});

db_test!(async fn without_a_festival_the_home_page_shows_its_empty_state(app) {
    let html = support::page_text(app.client.get(app.url("/")).send().await.unwrap()).await;
    assert!(html.contains("The next festival will be announced soon."));
});

db_test!(async fn an_unknown_page_gets_the_404_page(app) {
    let response = app.client.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = support::page_text(response).await;
    assert!(html.contains("This page is not on the runway"));
    assert!(html.contains("Back to Gala"));
});

db_test!(async fn an_unknown_api_path_gets_a_json_not_found_error(app) {
    let response = app.client.get(app.url("/api/v1/nothing-here")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    assert!(body["error"]["message"].as_str().unwrap().len() > 5);
});

db_test!(async fn healthz_and_readyz_answer(app) {
    let health: Value = app.client.get(app.url("/healthz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let ready: Value = ready.json().await.unwrap();
    assert_eq!(ready["database"], "ok");
});

db_test!(async fn readyz_reports_an_unreachable_database_as_503(app) {
    app.db.clone().close().await.unwrap();
    let response = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unavailable");
    // Liveness does not depend on the database.
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
});

db_test!(async fn metrics_count_requests_by_route_pattern(app) {
    for _ in 0..3 {
        app.client.get(app.url("/healthz")).send().await.unwrap();
    }
    app.client.get(app.url("/no/such/page")).send().await.unwrap();
    let response = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let healthz = text
        .lines()
        .find(|l| l.starts_with("http_requests_total{") && l.contains("route=\"/healthz\"") && l.contains("status=\"200\""))
        .unwrap_or_else(|| panic!("no counter for /healthz in:\n{text}"));
    let count: f64 = healthz.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 3.0, "{healthz}");
    assert!(text.contains("http_request_duration_seconds_bucket{"), "latency histogram");
    assert!(!text.contains("/no/such/page"), "raw paths never become labels");
});

db_test!(async fn every_response_carries_a_request_id_and_keeps_the_callers(app) {
    let generated = app.client.get(app.url("/healthz")).send().await.unwrap();
    let id = generated.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let echoed = app.client.get(app.url("/healthz")).header("x-request-id", "trace-me-42").send().await.unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "trace-me-42");
});

db_test!(async fn pages_are_compressed_for_clients_that_accept_it(app) {
    let response = app
        .client
        .get(app.url("/"))
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
});

db_test!(async fn server_functions_answer_with_data_and_map_errors_once(app) {
    app.seed_demo().await;
    let response = app.client.post(app.url("/api/fn/festival")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let festival: Value = response.json().await.unwrap();
    assert!(festival["name"].as_str().unwrap().starts_with("Gala 11.11"));
    assert!(festival["starts_at"].as_str().unwrap() < festival["ends_at"].as_str().unwrap());
});

db_test!(async fn a_request_body_over_the_limit_is_refused_with_413(app) {
    let big = vec![b'x'; 128 * 1024];
    let response = app.client.post(app.url("/api/fn/festival")).body(big).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
});

db_test!(async fn static_files_are_served_with_cache_headers(app) {
    let response = app.client.get(app.url("/favicon.svg")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "public, max-age=3600");
    assert_eq!(response.headers()[header::CONTENT_TYPE], "image/svg+xml");
    assert!(response.text().await.unwrap().contains("<svg"));
});

db_test!(async fn the_server_stops_gracefully(app) {
    let url = app.url("/healthz");
    app.stop().await;
    assert!(reqwest::get(url).await.is_err(), "no longer accepting connections");
});

/// A site built with hashed asset names (what `cargo leptos build` makes, listed in the site
/// root's `hash.txt`): pages link the hashed names, `/pkg` serves them as immutable for a year,
/// and the pages themselves stay fresh. The database plays no part, so SQLite only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashed_assets_are_cached_for_a_year_and_pages_stay_fresh() {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(
        site.path().join("hash.txt"),
        "js: Js1\nwasm: Wasm2\ncss: Css3\n",
    )
    .unwrap();
    std::fs::write(pkg.join("gala.Js1.js"), "export default function init() {}").unwrap();
    std::fs::write(pkg.join("gala.Css3.css"), "body { color: black }").unwrap();
    let site_root = site.path().to_path_buf();
    let app = support::TestApp::spawn_with(support::Backend::Sqlite, move |config| {
        config.site_root = site_root;
    })
    .await
    .unwrap();

    let page = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        page.headers()[header::CACHE_CONTROL],
        "no-cache, private",
        "the HTML is asked for afresh"
    );
    let html = support::page_text(page).await;
    assert!(
        html.contains("/pkg/gala.Js1.js"),
        "the hydration script by its hashed name"
    );
    assert!(
        html.contains("/pkg/gala.Wasm2"),
        "the wasm by its hashed name"
    );
    assert!(
        html.contains("/pkg/gala.Css3.css"),
        "the stylesheet by its hashed name"
    );

    let script = app
        .client
        .get(app.url("/pkg/gala.Js1.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(
        script.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let missing = app
        .client
        .get(app.url("/pkg/gala.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        missing.status(),
        StatusCode::NOT_FOUND,
        "only the hashed names exist"
    );
}
