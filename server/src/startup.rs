//! Building and running the HTTP server.

use std::{future::Future, net::SocketAddr, time::Duration};

use anyhow::Context;
use app::core::state::AppState;
use leptos::config::{Env, LeptosOptions};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::config::ServeConfig;

/// A bound, ready-to-serve Gala server. Tests build one on port 0 and read [`Application::addr`].
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    addr: SocketAddr,
    shutdown_grace: Duration,
}

impl Application {
    /// Binds the listener and builds the router over an already migrated database.
    pub async fn build(config: &ServeConfig, db: DatabaseConnection) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("binding {}", config.addr))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        let leptos_options = LeptosOptions::builder()
            .output_name("gala")
            .site_root(config.site_root.to_string_lossy().as_ref())
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .env(if std::env::var("LEPTOS_ENV").is_ok_and(|v| v == "DEV") { Env::DEV } else { Env::PROD })
            .build();
        let state = AppState { db, leptos_options };
        let router = crate::router::build(state, config);
        Ok(Self {
            listener,
            router,
            addr,
            shutdown_grace: Duration::from_secs(config.shutdown_grace_secs),
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `shutdown` completes, then stops accepting connections and lets in-flight
    /// requests finish (up to the configured grace period).
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let serve = axum::serve(
            self.listener,
            self.router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stopping_tx.send(());
        });
        let grace = self.shutdown_grace;
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
