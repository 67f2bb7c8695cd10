//! Carts (a guest's, kept by its session, or an account's) and what brands record when they
//! fulfil, cancel or refund their part of an order.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Cart::Table)
                    .col(uuid(Cart::Id).primary_key())
                    // One cart per account; guest carts have none.
                    .col(uuid_null(Cart::AccountId).unique_key())
                    .col(timestamp_with_time_zone(Cart::CreatedAt))
                    .col(timestamp_with_time_zone(Cart::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Cart::Table, Cart::AccountId)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cart_updated")
                    .table(Cart::Table)
                    .col(Cart::UpdatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CartLine::Table)
                    .col(uuid(CartLine::CartId))
                    .col(uuid(CartLine::SkuId))
                    .col(big_integer(CartLine::Quantity))
                    .col(timestamp_with_time_zone(CartLine::AddedAt))
                    .primary_key(Index::create().col(CartLine::CartId).col(CartLine::SkuId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CartLine::Table, CartLine::CartId)
                            .to(Cart::Table, Cart::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .check(Expr::cust("quantity > 0"))
                    .to_owned(),
            )
            .await?;
        for column in [BrandOrder::ShippedAt, BrandOrder::CancelledAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(BrandOrder::Table)
                        .add_column(timestamp_with_time_zone_null(column))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_brand_order_brand_status")
                    .table(BrandOrder::Table)
                    .col(BrandOrder::BrandId)
                    .col(BrandOrder::Status)
                    .col(BrandOrder::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_brand_order_brand_status")
                    .table(BrandOrder::Table)
                    .to_owned(),
            )
            .await?;
        for column in [BrandOrder::CancelledAt, BrandOrder::ShippedAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(BrandOrder::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(CartLine::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Cart::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Cart {
    Table,
    Id,
    AccountId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CartLine {
    Table,
    CartId,
    SkuId,
    Quantity,
    AddedAt,
}

#[derive(DeriveIden)]
enum BrandOrder {
    Table,
    Status,
    BrandId,
    CreatedAt,
    ShippedAt,
    CancelledAt,
}
