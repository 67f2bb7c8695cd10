//! What both databases' search SQL shares: the statement builder, the search pass's
//! parameters, query terms, category words and the row filters.

use sea_orm::{DbBackend, Statement, Value};
use uuid::Uuid;

use crate::catalog::index::{category_scoped, category_word};
use crate::catalog::{SearchQuery, SearchSort};

/// How many matches a search with words considers, which are then ranked, sorted and paged:
/// on SQLite the newest this many (by when they were indexed); on PostgreSQL the newest this
/// many for a single common word or when the newest `postgres::PG_WALK_ROWS` listings hold them, and
/// otherwise also the first this many the GIN index yields (table order, roughly oldest
/// first: the index cannot hand them over newest first without reading every match; see
/// `postgres::walks_newest`). This bound is what keeps a common word fast
/// in 15 million listings — ranking every one of a million "silk" matches cannot be — at the
/// price that relevance and price sorts order 500 of the matches rather than all of them.
/// Narrower searches (more words, a category, a brand, in stock) are exact whenever they match
/// fewer listings than this.
pub const CANDIDATES: i64 = 500;

/// One search pass: the query, its words and how they are matched and paged (see
/// `search::search`).
pub struct Pass<'a> {
    pub query: &'a SearchQuery,
    pub words: &'a [String],
    pub sort: SearchSort,
    pub brand_id: Option<Uuid>,
    pub limit: u32,
    /// The last word is matched as the beginning of a word.
    pub prefix_last: bool,
    /// Where the previous page ended, for sorts other than newest: `(score, id)`.
    pub after_score: Option<(f64, Uuid)>,
}

/// SQL with placeholders for either backend, built up piece by piece.
pub struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(backend: DbBackend) -> Self {
        Sql {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        if self.backend == DbBackend::Postgres {
            self.text.push_str(&format!("${}", self.values.len()));
        } else {
            self.text.push('?');
        }
        self
    }

    pub fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// The words as query terms: each `exact(word)`, the last one `prefix(word)` when
/// `prefix_last`; words are letters and digits only (`search::terms`), so quoting is safe.
pub fn query_terms(
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

/// Search words as words of `category` (see `index::facets`).
pub fn in_category(category: &str, words: &[String]) -> Vec<String> {
    let category = category_word(category);
    words
        .iter()
        .map(|word| category_scoped(&category, word))
        .collect()
}

/// The category a search is narrowed to, if any.
pub fn category_of(query: &SearchQuery) -> Option<&str> {
    query.category.as_deref().filter(|c| !c.is_empty())
}

/// ` AND` the query's stock and price filters on the listing row named `table`.
pub fn push_row_filters(sql: &mut Sql, query: &SearchQuery, table: &str) {
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
