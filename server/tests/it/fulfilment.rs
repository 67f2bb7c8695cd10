//! Brands' orders over `/api/v1/brands/{slug}/orders`: listing and filtering, shipping with a
//! tracking number, cancelling and refunding in full or in part — stock back where it should
//! be, the buyer mailed, the ledger reconciled — and no brand ever reaching another's orders;
//! on SQLite and PostgreSQL.

use crate::support;

use entity::{refund, stock_level};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use support::{
    brands::{get, live_brand, member, verified},
    checkout::{order, sku_on_sale, SUCCESS},
    client, TestApp,
};

/// A guest's paid order of `lines`; answers its JSON.
async fn paid_order(app: &TestApp, lines: &[(&str, i64)], email: &str) -> Value {
    let mut body = order(lines[0].0, lines[0].1, email, SUCCESS);
    body["lines"] = json!(lines
        .iter()
        .map(|(sku, quantity)| json!({ "sku": sku, "quantity": quantity }))
        .collect::<Vec<_>>());
    let placed = client()
        .post(app.url("/api/v1/orders"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(placed.status(), StatusCode::CREATED);
    placed.json().await.unwrap()
}

/// The id of `slug`'s part of `order`.
fn part_of(order: &Value, slug: &str) -> String {
    order["brands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["brand_slug"] == slug)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// On hand of a SKU over all locations.
async fn on_hand(app: &TestApp, sku: &str) -> i64 {
    let sku = uuid::Uuid::parse_str(sku).unwrap();
    stock_level::Entity::find()
        .filter(stock_level::Column::SkuId.eq(sku))
        .all(&app.db)
        .await
        .unwrap()
        .iter()
        .map(|l| l.on_hand)
        .sum()
}

async fn post(
    app: &TestApp,
    who: &reqwest::Client,
    path: String,
    body: Value,
) -> reqwest::Response {
    app.post_json_with(who, &path, body).await
}

db_test!(async fn brands_ship_refund_and_cancel_their_part_with_stock_and_mail(app) {
    let (_, lune) = live_brand(&app, "lune", "owner@lune.test").await;
    let (_, sol) = live_brand(&app, "sol", "owner@sol.test").await;
    let coat = sku_on_sale(&app, &lune, "lune", "COAT-1", 5, None).await;
    let scarf = sku_on_sale(&app, &sol, "sol", "SCARF-1", 5, None).await;
    let placed = paid_order(&app, &[(&coat, 2), (&scarf, 1)], "mei@example.com").await;
    let number = placed["number"].as_str().unwrap();
    let lune_part = part_of(&placed, "lune");
    let sol_part = part_of(&placed, "sol");

    // Each brand lists its own part.
    let listed: Value = get(&lune, app.url("/api/v1/brands/lune/orders")).await.json().await.unwrap();
    let orders = listed["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0]["id"], lune_part.as_str());
    assert_eq!(orders[0]["status"], "paid");
    assert_eq!(orders[0]["items"], 2);
    assert_eq!(orders[0]["total_minor"], 2 * 12_900 + 1_500, "items and express delivery");
    // Filters: by status, by number, by buyer email.
    for (query, found) in [
        ("status=shipped", 0),
        ("status=paid", 1),
        (&format!("q={number}") as &str, 1),
        (&format!("q={}", number.to_lowercase()), 1),
        ("q=MEI@example.com", 1),
        ("q=someone@else.com", 0),
    ] {
        let page: Value = get(&lune, app.url(&format!("/api/v1/brands/lune/orders?{query}"))).await.json().await.unwrap();
        assert_eq!(page["orders"].as_array().unwrap().len(), found, "{query}");
    }
    let bad = get(&lune, app.url("/api/v1/brands/lune/orders?status=lost")).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Ship: the carrier and tracking number are required; then the buyer is mailed.
    let ship = format!("/api/v1/brands/lune/orders/{lune_part}/ship");
    let missing = post(&app, &lune, ship.clone(), json!({ "carrier": "", "tracking_number": "<b>" })).await;
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Value = missing.json().await.unwrap();
    assert!(fields["error"]["fields"]["carrier"].is_array(), "{fields}");
    assert!(fields["error"]["fields"]["tracking_number"].is_array(), "{fields}");
    let shipped = post(&app, &lune, ship.clone(), json!({ "carrier": "SF Express", "tracking_number": "SF1234567890" })).await;
    assert_eq!(shipped.status(), StatusCode::OK);
    let shipped: Value = shipped.json().await.unwrap();
    assert_eq!(shipped["status"], "shipped");
    assert_eq!(shipped["tracking_number"], "SF1234567890");
    let mails = app.mails_to("mei@example.com").await;
    assert!(mails.iter().any(|m| m.text_body.contains("SF1234567890") && m.subject.contains("shipped")));
    let again = post(&app, &lune, ship, json!({ "carrier": "SF Express", "tracking_number": "SF1" })).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    // A shipped order can no longer be cancelled.
    let late = post(&app, &lune, format!("/api/v1/brands/lune/orders/{lune_part}/cancel"), json!({})).await;
    assert_eq!(late.status(), StatusCode::CONFLICT);

    // A partial refund of one coat that came back: stock returns, the buyer is mailed.
    let detail: Value = get(&lune, app.url(&format!("/api/v1/brands/lune/orders/{lune_part}"))).await.json().await.unwrap();
    let line = detail["lines"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(on_hand(&app, &coat).await, 3);
    let refunds = format!("/api/v1/brands/lune/orders/{lune_part}/refunds");
    for bad in [
        json!({ "lines": [{ "line": line, "quantity": 3 }] }),
        json!({ "lines": [{ "line": line, "quantity": -1 }] }),
        json!({ "lines": [{ "line": sol_part, "quantity": 1 }] }),
        json!({ "lines": [] }),
    ] {
        let refused = post(&app, &lune, refunds.clone(), bad.clone()).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let partial = post(&app, &lune, refunds.clone(), json!({ "lines": [{ "line": line, "quantity": 1 }], "restock": true })).await;
    assert_eq!(partial.status(), StatusCode::OK);
    let partial: Value = partial.json().await.unwrap();
    assert_eq!(partial["status"], "shipped", "a partial refund keeps the status");
    assert_eq!(partial["refunded_minor"], 12_900);
    assert_eq!(partial["refundable_minor"], 12_900 + 1_500, "the last unit and the delivery");
    assert_eq!(on_hand(&app, &coat).await, 4);
    assert!(app.mails_to("mei@example.com").await.iter().any(|m| m.text_body.contains("refunded ¥129.00")));
    // The last coat is refunded without restocking (it never came back).
    let rest = post(&app, &lune, refunds.clone(), json!({ "lines": [{ "line": line, "quantity": 1 }], "restock": false })).await;
    let rest: Value = rest.json().await.unwrap();
    assert_eq!(rest["status"], "refunded");
    assert_eq!(rest["refunded_minor"], 2 * 12_900 + 1_500, "the delivery goes back with the last unit");
    assert_eq!(rest["refundable_minor"], 0);
    assert_eq!(on_hand(&app, &coat).await, 4);
    let nothing_left = post(&app, &lune, refunds, json!({ "lines": [{ "line": line, "quantity": 1 }] })).await;
    assert_eq!(nothing_left.status(), StatusCode::CONFLICT);

    // Sol cancels its part before shipping: all its stock returns, the buyer is refunded.
    let cancelled = post(&app, &sol, format!("/api/v1/brands/sol/orders/{sol_part}/cancel"), json!({})).await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    let cancelled: Value = cancelled.json().await.unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(on_hand(&app, &scarf).await, 5);
    assert!(app.mails_to("mei@example.com").await.iter().any(|m| m.subject.contains("cancelled")));

    // Refunds went to the sandbox provider and add up to what the brands gave back.
    let order_id = uuid::Uuid::parse_str(placed["id"].as_str().unwrap()).unwrap();
    let refunds = refund::Entity::find()
        .filter(refund::Column::OrderId.eq(order_id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(refunds.len(), 3);
    assert!(refunds.iter().all(|r| r.status == entity::values::RefundStatus::Succeeded && r.reference.is_some()));
    assert_eq!(refunds.iter().map(|r| r.amount_minor).sum::<i64>(), 3 * 12_900 + 2 * 1_500);
    // Every part given back: the buyer's order reads cancelled.
    let link = format!("/api/v1/orders/{order_id}?key={}", placed["access_key"].as_str().unwrap());
    let seen: Value = client().get(app.url(&link)).send().await.unwrap().json().await.unwrap();
    assert_eq!(seen["status"], "cancelled");
    // The brand's view names its part, not the shopper's whole order.
    let part: Value = get(&sol, app.url(&format!("/api/v1/brands/sol/orders/{sol_part}"))).await.json().await.unwrap();
    assert!(part.get("order_id").is_none(), "{part}");
    // The mails' links carry the guest order's secret.
    assert!(app.mails_to("mei@example.com").await.iter().any(|m| m.subject.contains("cancelled") && m.text_body.contains(&format!("/orders/{order_id}?key="))));
    support::ledger::assert_reconciles(&app.db, "shipping, refunds and a cancel").await;
});

db_test!(async fn a_cancelled_unit_no_longer_counts_against_the_buyers_limit(app) {
    let (_, lune) = live_brand(&app, "lune", "owner@lune.test").await;
    let drop = sku_on_sale(&app, &lune, "lune", "DROP-1", 10, Some(1)).await;
    let fan = support::brands::verified(&app, "Fan", "fan@example.com").await;
    let first: Value = fan.post(app.url("/api/v1/orders")).json(&order(&drop, 1, "fan@example.com", SUCCESS)).send().await.unwrap().json().await.unwrap();
    let again = fan.post(app.url("/api/v1/orders")).json(&order(&drop, 1, "fan@example.com", SUCCESS)).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let part = part_of(&first, "lune");
    let cancelled = post(&app, &lune, format!("/api/v1/brands/lune/orders/{part}/cancel"), json!({})).await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    let after = fan.post(app.url("/api/v1/orders")).json(&order(&drop, 1, "fan@example.com", SUCCESS)).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::CREATED);
});

db_test!(async fn no_brand_reaches_another_brands_orders_and_only_managers_give_money_back(app) {
    let (_, lune) = live_brand(&app, "lune", "owner@lune.test").await;
    let (_, sol) = live_brand(&app, "sol", "owner@sol.test").await;
    let coat = sku_on_sale(&app, &lune, "lune", "COAT-1", 5, None).await;
    let scarf = sku_on_sale(&app, &sol, "sol", "SCARF-1", 5, None).await;
    let placed = paid_order(&app, &[(&coat, 1), (&scarf, 1)], "mei@example.com").await;
    let sol_part = part_of(&placed, "sol");
    let lune_part = part_of(&placed, "lune");
    let sol_token: Value = app
        .post_json_with(&sol, "/api/v1/brands/sol/api-tokens", json!({ "name": "ERP", "scope": "write" }))
        .await
        .json()
        .await
        .unwrap();
    let sol_token = sol_token["token"].as_str().unwrap().to_owned();

    // Lune's owner, through Lune's URLs, names Sol's order: it does not exist for Lune.
    assert_eq!(get(&lune, app.url(&format!("/api/v1/brands/lune/orders/{sol_part}"))).await.status(), StatusCode::NOT_FOUND);
    for action in ["ship", "cancel", "refunds"] {
        let crossing = post(&app, &lune, format!("/api/v1/brands/lune/orders/{sol_part}/{action}"),
            json!({ "carrier": "X", "tracking_number": "1", "lines": [] })).await;
        assert_eq!(crossing.status(), StatusCode::NOT_FOUND, "{action}");
    }
    // ...and through Sol's URLs, Lune is no member.
    assert_eq!(get(&lune, app.url("/api/v1/brands/sol/orders")).await.status(), StatusCode::NOT_FOUND);
    // Sol's token reads Sol's orders but not Lune's.
    let own = client().get(app.url("/api/v1/brands/sol/orders")).bearer_auth(&sol_token).send().await.unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    let theirs = client().get(app.url("/api/v1/brands/lune/orders")).bearer_auth(&sol_token).send().await.unwrap();
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
    // A shopper and an anonymous visitor.
    let shopper = verified(&app, "Mia", "mia@example.com").await;
    assert_eq!(get(&shopper, app.url("/api/v1/brands/sol/orders")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(get(&client(), app.url("/api/v1/brands/sol/orders")).await.status(), StatusCode::UNAUTHORIZED);
    // Sol's part is untouched.
    let untouched: Value = get(&sol, app.url(&format!("/api/v1/brands/sol/orders/{sol_part}"))).await.json().await.unwrap();
    assert_eq!(untouched["status"], "paid");
    assert_eq!(untouched["refunded_minor"], 0);

    // Lune's staff may ship but not give money back.
    let staff = member(&app, &lune, "lune", "Sid", "sid@lune.test", "staff").await;
    let refused = post(&app, &staff, format!("/api/v1/brands/lune/orders/{lune_part}/cancel"), json!({})).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let shipped = post(&app, &staff, format!("/api/v1/brands/lune/orders/{lune_part}/ship"),
        json!({ "carrier": "Cainiao", "tracking_number": "CN-0042" })).await;
    assert_eq!(shipped.status(), StatusCode::OK);

    // The dashboard's server functions answer the same way.
    let crossing = app.call_fn(&lune, "fulfilment/order", json!({ "slug": "lune", "id": sol_part })).await;
    assert_eq!(crossing.status(), StatusCode::NOT_FOUND);
    let listed = app.call_fn(&lune, "fulfilment/orders", json!({ "slug": "lune", "filter": { "q": "" } })).await;
    assert_eq!(listed.status(), StatusCode::OK);
    let body = listed.text().await.unwrap();
    assert!(body.contains(&lune_part) && !body.contains(&sol_part), "{body}");
});
