//! Promotions and coupons over HTTP: drafting, review, versions that change only in the
//! buyer's favour; the checkout pricing with them; usage limits, budgets and coupon stock that
//! hold under a thousand parallel requests on two nodes; a coupon used by one order only and
//! given back when that order lapses or is cancelled; refunds of discounted lines — on SQLite
//! and PostgreSQL.

use crate::support;

use std::collections::HashMap;

use entity::{promotion_budget, promotion_buyer, promotion_use, shop_order};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use support::{
    brands::{get, live_brand, verified},
    checkout::{order, sku_on_sale, PENDING, SUCCESS},
    client, node, TestApp,
};

const WINDOW: (&str, &str) = ("2026-01-01T00:00", "2099-01-01T00:00");

/// "40 off every 100" in brand `slug`'s store, with `extra` terms.
fn threshold(extra: Value) -> Value {
    let mut body = json!({
        "kind": "store_threshold", "name": "40 off every 100", "currency": "CNY",
        "amount_off_minor": 4_000, "threshold_minor": 10_000,
        "starts_at": WINDOW.0, "ends_at": WINDOW.1, "combinable": true,
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    body
}

async fn json_of(response: reqwest::Response, expected: StatusCode) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, expected, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// Creates a promotion at `path` (a brand's or the platform's), submits it and has the admin
/// approve it; answers the approved version.
async fn live_promotion(
    app: &TestApp,
    owner: &reqwest::Client,
    admin: &reqwest::Client,
    path: &str,
    body: Value,
) -> Value {
    let draft = json_of(
        app.post_json_with(owner, path, body).await,
        StatusCode::CREATED,
    )
    .await;
    let id = draft["id"].as_str().unwrap();
    json_of(
        app.post_json_with(owner, &format!("{path}/{id}/submit"), json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    json_of(
        app.post_json_with(
            admin,
            &format!("/api/v1/admin/promotions/{id}/decision"),
            json!({ "decision": "approve" }),
        )
        .await,
        StatusCode::OK,
    )
    .await
}

async fn budget_of(app: &TestApp, promotion: &Value) -> promotion_budget::Model {
    let id = uuid::Uuid::parse_str(promotion["promotion_id"].as_str().unwrap()).unwrap();
    promotion_budget::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

/// What `promotion` took, by the uses recorded (not given back).
async fn recorded_uses(app: &TestApp, promotion: &Value) -> (u64, i64) {
    let id = uuid::Uuid::parse_str(promotion["promotion_id"].as_str().unwrap()).unwrap();
    let uses = promotion_use::Entity::find()
        .filter(promotion_use::Column::LineageId.eq(id))
        .filter(promotion_use::Column::ReturnedAt.is_null())
        .all(&app.db)
        .await
        .unwrap();
    let mut orders: Vec<uuid::Uuid> = uses.iter().map(|u| u.order_id).collect();
    orders.sort();
    orders.dedup();
    (
        orders.len() as u64,
        uses.iter().map(|u| u.amount_minor).sum(),
    )
}

db_test!(async fn promotions_are_reviewed_and_an_approved_one_changes_only_by_new_versions_in_the_buyers_favour(app) {
    let (admin, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let path = "/api/v1/brands/lune/promotions";
    // Bad terms are refused field by field.
    let refused = app.post_json_with(&owner, path, json!({ "kind": "store_threshold", "name": "", "currency": "XXX",
        "amount_off_minor": 50_000, "threshold_minor": 30_000, "starts_at": "soon", "ends_at": WINDOW.1 })).await;
    let refused = json_of(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    for field in ["name", "currency", "amount_off_minor", "starts_at"] {
        assert!(refused["error"]["fields"][field].is_array(), "{field}: {refused}");
    }
    let allowance = app.post_json_with(&owner, path, threshold(json!({ "kind": "platform_allowance" }))).await;
    assert_eq!(allowance.status(), StatusCode::UNPROCESSABLE_ENTITY, "only the platform funds allowances");

    let draft = json_of(app.post_json_with(&owner, path, threshold(json!({ "usage_limit": 100 }))).await, StatusCode::CREATED).await;
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["summary"], "¥40.00 off every ¥100.00");
    let id = draft["id"].as_str().unwrap().to_owned();
    // A draft is not in the queue, and only admins read the queue or decide.
    let queue: Vec<Value> = get(&admin, app.url("/api/v1/admin/promotion-reviews")).await.json().await.unwrap();
    assert!(queue.is_empty());
    json_of(app.post_json_with(&owner, &format!("{path}/{id}/submit"), json!({})).await, StatusCode::OK).await;
    assert_eq!(get(&owner, app.url("/api/v1/admin/promotion-reviews")).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(client().get(app.url("/api/v1/admin/promotion-reviews")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let as_owner = app.post_json_with(&owner, &format!("/api/v1/admin/promotions/{id}/decision"), json!({ "decision": "approve" })).await;
    assert_eq!(as_owner.status(), StatusCode::FORBIDDEN);
    // In review it cannot change.
    let during = app.client_put_json(&owner, &format!("{path}/{id}"), threshold(json!({}))).await;
    assert_eq!(during.status(), StatusCode::CONFLICT);
    // Sending it back needs a reason, which is mailed.
    let no_reason = app.post_json_with(&admin, &format!("/api/v1/admin/promotions/{id}/decision"), json!({ "decision": "request_changes" })).await;
    assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let back = json_of(app.post_json_with(&admin, &format!("/api/v1/admin/promotions/{id}/decision"),
        json!({ "decision": "request_changes", "reason": "Cap it at 120" })).await, StatusCode::OK).await;
    assert_eq!(back["status"], "changes_requested");
    assert!(app.last_mail_to("olive@gala.test").await.text_body.contains("Cap it at 120"));
    let fixed = json_of(app.client_put_json(&owner, &format!("{path}/{id}"), threshold(json!({ "usage_limit": 100, "cap_minor": 12_000 }))).await, StatusCode::OK).await;
    assert_eq!(fixed["version"], 1, "a version sent back changes in place");
    json_of(app.post_json_with(&owner, &format!("{path}/{id}/submit"), json!({})).await, StatusCode::OK).await;
    let approved = json_of(app.post_json_with(&admin, &format!("/api/v1/admin/promotions/{id}/decision"), json!({ "decision": "approve" })).await, StatusCode::OK).await;
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["live"], true);
    assert!(app.last_mail_to("olive@gala.test").await.subject.contains("approved"));
    let twice = app.post_json_with(&admin, &format!("/api/v1/admin/promotions/{id}/decision"), json!({ "decision": "approve" })).await;
    assert_eq!(twice.status(), StatusCode::CONFLICT);

    // Live: a change against buyers is refused; one in their favour becomes version 2.
    let worse = app.client_put_json(&owner, &format!("{path}/{id}"), threshold(json!({ "usage_limit": 10, "cap_minor": 12_000, "amount_off_minor": 3_000 }))).await;
    let worse = json_of(worse, StatusCode::UNPROCESSABLE_ENTITY).await;
    for field in ["usage_limit", "amount_off_minor"] {
        assert!(worse["error"]["fields"][field].is_array(), "{field}: {worse}");
    }
    let better = json_of(app.client_put_json(&owner, &format!("{path}/{id}"), threshold(json!({ "usage_limit": 200, "cap_minor": 12_000, "amount_off_minor": 5_000 }))).await, StatusCode::OK).await;
    assert_eq!(better["version"], 2);
    assert_eq!(better["status"], "draft");
    assert_eq!(better["promotion_id"], approved["promotion_id"]);
    let frozen: Value = get(&owner, app.url(&format!("{path}/{id}"))).await.json().await.unwrap();
    assert_eq!(frozen["terms"]["amount_off_minor"], 4_000, "the approved version is frozen");
    let another = app.client_put_json(&owner, &format!("{path}/{id}"), threshold(json!({ "usage_limit": 300, "cap_minor": 12_000 }))).await;
    assert_eq!(another.status(), StatusCode::CONFLICT, "version 2 is waiting already");
    let v2 = better["id"].as_str().unwrap();
    json_of(app.post_json_with(&owner, &format!("{path}/{v2}/submit"), json!({})).await, StatusCode::OK).await;
    json_of(app.post_json_with(&admin, &format!("/api/v1/admin/promotions/{v2}/decision"), json!({ "decision": "approve" })).await, StatusCode::OK).await;
    let versions: Vec<Value> = get(&owner, app.url(path)).await.json().await.unwrap();
    let statuses: HashMap<i64, String> = versions.iter().map(|v| (v["version"].as_i64().unwrap(), v["status"].as_str().unwrap().to_owned())).collect();
    assert_eq!(statuses, HashMap::from([(1, "superseded".to_owned()), (2, "approved".to_owned())]));

    // Staff read promotions but do not make them.
    let staff = support::brands::member(&app, &owner, "lune", "Sid", "sid@gala.test", "staff").await;
    assert_eq!(get(&staff, app.url(path)).await.status(), StatusCode::OK);
    assert_eq!(app.post_json_with(&staff, path, threshold(json!({}))).await.status(), StatusCode::FORBIDDEN);
    // The platform's own allowance goes through the same queue.
    let platform = live_promotion(&app, &admin, &admin, "/api/v1/admin/promotions",
        threshold(json!({ "kind": "platform_allowance", "name": "50 off every 400", "amount_off_minor": 5_000, "threshold_minor": 40_000 }))).await;
    assert_eq!(platform["brand"], Value::Null);
    assert_eq!(platform["status"], "approved");
});

db_test!(async fn checkout_applies_promotions_and_never_passes_a_usage_limit_or_a_budget_on_two_nodes(app) {
    let (admin, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let mut skus = Vec::new();
    for i in 0..4 {
        skus.push(sku_on_sale(&app, &owner, "lune", &format!("COAT-{i}"), 400, None).await);
    }
    let store = live_promotion(&app, &owner, &admin, "/api/v1/brands/lune/promotions", threshold(json!({ "usage_limit": 50 }))).await;
    let allowance = live_promotion(&app, &admin, &admin, "/api/v1/admin/promotions",
        threshold(json!({ "kind": "platform_allowance", "name": "20 off every 80", "amount_off_minor": 2_000, "threshold_minor": 8_000, "budget_minor": 61_000 }))).await;

    // The quote shows the discounts before anything is bought, who funds each, in kind order.
    let quote = json_of(app.post_json("/api/v1/orders/quote", json!({ "lines": [{ "sku": skus[0], "quantity": 1 }] })).await, StatusCode::OK).await;
    let adjustments = quote["lines"][0]["adjustments"].as_array().unwrap();
    let seen: Vec<(&str, &str, i64)> = adjustments.iter().map(|a| (a["kind"].as_str().unwrap(), a["funder"].as_str().unwrap(), a["amount_minor"].as_i64().unwrap())).collect();
    assert_eq!(seen, vec![("store_threshold", "brand", -4_000), ("platform_allowance", "platform", -2_000)]);
    assert_eq!(quote["total_minor"], 12_900 - 6_000);

    let second = node::SecondNode::start(&app.database_url).await;
    let nodes = [app.url("/api/v1/orders"), second.url("/api/v1/orders")];
    let buyers: Vec<_> = (0..1_000)
        .map(|i| {
            let (url, body) = (nodes[i % 2].clone(), order(&skus[i % 4], 1, &format!("buyer{i}@example.com"), SUCCESS));
            tokio::spawn(async move {
                let response = client().post(url).json(&body).header("Idempotency-Key", format!("k-{i}")).send().await.unwrap();
                let status = response.status();
                let body: Value = response.json().await.unwrap();
                (status, body["error"]["code"].as_str().unwrap_or_default().to_owned())
            })
        })
        .collect();
    let mut answers: HashMap<(StatusCode, String), usize> = HashMap::new();
    for buyer in buyers {
        *answers.entry(buyer.await.unwrap()).or_default() += 1;
    }
    // Every order is placed, or refused only because a discount it was priced with ran out
    // while it was placed (a batch on the other node or lane used the last of it): it is
    // never charged another price than it was priced at.
    let placed = answers.get(&(StatusCode::CREATED, String::new())).copied().unwrap_or(0);
    let ran_out = answers.get(&(StatusCode::CONFLICT, "offer_unavailable".to_owned())).copied().unwrap_or(0);
    assert_eq!(placed + ran_out, 1_000, "{answers:?}");
    assert!(placed > 0, "{answers:?}");

    let store_budget = budget_of(&app, &store).await;
    assert!(store_budget.uses <= 50, "usage limit passed: {store_budget:?}");
    assert_eq!(recorded_uses(&app, &store).await, (store_budget.uses as u64, store_budget.spent_minor));
    assert_eq!(store_budget.spent_minor, 4_000 * store_budget.uses);
    let allowance_budget = budget_of(&app, &allowance).await;
    assert!(allowance_budget.spent_minor <= 61_000, "budget overspent: {allowance_budget:?}");
    assert_eq!(allowance_budget.uses, 30, "61,000 affords 30 uses of 2,000, with demand to spare");
    assert_eq!(recorded_uses(&app, &allowance).await, (30, 60_000));
    // The orders' own totals agree with the budgets.
    let discounted = shop_order::Entity::find().filter(shop_order::Column::Status.eq("paid")).filter(shop_order::Column::AdjustmentsMinor.lt(0)).all(&app.db).await.unwrap();
    let given: i64 = discounted.iter().map(|o| -o.adjustments_minor).sum();
    assert_eq!(given, store_budget.spent_minor + allowance_budget.spent_minor);
    // With both spent, the next order pays the catalog price.
    if store_budget.uses == 50 {
        let quote = json_of(app.post_json("/api/v1/orders", order(&skus[0], 1, "late@example.com", SUCCESS)).await, StatusCode::CREATED).await;
        assert_eq!(quote["adjustments_minor"], 0);
    }
});

db_test!(async fn a_thousand_parallel_claims_of_a_hundred_coupons_give_exactly_a_hundred(app) {
    let (admin, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let coupon = live_promotion(&app, &owner, &admin, "/api/v1/brands/lune/promotions", json!({
        "kind": "coupon", "name": "30 off 100", "currency": "CNY", "amount_off_minor": 3_000, "threshold_minor": 10_000,
        "coupon_stock": 100, "claim_limit": 10, "code": "LUNE-30", "starts_at": WINDOW.0, "ends_at": WINDOW.1 })).await;
    let listed: Vec<Value> = client().get(app.url("/api/v1/coupons?brand=lune")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed.len(), 1);
    // Claiming needs a verified account.
    let anonymous = client().post(app.url("/api/v1/coupons/claim")).header("Origin", app.origin()).json(&json!({ "code": "LUNE-30" })).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let mut shoppers = Vec::new();
    // Twelve buyers of at most ten each could take 120: the stock of 100 is what binds.
    for i in 0..12 {
        shoppers.push(verified(&app, "Shopper", &format!("shopper{i}@example.com")).await);
    }
    let second = node::SecondNode::start(&app.database_url).await;
    // Each node is called as its own origin (the same-origin check).
    let nodes = [
        (app.url("/api/v1/coupons/claim"), app.origin()),
        (second.url("/api/v1/coupons/claim"), second.url("").trim_end_matches('/').to_owned()),
    ];
    let promotion_id = coupon["promotion_id"].as_str().unwrap().to_owned();
    let claims: Vec<_> = (0..1_000)
        .map(|i| {
            let (shopper, (url, origin)) = (shoppers[i % 12].clone(), nodes[i % 2].clone());
            let body = if i % 3 == 0 { json!({ "code": "lune-30" }) } else { json!({ "promotion_id": promotion_id }) };
            tokio::spawn(async move {
                let response = shopper.post(url).header("Origin", origin).json(&body).send().await.unwrap();
                let status = response.status();
                let body: Value = response.json().await.unwrap();
                (status, body["error"]["code"].as_str().unwrap_or_default().to_owned())
            })
        })
        .collect();
    let mut answers: HashMap<(StatusCode, String), usize> = HashMap::new();
    for claim in claims {
        *answers.entry(claim.await.unwrap()).or_default() += 1;
    }
    assert_eq!(answers, HashMap::from([
        ((StatusCode::CREATED, String::new()), 100),
        ((StatusCode::CONFLICT, "offer_unavailable".to_owned()), 900),
    ]));
    assert_eq!(budget_of(&app, &coupon).await.claimed, 100);
    let mut in_wallets = 0;
    for shopper in &shoppers {
        let wallet: Vec<Value> = get(shopper, app.url("/api/v1/me/coupons")).await.json().await.unwrap();
        assert!(wallet.len() <= 10, "at most ten per buyer");
        assert!(wallet.iter().all(|c| c["status"] == "claimed" && c["name"] == "30 off 100"));
        in_wallets += wallet.len();
    }
    assert_eq!(in_wallets, 100);
    let listed: Vec<Value> = client().get(app.url("/api/v1/coupons?brand=lune")).send().await.unwrap().json().await.unwrap();
    assert!(listed.is_empty(), "none left to claim");
});

db_test!(async fn a_per_buyer_limit_holds_when_each_buyer_checks_out_many_times_at_once_on_two_nodes(app) {
    let (admin, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "COAT-0", 400, None).await;
    let store = live_promotion(&app, &owner, &admin, "/api/v1/brands/lune/promotions", threshold(json!({ "per_buyer_limit": 2 }))).await;
    let mut members = Vec::new();
    for i in 0..8 {
        let email = format!("member{i}@example.com");
        members.push((verified(&app, &format!("Member {i}"), &email).await, email));
    }
    // Each member places ten orders at once, over two nodes: one batch often holds several
    // of one buyer's orders, and the two nodes' batches count the same buyers' rows.
    let second = node::SecondNode::start(&app.database_url).await;
    let nodes = [app.url("/api/v1/orders"), second.url("/api/v1/orders")];
    let tries: Vec<_> = (0..80)
        .map(|i| {
            let (member, email) = members[i % 8].clone();
            let (url, body) = (nodes[(i / 8) % 2].clone(), order(&sku, 1, &email, SUCCESS));
            tokio::spawn(async move {
                let response = member.post(url).json(&body).header("Idempotency-Key", format!("b-{i}")).send().await.unwrap();
                let status = response.status();
                let body: Value = response.json().await.unwrap();
                (status, body["error"]["code"].as_str().unwrap_or_default().to_owned())
            })
        })
        .collect();
    for t in tries {
        let answer = t.await.unwrap();
        assert!(
            answer.0 == StatusCode::CREATED || answer == (StatusCode::CONFLICT, "offer_unavailable".to_owned()),
            "{answer:?}"
        );
    }
    let id = uuid::Uuid::parse_str(store["promotion_id"].as_str().unwrap()).unwrap();
    let counted = promotion_buyer::Entity::find().filter(promotion_buyer::Column::LineageId.eq(id)).all(&app.db).await.unwrap();
    let mut discounted_in_all = 0;
    for (_, email) in &members {
        let discounted = shop_order::Entity::find()
            .filter(shop_order::Column::Email.eq(email.as_str()))
            .filter(shop_order::Column::Status.eq("paid"))
            .filter(shop_order::Column::AdjustmentsMinor.lt(0))
            .all(&app.db)
            .await
            .unwrap();
        assert!(discounted.len() <= 2, "{email} used a two-per-buyer promotion {} times", discounted.len());
        let account = discounted.first().and_then(|o| o.account_id);
        let row = counted.iter().find(|b| Some(b.account_id) == account);
        assert_eq!(row.map_or(0, |b| b.used), discounted.len() as i64, "{email}'s count agrees with their orders");
        discounted_in_all += discounted.len() as i64;
    }
    assert!(discounted_in_all >= 8, "the demand outran the limit: every member could use it");
    assert_eq!(budget_of(&app, &store).await.uses, discounted_in_all);
    assert_eq!(recorded_uses(&app, &store).await.0, discounted_in_all as u64);
});

db_test!(async fn a_coupon_is_used_by_one_order_and_comes_back_when_its_order_lapses_or_is_cancelled(app) {
    let (admin, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "COAT-1", 100, None).await;
    let coupon = live_promotion(&app, &owner, &admin, "/api/v1/brands/lune/promotions", json!({
        "kind": "coupon", "name": "30 off 200", "currency": "CNY", "amount_off_minor": 3_000, "threshold_minor": 20_000,
        "coupon_stock": 100, "claim_limit": 3, "starts_at": WINDOW.0, "ends_at": WINDOW.1, "combinable": true })).await;
    let mei = verified(&app, "Mei", "mei@example.com").await;
    let claim = || app.post_json_with(&mei, "/api/v1/coupons/claim", json!({ "promotion_id": coupon["promotion_id"] }));
    let mine = json_of(claim().await, StatusCode::CREATED).await;
    let coupon_id = mine["id"].as_str().unwrap().to_owned();
    let with_coupon = |quantity: i64, card: &str, coupon_id: &str| {
        let mut body = order(&sku, quantity, "mei@example.com", card);
        body["coupon"] = json!(coupon_id);
        body
    };
    // Below its minimum spend the coupon is refused, and a guest cannot use one.
    let short = app.post_json_with(&mei, "/api/v1/orders", with_coupon(1, SUCCESS, &coupon_id)).await;
    let short = json_of(short, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(short["error"]["fields"]["coupon"].is_array());
    let guest = client().post(app.url("/api/v1/orders")).json(&with_coupon(2, SUCCESS, &coupon_id)).send().await.unwrap();
    assert_eq!(guest.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Thirty tries at once with one coupon: one order uses it.
    let tries: Vec<_> = (0..30)
        .map(|i| {
            let (mei, url, body) = (mei.clone(), app.url("/api/v1/orders"), with_coupon(2, SUCCESS, &coupon_id));
            tokio::spawn(async move {
                let response = mei.post(url).json(&body).header("Idempotency-Key", format!("c-{i}")).send().await.unwrap();
                (response.status(), response.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut used_by = Vec::new();
    for t in tries {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::CREATED => used_by.push(body),
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT => {}
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(used_by.len(), 1, "one order with the coupon");
    let paid = &used_by[0];
    // 2 × 129.00 = 258.00, 30.00 off, spread over the one line; the store funds it.
    assert_eq!(paid["adjustments_minor"], -3_000);
    assert_eq!(paid["brands"][0]["lines"][0]["adjustments"][0]["funder"], "brand");
    let wallet: Vec<Value> = get(&mei, app.url("/api/v1/me/coupons")).await.json().await.unwrap();
    assert_eq!(wallet[0]["status"], "used");
    assert_eq!(wallet[0]["order_id"], paid["id"]);

    // A refund of one of the two coats gives back what it cost after the discount: 114.00.
    let part = paid["brands"][0]["id"].as_str().unwrap();
    let detail: Value = get(&owner, app.url(&format!("/api/v1/brands/lune/orders/{part}"))).await.json().await.unwrap();
    let line = detail["lines"][0]["id"].as_str().unwrap();
    let refunded = json_of(app.post_json_with(&owner, &format!("/api/v1/brands/lune/orders/{part}/refunds"),
        json!({ "lines": [{ "line": line, "quantity": 1 }], "restock": true })).await, StatusCode::OK).await;
    assert_eq!(refunded["refunded_minor"], 11_400);
    let wallet: Vec<Value> = get(&mei, app.url("/api/v1/me/coupons")).await.json().await.unwrap();
    assert_eq!(wallet[0]["status"], "used", "a partial refund keeps the coupon used");

    // A second coupon held by an order waiting for payment comes back once when it lapses.
    let held = json_of(claim().await, StatusCode::CREATED).await;
    let waiting = app.post_json_with(&mei, "/api/v1/orders", with_coupon(2, PENDING, held["id"].as_str().unwrap())).await;
    let waiting = json_of(waiting, StatusCode::ACCEPTED).await;
    let status_of = |id: String| {
        let mei = mei.clone();
        let url = app.url("/api/v1/me/coupons");
        async move {
            let wallet: Vec<Value> = mei.get(url).send().await.unwrap().json().await.unwrap();
            wallet.iter().find(|c| c["id"] == id.as_str()).unwrap()["status"].as_str().unwrap().to_owned()
        }
    };
    let held_id = held["id"].as_str().unwrap().to_owned();
    assert_eq!(status_of(held_id.clone()).await, "held");
    assert_eq!(budget_of(&app, &coupon).await.uses, 2);
    let ttl = chrono::Duration::seconds(app.state.checkout.config().reservation_ttl.as_secs() as i64);
    app.state.clock.advance(ttl + chrono::Duration::minutes(1));
    let chores = || app::checkout::chores::run_once(&app.state.checkout, &app.state.outbox, "http://gala.test");
    chores().await.unwrap();
    chores().await.unwrap();
    let lapsed: Value = get(&mei, app.url(&format!("/api/v1/orders/{}", waiting["id"].as_str().unwrap()))).await.json().await.unwrap();
    assert_eq!(lapsed["status"], "expired");
    assert_eq!(status_of(held_id).await, "claimed");
    let after_lapse = budget_of(&app, &coupon).await;
    assert_eq!((after_lapse.uses, after_lapse.spent_minor), (1, 3_000), "given back exactly once");

    // The brand cancels a paid order with a coupon: the coupon returns to the wallet.
    let third = json_of(claim().await, StatusCode::CREATED).await;
    let third_id = third["id"].as_str().unwrap().to_owned();
    let bought = json_of(app.post_json_with(&mei, "/api/v1/orders", with_coupon(2, SUCCESS, &third_id)).await, StatusCode::CREATED).await;
    assert_eq!(status_of(third_id.clone()).await, "used");
    let part = bought["brands"][0]["id"].as_str().unwrap();
    json_of(app.post_json_with(&owner, &format!("/api/v1/brands/lune/orders/{part}/cancel"), json!({})).await, StatusCode::OK).await;
    assert_eq!(status_of(third_id).await, "claimed");
    assert_eq!(budget_of(&app, &coupon).await.uses, 1);
    // Settlement: what the store funded, from the uses not given back; its CSV; brands see
    // only their own, admins every brand's.
    let rows: Vec<Value> = get(&owner, app.url("/api/v1/brands/lune/settlement")).await.json().await.unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0]["orders"].as_i64(), rows[0]["amount_minor"].as_i64(), rows[0]["funded_by_platform"].as_bool()), (Some(1), Some(3_000), Some(false)));
    let csv = get(&owner, app.url("/api/v1/brands/lune/settlement.csv")).await.text().await.unwrap();
    assert!(csv.starts_with("brand,promotion,promotion_id,funded_by,currency,orders,amount\n"), "{csv}");
    assert!(csv.contains("\"lune\",\"30 off 200\"") && csv.contains("\"brand\",\"CNY\",\"1\",\"30.00\""), "{csv}");
    assert_eq!(get(&mei, app.url("/api/v1/brands/lune/settlement")).await.status(), StatusCode::NOT_FOUND);
    let all: Vec<Value> = get(&admin, app.url("/api/v1/admin/settlement")).await.json().await.unwrap();
    assert_eq!(all, rows);
    // The claim limit of three holds.
    let fourth = claim().await;
    assert_eq!(fourth.status(), StatusCode::CONFLICT);
    assert_eq!(
        promotion_use::Entity::find().filter(promotion_use::Column::ReturnedAt.is_null()).count(&app.db).await.unwrap(),
        1
    );
});

/// A red-envelope pool set up by the admin, handing out from now on.
async fn envelope_pool(app: &TestApp, admin: &reqwest::Client, body: Value) -> Value {
    let mut pool = json!({
        "name": "Test envelopes", "currency": "CNY", "win_percent": 100, "valid_hours": 1,
        "per_buyer_count": 5, "per_buyer_minor": 100_000,
        "starts_at": WINDOW.0, "ends_at": WINDOW.1,
    });
    for (key, value) in body.as_object().unwrap() {
        pool[key] = value.clone();
    }
    json_of(
        app.post_json_with(admin, "/api/v1/admin/envelope-pools", pool)
            .await,
        StatusCode::CREATED,
    )
    .await
}

async fn pool_left(app: &TestApp, pool: &Value) -> i64 {
    let id = uuid::Uuid::parse_str(pool["id"].as_str().unwrap()).unwrap();
    entity::envelope_pool::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .remaining_minor
}

/// Every envelope won from `pool`, whatever its state.
async fn envelopes_of(app: &TestApp, pool: &Value) -> Vec<entity::red_envelope::Model> {
    let id = uuid::Uuid::parse_str(pool["id"].as_str().unwrap()).unwrap();
    entity::red_envelope::Entity::find()
        .filter(entity::red_envelope::Column::PoolId.eq(id))
        .all(&app.db)
        .await
        .unwrap()
}

db_test!(async fn red_envelopes_never_exceed_their_pool_or_a_buyers_limits_under_parallel_plays_on_two_nodes(app) {
    let (admin, _) = live_brand(&app, "lune", "olive@gala.test").await;
    let refused = app.post_json_with(&admin, "/api/v1/admin/envelope-pools", json!({ "name": "", "currency": "CNY",
        "budget_minor": 100, "min_minor": 500, "max_minor": 50, "win_percent": 0, "per_buyer_count": 0, "per_buyer_minor": 0,
        "valid_hours": 0, "starts_at": WINDOW.0, "ends_at": WINDOW.0 })).await;
    let refused = json_of(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    for field in ["name", "min_minor", "win_percent", "per_buyer_count", "valid_hours", "ends_at"] {
        assert!(refused["error"]["fields"][field].is_array(), "{field}: {refused}");
    }
    // 5,000 to hand out, 500 to 1,000 an envelope: twelve winners would need at least 6,000.
    let pool = envelope_pool(&app, &admin, json!({ "budget_minor": 5_000, "min_minor": 500, "max_minor": 1_000 })).await;
    let mut shoppers = Vec::new();
    for i in 0..12 {
        shoppers.push(verified(&app, "Shopper", &format!("player{i}@example.com")).await);
    }
    let second = node::SecondNode::start(&app.database_url).await;
    let nodes = [
        (app.url("/api/v1/envelopes/play"), app.origin()),
        (second.url("/api/v1/envelopes/play"), second.url("").trim_end_matches('/').to_owned()),
    ];
    // Each shopper plays today's moment five times at once, on both nodes.
    let plays: Vec<_> = (0..60)
        .map(|i| {
            let (shopper, (url, origin)) = (shoppers[i % 12].clone(), nodes[i % 2].clone());
            tokio::spawn(async move {
                let response = shopper.post(url).header("Origin", origin).json(&json!({})).send().await.unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                (i % 12, response.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut outcomes: HashMap<usize, Vec<Value>> = HashMap::new();
    for play in plays {
        let (shopper, outcome) = play.await.unwrap();
        outcomes.entry(shopper).or_default().push(outcome["won"].clone());
    }
    let mut handed_out = 0;
    for (shopper, won) in &outcomes {
        // One moment, one outcome: every answer to a shopper names the same envelope (or none).
        assert!(won.iter().all(|w| w["id"] == won[0]["id"]), "shopper {shopper}: {won:?}");
        if let Some(amount) = won[0]["amount_minor"].as_i64() {
            // Drawn from 500 to 1,000; the last winner's is at most what was left.
            assert!((1..=1_000).contains(&amount), "{amount}");
            handed_out += amount;
        }
    }
    let left = pool_left(&app, &pool).await;
    assert!(left >= 0);
    assert_eq!(handed_out + left, 5_000, "every fen accounted for");
    assert!(left < 500, "the pool was played out: {left} left");
    let envelopes: i64 = entity::red_envelope::Entity::find().all(&app.db).await.unwrap().iter().map(|e| e.amount_minor).sum();
    assert_eq!(envelopes, handed_out);
    drop(second);

    // A buyer's limits hold across moments (the festival day moves with the clock).
    let limited = envelope_pool(&app, &admin, json!({ "budget_minor": 100_000, "min_minor": 1_000, "max_minor": 1_000,
        "per_buyer_count": 2, "per_buyer_minor": 100_000 })).await;
    let mei = verified(&app, "Mei", "mei@example.com").await;
    let mut won = 0;
    for _ in 0..4 {
        let outcome = json_of(app.post_json_with(&mei, "/api/v1/envelopes/play", json!({})).await, StatusCode::OK).await;
        won += i64::from(outcome["won"].is_object());
        app.state.clock.advance(chrono::Duration::days(1));
    }
    assert_eq!(won, 2, "two envelopes per buyer");
    // Counted as envelopes, not off the pool's balance: a day on, each has expired, and the
    // expiry chore may already have put its money back.
    assert_eq!(envelopes_of(&app, &limited).await.len(), 2);
    // Plays need a verified account.
    let anonymous = client().post(app.url("/api/v1/envelopes/play")).header("Origin", app.origin()).json(&json!({})).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
});

db_test!(async fn a_red_envelope_pays_for_one_order_and_an_unused_one_expires_back_into_the_pool_once(app) {
    let (admin, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "COAT-1", 20, None).await;
    let pool = envelope_pool(&app, &admin, json!({ "budget_minor": 100_000, "min_minor": 1_888, "max_minor": 1_888 })).await;
    let mei = verified(&app, "Mei", "mei@example.com").await;
    let won = json_of(app.post_json_with(&mei, "/api/v1/envelopes/play", json!({})).await, StatusCode::OK).await;
    let envelope = won["won"]["id"].as_str().unwrap().to_owned();
    assert_eq!(won["won"]["amount_minor"], 1_888);
    let mut body = order(&sku, 1, "mei@example.com", SUCCESS);
    body["envelope"] = json!(envelope);
    let paid = json_of(app.post_json_with(&mei, "/api/v1/orders", body.clone()).await, StatusCode::CREATED).await;
    let adjustment = &paid["brands"][0]["lines"][0]["adjustments"][0];
    assert_eq!((adjustment["kind"].as_str(), adjustment["funder"].as_str(), adjustment["amount_minor"].as_i64()),
        (Some("red_envelope"), Some("platform"), Some(-1_888)));
    assert_eq!(paid["total_minor"], 12_900 - 1_888 + 1_500);
    // Used once: the same envelope on another order is refused, and nobody else may use it.
    let again = app.post_json_with(&mei, "/api/v1/orders", body.clone()).await;
    let again = json_of(again, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(again["error"]["fields"]["envelope"].is_array());
    let mine: Vec<Value> = get(&mei, app.url("/api/v1/me/envelopes")).await.json().await.unwrap();
    assert_eq!(mine[0]["status"], "used");
    // The platform funds it: the settlement says Gala owes the brand 18.88.
    let rows: Vec<Value> = get(&owner, app.url("/api/v1/brands/lune/settlement")).await.json().await.unwrap();
    assert_eq!((rows[0]["amount_minor"].as_i64(), rows[0]["funded_by_platform"].as_bool()), (Some(1_888), Some(true)));
    assert!(rows[0]["promotion"].as_str().unwrap().starts_with("Red envelopes"));

    // Bo wins one and never uses it: when it expires, its money goes back to the pool, once.
    let bo = verified(&app, "Bo", "bo@example.com").await;
    json_of(app.post_json_with(&bo, "/api/v1/envelopes/play", json!({})).await, StatusCode::OK).await;
    assert_eq!(pool_left(&app, &pool).await, 100_000 - 2 * 1_888);
    app.state.clock.advance(chrono::Duration::hours(2));
    let chores = || app::checkout::chores::run_once(&app.state.checkout, &app.state.outbox, "http://gala.test");
    chores().await.unwrap();
    chores().await.unwrap();
    assert_eq!(pool_left(&app, &pool).await, 100_000 - 1_888, "the unused envelope came back once");
    let bos: Vec<Value> = get(&bo, app.url("/api/v1/me/envelopes")).await.json().await.unwrap();
    assert_eq!(bos[0]["status"], "expired");
});

db_test!(async fn a_drop_carries_a_coupon_to_claim_and_a_red_envelope_moment_played_once_per_viewer(app) {
    let (admin, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    sku_on_sale(&app, &owner, "lune", "LUNE-RUNWAY", 10, None).await;
    let coupon_terms = |name: &str| json!({
        "kind": "coupon", "name": name, "currency": "CNY", "amount_off_minor": 2_000, "threshold_minor": 10_000,
        "coupon_stock": 50, "claim_limit": 1, "starts_at": WINDOW.0, "ends_at": WINDOW.1 });
    let coupon = live_promotion(&app, &owner, &admin, "/api/v1/brands/lune/promotions", coupon_terms("Runway 20")).await;
    // Another brand's coupon, which lune's show may not hand out.
    let sunny = verified(&app, "Sunny", "sunny@gala.test").await;
    let sol = support::brands::apply(&app, &sunny, "sol").await;
    support::brands::decide(&app, &admin, sol["id"].as_str().unwrap(), json!({ "decision": "approve" })).await;
    let theirs = live_promotion(&app, &sunny, &admin, "/api/v1/brands/sol/promotions", coupon_terms("Sol 20")).await;
    let pool = envelope_pool(&app, &admin, json!({ "budget_minor": 10_000, "min_minor": 100, "max_minor": 100 })).await;

    let show = support::shows::new_show(&app, &owner, "Runway moments").await;
    let look = support::shows::add_look(&app, &owner, &show, json!([{ "sku_code": "LUNE-RUNWAY" }])).await;
    let plain = support::shows::add_look(&app, &owner, &show, json!([{ "sku_code": "LUNE-RUNWAY" }])).await;
    let moments = format!("/api/v1/brands/lune/shows/{show}/looks/{look}/moments");
    // The console offers the brand's own approved coupons only.
    let choices = json_of(app.call_fn(&owner, "shows/drop-coupons", json!({ "slug": "lune" })).await, StatusCode::OK).await;
    let offered: Vec<&str> = choices.as_array().unwrap().iter().map(|c| c["promotion_id"].as_str().unwrap()).collect();
    assert_eq!(offered, [coupon["promotion_id"].as_str().unwrap()]);
    let crossed = app.client_put_json(&owner, &moments, json!({ "coupon_promotion_id": theirs["promotion_id"], "envelope_moment": true })).await;
    let crossed = json_of(crossed, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(crossed["error"]["fields"]["coupon_promotion_id"].is_array(), "{crossed}");
    // Nor can another brand's team touch lune's show.
    let other = app.client_put_json(&sunny, &moments, json!({ "envelope_moment": true })).await;
    assert!(matches!(other.status(), StatusCode::NOT_FOUND | StatusCode::FORBIDDEN), "{}", other.status());
    let detail = json_of(app.client_put_json(&owner, &moments, json!({ "coupon_promotion_id": coupon["promotion_id"], "envelope_moment": true })).await, StatusCode::OK).await;
    assert_eq!(detail["looks"][0]["coupon"]["promotion_id"], coupon["promotion_id"]);
    assert_eq!(detail["looks"][0]["envelope_moment"], true);
    assert!(detail["looks"][1]["coupon"].is_null());

    support::shows::approved(&app, &owner, &admin, &show).await;
    support::shows::produce(&app, &owner, &show, "go_live", json!({})).await;
    let viewer = verified(&app, "Vera", "vera@example.com").await;
    let play = |drop: &str| json!({ "show_id": show, "drop_id": drop });
    // The cat hides until its look walks the runway.
    let early = app.post_json_with(&viewer, "/api/v1/envelopes/play", play(&look)).await;
    assert_eq!(early.status(), StatusCode::CONFLICT);
    support::shows::produce(&app, &owner, &show, "reveal", json!({ "look_id": look })).await;
    support::shows::produce(&app, &owner, &show, "reveal", json!({ "look_id": plain })).await;
    let late = app.client_put_json(&owner, &moments, json!({ "envelope_moment": false })).await;
    assert_eq!(late.status(), StatusCode::CONFLICT, "a dropped look keeps the moments it went out with");

    // Viewers see the moments with the drop, and claim the coupon through the one claim path.
    let state: Value = client().get(app.url(&format!("/api/v1/shows/{show}"))).send().await.unwrap().json().await.unwrap();
    let dropped = state["looks"].as_array().unwrap().iter().find(|l| l["id"] == look.as_str()).unwrap();
    assert_eq!(dropped["coupon"]["name"], "Runway 20");
    assert_eq!(dropped["envelope_moment"], true);
    let claimed = app.post_json_with(&viewer, "/api/v1/coupons/claim", json!({ "promotion_id": dropped["coupon"]["promotion_id"] })).await;
    json_of(claimed, StatusCode::CREATED).await;

    // One play per viewer per drop, however many taps arrive at once.
    let taps: Vec<_> = (0..20)
        .map(|_| {
            let (viewer, url, origin, body) = (viewer.clone(), app.url("/api/v1/envelopes/play"), app.origin(), play(&look));
            tokio::spawn(async move {
                let response = viewer.post(url).header("Origin", origin).json(&body).send().await.unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                response.json::<Value>().await.unwrap()["won"]["id"].clone()
            })
        })
        .collect();
    let mut won = Vec::new();
    for tap in taps {
        won.push(tap.await.unwrap());
    }
    assert!(won[0].is_string(), "the pool wins every play: {won:?}");
    assert!(won.iter().all(|w| *w == won[0]), "{won:?}");
    assert_eq!(pool_left(&app, &pool).await, 9_900);
    // The drop's moment is its own: the show's moment is still there to play.
    let show_moment = json_of(app.post_json_with(&viewer, "/api/v1/envelopes/play", json!({ "show_id": show })).await, StatusCode::OK).await;
    assert!(show_moment["won"].is_object());
    assert_ne!(show_moment["won"]["id"], won[0]);
    // One tap from the drop answers with what the order cost and the discount that priced it.
    live_promotion(&app, &owner, &admin, "/api/v1/brands/lune/promotions", threshold(json!({}))).await;
    let tapper = support::shows::one_tap_viewer(&app, "Tao", "tao@example.com").await;
    let sku = dropped["items"][0]["sku_id"].as_str().unwrap();
    let bought = json_of(app.call_fn(&tapper, "shows/buy", json!({ "id": show, "sku": sku, "key": "tap-1" })).await, StatusCode::OK).await;
    assert_eq!(bought["result"], "bought", "{bought}");
    assert_eq!(bought["discounts"][0]["label"], "40 off every 100");
    assert_eq!(bought["discounts"][0]["funder"], "brand");
    assert_eq!(bought["discounts"][0]["amount_minor"], -4_000);
    let order = json_of(get(&tapper, app.url(&format!("/api/v1/orders/{}", bought["order_id"].as_str().unwrap()))).await, StatusCode::OK).await;
    assert_eq!(bought["total_minor"], order["total_minor"]);
    assert_eq!(bought["currency"], "CNY");
    // A look without the moment, or named under another show, hides no cat.
    let none = app.post_json_with(&viewer, "/api/v1/envelopes/play", play(&plain)).await;
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
    let elsewhere = app.post_json_with(&viewer, "/api/v1/envelopes/play", json!({ "show_id": uuid::Uuid::new_v4().to_string(), "drop_id": look })).await;
    assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);
    assert_eq!(pool_left(&app, &pool).await, 9_800);
});

db_test!(async fn a_store_code_hands_out_its_coupon_and_envelope_until_it_expires_and_cannot_be_forged(app) {
    let (admin, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let coupon = live_promotion(&app, &owner, &admin, "/api/v1/brands/lune/promotions", json!({
        "kind": "coupon", "name": "Pop-up 20", "currency": "CNY", "amount_off_minor": 2_000, "threshold_minor": 10_000,
        "coupon_stock": 50, "claim_limit": 1, "starts_at": WINDOW.0, "ends_at": WINDOW.1 })).await;
    let pool = envelope_pool(&app, &admin, json!({ "budget_minor": 10_000, "min_minor": 100, "max_minor": 100 })).await;
    let refused = app.post_json_with(&owner, "/api/v1/brands/lune/claim-links", json!({ "place": " ", "valid_hours": 0 })).await;
    let refused = json_of(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    for field in ["place", "valid_hours", "coupon_promotion_id"] {
        assert!(refused["error"]["fields"][field].is_array(), "{field}: {refused}");
    }
    let link = json_of(app.post_json_with(&owner, "/api/v1/brands/lune/claim-links", json!({
        "place": "Shanghai pop-up, front door", "coupon_promotion_id": coupon["promotion_id"], "envelope": true, "valid_hours": 2 })).await,
        StatusCode::CREATED).await;
    assert!(link["qr_svg"].as_str().unwrap().starts_with("<svg"), "{link}");
    let token = link["path"].as_str().unwrap().strip_prefix("/claim/").unwrap().to_owned();
    assert_eq!(token.len(), 43);
    let listed = json_of(get(&owner, app.url("/api/v1/brands/lune/claim-links")).await, StatusCode::OK).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // What a shopper's phone opens: the place and what the code hands out, no QR code.
    let opened = json_of(get(&client(), app.url(&format!("/api/v1/claim-links/{token}"))).await, StatusCode::OK).await;
    assert_eq!(opened["place"], "Shanghai pop-up, front door");
    assert_eq!(opened["coupon"]["name"], "Pop-up 20");
    assert_eq!(opened["qr_svg"], "");
    let page = support::page_text(get(&client(), app.url(&format!("/claim/{token}"))).await).await;
    assert!(page.contains("Shanghai pop-up, front door") && page.contains("Claim coupon"), "{page}");

    // A made-up or altered code claims nothing.
    let viewer = verified(&app, "Vera", "vera@example.com").await;
    let mut forged = token.clone();
    forged.replace_range(0..1, if token.starts_with('A') { "B" } else { "A" });
    for bad in [forged.as_str(), "not-a-code"] {
        assert_eq!(get(&client(), app.url(&format!("/api/v1/claim-links/{bad}"))).await.status(), StatusCode::NOT_FOUND);
        let claim = app.post_json_with(&viewer, "/api/v1/coupons/claim", json!({ "link": bad })).await;
        assert_eq!(claim.status(), StatusCode::NOT_FOUND);
        let play = app.post_json_with(&viewer, "/api/v1/envelopes/play", json!({ "link": bad })).await;
        assert_eq!(play.status(), StatusCode::NOT_FOUND);
    }

    // The code's coupon, through the one claim path (its per-buyer limit holds).
    json_of(app.post_json_with(&viewer, "/api/v1/coupons/claim", json!({ "link": token })).await, StatusCode::CREATED).await;
    let again = app.post_json_with(&viewer, "/api/v1/coupons/claim", json!({ "link": token })).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    // Its cat: one play per shopper per code, however many taps arrive at once.
    let taps: Vec<_> = (0..10)
        .map(|_| {
            let (viewer, url, origin, token) = (viewer.clone(), app.url("/api/v1/envelopes/play"), app.origin(), token.clone());
            tokio::spawn(async move {
                let response = viewer.post(url).header("Origin", origin).json(&json!({ "link": token })).send().await.unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                response.json::<Value>().await.unwrap()["won"]["id"].clone()
            })
        })
        .collect();
    let mut won = Vec::new();
    for tap in taps {
        won.push(tap.await.unwrap());
    }
    assert!(won[0].is_string() && won.iter().all(|w| *w == won[0]), "{won:?}");
    assert_eq!(pool_left(&app, &pool).await, 9_900);

    // Past its hours the code opens, says so, and hands out nothing.
    app.state.clock.advance(chrono::Duration::hours(3));
    let late = verified(&app, "Lou", "lou@example.com").await;
    let claim = json_of(app.post_json_with(&late, "/api/v1/coupons/claim", json!({ "link": token })).await, StatusCode::CONFLICT).await;
    assert_eq!(claim["error"]["code"], "offer_unavailable");
    let play = app.post_json_with(&late, "/api/v1/envelopes/play", json!({ "link": token })).await;
    assert_eq!(play.status(), StatusCode::CONFLICT);
    let opened = json_of(get(&client(), app.url(&format!("/api/v1/claim-links/{token}"))).await, StatusCode::OK).await;
    assert_eq!(opened["expired"], true);
    // Vera's envelope is the pool's only one. (Not read off the pool's balance: three hours on,
    // her envelope has expired too, and the expiry chore may already have put it back.)
    let envelopes = envelopes_of(&app, &pool).await;
    assert_eq!(envelopes.len(), 1, "{envelopes:?}");
    assert_eq!(envelopes[0].id.to_string(), won[0].as_str().unwrap());
});
