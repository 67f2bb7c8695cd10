//! Bulk writes: many rows per INSERT, for imports and other batch work.

use sea_orm::{
    sea_query::Value, ActiveModelTrait, ConnectionTrait, DbBackend, EntityName, EntityTrait,
    IdenStatic, Iterable, Statement,
};
use std::io::Write;

use super::AppError;

/// Bound values per statement: SQLite allows 32,766 (PostgreSQL 65,535).
const MAX_VALUES: usize = 30_000;
/// Rows per JSON document on PostgreSQL (a few MB at most).
const JSON_ROWS: usize = 5_000;

/// Inserts `models`, many rows per statement.
///
/// PostgreSQL: the rows travel as one JSON document bound to one parameter and are expanded
/// by `json_populate_recordset` with the table's own row type, so the statement's text is the
/// same whatever the number of rows: it is parsed and planned once per connection, and no
/// statement with thousands of parameters is built, bound and planned per batch (that was
/// most of the database's CPU time in a checkout batch).
///
/// SQLite (and PostgreSQL rows of a type the JSON path does not carry): multi-row INSERTs
/// whose row counts are powers of two (256, 32, 4...), within the bound-value limit, so the
/// driver's prepared-statement cache serves them.
pub async fn insert_all<A>(db: &impl ConnectionTrait, models: Vec<A>) -> Result<(), AppError>
where
    A: ActiveModelTrait + Send,
{
    if models.is_empty() {
        return Ok(());
    }
    if db.get_database_backend() == DbBackend::Postgres {
        let statements: Option<Vec<Statement>> =
            models.chunks(JSON_ROWS).map(json_insert).collect();
        if let Some(statements) = statements {
            for statement in statements {
                db.execute_raw(statement).await?;
            }
            return Ok(());
        }
    }
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    let most = prev_power_of_two((MAX_VALUES / columns).max(1));
    let lengths = chunk_lengths(models.len(), most);
    let mut models = models.into_iter();
    for rows in lengths {
        let chunk: Vec<A> = models.by_ref().take(rows).collect();
        A::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// PostgreSQL: one INSERT of `models` (all with the same columns set) from a JSON document;
/// `None` when a row differs or holds a value the JSON path does not carry.
///
/// The document is written straight into one buffer, without a `serde_json::Value` tree: a
/// map per row and a string per key and value had been most of the server's CPU time for a
/// checkout batch's commit.
fn json_insert<A: ActiveModelTrait>(models: &[A]) -> Option<Statement> {
    let first = models.first()?;
    let columns: Vec<<A::Entity as EntityTrait>::Column> =
        <A::Entity as EntityTrait>::Column::iter()
            .filter(|column| first.get(*column).into_value().is_some())
            .collect();
    // Each key as it appears in the document, quoted, with its colon.
    let keys: Vec<String> = columns
        .iter()
        .map(|column| Some(format!("{}:", serde_json::to_string(column.as_str()).ok()?)))
        .collect::<Option<_>>()?;
    let mut document: Vec<u8> = Vec::with_capacity(models.len() * columns.len() * 32);
    document.push(b'[');
    for (row, model) in models.iter().enumerate() {
        if row > 0 {
            document.push(b',');
        }
        document.push(b'{');
        for (i, (column, key)) in columns.iter().zip(&keys).enumerate() {
            if i > 0 {
                document.push(b',');
            }
            document.extend_from_slice(key.as_bytes());
            write_json(&mut document, model.get(*column).into_value()?)?;
        }
        document.push(b'}');
    }
    document.push(b']');
    let table = A::Entity::default().table_name().to_owned();
    let names = columns
        .iter()
        .map(|column| format!("\"{}\"", column.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    Some(Statement::from_sql_and_values(
        DbBackend::Postgres,
        format!(
            "INSERT INTO \"{table}\" ({names}) SELECT {names} \
             FROM json_populate_recordset(NULL::\"{table}\", $1::json)"
        ),
        [Value::String(Some(String::from_utf8(document).ok()?))],
    ))
}

/// Appends a column value as JSON that PostgreSQL reads back into the column's type; `None`
/// for kinds of value the tables written in bulk do not have.
fn write_json(out: &mut Vec<u8>, value: Value) -> Option<()> {
    match value {
        Value::Bool(Some(v)) => out.extend_from_slice(if v { b"true" } else { b"false" }),
        Value::SmallInt(Some(v)) => write!(out, "{v}").ok()?,
        Value::Int(Some(v)) => write!(out, "{v}").ok()?,
        Value::BigInt(Some(v)) => write!(out, "{v}").ok()?,
        Value::String(Some(v)) => serde_json::to_writer(&mut *out, &v).ok()?,
        Value::Uuid(Some(id)) => write!(out, "\"{}\"", id.hyphenated()).ok()?,
        Value::ChronoDateTimeUtc(Some(at)) => write!(
            out,
            "\"{}\"",
            at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        )
        .ok()?,
        Value::Json(Some(json)) => serde_json::to_writer(&mut *out, &json).ok()?,
        Value::Bool(None)
        | Value::SmallInt(None)
        | Value::Int(None)
        | Value::BigInt(None)
        | Value::String(None)
        | Value::Uuid(None)
        | Value::ChronoDateTimeUtc(None)
        | Value::Json(None) => out.extend_from_slice(b"null"),
        _ => return None,
    }
    Some(())
}

/// `items` in chunks of at most `most` whose lengths are powers of two (256, 32, 4...): a
/// statement built per chunk then has one of a few shapes, which the driver's
/// prepared-statement cache serves.
pub fn chunks<T>(items: &[T], most: usize) -> impl Iterator<Item = &[T]> {
    let mut rest = items;
    chunk_lengths(items.len(), most).map(move |rows| {
        let (chunk, tail) = rest.split_at(rows);
        rest = tail;
        chunk
    })
}

/// The lengths of [`chunks`] of `total` items.
fn chunk_lengths(total: usize, most: usize) -> impl Iterator<Item = usize> {
    let most = most.max(1);
    let mut left = total;
    std::iter::from_fn(move || {
        (left > 0).then(|| {
            let rows = prev_power_of_two(left.min(most));
            left -= rows;
            rows
        })
    })
}

/// The largest power of two ≤ `n` (n ≥ 1).
fn prev_power_of_two(n: usize) -> usize {
    1 << (usize::BITS - 1 - n.leading_zeros())
}

#[cfg(test)]
mod tests {
    use super::{chunks, prev_power_of_two};

    #[test]
    fn chunk_sizes_are_powers_of_two() {
        assert_eq!(prev_power_of_two(1), 1);
        assert_eq!(prev_power_of_two(300), 256);
        assert_eq!(prev_power_of_two(256), 256);
        assert_eq!(prev_power_of_two(1763), 1024);
    }

    #[test]
    fn chunks_cover_every_item_once_in_order() {
        let items: Vec<u32> = (0..300).collect();
        let lengths: Vec<usize> = chunks(&items, 256).map(<[u32]>::len).collect();
        assert_eq!(lengths, vec![256, 32, 8, 4]);
        assert_eq!(
            chunks(&items, 256).flatten().copied().collect::<Vec<_>>(),
            items
        );
        assert_eq!(chunks(&items[..0], 256).count(), 0);
    }
}
