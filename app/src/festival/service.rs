//! Festival settings are rows of `platform_setting` under the `festival.` prefix.

use chrono::{DateTime, Utc};
use entity::platform_setting;
use sea_orm::{sea_query::OnConflict, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::Festival;
use crate::core::AppError;

const NAME: &str = "festival.name";
const STARTS_AT: &str = "festival.starts_at";
const ENDS_AT: &str = "festival.ends_at";

/// Reads the scheduled festival; `None` when no festival has been set up.
pub async fn current_festival(db: &impl ConnectionTrait) -> Result<Option<Festival>, AppError> {
    let rows = platform_setting::Entity::find()
        .filter(platform_setting::Column::Key.is_in([NAME, STARTS_AT, ENDS_AT]))
        .all(db)
        .await?;
    let get = |key: &str| {
        rows.iter()
            .find(|row| row.key == key)
            .map(|row| row.value.as_str())
    };
    let (Some(name), Some(starts_at), Some(ends_at)) = (get(NAME), get(STARTS_AT), get(ENDS_AT))
    else {
        return Ok(None);
    };
    let parse = |value: &str| {
        DateTime::parse_from_rfc3339(value)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| AppError::internal(format!("festival setting is not RFC 3339: {e}")))
    };
    Ok(Some(Festival {
        name: name.to_owned(),
        starts_at: parse(starts_at)?,
        ends_at: parse(ends_at)?,
    }))
}

/// Creates or replaces the festival settings (one statement, so all three or none).
pub async fn save_festival(db: &impl ConnectionTrait, festival: &Festival) -> Result<(), AppError> {
    let name = festival.name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::field(
            "name",
            "Give the festival a name of 1 to 120 characters.",
        ));
    }
    if festival.ends_at <= festival.starts_at {
        return Err(AppError::field(
            "ends_at",
            "The festival must end after it starts.",
        ));
    }
    let now = Utc::now();
    let rows = [
        (NAME, name.to_owned()),
        (STARTS_AT, festival.starts_at.to_rfc3339()),
        (ENDS_AT, festival.ends_at.to_rfc3339()),
    ]
    .map(|(key, value)| platform_setting::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(value),
        updated_at: Set(now),
    });
    platform_setting::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(platform_setting::Column::Key)
                .update_columns([
                    platform_setting::Column::Value,
                    platform_setting::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}
