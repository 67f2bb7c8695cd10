//! A brand's stock locations: its warehouses, made by its team (the first one, "Main
//! warehouse", when it first looks), and the locations set-aside pools use ([`super::pools`]).

use entity::stock_location;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryOrder};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

use crate::auth::audit::ClientContext;
use crate::brands::BrandScope;
use crate::catalog::StockLocationInfo;
use crate::core::{time, AppError};
use crate::state::AppState;
use entity::values::LocationKind;

/// The location every brand starts with.
pub const DEFAULT_LOCATION: &str = "Main warehouse";

/// The brand's locations, creating the default one the first time.
pub async fn locations(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
) -> Result<Vec<StockLocationInfo>, AppError> {
    let mut rows = scope
        .find::<stock_location::Entity>()
        .order_by_asc(stock_location::Column::CreatedAt)
        .all(db)
        .await?;
    if rows.is_empty() {
        rows.push(insert_location(db, scope, DEFAULT_LOCATION).await?);
    }
    Ok(rows.into_iter().map(location_info).collect())
}

fn location_info(row: stock_location::Model) -> StockLocationInfo {
    StockLocationInfo {
        id: row.id.to_string(),
        name: row.name,
        kind: row.kind,
    }
}

async fn insert_location(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    name: &str,
) -> Result<stock_location::Model, AppError> {
    let row = stock_location::Model {
        id: Uuid::now_v7(),
        brand_id: scope.brand_id(),
        name: name.to_owned(),
        kind: LocationKind::Warehouse,
        set_aside_for: None,
        created_at: time::now(),
    };
    match row.clone().into_active_model().reset_all().insert(db).await {
        Ok(_) => Ok(row),
        Err(err) => Err(AppError::taken(
            err,
            "name",
            "You already have a location with this name.",
        )),
    }
}

/// Adds a location (a warehouse).
pub async fn create_location(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    name: &str,
) -> Result<StockLocationInfo, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::field(
            "name",
            "Name the location (up to 80 characters).",
        ));
    }
    locations(&state.db, scope).await?;
    let row = insert_location(&state.db, scope, name).await?;
    scope
        .audit(
            &state.db,
            client,
            "stock.location_created",
            &row.id.to_string(),
            json!({ "name": name }),
        )
        .await?;
    Ok(location_info(row))
}

pub(super) async fn location_in_scope(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    id: &str,
    field: &str,
) -> Result<stock_location::Model, AppError> {
    let missing = || AppError::field(field, "Choose one of your locations.");
    let id = Uuid::parse_str(id).map_err(|_| missing())?;
    scope
        .narrow(stock_location::Entity::find_by_id(id))
        .one(db)
        .await?
        .ok_or_else(missing)
}

/// The names of the brand's locations, by id.
pub(super) async fn location_names(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
) -> Result<HashMap<Uuid, String>, AppError> {
    Ok(scope
        .find::<stock_location::Entity>()
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.id, l.name))
        .collect())
}
