//! Catalog CSV import (a background job with progress and a report of refused rows) and
//! export — on SQLite and PostgreSQL.

use crate::support;

use std::collections::HashMap;

use reqwest::{header, multipart, StatusCode};
use sea_orm::EntityTrait;
use serde_json::Value;
use support::{
    brands::{get, live_brand, member},
    client,
    imports::{import, upload},
};

const GOOD_AND_BAD: &str = "\
listing_ref,title,description,category,currency,status,option1_name,option1_value,sku,price,compare_at_price,location,on_hand
dress,Moon silk dress,Bias-cut **silk**,fashion,CNY,published,Size,S,MOON-S,1299.00,1599.00,Main warehouse,5
dress,Moon silk dress,,fashion,CNY,published,Size,M,MOON-M,1399.00,,Main warehouse,3
dress,Moon silk dress,,fashion,CNY,published,Size,M,MOON-M,1399.00,,Shanghai pop-up,2
mask,Silk eye mask,,beauty,CNY,draft,,,MASK-1,cheap,,,
scarf,Silk scarf,,weapons,CNY,draft,,,SCARF-1,199,,,
";

db_test!(async fn good_rows_land_and_refused_rows_are_reported(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let job = import(&app, &owner, "lune", GOOD_AND_BAD).await;
    assert_eq!(job["status"], "done");
    assert_eq!((job["total_rows"].as_i64(), job["processed_rows"].as_i64()), (Some(5), Some(5)));
    assert_eq!((job["created_listings"].as_i64(), job["refused_rows"].as_i64()), (Some(1), Some(2)));

    let report = get(&owner, app.url(&format!("/api/v1/brands/lune/imports/{}/errors.csv", job["id"].as_str().unwrap()))).await;
    assert_eq!(report.headers()[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let report = report.text().await.unwrap();
    assert!(report.starts_with("line,sku,reason"), "{report}");
    assert!(report.contains("5,MASK-1,price"), "the bad price is reported on its line: {report}");
    assert!(report.contains("6,SCARF-1,category"), "{report}");

    // The dress landed whole: two variants, stock at two locations, published.
    let found: Value = client().get(app.url("/api/v1/listings?q=moon")).send().await.unwrap().json().await.unwrap();
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let id = found["items"][0]["id"].as_str().unwrap();
    let detail: Value = client().get(app.url(&format!("/api/v1/listings/{id}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(detail["variants"][0]["compare_at_minor"], 159_900);
    assert_eq!(detail["variants"][1]["available"], 5, "3 in the warehouse + 2 at the pop-up");
    assert!(detail["description_html"].as_str().unwrap().contains("<strong>silk</strong>"));
    let locations: Vec<Value> = get(&owner, app.url("/api/v1/brands/lune/locations")).await.json().await.unwrap();
    assert_eq!(locations.len(), 2, "the pop-up location was created");

    // Importing the same file again updates by SKU instead of duplicating.
    let again = import(&app, &owner, "lune", GOOD_AND_BAD).await;
    assert_eq!((again["created_listings"].as_i64(), again["updated_listings"].as_i64()), (Some(0), Some(1)));
    let mine: Value = get(&owner, app.url("/api/v1/brands/lune/listings")).await.json().await.unwrap();
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);

    // The export has the same format and round-trips.
    let export = get(&owner, app.url("/api/v1/brands/lune/listings/export.csv")).await.text().await.unwrap();
    assert!(export.starts_with("listing_ref,title,description,category,currency,status,"));
    assert_eq!(export.lines().count(), 4, "a header and one row per variant and location: {export}");
    assert!(export.contains("MOON-M,1399.00,,0,,,Shanghai pop-up,2"), "{export}");
    let reimported = import(&app, &owner, "lune", &export).await;
    assert_eq!((reimported["updated_listings"].as_i64(), reimported["refused_rows"].as_i64()), (Some(1), Some(0)));
});

db_test!(async fn bad_files_are_refused_before_a_job_starts(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    for (csv, expected) in [
        ("title,sku\nx,y\n", "listing_ref"),
        ("listing_ref,title,category,currency,sku,price\n", "no data rows"),
    ] {
        let refused = upload(&app, &owner, "lune", csv).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let message = refused.json::<Value>().await.unwrap()["error"]["fields"]["file"][0].as_str().unwrap().to_owned();
        assert!(message.contains(expected), "{message}");
    }
    let binary = multipart::Part::bytes(vec![0xff, 0xfe, 0x00]).file_name("x.csv");
    let refused = owner.post(app.url("/api/v1/brands/lune/imports")).header(header::ORIGIN, app.origin())
        .multipart(multipart::Form::new().part("file", binary)).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The page's form redirects back with the problem.
    let part = multipart::Part::text("nope\n").file_name("x.csv");
    let form = owner.post(app.url("/brand/lune/imports")).header(header::ORIGIN, app.origin())
        .multipart(multipart::Form::new().part("file", part)).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::SEE_OTHER);
    assert_eq!(form.headers()[header::LOCATION], "/brand/lune/imports?import_error=missing_columns");
});

db_test!(async fn imports_belong_to_their_brand(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let staff = member(&app, &owner, "lune", "Sid", "sid@gala.test", "staff").await;
    assert_eq!(upload(&app, &staff, "lune", GOOD_AND_BAD).await.status(), StatusCode::FORBIDDEN);
    let job = import(&app, &owner, "lune", GOOD_AND_BAD).await;
    let id = job["id"].as_str().unwrap();
    let outsider = support::brands::verified(&app, "Eve", "eve@gala.test").await;
    for path in [format!("/api/v1/brands/lune/imports/{id}"), format!("/api/v1/brands/lune/imports/{id}/errors.csv"), "/api/v1/brands/lune/listings/export.csv".into()] {
        assert_eq!(get(&outsider, app.url(&path)).await.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(get(&client(), app.url(&path)).await.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    assert_eq!(upload(&app, &outsider, "lune", GOOD_AND_BAD).await.status(), StatusCode::NOT_FOUND);
});

db_test!(async fn a_few_thousand_rows_import_with_progress(app) {
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let mut csv = String::from("listing_ref,title,category,currency,status,option1_name,option1_value,sku,price,location,on_hand\n");
    for i in 0..1_000 {
        for size in ["S", "M"] {
            csv.push_str(&format!("item-{i},Festival tee {i},fashion,CNY,published,Size,{size},TEE-{i}-{size},{},Main warehouse,{}\n", 99 + i % 50, i % 7));
        }
    }
    // The last listing repeats a SKU of the first: it updates that listing (as a re-import
    // would) rather than colliding with it.
    csv.push_str("again,Festival tee 0 (restock),fashion,CNY,published,Size,S,TEE-0-S,109,Main warehouse,9\n");
    let job = import(&app, &owner, "lune", &csv).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!((job["created_listings"].as_i64(), job["updated_listings"].as_i64(), job["refused_rows"].as_i64(), job["processed_rows"].as_i64()), (Some(1_000), Some(1), Some(0), Some(2_001)));

    // Every level is the sum of its ledger rows, and what was imported is what is stored.
    let levels = entity::stock_level::Entity::find().all(&app.db).await.unwrap();
    let movements = entity::stock_movement::Entity::find().all(&app.db).await.unwrap();
    let mut ledger: HashMap<(uuid::Uuid, uuid::Uuid), i64> = HashMap::new();
    for m in &movements {
        *ledger.entry((m.sku_id, m.location_id)).or_default() += m.on_hand_delta;
    }
    for level in &levels {
        assert_eq!(ledger.get(&(level.sku_id, level.location_id)).copied().unwrap_or(0), level.on_hand);
    }
    assert_eq!(levels.iter().map(|l| l.on_hand).sum::<i64>(), (0..1_000).map(|i| 2 * (i % 7)).sum::<i64>() + 9);
    let found: Value = client().get(app.url("/api/v1/listings?q=tee&category=fashion&limit=100")).send().await.unwrap().json().await.unwrap();
    assert_eq!(found["items"].as_array().unwrap().len(), 100, "imported listings are published and searchable");
    let restocked: Value = client().get(app.url("/api/v1/listings?q=restock")).send().await.unwrap().json().await.unwrap();
    assert_eq!(restocked["items"][0]["price_min_minor"], 10_900);
});

db_test!(async fn files_far_over_the_general_body_limit_are_accepted(app) {
    // 40,000 rows, about 3 MB: over axum's 2 MB default and the general request limit; the
    // import paths have their own 32 MB limit (and nothing else may cap them lower).
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let mut csv = String::from("listing_ref,title,description,category,currency,sku,price\n");
    for i in 0..40_000 {
        csv.push_str(&format!("item-{i},Festival tee {i},Soft cotton tee for the runway after-party,fashion,CNY,TEE-{i},99\n"));
    }
    assert!(csv.len() > 2 * 1024 * 1024, "{} bytes", csv.len());
    let accepted = upload(&app, &owner, "lune", &csv).await;
    assert_eq!(accepted.status(), StatusCode::ACCEPTED, "{}", accepted.text().await.unwrap());
    assert_eq!(accepted.json::<Value>().await.unwrap()["total_rows"], 40_000);
    let part = multipart::Part::text(csv).file_name("big.csv");
    let form = owner.post(app.url("/brand/lune/imports")).header(header::ORIGIN, app.origin())
        .multipart(multipart::Form::new().part("file", part)).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::SEE_OTHER);
    let location = form.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(location.starts_with("/brand/lune/imports/"), "{location}");
});

db_test!(async fn a_job_taken_over_from_a_silent_worker_is_finished_once(app) {
    use entity::{audit_event, catalog_import};
    use sea_orm::{sea_query::Expr, ColumnTrait, PaginatorTrait, QueryFilter};
    let (_, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let mut csv = String::from("listing_ref,title,category,currency,status,option1_name,option1_value,sku,price,location,on_hand\n");
    for i in 0..4_000 {
        for size in ["S", "M"] {
            csv.push_str(&format!("item-{i},Festival tee {i},fashion,CNY,published,Size,{size},TEE-{i}-{size},99,Main warehouse,1\n"));
        }
    }
    let started = upload(&app, &owner, "lune", &csv).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let id: uuid::Uuid = started.json::<Value>().await.unwrap()["id"].as_str().unwrap().parse().unwrap();
    let job = || async { catalog_import::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap() };
    // The server's worker (A) runs it...
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while job().await.status.as_str() != "running" {
        assert!(std::time::Instant::now() < deadline, "the job never started");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let first_owner = job().await.worker;
    // ...then, as far as other workers can tell, goes silent (its heartbeat is two minutes
    // old), and worker B takes the job over. (A beat between the two makes B find nothing
    // to take: A is alive after all; the silence is simulated again.)
    let (_stop, stop) = tokio::sync::watch::channel(false);
    let mut taken_over = false;
    for _ in 0..10 {
        catalog_import::Entity::update_many()
            .col_expr(catalog_import::Column::HeartbeatAt, Expr::value(app::core::time::now() - chrono::Duration::minutes(2)))
            .filter(catalog_import::Column::Id.eq(id))
            .filter(catalog_import::Column::Status.eq("running"))
            .exec(&app.db)
            .await
            .unwrap();
        if app::catalog::import::run_next(&app.state, &stop).await.unwrap() && job().await.worker != first_owner {
            taken_over = true;
            break;
        }
    }
    assert!(taken_over, "worker B never took the job over: {:?}", job().await.status);
    // B ran it to the end. The server's worker takes jobs one at a time, so once a second,
    // tiny job is done there, A has given up the first: finding the job no longer its own at
    // its next write, it wrote nothing more — one outcome, one audit entry, B's counts.
    let tiny = import(&app, &owner, "lune", "listing_ref,title,category,currency,status,sku,price\nsock,Sock,fashion,CNY,draft,SOCK-1,9\n").await;
    assert_eq!(tiny["status"], "done", "{tiny}");
    let done = job().await;
    assert_eq!(done.status.as_str(), "done");
    assert_eq!((done.processed_rows, done.created_listings + done.updated_listings, done.refused_rows), (8_000, 4_000, 0));
    let audits = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("catalog.import_done"))
        .filter(audit_event::Column::Subject.eq(id.to_string()))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(audits, 1);
});
