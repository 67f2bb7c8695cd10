//! The benchmarks' database chores: a fresh database, stock set for a run, and the checks
//! that prove nothing was oversold (units sold per paid orders; levels never negative; the
//! ledger sums to the levels).

use std::collections::HashMap;

use anyhow::Context;
use app::catalog::stock::{
    ledger::{self, Movement},
    MovementKind,
};
use app::checkout::OrderStatus;
use app::core::txn::begin_write;
use entity::{order_line, shop_order, stock_level, stock_movement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect, Statement,
};
use uuid::Uuid;

/// Deletes the SQLite file, or drops and re-creates the PostgreSQL database, of `url`.
pub async fn fresh_database(url: &str) -> anyhow::Result<()> {
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .map(|rest| rest.split('?').next().unwrap_or(rest))
    {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
        return Ok(());
    }
    let (server, rest) = url.rsplit_once('/').context("a database name in the URL")?;
    let (name, query) = rest.split_once('?').unwrap_or((rest, ""));
    anyhow::ensure!(
        name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "database name {name:?}: letters, digits and _ only"
    );
    let admin = sea_orm::Database::connect(format!("{server}/postgres?{query}")).await?;
    for sql in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        admin
            .execute_raw(Statement::from_string(DbBackend::Postgres, sql))
            .await?;
    }
    Ok(())
}

/// Makes `sku` have exactly `units` on hand at its location (nothing reserved), through the
/// stock ledger (an adjustment), so the ledger still reconciles.
pub async fn set_stock(
    db: &DatabaseConnection,
    (sku, location): (Uuid, Uuid),
    units: i64,
) -> anyhow::Result<()> {
    let txn = begin_write(db).await?;
    let (brand_id, on_hand, reserved): (Uuid, i64, i64) =
        stock_level::Entity::find_by_id((sku, location))
            .select_only()
            .column(stock_level::Column::BrandId)
            .column(stock_level::Column::OnHand)
            .column(stock_level::Column::Reserved)
            .into_tuple()
            .one(&txn)
            .await?
            .context("the SKU's stock row")?;
    anyhow::ensure!(reserved == 0, "stock reserved while setting up");
    ledger::record(
        &txn,
        &[Movement {
            brand_id,
            sku_id: sku,
            location_id: location,
            kind: MovementKind::Adjust,
            on_hand_delta: units - on_hand,
            reserved_delta: 0,
            reason: "checkout benchmark".into(),
            actor: None,
            reference: None,
        }],
    )
    .await
    .map_err(|e| anyhow::anyhow!("setting stock: {e}"))?;
    txn.commit().await?;
    Ok(())
}

/// Units of `sku` sold, per the order lines of paid orders.
pub async fn sold(db: &DatabaseConnection, sku: Uuid) -> anyhow::Result<i64> {
    let paid: Vec<Uuid> = shop_order::Entity::find()
        .select_only()
        .column(shop_order::Column::Id)
        .filter(shop_order::Column::Status.eq(OrderStatus::Paid))
        .into_tuple()
        .all(db)
        .await?;
    let mut total = 0;
    for chunk in paid.chunks(10_000) {
        let quantities: Vec<i64> = order_line::Entity::find()
            .select_only()
            .column(order_line::Column::Quantity)
            .filter(order_line::Column::SkuId.eq(sku))
            .filter(order_line::Column::OrderId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        total += quantities.iter().sum::<i64>();
    }
    Ok(total)
}

/// The stock checks of one SKU, printed: never negative, the ledger sums to the level.
/// Answers what broke (nothing when all holds).
pub async fn check(db: &DatabaseConnection, name: &str, sku: Uuid) -> anyhow::Result<Vec<String>> {
    // Only the columns every schema version has: a baseline binary's database may be older.
    let levels: Vec<(Uuid, i64, i64)> = stock_level::Entity::find()
        .select_only()
        .column(stock_level::Column::LocationId)
        .column(stock_level::Column::OnHand)
        .column(stock_level::Column::Reserved)
        .filter(stock_level::Column::SkuId.eq(sku))
        .into_tuple()
        .all(db)
        .await?;
    let mut ledger: HashMap<Uuid, (i64, i64)> = HashMap::new();
    let movements: Vec<(Uuid, i64, i64)> = stock_movement::Entity::find()
        .select_only()
        .column(stock_movement::Column::LocationId)
        .column(stock_movement::Column::OnHandDelta)
        .column(stock_movement::Column::ReservedDelta)
        .filter(stock_movement::Column::SkuId.eq(sku))
        .into_tuple()
        .all(db)
        .await?;
    for (location, on_hand, reserved) in movements {
        let sum = ledger.entry(location).or_default();
        sum.0 += on_hand;
        sum.1 += reserved;
    }
    let negative = levels
        .iter()
        .filter(|&&(_, on_hand, reserved)| on_hand < reserved || reserved < 0)
        .count();
    let reconciles = levels.iter().all(|&(location, on_hand, reserved)| {
        ledger.get(&location).copied().unwrap_or_default() == (on_hand, reserved)
    });
    let orders = shop_order::Entity::find()
        .select_only()
        .column(shop_order::Column::Id)
        .count(db)
        .await?;
    println!(
        "check {name}: on hand {}, reserved {}, negative rows {negative}, ledger reconciles: {reconciles} ({orders} orders in the database)",
        levels.iter().map(|l| l.1).sum::<i64>(),
        levels.iter().map(|l| l.2).sum::<i64>(),
    );
    let mut broken = Vec::new();
    if negative > 0 {
        broken.push(format!("{name}: {negative} stock rows below zero"));
    }
    if !reconciles {
        broken.push(format!("{name}: the ledger does not sum to the levels"));
    }
    Ok(broken)
}
