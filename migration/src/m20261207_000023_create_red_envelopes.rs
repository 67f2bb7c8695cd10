//! Red envelopes: a platform pool with a fixed budget, handed out through interactive moments
//! (the festival page's game, a live show) where the server decides each win.
//!
//! - `envelope_pool`: the budget, what is left (taken by conditional updates, given back when
//!   envelopes expire unredeemed), the amounts' range, the chance to win, per-buyer limits.
//! - `envelope_play`: one row per (pool, moment, buyer): a moment is played once, so asking
//!   again answers the same outcome.
//! - `envelope_buyer`: envelopes and money one buyer won from a pool, for its limits.
//! - `red_envelope`: an envelope won: won → held by an order → used, back to won when that
//!   order lapses or is cancelled, or expired (its money back to the pool).

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
                    .table(EnvelopePool::Table)
                    .col(uuid(EnvelopePool::Id).primary_key())
                    .col(string_len(EnvelopePool::Name, 80))
                    .col(string_len(EnvelopePool::Currency, 3))
                    .col(big_integer(EnvelopePool::BudgetMinor))
                    .col(big_integer(EnvelopePool::RemainingMinor))
                    .col(big_integer(EnvelopePool::MinMinor))
                    .col(big_integer(EnvelopePool::MaxMinor))
                    .col(integer(EnvelopePool::WinPercent))
                    .col(integer(EnvelopePool::PerBuyerCount))
                    .col(big_integer(EnvelopePool::PerBuyerMinor))
                    .col(integer(EnvelopePool::ValidSecs))
                    .col(timestamp_with_time_zone(EnvelopePool::StartsAt))
                    .col(timestamp_with_time_zone(EnvelopePool::EndsAt))
                    .col(timestamp_with_time_zone(EnvelopePool::CreatedAt))
                    .check(Expr::col(EnvelopePool::RemainingMinor).gte(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EnvelopePlay::Table)
                    .col(uuid(EnvelopePlay::PoolId))
                    .col(string_len(EnvelopePlay::Moment, 120))
                    .col(uuid(EnvelopePlay::AccountId))
                    .col(uuid_null(EnvelopePlay::EnvelopeId))
                    .col(timestamp_with_time_zone(EnvelopePlay::PlayedAt))
                    .primary_key(
                        Index::create()
                            .col(EnvelopePlay::PoolId)
                            .col(EnvelopePlay::Moment)
                            .col(EnvelopePlay::AccountId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EnvelopeBuyer::Table)
                    .col(uuid(EnvelopeBuyer::PoolId))
                    .col(uuid(EnvelopeBuyer::AccountId))
                    .col(big_integer(EnvelopeBuyer::WonCount).default(0))
                    .col(big_integer(EnvelopeBuyer::WonMinor).default(0))
                    .primary_key(
                        Index::create()
                            .col(EnvelopeBuyer::PoolId)
                            .col(EnvelopeBuyer::AccountId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RedEnvelope::Table)
                    .col(uuid(RedEnvelope::Id).primary_key())
                    .col(uuid(RedEnvelope::PoolId))
                    .col(uuid(RedEnvelope::AccountId))
                    .col(string_len(RedEnvelope::Moment, 120))
                    .col(big_integer(RedEnvelope::AmountMinor))
                    .col(string_len(RedEnvelope::Currency, 3))
                    .col(string_len(RedEnvelope::Status, 16))
                    .col(uuid_null(RedEnvelope::OrderId))
                    .col(timestamp_with_time_zone(RedEnvelope::WonAt))
                    .col(timestamp_with_time_zone(RedEnvelope::ExpiresAt))
                    .col(timestamp_with_time_zone(RedEnvelope::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "idx_red_envelope_account",
                [RedEnvelope::AccountId, RedEnvelope::WonAt],
            ),
            (
                "idx_red_envelope_expiry",
                [RedEnvelope::Status, RedEnvelope::ExpiresAt],
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(RedEnvelope::Table)
                        .col(columns[0].clone())
                        .col(columns[1].clone())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_red_envelope_order")
                    .table(RedEnvelope::Table)
                    .col(RedEnvelope::OrderId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RedEnvelope::Table.into_iden(),
            EnvelopeBuyer::Table.into_iden(),
            EnvelopePlay::Table.into_iden(),
            EnvelopePool::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum EnvelopePool {
    Table,
    Id,
    Name,
    Currency,
    BudgetMinor,
    RemainingMinor,
    MinMinor,
    MaxMinor,
    WinPercent,
    PerBuyerCount,
    PerBuyerMinor,
    ValidSecs,
    StartsAt,
    EndsAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EnvelopePlay {
    Table,
    PoolId,
    Moment,
    AccountId,
    EnvelopeId,
    PlayedAt,
}

#[derive(DeriveIden)]
enum EnvelopeBuyer {
    Table,
    PoolId,
    AccountId,
    WonCount,
    WonMinor,
}

#[derive(DeriveIden, Clone)]
enum RedEnvelope {
    Table,
    Id,
    PoolId,
    AccountId,
    Moment,
    AmountMinor,
    Currency,
    Status,
    OrderId,
    WonAt,
    ExpiresAt,
    UpdatedAt,
}
