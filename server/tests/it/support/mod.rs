//! The integration-test harness: a real Gala server on port 0 over a fresh database, and a
//! cookie-keeping HTTP client. Every test written with [`db_test!`] runs twice: on SQLite (a
//! temporary file) and on PostgreSQL (a fresh database, dropped afterwards).
//!
//! Fresh databases are copies of one template migrated once per test run: a copy of a SQLite
//! file, or `CREATE DATABASE … TEMPLATE` on PostgreSQL (see [`template`]).
//!
//! PostgreSQL is found through `GALA_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`). When it is unreachable the PostgreSQL variant is
//! skipped with a message — except under `CI=true`, where that is a failure.

use app::state::AppState;
use std::{net::SocketAddr, path::PathBuf, time::Duration};

pub mod brands;
pub mod checkout;
pub mod imports;
pub mod ledger;
pub mod node;
pub mod shows;
pub mod smtp;
mod template;

use sea_orm::{
    ColumnTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use server::{
    config::{CheckoutConfig, DatabaseConfig, MailConfig, ServeConfig},
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
    /// The server's state: its clock (advance it instead of sleeping) and its engine.
    pub state: AppState,
    pub backend: Backend,
    pub database_url: String,
    /// Where `.eml` files go when the app has no SMTP server configured.
    pub outbox_dir: PathBuf,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _database: DatabaseGuard,
    _files: tempfile::TempDir,
}

impl TestApp {
    /// Starts a server over a fresh, migrated database. `None` when PostgreSQL is asked for but
    /// unreachable outside CI.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Like [`TestApp::spawn`], with changes to the server settings.
    pub async fn spawn_with(
        backend: Backend,
        configure: impl FnOnce(&mut ServeConfig),
    ) -> Option<TestApp> {
        let database = DatabaseGuard::create(backend).await?;
        let files = tempfile::tempdir().expect("create a temp dir");
        let mut config = test_serve_config();
        config.mail.outbox_dir = files.path().join("outbox");
        configure(&mut config);
        let database_config = DatabaseConfig {
            database_url: database.url.clone(),
            db_max_connections: 8,
        };
        let db = server::db::connect(&database_config)
            .await
            .expect("connect to the test database");
        server::db::migrate(&db)
            .await
            .expect("migrate the test database");
        let app = Application::build(&config, db.clone())
            .await
            .expect("build the server");
        let addr = app.addr();
        let state = app.state();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let server = tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        Some(TestApp {
            addr,
            client: client(),
            db,
            state,
            backend,
            database_url: database.url.clone(),
            outbox_dir: config.mail.outbox_dir.clone(),
            shutdown: Some(tx),
            server: Some(server),
            _database: database,
            _files: files,
        })
    }

    /// The origin browsers send in `Origin` for this server.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// POSTs JSON to `path` with `client` (so tests can use several clients as several devices).
    pub async fn post_json_with(
        &self,
        client: &reqwest::Client,
        path: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        client
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// PUTs JSON to `path` with `client`.
    pub async fn client_put_json(
        &self,
        client: &reqwest::Client,
        path: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        client
            .put(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// POSTs JSON with the app's own client.
    pub async fn post_json(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.post_json_with(&self.client, path, body).await
    }

    /// The newest mail queued for `to`.
    pub async fn last_mail_to(&self, to: &str) -> entity::mail_outbox::Model {
        self.mails_to(to)
            .await
            .pop()
            .unwrap_or_else(|| panic!("no mail to {to}"))
    }

    /// Every mail queued for `to`, oldest first.
    pub async fn mails_to(&self, to: &str) -> Vec<entity::mail_outbox::Model> {
        entity::mail_outbox::Entity::find()
            .filter(entity::mail_outbox::Column::ToAddress.eq(to))
            .order_by_asc(entity::mail_outbox::Column::CreatedAt)
            .order_by_asc(entity::mail_outbox::Column::Id)
            .all(&self.db)
            .await
            .expect("read the outbox")
    }

    /// Signs up through the API and returns the verification token from the mail.
    pub async fn sign_up(&self, name: &str, email: &str, password: &str) -> String {
        let response = self
            .post_json(
                "/api/v1/auth/signup",
                serde_json::json!({ "display_name": name, "email": email, "password": password }),
            )
            .await;
        assert_eq!(
            response.status(),
            reqwest::StatusCode::ACCEPTED,
            "{}",
            response.text().await.unwrap()
        );
        token_in(
            &self
                .last_mail_to(&email.trim().to_lowercase())
                .await
                .text_body,
            "/verify-email?token=",
        )
    }

    /// Signs in `client` through the API; panics unless it succeeds.
    pub async fn sign_in_with(&self, client: &reqwest::Client, email: &str, password: &str) {
        let response = self
            .post_json_with(
                client,
                "/api/v1/auth/signin",
                serde_json::json!({ "email": email, "password": password }),
            )
            .await;
        assert_eq!(
            response.status(),
            reqwest::StatusCode::OK,
            "{}",
            response.text().await.unwrap()
        );
    }
}

impl TestApp {
    /// Calls server function `endpoint` as the pages do: form-encoded with the page's
    /// `Origin`; `args` is a JSON object whose nested fields are sent in brackets
    /// (`input[lines][0][sku]=…`), as Leptos encodes them.
    pub async fn call_fn(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        args: serde_json::Value,
    ) -> reqwest::Response {
        self.fn_request(client, endpoint, &args)
            .send()
            .await
            .unwrap()
    }

    /// A POST of `args` as form fields to server function `endpoint`, from Gala's origin.
    fn fn_request(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        args: &serde_json::Value,
    ) -> reqwest::RequestBuilder {
        let mut fields = Vec::new();
        form_fields(args, String::new(), &mut fields);
        client
            .post(self.url(&format!("/api/fn/{endpoint}")))
            .header(reqwest::header::ORIGIN, self.origin())
            .form(&fields)
    }
}

impl TestApp {
    /// Posts `args` to server function `endpoint` as a browser without the wasm does: a plain
    /// form from the page at `page_path` (`Referer`), asking for HTML. The answer is a
    /// redirect (not followed).
    pub async fn submit_form(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        args: serde_json::Value,
        page_path: &str,
    ) -> reqwest::Response {
        self.fn_request(client, endpoint, &args)
            .header(reqwest::header::REFERER, self.url(page_path))
            .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml")
            .send()
            .await
            .unwrap()
    }
}

/// Flattens `value` into `(name, value)` form fields with bracketed names; nulls are left out
/// (an absent `Option`).
fn form_fields(value: &serde_json::Value, name: String, out: &mut Vec<(String, String)>) {
    use serde_json::Value;
    let child = |key: &str| {
        if name.is_empty() {
            key.to_owned()
        } else {
            format!("{name}[{key}]")
        }
    };
    match value {
        Value::Null => {}
        Value::Object(map) => map.iter().for_each(|(k, v)| form_fields(v, child(k), out)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| form_fields(v, child(&i.to_string()), out)),
        Value::String(text) => out.push((name, text.clone())),
        other => out.push((name, other.to_string())),
    }
}

/// The token after `marker` in a mail body (up to the next whitespace).
pub fn token_in(body: &str, marker: &str) -> String {
    let start = body
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in mail:\n{body}"))
        + marker.len();
    body[start..]
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The whole body of a server-rendered page. A page streams: its shell first, then each
/// `<Suspense>`'s part as its data arrives. When the body stops arriving (the client's
/// timeout), the test fails with the end of what did arrive, which names the last part sent,
/// so a stalled boundary can be told from a slow one (`response.text()` would only say
/// "timed out").
pub async fn page_text(mut response: reqwest::Response) -> String {
    let url = response.url().clone();
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => return String::from_utf8(body).expect("a page is UTF-8"),
            Err(err) => {
                let text = String::from_utf8_lossy(&body);
                let tail: String = {
                    let chars: Vec<char> = text.chars().collect();
                    chars[chars.len().saturating_sub(1500)..].iter().collect()
                };
                panic!(
                    "GET {url}: the page stopped arriving after {} bytes ({err}); it ended \
                     with:\n{tail}",
                    body.len()
                );
            }
        }
    }
}

/// The value of cookie `name` in a response's `Set-Cookie` headers, with its attributes.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

impl TestApp {
    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Writes the demo data, as `gala seed` does.
    pub async fn seed_demo(&self) {
        server::seed::demo(&self.db, server::seed::DEMO_CATALOG, |_, _| {})
            .await
            .expect("seed the demo data");
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("server task")
                .expect("server stopped cleanly");
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

/// A server that believes `X-Forwarded-For` from 127.0.0.1 (as behind a load balancer), so a
/// test can speak as many client addresses.
pub async fn behind_a_proxy(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |config| {
        config.trusted_proxies = "127.0.0.1".parse().unwrap();
    })
    .await
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
        import_limit_bytes: 32 * 1024 * 1024,
        shutdown_grace_secs: 5,
        session_idle_hours: 168,
        trusted_proxies: Default::default(),
        mail: MailConfig {
            smtp_url: None,
            outbox_dir: std::env::temp_dir().join("gala-test-outbox"),
            from: "Gala <no-reply@gala.test>".to_owned(),
            retry_base_ms: 100,
        },
        // The overlapped lanes (`auto`: pipelined on SQLite, four batches at once on
        // PostgreSQL) rather than the default `serial`, so every concurrency test here also
        // proves the overlapped commits never oversell; the browser tests run the default.
        checkout: CheckoutConfig {
            checkout_overlap: "auto".into(),
            ..CheckoutConfig::default()
        },
    }
}

/// A PNG of `width`×`height` (what a browser would upload).
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::DynamicImage::new_rgb8(width, height)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}

/// The repository root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Owns a test database and removes it when dropped.
struct DatabaseGuard {
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    /// The temporary folder holding the file, deleted when dropped.
    Sqlite {
        _dir: tempfile::TempDir,
    },
    Postgres {
        admin_url: String,
        name: String,
    },
}

impl DatabaseGuard {
    async fn create(backend: Backend) -> Option<DatabaseGuard> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("create a temp dir");
                let file = dir.path().join("gala.db");
                std::fs::copy(template::sqlite().await, &file).expect("copy the SQLite template");
                let url = format!("sqlite://{}?mode=rwc", file.display());
                Some(DatabaseGuard {
                    url,
                    cleanup: Cleanup::Sqlite { _dir: dir },
                })
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
                let template = template::postgres(&admin_url).await;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .await
                    .expect("create the test database from the template");
                let _ = admin.close().await;
                let url = replace_database(&admin_url, &name);
                Some(DatabaseGuard {
                    url,
                    cleanup: Cleanup::Postgres { admin_url, name },
                })
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
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
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

pub(crate) fn postgres_admin_url() -> String {
    std::env::var("GALA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// `postgres://u@h:p/old?x` → `postgres://u@h:p/<name>?x`.
pub(crate) fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
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
/// Runs `async fn $name(backend)` once on SQLite and once on PostgreSQL (for tests whose
/// server needs settings of its own, which `db_test!` does not take).
#[macro_export]
macro_rules! on_both_databases {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                super::$name($crate::support::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                super::$name($crate::support::Backend::Postgres).await;
            }
        }
    };
}

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
