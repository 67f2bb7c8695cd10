//! The live show's fan-out benchmark: K viewers hold the show's event stream open on ONE
//! server node (the real `gala` binary, a separate process, so its memory is its own); the
//! producer drops a look; every connection's delivery latency is measured from the moment the
//! drop was sent to the moment that connection read it. Then a share of the viewers one-tap
//! buy the dropped SKU at once, and the database is checked for oversell.
//!
//! ```text
//! cargo bench -p server --bench show_fanout -- [--viewers 50000] [--buyers 1000] [--stock 300]
//!     [--streams-per-connection N]
//!     [--database-url postgres://postgres@127.0.0.1:5432/gala_fanout_bench]
//! ```
//!
//! By default every viewer is its own HTTP/1.1 connection, as a browser without HTTP/2 is.
//! Each process may hold at most `ulimit -n` sockets (20,000 here, and not raisable without
//! root's capabilities), so when the viewers do not fit (or `--streams-per-connection N` says
//! so) they come as HTTP/2 streams, 100 (or N) to a connection, as an HTTP/2 edge proxy in
//! front of the node would:
//! the node still subscribes, encodes and writes each viewer's stream separately; only the
//! sockets are shared.

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use anyhow::Context;
use app::checkout::{payments::PaymentProvider, payments::SandboxProvider, CardInput};
use entity::{
    account, payment_method, saved_address, show, show_look, show_look_item, stock_level,
};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use server::config::DatabaseConfig;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::Barrier,
};
use uuid::Uuid;

mod common;

use common::database::{check, fresh_database, set_stock, sold};

const ADMIN: (&str, &str) = ("producer@gala.test", "bench-producer-pass-1");
const BUYER_PASSWORD: &str = "bench-buyer-pass-1";

/// The soft limit on open files of this process.
fn open_files_limit() -> usize {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            limits
                .lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3).map(str::to_owned))
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024)
}

/// Resident memory of process `pid`, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let database_url = common::arg("--database-url")
        .unwrap_or_else(|| "sqlite:///tmp/gala-fanout-bench.db?mode=rwc".into());
    // Both this process and the node hold one socket per viewer and per buyer.
    let limit = open_files_limit();
    let buyers = common::number("--buyers", 1_000)?;
    let viewers = common::number("--viewers", 50_000)?;
    // One socket per viewer when the process may hold them all; otherwise HTTP/2 streams,
    // 100 to a connection (hyper serves up to 200 per connection).
    let sockets_fit = viewers + buyers + 500 <= limit;
    let streams = match common::arg("--streams-per-connection") {
        Some(n) => n.parse::<usize>()?.max(1),
        None if sockets_fit => 1,
        None => {
            println!(
                "{viewers} viewers need more sockets than `ulimit -n` allows here ({limit}): \
                 carrying them as HTTP/2 streams, 100 to a connection"
            );
            100
        }
    };
    let stock = common::number("--stock", 300)? as i64;
    anyhow::ensure!(
        viewers.div_ceil(streams) + buyers + 500 <= limit,
        "{viewers} viewers need more sockets than `ulimit -n` allows here ({limit}); \
         raise the limit, pass a smaller --viewers or a larger --streams-per-connection"
    );

    // A fresh database with one brand, its demo show, a producer and the buyers.
    fresh_database(&database_url).await?;
    let db = server::db::connect(&DatabaseConfig {
        database_url: database_url.clone(),
        db_max_connections: 8,
    })
    .await?;
    server::db::migrate(&db).await?;
    server::seed::catalog::generate(
        &db,
        server::seed::catalog::CatalogSize {
            brands: 1,
            listings: 3,
        },
        |_, _| {},
    )
    .await?;
    server::seed::shows::demo_show(&db).await?;
    let show = show::Entity::find()
        .one(&db)
        .await?
        .context("the demo show")?;
    let look = show_look::Entity::find()
        .filter(show_look::Column::ShowId.eq(show.id))
        .order_by_asc(show_look::Column::Position)
        .one(&db)
        .await?
        .context("a look")?;
    let sku = show_look_item::Entity::find()
        .filter(show_look_item::Column::LookId.eq(look.id))
        .one(&db)
        .await?
        .context("a look item")?
        .sku_id;
    let location: Uuid = stock_level::Entity::find()
        .select_only()
        .column(stock_level::Column::LocationId)
        .filter(stock_level::Column::SkuId.eq(sku))
        .into_tuple()
        .one(&db)
        .await?
        .context("the SKU's stock row")?;
    set_stock(&db, (sku, location), stock).await?;
    app::auth::service::create_platform_admin(&db, ADMIN.0, "Pat Producer", ADMIN.1)
        .await
        .map_err(|e| anyhow::anyhow!("creating the producer: {e}"))?;
    let buyer_emails = make_buyers(&db, buyers).await?;

    // The node: the real binary, alone in its process.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut node = std::process::Command::new(env!("CARGO_BIN_EXE_gala"))
        .arg("serve")
        .env("GALA_DATABASE_URL", &database_url)
        .env("GALA_ADDR", format!("127.0.0.1:{port}"))
        .env("GALA_PUBLIC_URL", &base)
        .env("GALA_LOG", "warn")
        .env(
            "GALA_SITE_ROOT",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../public"),
        )
        .env(
            "GALA_MAIL_OUTBOX_DIR",
            std::env::temp_dir().join("gala-fanout-outbox"),
        )
        .spawn()
        .context("starting gala serve")?;
    let client = common::http_client(64)?;
    let ready = Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        anyhow::ensure!(
            ready.elapsed() < Duration::from_secs(60),
            "gala serve did not come up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let result = run(
        &base,
        &db,
        show.id,
        look.id,
        sku,
        viewers,
        &buyer_emails,
        stock,
        node.id(),
        streams,
    )
    .await;
    let _ = node.kill();
    let _ = node.wait();
    result?;
    check(&db, "drop SKU", sku).await?;
    Ok(())
}

/// `count` verified buyer accounts with a saved address and a sandbox card; their emails.
async fn make_buyers(
    db: &sea_orm::DatabaseConnection,
    count: usize,
) -> anyhow::Result<Vec<String>> {
    let hash = app::auth::password::hash_password(BUYER_PASSWORD.to_owned())
        .await
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
    let card = SandboxProvider::new(db.clone())
        .save_card(&CardInput {
            number: "4242424242424242".into(),
            exp_month: 12,
            exp_year: 2031,
            cvc: "123".into(),
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let address = json!({ "name": "Bench Buyer", "line1": "1 Runway Road", "city": "Shanghai", "postal_code": "200120", "country": "CN" }).to_string();
    let now = app::core::time::now();
    let mut emails = Vec::with_capacity(count);
    for chunk in (0..count).collect::<Vec<_>>().chunks(500) {
        let mut accounts = Vec::new();
        let mut cards = Vec::new();
        let mut addresses = Vec::new();
        for i in chunk {
            let id = Uuid::now_v7();
            let email = format!("buyer{i}@bench.gala.test");
            accounts.push(account::ActiveModel {
                id: Set(id),
                email: Set(email.clone()),
                display_name: Set(format!("Buyer {i}")),
                password_hash: Set(hash.clone()),
                email_verified_at: Set(Some(now)),
                is_platform_admin: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
            });
            cards.push(payment_method::ActiveModel {
                id: Set(Uuid::now_v7()),
                account_id: Set(id),
                provider: Set("sandbox".into()),
                token: Set(card.token.clone()),
                card_brand: Set(card.card.brand.clone()),
                card_last4: Set(card.card.last4.clone()),
                exp_month: Set(12),
                exp_year: Set(2031),
                created_at: Set(now),
            });
            addresses.push(saved_address::ActiveModel {
                account_id: Set(id),
                address: Set(address.clone()),
                updated_at: Set(now),
            });
            emails.push(email);
        }
        account::Entity::insert_many(accounts)
            .exec_without_returning(db)
            .await?;
        payment_method::Entity::insert_many(cards)
            .exec_without_returning(db)
            .await?;
        saved_address::Entity::insert_many(addresses)
            .exec_without_returning(db)
            .await?;
    }
    Ok(emails)
}

/// One viewer's open event stream.
enum EventStream {
    /// Its own HTTP/1.1 connection, read raw.
    Http1(TcpStream),
    /// A stream of a shared HTTP/2 connection.
    Http2(reqwest::Response),
}

impl EventStream {
    /// Opens the stream of `url` (`http://addr/path`).
    async fn open(url: &str, http2: Option<&reqwest::Client>) -> anyhow::Result<EventStream> {
        if let Some(client) = http2 {
            let response = client
                .get(url)
                .header("Accept", "text/event-stream")
                .send()
                .await?;
            anyhow::ensure!(
                response.status().is_success(),
                "events: {}",
                response.status()
            );
            return Ok(EventStream::Http2(response));
        }
        let rest = url.trim_start_matches("http://");
        let (addr, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let mut stream = TcpStream::connect(addr).await?;
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        Ok(EventStream::Http1(stream))
    }

    /// Reads until the stream has carried `needle` (answers when).
    async fn read_until(&mut self, buffer: &mut Vec<u8>, needle: &[u8]) -> anyhow::Result<Instant> {
        let mut chunk = [0u8; 8192];
        loop {
            if let Some(at) = buffer.windows(needle.len()).position(|w| w == needle) {
                buffer.drain(..at + needle.len());
                return Ok(Instant::now());
            }
            // Keep only a tail: what came before cannot contain the needle any more.
            if buffer.len() > 64 * 1024 {
                let keep = buffer.len() - needle.len();
                buffer.drain(..keep);
            }
            match self {
                EventStream::Http1(stream) => {
                    let n = stream.read(&mut chunk).await?;
                    anyhow::ensure!(n > 0, "the server closed the stream");
                    buffer.extend_from_slice(&chunk[..n]);
                }
                EventStream::Http2(response) => {
                    let bytes = response
                        .chunk()
                        .await?
                        .context("the server closed the stream")?;
                    buffer.extend_from_slice(&bytes);
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn run(
    base: &str,
    db: &sea_orm::DatabaseConnection,
    show_id: Uuid,
    look_id: Uuid,
    sku: Uuid,
    viewers: usize,
    buyer_emails: &[String],
    stock: i64,
    node_pid: u32,
    streams_per_connection: usize,
) -> anyhow::Result<()> {
    // The producer (a platform admin may produce any brand's show) goes live.
    let producer = reqwest::Client::builder().cookie_store(true).build()?;
    let signed_in = producer
        .post(format!("{base}/api/v1/auth/signin"))
        .json(&json!({ "email": ADMIN.0, "password": ADMIN.1 }))
        .send()
        .await?;
    anyhow::ensure!(
        signed_in.status().is_success(),
        "producer sign-in: {}",
        signed_in.status()
    );
    let show_row = show::Entity::find_by_id(show_id)
        .one(db)
        .await?
        .context("show")?;
    let brand_id = show_row.brand_id.context("the bench's show is a brand's")?;
    let slug: String = entity::brand::Entity::find_by_id(brand_id)
        .one(db)
        .await?
        .context("brand")?
        .slug;
    let produce = |action: &'static str| {
        let form = vec![
            ("slug", slug.clone()),
            ("id", show_id.to_string()),
            ("action", action.to_owned()),
            ("look_id", look_id.to_string()),
        ];
        producer
            .post(format!("{base}/api/fn/shows/produce"))
            .header("Origin", base)
            .form(&form)
            .send()
    };
    let went_live = produce("go_live").await?;
    anyhow::ensure!(
        went_live.status().is_success(),
        "go live: {}",
        went_live.text().await?
    );

    // K viewers connect and read their snapshot.
    let rss_before = rss_kib(node_pid);
    let connected = Arc::new(AtomicUsize::new(0));
    let all_ready = Arc::new(Barrier::new(viewers + 1));
    let url = format!("{base}/api/v1/shows/{show_id}/events");
    // HTTP/2 connections, one client each (a client keeps one connection per host).
    let connections: Vec<reqwest::Client> = if streams_per_connection > 1 {
        (0..viewers.div_ceil(streams_per_connection))
            .map(|_| reqwest::Client::builder().http2_prior_knowledge().build())
            .collect::<Result<_, _>>()?
    } else {
        Vec::new()
    };
    let connecting = Instant::now();
    let gate = Arc::new(tokio::sync::Semaphore::new(256)); // connections in flight at once
    let mut tasks = Vec::with_capacity(viewers);
    for viewer in 0..viewers {
        let (url, connected, all_ready, gate) = (
            url.clone(),
            connected.clone(),
            all_ready.clone(),
            gate.clone(),
        );
        let http2 = connections.get(viewer / streams_per_connection).cloned();
        tasks.push(tokio::spawn(async move {
            let setup = async {
                let _permit = gate.acquire().await?;
                let mut stream = EventStream::open(&url, http2.as_ref()).await?;
                let mut buffer = Vec::with_capacity(4096);
                stream
                    .read_until(&mut buffer, b"\"type\":\"snapshot\"")
                    .await?;
                Ok::<_, anyhow::Error>((stream, buffer))
            };
            let outcome = setup.await;
            if outcome.is_ok() {
                connected.fetch_add(1, Ordering::Relaxed);
            }
            all_ready.wait().await;
            let (mut stream, mut buffer) = outcome?;
            let received = tokio::time::timeout(
                Duration::from_secs(60),
                stream.read_until(&mut buffer, b"\"type\":\"drop\""),
            )
            .await??;
            Ok::<Instant, anyhow::Error>(received)
        }));
    }
    all_ready.wait().await;
    let connect_secs = connecting.elapsed().as_secs_f64();
    let held = connected.load(Ordering::Relaxed);
    // Let a few rounds of live figures go out, so memory is read in a steady state.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_after = rss_kib(node_pid);

    // The buyers sign in while the viewers watch (after memory is read: signing in hashes
    // passwords with argon2, which takes memory the allocator keeps for a while).
    let mut buyer_clients = Vec::with_capacity(buyer_emails.len());
    let signing_in = Instant::now();
    for emails in buyer_emails.chunks(64) {
        let signed: Vec<_> = emails
            .iter()
            .map(|email| async move {
                let client = reqwest::Client::builder().cookie_store(true).build()?;
                let r = client
                    .post(format!("{base}/api/v1/auth/signin"))
                    .json(&json!({ "email": email, "password": BUYER_PASSWORD }))
                    .send()
                    .await?;
                anyhow::ensure!(r.status().is_success(), "buyer sign-in: {}", r.status());
                Ok::<_, anyhow::Error>(client)
            })
            .collect();
        for client in futures_util::future::join_all(signed).await {
            buyer_clients.push(client?);
        }
    }
    println!(
        "{} buyers signed in in {:.1} s",
        buyer_clients.len(),
        signing_in.elapsed().as_secs_f64()
    );

    // The drop.
    let sent = Instant::now();
    let dropped = produce("reveal").await?;
    let click_answered = sent.elapsed();
    anyhow::ensure!(
        dropped.status().is_success(),
        "drop: {}",
        dropped.text().await?
    );
    let mut latencies = Vec::with_capacity(viewers);
    let mut missed = 0;
    for task in tasks {
        match task.await? {
            Ok(at) => latencies.push(at.saturating_duration_since(sent)),
            Err(_) => missed += 1,
        }
    }
    latencies.sort();
    println!();
    let transport = if streams_per_connection > 1 {
        format!(
            "HTTP/2, {streams_per_connection} streams to each of {} connections",
            connections.len()
        )
    } else {
        "HTTP/1.1, one connection each".to_owned()
    };
    println!("fan-out: {held} of {viewers} viewers ({transport}) connected in {connect_secs:.1} s (one node: a gala serve process)");
    println!(
        "drop delivered to {} viewers ({missed} missed): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    );
    println!(
        "the producer's click (POST /api/fn/shows/produce) was answered in {:.1} ms",
        click_answered.as_secs_f64() * 1000.0
    );
    let per_viewer = (rss_after.saturating_sub(rss_before) as f64 * 1024.0) / held.max(1) as f64;
    println!(
        "server memory: {:.0} MiB before, {:.0} MiB with the viewers: {:.1} KiB per viewer",
        rss_before as f64 / 1024.0,
        rss_after as f64 / 1024.0,
        per_viewer / 1024.0
    );

    // The burst: every buyer taps at once.
    let before = sold(db, sku).await?;
    let started = Instant::now();
    let taps: Vec<_> = buyer_clients
        .iter()
        .enumerate()
        .map(|(i, client)| {
            let url = format!("{base}/api/v1/shows/{show_id}/buy");
            async move {
                let at = Instant::now();
                let response = client
                    .post(url)
                    .header("Idempotency-Key", format!("burst-{i}"))
                    .json(&json!({ "sku": sku }))
                    .send()
                    .await;
                let status = response.map(|r| r.status().as_u16()).unwrap_or(0);
                (status, at.elapsed())
            }
        })
        .collect();
    let answers = futures_util::future::join_all(taps).await;
    let burst_secs = started.elapsed().as_secs_f64();
    let count = |code: u16| answers.iter().filter(|(s, _)| *s == code).count();
    let mut times: Vec<Duration> = answers.iter().map(|(_, t)| *t).collect();
    times.sort();
    let sold_now = sold(db, sku).await? - before;
    println!(
        "burst: {} taps in {burst_secs:.2} s: {} bought (201), {} sold out or limited (409), {} busy (429), {} other; p50 {:.0} ms, p99 {:.0} ms",
        answers.len(),
        count(201),
        count(409),
        count(429),
        answers.len() - count(201) - count(409) - count(429),
        percentile(&times, 0.50),
        percentile(&times, 0.99),
    );
    println!(
        "stock {stock}: sold {sold_now}, oversold {}",
        (sold_now - stock).max(0)
    );
    Ok(())
}
