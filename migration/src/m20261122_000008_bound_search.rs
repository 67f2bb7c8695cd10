//! Search that stays fast at festival scale: every query looks at a bounded set of the newest
//! matches instead of ranking all of them (see `catalog::search`).
//!
//! SQLite: the FTS5 table is rebuilt with a `facets` column (category, brand and "in stock"
//! as tokens, so filters narrow the match inside the index) and row ids that follow the order
//! listings were indexed in (`listing.search_key` remembers each listing's row id), so
//! `ORDER BY rowid DESC LIMIT n` yields the newest matches without looking at older ones.
//! PostgreSQL keeps its generated `tsvector`; its candidate set comes from `published_at`.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The FTS5 table as of this migration (columns in the order `bm25()` weights them).
const CREATE_FTS: &str = "CREATE VIRTUAL TABLE listing_fts USING fts5(\
    listing_id UNINDEXED, title, brand, description, facets, \
    tokenize = 'unicode61 remove_diacritics 2')";

/// The facet tokens of a listing row, as SQL (must match `catalog::search::facets`).
const FACETS_SQL: &str = "'cat' || category || ' brand' || lower(hex(brand_id)) || \
    CASE WHEN available > 0 THEN ' instock' ELSE '' END";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Listing::Table)
                    .add_column(big_integer_null(Listing::SearchKey))
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("DROP TABLE listing_fts").await?;
        db.execute_unprepared(CREATE_FTS).await?;
        // Existing visible listings get row ids in publication order.
        db.execute_unprepared(
            "UPDATE listing SET search_key = ranked.n FROM (\
               SELECT id, ROW_NUMBER() OVER (ORDER BY published_at, id) AS n \
               FROM listing WHERE visible) AS ranked \
             WHERE listing.id = ranked.id",
        )
        .await?;
        db.execute_unprepared(&format!(
            "INSERT INTO listing_fts (rowid, listing_id, title, brand, description, facets) \
             SELECT search_key, id, title, brand_name, description_md, {FACETS_SQL} \
             FROM listing WHERE visible"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            // The previous layout keyed rows by a hash of the listing id, which SQL cannot
            // compute: the table comes back empty and listings are re-indexed as they are
            // next saved. `down()` is for development databases.
            let db = manager.get_connection();
            db.execute_unprepared("DROP TABLE listing_fts").await?;
            db.execute_unprepared(
                "CREATE VIRTUAL TABLE listing_fts USING fts5(\
                   listing_id UNINDEXED, title, brand, description, \
                   tokenize = 'unicode61 remove_diacritics 2')",
            )
            .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Listing::Table)
                    .drop_column(Listing::SearchKey)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Listing {
    Table,
    SearchKey,
}
