//! Two of `shop_order`'s indexes cover only the orders their queries look for, so the
//! checkout engine maintains two index entries fewer for a guest's paid order (the bulk of a
//! rush):
//!
//! - `idx_shop_order_account` (a shopper's order history) leaves out guest orders, which have
//!   no account. Its queries ask for one account, which implies `account_id IS NOT NULL` on
//!   both databases, so they still use it.
//! - `idx_shop_order_status_expiry` (status, expires_at) becomes `idx_shop_order_pending_expiry`,
//!   the same columns over unpaid orders only: only those expire, and an order leaves it when
//!   paid. The expiry chore names the status as a literal (`checkout::maintenance`), which is
//!   what lets PostgreSQL match the index's condition in a prepared statement; the status
//!   column stays first so that SQLite, without statistics, still prefers this index.

use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One call, so one connection runs it all: on SQLite, a pooled connection that did
        // not run the DROP may still see the old index at CREATE and refuse the name.
        manager
            .get_connection()
            .execute_unprepared(
                "DROP INDEX IF EXISTS idx_shop_order_account; \
                 CREATE INDEX idx_shop_order_account ON shop_order (account_id, created_at) \
                 WHERE account_id IS NOT NULL; \
                 DROP INDEX IF EXISTS idx_shop_order_status_expiry; \
                 CREATE INDEX idx_shop_order_pending_expiry ON shop_order (status, expires_at) \
                 WHERE status = 'pending_payment';",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "DROP INDEX IF EXISTS idx_shop_order_pending_expiry; \
                 CREATE INDEX idx_shop_order_status_expiry ON shop_order (status, expires_at); \
                 DROP INDEX IF EXISTS idx_shop_order_account; \
                 CREATE INDEX idx_shop_order_account ON shop_order (account_id, created_at);",
            )
            .await?;
        Ok(())
    }
}
