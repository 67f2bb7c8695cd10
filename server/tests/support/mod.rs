//! The integration-test harness: a real Gala server on port 0 over a fresh database, and a
//! cookie-keeping HTTP client. Every test written with [`db_test!`] runs twice: on SQLite (a
//! temporary file) and on PostgreSQL (a fresh database, dropped afterwards).
//!
//! PostgreSQL is found through `GALA_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`). When it is unreachable the PostgreSQL variant is
//! skipped with a message — except under `CI=true`, where that is a failure.

#![allow(dead_code)] // each test binary uses a different part of the harness

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use server::{
    config::{DatabaseConfig, ServeConfig},
    startup::Application,
};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running server plus what a test needs to talk to it.
pub struct TestApp {
    pub addr: SocketAddr,
    /// Cookie-keeping client that does not follow redirects.
    pub client: reqwest::Client,
    /// The server's own database pool (same pool the server uses).
    pub db: DatabaseConnection,
    pub backend: Backend,
    pub database_url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _database: DatabaseGuard,
}

impl TestApp {
    /// Starts a server over a fresh, migrated database. `None` when PostgreSQL is asked for but
    /// unreachable outside CI.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        let database = DatabaseGuard::create(backend).await?;
        let database_config = DatabaseConfig {
            database_url: database.url.clone(),
            db_max_connections: 8,
        };
        let db = server::db::connect(&database_config).await.expect("connect to the test database");
        server::db::migrate(&db).await.expect("migrate the test database");
        let app = Application::build(&test_serve_config(), db.clone()).await.expect("build the server");
        let addr = app.addr();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let server = tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        Some(TestApp {
            addr,
            client: client(),
            db,
            backend,
            database_url: database.url.clone(),
            shutdown: Some(tx),
            server: Some(server),
            _database: database,
        })
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Writes the demo data, as `gala seed` does.
    pub async fn seed_demo(&self) {
        server::seed::demo(&self.db).await.expect("seed the demo data");
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server stopped cleanly");
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A client like a browser's: keeps cookies, does not follow redirects (tests look at them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("build the HTTP client")
}

/// Server settings for tests: port 0 and the repository's `public/` folder as site root, so
/// static-file serving is exercised on real files without a front-end build.
pub fn test_serve_config() -> ServeConfig {
    ServeConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        public_url: "http://127.0.0.1".to_owned(),
        site_root: workspace_root().join("public"),
        body_limit_bytes: 64 * 1024,
        shutdown_grace_secs: 5,
    }
}

/// The repository root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Owns a test database and removes it when dropped.
struct DatabaseGuard {
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl DatabaseGuard {
    async fn create(backend: Backend) -> Option<DatabaseGuard> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("create a temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("gala.db").display());
                Some(DatabaseGuard { url, cleanup: Cleanup::Sqlite(dir) })
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let admin = match Database::connect(admin_url.as_str()).await {
                    Ok(admin) => admin,
                    Err(err) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                        panic!("PostgreSQL is required in CI but unreachable at {admin_url}: {err}")
                    }
                    Err(err) => {
                        eprintln!("skipped: PostgreSQL unreachable at {admin_url}: {err}");
                        return None;
                    }
                };
                let name = format!("gala_test_{}", uuid::Uuid::new_v4().simple());
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create the test database");
                let _ = admin.close().await;
                let url = replace_database(&admin_url, &name);
                Some(DatabaseGuard { url, cleanup: Cleanup::Postgres { admin_url, name } })
            }
        }
    }
}

impl Drop for DatabaseGuard {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime, which cannot block on itself: use a thread
            // with its own small runtime.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                runtime.block_on(async move {
                    let admin = Database::connect(admin_url.as_str()).await.ok()?;
                    admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await
                        .ok()?;
                    admin.close().await.ok()
                })
            })
            .join();
        }
    }
}

fn postgres_admin_url() -> String {
    std::env::var("GALA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// `postgres://u@h:p/old?x` → `postgres://u@h:p/<name>?x`.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
    match query {
        Some(query) => format!("{prefix}/{name}?{query}"),
        None => format!("{prefix}/{name}"),
    }
}

/// Declares an async test that runs once on SQLite and once on PostgreSQL:
///
/// ```ignore
/// db_test!(async fn home_page_renders(app) { ... });
/// ```
#[macro_export]
macro_rules! db_test {
    ($(#[$meta:meta])* async fn $name:ident($app:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                let $app = $crate::support::TestApp::spawn($crate::support::Backend::Sqlite)
                    .await
                    .expect("SQLite is always available");
                $body
            }

            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                let Some($app) =
                    $crate::support::TestApp::spawn($crate::support::Backend::Postgres).await
                else {
                    return;
                };
                $body
            }
        }
    };
}
