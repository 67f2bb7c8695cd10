//! Coupons as buyers get them: the live coupons a store (or the platform) offers, claiming one
//! into the wallet — the batch's stock and the buyer's claim limit each taken by one
//! conditional update in the claim's transaction, so a thousand claims at once of a hundred
//! coupons give exactly a hundred — and the wallet.

use chrono::{DateTime, Utc};
use entity::{coupon, promotion, promotion_budget, promotion_buyer};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

use super::service::{slugs, views};
use super::terms;
use super::{ClaimInput, CouponStatus, CouponView, PromotionKind, PromotionStatus, PromotionView};
use crate::auth::Caller;
use crate::core::{txn::begin_write, AppError};
use crate::state::AppState;

/// Most coupons a wallet lists.
const WALLET_LIMIT: u64 = 200;

/// The coupons open for claiming at `now`: of the live brand `brand` (a slug; the platform's
/// when none), approved, inside their window, with coupons left.
pub async fn claimable(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    brand: Option<&str>,
) -> Result<Vec<PromotionView>, AppError> {
    let brand_id = match brand.map(str::trim).filter(|b| !b.is_empty()) {
        Some(slug) => Some(
            entity::brand::Entity::find()
                .select_only()
                .column(entity::brand::Column::Id)
                .filter(entity::brand::Column::Slug.eq(slug.to_lowercase()))
                .filter(entity::brand::Column::Status.eq(entity::values::BrandStatus::Approved))
                .into_tuple::<Uuid>()
                .one(db)
                .await?
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    let rows = super::offers::approved_coupons(brand_id)
        .filter(promotion::Column::StartsAt.lte(now))
        .filter(promotion::Column::EndsAt.gt(now))
        .all(db)
        .await?;
    Ok(views(db, rows)
        .await?
        .into_iter()
        .filter(|v| {
            v.terms
                .coupon_stock
                .is_some_and(|stock| v.claimed < i64::from(stock))
        })
        .collect())
}

/// The live coupon promotion `input` names (by a claim link, by id, or by code).
async fn live_coupon(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    input: &ClaimInput,
) -> Result<promotion::Model, AppError> {
    let named = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let by = match (
        named(&input.link),
        named(&input.promotion_id),
        named(&input.code),
    ) {
        (Some(link), _, _) => {
            let link = super::links::live(db, now, &link).await?;
            let lineage = link.lineage_id.ok_or(AppError::OfferUnavailable {
                message: "This code hands out no coupon.".into(),
            })?;
            Condition::all().add(promotion::Column::LineageId.eq(lineage))
        }
        (None, Some(id), _) => {
            let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
            Condition::all().add(promotion::Column::LineageId.eq(id))
        }
        (None, None, Some(code)) => {
            Condition::all().add(promotion::Column::Code.eq(code.to_uppercase()))
        }
        _ => return Err(AppError::field("code", "Enter a coupon code.")),
    };
    promotion::Entity::find()
        .filter(by)
        .filter(promotion::Column::Kind.eq(PromotionKind::Coupon))
        .filter(promotion::Column::Status.eq(PromotionStatus::Approved))
        .filter(promotion::Column::StartsAt.lte(now))
        .filter(promotion::Column::EndsAt.gt(now))
        .one(db)
        .await?
        .ok_or(AppError::OfferUnavailable {
            message: "This coupon isn't available: check the code, or it may have ended.".into(),
        })
}

/// The caller (signed in, verified) claims a coupon into their wallet.
pub async fn claim(
    state: &AppState,
    caller: &Caller,
    input: &ClaimInput,
) -> Result<CouponView, AppError> {
    let account = caller.verified()?.id;
    let now = state.clock.now();
    let version = live_coupon(&state.db, now, input).await?;
    let (Some(stock), Some(per_buyer)) = (version.coupon_stock, version.claim_limit) else {
        return Err(AppError::internal(
            "an approved coupon without stock or claim limit",
        ));
    };
    let txn = begin_write(&state.db).await?;
    // The batch's stock first, then the buyer's count: the order the checkout takes
    // promotions' rows in, so the two never wait on each other crosswise.
    let taken = promotion_budget::Entity::update_many()
        .col_expr(
            promotion_budget::Column::Claimed,
            Expr::col(promotion_budget::Column::Claimed).add(1),
        )
        .filter(promotion_budget::Column::LineageId.eq(version.lineage_id))
        .filter(promotion_budget::Column::Claimed.lt(i64::from(stock)))
        .exec(&txn)
        .await?;
    if taken.rows_affected != 1 {
        return Err(AppError::OfferUnavailable {
            message: "All of these coupons have been claimed.".into(),
        });
    }
    super::budget::ensure_buyer(&txn, version.lineage_id, account).await?;
    let counted = promotion_buyer::Entity::update_many()
        .col_expr(
            promotion_buyer::Column::Claimed,
            Expr::col(promotion_buyer::Column::Claimed).add(1),
        )
        .filter(promotion_buyer::Column::LineageId.eq(version.lineage_id))
        .filter(promotion_buyer::Column::AccountId.eq(account))
        .filter(promotion_buyer::Column::Claimed.lt(i64::from(per_buyer)))
        .exec(&txn)
        .await?;
    if counted.rows_affected != 1 {
        // Dropping the transaction rolls the stock back.
        return Err(AppError::OfferUnavailable {
            message: if per_buyer == 1 {
                "You have claimed this coupon already: it is in your wallet.".into()
            } else {
                format!("You have claimed this coupon {per_buyer} times, the most one buyer may.")
            },
        });
    }
    let row = coupon::Model {
        id: Uuid::now_v7(),
        lineage_id: version.lineage_id,
        brand_id: version.brand_id,
        account_id: account,
        status: CouponStatus::Claimed,
        order_id: None,
        claimed_at: now,
        expires_at: version.ends_at,
        updated_at: now,
    }
    .into_active_model()
    .reset_all()
    .insert(&txn)
    .await?;
    txn.commit().await?;
    coupon_views(&state.db, now, vec![row])
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// The coupons of `account`, newest first.
pub async fn wallet(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account: Uuid,
) -> Result<Vec<CouponView>, AppError> {
    let rows = coupon::Entity::find()
        .filter(coupon::Column::AccountId.eq(account))
        .order_by_desc(coupon::Column::ClaimedAt)
        .order_by_desc(coupon::Column::Id)
        .limit(WALLET_LIMIT)
        .all(db)
        .await?;
    coupon_views(db, now, rows).await
}

/// Coupons as their buyer sees them: named and summed up by their promotion's newest approved
/// version, expired once its window closed unused.
async fn coupon_views(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    rows: Vec<coupon::Model>,
) -> Result<Vec<CouponView>, AppError> {
    let mut lineages: Vec<Uuid> = rows.iter().map(|c| c.lineage_id).collect();
    lineages.sort_unstable();
    lineages.dedup();
    let mut versions: HashMap<Uuid, promotion::Model> = HashMap::new();
    if !lineages.is_empty() {
        for row in promotion::Entity::find()
            .filter(promotion::Column::LineageId.is_in(lineages))
            .filter(
                promotion::Column::Status
                    .is_in([PromotionStatus::Approved, PromotionStatus::Superseded]),
            )
            .order_by_asc(promotion::Column::Version)
            .all(db)
            .await?
        {
            // The newest approved version wins (they come in version order).
            versions.insert(row.lineage_id, row);
        }
    }
    let slugs = slugs(db, rows.iter().filter_map(|c| c.brand_id)).await?;
    Ok(rows
        .into_iter()
        .filter_map(|c| {
            let version = versions.get(&c.lineage_id)?;
            let status = if c.status == CouponStatus::Claimed && c.expires_at <= now {
                CouponStatus::Expired
            } else {
                c.status
            };
            Some(CouponView {
                id: c.id.to_string(),
                promotion_id: c.lineage_id.to_string(),
                brand: c.brand_id.and_then(|b| slugs.get(&b).cloned()),
                name: version.name.clone(),
                summary: terms::summary(version),
                status,
                expires_at: c.expires_at,
                order_id: c.order_id.map(|o| o.to_string()),
            })
        })
        .collect())
}
