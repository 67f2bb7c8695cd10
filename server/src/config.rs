//! Settings for the process, read from `GALA_*` environment variables (or the matching flags),
//! each with a default that runs Gala on one machine with nothing else installed.

use std::{net::SocketAddr, path::PathBuf};

/// Where the data lives. Shared by every subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseConfig {
    /// `sqlite://path?mode=rwc` (embedded, the default) or `postgres://user@host/db`.
    #[arg(
        long,
        env = "GALA_DATABASE_URL",
        default_value = "sqlite://data/gala.db?mode=rwc"
    )]
    pub database_url: String,
    /// Largest number of pooled database connections.
    #[arg(long, env = "GALA_DB_MAX_CONNECTIONS", default_value_t = 16)]
    pub db_max_connections: u32,
}

impl DatabaseConfig {
    /// The URL with any password replaced, safe to log.
    pub fn redacted_url(&self) -> String {
        redact_url_password(&self.database_url)
    }
}

/// Settings of the HTTP server (`gala serve`).
#[derive(Debug, Clone, clap::Args)]
pub struct ServeConfig {
    /// Address to listen on; port 0 picks a free port (the tests use this).
    #[arg(long, env = "GALA_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// The address people use to reach Gala; `https://` turns on Secure cookies.
    #[arg(long, env = "GALA_PUBLIC_URL", default_value = "http://127.0.0.1:3000")]
    pub public_url: String,
    /// Folder with the built site (`pkg/` with the wasm, JS and CSS, plus `public/` files).
    #[arg(long, env = "GALA_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "GALA_BODY_LIMIT_BYTES", default_value_t = 2 * 1024 * 1024)]
    pub body_limit_bytes: usize,
    /// Largest accepted body for bulk uploads (catalog CSV imports), in bytes.
    #[arg(long, env = "GALA_IMPORT_LIMIT_BYTES", default_value_t = 32 * 1024 * 1024)]
    pub import_limit_bytes: usize,
    /// Seconds to let in-flight requests finish after SIGTERM/Ctrl-C.
    #[arg(long, env = "GALA_SHUTDOWN_GRACE_SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,
    /// A session ends after this many hours without use (it always ends 30 days after sign-in).
    #[arg(long, env = "GALA_SESSION_IDLE_HOURS", default_value_t = 168)]
    pub session_idle_hours: i64,
    /// Load balancers in front of Gala whose `X-Forwarded-For` gives the client's address
    /// (addresses or networks, comma-separated: `10.0.0.7,10.1.0.0/16`). Empty: the peer's
    /// address is the client's, whatever the header says.
    #[arg(long, env = "GALA_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: crate::http::client_addr::TrustedProxies,
    #[command(flatten)]
    pub mail: MailConfig,
    #[command(flatten)]
    pub checkout: CheckoutConfig,
}

impl ServeConfig {
    /// Whether cookies must be `Secure` (Gala is reached over https).
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// The checkout engine's tuning.
#[derive(Clone, Debug, clap::Args)]
pub struct CheckoutConfig {
    /// Checkout lanes (queues drained by one worker each); 0 picks 1 on SQLite (one writer)
    /// and 4 on PostgreSQL.
    #[arg(long, env = "GALA_CHECKOUT_LANES", default_value_t = 0)]
    pub checkout_lanes: usize,
    /// Orders a lane queues before answering 429 Too Many Requests.
    #[arg(long, env = "GALA_CHECKOUT_QUEUE", default_value_t = 4096)]
    pub checkout_queue: usize,
    /// Most orders one checkout batch takes (one commit). Raise it when the payment provider
    /// answers slowly: a batch waits for its slowest payment.
    #[arg(long, env = "GALA_CHECKOUT_BATCH", default_value_t = app::checkout::DEFAULT_MAX_BATCH)]
    pub checkout_batch: usize,
    /// Seconds an unpaid order keeps its stock reserved.
    #[arg(long, env = "GALA_RESERVATION_TTL_SECS", default_value_t = 900)]
    pub reservation_ttl_secs: u64,
    /// How a checkout lane overlaps its batches: `serial` (one batch at a time: the default,
    /// measured fastest with the server on one or two cores, BENCHMARKS.md 2026-12-06),
    /// `pipelined` (plan and pay the next batch while the current one commits), a number of
    /// whole batches at once, or `auto` (pipelined on SQLite, four at once on PostgreSQL).
    #[arg(long, env = "GALA_CHECKOUT_OVERLAP", default_value = "serial")]
    pub checkout_overlap: String,
}

impl CheckoutConfig {
    /// The overlap [`CheckoutConfig::checkout_overlap`] names, on a database that is SQLite
    /// or not; `None` for an unknown name.
    pub fn overlap(&self, sqlite: bool) -> Option<app::checkout::Overlap> {
        use app::checkout::Overlap;
        Some(match self.checkout_overlap.trim() {
            "auto" if sqlite => Overlap::Pipelined,
            "auto" => Overlap::Concurrent(4),
            "serial" => Overlap::Serial,
            "pipelined" => Overlap::Pipelined,
            n => Overlap::Concurrent(n.parse().ok().filter(|n| *n > 0)?),
        })
    }
}

impl Default for CheckoutConfig {
    fn default() -> Self {
        CheckoutConfig {
            checkout_lanes: 0,
            checkout_queue: 4096,
            checkout_batch: app::checkout::DEFAULT_MAX_BATCH,
            reservation_ttl_secs: 900,
            checkout_overlap: "serial".into(),
        }
    }
}

/// Where transactional mail goes.
#[derive(Clone, clap::Args)]
pub struct MailConfig {
    /// SMTP server URL: `smtp://host:port` (plain, for local servers), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://...` (TLS). Unset: mail is written as `.eml` files to the outbox folder.
    #[arg(long, env = "GALA_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Folder for `.eml` files when no SMTP server is configured.
    #[arg(long, env = "GALA_MAIL_OUTBOX_DIR", default_value = "data/outbox")]
    pub outbox_dir: PathBuf,
    /// The `From:` address of Gala's mail.
    #[arg(
        long,
        env = "GALA_MAIL_FROM",
        default_value = "Gala <no-reply@gala.local>"
    )]
    pub from: String,
    /// Wait before retrying a failed delivery, in milliseconds (doubles per failure, max 5 min).
    #[arg(long, env = "GALA_MAIL_RETRY_BASE_MS", default_value_t = 2000)]
    pub retry_base_ms: u64,
}

/// Never print the SMTP URL: it may hold a password.
impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field(
                "smtp_url",
                &self.smtp_url.as_deref().map(redact_url_password),
            )
            .field("outbox_dir", &self.outbox_dir)
            .field("from", &self.from)
            .field("retry_base_ms", &self.retry_base_ms)
            .finish()
    }
}

/// Replaces the password of `scheme://user:password@host` URLs with `***`.
pub fn redact_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url_password;

    #[test]
    fn passwords_in_database_urls_are_redacted() {
        assert_eq!(
            redact_url_password("postgres://gala:s3cret@db:5432/gala"),
            "postgres://gala:***@db:5432/gala"
        );
        assert_eq!(
            redact_url_password("postgres://gala@db/gala"),
            "postgres://gala@db/gala"
        );
        assert_eq!(
            redact_url_password("sqlite://data/gala.db?mode=rwc"),
            "sqlite://data/gala.db?mode=rwc"
        );
    }
}
