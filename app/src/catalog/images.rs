//! A listing's photos: up to eight, in order, the first one the cover. Each upload is stored
//! twice, re-encoded as JPEG: a large image (1600 px) for the listing page and a thumbnail
//! (400 px) for cards.

use crate::core::txn::begin_write;
use crate::state::AppState;
use entity::{listing, listing_media};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use super::{listings, ListingDetail};
use crate::auth::audit::ClientContext;
use crate::brands::BrandScope;
use crate::core::AppError;
use crate::media::{self, ImageProblem, ImageSpec, OutputFormat, ProcessedImage};

/// Photos per listing.
pub const MAX_IMAGES: u64 = 8;
/// The form (and API) field an image is uploaded in.
pub const IMAGE_FIELD: &str = "image";
/// The listing page's image.
pub const PHOTO_SPEC: ImageSpec = ImageSpec {
    max_side: 1600,
    min_side: 64,
    output: OutputFormat::Jpeg,
};
/// Cards' image.
pub const THUMB_SPEC: ImageSpec = ImageSpec {
    max_side: 400,
    min_side: 64,
    output: OutputFormat::Jpeg,
};

/// The photo and thumbnail made from one upload.
pub struct ListingPhoto {
    pub photo: ProcessedImage,
    pub thumb: ProcessedImage,
}

/// Checks and re-encodes an upload into a photo and its thumbnail (on a blocking thread).
pub async fn prepare(bytes: Vec<u8>) -> Result<ListingPhoto, ImageProblem> {
    let photo = media::process_upload(bytes, PHOTO_SPEC).await?;
    let thumb = media::process_upload(photo.bytes.clone(), THUMB_SPEC).await?;
    Ok(ListingPhoto { photo, thumb })
}

/// Room left for photos on listing `id` of the scope's brand (`NotFound` for others').
pub async fn has_room(
    db: &impl ConnectionTrait,
    scope: &BrandScope,
    id: &str,
) -> Result<bool, AppError> {
    let row = listings::find_in_scope(db, scope, id).await?;
    let count = listing_media::Entity::find()
        .filter(listing_media::Column::ListingId.eq(row.id))
        .count(db)
        .await?;
    Ok(count < MAX_IMAGES)
}

/// Adds a prepared photo at the end of the listing's photos.
pub async fn add(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    id: &str,
    photo: ListingPhoto,
) -> Result<ListingDetail, AppError> {
    let txn = begin_write(&state.db).await?;
    let row = listings::find_in_scope(&txn, scope, id).await?;
    let count = listing_media::Entity::find()
        .filter(listing_media::Column::ListingId.eq(row.id))
        .count(&txn)
        .await?;
    if count >= MAX_IMAGES {
        return Err(ImageProblem::NoRoom.into_error(IMAGE_FIELD));
    }
    let purpose = "listing_photo";
    let url = media::save(
        &txn,
        scope.brand_id(),
        purpose,
        scope.account_id(),
        photo.photo,
    )
    .await?;
    let thumb_url = media::save(
        &txn,
        scope.brand_id(),
        purpose,
        scope.account_id(),
        photo.thumb,
    )
    .await?;
    let media_id = media_id_of(&url)?;
    listing_media::Model {
        listing_id: row.id,
        media_id,
        position: count as i32,
        url: url.clone(),
        thumb_url,
    }
    .into_active_model()
    .reset_all()
    .insert(&txn)
    .await?;
    let row = refresh_cover(&txn, row).await?;
    scope
        .audit(
            &txn,
            client,
            "listing.image_added",
            &row.id.to_string(),
            json!({ "image": url }),
        )
        .await?;
    txn.commit().await?;
    listings::detail(&state.db, row, scope.slug()).await
}

/// Removes a photo (and its files).
pub async fn remove(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    id: &str,
    media_id: &str,
) -> Result<ListingDetail, AppError> {
    let txn = begin_write(&state.db).await?;
    let row = listings::find_in_scope(&txn, scope, id).await?;
    let image = image_of(&txn, row.id, media_id).await?;
    listing_media::Entity::delete_by_id((row.id, image.media_id))
        .exec(&txn)
        .await?;
    media::delete(&txn, &image.url).await?;
    media::delete(&txn, &image.thumb_url).await?;
    renumber(&txn, row.id, None).await?;
    let row = refresh_cover(&txn, row).await?;
    scope
        .audit(
            &txn,
            client,
            "listing.image_removed",
            &row.id.to_string(),
            json!({ "image": image.url }),
        )
        .await?;
    txn.commit().await?;
    listings::detail(&state.db, row, scope.slug()).await
}

/// Makes a photo the first one (the cover).
pub async fn make_cover(
    state: &AppState,
    scope: &BrandScope,
    id: &str,
    media_id: &str,
) -> Result<ListingDetail, AppError> {
    let txn = begin_write(&state.db).await?;
    let row = listings::find_in_scope(&txn, scope, id).await?;
    let image = image_of(&txn, row.id, media_id).await?;
    renumber(&txn, row.id, Some(image.media_id)).await?;
    let row = refresh_cover(&txn, row).await?;
    txn.commit().await?;
    listings::detail(&state.db, row, scope.slug()).await
}

fn media_id_of(url: &str) -> Result<Uuid, AppError> {
    url.rsplit('/')
        .next()
        .and_then(|file| file.split('.').next())
        .and_then(|stem| Uuid::parse_str(stem).ok())
        .ok_or_else(|| AppError::internal(format!("unexpected media url {url}")))
}

async fn image_of(
    db: &impl ConnectionTrait,
    listing_id: Uuid,
    media_id: &str,
) -> Result<listing_media::Model, AppError> {
    let media_id = Uuid::parse_str(media_id).map_err(|_| AppError::NotFound)?;
    listing_media::Entity::find_by_id((listing_id, media_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Numbers the listing's photos 0, 1, 2, … in their order, `first` (if given) at the front.
async fn renumber(
    db: &impl ConnectionTrait,
    listing_id: Uuid,
    first: Option<Uuid>,
) -> Result<(), AppError> {
    let mut images = listing_media::Entity::find()
        .filter(listing_media::Column::ListingId.eq(listing_id))
        .order_by_asc(listing_media::Column::Position)
        .all(db)
        .await?;
    images.sort_by_key(|image| Some(image.media_id) != first);
    for (position, image) in images.into_iter().enumerate() {
        listing_media::Entity::update_many()
            .col_expr(
                listing_media::Column::Position,
                Expr::value(position as i32),
            )
            .filter(listing_media::Column::ListingId.eq(listing_id))
            .filter(listing_media::Column::MediaId.eq(image.media_id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Points the listing's card image at its first photo's thumbnail.
async fn refresh_cover(
    db: &impl ConnectionTrait,
    row: listing::Model,
) -> Result<listing::Model, AppError> {
    let cover = listing_media::Entity::find()
        .filter(listing_media::Column::ListingId.eq(row.id))
        .order_by_asc(listing_media::Column::Position)
        .one(db)
        .await?
        .map(|image| image.thumb_url);
    let mut active = row.into_active_model();
    active.cover_url = sea_orm::ActiveValue::Set(cover);
    let row = active.update(db).await?;
    Ok(row)
}
