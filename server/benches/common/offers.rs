//! The benchmarks' promotions: the seed's demo offers cleared, approved promotions, a red
//! envelope pool and members' wallets written straight into the database, so a run prices
//! and claims with exactly what it sets up.

use chrono::{Duration, Utc};
use entity::values::{CouponStatus, EnvelopeStatus, PromotionKind, PromotionStatus};
use entity::{coupon, envelope_pool, promotion, promotion_budget, red_envelope};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
};
use uuid::Uuid;

use super::members::Member;

/// Rows written per INSERT.
const CHUNK: usize = 200;

/// Removes the seed's demo promotions and envelope pools. A baseline binary's schema may
/// have none of these tables.
pub async fn clear(db: &DatabaseConnection) -> anyhow::Result<()> {
    for table in [
        "promotion_budget",
        "promotion",
        "red_envelope",
        "envelope_play",
        "envelope_buyer",
        "envelope_pool",
    ] {
        let _ = db.execute_unprepared(&format!("DELETE FROM {table}")).await;
    }
    Ok(())
}

/// The terms of a promotion a bench sets up: `amount_off_minor` off every (or, for a coupon,
/// from) `threshold_minor`, at most `cap_minor`; live for a day and combinable.
pub struct Terms {
    /// The funding brand; none: the platform.
    pub brand_id: Option<Uuid>,
    pub kind: PromotionKind,
    pub amount_off_minor: i64,
    pub threshold_minor: i64,
    pub cap_minor: Option<i64>,
    pub budget_minor: Option<i64>,
    /// Coupons: the batch's stock and what one buyer may claim.
    pub coupon_stock: Option<i32>,
    pub claim_limit: Option<i32>,
}

/// An approved promotion of `terms`, with its counters; answers its id (version and lineage).
pub async fn approved(db: &DatabaseConnection, terms: Terms) -> anyhow::Result<Uuid> {
    let now = Utc::now();
    let id = Uuid::now_v7();
    promotion::Model {
        id,
        lineage_id: id,
        version: 1,
        brand_id: terms.brand_id,
        kind: terms.kind,
        status: PromotionStatus::Approved,
        name: format!("Bench {}", terms.kind.as_str()),
        percent_off: None,
        amount_off_minor: Some(terms.amount_off_minor),
        threshold_minor: Some(terms.threshold_minor),
        cap_minor: terms.cap_minor,
        currency: "CNY".into(),
        listing_ids: "[]".into(),
        categories: "[]".into(),
        brand_ids: "[]".into(),
        channels: "[]".into(),
        starts_at: now - Duration::hours(1),
        ends_at: now + Duration::days(1),
        per_buyer_limit: None,
        usage_limit: None,
        budget_minor: terms.budget_minor,
        combinable: true,
        code: None,
        coupon_stock: terms.coupon_stock,
        claim_limit: terms.claim_limit,
        review_note: None,
        reviewed_by: None,
        reviewed_at: Some(now),
        submitted_at: Some(now),
        created_by: Uuid::nil(),
        created_at: now,
        updated_at: now,
    }
    .into_active_model()
    .reset_all()
    .insert(db)
    .await?;
    promotion_budget::Model {
        lineage_id: id,
        brand_id: terms.brand_id,
        uses: 0,
        spent_minor: 0,
        claimed: 0,
    }
    .into_active_model()
    .reset_all()
    .insert(db)
    .await?;
    Ok(id)
}

/// A live red-envelope pool of `budget_minor`, each win `min_minor..=max_minor`, every play
/// winning while money lasts, `per_buyer` envelopes a buyer; answers its id.
pub async fn pool(
    db: &DatabaseConnection,
    budget_minor: i64,
    (min_minor, max_minor): (i64, i64),
    per_buyer: i32,
) -> anyhow::Result<Uuid> {
    let now = Utc::now();
    let id = Uuid::now_v7();
    envelope_pool::Model {
        id,
        name: "Bench envelopes".into(),
        currency: "CNY".into(),
        budget_minor,
        remaining_minor: budget_minor,
        min_minor,
        max_minor,
        win_percent: 100,
        per_buyer_count: per_buyer,
        per_buyer_minor: max_minor * i64::from(per_buyer),
        valid_secs: 24 * 3600,
        starts_at: now - Duration::hours(1),
        ends_at: now + Duration::days(1),
        created_at: now,
    }
    .into_active_model()
    .reset_all()
    .insert(db)
    .await?;
    Ok(id)
}

/// What one order of a member spends: a coupon of theirs and an envelope they won.
#[derive(Clone)]
pub struct Spend {
    pub coupon: Uuid,
    pub envelope: Uuid,
}

/// `per_member` claimed coupons of `coupon_lineage` (funded by `brand_id`) and won envelopes
/// of 0.01 from `pool_id` in each member's wallet, as claims and plays would have left them;
/// answers them by member.
pub async fn wallets(
    db: &DatabaseConnection,
    members: &[Member],
    (coupon_lineage, brand_id): (Uuid, Option<Uuid>),
    pool_id: Uuid,
    per_member: usize,
) -> anyhow::Result<Vec<Vec<Spend>>> {
    let now = Utc::now();
    let mut coupons = Vec::new();
    let mut envelopes = Vec::new();
    let mut spends = Vec::with_capacity(members.len());
    for member in members {
        let mut mine = Vec::with_capacity(per_member);
        for i in 0..per_member {
            let spend = Spend {
                coupon: Uuid::now_v7(),
                envelope: Uuid::now_v7(),
            };
            coupons.push(
                coupon::Model {
                    id: spend.coupon,
                    lineage_id: coupon_lineage,
                    brand_id,
                    account_id: member.account,
                    status: CouponStatus::Claimed,
                    order_id: None,
                    claimed_at: now,
                    expires_at: now + Duration::days(1),
                    updated_at: now,
                }
                .into_active_model(),
            );
            envelopes.push(
                red_envelope::Model {
                    id: spend.envelope,
                    pool_id,
                    account_id: member.account,
                    moment: format!("bench:{i}"),
                    amount_minor: 1,
                    currency: "CNY".into(),
                    status: EnvelopeStatus::Won,
                    order_id: None,
                    won_at: now,
                    expires_at: now + Duration::days(1),
                    updated_at: now,
                }
                .into_active_model(),
            );
            mine.push(spend);
        }
        spends.push(mine);
    }
    while !coupons.is_empty() {
        let rest = coupons.split_off(coupons.len().min(CHUNK));
        coupon::Entity::insert_many(std::mem::replace(&mut coupons, rest))
            .exec_without_returning(db)
            .await?;
    }
    while !envelopes.is_empty() {
        let rest = envelopes.split_off(envelopes.len().min(CHUNK));
        red_envelope::Entity::insert_many(std::mem::replace(&mut envelopes, rest))
            .exec_without_returning(db)
            .await?;
    }
    Ok(spends)
}
