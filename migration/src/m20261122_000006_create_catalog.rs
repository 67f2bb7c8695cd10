//! The catalog: listings with options and variants (SKUs), their photos, stock locations,
//! stock levels per SKU and location, and the stock-movement ledger; plus each database's own
//! full-text index over published listings (SQLite FTS5, PostgreSQL tsvector + GIN).

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Listing::Table)
                    .col(uuid(Listing::Id).primary_key())
                    .col(uuid(Listing::BrandId))
                    .col(string_len(Listing::BrandName, 80))
                    .col(string_len(Listing::Title, 200))
                    .col(text(Listing::DescriptionMd))
                    .col(text(Listing::DescriptionHtml))
                    .col(string_len(Listing::Category, 40))
                    .col(string_len(Listing::Status, 16))
                    .col(boolean(Listing::Visible))
                    .col(text(Listing::Options))
                    .col(string_len(Listing::Currency, 3))
                    .col(big_integer(Listing::PriceMinMinor))
                    .col(big_integer(Listing::PriceMaxMinor))
                    .col(big_integer(Listing::Available))
                    .col(string_len_null(Listing::CoverUrl, 255))
                    .col(timestamp_with_time_zone(Listing::CreatedAt))
                    .col(timestamp_with_time_zone(Listing::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Listing::PublishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Listing::Table, Listing::BrandId)
                            .to(Brand::Table, Brand::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_listing_brand_updated",
                vec![Listing::BrandId, Listing::UpdatedAt],
            ),
            (
                "idx_listing_visible_published",
                vec![Listing::Visible, Listing::PublishedAt],
            ),
            (
                "idx_listing_visible_category",
                vec![Listing::Visible, Listing::Category, Listing::PublishedAt],
            ),
            (
                "idx_listing_visible_price",
                vec![Listing::Visible, Listing::PriceMinMinor],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Listing::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Sku::Table)
                    .col(uuid(Sku::Id).primary_key())
                    .col(uuid(Sku::BrandId))
                    .col(uuid(Sku::ListingId))
                    .col(string_len(Sku::Code, 64))
                    .col(text(Sku::OptionValues))
                    .col(big_integer(Sku::PriceMinor))
                    .col(big_integer_null(Sku::CompareAtMinor))
                    .col(string_len(Sku::Currency, 3))
                    .col(integer(Sku::WeightGrams))
                    .col(string_len_null(Sku::Barcode, 32))
                    .col(integer(Sku::Position))
                    .col(timestamp_with_time_zone(Sku::CreatedAt))
                    .col(timestamp_with_time_zone(Sku::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sku::Table, Sku::ListingId)
                            .to(Listing::Table, Listing::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_sku_brand_code")
                    .table(Sku::Table)
                    .col(Sku::BrandId)
                    .col(Sku::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sku_listing")
                    .table(Sku::Table)
                    .col(Sku::ListingId)
                    .col(Sku::Position)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ListingMedia::Table)
                    .col(uuid(ListingMedia::ListingId))
                    .col(uuid(ListingMedia::MediaId))
                    .col(integer(ListingMedia::Position))
                    .col(string_len(ListingMedia::Url, 255))
                    .col(string_len(ListingMedia::ThumbUrl, 255))
                    .primary_key(
                        Index::create()
                            .col(ListingMedia::ListingId)
                            .col(ListingMedia::MediaId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ListingMedia::Table, ListingMedia::ListingId)
                            .to(Listing::Table, Listing::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(StockLocation::Table)
                    .col(uuid(StockLocation::Id).primary_key())
                    .col(uuid(StockLocation::BrandId))
                    .col(string_len(StockLocation::Name, 80))
                    .col(string_len(StockLocation::Kind, 16))
                    .col(timestamp_with_time_zone(StockLocation::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(StockLocation::Table, StockLocation::BrandId)
                            .to(Brand::Table, Brand::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_stock_location_brand_name")
                    .table(StockLocation::Table)
                    .col(StockLocation::BrandId)
                    .col(StockLocation::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(StockLevel::Table)
                    .col(uuid(StockLevel::SkuId))
                    .col(uuid(StockLevel::LocationId))
                    .col(uuid(StockLevel::BrandId))
                    .col(big_integer(StockLevel::OnHand))
                    .col(big_integer(StockLevel::Reserved))
                    .col(timestamp_with_time_zone(StockLevel::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(StockLevel::SkuId)
                            .col(StockLevel::LocationId),
                    )
                    // The database itself refuses negative or over-reserved stock.
                    .check(Expr::cust("reserved >= 0 AND on_hand >= reserved"))
                    .foreign_key(
                        ForeignKey::create()
                            .from(StockLevel::Table, StockLevel::SkuId)
                            .to(Sku::Table, Sku::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(StockLevel::Table, StockLevel::LocationId)
                            .to(StockLocation::Table, StockLocation::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(StockMovement::Table)
                    .col(uuid(StockMovement::Id).primary_key())
                    .col(uuid(StockMovement::BrandId))
                    .col(uuid(StockMovement::SkuId))
                    .col(uuid(StockMovement::LocationId))
                    .col(string_len(StockMovement::Kind, 16))
                    .col(big_integer(StockMovement::OnHandDelta))
                    .col(big_integer(StockMovement::ReservedDelta))
                    .col(string_len(StockMovement::Reason, 200))
                    .col(uuid_null(StockMovement::ActorAccountId))
                    .col(string_len_null(StockMovement::Reference, 80))
                    .col(timestamp_with_time_zone(StockMovement::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(StockMovement::Table, StockMovement::SkuId)
                            .to(Sku::Table, Sku::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_stock_movement_sku_location")
                    .table(StockMovement::Table)
                    .col(StockMovement::SkuId)
                    .col(StockMovement::LocationId)
                    .col(StockMovement::CreatedAt)
                    .to_owned(),
            )
            .await?;

        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                // Rows are written by the catalog service when a listing is published, changed
                // or withdrawn; `rowid` is derived from the listing id (see catalog::search).
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE listing_fts USING fts5(\
                       listing_id UNINDEXED, title, brand, description, \
                       tokenize = 'unicode61 remove_diacritics 2')",
                )
                .await?;
            }
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "ALTER TABLE listing ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (\
                       setweight(to_tsvector('simple', title), 'A') || \
                       setweight(to_tsvector('simple', brand_name), 'B') || \
                       setweight(to_tsvector('simple', description_md), 'C')) STORED",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE INDEX idx_listing_search ON listing USING GIN (search_vector) \
                     WHERE visible",
                )
                .await?;
            }
            _ => {}
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            manager
                .get_connection()
                .execute_unprepared("DROP TABLE IF EXISTS listing_fts")
                .await?;
        }
        for table in [
            StockMovement::Table.into_iden(),
            StockLevel::Table.into_iden(),
            StockLocation::Table.into_iden(),
            ListingMedia::Table.into_iden(),
            Sku::Table.into_iden(),
            Listing::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Listing {
    Table,
    Id,
    BrandId,
    BrandName,
    Title,
    DescriptionMd,
    DescriptionHtml,
    Category,
    Status,
    Visible,
    Options,
    Currency,
    PriceMinMinor,
    PriceMaxMinor,
    Available,
    CoverUrl,
    CreatedAt,
    UpdatedAt,
    PublishedAt,
}

#[derive(DeriveIden)]
enum Sku {
    Table,
    Id,
    BrandId,
    ListingId,
    Code,
    OptionValues,
    PriceMinor,
    CompareAtMinor,
    Currency,
    WeightGrams,
    Barcode,
    Position,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ListingMedia {
    Table,
    ListingId,
    MediaId,
    Position,
    Url,
    ThumbUrl,
}

#[derive(DeriveIden)]
enum StockLocation {
    Table,
    Id,
    BrandId,
    Name,
    Kind,
    CreatedAt,
}

#[derive(DeriveIden)]
enum StockLevel {
    Table,
    SkuId,
    LocationId,
    BrandId,
    OnHand,
    Reserved,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum StockMovement {
    Table,
    Id,
    BrandId,
    SkuId,
    LocationId,
    Kind,
    OnHandDelta,
    ReservedDelta,
    Reason,
    ActorAccountId,
    Reference,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Brand {
    Table,
    Id,
}
