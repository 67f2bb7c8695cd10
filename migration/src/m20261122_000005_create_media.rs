//! Media: images a brand uploads (its logo now; listing photos with the catalog), stored
//! re-encoded in the database so every node serves the same bytes without shared disks.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Media::Table)
                    .col(uuid(Media::Id).primary_key())
                    .col(uuid(Media::BrandId))
                    .col(string_len(Media::Purpose, 32))
                    .col(string_len(Media::ContentType, 32))
                    .col(integer(Media::Width))
                    .col(integer(Media::Height))
                    .col(integer(Media::ByteSize))
                    .col(blob(Media::Data))
                    .col(uuid(Media::UploadedBy))
                    .col(timestamp_with_time_zone(Media::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Media::Table, Media::BrandId)
                            .to(Brand::Table, Brand::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_media_brand")
                    .table(Media::Table)
                    .col(Media::BrandId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Media::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Media {
    Table,
    Id,
    BrandId,
    Purpose,
    ContentType,
    Width,
    Height,
    ByteSize,
    Data,
    UploadedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Brand {
    Table,
    Id,
}
