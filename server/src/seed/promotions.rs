//! The demo promotions: live from seeding until a day after the festival — "40 off every 300"
//! in the first three brands' stores, a claimable coupon in the first, and the platform's "50
//! off every 400" across those brands, with a budget — so the cart, the checkout and the wallet
//! show discounts on a fresh install; and the festival's red-envelope pool.

use chrono::{DateTime, Duration, Utc};
use entity::values::{PromotionKind, PromotionStatus};
use entity::{brand, envelope_pool, promotion, promotion_budget};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

/// One approved demo promotion's terms.
struct Demo {
    /// (brand, its applicant, who wrote it); none: the platform's.
    brand: Option<(Uuid, Uuid)>,
    kind: PromotionKind,
    name: &'static str,
    amount_off_minor: i64,
    threshold_minor: i64,
    budget_minor: Option<i64>,
    code: Option<&'static str>,
    coupon_stock: Option<i32>,
    /// The brands a platform promotion covers.
    brand_ids: Vec<Uuid>,
}

/// The seed's red-envelope budget: RMB 250,000,000, in fen.
const ENVELOPE_BUDGET_MINOR: i64 = 25_000_000_000;

/// Writes the demo red-envelope pool unless one exists: the festival's RMB 250 million, 1.00
/// to 88.88 an envelope, an even chance, at most three envelopes and 200.00 a buyer, each
/// usable for three days; handing out until `ends_at`.
async fn demo_envelope_pool(db: &DatabaseConnection, ends_at: DateTime<Utc>) -> anyhow::Result<()> {
    if envelope_pool::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let now = Utc::now();
    envelope_pool::Model {
        id: Uuid::now_v7(),
        name: "11.11 red envelopes".into(),
        currency: "CNY".into(),
        budget_minor: ENVELOPE_BUDGET_MINOR,
        remaining_minor: ENVELOPE_BUDGET_MINOR,
        min_minor: 100,
        max_minor: 8_888,
        win_percent: 50,
        per_buyer_count: 3,
        per_buyer_minor: 20_000,
        valid_secs: 3 * 24 * 3600,
        starts_at: now - Duration::hours(1),
        ends_at,
        created_at: now,
    }
    .into_active_model()
    .reset_all()
    .insert(db)
    .await?;
    tracing::info!("seeded the demo red-envelope pool");
    Ok(())
}

/// Writes the demo envelope pool and promotions unless they exist already; live until
/// `ends_at`.
pub async fn demo_promotions(
    db: &DatabaseConnection,
    ends_at: DateTime<Utc>,
) -> anyhow::Result<()> {
    demo_envelope_pool(db, ends_at).await?;
    if promotion::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let brands = brand::Entity::find()
        .filter(brand::Column::Status.eq("approved"))
        .order_by_asc(brand::Column::Slug)
        .limit(3)
        .all(db)
        .await?;
    let mut demos: Vec<Demo> = brands
        .iter()
        .map(|brand| Demo {
            brand: Some((brand.id, brand.applicant_account_id)),
            kind: PromotionKind::StoreThreshold,
            name: "¥40 off every ¥300",
            amount_off_minor: 4_000,
            threshold_minor: 30_000,
            budget_minor: Some(10_000_000),
            code: None,
            coupon_stock: None,
            brand_ids: Vec::new(),
        })
        .collect();
    if let Some(first) = brands.first() {
        demos.push(Demo {
            brand: Some((first.id, first.applicant_account_id)),
            kind: PromotionKind::Coupon,
            name: "¥30 off orders of ¥200",
            amount_off_minor: 3_000,
            threshold_minor: 20_000,
            budget_minor: None,
            code: Some("GALA-30"),
            coupon_stock: Some(1_000),
            brand_ids: Vec::new(),
        });
    }
    demos.push(Demo {
        brand: None,
        kind: PromotionKind::PlatformAllowance,
        name: "¥50 off every ¥400 across festival brands",
        amount_off_minor: 5_000,
        threshold_minor: 40_000,
        budget_minor: Some(500_000_000),
        code: None,
        coupon_stock: None,
        // The demo brands only: brands made later (a tester's own) keep their own prices.
        brand_ids: brands.iter().map(|b| b.id).collect(),
    });
    let now = Utc::now();
    for demo in demos {
        let id = Uuid::now_v7();
        // The brand's applicant wrote it; the platform's has no author (the seed).
        let author = demo.brand.map_or(Uuid::nil(), |(_, applicant)| applicant);
        promotion::Model {
            id,
            lineage_id: id,
            version: 1,
            brand_id: demo.brand.map(|(brand, _)| brand),
            kind: demo.kind,
            status: PromotionStatus::Approved,
            name: demo.name.to_owned(),
            percent_off: None,
            amount_off_minor: Some(demo.amount_off_minor),
            threshold_minor: Some(demo.threshold_minor),
            cap_minor: None,
            currency: "CNY".into(),
            listing_ids: "[]".into(),
            categories: "[]".into(),
            brand_ids: serde_json::to_string(&demo.brand_ids)?,
            channels: "[]".into(),
            starts_at: now - Duration::hours(1),
            ends_at,
            per_buyer_limit: None,
            usage_limit: None,
            budget_minor: demo.budget_minor,
            combinable: true,
            code: demo.code.map(str::to_owned),
            coupon_stock: demo.coupon_stock,
            claim_limit: demo.coupon_stock.map(|_| 1),
            review_note: None,
            reviewed_by: None,
            reviewed_at: Some(now),
            submitted_at: Some(now),
            created_by: author,
            created_at: now,
            updated_at: now,
        }
        .into_active_model()
        .reset_all()
        .insert(db)
        .await?;
        promotion_budget::Model {
            lineage_id: id,
            brand_id: demo.brand.map(|(brand, _)| brand),
            uses: 0,
            spent_minor: 0,
            claimed: 0,
        }
        .into_active_model()
        .reset_all()
        .insert(db)
        .await?;
    }
    tracing::info!("seeded the demo promotions");
    Ok(())
}
