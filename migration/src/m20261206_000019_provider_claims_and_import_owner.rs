//! Work that calls the payment provider, and import jobs, get an owner.
//!
//! - `payment.claim_token`, `payment.claimed_until` and the same on `refund`: a node that is
//!   about to capture a charge or send a refund to the provider first claims the row with a
//!   lease (a conditional update that only one node wins), so two nodes, or a retry while a
//!   slow provider is still answering, never call the provider twice for one row at once.
//! - `sandbox_operation`: the sandbox provider's own book of captures and refunds, keyed by
//!   the idempotency key Gala sends with each call. Like a real processor, the sandbox answers
//!   a repeated key with the first answer instead of moving money again. Only the sandbox
//!   reads or writes it; a real provider keeps this book on its side.
//! - `shop_order.access_key`: the secret of a guest order's confirmation link. A guest order
//!   is shown only with it, or to the session that placed it (orders of accounts only to
//!   their accounts). Guest orders placed before it have none: they are seen again by
//!   signing in with their email's account, not by their id alone.
//! - `catalog_import.worker`: the token of the worker that owns a running import. Progress
//!   and the final status are written only by the owner, so a job taken over from a stalled
//!   worker is never written by two.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Alias::new("payment"), Alias::new("refund")] {
            for column in [
                uuid_null(Claims::ClaimToken).to_owned(),
                timestamp_with_time_zone_null(Claims::ClaimedUntil).to_owned(),
            ] {
                manager
                    .alter_table(
                        Table::alter()
                            .table(table.clone())
                            .add_column(column)
                            .to_owned(),
                    )
                    .await?;
            }
        }
        manager
            .create_table(
                Table::create()
                    .table(SandboxOperation::Table)
                    .col(string_len(SandboxOperation::IdempotencyKey, 128).primary_key())
                    .col(string_len(SandboxOperation::Kind, 16))
                    .col(string_len(SandboxOperation::Reference, 96))
                    .col(big_integer(SandboxOperation::AmountMinor))
                    .col(string_len(SandboxOperation::Result, 96))
                    .col(integer(SandboxOperation::Calls).default(1))
                    .col(timestamp_with_time_zone(SandboxOperation::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("shop_order"))
                    .add_column(string_len_null(Alias::new("access_key"), 64).to_owned())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("catalog_import"))
                    .add_column(uuid_null(Alias::new("worker")).to_owned())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("catalog_import"))
                    .drop_column(Alias::new("worker"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("shop_order"))
                    .drop_column(Alias::new("access_key"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(SandboxOperation::Table).to_owned())
            .await?;
        for table in [Alias::new("payment"), Alias::new("refund")] {
            for column in [Claims::ClaimToken, Claims::ClaimedUntil] {
                manager
                    .alter_table(
                        Table::alter()
                            .table(table.clone())
                            .drop_column(column)
                            .to_owned(),
                    )
                    .await?;
            }
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Claims {
    ClaimToken,
    ClaimedUntil,
}

#[derive(DeriveIden)]
enum SandboxOperation {
    Table,
    IdempotencyKey,
    Kind,
    Reference,
    AmountMinor,
    Result,
    Calls,
    CreatedAt,
}
