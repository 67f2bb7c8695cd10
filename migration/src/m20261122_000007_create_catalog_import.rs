//! Bulk imports of listings, variants and stock from CSV: a job per upload, run in the
//! background, with its progress and a report of the rows it refused.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CatalogImport::Table)
                    .col(uuid(CatalogImport::Id).primary_key())
                    .col(uuid(CatalogImport::BrandId))
                    .col(uuid(CatalogImport::CreatedBy))
                    .col(string_len(CatalogImport::FileName, 200))
                    .col(string_len(CatalogImport::Status, 16))
                    .col(text(CatalogImport::Content))
                    .col(integer(CatalogImport::TotalRows))
                    .col(integer(CatalogImport::ProcessedRows))
                    .col(integer(CatalogImport::CreatedListings))
                    .col(integer(CatalogImport::UpdatedListings))
                    .col(integer(CatalogImport::RefusedRows))
                    .col(text_null(CatalogImport::ErrorReport))
                    .col(text_null(CatalogImport::Failure))
                    .col(timestamp_with_time_zone(CatalogImport::CreatedAt))
                    .col(timestamp_with_time_zone_null(CatalogImport::StartedAt))
                    .col(timestamp_with_time_zone_null(CatalogImport::FinishedAt))
                    .col(timestamp_with_time_zone_null(CatalogImport::HeartbeatAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CatalogImport::Table, CatalogImport::BrandId)
                            .to(Brand::Table, Brand::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_catalog_import_brand")
                    .table(CatalogImport::Table)
                    .col(CatalogImport::BrandId)
                    .col(CatalogImport::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_catalog_import_status")
                    .table(CatalogImport::Table)
                    .col(CatalogImport::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CatalogImport::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CatalogImport {
    Table,
    Id,
    BrandId,
    CreatedBy,
    FileName,
    Status,
    Content,
    TotalRows,
    ProcessedRows,
    CreatedListings,
    UpdatedListings,
    RefusedRows,
    ErrorReport,
    Failure,
    CreatedAt,
    StartedAt,
    FinishedAt,
    HeartbeatAt,
}

#[derive(DeriveIden)]
enum Brand {
    Table,
    Id,
}
