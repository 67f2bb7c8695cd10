//! The demo shows: an approved "See Now, Buy Now" runway of the first demo brand and the
//! platform's multi-brand gala, starting an hour after seeding, each with three looks (the
//! last with a one-minute flash window), so `/shows` and a show page have something to show
//! on a fresh install.

use chrono::{Duration, Utc};
use entity::{brand, listing, show, show_look, show_look_item, sku};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

/// A public sample video (MP4), played by the demo show's `<video>`.
const DEMO_STREAM: &str =
    "https://storage.googleapis.com/gtv-videos-bucket/sample/ForBiggerBlazes.mp4";

/// Writes the demo shows unless a show exists already: the first approved brand's runway,
/// and the platform's gala, whose looks come from the next three brands.
pub async fn demo_show(db: &DatabaseConnection) -> anyhow::Result<()> {
    if show::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let brands = brand::Entity::find()
        .filter(brand::Column::Status.eq("approved"))
        .order_by_asc(brand::Column::Slug)
        .limit(4)
        .all(db)
        .await?;
    let Some((brand, gala_brands)) = brands.split_first() else {
        return Ok(());
    };
    let mut looks = Vec::new();
    for (position, listing) in best_sellers(db, brand.id, 3).await?.into_iter().enumerate() {
        looks.push((
            format!("Look {}: {}", position + 1, listing.0),
            listing.1,
            listing.2,
        ));
    }
    let title = format!("{} — See Now, Buy Now runway", brand.display_name);
    insert_show(db, Some(brand.id), &title, looks).await?;
    let mut looks = Vec::new();
    for (position, brand) in gala_brands.iter().enumerate() {
        if let Some((title, sku, cover)) = best_sellers(db, brand.id, 1).await?.pop() {
            looks.push((
                format!("Look {}: {} by {}", position + 1, title, brand.display_name),
                sku,
                cover,
            ));
        }
    }
    if !looks.is_empty() {
        insert_show(db, None, "11.11 Global Gala — See Now, Buy Now", looks).await?;
    }
    Ok(())
}

/// Up to `n` of a brand's visible listings with the most stock: (title, first SKU, cover).
async fn best_sellers(
    db: &DatabaseConnection,
    brand_id: Uuid,
    n: u64,
) -> anyhow::Result<Vec<(String, Uuid, Option<String>)>> {
    let listings = listing::Entity::find()
        .filter(listing::Column::BrandId.eq(brand_id))
        .filter(listing::Column::Visible.eq(true))
        .order_by_desc(listing::Column::Available)
        .limit(n)
        .all(db)
        .await?;
    let mut found = Vec::new();
    for listing in listings {
        let first_sku = sku::Entity::find()
            .filter(sku::Column::ListingId.eq(listing.id))
            .order_by_asc(sku::Column::Position)
            .one(db)
            .await?;
        if let Some(first_sku) = first_sku {
            found.push((listing.title, first_sku.id, listing.cover_url));
        }
    }
    Ok(found)
}

/// An approved show starting an hour from now, one SKU per look (the third look with a
/// one-minute flash window); `brand_id` none: a platform gala.
async fn insert_show(
    db: &DatabaseConnection,
    brand_id: Option<Uuid>,
    title: &str,
    looks: Vec<(String, Uuid, Option<String>)>,
) -> anyhow::Result<()> {
    let now = Utc::now();
    let show_id = Uuid::new_v4();
    show::Entity::insert(show::ActiveModel {
        id: Set(show_id),
        brand_id: Set(brand_id),
        title: Set(title.to_owned()),
        description: Set(
            "Every look is buyable the moment it walks. One tap, while the show runs.".into(),
        ),
        stream_url: Set(DEMO_STREAM.into()),
        cover_url: Set(looks.first().and_then(|l| l.2.clone())),
        starts_at: Set(now + Duration::hours(1)),
        ends_at: Set(now + Duration::hours(5)),
        status: Set(app::show::ShowStatus::Approved),
        review_note: Set(None),
        slow_mode_secs: Set(0),
        blocked_words: Set(String::new()),
        pinned_sku_id: Set(None),
        event_seq: Set(0),
        reactions: Set(0),
        live_at: Set(None),
        ended_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    for (position, (title, sku_id, _)) in looks.into_iter().enumerate() {
        let look_id = Uuid::new_v4();
        show_look::Entity::insert(show_look::ActiveModel {
            id: Set(look_id),
            show_id: Set(show_id),
            position: Set(position as i32 + 1),
            title: Set(title),
            note: Set(String::new()),
            flash_secs: Set((position == 2).then_some(60)),
            revealed_at: Set(None),
            window_opens_at: Set(None),
            window_closes_at: Set(None),
            coupon_lineage_id: Set(None),
            envelope_moment: Set(false),
        })
        .exec_without_returning(db)
        .await?;
        show_look_item::Entity::insert(show_look_item::ActiveModel {
            look_id: Set(look_id),
            sku_id: Set(sku_id),
            exclusive: Set(false),
            position: Set(0),
            drop_stock: Set(None),
        })
        .exec_without_returning(db)
        .await?;
    }
    tracing::info!(%show_id, title, "seeded a demo show");
    Ok(())
}
