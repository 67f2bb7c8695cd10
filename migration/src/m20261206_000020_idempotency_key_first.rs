//! `idempotency_record`'s primary key leads with the client's key: `(key, scope)` instead of
//! `(scope, key)`. Lookups are by both, so either order finds a record; what changes is where
//! a new record lands in the index. Scopes are spread evenly — a cookie-less guest's is a hash
//! of its address and email — so leading with the scope scattered every checkout batch's
//! records over the whole index, one page written per order. Gala's own pages send
//! time-ordered keys (UUIDv7), which now land together at the index's end.
//!
//! Records live for a day (`KEEP_FOR`); they are copied over as they are.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, [IdempotencyRecord::Key, IdempotencyRecord::Scope]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, [IdempotencyRecord::Scope, IdempotencyRecord::Key]).await
    }
}

/// Recreates the table with `primary_key` (SQLite cannot change a primary key in place).
async fn rebuild(
    manager: &SchemaManager<'_>,
    primary_key: [IdempotencyRecord; 2],
) -> Result<(), DbErr> {
    let [first, second] = primary_key;
    manager
        .create_table(
            Table::create()
                .table(Rebuilt::Table)
                .col(string_len(IdempotencyRecord::Scope, 80))
                .col(string_len(IdempotencyRecord::Key, 255))
                .col(string_len(IdempotencyRecord::RequestHash, 64))
                .col(uuid_null(IdempotencyRecord::OrderId))
                .col(integer_null(IdempotencyRecord::StatusCode))
                .col(timestamp_with_time_zone(IdempotencyRecord::CreatedAt))
                .primary_key(Index::create().col(first).col(second))
                .to_owned(),
        )
        .await?;
    let columns = [
        IdempotencyRecord::Scope,
        IdempotencyRecord::Key,
        IdempotencyRecord::RequestHash,
        IdempotencyRecord::OrderId,
        IdempotencyRecord::StatusCode,
        IdempotencyRecord::CreatedAt,
    ];
    manager
        .exec_stmt(
            Query::insert()
                .into_table(Rebuilt::Table)
                .columns(columns.clone())
                .select_from(
                    Query::select()
                        .columns(columns)
                        .from(IdempotencyRecord::Table)
                        .to_owned(),
                )
                .map_err(|err| DbErr::Migration(err.to_string()))?
                .to_owned(),
        )
        .await?;
    manager
        .drop_table(Table::drop().table(IdempotencyRecord::Table).to_owned())
        .await?;
    manager
        .rename_table(
            Table::rename()
                .table(Rebuilt::Table, IdempotencyRecord::Table)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_idempotency_created")
                .table(IdempotencyRecord::Table)
                .col(IdempotencyRecord::CreatedAt)
                .to_owned(),
        )
        .await
}

#[derive(DeriveIden, Clone)]
enum IdempotencyRecord {
    Table,
    Scope,
    Key,
    RequestHash,
    OrderId,
    StatusCode,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Rebuilt {
    #[sea_orm(iden = "idempotency_record_rebuilt")]
    Table,
}
