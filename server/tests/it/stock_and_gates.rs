//! The stock ledger and the sale gate across capabilities. After every kind of stock writer —
//! the demo seed, a brand's receipts, adjustments, transfers and counts, a catalog import,
//! paid, declined and unpaid orders, an expiry, a cancel, a refund that restocks, a show
//! setting drop stock aside, selling it, putting it back — the movements sum to the levels.
//! And a SKU a show borrowed (exclusive to its channel, with its own limit and drop stock) is
//! given back exactly as it was when its look is removed, the show ends, or it is deleted;
//! on SQLite and PostgreSQL.

use crate::support;

use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{json, Value};
use server::seed::catalog::{generate, CatalogSize};
use support::{
    brands::{get, live_brand},
    checkout::{order, sku_on_sale, DECLINED, PENDING, SUCCESS},
    client,
    imports::import,
    ledger::assert_reconciles,
    shows::{add_look, approved, new_show, on_air_with, one_tap_viewer, produce, tap},
    TestApp,
};

/// A storefront order as a guest: answers the status and the error code, if any.
async fn storefront(
    app: &TestApp,
    sku: &str,
    quantity: i64,
    email: &str,
    card: &str,
) -> (StatusCode, String) {
    let response = client()
        .post(app.url("/api/v1/orders"))
        .json(&order(sku, quantity, email, card))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (
        status,
        body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

db_test!(async fn every_writer_of_stock_keeps_the_ledger_equal_to_the_levels(app) {
    let db = app.db.clone();
    generate(&db, CatalogSize { brands: 2, listings: 12 }, |_, _| {}).await.unwrap();
    assert_reconciles(&db, "the demo seed").await;

    let (admin, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let coat = sku_on_sale(&app, &owner, "lune", "COAT-1", 30, None).await;
    assert_reconciles(&db, "a receipt").await;

    // A brand's own changes.
    let locations: Vec<Value> = get(&owner, app.url("/api/v1/brands/lune/locations")).await.json().await.unwrap();
    let main = locations[0]["id"].as_str().unwrap().to_owned();
    let pop_up: Value = app.post_json_with(&owner, "/api/v1/brands/lune/locations", json!({ "name": "Shanghai pop-up" })).await.json().await.unwrap();
    let pop_up = pop_up["id"].as_str().unwrap().to_owned();
    for (step, body) in [
        ("an adjustment", json!({ "kind": "adjust", "sku_code": "COAT-1", "location_id": main, "quantity": -1, "reason": "damaged" })),
        ("a transfer", json!({ "kind": "transfer", "sku_code": "COAT-1", "location_id": main, "to_location_id": pop_up, "quantity": 4, "reason": "pop-up" })),
    ] {
        let changed = app.post_json_with(&owner, "/api/v1/brands/lune/stock/changes", body).await;
        assert_eq!(changed.status(), StatusCode::OK, "{step}");
        assert_reconciles(&db, step).await;
    }
    let counted = app.client_put_json(&owner, "/api/v1/brands/lune/stock", json!({ "sku_code": "COAT-1", "location_id": pop_up, "on_hand": 3, "reason": "stock count" })).await;
    assert_eq!(counted.status(), StatusCode::OK);
    assert_reconciles(&db, "a stock count").await;

    let job = import(&app, &owner, "lune", "\
listing_ref,title,category,currency,status,sku,price,location,on_hand
scarf,Silk scarf,fashion,CNY,published,SCARF-1,199.00,Main warehouse,6
scarf,Silk scarf,fashion,CNY,published,SCARF-1,199.00,Beijing pop-up,2
").await;
    assert_eq!((job["status"].as_str(), job["refused_rows"].as_i64()), (Some("done"), Some(0)), "{job}");
    assert_reconciles(&db, "an import").await;

    // Checkout: paid, declined, unpaid and then expired.
    assert_eq!(storefront(&app, &coat, 2, "ann@example.com", SUCCESS).await.0, StatusCode::CREATED);
    assert_reconciles(&db, "a paid order").await;
    assert_eq!(storefront(&app, &coat, 1, "ben@example.com", DECLINED).await.0, StatusCode::PAYMENT_REQUIRED);
    assert_reconciles(&db, "a declined payment").await;
    assert_eq!(storefront(&app, &coat, 1, "cai@example.com", PENDING).await.0, StatusCode::ACCEPTED);
    assert_reconciles(&db, "an unpaid reservation").await;
    app.state.clock.advance(chrono::Duration::hours(1));
    app::checkout::chores::run_once(&app.state.checkout, &app.state.outbox, "http://gala.test").await.unwrap();
    assert_reconciles(&db, "an expiry").await;

    // Fulfilment: a cancel and a refund that puts the unit back on the shelf.
    for (step, email) in [("a cancel", "dee@example.com"), ("a refund that restocks", "eve@example.com")] {
        let placed = client().post(app.url("/api/v1/orders")).json(&order(&coat, 1, email, SUCCESS)).send().await.unwrap();
        assert_eq!(placed.status(), StatusCode::CREATED);
        let placed: Value = placed.json().await.unwrap();
        let part = placed["brands"][0]["id"].as_str().unwrap();
        let done = if step == "a cancel" {
            app.post_json_with(&owner, &format!("/api/v1/brands/lune/orders/{part}/cancel"), json!({})).await
        } else {
            let detail: Value = get(&owner, app.url(&format!("/api/v1/brands/lune/orders/{part}"))).await.json().await.unwrap();
            let line = detail["lines"][0]["id"].as_str().unwrap();
            app.post_json_with(&owner, &format!("/api/v1/brands/lune/orders/{part}/refunds"), json!({ "lines": [{ "line": line, "quantity": 1 }], "restock": true })).await
        };
        assert_eq!(done.status(), StatusCode::OK, "{step}");
        assert_reconciles(&db, step).await;
    }

    // A show: drop stock set aside, a look taken off (put back), a sale, the end (released).
    let show = new_show(&app, &owner, "Lune drop").await;
    let spare = add_look(&app, &owner, &show, json!([{ "sku_code": "COAT-1", "drop_stock": 2 }])).await;
    assert_reconciles(&db, "drop stock set aside").await;
    let removed = app.call_fn(&owner, "shows/remove-look", json!({ "slug": "lune", "id": show, "look_id": spare })).await;
    assert_eq!(removed.status(), StatusCode::OK);
    assert_reconciles(&db, "a look taken off").await;
    let look = add_look(&app, &owner, &show, json!([{ "sku_code": "COAT-1", "drop_stock": 3 }])).await;
    on_air_with(&app, &owner, &admin, &show, &look).await;
    let viewer = one_tap_viewer(&app, "Fay", "fay@example.com").await;
    assert_eq!(tap(&app, &viewer, &show, &coat, "tap-1").await.status(), StatusCode::CREATED);
    assert_reconciles(&db, "a show sale").await;
    produce(&app, &owner, &show, "end", json!({})).await;
    assert_reconciles(&db, "a show ending").await;
    let deleted_show = new_show(&app, &owner, "Cancelled drop").await;
    add_look(&app, &owner, &deleted_show, json!([{ "sku_code": "COAT-1", "drop_stock": 2 }])).await;
    let deleted = app.call_fn(&owner, "shows/delete", json!({ "slug": "lune", "id": deleted_show })).await;
    assert_eq!(deleted.status(), StatusCode::OK);
    assert_reconciles(&db, "a show deleted").await;

    // Every unit is accounted for: 30 received, 1 damaged, the count took the pop-up from 4
    // to 3, and 2 + 1 (refunded, restocked) + 1 (show) were sold; the cancel gave its unit back.
    let open = app::catalog::stock::available_by_sku(&db, vec![coat.parse().unwrap()]).await.unwrap();
    assert_eq!(open[&coat.parse().unwrap()], 30 - 1 - 1 - 2 - 1);
});

/// How a show lets go of a SKU it borrowed.
#[derive(Clone, Copy, Debug)]
enum LetGo {
    RemoveLook,
    EndShow,
    DeleteShow,
}

db_test!(async fn a_sku_a_show_borrowed_is_given_back_exactly_as_it_was(app) {
    let (admin, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    for (n, way) in [LetGo::RemoveLook, LetGo::EndShow, LetGo::DeleteShow].into_iter().enumerate() {
        let code = format!("BORROWED-{n}");
        // The brand's own rules: any channel, at most two per buyer.
        let sku = sku_on_sale(&app, &owner, "lune", &code, 20, Some(2)).await;
        let id: uuid::Uuid = sku.parse().unwrap();
        let before = entity::sku::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        let open_before = app::catalog::stock::available_by_sku(&app.db, vec![id]).await.unwrap()[&id];

        // The show makes it exclusive, one per viewer, with three units of drop stock.
        let show = new_show(&app, &owner, &format!("Show {n}")).await;
        let look = add_look(&app, &owner, &show, json!([{ "sku_code": code, "exclusive": true, "purchase_limit": 1, "drop_stock": 3 }])).await;
        let held = app::catalog::gates::gates_on(&app.db, &[id]).await.unwrap();
        assert_eq!(held[&id].len(), 1, "{way:?}: the show holds a gate");
        let (status, _) = storefront(&app, &sku, 1, &format!("early{n}@example.com"), SUCCESS).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{way:?}: exclusive to the show");

        match way {
            LetGo::RemoveLook => {
                let removed = app.call_fn(&owner, "shows/remove-look", json!({ "slug": "lune", "id": show, "look_id": look })).await;
                assert_eq!(removed.status(), StatusCode::OK);
            }
            LetGo::EndShow => {
                approved(&app, &owner, &admin, &show).await;
                produce(&app, &owner, &show, "go_live", json!({})).await;
                produce(&app, &owner, &show, "reveal", json!({ "look_id": look })).await;
                produce(&app, &owner, &show, "end", json!({})).await;
            }
            LetGo::DeleteShow => {
                approved(&app, &owner, &admin, &show).await;
                let deleted = app.call_fn(&owner, "shows/delete", json!({ "slug": "lune", "id": show })).await;
                assert_eq!(deleted.status(), StatusCode::OK);
            }
        }

        // Exactly as it was: the SKU's row untouched, no gate, all its stock open again...
        let after = entity::sku::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(after, before, "{way:?}: the SKU's own row is unchanged");
        assert!(app::catalog::gates::gates_on(&app.db, &[id]).await.unwrap().is_empty(), "{way:?}");
        let open_after = app::catalog::stock::available_by_sku(&app.db, vec![id]).await.unwrap()[&id];
        assert_eq!(open_after, open_before, "{way:?}: the drop stock is open stock again");
        // ...sold on the storefront under its own limit of two, not the show's one (to a
        // verified account: the SKU is limited).
        let email = format!("after{n}@example.com");
        let buyer = crate::support::brands::verified(&app, "After", &email).await;
        let buy = || async {
            let response = app.post_json_with(&buyer, "/api/v1/orders", order(&sku, 1, &email, SUCCESS)).await;
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            (status, body["error"]["code"].as_str().unwrap_or_default().to_owned())
        };
        assert_eq!(buy().await.0, StatusCode::CREATED, "{way:?}");
        assert_eq!(buy().await.0, StatusCode::CREATED, "{way:?}: the show's limit is gone");
        assert_eq!(buy().await, (StatusCode::CONFLICT, "limit_reached".into()), "{way:?}: its own limit holds");
    }
});
