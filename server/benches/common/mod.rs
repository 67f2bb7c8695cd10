//! What the load benchmarks share: command-line options, the server in this process or as its
//! own ([`process`]), and closed- and open-loop load clients that record latencies.

#![allow(dead_code)] // each bench uses its own share of these helpers

pub mod database;
pub mod members;
pub mod offers;
pub mod process;

use std::{
    collections::BTreeMap,
    future::Future,
    sync::Arc,
    time::{Duration, Instant},
};

use server::{
    config::{CheckoutConfig, MailConfig, ServeConfig},
    startup::Application,
};

/// The value after `--name` on the command line.
pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// A numeric option with a default.
pub fn number(name: &str, default: usize) -> anyhow::Result<usize> {
    Ok(arg(name).map_or(Ok(default), |v| v.parse())?)
}

/// Starts the real server on a free port over `db`; answers its base URL.
pub async fn start_server(
    db: sea_orm::DatabaseConnection,
    checkout: CheckoutConfig,
) -> anyhow::Result<String> {
    let config = ServeConfig {
        addr: "127.0.0.1:0".parse()?,
        public_url: "http://127.0.0.1".into(),
        site_root: std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/site"),
        body_limit_bytes: 64 * 1024,
        import_limit_bytes: 32 * 1024 * 1024,
        shutdown_grace_secs: 1,
        session_idle_hours: 1,
        trusted_proxies: Default::default(),
        mail: MailConfig {
            smtp_url: None,
            outbox_dir: std::env::temp_dir().join("gala-bench-outbox"),
            from: "Gala <bench@gala.test>".into(),
            retry_base_ms: 1000,
        },
        checkout,
    };
    let app = Application::build(&config, db).await?;
    let base = format!("http://{}", app.addr());
    tokio::spawn(app.run_until(std::future::pending()));
    Ok(base)
}

/// An HTTP client for `concurrency` simultaneous requests.
pub fn http_client(concurrency: usize) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(60))
        .build()?)
}

/// What a load run measured.
pub struct Stats {
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
    /// Answers by HTTP status (0: no answer).
    pub statuses: BTreeMap<u16, usize>,
}

impl Stats {
    /// Requests per second over the run.
    pub fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// Answers with `status`.
    pub fn count(&self, status: u16) -> usize {
        self.statuses.get(&status).copied().unwrap_or(0)
    }

    /// The `p` quantile of latency, in milliseconds.
    pub fn ms(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies.len() as f64 * p) as usize).min(self.latencies.len() - 1);
        self.latencies[i].as_secs_f64() * 1000.0
    }

    /// Slowest answer, in milliseconds.
    pub fn max_ms(&self) -> f64 {
        self.latencies
            .last()
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }

    /// Answers whose status is not 2xx.
    pub fn non_success(&self) -> usize {
        self.statuses
            .iter()
            .filter(|(s, _)| !(200..300).contains(*s))
            .map(|(_, n)| n)
            .sum()
    }
}

/// Sends `total` requests from `concurrency` workers, each waiting for its answer before the
/// next (a closed loop). `request(i)` sends request number `i` and answers its status.
pub async fn run<F, Fut>(concurrency: usize, total: usize, request: F) -> Stats
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u16> + Send,
{
    let request = Arc::new(request);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (request, next) = (request.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let t = Instant::now();
                let status = request(i).await;
                latencies.push(t.elapsed());
                *statuses.entry(status).or_default() += 1;
            }
            (latencies, statuses)
        }));
    }
    let mut stats = Stats {
        elapsed: Duration::ZERO,
        latencies: Vec::with_capacity(total),
        statuses: BTreeMap::new(),
    };
    for worker in workers {
        if let Ok((latencies, statuses)) = worker.await {
            stats.latencies.extend(latencies);
            for (status, n) in statuses {
                *stats.statuses.entry(status).or_default() += n;
            }
        }
    }
    stats.elapsed = started.elapsed();
    stats.latencies.sort();
    stats
}

/// Sends `total` requests at `rate` per second, each when it is due whatever the earlier ones
/// are doing (an open loop: slow answers do not slow the arrivals, so queueing shows in the
/// latencies, which count from when each request was due).
pub async fn run_open<F, Fut>(rate: f64, total: usize, request: F) -> Stats
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u16> + Send + 'static,
{
    let interval = Duration::from_secs_f64(1.0 / rate.max(1.0));
    let started = tokio::time::Instant::now();
    let mut answers = tokio::task::JoinSet::new();
    for i in 0..total {
        let due = started + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due).await;
        let answer = request(i);
        answers.spawn(async move {
            let status = answer.await;
            (due.elapsed(), status)
        });
    }
    let mut stats = Stats {
        elapsed: Duration::ZERO,
        latencies: Vec::with_capacity(total),
        statuses: BTreeMap::new(),
    };
    while let Some(answer) = answers.join_next().await {
        if let Ok((latency, status)) = answer {
            stats.latencies.push(latency);
            *stats.statuses.entry(status).or_default() += 1;
        }
    }
    stats.elapsed = started.elapsed();
    stats.latencies.sort();
    stats
}

/// The table header matching [`print_row`].
pub fn print_header() {
    println!(
        "{:<44} {:>9} {:>9} {:>9} {:>9} {:>10}",
        "run", "req/s", "p50 ms", "p99 ms", "max ms", "non-2xx"
    );
}

/// One line of results.
pub fn print_row(name: &str, stats: &Stats) {
    println!(
        "{name:<44} {:>9.0} {:>9.2} {:>9.2} {:>9.2} {:>10}",
        stats.rate(),
        stats.ms(0.50),
        stats.ms(0.99),
        stats.max_ms(),
        stats.non_success()
    );
}
