//! PostgreSQL search narrows by its filters inside the full-text index, as SQLite's FTS5
//! table already does (migration 000008).
//!
//! The generated `listing.search_vector` also carries the listing's facets as lexemes without
//! positions: `cat<category>` and `brand<brand id hex>` (the same tokens as
//! `catalog::search::facets`). "In stock" is left out: nine listings in ten are, so as a
//! lexeme its posting list would be nearly the whole table, which GIN reads in full. A search for two words in one
//! category is then a single GIN intersection, with no visit to a table row to learn a
//! listing's category — at 15 million listings, those visits were what made such searches
//! take seconds.
//!
//! `search_candidates(terms, lim, min_price, max_price, in_stock)` returns the ids of up to
//! `lim` visible listings matching a `tsquery` (and the price and stock filters), always through that GIN index (see the function's comment
//! for why the planner is not left to choose).
//!
//! Re-adding a generated column rewrites `listing` and rebuilds its GIN index: minutes on a
//! festival-sized catalog, done once.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The searchable text, weighted title > brand > description (unchanged from migration 000006).
pub(crate) const TEXT: &str = "setweight(to_tsvector('simple', title), 'A') || \
    setweight(to_tsvector('simple', brand_name), 'B') || \
    setweight(to_tsvector('simple', description_md), 'C')";

/// The facet lexemes; they must match `catalog::search::facets`.
pub(crate) const FACETS: &str =
    "array_to_tsvector(ARRAY['cat' || category, 'brand' || replace(brand_id::text, '-', '')])";

/// Candidates for searches of several words (or within a brand) come from a bitmap scan of
/// the GIN index and nothing else. Left to choose, the planner multiplies the words' and the
/// category's frequencies as if they were independent; for "teapot" in "sports" (no such
/// listing: teapots are homeware) it expects thousands of matches and walks the table
/// newest-first looking for the first `lim` of them, which at 15 million rows takes tens of
/// seconds. The index intersects the posting lists instead, and the heap is then read for at
/// most `lim` rows. (A single word alone is left to the planner, which walks the newest listings:
/// see `catalog::search::pg_walks_newest`.) `SET` on a function applies to its body only;
/// `ROWS` tells the planner what to expect back (`catalog::search::CANDIDATES` at most).
const CREATE_CANDIDATES: &str = "\
    CREATE FUNCTION search_candidates(\
        terms tsquery, lim bigint, min_price bigint, max_price bigint, in_stock boolean) \
    RETURNS SETOF uuid LANGUAGE sql STABLE ROWS 500 \
    SET enable_seqscan = off SET enable_indexscan = off SET enable_indexonlyscan = off \
    SET work_mem = '32MB' \
    AS $$ \
      SELECT id FROM listing \
      WHERE visible AND search_vector @@ terms \
        AND (min_price IS NULL OR price_min_minor >= min_price) \
        AND (max_price IS NULL OR price_min_minor <= max_price) \
        AND (NOT in_stock OR available > 0) \
      LIMIT lim \
    $$";

/// Replaces the generated `listing.search_vector` (and its GIN index) with `expression`.
pub(crate) async fn set_search_vector(
    manager: &SchemaManager<'_>,
    expression: &str,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    // Dropping the column drops its index with it.
    db.execute_unprepared("ALTER TABLE listing DROP COLUMN search_vector")
        .await?;
    db.execute_unprepared(&format!(
        "ALTER TABLE listing ADD COLUMN search_vector tsvector \
         GENERATED ALWAYS AS ({expression}) STORED"
    ))
    .await?;
    db.execute_unprepared(
        "CREATE INDEX idx_listing_search ON listing USING GIN (search_vector) WHERE visible",
    )
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        set_search_vector(manager, &format!("{TEXT} || {FACETS}")).await?;
        manager
            .get_connection()
            .execute_unprepared(CREATE_CANDIDATES)
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared(
                "DROP FUNCTION search_candidates(tsquery, bigint, bigint, bigint, boolean)",
            )
            .await?;
        set_search_vector(manager, TEXT).await
    }
}
