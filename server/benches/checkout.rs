//! Checkout under a runway rush: many concurrent HTTP buyers on ONE hot SKU, next to the HTTP
//! ceiling of the same server and a naive baseline, on durable database settings.
//!
//! ```text
//! cargo bench -p server --bench checkout -- --database-url "sqlite:///tmp/gala-checkout-bench.db?mode=rwc"
//! cargo bench -p server --bench checkout -- --database-url "postgres://postgres@127.0.0.1:5432/gala_checkout_bench?sslmode=disable"
//! ```
//!
//! Options: `--buyers N` concurrent buyers (default 1000), `--orders N` requests per run
//! (default 20000), `--sellout N` units in the sell-out run (default 1000; five times as many
//! buyers try). The database named in the URL is created afresh (SQLite: the file is
//! deleted first; PostgreSQL: dropped and created).
//!
//! Runs, in this order, with the same load client:
//! 1. `bare`: `GET /healthz` of the Gala server — the HTTP ceiling;
//! 2. `floor`: the same `POST /api/v1/orders` as `gala`, but with a quantity of 0, so the
//!    request is parsed, checked and refused (`422`) before it reaches the checkout engine —
//!    what the endpoint costs without the engine and the database;
//! 3. `gala`: `POST /api/v1/orders` for one hot SKU through the checkout engine (sandbox
//!    success card, a fresh buyer and `Idempotency-Key` per request, stock never runs out);
//! 4. `naive`: the same purchase the way row-locking shops do it — one transaction per order
//!    that locks the stock row (`SELECT … FOR UPDATE`; SQLite: `BEGIN IMMEDIATE`), checks,
//!    decrements and inserts the order — served by a plain axum route in this process. It lives
//!    here, in the benchmark, not in the product;
//! 5. `sell-out`: `--sellout` units, five times as many buyers: exactly that many orders must
//!    succeed.
//!
//! After each checkout run the database is checked: units sold vs stock (oversold), negative
//! stock, and the ledger against the levels.

use std::sync::Arc;

use anyhow::Context;
use app::{
    checkout::payments::{Authorization, PaymentProvider, PaymentSource, SandboxProvider},
    core::txn::begin_write,
};
use axum::{extract::State, http::StatusCode, routing::post, Json, Router};
use entity::{order_line, shop_order, stock_level, stock_movement};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect,
};
use server::config::{CheckoutConfig, DatabaseConfig};
use uuid::Uuid;

mod common;

use common::database::{check, fresh_database, set_stock, sold};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Errors the server logs (a 500 in a run) are shown when `GALA_LOG` asks for them.
    if std::env::var_os("GALA_LOG").is_some() {
        server::telemetry::init();
    }
    let database_url = common::arg("--database-url")
        .unwrap_or_else(|| "sqlite:///tmp/gala-checkout-bench.db?mode=rwc".into());
    let buyers = common::number("--buyers", 1000)?;
    let orders = common::number("--orders", 20_000)?;
    let sellout = common::number("--sellout", 1000)?;
    let runs = common::arg("--runs").unwrap_or_else(|| "bare,floor,gala,naive,sellout".into());
    let runs: Vec<&str> = runs.split(',').collect();

    fresh_database(&database_url).await?;
    let db = server::db::connect(&DatabaseConfig {
        database_url: database_url.clone(),
        db_max_connections: 32,
    })
    .await?;
    server::db::migrate(&db).await?;
    server::seed::catalog::generate(
        &db,
        server::seed::catalog::CatalogSize {
            brands: 1,
            listings: 20,
        },
        |_, _| {},
    )
    .await?;
    let skus: Vec<(Uuid, Uuid)> = stock_level::Entity::find()
        .select_only()
        .column(stock_level::Column::SkuId)
        .column(stock_level::Column::LocationId)
        .into_tuple()
        .all(&db)
        .await?;
    anyhow::ensure!(skus.len() >= 3, "the seed made too few SKUs");
    let (gala_sku, naive_sku, sellout_sku) = (skus[0], skus[1], skus[2]);
    let plenty = (orders + 1000) as i64;
    set_stock(&db, gala_sku, plenty).await?;
    set_stock(&db, naive_sku, plenty).await?;
    set_stock(&db, sellout_sku, sellout as i64).await?;

    let base = common::start_server(db.clone(), CheckoutConfig::default()).await?;
    let naive_base = start_naive(db.clone()).await?;
    let client = common::http_client(buyers)?;
    let backend = db.get_database_backend();
    println!(
        "checkout bench: {backend:?}, {buyers} concurrent buyers, {orders} requests per run, \
         durable commits ({})",
        match backend {
            DbBackend::Sqlite => "WAL, synchronous=FULL",
            _ => "synchronous_commit=on",
        }
    );

    // Warm-up: connections opened, caches filled (not measured).
    let _ = common::run(buyers, buyers, get(&client, &base, "/healthz")).await;
    let _ = common::run(
        buyers.min(50),
        200,
        buy(&client, &base, sellout_sku.0, 1, "warm"),
    )
    .await;

    common::print_header();
    let wanted = |run: &str| runs.contains(&run);
    let bare = common::run(
        buyers,
        if wanted("bare") { orders } else { 0 },
        get(&client, &base, "/healthz"),
    )
    .await;
    common::print_row("bare endpoint (GET /healthz): the ceiling", &bare);
    let floor = common::run(
        buyers,
        if wanted("floor") { orders } else { 0 },
        buy(&client, &base, gala_sku.0, 0, "floor"),
    )
    .await;
    common::print_row("same POST refused before the engine (422)", &floor);
    let gala = common::run(
        buyers,
        if wanted("gala") { orders } else { 0 },
        buy(&client, &base, gala_sku.0, 1, "gala"),
    )
    .await;
    common::print_row("gala checkout, one hot SKU", &gala);
    let naive = common::run(
        buyers,
        if wanted("naive") { orders } else { 0 },
        naive_buy(&client, &naive_base, naive_sku.0),
    )
    .await;
    common::print_row("naive baseline (row lock per order)", &naive);
    // The sell-out: the warm-up bought from this SKU too; top it up to exactly `sellout`.
    set_stock(&db, sellout_sku, sellout as i64).await?;
    let before = sold(&db, sellout_sku.0).await?;
    let tries = if wanted("sellout") { sellout * 5 } else { 0 };
    let rush = common::run(buyers, tries, buy(&client, &base, sellout_sku.0, 1, "rush")).await;
    common::print_row(&format!("sell-out: {sellout} units, {tries} tries"), &rush);

    println!();
    println!(
        "statuses: floor {:?}; gala {:?}; naive {:?}; sell-out {:?}",
        floor.statuses, gala.statuses, naive.statuses, rush.statuses
    );
    println!(
        "gala vs ceiling: {:.0}%   gala vs floor: {:.0}%   gala vs naive: {:.1}×",
        100.0 * gala.rate() / bare.rate(),
        100.0 * gala.rate() / floor.rate(),
        gala.rate() / naive.rate()
    );
    println!(
        "orders/s: gala {:.0} (201s only: {:.0}/s), naive {:.0}",
        gala.rate(),
        gala.count(201) as f64 / gala.elapsed.as_secs_f64(),
        naive.count(201) as f64 / naive.elapsed.as_secs_f64()
    );
    let rush_sold = sold(&db, sellout_sku.0).await? - before;
    println!(
        "sell-out: {} orders for {sellout} units (201s: {}, sold_out: {}, other: {}); oversold: {}",
        rush_sold,
        rush.count(201),
        rush.count(409),
        rush.non_success() - rush.count(409),
        Ord::max(rush_sold - sellout as i64, 0)
    );
    for (name, (sku, _)) in [
        ("gala", gala_sku),
        ("naive", naive_sku),
        ("sell-out", sellout_sku),
    ] {
        check(&db, name, sku).await?;
    }
    Ok(())
}

/// `GET path`.
fn get(
    client: &reqwest::Client,
    base: &str,
    path: &str,
) -> impl Fn(usize) -> std::pin::Pin<Box<dyn std::future::Future<Output = u16> + Send>>
       + Send
       + Sync
       + 'static {
    let (client, url) = (client.clone(), format!("{base}{path}"));
    move |_| {
        let (client, url) = (client.clone(), url.clone());
        Box::pin(async move {
            match client.get(url).send().await {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let _ = r.bytes().await;
                    status
                }
                Err(_) => 0,
            }
        })
    }
}

/// Buyer `i` buys `quantity` units of `sku` through `POST /api/v1/orders`.
fn buy(
    client: &reqwest::Client,
    base: &str,
    sku: Uuid,
    quantity: u32,
    run: &'static str,
) -> impl Fn(usize) -> std::pin::Pin<Box<dyn std::future::Future<Output = u16> + Send>>
       + Send
       + Sync
       + 'static {
    let (client, url) = (client.clone(), format!("{base}/api/v1/orders"));
    move |i| {
        let (client, url) = (client.clone(), url.clone());
        let body = serde_json::json!({
            "lines": [{ "sku": sku, "quantity": quantity }],
            "email": format!("{run}-buyer-{i}@bench.test"),
            "shipping_address": { "name": "Bench Buyer", "line1": "1 Runway Road", "city": "Shanghai", "postal_code": "200000", "country": "CN" },
            "payment": { "card": { "number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123" } },
        });
        Box::pin(async move {
            match client
                .post(url)
                .header("Idempotency-Key", format!("{run}-{i}"))
                .json(&body)
                .send()
                .await
            {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let _ = r.bytes().await;
                    status
                }
                Err(_) => 0,
            }
        })
    }
}

/// Buyer `i` buys one unit of `sku` from the naive baseline.
fn naive_buy(
    client: &reqwest::Client,
    base: &str,
    sku: Uuid,
) -> impl Fn(usize) -> std::pin::Pin<Box<dyn std::future::Future<Output = u16> + Send>>
       + Send
       + Sync
       + 'static {
    let (client, url) = (client.clone(), format!("{base}/naive/orders"));
    move |i| {
        let (client, url) = (client.clone(), url.clone());
        let body = serde_json::json!({ "sku": sku, "quantity": 1, "email": format!("naive-buyer-{i}@bench.test") });
        Box::pin(async move {
            match client.post(url).json(&body).send().await {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let _ = r.bytes().await;
                    status
                }
                Err(_) => 0,
            }
        })
    }
}

#[derive(serde::Deserialize)]
struct NaiveOrder {
    sku: Uuid,
    quantity: i64,
    email: String,
}

/// The naive baseline's server: one route, one transaction per order.
async fn start_naive(db: DatabaseConnection) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let router = Router::new()
        .route("/naive/orders", post(naive_order))
        .with_state(Arc::new(db));
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(base)
}

async fn naive_order(
    State(db): State<Arc<DatabaseConnection>>,
    Json(order): Json<NaiveOrder>,
) -> StatusCode {
    match naive_place(&db, order).await {
        Ok(true) => StatusCode::CREATED,
        Ok(false) => StatusCode::CONFLICT,
        Err(err) => {
            eprintln!("naive order failed: {err}");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

/// Lock the stock row, check, decrement, authorise, insert the order, commit — per order.
async fn naive_place(db: &DatabaseConnection, order: NaiveOrder) -> anyhow::Result<bool> {
    let txn = begin_write(db).await?;
    let mut query = stock_level::Entity::find().filter(stock_level::Column::SkuId.eq(order.sku));
    if db.get_database_backend() == DbBackend::Postgres {
        query = query.lock_exclusive();
    }
    let Some(level) = query.one(&txn).await? else {
        return Ok(false);
    };
    if level.on_hand - level.reserved < order.quantity {
        return Ok(false);
    }
    let sku = entity::sku::Entity::find_by_id(order.sku)
        .one(&txn)
        .await?
        .context("sku")?;
    SandboxProvider
        .authorize(&Authorization {
            amount_minor: sku.price_minor * order.quantity,
            currency: sku.currency.clone(),
            source: PaymentSource::Card(app::checkout::CardInput {
                number: "4242424242424242".into(),
                exp_month: 12,
                exp_year: 2035,
                cvc: "123".into(),
            }),
            order_number: "naive".into(),
        })
        .await?;
    stock_level::Entity::update_many()
        .col_expr(
            stock_level::Column::OnHand,
            Expr::col(stock_level::Column::OnHand).sub(order.quantity),
        )
        .filter(stock_level::Column::SkuId.eq(order.sku))
        .filter(stock_level::Column::LocationId.eq(level.location_id))
        .exec(&txn)
        .await?;
    let now = app::core::time::now();
    let id = Uuid::now_v7();
    shop_order::Model {
        id,
        number: app::checkout::orders::new_number(),
        account_id: None,
        email: order.email,
        channel: "api".into(),
        status: "paid".into(),
        currency: sku.currency.clone(),
        subtotal_minor: sku.price_minor * order.quantity,
        shipping_minor: 0,
        total_minor: sku.price_minor * order.quantity,
        delivery: "standard".into(),
        shipping_address: None,
        created_at: now,
        expires_at: now,
        paid_at: Some(now),
        confirmation_queued_at: Some(now),
        updated_at: now,
    }
    .into_active_model()
    .insert(&txn)
    .await?;
    order_line::Model {
        id: Uuid::now_v7(),
        order_id: id,
        brand_order_id: Uuid::now_v7(),
        brand_id: sku.brand_id,
        listing_id: sku.listing_id,
        sku_id: sku.id,
        sku_code: sku.code.clone(),
        title: "naive".into(),
        option_values: sku.option_values.clone(),
        quantity: order.quantity,
        unit_price_minor: sku.price_minor,
        refunded_quantity: 0,
        allocations: "[]".into(),
    }
    .into_active_model()
    .insert(&txn)
    .await?;
    stock_movement::Model {
        id: Uuid::now_v7(),
        brand_id: sku.brand_id,
        sku_id: sku.id,
        location_id: level.location_id,
        kind: "sell".into(),
        on_hand_delta: -order.quantity,
        reserved_delta: 0,
        reason: "naive order".into(),
        actor_account_id: None,
        reference: Some(id.to_string()),
        created_at: now,
    }
    .into_active_model()
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(true)
}
