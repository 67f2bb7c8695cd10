//! Pre-sale deposits through the checkout engine (issue 32):
//!
//! - `stock_location.show_id` becomes `set_aside_for`: the show *or pre-sale campaign* whose
//!   buyers alone draw on the location's stock (the location's `kind` says which). A
//!   campaign's cap is set aside like a show's drop stock, so deposits never pass it.
//! - `shop_order.presale_campaign_id`: the campaign a deposit order belongs to.
//! - `order_line.presale_price_minor` / `presale_credit_minor`: a deposit line's pre-sale price
//!   and the credit its deposit is worth at balance time, copied at deposit time (the line's
//!   `unit_price_minor` is the deposit).

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
            .alter_table(
                Table::alter()
                    .table(StockLocation::Table)
                    .rename_column(StockLocation::ShowId, StockLocation::SetAsideFor)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ShopOrder::Table)
                    .add_column(uuid_null(ShopOrder::PresaleCampaignId))
                    .to_owned(),
            )
            .await?;
        for column in [OrderLine::PresalePriceMinor, OrderLine::PresaleCreditMinor] {
            manager
                .alter_table(
                    Table::alter()
                        .table(OrderLine::Table)
                        .add_column(big_integer_null(column))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_shop_order_presale")
                    .table(ShopOrder::Table)
                    .col(ShopOrder::PresaleCampaignId)
                    .col(ShopOrder::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_shop_order_presale")
                    .table(ShopOrder::Table)
                    .to_owned(),
            )
            .await?;
        for column in [OrderLine::PresaleCreditMinor, OrderLine::PresalePriceMinor] {
            manager
                .alter_table(
                    Table::alter()
                        .table(OrderLine::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(ShopOrder::Table)
                    .drop_column(ShopOrder::PresaleCampaignId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(StockLocation::Table)
                    .rename_column(StockLocation::SetAsideFor, StockLocation::ShowId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum StockLocation {
    Table,
    ShowId,
    SetAsideFor,
}

#[derive(DeriveIden)]
enum ShopOrder {
    Table,
    PresaleCampaignId,
    Status,
}

#[derive(DeriveIden)]
enum OrderLine {
    Table,
    PresalePriceMinor,
    PresaleCreditMinor,
}
