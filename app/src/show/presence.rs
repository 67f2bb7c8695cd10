//! Who is watching and what the show sold: each node's viewer count and reactions (a row per
//! node, summed over the nodes seen lately), and the live figures every viewer gets.

use chrono::TimeDelta;
use entity::{show, show_presence};
use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::public::{public_show, revealed_skus, show_sales, units_left};
use super::ShowStats;
use crate::core::{time::now, AppError};

/// Records this node's viewers of `show_id` and adds its reactions.
pub async fn heartbeat(
    db: &impl ConnectionTrait,
    show_id: Uuid,
    node_id: &str,
    viewers: i64,
    reactions: i64,
) -> Result<(), AppError> {
    show_presence::Entity::insert(show_presence::ActiveModel {
        show_id: Set(show_id),
        node_id: Set(node_id.to_owned()),
        viewers: Set(i32::try_from(viewers).unwrap_or(i32::MAX)),
        updated_at: Set(now()),
    })
    .on_conflict(
        OnConflict::columns([show_presence::Column::ShowId, show_presence::Column::NodeId])
            .update_columns([
                show_presence::Column::Viewers,
                show_presence::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if reactions > 0 {
        show::Entity::update_many()
            .col_expr(
                show::Column::Reactions,
                Expr::col(show::Column::Reactions).add(reactions),
            )
            .filter(show::Column::Id.eq(show_id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Forgets this node's viewers of `show_id` (nobody watches here any more).
pub async fn leave(
    db: &impl ConnectionTrait,
    show_id: Uuid,
    node_id: &str,
) -> Result<(), AppError> {
    show_presence::Entity::delete_many()
        .filter(show_presence::Column::ShowId.eq(show_id))
        .filter(show_presence::Column::NodeId.eq(node_id))
        .exec(db)
        .await?;
    Ok(())
}

/// A viewer count as shown: exact up to 1,000, then to three significant figures (51,234 →
/// 51,200), so a big audience's comings and goings don't change the figures every second.
fn shown_viewers(viewers: i64) -> i64 {
    let mut unit = 1;
    while viewers / unit >= 1_000 {
        unit *= 10;
    }
    viewers / unit * unit
}

/// The show's live figures (viewers over all nodes seen in the last five seconds).
pub async fn stats(db: &impl ConnectionTrait, show_id: Uuid) -> Result<ShowStats, AppError> {
    let show = public_show(db, show_id).await?;
    let viewers: i64 = show_presence::Entity::find()
        .select_only()
        .column(show_presence::Column::Viewers)
        .filter(show_presence::Column::ShowId.eq(show_id))
        .filter(show_presence::Column::UpdatedAt.gt(now() - TimeDelta::seconds(5)))
        .into_tuple::<i32>()
        .all(db)
        .await?
        .into_iter()
        .map(i64::from)
        .sum();
    let skus = revealed_skus(db, show_id).await?;
    let left = units_left(db, show_id, &skus).await?;
    let sales = show_sales(db, &show).await?;
    let mut orders: Vec<Uuid> = sales.iter().map(|s| s.order_id).collect();
    orders.sort_unstable();
    orders.dedup();
    Ok(ShowStats {
        viewers: shown_viewers(viewers),
        orders: orders.len() as i64,
        units_sold: sales.iter().map(|s| s.quantity).sum(),
        units_left: skus
            .iter()
            .map(|sku| (sku.to_string(), left.get(sku).copied().unwrap_or(0)))
            .collect(),
        reactions: show.reactions,
        latest: sales.iter().take(5).map(|s| s.title.clone()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::shown_viewers;

    #[test]
    fn viewer_counts_are_exact_to_a_thousand_then_three_significant_figures() {
        assert_eq!(shown_viewers(0), 0);
        assert_eq!(shown_viewers(999), 999);
        assert_eq!(shown_viewers(1_234), 1_230);
        assert_eq!(shown_viewers(51_234), 51_200);
        assert_eq!(shown_viewers(1_234_567), 1_230_000);
    }
}
