//! Reading many rows by their keys: one index probe per key, whatever the database's
//! statistics say.
//!
//! `a IN (…) AND b IN (…)` looks simpler but both databases probe every combination (500 ×
//! 500 lookups for a batch of 500 signed-in buyers: 90 ms on SQLite), and PostgreSQL with
//! statistics from when the table was small reads every row matching one column (every guest
//! shares one idempotency scope) and filters the batch's keys out of them — a cost that grows
//! with the table. Here the keys travel as one JSON list that drives the lookups: PostgreSQL
//! `json_to_recordset` + `LATERAL … LIMIT 1`, SQLite `json_each` + `CROSS JOIN` (which keeps
//! the list as the outer loop). The statement's text depends only on the columns, so each
//! connection prepares it once.

use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, IdenStatic, Statement};
use uuid::Uuid;

use super::AppError;

/// One column of a key, with its value.
#[derive(Clone, Copy, Debug)]
pub enum KeyPart<'a> {
    /// A text column.
    Text(&'a str),
    /// A UUID column.
    Uuid(Uuid),
}

impl KeyPart<'_> {
    /// The column's type as PostgreSQL's `json_to_recordset` should read it.
    fn postgres_type(&self) -> &'static str {
        match self {
            KeyPart::Text(_) => "text",
            KeyPart::Uuid(_) => "uuid",
        }
    }

    /// The SQLite expression turning the list entry's field `$.{field}` into the column's
    /// stored form (the driver stores a UUID as 16 bytes).
    fn sqlite_value(&self, field: &str) -> String {
        match self {
            KeyPart::Text(_) => format!("json_extract(k.value, '$.{field}')"),
            KeyPart::Uuid(_) => {
                format!("unhex(replace(json_extract(k.value, '$.{field}'), '-', ''))")
            }
        }
    }

    fn to_json(self) -> serde_json::Value {
        match self {
            KeyPart::Text(text) => text.into(),
            KeyPart::Uuid(id) => id.hyphenated().to_string().into(),
        }
    }
}

/// The rows of `E` whose `columns` equal one of `keys` (each key gives one value per column,
/// in the same order); keys that match nothing are simply absent from the answer.
pub async fn find_by_keys<'a, E, const N: usize>(
    db: &impl ConnectionTrait,
    columns: [E::Column; N],
    keys: Vec<[KeyPart<'a>; N]>,
) -> Result<Vec<E::Model>, AppError>
where
    E: EntityTrait,
{
    // The first key tells each column's type; every key has the same shape.
    let Some(shape) = keys.first().copied() else {
        return Ok(Vec::new());
    };
    let list: Vec<serde_json::Value> = keys
        .into_iter()
        .map(|key| {
            serde_json::Value::Object(
                key.into_iter()
                    .enumerate()
                    .map(|(i, part)| (format!("c{i}"), part.to_json()))
                    .collect(),
            )
        })
        .collect();
    let table = E::default().table_name().to_owned();
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            let fields: Vec<String> = shape
                .iter()
                .enumerate()
                .map(|(i, part)| format!("c{i} {}", part.postgres_type()))
                .collect();
            let matches: Vec<String> = columns
                .iter()
                .enumerate()
                .map(|(i, column)| format!("\"{}\" = k.c{i}", column.as_str()))
                .collect();
            format!(
                "SELECT r.* FROM json_to_recordset($1::json) AS k({}) \
                 CROSS JOIN LATERAL (SELECT * FROM \"{table}\" WHERE {} LIMIT 1) AS r",
                fields.join(", "),
                matches.join(" AND "),
            )
        }
        _ => {
            let matches: Vec<String> = columns
                .iter()
                .zip(shape)
                .enumerate()
                .map(|(i, (column, part))| {
                    format!(
                        "r.\"{}\" = {}",
                        column.as_str(),
                        part.sqlite_value(&format!("c{i}"))
                    )
                })
                .collect();
            format!(
                "SELECT r.* FROM json_each(?) AS k CROSS JOIN \"{table}\" AS r ON {}",
                matches.join(" AND "),
            )
        }
    };
    let statement = Statement::from_sql_and_values(
        backend,
        sql,
        [serde_json::Value::Array(list).to_string().into()],
    );
    Ok(E::find().from_raw_sql(statement).all(db).await?)
}
