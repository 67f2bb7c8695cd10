//! `show`: a live "See Now, Buy Now" show of one brand (or the platform's own multi-brand
//! gala), from draft through admin review to live and ended (then a shoppable replay).
use sea_orm::entity::prelude::*;

use crate::values::ShowStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "show")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The brand whose show it is; none: the platform's gala, mixing brands' products.
    pub brand_id: Option<Uuid>,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// An HLS (`.m3u8`) or MP4 address played by the viewer page's `<video>`.
    pub stream_url: String,
    pub cover_url: Option<String>,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// `draft`, `submitted`, `approved`, `rejected`, `live` or `ended`.
    pub status: ShowStatus,
    #[sea_orm(column_type = "Text", nullable)]
    pub review_note: Option<String>,
    /// Seconds a viewer waits between chat messages (0: the platform's minimum).
    pub slow_mode_secs: i32,
    /// Words the chat refuses, one per line.
    #[sea_orm(column_type = "Text")]
    pub blocked_words: String,
    pub pinned_sku_id: Option<Uuid>,
    /// Sequence number of the show's last event.
    pub event_seq: i64,
    pub reactions: i64,
    pub live_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
