//! Checkout: orders (one parent per purchase, one child per brand), their lines, payments,
//! idempotency records, per-buyer purchase tallies (purchase limits) and saved payment methods.
//! Also a per-buyer purchase limit on SKUs.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sku::Table)
                    .add_column(integer_null(Sku::PurchaseLimit))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ShopOrder::Table)
                    .col(uuid(ShopOrder::Id).primary_key())
                    .col(string_len(ShopOrder::Number, 20).unique_key())
                    .col(uuid_null(ShopOrder::AccountId))
                    .col(string_len(ShopOrder::Email, 254))
                    .col(string_len(ShopOrder::Channel, 16))
                    .col(string_len(ShopOrder::Status, 20))
                    .col(string_len(ShopOrder::Currency, 3))
                    .col(big_integer(ShopOrder::SubtotalMinor))
                    .col(big_integer(ShopOrder::ShippingMinor))
                    .col(big_integer(ShopOrder::TotalMinor))
                    .col(string_len(ShopOrder::Delivery, 16))
                    .col(text_null(ShopOrder::ShippingAddress))
                    .col(timestamp_with_time_zone(ShopOrder::CreatedAt))
                    .col(timestamp_with_time_zone(ShopOrder::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ShopOrder::PaidAt))
                    .col(timestamp_with_time_zone_null(
                        ShopOrder::ConfirmationQueuedAt,
                    ))
                    .col(timestamp_with_time_zone(ShopOrder::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "idx_shop_order_account",
                vec![ShopOrder::AccountId, ShopOrder::CreatedAt],
            ),
            (
                "idx_shop_order_status_expiry",
                vec![ShopOrder::Status, ShopOrder::ExpiresAt],
            ),
            (
                "idx_shop_order_confirmation",
                vec![ShopOrder::Status, ShopOrder::ConfirmationQueuedAt],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(ShopOrder::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(BrandOrder::Table)
                    .col(uuid(BrandOrder::Id).primary_key())
                    .col(uuid(BrandOrder::OrderId))
                    .col(uuid(BrandOrder::BrandId))
                    .col(string_len(BrandOrder::Status, 20))
                    .col(big_integer(BrandOrder::SubtotalMinor))
                    .col(big_integer(BrandOrder::ShippingMinor))
                    .col(big_integer(BrandOrder::RefundedMinor))
                    .col(string_len_null(BrandOrder::Carrier, 60))
                    .col(string_len_null(BrandOrder::TrackingNumber, 80))
                    .col(timestamp_with_time_zone(BrandOrder::CreatedAt))
                    .col(timestamp_with_time_zone(BrandOrder::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BrandOrder::Table, BrandOrder::OrderId)
                            .to(ShopOrder::Table, ShopOrder::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_brand_order_brand")
                    .table(BrandOrder::Table)
                    .col(BrandOrder::BrandId)
                    .col(BrandOrder::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_brand_order_order")
                    .table(BrandOrder::Table)
                    .col(BrandOrder::OrderId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrderLine::Table)
                    .col(uuid(OrderLine::Id).primary_key())
                    .col(uuid(OrderLine::OrderId))
                    .col(uuid(OrderLine::BrandOrderId))
                    .col(uuid(OrderLine::BrandId))
                    .col(uuid(OrderLine::ListingId))
                    .col(uuid(OrderLine::SkuId))
                    .col(string_len(OrderLine::SkuCode, 64))
                    .col(string_len(OrderLine::Title, 200))
                    .col(text(OrderLine::OptionValues))
                    .col(big_integer(OrderLine::Quantity))
                    .col(big_integer(OrderLine::UnitPriceMinor))
                    .col(big_integer(OrderLine::RefundedQuantity))
                    .col(text(OrderLine::Allocations))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OrderLine::Table, OrderLine::OrderId)
                            .to(ShopOrder::Table, ShopOrder::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_order_line_order")
                    .table(OrderLine::Table)
                    .col(OrderLine::OrderId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Payment::Table)
                    .col(uuid(Payment::Id).primary_key())
                    .col(uuid(Payment::OrderId))
                    .col(string_len(Payment::Provider, 20))
                    .col(string_len(Payment::Kind, 16))
                    .col(string_len(Payment::Status, 16))
                    .col(string_len_null(Payment::Reference, 80))
                    .col(big_integer(Payment::AmountMinor))
                    .col(string_len(Payment::Currency, 3))
                    .col(string_len_null(Payment::CardBrand, 20))
                    .col(string_len_null(Payment::CardLast4, 4))
                    .col(string_len_null(Payment::FailureCode, 40))
                    .col(timestamp_with_time_zone(Payment::CreatedAt))
                    .col(timestamp_with_time_zone(Payment::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Payment::Table, Payment::OrderId)
                            .to(ShopOrder::Table, ShopOrder::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_payment_order", Payment::OrderId),
            ("idx_payment_status", Payment::Status),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Payment::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyRecord::Table)
                    .col(string_len(IdempotencyRecord::Scope, 80))
                    .col(string_len(IdempotencyRecord::Key, 255))
                    .col(string_len(IdempotencyRecord::RequestHash, 64))
                    .col(uuid_null(IdempotencyRecord::OrderId))
                    .col(integer_null(IdempotencyRecord::StatusCode))
                    .col(timestamp_with_time_zone(IdempotencyRecord::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyRecord::Scope)
                            .col(IdempotencyRecord::Key),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_idempotency_order")
                    .table(IdempotencyRecord::Table)
                    .col(IdempotencyRecord::OrderId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_idempotency_created")
                    .table(IdempotencyRecord::Table)
                    .col(IdempotencyRecord::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SkuPurchase::Table)
                    .col(uuid(SkuPurchase::SkuId))
                    .col(string_len(SkuPurchase::BuyerKey, 300))
                    .col(big_integer(SkuPurchase::Quantity))
                    .primary_key(
                        Index::create()
                            .col(SkuPurchase::SkuId)
                            .col(SkuPurchase::BuyerKey),
                    )
                    .check(Expr::cust("quantity >= 0"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PaymentMethod::Table)
                    .col(uuid(PaymentMethod::Id).primary_key())
                    .col(uuid(PaymentMethod::AccountId))
                    .col(string_len(PaymentMethod::Provider, 20))
                    .col(string_len(PaymentMethod::Token, 120))
                    .col(string_len(PaymentMethod::CardBrand, 20))
                    .col(string_len(PaymentMethod::CardLast4, 4))
                    .col(integer(PaymentMethod::ExpMonth))
                    .col(integer(PaymentMethod::ExpYear))
                    .col(timestamp_with_time_zone(PaymentMethod::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PaymentMethod::Table, PaymentMethod::AccountId)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_payment_method_account")
                    .table(PaymentMethod::Table)
                    .col(PaymentMethod::AccountId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PaymentMethod::Table.into_iden(),
            SkuPurchase::Table.into_iden(),
            IdempotencyRecord::Table.into_iden(),
            Payment::Table.into_iden(),
            OrderLine::Table.into_iden(),
            BrandOrder::Table.into_iden(),
            ShopOrder::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Sku::Table)
                    .drop_column(Sku::PurchaseLimit)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Sku {
    Table,
    PurchaseLimit,
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ShopOrder {
    Table,
    Id,
    Number,
    AccountId,
    Email,
    Channel,
    Status,
    Currency,
    SubtotalMinor,
    ShippingMinor,
    TotalMinor,
    Delivery,
    ShippingAddress,
    CreatedAt,
    ExpiresAt,
    PaidAt,
    ConfirmationQueuedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BrandOrder {
    Table,
    Id,
    OrderId,
    BrandId,
    Status,
    SubtotalMinor,
    ShippingMinor,
    RefundedMinor,
    Carrier,
    TrackingNumber,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrderLine {
    Table,
    Id,
    OrderId,
    BrandOrderId,
    BrandId,
    ListingId,
    SkuId,
    SkuCode,
    Title,
    OptionValues,
    Quantity,
    UnitPriceMinor,
    RefundedQuantity,
    Allocations,
}

#[derive(DeriveIden)]
enum Payment {
    Table,
    Id,
    OrderId,
    Provider,
    Kind,
    Status,
    Reference,
    AmountMinor,
    Currency,
    CardBrand,
    CardLast4,
    FailureCode,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum IdempotencyRecord {
    Table,
    Scope,
    Key,
    RequestHash,
    OrderId,
    StatusCode,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SkuPurchase {
    Table,
    SkuId,
    BuyerKey,
    Quantity,
}

#[derive(DeriveIden)]
enum PaymentMethod {
    Table,
    Id,
    AccountId,
    Provider,
    Token,
    CardBrand,
    CardLast4,
    ExpMonth,
    ExpYear,
    CreatedAt,
}
