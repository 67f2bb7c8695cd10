//! The demo show: an approved "See Now, Buy Now" runway of the first demo brand, starting an
//! hour after seeding, with three looks from its catalog (the last with a one-minute flash window), so
//! `/shows` and a show page have something to show on a fresh install.

use chrono::{Duration, Utc};
use entity::{brand, listing, show, show_look, show_look_item, sku};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

/// A public sample video (MP4), played by the demo show's `<video>`.
const DEMO_STREAM: &str =
    "https://storage.googleapis.com/gtv-videos-bucket/sample/ForBiggerBlazes.mp4";

/// Writes the demo show unless a show exists already.
pub async fn demo_show(db: &DatabaseConnection) -> anyhow::Result<()> {
    if show::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let Some(brand) = brand::Entity::find()
        .filter(brand::Column::Status.eq("approved"))
        .order_by_asc(brand::Column::Slug)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let listings = listing::Entity::find()
        .filter(listing::Column::BrandId.eq(brand.id))
        .filter(listing::Column::Visible.eq(true))
        .order_by_desc(listing::Column::Available)
        .all(db)
        .await?;
    let now = Utc::now();
    let show_id = Uuid::new_v4();
    show::Entity::insert(show::ActiveModel {
        id: Set(show_id),
        brand_id: Set(brand.id),
        title: Set(format!("{} — See Now, Buy Now runway", brand.display_name)),
        description: Set(
            "Every look is buyable the moment it walks. One tap, while the show runs.".into(),
        ),
        stream_url: Set(DEMO_STREAM.into()),
        cover_url: Set(listings.first().and_then(|l| l.cover_url.clone())),
        starts_at: Set(now + Duration::hours(1)),
        ends_at: Set(now + Duration::hours(5)),
        status: Set("approved".into()),
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
    for (position, listing) in listings.iter().take(3).enumerate() {
        let Some(first_sku) = sku::Entity::find()
            .filter(sku::Column::ListingId.eq(listing.id))
            .order_by_asc(sku::Column::Position)
            .one(db)
            .await?
        else {
            continue;
        };
        let look_id = Uuid::new_v4();
        show_look::Entity::insert(show_look::ActiveModel {
            id: Set(look_id),
            show_id: Set(show_id),
            position: Set(position as i32 + 1),
            title: Set(format!("Look {}: {}", position + 1, listing.title)),
            note: Set(String::new()),
            flash_secs: Set((position == 2).then_some(60)),
            revealed_at: Set(None),
            window_opens_at: Set(None),
            window_closes_at: Set(None),
        })
        .exec_without_returning(db)
        .await?;
        show_look_item::Entity::insert(show_look_item::ActiveModel {
            look_id: Set(look_id),
            sku_id: Set(first_sku.id),
            exclusive: Set(false),
            position: Set(0),
        })
        .exec_without_returning(db)
        .await?;
    }
    tracing::info!(brand = %brand.slug, %show_id, "seeded the demo show");
    Ok(())
}
