//! The shared checkout path over HTTP: orders paid with the sandbox's test cards, no oversell
//! under hundreds of simultaneous buyers, idempotency keys, purchase limits, reservations
//! that expire, private orders and clear errors — on SQLite and PostgreSQL.

use crate::support;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use entity::{shop_order, stock_level};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use support::{
    brands::{get, live_brand},
    checkout::{order, sku_on_sale, DECLINED, NO_FUNDS, PENDING, SUCCESS},
    client,
    shows::{add_look, new_show, on_air_with, one_tap_viewer, tap},
    TestApp,
};

async fn place(app: &TestApp, body: &Value, key: Option<&str>) -> reqwest::Response {
    let mut request = client().post(app.url("/api/v1/orders")).json(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    request.send().await.unwrap()
}

async fn error_code(response: reqwest::Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// (on hand, reserved) of a SKU over all locations.
async fn stock_of(app: &TestApp, sku: &str) -> (i64, i64) {
    let sku = uuid::Uuid::parse_str(sku).unwrap();
    stock_level::Entity::find()
        .filter(stock_level::Column::SkuId.eq(sku))
        .all(&app.db)
        .await
        .unwrap()
        .iter()
        .fold((0, 0), |(h, r), l| (h + l.on_hand, r + l.reserved))
}

/// Checks that the ledger sums to every level, and answers units sold of `sku` per the ledger.
async fn reconcile(app: &TestApp, sku: &str) -> i64 {
    support::ledger::assert_reconciles(&app.db, "the orders").await;
    support::ledger::units_sold(&app.db, sku).await
}

db_test!(async fn a_guest_pays_with_the_success_card_and_gets_a_confirmed_order(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "COAT-1", 10, None).await;
    // A price sent by the client is ignored: the catalog's price is charged.
    let mut body = order(&sku, 2, "Mei@Example.com", SUCCESS);
    body["lines"][0]["price_minor"] = json!(1);
    let placed = place(&app, &body, Some("first-try")).await;
    assert_eq!(placed.status(), StatusCode::CREATED);
    let location = placed.headers()["location"].to_str().unwrap().to_owned();
    let placed: Value = placed.json().await.unwrap();
    assert_eq!(placed["status"], "paid");
    assert_eq!(placed["email"], "mei@example.com");
    assert_eq!(placed["subtotal_minor"], 25_800);
    assert_eq!(placed["shipping_minor"], 1_500, "express, one brand parcel");
    assert_eq!(placed["total_minor"], 27_300);
    assert_eq!(placed["payment"]["provider"], "sandbox");
    assert_eq!(placed["payment"]["card_last4"], "4242");
    assert_eq!(placed["brands"][0]["brand_slug"], "lune");
    assert_eq!(placed["brands"][0]["lines"][0]["unit_price_minor"], 12_900);
    let key = placed["access_key"].as_str().expect("a guest order's secret");
    assert_eq!(location, format!("/api/v1/orders/{}?key={key}", placed["id"].as_str().unwrap()));

    let read: Value = client().get(app.url(&location)).send().await.unwrap().json().await.unwrap();
    assert_eq!(read["number"], placed["number"]);
    assert_eq!(read["status"], "paid");
    // The id alone, or a wrong secret, shows nothing (a guest order holds an address, an
    // email and a card's last four).
    let bare = format!("/api/v1/orders/{}", placed["id"].as_str().unwrap());
    let forged = format!("{bare}?key={}", "A".repeat(key.len()));
    for path in [bare, forged] {
        assert_eq!(client().get(app.url(&path)).send().await.unwrap().status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(stock_of(&app, &sku).await, (8, 0), "two sold, none left reserved");
    assert_eq!(reconcile(&app, &sku).await, 2);
    // The confirmation mail is written just after the checkout path, within a moment.
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.mails_to("mei@example.com").await.is_empty() {
        assert!(Instant::now() < deadline, "no confirmation mail");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mail = app.last_mail_to("mei@example.com").await;
    assert!(mail.subject.contains(placed["number"].as_str().unwrap()), "{}", mail.subject);
    assert!(mail.text_body.contains("¥273.00"), "{}", mail.text_body);
    // The listing's card follows: 8 left.
    let listing = read["brands"][0]["lines"][0]["listing_id"].as_str().unwrap();
    let card: Value = client().get(app.url(&format!("/api/v1/listings/{listing}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(card["variants"][0]["available"], 8);
});

db_test!(async fn declined_cards_return_the_stock_and_say_why(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "COAT-1", 3, Some(1)).await;
    // A limited SKU: bought by a verified account.
    let ann = support::brands::verified(&app, "Ann", "ann@example.com").await;
    let place = |_: &TestApp, body: &Value, _: Option<&str>| ann.post(app.url("/api/v1/orders")).json(body).send();
    for (card, words) in [(DECLINED, "declined"), (NO_FUNDS, "insufficient funds")] {
        let refused = place(&app, &order(&sku, 1, "ann@example.com", card), None).await.unwrap();
        assert_eq!(refused.status(), StatusCode::PAYMENT_REQUIRED);
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["error"]["code"], "payment_declined");
        assert!(body["error"]["message"].as_str().unwrap().contains(words), "{body}");
    }
    assert_eq!(stock_of(&app, &sku).await, (3, 0), "declined orders hold nothing");
    let failed = shop_order::Entity::find()
        .filter(shop_order::Column::Status.eq("payment_failed"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(failed, 2, "the attempts are on record");
    // A decline does not use up the buyer's limit of one.
    let bought = place(&app, &order(&sku, 1, "ann@example.com", SUCCESS), None).await.unwrap();
    assert_eq!(bought.status(), StatusCode::CREATED);
    assert_eq!(reconcile(&app, &sku).await, 1);
});

db_test!(async fn hundreds_of_simultaneous_buyers_of_the_last_units_make_exactly_that_many_orders(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "DROP-1", 7, None).await;
    let buyers: Vec<_> = (0..300)
        .map(|i| {
            let (url, body) = (app.url("/api/v1/orders"), order(&sku, 1, &format!("buyer{i}@example.com"), SUCCESS));
            tokio::spawn(async move {
                client().post(url).json(&body).header("Idempotency-Key", format!("k-{i}")).send().await.unwrap()
            })
        })
        .collect();
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    for buyer in buyers {
        let response = buyer.await.unwrap();
        let status = response.status().as_u16();
        if status == 409 {
            assert_eq!(error_code(response).await, "sold_out");
        }
        *statuses.entry(status).or_default() += 1;
    }
    assert_eq!(statuses.get(&201), Some(&7), "{statuses:?}");
    assert_eq!(statuses.get(&409), Some(&293), "{statuses:?}");
    assert_eq!(stock_of(&app, &sku).await, (0, 0));
    assert_eq!(reconcile(&app, &sku).await, 7, "initial 7 = 0 available + 0 reserved + 7 sold");
    let paid = shop_order::Entity::find().filter(shop_order::Column::Status.eq("paid")).count(&app.db).await.unwrap();
    assert_eq!(paid, 7);
    // Sold out is now known: a late buyer is refused at once.
    let late = place(&app, &order(&sku, 1, "late@example.com", SUCCESS), None).await;
    assert_eq!(late.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(late).await, "sold_out");
});

db_test!(async fn one_idempotency_key_makes_one_order_even_under_concurrency(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "COAT-1", 1, None).await;
    let body = order(&sku, 1, "kim@example.com", SUCCESS);
    let retries: Vec<_> = (0..25)
        .map(|_| {
            let (url, body) = (app.url("/api/v1/orders"), body.clone());
            tokio::spawn(async move {
                client().post(url).json(&body).header("Idempotency-Key", "tap-once").send().await.unwrap()
            })
        })
        .collect();
    let mut ids = HashSet::new();
    for retry in retries {
        let response = retry.await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        ids.insert(response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 1, "every retry got the same order");
    assert_eq!(shop_order::Entity::find().count(&app.db).await.unwrap(), 1);
    // Later — even with the SKU sold out — the same key and body get the first answer.
    let again = place(&app, &body, Some("tap-once")).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert!(ids.contains(again.json::<Value>().await.unwrap()["id"].as_str().unwrap()));
    // The same key with another body is refused; a new key is a new (here: sold out) order.
    let other = place(&app, &order(&sku, 1, "kim@example.com", "5555555555554444"), Some("tap-once")).await;
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(other).await, "idempotency_key_reused");
    let fresh = place(&app, &body, Some("tap-twice")).await;
    assert_eq!(error_code(fresh).await, "sold_out");
    let bad_key = place(&app, &body, Some("")).await;
    assert_eq!(bad_key.status(), StatusCode::BAD_REQUEST);
});

db_test!(async fn purchase_limits_hold_per_buyer(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "DROP-1", 10, Some(1)).await;
    let ann = support::brands::verified(&app, "Ann", "ann@example.com").await;
    let bob = support::brands::verified(&app, "Bob", "bob@example.com").await;
    let first = app.post_json_with(&ann, "/api/v1/orders", order(&sku, 1, "ann@example.com", SUCCESS)).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    for (buyer, quantity, email) in [(&ann, 1, "ann@example.com"), (&ann, 1, "ANN@example.com"), (&bob, 2, "bob@example.com")] {
        let refused = app.post_json_with(buyer, "/api/v1/orders", order(&sku, quantity, email, SUCCESS)).await;
        assert_eq!(refused.status(), StatusCode::CONFLICT, "{email} ×{quantity}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["error"]["code"], "limit_reached");
        assert!(body["error"]["message"].as_str().unwrap().contains("at most 1"));
    }
    // Two hundred tries at once by one buyer: one unit, and every other try is told why.
    let cy = support::brands::verified(&app, "Cy", "cy@example.com").await;
    let tries: Vec<_> = (0..200)
        .map(|_| {
            let (cy, url, body) = (cy.clone(), app.url("/api/v1/orders"), order(&sku, 1, "cy@example.com", SUCCESS));
            tokio::spawn(async move {
                let response = cy.post(url).json(&body).send().await.unwrap();
                let status = response.status();
                let body: Value = response.json().await.unwrap();
                (status, body["error"]["code"].as_str().unwrap_or_default().to_owned())
            })
        })
        .collect();
    let mut answers: HashMap<(StatusCode, String), usize> = HashMap::new();
    for t in tries {
        *answers.entry(t.await.unwrap()).or_default() += 1;
    }
    let expected = HashMap::from([
        ((StatusCode::CREATED, String::new()), 1),
        ((StatusCode::CONFLICT, "limit_reached".to_owned()), 199),
    ]);
    assert_eq!(answers, expected);
    assert_eq!(stock_of(&app, &sku).await, (8, 0));
});

db_test!(async fn one_idempotency_key_rule_holds_on_every_path_that_places_orders(app) {
    let (admin, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "COAT-1", 50, None).await;
    let show = new_show(&app, &owner, "Lune live").await;
    let look = add_look(&app, &owner, &show, json!([{ "sku_code": "COAT-1" }])).await;
    on_air_with(&app, &owner, &admin, &show, &look).await;
    let viewer = one_tap_viewer(&app, "Ann", "ann@example.com").await;
    let page = client();
    let (app, sku, show) = (&app, &sku, &show);

    // Each path, by the key it is given: the status and, when an order was made, its id.
    let api = |key: String| async move {
        let response = place(app, &order(sku, 1, "bo@example.com", SUCCESS), Some(&key)).await;
        (response.status(), response.json::<Value>().await.unwrap())
    };
    let checkout_page = |key: String| {
        let page = page.clone();
        async move {
            let args = json!({ "form": {
                "key": key, "sku": sku, "quantity": "1", "email": "cy@example.com",
                "name": "Mei Lin", "line1": "88 Century Avenue", "city": "Shanghai",
                "postal_code": "200120", "country": "CN", "card_number": SUCCESS, "expiry": "12/31", "cvc": "123",
            } });
            let response = app.call_fn(&page, "checkout/place", args).await;
            (response.status(), response.json::<Value>().await.unwrap())
        }
    };
    let one_tap = |key: String| {
        let viewer = viewer.clone();
        async move {
            let response = tap(app, &viewer, show, sku, &key).await;
            (response.status(), response.json::<Value>().await.unwrap())
        }
    };

    // A 200-character key protects a retry on every path (one used to ignore keys over 64)...
    let long = "k".repeat(200);
    let (made, first) = api(long.clone()).await;
    assert_eq!(made, StatusCode::CREATED, "{first}");
    assert_eq!(api(long.clone()).await.1["id"], first["id"], "the API's retry is the same order");
    let (made, first) = checkout_page(long.clone()).await;
    assert_eq!(made, StatusCode::OK, "{first}");
    assert_eq!(checkout_page(long.clone()).await.1["id"], first["id"], "the checkout page's retry is the same order");
    let (made, first) = one_tap(long.clone()).await;
    assert_eq!(made, StatusCode::CREATED, "{first}");
    assert_eq!(one_tap(long.clone()).await.1["id"], first["id"], "a retried tap is the same order");

    // ...and a key the rule refuses is a 400 everywhere, never silently ignored.
    for bad in ["k".repeat(256), "two words".to_owned(), " ".to_owned()] {
        let (api_status, _) = api(bad.clone()).await;
        let (page_status, _) = checkout_page(bad.clone()).await;
        let (tap_status, _) = one_tap(bad.clone()).await;
        assert_eq!([api_status, page_status, tap_status], [StatusCode::BAD_REQUEST; 3], "{bad:?}");
    }
    let orders = shop_order::Entity::find().count(&app.db).await.unwrap();
    assert_eq!(orders, 3, "one order per path");
});

db_test!(async fn an_order_is_quoted_before_it_is_placed_as_it_will_be_charged(app) {
    let (_, lune) = live_brand(&app, "lune", "olive@gala.test").await;
    let (_, sol) = live_brand(&app, "sol", "sam@gala.test").await;
    let coat = sku_on_sale(&app, &lune, "lune", "COAT-1", 5, None).await;
    let scarf = sku_on_sale(&app, &sol, "sol", "SCARF-1", 5, None).await;
    let lines = json!([{ "sku": coat, "quantity": 2 }, { "sku": scarf, "quantity": 1 }]);
    let quoted = client().post(app.url("/api/v1/orders/quote")).json(&json!({ "lines": lines, "delivery": "express" })).send().await.unwrap();
    assert_eq!(quoted.status(), StatusCode::OK);
    let quote: Value = quoted.json().await.unwrap();
    assert_eq!(quote["subtotal_minor"], 3 * 12_900);
    assert_eq!(quote["shipping_minor"], 2 * 1_500, "one express parcel per brand");
    assert_eq!(quote["total_minor"], 3 * 12_900 + 2 * 1_500);
    assert_eq!(quote["lines"][0]["total_minor"], 2 * 12_900);

    let mut body = order(&coat, 2, "ann@example.com", SUCCESS);
    body["lines"] = lines.clone();
    let placed: Value = place(&app, &body, None).await.json().await.unwrap();
    assert_eq!(placed["total_minor"], quote["total_minor"], "charged as quoted");

    let unknown = json!({ "lines": [{ "sku": uuid::Uuid::now_v7().to_string(), "quantity": 1 }] });
    let refused = client().post(app.url("/api/v1/orders/quote")).json(&unknown).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused: Value = refused.json().await.unwrap();
    assert!(refused["error"]["fields"]["lines.0.sku"].is_array(), "{refused}");
    let zero = json!({ "lines": [{ "sku": coat, "quantity": 0 }] });
    let refused: Value = client().post(app.url("/api/v1/orders/quote")).json(&zero).send().await.unwrap().json().await.unwrap();
    assert!(refused["error"]["fields"]["lines.0.quantity"].is_array(), "{refused}");
});

db_test!(async fn unpaid_reservations_expire_and_return_their_stock(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "COAT-1", 2, None).await;
    let waiting = place(&app, &order(&sku, 2, "pat@example.com", PENDING), None).await;
    assert_eq!(waiting.status(), StatusCode::ACCEPTED);
    let waiting: Value = waiting.json().await.unwrap();
    assert_eq!(waiting["status"], "pending_payment");
    assert_eq!(stock_of(&app, &sku).await, (2, 2), "both units held");
    let sold_out = place(&app, &order(&sku, 1, "quinn@example.com", SUCCESS), None).await;
    assert_eq!(error_code(sold_out).await, "sold_out");
    let url = app.url(&format!("/api/v1/orders/{}?key={}", waiting["id"].as_str().unwrap(), waiting["access_key"].as_str().unwrap()));
    let chores = || app::checkout::chores::run_once(&app.state.checkout, &app.state.outbox, "http://gala.test");

    // A minute before the reservation lapses, the chores leave it alone.
    let ttl = chrono::Duration::seconds(app.state.checkout.config().reservation_ttl.as_secs() as i64);
    app.state.clock.advance(ttl - chrono::Duration::minutes(1));
    assert_eq!(chores().await.unwrap(), 0);
    let read: Value = client().get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(read["status"], "pending_payment");
    assert_eq!(stock_of(&app, &sku).await, (2, 2), "still held");

    // Past it, the order expires (here or in the server's own round, whichever runs first).
    app.state.clock.advance(chrono::Duration::minutes(2));
    chores().await.unwrap();
    let read: Value = client().get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(read["status"], "expired");
    assert_eq!(read["payment"]["status"], "voided");
    assert_eq!(stock_of(&app, &sku).await, (2, 0), "the stock is back");
    assert_eq!(reconcile(&app, &sku).await, 0);
    // ...and can be bought again at once (the sold-out note was dropped).
    let bought = place(&app, &order(&sku, 1, "quinn@example.com", SUCCESS), None).await;
    assert_eq!(bought.status(), StatusCode::CREATED);
});

db_test!(async fn bad_orders_get_clear_errors_and_never_a_500(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "COAT-1", 5, None).await;
    let with = |change: &dyn Fn(&mut Value)| {
        let mut body = order(&sku, 1, "ann@example.com", SUCCESS);
        change(&mut body);
        body
    };
    let cases: Vec<(Value, &str)> = vec![
        (with(&|b| b["lines"][0]["quantity"] = json!(-1)), "lines.0.quantity"),
        (with(&|b| b["lines"][0]["quantity"] = json!(0)), "lines.0.quantity"),
        (with(&|b| b["lines"][0]["quantity"] = json!(1_000_000_000_000i64)), "lines.0.quantity"),
        (with(&|b| b["lines"][0]["sku"] = json!("not-a-sku")), "lines.0.sku"),
        (with(&|b| b["lines"][0]["sku"] = json!(uuid::Uuid::now_v7().to_string())), "lines.0.sku"),
        (with(&|b| b["lines"] = json!([])), "lines"),
        (with(&|b| b["email"] = json!("nope")), "email"),
        (with(&|b| b["email"] = Value::Null), "email"),
        (with(&|b| b["shipping_address"]["country"] = json!("China")), "shipping_address.country"),
        (with(&|b| b["shipping_address"]["line1"] = json!(" ")), "shipping_address.line1"),
        (with(&|b| b["shipping_address"] = Value::Null), "shipping_address"),
        (with(&|b| b["payment"]["card"]["number"] = json!("4242424242424241")), "payment.card.number"),
        (with(&|b| b["payment"]["card"]["exp_year"] = json!(2020)), "payment.card.exp_year"),
        (with(&|b| b["payment"] = json!({})), "payment"),
        (with(&|b| b["payment"] = json!({ "saved_method": uuid::Uuid::now_v7().to_string() })), "payment.saved_method"),
    ];
    for (body, field) in cases {
        let refused = place(&app, &body, None).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let body: Value = refused.json().await.unwrap();
        assert!(body["error"]["fields"][field].is_array(), "{field} missing in {body}");
    }
    let more_than_left = place(&app, &order(&sku, 6, "ann@example.com", SUCCESS), None).await;
    assert_eq!(more_than_left.status(), StatusCode::CONFLICT);
    assert!(more_than_left.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains("Only 5 left"));
    let malformed = client().post(app.url("/api/v1/orders")).header("content-type", "application/json").body("{\"lines\":").send().await.unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let mistyped = client().post(app.url("/api/v1/orders")).json(&json!({ "lines": "all of them" })).send().await.unwrap();
    assert_eq!(mistyped.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let huge = client().post(app.url("/api/v1/orders")).header("content-type", "application/json").body(vec![b' '; 128 * 1024]).send().await.unwrap();
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(stock_of(&app, &sku).await, (5, 0), "nothing was reserved by any of it");
    assert_eq!(shop_order::Entity::find().count(&app.db).await.unwrap(), 0);
});

db_test!(async fn orders_are_private_to_their_buyer_and_brands_see_only_their_part(app) {
    let (_, lune) = live_brand(&app, "lune", "olive@gala.test").await;
    let (_, mira) = live_brand(&app, "mira", "mira@gala.test").await;
    let coat = sku_on_sale(&app, &lune, "lune", "COAT-1", 5, None).await;
    let scarf = sku_on_sale(&app, &mira, "mira", "SCARF-1", 5, None).await;
    let buyer = support::brands::verified(&app, "Bea Buyer", "bea@example.com").await;
    let mut body = order(&coat, 1, "bea@example.com", SUCCESS);
    body["email"] = Value::Null;
    body["lines"] = json!([{ "sku": coat, "quantity": 1 }, { "sku": scarf, "quantity": 2 }]);
    let placed = app.post_json_with(&buyer, "/api/v1/orders", body).await;
    assert_eq!(placed.status(), StatusCode::CREATED, "{}", placed.text().await.unwrap());
    let placed: Value = placed.json().await.unwrap();
    assert_eq!(placed["email"], "bea@example.com", "the account's address");
    assert_eq!(placed["brands"].as_array().unwrap().len(), 2, "one child order per brand");
    assert_eq!(placed["shipping_minor"], 3_000, "express per brand parcel");
    let url = app.url(&format!("/api/v1/orders/{}", placed["id"].as_str().unwrap()));
    assert_eq!(get(&buyer, url.clone()).await.status(), StatusCode::OK);
    let mine: Vec<Value> = get(&buyer, app.url("/api/v1/orders")).await.json().await.unwrap();
    assert_eq!(mine.len(), 1);
    // Another shopper, a guest and another brand's team do not see it.
    let other = support::brands::verified(&app, "Otto Other", "otto@example.com").await;
    assert_eq!(get(&other, url.clone()).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(get(&client(), url.clone()).await.status(), StatusCode::NOT_FOUND);
    // A brand's token does not read a shopper's order either, even one with its part (the
    // brand's order list has that part, without the shopper's other brands).
    let token: Value = app
        .post_json_with(&lune, "/api/v1/brands/lune/api-tokens", json!({ "name": "till", "scope": "write" }))
        .await
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap();
    let seen = client().get(&url).bearer_auth(token).send().await.unwrap();
    assert_eq!(seen.status(), StatusCode::NOT_FOUND);
    // ...and may sell only its own SKUs.
    let till = client()
        .post(app.url("/api/v1/orders"))
        .bearer_auth(token)
        .json(&order(&scarf, 1, "walk-in@example.com", SUCCESS))
        .send()
        .await
        .unwrap();
    assert_eq!(till.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let own = client()
        .post(app.url("/api/v1/orders"))
        .bearer_auth(token)
        .json(&order(&coat, 1, "walk-in@example.com", SUCCESS))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::CREATED);
    // The orders it placed itself, wholly of its SKUs, it reads back.
    let own: Value = own.json().await.unwrap();
    let mine = client().get(app.url(&format!("/api/v1/orders/{}", own["id"].as_str().unwrap()))).bearer_auth(token).send().await.unwrap();
    assert_eq!(mine.status(), StatusCode::OK);
    assert_eq!(mine.json::<Value>().await.unwrap()["access_key"], Value::Null, "never shown to a brand");
});
