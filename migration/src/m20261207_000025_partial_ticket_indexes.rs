//! The indexes a checkout changes when an order takes a coupon or a red envelope cover only the
//! rows their queries look for, so taking one writes about half as many index pages (with a
//! coupon and an envelope on every order, those pages were most of what a checkout commit
//! wrote to the database: about six of them per order, each at a random place):
//!
//! - `idx_coupon_order` and `idx_red_envelope_order` (what an order that goes away gives back
//!   is found by the order) leave out the ready coupons and envelopes, which have no order.
//!   Their queries ask for some orders (`order_id IN (...)`), which implies
//!   `order_id IS NOT NULL` on both databases, so they still use them; a ticket taken by an
//!   order no longer removes an entry from the long run of empty ones.
//! - `idx_red_envelope_expiry` (status, expires_at) covers the won envelopes only: only those
//!   expire, and an envelope leaves it when an order takes it (before: it moved from the won
//!   run to the used one, two places). The expiry chore names the status as a literal
//!   (`promotions::envelopes::expire_due`) so both databases match the index's condition; the
//!   status column stays first so SQLite, without statistics, still prefers this index.

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
                "DROP INDEX IF EXISTS idx_coupon_order; \
                 CREATE INDEX idx_coupon_order ON coupon (order_id) WHERE order_id IS NOT NULL; \
                 DROP INDEX IF EXISTS idx_red_envelope_order; \
                 CREATE INDEX idx_red_envelope_order ON red_envelope (order_id) \
                 WHERE order_id IS NOT NULL; \
                 DROP INDEX IF EXISTS idx_red_envelope_expiry; \
                 CREATE INDEX idx_red_envelope_expiry ON red_envelope (status, expires_at) \
                 WHERE status = 'won';",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "DROP INDEX IF EXISTS idx_red_envelope_expiry; \
                 CREATE INDEX idx_red_envelope_expiry ON red_envelope (status, expires_at); \
                 DROP INDEX IF EXISTS idx_red_envelope_order; \
                 CREATE INDEX idx_red_envelope_order ON red_envelope (order_id); \
                 DROP INDEX IF EXISTS idx_coupon_order; \
                 CREATE INDEX idx_coupon_order ON coupon (order_id);",
            )
            .await?;
        Ok(())
    }
}
