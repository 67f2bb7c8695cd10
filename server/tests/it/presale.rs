//! Pre-sale campaigns over HTTP: drafted with every term checked, submitted, reviewed (sent
//! back with a reason, approved), frozen once approved; approval puts the campaign's gate on its
//! SKUs, so they are no longer sold on the storefront; buyers see running campaigns; a SKU is
//! never pre-sold by two campaigns at once — on SQLite and PostgreSQL.

use crate::support;

use chrono::{DateTime, Duration, Utc};
use entity::mail_outbox;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use support::{
    brands::{get, live_brand, member, verified},
    checkout::{order, sku_on_sale, SUCCESS},
    client, TestApp,
};

async fn json_of(response: reqwest::Response, expected: StatusCode) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, expected, "{text}");
    serde_json::from_str(&text).unwrap()
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339()
}

/// A campaign on `sku` whose deposits opened an hour ago and close in a day; balances are
/// paid on the day after, for a day.
fn campaign(app: &TestApp, sku: &str, name: &str) -> Value {
    let now = app.state.clock.now();
    json!({
        "name": name, "currency": "CNY",
        "deposit_starts_at": stamp(now - Duration::hours(1)),
        "deposit_ends_at": stamp(now + Duration::days(1)),
        "balance_starts_at": stamp(now + Duration::days(2)),
        "balance_ends_at": stamp(now + Duration::days(3)),
        "per_buyer_limit": 2, "refund_multiplier_percent": 200,
        "rules": "A deposit whose balance is not paid by the end of the balance window is kept by the brand.",
        "lines": [{ "sku": sku, "price_minor": 12_000, "deposit_minor": 2_000, "credit_minor": 3_000, "cap": 5 }],
    })
}

db_test!(async fn a_campaign_is_checked_reviewed_and_frozen_once_approved_and_its_skus_then_sell_only_as_deposits(app) {
    let (admin, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "COAT-1", 20, None).await;
    let path = "/api/v1/brands/lune/presales";

    // Every term checked, each refusal named by its field.
    let mut bad = campaign(&app, &sku, " ");
    bad["currency"] = json!("XXX");
    bad["deposit_ends_at"] = bad["deposit_starts_at"].clone();
    bad["per_buyer_limit"] = json!(0);
    bad["refund_multiplier_percent"] = json!(50);
    bad["rules"] = json!("Kept.");
    bad["lines"] = json!([
        { "sku": sku, "price_minor": 10_000, "deposit_minor": 2_001, "credit_minor": 2_000, "cap": 0 },
        { "sku": uuid::Uuid::new_v4().to_string(), "price_minor": 0, "deposit_minor": 0, "credit_minor": 0, "cap": 1 },
    ]);
    let refused = json_of(app.post_json_with(&owner, path, bad).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    for field in ["name", "currency", "deposit_ends_at", "per_buyer_limit", "refund_multiplier_percent", "rules",
        "lines.0.deposit_minor", "lines.0.credit_minor", "lines.0.cap", "lines.1.sku"] {
        assert!(refused["error"]["fields"][field].is_array(), "{field}: {refused}");
    }
    // Staff may look, not draft.
    let staff = member(&app, &owner, "lune", "Sid", "sid@gala.test", "staff").await;
    let staff_try = app.post_json_with(&staff, path, campaign(&app, &sku, "Staff's")).await;
    assert_eq!(staff_try.status(), StatusCode::FORBIDDEN);

    let draft = json_of(app.post_json_with(&owner, path, campaign(&app, &sku, "Warm-up")).await, StatusCode::CREATED).await;
    assert_eq!((draft["status"].as_str(), draft["phase"].as_str()), (Some("draft"), Some("closed")));
    assert_eq!(draft["lines"][0]["balance_minor"], 9_000);
    assert!(draft["lines"][0]["title"].as_str().unwrap().starts_with("Runway coat COAT-1"), "{draft}");
    let id = draft["id"].as_str().unwrap().to_owned();
    let one = format!("{path}/{id}");
    // Until approved, the SKU sells as before, and buyers cannot see the campaign.
    let buyer = verified(&app, "Mei", "mei@example.com").await;
    json_of(app.post_json_with(&buyer, "/api/v1/orders", order(&sku, 1, "mei@example.com", SUCCESS)).await, StatusCode::CREATED).await;
    assert_eq!(get(&client(), app.url(&format!("/api/v1/presales/{id}"))).await.status(), StatusCode::NOT_FOUND);

    let renamed = json_of(app.client_put_json(&owner, &one, campaign(&app, &sku, "11.11 warm-up")).await, StatusCode::OK).await;
    assert_eq!(renamed["name"], "11.11 warm-up");
    let submitted = json_of(app.post_json_with(&owner, &format!("{one}/submit"), json!({})).await, StatusCode::OK).await;
    assert_eq!(submitted["status"], "submitted");
    assert_eq!(app.client_put_json(&owner, &one, campaign(&app, &sku, "Sneaky")).await.status(), StatusCode::CONFLICT);

    // The queue is the admins'; sending it back needs a reason, and the brand is mailed.
    assert_eq!(get(&owner, app.url("/api/v1/admin/presale-reviews")).await.status(), StatusCode::FORBIDDEN);
    let queue = json_of(get(&admin, app.url("/api/v1/admin/presale-reviews")).await, StatusCode::OK).await;
    assert_eq!(queue.as_array().unwrap().len(), 1);
    let decision_path = format!("/api/v1/admin/presales/{id}/decision");
    let decide = |decision: Value| app.post_json_with(&admin, &decision_path, decision);
    let no_reason = json_of(decide(json!({ "decision": "request_changes" })).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(no_reason["error"]["fields"]["reason"].is_array());
    let back = json_of(decide(json!({ "decision": "request_changes", "reason": "Say when deposits are refunded." })).await, StatusCode::OK).await;
    assert_eq!((back["status"].as_str(), back["review_note"].as_str()), (Some("changes_requested"), Some("Say when deposits are refunded.")));
    let mailed = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::ToAddress.eq("olive@gala.test"))
        .all(&app.db)
        .await
        .unwrap();
    assert!(mailed.iter().any(|m| m.subject.contains("11.11 warm-up") && m.text_body.contains("Say when deposits are refunded.")), "{mailed:?}");

    // Changed, submitted again, approved: frozen, and taking deposits.
    json_of(app.client_put_json(&owner, &one, campaign(&app, &sku, "11.11 warm-up")).await, StatusCode::OK).await;
    json_of(app.post_json_with(&owner, &format!("{one}/submit"), json!({})).await, StatusCode::OK).await;
    let approved = json_of(decide(json!({ "decision": "approve" })).await, StatusCode::OK).await;
    assert_eq!((approved["status"].as_str(), approved["phase"].as_str()), (Some("approved"), Some("deposits")));
    assert_eq!(app.client_put_json(&owner, &one, campaign(&app, &sku, "Sneaky")).await.status(), StatusCode::CONFLICT);
    assert_eq!(decide(json!({ "decision": "approve" })).await.status(), StatusCode::CONFLICT);

    // Its SKU now sells only as a deposit.
    let storefront = json_of(app.post_json_with(&buyer, "/api/v1/orders", order(&sku, 1, "mei@example.com", SUCCESS)).await,
        StatusCode::UNPROCESSABLE_ENTITY).await;
    let message = storefront["error"]["fields"]["lines.0.sku"][0].as_str().unwrap();
    assert!(message.contains("pre-sale"), "{storefront}");

    // Buyers see it, with the phase it is in.
    let running = json_of(get(&client(), app.url("/api/v1/presales")).await, StatusCode::OK).await;
    assert_eq!(running.as_array().unwrap().len(), 1);
    assert_eq!((running[0]["brand"].as_str(), running[0]["phase"].as_str()), (Some("lune"), Some("deposits")));
    let public = json_of(get(&client(), app.url(&format!("/api/v1/presales/{id}"))).await, StatusCode::OK).await;
    assert_eq!(public["rules"], approved["rules"]);
    // The clock decides the phase.
    app.state.clock.advance(Duration::days(2));
    let later = json_of(get(&client(), app.url(&format!("/api/v1/presales/{id}"))).await, StatusCode::OK).await;
    assert_eq!(later["phase"], "balance");
    app.state.clock.advance(Duration::days(1));
    assert!(json_of(get(&client(), app.url("/api/v1/presales")).await, StatusCode::OK).await.as_array().unwrap().is_empty());
    // Over: the campaign lets go of its SKU (the server's chores do this every second; called
    // here so the test does not wait), which sells on the storefront again.
    app::presale::campaigns::close_ended(&app.db, app.state.clock.now()).await.unwrap();
    assert!(entity::sale_gate::Entity::find().all(&app.db).await.unwrap().is_empty());
    json_of(app.post_json_with(&buyer, "/api/v1/orders", order(&sku, 1, "mei@example.com", SUCCESS)).await, StatusCode::CREATED).await;
});

db_test!(async fn a_sku_is_never_pre_sold_by_two_campaigns_at_once(app) {
    let (admin, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "COAT-1", 20, None).await;
    let mut ids = Vec::new();
    for name in ["First", "Second"] {
        let draft = json_of(app.post_json_with(&owner, "/api/v1/brands/lune/presales", campaign(&app, &sku, name)).await, StatusCode::CREATED).await;
        let id = draft["id"].as_str().unwrap().to_owned();
        json_of(app.post_json_with(&owner, &format!("/api/v1/brands/lune/presales/{id}/submit"), json!({})).await, StatusCode::OK).await;
        ids.push(id);
    }
    let paths: Vec<String> = ids.iter().map(|id| format!("/api/v1/admin/presales/{id}/decision")).collect();
    let approve = |i: usize| app.post_json_with(&admin, &paths[i], json!({ "decision": "approve" }));
    json_of(approve(0).await, StatusCode::OK).await;
    let clash = json_of(approve(1).await, StatusCode::CONFLICT).await;
    assert!(clash["error"]["message"].as_str().unwrap().contains("First"), "{clash}");
    // Refused whole: the second is still waiting, and holds no gate.
    let queue = json_of(get(&admin, app.url("/api/v1/admin/presale-reviews")).await, StatusCode::OK).await;
    assert_eq!(queue[0]["id"].as_str(), Some(ids[1].as_str()));
    let gates = entity::sale_gate::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(gates.len(), 1, "{gates:?}");
});
