//! Migrated template databases, made once per test run and copied for every test: migrating
//! a fresh database for each of hundreds of tests was most of a short test's time.
//!
//! - SQLite: a file migrated once, copied per test.
//! - PostgreSQL: a database migrated once, cloned per test with `CREATE DATABASE … TEMPLATE`
//!   (a file-level copy inside the server). Its name carries the process id and the time it
//!   was made, so concurrent runs never share or drop each other's; templates more than a few
//!   hours old are left over from earlier runs and are dropped.

use std::path::{Path, PathBuf};

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, Statement};
use server::config::DatabaseConfig;
use tokio::sync::OnceCell;

static SQLITE: OnceCell<PathBuf> = OnceCell::const_new();
static POSTGRES: OnceCell<String> = OnceCell::const_new();

/// Prefix of template files and databases.
const PREFIX: &str = "gala_template_";
/// Templates older than this were left by earlier runs.
const STALE_AFTER_SECS: u64 = 6 * 3600;

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Migrates the database at `url` with Gala's own connection settings and closes it.
async fn migrate(url: &str) {
    let db = server::db::connect(&DatabaseConfig {
        database_url: url.to_owned(),
        db_max_connections: 1,
    })
    .await
    .expect("connect to the template database");
    server::db::migrate(&db)
        .await
        .expect("migrate the template database");
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await
            .expect("checkpoint the SQLite template");
    }
    db.close().await.expect("close the template database");
}

/// The path of this run's migrated SQLite file (copy it, never open it).
pub async fn sqlite() -> &'static Path {
    SQLITE
        .get_or_init(|| async {
            let dir = std::env::temp_dir();
            remove_stale_files(&dir);
            let path = dir.join(format!("{PREFIX}{}_{}.db", std::process::id(), unix_now()));
            migrate(&format!("sqlite://{}?mode=rwc", path.display())).await;
            path
        })
        .await
}

/// Removes template files of earlier runs.
fn remove_stale_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(made) = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split(['_', '.']).nth(1))
            .and_then(|t| t.parse::<u64>().ok())
        else {
            continue;
        };
        if unix_now().saturating_sub(made) > STALE_AFTER_SECS {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The name of this run's migrated PostgreSQL template database.
pub async fn postgres(admin_url: &str) -> &'static str {
    POSTGRES
        .get_or_init(|| async {
            let admin = admin_connection(admin_url).await;
            drop_stale_databases(&admin).await;
            let name = format!("{PREFIX}{}_{}", std::process::id(), unix_now());
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create the template database");
            migrate(&super::replace_database(admin_url, &name)).await;
            // A template cannot be cloned while anyone is connected to it: `migrate` closed its
            // pool, and nobody else knows the name.
            admin
                .execute_unprepared(&format!("ALTER DATABASE {name} WITH IS_TEMPLATE true"))
                .await
                .expect("mark the template database");
            let _ = admin.close().await;
            name
        })
        .await
}

async fn admin_connection(admin_url: &str) -> DatabaseConnection {
    let mut options = ConnectOptions::new(admin_url.to_owned());
    options.max_connections(1).sqlx_logging(false);
    Database::connect(options)
        .await
        .expect("connect to PostgreSQL")
}

/// Drops template databases more than [`STALE_AFTER_SECS`] old (left by earlier runs).
async fn drop_stale_databases(admin: &DatabaseConnection) {
    let backend = admin.get_database_backend();
    let rows = admin
        .query_all_raw(Statement::from_string(
            backend,
            format!("SELECT datname FROM pg_database WHERE datname LIKE '{PREFIX}%'"),
        ))
        .await
        .unwrap_or_default();
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else {
            continue;
        };
        let made = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('_').nth(1))
            .and_then(|t| t.parse::<u64>().ok());
        if made.is_some_and(|made| unix_now().saturating_sub(made) > STALE_AFTER_SECS) {
            let _ = admin
                .execute_unprepared(&format!("ALTER DATABASE {name} WITH IS_TEMPLATE false"))
                .await;
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
}
