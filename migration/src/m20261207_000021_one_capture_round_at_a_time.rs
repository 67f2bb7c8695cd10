//! Captures are made by one node at a time, under one lease, instead of a lease on each charge.
//!
//! - `work_lease`: background work that only one node at a time may do, which node holds it
//!   and until when. A node takes a lease with one conditional upsert that only one node wins
//!   while it is held (`core::lease`). The capture round holds `capture_round` while it calls
//!   the provider, which replaces the per-charge claim: that claim rewrote up to a thousand
//!   `payment` rows a round, one more turn of SQLite's single write lock taken from checkout.
//! - `payment.claim_token` and `payment.claimed_until` (migration 000019) go; the columns of
//!   `refund` stay, refunds are still claimed one by one.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WorkLease::Table)
                    .col(string_len(WorkLease::Name, 64).primary_key())
                    .col(uuid(WorkLease::Holder))
                    .col(timestamp_with_time_zone(WorkLease::HeldUntil))
                    .to_owned(),
            )
            .await?;
        for column in [Payment::ClaimToken, Payment::ClaimedUntil] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Payment::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            uuid_null(Payment::ClaimToken).to_owned(),
            timestamp_with_time_zone_null(Payment::ClaimedUntil).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Payment::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(WorkLease::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum WorkLease {
    Table,
    Name,
    Holder,
    HeldUntil,
}

#[derive(DeriveIden)]
enum Payment {
    Table,
    ClaimToken,
    ClaimedUntil,
}
