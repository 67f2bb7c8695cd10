//! The storefront cart through the pages' server functions: lines from several brands with
//! live prices, one checkout making one parent order with a child per brand, a guest cart
//! merged into the account's at sign-in, and bad input refused — on SQLite and PostgreSQL.

use crate::support;

use entity::{cart, cart_line, sku};
use reqwest::StatusCode;
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use support::{
    brands::{live_brand, verified, PASSWORD},
    checkout::{sku_on_sale, DECLINED, SUCCESS},
    client, TestApp,
};

async fn add(
    app: &TestApp,
    shopper: &reqwest::Client,
    sku: &str,
    quantity: i64,
) -> reqwest::Response {
    app.call_fn(
        shopper,
        "cart/add",
        json!({ "sku": sku, "quantity": quantity }),
    )
    .await
}

async fn cart_of(app: &TestApp, shopper: &reqwest::Client) -> Value {
    let response = app.call_fn(shopper, "cart", json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// `(sku, quantity)` of every line of a cart answer.
fn lines(cart: &Value) -> Vec<(String, i64)> {
    let mut lines: Vec<(String, i64)> = cart["brands"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["lines"].as_array().unwrap().clone())
        .map(|l| {
            (
                l["sku"].as_str().unwrap().to_owned(),
                l["quantity"].as_i64().unwrap(),
            )
        })
        .collect();
    lines.sort();
    lines
}

/// The checkout page's form buying the cart, as its fields post it.
fn checkout_args(email: &str, key: &str) -> Value {
    json!({
        "form": {
            "key": key,
            "email": email,
            "name": "Mei Lin", "line1": "88 Century Avenue", "city": "Shanghai",
            "postal_code": "200120", "country": "CN",
            "delivery": "express",
            "card_number": SUCCESS, "expiry": "12/31", "cvc": "123",
        }
    })
}

db_test!(async fn a_guest_cart_spans_brands_with_live_prices_and_checks_out_as_one_order(app) {
    let (_, lune) = live_brand(&app, "lune", "owner@lune.test").await;
    let (_, sol) = live_brand(&app, "sol", "owner@sol.test").await;
    let coat = sku_on_sale(&app, &lune, "lune", "COAT-1", 5, None).await;
    let scarf = sku_on_sale(&app, &sol, "sol", "SCARF-1", 5, None).await;
    let guest = client();

    let size: i64 = add(&app, &guest, &coat, 1).await.json().await.unwrap();
    assert_eq!(size, 1);
    let size: i64 = add(&app, &guest, &scarf, 2).await.json().await.unwrap();
    assert_eq!(size, 3);
    // The same SKU again adds units to its line.
    let size: i64 = add(&app, &guest, &coat, 1).await.json().await.unwrap();
    assert_eq!(size, 4);

    let cart = cart_of(&app, &guest).await;
    assert_eq!(cart["brands"].as_array().unwrap().len(), 2, "one group per brand: {cart}");
    assert_eq!(cart["subtotal_minor"], 4 * 12_900);
    assert_eq!(cart["blocker"], Value::Null);

    // The price changes in the catalog: the cart shows the new one, and checkout charges it.
    sku::Entity::update_many()
        .col_expr(sku::Column::PriceMinor, Expr::value(9_900i64))
        .filter(sku::Column::Id.eq(uuid::Uuid::parse_str(&coat).unwrap()))
        .exec(&app.db)
        .await
        .unwrap();
    let cart = cart_of(&app, &guest).await;
    assert_eq!(cart["subtotal_minor"], 2 * 9_900 + 2 * 12_900);

    // Someone else's session sees an empty cart.
    assert_eq!(lines(&cart_of(&app, &client()).await), vec![]);

    let placed = app
        .call_fn(&guest, "checkout/place", checkout_args("mei@example.com", "k1"))
        .await;
    assert_eq!(placed.status(), StatusCode::OK, "{}", placed.text().await.unwrap());
    let order: Value = placed.json().await.unwrap();
    assert_eq!(order["status"], "paid");
    assert_eq!(order["brands"].as_array().unwrap().len(), 2, "one child order per brand");
    // Express is per brand parcel: two parcels.
    assert_eq!(order["shipping_minor"], 2 * 1_500);
    assert_eq!(order["total_minor"], 2 * 9_900 + 2 * 12_900 + 2 * 1_500);
    // What was ordered left the cart.
    assert_eq!(lines(&cart_of(&app, &guest).await), vec![]);
    // The session that placed it sees the order by its id; another session needs the secret
    // of its confirmation link.
    let id = order["id"].as_str().unwrap();
    let read = app.call_fn(&guest, "checkout/order", json!({ "id": id })).await;
    assert_eq!(read.status(), StatusCode::OK, "{}", read.text().await.unwrap());
    let stranger = client();
    let refused = app.call_fn(&stranger, "checkout/order", json!({ "id": id })).await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let with_link = app.call_fn(&stranger, "checkout/order", json!({ "id": id, "key": order["access_key"] })).await;
    assert_eq!(with_link.status(), StatusCode::OK);
});

db_test!(async fn signing_in_merges_the_guest_cart_into_the_accounts(app) {
    let (_, lune) = live_brand(&app, "lune", "owner@lune.test").await;
    let coat = sku_on_sale(&app, &lune, "lune", "COAT-1", 50, None).await;
    let boots = sku_on_sale(&app, &lune, "lune", "BOOT-1", 50, None).await;
    let bag = sku_on_sale(&app, &lune, "lune", "BAG-1", 50, None).await;

    // Mia's account already has a cart (from her phone).
    let phone = verified(&app, "Mia", "mia@example.com").await;
    add(&app, &phone, &coat, 1).await;
    add(&app, &phone, &boots, 1).await;

    // On her laptop, as a guest, she adds more, then signs in.
    let laptop = client();
    add(&app, &laptop, &coat, 2).await;
    add(&app, &laptop, &bag, 1).await;
    app.sign_in_with(&laptop, "mia@example.com", PASSWORD).await;

    let mut expected = vec![(coat.clone(), 3), (boots.clone(), 1), (bag.clone(), 1)];
    expected.sort();
    assert_eq!(lines(&cart_of(&app, &laptop).await), expected);
    // One cart: the phone sees the same lines, and the guest cart is gone.
    assert_eq!(lines(&cart_of(&app, &phone).await), expected);
    assert_eq!(cart::Entity::find().count(&app.db).await.unwrap(), 1);
    assert_eq!(cart_line::Entity::find().count(&app.db).await.unwrap(), 3);

    // A guest cart of someone with no account cart yet simply becomes theirs.
    let guest = client();
    add(&app, &guest, &bag, 2).await;
    verified(&app, "Noor", "noor@example.com").await;
    app.sign_in_with(&guest, "noor@example.com", PASSWORD).await;
    assert_eq!(lines(&cart_of(&app, &guest).await), vec![(bag.clone(), 2)]);
    assert_eq!(cart::Entity::find().count(&app.db).await.unwrap(), 2);
});

db_test!(async fn the_cart_refuses_bad_input_and_says_what_cannot_be_bought(app) {
    let (_, lune) = live_brand(&app, "lune", "owner@lune.test").await;
    let coat = sku_on_sale(&app, &lune, "lune", "COAT-1", 2, Some(1)).await;
    let shopper = client();

    for (sku, quantity, field) in [
        (coat.as_str(), 0, "quantity"),
        (coat.as_str(), 101, "quantity"),
        (coat.as_str(), -3, "quantity"),
        ("not-a-sku", 1, "sku"),
        ("0190a3c4-0000-7000-8000-000000000000", 1, "sku"),
    ] {
        let response = add(&app, &shopper, sku, quantity).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{sku} × {quantity}");
        let body = response.text().await.unwrap();
        assert!(body.contains(field), "{body}");
    }
    assert_eq!(cart_line::Entity::find().count(&app.db).await.unwrap(), 0);

    // Three units of an item with two left and a limit of one: kept in the cart, but flagged,
    // and the cart says it cannot check out as it is.
    add(&app, &shopper, &coat, 3).await;
    let cart = cart_of(&app, &shopper).await;
    let line = &cart["brands"][0]["lines"][0];
    assert_eq!(line["problem"], "Only 2 left: lower the quantity.");
    assert!(cart["blocker"].is_string());
    let changed = app
        .call_fn(&shopper, "cart/line", json!({ "sku": coat, "quantity": 1 }))
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let cart: Value = changed.json().await.unwrap();
    assert_eq!(cart["brands"][0]["lines"][0]["problem"], Value::Null);
    assert_eq!(cart["blocker"], Value::Null);
    let refused = app
        .call_fn(&shopper, "cart/line", json!({ "sku": coat, "quantity": 500 }))
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Zero removes the line.
    let removed: Value = app
        .call_fn(&shopper, "cart/line", json!({ "sku": coat, "quantity": 0 }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(lines(&removed), vec![]);
});

db_test!(async fn abandoned_guest_carts_are_purged_and_accounts_carts_stay(app) {
    let (_, lune) = live_brand(&app, "lune", "owner@lune.test").await;
    let coat = sku_on_sale(&app, &lune, "lune", "COAT-1", 5, None).await;
    let (old_guest, fresh_guest) = (client(), client());
    add(&app, &old_guest, &coat, 1).await;
    add(&app, &fresh_guest, &coat, 1).await;
    let member = verified(&app, "Mia", "mia@example.com").await;
    add(&app, &member, &coat, 1).await;
    // Every cart is 31 days old; then the fresh guest adds again, which touches theirs.
    let month_ago = chrono::Utc::now() - chrono::Duration::days(31);
    cart::Entity::update_many()
        .col_expr(cart::Column::UpdatedAt, Expr::value(month_ago))
        .exec(&app.db)
        .await
        .unwrap();
    let fresh_cart = app.call_fn(&fresh_guest, "cart/add", json!({ "sku": coat, "quantity": 1 })).await;
    assert_eq!(fresh_cart.status(), StatusCode::OK, "adding touches the cart");

    let purged = app::checkout::cart::service::purge_abandoned(&app.db, 30).await.unwrap();
    assert_eq!(purged, 1, "only the old guest cart");
    assert_eq!(lines(&cart_of(&app, &old_guest).await), vec![]);
    assert_eq!(lines(&cart_of(&app, &fresh_guest).await), vec![(coat.clone(), 2)]);
    assert_eq!(lines(&cart_of(&app, &member).await), vec![(coat.clone(), 1)]);
    assert_eq!(cart_line::Entity::find().count(&app.db).await.unwrap(), 2);
});

db_test!(async fn without_the_wasm_the_cart_and_checkout_forms_post_themselves_and_redirect(app) {
    let (_, lune) = live_brand(&app, "lune", "owner@lune.test").await;
    let coat = sku_on_sale(&app, &lune, "lune", "COAT-1", 5, None).await;
    let guest = client();
    let location = |response: &reqwest::Response| {
        assert_eq!(response.status(), StatusCode::FOUND, "a plain form post is answered with a redirect");
        response.headers()[reqwest::header::LOCATION].to_str().unwrap().to_owned()
    };

    // "Add to cart" from a listing page: to the cart, which now holds the coat.
    let added = app
        .submit_form(&guest, "cart/add", json!({ "sku": coat, "quantity": "1" }), "/p/some-listing")
        .await;
    assert_eq!(location(&added), "/cart");
    assert_eq!(lines(&cart_of(&app, &guest).await), vec![(coat.clone(), 1)]);

    // A declined card: back to the checkout, with the error in the address for the page.
    let mut declined_form = checkout_args("mei@example.com", "nojs-1");
    declined_form["form"]["card_number"] = json!(DECLINED);
    let declined = app.submit_form(&guest, "checkout/place", declined_form, "/checkout").await;
    let back = location(&declined);
    assert!(back.contains("/checkout?") && back.contains("__err="), "{back}");
    // Followed from Gala's own page (as the browser does), the page shows the error...
    let shown = support::page_text(
        guest
            .get(&back)
            .header(reqwest::header::REFERER, app.url("/checkout"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(shown.contains("Your card was declined"), "the page shows the form's error");
    // ...but the same address opened from elsewhere does not: nobody can make Gala's page say
    // words of their choosing through a link.
    let forged = support::page_text(guest.get(&back).send().await.unwrap()).await;
    assert!(!forged.contains("Your card was declined"), "a linked error is dropped");
    let elsewhere = support::page_text(
        guest
            .get(&back)
            .header(reqwest::header::REFERER, "https://evil.example/page")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(!elsewhere.contains("Your card was declined"), "an error linked from another site is dropped");
    assert_eq!(lines(&cart_of(&app, &guest).await), vec![(coat.clone(), 1)], "nothing was bought");

    // A good card: to the order's confirmation (with the link's secret), and the cart is empty.
    let placed = app
        .submit_form(&guest, "checkout/place", checkout_args("mei@example.com", "nojs-2"), "/checkout")
        .await;
    let confirmation = location(&placed);
    assert!(confirmation.starts_with("/orders/") && confirmation.contains("key="), "{confirmation}");
    assert_eq!(lines(&cart_of(&app, &guest).await), vec![]);
    let page = support::page_text(app.client.get(app.url(&confirmation)).send().await.unwrap()).await;
    assert!(page.contains("Thank you — your order is confirmed"), "the link shows the order to anyone holding it");
});
