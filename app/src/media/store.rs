//! The `media` table: saving processed images and reading them back for `/media/...`.

use entity::media;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel};
use uuid::Uuid;

use super::ProcessedImage;
use crate::core::AppError;

/// An image as served.
#[derive(Debug, Clone)]
pub struct MediaFile {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The public path of a stored image: `/media/<id>.png` or `.jpg`.
pub fn url_of(id: Uuid, content_type: &str) -> String {
    let ext = if content_type == "image/jpeg" {
        "jpg"
    } else {
        "png"
    };
    format!("/media/{id}.{ext}")
}

/// Stores `image` for `brand_id` and returns its public path.
pub async fn save(
    db: &impl ConnectionTrait,
    brand_id: Uuid,
    purpose: &str,
    uploaded_by: Uuid,
    image: ProcessedImage,
) -> Result<String, AppError> {
    let id = Uuid::new_v4();
    let row = media::Model {
        id,
        brand_id,
        purpose: purpose.to_owned(),
        content_type: image.content_type.to_owned(),
        width: image.width as i32,
        height: image.height as i32,
        byte_size: image.bytes.len() as i32,
        data: image.bytes,
        uploaded_by,
        created_at: crate::core::time::now(),
    };
    row.into_active_model().reset_all().insert(db).await?;
    Ok(url_of(id, image.content_type))
}

/// Reads the image at `path` (as made by [`url_of`]); `None` when there is none.
pub async fn load(
    db: &impl ConnectionTrait,
    file_name: &str,
) -> Result<Option<MediaFile>, AppError> {
    let Some(id) = id_of(file_name) else {
        return Ok(None);
    };
    let row = media::Entity::find_by_id(id).one(db).await?;
    Ok(row
        .filter(|row| url_of(row.id, &row.content_type).ends_with(file_name))
        .map(|row| MediaFile {
            content_type: row.content_type,
            bytes: row.data,
        }))
}

/// Deletes the image at public path `url` (a replaced logo, say). Unknown paths are ignored.
pub async fn delete(db: &impl ConnectionTrait, url: &str) -> Result<(), AppError> {
    if let Some(id) = url.rsplit('/').next().and_then(id_of) {
        media::Entity::delete_by_id(id).exec(db).await?;
    }
    Ok(())
}

fn id_of(file_name: &str) -> Option<Uuid> {
    let (stem, _) = file_name.split_once('.')?;
    Uuid::parse_str(stem).ok()
}
