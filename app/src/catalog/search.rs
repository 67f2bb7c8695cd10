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

/// The FTS5 row id of a listing: its id's last 8 bytes. Ids are v7 UUIDs, whose first bytes
/// are a millisecond timestamp shared by every listing made in that millisecond, and whose
/// last 8 are (62 bits of) randomness — collisions are not a practical concern; `listing_id`
/// is stored too and is what joins.
pub fn fts_rowid(id: Uuid) -> i64 {
    let bytes = id.as_bytes();
    i64::from_be_bytes(bytes[8..].try_into().expect("8 bytes"))
}

/// Brings the search index in line with `row`: indexed when visible, removed otherwise.
/// PostgreSQL's index follows the row by itself (a generated column, a partial GIN index).
pub async fn sync_index(db: &impl ConnectionTrait, row: &listing::Model) -> Result<(), AppError> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(());
    }
    let rowid = fts_rowid(row.id);
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "DELETE FROM listing_fts WHERE rowid = ?",
        [rowid.into()],
    ))
    .await?;
    if row.visible {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "INSERT INTO listing_fts (rowid, listing_id, title, brand, description) \
             VALUES (?, ?, ?, ?, ?)",
            [
                rowid.into(),
                row.id.into(),
                row.title.clone().into(),
                row.brand_name.clone().into(),
                row.description_md.clone().into(),
            ],
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
    let backend = db.get_database_backend();
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

    let mut sql = Sql::new(backend);
    // The inner query finds and filters; the outer one pages by (score, id), where `score` is
    // whatever the sort orders by, ascending.
    sql.push("SELECT * FROM (SELECT ")
        .push(CARD_COLUMNS)
        .push(", ");
    let score = match sort {
        SearchSort::Relevance => match backend {
            // bm25 is lower for better matches; ts_rank higher, so negate it.
            DbBackend::Sqlite => "bm25(listing_fts, 0.0, 10.0, 4.0, 1.0)",
            _ => "-ts_rank(l.search_vector, q.query)::float8",
        },
        SearchSort::PriceAsc => "CAST(l.price_min_minor AS DOUBLE PRECISION)",
        SearchSort::PriceDesc => "CAST(-l.price_min_minor AS DOUBLE PRECISION)",
        // Newest pages by (published_at, id) instead; the score is unused.
        SearchSort::Newest => "CAST(0 AS DOUBLE PRECISION)",
    };
    sql.push(score).push(" AS score FROM ");
    match (backend, words.is_empty()) {
        (DbBackend::Sqlite, false) => {
            let fts_query = words
                .iter()
                .map(|w| format!("\"{w}\"*"))
                .collect::<Vec<_>>()
                .join(" ");
            sql.push("listing_fts JOIN listing l ON l.id = listing_fts.listing_id WHERE listing_fts MATCH ")
                .bind(fts_query);
        }
        (DbBackend::Sqlite, true) => {
            sql.push("listing l WHERE 1 = 1");
        }
        (_, false) => {
            let ts_query = words
                .iter()
                .map(|w| format!("{w}:*"))
                .collect::<Vec<_>>()
                .join(" & ");
            sql.push("listing l, to_tsquery('simple', ")
                .bind(ts_query)
                .push(") AS q(query) WHERE l.search_vector @@ q.query");
        }
        (_, true) => {
            sql.push("listing l CROSS JOIN (SELECT NULL::tsquery AS query) q WHERE 1 = 1");
        }
    }
    sql.push(" AND l.visible = ").bind(true);
    if let Some(category) = query.category.as_deref().filter(|c| !c.is_empty()) {
        sql.push(" AND l.category = ").bind(category.to_owned());
    }
    if let Some(id) = brand_id {
        sql.push(" AND l.brand_id = ").bind(id);
    }
    if let Some(min) = query.min_price {
        sql.push(" AND l.price_min_minor >= ").bind(min);
    }
    if let Some(max) = query.max_price {
        sql.push(" AND l.price_min_minor <= ").bind(max);
    }
    if query.in_stock == Some(true) {
        sql.push(" AND l.available > 0");
    }
    sql.push(") hits");
    let newest = sort == SearchSort::Newest;
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
        } else {
            let (score, id) = cursor::decode_score(after)?;
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
