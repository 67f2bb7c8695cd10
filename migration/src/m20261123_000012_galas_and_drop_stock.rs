//! Platform galas and drop stock.
//!
//! - `show.brand_id` becomes optional: a show without a brand is the platform's own
//!   multi-brand gala, whose looks mix SKUs of several brands.
//! - `stock_location.show_id`: a location whose stock is set aside for one show. Only that
//!   show's buyers draw on it while the show runs; when the show ends the column is cleared
//!   and what is left there is ordinary stock again.
//! - `show_look_item.drop_stock`: the units a look's item set aside for its drop.
//!
//! SQLite cannot drop a `NOT NULL` constraint with `ALTER TABLE`, and rebuilding `show` would
//! cascade-delete every look and event on the way. SQLite documents a simpler procedure for
//! removing a `NOT NULL` constraint (<https://sqlite.org/lang_altertable.html>, "Making Other
//! Kinds Of Table Schema Changes"): edit the table's stored `CREATE TABLE` text under
//! `PRAGMA writable_schema` and bump `schema_version`, in one transaction, which is what
//! [`set_sqlite_not_null`] does.

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, DbBackend, Statement},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The column's definition in `show`'s stored `CREATE TABLE` text, as SeaORM wrote it.
const BRAND_ID_NOT_NULL: &str = "\"brand_id\" uuid_text NOT NULL";
const BRAND_ID_NULL: &str = "\"brand_id\" uuid_text";

/// Replaces `from` by `to` (exactly once) in `table`'s stored definition.
async fn set_sqlite_not_null(
    manager: &SchemaManager<'_>,
    table: &str,
    from: &str,
    to: &str,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let sql = |q: &str| Statement::from_string(DbBackend::Sqlite, q.to_owned());
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?",
            [table.into()],
        ))
        .await?
        .ok_or_else(|| DbErr::Migration(format!("no table {table}")))?;
    let definition: String = row.try_get("", "sql")?;
    if definition.matches(from).count() != 1 {
        return Err(DbErr::Migration(format!(
            "{table}'s definition does not contain `{from}` exactly once: {definition}"
        )));
    }
    let version: i64 = db
        .query_one_raw(sql("PRAGMA schema_version"))
        .await?
        .ok_or_else(|| DbErr::Migration("no schema_version".into()))?
        .try_get_by_index(0)?;
    db.execute_raw(sql("PRAGMA writable_schema = ON")).await?;
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?",
        [definition.replacen(from, to, 1).into(), table.into()],
    ))
    .await?;
    db.execute_raw(sql(&format!("PRAGMA schema_version = {}", version + 1)))
        .await?;
    db.execute_raw(sql("PRAGMA writable_schema = OFF")).await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on every backend: the SQLite schema edit must not be seen half-done.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            set_sqlite_not_null(manager, "show", BRAND_ID_NOT_NULL, BRAND_ID_NULL).await?;
        } else {
            manager
                .alter_table(
                    Table::alter()
                        .table(Show::Table)
                        .modify_column(ColumnDef::new(Show::BrandId).uuid().null())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(StockLocation::Table)
                    .add_column(uuid_null(StockLocation::ShowId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_stock_location_show")
                    .table(StockLocation::Table)
                    .col(StockLocation::ShowId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ShowLookItem::Table)
                    .add_column(big_integer_null(ShowLookItem::DropStock))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ShowLookItem::Table)
                    .drop_column(ShowLookItem::DropStock)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_stock_location_show")
                    .table(StockLocation::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(StockLocation::Table)
                    .drop_column(StockLocation::ShowId)
                    .to_owned(),
            )
            .await?;
        // Platform galas have no brand to go back to.
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM show WHERE brand_id IS NULL")
            .await?;
        if manager.get_database_backend() == DbBackend::Sqlite {
            set_sqlite_not_null(manager, "show", BRAND_ID_NULL, BRAND_ID_NOT_NULL).await
        } else {
            manager
                .alter_table(
                    Table::alter()
                        .table(Show::Table)
                        .modify_column(ColumnDef::new(Show::BrandId).uuid().not_null())
                        .to_owned(),
                )
                .await
        }
    }
}

#[derive(DeriveIden)]
enum Show {
    Table,
    BrandId,
}

#[derive(DeriveIden)]
enum StockLocation {
    Table,
    ShowId,
}

#[derive(DeriveIden)]
enum ShowLookItem {
    Table,
    DropStock,
}
