//! SQLite's search SQL: FTS5 over `listing_fts` (see `catalog::index`), whose facet tokens
//! carry the brand, "in stock" and each word within its category, so FTS5 intersects every
//! filter but price itself and walks the newest rows first.

use sea_orm::{ConnectionTrait, DbBackend};
use uuid::Uuid;

use super::sql::{category_of, in_category, push_row_filters, query_terms, Pass, Sql, CANDIDATES};
use crate::catalog::index::brand_token;
use crate::catalog::{SearchQuery, SearchSort};
use crate::core::AppError;

/// The relevance score: 0 for a match in the title, 1 elsewhere (bm25 would need each word's
/// document count, a full posting-list scan per query).
pub const RELEVANCE: &str = "CAST(f.rank AS DOUBLE PRECISION)";

/// A match expression for FTS5 over `columns`: every word (see [`query_terms`]).
fn fts_words(columns: &str, words: &[String], prefix_last: bool) -> String {
    let phrases = query_terms(
        words,
        prefix_last,
        |w| format!("\"{w}\""),
        |w| format!("\"{w}\"*"),
    );
    format!("{{{columns}}} : ({})", phrases.join(" "))
}

/// SQLite: the FTS5 match for `words` in title, brand or description (within a category: as
/// the category's words, see [`facets`]) and the query's brand and stock filters, which are
/// facet tokens, so FTS5 intersects them itself and walks the newest rows first.
pub fn fts_match(
    query: &SearchQuery,
    words: &[String],
    brand_id: Option<Uuid>,
    prefix_last: bool,
) -> String {
    let mut facets = String::new();
    if let Some(id) = brand_id {
        facets.push_str(&format!(" AND facets : \"{}\"", brand_token(id)));
    }
    if query.in_stock == Some(true) {
        facets.push_str(" AND facets : instock");
    }
    let anywhere = match category_of(query) {
        Some(category) => fts_words("facets", &in_category(category, words), prefix_last),
        None => fts_words("title brand description", words, prefix_last),
    };
    anywhere + &facets
}

/// Whether `words`, all as whole words, match any listing under the query's category, brand
/// and "in stock" filter (`false` is certain, `true` only likely: the price filters are left
/// out): FTS5 walks one exact token to its first match.
pub async fn any_match(
    db: &impl ConnectionTrait,
    query: &SearchQuery,
    words: &[String],
    brand_id: Option<Uuid>,
) -> Result<bool, AppError> {
    let mut sql = Sql::new(DbBackend::Sqlite);
    sql.push("SELECT 1 AS found FROM listing_fts WHERE listing_fts MATCH ")
        .bind(fts_match(query, words, brand_id, false))
        .push(" LIMIT 1");
    Ok(db.query_one_raw(sql.statement()).await?.is_some())
}

/// ` f CROSS JOIN listing l ... WHERE 1 = 1` (with words) or `listing l WHERE 1 = 1`: the
/// listings a pass considers, named `l`.
pub fn push_matches(sql: &mut Sql, pass: &Pass<'_>) {
    if pass.words.is_empty() {
        sql.push("listing l WHERE 1 = 1");
        return;
    }
    let anywhere = fts_match(pass.query, pass.words, pass.brand_id, pass.prefix_last);
    // The newest CANDIDATES matches anywhere are the candidates.
    sql.push(
        "(SELECT * FROM (WITH c AS MATERIALIZED (SELECT rowid AS k, listing_id \
             FROM listing_fts WHERE listing_fts MATCH ",
    )
    .bind(anywhere)
    .push(" ORDER BY rowid DESC LIMIT ")
    .bind(CANDIDATES)
    .push(") SELECT listing_id, ");
    if pass.sort == SearchSort::Relevance {
        // Relevance: title matches first. Which candidates match in the title is
        // asked of the index only back to the oldest candidate (a title match is a
        // match anywhere, so older ones cannot be candidates). A separate walk for
        // the newest title matches read on to the end of the index whenever the
        // words were common in descriptions but rare together in titles: most of the
        // time of a two-word search. Candidates meet the filters already; a
        // category's words are repeated only because FTS5 then steps through their
        // shorter lists (half the time).
        //
        // A word still being typed is left out of the tier when there are whole
        // words: every candidate matches it already, and asking the title for it
        // merges every listing's words under it (at 15 million listings, 55 ms for
        // "tea" against 0.5 ms for the whole words). The whole words decide.
        let (tier_words, tier_prefix) = match pass.words.split_last() {
            Some((_, whole)) if pass.prefix_last && !whole.is_empty() => (whole, false),
            _ => (pass.words, pass.prefix_last),
        };
        let mut title = fts_words("title", tier_words, tier_prefix);
        if let Some(category) = category_of(pass.query) {
            let scoped = in_category(category, tier_words);
            title = format!("{title} AND {}", fts_words("facets", &scoped, tier_prefix));
        }
        sql.push("CASE WHEN k IN (SELECT rowid FROM listing_fts WHERE listing_fts MATCH ")
            .bind(title)
            .push(" AND rowid >= (SELECT MIN(k) FROM c)) THEN 0 ELSE 1 END");
    } else {
        sql.push("1");
    }
    sql.push(" AS rank FROM c) AS grouped");
    let by_price = pass.query.min_price.is_some() || pass.query.max_price.is_some();
    if pass.sort == SearchSort::Relevance && !by_price {
        // Everything relevance pages by (tier, listing id) and every filter (as a
        // facet) is in the index: page the candidates there and read only the
        // page's listings, not all the candidates.
        sql.push(" WHERE 1 = 1");
        if let Some((score, id)) = pass.after_score {
            sql.push(" AND (rank > ")
                .bind(score)
                .push(" OR (rank = ")
                .bind(score)
                .push(" AND listing_id > ")
                .bind(id)
                .push("))");
        }
        sql.push(" ORDER BY rank, listing_id LIMIT ")
            .bind(i64::from(pass.limit) + 1);
    }
    sql.push(")");
    // CROSS JOIN pins the order: the few candidates drive, `listing` is only probed by id
    // (left to itself, the planner may scan all of `listing` instead).
    sql.push(" f CROSS JOIN listing l ON l.id = f.listing_id WHERE 1 = 1");
}

/// The category and brand filters, on the listing row too (they are also facets, refreshed
/// with the row; checking the row keeps the answer exact regardless), and the row filters.
pub fn push_filters(sql: &mut Sql, pass: &Pass<'_>) {
    if let Some(category) = category_of(pass.query) {
        sql.push(" AND l.category = ").bind(category.to_owned());
    }
    if let Some(id) = pass.brand_id {
        sql.push(" AND l.brand_id = ").bind(id);
    }
    push_row_filters(sql, pass.query, "l");
}
