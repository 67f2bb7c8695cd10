//! The application database: SQLite (embedded default) or PostgreSQL, chosen by URL.

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
    ConnectOptions, Database, DatabaseConnection,
};

use crate::config::DatabaseConfig;

/// Opens a pool to the configured database.
///
/// SQLite runs in WAL mode with `synchronous=FULL` — every commit is on disk before it is
/// acknowledged, so an acknowledged order survives a crash and a power loss (checkout groups
/// many orders per commit, so the fsync is paid per batch, not per order) — and a busy timeout,
/// so readers never block the writer. The parent folder of the database file is created when missing.
pub async fn connect(config: &DatabaseConfig) -> anyhow::Result<DatabaseConnection> {
    let url = &config.database_url;
    if let Some(path) = sqlite_file_path(url) {
        if let Some(parent) = std::path::Path::new(&path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).with_context(|| {
                    format!("creating the database folder {}", parent.display())
                })?;
            }
        }
    }
    let mut options = ConnectOptions::new(url.clone());
    options
        .max_connections(config.db_max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
                .create_if_missing(true)
                // 64 MiB of page cache per connection (SQLite's default is 2 MiB): the upper
                // levels of the catalog's indexes stay in memory at millions of listings.
                .pragma("cache_size", "-65536")
                // Read through a memory map, shared by every connection, instead of a
                // `pread` per page into each connection's cache: at 15 million listings the
                // kernel copies were 30% of the CPU of a search load (BENCHMARKS.md). The
                // bundled SQLite's 2 GB cap on this is raised in .cargo/config.toml.
                .pragma("mmap_size", "1099511627776")
                // Room for the multi-row INSERT shapes of `core::bulk` (powers of two).
                .statement_cache_capacity(400)
        })
        .map_sqlx_postgres_opts(|opts| {
            opts.statement_cache_capacity(400)
                // No JIT compilation: it pays off for long analytical queries, but the
                // planner also starts it for a storefront search whose walk it costs at the
                // whole table, though a `LIMIT` stops the walk within milliseconds; compiling
                // then took about 4.6 ms of a 49 ms search. At 15 million listings, with it off,
                // word + in stock by price went from p99 203–253 to 133–152 ms (BENCHMARKS.md).
                .options([("jit", "off")])
        });
    Database::connect(options)
        .await
        .with_context(|| format!("connecting to {}", config.redacted_url()))
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("running database migrations")
}

/// The file behind a `sqlite://` URL, if the URL names one.
fn sqlite_file_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::sqlite_file_path;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_file_path("sqlite://data/gala.db?mode=rwc").as_deref(),
            Some("data/gala.db")
        );
        assert_eq!(sqlite_file_path("sqlite::memory:"), None);
        assert_eq!(sqlite_file_path("postgres://x@y/z"), None);
    }
}
