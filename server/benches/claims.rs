//! Claims under a festival rush: thousands of signed-in members at once claim one coupon batch
//! and play one red-envelope pool, spread over several server processes that share one
//! database (the nodes of a deployment), and after each run the database is checked.
//!
//! ```text
//! cargo bench -p server --bench claims -- --database-url "sqlite:///tmp/gala-claims-bench.db?mode=rwc"
//! cargo bench -p server --bench claims -- --database-url "postgres://postgres@127.0.0.1:5432/gala_claims_bench?sslmode=disable"
//! ```
//!
//! Options: `--members N` (default 5000: one claim and one play each), `--stock N` coupons in
//! the batch (default 1000), `--concurrency N` requests in flight (default 256), `--nodes N`
//! server processes (default 2), `--no-pin`. The database named in the URL is created afresh.
//!
//! Side by side, with the same load client: `GET /healthz` (the HTTP ceiling), a coupon claim
//! per member (`POST /api/v1/coupons/claim`: the batch's stock and the member's claim limit,
//! each one conditional update), and a play per member of the festival moment
//! (`POST /api/v1/envelopes/play`: every play wins while money lasts, amounts drawn between
//! 1.00 and 9.00 from a pool worth about `--stock` envelopes, so the pool runs dry mid-run and
//! the rest of the plays race for what is left). Then: exactly `min(stock, members)` coupons
//! claimed and counted; the pool's envelopes plus what is left equal its budget, never below
//! zero; one play per member. The bench exits non-zero if any of them broke.

use std::{collections::HashMap, path::PathBuf, sync::Arc};

use anyhow::Context;
use entity::values::PromotionKind;
use entity::{coupon, envelope_play, envelope_pool, promotion_budget, red_envelope};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use server::config::DatabaseConfig;
use uuid::Uuid;

mod common;

use common::{
    database::fresh_database,
    members::{members, Member},
    offers,
    process::{free_port, gala_command, pin, postgres_pids, unpin, ServerProcess},
    Stats,
};

/// The core the servers and the database run on; the load client keeps to core 0.
const SERVER_CORE: usize = 1;
/// A win's range, in fen: 1.00 to 9.00, 5.00 on average.
const ENVELOPE: (i64, i64) = (100, 900);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let database_url = common::arg("--database-url")
        .unwrap_or_else(|| "sqlite:///tmp/gala-claims-bench.db?mode=rwc".into());
    let member_count = common::number("--members", 5_000)?;
    let stock = common::number("--stock", 1_000)?;
    let concurrency = common::number("--concurrency", 256)?;
    let nodes = common::number("--nodes", 2)?.max(1);
    let postgres = database_url.starts_with("postgres");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_gala"));

    fresh_database(&database_url).await?;
    for args in [
        vec!["migrate"],
        vec!["seed", "--brands", "1", "--listings", "1"],
    ] {
        let status = gala_command(&bin, &database_url, 0, &HashMap::new())
            .args(&args)
            .stdout(std::process::Stdio::null())
            .status()
            .with_context(|| format!("running gala {args:?}"))?;
        anyhow::ensure!(status.success(), "gala {args:?} failed");
    }
    let db = server::db::connect(&DatabaseConfig {
        database_url: database_url.clone(),
        db_max_connections: 8,
    })
    .await?;
    offers::clear(&db).await?;
    let brand = entity::brand::Entity::find()
        .one(&db)
        .await?
        .context("the seed's brand")?
        .id;
    let batch = offers::approved(
        &db,
        offers::Terms {
            brand_id: Some(brand),
            kind: PromotionKind::Coupon,
            amount_off_minor: 3_000,
            threshold_minor: 20_000,
            cap_minor: None,
            budget_minor: None,
            coupon_stock: Some(i32::try_from(stock)?),
            claim_limit: Some(1),
        },
    )
    .await?;
    let budget = stock as i64 * (ENVELOPE.0 + ENVELOPE.1) / 2;
    let pool = offers::pool(&db, budget, ENVELOPE, 1).await?;
    let shoppers = Arc::new(members(&db, "claimer", member_count).await?);

    let database_pids = if postgres {
        postgres_pids()
    } else {
        Vec::new()
    };
    let pinned = !std::env::args().any(|a| a == "--no-pin") && pin(std::process::id(), 0);
    if pinned {
        for pid in &database_pids {
            pin(*pid, SERVER_CORE);
        }
    }
    let mut servers = Vec::new();
    for _ in 0..nodes {
        let port = free_port()?;
        servers.push(
            ServerProcess::start(
                gala_command(&bin, &database_url, port, &HashMap::new()),
                port,
                pinned.then_some(SERVER_CORE),
            )
            .await?,
        );
    }
    let bases: Arc<Vec<String>> = Arc::new(servers.iter().map(|s| s.base.clone()).collect());
    println!(
        "claims bench: {}, {member_count} members, a batch of {stock} coupons, a pool of {} in envelopes of {}–{}, {nodes} node(s), {concurrency} in flight; {}",
        if postgres { "PostgreSQL" } else { "SQLite (WAL)" },
        budget / 100,
        ENVELOPE.0 / 100,
        ENVELOPE.1 / 100,
        if pinned { "client on core 0, servers and database on core 1" } else { "not pinned" }
    );
    let client = common::http_client(concurrency)?;
    // Warm-up: connections opened (not measured).
    let _ = common::run(concurrency, concurrency * 2, healthz(&client, &bases)).await;

    common::print_header();
    let bare = common::run(concurrency, member_count, healthz(&client, &bases)).await;
    common::print_row("bare endpoint (GET /healthz): the ceiling", &bare);
    let claims = common::run(
        concurrency,
        member_count,
        member_post(
            &client,
            &bases,
            &shoppers,
            "/api/v1/coupons/claim",
            serde_json::json!({ "promotion_id": batch }),
        ),
    )
    .await;
    common::print_row("coupon claims, one batch", &claims);
    let plays = common::run(
        concurrency,
        member_count,
        member_post(
            &client,
            &bases,
            &shoppers,
            "/api/v1/envelopes/play",
            serde_json::json!({}),
        ),
    )
    .await;
    common::print_row("red-envelope plays, one pool", &plays);
    for server in servers {
        server.stop()?;
    }
    if pinned {
        for pid in &database_pids {
            unpin(*pid);
        }
    }
    println!(
        "statuses: claims {:?}; plays {:?}",
        claims.statuses, plays.statuses
    );

    let problems = check(
        &db,
        (batch, stock.min(member_count)),
        (pool, budget),
        member_count,
        &claims,
    )
    .await?;
    if problems.is_empty() {
        println!(
            "invariants: coupons claimed = min(stock, members), 0 over budget, one play per member"
        );
        Ok(())
    } else {
        for problem in &problems {
            eprintln!("INVARIANT BROKEN: {problem}");
        }
        std::process::exit(1);
    }
}

/// What the runs left in the database, against what they may: the batch's coupons, the
/// pool's money, the plays.
async fn check(
    db: &DatabaseConnection,
    (batch, expected): (Uuid, usize),
    (pool, budget): (Uuid, i64),
    member_count: usize,
    claims: &Stats,
) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    let claimed = coupon::Entity::find()
        .filter(coupon::Column::LineageId.eq(batch))
        .count(db)
        .await? as usize;
    let counted = promotion_budget::Entity::find_by_id(batch)
        .one(db)
        .await?
        .context("the batch's counters")?
        .claimed as usize;
    println!(
        "coupons: {claimed} claimed of {expected} to give ({} answered 201), counter {counted}",
        claims.count(201)
    );
    if claimed != expected || counted != expected || claims.count(201) != expected {
        problems.push(format!(
            "coupons: {claimed} rows, counter {counted}, {} answered 201; {expected} expected",
            claims.count(201)
        ));
    }
    let left = envelope_pool::Entity::find_by_id(pool)
        .one(db)
        .await?
        .context("the pool")?
        .remaining_minor;
    let envelopes: Vec<red_envelope::Model> = red_envelope::Entity::find()
        .filter(red_envelope::Column::PoolId.eq(pool))
        .all(db)
        .await?;
    let handed_out: i64 = envelopes.iter().map(|e| e.amount_minor).sum();
    let played = envelope_play::Entity::find()
        .filter(envelope_play::Column::PoolId.eq(pool))
        .count(db)
        .await? as usize;
    println!(
        "envelopes: {} won, {} handed out of {}, {} left ({} under the minimum), {played} plays recorded",
        envelopes.len(),
        handed_out,
        budget,
        left,
        if left < ENVELOPE.0 { "" } else { "not " }
    );
    if left < 0 || handed_out + left != budget {
        problems.push(format!(
            "pool: {handed_out} handed out + {left} left ≠ budget {budget}"
        ));
    }
    if played != member_count {
        problems.push(format!(
            "{played} plays recorded for {member_count} members"
        ));
    }
    Ok(problems)
}

/// `GET /healthz`, round robin over the nodes.
fn healthz(
    client: &reqwest::Client,
    bases: &Arc<Vec<String>>,
) -> impl Fn(usize) -> std::pin::Pin<Box<dyn std::future::Future<Output = u16> + Send>>
       + Send
       + Sync
       + 'static {
    let (client, bases) = (client.clone(), bases.clone());
    move |i| {
        let request = client.get(format!("{}/healthz", bases[i % bases.len()]));
        Box::pin(async move { status_of(request).await })
    }
}

/// Member `i` POSTs `body` to `path`, on node `i` mod the nodes.
fn member_post(
    client: &reqwest::Client,
    bases: &Arc<Vec<String>>,
    members: &Arc<Vec<Member>>,
    path: &'static str,
    body: serde_json::Value,
) -> impl Fn(usize) -> std::pin::Pin<Box<dyn std::future::Future<Output = u16> + Send>>
       + Send
       + Sync
       + 'static {
    let (client, bases, members) = (client.clone(), bases.clone(), members.clone());
    move |i| {
        let request = client
            .post(format!("{}{path}", bases[i % bases.len()]))
            .header("Cookie", &members[i % members.len()].cookie)
            .json(&body);
        Box::pin(async move { status_of(request).await })
    }
}

async fn status_of(request: reqwest::RequestBuilder) -> u16 {
    match request.send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            let _ = r.bytes().await;
            status
        }
        Err(_) => 0,
    }
}
