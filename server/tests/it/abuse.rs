//! Attacks a hostile user with scripts, many email addresses, parallel requests and several
//! server nodes would try, each performed here and refused (issue "Abuse-proof buying and
//! signing in"; `docs/security.md` lists which test proves which rule).

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use app::checkout::payments::{capture_key, refund_key};
use entity::{
    brand, login_throttle, payment, refund, sandbox_operation, shop_order,
    values::{PaymentStatus, RefundStatus},
};
use reqwest::{header, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::support::{
    self, behind_a_proxy,
    brands::{live_brand, verified, PASSWORD},
    checkout::{order, sku_on_sale, PENDING, SLOW_AND_LOSES_ANSWERS, SUCCESS},
    client, node, token_in, Backend, TestApp,
};

async fn code(response: reqwest::Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn sign_in_from(app: &TestApp, addr: &str, email: &str, password: &str) -> reqwest::RequestBuilder {
    client()
        .post(app.url("/api/v1/auth/signin"))
        .header("x-forwarded-for", addr)
        .json(&json!({ "email": email, "password": password }))
}

db_test!(async fn signing_in_sends_people_only_to_paths_on_gala(app) {
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    let sign_in = |next: &'static str| {
        app.client
            .post(app.url("/api/fn/auth/sign-in"))
            .header(header::ORIGIN, app.origin())
            .header(header::ACCEPT, "text/html")
            .form(&[("email", "mia@gala.test"), ("password", PASSWORD), ("next", next)])
            .send()
    };
    for attack in ["/\\evil.example", "/\t/evil.example", "//evil.example", "https://evil.example/", "/.//evil.example", "javascript:alert(1)"] {
        let response = sign_in(attack).await.unwrap();
        let location = response.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(location.as_deref(), Some("/account"), "{attack:?}");
    }
    let response = sign_in("/brand/lune/listings?tab=all").await.unwrap();
    assert_eq!(response.headers()[header::LOCATION], "/brand/lune/listings?tab=all");
});

db_test!(async fn limited_items_need_a_verified_account_and_count_per_account(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "DROP-1", 50, Some(1)).await;
    // One guest, five email addresses: not one unit.
    for i in 0..5 {
        let refused = app.post_json("/api/v1/orders", order(&sku, 1, &format!("scalper{i}@example.com"), SUCCESS)).await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(code(refused).await, "sign_in_required");
    }
    // An account whose email is not verified is told to verify it.
    app.sign_up("Una", "una@example.com", PASSWORD).await;
    let unverified = client();
    app.sign_in_with(&unverified, "una@example.com", PASSWORD).await;
    let refused = app.post_json_with(&unverified, "/api/v1/orders", order(&sku, 1, "una@example.com", SUCCESS)).await;
    assert_eq!(code(refused).await, "email_not_verified");
    // A verified buyer gets one; another email typed into the order does not make a second.
    let buyer = verified(&app, "Ann", "ann@example.com").await;
    let first = app.post_json_with(&buyer, "/api/v1/orders", order(&sku, 1, "ann@example.com", SUCCESS)).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    for email in ["ann+2@example.com", "someone.else@example.com"] {
        let refused = app.post_json_with(&buyer, "/api/v1/orders", order(&sku, 1, email, SUCCESS)).await;
        assert_eq!(refused.status(), StatusCode::CONFLICT, "{email}");
        assert_eq!(code(refused).await, "limit_reached");
    }
    let sold = shop_order::Entity::find().filter(shop_order::Column::Status.eq("paid")).count(&app.db).await.unwrap();
    assert_eq!(sold, 1);
});

db_test!(async fn one_buyer_on_two_nodes_gets_one_unit_even_from_different_stock_rows(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    // One unit in each of several places: parallel orders take *different* stock rows.
    let sku = sku_on_sale(&app, &owner, "lune", "DROP-1", 1, Some(1)).await;
    for i in 0..5 {
        let location = app.post_json_with(&owner, "/api/v1/brands/lune/locations", json!({ "name": format!("Store {i}") })).await;
        assert!(location.status().is_success(), "{}", location.text().await.unwrap());
        let location: Value = location.json().await.unwrap();
        let received = app.post_json_with(&owner, "/api/v1/brands/lune/stock/changes", json!({ "kind": "receive", "sku_code": "DROP-1", "location_id": location["id"], "quantity": 1, "reason": "delivery" })).await;
        assert_eq!(received.status(), StatusCode::OK);
    }
    let buyer = verified(&app, "Ann", "ann@example.com").await;
    let second = node::SecondNode::start(&app.database_url).await;
    let nodes = [app.url("/api/v1/orders"), second.url("/api/v1/orders")];
    let tries: Vec<_> = (0..120)
        .map(|i| {
            let (buyer, url, body) = (buyer.clone(), nodes[i % 2].clone(), order(&sku, 1, "ann@example.com", SUCCESS));
            tokio::spawn(async move { buyer.post(url).json(&body).send().await.unwrap().status() })
        })
        .collect();
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    for t in tries {
        *statuses.entry(t.await.unwrap().as_u16()).or_default() += 1;
    }
    drop(second);
    assert_eq!(statuses.get(&201), Some(&1), "{statuses:?}");
    assert_eq!(statuses.values().sum::<usize>(), 120);
    assert!(!statuses.contains_key(&500), "{statuses:?}");
    let paid = shop_order::Entity::find().filter(shop_order::Column::Status.eq("paid")).count(&app.db).await.unwrap();
    assert_eq!(paid, 1);
});

db_test!(async fn fifty_parallel_wrong_guesses_count_as_fifty(app) {
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    let guesses: Vec<_> = (0..50)
        .map(|i| {
            let url = app.url("/api/v1/auth/signin");
            tokio::spawn(async move {
                client().post(url).json(&json!({ "email": "mia@gala.test", "password": format!("guess-{i}-xx") })).send().await.unwrap().status()
            })
        })
        .collect();
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    for g in guesses {
        *statuses.entry(g.await.unwrap().as_u16()).or_default() += 1;
    }
    // Five guesses are free for one account from one address; the rest wait, every one counted.
    assert_eq!(statuses.get(&401), Some(&5), "{statuses:?}");
    assert_eq!(statuses.get(&429), Some(&45), "{statuses:?}");
    let address = login_throttle::Entity::find_by_id("sign_in:acct:mia@gala.test".to_owned()).one(&app.db).await.unwrap().unwrap();
    assert_eq!(address.failures, 5, "only the guesses that were checked count on the account");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_sign_ins_never_runs_more_hashes_than_the_cap() {
    let app = behind_a_proxy(Backend::Sqlite).await.unwrap();
    // 300 clients at 300 addresses, so the per-address throttle lets every one through to
    // the password check: only the hashing gate stands between them and the CPU and memory.
    let tries: Vec<_> = (0..300)
        .map(|i| {
            let request = sign_in_from(
                &app,
                &format!("10.9.{}.{}", i / 200, i % 200 + 1),
                &format!("nobody{i}@gala.test"),
                "wrong-password-1",
            );
            tokio::spawn(async move {
                let response = request.send().await.unwrap();
                let retry_after = response.headers().get(header::RETRY_AFTER).is_some();
                (response.status().as_u16(), retry_after)
            })
        })
        .collect();
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    for t in tries {
        let (status, retry_after) = t.await.unwrap();
        if status == 429 {
            assert!(retry_after, "a refusal says when to retry");
        }
        *statuses.entry(status).or_default() += 1;
    }
    let gate = &app.state.passwords;
    assert!(
        gate.peak() <= gate.at_once(),
        "{} hashes at once, cap {}",
        gate.peak(),
        gate.at_once()
    );
    assert!(
        statuses.get(&429).copied().unwrap_or(0) > 0,
        "the overflow is refused: {statuses:?}"
    );
    assert_eq!(
        statuses.get(&401).copied().unwrap_or(0) + statuses.get(&429).copied().unwrap_or(0),
        300,
        "{statuses:?}"
    );
}

db_test!(async fn sign_ups_naming_one_address_mail_it_at_most_three_times(app) {
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    let mut refused = 0;
    for i in 0..15 {
        let response = app.post_json("/api/v1/auth/signup", json!({ "display_name": format!("Click http://evil.example/{i}"), "email": "mia@gala.test", "password": "another-pass-99" })).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    // The first sign-up mailed the link; two more sign-ups naming the address are mailed, then
    // every later one waits.
    assert_eq!(app.mails_to("mia@gala.test").await.len(), 3);
    assert_eq!(refused, 13);
    // A verification mail opens with Gala's words, not with the name someone typed.
    app.sign_up("Click here: http://evil.example", "lee@gala.test", PASSWORD).await;
    let mail = app.last_mail_to("lee@gala.test").await;
    assert!(mail.text_body.starts_with("Welcome to Gala."), "{}", mail.text_body);
});

/// A guest that keeps no cookies is known by its address and receipt email: another client
/// sending the same (predictable) key gets an order of its own, and the owner's retry its own.
async fn guests_cannot_pre_claim_each_others_idempotency_keys(backend: Backend) {
    let Some(app) = behind_a_proxy(backend).await else {
        return;
    };
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "COAT-1", 10, None).await;
    let keyed = |addr: &str| {
        client()
            .post(app.url("/api/v1/orders"))
            .header("x-forwarded-for", addr)
            .header("Idempotency-Key", "order-1")
            .json(&order(&sku, 1, "ann@example.com", SUCCESS))
            .send()
    };
    let attacker: Value = keyed("203.0.113.9").await.unwrap().json().await.unwrap();
    let first = keyed("198.51.100.4").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    assert_ne!(first["id"], attacker["id"]);
    let retry: Value = keyed("198.51.100.4").await.unwrap().json().await.unwrap();
    assert_eq!(retry["id"], first["id"]);
}

on_both_databases!(guests_cannot_pre_claim_each_others_idempotency_keys);

db_test!(async fn a_password_change_revokes_reset_links_mailed_before_it(app) {
    let mia = verified(&app, "Mia", "mia@gala.test").await;
    app.post_json("/api/v1/auth/password/forgot", json!({ "email": "mia@gala.test" })).await;
    let token = token_in(&app.last_mail_to("mia@gala.test").await.text_body, "/reset-password?token=");
    let changed = app.post_json_with(&mia, "/api/v1/auth/password/change", json!({ "current_password": PASSWORD, "new_password": "new-runway-pass-1" })).await;
    assert_eq!(changed.status(), StatusCode::OK);
    let stale = app.post_json("/api/v1/auth/password/reset", json!({ "token": token, "password": "attacker-pass-77" })).await;
    assert_eq!(code(stale).await, "invalid_token");
    app.sign_in_with(&client(), "mia@gala.test", "new-runway-pass-1").await;
});

db_test!(async fn api_tokens_stop_with_their_creator_and_while_the_brand_is_suspended(app) {
    let (admin, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let token_of = |client: reqwest::Client| {
        let url = app.url("/api/v1/brands/lune/api-tokens");
        async move {
            let created: Value = client.post(url).json(&json!({ "name": "ERP", "scope": "write" })).send().await.unwrap().json().await.unwrap();
            created["token"].as_str().unwrap().to_owned()
        }
    };
    let listings = |token: String| {
        let url = app.url("/api/v1/brands/lune/listings");
        async move { client().get(url).bearer_auth(token).send().await.unwrap().status() }
    };
    let olives = token_of(owner.clone()).await;
    assert_eq!(listings(olives.clone()).await, StatusCode::OK);
    // Suspended: the token does nothing; reinstated: it works again.
    let brand_id = brand::Entity::find().one(&app.db).await.unwrap().unwrap().id;
    let suspended = app.post_json_with(&admin, &format!("/api/v1/admin/brands/{brand_id}/suspend"), json!({ "reason": "Counterfeit goods reported." })).await;
    assert!(suspended.status().is_success(), "{}", suspended.text().await.unwrap());
    assert_eq!(listings(olives.clone()).await, StatusCode::FORBIDDEN);
    let reinstated = app.post_json_with(&admin, &format!("/api/v1/admin/brands/{brand_id}/reinstate"), json!({})).await;
    assert!(reinstated.status().is_success(), "{}", reinstated.text().await.unwrap());
    assert_eq!(listings(olives.clone()).await, StatusCode::OK);
    // A second owner makes a token, then leaves the team: the token dies with their authority.
    let second = support::brands::member(&app, &owner, "lune", "Sam", "sam@gala.test", "manager").await;
    let me: Value = second.get(app.url("/api/v1/auth/me")).send().await.unwrap().json().await.unwrap();
    let second_id = me["id"].as_str().unwrap().to_owned();
    let promoted = app.client_put_json(&owner, &format!("/api/v1/brands/lune/members/{second_id}"), json!({ "role": "owner" })).await;
    assert!(promoted.status().is_success(), "{}", promoted.text().await.unwrap());
    let sams = token_of(second).await;
    assert_eq!(listings(sams.clone()).await, StatusCode::OK);
    let removed = owner.delete(app.url(&format!("/api/v1/brands/lune/members/{second_id}"))).header(header::ORIGIN, app.origin()).send().await.unwrap();
    assert!(removed.status().is_success(), "{}", removed.text().await.unwrap());
    assert_eq!(listings(sams).await, StatusCode::UNAUTHORIZED);
    assert_eq!(listings(olives).await, StatusCode::OK, "other tokens are untouched");
});

db_test!(async fn catalog_exports_neutralise_spreadsheet_formulas(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let created = app.post_json_with(&owner, "/api/v1/brands/lune/listings", json!({
        "title": "=HYPERLINK(\"http://evil.example\",\"Click\")", "category": "fashion", "currency": "CNY",
        "variants": [{ "code": "SUM-1", "price_minor": 12_900 }],
    })).await;
    assert_eq!(created.status(), StatusCode::CREATED, "{}", created.text().await.unwrap());
    let csv = owner.get(app.url("/api/v1/brands/lune/listings/export.csv")).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\""), "{csv}");
    for line in csv.lines() {
        for attack in [",=", ",\"=", ",@", ",+", ",-"] {
            assert!(!line.contains(attack), "{attack} in {line}");
        }
    }
});

/// One address guessing is locked out after its free attempts, while the owner at another
/// address behind the same proxy signs in.
async fn throttles_see_each_client_behind_a_trusted_proxy(backend: Backend) {
    let Some(app) = behind_a_proxy(backend).await else {
        return;
    };
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    for i in 0..5 {
        let response = sign_in_from(
            &app,
            "203.0.113.7",
            "mia@gala.test",
            &format!("guess-{i}-xx"),
        )
        .send()
        .await
        .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let blocked = sign_in_from(&app, "203.0.113.7", "mia@gala.test", PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    let owner = sign_in_from(&app, "198.51.100.20", "mia@gala.test", PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(owner.status(), StatusCode::OK);
}

on_both_databases!(throttles_see_each_client_behind_a_trusted_proxy);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_trusted_proxies_a_forged_forwarded_for_changes_nothing() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.sign_up("Mia", "mia@gala.test", PASSWORD).await;
    for i in 0..5 {
        let response = sign_in_from(
            &app,
            &format!("192.0.2.{i}"),
            "mia@gala.test",
            &format!("guess-{i}-xx"),
        )
        .send()
        .await
        .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // Each guess claimed another address; all were counted against the real one.
    let blocked = sign_in_from(&app, "192.0.2.99", "mia@gala.test", PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
}

db_test!(async fn a_slow_provider_that_loses_answers_captures_and_refunds_once_across_two_nodes(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "COAT-1", 5, None).await;
    let second = node::SecondNode::start(&app.database_url).await;
    // Bought on the second node with the card whose captures and refunds take 1.5 s and whose
    // first answer is lost: both nodes' chores (every second) and the brand's cancel all try.
    let placed = client()
        .post(second.url("/api/v1/orders"))
        .json(&order(&sku, 1, "mei@example.com", SLOW_AND_LOSES_ANSWERS))
        .send()
        .await
        .unwrap();
    assert_eq!(placed.status(), StatusCode::CREATED);
    let placed: Value = placed.json().await.unwrap();
    let order_id: uuid::Uuid = placed["id"].as_str().unwrap().parse().unwrap();
    let part = placed["brands"][0]["id"].as_str().unwrap().to_owned();
    let cancelled = app.post_json_with(&owner, &format!("/api/v1/brands/lune/orders/{part}/cancel"), json!({})).await;
    assert_eq!(cancelled.status(), StatusCode::OK, "{}", cancelled.text().await.unwrap());
    let deadline = Instant::now() + Duration::from_secs(90);
    let settled = loop {
        let refunds = refund::Entity::find().filter(refund::Column::OrderId.eq(order_id)).all(&app.db).await.unwrap();
        if refunds.iter().all(|r| r.status == RefundStatus::Succeeded) && refunds.len() == 1 {
            break refunds.into_iter().next().unwrap();
        }
        assert!(Instant::now() < deadline, "the refund never settled: {refunds:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    drop(second);
    let charge = payment::Entity::find().filter(payment::Column::OrderId.eq(order_id)).one(&app.db).await.unwrap().unwrap();
    assert_eq!(charge.status, PaymentStatus::Captured);
    let book = sandbox_operation::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(book.len(), 2, "one capture and one refund at the provider: {book:?}");
    let capture = book.iter().find(|op| op.idempotency_key == capture_key(charge.id)).expect("the capture");
    let refunded = book.iter().find(|op| op.idempotency_key == refund_key(settled.id)).expect("the refund");
    assert_eq!((capture.kind.as_str(), refunded.kind.as_str()), ("capture", "refund"));
    assert_eq!(refunded.amount_minor, settled.amount_minor);
    assert_eq!(settled.reference.as_deref(), Some(refunded.result.as_str()), "the answer of the first call, given again");
    // The first answer of each was lost and the call repeated once, never while another node
    // held the row: the lease kept the other node and the other chores out.
    assert_eq!((capture.calls, refunded.calls), (2, 2));
});

db_test!(async fn of_300_parallel_takers_of_a_work_lease_exactly_one_wins(app) {
    use app::core::lease;
    let now = chrono::Utc::now();
    let hold = chrono::TimeDelta::seconds(30);
    let takers: Vec<_> = (0..300)
        .map(|_| {
            let db = app.db.clone();
            tokio::spawn(async move { lease::take(&db, "test_round", now, hold).await })
        })
        .collect();
    let mut won = Vec::new();
    for taker in futures_util::future::join_all(takers).await {
        if let Some(held) = taker.unwrap().unwrap() {
            won.push(held);
        }
    }
    assert_eq!(won.len(), 1, "one holder at a time");
    // Held: refused to everyone else until it is let go or lapses.
    assert!(lease::take(&app.db, "test_round", now + chrono::TimeDelta::seconds(29), hold).await.unwrap().is_none());
    // Other work has its own lease.
    let other = lease::take(&app.db, "other_round", now, hold).await.unwrap();
    assert!(other.is_some());
    // Lapsed: a node that died holding it loses it; its late release no longer lets go of the
    // new holder's.
    let dead = won.pop().unwrap();
    let next = lease::take(&app.db, "test_round", now + hold, hold).await.unwrap().expect("taken over");
    dead.release(&app.db, now + hold).await.unwrap();
    assert!(lease::take(&app.db, "test_round", now + hold, hold).await.unwrap().is_none());
    next.release(&app.db, now + hold).await.unwrap();
    assert!(lease::take(&app.db, "test_round", now + hold, hold).await.unwrap().is_some());
});

async fn scripts_holding_stock_unpaid_are_capped_and_the_drop_stays_buyable(backend: Backend) {
    let Some(app) = behind_a_proxy(backend).await else {
        return;
    };
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "DROP-1", 200, None).await;
    let place = |addr: &str, email: &str, card: &str| {
        client()
            .post(app.url("/api/v1/orders"))
            .header("x-forwarded-for", addr)
            .json(&order(&sku, 1, email, card))
            .send()
    };
    // A script on one address, a new email each time, 100 cards that stay pending at once.
    let tries: Vec<_> = (0..100)
        .map(|i| place("203.0.113.9", &format!("bot{i}@example.com"), PENDING))
        .collect();
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    let mut refusal = None;
    for answer in futures_util::future::join_all(tries).await {
        let answer = answer.unwrap();
        *statuses.entry(answer.status().as_u16()).or_default() += 1;
        if answer.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(answer.headers().contains_key(header::RETRY_AFTER));
            refusal = Some(code(answer).await);
        }
    }
    assert_eq!(
        statuses.get(&202),
        Some(&20),
        "20 unpaid holds per address: {statuses:?}"
    );
    assert_eq!(statuses.get(&429), Some(&80), "{statuses:?}");
    assert_eq!(refusal.as_deref(), Some("too_many_unpaid_orders"));
    // One buyer (email) from many addresses: three.
    let mut held = 0;
    for i in 0..6 {
        let answer = place(&format!("198.51.100.{i}"), "hoarder@example.com", PENDING)
            .await
            .unwrap();
        held += usize::from(answer.status() == StatusCode::ACCEPTED);
    }
    assert_eq!(held, 3);
    // The refused orders hold nothing: 23 units held, and a shopper still buys.
    let waiting = shop_order::Entity::find()
        .filter(shop_order::Column::Status.eq("pending_payment"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(waiting, 23);
    let bought = place("192.0.2.1", "fan@example.com", SUCCESS)
        .await
        .unwrap();
    assert_eq!(bought.status(), StatusCode::CREATED);
    // Paying customers are never capped: the script's address still buys with a card that pays.
    let paid = place("203.0.113.9", "bot-pays@example.com", SUCCESS)
        .await
        .unwrap();
    assert_eq!(paid.status(), StatusCode::CREATED);
}
on_both_databases!(scripts_holding_stock_unpaid_are_capped_and_the_drop_stays_buyable);

db_test!(async fn a_key_sent_again_during_a_500_buyer_burst_affects_only_its_buyer(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "TEE-1", 1_000, None).await;
    let second = node::SecondNode::start(&app.database_url).await;
    let nodes = [app.url("/api/v1/orders"), second.url("/api/v1/orders")];
    // 500 buyers, one key each; buyer 250's request is sent again after a dropped connection,
    // four copies over both nodes, landing in the same batches as everyone else's.
    let mut sends = Vec::new();
    for i in 0..500usize {
        let copies = if i == 250 { 4 } else { 1 };
        for copy in 0..copies {
            let (url, body) = (nodes[(i + copy) % 2].clone(), order(&sku, 1, &format!("buyer{i}@example.com"), SUCCESS));
            sends.push(tokio::spawn(async move {
                let answer = client().post(url).json(&body).header("Idempotency-Key", format!("burst-{i}")).send().await.unwrap();
                let status = answer.status();
                let body: Value = answer.json().await.unwrap();
                (i, status, body)
            }));
        }
    }
    let mut orders = std::collections::HashSet::new();
    let mut resent = Vec::new();
    for send in sends {
        let (i, status, body) = send.await.unwrap();
        if i == 250 {
            resent.push((status, body));
            continue;
        }
        assert_eq!(status, StatusCode::CREATED, "buyer {i}: {body}");
        assert!(orders.insert(body["id"].as_str().unwrap().to_owned()));
    }
    drop(second);
    assert_eq!(orders.len(), 499, "every other buyer got their own order");
    // The buyer who sent it again got one order: each copy answers it, or says the first
    // copy is still being processed.
    let answered: std::collections::HashSet<&str> = resent.iter().filter(|(s, _)| *s == StatusCode::CREATED).map(|(_, b)| b["id"].as_str().unwrap()).collect();
    assert_eq!(answered.len(), 1, "{resent:?}");
    for (status, body) in &resent {
        assert!(*status == StatusCode::CREATED || body["error"]["code"] == "idempotency_key_in_use", "{status}: {body}");
    }
    // 500 orders, each charged once, 500 units sold.
    assert_eq!(shop_order::Entity::find().count(&app.db).await.unwrap(), 500);
    assert_eq!(payment::Entity::find().count(&app.db).await.unwrap(), 500);
    assert_eq!(support::ledger::units_sold(&app.db, &sku).await, 500);
    support::ledger::assert_reconciles(&app.db, "the burst").await;
});
