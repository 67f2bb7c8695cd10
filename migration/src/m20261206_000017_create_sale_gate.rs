//! Sale gates: who may buy a SKU, through which channel, when, how many per buyer and from
//! which stock pool, as set by another capability (a show's look today) and let go of again.
//!
//! Until now a show wrote these rules straight onto the `sku` row (`sale_channel`,
//! `sale_opens_at`, `sale_closes_at`, and its own `purchase_limit` over the brand's), so
//! removing a look or ending a show left the SKU off the storefront. The rules move to
//! `sale_gate`, one row per (SKU, owner), and the SKU's own row is never changed: letting go
//! deletes the owner's rows. Gates of exclusive SKUs in looks of shows that have not ended are
//! carried over with their look's buy window; the three `sku` columns go.

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, DbBackend},
};

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
                    .table(SaleGate::Table)
                    .col(uuid(SaleGate::SkuId))
                    .col(string_len(SaleGate::OwnerKind, 24))
                    .col(uuid(SaleGate::OwnerId))
                    .col(string_len(SaleGate::Pool, 48))
                    .col(string_len_null(SaleGate::Channel, 16))
                    .col(timestamp_with_time_zone_null(SaleGate::OpensAt))
                    .col(timestamp_with_time_zone_null(SaleGate::ClosesAt))
                    .col(integer_null(SaleGate::PurchaseLimit))
                    .col(timestamp_with_time_zone(SaleGate::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(SaleGate::SkuId)
                            .col(SaleGate::OwnerKind)
                            .col(SaleGate::OwnerId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SaleGate::Table, SaleGate::SkuId)
                            .to(Sku::Table, Sku::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sale_gate_owner")
                    .table(SaleGate::Table)
                    .col(SaleGate::OwnerKind)
                    .col(SaleGate::OwnerId)
                    .to_owned(),
            )
            .await?;
        let show_pool = match manager.get_database_backend() {
            DbBackend::Postgres => "'show:' || s.id::text",
            _ => "'show:' || s.id",
        };
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO sale_gate (sku_id, owner_kind, owner_id, pool, channel, opens_at, \
                 closes_at, purchase_limit, created_at) \
                 SELECT i.sku_id, 'show_look', l.id, {show_pool}, 'show', l.window_opens_at, \
                 l.window_closes_at, NULL, s.created_at \
                 FROM show_look_item i JOIN show_look l ON l.id = i.look_id \
                 JOIN show s ON s.id = l.show_id \
                 WHERE i.exclusive AND s.status <> 'ended'"
            ))
            .await?;
        for column in [Sku::SaleClosesAt, Sku::SaleOpensAt, Sku::SaleChannel] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sku::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sku::Table)
                    .add_column(string_len_null(Sku::SaleChannel, 16))
                    .to_owned(),
            )
            .await?;
        for column in [Sku::SaleOpensAt, Sku::SaleClosesAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sku::Table)
                        .add_column(timestamp_with_time_zone_null(column))
                        .to_owned(),
                )
                .await?;
        }
        // Back onto the SKU rows: one channel-restricted gate per SKU (the latest window).
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE sku SET sale_channel = g.channel, sale_opens_at = g.opens_at, \
                 sale_closes_at = g.closes_at FROM sale_gate g \
                 WHERE g.sku_id = sku.id AND g.channel IS NOT NULL",
            )
            .await?;
        manager
            .drop_table(Table::drop().table(SaleGate::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SaleGate {
    Table,
    SkuId,
    OwnerKind,
    OwnerId,
    Pool,
    Channel,
    OpensAt,
    ClosesAt,
    PurchaseLimit,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sku {
    Table,
    Id,
    SaleChannel,
    SaleOpensAt,
    SaleClosesAt,
}
