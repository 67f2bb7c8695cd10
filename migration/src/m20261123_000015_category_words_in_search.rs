//! Category words in the SQLite search index: each listing's `facets` also holds every word of
//! its title, brand and description prefixed with its category (`fashionsilk`), so a search
//! within a category asks FTS5 for one posting list per word (see `catalog::search`). A word
//! and a category that never meet are then an empty list, answered at once, instead of a
//! common word's list intersected with the whole category's to the end.
//!
//! The category tokens of migrations 000008 and 000013 (`cat<category>`) are dropped: nothing
//! asks for them any more.
//!
//! PostgreSQL: the generated `search_vector` gets the same category words, as lexemes without
//! positions (ranking uses the plain words). Re-adding the column rewrites `listing` and
//! rebuilds its GIN index: minutes on a festival-sized catalog, done once.

use crate::m20261123_000013_search_facets_in_tsvector::{set_search_vector, FACETS, TEXT};
use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, DbBackend, Statement},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// PostgreSQL's category words: each run of letters and digits (of anything but spaces and
/// punctuation) in the searchable text, prefixed with the category.
const CATEGORY_WORDS: &str = "strip(to_tsvector('simple', regexp_replace(\
    title || ' ' || brand_name || ' ' || description_md, \
    '[^[:space:][:punct:]]+', lower(category) || '\\&', 'g')))";

/// PostgreSQL's brand lexeme (as in migration 000013, whose category lexeme goes).
const BRAND: &str = "array_to_tsvector(ARRAY['brand' || replace(brand_id::text, '-', '')])";

/// Listings re-indexed per query.
const BATCH: i64 = 1_000;

/// A category's name or a word as index tokens use it: letters and digits, lower-cased.
fn token_word(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The `facets` column's text as `catalog::search::facets` made it when this was written.
fn facets(category: &str, brand_hex: &str, available: i64, texts: [&str; 3]) -> String {
    let category = token_word(category);
    let mut tokens = format!("brand{brand_hex}");
    if available > 0 {
        tokens.push_str(" instock");
    }
    let mut words: Vec<String> = texts
        .into_iter()
        .flat_map(|text| text.split(|c: char| !c.is_alphanumeric()))
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.sort_unstable();
    words.dedup();
    for word in words {
        tokens.push(' ');
        tokens.push_str(&category);
        tokens.push_str(&word);
    }
    tokens
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            return set_search_vector(manager, &format!("{TEXT} || {BRAND} || {CATEGORY_WORDS}"))
                .await;
        }
        let db = manager.get_connection();
        let mut after = 0i64;
        loop {
            let rows = db
                .query_all_raw(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "SELECT search_key, category, lower(hex(brand_id)) AS brand_hex, available, \
                       title, brand_name, description_md \
                     FROM listing WHERE search_key > ? ORDER BY search_key LIMIT ?",
                    [after.into(), BATCH.into()],
                ))
                .await?;
            let Some(last) = rows.last() else {
                return Ok(());
            };
            after = last.try_get("", "search_key")?;
            for row in rows {
                let key: i64 = row.try_get("", "search_key")?;
                let text = |column: &str| row.try_get::<String>("", column);
                let tokens = facets(
                    &text("category")?,
                    &text("brand_hex")?,
                    row.try_get("", "available")?,
                    [
                        &text("title")?,
                        &text("brand_name")?,
                        &text("description_md")?,
                    ],
                );
                db.execute_raw(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "UPDATE listing_fts SET facets = ? WHERE rowid = ?",
                    [tokens.into(), key.into()],
                ))
                .await?;
            }
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            return set_search_vector(manager, &format!("{TEXT} || {FACETS}")).await;
        }
        // Back to migration 000008's facet tokens.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE listing_fts SET facets = (\
                   SELECT 'cat' || category || ' brand' || lower(hex(brand_id)) || \
                     CASE WHEN available > 0 THEN ' instock' ELSE '' END \
                   FROM listing WHERE listing.search_key = listing_fts.rowid)",
            )
            .await?;
        Ok(())
    }
}
