//! Pre-sale campaigns over HTTP: drafted with every term checked, submitted, reviewed (sent
//! back with a reason, approved), frozen once approved; approval puts the campaign's gate on its
//! SKUs, so they are no longer sold on the storefront, and sets its cap aside; buyers see
//! running campaigns; a SKU is never pre-sold by two campaigns at once. Deposits through the
//! engine reserve their units, pay once per idempotency key, respect the buyer's limit and the
//! window, release their units when left unpaid for 30 minutes, and never pass the cap when
//! buyers rush the last units on two nodes — on SQLite and PostgreSQL.

use crate::support;

use chrono::{DateTime, Duration, Utc};
use entity::{mail_outbox, stock_level, stock_location};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use support::{
    brands::{get, live_brand, member, verified},
    checkout::{order, sku_on_sale, PENDING, SUCCESS},
    client, node,
    shows::one_tap_viewer,
    TestApp,
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
    app::presale::campaigns::close_ended(&app.state.checkout, app.state.clock.now()).await.unwrap();
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

/// An approved campaign on a new SKU of brand lune with `stock` units: a cap of `cap`, at most
/// `per_buyer` units per buyer, pre-sale price 120.00, deposit 20.00 worth 30.00. Answers the
/// SKU's id and the campaign's.
async fn running_campaign(app: &TestApp, stock: i64, cap: i64, per_buyer: i64) -> (String, String) {
    let (_, _, sku, id) = running_campaign_of(app, stock, cap, per_buyer, |_| {}).await;
    (sku, id)
}

/// [`running_campaign`] with `change` made to the campaign's terms, answering the admin's and
/// the brand owner's clients too.
async fn running_campaign_of(
    app: &TestApp,
    stock: i64,
    cap: i64,
    per_buyer: i64,
    change: impl FnOnce(&mut Value),
) -> (reqwest::Client, reqwest::Client, String, String) {
    let (admin, owner) = live_brand(app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(app, &owner, "lune", "COAT-1", stock, None).await;
    let mut body = campaign(app, &sku, "11.11 warm-up");
    body["per_buyer_limit"] = json!(per_buyer);
    body["lines"][0]["cap"] = json!(cap);
    change(&mut body);
    let draft = json_of(
        app.post_json_with(&owner, "/api/v1/brands/lune/presales", body)
            .await,
        StatusCode::CREATED,
    )
    .await;
    let id = draft["id"].as_str().unwrap().to_owned();
    json_of(
        app.post_json_with(
            &owner,
            &format!("/api/v1/brands/lune/presales/{id}/submit"),
            json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    json_of(
        app.post_json_with(
            &admin,
            &format!("/api/v1/admin/presales/{id}/decision"),
            json!({ "decision": "approve" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    (admin, owner, sku, id)
}

/// `(on hand, reserved)` of `sku` at the campaign's own location, and on hand elsewhere.
async fn stock_of(app: &TestApp, sku: &str, campaign: &str) -> ((i64, i64), i64) {
    let sku = uuid::Uuid::parse_str(sku).unwrap();
    let campaign = uuid::Uuid::parse_str(campaign).unwrap();
    let aside = stock_location::Entity::find()
        .filter(stock_location::Column::SetAsideFor.eq(campaign))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the campaign's location");
    let levels = stock_level::Entity::find()
        .filter(stock_level::Column::SkuId.eq(sku))
        .all(&app.db)
        .await
        .unwrap();
    let own = levels
        .iter()
        .find(|l| l.location_id == aside.id)
        .expect("a level at the campaign's location");
    let open = levels
        .iter()
        .filter(|l| l.location_id != aside.id)
        .map(|l| l.on_hand)
        .sum();
    ((own.on_hand, own.reserved), open)
}

async fn deposit(
    app: &TestApp,
    buyer: &reqwest::Client,
    campaign: &str,
    body: Value,
    key: &str,
) -> reqwest::Response {
    buyer
        .post(app.url(&format!("/api/v1/presales/{campaign}/deposits")))
        .header("Origin", app.origin())
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

db_test!(async fn a_deposit_reserves_its_units_until_the_balance_and_one_left_unpaid_releases_them_after_thirty_minutes(app) {
    let (sku, campaign) = running_campaign(&app, 20, 5, 2).await;
    // Approval set the cap aside: the storefront's stock no longer counts it.
    assert_eq!(stock_of(&app, &sku, &campaign).await, ((5, 0), 15));

    let mei = one_tap_viewer(&app, "Mei", "mei@example.com").await;
    let paid = json_of(deposit(&app, &mei, &campaign, json!({ "sku": sku, "quantity": 2 }), "d-1").await, StatusCode::CREATED).await;
    assert_eq!((paid["status"].as_str(), paid["channel"].as_str()), (Some("balance_due"), Some("presale")), "{paid}");
    // Two deposits, no delivery charged yet; the price and the credit are on the line.
    assert_eq!((paid["total_minor"].as_i64(), paid["shipping_minor"].as_i64()), (Some(4_000), Some(0)));
    let line = &paid["brands"][0]["lines"][0];
    assert_eq!((line["unit_price_minor"].as_i64(), line["presale_price_minor"].as_i64(), line["presale_credit_minor"].as_i64()),
        (Some(2_000), Some(12_000), Some(3_000)));
    assert_eq!(paid["payment"]["amount_minor"], 4_000);
    assert_eq!(stock_of(&app, &sku, &campaign).await, ((5, 2), 15), "reserved, not sold");
    // A retry pays once; a third unit is past the buyer's limit.
    let again = json_of(deposit(&app, &mei, &campaign, json!({ "sku": sku, "quantity": 2 }), "d-1").await, StatusCode::CREATED).await;
    assert_eq!(again["id"], paid["id"]);
    let over = json_of(deposit(&app, &mei, &campaign, json!({ "sku": sku }), "d-2").await, StatusCode::CONFLICT).await;
    assert_eq!(over["error"]["code"], "limit_reached");
    assert_eq!(stock_of(&app, &sku, &campaign).await, ((5, 2), 15));

    // Deposits need a verified account, a product of the campaign, and a way to pay.
    let guest = deposit(&app, &client(), &campaign, json!({ "sku": sku }), "g-1").await;
    assert_eq!(guest.status(), StatusCode::UNAUTHORIZED);
    let bo = verified(&app, "Bo", "bo@example.com").await;
    let refused = json_of(deposit(&app, &bo, &campaign, json!({ "sku": uuid::Uuid::new_v4().to_string(), "quantity": 0 }), "b-1").await,
        StatusCode::UNPROCESSABLE_ENTITY).await;
    for field in ["sku", "quantity", "shipping_address", "payment"] {
        assert!(refused["error"]["fields"][field].is_array(), "{field}: {refused}");
    }

    // A deposit whose payment never completes holds its unit for 30 minutes, then lets go.
    let body = |card: &str| {
        let mut placed = order(&sku, 1, "bo@example.com", card);
        json!({ "sku": sku, "shipping_address": placed["shipping_address"].take(), "payment": placed["payment"].take() })
    };
    let waiting = json_of(deposit(&app, &bo, &campaign, body(PENDING), "b-2").await, StatusCode::ACCEPTED).await;
    assert_eq!(waiting["status"], "pending_payment");
    assert_eq!(stock_of(&app, &sku, &campaign).await, ((5, 3), 15));
    let chores = || app::checkout::chores::run_once(&app.state.checkout, &app.state.outbox, "http://gala.test");
    app.state.clock.advance(Duration::minutes(29));
    chores().await.unwrap();
    assert_eq!(stock_of(&app, &sku, &campaign).await, ((5, 3), 15), "still held at 29 minutes");
    app.state.clock.advance(Duration::minutes(2));
    chores().await.unwrap();
    assert_eq!(stock_of(&app, &sku, &campaign).await, ((5, 2), 15), "released after 30 minutes");
    let lapsed = json_of(get(&bo, app.url(&format!("/api/v1/orders/{}", waiting["id"].as_str().unwrap()))).await, StatusCode::OK).await;
    assert_eq!(lapsed["status"], "expired");
    // Bo's unit came back to the campaign: Bo pays with a card that works.
    json_of(deposit(&app, &bo, &campaign, body(SUCCESS), "b-3").await, StatusCode::CREATED).await;
    assert_eq!(stock_of(&app, &sku, &campaign).await, ((5, 3), 15));

    // The server's clock closes the window, whatever a page's countdown says.
    app.state.clock.advance(Duration::days(1));
    let late = json_of(deposit(&app, &bo, &campaign, body(SUCCESS), "b-4").await, StatusCode::CONFLICT).await;
    assert!(late["error"]["message"].as_str().unwrap().contains("closed"), "{late}");
});

db_test!(async fn deposits_rushing_the_last_units_on_two_nodes_never_pass_the_cap(app) {
    let (sku, campaign) = running_campaign(&app, 50, 10, 3).await;
    let mut buyers = Vec::new();
    for i in 0..12 {
        let email = format!("rush{i}@example.com");
        buyers.push((verified(&app, &format!("Rush {i}"), &email).await, email));
    }
    // Twelve buyers, three deposits each (their limit), all at once over two nodes: 36
    // deposits for the cap's 10 units.
    let second = node::SecondNode::start(&app.database_url).await;
    let path = format!("/api/v1/presales/{campaign}/deposits");
    let nodes = [app.url(&path), second.url(&path)];
    let rush: Vec<_> = (0..36)
        .map(|i| {
            let (buyer, email) = buyers[i % 12].clone();
            let mut placed = order(&sku, 1, &email, SUCCESS);
            let body = json!({ "sku": sku, "shipping_address": placed["shipping_address"].take(), "payment": placed["payment"].take() });
            let url = nodes[i % 2].clone();
            tokio::spawn(async move {
                let response = buyer.post(url).json(&body).header("Idempotency-Key", format!("rush-{i}")).send().await.unwrap();
                let status = response.status();
                let body: Value = response.json().await.unwrap();
                (status, body["error"]["code"].as_str().unwrap_or_default().to_owned())
            })
        })
        .collect();
    let mut paid = 0;
    for answer in rush {
        let answer = answer.await.unwrap();
        match answer.0 {
            StatusCode::CREATED => paid += 1,
            _ => assert_eq!(answer, (StatusCode::CONFLICT, "sold_out".to_owned())),
        }
    }
    assert_eq!(paid, 10, "exactly the cap");
    assert_eq!(stock_of(&app, &sku, &campaign).await, ((10, 10), 40), "the cap reserved, open stock untouched");
});

/// A POST of `body` to `url` by `buyer` under idempotency `key`.
async fn post_keyed(
    buyer: &reqwest::Client,
    url: String,
    origin: String,
    key: String,
    body: Value,
) -> reqwest::Response {
    buyer
        .post(url)
        .header("Origin", origin)
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

db_test!(async fn a_balance_paid_in_its_window_with_a_coupon_sells_the_reserved_unit_once_and_deposit_balance_and_discounts_sum_to_the_price(app) {
    let (admin, owner, sku, campaign) = running_campaign_of(&app, 20, 5, 2, |_| {}).await;
    let mei = one_tap_viewer(&app, "Mei", "mei@example.com").await;
    let deposit_order = json_of(deposit(&app, &mei, &campaign, json!({ "sku": sku }), "d-1").await, StatusCode::CREATED).await;
    let deposit_id = deposit_order["id"].as_str().unwrap().to_owned();
    let url = app.url(&format!("/api/v1/orders/{deposit_id}/balance"));
    let balance = |body: Value, key: &str| post_keyed(&mei, url.clone(), app.origin(), key.to_owned(), body);
    // Not before its window, whatever a page says.
    let early = json_of(balance(json!({}), "early").await, StatusCode::CONFLICT).await;
    assert!(early["error"]["message"].as_str().unwrap().contains("from"), "{early}");

    // A coupon from the brand, claimed into Mei's wallet.
    let now = app.state.clock.now();
    let draft = json_of(app.post_json_with(&owner, "/api/v1/brands/lune/promotions", json!({
        "kind": "coupon", "name": "20 off the balance", "currency": "CNY", "amount_off_minor": 2_000, "threshold_minor": 5_000,
        "coupon_stock": 10, "claim_limit": 1, "starts_at": stamp(now - Duration::hours(1)), "ends_at": stamp(now + Duration::days(5)) })).await,
        StatusCode::CREATED).await;
    let version = draft["id"].as_str().unwrap();
    json_of(app.post_json_with(&owner, &format!("/api/v1/brands/lune/promotions/{version}/submit"), json!({})).await, StatusCode::OK).await;
    json_of(app.post_json_with(&admin, &format!("/api/v1/admin/promotions/{version}/decision"), json!({ "decision": "approve" })).await,
        StatusCode::OK).await;
    let coupon = json_of(app.post_json_with(&mei, "/api/v1/coupons/claim", json!({ "promotion_id": draft["promotion_id"] })).await,
        StatusCode::CREATED).await;

    // The balance window opens: one tap with the saved card, the coupon applied.
    app.state.clock.advance(Duration::days(2));
    let paid = json_of(balance(json!({ "coupon": coupon["id"] }), "bal-1").await, StatusCode::CREATED).await;
    assert_eq!((paid["status"].as_str(), paid["channel"].as_str()), (Some("paid"), Some("presale")), "{paid}");
    let adjustments = paid["brands"][0]["lines"][0]["adjustments"].as_array().unwrap().clone();
    let off = |kind: &str| adjustments.iter().filter(|a| a["kind"] == kind).map(|a| a["amount_minor"].as_i64().unwrap()).sum::<i64>();
    assert_eq!((off("deposit_credit"), off("store_coupon")), (-3_000, -2_000), "{adjustments:?}");
    let shipping = paid["shipping_minor"].as_i64().unwrap();
    assert_eq!(paid["total_minor"].as_i64().unwrap(), 12_000 - 3_000 - 2_000 + shipping);
    // Deposit + balance + the discounts (the coupon, and the credit beyond the deposit) = price.
    let deposit_paid = deposit_order["total_minor"].as_i64().unwrap();
    let balance_paid = paid["total_minor"].as_i64().unwrap() - shipping;
    assert_eq!(deposit_paid + balance_paid + 2_000 + (3_000 - deposit_paid), 12_000);
    // The reserved unit is sold, once; the deposit order is settled.
    assert_eq!(stock_of(&app, &sku, &campaign).await, ((4, 0), 15));
    let settled = json_of(get(&mei, app.url(&format!("/api/v1/orders/{deposit_id}"))).await, StatusCode::OK).await;
    assert_eq!(settled["status"], "balance_paid");
    // A retry answers the same order; a second tap (another key) pays nothing more.
    let again = json_of(balance(json!({ "coupon": coupon["id"] }), "bal-1").await, StatusCode::CREATED).await;
    assert_eq!(again["id"], paid["id"]);
    let twice = json_of(balance(json!({}), "bal-2").await, StatusCode::CONFLICT).await;
    assert!(twice["error"]["message"].as_str().unwrap().contains("paid already"), "{twice}");
    assert_eq!(stock_of(&app, &sku, &campaign).await, ((4, 0), 15));
});

db_test!(async fn ten_balance_taps_at_once_on_two_nodes_charge_once(app) {
    // The second node keeps the real time: the deposit is paid a day back by this node's clock,
    // and the balance window is open now.
    app.state.clock.advance(-Duration::days(1));
    let real = app.state.clock.now() + Duration::days(1);
    let (_, _, sku, campaign) = running_campaign_of(&app, 20, 5, 2, |body| {
        body["deposit_ends_at"] = json!(stamp(real - Duration::hours(12)));
        body["balance_starts_at"] = json!(stamp(real - Duration::hours(1)));
        body["balance_ends_at"] = json!(stamp(real + Duration::days(1)));
    })
    .await;
    let mei = one_tap_viewer(&app, "Mei", "mei@example.com").await;
    let deposit_order = json_of(deposit(&app, &mei, &campaign, json!({ "sku": sku }), "d-1").await, StatusCode::CREATED).await;
    let deposit_id = deposit_order["id"].as_str().unwrap().to_owned();
    app.state.clock.advance(Duration::days(1));
    let second = node::SecondNode::start(&app.database_url).await;
    let path = format!("/api/v1/orders/{deposit_id}/balance");
    let nodes = [(app.url(&path), app.origin()), (second.url(&path), second.url("").trim_end_matches('/').to_owned())];
    let taps: Vec<_> = (0..10)
        .map(|i| {
            let (mei, (url, origin)) = (mei.clone(), nodes[i % 2].clone());
            tokio::spawn(async move { post_keyed(&mei, url, origin, format!("tap-{i}"), json!({})).await.status() })
        })
        .collect();
    let mut paid = 0;
    for tap in taps {
        match tap.await.unwrap() {
            StatusCode::CREATED => paid += 1,
            status => assert_eq!(status, StatusCode::CONFLICT),
        }
    }
    assert_eq!(paid, 1, "one balance paid");
    assert_eq!(stock_of(&app, &sku, &campaign).await, ((4, 0), 15));
    let orders = entity::shop_order::Entity::find()
        .filter(entity::shop_order::Column::Status.eq("paid"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(orders.len(), 1, "{orders:?}");
});

/// `(on hand, reserved)` of `sku` over every location.
async fn stock_total(app: &TestApp, sku: &str) -> (i64, i64) {
    let sku = uuid::Uuid::parse_str(sku).unwrap();
    let levels = stock_level::Entity::find()
        .filter(stock_level::Column::SkuId.eq(sku))
        .all(&app.db)
        .await
        .unwrap();
    (
        levels.iter().map(|l| l.on_hand).sum(),
        levels.iter().map(|l| l.reserved).sum(),
    )
}

db_test!(async fn a_deposit_left_unpaid_is_forfeited_when_the_balance_window_closes_and_its_unit_goes_back_to_stock(app) {
    let (sku, campaign) = running_campaign(&app, 20, 5, 2).await;
    let mei = one_tap_viewer(&app, "Mei", "mei@example.com").await;
    let kept = json_of(deposit(&app, &mei, &campaign, json!({ "sku": sku, "quantity": 2 }), "d-1").await, StatusCode::CREATED).await;
    assert_eq!(stock_total(&app, &sku).await, (20, 2));
    // The balance window opens and closes without a payment.
    app.state.clock.advance(Duration::days(3));
    let closed = app::presale::campaigns::close_ended(&app.state.checkout, app.state.clock.now()).await.unwrap();
    assert!(closed <= 1, "the server's own chores may have closed it first");
    let forfeited = json_of(get(&mei, app.url(&format!("/api/v1/orders/{}", kept["id"].as_str().unwrap()))).await, StatusCode::OK).await;
    assert_eq!(forfeited["status"], "forfeited", "{forfeited}");
    // The deposit is kept (its payment stands); the units are back, and sell on the storefront.
    assert_eq!(forfeited["payment"]["amount_minor"], 4_000);
    assert_eq!(stock_total(&app, &sku).await, (20, 0));
    let late = json_of(post_keyed(&mei, app.url(&format!("/api/v1/orders/{}/balance", kept["id"].as_str().unwrap())), app.origin(), "late".into(), json!({})).await,
        StatusCode::CONFLICT).await;
    assert!(late["error"]["message"].as_str().unwrap().contains("forfeited"), "{late}");
    json_of(app.post_json_with(&mei, "/api/v1/orders", order(&sku, 1, "mei@example.com", SUCCESS)).await, StatusCode::CREATED).await;
    // Closing again changes nothing.
    app::presale::campaigns::close_ended(&app.state.checkout, app.state.clock.now()).await.unwrap();
    assert_eq!(stock_total(&app, &sku).await, (19, 0));
});

db_test!(async fn a_balance_paid_as_the_window_closes_and_the_close_end_in_exactly_one_state(app) {
    let (sku, campaign) = running_campaign(&app, 20, 5, 2).await;
    let mei = one_tap_viewer(&app, "Mei", "mei@example.com").await;
    let kept = json_of(deposit(&app, &mei, &campaign, json!({ "sku": sku }), "d-1").await, StatusCode::CREATED).await;
    let id = kept["id"].as_str().unwrap().to_owned();
    // 23:59:59 of the balance window: the payment and the close race.
    let ends = chrono::DateTime::parse_from_rfc3339(
        json_of(get(&client(), app.url(&format!("/api/v1/presales/{campaign}"))).await, StatusCode::OK).await["balance_ends_at"].as_str().unwrap(),
    )
    .unwrap()
    .with_timezone(&Utc);
    app.state.clock.advance(ends - Duration::seconds(1) - app.state.clock.now());
    let pay = post_keyed(&mei, app.url(&format!("/api/v1/orders/{id}/balance")), app.origin(), "last-second".into(), json!({}));
    let close = app::presale::campaigns::close_ended(&app.state.checkout, ends);
    let (paid, closed) = tokio::join!(pay, close);
    closed.unwrap();
    let status = paid.status();
    let deposit = json_of(get(&mei, app.url(&format!("/api/v1/orders/{id}"))).await, StatusCode::OK).await;
    let sold = entity::shop_order::Entity::find().filter(entity::shop_order::Column::Status.eq("paid")).all(&app.db).await.unwrap();
    match status {
        StatusCode::CREATED => {
            assert_eq!(deposit["status"], "balance_paid");
            assert_eq!(sold.len(), 1);
            assert_eq!(stock_total(&app, &sku).await, (19, 0), "sold");
        }
        _ => {
            assert_eq!(status, StatusCode::CONFLICT);
            assert_eq!(deposit["status"], "forfeited");
            assert!(sold.is_empty(), "{sold:?}");
            assert_eq!(stock_total(&app, &sku).await, (20, 0), "back in stock");
        }
    }
});
