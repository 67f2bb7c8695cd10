//! The storefront's search index, as listings are written: what the full-text index holds of
//! each visible listing. SQLite keeps its own FTS5 table (`listing_fts`), written here by the
//! transaction that changes the listing; PostgreSQL's `tsvector` is a generated column, so
//! there is nothing to write. The queries that read the index are [`super::search`].

use entity::listing;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement, Value,
};
use uuid::Uuid;

use crate::core::AppError;

/// The facet tokens a listing carries in the SQLite search index (its `facets` column), so
/// filters narrow the match inside the index instead of after it: `brand<brand id hex>
/// [instock]`, then every word of its title, brand and description again, prefixed with its
/// category (`fashionsilk`). A search within a category asks for those category words: a
/// word and a category that never meet ("teapot" in sports) is then one empty posting list,
/// answered at once, instead of an intersection of a common word's list with the category's
/// list read to the end. PostgreSQL's generated `tsvector` computes the same brand lexeme and
/// category words itself (migrations 000013 and 000015; "in stock" is checked on the row
/// there).
fn facets(row: &IndexRow<'_>) -> String {
    let category = category_word(row.category);
    let mut tokens = brand_token(row.brand_id);
    if row.available > 0 {
        tokens.push_str(" instock");
    }
    // Split as search words are (`search::terms`), once per distinct word.
    let mut words: Vec<String> = [row.title, row.brand, row.description]
        .into_iter()
        .flat_map(|text| text.split(|c: char| !c.is_alphanumeric()))
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.sort_unstable();
    words.dedup();
    for word in words {
        tokens.push(' ');
        tokens.push_str(&category_scoped(&category, &word));
    }
    tokens
}

/// A category's name as it appears inside index tokens: letters and digits, lower-cased.
pub(crate) fn category_word(category: &str) -> String {
    category
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A (lower-case) `word` within a category, as the `facets` column holds it (see [`facets`]).
pub(crate) fn category_scoped(category_word: &str, word: &str) -> String {
    format!("{category_word}{word}")
}

/// A brand's facet token (and PostgreSQL lexeme): `brand<id hex>`.
pub(crate) fn brand_token(brand_id: Uuid) -> String {
    format!("brand{}", brand_id.simple())
}

/// Brings the search index in line with `row`: (re)indexed when visible, removed otherwise.
/// On SQLite a (re)indexed listing gets the next row id, so row-id order is newest first, and
/// the id is kept in `listing.search_key`. Call it inside the transaction that changed the
/// row (its write lock makes "next row id" safe). PostgreSQL's index follows the row by
/// itself (a generated column, a partial GIN index). Returns the row's search key now.
pub async fn sync_index(
    db: &impl ConnectionTrait,
    row: &listing::Model,
) -> Result<Option<i64>, AppError> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(row.search_key);
    }
    if let Some(key) = row.search_key {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "DELETE FROM listing_fts WHERE rowid = ?",
            [key.into()],
        ))
        .await?;
    }
    let key = if row.visible {
        let key = next_search_key(db).await?;
        insert_index_rows(
            db,
            &[IndexRow {
                key,
                listing_id: row.id,
                title: &row.title,
                brand: &row.brand_name,
                description: &row.description_md,
                category: &row.category,
                brand_id: row.brand_id,
                available: row.available,
            }],
        )
        .await?;
        Some(key)
    } else {
        None
    };
    if key != row.search_key {
        listing::Entity::update_many()
            .col_expr(
                listing::Column::SearchKey,
                sea_orm::sea_query::Expr::value(key),
            )
            .filter(listing::Column::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    Ok(key)
}

/// The SQLite search key the next indexed listing gets (one more than the highest so far).
/// Read it inside the writing transaction, which holds SQLite's write lock.
pub async fn next_search_key(db: &impl ConnectionTrait) -> Result<i64, AppError> {
    Ok(db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT COALESCE((SELECT rowid FROM listing_fts ORDER BY rowid DESC LIMIT 1), 0) \
             + 1 AS next",
        ))
        .await?
        .ok_or(AppError::Internal)?
        .try_get("", "next")?)
}

/// A listing's row in the SQLite search index.
pub struct IndexRow<'a> {
    /// Its row id: see [`next_search_key`].
    pub key: i64,
    pub listing_id: Uuid,
    pub title: &'a str,
    pub brand: &'a str,
    pub description: &'a str,
    /// These three make the row's facet tokens (see [`facets`]).
    pub category: &'a str,
    pub brand_id: Uuid,
    /// Units available (the "in stock" facet).
    pub available: i64,
}

/// Adds rows to the SQLite search index, many per statement (bulk loads use this too).
pub async fn insert_index_rows(
    db: &impl ConnectionTrait,
    rows: &[IndexRow<'_>],
) -> Result<(), AppError> {
    // Six values a row; SQLite allows 32,766 per statement.
    for chunk in rows.chunks(5_000) {
        let mut sql = String::from(
            "INSERT INTO listing_fts (rowid, listing_id, title, brand, description, facets) VALUES ",
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 6);
        for (i, row) in chunk.iter().enumerate() {
            sql.push_str(if i == 0 {
                "(?, ?, ?, ?, ?, ?)"
            } else {
                ", (?, ?, ?, ?, ?, ?)"
            });
            values.extend([
                row.key.into(),
                row.listing_id.into(),
                row.title.into(),
                row.brand.into(),
                row.description.into(),
                facets(row).into(),
            ]);
        }
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            sql,
            values,
        ))
        .await?;
    }
    Ok(())
}
