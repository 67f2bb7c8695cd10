//! The storefront's reads: search over published listings with the database's own full-text
//! index (SQLite FTS5, PostgreSQL tsvector + GIN with ts_rank), filters, sorts and keyset
//! pagination; and the public listing page. What each database's SQL looks like is in
//! [`sqlite`] and [`postgres`]; what they share in [`sql`]; how listings get into the index in
//! `catalog::index`.

mod postgres;
mod sql;
mod sqlite;

use chrono::{DateTime, Utc};
use entity::{brand, listing};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter};
use uuid::Uuid;

pub use self::sql::CANDIDATES;
use self::sql::{Pass, Sql};
use super::{ListingCard, ListingDetail, ListingPage, ListingStatus, SearchQuery, SearchSort};
use crate::core::{cursor, AppError};

/// Results per search page (the default; callers may ask for up to [`MAX_LIMIT`]).
pub const PAGE_SIZE: u32 = 24;
pub const MAX_LIMIT: u32 = 100;
const MAX_TERMS: usize = 8;
/// A last word shorter than this is also tried as the beginning of a word when the whole
/// words find nothing: people type "sli" and mean "slip"; a longer word is taken as written
/// (a prefix search merges every posting list under it, which is what makes it slow).
const PREFIX_BELOW_CHARS: usize = 6;

/// The words of a query: letters and digits only (so nothing a user types is query syntax),
/// lower-cased, at most 8.
fn terms(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().take(40).collect::<String>().to_lowercase())
        .take(MAX_TERMS)
        .collect()
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

/// Whether `words` (all whole words) match any listing under the query's filters: see each
/// database's `any_match`.
async fn any_match(
    db: &impl ConnectionTrait,
    query: &SearchQuery,
    words: &[String],
    brand_id: Option<Uuid>,
) -> Result<bool, AppError> {
    if words.is_empty() {
        return Ok(true);
    }
    match db.get_database_backend() {
        DbBackend::Sqlite => sqlite::any_match(db, query, words, brand_id).await,
        _ => postgres::any_match(db, query, words, brand_id).await,
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
    let pass = Pass {
        query,
        words,
        sort,
        brand_id,
        limit,
        prefix_last,
        after_score,
    };
    let mut sql = Sql::new(backend);
    // The inner query finds and filters (with words: at most CANDIDATES matches); the outer
    // one pages by (score, id), where `score` is whatever the sort orders by, ascending.
    sql.push("SELECT * FROM (SELECT ")
        .push(CARD_COLUMNS)
        .push(", ");
    let score = match sort {
        SearchSort::Relevance => match backend {
            DbBackend::Sqlite => sqlite::RELEVANCE,
            _ => postgres::RELEVANCE,
        },
        SearchSort::PriceAsc => "CAST(l.price_min_minor AS DOUBLE PRECISION)",
        SearchSort::PriceDesc => "CAST(-l.price_min_minor AS DOUBLE PRECISION)",
        // Newest pages by (published_at, id) instead; the score is unused.
        SearchSort::Newest => "CAST(0 AS DOUBLE PRECISION)",
    };
    sql.push(score).push(" AS score FROM ");
    match backend {
        DbBackend::Sqlite => sqlite::push_matches(&mut sql, &pass),
        _ => postgres::push_matches(&mut sql, &pass),
    }
    // A literal, not a bound value: PostgreSQL can only use its partial index (`WHERE
    // visible`) when the query says so in its text, generic prepared plans included.
    sql.push(" AND l.visible = TRUE");
    match backend {
        DbBackend::Sqlite => sqlite::push_filters(&mut sql, &pass),
        _ => postgres::push_filters(&mut sql, &pass),
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
