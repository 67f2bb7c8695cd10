//! Shows as a brand and its viewers use them: plan a show of brand "lune", have it approved,
//! produce it, and buy from it in one tap.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{brands::verified, checkout::SUCCESS, TestApp};

/// Creates a draft show of brand "lune"; answers its id.
pub async fn new_show(app: &TestApp, owner: &reqwest::Client, title: &str) -> String {
    let created = app
        .call_fn(
            owner,
            "shows/create",
            json!({ "slug": "lune", "input": {
            "title": title, "stream_url": "https://cdn.example.com/lune.m3u8",
            "starts_at": "2026-11-11T12:00", "ends_at": "2026-11-11T14:00" } }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let created: Value = created.json().await.unwrap();
    created["summary"]["id"].as_str().unwrap().to_owned()
}

/// Adds a look of `items` to `show`; answers the new look's id.
pub async fn add_look(app: &TestApp, owner: &reqwest::Client, show: &str, items: Value) -> String {
    let added = app
        .call_fn(
            owner,
            "shows/add-look",
            json!({ "slug": "lune", "id": show, "look": { "title": "Look", "items": items } }),
        )
        .await;
    assert_eq!(
        added.status(),
        StatusCode::OK,
        "{}",
        added.text().await.unwrap()
    );
    let detail: Value = added.json().await.unwrap();
    detail["looks"].as_array().unwrap().last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Sends `show` to review and has the admin approve it.
pub async fn approved(app: &TestApp, owner: &reqwest::Client, admin: &reqwest::Client, show: &str) {
    let submitted = app
        .call_fn(owner, "shows/submit", json!({ "slug": "lune", "id": show }))
        .await;
    assert_eq!(submitted.status(), StatusCode::OK);
    let decided = app
        .call_fn(
            admin,
            "admin/show-decision",
            json!({ "id": show, "approve": true }),
        )
        .await;
    assert_eq!(decided.status(), StatusCode::OK);
}

/// Has `show` approved, puts it on air and drops `look`: its items are buyable in one tap.
pub async fn on_air_with(
    app: &TestApp,
    owner: &reqwest::Client,
    admin: &reqwest::Client,
    show: &str,
    look: &str,
) {
    approved(app, owner, admin, show).await;
    produce(app, owner, show, "go_live", json!({})).await;
    produce(app, owner, show, "reveal", json!({ "look_id": look })).await;
}

/// The producer's click on `show`.
pub async fn produce(
    app: &TestApp,
    owner: &reqwest::Client,
    show: &str,
    action: &str,
    extra: Value,
) {
    let mut args = json!({ "slug": "lune", "id": show, "action": action });
    args.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let done = app.call_fn(owner, "shows/produce", args).await;
    assert_eq!(
        done.status(),
        StatusCode::OK,
        "{action}: {}",
        done.text().await.unwrap()
    );
}

/// A verified viewer with one-tap buying set up.
pub async fn one_tap_viewer(app: &TestApp, name: &str, email: &str) -> reqwest::Client {
    let viewer = verified(app, name, email).await;
    let set_up = app
        .call_fn(
            &viewer,
            "shows/set-up-one-tap",
            json!({
                "address": { "name": name, "line1": "88 Century Avenue", "city": "Shanghai", "postal_code": "200120", "country": "CN" },
                "card": { "number": SUCCESS, "exp_month": 12, "exp_year": 2031, "cvc": "123" },
            }),
        )
        .await;
    assert_eq!(set_up.status(), StatusCode::OK);
    let status: Value = set_up.json().await.unwrap();
    assert_eq!(status["ready"], true);
    viewer
}

/// A one-tap purchase of `sku` in `show`, under idempotency `key`.
pub async fn tap(
    app: &TestApp,
    viewer: &reqwest::Client,
    show: &str,
    sku: &str,
    key: &str,
) -> reqwest::Response {
    viewer
        .post(app.url(&format!("/api/v1/shows/{show}/buy")))
        .header("Idempotency-Key", key)
        .json(&json!({ "sku": sku }))
        .send()
        .await
        .unwrap()
}
