//! Building and running the HTTP server.

use std::{future::Future, net::SocketAddr, time::Duration};

use anyhow::Context;
use app::{
    checkout::{payments::SandboxProvider, Engine, EngineConfig},
    core::time::Clock,
    mail::{MailTransport, Outbox, Sender, SenderConfig},
    show::ShowHub,
    state::AppState,
};
use leptos::config::{Env, LeptosOptions};
use sea_orm::{DatabaseConnection, DbBackend};
use tokio::{net::TcpListener, sync::watch};

use crate::config::{CheckoutConfig, MailConfig, ServeConfig};

/// The file, in the site root, where cargo-leptos lists the content hashes of the built assets.
pub const ASSET_HASH_FILE: &str = "hash.txt";

/// A bound, ready-to-serve Gala server. Tests build one on port 0 and read [`Application::addr`].
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    addr: SocketAddr,
    shutdown_grace: Duration,
    state: AppState,
    mail_sender: Sender,
}

impl Application {
    /// Binds the listener and builds the router over an already migrated database.
    pub async fn build(config: &ServeConfig, db: DatabaseConnection) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("binding {}", config.addr))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        // cargo-leptos names each built asset by its content hash and lists the names in
        // `<site root>/hash.txt` (see `hash-file-name` in Cargo.toml); the pages then link the
        // hashed names, which `/pkg` serves as immutable. Absolute, because Leptos resolves a
        // relative name against the executable's folder.
        let hash_file = std::path::absolute(config.site_root.join(ASSET_HASH_FILE))
            .context("resolving the site root")?;
        let leptos_options = LeptosOptions::builder()
            .output_name("gala")
            .site_root(config.site_root.to_string_lossy().as_ref())
            .site_pkg_dir("pkg")
            .hash_files(hash_file.exists())
            .hash_file(hash_file.to_string_lossy().as_ref().into())
            .site_addr(addr)
            .env(if std::env::var("LEPTOS_ENV").is_ok_and(|v| v == "DEV") {
                Env::DEV
            } else {
                Env::PROD
            })
            .build();
        let outbox = Outbox::default();
        let public_url = config.public_url.trim_end_matches('/').to_owned();
        let public_url: std::sync::Arc<str> = public_url.into();
        let clock = Clock::system();
        let checkout = checkout_engine(&config.checkout, &db, clock.clone())?;
        let state = AppState {
            db: db.clone(),
            leptos_options,
            public_url,
            outbox: outbox.clone(),
            checkout,
            shows: ShowHub::start(db.clone()),
            clock,
            passwords: app::auth::password::PasswordGate::per_core(),
        };
        let mail_sender = mail_sender(&config.mail, db, outbox)?;
        let router = crate::router::build(state.clone(), config);
        Ok(Self {
            listener,
            router,
            addr,
            shutdown_grace: Duration::from_secs(config.shutdown_grace_secs),
            state,
            mail_sender,
        })
    }

    /// The server's shared state: tests advance its clock instead of sleeping, and run its
    /// chores when they need them done.
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// The address actually bound (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `shutdown` completes, then stops accepting connections and lets in-flight
    /// requests finish (up to the configured grace period).
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_workers, workers_stopping) = watch::channel(false);
        let workers = spawn_workers(self.state.clone(), self.mail_sender, workers_stopping);
        let result = Self::serve(self.listener, self.router, self.shutdown_grace, shutdown).await;
        let _ = stop_workers.send(true);
        for worker in workers {
            let _ = worker.await;
        }
        result
    }

    async fn serve(
        listener: TcpListener,
        router: axum::Router,
        grace: Duration,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let serve = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stopping_tx.send(());
        });
        tokio::select! {
            result = serve => result.context("serving HTTP"),
            _ = async move {
                let _ = stopping_rx.await;
                tokio::time::sleep(grace).await;
            } => {
                tracing::warn!("in-flight requests did not finish within the grace period; exiting");
                Ok(())
            }
        }
    }
}

/// The checkout engine with the shipped payment provider (the sandbox).
fn checkout_engine(
    config: &CheckoutConfig,
    db: &DatabaseConnection,
    clock: Clock,
) -> anyhow::Result<Engine> {
    let sqlite = db.get_database_backend() == DbBackend::Sqlite;
    let lanes = match (config.checkout_lanes, sqlite) {
        (0, true) => 1,
        (0, false) => 4,
        (lanes, _) => lanes,
    };
    let overlap = config.overlap(sqlite).ok_or_else(|| {
        anyhow::anyhow!(
            "GALA_CHECKOUT_OVERLAP must be auto, serial, pipelined or a number of batches, not {:?}",
            config.checkout_overlap
        )
    })?;
    Ok(Engine::start(
        db.clone(),
        std::sync::Arc::new(SandboxProvider::new(db.clone())),
        EngineConfig {
            lanes,
            queue_capacity: config.checkout_queue,
            max_batch: config.checkout_batch,
            overlap,
            reservation_ttl: Duration::from_secs(config.reservation_ttl_secs),
            ..EngineConfig::default()
        },
        clock,
    ))
}

/// The mail sender for the configured transport (SMTP, or `.eml` files).
fn mail_sender(
    config: &MailConfig,
    db: DatabaseConnection,
    outbox: Outbox,
) -> anyhow::Result<Sender> {
    let transport = match &config.smtp_url {
        Some(url) => MailTransport::smtp(url),
        None => MailTransport::files(config.outbox_dir.clone()),
    }
    .map_err(|err| anyhow::anyhow!("setting up mail: {err}"))?;
    let from = config
        .from
        .parse()
        .with_context(|| format!("GALA_MAIL_FROM is not a valid address: {}", config.from))?;
    Ok(Sender {
        db,
        transport,
        config: SenderConfig {
            from,
            retry_base: Duration::from_millis(config.retry_base_ms),
            poll_interval: Duration::from_secs(5),
        },
        outbox,
    })
}

/// Background work that lives as long as the server: mail delivery and session clean-up.
fn spawn_workers(
    state: AppState,
    mail: Sender,
    stopping: watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let sessions = app::auth::session_store::DbSessionStore::new(state.db.clone());
    let cleanup_stop = stopped(stopping.clone());
    vec![
        tokio::spawn(mail.run(stopped(stopping.clone()))),
        tokio::spawn(async move {
            tokio::pin!(cleanup_stop);
            let mut every = tokio::time::interval(Duration::from_secs(600));
            loop {
                tokio::select! {
                    _ = &mut cleanup_stop => break,
                    _ = every.tick() => match sessions.delete_expired().await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(sessions = n, "removed expired sessions"),
                        Err(err) => tracing::warn!(error = %err, "session clean-up failed"),
                    },
                }
            }
        }),
        tokio::spawn(run_checkout_chores(state.clone(), stopping.clone())),
        tokio::spawn(run_catalog_imports(state, stopping)),
    ]
}

/// Guest carts untouched this many days are deleted (accounts' carts stay).
const GUEST_CART_DAYS: i64 = 30;

/// Every second: unpaid reservations that lapsed return their stock, authorised payments are
/// captured, paid orders get their confirmation mail (checkout's chores), pre-sale campaigns
/// that ended forfeit their unpaid deposits and let go of their SKUs, and refunds the
/// provider could not take at once are sent again (fulfilment's); every ten minutes, old
/// idempotency records and abandoned guest carts go.
async fn run_checkout_chores(state: AppState, mut stopping: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    let mut last_purge = std::time::Instant::now();
    loop {
        tokio::select! {
            _ = stopping.wait_for(|stop| *stop) => break,
            _ = every.tick() => {}
        }
        let done =
            app::checkout::chores::run_once(&state.checkout, &state.outbox, &state.public_url)
                .await;
        if let Err(err) = done {
            tracing::warn!(error = %err, "checkout chores failed");
        }
        let ended = app::presale::campaigns::close_ended(&state.checkout, state.clock.now()).await;
        if let Err(err) = ended {
            tracing::warn!(error = %err, "closing ended pre-sale campaigns failed");
        }
        let refunds = app::fulfilment::service::settle_pending_refunds(
            &state.db,
            state.checkout.provider().as_ref(),
        )
        .await;
        if let Err(err) = refunds {
            tracing::warn!(error = %err, "settling pending refunds failed");
        }
        if last_purge.elapsed() >= Duration::from_secs(600) {
            last_purge = std::time::Instant::now();
            match app::checkout::idempotency::purge_expired(&state.db).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(records = n, "removed old idempotency records"),
                Err(err) => tracing::warn!(error = %err, "idempotency clean-up failed"),
            }
            match app::checkout::cart::service::purge_abandoned(&state.db, GUEST_CART_DAYS).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(carts = n, "removed abandoned guest carts"),
                Err(err) => tracing::warn!(error = %err, "guest cart clean-up failed"),
            }
        }
    }
}

/// Runs queued catalog imports one after another (on every node; a job is claimed by one),
/// looking for new ones every second.
async fn run_catalog_imports(state: AppState, stopping: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    let mut stop = stopping.clone();
    loop {
        tokio::select! {
            _ = stop.wait_for(|stop| *stop) => break,
            _ = every.tick() => {}
        }
        loop {
            let ran = app::catalog::import::run_next(&state, &stopping).await;
            let stopping_now = *stopping.borrow();
            match ran {
                Ok(true) if !stopping_now => continue,
                Ok(_) => break,
                Err(err) => {
                    tracing::warn!(error = %err, "catalog import failed");
                    break;
                }
            }
        }
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
