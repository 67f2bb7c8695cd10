//! Which promotions are live, as the checkout prices with them: [`Offer`]s, the approved
//! versions inside their window. The quote (`checkout::pricing`) decides what each does to an
//! order's lines; the engine reads them once per batch with the counters that bound them.
//!
//! Also the coupons an owner can hand out beyond its pages — at a show's drop, through a store
//! code — and what those show buyers ([`attachable`], [`moments`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{coupon, promotion};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::terms;
use super::{
    CouponMoment, CouponStatus, OrderChannel, PromotionKind, PromotionStatus, PromotionView,
};
use crate::core::AppError;

/// A live promotion's terms, as the quote applies them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// The promotion (its lineage): what adjustments, budgets and uses name.
    pub promotion_id: Uuid,
    /// The funding brand; none: the platform.
    pub brand_id: Option<Uuid>,
    pub kind: PromotionKind,
    pub name: String,
    pub percent_off: Option<i32>,
    pub amount_off_minor: Option<i64>,
    pub threshold_minor: Option<i64>,
    pub cap_minor: Option<i64>,
    pub currency: String,
    /// Empty: every listing, category, brand, channel.
    pub listing_ids: Vec<Uuid>,
    pub categories: Vec<String>,
    pub brand_ids: Vec<Uuid>,
    pub channels: Vec<OrderChannel>,
    pub per_buyer_limit: Option<i64>,
    pub usage_limit: Option<i64>,
    pub budget_minor: Option<i64>,
    pub combinable: bool,
    /// The buyer's coupon this offer comes from (coupons only).
    pub coupon_id: Option<Uuid>,
}

impl Offer {
    /// The live terms of `row`.
    pub fn of(row: &promotion::Model) -> Offer {
        let terms = terms::of_row(row);
        Offer {
            promotion_id: row.lineage_id,
            brand_id: row.brand_id,
            kind: terms.kind,
            name: terms.name,
            percent_off: terms.percent_off,
            amount_off_minor: terms.amount_off_minor,
            threshold_minor: terms.threshold_minor,
            cap_minor: terms.cap_minor,
            currency: terms.currency,
            listing_ids: terms.listing_ids,
            categories: terms.categories,
            brand_ids: terms.brand_ids,
            channels: terms.channels,
            per_buyer_limit: terms.per_buyer_limit.map(i64::from),
            usage_limit: terms.usage_limit.map(i64::from),
            budget_minor: terms.budget_minor,
            combinable: terms.combinable,
            coupon_id: None,
        }
    }

    /// Whether a line of `brand_id`'s listing `listing_id` in `category` is one it applies to
    /// (the channel and currency are checked per order, by [`Offer::applies_in`]).
    pub fn covers(&self, brand_id: Uuid, listing_id: Uuid, category: &str) -> bool {
        let brand = match self.brand_id {
            Some(owner) => owner == brand_id,
            None => self.brand_ids.is_empty() || self.brand_ids.contains(&brand_id),
        };
        brand
            && (self.listing_ids.is_empty() || self.listing_ids.contains(&listing_id))
            && (self.categories.is_empty() || self.categories.iter().any(|c| c == category))
    }

    /// Whether it applies to an order in `currency` placed through `channel`.
    pub fn applies_in(&self, channel: OrderChannel, currency: &str) -> bool {
        self.currency == currency && (self.channels.is_empty() || self.channels.contains(&channel))
    }
}

/// The automatic promotions (everything but coupons) live at `now` that could apply to lines
/// of `brand_ids`: theirs and the platform's.
pub async fn live(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    brand_ids: &[Uuid],
) -> Result<Vec<Offer>, AppError> {
    let rows = promotion::Entity::find()
        .filter(promotion::Column::Status.eq(PromotionStatus::Approved))
        .filter(promotion::Column::Kind.ne(PromotionKind::Coupon))
        .filter(promotion::Column::StartsAt.lte(now))
        .filter(promotion::Column::EndsAt.gt(now))
        .filter(
            Condition::any()
                .add(promotion::Column::BrandId.is_null())
                .add(promotion::Column::BrandId.is_in(brand_ids.to_vec())),
        )
        .all(db)
        .await?;
    Ok(rows.iter().map(Offer::of).collect())
}

/// The live version of each of `promotion_ids` (lineages) at `now`.
pub async fn live_versions(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    promotion_ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, promotion::Model>, AppError> {
    if promotion_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(promotion::Entity::find()
        .filter(promotion::Column::LineageId.is_in(promotion_ids))
        .filter(promotion::Column::Status.eq(PromotionStatus::Approved))
        .filter(promotion::Column::StartsAt.lte(now))
        .filter(promotion::Column::EndsAt.gt(now))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.lineage_id, row))
        .collect())
}

/// The coupons of `ids` still ready for use at `now`, by coupon id, each with its owner and
/// its promotion's live terms.
pub async fn coupons(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, (Uuid, Offer)>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    // By id alone, the rest checked here, so no planner prefers another index over the key
    // (as SQLite did for red envelopes: `envelopes::usable`).
    let rows: Vec<coupon::Model> = coupon::Entity::find()
        .filter(coupon::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .filter(|c| c.status == CouponStatus::Claimed && c.expires_at > now)
        .collect();
    let versions = live_versions(db, now, rows.iter().map(|c| c.lineage_id).collect()).await?;
    Ok(rows
        .into_iter()
        .filter_map(|c| {
            let mut offer = Offer::of(versions.get(&c.lineage_id)?);
            offer.coupon_id = Some(c.id);
            Some((c.id, (c.account_id, offer)))
        })
        .collect())
}

/// The approved coupon versions of `brand_id` (the platform's when none), soonest ending
/// first.
pub(super) fn approved_coupons(brand_id: Option<Uuid>) -> sea_orm::Select<promotion::Entity> {
    promotion::Entity::find()
        .filter(promotion::Column::Kind.eq(PromotionKind::Coupon))
        .filter(promotion::Column::Status.eq(PromotionStatus::Approved))
        .filter(match brand_id {
            Some(brand) => promotion::Column::BrandId.eq(brand),
            None => promotion::Column::BrandId.is_null(),
        })
        .order_by_asc(promotion::Column::EndsAt)
}

/// The coupons `brand_id` (the platform: none) can hand out at a show's drop or through a
/// claim link: its approved coupons that have not ended (a show or a store's code is prepared
/// before its coupons start).
pub async fn attachable(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    brand_id: Option<Uuid>,
) -> Result<Vec<PromotionView>, AppError> {
    let rows = approved_coupons(brand_id)
        .filter(promotion::Column::EndsAt.gt(now))
        .all(db)
        .await?;
    super::service::views(db, rows).await
}

/// What drops carrying the coupons `lineages` show viewers, by lineage: each coupon's approved
/// version (one that is no longer approved shows nothing).
pub async fn moments(
    db: &impl ConnectionTrait,
    lineages: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, CouponMoment>, AppError> {
    let lineages: Vec<Uuid> = lineages.into_iter().collect();
    if lineages.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(promotion::Entity::find()
        .filter(promotion::Column::LineageId.is_in(lineages))
        .filter(promotion::Column::Kind.eq(PromotionKind::Coupon))
        .filter(promotion::Column::Status.eq(PromotionStatus::Approved))
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            let moment = CouponMoment {
                promotion_id: row.lineage_id.to_string(),
                summary: terms::summary(&row),
                name: row.name,
            };
            (row.lineage_id, moment)
        })
        .collect())
}
