//! Checkout under a runway rush: many concurrent HTTP buyers on ONE hot SKU, measured on the
//! server rather than on the box. Each server under test runs as its own process, pinned with
//! the database to one core while this load client keeps to the other (`taskset`), and for
//! each run the bench reads how much CPU the server and the database spent.
//!
//! ```text
//! cargo bench -p server --bench checkout -- --database-url "sqlite:///tmp/gala-checkout-bench.db?mode=rwc"
//! cargo bench -p server --bench checkout -- --database-url "postgres://postgres@127.0.0.1:5432/gala_checkout_bench?sslmode=disable"
//! ```
//!
//! Options: `--servers serial,auto` (the `GALA_CHECKOUT_OVERLAP` of each Gala server to
//! measure, side by side: `serial` plans, pays and commits one batch at a time; `auto` is the
//! shipped setting — `pipelined` on SQLite, four batches at once on PostgreSQL),
//! `--baseline-bin PATH` (also measure another `gala` binary, e.g. a build of an earlier
//! commit, with its own defaults), `--buyers N` concurrent buyers (default 256),
//! `--orders N` requests per closed-loop run (default 20000), `--open-secs S` (default 10),
//! `--sellout N` (default 1000), `--no-naive`, `--no-pin`, `--promotions` (each server again
//! with a store threshold, a platform allowance, a coupon and a red envelope on every order of
//! the hot SKU, side by side; the buyers of every run are then signed-in members, so the two
//! differ only by the promotions). The database named in the URL is
//! created afresh for each server (SQLite: the file is deleted; PostgreSQL: dropped and
//! created); each server migrates and seeds it itself.
//!
//! Runs against each server, with the same load client:
//! 1. `bare`: `GET /healthz` — the HTTP ceiling;
//! 2. `floor`: the same `POST /api/v1/orders` as `gala`, with a quantity of 0, so it is parsed,
//!    checked and refused (`422`) before the checkout engine;
//! 3. `gala`: `POST /api/v1/orders` for one hot SKU through the engine (sandbox success card, a
//!    fresh buyer and `Idempotency-Key` per request, stock never runs out); then the bench waits
//!    for the server's background chores (captures, confirmation mail) to finish what the run
//!    left, and counts their CPU too;
//! 4. `open loop`: requests arriving at a fixed rate, 80% of what `gala` sustains with its
//!    chores keeping up (the closed-loop rate, or the server core's CPU divided by the CPU per
//!    order including chores, whichever is lower), for `--open-secs`: latency from when each
//!    was due (p50/p99/p99.9);
//! 5. `sell-out`: `--sellout` units, five times as many buyers: exactly that many orders.
//!
//! And `naive`: the same purchase the way row-locking shops do it — one transaction per order
//! that locks the stock row (`SELECT … FOR UPDATE`; SQLite: `BEGIN IMMEDIATE`), checks, takes
//! the unit through the stock ledger and inserts the order — served by this bench binary run
//! as its own pinned process (`--naive-server`). It lives here, in the benchmark, not in the
//! product.
//!
//! For each run: requests/s; the server's and the database's CPU per request (µs, from
//! `/proc`: the server process, and PostgreSQL's processes when the database is PostgreSQL —
//! SQLite runs inside the server); and how busy each core of the box was. After the runs the
//! database is checked — oversold, negative stock, a ledger that does not sum to the levels —
//! and the bench exits non-zero if any of them broke.

use std::{collections::HashMap, path::PathBuf, sync::Arc};

use anyhow::Context;
use app::{
    catalog::stock::{
        ledger::{self, Movement},
        MovementKind,
    },
    checkout::{
        payments::{Authorization, PaymentProvider, PaymentSource, SandboxProvider},
        pricing, DeliveryOption, OrderChannel, OrderStatus, PaymentStatus,
    },
    core::txn::begin_write,
};
use axum::{extract::State, http::StatusCode, routing::post, Json, Router};
use entity::{order_line, payment, shop_order, stock_level};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QuerySelect,
};
use server::config::DatabaseConfig;
use uuid::Uuid;

mod common;

use common::{
    database::{check, fresh_database, set_stock, sold},
    members::{self, Member},
    offers::{self, Spend},
    process::{
        free_port, gala_command, pin, postgres_pids, unpin, CpuSnapshot, CpuUse, ServerProcess,
    },
    Stats,
};

/// The core the servers and the database run on; the load client keeps to core 0.
const SERVER_CORE: usize = 1;

/// A server to measure: a label, its binary and its settings.
struct Subject {
    label: String,
    bin: PathBuf,
    env: HashMap<&'static str, String>,
    /// Live promotions on the hot SKU (`--promotions`): a store threshold and a platform
    /// allowance with a budget, so every order is priced with both and each batch takes both
    /// budgets in its commit; and each order spends one of its member's coupons and one of
    /// their red envelopes.
    promotions: bool,
}

/// Who buys: guests (each order a fresh email), or signed-in members (`--promotions`, so the
/// runs with and without promotions differ only by them), maybe spending a coupon and an
/// envelope from their wallets.
#[derive(Clone)]
enum Buyers {
    Guests,
    Members {
        members: Arc<Vec<Member>>,
        /// Each member's wallet: order `k` of member `m` spends `spends[m][k]` while it lasts.
        spends: Option<Arc<Vec<Vec<Spend>>>>,
    },
}

/// One closed-loop run: what the client saw and what the server spent.
struct Measured {
    stats: Stats,
    cpu: CpuUse,
}

/// Everything measured against one server.
struct Report {
    label: String,
    bare: Measured,
    floor: Measured,
    gala: Measured,
    /// The gala run plus the chores it left behind.
    gala_all: CpuUse,
    open: Stats,
    open_rate: f64,
}

struct Options {
    database_url: String,
    /// Buyers are signed-in members (`--promotions`).
    members: bool,
    buyers: usize,
    orders: usize,
    sellout: usize,
    open_secs: f64,
    pin: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--naive-server") {
        return naive_server().await;
    }
    let options = Options {
        database_url: common::arg("--database-url")
            .unwrap_or_else(|| "sqlite:///tmp/gala-checkout-bench.db?mode=rwc".into()),
        buyers: common::number("--buyers", 256)?,
        orders: common::number("--orders", 20_000)?,
        sellout: common::number("--sellout", 1000)?,
        open_secs: common::arg("--open-secs").map_or(Ok(10.0), |v| v.parse())?,
        pin: !std::env::args().any(|a| a == "--no-pin"),
        members: std::env::args().any(|a| a == "--promotions"),
    };
    let gala_bin = common::arg("--gala-bin")
        .map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_gala")), PathBuf::from);
    let mut subjects: Vec<Subject> = common::arg("--servers")
        .unwrap_or_else(|| "serial,auto".into())
        .split(',')
        .map(|overlap| Subject {
            label: format!("gala, overlap {overlap}"),
            bin: gala_bin.clone(),
            env: HashMap::from([("GALA_CHECKOUT_OVERLAP", overlap.to_owned())]),
            promotions: false,
        })
        .collect();
    if std::env::args().any(|a| a == "--promotions") {
        // Each setting again, with promotions live: the two side by side in one run.
        let with: Vec<Subject> = subjects
            .iter()
            .map(|s| Subject {
                label: format!("{}, with promotions", s.label),
                bin: s.bin.clone(),
                env: s.env.clone(),
                promotions: true,
            })
            .collect();
        subjects.extend(with);
    }
    if let Some(bin) = common::arg("--baseline-bin") {
        subjects.insert(
            0,
            Subject {
                label: "baseline binary".into(),
                bin: PathBuf::from(bin),
                env: HashMap::new(),
                promotions: false,
            },
        );
    }
    let postgres = options.database_url.starts_with("postgres");
    let database_pids = if postgres {
        postgres_pids()
    } else {
        Vec::new()
    };
    let pinned = options.pin && pin(std::process::id(), 0);
    if pinned {
        for pid in &database_pids {
            pin(*pid, SERVER_CORE);
        }
    }
    println!(
        "checkout bench: {}, {} concurrent buyers, {} requests per closed-loop run, durable commits; {}",
        if postgres { "PostgreSQL (synchronous_commit=on)" } else { "SQLite (WAL, synchronous=FULL)" },
        options.buyers,
        options.orders,
        if pinned {
            format!("client on core 0, server{} on core {SERVER_CORE}", if postgres { " and PostgreSQL" } else { "" })
        } else {
            "not pinned (one core, no taskset, or --no-pin)".into()
        }
    );

    let mut reports = Vec::new();
    let mut broken = Vec::new();
    for subject in &subjects {
        println!("\n== {} ({})", subject.label, subject.bin.display());
        let (report, problems) = measure(subject, &options, &database_pids, pinned).await?;
        broken.extend(problems);
        reports.push(report);
    }
    let naive = if std::env::args().any(|a| a == "--no-naive") {
        None
    } else {
        println!("\n== naive baseline (row lock per order)");
        let (measured, problems) =
            measure_naive(&gala_bin, &options, &database_pids, pinned).await?;
        broken.extend(problems);
        Some(measured)
    };
    if pinned {
        for pid in &database_pids {
            unpin(*pid);
        }
    }

    summary(&reports, naive.as_ref());
    if broken.is_empty() {
        println!("\ninvariants: nothing oversold, no negative stock, every ledger reconciles");
        Ok(())
    } else {
        for problem in &broken {
            eprintln!("INVARIANT BROKEN: {problem}");
        }
        std::process::exit(1);
    }
}

/// Prepares a fresh database with `bin` (migrate, seed one brand) and answers three SKUs with
/// their location: the hot one, the sell-out's, and a spare.
async fn prepare(
    bin: &std::path::Path,
    options: &Options,
) -> anyhow::Result<(DatabaseConnection, [(Uuid, Uuid); 3])> {
    fresh_database(&options.database_url).await?;
    for args in [
        vec!["migrate"],
        vec!["seed", "--brands", "1", "--listings", "20"],
    ] {
        let status = gala_command(bin, &options.database_url, 0, &HashMap::new())
            .args(&args)
            .stdout(std::process::Stdio::null())
            .status()
            .with_context(|| format!("running {} {args:?}", bin.display()))?;
        anyhow::ensure!(status.success(), "{} {args:?} failed", bin.display());
    }
    let db = server::db::connect(&DatabaseConfig {
        database_url: options.database_url.clone(),
        db_max_connections: 8,
    })
    .await?;
    let skus: Vec<(Uuid, Uuid)> = stock_level::Entity::find()
        .select_only()
        .column(stock_level::Column::SkuId)
        .column(stock_level::Column::LocationId)
        .into_tuple()
        .all(&db)
        .await?;
    anyhow::ensure!(skus.len() >= 3, "the seed made too few SKUs");
    // Never runs out: the closed loop, the warm-up and an open loop of any rate.
    let plenty = 100_000_000;
    set_stock(&db, skus[0], plenty).await?;
    set_stock(&db, skus[1], options.sellout as i64).await?;
    set_stock(&db, skus[2], plenty).await?;
    Ok((db, [skus[0], skus[1], skus[2]]))
}

/// An approved store threshold (1 off every 1.00, at most 1.00 an order) of the hot SKU's
/// brand, a platform allowance (1 off every 1.00, at most 0.50) with a budget it never spends
/// and a coupon of the brand (0.01 off from 1.00), all live and combinable; and `wallets`
/// coupons and envelopes (0.01 each) for each member: every order of the hot SKU is priced
/// with all four.
async fn live_promotions(
    db: &DatabaseConnection,
    hot_sku: Uuid,
    members: &[Member],
    wallets: usize,
) -> anyhow::Result<Vec<Vec<Spend>>> {
    use entity::values::PromotionKind;
    let brand = entity::sku::Entity::find_by_id(hot_sku)
        .one(db)
        .await?
        .context("the hot SKU")?
        .brand_id;
    let terms = |brand_id, kind, cap| offers::Terms {
        brand_id,
        kind,
        amount_off_minor: 1,
        threshold_minor: 100,
        cap_minor: Some(cap),
        budget_minor: Some(i64::MAX / 4),
        coupon_stock: None,
        claim_limit: None,
    };
    offers::approved(db, terms(Some(brand), PromotionKind::StoreThreshold, 100)).await?;
    offers::approved(db, terms(None, PromotionKind::PlatformAllowance, 50)).await?;
    let coupon = offers::approved(
        db,
        offers::Terms {
            cap_minor: None,
            budget_minor: None,
            coupon_stock: Some(i32::MAX),
            claim_limit: Some(i32::MAX),
            ..terms(Some(brand), PromotionKind::Coupon, 0)
        },
    )
    .await?;
    let pool = offers::pool(db, i64::MAX / 4, (1, 1), i32::MAX).await?;
    offers::wallets(db, members, (coupon, Some(brand)), pool, wallets).await
}

/// A closed-loop run of `request`, with the CPU the server and the database spent on it.
async fn closed<F, Fut>(
    options: &Options,
    server: u32,
    database: &[u32],
    total: usize,
    request: F,
) -> Measured
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = u16> + Send,
{
    let before = CpuSnapshot::take(server, database);
    let stats = common::run(options.buyers, total, request).await;
    let cpu = before.until(&CpuSnapshot::take(server, database));
    Measured { stats, cpu }
}

async fn measure(
    subject: &Subject,
    options: &Options,
    database_pids: &[u32],
    pinned: bool,
) -> anyhow::Result<(Report, Vec<String>)> {
    let (db, [hot, rush, _]) = prepare(&subject.bin, options).await?;
    offers::clear(&db).await?;
    let buyers = if options.members {
        let members = members::members(&db, "bench", options.buyers).await?;
        // Enough for the closed loop and an open loop of several times its length; past
        // that, orders simply spend nothing.
        let spends = if subject.promotions {
            let wallets = (options.orders * 4).div_ceil(options.buyers);
            Some(Arc::new(
                live_promotions(&db, hot.0, &members, wallets).await?,
            ))
        } else {
            None
        };
        Buyers::Members {
            members: Arc::new(members),
            spends,
        }
    } else {
        Buyers::Guests
    };
    let port = free_port()?;
    let server = ServerProcess::start(
        gala_command(&subject.bin, &options.database_url, port, &subject.env),
        port,
        pinned.then_some(SERVER_CORE),
    )
    .await?;
    let (base, pid) = (server.base.clone(), server.pid);
    let client = common::http_client(options.buyers)?;
    // Warm-up: connections opened, caches filled (not measured).
    let _ = common::run(
        options.buyers,
        options.buyers,
        get(&client, &base, "/healthz"),
    )
    .await;
    let _ = common::run(
        options.buyers.min(50),
        200,
        buy(&client, &base, hot.0, 1, "warm", &buyers.plain(), 0),
    )
    .await;

    common::print_header();
    let bare = closed(
        options,
        pid,
        database_pids,
        options.orders,
        get(&client, &base, "/healthz"),
    )
    .await;
    common::print_row("bare endpoint (GET /healthz): the ceiling", &bare.stats);
    let floor = closed(
        options,
        pid,
        database_pids,
        options.orders,
        buy(&client, &base, hot.0, 0, "floor", &buyers.plain(), 0),
    )
    .await;
    common::print_row("same POST refused before the engine (422)", &floor.stats);
    let gala = closed(
        options,
        pid,
        database_pids,
        options.orders,
        buy(&client, &base, hot.0, 1, "gala", &buyers, 0),
    )
    .await;
    common::print_row("gala checkout, one hot SKU", &gala.stats);
    // What the run left to the chores (captures, confirmation mail), and its CPU.
    let before = CpuSnapshot::take(pid, database_pids);
    drain_chores(&db).await?;
    let gala_all = gala
        .cpu
        .plus(&before.until(&CpuSnapshot::take(pid, database_pids)));
    // 80% of what the server sustains once its chores keep up: the closed loop left them a
    // backlog, but at a steady rate they share the server's core with checkout.
    let server_cores = if pinned {
        1.0
    } else {
        common::process::cores() as f64
    };
    let sustained = gala
        .stats
        .rate()
        .min(server_cores * 1e6 / gala_all.per_request_us(gala.stats.latencies.len()));
    let open_rate = 0.8 * sustained;
    let open_total = (open_rate * options.open_secs).max(1.0) as usize;
    let open = common::run_open(
        open_rate,
        open_total,
        buy(&client, &base, hot.0, 1, "open", &buyers, options.orders),
    )
    .await;
    common::print_row(
        &format!("open loop at {open_rate:.0}/s (80% sustained)"),
        &open,
    );
    let tries = options.sellout * 5;
    let sellout = common::run(
        options.buyers,
        tries,
        buy(&client, &base, rush.0, 1, "rush", &Buyers::Guests, 0),
    )
    .await;
    common::print_row(
        &format!("sell-out: {} units, {tries} tries", options.sellout),
        &sellout,
    );
    server.stop()?;

    let mut problems = Vec::new();
    let rush_sold = sold(&db, rush.0).await?;
    println!(
        "statuses: floor {:?}; gala {:?}; open {:?}; sell-out {:?}",
        floor.stats.statuses, gala.stats.statuses, open.statuses, sellout.statuses
    );
    println!(
        "sell-out: {rush_sold} sold of {} units ({} answered 201)",
        options.sellout,
        sellout.count(201)
    );
    if rush_sold > options.sellout as i64 {
        problems.push(format!(
            "{}: sold {rush_sold} of {} units",
            subject.label, options.sellout
        ));
    }
    if subject.promotions {
        problems.extend(spent_once(&db, &subject.label).await?);
    }
    for (name, sku) in [("hot SKU", hot.0), ("sell-out SKU", rush.0)] {
        problems.extend(check(&db, &format!("{} {name}", subject.label), sku).await?);
    }
    if gala.stats.count(201) == 0 {
        problems.push(format!("{}: no order succeeded", subject.label));
    }
    Ok((
        Report {
            label: subject.label.clone(),
            bare,
            floor,
            gala,
            gala_all,
            open,
            open_rate,
        },
        problems,
    ))
}

/// How many coupons and envelopes the orders spent, printed; a problem if none was, or if one
/// was spent by more than one order (each moves by a conditional update, so never).
async fn spent_once(db: &DatabaseConnection, label: &str) -> anyhow::Result<Vec<String>> {
    use entity::values::{CouponStatus, EnvelopeStatus};
    use entity::{coupon, red_envelope};
    let coupons: Vec<Option<Uuid>> = coupon::Entity::find()
        .select_only()
        .column(coupon::Column::OrderId)
        .filter(coupon::Column::Status.ne(CouponStatus::Claimed))
        .into_tuple()
        .all(db)
        .await?;
    let envelopes: Vec<Option<Uuid>> = red_envelope::Entity::find()
        .select_only()
        .column(red_envelope::Column::OrderId)
        .filter(red_envelope::Column::Status.ne(EnvelopeStatus::Won))
        .into_tuple()
        .all(db)
        .await?;
    println!(
        "spent: {} coupons and {} red envelopes",
        coupons.len(),
        envelopes.len()
    );
    let mut problems = Vec::new();
    for (what, orders) in [("coupon", coupons), ("envelope", envelopes)] {
        let mut distinct: Vec<Uuid> = orders.iter().flatten().copied().collect();
        distinct.sort_unstable();
        distinct.dedup();
        if orders.is_empty() {
            problems.push(format!("{label}: no order spent a {what}"));
        } else if distinct.len() != orders.len() {
            problems.push(format!(
                "{label}: an order spent two {what}s, or one without an order"
            ));
        }
    }
    Ok(problems)
}

/// Waits until the server's chores have captured every authorised payment and queued every
/// confirmation mail (at most two minutes).
async fn drain_chores(db: &DatabaseConnection) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        // Only the columns every schema version has: a baseline binary's database may be older.
        let uncaptured = payment::Entity::find()
            .select_only()
            .column(payment::Column::Id)
            .filter(payment::Column::Status.eq(PaymentStatus::Authorized))
            .count(db)
            .await?;
        let unmailed = shop_order::Entity::find()
            .select_only()
            .column(shop_order::Column::Id)
            .filter(shop_order::Column::Status.eq(OrderStatus::Paid))
            .filter(shop_order::Column::ConfirmationQueuedAt.is_null())
            .count(db)
            .await?;
        if uncaptured + unmailed == 0 || std::time::Instant::now() > deadline {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn measure_naive(
    gala_bin: &std::path::Path,
    options: &Options,
    database_pids: &[u32],
    pinned: bool,
) -> anyhow::Result<(Measured, Vec<String>)> {
    let (db, [_, _, sku]) = prepare(gala_bin, options).await?;
    let port = free_port()?;
    let mut command = std::process::Command::new(std::env::current_exe()?);
    command.args([
        "--naive-server",
        "--database-url",
        &options.database_url,
        "--port",
        &port.to_string(),
    ]);
    let server = ServerProcess::start(command, port, pinned.then_some(SERVER_CORE)).await?;
    let client = common::http_client(options.buyers)?;
    let _ = common::run(
        options.buyers.min(50),
        200,
        naive_buy(&client, &server.base, sku.0),
    )
    .await;
    common::print_header();
    let naive = closed(
        options,
        server.pid,
        database_pids,
        options.orders,
        naive_buy(&client, &server.base, sku.0),
    )
    .await;
    common::print_row("naive baseline (row lock per order)", &naive.stats);
    server.stop()?;
    println!("statuses: naive {:?}", naive.stats.statuses);
    let problems = check(&db, "naive", sku.0).await?;
    Ok((naive, problems))
}

/// The side-by-side table.
fn summary(reports: &[Report], naive: Option<&Measured>) {
    println!("\n== side by side (CPU: the server's and the database's, per request)");
    println!(
        "{:<28} {:>9} {:>12} {:>12} {:>12} {:>14} {:>10} {:>10}",
        "server",
        "orders/s",
        "CPU µs/order",
        "+chores µs",
        "floor µs/req",
        "ceiling µs/req",
        "floor/s",
        "ceiling/s"
    );
    for r in reports {
        let orders = r.gala.stats.latencies.len();
        println!(
            "{:<28} {:>9.0} {:>12.0} {:>12.0} {:>12.0} {:>14.0} {:>10.0} {:>10.0}",
            r.label,
            r.gala.stats.rate(),
            r.gala.cpu.per_request_us(orders),
            r.gala_all.per_request_us(orders),
            r.floor.cpu.per_request_us(r.floor.stats.latencies.len()),
            r.bare.cpu.per_request_us(r.bare.stats.latencies.len()),
            r.floor.stats.rate(),
            r.bare.stats.rate(),
        );
    }
    if let Some(naive) = naive {
        println!(
            "{:<28} {:>9.0} {:>12.0}",
            "naive baseline",
            naive.stats.rate(),
            naive.cpu.per_request_us(naive.stats.latencies.len())
        );
    }
    println!(
        "\n{:<28} {:>10} {:>9} {:>9} {:>9} {:>9}",
        "open loop (80% sustained)", "offered/s", "p50 ms", "p99 ms", "p99.9 ms", "non-2xx"
    );
    for r in reports {
        println!(
            "{:<28} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {:>9}",
            r.label,
            r.open_rate,
            r.open.ms(0.50),
            r.open.ms(0.99),
            r.open.ms(0.999),
            r.open.non_success()
        );
    }
    println!(
        "\n{:<28} {:>24} {:>24}",
        "how busy the box was", "during gala (core 0/1)", "during floor (core 0/1)"
    );
    let cores = |cpu: &CpuUse| {
        let per: Vec<String> = cpu
            .core_busy
            .iter()
            .map(|b| format!("{:.0}%", b * 100.0))
            .collect();
        format!("{:.0}% ({})", cpu.box_busy() * 100.0, per.join("/"))
    };
    for r in reports {
        println!(
            "{:<28} {:>24} {:>24}",
            r.label,
            cores(&r.gala.cpu),
            cores(&r.floor.cpu)
        );
    }
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

impl Buyers {
    /// The same buyers, spending nothing.
    fn plain(&self) -> Buyers {
        match self {
            Buyers::Guests => Buyers::Guests,
            Buyers::Members { members, .. } => Buyers::Members {
                members: members.clone(),
                spends: None,
            },
        }
    }
}

/// Buyer `i` buys `quantity` units of `sku` through `POST /api/v1/orders`: a guest, or member
/// `(offset + i)` mod the members, spending their wallet's order `(offset + i) / members`.
fn buy(
    client: &reqwest::Client,
    base: &str,
    sku: Uuid,
    quantity: u32,
    run: &'static str,
    buyers: &Buyers,
    offset: usize,
) -> impl Fn(usize) -> std::pin::Pin<Box<dyn std::future::Future<Output = u16> + Send>>
       + Send
       + Sync
       + 'static {
    let (client, url, buyers) = (
        client.clone(),
        format!("{base}/api/v1/orders"),
        buyers.clone(),
    );
    move |i| {
        let (client, url) = (client.clone(), url.clone());
        let mut body = serde_json::json!({
            "lines": [{ "sku": sku, "quantity": quantity }],
            "shipping_address": { "name": "Bench Buyer", "line1": "1 Runway Road", "city": "Shanghai", "postal_code": "200000", "country": "CN" },
            "payment": { "card": { "number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123" } },
        });
        let mut request = client
            .post(url)
            .header("Idempotency-Key", format!("{run}-{i}"));
        match &buyers {
            Buyers::Guests => body["email"] = format!("{run}-buyer-{i}@bench.test").into(),
            Buyers::Members { members, spends } => {
                // Numbered across runs, so no two requests of the closed and open loops share
                // a member's coupon.
                let n = offset + i;
                let member = n % members.len();
                request = request.header("Cookie", &members[member].cookie);
                let spend = spends
                    .as_ref()
                    .and_then(|s| s[member].get(n / members.len()));
                if let Some(spend) = spend {
                    body["coupon"] = spend.coupon.to_string().into();
                    body["envelope"] = spend.envelope.to_string().into();
                }
            }
        }
        Box::pin(async move {
            match request.json(&body).send().await {
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

/// This binary as the naive baseline's server (`--naive-server --database-url URL --port P`):
/// one route, one transaction per order, until it is stopped.
async fn naive_server() -> anyhow::Result<()> {
    let database_url = common::arg("--database-url").context("--database-url")?;
    let port: u16 = common::arg("--port").context("--port")?.parse()?;
    let db = server::db::connect(&DatabaseConfig {
        database_url,
        db_max_connections: 32,
    })
    .await?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let router = Router::new()
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .route("/naive/orders", post(naive_order))
        .with_state(Arc::new(db));
    axum::serve(listener, router).await?;
    Ok(())
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

/// Lock the stock row, check, authorise, take the unit, insert the order, commit — per order.
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
    let amount = pricing::subtotal(sku.price_minor, order.quantity);
    SandboxProvider::new(db.clone())
        .authorize(&Authorization {
            amount_minor: amount,
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
    let id = Uuid::now_v7();
    let taken = ledger::try_record(
        &txn,
        &[Movement {
            brand_id: sku.brand_id,
            sku_id: sku.id,
            location_id: level.location_id,
            kind: MovementKind::Sell,
            on_hand_delta: -order.quantity,
            reserved_delta: 0,
            reason: "naive order".into(),
            actor: None,
            reference: Some(id.to_string()),
        }],
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    if !taken {
        return Ok(false);
    }
    let now = app::core::time::now();
    shop_order::Model {
        id,
        number: app::checkout::orders::new_number(),
        account_id: None,
        email: order.email,
        channel: OrderChannel::Api,
        status: OrderStatus::Paid,
        currency: sku.currency.clone(),
        subtotal_minor: amount,
        adjustments_minor: 0,
        shipping_minor: 0,
        total_minor: amount,
        delivery: DeliveryOption::Standard,
        pool: "open".into(),
        shipping_address: None,
        created_at: now,
        expires_at: now,
        paid_at: Some(now),
        confirmation_queued_at: Some(now),
        updated_at: now,
        access_key: None,
        presale_campaign_id: None,
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
        adjustments: "[]".into(),
        total_minor: amount,
        refunded_quantity: 0,
        allocations: "[]".into(),
        presale_price_minor: None,
        presale_credit_minor: None,
    }
    .into_active_model()
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(true)
}
