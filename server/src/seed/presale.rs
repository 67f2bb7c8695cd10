//! The demo pre-sale: one brand's warm-up campaign on two of its best-stocked products,
//! approved and taking deposits from seeding until the festival starts, with the balance paid
//! during the festival — so a fresh install shows the pre-sale's pages and API. The brand is
//! the fifth by slug: the first four run the demo shows, whose SKUs must stay on sale.

use chrono::{DateTime, Duration, Utc};
use entity::values::PresaleStatus;
use entity::{brand, listing, presale_campaign, presale_line, sku};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

/// Units of each product the demo campaign takes deposits on (at most half its open stock).
const DEMO_CAP: i64 = 200;

/// Writes the demo campaign unless a campaign exists; deposits until `festival_starts`,
/// balances until `festival_ends`.
pub async fn demo_presale(
    db: &DatabaseConnection,
    festival_starts: DateTime<Utc>,
    festival_ends: DateTime<Utc>,
) -> anyhow::Result<()> {
    let now = Utc::now();
    // During the festival itself there is no warm-up left to show.
    if presale_campaign::Entity::find().count(db).await? > 0 || festival_starts <= now {
        return Ok(());
    }
    let Some(brand) = brand::Entity::find()
        .filter(brand::Column::Status.eq("approved"))
        .order_by_asc(brand::Column::Slug)
        .offset(4)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let listings = listing::Entity::find()
        .filter(listing::Column::BrandId.eq(brand.id))
        .filter(listing::Column::Visible.eq(true))
        .order_by_desc(listing::Column::Available)
        .limit(2)
        .all(db)
        .await?;
    let id = Uuid::now_v7();
    let mut lines = Vec::new();
    for listing in &listings {
        let Some(first) = sku::Entity::find()
            .filter(sku::Column::ListingId.eq(listing.id))
            .order_by_asc(sku::Column::Position)
            .one(db)
            .await?
        else {
            continue;
        };
        let open = app::catalog::stock::available_by_sku(db, vec![first.id])
            .await
            .map_err(|err| anyhow::anyhow!("reading the demo pre-sale's stock: {err}"))?
            .get(&first.id)
            .copied()
            .unwrap_or(0);
        if open < 2 {
            continue;
        }
        // A tenth of the price down, worth one and a half times as much at balance time.
        let deposit = Ord::max(first.price_minor / 10, 1);
        lines.push(presale_line::Model {
            id: Uuid::now_v7(),
            campaign_id: id,
            brand_id: brand.id,
            sku_id: first.id,
            listing_id: listing.id,
            title: listing.title.clone(),
            price_minor: first.price_minor,
            deposit_minor: deposit,
            credit_minor: Ord::min(deposit * 3 / 2, first.price_minor - 1),
            cap: Ord::min(DEMO_CAP, open / 2),
        });
    }
    if lines.is_empty() {
        return Ok(());
    }
    let Some(currency) = sku::Entity::find()
        .filter(sku::Column::Id.is_in(lines.iter().map(|l| l.sku_id)))
        .one(db)
        .await?
        .map(|s| s.currency)
    else {
        return Ok(());
    };
    let campaign = presale_campaign::Model {
        id,
        brand_id: brand.id,
        name: format!("{} 11.11 warm-up", brand.display_name),
        currency,
        status: PresaleStatus::Approved,
        deposit_starts_at: now - Duration::hours(1),
        deposit_ends_at: festival_starts,
        balance_starts_at: festival_starts,
        balance_ends_at: festival_ends,
        per_buyer_limit: 2,
        refund_multiplier_percent: 200,
        rules: "Pay the balance during the festival. A deposit whose balance is not paid by the \
                end of the festival is kept by the brand. If we cancel, your deposit comes back \
                doubled."
            .into(),
        review_note: None,
        reviewed_by: None,
        reviewed_at: Some(now),
        submitted_at: Some(now),
        cancelled_at: None,
        created_by: brand.applicant_account_id,
        created_at: now,
        updated_at: now,
    };
    let txn = db.begin().await?;
    let campaign = campaign
        .into_active_model()
        .reset_all()
        .insert(&txn)
        .await?;
    presale_line::Entity::insert_many(lines.into_iter().map(|l| l.into_active_model()))
        .exec_without_returning(&txn)
        .await?;
    app::presale::review::go_live(&txn, &campaign, brand.applicant_account_id)
        .await
        .map_err(|err| anyhow::anyhow!("putting the demo pre-sale live: {err}"))?;
    txn.commit().await?;
    tracing::info!(campaign = %campaign.name, "seeded the demo pre-sale");
    Ok(())
}
