//! Shared checkout set-ups: a SKU on sale, an order body, the sandbox's test cards.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{brands::get, TestApp};

/// Sandbox test cards.
pub const SUCCESS: &str = "4242 4242 4242 4242";
pub const DECLINED: &str = "4000000000000002";
pub const NO_FUNDS: &str = "4000000000009995";
pub const PENDING: &str = "4000000000003220";
/// The sandbox card whose captures and refunds answer slowly, the first answer lost.
pub const SLOW_AND_LOSES_ANSWERS: &str = "4000000000000119";

/// A published listing of brand `slug` with one SKU priced 129.00 CNY and `stock` units;
/// answers the SKU id.
pub async fn sku_on_sale(
    app: &TestApp,
    owner: &reqwest::Client,
    slug: &str,
    code: &str,
    stock: i64,
    limit: Option<i64>,
) -> String {
    let created = app
        .post_json_with(
            owner,
            &format!("/api/v1/brands/{slug}/listings"),
            json!({
                "title": format!("Runway coat {code}"),
                "category": "fashion",
                "currency": "CNY",
                "variants": [{ "code": code, "price_minor": 12_900, "purchase_limit": limit }],
            }),
        )
        .await;
    assert_eq!(
        created.status(),
        StatusCode::CREATED,
        "{}",
        created.text().await.unwrap()
    );
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_str().unwrap();
    let locations: Vec<Value> = get(owner, app.url(&format!("/api/v1/brands/{slug}/locations")))
        .await
        .json()
        .await
        .unwrap();
    let received = app
        .post_json_with(
            owner,
            &format!("/api/v1/brands/{slug}/stock/changes"),
            json!({ "kind": "receive", "sku_code": code, "location_id": locations[0]["id"], "quantity": stock, "reason": "delivery" }),
        )
        .await;
    assert_eq!(received.status(), StatusCode::OK);
    let published = app
        .post_json_with(
            owner,
            &format!("/api/v1/brands/{slug}/listings/{id}/status"),
            json!({ "status": "published" }),
        )
        .await;
    assert_eq!(
        published.status(),
        StatusCode::OK,
        "{}",
        published.text().await.unwrap()
    );
    created["variants"][0]["id"].as_str().unwrap().to_owned()
}

pub fn order(sku: &str, quantity: i64, email: &str, card: &str) -> Value {
    json!({
        "lines": [{ "sku": sku, "quantity": quantity }],
        "email": email,
        "shipping_address": {
            "name": "Mei Lin", "line1": "88 Century Avenue", "city": "Shanghai",
            "postal_code": "200120", "country": "CN", "phone": "+86 21 5555 0100"
        },
        "delivery": "express",
        "payment": { "card": { "number": card, "exp_month": 12, "exp_year": 2031, "cvc": "123" } },
    })
}
