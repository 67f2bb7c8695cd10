//! `media`: an uploaded image, re-encoded by Gala (never the uploader's bytes) and served from
//! `/media/<id>.<ext>` with the content type stored here.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "media")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The brand it belongs to (deleted with it).
    pub brand_id: Uuid,
    /// What it is for: `brand_logo` (listing photos later).
    pub purpose: String,
    /// `image/png` or `image/jpeg`: what Gala encoded, not what was uploaded.
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub byte_size: i32,
    #[sea_orm(column_type = "Blob")]
    pub data: Vec<u8>,
    pub uploaded_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
