//! Pre-sale campaigns (issue 32): a brand's campaign with its deposit and balance windows and
//! its rules (`presale_campaign`), and the SKUs it pre-sells with their prices, deposits,
//! credits and caps (`presale_line`).

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
                    .table(PresaleCampaign::Table)
                    .col(uuid(PresaleCampaign::Id).primary_key())
                    .col(uuid(PresaleCampaign::BrandId))
                    .col(string_len(PresaleCampaign::Name, 80))
                    .col(string_len(PresaleCampaign::Currency, 3))
                    .col(string_len(PresaleCampaign::Status, 24))
                    .col(timestamp_with_time_zone(PresaleCampaign::DepositStartsAt))
                    .col(timestamp_with_time_zone(PresaleCampaign::DepositEndsAt))
                    .col(timestamp_with_time_zone(PresaleCampaign::BalanceStartsAt))
                    .col(timestamp_with_time_zone(PresaleCampaign::BalanceEndsAt))
                    .col(integer(PresaleCampaign::PerBuyerLimit))
                    .col(integer(PresaleCampaign::RefundMultiplierPercent))
                    .col(text(PresaleCampaign::Rules))
                    .col(text_null(PresaleCampaign::ReviewNote))
                    .col(uuid_null(PresaleCampaign::ReviewedBy))
                    .col(timestamp_with_time_zone_null(PresaleCampaign::ReviewedAt))
                    .col(timestamp_with_time_zone_null(PresaleCampaign::SubmittedAt))
                    .col(timestamp_with_time_zone_null(PresaleCampaign::CancelledAt))
                    .col(uuid(PresaleCampaign::CreatedBy))
                    .col(timestamp_with_time_zone(PresaleCampaign::CreatedAt))
                    .col(timestamp_with_time_zone(PresaleCampaign::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PresaleCampaign::Table, PresaleCampaign::BrandId)
                            .to(Brand::Table, Brand::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PresaleLine::Table)
                    .col(uuid(PresaleLine::Id).primary_key())
                    .col(uuid(PresaleLine::CampaignId))
                    .col(uuid(PresaleLine::BrandId))
                    .col(uuid(PresaleLine::SkuId))
                    .col(uuid(PresaleLine::ListingId))
                    .col(string_len(PresaleLine::Title, 400))
                    .col(big_integer(PresaleLine::PriceMinor))
                    .col(big_integer(PresaleLine::DepositMinor))
                    .col(big_integer(PresaleLine::CreditMinor))
                    .col(big_integer(PresaleLine::Cap))
                    .check(Expr::col(PresaleLine::Cap).gt(0))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PresaleLine::Table, PresaleLine::CampaignId)
                            .to(PresaleCampaign::Table, PresaleCampaign::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for index in [
            Index::create()
                .name("idx_presale_campaign_brand")
                .table(PresaleCampaign::Table)
                .col(PresaleCampaign::BrandId)
                .col(PresaleCampaign::UpdatedAt)
                .to_owned(),
            Index::create()
                .name("idx_presale_campaign_status")
                .table(PresaleCampaign::Table)
                .col(PresaleCampaign::Status)
                .col(PresaleCampaign::SubmittedAt)
                .to_owned(),
            Index::create()
                .name("idx_presale_line_campaign_sku")
                .table(PresaleLine::Table)
                .col(PresaleLine::CampaignId)
                .col(PresaleLine::SkuId)
                .unique()
                .to_owned(),
            Index::create()
                .name("idx_presale_line_sku")
                .table(PresaleLine::Table)
                .col(PresaleLine::SkuId)
                .to_owned(),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PresaleLine::Table.into_iden(),
            PresaleCampaign::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum PresaleCampaign {
    Table,
    Id,
    BrandId,
    Name,
    Currency,
    Status,
    DepositStartsAt,
    DepositEndsAt,
    BalanceStartsAt,
    BalanceEndsAt,
    PerBuyerLimit,
    RefundMultiplierPercent,
    Rules,
    ReviewNote,
    ReviewedBy,
    ReviewedAt,
    SubmittedAt,
    CancelledAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PresaleLine {
    Table,
    Id,
    CampaignId,
    BrandId,
    SkuId,
    ListingId,
    Title,
    PriceMinor,
    DepositMinor,
    CreditMinor,
    Cap,
}

#[derive(DeriveIden)]
enum Brand {
    Table,
    Id,
}
