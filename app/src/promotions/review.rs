//! Promotions as platform admins review them: the queue of submitted versions, oldest first,
//! and the decision — approve (superseding the version it replaces), reject, or ask for
//! changes — mailed to whoever submitted it and audited.

use entity::{account, promotion};
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use super::service::views;
use super::terms;
use super::{PromotionDecision, PromotionStatus, PromotionView};
use crate::auth::{audit, Caller};
use crate::brands::{service::review_reason, ReviewDecision};
use crate::core::{time, txn::begin_write, AppError};
use crate::mail::templates;
use crate::state::AppState;

/// Submitted versions waiting for a decision, oldest first.
pub async fn queue(db: &impl ConnectionTrait) -> Result<Vec<PromotionView>, AppError> {
    let rows = promotion::Entity::find()
        .filter(promotion::Column::Status.eq(PromotionStatus::Submitted))
        .order_by_asc(promotion::Column::SubmittedAt)
        .order_by_asc(promotion::Column::Id)
        .all(db)
        .await?;
    views(db, rows).await
}

/// An admin decides on submitted version `id`.
pub async fn decide(
    state: &AppState,
    caller: &Caller,
    id: &str,
    decision: &PromotionDecision,
) -> Result<PromotionView, AppError> {
    let admin = caller.platform_admin()?.id;
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let row = promotion::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status != PromotionStatus::Submitted {
        return Err(AppError::Conflict {
            message: "This promotion is not waiting for a review.".into(),
        });
    }
    let reason = review_reason(decision.decision, decision.reason.as_deref())?;
    let (to, action, headline) = match decision.decision {
        ReviewDecision::Approve => (
            PromotionStatus::Approved,
            "promotion.approved",
            "it is approved and goes live when its window opens",
        ),
        ReviewDecision::Reject => (
            PromotionStatus::Rejected,
            "promotion.rejected",
            "it was not approved",
        ),
        ReviewDecision::RequestChanges => (
            PromotionStatus::ChangesRequested,
            "promotion.changes_requested",
            "please change it and submit it again",
        ),
    };
    let now = time::now();
    let txn = begin_write(&state.db).await?;
    let replaced = if to == PromotionStatus::Approved {
        promotion::Entity::find()
            .filter(promotion::Column::LineageId.eq(row.lineage_id))
            .filter(promotion::Column::Status.eq(PromotionStatus::Approved))
            .one(&txn)
            .await?
    } else {
        None
    };
    // A live promotion's terms change only in the buyer's favour, judged again now: it may
    // have gone live since the version was written.
    if let Some(live) = replaced.as_ref().filter(|live| live.starts_at <= now) {
        let fields = terms::not_in_buyers_favour(&terms::of_row(live), &terms::of_row(&row));
        if !fields.is_empty() {
            return Err(AppError::Conflict {
                message: "This version changes a live promotion against its buyers; ask for \
                          changes instead."
                    .into(),
            });
        }
    }
    let decided = promotion::Entity::update_many()
        .col_expr(promotion::Column::Status, Expr::value(to.as_str()))
        .col_expr(promotion::Column::ReviewNote, Expr::value(reason.clone()))
        .col_expr(promotion::Column::ReviewedBy, Expr::value(admin))
        .col_expr(promotion::Column::ReviewedAt, Expr::value(now))
        .col_expr(promotion::Column::UpdatedAt, Expr::value(now))
        .filter(promotion::Column::Id.eq(row.id))
        .filter(promotion::Column::Status.eq(PromotionStatus::Submitted))
        .exec(&txn)
        .await?;
    if decided.rows_affected != 1 {
        return Err(AppError::Conflict {
            message: "Another admin decided meanwhile; reload the queue.".into(),
        });
    }
    if let Some(replaced) = &replaced {
        promotion::Entity::update_many()
            .col_expr(
                promotion::Column::Status,
                Expr::value(PromotionStatus::Superseded.as_str()),
            )
            .col_expr(promotion::Column::UpdatedAt, Expr::value(now))
            .filter(promotion::Column::Id.eq(replaced.id))
            .filter(promotion::Column::Status.eq(PromotionStatus::Approved))
            .exec(&txn)
            .await?;
    }
    let author = account::Entity::find_by_id(row.created_by)
        .one(&txn)
        .await?;
    if let Some(author) = author {
        let link = match row.brand_id {
            Some(brand_id) => {
                let slug = super::service::slugs(&txn, [brand_id]).await?;
                format!(
                    "{}/brand/{}/promotions",
                    state.public_url,
                    slug.get(&brand_id).cloned().unwrap_or_default()
                )
            }
            None => format!("{}/admin/promotions", state.public_url),
        };
        crate::mail::enqueue(
            &txn,
            templates::promotion_decision(
                &author.email,
                &row.name,
                headline,
                reason.as_deref(),
                &link,
            ),
        )
        .await?;
    }
    audit::record(
        &txn,
        caller.client(),
        Some(admin),
        action,
        Some(&row.lineage_id.to_string()),
        Some(json!({ "version": row.version, "reason": reason })),
    )
    .await?;
    txn.commit().await?;
    state.outbox.wake();
    let row = promotion::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    views(&state.db, vec![row])
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}
