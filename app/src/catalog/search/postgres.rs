//! PostgreSQL's search SQL: the generated `search_vector` (title, brand and description
//! words, the brand as a lexeme, each word within its category) with a GIN index, and the
//! `search_candidates` function for index-only candidate lists; a bounded walk of the newest
//! listings where common words would make the index read every match.

use sea_orm::{ConnectionTrait, DbBackend};
use uuid::Uuid;

use super::sql::{category_of, in_category, push_row_filters, query_terms, Pass, Sql, CANDIDATES};
use crate::catalog::index::brand_token;
use crate::catalog::SearchQuery;
use crate::core::AppError;

/// PostgreSQL: how many of the newest listings a search of several words, or of a word in a
/// category, tries first to learn whether its words are common together (see [`push_matches`]).
pub const PG_PROBE_ROWS: i64 = 500;

/// PostgreSQL: how many of the newest listings such a search walks at most when they are:
/// enough to hold the newest [`CANDIDATES`] matches of words found together in one listing
/// in twenty. At 15 million listings a walk reads about 2.3 µs a row warm (10,000 rows: 23
/// ms), and the GIN index about as long for a pair found together that often; above it
/// (one in thirteen: walk 21 ms, index 53 ms) the walk wins, below it the index.
pub const PG_WALK_ROWS: i64 = 10_000;

/// The relevance score: `ts_rank` is higher for better matches, so it is negated (pages sort
/// by ascending score).
pub const RELEVANCE: &str = "-ts_rank(l.search_vector, q.query)::float8";

/// A `to_tsquery` text for PostgreSQL: every word (see [`query_terms`]).
fn ts_words(words: &[String], prefix_last: bool) -> String {
    query_terms(words, prefix_last, str::to_owned, |w| format!("{w}:*")).join(" & ")
}

/// PostgreSQL: the `to_tsquery` text that finds candidates for `words`: within a category, as
/// the category's words (see `index::facets`), otherwise as they are.
fn ts_candidate_words(category: Option<&str>, words: &[String], prefix_last: bool) -> String {
    match category {
        Some(category) => ts_words(&in_category(category, words), prefix_last),
        None => ts_words(words, prefix_last),
    }
}

/// Whether `words`, all as whole words, match any listing under the query's category, brand
/// and "in stock" filter (`false` is certain, `true` only likely). Well under a millisecond at
/// 15 million listings: the newest [`PG_PROBE_ROWS`] listings (of the category) answer at once for
///   a common word; only when none of them match is the GIN index asked (through
///   `search_candidates`, which cannot walk the table), and a rare or unknown word is a short
///   posting list there. A plain `LIMIT 1` would not do: the planner has no statistics for a
///   word no listing has, guesses it common and reads the whole table (4 s).
pub async fn any_match(
    db: &impl ConnectionTrait,
    query: &SearchQuery,
    words: &[String],
    brand_id: Option<Uuid>,
) -> Result<bool, AppError> {
    let category = category_of(query);
    let terms = ts_candidate_words(category, words, false);
    let mut sql = Sql::new(DbBackend::Postgres);
    sql.push("SELECT 1 AS found WHERE ");
    // The newest listings carry no brand filter here: within a brand the index alone is
    // asked, its brand lexeme keeping the intersection short.
    if brand_id.is_none() {
        sql.push("EXISTS (SELECT 1 FROM ");
        push_newest_matches(&mut sql, query, category, PG_PROBE_ROWS, &terms);
        sql.push(") OR ");
    }
    sql.push("EXISTS (SELECT 1 FROM ");
    push_candidates_call(&mut sql, query, terms, brand_id, 1);
    sql.push(")");
    Ok(db.query_one_raw(sql.statement()).await?.is_some())
}

/// PostgreSQL: `search_candidates(…) AS s(id)`, the first `limit` listings the GIN index
/// yields for `terms` (and the brand's lexeme) under the query's price and stock filters.
fn push_candidates_call(
    sql: &mut Sql,
    query: &SearchQuery,
    terms: String,
    brand_id: Option<Uuid>,
    limit: i64,
) {
    sql.push("search_candidates((to_tsquery('simple', ")
        .bind(terms)
        .push(")");
    if let Some(id) = brand_id {
        sql.push(" && ")
            .bind(format!("'{}'", brand_token(id)))
            .push("::tsquery");
    }
    sql.push("), ")
        .bind(limit)
        .push(", ")
        .bind(query.min_price)
        .push(", ")
        .bind(query.max_price)
        .push(", ")
        .bind(query.in_stock == Some(true))
        .push(") AS s(id)");
}

/// PostgreSQL: whether a search finds its candidates by walking the newest listings rather
/// than from the GIN index (see [`push_matches`]). Only for one word and no facet: the planner
/// knows how common a single word is and walks only when CANDIDATES matches will turn up
/// soon, but it takes words and facets for independent, and a walk for a pair that never
/// meets ("teapot" in "sports") reads the whole table.
pub fn walks_newest(words: &[String], category: Option<&str>, brand_id: Option<Uuid>) -> bool {
    words.len() == 1 && category.is_none() && brand_id.is_none()
}

/// PostgreSQL: `(the newest rows listings [of category]) r WHERE` they match `terms` and the
/// query's price and stock filters.
fn push_newest_matches(
    sql: &mut Sql,
    query: &SearchQuery,
    category: Option<&str>,
    rows: i64,
    terms: &str,
) {
    sql.push(
        "(SELECT id, search_vector, price_min_minor, available FROM listing \
         WHERE visible = TRUE",
    );
    if let Some(category) = category {
        sql.push(" AND category = ").bind(category.to_owned());
    }
    sql.push(" ORDER BY published_at DESC LIMIT ")
        .bind(rows)
        .push(") r WHERE r.search_vector @@ to_tsquery('simple', ")
        .bind(terms.to_owned())
        .push(")");
    push_row_filters(sql, query, "r");
}

/// The listings a pass considers, named `l`, with the query `q` its relevance ranks by, and
/// `WHERE` what they match.
pub fn push_matches(sql: &mut Sql, pass: &Pass<'_>) {
    if pass.words.is_empty() {
        sql.push("listing l CROSS JOIN (SELECT NULL::tsquery AS query) q WHERE 1 = 1");
        return;
    }
    let category = category_of(pass.query);
    let all_words = ts_words(pass.words, pass.prefix_last);
    if walks_newest(pass.words, category, pass.brand_id) {
        // One word: the planner walks `(visible, published_at)` newest-first and
        // stops at CANDIDATES matches when the word is common, and asks the GIN index
        // when it is rare.
        sql.push("listing l, to_tsquery('simple', ")
            .bind(all_words)
            .push(") AS q(query) WHERE l.search_vector @@ q.query");
    } else {
        // Several words, or a word in a category or brand, may never meet, and walking
        // newest-first until CANDIDATES of them turn up can mean walking the whole
        // table. So the walk is bounded (PG_WALK_ROWS), and past it their matches come
        // from one GIN intersection, in table order (`search_candidates` stops at
        // CANDIDATES rows): within a category, of the category's own words (migration
        // 000015, as on SQLite), and the brand as a lexeme (000013). Ranking uses the
        // words alone: facet lexemes have no positions and would flatten ts_rank.
        let candidates = ts_candidate_words(category, pass.words, pass.prefix_last);
        sql.push("(");
        if pass.brand_id.is_none() {
            // Words found together in many listings ("festival silk" in fashion:
            // 260,000 at 15 million) cost the GIN index 200 ms, for it yields every
            // match, whatever the LIMIT; their CANDIDATES newest matches are among the
            // newest few thousand listings. So the newest PG_PROBE_ROWS listings (of
            // the category) are tried first: when the words are common enough there
            // for the newest PG_WALK_ROWS to hold CANDIDATES matches, those are walked
            // (newest matches first, stopping at CANDIDATES), and the index is asked
            // only if they fall short, its matches joining the walk's. Otherwise the
            // index alone is asked, as its few matches are cheap. Both conditions are
            // one-time filters: the skipped part is never run.
            sql.push("WITH probe AS MATERIALIZED (SELECT count(*) AS n FROM ");
            push_newest_matches(sql, pass.query, category, PG_PROBE_ROWS, &candidates);
            sql.push("), w AS MATERIALIZED (SELECT r.id FROM ");
            push_newest_matches(sql, pass.query, category, PG_WALK_ROWS, &candidates);
            sql.push(" AND (SELECT n FROM probe) * ")
                .bind(PG_WALK_ROWS)
                .push(" >= ")
                .bind(CANDIDATES * PG_PROBE_ROWS)
                .push(" LIMIT ")
                .bind(CANDIDATES)
                .push(") SELECT id FROM w UNION ");
        }
        sql.push("SELECT id FROM ");
        push_candidates_call(sql, pass.query, candidates, pass.brand_id, CANDIDATES);
        if pass.brand_id.is_none() {
            // A one-time filter: the index is not read at all when the walk found
            // enough.
            sql.push(" WHERE (SELECT count(*) FROM w) < ")
                .bind(CANDIDATES);
        }
        sql.push(") AS c(id) JOIN listing l ON l.id = c.id, to_tsquery('simple', ")
            .bind(all_words)
            .push(") AS q(query) WHERE 1 = 1");
    }
}

/// The category and brand filters — only without words: with words they are in the match
/// already (and the walk is only taken without them), and repeating them would make the
/// planner count them twice — the row filters, and the walk's order and bound.
pub fn push_filters(sql: &mut Sql, pass: &Pass<'_>) {
    let category = category_of(pass.query);
    if pass.words.is_empty() {
        if let Some(category) = category {
            sql.push(" AND l.category = ").bind(category.to_owned());
        }
        if let Some(id) = pass.brand_id {
            sql.push(" AND l.brand_id = ").bind(id);
        }
    }
    push_row_filters(sql, pass.query, "l");
    if !pass.words.is_empty() && walks_newest(pass.words, category, pass.brand_id) {
        sql.push(" ORDER BY l.published_at DESC, l.id DESC LIMIT ")
            .bind(CANDIDATES);
    }
}
