//! Write transactions that wait their turn instead of failing.

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

/// Starts a transaction that will write. On SQLite this is `BEGIN IMMEDIATE`: it takes the
/// write lock at once, waiting up to the busy timeout for another writer to finish. A plain
/// (deferred) transaction that reads first and writes later fails at once with
/// `SQLITE_BUSY` when another connection committed in between — SQLite cannot wait there
/// without risking a deadlock. PostgreSQL ignores the mode.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}
