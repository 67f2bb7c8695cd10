//! Orders keep what was actually charged, where their units came from, and refunds get their
//! own table.
//!
//! - `order_line.adjustments` (JSON) and `order_line.total_minor`: the price quote's
//!   adjustments on the line (discounts, credits: each with its kind, source and funder) and
//!   what the line cost after them, which refunds are computed from. Existing lines had none:
//!   their total is quantity × unit price.
//! - `brand_order.adjustments_minor`, `shop_order.adjustments_minor`: the sum of the lines'
//!   adjustments (negative for discounts), so `total = subtotal + adjustments + shipping`.
//! - `shop_order.pool`: the stock pool the order drew on — `open`, or `show:<id>` for a show's
//!   buyers. Orders made before it are `open`.
//! - `refund`: refunds move out of `payment` into their own table, written only by
//!   fulfilment, with the brand order each refunds. `payment` keeps the charges the checkout
//!   makes, so its `kind` column goes.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::ConnectionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let add = |table: TableRef, column: ColumnDef| {
            Table::alter().table(table).add_column(column).to_owned()
        };
        manager
            .alter_table(add(
                OrderLine::Table.into_table_ref(),
                text(OrderLine::Adjustments).default("[]").to_owned(),
            ))
            .await?;
        manager
            .alter_table(add(
                OrderLine::Table.into_table_ref(),
                big_integer(OrderLine::TotalMinor).default(0).to_owned(),
            ))
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("UPDATE order_line SET total_minor = quantity * unit_price_minor")
            .await?;
        for table in [
            BrandOrder::Table.into_table_ref(),
            ShopOrder::Table.into_table_ref(),
        ] {
            manager
                .alter_table(add(
                    table,
                    big_integer(Alias::new("adjustments_minor"))
                        .default(0)
                        .to_owned(),
                ))
                .await?;
        }
        manager
            .alter_table(add(
                ShopOrder::Table.into_table_ref(),
                string_len(ShopOrder::Pool, 48).default("open").to_owned(),
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Refund::Table)
                    .col(uuid(Refund::Id).primary_key())
                    .col(uuid(Refund::OrderId))
                    .col(uuid_null(Refund::BrandOrderId))
                    .col(string_len(Refund::Provider, 32))
                    .col(string_len(Refund::Status, 16))
                    .col(string_len_null(Refund::Reference, 128))
                    .col(big_integer(Refund::AmountMinor))
                    .col(string_len(Refund::Currency, 3))
                    .col(timestamp_with_time_zone(Refund::CreatedAt))
                    .col(timestamp_with_time_zone(Refund::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Refund::Table, Refund::OrderId)
                            .to(ShopOrder::Table, ShopOrder::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_refund_order")
                    .table(Refund::Table)
                    .col(Refund::OrderId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_refund_status")
                    .table(Refund::Table)
                    .col(Refund::Status)
                    .col(Refund::CreatedAt)
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared(
            "INSERT INTO refund (id, order_id, brand_order_id, provider, status, reference, \
             amount_minor, currency, created_at, updated_at) \
             SELECT id, order_id, NULL, provider, status, reference, amount_minor, currency, \
             created_at, updated_at FROM payment WHERE kind = 'refund'",
        )
        .await?;
        db.execute_unprepared("DELETE FROM payment WHERE kind = 'refund'")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Payment::Table)
                    .drop_column(Payment::Kind)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Payment::Table)
                    .add_column(string_len(Payment::Kind, 16).default("charge"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO payment (id, order_id, provider, kind, status, reference, amount_minor, \
             currency, card_brand, card_last4, failure_code, created_at, updated_at) \
             SELECT id, order_id, provider, 'refund', status, reference, amount_minor, \
             currency, NULL, NULL, NULL, created_at, updated_at FROM refund",
        )
        .await?;
        manager
            .drop_table(Table::drop().table(Refund::Table).to_owned())
            .await?;
        let drop = |table: TableRef, column: DynIden| {
            Table::alter().table(table).drop_column(column).to_owned()
        };
        manager
            .alter_table(drop(
                ShopOrder::Table.into_table_ref(),
                ShopOrder::Pool.into_iden(),
            ))
            .await?;
        for table in [
            ShopOrder::Table.into_table_ref(),
            BrandOrder::Table.into_table_ref(),
        ] {
            manager
                .alter_table(drop(table, Alias::new("adjustments_minor").into_iden()))
                .await?;
        }
        for column in [OrderLine::TotalMinor, OrderLine::Adjustments] {
            manager
                .alter_table(drop(OrderLine::Table.into_table_ref(), column.into_iden()))
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum OrderLine {
    Table,
    Adjustments,
    TotalMinor,
}

#[derive(DeriveIden)]
enum BrandOrder {
    Table,
}

#[derive(DeriveIden)]
enum ShopOrder {
    Table,
    Id,
    Pool,
}

#[derive(DeriveIden)]
enum Payment {
    Table,
    Kind,
}

#[derive(DeriveIden)]
enum Refund {
    Table,
    Id,
    OrderId,
    BrandOrderId,
    Provider,
    Status,
    Reference,
    AmountMinor,
    Currency,
    CreatedAt,
    UpdatedAt,
}
