//! Campaigns as platform admins review them: the queue of submitted campaigns, oldest first,
//! and the decision — approve, reject, or ask for changes — mailed to whoever submitted it and
//! audited. Approving puts the campaign's sale gates on its SKUs — from then on they sell only
//! as pre-sale deposits, inside the deposit window, within the per-buyer limit — and sets its
//! cap aside from open stock (refused, whole, when open stock is short).

use entity::{account, brand, presale_campaign, presale_line, sku};
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use super::campaigns::{view, views};
use super::{CampaignDecision, CampaignView, PresaleStatus};
use crate::auth::{audit, Caller};
use crate::brands::{service::review_reason, ReviewDecision};
use crate::catalog::gates::{self, Gate, GateOwner};
use crate::catalog::stock::{
    pools::{self, AsideFor},
    StockPool,
};
use crate::checkout::OrderChannel;
use crate::core::{txn::begin_write, AppError};
use crate::mail::templates;
use crate::state::AppState;

/// Submitted campaigns waiting for a decision, oldest first.
pub async fn queue(state: &AppState) -> Result<Vec<CampaignView>, AppError> {
    let rows = presale_campaign::Entity::find()
        .filter(presale_campaign::Column::Status.eq(PresaleStatus::Submitted))
        .order_by_asc(presale_campaign::Column::SubmittedAt)
        .order_by_asc(presale_campaign::Column::Id)
        .all(&state.db)
        .await?;
    views(&state.db, rows, state.clock.now()).await
}

/// The gate campaign `row` holds on each of its SKUs while approved.
pub fn gate_of(row: &presale_campaign::Model) -> Gate {
    Gate {
        pool: StockPool::Presale(row.id),
        channel: Some(OrderChannel::Presale),
        opens_at: Some(row.deposit_starts_at),
        closes_at: Some(row.deposit_ends_at),
        purchase_limit: Some(row.per_buyer_limit),
    }
}

/// Refuses approval when a SKU of campaign `row` is pre-sold by another approved campaign
/// whose windows overlap this one's.
async fn overlaps(
    db: &impl ConnectionTrait,
    row: &presale_campaign::Model,
    skus: &[Uuid],
) -> Result<(), AppError> {
    let others: Vec<Uuid> = presale_line::Entity::find()
        .filter(presale_line::Column::SkuId.is_in(skus.to_vec()))
        .filter(presale_line::Column::CampaignId.ne(row.id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.campaign_id)
        .collect();
    let clash = presale_campaign::Entity::find()
        .filter(presale_campaign::Column::Id.is_in(others))
        .filter(presale_campaign::Column::Status.eq(PresaleStatus::Approved))
        .filter(presale_campaign::Column::DepositStartsAt.lt(row.balance_ends_at))
        .filter(presale_campaign::Column::BalanceEndsAt.gt(row.deposit_starts_at))
        .one(db)
        .await?;
    match clash {
        Some(other) => Err(AppError::Conflict {
            message: format!(
                "A product of this campaign is already pre-sold by “{}” in the same weeks.",
                other.name
            ),
        }),
        None => Ok(()),
    }
}

/// What approving campaign `row` does, inside the caller's transaction (refused whole when a
/// SKU is pre-sold by an overlapping campaign or open stock is short of a cap): a sale gate on
/// each SKU, and each line's cap set aside from open stock for its deposits (`actor` moves it).
pub async fn go_live(
    db: &impl ConnectionTrait,
    row: &presale_campaign::Model,
    actor: Uuid,
) -> Result<(), AppError> {
    let lines = presale_line::Entity::find()
        .filter(presale_line::Column::CampaignId.eq(row.id))
        .order_by_asc(presale_line::Column::Id)
        .all(db)
        .await?;
    let skus: Vec<Uuid> = lines.iter().map(|l| l.sku_id).collect();
    overlaps(db, row, &skus).await?;
    let gate = gate_of(row);
    let owner = AsideFor::Presale {
        id: row.id,
        title: &row.name,
    };
    for (i, line) in lines.iter().enumerate() {
        gates::hold(db, GateOwner::Presale(row.id), line.sku_id, &gate).await?;
        let sku = sku::Entity::find_by_id(line.sku_id)
            .one(db)
            .await?
            .ok_or(AppError::NotFound)?;
        pools::set_aside(db, owner, &sku, line.cap, actor, &format!("lines.{i}.cap")).await?;
    }
    Ok(())
}

/// An admin decides on submitted campaign `id`.
pub async fn decide(
    state: &AppState,
    caller: &Caller,
    id: &str,
    decision: &CampaignDecision,
) -> Result<CampaignView, AppError> {
    let admin = caller.platform_admin()?.id;
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let row = presale_campaign::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status != PresaleStatus::Submitted {
        return Err(AppError::Conflict {
            message: "This campaign is not waiting for a review.".into(),
        });
    }
    let reason = review_reason(decision.decision, decision.reason.as_deref())?;
    let (to, action, headline) = match decision.decision {
        ReviewDecision::Approve => (
            PresaleStatus::Approved,
            "presale.approved",
            "it is approved and takes deposits when its window opens",
        ),
        ReviewDecision::Reject => (
            PresaleStatus::Rejected,
            "presale.rejected",
            "it was not approved",
        ),
        ReviewDecision::RequestChanges => (
            PresaleStatus::ChangesRequested,
            "presale.changes_requested",
            "please change it and submit it again",
        ),
    };
    let now = state.clock.now();
    if to == PresaleStatus::Approved && row.deposit_ends_at <= now {
        return Err(AppError::Conflict {
            message: "This campaign's deposit window has passed; ask for changes instead.".into(),
        });
    }
    let txn = begin_write(&state.db).await?;
    let decided = presale_campaign::Entity::update_many()
        .col_expr(presale_campaign::Column::Status, Expr::value(to.as_str()))
        .col_expr(
            presale_campaign::Column::ReviewNote,
            Expr::value(reason.clone()),
        )
        .col_expr(presale_campaign::Column::ReviewedBy, Expr::value(admin))
        .col_expr(presale_campaign::Column::ReviewedAt, Expr::value(now))
        .col_expr(presale_campaign::Column::UpdatedAt, Expr::value(now))
        .filter(presale_campaign::Column::Id.eq(row.id))
        .filter(presale_campaign::Column::Status.eq(PresaleStatus::Submitted))
        .exec(&txn)
        .await?;
    if decided.rows_affected != 1 {
        return Err(AppError::Conflict {
            message: "Another admin decided meanwhile; reload the queue.".into(),
        });
    }
    if to == PresaleStatus::Approved {
        go_live(&txn, &row, admin).await?;
    }
    if let Some(author) = account::Entity::find_by_id(row.created_by)
        .one(&txn)
        .await?
    {
        let slug = brand::Entity::find_by_id(row.brand_id)
            .one(&txn)
            .await?
            .map(|b| b.slug)
            .unwrap_or_default();
        crate::mail::enqueue(
            &txn,
            templates::presale_decision(
                &author.email,
                &row.name,
                headline,
                reason.as_deref(),
                &format!("{}/brand/{slug}/presales", state.public_url),
            ),
        )
        .await?;
    }
    audit::record(
        &txn,
        caller.client(),
        Some(admin),
        action,
        Some(&row.id.to_string()),
        Some(json!({ "reason": reason })),
    )
    .await?;
    txn.commit().await?;
    state.outbox.wake();
    let row = presale_campaign::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    view(&state.db, row, now).await
}
