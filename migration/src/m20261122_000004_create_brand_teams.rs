//! Brand teams: invitations by email, and API tokens for a brand's own systems.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BrandInvite::Table)
                    .col(uuid(BrandInvite::Id).primary_key())
                    .col(uuid(BrandInvite::BrandId))
                    .col(string_len(BrandInvite::Email, 254))
                    .col(string_len(BrandInvite::Role, 16))
                    .col(string_len_uniq(BrandInvite::TokenHash, 64))
                    .col(uuid(BrandInvite::InvitedBy))
                    .col(timestamp_with_time_zone(BrandInvite::ExpiresAt))
                    .col(timestamp_with_time_zone_null(BrandInvite::AcceptedAt))
                    .col(timestamp_with_time_zone_null(BrandInvite::RevokedAt))
                    .col(timestamp_with_time_zone(BrandInvite::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BrandInvite::Table, BrandInvite::BrandId)
                            .to(Brand::Table, Brand::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_brand_invite_brand")
                    .table(BrandInvite::Table)
                    .col(BrandInvite::BrandId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BrandApiToken::Table)
                    .col(uuid(BrandApiToken::Id).primary_key())
                    .col(uuid(BrandApiToken::BrandId))
                    .col(string_len(BrandApiToken::Name, 80))
                    .col(string_len(BrandApiToken::Scope, 16))
                    .col(string_len_uniq(BrandApiToken::TokenHash, 64))
                    .col(uuid(BrandApiToken::CreatedBy))
                    .col(timestamp_with_time_zone(BrandApiToken::CreatedAt))
                    .col(timestamp_with_time_zone_null(BrandApiToken::LastUsedAt))
                    .col(timestamp_with_time_zone_null(BrandApiToken::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BrandApiToken::Table, BrandApiToken::BrandId)
                            .to(Brand::Table, Brand::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BrandApiToken::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(BrandInvite::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Brand {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum BrandInvite {
    Table,
    Id,
    BrandId,
    Email,
    Role,
    TokenHash,
    InvitedBy,
    ExpiresAt,
    AcceptedAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BrandApiToken {
    Table,
    Id,
    BrandId,
    Name,
    Scope,
    TokenHash,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}
