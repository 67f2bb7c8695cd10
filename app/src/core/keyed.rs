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

use std::io::Write;

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

    /// Appends the value as a JSON string.
    fn write_json(self, out: &mut Vec<u8>) {
        // Writing into a `Vec` cannot fail.
        match self {
            KeyPart::Text(text) => {
                let _ = serde_json::to_writer(&mut *out, text);
            }
            KeyPart::Uuid(id) => {
                let _ = write!(out, "\"{}\"", id.hyphenated());
            }
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
    // The list is written straight into one string (`[{"c0":…,"c1":…},…]`), without a
    // `serde_json::Value` tree: no map and no strings per key (as in `core::bulk`).
    let mut list: Vec<u8> = Vec::with_capacity(keys.len() * N * 48 + 2);
    list.push(b'[');
    for (row, key) in keys.into_iter().enumerate() {
        if row > 0 {
            list.push(b',');
        }
        list.push(b'{');
        for (i, part) in key.into_iter().enumerate() {
            if i > 0 {
                list.push(b',');
            }
            let _ = write!(list, "\"c{i}\":"); // into a `Vec`: cannot fail
            part.write_json(&mut list);
        }
        list.push(b'}');
    }
    list.push(b']');
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
        // Only JSON strings were written: the bytes are UTF-8.
        [String::from_utf8(list)
            .map_err(|_| AppError::Internal)?
            .into()],
    );
    Ok(E::find().from_raw_sql(statement).all(db).await?)
}
