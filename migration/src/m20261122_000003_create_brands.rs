//! Brands (Gala's tenants), their teams, invitations and API tokens.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Brand::Table)
                    .col(uuid(Brand::Id).primary_key())
                    .col(string_len_uniq(Brand::Slug, 40))
                    .col(string_len(Brand::LegalName, 160))
                    .col(string_len(Brand::DisplayName, 80))
                    .col(string_len(Brand::Country, 2))
                    .col(string_len(Brand::Category, 40))
                    .col(string_len(Brand::ContactEmail, 254))
                    .col(text(Brand::Description))
                    .col(string_len(Brand::LicenceNumber, 64))
                    .col(string_len_null(Brand::LogoPath, 255))
                    .col(string_len(Brand::Status, 20))
                    .col(text_null(Brand::ReviewNote))
                    .col(uuid(Brand::ApplicantAccountId))
                    .col(timestamp_with_time_zone(Brand::SubmittedAt))
                    .col(timestamp_with_time_zone_null(Brand::ReviewedAt))
                    .col(uuid_null(Brand::ReviewedBy))
                    .col(timestamp_with_time_zone(Brand::CreatedAt))
                    .col(timestamp_with_time_zone(Brand::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Brand::Table, Brand::ApplicantAccountId)
                            .to(Account::Table, Account::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_brand_status_submitted")
                    .table(Brand::Table)
                    .col(Brand::Status)
                    .col(Brand::SubmittedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BrandMembership::Table)
                    .col(uuid(BrandMembership::BrandId))
                    .col(uuid(BrandMembership::AccountId))
                    .col(string_len(BrandMembership::Role, 16))
                    .col(timestamp_with_time_zone(BrandMembership::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(BrandMembership::BrandId)
                            .col(BrandMembership::AccountId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(BrandMembership::Table, BrandMembership::BrandId)
                            .to(Brand::Table, Brand::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(BrandMembership::Table, BrandMembership::AccountId)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_brand_membership_account")
                    .table(BrandMembership::Table)
                    .col(BrandMembership::AccountId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BrandMembership::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Brand::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Brand {
    Table,
    Id,
    Slug,
    LegalName,
    DisplayName,
    Country,
    Category,
    ContactEmail,
    Description,
    LicenceNumber,
    LogoPath,
    Status,
    ReviewNote,
    ApplicantAccountId,
    SubmittedAt,
    ReviewedAt,
    ReviewedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BrandMembership {
    Table,
    BrandId,
    AccountId,
    Role,
    CreatedAt,
}
