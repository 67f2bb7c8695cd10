//! Storefront read benchmark: search and listing-page latency over a seeded catalog, next to a
//! bare endpoint of the same server as the HTTP floor. Prints p50/p99/max per kind of request.
//!
//! ```text
//! gala seed --brands 140000 --listings 15000000          # once, into GALA_DATABASE_URL
//! cargo bench -p server --bench catalog -- --database-url sqlite://data/gala.db?mode=rwc
//! cargo bench -p server --bench catalog -- --database-url postgres://postgres@127.0.0.1/gala_bench
//! ```
//!
//! Options: `--queries N` (default 3000 of each kind), `--concurrency N` (default 8),
//! `--seed-brands B --seed-listings L` (seed the synthetic catalog first, as `gala seed`
//! would, when the database has no catalog yet; the seed time is printed),
//! `--import-rows N` (also upload an N-row CSV through the API as a new brand and time the
//! background import until it is done; 0 skips it, the default).
//! The server runs in this process (one tokio runtime), the load comes from the same process
//! over real HTTP/1.1 connections — the same machine, side by side.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use rand::{rngs::StdRng, Rng, SeedableRng};
use server::config::{CheckoutConfig, DatabaseConfig};

mod common;
use common::arg;

const WORDS: &[&str] = &[
    "silk",
    "cashmere",
    "linen",
    "leather",
    "dress",
    "scarf",
    "teapot",
    "serum",
    "lamp",
    "moonlight",
    "festival",
    "runway",
    "golden",
    "jade",
    "sneakers",
    "watch",
    "tea",
    "tent",
    "velvet",
    "ivory",
    "porcelain",
    "smartwatch",
    "backpack",
    "vintage",
];
const CATEGORIES: &[&str] = &["fashion", "beauty", "electronics", "home", "food", "sports"];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let database_url = arg("--database-url")
        .or_else(|| std::env::var("GALA_DATABASE_URL").ok())
        .unwrap_or_else(|| "sqlite://data/gala.db?mode=rwc".into());
    let queries = common::number("--queries", 3000)?;
    let concurrency = common::number("--concurrency", 8)?;

    let db = server::db::connect(&DatabaseConfig {
        database_url: database_url.clone(),
        db_max_connections: 16,
    })
    .await?;
    server::db::migrate(&db).await?;
    if let Some(listings) = arg("--seed-listings") {
        let size = server::seed::catalog::CatalogSize {
            brands: arg("--seed-brands").map_or(Ok(1_000), |v| v.parse())?,
            listings: listings.parse()?,
        };
        let started = Instant::now();
        let report = server::seed::catalog::generate(&db, size, |done, total| {
            if done % 100_000 == 0 || done == total {
                eprintln!(
                    "  seeded {done}/{total} listings in {:.0} s",
                    started.elapsed().as_secs_f64()
                );
            }
        })
        .await?;
        if let Some(report) = report {
            println!(
                "seed: {} brands, {} listings, {} SKUs in {:.1} s ({:.0} listings/s)",
                report.brands,
                report.listings,
                report.skus,
                report.seconds,
                report.listings as f64 / report.seconds
            );
        }
    }
    let listings: i64 = {
        use sea_orm::{ConnectionTrait, Statement};
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM listing",
            ))
            .await?
            .expect("a count");
        row.try_get("", "n")?
    };
    let base = common::start_server(db.clone(), CheckoutConfig::default()).await?;
    let client = common::http_client(concurrency)?;
    let import_rows = common::number("--import-rows", 0)?;
    if import_rows > 0 {
        import_bench(&db, &base, import_rows).await?;
    }
    if queries == 0 {
        return Ok(());
    }

    // Listing ids to open: whatever searches for the vocabulary return.
    let mut ids = Vec::new();
    for word in WORDS {
        let page: serde_json::Value = client
            .get(format!("{base}/api/v1/listings?q={word}&limit=50"))
            .send()
            .await?
            .json()
            .await?;
        ids.extend(
            page["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| i["id"].as_str().map(str::to_owned)),
        );
    }
    anyhow::ensure!(
        !ids.is_empty(),
        "the catalog is empty: run `gala seed` first"
    );
    let ids = Arc::new(ids);

    let backend = sea_orm::ConnectionTrait::get_database_backend(&db);
    println!(
        "catalog bench: {listings} listings, {backend:?} backend, {queries} requests per kind, {concurrency} concurrent"
    );
    common::print_header();
    type MakePath = Box<dyn Fn(&mut StdRng) -> String + Send + Sync>;
    let kinds: Vec<(&str, MakePath)> = vec![
        ("bare endpoint (/healthz)", Box::new(|_| "/healthz".into())),
        (
            "search: one word",
            Box::new(|r| {
                format!(
                    "/api/v1/listings?q={}",
                    WORDS[r.random_range(0..WORDS.len())]
                )
            }),
        ),
        (
            "search: two words + category",
            Box::new(|r| {
                format!(
                    "/api/v1/listings?q={}%20{}&category={}",
                    WORDS[r.random_range(0..WORDS.len())],
                    WORDS[r.random_range(0..WORDS.len())],
                    CATEGORIES[r.random_range(0..CATEGORIES.len())]
                )
            }),
        ),
        (
            "search: word, in stock, by price",
            Box::new(|r| {
                format!(
                    "/api/v1/listings?q={}&in_stock=true&sort=price_asc&max_price=50000",
                    WORDS[r.random_range(0..WORDS.len())]
                )
            }),
        ),
        (
            "browse: category, newest",
            Box::new(|r| {
                format!(
                    "/api/v1/listings?category={}&sort=newest",
                    CATEGORIES[r.random_range(0..CATEGORIES.len())]
                )
            }),
        ),
        ("listing (JSON)", {
            let ids = ids.clone();
            Box::new(move |r| format!("/api/v1/listings/{}", ids[r.random_range(0..ids.len())]))
        }),
        ("listing page (server-rendered HTML)", {
            let ids = ids.clone();
            Box::new(move |r| format!("/p/{}", ids[r.random_range(0..ids.len())]))
        }),
    ];
    for (name, make) in kinds {
        let make = Arc::new(make);
        let (client, base) = (client.clone(), base.clone());
        let stats = common::run(concurrency, queries, move |i| {
            let (client, base, make) = (client.clone(), base.clone(), make.clone());
            async move {
                let path = make(&mut StdRng::seed_from_u64(i as u64));
                match client.get(format!("{base}{path}")).send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let _ = response.bytes().await;
                        status
                    }
                    Err(_) => 0,
                }
            }
        })
        .await;
        common::print_row(name, &stats);
    }
    Ok(())
}

/// Uploads an `rows`-row catalog CSV (two variants per listing, stock at one location,
/// published) as a fresh brand's owner, and waits for the background import to finish.
async fn import_bench(
    db: &sea_orm::DatabaseConnection,
    base: &str,
    rows: usize,
) -> anyhow::Result<()> {
    let (email, password) = ("import-bench@gala.test", "import-bench-password-1");
    app::auth::service::create_platform_admin(db, email, "Import Bench", password)
        .await
        .map_err(|e| anyhow::anyhow!("creating the bench account: {e}"))?;
    let owner = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(120))
        .build()?;
    let post = |path: &str, body: serde_json::Value| {
        owner
            .post(format!("{base}{path}"))
            .header("origin", base)
            .json(&body)
            .send()
    };
    anyhow::ensure!(
        post(
            "/api/v1/auth/signin",
            serde_json::json!({ "email": email, "password": password })
        )
        .await?
        .status()
        .is_success(),
        "signing in"
    );
    let slug = format!("import-bench-{}", std::process::id());
    let brand: serde_json::Value = post(
        "/api/v1/brands/applications",
        serde_json::json!({
            "legal_name": "Import Bench Trading Ltd", "display_name": "Import Bench",
            "slug": slug, "country": "CN", "category": "fashion",
            "contact_email": "team@import-bench.test",
            "description": "A brand that exists to time catalog imports.",
            "licence_number": "91310000-BENCH",
        }),
    )
    .await?
    .json()
    .await?;
    let id = brand["id"].as_str().context("application id")?;
    anyhow::ensure!(
        post(
            &format!("/api/v1/admin/brands/{id}/decision"),
            serde_json::json!({ "decision": "approve" })
        )
        .await?
        .status()
        .is_success(),
        "approving"
    );

    let mut csv = app::catalog::CSV_COLUMNS.join(",");
    csv.push('\n');
    for row in 0..rows {
        let (listing, variant) = (row / 2, row % 2);
        csv.push_str(&format!(
            "L{listing},Import bench silk scarf {listing},Imported in bulk.,fashion,CNY,published,\
             Size,{},,,,,IMP-{listing}-{variant},{}.00,,200,,Main warehouse,{}\n",
            ["S", "M"][variant],
            99 + listing % 400,
            1 + listing % 50
        ));
    }
    let bytes = csv.len();
    // The same file twice: first every listing is new, then every listing is an update.
    for pass in ["new listings", "same file again (updates)"] {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(csv.clone().into_bytes())
                .file_name("bench.csv")
                .mime_str("text/csv")?,
        );
        let started = Instant::now();
        let response = owner
            .post(format!("{base}/api/v1/brands/{slug}/imports"))
            .header("origin", base)
            .multipart(form)
            .send()
            .await?;
        let status = response.status();
        let job: serde_json::Value = response.json().await?;
        let accepted = started.elapsed();
        anyhow::ensure!(status.is_success(), "upload refused: {status} {job}");
        let job_id = job["id"].as_str().context("import job id")?.to_owned();
        let job = loop {
            let job: serde_json::Value = owner
                .get(format!("{base}/api/v1/brands/{slug}/imports/{job_id}"))
                .send()
                .await?
                .json()
                .await?;
            if matches!(job["status"].as_str(), Some("done" | "failed")) {
                break job;
            }
            // Polling, as the progress page does; the job's own timestamps are what counts.
            tokio::time::sleep(Duration::from_millis(500)).await;
        };
        let created = job["created_at"].as_str().context("created_at")?;
        let finished = job["finished_at"].as_str().context("finished_at")?;
        let seconds = (chrono::DateTime::parse_from_rfc3339(finished)?
            - chrono::DateTime::parse_from_rfc3339(created)?)
        .as_seconds_f64();
        println!(
            "import ({pass}): {rows} rows ({bytes} bytes, {} listings) accepted in {:.2} s, \
             imported in {seconds:.1} s ({:.0} rows/s); status {}, created {}, updated {}, \
             refused rows {}",
            rows.div_ceil(2),
            accepted.as_secs_f64(),
            rows as f64 / seconds,
            job["status"],
            job["created_listings"],
            job["updated_listings"],
            job["refused_rows"]
        );
    }
    Ok(())
}
