//! The storefront's reads: search over published listings with the database's own full-text
//! index (SQLite FTS5 with bm25, PostgreSQL tsvector + GIN with ts_rank), filters, sorts and
//! keyset pagination; and the public listing page.

use chrono::{DateTime, Utc};
use entity::{brand, listing};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, Statement,
    Value,
};
use uuid::Uuid;

use super::{ListingCard, ListingDetail, ListingPage, ListingStatus, SearchQuery, SearchSort};
use crate::core::{cursor, AppError};

/// Results per search page (the default; callers may ask for up to [`MAX_LIMIT`]).
pub const PAGE_SIZE: u32 = 24;
pub const MAX_LIMIT: u32 = 100;
const MAX_TERMS: usize = 8;
/// How many matches a search with words considers, which are then ranked, sorted and paged:
/// on SQLite the newest this many (by when they were indexed); on PostgreSQL the newest this
/// many for a single common word or when the newest [`PG_WALK_ROWS`] listings hold them, and
/// otherwise also the first this many the GIN index yields (table order, roughly oldest
/// first: the index cannot hand them over newest first without reading every match; see
/// [`pg_walks_newest`]). This bound is what keeps a common word fast
/// in 15 million listings — ranking every one of a million "silk" matches cannot be — at the
/// price that relevance and price sorts order 500 of the matches rather than all of them.
/// Narrower searches (more words, a category, a brand, in stock) are exact whenever they match
/// fewer listings than this.
pub const CANDIDATES: i64 = 500;

/// PostgreSQL: how many of the newest listings a search of several words, or of a word in a
/// category, tries first to learn whether its words are common together (see `search_with`).
const PG_PROBE_ROWS: i64 = 500;

/// PostgreSQL: how many of the newest listings such a search walks at most when they are:
/// enough to hold the newest [`CANDIDATES`] matches of words found together in one listing
/// in twenty. At 15 million listings a walk reads about 2.3 µs a row warm (10,000 rows: 23
/// ms), and the GIN index about as long for a pair found together that often; above it
/// (one in thirteen: walk 21 ms, index 53 ms) the walk wins, below it the index.
const PG_WALK_ROWS: i64 = 10_000;

/// A last word shorter than this is also tried as the beginning of a word when the whole
/// words find nothing: people type "sli" and mean "slip"; a longer word is taken as written
/// (a prefix search merges every posting list under it, which is what makes it slow).
const PREFIX_BELOW_CHARS: usize = 6;

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
    // Split as search words are (see [`terms`]), once per distinct word.
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
fn category_word(category: &str) -> String {
    category
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A (lower-case) `word` within a category, as the `facets` column holds it (see [`facets`]).
fn category_scoped(category_word: &str, word: &str) -> String {
    format!("{category_word}{word}")
}

fn brand_token(brand_id: Uuid) -> String {
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

/// The words of a query: letters and digits only (so nothing a user types is query syntax),
/// lower-cased, at most 8.
fn terms(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().take(40).collect::<String>().to_lowercase())
        .take(MAX_TERMS)
        .collect()
}

/// SQL with placeholders for either backend, built up piece by piece.
struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    fn new(backend: DbBackend) -> Self {
        Sql {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }

    fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        if self.backend == DbBackend::Postgres {
            self.text.push_str(&format!("${}", self.values.len()));
        } else {
            self.text.push('?');
        }
        self
    }

    fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// A search hit: the card's columns plus the sort key.
#[derive(Debug, FromQueryResult)]
struct Hit {
    id: Uuid,
    title: String,
    brand_name: String,
    category: String,
    currency: String,
    price_min_minor: i64,
    price_max_minor: i64,
    available: i64,
    cover_url: Option<String>,
    published_at: Option<DateTime<Utc>>,
    score: f64,
}

const CARD_COLUMNS: &str = "l.id, l.title, l.brand_name, l.category, l.currency, \
    l.price_min_minor, l.price_max_minor, l.available, l.cover_url, l.published_at";

/// Searches the storefront. Without words the results are newest first (or by price); with
/// words, by relevance unless another sort is asked for.
pub async fn search(
    db: &impl ConnectionTrait,
    query: &SearchQuery,
) -> Result<ListingPage, AppError> {
    let limit = query.limit.unwrap_or(PAGE_SIZE).clamp(1, MAX_LIMIT);
    let words = query.q.as_deref().map(terms).unwrap_or_default();
    let sort = match query.sort.unwrap_or_default() {
        SearchSort::Relevance if words.is_empty() => SearchSort::Newest,
        other => other,
    };
    let brand_id = match query.brand.as_deref().filter(|b| !b.is_empty()) {
        Some(slug) => match brand::Entity::find()
            .filter(brand::Column::Slug.eq(slug))
            .one(db)
            .await?
        {
            Some(b) => Some(b.id),
            None => {
                return Ok(ListingPage {
                    items: vec![],
                    next_cursor: None,
                })
            }
        },
        None => None,
    };

    // Whole words first (each an exact token, which both indexes walk newest-first without
    // reading whole posting lists); only when that finds nothing is the last word taken as
    // the beginning of a word ("sli" finds "slip"), which costs a full posting-list merge.
    // (An empty page after a cursor means the cursor came from a prefix search: same rule.)
    let exact = search_with(db, query, &words, sort, brand_id, limit, false).await?;
    let Some((last, others)) = words.split_last() else {
        return Ok(exact);
    };
    // No ending of the last word can help when the other words match nothing together ("serum
    // silk" in home): the merge is skipped then. At 15 million listings a common word's
    // endings cost SQLite 10 ms and PostgreSQL 70–220 ms, against well under a millisecond
    // to learn that "serum" is not a word of home.
    if exact.items.is_empty()
        && last.chars().count() < PREFIX_BELOW_CHARS
        && any_match(db, query, others, brand_id).await?
    {
        return search_with(db, query, &words, sort, brand_id, limit, true).await;
    }
    Ok(exact)
}

/// The words as query terms: each `exact(word)`, the last one `prefix(word)` when
/// `prefix_last`; words are letters and digits only (see [`terms`]), so quoting is safe.
fn query_terms(
    words: &[String],
    prefix_last: bool,
    exact: fn(&str) -> String,
    prefix: fn(&str) -> String,
) -> Vec<String> {
    let last = words.len().saturating_sub(1);
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if prefix_last && i == last {
                prefix(w)
            } else {
                exact(w)
            }
        })
        .collect()
}

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

/// A `to_tsquery` text for PostgreSQL: every word (see [`query_terms`]).
fn ts_words(words: &[String], prefix_last: bool) -> String {
    query_terms(words, prefix_last, str::to_owned, |w| format!("{w}:*")).join(" & ")
}

/// Search words as words of `category` (see [`facets`]).
fn in_category(category: &str, words: &[String]) -> Vec<String> {
    let category = category_word(category);
    words
        .iter()
        .map(|word| category_scoped(&category, word))
        .collect()
}

/// PostgreSQL: the `to_tsquery` text that finds candidates for `words`: within a category, as
/// the category's words (see [`facets`]), otherwise as they are.
fn ts_candidate_words(category: Option<&str>, words: &[String], prefix_last: bool) -> String {
    match category {
        Some(category) => ts_words(&in_category(category, words), prefix_last),
        None => ts_words(words, prefix_last),
    }
}

/// SQLite: the FTS5 match for `words` in title, brand or description (within a category: as
/// the category's words, see [`facets`]) and the query's brand and stock filters, which are
/// facet tokens, so FTS5 intersects them itself and walks the newest rows first.
fn fts_match(
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

/// The category a search is narrowed to, if any.
fn category_of(query: &SearchQuery) -> Option<&str> {
    query.category.as_deref().filter(|c| !c.is_empty())
}

/// Whether `words`, all as whole words, match any listing under the query's category, brand
/// and "in stock" filter (`false` is certain, `true` only likely: SQLite leaves the price
/// filters out). Well under a millisecond on both databases at 15 million listings:
/// - SQLite: FTS5 walks one exact token to its first match.
/// - PostgreSQL: the newest [`PG_PROBE_ROWS`] listings (of the category) answer at once for
///   a common word; only when none of them match is the GIN index asked (through
///   `search_candidates`, which cannot walk the table), and a rare or unknown word is a short
///   posting list there. A plain `LIMIT 1` would not do: the planner has no statistics for a
///   word no listing has, guesses it common and reads the whole table (4 s).
async fn any_match(
    db: &impl ConnectionTrait,
    query: &SearchQuery,
    words: &[String],
    brand_id: Option<Uuid>,
) -> Result<bool, AppError> {
    let backend = db.get_database_backend();
    if words.is_empty() {
        return Ok(true);
    }
    let mut sql = Sql::new(backend);
    if backend == DbBackend::Sqlite {
        sql.push("SELECT 1 AS found FROM listing_fts WHERE listing_fts MATCH ")
            .bind(fts_match(query, words, brand_id, false))
            .push(" LIMIT 1");
    } else {
        let category = category_of(query);
        let terms = ts_candidate_words(category, words, false);
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
    }
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
/// than from the GIN index (see `search_with`). Only for one word and no facet: the planner
/// knows how common a single word is and walks only when CANDIDATES matches will turn up
/// soon, but it takes words and facets for independent, and a walk for a pair that never
/// meets ("teapot" in "sports") reads the whole table.
fn pg_walks_newest(words: &[String], category: Option<&str>, brand_id: Option<Uuid>) -> bool {
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

/// ` AND` the query's stock and price filters on the listing row named `table`.
fn push_row_filters(sql: &mut Sql, query: &SearchQuery, table: &str) {
    if query.in_stock == Some(true) {
        sql.push(&format!(" AND {table}.available > 0"));
    }
    if let Some(min) = query.min_price {
        sql.push(&format!(" AND {table}.price_min_minor >= "))
            .bind(min);
    }
    if let Some(max) = query.max_price {
        sql.push(&format!(" AND {table}.price_min_minor <= "))
            .bind(max);
    }
}

/// One search pass: see [`search`].
async fn search_with(
    db: &impl ConnectionTrait,
    query: &SearchQuery,
    words: &[String],
    sort: SearchSort,
    brand_id: Option<Uuid>,
    limit: u32,
    prefix_last: bool,
) -> Result<ListingPage, AppError> {
    let backend = db.get_database_backend();
    let newest = sort == SearchSort::Newest;
    let after_score = match query.after.as_deref() {
        Some(after) if !newest => Some(cursor::decode_score(after)?),
        _ => None,
    };
    let mut sql = Sql::new(backend);
    // The inner query finds and filters (with words: at most CANDIDATES matches); the outer
    // one pages by (score, id), where `score` is whatever the sort orders by, ascending.
    sql.push("SELECT * FROM (SELECT ")
        .push(CARD_COLUMNS)
        .push(", ");
    let score = match sort {
        SearchSort::Relevance => match backend {
            // SQLite: 0 for a match in the title, 1 elsewhere (bm25 would need each word's
            // document count, a full posting-list scan per query); ts_rank is higher for
            // better matches, so negate it.
            DbBackend::Sqlite => "CAST(f.rank AS DOUBLE PRECISION)",
            _ => "-ts_rank(l.search_vector, q.query)::float8",
        },
        SearchSort::PriceAsc => "CAST(l.price_min_minor AS DOUBLE PRECISION)",
        SearchSort::PriceDesc => "CAST(-l.price_min_minor AS DOUBLE PRECISION)",
        // Newest pages by (published_at, id) instead; the score is unused.
        SearchSort::Newest => "CAST(0 AS DOUBLE PRECISION)",
    };
    sql.push(score).push(" AS score FROM ");
    let category = category_of(query);
    match (backend, words.is_empty()) {
        (DbBackend::Sqlite, false) => {
            let anywhere = fts_match(query, words, brand_id, prefix_last);
            // The newest CANDIDATES matches anywhere are the candidates.
            sql.push(
                "(SELECT * FROM (WITH c AS MATERIALIZED (SELECT rowid AS k, listing_id \
                 FROM listing_fts WHERE listing_fts MATCH ",
            )
            .bind(anywhere)
            .push(" ORDER BY rowid DESC LIMIT ")
            .bind(CANDIDATES)
            .push(") SELECT listing_id, ");
            if sort == SearchSort::Relevance {
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
                let (tier_words, tier_prefix) = match words.split_last() {
                    Some((_, whole)) if prefix_last && !whole.is_empty() => (whole, false),
                    _ => (words, prefix_last),
                };
                let mut title = fts_words("title", tier_words, tier_prefix);
                if let Some(category) = category {
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
            let by_price = query.min_price.is_some() || query.max_price.is_some();
            if sort == SearchSort::Relevance && !by_price {
                // Everything relevance pages by (tier, listing id) and every filter (as a
                // facet) is in the index: page the candidates there and read only the
                // page's listings, not all the candidates.
                sql.push(" WHERE 1 = 1");
                if let Some((score, id)) = after_score {
                    sql.push(" AND (rank > ")
                        .bind(score)
                        .push(" OR (rank = ")
                        .bind(score)
                        .push(" AND listing_id > ")
                        .bind(id)
                        .push("))");
                }
                sql.push(" ORDER BY rank, listing_id LIMIT ")
                    .bind(i64::from(limit) + 1);
            }
            sql.push(")");
            // CROSS JOIN pins the order: the few candidates drive, `listing` is only probed by id
            // (left to itself, the planner may scan all of `listing` instead).
            sql.push(" f CROSS JOIN listing l ON l.id = f.listing_id WHERE 1 = 1");
        }
        (DbBackend::Sqlite, true) => {
            sql.push("listing l WHERE 1 = 1");
        }
        (_, false) => {
            let all_words = ts_words(words, prefix_last);
            if pg_walks_newest(words, category, brand_id) {
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
                let candidates = ts_candidate_words(category, words, prefix_last);
                sql.push("(");
                if brand_id.is_none() {
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
                    push_newest_matches(&mut sql, query, category, PG_PROBE_ROWS, &candidates);
                    sql.push("), w AS MATERIALIZED (SELECT r.id FROM ");
                    push_newest_matches(&mut sql, query, category, PG_WALK_ROWS, &candidates);
                    sql.push(" AND (SELECT n FROM probe) * ")
                        .bind(PG_WALK_ROWS)
                        .push(" >= ")
                        .bind(CANDIDATES * PG_PROBE_ROWS)
                        .push(" LIMIT ")
                        .bind(CANDIDATES)
                        .push(") SELECT id FROM w UNION ");
                }
                sql.push("SELECT id FROM ");
                push_candidates_call(&mut sql, query, candidates, brand_id, CANDIDATES);
                if brand_id.is_none() {
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
        (_, true) => {
            sql.push("listing l CROSS JOIN (SELECT NULL::tsquery AS query) q WHERE 1 = 1");
        }
    }
    // The filters hold on the listing row too (on SQLite they are also facets, which are
    // refreshed with the row; checking the row keeps the answer exact regardless).
    // A literal, not a bound value: PostgreSQL can only use its partial index (`WHERE
    // visible`) when the query says so in its text, generic prepared plans included.
    sql.push(" AND l.visible = TRUE");
    // On PostgreSQL with words, a category or brand is already in the match (and the walk is
    // only taken without them), and repeating it here would only make the planner count it
    // twice.
    if backend == DbBackend::Sqlite || words.is_empty() {
        if let Some(category) = category {
            sql.push(" AND l.category = ").bind(category.to_owned());
        }
        if let Some(id) = brand_id {
            sql.push(" AND l.brand_id = ").bind(id);
        }
    }
    push_row_filters(&mut sql, query, "l");
    if backend == DbBackend::Postgres
        && !words.is_empty()
        && pg_walks_newest(words, category, brand_id)
    {
        sql.push(" ORDER BY l.published_at DESC, l.id DESC LIMIT ")
            .bind(CANDIDATES);
    }
    sql.push(") hits");
    if let Some(after) = query.after.as_deref() {
        if newest {
            let (at, id) = cursor::decode_time(after)?;
            sql.push(" WHERE (published_at < ")
                .bind(at)
                .push(" OR (published_at = ")
                .bind(at)
                .push(" AND id < ")
                .bind(id)
                .push("))");
        } else if let Some((score, id)) = after_score {
            sql.push(" WHERE (score > ")
                .bind(score)
                .push(" OR (score = ")
                .bind(score)
                .push(" AND id > ")
                .bind(id)
                .push("))");
        }
    }
    sql.push(if newest {
        " ORDER BY published_at DESC, id DESC LIMIT "
    } else {
        " ORDER BY score, id LIMIT "
    })
    .bind(i64::from(limit) + 1);

    let mut hits = Hit::find_by_statement(sql.statement()).all(db).await?;
    let next_cursor = (hits.len() > limit as usize).then(|| {
        hits.truncate(limit as usize);
        let last = hits.last().expect("a full page");
        match (newest, last.published_at) {
            (true, Some(at)) => cursor::encode_time(at, last.id),
            _ => cursor::encode_score(last.score, last.id),
        }
    });
    Ok(ListingPage {
        items: hits
            .into_iter()
            .map(|h| ListingCard {
                id: h.id.to_string(),
                title: h.title,
                brand_name: h.brand_name,
                category: h.category,
                status: ListingStatus::Published,
                currency: h.currency,
                price_min_minor: h.price_min_minor,
                price_max_minor: h.price_max_minor,
                available: h.available,
                cover_url: h.cover_url,
            })
            .collect(),
        next_cursor,
    })
}

/// A listing as shoppers see it: only when published and its brand is live.
pub async fn public_listing(
    db: &impl ConnectionTrait,
    id: &str,
) -> Result<ListingDetail, AppError> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let row = listing::Entity::find_by_id(id)
        .filter(listing::Column::Visible.eq(true))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let slug = brand::Entity::find_by_id(row.brand_id)
        .one(db)
        .await?
        .map(|b| b.slug)
        .unwrap_or_default();
    super::listings::detail(db, row, &slug).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_words_carry_no_syntax() {
        assert_eq!(
            terms("Silk \"dress\" OR NEAR(x) -red*"),
            ["silk", "dress", "or", "near", "x", "red"]
        );
        assert!(terms("\"*():^").is_empty());
        assert_eq!(terms("a b c d e f g h i j").len(), MAX_TERMS);
    }
}
