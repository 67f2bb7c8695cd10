//! The database layer: migrations, the demo seed, SQLite's WAL mode and PostgreSQL's session settings.

use crate::support;

use migration::MigratorTrait;
use sea_orm::{ConnectionTrait, Statement};
use support::Backend;

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
