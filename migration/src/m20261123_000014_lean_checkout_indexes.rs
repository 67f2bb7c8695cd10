//! One index fewer for the checkout engine to maintain on every order:
//! `idx_idempotency_order` served setting an answer's status by order id, which the engine no
//! longer does (a record is now written once, with its status, in the order's transaction).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_idempotency_order")
                    .table(IdempotencyRecord::Table)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_idempotency_order")
                    .table(IdempotencyRecord::Table)
                    .col(IdempotencyRecord::OrderId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum IdempotencyRecord {
    Table,
    OrderId,
}
