//! The database layer: migrations, the demo seed, SQLite's WAL mode and PostgreSQL's session settings.

use crate::support;

use migration::MigratorTrait;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, EntityTrait, Statement};
use serde_json::{json, Value};
use support::{
    brands::live_brand,
    checkout::{order, sku_on_sale, SUCCESS},
    client,
    shows::{add_look, new_show, on_air_with, one_tap_viewer, tap},
    Backend,
};

db_test!(async fn all_migrations_are_applied_at_start_up(app) {
    let pending = migration::Migrator::get_pending_migrations(&app.db).await.unwrap();
    assert!(pending.is_empty(), "pending: {}", pending.len());
    let applied = migration::Migrator::get_applied_migrations(&app.db).await.unwrap();
    assert_eq!(applied.len(), migration::Migrator::migrations().len());
});

db_test!(async fn every_migration_rolls_back_and_reapplies(app) {
    let count = migration::Migrator::migrations().len() as u32;
    migration::Migrator::down(&app.db, Some(count)).await.unwrap();
    assert_eq!(migration::Migrator::get_applied_migrations(&app.db).await.unwrap().len(), 0);
    migration::Migrator::up(&app.db, None).await.unwrap();
    assert!(migration::Migrator::get_pending_migrations(&app.db).await.unwrap().is_empty());
});

db_test!(async fn show_orders_placed_before_orders_kept_their_pool_still_count_for_their_show(app) {
    let (admin, owner) = live_brand(&app, "lune", "olive@gala.test").await;
    let sku = sku_on_sale(&app, &owner, "lune", "COAT-1", 10, None).await;
    let show = new_show(&app, &owner, "Lune live").await;
    let look = add_look(&app, &owner, &show, json!([{ "sku_code": "COAT-1" }])).await;
    on_air_with(&app, &owner, &admin, &show, &look).await;
    let viewer = one_tap_viewer(&app, "Ann", "ann@example.com").await;
    let tapped: Value = tap(&app, &viewer, &show, &sku, "tap").await.json().await.unwrap();
    let bought = client().post(app.url("/api/v1/orders")).json(&order(&sku, 1, "bo@example.com", SUCCESS)).send().await.unwrap();
    assert_eq!(bought.status(), StatusCode::CREATED);
    let bought: Value = bought.json().await.unwrap();

    // Back to before orders kept their pool, and forward again.
    migration::Migrator::down(&app.db, Some(1)).await.unwrap();
    migration::Migrator::up(&app.db, None).await.unwrap();
    let pool = |id: &Value| {
        let id = uuid::Uuid::parse_str(id.as_str().unwrap()).unwrap();
        let db = app.db.clone();
        async move { entity::shop_order::Entity::find_by_id(id).one(&db).await.unwrap().unwrap().pool }
    };
    assert_eq!(pool(&tapped["id"]).await, format!("show:{show}"), "bought through the show");
    assert_eq!(pool(&bought["id"]).await, "open", "bought on the storefront");
    let figures: Value = app.call_fn(&owner, "shows/figures", json!({ "slug": "lune", "id": show })).await.json().await.unwrap();
    assert_eq!(figures["stats"]["orders"], 1, "{figures}");
    assert_eq!(figures["gmv_minor"], 12_900);
});

db_test!(async fn the_demo_sign_ins_open_every_part_of_gala_and_survive_a_second_seed(app) {
    use std::os::unix::fs::PermissionsExt;
    app.seed_demo().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data/demo-sign-ins.txt");
    let first = server::seed::people::demo_sign_ins(&app.db, &file).await.unwrap();
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600, "only its owner reads it");
    let text = std::fs::read_to_string(&file).unwrap();
    for person in &first {
        assert!(text.contains(&person.password), "{} is in the file", person.role);
    }
    let roles: Vec<&str> = first.iter().map(|p| p.role).collect();
    assert_eq!(roles, ["shopper", "brand owner", "platform admin"]);
    let passwords: std::collections::HashSet<&str> = first.iter().map(|p| p.password.as_str()).collect();
    assert_eq!(passwords.len(), 3, "no fixed or shared password");

    // Each opens its part of Gala.
    let open = |person: &server::seed::people::DemoSignIn| {
        let person = person.clone();
        let app = &app;
        async move {
            let session = client();
            app.sign_in_with(&session, person.email, &person.password).await;
            let page = session.get(app.url(&person.start_at)).send().await.unwrap();
            assert_eq!(page.status(), StatusCode::OK, "{} at {}", person.role, person.start_at);
            session
        }
    };
    let shopper = open(&first[0]).await;
    let me: Value = shopper.get(app.url("/api/v1/auth/me")).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["email_verified"], true, "a shopper who can buy: {me}");
    let owner = open(&first[1]).await;
    let slug = first[1].start_at.trim_start_matches("/brand/");
    let team = owner.get(app.url(&format!("/api/v1/brands/{slug}/team"))).send().await.unwrap();
    assert_eq!(team.status(), StatusCode::OK, "the owner manages the demo brand's team");
    let admin = open(&first[2]).await;
    let queue = admin.get(app.url("/api/v1/admin/brand-applications")).send().await.unwrap();
    assert_eq!(queue.status(), StatusCode::OK, "the admin reviews brands");

    // Seeding again keeps them; a lost file gets new ones, and the old ones stop working.
    let again = server::seed::people::demo_sign_ins(&app.db, &file).await.unwrap();
    assert_eq!(again, first);
    std::fs::remove_file(&file).unwrap();
    let renewed = server::seed::people::demo_sign_ins(&app.db, &file).await.unwrap();
    assert_ne!(renewed[0].password, first[0].password);
    open(&renewed[0]).await;
    let old = app.post_json("/api/v1/auth/signin", json!({ "email": first[0].email, "password": first[0].password })).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
});

db_test!(async fn the_demo_seed_is_idempotent(app) {
    app.seed_demo().await;
    let first = app::festival::current_festival(&app.db).await.unwrap().expect("seeded festival");
    app.seed_demo().await;
    let second = app::festival::current_festival(&app.db).await.unwrap().expect("seeded festival");
    assert_eq!(first, second);
    let rows = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM platform_setting",
        ))
        .await
        .unwrap()
        .unwrap();
    let n: i64 = rows.try_get("", "n").unwrap();
    assert_eq!(n, 3);
    // The demo catalog is there once, published, and its ledger reconciles.
    let count = |sql: &'static str| {
        let db = app.db.clone();
        async move {
            let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
            row.try_get::<i64>("", "n").unwrap()
        }
    };
    assert_eq!(count("SELECT COUNT(*) AS n FROM listing WHERE visible").await, 480);
    assert_eq!(count("SELECT COUNT(*) AS n FROM brand WHERE status = 'approved'").await, 24);
    let unreconciled = count(
        "SELECT COUNT(*) AS n FROM stock_level l WHERE l.on_hand <> \
         (SELECT COALESCE(SUM(m.on_hand_delta), 0) FROM stock_movement m \
          WHERE m.sku_id = l.sku_id AND m.location_id = l.location_id)",
    )
    .await;
    assert_eq!(unreconciled, 0);
    let found: serde_json::Value = app::catalog::search::search(&app.db, &app::catalog::SearchQuery {
        q: Some("silk".into()),
        ..Default::default()
    })
    .await
    .map(|page| serde_json::to_value(page).unwrap())
    .unwrap();
    assert!(!found["items"].as_array().unwrap().is_empty(), "seeded listings are searchable");
});

db_test!(async fn listings_saved_before_category_words_are_found_in_their_category(app) {
    app.seed_demo().await;
    let search = |category: Option<String>| {
        let db = app.db.clone();
        async move {
            let query = app::catalog::SearchQuery {
                q: Some("silk".into()),
                category,
                limit: Some(100),
                ..Default::default()
            };
            app::catalog::search::search(&db, &query).await.unwrap().items
        }
    };
    let category = search(None).await.first().expect("seeded silk listings").category.clone();
    let found = search(Some(category.clone())).await.len();
    assert!(found > 0);
    // Migration 000015 adds category words to the index rows of listings saved before it:
    // undo it and the migrations after it, then redo them.
    let undone = migration::Migrator::migrations()
        .iter()
        .rev()
        .position(|m| m.name() == "m20261123_000015_category_words_in_search")
        .expect("migration 000015")
        + 1;
    migration::Migrator::down(&app.db, Some(undone as u32)).await.unwrap();
    assert!(search(Some(category.clone())).await.is_empty(), "rows without category words");
    migration::Migrator::up(&app.db, None).await.unwrap();
    assert_eq!(search(Some(category)).await.len(), found);
});

db_test!(async fn invalid_festival_settings_are_refused_with_field_errors(app) {
    let now = chrono::Utc::now();
    let festival = app::festival::Festival { name: "Gala".into(), starts_at: now, ends_at: now };
    let err = app::festival::save_festival(&app.db, &festival).await.unwrap_err();
    assert_eq!(err.code(), "validation");
    assert_eq!(err.field_messages("ends_at"), ["The festival must end after it starts."]);
    assert!(app::festival::current_festival(&app.db).await.unwrap().is_none(), "nothing written");
});

db_test!(async fn sqlite_runs_in_wal_mode(app) {
    if app.backend != Backend::Sqlite {
        return;
    }
    let row = app
        .db
        .query_one_raw(Statement::from_string(app.db.get_database_backend(), "PRAGMA journal_mode"))
        .await
        .unwrap()
        .unwrap();
    let mode: String = row.try_get("", "journal_mode").unwrap();
    assert_eq!(mode, "wal");
});

db_test!(async fn postgres_sessions_run_without_jit(app) {
    if app.backend != Backend::Postgres {
        return;
    }
    let row = app
        .db
        .query_one_raw(Statement::from_string(app.db.get_database_backend(), "SHOW jit"))
        .await
        .unwrap()
        .unwrap();
    let jit: String = row.try_get("", "jit").unwrap();
    assert_eq!(jit, "off", "server::db::connect turns JIT off for short storefront queries");
});
